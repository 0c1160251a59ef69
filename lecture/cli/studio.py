"""`lecture studio`: the local page to see, hear and change a lecture while writing it."""
from __future__ import annotations

import click

from lecture.cli.app import cli
from lecture.options.table import options_for
from lecture.output.publish import check_writable_dir


@cli.command()
@options_for("studio")
def studio(port, no_open, out) -> None:
    """A page on 127.0.0.1 to see, hear and change the lecture while writing it: each scene's player,
    its beats on a timeline, a storyboard, and a form of the options that change it (Render streams the
    progress). Edits under scenes/ and engine/ re-render the scenes they affect by themselves."""
    from lecture.studio.server import run  # the server, its state and the render machinery: only for the studio

    run(check_writable_dir(out).resolve(), port, open_browser=not no_open, echo=click.echo)
