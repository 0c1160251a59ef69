"""The `lecture` click group; each command is a module of this package that adds itself to it."""
from __future__ import annotations

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
def cli() -> None:
    """Render lectures (`lecture list`) as animated clips, narrated videos, slide decks and scripts.

    \b
    Examples:
      lecture video                                # the narrated lecture, media/480p15/lecture.mp4
      lecture list
      lecture render all -q h                      # the whole lecture at 1080p60
      lecture render gradient-descent --function "x**2 + 3*y**2" --start -2,2 --lr 0.1
      lecture preview backprop --storyboard        # every section's end frame in one PNG
    """


class RenderFailed(Exception):
    """A scene's render raised: reported with the log path, exit status 1."""


def all_rendered(outcomes: list) -> list:
    """`outcomes` when every render succeeded; else RenderFailed naming each scene that failed and why."""
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise RenderFailed("; ".join(f"{o.job.scene} failed: {o.error}" for o in failed))
    return outcomes
