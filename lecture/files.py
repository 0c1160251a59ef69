"""Atomic output: a file appears at its final path complete, or not at all."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from lecture import UserError


def write_atomic(target: Path, write: Callable[[str], None]) -> Path:
    """Call write(tmp) on a temporary path in target's folder, then rename it onto target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


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
