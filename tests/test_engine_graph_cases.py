"""trace() on every kind of computation the lecture and its tests trace gives the same graph it gave
when it was written as five dicts filled by a closure: tests/golden/graphs.json holds that output,
captured before the rewrite into `GraphBuilder`. Set UPDATE_GOLDEN=1 to accept a deliberate change."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch

from engine import Graph, trace
from engine.notebook import NOTEBOOK_LEARNABLE, NOTEBOOK_NEURON
from engine.neuron import neuron_loss
from engine.notes import NOTEBOOK_GRAD_FN_EXPRS, NOTEBOOK_GRAD_FN_VALUES

GOLDEN = Path(__file__).parent / "golden" / "graphs.json"
WEIGHT = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)  # made outside the traced function
SCALE = torch.tensor(3.0, dtype=torch.float64)


def sigmoid_mix(a, b, c):
    h = torch.sin(a * b) + c**3 / (1 + torch.exp(-a))
    return torch.sigmoid(h) * b


def with_dead_branch(x, y):
    unused = y * 3  # computed but not part of the output: left out of the graph, y stays as an input
    return x * 2


def model_weight(x):
    scaled = x * WEIGHT
    return scaled * SCALE + WEIGHT


def constant_made_inside(x):
    offset = torch.ones((), dtype=torch.float64) * 4
    return x - offset


CASES = {
    "notebook neuron": (neuron_loss, NOTEBOOK_LEARNABLE, NOTEBOOK_NEURON),
    "neuron formula": ("(y - tanh(w*x + b))**2", NOTEBOOK_LEARNABLE, NOTEBOOK_NEURON),
    "neuron formula, all learnable": ("(y - tanh(w*x + b))**2", None, NOTEBOOK_NEURON),
    **{f"grad_fn example {e}": (e, None, NOTEBOOK_GRAD_FN_VALUES) for e in NOTEBOOK_GRAD_FN_EXPRS},
    "a + b": (lambda a, b: a + b, None, {"a": 1.0, "b": -1.0}),
    "x * x": (lambda x: x * x, None, {"x": 3.0}),
    "sigmoid mix": (sigmoid_mix, None, {"a": 0.3, "b": -1.2, "c": 0.7}),
    "w*x+b": ("w*x+b", None, {"w": 1.0, "b": 2.0, "x": 10.0}),
    "reflected operators": ("2**x - 1/x + (-x)", None, {"x": 1.5}),
    "repeated ops": ("sin(a)*sin(b) + sin(a*b)", ["a"], {"a": 0.4, "b": 2.0}),
    "dead branch": (with_dead_branch, None, {"x": 1.0, "y": 5.0}),
    "a model's weight": (model_weight, None, {"x": 0.5}),
    "a constant made inside": (constant_made_inside, None, {"x": 1.0}),
    "a pole's infinite local gradient": ("sqrt(x) * y", None, {"x": 0.0, "y": 2.0}),
}


def as_data(graph: Graph) -> dict:
    return {"nodes": [list(n.__dict__.values()) for n in graph.nodes], "edges": [list(e) for e in graph.edges],
            "output": graph.output_name}


def test_every_case_traces_as_before():
    got = {name: as_data(trace(fn, requires_grad=learnable, **inputs)) for name, (fn, learnable, inputs) in CASES.items()}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1) + "\n")
    expected = json.loads(GOLDEN.read_text())
    assert got.keys() == expected.keys()
    for name in CASES:
        assert got[name] == expected[name], name
