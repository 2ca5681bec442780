"""cross_entropy and nll_loss with class weights and ignored targets at the edges of torch's weighted mean: class
weights that are not finite (an ignored target's term is still exactly 0, as torch's) and kept weights that add up
to 0 (torch divides by that 0: +-inf where the weighted sum is not 0, nan where it is). Values and gradients
against torch."""

from __future__ import annotations

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

LOGITS = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.4], [0.0, 0.7, 0.2], [-2.0, 1.0, 0.5]])
TARGET = np.array([0, 1, 2, 1])


def _both(loss: str, weight: np.ndarray, reduction: str, ignore_index: int, label_smoothing: float = 0.0):
    """Our and torch's loss values and gradients of the logits (log-probabilities for nll_loss)."""
    options = {"reduction": reduction, "ignore_index": ignore_index}
    if label_smoothing:
        options["label_smoothing"] = label_smoothing
    ours = Tensor(LOGITS, requires_grad=True)
    theirs = torch.tensor(LOGITS, requires_grad=True)
    out = getattr(F, loss)(ours, TARGET, weight, **options)
    expected = getattr(torch.nn.functional, loss)(theirs, torch.tensor(TARGET), torch.tensor(weight), **options)
    upstream = np.linspace(0.5, 1.5, expected.numel()).reshape(expected.shape)
    with np.errstate(all="ignore"):
        out.backward(Tensor(upstream))
    expected.backward(torch.tensor(upstream))
    return (out.data, ours.grad), (expected.detach().numpy(), theirs.grad.numpy())


CASES = [
    ("cross_entropy", 0.0),
    ("cross_entropy", 0.2),
    ("nll_loss", 0.0),
]


@pytest.mark.parametrize(("loss", "label_smoothing"), CASES)
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("first_weight", [np.inf, np.nan, 1e308])
def test_an_ignored_target_adds_nothing_whatever_the_class_weights(loss, label_smoothing, reduction, first_weight):
    """An ignored target's term is 0 even where class 0's weight is inf or nan (its term was 0 * w[0] = nan)."""
    weight = np.array([first_weight, 1.0, 1.0])
    (value, gradient), (expected, expected_gradient) = _both(loss, weight, reduction, 1, label_smoothing)
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12)


@pytest.mark.parametrize(("loss", "label_smoothing"), CASES)
@pytest.mark.parametrize("weight", [[-1.0, 2.0, 1.0], [0.0, 2.0, 0.0]], ids=["cancelling", "zero"])
def test_a_weighted_mean_over_kept_weights_adding_up_to_zero_divides_by_zero_as_torch(loss, label_smoothing, weight):
    """The kept targets (0 and 2; the 1s are ignored) weigh -1 + 1 = 0: torch's mean is the weighted sum / 0,
    -inf or inf where that sum is not 0, nan where it is (all weights 0)."""
    (value, gradient), (expected, expected_gradient) = _both(loss, np.array(weight), "mean", 1, label_smoothing)
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_of_an_infinite_class_weight_is_inf_as_torchs(reduction, p):
    """A sample of class 1, weighing inf, has violated margins (inf terms) and satisfied ones, 0 whatever the weight:
    its loss is inf, as torch's, not nan (the satisfied margins' 0 * inf); the gradient is torch's too."""
    weight = np.array([1.0, np.inf, 1.0])
    ours = Tensor(LOGITS, requires_grad=True)
    theirs = torch.tensor(LOGITS, requires_grad=True)
    out = F.multi_margin_loss(ours, TARGET, p, 1.0, weight, reduction=reduction)
    expected = torch.nn.functional.multi_margin_loss(
        theirs, torch.tensor(TARGET), p, 1.0, torch.tensor(weight), reduction=reduction
    )
    upstream = np.linspace(0.5, 1.5, expected.numel()).reshape(expected.shape)
    out.backward(Tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)
