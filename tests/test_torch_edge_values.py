"""Edge values of special functions, xlogy, logit, binary_cross_entropy, linspace and full, against torch.

Each torch comparison skips without torch (``pytest.importorskip``); every case is also checked against an
independent expectation (scipy, numpy, a closed form or finite differences in float64), which runs without it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck

NAN, INF = math.nan, math.inf
EDGES = np.array([NAN, INF, -INF])


def _torch():
    return pytest.importorskip("torch")


def _grads(function, *arrays):
    """``function`` of float leaves made from ``arrays``, summed and differentiated: (value, [gradients])."""
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # IEEE results, without numpy's RuntimeWarnings
        out = function(*leaves)
        out.sum().backward()
    return out.data, [leaf.grad for leaf in leaves]


def _torch_grads(function, *arrays):
    torch = _torch()
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = function(*leaves)
    out.sum().backward()
    return out.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def _same(ours, expected, rtol=1e-12, atol=0.0):
    """Equal up to rounding, with NaNs and infinities (and their signs) in the same places."""
    np.testing.assert_allclose(ours, expected, rtol=rtol, atol=atol, equal_nan=True)


# -- 1. polygamma, digamma, lgamma at NaN and +-inf ---------------------------------------------------------------
#: Our values at (nan, +inf, -inf): NaN in gives NaN out; torch agrees everywhere except polygamma(n >= 2, +inf),
#: where torch gives NaN and we give the limit (-1)^(n+1) 0 (as scipy). lgamma(-inf) is +inf (the C library's,
#: torch's; scipy's gammaln says -inf); polygamma(1, -inf) is NaN (torch; scipy says inf).
EXPECTED_AT_EDGES = {
    "lgamma": [NAN, INF, INF],
    "digamma": [NAN, INF, NAN],
    0: [NAN, INF, NAN],
    1: [NAN, 0.0, NAN],
    2: [NAN, -0.0, -INF],
    3: [NAN, 0.0, INF],
    4: [NAN, -0.0, -INF],
    5: [NAN, 0.0, INF],
}


def _special(kind, x):
    if kind == "lgamma":
        return autograd.lgamma(x)
    if kind == "digamma":
        return autograd.digamma(x)
    return autograd.polygamma(kind, x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", list(EXPECTED_AT_EDGES))
def test_special_functions_at_nan_and_infinities(kind, dtype):
    out = _special(kind, Tensor(EDGES.astype(dtype)))
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.data, np.array(EXPECTED_AT_EDGES[kind], dtype=dtype))
    assert np.signbit(out.data[1]) == np.signbit(EXPECTED_AT_EDGES[kind][1])  # the sign of a zero limit too


@pytest.mark.parametrize("kind", list(EXPECTED_AT_EDGES))
def test_special_functions_at_nan_and_infinities_agree_with_scipy_where_scipy_has_the_same_convention(kind):
    special = pytest.importorskip("scipy.special")
    if kind == "lgamma":
        reference = special.gammaln(EDGES)
        reference[2] = INF  # scipy: -inf; the C library and torch: +inf
    elif kind == "digamma":
        reference = special.digamma(EDGES)
    else:
        reference = special.polygamma(kind, EDGES)
        if kind == 1:
            reference[2] = NAN  # scipy: inf; torch: nan (no limit: poles of one sign, of both for digamma)
    np.testing.assert_array_equal(_special(kind, Tensor(EDGES)).data, reference)


@pytest.mark.parametrize("kind", list(EXPECTED_AT_EDGES))
def test_special_functions_at_nan_and_infinities_match_torch(kind):
    torch = _torch()
    x = torch.tensor(EDGES)
    if kind == "lgamma":
        reference = torch.lgamma(x).numpy()
    elif kind == "digamma":
        reference = torch.digamma(x).numpy()
    else:
        reference = torch.polygamma(kind, x).numpy()
        if kind >= 2:
            assert np.isnan(reference[1])  # torch's NaN at +inf, where we give the limit 0
            reference[1] = EXPECTED_AT_EDGES[kind][1]
    np.testing.assert_array_equal(_special(kind, Tensor(EDGES)).data, reference)


def test_trigamma_of_nan_is_nan_not_pi_squared_over_six():
    assert np.isnan(autograd.polygamma(1, Tensor([NAN])).data).all()
    assert np.isnan(autograd.special.polygamma(1, NAN))
    assert np.isnan(autograd.special.polygamma(1, np.array([NAN, 1.0]))[0])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_of_nan_among_finite_values_leaves_the_others_alone(n):
    special = pytest.importorskip("scipy.special")
    x = np.array([NAN, 0.3, 2.5, -1.7, 40.0])
    out = autograd.polygamma(n, Tensor(x)).data
    assert np.isnan(out[0])
    np.testing.assert_allclose(out[1:], special.polygamma(n, x[1:]), rtol=1e-10)


@pytest.mark.parametrize("kind", ["lgamma", "digamma", 1, 2])
def test_special_function_gradients_at_nan_are_nan_and_at_infinity_follow_the_next_function(kind):
    _, (grad,) = _grads(lambda x: _special(kind, x), EDGES.copy())
    following = {"lgamma": "digamma", "digamma": 1}.get(kind, kind + 1 if isinstance(kind, int) else None)
    np.testing.assert_array_equal(grad, np.array(EXPECTED_AT_EDGES[following]))


@pytest.mark.parametrize("kind", ["lgamma", "digamma", 1, 2])
def test_special_function_gradients_at_nan_and_infinities_match_torch(kind):
    torch = _torch()

    def torch_function(x):
        if kind in ("lgamma", "digamma"):
            return getattr(torch, kind)(x)
        return torch.polygamma(kind, x)

    _, (ours,) = _grads(lambda x: _special(kind, x), EDGES.copy())
    _, (theirs,) = _torch_grads(torch_function, EDGES.copy())
    if kind in (1, 2):  # d polygamma(n) = polygamma(n + 1): torch NaN at +inf, our (and scipy's) limit +-0
        assert np.isnan(theirs[1])
        theirs[1] = -0.0 if kind == 1 else 0.0
    np.testing.assert_array_equal(ours, theirs)


def test_digamma_gradient_matches_finite_differences_and_scipy():
    special = pytest.importorskip("scipy.special")
    x = np.array([0.3, 2.5, -1.7, 12.0])
    assert gradcheck(lambda t: t.digamma(), [x])
    _, (grad,) = _grads(lambda t: t.digamma(), x)
    np.testing.assert_allclose(grad, special.polygamma(1, x), rtol=1e-10)


# -- 2. binary_cross_entropy at certain probabilities ------------------------------------------------------------
PROBABILITIES = [1.0, 0.0, 0.0, 1.0, 1e-20, 1 - 1e-7, 1e-8, 0.5, 1e-7, 0.999999, 0.3]
TARGETS = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.3, 0.2, 0.9, 0.1, 0.6]


def _bce_expected(p, y, w, reduction):
    """torch's definitions in closed form (float64): the terms (y - 1) max(log1p(-p), -100) - y max(log p, -100)
    times w; d/dp = w (p - y) / max(p (1 - p), eps), eps = float32(1e-12) (torch's EPSILON, also in float64);
    d/dy = -w logit(p); /n for the mean."""
    p, y, w = (np.asarray(a, dtype=np.float64) for a in (p, y, w))
    with np.errstate(all="ignore"):
        terms = w * ((y - 1) * np.maximum(np.log1p(-p), -100) - y * np.maximum(np.log(p), -100))
        d_p = w * (p - y) / np.maximum(p * (1 - p), float(np.float32(1e-12)))
        d_y = -w * np.log(p / (1 - p))
    scale = 1 / p.size if reduction == "mean" else 1.0
    value = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    return value, d_p * scale, d_y * scale


def _bce_arrays(dtype):
    p = np.array(PROBABILITIES, dtype=dtype)
    return p, np.array(TARGETS, dtype=dtype), np.linspace(0.5, 2.0, p.size).astype(dtype)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_cross_entropy_value_and_gradients_at_certain_probabilities(dtype, reduction, weighted):
    p, y, w = _bce_arrays(dtype)
    weight = w if weighted else None
    value, (d_p, d_y) = _grads(lambda a, b: F.binary_cross_entropy(a, b, weight, reduction=reduction), p, y)
    assert d_p.dtype == dtype and np.asarray(value).dtype == dtype
    expected = _bce_expected(p, y, w if weighted else np.ones_like(p), reduction)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    _same(value, expected[0], rtol=rtol)
    _same(d_p, expected[1], rtol=rtol)
    _same(d_y, expected[2], rtol=rtol)


def test_binary_cross_entropy_gradient_at_zero_and_one_is_torchs_large_finite_slope():
    probabilities = Tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype=np.float32), requires_grad=True)
    F.binary_cross_entropy(probabilities, [0.0, 1.0, 0.0, 1.0], reduction="sum").backward()
    np.testing.assert_array_equal(probabilities.grad, np.array([1e12, -1e12, 0.0, 0.0], dtype=np.float32))
    probabilities = Tensor(np.array([1.0, 0.0]), requires_grad=True)
    F.binary_cross_entropy(probabilities, [0.0, 1.0]).backward()  # the mean: 1e12 / 2
    eps = float(np.float32(1e-12))  # torch's EPSILON is a float32 1e-12, in float64 too
    np.testing.assert_allclose(probabilities.grad, [0.5 / eps, -0.5 / eps], rtol=1e-15)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_cross_entropy_at_certain_probabilities_matches_torch(dtype, reduction, weighted):
    torch = _torch()
    p, y, w = _bce_arrays(dtype)
    ours = _grads(lambda a, b: F.binary_cross_entropy(a, b, w if weighted else None, reduction=reduction), p, y)
    theirs = _torch_grads(
        lambda a, b: torch.nn.functional.binary_cross_entropy(
            a, b, torch.tensor(w) if weighted else None, reduction=reduction
        ),
        p,
        y,
    )
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    _same(ours[0], theirs[0], rtol=rtol)
    _same(ours[1][0], theirs[1][0], rtol=rtol)
    _same(ours[1][1], theirs[1][1], rtol=rtol)


def test_binary_cross_entropy_matches_finite_differences_to_second_order_inside_the_interval():
    rng = np.random.default_rng(3)
    p, y = rng.uniform(0.05, 0.95, 6), rng.uniform(0, 1, 6)
    weight = rng.uniform(0.5, 2, 6)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, weight, reduction="sum"), [p, y])
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b, weight, reduction="mean"), [p, y])


def test_binary_cross_entropy_second_derivative_matches_torch():
    torch = _torch()
    p, y = np.array([0.2, 0.7, 0.01]), np.array([0.3, 1.0, 0.0])
    a, b = Tensor(p, requires_grad=True), Tensor(y, requires_grad=True)
    gp, gy = autograd.grad(F.binary_cross_entropy(a, b, reduction="sum"), [a, b], create_graph=True)
    (gp.sum() + gy.sum()).backward()
    ta, tb = torch.tensor(p, requires_grad=True), torch.tensor(y, requires_grad=True)
    tgp, tgy = torch.autograd.grad(
        torch.nn.functional.binary_cross_entropy(ta, tb, reduction="sum"), [ta, tb], create_graph=True
    )
    (tgp.sum() + tgy.sum()).backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-10)


# -- 3. xlogy ---------------------------------------------------------------------------------------------------------
#: x, y, x log y, d/dx, d/dy (g = 1). d/dx = log y, but 0 where x = 0 and y <= 0; d/dy = x / y, but 0 where
#: x = y = 0 (torch: NaN, the library's deliberate difference).
XLOGY_CASES = [
    (0.0, 0.0, 0.0, 0.0, 0.0),
    (-0.0, 0.0, 0.0, 0.0, 0.0),
    (0.0, -0.0, 0.0, 0.0, 0.0),
    (1.0, 0.0, -INF, -INF, INF),
    (2.0, -0.0, -INF, -INF, -INF),
    (-1.0, 0.0, INF, -INF, -INF),
    (0.0, -1.0, 0.0, 0.0, -0.0),
    (1.0, -1.0, NAN, NAN, -1.0),
    (0.0, NAN, NAN, NAN, NAN),
    (1.0, NAN, NAN, NAN, NAN),
    (NAN, 0.0, NAN, -INF, NAN),
    (NAN, 1.0, NAN, 0.0, NAN),
    (0.0, INF, 0.0, INF, 0.0),
    (1.0, INF, INF, INF, 0.0),
    (0.0, -INF, 0.0, 0.0, -0.0),
    (0.0, 2.0, 0.0, math.log(2.0), 0.0),
    (3.0, 2.0, 3 * math.log(2.0), math.log(2.0), 1.5),
]


def _xlogy_columns(dtype=np.float64):
    return [np.array(column, dtype=dtype) for column in zip(*XLOGY_CASES)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_xlogy_values_and_gradients_at_zero_negative_and_nan(dtype):
    x, y, value, d_x, d_y = _xlogy_columns(dtype)
    out, (grad_x, grad_y) = _grads(autograd.xlogy, x, y)
    assert out.dtype == dtype and grad_x.dtype == dtype
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    _same(out, value, rtol=rtol)
    _same(grad_x, d_x, rtol=rtol)
    _same(grad_y, d_y, rtol=rtol)


def test_xlogy_gradients_match_torch_except_d_y_where_x_and_y_are_zero():
    torch = _torch()
    x, y, *_ = _xlogy_columns()
    out, (grad_x, grad_y) = _grads(autograd.xlogy, x, y)
    theirs, (torch_x, torch_y) = _torch_grads(torch.xlogy, x, y)
    _same(out, theirs)
    _same(grad_x, torch_x)
    both_zero = (x == 0) & (y == 0)
    assert np.isnan(torch_y[both_zero]).all() and (grad_y[both_zero] == 0).all()
    _same(grad_y[~both_zero], torch_y[~both_zero])


def test_xlogy_broadcasts_and_matches_finite_differences_to_second_order():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(3, 1)), rng.uniform(0.5, 2.0, size=4)
    assert gradcheck(autograd.xlogy, [x, y])
    assert gradgradcheck(autograd.xlogy, [x, y])
    out, (grad_x, grad_y) = _grads(autograd.xlogy, x, y)
    assert grad_x.shape == (3, 1) and grad_y.shape == (4,)
    np.testing.assert_allclose(grad_y, x.sum() / y)


def test_xlogy_with_a_number_and_in_place():
    x = Tensor(np.array([0.0, 1.0, 2.0], dtype=np.float32), requires_grad=True)
    out = x.xlogy(0.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [0.0, -INF, -INF])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, -INF, -INF])


# -- 4. logit -------------------------------------------------------------------------------------------------------
LOGIT_POINTS = np.array([-1.0, 2.0, 0.0, 1.0, 0.5, 0.2, 0.8, 0.1, 0.9, NAN, INF, -INF, 1e-300, 0.05])


def _logit_expected(x, eps):
    """torch's definitions: z = x clamped to [eps, 1 - eps] (if eps), log(z / (1 - z)); d/dx = 1 / (x (1 - x)),
    NaN outside [0, 1] without eps, 0 outside [eps, 1 - eps] with it."""
    with np.errstate(all="ignore"):
        z = x if eps is None else np.where(x < eps, eps, np.where(x > 1 - eps, 1 - eps, x))
        value = np.log(z / (1 - z))
        slope = 1 / (x * (1 - x))
    if eps is None:
        slope = np.where((x < 0) | (x > 1), NAN, slope)
    else:
        slope = np.where((x < eps) | (x > 1 - eps), 0.0, slope)
    return value, slope


@pytest.mark.parametrize("eps", [None, 0.0, 0.2, 1e-6])
def test_logit_values_and_gradients_inside_and_outside_the_clamp(eps):
    value, (grad,) = _grads(lambda t: t.logit(eps=eps), LOGIT_POINTS.copy())
    expected_value, expected_grad = _logit_expected(LOGIT_POINTS, eps)
    _same(value, expected_value)
    _same(grad, expected_grad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("eps", [None, 0.0, 0.2, 0.6, -1.0, -1e-3])  # (a negative eps is no eps in torch's kernels)
def test_logit_matches_torch(eps, dtype):
    torch = _torch()
    points = LOGIT_POINTS.astype(dtype)
    value, (grad,) = _grads(lambda t: t.logit(eps=eps), points)
    theirs, (torch_grad,) = _torch_grads(lambda t: torch.logit(t, eps=eps), points)
    assert value.dtype == dtype and grad.dtype == dtype
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    _same(value, theirs, rtol=rtol)
    _same(grad, torch_grad, rtol=rtol)


def test_logit_of_values_outside_the_unit_interval_has_a_nan_gradient():
    _, (grad,) = _grads(lambda t: t.logit(), np.array([-1.0, 2.0, 0.5]))
    assert np.isnan(grad[:2]).all() and grad[2] == 4.0


def test_logit_matches_finite_differences_to_second_order():
    x = np.array([0.1, 0.35, 0.5, 0.9])
    assert gradcheck(lambda t: t.logit(), [x])
    assert gradgradcheck(lambda t: t.logit(), [x])
    assert gradgradcheck(lambda t: t.logit(eps=0.2), [np.array([0.05, 0.35, 0.5, 0.95])])
    assert gradcheck(lambda t: autograd.logit(t, eps=0.2), [np.array([0.05, 0.35, 0.5, 0.95])])


# -- 5. integer linspace --------------------------------------------------------------------------------------------
LINSPACE_CASES = [(5, -5, 20), (-5, 5, 20), (0, 10, 7), (-3, 3, 4), (0, -1, 3), (-7, 7, 9), (1, 100, 33),
                  (-100, -1, 13), (5, -5, 1), (0, 0, 5), (3, 8, 0), (2.7, -3.9, 11), (-2**31, 2**31 - 1, 7)]  # fmt: skip


def _truncated_linspace(start, stop, num):
    """torch's integer linspace: the ends truncated, start + i step in float64 (from the far end for the second
    half), truncated toward zero."""
    first, last = math.trunc(start), math.trunc(stop)
    if num == 1:
        return np.array([first])
    step = (last - first) / max(num - 1, 1)
    return np.array([math.trunc(first + step * i if i < num // 2 else last - step * (num - 1 - i)) for i in range(num)])


def test_integer_linspace_truncates_toward_zero():
    out = autograd.linspace(5, -5, 20, dtype=np.int32)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out.data, [5, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, -1, -1, -2, -2, -3, -3, -4, -5])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16])
@pytest.mark.parametrize(("start", "stop", "num"), LINSPACE_CASES)
def test_integer_linspace_matches_the_truncated_closed_form(start, stop, num, dtype):
    info = np.iinfo(dtype)
    if not all(info.min <= end <= info.max for end in (start, stop)):
        with pytest.raises(ValueError, match="without overflow"):
            autograd.linspace(start, stop, num, dtype=dtype)
        return
    out = autograd.linspace(start, stop, num, dtype=dtype)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.data, _truncated_linspace(start, stop, num))


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
@pytest.mark.parametrize(("start", "stop", "num"), LINSPACE_CASES)
def test_integer_linspace_matches_torch(start, stop, num, dtype):
    torch = _torch()
    try:
        expected = torch.linspace(start, stop, num, dtype=getattr(torch, dtype)).numpy()
    except RuntimeError:
        with pytest.raises(ValueError, match="without overflow"):
            autograd.linspace(start, stop, num, dtype=dtype)
        return
    out = autograd.linspace(start, stop, num, dtype=dtype)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.data, expected)


def test_integer_linspace_converts_its_ends_as_torch():
    np.testing.assert_array_equal(autograd.linspace(-3, 3, 4, dtype=np.uint8).data, [253, 169, 86, 3])  # -3 wraps
    for start, stop, dtype in [(-0.5, 3, np.uint8), (127.5, 0, np.int8), (0, 256, np.uint8), (NAN, 1, np.int32)]:
        with pytest.raises(ValueError, match="without overflow"):
            autograd.linspace(start, stop, 5, dtype=dtype)


def test_float_linspace_is_still_numpys():
    np.testing.assert_array_equal(autograd.linspace(5.5, -5.5, 10).data, np.linspace(5.5, -5.5, 10))
    assert autograd.linspace(0, 1, 3).dtype == np.float64
    assert autograd.linspace(0, 1, 3, dtype=np.float32).dtype == np.float32


# -- 6. full's dtype --------------------------------------------------------------------------------------------------
# (a numpy number is read as the Python number it holds, as torch reads it: test_default_dtype_and_torch_factories)
FILL_VALUES = [(4, np.int64), (True, np.bool_), (False, np.bool_), (4.0, np.float64), (-2, np.int64)]


@pytest.mark.parametrize(("fill", "dtype"), FILL_VALUES)
def test_full_takes_the_dtype_of_its_fill_value_as_numpy(fill, dtype):
    out = autograd.full((2, 3), fill)
    assert out.dtype == dtype == np.full((2, 3), fill).dtype
    np.testing.assert_array_equal(out.data, np.full((2, 3), fill))


@pytest.mark.parametrize("fill", [4, True, -2])
def test_full_dtype_matches_torch_for_ints_and_booleans(fill):
    torch = _torch()
    assert str(autograd.full((2,), fill).dtype) == str(torch.full((2,), fill).dtype).removeprefix("torch.")


def test_full_with_an_explicit_dtype_and_gradients():
    assert autograd.full((2,), 4, dtype=np.float32).dtype == np.float32
    leaf = autograd.full(3, 2.0, requires_grad=True)
    assert leaf.dtype == np.float64 and leaf.requires_grad
    with pytest.raises(TypeError, match="floating point"):
        autograd.full((2,), 4, requires_grad=True)  # an int64 tensor, as torch refuses it too


def test_linspace_between_tensors_is_in_the_graph_with_numpys_values():
    start = Tensor(np.array(1.0), requires_grad=True)
    stop = Tensor(np.array([2.0, 5.0]), requires_grad=True)
    result = autograd.linspace(start, stop, 5)
    np.testing.assert_allclose(result.data, np.linspace(1.0, np.array([2.0, 5.0]), 5), rtol=1e-15)
    assert result.data[0, 1] == 1.0 and result.data[-1, 1] == 5.0  # the ends exactly
    assert gradcheck(lambda a, b: autograd.linspace(a, b, 4), [np.array(0.5), np.array([3.0, -1.0])])
    with pytest.raises(TypeError, match="linspace: ends in the graph need a floating dtype"):
        autograd.linspace(start, stop, 3, dtype=np.int64)


def test_zero_dimensional_tensors_take_dim_0_as_torch_scalars():
    scalar = Tensor(np.array(-3.0), requires_grad=True)
    assert F.normalize(scalar, dim=0).item() == -1.0
    assert scalar.movedim(0, 0) is scalar and scalar.movedim(-1, 0) is scalar
    picked = scalar.gather(0, Tensor(np.array(0)))
    assert picked.shape == () and picked.item() == -3.0
    (picked * 2).backward()
    assert scalar.grad == 2.0
    with pytest.raises(IndexError, match="index 1 is out of bounds"):
        scalar.gather(0, Tensor(np.array(1)))


def test_a_0d_index_or_input_of_gather_is_one_entry_along_dim_0_as_torchs():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    picked = x.gather(0, Tensor(np.array(2)))  # torch: tensor(3.), 0-d
    assert picked.shape == () and picked.item() == 3.0
    picked.backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    scalar = Tensor(np.array(-3.0), requires_grad=True)
    copies = scalar.gather(-1, Tensor(np.array([0, 0])))  # torch: tensor([-3., -3.])
    np.testing.assert_array_equal(copies.data, [-3.0, -3.0])
    copies.sum().backward()
    assert scalar.grad == 2.0
    with pytest.raises(RuntimeError, match="gather: index of shape"):  # a 0-d index into a matrix, as torch
        Tensor(np.ones((2, 3))).gather(0, Tensor(np.array(1)))


@pytest.mark.parametrize(
    "shape, index_shape, dim", [((5,), (2, 0), 0), ((5, 3), (2, 0, 4), 0), ((5, 3), (0, 7), 1), ((), (0, 3), 0)]
)
def test_gather_of_an_empty_index_of_any_shape_is_empty_of_its_shape_as_torchs(shape, index_shape, dim):
    torch = _torch()
    data = np.random.default_rng(0).normal(size=shape)
    x, expected = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours = autograd.gather(x, dim, Tensor(np.zeros(index_shape, dtype=np.int64)))
    theirs = torch.gather(expected, dim, torch.zeros(index_shape, dtype=torch.long))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float64
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(x.grad, expected.grad.numpy())


@pytest.mark.parametrize("index_shape", [(5, 2), (3,), (2, 2, 2)])
def test_take_along_dim_without_dim_reads_the_flattened_tensor_at_the_flattened_indices_as_torchs(index_shape):
    torch = _torch()
    rng = np.random.default_rng(1)
    data, positions = rng.normal(size=(5, 5)), rng.integers(0, 25, size=index_shape)
    x, expected = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = x.take_along_dim(Tensor(positions)), torch.take_along_dim(expected, torch.tensor(positions))
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    np.testing.assert_array_equal(autograd.take_along_dim(x, Tensor(positions)).data, ours.data)
    upstream = rng.normal(size=ours.shape)
    (ours * Tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad, expected.grad.numpy(), rtol=1e-15)


def test_sinc_near_zero_and_at_subnormals_has_its_true_small_gradient():
    x = Tensor(np.array([1e-320, 0.0, 1e-4, 2e-4, 0.5]), requires_grad=True)
    result = x.sinc()
    np.testing.assert_allclose(result.data, np.sinc(x.data), rtol=1e-15)
    result.sum().backward()
    assert np.isfinite(x.grad).all() and x.grad[1] == 0.0 and abs(x.grad[0]) < 1e-300
    expected = (np.cos(np.pi * x.data[2:]) - np.sinc(x.data[2:])) / x.data[2:]  # d/dx away from 0
    np.testing.assert_allclose(x.grad[2:], expected, rtol=1e-7)
    assert gradcheck(lambda a: a.sinc(), [np.array([1e-4, 3e-4, 0.2, -0.7])])


def test_i0_gradient_at_the_largest_floats_is_infinite_not_nan():
    x = Tensor(np.array([1e308, -1e308, 700.0]), requires_grad=True)
    x.i0().sum().backward()
    assert x.grad[0] == np.inf and x.grad[1] == -np.inf
    np.testing.assert_allclose(x.grad[2], 1.5285003902339395e302, rtol=1e-12)  # I1(700), scipy.special.i1


@pytest.mark.parametrize("approximate", ["tanh", "none"])
def test_float16_gelu_is_computed_in_float32_so_large_inputs_have_gradient_one(approximate):
    x = Tensor(np.array([1e4, -1e4, 3.0], dtype=np.float16), requires_grad=True)
    result = F.gelu(x, approximate=approximate)
    assert result.dtype == np.float16
    result.sum().backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_array_equal(x.grad[:2], np.array([1.0, 0.0], dtype=np.float16))


def test_relu_keeps_the_sign_of_zero_and_nan_as_torch():
    # relu returns x where x is not below 0: -0.0 stays -0.0 (its sign shows in 1 / relu(x)), nan stays nan
    x = np.array([-0.0, 0.0, NAN, -1.0, 2.0])
    expected = np.array([-0.0, 0.0, NAN, 0.0, 2.0])
    for values in (
        Tensor(x).relu().data,
        F.relu(Tensor(x)).data,
        np.array([autograd.Value(v).relu().data for v in x]),
        np.array([autograd.Value.linear([autograd.Value(v)], [1.0], -0.0, "relu").data for v in x]),
    ):
        np.testing.assert_array_equal(values, expected)
        np.testing.assert_array_equal(np.signbit(values), np.signbit(expected))
    value, (gradient,) = _grads(lambda t: t.relu(), x)
    np.testing.assert_array_equal(gradient, [0.0, 0.0, 1.0, 0.0, 1.0])  # relu'(+-0) = 0; nan passes the gradient
    torch = pytest.importorskip("torch")
    theirs, (their_gradient,) = _torch_grads(lambda t: t.relu(), x)
    np.testing.assert_array_equal(np.signbit(value), np.signbit(theirs))
    np.testing.assert_array_equal(gradient, their_gradient)
    assert np.signbit(torch.relu(torch.tensor(-0.0)).item())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bounds", [{"min": 0.0}, {"max": 0.0}, {"min": -0.0}, {"max": -0.0}, {"min": 0}])
def test_clamp_by_one_bound_keeps_an_entry_equal_to_it_signed_zero_included_as_torch(bounds, dtype):
    torch = pytest.importorskip("torch")

    data = np.array([-0.0, 0.0, -1.5, 2.0, np.nan], dtype=dtype)
    theirs = torch.clamp(torch.tensor(data), **bounds).numpy()
    x = autograd.tensor(data, requires_grad=True)
    ours = autograd.clamp(x, **bounds)
    np.testing.assert_array_equal(ours.data, theirs)
    np.testing.assert_array_equal(np.signbit(ours.data), np.signbit(theirs))
    assert ours.dtype == theirs.dtype
    ours.sum().backward()
    expected = torch.tensor(data, requires_grad=True)
    torch.clamp(expected, **bounds).sum().backward()
    np.testing.assert_array_equal(x.grad, expected.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_square_root_power_has_sqrts_slope_at_negative_zero_as_torch(dtype):
    """x ** 0.5 is sqrt x (-0.0 at -0.0): its slope 1 / (2 sqrt x) is -inf there, as torch's and as sqrt's."""
    torch = pytest.importorskip("torch")
    data = np.array([-0.0, 0.0, 4.0, -1.0, np.inf, 1e-300], dtype=dtype)
    expected = torch.tensor(data, requires_grad=True)
    (expected**0.5).sum().backward()
    for call in (lambda t: t**0.5, lambda t: autograd.pow(t, 0.5), autograd.sqrt):
        x = autograd.tensor(data, requires_grad=True)
        call(x).sum().backward()
        np.testing.assert_array_equal(x.grad, expected.grad.numpy())
    assert gradgradcheck(lambda t: t**0.5, [autograd.tensor([4.0, 0.25, 9.0])])


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_maximum_and_minimum_of_opposite_zeros_keep_the_first_as_torch_and_the_second_as_numpy(name):
    """At a tie of +0.0 and -0.0 torch's maximum / minimum (and fmax / fmin) return the first operand's zero; numpy's
    np.maximum / np.minimum the second's (np.fmax / np.fmin the first's), and np.f of a Tensor is numpy's."""
    torch = pytest.importorskip("torch")
    first, second = np.array([0.0, -0.0, 1.0]), np.array([-0.0, 0.0, 2.0])
    expected = getattr(torch, name)(torch.tensor(first), torch.tensor(second)).numpy()
    for result in (getattr(autograd, name)(first, second), getattr(autograd.tensor(first), name)(second)):
        np.testing.assert_array_equal(np.signbit(result.data), np.signbit(expected))
        np.testing.assert_array_equal(result.data, expected)
    numpys = getattr(np, name)(first, second)
    np.testing.assert_array_equal(
        np.signbit(getattr(np, name)(autograd.tensor(first), second).data), np.signbit(numpys)
    )
    np.testing.assert_array_equal(
        np.signbit(getattr(np, name)(first, autograd.tensor(second)).data), np.signbit(numpys)
    )
