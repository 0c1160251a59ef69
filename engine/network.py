"""The part-2 lecture's small network, computed with torch: a multilayer perceptron described by options
only (layer sizes, activation, data set, torch seed), one sample's forward and backward pass layer by
layer, one optimiser step, and a short training run with its loss curve and decision boundary.

No code from the user is run: a `NetworkSpec` is plain data, checked by `engine.limits`. Every array
here comes from torch: the forward values from the modules, the gradients from `.grad` and autograd's
hooks (the hand formulas `dL/dW = delta h^T` are what the tests and the check scene compare them with).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .graph import Graph, trace
from .limits import ACTIVATIONS, DATASETS  # the contract's names, here too
from .network_spec import NetworkSpec

__all__ = ["ACTIVATIONS", "DATASETS", "NetworkSpec", "build_mlp", "make_dataset", "forward_backward", "hand_backward",
           "training_step", "train", "LayerPass", "NetworkPass", "GradientCheck", "HandBackward", "TrainingStep",
           "TrainingRun", "mse", "frame_steps"]

_MODULES: dict[str, Callable[[], nn.Module]] = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}
REGRESSION_POINTS = 16  # samples of the 1-D regression data set, on [-2, 2]
REGRESSION_NOISE = 0.1  # standard deviation of its noise (drawn with the spec's torch seed)
BOUNDARY_LEVEL = 0.5  # xor targets are 0 and 1: the decision boundary is where the output crosses 0.5
GRID_POINTS = 41  # samples per axis of a decision boundary's grid (or of a fitted curve)
FRAMES = 40  # snapshots of a training run the scene morphs through


def build_mlp(spec: NetworkSpec) -> nn.Sequential:
    """float64 layers fc1, act1, fc2, ... (the output layer fc{n} has no activation), weights drawn after
    `torch.manual_seed(spec.seed)` by torch's own initialisation."""
    spec.checked()
    torch.manual_seed(spec.seed)
    modules: OrderedDict[str, nn.Module] = OrderedDict()
    for i, (width_in, width_out) in enumerate(zip(spec.layers, spec.layers[1:]), start=1):
        modules[f"fc{i}"] = nn.Linear(width_in, width_out, dtype=torch.float64)
        if i < len(spec.layers) - 1:
            modules[f"act{i}"] = _MODULES[spec.activation]()
    return nn.Sequential(modules)


def make_dataset(spec: NetworkSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """X (n, in) and Y (n, out), float64. xor: the corners of the unit cube from (1, ..., 1) down, output
    j the XOR of inputs j and j+1 (for 2,_,1 the classic four points); regression: 16 points on [-2, 2] in each input,
    output j = sin(1.5 x_j) plus noise drawn with the torch seed."""
    spec.checked()
    width_in, width_out = spec.layers[0], spec.layers[-1]
    if spec.dataset == "xor":
        # from the all-ones corner down, so the first sample (the one the pass scenes follow) has no zero input
        corners = torch.cartesian_prod(*[torch.tensor([1.0, 0.0], dtype=torch.float64)] * width_in).reshape(-1, width_in)
        bits = corners.to(torch.int64)
        y = torch.stack([bits[:, j % width_in] ^ bits[:, (j + 1) % width_in] for j in range(width_out)], dim=1)
        return corners, y.to(torch.float64)
    generator = torch.Generator().manual_seed(spec.seed)
    line = torch.linspace(-2.0, 2.0, REGRESSION_POINTS, dtype=torch.float64)
    x = torch.stack([line.roll(3 * j) for j in range(width_in)], dim=1)  # other inputs shuffled, not equal
    noise = REGRESSION_NOISE * torch.randn(REGRESSION_POINTS, width_out, generator=generator, dtype=torch.float64)
    y = torch.stack([torch.sin(1.5 * x[:, j % width_in]) for j in range(width_out)], dim=1) + noise
    return x, y


def mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The lecture's loss: mean squared error (the local name `loss` names its graph node)."""
    loss = F.mse_loss(prediction, target)
    return loss


@dataclass(frozen=True)
class LayerPass:
    """One linear layer and its activation on one sample: the forward values and the gradients."""

    name: str  # "fc1"
    activation: str  # "tanh" | "sigmoid" | "relu" | "identity" (output layer)
    inputs: np.ndarray  # h_prev, (in,)
    weight: np.ndarray  # W, (out, in)
    bias: np.ndarray  # b, (out,)
    pre_activation: np.ndarray  # z = W h_prev + b, (out,)
    output: np.ndarray  # h = f(z), (out,)
    slope: np.ndarray  # f'(z), (out,)
    delta: np.ndarray  # dL/dz, (out,), from autograd's hook on z
    weight_grad: np.ndarray  # dL/dW from .grad, (out, in)  (== outer(delta, inputs))
    bias_grad: np.ndarray  # dL/db from .grad, (out,)     (== delta)


@dataclass(frozen=True)
class NetworkPass:
    spec: NetworkSpec
    x: np.ndarray  # one sample, (in,)
    y: np.ndarray  # its target, (out,)
    prediction: np.ndarray  # (out,)
    loss: float  # MSE loss of this sample
    layers: tuple[LayerPass, ...]
    graph: Graph  # trace(model, mse, x=..., y=...): tensor nodes with shape, value, grad, grad_fn names


def _slope(activation: str, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """f'(z) of an activation, from its value h = f(z) where that is how it is written by hand."""
    if activation == "tanh":
        return 1 - h**2
    if activation == "sigmoid":
        return h * (1 - h)
    if activation == "relu":
        return (z > 0).astype(np.float64)
    return np.ones_like(z)


def forward_backward(spec: NetworkSpec, sample: int = 0) -> NetworkPass:
    """One sample of the data set through the freshly built network and back: the layers' values,
    deltas and parameter gradients, and the traced graph they come from."""
    model = build_mlp(spec)
    x_all, y_all = make_dataset(spec)
    if not 0 <= sample < len(x_all):
        raise ValueError(f"sample {sample} is not in the {spec.dataset} data set (it has {len(x_all)} samples)")
    x, y = x_all[sample:sample + 1], y_all[sample:sample + 1]  # a batch of one: nn.Linear is then addmm
    graph = trace(model, mse, x=x, y=y)
    parameters = dict(model.named_parameters())
    layers, h_prev = [], graph.node("x").value[0]
    for i, name in enumerate(spec.layer_names, start=1):
        hidden = i < len(spec.layer_names)
        z_node = graph.node(name)
        h = graph.node(f"act{i}").value[0] if hidden else z_node.value[0]
        activation = spec.activation if hidden else "identity"
        layers.append(LayerPass(
            name, activation, h_prev, _array(parameters[f"{name}.weight"]), _array(parameters[f"{name}.bias"]),
            z_node.value[0], h, _slope(activation, z_node.value[0], h), z_node.grad[0],
            _array(parameters[f"{name}.weight"].grad), _array(parameters[f"{name}.bias"].grad)))
        h_prev = h
    return NetworkPass(spec, x[0].numpy().copy(), y[0].numpy().copy(), layers[-1].output, float(graph.output.value),
                       tuple(layers), graph)


def _array(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().copy()


def _parameters(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: _array(p) for name, p in model.named_parameters()}


@dataclass(frozen=True)
class TrainingStep:
    """One `optimizer.zero_grad(); loss.backward(); optimizer.step()` of SGD on the whole data set."""

    spec: NetworkSpec
    loss_before: float
    loss_after: float  # the same data through the stepped network, computed again by torch
    before: dict[str, np.ndarray]  # parameter name (fc1.weight, ...) -> its value before the step
    grads: dict[str, np.ndarray]  # -> its .grad
    after: dict[str, np.ndarray]  # -> its value after: before - lr * grad


def training_step(spec: NetworkSpec) -> TrainingStep:
    """The first step of training the freshly built network with `torch.optim.SGD(lr=spec.lr)`."""
    model = build_mlp(spec)
    x, y = make_dataset(spec)
    optimizer = torch.optim.SGD(model.parameters(), lr=spec.lr)
    before = _parameters(model)
    optimizer.zero_grad()
    loss = mse(model(x), y)
    loss.backward()
    grads = {name: _array(p.grad) for name, p in model.named_parameters()}
    optimizer.step()
    with torch.no_grad():
        loss_after = float(mse(model(x), y))
    return TrainingStep(spec, loss.item(), loss_after, before, grads, _parameters(model))


@dataclass(frozen=True)
class TrainingRun:
    """`spec.steps` steps of full-batch SGD: the loss before each step and after the last, and the
    network's output at `FRAMES + 1` moments, sampled on a grid (2 inputs) or along a line (1 input)."""

    spec: NetworkSpec
    x: np.ndarray  # the data set, (n, in)
    y: np.ndarray  # (n, out)
    losses: np.ndarray  # (steps + 1,): losses[k] is the loss after k steps
    frame_steps: tuple[int, ...]  # the steps the snapshots are taken at: 0 ... steps
    grid: tuple[np.ndarray, ...]  # the sample points per input axis, (GRID_POINTS,) each; () for 3+ inputs
    outputs: np.ndarray  # output 0 of the network at each frame: (frames, G, G), (frames, G) or (frames, 0)
    predictions: np.ndarray  # the trained network's outputs on x, (n, out)
    final: dict[str, np.ndarray] = field(default_factory=dict)  # the parameters after the last step

    @property
    def diverged_at(self) -> int | None:
        """The first step whose loss is not a finite number (a learning rate too large), or None."""
        bad = np.flatnonzero(~np.isfinite(self.losses))
        return int(bad[0]) if bad.size else None

    @property
    def correct(self) -> int:
        """xor: samples whose every output is on its target's side of BOUNDARY_LEVEL (regression: 0)."""
        if self.spec.dataset != "xor":
            return 0
        return int(np.all((self.predictions > BOUNDARY_LEVEL) == (self.y > BOUNDARY_LEVEL), axis=1).sum())

    @property
    def kind(self) -> str:
        """What the output can be drawn as: "boundary" (2 inputs), "curve" (1 input) or "none"."""
        return {2: "boundary", 1: "curve"}.get(len(self.grid), "none")


def _grid(x: torch.Tensor) -> tuple[np.ndarray, ...]:
    """Sample points on each axis, a margin beyond the data, for 1 or 2 inputs."""
    if x.shape[1] > 2:
        return ()
    lo, hi = x.min(dim=0).values.numpy(), x.max(dim=0).values.numpy()
    margin = 0.25 * (hi - lo) + 1e-9
    return tuple(np.linspace(a - m, b + m, GRID_POINTS) for a, b, m in zip(lo, hi, margin))


def _sample(model: nn.Module, grid: tuple[np.ndarray, ...]) -> np.ndarray:
    if not grid:
        return np.zeros(0)
    mesh = np.meshgrid(*grid, indexing="xy")  # rows follow the second input, columns the first
    points = torch.tensor(np.stack([m.reshape(-1) for m in mesh], axis=1), dtype=torch.float64)
    with torch.no_grad():
        return model(points)[:, 0].numpy().reshape(mesh[0].shape)


def frame_steps(steps: int, frames: int = FRAMES) -> tuple[int, ...]:
    """Steps 0 ... steps at most `frames` + 1 of them, spread evenly (every step when there are few)."""
    return tuple(sorted({round(k * steps / frames) for k in range(frames + 1)}))


def train(spec: NetworkSpec) -> TrainingRun:
    """Train the freshly built network for `spec.steps` steps of full-batch SGD, keeping the loss at
    every step and the network's output at `frame_steps` moments."""
    model = build_mlp(spec)
    x, y = make_dataset(spec)
    optimizer = torch.optim.SGD(model.parameters(), lr=spec.lr)
    grid, moments = _grid(x), frame_steps(spec.steps)
    losses, outputs = [], []
    for step in range(spec.steps + 1):
        if step in moments:
            outputs.append(_sample(model, grid))
        optimizer.zero_grad()
        loss = mse(model(x), y)
        losses.append(loss.item())
        if step < spec.steps:
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predictions = model(x).numpy().copy()
    return TrainingRun(spec, x.numpy().copy(), y.numpy().copy(), np.array(losses), moments, grid,
                       np.array(outputs), predictions, _parameters(model))


@dataclass(frozen=True)
class GradientCheck:
    """A parameter's gradient by a hand formula against autograd's `.grad`, compared by `torch.allclose`."""

    parameter: str  # "fc2.weight"
    by_hand: np.ndarray
    grad: np.ndarray
    close: bool  # torch.allclose(by_hand, grad)
    largest_difference: float


@dataclass(frozen=True)
class HandBackward:
    """The backward pass written out by hand from the forward values alone: each layer's delta, output
    first (delta_out = 2 (y_hat - y) / n_out, delta_prev = W^T delta * f'(z)), and every parameter's
    check (dL/dW = delta h^T, dL/db = delta), last layer first, weight before bias."""

    deltas: tuple[np.ndarray, ...]  # by layer, in forward order (deltas[0] is fc1's)
    checks: tuple[GradientCheck, ...]

    @property
    def all_close(self) -> bool:
        return all(check.close for check in self.checks)


def hand_backward(net: NetworkPass) -> HandBackward:
    """The hand formulas in torch, on the pass's forward values, each result compared with `.grad`."""
    layers = net.layers
    delta = 2 * (torch.tensor(net.prediction) - torch.tensor(net.y)) / len(net.y)
    deltas: list[torch.Tensor] = [delta]
    for below, layer in zip(reversed(layers[:-1]), reversed(layers[1:])):
        deltas.insert(0, (torch.tensor(layer.weight).T @ deltas[0]) * torch.tensor(below.slope))
    checks = []
    for layer, d in reversed(list(zip(layers, deltas))):
        for kind, by_hand, grad in (("weight", torch.outer(d, torch.tensor(layer.inputs)), layer.weight_grad),
                                    ("bias", d, layer.bias_grad)):
            autograd = torch.tensor(grad)
            checks.append(GradientCheck(f"{layer.name}.{kind}", by_hand.numpy().copy(), grad,
                                        bool(torch.allclose(by_hand, autograd)), float((by_hand - autograd).abs().max())))
    return HandBackward(tuple(d.numpy().copy() for d in deltas), tuple(checks))
