"""A title that stays on one line at every quality.

manim's Text lays its words out with Pango on a canvas as wide as the output's pixels, so at a small
quality (`-q t`, 256 pixels wide) a title breaks into two lines and runs down onto the content below
it. `OneLineHeading.heading` makes the title on a canvas as wide as a 4K frame, then scales it down
to the frame's width between the margins if it is wider (it never is at the lecture's titles).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from manim import config

WIDE_CANVAS = 3840  # pixels: Pango's layout width while a title is made


@contextmanager
def wide_text_canvas() -> Iterator[None]:
    """Text made inside is laid out as at a 4K render: it breaks only where its own newlines are."""
    saved = config.pixel_width
    config.pixel_width = max(saved, WIDE_CANVAS)
    try:
        yield
    finally:
        config.pixel_width = saved


class OneLineHeading:
    """Mixin of a `LectureScene` (before it in the bases): its title band never wraps."""

    def heading(self, content: str) -> Any:
        with wide_text_canvas():
            title = super().heading(content)
        room = config.frame_width - 2 * self.theme.margin
        return title.scale_to_fit_width(room) if title.width > room else title
