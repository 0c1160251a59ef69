"""What the autograd scenes show, from the params: the graph traced by the engine and the code that
builds it, each line with the nodes it creates. Pure Python (no manim): tested on its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import engine
from engine import Graph
from engine.expression import FUNCTIONS
from engine.neuron import neuron_loss
from scenes.kit.params import LectureParams


def loss_source(params: LectureParams) -> Callable | str:
    """The notebook's neuron and squared loss, or the lecturer's formula."""
    return neuron_loss if params.expr is None else params.expr


def lecture_graph(params: LectureParams) -> Graph:
    return engine.trace(loss_source(params), requires_grad=params.learnable, **params.values)


def torch_code(expr: str) -> str:
    """A formula as PyTorch code: `sin(a)` becomes `torch.sin(a)`."""
    names = "|".join(sorted(FUNCTIONS, key=len, reverse=True))
    return re.sub(rf"\b({names})\(", r"torch.\1(", expr)


def captions(params: LectureParams, graph: Graph) -> dict[str, str]:
    """Names under op nodes: the notebook's code names its results itself; a formula's result is the loss."""
    return {} if params.expr is None else {graph.output_name: "loss"}


@dataclass(frozen=True)
class CodeLine:
    text: str
    nodes: tuple[str, ...]  # the graph nodes this line creates, in the order they appear


def tensor_code(name: str, value: float, learnable: bool, owner: str = "") -> str:
    flag = ", requires_grad=True" if learnable else ""
    shown = name if owner else repr(float(value))
    return f"{owner}{name} = torch.tensor([{shown}]{flag})"


def graph_code(params: LectureParams, graph: Graph) -> list[CodeLine]:
    """The code that builds `graph`, each line with the nodes it creates.

    The notebook: its two `requires_grad` lines, `prediction = ...` and `loss = ...`. A formula: one
    tensor line per input and `loss = <formula>`. Ops go to the first line whose result is at or
    after them; an input or constant not declared on its own line appears with its first consumer.
    """
    learnable = set(params.learnable)
    if params.expr is None:
        declared = ["w", "b"]
        texts = [tensor_code(n, params.values[n], n in learnable, owner="self.") for n in declared]
        texts += ["prediction = torch.tanh(x * self.w + self.b)", "loss = (y_true - y_prediction)**2"]
        results = ["prediction", graph.output_name]
    else:
        declared = list(params.values)
        texts = [tensor_code(n, v, n in learnable) for n, v in params.values.items()]
        texts += [f"loss = {torch_code(params.expr)}"]
        results = [graph.output_name]
    order = {n.name: i for i, n in enumerate(graph.forward_order())}
    line_of: dict[str, int] = {n: i for i, n in enumerate(declared)}
    first_result_line = len(declared)
    result_lines = [(order[r], first_result_line + i) for i, r in enumerate(results) if r in order]
    for n in graph.nodes:
        if n.kind == "op":
            line_of[n.name] = next((line for pos, line in result_lines if pos >= order[n.name]), len(texts) - 1)
    position = dict(order)
    for n in graph.nodes:  # undeclared inputs and constants: just before their first consumer
        if n.name not in line_of:
            consumers = [e.target for e in graph.outputs_of(n.name)]
            first = min(consumers, key=lambda c: order[c]) if consumers else None
            line_of[n.name] = line_of[first] if first else len(texts) - 1
            position[n.name] = order[first] - 0.5 if first else order[n.name]
    return [CodeLine(text, tuple(sorted((n for n, line in line_of.items() if line == i), key=position.get)))
            for i, text in enumerate(texts)]
