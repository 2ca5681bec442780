"""Reductions and losses at extreme but legal inputs (empty slices, the largest values of a dtype, float16):
torch's values and gradients, and no numpy RuntimeWarning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.bool_])
@pytest.mark.parametrize(("shape", "axis"), [((2, 0), -1), ((0, 3), 0), ((0,), None), ((0, 3), None)])
def test_mean_of_an_empty_slice_is_nan_without_a_warning(dtype, shape, axis):
    x = Tensor(np.zeros(shape, dtype), requires_grad=dtype in (np.float16, np.float32, np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = x.mean(axis)
        if x.requires_grad:
            mean.sum().backward()
    expected_shape = () if axis is None else tuple(n for i, n in enumerate(shape) if i != axis % len(shape))
    assert mean.shape == expected_shape
    assert mean.dtype == (dtype if dtype in (np.float16, np.float32, np.float64) else np.float64)
    assert np.isnan(mean.data).all()
    if x.requires_grad:
        assert x.grad.shape == shape and x.grad.dtype == dtype
    torch = pytest.importorskip("torch")
    if dtype in (np.float16, np.float32, np.float64):  # torch's mean refuses integers
        t = torch.zeros(shape, dtype=getattr(torch, np.dtype(dtype).name))
        expected = t.mean() if axis is None else t.mean(axis)
        np.testing.assert_array_equal(mean.data, expected.numpy())


def test_float16_mean_accumulates_in_float32_and_l1_loss_of_empty_float16_batches_is_nan_without_a_warning():
    x = Tensor(np.full(4096, 0.1, np.float16))
    assert x.mean().item() == pytest.approx(0.1, rel=1e-3)
    empty = Tensor(np.zeros(0, np.float16), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.l1_loss(empty, np.zeros(0, np.float16))
        loss.backward()
    assert loss.dtype == np.float16 and np.isnan(loss.item())
    assert empty.grad.shape == (0,)
