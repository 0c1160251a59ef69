"""Paths the user names for output, checked before any work starts: a folder to write into, or a file.

Every option that names something to write (`--out` of every command, a report's file) is one of the two
click types here, so a path that cannot be written is one line and exit status 2 before a render starts,
and nothing is created for it. Nothing is written to check either: the nearest folder that exists is asked
with `os.access`, and a path that runs through a file, a device, or a place the system refuses to create
in is named as such. (Root passes `os.access` everywhere; a folder root still cannot write in, such as a
read-only mount or /proc, fails when the output is published, with the cause in words.)

An existing file that is not a regular file (a device, a pipe, a socket) is refused as an output file:
publishing renames a finished temporary file over the target, which would replace the device itself.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import click

KERNEL_TREES = (Path("/proc"), Path("/sys"))  # made by the kernel: nothing can be created anywhere in them
KERNEL_FOLDERS = (Path("/dev"),)  # nor directly in these (/dev/shm below it is an ordinary tmpfs)


def _kind(mode: int) -> str:
    """A non-regular, non-folder file's kind in words."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _nearest_existing(path: Path) -> tuple[Path, os.stat_result | None, Path | None]:
    """The deepest part of `path` that exists (with its stat), and the part of the path just below it."""
    below = None
    for part in (path, *path.parents):
        try:
            return part, part.stat(), below
        except FileNotFoundError:
            below = part
        except NotADirectoryError:
            below = part  # a file above it: found when its parent is looked at
        except OSError:
            below = part
    return Path("/"), None, below


def made_by_the_kernel(folder: Path) -> bool:
    return folder in KERNEL_FOLDERS or any(folder == tree or tree in folder.parents for tree in KERNEL_TREES)


def folder_problem(path: Path, will_create_inside: bool = False) -> str | None:
    """Why `path` cannot be (or become) a folder to write into, or None (`will_create_inside`: a file
    is about to be made in it, so it must take new files even when it exists)."""
    try:
        path = Path(os.path.abspath(path))
    except ValueError as err:  # an embedded NUL
        return f"is not a path ({err})"
    existing, info, below = _nearest_existing(path)
    if info is None:
        return "cannot be looked at"
    if not stat.S_ISDIR(info.st_mode):
        what = "a file" if stat.S_ISREG(info.st_mode) else _kind(info.st_mode)
        where = "is" if existing == path else f"runs through {existing}, which is"
        return f"{where} {what}, not a folder"
    if (below is not None or will_create_inside) and made_by_the_kernel(existing):
        return f"lies in {existing}, where the system makes its own files and nothing can be created"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot be written: {existing} is not writable for this user"
    if len(path.name.encode()) > 255 or len(str(path).encode()) >= 4096:
        return "is longer than the system allows"
    return None


def file_problem(path: Path) -> str | None:
    """Why `path` cannot be written as a file (replaced atomically), or None."""
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a file above it: the folder check below names it
    except (OSError, ValueError) as err:
        return f"cannot be looked at ({getattr(err, 'strerror', None) or err})"
    if info is not None and stat.S_ISDIR(info.st_mode):
        return "is a folder; name a file in it"
    if info is not None and not stat.S_ISREG(info.st_mode):
        return f"is {_kind(info.st_mode)}, not a file: writing would replace it"
    if not Path(path).name:
        return "names no file"
    folder = Path(os.path.abspath(path)).parent
    problem = folder_problem(folder, will_create_inside=True)
    return f"cannot be written: its folder {folder} {problem}" if problem else None


class _OutputPath(click.Path):
    """A click Path checked by `problem`; the message says what is wrong and what to do."""
    name = "path"
    advice = ""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def problem(self, path: Path) -> str | None:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = super().convert(value, param, ctx)
        problem = self.problem(path)
        if problem:
            self.fail(f"{path} {problem}; {self.advice}", param, ctx)
        return path


class OutputFolder(_OutputPath):
    name = "folder"
    advice = "choose a folder you can write in"

    def problem(self, path: Path) -> str | None:
        return folder_problem(path, will_create_inside=True)


class OutputFile(_OutputPath):
    name = "file"
    advice = "choose a file name in a folder you can write in"

    def problem(self, path: Path) -> str | None:
        return file_problem(path)


OUTPUT_FOLDER = OutputFolder()
OUTPUT_FILE = OutputFile()
