"""A list index read as torch reads it: as a tuple of indices when it holds fewer than 32 entries of which one is a
list, an array, a Tensor, a slice, None or Ellipsis (``x[[[0, 1], [2, 3]]]`` is ``x[[0, 1], [2, 3]]``), else as one
integer-array index (``x[[0, 2]]``); the same for getitem, setitem and the gradient, compared with torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _indices(module):
    """The list indices, as each library is given them (Tensors of its own, numpy arrays, lists, slices...)."""
    tensor = module.tensor
    return [
        [[0, 1], [2, 3]],
        [[0, 1]],
        [[0, 1], [2, 3], None],
        [tensor([0, 1]), tensor([2, 3])],
        [np.array([0, 1]), np.array([2, 3])],
        [0, slice(None)],
        [slice(1, 3), [0, 2]],
        [None],
        [Ellipsis],
        [0, None],
        [Ellipsis, 1],
        [tensor(1), 2],
        [np.array(1), 2],
        [(0, 1), (2, 3)],
        [[True, False, True, False]],
        [0, [1, 2]],
        [range(2), range(2)],
        [[], []],
        [[[0, 1]], [[2]]],
        [[0]] * 32,  # 32 entries: one integer-array index again
        [0, 2],  # numbers only: one integer-array index
        [np.int64(3), 1],
        [],
    ]


CASES = range(len(_indices(ag)))


def _run(function):
    """``function()`` and whether it warned (torch warns that the tuple reading is deprecated)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function()
    return result, any(issubclass(w.category, UserWarning) and "tuple" in str(w.message) for w in caught)


@pytest.mark.parametrize("case", CASES)
def test_list_getitem_reads_like_torch(case):
    data = np.arange(16.0).reshape(4, 4)
    expected, torch_warned = _run(lambda: torch.tensor(data)[_indices(torch)[case]])
    got, warned = _run(lambda: ag.tensor(data)[_indices(ag)[case]])
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.data, expected.numpy())
    assert warned == torch_warned


@pytest.mark.parametrize("case", CASES)
def test_list_setitem_writes_like_torch(case):
    expected = torch.zeros(4, 4, dtype=torch.float64)
    _, torch_warned = _run(lambda: expected.__setitem__(_indices(torch)[case], 1.0))
    got = ag.zeros(4, 4)
    _, warned = _run(lambda: got.__setitem__(_indices(ag)[case], 1.0))
    np.testing.assert_array_equal(got.data, expected.numpy())
    assert warned == torch_warned


@pytest.mark.parametrize("case", CASES)
def test_list_index_gradient_like_torch(case):
    data = np.arange(16.0).reshape(4, 4)
    mine = ag.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        picked_torch = theirs[_indices(torch)[case]]
        picked = mine[_indices(ag)[case]]
    weights = np.arange(1.0, picked.data.size + 1).reshape(picked.shape)
    (picked_torch * torch.tensor(weights)).sum().backward()
    (picked * ag.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(np.asarray(mine.grad), theirs.grad.numpy())


@pytest.mark.filterwarnings("ignore:indexing with a list")
def test_list_of_index_lists_gradient_matches_finite_differences():
    x = ag.tensor(np.random.default_rng(0).normal(size=(4, 4)), requires_grad=True)
    assert ag.gradcheck(lambda t: t[[[0, 1, 1], [2, 3, 3]]] * t[[0, slice(1, 3)]].sum(), [x])


@pytest.mark.filterwarnings("ignore:indexing with a list")
def test_recorded_setitem_with_a_list_of_index_lists_writes_two_entries():
    source = ag.tensor(np.ones((4, 4)), requires_grad=True)
    value = ag.tensor(np.array([5.0, 7.0]), requires_grad=True)
    y = source * 1
    y[[[0, 1], [2, 3]]] = value
    assert y.data[0, 2] == 5.0 and y.data[1, 3] == 7.0 and (y.data == 1).sum() == 14
    y.sum().backward()
    np.testing.assert_array_equal(np.asarray(value.grad), [1.0, 1.0])
    assert np.asarray(source.grad).sum() == 14


def test_numpy_take_of_a_list_of_lists_keeps_numpy_reading():
    x = ag.tensor(np.arange(16.0).reshape(4, 4))
    np.testing.assert_array_equal(np.take(x, [[0, 1], [2, 3]]).data, np.take(np.arange(16.0), [[0, 1], [2, 3]]))
