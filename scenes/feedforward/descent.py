"""Gradient descent drawn on a contour map: the update rule, the vanilla algorithm, its steps, and
three learning rates side by side (the optimizers' race is in `scenes/feedforward/optimizers.py`).

Every path comes from `engine.descend` (a real torch optimizer), computed once at the start of a
scene; the picture only replays it (`TrajectoryView`), and each run is judged by its numbers
(`scenes/feedforward/descent_runs.py`).
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, PI, RIGHT, UL, UP, AnimationGroup, Arrow, Axes, Brace, Create, FadeIn, FadeOut, Flash, Group, GrowArrow,
                   GrowFromCenter, Indicate, Integer, LaggedStart, MathTex, ReplacementTransform, Rotate, RoundedRectangle,
                   ShowPassingFlash, Succession, SurroundingRectangle, Transform, ValueTracker, VGroup, VMobject, Write,
                   config, linear)

from engine import descend
from engine.notebook import CAUCHY_YEAR
from scenes.kit.base import beat
from scenes.feedforward.descent_base import DescentScene, low_shade, run_time_for
from scenes.feedforward.descent_runs import clip_segment, diverged_after, inside, judge, said_outcome
from scenes.kit.formatting import counter, formula_text
from scenes.kit.pacing import play_over, position_of, wait_for
from scenes.widgets.surface import SurfacePlot, gradient_arrow
from scenes.feedforward.trajectory_view import SurfaceTrack, TrajectoryView, plot_box
from scenes.kit.wording import said_list

SLOW_STEPS = 3  # steps of the first scene shown one by one with their gradient arrow
MAX_MAPS = 5  # learning rates drawn side by side in one row; more would make maps too small to read
ETA_ARROW = 0.35  # length of the arrow from "learning rate" down to eta in the update rule
LOOP_INDENT = 0.8  # the update rule is the loop's body: indented under "for"


class GradientDescentScene(DescentScene):
    alt_text = ("The update rule w(t+1) = w(t) - eta grad f(w(t)), credited to Cauchy ({cauchy_year}), and the vanilla "
                "algorithm; then {n_steps} steps of {optimizer} with eta = {lr:g} on a contour map of f = {function_text}, "
                "from ({start_x:g}, {start_y:g}) to ({final_x:.2f}, {final_y:.2f}); {result}")

    def construct(self) -> None:
        self.compute()
        self.state_update_rule()
        self.show_algorithm()
        self.show_landscape()
        self.take_steps()
        if self.traj.steps > self.slow_steps:
            self.keep_stepping()
        self.show_result()

    def compute(self) -> None:
        """The one descent this scene replays, and every number it will show."""
        p = self.params
        self.f = self.function()
        self.traj = descend(self.f, p.start, p.lr, p.steps, p.optimizer)
        self.slow_steps = min(SLOW_STEPS, self.traj.steps)
        final = self.traj.points[-1]
        if self.traj.diverged:
            result = f"Descent {diverged_after(self.traj.steps)}: the learning rate {p.lr:g} is too large for this function."
        else:
            result = (f"After {self.traj.steps} steps the point is at ({final[0]:.2f}, {final[1]:.2f}), "
                      f"and f has gone from {counter(self.traj.values[0])} to {counter(self.traj.values[-1])}.")
        self.record(function=p.descent_function, function_text=formula_text(p.descent_function),
                    start_x=float(p.start[0]), start_y=float(p.start[1]), lr=p.lr, steps=p.steps, n_steps=self.traj.steps,
                    optimizer=p.optimizer, diverged=self.traj.diverged,
                    values=self.traj.values.tolist(), points=self.traj.points.tolist(),
                    first_value=float(self.traj.values[0]), final_value=float(self.traj.values[-1]),
                    final_x=float(final[0]), final_y=float(final[1]), cauchy_year=CAUCHY_YEAR, result=result,
                    shading=low_shade(self.theme),
                    step_story=("it is turned around and scaled by eta, and that is the step" if p.optimizer == "sgd" else
                                f"{p.optimizer} turns it into the step, using what it remembers of earlier gradients"),
                    again_said=" Then the same ^again, from the new point." if self.slow_steps > 1 else "")

    @beat("The gradient points uphill, so to go down, we step against it. The ^new w ^is the old w, ^minus eta times "
          "the ^gradient of f at the old w. ^Eta, the learning rate, sets the size of the step. "
          "^Cauchy proposed this iterative method in {cauchy_year}.")
    def state_update_rule(self) -> None:
        th = self.theme
        self.head = self.heading(self.title)
        self.rule = self.update_rule(size=56).move_to(UP * 0.9)
        eta, gradient = self.rule_part(self.rule, "eta"), self.rule_part(self.rule, "gradient")
        # eta is one glyph: a brace over it reads as a glitch, so its label points at it with a short arrow.
        eta_note = self.tex(r"learning rate $\eta > 0$", size=th.label_size, color=th.constant)
        eta_note.next_to(eta, UP, buff=ETA_ARROW + 0.2).align_to(eta, RIGHT)
        eta_arrow = Arrow(eta_note.get_bottom() + RIGHT * (eta.get_x() - eta_note.get_x()), eta.get_top(), buff=0.1,
                          color=th.muted, stroke_width=3, tip_length=0.15, max_tip_length_to_length_ratio=0.4)
        grad_brace = Brace(gradient, DOWN, color=th.muted)
        grad_note = self.tex(r"gradient of $f$ at the current point", size=th.label_size, color=th.gradient)
        grad_note.next_to(grad_brace, DOWN, buff=0.12)
        if grad_note.get_right()[0] > config.frame_width / 2 - th.margin:
            grad_note.align_to(grad_brace, RIGHT)
        self.notes = VGroup(eta_arrow, grad_brace, eta_note, grad_note)
        self.cauchy = VGroup(
            self.text(f"Cauchy, {CAUCHY_YEAR}: follow the negative gradient, step after step,", size=th.label_size),
            self.text("to minimise a differentiable function of many variables.", size=th.label_size),
        ).arrange(DOWN, buff=0.15).set_color(th.muted).to_edge(DOWN, buff=th.margin + 0.3)
        play_over(self, None, "new", FadeIn(self.head))
        # The rule is written a term at a time as it is read: the new w, is the old w, minus eta, the gradient.
        r = self.rule
        parts = (r[0], r[1:3], r[3:5], r[5:])
        for part, start, end in zip(parts, ("new", "is", "minus"), ("is", "minus", "gradient")):
            play_over(self, start, end, Write(part), run_time=0.5)
        play_over(self, "gradient", "Eta", Write(parts[3]), GrowFromCenter(grad_brace), FadeIn(grad_note, shift=UP * 0.1))
        self.remove(*parts).add(r)  # whole again: later beats move it as one
        play_over(self, "Eta", "Cauchy", GrowArrow(eta_arrow), FadeIn(eta_note, shift=UP * 0.1))
        play_over(self, "Cauchy", None, FadeIn(self.cauchy, shift=UP * 0.2))

    @beat("As an algorithm, it is just this rule in a ^loop: ^given a first guess w zero and a step size eta, "
          "^repeat the update T times, and ^return the last w. All we need is [the gradient of the loss](gradient) "
          "with respect to the parameters.")
    def show_algorithm(self) -> None:
        th, L, C = self.theme, self.theme.learnable, self.theme.constant
        size = th.body_size
        inputs = self.colored_math([(r"\textbf{Inputs:} initial guess ", None), (r"$\mathbf{w}^{(0)}$", L),
                                    (r", step size ", None), (r"$\eta > 0$", C), (r", number of steps ", None),
                                    (r"$T$", None)], size=size, text=True)
        loop = self.tex(r"\textbf{for} ", r"$t = 0, 1, 2, \dots, T-1$", r" \textbf{do}", size=size)
        step = self.update_rule(size=size)
        end = self.tex(r"\textbf{end}", size=size)
        result = self.colored_math([(r"\textbf{Return:} ", None), (r"$\mathbf{w}^{(t+1)}$", L)], size=size, text=True)
        body = VGroup(inputs, loop, step, end, result).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        step.shift(RIGHT * LOOP_INDENT)
        caption = self.text("Vanilla algorithm", size=th.label_size, color=th.muted)
        block = VGroup(caption, body).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        panel = RoundedRectangle(corner_radius=0.15, width=block.width + 0.8, height=block.height + 0.6,
                                 fill_color=th.panel, fill_opacity=1, stroke_width=0)
        top, bottom = self.content_area()
        VGroup(panel, block).move_to(UP * (top + bottom) / 2)
        panel.move_to(block)
        # Named for show_landscape: the rule moves on to the side panel, the rest of the listing leaves.
        self.algorithm_step, self.algorithm_rest = step, VGroup(panel, caption, inputs, loop, end, result)
        self.point_at(gradient=self.rule_part(step, "gradient"))
        self.add(panel).bring_to_back(panel)  # under the rule as it fades in (added by FadeIn, it covered the rule)
        play_over(self, None, "loop", FadeOut(self.notes), FadeOut(self.cauchy), FadeIn(panel))
        self.bring_to_front(self.rule)  # a replacement takes the original's place in the drawing order
        play_over(self, "loop", "given", ReplacementTransform(self.rule, step), run_time=1.2)
        # A row of the listing per clause: the inputs, the loop round the update, what it returns.
        # The caption with the first row: before, it came in where the rule still stood (drawn over each other).
        for rows, start, end in (((caption, inputs), "given", "repeat"), ((loop, end), "repeat", "return"), ((result,), "return", "gradient")):
            play_over(self, start, end, *(FadeIn(row, shift=RIGHT * 0.2) for row in rows), run_time=0.7)

    @beat("Let's run it on f of x and y equals {function_text}; on this ^map, {shading} colours are lower. ^Beside it is the "
          "same function as a surface, its ^height the value of f. We ^start at {start_x:g}, {start_y:g}, ^with learning "
          "rate {lr:g}, for {steps} steps, and the ^counters and the loss curve follow every step.")
    def show_landscape(self) -> None:
        th, p = self.theme, self.params
        top, bottom = self.content_area()
        left = -config.frame_width / 2 + th.margin
        self.plot, extent = self.fitted_plot(self.f, width=6.6, height=top - bottom, labels=True)
        self.place(self.plot, extent, np.array([left, top, 0]), UL)
        self.clock = ValueTracker(0)
        self.view = TrajectoryView(self.plot, self.traj, th.learnable, self.clock, th)
        start = self.plot.point(*p.start) if inside(np.array(p.start), self.view.box) else self.view.dot.get_center()
        self.path_points = [self.view.screen(q) for q in self.traj.points if inside(q, self.view.box)]
        # On the map's light corners a bare label loses its contrast: it sits on a patch of the background.
        w0 = self.math(r"\mathbf{w}^{(0)}", size=th.label_size, color=th.learnable)
        self.start_label = self.label_near(self.backed(w0), start, self.plot, avoid=self.path_points + self.first_arrow_points(),
                                           prefer=start - self.view.dot_at_end())
        self.panel = self.side_panel(left=extent.get_right()[0] + 0.5, top=top, bottom=bottom)
        self.track = SurfaceTrack(self.panel["surface"], self.f, self.view, th.learnable, th, ball_radius=0.08)
        rule = self.panel["rule"]
        self.bring_to_front(self.algorithm_step)
        play_over(self, None, "map", FadeOut(self.algorithm_rest), ReplacementTransform(self.algorithm_step, rule),
                  FadeIn(self.panel["function"]), run_time=1.0)
        play_over(self, "map", "Beside", FadeIn(self.plot), FadeIn(extent[1]))
        # The surface rises from the flat map's colours as its height is named.
        surface = self.panel["surface"]
        self.add(surface)
        play_over(self, "Beside", "height", surface.opacity.animate.set_value(1.0), run_time=1.0)
        play_over(self, "height", "start", surface.lift.animate.set_value(1.0), run_time=1.2)
        play_over(self, "start", "with", GrowFromCenter(self.view), FadeIn(self.start_label), FadeIn(self.track))
        play_over(self, "with", "counters", FadeIn(self.panel["inputs"]))
        play_over(self, "counters", None, FadeIn(self.panel["counters"]), Create(self.panel["curve_axes"]),
                  FadeIn(self.panel["curve"]))

    def side_panel(self, left: float, top: float, bottom: float) -> dict[str, VGroup]:
        """The column beside the map: f, the rule, the inputs, live counters and the loss curve."""
        th, p, traj = self.theme, self.params, self.traj
        width = config.frame_width / 2 - th.margin - left
        function = self.math(r"f(x, y) = " + self.f.latex, size=th.label_size)
        rule = self.update_rule(size=th.body_size)
        inputs = self.colored_math([(r"\eta = " + f"{p.lr:g}", th.constant), (r",\quad T = " + f"{p.steps}", None)]
                                   + ([(r",\quad \text{" + p.optimizer + "}", th.muted)] if p.optimizer != "sgd" else []),
                                   size=th.label_size)
        view = self.view
        step = Integer(0, font_size=th.label_size, color=th.text)
        step.add_updater(lambda m: m.get_value() != view.step_at() and m.set_value(view.step_at()))
        t_row = VGroup(self.math("t =", size=th.label_size), step).arrange(RIGHT, buff=0.15)
        wx = self.live_number(lambda: traj.points[view.step_at()][0], th.learnable, fixed=2)
        wy = self.live_number(lambda: traj.points[view.step_at()][1], th.learnable, fixed=2)
        w_head = self.math(r"\mathbf{w}^{(t)} =", size=th.label_size, color=th.learnable)
        open_, comma, close = (self.math(c, size=th.label_size, color=th.learnable) for c in ("(", ",", ")"))
        w_row = VGroup(w_head, open_, wx, comma, wy, close).arrange(RIGHT, buff=0.06)
        w_row[1:].shift(RIGHT * 0.09)

        def follow(m: MathTex) -> None:  # runs after both numbers updated: they change width as they change
            comma.next_to(wx, RIGHT, buff=0.05).align_to(wx, DOWN).shift(DOWN * 0.07)
            wy.next_to(comma, RIGHT, buff=0.14).align_to(wx, DOWN)
            m.next_to(wy, RIGHT, buff=0.06)

        follow(close)
        close.add_updater(follow)
        loss = self.live_number(lambda: traj.values[view.step_at()], th.loss)
        f_row = VGroup(self.math(r"f(\mathbf{w}^{(t)}) =", size=th.label_size, color=th.loss), loss).arrange(RIGHT, buff=0.15)
        counters = VGroup(t_row, w_row, f_row).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        for row in (wx, wy, loss, step):  # the updaters keep each number's left edge where it is now
            row.suspend_updating()
        column = VGroup(function, rule, inputs, counters).arrange(DOWN, aligned_edge=LEFT, buff=0.32)
        if column.width > width:
            column.scale_to_fit_width(width)
        column.move_to([left, top, 0], aligned_edge=UL)
        for row in (wx, wy, loss, step):
            row.resume_updating()
        # The surface in 3-D takes the right of the column, under the rule, beside the inputs, counters and curve.
        right = config.frame_width / 2 - th.margin
        surface_left = max(inputs.get_right()[0], counters.get_right()[0]) + 0.4
        surface = self.surface_view(surface_left, right, bottom, rule.get_bottom()[1] - 0.3)
        gap, below = 0.55, 0.35  # room above the curve (for a highlight box) and for the t-axis numbers
        curve_axes, curve = self.loss_curve(width=min(surface_left - left - 0.75, 4.6),
                                            height=max(1.0, column.get_bottom()[1] - gap - below - bottom))
        curve_axes.shift([left + 0.35 - curve_axes[0].get_left()[0], column.get_bottom()[1] - gap - curve_axes[0].get_top()[1], 0])
        curve.update()
        return {"function": function, "rule": rule, "inputs": inputs, "counters": counters,
                "curve_axes": curve_axes, "curve": curve, "surface": surface}

    def loss_curve(self, width: float, height: float) -> tuple[VGroup, VMobject]:
        """f against t, drawn as the steps happen: the descent path's height, in the loss colour."""
        th, traj, view = self.theme, self.traj, self.view
        lo, hi = float(traj.values.min()), float(traj.values.max())
        hi = hi if hi > lo else lo + 1
        axes = Axes(x_range=[0, max(1, self.params.steps), max(1, self.params.steps)], y_range=[lo, hi, hi - lo],
                    x_length=width, y_length=height, tips=False,
                    axis_config={"color": th.muted, "stroke_width": 2, "include_ticks": False})
        axes.x_axis.move_to(axes.c2p((axes.x_range[0] + axes.x_range[1]) / 2, lo))
        axes.y_axis.move_to(axes.c2p(0, (lo + hi) / 2))
        t_label = self.math("t", size=th.small_size, color=th.muted).next_to(axes.x_axis, RIGHT, buff=0.1)
        end_label = self.math(f"{self.params.steps}", size=th.small_size, color=th.muted).next_to(axes.c2p(self.params.steps, lo), DOWN, buff=0.1)
        zero_label = self.math("0", size=th.small_size, color=th.muted).next_to(axes.c2p(0, lo), DOWN, buff=0.1)
        f_label = self.math(r"f", size=th.small_size, color=th.loss).next_to(axes.y_axis, LEFT, buff=0.1).align_to(axes.y_axis, UP)
        curve = VMobject(stroke_color=th.loss, stroke_width=3)

        def grow(m: VMobject) -> None:
            k = view.step_at()
            if k == getattr(m, "drawn_to", None) and m.has_points():
                return
            o, right, up = axes.c2p(0, lo), axes.c2p(1, lo), axes.c2p(0, lo + 1)
            ts, vs = np.arange(k + 1), traj.values[: k + 1] - lo
            corners = o + np.outer(ts, right - o) + np.outer(vs, up - o)
            m.set_points_as_corners(corners if k > 0 else np.repeat(corners, 2, axis=0))
            m.drawn_to = k

        curve.add_updater(grow)
        return VGroup(axes, t_label, end_label, zero_label, f_label), curve

    @beat("Watch one step: at the ^current point, the ^gradient points uphill. ^Then {step_story}. The point ^moves, "
          "and the counters show the new w and the new f.{again_said}")
    def take_steps(self) -> None:
        norms = np.linalg.norm(self.traj.grads, axis=1)
        longest = float(norms[: self.slow_steps + 1].max()) or 1.0
        # "at the current point": the point is marked on the map and on the surface as it is named.
        if self.speech is not None and inside(self.traj.points[0], self.view.box):
            play_over(self, "current", "gradient", Indicate(self.view.dot, color=self.theme.highlight, scale_factor=1.8),
                      Indicate(self.track.ball, color=self.theme.highlight, scale_factor=1.8), run_time=0.8)
        for t in range(self.slow_steps):
            if inside(self.traj.points[t], self.view.box) and norms[t] > 0:
                self.step_with_arrows(t, norms[t] / longest, first=t == 0)
            else:  # off the map or at a stationary point: nothing to draw but the move
                self.replay(self.clock, t + 1, run_time=1.0)

    def step_with_arrows(self, t: int, relative_norm: float, first: bool) -> None:
        """One step as the rule says it: grad f at w(t), turned around (sgd), shrunk to the step, then the move.
        The first step also names the two arrows."""
        th, traj, view = self.theme, self.traj, self.view
        sgd = self.params.optimizer == "sgd"
        a, step_end, tip = self.step_arrow_ends(t, relative_norm)
        move = gradient_arrow(a, step_end, th.gradient, stroke_width=5)
        arrow = gradient_arrow(a, tip, th.gradient, stroke_width=5)
        labels = VGroup()
        if first:
            near = [self.start_label, *self.path_points[:2], *(arrow.point_from_proportion(q) for q in (0.3, 0.6, 1.0))]
            grad_label = self.label_near(self.backed(self.math(r"\nabla f", size=th.label_size, color=th.gradient)),
                                         arrow.get_end(), self.plot, avoid=near)
            play_over(self, "gradient", "Then", GrowArrow(arrow), FadeIn(grad_label), run_time=0.8)
            labels.add(grad_label)
        else:
            self.play(GrowArrow(arrow), run_time=0.5)
        # Turned around (sgd), then scaled to the step: one motion per clause of "Then ...", paced over it.
        turn = [AnimationGroup(Rotate(arrow, PI, about_point=a), *(FadeOut(m) for m in labels), run_time=0.6)] if sgd else []
        shrink = AnimationGroup(Transform(arrow, move), *([] if sgd else [FadeOut(m) for m in labels]), run_time=0.6)
        if not first:
            for motion in (*turn, shrink):
                self.play(motion)
            self.replay(self.clock, t + 1, FadeOut(arrow), run_time=0.9)
            return
        near = [self.start_label, *self.path_points[:2], *(move.point_from_proportion(q) for q in (0.3, 0.6, 1.0))]
        step_label = self.label_near(self.backed(self.math(r"-\eta \nabla f" if sgd else r"\text{step}", size=th.label_size,
                                                           color=th.gradient)), move.get_end(), self.plot, avoid=near)
        play_over(self, "Then", "moves", Succession(*turn, shrink, FadeIn(step_label, run_time=0.5)))
        play_over(self, "moves", "again" if self.slow_steps > 1 else None, self.clock.animate.set_value(t + 1),
                  FadeOut(arrow), FadeOut(step_label), run_time=0.9, rate_func=linear)

    @beat("From here on, the same rule over and over, faster: {n_steps} steps in all. Keep an eye on the loss "
          "curve beside the map as the counters run.")
    def keep_stepping(self) -> None:
        play_over(self, None, None, self.clock.animate.set_value(self.traj.steps),
                  run_time=run_time_for(self.traj.steps - self.clock.get_value()), rate_func=linear)

    @beat("{result} ^That is gradient descent: nothing but local slopes, one step at a time.")
    def show_result(self) -> None:
        th, traj, view = self.theme, self.traj, self.view
        counters = self.panel["counters"]
        f_box = SurroundingRectangle(counters[2], color=th.highlight, buff=0.12, corner_radius=0.08)
        w_box = SurroundingRectangle(counters[1], color=th.highlight, buff=0.12, corner_radius=0.08)
        end = view.dot.get_center()
        if traj.diverged:
            # on a patch of the background: bare, the loss colour read 4.2:1 on the map's dark bands (--lr 1000)
            note = self.backed(self.text(diverged_after(traj.steps), size=th.label_size, color=th.loss))
        else:
            note = self.math(rf"\mathbf{{w}}^{{({traj.steps})}}", size=th.label_size, color=th.learnable)
        self.label_near(note, end, self.plot, avoid=[self.start_label, *self.path_points[:-1]],
                        prefer=end - self.start_label.get_center())
        loss_said = position_of(self, "and f has gone") if self.speech and not traj.diverged else "That"
        play_over(self, None, loss_said, Flash(end, color=th.highlight, line_length=0.25, flash_radius=0.3), FadeIn(note),
                  Create(w_box))
        # f's fall: the loss is boxed too (a box grown down from w's would sweep across its digits), and the loss
        # curve is traced from its start to its end.
        curve = self.panel["curve"].copy().clear_updaters().set_stroke(th.highlight, width=5)
        play_over(self, loss_said, "That", Create(f_box),
                  *([ShowPassingFlash(curve, time_width=0.6)] if curve.has_points() else []))
        # "Nothing but local slopes, one step at a time": the path is walked again, step by step.
        trace = view.trail.copy().clear_updaters().set_stroke(th.highlight, width=6)
        if trace.has_points():
            play_over(self, "That", None, ShowPassingFlash(trace, time_width=0.35, run_time=1.5))


COUNTER_GAP = 0.22  # between a map's tick numbers and its f counter: room for the ring round its verdict


class LearningRatesScene(DescentScene):
    alt_text = ("{rates_shown} contour maps of f = {function_text} side by side, each with gradient descent from "
                "({start_x:g}, {start_y:g}) for {steps} steps with its own learning rate: {summary}.")

    def construct(self) -> None:
        self.compute()
        self.show_rates()
        self.scale_first_step()
        self.compare_rates()
        self.judge_rates()

    def compute(self) -> None:
        p = self.params
        self.f = self.function()
        self.rates = tuple(p.learning_rates[:MAX_MAPS])
        self.trajs = [descend(self.f, p.start, lr, p.steps, p.optimizer) for lr in self.rates]
        self.plots, self.labels = self.layout_maps()  # the maps judge the runs, which the narration tells
        self.record_outcomes()

    def record_outcomes(self) -> None:
        """Judge each run once its map exists (the map's lowest value is the yardstick)."""
        p = self.params
        self.outcomes = [judge(traj, plot_box(plot), float(np.nanmin(plot.surface.z)))
                         for traj, plot in zip(self.trajs, self.plots)]
        summary = "; ".join(f"eta = {lr:g}: {o.verdict}, f = {counter(o.final_value)}" for lr, o in zip(self.rates, self.outcomes))
        self.record(function=p.descent_function, function_text=formula_text(p.descent_function),
                    start_x=float(p.start[0]), start_y=float(p.start[1]), steps=p.steps,
                    optimizer=p.optimizer, learning_rates=list(self.rates),
                    rates_shown=len(self.rates), rates_given=len(p.learning_rates),
                    rates_note=(f" Only the first {len(self.rates)} of the {len(p.learning_rates)} rates given fit here."
                                if len(p.learning_rates) > len(self.rates) else ""),
                    rates_said=said_list([f"{lr:g}" for lr in self.rates]),
                    verdicts_said=" ".join(f"With eta {lr:g}, the run {said_outcome(o)}."
                                           for lr, o in zip(self.rates, self.outcomes)),
                    outcomes=[{"lr": lr, "verdict": o.verdict, "final_value": o.final_value, "steps": o.steps,
                               "diverged": t.diverged, "left_map_at": o.left_at, "values": t.values.tolist(),
                               "final_point": t.points[-1].tolist()}
                              for lr, o, t in zip(self.rates, self.outcomes, self.trajs)],
                    summary=summary)

    @beat("How big should eta, the learning rate, be? ^Here are {rates_shown} runs of {steps} steps, all from the same ^start. Only the "
          "learning rate ^differs: {rates_said}.{rates_note}")
    def show_rates(self) -> None:
        th = self.theme
        self.clock = ValueTracker(0)
        self.views, self.counters = [], []
        for plot, traj in zip(self.plots, self.trajs):
            view = TrajectoryView(plot, traj, th.learnable, self.clock, th, dot_radius=0.075, trail_width=3)
            value = self.live_number(lambda v=view: v.traj.values[v.step_at()], th.loss, size=th.label_size)
            value.suspend_updating()
            counter = VGroup(self.math("f =", size=th.label_size, color=th.loss), value).arrange(RIGHT, buff=0.12)
            counter.next_to(plot.frame, DOWN, buff=COUNTER_GAP).set_x(plot.frame[0].get_x())
            value.on_change = lambda c=counter, x=plot.frame[0].get_x(): c.set_x(x)  # stays centred as it grows
            value.resume_updating()
            self.views.append(view), self.counters.append(counter)
        play_over(self, None, "Here", FadeIn(self.heading(self.title)))  # the title is the opening question
        play_over(self, "Here", "start", LaggedStart(*(FadeIn(p) for p in self.plots), lag_ratio=0.25), run_time=2)
        play_over(self, "start", "differs", *(GrowFromCenter(v) for v in self.views), *(FadeIn(c) for c in self.counters))
        said = position_of(self, "differs") if self.speech else 0
        for lr, label in zip(self.rates, self.labels):  # each map's eta appears as its rate is said
            said = position_of(self, f"{lr:g}", said) if self.speech else 0
            wait_for(self, said)
            self.play(FadeIn(label, shift=DOWN * 0.15), run_time=0.5)

    def layout_maps(self) -> tuple[list[SurfacePlot], list[MathTex]]:
        """One map per learning rate, side by side in one row (two rows would leave each map tiny),
        each under its eta label, with room below for the f counter and a verdict of up to two lines;
        the block is centred in the content area."""
        th = self.theme
        n = len(self.rates)
        top, bottom = self.content_area()
        gap, below = (0.45 if n <= 3 else 0.3), (1.1 if n <= 3 else 1.5)  # below the map: f and the verdict
        cell_w = (config.frame_width - 2 * th.margin - (n - 1) * gap) / n
        edge = config.frame_width / 2 - th.margin
        self.cell_bounds = [(max(-edge, -edge + c * (cell_w + gap) - gap / 2), min(edge, -edge + c * (cell_w + gap) + cell_w + gap / 2))
                            for c in range(n)]  # where each map's captions may spread
        plots, labels, pieces = [], [], Group()
        for c, lr in enumerate(self.rates):
            label = self.colored_math([(r"\eta", th.constant), ("=" + f"{lr:g}", None)], size=th.body_size)
            plot, extent = self.fitted_plot(self.f, width=cell_w, height=top - bottom - label.height - 0.15 - below)
            x_mid = -config.frame_width / 2 + th.margin + cell_w / 2 + c * (cell_w + gap)
            label.move_to([x_mid, top - label.height / 2, 0])
            self.place(plot, extent, np.array([x_mid, label.get_bottom()[1] - 0.15, 0]), UP)
            label.set_x(plot.frame[0].get_x())
            plots.append(plot), labels.append(label)
            pieces.add(plot, extent[1], label)
        used = top - (min(p.frame.get_bottom()[1] for p in plots) - below)
        for piece in pieces:
            piece.shift(DOWN * max(0.0, (top - bottom - used) / 2))
        return plots, labels

    @beat("At the ^start, every map has the same ^gradient, pointing uphill. ^Turned around and multiplied by eta, "
          "it becomes the first ^step: eta ^alone decides how far it goes.")
    def scale_first_step(self) -> None:
        th = self.theme
        arrows, steps, etas, turns = VGroup(), VGroup(), VGroup(), []
        for view, label in zip(self.views, self.labels):
            traj = view.traj
            here = traj.points[0]
            norm = float(np.linalg.norm(traj.grads[0]))
            if not inside(here, view.box) or norm == 0 or traj.steps == 0:
                continue
            a = view.screen(here)
            direction = view.screen_direction(here, traj.grads[0])
            # It turns half a circle about its start, the way with more room: as long as fits every way it points.
            def swept(sense: int) -> float:
                c, s = np.cos(sense * np.linspace(0, PI, 9)), np.sin(sense * np.linspace(0, PI, 9))
                ways = np.stack([c * direction[0] - s * direction[1], s * direction[0] + c * direction[1], 0 * c], axis=1)
                return min(self.room(view.plot, a, way) for way in ways)
            sense = 1 if swept(1) >= swept(-1) else -1
            length = min(1.0, swept(sense))
            arrows.add(gradient_arrow(a, a + direction * length, th.gradient, stroke_width=4))
            turns.append(sense * PI)
            piece = clip_segment(here, traj.points[1], view.box)
            steps.add(gradient_arrow(a, view.screen(piece[1]) if piece else a, th.gradient, stroke_width=4))
            etas.add(label)
        # "At the start": the runs' common first point, marked on every map.
        play_over(self, "start", "gradient", *(Indicate(v.dot, color=th.highlight, scale_factor=1.8) for v in self.views),
                  run_time=1.0)
        if not len(arrows):
            return
        play_over(self, "gradient", "Turned", *(GrowArrow(a) for a in arrows))
        play_over(self, "Turned", "step", Succession(
            AnimationGroup(*(Rotate(a, turn, about_point=a.get_start()) for a, turn in zip(arrows, turns)), run_time=0.7),
            AnimationGroup(*(Transform(a, s) for a, s in zip(arrows, steps)), run_time=1)))
        # "eta alone decides how far": each eta, then the step it made, in turn.
        play_over(self, "alone", None, LaggedStart(*(Succession(Indicate(e, color=th.highlight), Indicate(s, color=th.highlight))
                                                     for e, s in zip(etas, arrows)), lag_ratio=0.6, run_time=1.5))
        self.steps_shown = arrows

    @beat("Now all {rates_shown} runs at once, step by step. A learning rate that is too small crawls: many steps, "
          "little progress. A good one walks steadily down. One that is too large overshoots the valley at every "
          "step, so the point zigzags, or flies off altogether.")
    def compare_rates(self) -> None:
        longest = max(t.steps for t in self.trajs)
        fade = [FadeOut(self.steps_shown, run_time=0.5)] if getattr(self, "steps_shown", None) else []
        # The replay lasts as long as the narrator describes the runs.
        play_over(self, None, None, self.clock.animate.set_value(longest), *fade,
                  run_time=self.race_seconds(longest), rate_func=linear)

    @beat("{verdicts_said} So: [too small is slow](slow), [too large is unstable](unstable), and "
          "[a good rate lies in between](between).")
    def judge_rates(self) -> None:
        th = self.theme
        captions = VGroup()
        for plot, f_counter, outcome in zip(self.plots, self.counters, self.outcomes):
            lo, hi = self.cell_bounds[len(captions)]
            caption = self.wrapped(outcome.verdict, width=hi - lo, size=th.label_size)
            caption.next_to(f_counter, DOWN, buff=0.12).set_x(plot.frame[0].get_x())
            caption.shift(RIGHT * max(0.0, lo - caption.get_left()[0]) + LEFT * max(0.0, caption.get_right()[0] - hi))
            captions.add(caption)
        # Each run's verdict, its f and the words under it, is marked as its lesson is said (a ring round the map
        # crossed its tick numbers).
        verdicts = [VGroup(f_counter, caption) for f_counter, caption in zip(self.counters, captions)]
        order = np.argsort(self.rates)
        finished = [i for i, o in enumerate(self.outcomes) if not self.trajs[i].diverged] or list(range(len(verdicts)))
        self.point_at(slow=verdicts[order[0]], unstable=verdicts[order[-1]],
                      between=verdicts[min(finished, key=lambda i: self.outcomes[i].final_value)])
        if self.speech is None:
            self.play(LaggedStart(*(FadeIn(c, shift=UP * 0.15) for c in captions), lag_ratio=0.3), run_time=1.5)
            return
        # Each run's verdict as its sentence is said: the caption comes in and its path is traced once more.
        starts = [position_of(self, f"With eta {lr:g},") for lr in self.rates] + [position_of(self, "So:")]
        for view, caption, start, end in zip(self.views, captions, starts, starts[1:]):
            trace = view.trail.copy().clear_updaters().set_stroke(th.highlight, width=6)
            flash = [ShowPassingFlash(trace, time_width=0.5, run_time=1.5)] if trace.has_points() else []
            play_over(self, start, end, AnimationGroup(FadeIn(caption, shift=UP * 0.15, run_time=0.6), *flash))
