"""The check and training scenes' code is real PyTorch that gives the engine's answers, and the decision
boundary's segments lie on the level they trace."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.network import NetworkSpec, build_mlp, forward_backward, make_dataset, mse
from scenes.widgets.contour import level_segments
from scenes.part2.training_code import check_code, parameter_tex, step_code


@pytest.mark.parametrize("spec", [NetworkSpec(), NetworkSpec(layers=(3, 4, 4, 2), activation="relu"),
                                  NetworkSpec(layers=(1, 3, 1), activation="sigmoid", dataset="regression")])
def test_the_check_code_runs_and_prints_true(spec):
    """Run the shown lines after the lecture's forward pass and loss.backward(): every comparison is True."""
    model = build_mlp(spec)
    x_all, y_all = make_dataset(spec)
    namespace = {"torch": torch, "x": x_all[0], "y": y_all[0]}
    h = namespace["x"]
    for k, name in enumerate(spec.layer_names, start=1):
        layer = getattr(model, name)
        namespace[name] = layer
        z = layer(h)
        namespace[f"z{k}"] = z.detach()
        h = getattr(model, f"act{k}")(z) if hasattr(model, f"act{k}") else z
        namespace["y_hat" if k == len(spec.layer_names) else f"h{k}"] = h.detach() if k < len(spec.layer_names) else h
    loss = mse(namespace["y_hat"], namespace["y"])
    loss.backward()
    namespace["y_hat"] = namespace["y_hat"].detach()
    code = check_code(spec)
    results = []
    for line in code.texts:
        if line.startswith("torch.allclose"):
            results.append(eval(line, namespace))
        else:
            exec(line, namespace)
    assert results == [True] * (2 * len(spec.layer_names)) and len(code.check_lines()) == len(results)
    net = forward_backward(spec)  # the deltas the code computes are the engine's
    np.testing.assert_allclose(namespace["d1"].detach().numpy(), net.layers[0].delta, rtol=1e-12, atol=1e-15)
    assert code.lines[code.delta_line(0)].text.startswith("d1 = ")


def test_the_step_code_and_names():
    code = step_code(NetworkSpec(lr=0.25))
    assert code.lines[code.optimizer].endswith("lr=0.25)") and code.lines[code.step] == "optimizer.step()"
    assert code.zero_grad < code.loss < code.backward < code.step
    assert parameter_tex("fc2.weight") == "W_{2}" and parameter_tex("fc1.bias") == "b_{1}"


def test_level_segments_lie_on_the_level():
    xs = ys = np.linspace(-1, 1, 21)
    z = np.add.outer(ys**2, xs**2)  # z[row, column] = y^2 + x^2: the level 0.5 is a circle
    segments = level_segments(xs, ys, z, 0.5)
    ends = np.array([p for s in segments for p in s])
    assert len(segments) > 20
    np.testing.assert_allclose(np.hypot(ends[:, 0], ends[:, 1]), np.sqrt(0.5), atol=0.02)
    assert level_segments(xs, ys, np.ones((21, 21)), 0.5) == []
    saddle = np.array([[1.0, 0.0], [0.0, 1.0]])  # two opposite corners above: two segments, not crossing
    assert len(level_segments(np.array([0.0, 1.0]), np.array([0.0, 1.0]), saddle, 0.5)) == 2
    z[3, 3] = np.nan
    assert level_segments(xs, ys, z, 0.5)  # a NaN corner leaves its cells out, not the rest
