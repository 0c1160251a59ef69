"""Gradient vectors on a landscape, and the chain rule that computes them.

`GradientFieldScene` brings the notebook's contour-and-quiver figure to life for any `params.function`:
a probe walks over the surface while the engine's z and gradient update in place beside it.
`ChainRuleScene` derives the notebook's gradient of sin(x^2 + y^2) by the chain rule and checks the
hand-derived numbers against autograd.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Create, DecimalNumber, Dot, FadeIn, FadeOut,
                   FadeTransform, Flash, GrowArrow, Group, Indicate, LaggedStart, MathTex, Mobject,
                   ReplacementTransform, TracedPath, TransformFromCopy, TransformMatchingTex, ValueTracker, VGroup,
                   VMobject, Write, always_redraw, config, linear, smooth)

from engine import Field, ScalarField, evaluate_at, gradient_at, gradient_field, parse_function
from engine.notebook import NOTEBOOK_FUNCTION, fun_dz
from scenes.base import LectureScene, beat
from scenes.numbers import QuickDecimal
from scenes.surface import SurfacePlot, gradient_arrow

Range = tuple[float, float]

# --- arrow lengths -----------------------------------------------------------------------------
READOUT_ROW = 0.58  # height of one readout row
SHORT_ARROW = 0.15  # an arrow under this fraction of the longest is a speck at 480p
MAX_SHORT_SHARE = 1 / 3  # more specks than this and the picture says nothing: compress the lengths
EXPONENTS = (1.0, 0.5, 0.25)  # proportional first (as the notebook's quiver), then gentler roots

# --- the probe's walk, in units of the plot's half-width / half-height from its centre -----------
PROBE_ANGLE = np.pi / 6  # direction of the walk out from the centre, between the grid's rows and diagonals
PROBE_RADII = (0.1, 0.6)  # start near the centre, walk out to the ring
PROBE_SAMPLES_PER_UNIT = 240  # engine evaluations per half-width of path
PROBE_SPEED = 0.3  # half-widths per second, walking out
RING_SPEED = 0.55  # half-widths per second round the ring, a loop the lecturer talks over
PROBE_ARROW = 1.2  # screen length of the probe's longest arrow
GRID_ARROW = 0.5  # screen length of the grid's longest arrow, at most
FLAT_SHARE = 0.1  # |grad| under this fraction of the steepest on the way out counts as flat
PROBE_STEEPEST = 2.0  # the probe stays where |grad| is at most this times the grid's largest
STOP_LEADS = ("Here", "Further out")  # how the narration opens the first and the second stop's sentence


@dataclass(frozen=True)
class ArrowScale:
    """Arrow length grows as |grad|**exponent. Exponent 1 (proportional, as in the notebook's quiver) unless
    so many arrows would be specks that a root is needed to see them; the legend always says which."""

    exponent: float

    @classmethod
    def for_magnitudes(cls, magnitude: np.ndarray) -> "ArrowScale":
        finite = magnitude[np.isfinite(magnitude)]
        if finite.size == 0 or finite.max() <= 0:
            return cls(1.0)
        for exponent in EXPONENTS:
            lengths = finite**exponent
            if np.mean(lengths < SHORT_ARROW * lengths.max()) <= MAX_SHORT_SHARE:
                return cls(exponent)
        return cls(EXPONENTS[-1])

    @property
    def proportional(self) -> bool:
        return self.exponent == 1.0

    def length(self, magnitude: np.ndarray | float) -> np.ndarray:
        return np.power(np.abs(magnitude), self.exponent)

    def rescale(self, field: Field) -> Field:
        """The field with each vector's length replaced by `length(|grad|)`, direction kept."""
        m = field.magnitude
        with np.errstate(all="ignore"):
            factor = np.where(m > 0, self.length(m) / np.where(m > 0, m, 1.0), 0.0)
        return replace(field, u=field.u * factor, v=field.v * factor)

    @property
    def latex(self) -> str:
        power = {1.0: r"|\nabla h|", 0.5: r"\sqrt{|\nabla h|}"}.get(self.exponent, rf"|\nabla h|^{{{self.exponent:g}}}")
        return r"\text{arrow length} \propto " + power


@dataclass(frozen=True)
class ProbePath:
    """The probe's walk, sampled densely, with the engine's z and gradient at every sample.
    Samples up to `ring_start` go out from the centre, the rest go along the ring; a `closed` ring
    (defined all the way round) ends on the sample `ring_start`, so walking it can loop."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    u: np.ndarray
    v: np.ndarray
    ring_start: int
    closed: bool

    @property
    def magnitude(self) -> np.ndarray:
        return np.hypot(self.u, self.v)

    def __len__(self) -> int:
        return len(self.x)

    def values(self, i: int) -> dict[str, float]:
        return {"x": float(self.x[i]), "y": float(self.y[i]), "z": float(self.z[i]), "dx": float(self.u[i]),
                "dy": float(self.v[i]), "norm": float(self.magnitude[i])}


def walk_probe(f: ScalarField, x_range: Range, y_range: Range, steepest: float = np.inf) -> ProbePath | None:
    """Out from near the centre, then once round a ring: the longest stretch where h is defined and no
    steeper than `steepest` (None if there is none), so neither a masked region nor the blow-up beside one
    (as log x near 0) reaches the readout or dwarfs every other arrow of the walk."""
    centre = np.array([sum(x_range), sum(y_range)]) / 2
    half = np.array([x_range[1] - x_range[0], y_range[1] - y_range[0]]) / 2
    (r0, r1), a0 = PROBE_RADII, PROBE_ANGLE
    out = np.linspace(r0, r1, max(2, int((r1 - r0) * PROBE_SAMPLES_PER_UNIT)))
    turn = np.linspace(a0, a0 + 2 * np.pi, max(2, int(r1 * 2 * np.pi * PROBE_SAMPLES_PER_UNIT)))[1:]
    radius = np.concatenate([out, np.full(len(turn), r1)])
    angle = np.concatenate([np.full(len(out), a0), turn])
    angle[-1] = a0  # the ring ends exactly where it began, so the loop has no seam
    xs = centre[0] + half[0] * radius * np.cos(angle)
    ys = centre[1] + half[1] * radius * np.sin(angle)
    field = evaluate_at(f, xs, ys)
    with np.errstate(invalid="ignore"):
        start, stop = longest_run(~field.mask & (field.magnitude <= steepest))
    if stop - start < 2:
        return None
    keep = slice(start, stop)
    ring_start = int(np.clip(len(out) - 1 - start, 0, stop - start - 1))
    closed = start <= len(out) - 1 and stop == len(xs)
    return ProbePath(xs[keep], ys[keep], field.z[keep], field.u[keep], field.v[keep], ring_start, closed)


def spoken(value: float) -> str:
    """A number as a narrator would read it: 1744, 7.06, 0.03."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def longest_run(ok: np.ndarray) -> tuple[int, int]:
    """[start, stop) of the longest stretch of True values."""
    best, start = (0, 0), None
    for i, flag in enumerate([*ok, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            best = max(best, (start, i), key=lambda run: run[1] - run[0])
            start = None
    return best


def probe_stops(path: ProbePath) -> list[tuple[int, str]]:
    """Where the probe pauses on its way out: the steepest point and the flattest (if the arrow there
    really nearly vanishes), chosen from the engine's |grad|, in the order it meets them."""
    m = path.magnitude
    way_out = m[: path.ring_start + 1] if path.ring_start >= 2 else m
    stops = {int(np.argmax(way_out)): "steep"}
    flat = int(np.argmin(way_out))
    if way_out[flat] <= FLAT_SHARE * way_out.max():
        stops[flat] = "flat"  # a flat function: flat wins over "steep"
    return sorted(stops.items())


def arrow_grid(x_range: Range, y_range: Range, step: float) -> tuple[Range, Range]:
    """The notebook's quiver grid: the plot ranges inset by one step, or by half a step where a full one would
    leave fewer than two points, so no arrow sits on the plot's edge."""
    return tuple((lo + step, hi - step) if hi - lo >= 3 * step else (lo + step / 2, hi - step / 2)
                 for lo, hi in (x_range, y_range))


class GradientFieldScene(LectureScene):
    """The notebook's figure of z = h(x, y) with its gradient field, then a probe reading the gradient."""

    alt_text = ("A colour-mapped contour plot of z = {function_text} with a colour bar from {z_min:.2f} to "
                "{z_max:.2f} and a {grid_cols} by {grid_rows} grid of gradient arrows pointing uphill. A probe "
                "walks out from the centre and along a ring while its z and gradient are read out beside the plot. "
                "{probe_story}")

    def construct(self) -> None:
        self.compute()
        self.show_surface()
        self.add_gradient_arrows()
        self.move_probe()
        self.circle_the_ring()
        self.state_the_lesson()

    # --- numbers ---------------------------------------------------------------------------------
    def compute(self) -> None:
        """Every number the clip shows, from the engine, once."""
        p = self.params
        self.h = parse_function(p.function)
        self.field = gradient_field(self.h, *arrow_grid(p.x_range, p.y_range, p.arrow_step), p.arrow_step)
        self.scale = ArrowScale.for_magnitudes(self.field.magnitude)
        finite = self.field.magnitude[np.isfinite(self.field.magnitude)]
        steepest = PROBE_STEEPEST * finite.max() if finite.size else np.inf
        self.path = walk_probe(self.h, p.x_range, p.y_range, steepest)
        self.stops = probe_stops(self.path) if self.path is not None else []
        rows, cols = self.field.x.shape
        self.record(function=p.function, function_text=p.function, function_latex=self.h.latex,
                    x_range=list(p.x_range), y_range=list(p.y_range), grid_rows=rows, grid_cols=cols,
                    arrow_step=p.arrow_step, arrows_drawn=int(finite.size),
                    grad_min=float(finite.min()) if finite.size else 0.0,
                    grad_max=float(finite.max()) if finite.size else 0.0,
                    arrow_exponent=self.scale.exponent)
        self.record(scale_sentence=self.scale_sentence())
        self.lay_out()  # the first beat already says the colour bar's range
        self.tell_the_walk()

    def scale_sentence(self) -> str:
        if self.scale.proportional:
            return "Its length is proportional to the gradient's size: a long arrow means steep ground."
        root = {0.5: "square root", 0.25: "fourth root"}.get(self.scale.exponent, f"power {self.scale.exponent:g}")
        return (f"The gradient sizes here range from {spoken(self.values['grad_min'])} to {spoken(self.values['grad_max'])}, "
                f"so to keep the small ones visible, an arrow's length grows as the {root} of the size, not in proportion.")

    def tell_the_walk(self) -> None:
        """What the probe's walk will show, in words, before it walks: a beat's narration is filled in as the
        beat starts. `probe_story` (alt text) reads the stops out; `probe_said` is the narration, its marked
        words (^steepest, ^flat, ^ring) being where `move_probe` waits."""
        if self.path is None:
            story = "Here h is undefined all along the probe's path, so there is nothing to read."
            self.record(probe_story=story, probe_said=story,
                        ring_story="h is undefined round the ring, so the probe rests here.")
            return
        self.record(probe_start=self.path.values(0))
        self.record(probe_story=" ".join(self.remember_stop(i, kind) for i, kind in self.stops))
        said = [self.say_stop(i, kind, lead) for (i, kind), lead in zip(self.stops, STOP_LEADS)]
        # Where the walk out ends (move_probe walks to each stop, then on to the ring's first sample).
        ring_from = max(self.path.ring_start, *(i for i, _ in self.stops))
        if ring_from < len(self.path) - 1:
            said.append("Next, it turns onto a ^ring.")
            ring_story = (("All the way round" if self.path.closed else "Along the ring, as far as h is defined") +
                          ", the arrow turns to keep pointing uphill, straight across the contour lines. Wherever the "
                          "probe stands, its gradient shows the steepest way up from there.")
        else:
            ring_story = "h is undefined round the ring, so the probe rests here."
        self.record(probe_said=" ".join(said), ring_story=ring_story)

    def say_stop(self, i: int, kind: str, lead: str) -> str:
        """A stop of the walk as the narrator says it: `move_probe` walks on at its first word and shows the
        stop's note at its kind word, both marked."""
        v = self.path.values(i)
        if kind == "flat":
            return (f"^{lead}, where z is {v['z']:.2f}, the surface is ^flat: the length drops to {v['norm']:.2f}, "
                    "and the arrow nearly vanishes.")
        return f"^{lead}, the climb is at its ^steepest: the length reads {v['norm']:.2f}, the longest arrow on the way out."

    # --- beats -----------------------------------------------------------------------------------
    @beat("We start with a landscape: a function of two variables, h of x and y, coloured by its height z. "
          "Its ^formula is {function_text}; the bar beside it reads heights from {z_min:.2f} to {z_max:.2f}."
          "{undefined_said}")
    def show_surface(self) -> None:
        self.play(FadeIn(self.heading(self.title)), FadeIn(self.plot.heatmap), Create(self.plot.frame),
                  FadeIn(self.plot_labels), run_time=1.5)
        self.wait_until("formula")
        self.play(FadeIn(self.bar, shift=LEFT * 0.2), Write(self.formula), run_time=1.5)
        if self.undefined_note is not None:
            self.play(FadeIn(self.undefined_note))

    @beat("On a grid of {grid_cols} by {grid_rows} points, each arrow is the gradient: the two partial derivatives "
          "of z. It points where h increases the most, the direction of steepest ascent. {scale_sentence}")
    def add_gradient_arrows(self) -> None:
        centre = self.plot.point(*(sum(r) / 2 for r in (self.params.x_range, self.params.y_range)))
        ripple = sorted(self.arrows, key=lambda a: np.linalg.norm(a.get_start() - centre))
        growing = [LaggedStart(*(GrowArrow(a) for a in ripple), lag_ratio=0.02, run_time=2.5)] if ripple else []
        self.play(*growing, FadeIn(self.legend, shift=UP * 0.1))

    @beat("Now a ^probe walks out from near the centre. Its arrow, drawn larger than the grid's, always points "
          "uphill. {probe_said}")
    def move_probe(self) -> None:
        self.note, self.probe = None, VGroup()
        if self.path is None:
            self.readout_rows = self.formula
            self.show_note("h is undefined along the probe's path")
            return
        self.probe_index = index = ValueTracker(0)
        at = lambda: int(round(index.get_value()))  # noqa: E731 - the sample on screen, never interpolated
        # The redraws read only arrays: manim hashes every closure it animates, and `self` is the whole scene.
        starts, ends = self.probe_arrows()
        dot_color, arrow_color = self.theme.highlight, self.theme.gradient
        dot = always_redraw(lambda: Dot(starts[at()], radius=0.08, color=dot_color))
        arrow = always_redraw(lambda: gradient_arrow(starts[at()], ends[at()], arrow_color, stroke_width=6))
        self.readout_rows = self.readout(at)
        first_dot, first_arrow = dot.copy().clear_updaters(), arrow.copy().clear_updaters()
        self.wait_until("probe")
        self.play(self.arrows.animate.set_opacity(0.3), FadeIn(first_dot, scale=2), GrowArrow(first_arrow),
                  FadeIn(self.readout_rows), run_time=1.2)
        self.remove(first_dot, first_arrow)
        trail = TracedPath(dot.get_center, stroke_color=dot_color, stroke_width=2, stroke_opacity=0.6)
        self.add(trail, arrow, dot)
        for (stop, kind), lead in zip(self.stops, STOP_LEADS):
            self.wait_until(lead.split()[0])
            self.walk(index, stop)
            self.wait_until({"steep": "steepest", "flat": "flat"}[kind])
            self.show_note(self.stop_note(kind))
            self.play(Flash(dot.get_center(), color=self.theme.highlight, line_length=0.15, flash_radius=0.22))
            self.wait(1.2)
        self.walk(index, max(self.path.ring_start, at()))
        trail.clear_updaters()  # the ring is drawn whole instead, so every lap looks the same
        self.probe = VGroup(trail, dot, arrow, self.readout_rows)
        self.record(probe_end=self.path.values(at()))
        if at() < len(self.path) - 1:
            ring = self.ring_curve(at())
            self.probe.add(ring)
            self.add(ring).bring_to_front(arrow, dot)
            self.wait_until("ring")
            self.play(Create(ring), run_time=1.0)
            self.show_note("around the ring: always uphill")
            self.probe.add(self.note)  # stays for every lap; leaves with the probe
            self.note = None

    @beat("{ring_story}", loop=lambda scene: scene.ring_loops)
    def circle_the_ring(self) -> None:
        last = len(self.path) - 1 if self.path is not None else 0
        if self.path is None or self.probe_index.get_value() >= last:
            return
        self.record(probe_end=self.path.values(last))
        self.walk(self.probe_index, last, speed=RING_SPEED, rate_func=linear)
        if self.path.closed:  # the last sample is the first sample of the ring: start the next lap there
            self.probe_index.set_value(self.path.ring_start)

    @beat("So what does a gradient really know? Only its ^local values, not the whole landscape: it cannot see where the "
          "lowest valley is. And its ^length is the steepness, so near a plateau, a minimum or a maximum, the "
          "arrows shrink.")
    def state_the_lesson(self) -> None:
        lesson = VGroup(
            self.wrapped("Gradient vectors only see their local values, not the whole landscape.", self.column_width,
                         align="left"),
            self.wrapped("Their length is the steepness.", self.column_width, color=self.theme.gradient, align="left"),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        lesson.next_to(self.formula, DOWN, buff=0.7, aligned_edge=LEFT)
        leaving = [m.clear_updaters() for m in (*self.probe, *([self.note] if self.note else []))]
        self.play(*(FadeOut(m) for m in leaving), self.arrows.animate.set_opacity(1))
        self.wait_until("local")
        self.play(FadeIn(lesson[0], shift=UP * 0.2))
        self.wait_until("length")
        self.play(FadeIn(lesson[1], shift=UP * 0.2))

    # --- layout ----------------------------------------------------------------------------------
    def lay_out(self) -> None:
        """Plot and colour bar on the left, a column for formula, readout and notes on the right."""
        p, t = self.params, self.theme
        top, bottom = self.content_area()
        x_span, y_span = p.x_range[1] - p.x_range[0], p.y_range[1] - p.y_range[0]
        height = min(top - bottom - 0.8, 5.8 * y_span / x_span)
        self.plot = SurfacePlot(self.h, p.x_range, p.y_range, t, height=height)
        self.plot_labels = self.plot.axis_labels()
        self.bar = self.plot.colorbar("z = h(x, y)").next_to(self.plot.frame[0], RIGHT, buff=0.2)
        left = Group(self.plot, self.plot_labels, self.bar)
        left.to_edge(LEFT, buff=t.margin).align_to(np.array([0, top, 0]), UP)
        levels = self.plot.levels
        self.record(z_min=float(levels[0]), z_max=float(levels[-1]), contour_levels=len(levels) - 1)

        self.column_left = left.get_right()[0] + 0.6
        self.column_width = config.frame_width / 2 - t.margin - self.column_left
        self.formula = self.fit(self.math(rf"z = h(x, y) = {self.h.latex}"), self.math("z = h(x, y)"),
                                self.math(rf"= {self.h.latex}"))
        self.formula.move_to(np.array([self.column_left, top, 0]), UP + LEFT)

        self.arrows = self.plot.arrows(self.scale.rescale(self.field), t.gradient, max_length=self.arrow_room())
        self.legend = self.math(self.scale.latex, size=t.label_size, color=t.muted)
        self.legend.move_to(np.array([self.column_left, bottom, 0]), DOWN + LEFT)
        self.undefined_note = self.undefined_region_note()
        if self.undefined_note is not None:
            self.undefined_note.next_to(self.legend, UP, buff=0.2, aligned_edge=LEFT)

    def arrow_room(self) -> float:
        """The longest grid arrow: 0.9 of the grid spacing on screen (as `SurfacePlot.arrows` draws it), but no
        longer than GRID_ARROW, so a coarse grid does not throw arrows across the plot."""
        xs = self.field.x[0]
        spacing = abs(self.plot.point(xs[1], 0)[0] - self.plot.point(xs[0], 0)[0]) if len(xs) > 1 else np.inf
        return min(0.9 * spacing, GRID_ARROW)

    def undefined_region_note(self) -> Mobject | None:
        """A small note when h is undefined somewhere on the plot (those points are left blank)."""
        share = float(self.plot.surface.mask.mean())
        self.record(undefined_percent=100 * share, undefined_arrows=int(self.field.mask.sum()), undefined_said="")
        if share == 0 and not self.field.warning:
            return None
        self.record(undefined_said=" Where the map is left blank, h is undefined." if share > 0 else
                    " At a few grid points h is undefined, so they get no arrow.")
        return self.wrapped(f"h is undefined on {100 * share:.0f}% of the plot and at "
                            f"{int(self.field.mask.sum())} arrow points: left blank", self.column_width,
                            size=self.theme.small_size, color=self.theme.muted, align="left")

    def fit(self, line: Mobject, *lines: Mobject) -> Mobject:
        """`line` if it fits the column, else `lines` stacked, shrunk to fit if they still don't."""
        if line.width <= self.column_width:
            return line
        stacked = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        if stacked.width > self.column_width:
            stacked.scale_to_fit_width(self.column_width)
        return stacked

    # --- the probe -------------------------------------------------------------------------------
    def probe_arrows(self) -> tuple[np.ndarray, np.ndarray]:
        """Screen start and end of the probe's arrow at every sample. One scale for the whole walk, so its
        arrows compare honestly with each other (they are drawn larger than the grid's): the longest
        PROBE_ARROW long, unless that would poke out of the plot somewhere on the path."""
        path = self.path
        starts = np.array([self.plot.point(x, y) for x, y in zip(path.x, path.y)])
        lengths = self.scale.length(path.magnitude)
        with np.errstate(divide="ignore", invalid="ignore"):
            units = np.stack([path.u, path.v, np.zeros(len(path))], axis=1) / path.magnitude[:, None]
            units = np.nan_to_num(units)
            box = self.plot.frame[0]
            lo, hi = box.get_corner(DOWN + LEFT), box.get_corner(UP + RIGHT)
            room = np.where(units > 0, (hi - starts) / units, np.where(units < 0, (lo - starts) / units, np.inf))
            fits = 0.95 * room[:, :2].min(axis=1) / lengths
        longest = float(lengths.max())
        scale = min(PROBE_ARROW / longest, float(fits[lengths > 0].min())) if longest > 0 else 0.0
        return starts, starts + units * (lengths * scale)[:, None]

    def walk(self, index: ValueTracker, to: int, speed: float = PROBE_SPEED, rate_func: Callable = smooth) -> None:
        """Move the probe along its samples at a steady speed, easing into the stop; the old note leaves."""
        leaving = [FadeOut(self.note)] if self.note is not None else []
        self.note = None
        distance = abs(to - index.get_value()) / PROBE_SAMPLES_PER_UNIT
        if distance > 0:
            self.play(index.animate.set_value(to), *leaving, run_time=max(0.6, distance / speed), rate_func=rate_func)
        elif leaving:
            self.play(*leaving, run_time=0.4)

    @property
    def ring_loops(self) -> bool:
        """The lap can loop if the ring is defined all round and the probe starts it at its first sample
        (a stop on the ring, when the walk out was too short for stops, would leave a seam)."""
        return bool(self.path is not None and self.path.closed and self.probe_index.get_value() == self.path.ring_start)

    def ring_curve(self, first: int) -> VMobject:
        """The ring the probe will walk, from sample `first` on, drawn thin under the probe."""
        points = [self.plot.point(x, y) for x, y in zip(self.path.x[first:], self.path.y[first:])]
        return VMobject().set_points_as_corners(points).set_stroke(self.theme.highlight, width=2, opacity=0.6)

    def readout(self, at: Callable[[], int]) -> VGroup:
        """x, y, z, the gradient vector and its length, each a DecimalNumber updating in place."""
        t, size, path = self.theme, self.theme.body_size, self.path

        def number(values: np.ndarray, color: str, edge: np.ndarray = LEFT) -> DecimalNumber:
            d = QuickDecimal(values[0], num_decimal_places=2, font_size=size, color=color, edge_to_fix=edge)
            return d.add_updater(lambda m: m.number != values[at()] and m.set_value(values[at()]))

        rows = VGroup()
        for name, values, color in (("x", path.x, t.constant), ("y", path.y, t.constant), ("z", path.z, t.forward)):
            rows.add(VGroup(self.math(f"{name} =", size=size, color=color), number(values, color)))
        components = VGroup(number(path.u, t.gradient, RIGHT), number(path.v, t.gradient, RIGHT))
        gradient = VGroup(self.math(r"\nabla h =", size=size, color=t.gradient), components)
        norm = VGroup(self.math(r"|\nabla h| =", size=size, color=t.gradient), number(path.magnitude, t.gradient))
        rows.add(gradient, norm)
        # '=' signs in one column, numbers just right of them; the vector's entries right-aligned in brackets.
        y = 0.0
        for row in rows:
            step = 2 * READOUT_ROW if row is gradient else READOUT_ROW
            row[0].move_to(np.array([0, y - step / 2, 0]), RIGHT)
            y -= step
        for row in (*rows[:3], norm):
            row[1].next_to(row[0], RIGHT, buff=0.15)
        widest = max(QuickDecimal(v, num_decimal_places=2, font_size=size).width
                     for v in (path.u.min(), path.u.max(), path.v.min(), path.v.max()))
        inner_left, middle = gradient[0].get_right()[0] + 0.35, gradient[0].get_y()
        for k, entry in enumerate(components):
            entry.move_to(np.array([inner_left + widest, middle + READOUT_ROW * (0.5 - k), 0]), RIGHT)
        components.add(*brackets(inner_left - 0.15, inner_left + widest + 0.15, middle, 1.7 * READOUT_ROW, t.text))
        return rows.next_to(self.formula, DOWN, buff=0.5).align_to(np.array([self.column_left + 0.3, 0, 0]), LEFT)

    def note_text(self, text: str) -> Mobject:
        return self.wrapped(text, self.column_width, size=self.theme.label_size, color=self.theme.highlight,
                            align="left")

    def show_note(self, text: str) -> None:
        """A note under the readout: what to see at this point of the walk."""
        note = self.note_text(text).next_to(self.readout_rows, DOWN, buff=0.45)
        self.note = note.align_to(np.array([self.column_left, 0, 0]), LEFT)
        self.play(FadeIn(note, shift=UP * 0.1), run_time=0.6)

    def stop_note(self, kind: str) -> str:
        return {"flat": "flat: the arrow nearly vanishes", "steep": "steepest on the way out"}[kind]

    def remember_stop(self, i: int, kind: str) -> str:
        """Record the readout at a stop and say what it shows."""
        v = self.path.values(i)
        self.record(**{f"probe_{kind}": v})
        if kind == "flat":
            return (f"At ({v['x']:.2f}, {v['y']:.2f}), where z = {v['z']:.2f}, the surface is flat: |grad| = "
                    f"{v['norm']:.2f} and the arrow nearly vanishes.")
        return (f"At ({v['x']:.2f}, {v['y']:.2f}) the way out is steepest, |grad| = {v['norm']:.2f}, "
                "and the arrow is the longest so far.")


def brackets(left: float, right: float, y: float, height: float, color: str, lip: float = 0.1) -> VGroup:
    """Square brackets around a column vector whose entries change width: drawn, not typeset."""
    def bracket(x: float, inward: float) -> VMobject:
        top, bottom = y + height / 2, y - height / 2
        return VMobject(stroke_color=color, stroke_width=2).set_points_as_corners(
            [[x + inward, top, 0], [x, top, 0], [x, bottom, 0], [x + inward, bottom, 0]])
    return VGroup(bracket(left, lip), bracket(right, -lip))


# =================================================================================================
OUTER, INNER = "highlight", "forward"  # theme roles of the outer and the inner function (and derivative)
RULE_SIZE = 44  # the general rule, alone on screen
DERIVATION_SIZE = 40
ROWS = {"decomposition": 1.7, "header": 0.6, "x": -0.55, "y": -2.15}  # y of each row once the rule is stated


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
                "cos(x^2 + y^2) 2y. At (x, y) = ({point_x:.2f}, {point_y:.2f}) these give ({analytic_dx:.4f}, "
                "{analytic_dy:.4f}), the same as autograd's ({autograd_dx:.4f}, {autograd_dy:.4f}).")

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

    # --- beats -----------------------------------------------------------------------------------
    @beat("To compute a gradient by hand, we use the chain rule. For a composite function, F of x equals g of h "
          "of x, the ^derivative is the ^outer derivative, taken at the inner value, times the inner derivative. "
          "With ^fractions: dF/dx = dg/dh times dh/dx.")
    def state_the_chain_rule(self) -> None:
        composite = self.equation("F(x)", "=", ("g", OUTER), "(", ("h(x)", INNER), ")", size=RULE_SIZE)
        derivative = self.equation("F'(x)", "=", ("g'", OUTER), "(", ("h(x)", INNER), ")",
                                   ("h'(x)", INNER), size=RULE_SIZE)
        leibniz = self.equation(r"\frac{dF}{dx}", "=", (r"\frac{dg}{dh}", OUTER),
                                (r"\frac{dh}{dx}", INNER), size=RULE_SIZE)
        composite.move_to(UP * 1.0)
        self.play(FadeIn(self.heading(self.title)), Write(composite))
        derivative.move_to(composite)
        self.wait_until("derivative")
        self.morph(composite, derivative, key_map={"F(x)": "F'(x)", "g": "g'"})
        t = self.theme
        roles = VGroup(self.text("outer", size=t.label_size, color=t.highlight).next_to(derivative[2:6], DOWN, 0.2),
                       self.text("inner", size=t.label_size, color=t.forward).next_to(derivative[6], DOWN, 0.2))
        self.wait_until("outer")
        self.play(FadeIn(roles, shift=UP * 0.1))
        leibniz.next_to(roles, DOWN, buff=0.6).set_x(derivative.get_x())
        self.wait_until("fractions")
        self.morph(derivative.copy(), leibniz,
                   key_map={"F'(x)": r"\frac{dF}{dx}", "g'": r"\frac{dg}{dh}", "h'(x)": r"\frac{dh}{dx}"})
        self.rule = VGroup(derivative, roles, leibniz)

    @beat("Now the notebook's function: z is the sine of x squared plus y squared. It is a ^composite: the outer "
          "function f is the sine, and the inner function g is x squared plus y squared.")
    def decompose_h(self) -> None:
        h = self.equation("z", "=", (r"\sin", OUTER), "(", ("x^2 + y^2", INNER), ")")
        composite = self.equation("z", "=", ("f", OUTER), "(", ("g(x, y)", INNER), ")")
        outer = self.equation(("f(u)", OUTER), "=", (r"\sin", OUTER), ("u", OUTER))
        inner = self.equation(("g(x, y)", INNER), "=", ("x^2 + y^2", INNER))
        reminder = self.rule[2].copy().scale(0.8)
        row = VGroup(reminder, composite, outer, inner).arrange(RIGHT, buff=0.9)
        row.move_to(np.array([0, ROWS["decomposition"], 0])).to_edge(LEFT, buff=self.theme.margin + 0.2)
        self.left = row.get_left()[0]
        h.move_to(composite, LEFT)
        self.play(FadeOut(self.rule[:2]), ReplacementTransform(self.rule[2], reminder))
        self.play(Write(h))
        self.wait_until("composite")
        self.play(TransformMatchingTex(h, composite), TransformFromCopy(h[2], outer[2]),
                  TransformFromCopy(h[4], inner[2]), FadeIn(VGroup(outer[:2], outer[3], inner[:2])), run_time=1.8)

    @beat("For x, the chain rule says: dz/dx is df/dg times dg/dx. The ^outer derivative is the cosine, taken at "
          "the inner value; the inner derivative is two x. ^Writing g out: the cosine of x squared plus y squared, "
          "times two x.")
    def differentiate_x(self) -> None:
        self.dz_dx = self.derive("x", ROWS["x"], marks=("outer", "Writing"))

    @beat("For y, the same two steps: ^again the cosine for the outer function, and two y for the inner one. ^So "
          "dz/dy is the cosine of x squared plus y squared, times two y. Together, these two are the gradient vector.")
    def differentiate_y(self) -> None:
        self.dz_dy = self.derive("y", ROWS["y"], run_time=0.9, marks=("again", "So"))

    @beat("Let's check at one point: x is {point_x:.2f}, y is {point_y:.2f}. Our ^formulas give {analytic_dx:.3g} "
          "and {analytic_dy:.3g}. ^Autograd, PyTorch's automatic differentiation, gives {autograd_dx:.3g} and "
          "{autograd_dy:.3g}: the ^same numbers.")
    def compare_with_autograd(self) -> None:
        v, t = self.values, self.theme
        point = self.math(rf"\text{{at }} (x, y) = ({v['point_x']:.2f},\ {v['point_y']:.2f})",
                          color=t.constant).move_to(np.array([self.left, ROWS["header"], 0]), LEFT)
        columns = VGroup(*(self.value_column(title, [v[f"{key}_dx"], v[f"{key}_dy"]])
                           for title, key in (("chain rule", "analytic"), ("autograd", "autograd"))))
        right = config.frame_width / 2 - t.margin - 0.7  # room for the check marks
        columns[1].next_to(columns[0], RIGHT, buff=0.9)  # same rows: only x moves
        columns.shift(RIGHT * (right - columns.get_right()[0]))
        checks = VGroup(*(self.math(r"\checkmark", color=t.forward).next_to(columns[1][i], RIGHT, buff=0.35)
                          for i in (1, 2)))
        self.play(FadeIn(point), FadeIn(columns[0][0]))
        self.wait_until("formulas")
        self.play(*(TransformFromCopy(line[2:], columns[0][i + 1]) for i, line in enumerate((self.dz_dx, self.dz_dy))),
                  run_time=1.2)
        self.wait_until("Autograd")
        self.play(FadeIn(columns[1][0]), *(FadeIn(n, shift=LEFT * 0.3) for n in columns[1][1:]))
        self.wait_until("same")
        self.play(LaggedStart(*(FadeIn(c, scale=1.5) for c in checks), lag_ratio=0.3),
                  *(Indicate(n, color=t.gradient, scale_factor=1.1) for col in columns for n in col[1:]))

    # --- helpers ---------------------------------------------------------------------------------
    def equation(self, *parts: str | tuple[str, str], size: float = DERIVATION_SIZE) -> MathTex:
        """MathTex from parts, each plain TeX or (TeX, theme role) to colour that part."""
        eq = self.math(*(p if isinstance(p, str) else p[0] for p in parts), size=size)
        for part, mob in zip(parts, eq):
            if not isinstance(part, str):
                mob.set_color(getattr(self.theme, part[1]))
        return eq

    def morph(self, source: MathTex, target: MathTex, key_map: dict[str, str] | None = None, **kwargs) -> None:
        """TransformMatchingTex: equal parts move, parts paired by `key_map` cross-fade into each other, the
        rest fade (manim 0.21's own key_map path crashes when paired parts differ in glyph count)."""
        key_map, free, animations = key_map or {}, list(target), []
        for part in source:
            mapped = key_map.get(part.tex_string)
            match = next((t for t in free if t.tex_string == (mapped or part.tex_string)), None)
            if match is None:
                animations.append(FadeOut(part))
            else:
                free.remove(match)
                animations.append(FadeTransform(part, match) if mapped else ReplacementTransform(part, match))
        self.play(*animations, *(FadeIn(t) for t in free), **kwargs)
        self.remove(source, *source, *target)
        self.add(target)

    def derive(self, var: str, y: float, run_time: float = 1.4, marks: tuple[str, str] | None = None) -> MathTex:
        """In place, one step at a time: the chain rule, each factor's derivative, then g written out; each
        step after the first starts on its word of the narration (`marks`)."""
        lhs = (rf"\frac{{\partial z}}{{\partial {var}}}", "gradient")
        outer, inner = r"\frac{\partial f}{\partial g}", rf"\frac{{\partial g}}{{\partial {var}}}"
        steps = [self.equation(lhs, "=", (outer, OUTER), (inner, INNER)),
                 self.equation(lhs, "=", (r"\cos\big(g(x, y)\big)", OUTER), (rf"\,(2{var})", INNER)),
                 self.equation(lhs, "=", (r"\cos(x^2 + y^2)", OUTER), (rf"\cdot 2{var}", INNER))]
        keys = [{outer: r"\cos\big(g(x, y)\big)", inner: rf"\,(2{var})"},
                {r"\cos\big(g(x, y)\big)": r"\cos(x^2 + y^2)", rf"\,(2{var})": rf"\cdot 2{var}"}]
        for step in steps:
            step.move_to(np.array([self.left, y, 0]), LEFT)
        self.play(Write(steps[0]), run_time=run_time)
        for before, after, key_map, mark in zip(steps, steps[1:], keys, marks or (None, None)):
            self.wait(0.5)
            if mark:
                self.wait_until(mark)
            self.morph(before, after, key_map=key_map, run_time=run_time)
        return steps[-1]

    def value_column(self, title: str, values: list[float]) -> VGroup:
        """A titled column of gradient components, one on each derivation row, right-aligned."""
        t = self.theme
        numbers = [self.math(f"{value:.4f}", size=DERIVATION_SIZE, color=t.gradient) for value in values]
        width = max(n.width for n in numbers)
        for number, row in zip(numbers, ("x", "y")):
            number.move_to(np.array([width, ROWS[row], 0]), RIGHT)
        head = self.text(title, size=t.label_size, color=t.muted).move_to(np.array([width / 2, ROWS["header"], 0]))
        return VGroup(head, *numbers)
