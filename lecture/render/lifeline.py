"""Act when another process ends: a render process stops with the `lecture` command that asked for it and
with the fork server it was forked from; a cluster slot's render server (`host.py`) stops with its Dask
worker. One way to wait for both: a pidfd (readable once the process has ended), or, without pidfds
(before Linux 5.3), a poll.
"""
from __future__ import annotations

import os
import select
import threading
import time
from typing import Callable

POLL_S = 0.25  # how often a process is looked at where there are no pidfds


def alive(pid: int) -> bool:
    """Whether process `pid` exists (one of another user's counts: signalling it is refused, not missing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_for_end(pid: int) -> None:
    """Return once process `pid` has ended. This process's parent is watched by `getppid`, which changes
    when the parent ends, so a reused pid is never taken for it."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):  # no pidfds: polled
        handle = None
    if handle is not None:
        select.select([handle], [], [])
        os.close(handle)
        return
    parent = pid == os.getppid()
    while (os.getppid() == pid) if parent else alive(pid):
        time.sleep(POLL_S)


def on_end(pid: int, then: Callable[[], None], name: str) -> threading.Thread:
    """Call `then()` in a daemon thread called `name` when process `pid` ends (at once if it has)."""
    def watch() -> None:
        wait_for_end(pid)
        then()

    thread = threading.Thread(target=watch, name=name, daemon=True)
    thread.start()
    return thread
