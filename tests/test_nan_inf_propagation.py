"""nan and inf reach the output as torch gives them: threshold, hardshrink and softshrink pass nan through with
derivative 1 (their masks are torch's "x <= limit" tests, false at nan); the hinge of the ranking losses is
torch's clamp_min, which keeps nan (derivative 0); gaussian_nll_loss with an infinite variance is inf with zero
gradients, computed without numpy warnings. Expected values are written out; with torch installed the same
points are compared with torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

INF, NAN = np.inf, np.nan
REDUCTIONS = ["none", "mean", "sum"]


def _value_and_grads(function, *arrays):
    """function's value and the gradient of its sum with respect to each array, with warnings as errors."""
    tensors = [Tensor(np.array(a, dtype=float), requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = function(*tensors)
        out.sum().backward()
    return out.data, [t.grad for t in tensors]


def _torch_value_and_grads(torch, function, *arrays):
    tensors = [torch.tensor(np.array(a, dtype=float), requires_grad=True) for a in arrays]
    out = function(*tensors)
    out.sum().backward()
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


def _assert_matches_torch(torch, ours, theirs, *arrays):
    value, grads = _value_and_grads(ours, *arrays)
    torch_value, torch_grads = _torch_value_and_grads(torch, theirs, *arrays)
    np.testing.assert_allclose(value, torch_value, rtol=1e-12, atol=0, equal_nan=True)
    for grad, torch_grad in zip(grads, torch_grads):
        np.testing.assert_allclose(grad, torch_grad, rtol=1e-12, atol=0, equal_nan=True)


# -- threshold, hardshrink, softshrink ---------------------------------------------------------------------------

SHRINK_POINTS = [NAN, -INF, -2.0, -0.5, -0.25, -0.0, 0.0, 0.25, 0.5, 2.0, INF]


def test_threshold_passes_nan_through_with_gradient_one():
    value, (grad,) = _value_and_grads(lambda x: F.threshold(x, 1.0, 7.0), [NAN, 2.0, 1.0, -INF, INF])
    np.testing.assert_array_equal(value, [NAN, 2.0, 7.0, 7.0, INF])
    np.testing.assert_array_equal(grad, [1.0, 1.0, 0.0, 0.0, 1.0])


def test_threshold_at_infinite_limits_still_passes_nan():
    value, (grad,) = _value_and_grads(lambda x: F.threshold(x, INF, 7.0), [NAN, INF, 3.0])
    np.testing.assert_array_equal(value, [NAN, 7.0, 7.0])
    np.testing.assert_array_equal(grad, [1.0, 0.0, 0.0])
    value, (grad,) = _value_and_grads(lambda x: F.threshold(x, -INF, 7.0), [NAN, -INF, 3.0])
    np.testing.assert_array_equal(value, [NAN, 7.0, 3.0])
    np.testing.assert_array_equal(grad, [1.0, 0.0, 1.0])


def test_hardshrink_passes_nan_through_with_gradient_one():
    value, (grad,) = _value_and_grads(F.hardshrink, [NAN, 2.0, 0.5, -0.5, -INF])
    np.testing.assert_array_equal(value, [NAN, 2.0, 0.0, 0.0, -INF])
    np.testing.assert_array_equal(grad, [1.0, 1.0, 0.0, 0.0, 1.0])


def test_softshrink_passes_nan_through_with_gradient_one():
    value, (grad,) = _value_and_grads(F.softshrink, [NAN, 2.0, 0.5, -0.5, -2.0, INF])
    np.testing.assert_array_equal(value, [NAN, 1.5, 0.0, 0.0, -1.5, INF])
    np.testing.assert_array_equal(grad, [1.0, 1.0, 0.0, 0.0, 1.0, 1.0])


def test_shrinkage_keeps_float32_with_nan():
    x = Tensor(np.array([NAN, 2.0], dtype=np.float32))
    for out in (F.threshold(x, 1.0, 7.0), F.hardshrink(x), F.softshrink(x)):
        assert out.dtype == np.float32
        assert np.isnan(out.data[0])


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("limit", [-INF, -1.0, 0.0, 0.5, INF])
def test_threshold_matches_torch_at_nan_and_infinities(limit):
    torch = pytest.importorskip("torch")
    _assert_matches_torch(
        torch,
        lambda x: F.threshold(x, limit, 7.0),
        lambda x: torch.nn.functional.threshold(x, limit, 7.0),
        SHRINK_POINTS,
    )


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
@pytest.mark.parametrize("lambd", [0.0, 0.5])
@pytest.mark.parametrize("point", SHRINK_POINTS)
def test_shrinks_match_torch_at_nan_and_infinities(name, lambd, point):
    # One point per call: torch's vectorised CPU backward of these two gives 0 at nan inside whole SIMD blocks
    # (8 doubles with AVX512) but its scalar rule gives 1, which a single element always takes.
    torch = pytest.importorskip("torch")
    _assert_matches_torch(
        torch,
        lambda x: getattr(F, name)(x, lambd),
        lambda x: getattr(torch.nn.functional, name)(x, lambd),
        [point],
    )


# -- the ranking losses' hinge -----------------------------------------------------------------------------------


def test_hinge_embedding_loss_is_nan_at_nan_with_zero_gradient():
    value, (grad,) = _value_and_grads(lambda x: F.hinge_embedding_loss(x, np.array([-1.0])), [NAN])
    assert np.isnan(value)
    np.testing.assert_array_equal(grad, [0.0])


def test_hinge_embedding_loss_none_keeps_nan_beside_finite_terms():
    value, (grad,) = _value_and_grads(
        lambda x: F.hinge_embedding_loss(x, np.array([-1.0, -1.0, -1.0]), reduction="none"), [NAN, 0.25, 3.0]
    )
    np.testing.assert_array_equal(value, [NAN, 0.75, 0.0])
    np.testing.assert_array_equal(grad, [0.0, -1.0, 0.0])


def test_margin_ranking_loss_is_nan_where_infinities_cancel():
    value, grads = _value_and_grads(lambda a, b: F.margin_ranking_loss(a, b, np.array([1.0])), [INF], [INF])
    assert np.isnan(value)
    for grad in grads:
        np.testing.assert_array_equal(grad, [0.0])


def test_margin_ranking_loss_is_nan_at_nan():
    value, grads = _value_and_grads(lambda a, b: F.margin_ranking_loss(a, b, np.array([1.0])), [NAN], [0.0])
    assert np.isnan(value)
    for grad in grads:
        np.testing.assert_array_equal(grad, [0.0])


def test_cosine_embedding_loss_dissimilar_pair_is_nan_at_nan():
    value, _ = _value_and_grads(
        lambda a, b: F.cosine_embedding_loss(a, b, np.array([-1.0])), [[NAN, 1.0]], [[1.0, 1.0]]
    )
    assert np.isnan(value)


def test_triplet_margin_loss_is_nan_when_both_distances_are_infinite():
    value, (grad, _, _) = _value_and_grads(F.triplet_margin_loss, [[INF, 0.0]], [[0.0, 0.0]], [[1.0, 1.0]])
    assert np.isnan(value)
    assert np.isnan(grad[0, 0]) and grad[0, 1] == 0.0  # as torch: 0 times the nan derivative of inf / inf


RANKING_CASES = {
    "hinge_embedding_nan": (
        lambda lib, x, r: lib.hinge_embedding_loss(x, np.array([-1.0, 1.0, -1.0, -1.0]), reduction=r),
        lambda torch, x, r: torch.nn.functional.hinge_embedding_loss(
            x, torch.tensor([-1.0, 1.0, -1.0, -1.0], dtype=torch.float64), reduction=r
        ),
        ([NAN, NAN, INF, -INF],),
    ),
    "margin_ranking_nan_and_inf": (
        lambda lib, a, b, r: lib.margin_ranking_loss(a, b, np.array([1.0, -1.0, 1.0, -1.0]), reduction=r),
        lambda torch, a, b, r: torch.nn.functional.margin_ranking_loss(
            a, b, torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float64), reduction=r
        ),
        ([NAN, INF, INF, -INF], [0.0, INF, -INF, 1.0]),
    ),
    "cosine_embedding_nan": (
        lambda lib, a, b, r: lib.cosine_embedding_loss(a, b, np.array([-1.0, -1.0]), reduction=r),
        lambda torch, a, b, r: torch.nn.functional.cosine_embedding_loss(
            a, b, torch.tensor([-1.0, -1.0], dtype=torch.float64), reduction=r
        ),
        ([[NAN, 1.0], [1.0, 2.0]], [[1.0, 1.0], [2.0, 1.0]]),
    ),
    "triplet_inf_anchor": (
        lambda lib, a, p, n, r: lib.triplet_margin_loss(a, p, n, reduction=r),
        lambda torch, a, p, n, r: torch.nn.functional.triplet_margin_loss(a, p, n, reduction=r),
        ([[INF, 0.0], [0.5, 1.0]], [[0.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [3.0, 1.0]]),
    ),
}


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(RANKING_CASES))
def test_ranking_losses_match_torch_at_nan_and_infinities(case, reduction):
    torch = pytest.importorskip("torch")
    ours, theirs, arrays = RANKING_CASES[case]
    _assert_matches_torch(
        torch,
        lambda *xs: ours(F, *xs, reduction),
        lambda *xs: theirs(torch, *xs, reduction),
        *arrays,
    )


# -- gaussian_nll_loss with an infinite variance -----------------------------------------------------------------


def test_gaussian_nll_loss_infinite_variance_is_inf_with_zero_gradients():
    value, grads = _value_and_grads(F.gaussian_nll_loss, [0.0], [1.0], [INF])
    assert value == INF
    for grad in grads:
        np.testing.assert_array_equal(grad, [0.0])


def test_gaussian_nll_loss_infinite_variance_beside_raised_and_ordinary_ones():
    value, (d_input, d_target, d_var) = _value_and_grads(
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, eps=1e-6, reduction="none"),
        [0.0, 0.0, 0.0],
        [1.0, 1.0, 1.0],
        [INF, 0.0, 2.0],
    )
    np.testing.assert_array_equal(value, [INF, 0.5 * (np.log(1e-6) + 1e6), 0.5 * (np.log(2.0) + 0.5)])
    np.testing.assert_array_equal(d_input, [0.0, -1e6, -0.5])
    np.testing.assert_array_equal(d_target, [0.0, 1e6, 0.5])
    np.testing.assert_allclose(d_var, [0.0, 0.5 * (1e6 - 1e12), 0.5 * (0.5 - 0.25)], rtol=1e-12)


def test_gaussian_nll_loss_accepts_an_infinite_number_as_variance():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.gaussian_nll_loss(np.zeros(3), np.ones(3), INF, full=True).item() == INF


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss_infinite_variance_matches_torch(reduction, full):
    torch = pytest.importorskip("torch")
    _assert_matches_torch(
        torch,
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=full, reduction=reduction),
        lambda x, t, v: torch.nn.functional.gaussian_nll_loss(x, t, v, full=full, reduction=reduction),
        [0.0, 0.5, 2.0],
        [1.0, 0.5, -1.0],
        [INF, 0.0, 3.0],
    )


SOFTMAX_ROWS_WITH_INFINITIES = [
    [INF, 1.0, 0.0],
    [INF, -INF, 2.0],
    [INF, INF, 0.0],
    [-INF, -INF, -INF],
    [-INF, 1.0, 2.0],
]


@pytest.mark.parametrize("row", SOFTMAX_ROWS_WITH_INFINITIES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda functional, x: x.softmax(1), id="softmax"),
        pytest.param(lambda functional, x: x.log_softmax(1), id="log_softmax"),
        pytest.param(lambda functional, x: x.logsumexp(1), id="logsumexp"),
        pytest.param(lambda functional, x: functional.softmin(-x, 1), id="softmin"),
        pytest.param(
            lambda functional, x: functional.cross_entropy(x, x.new_tensor([1, 0]).long(), reduction="none"),
            id="cross_entropy",
        ),
    ],
)
def test_the_softmax_family_of_a_row_holding_plus_inf_is_nan_throughout_as_torchs(row, dtype, call):
    """torch shifts a row by its maximum even when that is +inf: softmax, log_softmax and cross_entropy are nan over
    the whole row (not nan at the +inf and 0 or -inf elsewhere), logsumexp is +inf with the gradient
    e^(x - logsumexp): nan at the +inf, 0 at the finite entries."""
    torch = pytest.importorskip("torch")
    data = np.array([row, [0.5, -1.0, 2.0]], dtype=dtype)
    weights = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 1.5]], dtype=dtype)
    ours, theirs = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = call(F, ours)
        (out * Tensor(weights[:, : out.shape[-1]] if out.ndim == 2 else weights[:, 0])).sum().backward()
    expected = call(torch.nn.functional, theirs)
    expected_weights = torch.tensor(weights[:, : expected.shape[-1]] if expected.ndim == 2 else weights[:, 0])
    (expected * expected_weights).sum().backward()
    assert out.dtype == data.dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-5, atol=1e-7, equal_nan=True)
