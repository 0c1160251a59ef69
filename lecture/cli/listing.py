"""`lecture list`: every lecture's scenes and own options, with what the last render of each scene says;
a lecture folder that is broken is a line on standard error (and exit status 2, after the rest)."""
from __future__ import annotations

import json

import click

from lecture import UserError
from lecture.cli.app import cli
from lecture.options.table import DEFAULT_OUT, options_for, own_options
from scenes.catalog import Lecture, current


@cli.command("list")
@options_for("list")
def list_scenes() -> None:
    """List every lecture: its scenes (id, title, sections and approximate duration) and its own options."""
    catalog = current()
    problems = list(catalog.problems)
    for number, lecture in enumerate(catalog.lectures):
        click.echo(("\n" if number else "") + f"{lecture.title} (--lecture {lecture.id})")
        rows = [("id", "title", "sections", "duration")]
        for info, flag in [*((s, "") for s in lecture.scenes), *((s, " (extra)") for s in lecture.extras)]:
            rows.append((info.id, info.title + flag, *last_render_summary(info.id)))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            click.echo("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        try:
            options = own_options_lines(lecture)
        except UserError as err:
            problems.append(str(err))
            continue
        if options:
            click.echo("  its options:")
            for line in options:
                click.echo(f"    {line}")
    if problems:  # after the lectures that are fine: each on a line, exit status 2
        for problem in problems[:-1]:
            click.echo(f"lecture: error: {problem}", err=True)
        raise UserError(problems[-1])


def own_options_lines(lecture: Lecture) -> list[str]:
    """`--flag` or `--set NAME=VALUE`, default and help of each of the lecture's own options."""
    given = [f"--{row.flag} VALUE" if row.flag else f"--set {row.name}=VALUE" for row in lecture.own_options]
    width = max(map(len, given), default=0)
    return [f"{flag.ljust(width)}  {option.help}" + (f" (default {json.dumps(row.default)})" if row.default is not None else "")
            for flag, row, option in zip(given, lecture.own_options, own_options(lecture).values())]


def last_render_summary(scene_id: str) -> tuple[str, str]:
    """Sections and duration from the newest sidecar of this scene under media/, if any."""
    sidecars = sorted(DEFAULT_OUT.glob(f"*/{scene_id}.json"), key=lambda p: p.stat().st_mtime)
    if not sidecars:
        return "-", "not rendered yet"
    data = json.loads(sidecars[-1].read_text())
    return ", ".join(s["name"] for s in data.get("sections", [])), f"~{data.get('duration_s', 0):.0f} s"
