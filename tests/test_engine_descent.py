"""descend() against hand-written torch.optim loops, convergence and divergence."""
import numpy as np
import pytest
import torch

from engine import OPTIMIZERS, descend, parse_function
from engine.limits import OPTIMIZER_NAMES, optimizer_problem

BOWL = parse_function("x**2 + 3*y**2")


def test_sgd_step_is_the_update_rule():
    t = descend(BOWL, (2.0, 1.0), lr=0.1, steps=3)
    for k in range(3):
        np.testing.assert_allclose(t.points[k + 1], t.points[k] - 0.1 * t.grads[k])
    np.testing.assert_allclose(t.grads[0], [4.0, 6.0])
    assert t.points.shape == (4, 2) and t.values.shape == (4,) and t.grads.shape == (4, 2)


def test_converges_on_convex_bowl():
    t = descend(BOWL, (2.5, -2.0), lr=0.1, steps=100)
    assert not t.diverged and t.values[-1] < 1e-8
    assert np.all(np.diff(t.values) <= 0)


def test_too_large_learning_rate_diverges_and_says_so():
    t = descend(BOWL, (2.5, -2.0), lr=0.5, steps=500)
    assert t.diverged and t.steps < 500
    assert "diverged" in t.message
    assert np.isfinite(t.values).all()


def test_the_optimizer_names_the_cli_checks_are_descents():
    """engine.limits names them without torch (the CLI checks --optimizer before any render)."""
    assert OPTIMIZER_NAMES == tuple(OPTIMIZERS)
    assert optimizer_problem("adam") is None and "choose from sgd, momentum" in optimizer_problem("lbfgs")


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_matches_hand_written_loop(name):
    cls, defaults = OPTIMIZERS[name]
    lr = 0.05
    w = torch.tensor([1.5, -1.0], dtype=torch.float64, requires_grad=True)
    opt = cls([w], lr=lr, **defaults)
    expected = [w.detach().clone().numpy()]
    for _ in range(20):
        opt.zero_grad()
        loss = w[0] ** 2 + 3 * w[1] ** 2
        loss.backward()
        opt.step()
        expected.append(w.detach().clone().numpy())
    t = descend(BOWL, (1.5, -1.0), lr=lr, steps=20, optimizer=name)
    np.testing.assert_allclose(t.points, np.array(expected), rtol=1e-12, atol=1e-14)
    assert t.optimizer == name and t.lr == lr


def test_named_defaults_and_options_pass_through():
    heavy = descend(BOWL, (1.0, 1.0), lr=0.01, steps=5, optimizer="momentum")
    light = descend(BOWL, (1.0, 1.0), lr=0.01, steps=5, optimizer="momentum", momentum=0.1)
    assert not np.allclose(heavy.points, light.points)


@pytest.mark.parametrize("kwargs", [dict(lr=0), dict(lr=-1), dict(lr=float("nan")), dict(lr=1e9), dict(steps=0), dict(steps=10**6), dict(steps=2.5), dict(optimizer="lbfgs"), dict(start=(0, float("inf")))])
def test_bad_options_raise_value_error(kwargs):
    args = dict(f=BOWL, start=(1.0, 1.0), lr=0.1, steps=5) | kwargs
    with pytest.raises(ValueError):
        descend(**args)
