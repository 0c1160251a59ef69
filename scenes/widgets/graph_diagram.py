"""A computational graph drawn left to right, and the lecture's two motions on it.

`GraphDiagram` lays out any `engine.Graph` in columns from `graph.layers()` (inputs left, the output
right), orders each column by the barycentre of its neighbours so edges rarely cross, and sizes
itself to a box. Tensors made by the user are rounded squares (learnable ones ringed, in the
learnable colour; constants in the constant colour); ops are circles showing their symbol and,
when the code names the result, the variable name under them; the output is in the loss colour.

Motions (each returns one animation to `play`):
- `grow(name)`: the node appears with the edges that feed it.
- `forward_into(name)`: the value of every input travels along its edge (forward colour) and the
  arrivals become the node's value, above the node (beside it, over its outgoing edge, when a tall
  graph would otherwise shrink too much).
- `backward_along(edge)`: the target's gradient travels back along the edge, meets the local
  derivative shown on the edge, becomes their product and lands under the source (gradient colour);
  a second arrival at the same source adds to the first.
- `pulse(backward)`: a wave of light along every edge, column by column, from the inputs to the
  output (forward colour) or back (gradient colour); nothing is lit before or after, so it loops.

Nodes never overlap, nor do their numbers, for graphs of up to ~15 nodes in a 13 x 4 box: the
rows leave room for a value above and a gradient below each node (or both beside it), and a tall
column of inputs is staggered.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache
from typing import Mapping

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Animation, AnimationGroup, Arrow, BackgroundRectangle, Circle, CurvedArrow, FadeIn,
                   FadeOut, GrowArrow, GrowFromCenter, LaggedStart, ManimColor, MathTex, Mobject, MoveAlongPath,
                   Rectangle, ReplacementTransform, RoundedRectangle, ShowPassingFlash, Succession, Text, Transform, VGroup,
                   VMobject)

from engine import Edge, Graph, Node
from scenes.kit.formatting import short_tex
from scenes.kit.measure import tex_extent
from scenes.widgets.graph_layout import column_rows
from scenes.kit.theme import Theme

OP_SYMBOLS: dict[str, str] = {
    "mul": r"\times", "add": "+", "sub": "-", "div": r"\div", "pow": r"\ast\ast", "neg": "-", "pos": "+",
    "matmul": "@", "tanh": r"\tanh", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "exp": r"\exp",
    "log": r"\log", "sqrt": r"\sqrt{\ }", "abs": r"|\cdot|", "sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}",
}

NODE_RADIUS = 0.34  # half the size of a node, before any scaling to the box
LABEL_BUFF = 0.08  # between a node and its value, caption or gradient
COLUMN_GAP = (1.25, 2.6)  # min and max distance between column centres
ROW_PAD = 0.22  # extra space between two stacked nodes' labels
Z_GLOW, Z_NODE, Z_LABEL = 1, 2, 3  # drawing order: edges, lit edges, nodes, numbers
Z_TRAVEL = 1.5  # a travelling number: over the lit edges, under the nodes, captions and numbers it passes (they stay read)
PATCH_BUFF = 0.05  # background margin around a number
ROW_STRETCH = 1.8  # rows may be this much further apart than they need, to fill a tall box
MIN_SCALE_STACKED = 0.85  # below this, numbers move beside the nodes so the graph can stay larger
SYMBOL_WIDTH = 1.7  # widest symbol inside a node, in node radii (\tanh at label size fits; its corners stay inside)
MAX_TEXT_BOOST = 1.35  # names and symbols drawn at most this much larger to stay readable in a graph scaled down


def tex_name(name: str) -> str:
    """A variable name in LaTeX: one letter in math italics, longer names upright with escaped underscores."""
    if len(name) == 1:
        return name
    return r"\text{" + name.replace("_", r"\_") + "}"


def is_generated_name(node: Node) -> bool:
    """True for names trace made up from the op ("mul", "add_2", "2"), False for names the code chose."""
    return node.kind == "op" and re.fullmatch(rf"{re.escape(node.op)}(_\d+)?", node.name) is not None


def leaf_shape(theme: Theme, color: str, ringed: bool, size: float = 2 * NODE_RADIUS) -> VGroup:
    """A tensor: a rounded square, with an outer ring when it requires grad. A copy of the one made first
    (rounding a rectangle's corners costs more than copying it, and a diagram fitting its box draws its
    nodes several times)."""
    return _leaf_shape(theme.panel, color, ringed, size).copy()


@lru_cache(maxsize=64)
def _leaf_shape(panel: str, color: str, ringed: bool, size: float) -> VGroup:
    box = RoundedRectangle(corner_radius=size * 0.22, width=size, height=size, stroke_color=color, stroke_width=3,
                           fill_color=panel, fill_opacity=1)
    parts = VGroup(box)
    if ringed:
        gap = size * 0.16
        parts.add(RoundedRectangle(corner_radius=size * 0.22 + gap, width=size + 2 * gap, height=size + 2 * gap,
                                   stroke_color=color, stroke_width=2))
    return parts


def _overlap(centre: np.ndarray, half: np.ndarray, box: tuple[np.ndarray, np.ndarray]) -> float:
    """The area two boxes (centre, half size) share."""
    dx = half[0] + box[1][0] - abs(centre[0] - box[0][0])
    dy = half[1] + box[1][1] - abs(centre[1] - box[0][1])
    return max(dx, 0.0) * max(dy, 0.0)


def _bounds(mobs: list[Mobject]) -> tuple[float, float, float, float]:
    """Left, bottom, right and top of the box around all of `mobs` (what a VGroup of copies of them spans)."""
    lows = [m.get_corner(DOWN + LEFT) for m in mobs]
    highs = [m.get_corner(UP + RIGHT) for m in mobs]
    return min(p[0] for p in lows), min(p[1] for p in lows), max(p[0] for p in highs), max(p[1] for p in highs)


def _fit(mob: Mobject, width: float) -> Mobject:
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob


class GraphNode(VGroup):
    """One node: `shape` (its outline, ring included), `symbol` inside, optional `caption` under it.
    GraphDiagram makes one per node of its graph (`diagram.node(name)`).

    Example (rendered by tests/test_widget_examples.py)::

        from manim import Scene
        from engine import trace
        from scenes.kit.theme import DARK
        from scenes.widgets.graph_diagram import GraphNode

        class GraphNodeExample(Scene):
            def construct(self):
                graph = trace("w*x", w=2.0, x=3.0)
                product = graph.node(graph.output_name)
                self.add(GraphNode(product, DARK, DARK.forward, "z", DARK.label_size, DARK.small_size).scale(4))
    """

    def __init__(self, node: Node, theme: Theme, color: str, caption: str | None, symbol_size: float,
                 caption_size: float):
        super().__init__()
        self.node = node
        r = NODE_RADIUS
        if node.kind == "op":
            self.shape = VGroup(Circle(radius=r, stroke_color=color, stroke_width=3, fill_color=theme.panel,
                                       fill_opacity=1))
            tex = OP_SYMBOLS.get(node.op, r"\mathrm{" + node.op.replace("_", r"\_") + "}")
            self.symbol = _fit(MathTex(tex, font_size=symbol_size, color=theme.text), SYMBOL_WIDTH * r)
        else:
            self.shape = leaf_shape(theme, color, ringed=node.learnable)
            text = tex_name(node.name) if node.kind == "input" else short_tex(node.value)
            self.symbol = _fit(MathTex(text, font_size=symbol_size, color=color), SYMBOL_WIDTH * r)
        self.symbol.move_to(self.shape[0])
        self.add(self.shape, self.symbol)
        self.caption = None
        if caption:
            self.caption = Text(caption, font=theme.font, font_size=caption_size, color=color)
            self.caption.next_to(self.shape[0], DOWN, buff=LABEL_BUFF)
            self.add(self.caption)

    @property
    def body(self) -> Mobject:
        """The outline that edges attach to (without the ring)."""
        return self.shape[0]

    def boundary_point(self, direction: np.ndarray) -> np.ndarray:
        """Where a ray from the centre in `direction` leaves the node (ring included)."""
        outline = self.shape[-1]
        center = self.body.get_center()
        d = direction / (np.linalg.norm(direction) or 1)
        if self.node.kind == "op":
            return center + d * outline.width / 2
        half = outline.width / 2
        t = min(half / abs(d[0]) if abs(d[0]) > 1e-9 else np.inf, half / abs(d[1]) if abs(d[1]) > 1e-9 else np.inf)
        return center + d * t


class GraphDiagram(VGroup):
    """A left-to-right drawing of `graph` that fits in a `width` x `height` box.

    `captions` overrides the name shown under a node (e.g. {graph.output_name: "loss"}); by default
    op nodes named by the code (`prediction`, `loss`) show that name and generated names show none.
    Lookups: `node(name)`, `edge(source, target)`; slots: `value_label(name)`, `grad_label(name)`.

    Example (rendered by tests/test_widget_examples.py)::

        from manim import Scene
        from engine import trace
        from scenes.kit.theme import DARK
        from scenes.widgets.graph_diagram import GraphDiagram

        class GraphDiagramExample(Scene):
            def construct(self):
                graph = trace("(y - tanh(w*x + b))**2", requires_grad=["w", "b"], w=-0.5, b=0.5, x=1.0, y=7.0)
                diagram = GraphDiagram(graph, DARK, width=12, height=5, captions={graph.output_name: "loss"}).center()
                self.play(*(diagram.grow(n.name) for n in graph.nodes))
                self.play(diagram.show_value("w"))
    """

    def __init__(self, graph: Graph, theme: Theme, width: float, height: float,
                 captions: Mapping[str, str] | None = None, grow: float = 1.0, column_gap: float = COLUMN_GAP[1]):
        super().__init__()
        self.graph, self.theme = graph, theme
        self.column_gap = column_gap  # the most two columns' centres may be apart (a small graph: more, to fill a wide box)
        self.captions = dict(captions or {})
        self.text_boost = 1.0
        factor = self._fit_grown(width, height, grow)
        for _ in range(4):  # scaled down: draw names and symbols larger so they stay at the theme's sizes
            wanted = min(MAX_TEXT_BOOST, 1.01 / factor) if factor < 1.0 else 1.0
            if abs(wanted - self.text_boost) < 0.005:
                break
            self.text_boost = wanted
            factor = self._fit_grown(width, height, grow)
        self.scale(factor)
        self.factor = factor
        self.label_size *= factor
        self.shown_values: dict[str, Mobject] = {}
        self.shown_grads: dict[str, Mobject] = {}
        self._grad_so_far: dict[str, float] = {}

    def _fit_grown(self, width: float, height: float, grow: float) -> float:
        factor = self._fit(width, height)
        if factor >= 1.0 and grow > 1.0:
            # Room to spare: lay it out in a box `grow` times smaller (columns closer), then scale it up,
            # so nodes and numbers get larger instead of the edges longer. Kept only if it gains.
            smaller = self._fit(width / grow, height / grow)
            factor = smaller * grow if smaller * grow > 1.0 else self._fit(width, height)
        return factor

    def _fit(self, width: float, height: float) -> float:
        """Build the drawing for a `width` x `height` box and return the scale that fits it (at most 1).
        Numbers go above and under each node; when that would shrink a tall graph too much, beside it."""
        factor = self._build(width, height, beside=False)
        if factor < MIN_SCALE_STACKED:
            beside = self._build(width, height, beside=True)
            factor = beside if beside > factor else self._build(width, height, beside=False)
        return factor

    def _build(self, width: float, height: float, beside: bool) -> float:
        """Make the nodes and edges with labels above/below (or beside) the nodes; return the scale that fits."""
        self.submobjects = []
        # numbers too: at the theme's label size, or larger when the drawing will be scaled below the smallest size
        boost = max(1.0, self.text_boost * self.theme.small_size / self.theme.label_size)
        self.beside, self.label_size = beside, self.theme.label_size * boost
        self.nodes: dict[str, GraphNode] = {}
        for n in self.graph.nodes:
            caption = self.captions.get(n.name, None if is_generated_name(n) or n.kind != "op" else n.name)
            self.nodes[n.name] = GraphNode(n, self.theme, self.role_color(n), caption, self.theme.label_size * self.text_boost,
                                           self.theme.small_size * self.text_boost)
        self._place(width, height)
        self.edge_list: list[tuple[Edge, VMobject]] = self._make_edges()
        self.add(*[arrow for _, arrow in self.edge_list], *self.nodes.values())
        for node in self.nodes.values():
            node.set_z_index(Z_NODE)
        # An invisible box around nodes and future numbers, so moving the diagram centres all of it.
        left, bottom, right, top = _bounds([self, *[self._slot_probe(n) for n in self.nodes]])
        self.add(Rectangle(width=right - left, height=top - bottom, stroke_width=0, fill_opacity=0)
                 .move_to([(left + right) / 2, (bottom + top) / 2, 0]))
        return min(1.0, width / (right - left), height / (top - bottom))

    # --- colours and layout ----------------------------------------------------------------------
    def role_color(self, n: Node) -> str:
        if n.name == self.graph.output_name:
            return self.theme.loss
        if n.kind == "op":
            return self.theme.muted
        return self.theme.learnable if n.learnable else self.theme.constant

    def _label_height(self) -> float:
        return tex_extent("0", self.label_size)[1] + 2 * PATCH_BUFF + LABEL_BUFF

    def _widest_label(self) -> float:
        texts = {short_tex(v) for n in self.graph.nodes for v in (n.value, n.grad) if v is not None}
        return max(tex_extent(t, self.label_size)[0] for t in texts) + 2 * PATCH_BUFF

    def _row_gap(self) -> float:
        """Centre-to-centre distance of two stacked nodes, with room for their numbers and captions."""
        node = max(n.shape.height for n in self.nodes.values())
        caption = max((n.caption.height + LABEL_BUFF for n in self.nodes.values() if n.caption), default=0)
        if self.beside:
            return max(node, 2 * self._label_height()) + caption + ROW_PAD
        return node + 2 * self._label_height() + caption + ROW_PAD

    def _place(self, width: float, height: float) -> None:
        layer, rows, staggered = column_rows(self.graph)
        n_columns = max(layer.values()) + 1
        node = max(n.shape.width for n in self.nodes.values())
        label = self._widest_label()
        least = max(COLUMN_GAP[0], node + label + 0.3) if self.beside else COLUMN_GAP[0]
        step_left = (node + label if self.beside else max(node, label)) + 0.25  # of every second staggered node
        span = width - node - 1.0 - (step_left if staggered else 0.0)  # room for labels wider than the end nodes
        dx = min(max(span / max(n_columns - 1, 1), least), max(self.column_gap, least))
        dy = self._row_gap()
        span = max(rows.values()) - min(rows.values())
        if span > 0:  # rows spread into the height the box has to spare, so the picture fills it
            dy = max(dy, min(ROW_STRETCH * dy, (height - 0.8 * dy) / span))
        offset = dict.fromkeys(rows, 0.0)
        for c in staggered:
            column = sorted((n for n in rows if layer[n] == c), key=lambda n: -rows[n])
            offset.update(dict.fromkeys(column[1::2], -step_left))
        for name, node_mob in self.nodes.items():
            node_mob.shift(np.array([layer[name] * dx + offset[name], rows[name] * dy, 0]) - node_mob.body.get_center())

    def _make_edges(self) -> list[tuple[Edge, VMobject]]:
        seen: dict[tuple[str, str], int] = defaultdict(int)
        edges = []
        for e in self.graph.edges:
            source, target = self.nodes[e.source], self.nodes[e.target]
            direction = target.body.get_center() - source.body.get_center()
            start, end = source.boundary_point(direction), target.boundary_point(-direction)
            k = seen[(e.source, e.target)]
            seen[(e.source, e.target)] += 1
            style = dict(color=self.theme.muted, stroke_width=2.5, tip_length=0.13, buff=0.04)
            if k == 0:
                arrow = Arrow(start, end, max_tip_length_to_length_ratio=0.3, **style)
            else:  # the same tensor used twice by one op (x * x): bend the others apart
                arrow = CurvedArrow(start, end, angle=0.6 * (1 if k % 2 else -1) * math.ceil(k / 2),
                                    color=self.theme.muted, stroke_width=2.5, tip_length=0.13)
            edges.append((e, arrow))
        return edges

    def _slot_probe(self, name: str) -> Mobject:
        """A stand-in for the value and gradient labels the node will get, to size the box: rectangles as
        large as the labels (`_label`'s patch), measured, not drawn."""
        n = self.nodes[name].node
        probes = VGroup(self.place_value(self._label_probe(n.value), name))
        if n.grad is not None:
            probes.add(self.place_grad(self._label_probe(n.grad), name))
        return probes

    def _label_probe(self, value: float) -> Rectangle:
        width, height = tex_extent(short_tex(value), self.label_size)
        return Rectangle(width=width + 2 * PATCH_BUFF, height=height + 2 * PATCH_BUFF)

    # --- lookups -----------------------------------------------------------------------------------
    def node(self, name: str) -> GraphNode:
        return self.nodes[name]

    def edge(self, source: str, target: str) -> VMobject:
        for e, arrow in self.edge_list:
            if (e.source, e.target) == (source, target):
                return arrow
        raise KeyError(f"no edge {source} -> {target}")

    def arrow_of(self, edge: Edge) -> VMobject:
        for e, arrow in self.edge_list:
            if e is edge:
                return arrow
        raise KeyError(f"no edge {edge.source} -> {edge.target}")

    def incoming(self, name: str) -> list[tuple[Edge, VMobject]]:
        return [(e, a) for e, a in self.edge_list if e.target == name]

    def place_value(self, mob: Mobject, name: str) -> Mobject:
        """Put `mob` in the node's value slot: above it, or beside it just over its outgoing wire."""
        node = self.nodes[name]
        if self.beside:
            return mob.next_to(node.shape, RIGHT, buff=LABEL_BUFF).align_to(node.body.get_center() + UP * 0.03, DOWN)
        return mob.next_to(node.shape, UP, buff=LABEL_BUFF)

    def place_grad(self, mob: Mobject, name: str) -> Mobject:
        """Put `mob` in the node's gradient slot: under it (and its caption), or beside it under the wire."""
        node = self.nodes[name]
        if self.beside:
            return mob.next_to(node.shape, RIGHT, buff=LABEL_BUFF).align_to(node.body.get_center() + DOWN * 0.03, UP)
        return mob.next_to(node.caption or node.shape, DOWN, buff=LABEL_BUFF)

    def value_label(self, name: str) -> VGroup:
        return self.place_value(self._label(self.nodes[name].node.value, self.theme.forward), name)

    def grad_label(self, name: str, value: float | None = None) -> VGroup:
        value = self.nodes[name].node.grad if value is None else value
        return self.place_grad(self._label(value, self.theme.gradient), name)

    def pin(self, mob: Mobject, name: str, above: bool) -> VGroup:
        """`mob` on a patch of background, just above the node or just under it (and its caption)."""
        node = self.nodes[name]
        patch = BackgroundRectangle(mob, color=ManimColor(self.theme.background), fill_opacity=0.85, buff=PATCH_BUFF)
        group = VGroup(patch, mob).set_z_index(Z_LABEL)
        if above:
            return group.next_to(node.shape, UP, buff=LABEL_BUFF)
        return group.next_to(node.caption or node.shape, DOWN, buff=LABEL_BUFF)

    def _label(self, value: float, color: str) -> VGroup:
        """A number on a patch of background, so an edge behind it never cuts through the digits."""
        tex = MathTex(short_tex(value), font_size=self.label_size, color=color)
        patch = BackgroundRectangle(tex, color=ManimColor(self.theme.background), fill_opacity=0.85, buff=PATCH_BUFF)
        return VGroup(patch, tex).set_z_index(Z_LABEL)

    # --- motions -----------------------------------------------------------------------------------
    # Each motion is one Succession that adds only what it moves (introducer=True), so no stray group
    # of travellers stays in the scene; highlights are copies of an edge, never the edge itself.
    def grow(self, name: str) -> Animation:
        """The node appears; the edges that feed it grow out of their sources."""
        arrows = [GrowArrow(a) if isinstance(a, Arrow) else FadeIn(a) for _, a in self.incoming(name)]
        return AnimationGroup(*arrows, GrowFromCenter(self.nodes[name]), lag_ratio=0.4)

    def show_value(self, name: str) -> Animation:
        """The value of a node appears above it (for the inputs, whose values the code gives)."""
        label = self.value_label(name)
        self.shown_values[name] = label
        return FadeIn(label, shift=DOWN * 0.15)

    def shown_numbers(self) -> dict[str, str]:
        """The LaTeX of every value on screen, by node, in the order they appeared (for the sidecar)."""
        return {name: label[1].tex_string for name, label in self.shown_values.items()}

    def forward_into(self, name: str, run_time: float = 1.6) -> Animation:
        """The values of the node's inputs travel along its edges and land as its own value."""
        label = self.value_label(name)
        travellers, moves = [], []
        for e, arrow in self.incoming(name):
            traveller = (self.shown_values.get(e.source) or self.value_label(e.source)).copy().set_z_index(Z_TRAVEL)
            travellers.append(traveller)
            clear = self._clear_of_nodes(arrow, max(traveller.width, traveller.height) / 2)
            start = traveller.get_center()
            source = self.nodes[e.source]
            if not self.beside:  # its slot is above the node: step right of it first, never across it
                aside = source.body.get_center()[0] + source.shape.width / 2 + traveller.width / 2 + 0.05
                start = [start, np.array([max(aside, start[0]), start[1], 0.0])]
            # it stops on the wire clear of the node, and lands in the value slot from there (never over the node)
            end = arrow.point_from_proportion(clear[1])
            below = np.zeros(3)
            if self.beside and np.linalg.norm(end - traveller.get_center()) < traveller.width + 0.1:
                # Its slot is on the wire and the wire is too short to carry it clear of the number it leaves
                # (a long value, e.g. -0.4794, on a short last edge): it steps down under the wire and goes along there.
                below = DOWN * (traveller.height + 0.05)
                start = [start, start + below]
            moves += [MoveAlongPath(traveller, self._path(start, arrow, end, lo=clear[0], hi=clear[1], offset=below)),
                      self._flash(arrow, self.theme.forward)]
        self.shown_values[name] = label
        first, *others = travellers
        land = [ReplacementTransform(first, label)] + [FadeOut(t, target_position=label) for t in others]
        return self._sequence(AnimationGroup(*moves, run_time=0.7 * run_time),
                              AnimationGroup(*land, run_time=0.3 * run_time))

    def start_backward(self) -> Animation:
        """d output / d output = 1 appears under the output."""
        name = self.graph.output_name
        label = self.grad_label(name)
        self.shown_grads[name] = label
        self._grad_so_far[name] = self.graph.output.grad
        ring = self.nodes[name].body.copy().set_stroke(self.theme.gradient, width=6).set_fill(opacity=0)
        return AnimationGroup(FadeIn(label, scale=1.4), ShowPassingFlash(ring, time_width=0.6, run_time=1.2))

    def backward_along(self, edge: Edge, run_time: float = 2.4) -> Animation:
        """Chain rule on one edge: the edge lights up pointing backwards (its forward tip fades), the upstream
        gradient travels back from the target's slot to where the local derivative sits beside the edge, the
        two become their product, and it travels on to the source's gradient slot. Travellers leave and join
        the wire clear of the nodes, so nothing lands on a node or on another label."""
        arrow = self.arrow_of(edge)
        product = self._grad_so_far[edge.target] * edge.local_grad
        local, at = self.local_label(arrow, r"\times " + short_tex(edge.local_grad))
        meet = arrow.point_from_proportion(at)
        lit = self.lit_backwards(arrow)
        traveller = self.shown_grads[edge.target].copy().set_z_index(Z_TRAVEL)
        # Beside the nodes, values sit just over the wires and gradients under them: a gradient rides under its
        # wire, so it never passes over the source's value (tanh(a*b + c*d + e): 0.961 hid -0.5 on a short edge).
        under = self._lane(arrow, traveller, clear_of=(edge.source, edge.target)) if self.beside else np.zeros(3)
        merged = self._label(product, self.theme.gradient).move_to(meet + under)
        slot = self.grad_label(edge.source, product).get_center()
        clear = self._clear_of_nodes(arrow, max(traveller.width, traveller.height) / 2)
        start = traveller.get_center()
        if self.beside:  # its slot is right of the node: go round under it, not across it
            node = self.nodes[edge.target]
            start = [start, node.body.get_center() + DOWN * (node.shape.height / 2 + clear[2])]
        t = run_time
        return self._sequence(
            AnimationGroup(FadeIn(lit), FadeIn(local, scale=1.3),
                           MoveAlongPath(traveller, self._path(start, arrow, meet, reverse=True,
                                                               lo=1 - clear[1], hi=1 - at, offset=under)), run_time=0.35 * t),
            AnimationGroup(Transform(traveller, merged), FadeOut(local, target_position=meet + under, scale=0.5),
                           run_time=0.2 * t),
            AnimationGroup(MoveAlongPath(traveller, self._path(meet + under, arrow, slot - under, reverse=True, lo=1 - at,
                                                               hi=1 - clear[0], offset=under)),
                           FadeOut(lit), run_time=0.3 * t),
            self._land_gradient(edge.source, product, traveller, run_time=0.15 * t),
        )

    def _lane(self, arrow: VMobject, traveller: Mobject, clear_of: tuple[str, ...]) -> np.ndarray:
        """Under the wire, or on it when that runs into fewer numbers and nodes (a wire coming down from the
        upper left into its target would carry a gradient under it onto the value beside the node before)."""
        half = np.array([traveller.width / 2, traveller.height / 2])
        radius = max(half) + 0.05
        length = max(np.linalg.norm(arrow.get_end() - arrow.get_start()), 1e-6)
        lo, hi = min(radius / length, 0.45), 1 - min(radius / length, 0.45)
        skip = [self.place_grad(self._label(self.nodes[n].node.grad or 0.0, self.theme.text), n).get_center()[:2]
                for n in clear_of if self.nodes[n].node.grad is not None]
        boxes = [b for b in self._taken_boxes() if not any(np.allclose(b[0], c) for c in skip)]

        def hits(offset: np.ndarray) -> float:
            return sum(_overlap(arrow.point_from_proportion(t)[:2] + offset[:2], half, box)
                       for t in np.linspace(lo, hi, 9) for box in boxes)

        under = DOWN * (traveller.height / 2 + 0.05)
        return under if hits(under) <= hits(np.zeros(3)) else np.zeros(3)

    def lit_backwards(self, arrow: VMobject) -> VGroup:
        """The edge lit in the highlight colour with its arrowhead at the source: the way the gradient goes.
        Its forward arrowhead is covered meanwhile (a copy in the background colour over it), so fading
        this in and out hides and restores it without touching the edge itself."""
        color = self.theme.highlight
        shaft = arrow.copy()
        if isinstance(shaft, Arrow) or hasattr(shaft, "pop_tips"):
            shaft.pop_tips()
        shaft.set_stroke(color, width=5).set_fill(opacity=0)
        parts = VGroup(shaft)
        if isinstance(arrow, Arrow):
            head = arrow.tip.copy().set_fill(color, opacity=1).set_stroke(width=0)
            back = arrow.get_start() - arrow.point_from_proportion(0.05)
            head.rotate(math.atan2(back[1], back[0]) - head.tip_angle)
            head.shift(arrow.get_start() - head.tip_point)
            cover = arrow.tip.copy().scale(1.25).set_fill(self.theme.background, opacity=1).set_stroke(width=0)
            parts.add(cover, head)
        return parts.set_z_index(Z_GLOW)

    def local_label(self, arrow: VMobject, tex: str) -> tuple[VGroup, float]:
        """The local derivative beside the edge (never on its line), at the first spot along it that is
        clear of every node and number slot; returns the label and the proportion of the edge it sits at."""
        label = MathTex(tex, font_size=self.label_size, color=self.theme.highlight)
        patch = BackgroundRectangle(label, color=ManimColor(self.theme.background), fill_opacity=0.9, buff=PATCH_BUFF)
        group = VGroup(patch, label).set_z_index(Z_LABEL)
        half = np.array([group.width / 2, group.height / 2])
        taken = self._taken_boxes()
        best, best_cost = None, np.inf
        for at in (0.55, 0.65, 0.45, 0.75, 0.35):
            point = arrow.point_from_proportion(at)
            along = arrow.point_from_proportion(min(at + 0.02, 1)) - arrow.point_from_proportion(max(at - 0.02, 0))
            normal = np.array([-along[1], along[0], 0.0]) / (np.linalg.norm(along) or 1)
            reach = half[0] * abs(normal[0]) + half[1] * abs(normal[1]) + 0.06
            for side in (1, -1) if normal[1] >= 0 else (-1, 1):  # above the line first
                centre = point + side * normal * reach
                cost = sum(_overlap(centre[:2], half, box) for box in taken)
                if cost < best_cost - 1e-9:
                    best, best_cost = (centre, at), cost
            if best_cost == 0:
                break
        group.move_to(best[0])
        return group, best[1]

    def _taken_boxes(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(centre, half size) of every node, caption and number slot: where a label must not go."""
        boxes = []
        for name, node in self.nodes.items():
            mobs = [node.shape, *( [node.caption] if node.caption else [])]
            mobs.append(self.place_value(self._label(node.node.value, self.theme.text), name))
            if node.node.grad is not None:
                mobs.append(self.place_grad(self._label(node.node.grad, self.theme.text), name))
            boxes += [(m.get_center()[:2], np.array([m.width / 2, m.height / 2])) for m in mobs]
        return boxes

    def _clear_of_nodes(self, arrow: VMobject, radius: float) -> tuple[float, float, float]:
        """The proportions of the edge where a label of `radius` centred on the wire no longer touches
        the source (first) or the target (second), and that clearance in units."""
        length = max(arrow.get_arc_length() if hasattr(arrow, "get_arc_length") else
                     np.linalg.norm(arrow.get_end() - arrow.get_start()), 1e-6)
        gap = min((radius + 0.05) / length, 0.45)
        return gap, 1 - gap, radius + 0.05

    def _land_gradient(self, name: str, product: float, arrived: Mobject, run_time: float) -> Animation:
        """The arrival becomes the node's gradient; with an earlier arrival, both become their sum."""
        if name not in self._grad_so_far:
            self._grad_so_far[name] = product
            # the same number in the same place, drawn again as a resting label (over what travels later)
            self.shown_grads[name] = label = self.grad_label(name, product)
            return ReplacementTransform(arrived, label, run_time=run_time)
        self._grad_so_far[name] += product
        label = self.grad_label(name, self._grad_so_far[name])
        old, self.shown_grads[name] = self.shown_grads[name], label
        return AnimationGroup(ReplacementTransform(old, label), FadeOut(arrived, target_position=label),
                              run_time=run_time)

    def gradient_edges(self) -> list[Edge]:
        """Every edge a gradient flows along, in the order .backward() reaches them."""
        return [e for n in self.graph.backward_order() for e in self.graph.inputs_of(n.name)
                if self.graph.node(e.source).grad is not None and e.local_grad is not None]

    def settle_gradients(self) -> Animation:
        """Every gradient as torch computed it (a landed sum can differ from torch's in the last digit)."""
        anims = []
        for name, shown in list(self.shown_grads.items()):
            label = self.grad_label(name)
            anims.append(ReplacementTransform(shown, label))
            self.shown_grads[name] = label
        return AnimationGroup(*anims)

    def pulse(self, backward: bool = False, run_time: float = 2.4) -> Animation:
        """One wave through the graph, column by column: leaves to output, or (backward) output to leaves."""
        layer = self.graph.layers()
        by_column: dict[int, list[VMobject]] = defaultdict(list)
        for e, arrow in self.edge_list:
            by_column[layer[e.source]].append(arrow)
        columns = sorted(by_column, reverse=backward)
        color = self.theme.gradient if backward else self.theme.forward
        waves = [AnimationGroup(*(self._flash(a, color, backward) for a in by_column[c])) for c in columns]
        return LaggedStart(*waves, lag_ratio=0.55, run_time=run_time)

    def _flash(self, arrow: VMobject, color: str, backward: bool = False) -> Animation:
        """A pulse of colour runs along the edge (against its direction if `backward`)."""
        line = VMobject().set_points(arrow.points[::-1] if backward else arrow.points)
        return ShowPassingFlash(line.set_stroke(color, width=6).set_z_index(Z_GLOW), time_width=0.5)

    @staticmethod
    def _sequence(*stages: Animation) -> Animation:
        return Succession(*stages, introducer=True)

    @staticmethod
    def _path(start: np.ndarray | list[np.ndarray], arrow: VMobject, end: np.ndarray, reverse: bool = False,
              lo: float = 0.0, hi: float = 1.0, offset: np.ndarray | None = None) -> VMobject:
        """From `start` (a point, or a list of points to pass) along the edge between proportions lo..hi of
        the way (backwards if `reverse`) to `end`; `offset` shifts the part along the edge and `end`."""
        shift = np.zeros(3) if offset is None else offset
        along = [arrow.point_from_proportion(1 - t if reverse else t) + shift for t in np.linspace(lo, hi, 12)]
        starts = start if isinstance(start, list) else [start]
        return VMobject().set_points_smoothly([*starts, *along, end + shift])
