"""A small network drawn twice, side by side: as layers of neurons (`NetworkDiagram`) and as matrices
(`MatrixEquation`, one equation such as W1 x + b1 = z1 at a time), with the lecture's motions on both.

Geometry is `scenes.widgets.network_layout`'s (tested: nothing overlaps, all inside its box); this module
only draws it. Every method that moves something returns one animation to `play`, like
`GraphDiagram`'s, and the motion grammar is the scalar graph's: a value travels forward along an
edge and lands in the next neuron (forward colour); a gradient travels back along the same edge,
meets the local derivative written on the edge, and their product lands under the source neuron
(gradient colour), where arrivals add up. Numbers sit on a patch of background (an edge behind never
cuts through the digits); a tensor larger than the engine's MAX_SHOWN_ELEMENTS is a colour map.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Animation, AnimationGroup, BackgroundRectangle, Circle, Create, FadeIn,
                   FadeOut, LaggedStart, Line, ManimColor, MathTex, Mobject, MoveAlongPath, Rectangle,
                   ReplacementTransform, RoundedRectangle, ShowPassingFlash, Square, Succession, SurroundingRectangle,
                   Transform, VGroup, VMobject, color_gradient)

from scenes.kit.formatting import short_tex
from scenes.kit.measure import tex_extent
from scenes.widgets.network_layout import (HEAT_CELL, HEAT_SIDE, Box, Matrix, Operator, equation_layout, neuron_layout,
                                           shows_values)
from scenes.kit.theme import Theme

DIGITS = 3  # significant digits of every number the part-2 pictures show
PATCH_BUFF = 0.04  # background margin around a number
CELL_PAD = (0.1, 0.08)  # around the widest number of a matrix, in its cell
Z_EDGE_GLOW, Z_NODE, Z_NUMBER = 1, 2, 3
Z_TOKEN = 2.5  # a travelling dot: over the neurons and edges, under every number and name it passes (they stay read)
RAMP_STEPS = 64  # colours of a colour map
SIZE_SLACK = 0.5  # points under the theme's smallest size a number may be drawn at (lecture check's text-size tolerance)
RING_GAP, RING_WIDTH = 0.05, 5  # a gradient drawn as a colour: a ring just outside its neuron
KEY_DIGITS = 2  # significant digits of a colour map's key (its least and largest value)
KEY_CELLS = 8  # a colour map's key: its ramp as this many cells, as wide as the name above it
KEY_GAP = 0.06  # between a key's numbers and its ramp, and between a term's name and its key
KEY_ROOM = 0.25  # more room beside a key than between names, so the numbers of two keys side by side read apart
KEY_BAR = 0.8  # a key's ramp is this share of its numbers' height
OPERATOR_SIZE = 1.1  # an operator (+, =) is this much larger than the numbers beside it
KEY_SPREAD = 0.25  # between a key's two numbers, under its ramp's ends (so two keys side by side read apart)


def number_tex(value: float) -> str:
    return short_tex(float(value), DIGITS)


def number(value: float, color: str, size: float, theme: Theme) -> VGroup:
    """A number on a patch of background."""
    tex = MathTex(number_tex(value), font_size=size, color=color)
    patch = BackgroundRectangle(tex, color=ManimColor(theme.background), fill_opacity=0.85, buff=PATCH_BUFF)
    return VGroup(patch, tex).set_z_index(Z_NUMBER)


@lru_cache(maxsize=None)
def surface_ramp(surface: tuple[str, ...], steps: int) -> tuple[ManimColor, ...]:
    """A theme's surface colours spread over `steps` (a colour map's ramp), worked out once per theme: a colour
    map of 36 cells asked for it 36 times, a fifth of building training-step's rows at 3,6,6,6,1."""
    return tuple(color_gradient([ManimColor(c) for c in surface], steps))


def value_range(grids: Iterable[np.ndarray]) -> tuple[float, float]:
    """The least and largest finite value of all `grids` (a colour map's ends, or a shared scale's); (0, 1) when
    none is finite."""
    finite = np.concatenate([np.asarray(g, float).ravel() for g in grids] or [np.zeros(0)])
    finite = finite[np.isfinite(finite)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def ramp_bar(theme: Theme, width: float, height: float) -> VGroup:
    """A key's ramp: the theme's surface colours in KEY_CELLS cells, `width` x `height`, outlined in the muted colour."""
    cells = VGroup(*(Rectangle(width=width / KEY_CELLS, height=height, stroke_width=0).set_fill(c, 1)
                     for c in surface_ramp(theme.surface, KEY_CELLS))).arrange(RIGHT, buff=0)
    return VGroup(cells, Rectangle(width=width, height=height, stroke_color=theme.muted, stroke_width=1).move_to(cells))


def number_extent(value: float, size: float) -> tuple[float, float]:
    """The width and height of `number(value, ..., size, ...)`: its formula on a patch PATCH_BUFF wider each side."""
    width, height = tex_extent(number_tex(value), size)
    return width + 2 * PATCH_BUFF, height + 2 * PATCH_BUFF


def _size_of(mob: Mobject) -> tuple[float, float]:
    return mob.width, mob.height


def _to(mob: Mobject, box: Box) -> Mobject:
    return mob.move_to([box.x, box.y, 0])


def _top(mob: Mobject, box: Box) -> Mobject:
    """`mob` centred across `box`, at its top (a name in a place made as tall as a name with a colour map's key)."""
    return mob.move_to([box.x, box.top - mob.height / 2, 0])


def _path(points: Sequence[np.ndarray]) -> VMobject:
    return VMobject().set_points_smoothly([np.asarray(p) for p in points])


def token(source: Mobject, radius: float = 0.06) -> Mobject:
    """A dot in the colour of `source` (a number, or a colour map's square), where it is: what travels from a cell
    to the cell it feeds, so a moving copy never slides its digits over the numbers it passes; it passes under
    them (and under the names of neurons and terms), so they stay whole while it crosses."""
    glyphs = [m for m in source.family_members_with_points() if isinstance(m, VMobject) and not isinstance(m, BackgroundRectangle)]
    color = glyphs[-1].get_fill_color() if glyphs else source.get_color()  # no glyph: the source's own colour, not a typed one
    return Circle(radius=radius, stroke_width=0).set_fill(color, 1).move_to(source.get_center()).set_z_index(Z_TOKEN)


def _inside(frame: Mobject, bounds: Box) -> Mobject:
    """`frame` (a rectangle) with any side past `bounds` moved in onto it."""
    left, bottom = max(frame.get_left()[0], bounds.left), max(frame.get_bottom()[1], bounds.bottom)
    right, top = min(frame.get_right()[0], bounds.right), min(frame.get_top()[1], bounds.top)
    if (left, bottom, right, top) == (frame.get_left()[0], frame.get_bottom()[1], frame.get_right()[0], frame.get_top()[1]):
        return frame
    return frame.stretch_to_fit_width(right - left).stretch_to_fit_height(top - bottom).move_to([(left + right) / 2, (bottom + top) / 2, 0])


def _there_and_back(mob: Mobject) -> Animation:
    """`mob` lights up and goes again, leaving nothing behind."""
    return Succession(FadeIn(mob, run_time=0.5), FadeOut(mob, run_time=0.5), introducer=True)


# --- neurons in layers ----------------------------------------------------------------------------------
class NetworkDiagram(VGroup):
    """Columns of neurons: the inputs (constant colour, x1, x2, ... inside), the hidden and output
    layers, then the loss (loss colour); every neuron of a column joined to every one of the next.
    `edge(c, i, j)` joins neuron j of column c to neuron i of column c + 1 (the weight W[i, j] of layer c).

    Example (rendered by tests/test_widget_examples.py)::

        from manim import Scene
        from scenes.kit.theme import DARK
        from scenes.widgets.network_diagram import NetworkDiagram
        from scenes.widgets.network_layout import Box

        class NetworkDiagramExample(Scene):
            def construct(self):
                network = NetworkDiagram([2, 3, 1], DARK, Box(0, 0, 12, 6), DARK.small_size)
                self.play(network.grow())
                self.play(network.show_values(0, [1.0, 1.0]))  # the inputs' values, in their neurons
    """

    def __init__(self, layers: Sequence[int], theme: Theme, box: Box, size: float):
        super().__init__()
        self.theme, self.sizes = theme, [*layers, 1]
        probe = number(-0.888, theme.text, size, theme)
        self.layout = neuron_layout(layers, box, _size_of(probe))
        self.size = size * self.layout.scale
        self.nodes = [[self._neuron(c, i, b) for i, b in enumerate(column)] for c, column in enumerate(self.layout.nodes)]
        self.edges: dict[tuple[int, int, int], Line] = {}
        for c in range(len(self.sizes) - 1):
            for i, target in enumerate(self.nodes[c + 1]):
                for j, source in enumerate(self.nodes[c]):
                    self.edges[(c, i, j)] = Line(source.get_right(), target.get_left(), buff=0.02,
                                                 stroke_color=theme.muted, stroke_width=1.6)
        self.add(*self.edges.values(), *[n for column in self.nodes for n in column])
        self.values: dict[tuple[int, int], VGroup] = {}  # what each slot shows now
        self.grads: dict[tuple[int, int], VGroup] = {}
        self.value_range = self.grad_range = 1.0  # a column without numbers colours its values from -range to range

    @property
    def loss_column(self) -> int:
        return len(self.sizes) - 1

    def _neuron(self, c: int, i: int, box: Box) -> VGroup:
        t = self.theme
        if c == len(self.sizes) - 1:
            shape = RoundedRectangle(corner_radius=0.1, width=box.width, height=box.height, stroke_color=t.loss,
                                     stroke_width=3, fill_color=t.panel, fill_opacity=1)
            inside = MathTex("L", font_size=self.size * 1.1, color=t.loss)
        else:
            color = t.constant if c == 0 else t.muted
            shape = Circle(radius=box.width / 2, stroke_color=color, stroke_width=3, fill_color=t.panel, fill_opacity=1)
            inside = MathTex(f"x_{{{i + 1}}}", font_size=self.size, color=t.constant) if c == 0 else VGroup()
        group = _to(VGroup(shape, inside.move_to(shape)) if len(inside) else VGroup(shape), box).set_z_index(Z_NODE)
        inside.set_z_index(Z_NUMBER)  # a neuron's name over the dots that pass it
        return group

    def node(self, c: int, i: int) -> Mobject:
        return self.nodes[c][i][0]

    def edge(self, c: int, i: int, j: int) -> Line:
        return self.edges[(c, i, j)]

    # --- forward ------------------------------------------------------------------------------
    def grow(self) -> Animation:
        """The columns appear left to right, each with the edges that feed it."""
        return LaggedStart(*(self.grow_column(c) for c in range(len(self.nodes))), lag_ratio=0.5)

    def grow_column(self, c: int) -> Animation:
        """Column c appears with the edges that feed it."""
        feeding = [e for (k, _, _), e in self.edges.items() if k == c - 1]
        return AnimationGroup(*(Create(e) for e in feeding), *(FadeIn(n) for n in self.nodes[c]))

    def numbered(self, c: int) -> bool:
        """Column c shows its numbers (else colours: its matrices show the numbers)."""
        return self.layout.labelled[c]

    def shade(self, value: float, extent: float) -> ManimColor:
        """The colour map's colour of `value` on a scale from -extent to extent (the matrices' ramp)."""
        ramp = surface_ramp(self.theme.surface, RAMP_STEPS)
        share = (float(np.clip(np.nan_to_num(value) / (extent or 1.0), -1, 1)) + 1) / 2
        return ramp[int(round(share * (RAMP_STEPS - 1)))]

    def value_label(self, c: int, i: int, value: float, color: str | None = None) -> VGroup:
        box = self.layout.values[c][i]
        if self.numbered(c):
            return _to(number(value, color or self.theme.forward, self.size, self.theme), box)
        disc = Circle(radius=box.width / 2, stroke_color=self.theme.muted, stroke_width=1)
        disc.set_fill(self.shade(value, self.value_range), 1)  # the outline: the map's darkest colour still reads
        return _to(VGroup(disc), box).set_z_index(Z_NUMBER)

    def grad_label(self, c: int, i: int, value: float) -> VGroup:
        box = self.layout.grads[c][i]
        if self.numbered(c):
            return _to(number(value, self.theme.gradient, self.size, self.theme), box)
        ring = Circle(radius=box.width / 2 + RING_GAP, stroke_width=RING_WIDTH, stroke_color=self.shade(value, self.grad_range))
        return _to(VGroup(ring), box).set_z_index(Z_NUMBER)

    def show_values(self, c: int, values: Sequence[float], color: str | None = None) -> Animation:
        """The column's numbers appear above its neurons (the inputs, whose values the data gives)."""
        labels = [self.value_label(c, i, v, color) for i, v in enumerate(values)]
        self.values.update({(c, i): label for i, label in enumerate(labels)})
        return AnimationGroup(*(FadeIn(label, shift=DOWN * 0.1) for label in labels))

    def forward_into(self, c: int, i: int, value: float, run_time: float = 1.2) -> Animation:
        """Neuron i of column c: every value of the column before travels along its edge into it and the
        arrivals become its own value."""
        label = self.value_label(c, i, value)
        target = label.get_center()  # the arrivals end where the neuron's number appears, not over its name (L)
        travellers, moves = [], []
        for j in range(self.sizes[c - 1]):
            edge = self.edge(c - 1, i, j)
            traveller = token(self.values[(c - 1, j)])
            travellers.append(traveller)
            moves += [MoveAlongPath(traveller, _path([traveller.get_center(), edge.get_start(), edge.get_end(), target])),
                      self.flash(edge, self.theme.forward)]
        first, *others = travellers
        old = self.values.get((c, i))
        self.values[(c, i)] = label
        land = [ReplacementTransform(first, label), *(FadeOut(t, target_position=label) for t in others)]
        if old is not None:
            land.append(FadeOut(old))
        return Succession(AnimationGroup(*moves, run_time=0.7 * run_time),
                          AnimationGroup(*land, run_time=0.3 * run_time), introducer=True)

    def activate(self, c: int, values: Sequence[float], only: Sequence[int] | None = None) -> Animation:
        """Each neuron of column c (or those in `only`) passes its number through the activation: z becomes h in place."""
        anims = []
        for i, v in enumerate(values):
            if only is not None and i not in only:
                continue
            label = self.value_label(c, i, v)
            anims += [ReplacementTransform(self.values[(c, i)], label), self.ring(c, i, self.theme.forward)]
            self.values[(c, i)] = label
        return AnimationGroup(*anims)

    def flash(self, edge: Line, color: str, backward: bool = False) -> Animation:
        """A pulse of colour runs along the edge (against it if `backward`)."""
        line = VMobject().set_points(edge.points[::-1] if backward else edge.points)
        return ShowPassingFlash(line.set_stroke(color, width=5).set_z_index(Z_EDGE_GLOW), time_width=0.6)

    # --- backward -----------------------------------------------------------------------------
    def start_backward(self) -> Animation:
        """dL/dL = 1 appears under the loss."""
        c = self.loss_column
        self.grads[(c, 0)] = label = self.grad_label(c, 0, 1.0)
        return AnimationGroup(FadeIn(label, scale=1.4), self.ring(c, 0, self.theme.gradient))

    def column(self, c: int) -> VGroup:
        """The neurons of column c (what the narration points at when it names a layer)."""
        return VGroup(*self.nodes[c])

    def ring(self, c: int, i: int, color: str) -> Animation:
        """Light runs once round the neuron's outline (its fill, and the numbers, stay as they are)."""
        outline = self.node(c, i).copy().set_stroke(color, width=6).set_fill(opacity=0)
        return ShowPassingFlash(outline, time_width=0.6, run_time=1.2)

    def backward_into(self, c: int, j: int, locals_: Sequence[float], products: Sequence[float], total: float,
                      run_time: float = 2.2) -> Animation:
        """Neuron j of column c: the gradient under each neuron i of column c + 1 travels back along the
        edge, meets the local derivative `locals_[i]` written on it, becomes `products[i]`, and the
        products land under j and add up to `total`."""
        t = run_time
        glows, notes, travellers, to_middle, merge, to_node = [], [], [], [], [], []
        target = self.layout.grads[c][j]
        written = self.numbered(c) and self.numbered(c + 1)  # else the matrices carry the numbers
        for i, (local, value) in enumerate(zip(locals_, products)):
            edge = self.edge(c, i, j)
            middle = edge.point_from_proportion(0.5)
            upstream = self.grads[(c + 1, i)]
            traveller = upstream.copy().set_z_index(Z_TOKEN)  # under the numbers it passes on its way
            note = self.on_edge(edge, r"\times " + number_tex(local)) if written else VGroup()
            product = (number(value, self.theme.gradient, self.size, self.theme) if written else
                       VGroup(Circle(radius=0.07, stroke_width=0).set_fill(self.shade(value, self.grad_range), 1))).move_to(middle)
            glows.append(edge.copy().set_stroke(self.theme.highlight, width=4).set_z_index(Z_EDGE_GLOW))
            notes.append(note)
            travellers.append(traveller)
            to_middle.append(MoveAlongPath(traveller, _path([traveller.get_center(), edge.get_end(), middle])))
            merge += [Transform(traveller, product), FadeOut(note, target_position=middle, scale=0.5)]
            to_node.append(MoveAlongPath(traveller, _path([middle, edge.get_start(), [target.x, target.y, 0]])))
        label = self.grad_label(c, j, total)
        self.grads[(c, j)] = label
        first, *others = travellers
        land = [ReplacementTransform(first, label), *(FadeOut(m, target_position=label) for m in others)]
        return Succession(
            AnimationGroup(*(FadeIn(g) for g in glows), *(FadeIn(n, scale=1.3) for n in notes), *to_middle, run_time=0.35 * t),
            AnimationGroup(*merge, run_time=0.2 * t),
            AnimationGroup(*to_node, *(FadeOut(g) for g in glows), run_time=0.3 * t),
            AnimationGroup(*land, run_time=0.15 * t), introducer=True)

    def through_activation(self, c: int, slopes: Sequence[float], deltas: Sequence[float]) -> Animation:
        """Each gradient under column c meets the activation's slope f'(z), written left of it, and becomes delta."""
        steps = []
        for j, (slope, delta) in enumerate(zip(slopes, deltas)):
            old = self.grads[(c, j)]
            # Left of the sum: the column before has no gradients yet (the pass runs right to left), while
            # the column after has, on the same rows (a note on the right ran into the output's delta).
            note = MathTex(r"\times " + number_tex(slope), font_size=self.size, color=self.theme.highlight)
            patch = BackgroundRectangle(note, color=ManimColor(self.theme.background), fill_opacity=0.9, buff=PATCH_BUFF)
            note = VGroup(patch, note).next_to(old, LEFT, buff=0.06).set_z_index(Z_NUMBER)
            if not self.numbered(c):  # colours: the slope is read in the matrices
                note = VGroup().move_to(old)
            label = self.grad_label(c, j, delta)
            self.grads[(c, j)] = label
            steps.append(Succession(FadeIn(note, shift=RIGHT * 0.1, run_time=0.5),
                                    AnimationGroup(ReplacementTransform(old, label), FadeOut(note, target_position=label),
                                                   run_time=0.5), introducer=True))
        return AnimationGroup(*steps)

    def on_edge(self, edge: Line, tex: str) -> VGroup:
        """A small label riding on the middle of an edge (a local derivative)."""
        label = MathTex(tex, font_size=self.size, color=self.theme.highlight)
        patch = BackgroundRectangle(label, color=ManimColor(self.theme.background), fill_opacity=0.9, buff=PATCH_BUFF)
        return VGroup(patch, label).move_to(edge.point_from_proportion(0.5)).set_z_index(Z_NUMBER)

    def shown(self) -> dict[str, str]:
        """The LaTeX of every number on the picture, by slot ("value c,i", "grad c,i"), for the sidecar."""
        out = {f"value {c},{i}": m[1].tex_string for (c, i), m in self.values.items() if self.numbered(c)}
        out.update({f"grad {c},{i}": m[1].tex_string for (c, i), m in self.grads.items() if self.numbered(c)})
        return out



# --- matrices -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """A tensor in an equation: its values (a vector is a column), its name in LaTeX, its role colour;
    `filled` False: its cells start empty and fill in as the scene computes them."""

    name: str
    tex: str
    values: np.ndarray
    color: str
    filled: bool = True

    @property
    def grid(self) -> np.ndarray:
        return np.atleast_2d(np.asarray(self.values, dtype=float).T).T if np.ndim(self.values) == 1 else np.asarray(self.values, float)


@dataclass
class _Drawn:
    """A term on screen. Every cell is in the equation from the start (a cell still to fill is
    transparent), so fading the equation out takes all of it; `texts` is what each cell shows ("" empty)."""

    cells: list[list[Mobject]]  # the number (or colour square) of each cell
    frame: VGroup  # the brackets
    label: Mobject
    texts: list[list[str]]


class MatrixEquation(VGroup):
    """One equation of matrices left to right, e.g. [W1] [x] + [b1] = [z1], each with its name under it.
    `parts` are `Term`s and operators (LaTeX strings). A term up to MAX_SHOWN_ELEMENTS shows its
    numbers; a larger one is a colour map of the theme's surface colours (NaN drawn hollow), its key under its name:
    its ramp from its least value to its largest, those two numbers at its ends. With `wrap`,
    an equation too wide for the box breaks before its "=" when two lines draw it larger. An equation
    whose numbers would be drawn under the theme's smallest readable size draws its largest terms as
    colour maps too (`heat`), largest first, until the rest read. With `draw=False` it only lays itself out
    (its `layout`, `size` and `heat`, for a caller that compares layouts before it draws one).

    Example (rendered by tests/test_widget_examples.py)::

        import numpy as np
        from manim import Scene
        from scenes.kit.theme import DARK
        from scenes.widgets.network_diagram import MatrixEquation, Term
        from scenes.widgets.network_layout import Box

        class MatrixEquationExample(Scene):
            def construct(self):
                w, x = np.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.8]]), np.array([1.0, 1.0])
                equation = MatrixEquation([Term("W1", "W_1", w, DARK.learnable), Term("x", "x", x, DARK.constant), "=",
                                           Term("z1", "z_1", w @ x, DARK.forward)], DARK, Box(0, 0, 12, 5), DARK.label_size)
                self.add(equation)
    """

    def __init__(self, parts: Sequence[Term | str], theme: Theme, box: Box, size: float, wrap: bool = False,
                 heat: Sequence[str] = (), heat_cell: float = HEAT_CELL, keys: bool = True, draw: bool = True):
        super().__init__()
        self.theme, self.size, self.heat_cell = theme, size, heat_cell
        self.shared: tuple[float, float] | None = None  # one scale for all its maps (`use_scale`), else each its own
        self.key: Mobject | None = None  # the one key of maps on one scale, when the caller draws it in the equation
        self.bounds: Box | None = None  # where `spot`'s frames must stay (the content area), if the caller says
        self.terms = {p.name: p for p in parts if isinstance(p, Term)}
        # terms the engine would show with numbers, drawn as colour maps: too small to read here, or `heat` (chosen
        # by a caller that draws several equations at one scale, `scenes.widgets.equation_rows`)
        self.heat: set[str] = set(heat) & set(self.terms)
        self.keys = False  # the colour maps' keys: only where they leave the equation as large as it is without them
        least = theme.small_size - SIZE_SLACK
        while True:
            self._layout(parts, box, size, wrap)
            numbered = [t for t in self.terms.values() if self.shows(t) and t.grid.size > 1]
            if size * self.layout.scale >= least or not numbered:
                break
            self.heat.add(max(numbered, key=lambda t: t.grid.size).name)
        if self.heat and keys:
            self.keys = True
            self._layout(parts, box, size, wrap)
            if size * self.layout.scale < least:  # the keys would shrink it under the smallest size (many maps in a narrow box): without them
                self.keys = False
                self._layout(parts, box, size, wrap)
        scale = self.layout.scale
        self.size = size * scale
        self.drawn: dict[str, _Drawn] = {}
        if not draw:  # only its layout, scale and colour maps wanted (at_one_scale's first pass): nothing built
            return
        for name, term in self.terms.items():
            self.drawn[name] = self._draw(term, self._label(term, size).scale(scale))
        for k, part in enumerate(parts):  # over the dots that travel into a cell: they pass behind a "+" or "=", never over it
            if isinstance(part, str):
                op = MathTex(part, font_size=size * OPERATOR_SIZE, color=theme.text).scale(scale)
                self.add(_to(op, self.layout.operators[f"op{k}"]).set_z_index(Z_NUMBER + 2))

    def _layout(self, parts: Sequence[Term | str], box: Box, size: float, wrap: bool) -> None:
        """Lay the equation out (`self.layout`) with the terms in `self.heat` as colour maps. Measured, not built: a
        formula's extent scales with its size (`tex_extent`), so the tries at other sizes and colour maps build nothing."""
        sizes = {t.name: [number_extent(v, size) for v in t.grid.ravel()] if self.shows(t) else [(0.0, 0.0)]
                 for t in self.terms.values()}  # a colour map's cells: HEAT_CELL
        height = max(h for each in sizes.values() for _, h in each) + CELL_PAD[1]
        cells = {name: (max(w for w, _ in each) + CELL_PAD[0], height) for name, each in sizes.items()}
        for name in self.heat:  # squares, as the layout draws a colour map
            rows, cols = self.terms[name].grid.shape
            side = min(self.heat_cell, HEAT_SIDE / max(rows, cols))
            cells[name] = (side, side)
        specs = [Matrix(p.name, *p.grid.shape) if isinstance(p, Term) else Operator(f"op{k}", *tex_extent(p, size * OPERATOR_SIZE))
                 for k, p in enumerate(parts)]
        equals = next((f"op{k}" for k, p in enumerate(parts) if p == "="), None) if wrap else None
        # a colour map's name has its key under it: then every name's place is as tall, each name at the top of its place
        self.keyed = self.keys and any(not self.shows(t) for t in self.terms.values())
        labels = {t.name: self._label_extent(t, size) for t in self.terms.values()}
        tallest = max(h for _, h in labels.values())
        self.layout = equation_layout(specs, box, cells, {n: (w + (KEY_ROOM if self._has_key(self.terms[n]) else 0.0),
                                                              tallest if self.keyed else h)
                                                          for n, (w, h) in labels.items()}, equals)

    def _place_label(self, label: Mobject, name: str) -> Mobject:
        box = self.layout.labels[name]
        return _top(label, box) if self.keyed else _to(label, box)

    def _has_key(self, term: Term) -> bool:
        return self.keys and not self.shows(term)

    def _label(self, term: Term, size: float) -> Mobject:
        """The term's name; a colour map's with its key under it."""
        name = MathTex(self.name_tex(term), font_size=size, color=term.color)
        if not self._has_key(term):
            return name
        return VGroup(name, self.colour_key(term, size, name.width)).arrange(DOWN, buff=KEY_GAP * 2)

    def _label_extent(self, term: Term, size: float) -> tuple[float, float]:
        """The width and height `_label` draws at `size`, measured without drawing it."""
        width, height = tex_extent(self.name_tex(term), size)
        if not self._has_key(term):
            return width, height
        ends = [tex_extent(short_tex(v, KEY_DIGITS), size) for v in self._range(term)]
        bar = max(width, ends[0][0] + ends[1][0] + KEY_SPREAD)
        key = ends[0][1] * KEY_BAR + KEY_GAP + max(h for _, h in ends)
        return bar, height + KEY_GAP * 2 + key

    def colour_key(self, term: Term, size: float, width: float) -> VGroup:
        """What a colour of the term's map means: its ramp, `width` wide (its name's width, or its numbers'), the least
        value under its left end, the largest under its right end (stacked, so the key takes no more width than the name:
        side by side, the equation drew smaller and more of its terms as colours)."""
        ends = [MathTex(short_tex(v, KEY_DIGITS), font_size=size, color=self.theme.muted) for v in self._range(term)]
        bar = ramp_bar(self.theme, max(width, ends[0].width + ends[1].width + KEY_SPREAD), ends[0].height * KEY_BAR)
        ends[0].next_to(bar, DOWN, buff=KEY_GAP).align_to(bar, LEFT)
        ends[1].next_to(bar, DOWN, buff=KEY_GAP).align_to(bar, RIGHT)
        return VGroup(ends[0], bar, ends[1])

    def _range(self, term: Term) -> tuple[float, float]:
        """The least and largest finite value of a term (its colour map's ends), or the scale its maps share."""
        return self.shared if self.shared is not None else value_range([term.grid])

    def shows(self, term: Term) -> bool:
        """The term is drawn with its numbers (else as a colour map)."""
        return shows_values(*term.grid.shape) and term.name not in self.heat

    def name_tex(self, term: Term) -> str:
        """The term's name, with its shape when it is drawn as a colour map (its numbers are not shown)."""
        rows, cols = term.grid.shape
        return term.tex if self.shows(term) else rf"{term.tex}\ ({rows} \times {cols})"

    def _draw(self, term: Term, label: Mobject) -> _Drawn:
        boxes, frame = self.layout.cells[term.name], self.layout.frames[term.name]
        values = term.grid
        cells = [[self._cell(term, v, b) for v, b in zip(row, brow)] for row, brow in zip(values, boxes)]
        texts = [[number_tex(v) if term.filled else "" for v in row] for row in values]
        drawn = _Drawn(cells, self._brackets(frame), self._place_label(label, term.name).set_z_index(Z_NUMBER), texts)
        self.add(drawn.frame, drawn.label, *[c for row in cells for c in row])
        if not term.filled:
            for row in cells:
                for c in row:
                    c.set_opacity(0)
        return drawn

    def _cell(self, term: Term, value: float, box: Box) -> Mobject:
        """A number, or (for a term too large to show its numbers) a square of the colour map."""
        if self.shows(term):
            return _to(number(value, term.color, self.size, self.theme), box)
        return self._square(term, value, box)

    def _square(self, term: Term, value: float, box: Box) -> Mobject:
        """A cell of a colour map: the theme's surface colours from the term's least finite value to its
        largest; +inf and -inf at the ends, NaN a hollow square."""
        square = Square(side_length=box.width * 0.92, stroke_width=0)
        if np.isnan(value):
            square.set_stroke(self.theme.muted, width=1).set_fill(opacity=0)
        else:
            square.set_fill(self._shade(term, value), opacity=1)
        return _to(square, box)

    def _shade(self, term: Term, value: float) -> ManimColor:
        """The ramp's colour of a finite or infinite `value` of `term`'s map (past the ends of a shared scale: its end)."""
        lo, hi = self._range(term)
        top = RAMP_STEPS - 1
        k = top if value == np.inf else 0 if value == -np.inf else int(round(top * (value - lo) / ((hi - lo) or 1)))
        return surface_ramp(self.theme.surface, RAMP_STEPS)[min(max(k, 0), top)]

    def use_scale(self, scale: tuple[float, float]) -> None:
        """Every colour map of the equation on `scale` (least, largest value), its squares recoloured where they are
        (its layout unchanged); the maps' own keys are not drawn then (one key, `equation_rows.scale_key`, says it)."""
        if self.keys:
            raise ValueError("an equation whose maps have their own keys keeps each map's own scale")
        self.shared = scale
        for name, term in self.terms.items():
            if self.shows(term):
                continue
            for row, values in zip(self.drawn[name].cells, term.grid):
                for square, value in zip(row, values):
                    if not np.isnan(value):
                        square.set_fill(self._shade(term, value), opacity=square.get_fill_opacity())

    def _brackets(self, frame: Box) -> VGroup:
        """Square brackets around a term's cells."""
        serif = 0.07
        def bracket(x: float, inward: float) -> VMobject:
            top, bottom = frame.top, frame.bottom
            return VMobject(stroke_color=self.theme.muted, stroke_width=2).set_points_as_corners(
                [[x + inward, top, 0], [x, top, 0], [x, bottom, 0], [x + inward, bottom, 0]])
        return VGroup(bracket(frame.left + 0.02, serif), bracket(frame.right - 0.02, -serif))

    # --- lookups ------------------------------------------------------------------------------
    def cell(self, name: str, i: int, j: int = 0) -> Mobject:
        return self.drawn[name].cells[i][j]

    def label(self, name: str) -> Mobject:
        return self.drawn[name].label

    def term(self, name: str) -> VGroup:
        """The whole term: its brackets, cells and name (what the narration points at when it reads it)."""
        drawn = self.drawn[name]
        return VGroup(drawn.frame, *[c for row in drawn.cells for c in row], drawn.label)

    def row(self, name: str, i: int) -> VGroup:
        return VGroup(*self.drawn[name].cells[i])

    def column(self, name: str, j: int = 0) -> VGroup:
        return VGroup(*[row[j] for row in self.drawn[name].cells])

    # --- motions ------------------------------------------------------------------------------
    def spot(self, *groups: Mobject) -> Animation:
        """A frame in the highlight colour lights up around each group and goes again; kept inside `bounds`
        when set (a term drawn at the content area's edge: its frame closes in on that side, not past it)."""
        frames = [SurroundingRectangle(g, color=self.theme.highlight, buff=0.04, stroke_width=2.5) for g in groups]
        if self.bounds is not None:
            frames = [_inside(f, self.bounds) for f in frames]
        return AnimationGroup(*(_there_and_back(f) for f in frames))

    def fill(self, name: str, i: int, j: int, sources: Sequence[Mobject], run_time: float = 1.0) -> Animation:
        """Copies of `sources` (cells of other terms) travel into cell (i, j) of `name` and become its number."""
        drawn, term = self.drawn[name], self.terms[name]
        target, value = drawn.cells[i][j], term.grid[i, j]
        drawn.texts[i][j] = number_tex(value)
        filled = self._cell(term, value, self.layout.cells[name][i][j])
        travellers = [token(s) for s in sources]
        moves = [MoveAlongPath(t, _path([t.get_center(), (t.get_center() + target.get_center()) / 2 + UP * 0.25,
                                         target.get_center()])) for t in travellers]
        land = [Transform(target, filled), *(FadeOut(t, scale=0.6) for t in travellers)]
        return Succession(AnimationGroup(*moves, run_time=0.7 * run_time), AnimationGroup(*land, run_time=0.3 * run_time),
                          introducer=True)

    def become(self, name: str, term: Term, rows: Sequence[int] | None = None, rename: bool = True) -> Animation:
        """The term `name` turns into `term` in place (z into h = tanh(z)): numbers, colour and name; only the
        cells of `rows` if given, the name only if `rename` (a term turned row by row, as each is said)."""
        drawn = self.drawn[name]
        self.terms[name] = term
        anims = []
        for (i, row), brow in zip(enumerate(term.grid), self.layout.cells[name]):
            if rows is not None and i not in rows:
                continue
            for (j, v), b in zip(enumerate(row), brow):
                anims.append(Transform(drawn.cells[i][j], self._cell(term, v, b)))
                drawn.texts[i][j] = number_tex(v)
        if rename or (self.keys and not self.shows(term)):  # a colour map's key follows its values
            label = self._place_label(self._label(term, self.size), name)
            if not rename:  # only the key
                label = VGroup(drawn.label[0].copy(), label[1])
            anims.append(Transform(drawn.label, label))
        return AnimationGroup(*anims)

    def others(self, *names: str) -> VGroup:
        """Everything of the equation but the named terms (the operators, the other terms), to reveal it first."""
        taken = {id(m) for name in names for m in self.term(name)}
        return VGroup(*(m for m in self.submobjects if id(m) not in taken))

    def shown(self) -> dict[str, list[list[str]]]:
        """The LaTeX of every number shown now, by term, row by row (empty where a cell is not filled yet): a copy,
        since a term turning into another in place (`become`) rewrites its cells' texts later."""
        return {self.terms[name].tex: [list(row) for row in d.texts] for name, d in self.drawn.items()
                if self.shows(self.terms[name])}
