"""A failed render in words: one line with the cause, and where the whole log is."""
from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from lecture.render.jobs import Job, Outcome


def failed(job: Job, started: float, cache_dir: Path, output: str, cause: str = "") -> Outcome:
    """A failed render's outcome: one line, the cause in words and where the whole log is (the scene's
    cache folder, or the system's temporary folder when that cannot be written)."""
    cause = cause or last_error_line(output)
    places = log_places(cache_dir / job.scene / "last-error.log", f"{job.scene}-last-error.log")
    log, err = write_first(places, lambda path: path.write_text(output))
    if log is not None:
        where = f"full log: {log}"
    else:
        where = f"no log: it could not be written ({os.strerror(err.errno).lower() if err and err.errno else err})"
    return Outcome(job, False, time.perf_counter() - started, error=f"{cause} ({where})")


def log_places(preferred: Path, name: str) -> tuple[Path, Path]:
    """Where a log goes: `preferred`, or, when that cannot be written (the disk is full), `$TMPDIR/lecture/NAME`."""
    return preferred, Path(tempfile.gettempdir()) / "lecture" / name


def write_first(places: Iterable[Path], write: Callable[[Path], None]) -> tuple[Path | None, OSError | None]:
    """`write` into the first of `places` that takes it (its folder made); a place that fails is removed
    again, so nothing half-written stays. The place written, or None and the last error."""
    error = None
    for place in places:
        try:
            place.parent.mkdir(parents=True, exist_ok=True)
            write(place)
            return place, None
        except OSError as err:
            error = err
            with contextlib.suppress(OSError):
                place.unlink()
    return None, error


def cause_in_words(err: BaseException) -> str:
    """What went wrong in a render, in one line: an operating system error in its words ("no space left
    on device") with the file, a missing LaTeX as what to do, anything else as its type and message."""
    for e in (err, err.__cause__):
        if isinstance(e, OSError) and e.errno:
            name = e.filename if isinstance(e.filename, str) else ""
            if e.errno == errno.ENOENT and name and os.sep not in name and ("tex" in name or name == "dvisvgm"):
                return f"{name} is not installed or not on PATH (LaTeX); run `lecture doctor` to see what to install"
            words = os.strerror(e.errno).lower()
            return f"{words} ({name})" if name else words
    if isinstance(err, MemoryError):
        return "out of memory"
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if "latex error" in text.lower() or "dvisvgm" in text.lower():
        return f"LaTeX failed ({text[:200]}); the LaTeX log is named in the full log"
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def process_end(code: int | None) -> str:
    """Why a render process ended without a result, in words."""
    if code is not None and code < 0 or code is not None and code > 128:
        name = signal.Signals(-code if code < 0 else code - 128).name
        if name == "SIGKILL":
            return "the render process was killed (SIGKILL: by hand, or by the kernel when memory ran out)"
        return f"the render process was stopped by {name}"
    return f"the render process ended without finishing (exit status {code})"


def last_error_line(stderr: str) -> str:
    if "latex" in stderr.lower() and ("not found" in stderr.lower() or "No such file" in stderr):
        return "LaTeX failed or is missing; run `lecture doctor` to see what to install"
    lines = [l.strip(" │") for l in stderr.splitlines() if l.strip(" │")]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line.strip()
    return lines[-1].strip() if lines else "the render process failed"
