"""Resizing of (N, C, *spatial) Tensors, torch's ``interpolate``: nearest, nearest-exact, (bi/tri)linear, bicubic,
lanczos and area modes, each separable, one spatial axis at a time.

Nearest modes read the input at an index array per axis (a gather; the gradient adds g back at the entries read),
or, when every axis reads each entry r times in turn (a whole scale factor), repeat each entry as a block (one
copy; the gradient sums g over each block).
The other modes multiply each axis by an (out, in) weight matrix, ``y = M x`` along that axis, whose rows hold
the interpolation weights of one output position (the gradient is ``M^T g``). For output position ``i`` of an
axis of ``n`` inputs and ``m`` outputs the source coordinate is, as torch's:

* ``align_corners=True``: ``src = i (n - 1) / (m - 1)`` (0 when m = 1), the corner pixels' centres aligned;
* otherwise ``src = (i + 0.5) s - 0.5`` with ``s = 1 / scale_factor`` when a scale factor was given (and not
  recomputed), else ``n / m``; linear modes clamp a negative ``src`` to 0.

Linear interpolation weighs entries ``floor(src)`` and the next by ``1 - t`` and ``t`` (t = src - floor(src),
the last entry repeated at the end; an axis whose length is kept is copied); bicubic weighs the four entries
``floor(src) - 1 .. floor(src) + 2`` (read clamped to the axis) with Keys' cubic convolution, a = -0.75.
``nearest`` reads ``floor(i s)`` and ``nearest-exact`` ``floor((i + 0.5) s)`` (rounded as torch's kernels
round, see :func:`_nearest_indices`, so borderline positions land on the same entry). ``area`` is adaptive
average pooling. With ``antialias=True`` (bilinear, bicubic, lanczos) a downscaling filter is stretched by the
scale: the triangle, Keys' cubic (a = -0.5) or Lanczos-3 ``sinc(x) sinc(x / 3)`` over ``support = 1``, ``2`` or
``3`` times ``max(s, 1)`` entries around ``s (i + 0.5)``, normalised to sum to 1 (torch's, after Pillow).
``lanczos`` (4-D input) exists only so: it needs ``antialias=True`` and refuses ``align_corners=True``.

An inf or nan in the input spreads as in torch's kernels, which multiply every tap of an output, one of weight 0
too (0 * inf is nan; linear's copy of a kept length is x[i] * 1 + x[i] * 0), and read no other entry.

Errors follow torch's classes (each a ValueError too): an unknown mode, or an input of a rank the mode has no
kernel for, is an ``UnsupportedOptionError`` (torch's NotImplementedError); a size or scale factor that is not positive and finite,
or gives an output size below 1 (below 0 in mode "area", whose empty output is torch's), an ``ArgumentRangeError``, and an empty spatial axis a ``ShapeError`` (torch's
RuntimeErrors).
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, ShapeError, Tensor, matmul, where
from autograd.accumulation import float16_via_float32
from autograd.banded import blocks_from_taps, blocks_from_windows, resample, worth_banding
from autograd.conv import repeat_blocks

from ..checks import UnsupportedOptionError, check_choice, check_flag
from .activations import as_float_tensor
from .conv import _adaptive_average, adaptive_windows, as_pooled_tensor, no_adaptive_cells

__all__ = ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]

MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "lanczos", "area")
#: The one number of spatial axes each interpolating mode works on (the others work on 1, 2 or 3).
_MODE_AXES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "lanczos": 2}
#: Each antialiasing filter's reach (in input entries, before stretching by the scale).
_ANTIALIAS_SUPPORT = {"bilinear": 1.0, "bicubic": 2.0, "lanczos": 3.0}


def _per_axis(value: Any, name: str, axes: int, shape: tuple[int, ...], kind: type, empty: bool = False) -> tuple:
    """``value`` (one number, or one per spatial axis) as a tuple of ``axes`` checked positive numbers (or 0 too,
    with ``empty``).

    An integer is anything with ``__index__`` but a bool (as torch's sizes: a numpy integer, a 0-d integer
    array or tensor); a number any real number but a bool."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * axes
    if len(values) != axes:
        raise ValueError(
            f"interpolate: {name} must give one entry per spatial axis, got {value!r} for input of shape {shape}"
        )
    checked = []
    for entry in values:
        wanted = "an integer" if kind is numbers.Integral else "a number"
        refused = TypeError(f"interpolate: {name} must be {wanted} or a sequence of them, got {value!r}")
        if isinstance(entry, (bool, np.bool_)) or getattr(entry, "dtype", None) == np.bool_:
            raise refused
        if kind is numbers.Integral:
            try:
                entry = operator.index(entry)
            except TypeError:
                raise refused from None
        elif not isinstance(entry, numbers.Real):
            raise refused
        if not (math.isfinite(entry) and (entry > 0 or (empty and entry == 0))):
            wanted = "non-negative" if empty else "positive and finite"
            raise ArgumentRangeError(f"interpolate: {name} must be {wanted}, got {value!r}")
        checked.append(entry if kind is numbers.Integral else float(entry))
    return tuple(checked)


def _output_geometry(
    shape: tuple[int, ...], size: Any, scale_factor: Any, recompute_scale_factor: Any, empty: bool = False
) -> tuple[tuple[int, ...], tuple[float | None, ...]]:
    """(output sizes, the scale factors the kernels use: None where the sizes decide) per spatial axis; a size
    of 0 only with ``empty`` (mode "area", torch's adaptive average pooling)."""
    axes = len(shape) - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if recompute_scale_factor is not None:
        recompute_scale_factor = check_flag("interpolate", "recompute_scale_factor", recompute_scale_factor)
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size")
        return _per_axis(size, "size", axes, shape, numbers.Integral, empty), (None,) * axes
    scales = _per_axis(scale_factor, "scale_factor", axes, shape, numbers.Real)
    sizes = tuple(math.floor(n * s) for n, s in zip(shape[2:], scales))
    if (
        min(sizes) < (0 if empty else 1) or max(sizes) > np.iinfo(np.int64).max
    ):  # torch's RuntimeError: no int64 output size
        raise ArgumentRangeError(
            f"interpolate: scale_factor {scale_factor!r} gives output size {sizes} for input {shape}"
        )
    return sizes, (None,) * axes if recompute_scale_factor else scales


def _inverse_scale(length: int, size: int, scale: float | None, align_corners: bool, dtype: type) -> Any:
    """Input positions per output position (torch's ``area_pixel_compute_scale``), in ``dtype``."""
    if align_corners:
        return dtype((length - 1) / (size - 1)) if size > 1 else dtype(0.0)
    return dtype(1.0 / scale) if scale is not None else dtype(length) / dtype(size)


def _nearest_indices(length: int, size: int, scale: float | None, exact: bool, dtype: type, plane: bool) -> np.ndarray:
    """The input entry each output position reads: floor(i s) or, exact, floor((i + 0.5) s), at most n - 1.

    The rounding is torch's CPU kernels', which differ with the number of spatial axes. For 1 or 3 axes: s and
    the products in the input's precision (``dtype``), the floor taken in float32, the exact mode's
    ``(i + 0.5) s - 0.5`` rounded once (a fused multiply-add), then + 0.5. For 2 axes (``plane``): s in float32,
    and an axis whose length is kept (or doubled, not exact) is read as it is (or each entry twice), whatever the
    scale factor.
    """
    positions = np.arange(size)
    if plane:
        step = np.float32(1.0 / scale) if scale is not None else np.float32(length) / np.float32(size)
        if not exact and size in (length, 2 * length):
            return positions // (size // length)
        source = (positions + 0.5) * np.float64(step) if exact else positions.astype(np.float32) * step
    elif exact:
        step = _inverse_scale(length, size, scale, False, dtype)
        source = np.maximum((np.float64(step) * (positions + 0.5) - 0.5).astype(dtype), 0) + dtype(0.5)
    else:
        source = _inverse_scale(length, size, scale, False, dtype) * positions.astype(dtype)
    return np.minimum(np.floor(source.astype(np.float32)).astype(np.int64), length - 1)


def _source_positions(length: int, size: int, scale: float | None, align_corners: bool, cubic: bool) -> np.ndarray:
    """Each output position's source coordinate (torch's ``area_pixel_compute_source_index``)."""
    step, positions = _inverse_scale(length, size, scale, align_corners, np.float64), np.arange(size)
    if align_corners:
        return step * positions
    source = step * (positions + 0.5) - 0.5
    return source if cubic else np.maximum(source, 0.0)


def _from_taps(taps: list[tuple[np.ndarray, np.ndarray]], size: int, length: int) -> np.ndarray:
    """The (size, length) matrix summing each tap's weights[i] at (i, columns[i]), the taps in turn."""
    matrix, rows = np.zeros((size, length)), np.arange(size)
    for columns, weights in taps:
        np.add.at(matrix, (rows, columns), weights)
    return matrix


def _linear_taps(
    length: int, size: int, scale: float | None, align_corners: bool
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Output i weighs entries floor(src) and floor(src) + 1 (clamped) by 1 - t and t: (columns, weights) per tap."""
    source = _source_positions(length, size, scale, align_corners, cubic=False)
    first = np.minimum(np.floor(source).astype(np.int64), length - 1)
    fraction = np.clip(source - first, 0.0, 1.0)
    return [(first, 1.0 - fraction), (np.minimum(first + 1, length - 1), fraction)]


def _linear_weights(length: int, size: int, scale: float | None, align_corners: bool) -> np.ndarray:
    """(size, length) matrix: row i weighs entries floor(src) and floor(src) + 1 (clamped) by 1 - t and t."""
    if size == length:  # torch copies the input whatever the scale factor
        return np.eye(length)
    return _from_taps(_linear_taps(length, size, scale, align_corners), size, length)


def _keys_cubic(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel W(x): (a+2)|x|^3 - (a+3)|x|^2 + 1 on [0, 1], a|x|^3 - 5a|x|^2 + 8a|x| - 4a
    on (1, 2), 0 beyond."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def _cubic_taps(
    length: int, size: int, scale: float | None, align_corners: bool
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Output i weighs entries floor(src) - 1 .. floor(src) + 2 (read clamped) by W(t + 1), W(t), W(1 - t),
    W(2 - t) with a = -0.75: (columns, weights) per tap."""
    source = _source_positions(length, size, scale, align_corners, cubic=True)
    first = np.minimum(np.floor(source).astype(np.int64), length - 1)
    fraction = np.clip(source - first, 0.0, 1.0)
    return [
        (np.clip(first + offset, 0, length - 1), _keys_cubic(distance, -0.75))
        for offset, distance in zip(range(-1, 3), (fraction + 1, fraction, 1 - fraction, 2 - fraction))
    ]


def _cubic_weights(length: int, size: int, scale: float | None, align_corners: bool) -> np.ndarray:
    """(size, length) matrix: row i weighs entries floor(src) - 1 .. floor(src) + 2 (read clamped) by W(t + 1),
    W(t), W(1 - t), W(2 - t) with a = -0.75."""
    return _from_taps(_cubic_taps(length, size, scale, align_corners), size, length)


def _lanczos3(x: np.ndarray) -> np.ndarray:
    """Lanczos-3 window L(x) = sinc(x) sinc(x / 3) on [-3, 3) (Pillow's half-open interval), 0 beyond."""
    return np.where((x >= -3.0) & (x < 3.0), np.sinc(x) * np.sinc(x / 3.0), 0.0)


def _antialias_windows(
    length: int, size: int, scale: float | None, align_corners: bool, mode: str
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(lows, highs, weights): output i reads entries lows[i] <= j < highs[i], those whose centres lie within
    ``support`` of ``center = s (i + 0.5)``, weighed by filter((j + 0.5 - center) / max(s, 1)) normalised to sum 1;
    the filter is ``mode``'s: triangle (bilinear), Keys' cubic with a = -0.5 (bicubic) or Lanczos-3 (lanczos)."""
    step = _inverse_scale(length, size, scale, align_corners, np.float64)
    support = _ANTIALIAS_SUPPORT[mode] * max(step, 1.0)
    stretch = 1.0 / step if step >= 1.0 else 1.0
    lows, highs, rows = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64), []
    for row in range(size):
        center = step * (row + 0.5)
        lows[row] = low = max(int(center - support + 0.5), 0)
        highs[row] = high = min(int(center + support + 0.5), length)
        offsets = (np.arange(low, high) - center + 0.5) * stretch
        if mode == "lanczos":
            weights = _lanczos3(offsets)
        elif mode == "bicubic":
            weights = _keys_cubic(offsets, -0.5)
        else:
            weights = np.maximum(1.0 - np.abs(offsets), 0.0)
        total = weights.sum()
        rows.append(weights / total if total != 0 else weights)
    return lows, highs, rows


def _antialias_weights(length: int, size: int, scale: float | None, align_corners: bool, mode: str) -> np.ndarray:
    """(size, length) matrix of torch's antialiasing filter, row i holding :func:`_antialias_windows`' weights.
    An axis whose length is kept is copied, as torch's (whatever the scale factor: 1.1 on 5 entries keeps 5)."""
    if size == length:
        return np.eye(length)
    matrix = np.zeros((size, length))
    for row, (low, high, weights) in enumerate(zip(*_antialias_windows(length, size, scale, align_corners, mode))):
        matrix[row, low:high] = weights
    return matrix


def _weight_matrix(
    mode: str, antialias: bool, length: int, size: int, scale: float | None, align_corners: bool
) -> np.ndarray:
    """The (size, length) float64 matrix ``mode`` resizes one axis of ``length`` entries to ``size`` with."""
    if mode == "area":
        return _adaptive_average(length, size, np.float64)
    if antialias:
        return _antialias_weights(length, size, scale, align_corners, mode)
    if mode == "bicubic":
        return _cubic_weights(length, size, scale, align_corners)
    return _linear_weights(length, size, scale, align_corners)


def _weight_blocks(
    mode: str, antialias: bool, length: int, size: int, scale: float | None, align_corners: bool, dtype: Any
) -> tuple | None:
    """:func:`_weight_matrix`'s matrix in row blocks (:mod:`.banded`), in ``dtype``, for a long axis whose
    weights are a band (linear, cubic, area); None where the whole matrix serves."""
    if antialias or not worth_banding(length, size) or (mode not in ("area", "bicubic") and size == length):
        return None
    if mode == "area":
        return blocks_from_windows(*adaptive_windows(length, size), dtype)
    taps = (_cubic_taps if mode == "bicubic" else _linear_taps)(length, size, scale, align_corners)
    return blocks_from_taps(taps, size, dtype)


def _window_taps(lows: np.ndarray, highs: np.ndarray, matrix: np.ndarray) -> tuple:
    """(columns, weights, read) of outputs reading the windows lows[i] <= j < highs[i] with ``matrix``'s weights:
    each row padded to the widest window, ``read`` False on the padding."""
    width = int((highs - lows).max())
    columns = lows[:, None] + np.arange(width)
    read = columns < highs[:, None]
    columns = np.minimum(columns, matrix.shape[1] - 1)
    return columns, np.where(read, np.take_along_axis(matrix, columns, axis=1), 0.0), read


def _taps(mode: str, antialias: bool, length: int, size: int, scale: float | None, align_corners: bool) -> tuple:
    """(columns, weights, read), each (size, taps): output i sums weights[i, k] x[columns[i, k]] over the taps k
    where ``read`` (None: all) holds, every tap torch's kernels multiply, one of weight 0 too (so an inf there
    makes the output nan, as torch's): the two of linear (one entry twice, weights 1 and 0, on a kept length),
    the four of bicubic, each antialiasing window, each area window."""
    if mode == "area":
        return _window_taps(*adaptive_windows(length, size), _adaptive_average(length, size, np.float64))
    if antialias:
        lows, highs, _ = _antialias_windows(length, size, scale, align_corners, mode)
        return _window_taps(lows, highs, _antialias_weights(length, size, scale, align_corners, mode))
    if mode == "bicubic":
        taps = _cubic_taps(length, size, scale, align_corners)
    elif size == length:  # torch's copy: x[i] * 1 + x[i] * 0
        kept = np.arange(length)
        taps = [(kept, np.ones(length)), (kept, np.zeros(length))]
    else:
        taps = _linear_taps(length, size, scale, align_corners)
    columns, weights = zip(*taps)
    return np.stack(columns, axis=1), np.stack(weights, axis=1), None


def _resize_uint8(
    data: np.ndarray, sizes: tuple[int, ...], scales: tuple, mode: str, antialias: bool, align_corners: bool
) -> np.ndarray:
    """torch's uint8 image kernels (bilinear, bicubic, lanczos of (N, C, H, W) uint8, Pillow-SIMD's arithmetic).

    Separable passes, the width first, then the height (a pass skipped where the length is kept). Each pass
    rounds the float weights to int16 fixed point, ``round(w 2^p)`` with p the most bits (at most 22) keeping the
    largest ``|w| 2^(p+1)`` below 2^15, sums ``2^(p-1) + sum_j w_j x_j`` in integers, shifts it right by p and
    saturates the result to 0..255, so the second pass reads the first one's uint8 values.
    """
    out = data.astype(np.int64)
    for axis in (3, 2):
        length, size, scale = out.shape[axis], sizes[axis - 2], scales[axis - 2]
        if size == length:
            continue
        matrix = _weight_matrix(mode, antialias, length, size, scale, align_corners)
        largest, bits = np.abs(matrix).max(), 0
        while bits < 22 and int(0.5 + largest * (1 << (bits + 1))) < (1 << 15):
            bits += 1
        scaled = matrix * (1 << bits)
        fixed = np.trunc(np.where(scaled < 0, scaled - 0.5, scaled + 0.5)).astype(np.int64)
        summed = np.moveaxis(np.tensordot(fixed, np.moveaxis(out, axis, 0), axes=1), 0, axis)
        out = np.clip((summed + (1 << (bits - 1))) >> bits, 0, 255)
    return out.astype(np.uint8)


def _along_axis(x: Tensor, matrix: np.ndarray, axis: int) -> Tensor:
    """``matrix`` (out, n) applied along ``axis`` of ``x``: y[..., i, ...] = sum_j matrix[i, j] x[..., j, ...]."""
    if axis == x.ndim - 1:
        return matmul(x, matrix.T)
    shape = x.shape
    rest = math.prod(shape[axis + 1 :])
    out = matmul(matrix, x.reshape(math.prod(shape[:axis]), shape[axis], rest))
    return out.reshape(shape[:axis] + (matrix.shape[0],) + shape[axis + 1 :])


def _tap_by_tap(x: Tensor, taps: tuple, axis: int) -> Tensor:
    """The resampling along ``axis`` as a sum over :func:`_taps` (torch's sums), for an x holding an inf or nan:
    it reaches the outputs whose taps read it (nan where a weight is 0), and no others."""
    columns, weights, read = taps
    shape = (columns.shape[0],) + (1,) * (x.ndim - axis - 1)
    weights = weights.astype(x.dtype)
    out = None
    for tap in range(columns.shape[1]):
        term = x[(slice(None),) * axis + (columns[:, tap],)] * weights[:, tap].reshape(shape)
        if read is not None and not read[:, tap].all():
            term = where(read[:, tap].reshape(shape), term, 0)
        out = term if out is None else out + term
    return out


def _read_nearest(x: Tensor, per_axis: list[np.ndarray]) -> Tensor:
    """x read at the entries ``per_axis[k]`` along spatial axis k: one :func:`repeat_blocks` when every axis
    reads each entry r times in turn (i // r: a whole scale factor, whichever nearest mode), else a gather per
    axis (the gradient adds g back at the entries read)."""
    repeats = [max(indices.size // length, 1) for indices, length in zip(per_axis, x.shape[2:])]
    if all(
        np.array_equal(indices, np.arange(r * length) // r)
        for indices, r, length in zip(per_axis, repeats, x.shape[2:])
    ):
        return repeat_blocks(x, repeats)
    for offset, indices in enumerate(per_axis):
        x = x[(slice(None),) * (2 + offset) + (indices,)]
    return x


@float16_via_float32  # the passes along each axis in float32, rounded once
def interpolate(
    input: Any,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial axes of ``(N, C, L)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)`` input, as torch's.

    Give ``size`` (an int or one per spatial axis) or ``scale_factor`` (output size floor(n * scale)); ``mode``
    is "nearest", "nearest-exact", "area" (any of 1-3 spatial axes), "linear" (3-D input), "bilinear",
    "bicubic" or "lanczos" (4-D), "trilinear" (5-D). ``align_corners`` (interpolating modes only; default False)
    maps the corner pixels' centres onto each other. A scale factor also sets the source positions (s = 1 / scale)
    unless ``recompute_scale_factor=True`` (s = n / size). ``antialias`` (bilinear, bicubic, lanczos; lanczos
    needs it) low-pass filters when shrinking. The source positions, weights and filters are in the module
    docstring. Gradients flow to the input through the gathers and weight matrices (any order). The nearest
    modes keep an integer input's dtype (a uint8 image stays uint8, as torch's), and bilinear, bicubic and
    lanczos resize a uint8 image to uint8 with torch's fixed-point kernels (:func:`_resize_uint8`); the others
    compute in floating point. An input of no channels is a :class:`ShapeError` (torch's RuntimeError), except in
    mode "area" of 1 or 2 spatial axes, which torch's adaptive average pooling resizes.
    """
    check_choice("interpolate", "mode", mode, MODES, UnsupportedOptionError)  # torch's NotImplementedError
    # the nearest modes copy entries: integer data keeps its dtype (torch's uint8 images stay uint8), as do the
    # image filters' uint8 kernels
    nearest = mode in ("nearest", "nearest-exact")
    if nearest or mode in _ANTIALIAS_SUPPORT:
        x = as_pooled_tensor(input, "interpolate")
    else:
        x = as_float_tensor(input, "interpolate")
    axes = x.ndim - 2
    if axes not in (1, 2, 3):
        raise UnsupportedOptionError(
            f"interpolate: expected an input of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got shape {x.shape}"
        )
    if _MODE_AXES.get(mode, axes) != axes:
        raise UnsupportedOptionError(
            f"interpolate: mode {mode!r} needs a {_MODE_AXES[mode] + 2}-D input, got shape {x.shape}"
        )
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError(
                f"interpolate: align_corners can only be set with the interpolating modes linear, bilinear, bicubic "
                f"and trilinear, not {mode!r}"
            )
        align_corners = False
    align_corners = False if align_corners is None else check_flag("interpolate", "align_corners", align_corners)
    antialias = check_flag("interpolate", "antialias", antialias)
    if antialias and mode not in _ANTIALIAS_SUPPORT:
        raise ValueError(f"interpolate: antialias is for modes 'bilinear', 'bicubic' and 'lanczos' only, not {mode!r}")
    if mode == "lanczos" and align_corners:
        raise ValueError("interpolate: mode 'lanczos' does not support align_corners=True")
    if mode == "lanczos" and not antialias:
        raise ValueError("interpolate: mode 'lanczos' requires antialias=True")
    sizes, scales = _output_geometry(x.shape, size, scale_factor, recompute_scale_factor, empty=mode == "area")
    if min(x.shape[2:], default=1) < 1:
        raise ShapeError(f"interpolate: input of shape {x.shape} has an empty spatial axis")
    if x.shape[1] == 0 and not (mode == "area" and axes < 3):  # torch's adaptive_avg_pool1d/2d take no channels
        raise ShapeError(
            f"interpolate: input of shape {x.shape} has no channels, which mode {mode!r} does not take (torch's "
            "'Non-empty data tensor expected')"
        )
    if 0 in sizes:  # mode "area": torch's adaptive average pooling to no cells
        return no_adaptive_cells(x, sizes)
    precision = np.float32 if x.dtype.itemsize <= 4 else np.float64
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        per_axis = [
            _nearest_indices(length, out, scale, exact, precision, plane=axes == 2)
            for length, out, scale in zip(x.shape[2:], sizes, scales)
        ]
        return _read_nearest(x, per_axis)
    if x.dtype == np.uint8:  # bilinear, bicubic or lanczos: torch's uint8 image kernels, no gradient
        return Tensor(_resize_uint8(x._data, sizes, scales, mode, antialias, align_corners))
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    for axis, (length, out, scale) in enumerate(zip(x.shape[2:], sizes, scales), start=2):
        if out == length and (antialias or mode == "area"):  # torch copies (area: windows of one entry)
            continue
        finite = bool(np.isfinite(x._data).all())
        if out == length and mode != "bicubic" and finite:  # linear's x[i] * 1 + x[i] * 0 is x[i]
            continue
        if not finite:  # torch's taps alone (the matmul would give nan at every 0 * inf)
            x = _tap_by_tap(x, _taps(mode, antialias, length, out, scale, align_corners), axis)
            continue
        blocks = _weight_blocks(mode, antialias, length, out, scale, align_corners, x.dtype)
        if blocks is not None:  # a long axis: the band's blocks
            x = resample(x, blocks, axis, out)
        else:
            x = _along_axis(x, _weight_matrix(mode, antialias, length, out, scale, align_corners).astype(x.dtype), axis)
    return x


def _deprecated(name: str) -> None:
    """torch's warning for its deprecated resizing names (a UserWarning, shown by default)."""
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=3)


def upsample(
    input: Any,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated (as torch's): ``interpolate(input, size, scale_factor, mode, align_corners)``, with a warning."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(
    input: Any, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None
) -> Tensor:
    """Deprecated (as torch's): ``interpolate(input, size, scale_factor, mode="nearest")``, with a warning."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(
    input: Any, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None
) -> Tensor:
    """Deprecated (as torch's): ``interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)``
    of (N, C, H, W) input, with a warning."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
