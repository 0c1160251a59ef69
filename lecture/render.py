"""Render scenes in parallel worker processes, skipping those whose output is already up to date.

Each render runs in a process of its own (manim's config is one global), forked from a server that
has already imported manim and torch, longest scene first. A single still for `lecture preview` is
rendered in the CLI's own process instead: starting a second one would cost more than the render.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from lecture.options import Quality
from scenes.catalog import BY_ID
from scenes.params import LectureParams

ROOT = Path(__file__).resolve().parents[1]
CODE_FOLDERS = ("engine", "scenes")
DRAWING_MODULES = ("worker", "renderer", "layers", "fades", "encoding", "svgcache")  # lecture/ modules that change frames
SOUND_MODULES = ("audio", "narrator", "pronounce", "voices")  # and those that change the sound
PACKAGES = ("manim", "manim-slides", "torch", "numpy", "av", "pillow")
# Imported once by the fork server; every render process is forked from it with these loaded (about
# 4 s per scene otherwise; torch._dynamo alone is 1.8 s, pulled in by the first torch.optim optimizer).
# Only third-party code: the lecture's own modules are imported fresh in each render, so edits count.
PRELOAD = ["manim", "manim_slides", "manim_slides.slide", "torch", "torch._dynamo", "torch.optim"]


@dataclass(frozen=True)
class Job:
    scene: str
    quality: Quality
    format: str  # mp4 webm gif mov png, or "still" (last frame only, for previews)
    transparent: bool
    params: LectureParams
    out_dir: Path
    voice: str = "none"  # `--voice` as given (lecture.voices): none, joe, a model, recordings[,fallback]
    script: tuple[tuple[str, str], ...] = ()  # (beat, narration) the lecturer's script gives this scene
    voice_digest: str = ""  # the recordings' or the model's content, for the cache key

    @property
    def cache_key(self) -> str:
        return cache_key(self)

    def payload(self, cache_dir: Path, encoder_threads: int = 0) -> dict:
        """What a render process needs; `encoder_threads` 0 lets x264 choose (one per core and more)."""
        return {"scene": self.scene, "quality": self.quality.folder, "width": self.quality.width,
                "height": self.quality.height, "fps": self.quality.fps, "format": self.format,
                "transparent": self.transparent, "params": self.params.to_json(),
                "out_dir": str(self.out_dir), "cache_dir": str(cache_dir), "cache_key": self.cache_key,
                "encoder_threads": encoder_threads, "voice": self.voice, "script": dict(self.script)}


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    files: list[str] = field(default_factory=list)
    cached: bool = False
    error: str = ""


def code_fingerprint() -> str:
    """A hash of every source file that can change a frame, and the versions of the packages that draw it."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    for module in DRAWING_MODULES + SOUND_MODULES:
        digest.update((ROOT / "lecture" / f"{module}.py").read_bytes())
    for package in PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


_FINGERPRINT: str | None = None


def cache_key(job: Job) -> str:
    global _FINGERPRINT
    _FINGERPRINT = _FINGERPRINT or code_fingerprint()
    options = json.dumps([job.scene, job.quality.folder, job.format, job.transparent, job.params.to_json(), _FINGERPRINT,
                          job.voice, job.script, job.voice_digest])
    return hashlib.sha256(options.encode()).hexdigest()[:32]


def up_to_date(job: Job) -> list[str] | None:
    """The files of a previous render with the same key, if they are all still there."""
    sidecar = job.out_dir / f"{job.scene}.json"
    try:
        data = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return None
    files = [job.out_dir / name for name in data.get("files", [])]
    if data.get("cache_key") != job.cache_key or not files or not all(f.exists() for f in files):
        return None
    return [str(f) for f in files + [sidecar]]


def run_forked(job: Job, cache_dir: Path, pool: ProcessPoolExecutor, encoder_threads: int = 0) -> Outcome:
    """One render in a process forked from the pool's server, its output in the scene's render.log."""
    from concurrent.futures.process import BrokenProcessPool

    from lecture import worker

    started = time.perf_counter()
    log = cache_dir / job.scene / "render.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        files = pool.submit(worker.render_forked, job.payload(cache_dir, encoder_threads), str(log)).result()
    except BrokenProcessPool:
        files = None
    if files is not None:
        return Outcome(job, True, time.perf_counter() - started, files)
    text = log.read_text(errors="replace") if log.exists() else ""
    return failed(job, started, cache_dir, text or "the render process died")


def run_here(job: Job, cache_dir: Path) -> Outcome:
    """One render in this process: for a single still (a preview), where a second process would cost
    more than the render. Only once per process: manim's config and the scene modules stay loaded."""
    import traceback

    from lecture import worker

    started = time.perf_counter()
    cached = up_to_date(job)
    if cached:
        return Outcome(job, True, 0.0, cached, cached=True)
    try:
        files = worker.render(job.payload(cache_dir))["files"]
    except Exception:  # noqa: BLE001 - any failure of the scene is reported with its log
        return failed(job, started, cache_dir, traceback.format_exc())
    return Outcome(job, True, time.perf_counter() - started, files)


def failed(job: Job, started: float, cache_dir: Path, output: str) -> Outcome:
    log = cache_dir / job.scene / "last-error.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(output)
    return Outcome(job, False, time.perf_counter() - started, error=f"{last_error_line(output)} (full log: {log})")


def render_pool(workers: int) -> ProcessPoolExecutor:
    """At most `workers` render processes, each used once, forked from a server that preloaded PRELOAD:
    separate processes (manim's config is one global) without paying the imports in each."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=forkserver_context(), max_tasks_per_child=1)


def start_render_server() -> None:
    """Start the fork server now rather than at the first render: it imports PRELOAD (about 5 s) in its
    own process while this one gets on (checking the options loads torch here too: on 2 cores, the
    renders start about 2.5 s sooner)."""
    forkserver_context()
    multiprocessing.forkserver.ensure_running()


def forkserver_context() -> multiprocessing.context.ForkServerContext:
    # The server starts with this environment: one hash seed makes renders repeatable (manim's
    # TransformMatchingTex pairs parts in set order, so mid-transform frames varied run to run).
    os.environ.setdefault("PYTHONHASHSEED", "0")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def last_error_line(stderr: str) -> str:
    if "latex" in stderr.lower() and ("not found" in stderr.lower() or "No such file" in stderr):
        return "LaTeX failed or is missing; run `lecture doctor` to see what to install"
    lines = [l.strip(" │") for l in stderr.splitlines() if l.strip(" │")]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line.strip()
    return lines[-1].strip() if lines else "the render process failed"


def render_jobs(jobs: list[Job], cache_dir: Path, workers: int, use_cache: bool = True,
                report: Callable[[str, Outcome | None], None] = lambda event, outcome: None) -> list[Outcome]:
    """Run jobs, at most `workers` at once; `report("start"|"done", outcome)` follows along."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(workers, len(jobs)))
    # Renders side by side share the cores: x264's threads per encoder (it starts more than one per
    # core) cost more in switching than they give. One thread on each of 2 cores: 20% less encoding CPU.
    encoder_threads = 0 if workers == 1 else max(1, (os.cpu_count() or 1) // workers)
    pool = None

    def one(job: Job) -> Outcome:
        cached = up_to_date(job) if use_cache else None
        if cached:
            outcome = Outcome(job, True, 0.0, cached, cached=True)
        else:
            report("start", Outcome(job, True, 0.0))
            outcome = run_forked(job, cache_dir, pool, encoder_threads)
        report("done", outcome)
        return outcome

    # A thread per worker submits one job at a time, so "start" is reported when a render really starts;
    # the longest renders go first, so the workers finish together (the last one does not run alone).
    longest_first = sorted(jobs, key=lambda job: -BY_ID[job.scene].cost)
    with render_pool(workers) as pool, ThreadPoolExecutor(max_workers=workers) as threads:
        outcomes = dict(zip(map(id, longest_first), threads.map(one, longest_first)))
    return [outcomes[id(job)] for job in jobs]
