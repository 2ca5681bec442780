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
    loss: Callable[[Any], Any] = lambda out: ((out + 1) ** 2).mean(),
) -> None:
    """Values and gradients of ``our_fn`` (default: ``torch_fn``, when the spelling is the same) against torch's:
    the gradients are those of ``loss(out)``, by default tinygrad's mean((out + 1)^2)."""
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
    loss(expected).backward()
    loss(got).backward()
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


# -- elementwise ops ----------------------------------------------------------------------------------------
def _functional(name: str) -> Callable[[Any], Any]:
    """torch.nn.functional.<name> for torch, the Tensor method here."""
    return lambda x: getattr(torch.nn.functional, name)(x) if _is_torch(x) else getattr(x, name)()


UNARY = {
    "neg": (lambda x: -x, -1.5, 1.5),
    "abs": (lambda x: x.abs(), -1.5, 1.5),
    "sqrt": (lambda x: x.sqrt(), 0.1, 3.0),
    "rsqrt": (lambda x: x.rsqrt(), 0.1, 3.0),
    "exp": (lambda x: x.exp(), -3.0, 3.0),
    "exp2": (lambda x: x.exp2(), -3.0, 3.0),
    "expm1": (lambda x: x.expm1(), -3.0, 3.0),
    "log": (lambda x: x.log(), 0.1, 3.0),
    "log2": (lambda x: x.log2(), 0.1, 3.0),
    "log10": (lambda x: x.log10(), 0.1, 3.0),
    "log1p": (lambda x: x.log1p(), -0.9, 3.0),
    "square": (lambda x: x.square(), -1.5, 1.5),
    "reciprocal": (lambda x: x.reciprocal(), 0.2, 3.0),
    "sin": (lambda x: x.sin(), -3.0, 3.0),
    "cos": (lambda x: x.cos(), -3.0, 3.0),
    "tan": (lambda x: x.tan(), -1.2, 1.2),
    "sinh": (lambda x: x.sinh(), -3.0, 3.0),
    "cosh": (lambda x: x.cosh(), -3.0, 3.0),
    "tanh": (lambda x: x.tanh(), -3.0, 3.0),
    "sigmoid": (lambda x: x.sigmoid(), -5.0, 5.0),
    "relu": (lambda x: x.relu(), -1.5, 1.5),
    "erf": (lambda x: x.erf(), -2.0, 2.0),
    "sign": (lambda x: x.sign(), -1.5, 1.5),
    "floor": (lambda x: x.floor(), -3.0, 3.0),
    "ceil": (lambda x: x.ceil(), -3.0, 3.0),
    "trunc": (lambda x: x.trunc(), -3.0, 3.0),
    "round": (lambda x: x.round(), -3.0, 3.0),
    "clamp(min=-0.3, max=1.2)": (lambda x: x.clamp(min=-0.3, max=1.2), -1.5, 1.5),
    "clamp(min=0)": (lambda x: x.clamp(min=0), -1.5, 1.5),
    "clamp(max=0.5)": (lambda x: x.clamp(max=0.5), -1.5, 1.5),
    "clip(-0.3, 1.2)": (lambda x: x.clip(-0.3, 1.2), -1.5, 1.5),
    "clamp_min": (lambda x: x.clamp_min(0.2), -1.5, 1.5),
    "lerp": (lambda x: x.lerp(x * 0 + 1, 0.3), -1.5, 1.5),
    "softplus": (_functional("softplus"), -5.0, 5.0),
    "silu": (_functional("silu"), -5.0, 5.0),
    "mish": (_functional("mish"), -5.0, 5.0),
    "elu": (_functional("elu"), -3.0, 3.0),
    "leaky_relu": (_functional("leaky_relu"), -3.0, 3.0),
}


@pytest.mark.parametrize("shape", [(4, 5), (), (0,), (2, 0, 3)])
@pytest.mark.parametrize("name", UNARY)
def test_unary_op_matches_torch(name, shape):
    call, low, high = UNARY[name]
    check_like_torch([shape], call, low=low, high=high)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "square"])
def test_unary_op_in_low_precision_keeps_the_dtype_and_matches_torch(name, dtype):
    call, low, high = UNARY[name]
    tolerance = 1e-6 if dtype == np.float32 else 2e-3
    check_like_torch([(3, 4)], call, low=low, high=high, dtype=dtype, atol=tolerance, rtol=tolerance)
    assert call(Tensor(np.ones((2,), dtype), requires_grad=True)).dtype == dtype


EDGE_VALUES = np.array([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, np.inf, -np.inf, np.nan, 1e-300, 1e300, 700.0, -700.0, 5e-324])
EDGE_OPS = {
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "softplus": _functional("softplus"),
    "silu": _functional("silu"),
    "x ** 2": lambda x: x**2,
    "x ** 0.5": lambda x: x**0.5,
    "x ** -1": lambda x: x**-1,
    "0 ** x": lambda x: 0**x,
    "2 ** x": lambda x: 2**x,
    "1 / x": lambda x: 1 / x,
    "x * x": lambda x: x * x,
    "log1p": lambda x: x.log1p(),
    "expm1": lambda x: x.expm1(),
    "floor": lambda x: x.floor(),
    "clamp(-1, 1)": lambda x: x.clamp(-1, 1),
}


@pytest.mark.parametrize("name", EDGE_OPS)
def test_op_at_edge_values_matches_torch(name):
    """Zeros of both signs, infinities, nan, the smallest subnormal and overflow: the values, and the gradients
    (of the sum) at the finite values but -0 (where an infinite derivative's sign is IEEE trivia)."""
    call = EDGE_OPS[name]
    with np.errstate(all="ignore"):  # numpy's IEEE warnings (exp(1e300) overflows), which torch does not give
        # atol: torch's vectorised kernels flush a subnormal result (log1p(5e-324) = 5e-324) to 0
        check_like_torch(None, call, values=[EDGE_VALUES], forward_only=True, atol=1e-320, rtol=1e-13)
        finite = EDGE_VALUES[np.isfinite(EDGE_VALUES) & ~((EDGE_VALUES == 0) & np.signbit(EDGE_VALUES))]
        ours, theirs = Tensor(finite, requires_grad=True), torch.tensor(finite, requires_grad=True)
        call(ours).sum().backward()
    call(theirs).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=0, rtol=1e-13)


def test_sign_of_nan_is_numpys_nan():
    assert np.isnan(Tensor(np.array([np.nan])).sign().data[0])  # torch gives 0; the library follows numpy here


BINARY = {
    "add": (lambda x, y: x + y, -1.5, 1.5),
    "sub": (lambda x, y: x - y, -1.5, 1.5),
    "mul": (lambda x, y: x * y, -1.5, 1.5),
    "div": (lambda x, y: x / y, 0.2, 2.0),
    "pow": (lambda x, y: x**y, 0.2, 2.0),
    "maximum": (lambda x, y: (torch if _is_torch(x) else ag).maximum(x, y), -1.5, 1.5),
    "minimum": (lambda x, y: (torch if _is_torch(x) else ag).minimum(x, y), -1.5, 1.5),
    "add(alpha=2)": (lambda x, y: x.add(y, alpha=2), -1.5, 1.5),
    "sub(alpha=0.5)": (lambda x, y: x.sub(y, alpha=0.5), -1.5, 1.5),
    "mul method": (lambda x, y: x.mul(y), -1.5, 1.5),
    "div method": (lambda x, y: x.div(y), 0.2, 2.0),
    "pow method": (lambda x, y: x.pow(y), 0.2, 2.0),
    "atan2": (lambda x, y: x.atan2(y), 0.2, 2.0),
}
BROADCAST_SHAPES = [
    ((4, 5), (4, 5)),
    ((4, 5), (1, 5)),
    ((1, 5), (4, 1)),
    ((), (3,)),
    ((3,), ()),
    ((), ()),
    ((4, 1, 3), (2, 1)),
    ((2, 0), (1,)),
    ((5,), (2, 3, 5)),
]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_broadcasting_binary_op_matches_torch(name, shapes):
    call, low, high = BINARY[name]
    check_like_torch(list(shapes), call, low=low, high=high)


SCALAR_SIDES = {
    "2 + x": lambda x: 2 + x,
    "x + 2": lambda x: x + 2,
    "2 - x": lambda x: 2 - x,
    "x - 2.5": lambda x: x - 2.5,
    "3 * x": lambda x: 3 * x,
    "x * -0.5": lambda x: x * -0.5,
    "2 / x": lambda x: 2 / x,
    "x / 4": lambda x: x / 4,
    "2 ** x": lambda x: 2**x,
    "0.5 ** x": lambda x: 0.5**x,
    "(-2.0) ** x": lambda x: (-2.0) ** x,  # nan for non-integer x, as torch
    "0 ** x": lambda x: 0**x,
    "0.0 ** x": lambda x: 0.0**x,
    "x ** 0": lambda x: x**0,
    "x ** 0.0": lambda x: x**0.0,
    "x ** 1": lambda x: x**1,
    "x ** 2": lambda x: x**2,
    "x ** 3": lambda x: x**3,
    "x ** -1": lambda x: x**-1,
    "x ** -2.5": lambda x: x**-2.5,
    "x ** 0.5": lambda x: x**0.5,
    "x % 0.7": lambda x: x % 0.7,
}


@pytest.mark.parametrize("name", SCALAR_SIDES)
def test_op_with_a_python_number_on_either_side_matches_torch(name):
    with np.errstate(all="ignore"):  # a negative base to a fractional power is nan, 0 ** -x is inf: numpy warns
        check_like_torch([(3, 4)], SCALAR_SIDES[name], low=0.1, high=2.0)
        check_like_torch([(3, 4)], SCALAR_SIDES[name], low=-2.0, high=-0.1)


def test_powers_with_zero_bases_and_exponents_match_torch():
    base = np.array([0.0, 0.0, 0.0, 2.0, -2.0, 0.0])
    exponent = np.array([0.0, 2.0, 0.5, 0.0, 3.0, 1.0])
    with np.errstate(all="ignore"):
        check_like_torch(None, lambda x, y: x**y, values=[base, exponent])


def test_python_number_keeps_a_float32_tensor_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    for result in (x * 2.0, 2.0 - x, x**2, 2**x, x / 3, x + np.float64(1.0)):
        assert result.dtype == np.float32
    (x * 2.0).sum().backward()
    assert x.grad.dtype == np.float32


# -- matrix products ----------------------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((3,), (2, 3, 4)),
    ((2, 4, 3), (3,)),
    ((0, 3), (3, 2)),
    ((2, 0), (0, 3)),
    ((1, 3), (1, 3, 1)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch(shapes):
    check_like_torch(list(shapes), lambda x, y: x @ y)
    check_like_torch(list(shapes), lambda x, y: (torch if _is_torch(x) else ag).matmul(x, y))


PRODUCTS = {
    "mm": ([(2, 3), (3, 4)], lambda x, y: x.mm(y)),
    "bmm": ([(5, 2, 3), (5, 3, 4)], lambda x, y: x.bmm(y)),
    "dot": ([(3,), (3,)], lambda x, y: x.dot(y)),
    "x @ x.T": ([(3, 4)], lambda x: x @ x.T),
    "einsum ij,jk->ik": ([(2, 3), (3, 4)], lambda x, y: (torch if _is_torch(x) else ag).einsum("ij,jk->ik", x, y)),
    "einsum bij,bjk->bik": (
        [(5, 2, 3), (5, 3, 4)],
        lambda x, y: (torch if _is_torch(x) else ag).einsum("bij,bjk->bik", x, y),
    ),
    "einsum ii (trace)": ([(3, 3)], lambda x: (torch if _is_torch(x) else ag).einsum("ii", x)),
    "einsum ii->i (diagonal)": ([(3, 3)], lambda x: (torch if _is_torch(x) else ag).einsum("ii->i", x)),
    "einsum i,j->ij": ([(3,), (4,)], lambda x, y: (torch if _is_torch(x) else ag).einsum("i,j->ij", x, y)),
    "einsum ...ij,jk->...ik": (
        [(2, 3, 4), (4, 5)],
        lambda x, y: (torch if _is_torch(x) else ag).einsum("...ij,jk->...ik", x, y),
    ),
    "einsum ij-> (sum)": ([(2, 3)], lambda x: (torch if _is_torch(x) else ag).einsum("ij->", x)),
    "einsum ij,jk (implicit)": ([(2, 3), (3, 4)], lambda x, y: (torch if _is_torch(x) else ag).einsum("ij,jk", x, y)),
    "einsum of three": (
        [(2, 3), (3, 4), (4, 5)],
        lambda x, y, z: (torch if _is_torch(x) else ag).einsum("ij,jk,kl->il", x, y, z),
    ),
}


@pytest.mark.parametrize("name", PRODUCTS)
def test_product_matches_torch(name):
    shapes, call = PRODUCTS[name]
    check_like_torch(shapes, call)


def test_ndarray_on_the_left_of_matmul_and_arithmetic_defers_to_the_tensor():
    matrix = np.arange(6.0).reshape(2, 3)
    check_like_torch([(3, 4)], lambda x: (torch.tensor(matrix) if _is_torch(x) else matrix) @ x)
    check_like_torch([(2, 3)], lambda x: (torch.tensor(matrix) if _is_torch(x) else matrix) - x)


# -- softmax family at extreme values -------------------------------------------------------------------
EXTREME_ROWS = {
    "large and close": np.array([[1e3, 1e3 - 1, -1e3], [-1e3, 0.0, 1.0], [0.0, 0.0, 0.0]]),
    "a -inf entry": np.array([[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf]]),
    "float64 range": np.array([[1e308, 1e308 * 0.5, -1e308]]),
    "float32 overflow range": np.array([[88.0, 89.0, 100.0], [-100.0, -104.0, -88.0]], np.float32),
}
SOFTMAX_FAMILY = {
    "softmax": lambda x, axis: x.softmax(axis),
    "log_softmax": lambda x, axis: x.log_softmax(axis),
    "logsumexp": lambda x, axis: x.logsumexp(axis),
    "F.softmax": lambda x, axis: torch.nn.functional.softmax(x, axis) if _is_torch(x) else x.softmax(dim=axis),
}


@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("row", EXTREME_ROWS)
@pytest.mark.parametrize("name", SOFTMAX_FAMILY)
def test_softmax_family_at_extreme_values_matches_torch(name, row, axis):
    values = EXTREME_ROWS[row]
    has_inf = bool(np.isinf(values).any())
    tolerance = 1e-6 if values.dtype == np.float32 else 1e-12
    # gradients through -inf entries hold inf - inf in torch's rules; the values still agree
    check_like_torch(
        None,
        lambda x: SOFTMAX_FAMILY[name](x, axis),
        values=[values],
        forward_only=has_inf,
        atol=tolerance,
        rtol=tolerance,
        loss=lambda out: (out * 0.5).sum(),  # (out + 1)^2 would overflow at 1e308
    )


def test_softmax_of_an_all_minus_inf_row_is_nan_as_torch():
    values = [np.array([[-np.inf, -np.inf], [0.0, 1.0]])]
    check_like_torch(None, lambda x: x.softmax(-1), values=values, forward_only=True)
    check_like_torch(None, lambda x: x.log_softmax(-1), values=values, forward_only=True)
    check_like_torch(None, lambda x: x.logsumexp(-1), values=values, forward_only=True)


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
    check_like_torch([(4, 5, 3)], lambda x: x[_torch_index(index) if _is_torch(x) else index])


def test_getitem_with_masks_and_tensor_indices_matches_torch():
    check_like_torch([(4, 5)], lambda x: x[x > 0.5])
    check_like_torch([(4, 5)], lambda x: x[torch.tensor([0, 3])] if _is_torch(x) else x[Tensor(np.array([0, 3]))])
    check_like_torch([(4, 5)], lambda x: x[torch.tensor(2)] if _is_torch(x) else x[Tensor(np.array(2))])
    check_like_torch([(4, 5)], lambda x: x[[0, 3, 0]])


def test_setitem_writes_as_torch_does_under_no_grad():
    ours, theirs = Tensor(np.zeros((3, 4))), torch.zeros((3, 4), dtype=torch.float64)
    for target in (ours, theirs):
        target[0] = 1.0
        target[:, 1] = (torch if target is theirs else np).arange(3.0)
        target[target > 0.5] = 9.0
        target[[0, 2], [1, 1]] = -1.0
        target[..., -1] = target[..., 0] * 2
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_setitem_on_a_tensor_that_requires_grad_raises_while_recording():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem: in-place change of a Tensor that requires grad"):
        (x * 2)[0] = 5.0  # torch records this; the library asks for no_grad or an out-of-place update
    with ag.no_grad():
        x[0] = 5.0
    np.testing.assert_array_equal(x.data, [5.0, 1.0, 1.0])


# -- Value: micrograd's engine tests (sanity_check, more_ops) against torch's scalars ----------------------
def _micrograd_sanity(x: Any) -> Any:
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _micrograd_more_ops(a: Any, b: Any) -> Any:
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def check_value_like_torch(function: Callable[..., Any], *inputs: float) -> None:
    """``function`` of Values against the same of 0-d float64 torch tensors: the value and every gradient."""
    values = [ag.Value(x) for x in inputs]
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out, expected = function(*values), function(*tensors)
    out.backward()
    expected.backward()
    np.testing.assert_allclose(out.data, expected.item(), rtol=1e-12, atol=1e-12)
    for value, tensor in zip(values, tensors):
        want = 0.0 if tensor.grad is None else tensor.grad.item()
        np.testing.assert_allclose(value.grad, want, rtol=1e-12, atol=1e-12)


def test_value_passes_micrograd_sanity_check():
    check_value_like_torch(_micrograd_sanity, -4.0)


def test_value_passes_micrograd_more_ops():
    check_value_like_torch(_micrograd_more_ops, -4.0, 2.0)


VALUE_OPS = {
    "2 + a": lambda a, b: 2 + a,
    "2 - a": lambda a, b: 2 - a,
    "3 * a": lambda a, b: 3 * a,
    "3 / a": lambda a, b: 3 / a,
    "2 ** a": lambda a, b: 2**a,
    "2.5 ** b": lambda a, b: 2.5**b,
    "a ** 3": lambda a, b: a**3,
    "b ** 2.5": lambda a, b: b**2.5,
    "a ** -2": lambda a, b: a**-2,
    "a ** 0": lambda a, b: a**0,
    "b ** b": lambda a, b: b**b,
    "(-a) ** b": lambda a, b: (-a) ** b,
    "a / b": lambda a, b: a / b,
    "a - a": lambda a, b: a - a,
    "a / a": lambda a, b: a / a,
    "a * a": lambda a, b: a * a,
    "relu of a negative": lambda a, b: a.relu(),
    "relu of a positive": lambda a, b: b.relu(),
    "tanh": lambda a, b: b.tanh(),
    "exp": lambda a, b: b.exp(),
    "log": lambda a, b: b.log(),
    "sigmoid": lambda a, b: b.sigmoid(),
    "abs": lambda a, b: a.abs(),
    "sqrt": lambda a, b: b.sqrt(),
    "sin": lambda a, b: b.sin(),
    "cos": lambda a, b: b.cos(),
    "0 ** b": lambda a, b: 0**b,
    "(a * b).tanh() * a": lambda a, b: (a * b).tanh() * a,
}


@pytest.mark.parametrize("name", VALUE_OPS)
def test_value_op_matches_torch(name):
    check_value_like_torch(VALUE_OPS[name], -4.0, 2.0)


@pytest.mark.parametrize(
    ("function", "x"),
    [
        (lambda a: a.relu(), 0.0),
        (lambda a: a.abs(), 0.0),
        (lambda a: a**2, 0.0),
        (lambda a: a**0, 0.0),
        (lambda a: 0.0**a, 0.0),
        (lambda a: a.tanh(), 1000.0),
        (lambda a: a.sigmoid(), -1000.0),
        (lambda a: 2**a, -3.0),
    ],
)
def test_value_at_edge_points_matches_torch(function, x):
    check_value_like_torch(function, x)


def test_value_backward_twice_accumulates_as_torch_with_retain_graph():
    x = ag.Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    t = torch.tensor(3.0, requires_grad=True)
    s = t * t
    s.backward(retain_graph=True)
    s.backward()
    assert x.grad == t.grad.item() == 12.0


def test_value_grad_defaults_to_zero_and_numbers_mix_on_both_sides():
    x = ag.Value(2)
    assert x.grad == 0.0 and isinstance(x.data, float)
    assert (np.float64(2.0) + x).data == 4.0 and (x * np.float32(1.5)).data == 3.0
    assert sum([ag.Value(1.0), ag.Value(2.0)]).data == 3.0


# -- convolutions and pooling (nn.functional) against torch.nn.functional --------------------------------
def _nn_or_torch(name: str, *args: Any, **kwargs: Any) -> Callable[..., Any]:
    """A call of ``name`` in torch.nn.functional or this library's nn.functional, with the same arguments."""
    import nn.functional as ours

    def call(*inputs: Any) -> Any:
        module = torch.nn.functional if _is_torch(inputs[0]) else ours
        return getattr(module, name)(*inputs, *args, **kwargs)

    return call


CONV2D = [
    ((2, 3, 7, 7), (4, 3, 3, 3), {}),
    ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2}),
    ((2, 3, 7, 7), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 9, 9), (4, 3, 3, 3), {"dilation": 2}),
    ((2, 4, 7, 7), (6, 2, 3, 3), {"groups": 2}),
    ((2, 4, 7, 7), (4, 1, 3, 3), {"groups": 4, "padding": 2, "stride": (2, 1)}),
    ((2, 3, 7, 8), (4, 3, 2, 3), {"stride": (2, 3), "padding": (1, 0), "dilation": (1, 2)}),
    ((1, 1, 5, 5), (1, 1, 5, 5), {}),
    ((2, 3, 5, 5), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 6, 6), (4, 3, 2, 2), {"padding": "valid"}),
    ((3, 5, 5), (4, 3, 3, 3), {}),
]


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")
@pytest.mark.parametrize(("x", "weight", "options"), CONV2D, ids=str)
def test_conv2d_matches_torch(x, weight, options):
    check_like_torch([x, weight, (weight[0],)], _nn_or_torch("conv2d", **options))


@pytest.mark.parametrize(
    ("x", "weight", "options"),
    [((2, 3, 9), (4, 3, 3), {}), ((2, 3, 9), (4, 3, 3), {"stride": 2, "padding": 1, "dilation": 2})],
    ids=str,
)
def test_conv1d_matches_torch(x, weight, options):
    check_like_torch([x, weight, (weight[0],)], _nn_or_torch("conv1d", **options))


def test_conv2d_in_float32_matches_torch():
    check_like_torch(
        [(2, 3, 7, 7), (4, 3, 3, 3)], _nn_or_torch("conv2d", padding=1), dtype=np.float32, atol=1e-5, rtol=1e-4
    )


POOLS = [
    ((2, 3, 8, 8), {"kernel_size": 2}),
    ((2, 3, 7, 7), {"kernel_size": 3, "stride": 2}),
    ((2, 3, 7, 7), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 3, 7, 7), {"kernel_size": (2, 3), "stride": (1, 2)}),
    ((2, 3, 7, 7), {"kernel_size": 2, "ceil_mode": True}),
    ((3, 7, 7), {"kernel_size": 2}),
]


@pytest.mark.parametrize(("x", "options"), POOLS, ids=str)
@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
def test_pooling_matches_torch(pool, x, options):
    check_like_torch([x], _nn_or_torch(pool, **options))


def test_max_pool_with_dilation_and_ties_matches_torch():
    check_like_torch([(2, 3, 9, 9)], _nn_or_torch("max_pool2d", 3, dilation=2))
    check_like_torch(None, _nn_or_torch("max_pool2d", 2), values=[np.ones((1, 1, 4, 4))])
    check_like_torch(None, _nn_or_torch("max_pool2d", 2, 1), values=[np.ones((1, 1, 4, 4))])


def test_avg_pool_without_padding_in_the_count_and_adaptive_pool_match_torch():
    check_like_torch([(2, 3, 7, 7)], _nn_or_torch("avg_pool2d", 3, 2, 1, count_include_pad=False))
    check_like_torch([(2, 3, 7, 7)], _nn_or_torch("adaptive_avg_pool2d", (3, 2)))
    check_like_torch([(2, 3, 7, 7)], _nn_or_torch("adaptive_avg_pool2d", 1))


# -- integer inputs, iteration, floor division ----------------------------------------------------------
@pytest.mark.parametrize("name", ["sigmoid", "silu", "exp", "tanh", "softmax"])
def test_float_functions_of_an_integer_tensor_give_floats(name):
    ints = np.array([-2, -1, 0, 1, 2])
    got = getattr(Tensor(ints), name)()
    assert got.dtype == np.float64  # numpy's promotion (torch gives float32)
    np.testing.assert_allclose(got.data, getattr(Tensor(ints.astype(float)), name)().data)


def test_iterating_a_tensor_gives_its_rows_and_a_0d_tensor_refuses_as_torch():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    first, second = x
    (first * 2 + second).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(Tensor(2.0))
    with pytest.raises(TypeError):
        iter(torch.tensor(2.0))


FLOOR_DIVISIONS = {
    "x // y": lambda x, y: x // y,
    "x // 0.7": lambda x, y: x // 0.7,
    "2 // x": lambda x, y: 2 // x,
}


@pytest.mark.parametrize("name", FLOOR_DIVISIONS)
def test_floor_division_matches_torch_values_and_has_a_zero_gradient(name):
    call = FLOOR_DIVISIONS[name]
    check_like_torch([(3, 4), (4,)], call, forward_only=True, low=-3.0, high=3.0)
    x, y = Tensor(np.full(3, 2.5), requires_grad=True), Tensor(np.full(3, -1.5), requires_grad=True)
    (call(x, y) * x).sum().backward()  # torch has no derivative of //; floor's is 0
    np.testing.assert_array_equal(x.grad, call(x, y).data)


def test_value_floor_division_is_pythons():
    for a, b in [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0)]:
        assert (ag.Value(a) // b).data == a // b
        assert (a // ag.Value(b)).data == a // b


def test_value_exposes_micrograds_prev_and_op_for_graph_walks():
    a, b, c = ag.Value(2.0), ag.Value(-3.0), ag.Value(10.0)
    out = (a * b + c).relu() ** 2
    nodes, edges, stack = set(), set(), [out]
    while stack:  # micrograd's trace(): every node and (child, parent) edge reached through _prev
        node = stack.pop()
        if node not in nodes:
            nodes.add(node)
            edges.update((child, node) for child in node._prev)
            stack.extend(node._prev)
    assert len(nodes) == 7 and len(edges) == 6
    assert sorted(node._op for node in nodes) == sorted(["", "", "", "*", "+", "ReLU", "**2"])
    assert out._prev == {out.parents[0]} and isinstance(out._prev, set)
