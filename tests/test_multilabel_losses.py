"""multilabel_soft_margin_loss and multilabel_margin_loss (and their layers): values and gradients against
torch under every reduction, finite differences, the target list's -1 end and repeats, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck

REDUCTIONS = ["none", "mean", "sum"]
RNG = np.random.default_rng(3)
SCORES = RNG.normal(size=(5, 4))
# a sample's classes come first and end at the first -1: repeats count twice, a leading -1 lists nothing
CLASS_LISTS = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 0, 0, 0], [2, 2, -1, -1], [0, -1, 3, 3]])
MEMBERSHIP = (RNG.random(size=(5, 4)) < 0.5).astype(float)
WEIGHT = RNG.random(4) + 0.5


def _both_sides(torch, ours_fn, torch_fn, scores):
    ours_input, torch_input = Tensor(scores, requires_grad=True), torch.tensor(scores, requires_grad=True)
    ours, theirs = ours_fn(ours_input), torch_fn(torch_input)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    seed = RNG.normal(size=ours.shape)
    (ours * Tensor(seed)).sum().backward()
    (theirs * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(ours_input.grad, torch_input.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "class weights"])
def test_soft_margin_values_and_gradients_match_torch(reduction, weighted):
    torch = pytest.importorskip("torch")
    weight = WEIGHT if weighted else None
    _both_sides(
        torch,
        lambda x: F.multilabel_soft_margin_loss(x, MEMBERSHIP, weight, reduction=reduction),
        lambda x: torch.nn.functional.multilabel_soft_margin_loss(
            x, torch.tensor(MEMBERSHIP), None if weight is None else torch.tensor(weight), reduction=reduction
        ),
        SCORES * 3,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_differentiates_a_tensor_weight_as_torch(reduction):
    torch = pytest.importorskip("torch")
    ours_weight, their_weight = Tensor(WEIGHT, requires_grad=True), torch.tensor(WEIGHT, requires_grad=True)
    ours = F.multilabel_soft_margin_loss(SCORES * 3, MEMBERSHIP, ours_weight, reduction=reduction)
    theirs = torch.nn.functional.multilabel_soft_margin_loss(
        torch.tensor(SCORES * 3), torch.tensor(MEMBERSHIP), their_weight, reduction=reduction
    )
    seed = RNG.normal(size=theirs.shape)
    ours.backward(Tensor(seed))
    theirs.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours_weight.grad, their_weight.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_values_and_gradients_match_torch(reduction):
    torch = pytest.importorskip("torch")
    _both_sides(
        torch,
        lambda x: nn.MultiLabelMarginLoss(reduction=reduction)(x, CLASS_LISTS),
        lambda x: torch.nn.MultiLabelMarginLoss(reduction=reduction)(x, torch.tensor(CLASS_LISTS)),
        SCORES,
    )


def test_one_unbatched_sample_matches_torch():
    torch = pytest.importorskip("torch")
    _both_sides(
        torch,
        lambda x: F.multilabel_margin_loss(x, CLASS_LISTS[0]),
        lambda x: torch.nn.functional.multilabel_margin_loss(x, torch.tensor(CLASS_LISTS[0])),
        SCORES[0],
    )
    _both_sides(
        torch,
        lambda x: nn.MultiLabelSoftMarginLoss(WEIGHT)(x, MEMBERSHIP[1]),
        lambda x: torch.nn.MultiLabelSoftMarginLoss(torch.tensor(WEIGHT))(x, torch.tensor(MEMBERSHIP[1])),
        SCORES[1],
    )


def test_gradients_match_finite_differences():
    # scores spread apart so that no hinge sits within the finite-difference step of its kink
    scores = np.array([[0.1, 2.7, -1.9, 0.8], [1.3, -0.6, 0.35, 4.2]])
    gradcheck(lambda x: F.multilabel_margin_loss(x, CLASS_LISTS[:2], reduction="sum"), [Tensor(scores)])
    gradcheck(lambda x: F.multilabel_soft_margin_loss(x, MEMBERSHIP[:2], WEIGHT), [Tensor(scores)])


def test_the_margin_loss_of_a_sample_by_hand():
    # classes {0, 2} of 3: pairs (0, 1) and (2, 1); 1 - (x_j - x_i) is 1 - (2 - 1) = 0 and 1 - (0.5 - 1) = 1.5
    value = F.multilabel_margin_loss(Tensor([2.0, 1.0, 0.5]), [0, 2, -1])
    assert value.item() == pytest.approx(1.5 / 3)


def test_soft_margin_is_finite_for_large_scores():
    value = F.multilabel_soft_margin_loss(Tensor([[1e308, -1e308, -800.0]]), [[1.0, 0.0, 0.0]])
    assert np.isfinite(value.item()) and value.item() == pytest.approx(0.0)


def test_bad_targets_name_the_problem():
    with pytest.raises(
        ValueError, match=r"multilabel_margin_loss: target must be integer class indices of the scores' shape \(5, 4\)"
    ):
        F.multilabel_margin_loss(SCORES, CLASS_LISTS[:, :3])
    with pytest.raises(ValueError, match="multilabel_margin_loss: target must be integer class indices"):
        F.multilabel_margin_loss(SCORES, CLASS_LISTS.astype(float))
    with pytest.raises(
        ValueError, match=r"class indices must lie in \[0, 3\] \(or be -1 to end a list\), got \[-2, 4\]"
    ):
        F.multilabel_margin_loss(SCORES, np.where(CLASS_LISTS == 3, 4, np.where(CLASS_LISTS == 2, -2, CLASS_LISTS)))
    with pytest.raises(ValueError, match=r"multilabel_soft_margin_loss: weight must have shape \(4,\)"):
        F.multilabel_soft_margin_loss(SCORES, MEMBERSHIP, WEIGHT[:3])
    with pytest.raises(TypeError, match="Pass reduction='sum' by keyword"):
        nn.MultiLabelSoftMarginLoss("sum")


def test_entries_after_the_end_of_a_list_are_ignored_whatever_they_hold():
    ended = np.array([[1, -1, 7, -5]])  # 7 and -5 come after the end: not checked, not used
    assert F.multilabel_margin_loss(Tensor([[0.3, 0.9, -0.2, 0.4]]), ended).item() == pytest.approx(
        F.multilabel_margin_loss(Tensor([[0.3, 0.9, -0.2, 0.4]]), np.array([[1, -1, -1, -1]])).item()
    )


@pytest.mark.parametrize("weight_shape", [None, (4,), (5, 4), (5, 1), (1, 4)])
def test_soft_margin_of_any_real_target_and_broadcast_weight_matches_torch(weight_shape):
    # torch puts any real target into -(y log sigmoid(x) + (1 - y) log sigmoid(-x)) and multiplies the terms by a
    # weight of any shape that broadcasts to them; a float weight Tensor gets its gradient
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    target = rng.normal(size=(5, 4)) * 3
    weight = None if weight_shape is None else rng.normal(size=weight_shape)
    for reduction in REDUCTIONS:
        my_weight = None if weight is None else Tensor(weight, requires_grad=True)
        their_weight = None if weight is None else torch.tensor(weight, requires_grad=True)
        x, theirs = Tensor(SCORES, requires_grad=True), torch.tensor(SCORES, requires_grad=True)
        out = F.multilabel_soft_margin_loss(x, target, my_weight, reduction=reduction)
        expected = torch.nn.functional.multilabel_soft_margin_loss(
            theirs, torch.tensor(target), their_weight, reduction=reduction
        )
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-14)
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(x.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)
        if weight is not None:
            np.testing.assert_allclose(my_weight.grad, their_weight.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("target", [0, [0], -1], ids=["0-d", "(1,)", "empty list"])
@pytest.mark.parametrize("name", ["multilabel_margin_loss", "multi_margin_loss"])
def test_a_0d_input_is_one_class_score_as_torch(name, target):
    # torch reads a 0-d input as a lone sample's one class score: the loss is 0-d (0: no other class), so is its
    # gradient (multi_margin_loss's target must name class 0)
    torch = pytest.importorskip("torch")
    if name == "multi_margin_loss" and target == -1:
        target = 0
    for reduction in REDUCTIONS:
        x, theirs = Tensor(1.15, requires_grad=True), torch.tensor(1.15, dtype=torch.float64, requires_grad=True)
        out = getattr(F, name)(x, np.array(target), reduction=reduction)
        expected = getattr(torch.nn.functional, name)(theirs, torch.tensor(target), reduction=reduction)
        assert out.shape == tuple(expected.shape)
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-14)
        out.backward()
        expected.backward()
        np.testing.assert_allclose(x.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)
