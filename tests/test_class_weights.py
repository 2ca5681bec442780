"""Class ``weight`` and ``ignore_index`` of cross_entropy / nll_loss and their loss modules: values and gradients
against torch (every reduction, label smoothing, probability targets), finite differences, no gradient to
ignored samples, and errors naming the argument."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck


@st.composite
def class_cases(draw: st.DrawFn):
    """Scores (N, C), (N, C, d) or unbatched (C,), targets with some ignored, weights or None, and parameters."""
    classes = draw(st.integers(2, 4))
    shape = draw(st.sampled_from([(classes,), (3, classes), (2, classes, 2)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    target_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    target = rng.integers(0, classes, size=target_shape)
    ignore_index = draw(st.sampled_from([-100, 1, 7]))
    ignored = rng.random(target_shape) < draw(st.sampled_from([0.0, 0.4]))
    target = np.where(ignored, ignore_index, target)
    if (target == ignore_index).all():
        target.flat[0] = 0 if ignore_index != 0 else 1  # the mean needs a kept target
    weight = rng.uniform(0.2, 2.0, size=classes) if draw(st.booleans()) else None
    params = {"reduction": draw(st.sampled_from(["mean", "sum", "none"])), "ignore_index": ignore_index}
    return rng.normal(size=shape), target, weight, params


def _torch_compare(ours_loss, torch_loss, scores: np.ndarray, target: np.ndarray, weight, **params) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = Tensor(scores, requires_grad=True), torch.tensor(scores, requires_grad=True)
    torch_weight = None if weight is None else torch.tensor(weight)
    out = ours_loss(ours, target, weight=weight, **params)
    expected = torch_loss(theirs, torch.tensor(target), weight=torch_weight, **params)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(1).normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@given(class_cases(), st.sampled_from([0.0, 0.25]))
def test_cross_entropy_with_weight_and_ignore_index_matches_torch(case, label_smoothing):
    torch = pytest.importorskip("torch")
    scores, target, weight, params = case
    _torch_compare(
        F.cross_entropy, torch.nn.functional.cross_entropy, scores, target, weight,
        label_smoothing=label_smoothing, **params,
    )  # fmt: skip


@given(class_cases())
def test_nll_loss_with_weight_and_ignore_index_matches_torch(case):
    torch = pytest.importorskip("torch")
    scores, target, weight, params = case
    log_probs = scores - np.log(np.exp(scores).sum(axis=1 if scores.ndim > 1 else 0, keepdims=True))
    _torch_compare(F.nll_loss, torch.nn.functional.nll_loss, log_probs, target, weight, **params)


@given(st.integers(0, 2**16), st.sampled_from(["mean", "sum"]), st.sampled_from([0.0, 0.2]))
def test_cross_entropy_with_weight_and_probability_targets_matches_torch(seed, reduction, label_smoothing):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    scores, probabilities = rng.normal(size=(3, 4, 2)), rng.dirichlet(np.ones(4), size=(3, 2)).transpose(0, 2, 1)
    _torch_compare(
        F.cross_entropy, torch.nn.functional.cross_entropy, scores, probabilities, rng.uniform(0.2, 2.0, size=4),
        reduction=reduction, label_smoothing=label_smoothing,
    )  # fmt: skip


@given(class_cases(), st.sampled_from([0.0, 0.25]))
def test_weighted_cross_entropy_derivatives_match_finite_differences(case, label_smoothing):
    scores, target, weight, params = case

    def loss(t):
        return F.cross_entropy(t, target, label_smoothing=label_smoothing, weight=weight, **params)

    assert gradcheck(loss, [scores])
    assert gradgradcheck(lambda t: loss(t).sum(), [scores])


@given(class_cases())
def test_weighted_nll_loss_gradient_matches_finite_differences(case):
    scores, target, weight, params = case
    assert gradcheck(lambda t: F.nll_loss(t, target, weight=weight, **params), [scores])


def test_ignored_targets_contribute_nothing_and_get_no_gradient():
    log_probs = Tensor(np.log(np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])), requires_grad=True)
    log_probs.data[1, 0] = -np.inf  # an ignored sample may hold -inf: still no nan
    target = np.array([0, -100, 1])
    loss = F.nll_loss(log_probs, target)
    np.testing.assert_allclose(loss.item(), -(np.log(0.5) + np.log(0.8)) / 2)
    loss.backward()
    np.testing.assert_array_equal(log_probs.grad[1], [0.0, 0.0])
    assert np.isfinite(log_probs.grad).all()


def test_weighted_mean_divides_by_the_kept_targets_weights():
    logits, weight = np.zeros((3, 2)), np.array([1.0, 3.0])
    loss = F.cross_entropy(Tensor(logits), np.array([0, 1, 1]), weight=weight, ignore_index=0)
    np.testing.assert_allclose(loss.item(), np.log(2.0))  # (3 log 2 + 3 log 2) / (3 + 3)


def test_loss_modules_hold_weight_as_a_buffer_and_pass_ignore_index():
    module = nn.CrossEntropyLoss(weight=[1.0, 2.0, 3.0], ignore_index=2)
    assert "weight" in module.state_dict() and module.weight.dtype == np.float64
    assert "ignore_index=2" in repr(module)
    logits, target = np.random.default_rng(0).normal(size=(4, 3)), np.array([0, 2, 1, 2])
    expected = F.cross_entropy(Tensor(logits), target, weight=np.array([1.0, 2.0, 3.0]), ignore_index=2)
    np.testing.assert_allclose(module(Tensor(logits), target).item(), expected.item())
    nll = nn.NLLLoss(weight=np.array([1, 2, 3]), ignore_index=0)
    np.testing.assert_allclose(
        nll(Tensor(logits), target).item(), F.nll_loss(Tensor(logits), target, weight=[1, 2, 3], ignore_index=0).item()
    )
    assert nn.NLLLoss().weight is None and "weight" not in nn.NLLLoss().state_dict()


def test_weight_and_ignore_index_errors_name_the_argument():
    logits, target = Tensor(np.zeros((2, 3))), np.array([0, 1])
    with pytest.raises(ValueError, match=r"cross_entropy: weight must have shape \(3,\), one per class, got shape"):
        F.cross_entropy(logits, target, weight=[1.0, 2.0])
    with pytest.raises(TypeError, match="nll_loss: weight must hold real numbers, got dtype bool"):
        F.nll_loss(logits, target, weight=np.array([True, False, True]))
    with pytest.raises(TypeError, match="cross_entropy: ignore_index"):
        F.cross_entropy(logits, target, ignore_index=0.5)
    with pytest.raises(ValueError, match="nll_loss: .*class"):
        F.nll_loss(logits, np.array([0, 5]), ignore_index=4)
    with pytest.raises(ValueError, match="CrossEntropyLoss: weight must be a 1-d array"):
        nn.CrossEntropyLoss(weight=np.ones((2, 2)))


def test_cross_entropy_refuses_an_ignore_index_for_probability_targets_as_torch():
    logits = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    probabilities = np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
    with pytest.raises(ValueError, match=r"cross_entropy: ignore_index=1 is not supported for class-probability"):
        F.cross_entropy(logits, probabilities, ignore_index=1)
    expected = F.cross_entropy(logits, probabilities).item()
    assert F.cross_entropy(logits, probabilities, ignore_index=-1).item() == expected  # negative: unused, as torch
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
        torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(probabilities), ignore_index=1)


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_a_mean_over_only_ignored_targets_is_nan_with_no_gradient_as_torchs(loss):
    logits = Tensor(np.random.default_rng(0).normal(size=(3, 4)), requires_grad=True)
    out = loss(logits, np.array([-100, -100, -100]))
    assert np.isnan(out.item())
    out.backward()
    np.testing.assert_array_equal(logits.grad, np.zeros((3, 4)))
    weighted = loss(logits, np.array([1, 1, 2]), weight=np.array([1.0, 0.0, 0.0, 1.0]))  # kept weights sum to 0
    assert np.isnan(weighted.item())
    torch = pytest.importorskip("torch")
    expected = getattr(torch.nn.functional, loss.__name__)(torch.zeros(3, 4), torch.tensor([-100, -100, -100]))
    assert torch.isnan(expected)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_kept_targets_all_weighted_0_give_a_nan_mean_and_nan_gradients_as_torchs(label_smoothing):
    # the mean is 0/0 over the kept targets: nan, and so is the gradient of every logit they read (torch's)
    x = np.random.default_rng(1).normal(size=(4, 4))
    target, weight = np.array([0, 1, 2, -100]), np.array([0.0, 0.0, 0.0, 1.0])
    logits = Tensor(x, requires_grad=True)
    out = F.cross_entropy(logits, target, weight=weight, label_smoothing=label_smoothing)
    out.backward()
    assert np.isnan(out.item())
    assert np.isnan(logits.grad[:3]).all() and (logits.grad[3] == 0).all()  # the ignored row gets no gradient
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        theirs, torch.tensor(target), weight=torch.tensor(weight), label_smoothing=label_smoothing
    )
    expected.backward()
    assert torch.isnan(expected)
    np.testing.assert_array_equal(np.isnan(logits.grad), theirs.grad.isnan().numpy())
