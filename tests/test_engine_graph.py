"""trace() against the notebook's numbers, analytic formulas and autograd's own results."""
import math

import pytest
import torch

from engine import trace
from engine.neuron import SimpleGraph, analytic_gradients, neuron_loss, sq_loss

NOTEBOOK_NEURON_VALUES = dict(w=-0.5, b=0.5, x=1.0, y=7.0)


@pytest.fixture(scope="module")
def neuron_graph():
    return trace(neuron_loss, requires_grad=["w", "b"], **NOTEBOOK_NEURON_VALUES)


def test_notebook_numbers(neuron_graph):
    g = neuron_graph
    assert g.node("prediction").value == 0.0
    assert g.output.value == 49.0
    assert g.node("w").grad == -14.0 and g.node("b").grad == -14.0
    expected = analytic_gradients(**NOTEBOOK_NEURON_VALUES)
    assert g.node("w").grad == pytest.approx(expected["dloss_dw"])
    assert g.node("b").grad == pytest.approx(expected["dloss_db"])


def test_names_and_grad_fns_are_torchs(neuron_graph):
    g = neuron_graph
    assert g.output_name == "loss"
    assert g.node("prediction").grad_fn == "TanhBackward0"
    assert g.output.grad_fn == "PowBackward0"
    assert g.node("w").grad_fn == "AccumulateGrad"
    assert g.node("x").grad_fn is None and g.node("x").grad is None  # a constant input
    assert g.node("y").kind == "input" and not g.node("y").learnable
    assert {n.op for n in g.nodes} >= {"mul", "add", "tanh", "sub", "pow", "constant"}
    assert g.node("2").kind == "constant" and g.node("2").value == 2.0  # the exponent of ** 2


def test_every_input_is_a_node_and_structure(neuron_graph):
    g = neuron_graph
    names = [n.name for n in g.nodes]
    for name in NOTEBOOK_NEURON_VALUES:
        assert name in names
    assert len(names) == len(set(names))
    forward = [n.name for n in g.forward_order()]
    for e in g.edges:
        assert forward.index(e.source) < forward.index(e.target)
    assert g.backward_order()[0].name == "loss"
    assert g.backward_order()[-1].name in ("w", "b")


def test_gradient_is_sum_of_local_times_upstream(neuron_graph):
    g = neuron_graph
    for n in g.nodes:
        if n.grad is None or n.name == g.output_name:
            continue
        total = sum(e.local_grad * g.node(e.target).grad for e in g.outputs_of(n.name))
        assert total == pytest.approx(n.grad)


def test_local_grads_match_analytic(neuron_graph):
    g = neuron_graph
    local = {(e.source, e.target): e.local_grad for e in g.edges}
    assert local[("w", "mul")] == 1.0  # d(x*w)/dw = x
    assert local[("prediction", "sub")] == -1.0
    assert local[("sub", "loss")] == pytest.approx(2 * 7.0)
    assert local[("add", "prediction")] == pytest.approx(1 - math.tanh(0.0) ** 2)


def test_layers_flow_left_to_right(neuron_graph):
    layers = neuron_graph.layers()
    for e in neuron_graph.edges:
        assert layers[e.source] < layers[e.target]
    assert layers["loss"] == max(layers.values())


def test_matches_notebook_simple_graph_autograd():
    model = SimpleGraph(-0.5, 0.5)
    loss = sq_loss(torch.tensor([7]), model.forward(torch.tensor([1])))
    loss.backward()
    g = trace(neuron_loss, requires_grad=["w", "b"], **NOTEBOOK_NEURON_VALUES)
    assert g.node("w").grad == pytest.approx(model.w.grad.item())
    assert g.node("b").grad == pytest.approx(model.b.grad.item())


def test_expression_string_names_ops():
    g = trace("(y - tanh(w*x + b))**2", requires_grad=["w", "b"], **NOTEBOOK_NEURON_VALUES)
    assert [n.name for n in g.nodes if n.kind == "op"] == ["mul", "add", "tanh", "sub", "pow"]
    assert g.node("w").grad == -14.0
    assert g.node("tanh").grad_fn == "TanhBackward0"


def test_add_backward():
    g = trace(lambda a, b: a + b, a=1.0, b=-1.0)
    assert g.output.grad_fn == "AddBackward0"
    assert g.output.value == 0.0 and g.node("a").grad == 1.0


def test_tensor_used_twice_sums_gradient():
    g = trace(lambda x: x * x, x=3.0)
    assert [e.source for e in g.edges] == ["x", "x"]
    assert g.node("x").grad == 6.0
    assert sum(e.local_grad for e in g.edges) == 6.0


def test_gradients_against_finite_differences():
    def f(a, b, c):
        h = torch.sin(a * b) + c**3 / (1 + torch.exp(-a))
        return torch.sigmoid(h) * b

    point = dict(a=0.3, b=-1.2, c=0.7)
    g = trace(f, **point)
    eps = 1e-6
    for name in point:
        up = {k: torch.tensor(v + (eps if k == name else 0), dtype=torch.float64) for k, v in point.items()}
        down = {k: torch.tensor(v - (eps if k == name else 0), dtype=torch.float64) for k, v in point.items()}
        numeric = (f(**up) - f(**down)).item() / (2 * eps)
        assert g.node(name).grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert g.node("h").kind == "op"  # named after the local variable


def test_errors_are_clear():
    with pytest.raises(ValueError, match="scalar output"):
        trace(lambda x: torch.stack([x, x]), x=1.0)
    with pytest.raises(ValueError, match="in-place"):
        trace(lambda x: x.add_(1), x=1.0)
    with pytest.raises(ValueError, match="learnable"):
        trace(lambda x: x * 2, requires_grad=[], x=1.0)
    with pytest.raises(ValueError, match="not among the inputs"):
        trace(lambda x: x * 2, requires_grad=["q"], x=1.0)
    with pytest.raises(ValueError, match="finite"):
        trace(lambda x: x * 2, x=float("nan"))


def test_in_place_on_intermediate_that_breaks_backward():
    def f(x):
        y = torch.exp(x)
        y.mul_(2)  # exp saves its output for backward; modifying it breaks backward
        return y

    with pytest.raises(ValueError, match="in-place"):
        trace(f, x=1.0)


def test_table_lists_every_node(neuron_graph):
    text = neuron_graph.table()
    for n in neuron_graph.nodes:
        assert n.name in text
    assert "-14" in text and "TanhBackward0" in text
