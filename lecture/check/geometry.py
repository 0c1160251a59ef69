"""A recorded clip's geometry (`lecture.manim_compat.record`) as texts and shapes per snapshot, and
their ink as masks at 480p."""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from lecture import UserError
from lecture.check.rules import PX_PER_UNIT

FORMAT = 2
FADING = {"FadeOut", "FadeIn", "FadeTransform", "FadeTransformPieces", "ReplacementTransform", "Transform",
          "TransformMatchingTex", "TransformMatchingShapes", "Uncreate", "Unwrite", "Write", "Create",
          "AddTextLetterByLetter", "RemoveTextLetterByLetter", "ShrinkToCenter", "FadeToColor"}  # what appears, goes or
# turns into another thing: not moved rigidly (a text under one of these is a cross-fade, not an overlap)


@dataclass
class Drawn:
    """One text (all its glyphs) or one shape or image, as drawn in one snapshot."""
    uid: int
    kind: str  # text, shape, image
    label: str
    order: int  # draw order of its first part: what is drawn later covers it
    parts: list[dict[str, Any]] = field(default_factory=list)
    moving: str = ""  # the animation moving it in this play, if any

    @cached_property
    def box(self) -> tuple[float, float, float, float]:
        xs, ys = [], []
        for part in self.parts:
            if "box" in part:
                xs += part["box"][0::2]
                ys += part["box"][1::2]
            for path in part.get("paths", ()):
                xs += path[0::2]
                ys += path[1::2]
        if not xs:
            return (0.0, 0.0, 0.0, 0.0)
        return (min(xs), min(ys), max(xs), max(ys))

    @property
    def opacity(self) -> float:
        """The text's or shape's strongest ink: its fill, or its stroke where it has no fill."""
        return max((max(p.get("fill", [0, 0, 0, 0])[3], p.get("stroke", [0, 0, 0, 0])[3] if p.get("stroke_width", 0) > 0 else 0)
                    for p in self.parts), default=1.0) if self.kind != "image" else 1.0

    @property
    def groups(self) -> list[int]:
        """The groups it is drawn in, outermost first (its first part's)."""
        return self.parts[0].get("groups", []) if self.parts else []

    @property
    def font_size(self) -> float:
        return self.parts[0].get("font_size", 0.0) if self.parts else 0.0

    @property
    def colour(self) -> list[float]:
        """A text's colour: its first glyph's fill."""
        return next((p["fill"] for p in self.parts if p.get("fill", [0, 0, 0, 0])[3] > 0), [0, 0, 0, 0])

    def name(self) -> str:
        return f'"{self.label}"' if self.kind == "text" else self.label

    @cached_property
    def signature(self) -> int:
        """A hash of what it draws (kind, paths, colours, images): equal in two snapshots when it drew the
        same pixels in both, so a rule can reuse what it measured (contrast: a text at rest is checked again
        at every play's end)."""
        return hash((self.kind, self.order, tuple(_part_signature(part) for part in self.parts)))


def _part_signature(part: dict[str, Any]) -> tuple:
    return tuple((key, _frozen(value)) for key, value in sorted(part.items()) if key != "groups")


def _frozen(value: Any) -> Any:
    """Lists as tuples, all the way down (a path, a list of numbers, in one step)."""
    if not isinstance(value, list):
        return value
    return tuple(map(_frozen, value)) if value and isinstance(value[0], list) else tuple(value)


@dataclass
class Snapshot:
    t: float
    beat: str
    at: str  # start, mid, end (of a play) or beat-end
    drawn: list[Drawn]

    @property
    def texts(self) -> list[Drawn]:
        return [d for d in self.drawn if d.kind == "text"]


@dataclass
class Record:
    scene: str
    title: str
    theme: str
    background: str
    frame: tuple[float, float]
    snapshots: list[Snapshot]
    group_types: dict[int, str] = field(default_factory=dict)  # a group's uid -> its type (Axes, VGroup, ...)
    tracks: list[tuple[float, dict[int, tuple[float, float]]]] = field(default_factory=list)  # per frame of a tracked
    # motion: its time and the centre of each member it moves, by the member's uid (a shape's uid)


def load(path: Path) -> Record:
    try:
        with gzip.open(path, "rb") as source:
            data = json.loads(source.read())
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not a geometry record ({err}); run `lecture check` again to render it") from None
    if data.get("format") != FORMAT:
        raise UserError(f"{path}: geometry record format {data.get('format')}, this tool reads {FORMAT}; render again")
    shapes = data["shapes"]
    snapshots = []
    for snap in data["snapshots"]:
        groups: dict[tuple[str, int], Drawn] = {}
        for order, (index, moving) in enumerate(snap["items"]):
            shape = shapes[index]
            key = ("text", shape["text"]) if shape["kind"] == "text" else (shape["kind"], shape["uid"])
            drawn = groups.get(key)
            if drawn is None:
                drawn = groups[key] = Drawn(key[1], shape["kind"], shape.get("label", ""), order)
            drawn.parts.append(shape)
            drawn.moving = drawn.moving or moving
        snapshots.append(Snapshot(snap["t"], snap["beat"], snap["at"], list(groups.values())))
    return Record(data["scene"], data.get("title", ""), data.get("theme", ""), data.get("background", "#000000"),
                  tuple(data["frame"]), snapshots, {int(k): v for k, v in data.get("groups", {}).items()},
                  [(f["t"], {uid: (x, y) for uid, x, y in f["c"]}) for f in data.get("tracks", [])])


def to_px(box: tuple[float, float, float, float], frame: tuple[float, float]) -> tuple[int, int, int, int]:
    """A scene box as 480p pixel bounds (x0, y0, x1, y1), y down."""
    w, h = frame
    x0, y0, x1, y1 = box
    return (int(np.floor((x0 + w / 2) * PX_PER_UNIT)), int(np.floor((h / 2 - y1) * PX_PER_UNIT)),
            int(np.ceil((x1 + w / 2) * PX_PER_UNIT)), int(np.ceil((h / 2 - y0) * PX_PER_UNIT)))


def intersect(a: tuple, b: tuple) -> tuple | None:
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def ink(drawn: Drawn, region: tuple[int, int, int, int], frame: tuple[float, float], strokes: bool = True) -> np.ndarray:
    """Where `drawn` puts paint inside `region` (480p pixels): its fills (even-odd, as glyphs with holes
    are drawn) and, where `strokes`, its strokes at their width."""
    x0, y0, x1, y1 = region
    size = (max(x1 - x0, 1), max(y1 - y0, 1))
    w, h = frame
    mask = np.zeros((size[1], size[0]), dtype=bool)
    for part in drawn.parts:
        if "box" in part:  # an image: its whole box
            bx0, by0, bx1, by1 = to_px(tuple(part["box"]), frame)
            mask[max(by0 - y0, 0):max(by1 - y0, 0), max(bx0 - x0, 0):max(bx1 - x0, 0)] = True
            continue
        filled = part["fill"][3] > 0.05
        stroked = strokes and part["stroke"][3] > 0.05 and part["stroke_width"] > 0
        if not (filled or stroked):
            continue
        for path in part["paths"]:
            xy = [((path[i] + w / 2) * PX_PER_UNIT - x0, (h / 2 - path[i + 1]) * PX_PER_UNIT - y0)
                  for i in range(0, len(path), 2)]
            if len(xy) < 2:
                continue
            image = Image.new("1", size, 0)
            draw = ImageDraw.Draw(image)
            if filled and len(xy) > 2:
                draw.polygon(xy, fill=1)
                mask ^= np.asarray(image, dtype=bool)
                image = Image.new("1", size, 0)
                draw = ImageDraw.Draw(image)
            if stroked:  # manim's stroke width is a hundredth of a unit per point of width
                draw.line(xy, fill=1, width=max(1, round(part["stroke_width"] * 0.01 * PX_PER_UNIT)))
                mask |= np.asarray(image, dtype=bool)
    return mask


def scene_box(px: tuple[int, int, int, int], frame: tuple[float, float]) -> list[float]:
    """480p pixel bounds (`to_px`'s) as a scene box (x0, y0, x1, y1), y up."""
    w, h = frame
    return [round(px[0] / PX_PER_UNIT - w / 2, 3), round(h / 2 - px[3] / PX_PER_UNIT, 3),
            round(px[2] / PX_PER_UNIT - w / 2, 3), round(h / 2 - px[1] / PX_PER_UNIT, 3)]


def union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def listed(items: list[str], most: int = 5) -> str:
    return "; ".join(items[:most]) + (f" (and {len(items) - most} more)" if len(items) > most else "")


def glyph_inks(text: Drawn, box: tuple, frame: tuple) -> list[np.ndarray]:
    """Each glyph's ink of `text` inside `box` (480p pixels), the glyphs with no ink there left out."""
    masks = (ink(Drawn(text.uid, text.kind, text.label, text.order, [part]), box, frame) for part in text.parts)
    return [m for m in masks if m.any()]


def hidden_share(letters: np.ndarray, glyphs: list[np.ndarray], cover: np.ndarray) -> float:
    """How much of a text a shape hides: the share of the text's ink (`letters`) it covers (`cover`), or of one of
    its glyphs' where that is more (a dot over a digit misreads the number as much as a box over the whole of it).
    The one measure of a text hidden under a shape, at the snapshots (overlap.py) and along a path (sweep.py)."""
    if not cover.any():
        return 0.0
    return float(max([(cover & letters).sum() / max(int(letters.sum()), 1)] +
                     [(cover & glyph).sum() / glyph.sum() for glyph in glyphs]))
