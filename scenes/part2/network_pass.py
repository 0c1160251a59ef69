"""A small network's forward and backward pass, drawn as layers of neurons and as matrices side by side.

Layout: the neurons on the left (`NetworkDiagram`), the code top right, one matrix equation under it
(`MatrixEquation`): W x + b = z cell by cell going forward; delta h^T (the weight gradient, a grid
filling in) and W^T delta times the activation's slope (the delta one layer back) going backward.
Every number comes from `engine.network.forward_backward`, computed once at the start of the scene.
"""
from __future__ import annotations

from typing import Sequence

from manim import DOWN, LEFT, UP, FadeIn, FadeOut, MathTex

from engine.network import NetworkPass, forward_backward
from scenes.widgets.code_scene import CodeScene
from scenes.kit.base import beat
from scenes.widgets.code_panel import CodePanel
from scenes.kit.formatting import short
from scenes.part2.network_code import NetworkCode, backward_code, forward_code
from scenes.widgets.network_diagram import MatrixEquation, NetworkDiagram, Term, number_tex
from scenes.widgets.network_layout import Box, stage
from scenes.part2.training_code import ACTIVATION_TEX
from scenes.kit.wording import ACTIVATION_SAID, layers_said, said_numbers

SAID_DIGITS = 2  # numbers are rounded in speech (the screen keeps three digits)


def said(values: Sequence[float]) -> str:
    """Numbers for the voice: "0.5", "0.5 and 1", "1, 0 and 1"."""
    return said_numbers(values, SAID_DIGITS)


class NetworkPassScene(CodeScene):
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
        first = stage(content, 1.0)
        self.code = CodePanel(list(code.lines), self.theme, self.theme.small_size, first.code.width)
        self.boxes = stage(content, self.code.height)
        self.code.move_to([self.boxes.code.left, self.boxes.code.top, 0], aligned_edge=LEFT + UP)
        self.diagram = NetworkDiagram(self.spec.layers, self.theme, self.boxes.picture, self.theme.small_size)
        self.equation: MatrixEquation | None = None

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

    def show_equation(self, parts: list) -> None:
        """Replace the equation under the code by `parts`."""
        new = MatrixEquation(parts, self.theme, self.boxes.equation, self.theme.small_size, wrap=True)
        old, self.equation = self.equation, new
        self.play(*([FadeOut(old, shift=UP * 0.2)] if old else []), FadeIn(new, shift=UP * 0.2), run_time=0.7)

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

    @beat("Here is a small network: {layers_said}. ^Each layer is an nn.Linear, and the forward function "
          "applies them one after the other, with {activation} in between.")
    def show_the_network(self) -> None:
        self.lines = forward_code(self.spec)
        self.set_stage(self.lines)
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        self.wait_until("Each")
        self.play(self.diagram.grow(), run_time=2.0)

    @beat("One sample goes in on the left: x is {x_said}. ^In matrix form, the first layer is a weight matrix "
          "W one and a bias b one.")
    def feed_in_the_sample(self) -> None:
        self.play(self.diagram.show_values(0, self.net.x, self.theme.constant))
        self.wait_until("In")
        self.play(self.code.highlight(self.lines.layer_lines[0]), run_time=0.5)
        self.show_equation(self.forward_terms(0))

    def compute_layer(self, k: int) -> None:
        """Row i of W times the input, plus b_i, lands in z_i and in neuron i of the next column."""
        layer, eq = self.net.layers[k], self.equation
        for i, z in enumerate(layer.pre_activation):
            sources = [*eq.row("W", i), *eq.column("in"), eq.cell("b", i)]
            self.play(eq.spot(eq.row("W", i), eq.column("in"), eq.cell("b", i)), eq.fill("z", i, 0, sources),
                      self.diagram.forward_into(k + 1, i, z), run_time=1.2)

    @beat("Each neuron of the next layer takes one row of W: ^it multiplies that row with x, number by number, "
          "adds them up, and adds its bias. That is z one, one number per neuron.")
    def multiply_row_by_row(self) -> None:
        self.wait_until("it")
        self.compute_layer(0)
        self.record_shown("first_layer")

    def activate(self, k: int) -> None:
        layer, n = self.net.layers[k], k + 1
        h = Term("z", f"h_{{{n}}}", layer.output, self.theme.forward)
        self.play(self.equation.become("z", h), self.diagram.activate(k + 1, layer.output), run_time=1.0)

    @beat("Then {activation_said}: that is the neuron's output. ^Here h one is {h1_said}.")
    def apply_the_activation(self) -> None:
        self.wait_until("Here")
        self.activate(0)

    @beat("{later_said} does the same, with h as its input: ^W times h, plus b. The last layer has no "
          "activation, so its z is the prediction: {prediction_said}.")
    def repeat_for_the_next_layers(self) -> None:
        self.wait_until("W")
        for k in range(1, self.count):
            self.play(self.code.highlight(self.lines.layer_lines[k]), run_time=0.5)
            self.show_equation(self.forward_terms(k))
            self.compute_layer(k)
            if k < self.count - 1:
                self.activate(k)
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

    @beat("Last, the loss compares the prediction with the target, {y_said}: ^the mean squared error is {loss_said}.")
    def compute_the_loss(self) -> None:
        out = self.count
        self.play(self.code.highlight(self.lines.loss_line), run_time=0.5)
        self.wait_until("the")
        formula = self.loss_formula()
        self.play(FadeOut(self.equation), FadeIn(formula, shift=UP * 0.2),
                  self.diagram.forward_into(out + 1, 0, self.net.loss), run_time=1.4)
        self.equation = None
        self.play(self.diagram.ring(out + 1, 0, self.theme.loss))
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
        self.play(*anims, run_time=0.8)

    @beat("Now the backward pass. It starts at the loss, with a gradient of one. ^Flowing back into "
          "{outputs_said}, it is multiplied by the derivative of the loss with respect to the prediction. What lands "
          "is delta, the gradient of the loss with respect to z. Here it is {delta_said}.")
    def start_at_the_loss(self) -> None:
        self.lines = backward_code(self.spec)
        self.set_stage(self.lines)
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2), FadeIn(self.diagram))
        self.show_forward_values()
        self.play(self.code.highlight(0), self.diagram.start_backward())
        self.wait_until("Flowing")
        out, last = self.count, self.net.layers[-1]
        self.play(*(self.diagram.backward_into(out, i, [d], [d], d) for i, d in enumerate(last.delta)))

    def fill_weight_gradient(self, k: int) -> None:
        """delta_k times the input's transpose, one row of the grid at a time; in the picture, the edges
        of those weights light up in the gradient colour."""
        self.play(self.code.highlight(self.lines.layer_lines[k]), run_time=0.4)
        self.show_equation(self.weight_grad_terms(k))
        eq, layer = self.equation, self.net.layers[k]
        for i in range(len(layer.delta)):
            fills = [eq.fill("grad", i, j, [eq.cell("delta", i), eq.cell("in", 0, j)]) for j in range(len(layer.inputs))]
            edges = [self.diagram.flash(self.diagram.edge(k, i, j), self.theme.gradient, backward=True)
                     for j in range(len(layer.inputs))]
            self.play(eq.spot(eq.cell("delta", i), eq.row("in", 0)), *fills, *edges, run_time=1.0)

    @beat("Each weight's gradient is the delta of the neuron it feeds, times the value that came in along "
          "its edge. ^All of them at once: delta times h transposed, an outer product, filled in row by row.")
    def fill_the_weight_gradient(self) -> None:
        self.wait_until("All")
        self.fill_weight_gradient(self.count - 1)
        self.record_shown("last_weight_grad")

    def hidden_delta(self, k: int) -> None:
        """delta of layer k: back along every edge (times its weight), summed, times the activation's slope."""
        self.show_equation(self.hidden_delta_terms(k))
        eq, layer, after = self.equation, self.net.layers[k], self.net.layers[k + 1]
        back = after.weight.T @ after.delta
        for j in range(len(layer.delta)):
            locals_ = after.weight[:, j]
            self.play(self.diagram.backward_into(k + 1, j, locals_, locals_ * after.delta, float(back[j])),
                      eq.spot(eq.row("WT", j), eq.column("next")), run_time=2.0)
        self.play(self.diagram.through_activation(k + 1, layer.slope, layer.delta),
                  *(eq.fill("delta", j, 0, [*eq.row("WT", j), *eq.column("next"), eq.cell("slope", j)])
                    for j in range(len(layer.delta))), run_time=1.2)

    @beat("To go one layer back, ^each hidden neuron collects the deltas ahead of it, each multiplied by the "
          "weight on its edge: W transposed times delta. Then the slope of {activation} scales the sum, and that "
          "is the hidden delta.")
    def send_delta_back(self) -> None:
        self.wait_until("each")
        for k in range(self.count - 2, -1, -1):
            self.hidden_delta(k)
            if k > 0:
                self.fill_weight_gradient(k)
        self.record_shown("hidden_delta")

    @beat("And the first layer's weights get their gradient the same way: ^delta one times x transposed. "
          "These are the numbers torch leaves in fc1.weight.grad; the first is {first_grad_said}.")
    def fill_the_first_weight_gradient(self) -> None:
        self.wait_until("delta")
        self.fill_weight_gradient(0)
        self.record_shown("first_weight_grad")
