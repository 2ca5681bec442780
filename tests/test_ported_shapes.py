"""Ported shape, joining, selection and indexing tests against torch, with torch's spellings
(``transpose(1, 2)``, ``cat(dim=)``, ``gather``, ``scatter_add``, ``unbind``; see tests/torch_oracle.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from torch_oracle import check_like_torch, is_torch

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")


# -- shape ops, torch's spellings ------------------------------------------------------------------------
SHAPE_OPS = {
    "reshape(-1, 3, 6)": ((4, 3, 6), lambda x: x.reshape(-1, 3, 6)),
    "reshape((12, 6))": ((4, 3, 6), lambda x: x.reshape((12, 6))),
    "reshape of empty": ((0, 3), lambda x: x.reshape(3, 0)),
    "view(4, -1)": ((4, 3, 6), lambda x: x.view(4, -1)),
    "permute(3, 0, 2, 1)": ((1, 2, 3, 4), lambda x: x.permute(3, 0, 2, 1)),
    "permute((3, 0, 2, 1))": ((1, 2, 3, 4), lambda x: x.permute((3, 0, 2, 1))),
    "permute(-1, 0, -2, 1)": ((1, 2, 3, 4), lambda x: x.permute(-1, 0, -2, 1)),
    "permute(0, 1) of a matrix": ((3, 4), lambda x: x.permute(0, 1)),
    "transpose(1, 2)": ((3, 4, 5), lambda x: x.transpose(1, 2)),
    "transpose(-1, 0)": ((3, 4, 5), lambda x: x.transpose(-1, 0)),
    "transpose(-2, -1)": ((2, 3, 4, 5), lambda x: x.transpose(-2, -1)),
    "transpose(0, 1) of a matrix": ((3, 4), lambda x: x.transpose(0, 1)),
    "transpose(1, 0) of a matrix": ((3, 4), lambda x: x.transpose(1, 0)),
    "transpose(1, 1)": ((3, 4), lambda x: x.transpose(1, 1)),
    "transpose(0, 0) of a vector": ((3,), lambda x: x.transpose(0, 0)),
    "transpose(0, -1) of a scalar": ((), lambda x: x.transpose(0, -1)),
    "swapaxes(0, 2)": ((3, 4, 5), lambda x: x.swapaxes(0, 2)),
    "T": ((3, 4), lambda x: x.T),
    "mT": ((2, 3, 4), lambda x: x.mT),
    "flatten()": ((2, 3, 4), lambda x: x.flatten()),
    "flatten(1)": ((2, 3, 4), lambda x: x.flatten(1)),
    "flatten(0, -2)": ((2, 3, 4), lambda x: x.flatten(0, -2)),
    "flatten(start_dim=1, end_dim=2)": ((2, 3, 4), lambda x: x.flatten(start_dim=1, end_dim=2)),
    "squeeze()": ((1, 3, 1, 4), lambda x: x.squeeze()),
    "squeeze(2)": ((1, 3, 1, 4), lambda x: x.squeeze(2)),
    "squeeze(-1)": ((1, 3, 4, 1), lambda x: x.squeeze(-1)),
    "squeeze(dim=1) of a non-1 axis": ((1, 3, 4, 1), lambda x: x.squeeze(dim=1)),
    "squeeze(dim=(0, 3))": ((1, 3, 4, 1), lambda x: x.squeeze(dim=(0, 3))),
    "unsqueeze(0)": ((3, 4), lambda x: x.unsqueeze(0)),
    "unsqueeze(-1)": ((3, 4), lambda x: x.unsqueeze(-1)),
    "unsqueeze(-2)": ((3, 4), lambda x: x.unsqueeze(-2)),
    "unsqueeze(dim=2)": ((3, 4), lambda x: x.unsqueeze(dim=2)),
    "expand(3, 4)": ((3, 1), lambda x: x.expand(3, 4)),
    "expand(2, -1, 4)": ((3, 1), lambda x: x.expand(2, -1, 4)),
    "expand((2, 3, 4))": ((3, 1), lambda x: x.expand((2, 3, 4))),
    "flip(0)": ((3, 4, 5), lambda x: x.flip(0)),
    "flip((0, 2))": ((3, 4, 5), lambda x: x.flip((0, 2))),
    "flip([1, -1])": ((3, 4, 5), lambda x: x.flip([1, -1])),
    "flip(0, 1)": ((3, 4, 5), lambda x: x.flip(0, 1)),
    "roll(2, 1)": ((3, 4, 5), lambda x: x.roll(2, 1)),
    "roll((1, -2), (0, 2))": ((3, 4, 5), lambda x: x.roll((1, -2), (0, 2))),
    "roll(3) flattened": ((3, 4, 5), lambda x: x.roll(3)),
    "repeat(2, 1) is tile": ((3, 4), lambda x: x.repeat(2, 1) if is_torch(x) else ag.tile(x, (2, 1))),
    "repeat_interleave is repeat": (
        (3, 4),
        lambda x: x.repeat_interleave(2, dim=1) if is_torch(x) else x.repeat(2, axis=1),
    ),
}


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_matches_torch(name):
    shape, call = SHAPE_OPS[name]
    check_like_torch([shape], call)


def test_transpose_with_a_tuple_is_numpy_permutation():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Tensor(x).transpose((0, 1)).data, x)
    np.testing.assert_array_equal(Tensor(x).transpose((1, 0)).data, x.T)
    y = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(Tensor(y).transpose(2, 0, 1).data, y.transpose(2, 0, 1))


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda x: x.permute(3, 1, 2),
            r"permute: axes \(3, 1, 2\) are not a permutation of the axes of shape \(2, 3, 4\)",
        ),
        (lambda x: x.permute(0, 1), r"permute: axes \(0, 1\) are not a permutation of the axes of shape \(2, 3, 4\)"),
        (lambda x: x.transpose((0, 0, 1)), r"transpose: axes \(0, 0, 1\) are not a permutation"),
        (lambda x: x.transpose(0, 3), r"transpose: axis 3 is out of bounds for an array of dimension 3"),
        (lambda x: x.transpose(-4, 0), r"transpose: axis -4 is out of bounds for an array of dimension 3"),
    ],
)
def test_bad_permutations_are_errors_naming_the_op_and_shape(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call(Tensor(np.ones((2, 3, 4))))


# -- joining and splitting ------------------------------------------------------------------------------
JOINS = {
    "cat": ([(2, 3), (4, 3)], lambda x, y: torch.cat([x, y]) if is_torch(x) else ag.cat([x, y])),
    "cat(1)": ([(2, 3), (2, 1)], lambda x, y: torch.cat([x, y], 1) if is_torch(x) else ag.cat([x, y], 1)),
    "cat(dim=-1)": ([(2, 3), (2, 1)], lambda x, y: (torch if is_torch(x) else ag).cat((x, y), dim=-1)),
    "cat with an empty part": ([(2, 3), (0, 3)], lambda x, y: (torch if is_torch(x) else ag).cat([x, y])),
    "cat of three": ([(1, 2), (3, 2), (2, 2)], lambda *xs: (torch if is_torch(xs[0]) else ag).cat(xs, dim=0)),
    "stack(1)": ([(2, 3), (2, 3)], lambda x, y: (torch if is_torch(x) else ag).stack([x, y], 1)),
    "stack(dim=-1)": ([(2, 3), (2, 3)], lambda x, y: (torch if is_torch(x) else ag).stack([x, y], dim=-1)),
    "stack of scalars": ([(), ()], lambda x, y: (torch if is_torch(x) else ag).stack([x, y])),
}


@pytest.mark.parametrize("name", JOINS)
def test_join_matches_torch(name):
    shapes, call = JOINS[name]
    check_like_torch(shapes, call)


@pytest.mark.parametrize("join", [ag.cat, ag.stack])
def test_join_refuses_axis_and_dim_together(join):
    with pytest.raises(TypeError, match=r"got both axis=1 and dim=0"):
        join([Tensor(np.ones((2, 2)))] * 2, 1, dim=0)


def _index(x: Any, rows: list) -> Any:
    """An integer index as torch wants it (a LongTensor) or as an ndarray."""
    return torch.tensor(rows) if is_torch(x) else np.array(rows)


SPLITS = {
    "split(3)": ((7, 3), lambda x: x.split(3)),
    "split([2, 4, 1])": ((7, 3), lambda x: x.split([2, 4, 1])),
    "split(2, dim=1)": ((2, 5), lambda x: x.split(2, dim=1)),
    "chunk(3, 1)": ((3, 7), lambda x: x.chunk(3, 1)),
    "chunk(6, 1) gives fewer": ((2, 13), lambda x: x.chunk(6, 1)),
    "chunk(3, -2)": ((4, 3, 3), lambda x: x.chunk(3, -2)),
    "unbind(1)": ((3, 4), lambda x: x.unbind(1)),
    "unbind()": ((2, 3), lambda x: x.unbind()),
}


@pytest.mark.parametrize("name", SPLITS)
def test_split_pieces_match_torch(name):
    shape, call = SPLITS[name]
    pieces = call(torch.zeros(shape))
    assert len(call(Tensor(np.zeros(shape)))) == len(pieces)
    for piece in range(len(pieces)):
        check_like_torch([shape], lambda x, piece=piece: call(x)[piece])


SELECTIONS = {
    "gather(1, index)": ((4, 5), lambda x: x.gather(1, _index(x, [[0, 1], [4, 4], [2, 0], [3, 3]]))),
    "gather(0, index) with repeats": ((4, 5), lambda x: x.gather(0, _index(x, [[0, 1, 2, 3, 3], [0, 0, 0, 0, 0]]))),
    "gather(-1, index)": ((4, 5), lambda x: x.gather(-1, _index(x, [[0], [1], [2], [3]]))),
    "torch.gather": ((4, 5), lambda x: (torch if is_torch(x) else ag).gather(x, 1, _index(x, [[4], [0], [1], [2]]))),
    "take_along_dim": ((4, 5), lambda x: x.take_along_dim(_index(x, [[1], [0], [3], [2]]), 1)),
    "index_select(0)": ((4, 5), lambda x: x.index_select(0, _index(x, [0, 2, 2]))),
    "index_select(-1)": ((4, 5), lambda x: x.index_select(-1, _index(x, [4, 1]))),
    "select(1, 2)": ((3, 4, 5), lambda x: x.select(1, 2)),
    "select(-1, -1)": ((3, 4, 5), lambda x: x.select(-1, -1)),
    "narrow(1, 1, 2)": ((3, 4, 5), lambda x: x.narrow(1, 1, 2)),
    "narrow(-1, -3, 3)": ((3, 4, 5), lambda x: x.narrow(-1, -3, 3)),
    "scatter(1, index, src)": (
        (3, 5),
        lambda x: x.scatter(1, _index(x, [[0, 1], [2, 4], [4, 0]]), (x * 2)[:, 1:3] * x[:, :2]),
    ),
    "scatter(0, index, value=)": ((3, 5), lambda x: x.scatter(0, _index(x, [[0, 1, 2], [2, 0, 1]]), value=7.0)),
    "scatter_add with repeats": (
        (3, 5),
        lambda x: x.scatter_add(1, _index(x, [[0, 0, 0], [2, 4, 2], [4, 1, 1]]), x[:, 2:] ** 2),
    ),
    "scatter_add(0)": ((3, 5), lambda x: x.scatter_add(0, _index(x, [[0, 1, 0, 0, 2]]), x[1:2] * x[2:])),
    "unflatten(1, (3, 4))": ((2, 12), lambda x: x.unflatten(1, (3, 4))),
    "unflatten(-1, (2, -1))": ((2, 12), lambda x: x.unflatten(-1, (2, -1))),
    "movedim(0, -1)": ((2, 3, 4), lambda x: x.movedim(0, -1)),
    "moveaxis((0, 1), (2, 0))": ((2, 3, 4), lambda x: x.moveaxis((0, 1), (2, 0))),
    "swapdims(0, 2)": ((2, 3, 4), lambda x: x.swapdims(0, 2)),
    "tril()": ((4, 4), lambda x: x.tril()),
    "tril(-1)": ((4, 5), lambda x: x.tril(-1)),
    "triu(diagonal=1) batched": ((2, 4, 5), lambda x: x.triu(diagonal=1)),
    "torch.tril": ((3, 3), lambda x: (torch if is_torch(x) else ag).tril(x)),
    "repeat_interleave(2, dim=1)": ((3, 4), lambda x: x.repeat_interleave(2, dim=1)),
    "repeat_interleave(3) flattened": ((2, 2), lambda x: x.repeat_interleave(3)),
    "tile((2, 1))": ((3, 4), lambda x: x.tile((2, 1))),
    "tile((2,)) of a matrix": ((3, 4), lambda x: x.tile((2,))),
    "masked_fill": ((3, 4), lambda x: x.masked_fill(x > 0.5, 0.0)),
    "masked_fill(-inf) then softmax": ((3, 4), lambda x: x.masked_fill(x > 0.5, -np.inf).softmax(-1)),
    "where(cond, x, y)": ((3, 4), lambda x: (torch if is_torch(x) else ag).where(x > 0, x, x * x)),
    "where(cond, x, 0.0)": ((3, 4), lambda x: (torch if is_torch(x) else ag).where(x > 0, x, 0.0)),
    "where(cond, 2.0, x)": ((3, 4), lambda x: (torch if is_torch(x) else ag).where(x > 0, 2.0, x)),
    "x.where(cond, other)": ((3, 4), lambda x: x.where(x > 0, 2.0)),
    "amax(1)": ((3, 4), lambda x: x.amax(1)),
    "amax((0, 1), keepdim=True)": ((3, 4), lambda x: x.amax((0, 1), keepdim=True)),
    "amin()": ((3, 4), lambda x: x.amin()),
    "mv": ((3, 4), lambda x: x.mv(x[0])),
    "outer": ((3,), lambda x: x.outer(x * 2)),
    "inner": ((3, 4), lambda x: x.inner(x)),
    "remainder": ((3, 4), lambda x: x.remainder(0.7)),
    "frac": ((3, 4), lambda x: (x * 3).frac()),
    "absolute, negative, sgn": ((3, 4), lambda x: x.absolute() + x.negative() * x.sgn()),
}


@pytest.mark.parametrize("name", SELECTIONS)
def test_selection_method_matches_torch(name):
    shape, call = SELECTIONS[name]
    check_like_torch([shape], call)


@pytest.mark.parametrize("name", ["asin", "acos", "atan", "asinh", "atanh"])
def test_torch_names_of_inverse_functions_match_torch(name):
    check_like_torch([(3, 4)], lambda x: getattr(x, name)(), low=-0.9, high=0.9)


def test_acosh_and_atan2_match_torch():
    check_like_torch([(3, 4)], lambda x: x.acosh(), low=1.1, high=3.0)
    check_like_torch([(3, 4), (3, 4)], lambda y, x: y.atan2(x), low=0.2, high=2.0)


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal"])
def test_comparison_methods_give_torch_values_as_boolean_tensors_outside_the_graph(name):
    x, y = np.array([0.0, 1.0, 2.0]), np.array([2.0, 1.0, 0.0])
    got = getattr(Tensor(x, requires_grad=True), name)(Tensor(y))
    assert isinstance(got, Tensor) and got.dtype == bool and not got.requires_grad and got.grad_fn is None
    np.testing.assert_array_equal(got.data, getattr(torch.tensor(x), name)(torch.tensor(y)).numpy())
    np.testing.assert_array_equal(getattr(Tensor(x), name)(1.0).data, getattr(torch.tensor(x), name)(1.0).numpy())


def test_scatter_takes_the_corner_of_a_larger_src_as_torch():
    x, src = np.zeros((3, 5)), np.arange(15.0).reshape(3, 5)
    index = np.array([[3], [0], [1]])
    expected = torch.tensor(x).scatter(1, torch.tensor(index), torch.tensor(src)).numpy()
    np.testing.assert_array_equal(Tensor(x).scatter(1, index, Tensor(src)).data, expected)
    # torch's own backward refuses a src larger than the index; ours gives src's corner the gradient
    source = Tensor(src, requires_grad=True)
    (Tensor(x).scatter(1, index, source) * Tensor(np.arange(15.0).reshape(3, 5))).sum().backward()
    np.testing.assert_array_equal(source.grad, [[3, 0, 0, 0, 0], [5, 0, 0, 0, 0], [11, 0, 0, 0, 0]])


def test_scatter_of_a_float32_tensor_keeps_its_dtype():
    x = Tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    out = x.scatter(1, np.array([[0], [2]]), value=1.5)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [[1.5, 0, 0], [0, 0, 1.5]])


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda x: x.gather(1, np.array([[5]])), r"index 5 is out of bounds for an axis of length 3"),
        (lambda x: x.gather(1, np.array([[0.5]])), r"gather: indices must be integers, got dtype float64"),
        (lambda x: x.scatter(1, np.array([[0], [1], [2]]), 1.0), r"scatter: index of shape \(3, 1\) does not fit"),
        (lambda x: x.scatter(1, np.array([[0]])), r"scatter: give exactly one of src and value"),
        (lambda x: x.scatter_add(0, np.array([[0, 1]]), Tensor(np.ones((1, 1)))), r"scatter_add: src of shape"),
        (lambda x: x.index_select(0, np.array([[0]])), r"index_select: index must be 0-D or 1-D, got shape \(1, 1\)"),
        (lambda x: x.narrow(1, 2, 2), r"narrow: start 2 and length 2 do not fit dim 1 of length 3"),
        (lambda x: x.unflatten(1, (2, 2)), r"unflatten: sizes \(2, 2\) do not multiply to 3"),
        (lambda x: x.select(2, 0), r"select: axis 2 is out of bounds for an array of dimension 2"),
        (lambda x: x.mv(x), r"mv: expects a 2-D and a 1-D tensor, got shapes \(2, 3\) and \(2, 3\)"),
    ],
)
def test_selection_errors_name_the_op_and_shapes(call, pattern):
    with pytest.raises((ValueError, IndexError, TypeError), match=pattern):
        call(Tensor(np.ones((2, 3))))


# -- indexing --------------------------------------------------------------------------------------------
def _torch_index(index: Any) -> Any:
    """Lists and arrays inside an index as LongTensors/BoolTensors for torch."""
    if isinstance(index, tuple):
        return tuple(_torch_index(part) for part in index)
    return torch.as_tensor(np.asarray(index)) if isinstance(index, (list, np.ndarray)) else index


INDICES = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, 3),
    "step": slice(None, None, 2),
    "slice past the end": slice(2, 10),
    "empty slice": slice(2, 2),
    "two ints": (1, 2),
    "None then int": (None, 1),
    "ellipsis": (Ellipsis, 1),
    "int, slice, None": (1, slice(None), None),
    "list with repeats": ([0, 2, 2],),
    "two lists": ([0, 2], [1, 3]),
    "slice then list": (slice(None), [3, 0, 3]),
    "broadcast arrays": (np.array([[0], [2]]), np.array([[1, 2, 3]])),
    "arrays apart (advanced axes first)": ([0, 1], slice(None), [1, 2]),
    "boolean mask of the first axis": (np.array([True, False, True, True]),),
    "negative list": ([-1, -4],),
}


@pytest.mark.parametrize("name", INDICES)
def test_getitem_matches_torch(name):
    index = INDICES[name]
    check_like_torch([(4, 5, 3)], lambda x: x[_torch_index(index) if is_torch(x) else index])


def test_getitem_with_masks_and_tensor_indices_matches_torch():
    check_like_torch([(4, 5)], lambda x: x[x > 0.5])
    check_like_torch([(4, 5)], lambda x: x[torch.tensor([0, 3])] if is_torch(x) else x[Tensor(np.array([0, 3]))])
    check_like_torch([(4, 5)], lambda x: x[torch.tensor(2)] if is_torch(x) else x[Tensor(np.array(2))])
    check_like_torch([(4, 5)], lambda x: x[[0, 3, 0]])


@pytest.mark.parametrize(
    "index",
    [(1, None, (2, 1, 0)), (1, (2, 1, 0), None, 0, (2, 1, 0)), (1, (2, 1, 0), 0, (2, 1, 0)), (1, ((1,), (0,)), 2)],
    ids=repr,
)
def test_a_tuple_of_positions_beside_an_integer_is_read_as_a_list_as_torch(index):
    # tinygrad's test_slice_fancy_indexing_tuple_indices: an inner tuple is an array index, so the integer
    # selects first (torch's reading); it was left a tuple and read as numpy's (axes in another order)
    check_like_torch([(2, 5, 6, 5, 3)], lambda x: x[index])
    as_lists = tuple(list(part) if isinstance(part, tuple) else part for part in index)
    check_like_torch([(2, 5, 6, 5, 3)], lambda x: x[index], lambda x: x[as_lists])
    ours, theirs = Tensor(np.zeros((3, 4))), torch.zeros((3, 4), dtype=torch.float64)
    for target in (ours, theirs):
        target[1, (2, 0)] = (torch if target is theirs else np).arange(
            2.0, dtype=(torch if target is theirs else np).float64
        ) + 5
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_setitem_writes_as_torch_does_under_no_grad():
    ours, theirs = Tensor(np.zeros((3, 4))), torch.zeros((3, 4), dtype=torch.float64)
    for target in (ours, theirs):
        target[0] = 1.0
        target[:, 1] = (torch if target is theirs else np).arange(3.0)
        target[target > 0.5] = 9.0
        target[[0, 2], [1, 1]] = -1.0
        target[..., -1] = target[..., 0] * 2
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_setitem_is_recorded_on_an_intermediate_and_refused_on_a_parameter_as_torch():
    x = Tensor(np.ones(3), requires_grad=True)
    doubled = x * 2
    doubled[0] = 5.0  # recorded, as torch's index_put_: the overwritten entry passes no gradient back
    doubled.sum().backward()
    np.testing.assert_array_equal(doubled.data, [5.0, 2.0, 2.0])
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 2.0])
    with pytest.raises(RuntimeError, match="setitem: in-place change of a Tensor that requires grad"):
        x[0] = 5.0  # a leaf that requires grad: only inside no_grad
    with ag.no_grad():
        x[0] = 5.0
    np.testing.assert_array_equal(x.data, [5.0, 1.0, 1.0])


# -- iteration -------------------------------------------------------------------------------------------
def test_iterating_a_tensor_gives_its_rows_and_a_0d_tensor_refuses_as_torch():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    first, second = x
    (first * 2 + second).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(Tensor(2.0))
    with pytest.raises(TypeError):
        iter(torch.tensor(2.0))


# -- sorting with NaN, infinities and ties -------------------------------------------------------------------
SORT_VALUES = np.array([[1.0, np.nan, 3.0, -np.inf, 3.0], [2.0, 2.0, np.inf, 0.0, np.nan], [5.0, 4.0, 3.0, 2.0, 1.0]])
SORTS = {
    "sort(dim=1)": lambda x: x.sort(dim=1)[0],
    "sort(dim=1, descending=True)": lambda x: x.sort(dim=1, descending=True)[0],
    "sort(0, descending=True)": lambda x: x.sort(0, descending=True)[0],
    "topk(2, dim=1)": lambda x: x.topk(2, dim=1)[0],
    "topk(5, dim=1)": lambda x: x.topk(5, dim=1)[0],
    "topk(2, dim=1, largest=False)": lambda x: x.topk(2, dim=1, largest=False)[0],
    "sort indices (stable)": lambda x: torch.as_tensor(np.asarray(x.sort(dim=1, descending=True, stable=True)[1])),
    "argsort(dim=0, descending=True)": lambda x: (
        x.argsort(dim=0, descending=True, stable=True)
        if is_torch(x)
        else torch.as_tensor(x.argsort(dim=0, descending=True))
    ),
}


@pytest.mark.parametrize("name", SORTS)
def test_sort_and_topk_rank_nan_as_the_largest_as_torch(name):
    check_like_torch(None, SORTS[name], values=[SORT_VALUES], forward_only=True)


def test_descending_sort_keeps_ties_in_order_and_matches_torch_gradients():
    ties = np.array([3.0, 1.0, 3.0, 2.0, 1.0])
    check_like_torch(
        None, lambda x: torch.as_tensor(np.asarray(x.sort(descending=True, stable=True)[1])), values=[ties]
    )
    check_like_torch(
        None,
        lambda x: (
            x.sort(descending=True)[0] * torch.arange(5.0)
            if is_torch(x)
            else x.sort(descending=True)[0] * np.arange(5.0)
        ),
        values=[ties],
    )
    check_like_torch([(3, 4)], lambda x: x.topk(2, dim=0)[0])


# -- factories and grids -----------------------------------------------------------------------------------
FACTORIES = {
    "zeros(4, 5)": (lambda: torch.zeros(4, 5, dtype=torch.float64), lambda: ag.zeros(4, 5)),
    "zeros([4, 5])": (lambda: torch.zeros([4, 5], dtype=torch.float64), lambda: ag.zeros([4, 5])),
    "zeros([])": (lambda: torch.zeros([], dtype=torch.float64), lambda: ag.zeros([])),
    "ones(0, 3)": (lambda: torch.ones(0, 3, dtype=torch.float64), lambda: ag.ones(0, 3)),
    "full((2, 3), 4.0)": (lambda: torch.full((2, 3), 4.0, dtype=torch.float64), lambda: ag.full((2, 3), 4.0)),
    "empty(2, 3) * 0": (lambda: torch.empty(2, 3, dtype=torch.float64) * 0, lambda: ag.empty(2, 3) * 0),
    "eye(3, 5)": (lambda: torch.eye(3, 5, dtype=torch.float64), lambda: ag.eye(3, 5)),
    "eye(0)": (lambda: torch.eye(0, dtype=torch.float64), lambda: ag.eye(0)),
    "arange(5, 10, 3)": (lambda: torch.arange(5, 10, 3), lambda: ag.arange(5, 10, 3)),
    "arange(10, 5, -3)": (lambda: torch.arange(10, 5, -3), lambda: ag.arange(10, 5, -3)),
    "arange(5.5, 175.5, 2.5)": (
        lambda: torch.arange(5.5, 175.5, 2.5, dtype=torch.float64),
        lambda: ag.arange(5.5, 175.5, 2.5),
    ),
    "linspace(5, 10, 3)": (lambda: torch.linspace(5, 10, 3, dtype=torch.float64), lambda: ag.linspace(5, 10, 3)),
    "linspace(5, 10, 0)": (lambda: torch.linspace(5, 10, 0, dtype=torch.float64), lambda: ag.linspace(5, 10, 0)),
    "linspace(5.5, -5.5, 10)": (
        lambda: torch.linspace(5.5, -5.5, 10, dtype=torch.float64),
        lambda: ag.linspace(5.5, -5.5, 10),
    ),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factory_matches_torch(name):
    theirs, ours = FACTORIES[name]
    check_like_torch([], lambda: theirs(), lambda: ours(), forward_only=True)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: ag.zeros(-3, 2), r"zeros: negative dimension in shape \(-3, 2\)"),
        (lambda: ag.ones((2, -3, 0)), r"ones: negative dimension in shape \(2, -3, 0\)"),
        (lambda: ag.full((-3,), 2.0), r"full: negative dimension in shape \(-3,\)"),
        (lambda: ag.randn(2, -1), r"randn: negative dimension"),
        (lambda: ag.rand(-1), r"rand: negative dimension"),
        (lambda: ag.empty(-2), r"empty: negative dimension"),
        (lambda: ag.eye(-3, 3), r"eye: negative dimension in shape \(-3, 3\)"),
        (lambda: ag.eye(3, -3), r"eye: negative dimension in shape \(3, -3\)"),
    ],
)
def test_factories_refuse_negative_sizes_naming_the_op(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize("count", [1, 2, 3])
@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_torch_values_and_gradients(indexing, count):
    def grids(*xs: Any) -> Any:
        made = (torch if is_torch(xs[0]) else ag).meshgrid(*xs, indexing=indexing)
        return made[count - 1] * 2 + made[0]

    check_like_torch([(3,), (4,), (2,)][:count], grids)


def test_meshgrid_defaults_to_numpys_xy_and_refuses_other_indexings():
    x, y = np.arange(3.0), np.arange(4.0)
    for got, expected in zip(ag.meshgrid(x, y), np.meshgrid(x, y)):
        np.testing.assert_array_equal(got.data, expected)
    with pytest.raises(ValueError, match="meshgrid: indexing must be 'xy' or 'ij', got 'bad'"):
        ag.meshgrid(x, indexing="bad")


# -- isclose -------------------------------------------------------------------------------------------------
ISCLOSE = {
    "x.isclose(x)": lambda x: x.isclose(x),
    "x.isclose(x + 1e-6)": lambda x: x.isclose(x + 1e-6),
    "x.isclose(x + 1e-9, atol=0.0)": lambda x: x.isclose(x + 1e-9, atol=0.0),
    "x.isclose(x + 1e-6, rtol=0.01)": lambda x: x.isclose(x + 1e-6, rtol=0.01),
}


@pytest.mark.parametrize("name", ISCLOSE)
def test_isclose_matches_torch(name):
    values = np.random.default_rng(3).uniform(-2, 2, (3, 4))
    got, expected = ISCLOSE[name](Tensor(values)), ISCLOSE[name](torch.tensor(values))
    np.testing.assert_array_equal(got, expected.numpy())


@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_at_infinities_and_nan_matches_torch(equal_nan):
    edges = [np.inf, -np.inf, np.nan, 0.0, 1e-8]
    for a in edges:
        for b in edges:
            x, y = np.array([a]), np.array([b])
            expected = torch.tensor(x).isclose(torch.tensor(y), equal_nan=equal_nan).numpy()
            np.testing.assert_array_equal(Tensor(x).isclose(Tensor(y), equal_nan=equal_nan), expected)
            assert Tensor(x).allclose(y, equal_nan=equal_nan) == torch.tensor(x).allclose(
                torch.tensor(y), equal_nan=equal_nan
            )


@pytest.mark.parametrize(
    ("shape", "call", "pattern"),
    [
        ((4, 3, 6, 6), lambda x: x.squeeze(dim=50), r"squeeze: axis 50 is out of bounds"),
        ((4, 3, 6, 6), lambda x: x.squeeze(dim=-50), r"squeeze: axis -50 is out of bounds"),
        ((), lambda x: x.squeeze(dim=1), r"squeeze: axis 1 is out of bounds for an array of dimension 0"),
        ((4, 3), lambda x: x.unsqueeze(5), r"unsqueeze: axis 5 is out of bounds for an array of dimension 3"),
        ((4, 3), lambda x: x.unsqueeze(-4), r"unsqueeze: axis -4 is out of bounds"),
        ((4, 3), lambda x: x.flip(2), r"flip: axis 2 is out of bounds"),
        ((4, 3), lambda x: x.transpose(0, 2), r"transpose: axis 2 is out of bounds"),
    ],
)
def test_shape_ops_raise_index_error_for_a_dim_out_of_range_as_torch(shape, call, pattern):
    with pytest.raises(IndexError):
        call(torch.zeros(shape))
    with pytest.raises(IndexError, match=pattern):
        call(Tensor(np.zeros(shape)))


SHAPE_EDGES = {
    "reshape(()) of a scalar": ((), lambda x: x.reshape(())),
    "reshape(()) of one entry": ((1,), lambda x: x.reshape(())),
    "reshape((1, 1, 1)) of a scalar": ((), lambda x: x.reshape((1, 1, 1))),
    "flip(())": ((4, 3), lambda x: x.flip(())),
    "squeeze(-1) of a scalar": ((), lambda x: x.squeeze(-1)),
    "unsqueeze(0) of a scalar": ((), lambda x: x.unsqueeze(0)),
    "flatten() of a scalar": ((), lambda x: x.flatten()),
    "expand to a new leading 0": ((4, 3, 1, 6), lambda x: x.expand((0, 1, 4, 3, 2, 6))),
    "expand a 1 to 0": ((4, 3, 1, 6), lambda x: x.expand((4, 3, 0, 6))),
    "expand a scalar": ((), lambda x: x.expand((4, 3, 2, 6))),
    "permute(()) of a scalar": ((), lambda x: x.permute(())),
    "x[None] of a scalar": ((), lambda x: x[None]),
    "slice both ends out of range": ((3, 3, 3), lambda x: x[-15:-7]),
    "double slice": ((4, 4), lambda x: x[:, 1:2][1:2]),
    "stack then slice": ((4,), lambda x: (torch if is_torch(x) else ag).stack([x, x * 2, x * 3])[1, :]),
}


@pytest.mark.parametrize("name", SHAPE_EDGES)
def test_shape_op_at_edge_shapes_matches_torch(name):
    shape, call = SHAPE_EDGES[name]
    check_like_torch([shape], call)


@pytest.mark.parametrize(
    ("shifts", "dims"),
    [(1, (0, 1)), (1, [0, 1]), ((1, 2), 0), ((1,), (0, 1))],
    ids=["int-pair", "int-list", "pair-int", "one-pair"],
)
def test_roll_needs_one_shift_per_dim_as_torch(shifts, dims):
    # tinygrad's test_roll: x.roll(shifts=1, dims=(0, 1)) is torch's RuntimeError; numpy's broadcast of the one
    # shift over both axes rolled it without a word
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        torch.ones(3, 3).roll(shifts, dims)
    with pytest.raises(RuntimeError, match="roll: .*shifts"):
        Tensor(np.ones((3, 3))).roll(shifts, dims)


@pytest.mark.parametrize("dims", [(), []], ids=["tuple", "list"])
def test_roll_with_empty_dims_rolls_the_flattened_tensor_as_torch(dims):
    # x.roll(1, ()) rolled nothing (numpy's empty axis tuple); torch reads no dims as the flattened tensor
    check_like_torch([(3, 4)], lambda x: x.roll(1, dims))
    check_like_torch([(3, 4)], lambda x: x.roll((-5,), dims=dims))


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.tril(1.5),
        lambda x: x.triu(-0.5),
        lambda x: x.tril(diagonal=1.0),
        lambda x: (torch if is_torch(x) else ag).triu(x, 2.0),
    ],
)
def test_a_float_diagonal_of_tril_and_triu_is_a_type_error_as_torch(call):
    with pytest.raises(TypeError):
        call(torch.ones(3, 3))
    with pytest.raises(TypeError, match=r"(tril|triu): the diagonal offset .* must be an integer"):
        call(Tensor(np.ones((3, 3))))


@pytest.mark.parametrize("chunks", [1.5, 2.0, True])
def test_chunk_of_a_float_or_bool_count_is_a_type_error_as_torch(chunks):
    with pytest.raises(TypeError):
        torch.zeros(4).chunk(chunks)
    with pytest.raises(TypeError, match="chunk: chunks must be an integer"):
        Tensor(np.zeros(4)).chunk(chunks)


@pytest.mark.parametrize("sections", [[2.7, 1.2], [1.0, 2.0], 1.5, True, [True, 2]])
def test_split_of_float_or_bool_sizes_is_a_type_error_as_torch(sections):
    # a float size was truncated: split([2.7, 1.2]) of 3 entries gave pieces of 2 and 1
    with pytest.raises(TypeError):
        torch.zeros(3).split(sections)
    with pytest.raises(TypeError, match="split: split_size_or_sections must be an integer or a list of integers"):
        Tensor(np.zeros(3)).split(sections)
