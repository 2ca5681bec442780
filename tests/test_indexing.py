"""autograd.indexing beyond the op table: repeated writes, gradients of masked_fill's value, one_hot and argmax/argmin
(no gradient), and errors naming the op and the bad argument."""

from __future__ import annotations

import numpy as np
import pytest

import autograd.indexing as ix
from autograd import Tensor


def test_put_along_axis_keeps_the_last_write_and_gives_overwritten_values_no_gradient():
    values = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    arr = Tensor(np.zeros((1, 3)), requires_grad=True)
    out = ix.put_along_axis(arr, np.array([[1, 1]]), values, axis=1)
    np.testing.assert_array_equal(out.data, [[0.0, 2.0, 0.0]])
    (out * np.array([[5.0, 7.0, 11.0]])).sum().backward()
    np.testing.assert_array_equal(values.grad, [[0.0, 7.0]])
    np.testing.assert_array_equal(arr.grad, [[5.0, 0.0, 11.0]])


def test_put_along_axis_leaves_its_input_unchanged():
    arr = np.zeros(3)
    ix.put_along_axis(arr, np.array([0]), np.array([1.0]), axis=None)
    np.testing.assert_array_equal(arr, np.zeros(3))


def test_masked_fill_with_a_number_passes_the_gradient_only_where_the_mask_is_false():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    ix.masked_fill(x, np.array([True, False, True]), -1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    indices = np.array([[0, 3], [2, 1]])
    np.testing.assert_array_equal(ix.one_hot(indices), torch.nn.functional.one_hot(torch.from_numpy(indices)).numpy())
    np.testing.assert_array_equal(ix.one_hot(indices, 5), torch.nn.functional.one_hot(torch.from_numpy(indices), 5))
    assert ix.one_hot(indices).dtype == np.int64


def test_argmax_and_argmin_keep_dimensions_like_numpy():
    x = np.array([[1.0, 5.0, 5.0], [7.0, -2.0, 0.0]])
    for axis in (None, 0, 1, -1):
        for keepdims in (False, True):
            np.testing.assert_array_equal(ix.argmax(Tensor(x), axis, keepdims), np.argmax(x, axis, keepdims=keepdims))
            np.testing.assert_array_equal(ix.argmin(x, axis, keepdims=keepdims), np.argmin(x, axis, keepdims=keepdims))


def test_take_rejects_out_of_bounds_and_non_integer_indices():
    with pytest.raises(IndexError, match="take: index 3 is out of bounds for an axis of length 3"):
        ix.take(np.ones(3), np.array([0, 3]))
    with pytest.raises(TypeError, match="take: indices must be integers, got dtype float64"):
        ix.take(np.ones(3), np.array([0.0]))
    with pytest.raises(ValueError, match="take: axis 2 is out of bounds for an array of dimension 1"):
        ix.take(np.ones(3), np.array([0]), axis=2)


def test_take_along_axis_rejects_indices_of_another_dimension_or_shape():
    with pytest.raises(
        ValueError, match="take_along_axis: indices must have as many dimensions as the array, got 1 and 2"
    ):
        ix.take_along_axis(np.ones((2, 3)), np.array([0]), axis=1)
    with pytest.raises(ValueError, match=r"take_along_axis: indices of shape \(3, 1\) do not broadcast"):
        ix.take_along_axis(np.ones((2, 3)), np.zeros((3, 1), dtype=int), axis=1)


def test_gather_rejects_an_index_larger_than_the_input():
    with pytest.raises(ValueError, match=r"gather: index of shape \(3, 1\) does not fit input of shape \(2, 3\)"):
        ix.gather(np.ones((2, 3)), 1, np.zeros((3, 1), dtype=int))


def test_put_along_axis_rejects_values_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"put_along_axis: values of shape \(3,\) do not broadcast"):
        ix.put_along_axis(np.ones((2, 3)), np.zeros((2, 1), dtype=int), np.ones(3), axis=1)


def test_masked_fill_rejects_a_non_boolean_or_non_broadcasting_mask_and_a_non_scalar_value():
    with pytest.raises(TypeError, match="masked_fill: mask must be boolean, got dtype int64"):
        ix.masked_fill(np.ones(2), np.array([1, 0]), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill: mask of shape \(2, 2\) does not broadcast"):
        ix.masked_fill(np.ones(2), np.ones((2, 2), dtype=bool), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill: value must be a number or a 0-d tensor, got shape \(2,\)"):
        ix.masked_fill(np.ones(2), np.ones(2, dtype=bool), Tensor(np.ones(2)))


def test_one_hot_rejects_indices_outside_the_classes():
    with pytest.raises(ValueError, match=r"one_hot: indices must be in \[0, 1\], got values 0 to 2"):
        ix.one_hot(np.array([0, 2]), 2)
    with pytest.raises(ValueError, match="one_hot: num_classes must be a non-negative integer or -1, got 2.5"):
        ix.one_hot(np.array([0]), 2.5)
