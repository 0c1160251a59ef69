"""gradient_field and sample_surface against the notebook's closed form and finite differences."""
import numpy as np
import pytest
import torch

from engine import evaluate_at, gradient_at, gradient_field, parse_function, sample_surface


def fun_z(x, y):  # the notebook's
    return np.sin(x**2 + y**2)


def fun_dz(x, y):  # the notebook's
    return 2 * x * np.cos(x**2 + y**2), 2 * y * np.cos(x**2 + y**2)


def test_notebook_grid_and_gradient():
    f = parse_function("sin(x**2 + y**2)")
    field = gradient_field(f, (-2.5, 2.5), (-2.5, 2.5), 0.5)
    assert field.x.shape == (11, 11)
    np.testing.assert_allclose(field.x[0], np.arange(-2.5, 2.6, 0.5))
    np.testing.assert_allclose(field.y[:, 0], np.arange(-2.5, 2.6, 0.5))  # rows follow y
    dzx, dzy = fun_dz(field.x, field.y)
    np.testing.assert_allclose(field.u, dzx, atol=1e-12)
    np.testing.assert_allclose(field.v, dzy, atol=1e-12)
    np.testing.assert_allclose(field.z, fun_z(field.x, field.y), atol=1e-12)
    assert field.warning is None and not field.mask.any()


@pytest.mark.parametrize("expr", ["x**2 + 3*y**2", "(1-x)**2 + 100*(y-x**2)**2", "exp(-x**2) * cos(3*y)", "tanh(x*y) + sigmoid(x - y)"])
def test_agrees_with_central_differences(expr):
    f = parse_function(expr)
    field = gradient_field(f, (-1.5, 1.5), (-1, 2), 0.25)
    h = 1e-6
    ev = lambda x, y: f(torch.tensor(x), torch.tensor(y)).numpy()
    fd_u = (ev(field.x + h, field.y) - ev(field.x - h, field.y)) / (2 * h)
    fd_v = (ev(field.x, field.y + h) - ev(field.x, field.y - h)) / (2 * h)
    np.testing.assert_allclose(field.u, fd_u, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(field.v, fd_v, rtol=1e-5, atol=1e-4)


def test_undefined_points_are_masked_not_raised():
    field = gradient_field(parse_function("log(x) + 1/(x**2 + y**2)"), (-1, 1), (-1, 1), 0.5)
    assert field.mask.any() and field.warning and "masked" in field.warning
    assert np.isnan(field.z[field.mask]).all()
    assert np.isfinite(field.z[~field.mask]).all()


def test_functions_of_one_variable_and_constants():
    field = gradient_field(parse_function("x**2"), (-1, 1), (-1, 1), 1.0)
    np.testing.assert_allclose(field.u, 2 * field.x)
    assert (field.v == 0).all()
    const = gradient_field(parse_function("3"), (-1, 1), (-1, 1), 1.0)
    assert (const.z == 3).all() and (const.u == 0).all()


def test_gradient_at_and_surface():
    z, dx, dy = gradient_at(parse_function("x**2 + 3*y**2"), 1.0, -2.0)
    assert (z, dx, dy) == (13.0, 2.0, -12.0)
    s = sample_surface(parse_function("x + y"), (0, 1), (0, 2), resolution=5)
    assert s.z.shape == (5, 5) and s.z[-1, -1] == 3.0


@pytest.mark.parametrize("kwargs", [dict(x_range=(1, 1)), dict(x_range=(2, -2)), dict(step=0), dict(step=-0.5), dict(step=1e-5), dict(y_range=(0, float("inf")))])
def test_bad_grids_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        gradient_field(parse_function("x"), **kwargs)


def test_evaluate_at_a_path_is_the_analytic_gradient():
    """Points along a curve (not a grid), as the probe walks: one pass, the chain rule's values."""
    t = np.linspace(0, 2 * np.pi, 50)
    xs, ys = 1.3 * np.cos(t), 0.7 * np.sin(t)
    field = evaluate_at(parse_function("sin(x**2 + y**2)"), xs, ys)
    r2 = xs**2 + ys**2
    assert field.z.shape == (50,)
    np.testing.assert_allclose(field.z, np.sin(r2), atol=1e-12)
    np.testing.assert_allclose(field.u, np.cos(r2) * 2 * xs, atol=1e-12)
    np.testing.assert_allclose(field.v, np.cos(r2) * 2 * ys, atol=1e-12)
    masked = evaluate_at(parse_function("log(x)"), np.array([-1.0, 1.0]), np.array([0.0, 0.0]))
    assert masked.mask.tolist() == [True, False] and masked.warning
