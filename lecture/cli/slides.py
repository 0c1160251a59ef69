"""`lecture slides` and `lecture present`: decks and manim-slides' presenter over the rendered clips."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from lecture.cli.app import all_rendered, cli
from lecture.cli.render import render_clips
from lecture.options.table import options_for
from lecture.request import RenderRequest
from lecture.output.publish import check_writable_dir
from scenes.catalog import Lecture


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("slides")
def slides(scenes, to, quality, out, jobs, **kwargs) -> None:
    """Make one deck of SCENES (or all): a slide per pause, arrow keys or a clicker to advance."""
    from lecture.output.slides import export_deck  # manim-slides' converters (seconds): only when a deck is made

    for lecture, params, configs in rendered_slides(scenes, quality, out, jobs, kwargs):
        deck = export_deck(configs, to, check_writable_dir(out).resolve() / "slides" / f"{lecture.stem}.{to}", params.theme,
                           lecture.title)
        click.echo(f"wrote {deck}")
        if to == "html":
            click.echo(f"wrote {deck.parent / f'{lecture.stem}_assets'} (keep it beside the HTML)")


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("present")
def present(scenes, quality, out, jobs, fullscreen, **kwargs) -> None:
    """Present SCENES (or all) in manim-slides' window: right arrow or a clicker for the next pause."""
    from lecture.output.slides import check_presenter  # manim-slides (seconds): only when presenting

    check_presenter()
    configs = [config for _, _, lecture_configs in rendered_slides(scenes, quality, out, jobs, kwargs) for config in lecture_configs]
    command = [sys.executable, "-m", "manim_slides", "present", "--folder", str(configs[0].parent),
               *(["--full-screen"] if fullscreen else []), *(c.name.removesuffix(".json") for c in configs)]
    sys.exit(subprocess.call(command))


def rendered_slides(scenes: tuple[str, ...], quality: str, out: Path, jobs: int, kwargs: dict) -> list[tuple[Lecture, Any, list[Path]]]:
    """Render SCENES (cached clips are reused); for each lecture, its params and each scene's manim-slides config."""
    request = RenderRequest.resolve(scenes, kwargs, quality=quality, out=out, jobs=jobs)
    outcomes = all_rendered(render_clips(request))
    return [(lecture, clips[0].job.params, [request.clip_folder / f"{o.job.scene}.slides.json" for o in clips])
            for lecture, clips in request.by_lecture(outcomes)]
