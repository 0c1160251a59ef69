"""What a descent run did on a map, from its numbers alone: where it stays inside the map, the part
of each step inside it, and a verdict in words ("converged", "leaves the map at step 3") that any
learning rate or optimizer earns honestly. Pure numpy: tested without a renderer."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import Trajectory
from scenes.kit.formatting import counter

CONVERGED_FRACTION = 1e-3  # "converged": 99.9% of the way from f(start) down to the map's lowest value
CLOSE_FRACTION = 5e-2  # "close": 95% of the way

Box = tuple[tuple[float, float], tuple[float, float]]  # ((x_lo, x_hi), (y_lo, y_hi)) in data units


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
        phrase += f", at f {counter(outcome.final_value)}"
    return phrase
