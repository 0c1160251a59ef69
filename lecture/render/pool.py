"""Render scenes in parallel worker processes, skipping those whose output is already up to date.

Each render runs in a process of its own (manim's config is one global), forked from a server that
has already imported manim and torch, longest scene first. A single still for `lecture preview` is
rendered in the CLI's own process instead: starting a second one would cost more than the render.

Stopping: `stop_renders` (the CLI calls it on SIGTERM, SIGHUP and SIGINT) stops every render this
process started, and they publish nothing afterwards; a render process also stops by itself when
this process ends, however it ends (see `lecture.render.worker.stop_with`). The fork server and the
resource tracker run with their standard streams on /dev/null: they must not hold the pipes of
whoever started `lecture` after it has gone.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Callable, Protocol

from lecture import manim_compat
from lecture.render.errors import cause_in_words, failed, process_end
from lecture.render.jobs import Job, Outcome, up_to_date
from scenes.catalog import current

# Imported once by the fork server; every render process is forked from it with these loaded (about
# 4 s per scene otherwise; torch._dynamo alone is 1.8 s, pulled in by the first torch.optim optimizer).
# Only third-party code: the lecture's own modules are imported fresh in each render, so edits count.
PRELOAD = ["manim", "manim_slides", "manim_slides.slide", "torch", "torch._dynamo", "torch.optim"]
# A narrated render's too, when the server starts for one (`narrated`): the voice (piper, onnxruntime: the voice
# extra, skipped when not installed) and the loudness of its track (pyloudnorm, scipy). Measured in the studio's
# edit of one beat at a load of 9: their first import cost the render 10.9 s of its wall time (0.5 s on a quiet
# machine); preloaded for every server they would cost each silent command about 1.7 s of CPU (9.4 -> 11.0 s).
VOICE_PRELOAD = ["onnxruntime", "piper", "pyloudnorm", "scipy.ndimage", "scipy.signal"]


_stopping = threading.Event()
_running: dict = {}  # render processes started and not yet ended: their output folders
_running_lock = threading.Lock()
STOP_HOOKS: list[Callable[[], None]] = []  # what else `stop_renders` stops: a cluster's futures (lecture.cluster.pool)


FRAMES = "frames"  # tag of the render process's messages on the way: ("frames", frames drawn so far)


def run_forked(job: Job, cache_dir: Path, encoder_threads: int = 0,
               on_frames: Callable[[int], None] = lambda frames: None) -> Outcome:
    """One render in a process forked from the render server, its output in the scene's render.log (a
    draft's, `Job.draft`, in its draft.log); `on_frames` hears the frames drawn so far, after every play."""
    started = time.perf_counter()
    log = cache_dir / job.scene / ("draft.log" if job.draft else "render.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    context = forkserver_context(narrated=job.narrated)
    server_running()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=render_child, name=f"render {job.scene}",
                              args=(send, job.payload(cache_dir, encoder_threads), str(log), os.getpid()))
    with _running_lock:
        if _stopping.is_set():
            return Outcome(job, False, 0.0, error="stopped before it started")
        process.start()
        _running[process] = job.out_dir
    send.close()
    frames = 0
    try:
        while isinstance(result := receive.recv(), tuple) and result[0] == FRAMES:
            frames = result[1]
            on_frames(frames)
    except (EOFError, OSError):  # the process ended without a word: killed
        result = None
    finally:
        receive.close()
        process.join()
        with _running_lock:
            _running.pop(process, None)
    if result is not None and "files" in result:
        return Outcome(job, True, time.perf_counter() - started, result["files"], frames=frames)
    if result is not None:
        return failed(job, started, cache_dir, result.get("detail", ""), result["error"])
    text = ""
    with contextlib.suppress(OSError):
        text = log.read_text(errors="replace")
    return replace(failed(job, started, cache_dir, text, process_end(process.exitcode)), lost=True)


def render_child(send, payload: dict, log: str, caller: int) -> None:
    """In the render process: render, and send back what `lecture.render.worker.render_forked` returns."""
    if payload.get("draft"):  # one beat, small, from its kept state (the studio's narration save)
        from lecture.render import draft as worker  # imports manim: in the render process, after the fork
    else:
        from lecture.render import worker  # imports manim: in the render process, after the fork

    send.send(worker.render_forked(payload, log, caller, lambda frames: send.send((FRAMES, frames))))
    send.close()


def stop_renders(grace: float = 1.0) -> None:
    """Stop every render this process started, and start no more: SIGTERM (the render removes its
    temporary files and exits), SIGKILL after `grace` seconds; then remove what a killed one left."""
    _stopping.set()
    for hook in list(STOP_HOOKS):
        with contextlib.suppress(Exception):
            hook()
    with _running_lock:
        processes = dict(_running)
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                process.kill()
                process.join(0.5)
    for process, out_dir in processes.items():
        remove_temporaries(process, out_dir)
    stop_render_server()


def stop_render_server() -> None:
    """End the fork server now: on its own it ends when this process does, after a second or two of
    unloading torch and manim."""
    pid = manim_compat.forkserver_pid()
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def remove_temporaries(process, out_dir: Path) -> None:
    """The temporary files a killed render left in its output folder (named by `lecture.output.publish.temporary_prefix`)."""
    if process.pid is not None and process.exitcode is not None:
        with contextlib.suppress(OSError):
            for path in out_dir.glob(f".*.{process.pid}.*.part"):
                path.unlink(missing_ok=True)


def run_here(job: Job, cache_dir: Path) -> Outcome:
    """One render in this process: for a single still (a preview), where a second process would cost
    more than the render. Only once per process: manim's config and the scene modules stay loaded."""
    from lecture.render import worker  # imports manim: only when this process renders

    if not job.plain:
        manim_compat.require_written_for()
    started = time.perf_counter()
    cached = up_to_date(job)
    if cached:
        return Outcome(job, True, 0.0, cached, cached=True)
    try:
        files = worker.render(job.payload(cache_dir))["files"]
    except Exception as err:  # noqa: BLE001 - any failure of the scene is reported with its log
        return failed(job, started, cache_dir, traceback.format_exc(), cause_in_words(err))
    return Outcome(job, True, time.perf_counter() - started, files)


def start_render_server(narrated: bool, torch: bool = True) -> None:
    """Start the fork server now rather than at the first render: it imports PRELOAD (about 5 s; with
    `narrated`, VOICE_PRELOAD too) in its own process while this one gets on (checking the options loads
    torch here too: on 2 cores, the renders start about 2.5 s sooner). Without `torch` (only title cards
    to draw: `needs_torch`) the server imports manim alone: a title card's render 14.0 -> 8.9 s of CPU."""
    forkserver_context(narrated, torch)
    server_running()


def needs_torch(jobs) -> bool:
    """Whether a render of `jobs` may import torch: anything but a lecture's title card (scenes.kit.title draws
    the lecture's file with manim alone). Only what the server preloads depends on it, never what a render draws."""
    by_id = current().by_id
    return not all(job.scene in by_id and by_id[job.scene].cls == "TitleScene" and not by_id[job.scene].uses
                   for job in jobs)


def server_running() -> None:
    """The fork server and multiprocessing's resource tracker, started (once) with their standard streams
    on /dev/null: they inherit this process's otherwise, and would hold a caller's pipes open after
    `lecture` ended (`subprocess.run(capture_output=True)` waited for the render to finish)."""
    if manim_compat.forkserver_pid() and manim_compat.resource_tracker_pid():
        return  # running: the streams are not touched again (other threads may be printing progress)
    with standard_streams_on_null():
        multiprocessing.resource_tracker.ensure_running()
        multiprocessing.forkserver.ensure_running()


_streams_lock = threading.Lock()


@contextlib.contextmanager
def standard_streams_on_null():
    with _streams_lock:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()
        saved = [os.dup(fd) for fd in (0, 1, 2)]
        null = os.open(os.devnull, os.O_RDWR)
        try:
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            yield
        finally:
            for fd, copy in zip((0, 1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)
            os.close(null)


def forkserver_context(narrated: bool = False, torch: bool = True) -> multiprocessing.context.ForkServerContext:
    """The fork server's context; what it preloads counts only for the call that starts it."""
    # The server starts with this environment: one hash seed makes renders repeatable (manim's
    # TransformMatchingTex pairs parts in set order, so mid-transform frames varied run to run).
    os.environ.setdefault("PYTHONHASHSEED", "0")
    context = multiprocessing.get_context("forkserver")
    preload = PRELOAD if torch else [name for name in PRELOAD if not name.startswith("torch")]
    context.set_forkserver_preload(preload + (VOICE_PRELOAD if narrated else []))
    return context


class RenderPool(Protocol):
    """Where renders run: the local process pool (`LocalPool`) or a Dask cluster (`lecture.cluster.pool.ClusterPool`).
    `render_jobs` checks the cache, orders the jobs and reports; a pool only runs what it is given."""

    def submit(self, job: Job, cache_dir: Path, events: Callable[[str, int], None]) -> Future:
        """Start `job` (or queue it) and return a future of its `Outcome`, its files in `job.out_dir`
        once published; `events("start", 0)` when it really starts, `events("frames", n)` as it draws."""

    def stop(self) -> None:
        """Stop what runs and what waits (a stop signal): nothing more is published."""

    def close(self) -> None:
        """Release what the pool holds, once every future has its result."""


class LocalPool:
    """Renders on this machine: a thread per worker starts one render process at a time (`run_forked`),
    so "start" is reported when a render really starts."""

    def __init__(self, workers: int, encoder_threads: int) -> None:
        self.threads = ThreadPoolExecutor(max_workers=workers)
        self.encoder_threads = encoder_threads

    def submit(self, job: Job, cache_dir: Path, events: Callable[[str, int], None]) -> Future:
        return self.threads.submit(self.run, job, cache_dir, events)

    def run(self, job: Job, cache_dir: Path, events: Callable[[str, int], None]) -> Outcome:
        if _stopping.is_set():
            return Outcome(job, False, 0.0, error="stopped before it started")
        events("start", 0)
        return run_forked(job, cache_dir, self.encoder_threads, lambda frames: events("frames", frames))

    def stop(self) -> None:
        stop_renders()
        self.threads.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.threads.shutdown(wait=True)


def local_pool(jobs: list[Job], workers: int) -> LocalPool:
    """At most `workers` renders at once (no more than there are jobs)."""
    workers = max(1, min(workers, len(jobs)))
    # Renders side by side share the cores: x264's threads per encoder (it starts more than one per
    # core) cost more in switching than they give. One thread on each of 2 cores: 20% less encoding CPU.
    return LocalPool(workers, encoder_threads_for(workers))


def encoder_threads_for(renders_at_once: int, cores: int | None = None) -> int:
    """x264 threads per render when `renders_at_once` share a machine's `cores`; 0: x264 chooses."""
    return 0 if renders_at_once == 1 else max(1, (cores or os.cpu_count() or 1) // renders_at_once)


def render_jobs(jobs: list[Job], cache_dir: Path, workers: int, use_cache: bool = True,
                report: Callable[[str, Outcome | None], None] = lambda event, outcome: None,
                pool: RenderPool | None = None) -> list[Outcome]:
    """Run jobs, at most `workers` at once on this machine, or on `pool` (a Dask cluster's);
    `report("start"|"frames"|"done", outcome)` follows along ("frames": `outcome.frames` drawn so far).
    An up-to-date job is not sent to the pool at all. On a manim the seam was not written for, only
    `--plain` jobs run (ManimVersionError, one line, before any)."""
    if not all(job.plain for job in jobs):
        manim_compat.require_written_for()
    cache_dir.mkdir(parents=True, exist_ok=True)
    pool = pool or local_pool(jobs, workers)
    outcomes: dict[int, Outcome] = {}
    futures: dict[Future, Job] = {}

    def finished(outcome: Outcome) -> None:
        outcomes[id(outcome.job)] = outcome
        if not _stopping.is_set():  # a stopped render is not reported: the command says it was aborted
            report("done", outcome)

    def events(job: Job) -> Callable[[str, int], None]:
        started = time.perf_counter()

        def event(kind: str, frames: int) -> None:
            nonlocal started
            if _stopping.is_set():
                return
            if kind == "start":
                started = time.perf_counter()
                report("start", Outcome(job, True, 0.0))
            else:
                report("frames", Outcome(job, True, time.perf_counter() - started, frames=frames))
        return event

    # The longest renders go first, so the workers finish together (the last one does not run alone).
    try:
        for job in sorted(jobs, key=lambda job: -current().by_id[job.scene].cost):
            cached = up_to_date(job) if use_cache else None
            if cached:
                finished(Outcome(job, True, 0.0, cached, cached=True))
            else:
                futures[pool.submit(job, cache_dir, events(job))] = job
        for future in as_completed(futures):
            finished(future.result())
    except BaseException:  # a signal (the CLI's handler raised): stop the renders before waiting for them
        _stopping.set()
        pool.stop()
        raise
    pool.close()
    return [outcomes[id(job)] for job in jobs]
