"""A Python number beside a floating Tensor (t * 2.0, 1 - t, t ** 3, 0.5 / t) is kept on the op's one node, as a
Value keeps it, in the tensor's dtype: values as numpy computes with that number, gradients as finite differences
give them, and the graph a line where the number was a constant node before."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, Value, backward_order, no_grad

# (name, the Tensor expression, the same on float64 arrays, whether the number comes first)
CASES = [
    ("t + c", lambda t, c: t + c, lambda a, c: a + c),
    ("c + t", lambda t, c: c + t, lambda a, c: c + a),
    ("t - c", lambda t, c: t - c, lambda a, c: a - c),
    ("c - t", lambda t, c: c - t, lambda a, c: c - a),
    ("t * c", lambda t, c: t * c, lambda a, c: a * c),
    ("c * t", lambda t, c: c * t, lambda a, c: c * a),
    ("t / c", lambda t, c: t / c, lambda a, c: a / c),
    ("c / t", lambda t, c: c / t, lambda a, c: c / a),
    ("t ** c", lambda t, c: t**c, lambda a, c: a**c),
    ("c ** t", lambda t, c: c**t, lambda a, c: c**a),
]


def central_differences(function, a: np.ndarray, weights: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d/da of sum(weights * function(a)) by central differences, entry by entry (float64)."""
    gradient = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[i] += h
        down[i] -= h
        gradient[i] = np.sum(weights * (function(up) - function(down))) / (2 * h)
    return gradient


@pytest.mark.parametrize("name, tensor_op, array_op", CASES, ids=[case[0] for case in CASES])
@given(
    values=st.lists(st.floats(0.5, 3.0), min_size=1, max_size=5),
    number=st.one_of(st.floats(0.25, 2.5), st.integers(1, 3)),
    seed=st.integers(0, 1000),
)
@settings(max_examples=25, deadline=None)
def test_number_operand_gradient_matches_central_differences(name, tensor_op, array_op, values, number, seed):
    a = np.array(values)
    weights = np.random.default_rng(seed).standard_normal(a.shape)
    t = Tensor(a, requires_grad=True)
    out = tensor_op(t, number)
    assert out.parents == (t,)  # the number is on the node, not a node of its own
    (out * Tensor(weights)).sum().backward()
    expected = central_differences(lambda x: array_op(x, number), a, weights)
    np.testing.assert_allclose(t.grad, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name, tensor_op, array_op", CASES, ids=[case[0] for case in CASES])
def test_number_operand_values_are_numpys_with_the_number_in_the_tensors_dtype(name, tensor_op, array_op, dtype):
    """float16's factors, divisors and powers are the exception: float32 numbers, the result computed in float32
    and rounded once (torch's half kernels), so that x / 1e5 is not x / inf."""
    a = np.array([0.3, 1.7, 2.5, -0.0], dtype=dtype)
    if "**" in name:
        a = np.abs(a) + dtype(0.5)
    in_float32 = dtype == np.float16 and ("+" not in name and "-" not in name)
    for number in (0.1, 3, 1e-3, 1e5, 1e-8):
        out = tensor_op(Tensor(a, requires_grad=True), number)
        with np.errstate(all="ignore"):  # 0.1 / -0.0 is -inf
            if in_float32:
                expected = array_op(a.astype(np.float32), np.float32(number)).astype(dtype)
            else:
                expected = array_op(a, dtype(number))
        assert out.dtype == dtype
        np.testing.assert_array_equal(out.data, expected)


def test_a_number_beyond_the_dtype_gives_inf_without_a_warning():
    t = Tensor(np.array([1.0, -2.0, 0.0], dtype=np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = t * 1e300  # 1e300 is inf in float32, as in torch
        out.sum().backward()
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(t.grad, [np.inf, np.inf, np.inf])


def test_an_int_beyond_float64_is_still_an_error_naming_the_op():
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="mul"):
        t * 10**400


def test_integer_and_bool_tensors_keep_the_general_promotion():
    counts = Tensor(np.array([1, 2, 3], dtype=np.int32))
    assert (counts * 2).dtype == np.int32 and (counts + 0.5).dtype == autograd.get_default_dtype()
    assert (Tensor(np.array([True, False])) * 2.5).dtype == autograd.get_default_dtype()


def test_a_tensor_recurrence_with_numbers_is_a_line():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x
    for _ in range(50):
        h = h * 0.9 + 0.1
    assert len(backward_order([h])) == 101
    node, length = h, 0
    while node.parents:  # one parent all the way down: no constant nodes beside the line
        (node,) = node.parents
        length += 1
    assert node is x and length == 100
    h.sum().backward()
    np.testing.assert_allclose(x.grad, [0.9**50, 0.9**50], rtol=1e-12)


def test_changing_the_input_in_place_is_refused_only_where_the_rule_reads_it():
    # as torch: t * 2.0 keeps only the number, t ** 3 needs t itself
    t = Tensor([1.0, 2.0], requires_grad=True)
    scaled, cubed = t * 2.0, t**3
    with no_grad():
        t.mul_(3.0)
    scaled.sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 2.0])
    with pytest.raises(RuntimeError, match="in-place|inplace|modified"):
        cubed.sum().backward()


def test_second_derivative_through_a_number_operand():
    a = np.array([0.5, 1.5, -2.0])
    t = Tensor(a, requires_grad=True)
    (first,) = autograd.grad((2.0 * t**3).sum(), [t], create_graph=True)
    np.testing.assert_allclose(first.data, 6.0 * a**2)
    first.sum().backward()
    np.testing.assert_allclose(t.grad, 12.0 * a)


def test_a_number_operand_on_a_tensor_without_grad_records_nothing():
    t = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    out = 1.5 - t
    assert out.op is None and out.parents == () and not out.requires_grad
    np.testing.assert_array_equal(out.data, np.float32(1.5) - t.data)


# -- Value: an int operand (x ** 2, 1 - x, 2 * x) takes the float's way, as a float ------------------------------
VALUE_CASES = [
    ("x + n", lambda x, n: x + n),
    ("n + x", lambda x, n: n + x),
    ("x - n", lambda x, n: x - n),
    ("n - x", lambda x, n: n - x),
    ("x * n", lambda x, n: x * n),
    ("n * x", lambda x, n: n * x),
    ("x / n", lambda x, n: x / n),
    ("n / x", lambda x, n: n / x),
    ("x ** n", lambda x, n: x**n),
    ("n ** x", lambda x, n: n**x),
]


@pytest.mark.parametrize("name, op", VALUE_CASES, ids=[case[0] for case in VALUE_CASES])
@given(x=st.floats(0.5, 3.0), n=st.integers(-3, 3).filter(lambda n: n != 0))
@settings(max_examples=25, deadline=None)
def test_value_int_operand_matches_the_float_and_central_differences(name, op, x, n):
    if "n ** x" in name and n < 0:
        n = -n  # a negative base to a fractional power is nan
    leaf = Value(x)
    out = op(leaf, n)
    assert out.parents == (leaf,) and type(out.attrs) is float and out.attrs == n
    assert out.data == op(x, float(n))  # Python's own float arithmetic
    out.backward()
    h = 1e-6
    expected = (op(x + h, float(n)) - op(x - h, float(n))) / (2 * h)
    assert leaf.grad == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_value_int_operands_keep_their_errors_and_ieee_results():
    x = Value(2.0)
    with pytest.raises(ValueError, match="too large"):
        x * 10**400
    assert (x / 0).data == math.inf and (0 ** Value(0.0)).data == 1.0
    assert (x * True).op_inputs == (x, 1.0)  # bools take the general way, as numbers
    big = 2**60 + 1  # rounds to a float as Python rounds it
    assert (x + big).data == 2.0 + big
