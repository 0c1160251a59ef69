"""A lecture folder's `lecture.toml`, read into a `scenes.catalog.model.Lecture` and written from plain data.

Plain Python (tomllib; no manim), so listing lectures stays fast. Every problem is a LectureFileError
whose text is one line: the file, the line, what is wrong and what to do. The format is described in
docs/lecture-folders.md.
"""
from __future__ import annotations

import difflib
import importlib.util
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

from scenes.catalog.toml_file import TomlProblem, read_toml
from scenes.catalog.model import BUILT_IN, FILE_NAME, Card, Lecture, OptionRow, SceneInfo

TOP_KEYS = ("id", "title", "subtitle", "file", "card", "scenes", "extras", "defaults", "options")
SCENE_KEYS = ("id", "module", "class", "title", "uses", "cost")
CARD_KEYS = ("kicker", "heading", "outline", "welcome", "plan")
OPTION_KEYS = ("help", "kind", "default", "flag", "check", "choices", "min", "max", "uses", "example")
KINDS = ("number", "whole", "text", "choice", "numbers", "names")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class LectureFileError(Exception):
    """A lecture folder that cannot be used, in one line naming the file and line and what to do."""


class Located:
    """The file's text, for finding the line a key is on (tomllib does not say where values are)."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.splitlines()

    def line(self, key: str | None = None, table: str | None = None, index: int = 0) -> int | None:
        """The line of `key` at the top (table None), in `[table]`, or in the `index`-th `[[table]]`;
        the table's header line when the key is not there, None when neither is."""
        header, count, start = None, -1, None
        key_pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*[=.]""") if key else None
        for number, text in enumerate(self.lines, start=1):
            found = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", text)
            if found:
                header = found[1]
                if table is not None and header == table:
                    count += 1
                    if count == index:
                        start = number
                continue
            inside = header is None if table is None else (header == table and count == index)
            if inside and key_pattern is not None and key_pattern.match(text):
                return number
        return start

    def error(self, message: str, key: str | None = None, table: str | None = None, index: int = 0) -> LectureFileError:
        line = self.line(key, table, index)
        return LectureFileError(f"{self.path}" + (f" line {line}" if line else "") + f": {message}")


def read_lecture(folder: Path) -> Lecture:
    """The lecture in `folder`, checked: its keys, types, ids and the scene modules it names."""
    path = folder / FILE_NAME
    try:
        text, data = read_toml(path)
    except TomlProblem as problem:
        where = f"{path} line {problem.line}" if problem.line else f"{path}"
        hint = {"not UTF-8": "save it as UTF-8"}.get(problem.words[:9], "fix it (docs/lecture-folders.md)")
        raise LectureFileError(f"{where}: {problem.words}; {hint}") from None
    at = Located(path, text)
    unknown_keys(at, data, TOP_KEYS, None)
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise at.error(f"{key} is missing or not a string; write e.g. {key} = \"...\"", key)
    if not ID.match(data["id"]):
        raise at.error(f"id {data['id']!r} must be lower-case letters, digits and hyphens, e.g. \"my-lecture\"", "id")
    package = package_name(folder, at)
    scenes = tuple(read_scene(at, entry, "scenes", i, folder, package) for i, entry in enumerate(table_list(at, data, "scenes")))
    if not scenes:
        raise at.error("a lecture needs at least one [[scenes]] entry; add one", "scenes")
    extras = tuple(read_scene(at, entry, "extras", i, folder, package) for i, entry in enumerate(table_list(at, data, "extras")))
    seen: set[str] = set()
    for i, scene in enumerate((*scenes, *extras)):
        if scene.id in seen:
            table, index = ("scenes", i) if i < len(scenes) else ("extras", i - len(scenes))
            raise at.error(f"scene id {scene.id!r} is used twice in this lecture; give each scene its own id", "id", table, index)
        seen.add(scene.id)
    return Lecture(data["id"], data["title"].strip(), scenes, extras, options=dict(table_of(at, data, "defaults")),
                   file=text_of(at, data, "file"), subtitle=text_of(at, data, "subtitle"), card=read_card(at, data),
                   own_options=read_options(at, data), folder=folder.resolve(), package=package)


def unknown_keys(at: Located, data: dict, known: tuple[str, ...], table: str | None, index: int = 0) -> None:
    for key in data:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"did you mean {near[0]}?" if near else f"known keys: {', '.join(known)}"
            place = f" in [{table}]" if table and table not in ("scenes", "extras") else f" in [[{table}]]" if table else ""
            raise at.error(f"unknown key {key!r}{place}; {hint}", key, table, index)


def table_list(at: Located, data: dict, key: str) -> list[dict]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise at.error(f"{key} must be [[{key}]] tables (one per scene)", key)
    return value


def table_of(at: Located, data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise at.error(f"{key} must be a [{key}] table", key)
    return value


def text_of(at: Located, data: dict, key: str, table: str | None = None, index: int = 0) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise at.error(f"{key} must be a string in quotes", key, table, index)
    return value


def names_of(at: Located, data: dict, key: str, table: str | None = None, index: int = 0) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise at.error(f"{key} must be a list of names, e.g. {key} = [\"descent\"]", key, table, index)
    return tuple(value)


def read_scene(at: Located, entry: dict, table: str, index: int, folder: Path, package: str) -> SceneInfo:
    unknown_keys(at, entry, SCENE_KEYS, table, index)
    for key in ("id", "module", "class"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise at.error(f"[[{table}]] number {index + 1} has no {key}; each scene needs id, module and class", key, table, index)
    if not ID.match(entry["id"]):
        raise at.error(f"scene id {entry['id']!r} must be lower-case letters, digits and hyphens", "id", table, index)
    module, cls = entry["module"], entry["class"]
    if not all(part.isidentifier() for part in module.split(".")) or not cls.isidentifier():
        raise at.error(f"module {module!r} and class {cls!r} must be Python names (module relative to the folder, "
                       "e.g. module = \"example\" for example.py)", "module", table, index)
    source = folder / (module.replace(".", "/") + ".py")
    if not source.is_file():
        raise at.error(f"module {module!r}: there is no {source.name} in {folder}; create it or fix the name",
                       "module", table, index)
    if not folder.parent == BUILT_IN:
        compiled(source)
    cost = entry.get("cost", 20.0)
    if isinstance(cost, bool) or not isinstance(cost, (int, float)) or not math.isfinite(cost) or cost <= 0:
        raise at.error("cost must be a positive number of seconds, e.g. cost = 10", "cost", table, index)
    title = entry.get("title")
    if title is not None and not isinstance(title, str):
        raise at.error("title must be a string in quotes", "title", table, index)
    return SceneInfo(entry["id"], f"{package}.{module}", cls, title, names_of(at, entry, "uses", table, index),
                     float(cost), source.resolve())


def compiled(source: Path) -> None:
    """A scene module of a lecture outside the tool must at least be Python: said here with its line,
    rather than as a failed render."""
    try:
        compile(source.read_bytes(), str(source), "exec")
    except SyntaxError as err:
        raise LectureFileError(f"{source} line {err.lineno}: {err.msg}; fix the module") from None
    except (OSError, ValueError) as err:
        raise LectureFileError(f"{source}: cannot read it ({err})") from None


def read_card(at: Located, data: dict) -> Card:
    card = table_of(at, data, "card")
    unknown_keys(at, card, CARD_KEYS, "card")
    outline = card.get("outline", [])
    if not isinstance(outline, list) or not all(isinstance(row, list) and 1 <= len(row) <= 2 and
                                                all(isinstance(v, str) for v in row) for row in outline):
        raise at.error('outline must be a list of ["head", "detail"] pairs, e.g. outline = [["Gradients", "point uphill"]]',
                       "outline", "card")
    return Card(text_of(at, card, "kicker", "card"), text_of(at, card, "heading", "card"),
                tuple((row[0], row[1] if len(row) > 1 else "") for row in outline),
                text_of(at, card, "welcome", "card"), text_of(at, card, "plan", "card"))


def read_options(at: Located, data: dict) -> tuple[OptionRow, ...]:
    rows = []
    for name, row in table_of(at, data, "options").items():
        table = f"options.{name}"
        if not isinstance(row, dict):
            raise at.error(f"options.{name} must be a table: [options.{name}] with help, kind and default", name, "options")
        unknown_keys(at, row, OPTION_KEYS, table)
        if not re.match(r"^[a-z][a-z0-9-]*$", name):
            raise at.error(f"option name {name!r} must be lower-case letters, digits and hyphens", None, table)
        if not isinstance(row.get("help"), str):
            raise at.error(f"option {name} needs help = \"what it changes\"", "help", table)
        kind = row.get("kind", "number")
        if kind not in KINDS:
            raise at.error(f"option {name}: kind {kind!r} is not one of {', '.join(KINDS)}", "kind", table)
        bounds = [row.get(k) for k in ("min", "max")]
        if any(b is not None and (isinstance(b, bool) or not isinstance(b, (int, float))) for b in bounds):
            raise at.error(f"option {name}: min and max must be numbers", "min" if bounds[0] is not None else "max", table)
        choices = names_of(at, row, "choices", table)
        if kind == "choice" and not choices:
            raise at.error(f"option {name} is a choice: list them, e.g. choices = [\"a\", \"b\"]", "kind", table)
        flag = text_of(at, row, "flag", table)
        if flag and not re.match(r"^[a-z][a-z0-9-]*$", flag):
            raise at.error(f"option {name}: flag {flag!r} must be lower-case letters, digits and hyphens, without --", "flag", table)
        rows.append(OptionRow(name, row["help"], kind, row.get("default"), flag, text_of(at, row, "check", table),
                              choices, *bounds, names_of(at, row, "uses", table), text_of(at, row, "example", table)))
    return tuple(rows)


def package_name(folder: Path, at: Located) -> str:
    """The import name of the folder's modules: scenes.NAME for a built-in lecture, else NAME, its
    parent folder on sys.path (`register_package`)."""
    if folder.parent == BUILT_IN:
        return f"scenes.{folder.name}"
    if not folder.name.isidentifier():
        raise at.error(f"the folder name {folder.name!r} is its modules' package name and must be a Python name; "
                       f"rename the folder, e.g. to {re.sub(r'[^0-9a-zA-Z_]', '_', folder.name)!r}")
    return folder.name


def register_package(lecture: Lecture) -> None:
    """Make a lecture folder outside the tool importable by its folder name (its parent on sys.path)."""
    if lecture.folder is None or lecture.built_in:
        return
    parent = str(lecture.folder.parent)
    if parent not in sys.path:
        sys.path.append(parent)


def shadowed(lecture: Lecture) -> str | None:
    """A folder named like a module importable from elsewhere (json, test, ...) would import that instead."""
    if lecture.built_in or lecture.folder is None:
        return None
    spec = importlib.util.find_spec(lecture.package) if lecture.package not in sys.modules else None
    origins = [Path(p).resolve() for p in (spec.submodule_search_locations or [])] if spec else []
    if spec is not None and lecture.folder.resolve() not in origins:
        return (f"{lecture.folder / FILE_NAME}: its folder name {lecture.package!r} is also a module "
                f"({spec.origin or origins[0] if origins else spec.name}); rename the folder")
    return None


# --- writing ------------------------------------------------------------------------------------

def toml_value(value: Any) -> str:
    """A value as TOML writes it (strings, numbers, booleans and lists of them)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def toml_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else json.dumps(key)


def lecture_text(id: str, title: str, scenes: list[dict[str, Any]], *, subtitle: str = "", file: str = "",
                 card: dict[str, Any] | None = None, extras: list[dict[str, Any]] = (),
                 defaults: dict[str, Any] | None = None, options: dict[str, dict[str, Any]] | None = None) -> str:
    """The text of a lecture.toml (see `write_lecture`)."""
    lines = [f"id = {toml_value(id)}", f"title = {toml_value(title)}"]
    lines += [f"{key} = {toml_value(value)}" for key, value in (("subtitle", subtitle), ("file", file)) if value]
    if card:
        lines += ["", "[card]"] + [f"{key} = {toml_value(value)}" for key, value in card.items()]
    for table, entries in (("scenes", scenes), ("extras", extras)):
        for entry in entries:
            lines += ["", f"[[{table}]]"] + [f"{toml_key(key)} = {toml_value(value)}" for key, value in entry.items()]
    if defaults:
        lines += ["", "[defaults]"] + [f"{toml_key(key)} = {toml_value(value)}" for key, value in defaults.items()]
    for name, row in (options or {}).items():
        lines += ["", f"[options.{name}]"] + [f"{key} = {toml_value(value)}" for key, value in row.items()]
    return "\n".join(lines) + "\n"


def write_lecture(folder: Path, id: str, title: str, scenes: list[dict[str, Any]], **more: Any) -> Lecture:
    """Write `folder`/lecture.toml (the folder made if needed) and return the lecture read back from it.

    `scenes` (and `extras`) are dicts with the [[scenes]] keys: id, module (relative to the folder,
    e.g. "example" for example.py), class, and optionally title, uses, cost. `more` may give subtitle,
    file, card (a dict of the [card] keys), extras, defaults (option values) and options (name ->
    the [options.NAME] keys). The scene modules must be in the folder first: they are checked. On a
    problem, LectureFileError (one line) and the folder's previous lecture.toml is left as it was.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FILE_NAME
    temporary = folder / f".{FILE_NAME}.{os.getpid()}.part"
    temporary.write_text(lecture_text(id, title, scenes, **more), encoding="utf-8")
    previous = target.read_bytes() if target.exists() else None
    os.replace(temporary, target)
    try:
        return read_lecture(folder)
    except LectureFileError:
        if previous is None:
            target.unlink()
        else:
            target.write_bytes(previous)
        raise
