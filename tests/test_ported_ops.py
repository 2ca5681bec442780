"""Op tests in the spirit of other autodiff projects' suites (tinygrad/teenygrad ``test_ops.py``, micrograd
``test_engine.py``, MyGrad, minitorch), written for this library's API and compared with PyTorch.

Each case runs one op on random inputs (or given values) in torch and here, then compares the values and the
gradients of ``mean((out + 1)^2)`` with respect to every float input, as those suites' helpers do. Where this
library deliberately follows numpy instead of torch (README: dtype promotion, ``sign(nan)``, comparisons giving
plain arrays, ``var`` raising for no degrees of freedom), the cases do not assert torch's behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")


def _is_torch(x: Any) -> bool:
    return isinstance(x, torch.Tensor)


def check_like_torch(
    shapes: list[tuple[int, ...]] | None,
    torch_fn: Callable[..., Any],
    our_fn: Callable[..., Any] | None = None,
    *,
    values: list[np.ndarray] | None = None,
    low: float = -1.5,
    high: float = 1.5,
    forward_only: bool = False,
    dtype: Any = np.float64,
    atol: float = 1e-9,
    rtol: float = 1e-7,
) -> None:
    """Values and gradients of ``our_fn`` (default: ``torch_fn``, when the spelling is the same) against torch's."""
    our_fn = our_fn or torch_fn
    rng = np.random.default_rng(0)
    arrays = (
        [np.asarray(v) for v in values]
        if values is not None
        else [rng.uniform(low, high, shape).astype(dtype) for shape in shapes or []]
    )
    grads = [not forward_only and a.dtype.kind == "f" for a in arrays]
    theirs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    ours = [Tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    expected, got = torch_fn(*theirs), our_fn(*ours)
    got_data = got.data if isinstance(got, Tensor) else np.asarray(got)
    assert got_data.shape == tuple(expected.shape), f"shape {got_data.shape}, torch {tuple(expected.shape)}"
    np.testing.assert_allclose(got_data, expected.detach().numpy(), atol=atol, rtol=rtol, err_msg="value")
    if forward_only or not expected.requires_grad:
        return
    ((expected + 1) ** 2).mean().backward()
    ((got + 1) ** 2).mean().backward()
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        if not reference.requires_grad:
            continue
        want = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
        have = np.zeros(mine.shape) if mine.grad is None else mine.grad
        np.testing.assert_allclose(have, want, atol=atol * 10, rtol=rtol * 10, err_msg=f"gradient of input {position}")


# -- 0-d tensors: torch accepts dim 0 and -1 on a scalar, and reducing over it leaves the value --------------
ZERO_D_REDUCTIONS = {
    "sum(0)": lambda x: x.sum(0),
    "sum(dim=-1, keepdim=True)": lambda x: x.sum(dim=-1, keepdim=True),
    "mean(dim=0)": lambda x: x.mean(dim=0),
    "prod(dim=0)": lambda x: x.prod(dim=0),
    "max(dim=0)[0]": lambda x: x.max(dim=0)[0],
    "amax": lambda x: torch.amax(x, 0) if _is_torch(x) else x.max(axis=0),
    "min(dim=-1)[0]": lambda x: x.min(dim=-1)[0],
    "var(dim=0, correction=0)": lambda x: x.var(dim=0, correction=0),
    "std(correction=0)": lambda x: x.std(correction=0),
    "norm(dim=0)": lambda x: x.norm(dim=0),
    "softmax(0)": lambda x: x.softmax(0),
    "softmax(dim=-1)": lambda x: x.softmax(dim=-1),
    "log_softmax(0)": lambda x: x.log_softmax(0),
    "logsumexp(0)": lambda x: x.logsumexp(0),
    "logsumexp(-1, keepdim)": lambda x: x.logsumexp(-1, keepdim=True) if _is_torch(x) else x.logsumexp(-1, True),
    "all(dim=0)": lambda x: x.all(dim=0) if _is_torch(x) else Tensor(x.all(dim=0)),
    "argmax(dim=0)": lambda x: x.argmax(dim=0) if _is_torch(x) else Tensor(x.argmax(dim=0)),
    "flip(0)": lambda x: x.flip(0),
    "unsqueeze(-1)": lambda x: x.unsqueeze(-1),
    "squeeze(dim=0)": lambda x: x.squeeze(dim=0),
}


@pytest.mark.parametrize("name", ZERO_D_REDUCTIONS)
def test_zero_dimensional_tensor_reduces_over_dim_0_and_minus_1_as_torch(name):
    check_like_torch([()], ZERO_D_REDUCTIONS[name])


@pytest.mark.parametrize("axis", [1, -2, (0, -1)])
def test_zero_dimensional_tensor_refuses_other_axes_naming_the_op(axis):
    with pytest.raises(ValueError, match=r"sum: (axis -?\d is out of bounds for an array of dimension 0|repeated)"):
        Tensor(2.0).sum(axis)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: ag.repeat(x, 2, 0),
        lambda x: ag.roll(x, 1, 0),
        lambda x: ag.moveaxis(x, 0, 0),
        lambda x: ag.array_split(x, 2, 0),
        lambda x: ag.split(x, 1),
        lambda x: ag.rot90(x),
        lambda x: ag.softmax_cross_entropy(x, np.array(0), axis=0),
    ],
)
def test_single_axis_ops_refuse_a_zero_dimensional_tensor_naming_the_op(call):
    with pytest.raises(ValueError, match=r"^\w+: needs an array of at least 1 dimension, got a 0-d array"):
        call(Tensor(2.0, requires_grad=True))


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
    "repeat(2, 1) is tile": ((3, 4), lambda x: x.repeat(2, 1) if _is_torch(x) else ag.tile(x, (2, 1))),
    "repeat_interleave is repeat": (
        (3, 4),
        lambda x: x.repeat_interleave(2, dim=1) if _is_torch(x) else x.repeat(2, axis=1),
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


# -- reductions: axis tuples, negative axes, keepdim, empty tensors ---------------------------------------
def _axes_of(ndim: int) -> list[Any]:
    """None, every single axis (both signs), and the first and last together."""
    return [None, *range(-ndim, ndim), *([(0, ndim - 1)] if ndim >= 2 else [])]


def _all_dims(x: Any, axis: Any) -> Any:
    return tuple(range(x.ndim)) if axis is None else axis


def _torch_prod(x: Any, axis: Any, keepdim: bool) -> Any:
    """torch.prod takes one dim: reduce the axes one at a time, the highest first."""
    for a in sorted((a % max(x.ndim, 1) for a in np.atleast_1d(_all_dims(x, axis))), reverse=True):
        x = x.prod(dim=int(a), keepdim=keepdim) if x.ndim else x
    return x


REDUCTIONS = {
    "sum": (lambda x, a, k: x.sum(dim=_all_dims(x, a), keepdim=k), lambda x, a, k: x.sum(axis=a, keepdims=k)),
    "mean": (lambda x, a, k: x.mean(dim=_all_dims(x, a), keepdim=k), lambda x, a, k: x.mean(axis=a, keepdims=k)),
    "amax": (lambda x, a, k: torch.amax(x, _all_dims(x, a), k), lambda x, a, k: x.max(axis=a, keepdims=k)),
    "amin": (lambda x, a, k: torch.amin(x, _all_dims(x, a), k), lambda x, a, k: x.min(axis=a, keepdims=k)),
    "prod": (_torch_prod, lambda x, a, k: x.prod(axis=a, keepdims=k)),
    "logsumexp": (
        lambda x, a, k: torch.logsumexp(x, _all_dims(x, a), k),
        lambda x, a, k: x.logsumexp(axis=a, keepdims=k),
    ),
    "var": (lambda x, a, k: x.var(dim=a, keepdim=k), lambda x, a, k: x.var(dim=a, keepdim=k)),
    "std": (
        lambda x, a, k: x.std(dim=a, keepdim=k, correction=0),
        lambda x, a, k: x.std(dim=a, keepdim=k, correction=0),
    ),
}
REDUCTION_CASES = [
    (name, shape, axis, keepdim)
    for name in REDUCTIONS
    for shape in [(5, 3), (2, 3, 4), (4,), ()]
    for axis in _axes_of(len(shape))
    for keepdim in (False, True)
    if not (name == "var" and shape == ())  # one element: no degrees of freedom (a ValueError here, nan in torch)
]


@pytest.mark.parametrize(("name", "shape", "axis", "keepdim"), REDUCTION_CASES)
def test_reduction_matches_torch(name, shape, axis, keepdim):
    theirs, ours = REDUCTIONS[name]
    check_like_torch([shape], lambda x: theirs(x, axis, keepdim), lambda x: ours(x, axis, keepdim))


def test_max_with_ties_shares_the_gradient_as_amax():
    values = [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])]
    check_like_torch(None, lambda x: x.amax(), lambda x: x.max(), values=values)
    check_like_torch(None, lambda x: x.amax(1), lambda x: x.max(axis=1), values=values)
    check_like_torch(None, lambda x: x.amin(0), lambda x: x.min(axis=0), values=values)


def test_max_with_dim_gives_values_and_first_indices_as_torch():
    values = [np.array([[1.0, 3.0, 3.0], [4.0, 2.0, 4.0]])]
    check_like_torch(None, lambda x: x.max(dim=1)[0], values=values)
    check_like_torch(None, lambda x: x.min(dim=0, keepdim=True)[0], values=values)
    check_like_torch(None, lambda x: torch.as_tensor(x.max(dim=1)[1]), values=values, forward_only=True)
    check_like_torch(None, lambda x: torch.as_tensor(x.argmax()), values=values, forward_only=True)
    check_like_torch(None, lambda x: torch.as_tensor(x.argmax(dim=1, keepdim=True)), values=values, forward_only=True)


EMPTY_REDUCTIONS = {
    "sum over the empty axis": ((0, 3), lambda x: x.sum(0)),
    "sum over the other axis": ((0, 3), lambda x: x.sum(1)),
    "sum of all": ((2, 0), lambda x: x.sum()),
    "mean over the empty axis": ((0, 3), lambda x: x.mean(0)),
    "mean of all": ((2, 0, 3), lambda x: x.mean()),
    "mean over the other axis, keepdim": ((3, 0), lambda x: x.mean(0, keepdim=True)),
    "prod over the empty axis": ((0, 3), lambda x: x.prod(0)),
    "amax over the other axis": ((0, 3), lambda x: torch.amax(x, 1) if _is_torch(x) else x.max(axis=1)),
    "max(dim) over the other axis": ((3, 0), lambda x: x.max(dim=0)[0]),
    "amin over the other axis, keepdim": (
        (0, 3),
        lambda x: torch.amin(x, 1, keepdim=True) if _is_torch(x) else x.min(axis=1, keepdims=True),
    ),
    "logsumexp over the empty axis": ((3, 0), lambda x: x.logsumexp(1)),
    "softmax of an empty slice": ((3, 0), lambda x: x.softmax(-1)),
    "softmax of no slices": ((0, 3), lambda x: x.softmax(-1)),
    "reshape": ((0, 3), lambda x: x.reshape(3, 0)),
}


@pytest.mark.parametrize("name", EMPTY_REDUCTIONS)
def test_reduction_of_an_empty_tensor_matches_torch_without_warnings(name):
    shape, call = EMPTY_REDUCTIONS[name]
    check_like_torch([shape], call)  # pyproject turns the library's RuntimeWarnings into errors


@pytest.mark.parametrize("reduction", ["max", "min"])
def test_max_over_an_empty_axis_is_an_error_naming_op_and_shape(reduction):
    with pytest.raises(ValueError, match=rf"{reduction}: zero-size tensor of shape \(0, 3\) has no {reduction}"):
        getattr(Tensor(np.zeros((0, 3))), reduction)(axis=0)


def test_sum_over_an_empty_axis_tuple_is_numpys_no_reduction():
    x = np.arange(6.0).reshape(2, 3)  # numpy's axis=() reduces nothing; torch's dim=() would reduce everything
    np.testing.assert_array_equal(Tensor(x).sum(axis=()).data, x.sum(axis=()))


# -- joining and splitting ------------------------------------------------------------------------------
JOINS = {
    "cat": ([(2, 3), (4, 3)], lambda x, y: torch.cat([x, y]) if _is_torch(x) else ag.cat([x, y])),
    "cat(1)": ([(2, 3), (2, 1)], lambda x, y: torch.cat([x, y], 1) if _is_torch(x) else ag.cat([x, y], 1)),
    "cat(dim=-1)": ([(2, 3), (2, 1)], lambda x, y: (torch if _is_torch(x) else ag).cat((x, y), dim=-1)),
    "cat with an empty part": ([(2, 3), (0, 3)], lambda x, y: (torch if _is_torch(x) else ag).cat([x, y])),
    "cat of three": ([(1, 2), (3, 2), (2, 2)], lambda *xs: (torch if _is_torch(xs[0]) else ag).cat(xs, dim=0)),
    "stack(1)": ([(2, 3), (2, 3)], lambda x, y: (torch if _is_torch(x) else ag).stack([x, y], 1)),
    "stack(dim=-1)": ([(2, 3), (2, 3)], lambda x, y: (torch if _is_torch(x) else ag).stack([x, y], dim=-1)),
    "stack of scalars": ([(), ()], lambda x, y: (torch if _is_torch(x) else ag).stack([x, y])),
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
    return torch.tensor(rows) if _is_torch(x) else np.array(rows)


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
    "torch.gather": ((4, 5), lambda x: (torch if _is_torch(x) else ag).gather(x, 1, _index(x, [[4], [0], [1], [2]]))),
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
    "torch.tril": ((3, 3), lambda x: (torch if _is_torch(x) else ag).tril(x)),
    "repeat_interleave(2, dim=1)": ((3, 4), lambda x: x.repeat_interleave(2, dim=1)),
    "repeat_interleave(3) flattened": ((2, 2), lambda x: x.repeat_interleave(3)),
    "tile((2, 1))": ((3, 4), lambda x: x.tile((2, 1))),
    "tile((2,)) of a matrix": ((3, 4), lambda x: x.tile((2,))),
    "masked_fill": ((3, 4), lambda x: x.masked_fill(x > 0.5, 0.0)),
    "masked_fill(-inf) then softmax": ((3, 4), lambda x: x.masked_fill(x > 0.5, -np.inf).softmax(-1)),
    "where(cond, x, y)": ((3, 4), lambda x: (torch if _is_torch(x) else ag).where(x > 0, x, x * x)),
    "where(cond, x, 0.0)": ((3, 4), lambda x: (torch if _is_torch(x) else ag).where(x > 0, x, 0.0)),
    "where(cond, 2.0, x)": ((3, 4), lambda x: (torch if _is_torch(x) else ag).where(x > 0, 2.0, x)),
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
def test_comparison_methods_give_torch_values_as_plain_arrays(name):
    x, y = np.array([0.0, 1.0, 2.0]), np.array([2.0, 1.0, 0.0])
    got = getattr(Tensor(x), name)(Tensor(y))
    assert isinstance(got, np.ndarray)
    np.testing.assert_array_equal(got, getattr(torch.tensor(x), name)(torch.tensor(y)).numpy())
    np.testing.assert_array_equal(getattr(Tensor(x), name)(1.0), getattr(torch.tensor(x), name)(1.0).numpy())


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


# -- bad operands: errors name the op and the dtypes/shapes ------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: Tensor(np.ones(2)) * "a", TypeError, r"mul: operands of dtypes float64 and <U1 are not supported"),
        (lambda: "a" + Tensor(np.ones(2)), TypeError, r"add: operands of dtypes <U1 and float64 are not supported"),
        (lambda: Tensor(np.array([1, 2])) ** -1, ValueError, r"pow: Integers to negative integer powers.*int64"),
        (lambda: Tensor(np.ones((2, 3))) - np.ones(4), ValueError, r"sub: .*shapes \(2, 3\) and \(4,\)"),
        (lambda: 2 ** Tensor(np.ones((2, 3))) @ np.ones(4), ValueError, r"matmul: shapes \(2, 3\) and \(4,\)"),
    ],
)
def test_bad_operands_raise_errors_naming_the_op(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
