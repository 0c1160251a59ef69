"""Gradient vectors on a landscape: the notebook's contour-and-quiver figure brought to life for any
`params.function`; a probe walks over the surface while the engine's z and gradient update in place
beside it. Its numbers (arrow lengths, the walk, its stops) are in `scenes/feedforward/probe.py`; the chain rule
that computes a gradient by hand is `scenes/feedforward/chain_rule.py`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from manim import (DOWN, Animation, LEFT, RIGHT, UP, Create, DecimalNumber, Dot, FadeIn, FadeOut, Flash, GrowArrow, Group, Indicate,
                   LaggedStart, Mobject, Succession, TracedPath, ValueTracker, VGroup, VMobject, Write, always_redraw, config,
                   linear, smooth)

from engine import gradient_field, parse_function
from scenes.kit.base import LectureScene, beat
from scenes.kit.formatting import counter, formula_text
from scenes.kit.pacing import Place, play_over, position_of
from scenes.kit.pointing import ring
from scenes.kit.numbers import QuickDecimal
from scenes.feedforward.probe import PROBE_SAMPLES_PER_UNIT, PROBE_STEEPEST, ArrowScale, arrow_grid, probe_stops, walk_probe
from scenes.widgets.surface import Landscape3D, SurfacePlot, gradient_arrow

READOUT_ROW = 0.58  # height of one readout row
PROBE_SPEED = 0.3  # half-widths per second, walking out
RING_SPEED = 0.55  # half-widths per second round the ring, a loop the lecturer talks over
PROBE_ARROW = 1.2  # screen length of the probe's longest arrow
GRID_ARROW = 0.5  # screen length of the grid's longest arrow, at most
TURN = 0.45  # radians the camera turns either side of straight ahead, round the 3-D surface
TILT = 1.0  # radians from straight above: the surface seen from the side enough to show its depth
STOP_LEADS = ("Here", "Further out")  # how the narration opens the first and the second stop's sentence
STOP_WORDS = {"steep": ("steepest", "reads"), "flat": ("flat", "drops")}  # marked: the stop named, its length read


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
        self.record(function=p.function, function_text=formula_text(p.function), function_latex=self.h.latex,
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
        return (f"The gradient sizes here range from {counter(self.values['grad_min'])} to {counter(self.values['grad_max'])}, "
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
            return (f"^{lead}, where z is {v['z']:.2f}, the surface is ^flat: the length ^drops to {v['norm']:.2f}, "
                    "and the arrow nearly vanishes.")
        return f"^{lead}, the climb is at its ^steepest: the length ^reads {v['norm']:.2f}, the longest arrow on the way out."

    # --- beats -----------------------------------------------------------------------------------
    @beat("We start with a landscape: a function of two variables, h of x and y, whose ^height is z. Its ^formula is "
          "{function_text}. As we ^turn around it, the hills and valleys show their depth. Seen from ^above and pressed "
          "flat, the heights become ^colours, and the ^bar beside the map reads them, from {z_min:.2f} to {z_max:.2f}."
          "{undefined_said}")
    def show_surface(self) -> None:
        land = Landscape3D(self.plot, self.h, self.theme, turn=-TURN, tilt=TILT, lift=0.0, opacity=0.0)
        top, bottom = self.content_area()
        # As large as the canvas under the formula allows while it turns; it shrinks onto the map as it flattens.
        edge = config.frame_width / 2 - self.theme.margin
        land.fit_into(-edge, edge, bottom, self.formula.get_bottom()[1] - 0.25, turns=(-TURN, TURN))
        # The surface rises out of a flat sheet as its height is named, turns to show its depth, then is seen
        # from above and pressed flat onto the map, whose colours take over.
        self.add(land)
        play_over(self, None, "height", FadeIn(self.heading(self.title)), land.opacity.animate.set_value(1.0), run_time=1.0)
        play_over(self, "height", "formula", land.lift.animate.set_value(1.0), run_time=1.5)
        play_over(self, "formula", "turn", Write(self.formula), run_time=1.0)
        play_over(self, "turn", "above", land.turn.animate.set_value(TURN), run_time=4.0)
        # Pressed flat onto the map, while its copy in 3-D settles beside the map, under the formula.
        self.side_view, side_scale = self.settle_beside(land)
        play_over(self, "above", "colours", land.turn.animate.set_value(0.0), land.tilt.animate.set_value(0.0),
                  land.lift.animate.set_value(0.0), land.scale_tracker.animate.set_value(1.0),
                  land.away.animate.set_value(0.0), self.side_view.away.animate.set_value(0.0),
                  self.side_view.scale_tracker.animate.set_value(side_scale), run_time=2.5)
        self.side_view.clear_updaters()  # at rest from here on: one picture, not redrawn every frame
        play_over(self, "colours", "bar", FadeIn(self.plot.heatmap), Create(self.plot.frame), FadeIn(self.plot_labels),
                  run_time=1.0)
        land.clear_updaters()
        self.remove(land)
        play_over(self, "bar", None, FadeIn(self.bar, shift=LEFT * 0.2), run_time=0.5)
        if self.undefined_note is not None:
            self.play(FadeIn(self.undefined_note))

    def settle_beside(self, land: Landscape3D) -> tuple[Landscape3D, float]:
        """A copy of the turned surface, drawn where `land` is now, that will slide (`away` to 0) and shrink (to
        the scale returned) into the column beside the map, between the formula and the arrows' legend."""
        side = Landscape3D(self.plot, self.h, self.theme, turn=land.turn.get_value(), tilt=TILT, lift=1.0)
        floor = (self.undefined_note if self.undefined_note is not None else self.legend).get_top()[1] + 0.3
        side.fit_into(self.column_left, config.frame_width / 2 - self.theme.margin, floor, self.formula.get_bottom()[1] - 0.3)
        scale = side.scale_tracker.get_value()
        side.middle, side.centre = side.centre, land.centre.copy()  # `away` 1: where land is; 0: the column
        side.scale_tracker.set_value(land.scale_tracker.get_value())
        side.redraw()
        self.add(side)
        return side, scale

    def fade_side_view(self) -> Animation:
        """The 3-D view beside the map fades (by its own opacity: it is an image redrawn as it changes)."""
        self.side_view.add_updater(lambda m: m.redraw())
        return self.side_view.opacity.animate.set_value(0.0)

    @beat("On a grid of {grid_cols} by {grid_rows} points, each arrow is the gradient, the surface's slope seen from "
          "above: the two partial derivatives of z. [It points where h increases the most](steepest), the direction of steepest "
          "ascent. {scale_sentence}")
    def add_gradient_arrows(self) -> None:
        centre = self.plot.point(*(sum(r) / 2 for r in (self.params.x_range, self.params.y_range)))
        # From the rim in: the long arrows on steep ground grow first, so the grid is seen filling from the start
        # (from the centre out, the first seconds grew arrows too short to see on sin(x² + y²)).
        ripple = sorted(self.arrows, key=lambda a: -np.linalg.norm(a.get_start() - centre))
        if self.arrows:  # "It points where h increases the most": one arrow, the longest, marked as that is said
            self.point_at(steepest=max(self.arrows, key=lambda a: a.get_length()))
        growing = [LaggedStart(*(GrowArrow(a) for a in ripple), lag_ratio=0.02, run_time=2.5)] if ripple else []
        # The arrows grow out from the centre while they are described; the scale's legend with its sentence.
        scale_said = position_of(self, self.values["scale_sentence"]) if self.speech else None
        play_over(self, None, scale_said, *growing)
        # The scale's legend as its sentence starts; then the arrows that sentence is about are marked:
        # the small ones kept visible (a root scale), or the long ones on steep ground (proportional).
        small = not self.scale.proportional
        named = position_of(self, "the small ones" if small else "a long arrow") if self.speech else None
        play_over(self, scale_said, named, FadeIn(self.legend, shift=UP * 0.1), run_time=1.0)
        by_length = sorted(self.arrows, key=lambda a: a.get_length())
        marked = by_length[:max(1, len(by_length) // 6)] if small else by_length[-max(1, len(by_length) // 6):]
        if marked:
            play_over(self, named, None, LaggedStart(*(Indicate(a, color=self.theme.highlight) for a in marked),
                                                     lag_ratio=0.05), run_time=1.5)

    @beat("Now a ^probe walks out from near the centre. Its arrow, drawn larger than the grid's, always points "
          "uphill. {probe_said}")
    def move_probe(self) -> None:
        self.note, self.probe = None, VGroup()
        if self.path is None:
            self.play(self.fade_side_view())
            self.remove(self.side_view)
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
        # The readout takes the 3-D view's place beside the map: from here on the lesson is on the plane.
        self.play_along("probe", self.arrows.animate.set_opacity(0.3), FadeIn(first_dot, scale=2), GrowArrow(first_arrow),
                        self.fade_side_view(), FadeIn(self.readout_rows), run_time=1.2)
        self.remove(self.side_view)
        self.remove(first_dot, first_arrow)
        trail = TracedPath(dot.get_center, stroke_color=dot_color, stroke_width=2, stroke_opacity=0.6)
        self.add(trail, arrow, dot)
        ring_said = "ring" if self.speech and "ring" in self.speech.marks else None
        for n, ((stop, kind), lead) in enumerate(zip(self.stops, STOP_LEADS)):
            if n:  # the first walk starts as the probe appears; it arrives as its stop is named
                self.wait_until(lead.split()[0])
            self.walk(index, stop, until=STOP_WORDS[kind][0])
            self.show_note(self.stop_note(kind))
            self.play(Flash(dot.get_center(), color=self.theme.highlight, line_length=0.15, flash_radius=0.22))
            # "the length reads ...": the readout's length is marked while it is read
            play_over(self, STOP_WORDS[kind][1], ring_said if n == len(self.stops) - 1 else STOP_LEADS[n + 1].split()[0],
                      Indicate(self.readout_rows[-1], color=self.theme.highlight, scale_factor=1.1), run_time=1.2)
        self.walk(index, max(self.path.ring_start, at()), until=ring_said or "")
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
        self.walk(self.probe_index, last, speed=RING_SPEED, rate_func=linear, until=None if self.speech else "")
        if self.path.closed:  # the last sample is the first sample of the ring: start the next lap there
            self.probe_index.set_value(self.path.ring_start)

    @beat("So what does a gradient really know? Only its ^local values, not the whole landscape: it cannot see where the "
          "lowest valley is. And its ^length is the steepness, so ^near a plateau, a minimum or a maximum, the "
          "arrows shrink.")
    def state_the_lesson(self) -> None:
        lesson = VGroup(
            self.wrapped("Gradient vectors only see their local values, not the whole landscape.", self.column_width,
                         align="left"),
            self.wrapped("Their length is the steepness.", self.column_width, color=self.theme.gradient, align="left"),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        lesson.next_to(self.formula, DOWN, buff=0.7, aligned_edge=LEFT)
        leaving = [m.clear_updaters() for m in (*self.probe, *([self.note] if self.note else []))]
        play_over(self, None, "local", *(FadeOut(m) for m in leaving), self.arrows.animate.set_opacity(1))
        play_over(self, "local", "length", FadeIn(lesson[0], shift=UP * 0.2))
        play_over(self, "length", "near", FadeIn(lesson[1], shift=UP * 0.2))
        # "near a plateau, a minimum or a maximum, the arrows shrink": the shortest arrows are marked.
        shortest = sorted(self.arrows, key=lambda a: a.get_length())[:max(1, len(self.arrows) // 6)]
        if shortest:  # each ringed as well: an arrow near zero length is too small to show its own Indicate
            # (narrated, the picture stood still 4.1 s over "near a plateau, ... the arrows shrink")
            rings = [ring(a, self.theme.highlight) for a in shortest]
            play_over(self, "near", None, LaggedStart(*(Indicate(a, color=self.theme.highlight) for a in shortest),
                                                      lag_ratio=0.05),
                      LaggedStart(*(Succession(FadeIn(r), FadeOut(r), introducer=True) for r in rings), lag_ratio=0.05),
                      run_time=1.5)

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

    def walk(self, index: ValueTracker, to: int, speed: float = PROBE_SPEED, rate_func: Callable = smooth,
             until: Place = "") -> None:
        """Move the probe along its samples at a steady speed, easing into the stop; the old note leaves.
        With `until`, it arrives as that place of the speech is said (`scenes.kit.pacing`)."""
        leaving = [FadeOut(self.note)] if self.note is not None else []
        self.note = None
        distance = abs(to - index.get_value()) / PROBE_SAMPLES_PER_UNIT
        if distance > 0:
            motion = (index.animate.set_value(to), *leaving)
            if until == "":
                self.play(*motion, run_time=max(0.6, distance / speed), rate_func=rate_func)
            else:
                play_over(self, None, until, *motion, run_time=max(0.6, distance / speed), rate_func=rate_func)
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


