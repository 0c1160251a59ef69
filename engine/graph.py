"""The real autograd graph of a torch computation, with forward values and backward gradients.

`trace` runs the computation once under a `TorchFunctionMode` that records every torch call (so
constants that autograd never sees, like the `2` in `** 2`, are still nodes) and names each result
after the local variable that held it. `GraphBuilder` then turns the calls into nodes and edges one
by one, keeps what the output depends on, checks it against `grad_fn.next_functions` (autograd's own
graph), and collects every node's gradient with tensor hooks during `.backward()`.

Scalars stay floats; a tensor's value and gradient are read-only numpy arrays (`Node.shape` says
which). `trace(model, loss_fn, x=..., y=...)` traces an `nn.Module`: its parameters are learnable
leaves named as torch names them (`fc1.weight`), each submodule's output is named after the
submodule (`fc1`, `act1`), and a shape that does not fit is a `ShapeError` naming the op and shapes.
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal, NamedTuple

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from .expression import ScalarField, parse_function
from .limits import MAX_TENSOR_ELEMENTS

NodeKind = Literal["input", "constant", "op"]

# Python's operator dunders, and what they are called on a graph.
_OPERATOR_NAMES = {
    "add": "add", "radd": "add", "sub": "sub", "rsub": "sub", "mul": "mul", "rmul": "mul",
    "truediv": "div", "rtruediv": "div", "div": "div", "pow": "pow", "rpow": "pow",
    "neg": "neg", "matmul": "matmul", "rmatmul": "matmul", "pos": "pos", "abs": "abs",
}
_INPLACE_DUNDERS = {f"__i{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "pow", "matmul", "mod")} | {"__setitem__"}
_TORCH_DIR = os.path.dirname(torch.__file__)


Value = float | np.ndarray  # a 0-d tensor is a float; any other tensor a read-only array of its shape


class ShapeError(ValueError):
    """Tensors whose shapes do not fit an op: one line naming the op and the shapes, not torch's traceback."""


@dataclass(frozen=True)
class Node:
    """One node: an input, a constant, or an op; `grad` is d output / d node, None where none flows.
    Scalar nodes hold floats; tensor nodes hold arrays (value and grad alike shaped `shape`)."""

    name: str
    kind: NodeKind
    op: str  # "input", "constant", or the op: "mul", "add", "tanh", "pow", "linear", ...
    grad_fn: str | None  # as torch prints it: "AddBackward0", "AddmmBackward0"; "AccumulateGrad" for learnable leaves
    value: Value
    grad: Value | None

    @property
    def learnable(self) -> bool:
        return self.grad_fn == "AccumulateGrad"

    @property
    def shape(self) -> tuple[int, ...]:
        """() for a scalar; the tensor's shape otherwise."""
        return tuple(np.shape(self.value))

    @property
    def size(self) -> int:
        return int(np.size(self.value))

    @property
    def finite(self) -> bool:
        """False when the value or the gradient holds a NaN or an infinity (drawn and said as such)."""
        return bool(np.all(np.isfinite(self.value)) and (self.grad is None or np.all(np.isfinite(self.grad))))


class Edge(NamedTuple):
    """source feeds target; `local_grad` is d target / d source at the forward values."""

    source: str
    target: str
    local_grad: float | None


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]  # in forward (topological) order
    edges: tuple[Edge, ...]
    output_name: str

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"no node named {name!r}; nodes are {', '.join(n.name for n in self.nodes)}")

    @property
    def output(self) -> Node:
        return self.node(self.output_name)

    def forward_order(self) -> list[Node]:
        """Every node, each after all the nodes it is computed from."""
        return list(self.nodes)

    def backward_order(self) -> list[Node]:
        """The nodes gradients reach, from the output back to the leaves."""
        return [n for n in reversed(self.nodes) if n.grad is not None]

    def inputs_of(self, name: str) -> list[Edge]:
        return [e for e in self.edges if e.target == name]

    def outputs_of(self, name: str) -> list[Edge]:
        return [e for e in self.edges if e.source == name]

    def layers(self) -> dict[str, int]:
        """A column per node for a left-to-right drawing: ops one right of their latest input;
        sources (inputs, constants) one left of their first consumer, so no edge runs long."""
        layer: dict[str, int] = {}
        for n in self.nodes:
            if n.kind == "op":
                layer[n.name] = 1 + max((layer.get(e.source, 0) for e in self.inputs_of(n.name)), default=0)
        for n in self.nodes:
            if n.kind != "op":
                consumers = [layer[e.target] for e in self.outputs_of(n.name)]
                layer[n.name] = max(min(consumers) - 1, 0) if consumers else 0
        return layer

    def table(self) -> str:
        """A plain-text table of the nodes, for notebooks and the terminal."""
        def fmt(v: Value | None) -> str:
            if v is None:
                return "-"
            if isinstance(v, np.ndarray):
                return "x".join(map(str, v.shape)) + " [" + " ".join(f"{e:.4g}" for e in v.reshape(-1)[:4]) + (" ...]" if v.size > 4 else "]")
            return f"{v:.6g}"

        rows = [("node", "op", "grad_fn", "value", "grad")]
        rows += [(n.name, n.op, n.grad_fn or "None", fmt(n.value), fmt(n.grad)) for n in self.nodes]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


class _Call(NamedTuple):
    func: Callable
    args: tuple
    kwargs: dict
    out: torch.Tensor


class _Recorder(TorchFunctionMode):
    """Records every torch call that returns a tensor, in the order the computation makes them."""

    def __init__(self, elements: int = 0) -> None:
        super().__init__()
        self.calls: list[_Call] = []
        self.elements = elements  # numbers held by every tensor so far (the inputs' included)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if (name.endswith("_") and not name.startswith("__")) or name in _INPLACE_DUNDERS:
            raise ValueError(f"in-place operation '{name}' cannot be traced; write it out of place (e.g. a = a + b)")
        try:
            out = func(*args, **kwargs)
        except RuntimeError as err:
            raise _shape_error(func, args, err) from None
        if isinstance(out, torch.Tensor) and not any(out is a for a in args):
            self.calls.append(_Call(func, tuple(args), dict(kwargs), out))
            self.elements += out.numel()
            if self.elements > MAX_TENSOR_ELEMENTS:
                raise ValueError(f"the computation holds over {MAX_TENSOR_ELEMENTS:,} numbers in all (at {_op_name(func)}, "
                                 f"shape {tuple(out.shape)}); trace a smaller one")
        return out


def _shape_error(func: Callable, args: tuple, err: RuntimeError) -> Exception:
    """torch's error as one line; a ShapeError naming the op and its tensors' shapes when they do not fit."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    shapes = [tuple(a.shape) for a in args if isinstance(a, torch.Tensor)]
    if any(word in first for word in ("shape", "size", "dimension")) and shapes:
        shown = " and ".join(str(shape) for shape in shapes)
        return ShapeError(f"{_op_name(func)}: shapes {shown} do not fit ({first})")
    return RuntimeError(first)


def _op_name(func: Callable) -> str:
    name = getattr(func, "__name__", str(func))
    if name.startswith("__") and name.endswith("__"):
        return _OPERATOR_NAMES.get(name.strip("_"), name.strip("_"))
    return name


def _capture_local_names(fn: Callable, inputs: dict[str, torch.Tensor]) -> tuple[Any, dict[int, str]]:
    """Call fn, and name each tensor after the first local variable seen holding it on a frame's return."""
    names: dict[int, str] = {}

    def profile(frame, event, arg):
        source = frame.f_code.co_filename
        if event == "return" and not source.startswith((_TORCH_DIR, "<")) and source != __file__:
            for var, val in frame.f_locals.items():
                if isinstance(val, torch.Tensor) and not var.startswith("_"):
                    names.setdefault(id(val), var)

    old = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = fn(**inputs)
    finally:
        sys.setprofile(old)
    return result, names


def _scalar(t: torch.Tensor | float | int) -> float:
    return float(t.detach().reshape(-1)[0]) if isinstance(t, torch.Tensor) else float(t)


def _value(t: torch.Tensor | float | int) -> Value:
    """A 0-d tensor or a number as a float, any other tensor as a read-only float64 array."""
    if not isinstance(t, torch.Tensor) or t.ndim == 0:
        return _scalar(t)
    array = t.detach().to(torch.float64).numpy().copy()
    array.flags.writeable = False
    return array


def _local_grads(call: _Call) -> list[float | None]:
    """d out / d arg for each positional argument, by re-running the one op on fresh leaves; None for
    an op on tensors (its local derivative is a Jacobian, which the graph does not draw)."""
    if any(isinstance(a, torch.Tensor) and a.ndim > 0 for a in (*call.args, call.out)):
        return [None] * len(call.args)
    leaves = [
        (a.detach().clone() if isinstance(a, torch.Tensor) else torch.tensor(float(a), dtype=torch.float64)).requires_grad_(True)
        if isinstance(a, (torch.Tensor, int, float)) and not isinstance(a, bool) and (not isinstance(a, torch.Tensor) or a.is_floating_point())
        else None
        for a in call.args
    ]
    out = call.func(*[leaf if leaf is not None else a for leaf, a in zip(leaves, call.args)], **call.kwargs)
    wanted = [leaf for leaf in leaves if leaf is not None]
    grads = iter(torch.autograd.grad(out.sum(), wanted, allow_unused=True) if wanted else [])
    result: list[float | None] = []
    for leaf in leaves:
        g = next(grads) if leaf is not None else None
        value = None if g is None else _scalar(g)
        result.append(value if value is not None and math.isfinite(value) else None)
    return result


def _walk_grad_fns(root: Any) -> set[int]:
    """Ids of every autograd node reachable from root through next_functions."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    return seen


@dataclass
class _Pending:
    """A node while the graph is built: its torch value is kept until `finish` reads value and grad_fn."""

    name: str
    kind: NodeKind
    op: str
    value: torch.Tensor | float


class _Wire(NamedTuple):
    """source is argument `index` of `call`, whose result is target; its local gradient is found at the end."""

    source: str
    target: str
    call: _Call
    index: int


class GraphBuilder:
    """Turns a recorded computation into a `Graph`, one call at a time, as micrograd's `Value` builds its own.

    `add_input` for each named input, `add_call` for each torch call in the order it ran (its arguments
    become nodes the first time they are seen), then `finish(out)`: keep what `out` depends on, check it
    is autograd's graph, run backward for the gradients and measure each edge's local gradient.
    """

    def __init__(self, local_names: dict[int, str]) -> None:
        self._local_names = local_names  # tensor id -> the variable (or submodule) that held it in the traced code
        self._nodes: dict[str, _Pending] = {}  # by name, in the order they were made (a topological order)
        self._node_of: dict[int, str] = {}  # tensor id -> node name
        self._wires: list[_Wire] = []
        self._inputs: list[str] = []

    def add_input(self, name: str, tensor: torch.Tensor) -> None:
        """A named input of the computation: always in the graph, even when the output ignores it."""
        self._add(name, "input", "input", tensor)
        self._inputs.append(name)

    def add_call(self, call: _Call) -> str:
        """A node for the call's result, wired from a node for each argument that is a number: an op,
        or a constant when no argument is a tensor (`torch.ones(())`)."""
        sources = [self._source(arg) for arg in call.args]
        computed = any(s is not None and isinstance(self._nodes[s].value, torch.Tensor) for s in sources)
        op = _op_name(call.func)
        kind: NodeKind = "op" if computed else "constant"
        name = self._add(self._local_names.get(id(call.out)) or op, kind, op if computed else "constant", call.out)
        self._wires += [_Wire(s, name, call, i) for i, s in enumerate(sources) if s is not None]
        return name

    def finish(self, out: torch.Tensor) -> Graph:
        """The graph of `out`: its nodes in the order they were made, with values, grad_fns and gradients."""
        output = self._node_of[id(out)]
        kept = self._depended_on(output)
        self._check_against_autograd(kept, out)
        grads = self._gradients(kept, out)
        edges = self._edges(kept)
        nodes = tuple(Node(p.name, p.kind, p.op, _grad_fn_name(p.value), _value(p.value),
                           _value(grads[p.name]) if p.name in grads else None)
                      for p in self._nodes.values() if p.name in kept)
        return Graph(nodes, edges, output)

    # --- building ------------------------------------------------------------------------------------
    def _add(self, name: str, kind: NodeKind, op: str, value: torch.Tensor | float) -> str:
        """A new node, its name made unique with a suffix (add, add_2, ...); a tensor is found by id later."""
        unique, k = name, 2
        while unique in self._nodes:
            unique, k = f"{name}_{k}", k + 1
        self._nodes[unique] = _Pending(unique, kind, op, value)
        if isinstance(value, torch.Tensor):
            self._node_of[id(value)] = unique
        return unique

    def _source(self, arg: Any) -> str | None:
        """The node an argument comes from: a tensor's own, a new one for a tensor made outside the
        computation (a model's weight: an input if it requires grad, else a constant) or for a number."""
        if isinstance(arg, torch.Tensor):
            if id(arg) in self._node_of:
                return self._node_of[id(arg)]
            kind: NodeKind = "input" if arg.requires_grad else "constant"
            name = self._local_names.get(id(arg)) or ("leaf" if arg.requires_grad else
                                                      f"{_scalar(arg):g}" if arg.numel() == 1 else "tensor")
            return self._add(name, kind, kind, arg)
        if isinstance(arg, (int, float)) and not isinstance(arg, bool):
            return self._add(f"{arg:g}", "constant", "constant", arg)
        return None

    # --- finishing -----------------------------------------------------------------------------------
    def _depended_on(self, output: str) -> set[str]:
        """The output, every node it is computed from, and every named input."""
        kept = {output}
        for wire in reversed(self._wires):  # a node's wires come after the wires of its sources
            if wire.target in kept:
                kept.add(wire.source)
        return kept | set(self._inputs)

    def _check_against_autograd(self, kept: set[str], out: torch.Tensor) -> None:
        reachable = _walk_grad_fns(out.grad_fn)
        for name in kept:
            value = self._nodes[name].value
            if isinstance(value, torch.Tensor) and value.grad_fn is not None and id(value.grad_fn) not in reachable:
                raise AssertionError(f"node {name} is not in autograd's graph")  # would be a bug in trace

    def _gradients(self, kept: set[str], out: torch.Tensor) -> dict[str, torch.Tensor]:
        """d out / d node for every kept tensor that requires grad, from hooks during `out.backward()`."""
        grads: dict[str, torch.Tensor] = {}

        def hook(name: str) -> Callable[[torch.Tensor], None]:
            return lambda g: grads.__setitem__(name, grads[name] + g.detach() if name in grads else g.detach().clone())

        for name in kept:
            value = self._nodes[name].value
            if isinstance(value, torch.Tensor) and value.requires_grad:
                value.register_hook(hook(name))
        try:
            out.backward()
        except RuntimeError as err:
            raise ValueError(f"backward failed (often an in-place op on a tensor autograd needed): {str(err).splitlines()[0]}") from None
        return grads

    def _edges(self, kept: set[str]) -> tuple[Edge, ...]:
        """The wires into kept nodes, each with its local gradient (one re-run per call, not per wire)."""
        local: dict[int, list[float | None]] = {}
        edges = []
        for wire in self._wires:
            if wire.target in kept:
                if id(wire.call) not in local:
                    local[id(wire.call)] = _local_grads(wire.call)
                edges.append(Edge(wire.source, wire.target, local[id(wire.call)][wire.index]))
        return tuple(edges)


def trace(
    fn_or_expr: Callable[..., torch.Tensor] | str | torch.nn.Module,
    requires_grad: Iterable[str] | Callable[..., torch.Tensor] | None = None,
    **inputs: Any,
) -> Graph:
    """Run a computation on float64 inputs and return its autograd graph.

    `fn_or_expr` is a Python function called as fn(**inputs), or a formula over the input names
    (parsed safely by `parse_function`). `requires_grad` names the learnable inputs (default: all);
    the others are constants. Inputs are numbers, or arrays/tensors (then nodes hold arrays).

    `trace(model, loss_fn, x=..., y=...)` traces `loss_fn(model(x), y)` for an `nn.Module`: x and y are
    constant inputs, the module's parameters its learnable leaves (and their `.grad` is set to this
    loss's gradient, as `loss.backward()` would after `zero_grad()`).

    Raises ValueError for a non-scalar output, nothing learnable, an in-place op that breaks backward,
    or more than MAX_TENSOR_ELEMENTS numbers; ShapeError (a ValueError) for shapes that do not fit.
    """
    if isinstance(fn_or_expr, torch.nn.Module):
        if not callable(requires_grad):
            raise ValueError("trace(model, loss_fn, x=..., y=...) needs a loss function after the module, e.g. torch.nn.functional.mse_loss")
        return _trace_module(fn_or_expr, requires_grad, inputs)
    if callable(requires_grad):
        raise ValueError("a loss function is only taken after an nn.Module: trace(model, loss_fn, x=..., y=...)")
    tensors = _input_tensors(inputs, requires_grad)
    fn = parse_function(fn_or_expr, tuple(inputs)) if isinstance(fn_or_expr, str) else fn_or_expr
    return _run(lambda: (fn(**tensors), {}) if isinstance(fn, ScalarField) else _capture_local_names(fn, tensors),
                tensors)


def _trace_module(model: torch.nn.Module, loss_fn: Callable[..., torch.Tensor], inputs: dict[str, Any]) -> Graph:
    """The graph of loss_fn(model(x), y): parameters by torch's names, submodule outputs by their names."""
    if set(inputs) != {"x", "y"}:
        raise ValueError(f"trace(model, loss_fn, x=..., y=...) takes the inputs x and y, got {', '.join(inputs) or 'none'}")
    parameters = dict(model.named_parameters())
    dtype = next(iter(parameters.values())).dtype if parameters else torch.float64
    data = {name: _as_tensor(name, value, dtype, False) for name, value in inputs.items()}
    for p in parameters.values():
        p.grad = None
    module_names: dict[int, str] = {}

    def namer(name: str) -> Callable[..., None]:
        def hook(module: torch.nn.Module, args: tuple, out: Any) -> None:  # returns None: the output is kept
            module_names.setdefault(id(out), name)
        return hook
    hooks = [module.register_forward_hook(namer(name)) for name, module in model.named_modules() if name]

    def run() -> tuple[torch.Tensor, dict[int, str]]:
        out, local_names = _capture_local_names(lambda x, y: loss_fn(model(x), y), data)
        return out, {**local_names, **module_names}
    try:
        return _run(run, {**data, **parameters})
    finally:
        for hook in hooks:
            hook.remove()


def _run(compute: Callable[[], tuple[Any, dict[int, str]]], tensors: dict[str, torch.Tensor]) -> Graph:
    """Record `compute` (which returns the output and tensor names), then build its graph; the named
    tensors are the graph's inputs, in order."""
    recorder = _Recorder(sum(t.numel() for t in tensors.values()))
    if recorder.elements > MAX_TENSOR_ELEMENTS:
        raise ValueError(f"the inputs hold {recorder.elements:,} numbers; trace at most {MAX_TENSOR_ELEMENTS:,} in all")
    try:
        with recorder:
            out, local_names = compute()
    except RuntimeError as err:
        raise ValueError(f"the computation failed in torch: {str(err).splitlines()[0]}") from None
    _check_output(out)
    graph = GraphBuilder(local_names)
    for name, tensor in tensors.items():
        graph.add_input(name, tensor)
    for call in recorder.calls:
        graph.add_call(call)
    return graph.finish(out)


def _as_tensor(name: str, value: Any, dtype: torch.dtype, learnable: bool) -> torch.Tensor:
    """An input as a tensor of `dtype`: a number must be finite; an array may hold NaN or inf (shown as such)."""
    if isinstance(value, bool) or isinstance(value, str):
        raise ValueError(f"input {name} = {value!r} is not a number or an array of numbers")
    if isinstance(value, (int, float)):
        if not math.isfinite(float(value)):
            raise ValueError(f"input {name} = {value!r} is not a finite number")
        return torch.tensor(float(value), dtype=dtype, requires_grad=learnable)
    try:
        tensor = torch.as_tensor(np.asarray(value.detach() if isinstance(value, torch.Tensor) else value, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"input {name} is not a number or an array of numbers") from None
    if tensor.numel() > MAX_TENSOR_ELEMENTS:
        raise ValueError(f"input {name} holds {tensor.numel():,} numbers; trace at most {MAX_TENSOR_ELEMENTS:,} in all")
    return tensor.to(dtype).requires_grad_(learnable)


def _input_tensors(inputs: dict[str, Any], requires_grad: Iterable[str] | None) -> dict[str, torch.Tensor]:
    """A float64 tensor per input (0-d for a number), requiring grad if learnable (default: all are)."""
    if not inputs:
        raise ValueError("trace needs at least one named input, e.g. trace(expr, w=-0.5, x=1)")
    learnable = set(inputs) if requires_grad is None else set(requires_grad)
    unknown = learnable - set(inputs)
    if unknown:
        raise ValueError(f"learnable {', '.join(sorted(unknown))} not among the inputs {', '.join(inputs)}")
    return {name: _as_tensor(name, value, torch.float64, name in learnable) for name, value in inputs.items()}


def _check_output(out: Any) -> None:
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"trace needs a scalar output (one number), got {shape}; reduce it, e.g. with .sum()")
    if out.grad_fn is None:
        raise ValueError("the output does not depend on any learnable input; list one in requires_grad")


def _grad_fn_name(value: torch.Tensor | float) -> str | None:
    if not isinstance(value, torch.Tensor) or not value.requires_grad:
        return None
    return "AccumulateGrad" if value.grad_fn is None else type(value.grad_fn).__name__
