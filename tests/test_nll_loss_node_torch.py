"""nll_loss without weights or ignored targets, one node (a gather by flat offsets, its rule one scatter into
zeros), against torch: every reduction, unbatched (C,), (N, C) and (N, C, d1, d2) inputs, float32 and float64, with
-inf and nan log-probabilities and non-finite incoming gradients (0 off the targets, as torch's scatter), and
through create_graph (the rule on nodes)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, grad

torch = pytest.importorskip("torch")

SHAPES = [(7,), (33, 10), (4, 5, 3, 2)]


def _case(shape, dtype, seed=11):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[[0, 3]] = [-np.inf, np.nan]
    classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else shape[:1] + shape[2:]
    target = rng.integers(0, classes, target_shape)
    return x, target


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shape", SHAPES)
def test_nll_loss_values_and_gradients_match_torch(shape, reduction, dtype):
    x, target = _case(shape, dtype)
    mine = Tensor(x.copy(), requires_grad=True)
    out = F.nll_loss(mine, target, reduction=reduction)
    theirs = torch.from_numpy(x.copy()).requires_grad_(True)
    expected = torch.nn.functional.nll_loss(theirs, torch.from_numpy(target), reduction=reduction)
    g = np.random.default_rng(2).standard_normal(expected.shape).astype(dtype)
    if reduction == "none" and g.size > 2:
        g.reshape(-1)[:2] = [np.inf, np.nan]
    out.backward(g.copy())
    expected.backward(torch.from_numpy(g.copy()))
    assert out.dtype == expected.detach().numpy().dtype and out.shape == tuple(expected.shape)
    rtol = 8 * np.finfo(dtype).eps
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_array_equal(mine.grad, theirs.grad.numpy())  # the same -g (or -g/N) written, bit for bit
    assert mine.grad.flags.c_contiguous and mine.grad.dtype == dtype


def test_nll_loss_first_derivative_is_differentiable_in_the_incoming_gradient_and_input():
    x, target = _case((9, 6), np.float64)
    x = np.nan_to_num(x, nan=0.5, neginf=-3.0)
    v = np.random.default_rng(4).standard_normal(x.shape)
    for reduction in ("none", "mean", "sum"):
        mine = Tensor(x.copy(), requires_grad=True)
        out = F.nll_loss(mine.log_softmax(axis=1), target, reduction=reduction)
        incoming = Tensor(np.full(out.shape, 0.7), requires_grad=True)
        (first,) = grad(out, mine, incoming, create_graph=True)
        (first * Tensor(v)).sum().backward()
        theirs = torch.from_numpy(x.copy()).requires_grad_(True)
        expected = torch.nn.functional.nll_loss(theirs.log_softmax(1), torch.from_numpy(target), reduction=reduction)
        their_incoming = torch.full(expected.shape, 0.7, dtype=torch.float64, requires_grad=True)
        (their_first,) = torch.autograd.grad(expected, theirs, their_incoming, create_graph=True)
        (their_first * torch.from_numpy(v)).sum().backward()
        np.testing.assert_allclose(first.numpy(), their_first.detach().numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(incoming.grad, their_incoming.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_nll_loss_input_changed_in_place_after_the_forward_pass_keeps_its_gradient():
    # the rule reads only the input's shape (as the gather's did): torch allows this too (nll_loss saves the target)
    x, target = _case((5, 4), np.float64)
    mine = Tensor(x.copy(), requires_grad=True)
    leaf = mine * 1.0
    out = F.nll_loss(leaf, target, reduction="sum")
    leaf.data[...] = 0.0
    out.backward()
    expected = np.zeros_like(x)
    expected[np.arange(5), target] = -1.0
    np.testing.assert_array_equal(mine.grad, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_nll_loss_of_picked_inf_and_minus_inf_is_nan_without_a_numpy_warning(dtype, reduction):
    """Terms -inf and +inf reduce to IEEE nan, as torch's, quietly: numpy's "invalid value encountered in reduce"
    is not the user's to see (the suite makes the library's RuntimeWarnings errors)."""
    x, target = np.array([[np.inf, 0.0, 1.0], [-np.inf, 0.0, 1.0]], dtype), np.array([0, 0])
    expected = torch.nn.functional.nll_loss(torch.tensor(x), torch.tensor(target), reduction=reduction)
    ours = Tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = F.nll_loss(ours, target, reduction=reduction)
        got.backward()
    assert np.isnan(got.item()) and np.isnan(expected.item())
    np.testing.assert_array_equal(ours.grad, np.array([[-1.0, 0, 0], [-1.0, 0, 0]]) / (2 if reduction == "mean" else 1))
