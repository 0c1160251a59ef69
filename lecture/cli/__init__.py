"""The `lecture` command: the click group (`app`), a module per command, and how a run ends (`exits`)."""
from lecture.cli import check, doctor, listing, new, preview, render, script, slides, studio  # noqa: F401 (each adds its command)
from lecture.cli.app import cli
from lecture.cli.exits import main

__all__ = ["cli", "main"]
