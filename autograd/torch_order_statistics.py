"""torch's order statistics on Tensor: median, nanmedian, kthvalue, mode, msort, quantile, nanquantile.

Each is built from recorded ops (sorting, take_along_axis, indexing), so its gradient comes from their rules:
a selected entry (median, kthvalue, mode) receives the gradient of its value; a linear-interpolated quantile
shares it between its two neighbours by their weights; ``median()`` over all entries splits it evenly among
ties, as torch does. Ties of ``kthvalue``/``median(dim)`` are chosen by a stable sort (torch's choice among
equal entries is device-specific); ``mode`` counts NaNs as distinct values.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from .array_methods import array_function
from .broadcasting import normalize_axes, single_axis
from .core import Node
from .index_errors import EmptyReductionError
from .shape_errors import ArgumentRangeError, FloatingDtypeError, ShapeError, require_integer
from .torch_keywords import ValuesAndIndices

__all__ = ["TorchOrderStatistics"]

Self = TypeVar("Self", bound="TorchOrderStatistics")  # the Tensor a method is called on

#: torch's ``interpolation=`` modes of quantile and nanquantile
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lower_median_position(sorted_data: np.ndarray, ignore_nan: bool) -> np.ndarray:
    """Per slice along the last axis of ascending ``sorted_data`` (NaNs last): where the lower median sits. With
    a NaN in a slice and not ``ignore_nan``, the first NaN (as torch's median); an all-NaN slice, position 0."""
    valid = (~np.isnan(sorted_data)).sum(axis=-1, keepdims=True)
    if ignore_nan:
        return np.maximum((valid - 1) // 2, 0)
    return np.where(valid < sorted_data.shape[-1], valid, (sorted_data.shape[-1] - 1) // 2)


def _weights_of_q(q: Any, spans: np.ndarray, below: np.ndarray, ranked_by_q: np.ndarray, weights: np.ndarray) -> Any:
    """The 'linear' quantile's interpolation weights f = q (n - 1) - floor(q (n - 1)) as a function of a ``q``
    that requires grad (as torch's): df/dq = n - 1 (the floor is a constant), so the quantile's derivative is
    (x_above - x_below) (n - 1). A slice whose rank does not follow q (a NaN in quantile's, none but NaNs in
    nanquantile's) keeps its constant ``weights`` and sends q no gradient (0, not its NaN difference times 0)."""
    levels = q.astype(weights.dtype).reshape(-1)
    return (levels * spans - below.astype(weights.dtype)).where(ranked_by_q, weights)


def _scalar_dim(dim: Any, op: str) -> int:
    """The axis 0 of a 0-d tensor read as one entry, for a ``dim`` it takes (0 or -1, as torch's scalars); the
    AxisError naming ``op`` and the 0-d tensor's range otherwise."""
    normalize_axes(dim, 0, op)
    return 0


def _data(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Node) else x)


def _constant(tensor: Any, array: Any) -> Any:
    """``array`` as a Tensor outside the graph (the indices of a selection)."""
    return type(tensor)._make(np.asarray(array))


def _tensor(names: Any) -> Any:
    """``names`` as the Tensor it is (Tensor is the only class with these methods), for the type checker."""
    return names


class TorchOrderStatistics:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's order statistics."""

    __slots__ = ()

    # -- order statistics -----------------------------------------------------------------------------------
    def median(self: Self, dim: int | None = None, keepdim: bool = False) -> Any:
        """torch.Tensor.median: without ``dim``, the lower median of all entries (NaN if any is NaN), its
        gradient split evenly between the entries equal to it; with ``dim``, ``(values, indices)`` of the
        lower median of each slice (the first NaN if it has one), the gradient to the index returned."""
        if dim is None:
            return self._median_of_all(ignore_nan=False)
        return self._selected("median", dim, keepdim, lambda ordered: _lower_median_position(ordered, False))

    def nanmedian(self: Self, dim: int | None = None, keepdim: bool = False) -> Any:
        """torch.Tensor.nanmedian: ``median`` of the entries that are not NaN (NaN where all are)."""
        if dim is None:
            return self._median_of_all(ignore_nan=True)
        return self._selected("nanmedian", dim, keepdim, lambda ordered: _lower_median_position(ordered, True))

    def _median_of_all(self, ignore_nan: bool) -> Any:
        tensor = _tensor(self)
        flat = tensor.reshape(-1)
        if flat.shape[0] == 0:
            return flat.sum() + np.nan
        ordered = np.sort(flat._data)
        value = ordered[_lower_median_position(ordered, ignore_nan)[0]]
        tied = np.flatnonzero(np.isnan(flat._data) if np.isnan(value) else flat._data == value)
        # the max of the entries equal to the median (gathered: no other entry can tie with them, not even at -inf)
        # splits the gradient evenly between them, as torch's median does
        return flat[tied].max()

    def kthvalue(self: Self, k: int, dim: int = -1, keepdim: bool = False) -> ValuesAndIndices:
        """torch.Tensor.kthvalue: ``(values, indices)`` of the k-th smallest entry (k from 1) along ``dim``, NaN
        counting as the largest; the gradient goes to the index returned."""
        tensor = _tensor(self)
        # torch's first check: the dim (0 or -1 of a 0-d tensor, its one entry), then k
        length = (
            tensor.shape[single_axis(dim, tensor.ndim, "kthvalue")] if tensor.ndim else _scalar_dim(dim, "kthvalue") + 1
        )
        if length == 0:
            raise EmptyReductionError(f"kthvalue: dim {dim} of shape {tensor.shape} is empty")
        k = require_integer("kthvalue", "k", k)
        if not 1 <= k <= length:
            raise ArgumentRangeError(
                f"kthvalue: k must be an integer in [1, {length}] for dim {dim} of shape {tensor.shape}"
            )
        if tensor.ndim == 0:
            return self._selected("kthvalue", dim, keepdim, lambda ordered: np.full(ordered.shape[:-1] + (1,), k - 1))
        axis = single_axis(dim, tensor.ndim, "kthvalue")
        return self._gathered(_kth_index(tensor._data, k, axis), axis, keepdim)

    def _selected(self, op: str, dim: int, keepdim: bool, position: Any) -> ValuesAndIndices:
        """The entry of each slice along ``dim`` at ``position(sorted slices, last axis)`` of its stable ascending
        order (NaN last), with its int64 index; the values gathered there, so the gradient goes to that index."""
        tensor = _tensor(self)
        if tensor.ndim == 0:
            values, indices = tensor.reshape(1)._selected(op, _scalar_dim(dim, op), keepdim, position)
            return ValuesAndIndices(values.reshape(()), indices.reshape(()))
        axis = single_axis(dim, tensor.ndim, op)
        if tensor.shape[axis] == 0:
            raise EmptyReductionError(f"{op}: dim {dim} of shape {tensor.shape} is empty")
        order = np.moveaxis(np.argsort(tensor._data, axis=axis, kind="stable"), axis, -1)
        ordered = np.take_along_axis(np.moveaxis(tensor._data, axis, -1), order, -1)
        indices = np.moveaxis(np.take_along_axis(order, position(ordered), -1), -1, axis).astype(np.int64)
        return self._gathered(indices, axis, keepdim)

    def _gathered(self, indices: np.ndarray, axis: int, keepdim: bool) -> ValuesAndIndices:
        tensor = _tensor(self)
        values = array_function("take_along_axis")(tensor, indices, axis)
        if not keepdim:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return ValuesAndIndices(values, _constant(self, indices))

    def mode(self: Self, dim: int = -1, keepdim: bool = False) -> ValuesAndIndices:
        """torch.Tensor.mode: ``(values, indices)`` of the most frequent entry along ``dim``, the smallest of
        equally frequent ones (as torch), and the index of its last occurrence (of its first for a NaN mode); the
        gradient goes to that index. torch's CPU index is the last occurrence too in rows of up to 16 entries; in
        longer rows it comes from an unstable sort and may be any occurrence of the value, so there the indices
        (and the entry given the gradient) can differ from torch's while the values agree."""
        tensor = _tensor(self)
        if tensor.ndim == 0:
            values, indices = tensor.reshape(1).mode(_scalar_dim(dim, "mode"), keepdim)
            return ValuesAndIndices(values.reshape(()), indices.reshape(()))
        axis = single_axis(dim, tensor.ndim, "mode")
        if tensor.shape[axis] == 0:
            raise EmptyReductionError(f"mode: dim {dim} of shape {tensor.shape} is empty")
        rows = np.moveaxis(tensor._data, axis, -1)
        ordered = np.sort(rows, axis=-1)
        positions = np.arange(rows.shape[-1])
        starts = np.ones(ordered.shape, dtype=bool)
        later, earlier = ordered[..., 1:], ordered[..., :-1]
        starts[..., 1:] = (later != earlier) & ~(np.isnan(later) & np.isnan(earlier))  # NaNs are one value, as torch
        run_start = np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
        best = np.argmax(positions - run_start, axis=-1)[..., None]  # the first run to reach the longest length
        value = np.take_along_axis(ordered, best, -1)
        last = np.where(rows == value, positions, -1).max(axis=-1, keepdims=True)
        nan_mode = np.isnan(value)
        if nan_mode.any():  # NaN as the most frequent value: torch gives its first position
            first_nan = np.argmax(np.isnan(rows), axis=-1)[..., None]
            last = np.where(nan_mode, first_nan, last)
        last = np.where(last < 0, np.take_along_axis(np.argsort(rows, axis=-1, kind="stable"), best, -1), last)
        return self._gathered(np.moveaxis(last, -1, axis).astype(np.int64), axis, keepdim)

    def msort(self: Self) -> Self:
        """torch.Tensor.msort: sorted ascending along dim 0 (``sort(dim=0).values``)."""
        return _tensor(self).sort(0).values

    def quantile(
        self: Self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Self:
        """torch.Tensor.quantile: the q-th quantiles (q a number or a 1-D tensor in [0, 1]; its length leads the
        result) of all entries or along ``dim``, at rank q (n - 1) of the sorted entries; ``interpolation``
        'linear' mixes the neighbours below and above with weights 1 - f and f (f the rank's fraction, the
        gradient likewise; a q that requires grad gets (above - below) (n - 1), as torch's), 'midpoint' halves,
        'lower'/'higher'/'nearest' pick one (half to even; q is a constant of these, as torch's). NaN where a
        slice holds a NaN."""
        return self._quantile("quantile", q, dim, keepdim, interpolation, ignore_nan=False)

    def nanquantile(
        self: Self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Self:
        """torch.Tensor.nanquantile: ``quantile`` of the entries that are not NaN (NaN where all are)."""
        return self._quantile("nanquantile", q, dim, keepdim, interpolation, ignore_nan=True)

    def _quantile(self, op: str, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool) -> Any:
        tensor = _tensor(self)
        dtype = tensor._data.dtype
        if dtype.kind != "f":
            raise FloatingDtypeError(f"{op}: expects a floating-point tensor, got dtype {dtype}")
        if interpolation not in _INTERPOLATIONS:
            raise ArgumentRangeError(f"{op}: interpolation must be one of {_INTERPOLATIONS}, got {interpolation!r}")
        levels = _data(q).astype(dtype)
        if levels.ndim > 1:
            raise ShapeError(f"{op}: q must be a number or a 1-D tensor, got shape {levels.shape}")
        if not np.all((levels >= 0) & (levels <= 1)):
            raise ArgumentRangeError(f"{op}: q must be in [0, 1], got {levels.tolist()}")
        if tensor.size == 0:
            raise ShapeError(f"{op}: the input must be non-empty, got shape {tensor.shape}")
        source = tensor.reshape(-1) if dim is None or tensor.ndim == 0 else tensor
        axis = 0 if source is not tensor else single_axis(dim, tensor.ndim, op)
        if dim is not None and tensor.ndim == 0:
            _scalar_dim(dim, op)
        ordered = source.sort(axis).values.moveaxis(axis, -1)
        last = ordered.shape[-1] - 1
        nan = np.isnan(ordered._data)
        if ignore_nan:
            spans = ((~nan).sum(axis=-1, keepdims=True) - 1).astype(dtype)  # n - 1 of each slice's numbers
            ranks = np.maximum(levels.reshape(-1) * spans, 0)
            ranked_by_q = spans >= 0
        else:
            spans = np.full(nan.shape[:-1] + (1,), last, dtype)
            ranked_by_q = ~nan.any(axis=-1, keepdims=True)
            ranks = np.where(ranked_by_q, levels.reshape(-1) * last, last).astype(dtype)
        rounding: dict[str, Any] = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}
        if interpolation in rounding:
            ranks = rounding[interpolation](ranks)
        take = array_function("take_along_axis")
        below = ranks.astype(np.int64)
        result = take(ordered, below, -1)
        if interpolation in ("linear", "midpoint"):
            weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else (ranks - below).astype(dtype)
            if interpolation == "linear" and isinstance(q, type(tensor)) and q.requires_grad:
                weights = _weights_of_q(q, spans, below, ranked_by_q, weights)
            result = result.lerp(take(ordered, np.ceil(ranks).astype(np.int64), -1), weights)
        result = result.squeeze(-1) if levels.ndim == 0 else result.moveaxis(-1, 0)
        if not keepdim:
            return result
        lead = result.shape[:1] if levels.ndim else ()
        if dim is None:
            return result.reshape(lead + (1,) * tensor.ndim)
        return result.expand_dims(len(lead) + axis) if tensor.ndim else result


def _kth_index(data: np.ndarray, k: int, axis: int) -> np.ndarray:
    """The index along ``axis`` (kept, of length 1) of each slice's k-th smallest entry in its stable ascending
    order, NaN last: of the entries equal to the k-th value v (found by np.partition, O(n)), the (k - #{< v})-th
    in index order; the same index as a stable argsort's (O(n log n)). -0.0 and 0.0 are equal, NaNs all equal."""
    rows = np.moveaxis(data, axis, -1)
    value = np.partition(rows, k - 1, axis=-1)[..., k - 1 : k]
    if rows.dtype.kind in "fc":
        nan = np.isnan(value)
        equal = np.where(nan, np.isnan(rows), rows == value)
        smaller = np.where(nan, ~np.isnan(rows), rows < value)
    else:
        equal, smaller = rows == value, rows < value
    rank = k - np.count_nonzero(smaller, axis=-1, keepdims=True)  # which of the equal entries, from 1
    index = np.argmax(np.cumsum(equal, axis=-1) >= rank, axis=-1, keepdims=True)
    return np.moveaxis(index, -1, axis).astype(np.int64)
