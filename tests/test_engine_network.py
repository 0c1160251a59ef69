"""The part-2 network: layer gradients against the hand formulas and finite differences, tensor traces,
shapes that do not fit, one SGD step and a training run against torch's own arithmetic."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from engine.graph import ShapeError, trace
from engine.limits import MAX_TENSOR_ELEMENTS
from engine.network import (NetworkSpec, build_mlp, forward_backward, frame_steps, hand_backward, make_dataset, mse,
                            train, training_step)

SPECS = [NetworkSpec(), NetworkSpec(layers=(3, 4, 4, 2), activation="sigmoid"),
         NetworkSpec(layers=(1, 4, 1), activation="relu", dataset="regression", seed=3)]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.layers}-{s.activation}-{s.dataset}")
def test_layer_gradients_are_the_hand_formulas(spec):
    """dL/dW = delta h^T, dL/db = delta, delta_prev = W^T delta * f'(z_prev), delta_out = 2 (p - y) / n_out."""
    p = forward_backward(spec)
    last = p.layers[-1]
    np.testing.assert_allclose(last.delta, 2 * (p.prediction - p.y) / len(p.y), rtol=1e-12)
    for layer in p.layers:
        np.testing.assert_allclose(layer.weight_grad, np.outer(layer.delta, layer.inputs), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.bias_grad, layer.delta, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.pre_activation, layer.weight @ layer.inputs + layer.bias, rtol=1e-12)
    for prev, layer in zip(p.layers, p.layers[1:]):
        np.testing.assert_allclose(prev.delta, (layer.weight.T @ layer.delta) * prev.slope, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(layer.inputs, prev.output)
    assert p.loss == pytest.approx(float(np.mean((p.prediction - p.y) ** 2)), rel=1e-12)


@pytest.mark.parametrize("spec", SPECS[:2], ids=["2-3-1 tanh", "3-4-4-2 sigmoid"])
def test_parameter_gradients_against_finite_differences(spec):
    p = forward_backward(spec)
    model = build_mlp(spec)
    x, y = torch.tensor(p.x[None]), torch.tensor(p.y[None])
    eps = 1e-6
    grads = {f"{layer.name}.weight": layer.weight_grad for layer in p.layers} | {f"{layer.name}.bias": layer.bias_grad for layer in p.layers}
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            numeric = np.zeros(parameter.shape)
            for index in np.ndindex(*parameter.shape):
                saved = parameter[index].item()
                parameter[index] = saved + eps
                up = mse(model(x), y).item()
                parameter[index] = saved - eps
                down = mse(model(x), y).item()
                parameter[index] = saved
                numeric[index] = (up - down) / (2 * eps)
            np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-9)


def test_the_traced_graph_names_nodes_as_torch_does():
    p = forward_backward(NetworkSpec())
    g = p.graph
    assert [n.name for n in g.nodes] == ["x", "y", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                         "fc1", "act1", "fc2", "loss"]
    assert [g.node(n).grad_fn for n in ("fc1", "act1", "fc2", "loss")] == ["AddmmBackward0", "TanhBackward0",
                                                                           "AddmmBackward0", "MseLossBackward0"]
    assert g.node("fc1.weight").learnable and g.node("fc1.weight").shape == (3, 2)
    assert not g.node("x").learnable and g.node("x").grad is None and g.node("x").shape == (1, 2)
    assert g.node("fc1").shape == (1, 3) and g.output.shape == () and isinstance(g.output.value, float)
    assert g.output.grad == 1.0 and g.output.value == p.loss
    np.testing.assert_array_equal(g.node("fc1.weight").grad, p.layers[0].weight_grad)
    np.testing.assert_array_equal(g.node("fc2").grad[0], p.layers[1].delta)
    assert g.node("fc1.weight").value.flags.writeable is False  # frozen nodes hold read-only arrays
    assert "AddmmBackward0" in g.table() and "3x2" in g.table()


def test_tensor_functions_trace_with_array_values():
    """f = sum(tanh(W x)): dW = (1 - h^2) x^T, dx = W^T (1 - h^2), by hand."""
    w = np.array([[0.5, -1.0, 0.25], [2.0, 0.1, -0.3]])
    x = np.array([1.0, -2.0, 0.5])

    def f(W, x):
        h = torch.tanh(W @ x)
        return h.sum()

    g = trace(f, W=w, x=x)
    h = np.tanh(w @ x)
    np.testing.assert_allclose(g.node("h").value, h)
    np.testing.assert_allclose(g.node("W").grad, np.outer(1 - h**2, x), rtol=1e-12)
    np.testing.assert_allclose(g.node("x").grad, w.T @ (1 - h**2), rtol=1e-12)
    assert g.node("W").shape == (2, 3) and g.output.shape == ()
    assert all(e.local_grad is None for e in g.edges if e.source == "W")  # a Jacobian is not drawn


def test_shapes_that_do_not_fit_are_one_line_naming_the_op_and_shapes():
    with pytest.raises(ShapeError) as err:
        trace(lambda W, x: (W @ x).sum(), W=np.ones((2, 3)), x=np.ones(2))
    message = str(err.value)
    assert message.startswith("matmul: shapes (2, 3) and (2,) do not fit") and "\n" not in message
    model = build_mlp(NetworkSpec())
    with pytest.raises(ShapeError, match=r"linear: shapes \(1, 3\) and \(3, 2\)"):
        trace(model, mse, x=np.ones((1, 3)), y=np.ones((1, 1)))


def test_too_many_numbers_and_non_finite_values():
    with pytest.raises(ValueError, match="10,000"):
        trace(lambda a: (a * 2).sum(), a=np.ones(MAX_TENSOR_ELEMENTS + 1))
    with pytest.raises(ValueError, match="10,000 numbers in all"):
        trace(lambda a: (torch.outer(a, a)).sum(), a=np.ones(200))  # the inputs fit; the 200 x 200 product does not
    g = trace(lambda a: (a * 2).sum(), a=np.array([1.0, np.nan, np.inf]))  # drawn and said, not fatal
    assert not g.output.finite and not g.node("a").finite and np.isnan(g.output.value)
    with pytest.raises(ValueError, match="loss function"):
        trace(build_mlp(NetworkSpec()), x=np.ones((1, 2)), y=np.ones((1, 1)))


def test_one_training_step_moves_each_weight_by_minus_lr_times_grad():
    spec = NetworkSpec()
    step = training_step(spec)
    model = build_mlp(spec)
    x, y = make_dataset(spec)
    loss = mse(model(x), y)
    loss.backward()
    for name, parameter in model.named_parameters():
        np.testing.assert_array_equal(step.before[name], parameter.detach().numpy())
        np.testing.assert_array_equal(step.grads[name], parameter.grad.numpy())
        np.testing.assert_allclose(step.after[name], step.before[name] - spec.lr * step.grads[name], rtol=1e-15, atol=1e-17)
    assert step.loss_before == loss.item() and step.loss_after < step.loss_before


def test_a_training_run_learns_xor_at_the_defaults():
    spec = NetworkSpec()
    run = train(spec)
    step = training_step(spec)
    assert len(run.losses) == spec.steps + 1
    assert run.losses[0] == step.loss_before and run.losses[1] == pytest.approx(step.loss_after, rel=1e-12)
    assert np.all(np.diff(run.losses) <= 1e-12) and run.losses[-1] < 1e-3  # falls without a bump, to nearly 0
    assert run.kind == "boundary" and run.outputs.shape == (len(run.frame_steps), 41, 41)
    assert run.frame_steps[0] == 0 and run.frame_steps[-1] == spec.steps
    model = build_mlp(spec)  # the last snapshot is the trained network: it separates the four points
    for name, parameter in model.named_parameters():
        parameter.data = torch.tensor(run.final[name])
    np.testing.assert_array_equal((model(torch.tensor(run.x)) > 0.5).numpy(), run.y > 0.5)
    np.testing.assert_array_equal(model(torch.tensor(run.x)).detach().numpy(), run.predictions)
    assert run.correct == 4
    regression = train(NetworkSpec(layers=(1, 3, 1), dataset="regression", steps=20))
    assert regression.kind == "curve" and regression.outputs.shape == (21, 41)
    assert train(NetworkSpec(layers=(3, 4, 2), steps=5)).kind == "none" and run.diverged_at is None
    diverging = train(NetworkSpec(lr=1000, steps=40))  # NaN and infinities are kept, not fatal
    assert diverging.diverged_at is not None and np.isfinite(diverging.losses[:diverging.diverged_at]).all()


def test_data_sets_and_seeds():
    x, y = make_dataset(NetworkSpec())
    assert x.tolist() == [[1, 1], [1, 0], [0, 1], [0, 0]] and y.tolist() == [[0], [1], [1], [0]]
    x3, y3 = make_dataset(NetworkSpec(layers=(3, 4, 2)))
    assert x3.shape == (8, 3) and torch.equal(y3[:, 0], (x3[:, 0] != x3[:, 1]).double())
    a, b = (make_dataset(NetworkSpec(layers=(1, 3, 1), dataset="regression", seed=s))[1] for s in (0, 1))
    assert not torch.equal(a, b) and torch.equal(a, make_dataset(NetworkSpec(layers=(1, 3, 1), dataset="regression"))[1])
    w0, w1 = (build_mlp(NetworkSpec(seed=s)).fc1.weight for s in (0, 0))
    assert torch.equal(w0, w1) and w0.dtype == torch.float64
    assert frame_steps(3) == (0, 1, 2, 3) and len(frame_steps(300)) == 41


@pytest.mark.parametrize("spec, problem", [
    (NetworkSpec(layers=(1, 3, 1)), "xor data set needs at least 2 inputs"),
    (NetworkSpec(layers=(2, 7, 1)), "from 1 to 6"),
    (NetworkSpec(layers=(2, 1)), "hidden"),
    (NetworkSpec(activation="gelu"), "unknown activation"),
    (NetworkSpec(dataset="mnist"), "unknown data set"),
    (NetworkSpec(seed=-1), "seed"),
    (NetworkSpec(lr=0), "learning rate"),
    (NetworkSpec(steps=5000), "from 1 to 2000"),
])
def test_bad_specs_are_refused_in_one_line(spec, problem):
    with pytest.raises(ValueError, match=problem):
        build_mlp(spec)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.layers}-{s.activation}-{s.dataset}")
def test_the_backward_pass_by_hand_agrees_with_grad(spec):
    p = forward_backward(spec)
    hand = hand_backward(p)
    assert hand.all_close and [c.parameter for c in hand.checks][:2] == [f"fc{len(p.layers)}.weight", f"fc{len(p.layers)}.bias"]
    assert len(hand.checks) == 2 * len(p.layers) and max(c.largest_difference for c in hand.checks) < 1e-12
    for delta, layer in zip(hand.deltas, p.layers):  # by hand from forward values, as autograd's hook saw it
        np.testing.assert_allclose(delta, layer.delta, rtol=1e-12, atol=1e-15)
    wrong = forward_backward(spec)  # a wrong slope (f' forgotten) is caught by the same comparison
    broken = replace(wrong, layers=tuple(replace(layer, slope=np.ones_like(layer.slope)) for layer in wrong.layers))
    assert not hand_backward(broken).all_close
