"""The CLI run in this test's process through its own entry (`lecture.cli.exits.run_command`): for checks
that end before any work starts (bad input), where a fresh process per case would cost a second each."""
from __future__ import annotations

import contextlib
import io
import os
import sys

from lecture.cli import exits


def run(*args: str) -> tuple[int, str]:
    """`lecture ARGS` as a user runs it: the exit status and what it wrote to stderr."""
    err = io.StringIO()
    saved = sys.argv
    sys.argv = ["lecture", *args]
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = exits.run_command()
    finally:
        sys.argv = saved
    return code, err.getvalue()


def run_in(folder, *args: str) -> tuple[int, str]:
    """`run(ARGS)` with `folder` as the working directory (where the CLI reads ./lecture.toml), restored after."""
    saved = os.getcwd()
    os.chdir(folder)
    try:
        return run(*args)
    finally:
        os.chdir(saved)
