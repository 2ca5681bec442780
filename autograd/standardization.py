"""``standardize``: (x - mean) / sqrt(var + eps) over some axes, as one node: what layer norm and group norm
compute before their affine step (and what torch's ``native_layer_norm`` fuses).

The mean and the (biased) variance are accumulated in float64 for float32 data (torch's CPU accumulator), then
used in the data's dtype. Backward reuses the forward pass's 1 / sqrt(var + eps) and the output itself (the
standardized values):

    dL/dx = (g - mean(g) - y mean(g y)) / sqrt(var + eps),

one pass of a handful of array operations instead of the eight recorded ops of the composite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .accumulation import ACCUMULATE_DTYPE, in_dtype_of
from .broadcasting import normalize_axes
from .derivatives import arrays as ar
from .quiet import quiet
from .tensor import Tensor

__all__ = ["standardize", "standardize_with_statistics"]


def standardize(x: Any, axis: int | tuple[int, ...] | None = None, eps: float = 0.0) -> Tensor:
    """(x - mean(x)) / sqrt(var(x) + eps) over ``axis`` (an int, a tuple, or None for every axis; the variance
    biased, ddof 0), each slice on its own, recorded as one node. An integer or boolean input is standardized in
    the default float dtype. A constant slice (one of a single value too) gives 0 with ``eps > 0`` and nan (0/0)
    with ``eps = 0``, as torch's layer_norm; a negative or non-real ``eps`` is an error (a nan one gives nan, as
    torch's)."""
    return standardize_with_statistics(x, axis, eps)[0]


def standardize_with_statistics(
    x: Any, axis: int | tuple[int, ...] | None = None, eps: float = 0.0
) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """:func:`standardize`'s node, with the mean and the (biased) variance it used, arrays of x's float dtype with
    the reduced axes kept (batch norm's running statistics are made of them)."""
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) or eps < 0:
        raise ValueError(f"standardize: eps must be a real number >= 0, got {eps!r}")
    x = x if isinstance(x, Tensor) else Tensor(x)
    axes = normalize_axes(axis, x._data.ndim, "standardize")
    data = x._floating_data()
    wide = ACCUMULATE_DTYPE.get(data.dtype)
    if any(data.shape[axis] == 0 for axis in axes):  # empty slices: nan statistics (numpy's mean would warn)
        statistics_shape = tuple(1 if axis in axes else length for axis, length in enumerate(data.shape))
        mean = variance = inverse_std = np.full(statistics_shape, np.nan, dtype=data.dtype)
        attrs = {"axes": axes, "eps": eps, "inverse_std": inverse_std}
        return Tensor._from_op(in_dtype_of(data.copy(), x._data), ar.standardize, (x,), attrs), mean, variance
    with quiet():  # a constant slice's 0/0 (or a nan) gives numpy's IEEE values silently
        mean = data.mean(axis=axes, keepdims=True, dtype=wide).astype(data.dtype, copy=False)
        centred = data - mean
        variance = np.mean(np.square(centred), axis=axes, keepdims=True, dtype=wide).astype(data.dtype, copy=False)
        inverse_std = 1 / np.sqrt(variance + eps)
        if np.isinf(variance).any():  # the squares overflowed (|x| ~ 1e20 in float32): see _inverse_std_of_large
            inverse_std = _inverse_std_of_large(centred, axes, eps, variance, inverse_std)
        centred *= inverse_std
    attrs = {"axes": axes, "eps": eps, "inverse_std": inverse_std}
    return Tensor._from_op(in_dtype_of(centred, x._data), ar.standardize, (x,), attrs), mean, variance


def _inverse_std_of_large(
    centred: np.ndarray, axes: tuple[int, ...], eps: float, variance: np.ndarray, inverse_std: np.ndarray
) -> np.ndarray:
    """1 / sqrt(var + eps) where the variance of finite entries overflows the dtype (its squares do) but its
    inverse square root does not: with s the largest |x - mean| of the slice, 1 / (s sqrt(mean(((x - mean) / s)^2)
    + eps / s^2)), every term in range. Elsewhere (a slice with an inf or nan) ``inverse_std`` as it is."""
    scale = np.max(np.abs(centred), axis=axes, keepdims=True)
    with quiet():
        scaled = np.mean(np.square(centred / scale), axis=axes, keepdims=True)
        rescued = 1 / (scale * np.sqrt(scaled + eps / np.square(scale)))
    return np.where(np.isinf(variance) & np.isfinite(scale), rescued, inverse_std).astype(centred.dtype, copy=False)
