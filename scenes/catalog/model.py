"""A lecture and its scenes as data: what a lecture folder's lecture.toml says (scenes.catalog.folder reads it)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

BUILT_IN = Path(__file__).resolve().parents[1]  # scenes/: the built-in lectures' folders are its children
SCRIPT_FILE = "script.md"  # a lecture folder's narration script (Lecture.script_file)
FILE_NAME = "lecture.toml"


@dataclass(frozen=True)
class SceneInfo:
    id: str
    module: str  # its module's import name, e.g. "scenes.feedforward.intro"
    cls: str
    title: str | None  # None: the lecture's title card, which is titled as the lecture is
    uses: tuple[str, ...]  # which options change it: function, descent, graph, network, ... (OptionRow.uses)
    cost: float = 20.0  # seconds to render at 480p15 here, roughly: the renderer starts the longest first
    file: Path | None = None  # its module's source file (for the cache key and the studio's reload)


@dataclass(frozen=True)
class OptionRow:
    """An option a lecture declares for its own scenes (`[options.NAME]` in its lecture.toml). Its value
    reaches the scenes as `params.lecture_options[NAME]`, or as the LectureParams field `field` when
    a `check` of the tool's (lecture.options.checks) parses it."""
    name: str  # its name in this lecture: `[LECTURE] NAME = ...` in a --config file, `--set NAME=VALUE`
    help: str
    kind: str = "number"  # number, whole, text, choice, numbers, names
    default: Any = None
    flag: str = ""  # also a command-line flag --FLAG (and a top-level --config key); "" for none
    check: str = ""  # a named parse-and-check of the tool's (lecture.options.checks.CHECKS); "" by `kind`
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    uses: tuple[str, ...] = ()  # the scenes it changes, by what they use; () for every scene of the lecture
    example: str = ""


@dataclass(frozen=True)
class Card:
    """The title card, drawn from the lecture's file (scenes.kit.title)."""
    kicker: str = ""  # a small line above the title, e.g. "Lecture 3"
    heading: str = ""  # the large line; "" for the title (split at its first " and " when there is no subtitle)
    outline: tuple[tuple[str, str], ...] = ()  # (head, detail) per row
    welcome: str = ""  # the first beat's narration; "" for "Welcome to TITLE."
    plan: str = ""  # the outline beat's narration; "" for one made from the outline


@dataclass(frozen=True)
class Lecture:
    """One lecture: `scenes` in order are `all` (the clips joined into one video, one deck, one script);
    `extras` are listed and render by id, but are not part of `all`."""
    id: str  # `--lecture ID`
    title: str
    scenes: tuple[SceneInfo, ...]
    extras: tuple[SceneInfo, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # defaults of options, as a --config lecture.toml writes them
    file: str = ""  # stem of the joined video, deck and captions (OUT/<quality>/<file>.mp4); default: the id
    subtitle: str = ""
    card: Card = Card()
    own_options: tuple[OptionRow, ...] = ()
    folder: Path | None = None  # where its lecture.toml is
    package: str = ""  # the import name of its folder, e.g. "scenes.part2" or "my_course"

    def __post_init__(self) -> None:
        titled = tuple(replace(s, title=self.title) if s.title is None else s for s in (*self.scenes, *self.extras))
        object.__setattr__(self, "scenes", titled[:len(self.scenes)])
        object.__setattr__(self, "extras", titled[len(self.scenes):])

    @property
    def stem(self) -> str:
        return self.file or self.id

    @property
    def ids(self) -> tuple[str, ...]:
        """The scene ids of `all`, in order."""
        return tuple(s.id for s in self.scenes)

    @property
    def script_file(self) -> Path:
        """Its narration script in its folder (`--script`'s format): a drafted lecture's own, the studio's saves."""
        return self.folder / SCRIPT_FILE

    @property
    def built_in(self) -> bool:
        return self.folder is not None and self.folder.parent == BUILT_IN

    def option(self, name: str) -> OptionRow | None:
        return next((row for row in self.own_options if row.name == name), None)


@dataclass(frozen=True)
class Catalog:
    """The lectures found, and one line per folder that is broken."""
    lectures: tuple[Lecture, ...]
    problems: tuple[str, ...] = ()
    folders: tuple[Path, ...] = ()  # where they were looked for (absolute), for render processes
    broken: dict[str, str] = field(default_factory=dict)  # a left-out lecture's id (when its file says) -> its problem

    @functools.cached_property
    def lecture_by_id(self) -> dict[str, Lecture]:
        return {lecture.id: lecture for lecture in self.lectures}

    @functools.cached_property
    def scenes(self) -> tuple[SceneInfo, ...]:
        return tuple(s for lecture in self.lectures for s in (*lecture.scenes, *lecture.extras))

    @functools.cached_property
    def by_id(self) -> dict[str, SceneInfo]:
        return {s.id: s for s in self.scenes}

    @functools.cached_property
    def lecture_of(self) -> dict[str, Lecture]:
        return {s.id: lecture for lecture in self.lectures for s in (*lecture.scenes, *lecture.extras)}

    @property
    def default(self) -> Lecture:
        return self.lectures[0]

    def scene_for_class(self, scene_class: type | str) -> SceneInfo:
        """The entry of a scene class: by its module and name (two lectures may each have a TitleScene),
        or by name alone when given a name."""
        if isinstance(scene_class, str):
            found = [s for s in self.scenes if s.cls == scene_class]
        else:
            found = [s for s in self.scenes if s.cls == scene_class.__name__ and s.module == scene_class.__module__]
        if not found:
            name = scene_class if isinstance(scene_class, str) else f"{scene_class.__module__}.{scene_class.__name__}"
            raise LookupError(f"scene class {name} is in no lecture; add it to the [[scenes]] of its folder's {FILE_NAME}")
        return found[0]

    def lecture_for_package(self, package: str) -> Lecture:
        """The lecture whose folder is the package `package` (a scene module's `__package__`)."""
        for lecture in self.lectures:
            if lecture.package == package:
                return lecture
        raise LookupError(f"no lecture folder is the package {package}; is its {FILE_NAME} broken? (`lecture list`)")
