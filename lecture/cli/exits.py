"""How the command ends: one line and exit status 2 for bad input, 1 for a failed render, 128 + the signal
for a stop signal (every render stopped first), and no interpreter teardown."""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

import click

from lecture import UserError
from lecture.cli.app import RenderFailed, cli
from lecture.manim_compat import run_exit_handlers
from lecture.render import progress


class Aborted(BaseException):
    """A stop signal (SIGTERM, SIGHUP) arrived: every render stopped, one line, exit status 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


class Interrupted(Aborted, KeyboardInterrupt):
    """SIGINT: as Ctrl-C always was (exit status 130; `watch` stops watching), and the renders stopped."""


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
ABORT_DEADLINE_S = 5.0  # if the unwinding after a stop signal has not exited by then, exit anyway


def on_stop_signal(signum: int, frame) -> None:
    """Stop the renders at once (they publish nothing more), then unwind the command with `Aborted`.
    A second signal while that happens changes nothing; a watchdog exits if it hangs."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    line = f"lecture: aborted by {signal.Signals(signum).name}\n".encode()

    def watchdog() -> None:
        time.sleep(ABORT_DEADLINE_S)
        with contextlib.suppress(OSError):
            os.write(2, line)
        os._exit(128 + signum)

    threading.Thread(target=watchdog, name="abort-watchdog", daemon=True).start()
    render = sys.modules.get("lecture.render.pool")
    if render is not None:
        render.stop_renders()
    raise (Interrupted if signum == signal.SIGINT else Aborted)(signum)


def main() -> None:
    """Entry point: one line and exit status 2 for bad input, never a traceback."""
    progress.quiet_foreign_bars()
    for sig in STOP_SIGNALS:
        signal.signal(sig, on_stop_signal)
    try:
        code = run_command()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, (int, type(None))):
            click.echo(str(done.code), err=True)
    except Aborted as err:  # arrived after the command had finished
        code = aborted(err)
    exit_without_teardown(code)


def aborted(err: Aborted) -> int:
    with contextlib.suppress(OSError):
        os.write(2, f"lecture: aborted by {err.name}\n".encode())
    return 128 + err.signum


def run_command() -> int:
    try:
        cli.main(standalone_mode=False)
    except UserError as err:
        click.echo(f"lecture: error: {err}", err=True)
        return 2
    except click.exceptions.NoArgsIsHelpError as err:
        click.echo(err.format_message())
    except click.UsageError as err:
        click.echo(f"lecture: error: {err.format_message()}", err=True)
        return 2
    except click.Abort as err:  # click's name for Ctrl-C (and EOF at a prompt)
        if isinstance(err.__cause__, Aborted):
            return aborted(err.__cause__)
        click.echo("aborted", err=True)
        return 130
    except Aborted as err:
        return aborted(err)
    except RenderFailed as err:
        click.echo(f"lecture: error: {err}", err=True)
        return 1
    return 0


def exit_without_teardown(code: int) -> None:
    """Exit once Python's own exit handlers have run, skipping the interpreter's teardown: freeing
    torch's and manim's modules object by object took 1.1 s of a 5 s preview (measured), and the
    operating system frees the memory at once. Every file this tool writes is closed by then."""
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (`lecture list | head -1`)
            pass
    os._exit(code)
