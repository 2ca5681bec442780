"""autograd.smooth_activations, GELU (exact) and CELU as one node each: values bit for bit those of their
composite formulas, values and gradients against torch at ordinary and edge inputs, derivatives against finite
differences to the second order."""

import decimal
import math

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.quiet import quiet
from autograd.smooth_activations import celu, gelu_exact
from autograd.special import erf

EDGES = [np.inf, -np.inf, np.nan, 0.0, -0.0, 40.0, -40.0, 1e30, -1e30, 3.0, -0.75, 1e-30]


def _inputs(dtype):
    ordinary = np.random.default_rng(0).standard_normal(200) * 4
    return np.concatenate([ordinary, EDGES]).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_is_its_formula_and_its_gradient_is_phi_plus_x_density(dtype):
    x = _inputs(dtype)
    with quiet():
        twice_cdf = np.where(
            x < -3,
            [math.erfc(v * -(1 / math.sqrt(2))) for v in x.astype(np.float64).tolist()],
            1 + erf(x * (1 / math.sqrt(2))),
        )
        expected = x * (0.5 * twice_cdf).astype(dtype)
        t = Tensor(x, requires_grad=True)
        out = gelu_exact(t)
        out.backward(np.ones_like(x))
        wide = x.astype(np.float64)
        cdf = 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in wide.tolist()])
        slope = cdf + wide * np.exp(-0.5 * wide * wide) / math.sqrt(2 * math.pi)
    # bit for bit from -3 up; below, erfc is computed in one vectorised pass: within 4 ulps of the C library's
    left = (x < -3) & np.isfinite(x)
    np.testing.assert_array_equal(out.data[~left], expected[~left])
    ulps = np.abs(out.data[left].astype(np.float64) - expected[left]) / np.spacing(np.abs(expected[left]))
    assert ulps.max() <= (4 if dtype == np.float64 else 1)
    np.testing.assert_array_equal(np.signbit(out.data), np.signbit(expected))
    assert out.dtype == dtype and t.grad.dtype == dtype
    tolerance = 1e-13 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(t.grad, slope, rtol=tolerance, atol=tolerance)  # nan at +-inf, as torch's


@pytest.mark.parametrize("alpha", [1.0, 0.5, 3.0, 1e-3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_celu_is_x_or_alpha_expm1_and_its_gradient_is_one_or_exp(alpha, dtype):
    x = _inputs(dtype)
    with quiet():
        t = Tensor(x, requires_grad=True)
        out = celu(t, alpha)
        out.backward(np.ones_like(x))
        wide = x.astype(np.float64)
        expected = np.where(wide > 0, wide, alpha * np.expm1(np.minimum(wide, 0) / alpha))
        slope = np.where(wide <= 0, np.exp(np.minimum(wide, 0) / alpha), 1.0)
    # (in float32, x / alpha is rounded before e^: a relative error of |x / alpha| ulps in the slope)
    np.testing.assert_allclose(out.data, expected, rtol=1e-5 if dtype == np.float32 else 1e-15)
    np.testing.assert_allclose(t.grad, slope, rtol=1e-5 if dtype == np.float32 else 1e-15, atol=1e-38)
    assert np.signbit(out.data[np.flatnonzero((x == 0) & np.signbit(x))]).all()  # celu(-0.0) = -0.0, as torch


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_and_celu_match_torch_values_and_gradients_at_edges(dtype):
    torch = pytest.importorskip("torch")
    x = _inputs(dtype)
    # absolute for small values: 1 + erf(x / sqrt 2) cancels for x << 0, in torch's formula as in ours
    tolerance = {"rtol": 1e-12, "atol": 1e-14} if dtype == np.float64 else {"rtol": 2e-6, "atol": 1e-6}
    for ours, theirs in (
        (F.gelu, torch.nn.functional.gelu),
        (lambda t: F.celu(t, 0.5), lambda t: torch.nn.functional.celu(t, 0.5)),
    ):
        t, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        with quiet():
            out = ours(t)
            out.backward(np.ones_like(x))
        expected = theirs(reference)
        expected.backward(torch.ones_like(reference))
        finite = np.isfinite(x)  # (torch's float32 gelu(inf) is nan, ours inf as in float64)
        np.testing.assert_allclose(out.data[finite], expected.detach().numpy()[finite], **tolerance)
        # (at nan, torch's celu gradient is 1 in its scalar loop and nan in its vector loop; ours is 1, gelu's nan)
        known = ~np.isnan(x)
        np.testing.assert_allclose(t.grad[known], reference.grad.numpy()[known], **tolerance)


_PI_50_DIGITS = "3.14159265358979323846264338327950288419716939937510"


def _far_left_gelu(x: float) -> tuple[float, float]:
    """gelu(x) = x Phi(x) and its derivative Phi(x) + x phi(x) for x < -3, to 50 digits with decimal: Phi(-t) is
    phi(t) times the Mills ratio 1 / (t + 1 / (t + 2 / (t + 3 / ...))) (its continued fraction, 2000 terms)."""
    with decimal.localcontext() as context:
        context.prec = 50
        t = -decimal.Decimal(x)
        fraction = decimal.Decimal(0)
        for k in range(2000, 0, -1):
            fraction = k / (t + fraction)
        density = (-(t * t) / 2).exp() / (2 * decimal.Decimal(_PI_50_DIGITS)).sqrt()
        cdf = density / (t + fraction)
        return float(-t * cdf), float(cdf - t * density)


@pytest.mark.parametrize("create_graph", [False, True])
def test_gelu_far_left_value_and_gradient_keep_their_relative_precision(create_graph):
    x = np.array([-3.5, -5.0, -7.0, -10.0, -20.0])
    t = Tensor(x, requires_grad=True)
    out = F.gelu(t)
    (slope,) = __import__("autograd").grad(out.sum(), [t], create_graph=create_graph)
    value, derivative = (np.array(column) for column in zip(*[_far_left_gelu(v) for v in x.tolist()]))
    np.testing.assert_allclose(out.data, value, rtol=1e-13)  # (1 + erf cancelled: 4e-5 at -7, all from -8.3)
    np.testing.assert_allclose(slope.data, derivative, rtol=1e-13)


def test_gelu_at_minus_seven_is_at_least_as_close_as_torchs():
    torch = pytest.importorskip("torch")
    x = np.array([-7.0])
    t = Tensor(x, requires_grad=True)
    out = F.gelu(t)
    out.backward(np.ones(1))
    value, derivative = (np.array(column) for column in zip(*[_far_left_gelu(v) for v in x.tolist()]))
    reference = torch.tensor(x[0], requires_grad=True)
    torch.nn.functional.gelu(reference).backward()  # torch's float64 loses 2e-6 at -7; ours is at least as close
    assert abs(out.data[0] - value[0]) <= abs(torch.nn.functional.gelu(reference).item() - value[0])
    assert abs(t.grad[0] - derivative[0]) <= abs(reference.grad.item() - derivative[0])


def test_gelu_and_celu_derivatives_match_finite_differences_to_the_second_order():
    x = np.random.default_rng(1).standard_normal((3, 5)) * 2
    weights = np.random.default_rng(2).standard_normal((3, 5))
    assert gradcheck(lambda t: gelu_exact(t) * weights, [x])
    assert gradgradcheck(lambda t: gelu_exact(t) * weights, [x])
    for alpha in (1.0, 0.4):
        assert gradcheck(lambda t, alpha=alpha: celu(t, alpha) * weights, [x])
        assert gradgradcheck(lambda t, alpha=alpha: celu(t, alpha) * weights, [x])


def test_celu_second_derivative_is_zero_at_zero_and_positive_inputs_as_torchs():
    torch = pytest.importorskip("torch")
    x = np.array([-1.0, 0.0, 2.0])
    t = Tensor(x, requires_grad=True)
    (first,) = __import__("autograd").grad(celu(t, 0.5).sum(), [t], create_graph=True)
    first.sum().backward()
    reference = torch.tensor(x, requires_grad=True)
    (expected,) = torch.autograd.grad(torch.nn.functional.celu(reference, 0.5).sum(), [reference], create_graph=True)
    expected.sum().backward()
    np.testing.assert_allclose(t.grad, reference.grad.numpy(), rtol=1e-15)
    np.testing.assert_array_equal(t.grad[1:], [0.0, 0.0])


def test_gelu_exact_and_celu_need_floating_point_tensors():
    with pytest.raises(TypeError, match="gelu_exact: needs a floating-point tensor, got int64"):
        gelu_exact(Tensor(np.array([1, 2])))
    with pytest.raises(TypeError, match="celu: needs a floating-point tensor, got int64"):
        celu(Tensor(np.array([1, 2])), 1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_of_an_array_all_in_its_far_left_tail_keeps_its_relative_precision(dtype):
    # every entry below -3 (erfc(-x / sqrt 2) over the whole array, no erf), against 50-digit references
    x = np.concatenate([np.linspace(-3.01, -8, 40), np.linspace(-8, -20, 25)]).astype(dtype)
    t = Tensor(x, requires_grad=True)
    out = F.gelu(t)
    out.backward(np.ones_like(x))
    value, derivative = (np.array(column) for column in zip(*[_far_left_gelu(v) for v in x.astype(float).tolist()]))
    assert out.dtype == dtype
    if dtype == np.float32:  # (Phi rounded to float32: absolute below its smallest normal, 1e-38, times |x| <= 20)
        np.testing.assert_allclose(out.data, value, rtol=2e-7, atol=3e-44)
        np.testing.assert_allclose(t.grad, derivative, rtol=2e-6, atol=3e-44)
    else:
        np.testing.assert_allclose(out.data, value, rtol=1e-13)  # (x / sqrt 2 is rounded: x^2 ulps of Phi)
        np.testing.assert_allclose(t.grad, derivative, rtol=1e-13)
