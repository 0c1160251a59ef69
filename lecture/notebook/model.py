"""What a draft holds, as plain data that is written to the lecture folder as JSON and read back by
the drafted-scene widget: scenes of beats, each beat a narration and one thing to show."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FORMAT = 1  # of draft.json; the widget refuses another


@dataclass
class Beat:
    """One beat: `narration` (captions as written; `[words](name)` points at `show`'s parts) and
    `show`, a dict with a `kind`: title, prose, equation, code or image (see scenes/widgets/drafted.py)."""
    name: str
    narration: str
    show: dict[str, Any]


@dataclass
class DraftScene:
    """A drafted scene (`beats`), or one of the engine's scenes (`engine` names it, `options` its inputs)."""
    id: str
    title: str
    beats: list[Beat] = field(default_factory=list)
    engine: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # where in the notebook it comes from, for notes


@dataclass
class Draft:
    title: str
    scenes: list[DraftScene]
    notes: list[str]  # what was left out, replaced or failed: the lecturer's to-do list
    images: dict[str, bytes] = field(default_factory=dict)  # file name in the folder -> PNG bytes

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "title": self.title, "notes": self.notes,
                "scenes": [asdict(s) for s in self.scenes]}
