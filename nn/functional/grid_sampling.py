"""torch's spatial transformer pair: ``affine_grid`` (sampling positions from affine matrices) and
``grid_sample`` (an input read at those positions).

Both are recorded ops, so gradients reach ``theta``, ``grid`` and ``input``. A grid holds normalised positions
in [-1, 1] (x along the width first, then y); the source coordinate in pixels along an axis of ``n`` entries is

* ``align_corners=True``: ``(c + 1) / 2 * (n - 1)`` (-1 and 1 are the centres of the corner pixels);
* otherwise ``((c + 1) n - 1) / 2`` (-1 and 1 are the outer edges of the corner pixels).

``padding_mode`` says what lies outside: 'zeros', 'border' (the coordinate clipped to [0, n - 1]) or
'reflection' (the coordinate reflected at the borders, then clipped). As torch's, a clipped coordinate has
gradient 0, and 'nearest' passes no gradient to the grid. 'bilinear' reads the four pixels around the source
position, each by a gather at flat index ``row * W + column`` (0 outside the input for 'zeros'), weighted by
``(1 - tx or tx)(1 - ty or ty)``; 'bicubic' reads the 4 x 4 around it with Keys' cubic weights (a = -0.75),
padding each tap's coordinate.

Positions that are not numbers follow torch's CPU kernel: under 'border' and 'reflection' a nan coordinate is
clipped to 0 (and +-inf, which reflects to nan, too); a coordinate that is not finite or lies beyond the int32
range reads as outside (torch's ``safe_downgrade_to_int_range``), with no numpy warning. Bicubic's fraction is
``x - floor(x)`` in floating point, so 0 at 1e30, and each tap ``floor(x) - 1 + i`` is padded as a float.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, take_along_axis, where

from ..checks import check_choice, check_flag
from .activations import as_float_tensor

__all__ = ["affine_grid", "grid_sample"]

GRID_SAMPLE_MODES = ("bilinear", "nearest", "bicubic")
GRID_PADDING_MODES = ("zeros", "border", "reflection")
CUBIC_A = -0.75
#: torch's stand-in for a coordinate outside the int32 range or not finite: a position outside every input.
OUTSIDE = -100
INT32_RANGE = (np.iinfo(np.int32).min, np.iinfo(np.int32).max - 1)


def _positions(steps: int, align_corners: bool) -> np.ndarray:
    """The normalised centres of ``steps`` pixels along an axis (torch's ``linspace_from_neg_one``)."""
    if steps <= 1:
        return np.zeros(steps)
    centres = np.linspace(-1.0, 1.0, steps)
    return centres if align_corners else centres * (steps - 1) / steps


def _output_size(size: Any) -> tuple[int, ...]:
    """affine_grid's ``size`` as a tuple of Python ints, all positive (as torch: no empty output)."""
    parts = tuple(size) if isinstance(size, (Sequence, np.ndarray)) and not isinstance(size, str) else None
    if parts is None or not all(isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_)) for n in parts):
        raise TypeError(
            f"affine_grid: size must be a sequence of integers (N, C, H, W) or (N, C, D, H, W), got {size!r}"
        )
    if min(parts, default=1) < 1:
        raise ValueError(f"affine_grid: size must be positive, got {tuple(int(n) for n in parts)}")
    return tuple(int(n) for n in parts)


def affine_grid(theta: Any, size: Sequence[int], align_corners: bool = False) -> Tensor:
    """torch.nn.functional.affine_grid: the sampling grid ``theta @ (x, y[, z], 1)`` over an output of ``size``.

    ``theta`` (N, 2, 3) with ``size`` (N, C, H, W) gives (N, H, W, 2); (N, 3, 4) with (N, C, D, H, W) gives
    (N, D, H, W, 3). d/dtheta = sum over positions of g (x, y[, z], 1)^T.
    """
    align_corners = check_flag("affine_grid", "align_corners", align_corners)
    theta = as_float_tensor(theta, "affine_grid")
    size = _output_size(size)
    if len(size) not in (4, 5):
        raise ValueError(f"affine_grid: size must be (N, C, H, W) or (N, C, D, H, W), got {size}")
    dims = len(size) - 2
    if theta.shape != (size[0], dims, dims + 1):
        raise ValueError(
            f"affine_grid: theta must have shape {(size[0], dims, dims + 1)} for size {size}, got {theta.shape}"
        )
    spatial = size[2:]
    axes = [_positions(n, align_corners) for n in spatial]  # (D,) H, W
    mesh = np.meshgrid(*axes, indexing="ij")
    base = np.stack([*reversed(mesh), np.ones(spatial)], axis=-1).reshape(-1, dims + 1).astype(theta.dtype)
    return (base @ theta.swapaxes(1, 2)).reshape((size[0], *spatial, dims))


def _unnormalized(coordinate: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coordinate + 1) * ((size - 1) / 2)
    return ((coordinate + 1) * size - 1) / 2


def _clipped(coordinate: Tensor, size: int) -> Tensor:
    """The coordinate clipped to [0, size - 1], with gradient 1 strictly inside and 0 elsewhere (as torch); nan
    is clipped to 0, as torch's CPU kernel (``clamp_min(0, x)``, its operands in that order for the nan)."""
    inside = (coordinate._data > 0) & (coordinate._data < size - 1)
    clipped = np.clip(np.nan_to_num(coordinate._data, nan=0.0), 0, size - 1)
    return where(inside, coordinate, clipped)


def _reflected(coordinate: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """The coordinate reflected into [twice_low / 2, twice_high / 2] (torch's ``reflect_coordinates``)."""
    if twice_low == twice_high:
        return coordinate * 0.0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    offset = coordinate - low
    distance = where(offset._data < 0, -offset, offset)
    with np.errstate(invalid="ignore"):  # inf reflects to nan, as torch's fmod; _clipped makes it 0
        flips = np.floor(distance._data / span)
        extra = distance - flips * span
        return where(flips % 2 == 0, extra + low, (span + low) - extra)


def _padded(coordinate: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """The source coordinate after ``padding_mode`` (torch's ``compute_coordinates``)."""
    if padding_mode == "border":
        return _clipped(coordinate, size)
    if padding_mode == "reflection":
        twice = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        return _clipped(_reflected(coordinate, *twice), size)
    return coordinate


def _indices(coordinate: np.ndarray) -> np.ndarray:
    """Integral float coordinates as int64; those not finite or beyond the int32 range as :data:`OUTSIDE`."""
    usable = np.isfinite(coordinate) & (coordinate >= INT32_RANGE[0]) & (coordinate <= INT32_RANGE[1])
    return np.where(usable, coordinate, OUTSIDE).astype(np.int64)


def _read(flat_input: Tensor, rows: np.ndarray, columns: np.ndarray, height: int, width: int) -> Tensor:
    """input[n, :, rows, columns] as (N, C, *rows.shape[1:]), 0 where (rows, columns) lies outside."""
    batch, channels = flat_input.shape[:2]
    inside = (rows >= 0) & (rows < height) & (columns >= 0) & (columns < width)
    flat = (np.clip(rows, 0, height - 1) * width + np.clip(columns, 0, width - 1)).astype(np.int64)
    points = flat[0].size if batch else 0  # (explicit: an empty batch cannot infer it)
    values = take_along_axis(flat_input, flat.reshape(batch, 1, points), axis=2)
    values = values * inside.reshape(batch, 1, points).astype(flat_input.dtype)
    return values.reshape((batch, channels, *rows.shape[1:]))


def _cubic_weights(t: Tensor) -> list[Tensor]:
    """Keys' cubic convolution weights of the taps at -1, 0, 1, 2 from a fraction ``t`` in [0, 1)."""

    def near(x: Any) -> Any:  # |x| <= 1
        return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1

    def far(x: Any) -> Any:  # 1 < |x| < 2
        return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _tap_coordinates(taps: np.ndarray, size: int, padding_mode: str, align_corners: bool) -> np.ndarray:
    """Integer tap positions after ``padding_mode`` (bicubic pads each tap; torch's ``get_value_bounded``)."""
    padded = _padded(Tensor(taps.astype(np.float64)), size, padding_mode, align_corners)._data
    return _indices(np.trunc(padded))


def grid_sample(
    input: Any, grid: Any, mode: str = "bilinear", padding_mode: str = "zeros", align_corners: bool | None = None
) -> Tensor:
    """torch.nn.functional.grid_sample on a 4-D ``input`` (N, C, H, W) at ``grid`` (N, H_out, W_out, 2):
    (N, C, H_out, W_out), see the module docstring. ``align_corners`` None means False, as torch's default.

    d/dinput adds each output's gradient, times its weight, to the pixels read; d/dgrid (bilinear, bicubic) is
    the sum over the pixels read of value * d weight / d coordinate.
    """
    mode = check_choice("grid_sample", "mode", mode, GRID_SAMPLE_MODES)
    padding_mode = check_choice("grid_sample", "padding_mode", padding_mode, GRID_PADDING_MODES)
    align_corners = False if align_corners is None else check_flag("grid_sample", "align_corners", align_corners)
    input, grid = as_float_tensor(input, "grid_sample"), as_float_tensor(grid, "grid_sample")
    if input.ndim != 4:
        raise ValueError(f"grid_sample: input must be (N, C, H, W) (4-D only here), got shape {input.shape}")
    if grid.ndim != 4 or grid.shape[0] != input.shape[0] or grid.shape[3] != 2:
        raise ValueError(
            f"grid_sample: grid must be (N, H_out, W_out, 2) with N = {input.shape[0]}, got shape {grid.shape}"
        )
    if 0 in input.shape[2:]:  # torch's RuntimeError: there is no pixel to read, not even a border one
        raise ShapeError(f"grid_sample: input of shape {input.shape} has an empty spatial axis")
    batch, channels, height, width = input.shape
    flat_input = input.reshape(batch, channels, height * width)
    x = _unnormalized(grid[..., 0], width, align_corners)
    y = _unnormalized(grid[..., 1], height, align_corners)
    if mode == "bicubic":
        return _bicubic(flat_input, x, y, (height, width), padding_mode, align_corners)
    x = _padded(x, width, padding_mode, align_corners)
    y = _padded(y, height, padding_mode, align_corners)
    if mode == "nearest":
        return _read(flat_input, _indices(np.rint(y._data)), _indices(np.rint(x._data)), height, width)
    left, top = _indices(np.floor(x._data)), _indices(np.floor(y._data))
    tx, ty = (x - left).reshape(batch, 1, *x.shape[1:]), (y - top).reshape(batch, 1, *y.shape[1:])
    return (
        _read(flat_input, top, left, height, width) * ((1 - tx) * (1 - ty))
        + _read(flat_input, top, left + 1, height, width) * (tx * (1 - ty))
        + _read(flat_input, top + 1, left, height, width) * ((1 - tx) * ty)
        + _read(flat_input, top + 1, left + 1, height, width) * (tx * ty)
    )


def _bicubic(
    flat_input: Tensor, x: Tensor, y: Tensor, shape: tuple[int, int], padding_mode: str, align_corners: bool
) -> Tensor:
    """Sum over the 4 x 4 taps around (x, y) of input * w_x * w_y (Keys' weights, taps padded one by one)."""
    height, width = shape
    batch = x.shape[0]
    left, top = np.floor(x._data), np.floor(y._data)  # floats: a tap of 1e30 is padded, not an overflowed int
    x_weights = _cubic_weights((x - left).reshape(batch, 1, *x.shape[1:]))
    y_weights = _cubic_weights((y - top).reshape(batch, 1, *y.shape[1:]))
    total = None
    for i, y_weight in enumerate(y_weights):
        rows = _tap_coordinates(top - 1 + i, height, padding_mode, align_corners)
        for j, x_weight in enumerate(x_weights):
            columns = _tap_coordinates(left - 1 + j, width, padding_mode, align_corners)
            term = _read(flat_input, rows, columns, height, width) * (x_weight * y_weight)
            total = term if total is None else total + term
    return total
