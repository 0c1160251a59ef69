"""text-size: text drawn smaller than the theme's smallest readable size (a network scaled to fit,
a formula shrunk into a panel). The size is manim's own measure of the drawn text (its height against
the height it was made with), in the points the theme's sizes are given in; the message gives the
tallest glyph's height at 480p."""
from __future__ import annotations

from lecture.check.geometry import Record
from lecture.check.rules import FAINT_OPACITY, PX_PER_UNIT, SIZE_TOLERANCE, Finding
from scenes.kit.theme import get_theme


def glyph_px(parts: list[dict]) -> float:
    heights = [max(p[1::2]) - min(p[1::2]) for part in parts for p in part.get("paths", ()) if p]
    return max(heights, default=0.0) * PX_PER_UNIT


def check(record: Record) -> list[Finding]:
    smallest = get_theme(record.theme or "dark").small_size
    findings = []
    for snap in record.snapshots:
        if snap.at not in ("end", "beat-end"):
            continue  # read where it rests: a text being written or growing is not yet its size
        for text in snap.texts:
            size = text.font_size
            if 0 < size < smallest - SIZE_TOLERANCE and text.opacity >= FAINT_OPACITY and not text.moving:
                findings.append(Finding("text-size", record.scene, snap.beat, snap.t,
                                        f"{text.name()} is drawn at {size:.1f} pt (tallest glyph {glyph_px(text.parts):.0f} px "
                                        f"at 480p), under the theme's smallest {smallest:g}", [text.name()],
                                        [round(v, 3) for v in text.box], record.theme))
    return findings
