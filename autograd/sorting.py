"""Sorting with numpy's and PyTorch's names: sort, argsort, topk.

The values are gathered with the sorting permutation (``take_along_axis``), so the gradient
flows back through the permutation: d/dx_{p(i)} = g_i. Among equal entries the permutation
is numpy's stable order, and each entry's gradient goes to the position it was sorted to.
``argsort`` returns integer indices (no gradient): an int64 Tensor for a Tensor, as torch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .broadcasting import AxisError, axis_out_of_range, normalize_axes
from .indexing import take_along_axis
from .out_argument import takes_out, written_to_out
from .shape_errors import ArgumentRangeError, require_integer
from .tensor import Tensor, TensorLike
from .torch_keywords import UNSET, ValuesAndIndices, torch_dim

__all__ = ["argsort", "sort", "topk"]


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _kind(op: str, kind: str | None, stable: bool | None) -> str | None:
    """The sorting algorithm of ``kind`` or of ``stable`` (numpy 2's and torch's; True is "stable"); TypeError
    for both."""
    if stable is None:
        return kind
    if kind is not None:
        raise TypeError(f"{op}: got both kind={kind!r} and stable={stable!r}; pass one")
    return "stable" if stable else None


def argsort(
    a: TensorLike,
    axis: int | None = -1,
    kind: str | None = None,
    *,
    dim: Any = UNSET,
    descending: bool = False,
    stable: bool | None = None,
    out: Any = None,
) -> Any:
    """numpy.argsort: the indices that sort ``a`` along ``axis`` (torch's ``dim``; the flattened array if None);
    no gradient. ``stable=True`` (numpy 2's and torch's) is ``kind="stable"``. torch's ``out=`` takes the indices
    into an int64 Tensor (another dtype is torch's RuntimeError) and returns it.

    ``descending=True`` (torch.argsort's) orders from the largest, NaN first as torch ranks it above +inf;
    equal entries keep their order (stable), as in the ascending sort, where NaN comes last. The indices
    are an int64 Tensor outside the graph for a Tensor (as torch's), an ndarray for array input (as numpy's).
    A bool in ``kind``'s place is torch's positional ``descending`` (``argsort(x, 1, True)``). A 0-d Tensor sorted
    along dim 0 or -1 is its own order: the 0-d index 0, as torch's (and as ``Tensor.sort``'s indices), where
    numpy's argsort of a 0-d array gives shape (1,).
    """
    if isinstance(kind, (bool, np.bool_)):
        kind, descending = None, bool(kind) or descending
    if dim is not UNSET:
        axis = torch_dim("argsort", axis, dim, default=-1)
    if isinstance(a, Tensor) and a.ndim == 0 and axis is not None:
        normalize_axes(axis, 0, "argsort")  # AxisError (an IndexError, as torch's) for any other axis
        order = np.zeros((), dtype=np.int64)
    else:
        order = _sorting_order(a, axis, _kind("argsort", kind, stable), descending)
    if out is not None:
        return written_to_out("argsort", Tensor._make(order), out, same_dtype=True)
    return Tensor._make(order) if isinstance(a, Tensor) else order


def _sorting_order(a: TensorLike, axis: int | None, kind: str | None, descending: bool) -> np.ndarray:
    """The int64 indices that sort ``a`` along ``axis``, as an ndarray (see :func:`argsort`)."""
    raw = a._data if isinstance(a, Tensor) else np.asarray(a)
    try:
        if not descending:
            return np.argsort(raw, axis=axis, kind=kind).astype(np.int64, copy=False)
        if axis is None or raw.ndim == 0:  # flattened, as numpy's argsort does with a 0-d array too
            raw, axis = raw.reshape(-1), 0
        if raw.dtype.kind in "biu":  # ~x reverses the order of integers and bools (-x would wrap: -0 == 0 in uint8)
            return np.argsort(~raw, axis=axis, kind="stable").astype(np.int64, copy=False)
        # lexsort sorts by its last key first: NaN (False) before the rest, then by -x, stably
        return np.lexsort((-raw, ~np.isnan(raw)), axis=axis).astype(np.int64, copy=False)
    except np.exceptions.AxisError:
        raise axis_out_of_range("argsort", axis, raw.ndim) from None


def sort(
    input: TensorLike,
    dim: Any = -1,
    descending: Any = UNSET,
    stable: bool | None = None,
    *,
    axis: Any = UNSET,
    kind: str | None = None,
    out: Any = None,
) -> Tensor | ValuesAndIndices:
    """torch.sort: the pair ``(values, indices)`` of ``input`` sorted along ``dim`` (ascending, or ``descending``
    with NaN first; always a stable sort), as ``Tensor.sort``; the values' gradient goes back through the
    permutation, the indices are an int64 Tensor. torch's ``out=(values, indices)`` takes the pair.

    numpy.sort's calls give numpy's result, the sorted values alone: a call that names numpy's ``axis`` or
    ``kind`` (a string in ``descending``'s place is numpy's positional ``kind``) or passes None for the axis (the
    flattened array), unless it also names ``descending`` or ``out``; ``np.sort(x)`` on a Tensor is numpy's
    (:func:`numpy_sort`).
    """
    if isinstance(descending, str):  # numpy's sort(a, axis, kind)
        kind, descending = descending, UNSET
    numpy_call = axis is not UNSET or kind is not None or dim is None
    if axis is not UNSET:
        if dim is None or dim != -1:
            raise TypeError(f"sort: got both dim={dim!r} and axis={axis!r} (axis is numpy's name for dim); pass one")
        dim = axis
    if numpy_call and descending is UNSET and out is None:
        return numpy_sort(input, dim, kind, stable=stable)
    _kind("sort", kind, stable)  # (both given: TypeError; any sort is stable here)
    pair = _tensor(input).sort(dim, descending=descending is not UNSET and bool(descending))
    return pair if out is None else written_to_out("sort", pair, out, same_dtype=True)


def numpy_sort(a: TensorLike, axis: int | None = -1, kind: str | None = None, order: Any = None, *,
               stable: bool | None = None) -> Tensor:  # fmt: skip
    """numpy.sort on a Tensor (numpy's dispatch of ``np.sort(x)``): ``a`` sorted ascending along ``axis``
    (flattened if None), the values alone; the gradient goes back through the permutation. ``stable=True``
    (numpy 2's) is ``kind="stable"``; ``order`` (of structured arrays) has no meaning for a Tensor."""
    if order is not None:
        raise TypeError("sort: order= sorts the fields of a structured array; a Tensor has none")
    kind = _kind("sort", kind, stable)
    a = _tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    if a.ndim == 0:
        raise AxisError("sort: axis -1 is out of bounds for a 0-d array (use axis=None)")
    return take_along_axis(a, _sorting_order(a, axis, "stable" if kind is None else kind, False), axis)


@takes_out("topk")
def topk(input: TensorLike, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesAndIndices:
    """torch.topk: the k largest (smallest if not ``largest``) entries along ``dim`` and their indices.

    Returns torch's named pair ``(values, indices)`` (``.values``, ``.indices``): values differentiable (g goes
    back to the chosen entries), indices an int64 Tensor outside the graph. The entries come in descending (ascending) order; ``sorted`` is accepted for torch's
    signature (the order is always sorted). Ties keep the earlier index.
    """
    input = _tensor(input)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"topk: dim must be an integer, got {dim!r}")
    normalize_axes(dim, input.ndim, "topk")  # TypeError for a bool or float, AxisError (IndexError) out of range
    if input.ndim == 0:  # the one entry, for k = 1 and also for k = 0 (torch's answer for a 0-d input)
        input = input.reshape(1)
        values, indices = topk(input, 1 if k == 0 and not isinstance(k, bool) else k, 0, largest, sorted)
        return ValuesAndIndices(values.reshape(()), indices.reshape(()))
    dim = int(dim)
    length = input.shape[dim]
    k = require_integer("topk", "k", k)
    if not 0 <= k <= length:
        raise ArgumentRangeError(
            f"topk: k must be an integer in [0, {length}] for dim {dim} of shape {input.shape}, got {k!r}"
        )
    indices = _top_indices(input._data, int(k), dim, largest)
    return ValuesAndIndices(take_along_axis(input, indices, dim), Tensor._make(indices))


def _top_indices(raw: np.ndarray, k: int, axis: int, largest: bool) -> np.ndarray:
    """The int64 indices of :func:`topk`: the first k of the stable sorting order along ``axis`` (descending
    if ``largest``, NaN the largest).

    A k up to half the length n goes through a partition, O(n) rather than O(n log n): the k-th entry t
    of the order splits each line into the entries ranked before t, the entries equal to t and the rest; the
    first k are all of the first group and the earliest of the second, sorted (stably) among themselves.
    """
    length = raw.shape[axis]
    if raw.dtype.kind not in "biuf" or not 0 < k * _PARTITION_RATIO <= length:
        order = _sorting_order(raw, axis, "stable", largest)
        return np.take(order, np.arange(k), axis=axis)
    lines = np.moveaxis(raw, axis, -1)
    boundary = length - k if largest else k - 1  # where the k-th of the order sits in numpy's ascending partition
    kth = np.partition(lines, boundary, axis=-1)[..., boundary : boundary + 1]  # values: 3x faster than indices
    before, equal = _ranked_before_and_equal(lines, kth, largest)
    wanted = k - np.count_nonzero(before, axis=-1, keepdims=True)  # how many of the ties with t to take
    if not np.array_equal(wanted, np.count_nonzero(equal, axis=-1, keepdims=True)):
        equal &= np.cumsum(equal, axis=-1) <= wanted  # the earliest ties only
    chosen = np.nonzero((before | equal).reshape(-1, length))[1].reshape(lines.shape[:-1] + (k,))  # index order
    order = _sorting_order(np.take_along_axis(lines, chosen, -1), -1, "stable", largest)
    return np.moveaxis(np.take_along_axis(chosen, order, -1).astype(np.int64, copy=False), -1, axis)


_PARTITION_RATIO = 2
"""topk partitions rather than sorts when k is at most 1/_PARTITION_RATIO of the length (measured on 64 lines
of 256: the partition is 3.5x faster than the full stable sort at k = 5, 1.3x at k = 128, even at k = 200)."""


def _ranked_before_and_equal(lines: np.ndarray, kth: np.ndarray, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the entries of ``lines`` ranked strictly before ``kth`` (one per line, last axis of length 1)
    in topk's order, and of those equal to it; NaN ranks as the largest and equals NaN, -0.0 equals 0.0."""
    before = lines > kth if largest else lines < kth
    equal = lines == kth
    if lines.dtype.kind == "f":
        nan, kth_nan = np.isnan(lines), np.isnan(kth)
        before |= nan & ~kth_nan if largest else ~nan & kth_nan
        equal |= nan & kth_nan
    return before, equal
