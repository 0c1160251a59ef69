"""A failed render in words: one line with the cause, and where the whole log is."""
from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
import time
from pathlib import Path

from lecture.render.jobs import Job, Outcome


def failed(job: Job, started: float, cache_dir: Path, output: str, cause: str = "") -> Outcome:
    """A failed render's outcome: one line, the cause in words and where the whole log is. The log goes
    to the scene's cache folder, or, when that cannot be written (a full disk), to the system's
    temporary folder."""
    cause = cause or last_error_line(output)
    where = f"full log: {cache_dir / job.scene / 'last-error.log'}"
    for log in (cache_dir / job.scene / "last-error.log", Path(tempfile.gettempdir()) / "lecture" / f"{job.scene}-last-error.log"):
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(output)
        except OSError as err:
            with contextlib.suppress(OSError):
                log.unlink()
            where = f"no log: it could not be written ({os.strerror(err.errno).lower() if err.errno else err})"
            continue
        where = f"full log: {log}"
        break
    return Outcome(job, False, time.perf_counter() - started, error=f"{cause} ({where})")


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
