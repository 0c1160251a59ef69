"""engine.notes against the notebook: grad_fn names, contagion, detach, accumulation and the final check."""
import pytest

from engine import notes
from engine.neuron import neuron_loss
from engine.notebook import NOTEBOOK_LEARNABLE, NOTEBOOK_NEURON

EXPR = "(a*b + sin(a))**2"
EXPR_VALUES = {"a": 0.5, "b": 2.0}


def test_grad_fn_names_are_torchs():
    names = [notes.grad_fn_example(e).grad_fn for e in notes.NOTEBOOK_GRAD_FN_EXPRS]
    assert names == ["AddBackward0", "MulBackward0", "SinBackward0"]


def test_user_made_leaves_have_no_grad_fn():
    example = notes.grad_fn_example("a + b")
    assert example.leaf_grad_fns == {"a": None, "b": None}
    assert example.value == 0.0  # the notebook's a = 1, b = -1
    assert example.graph.output.op == "add"


def test_next_functions_link_back():
    assert notes.next_functions(neuron_loss, NOTEBOOK_NEURON, NOTEBOOK_LEARNABLE) == (("SubBackward0", 0),)
    links = notes.next_functions(EXPR, EXPR_VALUES, ["a", "b"])
    assert links == (("AddBackward0", 0),)
    assert notes.next_functions("a * b", EXPR_VALUES, ["a"]) == (("AccumulateGrad", 0), (None, 0))


def test_requires_grad_is_contagious():
    c = notes.contagion_demo()
    assert (c.w_requires_grad, c.x_requires_grad, c.y_requires_grad, c.z_requires_grad) == (True, False, True, True)
    assert c.y_grad_fn == "MmBackward0" and not c.y_is_leaf
    assert c.w_grad_fn is None and c.x_grad_fn is None  # made by the user
    assert c.y_shape == (c.w_shape[0], c.x_shape[1])


def test_detach_cuts_the_history_not_the_value():
    d = notes.detach_demo(NOTEBOOK_NEURON, NOTEBOOK_LEARNABLE)
    assert d.value == d.detached_value == 49.0
    assert d.requires_grad and d.grad_fn == "PowBackward0"
    assert not d.detached_requires_grad and d.detached_grad_fn is None
    assert d.shares_memory
    assert "requires grad" in d.numpy_error


def test_gradients_accumulate_and_zeroing_resets_them():
    acc = notes.accumulation_demo(NOTEBOOK_NEURON, NOTEBOOK_LEARNABLE, times=2)
    assert [g["w"] for g in acc.grads] == [-14.0, -28.0]
    assert [g["b"] for g in acc.grads] == [-14.0, -28.0]
    assert acc.zeroed == {"w": 0.0, "b": 0.0}
    assert acc.after_zero_grad == {"w": None, "b": None}  # optimizer.zero_grad() sets them to None
    assert acc.fresh == {"w": -14.0, "b": -14.0}


def test_accumulation_is_times_the_single_gradient():
    acc = notes.accumulation_demo(EXPR_VALUES, ["a", "b"], times=3, loss=EXPR)
    for name in ("a", "b"):
        single = acc.grads[0][name]
        assert [g[name] for g in acc.grads] == pytest.approx([single, 2 * single, 3 * single])
        assert acc.fresh[name] == pytest.approx(single)


def test_only_learnable_leaves_get_grads():
    acc = notes.accumulation_demo(NOTEBOOK_NEURON, ["w"])
    assert set(acc.grads[0]) == {"w"}
    with pytest.raises(ValueError, match="learnable"):
        notes.accumulation_demo(NOTEBOOK_NEURON, [])
    with pytest.raises(ValueError, match="times"):
        notes.accumulation_demo(NOTEBOOK_NEURON, NOTEBOOK_LEARNABLE, times=0)


def test_notebook_check_prints_true_twice():
    check = notes.notebook_gradient_check(**NOTEBOOK_NEURON)
    assert check.printed == {"dloss_dw": "tensor([True])", "dloss_db": "tensor([True])"}
    assert check.matches == {"dloss_dw": True, "dloss_db": True}
    assert check.autograd == check.analytic == {"dloss_dw": -14.0, "dloss_db": -14.0}
