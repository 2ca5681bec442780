"""Adaptive max pooling, torch's ``adaptive_max_pool1d`` / ``adaptive_max_pool2d``: the maximum over windows
that tile the input into a fixed number of cells, whatever its size.

Along an axis of ``n`` entries pooled to ``m`` cells, cell ``i`` covers entries ``floor(i n / m)`` to
``ceil((i + 1) n / m) - 1`` (the adaptive average pools' windows). The entry chosen in each window is found on
the data (the first maximum in row-major order, as torch; a NaN wins, the last NaN as torch), and the output
gathers those entries from the input: one ``take_along_axis`` node, whose gradient adds g back at the chosen
entries (an entry chosen by overlapping windows receives each one's). ``return_indices=True`` also returns
each chosen entry's flat index in its input plane (``row * W + column``), torch's int64 indices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, take_along_axis

from ..checks import check_flag
from .activations import as_float_tensor
from .conv import OutputSizeLengthError, adaptive_windows, no_adaptive_cells, pair, single
from .max_pool_indices import index_tensor

__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d"]


def _window_cells(length: int, count: int) -> np.ndarray:
    """(count, widest window) entries of each window, floor(i n / m) .. ceil((i + 1) n / m) - 1, the shorter
    windows padded by repeating their last entry (which never changes the first maximum or the last NaN)."""
    starts, ends = adaptive_windows(length, count)
    width = int((ends - starts).max())
    return np.minimum(starts[:, None] + np.arange(width), ends[:, None] - 1)


def _first_rows(mask: np.ndarray, last: bool = False) -> np.ndarray:
    """Index along axis 3 of the first (or last) True of ``mask``, by one max-reduction of weighted flags (no
    argmax: numpy's argmax along a short axis costs a call per row); kh where a column holds no True."""
    kh = mask.shape[3]
    dtype = np.min_scalar_type(kh + 1)
    if last:  # weights 1 .. kh: the largest weight held is the last True, plus one (0 where none)
        held = (mask * np.arange(1, kh + 1, dtype=dtype)[:, None]).max(axis=3)
        return np.where(held == 0, kh, held - 1).astype(dtype)
    held = (mask * np.arange(kh, 0, -1, dtype=dtype)[:, None]).max(axis=3)  # kh - first row, 0 where none
    return np.subtract(kh, held, dtype=dtype)


def _chosen_offsets(x: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Offset ``r * kw + c`` in each (kh, kw) window of (N, C, H, W) ``x`` of its first maximum in row-major order,
    or of its last NaN if it holds one; rows (H_out, kh) and columns (W_out, kw) from :func:`_window_cells`.

    Two reductions instead of one argmax over every window's kh * kw entries: within each band of rows
    (H_out, kh), each column's maximum and the first row reaching it; then within each window, the maximum M of
    its kw columns' maxima, and among the columns reaching M the smallest key (row reaching M) * kw + column:
    the first maximum in row-major order. A NaN window takes the largest key among its NaN entries' (each
    column's last NaN row): the last NaN, as torch. The padding entries repeat a window's last row or column,
    so they come after the entry they repeat and are never chosen over it (and map back to it anyway).
    """
    kh, kw = rows.shape[1], columns.shape[1]
    bands = x[:, :, rows]  # (N, C, H_out, kh, W)
    column_max = bands.max(axis=3)  # NaN where the column holds a NaN
    cells = column_max[..., columns]  # (N, C, H_out, W_out, kw)
    peak = cells.max(axis=-1)
    dtype = np.min_scalar_type(3 * kh * kw)  # keys below kh * kw (kh * kw + kw of a NaN column), plus kh * kw
    keys = _first_rows(bands == column_max[:, :, :, None])[..., columns] * dtype.type(kw)
    keys += np.arange(kw, dtype=dtype)
    keys += (cells != peak[..., None]) * dtype.type(kh * kw)  # columns not reaching the peak lose the minimum
    chosen = keys.min(axis=-1)
    nan = np.isnan(peak)
    if nan.any():
        nan_keys = _first_rows(np.isnan(bands), last=True)[..., columns].astype(np.intp) * kw + np.arange(kw)
        nan_keys = np.where(np.isnan(cells), nan_keys, -1).max(axis=-1)
        chosen = np.where(nan, nan_keys, chosen)
    return chosen


def _pool(x: Tensor, sizes: tuple[int, int]) -> tuple[Tensor, Tensor]:
    """Adaptive max pooling of (N, C, H, W) ``x`` to ``sizes`` cells: (values, flat indices in each plane)."""
    n, c, height, width = x.shape
    if 0 in sizes:  # output_size 0: no windows, an empty output (and indices)
        return no_adaptive_cells(x, sizes), np.zeros((n, c) + sizes, dtype=np.int64)
    rows, columns = _window_cells(height, sizes[0]), _window_cells(width, sizes[1])
    row, column = np.divmod(_chosen_offsets(x._data, rows, columns), columns.shape[1])
    flat = rows[np.arange(sizes[0])[:, None], row] * width + columns[np.arange(sizes[1]), column]
    flat = np.ascontiguousarray(flat, dtype=np.int64)  # fancy indexing may lay it out otherwise
    values = take_along_axis(x.reshape(n, c, height * width), flat.reshape(n, c, sizes[0] * sizes[1]), axis=2)
    return values.reshape(n, c, sizes[0], sizes[1]), flat


def adaptive_max_pool2d(
    input: Any, output_size: int | None | tuple[int | None, int | None], return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over torch's adaptive windows of ``(N, C, H, W)`` or ``(C, H, W)`` input: ``output_size``
    (H_out, W_out) cells whatever the input size (an int for both; ``None`` keeps that axis's size).

    out[n, c, i, j] = max of x[n, c, floor(i H / H_out) : ceil((i + 1) H / H_out), floor(j W / W_out) : ...].
    With ``return_indices`` also returns the int64 Tensor of the chosen entries' indices ``row * W + column``.
    The gradient of a cell goes to its chosen entry (see the module docstring). An output size 0 gives torch's
    empty output (and indices; the input's gradient is 0).
    """
    x = as_float_tensor(input, "adaptive_max_pool2d")
    return_indices = check_flag("adaptive_max_pool2d", "return_indices", return_indices)
    if x.ndim not in (3, 4):
        raise ShapeError(f"adaptive_max_pool2d: expected an input of shape (N, C, H, W) or (C, H, W), got {x.shape}")
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise OutputSizeLengthError(f"adaptive_max_pool2d: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(
        length if size is None else pair(size, "output_size", "adaptive_max_pool2d", minimum=0)[0]
        for size, length in zip(sizes, x.shape[-2:])
    )
    if min(x.shape[-2:]) < 1:
        raise ShapeError(f"adaptive_max_pool2d: input of shape {x.shape} has an empty spatial axis")
    unbatched = x.ndim == 3
    values, indices = _pool(x.reshape((1,) + x.shape) if unbatched else x, sizes)
    if unbatched:
        values, indices = values.reshape(values.shape[1:]), indices[0]
    return (values, index_tensor(indices)) if return_indices else values


def adaptive_max_pool1d(
    input: Any, output_size: int | tuple[int], return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over torch's adaptive windows of ``(N, C, L)`` or ``(C, L)`` input to ``output_size`` cells:
    out[n, c, i] = max of x[n, c, floor(i L / L_out) : ceil((i + 1) L / L_out)]; with ``return_indices`` also the
    int64 Tensor of the chosen entries' positions along L. See :func:`adaptive_max_pool2d`."""
    x = as_float_tensor(input, "adaptive_max_pool1d")
    size = single(output_size, "output_size", "adaptive_max_pool1d", minimum=0)
    return_indices = check_flag("adaptive_max_pool1d", "return_indices", return_indices)
    if x.ndim not in (2, 3):
        raise ShapeError(f"adaptive_max_pool1d: expected an input of shape (N, C, L) or (C, L), got {x.shape}")
    if x.shape[-1] < 1:
        raise ShapeError(f"adaptive_max_pool1d: input of shape {x.shape} is empty along L")
    values, indices = adaptive_max_pool2d(x.reshape(x.shape[:-1] + (1, x.shape[-1])), (1, size), True)
    values, indices = values.reshape(values.shape[:-2] + (size,)), indices.reshape(indices.shape[:-2] + (size,))
    return (values, indices) if return_indices else values
