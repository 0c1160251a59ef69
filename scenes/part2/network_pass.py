"""A small network's forward and backward pass, drawn as layers of neurons and as matrices side by side.

Layout: the neurons on the left (`NetworkDiagram`), the code top right, one matrix equation under it
(`MatrixEquation`): W x + b = z cell by cell going forward; delta h^T (the weight gradient, a grid
filling in) and W^T delta times the activation's slope (the delta one layer back) going backward.
Every number comes from `engine.network.forward_backward`, computed once at the start of the scene.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Indicate, MathTex, Rectangle, VGroup, Write

from engine.network import NetworkPass, forward_backward
from scenes.widgets.code_scene import CodeScene
from scenes.kit.base import beat
from scenes.kit.headings import OneLineHeading
from scenes.kit.pacing import END, PacingScene
from scenes.widgets.code_panel import CodePanel
from scenes.kit.formatting import short
from scenes.part2.network_code import NetworkCode, backward_code, forward_code
from scenes.widgets.equation_rows import keyed_equation
from scenes.widgets.network_diagram import MatrixEquation, NetworkDiagram, Term, number, number_tex
from scenes.widgets.network_layout import Box, picture_share, stage
from scenes.part2.training_code import ACTIVATION_TEX
from scenes.kit.wording import ACTIVATION_SAID, layers_said, said_numbers

SAID_DIGITS = 2  # numbers are rounded in speech (the screen keeps three digits)
EQUATION_TIME = 0.7  # one equation fading into the next
ROW_TIME = 1.2  # one row of W times the input, landing in z and in its neuron
ACTIVATE_TIME = 1.0
CODE_TIME = 0.5  # the code's highlight moving to a line
COLUMN_TIME = 0.6  # a column of neurons appearing with the edges that feed it
READ_TIME = 0.6  # one value lit as the voice reads it
SLOW = 2.5  # a travelling or turning number may play this much slower than silent when the voice takes longer
LEGEND_GAP, LEGEND_CELL, LEGEND_HEIGHT, LEGEND_CELLS = 0.2, 0.08, 0.2, 16  # the scale of a picture's colours, under it


def said(values: Sequence[float]) -> str:
    """Numbers for the voice: "0.5", "0.5 and 1", "1, 0 and 1"."""
    return said_numbers(values, SAID_DIGITS)


class NetworkPassScene(OneLineHeading, PacingScene, CodeScene):
    """The stage both pass scenes share: neurons left, code top right, a matrix equation under it."""

    def compute(self) -> None:
        self.spec = self.params.network_spec()
        self.net: NetworkPass = forward_backward(self.spec)
        self.count = len(self.net.layers)
        self.record(layers=list(self.spec.layers), activation=self.spec.activation, x=self.net.x.tolist(),
                    y=self.net.y.tolist(), prediction=self.net.prediction.tolist(), loss=self.net.loss,
                    layers_said=layers_said(self.spec.layers), x_said=said(self.net.x), y_said=said(self.net.y),
                    prediction_said=said(self.net.prediction), loss_said=short(self.net.loss, SAID_DIGITS),
                    h1_said=said(self.net.layers[0].output), activation_said=ACTIVATION_SAID[self.spec.activation],
                    outputs_said="the output neuron" if self.spec.layers[-1] == 1 else "each output neuron",
                    later_said="The next layer" if self.count == 2 else "Each later layer")
        for k, layer in enumerate(self.net.layers, start=1):
            self.record(**{f"W{k}": layer.weight.tolist(), f"b{k}": layer.bias.tolist(), f"z{k}": layer.pre_activation.tolist(),
                           f"h{k}": layer.output.tolist(), f"delta{k}": layer.delta.tolist(),
                           f"slope{k}": layer.slope.tolist(), f"dW{k}": layer.weight_grad.tolist()})

    def set_stage(self, code: NetworkCode) -> None:
        """The code top right, the neurons left, the room for equations under the code."""
        top, bottom = self.content_area()
        content = Box.spanning(self.left, bottom, self.right, top)
        share = picture_share(self.spec.layers, number(-0.888, self.theme.text, self.theme.small_size, self.theme).width,
                              content.width)
        first = stage(content, 1.0, share)
        self.code = CodePanel(list(code.lines), self.theme, self.theme.small_size, first.code.width)
        self.boxes = stage(content, self.code.height, share)
        self.code.move_to([self.boxes.code.left, self.boxes.code.top, 0], aligned_edge=LEFT + UP)
        self.diagram = NetworkDiagram(self.spec.layers, self.theme, self.boxes.picture, self.theme.small_size)
        self.diagram.value_range = max(float(np.max(np.abs(a))) for a in self.forward_values()) or 1.0
        self.diagram.grad_range = max(float(np.max(np.abs(a))) for a in self.backward_values()) or 1.0
        self.equation: MatrixEquation | None = None
        self.legends = self.colour_legends()

    def colour_legends(self) -> dict[str, VGroup]:
        """Under a picture whose tallest columns show colours, not numbers: what the colours mean, a scale from
        -range to range for the values (the discs) and one for the gradients (the rings), where there is room."""
        d, t = self.diagram, self.theme
        plain = [c for c in range(len(d.nodes)) if not d.numbered(c)]
        if not plain:
            return {}
        top = d.get_bottom()[1] - LEGEND_GAP
        bottom = self.content_area()[1]
        x = float(np.mean([d.node(c, 0).get_x() for c in plain]))
        legends = {}
        for key, words, extent, ring in (("value", "value", d.value_range, False), ("grad", "gradient", d.grad_range, True)):
            cells = VGroup(*(Rectangle(width=LEGEND_CELL, height=LEGEND_HEIGHT, stroke_width=0).set_fill(
                d.shade(v, extent), 1) for v in np.linspace(-extent, extent, LEGEND_CELLS))).arrange(RIGHT, buff=0)
            row = VGroup(self.text(words, size=t.small_size, color=t.muted),
                         self.math(number_tex(-extent), size=t.small_size, color=t.muted), cells,
                         self.math(number_tex(extent), size=t.small_size, color=t.muted)).arrange(RIGHT, buff=0.12)
            if row.height > top - bottom or row.width > self.boxes.picture.width:
                break
            row.move_to([x, top - row.height / 2, 0])
            row.set_x(float(np.clip(x, self.boxes.picture.left + row.width / 2, self.boxes.picture.right - row.width / 2)))
            legends[key] = row
            top -= row.height + LEGEND_GAP / 2
        return legends

    def forward_values(self) -> list:
        """Every number the forward pass puts on a neuron (the colours of a column without numbers span them)."""
        return [self.net.x, *(a for layer in self.net.layers for a in (layer.pre_activation, layer.output))]

    def backward_values(self) -> list:
        """Every number the backward pass puts under a neuron, and the products travelling back to it."""
        out = [layer.delta for layer in self.net.layers]
        for layer, after in zip(self.net.layers, self.net.layers[1:]):
            out += [after.weight.T @ after.delta, after.weight * after.delta[:, None]]
        return out

    # --- the terms of the equations -----------------------------------------------------------------
    def input_term(self, k: int, transposed: bool = False) -> Term:
        """What layer k (0-based) takes in: x, or the hidden values h_k before it."""
        values = self.net.layers[k].inputs
        name = "x" if k == 0 else f"h_{{{k}}}"
        return Term("in", name + (r"^{\top}" if transposed else ""), values[None, :] if transposed else values,
                    self.theme.constant if k == 0 else self.theme.forward)

    def forward_terms(self, k: int) -> list:
        layer, t, n = self.net.layers[k], self.theme, k + 1
        return [Term("W", f"W_{{{n}}}", layer.weight, t.learnable), self.input_term(k), "+",
                Term("b", f"b_{{{n}}}", layer.bias, t.learnable), "=",
                Term("z", f"z_{{{n}}}", layer.pre_activation, t.forward, filled=False)]

    def weight_grad_terms(self, k: int) -> list:
        layer, t, n = self.net.layers[k], self.theme, k + 1
        return [Term("delta", rf"\delta_{{{n}}}", layer.delta, t.gradient), self.input_term(k, transposed=True), "=",
                Term("grad", rf"\partial L / \partial W_{{{n}}}", layer.weight_grad, t.gradient, filled=False)]

    def hidden_delta_terms(self, k: int) -> list:
        """delta_k = W_{k+1}^T delta_{k+1} (times, element by element) f'(z_k)."""
        layer, after, t, n = self.net.layers[k], self.net.layers[k + 1], self.theme, k + 1
        slope = ACTIVATION_TEX[self.spec.activation] + rf"'(z_{{{n}}})"
        return [Term("WT", rf"W_{{{n + 1}}}^{{\top}}", after.weight.T, t.learnable),
                Term("next", rf"\delta_{{{n + 1}}}", after.delta, t.gradient), r"\odot",
                Term("slope", slope, layer.slope, t.highlight), "=",
                Term("delta", rf"\delta_{{{n}}}", layer.delta, t.gradient, filled=False)]

    def matrices(self, parts: list, also: dict | None = None) -> MatrixEquation:
        """The equation of `parts` in the room under the code; its colour maps with their keys, or on one scale with
        one key under it (`also`: values a map turns into later)."""
        return keyed_equation(parts, self.theme, self.boxes.equation, self.theme.small_size, wrap=True, also=also)

    def swap_equation(self, parts: list, also: dict | None = None) -> list:
        """The animations that replace the equation under the code by `parts` (played by the caller)."""
        new = self.matrices(parts, also)
        old, self.equation = self.equation, new
        return [*([FadeOut(old, shift=UP * 0.2)] if old else []), FadeIn(new, shift=UP * 0.2)]

    def show_equation(self, parts: list) -> None:
        """Replace the equation under the code by `parts`."""
        self.play(*self.swap_equation(parts), run_time=EQUATION_TIME)

    def record_shown(self, key: str) -> None:
        """The numbers on screen now, as LaTeX, for the sidecar and its test."""
        self.record(**{f"{key}_picture": self.diagram.shown(), f"{key}_matrices": self.equation.shown() if self.equation else {}})


# --- 1. forward: W x + b, cell by cell ------------------------------------------------------------------
class MlpForwardScene(NetworkPassScene):
    alt_text = ("A network of {layers_said}, as neurons and as matrices: each layer multiplies its input by W, adds b "
                "and applies {activation} (the last one no activation); the prediction is {prediction_said} and the "
                "loss {loss_said}.")

    def construct(self) -> None:
        self.compute()
        self.show_the_network()
        self.feed_in_the_sample()
        self.multiply_row_by_row()
        self.apply_the_activation()
        self.repeat_for_the_next_layers()
        self.compute_the_loss()

    @beat("^Here is a small network: {layers_said}. Each layer is [an nn.Linear](linear), and the forward function "
          "^applies them one after the other, with {activation} in between.")
    def show_the_network(self) -> None:
        self.lines = forward_code(self.spec)
        self.set_stage(self.lines)
        self.point_at(linear=VGroup(*(self.code.line(k) for k in range(self.count))))
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        self.play_steps("Here", [(lambda c=c: [self.diagram.grow_column(c)], COLUMN_TIME)
                                 for c in range(len(self.diagram.nodes))], until="linear", most=SLOW)
        self.chain = self.layer_chain()
        self.play_steps("applies", [self.layer_lit(k) for k in range(self.count)], until=END)

    def layer_chain(self) -> VGroup:
        """The forward function as formulas, a line per layer (h_1 = tanh(W_1 x + b_1), ..., y-hat = W h + b),
        in the room the matrices take later, as large as fits it."""
        t, f = self.theme, ACTIVATION_TEX[self.spec.activation]
        lines = []
        for k in range(self.count):
            n, last = k + 1, k == self.count - 1
            given = ("x", t.constant) if k == 0 else (f"h_{{{k}}}", t.forward)
            out = (r"\hat{y}" if last else f"h_{{{n}}}", t.forward)
            parts = [out, ("=", t.text), *([] if last else [(f + "(", t.text)]), (f"W_{{{n}}}", t.learnable), given,
                     ("+", t.text), (f"b_{{{n}}}", t.learnable), *([] if last else [(")", t.text)])]
            line = MathTex(*(tex for tex, _ in parts), font_size=t.label_size)
            for part, (_, color) in zip(line, parts):
                part.set_color(color)
            lines.append(line)
        chain = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        box = self.boxes.equation
        chain.scale(min(box.width / chain.width, box.height / chain.height, 1.6))
        return chain.move_to([box.x, box.y, 0])

    def layer_lit(self, k: int) -> tuple:
        """A step: the code line of layer k lit, its formula written, and the neurons it computes ringed."""
        return (lambda: [self.code.highlight(self.lines.layer_lines[k]), Write(self.chain[k]),
                         *(self.diagram.ring(k + 1, i, self.theme.highlight) for i in range(self.spec.layers[k + 1]))],
                CODE_TIME * 2)

    @beat("One sample goes in on the left: [x is {x_said}](x). ^In matrix form, the first layer is [a weight matrix "
          "W one](W) and [a bias b one](b).")
    def feed_in_the_sample(self) -> None:
        self.point_at(x=self.diagram.column(0))
        self.paced("x", self.diagram.show_values(0, self.net.x, self.theme.constant), most=SLOW)
        self.equation = self.matrices(self.forward_terms(0), {"z": self.net.layers[0].output})
        eq = self.equation
        key = [eq.key] if eq.key is not None else []  # the maps' one key comes with the first map, W
        others = VGroup(*(m for m in eq.others("W", "b") if m is not eq.key))
        self.point_at(W=eq.term("W"), b=eq.term("b"))
        self.play_steps("In", [(lambda: [self.code.highlight(self.lines.layer_lines[0]), Indicate(self.chain[0], color=self.theme.highlight, scale_factor=1.0)],
                                CODE_TIME * 2),  # the first layer's formula, then the same as matrices in its place
                               (lambda: [FadeOut(self.chain, shift=UP * 0.2), FadeIn(others, shift=UP * 0.2)],
                                EQUATION_TIME)], until="W")
        self.paced("W", FadeIn(VGroup(eq.term("W"), *key), shift=UP * 0.2), run_time=EQUATION_TIME, most=SLOW)
        self.paced("b", FadeIn(eq.term("b"), shift=UP * 0.2), run_time=EQUATION_TIME, most=SLOW)
        if not eq.shows(eq.terms["z"]):  # too many numbers to read here: the voice does not read what is not shown
            self.record(h1_said=f"{len(self.net.layers[0].output)} numbers, shown as colours")

    def layer_rows(self, k: int) -> list:
        """Steps: row i of W times the input, plus b_i, lands in z_i and in neuron i of the next column,
        which lights up as its row is multiplied."""
        def row(i: int, z: float) -> tuple:
            def make() -> list:
                eq = self.equation
                sources = [*eq.row("W", i), *eq.column("in"), eq.cell("b", i)]
                scale = self.legends.get("value") if not self.diagram.numbered(k + 1) else None
                shown = [FadeIn(scale)] if scale is not None and scale not in self.mobjects else []
                return [eq.spot(eq.row("W", i), eq.column("in"), eq.cell("b", i)), eq.fill("z", i, 0, sources),
                        self.diagram.forward_into(k + 1, i, z), self.diagram.ring(k + 1, i, self.theme.highlight), *shown]
            return make, ROW_TIME
        return [row(i, z) for i, z in enumerate(self.net.layers[k].pre_activation)]

    @beat("^Each neuron of the next layer takes [one row of W](row): ^it multiplies that row with x, number by number, "
          "adds them up, and adds its bias. That is [z one, one number per neuron](z).")
    def multiply_row_by_row(self) -> None:
        eq = self.equation
        self.point_at(row=eq.row("W", 0), z=eq.term("z"))
        self.play_steps("Each", [(lambda: [self.diagram.ring(1, i, self.theme.highlight) for i in range(self.spec.layers[1])], 1.2),
                                 (lambda: [eq.spot(*(eq.row("W", i) for i in range(self.spec.layers[1])))], 1.0)],
                        until="it", most=SLOW)  # the next layer's neurons, and a row of W for each
        self.play_steps("it", self.layer_rows(0), until="z", most=SLOW)
        self.record_shown("first_layer")

    def activation_steps(self, k: int) -> list:
        """Steps: each neuron's z becomes its h, in the equation and in the picture, one neuron at a time."""
        layer, n = self.net.layers[k], k + 1
        h = Term("z", f"h_{{{n}}}", layer.output, self.theme.forward)

        def neuron(i: int) -> tuple:
            return (lambda: [self.equation.become("z", h, rows=[i], rename=i == 0),
                             self.diagram.activate(k + 1, layer.output, only=[i])], ACTIVATE_TIME / 2)
        return [neuron(i) for i in range(len(layer.output))]

    @beat("^Then {activation_said}: that is the neuron's output. Here [h one is {h1_said}](h).")
    def apply_the_activation(self) -> None:
        self.play_steps("Then", self.activation_steps(0), until="h", most=SLOW)
        self.point_at(h=self.equation.term("z"))
        self.play_steps("h", self.read_out(0), until=END)

    def read_out(self, k: int) -> list:
        """Steps: each value of layer k's output lit in the equation and on its neuron, as the voice reads it."""
        def neuron(i: int) -> tuple:
            return (lambda: [self.equation.spot(self.equation.cell("z", i)),
                             self.diagram.ring(k + 1, i, self.theme.forward)], READ_TIME)
        return [neuron(i) for i in range(self.spec.layers[k + 1])]

    def later_layer(self, k: int) -> list:
        """Steps: layer k's code line, its equation, its rows, its activation (none for the last)."""
        steps = [(lambda: [self.code.highlight(self.lines.layer_lines[k])], CODE_TIME),
                 (lambda: self.swap_equation(self.forward_terms(k), {"z": self.net.layers[k].output}), EQUATION_TIME),
                 *self.layer_rows(k)]
        return steps + (self.activation_steps(k) if k < self.count - 1 else [])

    @beat("{later_said} ^does the same, [with h as its input](input): ^W times h, plus b. The ^last layer has no "
          "activation, so its z is [the prediction: {prediction_said}](prediction).")
    def repeat_for_the_next_layers(self) -> None:
        steps = [step for k in range(1, self.count) for step in self.later_layer(k)]
        (code, _), (swap, swap_time) = steps[:2]

        def swap_and_point() -> list:
            anims = swap()
            self.point_at(input=self.equation.term("in"))
            return anims
        self.play_steps("does", [(code, CODE_TIME), (swap_and_point, swap_time)], until="W")
        self.play_steps("W", steps[2:], until="last", most=SLOW)
        outputs = range(self.spec.layers[-1])
        self.paced("last", *(self.diagram.ring(self.count, i, self.theme.highlight) for i in outputs), run_time=1.2)
        self.point_at(prediction=VGroup(*(self.diagram.values[(self.count, i)] for i in outputs)))
        self.play_steps("prediction", self.read_out(self.count - 1), until=END)
        self.record_shown("last_layer")

    def loss_formula(self) -> MathTex:
        p, y, n = self.net.prediction, self.net.y, len(self.net.y)
        terms = " + ".join(rf"({number_tex(a)} - {number_tex(b)})^2" for a, b in zip(p, y))
        inside = terms if n == 1 else rf"\tfrac{{1}}{{{n}}}\big({terms}\big)"
        tex = rf"L = {inside} = {number_tex(self.net.loss)}"
        formula = MathTex(tex, font_size=self.theme.label_size, color=self.theme.loss)
        box = self.boxes.equation
        if formula.width > box.width:
            formula.scale_to_fit_width(box.width)
        return formula.move_to([box.x, box.y, 0])

    @beat("^Last, the loss compares the prediction with the target, {y_said}: ^the mean squared error is "
          "[{loss_said}](loss).")
    def compute_the_loss(self) -> None:
        out, formula = self.count, self.loss_formula()
        self.point_at(loss=formula)

        def show_formula() -> list:
            old, self.equation = self.equation, None
            return [self.code.highlight(self.lines.loss_line), FadeOut(old), FadeIn(formula, shift=UP * 0.2)]
        self.play_steps("Last", [(show_formula, 1.0)], until="the")
        self.play_steps("the", [(lambda: [self.diagram.forward_into(out + 1, 0, self.net.loss)], 1.4),
                                (lambda: [self.diagram.ring(out + 1, 0, self.theme.loss)], 1.2)], until=END, least=1.0)
        self.record_shown("loss")


# --- 2. backward: delta, delta h^T, W^T delta --------------------------------------------------------------
class MlpBackwardScene(NetworkPassScene):
    alt_text = ("The gradient flows back through a network of {layers_said}: delta at the output, each weight gradient "
                "the outer product delta times the layer's input, each hidden delta W transposed times delta "
                "times the activation's slope.")

    def construct(self) -> None:
        self.compute()
        self.start_at_the_loss()
        self.fill_the_weight_gradient()
        self.send_delta_back()
        self.fill_the_first_weight_gradient()

    def compute(self) -> None:
        super().compute()
        last = self.net.layers[-1]
        self.record(delta_said=said(last.delta), first_grad_said=short(float(self.net.layers[0].weight_grad[0, 0]), SAID_DIGITS))

    def show_forward_values(self) -> None:
        """The picture as the forward pass left it: every neuron's value and the loss."""
        d = self.diagram
        anims = [d.show_values(0, self.net.x, self.theme.constant)]
        anims += [d.show_values(k + 1, layer.output) for k, layer in enumerate(self.net.layers)]
        anims.append(d.show_values(self.count + 1, [self.net.loss], self.theme.loss))
        self.play(*anims, *(FadeIn(self.legends[k]) for k in ("value",) if k in self.legends), run_time=0.8)

    @beat("Now the backward pass. It starts at [the loss](loss), ^with a gradient of one. ^Flowing back into "
          "{outputs_said}, it is multiplied by [the derivative of the loss with respect to the prediction](local). What lands "
          "is [delta, the gradient of the loss with respect to z](delta). ^Here it is {delta_said}.")
    def start_at_the_loss(self) -> None:
        self.lines = backward_code(self.spec)
        self.set_stage(self.lines)
        self.point_at(loss=self.diagram.node(self.count + 1, 0))
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2), FadeIn(self.diagram))
        self.show_forward_values()
        out, last = self.count, self.net.layers[-1]
        self.equation = eq = self.matrices(self.output_delta_terms())
        self.point_at(local=VGroup(*(self.diagram.edge(out, 0, i) for i in range(len(last.delta))), eq.term("local")))
        self.paced("with", self.code.highlight(0), self.diagram.start_backward(),
                   FadeIn(eq.others("local"), shift=UP * 0.2))  # the gradient of one, then "times ... = delta"
        self.play_steps("Flowing", [(lambda: [*(self.diagram.backward_into(out, i, [d], [d], d) for i, d in enumerate(last.delta)),
                                              FadeIn(eq.term("local"), shift=UP * 0.2)], 2.2)], until="delta", most=SLOW)
        deltas = VGroup(*(self.diagram.grads[(out, i)] for i in range(len(last.delta))))
        self.point_at(delta=VGroup(deltas, eq.term("delta")))
        self.paced("delta", *(eq.fill("delta", i, 0, [eq.cell("one", 0), eq.cell("local", i)]) for i in range(len(last.delta))),
                   run_time=1.0, most=SLOW)
        self.paced("Here", *(self.diagram.ring(out, i, self.theme.gradient) for i in range(len(last.delta))),
                   eq.spot(eq.term("delta")), run_time=1.2)

    def output_delta_terms(self) -> list:
        """delta at the output: the loss's own gradient, one, times the loss's derivative with respect to the prediction."""
        t, n, delta = self.theme, self.count, self.net.layers[-1].delta
        return [Term("one", r"\partial L / \partial L", np.ones(1), t.gradient), r"\times",
                Term("local", r"\partial L / \partial \hat{y}", delta, t.highlight), "=",
                Term("delta", rf"\delta_{{{n}}}", delta, t.gradient, filled=False)]

    def weight_grad_steps(self, k: int) -> list:
        """Steps: delta_k times the input's transpose, one row of the grid at a time; in the picture, the
        edges of those weights light up in the gradient colour, against the forward direction."""
        def start() -> list:
            return [self.code.highlight(self.lines.layer_lines[k]), *self.swap_equation(self.weight_grad_terms(k))]

        def row(i: int) -> tuple:
            def make() -> list:
                eq, inputs = self.equation, len(self.net.layers[k].inputs)
                fills = [eq.fill("grad", i, j, [eq.cell("delta", i), eq.cell("in", 0, j)]) for j in range(inputs)]
                edges = [self.diagram.flash(self.diagram.edge(k, i, j), self.theme.gradient, backward=True)
                         for j in range(inputs)]
                return [eq.spot(eq.cell("delta", i), eq.row("in", 0)), *fills, *edges]
            return make, 1.0
        return [(start, EQUATION_TIME), *(row(i) for i in range(len(self.net.layers[k].delta)))]

    @beat("^Each weight's gradient is [the delta of the neuron it feeds](delta), times [the value that came in along "
          "its edge](value). ^All of them at once: [delta times h transposed](outer), an outer product, ^filled in row by row.")
    def fill_the_weight_gradient(self) -> None:
        k, d = self.count - 1, self.diagram
        self.point_at(delta=d.grads[(k + 1, 0)], value=d.values[(k, 0)])
        self.paced("Each", d.flash(d.edge(k, 0, 0), self.theme.gradient, backward=True), run_time=1.0)
        self.paced("delta", d.ring(k + 1, 0, self.theme.gradient), run_time=1.2)
        self.paced("value", d.flash(d.edge(k, 0, 0), self.theme.forward), d.ring(k, 0, self.theme.forward), run_time=1.2)
        (swap, swap_time), *rows = self.weight_grad_steps(k)

        def swap_and_point() -> list:
            anims = swap()
            self.point_at(outer=VGroup(self.equation.term("delta"), self.equation.term("in")))
            return anims
        self.play_steps("All", [(swap_and_point, swap_time)], until="filled")
        self.play_steps("filled", rows, until=END, most=SLOW)
        self.record_shown("last_weight_grad")

    def collect_steps(self, k: int) -> list:
        """Steps: the equation of layer k's delta, then each hidden neuron j collecting the deltas ahead of it
        along its edges, each times the edge's weight, their products adding up under it."""
        layer, after = self.net.layers[k], self.net.layers[k + 1]
        back = after.weight.T @ after.delta

        def neuron(j: int) -> tuple:
            def make() -> list:
                eq, locals_ = self.equation, after.weight[:, j]
                scale = self.legends.get("grad") if not self.diagram.numbered(k + 1) else None
                shown = [FadeIn(scale)] if scale is not None and scale not in self.mobjects else []
                return [self.diagram.backward_into(k + 1, j, locals_, locals_ * after.delta, float(back[j])),
                        eq.spot(eq.row("WT", j), eq.column("next")), *shown]
            return make, 2.0

        def start() -> list:
            anims = self.swap_equation(self.hidden_delta_terms(k))
            if k == self.count - 2:
                self.point_at(WT=VGroup(self.equation.term("WT"), self.equation.term("next")))
            return anims
        return [(start, EQUATION_TIME), *(neuron(j) for j in range(len(layer.delta)))]

    def slope_step(self, k: int) -> tuple:
        """The sums under layer k's neurons meet the activation's slope and become its delta."""
        layer = self.net.layers[k]

        def make() -> list:
            eq = self.equation
            return [self.diagram.through_activation(k + 1, layer.slope, layer.delta),
                    *(eq.fill("delta", j, 0, [*eq.row("WT", j), *eq.column("next"), eq.cell("slope", j)])
                      for j in range(len(layer.delta)))]
        return make, 1.2

    @beat("To go one layer back, ^each hidden neuron collects the deltas ahead of it, each multiplied by the "
          "weight on its edge: [W transposed times delta](WT). ^Then the slope of {activation} scales the sum, and that "
          "is the hidden delta.")
    def send_delta_back(self) -> None:
        first = self.count - 2
        self.play_steps("each", self.collect_steps(first), until="Then", most=SLOW)
        rest = [self.slope_step(first)]
        for k in range(first, -1, -1):
            if k < first:
                rest += [*self.collect_steps(k), self.slope_step(k)]
            if k > 0:
                rest += self.weight_grad_steps(k)
        self.play_steps("Then", rest, until=END, most=SLOW)
        self.record_shown("hidden_delta")
        probe = self.matrices(self.weight_grad_terms(0))
        if not probe.shows(probe.terms["grad"]):  # the next beat's gradient is a colour map: its numbers are not read out
            self.record(first_grad_said="drawn as a colour")

    @beat("^And the first layer's weights get their gradient the same way: delta one times x transposed. "
          "These are the numbers torch leaves in [fc1.weight.grad](grad); [the first is {first_grad_said}](first).")
    def fill_the_first_weight_gradient(self) -> None:
        self.play_steps("And", self.weight_grad_steps(0), until="grad", most=SLOW)
        self.point_at(grad=self.equation.term("grad"), first=self.equation.cell("grad", 0, 0))
        self.record_shown("first_weight_grad")
