"""Every lecture and its scenes, as data, without importing manim: the CLI, the renderer, decks,
captions, the studio and `lecture list` read this, and nothing else names a lecture or a scene's title.

A lecture is a folder holding `lecture.toml` beside its scene modules (docs/lecture-folders.md; the file
is read and written by `scenes.catalog.folder`, its data classes are `scenes.catalog.model`). Lectures are found, in this order, in the built-in folder
(scenes/), in ./lectures/ of the working folder, and in the folders of the LECTURE_PATH environment
variable (os.pathsep-separated; the CLI's `--lectures DIR` adds to it). A folder that is broken is left
out and reported as one line in `Catalog.problems`; the other lectures still list and render.

Adding a lecture is a folder: `lecture new ID` writes one that renders at once.
"""
from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path
from typing import Any

from scenes.catalog.folder import LectureFileError, read_lecture, register_package, shadowed, write_lecture
from scenes.catalog.model import BUILT_IN, FILE_NAME, Card, Catalog, Lecture, OptionRow, SceneInfo

LOCAL = Path("lectures")  # ./lectures/ of the working folder
ENV_VAR = "LECTURE_PATH"
__all__ = ["BUILT_IN", "FILE_NAME", "Card", "Catalog", "Lecture", "LectureFileError", "OptionRow", "SceneInfo",
           "add_folders", "current", "discover", "read_lecture", "scene_for_class", "search_folders", "write_lecture"]


def search_folders() -> list[Path]:
    """Where lectures are looked for: the built-in folder, ./lectures/, then LECTURE_PATH's folders."""
    extra = [Path(p) for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    return [BUILT_IN, *([LOCAL] if LOCAL.is_dir() else []), *extra]


def discover(folders: list[Path]) -> Catalog:
    """Every lecture folder in `folders` (each a lecture folder itself, or a folder of them)."""
    lectures: list[Lecture] = []
    problems: list[str] = []
    broken: dict[str, str] = {}
    seen: set[Path] = set()
    for lecture_dir in lecture_dirs(folders, problems):
        if lecture_dir in seen:
            continue
        seen.add(lecture_dir)
        try:
            lecture = read_lecture(lecture_dir)
            problem = clash(lecture, lectures) or shadowed(lecture)
            if problem:
                raise LectureFileError(problem)
        except LectureFileError as err:
            problems.append(str(err))
            broken.setdefault(id_in(lecture_dir) or "", str(err))
            continue
        register_package(lecture)
        lectures.append(lecture)
    broken.pop("", None)
    return Catalog(tuple(lectures), tuple(problems), tuple(f.resolve() for f in folders if f.is_dir()),
                   {k: v for k, v in broken.items() if k not in {lecture.id for lecture in lectures}})


def id_in(folder: Path) -> str | None:
    """The id a broken folder's lecture.toml gives, if it can be read at all (to name it when asked for)."""
    try:
        found = tomllib.loads((folder / FILE_NAME).read_text(encoding="utf-8-sig")).get("id")
    except (OSError, ValueError):
        return None
    return found if isinstance(found, str) else None


def lecture_dirs(folders: list[Path], problems: list[str]) -> list[Path]:
    found = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(f"{folder}: no such folder of lectures (from --lectures or {ENV_VAR}); fix or remove it")
            continue
        if (folder / FILE_NAME).is_file():
            found.append(folder.resolve())
        else:
            found += sorted(d.resolve() for d in folder.iterdir() if (d / FILE_NAME).is_file())
    return found


def clash(lecture: Lecture, earlier: list[Lecture]) -> str | None:
    """A lecture id or scene id that an earlier lecture already has: that lecture is left out."""
    where = f"{lecture.folder / FILE_NAME}"
    for other in earlier:
        if other.id == lecture.id:
            return (f"{where} line 1: lecture id {lecture.id!r} is also {other.folder / FILE_NAME}'s; "
                    "give one of them another id")
        if other.package == lecture.package:
            return (f"{where}: its folder name {lecture.folder.name!r} is also {other.folder}'s (each is imported by "
                    "its folder name); rename one folder")
    ids = {s.id: other for other in earlier for s in (*other.scenes, *other.extras)}
    for scene in (*lecture.scenes, *lecture.extras):
        if scene.id in ids:
            return (f"{where}: scene id {scene.id!r} is also a scene of lecture {ids[scene.id].id} "
                    f"({ids[scene.id].folder / FILE_NAME}); scene ids are unique across lectures, rename it")
    return None


@functools.lru_cache(maxsize=8)
def _discovered(key: tuple[str, str, str]) -> Catalog:
    return discover(search_folders())


def current() -> Catalog:
    """The catalog of this process: found again when LECTURE_PATH or the working folder changes."""
    return _discovered((os.getcwd(), os.environ.get(ENV_VAR, ""), str(LOCAL.is_dir())))


def add_folders(folders: list[Path]) -> None:
    """`--lectures DIR`: look in these folders too, in this process and the processes it starts."""
    paths = [str(Path(f).resolve()) for f in folders]
    old = [p for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p]
    os.environ[ENV_VAR] = os.pathsep.join([*old, *(p for p in paths if p not in old)])


def scene_for_class(name: type | str) -> SceneInfo:
    """The catalog entry of a scene class: where a scene finds its own id and title."""
    return current().scene_for_class(name)


# The names this module has long had, read from the current catalog.
_NAMES = {"LECTURES": lambda c: c.lectures, "LECTURE_BY_ID": lambda c: c.lecture_by_id, "SCENES": lambda c: c.scenes,
          "BY_ID": lambda c: c.by_id, "LECTURE_OF": lambda c: c.lecture_of, "DEFAULT_LECTURE": lambda c: c.default,
          "LECTURE": lambda c: c.default.ids}  # the first lecture's `all`, under the name scripts and tests have long used


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return _NAMES[name](current())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
