"""Gradient fields and sampled surfaces of a scalar function of (x, y), computed with torch autograd."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

Function2D = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

from .limits import GRID_BYTES_PER_POINT, MAX_GRID_POINTS, check_range, grid_count, memory_problem


@dataclass(frozen=True)
class Field:
    """Samples of z = f(x, y) and its gradient (u, v) on a grid; rows follow y, columns follow x.

    Non-finite samples are NaN in `z`, `u` and `v` and True in `mask`; `warning` says how many.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    u: np.ndarray
    v: np.ndarray
    mask: np.ndarray
    warning: str | None = None

    @property
    def magnitude(self) -> np.ndarray:
        return np.hypot(self.u, self.v)


def grid_axis(lo: float, hi: float, step: float) -> np.ndarray:
    """Points from lo to hi inclusive, `step` apart (the last point snapped onto hi)."""
    lo, hi = check_range(lo, hi)
    step = float(step)
    if not np.isfinite(step) or step <= 0:
        raise ValueError(f"grid step must be a positive number, got {step:g}")
    count = grid_count(lo, hi, step)  # a float: a huge range's count does not fit an int
    if count < 2 or count * count > MAX_GRID_POINTS:
        shown = f"{count:.3g}" if count > 1e6 else f"{count:.0f}"
        raise ValueError(f"grid step {step:g} gives {shown} points per axis; use 2 to {int(MAX_GRID_POINTS ** 0.5)}")
    problem = memory_problem(f"a grid of {count:.0f} x {count:.0f} points", count * count * GRID_BYTES_PER_POINT)
    if problem:
        raise ValueError(problem)
    return np.linspace(lo, hi, int(count))


def evaluate_on_grid(f: Function2D, xs: np.ndarray, ys: np.ndarray) -> Field:
    """z, dz/dx and dz/dy at every (x, y) of the grid, in one vectorised autograd pass."""
    return evaluate_at(f, *np.meshgrid(xs, ys))


def evaluate_at(f: Function2D, xx: np.ndarray, yy: np.ndarray) -> Field:
    """z, dz/dx and dz/dy at the points (xx[i], yy[i]) (arrays of one shape, a grid or a path), in one pass."""
    xx, yy = (np.array(a) for a in np.broadcast_arrays(np.asarray(xx, np.float64), np.asarray(yy, np.float64)))
    tx = torch.tensor(xx, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(yy, dtype=torch.float64, requires_grad=True)
    with np.errstate(all="ignore"):
        z = f(tx, ty)
    if not isinstance(z, torch.Tensor):
        z = torch.full_like(tx, float(z))
    z = z.expand_as(tx) if z.shape != tx.shape else z
    if z.requires_grad:
        # Each z[i] depends only on its own (x, y), so the gradient of the sum is the per-point gradient.
        gx, gy = torch.autograd.grad(z.sum(), (tx, ty), allow_unused=True)
    else:
        gx = gy = None
    zeros = torch.zeros_like(tx)
    arrays = [t.detach().numpy().copy() for t in (z, zeros if gx is None else gx, zeros if gy is None else gy)]
    mask = ~np.isfinite(arrays[0]) | ~np.isfinite(arrays[1]) | ~np.isfinite(arrays[2])
    for a in arrays:
        a[mask] = np.nan
    warning = None
    if mask.any():
        warning = f"{int(mask.sum())} of {mask.size} grid points are undefined (not finite) and are masked"
    return Field(xx, yy, arrays[0], arrays[1], arrays[2], mask, warning)


def gradient_field(
    f: Function2D,
    x_range: tuple[float, float] = (-3, 3),
    y_range: tuple[float, float] = (-3, 3),
    step: float = 0.5,
) -> Field:
    """The gradient of f at grid points `step` apart over both ranges, ends included.

    The notebook's quiver uses x_range = y_range = (-2.5, 2.5), step 0.5: an 11 x 11 grid.
    """
    return evaluate_on_grid(f, grid_axis(*x_range, step), grid_axis(*y_range, step))


def sample_surface(
    f: Function2D,
    x_range: tuple[float, float] = (-3, 3),
    y_range: tuple[float, float] = (-3, 3),
    resolution: int = 301,
) -> Field:
    """A fine grid of f (and its gradient) for heatmaps: `resolution` points along each axis."""
    if not 2 <= resolution <= int(MAX_GRID_POINTS**0.5):
        raise ValueError(f"resolution must be between 2 and {int(MAX_GRID_POINTS ** 0.5)}, got {resolution}")
    problem = memory_problem(f"a grid of {resolution} x {resolution} points", resolution**2 * GRID_BYTES_PER_POINT)
    if problem:
        raise ValueError(problem)
    xs = np.linspace(*check_range(*x_range), resolution)
    ys = np.linspace(*check_range(*y_range), resolution)
    return evaluate_on_grid(f, xs, ys)


def gradient_at(f: Function2D, x: float, y: float) -> tuple[float, float, float]:
    """(z, dz/dx, dz/dy) at one point, for probes and worked examples."""
    field = evaluate_at(f, np.array([float(x)]), np.array([float(y)]))
    return float(field.z[0]), float(field.u[0]), float(field.v[0])
