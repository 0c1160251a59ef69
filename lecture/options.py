"""Command-line and lecture.toml options, checked and turned into LectureParams and render settings."""
from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lecture import UserError
from engine.limits import MAX_LEARNING_RATE, MAX_STEPS, range_problem
from scenes.catalog import BY_ID, LECTURE
from engine.notebook import NOTEBOOK_NEURON
from scenes.params import MAX_DRAWN_STEPS, LectureParams
from scenes.theme import THEMES


@dataclass(frozen=True)
class Quality:
    flag: str
    width: int
    height: int
    fps: int
    folder: str


QUALITIES = {
    "l": Quality("l", 854, 480, 15, "480p15"),
    "m": Quality("m", 1280, 720, 30, "720p30"),
    "h": Quality("h", 1920, 1080, 60, "1080p60"),
    "k": Quality("k", 3840, 2160, 60, "2160p60"),
    "t": Quality("t", 192, 108, 5, "tiny"),  # for tests and smoke checks
}
FORMATS = ("mp4", "webm", "gif", "mov", "png")

@dataclass(frozen=True)
class Option:
    """A content option: `--NAME` on the command line, `NAME = ...` in lecture.toml; both are read by
    `build_params` and checked the same way, whatever the source."""
    name: str
    kinds: tuple[str, ...]  # what lecture.toml may give: "text" (a string, read as on the command line),
                            # "number", "whole", "numbers" (an array), "names" (an array), "table" (of numbers)
    wanted: str  # the type wanted, in words
    example: str  # as lecture.toml writes it


OPTIONS = {o.name: o for o in (
    Option("function", ("text",), "a formula in quotes", 'function = "x**2 + 3*y**2"'),
    Option("range", ("numbers", "text"), "two numbers", "range = [-2, 2]"),
    Option("start", ("numbers", "text"), "two numbers", "start = [-2.5, 2]"),
    Option("lr", ("number",), "a number", "lr = 0.1"),
    Option("steps", ("whole",), "a whole number", "steps = 20"),
    Option("optimizer", ("text", "names"), "a name or a list of names", 'optimizer = ["sgd", "adam"]'),
    Option("expr", ("text",), "a formula in quotes", 'expr = "(a*b + sin(a))**2"'),
    Option("values", ("table", "text"), "a table of numbers", "values = {w = -0.5, b = 0.5, x = 1, y = 7}"),
    Option("learnable", ("names", "text"), "a list of names", 'learnable = ["w", "b"]'),
    Option("theme", ("text",), "a name in quotes", 'theme = "light"'),
)}
CONTENT_KEYS = tuple(OPTIONS)
# Options of the command line only: named when lecture.toml gives one, rather than "unknown".
COMMAND_LINE_ONLY = {"voice": "--voice", "script": "--script", "quality": "-q/--quality", "format": "--format",
                     "transparent": "--transparent", "out": "--out", "jobs": "--jobs", "concat": "--concat",
                     "force": "--force", "config": "--config", "section": "--section", "storyboard": "--storyboard",
                     "interval": "--interval", "to": "--to", "fullscreen": "--fullscreen", "media": "--media"}


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


def parse_pair(name: str, text: Any, where: str | None = None) -> tuple[float, float]:
    """Two finite numbers: the command line's "-2,2", or lecture.toml's [-2, 2]."""
    where = where or f"--{name} {text!r}"
    parts = list(text) if isinstance(text, (list, tuple)) else [p.strip() for p in str(text).split(",")]
    try:
        pair = tuple(float(p) for p in parts)
    except (TypeError, ValueError):
        raise UserError(f"{where}: expected two numbers like -2,2") from None
    if len(pair) != 2 or not all(math.isfinite(v) for v in pair):
        raise UserError(f"{where}: expected two finite numbers like -2,2")
    return pair  # type: ignore[return-value]


def parse_values(text: Any, where: str | None = None) -> dict[str, float]:
    """name=number pairs: the command line's "w=-0.5,b=0.5", or lecture.toml's {w = -0.5, b = 0.5}."""
    where = where or "--values"
    if isinstance(text, dict):
        items = [(str(k), v, f"{k} = {v!r}") for k, v in text.items()]
    else:
        items = [(*item.partition("=")[::2], item.strip()) if "=" in item else ("", None, item.strip())
                 for item in str(text).split(",")]
    values: dict[str, float] = {}
    for name, number, shown in items:
        name = name.strip()
        try:
            value = math.nan if isinstance(number, bool) else float(number)
        except (TypeError, ValueError):
            value = math.nan
        if not name.isidentifier() or not math.isfinite(value):
            raise UserError(f"{where}: {shown!r} is not name=number; write e.g. w=-0.5,b=0.5,x=1,y=7")
        if name in values:
            raise UserError(f"{where}: {name} is given twice")
        values[name] = value
    return values


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
    if name not in OPTIONS:
        if name in COMMAND_LINE_ONLY:
            raise UserError(f"{where}: {name} is an option of the command line only ({COMMAND_LINE_ONLY[name]}); "
                            f"lecture.toml holds {', '.join(OPTIONS)}")
        near = difflib.get_close_matches(name, list(OPTIONS) + list(COMMAND_LINE_ONLY), n=1, cutoff=0.6)
        if near and near[0] in COMMAND_LINE_ONLY:
            hint = f"did you mean {near[0]}? (an option of the command line only: {COMMAND_LINE_ONLY[near[0]]})"
        elif near:
            hint = f"did you mean {near[0]}?"
        else:
            hint = f"known options: {', '.join(OPTIONS)}"
        raise UserError(f"{where}: unknown option {name!r}; {hint}")
    option = OPTIONS[name]
    if not any(fits(kind, value) for kind in option.kinds):
        raise UserError(f"{where}: {name} must be {option.wanted}, e.g. {option.example}; it is {toml_type(value)}")


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


def build_params(cli: dict[str, Any], config: Config | dict[str, Any] = NO_CONFIG) -> LectureParams:
    """Merge options (command line wins over lecture.toml) into LectureParams, checking each value the
    same way whichever gave it; `check_params` checks what needs the engine (formulas, the start point)."""
    if isinstance(config, dict):  # a plain mapping (tests, notebooks): checked as a file would be
        config = Config(Path("lecture.toml"), config, {})
        for name, value in config.values.items():
            check_config_entry(config, name, value)
    merged = {k: v for k, v in config.values.items() if k in OPTIONS}
    _where.clear()
    for name, value in merged.items():
        _where[name] = f"{config.where(name)}: {name} = {toml_text(value)}"
    for name, value in cli.items():
        if name in OPTIONS and value is not None:
            merged[name] = value
            _where[name] = f"--{name} {value!r}"
    fields: dict[str, Any] = {}
    if "function" in merged:
        fields["function"] = fields["descent_function"] = str(merged["function"])
    if "range" in merged:
        fields["x_range"] = fields["y_range"] = parse_pair("range", merged["range"], where("range"))
        check_range_option(fields["x_range"])
    if "start" in merged:
        fields["start"] = parse_pair("start", merged["start"], where("start"))
    if "lr" in merged:
        fields["lr"] = _number("lr", merged["lr"], float)
        if not (math.isfinite(fields["lr"]) and 0 < fields["lr"] <= MAX_LEARNING_RATE):
            raise UserError(f"{where('lr')}: learning rate must be > 0 and at most {MAX_LEARNING_RATE:g}")
    if "steps" in merged:
        fields["steps"] = _number("steps", merged["steps"], int)
        if not 1 <= fields["steps"] <= min(MAX_STEPS, MAX_DRAWN_STEPS):
            raise UserError(f"{where('steps')}: steps must be a whole number from 1 to {MAX_DRAWN_STEPS}")
    if "optimizer" in merged:
        raw = merged["optimizer"]
        names = tuple(n.strip() for n in (raw if isinstance(raw, list) else str(raw).split(",")) if n.strip())
        if not names:
            raise UserError(f"{where('optimizer')}: name at least one optimizer, e.g. sgd or sgd,momentum,adam")
        fields["optimizer"], fields["optimizers"] = names[0], names
    if "expr" in merged:
        fields["expr"] = str(merged["expr"])
    if "values" in merged:
        fields["values"] = parse_values(merged["values"], where("values"))
    if "learnable" in merged:
        raw = merged["learnable"]
        fields["learnable"] = tuple(n.strip() for n in (raw if isinstance(raw, list) else str(raw).split(",")) if n.strip())
        bad = [n for n in fields["learnable"] if not n.isidentifier()]
        if bad:
            raise UserError(f"{where('learnable')}: {bad[0]!r} is not a name; write e.g. w,b")
    elif "values" in fields:
        fields["learnable"] = tuple(fields["values"])
    if "theme" in merged:
        fields["theme"] = str(merged["theme"])
        if fields["theme"] not in THEMES:
            raise UserError(f"{where('theme')}: unknown theme '{fields['theme']}'; choose one of {', '.join(THEMES)}")
    params = dataclasses.replace(LectureParams(), **fields)
    missing = [n for n in params.learnable if n not in params.values]
    if missing:
        raise UserError(f"{where('learnable') if 'learnable' in _where else where('values')}: learnable "
                        f"{', '.join(missing)} not among the values ({', '.join(params.values)})")
    if params.expr is None and set(params.values) != set(NOTEBOOK_NEURON):
        raise UserError(f"{where('values')}: the notebook neuron takes values {', '.join(NOTEBOOK_NEURON)}; give --expr for other inputs")
    return params


def check_range_option(pair: tuple[float, float]) -> None:
    """What the renderer can do with a range, before torch is loaded (`engine.limits.range_problem`)."""
    problem = range_problem(*pair)
    if problem:
        raise UserError(f"{where('range')}: {problem}")


def check_params(params: LectureParams, scene_ids: list[str]) -> None:
    """Raise UserError for the first option the engine rejects, including what only some scenes need
    (a start point where the descent scenes' function is defined, an arrow grid the field scene can
    draw). Loads torch."""
    from engine import OPTIMIZERS, ExpressionError, parse_function

    for option, formula, variables in (("function", params.function, ("x", "y")),
                                       ("expr", params.expr, tuple(params.values))):
        if formula is not None:
            try:
                parse_function(formula, variables)
            except ExpressionError as err:
                raise UserError(f"{where(option, formula)}: {err}") from None
    for name in params.optimizers:
        if name not in OPTIMIZERS:
            raise UserError(f"{where('optimizer', name)}: unknown optimizer '{name}'; choose from {', '.join(OPTIMIZERS)}")
    try:
        params.validate()
        uses = {use for i in scene_ids for use in BY_ID[i].uses}
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


def _number(name: str, value: Any, kind: type) -> Any:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value)
        if kind is int and float(value) != number:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise UserError(f"{where(name, value)}: expected {'a whole number' if kind is int else 'a number'}") from None
    return number


def resolve_scenes(names: tuple[str, ...]) -> list[str]:
    """Scene ids in lecture order; `all` (or nothing) means the whole lecture."""
    if not names or names == ("all",):
        return list(LECTURE)
    unknown = [n for n in names if n not in BY_ID and n != "all"]
    if unknown:
        raise UserError(f"unknown scene {', '.join(unknown)}; known scenes: {', '.join(BY_ID)} (or all)")
    chosen = list(LECTURE) if "all" in names else []
    chosen += [n for n in names if n != "all" and n not in chosen]
    return chosen
