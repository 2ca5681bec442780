"""softmax and log_softmax, whose forward and derivative write into one array (ufuncs with out=, the sums as dot
products per slice), against torch: along the last axis of a batch (the BLAS sums), along a middle axis and along
two axes (numpy's), in float32 and float64, with rows holding -inf, +inf and nan, a row of -inf only, and an
incoming gradient with inf and nan entries; and their second derivatives (the rules on nodes)."""

from __future__ import annotations

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, grad

torch = pytest.importorskip("torch")


def _inputs(shape, dtype, seed=3):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1, shape[-1])
    flat[1, 3] = -np.inf  # one -inf among finite entries: probability 0
    flat[2, :] = -np.inf  # a slice of -inf only: nan (log_softmax: nan too, as torch)
    flat[3, 5] = np.inf  # +inf: nan over the slice
    flat[4, 6] = np.nan
    flat[5, 0] = 80.0  # e^80 overflows float32 without the shift
    incoming = g.reshape(-1, shape[-1])
    incoming[6, 2] = np.inf
    incoming[7, 4] = np.nan
    return x, g


def _close(ours, expected, what):
    ours, expected = np.asarray(ours), np.asarray(expected)
    assert ours.dtype == expected.dtype, what
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(expected), err_msg=what)
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(ours[~finite & ~np.isnan(expected)], expected[~finite & ~np.isnan(expected)])
    eps = np.finfo(expected.dtype).eps
    np.testing.assert_allclose(ours[finite], expected[finite], rtol=64 * eps, atol=64 * eps, err_msg=what)


CASES = [((64, 50), -1), ((40, 9, 7), 1), ((8, 6, 20), -1)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, dim", CASES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_and_log_softmax_match_torch_with_non_finite_rows_and_gradients(name, shape, dim, dtype):
    x, g = _inputs(shape, dtype)
    mine = Tensor(x.copy(), requires_grad=True)
    out = getattr(F, name)(mine, dim=dim)
    out.backward(g.copy())
    theirs = torch.from_numpy(x.copy()).requires_grad_(True)
    expected = getattr(torch.nn.functional, name)(theirs, dim=dim)
    expected.backward(torch.from_numpy(g.copy()))
    _close(out.numpy(), expected.detach().numpy(), "value")
    _close(mine.grad, theirs.grad.numpy(), "gradient")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_over_two_axes_matches_torch_through_log_softmax_of_the_flattened_slices(dtype):
    x, g = _inputs((6, 5, 8), dtype)
    for name in ("softmax", "log_softmax"):
        mine = Tensor(x.copy(), requires_grad=True)
        out = getattr(mine, name)(axis=(1, 2))
        out.backward(g.copy())
        theirs = torch.from_numpy(x.copy()).requires_grad_(True)
        expected = getattr(torch.nn.functional, name)(theirs.reshape(6, 40), dim=1).reshape(6, 5, 8)
        expected.backward(torch.from_numpy(g.copy()))
        _close(out.numpy(), expected.detach().numpy(), f"{name} value")
        _close(mine.grad, theirs.grad.numpy(), f"{name} gradient")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_second_derivatives_match_torch(name):
    rng = np.random.default_rng(5)
    x, g, v = (rng.standard_normal((40, 12)) for _ in range(3))
    mine = Tensor(x.copy(), requires_grad=True)
    incoming = Tensor(g.copy(), requires_grad=True)
    (first,) = grad(getattr(F, name)(mine, dim=1), mine, incoming, create_graph=True)
    (first * Tensor(v)).sum().backward()
    theirs = torch.from_numpy(x.copy()).requires_grad_(True)
    their_incoming = torch.from_numpy(g.copy()).requires_grad_(True)
    (their_first,) = torch.autograd.grad(
        getattr(torch.nn.functional, name)(theirs, dim=1), theirs, their_incoming, create_graph=True
    )
    (their_first * torch.from_numpy(v)).sum().backward()
    np.testing.assert_allclose(first.numpy(), their_first.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(incoming.grad, their_incoming.grad.numpy(), rtol=1e-12, atol=1e-14)
