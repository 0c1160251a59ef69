"""One key for several colour maps drawn on one scale (issue 26): where each map's own key under its name does
not fit (--layers 3,6,6,6,1: fourteen maps in training-step's rows, four terms in a narrow equation), the maps
share one scale, from the least value any of them shows to the largest, and one key says what its colours mean:
the least value, the ramp, the largest, side by side on one line (as the network picture's legend reads).

Measured before it is drawn (`key_extent`), as `MatrixEquation` measures its labels: a layout that makes room
for the key builds nothing."""
from __future__ import annotations

from typing import Iterable

import numpy as np
from manim import RIGHT, Rectangle, MathTex, VGroup

from scenes.kit.formatting import short_tex
from scenes.kit.theme import Theme
from scenes.widgets.network_diagram import KEY_BAR, KEY_CELLS, KEY_DIGITS, surface_ramp, tex_extent

KEY_BUFF = 0.12  # between the key's numbers and its ramp
RAMP_LENGTH = 6.0  # the ramp's width, in ramp heights
KEY_DROP = 0.15  # between what a key explains and the key


def value_range(grids: Iterable[np.ndarray]) -> tuple[float, float]:
    """The least and largest finite value of all `grids` (the shared scale's ends); (0, 1) when none is finite."""
    finite = np.concatenate([np.asarray(g, float).ravel() for g in grids] or [np.zeros(0)])
    finite = finite[np.isfinite(finite)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def key_extent(scale: tuple[float, float], size: float) -> tuple[float, float]:
    """The width and height `scale_key(scale, ..., size)` draws, measured without drawing it."""
    ends = [tex_extent(short_tex(v, KEY_DIGITS), size) for v in scale]
    bar = max(h for _, h in ends) * KEY_BAR
    return ends[0][0] + ends[1][0] + bar * RAMP_LENGTH + 2 * KEY_BUFF, max(bar, *(h for _, h in ends))


def scale_key(scale: tuple[float, float], theme: Theme, size: float) -> VGroup:
    """The least value, the theme's surface ramp, the largest value, on one line, in the theme's muted colour."""
    ends = [MathTex(short_tex(v, KEY_DIGITS), font_size=size, color=theme.muted) for v in scale]
    height = max(e.height for e in ends) * KEY_BAR
    width = height * RAMP_LENGTH
    cells = VGroup(*(Rectangle(width=width / KEY_CELLS, height=height, stroke_width=0).set_fill(c, 1)
                     for c in surface_ramp(theme.surface, KEY_CELLS))).arrange(RIGHT, buff=0)
    bar = VGroup(cells, Rectangle(width=width, height=height, stroke_color=theme.muted, stroke_width=1).move_to(cells))
    return VGroup(ends[0], bar, ends[1]).arrange(RIGHT, buff=KEY_BUFF)
