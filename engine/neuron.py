"""The lecture's single neuron, as the notebook notebook writes it: `tanh(x * w + b)` and a squared loss."""
from __future__ import annotations

import torch


def neuron(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """One neuron with scalar input and output; the local name `prediction` names its graph node."""
    prediction = torch.tanh(x * w + b)
    return prediction


def sq_loss(y_true: torch.Tensor, y_prediction: torch.Tensor) -> torch.Tensor:
    """L2 loss (squared error), as in the notebook."""
    loss = (y_true - y_prediction) ** 2
    return loss


def neuron_loss(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The whole lecture computation, in the argument form `trace` calls: loss of the neuron on (x, y)."""
    prediction = neuron(x, w, b)
    loss = sq_loss(y, prediction)
    return loss


class SimpleGraph:
    """The notebook's `SimpleGraph`: learnable `w` and `b` as one-element tensors with `requires_grad`."""

    def __init__(self, w: float, b: float):
        if not isinstance(w, float) or not isinstance(b, float):
            raise TypeError("SimpleGraph(w, b) takes two floats, e.g. SimpleGraph(-0.5, 0.5)")
        self.w = torch.tensor([w], requires_grad=True)
        self.b = torch.tensor([b], requires_grad=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return neuron(x, self.w, self.b)


def analytic_gradients(w: float, b: float, x: float, y: float) -> dict[str, float]:
    """The notebook's hand-derived gradients, `-2x(y-p)(1-p^2)` and `-2(y-p)(1-p^2)`, for comparison with autograd."""
    p = float(torch.tanh(torch.tensor(x * w + b, dtype=torch.float64)))
    return {
        "prediction": p,
        "loss": (y - p) ** 2,
        "dloss_dw": -2 * x * (y - p) * (1 - p**2),
        "dloss_db": -2 * (y - p) * (1 - p**2),
    }
