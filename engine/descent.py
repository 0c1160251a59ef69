"""Gradient descent on a function of (x, y) with a real `torch.optim` optimizer, recorded step by step."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from .limits import learning_rate_problem, optimizer_problem, start_problem, steps_problem

DIVERGENCE_FACTOR = 1e6

# Each name maps to a torch.optim class and the defaults that make the name mean what it says.
OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], dict[str, Any]]] = {
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (torch.optim.Adagrad, {}),
    "rmsprop": (torch.optim.RMSprop, {}),
    "adam": (torch.optim.Adam, {}),
}


@dataclass(frozen=True)
class Trajectory:
    """Where descent went: `points[t]` is w(t), `values[t]` = f(w(t)), `grads[t]` = grad f(w(t))."""

    points: np.ndarray  # (n, 2)
    values: np.ndarray  # (n,)
    grads: np.ndarray  # (n, 2)
    diverged: bool
    optimizer: str
    lr: float

    @property
    def steps(self) -> int:
        return len(self.values) - 1

    @property
    def message(self) -> str:
        if self.diverged:
            return f"diverged after {self.steps} steps (lr = {self.lr:g})"
        return f"{self.steps} steps, f = {self.values[-1]:.4g}"


def check_descent_options(start: tuple[float, float], lr: float, steps: int, optimizer: str) -> None:
    """Raise ValueError naming the first bad option (the checks are `engine.limits`', shared with the CLI)."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(optimizer_problem(optimizer))
    for problem, value in ((start_problem(start), start), (learning_rate_problem(lr), f"{lr:g}"),
                           (steps_problem(steps), steps)):
        if problem:
            raise ValueError(f"{problem}, got {value}")


def descend(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    start: tuple[float, float],
    lr: float,
    steps: int,
    optimizer: str = "sgd",
    **options: Any,
) -> Trajectory:
    """Run `steps` steps of `optimizer` on f from `start`; stop early, with `diverged`, when f blows up.

    Blowing up means a non-finite value, or |f| above 1e6 x (1 + |f(start)|).
    `options` go to the optimizer (e.g. momentum=0.5), over the name's defaults.
    """
    check_descent_options(start, lr, steps, optimizer)
    optimizer_class, defaults = OPTIMIZERS[optimizer]
    w = torch.tensor([float(s) for s in start], dtype=torch.float64, requires_grad=True)
    opt = optimizer_class([w], lr=lr, **{**defaults, **options})
    points, values, grads = [], [], []
    diverged = False
    for t in range(steps + 1):
        opt.zero_grad()
        value = f(w[0], w[1])
        value.backward()
        v = float(value.detach())
        grad = w.grad.detach().clone() if w.grad is not None else torch.zeros(2, dtype=torch.float64)
        if not math.isfinite(v) or not torch.isfinite(grad).all() or (values and abs(v) > DIVERGENCE_FACTOR * (1 + abs(values[0]))):
            diverged = True
            break
        points.append(w.detach().numpy().copy())
        values.append(v)
        grads.append(grad.numpy())
        if t < steps:
            opt.step()
    if diverged and not values:
        raise ValueError(f"f is not finite at the start point {tuple(start)}; choose another --start")
    return Trajectory(np.array(points), np.array(values), np.array(grads), diverged, optimizer, float(lr))
