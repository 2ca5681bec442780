"""autograd.sorting beyond the op table: indices against numpy and torch, ties, errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd.sorting as so
from autograd import Tensor


def test_argsort_matches_numpy_for_every_axis():
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, -1.0]])
    for axis in (None, 0, 1, -1):
        np.testing.assert_array_equal(so.argsort(Tensor(x), axis), np.argsort(x, axis))


def test_sort_sends_each_gradient_through_the_permutation_and_ties_keep_their_order():
    x = Tensor(np.array([2.0, 1.0, 2.0]), requires_grad=True)
    (so.sort(x) * np.array([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [20.0, 10.0, 30.0])  # stable: the first 2.0 is sorted first


def test_topk_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[3.0, 1.0, 2.0, 7.0], [0.0, 5.0, -1.0, 4.0]])
    for largest in (True, False):
        values, indices = so.topk(x, 2, dim=1, largest=largest)
        expected = torch.topk(torch.tensor(x), 2, dim=1, largest=largest)
        np.testing.assert_array_equal(indices, expected.indices.numpy())
        np.testing.assert_array_equal(values.data, expected.values.numpy())


def test_sort_and_topk_reject_bad_arguments():
    with pytest.raises(ValueError, match="sort: axis -1 is out of bounds for a 0-d array"):
        so.sort(np.float64(1.0))
    with pytest.raises(ValueError, match="argsort: axis 3 is out of bounds for an array of dimension 1"):
        so.argsort(np.ones(2), axis=3)
    with pytest.raises(ValueError, match=r"topk: k must be an integer in \[0, 2\] for dim -1 of shape \(2,\), got 3"):
        so.topk(np.ones(2), 3)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint64, np.int8, np.int32, np.int64, np.bool_])
def test_descending_order_of_integers_and_bools_includes_zero_and_the_dtype_extremes(dtype):
    info = np.iinfo(dtype) if dtype is not np.bool_ else None
    values = [True, False, True, False] if info is None else [0, int(info.max), 3, int(info.min), 3, 1]
    x = np.array(values, dtype=dtype)
    # the stable descending order, by a Python sort of the indices (no array arithmetic that could wrap)
    expected_order = sorted(range(len(values)), key=lambda i: -int(values[i]))
    np.testing.assert_array_equal(so.argsort(Tensor(x), descending=True).data, expected_order)
    sorted_values, indices = Tensor(x).sort(descending=True)
    np.testing.assert_array_equal(indices.data, expected_order)
    np.testing.assert_array_equal(sorted_values.data, x[expected_order])
    top_values, top_indices = so.topk(Tensor(x), 2)
    np.testing.assert_array_equal(top_indices.data, expected_order[:2])
    np.testing.assert_array_equal(top_values.data, x[expected_order[:2]])
    assert sorted_values.dtype == x.dtype
    torch = pytest.importorskip("torch")
    if dtype in (np.uint16, np.uint64):
        return  # torch 2.13 sorts only the integer dtypes it fully supports on CPU
    expected = torch.sort(torch.from_numpy(x), descending=True, stable=True)
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
