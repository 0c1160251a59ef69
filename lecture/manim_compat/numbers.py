"""Number readouts drawn as one path of cached glyphs (`scenes.kit.numbers.QuickDecimal`).

A DecimalNumber rebuilds one MathTex copy per character on every `set_value`; six readouts updating
every frame spent most of a render on that. manim has no public hook for how a DecimalNumber lays
out its digits, so the layout method is replaced here, on `QuickDecimal` only, from the lecture
layer (scenes/ may not touch manim's private parts). Without it (`--plain`, or `manim` run on a
scene file) a QuickDecimal is a stock DecimalNumber: the same glyphs and layout, drawn slower.
"""
from __future__ import annotations

import numpy as np

from lecture.manim_compat import require_written_for

require_written_for()

from manim import DEFAULT_FONT_SIZE, ORIGIN, MathTex, VMobject  # noqa: E402 - after the version check

from scenes.kit.numbers import QuickDecimal  # noqa: E402

_glyphs: dict[str, np.ndarray] = {}  # character -> outline points at MathTex's default size


def glyph(char: str) -> np.ndarray:
    if char not in _glyphs:
        points = np.concatenate([m.points for m in MathTex(char).family_members_with_points()])
        _glyphs[char] = points - [points[:, 0].min(), points[:, 1].min(), 0]
    return _glyphs[char]


def set_submobjects_as_one_path(self: QuickDecimal, number: float) -> None:
    """DecimalNumber's layout (bottoms aligned, minus at mid-digit height, commas lowered) in one path."""
    self.number = number
    # manim private: `_get_num_string` (the formatted digits) and `_font_size` (the size asked for).
    text, scale = self._get_num_string(number), self._font_size / DEFAULT_FONT_SIZE
    glyphs, x = [], 0.0
    for i, char in enumerate(text):
        g = glyph(char) * scale + [x, 0, 0]
        x = g[:, 0].max() + self.digit_buff_per_font_unit * self._font_size
        if char == "-" and i + 1 < len(text):
            g[:, 1] += glyph(text[i + 1])[:, 1].max() * scale / 2 - g[:, 1].max()
        elif char == ",":
            g[:, 1] -= g[:, 1].max() / 2
        glyphs.append(g)
    self.submobjects = [VMobject(fill_opacity=self.fill_opacity, stroke_width=0).set_points(np.concatenate(glyphs))]
    self.move_to(ORIGIN)
    self.initial_height = self.height


def install() -> None:
    """From now on, in this process, QuickDecimals lay their digits out as one path."""
    # manim private: DecimalNumber's `__init__` and `set_value` call `_set_submobjects_from_number`.
    QuickDecimal._set_submobjects_from_number = set_submobjects_as_one_path
