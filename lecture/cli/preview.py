"""`lecture preview` and `lecture watch`: a scene's last frame, a beat's end or a storyboard, while writing it."""
from __future__ import annotations

import time
from pathlib import Path

import click

from lecture import UserError
from lecture.cli.app import RenderFailed, all_rendered, cli
from lecture.options.resolve import check_params, resolve_scenes
from lecture.options.table import options_for
from lecture.request import RenderRequest, lecture_from, params_from
from scenes.catalog import current


@cli.command()
@click.argument("scene")
@options_for("preview")
def preview(scene, section, storyboard, out, **kwargs) -> None:
    """Write a 480p PNG of SCENE's last frame (or of a section's end) and print its path."""
    click.echo(str(make_preview(scene, section, storyboard, out, kwargs, in_this_process=True)))


def make_preview(scene: str, section: str | None, storyboard: bool, out: Path, kwargs: dict,
                 in_this_process: bool = False) -> Path:
    """A still renders in this process when asked (`preview`: no second start-up of manim and torch);
    `watch` renders in a fresh process each time, so edited scene code is what it shows."""
    # The render machinery (about 0.5 s): loaded when a preview is made, not for every command.
    from lecture.render.jobs import Job
    from lecture.render.pool import render_jobs, run_here

    request = RenderRequest.resolve((scene,), kwargs, quality="l", out=out)  # the options of the scene's lecture
    (group,) = request.groups
    (scene_id,), params = group.ids, group.params
    check_params(params, [scene_id])
    out, out_dir = request.out, request.out / "preview"
    # Every play skipped: the last frame, or each beat's end (a section's end is its beat's end picture; the
    # clip's frame there equals it within x264's loss, tests/test_storyboard.py). No clip is rendered.
    job = Job(scene_id, request.quality, "storyboard" if storyboard or section else "still", False, params, out_dir)
    outcome = run_here(job, out / ".cache") if in_this_process else render_jobs([job], out / ".cache", 1)[0]
    all_rendered([outcome])
    if not section:
        return Path(outcome.files[0])
    ends = {Path(f).stem.removeprefix(f"{scene_id}-"): Path(f) for f in outcome.files[1:]}  # after the sheet, in beat order
    if section not in ends:
        raise UserError(f"no section {section!r} in {scene_id}; sections: {', '.join(ends)}")
    return ends[section]


@cli.command()
@click.argument("scene")
@options_for("watch")
def watch(scene, section, out, interval, **kwargs) -> None:
    """Re-render SCENE's preview whenever a file under scenes/, engine/ or its lecture's folder changes (Ctrl-C stops)."""
    from lecture.render.jobs import ROOT  # with the option table's checks: only when watch runs

    (scene_id,) = resolve_scenes((scene,), lecture_from(kwargs))
    check_params(params_from(kwargs, current().lecture_of[scene_id])[0], [scene_id])  # fail fast on bad options
    lecture = current().lecture_of[scene_id]
    folders = [ROOT / "scenes", ROOT / "engine", *([lecture.folder] if not lecture.built_in else [])]  # and its own folder

    def snapshot() -> dict[Path, float]:
        return {p: p.stat().st_mtime for folder in folders for p in folder.rglob("*.py")}

    seen: dict[Path, float] = {}
    try:
        while True:
            now = snapshot()
            if now != seen:
                seen = now
                try:
                    click.echo(f"{time.strftime('%H:%M:%S')} preview: {make_preview(scene, section, False, out, kwargs)}")
                except RenderFailed as err:
                    click.echo(f"{time.strftime('%H:%M:%S')} {err}", err=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped watching")
