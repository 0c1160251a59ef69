"""The code the pass scenes show is the network the engine builds, and numbers that are not finite are drawn as such."""
from __future__ import annotations

import math

import torch

from engine.network import build_mlp
from engine.network_spec import NetworkSpec
from scenes.kit.formatting import short_tex
from scenes.part2.network_code import backward_code, forward_code
from scenes.kit.wording import layers_said


def test_forward_code_declares_the_engines_layers_and_marks_each_layers_line():
    spec = NetworkSpec(layers=(3, 4, 4, 2))
    code = forward_code(spec)
    linear = [m for m in build_mlp(spec).modules() if isinstance(m, torch.nn.Linear)]
    assert code.lines[:3] == tuple(f"fc{k} = nn.Linear({m.in_features}, {m.out_features})" for k, m in enumerate(linear, 1))
    assert [code.lines[i].strip() for i in code.layer_lines] == [
        "h1 = torch.tanh(fc1(x))", "h2 = torch.tanh(fc2(h1))", "return fc3(h2)"]
    assert code.lines[code.loss_line] == "loss = F.mse_loss(forward(x), y)"
    assert "torch.relu(fc1(x))" in forward_code(NetworkSpec(activation="relu")).lines[3]


def test_backward_code_reads_the_gradients_last_layer_first():
    code = backward_code(NetworkSpec())
    assert code.lines == ("loss.backward()", "fc2.weight.grad", "fc1.weight.grad")
    assert [code.lines[i] for i in code.layer_lines] == ["fc1.weight.grad", "fc2.weight.grad"]


def test_not_finite_numbers_are_drawn_as_such():
    assert short_tex(math.nan) == r"\mathrm{NaN}" and short_tex(math.inf) == r"\infty" and short_tex(-math.inf) == r"-\infty"
    assert short_tex(0.5) == "0.5"


def test_layers_are_said_as_a_teacher_would():
    assert layers_said((2, 3, 1)) == "2 inputs, 3 hidden neurons and 1 output"
    assert layers_said((1, 4, 1, 2)) == "1 input, 4 hidden neurons, 1 hidden neuron and 2 outputs"
