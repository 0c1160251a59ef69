"""PyTorch autograd as the notebook teaches it: the graph grows as the code runs, grad_fn names each op,
.backward() runs the chain rule from the loss back to w and b, and the notebook's three warnings.

Layout of the graph scenes: the code on top (the line being run is marked), a side panel to its
right (legend, printed output, the chain-rule readout), and the computational graph below, drawn
by `GraphDiagram` so the forward and backward scenes share one picture and one set of motions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Animation, Arrow, Code, Create, DashedLine,
                   FadeIn, FadeOut, Group, GrowArrow, Indicate, LaggedStart, Line, MathTex, Mobject, NumberLine, Rectangle,
                   ReplacementTransform, RoundedRectangle, ShowPassingFlash, Text, TransformMatchingTex, ValueTracker,
                   VGroup, Write, always_redraw, config)

import engine
from engine import Graph, notes
from engine.expression import FUNCTIONS
from engine.neuron import analytic_gradients, neuron_loss
from scenes.base import LectureScene, beat
from scenes.graph_diagram import GraphDiagram, fmt, leaf_shape, tex_number
from scenes.numbers import QuickDecimal
from scenes.params import LectureParams
from scenes.theme import Theme

PANEL_GAP = 0.35  # between the code, the side panel and the graph


# --- what the scenes show, from the params -------------------------------------------------------------
def loss_source(params: LectureParams) -> Callable | str:
    """The notebook's neuron and squared loss, or the lecturer's formula."""
    return neuron_loss if params.expr is None else params.expr


def lecture_graph(params: LectureParams) -> Graph:
    return engine.trace(loss_source(params), requires_grad=params.learnable, **params.values)


def torch_code(expr: str) -> str:
    """A formula as PyTorch code: `sin(a)` becomes `torch.sin(a)`."""
    names = "|".join(sorted(FUNCTIONS, key=len, reverse=True))
    return re.sub(rf"\b({names})\(", r"torch.\1(", expr)


def captions(params: LectureParams, graph: Graph) -> dict[str, str]:
    """Names under op nodes: the notebook's code names its results itself; a formula's result is the loss."""
    return {} if params.expr is None else {graph.output_name: "loss"}


@dataclass(frozen=True)
class CodeLine:
    text: str
    nodes: tuple[str, ...]  # the graph nodes this line creates, in the order they appear


def tensor_code(name: str, value: float, learnable: bool, owner: str = "") -> str:
    flag = ", requires_grad=True" if learnable else ""
    shown = name if owner else repr(float(value))
    return f"{owner}{name} = torch.tensor([{shown}]{flag})"


def graph_code(params: LectureParams, graph: Graph) -> list[CodeLine]:
    """The code that builds `graph`, each line with the nodes it creates.

    The notebook: its two `requires_grad` lines, `prediction = ...` and `loss = ...`. A formula: one
    tensor line per input and `loss = <formula>`. Ops go to the first line whose result is at or
    after them; an input or constant not declared on its own line appears with its first consumer.
    """
    learnable = set(params.learnable)
    if params.expr is None:
        declared = ["w", "b"]
        texts = [tensor_code(n, params.values[n], n in learnable, owner="self.") for n in declared]
        texts += ["prediction = torch.tanh(x * self.w + self.b)", "loss = (y_true - y_prediction)**2"]
        results = ["prediction", graph.output_name]
    else:
        declared = list(params.values)
        texts = [tensor_code(n, v, n in learnable) for n, v in params.values.items()]
        texts += [f"loss = {torch_code(params.expr)}"]
        results = [graph.output_name]
    order = {n.name: i for i, n in enumerate(graph.forward_order())}
    line_of: dict[str, int] = {n: i for i, n in enumerate(declared)}
    first_result_line = len(declared)
    result_lines = [(order[r], first_result_line + i) for i, r in enumerate(results) if r in order]
    for n in graph.nodes:
        if n.kind == "op":
            line_of[n.name] = next((line for pos, line in result_lines if pos >= order[n.name]), len(texts) - 1)
    position = dict(order)
    for n in graph.nodes:  # undeclared inputs and constants: just before their first consumer
        if n.name not in line_of:
            consumers = [e.target for e in graph.outputs_of(n.name)]
            first = min(consumers, key=lambda c: order[c]) if consumers else None
            line_of[n.name] = line_of[first] if first else len(texts) - 1
            position[n.name] = order[first] - 0.5 if first else order[n.name]
    return [CodeLine(text, tuple(sorted((n for n, line in line_of.items() if line == i), key=position.get)))
            for i, text in enumerate(texts)]


# --- pieces of the layout -----------------------------------------------------------------------------
class CodePanel(VGroup):
    """A listing in the theme's colours, with a bar behind the line being run."""

    def __init__(self, lines: Sequence[str], theme: Theme, font_size: float, max_width: float):
        super().__init__()
        self.theme = theme
        self.code = Code(code_string="\n".join(lines), language="python", formatter_style=theme.code_style,
                         add_line_numbers=False, background="rectangle",
                         background_config={"fill_color": theme.panel, "stroke_color": theme.muted,
                                            "stroke_width": 1, "buff": 0.22, "corner_radius": 0.12},
                         paragraph_config={"font": theme.code_font, "font_size": font_size})
        if self.code.width > max_width:
            self.code.scale_to_fit_width(max_width)
        self.marker = self._marker_at(0).set_opacity(0)
        self.code.submobjects.insert(1, self.marker)  # above the background, under the text
        self.add(self.code)

    def line(self, i: int) -> Mobject:
        return self.code.code_lines[i]

    def _line_centres(self) -> np.ndarray:
        """y of every line, on an even pitch fitted to the glyphs (descenders don't shift the bar)."""
        ys = np.array([line.get_center()[1] for line in self.code.code_lines])
        if len(ys) < 2:
            return ys
        slope, intercept = np.polyfit(np.arange(len(ys)), ys, 1)
        return intercept + slope * np.arange(len(ys))

    def _marker_at(self, i: int) -> Rectangle:
        ys = self._line_centres()
        pitch = abs(ys[1] - ys[0]) if len(ys) > 1 else self.code.code_lines[0].height * 1.6
        bg = self.code.background
        bar = Rectangle(width=bg.width - 0.08, height=pitch * 0.96, stroke_width=0,
                        fill_color=self.theme.highlight, fill_opacity=0.22)
        edge = Line(UP * pitch * 0.48, DOWN * pitch * 0.48, stroke_color=self.theme.highlight, stroke_width=5)
        group = VGroup(bar, edge.next_to(bar, LEFT, buff=0).shift(RIGHT * 0.03))
        return group.move_to([bg.get_center()[0], ys[i], 0])

    def highlight(self, i: int) -> Animation:
        """Move the bar to line i (it fades in the first time)."""
        target = self._marker_at(i)
        target[0].set_fill(opacity=0.22)
        target[1].set_stroke(opacity=1)
        return self.marker.animate.become(target)


def said_list(items: Sequence[str]) -> str:
    """'w', 'w and b', 'a, b and c': names as the narrator lists them."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def legend_row(theme: Theme, icon: Mobject, text: str, color: str, size: float) -> VGroup:
    label = Text(text, font=theme.font, font_size=size, color=color)
    return VGroup(icon.scale_to_fit_height(label.height * 1.5), label).arrange(RIGHT, buff=0.2)


class AutogradScene(LectureScene):
    """Shared layout of the autograd scenes: code top left, a side panel top right, the graph below."""

    @property
    def is_notebook(self) -> bool:
        return self.params.expr is None

    @property
    def left(self) -> float:
        return -config.frame_width / 2 + self.theme.margin

    @property
    def right(self) -> float:
        return config.frame_width / 2 - self.theme.margin

    def code_panel(self, lines: Sequence[str], max_width: float | None = None, top: float | None = None) -> CodePanel:
        panel = CodePanel(lines, self.theme, self.theme.small_size, max_width or (self.right - self.left) * 0.68)
        top = self.content_area()[0] if top is None else top
        return panel.move_to([self.left, top, 0], aligned_edge=LEFT + UP)

    def side_panel(self, rows: Sequence[Mobject], beside: Mobject) -> VGroup:
        """Rows stacked to the right of `beside`, top-aligned, shrunk to fit the space left."""
        group = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        room = self.right - beside.get_right()[0] - PANEL_GAP
        if group.width > room:
            group.scale_to_fit_width(room)
        return group.move_to([beside.get_right()[0] + PANEL_GAP, beside.get_top()[1], 0], aligned_edge=LEFT + UP)

    def diagram_below(self, graph: Graph, above: Mobject, captions: dict[str, str] | None = None) -> GraphDiagram:
        """The graph in the box between `above` and the bottom margin, full width."""
        top, bottom = above.get_bottom()[1] - PANEL_GAP, self.content_area()[1]
        diagram = GraphDiagram(graph, self.theme, self.right - self.left, top - bottom, captions)
        return diagram.move_to([(self.left + self.right) / 2, (top + bottom) / 2, 0])

    def legend(self, kind: str) -> VGroup:
        """One legend row: 'learnable', 'constant' or 'value'."""
        t, size = self.theme, self.theme.small_size
        if kind == "learnable":
            return legend_row(t, leaf_shape(t, t.learnable, ringed=True), "requires_grad=True", t.learnable, size)
        if kind == "constant":
            return legend_row(t, leaf_shape(t, t.constant, ringed=False), "constant", t.constant, size)
        arrow = Arrow(LEFT * 0.25, RIGHT * 0.25, buff=0, color=t.forward, stroke_width=4, tip_length=0.15)
        return VGroup(arrow, Text("value, flowing forward", font=t.font, font_size=size, color=t.forward)).arrange(RIGHT, buff=0.2)

    def show_heading(self) -> Animation:
        self.header = self.heading(self.title)
        return FadeIn(self.header)

    def output_text(self, text: str, color: str | None = None) -> Text:
        """A line the program prints, in the code font."""
        return Text(text, font=self.theme.code_font, font_size=self.theme.small_size, color=color or self.theme.text)

    def clear_stage(self, keep: Iterable[Mobject] = ()) -> Animation:
        """Fade out everything on screen except `keep` (the heading, a diagram that stays...), as one group."""
        kept = set()
        for m in keep:
            kept.update(m.get_family())
        return FadeOut(Group(*[m for m in self.mobjects if m not in kept]))

    def keep_inside(self, mob: Mobject) -> Mobject:
        """Shift sideways so it stays within the margins."""
        if mob.get_right()[0] > self.right:
            mob.shift(LEFT * (mob.get_right()[0] - self.right))
        if mob.get_left()[0] < self.left:
            mob.shift(RIGHT * (self.left - mob.get_left()[0]))
        return mob

    def record_graph(self, graph: Graph) -> None:
        values = {"loss": graph.output.value}
        if "prediction" in {n.name for n in graph.nodes}:
            values["prediction"] = graph.node("prediction").value
        for n in graph.nodes:
            if n.learnable:
                values[f"dloss_d{n.name}"] = n.grad
        self.record(**values)


# --- 1. forward: the graph grows as the code runs ----------------------------------------------------------
class ForwardGraphScene(AutogradScene):
    alt_text = ("Code on top, graph below: as each line runs, its nodes appear; the learnable tensors are ringed. "
                "Values then flow left to right to a loss of {loss:g}.")

    def construct(self) -> None:
        self.compute()
        self.declare_tensors()
        self.build_graph_from_code()
        self.flow_values_forward()
        self.print_the_loss()

    def compute(self) -> None:
        self.graph = lecture_graph(self.params)
        self.lines = graph_code(self.params, self.graph)
        self.record_graph(self.graph)
        self.record(**{name: float(v) for name, v in self.params.values.items()})
        learnable = [n for line in self.lines for n in line.nodes if self.graph.node(n).learnable]  # as the code declares them
        said = (f"the prediction is {self.values['prediction']:g}, and the loss is {self.values['loss']:g}."
                if "prediction" in self.values else f"the loss is {self.values['loss']:g}.")
        self.record(learnable_said=said_list(learnable) if learnable else "none of them", forward_said=said)

    @beat("In PyTorch, setting requires_grad=True marks a tensor as a learnable parameter. ^Here that means "
          "{learnable_said}. From now on, PyTorch tracks every operation that uses them.")
    def declare_tensors(self) -> None:
        self.code = self.code_panel([line.text for line in self.lines])
        self.diagram = self.diagram_below(self.graph, self.code, captions(self.params, self.graph))
        self.legends: dict[str, VGroup] = {}
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        self.wait_until("Here")
        for i in range(self.first_computing_line()):
            self.run_line(i)

    @beat("Now ^each line that computes adds its operations to the graph, at the moment it runs. Nothing is "
          "planned in advance: PyTorch builds the graph as the code runs, and builds it anew on every forward pass. "
          "That is a dynamic graph.")
    def build_graph_from_code(self) -> None:
        self.wait_until("each")
        for i in range(self.first_computing_line(), len(self.lines)):
            self.run_line(i)

    def first_computing_line(self) -> int:
        """The first line that makes an op node (the ones before only declare tensors)."""
        return next(i for i, line in enumerate(self.lines) if any(self.graph.node(n).kind == "op" for n in line.nodes))

    def run_line(self, i: int) -> None:
        """Mark line i and grow the nodes it creates, one by one; inputs show their values as they appear."""
        self.play(self.code.highlight(i), run_time=0.5)
        for name in self.lines[i].nodes:
            node = self.graph.node(name)
            anims = [self.diagram.grow(name)]
            if node.kind != "op":
                anims.append(self.diagram.show_value(name))
            anims += self.legend_for(node)
            self.play(*anims, run_time=0.8)

    def legend_for(self, node: engine.Node) -> list[Animation]:
        """The legend row explaining this kind of node, the first time one appears."""
        kind = "learnable" if node.learnable else "constant" if node.kind != "op" else None
        return self.add_legend(kind) if kind else []

    def add_legend(self, kind: str) -> list[Animation]:
        if kind in self.legends:
            return []
        self.legends[kind] = row = self.legend(kind)
        self.side_panel(list(self.legends.values()), self.code)
        return [FadeIn(row, shift=LEFT * 0.2)]

    @beat("Now the forward pass: ^values flow left to right along the edges. Each operation takes its inputs, "
          "computes, and passes its result on, until the last one gives the loss.")
    def flow_values_forward(self) -> None:
        self.play(*self.add_legend("value"), run_time=0.6)
        self.wait_until("values")
        line_of = {name: i for i, line in enumerate(self.lines) for name in line.nodes}
        for node in self.graph.forward_order():
            if node.kind == "op":
                self.play(self.code.highlight(line_of[node.name]), self.diagram.forward_into(node.name, run_time=1.4))
        self.record(shown_values=self.diagram.shown_numbers())

    @beat("The forward pass is done: {forward_said} This one number, the ^loss, is what training will make smaller.")
    def print_the_loss(self) -> None:
        out = self.graph.output
        rows = [self.output_text(f"loss = {fmt(out.value)}", self.theme.loss)]
        if "prediction" in self.values:
            rows.insert(0, self.output_text(f"prediction = {fmt(self.values['prediction'])}", self.theme.forward))
        printed = self.side_panel([self.text("forward pass gives", size=self.theme.small_size, color=self.theme.muted), *rows],
                                  self.code)
        self.play(FadeOut(VGroup(*self.legends.values())), FadeIn(printed, shift=UP * 0.2))
        self.wait_until("loss")
        self.play(Indicate(self.diagram.shown_values[out.name], color=self.theme.loss),
                  Indicate(self.diagram.node(out.name).body, color=self.theme.loss))


# --- 2. grad_fn: every result remembers the op that made it --------------------------------------------------
class GradFnScene(AutogradScene):
    alt_text = ("c = a + b has grad_fn {add_grad_fn}; with a * b it is {mul_grad_fn}, with sin(a) {sin_grad_fn}; "
                "leaves made by the user have none. The neuron's loss has {loss_grad_fn}.")

    def construct(self) -> None:
        self.compute()
        self.show_grad_fn_of_a_sum()
        self.leaves_have_no_grad_fn()
        self.swap_the_operation()
        self.grad_fn_of_the_neuron()
        self.follow_the_chain_back()

    def compute(self) -> None:
        self.examples = [notes.grad_fn_example(expr) for expr in notes.NOTEBOOK_GRAD_FN_EXPRS]
        self.graph = lecture_graph(self.params)
        self.links = notes.next_functions(loss_source(self.params), self.params.values, self.params.learnable)
        self.record(**{f"{ex.graph.output.op}_grad_fn": ex.grad_fn for ex in self.examples},
                    leaf_grad_fn=str(self.examples[0].leaf_grad_fns["a"]), loss_grad_fn=self.graph.output.grad_fn)
        self.record(next_functions=[name for name, _ in self.links],
                    prediction_grad_fn=self.graph.node("prediction").grad_fn if self.is_notebook else "")
        printed = ([f"{self.values['prediction_grad_fn']} for the prediction"] if self.is_notebook else []) + \
            [f"{self.values['loss_grad_fn']} for the loss"]
        self.record(grad_fns_said=said_list(printed))

    def example_code(self, example: notes.GradFnExample) -> list[str]:
        leaves = [tensor_code(n, v, True) for n, v in notes.NOTEBOOK_GRAD_FN_VALUES.items()]
        return leaves + [f"c = {torch_code(example.expr)}", "print(c.grad_fn)"]

    def grad_fn_tag(self, diagram: GraphDiagram, name: str, grad_fn: str | None) -> VGroup:
        """torch's name for the node's grad_fn, pinned to the node: under an op, above a leaf (None)."""
        tag = self.text(grad_fn or "None", size=self.theme.small_size, color=self.theme.text if grad_fn else self.theme.muted)
        tag.scale(min(1.0, diagram.label_size / self.theme.label_size))
        return self.keep_inside(diagram.pin(tag, name, above=diagram.graph.node(name).kind != "op"))

    def settle_tags(self, diagram: GraphDiagram, tags: Sequence[Mobject]) -> None:
        """Move a tag down a line while it touches a tag placed before it; then shrink diagram and tags
        together if they no longer fit above the bottom margin."""
        placed: list[Mobject] = []
        for tag in sorted(tags, key=lambda m: m.get_x()):
            while any(abs(tag.get_x() - p.get_x()) < (tag.width + p.width) / 2 + 0.1 and
                      abs(tag.get_y() - p.get_y()) < (tag.height + p.height) / 2 + 0.02 for p in placed):
                tag.shift(DOWN * tag.height)
            placed.append(tag)
        picture = VGroup(diagram, *tags)
        bottom = self.content_area()[1]
        if picture.get_bottom()[1] < bottom:
            top = diagram.get_top()[1]
            picture.scale((top - bottom) / picture.height, about_point=[diagram.get_x(), top, 0])

    def example_picture(self, example: notes.GradFnExample, above: Mobject) -> tuple[GraphDiagram, VGroup, VGroup]:
        """The graph of `c = <expr>`, the grad_fn tag of c, and the tags of the leaves (None)."""
        diagram = self.diagram_below(example.graph, above, {example.graph.output_name: "c"})
        tag = self.grad_fn_tag(diagram, example.graph.output_name, example.grad_fn)
        leaves = VGroup(*[self.grad_fn_tag(diagram, n, g) for n, g in example.leaf_grad_fns.items()])
        self.settle_tags(diagram, [tag, *leaves])
        return diagram, tag, leaves

    @beat("Every tensor made by an operation remembers that operation. Here c is a plus b. ^Printing its grad_fn "
          "shows {add_grad_fn}: the backward of an addition, which will pass gradients back to a and b.")
    def show_grad_fn_of_a_sum(self) -> None:
        example = self.examples[0]
        self.code = self.code_panel(self.example_code(example))
        self.diagram, self.tag, self.leaf_tags = self.example_picture(example, self.code)
        self.printed = self.side_panel([self.output_text(f"<{example.grad_fn} object>")], self.code)
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        *leaves, c = [n.name for n in example.graph.forward_order()]
        for line, name in enumerate(leaves):
            self.play(self.code.highlight(line), self.diagram.grow(name), run_time=0.8)
        self.play(self.code.highlight(len(leaves)), self.diagram.grow(c))
        self.wait_until("Printing")
        self.play(self.code.highlight(3), FadeIn(self.printed, shift=LEFT * 0.2), FadeIn(self.tag, shift=UP * 0.2))

    @beat("But a and b were made by us, not by an operation. They are the leaves of the graph, and their grad_fn "
          "is {leaf_grad_fn}.")
    def leaves_have_no_grad_fn(self) -> None:
        for tag, node in zip(self.leaf_tags, self.examples[0].leaf_grad_fns):
            self.play(FadeIn(tag, shift=DOWN * 0.2), Indicate(self.diagram.node(node).body, color=self.theme.learnable))

    @beat("Swap the operation, and grad_fn follows. For a ^times b it is {mul_grad_fn}; for the ^sine of a, "
          "{sin_grad_fn}.")
    def swap_the_operation(self) -> None:
        for example, mark in zip(self.examples[1:], ("times", "sine")):
            code = self.code_panel(self.example_code(example))
            diagram, tag, leaf_tags = self.example_picture(example, code)
            printed = self.side_panel([self.output_text(f"<{example.grad_fn} object>")], code)
            code.marker.become(self.code.marker)  # the bar stays where it was while the code changes
            self.wait_until(mark)
            self.play(ReplacementTransform(self.code, code), ReplacementTransform(self.diagram, diagram),
                      ReplacementTransform(self.tag, tag), ReplacementTransform(self.printed, printed),
                      ReplacementTransform(self.leaf_tags, leaf_tags), run_time=1.2)
            self.play(code.highlight(2), run_time=0.6)
            self.play(code.highlight(3), Indicate(tag, color=self.theme.highlight), Indicate(printed, color=self.theme.highlight))
            self.code, self.diagram, self.tag, self.printed, self.leaf_tags = code, diagram, tag, printed, leaf_tags

    def neuron_code(self) -> tuple[list[str], list[str]]:
        """The notebook's forward and print lines (or the formula's), and the graph nodes printed."""
        named = [n for n in ("prediction",) if self.is_notebook] + [self.graph.output_name]
        loss = "square_loss" if self.is_notebook else "loss"
        variable = {"prediction": "prediction", self.graph.output_name: loss}
        if self.is_notebook:
            lines = ["prediction = simple_graph.forward(feature)", "square_loss = sq_loss(target, prediction)"]
        else:
            lines = [f"loss = {torch_code(self.params.expr)}"]
        lines += [f"print({variable[n]}.grad_fn)" for n in named] + [f"print({loss}.grad_fn.next_functions)"]
        return lines, named

    @beat("Back to the graph of our forward pass. Printing grad_fn shows only the ^last operation that made each "
          "tensor: {grad_fns_said}.")
    def grad_fn_of_the_neuron(self) -> None:
        lines, named = self.neuron_code()
        self.named = named
        self.code = self.code_panel(lines)
        self.diagram = self.diagram_below(self.graph, self.code, captions(self.params, self.graph))
        self.tags = {n.name: self.grad_fn_tag(self.diagram, n.name, n.grad_fn) for n in self.graph.nodes if n.kind == "op"}
        self.settle_tags(self.diagram, list(self.tags.values()))
        rows = [self.output_text(f"<{self.graph.node(n).grad_fn} object>") for n in named]
        rows.append(self.output_text(self.links_text()))
        self.printed = self.side_panel(rows, self.code)
        self.play(self.clear_stage(keep=[self.header]), run_time=0.6)
        self.play(FadeIn(self.code, shift=DOWN * 0.2), FadeIn(self.diagram))
        first = len(lines) - len(named) - 1
        self.wait_until("last")
        for k, name in enumerate(named):
            self.play(self.code.highlight(first + k), FadeIn(self.printed[k], shift=LEFT * 0.2),
                      FadeIn(self.tags[name], shift=UP * 0.2), Indicate(self.diagram.node(name).body, color=self.theme.highlight))

    def links_text(self) -> str:
        """`next_functions` as Python prints it, without the addresses."""
        items = [f"(<{name}>, {i})" if name else f"(None, {i})" for name, i in self.links]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    @beat("Yet nothing is forgotten: each grad_fn links to the ones before it through next_functions, ^all the way "
          "back to the leaves. That chain is the whole graph, and it is what .backward() will walk.")
    def follow_the_chain_back(self) -> None:
        self.play(self.code.highlight(len(self.code.code.code_lines) - 1), FadeIn(self.printed[-1], shift=LEFT * 0.2))
        self.wait_until("all")
        for node in self.graph.backward_order():
            if node.kind == "op" and node.name not in self.named:
                self.play(FadeIn(self.tags[node.name], shift=UP * 0.2),
                          Indicate(self.diagram.node(node.name).body, color=self.theme.highlight), run_time=0.8)


# --- 3. backward: .backward() runs the chain rule from the loss to every leaf -----------------------------------
class BackpropScene(AutogradScene):
    alt_text = ("The graph of the forward pass; .backward() sends the gradient from the loss back along every edge, "
                "multiplying by each local derivative, until the learnable leaves hold their gradients.")

    def construct(self) -> None:
        self.compute()
        self.call_backward()
        self.flow_gradients_back()
        self.read_the_gradients()
        self.repeat_every_step()
        if self.is_notebook:
            self.derive_by_hand()
            self.compare_with_autograd()

    def compute(self) -> None:
        self.graph = lecture_graph(self.params)
        self.learnable = [n.name for n in self.graph.nodes if n.learnable]
        self.record_graph(self.graph)
        self.record(gradients_read=" and ".join(f"{fmt(self.graph.node(n).grad)} for {n}" for n in self.learnable))
        if self.is_notebook:
            v = self.params.values
            self.analytic = analytic_gradients(**v)
            self.check = notes.notebook_gradient_check(**v)
            self.record(analytic_dloss_dw=self.analytic["dloss_dw"], analytic_dloss_db=self.analytic["dloss_db"],
                        printed=list(self.check.printed.values()), matches=list(self.check.matches.values()),
                        x=float(v["x"]), y=float(v["y"]))

    def backward_code(self) -> list[str]:
        if self.is_notebook:
            owner, loss = "simple_graph.", "square_loss"
            return [f"{loss}.backward()"] + [f"autograd_dloss_d{n} = {owner}{n}.grad" for n in self.learnable]
        return ["loss.backward()"] + [f"dloss_d{n} = {n}.grad" for n in self.learnable]

    def readout(self, upstream: float, local: float, product: float) -> VGroup:
        """The chain rule on the active edge: names on top, numbers under them."""
        t, size = self.theme, self.theme.label_size
        names = [(r"\dfrac{\partial L}{\partial s}", t.gradient), ("=", t.text), (r"\dfrac{\partial L}{\partial t}", t.gradient),
                 (r"\times", t.text), (r"\dfrac{\partial t}{\partial s}", t.highlight)]
        numbers = [(tex_number(product), t.gradient), ("=", t.text), (tex_number(upstream), t.gradient),
                   (r"\times", t.text), (tex_number(local), t.highlight)]
        top = VGroup(*[MathTex(s, font_size=size, color=c) for s, c in names]).arrange(RIGHT, buff=0.3)
        bottom = VGroup(*[MathTex(s, font_size=size, color=c) for s, c in numbers])
        row_y = top.get_bottom()[1] - 0.45
        for number, name in zip(bottom, top):  # each number under its symbol, all on one line
            number.move_to([name.get_center()[0], row_y, 0])
        caption = self.text("on the lit edge s → t", size=self.theme.small_size, color=self.theme.muted)
        return VGroup(caption, VGroup(top, bottom)).arrange(DOWN, aligned_edge=LEFT, buff=0.2)

    @beat("Now the backward pass: after the forward pass, we call .backward() on the loss. It ^starts at the loss "
          "itself: the derivative of the loss with respect to itself is one.")
    def call_backward(self) -> None:
        self.code = self.code_panel(self.backward_code())
        self.diagram = self.diagram_below(self.graph, self.code, captions(self.params, self.graph))
        values = [self.diagram.show_value(n.name) for n in self.graph.nodes]
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2), FadeIn(self.diagram))
        self.play(*values, run_time=0.8)
        self.wait_until("starts")
        self.play(self.code.highlight(0), self.diagram.start_backward())

    @beat("Now the gradient flows back, edge by edge. ^On each edge, the gradient arriving from the right is "
          "multiplied by the edge's local derivative, and the product lands in the node on the left. That is the "
          "chain rule, applied from the loss back to every leaf.")
    def flow_gradients_back(self) -> None:
        edges = self.diagram.gradient_edges()
        self.wait_until("On")
        sums: dict[str, float] = {self.graph.output_name: self.graph.output.grad}
        panel = None
        for e in edges:
            upstream = sums[e.target]
            product = upstream * e.local_grad
            sums[e.source] = sums.get(e.source, 0.0) + product
            new = self.side_panel([self.readout(upstream, e.local_grad, product)], self.code)
            change = FadeIn(new) if panel is None else ReplacementTransform(panel, new)
            self.play(self.diagram.backward_along(e, run_time=2.2), change)
            panel = new
        self.readout_panel = panel
        self.play(self.diagram.settle_gradients(), run_time=0.4)

    @beat("When it is done, each learnable leaf holds its gradient in .grad: {gradients_read}. These are exactly "
          "the numbers gradient descent needs.")
    def read_the_gradients(self) -> None:
        rows = [self.output_text(f"{n}.grad = {fmt(self.graph.node(n).grad)}", self.theme.gradient) for n in self.learnable]
        printed = self.side_panel(rows, self.code)
        self.play(FadeOut(self.readout_panel), FadeIn(printed[0]), self.code.highlight(1),
                  Indicate(self.diagram.shown_grads[self.learnable[0]], color=self.theme.gradient))
        for k, name in enumerate(self.learnable[1:], start=1):
            self.play(FadeIn(printed[k]), self.code.highlight(k + 1),
                      Indicate(self.diagram.shown_grads[name], color=self.theme.gradient))
        self.printed = printed

    @beat("Training repeats these two passes at every step. Values flow ^forward to the loss, building the graph "
          "anew each time; then gradients flow ^back to the leaves.", loop=True)
    def repeat_every_step(self) -> None:
        self.wait_until("forward")
        self.play(self.diagram.pulse())
        self.wait_until("back")
        self.play(self.diagram.pulse(backward=True))

    def hand_gradient(self, which: str, top: float) -> tuple[MathTex, MathTex, MathTex, MathTex, MathTex]:
        """The notebook's formula for dL/d`which`, the same with the numbers in, and its value, on one line.

        Returns the head (`dL/dw = -2x(y-p)(1-p^2)`), the symbolic part again (to transform), the
        numeric part, the `=` between them and the `= value` tail.
        """
        v, a, t = self.params.values, self.analytic, self.theme
        lhs = rf"\frac{{\partial L}}{{\partial {which}}}"
        x, y, p = (tex_number(v["x"]), tex_number(v["y"]), tex_number(a["prediction"]))
        symbolic = ["-2", *(["x"] if which == "w" else []), "(", "y", "-", "p", ")", "(1-", "p", "^2)"]
        numeric = ["-2", *([f"({x})"] if which == "w" else []), "(", y, "-", p, ")", "(1-", p, "^2)"]
        roles = {"x": t.constant, "y": t.constant, "p": t.forward}
        value = tex_number(a[f"dloss_d{which}"])
        size = self.theme.label_size

        def tex(parts: list[str], role_of: list[str]) -> MathTex:
            m = MathTex(*parts, font_size=size, color=t.text)
            for sub, role in zip(m, role_of):  # a number keeps the colour of the symbol it replaces
                sub.set_color(roles.get(role, t.text))
            return m

        full = MathTex(lhs, "=", *symbolic, "=", *numeric, "=", value, font_size=size)
        full.move_to([self.left, top, 0], aligned_edge=LEFT)
        n = len(symbolic)
        head = tex([lhs, "=", *symbolic], ["", "", *symbolic]).move_to(VGroup(*full[:2 + n]))
        moving = tex(symbolic, symbolic).move_to(VGroup(*full[2:2 + n]))
        numbers = tex(numeric, symbolic).move_to(VGroup(*full[3 + n:3 + 2 * n]))
        equals = full[2 + n].copy().set_color(t.text)
        tail = MathTex("=", value, font_size=size, color=t.text).move_to(VGroup(*full[-2:]))
        tail[1].set_color(t.gradient)
        return head, moving, numbers, equals, tail

    @beat("Now by hand, with p for the prediction. The derivative of the loss with respect to w is minus two x, "
          "times y minus p, times one minus p squared, which comes from tanh. ^Putting in x {x:g}, y {y:g} and "
          "p {prediction:g} gives {analytic_dloss_dw:g}. For ^b, drop the x: {analytic_dloss_db:g}.")
    def derive_by_hand(self) -> None:
        self.play(FadeOut(self.code), FadeOut(self.printed))
        top = self.content_area()[0]
        rows = VGroup()
        for k, which in enumerate(("w", "b")):
            head, moving, numbers, equals, tail = self.hand_gradient(which, top - 0.4 - 0.95 * k)
            if which == "b":
                self.wait_until("b")
            self.play(Write(head), run_time=1.0)
            self.add(moving)
            if which == "w":
                self.wait_until("Putting")
            self.play(FadeIn(equals), TransformMatchingTex(moving, numbers, transform_mismatches=True), run_time=1.2)
            self.play(Write(tail), Indicate(self.diagram.shown_grads[which], color=self.theme.gradient), run_time=1.0)
            rows.add(head, equals, numbers, tail)
        self.formulas = rows

    @beat("The notebook then compares these hand-derived gradients with what autograd left in .grad. ^PyTorch "
          "prints {printed[0]} for w, and {printed[1]} for b.")
    def compare_with_autograd(self) -> None:
        lines = ["print(ana_dloss_dw == autograd_dloss_dw)", "print(ana_dloss_db == autograd_dloss_db)"]
        code = self.code_panel(lines)
        outputs = [self.output_text(self.check.printed[k], self.theme.text if self.check.matches[k] else self.theme.loss)
                   for k in ("dloss_dw", "dloss_db")]
        printed = self.side_panel(outputs, code)
        self.play(FadeOut(self.formulas), FadeIn(code, shift=DOWN * 0.2))
        self.wait_until("PyTorch")
        for k, row in enumerate(printed):
            self.play(code.highlight(k), FadeIn(row, shift=LEFT * 0.2), run_time=0.8)


# --- 4. the notebook's important notes ----------------------------------------------------------------------------
class AutogradNotesScene(AutogradScene):
    alt_text = ("Y = W @ X requires grad because W does; .detach() gives a tensor without history for plotting; "
                "a second backward doubles w.grad from {grad_after_1:g} to {grad_after_2:g}; zeroing resets it to {grad_zeroed:g}.")

    def construct(self) -> None:
        self.compute()
        self.requires_grad_is_contagious()
        self.detach_before_plotting()
        self.gradients_accumulate()
        self.zero_the_gradients()

    def compute(self) -> None:
        p = self.params
        self.contagion = notes.contagion_demo()
        self.detach = notes.detach_demo(p.values, p.learnable, loss=loss_source(p))
        self.accumulation = notes.accumulation_demo(p.values, p.learnable, times=2, loss=loss_source(p))
        self.first = next(iter(self.accumulation.zeroed))  # w in the notebook
        self.record(y_requires_grad=self.contagion.y_requires_grad, x_requires_grad=self.contagion.x_requires_grad,
                    y_grad_fn=self.contagion.y_grad_fn, detached_requires_grad=self.detach.detached_requires_grad,
                    detached_grad_fn=str(self.detach.detached_grad_fn), loss=self.detach.value,
                    grads=[dict(g) for g in self.accumulation.grads],
                    grad_after_1=self.accumulation.grads[0][self.first], grad_after_2=self.accumulation.grads[1][self.first],
                    grad_zeroed=self.accumulation.zeroed[self.first], first_learnable=self.first,
                    grad_after_zero_grad=str(self.accumulation.after_zero_grad[self.first]),
                    grad_fresh=self.accumulation.fresh[self.first])

    def note_title(self, number: int, text: str) -> VGroup:
        badge = self.text(str(number), size=self.theme.label_size, color=self.theme.highlight)
        title = self.text(text, size=self.theme.label_size)
        group = VGroup(badge, title).arrange(RIGHT, buff=0.3)
        return group.move_to([self.left, self.content_area()[0], 0], aligned_edge=LEFT + UP)

    def note_code(self, title: Mobject, lines: Sequence[str]) -> CodePanel:
        return self.code_panel(lines, top=title.get_bottom()[1] - 0.25)

    def below(self, mob: Mobject) -> tuple[float, float]:
        """(top, bottom) of the free area under `mob`."""
        return mob.get_bottom()[1] - PANEL_GAP, self.content_area()[1]

    def flag(self, value: object) -> Text:
        color = self.theme.learnable if value is True else self.theme.constant if value is False else self.theme.text
        return self.output_text(str(value), color)

    def facts(self, rows: Sequence[tuple[str, object]]) -> VGroup:
        """`attribute: value` rows in the code font, values coloured by what they mean."""
        return VGroup(*[VGroup(self.output_text(f"{k}:", self.theme.muted), self.flag(v)).arrange(RIGHT, buff=0.15)
                        for k, v in rows]).arrange(DOWN, aligned_edge=LEFT, buff=0.12)

    def matrix(self, shape: tuple[int, ...], color: str, cell: float = 0.4) -> VGroup:
        rows, cols = shape
        grid = VGroup(*[RoundedRectangle(corner_radius=0.05, width=cell * 0.88, height=cell * 0.88, stroke_color=color,
                                         stroke_width=2, fill_color=color, fill_opacity=0.25)
                        for _ in range(rows * cols)])
        return grid.arrange_in_grid(rows, cols, buff=cell * 0.12)

    def tensor_table(self, tensors: Sequence[tuple[str, tuple[int, ...], str]], attributes: Sequence[str],
                     values: Sequence[Sequence[object]], links: Sequence[str]) -> tuple[VGroup, list[VGroup], list[VGroup]]:
        """Tensors side by side (name over grid) joined by op arrows, and under each its attribute values,
        with the attribute names once at the left. Returns the whole table, its columns and its links."""
        t, gap = self.theme, 0.3
        columns = [VGroup(VGroup(MathTex(name, font_size=t.body_size, color=color), self.matrix(shape, color)).arrange(DOWN, buff=0.15),
                          VGroup(*[self.flag(v) for v in column_values]))
                   for (name, shape, color), column_values in zip(tensors, values)]
        arrows = [self.op_arrow(symbol) for symbol in links]
        rows_y = [-max(c[0].height for c in columns) / 2 - 0.4 - 0.45 * i for i in range(len(attributes))]
        x = 0.0
        for k, (head, cells) in enumerate(columns):
            width = max(head.width, *(cell.width for cell in cells))
            head.move_to([x + width / 2, 0, 0])
            for cell, y in zip(cells, rows_y):
                cell.move_to([x + width / 2, y, 0])
            x += width + gap
            if k < len(arrows):
                arrows[k].move_to([x + arrows[k].width / 2, 0, 0])
                x += arrows[k].width + gap
        header = VGroup(*[self.output_text(f"{a}:", t.muted) for a in attributes])
        for label, y in zip(header, rows_y):
            label.move_to([-0.4 - label.width / 2, y, 0])
        return VGroup(header, *columns, *arrows), columns, arrows

    def op_arrow(self, symbol: str) -> VGroup:
        arrow = Arrow(LEFT * 0.55, RIGHT * 0.55, buff=0, color=self.theme.muted, stroke_width=3, tip_length=0.15)
        return VGroup(arrow, MathTex(symbol, font_size=self.theme.label_size, color=self.theme.text).next_to(arrow, UP, buff=0.1))

    def infect(self, column: VGroup, link: VGroup) -> list[Animation]:
        """requires_grad spreads along the arrow into the result: its grid takes the learnable colour."""
        t = self.theme
        return [ShowPassingFlash(link[0].copy().set_stroke(t.learnable, width=7), time_width=0.6, run_time=1.0),
                column[0][0].animate.set_color(t.learnable),
                column[0][1].animate.set_stroke(t.learnable).set_fill(t.learnable, opacity=0.25),
                LaggedStart(*[FadeIn(v, shift=UP * 0.15) for v in column[1]], lag_ratio=0.3)]

    @beat("First note: requires_grad is contagious. W is learnable, X is not. ^Y = W @ X requires grad too, "
          "because W does, and its grad_fn is {y_grad_fn}. So does ^Z, computed from Y: everything downstream of a "
          "learnable tensor joins the graph.")
    def requires_grad_is_contagious(self) -> None:
        c, t = self.contagion, self.theme
        title = self.note_title(1, "requires_grad is contagious")
        code = self.note_code(title, [f"W = torch.randn({', '.join(map(str, c.w_shape))}, requires_grad=True)",
                                      f"X = torch.randn({', '.join(map(str, c.x_shape))})", "Y = W @ X", "Z = torch.relu(Y)"])
        table, columns, links = self.tensor_table(
            [("W", c.w_shape, t.learnable), ("X", c.x_shape, t.constant), ("Y", c.y_shape, t.muted), ("Z", c.y_shape, t.muted)],
            ["requires_grad", "grad_fn"],
            [(c.w_requires_grad, c.w_grad_fn), (c.x_requires_grad, c.x_grad_fn), (c.y_requires_grad, c.y_grad_fn),
             (c.z_requires_grad, c.z_grad_fn)],
            ["@", "=", r"\mathrm{relu}"])
        top, bottom = self.below(code)
        table.scale_to_fit_width(min(table.width, self.right - self.left)).move_to([0, (top + bottom) / 2, 0])
        self.play(self.show_heading(), FadeIn(title), FadeIn(code, shift=DOWN * 0.2), FadeIn(table[0]))
        self.play(code.highlight(0), FadeIn(columns[0], shift=UP * 0.2))
        self.play(code.highlight(1), FadeIn(links[0]), FadeIn(columns[1], shift=UP * 0.2))
        for k, link, mark in ((2, links[1], "Y"), (3, links[2], "Z")):
            self.wait_until(mark)
            self.play(code.highlight(k), GrowArrow(link[0]), FadeIn(link[1]), FadeIn(columns[k][0]))
            self.play(*self.infect(columns[k], link))
        self.stage = VGroup(title, code, table)

    @beat("Second note: a tensor that requires grad carries its graph along, and numpy refuses it: ^calling numpy "
          "on the loss raises an error. So first call .^detach(): the same number, cut from the graph, with "
          "requires_grad {detached_requires_grad}. That is what we plot or store.")
    def detach_before_plotting(self) -> None:
        d, t = self.detach, self.theme
        title = self.note_title(2, ".detach() before plotting or storing")
        code = self.note_code(title, ["loss.numpy()", "loss.detach().numpy()"])
        first, _, rest = d.numpy_error.partition(" on ")
        error = VGroup(self.output_text(f"RuntimeError: {first}", t.loss),
                       self.output_text(f"on {rest}" if rest else "", t.loss)).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        ok = self.output_text(fmt(d.detached_value), t.forward)
        outputs = self.side_panel([error, ok], code)
        top, bottom = self.below(code)
        graph = lecture_graph(self.params)
        diagram = GraphDiagram(graph, t, 8.5, (top - bottom) - 1.1, captions(self.params, graph))
        diagram.move_to([self.left, top, 0], aligned_edge=LEFT + UP)
        loss_node = diagram.node(graph.output_name)
        size = max(loss_node.body.width, 0.75)
        detached = VGroup(leaf_shape(t, t.constant, ringed=False, size=size),
                          MathTex(tex_number(d.detached_value), font_size=t.label_size, color=t.constant))
        if detached[1].width > 0.8 * size:
            detached[1].scale_to_fit_width(0.8 * size)
        detached[1].move_to(detached[0])
        detached.move_to([min(diagram.get_right()[0] + 2.4, self.right - size), loss_node.body.get_center()[1], 0])
        cut = DashedLine(loss_node.body.get_right(), detached.get_left(), color=t.muted, dash_length=0.08, buff=0.1)
        scissors = self.text("detach", size=t.small_size, color=t.muted).next_to(cut, UP, buff=0.1)
        left_facts = self.facts([("requires_grad", d.requires_grad), ("grad_fn", d.grad_fn)])
        right_facts = self.facts([("requires_grad", d.detached_requires_grad), ("grad_fn", d.detached_grad_fn)])
        left_facts.next_to(diagram, DOWN, buff=0.25).align_to(diagram, LEFT)
        right_facts.next_to(left_facts, RIGHT, buff=0).align_to(left_facts, UP)
        right_facts.set_x(detached.get_x())
        self.keep_inside(right_facts)
        self.play(FadeOut(self.stage), FadeIn(title), FadeIn(code, shift=DOWN * 0.2), FadeIn(diagram))
        self.wait_until("calling")
        self.play(code.highlight(0), FadeIn(error, shift=RIGHT * 0.2), FadeIn(left_facts),
                  Indicate(loss_node.body, color=t.loss))
        self.wait_until("detach")
        self.play(code.highlight(1), ReplacementTransform(loss_node.copy(), detached), Create(cut), FadeIn(scissors),
                  run_time=1.4)
        self.play(FadeIn(ok, shift=RIGHT * 0.2), FadeIn(right_facts, shift=UP * 0.15))
        self.stage = VGroup(title, code, outputs, diagram, detached, cut, scissors, left_facts, right_facts)

    def grad_axis(self, names: Sequence[str], width: float) -> tuple[VGroup, dict[str, ValueTracker]]:
        """A number line through 0 and the first learnable's .grad values; per learnable, its name at the left, a bar
        from 0 to its .grad and the number at the right, following a ValueTracker (updated in place)."""
        t, acc = self.theme, self.accumulation
        values = [g[n] for g in acc.grads for n in names]
        marks = sorted({0.0, *(g[self.first] for g in acc.grads)})  # ticks for the first learnable only
        lo, hi = min(0.0, *values), max(0.0, *values)
        axis = NumberLine(x_range=[lo, hi if hi > lo else lo + 1], length=width,
                          include_ticks=False, color=t.muted, stroke_width=2)
        places = 0 if all(float(v).is_integer() for v in values) else 3  # the ticks and the moving numbers agree
        ticks = VGroup(*[VGroup(Line(UP * 0.1, DOWN * 0.1, color=t.muted, stroke_width=2).move_to(axis.n2p(m)),
                                MathTex(f"{m:.{places}f}", font_size=t.small_size, color=t.muted).next_to(axis.n2p(m), DOWN, buff=0.18))
                         for m in marks])
        trackers = {n: ValueTracker(0.0) for n in names}
        rows = VGroup()
        for k, n in enumerate(names):
            y = (len(names) - k) * 0.62
            label = self.output_text(f"{n}.grad", t.gradient)
            label.move_to(axis.get_left() + UP * y + LEFT * (0.35 + label.width / 2))
            bar = always_redraw(lambda n=n, y=y: self.bar(axis, trackers[n].get_value(), y))
            number = QuickDecimal(0, num_decimal_places=places, font_size=t.label_size, color=t.gradient)
            number.add_updater(lambda m, n=n, y=y: m.set_value(trackers[n].get_value()).move_to(
                axis.get_right() + UP * y + RIGHT * (0.35 + m.width / 2)))
            rows.add(VGroup(label, bar, number))
        return VGroup(axis, ticks, rows), trackers

    def bar(self, axis: NumberLine, value: float, height: float) -> Rectangle:
        start, end = axis.n2p(0), axis.n2p(value)
        width = max(abs(end[0] - start[0]), 1e-3)
        bar = Rectangle(width=width, height=0.34, stroke_width=0, fill_color=self.theme.gradient, fill_opacity=0.85)
        return bar.move_to((start + end) / 2 + UP * height)

    @beat("Third note: .backward() does not replace .grad, it adds to it. The ^first backward gives {grad_after_1:.4g}. "
          "Run it ^again, and {first_learnable}.grad holds {grad_after_2:.4g}, twice as much. PyTorch does this on "
          "purpose, so gradients from several losses can be summed.")
    def gradients_accumulate(self) -> None:
        acc = self.accumulation
        names = list(acc.zeroed)
        title = self.note_title(3, ".backward() accumulates gradients")
        forward = "sq_loss(y, simple_graph.forward(x))" if self.is_notebook else torch_code(self.params.expr)
        zero = f"{names[0]}.grad.zero_()" if len(names) == 1 else f"for p in ({', '.join(names)}): p.grad.zero_()"
        code = self.note_code(title, ["for step in range(2):", f"    loss = {forward}", "    loss.backward()", zero,
                                      "optimizer.zero_grad()  # or this"])
        top, bottom = self.below(code)
        axis, trackers = self.grad_axis(names, width=7.0)
        axis.move_to([(self.left + self.right) / 2, (top + bottom) / 2, 0])
        self.play(FadeOut(self.stage), FadeIn(title), FadeIn(code, shift=DOWN * 0.2), FadeIn(axis))
        for grads, mark in zip(acc.grads, ("first", "again")):
            self.wait_until(mark)
            self.play(code.highlight(1), run_time=0.5)
            self.play(code.highlight(2), *[trackers[n].animate.set_value(grads[n]) for n in names], run_time=1.4)
        self.trackers, self.code_box, self.note = trackers, code, title

    @beat("So before each new backward, we zero the gradients. Zeroing in place gives {grad_zeroed:g}. An optimizer's "
          "zero_grad() ^sets .grad to {grad_after_zero_grad} instead. Either way, the ^next backward starts fresh: "
          "{grad_fresh:.4g}.")
    def zero_the_gradients(self) -> None:
        acc, code = self.accumulation, self.code_box
        names = list(acc.zeroed)
        title = self.note_title(4, "zero the gradients before each backward")
        self.play(ReplacementTransform(self.note, title), code.highlight(3),
                  *[self.trackers[n].animate.set_value(acc.zeroed[n]) for n in names], run_time=1.4)
        note = self.output_text(f"{self.first}.grad is {acc.after_zero_grad[self.first]}", self.theme.muted)
        fresh = self.output_text(f"next backward: {fmt(acc.fresh[self.first])}", self.theme.gradient)
        printed = self.side_panel([note, fresh], code)
        self.wait_until("sets")
        self.play(code.highlight(4), FadeIn(note, shift=LEFT * 0.2))
        self.wait_until("next")
        self.play(FadeIn(fresh, shift=LEFT * 0.2), *[self.trackers[n].animate.set_value(acc.fresh[n]) for n in names],
                  run_time=1.4)
