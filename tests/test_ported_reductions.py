"""Ported reduction tests against torch: 0-d tensors, axis tuples, negative axes, keepdim, empty
tensors, ties, and the softmax family at extreme values (see tests/torch_oracle.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_oracle import check_like_torch, is_torch

import autograd as ag
from autograd import Tensor
from autograd.testing import axes_for, shapes

torch = pytest.importorskip("torch")


# -- 0-d tensors: torch accepts dim 0 and -1 on a scalar, and reducing over it leaves the value --------------
ZERO_D_REDUCTIONS = {
    "sum(0)": lambda x: x.sum(0),
    "sum(dim=-1, keepdim=True)": lambda x: x.sum(dim=-1, keepdim=True),
    "mean(dim=0)": lambda x: x.mean(dim=0),
    "prod(dim=0)": lambda x: x.prod(dim=0),
    "max(dim=0)[0]": lambda x: x.max(dim=0)[0],
    "amax": lambda x: torch.amax(x, 0) if is_torch(x) else x.max(axis=0),
    "min(dim=-1)[0]": lambda x: x.min(dim=-1)[0],
    "var(dim=0, correction=0)": lambda x: x.var(dim=0, correction=0),
    "std(correction=0)": lambda x: x.std(correction=0),
    "norm(dim=0)": lambda x: x.norm(dim=0),
    "softmax(0)": lambda x: x.softmax(0),
    "softmax(dim=-1)": lambda x: x.softmax(dim=-1),
    "log_softmax(0)": lambda x: x.log_softmax(0),
    "logsumexp(0)": lambda x: x.logsumexp(0),
    "logsumexp(-1, keepdim)": lambda x: x.logsumexp(-1, keepdim=True) if is_torch(x) else x.logsumexp(-1, True),
    "all(dim=0)": lambda x: x.all(dim=0) if is_torch(x) else Tensor(x.all(dim=0)),
    "argmax(dim=0)": lambda x: x.argmax(dim=0) if is_torch(x) else Tensor(x.argmax(dim=0)),
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


ONE_DIM_OPS = {
    "mode": lambda x, d: x.mode(d),
    "kthvalue": lambda x, d: x.kthvalue(1, d),
    "diff": lambda x, d: x.diff(dim=d),
    "select": lambda x, d: x.select(d, 0),
    "narrow": lambda x, d: x.narrow(d, 0, 1),
    "unbind": lambda x, d: x.unbind(d),
    "renorm": lambda x, d: x.renorm(2, d, 1.0),
    "index_select": lambda x, d: x.index_select(d, type(x)([0]).long()),
    "index_fill": lambda x, d: x.index_fill(d, type(x)([0]).long(), 1.0),
    "index_add": lambda x, d: x.index_add(d, type(x)([0]).long(), x[:1]),
    "scatter_reduce": lambda x, d: x.scatter_reduce(d, type(x)([0]).long().reshape((1,) * x.ndim), x, "sum"),
}


@pytest.mark.parametrize("shape", [(3,), (2, 3)])
@pytest.mark.parametrize("name", ONE_DIM_OPS)
def test_ops_taking_one_dim_refuse_none_with_torchs_type_error(name, shape):
    data = np.arange(6.0)[: int(np.prod(shape))].reshape(shape)
    with pytest.raises(TypeError) as torch_error:
        ONE_DIM_OPS[name](torch.tensor(data), None)
    with pytest.raises(TypeError, match=r"takes one axis \(dim\), an integer, got None"):
        ONE_DIM_OPS[name](Tensor(data), None)
    assert torch_error.type is TypeError


def test_diff_of_a_0d_tensor_is_torchs_runtime_error_and_numpys_value_error():
    with pytest.raises(RuntimeError):
        torch.tensor(1.0).diff()
    for error in (RuntimeError, ValueError, IndexError):
        with pytest.raises(error, match="diff: needs at least one dimension, got a 0-d array"):
            Tensor(1.0).diff()


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
]


@pytest.mark.filterwarnings(r"ignore:var\(\). degrees of freedom:UserWarning")  # torch's, for one element
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
    check_like_torch(None, lambda x: x.max(dim=1)[1], values=values, forward_only=True)
    check_like_torch(None, lambda x: x.min(dim=1).indices, values=values, forward_only=True)
    check_like_torch(None, lambda x: x.argmax(), values=values, forward_only=True)
    check_like_torch(None, lambda x: x.argmax(dim=1, keepdim=True), values=values, forward_only=True)


@pytest.mark.parametrize(
    "indices_of",
    [
        lambda x: x.max(dim=1)[1],
        lambda x: x.min(dim=0, keepdim=True).indices,
        lambda x: x.argmax(),
        lambda x: x.argmin(dim=1),
        lambda x: x.topk(2, dim=1).indices,
        lambda x: x.sort(dim=0)[1],
        lambda x: x.argsort(dim=1),
    ],
    ids=["max(dim)", "min(dim, keepdim)", "argmax", "argmin(dim)", "topk", "sort", "argsort"],
)
def test_indices_are_int64_tensors_outside_the_graph_as_torch(indices_of):
    x = np.array([[1.0, 3.0, 3.0], [4.0, 2.0, 4.0]])
    ours, theirs = indices_of(Tensor(x, requires_grad=True)), indices_of(torch.tensor(x, requires_grad=True))
    assert isinstance(ours, Tensor) and not ours.requires_grad and ours.grad_fn is None
    assert ours.dtype == np.int64 and theirs.dtype == torch.int64 and not theirs.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())


EMPTY_REDUCTIONS = {
    "sum over the empty axis": ((0, 3), lambda x: x.sum(0)),
    "sum over the other axis": ((0, 3), lambda x: x.sum(1)),
    "sum of all": ((2, 0), lambda x: x.sum()),
    "mean over the empty axis": ((0, 3), lambda x: x.mean(0)),
    "mean of all": ((2, 0, 3), lambda x: x.mean()),
    "mean over the other axis, keepdim": ((3, 0), lambda x: x.mean(0, keepdim=True)),
    "prod over the empty axis": ((0, 3), lambda x: x.prod(0)),
    "amax over the other axis": ((0, 3), lambda x: torch.amax(x, 1) if is_torch(x) else x.max(axis=1)),
    "max(dim) over the other axis": ((3, 0), lambda x: x.max(dim=0)[0]),
    "amin over the other axis, keepdim": (
        (0, 3),
        lambda x: torch.amin(x, 1, keepdim=True) if is_torch(x) else x.min(axis=1, keepdims=True),
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
    "F.softmax": lambda x, axis: torch.nn.functional.softmax(x, axis) if is_torch(x) else x.softmax(dim=axis),
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


# -- running sums and extremes --------------------------------------------------------------------------------
RUNNING = {
    "cumsum": lambda x, dim: torch.cumsum(x, dim) if is_torch(x) else x.cumsum(dim),
    "cumprod": lambda x, dim: torch.cumprod(x, dim) if is_torch(x) else x.cumprod(dim=dim),
    "cummax": lambda x, dim: x.cummax(dim)[0],
    "cummin": lambda x, dim: x.cummin(dim)[0],
}


@pytest.mark.parametrize(
    ("shape", "dim"), [((), 0), ((), -1), ((10,), 0), ((20, 30), 1), ((3, 4, 5), -1), ((2, 0, 4), 1), ((0, 3), 0)]
)
@pytest.mark.parametrize("name", RUNNING)
def test_running_op_matches_torch(name, shape, dim):
    check_like_torch([shape], lambda x: RUNNING[name](x, dim))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_running_extremes_take_the_latest_tie_and_nan_as_torch(name):
    for values in ([1.0, 3.0, 3.0, 2.0, 3.0], [1.0, 1.0, 0.0, 0.0, 2.0], [1.0, np.nan, 3.0, np.nan, 0.0]):
        check_like_torch(None, lambda x: getattr(x, name)(0)[0], values=[np.array(values)])
        check_like_torch(None, lambda x: torch.as_tensor(getattr(x, name)(0)[1]), values=[np.array(values)])


@pytest.mark.parametrize(
    ("shape", "call"),
    [
        ((), lambda x: x.cumsum(1)),
        ((20,), lambda x: x.cumsum(1)),
        ((20,), lambda x: x.cumsum(-2)),
        ((20,), lambda x: x.cummax(1)),
        ((3, 4), lambda x: x.sum(2)),
        ((3, 4), lambda x: x.softmax(-3)),
        ((3, 4), lambda x: x.max(dim=5)),
        (
            (3, 4),
            lambda x: x.gather(2, torch.zeros((3, 4), dtype=torch.long) if is_torch(x) else np.zeros((3, 4), int)),
        ),
    ],
)
def test_a_dim_out_of_range_is_torchs_index_error_and_a_value_error(shape, call):
    with pytest.raises(IndexError):
        call(torch.zeros(shape) if shape else torch.tensor(0.0))
    with pytest.raises(IndexError, match=r"^\w+: axis -?\d is out of bounds") as caught:
        call(Tensor(np.zeros(shape)))
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("shape", "dim"), [((4, 5), 0), ((4, 5), 1), ((5,), 0), ((), 0), ((), -1), ((0, 3), 0)])
def test_logcumsumexp_matches_torch(shape, dim):
    check_like_torch([shape], lambda x: torch.logcumsumexp(x, dim) if is_torch(x) else x.logcumsumexp(dim))


def test_logcumsumexp_over_a_wide_range_neither_overflows_nor_underflows():
    for values in ([0.0, 100.0], [-1000.0, 0.0, 1000.0], [-np.inf, 0.0, 1.0]):
        check_like_torch(
            None, lambda x: torch.logcumsumexp(x, 0) if is_torch(x) else x.logcumsumexp(0), values=[np.array(values)]
        )


# -- properties: any shape (empty axes included), any axis or axis tuple -------------------------------------
@given(
    data=st.data(), name=st.sampled_from(["sum", "mean", "amax", "amin", "logsumexp", "prod"]), keepdim=st.booleans()
)
def test_reduction_over_drawn_axes_matches_torch(data, name, keepdim):
    shape = data.draw(shapes(max_dims=3, min_side=0, max_side=3))
    axis = data.draw(axes_for(len(shape), allow_none=False)) if shape else None
    reduced = range(len(shape)) if axis is None else [a % len(shape) for a in np.atleast_1d(axis)]
    if name in ("amax", "amin") and any(shape[a] == 0 for a in reduced):
        return  # the max of an empty slice is an error in both
    theirs, ours = REDUCTIONS[name]
    check_like_torch([shape], lambda x: theirs(x, axis, keepdim), lambda x: ours(x, axis, keepdim))


@pytest.mark.parametrize("dim", [(0, 1), [0], (1,)])
@pytest.mark.parametrize(
    "call",
    [
        lambda x, dim: x.median(dim=dim),
        lambda x, dim: x.nanmedian(dim=dim),
        lambda x, dim: x.kthvalue(1, dim=dim),
        lambda x, dim: x.quantile(0.5, dim=dim),
        lambda x, dim: x.nanquantile(0.5, dim=dim),
    ],
    ids=["median", "nanmedian", "kthvalue", "quantile", "nanquantile"],
)
def test_one_axis_order_statistics_refuse_several_axes_with_a_type_error_naming_the_op(call, dim):
    # torch: "median(): argument 'dim' must be int, not tuple" (a tuple unpacked into one axis gave numpy's message)
    x = Tensor(np.arange(12.0).reshape(3, 4))
    with pytest.raises(TypeError, match=r"^\w+: takes one axis \(dim\), an integer, got"):
        call(x, dim)
