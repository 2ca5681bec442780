"""Tests for nn.functional.losses and the loss Modules of nn.losses: formulas for every
reduction, gradients (finite differences and torch), stability, and argument errors."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import arrays, shapes

REDUCTIONS = ["none", "sum", "mean"]
MACHINE_EPS = np.finfo(np.float64).eps


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _smooth_hinge(z, alpha):
    """Rennie & Srebro's definition, piece by piece."""
    inside = np.clip(z, 0, 1)
    return np.select(
        [z <= 0, z < 1],
        [alpha / (alpha + 1) - z, inside ** (alpha + 1) / (alpha + 1) - z + alpha / (alpha + 1)],
        0.0,
    )


def _huber(d, delta):
    return np.where(np.abs(d) <= delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


# -- losses of a prediction and a same-shaped target ----------------------------------
@st.composite
def cases(draw, kind):
    """(prediction, target) pairs of one shape, kept away from each loss's kinks."""
    shape = draw(shapes(max_dims=2, max_side=3))
    if kind == "difference":
        target = draw(arrays(shape))
        return np.asarray(target + draw(arrays(shape, away_from=(0.0,)))), target
    if kind == "percentage":
        target = draw(arrays(shape, away_from=(0.0,), margin=0.3))
        return np.asarray(target + draw(arrays(shape, away_from=(0.0,)))), target
    if kind == "probability":
        return draw(arrays(shape, low=0.05, high=0.95)), draw(arrays(shape, low=0.0, high=1.0))
    if kind == "logit":
        return draw(arrays(shape)), draw(arrays(shape, low=0.0, high=1.0))
    signs = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
    away = (-1.0, 1.0) if kind == "sign_hinge" else (-1.0, 0.0, 1.0)
    return draw(arrays(shape, away_from=away)), signs


# name -> (loss(prediction, target, reduction), elementwise numpy formula, kind of case)
PAIR_LOSSES = {
    "mse_loss": (F.mse_loss, lambda p, t: (p - t) ** 2, "difference"),
    "l1_loss": (F.l1_loss, lambda p, t: np.abs(p - t), "difference"),
    "mean_bias_error": (F.mean_bias_error, lambda p, t: t - p, "difference"),
    "mape": (F.mape, lambda p, t: np.abs(t - p) / np.maximum(np.abs(t), MACHINE_EPS), "percentage"),
    "huber_loss": (
        lambda p, t, reduction: F.huber_loss(p, t, reduction, delta=0.8),
        lambda p, t: _huber(p - t, 0.8),
        "difference",
    ),
    "binary_cross_entropy": (
        F.binary_cross_entropy,
        lambda p, t: -(t * np.log(p) + (1 - t) * np.log(1 - p)),
        "probability",
    ),
    "binary_cross_entropy_with_logits": (
        F.binary_cross_entropy_with_logits,
        lambda x, t: -(t * np.log(_sigmoid(x)) + (1 - t) * np.log(1 - _sigmoid(x))),
        "logit",
    ),
    "smooth_l1_loss_beta_0.5": (
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=0.5),
        lambda p, t: _huber(p - t, 0.5) / 0.5,
        "difference",
    ),
    "smooth_l1_loss_beta_0": (
        lambda p, t, reduction: F.smooth_l1_loss(p, t, reduction, beta=0.0),
        lambda p, t: np.abs(p - t),
        "difference",
    ),
    "binary_cross_entropy_weighted": (
        lambda p, t, reduction: F.binary_cross_entropy(p, t, weight=np.array(0.7), reduction=reduction),
        lambda p, t: -0.7 * (t * np.log(p) + (1 - t) * np.log(1 - p)),
        "probability",
    ),
    "binary_cross_entropy_with_logits_pos_weight": (
        lambda x, t, reduction: F.binary_cross_entropy_with_logits(x, t, 0.7, reduction=reduction, pos_weight=2.5),
        lambda x, t: -0.7 * (2.5 * t * np.log(_sigmoid(x)) + (1 - t) * np.log(1 - _sigmoid(x))),
        "logit",
    ),
    "hinge_loss": (F.hinge_loss, lambda f, y: np.maximum(0, 1 - y * f), "sign_hinge"),
    "exponential_loss": (F.exponential_loss, lambda f, y: np.exp(-y * f), "sign"),
    **{
        f"smooth_hinge_loss_alpha_{alpha}": (
            lambda f, y, reduction, alpha=alpha: F.smooth_hinge_loss(f, y, alpha=alpha, reduction=reduction),
            lambda f, y, alpha=alpha: _smooth_hinge(y * f, alpha),
            "sign",
        )
        for alpha in (0.5, 1.0, 2.0)
    },
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(PAIR_LOSSES))
@given(data=st.data())
def test_loss_matches_its_formula_under_each_reduction(name, reduction, data):
    loss, formula, kind = PAIR_LOSSES[name]
    prediction, target = data.draw(cases(kind))
    terms = formula(prediction, target)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    out = loss(prediction, target, reduction=reduction)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(PAIR_LOSSES))
@given(data=st.data())
def test_loss_gradient_matches_finite_differences(name, reduction, data):
    loss, _, kind = PAIR_LOSSES[name]
    prediction, target = data.draw(cases(kind))
    assert gradcheck(lambda p: loss(p, target, reduction=reduction), [prediction])


@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.huber_loss, F.mape, F.mean_bias_error])
@given(data=st.data())
def test_regression_loss_gradient_reaches_a_tensor_target(loss, data):
    prediction, target = data.draw(cases("percentage"))
    assert gradcheck(loss, [prediction, target])


@pytest.mark.parametrize(
    ("loss", "target"),
    [
        (F.mse_loss, [1.0, -1.0, -1.0, 1.0]),
        (lambda p, t: F.huber_loss(p, t, delta=0.8), [1.0, -1.0, -1.0, 1.0]),
        (F.binary_cross_entropy_with_logits, [1.0, 0.0, 0.25, 0.5]),
        (lambda f, y: F.smooth_hinge_loss(f, y, alpha=2.0), [1.0, -1.0, -1.0, 1.0]),
    ],
)
def test_smooth_loss_second_derivative_matches_finite_differences(loss, target):
    prediction = np.array([0.3, -1.7, 0.6, 2.4])
    assert gradgradcheck(lambda p: loss(p, np.array(target)), [prediction])


def test_smooth_hinge_with_alpha_one_is_the_quadratically_smoothed_hinge():
    z = np.array([-2.0, -0.5, 0.0, 0.3, 0.9, 1.0, 4.0])
    expected = np.where(z <= 0, 0.5 - z, np.where(z < 1, 0.5 * (1 - z) ** 2, 0.0))
    np.testing.assert_allclose(F.smooth_hinge_loss(z, np.ones(7), reduction="none").data, expected, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5, 1.0, 2.5])
def test_hinge_loss_with_a_margin_matches_its_formula_and_finite_differences(margin, reduction):
    rng = np.random.default_rng(int(margin * 10))
    signs = rng.choice([-1.0, 1.0], size=12)
    scores = signs * (margin + rng.choice([-1.0, 1.0], size=12) * rng.uniform(0.1, 2.0, size=12))
    terms = np.maximum(0.0, margin - signs * scores)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    np.testing.assert_allclose(F.hinge_loss(scores, signs, margin, reduction).data, expected, rtol=1e-12)
    assert gradcheck(lambda f: F.hinge_loss(f, signs, margin=margin, reduction=reduction), [scores])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_perceptron_loss_is_the_hinge_with_margin_zero(reduction):
    rng = np.random.default_rng(3)
    scores, signs = rng.normal(size=10), rng.choice([-1.0, 1.0], size=10)
    scores[:3] = 0.0
    expected = F.hinge_loss(scores, signs, margin=0.0, reduction=reduction).data
    np.testing.assert_array_equal(F.perceptron_loss(scores, signs, reduction).data, expected)
    terms = np.maximum(0.0, -signs * scores)
    np.testing.assert_allclose(F.perceptron_loss(scores, signs, "none").data, terms, rtol=1e-15)


@pytest.mark.parametrize("margin", [0.0, 1.0])
def test_hinge_counts_a_point_exactly_on_the_margin_as_a_violation(margin):
    signs = np.array([1.0, -1.0, 1.0, -1.0])
    scores = Tensor(signs * margin, requires_grad=True)
    out = F.hinge_loss(scores, signs, margin=margin, reduction="sum")
    out.backward()
    assert out.item() == 0.0
    np.testing.assert_array_equal(scores.grad, -signs)


@pytest.mark.parametrize("loss", ["hinge_loss", "perceptron_loss"])
def test_hinge_and_perceptron_losses_of_a_nan_score_are_nan_as_torchs_relu_gives(loss):
    # max(0, margin - y f) as torch.relu(margin - y * f): a nan score is a nan loss (not 0, which hid a diverged
    # model's output), and the gradient passes, as relu's does at nan
    torch = pytest.importorskip("torch")
    signs = np.array([1.0, -1.0, 1.0])
    values = np.array([np.nan, np.nan, 0.25])
    scores = Tensor(values, requires_grad=True)
    out = getattr(F, loss)(scores, signs, reduction="none")
    out.backward(np.ones(3))
    margin = 1.0 if loss == "hinge_loss" else 0.0
    reference = torch.tensor(values, requires_grad=True)
    expected = torch.relu(margin - torch.tensor(signs) * reference)
    expected.backward(torch.ones(3))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    np.testing.assert_array_equal(scores.grad, reference.grad.numpy())


def _separable_points(rng, count):
    """Points with a bias feature 1, labelled by the sign of 2 x1 - x2 + 0.5 with a gap."""
    points = rng.uniform(-2, 2, size=(4 * count, 2))
    score = 2 * points[:, 0] - points[:, 1] + 0.5
    points = points[np.abs(score) > 0.3][:count]
    labels = np.where(2 * points[:, 0] - points[:, 1] + 0.5 > 0, 1.0, -1.0)
    return np.column_stack([points, np.ones(count)]), labels


def test_sgd_on_the_summed_perceptron_loss_is_rosenblatts_rule():
    rng = np.random.default_rng(5)
    inputs, labels = _separable_points(rng, 40)
    lr = 0.1
    weights = nn.Parameter(np.zeros(3))
    optimizer = nn.optim.SGD([weights], lr=lr)
    expected = np.zeros(3)
    for _ in range(30):
        for x, t in zip(inputs, labels):
            if t * (expected @ x) <= 0:
                expected = expected + lr * t * x
            optimizer.zero_grad()
            F.perceptron_loss(Tensor(x) @ weights, t, reduction="sum").backward()
            optimizer.step()
            np.testing.assert_array_equal(weights.data, expected)
    assert np.all(labels * (inputs @ weights.data) > 0)


def test_batch_gradient_of_the_summed_perceptron_loss_sums_over_misclassified_points():
    rng = np.random.default_rng(6)
    inputs, labels = rng.normal(size=(25, 3)), rng.choice([-1.0, 1.0], size=25)
    w = rng.normal(size=3)
    weights = Tensor(w, requires_grad=True)
    F.perceptron_loss(Tensor(inputs) @ weights, labels, reduction="sum").backward()
    misclassified = labels * (inputs @ w) <= 0
    assert 0 < misclassified.sum() < 25
    np.testing.assert_allclose(weights.grad, -(labels[misclassified, None] * inputs[misclassified]).sum(axis=0))


def test_mean_bias_error_is_positive_when_the_model_under_predicts():
    assert F.mean_bias_error([1.0, 2.0], [2.0, 4.0]).item() == pytest.approx(1.5)


def test_mape_guards_a_zero_target_with_eps():
    out = F.mape([0.5], [0.0], eps=1e-3)
    assert out.item() == pytest.approx(500.0)


def test_array_like_target_takes_the_prediction_dtype():
    prediction = Tensor(np.array([0.2, 0.7], dtype=np.float32), requires_grad=True)
    out = F.mse_loss(prediction, [0.0, 1.0])
    out.backward()
    assert out.dtype == np.float32 and prediction.grad.dtype == np.float32


# -- cross-entropy, nll, multi-margin -------------------------------------------------
def _np_log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _np_cross_entropy(logits, target_distribution, smoothing, axis=1):
    classes = logits.shape[axis]
    smoothed = (1 - smoothing) * target_distribution + smoothing / classes
    return -(smoothed * _np_log_softmax(logits, axis)).sum(axis=axis)


def _one_hot(indices, classes):
    return (indices[..., None] == np.arange(classes)).astype(float)


@st.composite
def classification_batches(draw):
    batch, classes = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    logits = draw(arrays((batch, classes), low=-5, high=5))
    indices = np.array(draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch)))
    weights = draw(arrays((batch, classes), low=0.05, high=1.0))
    return logits, indices, weights / weights.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(batch=classification_batches(), smoothing=st.sampled_from([0.0, 0.1, 0.35, 1.0]))
def test_cross_entropy_with_indices_matches_label_smoothed_numpy_formula(reduction, batch, smoothing):
    logits, indices, _ = batch
    terms = _np_cross_entropy(logits, _one_hot(indices, logits.shape[1]), smoothing)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    out = F.cross_entropy(logits, indices, reduction=reduction, label_smoothing=smoothing)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(batch=classification_batches(), smoothing=st.sampled_from([0.0, 0.2]))
def test_cross_entropy_with_probabilities_matches_label_smoothed_numpy_formula(reduction, batch, smoothing):
    logits, _, probabilities = batch
    terms = _np_cross_entropy(logits, probabilities, smoothing)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    out = F.cross_entropy(logits, probabilities, reduction=reduction, label_smoothing=smoothing)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@given(batch=classification_batches(), smoothing=st.sampled_from([0.0, 0.3]))
def test_cross_entropy_gradients_match_finite_differences(batch, smoothing):
    logits, indices, probabilities = batch
    assert gradcheck(lambda x: F.cross_entropy(x, indices, reduction="none", label_smoothing=smoothing), [logits])
    assert gradcheck(
        lambda x, p: F.cross_entropy(x, p, reduction="mean", label_smoothing=smoothing), [logits, probabilities]
    )


def test_cross_entropy_second_derivative_matches_finite_differences():
    logits = np.array([[0.5, -1.0, 2.0], [0.1, 0.3, -0.2]])
    assert gradgradcheck(lambda x: F.cross_entropy(x, np.array([2, 0]), label_smoothing=0.1), [logits])


def test_cross_entropy_gradient_is_softmax_minus_target():
    logits = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    x = Tensor(logits, requires_grad=True)
    F.cross_entropy(x, np.array([1, 0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad, np.exp(_np_log_softmax(logits, 1)) - _one_hot(np.array([1, 0]), 3))


@given(logits=arrays((2, 3, 4)), data=st.data())
def test_cross_entropy_class_axis_can_be_any_axis(logits, data):
    indices = data.draw(hnp.arrays(np.int64, (2, 4), elements=st.integers(0, 2)))
    expected = _np_cross_entropy(logits, np.moveaxis(_one_hot(indices, 3), -1, 1), 0.0, axis=1)
    np.testing.assert_allclose(F.cross_entropy(logits, indices, reduction="none").data, expected, rtol=1e-10)
    moved = np.moveaxis(logits, 1, -1)
    np.testing.assert_allclose(F.cross_entropy(moved, indices, reduction="none", axis=-1).data, expected, rtol=1e-10)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_cross_entropy_of_a_tensor_batch_matches_the_formula_and_finite_differences(reduction, dtype, as_tensor):
    # the usual call (a Tensor of logits, class indices, no options) takes a shorter path: it must give the
    # values and gradients of the formula, for every integer dtype and a target given as a Tensor
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((5, 4))
    indices = np.array([3, 0, 1, 3, 2], dtype=dtype)
    target = Tensor(indices) if as_tensor else indices
    out = F.cross_entropy(Tensor(logits), target, reduction=reduction)
    terms = _np_cross_entropy(logits, _one_hot(indices.astype(np.int64), 4), 0.0)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    weights = rng.standard_normal(5) if reduction == "none" else 1.0
    assert gradcheck(lambda x: F.cross_entropy(x, target, reduction=reduction) * Tensor(weights), [logits])


def test_cross_entropy_of_a_tensor_batch_refuses_out_of_range_indices_and_ignores_a_negative_ignore_index():
    logits = Tensor(np.zeros((2, 3)), requires_grad=True)
    for bad, shown in [
        (np.array([0, 3]), r"\[3\]"),
        (np.array([-2, 0]), r"\[-2\]"),
        (np.array([0, 255], np.uint8), r"\[255\]"),
    ]:
        with pytest.raises(
            ValueError, match=rf"cross_entropy: class indices must lie in \[0, 2\] for 3 classes, got {shown}"
        ):
            F.cross_entropy(logits, bad)
    with pytest.raises(ValueError, match=r"got \[-256\] \(target dtype >i2\)"):  # bytes in the other order
        F.cross_entropy(Tensor(np.zeros((2, 300))), np.array([-256, 0], dtype=">i2"))
    big_endian = F.cross_entropy(logits, np.array([2, 1], dtype=">i8"))
    assert big_endian.item() == pytest.approx(np.log(3))
    loss = F.cross_entropy(logits, np.array([-1, 2]), ignore_index=-1)  # the first sample is left out of the mean
    loss.backward()
    assert loss.item() == pytest.approx(np.log(3))
    np.testing.assert_allclose(logits.grad, [[0, 0, 0], [1 / 3, 1 / 3, -2 / 3]], atol=1e-15)


def test_cross_entropy_accepts_one_unbatched_sample():
    logits = np.array([0.2, 1.5, -0.3])
    expected = -_np_log_softmax(logits, 0)[1]
    assert F.cross_entropy(logits, np.array(1)).item() == pytest.approx(expected)
    assert F.cross_entropy(logits, np.array([0.0, 1.0, 0.0])).item() == pytest.approx(expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(batch=classification_batches())
def test_nll_loss_picks_minus_the_target_log_probability(reduction, batch):
    logits, indices, _ = batch
    log_probs = _np_log_softmax(logits, 1)
    terms = -log_probs[np.arange(len(indices)), indices]
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    np.testing.assert_allclose(F.nll_loss(log_probs, indices, reduction=reduction).data, expected, rtol=1e-12)
    assert gradcheck(lambda lp: F.nll_loss(lp, indices, reduction=reduction), [log_probs])


def test_nll_loss_ignores_minus_infinity_at_other_classes():
    log_probs = Tensor(np.array([[0.0, -np.inf], [-np.inf, 0.0]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.nll_loss(log_probs, np.array([0, 1]), reduction="sum")
        out.backward()
    assert out.item() == 0.0
    np.testing.assert_array_equal(log_probs.grad, [[-1.0, 0.0], [0.0, -1.0]])


def _np_multi_margin(scores, indices, p, margin):
    scores = np.atleast_2d(scores)
    terms = []
    for row, y in zip(scores, np.atleast_1d(indices)):
        hinge = np.maximum(0, margin - row[y] + row) ** p
        terms.append((hinge.sum() - hinge[y]) / row.size)
    return np.array(terms)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("p", "margin"), [(1, 1.0), (2, 1.0), (1, 0.3)])
@given(batch=classification_batches())
def test_multi_margin_loss_matches_torch_definition(reduction, p, margin, batch):
    scores, indices, _ = batch
    rows = np.arange(len(indices))
    active = margin - scores[rows, indices][:, None] + scores
    active[rows, indices] = 1.0
    assume(np.all(np.abs(active) > 1e-3))
    terms = _np_multi_margin(scores, indices, p, margin)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    out = F.multi_margin_loss(scores, indices, p=p, margin=margin, reduction=reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda s: F.multi_margin_loss(s, indices, p, margin, reduction=reduction), [scores])


def test_multi_margin_loss_accepts_one_unbatched_sample():
    scores = np.array([0.5, 0.2, -0.4])
    expected = _np_multi_margin(scores, 0, 1, 1.0)[0]
    assert F.multi_margin_loss(scores, np.array(0)).item() == pytest.approx(expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("scores_shape", "target"), [((3,), [2]), ((1, 3), 2)])
def test_multi_margin_loss_takes_a_lone_samples_target_of_either_shape_as_torch(reduction, scores_shape, target):
    torch = pytest.importorskip("torch")
    scores = np.array([0.5, 0.2, -0.4]).reshape(scores_shape)
    ours = F.multi_margin_loss(scores, np.array(target), reduction=reduction)
    theirs = torch.nn.functional.multi_margin_loss(torch.tensor(scores), torch.tensor(target), reduction=reduction)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.data, _np_multi_margin(scores, 2, 1, 1.0).reshape(ours.shape), rtol=1e-12)


# -- stability ----------------------------------------------------------------------------
EXTREMES = np.array([1e4, -1e4, 1e4, -1e4])
SIGNS = np.array([1.0, -1.0, -1.0, 1.0])
EXTREME_CALLS = {
    "mse_loss": lambda x: F.mse_loss(x, -EXTREMES),
    "l1_loss": lambda x: F.l1_loss(x, -EXTREMES),
    "mean_bias_error": lambda x: F.mean_bias_error(x, -EXTREMES),
    "mape": lambda x: F.mape(x, [0.0, 1e-4, 1e4, -1e4]),
    "huber_loss": lambda x: F.huber_loss(x, -EXTREMES),
    "binary_cross_entropy_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, [1.0, 1.0, 0.0, 0.5]),
    "hinge_loss": lambda x: F.hinge_loss(x, SIGNS),
    "smooth_hinge_loss": lambda x: F.smooth_hinge_loss(x, SIGNS, alpha=3.0),
    "exponential_loss_correct_side": lambda x: F.exponential_loss(x, np.sign(EXTREMES)),
    "cross_entropy": lambda x: F.cross_entropy(x.reshape(2, 2), np.array([1, 1]), label_smoothing=0.1),
    "cross_entropy_probabilities": lambda x: F.cross_entropy(x.reshape(2, 2), [[0.0, 1.0], [0.5, 0.5]]),
    "nll_loss": lambda x: F.nll_loss(x.reshape(2, 2), np.array([0, 1])),
    "multi_margin_loss": lambda x: F.multi_margin_loss(x.reshape(2, 2), np.array([1, 0]), p=2),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(EXTREME_CALLS))
def test_loss_is_finite_without_warnings_at_extreme_inputs(name, dtype):
    x = Tensor(EXTREMES.astype(dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = EXTREME_CALLS[name](x)
        out.backward()
    assert np.isfinite(out.item())
    assert np.all(np.isfinite(x.grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_clamps_log_at_minus_100_for_certain_probabilities(dtype):
    probabilities = Tensor(np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.binary_cross_entropy(probabilities, [1.0, 0.0, 0.0, 1.0], reduction="none")
        out.sum().backward()
    np.testing.assert_allclose(out.data, [100.0, 100.0, 0.0, 0.0])
    assert np.all(np.isfinite(probabilities.grad))


def test_exponential_loss_overflows_to_inf_without_a_warning_when_badly_wrong():
    x = Tensor(np.array([-1e4]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.exponential_loss(x, [1.0])
        out.backward()
    assert out.item() == np.inf
    assert x.grad[0] == -np.inf


# -- torch oracle ---------------------------------------------------------------------------
def _compare_with_torch(our_loss, torch_loss, inputs, rtol=1e-10):
    """Values and gradients w.r.t. the first input agree with torch (float64)."""
    torch = pytest.importorskip("torch")
    leaf = Tensor(inputs[0], requires_grad=True)
    out = our_loss(leaf, *inputs[1:])
    seed = np.random.default_rng(0).normal(size=out.shape)
    (out * seed).sum().backward()
    torch_inputs = [torch.tensor(v) for v in inputs]
    torch_leaf = torch_inputs[0].clone().requires_grad_(True)
    torch_out = torch_loss(torch_leaf, *torch_inputs[1:])
    (torch_out * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(leaf.grad, torch_leaf.grad.numpy(), rtol=rtol, atol=1e-12)


#: Weights for the (5, 3) cases below: one per column (class), one per row (sample).
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.25])
SAMPLE_WEIGHTS = np.array([[1.0], [0.0], [3.0], [0.5], [1.5]])

# name -> (our loss, torch loss as a function of (torch, prediction, target, reduction), kind of case)
TORCH_PAIR_LOSSES = {
    "mse_loss": (F.mse_loss, lambda torch, p, t, r: torch.nn.functional.mse_loss(p, t, reduction=r), "difference"),
    "l1_loss": (F.l1_loss, lambda torch, p, t, r: torch.nn.functional.l1_loss(p, t, reduction=r), "difference"),
    "huber_loss": (
        lambda p, t, r: F.huber_loss(p, t, r, delta=0.7),
        lambda torch, p, t, r: torch.nn.functional.huber_loss(p, t, reduction=r, delta=0.7),
        "difference",
    ),
    "binary_cross_entropy": (
        lambda p, t, r: F.binary_cross_entropy(p, t, reduction=r),
        lambda torch, p, t, r: torch.nn.functional.binary_cross_entropy(p, t, reduction=r),
        "probability",
    ),
    "binary_cross_entropy_with_logits": (
        lambda p, t, r: F.binary_cross_entropy_with_logits(p, t, reduction=r),
        lambda torch, p, t, r: torch.nn.functional.binary_cross_entropy_with_logits(p, t, reduction=r),
        "logit",
    ),
    "smooth_l1_loss": (
        lambda p, t, r: F.smooth_l1_loss(p, t, r, beta=0.6),
        lambda torch, p, t, r: torch.nn.functional.smooth_l1_loss(p, t, reduction=r, beta=0.6),
        "difference",
    ),
    "binary_cross_entropy_weighted": (
        lambda p, t, r: F.binary_cross_entropy(p, t, CLASS_WEIGHTS, reduction=r),
        lambda torch, p, t, r: torch.nn.functional.binary_cross_entropy(
            p, t, weight=torch.tensor(CLASS_WEIGHTS), reduction=r
        ),
        "probability",
    ),
    "binary_cross_entropy_with_logits_weighted": (
        lambda p, t, r: F.binary_cross_entropy_with_logits(p, t, SAMPLE_WEIGHTS, reduction=r, pos_weight=CLASS_WEIGHTS),
        lambda torch, p, t, r: torch.nn.functional.binary_cross_entropy_with_logits(
            p, t, weight=torch.tensor(SAMPLE_WEIGHTS), pos_weight=torch.tensor(CLASS_WEIGHTS), reduction=r
        ),
        "logit",
    ),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(TORCH_PAIR_LOSSES))
def test_loss_matches_torch_values_and_gradients(name, reduction):
    torch = pytest.importorskip("torch")
    ours, theirs, kind = TORCH_PAIR_LOSSES[name]
    rng = np.random.default_rng(11)
    prediction, target = rng.normal(scale=2, size=(5, 3)), rng.normal(size=(5, 3))
    if kind == "probability":
        prediction = _sigmoid(prediction)
    if kind in ("probability", "logit"):
        target = rng.uniform(size=(5, 3))
    _compare_with_torch(
        lambda p, t: ours(p, t, reduction),
        lambda p, t: theirs(torch, p, t, reduction),
        [prediction, target],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("target_kind", ["indices", "probabilities"])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 2, 2), (4,)])
def test_cross_entropy_matches_torch(reduction, smoothing, target_kind, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    logits = rng.normal(scale=3, size=shape)
    class_axis = 0 if len(shape) == 1 else 1
    classes = shape[class_axis]
    if target_kind == "indices":
        target = rng.integers(0, classes, size=shape[:class_axis] + shape[class_axis + 1 :])
    else:
        target = np.moveaxis(
            rng.dirichlet(np.ones(classes), size=shape[:class_axis] + shape[class_axis + 1 :]), -1, class_axis
        )
    _compare_with_torch(
        lambda x, t: F.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing),
        lambda x, t: torch.nn.functional.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing),
        [logits, target],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 2, 2), (4,)])
def test_cross_entropy_of_probabilities_differentiates_a_tensor_weight_as_torch(reduction, smoothing, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    logits, weight = rng.normal(size=shape), rng.uniform(0.2, 2.0, size=4)
    class_axis = 0 if len(shape) == 1 else 1
    target = np.moveaxis(rng.dirichlet(np.ones(4), size=shape[:class_axis] + shape[class_axis + 1 :]), -1, class_axis)
    ours_weight, their_weight = Tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    ours = F.cross_entropy(logits, target, ours_weight, reduction=reduction, label_smoothing=smoothing)
    theirs = torch.nn.functional.cross_entropy(
        torch.tensor(logits), torch.tensor(target), their_weight, reduction=reduction, label_smoothing=smoothing
    )
    seed = rng.normal(size=theirs.shape)
    ours.backward(Tensor(seed))
    theirs.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours_weight.grad, their_weight.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4)])
def test_nll_loss_matches_torch(reduction, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    log_probs = _np_log_softmax(rng.normal(size=shape), 1)
    target = rng.integers(0, 3, size=shape[:1] + shape[2:])
    _compare_with_torch(
        lambda x, t: F.nll_loss(x, t, reduction=reduction),
        lambda x, t: torch.nn.functional.nll_loss(x, t, reduction=reduction),
        [log_probs, target],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("p", "margin"), [(1, 1.0), (2, 0.5)])
def test_multi_margin_loss_matches_torch(reduction, p, margin):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    scores, target = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    _compare_with_torch(
        lambda x, t: F.multi_margin_loss(x, t, p, margin, reduction=reduction),
        lambda x, t: torch.nn.functional.multi_margin_loss(x, t, p=p, margin=margin, reduction=reduction),
        [scores, target],
    )


@pytest.mark.parametrize("p", [1.0, 2.0, np.float64(2.0)])
def test_multi_margin_loss_takes_a_float_p_equal_to_1_or_2_as_torch(p):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    scores, target = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    _compare_with_torch(
        lambda x, t: F.multi_margin_loss(x, t, p),
        lambda x, t: torch.nn.functional.multi_margin_loss(x, t, p=p),
        [scores, target],
    )
    _compare_with_torch(
        lambda x, t: nn.MultiMarginLoss(p=p)(x, t), lambda x, t: torch.nn.MultiMarginLoss(p=p)(x, t), [scores, target]
    )


@pytest.mark.parametrize("p", [1.5, 3, 0.0])
def test_multi_margin_loss_refuses_a_p_other_than_1_or_2_with_torchs_value_error(p):
    with pytest.raises(ValueError, match="multi_margin_loss: p must be 1 or 2"):
        F.multi_margin_loss(np.zeros((2, 3)), np.array([0, 1]), p)
    with pytest.raises(ValueError, match="MultiMarginLoss: p must be 1 or 2"):
        nn.MultiMarginLoss(p=p)


def test_binary_cross_entropy_matches_torch_at_certain_probabilities():
    torch = pytest.importorskip("torch")
    probabilities, target = np.array([0.0, 1.0, 0.0, 1.0, 0.3]), np.array([1.0, 0.0, 0.0, 1.0, 0.6])
    expected = torch.nn.functional.binary_cross_entropy(
        torch.tensor(probabilities), torch.tensor(target), reduction="none"
    ).numpy()
    np.testing.assert_allclose(
        F.binary_cross_entropy(probabilities, target, reduction="none").data, expected, rtol=1e-12
    )


def test_mape_and_hinge_match_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(9)
    target, prediction = rng.normal(size=20), rng.normal(size=20)
    target[3] = 0.0
    assert F.mape(prediction, target).item() == pytest.approx(
        metrics.mean_absolute_percentage_error(target, prediction), rel=1e-12
    )
    signs = np.where(target > 0, 1.0, -1.0)
    assert F.hinge_loss(prediction, signs).item() == pytest.approx(metrics.hinge_loss(signs, prediction), rel=1e-12)


# -- argument errors -----------------------------------------------------------------------
ALL_LOSSES = {
    "mse_loss": (F.mse_loss, [0.5], [1.0]),
    "l1_loss": (F.l1_loss, [0.5], [1.0]),
    "mean_bias_error": (F.mean_bias_error, [0.5], [1.0]),
    "mape": (F.mape, [0.5], [1.0]),
    "huber_loss": (F.huber_loss, [0.5], [1.0]),
    "binary_cross_entropy": (F.binary_cross_entropy, [0.5], [1.0]),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits, [0.5], [1.0]),
    "cross_entropy": (F.cross_entropy, [[0.5, 1.0]], [1]),
    "nll_loss": (F.nll_loss, [[-0.5, -1.0]], [1]),
    "multi_margin_loss": (F.multi_margin_loss, [[0.5, 1.0]], [1]),
    "hinge_loss": (F.hinge_loss, [0.5], [1.0]),
    "perceptron_loss": (F.perceptron_loss, [0.5], [1.0]),
    "exponential_loss": (F.exponential_loss, [0.5], [1.0]),
    "smooth_hinge_loss": (F.smooth_hinge_loss, [0.5], [1.0]),
}


@pytest.mark.parametrize("name", sorted(ALL_LOSSES))
def test_loss_rejects_an_unknown_reduction(name):
    loss, prediction, target = ALL_LOSSES[name]
    assert np.isfinite(loss(prediction, target).item())
    with pytest.raises(ValueError, match=f"{name}: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        loss(prediction, target, reduction="avg")


@pytest.mark.parametrize("name", sorted(ALL_LOSSES))
def test_the_mean_of_an_empty_batch_is_nan_with_an_empty_gradient_and_its_sum_zero(name):
    # as numpy's mean of nothing and torch's losses (0/0), without a warning
    loss, prediction, target = ALL_LOSSES[name]
    empty_prediction = Tensor(np.zeros((0,) + np.shape(prediction)[1:]), requires_grad=True)
    empty_target = np.zeros((0,), dtype=np.asarray(target).dtype)
    assert loss(empty_prediction, empty_target, reduction="sum").item() == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = loss(empty_prediction, empty_target)
        mean.backward()
    assert math.isnan(mean.item())
    assert empty_prediction.grad.shape == empty_prediction.shape


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: F.mse_loss(np.ones((3, 1)), np.ones(3)),
            ValueError,
            r"mse_loss: target shape \(3,\) does not match prediction shape \(3, 1\)",
        ),
        (lambda: F.l1_loss(np.ones(2), ["a", "b"]), TypeError, "l1_loss: target must hold real numbers"),
        (lambda: F.huber_loss([1.0], [1.0], delta=0.0), ValueError, "huber_loss: delta must be positive"),
        (lambda: F.mape([1.0], [1.0], eps=-1.0), ValueError, "mape: eps must be positive"),
        (
            lambda: F.binary_cross_entropy([1.2, 0.5], [1.0, 0.0]),
            ValueError,
            r"binary_cross_entropy: probabilities must lie in \[0, 1\], got \[1.2\] among values of shape \(2,\)",
        ),
        (
            lambda: F.binary_cross_entropy([0.2], [2.0]),
            ValueError,
            r"binary_cross_entropy: targets must lie in \[0, 1\]",
        ),
        (
            lambda: F.binary_cross_entropy([np.nan], [1.0]),
            ValueError,
            r"binary_cross_entropy: probabilities must lie in \[0, 1\], got \[nan\]",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits([3.0], [-1.0]),
            ValueError,
            "binary_cross_entropy_with_logits: targets must lie in",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(np.ones(2), np.ones(3)),
            ValueError,
            r"target shape \(3,\) does not match logits shape \(2,\)",
        ),
        (
            lambda: F.hinge_loss([1.0, 2.0], [1.0, 0.0]),
            ValueError,
            r"hinge_loss: targets must be -1 or \+1, got \[0.0\]",
        ),
        (lambda: F.hinge_loss([1.0], [1.0], margin=-0.5), ValueError, "hinge_loss: margin must be >= 0, got -0.5"),
        (lambda: F.hinge_loss([1.0], [1.0], margin=np.inf), ValueError, "hinge_loss: margin must be finite"),
        (lambda: F.hinge_loss([1.0], [1.0], margin="1"), TypeError, "hinge_loss: margin must be a real number"),
        (lambda: F.perceptron_loss([1.0], [0.0]), ValueError, r"perceptron_loss: targets must be -1 or \+1"),
        (
            lambda: F.exponential_loss([1.0], [2.0]),
            ValueError,
            r"exponential_loss: targets must be -1 or \+1, got \[2.0\]",
        ),
        (lambda: F.smooth_hinge_loss([1.0], [1.0], alpha=0), ValueError, "smooth_hinge_loss: alpha must be positive"),
        (lambda: F.smooth_hinge_loss([1.0], [0.5]), ValueError, "smooth_hinge_loss: targets must be -1 or"),
        (
            lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 3])),
            ValueError,
            r"cross_entropy: class indices must lie in \[0, 2\] for 3 classes, got \[3\]",
        ),
        (
            lambda: F.cross_entropy(np.ones((2, 3)), np.array([-1, 0])),
            ValueError,
            r"cross_entropy: class indices .* got \[-1\]",
        ),
        (
            lambda: F.cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])),
            ValueError,
            r"cross_entropy: target must be integer class indices of shape \(2,\) or class probabilities of the input's shape \(2, 3\); got a float64 target of shape \(2,\)",
        ),
        (
            lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1, 2])),
            ValueError,
            r"cross_entropy: class-index target shape \(3,\) does not match input shape \(2, 3\)",
        ),
        (  # an integer one-hot target (the book's t built as integers): torch's RuntimeError names the dtype
            lambda: F.cross_entropy(np.ones((2, 3)), np.eye(3, dtype=np.int64)[[0, 2]]),
            RuntimeError,
            r"cross_entropy: .* class probabilities, which must be floating point, not int64: target.astype",
        ),
        (
            lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1]), label_smoothing=1.5),
            ValueError,
            r"cross_entropy: label_smoothing must be in \[0, 1\]",
        ),
        (
            lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1]), axis=2),
            ValueError,
            r"cross_entropy: axis must be in \[-2, 1\] for an input of dimension 2, got 2",
        ),
        (
            lambda: F.cross_entropy(np.float64(1.0), np.array(0)),
            ValueError,
            "cross_entropy: input must have a class axis",
        ),
        (
            lambda: F.nll_loss(np.ones((2, 3)), np.array([0.0, 1.0])),
            TypeError,
            "nll_loss: class-index targets must be integers, got dtype float64",
        ),
        (
            lambda: F.nll_loss(np.ones((2, 3)), np.array([0, 5])),
            ValueError,
            r"nll_loss: class indices must lie in \[0, 2\]",
        ),
        (
            lambda: F.multi_margin_loss(np.ones((2, 3)), np.array([0, 1]), p=3),
            ValueError,
            "multi_margin_loss: p must be 1 or 2",
        ),
        (
            lambda: F.multi_margin_loss(np.ones((2, 3, 1)), np.array([0, 1])),
            ValueError,
            r"multi_margin_loss: scores must be \(N, C\), \(C,\) or \(\)",
        ),
        (
            lambda: F.multi_margin_loss(np.ones((2, 3)), np.array([0, 1]), margin="1"),
            TypeError,
            "multi_margin_loss: margin must be a real number",
        ),
    ],
)
def test_loss_rejects_bad_arguments_naming_the_loss(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- loss Modules ---------------------------------------------------------------------------
def _modules_and_formulas():
    rng = np.random.default_rng(4)
    p, t = rng.normal(size=6), rng.normal(size=6)
    probabilities, soft = rng.uniform(0.1, 0.9, size=6), rng.uniform(size=6)
    y = np.where(t > 0, 1.0, -1.0)
    logits, indices = rng.normal(size=(3, 4)), np.array([0, 3, 1])
    log_probs = _np_log_softmax(logits, 1)
    return [
        (nn.MSELoss(), (p, t), np.mean((p - t) ** 2)),
        (nn.L1Loss("sum"), (p, t), np.sum(np.abs(p - t))),
        (nn.MeanBiasError(), (p, t), np.mean(t - p)),
        (nn.MAPELoss(eps=0.5), (p, t), np.mean(np.abs(t - p) / np.maximum(np.abs(t), 0.5))),
        (nn.HuberLoss("none", delta=0.3), (p, t), _huber(p - t, 0.3)),
        (
            nn.BCELoss(reduction="sum"),
            (probabilities, soft),
            -np.sum(soft * np.log(probabilities) + (1 - soft) * np.log(1 - probabilities)),
        ),
        (
            nn.BCEWithLogitsLoss(),
            (p, soft),
            -np.mean(soft * np.log(_sigmoid(p)) + (1 - soft) * np.log(1 - _sigmoid(p))),
        ),
        (
            nn.CrossEntropyLoss(label_smoothing=0.2),
            (logits, indices),
            _np_cross_entropy(logits, _one_hot(indices, 4), 0.2).mean(),
        ),
        (nn.CrossEntropyLoss(axis=0), (logits.T, indices), _np_cross_entropy(logits, _one_hot(indices, 4), 0.0).mean()),
        (nn.NLLLoss(reduction="none"), (log_probs, indices), -log_probs[np.arange(3), indices]),
        (nn.HingeLoss(), (p, y), np.mean(np.maximum(0, 1 - y * p))),
        (nn.HingeLoss(margin=0.5, reduction="sum"), (p, y), np.sum(np.maximum(0, 0.5 - y * p))),
        (nn.PerceptronLoss("none"), (p, y), np.maximum(0, -y * p)),
        (
            nn.MultiMarginLoss(p=2, margin=0.5, reduction="sum"),
            (logits, indices),
            _np_multi_margin(logits, indices, 2, 0.5).sum(),
        ),
        (nn.ExponentialLoss(), (p, y), np.mean(np.exp(-y * p))),
        (nn.SmoothHingeLoss(alpha=2.0), (p, y), np.mean(_smooth_hinge(y * p, 2.0))),
    ]


@pytest.mark.parametrize(("module", "inputs", "expected"), _modules_and_formulas(), ids=lambda v: type(v).__name__)
def test_loss_module_computes_its_formula_with_its_hyper_parameters(module, inputs, expected):
    out = module(*inputs)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10)
    assert module.parameters() == []


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (nn.MSELoss(), "MSELoss(reduction='mean')"),
        (nn.L1Loss("sum"), "L1Loss(reduction='sum')"),
        (nn.MAPELoss(eps=1e-3), "MAPELoss(eps=0.001, reduction='mean')"),
        (nn.HuberLoss(delta=2), "HuberLoss(delta=2.0, reduction='mean')"),
        (
            nn.CrossEntropyLoss(reduction="none", label_smoothing=0.1),
            "CrossEntropyLoss(label_smoothing=0.1, axis=1, reduction='none')",
        ),
        (nn.NLLLoss(), "NLLLoss(axis=1, reduction='mean')"),
        (nn.MultiMarginLoss(2, 0.5), "MultiMarginLoss(p=2, margin=0.5, reduction='mean')"),
        (nn.SmoothHingeLoss(0.5), "SmoothHingeLoss(alpha=0.5, reduction='mean')"),
        (nn.BCEWithLogitsLoss(reduction="sum"), "BCEWithLogitsLoss(reduction='sum')"),
        (nn.HingeLoss(margin=0), "HingeLoss(margin=0.0, reduction='mean')"),
        (nn.PerceptronLoss("sum"), "PerceptronLoss(reduction='sum')"),
    ],
)
def test_loss_module_repr_shows_its_hyper_parameters(module, text):
    assert repr(module) == text


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: nn.MSELoss("avg"), ValueError, "MSELoss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
        (lambda: nn.BCELoss(reduction=None), ValueError, "BCELoss: reduction must be"),
        (lambda: nn.HuberLoss(delta=-1.0), ValueError, "HuberLoss: delta must be positive"),
        (lambda: nn.MAPELoss(eps=0), ValueError, "MAPELoss: eps must be positive"),
        (
            lambda: nn.CrossEntropyLoss(label_smoothing=-0.1),
            ValueError,
            r"CrossEntropyLoss: label_smoothing must be in \[0, 1\]",
        ),
        (lambda: nn.CrossEntropyLoss(axis=1.0), TypeError, "CrossEntropyLoss: axis must be an integer"),
        (lambda: nn.NLLLoss(axis="1"), TypeError, "NLLLoss: axis must be an integer"),
        (lambda: nn.MultiMarginLoss(p=0), ValueError, "MultiMarginLoss: p must be 1 or 2"),
        (lambda: nn.MultiMarginLoss(margin=float("nan")), ValueError, "MultiMarginLoss: margin must be finite"),
        (lambda: nn.SmoothHingeLoss(alpha=0.0), ValueError, "SmoothHingeLoss: alpha must be positive"),
        (lambda: nn.HingeLoss(margin=-1), ValueError, "HingeLoss: margin must be >= 0, got -1"),
        (lambda: nn.HingeLoss(margin=float("nan")), ValueError, "HingeLoss: margin must be finite"),
    ],
)
def test_loss_module_rejects_bad_hyper_parameters(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_loss_module_gradient_reaches_the_prediction():
    logits = np.random.default_rng(2).normal(size=(4, 3))
    assert gradcheck(lambda x: nn.CrossEntropyLoss(label_smoothing=0.1)(x, np.array([0, 2, 1, 1])), [logits])


def test_binary_cross_entropy_with_logits_pos_weight_is_stable_at_extreme_logits():
    logits = np.array([1e4, -1e4, 1e30, -1e30, 0.0])
    target = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    out = F.binary_cross_entropy_with_logits(Tensor(logits), target, reduction="none", pos_weight=3.0)
    np.testing.assert_allclose(out.data, [1e4, 3e4, 1e30, 3e30, 3 * np.log(2)])
    torch = pytest.importorskip("torch")
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(logits), torch.tensor(target), pos_weight=torch.tensor(3.0), reduction="none"
    )
    np.testing.assert_allclose(out.data, expected.numpy())


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda: F.binary_cross_entropy(np.full((2, 3), 0.5), np.ones((2, 3)), weight=np.ones(2)),
            r"weight of shape \(2,\)",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(np.zeros((2, 3)), np.ones((2, 3)), pos_weight=np.ones((4, 3))),
            r"pos_weight of shape \(4, 3\) does not broadcast to the target's shape \(2, 3\)",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(np.zeros(3), np.ones(3), weight=np.ones((2, 3))),
            "weight of shape",
        ),
        (lambda: F.smooth_l1_loss(np.zeros(3), np.ones(3), beta=-1.0), "beta must be >= 0"),
    ],
)
def test_weights_that_do_not_fit_the_target_are_errors_naming_the_loss_and_shapes(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_bce_loss_modules_keep_their_weights_as_buffers_with_torchs_names():
    module = nn.BCEWithLogitsLoss(weight=[1.0, 2.0], pos_weight=[3.0, 0.5])
    assert list(module.state_dict()) == ["weight", "pos_weight"]
    logits, target = np.array([[0.3, -1.2]]), np.array([[1.0, 0.0]])
    np.testing.assert_array_equal(
        module(logits, target).data,
        F.binary_cross_entropy_with_logits(logits, target, weight=[1.0, 2.0], pos_weight=[3.0, 0.5]).data,
    )
    assert list(nn.BCELoss(weight=[1.0, 2.0]).state_dict()) == ["weight"]
    assert nn.SmoothL1Loss(beta=0.5)(np.array([0.2]), np.array([0.0])).item() == pytest.approx(0.5 * 0.04 / 0.5)
    torch = pytest.importorskip("torch")
    reference = torch.nn.BCEWithLogitsLoss(weight=torch.ones(2), pos_weight=torch.ones(2))
    assert list(module.state_dict()) == list(reference.state_dict())


def test_cross_entropy_takes_any_real_soft_targets_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    logits, targets = rng.standard_normal((4, 5)), rng.standard_normal((4, 5)) * 2  # not probabilities
    x, t = Tensor(logits, requires_grad=True), Tensor(targets, requires_grad=True)
    tx, tt = torch.tensor(logits, requires_grad=True), torch.tensor(targets, requires_grad=True)
    ours = F.cross_entropy(x, t, label_smoothing=0.1)
    theirs = torch.nn.functional.cross_entropy(tx, tt, label_smoothing=0.1)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    ours.backward()
    theirs.backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    ("loss", "bound"),
    [
        (lambda p, t: F.huber_loss(p, t, reduction="sum", delta=1.0), 1.0),
        (lambda p, t: F.smooth_l1_loss(p, t, reduction="sum", beta=0.5), 0.5),
    ],
)
def test_huber_and_smooth_l1_curvature_is_right_at_a_zero_residual_and_at_the_kinks(loss, bound):
    # 0.5 d^2 / c near d = 0 (c = 1 for Huber, beta for smooth L1): the second derivative is 1 / c there, also at
    # exactly 0, where abs'(0) = 0 used to zero it; at |d| = bound and beyond, the linear piece's, 0, as torch's
    from autograd import grad

    residuals = np.array([0.0, 0.3, -0.2, 1.0, -1.0, 0.5, -0.5, 2.0])
    prediction = Tensor(residuals, requires_grad=True)
    target = Tensor(np.zeros(8))
    (slope,) = grad(loss(prediction, target), [prediction], create_graph=True)
    (second,) = grad(slope.sum(), [prediction])
    inside = np.abs(residuals) < bound
    np.testing.assert_array_equal(second, np.where(inside, 1.0 / bound, 0.0))
    np.testing.assert_allclose(slope.data, np.where(inside, residuals / bound, np.sign(residuals)))  # (delta = 1)
    probe = Tensor(np.array([0.0, 0.3, -2.0]), requires_grad=True)
    assert gradgradcheck(lambda p: loss(p, Tensor(np.zeros(3))), [probe])


@pytest.mark.parametrize("bound", [0.05, 0.8, 3.0])
@pytest.mark.parametrize("loss", ["huber", "smooth_l1"])
def test_robust_losses_match_finite_differences_to_third_order(loss, bound):
    # each loss's terms are one node whose derivative is recorded again under create_graph
    call = (
        (lambda p, t: F.huber_loss(p, t, reduction="sum", delta=bound))
        if loss == "huber"
        else (lambda p, t: F.smooth_l1_loss(p, t, reduction="sum", beta=bound))
    )
    prediction = np.array([0.3, -1.7, 0.61, 2.4, -0.02, 4.1])
    target = np.array([0.2, -1.0, 0.0, 2.0, 0.0, -0.2])
    assert gradcheck(call, [prediction, target])
    assert gradgradcheck(call, [prediction, target])
    first = lambda p: autograd.grad(call(p, target), p, create_graph=True)[0].sum()  # noqa: E731
    assert gradgradcheck(first, [prediction])


@pytest.mark.parametrize("loss", ["huber", "smooth_l1"])
def test_robust_losses_take_the_outer_slope_at_the_bounds_and_nan_at_nan(loss):
    bound = 0.5
    d = Tensor(np.array([-0.5, 0.5, -2.0, 0.25, np.nan, 0.0]), requires_grad=True)
    terms = (
        F.huber_loss(d, np.zeros(6), reduction="none", delta=bound)
        if loss == "huber"
        else F.smooth_l1_loss(d, np.zeros(6), reduction="none", beta=bound)
    )
    (grad,) = autograd.grad(terms.sum(), d, create_graph=True)
    outer = bound if loss == "huber" else 1.0  # delta sign(d) / sign(d)
    inner = 1.0 if loss == "huber" else 1.0 / bound  # d / d(d) of the inner slope d / d * d/beta
    np.testing.assert_allclose(grad.data, [-outer, outer, -outer, 0.25 * inner, np.nan, 0.0])
    (curvature,) = autograd.grad(grad.sum(), d)
    np.testing.assert_allclose(curvature[[0, 1, 2, 3, 5]], [0.0, 0.0, 0.0, inner, inner])


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda: F.mse_loss(np.ones((4, 1)), np.arange(4.0)),
            r"mse_loss: target shape \(4,\) does not match prediction shape \(4, 1\); torch would broadcast them to "
            r"\(4, 4\).*reshape one: target\.reshape\(prediction\.shape\)",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(np.ones((5, 1)), np.ones(5)),
            r"target shape \(5,\) does not match logits shape \(5, 1\); both hold the same 5 value\(s\), so reshape one: "
            r"target\.reshape\(logits\.shape\)$",  # torch refuses this pair too (sizes first): no broadcast remark
        ),
    ],
)
def test_a_column_against_a_vector_says_to_reshape(call, pattern):
    # (N, 1) predictions against (N,) targets is the classic student slip; the error now says what to write
    with pytest.raises(ValueError, match=pattern):
        call()
    prediction, target = np.ones((4, 1)), np.arange(4.0)
    fixed = F.mse_loss(prediction, target.reshape(prediction.shape)).item()
    assert fixed == pytest.approx(np.mean((1.0 - np.arange(4.0)) ** 2))


def test_mismatches_other_than_axes_of_one_get_no_reshape_hint():
    for prediction, target in [(np.ones((2, 3)), np.ones((3, 2))), (np.ones(3), np.ones(4))]:
        with pytest.raises(ValueError, match="does not match") as caught:
            F.mse_loss(prediction, target)
        assert "reshape" not in str(caught.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nn.MSELoss(False),
        lambda: nn.L1Loss(None),
        lambda: F.mse_loss(Tensor(np.ones(2)), Tensor(np.ones(2)), False),
        lambda: F.smooth_l1_loss(Tensor(np.ones(2)), Tensor(np.ones(2)), True),
    ],
    ids=["MSELoss(False)", "L1Loss(None)", "mse_loss(x, y, False)", "smooth_l1_loss(x, y, True)"],
)
def test_a_flag_in_reductions_place_says_torchs_deprecated_flags_go_by_keyword(call):
    """torch's MSELoss(False) is MSELoss(size_average=False): here reduction comes first, and a flag given for it
    is refused with a message that says where torch's flags go."""
    with pytest.raises(ValueError, match="size_average or reduce: pass them, and reduction, by keyword"):
        call()
