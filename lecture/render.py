"""Render scenes in parallel worker processes, skipping those whose output is already up to date."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from lecture.options import Quality
from scenes.params import LectureParams

ROOT = Path(__file__).resolve().parents[1]
CODE_FOLDERS = ("engine", "scenes")
PACKAGES = ("manim", "manim-slides", "torch", "numpy", "av", "pillow")


@dataclass(frozen=True)
class Job:
    scene: str
    quality: Quality
    format: str  # mp4 webm gif mov png, or "still" (last frame only, for previews)
    transparent: bool
    params: LectureParams
    out_dir: Path

    @property
    def cache_key(self) -> str:
        return cache_key(self)

    def payload(self, cache_dir: Path) -> dict:
        return {"scene": self.scene, "quality": self.quality.folder, "width": self.quality.width,
                "height": self.quality.height, "fps": self.quality.fps, "format": self.format,
                "transparent": self.transparent, "params": self.params.to_json(),
                "out_dir": str(self.out_dir), "cache_dir": str(cache_dir), "cache_key": self.cache_key}


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
    digest.update((ROOT / "lecture" / "worker.py").read_bytes())
    for package in PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


_FINGERPRINT: str | None = None


def cache_key(job: Job) -> str:
    global _FINGERPRINT
    _FINGERPRINT = _FINGERPRINT or code_fingerprint()
    options = json.dumps([job.scene, job.quality.folder, job.format, job.transparent, job.params.to_json(), _FINGERPRINT])
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


def run_job(job: Job, cache_dir: Path) -> Outcome:
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "lecture.worker", json.dumps(job.payload(cache_dir))]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cache_dir)
    seconds = time.perf_counter() - started
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return Outcome(job, True, seconds, json.loads(line[7:])["files"])
    log = cache_dir / job.scene / "last-error.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(proc.stdout + proc.stderr)
    return Outcome(job, False, seconds, error=f"{last_error_line(proc.stderr)} (full log: {log})")


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

    def one(job: Job) -> Outcome:
        cached = up_to_date(job) if use_cache else None
        if cached:
            outcome = Outcome(job, True, 0.0, cached, cached=True)
        else:
            report("start", Outcome(job, True, 0.0))
            outcome = run_job(job, cache_dir)
        report("done", outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:  # threads only wait on processes
        return list(pool.map(one, jobs))
