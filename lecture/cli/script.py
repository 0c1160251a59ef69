"""`lecture script`: the narration, beat by beat, as Markdown to read from and to edit."""
from __future__ import annotations

import click

from lecture import UserError
from lecture.cli.app import cli
from lecture.options.resolve import resolve_scenes
from lecture.request import lecture_from
from lecture.options.table import ALL_LECTURES, options_for
from lecture.output.publish import write_text_atomic
from lecture.voice.script import scene_script, to_markdown
from scenes.catalog import current


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("script")
def script(scenes, target, media, lecture_id) -> None:
    """The narration script of SCENES (or all), beat by beat, as Markdown: to read from while
    recording, and to edit and pass back with `--script FILE`."""
    if lecture_id == ALL_LECTURES:
        raise UserError(f"--lecture {ALL_LECTURES}: a script is one lecture's; name one of {', '.join(current().lecture_by_id)}")
    lecture = lecture_from({"lecture_id": lecture_id})
    ids = resolve_scenes(scenes, lecture)
    text = to_markdown(lecture.title, [scene_script(i) for i in ids], media)
    if target is None:
        click.echo(text)
    else:
        click.echo(f"wrote {write_text_atomic(target, text)}")
