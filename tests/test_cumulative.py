"""autograd.cumulative beyond the op table: cumprod's exact gradient at zeros, cumsum's adjoint, errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.cumulative as cu
from autograd import Tensor


def test_cumprod_gradient_is_exact_where_an_entry_is_zero():
    x = Tensor(np.array([2.0, 0.0, 3.0, 0.0]), requires_grad=True)
    cu.cumprod(x).sum().backward()
    # d/dx_k sum_j prod_{i<=j} x_i = sum_{j>=k} prod_{i<=j, i!=k} x_i
    np.testing.assert_array_equal(x.grad, [1.0, 2.0 + 6.0, 0.0, 0.0])


def test_cumsum_second_derivative_through_its_adjoint_is_checked():
    assert ag.gradgradcheck(lambda t: (cu.cumsum(t, 0) ** 2).sum(), [np.array([[0.5, -1.0], [2.0, 0.3]])])


def test_cumulative_ops_reject_a_bad_axis():
    with pytest.raises(ValueError, match="cumsum: axis 2 is out of bounds for an array of dimension 2"):
        cu.cumsum(np.ones((2, 2)), axis=2)
    with pytest.raises(TypeError, match="cumprod: axis must be an integer or None, got float"):
        cu.cumprod(np.ones(2), axis=0.0)
    with pytest.raises(ValueError, match="cumsum: axis 1 is out of bounds for a 0-d array"):
        cu.cumsum(np.float64(1.0), axis=1)  # axis 0 and -1 of a 0-d array are the array itself, as in torch


def test_diff_rejects_a_negative_order_and_a_0d_input():
    with pytest.raises(ValueError, match="diff: order n must be a non-negative integer, got -1"):
        cu.diff(np.ones(3), n=-1)
    with pytest.raises(ValueError, match="diff: needs at least one dimension, got a 0-d array"):
        cu.diff(np.float64(1.0))


@pytest.mark.parametrize(
    "dtype, result_dtype",
    [(np.bool_, np.int64), (np.int32, np.int64), (np.uint8, np.int64), (np.int64, np.int64), (np.float32, np.float32)],
)
def test_cumprod_of_integers_and_booleans_has_torchs_dtype_and_numpys_values(dtype, result_dtype):
    a = np.array([[1, 2, 3], [0, 1, 2]], dtype=dtype)
    result = ag.cumprod(Tensor(a), axis=1)
    assert result.dtype == result_dtype  # torch's int64 (numpy's cumprod of uint8 is uint64)
    np.testing.assert_array_equal(result.data, np.cumprod(a, axis=1))


def test_quantile_of_float32_stays_float32_for_every_interpolation():
    x = Tensor(np.array([1.0, 2.0, 3.0, 7.0], dtype=np.float32), requires_grad=True)
    for interpolation in ("linear", "lower", "higher", "midpoint", "nearest"):
        result = x.quantile(0.3, interpolation=interpolation)
        assert result.dtype == np.float32
        np.testing.assert_allclose(
            result.data, np.quantile(x.data.astype(np.float64), 0.3, method=interpolation), rtol=1e-6
        )
