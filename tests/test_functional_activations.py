"""Tests for nn.functional.activations: values, gradients (finite differences and torch),
learnable parameters, stability at extreme inputs, and argument errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.functional as F
from autograd import Tensor, Value, gradcheck, gradgradcheck
from autograd.testing import arrays, floats, shapes


def _np_sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _np_softplus(x):
    return np.logaddexp(0, x)


# name -> (function of x, numpy reference, points to keep away from (kinks))
ACTIVATIONS = {
    "sigmoid": (F.sigmoid, _np_sigmoid, ()),
    "tanh": (F.tanh, np.tanh, ()),
    "relu": (F.relu, lambda x: np.where(x > 0, x, 0.0), (0.0,)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), (0.0,)),
    "prelu_scalar": (lambda x: F.prelu(x, 0.3), lambda x: np.where(x > 0, x, 0.3 * x), (0.0,)),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1)), (0.0,)),
    "softplus": (F.softplus, _np_softplus, ()),
    "softplus_beta": (lambda x: F.softplus(x, 2.5), lambda x: _np_softplus(2.5 * x) / 2.5, ()),
    "swish": (lambda x: F.swish(x, 1.7), lambda x: x * _np_sigmoid(1.7 * x), ()),
    "silu": (F.silu, lambda x: x * _np_sigmoid(x), ()),
    "mish": (F.mish, lambda x: x * np.tanh(_np_softplus(x)), ()),
    "step": (F.step, lambda x: (x > 0).astype(float), (0.0,)),
    "acon_c_numbers": (
        lambda x: F.acon_c(x, 1.3, -0.4, 0.8),
        lambda x: 1.7 * x * _np_sigmoid(0.8 * 1.7 * x) - 0.4 * x,
        (),
    ),
}

# name -> (torch function of a tensor, our function)
TORCH_ORACLES = {
    "sigmoid": (lambda t, x: t.sigmoid(x), F.sigmoid),
    "tanh": (lambda t, x: t.tanh(x), F.tanh),
    "relu": (lambda t, x: t.relu(x), F.relu),
    "leaky_relu": (lambda t, x: t.nn.functional.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2)),
    "elu": (lambda t, x: t.nn.functional.elu(x, 0.7), lambda x: F.elu(x, 0.7)),
    "softplus": (lambda t, x: t.nn.functional.softplus(x, beta=2.5), lambda x: F.softplus(x, 2.5)),
    "silu": (lambda t, x: t.nn.functional.silu(x), F.silu),
    "swish_beta_1": (lambda t, x: t.nn.functional.silu(x), F.swish),
    "mish": (lambda t, x: t.nn.functional.mish(x), F.mish),
    "softmax_axis0": (lambda t, x: t.softmax(x, dim=0), lambda x: F.softmax(x, axis=0)),
    "softmax_last": (lambda t, x: t.softmax(x, dim=-1), lambda x: F.softmax(x, -1)),
    "log_softmax_axis1": (lambda t, x: t.log_softmax(x, dim=1), lambda x: F.log_softmax(x, axis=1)),
    "log_softmax_last": (lambda t, x: t.log_softmax(x, dim=-1), lambda x: F.log_softmax(x, -1)),
}


def _value_and_grad(function, x, seed):
    leaf = Tensor(x, requires_grad=True)
    out = function(leaf)
    (out * seed).sum().backward()
    return out.data, leaf.grad


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(data=st.data())
def test_activation_matches_numpy_formula(name, data):
    function, reference, kinks = ACTIVATIONS[name]
    x = data.draw(arrays(shapes(), low=-6, high=6, away_from=kinks))
    out = function(x)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.data, reference(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(data=st.data())
def test_activation_gradient_matches_finite_differences(name, data):
    function, _, kinks = ACTIVATIONS[name]
    x = data.draw(arrays(shapes(max_dims=2, max_side=3), away_from=kinks))
    assert gradcheck(function, [x])


@pytest.mark.parametrize("axis", [0, 1, -1])
@given(x=arrays(shapes(min_dims=2, max_dims=2, max_side=3)))
def test_softmax_and_log_softmax_gradients_match_finite_differences(axis, x):
    assert gradcheck(lambda t: F.softmax(t, axis=axis), [x])
    assert gradcheck(lambda t: F.log_softmax(t, axis=axis), [x])


@given(x=arrays(shapes(min_dims=1, max_dims=3)), data=st.data())
def test_softmax_is_a_distribution_along_its_axis(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    probabilities = F.softmax(x, axis=axis).data
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(F.log_softmax(x, axis=axis).data), probabilities, rtol=1e-12)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus_beta", "swish", "mish", "acon_c_numbers"])
@given(x=arrays(shapes(max_dims=1, max_side=3)))
def test_smooth_activation_second_derivative_matches_finite_differences(name, x):
    function = ACTIVATIONS[name][0]
    assert gradgradcheck(lambda t: function(t).sum(), [x])


def test_softmax_second_derivative_matches_finite_differences():
    x = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.4]])
    weights = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])
    assert gradgradcheck(lambda t: (F.log_softmax(t, axis=1) * weights).sum(), [x])


# -- learnable parameters --------------------------------------------------------------
@given(x=arrays((2, 3, 2), away_from=(0.0,)), weight=arrays((3,), low=-1, high=1))
def test_prelu_per_channel_gradients_match_finite_differences(x, weight):
    assert gradcheck(F.prelu, [x, weight])


@given(x=arrays((4,), away_from=(0.0,)), weight=arrays((1,), low=-1, high=1))
def test_prelu_single_slope_gradients_match_finite_differences(x, weight):
    assert gradcheck(F.prelu, [x, weight])


def test_prelu_applies_one_slope_per_channel():
    x = -np.ones((2, 3, 2))
    out = F.prelu(x, np.array([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(out.data[:, :, 0], [[-0.1, -0.2, -0.3]] * 2)


@given(x=arrays((2, 3)), beta=floats(-2, 2))
def test_swish_beta_gradient_matches_finite_differences(x, beta):
    assert gradcheck(F.swish, [x, np.array(beta)])


@given(x=arrays((2, 3)), p1=arrays((3,)), p2=arrays((3,)), beta=arrays((3,), low=-2, high=2))
def test_acon_c_per_channel_gradients_match_finite_differences(x, p1, p2, beta):
    assert gradcheck(F.acon_c, [x, p1, p2, beta])


@given(x=arrays((5,)), p1=floats(), p2=floats(), beta=floats())
def test_acon_c_matches_its_formula(x, p1, p2, beta):
    expected = (p1 - p2) * x * _np_sigmoid(beta * (p1 - p2) * x) + p2 * x
    np.testing.assert_allclose(F.acon_c(x, p1, p2, beta).data, expected, rtol=1e-12, atol=1e-12)


def test_acon_c_switches_between_linear_and_max():
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(F.acon_c(x, 1.0, 0.25, 0.0).data, 0.5 * 0.75 * x + 0.25 * x)
    np.testing.assert_allclose(F.acon_c(x, 1.0, 0.25, 200.0).data, np.maximum(x, 0.25 * x), atol=1e-12)


# -- maxout ----------------------------------------------------------------------------
@st.composite
def distinct_arrays(draw, shape):
    """Arrays whose entries differ pairwise by at least 0.3 (no ties anywhere)."""
    size = int(np.prod(shape))
    order = draw(st.permutations(range(size)))
    jitter = draw(arrays((size,), low=0.0, high=0.1))
    return ((np.array(order) - size / 2) * 0.4 + jitter).reshape(shape)


@pytest.mark.parametrize(("shape", "pieces", "axis"), [((2, 6), 3, -1), ((4, 2), 2, 0), ((2, 4, 3), 2, 1)])
@given(data=st.data())
def test_maxout_takes_the_maximum_of_consecutive_groups(shape, pieces, axis, data):
    x = data.draw(distinct_arrays(shape))
    moved = np.moveaxis(x, axis, -1)
    expected = np.moveaxis(moved.reshape(moved.shape[:-1] + (-1, pieces)).max(axis=-1), -1, axis)
    out = F.maxout(x, pieces, axis=axis)
    np.testing.assert_array_equal(out.data, expected)
    assert gradcheck(lambda t: F.maxout(t, pieces, axis=axis), [x])


def test_maxout_splits_the_gradient_evenly_between_tied_pieces():
    x = Tensor([[2.0, 2.0, -1.0, 5.0]], requires_grad=True)
    F.maxout(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.5, 0.5, 0.0, 1.0]])


# -- dtypes, conversions ---------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_keeps_float32(name):
    x = Tensor(np.linspace(-2, 2, 6, dtype=np.float32), requires_grad=True)
    out = ACTIVATIONS[name][0](x)
    out.sum().backward()
    assert out.dtype == np.float32
    assert x.grad.dtype == np.float32


def test_activation_accepts_lists_and_integers_as_float64_constants():
    out = F.relu([[-2, 3]])
    assert out.dtype == np.float64
    assert not out.requires_grad
    np.testing.assert_array_equal(out.data, [[0.0, 3.0]])


# -- stability -------------------------------------------------------------------------
EXTREME_CASES = {
    **{name: entry[0] for name, entry in ACTIVATIONS.items()},
    "prelu_channels": lambda x: F.prelu(x, Tensor(np.full(2, 0.25, dtype=x.dtype), requires_grad=True)),
    "acon_c_channels": lambda x: F.acon_c(
        x, *(Tensor(np.full(2, v, dtype=x.dtype), requires_grad=True) for v in (1.5, -0.5, 2.0))
    ),
    "maxout": lambda x: F.maxout(x, 2),
    "softmax": lambda x: F.softmax(x, axis=1),
    "log_softmax": lambda x: F.log_softmax(x, axis=0),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(EXTREME_CASES))
def test_activation_is_finite_without_warnings_at_extreme_inputs(name, dtype):
    x = Tensor(np.array([[1e4, -1e4], [-1e4, 1e4], [0.5, -0.5]], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = EXTREME_CASES[name](x)
        out.sum().backward()
    assert np.all(np.isfinite(out.data))
    assert np.all(np.isfinite(x.grad))


def test_saturated_activations_have_their_limit_values():
    x = np.array([-1e4, 1e4])
    np.testing.assert_array_equal(F.sigmoid(x).data, [0.0, 1.0])
    np.testing.assert_array_equal(F.softplus(x).data, [0.0, 1e4])
    np.testing.assert_array_equal(F.mish(x).data, [0.0, 1e4])
    np.testing.assert_array_equal(F.log_softmax(x, -1).data, [-2e4, 0.0])


# -- torch oracle ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(TORCH_ORACLES))
def test_activation_matches_torch_values_and_gradients(name):
    torch = pytest.importorskip("torch")
    torch_function, function = TORCH_ORACLES[name]
    rng = np.random.default_rng(7)
    x = rng.normal(scale=3.0, size=(4, 5))
    seed = rng.normal(size=(4, 5))
    value, grad = _value_and_grad(function, x, seed)
    reference = torch.tensor(x, requires_grad=True)
    out = torch_function(torch, reference)
    (out * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_prelu_matches_torch_values_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, weight, seed = rng.normal(size=(3, 4, 2)), rng.normal(size=4), rng.normal(size=(3, 4, 2))
    leaf, slope = Tensor(x, requires_grad=True), Tensor(weight, requires_grad=True)
    out = F.prelu(leaf, slope)
    (out * seed).sum().backward()
    torch_x = torch.tensor(x, requires_grad=True)
    torch_weight = torch.tensor(weight, requires_grad=True)
    torch_out = torch.nn.functional.prelu(torch_x, torch_weight)
    (torch_out * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(leaf.grad, torch_x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(slope.grad, torch_weight.grad.numpy(), rtol=1e-12)


def test_step_matches_torch_heaviside():
    torch = pytest.importorskip("torch")
    x = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    expected = torch.heaviside(torch.tensor(x), torch.tensor(0.0, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(F.step(x).data, expected)


# -- errors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.relu(np.array(["a", "b"])), TypeError, "relu: expected real numbers, got an array of dtype <U1"),
        (lambda: F.tanh(Value(1.0)), TypeError, "tanh: expected a Tensor or an array-like, got a Value"),
        (lambda: F.leaky_relu([1.0], negative_slope="0.1"), TypeError, "leaky_relu: negative_slope must be"),
        (lambda: F.elu([1.0], alpha=float("nan")), ValueError, "elu: alpha must be finite"),
        (lambda: F.softplus([1.0], beta=float("inf")), ValueError, "softplus: beta must be finite"),
        (lambda: F.swish([1.0], beta=None), TypeError, "swish: beta must be a real number"),
        (lambda: F.prelu(np.ones((2, 3)), np.ones(2)), ValueError, r"prelu: weight must be .* length x.shape\[1\] = 3"),
        (lambda: F.prelu(np.ones(3), np.ones(3)), ValueError, r"prelu: weight .* input of shape \(3,\)"),
        (lambda: F.acon_c(np.ones((2, 3)), 1.0, np.ones((3, 1)), 1.0), ValueError, r"acon_c: p2 must be"),
        (lambda: F.maxout(np.ones((2, 5)), 2), ValueError, r"maxout: axis 1 of input shape \(2, 5\) has length 5"),
        (lambda: F.maxout(np.ones((2, 4)), 0), ValueError, "maxout: pieces must be a positive integer, got 0"),
        (lambda: F.maxout(np.ones((2, 4)), 2.0), TypeError, "maxout: pieces must be a positive integer, got 2.0"),
        (
            lambda: F.maxout(np.ones((2, 4)), 2, axis=2),
            ValueError,
            r"maxout: axis must be in \[-2, 1\] for an input of dimension 2, got 2",
        ),
        (
            lambda: F.softmax(np.ones((2, 4)), axis=-3),
            ValueError,
            r"softmax: axis must be in \[-2, 1\] for an input of dimension 2, got -3",
        ),
        (lambda: F.log_softmax(np.ones((2, 4)), axis=1.5), TypeError, "log_softmax: axis must be an integer"),
    ],
)
def test_activation_rejects_bad_arguments_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda x, a: F.leaky_relu(x, a),
        lambda x, a: F.elu(x, a),
        lambda x, a: F.softplus(x, a),
        lambda x, a: x.leaky_relu(a),
        lambda x, a: x.elu(a),
    ],
    ids=["F.leaky_relu", "F.elu", "F.softplus", "Tensor.leaky_relu", "Tensor.elu"],
)
def test_a_learnable_slope_passed_as_an_activations_number_is_a_type_error(call):
    # torch's take numbers only (a Tensor is a TypeError); here a Tensor that needs a gradient was read as a number
    # and its gradient silently lost: a learnable slope is F.prelu's weight (or a Tensor expression)
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    slope = Tensor(np.array(0.1), requires_grad=True)
    with pytest.raises(TypeError, match="requires grad"):
        call(x, slope)
