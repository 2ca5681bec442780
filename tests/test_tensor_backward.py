"""Tensor backward: seed rules, repeated-backward semantics, very deep graphs, freeing without
the cycle collector, shape-mismatch errors, and mixing Tensors with ndarrays and numbers."""

import gc
import operator
import sys
import weakref

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value, backward_order, gradcheck


# -- seeds ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (1, 1, 1)])
def test_one_element_output_is_seeded_with_one(shape):
    x = Tensor(np.full(shape, 3.0), requires_grad=True)
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, np.full(shape, 6.0))


def test_backward_without_seed_on_many_elements_is_an_error_naming_the_shape():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"grad can be omitted only for one-element outputs.*\(2, 3\)"):
        y.backward()


@pytest.mark.parametrize("seed_shape", [(3, 2), (6,), (2, 3, 1), (), (1, 3)])
def test_misshaped_seed_is_an_error_naming_both_shapes(seed_shape):
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(ValueError, match="seed gradient has shape") as info:
        y.backward(np.ones(seed_shape))
    assert str(seed_shape) in str(info.value) and "(2, 3)" in str(info.value)
    assert isinstance(info.value, RuntimeError) and "Mismatch in shape" in str(info.value)  # torch's class and words


@pytest.mark.parametrize("seed", ["abc", None, {"a": 1}, [1j, 1j, 1j], np.array(["1", "2", "3"])])
def test_seed_that_is_not_real_numbers_is_a_type_error_naming_backward(seed):
    # torch: TypeError (gradients can be either Tensors or None); numpy said "could not convert string to float"
    # and dropped an imaginary part with a warning
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * 2
    if seed is None:
        seed = [None, None, None]
    with pytest.raises(TypeError, match="backward: the gradient must hold real numbers"):
        y.backward(seed)
    with pytest.raises(TypeError, match="backward: the gradient must hold real numbers"):
        ag.grad(y, x, grad_outputs=(seed,))
    assert x.grad is None


def test_failed_backward_leaves_gradients_untouched():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x * 2
    with pytest.raises(ValueError):
        y.backward(np.ones(3))
    assert x.grad is None


@pytest.mark.parametrize("seed", [np.array([1.0, -2.0]), [1.0, -2.0], Tensor([1.0, -2.0])])
def test_seed_may_be_array_list_or_tensor(seed):
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(seed)
    np.testing.assert_array_equal(x.grad, [3.0, -6.0])


def test_seed_is_cast_to_the_output_dtype():
    x = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    (x * 2).backward(np.array([1.0, 1.0], dtype=np.float64))
    assert x.grad.dtype == np.float32


def test_backward_on_constant_tensor_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).backward()


# -- repeated backward ---------------------------------------------------------------------------
def test_second_backward_accumulates_into_leaves():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)  # (without it the graph's saved values are freed, as torch's)
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    x.zero_grad()
    assert x.grad is None
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_retained_intermediate_is_overwritten_not_accumulated():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    hidden.retain_grad()
    other = x * 5
    out = (hidden * hidden).sum() + other.sum()
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_array_equal(hidden.grad, 2 * hidden.data)
    with pytest.warns(UserWarning, match="retain_grad"):
        assert other.grad is None
    np.testing.assert_array_equal(x.grad, 2 * (18 * x.data + 5))


def test_reused_tensor_accumulates_over_all_paths():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = x * x + x.exp() * x + x
    y.backward(np.ones(2))
    expected = 2 * x.data + x.data * np.exp(x.data) + np.exp(x.data) + 1
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


# -- deep graphs and memory ----------------------------------------------------------------------------
def test_million_node_tensor_chain_at_default_recursion_limit():
    limit = sys.getrecursionlimit()
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    step = Tensor(np.array([1e-6, -1e-6]))
    y = x
    for _ in range(1_000_000):
        y = y + step
    assert y.requires_grad
    np.testing.assert_allclose(y.data, [1.0, 0.0], atol=1e-9)
    y.backward(np.array([2.0, 3.0]))
    assert sys.getrecursionlimit() == limit
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])


def _graph_of_many_ops():
    x = Tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
    w = Tensor(np.linspace(0.5, 1.5, 8).reshape(4, 2), requires_grad=True)
    h = (x @ w).tanh()
    parts = ag.split(ag.concatenate([h, h.exp()], axis=1), 2, axis=1)
    mixed = ag.where(h.data > 0, parts[0], parts[1].sigmoid()) + x[[0, 0, 2]][:, :2].max(axis=0)
    out = mixed.log_softmax(axis=1).sum() + x.pad(((1, 0), (0, 1))).prod() + ag.stack([w, w * 2]).var()
    return x, w, out


def test_dropped_tensor_graph_is_freed_by_reference_counting_alone():
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        x, w, out = _graph_of_many_ops()
        out.backward()
        nodes = [weakref.ref(node) for node in backward_order([out]) if node is not x and node is not w]
        assert len(nodes) > 15
        del out
        assert all(probe() is None for probe in nodes)
        assert x.grad is not None and w.grad is not None
    finally:
        if collector_was_enabled:
            gc.enable()


def test_graph_creates_no_reference_cycles():
    gc.collect()
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        x, w, out = _graph_of_many_ops()
        out.backward()
        del x, w, out
        assert gc.collect() == 0
    finally:
        if collector_was_enabled:
            gc.enable()


# -- shape mismatch errors ---------------------------------------------------------------------------
BINARY_OPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "maximum": ag.maximum,
    "minimum": ag.minimum,
}


@pytest.mark.parametrize("name", BINARY_OPS)
@pytest.mark.parametrize("right_kind", ["tensor", "ndarray"])
def test_broadcast_mismatch_names_op_and_both_shapes(name, right_kind):
    left = Tensor(np.ones((2, 3)), requires_grad=True)
    right = np.ones((4,)) if right_kind == "ndarray" else Tensor(np.ones((4,)))
    with pytest.raises(ValueError, match=rf"{name}: .*\(2, 3\) and \(4,\)"):
        BINARY_OPS[name](left, right)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))), r"matmul: shapes \(2, 3\) and \(2, 3\)"),
        (lambda: Tensor(np.ones((2, 2, 3))) @ np.ones((3, 3, 1)), r"matmul: .*\(2, 2, 3\) and \(3, 3, 1\)"),
        (lambda: Tensor(np.ones(3)) @ Tensor(2.0), r"matmul: .*\(3,\) and \(\)"),
        (lambda: ag.where(np.ones(2, bool), Tensor(np.ones(3)), 0.0), r"where: shapes \(2,\), \(3,\)"),
        (lambda: ag.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 2)))]), r"concatenate: .*\(2, 3\)"),
        (lambda: ag.stack([Tensor(np.ones(2)), Tensor(np.ones(3))]), r"stack: .*\(2,\), \(3,\)"),
        (lambda: Tensor(np.ones((2, 3))).broadcast_to((3, 3)), r"broadcast_to: .*\(2, 3\) to \(3, 3\)"),
        (lambda: Tensor(np.ones((2, 3))).reshape(4, 2), r"reshape: .*\(2, 3\) into \(4, 2\)"),
        (lambda: Tensor(np.ones((2, 3))).transpose((0, 0)), r"transpose: .*\(0, 0\).*\(2, 3\)"),
    ],
)
def test_shape_errors_name_op_and_shapes(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_tensor_and_value_do_not_mix():
    with pytest.raises(TypeError, match="cannot combine a Tensor with a Value"):
        Tensor([1.0]) + Value(2.0)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda: Tensor([1.0]) * Value(2.0),
            r"cannot combine a Tensor with a Value: .*compute with Tensors throughout",
        ),
        (lambda: Value(2.0) + Tensor([1.0]), r"cannot combine a Value with a Tensor: .*value\.data, tensor\.item\(\)"),
        (lambda: ag.stack([Value(1.0), Value(2.0)]), r"cannot combine a Tensor with a Value: .*separate graphs"),
        (
            lambda: Tensor([Value(1.0), Value(2.0)]),
            r"Tensor: the data holds Values .*Tensor\(\[v\.data for v in values\]\)",
        ),
        (lambda: Tensor([[Value(1.0)]], dtype=np.float64), r"Tensor: the data holds Values"),
    ],
)
def test_mixing_values_and_tensors_says_how_to_stay_in_one_engine(call, pattern):
    # a student moving from the micrograd lecture to Tensors meets these first; "unsupported dtype object" and a
    # bare "cannot combine" said neither why nor what to write instead
    with pytest.raises(TypeError, match=pattern):
        call()


# -- mixing with ndarrays and Python numbers ------------------------------------------------------------
OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}


@pytest.mark.parametrize("symbol", OPERATORS)
@pytest.mark.parametrize("other", [1.5, 2, np.float64(0.75), np.array([0.5, 1.25, 2.0]), np.array([[0.5], [1.5]])])
@pytest.mark.parametrize("tensor_on_left", [True, False])
def test_tensor_mixes_with_numbers_and_arrays_on_either_side(symbol, other, tensor_on_left):
    function = OPERATORS[symbol]
    x = np.array([0.5, 1.0, 1.5])
    t = Tensor(x, requires_grad=True)
    result = function(t, other) if tensor_on_left else function(other, t)
    assert isinstance(result, Tensor)
    expected = function(x, other) if tensor_on_left else function(other, x)
    np.testing.assert_allclose(result.data, expected, rtol=1e-12)
    assert gradcheck(lambda leaf: function(leaf, other) if tensor_on_left else function(other, leaf), [x])


@pytest.mark.parametrize("other", [2.0, 3, np.float32(0.5)])
def test_python_and_float32_scalars_do_not_upcast_float32(other):
    t = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    for result in (t + other, other * t, t / other, other - t, t**other):
        assert result.dtype == np.float32


def test_ndarray_on_the_left_defers_to_the_tensor():
    t = Tensor([1.0, 2.0], requires_grad=True)
    for result in (np.ones(2) + t, np.ones(2) * t, np.ones(2) - t, np.ones(2) / t, np.ones((2, 2)) @ t):
        assert isinstance(result, Tensor) and result.requires_grad


def test_implicit_seed_error_uses_torchs_words():
    torch = pytest.importorskip("torch")
    torch_words = "grad can be implicitly created only for scalar outputs"
    with pytest.raises(RuntimeError, match=torch_words):
        (Tensor([1.0, 2.0], requires_grad=True) * 2.0).backward()
    with pytest.raises(RuntimeError, match=torch_words):
        (torch.ones(2, requires_grad=True) * 2.0).backward()


def test_a_second_backward_adds_into_the_grad_array_in_place_as_torch():
    # a reference kept to .grad (or a buffer assigned to it) sees the sum, as torch's in-place accumulation
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 2).sum().backward()
    kept = x.grad
    (x * 2).sum().backward()
    np.testing.assert_array_equal(kept, [4.0, 4.0])
    buffer = np.zeros(2)
    x.grad = buffer
    (x * 3).sum().backward()
    np.testing.assert_array_equal(buffer, [3.0, 3.0])
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_a_gradient_is_not_held_by_the_pass_once_the_node_that_used_it_has_run():
    x = Tensor(np.random.default_rng(0).standard_normal((8, 5)), requires_grad=True)
    weight = Tensor(np.random.default_rng(1).standard_normal((300, 5)), requires_grad=True)
    bias = Tensor(np.zeros(300), requires_grad=True)
    h = x.relu()
    out = ag.linear(h, weight, bias)  # a rule per input (three): each reads out's gradient
    seen = {}

    def keep_a_weak_reference(grad):
        seen["out"] = weakref.ref(grad.base)  # the array itself (the hook gets a view of it: a GradientArray)

    def look_whether_it_lives(grad):
        seen["alive at h"] = seen["out"]() is not None

    out.register_hook(keep_a_weak_reference)
    h.register_hook(look_whether_it_lives)
    (out * 3.0).sum().backward()
    assert seen["alive at h"] is False  # out's (8, 300) gradient went once the product's node was done
    np.testing.assert_allclose(weight.grad, 3.0 * np.ones((300, 8)) @ h.data)
