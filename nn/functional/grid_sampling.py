"""torch's spatial transformer pair: ``affine_grid`` (sampling positions from affine matrices) and
``grid_sample`` (an input read at those positions).

Both are recorded ops, so gradients reach ``theta``, ``grid`` and ``input``. A grid holds normalised positions
in [-1, 1] (x along the width first, then y, then z along the depth of a volume); the source coordinate in pixels along an axis of ``n`` entries is

* ``align_corners=True``: ``(c + 1) / 2 * (n - 1)`` (-1 and 1 are the centres of the corner pixels);
* otherwise ``((c + 1) n - 1) / 2`` (-1 and 1 are the outer edges of the corner pixels).

``padding_mode`` says what lies outside: 'zeros', 'border' (the coordinate clipped to [0, n - 1]) or
'reflection' (the coordinate reflected at the borders, then clipped). As torch's, a clipped coordinate has
gradient 0, and 'nearest' passes the grid a gradient of zeros. 'bilinear' reads the four pixels around the source
position (a volume's eight voxels: trilinear), each by a gather at flat index ``row * W + column`` (0 outside the
input for 'zeros'), weighted by ``(1 - tx or tx)(1 - ty or ty)`` (``(1 - tz or tz)``); 'bicubic' reads the 4 x 4 around it with Keys' cubic weights (a = -0.75),
padding each tap's coordinate.

Positions that are not numbers follow torch's CPU kernel: under 'border' and 'reflection' a nan coordinate is
clipped to 0 (and +-inf, which reflects to nan, too); a coordinate that is not finite or lies beyond the int32
range reads as outside (torch's ``safe_downgrade_to_int_range``), with no numpy warning. Bicubic's fraction is
``x - floor(x)`` in floating point, so 0 at 1e30, and each tap ``floor(x) - 1 + i`` is padded as a float.
"""

from __future__ import annotations

import itertools
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, take_along_axis, where
from autograd.derivatives.elementwise import flat_of
from autograd.grad_mode import is_grad_enabled

from ..checks import UnsupportedOptionError, check_choice, check_flag
from ..warning_site import user_stacklevel
from .activations import as_float_tensor

__all__ = ["affine_grid", "grid_sample"]

GRID_SAMPLE_MODES = ("bilinear", "nearest", "bicubic")
GRID_PADDING_MODES = ("zeros", "border", "reflection")
CUBIC_A = -0.75
#: torch's stand-in for a coordinate outside the int32 range or not finite: a position outside every input.
OUTSIDE = -100
INT32_RANGE = (np.iinfo(np.int32).min, np.iinfo(np.int32).max - 1)


def _align_corners(owner: str, align_corners: Any) -> bool:
    """``align_corners`` checked; None (the default) is False, after torch's UserWarning that it changed to
    False in torch 1.3."""
    if align_corners is not None:
        return check_flag(owner, "align_corners", align_corners)
    warnings.warn(
        "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please "
        "specify align_corners=True if the old behavior is desired. See the documentation of grid_sample for "
        "details.",
        stacklevel=user_stacklevel(),
    )
    return False


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


def affine_grid(theta: Any, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.affine_grid: the sampling grid ``theta @ (x, y[, z], 1)`` over an output of ``size``.

    ``theta`` (N, 2, 3) with ``size`` (N, C, H, W) gives (N, H, W, 2); (N, 3, 4) with (N, C, D, H, W) gives
    (N, D, H, W, 3). d/dtheta = sum over positions of g (x, y[, z], 1)^T. ``align_corners`` None means False, with
    torch's warning, as does a spatial axis of size 1 with ``align_corners=True`` (its one position is 0).
    """
    align_corners = _align_corners("affine_grid", align_corners)
    theta = as_float_tensor(theta, "affine_grid")
    size = _output_size(size)
    if len(size) not in (4, 5):  # torch's NotImplementedError
        raise UnsupportedOptionError(f"affine_grid: size must be (N, C, H, W) or (N, C, D, H, W), got {size}")
    dims = len(size) - 2
    if theta.shape != (size[0], dims, dims + 1):
        raise ShapeError(
            f"affine_grid: theta must have shape {(size[0], dims, dims + 1)} for size {size}, got {theta.shape}"
        )
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. "
            "This is not an intended use case of affine_grid. See the documentation of affine_grid for details.",
            stacklevel=user_stacklevel(),
        )
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
    """Integral float coordinates as int64; those not finite or beyond the int32 range as :data:`OUTSIDE`.

    The range test is made in float64: the int32 bounds exceed float16's largest value (65504), so compared in a
    float16 grid's own dtype they would overflow to inf (numpy's RuntimeWarning); every float16 value widens
    exactly."""
    coordinate = np.asarray(coordinate, dtype=np.float64)
    usable = np.isfinite(coordinate) & (coordinate >= INT32_RANGE[0]) & (coordinate <= INT32_RANGE[1])
    return np.where(usable, coordinate, OUTSIDE).astype(np.int64)


def _read(flat_input: Tensor, coordinates: Sequence[np.ndarray], sizes: Sequence[int]) -> Tensor:
    """input[n, :, *coordinates] (one integer array per spatial axis, outermost first, each (N, *out)) as
    (N, C, *out), +0.0 where the position lies outside."""
    batch, channels = flat_input.shape[:2]
    inside = np.ones(coordinates[0].shape, dtype=bool)
    flat = np.zeros(coordinates[0].shape, dtype=np.int64)
    for coordinate, size in zip(coordinates, sizes):
        inside &= (coordinate >= 0) & (coordinate < size)
        flat = flat * size + np.clip(coordinate, 0, size - 1)
    points = flat[0].size if batch else 0  # (explicit: an empty batch cannot infer it)
    values = take_along_axis(flat_input, flat.reshape(batch, 1, points), axis=2)
    if not inside.all():  # +0.0 outside, as torch's (a product by the mask gave -0.0 of negative entries, nan of inf)
        values = values._where(inside.reshape(batch, 1, points), values, 0.0)
    return values.reshape((batch, channels, *coordinates[0].shape[1:]))


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
    """torch.nn.functional.grid_sample: a 4-D ``input`` (N, C, H, W) read at ``grid`` (N, H_out, W_out, 2) gives
    (N, C, H_out, W_out); a volumetric (5-D) ``input`` (N, C, D, H, W) read at ``grid`` (N, D_out, H_out, W_out, 3)
    of positions (x, y, z) gives (N, C, D_out, H_out, W_out), where 'bilinear' is trilinear (the 8 voxels around
    the position) and 'bicubic' is refused, as torch's. See the module docstring. ``align_corners`` None means
    False, after torch's warning.

    d/dinput adds each output's gradient, times its weight, to the pixels read; d/dgrid (bilinear, bicubic) is
    the sum over the pixels read of value * d weight / d coordinate.
    """
    mode = check_choice("grid_sample", "mode", mode, GRID_SAMPLE_MODES)
    padding_mode = check_choice("grid_sample", "padding_mode", padding_mode, GRID_PADDING_MODES)
    align_corners = _align_corners("grid_sample", align_corners)
    input, grid = as_float_tensor(input, "grid_sample"), as_float_tensor(grid, "grid_sample")
    if input.ndim not in (4, 5):
        raise ShapeError(f"grid_sample: input must be (N, C, H, W) or (N, C, D, H, W), got shape {input.shape}")
    dims = input.ndim - 2
    if grid.ndim != input.ndim or grid.shape[0] != input.shape[0] or grid.shape[-1] != dims:
        wanted = "(N, H_out, W_out, 2)" if dims == 2 else "(N, D_out, H_out, W_out, 3)"
        raise ShapeError(
            f"grid_sample: grid must be {wanted} with N = {input.shape[0]} for an input of shape {input.shape}, "
            f"got shape {grid.shape}"
        )
    if mode == "bicubic" and dims == 3:
        raise ShapeError(f"grid_sample: mode 'bicubic' needs a 4-D input (as torch's), got shape {input.shape}")
    if 0 in input.shape[2:]:  # torch's RuntimeError: there is no pixel to read, not even a border one
        raise ShapeError(f"grid_sample: input of shape {input.shape} has an empty spatial axis")
    batch, channels, *sizes = input.shape
    flat_input = input.reshape(batch, channels, int(np.prod(sizes)))
    # the grid's last axis lists x (the last spatial axis) first: axis i of sizes is component dims - 1 - i
    coordinates = [_unnormalized(grid[..., dims - 1 - i], size, align_corners) for i, size in enumerate(sizes)]
    if mode == "bicubic":
        y, x = coordinates
        return _bicubic(flat_input, x, y, tuple(sizes), padding_mode, align_corners)
    coordinates = [_padded(c, size, padding_mode, align_corners) for c, size in zip(coordinates, sizes)]
    if mode == "nearest":
        nearest = _read(flat_input, [_indices(np.rint(c._data)) for c in coordinates], sizes)
        if not (grid.requires_grad and is_grad_enabled()):
            return nearest
        # the grid's gradient is zeros (torch's), not None: -0.0 of derivative zero added (x + -0.0 is x, -0.0 too)
        return nearest + flat_of(grid[..., 0], -0.0).reshape(batch, 1, *grid.shape[1:-1])
    floors = [np.floor(c._data) for c in coordinates]
    lows = [_indices(floor) for floor in floors]
    # the fraction from the float floor, as torch's: 0 at 1e20 (the integer index there is out of int32's range, so
    # x - index would be about 1e20, and the weights' product of two such overflow float32 to inf, times 0 nan)
    fractions = [(c - floor).reshape(batch, 1, *c.shape[1:]) for c, floor in zip(coordinates, floors)]
    total = None
    for corner in itertools.product((0, 1), repeat=dims):  # weight: the product of t or 1 - t, x's first
        weight = None
        for step, t in reversed(list(zip(corner, fractions))):
            factor = t if step else 1 - t
            weight = factor if weight is None else weight * factor
        term = _read(flat_input, [low + step for low, step in zip(lows, corner)], sizes) * weight
        total = term if total is None else total + term
    return total


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
            term = _read(flat_input, (rows, columns), shape) * (x_weight * y_weight)
            total = term if total is None else total + term
    return total
