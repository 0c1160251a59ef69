"""`lecture check`: render what is not up to date with the geometry recorder on, apply every rule of
`lecture/check/`, print a table per scene and beat; exit 0 clean, 1 with findings, 2 on bad input."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from lecture.cli.app import RenderFailed, cli
from lecture.options.table import options_for


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("check")
def check(scenes, quality, out, jobs, force, json_path, sheet_path, **kwargs) -> None:
    """Check SCENES (ids from `lecture list`, or `all`) for what a viewer would see wrong: texts over
    each other, parts off the frame or in the title band, text too small, low contrast, empty canvas,
    a still picture while the voice speaks, unreadable captions, numbers said but not shown.

    Clips are rendered as `lecture render` would, with the same options, into OUT/<quality>/ (up-to-date
    ones with a geometry record are reused). Rules and how to read the JSON: docs/checking.md.
    """
    # The checker and the render machinery: only when `check` runs (every command imports this module).
    from lecture.check.report import ClipCheck, table, write_json
    from lecture.check.run import RulePool
    from lecture.cli.render import render_clips
    from lecture.request import RenderRequest
    from lecture.render.jobs import GEOMETRY

    request = RenderRequest.resolve(scenes, kwargs, quality=quality, out=out, jobs=jobs, force=force, record=True)
    out_dir, clips = request.clip_folder, sum(len(group.ids) for group in request.groups)

    def rendered(outcome) -> None:  # a clip done (or up to date): its rules start while the others render
        scene = outcome.job.scene
        if outcome.ok:
            rules.submit(scene, (out_dir / f"{scene}.json", out_dir / f"{scene}{GEOMETRY}", out_dir / f"{scene}.mp4"))

    with RulePool(min(request.jobs, clips)) as rules:
        outcomes = render_clips(request, on_done=rendered)
        failed = [o for o in outcomes if not o.ok]
        if failed:
            raise RenderFailed("; ".join(f"{o.job.scene} failed: {o.error}" for o in failed))
        checks = []
        for o in outcomes:
            findings, applied, data = rules.result(o.job.scene)
            checks.append(ClipCheck(o.job.scene, data.get("theme", ""), out_dir / f"{o.job.scene}.mp4",
                                    data.get("sections", []), applied, findings))
            click.echo(table(checks[-1]))
    total = sum(len(c.findings) for c in checks)
    options = {"scenes": list(scenes) or ["all"], "quality": quality, "voice": kwargs.get("voice"),
               "lecture": kwargs.get("lecture_id"), "theme": kwargs.get("theme") or "dark"}
    if json_path:
        click.echo(f"wrote {write_json(checks, options, Path(json_path))}")
    if sheet_path:
        from lecture.check.sheet import contact_sheet  # PIL and av: only with --sheet

        click.echo(f"wrote {contact_sheet(checks, Path(sheet_path))}")
    click.echo(f"{total} finding{'s' * (total != 1)} in {len(checks)} clip{'s' * (len(checks) != 1)}")
    sys.exit(1 if total else 0)
