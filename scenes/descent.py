"""Gradient descent drawn on a contour map: the update rule, the vanilla algorithm, its steps, three
learning rates side by side, and optimizers racing from one start.

Every path comes from `engine.descend` (a real torch optimizer), computed once at the start of a
scene; the picture only replays it. One `TrajectoryView` draws every path of the three scenes: a dot
driven by a clock (the step index, fractional while moving), its trail, and, when the path leaves
the map, an arrow at the border pointing where it went, so divergence is drawn instead of crashing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from manim import (DL, DOWN, DR, LEFT, PI, RIGHT, UL, UP, UR, Arrow, Axes, Brace, Create, Dot, FadeIn,
                   FadeOut, FadeTransform, Flash, Group, GrowArrow, GrowFromCenter, Integer, LaggedStart, Line, MathTex,
                   ReplacementTransform, Rotate, RoundedRectangle, SurroundingRectangle, Transform, ValueTracker, VGroup,
                   VMobject, Write, config, linear, smooth)
from manim.utils.color import color_to_rgb

from engine import OPTIMIZERS, ScalarField, Trajectory, descend, parse_function
from engine.notebook import CAUCHY_YEAR
from scenes.base import LectureScene, beat
from scenes.numbers import QuickDecimal
from scenes.surface import SurfacePlot, gradient_arrow
from scenes.theme import Theme

SLOW_STEPS = 3  # steps of the first scene shown one by one with their gradient arrow
STEP_SECONDS = 0.4  # time per step once the motion is understood...
MAX_RUN_SECONDS = 8.0  # ...but never longer than this for the whole fast part, whatever params.steps is
MIN_RUN_SECONDS = 2.0
MAX_MAPS = 5  # learning rates drawn side by side in one row; more would make maps too small to read
CONVERGED_FRACTION = 1e-3  # "converged": 99.9% of the way from f(start) down to the map's lowest value
CLOSE_FRACTION = 5e-2  # "close": 95% of the way

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

Box = tuple[tuple[float, float], tuple[float, float]]  # ((x_lo, x_hi), (y_lo, y_hi)) in data units


# --- numbers as shown ----------------------------------------------------------------------------
def decimals_for(value: float) -> int:
    """Decimal places that show about three significant digits (at most six): 12.5, 1.29, 0.000831."""
    if value == 0 or not math.isfinite(value):
        return 2
    return int(min(6, max(0, 2 - math.floor(math.log10(abs(value))))))


def number_tex(value: float) -> str:
    """A value as the live counters show it; very small or very large values in powers of ten."""
    if scientific(value):
        mantissa, exponent = f"{value:.2e}".split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return f"{value:.{decimals_for(value)}f}"


def scientific(value: float) -> bool:
    return value != 0 and (abs(value) < 1e-4 or abs(value) >= 1e5)


def spoken(value: float) -> str:
    """The same digits as on screen, in plain text for narration and alt text."""
    if scientific(value):
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return number_tex(value)


class LiveValue(VGroup):
    """A number that changes in place (a QuickDecimal, digits rebuilt only when the value changes),
    switching to mantissa x 10^k for values `number_tex` writes that way, so the live counter and the
    final caption always show the same digits."""

    def __init__(self, value: Callable[[], float], color: str, size: float, fixed: int | None = None):
        super().__init__()
        self.value, self.fixed = value, fixed
        self.on_change: Callable[[], None] | None = None  # e.g. re-centre a caption that holds this number
        self.mantissa = QuickDecimal(0, group_with_commas=False, font_size=size, color=color)
        self.times = MathTex(r"\times 10", font_size=size, color=color)
        self.exponent = Integer(0, font_size=size * 0.7, color=color)
        self.add(self.mantissa)
        self.shown: float | None = None
        self.refresh(self)
        self.add_updater(self.refresh)

    def refresh(self, _mob: VGroup) -> None:
        v = float(self.value())
        if v == self.shown:
            return
        self.shown = v
        sci = self.fixed is None and scientific(v)
        if sci:
            mantissa, exponent = f"{v:.2e}".split("e")
            self.mantissa.num_decimal_places = 2
            self.mantissa.set_value(float(mantissa))
            self.exponent.set_value(int(exponent))
        else:
            self.mantissa.num_decimal_places = self.fixed if self.fixed is not None else decimals_for(v)
            self.mantissa.set_value(v)
        self.times.next_to(self.mantissa, RIGHT, buff=0.1).align_to(self.mantissa, DOWN)
        self.exponent.next_to(self.times, RIGHT, buff=0.04).align_to(self.times, UP).shift(UP * 0.1)
        if sci:  # the power of ten joins the group only while shown, so it never widens a layout
            self.add(self.times, self.exponent)
        else:
            self.remove(self.times, self.exponent)
        if self.on_change:
            self.on_change()


# --- geometry of a map ---------------------------------------------------------------------------
def plot_box(plot: SurfacePlot) -> Box:
    return (float(plot.axes.x_range[0]), float(plot.axes.x_range[1])), (float(plot.axes.y_range[0]), float(plot.axes.y_range[1]))


def inside(p: np.ndarray, box: Box) -> bool:
    (x0, x1), (y0, y1) = box
    return x0 <= p[0] <= x1 and y0 <= p[1] <= y1


def clamp(p: np.ndarray, box: Box) -> np.ndarray:
    """The nearest point of the map to p: where a point that left the map is pinned."""
    (x0, x1), (y0, y1) = box
    return np.array([min(max(p[0], x0), x1), min(max(p[1], y0), y1)])


def clip_segment(p: np.ndarray, q: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray] | None:
    """The part of segment pq inside the map (Liang-Barsky), or None: trails stop at the border."""
    (x0, x1), (y0, y1) = box
    d = q - p
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-d[0], p[0] - x0), (d[0], x1 - p[0]), (-d[1], p[1] - y0), (d[1], y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return None
            continue
        r = qk / pk
        if pk < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
    return (p + t0 * d, p + t1 * d) if t0 <= t1 else None


def left_map_at(traj: Trajectory, box: Box) -> int | None:
    """The step at which the path left the map for good (it ends off the map), or None if it ends on it.
    0 means it never was on the map."""
    on = [inside(p, box) for p in traj.points]
    if on[-1]:
        return None
    last_on = max((t for t, o in enumerate(on) if o), default=-1)
    return last_on + 1


# --- what happened, in words derived from the numbers --------------------------------------------
@dataclass(frozen=True)
class Outcome:
    verdict: str  # "converged", "close", "oscillating", "still far", "leaves the map at step 3", "diverged after 4 steps", ...
    final_value: float
    steps: int
    left_at: int | None


def diverged_after(steps: int) -> str:
    """The engine stopped because step `steps` + 1 blew up."""
    if steps == 0:
        return "diverged on the first step"
    return f"diverged after {steps} step{'s' if steps != 1 else ''}"


def judge(traj: Trajectory, box: Box, floor: float) -> Outcome:
    """Name a run by its numbers, never by its place in a list, so any learning rate gets an honest label.

    `floor` is the lowest value of f seen on the map: 'converged' means 99.9% of the way down to it,
    or a gradient 1000x smaller than at the start (a local minimum counts); 'close' means 95% of the way.
    """
    left = left_map_at(traj, box)
    final = float(traj.values[-1])
    if traj.diverged:
        verdict = diverged_after(traj.steps)
    elif left == 0:
        verdict = "stays off the map"
    elif left is not None:
        verdict = f"leaves the map at step {left}"
    else:
        floor = min(floor, float(traj.values.min()))
        gap0, gap = float(traj.values[0]) - floor, final - floor
        g0, g = (float(np.linalg.norm(traj.grads[i])) for i in (0, -1))
        if g0 == 0:
            verdict = "no slope at the start"
        elif gap <= CONVERGED_FRACTION * gap0 or g <= CONVERGED_FRACTION * g0:
            verdict = "converged"
        elif gap <= CLOSE_FRACTION * gap0:
            verdict = "close"
        elif np.any(np.diff(traj.values) > 1e-12 * (1 + abs(final))):
            verdict = "oscillating"
        else:
            verdict = "still far"
    return Outcome(verdict, final, traj.steps, left)


def said_outcome(outcome: Outcome) -> str:
    """What a run did, as the end of a spoken sentence ("... still far from the bottom, at f 1.29");
    the final value only when the run ended on the map."""
    phrases = {"converged": "converged", "close": "came close to the bottom", "oscillating": "is still oscillating",
               "still far": "is still far from the bottom", "no slope at the start": "never moved: there is no slope at its start"}
    phrase = phrases.get(outcome.verdict, outcome.verdict)  # "leaves the map at step 3", "diverged after 4 steps"...
    if outcome.verdict in ("converged", "close", "oscillating", "still far"):
        phrase += f", at f {spoken(outcome.final_value)}"
    return phrase


def said_list(items: Sequence[str], comma: str = ", ") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a; b; and c' with comma='; ', for clauses)."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return comma.join(items[:-1]) + (";" if comma == "; " else "") + " and " + items[-1]


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


# --- one drawing of a descent path, shared by all three scenes -----------------------------------
class TrajectoryView(VGroup):
    """A trajectory replayed on a map by a clock: `clock` = t means the dot sits at w(t); between
    integers it eases from one step to the next, so fast replays still read as discrete steps.

    The trail and the visited points stop at the map's border; a point outside the map is drawn as
    an arrow at the border pointing where it went.
    """

    def __init__(self, plot: SurfacePlot, traj: Trajectory, color: str, clock: ValueTracker, theme: Theme,
                 dot_radius: float = 0.09, trail_width: float = 3.5):
        super().__init__()
        self.plot, self.traj, self.clock, self.color = plot, traj, clock, color
        self.box = plot_box(plot)
        self.on_map = [inside(p, self.box) for p in traj.points]
        self.trail = VMobject(stroke_color=color, stroke_width=trail_width)
        self.stops = [Dot(self.screen(p), radius=dot_radius * 0.45, color=color) for p in traj.points]
        self.visits = VGroup()  # holds only the stops reached so far: hidden dots would still cost a draw
        self.dot = Dot(self.screen(clamp(traj.points[0], self.box)), radius=dot_radius, color=color)
        self.dot.set_stroke(theme.background, width=2, background=True)
        self.escape = VMobject()
        self.add(self.trail, self.visits, self.dot, self.escape)
        self.redraw(self)
        self.add_updater(self.redraw)

    def screen(self, p: np.ndarray) -> np.ndarray:
        return self.plot.point(float(p[0]), float(p[1]))

    def to_screen(self) -> Callable[[np.ndarray], np.ndarray]:
        """Data -> frame for many points at once (the axes are linear: three lookups, not one per point)."""
        (x0, x1), (y0, y1) = self.box
        o = self.plot.point(x0, y0)
        ux, uy = (self.plot.point(x1, y0) - o) / (x1 - x0), (self.plot.point(x0, y1) - o) / (y1 - y0)

        def to_screen(q: np.ndarray) -> np.ndarray:
            q = np.atleast_2d(q)
            return o + np.outer(q[:, 0] - x0, ux) + np.outer(q[:, 1] - y0, uy)

        return to_screen

    def screen_direction(self, at: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """The unit direction on screen of a data-space vector (e.g. the gradient) at a point; correct
        even if a map ever scales x and y differently."""
        to_screen = self.to_screen()
        d = to_screen(at + 1e-3 * vector / np.linalg.norm(vector))[0] - to_screen(at)[0]
        return d / np.linalg.norm(d)

    def dot_at_end(self) -> np.ndarray:
        """Where the dot will stop (pinned to the map), in frame coordinates."""
        return self.screen(clamp(self.traj.points[-1], self.box))

    def step_at(self) -> int:
        """The last step reached: counters show this one's numbers until the dot lands on the next."""
        return int(min(self.traj.steps, math.floor(self.clock.get_value() + 1e-6)))

    def position(self) -> np.ndarray:
        """Where the dot is in data units (may be off the map)."""
        s = min(max(self.clock.get_value(), 0.0), float(self.traj.steps))
        k = min(int(math.floor(s)), self.traj.steps)
        if k == self.traj.steps:
            return self.traj.points[k]
        return self.traj.points[k] + smooth(s - k) * (self.traj.points[k + 1] - self.traj.points[k])

    def trail_pieces(self, k: int, here: np.ndarray) -> list[list[np.ndarray]]:
        """The path up to the dot as runs of data points inside the map (cut where it leaves)."""
        path = [*self.traj.points[: k + 1], here]
        runs: list[list[np.ndarray]] = []
        for p, q in zip(path, path[1:]):
            piece = clip_segment(p, q, self.box)
            if piece is None:
                continue
            a, b = piece
            if runs and np.allclose(runs[-1][-1], a):
                runs[-1].append(b)
            else:
                runs.append([a, b])
        return runs

    def redraw(self, _mob: VGroup) -> None:
        k, here = self.step_at(), self.position()
        to_screen = self.to_screen()
        self.trail.clear_points()
        for run in self.trail_pieces(k, here):
            corners = to_screen(np.array(run))
            self.trail.start_new_path(corners[0])
            self.trail.add_points_as_corners(corners[1:])
        self.visits.submobjects = [self.stops[t] for t in range(k + 1) if self.on_map[t]]
        pinned = clamp(here, self.box)
        tip = to_screen(pinned)[0]
        self.dot.move_to(tip)
        if inside(here, self.box):
            self.dot.set_opacity(1)
            if self.escape.has_points() or self.escape.submobjects:
                self.escape.become(VMobject())
        else:
            self.dot.set_opacity(0)
            away = to_screen(here)[0] - tip
            away = away / (np.linalg.norm(away) or 1)
            self.escape.become(Arrow(tip - 0.55 * away, tip, buff=0, color=self.color, stroke_width=5,
                                     max_tip_length_to_length_ratio=0.5, tip_length=0.22))


# --- the three scenes ------------------------------------------------------------------------------
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

    def colored_math(self, parts: Sequence[tuple[str, str | None]], size: float | None = None) -> MathTex:
        """MathTex from (tex, colour) pieces, so colour roles follow the symbols."""
        m = self.math(*(t for t, _ in parts), size=size)
        for piece, (_, color) in zip(m, parts):
            if color:
                piece.set_color(color)
        return m

    def update_rule(self, size: float | None = None) -> MathTex:
        th = self.theme
        return self.colored_math([(r"\mathbf{w}^{(t+1)}", th.learnable), ("=", None), (r"\mathbf{w}^{(t)}", th.learnable),
                                  ("-", None), (r"\eta", th.constant), (r"\nabla f(", th.gradient),
                                  (r"\mathbf{w}^{(t)}", th.learnable), (")", th.gradient)], size=size)

    def live_number(self, value: Callable[[], float], color: str, size: float | None = None,
                    fixed: int | None = None) -> "LiveValue":
        """A number that updates in place every frame, shown as `number_tex` writes it (or `fixed` decimals)."""
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


class GradientDescentScene(DescentScene):
    alt_text = ("The update rule w(t+1) = w(t) - eta grad f(w(t)), credited to Cauchy ({cauchy_year}), and the vanilla "
                "algorithm; then {n_steps} steps of {optimizer} with eta = {lr:g} on a contour map of f = {function}, "
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
                      f"and f has gone from {spoken(self.traj.values[0])} to {spoken(self.traj.values[-1])}.")
        self.record(function=p.descent_function, start_x=float(p.start[0]), start_y=float(p.start[1]), lr=p.lr,
                    steps=p.steps, n_steps=self.traj.steps, optimizer=p.optimizer, diverged=self.traj.diverged,
                    values=self.traj.values.tolist(), points=self.traj.points.tolist(),
                    first_value=float(self.traj.values[0]), final_value=float(self.traj.values[-1]),
                    final_x=float(final[0]), final_y=float(final[1]), cauchy_year=CAUCHY_YEAR, result=result,
                    shading=low_shade(self.theme),
                    step_story=("it is turned around and scaled by eta, and that is the step" if p.optimizer == "sgd" else
                                f"{p.optimizer} turns it into the step, using what it remembers of earlier gradients"),
                    again_said=" Then the same again, from the new point." if self.slow_steps > 1 else "")

    @beat("The gradient points uphill, so to go down, we step against it. The ^new w is the old w, minus eta times "
          "the gradient of f at the old w. ^Eta, the learning rate, sets the size of the step. "
          "^Cauchy proposed this iterative method in {cauchy_year}.")
    def state_update_rule(self) -> None:
        th = self.theme
        self.head = self.heading(self.title)
        self.rule = self.update_rule(size=56).move_to(UP * 0.9)
        eta_brace = Brace(self.rule[4], UP, color=th.muted)
        grad_brace = Brace(self.rule[5:8], DOWN, color=th.muted)
        eta_note = self.tex(r"learning rate $\eta > 0$", size=th.label_size, color=th.constant).next_to(eta_brace, UP, buff=0.12)
        grad_note = self.tex(r"gradient of $f$ at the current point", size=th.label_size, color=th.gradient)
        grad_note.next_to(grad_brace, DOWN, buff=0.12)
        if grad_note.get_right()[0] > config.frame_width / 2 - th.margin:
            grad_note.align_to(grad_brace, RIGHT)
        self.notes = VGroup(eta_brace, grad_brace, eta_note, grad_note)
        self.cauchy = VGroup(
            self.text(f"Cauchy, {CAUCHY_YEAR}: follow the negative gradient, step after step,", size=th.label_size),
            self.text("to minimise a differentiable function of many variables.", size=th.label_size),
        ).arrange(DOWN, buff=0.15).set_color(th.muted).to_edge(DOWN, buff=th.margin + 0.3)
        self.play(FadeIn(self.head))
        self.wait_until("new")
        self.play(Write(self.rule), run_time=2)
        self.wait_until("Eta")
        self.play(GrowFromCenter(eta_brace), GrowFromCenter(grad_brace), FadeIn(eta_note, shift=UP * 0.1),
                  FadeIn(grad_note, shift=UP * 0.1))
        self.wait_until("Cauchy")
        self.play(FadeIn(self.cauchy, shift=UP * 0.2))

    @beat("As an algorithm, it is just this rule in a ^loop: ^given a first guess w zero and a step size eta, "
          "repeat the update T times, and return the last w. All we need is the gradient of the loss with respect "
          "to the parameters.")
    def show_algorithm(self) -> None:
        th, L, C = self.theme, self.theme.learnable, self.theme.constant
        size = th.body_size
        rows = [
            self.tex(r"\textbf{Inputs:} initial guess ", r"$\mathbf{w}^{(0)}$", r", step size ", r"$\eta > 0$",
                     r", number of steps ", r"$T$", size=size),
            self.tex(r"\textbf{for} ", r"$t = 0, 1, 2, \dots, T-1$", r" \textbf{do}", size=size),
            self.update_rule(size=size),
            self.tex(r"\textbf{end}", size=size),
            self.tex(r"\textbf{Return:} ", r"$\mathbf{w}^{(t+1)}$", size=size),
        ]
        rows[0][1].set_color(L), rows[0][3].set_color(C), rows[4][1].set_color(L)
        body = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        rows[2].shift(RIGHT * 0.8)
        caption = self.text("Vanilla algorithm", size=th.label_size, color=th.muted)
        block = VGroup(caption, body).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        panel = RoundedRectangle(corner_radius=0.15, width=block.width + 0.8, height=block.height + 0.6,
                                 fill_color=th.panel, fill_opacity=1, stroke_width=0)
        self.algorithm = VGroup(panel, block)
        top, bottom = self.content_area()
        self.algorithm.move_to(UP * (top + bottom) / 2)
        panel.move_to(block)
        self.play(FadeOut(self.notes), FadeOut(self.cauchy), FadeIn(panel), FadeIn(caption))
        self.bring_to_front(self.rule)  # a replacement takes the original's place in the drawing order
        self.wait_until("loop")
        self.play(ReplacementTransform(self.rule, rows[2]), run_time=1.2)
        self.wait_until("given")
        self.play(LaggedStart(*(FadeIn(rows[i], shift=RIGHT * 0.2) for i in (0, 1, 3, 4)), lag_ratio=0.3), run_time=2)

    @beat("Let's run it on f of x and y equals {function}; on this map, {shading} colours are lower. We ^start at "
          "{start_x:g}, {start_y:g}, with learning rate {lr:g}, for {steps} steps, and the ^counters and the loss "
          "curve follow every step.")
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
        self.start_label = self.label_near(self.math(r"\mathbf{w}^{(0)}", size=th.label_size, color=th.learnable),
                                           start, self.plot, avoid=self.path_points, prefer=start - self.view.dot_at_end())
        self.panel = self.side_panel(left=extent.get_right()[0] + 0.5, top=top, bottom=bottom)
        rule = self.panel["rule"]
        self.bring_to_front(self.algorithm[1][1][2])
        self.play(FadeOut(self.algorithm[0]), FadeOut(VGroup(*(r for i, r in enumerate(self.algorithm[1][1]) if i != 2))),
                  FadeOut(self.algorithm[1][0]), ReplacementTransform(self.algorithm[1][1][2], rule),
                  FadeIn(self.plot), FadeIn(extent[1]), run_time=1.5)
        self.play(FadeIn(self.panel["function"]), FadeIn(self.panel["inputs"]))
        self.wait_until("start")
        self.play(GrowFromCenter(self.view), FadeIn(self.start_label))
        self.wait_until("counters")
        self.play(FadeIn(self.panel["counters"]), Create(self.panel["curve_axes"]), FadeIn(self.panel["curve"]))

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
        gap, below = 0.55, 0.35  # room above the curve (for a highlight box) and for the t-axis numbers
        curve_axes, curve = self.loss_curve(width=min(width - 0.6, 4.6), height=max(1.0, column.get_bottom()[1] - gap - below - bottom))
        curve_axes.shift([left + 0.35 - curve_axes[0].get_left()[0], column.get_bottom()[1] - gap - curve_axes[0].get_top()[1], 0])
        curve.update()
        return {"function": function, "rule": rule, "inputs": inputs, "counters": counters,
                "curve_axes": curve_axes, "curve": curve}

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

    @beat("Watch one step: at the current point, the ^gradient points uphill. ^Then {step_story}. The point ^moves, "
          "and the counters show the new w and the new f.{again_said}")
    def take_steps(self) -> None:
        norms = np.linalg.norm(self.traj.grads, axis=1)
        longest = float(norms[: self.slow_steps + 1].max()) or 1.0
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
        a = view.screen(traj.points[t])
        direction = view.screen_direction(traj.points[t], traj.grads[t])
        end = clip_segment(traj.points[t], traj.points[t + 1], view.box)
        move = gradient_arrow(a, view.screen(end[1]) if end else a, th.gradient, stroke_width=5)
        # Drawn longer than the step when there is room, so "scaled by eta" reads as a shrink.
        wanted = max(1.6 * max(0.25, relative_norm), 1.25 * move.get_length())
        arrow = gradient_arrow(a, a + direction * min(wanted, self.room(self.plot, a, direction)), th.gradient, stroke_width=5)
        labels = VGroup()
        if first:
            near = [self.start_label, *self.path_points[:2], *(arrow.point_from_proportion(q) for q in (0.3, 0.6, 1.0))]
            grad_label = self.label_near(self.math(r"\nabla f", size=th.label_size, color=th.gradient), arrow.get_end(),
                                         self.plot, avoid=near)
            self.wait_until("gradient")
            self.play(GrowArrow(arrow), FadeIn(grad_label), run_time=0.8)
            self.wait(0.5)
            labels.add(grad_label)
        else:
            self.play(GrowArrow(arrow), run_time=0.5)
        if first:
            self.wait_until("Then")
        if sgd:
            self.play(Rotate(arrow, PI, about_point=a), *(FadeOut(m) for m in labels), run_time=0.6)
            labels = VGroup()
        self.play(Transform(arrow, move), *(FadeOut(m) for m in labels), run_time=0.6)
        labels = VGroup()
        if first:
            near = [self.start_label, *self.path_points[:2], *(move.point_from_proportion(q) for q in (0.3, 0.6, 1.0))]
            step_label = self.label_near(self.math(r"-\eta \nabla f" if sgd else r"\text{step}", size=th.label_size,
                                                   color=th.gradient), move.get_end(), self.plot, avoid=near)
            self.play(FadeIn(step_label), run_time=0.5)
            self.wait(0.5)
            labels.add(step_label)
            self.wait_until("moves")
        self.replay(self.clock, t + 1, FadeOut(arrow), *(FadeOut(m) for m in labels), run_time=0.9)

    @beat("From here on, the same rule over and over, faster: {n_steps} steps in all. Keep an eye on the loss "
          "curve beside the map as the counters run.")
    def keep_stepping(self) -> None:
        self.replay(self.clock, self.traj.steps)

    @beat("{result} That is gradient descent: nothing but local slopes, one step at a time.")
    def show_result(self) -> None:
        th, traj, view = self.theme, self.traj, self.view
        counters = self.panel["counters"]
        box = SurroundingRectangle(counters[1:], color=th.highlight, buff=0.12, corner_radius=0.08)
        end = view.dot.get_center()
        if traj.diverged:
            note = self.text(diverged_after(traj.steps), size=th.label_size, color=th.loss)
        else:
            note = self.math(rf"\mathbf{{w}}^{{({traj.steps})}}", size=th.label_size, color=th.learnable)
        self.label_near(note, end, self.plot, avoid=[self.start_label, *self.path_points[:-1]],
                        prefer=end - self.start_label.get_center())
        self.play(Flash(end, color=th.highlight, line_length=0.25, flash_radius=0.3), FadeIn(note), Create(box))


class LearningRatesScene(DescentScene):
    alt_text = ("{rates_shown} contour maps of f = {function} side by side, each with gradient descent from "
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
        summary = "; ".join(f"eta = {lr:g}: {o.verdict}, f = {spoken(o.final_value)}" for lr, o in zip(self.rates, self.outcomes))
        self.record(function=p.descent_function, start_x=float(p.start[0]), start_y=float(p.start[1]), steps=p.steps,
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
          "learning rate differs: {rates_said}.{rates_note}")
    def show_rates(self) -> None:
        th = self.theme
        labels = self.labels
        self.clock = ValueTracker(0)
        self.views, self.counters = [], []
        for plot, traj in zip(self.plots, self.trajs):
            view = TrajectoryView(plot, traj, th.learnable, self.clock, th, dot_radius=0.075, trail_width=3)
            value = self.live_number(lambda v=view: v.traj.values[v.step_at()], th.loss, size=th.label_size)
            value.suspend_updating()
            counter = VGroup(self.math("f =", size=th.label_size, color=th.loss), value).arrange(RIGHT, buff=0.12)
            counter.next_to(plot.frame, DOWN, buff=0.12).set_x(plot.frame[0].get_x())
            value.on_change = lambda c=counter, x=plot.frame[0].get_x(): c.set_x(x)  # stays centred as it grows
            value.resume_updating()
            self.views.append(view), self.counters.append(counter)
        self.play(FadeIn(self.heading(self.title)))
        self.wait_until("Here")
        self.play(LaggedStart(*(FadeIn(Group(p, l)) for p, l in zip(self.plots, labels)), lag_ratio=0.25), run_time=2)
        self.wait_until("start")
        self.play(*(GrowFromCenter(v) for v in self.views), *(FadeIn(c) for c in self.counters))

    def layout_maps(self) -> tuple[list[SurfacePlot], list[MathTex]]:
        """One map per learning rate, side by side in one row (two rows would leave each map tiny),
        each under its eta label, with room below for the f counter and a verdict of up to two lines;
        the block is centred in the content area."""
        th = self.theme
        n = len(self.rates)
        top, bottom = self.content_area()
        gap, below = (0.45 if n <= 3 else 0.3), (1.0 if n <= 3 else 1.4)  # below the map: f and the verdict
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

    @beat("At the start, every map has the same ^gradient, pointing uphill. ^Turned around and multiplied by eta, "
          "it becomes the first step: eta alone decides how far it goes.")
    def scale_first_step(self) -> None:
        th = self.theme
        arrows, steps = VGroup(), VGroup()
        for view in self.views:
            traj = view.traj
            here = traj.points[0]
            norm = float(np.linalg.norm(traj.grads[0]))
            if not inside(here, view.box) or norm == 0 or traj.steps == 0:
                continue
            a = view.screen(here)
            direction = view.screen_direction(here, traj.grads[0])
            arrows.add(gradient_arrow(a, a + direction * min(1.0, self.room(view.plot, a, direction)), th.gradient, stroke_width=4))
            piece = clip_segment(here, traj.points[1], view.box)
            steps.add(gradient_arrow(a, view.screen(piece[1]) if piece else a, th.gradient, stroke_width=4))
        if not len(arrows):
            self.wait(1)
            return
        self.wait_until("gradient")
        self.play(*(GrowArrow(a) for a in arrows))
        self.wait_until("Turned")
        self.play(*(Rotate(a, PI, about_point=a.get_start()) for a in arrows), run_time=0.7)
        self.play(*(Transform(a, s) for a, s in zip(arrows, steps)), run_time=1)
        self.wait(0.5)
        self.steps_shown = arrows

    @beat("Now all {rates_shown} runs at once, step by step. A learning rate that is too small crawls: many steps, "
          "little progress. A good one walks steadily down. One that is too large overshoots the valley at every "
          "step, so the point zigzags, or flies off altogether.")
    def compare_rates(self) -> None:
        longest = max(t.steps for t in self.trajs)
        fade = [FadeOut(self.steps_shown, run_time=0.5)] if getattr(self, "steps_shown", None) else []
        self.replay(self.clock, longest, *fade, run_time=self.race_seconds(longest))

    @beat("{verdicts_said} So: too small is slow, too large is unstable, and a good rate lies in between.")
    def judge_rates(self) -> None:
        th = self.theme
        captions = VGroup()
        for plot, counter, outcome in zip(self.plots, self.counters, self.outcomes):
            lo, hi = self.cell_bounds[len(captions)]
            caption = self.wrapped(outcome.verdict, width=hi - lo, size=th.label_size)
            caption.next_to(counter, DOWN, buff=0.12).set_x(plot.frame[0].get_x())
            caption.shift(RIGHT * max(0.0, lo - caption.get_left()[0]) + LEFT * max(0.0, caption.get_right()[0] - hi))
            captions.add(caption)
        self.play(LaggedStart(*(FadeIn(c, shift=UP * 0.15) for c in captions), lag_ratio=0.3), run_time=1.5)


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
        summary = "; ".join(f"{n}: {o.verdict}, f = {spoken(o.final_value)}" for n, o in zip(self.names, self.outcomes))
        self.record(function=p.descent_function, start_x=float(p.start[0]), start_y=float(p.start[1]), lr=p.lr,
                    steps=p.steps, names=", ".join(self.names), notes=self.notes_shown,
                    best=self.names[self.best] if self.best is not None else "none, no run went downhill",
                    summary=summary, names_said=said_list(self.names),
                    finals_said=said_list([f"{n} {said_outcome(o)}" for n, o in zip(self.names, self.outcomes)], "; "),
                    finals={n: {"final_value": o.final_value, "verdict": o.verdict, "steps": o.steps,
                                "diverged": t.diverged, "final_point": t.points[-1].tolist(), "values": t.values.tolist()}
                            for n, o, t in zip(self.names, self.outcomes, self.trajs)})

    @beat("A race: {names_said} start from the same point, with the same learning rate {lr:g}, for {steps} steps "
          "each. ^Each has its own colour, and the legend says in a line how it turns gradients into steps.")
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
        self.play(FadeIn(self.heading(self.title)), FadeIn(self.plot), FadeIn(extent[1]), FadeIn(self.header))
        self.play(*(GrowFromCenter(v.dot) for v in self.views))
        self.add(*self.views)
        self.wait_until("Each")
        self.play(LaggedStart(*(FadeIn(row, shift=LEFT * 0.2) for row in self.legend), lag_ratio=0.3), run_time=2)

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
            rows.add(VGroup(head, f_part, note))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.2 if crowded else 0.35)
        f_x = max(r[0].get_right()[0] for r in rows) + 0.45
        for r in rows:
            r[1].move_to([f_x, r[0][1].get_y(), 0], aligned_edge=LEFT)
        everything = np.concatenate([t.values for t in self.trajs])
        widest = max(everything, key=lambda v: len(number_tex(v)))
        f_width = VGroup(self.math("f =", size=th.label_size), self.live_number(lambda: widest, th.loss)).arrange(RIGHT, buff=0.12).width
        width = config.frame_width / 2 - th.margin - left
        full_width = max(rows.width, f_x - rows.get_left()[0] + f_width)
        room = top - bottom
        self.legend_scale = min(1.0, width / full_width, room / rows.height)
        rows.scale(self.legend_scale, about_edge=UL)
        rows.move_to([left, top, 0], aligned_edge=UL)
        for r in rows:
            r[1][1].resume_updating()  # the live f
        return rows

    @beat("Off they go, all at once, and they all see the same local gradients; what differs is how each one turns "
          "them into a step. Watch which paths head straight down, and which overshoot.")
    def race(self) -> None:
        longest = max(t.steps for t in self.trajs)
        self.replay(self.clock, longest, run_time=self.race_seconds(longest))

    @beat("After {steps} steps, {finals_said}. ^Lowest of all: {best}.")
    def compare_finals(self) -> None:
        th = self.theme
        verdicts = VGroup(*(self.text(o.verdict, size=th.small_size, color=th.text).move_to(row[2], aligned_edge=LEFT)
                            for row, o in zip(self.legend, self.outcomes)))
        for verdict, row in zip(verdicts, self.legend):
            verdict.scale(self.legend_scale, about_edge=LEFT)  # as small as the notes, if the legend had to shrink
        self.play(LaggedStart(*(FadeTransform(row[2], v) for row, v in zip(self.legend, verdicts)), lag_ratio=0.25))
        if self.best is None:
            return
        self.wait_until("Lowest")
        winner = SurroundingRectangle(VGroup(self.legend[self.best][:2], verdicts[self.best]), color=th.highlight,
                                      buff=0.12, corner_radius=0.08)
        self.play(Create(winner), Flash(self.views[self.best].dot.get_center(), color=th.highlight, line_length=0.25,
                                        flash_radius=0.3))
