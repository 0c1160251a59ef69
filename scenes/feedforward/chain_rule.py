"""The chain rule, then the notebook's derivation of the gradient of sin(x^2 + y^2), checked against autograd."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import (DOWN, LEFT, PI, RIGHT, UP, FadeIn, FadeOut, FadeTransform, Indicate, LaggedStart, MathTex,
                   ReplacementTransform, TransformFromCopy, TransformMatchingTex, VGroup, Write, config)

from engine import gradient_at, parse_function
from engine.notebook import NOTEBOOK_FUNCTION, fun_dz
from scenes.kit.base import LectureScene, beat
from scenes.kit.formatting import short, short_tex
from scenes.kit.pacing import Place, play_over, position_of, wait_for

OUTER, INNER = "highlight", "forward"  # theme roles of the outer and the inner function (and derivative)
ROWS = {"decomposition": 1.7, "header": 0.3, "x": -1.0, "y": -2.5}  # y of each row once the rule is stated
SAID_DIGITS = 3  # significant digits of a gradient component as the narration says it (the screen shows 4)
PARTS = {"composite": 0.2, "parts": -1.9, "spread": 3.4}  # the notebook's function and its parts, before the derivation


class ChainRuleScene(LectureScene):
    """The chain rule, then the notebook's derivation of the gradient of sin(x^2 + y^2), checked against autograd.

    The derivation is the notebook's own worked example, so this clip always shows h = sin(x^2 + y^2),
    whatever `params.function` is; only the check point (`params.start`) comes from the parameters.
    Colour marks the role, not the letter: the outer function and its derivative are always in the
    highlight colour and the inner ones in the forward colour (g is the outer function in the general
    rule but the inner one in the notebook's decomposition); the gradient's components are gradient-coloured.
    """

    alt_text = ("The chain rule F'(x) = g'(h(x)) h'(x), then z = sin(x^2 + y^2) written as f(g(x, y)) with "
                "f(u) = sin u and g(x, y) = x^2 + y^2, giving dz/dx = cos(x^2 + y^2) 2x and dz/dy = "
                "cos(x^2 + y^2) 2y. At (x, y) = ({said_x}, {said_y}) these give ({said_analytic_dx}, "
                "{said_analytic_dy}), the same as autograd's ({said_autograd_dx}, {said_autograd_dy}).")

    def construct(self) -> None:
        self.compute()
        self.state_the_chain_rule()
        self.decompose_h()
        self.differentiate_x()
        self.differentiate_y()
        self.compare_with_autograd()

    def compute(self) -> None:
        """The notebook's closed-form gradient and autograd's, at one point."""
        x, y = (float(c) for c in self.params.start)
        analytic = [float(g) for g in fun_dz(np.float64(x), np.float64(y))]
        autograd = list(gradient_at(parse_function(NOTEBOOK_FUNCTION), x, y)[1:])
        self.record(function=NOTEBOOK_FUNCTION, point_x=x, point_y=y, analytic_dx=analytic[0], analytic_dy=analytic[1],
                    autograd_dx=autograd[0], autograd_dy=autograd[1],
                    largest_difference=max(abs(a - b) for a, b in zip(analytic, autograd)))
        # As the narration says them (formatting.py): the point as written on screen, the gradients to 3 digits.
        self.record(said_x=short(x), said_y=short(y), **{f"said_{key}_{c}": short(self.values[f"{key}_{c}"], SAID_DIGITS)
                                                         for key in ("analytic", "autograd") for c in ("dx", "dy")})

    # --- beats -----------------------------------------------------------------------------------
    @beat("To compute a gradient by hand, we use the chain rule. For a ^composite function, F of x equals g of h "
          "of x, the ^derivative is the ^outer derivative, taken at the inner value, ^times the inner derivative. "
          "With ^fractions: dF/dx = dg/dh times dh/dx.")
    def state_the_chain_rule(self) -> None:
        composite = self.equation("F(x)", "=", ("g", OUTER), "(", ("h(x)", INNER), ")", size=self.theme.title_size)
        derivative = self.equation("F'(x)", "=", ("g'", OUTER), "(", ("h(x)", INNER), ")",
                                   ("h'(x)", INNER), size=self.theme.title_size)
        leibniz = self.equation(r"\frac{dF}{dx}", "=", (r"\frac{dg}{dh}", OUTER),
                                (r"\frac{dh}{dx}", INNER), size=self.theme.title_size)
        composite.move_to(UP * 1.0)
        play_over(self, None, "composite", FadeIn(self.heading(self.title)))
        play_over(self, "composite", "derivative", Write(composite))
        derivative.move_to(composite)
        self.wait_until("derivative")
        self.morph(composite, derivative, key_map={"F(x)": "F'(x)", "g": "g'"}, until="outer")
        t = self.theme
        roles = VGroup(self.text("outer", size=t.label_size, color=t.highlight).next_to(derivative[2:6], DOWN, 0.2),
                       self.text("inner", size=t.label_size, color=t.forward).next_to(derivative[6], DOWN, 0.2))
        play_over(self, "outer", "times", FadeIn(roles[0], shift=UP * 0.1), Indicate(derivative[2:6], color=t.highlight))
        play_over(self, "times", "fractions", FadeIn(roles[1], shift=UP * 0.1), Indicate(derivative[6], color=t.forward))
        leibniz.next_to(roles, DOWN, buff=0.6).set_x(derivative.get_x())
        self.wait_until("fractions")
        self.morph(derivative.copy(), leibniz, until=None,
                   key_map={"F'(x)": r"\frac{dF}{dx}", "g'": r"\frac{dg}{dh}", "h'(x)": r"\frac{dh}{dx}"})
        self.rule = VGroup(derivative, roles, leibniz)

    @beat("Now the notebook's function: ^z is the sine of x squared plus y squared. It is a ^composite: the ^outer "
          "function f is the sine, and the ^inner function g is x squared plus y squared.")
    def decompose_h(self) -> None:
        size = self.theme.title_size  # alone under the rule, larger than the derivation they move into
        h = self.equation("z", "=", (r"\sin", OUTER), "(", ("x^2 + y^2", INNER), ")", size=size)
        composite = self.equation("z", "=", ("f", OUTER), "(", ("g(x, y)", INNER), ")", size=size)
        outer = self.equation(("f(u)", OUTER), "=", (r"\sin", OUTER), ("u", OUTER), size=size)
        inner = self.equation(("g(x, y)", INNER), "=", ("x^2 + y^2", INNER), size=size)
        reminder = self.rule[2].copy().scale(0.8)
        reminder.move_to(np.array([0, ROWS["decomposition"], 0])).to_edge(LEFT, buff=self.theme.margin + 0.2)
        self.left = reminder.get_left()[0]
        # The composite in the middle, its parts under it: the outer on the left, the inner on the right.
        composite.move_to(np.array([0, PARTS["composite"], 0]))
        h.move_to(composite)
        outer.move_to(np.array([-PARTS["spread"], PARTS["parts"], 0]))
        inner.move_to(np.array([PARTS["spread"], PARTS["parts"], 0]))
        play_over(self, None, "z", FadeOut(self.rule[:2]), ReplacementTransform(self.rule[2], reminder))
        play_over(self, "z", "composite", Write(h))
        # The composite becomes its parts: as sin turns into f and x^2 + y^2 into g(x, y), copies of them drop out of
        # it to where f(u) = sin u and g(x, y) = x^2 + y^2 will stand (leaving later, they crossed the f and g(x, y)
        # that had taken their place); each equation is completed as it is named.
        sine, square_sum = h[2].copy(), h[4].copy()
        play_over(self, "composite", "outer", TransformMatchingTex(h, composite), TransformFromCopy(sine, outer[2]),
                  TransformFromCopy(square_sum, inner[2]), run_time=1.2)
        play_over(self, "outer", "inner", FadeIn(VGroup(outer[:2], outer[3])), Indicate(outer[2], color=self.theme.highlight))
        play_over(self, "inner", None, FadeIn(inner[:2]), Indicate(inner[2], color=self.theme.highlight))
        self.settle(outer, inner)
        self.reminder, self.composite, self.outer, self.inner = reminder, composite, outer, inner

    def settle(self, *equations: MathTex) -> None:
        """An equation brought in part by part, on screen again as one formula (as it is read)."""
        for eq in equations:
            self.remove(*eq)
            self.add(eq)

    @beat("For x, the chain rule says: dz/dx is df/dg times dg/dx. The ^outer derivative is the cosine, taken at "
          "the inner value; the ^inner derivative is two x. ^Writing g out: the cosine of x squared plus y squared, "
          "times two x.")
    def differentiate_x(self) -> None:
        # The decomposition goes up beside the rule; the rule, copied, becomes this function's chain rule.
        t = self.theme
        row = VGroup(*(m.copy().scale(t.large_size / t.title_size) for m in (self.composite, self.outer, self.inner)))
        row.arrange(RIGHT, buff=0.9).next_to(self.reminder, RIGHT, buff=0.9)
        moves = [ReplacementTransform(m, target) for m, target in zip((self.composite, self.outer, self.inner), row)]
        self.composite, self.outer, self.inner = row
        self.outer_derivative = self.equation(("f'(u)", OUTER), "=", (r"\cos", OUTER), ("u", OUTER))
        self.outer_derivative.next_to(self.outer, DOWN, buff=0.9).align_to(self.outer, LEFT)
        self.dz_dx = self.derive("x", ROWS["x"], marks=("outer", "inner", "Writing"), before=moves)

    @beat("For y, the same two steps: ^again the cosine for the outer function, and ^two y for the inner one. ^So "
          "dz/dy is the cosine of x squared plus y squared, times two y. Together, [these two are the gradient "
          "vector](gradient).")
    def differentiate_y(self) -> None:
        self.dz_dy = self.derive("y", ROWS["y"], run_time=0.9, marks=("again", "two", "So"),
                                  last_until="gradient")
        self.point_at(gradient=VGroup(self.dz_dx, self.dz_dy))

    @beat("Let's check at one point: x is {said_x}, y is {said_y}. Our ^formulas give {said_analytic_dx} "
          "and {said_analytic_dy}. ^Autograd, PyTorch's automatic differentiation, gives {said_autograd_dx} and "
          "{said_autograd_dy}: the ^same numbers.")
    def compare_with_autograd(self) -> None:
        v, t = self.values, self.theme
        xs, ys = v["said_x"], v["said_y"]
        point = self.math(r"\text{at } (x, y) = (", xs, r",\ ", ys, ")",
                          color=t.constant).move_to(np.array([self.left, ROWS["header"], 0]), LEFT)
        columns = VGroup(*(self.value_column(title, [v[f"{key}_dx"], v[f"{key}_dy"]])
                           for title, key in (("chain rule", "analytic"), ("autograd", "autograd"))))
        right = config.frame_width / 2 - t.margin - 0.7  # room for the check marks
        columns[1].next_to(columns[0], RIGHT, buff=0.9)  # same rows: only x moves
        columns.shift(RIGHT * (right - columns.get_right()[0]))
        checks = VGroup(*(self.math(r"\checkmark", color=t.forward).next_to(columns[1][i], RIGHT, buff=0.35)
                          for i in (1, 2)))
        # The point's coordinates as they are said, then the column the formulas fill.
        x_said = position_of(self, f"x is {xs}") if self.speech else None
        y_said = position_of(self, f"y is {ys}", x_said) if self.speech else None
        # The parts' derivatives have done their work: the point and the numbers take their place.
        play_over(self, None, x_said, FadeIn(VGroup(point[0], point[2], point[4])), FadeOut(self.part_derivatives))
        play_over(self, x_said, y_said, FadeIn(point[1], shift=DOWN * 0.1), run_time=0.5)
        play_over(self, y_said, "formulas", FadeIn(point[3], shift=DOWN * 0.1), FadeIn(columns[0][0]), run_time=0.5)
        self.settle(point)
        # Each number lands in its column as it is said.
        said = {"formulas": self.number_places("formulas", "analytic"), "Autograd": self.number_places("Autograd", "autograd")}
        for i, line in enumerate((self.dz_dx, self.dz_dy)):
            play_over(self, said["formulas"][i], said["formulas"][i + 1], TransformFromCopy(line[2:], columns[0][i + 1]),
                      run_time=0.8)
        play_over(self, "Autograd", said["Autograd"][0], FadeIn(columns[1][0]))
        for i, number in enumerate(columns[1][1:]):
            play_over(self, said["Autograd"][i], said["Autograd"][i + 1], FadeIn(number, shift=LEFT * 0.3),
                      run_time=0.5)
        play_over(self, "same", None, LaggedStart(*(FadeIn(c, scale=1.5) for c in checks), lag_ratio=0.3),
                  *(Indicate(n, color=t.gradient, scale_factor=1.1) for col in columns for n in col[1:]))

    def number_places(self, mark: str, key: str) -> list[int | str]:
        """Where the narration says the two components after bookmark `mark`, and where the second ends
        (characters), to bring in a number as it is said; silent, the bookmark (no wait)."""
        if self.speech is None:
            return [mark] * 3
        said = [self.values[f"said_{key}_{c}"] for c in ("dx", "dy")]
        first = position_of(self, said[0], self._marked.marks[mark])
        second = position_of(self, said[1], first + len(said[0]))
        return [first, second, second + len(said[1])]

    # --- helpers ---------------------------------------------------------------------------------
    def equation(self, *parts: str | tuple[str, str], size: float | None = None) -> MathTex:
        """MathTex from parts, each plain TeX or (TeX, theme role) to colour that part (the derivation's size)."""
        eq = self.math(*(p if isinstance(p, str) else p[0] for p in parts), size=size or self.theme.large_size)
        for part, mob in zip(parts, eq):
            if not isinstance(part, str):
                mob.set_color(getattr(self.theme, part[1]))
        return eq

    def morph(self, source: MathTex, target: MathTex, key_map: dict[str, str] | None = None,
              until: Place = "", sources: dict[str, object] | None = None, extra: Sequence = (), arc: float = 0.0,
              **kwargs) -> None:
        """TransformMatchingTex: equal parts move, parts paired by `key_map` cross-fade into each other, the
        rest fade (manim 0.21's own key_map path crashes when paired parts differ in glyph count). A target
        part named in `sources` comes from a copy of that mobject instead (a derivative moving into the
        product), the part it replaces fading, along an arc of `arc` radians (off the line of its own equation, which it
        crossed going straight). With `until` (a place in the speech, None for its end), it
        lasts until that is said."""
        key_map, sources, free, animations = key_map or {}, sources or {}, list(target), list(extra)
        for part in source:
            mapped = key_map.get(part.tex_string)
            match = next((t for t in free if t.tex_string == (mapped or part.tex_string)), None)
            if match is None:
                animations.append(FadeOut(part))
            elif match.tex_string in sources:
                free.remove(match)
                animations += [FadeOut(part), TransformFromCopy(sources[match.tex_string], match, path_arc=arc)]
            else:
                free.remove(match)
                animations.append(FadeTransform(part, match) if mapped else ReplacementTransform(part, match))
        animations += [FadeIn(t) for t in free]
        if until == "":
            self.play(*animations, **kwargs)
        else:
            play_over(self, None, until, *animations, **kwargs)
        self.remove(source, *source, *target)
        self.add(target)

    def between(self, start: str, end: str) -> Place:
        """The character halfway between two bookmarks: a phrase's two steps split there (None when silent)."""
        if self.speech is None:
            return None
        return (self._marked.marks[start] + self._marked.marks[end]) // 2

    def derive(self, var: str, y: float, run_time: float = 1.4, marks: tuple[str, str, str] = ("", "", ""),
               last_until: Place = None, before: Sequence = ()) -> MathTex:
        """One term at a time, from the parts: the rule (copied) becomes this variable's chain rule; the outer
        part's derivative (cos) and the inner part's (2x, made from g under it) move into the product; then
        g written out. Each change starts on its word of the narration (`marks`) and lasts until the next."""
        t = self.theme
        steps, (outer, inner, cos_g, two) = self.derivation_steps(var, y)
        derivative = self.equation((inner, INNER), "=", (f"2{var}", INNER))  # of the inner part, under it
        derivative.move_to(np.array([self.inner.get_left()[0], y, 0]), LEFT)
        fprime, first = self.outer_derivative, var == "x"
        # x: the rule above, copied, becomes this function's; y: written the same way (a copy would cross the x row)
        arrive = TransformFromCopy(self.reminder, steps[0]) if first else Write(steps[0])
        play_over(self, None, marks[0] or None, *before, arrive, run_time=run_time)
        self.remove(*steps[0]); self.add(steps[0])
        # The outer derivative: f(u) = sin u becomes f'(u) = cos u under it (once), and its cosine moves in.
        half = self.between(marks[0], marks[1])
        if first:
            self.morph(self.outer.copy(), fprime, key_map={"f(u)": "f'(u)", r"\sin": r"\cos"}, until=half,
                       run_time=run_time / 2)
        else:
            play_over(self, None, half, Indicate(fprime, color=t.highlight), run_time=run_time / 2)
        # x: cos leaves leftwards under its own row (straight, it crossed its own "f'(u) ="; TransformFromCopy reverses
        # the arc's sense); y: steeply down, it clears it (an arc would sweep through the product it is going into)
        self.morph(steps[0], steps[1], key_map={outer: cos_g}, sources={cos_g: fprime[2:]}, until=marks[1],
                   run_time=run_time / 2, arc=PI / 2 if first else 0.0)
        # The inner derivative: g(x, y) = x^2 + y^2 becomes dg/dx = 2x under it, and 2x moves in.
        wait_for(self, marks[1])
        half = self.between(marks[1], marks[2])
        self.morph(self.inner.copy(), derivative, key_map={"g(x, y)": inner, "x^2 + y^2": f"2{var}"}, until=half,
                   run_time=run_time / 2)
        # x: 2x moves in along an arc under its own row (the row of y is empty yet; straight, it crossed its own "=" and
        # fraction). y: no way round its row is clear (the row of x above, the margin below): the 2y there is lit as
        # the term in the product turns into it.
        into_two = ({"sources": {two: derivative[2]}, "arc": PI / 2} if first
                    else {"extra": [Indicate(derivative[2], color=t.highlight)]})
        self.morph(steps[1], steps[2], key_map={inner: two}, until=marks[2], run_time=run_time / 2, **into_two)
        # g written out (a cross-fade: stretched over its clause it would read as a still picture), then "times two x".
        wait_for(self, marks[2])
        self.play(Indicate(steps[2][2], color=t.highlight))  # "the cosine"
        if self.speech:
            wait_for(self, position_of(self, "x squared plus y squared", self._marked.marks[marks[2]]))
        self.morph(steps[2], steps[3], key_map={cos_g: r"\cos(x^2 + y^2)"}, extra=[Indicate(self.inner[2], color=t.forward)],
                   run_time=1.2)
        times = position_of(self, f"times two {var}", self._marked.marks[marks[2]]) if self.speech else None
        wait_for(self, times)
        self.morph(steps[3], steps[4], key_map={two: rf"\cdot 2{var}"}, until=last_until, run_time=run_time / 2)
        self.part_derivatives = VGroup(*getattr(self, "part_derivatives", [fprime]), derivative)
        return steps[-1]

    def derivation_steps(self, var: str, y: float) -> tuple[list[MathTex], tuple[str, str, str, str]]:
        """The five forms of d z / d var, one term changed at a time, each on the row at `y`, and the TeX of
        the parts that change (outer and inner derivative, the cosine of g, two var)."""
        lhs = (rf"\frac{{\partial z}}{{\partial {var}}}", "gradient")
        outer, inner = r"\frac{\partial f}{\partial g}", rf"\frac{{\partial g}}{{\partial {var}}}"
        cos_g, two = r"\cos\big(g(x, y)\big)", rf"\,(2{var})"
        steps = [self.equation(lhs, "=", (outer, OUTER), (inner, INNER)),
                 self.equation(lhs, "=", (cos_g, OUTER), (inner, INNER)),
                 self.equation(lhs, "=", (cos_g, OUTER), (two, INNER)),
                 self.equation(lhs, "=", (r"\cos(x^2 + y^2)", OUTER), (two, INNER)),
                 self.equation(lhs, "=", (r"\cos(x^2 + y^2)", OUTER), (rf"\cdot 2{var}", INNER))]
        for step in steps:
            step.move_to(np.array([self.left, y, 0]), LEFT)
        return steps, (outer, inner, cos_g, two)

    def value_column(self, title: str, values: list[float]) -> VGroup:
        """A titled column of gradient components, one on each derivation row, right-aligned."""
        t = self.theme
        numbers = [self.math(short_tex(value), size=t.large_size, color=t.gradient) for value in values]
        width = max(n.width for n in numbers)
        for number, row in zip(numbers, ("x", "y")):
            number.move_to(np.array([width, ROWS[row], 0]), RIGHT)
        head = self.text(title, size=t.label_size, color=t.muted).move_to(np.array([width / 2, ROWS["header"], 0]))
        return VGroup(head, *numbers)
