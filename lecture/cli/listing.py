"""`lecture list`: every lecture's scenes, with what the last render of each says."""
from __future__ import annotations

import json

import click

from lecture.cli.app import cli
from lecture.options.table import DEFAULT_OUT
from scenes.catalog import current


@cli.command("list")
def list_scenes() -> None:
    """List the scenes of every lecture: id, title, sections and approximate duration."""
    for number, lecture in enumerate(current().lectures):
        click.echo(("\n" if number else "") + f"{lecture.title} (--lecture {lecture.id})")
        rows = [("id", "title", "sections", "duration")]
        for info, flag in [*((s, "") for s in lecture.scenes), *((s, " (extra)") for s in lecture.extras)]:
            rows.append((info.id, info.title + flag, *last_render_summary(info.id)))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            click.echo("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def last_render_summary(scene_id: str) -> tuple[str, str]:
    """Sections and duration from the newest sidecar of this scene under media/, if any."""
    sidecars = sorted(DEFAULT_OUT.glob(f"*/{scene_id}.json"), key=lambda p: p.stat().st_mtime)
    if not sidecars:
        return "-", "not rendered yet"
    data = json.loads(sidecars[-1].read_text())
    return ", ".join(s["name"] for s in data.get("sections", [])), f"~{data.get('duration_s', 0):.0f} s"
