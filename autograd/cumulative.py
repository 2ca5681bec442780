"""Running sums, products, extremes and differences: numpy's cumsum, cumprod, diff and torch's cummax, cummin,
logcumsumexp.

``cumsum``, ``cumprod`` and ``logcumsumexp`` are primitives (rules in :mod:`autograd.derivatives.cumulative`);
``diff`` is a composite, so its gradient is that of the ops it is made of, and ``cummax``/``cummin`` gather the
entries each running extreme was taken from (``take_along_axis``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .broadcasting import axis_out_of_range, normalize_axes, single_axis
from .derivatives import cumulative as rules
from .indexing import take_along_axis
from .out_argument import takes_out, written_to_out
from .shape_errors import ArgumentRangeError, DtypeMismatchError, NoAxisError, ShapeError, require_integer
from .tensor import Tensor, TensorLike
from .tensor_functions import concatenate
from .torch_keywords import UNSET, ValuesAndIndices, torch_dim

__all__ = ["cummax", "cummin", "cumprod", "cumsum", "diff", "logcumsumexp", "numpy_cumsum"]


def _tensor(x: TensorLike) -> Tensor:
    """``x`` as a Tensor."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _flattened_or_axis(x: Tensor, axis: int | None, op: str) -> tuple[Tensor, int]:
    """``x`` and the axis to run along: the flattened ``x`` for None; a 0-d ``x`` as one entry along axis 0 or
    -1 (torch's reading of a scalar's dim; numpy refuses it); AxisError (ValueError, IndexError) otherwise."""
    if axis is None:
        return x.reshape(-1), 0
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an integer or None, got {type(axis).__name__}")
    if x.ndim == 0:
        if axis not in (0, -1):
            raise axis_out_of_range(op, axis, 0)
        return x.reshape(1), 0
    (axis,) = normalize_axes(axis, x.ndim, op)
    return x, axis


def _along(op: str, axis: Any, dim: Any, default: Any = None) -> Any:
    """The axis of ``op`` given as numpy's ``axis`` or torch's ``dim`` (TypeError for both, or for neither
    where the axis is required: ``default`` is UNSET)."""
    if dim is not UNSET:
        return torch_dim(op, axis, dim, default)
    if axis is UNSET:
        raise TypeError(f"{op}: missing the axis (numpy's axis= or torch's dim=)")
    return axis


def _like_input(result: Tensor, a: TensorLike, axis: int | None) -> Tensor:
    """A running result of a 0-d input along its axis 0 as the 0-d tensor torch gives."""
    return result.reshape(()) if axis is not None and np.ndim(a._data if isinstance(a, Tensor) else a) == 0 else result


def cumsum(
    a: TensorLike, axis: int | None = None, dtype: Any = None, *, dim: Any = UNSET, out: Tensor | None = None
) -> Tensor:
    """Running sum out_j = sum_{k <= j} a_k along ``axis`` (torch's ``dim``; of the flattened array if None; of
    ``a`` cast to ``dtype`` first if given); d/da_k = sum_{j >= k} g_j. torch's ``out=`` receives the result
    (:mod:`autograd.out_argument`).

    As torch's, the sum starts from +0.0, so a leading run of -0.0 sums to +0.0 (numpy's ``np.cumsum`` of a Tensor,
    :func:`numpy_cumsum`, keeps numpy's -0.0 there)."""
    result = _cumsum(a, _along("cumsum", axis, dim), _running_dtype("cumsum", dtype, out), from_zero=True)
    return result if out is None else written_to_out("cumsum", result, out)


def _running_dtype(op: str, dtype: Any, out: Any) -> Any:
    """The dtype a running sum or product is computed in: ``dtype``, else ``out``'s (torch's and numpy's reading of
    an ``out=`` without ``dtype=``: a float input summed into an int64 ``out`` is truncated first, then summed), but
    not a bool ``out``'s (no running sum of booleans; writing the int64 result there is refused); a ``dtype`` other
    than ``out``'s is refused, as torch's."""
    if not isinstance(out, Tensor):
        return dtype
    if dtype is None:
        return None if out._data.dtype == np.bool_ else out._data.dtype
    if np.dtype(dtype) != out._data.dtype:
        raise DtypeMismatchError(f"{op}: dtype={np.dtype(dtype)} but the out= tensor is {out._data.dtype}")
    return dtype


def numpy_cumsum(a: TensorLike, axis: int | None = None, dtype: Any = None) -> Tensor:
    """``np.cumsum`` (and ``np.add.accumulate``) of a Tensor: :func:`cumsum` as numpy's, whose running sum starts
    from the first entry, so a leading -0.0 stays -0.0."""
    return _cumsum(a, axis, dtype, from_zero=False)


def _cumsum(a: TensorLike, axis: int | None, dtype: Any, from_zero: bool) -> Tensor:
    tensor = _tensor(a)
    x, along = _flattened_or_axis(tensor._summand(dtype), axis, "cumsum")
    data = rules.cumsum_data(x._data, along)
    if from_zero and tensor.ndim:  # (torch's cumsum of a 0-d tensor is a copy: -0.0 stays)
        data = rules.from_positive_zero(data, x._data, along)
    out = Tensor._from_op(data, rules.cumsum, (x,), {"axis": along})
    return _like_input(out, a, axis)


def cumprod(
    a: TensorLike, axis: int | None = None, dtype: Any = None, *, dim: Any = UNSET, out: Tensor | None = None
) -> Tensor:
    """Running product out_j = prod_{k <= j} a_k along ``axis`` (torch's ``dim``; of the flattened array if None;
    of ``a`` cast to ``dtype`` first if given; torch's ``out=`` receives the result).

    One node: d out_j / d a_k = prod_{i <= j, i != k} a_i, computed in O(n) per running product and exact where
    some a_i is 0 (see :mod:`autograd.derivatives.cumulative`).
    """
    axis = _along("cumprod", axis, dim)
    x, along = _flattened_or_axis(_tensor(a)._summand(_running_dtype("cumprod", dtype, out)), axis, "cumprod")
    result = Tensor._from_op(rules.cumprod_data(x._data, along), rules.cumprod, (x,), {"axis": along})
    result = _like_input(result, a, axis)
    return result if out is None else written_to_out("cumprod", result, out)


def logcumsumexp(a: TensorLike, axis: int = UNSET, *, dim: int = UNSET, out: Tensor | None = None) -> Tensor:
    """torch.logcumsumexp: out_j = log sum_{k <= j} e^{a_k} along ``axis`` (or ``dim``), a running logaddexp, so no
    prefix overflows or underflows; d/da_k = sum_{j >= k} g_j softmax_j(a)_k, in O(n) per row (see
    :mod:`autograd.derivatives.cumulative`). Integers are read as float64. torch's ``out=``, of the result's dtype,
    receives the result."""
    axis = _along("logcumsumexp", axis, dim, default=UNSET)
    x, along = _flattened_or_axis(_tensor(a), axis, "logcumsumexp")
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    if axis is not None and np.ndim(a._data if isinstance(a, Tensor) else a) == 0:
        # a 0-d tensor's is a copy, as torch's: d/da = g, also at an infinite or NaN a (where the running rule's
        # softmax e^(a - out) is e^(inf - inf), NaN)
        result = x.reshape(()).clone()
    else:
        result = Tensor._from_op(rules.logcumsumexp_data(x._data, along), rules.logcumsumexp, (x,), {"axis": along})
        result = _like_input(result, a, axis)
    return result if out is None else written_to_out("logcumsumexp", result, out, same_dtype=True)  # (torch's: no cast)


def _running_extreme(a: TensorLike, axis: int, op: str, extreme: np.ufunc) -> ValuesAndIndices:
    """torch's cummax/cummin: the running extreme along ``axis`` and the index it was taken from, the latest
    of tied entries (as torch); a NaN wins from where it appears, and a later NaN takes over its index.
    The indices are an int64 Tensor outside the graph."""
    x, along = _flattened_or_axis(_tensor(a), axis, op)
    data = x._data
    running = extreme.accumulate(data, axis=along) if data.size else data
    positions = np.arange(data.shape[along]).reshape([-1 if d == along else 1 for d in range(data.ndim)])
    taken = np.where((data == running) | np.isnan(data), positions, 0)
    indices = np.maximum.accumulate(taken, axis=along).astype(np.int64) if data.size else taken.astype(np.int64)
    values = take_along_axis(x, indices, along)  # the gradient goes to the index each value was taken from
    if np.ndim(a._data if isinstance(a, Tensor) else a) == 0:
        indices = indices.reshape(())
        values = values.reshape(())
    return ValuesAndIndices(values, Tensor._make(indices))


@takes_out("cummax")
def cummax(a: TensorLike, axis: int = UNSET, *, dim: int = UNSET) -> ValuesAndIndices:
    """torch.cummax: ``(values, indices)`` of the running maximum along ``axis`` (or ``dim``); d/da_i sums g
    over the positions whose maximum was taken from entry i."""
    return _running_extreme(a, _along("cummax", axis, dim, default=UNSET), "cummax", np.maximum)


@takes_out("cummin")
def cummin(a: TensorLike, axis: int = UNSET, *, dim: int = UNSET) -> ValuesAndIndices:
    """torch.cummin: ``(values, indices)`` of the running minimum along ``axis`` (or ``dim``); the gradient as
    cummax's."""
    return _running_extreme(a, _along("cummin", axis, dim, default=UNSET), "cummin", np.minimum)


def diff(
    a: TensorLike,
    n: int = 1,
    axis: int = -1,
    prepend: Any = None,
    append: Any = None,
    *,
    dim: Any = UNSET,
    out: Tensor | None = None,
) -> Tensor:
    """numpy.diff: the n-th forward difference out_i = a_{i+1} - a_i (a_{i+1} xor a_i for booleans, as numpy and
    torch) along ``axis`` (torch's ``dim``), after
    joining ``prepend`` and ``append`` (numbers are broadcast to one slice); for n = 1, d/da_i = g_{i-1} - g_i
    (g_{-1} = g_m = 0). torch's ``out=`` receives the result (:mod:`autograd.out_argument`)."""
    result = _difference(a, n, axis, prepend, append, dim)
    return result if out is None else written_to_out("diff", result, out)


def _difference(a: TensorLike, n: int, axis: Any, prepend: Any, append: Any, dim: Any) -> Tensor:
    axis = _along("diff", axis, dim, default=-1)
    a = _tensor(a)
    require_integer("diff", "order n", n)
    if n < 0:
        raise ArgumentRangeError(f"diff: order n must be a non-negative integer, got {n!r}")
    if a.ndim == 0:  # a NoAxisError: numpy's ValueError and torch's RuntimeError
        raise NoAxisError("diff: needs at least one dimension, got a 0-d array")
    axis = single_axis(axis, a.ndim, "diff")
    if n == 0:  # a new tensor, as torch's (numpy's is the input itself)
        return a.clone()
    slice_shape = a.shape[:axis] + (1,) + a.shape[axis + 1 :]

    def edge(extra: Any, name: str) -> Tensor:
        extra = _tensor(extra)
        if extra.ndim not in (0, a.ndim):  # (torch's check; numpy's concatenate would name only the axis)
            raise ShapeError(f"diff: {name} must have the input's {a.ndim} dimensions, got shape {extra.shape}")
        return extra.broadcast_to(slice_shape) if extra.ndim == 0 else extra

    before = [edge(prepend, "prepend")] if prepend is not None else []
    pieces = before + [a] + ([edge(append, "append")] if append is not None else [])
    if len(pieces) > 1:
        a = concatenate(pieces, axis=axis)
    lead = (slice(None),) * axis
    for _ in range(n):
        later, earlier = a[lead + (slice(1, None),)], a[lead + (slice(None, -1),)]
        a = later ^ earlier if a.dtype == np.bool_ else later - earlier  # booleans differ where they change, as numpy's
    return a
