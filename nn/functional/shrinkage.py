"""torch's thresholding and shrinkage activations, ``threshold``, ``hardshrink``, ``softshrink`` and
``tanhshrink``, and the gated linear unit ``glu``: composites of Tensor ops (``inplace`` accepted where torch
has it; the result is a new Tensor)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor, where

from ..checks import check_axis, check_real
from .activations import as_float_tensor, check_inplace

__all__ = ["glu", "hardshrink", "softshrink", "tanhshrink", "threshold"]


def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > ``threshold``, else ``value``; d/dx = 1 where x > threshold, else 0."""
    check_inplace("threshold", inplace)
    limit = check_real("threshold", "threshold", threshold, allow_inf=True)
    fill = check_real("threshold", "value", value, allow_inf=True)
    x = as_float_tensor(input, "threshold")
    return where(x.data > limit, x, fill)


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x where |x| > ``lambd``, else 0; d/dx = 1 where |x| > lambd, else 0."""
    lambd = check_real("hardshrink", "lambd", lambd, 0)
    x = as_float_tensor(input, "hardshrink")
    return where((x.data > lambd) | (x.data < -lambd), x, 0.0)


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > ``lambd``, x + lambd where x < -lambd, else 0 (soft thresholding); d/dx = 1 outside
    [-lambd, lambd], else 0."""
    lambd = check_real("softshrink", "lambd", lambd, 0)
    x = as_float_tensor(input, "softshrink")
    return where(x.data > lambd, x - lambd, where(x.data < -lambd, x + lambd, 0.0))


def tanhshrink(input: Any) -> Tensor:
    """x - tanh(x); d/dx = tanh(x)^2."""
    x = as_float_tensor(input, "tanhshrink")
    return x - x.tanh()


def glu(input: Any, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``dim`` into halves a, b and return a * sigmoid(b) (the axis halves).

    d/da = sigmoid(b), d/db = a sigmoid(b) (1 - sigmoid(b)).
    """
    x = as_float_tensor(input, "glu")
    axis = check_axis("glu", "dim", dim, x.ndim)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: the halved axis {axis} of input shape {x.shape} must have an even size")
    half = x.shape[axis] // 2
    before = (slice(None),) * axis
    return x[before + (slice(0, half),)] * x[before + (slice(half, None),)].sigmoid()
