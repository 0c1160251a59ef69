"""Renders on a Dask cluster (`--scheduler tcp://HOST:8786`): `ClusterPool` is `lecture.render`'s pool
for a cluster, beside the local one, so the cache check, the order (longest first) and the progress
stay `render_jobs`' own.

Each job is one Dask task (`render_task`). On the worker it renders in a process of its own, started
by that worker's render server (`lecture.render.host`, one per task slot), into a temporary folder,
its TeX and text caches in the worker's cache folder (LECTURE_WORKER_CACHE, default
~/.cache/lecture/worker: kept, so LaTeX is warm the next time); the task returns the clip, sidecar,
captions, poster and slide files as bytes, and this process publishes them as a local render does:
every file of a clip at once, atomically, the sidecar last.

Before the first task, every worker must run the same code (`code_fingerprint`) and the same project,
manim, torch and av versions (one line naming the worker otherwise). A worker that dies mid-task is
Dask's to handle: the task runs again on another (at most `distributed.scheduler.allowed-failures`
times, 3 by default); a render process killed on a live worker (the kernel's OOM killer) is tried
again `RETRIES` times.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, replace
from importlib import metadata
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from lecture import UserError
from lecture.cluster.probe import check_scheduler
from lecture.output.publish import published_together, stop_publishing, write_atomic
from lecture.render.errors import cause_in_words, failed
from lecture.render.jobs import ROOT, Job, Outcome, code_fingerprint
from lecture.render.pool import STOP_HOOKS, encoder_threads_for

CONNECT_TIMEOUT_S = 3  # an address with nothing listening fails after this long
RETRIES = 2  # a render process lost on a live worker (killed) is tried this many times more
VERSIONED = ("lecture-clips", "manim", "torch", "av")  # and the code itself (its fingerprint)
WORKER_CACHE = "LECTURE_WORKER_CACHE"  # where a worker keeps its scenes' TeX and text caches
DASK_MALLOC = "MALLOC_TRIM_THRESHOLD_"  # set by Dask's nanny for its worker; never for a render


class RenderLost(Exception):
    """A render process ended without a result (killed): Dask runs the task again (`RETRIES`)."""


class RenderCancelled(Exception):
    """The client cancelled the task (Ctrl-C) while it rendered: the render was stopped."""


# --- on the client ----------------------------------------------------------------------------------


def connect(address: str):
    """A Dask client of the scheduler at `address`, or one line (UserError) within a few seconds."""
    check_scheduler(address, CONNECT_TIMEOUT_S)  # what answers there, in one line, before Dask reads it (or loads)
    from distributed import Client  # Dask (about 1 s): once the address has answered

    quiet = logging.getLogger("distributed")
    level, quiet.level = quiet.level, logging.CRITICAL  # its own log of the failed attempt is not for the user
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        reason = str(err).splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(f"--scheduler {address}: no Dask scheduler answers there ({reason}); "
                        "start one with `dask scheduler` and give its address, e.g. tcp://HOST:8786") from None
    finally:
        quiet.level = level


def worker_facts() -> dict[str, Any]:
    """Run on each worker (`Client.run`): what must equal the client's, and its machine's cores."""
    return {"code": code_fingerprint(), "versions": versions(), "cores": os.cpu_count() or 1, "host": socket.gethostname()}


def versions() -> dict[str, str]:
    found = {}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def mismatch(address: str, theirs: dict[str, Any], ours: dict[str, Any]) -> str | None:
    """One line naming the worker and what differs, or None when it runs what this machine runs."""
    differing = [f"{name} {theirs['versions'][name]} (here {ours['versions'][name]})"
                 for name in VERSIONED if theirs["versions"].get(name) != ours["versions"][name]]
    if theirs["code"] != ours["code"]:
        differing.append(f"project code {theirs['code'][:12]} (here {ours['code'][:12]})")
    if not differing:
        return None
    return (f"worker {address} runs {', '.join(differing)}: install the same checkout with the same pins on every "
            "worker (`make setup`) and restart it")


@dataclass(frozen=True)
class Workers:
    """The cluster's workers as checked: x264 threads per render on each (its machine's cores over the
    task slots on that machine, as `--jobs` does locally), and how many renders run at once."""
    encoder_threads: dict[str, int]
    slots: int


def check_workers(client) -> Workers:
    """Every worker runs this machine's code and versions, or a UserError naming the first that does not."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError):
        raise UserError(f"the scheduler {client.scheduler.address} has no workers; start some with "
                        f"`dask worker {client.scheduler.address} --nworkers N --nthreads 1`") from None
    ours = worker_facts()
    facts = client.run(worker_facts)
    for address, theirs in sorted(facts.items()):
        problem = mismatch(address, theirs, ours)
        if problem:
            raise UserError(problem)
    info = client.scheduler_info(n_workers=-1)["workers"]
    slots_on: dict[str, int] = {}
    for address, worker in info.items():
        slots_on[worker["host"]] = slots_on.get(worker["host"], 0) + worker["nthreads"]
    threads = {address: encoder_threads_for(slots_on[worker["host"]], facts.get(address, ours)["cores"])
               for address, worker in info.items()}
    return Workers(threads, sum(worker["nthreads"] for worker in info.values()))


class ClusterPool:
    """`lecture.render.pool.RenderPool` on a Dask cluster: one task per job; the files come back as bytes and
    are published here. Progress arrives as Dask events on a topic of this run's own."""

    def __init__(self, address: str) -> None:
        self.client = connect(address)
        try:
            self.workers = check_workers(self.client)
        except BaseException:
            self.client.close()
            raise
        self.topic = f"lecture-progress-{uuid.uuid4().hex}"
        self.listeners: dict[str, Callable[[str, int], None]] = {}
        self.tasks: list = []
        self.stopped = False
        self.client.subscribe_topic(self.topic, self.heard)
        STOP_HOOKS.append(self.stop)

    def heard(self, event: tuple[float, Any]) -> None:
        token, kind, frames = event[1]
        listener = self.listeners.get(token)
        if listener is not None:
            listener(kind, frames)

    def submit(self, job: Job, cache_dir: Path, events: Callable[[str, int], None]) -> Future:
        token = uuid.uuid4().hex
        self.listeners[token] = events
        task = self.client.submit(render_task, job, str(cache_dir), self.topic, token, self.workers.encoder_threads,
                                  key=f"render-{job.scene}-{job.quality.folder}-{token[:8]}", pure=False, retries=RETRIES)
        self.tasks.append(task)
        result: Future = Future()

        def finished(done) -> None:
            try:
                result.set_result(self.collect(done, job, cache_dir, token))
            except BaseException as err:  # noqa: BLE001 - render_jobs must hear of it, not wait for ever
                result.set_exception(err)

        task.add_done_callback(finished)
        return result

    def collect(self, task, job: Job, cache_dir: Path, token: str) -> Outcome:
        """The task's outcome, its files published into `job.out_dir` (in Dask's callback thread)."""
        self.listeners.pop(token, None)
        started = time.perf_counter()
        try:
            if self.stopped or task.status == "cancelled":
                return Outcome(job, False, 0.0, error="stopped")
            answer = task.result()
        except Exception as err:  # noqa: BLE001 - a lost worker (KilledWorker), a render process lost too often
            return failed(job, started, cache_dir, repr(err), f"on the cluster: {cause_in_words(err)}")
        remote: Outcome = answer["outcome"]
        if not remote.ok:
            cause = remote.error.split(" (full log: ")[0].split(" (no log: ")[0]
            return replace(failed(job, started, cache_dir, answer["log"], f"{cause} (on worker {answer['worker']})"),
                           seconds=remote.seconds)
        try:
            files = publish_answer(job, cache_dir, answer)
        except Exception as err:  # noqa: BLE001 - a full disk here: the scene fails, in one line
            return failed(job, started, cache_dir, traceback.format_exc(), cause_in_words(err))
        return Outcome(job, True, remote.seconds, files, frames=remote.frames)

    def stop(self) -> None:
        """Cancel every task; from now on this process publishes nothing (a publish under way is cut off
        whole: its temporary files are removed)."""
        if self.stopped:
            return
        self.stopped = True
        stop_publishing()
        with contextlib.suppress(Exception):
            self.client.cancel(self.tasks, force=True)

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            STOP_HOOKS.remove(self.stop)
        with contextlib.suppress(Exception):
            self.client.unsubscribe_topic(self.topic)
        self.client.close()


def publish_answer(job: Job, cache_dir: Path, answer: dict[str, Any]) -> list[str]:
    """Write what a task returned: the slide videos into this machine's cache (where the published
    slides config points), then the clip's files into `job.out_dir`, together, as a local render does."""
    def write(target: Path, data: bytes) -> Path:
        return write_atomic(target, lambda tmp: Path(tmp).write_bytes(data))

    for relative, data in answer["cache_files"]:
        write(cache_dir / relative, data)
    out = job.out_dir
    published = []
    for name, contents in answer["folders"]:  # a PNG sequence: the whole folder replaced at once
        temporary = out / f".{name}.{os.getpid()}.part"
        for relative, data in contents:
            (temporary / relative).parent.mkdir(parents=True, exist_ok=True)
            (temporary / relative).write_bytes(data)
        shutil.rmtree(out / name, ignore_errors=True)
        os.replace(temporary, out / name)
        published.append(out / name)
    with published_together(out):
        for name, data in answer["files"]:
            published.append(write(out / name, data))
    return [str(path) for path in published]


def open_pool(address: str, jobs: list[Job]) -> ClusterPool:
    """The cluster's pool for `jobs`, refusing what only this machine has (a voice's recordings)."""
    if any(job.voice_digest and os.sep in job.voice for job in jobs):
        raise UserError("--voice DIR: the recordings are on this machine, not on the cluster's workers; "
                        "render a recorded narration without --scheduler")
    return ClusterPool(address)


# --- on a worker -------------------------------------------------------------------------------------


def worker_cache() -> Path:
    path = Path(os.environ.get(WORKER_CACHE) or Path.home() / ".cache" / "lecture" / "worker")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Host:
    """One `lecture.render.host` process, started without Dask's MALLOC_TRIM_THRESHOLD_ and with this
    checkout first on its path (it runs the code this worker was checked with)."""

    def __init__(self, cache: Path) -> None:
        ours, theirs = socket.socketpair()
        environment = {k: v for k, v in os.environ.items() if k != DASK_MALLOC}
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
        environment.setdefault("PYTHONHASHSEED", "0")  # frames equal to a local render's (lecture.render.pool.forkserver_context)
        with open(cache / "render-host.log", "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "lecture.render.host", str(theirs.fileno())],
                                            pass_fds=[theirs.fileno()], env=environment, cwd=cache,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        theirs.close()
        self.conn = Connection(ours.detach())

    def render(self, job: Job, cache: Path, encoder_threads: int, on_frames: Callable[[int], None],
               cancelled: Callable[[], bool]) -> Outcome:
        """The outcome of `job`; if the task is cancelled meanwhile, the server is ended, and the render
        with it (it stops when the server does, removing its temporary files)."""
        try:
            self.conn.send((job, str(cache), encoder_threads))
            while True:
                while not self.conn.poll(0.5):
                    if cancelled():
                        self.process.terminate()
                        raise RenderCancelled(job.scene)
                answer = self.conn.recv()
                if answer[0] != "frames":
                    return answer[1]
                on_frames(answer[1])
        except (EOFError, OSError):
            raise RenderLost(f"the render server on this worker ended (exit status {self.process.poll()})") from None

    def close(self) -> None:
        self.conn.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


_idle_hosts: list[Host] = []  # render servers of this worker process not rendering now
_hosts_lock = threading.Lock()


def take_host(cache: Path) -> Host:
    with _hosts_lock:
        while _idle_hosts:
            host = _idle_hosts.pop()
            if host.process.poll() is None:
                return host
            host.conn.close()
    return Host(cache)


def render_task(job: Job, client_cache: str, topic: str, token: str, encoder_threads: dict[str, int]) -> dict[str, Any]:
    """The Dask task: render `job` on this worker into a temporary folder and return its files as bytes,
    with the outcome; progress goes to `topic` as [token, "start" | "frames", frames]."""
    from distributed import get_worker  # on a Dask worker, where it is loaded; not on import of this module

    worker = get_worker()
    key = worker.get_current_task()

    def cancelled() -> bool:  # the client let go of the task (Ctrl-C): Dask does not stop a running task itself
        task = worker.state.tasks.get(key)
        return task is None or task.state in ("cancelled", "released", "forgotten")

    def say(kind: str, frames: int = 0) -> None:
        worker.log_event(topic, [token, kind, frames])

    cache = worker_cache()
    (cache / "tasks").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{job.scene}-", dir=cache / "tasks"))
    host = take_host(cache)
    try:
        say("start")
        outcome = host.render(replace(job, out_dir=work), cache, encoder_threads.get(worker.address, 1),
                              lambda frames: say("frames", frames), cancelled)
        if outcome.lost:
            raise RenderLost(f"{outcome.error.split(' (full log: ')[0]} (on worker {worker.address})")
        with _hosts_lock:
            _idle_hosts.append(host)
        host = None
        return answer_of(outcome, work, cache, Path(client_cache), worker.address)
    finally:
        if host is not None:
            host.close()
        shutil.rmtree(work, ignore_errors=True)


def answer_of(outcome: Outcome, work: Path, cache: Path, client_cache: Path, address: str) -> dict[str, Any]:
    """What the client needs of a finished render: its files' bytes (the slides config pointing at the
    client's cache, where the slide videos it names are written), or the failed render's log."""
    answer: dict[str, Any] = {"outcome": outcome, "worker": address, "files": [], "folders": [], "cache_files": [], "log": ""}
    if not outcome.ok:
        with contextlib.suppress(OSError):
            answer["log"] = (cache / outcome.job.scene / "last-error.log").read_text(errors="replace")
        return answer
    for path in map(Path, outcome.files):
        if path.is_dir():
            answer["folders"].append((path.name, [(str(f.relative_to(path)), f.read_bytes())
                                                  for f in sorted(path.rglob("*")) if f.is_file()]))
        elif path.name.endswith(".slides.json"):
            answer["files"].append((path.name, slides_for_client(path, cache, client_cache, answer["cache_files"])))
        else:
            answer["files"].append((path.name, path.read_bytes()))
    return answer


def slides_for_client(config: Path, cache: Path, client_cache: Path, cache_files: list) -> bytes:
    """manim-slides' config with every slide video it names moved from this worker's cache to the same
    place in the client's; the videos are added to `cache_files`."""
    data = json.loads(config.read_text())
    for slide in data.get("slides", []):
        for key in ("file", "rev_file"):
            if slide.get(key):
                relative = Path(slide[key]).resolve().relative_to(cache.resolve())
                cache_files.append((str(relative), Path(slide[key]).read_bytes()))
                slide[key] = str(client_cache / relative)
    return json.dumps(data, indent=2).encode()
