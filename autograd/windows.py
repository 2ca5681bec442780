"""Sliding windows over NCHW arrays, in plain numpy: window geometry, ``unfold_array`` (im2col)
and its adjoint ``fold_array`` (col2im); ``repeat_blocks_array`` (nearest upsampling by whole factors) and its
adjoint ``block_sums_array`` (sums over windows that tile the array); ``window_sums_array`` (sums over any
windows, average pooling's) and its adjoint ``spread_over_windows_array``.

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

import math
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .shape_errors import ArgumentRangeError, ShapeError, integer_argument, is_integer

__all__ = [
    "IntOrPair",
    "Pair",
    "block_sums_array",
    "ceil_mode_extra",
    "conv_output_size",
    "fold_array",
    "gather_windows",
    "geometry",
    "is_int_sequence",
    "pair",
    "pool_output_size",
    "read_integer_tensors",
    "repeat_blocks_array",
    "scatter_windows",
    "spread_over_windows_array",
    "unfold_array",
    "window_argmax",
    "window_sums_array",
    "wrong_length",
]

Pair = tuple[int, int]
IntOrPair = int | Sequence[int]


def is_int_sequence(value: object) -> bool:
    """Whether ``value`` is a tuple or list of ints (Python or numpy, not bools): a window geometry's per-axis form."""
    return isinstance(value, (tuple, list)) and all(is_integer(v) for v in value)


def wrong_length(op: str, name: str, value: Sequence[int], wanted: str) -> ArgumentRangeError:
    """The error of ints given for another number of axes than the op's, torch's RuntimeError ("expected padding to
    be a single integer value or a list of 2 values"): an :class:`ArgumentRangeError`, a ValueError too."""
    return ArgumentRangeError(f"{op}: {name} must be an int or {wanted}, got {len(value)} values {tuple(value)!r}")


def read_integer_tensors(value: object) -> object:
    """``value`` with each one-element integer Tensor (alone, or an entry of a tuple or list) read as the int it holds,
    as torch reads a tensor given for an int argument (a stride or a size computed from tensors); ``value`` itself
    (the same object) when it holds none, to be refused by the caller."""
    if isinstance(value, (tuple, list)):
        read = [integer_argument(entry) for entry in value]
        return value if all(new is old for new, old in zip(read, value)) else type(value)(read)
    return integer_argument(value)


def pair(value: IntOrPair, name: str, op: str, minimum: int = 1) -> Pair:
    """``value`` as a pair of ints (an int ``k`` gives ``(k, k)``, and so does a one-element sequence ``(k,)`` or
    ``[k]``, as torch expands it), each at least ``minimum``: else an :class:`ArgumentRangeError` (a ValueError and, as
    torch's stride 0 or negative padding, a RuntimeError), also for a sequence of another number of ints (torch's
    RuntimeError), and a TypeError for anything but ints (one-element integer Tensors are read as theirs)."""
    try:
        return _pair(value, name, op, minimum)
    except TypeError:  # off the common path: integer Tensors read as the ints they hold, as torch reads them
        read = read_integer_tensors(value)
        if read is value:
            raise
        return _pair(read, name, op, minimum)


def _pair(value: IntOrPair, name: str, op: str, minimum: int) -> Pair:
    """:func:`pair` of Python and numpy ints."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if is_int_sequence(value) and len(value) != 2:
        raise wrong_length(op, name, value, "a pair of ints")
    if is_integer(value):
        result = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(is_integer(v) for v in value):
        result = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(result) < minimum:
        raise ArgumentRangeError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return result


def conv_output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Number of kernel positions along one axis: ``floor((n + 2p - d(f-1) - 1) / s) + 1``.

    ``n`` is the input length, ``f`` the kernel size, ``p`` the padding on each
    side, ``s`` the stride and ``d`` the dilation (the kernel spans ``d(f-1) + 1``
    inputs). Raises ValueError if an argument is out of range, and a :class:`ShapeError` (a ValueError
    too, and torch's RuntimeError) if the padded input is shorter than the dilated kernel.
    """
    for name, value, minimum in (("n", n, 0), ("f", f, 1), ("p", p, 0), ("s", s, 1), ("d", d, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"conv_output_size: {name} must be an int, got {value!r}")
        if value < minimum:
            raise ValueError(f"conv_output_size: {name} must be at least {minimum}, got {value}")
    span = d * (f - 1) + 1
    if n + 2 * p < span:
        raise ShapeError(
            f"conv_output_size: input of size {n} (padded to {n + 2 * p}) is smaller than the kernel span {span} "
            f"(kernel {f}, dilation {d})"
        )
    return (n + 2 * p - span) // s + 1


def pool_output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1, ceil_mode: bool = False) -> int:
    """PyTorch's number of pooling windows along one axis, at most 0 when none fits.

    With ``r = n + 2p - d(f-1) - 1`` (the padded length less the dilated kernel's span), floor mode counts
    ``floor(r / s) + 1`` windows (:func:`conv_output_size`, unchecked). Ceil mode counts ``ceil(r / s) + 1``,
    less the last one if it would start in the right padding, at or past ``n + p``: the last window may hang
    over the padded end, so a window exists whenever ``r > -s``, even for a kernel longer than the input.
    Arguments are not checked (``n``, ``f``, ``s``, ``d`` at least 1, ``p`` at least 0).
    """
    room = n + 2 * p - d * (f - 1) - 1
    if not ceil_mode:
        return room // s + 1
    count = -(-room // s) + 1
    return count - 1 if (count - 1) * s >= n + p else count


def ceil_mode_extra(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Cells to add after the padded end of an axis so that pooling with ``ceil_mode`` fits its last window.

    The windows are :func:`pool_output_size`'s ceil-mode count; the last one, at ``(count - 1) s``, spans
    ``d(f-1) + 1`` cells and hangs over the padded end ``n + 2p`` by the returned number (0 when it fits).
    Raises a :class:`ShapeError` when ceil mode has no window at all.
    """
    count = pool_output_size(n, f, p, s, d, ceil_mode=True)
    if count < 1:
        raise ShapeError(
            f"ceil_mode_extra: input of size {n} (padded to {n + 2 * p}) has no window of kernel {f} "
            f"with dilation {d} and stride {s}"
        )
    return max((count - 1) * s + d * (f - 1) + 1 - (n + 2 * p), 0)


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
        x = _padded(x, (ph, pw), pad_value)
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


def _padded(x: np.ndarray, padding: Pair, value: float) -> np.ndarray:
    """``x`` with ``padding`` (rows, columns) of ``value`` on every side (``np.pad``'s result, 3x faster)."""
    (ph, pw), (n, c, height, width) = padding, x.shape
    shape = (n, c, height + 2 * ph, width + 2 * pw)
    padded = np.zeros(shape, dtype=x.dtype) if value == 0 else np.full(shape, value, dtype=x.dtype)
    padded[:, :, ph : ph + height, pw : pw + width] = x
    return padded


def fold_array(
    windows: np.ndarray, output_size: Sequence[int], kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> np.ndarray:
    """Add ``(N, C, H_out, W_out, kh, kw)`` windows back into an ``(N, C, H, W)`` array (adjoint of unfold)."""
    n, c, out_h, out_w, kh, kw = windows.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    height, width = output_size
    padded_shape = (n, c, height + 2 * ph, width + 2 * pw)
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1):  # windows tile the image: one transposed copy into it
        covered = (out_h * kh, out_w * kw) == padded_shape[2:]
        padded = (np.empty if covered else np.zeros)(padded_shape, dtype=windows.dtype)
        tiles = padded[:, :, : out_h * kh, : out_w * kw].reshape(n, c, out_h, kh, out_w, kw)  # (a view: axes split)
        tiles[...] = windows.transpose(0, 1, 2, 4, 3, 5)
    else:
        padded = np.zeros(padded_shape, dtype=windows.dtype)
        rows_span, cols_span = sh * (out_h - 1) + 1, sw * (out_w - 1) + 1
        for a in range(kh):
            for b in range(kw):
                rows = slice(a * dh, a * dh + rows_span, sh)
                cols = slice(b * dw, b * dw + cols_span, sw)
                padded[:, :, rows, cols] += windows[:, :, :, :, a, b]
    if not (ph or pw):  # the whole array, not a full-slice view of it (a leaf's .grad would copy a view)
        return padded
    return padded[:, :, ph : ph + height, pw : pw + width]


def _lowest(dtype: np.dtype) -> float | int:
    """The value below every other of ``dtype``: -inf, or an integer dtype's minimum."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _padded_below(x: np.ndarray, padding: Pair, extra: Pair) -> np.ndarray:
    """``x`` padded with -inf (an integer dtype's minimum) by ``padding`` on every side and ``extra`` more at the
    bottom and right; ``x`` itself without padding. -inf is below every number, so the padding can tie only with
    -inf inputs (:func:`window_argmax` moves those ties onto the input)."""
    (ph, pw), (eh, ew) = padding, extra
    if not (ph or pw or eh or ew):
        return x
    n, c, height, width = x.shape
    padded = np.full((n, c, height + 2 * ph + eh, width + 2 * pw + ew), _lowest(x.dtype), dtype=x.dtype)
    padded[:, :, ph : ph + height, pw : pw + width] = x
    return padded


def _offset_views(
    padded: np.ndarray, out_size: Sequence[int], kernel_size: Pair, stride: Pair, dilation: Pair
) -> Iterator[tuple[int, np.ndarray]]:
    """``(offset, view)`` for every kernel offset ``offset = a * kw + b``: the ``(N, C, H_out, W_out)``
    strided view of the padded array whose entry ``(i, j)`` is what window ``(i, j)`` reads at ``(a, b)``."""
    (out_h, out_w), (kh, kw), (sh, sw), (dh, dw) = out_size, kernel_size, stride, dilation
    rows_span, cols_span = sh * (out_h - 1) + 1, sw * (out_w - 1) + 1
    for offset in range(kh * kw):
        a, b = divmod(offset, kw)
        yield offset, padded[:, :, a * dh : a * dh + rows_span : sh, b * dw : b * dw + cols_span : sw]


def _offset_dtype(count: int) -> type:
    """The smallest unsigned integer type that holds the offsets 0 .. count - 1."""
    return np.uint8 if count <= 1 << 8 else np.uint16 if count <= 1 << 16 else np.intp


def window_argmax(
    x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, extra: Pair = (0, 0)
) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of every window of an ``(N, C, H, W)`` array (floating or integer) and where it is, as PyTorch
    picks it.

    Returns ``(values, offsets)``, both ``(N, C, H_out, W_out)``; ``offsets`` holds the kernel offset
    ``a * kw + b`` of the chosen entry, in the smallest unsigned dtype that fits. PyTorch scans a window's
    input entries in row-major order keeping ``v`` when ``v > best or isnan(v)``, from ``best = -inf`` at the
    first input entry: so the chosen entry is the last NaN if the window holds one, else the first maximum,
    and the first input entry when every input entry is -inf. The padding, and the ``extra`` (rows, columns)
    added after it at the bottom and right (ceil mode: see :func:`ceil_mode_extra`), are -inf and never
    chosen: every window must hold an input entry.

    One pass per kernel offset over strided views, no copy of the windows; NaN windows, and with padding
    windows whose maximum is -inf, are found from the result and get a second pass.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    padded = _padded_below(x, padding, extra)
    out_size = ((padded.shape[2] - dh * (kh - 1) - 1) // sh + 1, (padded.shape[3] - dw * (kw - 1) - 1) // sw + 1)
    views = [view for _, view in _offset_views(padded, out_size, kernel_size, stride, dilation)]
    if len(views) == 1:
        return views[0].copy(), np.zeros(views[0].shape, dtype=np.uint8)
    best, offsets = _first_maxima(views)
    nan = np.isnan(best)
    if nan.any():
        for offset, view in enumerate(views):  # a NaN wins over numbers, and a later NaN over an earlier one
            np.putmask(offsets, nan & np.isnan(view), offset)
    if padding != (0, 0):  # an all -inf window ties with the padding at offset 0 (the extra is never first)
        stuck = best == _lowest(best.dtype)
        if stuck.any():
            first = _first_inside(out_size, kernel_size, stride, padding, dilation)
            np.copyto(offsets, first.astype(offsets.dtype), where=stuck)
    return best, offsets


def _first_maxima(views: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The elementwise maximum of two or more equally shaped ``views`` (NaN propagates) and the index of the
    first view that attains it (unsigned; meaningless where the maximum is NaN)."""
    better = np.greater(views[1], views[0])
    best = np.maximum(views[0], views[1])
    offsets = better.astype(_offset_dtype(len(views)))  # offsets 0 and 1 decided: 1 where the second is larger
    marked = np.empty_like(offsets)
    offset_type = offsets.dtype.type
    for offset in range(2, len(views)):
        candidate = views[offset]
        np.greater(candidate, best, out=better)
        # offsets only grow along the scan, so "offset where better" is a maximum with better * offset: two
        # branch-free passes, about 20x faster than putmask or copyto(where=) on a random mask
        np.maximum(offsets, np.multiply(better, offset_type(offset), out=marked), out=offsets)
        np.maximum(best, candidate, out=best)
    return best, offsets


def _first_inside(
    out_size: Sequence[int], kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> np.ndarray:
    """The ``(H_out, W_out)`` kernel offsets ``a * kw + b`` of each window's first input entry.

    Along an axis, tap ``a`` of window ``i`` reads input coordinate ``i*s - p + a*d``; the first tap at or past
    0 is ``a = max(ceil((p - i*s) / d), 0)``, an input entry as the window holds one (its taps increase).
    """
    rows, columns = (
        np.maximum(-((np.arange(count) * s - p) // d), 0) for count, s, p, d in zip(out_size, stride, padding, dilation)
    )
    return rows[:, None] * kernel_size[1] + columns


def gather_windows(
    x: np.ndarray, offsets: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, extra: Pair
) -> np.ndarray:
    """``out[n, c, i, j]`` = the entry of window ``(i, j)`` of ``x`` at kernel offset ``offsets[n, c, i, j]``.

    ``offsets`` come from :func:`window_argmax` with the same geometry, so they never point
    into the padding (which reads as 0 here).
    """
    (ph, pw), (eh, ew) = padding, extra
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph + eh), (pw, pw + ew))) if ph or pw or eh or ew else x
    out = np.zeros(offsets.shape, dtype=x.dtype)
    for offset, view in _offset_views(padded, offsets.shape[2:], kernel_size, stride, dilation):
        np.putmask(out, offsets == offset, view)
    return out


def scatter_windows(
    values: np.ndarray,
    offsets: np.ndarray,
    shape: Sequence[int],
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    extra: Pair,
) -> np.ndarray:
    """Zeros of ``(N, C, H, W)`` ``shape`` with ``values[n, c, i, j]`` added at the entry of window
    ``(i, j)`` at kernel offset ``offsets[n, c, i, j]``: the adjoint of :func:`gather_windows`.

    One pass per kernel offset writes ``values * [offsets == offset]`` into the strided view of
    the entries that offset reads (added when windows overlap); values that are not all finite
    take ``where`` instead, so an inf or NaN reaches only its own entry (inf * 0 would be NaN).
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (eh, ew) = kernel_size, stride, padding, dilation, extra
    n, c, height, width = shape
    padded = np.zeros((n, c, height + 2 * ph + eh, width + 2 * pw + ew), dtype=values.dtype)
    disjoint = sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1  # every entry is in at most one window
    finite = bool(np.isfinite(values).all())
    for offset, view in _offset_views(padded, offsets.shape[2:], kernel_size, stride, dilation):
        chosen = offsets == offset
        if disjoint and finite:
            np.multiply(values, chosen, out=view)
        elif finite:
            view += values * chosen
        else:
            view += np.where(chosen, values, 0)
    return padded[:, :, ph : ph + height, pw : pw + width] if ph or pw or eh or ew else padded


def _block_axes(ndim: int, block: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(axis, block length) for each of the last ``len(block)`` axes of an ``ndim``-d array whose block length
    is not 1, the last axis first."""
    for axis in range(ndim - 1, ndim - 1 - len(block), -1):
        if block[axis - ndim] != 1:
            yield axis, block[axis - ndim]


def repeat_blocks_array(x: np.ndarray, block: Sequence[int]) -> np.ndarray:
    """Each entry of ``x`` repeated as a block of shape ``block`` over the last ``len(block)`` axes:
    out[..., i, j] = x[..., i // r, j // s] for ``block = (r, s)`` (np.repeat along each of those axes).

    One axis at a time, the last first, as r copies into an (lead, r, tail) array, which numpy writes about
    twice as fast as np.repeat and five times as fast as a broadcast reshaped into a copy.
    """
    out = x
    for axis, r in _block_axes(x.ndim, block):
        shape = out.shape
        rows = out.reshape(math.prod(shape[: axis + 1]), 1, math.prod(shape[axis + 1 :]))
        repeated = np.empty((rows.shape[0], r, rows.shape[2]), dtype=x.dtype)
        repeated[...] = rows
        out = repeated.reshape(shape[:axis] + (shape[axis] * r,) + shape[axis + 1 :])
    return out if out is not x else x.copy()


def block_sums_array(x: np.ndarray, block: Sequence[int]) -> np.ndarray:
    """The sums of ``x`` over the blocks of shape ``block`` that tile its last ``len(block)`` axes (each divisible
    by its block length): out[..., i, j] = sum_{a < r, b < s} x[..., i r + a, j s + b] for ``block = (r, s)``.
    The adjoint of :func:`repeat_blocks_array`.

    One axis at a time, the last first, as a sum of r strided slices (:func:`_run_sums`): numpy's sum over the inner
    axes of the reshaped (..., H / r, r, W / s, s) array costs 15-25 times more.
    """
    out = x
    for axis, r in _block_axes(x.ndim, block):
        out = _run_sums(out, axis, r, out.shape[axis] // r, r)
    return out if out is not x else x.copy()


def _strided_run(start: int, count: int, step: int) -> slice:
    """The slice of ``count`` indices ``start, start + step, ...``."""
    return slice(start, start + step * (count - 1) + 1, step)


def _run_sums(a: np.ndarray, axis: int, length: int, count: int, step: int) -> np.ndarray:
    """The sums of ``length`` neighbouring entries along ``axis`` (0 <= axis < a.ndim), ``count`` of them ``step``
    apart, as a new array: out[..., i, ...] = sum_{o < length} a[..., i*step + o, ...], added slice by slice."""
    lead = (slice(None),) * axis

    def run(offset: int) -> np.ndarray:
        return a[(*lead, _strided_run(offset, count, step))]

    total = run(0).copy() if length == 1 else run(0) + run(1)
    for offset in range(2, length):
        total += run(offset)
    return total


def _spread_runs(g: np.ndarray, axis: int, length: int, step: int, size: int) -> np.ndarray:
    """The adjoint of :func:`_run_sums`: zeros of ``size`` along ``axis`` with g[..., i, ...] added to each of the
    ``length`` entries it summed, i*step + o."""
    lead = (slice(None),) * axis
    out = np.zeros(g.shape[:axis] + (size,) + g.shape[axis + 1 :], dtype=g.dtype)
    for offset in range(length):
        out[(*lead, _strided_run(offset, g.shape[axis], step))] += g
    return out


def window_sums_array(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """The sums of ``x`` zero-padded by ``padding`` over its (possibly overlapping) windows of shape ``kernel``,
    ``stride`` apart, on the last two axes (average pooling's sums):

        out[..., i, j] = sum_{a < kh, b < kw} pad(x)[..., i*sh + a, j*sw + b],  out length (n + 2p - k) // s + 1.

    The box sum is separable: kh strided row slices are added, then kw strided column slices of that
    (:func:`_run_sums`), so a window costs kh + kw additions per output instead of kh * kw (numpy's sum over the window axes of the
    unfolded view is a slow non-contiguous reduction). The adjoint of :func:`spread_over_windows_array`.
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    height, width = x.shape[-2:]
    out_h, out_w = (height + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
    if out_h < 1 or out_w < 1:
        raise ShapeError(f"window sums: a {kh}x{kw} window does not fit in {height}x{width} padded by {padding}")
    if ph or pw:
        padded = np.zeros(x.shape[:-2] + (height + 2 * ph, width + 2 * pw), dtype=x.dtype)
        padded[..., ph : ph + height, pw : pw + width] = x
    else:
        padded = x
    rows = _run_sums(padded, x.ndim - 2, kh, out_h, sh)
    return _run_sums(rows, x.ndim - 1, kw, out_w, sw)


def spread_over_windows_array(g: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, input_size: Pair) -> np.ndarray:
    """The adjoint of :func:`window_sums_array`: each g[..., i, j] added to every entry of its window, the
    padding dropped, on an array of the last two axes ``input_size`` (entries in no window get 0):

        out[..., y, x] = sum of g[..., i, j] over the windows (i, j) that read (y, x).

    Separable as the sums are: kw strided column additions, then kh strided row additions.
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    height, width = input_size
    columns = _spread_runs(g, g.ndim - 1, kw, sw, width + 2 * pw)
    spread = _spread_runs(columns, g.ndim - 2, kh, sh, height + 2 * ph)
    return spread[..., ph : ph + height, pw : pw + width] if ph or pw else spread
