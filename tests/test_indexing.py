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


@pytest.mark.parametrize("mode", ["wrap", "clip"])
@pytest.mark.parametrize("axis", [None, 1])
def test_take_wraps_or_clips_indices_out_of_bounds_as_numpys_mode(mode, axis):
    a = np.arange(12.0).reshape(3, 4)
    indices = np.array([[0, -6], [13, 2]])
    x = Tensor(a, requires_grad=True)
    result = np.take(x, indices, axis=axis, mode=mode)
    np.testing.assert_array_equal(result.data, np.take(a, indices, axis=axis, mode=mode))
    weights = np.arange(1.0, 1.0 + result.data.size).reshape(result.shape)
    (result * weights).sum().backward()
    expected = np.zeros_like(a)  # each weight added back at the entry numpy took
    positions = np.take(np.arange(a.size).reshape(a.shape), indices, axis=axis, mode=mode)
    np.add.at(expected.reshape(-1), positions.reshape(-1), weights.reshape(-1))
    np.testing.assert_array_equal(x.grad, expected)


def test_take_names_a_mode_it_does_not_know():
    with pytest.raises(ValueError, match="take: mode must be 'raise', 'wrap' or 'clip', got 'nearest'"):
        ix.take(np.ones(3), np.array([0]), mode="nearest")


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
    with pytest.raises(ValueError, match=r"masked_fill: mask of shape \(3,\) does not broadcast"):
        ix.masked_fill(np.ones(2), np.ones(3, dtype=bool), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill: value must be a number or a 0-d tensor, got shape \(2,\)"):
        ix.masked_fill(np.ones(2), np.ones(2, dtype=bool), Tensor(np.ones(2)))


def test_masked_fill_broadcasts_the_input_to_a_mask_of_more_axes_as_torchs():
    torch = pytest.importorskip("torch")
    data, mask = np.array([[1.0, -2.0, 3.0]]), np.array([[[True, False, False]], [[False, False, True]]])
    x = Tensor(data, requires_grad=True)
    out = x.masked_fill(Tensor(mask), 0.5)
    xt = torch.tensor(data, requires_grad=True)
    expected = xt.masked_fill(torch.tensor(mask), 0.5)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())  # shape (2, 1, 3)
    seed = np.arange(1.0, 7.0).reshape(2, 1, 3)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())


def test_one_hot_rejects_indices_outside_the_classes():
    with pytest.raises(ValueError, match=r"one_hot: indices must be in \[0, 1\], got values 0 to 2"):
        ix.one_hot(np.array([0, 2]), 2)
    with pytest.raises(TypeError, match="one_hot: num_classes must be an integer, got 2.5"):  # torch's TypeError
        ix.one_hot(np.array([0]), 2.5)


MIXED_INDICES = [
    # (index, torch's result shape for x of shape (2, 3, 4)): the integers select first, then the array indices
    ((0, slice(None), [0, 2]), (3, 2)),
    ((1, slice(None), [0, 0, 3]), (3, 3)),
    ((slice(None), 0, [1, 2]), (2, 2)),
    (([0, 1], slice(None), 0), (2, 3)),
    ((0, None, slice(None), [1, 2]), (1, 3, 2)),
    ((Ellipsis, 0, [1, 2]), (2, 2)),
    ((0, slice(None), np.array([[0, 2], [1, 1]])), (3, 2, 2)),
    ((1, slice(0, 2), np.array([3, 1, 3])), (2, 3)),
    ((0, np.array([True, False, True]), slice(1, 3)), (2, 2)),
    ((0, [0, 1], [1, 2]), (2,)),
]


def _torch_reading(array, index):
    """The same selection as torch reads it, built apart from the library's: the integers (and None) applied first
    with full slices elsewhere, then the slices and array indices on the axes left."""
    first = []
    for part in index:
        if isinstance(part, int) or part is None or part is Ellipsis:
            first.append(part)
        else:  # a slice or an array index: its axes stay for the second step
            first.extend([slice(None)] * (part.ndim if isinstance(part, np.ndarray) and part.dtype == bool else 1))
    rest = tuple(slice(None) if part is None else part for part in index if not isinstance(part, int))
    return array[tuple(first)][rest]


@pytest.mark.parametrize(("index", "shape"), MIXED_INDICES)
def test_an_integer_beside_an_array_index_selects_first_as_torchs(index, shape):
    data = np.arange(24.0).reshape(2, 3, 4)
    x = Tensor(data.copy(), requires_grad=True)
    out = x[index]
    assert out.shape == shape
    np.testing.assert_array_equal(out.data, _torch_reading(data, index))
    seed = np.arange(out.data.size, dtype=float).reshape(shape) + 1.0
    out.backward(seed)
    expected = np.zeros(data.size)  # each picked entry gets its seed back; repeats add
    np.add.at(expected, _flat_positions(data.shape, index), seed.reshape(-1))
    np.testing.assert_array_equal(x.grad.reshape(-1), expected.reshape(-1))


def _flat_positions(shape, index):
    """The flat position in an array of ``shape`` of every entry ``x[index]`` picks (torch's reading), in order."""
    positions = np.arange(int(np.prod(shape))).reshape(shape)
    return _torch_reading(positions, index).reshape(-1)


@pytest.mark.parametrize(("index", "shape"), MIXED_INDICES)
def test_assigning_through_an_integer_beside_an_array_index_writes_torchs_entries(index, shape):
    x = Tensor(np.zeros((2, 3, 4)))
    values = np.arange(1.0, 1.0 + int(np.prod(shape))).reshape(shape)
    x[index] = values
    expected = np.zeros(24)
    expected[_flat_positions((2, 3, 4), index)] = values.reshape(-1)
    np.testing.assert_array_equal(x.data.reshape(-1), expected)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_errors_of_an_integer_beside_an_array_index_name_the_op_and_the_whole_tensors_axis_and_shape(requires_grad):
    # torch reads x[0, :, [0, 9]] as x[0][:, [0, 9]]; the errors named the second step's axis and shape, (5, 6),
    # and an integer out of bounds in an assignment was reported by a getitem
    x = Tensor(np.zeros((4, 5, 6)), requires_grad=requires_grad) * 1.0
    whole = r"\(tensor shape \(4, 5, 6\)\)"
    with pytest.raises(IndexError, match=rf"^getitem: index 9 is out of bounds for axis 2 with size 6 {whole}$"):
        x[0, :, [0, 9]]
    with pytest.raises(IndexError, match=rf"^setitem: index 9 is out of bounds for axis 2 with size 6 {whole}$"):
        x[0, :, [0, 9]] = 1.0
    with pytest.raises(IndexError, match=rf"^setitem: index 7 is out of bounds for axis 0 with size 4 {whole}$"):
        x[7, :, [0, 2]] = 1.0
    value = Tensor(np.ones((2, 5)), requires_grad=requires_grad)
    with pytest.raises(ValueError, match=rf"^setitem: .* of shape \(2, 5\) .* result of shape \(5, 2\) {whole}$"):
        x[0, :, [0, 2]] = value  # torch's result has shape (5, 2), numpy's (2, 5)
    assert not x.data.any() and x.version == 0


def test_a_0d_tensor_index_beside_an_array_index_selects_a_view_first():
    x = Tensor(np.zeros((2, 3, 4)))
    x[Tensor(np.array(1)), :, [0, 2]] = np.ones((3, 2))
    np.testing.assert_array_equal(x.data[1][:, [0, 2]], np.ones((3, 2)))
    assert x.data.sum() == 6.0


def test_a_slice_with_a_negative_step_reads_and_writes_as_numpys_where_torch_refuses_it():
    data = np.arange(20.0).reshape(4, 5)
    x = Tensor(data.copy(), requires_grad=True)
    out = x[::-2, 3:0:-1]
    np.testing.assert_array_equal(out.data, data[[3, 1]][:, [3, 2, 1]])
    out.backward(np.arange(1.0, 7.0).reshape(2, 3))
    expected = np.zeros((4, 5))
    expected[np.ix_([3, 1], [3, 2, 1])] = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_array_equal(x.grad, expected)
    base = Tensor(data.copy())
    base[::-1][0] = -1.0  # a view, as numpy's: the write reaches the last row
    np.testing.assert_array_equal(base.data[3], -np.ones(5))
