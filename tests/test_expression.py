"""Functional tests for engine.expression: values, dtypes, autograd, calls, LaTeX."""
import builtins
import math

import numpy as np
import pytest
import torch
from torch.overrides import TorchFunctionMode

from engine.expression import (CONSTANTS, FUNCTIONS, MAX_EXPRESSION_LENGTH, ExpressionError,
                               ScalarField, parse_function)

RNG = np.random.default_rng(0)
X = RNG.uniform(0.1, 2.0, size=(4, 5))
Y = RNG.uniform(0.1, 2.0, size=(4, 5))
W = RNG.uniform(-1.0, 1.0, size=(4, 5))

VALUE_CASES = [
    ("sin(x**2 + y**2)", lambda x, y: np.sin(x**2 + y**2)),
    ("x**2 + 3*y**2", lambda x, y: x**2 + 3 * y**2),
    ("(1-x)**2 + 100*(y-x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    ("sigmoid(x - y)", lambda x, y: 1 / (1 + np.exp(-(x - y)))),
    ("relu(x - y)", lambda x, y: np.maximum(x - y, 0)),
    ("abs(x - y)", lambda x, y: np.abs(x - y)),
    ("sqrt(x) + sqrt(y)", lambda x, y: np.sqrt(x) + np.sqrt(y)),
    ("log(x*y)", lambda x, y: np.log(x * y)),
    ("exp(-x) / y", lambda x, y: np.exp(-x) / y),
    ("-x - -y", lambda x, y: -x + y),
    ("2**-1*x", lambda x, y: 0.5 * x),
    ("pi*x", lambda x, y: np.pi * x),
    ("cos(x)*tan(y/3)", lambda x, y: np.cos(x) * np.tan(y / 3)),
    ("e**x - x**e", lambda x, y: np.e**x - x**np.e),
    ("2**x + x**0.5 + 1/x", lambda x, y: 2**x + np.sqrt(x) + 1 / x),
    ("+x", lambda x, y: x),
]


def t64(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


@pytest.mark.parametrize("formula, expected", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_values_match_numpy(formula, expected):
    result = parse_function(formula)(t64(X), t64(Y))
    assert isinstance(result, torch.Tensor)
    assert result.dtype == torch.float64
    np.testing.assert_allclose(result.numpy(), expected(X, Y), rtol=1e-12, atol=1e-12)


def test_tanh_with_three_variables():
    f = parse_function("tanh(w*x+b)", variables=("w", "x", "b"))
    assert f.variables == ("w", "x", "b")
    result = f(t64(W), t64(X), t64(Y))
    np.testing.assert_allclose(result.numpy(), np.tanh(W * X + Y), rtol=1e-12)
    by_name = f(b=t64(Y), x=t64(X), w=t64(W))
    assert torch.equal(result, by_name)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("formula", ["x**2 + 3*y**2", "sin(x)*y", "3*x", "3", "x", "pi"])
def test_dtype_preserved(formula, dtype):
    x = torch.linspace(-1, 1, 7, dtype=dtype)
    y = torch.linspace(0, 2, 7, dtype=dtype)
    result = parse_function(formula)(x, y)
    assert result.dtype == dtype
    assert result.shape == (7,)


def test_grad_fn_names():
    x, y = t64([1.0, 2.0], grad=True), t64([3.0, 4.0], grad=True)
    assert type(parse_function("x**2")(x, y).grad_fn).__name__ == "PowBackward0"
    assert type(parse_function("x+y")(x, y).grad_fn).__name__ == "AddBackward0"
    assert type(parse_function("x*y")(x, y).grad_fn).__name__ == "MulBackward0"
    # a folded integer exponent stays an int: x**(1+1) is exactly x**2
    assert type(parse_function("x**(1+1)")(x, y).grad_fn).__name__ == "PowBackward0"
    ints = torch.tensor([1, 2, 3])
    assert parse_function("x**(1+1)", ("x",))(ints).dtype == torch.int64
    assert parse_function("x**(1+1)", ("x",))(ints).tolist() == [1, 4, 9]


def test_numbers_stay_python_numbers_in_torch_ops():
    seen = []

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append((getattr(func, "__name__", str(func)), [type(a).__name__ for a in args]))
            return func(*args, **(kwargs or {}))

    f = parse_function("3*x + sin(y)**2")
    x, y = t64([1.0]), t64([2.0])
    with Recorder():
        f(x, y)
    names = [name for name, _ in seen]
    assert {"mul", "pow", "sin", "add"} <= set(names)
    for name, arg_types in seen:
        if name in ("mul", "pow"):
            assert sorted(arg_types) == ["Tensor", "int"], (name, arg_types)


def test_gradients_match_analytic():
    xv, yv = np.array([0.3, -1.2, 2.0]), np.array([0.7, 0.4, -1.5])
    cases = [
        ("x**2 + 3*y**2", lambda x, y: (2 * x, 6 * y)),
        ("sin(x**2 + y**2)", lambda x, y: (2 * x * np.cos(x**2 + y**2), 2 * y * np.cos(x**2 + y**2))),
        ("(1-x)**2 + 100*(y-x**2)**2",
         lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))),
        ("x*exp(-y)", lambda x, y: (np.exp(-y), -x * np.exp(-y))),
    ]
    for formula, grad in cases:
        x, y = t64(xv, grad=True), t64(yv, grad=True)
        parse_function(formula)(x, y).sum().backward()
        gx, gy = grad(xv, yv)
        np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-12, err_msg=formula)
        np.testing.assert_allclose(y.grad.numpy(), gy, rtol=1e-12, err_msg=formula)


def test_call_conventions():
    f = parse_function("x - 2*y")
    x, y = t64([5.0]), t64([1.0])
    assert f(x, y).item() == 3.0
    assert f(x=x, y=y).item() == 3.0
    assert f(y=y, x=x).item() == 3.0
    with pytest.raises(TypeError, match="not mixed"):
        f(x, y=y)
    with pytest.raises(TypeError, match="got 1"):
        f(x)
    with pytest.raises(TypeError, match="got 3"):
        f(x, y, y)
    with pytest.raises(TypeError, match="missing value for variable 'y'"):
        f(x=x)
    with pytest.raises(TypeError, match="unknown variable 'z'"):
        f(x=x, y=y, z=y)


def test_non_tensor_arguments_are_converted():
    f = parse_function("x*y")
    assert torch.equal(f(np.array([2.0, 3.0]), np.array([4.0, 5.0])), t64([8.0, 15.0]))


def test_expr_latex_and_repr():
    f = parse_function("   sin(x**2 + y**2)\n")
    assert isinstance(f, ScalarField)
    assert f.expr == "sin(x**2 + y**2)"
    assert f.latex == r"\sin\left(x^{2} + y^{2}\right)"
    assert f.variables == ("x", "y")
    assert "sin(x**2 + y**2)" in repr(f)


LATEX_CASES = [
    ("sin(x**2 + y**2)", r"\sin\left(x^{2} + y^{2}\right)"),
    ("x**2 + 3*y**2", r"x^{2} + 3y^{2}"),
    ("(1-x)**2 + 100*(y-x**2)**2", r"\left(1 - x\right)^{2} + 100\left(y - x^{2}\right)^{2}"),
    ("2*x", "2x"),
    ("0.5*x", "0.5x"),
    ("2*pi", r"2\pi"),
    ("x*y", r"x \cdot y"),
    ("2*3", r"2 \cdot 3"),
    ("x/(y+1)", r"\frac{x}{y + 1}"),
    ("(x/y)**2", r"\left(\frac{x}{y}\right)^{2}"),
    ("-x**2", "-x^{2}"),
    ("(-x)**2", r"\left(-x\right)^{2}"),
    ("-(x+y)", r"-\left(x + y\right)"),
    ("x - (y - 1)", r"x - \left(y - 1\right)"),
    ("x - y + 1", "x - y + 1"),
    ("(x+y)*(x-y)", r"\left(x + y\right) \cdot \left(x - y\right)"),
    ("x*-y", r"x \cdot \left(-y\right)"),
    ("x**-1", "x^{-1}"),
    ("(x**2)**3", r"\left(x^{2}\right)^{3}"),
    ("x**y**2", "x^{y^{2}}"),
    ("exp(-x)", r"\exp\left(-x\right)"),
    ("log(x)", r"\log\left(x\right)"),
    ("sqrt(x)", r"\sqrt{x}"),
    ("abs(x)", r"\left|x\right|"),
    ("tanh(x)", r"\tanh\left(x\right)"),
    ("sigmoid(x)", r"\sigma\left(x\right)"),
    ("relu(x)", r"\operatorname{ReLU}\left(x\right)"),
    ("e**x", "e^{x}"),
    ("100", "100"),
    ("2.0*x", "2x"),
    ("1e-5*x", r"10^{-5} \cdot x"),
    ("sin(x)**2", r"\sin\left(x\right)^{2}"),
]


@pytest.mark.parametrize("formula, latex", LATEX_CASES, ids=[c[0] for c in LATEX_CASES])
def test_latex(formula, latex):
    assert parse_function(formula).latex == latex


def test_latex_variable_names():
    f = parse_function("eta*theta + x1 + w_out + lr", variables=("eta", "theta", "x1", "w_out", "lr"))
    assert f.latex == r"\eta \cdot \theta + x_{1} + w_{\mathrm{out}} + \mathrm{lr}"


def test_variable_wins_over_constant():
    f = parse_function("e*2", variables=("e",))
    assert torch.equal(f(t64([1.0, 3.0])), t64([2.0, 6.0]))
    g = parse_function("pi + x", variables=("pi", "x"))
    assert g(t64([1.0]), t64([1.0])).item() == 2.0
    assert parse_function("e", variables=("x",))(t64([0.0])).item() == pytest.approx(math.e)


def test_constant_formula_returns_full_tensor():
    x, y = torch.zeros(3, 4, dtype=torch.float64), torch.zeros(3, 4, dtype=torch.float64)
    result = parse_function("3")(x, y)
    assert result.shape == (3, 4) and result.dtype == torch.float64
    assert torch.all(result == 3)
    assert torch.allclose(parse_function("2*pi - sin(0)")(x, y), torch.full((3, 4), 2 * math.pi, dtype=torch.float64))
    assert parse_function("3", variables=())().item() == 3.0


def test_formula_may_ignore_a_variable():
    f = parse_function("x**2")
    assert torch.equal(f(t64([3.0]), t64([100.0])), t64([9.0]))


def test_multiline_and_tab_whitespace():
    f = parse_function("(x +\n\ty)")
    assert f(t64([1.0]), t64([2.0])).item() == 3.0


def test_public_tables():
    assert set(FUNCTIONS) == {"sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu"}
    t = torch.linspace(-3, 3, 7)
    for name in FUNCTIONS:  # torch's own functions, looked up when applied (parsing needs no torch)
        assert torch.equal(FUNCTIONS[name](t.abs() + 0.5), getattr(torch, name)(t.abs() + 0.5)), name
    assert CONSTANTS == {"pi": math.pi, "e": math.e}
    assert MAX_EXPRESSION_LENGTH == 1000
    assert issubclass(ExpressionError, ValueError)
    err = ExpressionError("boom", 3)
    assert err.position == 3 and str(err) == "boom"
    assert ExpressionError("boom").position is None


@pytest.mark.parametrize("variables", [("sin",), ("1x",), ("x-y",), ("lambda",), ("x", "x"), ("é",), (3,)])
def test_bad_variable_names(variables):
    with pytest.raises(ValueError):
        parse_function("1", variables=variables)


def test_variables_as_bare_string_rejected():
    with pytest.raises(TypeError):
        parse_function("x", variables="xy")


def test_no_eval_exec_or_bytecode_compile(monkeypatch):
    import ast

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must never be called")

    real_compile = builtins.compile

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "compile may only build an AST"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    f = parse_function("sin(x**2 + y**2) + 2**3")
    assert f(t64([0.0]), t64([0.0])).item() == 8.0
