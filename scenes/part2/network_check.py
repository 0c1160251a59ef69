"""The backward pass by hand, checked against autograd: the three layer formulas, each delta computed from
the forward values, and `torch.allclose` of every hand gradient with its `.grad`, printing True.

Layout: the formulas under the title, the check code left (its printed True beside each comparison),
the matrices of the line being run on the right (`MatrixEquation`, as the pass scenes draw them).
Every number and every True comes from `engine.network.hand_backward`, computed once at the start.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, PI, RIGHT, UP, FadeIn, FadeOut, Indicate, LaggedStart, Mobject,
                   Text, Transform, VGroup, Write)

from engine.network import GradientCheck, HandBackward, NetworkPass, forward_backward, hand_backward
from scenes.widgets.code_scene import PANEL_GAP, CodeScene
from scenes.kit.base import beat
from scenes.kit.headings import OneLineHeading
from scenes.kit.pacing import END, PacingScene
from scenes.widgets.equation_rows import side_by_side
from scenes.widgets.network_diagram import MatrixEquation, Term
from scenes.widgets.network_layout import Box
from scenes.part2.training_code import ACTIVATION_TEX, SLOPE_SAID, CheckCode, check_code
from scenes.kit.wording import said_numbers

CODE_SHARE = 0.62  # of the content width at most, for the code (its printed output and the formulas go right of it)
PRINTED_GAP = 0.2  # between the code panel and what a line prints
SWAP_TIME = 0.7  # one set of matrices fading into the next
WRITING = 4.0  # a formula is written at the pace it is said, up to this much slower than silent
LINE_TIME = 1.0  # a line highlighted, then what it prints
FORMULA_GROW = 1.6  # the formulas, while they have the room under the code to themselves, at most this much larger
SLOW = 2.5  # a motion that reads at a slower pace (cells compared, numbers travelling) may stretch this much with the voice


class MlpCheckScene(OneLineHeading, PacingScene, CodeScene):
    alt_text = ("The three layer formulas of backpropagation, applied by hand from the output back, give every "
                "parameter's gradient; torch.allclose against .grad prints True {checks} times.")

    def construct(self) -> None:
        self.compute()
        self.state_the_formulas()
        self.start_at_the_output()
        self.check_the_output_layer()
        self.go_back_a_layer()
        self.check_every_layer_below()
        self.all_agree()

    def compute(self) -> None:
        self.spec = self.params.network_spec()
        self.net: NetworkPass = forward_backward(self.spec)
        self.hand: HandBackward = hand_backward(self.net)
        self.code_lines: CheckCode = check_code(self.spec)
        self.checks = {c.parameter: c for c in self.hand.checks}
        last = len(self.net.layers)
        below = list(reversed(self.spec.layer_names[:-1]))  # the layers under the output, top down
        self.record(checks=len(self.hand.checks), all_close=self.hand.all_close,
                    printed=[str(c.close) for c in self.hand.checks],
                    by_hand={c.parameter: c.by_hand.tolist() for c in self.hand.checks},
                    grads={c.parameter: c.grad.tolist() for c in self.hand.checks},
                    deltas=[d.tolist() for d in self.hand.deltas],
                    prediction_said=said_numbers(self.net.prediction), target_said=said_numbers(self.net.y),
                    delta_out_said=said_numbers(self.hand.deltas[-1]),
                    delta_back_said=said_numbers(self.hand.deltas[-2]), last=f"fc{last}", back=f"fc{last - 1}",
                    slope_said=SLOPE_SAID[self.spec.activation], activation=self.spec.activation,
                    results_said="all True" if self.hand.all_close else "not all True")
        self.record(below_sentence=(f" Then, with the same formula, every layer below it down to {below[-1]}." if len(below) > 1 else ""))

    # --- the stage ----------------------------------------------------------------------------------
    def set_stage(self) -> None:
        """The code top left, its printed output beside it, the formulas top right; the matrices below, full width."""
        t = self.theme
        top, bottom = self.content_area()
        self.code = self.code_panel(self.code_lines.texts, max_width=(self.right - self.left) * CODE_SHARE, top=top)
        reference = Text(self.code_lines.texts[0], font=t.code_font, font_size=t.small_size)
        self.code_scale = self.code.line(0).width / reference.width  # the printed output is as large as the code
        printed_right = self.code.get_right()[0] + PRINTED_GAP + self.printed_text("False").width
        self.formulas = VGroup(
            self.math(r"\frac{\partial L}{\partial W} = \delta\, h^{\top}", size=t.label_size, color=t.gradient),
            self.math(r"\frac{\partial L}{\partial b} = \delta", size=t.label_size, color=t.gradient),
            self.math(r"\delta_{\text{prev}} = \big(W^{\top} \delta\big) \odot f'(z)", size=t.label_size, color=t.gradient),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        room = self.right - printed_right - PANEL_GAP
        if self.formulas.width > room:
            self.formulas.scale_to_fit_width(room)
        self.formulas.move_to([(printed_right + PANEL_GAP + self.right) / 2, top, 0], aligned_edge=UP)
        self.printed: dict[int, Mobject] = {}
        below = min(self.code.get_bottom()[1], self.formulas.get_bottom()[1]) - PANEL_GAP
        self.matrices = Box.spanning(self.left, bottom, self.right, below)
        self.equations: list[MatrixEquation] = []
        # Until the matrices come, the formulas are written large in their room, in a row; they move up
        # beside the code as the first matrices come in.
        self.formulas_home = self.formulas.copy()
        self.formulas_large(top, bottom)

    def formulas_large(self, top: float, bottom: float) -> None:
        """The formulas written large while they have the room to themselves: in a row under the code, or, where the
        code is taller than the room under it (many layers), one under the other right of it, down to the bottom
        (a row under it would leave the right of the code empty), if they are no smaller there than their size."""
        box, home = self.matrices, self.formulas.copy()
        self.formulas.arrange(RIGHT, buff=1.0)
        row = min(0.95 * box.width / self.formulas.width, 0.5 * box.height / self.formulas.height, FORMULA_GROW)
        side = Box.spanning(self.code.get_right()[0] + PANEL_GAP, bottom, self.right, top)
        column = home.arrange(DOWN, aligned_edge=LEFT, buff=0.6)
        stacked = min(0.95 * side.width / column.width, 0.8 * side.height / column.height, FORMULA_GROW)
        self.formulas_arc = PI / 2  # up from under the code, they swing to their place beside it
        if self.code.height <= box.height or stacked < 1.0:
            self.formulas.scale(row).move_to([box.x, box.y, 0])
            return
        self.formulas_arc = 0.0  # already beside it: they only shrink (an arc would swing them past the margin)
        self.formulas.arrange(DOWN, aligned_edge=LEFT, buff=0.6).scale(stacked).move_to([side.x, side.y, 0])

    def printed_text(self, text: str, color: str | None = None) -> Text:
        return Text(text, font=self.theme.code_font, font_size=self.theme.small_size,
                    color=color or self.theme.text).scale(max(self.code_scale, 1.0))  # never under the smallest size

    def swap(self, *equations: list) -> list:
        """The animations that replace the matrices below by these equations, side by side, at one scale."""
        new = side_by_side(equations, self.matrices, self.theme, self.theme.label_size, PANEL_GAP)
        top, bottom = self.content_area()
        for e in new:  # a term at the bottom edge is lit by a frame that stays out of the margin
            e.bounds = Box.spanning(self.left, bottom, self.right, top)
        old, self.equations = self.equations, new
        return [*(FadeOut(e, shift=UP * 0.2) for e in old), *(FadeIn(e, shift=UP * 0.2) for e in new)]

    def show(self, *equations: list) -> None:
        """Replace the matrices below by these equations, side by side in their box, at one scale."""
        self.play(*self.swap(*equations), run_time=SWAP_TIME)

    def run_line(self, line: int, check: GradientCheck, equation: int) -> tuple:
        """Two steps: the comparison on `line` highlighted with its equation ringed, then what it prints
        appearing right of the code, on the line's height."""
        t = self.theme
        printed = self.printed_text(str(check.close), t.forward if check.close else t.loss)
        printed.next_to(self.code, RIGHT, buff=PRINTED_GAP).set_y(self.code.line(line).get_y())
        self.printed[line] = printed

        def run() -> list:
            """The line lit, and allclose's comparison cell by cell: each hand number framed with its .grad."""
            eq = self.equations[equation]
            pairs = [eq.spot(eq.cell("hand", i, j), eq.cell("grad", i, j)) for i, j in np.ndindex(eq.terms["hand"].grid.shape)]
            return [self.code.highlight(line), LaggedStart(*pairs, lag_ratio=0.5)]
        return (run, LINE_TIME), (lambda: [FadeIn(printed, shift=LEFT * 0.15)], LINE_TIME / 2)

    # --- the terms -------------------------------------------------------------------------------------
    def comparison(self, check: GradientCheck) -> list:
        """by hand = .grad, for one parameter."""
        k = int(check.parameter.split(".")[0].removeprefix("fc"))
        is_weight = check.parameter.endswith("weight")
        given = "x" if k == 1 else f"h_{{{k - 1}}}"
        hand_tex = rf"\delta_{{{k}}} {given}^{{\top}}" if is_weight else rf"\delta_{{{k}}}"
        t = self.theme
        return [Term("hand", hand_tex, check.by_hand, t.gradient), "=",
                Term("grad", rf"\texttt{{{check.parameter}.grad}}", check.grad, t.gradient)]

    def layer_steps(self, layer: int) -> list:
        """Steps: the weight and the bias comparison of layer `layer` (0-based) side by side, then each line
        run in turn, printing True beside it."""
        name = self.spec.layer_names[layer]
        weight, bias = self.checks[f"{name}.weight"], self.checks[f"{name}.bias"]
        lines = [i for i in self.code_lines.check_lines() if self.code_lines.lines[i].layer == layer]
        show = (lambda: self.swap(self.comparison(weight), self.comparison(bias)), SWAP_TIME)
        return [show, *(step for k, (line, check) in enumerate(zip(lines, (weight, bias)))
                        for step in self.run_line(line, check, k))]

    def delta_terms(self, layer: int) -> list:
        """delta_k = (W_{k+1}^T delta_{k+1}) * f'(z_k), by hand, for layer `layer` (0-based) below the output."""
        t, k = self.theme, layer + 1
        after = self.net.layers[layer + 1]
        slope = ACTIVATION_TEX[self.spec.activation] + rf"'(z_{{{k}}})"
        return [Term("delta", rf"\delta_{{{k}}}", self.hand.deltas[layer], t.gradient, filled=False), "=",
                Term("WT", rf"W_{{{k + 1}}}^{{\top}}", after.weight.T, t.learnable),
                Term("next", rf"\delta_{{{k + 1}}}", self.hand.deltas[layer + 1], t.gradient), r"\odot",
                Term("slope", slope, self.net.layers[layer].slope, t.highlight)]

    # --- beats -----------------------------------------------------------------------------------------
    @beat("After loss.backward(), each parameter's [.grad](grad) holds its gradient. Can we get the same numbers "
          "by hand? ^Three formulas: [the weight gradient is delta times the input, transposed](weight); [the bias "
          "gradient is delta](bias); and one layer back, [delta is W transposed times delta, times the activation's "
          "slope](back).")
    def state_the_formulas(self) -> None:
        self.set_stage()
        self.point_at(grad=VGroup(*(self.code.line(i) for i in self.code_lines.check_lines())))
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        self.play_steps("grad", [(lambda line=line: [self.code.highlight(line)], LINE_TIME / 2)
                                 for line in self.code_lines.check_lines()], until="Three")
        for name, formula in zip(("weight", "bias", "back"), self.formulas):
            self.point_at(**{name: formula})
            self.paced(name, Write(formula), run_time=1.2, most=WRITING)  # written as it is said

    @beat("^At the output, the mean squared error makes delta two times [the prediction](prediction) minus [the "
          "target](target): [{prediction_said}](predicted) against [{target_said}](wanted), so ^delta is {delta_out_said}.")
    def start_at_the_output(self) -> None:
        k, t = len(self.net.layers), self.theme
        n = len(self.net.y)
        parts = [Term("delta", rf"\delta_{{{k}}}", self.hand.deltas[-1], t.gradient, filled=False), "=", r"2\,\Big(",
                 Term("prediction", r"\hat{y}", self.net.prediction, t.forward), "-",
                 Term("target", "y", self.net.y, t.constant), r"\Big)" + (rf" / {n}" if n > 1 else "")]
        self.play_steps("At", [(lambda: [self.code.highlight(self.code_lines.delta_line(k - 1)),  # the formulas make room,
                                         Transform(self.formulas, self.formulas_home, path_arc=self.formulas_arc)], 0.8),
                               (lambda: self.swap(parts), SWAP_TIME)], until="prediction", most=SLOW)
        eq = self.equations[0]
        self.point_at(prediction=eq.term("prediction"), target=eq.term("target"),  # as named, then as their
                      predicted=eq.term("prediction"), wanted=eq.term("target"))  # numbers are read out
        for name in ("prediction", "target"):
            self.paced(name, eq.spot(eq.term(name)), run_time=1.0)
        self.paced("delta", *(eq.fill("delta", i, 0, [eq.cell("prediction", i), eq.cell("target", i)])
                                   for i in range(n)), run_time=1.0)

    @beat("^For {last}, [delta times h transposed](hand) is the weight gradient by hand; ^torch.allclose compares it "
          "with {last}.weight.grad: ^True. ^The bias gradient is delta itself: ^also True.")
    def check_the_output_layer(self) -> None:
        show, weight, weight_printed, bias, bias_printed = self.layer_steps(len(self.net.layers) - 1)
        self.play_steps("For", [show], until="hand", most=SLOW)
        hand = self.equations[0].term("hand")
        self.point_at(hand=hand)
        self.paced("hand", self.equations[0].spot(hand), run_time=1.0)
        for mark, step in (("torch", weight), ("True", weight_printed), ("The", bias), ("also", bias_printed)):
            self.play_steps(mark, [step], most=SLOW)
        layer = len(self.net.layers) - 2
        probe = side_by_side([self.delta_terms(layer)], self.matrices, self.theme, self.theme.label_size, PANEL_GAP)[0]
        if not probe.shows(probe.terms["delta"]):  # the next beat's delta is a colour map: its numbers are not read out
            self.record(delta_back_said=f"{len(self.hand.deltas[layer])} numbers, shown as colours")

    @beat("^Now one layer back. [W transposed times delta](WT), times [the slope of {activation}, which is "
          "{slope_said}](slope), ^gives delta for {back}: {delta_back_said}.")
    def go_back_a_layer(self) -> None:
        layer = len(self.net.layers) - 2
        self.play_steps("Now", [(lambda: [self.code.highlight(self.code_lines.delta_line(layer))], 0.5),
                                (lambda: self.swap(self.delta_terms(layer)), SWAP_TIME)], until="WT")
        eq = self.equations[0]
        self.point_at(WT=VGroup(eq.term("WT"), eq.term("next")), slope=eq.term("slope"))
        self.paced("WT", eq.spot(eq.term("WT"), eq.term("next")), run_time=1.0)
        self.play_steps("slope", [(lambda: [eq.spot(eq.term("slope"))], 1.0),
                                  *((lambda j=j: [eq.spot(eq.cell("slope", j))], 0.6)
                                    for j in range(len(self.hand.deltas[layer])))], until="gives", most=SLOW)
        self.play_steps("gives", [(lambda fill=fill: [fill], 0.6) for fill in self.delta_fills(eq, layer)], until=END,
                        most=2.5)

    def delta_fills(self, eq: MatrixEquation, layer: int) -> list:
        """Each entry of the layer's delta from its row of W^T, the delta ahead and its slope."""
        return [eq.fill("delta", j, 0, [*eq.row("WT", j), *eq.column("next"), eq.cell("slope", j)])
                for j in range(len(self.hand.deltas[layer]))]

    def delta_steps(self, layer: int) -> list:
        """Steps: the delta line of `layer` run, its equation shown, its entries filled."""
        return [(lambda: [self.code.highlight(self.code_lines.delta_line(layer))], 0.5),
                (lambda: self.swap(self.delta_terms(layer)), SWAP_TIME),
                (lambda: self.delta_fills(self.equations[0], layer), 1.0)]

    @beat("^With it, the same two checks for {back}: the ^weights, True, and the ^bias, True.{below_sentence}")
    def check_every_layer_below(self) -> None:
        top = len(self.net.layers) - 2
        show, *weight, bias, bias_printed = self.layer_steps(top)
        self.play_steps("With", [show], until="weights", most=SLOW)
        self.play_steps("weights", weight, until="bias", most=SLOW)
        rest = [bias, bias_printed]
        for layer in range(top - 1, -1, -1):
            rest += [*self.delta_steps(layer), *self.layer_steps(layer)]
        self.play_steps("bias", rest, until=END, most=SLOW)

    @beat("{checks} ^comparisons, {results_said}: ^the formulas give exactly what autograd computes.")
    def all_agree(self) -> None:
        self.play_steps("comparisons", [(lambda line=line, p=p: [self.code.highlight(line), Indicate(p, color=self.theme.highlight)],
                                         0.5) for line, p in self.printed.items()], until="the", most=SLOW)  # each comparison again
        self.play_steps("the", [(lambda f=f: [Indicate(f, color=self.theme.highlight, scale_factor=1.0)], 0.8)
                                for f in self.formulas], until=END, most=SLOW)
        self.record(shown_matrices={str(k): e.shown() for k, e in enumerate(self.equations)})
