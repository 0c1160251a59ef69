"""A formula's size on screen, measured once and scaled, so a layout can try many sizes without drawing.

MathTex scales its glyphs by its font size, so the width and height of `MathTex(tex, font_size=s)` are
those at one size times s / that size. Widgets that fit themselves to a box (MatrixEquation, GraphDiagram)
try several sizes and arrangements before they draw; each try built every name and number again, most of
training-step's time at `--layers 3,6,6,6,1` and a third of grad-fn's. They measure here instead.
A plain number (most of what a layout measures) is measured from its glyphs' extents, without building it, where
the renderer sets numbers from glyphs: its `tex_to_svg_file` (lecture/manim_compat/texnumbers.py) then has an
`extent`, equal to the built one's width and height within 1e-15 (scenes never import the tool: asked of manim).
"""
from __future__ import annotations

from functools import lru_cache

from manim import MathTex
from manim.mobject.text import tex_mobject

MEASURED_AT = 48.0  # the font size a formula's extent is measured at


@lru_cache(maxsize=None)
def _extent_per_point(tex: str) -> tuple[float, float]:
    extent = getattr(tex_mobject.tex_to_svg_file, "extent", None)  # what sets MathTex's numbers, if it measures them
    glyphs = extent(tex, MEASURED_AT) if extent is not None else None
    if glyphs is not None:
        return glyphs[0] / MEASURED_AT, glyphs[1] / MEASURED_AT
    mob = MathTex(tex, font_size=MEASURED_AT)
    return mob.width / MEASURED_AT, mob.height / MEASURED_AT


def tex_extent(tex: str, size: float) -> tuple[float, float]:
    """The width and height of `MathTex(tex, font_size=size)`, without building it (after the first time)."""
    width, height = _extent_per_point(tex)
    return width * size, height * size
