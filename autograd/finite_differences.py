"""torch.gradient: numpy.gradient's finite-difference estimate of a sampled function's derivative along each axis.

Central differences inside (second-order accurate on uneven samples too), one-sided differences of order
``edge_order`` (1 or 2) at the two ends, with the samples' spacing given as one number, one number per axis or
the coordinates of the samples along each axis. It is a composite of slicing and arithmetic, so the result is
differentiable in the input and in coordinates given as Tensors, as torch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .broadcasting import single_axis
from .default_dtype import get_default_dtype
from .shape_errors import ArgumentRangeError, ShapeError
from .tensor import Tensor
from .tensor_functions import concatenate

__all__ = ["gradient", "numpy_gradient"]


def gradient(input: Any, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1) -> tuple[Tensor, ...]:
    """torch.gradient: one Tensor per axis in ``dim`` (every axis by default) estimating d input / d x_axis.
    ``spacing`` is a number (the same step on every axis), a list of numbers (one step per axis) or a list of 1-D
    coordinates (one per axis, as long as that axis). Integer and boolean inputs give the default floating dtype."""
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if isinstance(edge_order, bool) or edge_order not in (1, 2):
        raise ArgumentRangeError(f"gradient: edge_order must be 1 or 2, got {edge_order!r}")
    axes = _axes(dim, x.ndim)
    steps = _steps(spacing, axes, dim is None, x.ndim)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(get_default_dtype())
    if x.dtype != dtype:
        x = Tensor(np.asarray(x.numpy(), dtype=dtype))
    results = []
    for axis, step in zip(axes, steps):
        size = x.shape[axis]
        if size < edge_order + 1:
            raise ShapeError(
                f"gradient: axis {axis} has {size} entries, but edge_order={edge_order} needs at least {edge_order + 1}"
            )
        results.append(_along(x, axis, _coordinates(step, size, axis, dtype), edge_order))
    return tuple(results)


def numpy_gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Tensor | tuple[Tensor, ...]:
    """``np.gradient(x, *varargs, axis=None, edge_order=1)`` on a Tensor: :func:`gradient` in numpy's spelling, so
    the estimate stays differentiable. ``varargs`` as numpy's: none (a step of 1), one number (the step of every
    axis), or one spacing per axis (a number or 1-D coordinates); the result as numpy's: the one Tensor when one
    axis is asked for, else a tuple of them."""
    if not varargs:
        spacing: Any = 1
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        spacing = varargs[0]
    else:
        spacing = list(varargs)
    results = gradient(f, spacing=spacing, dim=axis, edge_order=edge_order)
    return results[0] if len(results) == 1 else results


def _axes(dim: Any, ndim: int) -> list[int]:
    if dim is None:
        return list(range(ndim))
    listed = [dim] if isinstance(dim, (int, np.integer)) else list(dim)
    axes = [single_axis(a, ndim, "gradient") for a in listed]
    if len(set(axes)) != len(axes):
        raise ArgumentRangeError(f"gradient: dim {tuple(listed)} names an axis more than once")
    return axes


def _steps(spacing: Any, axes: list[int], every_axis: bool, ndim: int) -> list[Any]:
    if spacing is None:  # torch's spelling of the default step, 1
        spacing = 1
    if isinstance(spacing, (int, float, np.number)) or (isinstance(spacing, Tensor) and spacing.ndim == 0):
        return [spacing] * len(axes)
    if not isinstance(spacing, (list, tuple)):
        raise TypeError(
            f"gradient: spacing must be a number or a list of numbers or of 1-D coordinates, got "
            f"{type(spacing).__name__}"
        )
    if len(spacing) != len(axes):
        given = f"the input's {ndim} dimensions" if every_axis else f"the {len(axes)} axes in dim"
        raise ShapeError(f"gradient: spacing has {len(spacing)} entries, but needs one for each of {given}")
    return list(spacing)


def _coordinates(step: Any, size: int, axis: int, dtype: np.dtype) -> Tensor:
    """The samples' positions along ``axis``: multiples of a number, or the 1-D coordinates given."""
    if isinstance(step, (int, float, np.number)) or (isinstance(step, Tensor) and step.ndim == 0):
        return Tensor(np.arange(size, dtype=dtype) * np.asarray(float(step), dtype=dtype))
    coords = step if isinstance(step, Tensor) else Tensor(np.asarray(step))
    if coords.ndim != 1 or coords.shape[0] != size:
        raise ShapeError(
            f"gradient: the coordinates for axis {axis} must be 1-D with {size} entries, got shape {coords.shape}"
        )
    return coords if coords.dtype == dtype else coords.to(dtype)


def _along(x: Tensor, axis: int, coords: Tensor, edge_order: int) -> Tensor:
    lead = (slice(None),) * axis

    def part(start: int | None, stop: int | None) -> Tensor:
        return x[(*lead, slice(start, stop))]

    def across(c: Tensor) -> Tensor:  # a coefficient per sample, broadcast along the axis
        return c.reshape((c.shape[0],) + (1,) * (x.ndim - axis - 1))

    dx = coords[1:] - coords[:-1]
    hl, hr = dx[:-1], dx[1:]
    inner = (
        across(-hr / (hl * (hl + hr))) * part(None, -2)
        + across((hr - hl) / (hl * hr)) * part(1, -1)
        + across(hl / (hr * (hl + hr))) * part(2, None)
    )
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / dx[0]
        last = (part(-1, None) - part(-2, -1)) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (
            -(2 * d1 + d2) / (d1 * (d1 + d2)) * part(0, 1)
            + (d1 + d2) / (d1 * d2) * part(1, 2)
            - d1 / (d2 * (d1 + d2)) * part(2, 3)
        )
        d1, d2 = dx[-2], dx[-1]
        last = (
            d2 / (d1 * (d1 + d2)) * part(-3, -2)
            - (d1 + d2) / (d1 * d2) * part(-2, -1)
            + (2 * d2 + d1) / (d2 * (d1 + d2)) * part(-1, None)
        )
    return concatenate([first, inner, last], axis=axis)
