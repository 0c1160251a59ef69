"""Several matrix equations drawn at one scale, so a 1 x 3 row and a 3 x 2 matrix show numbers of one
size side by side (each `MatrixEquation` alone grows or shrinks to fill its own box)."""
from __future__ import annotations

from typing import Sequence

from scenes.widgets.network_diagram import MatrixEquation, Term
from scenes.widgets.network_layout import Box
from scenes.kit.theme import Theme


def at_one_scale(equations: Sequence[Sequence[Term | str]], boxes: Sequence[Box], theme: Theme,
                 size: float) -> list[MatrixEquation]:
    """Each equation in its box, all at the scale of the one that must shrink most (or grow least): a box
    shrunk about its centre by (that scale / the equation's own) gives exactly that scale."""
    alone = [MatrixEquation(parts, theme, box, size).layout.scale for parts, box in zip(equations, boxes)]
    common = min(alone)
    return [MatrixEquation(parts, theme, Box(box.x, box.y, box.width * common / own, box.height * common / own), size)
            for parts, box, own in zip(equations, boxes, alone)]


def side_by_side(equations: Sequence[Sequence[Term | str]], box: Box, theme: Theme, size: float,
                 gap: float) -> list[MatrixEquation]:
    """The equations left to right across `box`, each given a width in proportion to its own natural
    width (measured once at scale 1), `gap` apart, all at one scale."""
    natural = []
    for parts in equations:
        drawn = MatrixEquation(parts, theme, box, size)
        natural.append(drawn.width / drawn.layout.scale)
    total, slots, left = sum(natural), [], box.left
    for width in natural:
        share = width / total * box.width
        slots.append(Box(left + share / 2, box.y, share - gap, box.height))
        left += share
    return at_one_scale(equations, slots, theme, size)
