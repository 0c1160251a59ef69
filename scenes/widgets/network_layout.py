"""Where the network widget puts things, as plain boxes: the frame split into a picture of neurons and a
panel of code and matrices, the neurons in columns (one per layer, then the loss), and a matrix
equation such as W1 x + b1 = z1 as grids of cells. Pure Python (no manim), so the promises the
scenes rely on are tested alone (tests/test_network_layout.py): for any allowed network, nothing
overlaps and everything stays inside its box.

The widget measures its text (a number's width and height, the code's size) and passes the sizes in;
a picture that would not fit at those sizes is scaled down as a whole (`scale`), text included, and
one with room to spare is drawn up to MAX_GROW times larger, so small networks read better.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

from engine.limits import MAX_SHOWN_ELEMENTS

NODE_RADIUS = 0.3  # a neuron, before any scaling to the box
LABEL_GAP = 0.06  # between a neuron and the number above or under it
ROW_PAD = 0.16  # between the numbers of two stacked neurons
COLUMN_GAP = (1.0, 2.4)  # least and most distance between the centres of two columns of neurons
COLUMN_PAD = 0.25  # at least this between the numbers of two neighbouring columns
BRACKET = 0.1  # room a matrix's bracket takes on each side of its cells
BLOCK_GAP = 0.1  # between a matrix and the operator next to it
BLOCK_LABEL_GAP = 0.1  # between the bottom of the tallest matrix and the names under them
LINE_GAP = 0.3  # between the two lines of an equation broken before its '='
HEAT_CELL = 0.16  # side of a cell of a matrix drawn as a colour map (too large to show its numbers)
HEAT_SIDE = 1.8  # the longest side a colour map may take (its cells shrink to fit)
PANEL_GAP = 0.35  # between the picture, the code and the equation
RING_ROOM = 0.25  # kept free at the frame's edges around the neurons and the matrices, for the ring that points at them
PICTURE_SHARE = 0.4  # of the content width, for the neurons, at least
MOST_PICTURE_SHARE = 0.5  # a network with many columns takes up to this share, so it need not shrink
MAX_GROW = 1.4  # a small picture is drawn up to this much larger than its natural size, room allowing
READABLE = 0.85  # numbers on the neurons are drawn at least this share of their size; else the tallest columns show colours
DOT_SHARE = 0.55  # of a neuron's width, the disc that shows its value as a colour (a column without numbers)


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle by its centre and size, in manim units."""

    x: float
    y: float
    width: float
    height: float

    @classmethod
    def spanning(cls, left: float, bottom: float, right: float, top: float) -> "Box":
        return cls((left + right) / 2, (bottom + top) / 2, right - left, top - bottom)

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y + self.height / 2

    @property
    def bottom(self) -> float:
        return self.y - self.height / 2

    def overlaps(self, other: "Box", gap: float = 0.0) -> bool:
        """True if the two boxes come closer than `gap` (touching edges do not overlap)."""
        return (abs(self.x - other.x) < (self.width + other.width) / 2 + gap - 1e-9 and
                abs(self.y - other.y) < (self.height + other.height) / 2 + gap - 1e-9)

    def inside(self, other: "Box") -> bool:
        eps = 1e-9
        return (self.left >= other.left - eps and self.right <= other.right + eps and
                self.bottom >= other.bottom - eps and self.top <= other.top + eps)

    def scaled(self, factor: float, about: tuple[float, float]) -> "Box":
        ax, ay = about
        return Box(ax + (self.x - ax) * factor, ay + (self.y - ay) * factor, self.width * factor, self.height * factor)

    def shifted(self, dx: float, dy: float) -> "Box":
        return replace(self, x=self.x + dx, y=self.y + dy)


def bounding(boxes: Sequence[Box]) -> Box:
    return Box.spanning(min(b.left for b in boxes), min(b.bottom for b in boxes),
                        max(b.right for b in boxes), max(b.top for b in boxes))


def shows_values(rows: int, cols: int = 1) -> bool:
    """A tensor is drawn with its numbers up to the engine's MAX_SHOWN_ELEMENTS; larger, as a colour map."""
    return rows <= MAX_SHOWN_ELEMENTS[0] and cols <= MAX_SHOWN_ELEMENTS[1]


# --- the stage: neurons left, code and equation right ----------------------------------------------------
@dataclass(frozen=True)
class Stage:
    picture: Box  # the neurons
    code: Box  # where the code's top-left corner goes, and the room it has
    equation: Box  # the matrices, under the code


def picture_share(layers: Sequence[int], label_w: float, content_width: float) -> float:
    """The share of the content width the neurons take: PICTURE_SHARE, or as much more (up to
    MOST_PICTURE_SHARE) as their columns need at the least distance that keeps numbers apart."""
    slot = max(2 * NODE_RADIUS, label_w)
    needed = len(layers) * max(COLUMN_GAP[0], slot + COLUMN_PAD) + slot + RING_ROOM  # the layers, the loss, the edge
    return min(MOST_PICTURE_SHARE, max(PICTURE_SHARE, needed / content_width))


def stage(content: Box, code_height: float, share: float = PICTURE_SHARE) -> Stage:
    """Split the content area (below the title band, inside the margins): the picture takes the left
    `share`, the code the top of the rest, the equation what is left under it."""
    split = content.left + share * content.width
    picture = Box.spanning(content.left + RING_ROOM, content.bottom + RING_ROOM, split, content.top - RING_ROOM)
    right = split + PANEL_GAP
    code = Box.spanning(right, content.top - code_height, content.right, content.top)
    equation = Box.spanning(right, content.bottom + RING_ROOM, content.right - RING_ROOM, code.bottom - PANEL_GAP)
    return Stage(picture, code, equation)


# --- neurons in columns --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NeuronLayout:
    """Per column (the layers, then the loss): each neuron's circle (as its square box), the slot above
    it for its value and the slot under it for its gradient; `labelled[c]` says whether column c
    shows numbers (a column taller than MAX_SHOWN_ELEMENTS allows does not: its matrix shows them as colours)."""

    nodes: tuple[tuple[Box, ...], ...]
    values: tuple[tuple[Box, ...], ...]
    grads: tuple[tuple[Box, ...], ...]
    labelled: tuple[bool, ...]
    scale: float

    def boxes(self) -> list[Box]:
        """Everything drawn, for overlap checks: every node, and the number slots of labelled columns."""
        out: list[Box] = []
        for c, column in enumerate(self.nodes):
            out += column
            if self.labelled[c]:
                out += [*self.values[c], *self.grads[c]]
        return out


def neuron_layout(layers: Sequence[int], box: Box, label: tuple[float, float]) -> NeuronLayout:
    """Columns of neurons for a network of `layers` (input size, hidden sizes, output size) and a loss
    node, centred in `box`; `label` is the (width, height) of the widest number. Numbers sit above
    (value) and under (gradient) each neuron; when that would draw them smaller than READABLE, the
    tallest columns drop their numbers (their neurons show values as colours, their matrices the numbers)
    and stack closer, tallest first, until the rest fit; the picture is scaled as a whole to its box."""
    sizes = [*layers, 1]
    layout = _columns(sizes, box, label, max(sizes))
    for most in sorted(set(sizes), reverse=True)[1:]:
        if layout.scale >= READABLE:
            break
        layout = _columns(sizes, box, label, most)
    return layout


def _columns(sizes: Sequence[int], box: Box, label: tuple[float, float], most: int) -> NeuronLayout:
    """The columns with numbers on those of at most `most` neurons (and no more than shows_values allows).
    The columns spread over the box's width; when its height would let the picture be drawn larger, they
    stand closer instead, so the picture grows (numbers included) until it fills the box both ways."""
    slot = max(2 * NODE_RADIUS, label[0])
    least = max(COLUMN_GAP[0], slot + COLUMN_PAD)
    dx = min(max((box.width - slot) / (len(sizes) - 1), least), COLUMN_GAP[1])
    layout = _placed_columns(sizes, box, label, most, dx)
    tall = bounding(layout.boxes()).height / layout.scale  # the picture's natural height
    grow = min(MAX_GROW, box.height / tall)
    if grow > layout.scale + 1e-6:
        closer = max(least, (box.width / grow - slot) / (len(sizes) - 1))
        if closer < dx:
            layout = _placed_columns(sizes, box, label, most, closer)
    return layout


def _placed_columns(sizes: Sequence[int], box: Box, label: tuple[float, float], most: int, dx: float) -> NeuronLayout:
    """The columns `dx` apart, scaled to fit `box` and centred in it."""
    label_w, label_h = label
    node = 2 * NODE_RADIUS
    pitch = node + 2 * (label_h + LABEL_GAP) + ROW_PAD
    labels = [shows_values(n) and n <= most for n in sizes]
    tallest = max((n * pitch for n, shown in zip(sizes, labels) if shown), default=0.0)
    height = max(tallest, min(box.height, max(sizes) * (node + ROW_PAD)))
    nodes, values, grads = [], [], []
    for c, (n, shown) in enumerate(zip(sizes, labels)):
        step = pitch if shown else min(pitch, height / n)
        radius = NODE_RADIUS if shown else min(NODE_RADIUS, 0.4 * step)
        x = c * dx
        ys = [(n - 1) / 2 * step - i * step for i in range(n)]
        nodes.append(tuple(Box(x, y, 2 * radius, 2 * radius) for y in ys))
        if shown:
            values.append(tuple(Box(x, y + radius + LABEL_GAP + label_h / 2, label_w, label_h) for y in ys))
            grads.append(tuple(Box(x, y - radius - LABEL_GAP - label_h / 2, label_w, label_h) for y in ys))
        else:  # a disc inside the neuron for its value, a ring on its outline for its gradient
            values.append(tuple(Box(x, y, 2 * radius * DOT_SHARE, 2 * radius * DOT_SHARE) for y in ys))
            grads.append(tuple(Box(x, y, 2 * radius, 2 * radius) for y in ys))
    layout = NeuronLayout(tuple(nodes), tuple(values), tuple(grads), tuple(labels), 1.0)
    extent = bounding(layout.boxes())
    return _moved(layout, extent, box, _fit(extent, box))


def _fit(extent: Box, box: Box) -> float:
    """The scale that fits `extent` in `box`: smaller when it does not fit, up to MAX_GROW larger when there is room."""
    return min(MAX_GROW, box.width / extent.width, box.height / extent.height)


def _moved(layout: NeuronLayout, extent: Box, box: Box, factor: float) -> NeuronLayout:
    """`layout` scaled by `factor` about its centre and centred in `box`."""
    def move(b: Box) -> Box:
        return b.scaled(factor, (extent.x, extent.y)).shifted(box.x - extent.x, box.y - extent.y)

    def each(groups: tuple[tuple[Box, ...], ...]) -> tuple[tuple[Box, ...], ...]:
        return tuple(tuple(move(b) for b in g) for g in groups)

    return NeuronLayout(each(layout.nodes), each(layout.values), each(layout.grads), layout.labelled, factor)


# --- a matrix equation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Matrix:
    """A tensor in an equation: `rows` x `cols` cells, named (W1, x, z1, ...)."""

    name: str
    rows: int
    cols: int = 1


@dataclass(frozen=True)
class Operator:
    """A symbol between matrices (+, =, an arrow with tanh over it), by its measured size."""

    name: str
    width: float
    height: float


@dataclass(frozen=True)
class EquationLayout:
    cells: dict[str, tuple[tuple[Box, ...], ...]]  # by matrix: rows of cells
    frames: dict[str, Box]  # by matrix: its cells and brackets
    labels: dict[str, Box]  # by matrix: its name under it
    operators: dict[str, Box]
    scale: float

    def boxes(self) -> list[Box]:
        """What must not overlap: each matrix with its brackets, each name, each operator."""
        return [*self.frames.values(), *self.labels.values(), *self.operators.values()]

    def shows_values(self, name: str) -> bool:
        rows = self.cells[name]
        return shows_values(len(rows), len(rows[0]))


def cell_size(rows: int, cols: int, cell: tuple[float, float]) -> tuple[float, float]:
    """A cell with a number (`cell`), or the square of a colour map whose longest side fits HEAT_SIDE."""
    if shows_values(rows, cols):
        return cell
    side = min(HEAT_CELL, HEAT_SIDE / max(rows, cols))
    return side, side


def _placed(layout: EquationLayout, move: Callable[[Box], Box], factor: float = 1.0) -> EquationLayout:
    return EquationLayout({n: tuple(tuple(move(b) for b in row) for row in rows) for n, rows in layout.cells.items()},
                          {n: move(b) for n, b in layout.frames.items()}, {n: move(b) for n, b in layout.labels.items()},
                          {n: move(b) for n, b in layout.operators.items()}, factor)


def _merged(first: EquationLayout, second: EquationLayout) -> EquationLayout:
    return EquationLayout({**first.cells, **second.cells}, {**first.frames, **second.frames},
                          {**first.labels, **second.labels}, {**first.operators, **second.operators}, 1.0)


def _line(parts: Sequence[Matrix | Operator], cells: Mapping[str, tuple[float, float]],
          labels: Mapping[str, tuple[float, float]]) -> EquationLayout:
    """The parts left to right at natural size, centred on y = 0, the names on one line under the tallest."""
    sizes = {p.name: cell_size(p.rows, p.cols, cells[p.name]) for p in parts if isinstance(p, Matrix)}
    tallest = max((p.rows * sizes[p.name][1] for p in parts if isinstance(p, Matrix)), default=0.0)
    label_h = max(h for _, h in labels.values())
    label_y = -tallest / 2 - BLOCK_LABEL_GAP - label_h / 2
    grids, frames, names, operators = {}, {}, {}, {}
    x = 0.0
    for k, part in enumerate(parts):
        if k:
            x += BLOCK_GAP
        if isinstance(part, Operator):
            operators[part.name] = Box(x + part.width / 2, 0.0, part.width, part.height)
            x += part.width
            continue
        w, h = sizes[part.name]
        name_w, name_h = labels[part.name]
        width = part.cols * w + 2 * BRACKET
        slot = max(width, name_w)
        left, top = x + (slot - width) / 2 + BRACKET, part.rows * h / 2
        grids[part.name] = tuple(tuple(Box(left + (j + 0.5) * w, top - (i + 0.5) * h, w, h) for j in range(part.cols))
                                 for i in range(part.rows))
        frames[part.name] = Box(x + slot / 2, 0.0, width, part.rows * h + 0.08)
        names[part.name] = Box(x + slot / 2, label_y, name_w, name_h)
        x += slot
    return EquationLayout(grids, frames, names, operators, 1.0)


def _fitted(layout: EquationLayout, box: Box) -> EquationLayout:
    extent = bounding(layout.boxes())
    factor = _fit(extent, box)
    return _placed(layout, lambda b: b.scaled(factor, (extent.x, extent.y)).shifted(box.x - extent.x, box.y - extent.y),
                   factor)


def equation_layout(parts: Sequence[Matrix | Operator], box: Box, cells: Mapping[str, tuple[float, float]],
                    labels: Mapping[str, tuple[float, float]], equals: str | None = None) -> EquationLayout:
    """The parts left to right, centred on one line, the matrices' names on one line under the tallest;
    `cells` is the (width, height) of a cell of each matrix (fitting its widest number), `labels` the size
    of each matrix's name (a name wider than its matrix widens its place). Centred in `box`, scaled to fit.
    An equation too wide for the box but with room below breaks into two lines before the operator
    named `equals` (the result under the product), when that draws it larger."""
    one = _fitted(_line(parts, cells, labels), box)
    names = [p.name for p in parts]
    if equals not in names or one.scale >= 1.0:
        return one
    cut = names.index(equals)
    top, bottom = (_line(half, cells, labels) for half in (parts[:cut], parts[cut:]))
    top_extent, bottom_extent = bounding(top.boxes()), bounding(bottom.boxes())
    drop = top_extent.bottom - LINE_GAP - bottom_extent.top
    two = _merged(_placed(top, lambda b: b.shifted(-top_extent.x, 0.0)),
                  _placed(bottom, lambda b: b.shifted(-bottom_extent.x, drop)))
    two = _fitted(two, box)
    return two if two.scale > one.scale else one
