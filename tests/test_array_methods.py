"""Tensor's ndarray methods (autograd/array_methods.py): values equal to numpy's methods on the same
inputs, gradients against finite differences (autograd.gradcheck), and the choices that differ from
numpy (sort returns values and indices, as torch)."""

from __future__ import annotations

import array_cases as cases
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays, shapes

# the method's name and its inputs (arrays: self first, then the other operands; keyword parameters)
METHODS = [
    ("cumsum", cases.cumulative_inputs()),
    ("cumprod", cases.cumulative_inputs()),
    ("repeat", cases.shape_inputs("repeat")),
    ("ravel", cases.shape_inputs("ravel")),
    ("take", cases.take_inputs()),
    ("diagonal", cases.diagonal_inputs()),
    ("trace", cases.diagonal_inputs()),
    ("dot", cases.dot_inputs()),
]


def _call(name: str, arrays_in: tuple, params: dict, make=Tensor):
    first, *others = arrays_in
    return getattr(make(first), name)(*(make(o) for o in others), **params)


@pytest.mark.parametrize(("name", "inputs"), METHODS, ids=[name for name, _ in METHODS])
@given(data=st.data())
def test_tensor_method_matches_numpy_method(name, inputs, data):
    arrays_in, params = data.draw(inputs)
    result = _call(name, arrays_in, params)
    expected = _call(name, arrays_in, params, make=np.asarray)
    assert isinstance(result, Tensor)
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "inputs"), METHODS, ids=[name for name, _ in METHODS])
@given(data=st.data())
def test_tensor_method_gradient_matches_finite_differences(name, inputs, data):
    arrays_in, params = data.draw(inputs)
    assert ag.gradcheck(lambda a, *bs: getattr(a, name)(*bs, **params), arrays_in, rtol=1e-4, atol=1e-5)


@given(inputs=cases.sort_inputs())
def test_sort_method_returns_sorted_values_and_indices_as_torch(inputs):
    (a,), params = inputs
    values, indices = Tensor(a).sort(**params)
    np.testing.assert_array_equal(values.data, np.sort(a, **params))
    np.testing.assert_array_equal(indices, np.argsort(a, kind="stable", **params))
    assert ag.gradcheck(lambda t: t.sort(**params)[0], (a,), rtol=1e-4, atol=1e-5)


def test_sort_method_leaves_the_tensor_unchanged():
    x = Tensor([3.0, 1.0, 2.0])
    values, indices = x.sort()
    np.testing.assert_array_equal(x.data, [3.0, 1.0, 2.0])
    np.testing.assert_array_equal(values.data, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(indices, [1, 2, 0])


@given(inputs=cases.sort_inputs())
def test_argsort_method_matches_numpy(inputs):
    (a,), params = inputs
    np.testing.assert_array_equal(Tensor(a).argsort(**params), a.argsort(**params))


@given(a=arrays(shapes(min_dims=1, max_dims=3)), keepdims=st.booleans(), data=st.data())
def test_argmax_and_argmin_methods_match_numpy_with_keepdims(a, keepdims, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    for name in ("argmax", "argmin"):
        got = getattr(Tensor(a), name)(axis, keepdims=keepdims)
        np.testing.assert_array_equal(got, getattr(a, name)(axis, keepdims=keepdims))


def test_repeat_method_is_numpys_not_torchs_tile():
    np.testing.assert_array_equal(Tensor([1.0, 2.0]).repeat(2).data, [1.0, 1.0, 2.0, 2.0])


def test_repeat_with_torchs_sizes_as_one_sequence_names_tile():
    # torch's x.repeat((C, 1, 1, 1)) (Inside Deep Learning's BlurLayer): a TypeError naming x.tile, as for the
    # sizes spelt out, where numpy's reading failed with "4 repeats for an axis of length 9"
    x = Tensor(np.ones((1, 3, 3)))
    for sizes in ((2, 1, 1, 1), [2, 1, 1], ag.Size([2, 1, 1])):
        with pytest.raises(TypeError, match=r"x\.tile\("):
            x.repeat(sizes)
    # numpy's readings stand: one count per entry of the flattened array, or one count for all
    np.testing.assert_array_equal(Tensor([1.0, 2.0]).repeat((1, 2)).data, [1.0, 2.0, 2.0])
    np.testing.assert_array_equal(Tensor([[1.0], [2.0]]).repeat([3]).data, [1.0, 1.0, 1.0, 2.0, 2.0, 2.0])


def test_method_errors_name_the_function():
    with pytest.raises(TypeError, match="take"):
        Tensor([1.0, 2.0]).take(np.array([0.5]))
    with pytest.raises(ValueError, match="cumsum"):
        Tensor([1.0, 2.0]).cumsum(axis=3)


def test_trace_take_and_ravel_methods_take_numpys_dtype_mode_and_order():
    a = np.arange(12.0).reshape(3, 4) / 7
    x = Tensor(a, requires_grad=True)
    trace = x.trace(1, dtype=np.float32)
    assert trace.dtype == a.trace(1, dtype=np.float32).dtype
    np.testing.assert_allclose(trace.data, a.trace(1, dtype=np.float32), rtol=1e-6)
    np.testing.assert_array_equal(x.take([0, -20, 13], mode="clip").data, a.take([0, -20, 13], mode="clip"))
    np.testing.assert_array_equal(x.take([5, -1], axis=1, mode="wrap").data, a.take([5, -1], axis=1, mode="wrap"))
    raveled = x.ravel("F")
    np.testing.assert_array_equal(raveled.data, a.ravel("F"))
    (raveled * np.arange(12.0)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(12.0).reshape(4, 3).T)
