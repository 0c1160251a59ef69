"""`lecture preview` and `lecture watch`: a scene's last frame, a beat's end or a storyboard, while writing it."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

from lecture import UserError
from lecture.cli.app import RenderFailed, all_rendered, cli
from lecture.options.resolve import check_params, resolve_scenes
from lecture.options.table import options_for
from lecture.output.publish import save_image_atomic
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
    # The render machinery and av (about 0.5 s together): loaded when a preview is made, not for every command.
    from lecture.output.frames import frames_at
    from lecture.render.jobs import Job
    from lecture.render.pool import render_jobs, run_here

    request = RenderRequest.resolve((scene,), kwargs, quality="l", out=out)  # the options of the scene's lecture
    (group,) = request.groups
    (scene_id,), params = group.ids, group.params
    check_params(params, [scene_id])
    out, out_dir = request.out, request.out / "preview"
    # A still and a storyboard skip every play (each beat's end frame drawn, not the clip); a beat's end is the clip's.
    kind = "storyboard" if storyboard else "mp4" if section else "still"
    still = kind != "mp4"
    job = Job(scene_id, request.quality, kind, False, params, out_dir)
    if still and in_this_process:
        outcome = run_here(job, out / ".cache")
    else:
        (outcome,) = render_jobs([job], out / ".cache", 1)
    all_rendered([outcome])
    if still:
        return Path(outcome.files[0])
    sidecar = json.loads((out_dir / f"{scene_id}.json").read_text())
    video = out_dir / f"{scene_id}.mp4"
    match = [s for s in sidecar["sections"] if s["name"] == section]
    if not match:
        raise UserError(f"no section {section!r} in {scene_id}; sections: {', '.join(s['name'] for s in sidecar['sections'])}")
    return save_image_atomic(frames_at(video, [match[0]["end"] - 1e-3])[0], out_dir / f"{scene_id}-{section}.png")


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
