"""Tests for autograd.broadcasting: unbroadcast (the one place gradients are reduced back to an
operand's shape), normalize_axes and reduced_shape, on their own."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor
from autograd.broadcasting import normalize_axes, reduced_shape, unbroadcast
from autograd.testing import arrays, axes_for, broadcastable_shapes, shapes


def _adjoint_of_broadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Independent reference: dL/dx_j = sum of dL/dy_i over every i that broadcasting copied from j."""
    result = np.zeros(shape)
    source = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    copied_from = np.broadcast_to(source, grad.shape).ravel()
    np.add.at(result.reshape(-1), copied_from, grad.ravel())
    return result


@given(st.data(), broadcastable_shapes(num_shapes=2))
def test_unbroadcast_sums_every_copy_back_onto_its_source(data, shape_pair):
    shape = shape_pair[0]
    full = np.broadcast_shapes(*shape_pair)
    grad = data.draw(arrays(full))
    reduced = unbroadcast(grad, shape)
    assert reduced.shape == shape
    np.testing.assert_allclose(reduced, _adjoint_of_broadcast(grad, shape), rtol=1e-12, atol=1e-12)


@given(arrays(shapes()))
def test_unbroadcast_returns_same_shaped_gradient_unchanged(grad):
    assert unbroadcast(grad, grad.shape) is grad


@pytest.mark.parametrize(
    ("grad_shape", "shape", "summed_axes"),
    [
        ((2, 3), (3,), (0,)),
        ((2, 3), (1, 3), (0,)),
        ((2, 3), (2, 1), (1,)),
        ((4, 2, 3), (2, 1), (0, 2)),
        ((2, 3), (), (0, 1)),
        ((5,), (1,), (0,)),
    ],
)
def test_unbroadcast_sums_added_and_stretched_axes(grad_shape, shape, summed_axes):
    grad = np.arange(np.prod(grad_shape), dtype=np.float64).reshape(grad_shape)
    expected = grad.sum(axis=summed_axes).reshape(shape)
    np.testing.assert_array_equal(unbroadcast(grad, shape), expected)


def test_unbroadcast_keeps_dtype_of_float32_gradient():
    grad = np.ones((3, 4), dtype=np.float32)
    assert unbroadcast(grad, (4,)).dtype == np.float32


def test_unbroadcast_on_tensor_records_a_differentiable_graph():
    grad = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    reduced = unbroadcast(grad, (1, 3))
    assert isinstance(reduced, Tensor)
    np.testing.assert_array_equal(reduced.data, [[3.0, 5.0, 7.0]])
    reduced.backward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(grad.grad, [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])


@pytest.mark.parametrize(
    ("grad_shape", "shape"),
    [((3,), (2, 3)), ((2, 3), (4,)), ((2, 3), (3, 3))],
)
def test_unbroadcast_rejects_gradient_that_no_broadcast_produced(grad_shape, shape):
    with pytest.raises(ValueError, match=r"unbroadcast: gradient of shape") as info:
        unbroadcast(np.zeros(grad_shape), shape)
    assert str(grad_shape) in str(info.value) and str(shape) in str(info.value)


@given(st.data(), shapes())
def test_normalize_axes_gives_sorted_distinct_nonnegative_axes_like_numpy(data, shape):
    ndim = len(shape)
    axis = data.draw(axes_for(ndim))
    axes = normalize_axes(axis, ndim, "sum")
    assert list(axes) == sorted(set(axes))
    assert all(0 <= a < max(ndim, 1) for a in axes)
    x = np.ones(shape)
    assert np.sum(x, axis=axes).shape == np.sum(x, axis=axis).shape


@pytest.mark.parametrize(("axis", "message"), [(2, "axis 2 is out of bounds"), (-3, "axis -3"), ((0, -2), "repeated")])
def test_normalize_axes_rejects_bad_axis_naming_op(axis, message):
    with pytest.raises(ValueError, match=message) as info:
        normalize_axes(axis, 2, "mean")
    assert str(info.value).startswith("mean:")


@given(st.data(), shapes(min_dims=1))
def test_reduced_shape_is_numpy_keepdims_shape(data, shape):
    axes = normalize_axes(data.draw(axes_for(len(shape))), len(shape), "sum")
    assert reduced_shape(shape, axes) == np.sum(np.ones(shape), axis=axes, keepdims=True).shape
