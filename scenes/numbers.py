"""Numbers that change on screen every frame, drawn cheaply."""
from __future__ import annotations

from typing import ClassVar

import numpy as np
from manim import DEFAULT_FONT_SIZE, ORIGIN, DecimalNumber, MathTex, VMobject


class QuickDecimal(DecimalNumber):
    """A DecimalNumber drawn as one path of cached glyphs: six readouts updating every frame would
    otherwise spend most of the render copying one MathTex per character. Same glyphs and layout."""

    _glyphs: ClassVar[dict[str, np.ndarray]] = {}  # character -> outline points at MathTex's default size

    @classmethod
    def glyph(cls, char: str) -> np.ndarray:
        if char not in cls._glyphs:
            points = np.concatenate([m.points for m in MathTex(char).family_members_with_points()])
            cls._glyphs[char] = points - [points[:, 0].min(), points[:, 1].min(), 0]
        return cls._glyphs[char]

    def _set_submobjects_from_number(self, number: float) -> None:
        """DecimalNumber's layout (bottoms aligned, minus at mid-digit height, commas lowered) in one path."""
        self.number = number
        text, scale = self._get_num_string(number), self._font_size / DEFAULT_FONT_SIZE
        glyphs, x = [], 0.0
        for i, char in enumerate(text):
            g = self.glyph(char) * scale + [x, 0, 0]
            x = g[:, 0].max() + self.digit_buff_per_font_unit * self._font_size
            if char == "-" and i + 1 < len(text):
                g[:, 1] += self.glyph(text[i + 1])[:, 1].max() * scale / 2 - g[:, 1].max()
            elif char == ",":
                g[:, 1] -= g[:, 1].max() / 2
            glyphs.append(g)
        self.submobjects = [VMobject(fill_opacity=self.fill_opacity, stroke_width=0).set_points(np.concatenate(glyphs))]
        self.move_to(ORIGIN)
        self.initial_height = self.height
