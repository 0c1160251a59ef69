"""One drawing of a descent path, shared by the three descent scenes: a dot driven by a clock (the
step index, fractional while moving), its trail, and, when the path leaves the map, an arrow at the
border pointing where it went, so divergence is drawn instead of crashing."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from manim import Arrow, Dot, ValueTracker, VGroup, VMobject, smooth

from engine import Trajectory
from engine.field import evaluate_at
from scenes.feedforward.descent_runs import Box, clamp, clip_segment, inside
from scenes.widgets.surface import SurfacePlot
from scenes.kit.theme import Theme


def plot_box(plot: SurfacePlot) -> Box:
    """The map's data ranges, ((x_lo, x_hi), (y_lo, y_hi))."""
    return (float(plot.axes.x_range[0]), float(plot.axes.x_range[1])), (float(plot.axes.y_range[0]), float(plot.axes.y_range[1]))


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


SEGMENT_SAMPLES = 8  # heights sampled along each step, so the ball rides the surface between two points


class SurfaceTrack(VGroup):
    """The same replay on the landscape in 3-D (`Landscape3D`): a ball at height f(w) rolling from step to
    step with the clock, and its path drawn on the surface. Points off the map hide the ball (the map's
    `TrajectoryView` shows where they went)."""

    def __init__(self, land, f, view: TrajectoryView, color: str, theme: Theme, ball_radius: float = 0.1):
        super().__init__()
        self.land, self.view = land, view
        traj, box = view.traj, view.box
        points = traj.points
        s = np.linspace(0, 1, SEGMENT_SAMPLES + 1)
        eased = np.array([smooth(t) for t in s])
        xs = points[:-1, None, 0] + eased[None, :] * (points[1:, None, 0] - points[:-1, None, 0]) if traj.steps else points[:, None, 0]
        ys = points[:-1, None, 1] + eased[None, :] * (points[1:, None, 1] - points[:-1, None, 1]) if traj.steps else points[:, None, 1]
        with np.errstate(all="ignore"):
            zs = evaluate_at(f, xs, ys).z
        self.samples = np.stack([xs, ys, np.clip(np.nan_to_num(zs, nan=land.z_hi), land.z_lo, land.z_hi)], axis=-1)
        (x0, x1), (y0, y1) = box
        self.inside = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
        self.trail = VMobject(stroke_color=color, stroke_width=3)
        self.ball = Dot(radius=ball_radius, color=color).set_stroke(theme.background, width=2, background=True)
        self.add(self.trail, self.ball)
        self.redraw(self)
        self.add_updater(self.redraw)

    def redraw(self, _mob: VGroup) -> None:
        traj = self.view.traj
        s = min(max(self.view.clock.get_value(), 0.0), float(traj.steps))
        k = min(int(math.floor(s)), max(traj.steps - 1, 0))
        j = int(round((s - k) * SEGMENT_SAMPLES)) if traj.steps else 0
        done = self.samples[:k].reshape(-1, 3) if k else np.zeros((0, 3))
        path = np.concatenate([done, self.samples[k, : j + 1]]) if traj.steps else self.samples[0, :1]
        seen = np.concatenate([self.inside[:k].ravel(), self.inside[k, : j + 1]]) if traj.steps else self.inside[0, :1]
        screen = self.land.project(path)[0]
        self.trail.clear_points()
        run: list[np.ndarray] = []
        for p, ok in zip([*screen, None], [*seen, False]):
            if ok:
                run.append(p)
                continue
            if len(run) > 1:
                self.trail.start_new_path(run[0])
                self.trail.add_points_as_corners(run[1:])
            run = []
        self.ball.move_to(screen[-1])
        self.ball.set_opacity(1 if seen[-1] else 0)
