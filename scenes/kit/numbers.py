"""Numbers that change on screen every frame, drawn cheaply."""
from __future__ import annotations

from manim import DecimalNumber


class QuickDecimal(DecimalNumber):
    """A DecimalNumber for readouts that change every frame. The lecture's renderer draws its digits
    as one path of cached glyphs (`lecture.manim_compat.numbers`: that needs manim's private layout
    method, which scenes/ do not touch); with stock manim it is a DecimalNumber, same glyphs and layout."""
