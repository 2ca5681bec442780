"""Fractional max pooling, torch's ``fractional_max_pool2d`` and ``fractional_max_pool3d`` (B. Graham, *Fractional
Max-Pooling*, 2014): the maximum over ``kernel_size`` windows whose starts step by a pseudo-random 1 or 2 (on
average ``alpha``), so an axis of n entries shrinks to any m cells, not only to n / stride.

Along an axis of n entries pooled to m cells by windows of k entries, with alpha = (n - k) / (m - 1) and a sample
u (one per batch entry, channel and axis, drawn uniformly on [0, 1) unless ``_random_samples`` gives them),
window i starts at

    start_i = trunc((i + u) alpha) - trunc(u alpha)  for i < m - 1,    start_{m-1} = n - k,

computed in the input's dtype, as torch's CPU kernel computes it (float32 input: float32 arithmetic), so the same
samples give torch's windows exactly. The samples of a 2-D pool are (u_W, u_H), those of a 3-D pool (u_T, u_H, u_W),
torch's order. The entry chosen in a window is torch's: in the row-major scan of its entries, the first maximum, or
the last NaN when it holds one, or the first entry when all are -inf. The output gathers the chosen entries from
the input (one ``take_along_axis`` node), so its gradient adds g back at each chosen entry (an entry chosen by
several overlapping windows receives each one's); ``return_indices=True`` also returns each chosen entry's flat
index in its input plane (``row * W + column``, with ``depth * H * W`` in 3-D), torch's int64 indices.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, DtypeMismatchError, ShapeError, Tensor, take_along_axis
from autograd.random_state import generator_for, unit_uniform

from ..checks import check_flag, check_real
from .activations import as_float_tensor
from .conv import pair, triple
from .max_pool_indices import index_tensor

__all__ = [
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]

#: torch's int, which holds the window starts: larger products of a sample and alpha are refused
_INT_LIMIT = 2.0**31


def window_starts(op: str, samples: np.ndarray, length: int, count: int, kernel: int) -> np.ndarray:
    """The (..., count) int64 starts of the ``count`` windows of ``kernel`` entries along an axis of ``length``
    entries, one row per sample of ``samples`` (...,), in the samples' dtype's arithmetic (see the module
    docstring). Samples whose windows would leave the axis (float16 rounding of i + u on a long axis, where torch's
    kernel fails an internal assert) are refused."""
    starts = np.full(samples.shape + (count,), length - kernel, dtype=np.int64)
    if count > 1:
        dtype = samples.dtype.type
        alpha = dtype(length - kernel) / dtype(count - 1)
        with np.errstate(over="ignore", invalid="ignore"):
            steps = (np.arange(count - 1, dtype=samples.dtype) + samples[..., None]) * alpha
            offsets = samples * alpha
        largest = max(
            np.abs(steps, dtype=np.float64).max(initial=0.0), np.abs(offsets, dtype=np.float64).max(initial=0.0)
        )
        if not largest < _INT_LIMIT:  # (nan too)
            raise ArgumentRangeError(
                f"{op}: _random_samples give window starts beyond torch's int range (samples lie in [0, 1)), got "
                f"{samples.ravel()}"
            )
        starts[..., :-1] = np.trunc(steps).astype(np.int64) - np.trunc(offsets).astype(np.int64)[..., None]
    if starts.size and (starts.min() < 0 or starts.max() > length - kernel):
        raise ArgumentRangeError(
            f"{op}: the windows of {kernel} entries that _random_samples {samples.ravel()} give in {samples.dtype} "
            f"arithmetic leave an axis of {length} entries (where torch's kernel fails its internal assert)"
        )
    return starts


def _window_entries(starts: list[np.ndarray], kernel: tuple[int, ...], spatial: tuple[int, ...]) -> np.ndarray:
    """(N, C, cells, kernel entries) flat plane indices of every window's entries, windows and entries in row-major
    order, from each axis's (N, C, m_a) window starts."""
    d = len(kernel)
    strides = [int(np.prod(spatial[a + 1 :])) for a in range(d)]
    n, c = starts[0].shape[:2]
    entries = np.zeros((n, c) + (1,) * (2 * d), dtype=np.int64)
    for axis, (axis_starts, size, stride) in enumerate(zip(starts, kernel, strides)):
        positions = axis_starts[..., None] + np.arange(size)  # (N, C, m_a, k_a)
        shape = [n, c] + [1] * (2 * d)
        shape[2 + axis], shape[2 + d + axis] = positions.shape[2], size
        entries = entries + (positions * stride).reshape(shape)
    cells = int(np.prod(entries.shape[2 : 2 + d]))
    return entries.reshape(n, c, cells, int(np.prod(kernel)))


def _chosen_entries(planes: np.ndarray, entries: np.ndarray) -> np.ndarray:
    """(N, C, cells) flat index of the entry each window chooses (torch's, see the module docstring) in the (N, C, P)
    ``planes``, from the windows' (N, C, cells, K) ``entries``."""
    n, c, cells, width = entries.shape
    values = np.take_along_axis(planes, entries.reshape(n, c, cells * width), axis=2).reshape(entries.shape)
    chosen = values.argmax(axis=-1)  # the first maximum (numpy's first NaN, replaced below)
    nan = np.isnan(values)
    if nan.any():
        last_nan = width - 1 - nan[..., ::-1].argmax(axis=-1)
        chosen = np.where(nan.any(axis=-1), last_nan, chosen)
    return np.take_along_axis(entries, chosen[..., None], axis=-1)[..., 0]


def _output_sizes(op: str, d: int, spatial: tuple[int, ...], output_size: Any, output_ratio: Any) -> tuple[int, ...]:
    """The output's spatial sizes: ``output_size`` (an int or d ints >= 0) when given, else ``int(size * ratio)`` of
    each axis for ``output_ratio`` (a number or d numbers), as torch's."""
    if output_size is not None:
        return (pair if d == 2 else triple)(output_size, "output_size", op, minimum=0)
    ratios = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * d
    if len(ratios) != d:
        raise ValueError(f"{op}: output_ratio must be a number or {d} numbers, got {output_ratio!r}")
    sizes = tuple(int(size * check_real(op, "output_ratio", ratio)) for size, ratio in zip(spatial, ratios))
    if min(sizes) < 0:  # torch's "negative dimension"
        raise ArgumentRangeError(f"{op}: output_ratio {output_ratio!r} of spatial sizes {spatial} gives sizes {sizes}")
    return sizes


def _check_geometry(op: str, d: int, spatial: tuple[int, ...], kernel: tuple[int, ...], sizes: tuple[int, ...]):
    """ShapeError unless every window fits, torch's checks in its order: 2-D ``m + k - 1 <= n`` (height, width);
    3-D ``m + k - 1 < n`` (time, width, height: torch's 3-D kernel asks for one entry more)."""
    names = ("height", "width") if d == 2 else ("time", "height", "width")
    order = range(d) if d == 2 else (0, 2, 1)
    for axis in order:
        room = sizes[axis] + kernel[axis] - 1
        if room > spatial[axis] or (d == 3 and room == spatial[axis]):
            raise ShapeError(
                f"{op}: pool {names[axis]} {kernel[axis]} too large relative to input {names[axis]} {spatial[axis]} "
                f"for {sizes[axis]} output cells"
            )


def _samples(op: str, x: Tensor, d: int, given: Any) -> np.ndarray:
    """The (N, C, d) samples the pool uses: ``given`` checked as torch checks it (the input's dtype, three axes, at
    least N rows, C columns, d entries; the first N rows are used), else fresh draws on [0, 1) from the library's
    random state (``autograd.manual_seed``), as torch's ``rand``."""
    n, c = x.shape[:2]
    if given is None:
        return unit_uniform(generator_for(), (n, c, d), x.dtype)
    samples = given._data if isinstance(given, Tensor) else np.asarray(given)
    if samples.dtype != x.dtype:
        raise DtypeMismatchError(f"{op}: _random_samples must have the input's dtype {x.dtype}, got {samples.dtype}")
    if samples.ndim != 3:
        raise ShapeError(f"{op}: _random_samples must have 3 axes (N, C, {d}), got shape {samples.shape}")
    if samples.shape[0] < n or samples.shape[1] != c or samples.shape[2] != d:
        raise ShapeError(
            f"{op}: _random_samples of shape {samples.shape} do not fit input of {n} batch entries and {c} channels "
            f"(expected at least {n} rows, {c} columns and {d} samples each)"
        )
    return samples[:n]


def _fractional_max_pool(
    op: str,
    d: int,
    input: Any,
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    return_indices: bool,
    random_samples: Any,
) -> Tensor | tuple[Tensor, Tensor]:
    """The d-dimensional pool of (N, C, *spatial) or (C, *spatial) input (see the module docstring)."""
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    x = as_float_tensor(input, op)
    return_indices = check_flag(op, "return_indices", return_indices)
    if x.ndim not in (d + 1, d + 2):
        letters = "H, W" if d == 2 else "T, H, W"
        raise ShapeError(f"{op}: expected an input of shape (N, C, {letters}) or (C, {letters}), got {x.shape}")
    kernel = (pair if d == 2 else triple)(kernel_size, "kernel_size", op)
    spatial = x.shape[-d:]
    sizes = _output_sizes(op, d, spatial, output_size, output_ratio)
    if min(x.shape[x.ndim - d - 1 :]) < 1:
        raise ShapeError(f"{op}: expected an input with non-zero sizes outside the batch axis, got {x.shape}")
    _check_geometry(op, d, spatial, kernel, sizes)
    unbatched = x.ndim == d + 1
    batched = x.reshape((1,) + x.shape) if unbatched else x
    samples = _samples(op, batched, d, random_samples)
    columns = (1, 0) if d == 2 else (0, 1, 2)  # 2-D samples are (u_W, u_H)
    starts = [
        window_starts(op, samples[..., column], length, count, size)
        for column, length, count, size in zip(columns, spatial, sizes, kernel)
    ]
    n, c = batched.shape[:2]
    planes = batched.reshape(n, c, math.prod(spatial))
    chosen = _chosen_entries(planes._data, _window_entries(starts, kernel, spatial))
    values = take_along_axis(planes, chosen, axis=2).reshape((n, c) + sizes)
    indices = chosen.reshape((n, c) + sizes)
    if unbatched:
        values, indices = values.reshape(values.shape[1:]), indices[0]
    return (values, index_tensor(indices)) if return_indices else values


def fractional_max_pool2d(
    input: Any,
    kernel_size: int | tuple[int, int],
    output_size: int | tuple[int, int] | None = None,
    output_ratio: float | tuple[float, float] | None = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Tensor | tuple[Tensor, Tensor]:
    """Fractional max pooling of ``(N, C, H, W)`` or ``(C, H, W)`` input by ``kernel_size`` windows to
    ``output_size`` (H_out, W_out) cells, or to ``int(H * r_H)``, ``int(W * r_W)`` for ``output_ratio``
    (output_size wins when both are given, as torch's).

    out[n, c, i, j] = max of x[n, c, s_i : s_i + kH, t_j : t_j + kW], the window starts s (rows) and t (columns)
    from the samples of (n, c) (see the module docstring); each axis needs H_out + kH - 1 <= H.
    ``_random_samples`` (N, C, 2) of the input's dtype fixes the samples (u_W, u_H); otherwise they are drawn from
    the library's random state. With ``return_indices`` also returns the int64 Tensor of the chosen entries' indices
    ``row * W + column``. d out / d x: g goes to each window's chosen entry.
    """
    return _fractional_max_pool(
        "fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
    )


def fractional_max_pool3d(
    input: Any,
    kernel_size: int | tuple[int, int, int],
    output_size: int | tuple[int, int, int] | None = None,
    output_ratio: float | tuple[float, float, float] | None = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Tensor | tuple[Tensor, Tensor]:
    """Fractional max pooling of ``(N, C, T, H, W)`` or ``(C, T, H, W)`` input by ``kernel_size`` (kT, kH, kW)
    windows to ``output_size`` (T_out, H_out, W_out) cells, or to each size times ``output_ratio``, truncated.

    out[n, c, i, j, l] = max over the box of (n, c) whose starts come from its samples (u_T, u_H, u_W) (see the
    module docstring); each axis needs size_out + k - 1 < size, torch's 3-D condition. ``_random_samples``
    (N, C, 3) fixes the samples, else they are drawn from the library's random state. With ``return_indices`` also
    returns the int64 indices ``(t * H + h) * W + w``. d out / d x: g goes to each window's chosen entry.
    """
    return _fractional_max_pool(
        "fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
    )


def fractional_max_pool2d_with_indices(
    input: Any,
    kernel_size: int | tuple[int, int],
    output_size: int | tuple[int, int] | None = None,
    output_ratio: float | tuple[float, float] | None = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> tuple[Tensor, Tensor]:
    """``fractional_max_pool2d(..., return_indices=True)``: (output, flat indices row * W + column); as torch's,
    it takes a ``return_indices`` argument and ignores it."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(
    input: Any,
    kernel_size: int | tuple[int, int, int],
    output_size: int | tuple[int, int, int] | None = None,
    output_ratio: float | tuple[float, float, float] | None = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> tuple[Tensor, Tensor]:
    """``fractional_max_pool3d(..., return_indices=True)``: (output, flat indices (t * H + h) * W + w); as torch's,
    it takes a ``return_indices`` argument and ignores it."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)
