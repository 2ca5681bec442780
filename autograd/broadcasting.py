"""Broadcasting helpers: the one place a gradient is reduced back to an operand's shape."""

from __future__ import annotations

from typing import Any

import numpy as np

from .shape_errors import NoAxisError, ShapeError

_FLOAT16 = np.dtype(np.float16)

AxisError = np.exceptions.AxisError
"""An axis out of range: numpy's AxisError, a ValueError (the library's rule for bad arguments) that is also the
IndexError torch raises for a dimension out of range, so code written for either catches it."""


def axis_out_of_range(op: str, axis: Any, ndim: int, name: str = "axis") -> np.exceptions.AxisError:
    """The AxisError (torch's IndexError) of ``op`` for an ``axis`` out of range of an array of ``ndim`` dimensions,
    naming the range of axes it has: [-ndim, ndim - 1], and [-1, 0] for a 0-d array (torch's scalars take 0 and
    -1)."""
    n = max(ndim, 1)
    return AxisError(
        f"{op}: {name} {axis} is out of bounds for an array of dimension {ndim} (expected in range [{-n}, {n - 1}])"
    )


def broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape ``shapes`` broadcast to (numpy's rule), or None when they do not broadcast together."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    If ``y = broadcast(x)`` then dL/dx = unbroadcast(dL/dy, x.shape): leading
    axes that ``x`` lacked are summed away, and axes where ``x`` had length 1
    are summed with keepdims. Works on ndarrays and on Tensors (so it can be
    differentiated again).
    """
    grad_shape = grad.shape
    if grad_shape == shape:
        return grad
    extra = len(grad_shape) - len(shape)
    if extra > 0 and grad_shape[extra:] == shape:  # only leading axes were added (e.g. a bias)
        return _sum(grad, tuple(range(extra)), False)
    if extra < 0:
        raise ValueError(f"unbroadcast: gradient of shape {grad_shape} has fewer axes than the target {shape}")
    stretched = tuple(extra + axis for axis, size in enumerate(shape) if size == 1 and grad_shape[extra + axis] != 1)
    axes = tuple(range(extra)) + stretched
    for axis, size in enumerate(shape):
        if size != 1 and grad_shape[extra + axis] != size:
            raise ValueError(f"unbroadcast: gradient of shape {grad_shape} cannot be reduced to {shape}")
    if axes:
        grad = _sum(grad, axes, True)
    return grad.reshape(shape) if extra else grad


def _sum(grad: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    # ndarrays skip the Python wrapper of ndarray.sum; graph nodes (create_graph) use their own sum, which adds
    # float16 in float32 as this does: torch's sum of a broadcast gradient rounds once, where a float16 running
    # sum stalls (a bias's gradient over 300 rows of N(0, 1) came out 0.14 for 0.20)
    if isinstance(grad, np.ndarray):
        if grad.dtype == _FLOAT16:
            return np.add.reduce(grad, axis=axes, keepdims=keepdims, dtype=np.float32).astype(np.float16)
        return np.add.reduce(grad, axis=axes, keepdims=keepdims)
    return grad.sum(axis=axes, keepdims=keepdims)


def refuse_unbroadcastable(op: str, a: Any, b: Any) -> None:
    """Raise the ShapeError naming ``op`` when the shapes of ``a`` and ``b`` do not broadcast together: for ops
    that hand their operands to numpy, whose ValueError names neither the op nor is torch's RuntimeError (called
    while handling that ValueError, the ShapeError stands alone: ``from None``)."""
    if broadcast_shape(np.shape(a), np.shape(b)) is None:
        raise ShapeError(
            f"{op}: operands could not be broadcast together with shapes {np.shape(a)} and {np.shape(b)}"
        ) from None


def normalize_axes(axis: int | tuple[int, ...] | None, ndim: int, op: str) -> tuple[int, ...]:
    """Turn an ``axis`` argument into a sorted tuple of non-negative axes (all if None).

    A 0-d array accepts axis 0 and -1, as torch's scalars do, and has no axis to give: the result is
    ``()``, so a reduction over it leaves the value as it is (``torch.tensor(2.).sum(0)`` is 2). An axis out of
    range is an :data:`AxisError`, one given twice (``(1, -1)`` of a matrix) a :class:`ShapeError`.
    """
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:  # the usual one axis, in range (none is, of a 0-d array)
        return (axis % ndim,)
    axes = (axis,) if isinstance(axis, (int,)) or hasattr(axis, "__index__") else axis
    if not isinstance(axes, (tuple, list)) or not all(_is_axis_number(a) for a in axes):
        raise TypeError(f"{op}: axis must be an integer, a tuple of integers or None, got {axis!r}")
    normalized = []
    for a in axes:
        a = int(a)
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise axis_out_of_range(op, a, ndim)
        normalized.append(a % max(ndim, 1))
    if len(set(normalized)) != len(normalized):  # a ShapeError: numpy's ValueError and torch's RuntimeError
        raise ShapeError(f"{op}: repeated axis in {axis} (each axis of the {ndim}-D tensor may be given once)")
    return tuple(sorted(normalized)) if ndim else ()


def _is_axis_number(axis: Any) -> bool:
    """An integer (a numpy one or any object with ``__index__``, such as a one-element integer array), not a bool."""
    return hasattr(axis, "__index__") and not isinstance(axis, (bool, np.bool_))


def single_axis(axis: int, ndim: int, op: str) -> int:
    """One ``axis`` of an array of ``ndim`` dimensions, made non-negative (ValueError naming ``op`` for a 0-d
    array, which has no axis to give: a :class:`NoAxisError`, torch's IndexError too; and for an axis out of
    bounds: an AxisError, also an IndexError). None, which a reduction reads as every axis, is no axis here:
    torch's TypeError, as for a tuple (a 1-D array would otherwise take it as its axis 0, and any other ndim fail
    inside :func:`normalize_axes`' all-axes answer)."""
    if axis is None or isinstance(axis, (tuple, list)):  # no axis or several, where one is needed: torch's TypeError
        raise TypeError(f"{op}: takes one axis (dim), an integer, got {axis!r}")
    if ndim == 0:
        raise NoAxisError(f"{op}: needs an array of at least 1 dimension, got a 0-d array (axis {axis})")
    (axis,) = normalize_axes(axis, ndim, op)
    return axis


def reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``axes`` kept as length 1 (numpy's keepdims shape)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))
