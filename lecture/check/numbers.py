"""numbers: every number the narration says is on screen and is the engine's.

The said numbers are the narration's digits as the sidecar keeps it (the voice turns them into words);
the screen's are the numbers in every text drawn up to the end of the beat (its record: a beat may
recall a value shown before), the engine's the values the scene recorded (sidecar `values`, which the
narration is filled from). A number matches when one rounds to the other (the screen keeps more digits
than speech). Whole numbers are counts ("2 inputs", "an 11 by 11 grid", "20 steps"), shown by the
things counted: they must be the engine's, not on screen; whole numbers under 10 are not checked."""
from __future__ import annotations

import re
from typing import Any, Iterable

from lecture.check.geometry import Record
from lecture.check.rules import Finding

NUMBER = re.compile(r"(?<![\w.^_/])[-−]?\d+(?:\.\d+)?(?![\w/])")
SMALL_COUNT = 10  # whole numbers below this are counts, not values


def numbers_in(text: str) -> list[tuple[float, int]]:
    """(value, decimals) of every number written in `text` (TeX's minus and a typographic one too)."""
    text = text.replace(r"\minus", "-").replace("{,}", "")
    found = []
    for m in NUMBER.finditer(text):
        token = m.group().replace("−", "-")
        found.append((float(token), len(token.partition(".")[2])))
    return found


def flat(values: Any) -> Iterable[float]:
    if isinstance(values, bool):
        return
    if isinstance(values, (int, float)):
        yield float(values)
    elif isinstance(values, dict):
        for v in values.values():
            yield from flat(v)
    elif isinstance(values, (list, tuple)):
        for v in values:
            yield from flat(v)
    elif isinstance(values, str):
        yield from (v for v, _ in numbers_in(values))


def same(said: tuple[float, int], other: tuple[float, int]) -> bool:
    """One rounds to the other: the coarser's last digit decides."""
    places = min(said[1], other[1])
    return abs(said[0] - other[0]) <= 0.5 * 10 ** -places + 1e-9


def check(record: Record | None, sidecar: dict[str, Any]) -> list[Finding]:
    scene, theme = sidecar.get("scene", ""), sidecar.get("theme", "")
    engine = [(v, 12) for v in flat(sidecar.get("values", {}))]
    findings = []
    for section in sidecar.get("sections", []):
        said = [n for n in numbers_in(section.get("narration", "")) if not (n[1] == 0 and abs(n[0]) < SMALL_COUNT)]
        if not said:
            continue
        shown = []
        if record is not None:
            labels = {d.label for s in record.snapshots if s.t <= section["end"] + 1e-3 for d in s.texts}
            shown = [n for label in labels for n in numbers_in(label)]
        for number in said:
            text = f"{number[0]:.{number[1]}f}"
            if record is not None and number[1] > 0 and not any(same(number, n) for n in shown):
                findings.append(Finding("numbers", scene, section["name"], section["start"],
                                        f"the narration says {text}, which no text on screen shows by the end of this beat", [text], None, theme))
            if not any(same(number, n) for n in engine):
                findings.append(Finding("numbers", scene, section["name"], section["start"],
                                        f"the narration says {text}, which is none of the values the scene recorded", [text], None, theme))
    return findings
