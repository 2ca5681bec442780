"""smooth_l1_loss, huber_loss, binary_cross_entropy_with_logits and multilabel_soft_margin_loss at extreme but
legal inputs: errors near the dtype's largest value, betas that are tiny or round to 0 in the dtype, infinite
logits, targets a rounding step below 1 and large negative logits with small targets. Values and gradients
are checked against references written out or computed independently in float64 (from the definitions),
and against PyTorch where it is installed. Every test turns numpy's warnings into errors."""

import math
from fractions import Fraction

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, detect_anomaly

pytestmark = pytest.mark.filterwarnings("error")

INF = math.inf
F32_HALF_EPS = np.float32(np.finfo(np.float32).eps / 2)


def _torch():
    return pytest.importorskip("torch")


def _value_and_grads(loss, *arrays, reduction="none"):
    """loss(*tensors) and the gradient of its sum with respect to each input."""
    tensors = [Tensor(np.array(a), requires_grad=True) for a in arrays]
    out = loss(*tensors, reduction=reduction)
    (out if out.ndim == 0 else out.sum()).backward()
    return out.data, [t.grad for t in tensors]


def _torch_value_and_grads(loss, *arrays, reduction="none", **kwargs):
    torch = _torch()
    tensors = [torch.from_numpy(np.array(a)).requires_grad_() for a in arrays]
    out = loss(*tensors, reduction=reduction, **kwargs)
    (out if out.ndim == 0 else out.sum()).backward()
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


def _softplus64(x: float) -> float:
    """log(1 + e^x) in float64 (for references)."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _logistic_reference(x, y, q=1.0) -> float:
    """-(q y log sigmoid(x) + (1 - y) log sigmoid(-x)) in float64, straight from the definition (a sum of terms
    >= 0, so float64 is accurate far beyond float32's rounding and, away from underflow, float64's)."""
    x, y, q = float(x), float(y), float(q)
    return q * y * _softplus64(-x) + (1 - y) * _softplus64(x)


def _logistic_gradient_reference(x, y, q=1.0) -> float:
    """d/dx of the loss above, (1 + (q - 1) y) sigmoid(x) - q y, in float64."""
    x, y, q = float(x), float(y), float(q)
    sigmoid = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
    return ((1 - y) + q * y) * sigmoid - q * y


# -- smooth_l1_loss and huber_loss --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "error", "beta"), [(np.float32, 3e38, 10.0), (np.float64, 1e300, 1e10), (np.float32, -3e38, 0.5)]
)
def test_smooth_l1_linear_piece_of_a_huge_error_does_not_overflow(dtype, error, beta):
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=beta),
        np.array([error], dtype),
        np.zeros(1, dtype),
    )
    size = float(np.abs(dtype(error)))
    expected = dtype(size - 0.5 * float(dtype(beta)))  # e.g. float32(3e38 - 5), which is 3e38
    assert value.dtype == dtype
    assert value[0] == expected
    np.testing.assert_array_equal(grad, [np.sign(error)])


def test_smooth_l1_quadratic_piece_with_a_tiny_beta_is_exact():
    beta = 1e-300
    errors = [3e-301, -7e-301, 9.99e-301, 1e-320]
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=beta), errors, np.zeros(4)
    )
    expected = [float(Fraction(d) ** 2 / Fraction(beta) / 2) for d in errors]
    expected_grad = [float(Fraction(d) / Fraction(beta)) for d in errors]
    np.testing.assert_allclose(value, expected, rtol=4e-16, atol=0)
    np.testing.assert_allclose(grad, expected_grad, rtol=4e-16, atol=1e-300 / beta * 1e-16)


@pytest.mark.parametrize(("dtype", "error", "beta"), [(np.float32, 2e38, 3e38), (np.float64, -1e308, 1.7e308)])
def test_smooth_l1_quadratic_piece_with_a_beta_near_the_largest_value_of_the_dtype(dtype, error, beta):
    # 0.5 d^2 overflows here (torch gives inf), 2 beta too; the loss itself is finite
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=beta),
        np.array([error], dtype),
        np.zeros(1, dtype),
    )
    d, b = Fraction(float(dtype(error))), Fraction(float(dtype(beta)))
    np.testing.assert_allclose(value, [float(d * d / b / 2)], rtol=2 * np.finfo(dtype).eps, atol=0)
    np.testing.assert_allclose(grad, [float(d / b)], rtol=2 * np.finfo(dtype).eps, atol=0)


def test_smooth_l1_beta_that_rounds_to_zero_in_the_dtype_is_the_l1_loss():
    errors = np.array([1.0, -2.0, 0.0], np.float32)
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=1e-300), errors, np.zeros(3, np.float32)
    )
    assert value.dtype == np.float32
    np.testing.assert_array_equal(value, [1.0, 2.0, 0.0])
    np.testing.assert_array_equal(grad, [1.0, -1.0, 0.0])


def test_smooth_l1_with_the_smallest_float32_beta_is_finite_and_linear_beyond_it():
    errors = np.array([0.5, -0.5, 0.0, 3e38], np.float32)
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=1e-45), errors, np.zeros(4, np.float32)
    )
    np.testing.assert_array_equal(value, np.array([0.5, 0.5, 0.0, 3e38], np.float32))
    np.testing.assert_array_equal(grad, [1.0, -1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    ("dtype", "error", "beta"),
    [(np.float32, 0.5, 1e-45), (np.float64, 1e10, 1e-300), (np.float64, 1e300, 1e-10), (np.float32, 3e38, 0.5)],
)
def test_smooth_l1_forms_no_infinite_value_or_gradient_at_finite_inputs(dtype, error, beta):
    prediction = Tensor(np.array([error, -error, 0.0], dtype), requires_grad=True)
    with detect_anomaly():  # raises on a nan gradient term, including the piece not taken
        F.smooth_l1_loss(prediction, np.zeros(3, dtype), "none", beta=beta).backward(np.ones(3, dtype))
    np.testing.assert_array_equal(prediction.grad, [1.0, -1.0, 0.0])


def test_smooth_l1_matches_its_definition_on_both_pieces_and_at_the_joint():
    beta = 0.75
    errors = [-3.0, -0.75, -0.5, 0.0, 0.2, 0.75, 0.7500000000000001, 2.0, 1e6]
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=beta), errors, np.zeros(len(errors))
    )
    expected = [0.5 * d * d / beta if abs(d) < beta else abs(d) - 0.5 * beta for d in errors]
    expected_grad = [d / beta if abs(d) < beta else math.copysign(1.0, d) for d in errors]
    np.testing.assert_allclose(value, expected, rtol=2e-16, atol=0)
    np.testing.assert_allclose(grad, expected_grad, rtol=2e-16, atol=0)


def test_huber_delta_beyond_the_float32_range_is_inf_there_quietly():
    errors = np.array([2.0, -3.0], np.float32)
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.huber_loss(p, t, reduction, delta=1e39), errors, np.zeros(2, np.float32)
    )
    np.testing.assert_array_equal(value, [2.0, 4.5])
    np.testing.assert_array_equal(grad, [2.0, -3.0])


def test_huber_of_a_huge_error_is_finite_when_the_loss_is():
    value, (grad, _) = _value_and_grads(
        lambda p, t, reduction: F.huber_loss(p, t, reduction, delta=0.5),
        np.array([3e38, -3e38], np.float32),
        np.zeros(2, np.float32),
    )
    expected = np.float32(0.5 * (float(np.float32(3e38)) - 0.25))
    np.testing.assert_array_equal(value, [expected, expected])
    np.testing.assert_array_equal(grad, [0.5, -0.5])


# -- binary_cross_entropy_with_logits ------------------------------------------------------------------------------


def _bce(x, y, reduction, **kwargs):
    return F.binary_cross_entropy_with_logits(x, y, reduction=reduction, **kwargs)


def test_bce_with_logits_is_infinite_where_the_loss_is_infinite():
    logits, target = [INF, INF, -INF, -INF], [0.0, 0.5, 1.0, 0.5]
    value, (grad, target_grad) = _value_and_grads(_bce, logits, target)
    np.testing.assert_array_equal(value, [INF, INF, INF, INF])
    np.testing.assert_array_equal(grad, [1.0, 0.5, -1.0, -0.5])  # sigmoid(x) - y
    np.testing.assert_array_equal(target_grad, [-INF, -INF, INF, INF])  # -x


def test_bce_with_logits_is_zero_for_an_infinite_logit_on_the_side_of_its_target():
    # (1 - y) x with y = 1 exactly is 0 for every finite x, so 0 at x = inf too (IEEE's 0 * inf would be nan)
    value, (grad, target_grad) = _value_and_grads(_bce, [INF, -INF], [1.0, 0.0])
    np.testing.assert_array_equal(value, [0.0, 0.0])
    np.testing.assert_array_equal(grad, [0.0, 0.0])
    np.testing.assert_array_equal(target_grad, [0.0, 0.0])


def test_bce_with_logits_pos_weight_at_infinite_logits():
    value, (grad, _) = _value_and_grads(
        lambda x, y, reduction: _bce(x, y, reduction, pos_weight=2.0),
        [INF, -INF, INF, -INF, -INF],
        [0.5, 0.5, 1.0, 0.0, 1.0],
    )
    np.testing.assert_array_equal(value, [INF, INF, 0.0, 0.0, INF])
    np.testing.assert_array_equal(grad, [0.5, -1.0, 0.0, 0.0, -2.0])  # (1 + (q - 1) y) sigmoid(x) - q y


def test_bce_with_logits_keeps_one_minus_a_float32_target_just_below_one():
    target = np.float32(1) - F32_HALF_EPS
    logits = np.array([100.0, 1e4], np.float32)
    value, (grad, _) = _value_and_grads(_bce, logits, np.array([target, target]), reduction="mean")
    expected = (100.0 + 1e4) * (1 - float(target)) / 2  # softplus(-x) is below 1e-43 here
    assert value.dtype == np.float32
    np.testing.assert_allclose(value, expected, rtol=2e-7)
    np.testing.assert_allclose(grad, [(1 - float(target)) / 2] * 2, rtol=2e-7)


@pytest.mark.parametrize("pos_weight", [None, 3.0])
def test_bce_with_logits_keeps_a_small_target_at_a_large_negative_logit(pos_weight):
    logits, target = np.array([-1e30, -1e4], np.float32), np.array([1e-20, 1e-3], np.float32)
    value = _bce(Tensor(logits), target, "none", pos_weight=pos_weight).data
    q = 1.0 if pos_weight is None else pos_weight
    expected = [_logistic_reference(x, y, q) for x, y in zip(logits, target)]  # about q y |x|: 1e10 and 10
    np.testing.assert_allclose(value, expected, rtol=4e-7)


def test_bce_with_logits_small_pos_weight_is_accurate_for_a_positive_target():
    logits, target, q = np.float32(7.8324437), np.float32(1.0), np.float32(0.0013923871)
    value = _bce(Tensor(np.array([logits])), np.array([target]), "none", pos_weight=q).data
    np.testing.assert_allclose(value, [_logistic_reference(logits, target, float(q))], rtol=2.5e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pos_weight", [None, 0.3, 2.5])
def test_bce_with_logits_matches_the_float64_definition_on_both_signs(dtype, pos_weight):
    eps = float(np.finfo(dtype).eps)
    xs = [-1e4, -50.0, -3.0, -0.5, -0.0, 0.0, 0.5, 3.0, 50.0, 1e4]
    ys = [0.0, 0.25, 1.0 - eps, 1.0]
    logits = np.array([x for x in xs for _ in ys], dtype)
    target = np.array([y for _ in xs for y in ys], dtype)
    value, (grad, _) = _value_and_grads(
        lambda x, y, reduction: _bce(x, y, reduction, pos_weight=pos_weight), logits, target
    )
    q = 1.0 if pos_weight is None else pos_weight
    expected = [_logistic_reference(x, y, q) for x, y in zip(logits, target)]
    expected_grad = [_logistic_gradient_reference(x, y, q) for x, y in zip(logits, target)]
    assert value.dtype == dtype
    np.testing.assert_allclose(value, expected, rtol=4 * eps, atol=1e-300)
    np.testing.assert_allclose(grad, expected_grad, rtol=4 * eps, atol=4 * eps * max(q, 1.0))


def test_bce_with_logits_gradient_at_a_zero_logit_is_one_half_minus_the_target():
    value, (grad, _) = _value_and_grads(_bce, [0.0, -0.0], [0.3, 0.3])
    np.testing.assert_allclose(value, [math.log(2)] * 2, rtol=1e-15)
    np.testing.assert_allclose(grad, [0.2, 0.2], rtol=1e-15)


@pytest.mark.parametrize("pos_weight", [None, 2.5])
def test_bce_with_logits_target_gradient(pos_weight):
    logits, target = [-3.0, 0.0, 0.5, 20.0], [0.2, 0.4, 0.7, 1.0]
    _, (_, target_grad) = _value_and_grads(
        lambda x, y, reduction: _bce(x, y, reduction, pos_weight=pos_weight), logits, target
    )
    q = 1.0 if pos_weight is None else pos_weight
    expected = [-x + (q - 1) * _softplus64(-x) for x in logits]  # d/dy = -x + (q - 1) softplus(-x)
    np.testing.assert_allclose(target_grad, expected, rtol=1e-15)


# -- multilabel_soft_margin_loss -----------------------------------------------------------------------------------


def test_multilabel_soft_margin_is_infinite_or_zero_at_infinite_scores():
    value, (grad, _) = _value_and_grads(F.multilabel_soft_margin_loss, [[INF, 0.0]], [[0.0, 1.0]])
    np.testing.assert_array_equal(value, [INF])
    np.testing.assert_array_equal(grad, [[0.5, -0.25]])  # (sigmoid(x) - y) / C
    value, (grad, _) = _value_and_grads(F.multilabel_soft_margin_loss, [[INF, -INF]], [[1.0, 0.0]])
    np.testing.assert_array_equal(value, [0.0])
    np.testing.assert_array_equal(grad, [[0.0, 0.0]])


def test_multilabel_soft_margin_keeps_one_minus_a_float32_target_just_below_one():
    target = np.float32(1) - F32_HALF_EPS
    value = F.multilabel_soft_margin_loss(np.array([[100.0, 1e4]], np.float32), np.array([[target, target]])).data
    np.testing.assert_allclose(value, (100.0 + 1e4) * (1 - float(target)) / 2, rtol=2e-7)


# -- PyTorch as the oracle -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "errors", "beta"),
    [
        (np.float32, [3e38, -3e38], 10.0),
        (np.float64, [1e300, -1e300], 1e10),
        (np.float32, [1.0, -2.0, 0.0], 1e-300),
        (np.float32, [0.5, -0.5, 0.0, 3e38], 1e-45),
        (np.float64, [1e10, -1e10, 0.0], 1e-300),  # (torch's 0.5 d^2 underflows below |d| = 1e-150 here)
        (np.float32, [-0.6, -0.25, 0.0, 0.1, 0.6, 0.60000002, 5.0], 0.6),
    ],
)
def test_smooth_l1_extreme_inputs_match_torch(dtype, errors, beta):
    _check_regression_loss_like_torch("smooth_l1_loss", dtype, errors, beta=beta)


@pytest.mark.parametrize(
    ("dtype", "errors", "delta"),
    [(np.float32, [3e38, -3e38, 0.1], 0.5), (np.float32, [2.0, -3.0], 1e39), (np.float64, [1e300, 1e-300], 1e-300)],
)
def test_huber_extreme_inputs_match_torch(dtype, errors, delta):
    _check_regression_loss_like_torch("huber_loss", dtype, errors, delta=delta)


def _check_regression_loss_like_torch(name, dtype, errors, **options):
    """The loss ``name`` of ``errors`` against zero targets, and its gradients, equal torch's within 2 ulp."""
    torch = _torch()
    prediction, target = np.array(errors, dtype), np.zeros(len(errors), dtype)
    ours = getattr(F, name)
    value, grads = _value_and_grads(lambda p, t, reduction: ours(p, t, reduction, **options), prediction, target)
    theirs = getattr(torch.nn.functional, name)
    expected, expected_grads = _torch_value_and_grads(theirs, prediction, target, **options)
    np.testing.assert_allclose(value, expected, rtol=2 * np.finfo(dtype).eps, atol=0)
    for grad, expected_grad in zip(grads, expected_grads):
        np.testing.assert_allclose(grad, expected_grad, rtol=2 * np.finfo(dtype).eps, atol=0)


def test_bce_with_logits_infinite_logits_match_torch():
    # torch's value is nan at x = -inf and at x = +inf with y = 1 (see the torch-free tests for those);
    # its gradient with respect to x is right everywhere
    torch = _torch()
    logits, target = np.array([INF, INF, INF, -INF, -INF]), np.array([0.0, 0.5, 1.0, 0.0, 0.5])
    value, (grad, _) = _value_and_grads(_bce, logits, target)
    expected, (expected_grad, _) = _torch_value_and_grads(
        torch.nn.functional.binary_cross_entropy_with_logits, logits, target
    )
    np.testing.assert_array_equal(value[:2], expected[:2])
    np.testing.assert_array_equal(grad, expected_grad)


def test_multilabel_soft_margin_infinite_score_matches_torch():
    torch = _torch()
    scores, target = np.array([[INF, 0.0], [3.0, -INF]]), np.array([[0.0, 1.0], [0.2, 0.5]])
    value, (grad, _) = _value_and_grads(F.multilabel_soft_margin_loss, scores, target)
    expected, (expected_grad, _) = _torch_value_and_grads(
        torch.nn.functional.multilabel_soft_margin_loss, scores, target
    )
    assert value[0] == expected[0] == INF
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-15)


def test_bce_with_logits_float32_target_just_below_one_matches_torch():
    torch = _torch()
    target = np.float32(1) - F32_HALF_EPS
    logits, targets = np.array([100.0, 1e4], np.float32), np.array([target, target])
    value, grads = _value_and_grads(_bce, logits, targets, reduction="mean")
    expected, expected_grads = _torch_value_and_grads(
        torch.nn.functional.binary_cross_entropy_with_logits, logits, targets, reduction="mean"
    )
    np.testing.assert_allclose(value, expected, rtol=2e-7)
    np.testing.assert_allclose(grads[0], expected_grads[0], rtol=2e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pos_weight", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_bce_with_logits_matches_torch_on_ordinary_inputs(dtype, pos_weight, reduction):
    torch = _torch()
    rng = np.random.default_rng(7)
    logits = (rng.standard_normal((6, 4)) * 4).astype(dtype)
    target = rng.random((6, 4)).astype(dtype)
    target[::2] = np.round(target[::2])
    weight = rng.random((6, 4)).astype(dtype)
    q = (rng.random(4) * 3).astype(dtype) if pos_weight else None
    value, grads = _value_and_grads(
        lambda x, y, reduction: F.binary_cross_entropy_with_logits(x, y, weight, reduction=reduction, pos_weight=q),
        logits,
        target,
        reduction=reduction,
    )
    expected, expected_grads = _torch_value_and_grads(
        torch.nn.functional.binary_cross_entropy_with_logits,
        logits,
        target,
        reduction=reduction,
        weight=torch.from_numpy(weight),
        pos_weight=None if q is None else torch.from_numpy(q),
    )
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(value, expected, rtol=16 * eps, atol=16 * eps)
    for grad, expected_grad in zip(grads, expected_grads):  # with respect to the logits and to the target
        np.testing.assert_allclose(grad, expected_grad, rtol=16 * eps, atol=16 * eps)


def test_multilabel_soft_margin_matches_torch_on_ordinary_inputs():
    torch = _torch()
    rng = np.random.default_rng(8)
    scores, target = rng.standard_normal((5, 3)) * 4, rng.random((5, 3))
    weight = rng.random(3)
    value, grads = _value_and_grads(
        lambda x, y, reduction: F.multilabel_soft_margin_loss(x, y, weight, reduction=reduction),
        scores,
        target,
        reduction="sum",
    )
    expected, expected_grads = _torch_value_and_grads(
        torch.nn.functional.multilabel_soft_margin_loss,
        scores,
        target,
        reduction="sum",
        weight=torch.from_numpy(weight),
    )
    np.testing.assert_allclose(value, expected, rtol=1e-14)
    for grad, expected_grad in zip(grads, expected_grads):
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-13, atol=1e-15)


def test_bce_target_gradient_differentiates_to_minus_infinity_in_p_at_probabilities_0_and_1():
    # d/dy bce = -logit(p), so d/dp d/dy = -1 / (p (1 - p)): -inf at p = 0 and p = 1, not 0 * inf = nan
    probabilities = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 0.25])
    targets = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.5])
    p, y = Tensor(probabilities.copy(), requires_grad=True), Tensor(targets.copy(), requires_grad=True)
    _, d_y = autograd.grad(F.binary_cross_entropy(p, y, reduction="sum"), [p, y], create_graph=True)
    np.testing.assert_array_equal(d_y.data[:4], [INF, -INF, INF, -INF])
    d_p_d_y, _ = autograd.grad(d_y.sum(), [p, y], allow_unused=True)
    expected = [-INF, -INF, -INF, -INF, -4.0, -1 / (0.25 * 0.75)]
    np.testing.assert_allclose(np.asarray(d_p_d_y), expected, rtol=1e-15)
    torch = _torch()
    tp, ty = (torch.tensor(a, requires_grad=True) for a in (probabilities, targets))
    _, t_d_y = torch.autograd.grad(
        torch.nn.functional.binary_cross_entropy(tp, ty, reduction="sum"), [tp, ty], create_graph=True
    )
    (t_d_p_d_y,) = torch.autograd.grad(t_d_y.sum(), [tp])
    np.testing.assert_allclose(np.asarray(d_p_d_y), t_d_p_d_y.numpy(), rtol=1e-15)
