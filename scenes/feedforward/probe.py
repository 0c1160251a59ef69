"""The gradient-field scene's numbers: how long an arrow is drawn for a gradient, and the probe's walk
(out from the centre, then round a ring) with the engine's z and gradient at every sample, and the
stops worth pausing at. Pure numpy: tested without a renderer."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine import Field, ScalarField, evaluate_at
from engine.limits import arrow_grid  # noqa: F401 (the field scene's grid, here where the scene finds it)

Range = tuple[float, float]

# --- arrow lengths -----------------------------------------------------------------------------
SHORT_ARROW = 0.15  # an arrow under this fraction of the longest is a speck at 480p
MAX_SHORT_SHARE = 1 / 3  # more specks than this and the picture says nothing: compress the lengths
EXPONENTS = (1.0, 0.5, 0.25)  # proportional first (as the notebook's quiver), then gentler roots

# --- the probe's walk, in units of the plot's half-width / half-height from its centre -----------
PROBE_ANGLE = np.pi / 6  # direction of the walk out from the centre, between the grid's rows and diagonals
PROBE_RADII = (0.1, 0.6)  # start near the centre, walk out to the ring
PROBE_SAMPLES_PER_UNIT = 240  # engine evaluations per half-width of path
FLAT_SHARE = 0.1  # |grad| under this fraction of the steepest on the way out counts as flat
PROBE_STEEPEST = 2.0  # the probe stays where |grad| is at most this times the grid's largest


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
