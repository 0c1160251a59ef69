"""Command-line and lecture.toml options, checked and turned into LectureParams and render settings."""
from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lecture import UserError
from scenes.catalog import BY_ID, LECTURE
from scenes.params import LectureParams


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

# Content options: CLI/TOML name -> how to read its text.
CONTENT_KEYS = ("function", "range", "start", "lr", "steps", "optimizer", "expr", "values", "learnable", "theme")


def parse_pair(name: str, text: str) -> tuple[float, float]:
    parts = [p.strip() for p in str(text).split(",")]
    try:
        pair = tuple(float(p) for p in parts)
    except ValueError:
        raise UserError(f"--{name} {text!r}: expected two numbers like -2,2") from None
    if len(pair) != 2 or not all(math.isfinite(v) for v in pair):
        raise UserError(f"--{name} {text!r}: expected two finite numbers like -2,2")
    return pair  # type: ignore[return-value]


def parse_values(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in str(text).split(","):
        name, eq, number = item.partition("=")
        name = name.strip()
        try:
            value = float(number)
        except ValueError:
            value = math.nan
        if not eq or not name.isidentifier() or not math.isfinite(value):
            raise UserError(f"--values: {item.strip()!r} is not name=number; write e.g. w=-0.5,b=0.5,x=1,y=7")
        if name in values:
            raise UserError(f"--values: {name} is given twice")
        values[name] = value
    return values


def read_config(path: Path | None) -> dict[str, Any]:
    """Options from a lecture.toml: the explicit --config, else ./lecture.toml when present."""
    if path is None:
        path = Path("lecture.toml")
        if not path.exists():
            return {}
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(f"--config {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"--config {path}: cannot read it ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"--config {path}: not valid TOML ({err})") from None
    return data


def build_params(cli: dict[str, Any], config: dict[str, Any]) -> LectureParams:
    """Merge options (command line wins over lecture.toml) into LectureParams; `check_params` checks
    what needs the engine (formulas, the start point)."""
    merged = {k: v for k, v in config.items() if k in CONTENT_KEYS}
    merged.update({k: v for k, v in cli.items() if k in CONTENT_KEYS and v is not None})
    fields: dict[str, Any] = {}
    if "function" in merged:
        fields["function"] = fields["descent_function"] = str(merged["function"])
    if "range" in merged:
        fields["x_range"] = fields["y_range"] = parse_pair("range", _text(merged["range"]))
    if "start" in merged:
        fields["start"] = parse_pair("start", _text(merged["start"]))
    if "lr" in merged:
        fields["lr"] = _number("lr", merged["lr"], float)
    if "steps" in merged:
        fields["steps"] = _number("steps", merged["steps"], int)
    if "optimizer" in merged:
        names = tuple(n.strip() for n in _text(merged["optimizer"]).split(",") if n.strip())
        fields["optimizer"], fields["optimizers"] = names[0] if names else "", names
    if "expr" in merged:
        fields["expr"] = str(merged["expr"])
    if "values" in merged:
        raw = merged["values"]
        fields["values"] = {k: float(v) for k, v in raw.items()} if isinstance(raw, dict) else parse_values(raw)
    if "learnable" in merged:
        raw = merged["learnable"]
        fields["learnable"] = tuple(raw) if isinstance(raw, list) else tuple(n.strip() for n in str(raw).split(",") if n.strip())
    elif "values" in fields:
        fields["learnable"] = tuple(fields["values"])
    if "theme" in merged:
        fields["theme"] = str(merged["theme"])
    return dataclasses.replace(LectureParams(), **fields)


def check_params(params: LectureParams, scene_ids: list[str]) -> None:
    """Raise UserError for the first option the engine rejects, including what only some scenes need
    (a start point where the descent scenes' function is defined). Loads torch."""
    from engine import ExpressionError, parse_function

    for option, formula, variables in (("--function", params.function, ("x", "y")),
                                       ("--expr", params.expr, tuple(params.values))):
        if formula is not None:
            try:
                parse_function(formula, variables)
            except ExpressionError as err:
                raise UserError(f"{option} {formula!r}: {err}") from None
    try:
        params.validate()
        if any("descent" in BY_ID[i].uses for i in scene_ids):
            params.check_descent_start()
    except ValueError as err:
        raise UserError(str(err)) from None


def _text(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def _number(name: str, value: Any, kind: type) -> Any:
    try:
        number = kind(value)
        if kind is int and float(value) != number:
            raise ValueError
    except (TypeError, ValueError):
        raise UserError(f"--{name} {value!r}: expected {'a whole number' if kind is int else 'a number'}") from None
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
