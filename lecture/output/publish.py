"""Atomic output: a file appears at its final path complete, or not at all.

A render process being stopped publishes nothing more: `stop_publishing` removes the temporary files
this process is writing and, from then on, no temporary file is renamed into place (the rename and
the stop take one lock, so a stop waits for a rename already under way and never cuts a set of files
in half). Inside `published_together(folder)`, the files written into that folder are renamed into
place together when the body ends, or not at all.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator

from lecture import UserError


class Stopped(BaseException):
    """This process is being stopped: nothing more is published (`stop_publishing`)."""


_lock = threading.Lock()
_stopped = False
_temporaries: set[str] = set()  # temporary files this process is writing, removed if it is stopped
_together: list[tuple[Path, list[tuple[str, Path]]]] = []  # open `published_together` folders and their files


def _file_mode() -> int:
    """What the umask lets a new file be: mkstemp makes 0600 files, so clips were readable by their owner only."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _file_mode()


def temporary_prefix(target: Path) -> str:
    """How this process's temporary files for `target` begin: a stopped render's leftovers can be told apart."""
    return f".{target.name}.{os.getpid()}."


def write_atomic(target: Path, write: Callable[[str], None]) -> Path:
    """Call write(tmp) on a temporary path in target's folder, then rename it onto target (inside a
    `published_together` for that folder: when the body ends)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        if _stopped:
            raise Stopped
        fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(target), suffix=".part", dir=target.parent)
        _temporaries.add(tmp)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _MODE)
        held = next((files for folder, files in _together if target.parent.resolve() == folder), None)
        if held is not None:
            held.append((tmp, target))
        else:
            _rename([(tmp, target)])
    except BaseException:
        _discard(tmp)
        raise
    return target


def _rename(files: list[tuple[str, Path]]) -> None:
    with _lock:
        if _stopped:
            raise Stopped
        for tmp, target in files:
            os.replace(tmp, target)
            _temporaries.discard(tmp)


def _discard(tmp: str) -> None:
    Path(tmp).unlink(missing_ok=True)
    _temporaries.discard(tmp)


@contextlib.contextmanager
def published_together(folder: Path) -> Iterator[None]:
    """Files written atomically into `folder` inside the body appear there together, in the order they
    were written, when the body ends; if it raises, none of them does (the previous ones stay)."""
    held: list[tuple[str, Path]] = []
    entry = (Path(folder).resolve(), held)
    _together.append(entry)
    try:
        try:
            yield
        finally:
            _together.remove(entry)
        _rename(held)
    except BaseException:  # the body or a rename failed: nothing held appears
        for tmp, _ in held:
            _discard(tmp)
        raise


def stop_publishing() -> None:
    """From now on this process renames nothing into place; its temporary files are removed. Waits for
    a rename under way (a few microseconds) and then holds the lock: call it just before exiting."""
    global _stopped
    _lock.acquire()
    _stopped = True
    for tmp in list(_temporaries):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _temporaries.clear()


def publish(source: Path, target: Path) -> Path:
    """Copy source to target atomically."""
    return write_atomic(target, lambda tmp: shutil.copyfile(source, tmp))


def save_image_atomic(image, target: Path) -> Path:
    """Save a PIL image as PNG at target, atomically."""
    return write_atomic(target, lambda tmp: image.save(tmp, format="PNG"))


def write_text_atomic(target: Path, text: str) -> Path:
    return write_atomic(target, lambda tmp: Path(tmp).write_text(text))


def check_writable_dir(path: Path) -> Path:
    """The folder, created if needed, or a UserError saying why it cannot take output."""
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {path} is a file, not a folder; choose a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as err:
        raise UserError(f"cannot write to --out {path}: {err.strerror}; choose a writable folder") from None
    return path


@contextlib.contextmanager
def unfinished_files_removed(folders: Iterable[Path], marker: Path) -> Iterator[None]:
    """Run the body with `marker` present; if a previous run died inside (SIGKILL, power loss), first
    remove what it wrote in `folders` since its marker.

    manim's TeX and text caches are written in place (LaTeX, dvisvgm and Pango write straight to the
    cached name) and reused whenever a file of that name exists, so a render killed mid-write left an
    empty SVG that failed every later render of the scene. The marker is removed only when the body
    succeeds: a failed run's files are made again too, which costs seconds, not a broken cache.
    Callers hold a lock on the folders, so no other run writes there meanwhile.
    """
    if marker.exists():
        since = marker.stat().st_mtime_ns
        for folder in folders:
            for path in Path(folder).rglob("*"):
                if path.is_file() and path.stat().st_mtime_ns >= since:
                    path.unlink()
    marker.touch()
    yield
    marker.unlink()
