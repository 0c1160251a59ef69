"""A render server for one task slot of a Dask worker: `python -m lecture.render.host FD`.

`lecture.cluster.pool`'s task starts one per slot, the first time it renders there, and sends it one job
at a time over the socket FD; it renders each as `lecture render` does on its own machine
(`lecture.render.pool.run_forked`: a process per render, forked from a server that has imported manim
and torch) and answers with ("frames", n) as it draws and ("done", outcome) at the end.

Why a process of its own and not the Dask worker's: the worker's environment carries Dask's
MALLOC_TRIM_THRESHOLD_ (its nanny sets it), which doubled a manim render's time (measured), so this
process starts without it and so do the renders forked from its server; and Dask's worker is a
daemon process, which multiprocessing does not let have children. It stops, and its renders with it,
when the worker that started it ends, however it ends.
"""
from __future__ import annotations

import contextlib
import os
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from lecture.render import pool as render
from lecture.render.lifeline import on_end


def stop_with_parent() -> None:
    """When the Dask worker (this process's parent) ends, stop every render this process started (they
    remove their temporary files) and exit."""
    def stop() -> None:
        render.stop_renders()
        os._exit(1)

    on_end(os.getppid(), stop, "parent-watch")


def serve(conn: Connection) -> None:
    """Render the jobs that arrive, one at a time, until the other end closes."""
    render.start_render_server(narrated=True)  # it lives as long as its worker slot, narrated jobs or not
    while True:
        try:
            job, cache_dir, encoder_threads = conn.recv()
        except (EOFError, OSError):
            return
        outcome = render.run_forked(job, Path(cache_dir), encoder_threads, lambda frames: conn.send(("frames", frames)))
        conn.send(("done", outcome))


def main() -> None:
    conn = Connection(int(sys.argv[1]))
    stop_with_parent()
    try:
        serve(conn)
    finally:
        with contextlib.suppress(Exception):
            render.stop_renders()
        os._exit(0)


if __name__ == "__main__":
    main()
