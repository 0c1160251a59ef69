"""The check and training scenes of the part-2 lecture: rendered once (tiny, the `rendered_part2`
fixture), their sidecars hold the numbers torch gives when the test computes them itself, and their last
frames match the goldens. Set UPDATE_GOLDEN=1 to accept new goldens after a look."""
from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.network import NetworkSpec, build_mlp, make_dataset
from scenes.catalog import BY_ID, LECTURE_BY_ID
from tests.conftest import run_lecture
from tests.test_scenes import assert_matches_golden

MINE = ["mlp-check", "training-step", "training-run"]
SPEC = NetworkSpec()  # the lecture's defaults


def sidecar(rendered: Path, scene_id: str) -> dict:
    return json.loads((rendered / f"{scene_id}.json").read_text())


def test_the_part_two_lecture_joins_its_six_clips(rendered_part2):
    lecture = LECTURE_BY_ID["part-2"]
    with av.open(str(rendered_part2 / f"{lecture.stem}.mp4")) as joined:
        titles = [c["metadata"]["title"] for c in joined.chapters()]
    assert titles == [s.title for s in lecture.scenes] and len(titles) == 6  # its title card, then five
    for scene in lecture.ids:
        data = sidecar(rendered_part2, scene)
        assert data["title"] == BY_ID[scene].title and (5 if scene == "part-2-title" else 15) <= data["duration_s"] <= 75, scene
        assert all(s["narration"] and "{" not in s["narration"] for s in data["sections"])
        assert (rendered_part2 / f"{scene}.srt").read_text().strip() and "{" not in data["alt_text"]


def test_mlp_check_shows_torchs_gradients_and_allclose(rendered_part2):
    values = sidecar(rendered_part2, "mlp-check")["values"]
    model = build_mlp(SPEC)
    x, y = make_dataset(SPEC)
    F.mse_loss(model(x[:1]), y[:1]).backward()  # the one sample the pass scenes follow
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(values["grads"][name], parameter.grad.numpy(), rtol=1e-12)
        assert torch.allclose(torch.tensor(values["by_hand"][name], dtype=torch.float64), parameter.grad)
    assert values["printed"] == ["True"] * 4 and values["all_close"] and values["checks"] == 4


def test_training_step_moves_each_weight_as_torchs_sgd_does(rendered_part2):
    values = sidecar(rendered_part2, "training-step")["values"]
    model = build_mlp(SPEC)
    x, y = make_dataset(SPEC)
    optimizer = torch.optim.SGD(model.parameters(), lr=SPEC.lr)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    assert values["lr"] == SPEC.lr and values["loss_before"] == pytest.approx(loss.item(), rel=1e-12)
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(values["before"][name], before[name].numpy(), rtol=1e-12)
        np.testing.assert_allclose(values["grads"][name], parameter.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(values["after"][name], parameter.detach().numpy(), rtol=1e-12)
    with torch.no_grad():
        assert values["loss_after"] == pytest.approx(F.mse_loss(model(x), y).item(), rel=1e-12)
    assert values["loss_after"] < values["loss_before"]


def test_training_run_is_torchs_training(rendered_part2):
    values = sidecar(rendered_part2, "training-run")["values"]
    model = build_mlp(SPEC)
    x, y = make_dataset(SPEC)
    optimizer = torch.optim.SGD(model.parameters(), lr=SPEC.lr)
    losses = []
    for _ in range(SPEC.steps):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        losses.append(F.mse_loss(model(x), y).item())
    np.testing.assert_allclose(values["losses"], losses, rtol=1e-9)
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(values["final"][name], parameter.detach().numpy(), rtol=1e-9)
    assert values["correct"] == 4 and values["steps"] == SPEC.steps


@pytest.mark.parametrize("scene_id", MINE)
def test_last_frame_matches_golden(rendered_part2, scene_id):
    assert_matches_golden(rendered_part2, scene_id)


@pytest.mark.slow
def test_network_options_are_checked_in_one_line(tmp_path):
    for option, value, expected in (("--layers", "1,3,1", "xor data set needs at least 2 inputs"),
                                    ("--train-steps", "5000", "from 1 to 2000"),
                                    ("--activation", "gelu", "gelu")):
        result = run_lecture("render", "mlp-check", option, value, "--out", str(tmp_path / "o"), cwd=tmp_path)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and expected in lines[0], result.stderr
    assert not any((tmp_path / "o").rglob("*"))  # nothing written (the CLI may have made the empty folder)
