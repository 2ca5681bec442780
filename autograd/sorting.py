"""Sorting with numpy's and PyTorch's names: sort, argsort, topk.

The values are gathered with the sorting permutation (``take_along_axis``), so the gradient
flows back through the permutation: d/dx_{p(i)} = g_i. Among equal entries the permutation
is numpy's stable order, and each entry's gradient goes to the position it was sorted to.
``argsort`` returns integer indices (no gradient): an int64 Tensor for a Tensor, as torch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .broadcasting import AxisError
from .indexing import take_along_axis
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
) -> Any:
    """numpy.argsort: the indices that sort ``a`` along ``axis`` (torch's ``dim``; the flattened array if None);
    no gradient. ``stable=True`` (numpy 2's and torch's) is ``kind="stable"``.

    ``descending=True`` (torch.argsort's) orders from the largest, NaN first as torch ranks it above +inf;
    equal entries keep their order (stable), as in the ascending sort, where NaN comes last. The indices
    are an int64 Tensor outside the graph for a Tensor (as torch's), an ndarray for array input (as numpy's).
    """
    if dim is not UNSET:
        axis = torch_dim("argsort", axis, dim, default=-1)
    order = _sorting_order(a, axis, _kind("argsort", kind, stable), descending)
    return Tensor._make(order) if isinstance(a, Tensor) else order


def _sorting_order(a: TensorLike, axis: int | None, kind: str | None, descending: bool) -> np.ndarray:
    """The int64 indices that sort ``a`` along ``axis``, as an ndarray (see :func:`argsort`)."""
    raw = a.data if isinstance(a, Tensor) else np.asarray(a)
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
        raise AxisError(f"argsort: axis {axis} is out of bounds for an array of dimension {raw.ndim}") from None


def sort(
    a: TensorLike,
    axis: int | None = -1,
    kind: str | None = None,
    *,
    dim: Any = UNSET,
    descending: Any = UNSET,
    stable: bool | None = None,
) -> Tensor | ValuesAndIndices:
    """numpy.sort: ``a`` sorted ascending along ``axis`` (flattened if None); the gradient goes back through
    the permutation. ``stable=True`` (numpy 2's and torch's) is ``kind="stable"``.

    Called with torch's ``dim`` or ``descending`` it is torch.sort: the pair ``(values, indices)`` of
    ``Tensor.sort`` (always a stable sort; ``descending`` puts NaN first).
    """
    kind = _kind("sort", kind, stable)
    if dim is not UNSET or descending is not UNSET:
        return _tensor(a).sort(axis, dim=dim, descending=descending is not UNSET and bool(descending))
    a = _tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    if a.ndim == 0:
        raise AxisError("sort: axis -1 is out of bounds for a 0-d array (use axis=None)")
    return take_along_axis(a, _sorting_order(a, axis, "stable" if kind is None else kind, False), axis)


def topk(input: TensorLike, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> tuple[Tensor, Tensor]:
    """torch.topk: the k largest (smallest if not ``largest``) entries along ``dim`` and their indices.

    Returns (values, indices): values differentiable (g goes back to the chosen entries), indices an
    int64 Tensor outside the graph. The entries come in descending (ascending) order; ``sorted`` is accepted for torch's
    signature (the order is always sorted). Ties keep the earlier index.
    """
    input = _tensor(input)
    if input.ndim == 0:
        input = input.reshape(1)
        values, indices = topk(input, k, 0, largest, sorted)
        return values.reshape(()), indices.reshape(())
    order = _sorting_order(input, dim, "stable", largest)  # NaN is the largest, as in torch
    length = order.shape[dim % input.ndim]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 0 <= k <= length:
        raise ValueError(f"topk: k must be an integer in [0, {length}] for dim {dim} of shape {input.shape}, got {k!r}")
    indices = np.take(order, np.arange(k), axis=dim)
    return take_along_axis(input, indices, dim), Tensor._make(indices)
