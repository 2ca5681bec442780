"""Tensor.as_strided / autograd.as_strided: entries read from the tensor's storage at torch's element strides."""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, gradcheck
from autograd.shape_errors import ArgumentRangeError, ShapeError

X = np.arange(12.0).reshape(3, 4)

CASES = [
    ((2, 2), (1, 2), None),  # overlapping windows
    ((3, 3), (1, 1), 0),
    ((2, 3, 2), (4, 1, 2), 1),
    ((0, 3), (1, 1), None),  # empty
    ((4,), (3,), None),
    ((2, 2, 2, 3), (0, 4, 4, 1), 0),  # a stride of 0 repeats entries
]


def test_sliding_windows_read_the_entries_numpy_strides_give():
    windows = Tensor(X).as_strided((2, 3, 2, 2), (4, 1, 4, 1))  # every 2x2 window of the 3x4 grid
    expected = np.lib.stride_tricks.sliding_window_view(X, (2, 2))
    np.testing.assert_array_equal(windows.data, expected)


def test_the_gradient_adds_each_reading_back_checked_by_finite_differences():
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert gradcheck(lambda t: t.as_strided((2, 3, 2, 2), (4, 1, 4, 1)) ** 2, [x])
    assert gradcheck(lambda t: ag.as_strided(t.t(), (2, 2), (1, 4), 1).exp(), [x])


def test_a_view_reads_its_storage_from_its_own_offset():
    view = Tensor(np.arange(10.0))[2:]
    np.testing.assert_array_equal(view.as_strided((3,), (2,)).data, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(view.as_strided((2,), (1,), storage_offset=5).data, [5.0, 6.0])


def test_bad_geometry_is_an_error_naming_it():
    with pytest.raises(ShapeError, match=r"as_strided: size \(2, 2\) and stride \(1,\)"):
        Tensor(X).as_strided((2, 2), (1,))
    with pytest.raises(ArgumentRangeError, match="beyond the 12 of this tensor's storage"):
        Tensor(X).as_strided((20,), (1,))
    with pytest.raises(ArgumentRangeError, match="read storage element 10, beyond the 10"):
        Tensor(np.arange(10.0))[2:].as_strided((3,), (1,), storage_offset=8)  # past the base's end, as torch refuses
    with pytest.raises(ArgumentRangeError, match=">= 0"):
        Tensor(X).as_strided((2,), (-1,))
    with pytest.raises(TypeError, match="as_strided"):
        Tensor(X).as_strided((2.5,), (1,))


@pytest.mark.parametrize(("size", "stride", "offset"), CASES)
def test_values_and_gradients_match_torch(size, stride, offset):
    torch = pytest.importorskip("torch")
    options = {} if offset is None else {"storage_offset": offset}
    weights = np.random.default_rng(1).standard_normal(size)
    ours, theirs = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    got, expected = ours.as_strided(size, stride, **options), theirs.as_strided(size, stride, **options)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    (got * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(("size", "stride", "offset"), [((2, 2), (1, 2), 0), ((2, 2), (1, 2), 10), ((3,), (2,), 3)])
def test_a_partial_view_reads_its_neighbours_in_the_storage_as_torch(size, stride, offset):
    """torch's OpInfo as_strided.partial_views: a leaf view base[5:15] read at storage offsets before and after it;
    the neighbours' entries are the base's values, and only the view's own entries get a gradient."""
    torch = pytest.importorskip("torch")
    base = np.random.default_rng(2).standard_normal(20)
    ours, theirs = Tensor(base.copy())[5:15], torch.tensor(base)[5:15]
    ours.requires_grad_()
    theirs.requires_grad_()
    got, expected = ours.as_strided(size, stride, offset), theirs.as_strided(size, stride, offset)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    weights = np.random.default_rng(3).standard_normal(size)
    (got * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


def test_a_transposed_tensor_reads_its_storage_as_torch():
    torch = pytest.importorskip("torch")
    got = ag.as_strided(Tensor(X).t(), (2, 3), (1, 4))
    np.testing.assert_array_equal(got.data, torch.as_strided(torch.tensor(X).t(), (2, 3), (1, 4)).numpy())
