"""The pass scenes of the part-2 lecture (mlp-forward, mlp-backward), rendered once with the whole lecture
(tiny, the `rendered_part2` fixture): every number they record and show is what torch gives when the
test computes it itself, and their last frames match the goldens (UPDATE_GOLDEN=1 accepts new ones).
A network with two hidden layers runs through the backward scene as a still, so its other branches run too."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from engine.network import NetworkSpec, build_mlp, make_dataset
from lecture.options.table import QUALITIES
from lecture.render.jobs import Job
from scenes.kit.params import LectureParams
from tests.test_scenes import assert_matches_golden

MINE = ["mlp-forward", "mlp-backward"]
SPEC = NetworkSpec()  # the lecture's defaults: 2-3-1, tanh, xor


def sidecar(rendered: Path, scene_id: str) -> dict:
    return json.loads((rendered / f"{scene_id}.json").read_text())


def shown_number(tex: str) -> float:
    """A number as the scenes typeset it: 0.465, -0.0574, 1.2 \\times 10^{-5}."""
    mantissa, _, exponent = tex.partition(r" \times 10^")
    return float(mantissa) * 10 ** int(exponent.strip("{}") or 0)


def assert_shown(texts: list[list[str]], expected: np.ndarray) -> None:
    """Every cell of a matrix on screen is torch's number to the three digits shown."""
    shown = np.array([[shown_number(t) for t in row] for row in texts])
    np.testing.assert_allclose(shown, np.atleast_2d(expected.T).T if expected.ndim == 1 else expected, rtol=6e-3, atol=1e-12)


@pytest.fixture(scope="module")
def torch_pass() -> dict[str, np.ndarray]:
    """The first sample through the freshly built network and back, with torch alone."""
    model = build_mlp(SPEC)
    x, y = make_dataset(SPEC)
    x, y = x[:1], y[:1]
    z1 = model.fc1(x)
    z1.retain_grad()
    h1 = torch.tanh(z1)
    z2 = model.fc2(h1)
    z2.retain_grad()
    loss = F.mse_loss(z2, y)
    loss.backward()
    arrays = dict(x=x[0], y=y[0], W1=model.fc1.weight, b1=model.fc1.bias, z1=z1[0], h1=h1[0], W2=model.fc2.weight,
                  b2=model.fc2.bias, z2=z2[0], delta1=z1.grad[0], delta2=z2.grad[0], dW1=model.fc1.weight.grad,
                  dW2=model.fc2.weight.grad, loss=loss)
    return {k: v.detach().numpy() for k, v in arrays.items()}


def test_mlp_forward_records_and_shows_torchs_forward_pass(rendered_part2, torch_pass):
    values = sidecar(rendered_part2, "mlp-forward")["values"]
    t = torch_pass
    for name in ("x", "y", "W1", "b1", "z1", "h1", "W2", "b2", "z2"):
        np.testing.assert_allclose(values[name], t[name], rtol=1e-12, err_msg=name)
    assert values["prediction"] == pytest.approx(t["z2"].tolist(), rel=1e-12) and values["loss"] == pytest.approx(float(t["loss"]))
    first = values["first_layer_matrices"]  # W1 x + b1 = z1 once every row has landed
    for tex, name in ((r"W_{1}", "W1"), ("x", "x"), (r"b_{1}", "b1"), (r"z_{1}", "z1")):
        assert_shown(first[tex], t[name])
    assert_shown(values["last_layer_matrices"][r"h_{1}"], t["h1"])
    assert_shown(values["last_layer_matrices"][r"z_{2}"], t["z2"])
    picture = values["loss_picture"]  # x above the inputs, h above the hidden neurons, the prediction, the loss
    assert [shown_number(picture[f"value 1,{i}"]) for i in range(3)] == pytest.approx(t["h1"].tolist(), rel=6e-3)
    assert shown_number(picture["value 2,0"]) == pytest.approx(float(t["z2"][0]), rel=6e-3)
    assert shown_number(picture["value 3,0"]) == pytest.approx(float(t["loss"]), rel=6e-3)


def test_mlp_backward_records_and_shows_torchs_gradients(rendered_part2, torch_pass):
    values = sidecar(rendered_part2, "mlp-backward")["values"]
    t = torch_pass
    for name in ("delta1", "delta2", "dW1", "dW2"):
        np.testing.assert_allclose(values[name], t[name], rtol=1e-12, err_msg=name)
    # the hand formulas the scene draws are torch's .grad: delta h^T, and W^T delta times tanh'
    np.testing.assert_allclose(np.outer(t["delta2"], t["h1"]), t["dW2"], rtol=1e-12)
    np.testing.assert_allclose((t["W2"].T @ t["delta2"]) * (1 - t["h1"] ** 2), t["delta1"], rtol=1e-12)
    assert_shown(values["last_weight_grad_matrices"][r"\partial L / \partial W_{2}"], t["dW2"])
    assert_shown(values["hidden_delta_matrices"][r"\delta_{1}"], t["delta1"])
    assert_shown(values["first_weight_grad_matrices"][r"\partial L / \partial W_{1}"], t["dW1"])
    picture = values["first_weight_grad_picture"]  # every delta landed under its neuron
    assert [shown_number(picture[f"grad 1,{i}"]) for i in range(3)] == pytest.approx(t["delta1"].tolist(), rel=6e-3)
    assert shown_number(picture["grad 2,0"]) == pytest.approx(float(t["delta2"][0]), rel=6e-3)


@pytest.mark.parametrize("scene_id", MINE)
def test_pass_scenes_last_frames_match_golden(rendered_part2, scene_id):
    assert_matches_golden(rendered_part2, scene_id)


@pytest.mark.slow
def test_a_deeper_network_runs_through_the_backward_scene(tmp_path):
    """Two hidden layers (the weight gradient between them too), in the light theme, on the regression data:
    the smallest such network, 1,1,1,1, so the still is cheap (the storyboards of 3,4,4,2 were looked at)."""
    params = LectureParams(layers=(1, 1, 1, 1), dataset="regression", theme="light")
    job = Job("mlp-backward", QUALITIES["t"], "still", False, params, tmp_path / "out")
    result = subprocess.run([sys.executable, "-m", "lecture.render.worker", json.dumps(job.payload(tmp_path / "cache"))],
                            cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    still = np.asarray(Image.open(tmp_path / "out" / "mlp-backward.png").convert("L"))
    assert still.shape == (108, 192) and (still < 240).mean() > 0.05  # a drawing on the light background (0.15 measured)


@pytest.mark.slow
def test_matrices_draw_nan_and_infinities_and_large_ones_by_shape_and_colour():
    """Built, not rendered: a 9 x 12 tensor is a colour map named with its shape (NaN a hollow square,
    +inf the top colour of the map), a small one writes NaN and infinity as such; all inside the box."""
    from manim import ManimColor

    from scenes.widgets.network_diagram import MatrixEquation, Term
    from scenes.widgets.network_layout import Box
    from scenes.kit.theme import DARK

    big = np.arange(108, dtype=float).reshape(9, 12)
    big[0, 0], big[1, 1] = np.nan, np.inf
    small = np.array([np.nan, np.inf, -np.inf, 0.5])
    box = Box(2, -1, 7, 4)
    eq = MatrixEquation([Term("W", "W", big, DARK.learnable), "=", Term("v", "v", small, DARK.forward)], DARK, box, 22)
    assert eq.label("W").tex_string == r"W\ (9 \times 12)" and eq.label("v").tex_string == "v"
    nan_cell, inf_cell = eq.cell("W", 0, 0), eq.cell("W", 1, 1)
    assert nan_cell.get_fill_opacity() == 0 and nan_cell.get_stroke_width() > 0
    assert inf_cell.get_fill_color() == ManimColor(DARK.surface[-1])
    assert eq.shown() == {"v": [[r"\mathrm{NaN}"], [r"\infty"], [r"-\infty"], ["0.5"]]}  # the map's numbers are not shown
    assert box.left - 1e-6 <= eq.get_left()[0] and eq.get_right()[0] <= box.right + 1e-6
    assert box.bottom - 1e-6 <= eq.get_bottom()[1] and eq.get_top()[1] <= box.top + 1e-6


@pytest.mark.parametrize("scene", ["MlpForwardScene", "MlpBackwardScene"])
def test_every_word_a_beat_waits_for_is_marked_in_its_narration(scene):
    """A voiced render waits for `^word`s and pointed phrases (and paces motions from them); a silent one
    never would notice a missing mark."""
    import inspect
    import re

    import scenes.part2.network_pass as module
    from scenes.kit.base import beat_narrations

    cls = getattr(module, scene)
    for name, narration in beat_narrations(cls).items():
        waited = set(re.findall(r'(?:wait_until|play_along|play_steps|paced)\("(\w+)"', inspect.getsource(getattr(cls, name))))
        marks = set(re.findall(r"\^(\w+)", narration)) | set(re.findall(r"\]\((\w+)\)", narration))
        assert waited and waited <= marks, name
