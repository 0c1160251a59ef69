"""A lecture's options as a form (the studio's): which options a scene's form shows, keyed as a page's
query names them, and a lecture's own option's current value written as the command line writes it
(the studio's `default_text` writes the others', from the option table).

Keys: a shared option by its name (`lr`), a lecture's own option by its flag (`train-lr`), or, without
one, LECTURE.NAME (`my-talk.w`, as `--set` names it). Plain functions of the lecture: no state.
"""
from __future__ import annotations

from typing import Any

from lecture.options.checks import CHECKS
from lecture.options.table import as_data
from scenes.catalog import Lecture, OptionRow
from scenes.kit.params import LectureParams


def form_rows(lecture: Lecture) -> dict[str, dict[str, Any]]:
    """The options a page of `lecture` may set (the content options, not --config), by key, with `voice`."""
    rows = {row["name"]: row for row in as_data(lecture) if row["lecture_toml"] and row["name"] != "config"}
    voice = next(row for row in as_data() if row["name"] == "voice")
    return {**rows, "voice": voice}


def command_line(lecture: Lecture, values: dict[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """A form's values as `build_params` takes them: options by name or flag, and `--set`s."""
    cli = {k: v for k, v in values.items() if "." not in k and k != "voice"}
    sets = tuple(f"{k}={v}" for k, v in values.items() if k.startswith(f"{lecture.id}."))
    return cli, sets


def as_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(as_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def own_text(row: OptionRow, params: LectureParams) -> str:
    """A lecture's own option's current value: its LectureParams field (a row with a check), else its value."""
    if row.check in CHECKS:
        return as_text(getattr(params, CHECKS[row.check].field))
    return as_text(params.lecture_options.get(row.name, ""))
