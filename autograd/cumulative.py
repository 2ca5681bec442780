"""Running sums and products and differences with numpy's names: cumsum, cumprod, diff.

``cumsum`` is a primitive (rule in :mod:`autograd.derivatives.cumulative`); ``cumprod`` and
``diff`` are composites, so their gradients are those of the ops they are made of.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .broadcasting import normalize_axes
from .derivatives import cumulative as rules
from .tensor import Tensor, TensorLike, where
from .tensor_functions import concatenate

__all__ = ["cumprod", "cumsum", "diff"]


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _flattened_or_axis(x: Tensor, axis: int | None, op: str) -> tuple[Tensor, int]:
    if axis is None:
        return x.reshape(-1), 0
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an integer or None, got {type(axis).__name__}")
    if x.ndim == 0:
        raise ValueError(f"{op}: axis {axis} is out of bounds for a 0-d array")
    (axis,) = normalize_axes(axis, x.ndim, op)
    return x, axis


def cumsum(a: TensorLike, axis: int | None = None) -> Tensor:
    """Running sum out_j = sum_{k <= j} a_k along ``axis`` (of the flattened array if None);
    d/da_k = sum_{j >= k} g_j."""
    a, axis = _flattened_or_axis(_tensor(a), axis, "cumsum")
    return Tensor._from_op(rules.cumsum_data(a.data, axis), rules.cumsum, (a,), {"axis": axis})


def cumprod(a: TensorLike, axis: int | None = None) -> Tensor:
    """Running product out_j = prod_{k <= j} a_k along ``axis`` (of the flattened array if None).

    Computed as the product over the last axis of an (..., n, n) stack whose row j holds
    a_0..a_j and ones after, so the gradient d out_j / d a_k = prod_{i <= j, i != k} a_i is
    exact where some a_i is 0 (no division); it costs O(n^2) per running product.
    """
    a, axis = _flattened_or_axis(_tensor(a), axis, "cumprod")
    rows = a.swapaxes(axis, -1)
    n = rows.shape[-1]
    lower = np.tril(np.ones((n, n), dtype=bool))  # row j keeps entries k <= j
    prefixes = where(lower, rows[..., None, :].broadcast_to(rows.shape + (n,)), 1.0)
    return prefixes.prod(axis=-1).swapaxes(axis, -1)


def diff(a: TensorLike, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """numpy.diff: the n-th forward difference out_i = a_{i+1} - a_i along ``axis``, after joining ``prepend``
    and ``append`` (numbers are broadcast to one slice); for n = 1, d/da_i = g_{i-1} - g_i (g_{-1} = g_m = 0)."""
    a = _tensor(a)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"diff: order n must be a non-negative integer, got {n!r}")
    if a.ndim == 0:
        raise ValueError("diff: needs at least one dimension, got a 0-d array")
    (axis,) = normalize_axes(axis, a.ndim, "diff")
    if n == 0:
        return a
    slice_shape = a.shape[:axis] + (1,) + a.shape[axis + 1 :]

    def edge(extra: Any) -> Tensor:
        extra = _tensor(extra)
        return extra.broadcast_to(slice_shape) if extra.ndim == 0 else extra

    pieces = ([edge(prepend)] if prepend is not None else []) + [a] + ([edge(append)] if append is not None else [])
    if len(pieces) > 1:
        a = concatenate(pieces, axis=axis)
    lead = (slice(None),) * axis
    for _ in range(n):
        a = a[lead + (slice(1, None),)] - a[lead + (slice(None, -1),)]
    return a
