"""Sliding windows over NCHW arrays, in plain numpy: window geometry, ``unfold_array`` (im2col)
and its adjoint ``fold_array`` (col2im).

For a kernel ``(kh, kw)``, stride ``(sh, sw)``, padding ``(ph, pw)`` and dilation
``(dh, dw)``, window ``(i, j)`` of channel ``c`` reads the padded image at rows
``i*sh + a*dh`` and columns ``j*sw + b*dw`` for ``a < kh``, ``b < kw``:

    unfold(x)[n, c, i, j, a, b] = pad(x)[n, c, i*sh + a*dh, j*sw + b*dw]

and ``fold`` is its adjoint, adding every window entry back where it was read:

    fold(w)[n, c, y, x] = sum of w[n, c, i, j, a, b] over (i, j, a, b) reading (y, x).

This module knows nothing of graph nodes: the primitives built on it live in
:mod:`autograd.derivatives.conv` (their derivative rules) and :mod:`autograd.conv`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = [
    "IntOrPair",
    "Pair",
    "ceil_mode_extra",
    "conv_output_size",
    "fold_array",
    "gather_planes",
    "geometry",
    "pair",
    "scatter_planes",
    "unfold_array",
    "window_argmax",
]

Pair = tuple[int, int]
IntOrPair = int | Sequence[int]


def pair(value: IntOrPair, name: str, op: str, minimum: int = 1) -> Pair:
    """``value`` as a pair of ints (an int ``k`` gives ``(k, k)``), each at least ``minimum``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        result = (int(value), int(value))
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
    ):
        result = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(result) < minimum:
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return result


def conv_output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Number of kernel positions along one axis: ``floor((n + 2p - d(f-1) - 1) / s) + 1``.

    ``n`` is the input length, ``f`` the kernel size, ``p`` the padding on each
    side, ``s`` the stride and ``d`` the dilation (the kernel spans ``d(f-1) + 1``
    inputs). Raises ValueError if an argument is out of range or the padded input
    is shorter than the dilated kernel.
    """
    for name, value, minimum in (("n", n, 0), ("f", f, 1), ("p", p, 0), ("s", s, 1), ("d", d, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"conv_output_size: {name} must be an int, got {value!r}")
        if value < minimum:
            raise ValueError(f"conv_output_size: {name} must be at least {minimum}, got {value}")
    span = d * (f - 1) + 1
    if n + 2 * p < span:
        raise ValueError(
            f"conv_output_size: input of size {n} (padded to {n + 2 * p}) is smaller than the kernel span {span} "
            f"(kernel {f}, dilation {d})"
        )
    return (n + 2 * p - span) // s + 1


def ceil_mode_extra(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Cells to add after the padded end of an axis so that pooling with ``ceil_mode`` fits its last window.

    PyTorch's ceil mode counts ``ceil((n + 2p - d(f-1) - 1) / s) + 1`` windows, less the last one
    if it would start in the right padding (past ``n + p``); the last window may hang over the
    padded end, by the returned number of cells (0 when the floor count already covers the axis).
    """
    span = d * (f - 1) + 1
    count = conv_output_size(n, f, p, s, d)
    if (n + 2 * p - span) % s and count * s < n + p:
        count += 1
    return max((count - 1) * s + span - (n + 2 * p), 0)


def geometry(kernel_size: IntOrPair, stride: IntOrPair, padding: IntOrPair, dilation: IntOrPair, op: str):
    """(kernel_size, stride, padding, dilation) as checked pairs (padding may be 0, the rest >= 1)."""
    return (
        pair(kernel_size, "kernel_size", op),
        pair(stride, "stride", op),
        pair(padding, "padding", op, minimum=0),
        pair(dilation, "dilation", op),
    )


def unfold_array(
    x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, pad_value: float = 0.0
) -> np.ndarray:
    """The windows of an ``(N, C, H, W)`` array: a read-only ``(N, C, H_out, W_out, kh, kw)`` view."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=pad_value)
    n, c, height, width = x.shape
    out_h = (height - dh * (kh - 1) - 1) // sh + 1
    out_w = (width - dw * (kw - 1) - 1) // sw + 1
    s_n, s_c, s_h, s_w = x.strides
    return as_strided(
        x,
        shape=(n, c, out_h, out_w, kh, kw),
        strides=(s_n, s_c, s_h * sh, s_w * sw, s_h * dh, s_w * dw),
        writeable=False,
    )


def fold_array(
    windows: np.ndarray, output_size: Sequence[int], kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> np.ndarray:
    """Add ``(N, C, H_out, W_out, kh, kw)`` windows back into an ``(N, C, H, W)`` array (adjoint of unfold)."""
    n, c, out_h, out_w, kh, kw = windows.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    height, width = output_size
    padded_shape = (n, c, height + 2 * ph, width + 2 * pw)
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1):  # windows tile the image: one transposed copy
        tiles = windows.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, out_h * kh, out_w * kw)
        if tiles.shape == padded_shape:
            padded = tiles
        else:
            padded = np.zeros(padded_shape, dtype=windows.dtype)
            padded[:, :, : out_h * kh, : out_w * kw] = tiles
    else:
        padded = np.zeros(padded_shape, dtype=windows.dtype)
        rows_span, cols_span = sh * (out_h - 1) + 1, sw * (out_w - 1) + 1
        for a in range(kh):
            for b in range(kw):
                rows = slice(a * dh, a * dh + rows_span, sh)
                cols = slice(b * dw, b * dw + cols_span, sw)
                padded[:, :, rows, cols] += windows[:, :, :, :, a, b]
    return padded[:, :, ph : ph + height, pw : pw + width]


def window_argmax(
    x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, extra: Pair = (0, 0)
) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of every window of an ``(N, C, H, W)`` array and where it is.

    Returns ``(values, positions)``, both ``(N, C, H_out, W_out)``: ``positions`` holds the
    flat index ``row * W + col`` into the unpadded ``H x W`` plane of the window's first
    maximal entry (as PyTorch; a NaN wins over numbers). The padding, and the ``extra``
    (rows, columns) added after it at the bottom and right (ceil mode: see
    :func:`ceil_mode_extra`), hold the dtype's lowest number and never win: every window
    must hold an input entry. One pass per kernel offset over strided views, no copy of
    the windows.
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    n, c, height, width = x.shape
    if ph or pw or extra != (0, 0):
        widths = ((0, 0), (0, 0), (ph, ph + extra[0]), (pw, pw + extra[1]))
        x = np.pad(x, widths, constant_values=np.finfo(x.dtype).min)
    out_h = (x.shape[2] - dh * (kh - 1) - 1) // sh + 1
    out_w = (x.shape[3] - dw * (kw - 1) - 1) // sw + 1
    rows_span, cols_span = sh * (out_h - 1) + 1, sw * (out_w - 1) + 1
    best = x[:, :, 0:rows_span:sh, 0:cols_span:sw].copy()
    best_offset = np.zeros(best.shape, dtype=np.intp)
    for offset in range(1, kh * kw):
        a, b = divmod(offset, kw)
        candidate = x[:, :, a * dh : a * dh + rows_span : sh, b * dw : b * dw + cols_span : sw]
        better = candidate > best
        nan = np.isnan(candidate)
        if nan.any():  # a NaN wins over numbers, and the first NaN stays
            better |= nan & ~np.isnan(best)
        best_offset[better] = offset
        np.maximum(best, candidate, out=best)  # propagates NaN, as the comparison above decided
    # flat position in the unpadded plane: the window's corner plus the offset's (row, col) shift
    shift = np.array([(a * dh) * width + b * dw for a in range(kh) for b in range(kw)], dtype=np.intp)
    corners = (np.arange(out_h) * sh - ph)[:, None] * width + (np.arange(out_w) * sw - pw)
    return best, shift[best_offset] + corners


def _flat_positions(positions: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Plane positions ``(N, C, ...)`` as flat indices into the whole ``(N, C, H, W)`` array."""
    n, c, height, width = shape
    planes = (np.arange(n * c) * (height * width)).reshape(n, c, *([1] * (positions.ndim - 2)))
    return (positions + planes).ravel()


def gather_planes(x: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``x[n, c].flat[positions[n, c, ...]]`` for an ``(N, C, H, W)`` array: shape of ``positions``."""
    if positions.size == 0:
        return np.zeros(positions.shape, dtype=x.dtype)
    return np.ascontiguousarray(x).reshape(-1)[_flat_positions(positions, x.shape)].reshape(positions.shape)


def scatter_planes(values: np.ndarray, positions: np.ndarray, shape: Sequence[int], unique: bool) -> np.ndarray:
    """Zeros of ``(N, C, H, W)`` ``shape`` with ``values`` added at the flat ``positions`` of each plane.

    The adjoint of :func:`gather_planes`. ``unique=True`` promises that no position repeats
    within a plane (non-overlapping windows): one assignment; otherwise repeats add up.
    """
    size = int(np.prod(shape))
    if values.size == 0:
        return np.zeros(shape, dtype=values.dtype)
    flat = _flat_positions(positions, shape)
    if unique:
        result = np.zeros(size, dtype=values.dtype)
        result[flat] = values.ravel()
        return result.reshape(shape)
    summed = np.bincount(flat, weights=values.ravel(), minlength=size)
    return summed.astype(values.dtype, copy=False).reshape(shape)
