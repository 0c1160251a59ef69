"""What the three descent scenes share: the function, maps that fit a box, counters, replays and
fixed-budget pacing."""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from manim import DL, DOWN, DR, LEFT, RIGHT, UL, UP, UR, BackgroundRectangle, MathTex, ValueTracker, VGroup, linear
from manim.utils.color import color_to_rgb

from engine import ScalarField, parse_function
from scenes.kit.base import LectureScene
from scenes.feedforward.descent_runs import clip_segment, inside
from scenes.widgets.live_value import LiveValue
from scenes.widgets.surface import Landscape3D, SurfacePlot, mesh_cells
from scenes.kit.theme import Theme

STEP_SECONDS = 0.4  # time per step once the motion is understood...
MAX_RUN_SECONDS = 8.0  # ...but never longer than this for the whole fast part, whatever params.steps is
MIN_RUN_SECONDS = 2.0
RULE_PARTS = {"new": slice(0, 1), "old": slice(2, 3), "eta": slice(4, 5), "gradient": slice(5, 8)}  # of update_rule


def low_shade(theme: Theme) -> str:
    """'darker' or 'lighter': how the theme's colour map shows low values, for narration."""
    luminance = [sum(color_to_rgb(c)) for c in (theme.surface[0], theme.surface[-1])]
    return "darker" if luminance[0] < luminance[1] else "lighter"


def run_time_for(steps: float) -> float:
    """Fixed-budget pacing: a few steps take STEP_SECONDS each, hundreds share MAX_RUN_SECONDS."""
    return float(min(MAX_RUN_SECONDS, max(MIN_RUN_SECONDS, STEP_SECONDS * steps)))


def thin_ticks(plot: SurfacePlot, min_gap: float = 0.12) -> None:
    """Drop every other tick number on an axis whose numbers touch (small maps); the tick marks stay."""
    border, ticks = plot.frame[0], plot.frame[1]
    labels = [m for m in ticks if isinstance(m, MathTex)]
    below = sorted((m for m in labels if m.get_top()[1] <= border.get_bottom()[1] + 1e-6), key=lambda m: m.get_x())
    beside = sorted((m for m in labels if m not in below), key=lambda m: m.get_y())
    for row, axis in ((below, 0), (beside, 1)):
        while len(row) > 2 and min((b.get_corner(DL) - a.get_corner(UR))[axis] for a, b in zip(row, row[1:])) < min_gap:
            ticks.remove(*row[1::2])
            row = row[::2]



SURFACE_CELLS = 24  # the 3-D surface beside the map: a small view, a coarser mesh (more where it bends: `mesh_cells`)
SURFACE_TURN = 0.3  # radians the 3-D view is turned from straight ahead
SURFACE_TILT = 0.9  # radians from straight above
SURFACE_LIFT = 4.0  # the bowl's height at the map's scale: tall, as the view beside the map is narrow


class DescentScene(LectureScene):
    """What the three descent scenes share: the function, maps that fit a box, counters, replays."""

    def function(self) -> ScalarField:
        return parse_function(self.params.descent_function)

    def fitted_plot(self, f: ScalarField, width: float, height: float, labels: bool = False) -> tuple[SurfacePlot, VGroup]:
        """A map of f whose frame, tick numbers (and axis names) fit width x height; returns the plot
        and the group that bounds everything visible, to position both together."""
        p = self.params
        x_span, y_span = p.x_range[1] - p.x_range[0], p.y_range[1] - p.y_range[0]
        h = min(height, width * y_span / x_span)
        for _ in range(3):
            plot = SurfacePlot(f, p.x_range, p.y_range, self.theme, height=h)
            thin_ticks(plot)
            extent = VGroup(plot.frame, plot.axis_labels() if labels else VGroup())
            shrink = min(width / extent.width, height / extent.height)
            if shrink >= 0.999:
                break
            h *= shrink * 0.99
        return plot, extent

    def place(self, plot: SurfacePlot, extent: VGroup, corner: np.ndarray, edge: np.ndarray) -> None:
        """Move the plot so its visible extent touches `corner` with its `edge`."""
        shift = corner - extent.get_critical_point(edge)
        plot.shift(shift)
        extent[1].shift(shift)

    def colored_math(self, parts: Sequence[tuple[str, str | None]], size: float | None = None, text: bool = False) -> MathTex:
        """MathTex (or Tex, with `text`) from (tex, colour) pieces, so colour roles follow the symbols."""
        m = (self.tex if text else self.math)(*(t for t, _ in parts), size=size)
        for piece, (_, color) in zip(m, parts):
            if color:
                piece.set_color(color)
        return m

    def update_rule(self, size: float | None = None) -> MathTex:
        """w(t+1) = w(t) - eta grad f(w(t)), coloured by role; `rule_part` names its pieces."""
        th = self.theme
        return self.colored_math([(r"\mathbf{w}^{(t+1)}", th.learnable), ("=", None), (r"\mathbf{w}^{(t)}", th.learnable),
                                  ("-", None), (r"\eta", th.constant), (r"\nabla f(", th.gradient),
                                  (r"\mathbf{w}^{(t)}", th.learnable), (")", th.gradient)], size=size)

    @staticmethod
    def rule_part(rule: MathTex, name: str) -> VGroup:
        """A piece of `update_rule` by what it is: 'new' w, 'old' w, 'eta', 'gradient' (nabla f at the old w)."""
        return rule[RULE_PARTS[name]]

    def live_number(self, value: Callable[[], float], color: str, size: float | None = None,
                    fixed: int | None = None) -> "LiveValue":
        """A number that updates in place every frame, shown as `counter_tex` writes it (or `fixed` decimals)."""
        return LiveValue(value, color, size or self.theme.label_size, fixed)

    def replay(self, clock: ValueTracker, to: float, *animations, run_time: float | None = None) -> None:
        """Advance every view tied to `clock` to step `to`; linear, because each view eases per step."""
        start = clock.get_value()
        self.play(clock.animate.set_value(to), *animations, run_time=run_time or run_time_for(to - start), rate_func=linear)

    def race_seconds(self, longest: int) -> float:
        """Several runs replayed together: a little slower than one, to follow them all; runs that all
        stop early (divergence) are not stretched to fill the time of the steps they never took."""
        return min(run_time_for(self.params.steps), 1.5 * longest) + 4

    def room(self, plot: SurfacePlot, at: np.ndarray, direction: np.ndarray) -> float:
        """How far one can go from `at` along a unit `direction` before leaving the map's frame: arrows stop there."""
        border = plot.frame[0]
        lo, hi = border.get_corner(DL), border.get_corner(UR)
        limits = [((hi if d > 0 else lo)[i] - at[i]) / d for i, d in enumerate(direction[:2]) if abs(d) > 1e-9]
        return max(0.0, min(limits, default=0.0) - 0.05)

    def step_arrow_ends(self, t: int, relative_norm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """On screen: the point of step t, where the step lands (clipped to the map), and the tip of its gradient
        arrow, drawn longer than the step when there is room, so "scaled by eta" reads as a shrink."""
        traj, view = self.traj, self.view
        a = view.screen(traj.points[t])
        end = clip_segment(traj.points[t], traj.points[t + 1], view.box)
        step_end = view.screen(end[1]) if end else a
        direction = view.screen_direction(traj.points[t], traj.grads[t])
        wanted = max(1.6 * max(0.25, relative_norm), 1.25 * float(np.linalg.norm(step_end - a)))
        return a, step_end, a + direction * min(wanted, self.room(self.plot, a, direction))

    def first_arrow_points(self) -> list[np.ndarray]:
        """Points along the first step's gradient arrow (drawn over the map after the start's label): the label keeps off it."""
        norms = np.linalg.norm(self.traj.grads, axis=1)
        if not (self.traj.steps and inside(self.traj.points[0], self.view.box) and norms[0] > 0):
            return []
        a, _, tip = self.step_arrow_ends(0, norms[0] / (float(norms[: self.slow_steps + 1].max()) or 1.0))
        return [a + (tip - a) * q for q in np.linspace(0.15, 1.0, 7)]

    def backed(self, label: MathTex) -> VGroup:
        """A label on the map on a patch of the background: on the map's light corners a bare label loses its contrast."""
        return VGroup(BackgroundRectangle(label, color=self.theme.background, fill_opacity=0.8, buff=0.06), label)

    def surface_view(self, left: float, right: float, bottom: float, top: float) -> Landscape3D:
        """f as a surface seen from the side, as large as fits the box; flat at first (`lift` 0)."""
        x_range, y_range = tuple(self.plot.axes.x_range[:2]), tuple(self.plot.axes.y_range[:2])
        land = Landscape3D(self.plot, self.f, self.theme, cells=mesh_cells(self.f, x_range, y_range, least=SURFACE_CELLS), turn=SURFACE_TURN, tilt=SURFACE_TILT,
                           lift_height=SURFACE_LIFT, mesh_lines=True, opacity=0.0)
        land.fit_into(left, right, bottom, top)
        land.lift.set_value(0.0)
        land.redraw()
        return land

    def label_near(self, label: VGroup, at: np.ndarray, plot: SurfacePlot, avoid: Sequence = (),
                   prefer: np.ndarray | None = None) -> VGroup:
        """Put a label beside a point inside the map's frame, on the side that covers the fewest things
        in `avoid` (mobjects, by their bounding boxes, or screen points such as the path's steps),
        trying sides closest to the direction `prefer` first."""
        border = plot.frame[0]
        lo, hi = border.get_corner(DL), border.get_corner(UR)
        boxes = [(m.get_corner(DL), m.get_corner(UR)) for m in avoid if not isinstance(m, np.ndarray)]
        points = [m for m in avoid if isinstance(m, np.ndarray)]

        def conflicts() -> float:
            a, b = label.get_corner(DL) - 0.06, label.get_corner(UR) + 0.06
            if np.any(a[:2] < lo[:2]) or np.any(b[:2] > hi[:2]):
                return math.inf
            r = 0.1  # a path point is drawn as a dot: keep labels a dot's radius clear of it
            hits = sum(1 for p in points if a[0] - r <= p[0] <= b[0] + r and a[1] - r <= p[1] <= b[1] + r)
            return hits + 10 * sum(1 for c, d in boxes if a[0] < d[0] and c[0] < b[0] and a[1] < d[1] and c[1] < b[1])

        sides = [UR, UL, DR, DL, UP, DOWN, RIGHT, LEFT]
        if prefer is not None and np.linalg.norm(prefer) > 1e-9:
            sides.sort(key=lambda d: -float(np.dot(d, prefer)) / np.linalg.norm(d))
        best, best_score = None, math.inf
        for buff in (0.12, 0.35):
            for direction in sides:
                label.next_to(at, direction, buff=buff)
                score = conflicts()
                if score < best_score:
                    best, best_score = label.get_center(), score
                if score == 0:
                    return label
        if best is not None:
            return label.move_to(best)
        # Wider than any free side: centre it on the point, then slide it back inside the frame.
        label.move_to(at)
        label.shift(RIGHT * max(0, lo[0] + 0.06 - label.get_left()[0]) + LEFT * max(0, label.get_right()[0] - hi[0] + 0.06)
                    + UP * max(0, lo[1] + 0.06 - label.get_bottom()[1]) + DOWN * max(0, label.get_top()[1] - hi[1] + 0.06))
        return label
