"""torch's thresholding and shrinkage activations, ``threshold``, ``hardshrink``, ``softshrink`` and
``tanhshrink``, and the gated linear unit ``glu``: composites of Tensor ops (``inplace`` accepted where torch
has it; the result is a new Tensor)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, ShapeError, Tensor
from autograd.accumulation import float16_via_float32
from autograd.clipping import hard_shrunk, soft_shrunk, thresholded

from ..checks import ParameterOverflowError, check_axis, check_fits_dtype, check_real
from .activations import as_float_tensor, writes_in_place
from .in_place_change import change_in_place
from .integer_inputs import refuse_bool_tensor, refuse_integer_tensor

__all__ = ["glu", "hardshrink", "softshrink", "tanhshrink", "threshold"]


def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` where x <= ``threshold``, else x; d/dx = 0 where x <= threshold, else 1.

    As torch, nan is not <= the threshold, so it passes through with d/dx = 1; a nan threshold replaces nothing,
    and a nan value is written as any other.
    """
    limit = check_real("threshold", "threshold", threshold, allow_inf=True, allow_nan=True)
    fill = check_real("threshold", "value", value, allow_inf=True, allow_nan=True)
    refuse_integer_tensor(input, "threshold", kinds="b")  # (torch keeps integers, has no boolean kernel)
    if writes_in_place("threshold", inplace, input):
        return change_in_place("threshold", input, lambda x: thresholded(x, limit, fill))
    if isinstance(input, Tensor) and input._data.dtype.kind in "iu":
        return _integer_threshold(input, limit, fill)
    x = as_float_tensor(input, "threshold")
    check_fits_dtype("threshold", "threshold", limit, x.dtype)
    return thresholded(x, limit, check_fits_dtype("threshold", "value", fill, x.dtype))


def _integer_threshold(x: Tensor, limit: float, fill: float) -> Tensor:
    """``threshold`` of an integer tensor, whose dtype it keeps (torch's): ``limit`` and ``fill`` cast to that dtype
    towards zero, as torch's (a negative integer wraps around in an unsigned one); a constant, integers carry no gradient. A number
    the dtype cannot hold (inf and nan too; -256, -0.5 and 256 for uint8) is a :class:`ParameterOverflowError` (torch's
    RuntimeError)."""
    data = x._data
    info = np.iinfo(data.dtype)
    lowest = -int(info.max) if data.dtype.kind == "u" else int(info.min)  # torch lets negatives wrap in unsigned
    cast = []
    for name, number in (("threshold", limit), ("value", fill)):
        wraps = data.dtype.kind == "u" and number < 0
        if not (math.isfinite(number) and lowest <= number <= info.max) or (wraps and number != int(number)):
            raise ParameterOverflowError(
                f"threshold: {name}={number!r} cannot be converted to the input's dtype {data.dtype} without overflow"
            )
        cast.append(np.array(int(number)).astype(data.dtype))
    return Tensor(np.where(data <= cast[0], cast[1], data))


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """0 where |x| <= ``lambd``, else x; d/dx = 0 where |x| <= lambd, else 1. As torch, any real ``lambd`` is taken
    (a negative one keeps every x; softshrink's must be >= 0).

    nan passes through with d/dx = 1, torch's rule (its vectorised CPU backward gives 0 at nan within whole SIMD
    blocks, its scalar one 1).
    """
    lambd = check_real("hardshrink", "lambd", lambd)
    refuse_integer_tensor(input, "hardshrink")
    x = as_float_tensor(input, "hardshrink")
    check_fits_dtype("hardshrink", "lambd", lambd, x.dtype)
    return hard_shrunk(x, lambd)


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > ``lambd``, 0 where -lambd <= x <= lambd, else x + lambd (soft thresholding); d/dx = 0
    on [-lambd, lambd], else 1.

    nan lies in neither interval and stays nan with d/dx = 1, as in :func:`hardshrink`.
    """
    lambd = check_real("softshrink", "lambd", lambd, 0, error=ArgumentRangeError)
    refuse_integer_tensor(input, "softshrink")
    x = as_float_tensor(input, "softshrink")
    check_fits_dtype("softshrink", "lambd", lambd, x.dtype)
    return soft_shrunk(x, lambd)


def tanhshrink(input: Any) -> Tensor:
    """x - tanh(x); d/dx = tanh(x)^2."""
    refuse_bool_tensor(input, "tanhshrink")
    x = as_float_tensor(input, "tanhshrink")
    return x - x.tanh()


@float16_via_float32
def glu(input: Any, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``dim`` into halves a, b and return a * sigmoid(b) (the axis halves).

    d/da = sigmoid(b), d/db = a sigmoid(b) (1 - sigmoid(b)). A 0-d input or an axis of odd size is a
    :class:`ShapeError` (torch's RuntimeError), a ``dim`` out of range an AxisError (torch's IndexError).
    """
    refuse_integer_tensor(input, "glu")
    x = as_float_tensor(input, "glu")
    if x.ndim == 0:
        raise ShapeError(f"glu: the input must have an axis to halve, got a 0-d input (dim={dim!r})")
    axis = check_axis("glu", "dim", dim, x.ndim)
    if x.shape[axis] % 2:
        raise ShapeError(f"glu: the halved axis {axis} of input shape {x.shape} must have an even size")
    half = x.shape[axis] // 2
    before = (slice(None),) * axis
    return x[before + (slice(0, half),)] * x[before + (slice(half, None),)].sigmoid()
