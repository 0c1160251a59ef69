"""Optimizers racing from one start on one map, each path a real torch optimizer's (`engine.descend`)."""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UL, Create, Dot, FadeIn, FadeTransform, Flash, GrowFromCenter, Indicate, LaggedStart,
                   Line, SurroundingRectangle, ValueTracker, VGroup, config, linear)

from engine import OPTIMIZERS, descend
from scenes.kit.base import beat
from scenes.feedforward.descent_base import DescentScene
from scenes.feedforward.descent_runs import judge, said_outcome
from scenes.kit.formatting import counter, counter_tex
from scenes.kit.pacing import play_over, position_of, wait_for
from scenes.feedforward.trajectory_view import TrajectoryView, plot_box
from scenes.kit.wording import said_list

# Race colours: distinct hues that are none of the theme's roles (pink, mint, white/ink, tan, violet, lime).
# They belong in `Theme` (a `race` tuple); until theme.py has one, this file carries them.
RACE_COLORS = {
    "dark": ("#FF6FAE", "#3FE0B0", "#F4F4F4", "#D8A56C", "#9A8CFF", "#C4F25C"),
    "light": ("#C2185B", "#00897B", "#263238", "#8D5A2B", "#4B3FD1", "#6A8E00"),
}

# What each optimizer does, in one line, for the race legend.
OPTIMIZER_NOTES = {
    "sgd": "steps against the gradient",
    "momentum": "velocity keeps {momentum:g} of past steps",
    "nesterov": "momentum, gradient taken one step ahead",
    "adagrad": "step per coordinate shrinks with past gradients",
    "rmsprop": "step per coordinate, scaled by recent |gradient|",
    "adam": "momentum + per-coordinate step size",
}


class OptimizersScene(DescentScene):
    alt_text = ("A contour map of f = {function}; {names} start together from ({start_x:g}, {start_y:g}) with "
                "learning rate {lr:g} for {steps} steps, each a coloured path: {summary}.")

    def construct(self) -> None:
        self.compute()
        self.line_up_optimizers()
        self.race()
        self.compare_finals()

    def compute(self) -> None:
        p = self.params
        self.f = self.function()
        self.names = list(dict.fromkeys(p.optimizers))  # a name given twice races once
        self.trajs = [descend(self.f, p.start, p.lr, p.steps, name) for name in self.names]
        self.colors = RACE_COLORS[self.theme.name]
        self.notes_shown = {n: OPTIMIZER_NOTES.get(n, n).format(**OPTIMIZERS[n][1]) for n in self.names}
        self.judge_runs()

    def judge_runs(self) -> None:
        """The map, and each run judged on it (its lowest value is the yardstick), before the first beat
        says what the race is."""
        th, p = self.theme, self.params
        top, bottom = self.content_area()
        left = -config.frame_width / 2 + th.margin
        self.plot, self.extent = self.fitted_plot(self.f, width=6.4, height=top - bottom, labels=True)
        self.place(self.plot, self.extent, np.array([left, top, 0]), UL)
        floor = float(np.nanmin(self.plot.surface.z))
        self.outcomes = [judge(t, plot_box(self.plot), floor) for t in self.trajs]
        # A winner must have finished and gone downhill; otherwise no row is highlighted.
        finished = [i for i, t in enumerate(self.trajs) if not t.diverged and t.values[-1] < t.values[0]]
        self.best = min(finished, key=lambda i: self.outcomes[i].final_value) if finished else None
        summary = "; ".join(f"{n}: {o.verdict}, f = {counter(o.final_value)}" for n, o in zip(self.names, self.outcomes))
        self.record(function=p.descent_function, start_x=float(p.start[0]), start_y=float(p.start[1]), lr=p.lr,
                    steps=p.steps, names=", ".join(self.names), notes=self.notes_shown,
                    best=self.names[self.best] if self.best is not None else "none, no run went downhill",
                    summary=summary, names_said=said_list(self.names),
                    finals_said=said_list([f"{n} {said_outcome(o)}" for n, o in zip(self.names, self.outcomes)], "; "),
                    finals={n: {"final_value": o.final_value, "verdict": o.verdict, "steps": o.steps,
                                "diverged": t.diverged, "final_point": t.points[-1].tolist(), "values": t.values.tolist()}
                            for n, o, t in zip(self.names, self.outcomes, self.trajs)})

    @beat("A ^race: {names_said} ^start from the same point, ^with the same learning rate {lr:g}, for {steps} steps "
          "each. ^Each has its own colour, and the legend ^says in a line how it turns gradients into steps.")
    def line_up_optimizers(self) -> None:
        th, p, extent = self.theme, self.params, self.extent
        top, bottom = self.content_area()
        self.clock = ValueTracker(0)
        self.views = [TrajectoryView(self.plot, t, self.colors[i % len(self.colors)], self.clock, th, dot_radius=0.08)
                      for i, t in enumerate(self.trajs)]
        left = extent.get_right()[0] + 0.6
        function = self.math(r"f(x, y) = " + self.f.latex, size=th.label_size)
        setup = self.colored_math([(r"\eta = " + f"{p.lr:g}", th.constant), (r",\quad T = " + f"{p.steps}", None)], size=th.label_size)
        self.header = VGroup(function, setup).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        if self.header.width > config.frame_width / 2 - th.margin - left:
            self.header.scale_to_fit_width(config.frame_width / 2 - th.margin - left)
        self.header.move_to([left, top, 0], aligned_edge=UL)
        self.legend = self.build_legend(left=left, top=self.header.get_bottom()[1] - 0.45, bottom=bottom)
        play_over(self, None, "race", FadeIn(self.heading(self.title)), FadeIn(self.plot), FadeIn(extent[1]))
        # Each runner's name and colour join the legend as it is named.
        said = self._marked.marks["race"] if self.speech else 0
        for name, row in zip(self.names, self.legend):
            said = position_of(self, name, said) if self.speech else 0
            wait_for(self, said)
            self.play(FadeIn(row.head, shift=LEFT * 0.2), run_time=0.4)
        play_over(self, "start", "with", *(GrowFromCenter(v.dot) for v in self.views))
        self.add(*self.views)
        play_over(self, "with", "Each", FadeIn(self.header))
        play_over(self, "Each", "says", LaggedStart(*(Indicate(row.head, color=view.color)
                                                      for row, view in zip(self.legend, self.views)), lag_ratio=0.4))
        play_over(self, "says", None, LaggedStart(*(FadeIn(VGroup(row.f_part, row.note), shift=LEFT * 0.2)
                                                    for row in self.legend), lag_ratio=0.3), run_time=2)

    def build_legend(self, left: float, top: float, bottom: float) -> VGroup:
        """One row per optimizer: its colour and name, a live f in a column of its own, and one line on
        what it does (replaced by the verdict after the race). Sized for the widest f any run reaches."""
        th = self.theme
        crowded = len(self.names) > 4  # six optimizers only fit the height with smaller names, closer rows
        rows = VGroup()
        for name, view in zip(self.names, self.views):
            swatch = VGroup(Line(LEFT * 0.25, RIGHT * 0.25, color=view.color, stroke_width=4),
                            Dot(radius=0.07, color=view.color))
            label = self.text(name, size=th.label_size if crowded else th.body_size, color=view.color)
            value = self.live_number(lambda v=view: v.traj.values[v.step_at()], th.loss, size=th.label_size)
            value.suspend_updating()
            f_part = VGroup(self.math("f =", size=th.label_size, color=th.loss), value).arrange(RIGHT, buff=0.12)
            note = self.text(self.notes_shown[name], size=th.small_size, color=th.muted)
            head = VGroup(swatch, label).arrange(RIGHT, buff=0.2)
            note.next_to(label, DOWN, buff=0.1, aligned_edge=LEFT)
            row = VGroup(head, f_part, note)
            row.head, row.label, row.f_part, row.value, row.note = head, label, f_part, value, note  # by name below
            rows.add(row)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.2 if crowded else 0.35)
        f_x = max(r.head.get_right()[0] for r in rows) + 0.45
        for r in rows:
            r.f_part.move_to([f_x, r.label.get_y(), 0], aligned_edge=LEFT)
        everything = np.concatenate([t.values for t in self.trajs])
        widest = max(everything, key=lambda v: len(counter_tex(v)))
        f_width = VGroup(self.math("f =", size=th.label_size), self.live_number(lambda: widest, th.loss)).arrange(RIGHT, buff=0.12).width
        width = config.frame_width / 2 - th.margin - left
        full_width = max(rows.width, f_x - rows.get_left()[0] + f_width)
        room = top - bottom
        self.legend_scale = min(1.0, width / full_width, room / rows.height)
        rows.scale(self.legend_scale, about_edge=UL)
        rows.move_to([left, top, 0], aligned_edge=UL)
        for r in rows:
            r.value.resume_updating()  # the live f
        return rows

    @beat("Off they go, all at once, and they all see the same local gradients; what differs is how each one turns "
          "them into a step. Watch which paths head straight down, and which overshoot.")
    def race(self) -> None:
        longest = max(t.steps for t in self.trajs)
        play_over(self, None, None, self.clock.animate.set_value(longest), run_time=self.race_seconds(longest),
                  rate_func=linear)  # as long as the narrator describes the race

    @beat("After {steps} steps, {finals_said}. ^Lowest of all: {best}.")
    def compare_finals(self) -> None:
        th = self.theme
        verdicts = VGroup(*(self.text(o.verdict, size=th.small_size, color=th.text).move_to(row.note, aligned_edge=LEFT)
                            for row, o in zip(self.legend, self.outcomes)))
        for verdict, row in zip(verdicts, self.legend):
            verdict.scale(self.legend_scale, about_edge=LEFT)  # as small as the notes, if the legend had to shrink
        if self.speech is None:
            self.play(LaggedStart(*(FadeTransform(row.note, v) for row, v in zip(self.legend, verdicts)), lag_ratio=0.25))
        else:  # each verdict as its runner's outcome is said
            said = position_of(self, "After")
            places = [said := position_of(self, name, said) for name in self.names]
            for row, verdict, start, end in zip(self.legend, verdicts, places, [*places[1:], "Lowest" if self.best is not None else None]):
                play_over(self, start, end, FadeTransform(row.note, verdict), Indicate(row.head, color=th.highlight))
        if self.best is None:
            return
        self.wait_until("Lowest")
        winner = SurroundingRectangle(VGroup(self.legend[self.best].head, self.legend[self.best].f_part, verdicts[self.best]), color=th.highlight,
                                      buff=0.12, corner_radius=0.08)
        self.play(Create(winner), Flash(self.views[self.best].dot.get_center(), color=th.highlight, line_length=0.25,
                                        flash_radius=0.3))
