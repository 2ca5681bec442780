"""``standardize``: (x - mean) / sqrt(var + eps) over some axes, as one node: what layer norm and group norm
compute before their affine step (and what torch's ``native_layer_norm`` fuses).

The mean and the (biased) variance are a corrected two-pass in the data's dtype (``_statistics``: BLAS sums,
accurate for a large mean and a small spread too), falling back to float64 accumulation for slices with an inf or
a nan, or that overflow. Backward reuses the forward pass's 1 / sqrt(var + eps) and the output itself (the
standardized values):

    dL/dx = (g - mean(g) - y mean(g y)) / sqrt(var + eps),

one pass of a handful of array operations instead of the eight recorded ops of the composite.

``standardize_affine`` is the same node with the norms' weight and bias (torch's native_layer_norm,
native_group_norm, native_batch_norm): y = x_hat * weight + bias, whose backward takes d/dweight, d/dbias and d/dx
from the same two sums of g and g (x - mean). The norms without parameters keep ``standardize``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .accumulation import ACCUMULATE_DTYPE, in_dtype_of
from .broadcasting import normalize_axes
from .derivatives import arrays as ar
from .quiet import quiet
from .shared_math import axis_sums
from .tensor import Tensor

__all__ = ["affine_normalize", "standardize", "standardize_affine", "standardize_with_statistics"]


def standardize(x: Any, axis: int | tuple[int, ...] | None = None, eps: float = 0.0) -> Tensor:
    """(x - mean(x)) / sqrt(var(x) + eps) over ``axis`` (an int, a tuple, or None for every axis; the variance
    biased, ddof 0), each slice on its own, recorded as one node. An integer or boolean input is standardized in
    the default float dtype. A constant slice (one of a single value too) gives 0 with ``eps > 0`` and nan (0/0)
    with ``eps = 0``, as torch's layer_norm; a negative ``eps`` goes into the formula as torch's does (nan where
    var + eps < 0, silently), a non-real one is an error (a nan one gives nan, as torch's)."""
    return standardize_with_statistics(x, axis, eps)[0]


def standardize_with_statistics(
    x: Any, axis: int | tuple[int, ...] | None = None, eps: float = 0.0
) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """:func:`standardize`'s node, with the mean and the (biased) variance it used, arrays of x's float dtype with
    the reduced axes kept (batch norm's running statistics are made of them)."""
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise ValueError(f"standardize: eps must be a real number, got {eps!r}")
    x = x if isinstance(x, Tensor) else Tensor(x)
    axes = normalize_axes(axis, x._data.ndim, "standardize")
    data = x._floating_data()
    if any(data.shape[axis] == 0 for axis in axes):  # empty slices: nan statistics (numpy's mean would warn)
        mean = variance = inverse_std = _empty_statistics(data, axes)
        attrs = {"axes": axes, "eps": eps, "inverse_std": inverse_std}
        return Tensor._from_op(in_dtype_of(data.copy(), x._data), ar.standardize, (x,), attrs), mean, variance
    mean, variance, inverse_std, centred = _statistics(data, axes, eps)
    with quiet():
        centred *= inverse_std
    attrs = {"axes": axes, "eps": eps, "inverse_std": inverse_std}
    return Tensor._from_op(in_dtype_of(centred, x._data), ar.standardize, (x,), attrs), mean, variance


def standardize_affine(
    x: Tensor,
    shape: tuple[int, ...],
    axes: tuple[int, ...],
    eps: float,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    parameter_shape: tuple[int, ...] | None = None,
) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """(x - mean) / sqrt(var + eps) * weight + bias as one node (torch's native_layer_norm, native_group_norm and
    native_batch_norm), with the mean and the biased variance it used (arrays of x's dtype, ``shape`` with the
    reduced axes kept).

    ``x`` (a float32 or float64 Tensor) is seen as an array of ``shape`` (as many entries), its statistics taken
    over ``axes`` of that shape; ``weight`` and ``bias`` (float Tensors, or None) are seen as ``parameter_shape``,
    which broadcasts against ``shape``: layer norm is (N, D) over axis 1 with (1, D), group norm (N, G, C/G, M)
    over (2, 3) with (1, G, C/G, 1), batch norm (N, C, M) over (0, 2) with (1, C, 1). The result has x's shape and
    the dtype x, weight and bias promote to. Forward: y = (x - mean) * a + bias with a = weight / sqrt(var + eps)
    (a per-channel a for batch and group norm: two passes over x after the statistics). Backward (see
    ``autograd.derivatives.arrays``) shares its reductions between the three gradients."""
    data = x._data.reshape(shape)
    dtype = np.result_type(data, *(p._data for p in (weight, bias) if p is not None))
    wide = (1,) * len(shape) if parameter_shape is None else parameter_shape
    w = None if weight is None else weight._data.reshape(wide)
    b = None if bias is None else bias._data.reshape(wide)
    if data.size == 0:  # nothing to normalise (nan statistics for empty slices, as standardize's)
        mean = variance = inverse_std = _empty_statistics(data, axes)
        centred, result = data, np.empty(shape, dtype)
    else:
        mean, variance, inverse_std, centred = _statistics(data, axes, eps)
        with quiet():
            if w is None or inverse_std.size * w.size > data.size:  # (layer norm's r w would be of x's size)
                result = np.multiply(centred, inverse_std, dtype=dtype)
                if w is not None:
                    result *= w
            else:  # a per-channel scale a = r w (batch norm, group norm)
                result = np.multiply(centred, inverse_std * w, dtype=dtype)
            if b is not None:
                result += b
    attrs = {
        "shape": shape,
        "axes": axes,
        "parameter_shape": wide,
        "eps": eps,
        "inverse_std": inverse_std,
        "centred": centred,
        "has_weight": weight is not None,
    }
    parents = (x,) + tuple(p for p in (weight, bias) if p is not None)
    node = Tensor._from_op(result.reshape(x._data.shape), ar.standardize_affine, parents, attrs)
    return node, mean, variance


def affine_normalize(
    x: Tensor, mean: np.ndarray, variance: np.ndarray, eps: float, weight: Tensor | None, bias: Tensor | None
) -> Tensor:
    """(x - mean) / sqrt(variance + eps) * weight + bias per channel (axis 1) with given, constant statistics, as
    one node: batch norm in evaluation (torch's native_batch_norm with training=False).

    ``x`` is a float32 or float64 Tensor (N, C, ...); ``mean`` and ``variance`` arrays of C entries (x's dtype);
    ``weight`` and ``bias`` float Tensors of C entries or None. Forward, as torch's: y = x a + (b - mean a) with
    a = weight / sqrt(variance + eps), per channel, two passes over x. Backward: d/dx = g a, d/dweight =
    sum(g (x - mean)) / sqrt(variance + eps), d/dbias = sum(g) (see ``autograd.derivatives.arrays``). The result
    has x's shape and the dtype x, weight and bias promote to."""
    shape = (x._data.shape[0], x._data.shape[1], math.prod(x._data.shape[2:]))
    channels = shape[1]
    per_channel = (1, channels, 1)
    data = x._data.reshape(shape)
    dtype = np.result_type(data, *(p._data for p in (weight, bias) if p is not None))
    mean = np.asarray(mean, dtype=data.dtype).reshape(per_channel)
    with quiet():
        inverse_std = 1.0 / np.sqrt(np.asarray(variance, dtype=data.dtype).reshape(per_channel) + eps)
        scale = inverse_std if weight is None else inverse_std * weight._data.reshape(per_channel)
        shift = -mean * scale if bias is None else bias._data.reshape(per_channel) - mean * scale
        result = np.multiply(data, scale, dtype=dtype)
        result += shift
    attrs = {"shape": shape, "mean": mean, "inverse_std": inverse_std, "has_weight": weight is not None}
    parents = (x,) + tuple(p for p in (weight, bias) if p is not None)
    return Tensor._from_op(result.reshape(x._data.shape), ar.affine_normalize, parents, attrs)


def _empty_statistics(data: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The statistics of slices with no entries: nan, in the data's dtype, the reduced axes kept."""
    shape = tuple(1 if axis in axes else length for axis, length in enumerate(data.shape))
    return np.full(shape, np.nan, dtype=data.dtype)


def _statistics(
    data: np.ndarray, axes: tuple[int, ...], eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The mean, the biased variance and 1 / sqrt(var + eps) over ``axes`` (kept, in the data's dtype) and the
    centred data x - mean (a new array), of non-empty slices.

    A corrected two-pass in the data's dtype, its sums BLAS products with ones (:func:`axis_sums`), not numpy's
    float64 means: with m = sum(x) / n, centred = x - m (exact for entries within a factor 2 of m, so a large
    mean costs nothing: 1e4 + 1e-2 randn keeps its spread, where x minus the mean rounded to float32 loses it),
    then r = mean(x - m), what m got wrong, is taken out of the variance, var = mean((x - m)^2) - r^2, and out of
    the centred values when it exceeds their rounding (eps_dtype std; a third pass only for such slices' data);
    a constant slice so centres to exact zeros. The mean is m + r, rounded once. Where the variance is not finite
    (an inf or nan entry, a sum or squares overflowing the dtype) every statistic comes from
    :func:`_wide_statistics`, numpy's float64 accumulation."""
    if data.dtype.char not in "fd":
        return _wide_statistics(data, axes, eps)
    shape, ndim = data.shape, data.ndim
    count = math.prod(shape[axis] for axis in axes)
    if axes == tuple(range(ndim - len(axes), ndim)) and data.flags.c_contiguous:  # slices as rows
        rows, reduced = data.reshape(-1, count), (1,)
    else:
        rows, reduced = data, axes
    with quiet():
        guess = axis_sums(rows, reduced) / count
        centred = rows - guess
        residual = axis_sums(centred, reduced) / count
        variance = axis_sums(np.square(centred), reduced) / count
        variance -= np.square(residual)
        if not np.isfinite(variance).all():
            return _wide_statistics(data, axes, eps)
        np.maximum(variance, 0, out=variance)
        if (np.abs(residual) > np.finfo(data.dtype).eps * np.sqrt(variance)).any():
            centred -= residual
        mean = np.add(guess, residual, dtype=np.float64).astype(data.dtype)
        inverse_std = 1 / np.sqrt(variance + eps)
    kept = tuple(1 if axis in axes else length for axis, length in enumerate(shape))
    return (
        mean.reshape(kept),
        variance.reshape(kept),
        inverse_std.astype(data.dtype, copy=False).reshape(kept),
        centred.reshape(shape),
    )


def _wide_statistics(
    data: np.ndarray, axes: tuple[int, ...], eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_statistics` by numpy's means accumulated in float64 for float32 data (x - mean with the mean rounded
    to the data's dtype): for slices with an inf or a nan, and those whose squares overflow (|x| ~ 1e20 in
    float32), where the rescue of :func:`_inverse_std_of_large` applies."""
    wide = ACCUMULATE_DTYPE.get(data.dtype)
    with quiet():  # a constant slice's 0/0 (or a nan) gives numpy's IEEE values silently
        mean = data.mean(axis=axes, keepdims=True, dtype=wide).astype(data.dtype, copy=False)
        centred = data - mean
        variance = np.mean(np.square(centred), axis=axes, keepdims=True, dtype=wide).astype(data.dtype, copy=False)
        inverse_std = 1 / np.sqrt(variance + eps)
        if np.isinf(variance).any():  # the squares overflowed (|x| ~ 1e20 in float32): see _inverse_std_of_large
            inverse_std, centred = _inverse_std_of_large(centred, axes, eps, variance, inverse_std)
    return mean, variance, inverse_std, centred


def _inverse_std_of_large(
    centred: np.ndarray, axes: tuple[int, ...], eps: float, variance: np.ndarray, inverse_std: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """1 / sqrt(var + eps) where the variance of finite entries overflows the dtype (its squares do) but its
    inverse square root does not: with s the largest |x - mean| of the slice, 1 / (s sqrt(v + eps / s^2)), v the
    variance of (x - mean) / s, every term in range; and the centred values. As in :func:`_statistics`, what the
    rounded mean got wrong, r = mean(x - mean), is taken out of v and, when it exceeds their rounding, out of the
    centred values: a constant slice of 1e200 (whose mean rounds an ulp off, an ulp whose square overflows) so
    centres to exact zeros. Elsewhere (a slice with an inf or nan) ``inverse_std`` and ``centred`` as they are."""
    scale = np.max(np.abs(centred), axis=axes, keepdims=True)
    rescue = np.isinf(variance) & np.isfinite(scale)
    with quiet():
        unit = centred / scale
        residual = np.mean(unit, axis=axes, keepdims=True)
        scaled = np.maximum(np.mean(np.square(unit), axis=axes, keepdims=True) - np.square(residual), 0)
        rescued = 1 / (scale * np.sqrt(scaled + eps / np.square(scale)))
        # no spread left at all: var + eps is eps (whose quotient by s^2 underflowed above)
        rescued = np.where(scaled > 0, rescued, 1 / np.sqrt(np.asarray(eps, dtype=centred.dtype)))
        off = rescue & (np.abs(residual) > np.finfo(centred.dtype).eps * np.sqrt(scaled))
        if off.any():
            centred = np.where(off, centred - residual * scale, centred).astype(centred.dtype, copy=False)
    return np.where(rescue, rescued, inverse_std).astype(centred.dtype, copy=False), centred
