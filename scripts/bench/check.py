"""`lecture check` against rendering: the whole lecture (both lectures) at 480p15, LaTeX warm.

Three runs into one fresh folder: `lecture render --force` (the reference), `lecture check --force`
(the same renders with the geometry recorder on, then every rule), and `lecture check` again on the
clips it left (no render: the rules' own time). The goal: the check adds at most 20% to the render.
"""
from __future__ import annotations

from pathlib import Path

from scripts.bench.measure import Timing, fresh_dir, lecture_cmd, log, run_logged
from scripts.bench.results import clip_seconds


def bench_check(scenes: list[str], tmp: Path, latex: Path | None) -> dict[str, Timing]:
    from scripts.bench.sections import copy_latex_caches, render_targets

    targets = render_targets(scenes)
    render = Timing("`lecture render --force` (the reference), LaTeX warm", scenes=len(scenes))
    check = Timing("`lecture check --force`: the same renders, recorder on, then every rule", scenes=len(scenes))
    rules = Timing("`lecture check` on the clips it left: the rules alone, no render", scenes=len(scenes))
    out = fresh_dir(tmp / "check")
    if latex is not None:
        copy_latex_caches(latex, out)
    else:
        run_logged(lecture_cmd("render", *targets, "-q", "l", "--out", str(out)), tmp, "480p15 LaTeX warm-up (not reported)")
    render.add(run_logged(lecture_cmd("render", *targets, "-q", "l", "--force", "--out", str(out)), tmp, "lecture render --force"))
    for timing, extra, label in ((check, ("--force",), "lecture check --force"), (rules, (), "lecture check (clips up to date)")):
        run = run_logged(lecture_cmd("check", *targets, "-q", "l", *extra, "--out", str(out), "--json", str(out / "check.json")),
                         tmp, label)
        timing.wall.values.append(run.wall_s)
        timing.rss_mb.values.append(run.max_rss_mb)
        if run.returncode not in (0, 1):  # 1: findings, which the check is for
            timing.error = run.error()
    for timing in (render, check, rules):
        timing.video_s = clip_seconds(out)
    if render.wall.median and check.wall.median:
        log(f"check: {check.wall.median / render.wall.median - 1:+.0%} against the render")
    return {"render": render, "check": check, "rules": rules}
