"""Activations at extreme but legal inputs: each derivative comes from the piece the input selects (prelu with
an infinite input or a nan slope), the positive piece of celu is x itself (no overflow of x / alpha), leaky_relu
computes without numpy warnings, and hardswish takes torch's derivatives at -3 and 3; silu and mish pass a gradient
above 1 at the largest values of the dtype. Expected values are
written out; with torch installed the same points are compared with torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

INF, NAN = np.inf, np.nan


def _value_and_grads(function, *arrays):
    tensors = [Tensor(np.array(a), requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = function(*tensors)
        out.sum().backward()
    return out.data, [t.grad for t in tensors]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_leaky_relu_with_slope_zero_makes_nan_of_minus_inf_quietly_as_torch(dtype):
    # slope 0 (ReLU written as a leaky ReLU): -inf * 0 and an infinite incoming gradient times 0 are nan, as torch's
    # x * slope, without numpy's "invalid value" warning
    points = np.array([-INF, -1.0, 2.0], dtype=dtype)
    x = Tensor(points, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.leaky_relu(x, 0.0)
        out.backward(np.array([1.0, INF, 1.0], dtype=dtype))
    np.testing.assert_array_equal(out.data, np.array([NAN, -0.0, 2.0], dtype=dtype))
    np.testing.assert_array_equal(x.grad, np.array([0.0, NAN, 1.0], dtype=dtype))
    torch = pytest.importorskip("torch")
    reference = torch.tensor(points, requires_grad=True)
    expected = torch.nn.functional.leaky_relu(reference, 0.0)
    expected.backward(torch.tensor([1.0, INF, 1.0], dtype=reference.dtype))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    np.testing.assert_array_equal(x.grad, reference.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_softplus_with_a_beta_below_the_dtypes_range_is_quiet_and_takes_its_limits_at_infinite_inputs(dtype):
    # beta = 1e-300 rounds to 0 in float32: numpy's warning for +-inf * 0 must not leak. The curve is computed in
    # float64, so +-inf take its limits (0 and inf, slopes 0 and 1, as in float64) where torch's float32 kernel
    # gives 0 * inf = nan; the finite points are torch's
    points = np.array([-INF, -1.0, 0.0, 2.0, INF], dtype=dtype)
    x = Tensor(points, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.softplus(x, beta=1e-300)
        out.sum().backward()
    np.testing.assert_array_equal(out.data[[0, -1]], [0.0, INF])
    np.testing.assert_array_equal(x.grad[[0, -1]], [0.0, 1.0])
    torch = pytest.importorskip("torch")
    reference = torch.tensor(points, requires_grad=True)
    expected = torch.nn.functional.softplus(reference, beta=1e-300)
    expected.sum().backward()
    np.testing.assert_array_equal(out.data[1:-1], expected.detach().numpy()[1:-1])
    np.testing.assert_array_equal(x.grad[1:-1], reference.grad.numpy()[1:-1])


def test_prelu_slope_gradient_ignores_an_infinite_positive_input():
    value, (d_x, d_slope) = _value_and_grads(F.prelu, [INF, 2.0, -1.0], [0.25])
    np.testing.assert_array_equal(value, [INF, 2.0, -0.25])
    np.testing.assert_array_equal(d_x, [1.0, 1.0, 0.25])
    np.testing.assert_array_equal(d_slope, [-1.0])  # only x = -1 takes the slope's piece


def test_prelu_nan_slope_leaves_the_positive_inputs_gradient_alone():
    value, (d_x, d_slope) = _value_and_grads(F.prelu, [2.0, -1.0, 0.0], [NAN])
    np.testing.assert_array_equal(value, [2.0, NAN, NAN])
    np.testing.assert_array_equal(d_x, [1.0, NAN, NAN])
    np.testing.assert_array_equal(d_slope, [-1.0])


def test_prelu_infinite_slope_and_input_give_ieee_products():
    value, (d_x, d_slope) = _value_and_grads(F.prelu, [2.0, -1.0, -INF], [INF])
    np.testing.assert_array_equal(value, [2.0, -INF, -INF])
    np.testing.assert_array_equal(d_x, [1.0, INF, INF])
    np.testing.assert_array_equal(d_slope, [-INF])


@pytest.mark.parametrize(
    ("x", "alpha", "dtype"),
    [(3e38, 0.5, np.float32), (1e306, 1e-3, np.float64), (INF, 0.1, np.float64)],
)
def test_celu_is_x_itself_where_x_over_alpha_overflows(x, alpha, dtype):
    value, (d_x,) = _value_and_grads(lambda t: F.celu(t, alpha), np.array([x], dtype))
    assert value.dtype == dtype
    np.testing.assert_array_equal(value, np.array([x], dtype))
    np.testing.assert_array_equal(d_x, [1.0])


def test_celu_negative_piece_is_unchanged():
    value, (d_x,) = _value_and_grads(lambda t: F.celu(t, 0.5), [-1.0, 0.0, -INF])
    np.testing.assert_allclose(value, [0.5 * np.expm1(-2.0), 0.0, -0.5])
    np.testing.assert_allclose(d_x, [np.exp(-2.0), 1.0, 0.0])


def test_leaky_relu_computes_without_overflow_warnings():
    value, (d_x,) = _value_and_grads(lambda t: F.leaky_relu(t, 10.0), np.array([3e38, -3e38, -1.0], np.float32))
    np.testing.assert_array_equal(value, np.array([3e38, -INF, -10.0], np.float32))
    np.testing.assert_array_equal(d_x, [1.0, 10.0, 10.0])


def test_hardswish_takes_the_outer_pieces_derivatives_at_its_kinks():
    value, (d_x,) = _value_and_grads(F.hardswish, [-3.0, -1.5, 3.0, 4.0])
    np.testing.assert_allclose(value, [0.0, -0.375, 3.0, 4.0])
    np.testing.assert_allclose(d_x, [0.0, 0.0, 1.0, 1.0])


CASES = [
    ("prelu inf input", F.prelu, [[INF, 2.0, -1.0, 0.0], [0.25]]),
    ("prelu nan slope", F.prelu, [[2.0, -1.0, 0.0], [NAN]]),
    ("prelu inf slope", F.prelu, [[2.0, -1.0, 0.0, -INF], [INF]]),
    ("celu", lambda x: F.celu(x, 1e-3), [[1e306, -1.0, 0.0, INF, -INF]]),
    ("leaky_relu", lambda x: F.leaky_relu(x, 10.0), [[1e308, -1e308, 0.0, -1.0]]),
    ("hardswish", F.hardswish, [[-3.0, -2.0, 0.0, 3.0, 5.0, -INF, INF]]),
]


@pytest.mark.parametrize(("name", "function", "arrays"), CASES, ids=[case[0] for case in CASES])
def test_extreme_points_match_torch(name, function, arrays):
    torch = pytest.importorskip("torch")
    value, grads = _value_and_grads(function, *arrays)
    inputs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    torch_function = {
        "prelu": torch.nn.functional.prelu,
        "celu": lambda x: torch.nn.functional.celu(x, 1e-3),
        "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 10.0),
        "hardswish": torch.nn.functional.hardswish,
    }[name.split()[0]]
    expected = torch_function(*inputs)
    expected.sum().backward()
    np.testing.assert_allclose(value, expected.detach().numpy(), rtol=1e-7)  # infs and nans in the same places
    for got, tensor in zip(grads, inputs):
        np.testing.assert_allclose(got, tensor.grad.numpy(), rtol=1e-7)


@pytest.mark.parametrize("activation", ["hardtanh", "relu6"])
def test_clipping_activations_give_zero_gradient_beyond_the_bounds_even_for_an_infinite_incoming_one(activation):
    x = Tensor(np.array([-7.0, -1.0, 0.0, 0.5, 6.0, 9.0, np.nan]), requires_grad=True)
    y = getattr(F, activation)(x)
    low, high = (-1.0, 1.0) if activation == "hardtanh" else (0.0, 6.0)
    np.testing.assert_array_equal(y.data, np.clip(x.data, low, high))
    y.backward(np.full(7, np.inf))
    inside = np.array([low < v < high for v in x.data[:-1]] + [True])  # nan passes the gradient, as torch's
    np.testing.assert_array_equal(x.grad, np.where(inside, np.inf, 0.0))


def test_hardtanh_has_second_derivatives_through_its_mask():
    x = Tensor(np.array([-2.0, -0.3, 0.4, 3.0]), requires_grad=True)
    (slope,) = autograd.grad((F.hardtanh(x) * x).sum(), x, create_graph=True)  # d/dx [x clip(x)] = clip(x) + x 1_in
    np.testing.assert_allclose(slope.data, [-1.0, -0.6, 0.8, 1.0])
    (curvature,) = autograd.grad(slope.sum(), x)
    np.testing.assert_allclose(curvature, [0.0, 2.0, 2.0, 0.0])


NAN_PASSING = {
    "elu": lambda lib, x: lib.elu(x, 0.7),
    "selu": lambda lib, x: lib.selu(x),
    "celu": lambda lib, x: lib.celu(x, 2.0),
    "hardswish": lambda lib, x: lib.hardswish(x),
}


@pytest.mark.parametrize("name", sorted(NAN_PASSING))
def test_gradient_passes_unchanged_at_nan_and_differentiates_to_zero_there_as_torch(name):
    # torch's backward tests x <= 0 (x < -3, x <= 3 for hardswish); nan fails each test and takes the slope 1,
    # the positive piece's (selu's is its scale)
    call = NAN_PASSING[name]
    points = np.array([NAN, -2.0, 0.5, 4.0])
    x = Tensor(points.copy(), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = call(F, x)
        (first,) = autograd.grad(out.sum(), [x], create_graph=True)
        (second,) = autograd.grad(first.sum(), [x])
    slope = 1.0507009873554805 if name == "selu" else 1.0
    assert np.isnan(out.data[0])
    assert first.data[0] == slope
    assert second[0] == 0.0
    torch = pytest.importorskip("torch")
    t = torch.tensor(points, requires_grad=True)
    (t_first,) = torch.autograd.grad(call(torch.nn.functional, t).sum(), [t], create_graph=True)
    (t_second,) = torch.autograd.grad(t_first.sum(), [t])
    np.testing.assert_allclose(first.data, t_first.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(second, t_second.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["elu", "selu", "celu"])
def test_elu_family_at_zero_takes_the_left_slope_and_torchs_second_derivative_zero(name):
    # torch's elu_backward tests x <= 0 (slope alpha e^0 at 0), its elu_double_backward x < 0 (0 at 0)
    call = NAN_PASSING[name]
    slope = {"elu": 0.7, "selu": 1.0507009873554805 * 1.6732632423543772, "celu": 1.0}[name]
    x = Tensor(np.array([0.0, -0.5]), requires_grad=True)
    (first,) = autograd.grad(call(F, x).sum(), [x], create_graph=True)
    (second,) = autograd.grad(first.sum(), [x])
    assert first.data[0] == pytest.approx(slope, rel=1e-15)
    assert second[0] == 0.0 and second[1] > 0.0
    torch = pytest.importorskip("torch")
    t = torch.tensor([0.0, -0.5], dtype=torch.float64, requires_grad=True)
    (t_first,) = torch.autograd.grad(call(torch.nn.functional, t).sum(), [t], create_graph=True)
    (t_second,) = torch.autograd.grad(t_first.sum(), [t])
    np.testing.assert_allclose(first.data, t_first.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(second, t_second.numpy(), rtol=1e-15)


def test_scalar_elu_at_zero_differentiates_twice_to_zero():
    x = autograd.Value(0.0)
    (first,) = autograd.grad(x.elu(0.5), [x], create_graph=True)
    assert first.data == 0.5
    assert autograd.grad(first, [x]) == (0.0,)


@pytest.mark.parametrize("name", ["silu", "mish"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_silu_and_mish_near_the_largest_value_pass_an_incoming_gradient_above_one(name, dtype):
    # d/dx = 1 there (and 0 at minus the largest value): the gradient is g itself, not g * x * 0 with an
    # overflowed g * x = inf (nan)
    big = np.finfo(dtype).max * dtype(0.9)
    points = np.array([big, -big, 1.0], dtype=dtype)
    incoming = np.array([1.5, 1.5, 1.5], dtype=dtype)
    for node in (Tensor(points, requires_grad=True), autograd.Value(float(big))):
        out = getattr(node, name)()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if isinstance(node, Tensor):
                out.backward(incoming)
                assert node.grad.dtype == dtype
                np.testing.assert_array_equal(node.grad[:2], [1.5, 0.0])
            else:
                (out * 1.5).backward()
                assert node.grad == 1.5
    torch = pytest.importorskip("torch")
    t = torch.tensor(points, requires_grad=True)
    getattr(torch.nn.functional, name)(t).backward(torch.tensor(incoming))
    x = Tensor(points, requires_grad=True)
    getattr(F, name)(x).backward(incoming)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-3 if dtype == np.float16 else 1e-6)


@pytest.mark.parametrize("name", ["elu", "selu", "celu"])
def test_elu_family_keeps_the_sign_of_negative_zero_as_torch(name):
    torch = pytest.importorskip("torch")
    zeros = np.array([-0.0, 0.0])
    theirs = getattr(torch.nn.functional, name)(torch.tensor(zeros)).numpy()
    ours = getattr(F, name)(Tensor(zeros)).data
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))
    assert np.signbit(theirs).tolist() == [True, False]
    assert np.signbit(getattr(F, name)(Tensor(zeros), inplace=True).data).tolist() == [True, False]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logsigmoid_is_plus_zero_and_silu_slope_minus_zero_where_they_vanish_as_torchs(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([1e20, 800.0, INF, -1e20, -800.0, 3.0], dtype=dtype)
    for ours, theirs in ((F.logsigmoid, torch.nn.functional.logsigmoid), (F.silu, torch.nn.functional.silu)):
        t, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out = ours(t)
        out.sum().backward()
        expected = theirs(reference)
        expected.sum().backward()
        known = ~np.isnan(expected.detach().numpy())
        np.testing.assert_allclose(out.data[known], expected.detach().numpy()[known], rtol=1e-6)
        np.testing.assert_array_equal(np.signbit(out.data), np.signbit(expected.detach().numpy()))
        finite = np.isfinite(x)
        np.testing.assert_allclose(t.grad[finite], reference.grad.numpy()[finite], rtol=1e-6)
        np.testing.assert_array_equal(np.signbit(t.grad[finite]), np.signbit(reference.grad.numpy()[finite]))
