"""The notebook's autograd facts, computed for real with torch: grad_fn names, contagion, detach, accumulation.

Each function runs the few lines of PyTorch the lecture shows and returns what torch reported, as a
small frozen dataclass of plain Python values (plus the traced `Graph` where a picture needs one), so
scenes show torch's own answers and tests pin them to the notebook's numbers (-14, -28, 0, True/False).
Never imports manim.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import torch

from .expression import parse_function
from .graph import Graph, trace
from .neuron import SimpleGraph, analytic_gradients, neuron_loss, sq_loss

LossSource = Callable[..., torch.Tensor] | str  # a function of the named inputs, or a formula over them

# The notebook's grad_fn example: `a = torch.tensor([1.0], ...)`, `b = torch.tensor([-1.0], ...)`, `c = a + b`,
# then "replace + with other single operations (e.g. c = a * b or c = torch.sin(a))".
NOTEBOOK_GRAD_FN_VALUES = {"a": 1.0, "b": -1.0}
NOTEBOOK_GRAD_FN_EXPRS = ("a + b", "a * b", "sin(a)")
NOTEBOOK_CONTAGION_SHAPE = (2, 3)  # W in `Y = W @ X`: any shape shows it; small enough to draw


def grad_fn_name(t: torch.Tensor) -> str | None:
    """What `t.grad_fn` prints, without the address: "AddBackward0", or None for a leaf or a constant."""
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def make_leaves(values: dict[str, float], learnable: Iterable[str]) -> dict[str, torch.Tensor]:
    """The notebook's way to make inputs: `torch.tensor([v], requires_grad=...)`, one-element float tensors."""
    wanted = set(learnable)
    return {name: torch.tensor([float(v)], requires_grad=name in wanted) for name, v in values.items()}


def run_loss(loss: LossSource, leaves: dict[str, torch.Tensor]) -> torch.Tensor:
    """Run `loss` (a function or a formula) on the leaves: one forward pass."""
    fn = parse_function(loss, tuple(leaves)) if isinstance(loss, str) else loss
    return fn(**leaves)


# --- grad_fn ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GradFnExample:
    """`c = <expr>` on user-made leaves: torch's name for c.grad_fn, and the leaves' own grad_fn (None)."""

    expr: str
    graph: Graph  # the traced graph of c, for the picture
    grad_fn: str  # of the result, as torch names it
    leaf_grad_fns: dict[str, str | None]  # user-made leaves have none
    value: float


def grad_fn_example(expr: str, values: dict[str, float] | None = None) -> GradFnExample:
    """Trace `c = expr` over the notebook's a = 1, b = -1 (or `values`); every input requires grad."""
    values = dict(NOTEBOOK_GRAD_FN_VALUES if values is None else values)
    graph = trace(expr, **values)
    leaves = make_leaves(values, values)
    result = run_loss(expr, leaves)
    if grad_fn_name(result) != graph.output.grad_fn:  # two runs of the same op must agree
        raise AssertionError(f"grad_fn {grad_fn_name(result)} != traced {graph.output.grad_fn}")
    return GradFnExample(expr, graph, graph.output.grad_fn,
                         {name: grad_fn_name(t) for name, t in leaves.items()}, graph.output.value)


def next_functions(loss: LossSource, values: dict[str, float], learnable: Iterable[str]) -> tuple[tuple[str | None, int], ...]:
    """`loss.grad_fn.next_functions` by name: how the last op links back to the ops before it."""
    out = run_loss(loss, make_leaves(values, learnable))
    if out.grad_fn is None:
        raise ValueError("the loss has no grad_fn: nothing in it requires grad")
    return tuple((None if fn is None else type(fn).__name__, index) for fn, index in out.grad_fn.next_functions)


# --- requires_grad is contagious ------------------------------------------------------------------
@dataclass(frozen=True)
class Contagion:
    """`Y = W @ X` with only W requiring grad; then any op on Y (`Z = relu(Y)`) is in the graph too."""

    w_shape: tuple[int, ...]
    x_shape: tuple[int, ...]
    y_shape: tuple[int, ...]
    w_requires_grad: bool
    x_requires_grad: bool
    y_requires_grad: bool
    w_grad_fn: str | None
    x_grad_fn: str | None
    y_grad_fn: str | None
    y_is_leaf: bool
    z_requires_grad: bool
    z_grad_fn: str | None


def contagion_demo(shape: tuple[int, int] = NOTEBOOK_CONTAGION_SHAPE, random_seed: int = 0) -> Contagion:
    rows, cols = shape
    generator = torch.Generator().manual_seed(random_seed)
    W = torch.randn(rows, cols, generator=generator, requires_grad=True)
    X = torch.randn(cols, 1, generator=generator)
    Y = W @ X
    Z = torch.relu(Y)
    return Contagion(tuple(W.shape), tuple(X.shape), tuple(Y.shape), W.requires_grad, X.requires_grad,
                     Y.requires_grad, grad_fn_name(W), grad_fn_name(X), grad_fn_name(Y), Y.is_leaf,
                     Z.requires_grad, grad_fn_name(Z))


# --- .detach() before plotting or storing ---------------------------------------------------------
@dataclass(frozen=True)
class Detach:
    """The loss in the graph against `loss.detach()`: same number, no history."""

    value: float
    requires_grad: bool
    grad_fn: str | None
    detached_value: float
    detached_requires_grad: bool
    detached_grad_fn: str | None
    shares_memory: bool  # detach copies nothing: same storage, cut from the graph
    numpy_error: str | None  # what torch says to `loss.numpy()`, the step every plot takes


def detach_demo(values: dict[str, float], learnable: Iterable[str], loss: LossSource = neuron_loss) -> Detach:
    out = run_loss(loss, make_leaves(values, learnable))
    detached = out.detach()
    try:
        out.numpy()
        error = None
    except RuntimeError as err:
        error = str(err).split(". ")[0].strip().rstrip(".") + "."
    return Detach(out.item(), out.requires_grad, grad_fn_name(out), detached.item(), detached.requires_grad,
                  grad_fn_name(detached), detached.data_ptr() == out.data_ptr(), error)


# --- gradients accumulate -------------------------------------------------------------------------
@dataclass(frozen=True)
class Accumulation:
    """`.grad` of every learnable leaf after each forward + backward without zeroing, then zeroed.

    `zeroed`: after `p.grad.zero_()`; `after_zero_grad`: after an optimizer's `zero_grad()` (torch >= 2
    sets grads to None, which the next backward treats as 0); `fresh`: one more forward + backward
    after zeroing, which gives the single gradient again.
    """

    grads: tuple[dict[str, float], ...]
    zeroed: dict[str, float]
    after_zero_grad: dict[str, float | None]
    fresh: dict[str, float]


def accumulation_demo(values: dict[str, float], learnable: Iterable[str], times: int = 2,
                      loss: LossSource = neuron_loss) -> Accumulation:
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")
    leaves = make_leaves(values, learnable)
    params = [t for t in leaves.values() if t.requires_grad]
    if not params:
        raise ValueError("accumulation needs at least one learnable input")
    names = [n for n, t in leaves.items() if t.requires_grad]

    def backward_once() -> None:
        run_loss(loss, leaves).sum().backward()

    def grads() -> dict[str, float | None]:
        return {n: None if leaves[n].grad is None else leaves[n].grad.item() for n in names}

    history = []
    for _ in range(times):
        backward_once()
        history.append(grads())
    for p in params:
        p.grad.zero_()
    zeroed = grads()
    backward_once()  # make gradients again, to zero them the optimizer's way
    torch.optim.SGD(params, lr=0.1).zero_grad()
    after_zero_grad = grads()
    backward_once()
    return Accumulation(tuple(history), zeroed, after_zero_grad, grads())


# --- the notebook's own check: autograd against the hand-derived gradients -------------------------------
@dataclass(frozen=True)
class NotebookCheck:
    """The notebook's last cell run as written: `print(ana_dloss_dw == autograd_dloss_dw)` and the same for b."""

    analytic: dict[str, float]  # dloss_dw, dloss_db from the formulas, in the notebook's float32 tensors
    autograd: dict[str, float]  # w.grad, b.grad after square_loss.backward()
    matches: dict[str, bool]
    printed: dict[str, str]  # what print() shows: "tensor([True])"


def notebook_gradient_check(w: float, b: float, x: float, y: float) -> NotebookCheck:
    feature, target = torch.tensor([float(x)]), torch.tensor([float(y)])
    simple_graph = SimpleGraph(float(w), float(b))
    prediction = simple_graph.forward(feature)
    square_loss = sq_loss(target, prediction)
    p = prediction.detach()
    ana_dloss_dw = -2 * feature * (target - p) * (1 - p**2)
    ana_dloss_db = -2 * (target - p) * (1 - p**2)
    square_loss.backward()
    autograd = {"dloss_dw": simple_graph.w.grad, "dloss_db": simple_graph.b.grad}
    analytic = {"dloss_dw": ana_dloss_dw, "dloss_db": ana_dloss_db}
    same = {k: analytic[k] == autograd[k] for k in analytic}
    reference = analytic_gradients(w=w, b=b, x=x, y=y)  # the engine's float64 formulas agree too
    for k in analytic:
        if not torch.allclose(analytic[k].double(), torch.tensor([reference[k]], dtype=torch.float64), rtol=1e-4, atol=1e-4):
            raise AssertionError(f"{k}: notebook formula {analytic[k].item()} != engine {reference[k]}")
    return NotebookCheck({k: v.item() for k, v in analytic.items()}, {k: v.item() for k, v in autograd.items()},
                     {k: bool(v.all()) for k, v in same.items()}, {k: str(v) for k, v in same.items()})
