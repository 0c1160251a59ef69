"""The parse-and-check of option values, alike for the command line (text) and TOML (typed values): the
shared options' (lecture.options.table), the named checks a lecture's own option row may use
(`CHECKS`, by `check = "..."` in its lecture.toml), and a row's check by its `kind`. Each value has
one check, in the lowest layer that needs it (engine/limits.py, scenes/kit/params.py): these call them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from engine.limits import (MAX_TRAINING_STEPS, activation_problem, dataset_problem, layers_problem,
                           learning_rate_problem, range_problem, seed_problem, steps_problem)
from lecture import UserError
from scenes.catalog import OptionRow
from scenes.kit.params import MAX_DRAWN_STEPS, names_problem, theme_problem, values_problem

# --- the parse-and-check column: a value from the command line (text) or lecture.toml (a TOML value) ----


def split_items(value: Any, where: str) -> list[str]:
    """The items of a list-valued option, alike for all of them: "a,b" on the command line or ["a", "b"]
    in lecture.toml, each stripped; nothing at all is an empty list, an empty item is refused."""
    items = [str(v).strip() for v in value] if isinstance(value, (list, tuple)) else [v.strip() for v in str(value).split(",")]
    if items == [""] and not isinstance(value, (list, tuple)):
        return []
    if "" in items:
        raise UserError(f"{where}: item {items.index('') + 1} of the list is empty (two commas, or one at an end); remove it")
    return items


def parse_pair(value: Any, where: str) -> tuple[float, float]:
    """Two finite numbers: the command line's "-2,2", or lecture.toml's [-2, 2]."""
    parts = list(value) if isinstance(value, (list, tuple)) else split_items(value, where)
    try:
        pair = tuple(math.nan if isinstance(p, bool) else float(p) for p in parts)
    except (TypeError, ValueError):
        raise UserError(f"{where}: expected two numbers like -2,2") from None
    if len(pair) != 2 or not all(math.isfinite(v) for v in pair):
        raise UserError(f"{where}: expected two finite numbers like -2,2")
    return pair  # type: ignore[return-value]


def parse_values(value: Any, where: str) -> dict[str, float]:
    """name=number pairs: the command line's "w=-0.5,b=0.5", or lecture.toml's {w = -0.5, b = 0.5}."""
    if isinstance(value, dict):
        items = [(str(k), v, f"{k} = {v!r}") for k, v in value.items()]
    else:
        items = [(*item.partition("=")[::2], item) for item in split_items(value, where)]
    values: dict[str, float] = {}
    for name, number, shown in items:
        name = name.strip()
        try:
            number = math.nan if isinstance(number, bool) else float(number)
        except (TypeError, ValueError):
            number = math.nan
        if not name.isidentifier() or not math.isfinite(number):
            raise UserError(f"{where}: {shown!r} is not name=number; write e.g. w=-0.5,b=0.5,x=1,y=7")
        if name in values:
            raise UserError(f"{where}: {name} is given twice")
        values[name] = number
    checked(values_problem(values, None) if not values else None, where)  # none at all: the one check of it
    return values


def parse_number(value: Any, where: str, kind: type = float) -> Any:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value)
        if kind is int and float(value) != number:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise UserError(f"{where}: expected {'a whole number' if kind is int else 'a number'}") from None
    return number


def checked(problem: str | None, where: str) -> None:
    if problem:
        raise UserError(f"{where}: {problem}")


def _range(value: Any, where: str) -> dict[str, Any]:
    pair = parse_pair(value, where)
    checked(range_problem(*pair), where)
    return {"x_range": pair, "y_range": pair}


def checked_number(field: str, problem: Callable[[Any], str | None], kind: type = float) -> Callable[[Any, str], dict[str, Any]]:
    """The parse-and-check of a one-number option: parsed as `kind`, refused with `problem`'s words."""
    def parse(value: Any, where: str) -> dict[str, Any]:
        number = parse_number(value, where, kind)
        checked(problem(number), where)
        return {field: number}
    return parse


_lr = checked_number("lr", learning_rate_problem)
_steps = checked_number("steps", lambda steps: steps_problem(steps, MAX_DRAWN_STEPS), int)
_seed = checked_number("seed", seed_problem, int)
_train_lr = checked_number("train_lr", learning_rate_problem)
_train_steps = checked_number("train_steps", lambda steps: steps_problem(steps, MAX_TRAINING_STEPS), int)


def _optimizer(value: Any, where: str) -> dict[str, Any]:
    names = tuple(split_items(value, where))
    if not names:
        raise UserError(f"{where}: name at least one optimizer, e.g. sgd or sgd,momentum,adam")
    return {"optimizer": names[0], "optimizers": names}


def _values(value: Any, where: str) -> dict[str, Any]:
    values = parse_values(value, where)
    return {"values": values, "learnable": tuple(values)}  # --learnable's default: all of them


def _learnable(value: Any, where: str) -> dict[str, Any]:
    names = tuple(split_items(value, where))
    checked(names_problem(names), where)
    return {"learnable": names}


def _layers(value: Any, where: str) -> dict[str, Any]:
    """Layer sizes: the command line's "2,3,1" or lecture.toml's [2, 3, 1]; the engine's one check of the
    sizes here, against the data set with the other network options (`LectureParams.network_problem`)."""
    items = value if isinstance(value, (list, tuple)) else split_items(value, where)
    sizes = tuple(parse_number(item, where, int) for item in items)
    checked(layers_problem(sizes, ""), where)
    return {"layers": sizes}


def _activation(value: Any, where: str) -> dict[str, Any]:
    checked(activation_problem(str(value)), where)
    return {"activation": str(value)}


def _dataset(value: Any, where: str) -> dict[str, Any]:
    checked(dataset_problem(str(value)), where)
    return {"dataset": str(value)}


def _theme(value: Any, where: str) -> dict[str, Any]:
    checked(theme_problem(str(value)), where)
    return {"theme": str(value)}


@dataclass(frozen=True)
class Check:
    """A named parse-and-check a lecture's own option row may use: it sets LectureParams fields."""
    parse: Callable[[Any, str], dict[str, Any]]
    kinds: tuple[str, ...]  # what TOML may give (see `fits`)
    wanted: str
    field: str  # the LectureParams field it sets (the form shows its current value)


TEXT, NUMBERS, NAMES = ("text",), ("numbers", "text"), ("names", "text")
CHECKS = {
    "layers": Check(_layers, NUMBERS, "a list of whole numbers", "layers"),
    "activation": Check(_activation, TEXT, "a name in quotes", "activation"),
    "dataset": Check(_dataset, TEXT, "a name in quotes", "dataset"),
    "seed": Check(_seed, ("whole",), "a whole number", "seed"),
    "training-rate": Check(_train_lr, ("number",), "a number", "train_lr"),
    "training-steps": Check(_train_steps, ("whole",), "a whole number", "train_steps"),
}
KIND_TOML = {"number": (("number",), "a number"), "whole": (("whole",), "a whole number"), "text": (TEXT, "a string in quotes"),
             "choice": (TEXT, "a name in quotes"), "numbers": (NUMBERS, "a list of numbers"), "names": (NAMES, "a list of names")}


def row_kinds(row: OptionRow) -> tuple[tuple[str, ...], str]:
    """What TOML may give for a lecture's option row, and the type wanted in words."""
    if row.check:
        return CHECKS[row.check].kinds, CHECKS[row.check].wanted
    return KIND_TOML[row.kind]


def parse_row(row: OptionRow, value: Any, where: str) -> Any:
    """A lecture's own option value by its row's kind, choices and bounds (a row without a `check`)."""
    if row.kind in ("number", "whole"):
        parsed = parse_number(value, where, int if row.kind == "whole" else float)
        if not math.isfinite(parsed):
            raise UserError(f"{where}: expected a finite number")
        bounded(row, [parsed], where)
        return parsed
    if row.kind == "numbers":
        items = value if isinstance(value, (list, tuple)) else split_items(value, where)
        numbers = [parse_number(item, where) for item in items]
        bounded(row, numbers, where)
        return numbers
    if row.kind == "names":
        return tuple(split_items(value, where))
    text = str(value)
    if row.kind == "choice" and text not in row.choices:
        raise UserError(f"{where}: choose one of {', '.join(row.choices)}")
    return text


def bounded(row: OptionRow, numbers: list[float], where: str) -> None:
    for number in numbers:
        if (row.min is not None and number < row.min) or (row.max is not None and number > row.max):
            low = f"{row.min:g}" if row.min is not None else "-inf"
            high = f"{row.max:g}" if row.max is not None else "inf"
            raise UserError(f"{where}: {number:g} is outside {low} to {high}")


def fits(kind: str, value: Any) -> bool:
    """Whether a TOML value is of `kind`: text, number, whole, numbers, names or table (of numbers)."""
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
