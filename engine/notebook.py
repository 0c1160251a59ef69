"""The lecture notebook's own examples and numbers, in one place, so defaults are never retyped elsewhere."""
from __future__ import annotations

import numpy as np

NOTEBOOK_FUNCTION = "sin(x**2 + y**2)"  # z = h(x, y) of the gradient-vector section
NOTEBOOK_PLOT_RANGE = (-3.0, 3.0)  # the notebook's contour plot: np.arange(-3, 3.01, 0.02)
NOTEBOOK_ARROW_STEP = 0.5  # the notebook's quiver grid: np.arange(-2.5, 2.6, 0.5)
NOTEBOOK_CONTOUR_LEVELS = 20  # plt.contourf(..., levels=20)
NOTEBOOK_NEURON = {"w": -0.5, "b": 0.5, "x": 1.0, "y": 7.0}  # SimpleGraph(-0.5, 0.5), feature 1, target 7
NOTEBOOK_LEARNABLE = ("w", "b")
CAUCHY_YEAR = 1847


def fun_z(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The notebook's closed form of h(x, y) = sin(x^2 + y^2)."""
    return np.sin(x**2 + y**2)


def fun_dz(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's hand-derived gradient of h, by the chain rule: cos(x^2 + y^2) * 2x, cos(x^2 + y^2) * 2y."""
    return 2 * x * np.cos(x**2 + y**2), 2 * y * np.cos(x**2 + y**2)
