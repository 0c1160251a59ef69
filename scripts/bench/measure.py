"""Running and timing commands for the benchmark: wall time and peak memory of a process, repeated values."""
from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable


ROOT = Path(__file__).resolve().parents[2]

PYTHON = sys.executable


PROCESS_TIMEOUT_S = 3600.0

MB = 1e6

@dataclass
class Stats:
    """Repeated measurements of one quantity."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def text(self, digits: int = 2) -> str:
        if not self.values:
            return "-"
        median = f"{self.median:.{digits}f}"
        if len(self.values) == 1:
            return median
        return f"{median} ({min(self.values):.{digits}f}–{max(self.values):.{digits}f})"

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "min": min(self.values, default=None), "max": max(self.values, default=None),
                "n": len(self.values), "values": self.values}

@dataclass
class Run:
    """One finished subprocess: exit status, wall time, peak memory, its output."""

    returncode: int
    wall_s: float
    max_rss_mb: float
    stdout: str
    stderr: str
    cpu_s: float = 0.0  # user + system of the process and the children it waited for (not the CLI's forked renders)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def result(self) -> dict[str, Any] | None:
        """The `RESULT {json}` line a worker prints when it succeeds."""
        for line in self.stdout.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT "):])
        return None

    def error(self) -> str:
        from lecture.render.errors import last_error_line

        return f"exit {self.returncode}: {last_error_line(self.stderr or self.stdout)}"

@dataclass
class Timing:
    """Repeated runs of one command."""

    name: str
    wall: Stats = field(default_factory=Stats)
    rss_mb: Stats = field(default_factory=Stats)
    cpu: Stats = field(default_factory=Stats)  # CPU seconds, where a section adds them up (the CLI's and its renders')
    video_s: float | None = None
    note: str = ""
    error: str = ""
    valid: bool = True  # False: the runs did not measure what the name says
    scenes: int = 1  # scenes the command renders

    def add(self, run: Run) -> Run:
        self.wall.values.append(run.wall_s)
        self.rss_mb.values.append(run.max_rss_mb)
        if not run.ok and not self.error:
            self.error = run.error()
        return run

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "wall_s": self.wall.to_json(), "max_rss_mb": self.rss_mb.to_json(), "cpu_s": self.cpu.to_json(),
                "video_s": self.video_s, "note": self.note, "error": self.error, "valid": self.valid,
                "scenes": self.scenes}

# Peak memory comes from `os.wait4` in a small launcher process, not in this one: Linux counts the
# memory a child inherits at fork in its max RSS (the hiwater mark survives exec), so a render forked
# from this process, which holds torch and decoded frames, would report at least this process's size.
LAUNCHER = """\
import os, sys, time
result, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(result, "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss} {time.perf_counter() - started} "
            f"{usage.ru_utime + usage.ru_stime}")
"""

def run_measured(cmd: list[str], cwd: Path, timeout_s: float = PROCESS_TIMEOUT_S) -> Run:
    """Run `cmd` in a process group of its own, through LAUNCHER: wall time from fork to reaping, and
    max RSS of the process or of any child it waited for (e.g. LaTeX, or the CLI's render workers)."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rusage") as result:
        started = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "-S", "-c", LAUNCHER, result.name, *cmd], cwd=cwd, env=env,
                                stdout=out, stderr=err, start_new_session=True)
        timer = threading.Timer(timeout_s, kill_group, (proc.pid,))
        timer.start()
        try:
            proc.wait()
        except BaseException:  # Ctrl-C: take the render processes down with us
            kill_group(proc.pid)
            raise
        finally:
            timer.cancel()
        fields = result.read().split()
        returncode, max_rss_kb, wall, cpu = (int(fields[0]), int(fields[1]), float(fields[2]), float(fields[3])) if fields \
            else (proc.returncode or -1, 0, time.perf_counter() - started, 0.0)
        out.seek(0)
        err.seek(0)
        return Run(returncode, wall, max_rss_kb * 1024 / MB,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"), cpu)

def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started

def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path

def run_logged(cmd: list[str], cwd: Path, label: str) -> Run:
    run = run_measured(cmd, cwd)
    log(f"{label}: {run.wall_s:.1f} s" + ("" if run.ok else f" FAILED ({run.error()})"))
    return run

def lecture_cmd(*args: str) -> list[str]:
    """The CLI of this checkout (`python -m lecture`; run_measured puts the checkout first on the path):
    the `lecture` script of a shared venv may belong to another checkout."""
    return [PYTHON, "-m", "lecture", *args]

def machine_info() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in read_lines("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor() or "unknown")
    mem_kb = next((int(line.split()[1]) for line in read_lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    versions = {name: metadata.version(name) for name in ("torch", "manim", "av", "numpy")}
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb * 1024 / 1e9, 1),
            "python": platform.python_version(), **versions, "platform": platform.platform()}

def read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []
