"""Training the part-2 network: one SGD step with its numbers changing in place, then a few hundred steps
compressed into seconds, the loss curve drawn as it falls beside the decision boundary (or fitted curve).

Every number comes from `engine.network.training_step` and `engine.network.train`, computed once at
the start of the scene; the parameters are drawn as the pass scenes draw matrices (`MatrixEquation`).
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RESAMPLING_ALGORITHMS, RIGHT, UP, Axes, Circle, ManimColor, FadeIn, FadeOut, Group, ImageMobject,
                   Create, Indicate, ReplacementTransform, Succession, LaggedStart, MathTex, Rectangle, TransformMatchingTex, ValueTracker, Write, VGroup, VMobject, linear)

from engine.network import BOUNDARY_LEVEL, TrainingRun, TrainingStep, make_dataset, train, training_step
from scenes.widgets.code_scene import PANEL_GAP, CodeScene
from scenes.kit.base import beat
from scenes.kit.headings import OneLineHeading
from scenes.kit.pacing import END, PacingScene
from scenes.widgets.contour import level_segments
from scenes.widgets.equation_rows import in_rows, scale_key
from scenes.kit.formatting import counter, in_powers_of_ten, short, short_tex
from scenes.widgets.live_value import LiveValue
from scenes.widgets.network_diagram import Term, number_tex, token, value_range
from scenes.widgets.network_layout import HEAT_SIDE, Box
from scenes.widgets.surface import colormap, nice_step
from scenes.part2.training_code import parameter_tex, step_code

CODE_SHARE = 0.58  # of the content width at most, for the code; the loss and the rule go right of it
LOSS_DROP = 0.15  # the loss readout under the top of the content area: room for it to grow as it is marked
SLOW = 2.5  # a reveal or a travelling number may play this much slower than silent when the voice takes longer
FLIGHT = 0.25  # of the step beat's motion: gradients fly into the weights, then the numbers change
WIDE_CELL = HEAT_SIDE / 6  # a colour map's cell while the parameters have the width to themselves (a 6-row map: HEAT_SIDE)
KEY_BESIDE = 0.35  # between a panel's header and the key of its colour maps


class TrainingStepScene(OneLineHeading, PacingScene, CodeScene):
    alt_text = ("One SGD step: zero_grad, the loss {loss_before:.3g}, backward fills every .grad, step moves each "
                "parameter by minus {lr} times its gradient; the loss computed again is {loss_after:.3g}.")

    def construct(self) -> None:
        self.compute()
        self.meet_the_optimizer()
        self.compute_the_loss()
        self.fill_the_gradients()
        self.take_the_step()
        self.compute_the_loss_again()

    def compute(self) -> None:
        self.spec = self.params.network_spec()
        self.step: TrainingStep = training_step(self.spec)
        self.code_lines = step_code(self.spec)
        name, index = max(((n, i) for n, g in self.step.grads.items() for i in np.ndindex(g.shape)),
                          key=lambda item: abs(self.step.grads[item[0]][item[1]]))  # the weight that moves most
        picked = {key: float(values[name][index]) for key, values in
                  (("before", self.step.before), ("grad", self.step.grads), ("after", self.step.after))}
        layer = name.split(".")[0].removeprefix("fc")
        where = (f"W{layer}, row {index[0] + 1}, column {index[1] + 1}" if name.endswith("weight")
                 else f"b{layer}, entry {index[0] + 1}")
        self.example = (name, index, picked)
        self.record(lr=self.spec.lr, loss_before=self.step.loss_before, loss_after=self.step.loss_after,
                    samples=len(make_dataset(self.spec)[0]), before=_lists(self.step.before), grads=_lists(self.step.grads),
                    after=_lists(self.step.after), example=where,
                    example_before=short(picked["before"], 3), example_grad=short(picked["grad"], 3),
                    example_after=short(picked["after"], 3), loss_before_said=short(self.step.loss_before, 3),
                    loss_after_said=short(self.step.loss_after, 3))

    # --- the stage -------------------------------------------------------------------------------------
    def set_stage(self) -> None:
        """Code top left, the loss and the update rule right of it; the layers' parameters below, one row per
        layer: the values left, their gradients right."""
        t = self.theme
        top, bottom = self.content_area()
        self.code = self.code_panel(list(self.code_lines.lines), max_width=(self.right - self.left) * CODE_SHARE, top=top)
        self.side = Box.spanning(self.code.get_right()[0] + PANEL_GAP, self.code.get_bottom()[1], self.right, top)
        self.loss_label = self.loss_tex(self.step.loss_before)
        self.rule = self.math(r"W \leftarrow W - \eta\, \frac{\partial L}{\partial W}", rf"\quad \eta = {number_tex(self.spec.lr)}",
                              size=t.label_size, color=t.learnable)
        if self.rule.width > self.side.width:
            self.rule.scale_to_fit_width(self.side.width)
        self.rule.move_to([self.side.x, self.loss_label.get_bottom()[1] - 0.15, 0], aligned_edge=UP)
        half = (self.right - self.left) / 2
        self.headers = VGroup(*(self.text(words, size=t.small_size, color=t.muted).move_to(
            [self.left + (k + 0.5) * half, self.code.get_bottom()[1] - PANEL_GAP, 0], aligned_edge=UP)
            for k, words in enumerate(("model.parameters()", ".grad"))))
        rows = Box.spanning(self.left, bottom, self.right, self.headers.get_bottom()[1] - 0.1)
        heights = [self.step.before[f"{name}.weight"].shape[0] + 1.5 for name in self.spec.layer_names]
        values = [self.terms(name, self.step.before, t.learnable) for name in self.spec.layer_names]
        grads = [self.terms(name, self.step.grads, t.gradient, r"\partial L / \partial ") for name in self.spec.layer_names]
        drawn, heat = in_rows([[v, g] for v, g in zip(values, grads)], rows, t, t.label_size, PANEL_GAP, heights)
        self.value_rows, self.gradient_rows = [row[0] for row in drawn], [row[1] for row in drawn]
        keyed = not any(eq.heat and not eq.keys for eq in self.value_rows + self.gradient_rows)
        # Until the gradients come, the parameters have the whole width: as large as fits it, centred; they move
        # left as the empty .grad slots come in beside them (their colour maps the same).
        self.wide_rows = self.widest(values, rows, heights, heat, keyed)
        self.grad_key = VGroup()
        if not keyed:  # no room for a key under each map's name: each panel's maps on one scale, its key by its header
            self.one_key_a_panel()

    def one_key_a_panel(self) -> None:
        """The parameters' maps (before and after the step) on one scale, the gradients' on another; each scale's key
        beside its panel's header (the gradients' comes with the gradients)."""
        def maps(rows: list, *states: dict) -> list[np.ndarray]:
            return [state[f"{name}.{kind}"] for eq, name in zip(rows, self.spec.layer_names)
                    for kind, term in eq.terms.items() if not eq.shows(term) for state in states]
        wide = [term.grid for eq in self.wide_rows for term in eq.terms.values() if not eq.shows(term)]
        values = value_range(maps(self.value_rows, self.step.before, self.step.after) + wide)
        grads = value_range(maps(self.gradient_rows, self.step.grads))
        for eq in self.value_rows + self.wide_rows:
            eq.use_scale(values)
        for eq in self.gradient_rows:
            eq.use_scale(grads)
        size = self.theme.small_size
        keys = [scale_key(s, self.theme, size).next_to(h, RIGHT, buff=KEY_BESIDE) for s, h in zip((values, grads), self.headers)]
        for k, (header, key) in enumerate(zip(self.headers, keys)):
            VGroup(header, key).set_x(self.left + (k + 0.5) * (self.right - self.left) / 2)
        self.headers = VGroup(VGroup(self.headers[0], keys[0]), self.headers[1])
        self.grad_key = keys[1]

    def widest(self, values: list, rows: Box, heights: list[float], heat: list[set[str]], keys: bool = True) -> list:
        """The layers' parameters over the whole width: one layer a row, or, where that leaves them small in a
        narrow column (many layers, tall matrices), two layers a row, their colour maps' cells as large as fit
        (up to WIDE_CELL); whichever draws them larger."""
        t = self.theme
        one, _ = in_rows([[v] for v in values], rows, t, t.label_size, PANEL_GAP, heights, heat, keys=keys)
        candidates = [[row[0] for row in one]]
        if len(values) > 2:
            pairs = [values[k:k + 2] for k in range(0, len(values), 2)]
            paired_heat = [heat[k] & heat[min(k + 1, len(heat) - 1)] for k in range(0, len(values), 2)]
            two, _ = in_rows(pairs, rows, t, t.label_size, PANEL_GAP,
                             [max(heights[k:k + 2]) for k in range(0, len(values), 2)], paired_heat, WIDE_CELL, keys)
            candidates.append([eq for row in two for eq in row])
        return max(candidates, key=lambda eqs: sum(eq.width * eq.height for eq in eqs))

    def terms(self, layer: str, values: dict[str, np.ndarray], color: str, prefix: str = "") -> list[Term]:
        return [Term(kind, prefix + parameter_tex(f"{layer}.{kind}"), values[f"{layer}.{kind}"], color)
                for kind in ("weight", "bias")]

    def loss_tex(self, *losses: float) -> MathTex:
        """L = before, or L = before -> after: the loss readout at the top of the side column."""
        parts = ["L", f"= {number_tex(losses[0])}", *(rf"\to {number_tex(v)}" for v in losses[1:])]
        tex = self.math(*parts, size=self.theme.label_size, color=self.theme.loss)
        return tex.move_to([self.side.x, self.side.top - LOSS_DROP, 0], aligned_edge=UP)

    # --- beats -----------------------------------------------------------------------------------------
    @beat("^A training step changes [every weight of the network](weights) at once. ^The optimizer is SGD over all "
          "of model.parameters(), [with a learning rate of {lr}](lr). Here are [the parameters, as torch made "
          "them](parameters).")
    def meet_the_optimizer(self) -> None:
        self.set_stage()
        t = self.theme
        # the rate written alone where the update rule will be (one formula of its own: lecture check reads its
        # number; a part of the rule drawn alone is read as no text); the rule takes its place when written
        self.rate = self.math(rf"\eta = {number_tex(self.spec.lr)}", size=t.label_size, color=t.learnable)
        rate = self.rate.match_height(self.rule[1]).move_to(self.rule[1])
        wide = self.wide_rows
        header = self.headers[0].copy().set_x((self.left + self.right) / 2)
        self.wide_header = header
        self.point_at(weights=VGroup(*wide), lr=VGroup(self.code.line(self.code_lines.optimizer), rate),
                      parameters=VGroup(header, *wide))
        self.play(self.show_heading(), FadeIn(self.code, shift=DOWN * 0.2))
        self.paced("A", LaggedStart(*(FadeIn(v) for v in wide), lag_ratio=0.4), run_time=1.6,  # in place: the last row is at the bottom edge
                   most=SLOW)
        self.play_steps("The", [(lambda: [self.code.highlight(self.code_lines.optimizer)], 0.5),
                                (lambda: [FadeIn(header, shift=DOWN * 0.1)], 0.5),
                                (lambda: [v.spot(v) for v in wide], 1.0)], until="lr", most=SLOW)
        self.paced("lr", Write(rate), run_time=1.0, most=SLOW)  # the rate, as it is said, where the update rule will be
        self.play_steps("parameters", [(lambda v=v: [v.spot(v)], 1.0) for v in wide], until=END)

    @beat("[optimizer.zero_grad() clears the gradients of the last step](zero), ^so they do not add up. ^Then the "
          "forward pass over all {samples} samples gives [the loss: {loss_before_said}](loss).")
    def compute_the_loss(self) -> None:
        self.point_at(zero=self.code.line(self.code_lines.zero_grad), loss=self.loss_label)
        self.play(self.code.highlight(self.code_lines.zero_grad), run_time=0.5)
        empty = VGroup(self.headers[1], *(m for g in self.gradient_rows for d in g.drawn.values() for m in (d.frame, d.label)))
        moves = [ReplacementTransform(w, v) for w, v in zip(self.wide_rows, self.value_rows)]
        moves.append(ReplacementTransform(self.wide_header, self.headers[0]))
        self.paced("zero", *moves, FadeIn(empty, shift=LEFT * 0.2), run_time=1.0, most=SLOW)  # every .grad there, and empty
        self.play_steps("so", [(lambda g=g: [g.spot(*(d.frame for d in g.drawn.values()))], 0.8) for g in self.gradient_rows],
                        until="Then", most=SLOW)  # the empty gradients, "they"
        self.play_steps("Then", [(lambda: [self.code.highlight(self.code_lines.loss)], 0.5),
                                 (lambda: [FadeIn(self.loss_label, shift=UP * 0.2)], 1.0)], until="loss", most=2.5)

    @beat("[loss.backward()](backward) runs the backward pass and ^fills each parameter's .grad, from the last layer "
          "back to the first.")
    def fill_the_gradients(self) -> None:
        self.point_at(backward=self.code.line(self.code_lines.backward))
        self.play(self.code.highlight(self.code_lines.backward), run_time=0.5)
        self.play_steps("fills", [(lambda: [LaggedStart(*(FadeIn(VGroup(*self.cells_of(g)), shift=LEFT * 0.3)
                                                          for g in reversed(self.gradient_rows)), lag_ratio=0.5),
                                            *([FadeIn(self.grad_key)] if len(self.grad_key) else [])], 2.0)],
                        until=END, most=SLOW)

    @staticmethod
    def cells_of(equation) -> list:
        return [c for d in equation.drawn.values() for row in d.cells for c in row]

    @beat("optimizer.step() moves each parameter by [minus the learning rate times its gradient](rule). [Take "
          "{example}](cell): it ^holds {example_before}; ^minus {lr} times {example_grad} ^gives {example_after}. "
          "^Every number changes in place.")
    def take_the_step(self) -> None:
        self.point_at(rule=self.rule)
        self.play(self.code.highlight(self.code_lines.step), run_time=0.5)
        self.remove(self.rate)
        self.add(self.rule[1])  # the same glyphs, now part of the rule
        self.paced("rule", Write(self.rule[0]), run_time=1.2, most=4.0)  # written as it is said (its rate is there)
        self.remove(*self.rule)
        self.add(self.rule)  # one formula again, written in two parts (what lecture check reads as its text)
        self.show_example()
        steps = []
        for values, gradients, name in zip(self.value_rows, self.gradient_rows, self.spec.layer_names):
            steps += [(lambda values=values, gradients=gradients: [LaggedStart(*self.flights(values, gradients), lag_ratio=0.05)], 1.0),
                      (lambda values=values, name=name: [values.become(term.name, term) for term in
                                                          self.terms(name, self.step.after, self.theme.learnable)], 0.8)]
        self.play_steps("Every", steps, until=END, least=1.0, most=SLOW)
        self.record(shown_after=[v.shown() for v in self.value_rows])

    def flights(self, values, gradients) -> list:
        """Every gradient flies into its parameter."""
        return [FadeOut(token(gradients.cell(kind, *index)), target_position=values.cell(kind, *index))
                for kind in ("weight", "bias") for index in np.ndindex(gradients.terms[kind].grid.shape)]

    def show_example(self) -> None:
        """The moved-most weight's arithmetic under the rule, term by term as it is said, its cell picked out."""
        name, index, picked = self.example
        layer, kind = name.split(".")
        parts = [number_tex(picked['before']), rf"- {number_tex(self.spec.lr)} \times ({number_tex(picked['grad'])})",
                 rf"= {number_tex(picked['after'])}"]
        self.arithmetic = self.math(*parts, size=self.theme.label_size, color=self.theme.learnable)
        if self.arithmetic.width > self.side.width:
            self.arithmetic.scale_to_fit_width(self.side.width)
        self.arithmetic.next_to(self.rule, DOWN, buff=0.15).set_x(self.side.x)
        row = self.spec.layer_names.index(layer)
        at = (*index, 0) if len(index) == 1 else index
        cell, grad = self.value_rows[row].cell(kind, *at), self.gradient_rows[row].cell(kind, *at)
        self.point_at(cell=cell)
        self.paced("holds", FadeIn(self.arithmetic[0], shift=UP * 0.2), Indicate(cell, color=self.theme.highlight),
                   run_time=1.0, most=SLOW)
        self.paced("minus", FadeIn(self.arithmetic[1], shift=UP * 0.2), Indicate(grad, color=self.theme.highlight),
                   run_time=1.0, most=SLOW)
        self.paced("gives", FadeIn(self.arithmetic[2], shift=UP * 0.2), Indicate(cell, color=self.theme.highlight),
                   run_time=1.0, most=SLOW)
        self.remove(*self.arithmetic)
        self.add(self.arithmetic)  # one formula, shown term by term (lecture check reads its numbers from the whole)

    @beat("The same samples [through the new weights](weights), and torch computes the loss ^again: [{loss_after_said}, "
          "down from {loss_before_said}](loss). One small step downhill; training ^repeats it, again and again.")
    def compute_the_loss_again(self) -> None:
        after = self.loss_tex(self.step.loss_before, self.step.loss_after)
        self.point_at(weights=VGroup(*self.value_rows), loss=after)
        self.play(self.code.highlight(self.code_lines.loss), run_time=0.5)
        self.play_steps("weights", [(lambda v=v: [v.spot(v)], 0.6) for v in self.value_rows], most=SLOW)
        self.paced("again", TransformMatchingTex(self.loss_label, after), run_time=1.0, most=SLOW)
        self.play_steps("loss", [(lambda: [Indicate(after[2], color=self.theme.highlight)], 0.8),  # the new value, then
                                 (lambda: [Indicate(after[1], color=self.theme.highlight)], 0.8)], most=SLOW)  # the one before
        lines = (self.code_lines.zero_grad, self.code_lines.loss, self.code_lines.backward, self.code_lines.step)
        self.play_steps("repeats", [(lambda line=line: [self.code.highlight(line)], 0.4) for line in lines * 2], until=END)


def _lists(values: dict[str, np.ndarray]) -> dict[str, list]:
    return {name: array.tolist() for name, array in values.items()}


# --- a training run ----------------------------------------------------------------------------------------
RUN_SECONDS = 9.0  # the run's steps, compressed
POWER_SHARE = 0.7  # a live value's power of ten, of its size (scenes/widgets/live_value.py)
LABEL_ROOM = 0.68  # left of the loss curve's axis, for its top value (0.949 at the smallest size takes 0.6)
LEGEND_ROOM, LEGEND_SHARE, LEGEND_CELLS = 0.75, 0.5, 24  # the colour scale under the plane: its room, width, cells
DOT_RADIUS, HALO, HALO_WIDTH = 0.13, 0.05, 5  # a data point and the background-coloured halo around it


class TrainingRunScene(OneLineHeading, PacingScene, CodeScene):
    alt_text = ("{steps} SGD steps compressed into seconds: the loss curve falls from {first_loss:.3g} to "
                "{final_loss:.3g} while the network's output {picture_alt}.")

    def construct(self) -> None:
        self.compute()
        self.show_the_task()
        self.train_for_real()
        self.read_the_result()

    def compute(self) -> None:
        self.spec = self.params.network_spec()
        self.run: TrainingRun = train(self.spec)
        kind, n = self.run.kind, len(self.run.x)
        data = f"the {n} XOR points" if self.spec.dataset == "xor" else f"{n} noisy samples of a sine curve"
        picture = {"boundary": "the ^colour is the network's output over the plane, and the ^line is where it crosses "
                               "one half; ^filled points should give one, ^hollow points zero.",
                   "curve": "the ^samples, and the network's ^curve through them.",
                   "none": "there is no picture: the network has more than two inputs."}[kind]
        motion = {"boundary": "the line bends until it separates the points", "curve": "the curve bends to follow the points",
                  "none": "the loss falls"}[kind]
        on_side = "All" if self.run.correct == n else f"{self.run.correct} of"
        result = (f"^Now {on_side.lower()} {n} points are on their side of the line." if kind == "boundary"
                  else "The ^curve now follows the samples." if kind == "curve" else "")
        self.last_step = self.spec.steps if self.run.diverged_at is None else self.run.diverged_at - 1  # the last finite loss
        if self.run.diverged_at is not None:
            result = (f"At step {self.run.diverged_at} the loss is no longer a number: the learning rate {self.spec.lr:g} "
                      "is too large, and training diverged.")
        self.record(steps=self.spec.steps, lr=self.spec.lr, losses=self.run.losses.tolist(),
                    first_loss=float(self.run.losses[0]), final_loss=float(self.run.losses[self.last_step]),
                    first_loss_said=counter(float(self.run.losses[0])),
                    final_loss_said=counter(float(self.run.losses[self.last_step])), last_step=self.last_step,
                    diverged_at=self.run.diverged_at,
                    frame_steps=list(self.run.frame_steps), correct=self.run.correct, final=_lists(self.run.final),
                    data_said=data, picture_said=picture, motion_said=motion, result_said=result,
                    picture_alt={"boundary": "bends its decision boundary around the points",
                                 "curve": "curve bends to follow the samples", "none": "is not drawn"}[kind])

    # --- the stage -------------------------------------------------------------------------------------
    def set_stage(self) -> None:
        top, bottom = self.content_area()
        drawn = self.run.kind != "none"
        split = (self.left + self.right) / 2 if drawn else self.right
        self.readout = self.readouts().move_to([(self.left + split) / 2, top, 0], aligned_edge=UP)
        curve_box = Box.spanning(self.left, bottom, split - PANEL_GAP, self.readout.get_bottom()[1] - PANEL_GAP)
        self.curve_axes, self.curve = self.loss_curve(curve_box)
        self.picture = self.output_picture(Box.spanning(split + PANEL_GAP, bottom, self.right, top)) if drawn else VGroup()

    def readouts(self) -> VGroup:
        """step k / steps and the loss now, changing in place."""
        t = self.theme
        self.clock = ValueTracker(0.0)  # how far through the run's snapshots, 0 ... frames - 1
        shown = self.run.losses[: self.last_step + 1]
        # a loss written as a power of ten has its exponent at 0.7 of the readout's size: never under the smallest
        size = max(t.label_size, t.small_size / POWER_SHARE) if any(in_powers_of_ten(float(v)) for v in shown) else t.label_size
        step = LiveValue(lambda: self.step_now(), t.text, size, fixed=0)
        loss = LiveValue(lambda: float(self.run.losses[self.step_now()]), t.loss, size)
        widest = self.math(str(self.spec.steps), size=size)  # the counter's room, so nothing moves as it grows
        counter_row = VGroup(self.text("step", size=size, color=t.muted), widest,
                             self.text(f"of {self.spec.steps}", size=size, color=t.muted)).arrange(RIGHT, buff=0.15)
        widest.set_opacity(0)  # held in the row for its width; the counter is drawn at its right edge
        step.add_updater(lambda m: m.move_to(widest, aligned_edge=RIGHT))
        counter_row.add(step)
        loss_row = VGroup(self.math("L =", size=size, color=t.loss), loss).arrange(RIGHT, buff=0.15)
        loss.add_updater(lambda m: m.next_to(loss_row[0], RIGHT, buff=0.15))
        self.step_space = widest
        return VGroup(counter_row, loss_row).arrange(RIGHT, buff=0.8)

    def frame_now(self) -> int:
        """The snapshot the clock is at, never one taken after the last finite loss."""
        shown = max(i for i, step in enumerate(self.run.frame_steps) if step <= self.last_step)
        return int(np.clip(round(self.clock.get_value()), 0, shown))

    def step_now(self) -> int:
        """The step the clock is at: between snapshots, the steps in between (the curve and counters run smoothly),
        never past the last finite loss."""
        moments, at = self.run.frame_steps, self.clock.get_value()
        k = int(np.clip(np.floor(at), 0, len(moments) - 1))
        step = moments[-1] if k == len(moments) - 1 else round(moments[k] + (at - k) * (moments[k + 1] - moments[k]))
        return int(min(step, self.last_step))

    def power_size(self, tex: str) -> float:
        """The smallest size, or larger for a number written as a power of ten: its exponent at the smallest size."""
        return self.theme.small_size / POWER_SHARE if r"10^" in tex else self.theme.small_size

    def loss_curve(self, box: Box) -> tuple[VGroup, VMobject]:
        """The loss against the step, drawn up to the clock's step, in the loss colour."""
        t, losses = self.theme, self.run.losses
        top = float(np.max(losses[: self.last_step + 1]))
        top_tex = short_tex(top, 3)
        top_label = self.math(top_tex, size=self.power_size(top_tex), color=t.muted)
        wider = max(0.0, top_label.width - LABEL_ROOM)  # a long top value (10^302) takes room from the axes, not the margin
        axes = Axes(x_range=[0, self.spec.steps, nice_step(self.spec.steps)], y_range=[0, top, nice_step(top)],
                    x_length=box.width - 0.9 - wider, y_length=box.height - 0.8, tips=False,
                    axis_config={"color": t.muted, "stroke_width": 2, "include_ticks": False})
        axes.move_to([box.x + 0.35 + wider / 2, box.y + 0.3, 0])
        names = VGroup(self.text("step", size=t.small_size, color=t.muted).next_to(axes.x_axis, DOWN, buff=0.15),
                       self.math("L", size=t.small_size, color=t.loss).next_to(axes.y_axis, LEFT, buff=0.15))
        ends = VGroup(self.math(str(self.spec.steps), size=t.small_size, color=t.muted).next_to(axes.c2p(self.spec.steps, 0), DOWN, buff=0.12),
                      self.math("0", size=t.small_size, color=t.muted).next_to(axes.c2p(0, 0), DOWN + LEFT, buff=0.08),
                      top_label.next_to(axes.c2p(0, top), LEFT, buff=0.12))
        curve = VMobject(stroke_color=t.loss, stroke_width=3)
        origin = axes.c2p(0, 0)
        right, up = axes.c2p(1, 0) - origin, axes.c2p(0, 1) - origin
        corners = origin + np.outer(np.arange(len(losses)), right) + np.outer(np.clip(np.nan_to_num(losses, nan=top), 0, top), up)

        def grow(m: VMobject) -> None:
            k = self.step_now()
            if k == getattr(m, "drawn_to", None):
                return
            m.set_points_as_corners(corners[: k + 1] if k else np.repeat(corners[:1], 2, axis=0))
            m.drawn_to = k

        grow(curve)
        curve.add_updater(grow)
        return VGroup(axes, names, ends), curve

    def output_picture(self, box: Box) -> Group:
        return self.boundary_picture(box) if self.run.kind == "boundary" else self.curve_picture(box)

    def boundary_picture(self, box: Box) -> Group:
        """The output over the plane as a colour map, the level-one-half line, the data as points."""
        t, (xs, ys) = self.theme, self.run.grid
        side = min(box.width, box.height - LEGEND_ROOM)
        border = Rectangle(width=side, height=side, stroke_color=t.muted, stroke_width=1.5).move_to([box.x, box.top - side / 2, 0])
        self.legend, self.legend_tick = self.colour_legend(border)
        self.place = lambda x, y: border.get_corner(DOWN + LEFT) + np.array(
            [(x - xs[0]) / (xs[-1] - xs[0]) * side, (y - ys[0]) / (ys[-1] - ys[0]) * side, 0])
        self.heatmap = ImageMobject(self.pixels(0), resampling_algorithm=RESAMPLING_ALGORITHMS["bilinear"]).stretch_to_fit_width(side).stretch_to_fit_height(side).move_to(border)
        self.boundary = VMobject(stroke_color=t.highlight, stroke_width=4)
        self.boundary.add_updater(lambda m: self.draw_boundary(m))
        self.heatmap.add_updater(lambda m: setattr(m, "pixel_array", self.pixels(self.frame_now())))
        points = VGroup(*(self.sample_dot(self.place(x, y), target > BOUNDARY_LEVEL)
                          for (x, y), target in zip(self.run.x, self.run.y[:, 0])))
        self.boundary.set_z_index(1)
        points.set_z_index(2)  # over the colour map and the line, whichever appears first
        return Group(self.heatmap, border, self.boundary, points)

    def colour_legend(self, border: Rectangle) -> tuple[VGroup, VMobject]:
        """Under the plane: what its colours mean (the output, 0 to 1, as a row of cells) and a tick at one half in
        the line's colour, so the picture reads before training has put any structure in it."""
        t = self.theme
        width, height = border.width * LEGEND_SHARE, 0.2
        cells = VGroup(*(Rectangle(width=width / LEGEND_CELLS, height=height, stroke_width=0).set_fill(
            ManimColor.from_rgb(colormap(t, np.array((k + 0.5) / LEGEND_CELLS))), 1) for k in range(LEGEND_CELLS))).arrange(RIGHT, buff=0)
        cells.next_to(border, DOWN, buff=0.3)
        frame = Rectangle(width=width, height=height, stroke_color=t.muted, stroke_width=1).move_to(cells)
        zero = self.math("0", size=t.small_size, color=t.muted).next_to(frame, LEFT, buff=0.12)
        one = self.math("1", size=t.small_size, color=t.muted).next_to(frame, RIGHT, buff=0.12)
        name = self.text("output", size=t.small_size, color=t.muted).next_to(zero, LEFT, buff=0.2)
        tick = VMobject(stroke_color=t.highlight, stroke_width=4).set_points_as_corners(
            [frame.get_center() + UP * (height / 2 + 0.08), frame.get_center() + DOWN * (height / 2 + 0.08)])
        return VGroup(name, zero, cells, frame, one), tick

    def pixels(self, frame: int) -> np.ndarray:
        """RGBA of the output at a snapshot, clipped to [0, 1] (the targets), top row = largest y; the camera
        smooths the grid's pixels (bilinear)."""
        z = np.clip(np.nan_to_num(self.run.outputs[frame], nan=0.0), 0, 1)
        rgb = colormap(self.theme, np.flipud(z))
        return (np.concatenate([rgb, np.ones(rgb.shape[:2] + (1,))], axis=-1) * 255).round().astype(np.uint8)

    def draw_boundary(self, m: VMobject) -> None:
        frame = self.frame_now()
        if frame == getattr(m, "drawn_at", None):
            return
        m.clear_points()
        xs, ys = self.run.grid
        for a, b in level_segments(xs, ys, self.run.outputs[frame], BOUNDARY_LEVEL):
            m.start_new_path(self.place(*a))
            m.add_line_to(self.place(*b))
        m.drawn_at = frame

    def sample_dot(self, at: np.ndarray, filled: bool) -> VGroup:
        """A data point in the constant colour (inputs and targets): filled for a target of one, a ring for zero;
        a halo of the background's colour around it keeps it apart from the colour map in either theme."""
        t = self.theme
        halo = Circle(radius=DOT_RADIUS + HALO / 2, stroke_color=t.background, stroke_width=HALO_WIDTH).move_to(at)
        ring = Circle(radius=DOT_RADIUS, stroke_color=t.constant, stroke_width=3.5).move_to(at)
        return VGroup(halo, ring.set_fill(t.constant if filled else t.background, 1))

    def curve_picture(self, box: Box) -> Group:
        """The samples (x, y) and the network's output along x, redrawn at every snapshot."""
        t, (xs,) = self.theme, self.run.grid
        ys = np.concatenate([self.run.y[:, 0], self.run.outputs.reshape(-1)])
        lo, hi = float(np.nanmin(ys)), float(np.nanmax(ys))
        pad = 0.1 * (hi - lo or 1)
        axes = Axes(x_range=[xs[0], xs[-1], nice_step(xs[-1] - xs[0])], y_range=[lo - pad, hi + pad, nice_step(hi - lo + 2 * pad)],
                    x_length=box.width - 0.4, y_length=min(box.height, box.width) - 0.4, tips=False,
                    axis_config={"color": t.muted, "stroke_width": 2, "include_ticks": False}).move_to([box.x, box.y, 0])
        self.place = lambda x, y: axes.c2p(x, y)
        fit = VMobject(stroke_color=t.forward, stroke_width=4)

        def draw(m: VMobject) -> None:
            frame = self.frame_now()
            if frame != getattr(m, "drawn_at", None):
                m.set_points_as_corners([axes.c2p(x, y) for x, y in zip(xs, np.nan_to_num(self.run.outputs[frame]))])
                m.drawn_at = frame
        draw(fit)
        fit.add_updater(draw)
        points = VGroup(*(self.sample_dot(axes.c2p(x, y), True) for x, y in zip(self.run.x[:, 0], self.run.y[:, 0])))
        return Group(axes, points, fit)

    # --- beats -----------------------------------------------------------------------------------------
    @beat("Now the whole training: [{steps} steps](steps) of SGD with learning rate {lr}, ^on {data_said}. Beside "
          "[the loss curve](curve), {picture_said}")
    def show_the_task(self) -> None:
        self.set_stage()
        self.point_at(steps=self.readout[0], curve=VGroup(self.curve_axes, self.curve))
        self.play(self.show_heading(), FadeIn(self.readout[0]))
        self.paced("steps", FadeIn(self.readout[1], shift=LEFT * 0.2), run_time=0.8)
        chart = ("curve", [FadeIn(self.curve_axes), FadeIn(self.curve)], 0.8)  # as "the loss curve" is said
        marks = self._marked.marks
        if self.run.kind == "none":
            steps = [chart]
        elif self.run.kind == "boundary":
            heatmap, border, boundary, points = self.picture
            filled = VGroup(*(p for p, target in zip(points, self.run.y[:, 0]) if target > BOUNDARY_LEVEL))
            hollow = VGroup(*(p for p, target in zip(points, self.run.y[:, 0]) if target <= BOUNDARY_LEVEL))
            self.paced("on", FadeIn(border), LaggedStart(*(FadeIn(p, scale=1.5) for p in points), lag_ratio=0.2),
                            run_time=1.0)
            name, zero, cells, frame, one = self.legend
            steps = [chart, ("colour", [FadeIn(heatmap), FadeIn(name, zero, frame, one),
                                        LaggedStart(*(FadeIn(c) for c in cells), lag_ratio=0.15)], 1.6),
                     ("line", [FadeIn(boundary), Create(self.legend_tick)], 0.8),
                     ("filled", [Indicate(filled, color=self.theme.highlight)], 1.0),
                     ("hollow", [Indicate(hollow, color=self.theme.highlight)], 1.0)]
        else:
            axes, points, fit = self.picture
            self.paced("on", FadeIn(axes), LaggedStart(*(FadeIn(p, scale=1.5) for p in points), lag_ratio=0.1),
                       *chart[1], run_time=1.0)  # its ^curve mark is the fitted curve's
            steps = [("samples", [Indicate(points, color=self.theme.highlight)], 1.0), ("curve", [FadeIn(fit)], 0.8)]
        for mark, anims, run_time in steps:
            if mark in marks:  # a lecturer's script may word the picture differently
                self.paced(mark, *anims, run_time=run_time)
            else:
                self.play(*anims, run_time=run_time)

    @beat("^Here are the {steps} steps, compressed into a few seconds. The loss falls as {motion_said}.")
    def train_for_real(self) -> None:
        run = self.clock.animate(rate_func=linear).set_value(len(self.run.frame_steps) - 1)
        self.play_steps("Here", [(lambda: [run], RUN_SECONDS)], until=END, least=1.0)

    def mark(self, point) -> Succession:
        """A dot on the loss curve that comes and goes; small at rest: the axis's labels (300, the top value) are beside it."""
        dot = Circle(radius=0.09, stroke_width=0).set_fill(self.theme.loss, 1).move_to(point)
        return Succession(FadeIn(dot, scale=2.5), FadeOut(dot), introducer=True)

    @beat("[After {last_step} steps the loss is {final_loss_said}](final); it ^started at {first_loss_said}. {result_said}")
    def read_the_result(self) -> None:
        self.point_at(final=self.readout[1])
        end = self.curve_axes[0].c2p(self.last_step, float(self.run.losses[self.last_step]))
        self.paced("final", self.mark(end), run_time=1.0)
        # the start marked as the end is (a Flash's rays ran through the axis's top value, left of the start)
        self.paced("started", self.mark(self.curve_axes[0].c2p(0, float(self.run.losses[0]))), run_time=1.0)
        hit = next((m for m in ("Now", "curve") if m in self._marked.marks), None)
        if hit is None:  # in colour, not grown: the readout is at the top of the content, under the title band
            self.play(Indicate(self.readout[1], color=self.theme.loss, scale_factor=1.0), run_time=1.2)
        elif self.run.kind == "boundary":
            self.paced(hit, LaggedStart(*(Indicate(p, color=self.theme.highlight) for p in self.picture[-1]),
                                             lag_ratio=0.3), run_time=1.5)
        else:
            self.paced(hit, Indicate(self.picture[1], color=self.theme.highlight), run_time=1.5)
        self.wait(1.0)
