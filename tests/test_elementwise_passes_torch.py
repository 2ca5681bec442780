"""The elementwise activations and losses whose forward or derivative is computed in few whole-array passes
(clipped sums instead of selects, masks computed once, results written into one buffer) against torch, on arrays
large enough for those paths (the branch-free ones start at 8192 entries) and holding every edge value: +-0,
subnormals, +-inf, nan, the kinks, and values far out on both sides; the incoming gradient is random with inf, nan
and +-0 entries, in float32 and float64. Piecewise-linear ops (clips, shrinks, selections) are compared bit for bit,
the sign of zero included; ops through exp to a few ulps, with nan, infinities and the sign of zero exact."""

from __future__ import annotations

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

EDGES = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-45, -1e-45, 5e-324, -5e-324, 1e-310, -1e-310, 1.0, -1.0, 0.5, -0.5]
EDGES += [0.25, -0.25, 2.0, -2.0, 3.0, -3.0, 6.0, -6.0, 20.0, -20.0, -40.0, -88.0, -104.0, 100.0, -745.0, 1e30, -1e30]


def _inputs(dtype):
    rng = np.random.default_rng(7)
    with np.errstate(all="ignore"):
        edges = np.array(EDGES, dtype)
    spread = np.concatenate([rng.standard_normal(6000), rng.standard_normal(6000) * 8, rng.uniform(-7, 7, 4000)])
    x = np.concatenate([edges, spread.astype(dtype)])
    g = rng.standard_normal(x.size).astype(dtype)
    g[: 5 * 9] = np.tile(np.array([np.inf, -np.inf, np.nan, 0.0, -0.0], dtype), 9)  # against the edge values
    return x.reshape(4, -1), g.reshape(4, -1)


def _assert_same(ours, expected, exact, what, scale=None):
    ours, expected = np.asarray(ours), np.asarray(expected)
    assert ours.dtype == expected.dtype, what
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(expected), err_msg=what)
    zero = expected == 0
    np.testing.assert_array_equal(np.signbit(ours[zero]), np.signbit(expected[zero]), err_msg=f"{what}: sign of 0")
    if exact:
        np.testing.assert_array_equal(ours, expected, err_msg=what)
    else:
        ulps = 8 * np.finfo(expected.dtype).eps
        if scale is None:
            np.testing.assert_allclose(ours, expected, rtol=ulps, atol=np.finfo(expected.dtype).tiny, err_msg=what)
            return
        # to a few ulps of ``scale`` (|g| for a gradient): where a slope cancels (silu's near x = -1.28), or where
        # torch's float32 exp is a few ulps off (sigmoid), the error is the inputs' rounding, not the value's
        finite = np.isfinite(expected)
        np.testing.assert_array_equal(ours[~finite], expected[~finite], err_msg=what)
        error = np.abs(ours[finite] - expected[finite])
        allowed = 2 * ulps * (np.abs(expected[finite]) + np.abs(np.broadcast_to(scale, expected.shape)[finite]))
        assert np.all(error <= allowed + np.finfo(expected.dtype).tiny), f"{what}: {np.max(error / allowed)} ulps"


def _check(ours_function, torch_function, dtype, exact, gradient_at_nan=True, scaled=False):
    x, g = _inputs(dtype)
    mine = Tensor(x.copy(), requires_grad=True)
    with np.errstate(all="ignore"):
        out = ours_function(mine)
        out.backward(g)
    theirs = torch.from_numpy(x.copy()).requires_grad_(True)
    expected = torch_function(theirs)
    expected.backward(torch.from_numpy(g.copy()))
    _assert_same(out.numpy(), expected.detach().numpy(), exact, "value", scale=0.0 if scaled else None)
    compared = slice(None) if gradient_at_nan else ~np.isnan(x)
    scale = np.abs(g[compared]) if scaled else None
    _assert_same(mine.grad[compared], theirs.grad.numpy()[compared], exact, "gradient", scale=scale)


TF = torch.nn.functional

EXPONENTIAL = {
    "elu": (F.elu, TF.elu),
    "elu(alpha=0.3)": (lambda t: F.elu(t, 0.3), lambda t: TF.elu(t, 0.3)),
    "elu(alpha=2)": (lambda t: F.elu(t, 2.0), lambda t: TF.elu(t, 2.0)),
    "selu": (F.selu, TF.selu),
    "celu": (F.celu, TF.celu),
    "celu(alpha=0.5)": (lambda t: F.celu(t, 0.5), lambda t: TF.celu(t, 0.5)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(EXPONENTIAL))
def test_exponential_linear_units_match_torch_on_edge_values_and_gradients(name, dtype):
    ours, theirs = EXPONENTIAL[name]
    _check(ours, theirs, dtype, exact=False)


LOSSES = {
    "smooth_l1_loss": (F.smooth_l1_loss, TF.smooth_l1_loss, {}),
    "smooth_l1_loss(beta=0.25)": (F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.25}),
    "huber_loss": (F.huber_loss, TF.huber_loss, {}),
    "huber_loss(delta=2)": (F.huber_loss, TF.huber_loss, {"delta": 2.0}),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_smooth_l1_and_huber_terms_match_torch_on_edge_values_and_gradients(name, dtype):
    ours, theirs, options = LOSSES[name]

    def target_of(t):
        return t.detach() * 0.0 + 0.75  # (nan where the input is nan or infinite, as in both libraries)

    _check(
        lambda t: ours(t, target_of(t), reduction="none", **options),
        lambda t: theirs(t, target_of(t), reduction="none", **options),
        dtype,
        exact=False,
    )


PIECEWISE_LINEAR = {
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh(-2.5, 0.5)": (lambda t: F.hardtanh(t, -2.5, 0.5), lambda t: TF.hardtanh(t, -2.5, 0.5)),
    "relu6": (F.relu6, TF.relu6),
    "hardshrink": (F.hardshrink, TF.hardshrink),
    "hardshrink(2)": (lambda t: F.hardshrink(t, 2.0), lambda t: TF.hardshrink(t, 2.0)),
    "softshrink": (F.softshrink, TF.softshrink),
    "softshrink(0)": (lambda t: F.softshrink(t, 0.0), lambda t: TF.softshrink(t, 0.0)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(PIECEWISE_LINEAR))
def test_clips_and_shrinks_match_torch_bit_for_bit_on_edge_values_and_gradients(name, dtype):
    ours, theirs = PIECEWISE_LINEAR[name]
    # at nan these pass the gradient (torch's scalar rules; its vectorised ones give 0 in whole SIMD blocks)
    _check(ours, theirs, dtype, exact=True, gradient_at_nan=False)


LEAKY = {
    "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu(0.2)": (lambda t: F.leaky_relu(t, 0.2), lambda t: TF.leaky_relu(t, 0.2)),
    "leaky_relu(0)": (lambda t: F.leaky_relu(t, 0.0), lambda t: TF.leaky_relu(t, 0.0)),
    "leaky_relu(-0.3)": (lambda t: F.leaky_relu(t, -0.3), lambda t: TF.leaky_relu(t, -0.3)),
    "leaky_relu(3)": (lambda t: F.leaky_relu(t, 3.0), lambda t: TF.leaky_relu(t, 3.0)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LEAKY))
def test_leaky_relu_matches_torch_bit_for_bit_on_edge_values_and_gradients(name, dtype):
    ours, theirs = LEAKY[name]
    _check(ours, theirs, dtype, exact=True)


SIGMOID_FAMILY = {
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "silu": (F.silu, TF.silu),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    # one node: x on the linear piece (beta x > threshold), with the incoming gradient passed as it is (-0.0 too;
    # a where of the two pieces summed +0 into it)
    "softplus": (F.softplus, TF.softplus),
    "softplus(beta=0.3)": (lambda t: F.softplus(t, 0.3), lambda t: TF.softplus(t, 0.3)),
    "softplus(beta=-2, threshold=5)": (lambda t: F.softplus(t, -2.0, 5.0), lambda t: TF.softplus(t, -2.0, 5.0)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(SIGMOID_FAMILY))
def test_sigmoid_family_matches_torch_on_edge_values_and_gradients(name, dtype):
    ours, theirs = SIGMOID_FAMILY[name]
    _check(ours, theirs, dtype, exact=False, scaled=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hardswish_matches_torch_bit_for_bit_with_infinite_incoming_gradients(dtype):
    # one node with torch's formulas: x * clip(x + 3, 0, 6) / 6, and g (x / 3 + 1/2) between the kinks, 0 at and
    # below -3 and g from 3 on even where g is inf or nan (a product rule gave inf * 0 = nan at x = 0 and x < -3)
    # (at nan ours passes g, torch's scalar rule; its vectorised one gives nan)
    _check(F.hardswish, TF.hardswish, dtype, exact=True, gradient_at_nan=False)


@pytest.mark.parametrize("method", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weights", [[0.25], [0.25, -0.5, 2.0]])
def test_prelu_matches_torch_with_infinite_and_signed_zero_incoming_gradients(weights, dtype, method):
    # one node: the input's gradient is g where x > 0 and g w elsewhere, -0.0 included (a where of the two pieces
    # summed +0 into it); the weight's is x g summed where x <= 0 (or nan), with no inf * 0 from the other piece
    x, g = _inputs(dtype)
    x, g = x.reshape(4, 3, -1), g.reshape(4, 3, -1)
    w = np.array(weights, dtype)
    mine, my_weight = Tensor(x.copy(), requires_grad=True), Tensor(w.copy(), requires_grad=True)
    with np.errstate(all="ignore"):
        out = mine.prelu(my_weight) if method else F.prelu(mine, my_weight)  # (torch.Tensor.prelu too)
        out.backward(g)
    theirs, their_weight = (torch.from_numpy(a.copy()).requires_grad_(True) for a in (x, w))
    expected = theirs.prelu(their_weight) if method else TF.prelu(theirs, their_weight)
    expected.backward(torch.from_numpy(g.copy()))
    _assert_same(out.numpy(), expected.detach().numpy(), True, "value")
    _assert_same(mine.grad, theirs.grad.numpy(), True, "input's gradient")
    _assert_same(my_weight.grad, their_weight.grad.numpy(), False, "weight's gradient", scale=0.0)


def test_prelu_gradient_with_a_constant_weight_can_be_differentiated_again_as_torch():
    import autograd

    x0, w0, g0 = np.array([[-2.0, 0.5, 3.0], [1.5, -0.5, -4.0]]), np.array([0.25, -0.5, 2.0]), np.arange(1.0, 7.0)
    x = Tensor(x0, requires_grad=True)
    (slope,) = autograd.grad(F.prelu(x, Tensor(w0)), x, Tensor(g0.reshape(2, 3)), create_graph=True)
    (second,) = autograd.grad((slope * slope).sum(), x)  # raised: the gradient was not connected to x
    theirs = torch.from_numpy(x0).requires_grad_(True)
    out = TF.prelu(theirs, torch.from_numpy(w0))
    (their_slope,) = torch.autograd.grad(out, theirs, torch.from_numpy(g0.reshape(2, 3)), create_graph=True)
    (their_second,) = torch.autograd.grad((their_slope * their_slope).sum(), theirs)
    np.testing.assert_array_equal(slope.numpy(), their_slope.detach().numpy())
    np.testing.assert_array_equal(second.numpy(), their_second.numpy())
