"""A --config lecture.toml read and checked, and the options (the shared ones of `lecture.options.table`
and the lecture's own rows) turned into one lecture's LectureParams, checked as a whole before a render.

Precedence, low to high: a row's default, the lecture's [defaults], the --config file (its top level,
then its [LECTURE] table), the command line (flags, then `--set`). Where each value came from travels
in `LectureParams.sources`, for the messages of `check_params`."""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.limits import optimizer_problem
from lecture import UserError
from lecture.options.checks import fits
from lecture.options.table import COMMAND_LINE_ONLY, CONTENT_OPTIONS, SHARED_CONTENT, Option, own_options
from scenes.catalog import Lecture, current
from scenes.catalog.toml_file import TomlProblem, read_toml
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
        text, data = read_toml(path)
    except TomlProblem as problem:
        if problem.line:
            raise UserError(f"{path} line {problem.line}: {problem.words}") from None
        raise UserError(f"--config {path}: {problem.words}") from None
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
    if name not in CONTENT_OPTIONS and isinstance(value, dict) and name in current().lecture_by_id:
        lecture = current().lecture_by_id[name]
        known = {**SHARED_CONTENT, **own_options(lecture)}
        for key, item in value.items():
            if key not in known:
                raise UserError(f"{where}: [{name}] {key}: lecture {name} has no option {key!r}; its options: "
                                f"{', '.join(own_options(lecture)) or 'none of its own'}, and the shared ones")
            check_type(known[key], key, item, where)
        return
    if name not in CONTENT_OPTIONS:
        if name in COMMAND_LINE_ONLY:
            raise UserError(f"{where}: {name} is an option of the command line only ({COMMAND_LINE_ONLY[name]}); "
                            f"lecture.toml holds {', '.join(CONTENT_OPTIONS)}")
        if isinstance(value, dict):
            raise UserError(f"{where}: [{name}] is no lecture's table; known lectures: {', '.join(current().lecture_by_id)}")
        near = difflib.get_close_matches(name, list(CONTENT_OPTIONS) + list(COMMAND_LINE_ONLY), n=1, cutoff=0.6)
        if near and near[0] in COMMAND_LINE_ONLY:
            hint = f"did you mean {near[0]}? (an option of the command line only: {COMMAND_LINE_ONLY[near[0]]})"
        elif near:
            hint = f"did you mean {near[0]}?"
        else:
            hint = f"known options: {', '.join(CONTENT_OPTIONS)}"
        raise UserError(f"{where}: unknown option {name!r}; {hint}")
    check_type(CONTENT_OPTIONS[name], name, value, where)


def check_type(option: Option, name: str, value: Any, where: str) -> None:
    if not any(fits(kind, value) for kind in option.content.kinds):
        raise UserError(f"{where}: {name} must be {option.content.wanted}, e.g. {option.content.example}; it is {toml_type(value)}")


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


def build_params(cli: dict[str, Any], config: Config | dict[str, Any] = NO_CONFIG,
                 lecture: Lecture | None = None, sets: tuple[str, ...] = ()) -> LectureParams:
    """Merge options into one lecture's LectureParams, each parsed and checked by its row (shared, or the
    lecture's own) whichever gave it; `check_params` checks what needs the engine (formulas, the start
    point). `cli` maps option names (a lecture row's by its flag) to their text; `sets` are `--set`s."""
    lecture = lecture or current().default
    if isinstance(config, dict):  # a plain mapping (tests, notebooks): checked as a file would be
        config = Config(Path("lecture.toml"), config, {})
        for name, value in config.values.items():
            check_config_entry(config, name, value)
    own = own_options(lecture)
    shared, mine = gathered(cli, config, lecture, own, sets)
    fields: dict[str, Any] = {"lecture_options": {}}
    sources = {name: place for name, (_, place) in shared.items()}
    for name, option in SHARED_CONTENT.items():  # the table's order: --learnable after --values, whose default it replaces
        if name in shared:
            fields.update(option.content.parse(*shared[name]))
    for name, option in own.items():
        if name in mine:
            parsed = option.content.parse(*mine[name])
            fields["lecture_options"].update(parsed.pop("lecture_options", {}))
            fields.update(parsed)
            sources[option.name] = mine[name][1]
    params = dataclasses.replace(LectureParams(), **fields, sources=sources)
    problem = learnable_problem(params.learnable, params.values)
    if problem:
        raise UserError(f"{where(params, 'learnable') if 'learnable' in sources else where(params, 'values')}: {problem}")
    problem = values_problem(params.values, params.expr)
    if problem:
        raise UserError(f"{where(params, 'values')}: {problem}")
    return params


Given = dict[str, tuple[Any, str]]  # option name -> (value, where it came from)


def gathered(cli: dict[str, Any], config: Config, lecture: Lecture, own: dict[str, Option],
             sets: tuple[str, ...]) -> tuple[Given, Given]:
    """The values given for the shared options and for the lecture's own, each where it came from, the
    later sources over the earlier."""
    by_flag = {row.flag: row.name for row in lecture.own_options if row.flag}
    shared: Given = {}
    mine: Given = {}
    home = f"{lecture.folder / 'lecture.toml'}" if lecture.folder else f"lecture {lecture.id}"
    for row in lecture.own_options:
        if row.default is not None:
            mine[row.name] = row.default, f"{home} [options.{row.name}]: default = {toml_text(row.default)}"
    for name, value in lecture.options.items():
        if name not in own and name not in SHARED_CONTENT:
            raise UserError(f"{home}: [defaults] {name}: no such option; its options: {', '.join(own) or 'none of its own'}, "
                            "and the shared ones")
        (mine if name in own else shared)[name] = value, f"{home}: {name} = {toml_text(value)}"
    for name, value in config.values.items():
        place = f"{config.where(name)}: {name} = {toml_text(value)}"
        if name in SHARED_CONTENT:
            shared[name] = value, place
        elif name in by_flag:
            mine[by_flag[name]] = value, place
        elif name == lecture.id and isinstance(value, dict):
            for key, item in value.items():
                (mine if key in own else shared)[key] = item, f"{config.where(name)}: [{name}] {key} = {toml_text(item)}"
    for name, value in cli.items():
        if value is None or value == ():
            continue
        if name in SHARED_CONTENT:
            shared[name] = value, f"--{name} {value!r}"
        elif name in by_flag:
            mine[by_flag[name]] = value, f"--{name} {value!r}"
    for name, value in settings_for(lecture, sets, own):
        mine[name] = value, f"--set {name}={value}"
    return shared, mine


def settings_for(lecture: Lecture, sets: tuple[str, ...], own: dict[str, Option]) -> list[tuple[str, str]]:
    """The `--set NAME=VALUE`s for `lecture`: NAME one of its own options, or LECTURE.NAME naming it. A
    NAME no lecture being rendered has is refused by `check_sets`."""
    found = []
    for item in sets:
        name, equals, value = item.partition("=")
        owner, dot, short = name.strip().rpartition(".")
        if not equals:
            raise UserError(f"--set {item!r}: write NAME=VALUE, e.g. --set steps=12")
        if short in own and (not dot or owner == lecture.id):
            found.append((short, value.strip()))
    return found


def check_sets(sets: tuple[str, ...], lectures: list[Lecture]) -> None:
    """Every `--set` names an own option of a lecture being rendered (else one line: which it could be)."""
    for item in sets:
        name = item.partition("=")[0].strip()
        owner, dot, short = name.rpartition(".")
        targets = [lecture for lecture in lectures if not dot or lecture.id == owner]
        if not any(short in own_options(lecture) for lecture in targets):
            known = [f"{lecture.id}.{n}" for lecture in lectures for n in own_options(lecture)]
            raise UserError(f"--set {item!r}: {'lecture ' + owner if dot else 'the lectures rendered'} "
                            f"{'has' if dot else 'have'} no option {short!r}; "
                            f"options: {', '.join(known) or 'none (a lecture declares them in its lecture.toml)'}")


def where(params: LectureParams, name: str, value: Any = None) -> str:
    """How an error names option `name`: `--lr '0'` when it came from the command line, else its file and line."""
    return params.sources.get(name) or (f"--{name} {value!r}" if value is not None else f"--{name}")


def check_params(params: LectureParams, scene_ids: list[str]) -> None:
    """Raise UserError for the first option the engine rejects, including what only some scenes need
    (a start point where the descent scenes' function is defined, an arrow grid the field scene can
    draw). Parsing a formula needs no torch; what the scenes compute with it (a start point, a graph) loads it."""
    from engine import ExpressionError, parse_function  # the parser: only when the options are checked

    for option, formula, variables in (("function", params.function, ("x", "y")),
                                       ("expr", params.expr, tuple(params.values))):
        if formula is not None:
            try:
                parse_function(formula, variables)
            except ExpressionError as err:
                raise UserError(f"{where(params, option, formula)}: {err}") from None
    for name in params.optimizers:
        if optimizer_problem(name):
            raise UserError(f"{where(params, 'optimizer', name)}: {optimizer_problem(name)}")
    try:
        params.validate()
        uses = {use for i in scene_ids for use in current().by_id[i].uses}
        if "gradient-field" in scene_ids:
            params.check_arrow_grid()
        params.check_finite_somewhere(uses)
        from engine.limits import shown_formula_problem  # the scenes that show --function beside a map
        for use, formula in (("function", params.function), ("descent", params.descent_function)):
            problem = use in uses and shown_formula_problem(parse_function(formula).shown_width)
            if problem:
                raise UserError(f"{where(params, 'function', formula)}: {problem}")
        if "descent" in uses:
            params.check_descent_start()
        if "graph" in uses:
            params.check_graph()
    except ValueError as err:
        text = str(err)
        for option in ("range", "start", "values"):  # named as lecture.toml names it, when it came from there
            if text.startswith(f"--{option} ") and ":" in text and not params.sources.get(option, "--").startswith("--"):
                text = params.sources[option] + text[text.index(":"):]
        raise UserError(text) from None


def resolve_scenes(names: tuple[str, ...], lecture: Lecture | None = None) -> list[str]:
    """Scene ids in the order given; `all` (or nothing) means the lecture's scenes in its order.
    A scene of any lecture may be named by its id."""
    lecture = lecture or current().default
    if not names or names == ("all",):
        return list(lecture.ids)
    unknown = [n for n in names if n not in current().by_id and n != "all"]
    if unknown:
        note = f"; a lecture folder was left out: {current().problems[0]}" if current().problems else ""
        raise UserError(f"unknown scene {', '.join(unknown)}; known scenes: {', '.join(current().by_id)} (or all){note}")
    chosen = list(lecture.ids) if "all" in names else []
    chosen += [n for n in names if n != "all" and n not in chosen]
    return chosen
