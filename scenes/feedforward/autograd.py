"""PyTorch autograd as the notebook teaches it: the graph grows as the code runs, grad_fn names each op,
.backward() runs the chain rule from the loss back to w and b (the notebook's warnings: `autograd_notes.py`).

Layout of the graph scenes: the code on top (the line being run is marked), a side panel to its
right (legend, printed output, the chain-rule readout), and the computational graph below, drawn
by `GraphDiagram` so the forward and backward scenes share one picture and one set of motions.
"""
from __future__ import annotations

from typing import Sequence

from manim import (DOWN, LEFT, RIGHT, UP, Animation, AnimationGroup, FadeIn, FadeOut, Indicate, LaggedStart, MathTex, Mobject, ReplacementTransform,
                   TransformMatchingTex, VGroup, Write)

import engine
from engine import notes
from engine.neuron import analytic_gradients
from scenes.widgets.code_scene import CodeScene
from scenes.kit.base import beat
from scenes.kit.pointing import RING_BUFF
from scenes.kit.formatting import short, short_tex
from scenes.feedforward.graph_code import captions, graph_code, lecture_graph, loss_source, tensor_code, torch_code
from scenes.widgets.graph_diagram import COLUMN_GAP, GraphDiagram
from scenes.kit.wording import said_list


EXAMPLE_COLUMN_GAP = 5.0  # grad_fn's two-column examples spread across the frame (at 2.6 the right third stayed empty)
RING_ROOM = RING_BUFF + 0.05  # kept free under a tag that is pointed at, so its ring stays inside the margin
ROW_BUFF, PRINTED_GAP = 0.22, 0.6  # between the printed .grad lines (side_panel's), and between their two columns


# --- 1. forward: the graph grows as the code runs ----------------------------------------------------------
class ForwardGraphScene(CodeScene):
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
        said = f"The prediction is {self.values['prediction']:g}. " if "prediction" in self.values else ""
        self.record(learnable_said=said_list(learnable) if learnable else "none of them", prediction_said=said)

    @beat("^In PyTorch, setting [requires_grad=True](flag) ^marks a tensor as a learnable parameter. ^Here that means "
          "{learnable_said}. From now on, PyTorch tracks [every operation that uses them](ops).")
    def declare_tensors(self) -> None:
        self.code = self.code_panel([line.text for line in self.lines])
        self.diagram = self.diagram_below(self.graph, self.code, captions(self.params, self.graph))
        self.legends: dict[str, VGroup] = {}
        first = self.first_computing_line()
        flag = next((i for i in range(first) if any(self.graph.node(n).learnable for n in self.lines[i].nodes)), 0)
        self.point_at(flag=self.code.line(flag), ops=self.code.line(first))
        self.play_along("In", self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        if any(n.learnable for n in self.graph.nodes):  # the flag moves from the code into the legend, meaning explained
            self.add_legend("learnable")
            icon, words = self.legends["learnable"]
            self.play_along("marks", ReplacementTransform(self.flag_glyphs(flag).copy(), words),
                            FadeIn(icon, shift=LEFT * 0.2), run_time=0.8)
        if first:
            self.play_along("Here", self.steps(*self.run_lines(range(first))))
        # "every operation that uses them": the first line that uses them runs, and its operations join the graph
        # (the picture filled out as it is named; the rest of the code runs in the next beat).
        self.play_along("ops", self.steps(*self.run_lines(range(first, first + 1))))

    @beat("Now ^each line that computes adds its operations to the graph, ^at the moment it runs. Nothing is "
          "planned in advance: [PyTorch builds the graph as the code runs](graph), and builds it ^anew on every "
          "forward pass. That is a dynamic graph.")
    def build_graph_from_code(self) -> None:
        self.point_at(graph=self.diagram)
        steps = self.run_lines(range(self.first_computing_line() + 1, len(self.lines)))
        half = (len(steps) + 1) // 2
        if steps:
            self.play_along("each", self.steps(*steps[:half]))
        if steps[half:]:  # the rest of the graph grows while the words say it is built as the code runs
            self.wait_until("at")
            self.play_until("anew", self.steps(*steps[half:]))
        self.wait_until("anew")
        self.play_until(None, self.diagram.pulse())

    def flag_glyphs(self, i: int) -> Mobject:
        """The `requires_grad=True` of code line i (the whole line if it has none)."""
        line, flag = self.code.line(i), "requires_grad=True"
        text = self.lines[i].text.replace(" ", "")
        start = text.find(flag)
        return line if start < 0 or len(line) != len(text) else line[start:start + len(flag)]

    def first_computing_line(self) -> int:
        """The first line that makes an op node (the ones before only declare tensors)."""
        return next(i for i, line in enumerate(self.lines) if any(self.graph.node(n).kind == "op" for n in line.nodes))

    def run_lines(self, lines: range) -> list[Animation]:
        """Per line: mark it, then grow the nodes it creates one by one (inputs show their values as they appear)."""
        steps: list[Animation] = []
        for i in lines:
            steps.append(self.code.highlight(i).build().set_run_time(0.5))
            for name in self.lines[i].nodes:
                node = self.graph.node(name)
                anims = [self.diagram.grow(name)]
                if node.kind != "op":
                    anims.append(self.diagram.show_value(name))
                anims += self.legend_for(node)
                steps.append(AnimationGroup(*anims, run_time=0.8))
        return steps

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

    @beat("Now the forward pass: ^values flow left to right along the edges. ^Each operation takes its inputs, "
          "computes, and passes its result on, ^until the last one gives the loss.")
    def flow_values_forward(self) -> None:
        self.play(*self.add_legend("value"), run_time=0.6)
        line_of = {name: i for i, line in enumerate(self.lines) for name in line.nodes}
        flows = [AnimationGroup(self.code.highlight(line_of[node.name]).build(),
                                self.diagram.forward_into(node.name, run_time=1.4), run_time=1.4)
                 for node in self.graph.forward_order() if node.kind == "op"]
        first, middle, last = flows[:1], flows[1:-1], flows[1:][-1:]  # over the three clauses that say them
        self.play_along("values", self.steps(*first))
        if middle:
            self.wait_until("Each")
            self.play_until("until", self.steps(*middle))
        if last:
            self.play_along("until", self.steps(*last))
        self.record(shown_values=self.diagram.shown_numbers())

    @beat("The forward pass is done. {prediction_said}[The loss is {loss:g}](loss). [This one number](number) is what "
          "training will make smaller.")
    def print_the_loss(self) -> None:
        out = self.graph.output
        rows = [self.output_text(f"loss = {short(out.value)}", self.theme.loss)]
        if "prediction" in self.values:
            rows.insert(0, self.output_text(f"prediction = {short(self.values['prediction'])}", self.theme.forward))
        printed = self.side_panel([self.text("forward pass gives", size=self.theme.small_size, color=self.theme.muted), *rows],
                                  self.code)
        self.point_at(loss=self.diagram.node(out.name), number=printed[-1])
        self.play(FadeOut(VGroup(*self.legends.values())), FadeIn(printed[0], shift=UP * 0.2))
        if len(rows) > 1:  # each printed number comes out of its node
            self.play(ReplacementTransform(self.diagram.shown_values["prediction"].copy(), printed[1]))
        self.play_along("loss", ReplacementTransform(self.diagram.shown_values[out.name].copy(), printed[-1]),
                        Indicate(self.diagram.node(out.name).body, color=self.theme.loss))


# --- 2. grad_fn: every result remembers the op that made it --------------------------------------------------
def printed_gradients(scene: CodeScene, rows: list) -> VGroup:
    """The printed .grad lines beside the code, a ring's room under the title band; in two columns where one
    would reach below the code into the graph (an --expr of five inputs: five lines beside six of code)."""
    printed = scene.side_panel(rows, scene.code).shift(DOWN * RING_ROOM)
    if printed.get_bottom()[1] >= scene.code.get_bottom()[1] or len(rows) < 3:
        return printed
    half = (len(rows) + 1) // 2
    columns = VGroup(*(VGroup(*rows[k:k + half]).arrange(DOWN, aligned_edge=LEFT, buff=ROW_BUFF) for k in (0, half)))
    scene.side_panel([columns.arrange(RIGHT, aligned_edge=UP, buff=PRINTED_GAP)], scene.code).shift(DOWN * RING_ROOM)
    return VGroup(*rows)  # the lines in order, where the columns put them


class GradFnScene(CodeScene):
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
        return self.keep_inside(diagram.pin(tag, name, above=diagram.graph.node(name).kind != "op"))

    def rise_in(self, tag: Mobject) -> Animation:
        """A tag fades in rising to its place, from no lower than the bottom margin (a tag pushed down to the margin
        rose out of it: `lecture check` found its box 0.08 inside the margin mid-fade)."""
        return FadeIn(tag, shift=UP * max(0.0, min(0.2, tag.get_bottom()[1] - self.content_area()[1])))

    def settle_tags(self, diagram: GraphDiagram, tags: Sequence[Mobject], shrink: bool = True) -> float:
        """Move a tag down a line while it touches a tag placed before it; then (with `shrink`) shrink diagram
        and tags together if they no longer fit above the bottom margin. Returns how far they reached below it."""
        placed: list[Mobject] = []
        for tag in sorted(tags, key=lambda m: m.get_x()):
            while any(abs(tag.get_x() - p.get_x()) < (tag.width + p.width) / 2 + 0.1 and
                      abs(tag.get_y() - p.get_y()) < (tag.height + p.height) / 2 + 0.02 for p in placed):
                tag.shift(DOWN * tag.height)
            placed.append(tag)
        picture = VGroup(diagram, *tags)
        bottom = self.content_area()[1]
        overflow = bottom - picture.get_bottom()[1]
        if overflow > 0 and shrink:
            top = diagram.get_top()[1]
            picture.scale((top - bottom) / picture.height, about_point=[diagram.get_x(), top, 0])
        return overflow

    def tagged_diagram(self, graph: engine.Graph, above: Mobject, captions: dict[str, str],
                       grad_fns: dict[str, str | None], room: float = 0.0,
                       column_gap: float = COLUMN_GAP[1]) -> tuple[GraphDiagram, dict[str, VGroup]]:
        """The graph below `above` with a grad_fn tag pinned to each node named, the graph drawn in a box short
        enough that tags pushed down a line still fit (so nothing is shrunk below the readable size), `room` above the margin."""
        reserve = 0.0
        for attempt in range(3):
            diagram = self.diagram_below(graph, above, captions, reserve=reserve, column_gap=column_gap)
            tags = {name: self.grad_fn_tag(diagram, name, g) for name, g in grad_fns.items()}
            overflow = self.settle_tags(diagram, list(tags.values()), shrink=attempt == 2) + room
            if overflow <= 0:
                break
            reserve += overflow + 0.02
        return diagram, tags

    def example_picture(self, example: notes.GradFnExample, above: Mobject) -> tuple[GraphDiagram, VGroup, VGroup]:
        """The graph of `c = <expr>`, the grad_fn tag of c, and the tags of the leaves (None)."""
        out = example.graph.output_name
        diagram, tags = self.tagged_diagram(example.graph, above, {out: "c"},
                                            {out: example.grad_fn, **example.leaf_grad_fns}, room=RING_ROOM,
                                            column_gap=EXAMPLE_COLUMN_GAP)
        return diagram, tags[out], VGroup(*[tags[n] for n in example.leaf_grad_fns])

    @beat("Every tensor made by an operation remembers that operation. Here ^c is a plus b. ^Printing its grad_fn "
          "shows {add_grad_fn}: [the backward of an addition](tag), which will pass gradients ^back to a and b.")
    def show_grad_fn_of_a_sum(self) -> None:
        example = self.examples[0]
        self.code = self.code_panel(self.example_code(example))
        self.diagram, self.tag, self.leaf_tags = self.example_picture(example, self.code)
        self.printed = self.side_panel([self.output_text(f"<{example.grad_fn} object>")], self.code)
        self.point_at(tag=self.tag)
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        *leaves, c = [n.name for n in example.graph.forward_order()]
        self.play_until("c", self.steps(*[AnimationGroup(self.code.highlight(line).build(), self.diagram.grow(name), run_time=0.8)
                                          for line, name in enumerate(leaves)]))
        self.play_along("c", self.code.highlight(len(leaves)), self.diagram.grow(c))
        self.play_along("Printing", self.code.highlight(3), FadeIn(self.printed, shift=LEFT * 0.2), self.rise_in(self.tag))
        self.play_along("back", self.diagram.pulse(backward=True))

    @beat("But [a and b](ab) were ^made by us, not by an operation. They are [the leaves of the graph](leaves), and "
          "their grad_fn ^is {leaf_grad_fn}.")
    def leaves_have_no_grad_fn(self) -> None:
        nodes = VGroup(*[self.diagram.node(n) for n in self.examples[0].leaf_grad_fns])
        self.point_at(ab=nodes, leaves=nodes)
        # "made by us": the bar goes to the lines that made them
        self.play_along("made", self.steps(*[self.code.highlight(i).build().set_run_time(0.5)
                                             for i in range(len(self.examples[0].leaf_grad_fns))]))
        self.play_along("is", *[AnimationGroup(FadeIn(tag, shift=DOWN * 0.2), Indicate(self.diagram.node(node),
                                                                                        color=self.theme.learnable))
                                for tag, node in zip(self.leaf_tags, self.examples[0].leaf_grad_fns)])

    @beat("[Swap the operation](op), and [grad_fn follows](tag). For a ^times b it is {mul_grad_fn}; for the ^sine of a, "
          "{sin_grad_fn}.")
    def swap_the_operation(self) -> None:
        self.point_at(op=self.code.line(2), tag=self.tag)
        for example, mark in zip(self.examples[1:], ("times", "sine")):
            code = self.code_panel(self.example_code(example))
            diagram, tag, leaf_tags = self.example_picture(example, code)
            printed = self.side_panel([self.output_text(f"<{example.grad_fn} object>")], code)
            code.marker.become(self.code.marker)  # the bar stays where it was while the code changes
            # three plays, not one Succession: a Succession would put the new code and tags on screen at its start
            self.wait_until(mark)
            self.play(ReplacementTransform(self.code, code), ReplacementTransform(self.diagram, diagram),
                      ReplacementTransform(self.tag, tag), ReplacementTransform(self.printed, printed),
                      ReplacementTransform(self.leaf_tags, leaf_tags), run_time=1.2)
            self.play(code.highlight(2), run_time=0.6)
            # the printed line lights up in place (it spans the room to the margin: grown, it would cross it)
            self.play(code.highlight(3), Indicate(tag, color=self.theme.highlight),
                      Indicate(printed, color=self.theme.highlight, scale_factor=1.0))
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

    @beat("Back to the graph of our forward pass. [Printing grad_fn](prints) shows only the ^last operation that made each "
          "tensor: {grad_fns_said}.")
    def grad_fn_of_the_neuron(self) -> None:
        lines, named = self.neuron_code()
        self.named = named
        self.code = self.code_panel(lines)
        self.diagram, self.tags = self.tagged_diagram(self.graph, self.code, captions(self.params, self.graph),
                                                      {n.name: n.grad_fn for n in self.graph.nodes if n.kind == "op"})
        rows = [self.output_text(f"<{self.graph.node(n).grad_fn} object>") for n in named]
        links = self.printed_lines(self.links_text(), self.code)
        self.printed = self.side_panel([*rows, VGroup(*links).arrange(DOWN, aligned_edge=LEFT, buff=0.1)], self.code)
        self.play(self.clear_stage(keep=[self.header]), run_time=0.6)
        self.play(FadeIn(self.code, shift=DOWN * 0.2), FadeIn(self.diagram))
        first = len(lines) - len(named) - 1
        self.point_at(prints=VGroup(*[self.code.line(first + k) for k in range(len(named))]))
        self.wait_until("last")
        self.play_until(None, self.steps(*[
            AnimationGroup(self.code.highlight(first + k).build(), FadeIn(self.printed[k], shift=LEFT * 0.2),
                           self.rise_in(self.tags[name]),
                           Indicate(self.diagram.node(name), color=self.theme.highlight), run_time=1.0)
            for k, name in enumerate(named)]))

    def links_text(self) -> str:
        """`next_functions` as Python prints it, without the addresses."""
        items = [f"(<{name}>, {i})" if name else f"(None, {i})" for name, i in self.links]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    @beat("Yet nothing is forgotten: each grad_fn links to the ones before it through [next_functions](links), ^all the "
          "way back to the leaves. That chain is [the whole graph](graph), and it is what .backward() will ^walk.")
    def follow_the_chain_back(self) -> None:
        self.point_at(links=self.printed[-1], graph=self.diagram)
        last = len(self.code.code.code_lines) - 1
        self.play_until("all", self.steps(self.code.highlight(last).build().set_run_time(0.6),
                                          FadeIn(self.printed[-1], shift=LEFT * 0.2, run_time=1.0)))
        rest = [AnimationGroup(self.rise_in(self.tags[node.name]),
                               Indicate(self.diagram.node(node.name), color=self.theme.highlight), run_time=0.8)
                for node in self.graph.backward_order() if node.kind == "op" and node.name not in self.named]
        if rest:  # the chain's links appear back to the leaves while the words follow it to the whole graph
            self.wait_until("all")
            self.play_until("walk", self.steps(*rest))
        self.play_along("walk", self.diagram.pulse(backward=True))


# --- 3. backward: .backward() runs the chain rule from the loss to every leaf -----------------------------------
class BackpropScene(CodeScene):
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
        self.record(gradients_read=" and ".join(f"{short(self.graph.node(n).grad)} for {n}" for n in self.learnable))
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
        numbers = [(short_tex(product), t.gradient), ("=", t.text), (short_tex(upstream), t.gradient),
                   (r"\times", t.text), (short_tex(local), t.highlight)]
        top = VGroup(*[MathTex(s, font_size=size, color=c) for s, c in names])
        bottom = VGroup(*[MathTex(s, font_size=size, color=c) for s, c in numbers])
        # Each number under its symbol, all on one line, a column as wide as the wider of the two: a number wider
        # than its fraction (-0.02659) ran into the "=" beside it.
        x, centres = 0.0, []
        for name, number in zip(top, bottom):
            width = max(name.width, number.width)
            centres.append(x + width / 2)
            name.move_to([centres[-1], 0, 0])
            x += width + 0.3
        row_y = top.get_bottom()[1] - 0.45
        for number, centre in zip(bottom, centres):
            number.move_to([centre, row_y, 0])
        caption = self.text("on the lit edge s → t", size=self.theme.small_size, color=self.theme.muted)
        return VGroup(caption, VGroup(top, bottom)).arrange(DOWN, aligned_edge=LEFT, buff=0.2)

    @beat("Now the backward pass: ^after the forward pass, we call [.backward() on the loss](call). It ^starts at "
          "[the loss itself](loss): the ^derivative of the loss with respect to itself is [one](one).")
    def call_backward(self) -> None:
        self.code = self.code_panel(self.backward_code())
        self.diagram = self.diagram_below(self.graph, self.code, captions(self.params, self.graph))
        values = [self.diagram.show_value(n.name) for n in self.graph.nodes]
        out = self.graph.output_name
        t = self.theme
        self.seed = self.side_panel([MathTex(r"\dfrac{\partial L}{\partial L}", "=", short_tex(self.graph.output.grad),
                                             font_size=t.label_size, color=t.gradient)], self.code)
        self.in_room_beside(self.seed, self.code)  # what this beat says, as large as its room allows (then it turns into the readout)
        self.point_at(call=self.code.line(0), loss=self.diagram.node(out).body, one=self.seed[0][2])
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2), FadeIn(self.diagram))
        self.play_along("after", self.diagram.pulse(), LaggedStart(*values, lag_ratio=0.3), run_time=1.2)
        self.play_along("call", self.code.highlight(0))
        self.play_along("starts", self.diagram.start_backward())
        said, value = self.seed[0][:2], self.seed[0][2]
        self.play_until("one", Write(said), run_time=1.0)  # the terms as they are said
        self.play_along("one", Write(value), run_time=0.6)
        self.remove(said, value)
        self.add(self.seed)  # one object again, so the next beat transforms all of it

    def seed_into(self, readout: VGroup) -> Animation:
        """dL/dL = 1 becomes the first edge's arriving gradient, dL/dt and its number (the loss's own, 1); the rest of
        the readout appears round them (a whole-panel morph turned the large seed into a tangle of glyphs)."""
        symbol, _, one = self.seed[0]
        caption, (top, bottom) = readout[0]
        rest = [caption, *(m for m in top if m is not top[2]), *(m for m in bottom if m is not bottom[2])]
        return AnimationGroup(ReplacementTransform(symbol, top[2]), ReplacementTransform(one, bottom[2]),
                              FadeOut(self.seed[0][1]), *(FadeIn(m) for m in rest))

    @beat("Now the gradient flows back, edge by edge. On each edge, the gradient arriving from the right is "
          "multiplied by the edge's local derivative, and the product lands in the node on the left. That is the "
          "chain rule, applied from the loss back to every leaf.")
    def flow_gradients_back(self) -> None:
        edges = self.diagram.gradient_edges()
        sums: dict[str, float] = {self.graph.output_name: self.graph.output.grad}
        panel = self.seed
        for k, e in enumerate(edges):
            upstream = sums[e.target]
            product = upstream * e.local_grad
            sums[e.source] = sums.get(e.source, 0.0) + product
            new = self.side_panel([self.readout(upstream, e.local_grad, product)], self.code)
            change = self.seed_into(new) if panel is self.seed else ReplacementTransform(panel, new)
            # the edges share the whole beat's speech: the chain rule runs while it is described
            left = self._beat_start + self.speech.duration - self.now - 0.4 if self.speech else 0.0
            run_time = max(2.2, left / (len(edges) - k))
            self.play(self.diagram.backward_along(e, run_time=run_time), change)
            if panel is self.seed:
                self.remove(*new.get_family()[1:])
                self.add(new)  # one object again, so the next edge's readout transforms all of it
            panel = new
        self.readout_panel = panel
        self.play(self.diagram.settle_gradients(), run_time=0.4)

    @beat("When it is done, [each learnable leaf](leaves) holds its gradient in .grad. ^They read {gradients_read}. "
          "These are exactly [the numbers gradient descent needs](needed).")
    def read_the_gradients(self) -> None:
        rows = [self.output_text(f"{n}.grad = {short(self.graph.node(n).grad)}", self.theme.gradient) for n in self.learnable]
        printed = printed_gradients(self, rows)
        self.point_at(leaves=VGroup(*[self.diagram.node(n) for n in self.learnable]), needed=printed)
        self.play(FadeOut(self.readout_panel))
        reads = [AnimationGroup(ReplacementTransform(self.diagram.shown_grads[name].copy(), row),  # out of the graph
                                self.code.highlight(k + 1).build(),
                                Indicate(self.diagram.shown_grads[name], color=self.theme.gradient), run_time=1.0)
                 for k, (row, name) in enumerate(zip(printed, self.learnable))]
        self.play_along("They", self.steps(*reads))
        self.printed = printed

    @beat("Training repeats [these two passes](passes) at every step. Values flow ^forward to the loss and build the "
          "graph anew each time; then gradients flow ^back to the leaves.", loop=True)
    def repeat_every_step(self) -> None:
        self.point_at(passes=VGroup(*[arrow for _, arrow in self.diagram.edge_list]))  # where both passes run
        self.play_along("forward", self.diagram.pulse())
        self.play_along("back", self.diagram.pulse(backward=True))

    def hand_gradient(self, which: str, top: float) -> tuple[MathTex, MathTex, MathTex, MathTex, MathTex]:
        """The notebook's formula for dL/d`which`, the same with the numbers in, and its value, on one line.

        Returns the head (`dL/dw = -2x(y-p)(1-p^2)`), the symbolic part again (to transform), the
        numeric part, the `=` between them and the `= value` tail.
        """
        v, a, t = self.params.values, self.analytic, self.theme
        lhs = rf"\frac{{\partial L}}{{\partial {which}}}"
        x, y, p = (short_tex(v["x"]), short_tex(v["y"]), short_tex(a["prediction"]))
        symbolic = ["-2", *(["x"] if which == "w" else []), "(", "y", "-", "p", ")", "(1-", "p", "^2)"]
        numeric = ["-2", *([f"({x})"] if which == "w" else []), "(", y, "-", p, ")", "(1-", p, "^2)"]
        roles = {"x": t.constant, "y": t.constant, "p": t.forward}
        value = short_tex(a[f"dloss_d{which}"])
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

    @beat("Now by hand, with [p for the prediction](p). ^The derivative of the loss with respect to w is ^minus two x, "
          "times ^y minus p, times ^one minus p squared, [which comes from tanh](tanh). ^Putting in x {x:g}, y {y:g} "
          "and p {prediction:g} ^gives {analytic_dloss_dw:g}. ^For b, the same formula without the x ^comes to "
          "{analytic_dloss_db:g}.")
    def derive_by_hand(self) -> None:
        self.point_at(p=self.diagram.node("prediction"))
        self.play(FadeOut(self.code), FadeOut(self.printed))
        top = self.content_area()[0]
        rows = VGroup()
        self.hand_values: dict[str, Mobject] = {}
        for k, which in enumerate(("w", "b")):
            head, moving, numbers, equals, tail = self.hand_gradient(which, top - 0.4 - 0.95 * k)
            if which == "w":  # written term by term as it is read
                terms = {"The": head[:2], "minus": head[2:4], "y": head[4:9], "one": head[9:]}
                self.point_at(tanh=head[9:])
                for mark, term in terms.items():
                    self.play_along(mark, Write(term), run_time=0.6)
                self.remove(*terms.values())
                self.add(head)
                self.wait_until("Putting")
                self.add(moving)  # a copy on its source, added as it starts to move (not held over it while waiting)
                self.play_until("gives", FadeIn(equals), TransformMatchingTex(moving, numbers, transform_mismatches=True),
                                run_time=1.2)
                self.play_along("gives", Write(tail), Indicate(self.diagram.shown_grads[which], color=self.theme.gradient))
            else:
                self.wait_until("For")
                self.play_until("comes", Write(head), run_time=1.0)
                self.add(moving)
                self.play_along("comes", FadeIn(equals), TransformMatchingTex(moving, numbers, transform_mismatches=True),
                                run_time=1.2)
                self.play(Write(tail), Indicate(self.diagram.shown_grads[which], color=self.theme.gradient), run_time=1.0)
            rows.add(head, equals, numbers, tail)
            self.hand_values[which] = tail[1]
        self.formulas = rows

    @beat("The notebook then compares [these hand-derived gradients](hand) ^with what autograd left in .grad. ^PyTorch "
          "prints {printed[0]} for w, ^and {printed[1]} for b.")
    def compare_with_autograd(self) -> None:
        lines = ["print(ana_dloss_dw == autograd_dloss_dw)", "print(ana_dloss_db == autograd_dloss_db)"]
        code = self.code_panel(lines)
        outputs = [self.output_text(self.check.printed[k], self.theme.text if self.check.matches[k] else self.theme.loss)
                   for k in ("dloss_dw", "dloss_db")]
        printed = self.side_panel(outputs, code)
        self.point_at(hand=VGroup(*self.hand_values.values()))
        # each hand-derived value travels to the .grad autograd left in its leaf, then the check's code comes in
        meet = [FadeOut(self.hand_values[n].copy(), target_position=self.diagram.shown_grads[n], scale=0.8)
                for n in self.learnable if n in self.hand_values]
        self.play_along("with", self.steps(
            AnimationGroup(*meet, *[Indicate(self.diagram.shown_grads[n], color=self.theme.gradient) for n in self.learnable],
                           run_time=1.2),
            AnimationGroup(FadeOut(self.formulas), FadeIn(code, shift=DOWN * 0.2), run_time=0.8)))
        for k, (row, mark) in enumerate(zip(printed, ("PyTorch", "and"))):
            self.play_along(mark, code.highlight(k), FadeIn(row, shift=LEFT * 0.2), run_time=0.8)
