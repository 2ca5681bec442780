"""PyTorch's test/test_indexing.py (and numpy's indexing rules, numpy/_core/tests/test_indexing.py), ported: getitem
and setitem with slices, None, Ellipsis, integer and boolean index tensors, mixed basic and advanced indices, and the
index methods (index_put, index_add, index_copy, index_fill, index_select, masked_*, take, put), each checked against
torch, values and gradients."""

from __future__ import annotations

import re
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


# -- the port: torch's and numpy's indexing rules, values and gradients ------------------------------------------
A = np.array
GETITEM = [
    ((5,), 2),
    ((5,), -1),
    ((5,), slice(1, 4)),
    ((5,), slice(None, None, 2)),
    ((5,), slice(-3, None)),
    ((5,), slice(10, 20)),
    ((5,), slice(-100, 100)),
    ((3, 4), (slice(None), 1)),
    ((3, 4), (None, 1, None)),
    ((3, 4), Ellipsis),
    ((2, 3, 4), (1, Ellipsis, 2)),
    ((2, 3, 4), (None, Ellipsis, None)),
    ((5,), A([0, 2, 2])),  # a repeated index: its gradient accumulates
    ((5,), A([0, 2, 2], dtype=np.int32)),
    ((5,), [0, 4, -1]),
    ((5,), A([[0, 1], [4, 4]])),
    ((5,), A([True, False, True, False, True])),
    ((3, 4), A([[True, False, True, False]] * 3)),
    ((3, 4), (A([0, 2]), A([1, 3]))),
    ((3, 4), (slice(None), A([0, 2, 0]))),
    ((3, 4, 5), (A([0, 2]), slice(None), A([1, 3]))),  # separated: the indexed axis goes first
    ((3, 4, 5), (slice(None), A([0, 2]), A([1, 3]))),  # adjacent: it stays in place
    ((3, 4, 5), (A([[0], [2]]), slice(None), A([1, 3]))),  # broadcast index arrays
    ((3, 4, 5), (None, A([0, 2]), None, A([1, 3]))),
    ((2, 3, 4), (0, slice(None), [0, 2])),  # torch's integer-first reading
    ((2, 3, 4), (slice(None), 1, A([[0, 1], [2, 3]]))),
    ((2, 3, 4), (A([True, False]), A([0, 1]), slice(None))),
    ((3, 4), (A([True, False, True]), slice(1, 3))),
    ((3, 4), A(True)),
    ((3, 4), A(False)),
    ((3, 4), (None, True, Ellipsis, False)),
    ((3, 4), A([], dtype=np.int64)),
    ((3, 4), (slice(None), [])),
    ((3, 4), A([False, False, False])),
    ((3, 4), (slice(1, 1),)),
]


@pytest.mark.parametrize(("shape", "index"), GETITEM, ids=[repr(case[1])[:40] for case in GETITEM])
def test_getitem_values_and_gradients_match_torch(shape, index):
    _getitem_like_torch(shape, index)


SETITEM = [
    ((5,), 2, A(9.0)),
    ((5,), slice(1, 4), A([7.0, 8.0, 9.0])),
    ((5,), slice(None, None, 2), A(7.0)),  # broadcast: the value's gradient sums
    ((5,), A([0, 3]), A([7.0, 8.0])),
    ((5,), A([True, False, True, False, True]), A([7.0, 8.0, 9.0])),
    ((3, 4), 1, A([[7.0, 8.0, 9.0, 10.0]])),  # leading axes of 1 dropped, as torch's
    ((3, 4), (slice(None), 1), A([7.0, 8.0, 9.0])),
    ((3, 4), (A([0, 2]), slice(None)), A([1.0, 2.0, 3.0, 4.0])),
    ((3, 4), (slice(None), A([0, 2])), A([[1.0], [2.0], [3.0]])),
    ((3, 4), A([[True, False, True, False]] * 3), A([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
    ((2, 3, 4), (A([0, 1]), slice(None), A([1, 3])), A([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
    ((2, 3, 4), (0, slice(None), A([1, 3])), A([[1.0, 2.0]] * 3)),
    ((2, 3, 4), (None, 1), A([1.0, 2.0, 3.0, 4.0])),
    ((3, 4), A(1), A([1.0, 2.0, 3.0, 4.0])),
    ((3, 4), A([], dtype=np.int64), A(5.0)),
]


@pytest.mark.parametrize(("shape", "index", "value"), SETITEM, ids=[repr(case[1])[:40] for case in SETITEM])
def test_setitem_with_a_value_that_requires_grad_matches_torch(shape, index, value):
    # the gradient flows to the target (0 where overwritten) and to the value (summed where it broadcast)
    data = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    weights = data**2
    theirs, their_value = torch.tensor(data, requires_grad=True), torch.tensor(value, requires_grad=True)
    target = theirs * 1.0
    target[_theirs(index)] = their_value * 2.0
    (target * torch.from_numpy(weights)).sum().backward()
    mine, my_value = Tensor(data, requires_grad=True), Tensor(value, requires_grad=True)
    written = mine * 1.0
    written[_ours(index)] = my_value * 2.0
    (written * weights).sum().backward()
    np.testing.assert_array_equal(written.data, target.detach().numpy())
    np.testing.assert_array_equal(mine.grad, theirs.grad.numpy())
    np.testing.assert_array_equal(my_value.grad, their_value.grad.numpy())


def test_setitem_on_a_view_is_seen_by_its_base_and_the_gradients_are_torchs():
    results = []
    for lib in (torch, None):
        make = (lambda a: torch.tensor(a, requires_grad=True)) if lib else (lambda a: Tensor(a, requires_grad=True))
        x, value = make(np.arange(12.0).reshape(3, 4)), make(np.array([10.0, 20.0]))
        base = x * 1.0
        view = base[:, 1:3]
        view[0:2] = value  # broadcast over the view's first two rows
        row = base[2]
        row[1] = -1.0
        (base * (torch.arange(12.0, dtype=torch.float64) if lib else np.arange(12.0)).reshape(3, 4)).sum().backward()
        results.append([np.asarray(t.detach() if lib else t.data) for t in (base, x.grad, value.grad)])
    for theirs, mine in zip(*results):
        np.testing.assert_array_equal(mine, theirs)


def _method_like_torch(call, arrays, indices):
    """``call(tensor, *others, *index_tensors)`` here and in torch: values, and the gradients of every float input."""
    outcomes = []
    for side in ("torch", "ours"):
        if side == "torch":
            inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
            extra = [torch.from_numpy(np.array(i)) for i in indices]
        else:
            inputs = [Tensor(np.array(a), requires_grad=True) for a in arrays]
            extra = [Tensor(np.array(i)) for i in indices]
        out = call(*inputs, *extra)
        weights = np.arange(1.0, 1.0 + np.prod(tuple(out.shape))).reshape(tuple(out.shape)) ** 2
        (out * (torch.from_numpy(weights) if side == "torch" else weights)).sum().backward()
        grads = [np.zeros(np.shape(a)) if t.grad is None else np.asarray(t.grad) for t, a in zip(inputs, arrays)]
        outcomes.append((np.asarray(out.detach() if side == "torch" else out.data), grads))
    (expected, expected_grads), (got, got_grads) = outcomes
    np.testing.assert_array_equal(got, expected)
    for mine, theirs in zip(got_grads, expected_grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


X = np.arange(1.0, 13.0).reshape(3, 4)
METHODS = {
    "index_select": (lambda x, i: x.index_select(1, i), [X], [[2, 0, 2]]),
    "index_select_int32": (lambda x, i: x.index_select(0, i), [X], [np.array([2, 2], dtype=np.int32)]),
    "index_add": (lambda x, s, i: x.index_add(0, i, s, alpha=3), [X, np.ones((3, 4)) * 2], [[2, 0, 2]]),
    "index_add_": (lambda x, s, i: (x * 1).index_add_(1, i, s), [X, np.ones((3, 2))], [[3, 3]]),
    "index_copy": (lambda x, s, i: x.index_copy(1, i, s), [X, np.arange(6.0).reshape(3, 2)], [[3, 0]]),
    "index_copy_": (lambda x, s, i: (x * 1).index_copy_(0, i, s), [X, np.arange(4.0).reshape(1, 4)], [[1]]),
    "index_fill": (
        lambda x, v, i: x.index_fill(1, i, v),
        [X, np.array(5.0)],
        [[2, 0, 3]],
    ),  # (torch's backward fails for -1)
    "index_put": (lambda x, v, i, j: x.index_put((i, j), v), [X, np.array([5.0, 6.0, 7.0])], [[2, 0, 2], [1, 1, 3]]),
    "index_put_accumulate": (
        lambda x, v, i, j: x.index_put((i, j), v, accumulate=True),
        [X, np.array([5.0, 6.0, 7.0])],
        [[2, 0, 2], [1, 1, 1]],  # a repeated position: both values add
    ),
    "index_put_broadcast": (lambda x, v, i: x.index_put((i,), v), [X, np.array([5.0, 6.0, 7.0, 8.0])], [[0, 1]]),
    "index_put_mask": (lambda x, v, m: x.index_put((m,), v, accumulate=True), [X, np.arange(6.0)], [X > 6]),
    "index_put_": (lambda x, v, i: (x * 1).index_put_((i,), v, accumulate=True), [X, np.array(2.0)], [[1, 1]]),
    "masked_fill": (lambda x, v, m: x.masked_fill(m, v), [X, np.array(2.0)], [X > 6]),
    "masked_fill_broadcast": (lambda x, m: x.masked_fill(m, -1.0), [X], [[True, False, True, False]]),
    "masked_fill_": (lambda x, v, m: (x * 1).masked_fill_(m, v), [X, np.array(2.0)], [X > 6]),
    "masked_scatter": (lambda x, s, m: x.masked_scatter(m, s), [X, np.arange(20.0, 32.0).reshape(3, 4)], [X > 6]),
    "masked_scatter_": (lambda x, s, m: (x * 1).masked_scatter_(m, s), [X, np.arange(20.0, 32.0)], [X < 3]),
    "masked_select": (lambda x, m: x.masked_select(m), [X], [X > 6]),
    "masked_select_broadcast": (lambda x, m: x.masked_select(m), [X[0]], [X > 6]),
    "take": (lambda x, i: x.take(i), [X], [[[0, 11], [-1, 5]]]),
    "put": (lambda x, s, i: x.put(i, s, accumulate=True), [X, np.array([7.0, 8.0, 9.0])], [[0, 5, 5]]),
    "put_": (lambda x, s, i: (x * 1).put_(i, s), [X, np.array([[7.0, 8.0]])], [[[-1, 3]]]),
    "take_along_dim": (lambda x, i: x.take_along_dim(i, 1), [X], [[[0, 1]]]),
    "gather": (lambda x, i: x.gather(1, i), [X], [[[0, 0], [3, 1], [2, 2]]]),
}


@pytest.mark.parametrize("name", list(METHODS))
def test_index_methods_match_torch(name):
    call, arrays, indices = METHODS[name]
    _method_like_torch(call, arrays, indices)


ERRORS = [
    ((3, 4), 3, IndexError, r"index 3 is out of bounds for axis 0 with size 3"),
    ((3, 4), (0, -5), IndexError, r"index -5 is out of bounds for axis 1 with size 4"),
    ((3, 4), A([0, 5]), IndexError, r"index 5 is out of bounds for axis 0 with size 3"),
    ((3, 4), (slice(None), A([4])), IndexError, r"index 4 is out of bounds for axis 1 with size 4"),
    ((3, 4), 1.0, IndexError, r"only integers, slices"),
    ((3, 4), A([1.0]), IndexError, r"integer \(or boolean\) type"),
    ((3, 4), (slice(None), 1.5), IndexError, r"only integers, slices"),
    ((3, 4), A([True, False]), IndexError, r"boolean index did not match"),
    ((3, 4), A([[True, False]] * 3), IndexError, r"boolean index did not match"),
    ((3, 4), (0, 1, 2), IndexError, r"too many indices"),
    ((3, 4), (A([0, 1]), A([0, 1, 2])), IndexError, r"could not be broadcast"),
]


@pytest.mark.parametrize(("shape", "index", "error", "message"), ERRORS, ids=[repr(e[1])[:40] for e in ERRORS])
def test_bad_indices_raise_torchs_error_class_naming_the_op_and_the_size(shape, index, error, message):
    with pytest.raises(error):
        torch.zeros(shape)[_theirs(index)]
    for requires_grad in (False, True):
        x = Tensor(np.zeros(shape), requires_grad=requires_grad)
        with pytest.raises(error, match=rf"^getitem: .*{message}.*\(tensor shape {re_shape(shape)}\)$"):
            x[_ours(index)]
        y = x * 1.0
        with pytest.raises(error, match=rf"^setitem: .*{message}"):
            y[_ours(index)] = 1.0
        assert not y.data.any()


def re_shape(shape):
    return re.escape(str(tuple(shape)))


def test_integers_beside_a_scalar_bool_select_first_as_torchs():
    # torch selects with the integers first and adds a scalar bool's axis (1 for True, 0 for False) where it stands;
    # the library read a scalar bool as numpy does, an array index with the integers, so x[0, :, True] of a (2, 3, 4)
    # tensor had numpy's shape (1, 3, 4) instead of torch's (3, 1, 4)
    for index in [
        (0, slice(None), True),
        (0, None, 0, False),
        (0, slice(None), False),
        (0, slice(None), True, np.array([1, 2])),
        (1, slice(None, 2), True, 2),
    ]:
        _getitem_like_torch((2, 3, 4), index)
    for index in [(0, slice(None), True), (0, slice(None), True, np.array([1, 2]))]:
        data = np.arange(24.0).reshape(2, 3, 4)
        mine, theirs = Tensor(data.copy()), torch.tensor(data)
        mine[_ours(index)] = -np.arange(1.0, 1.0 + theirs[_theirs(index)].numel()).reshape(theirs[_theirs(index)].shape)
        theirs[_theirs(index)] = -torch.arange(1.0, 1.0 + theirs[_theirs(index)].numel(), dtype=torch.float64).reshape(
            theirs[_theirs(index)].shape
        )
        np.testing.assert_array_equal(mine.data, theirs.numpy())


def test_setitem_into_an_empty_non_leaf_checks_the_index_as_torchs():
    # torch raises IndexError for y[[0]] = v of an empty y; recorded (y requires grad), the library skipped the
    # write of an empty tensor altogether, so an index out of bounds passed unnoticed
    for shape, index in [((0,), np.array([0])), ((2, 0), (slice(None), np.array([0]))), ((0, 3), (np.array([-1]),))]:
        theirs = torch.zeros(shape, dtype=torch.float64, requires_grad=True) * 1
        with pytest.raises(IndexError):
            theirs[_theirs(index)] = 1.0
        mine = Tensor(np.zeros(shape), requires_grad=True) * 1
        with pytest.raises(IndexError, match="out of bounds"):
            mine[_ours(index)] = 1.0
    mine = Tensor(np.zeros((2, 0)), requires_grad=True) * 1
    mine[:, np.array([], dtype=np.int64)] = 1.0  # in bounds: nothing written, as torch's
    assert mine.shape == (2, 0)


def test_integers_beside_a_zero_d_bool_tensor_select_first_as_torchs():
    # a 0-d bool index Tensor is torch's scalar bool: x[0, :, tensor(True)] of a (3, 4) tensor is (4, 1) there; the
    # library read it as numpy reads a 0-d bool array, an array index with the integer: shape (1, 4)
    for index in [(0, slice(None), np.array(True)), (1, np.array(False)), (0, np.array(True), np.array([1, 2, 0]))]:
        _getitem_like_torch((3, 4), index)
