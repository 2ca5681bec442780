"""PyTorch's test/test_indexing.py (and numpy's indexing rules, numpy/_core/tests/test_indexing.py), ported: getitem
and setitem with slices, None, Ellipsis, integer and boolean index tensors, mixed basic and advanced indices, and the
index methods (index_put, index_add, index_copy, index_fill, index_select, masked_*, take, put), each checked against
torch, values and gradients."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograd import Tensor

torch = pytest.importorskip("torch")


def _ours(part):
    """An index part as the library takes it: arrays become Tensors (so torch's reading of a Tensor index applies)."""
    if isinstance(part, tuple):
        return tuple(_ours(p) for p in part)
    return Tensor(part.copy()) if isinstance(part, np.ndarray) else part


def _theirs(part):
    if isinstance(part, tuple):
        return tuple(_theirs(p) for p in part)
    return torch.from_numpy(part.copy()) if isinstance(part, np.ndarray) else part


def _getitem_like_torch(shape, index):
    """x[index] here and in torch: the same values and shape, and the same gradient for a seed of distinct numbers."""
    data = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    mine, theirs = Tensor(data.copy(), requires_grad=True), torch.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's deprecation of uint8 indices
        expected = theirs[_theirs(index)]
        got = mine[_ours(index)]
        assert got.shape == tuple(expected.shape)
        np.testing.assert_array_equal(got.data, expected.detach().numpy())
        seed = np.arange(1.0, 1.0 + expected.numel()).reshape(tuple(expected.shape))
        expected.backward(torch.from_numpy(seed))
        got.backward(seed)
    np.testing.assert_array_equal(mine.grad, theirs.grad.numpy())


def test_a_uint8_index_tensor_is_a_mask_as_torchs():
    # torch reads a uint8 (byte) index tensor as a boolean mask, nonzero entries selected (deprecated there, with a
    # warning); the library read it as integer positions, picking rows 1, 0, 2 instead of rows 0 and 2
    for shape, index in [
        ((5,), np.array([1, 0, 2, 0, 1], dtype=np.uint8)),
        ((3, 4), np.array([1, 0, 1], dtype=np.uint8)),
        ((3, 4), (np.array([1, 0, 1], dtype=np.uint8), slice(1, 3))),
        ((3, 4), np.array([[1, 0, 1, 0]] * 3, dtype=np.uint8)),
        ((3, 4), np.array(1, dtype=np.uint8)),
    ]:
        _getitem_like_torch(shape, index)
    x = Tensor(np.zeros((3, 4)))
    with pytest.warns(UserWarning, match="uint8"):
        x[Tensor(np.array([1, 0, 1], dtype=np.uint8))] = Tensor(np.arange(4.0))
    np.testing.assert_array_equal(x.data, [[0, 1, 2, 3], [0, 0, 0, 0], [0, 1, 2, 3]])
    # a numpy uint8 array keeps numpy's reading: integer positions
    np.testing.assert_array_equal(Tensor(np.arange(5.0))[np.array([1, 1], dtype=np.uint8)].data, [1.0, 1.0])


def test_index_put_reads_a_uint8_index_tensor_as_a_mask_as_torchs():
    x = np.arange(12.0).reshape(3, 4)
    mask = np.array([1, 0, 1], dtype=np.uint8)
    values = np.array([-1.0, -2.0, -3.0, -4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = torch.from_numpy(x).index_put((torch.from_numpy(mask),), torch.from_numpy(values)).numpy()
        got = Tensor(x).index_put((Tensor(mask),), Tensor(values))
    np.testing.assert_array_equal(got.data, expected)


def test_a_0d_integer_index_tensor_selects_a_view_as_an_integer_does_as_torchs():
    # torch reads a 0-d integer index tensor as the integer it holds (basic indexing: a view of the tensor); the
    # library made a copy, as numpy does for a 0-d array, so writing through the result did not reach the tensor
    theirs, mine = torch.zeros(3, 4, dtype=torch.float64), Tensor(np.zeros((3, 4)))
    for index in [np.array(1), np.array(2, dtype=np.int32), (np.array(1), np.array(2)), (slice(None), np.array(-1))]:
        expected, got = theirs[_theirs(index)], mine[_ours(index)]
        assert expected._base is theirs
        expected.fill_(7.0)
        got.fill_(7.0)
        np.testing.assert_array_equal(mine.data, theirs.numpy())
    row = mine[Tensor(np.array(0))]
    mine[0, 0] = -1.0  # and a change of the tensor shows in the row read before it
    assert row.data[0] == -1.0


def test_gradients_through_a_0d_index_tensor_are_torchs():
    _getitem_like_torch((3, 4), np.array(1))
    _getitem_like_torch((3, 4), (np.array(1), slice(None), None))
    _getitem_like_torch((2, 3, 4), (np.array(1), slice(None), np.array([0, 3, 3])))


@pytest.mark.parametrize("form", ["function", "method", "in_place"])
def test_scatter_gives_every_source_entry_the_gradient_at_its_target_as_torchs(form):
    # torch's scatter backward is grad_src = grad.gather(dim, index): an entry whose write a later one with the same
    # index overwrote gets the gradient at that target too; the library gave it 0
    import autograd

    index = np.array([[0, 0, 2], [1, 1, 1]])
    src, base, weights = np.arange(1.0, 7.0).reshape(2, 3), np.zeros((2, 3)), np.arange(1.0, 7.0).reshape(2, 3) ** 2
    t_src, t_base = torch.tensor(src, requires_grad=True), torch.tensor(base, requires_grad=True)
    (t_base * 1).scatter(1, torch.from_numpy(index), t_src).mul(torch.from_numpy(weights)).sum().backward()
    m_src, m_base = Tensor(src, requires_grad=True), Tensor(base, requires_grad=True)
    scatter = {
        "function": lambda x: autograd.scatter(x, 1, index, m_src),
        "method": lambda x: x.scatter(1, Tensor(index), m_src),
        "in_place": lambda x: x.scatter_(1, Tensor(index), m_src),
    }[form]
    out = scatter(m_base * 1)
    np.testing.assert_array_equal(out.data[:, :3], [[2.0, 0.0, 3.0], [0.0, 6.0, 0.0]])
    (out * weights).sum().backward()
    np.testing.assert_array_equal(m_src.grad, t_src.grad.numpy())
    np.testing.assert_array_equal(m_base.grad, t_base.grad.numpy())


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("value", [np.array([1.0, 2.0]), [1.0, 2.0], np.ones((2, 2))], ids=["array", "list", "matrix"])
def test_a_value_of_more_entries_than_the_one_entry_an_index_selects_is_a_shape_error(value, requires_grad):
    # torch: RuntimeError (expand to size [] fails); the library raised numpy's bare ValueError "setting an array
    # element with a sequence", which is not the ShapeError (a ValueError and RuntimeError) its other mismatches are
    from autograd import ShapeError

    with pytest.raises(RuntimeError):
        torch.zeros(3)[0] = torch.tensor(value)
    x = Tensor(np.zeros(3), requires_grad=requires_grad) * 1.0
    for source in (value, Tensor(np.asarray(value), requires_grad=requires_grad)):
        with pytest.raises(ShapeError, match=r"^setitem: .*shape \(2,( 2)?\).* \(tensor shape \(3,\)\)$"):
            x[0] = source
    assert not x.data.any() and x.version == 0


ELLIPSIS_OF_NO_AXIS = [
    ((5, 1, 3), (slice(None), np.array([0, 0]), Ellipsis, np.array([1, 2]))),
    ((5, 3, 4), (slice(None), np.array([0, 2]), Ellipsis, np.array([[1, 2, 3]]).T)),
    ((2, 1, 3), (slice(None, None, 2), np.array([[-1, 0], [0, 0]]), Ellipsis, np.array([[-3, -2], [-1, -2]]))),
    ((4, 3, 2), (slice(1, 3), np.array([True, False, True]), Ellipsis, np.array([1, 0]))),
    ((4, 3, 2), (1, np.array([2, 0]), Ellipsis, np.array([1, 0]))),
]


@pytest.mark.parametrize(("shape", "index"), ELLIPSIS_OF_NO_AXIS)
def test_an_ellipsis_of_no_axis_between_array_indices_does_not_separate_them_as_torchs(shape, index):
    # numpy counts an Ellipsis standing for no axis as separating the array indices on either side, and puts their
    # axes first: x[:, i, ..., j] of a (5, 1, 3) tensor had shape (2, 5); torch reads x[:, i, j], shape (5, 2)
    _getitem_like_torch(shape, index)


@pytest.mark.parametrize(("shape", "index"), ELLIPSIS_OF_NO_AXIS)
def test_assigning_through_an_ellipsis_of_no_axis_between_array_indices_writes_torchs_entries(shape, index):
    data = np.arange(float(np.prod(shape))).reshape(shape)
    expected = torch.tensor(data)
    selected = tuple(expected[_theirs(index)].shape)
    values = np.arange(100.0, 100.0 + np.prod(selected)).reshape(selected)
    expected[_theirs(index)] = torch.from_numpy(values)
    for requires_grad in (False, True):
        x = Tensor(data.copy(), requires_grad=requires_grad) * 1.0
        x[_ours(index)] = Tensor(values)
        np.testing.assert_array_equal(x.data, expected.numpy())
