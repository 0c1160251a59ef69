"""The targets of the report: each a measured ratio against its limit, scored so that <= 1 passes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scripts.bench.measure import Timing
from scripts.bench.results import SceneBench
from scripts.bench.sections import PREVIEW_SCENES
from scripts.bench.text import fmt


# Targets: limits of the ratios in the report.
LECTURE_FLOOR_LIMIT = 1.15  # whole lecture at 1080p60 / its encoder floor (issue 29; 1.5 before)

SECONDS_PER_VIDEO_SECOND_480P = 0.3

NAIVE_SPEEDUP = 3.0

WARM_RERENDER_S = 5.0

JOBS_SPEEDUP = 1.6

PREVIEW_IMPORT_LIMIT = 1.5

PEAK_MEMORY_MB = 1000.0

ENGINE_NUMPY_LIMIT = 5.0

SYNTHESIS_PER_SPEECH_S = 0.1  # cold synthesis wall s per second of speech (model load included)

PLAIN_SPEEDUP = 3.0  # the default renderer against stock manim (`--plain`), whole lecture at 480p15
NARRATED_SILENT_LIMIT = 1.10  # narrated / silent 480p render, per video second
INCREMENTAL_LIMIT = 0.15  # one beat of backprop edited at 480p15 (the beat cache, states restored) / a full render of it
CLUSTER_LOCAL_LIMIT = 1.10  # the lecture at 480p on a 2-worker LocalCluster / `--jobs 2`, same machine
CHECK_LIMIT = 1.20  # `lecture check --force` (renders with the recorder, then every rule) / `lecture render --force`, 480p15

@dataclass
class Target:
    name: str
    measured: str
    limit: str
    score: float | None  # measured / limit for "at most", limit / measured for "at least": <= 1 passes
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.score is None:
            return "not measured"
        return "PASS" if self.score <= 1.0 else "FAIL"

def at_most(value: float | None, limit: float) -> float | None:
    return None if value is None else value / limit

def at_least(value: float | None, limit: float) -> float | None:
    return None if not value else limit / value

def failed_note(benches: list[SceneBench], quality: str) -> str:
    failed = [b.scene for b in benches if b.quality == quality and not b.ok]
    return f"left out, failed: {', '.join(failed)}" if failed else ""

def hd_targets(scenes: list[SceneBench], naive: SceneBench | None, lecture: Timing | None) -> list[Target]:
    """Whole lecture at 1080p60 (the `lecture render -q h` run's wall time, start-up included) against its
    encoder floor, gradient-field against the naive reference, memory. If a scene failed, the lecture is
    the sum of the other scenes' own times."""
    hd = [b for b in scenes if b.quality == "1080p60" and b.ok and b.floor.median]
    every_scene = lecture is not None and not lecture.error and lecture.wall.values and len(hd) == lecture.scenes
    wall = lecture.wall.median if every_scene else sum(b.wall.median for b in hd)
    ratio = wall / sum(b.floor.median for b in hd) if hd else None
    cpu_ratio = None
    if hd and all(b.cpu.median and b.floor_cpu.median for b in hd):  # CPU seconds: what a loaded machine changes least
        cpu_ratio = sum(b.cpu.median for b in hd) / sum(b.floor_cpu.median for b in hd)
    measured = fmt(cpu_ratio if cpu_ratio else ratio, "x floor") + (" in CPU s" if cpu_ratio else "")
    floor_note = f"wall: {ratio:.2f}x (the CLI run, start-up included)" if cpu_ratio and ratio else ""
    note = "; ".join(filter(None, [floor_note, failed_note(scenes, "1080p60")]))
    field_bench = next((b for b in hd if b.scene == "gradient-field"), None)
    speedup = naive.per_video_s.median / field_bench.per_video_s.median if field_bench and naive and naive.ok else None
    peak = max((max(b.rss_mb.values) for b in scenes if b.quality == "1080p60" and b.rss_mb.values), default=None)
    return [
        Target("lecture at 1080p60 vs its encoder floor (every frame to x264, as stock manim encodes)", measured,
               f"<= {LECTURE_FLOOR_LIMIT}x", at_most(cpu_ratio or ratio, LECTURE_FLOOR_LIMIT), note),
        Target("gradient-field vs naive reference, 1080p60, per video s", fmt(speedup, "x faster"), f">= {NAIVE_SPEEDUP}x",
               at_least(speedup, NAIVE_SPEEDUP)),
        Target("peak memory of a 1080p60 render", fmt(peak, "MB", 0), f"< {PEAK_MEMORY_MB:.0f} MB",
               at_most(peak, PEAK_MEMORY_MB), failed_note(scenes, "1080p60")),
    ]

def cli_targets(cli: dict[str, Timing]) -> list[Target]:
    """Whole lecture at 480p15 per video second, the unchanged re-render, and --jobs 2 against --jobs 1."""
    jobs1, jobs2, warm = cli.get("jobs1"), cli.get("jobs2"), cli.get("warm")
    per_s = jobs2.wall.median / jobs2.video_s if jobs2 and jobs2.video_s else None
    warm_s = warm.wall.median if warm and warm.valid else None
    speedup = jobs1.wall.median / jobs2.wall.median if jobs1 and jobs2 and jobs1.scenes > 1 else None
    return [
        Target("lecture at 480p15, `lecture render -q l --jobs 2`, LaTeX warm", fmt(per_s, "s per video s"),
               f"<= {SECONDS_PER_VIDEO_SECOND_480P}", at_most(per_s, SECONDS_PER_VIDEO_SECOND_480P), jobs2.error if jobs2 else ""),
        Target("unchanged lecture re-render", fmt(warm_s, "s"), f"< {WARM_RERENDER_S} s", at_most(warm_s, WARM_RERENDER_S),
               "; ".join(filter(None, [warm.note, warm.error]))if warm else ""),
        Target("`--jobs 2` vs `--jobs 1`", fmt(speedup, "x faster"), f">= {JOBS_SPEEDUP}x", at_least(speedup, JOBS_SPEEDUP),
               "needs 2+ scenes" if jobs1 and not speedup else "; ".join(filter(None, [t.error for t in (jobs1, jobs2) if t]))),
    ]

def narration_targets(narration: dict[str, Timing]) -> list[Target]:
    """Cold synthesis per second of speech, and the narrated render against the silent one per video second."""
    synthesis, silent, narrated = (narration.get(k) for k in ("synthesis", "silent", "narrated"))
    per_speech_s = per_video_s(synthesis)
    silent_s, narrated_s = per_video_s(silent), per_video_s(narrated)
    ratio = narrated_s / silent_s if silent_s and narrated_s else None
    measured = fmt(ratio, "x silent") + (f" ({narrated_s:.2f} vs {silent_s:.2f} s per video s)" if ratio else "")
    silent_cpu, narrated_cpu = cpu_per_video_s(silent), cpu_per_video_s(narrated)
    if silent_cpu and narrated_cpu:  # CPU seconds: what a loaded machine changes least
        wall = f"; wall {ratio:.2f}x" if ratio else ""
        ratio = narrated_cpu / silent_cpu
        measured = f"{ratio:.2f} x silent in CPU s ({narrated_cpu:.3f} vs {silent_cpu:.3f} CPU s per video s{wall})"
    return [
        Target("synthesis of the whole lecture's narration, cold", fmt(per_speech_s, "s per speech s", 3),
               f"<= {SYNTHESIS_PER_SPEECH_S}", at_most(per_speech_s, SYNTHESIS_PER_SPEECH_S), synthesis.error if synthesis else ""),
        Target("narrated vs silent render of the lecture at 480p, per video second", measured, f"<= {NARRATED_SILENT_LIMIT}x",
               at_most(ratio, NARRATED_SILENT_LIMIT), "; ".join(t.error for t in (silent, narrated) if t and t.error)),
    ]

def cpu_per_video_s(timing: Timing | None) -> float | None:
    """Median CPU seconds (the CLI's and its renders') per video second of a run that succeeded."""
    return timing.cpu.median / timing.video_s if timing and not timing.error and timing.video_s and timing.cpu.values else None


def per_video_s(timing: Timing | None) -> float | None:
    """Median wall seconds per video second of a run that succeeded (None if it failed or made nothing)."""
    return timing.wall.median / timing.video_s if timing and not timing.error and timing.video_s else None

def preview_targets(previews: dict[str, Timing]) -> list[Target]:
    floor = previews.get("import")
    rows = []
    for scene in PREVIEW_SCENES:
        preview = previews.get(scene)
        ratio = preview.wall.median / floor.wall.median if preview and floor and not preview.error else None
        rows.append(Target(f"`lecture preview {scene}` (LaTeX warm) vs import floor", fmt(ratio, "x floor"),
                           f"<= {PREVIEW_IMPORT_LIMIT}x", at_most(ratio, PREVIEW_IMPORT_LIMIT), preview.error if preview else ""))
    return rows

def plain_targets(plain: dict[str, Timing]) -> list[Target]:
    """The whole lecture at 480p15 with the project's renderer against stock manim (`--plain`), one run each."""
    default, stock = plain.get("default"), plain.get("plain")
    ran = default and stock and not default.error and not stock.error and default.wall.values and stock.wall.values
    speedup = stock.wall.median / default.wall.median if ran else None
    note = "; ".join(t.error for t in (default, stock) if t and t.error) or (stock.note if stock and not ran else "")
    return [Target("lecture at 480p15: default vs `--plain` (stock manim)", fmt(speedup, "x faster"), f">= {PLAIN_SPEEDUP}x",
                   at_least(speedup, PLAIN_SPEEDUP), note)]


def incremental_targets(incremental: dict[str, Timing]) -> list[Target]:
    """One beat of backprop edited at 480p15: the render with the beat cache against a full one, frames equal."""
    full, edited = incremental.get("full"), incremental.get("edited")
    ran = full and edited and not edited.error and edited.wall.values and full.wall.values and edited.valid
    ratio = edited.wall.median / full.wall.median if ran else None
    measured = fmt(ratio, "x full", 2) + (f" ({edited.wall.median:.1f} vs {full.wall.median:.1f} s)" if ratio else "")
    note = edited.error or edited.note if edited else ""
    bodies = incremental.get("bodies")
    if ran and bodies and bodies.wall.values and not bodies.error:
        before = f"with the earlier beats' bodies run instead (before the restore) {bodies.wall.median / full.wall.median:.2f}x"
        note = f"{note}; {before}" if note else before
    return [Target("one beat of backprop edited at 480p15 (beat cache, states restored) vs its full render", measured,
                   f"<= {INCREMENTAL_LIMIT}x, frames equal", at_most(ratio, INCREMENTAL_LIMIT), note)]


def check_targets(check: dict[str, Timing]) -> list[Target]:
    """`lecture check` over the lectures at 480p15 against rendering them."""
    render, checked = check.get("render"), check.get("check")
    ran = render and checked and not render.error and not checked.error and render.wall.values and checked.wall.values
    ratio = checked.wall.median / render.wall.median if ran else None
    measured = fmt(ratio, "x render", 2) + (f" ({checked.wall.median:.1f} vs {render.wall.median:.1f} s)" if ratio else "")
    return [Target("`lecture check` of the lectures at 480p15 vs rendering them", measured, f"<= {CHECK_LIMIT}x",
                   at_most(ratio, CHECK_LIMIT), "; ".join(t.error for t in (render, checked) if t and t.error))]


def cluster_targets(cluster: dict[str, Timing]) -> list[Target]:
    """The lecture at 480p15 on a 2-worker LocalCluster against `--jobs 2` on the same machine."""
    local, remote = cluster.get("local"), cluster.get("cluster")
    ran = local and remote and not local.error and not remote.error and local.wall.values and remote.wall.values
    ratio = remote.wall.median / local.wall.median if ran else None
    measured = fmt(ratio, "x `--jobs 2`") + (f" ({remote.wall.median:.1f} s vs {local.wall.median:.1f} s)" if ratio else "")
    return [Target("lecture at 480p15: 2-worker LocalCluster vs `--jobs 2`, same machine", measured,
                   f"<= {CLUSTER_LOCAL_LIMIT}x", at_most(ratio, CLUSTER_LOCAL_LIMIT),
                   "; ".join(t.error for t in (local, remote) if t and t.error))]


def targets(results: dict[str, Any]) -> list[Target]:
    engine = results.get("engine")
    ratio = engine["engine"].median / engine["numpy"].median if engine else None
    return [*hd_targets(results.get("scenes", []), results.get("naive"), results.get("hd")), *cli_targets(results.get("cli", {})),
            *narration_targets(results.get("narration", {})),
            *plain_targets(results.get("plain", {})), *incremental_targets(results.get("incremental", {})),
            *check_targets(results.get("check", {})),
            *cluster_targets(results.get("cluster", {})), *preview_targets(results.get("previews", {})),
            Target("engine.gradient_field 1000x1000 vs numpy closed form", fmt(ratio, "x numpy"),
                   f"<= {ENGINE_NUMPY_LIMIT}x", at_most(ratio, ENGINE_NUMPY_LIMIT))]
