"""Several matrix equations drawn at one scale, so a 1 x 3 row and a 3 x 2 matrix show numbers of one
size side by side (each `MatrixEquation` alone grows or shrinks to fill its own box); rows of them
stacked in an area (`in_rows`), their terms turned into colour maps, largest first, where the numbers
would be drawn under the theme's smallest readable size.

One key for several colour maps drawn on one scale (issue 26): where each map's own key under its name does
not fit (--layers 3,6,6,6,1: fourteen maps in training-step's rows, three terms in mlp-forward's narrow
equation), the maps share one scale, from the least value any of them shows to the largest, and one key says
what its colours mean: the least value, the ramp, the largest, side by side on one line (as the network
picture's legend reads). Measured before it is drawn (`key_extent`), as `MatrixEquation` measures its labels."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import DOWN, RIGHT, MathTex, VGroup

from scenes.kit.formatting import short_tex
from scenes.kit.measure import tex_extent
from scenes.widgets.network_diagram import KEY_BAR, KEY_DIGITS, SIZE_SLACK, MatrixEquation, Term, ramp_bar, value_range
from scenes.widgets.network_layout import HEAT_CELL, Box
from scenes.kit.theme import Theme

ROW_GAP = 0.15  # between two rows of `in_rows`
HUGE = Box(0, 0, 1000, 1000)  # a box no equation fills: it is drawn at its natural size (times MAX_GROW)
KEY_BUFF = 0.12  # between the key's numbers and its ramp
RAMP_LENGTH = 6.0  # the ramp's width, in ramp heights
KEY_DROP = 0.15  # between what a key explains and the key


def key_extent(scale: tuple[float, float], size: float) -> tuple[float, float]:
    """The width and height `scale_key(scale, ..., size)` draws, measured without drawing it."""
    ends = [tex_extent(short_tex(v, KEY_DIGITS), size) for v in scale]
    bar = max(h for _, h in ends) * KEY_BAR
    return ends[0][0] + ends[1][0] + bar * RAMP_LENGTH + 2 * KEY_BUFF, max(bar, *(h for _, h in ends))


def scale_key(scale: tuple[float, float], theme: Theme, size: float) -> VGroup:
    """The least value, the theme's surface ramp, the largest value, on one line, in the theme's muted colour."""
    ends = [MathTex(short_tex(v, KEY_DIGITS), font_size=size, color=theme.muted) for v in scale]
    height = max(e.height for e in ends) * KEY_BAR
    return VGroup(ends[0], ramp_bar(theme, height * RAMP_LENGTH, height), ends[1]).arrange(RIGHT, buff=KEY_BUFF)


def keyed_equation(parts: Sequence[Term | str], theme: Theme, box: Box, size: float, wrap: bool = False,
                   also: dict[str, np.ndarray] | None = None) -> MatrixEquation:
    """`MatrixEquation(parts, theme, box, size, wrap=wrap)`; where its colour maps have no room for their own keys
    under their names, all its maps on one scale (the least to the largest value they show, and `also[name]`:
    the values the map of term `name` turns into later, z into h) and one key for them under the equation
    (`eq.key`), the equation laid out in `box` less the key's room when the key would not fit under it."""
    eq = MatrixEquation(parts, theme, box, size, wrap=wrap)
    if not eq.heat or eq.keys:
        return eq

    def shared(eq: MatrixEquation) -> tuple[float, float]:
        maps = [name for name, t in eq.terms.items() if not eq.shows(t)]
        return value_range([eq.terms[n].grid for n in maps] + [np.asarray(also[n]) for n in maps if n in (also or {})])

    room = key_extent(shared(eq), eq.size)[1] + KEY_DROP
    if eq.get_bottom()[1] - room < box.bottom - 1e-6:
        eq = MatrixEquation(parts, theme, Box(box.x, box.y + room / 2, box.width, box.height - room), size, wrap=wrap,
                            heat=sorted(eq.heat), keys=False)
    eq.use_scale(shared(eq))
    eq.key = scale_key(eq.shared, theme, eq.size).next_to(eq, DOWN, buff=KEY_DROP)
    eq.add(eq.key)
    return eq


def at_one_scale(equations: Sequence[Sequence[Term | str]], boxes: Sequence[Box], theme: Theme,
                 size: float, heat: Sequence[Sequence[str]] | None = None, heat_cell: float = HEAT_CELL,
                 keys: bool = True) -> list[MatrixEquation]:
    """Each equation in its box, all at the scale of the one that must shrink most (or grow least): a box
    shrunk about its centre by (that scale / the equation's own) gives exactly that scale. `heat[k]`: terms
    of equation k drawn as colour maps, their cells `heat_cell` wide at most; `keys`: their maps' keys where they fit."""
    heat = heat or [()] * len(equations)
    alone = [MatrixEquation(parts, theme, box, size, heat=h, heat_cell=heat_cell, keys=keys, draw=False)
             for parts, box, h in zip(equations, boxes, heat)]
    common = min(eq.layout.scale for eq in alone)
    return [MatrixEquation(parts, theme, Box(box.x, box.y, box.width * common / eq.layout.scale,
                                             box.height * common / eq.layout.scale), size, heat=sorted(eq.heat),
                           heat_cell=heat_cell, keys=keys)
            for parts, box, eq in zip(equations, boxes, alone)]


def side_by_side(equations: Sequence[Sequence[Term | str]], box: Box, theme: Theme, size: float,
                 gap: float) -> list[MatrixEquation]:
    """The equations left to right across `box`, each given a width in proportion to its own natural
    width (measured once at scale 1), `gap` apart, all at one scale. Where that draws numbers under the
    theme's smallest size, the largest terms with numbers (all of that many numbers at once) become colour
    maps, until the rest read."""
    least = theme.small_size - SIZE_SLACK
    heat: list[set[str]] = [set() for _ in equations]
    while True:
        natural = []
        for parts, h in zip(equations, heat):
            drawn = MatrixEquation(parts, theme, box, size, heat=sorted(h))
            natural.append(drawn.width / drawn.layout.scale)
        total, slots, left = sum(natural), [], box.left
        for width in natural:
            share = width / total * box.width
            slots.append(Box(left + share / 2, box.y, share - gap, box.height))
            left += share
        drawn = at_one_scale(equations, slots, theme, size, [sorted(h) for h in heat])
        if min(eq.size for eq in drawn) >= least:
            return drawn
        numbered = [(eq.terms[name].grid.size, k, name) for k, eq in enumerate(drawn) for name in eq.terms
                    if eq.shows(eq.terms[name]) and eq.terms[name].grid.size > 1]
        if not numbered:  # still too small side by side: one under the other, if that draws them larger
            if len(equations) == 1:
                return drawn
            stacked, _ = in_rows([[parts] for parts in equations], box, theme, size, gap, [1.0] * len(equations), heat)
            smallest = min(eq.size for row in stacked for eq in row)
            return [row[0] for row in stacked] if smallest > min(eq.size for eq in drawn) else drawn
        most = max(n for n, _, _ in numbered)
        for k, eq in enumerate(drawn):
            heat[k] |= eq.heat | {name for n, j, name in numbered if j == k and n == most}


def natural_height(parts: Sequence[Term | str], theme: Theme, size: float, heat: set[str], heat_cell: float) -> float:
    """The equation's height drawn at `size`, unscaled."""
    eq = MatrixEquation(parts, theme, HUGE, size, heat=sorted(heat), heat_cell=heat_cell)
    return eq.height / eq.layout.scale


def row_boxes(area: Box, heights: Sequence[float], columns: int, gap: float) -> list[list[Box]]:
    """The area cut into rows as tall as `heights` in proportion, each into `columns` equal columns,
    `gap` between columns and rows."""
    boxes, top, width = [], area.top, area.width / columns
    for share in heights:
        height = area.height * share / sum(heights)
        boxes.append([Box(area.left + (k + 0.5) * width, top - height / 2, width - gap, height - ROW_GAP)
                      for k in range(columns)])
        top -= height
    return boxes


def heat_the_largest(drawn: list[list[MatrixEquation]], heat: list[set[str]]) -> bool:
    """Add the largest terms still shown with numbers, in every row, to the rows' colour maps (`heat`); False
    when every term already is one."""
    numbered = [(eq.terms[name].grid.size, k, name) for k, row in enumerate(drawn) for eq in row for name in eq.terms
                if eq.shows(eq.terms[name]) and eq.terms[name].grid.size > 1]
    most = max((n for n, _, _ in numbered), default=0)
    for n, k, name in numbered:
        if n == most:
            heat[k].add(name)
    return bool(numbered)


def in_rows(rows: Sequence[Sequence[Sequence[Term | str]]], area: Box, theme: Theme, size: float, gap: float,
            heights: Sequence[float], heat: Sequence[set[str]] | None = None,
            heat_cell: float = HEAT_CELL, keys: bool = True) -> tuple[list[list[MatrixEquation]], list[set[str]]]:
    """Rows of equations (row k: its equations side by side in equal columns) stacked in `area`, all at one
    scale. The rows take `heights` in proportion; when that draws the numbers under the theme's smallest size,
    each row takes its natural height instead and the largest terms of every row with numbers become colour
    maps (all terms of that many numbers at once, so a matrix and its gradient stay alike), until the rest
    read; when every term is a colour map and the names are still too small, the maps' cells shrink (to half
    of HEAT_CELL at least). `heat[k]`: terms of row k already drawn as colour maps; `heat_cell`: the side of a
    map's cell to start from (larger where the maps have the room to themselves); `keys` False: no map has its own key
    (the caller draws one for all, `scale_key`). Returns the equations and each row's heat."""
    least = theme.small_size - SIZE_SLACK
    columns = max(len(row) for row in rows)
    heat = [set(h) for h in heat] if heat else [set() for _ in rows]
    cell = heat_cell

    def place(shares: Sequence[float], keys: bool = keys) -> list[list[MatrixEquation]]:
        boxes = row_boxes(area, shares, columns, gap)
        flat = at_one_scale([parts for row in rows for parts in row], [b for row, bs in zip(rows, boxes) for b in bs[:len(row)]],
                            theme, size, [sorted(h) for row, h in zip(rows, heat) for _ in row], cell, keys)
        out, k = [], 0
        for row in rows:
            out.append(flat[k:k + len(row)])
            k += len(row)
        return out

    def smallest(drawn: list[list[MatrixEquation]]) -> float:
        return min(eq.size for row in drawn for eq in row)

    shares = heights
    drawn = place(heights)
    while smallest(drawn) < least:
        for k, row in enumerate(drawn):
            heat[k] |= {name for eq in row for name in eq.heat}
        natural = [max(natural_height(parts, theme, size, heat[k], cell) for parts in row) + ROW_GAP for k, row in enumerate(rows)]
        shares = natural
        drawn = place(natural)
        if smallest(drawn) >= least:
            break
        if not heat_the_largest(drawn, heat):
            if cell <= HEAT_CELL / 2 + 1e-9:
                break
            cell = max(HEAT_CELL / 2, cell * 0.8)
    if any(eq.heat and not eq.keys for row in drawn for eq in row):  # keys on every map of the rows, or on none
        drawn = place(shares, keys=False)
    for k, row in enumerate(drawn):
        heat[k] |= {name for eq in row for name in eq.heat}
    return drawn, heat
