"""lecture.toml read and checked, and the options (from the table in `lecture.options.table`) turned into
LectureParams, checked as a whole before a render."""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lecture import UserError
from lecture.options.table import CONTENT_OPTIONS, COMMAND_LINE_ONLY
from scenes.catalog import current, Lecture
from scenes.kit.params import LectureParams, learnable_problem, values_problem


@dataclass(frozen=True)
class Config:
    """A lecture.toml's options, checked for their names and types, and where each one is written."""
    path: Path
    values: dict[str, Any]
    lines: dict[str, int | None]

    def where(self, name: str) -> str:
        line = self.lines.get(name)
        return f"{self.path}" + (f" line {line}" if line else "")


NO_CONFIG = Config(Path("lecture.toml"), {}, {})


def read_config(path: Path | None) -> Config:
    """Options from a lecture.toml: the explicit --config, else ./lecture.toml when present. Unknown
    names, wrong types and unreadable files are a UserError naming the file and the line."""
    if path is None:
        path = Path("lecture.toml")
        if not path.exists():
            return NO_CONFIG
    if path.exists() and not path.is_file():
        raise UserError(f"--config {path}: not a file")
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad saves UTF-8 with a byte order mark
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise UserError(f"--config {path}: no such file") from None
    except UnicodeDecodeError as err:
        raise UserError(f"--config {path}: not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise UserError(f"--config {path}: cannot read it ({err.strerror or err})") from None
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", str(err))
        if found:
            raise UserError(f"{path} line {found[2]}: not valid TOML: {found[1].lower()} (column {found[3]})") from None
        raise UserError(f"{path}: not valid TOML ({err})") from None
    config = Config(path, data, {name: key_line(text, name) for name in data})
    for name, value in data.items():
        check_config_entry(config, name, value)
    return config


def key_line(text: str, key: str) -> int | None:
    """The line (from 1) where lecture.toml sets `key` (tomllib does not say where values are)."""
    name = re.escape(key)
    pattern = re.compile(rf"""^\s*(?:(?:{name}|"{name}"|'{name}')\s*[=.]|\[\s*(?:{name}|"{name}"|'{name}')\s*[\].])""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def check_config_entry(config: Config, name: str, value: Any) -> None:
    where = config.where(name)
    if name not in CONTENT_OPTIONS:
        if name in COMMAND_LINE_ONLY:
            raise UserError(f"{where}: {name} is an option of the command line only ({COMMAND_LINE_ONLY[name]}); "
                            f"lecture.toml holds {', '.join(CONTENT_OPTIONS)}")
        near = difflib.get_close_matches(name, list(CONTENT_OPTIONS) + list(COMMAND_LINE_ONLY), n=1, cutoff=0.6)
        if near and near[0] in COMMAND_LINE_ONLY:
            hint = f"did you mean {near[0]}? (an option of the command line only: {COMMAND_LINE_ONLY[near[0]]})"
        elif near:
            hint = f"did you mean {near[0]}?"
        else:
            hint = f"known options: {', '.join(CONTENT_OPTIONS)}"
        raise UserError(f"{where}: unknown option {name!r}; {hint}")
    option = CONTENT_OPTIONS[name]
    if not any(fits(kind, value) for kind in option.content.kinds):
        raise UserError(f"{where}: {name} must be {option.content.wanted}, e.g. {option.content.example}; it is {toml_type(value)}")


def fits(kind: str, value: Any) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "text":
        return isinstance(value, str)
    if kind == "number":
        return number
    if kind == "whole":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "numbers":
        return isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if kind == "names":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "table":
        return isinstance(value, dict) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())
    raise ValueError(kind)


def toml_type(value: Any) -> str:
    """What a TOML value is, in words, with the value."""
    if isinstance(value, bool):
        return f"a boolean ({toml_text(value)})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        return f"a number ({value:g})"
    if isinstance(value, str):
        return f"a string ({toml_text(value)})"
    if isinstance(value, list):
        kinds = sorted({toml_type(v).split(" (")[0] for v in value})
        return f"an array holding {' and '.join(kinds)} ({toml_text(value)})" if value else "an empty array"
    if isinstance(value, dict):
        odd = next(((k, v) for k, v in value.items() if isinstance(v, bool) or not isinstance(v, (int, float))), None)
        return f"a table whose {odd[0]} is {toml_type(odd[1])}" if odd else f"a table ({toml_text(value)})"
    return f"a {type(value).__name__} ({value})"  # dates and times


def toml_text(value: Any) -> str:
    """A value as lecture.toml writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_text(v)}" for k, v in value.items()) + "}"
    return str(value)


_where: dict[str, str] = {}  # option -> how the last build_params names where it came from


def where(name: str, value: Any = None) -> str:
    """How an error names option `name`: `--lr '0'` when it came from the command line, else its file and line."""
    return _where.get(name) or (f"--{name} {value!r}" if value is not None else f"--{name}")


def build_params(cli: dict[str, Any], config: Config | dict[str, Any] = NO_CONFIG,
                 lecture: Lecture | None = None) -> LectureParams:
    """Merge options (the command line over lecture.toml over the lecture's own defaults) into
    LectureParams, each parsed and checked by its row of the option table whichever gave it;
    `check_params` checks what needs the engine (formulas, the start point)."""
    if isinstance(config, dict):  # a plain mapping (tests, notebooks): checked as a file would be
        config = Config(Path("lecture.toml"), config, {})
        for name, value in config.values.items():
            check_config_entry(config, name, value)
    lecture = lecture or current().default
    _where.clear()
    merged: dict[str, Any] = {}
    for name, value in lecture.options.items():
        merged[name], _where[name] = value, f"lecture {lecture.id}: {name} = {toml_text(value)}"
    for name, value in config.values.items():
        if name in CONTENT_OPTIONS:
            merged[name], _where[name] = value, f"{config.where(name)}: {name} = {toml_text(value)}"
    for name, value in cli.items():
        if name in CONTENT_OPTIONS and value is not None:
            merged[name], _where[name] = value, f"--{name} {value!r}"
    fields: dict[str, Any] = {}
    for name, option in CONTENT_OPTIONS.items():  # the table's order: --learnable after --values, whose default it replaces
        if name in merged:
            fields.update(option.content.parse(merged[name], where(name)))
    params = dataclasses.replace(LectureParams(), **fields)
    problem = learnable_problem(params.learnable, params.values)
    if problem:
        raise UserError(f"{where('learnable') if 'learnable' in _where else where('values')}: {problem}")
    problem = values_problem(params.values, params.expr)
    if problem:
        raise UserError(f"{where('values')}: {problem}")
    return params


def check_params(params: LectureParams, scene_ids: list[str]) -> None:
    """Raise UserError for the first option the engine rejects, including what only some scenes need
    (a start point where the descent scenes' function is defined, an arrow grid the field scene can
    draw). Loads torch."""
    from engine import ExpressionError, parse_function
    from engine.descent import optimizer_problem

    for option, formula, variables in (("function", params.function, ("x", "y")),
                                       ("expr", params.expr, tuple(params.values))):
        if formula is not None:
            try:
                parse_function(formula, variables)
            except ExpressionError as err:
                raise UserError(f"{where(option, formula)}: {err}") from None
    for name in params.optimizers:
        if optimizer_problem(name):
            raise UserError(f"{where('optimizer', name)}: {optimizer_problem(name)}")
    try:
        params.validate()
        uses = {use for i in scene_ids for use in current().by_id[i].uses}
        if "gradient-field" in scene_ids:
            params.check_arrow_grid()
        params.check_finite_somewhere(uses)
        if "descent" in uses:
            params.check_descent_start()
        if "graph" in uses:
            params.check_graph()
    except ValueError as err:
        text = str(err)
        for option in ("range", "start", "values"):  # named as lecture.toml names it, when it came from there
            if text.startswith(f"--{option} ") and ":" in text and not _where.get(option, "--").startswith("--"):
                text = _where[option] + text[text.index(":"):]
        raise UserError(text) from None


def resolve_scenes(names: tuple[str, ...], lecture: Lecture | None = None) -> list[str]:
    """Scene ids in the order given; `all` (or nothing) means the lecture's scenes in its order.
    A scene of any lecture may be named by its id."""
    lecture = lecture or current().default
    if not names or names == ("all",):
        return list(lecture.ids)
    unknown = [n for n in names if n not in current().by_id and n != "all"]
    if unknown:
        raise UserError(f"unknown scene {', '.join(unknown)}; known scenes: {', '.join(current().by_id)} (or all)")
    chosen = list(lecture.ids) if "all" in names else []
    chosen += [n for n in names if n != "all" and n not in chosen]
    return chosen
