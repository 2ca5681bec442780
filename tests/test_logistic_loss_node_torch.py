"""binary_cross_entropy_with_logits without pos_weight and with a constant target, one node (its derivative
sigmoid(x) - y made in the forward pass from the same e^-|x|), against torch: every reduction, with and without
weight, float32 and float64, logits from -1e30 to 1e30 with +-0 and nan, targets 0, 1 and between, a random
incoming gradient; at infinite logits (where torch gives nan) against the documented values; and through
create_graph (the rule on nodes)."""

from __future__ import annotations

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, grad

torch = pytest.importorskip("torch")

EDGES = [0.0, -0.0, np.nan, 1e-30, -1e-30, 0.5, -0.5, 3.0, -3.0, 17.0, -17.0, 90.0, -90.0, 800.0, -800.0, 1e30, -1e30]


def _case(dtype, seed=9):
    rng = np.random.default_rng(seed)
    with np.errstate(over="ignore"):
        edges = np.array(EDGES, dtype)
    x = np.concatenate([np.repeat(edges, 3), (rng.standard_normal(3999) * 6).astype(dtype)])  # 4050 entries
    y = rng.uniform(0, 1, x.size).astype(dtype)
    y[: 3 * len(EDGES)] = np.tile(np.array([0.0, 1.0, 0.25], dtype), len(EDGES))  # each edge logit with 0, 1, 1/4
    return x.reshape(50, 81), y.reshape(50, 81)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target_gradient", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_logistic_loss_values_and_gradients_match_torch(reduction, weighted, target_gradient, dtype):
    x, y = _case(dtype)
    weight = np.random.default_rng(1).uniform(0, 2, x.shape[1:]).astype(dtype) if weighted else None
    mine, my_target = Tensor(x.copy(), requires_grad=True), Tensor(y.copy(), requires_grad=target_gradient)
    out = F.binary_cross_entropy_with_logits(mine, my_target, weight, reduction=reduction)
    theirs = torch.from_numpy(x.copy()).requires_grad_(True)
    their_target = torch.from_numpy(y.copy()).requires_grad_(target_gradient)
    their_weight = None if weight is None else torch.from_numpy(weight)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        theirs, their_target, their_weight, reduction=reduction
    )
    g = np.random.default_rng(3).standard_normal(expected.shape).astype(dtype)
    out.backward(g.copy())
    expected.backward(torch.from_numpy(g.copy()))
    eps = np.finfo(dtype).eps
    assert out.dtype == dtype and mine.grad.dtype == dtype
    # torch's (1 - y) x + softplus(-x) loses up to eps |x| to cancellation where ours keeps every term >= 0
    lost = np.abs(np.nan_to_num(x)) * (1 if weight is None else weight)
    scale = 1 + (lost if reduction == "none" else lost.mean() if reduction == "mean" else lost.sum())
    ours, reference = out.numpy(), expected.detach().numpy()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference))
    assert np.all(
        np.abs(ours - reference)[~np.isnan(reference)] <= (16 * eps * (np.abs(reference) + scale))[~np.isnan(reference)]
    )
    np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=16 * eps, atol=4 * eps)
    np.testing.assert_array_equal(np.isnan(mine.grad), np.isnan(theirs.grad.numpy()))
    if target_gradient:  # -x g (w), the products in another order
        np.testing.assert_allclose(my_target.grad, their_target.grad.numpy(), rtol=4 * eps, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logistic_loss_at_infinite_logits_is_the_documented_limit(dtype):
    x = np.array([np.inf, np.inf, np.inf, -np.inf, -np.inf, -np.inf], dtype)
    y = np.array([0.0, 0.25, 1.0, 0.0, 0.25, 1.0], dtype)
    mine, target = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(mine, target, reduction="none")
    out.backward(np.full(6, 2.0, dtype))
    np.testing.assert_array_equal(out.numpy(), np.array([np.inf, np.inf, 0.0, 0.0, np.inf, np.inf], dtype))
    np.testing.assert_array_equal(mine.grad, 2 * (np.array([1, 1, 1, 0, 0, 0], dtype) - y))  # (sigmoid(x) - y) g
    # -x g, and 0 where the loss is 0 for every target near y (torch: -x g)
    np.testing.assert_array_equal(target.grad, np.array([-np.inf, -np.inf, 0.0, 0.0, np.inf, np.inf], dtype))


def test_logistic_loss_first_derivative_is_differentiable_in_the_incoming_gradient_and_input():
    rng = np.random.default_rng(6)
    x, y, v = rng.standard_normal((8, 5)) * 3, rng.uniform(0, 1, (8, 5)), rng.standard_normal((8, 5))
    for reduction in ("none", "mean"):
        mine, target = Tensor(x.copy(), requires_grad=True), Tensor(y.copy(), requires_grad=True)
        out = F.binary_cross_entropy_with_logits(mine, target, reduction=reduction)
        incoming = Tensor(np.full(out.shape, 0.6), requires_grad=True)
        first = grad(out, [mine, target], incoming, create_graph=True)
        (first[0] * Tensor(v) + first[1] * Tensor(v * v)).sum().backward()
        theirs = torch.from_numpy(x.copy()).requires_grad_(True)
        their_target = torch.from_numpy(y.copy()).requires_grad_(True)
        expected = torch.nn.functional.binary_cross_entropy_with_logits(theirs, their_target, reduction=reduction)
        their_incoming = torch.full(expected.shape, 0.6, dtype=torch.float64, requires_grad=True)
        their_first = torch.autograd.grad(expected, [theirs, their_target], their_incoming, create_graph=True)
        (their_first[0] * torch.from_numpy(v) + their_first[1] * torch.from_numpy(v * v)).sum().backward()
        for ours, reference in [
            *zip([f.numpy() for f in first], [f.detach().numpy() for f in their_first]),
            (mine.grad, theirs.grad.numpy()),
            (target.grad, their_target.grad.numpy()),
            (incoming.grad, their_incoming.grad.numpy()),
        ]:
            np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_logistic_loss_of_0d_logit_and_target_gives_both_gradients_as_torch(reduction):
    # 0-d operands make a numpy scalar of the target's gradient product, which the rule must not write into
    mine, my_target = Tensor(5.85, requires_grad=True), Tensor(0.88, requires_grad=True)
    theirs = torch.tensor(5.85, dtype=torch.float64, requires_grad=True)
    their_target = torch.tensor(0.88, dtype=torch.float64, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(mine, my_target, reduction=reduction)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(theirs, their_target, reduction=reduction)
    out.backward(Tensor(0.7))
    expected.backward(torch.tensor(0.7, dtype=torch.float64))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(my_target.grad, their_target.grad.numpy(), rtol=1e-12)
