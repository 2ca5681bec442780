"""torch's in-place activations ``relu_``, ``elu_``, ``selu_``, ``celu_``, ``leaky_relu_``, ``hardtanh_`` and
``threshold_``: the activation's values written into the input Tensor, which is returned (the same object).

They share :func:`~nn.functional.in_place_change.change_in_place` with the activations' ``inplace=True``
(its docstring says what changes while a graph is recorded).
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..checks import check_real
from . import shrinkage
from .activations import celu, check_celu_alpha, elu, hardtanh, leaky_relu, selu
from .in_place_change import change_in_place

__all__ = ["celu_", "change_in_place", "elu_", "hardtanh_", "leaky_relu_", "relu_", "selu_", "threshold_"]


def relu_(input: Any) -> Tensor:
    """max(x, 0) written into ``input`` (``Tensor.relu_``); d/dx = 1 where x > 0 else 0."""
    if not isinstance(input, Tensor):
        raise TypeError(f"relu_: expected a Tensor to change in place, got {type(input).__name__}")
    return input.relu_()


def elu_(input: Any, alpha: float = 1.0) -> Tensor:
    """:func:`~nn.functional.elu` written into ``input``; d/dx = 1 where x > 0 else alpha e^x."""
    alpha = check_real("elu_", "alpha", alpha)
    return change_in_place("elu_", input, lambda x: elu(x, alpha))


def selu_(input: Any) -> Tensor:
    """:func:`~nn.functional.selu` written into ``input``; d/dx = scale where x > 0 else scale alpha e^x."""
    return change_in_place("selu_", input, selu)


def celu_(input: Any, alpha: float = 1.0) -> Tensor:
    """:func:`~nn.functional.celu` written into ``input``; d/dx = 1 where x > 0 else e^(x / alpha)."""
    alpha = check_celu_alpha("celu_", alpha)
    return change_in_place("celu_", input, lambda x: celu(x, alpha))


def leaky_relu_(input: Any, negative_slope: float = 0.01) -> Tensor:
    """:func:`~nn.functional.leaky_relu` written into ``input``; d/dx = 1 where x > 0 else negative_slope."""
    negative_slope = check_real("leaky_relu_", "negative_slope", negative_slope)
    return change_in_place("leaky_relu_", input, lambda x: leaky_relu(x, negative_slope))


def hardtanh_(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """:func:`~nn.functional.hardtanh` written into ``input``; d/dx = 1 strictly between the bounds, else 0."""
    low = check_real("hardtanh_", "min_val", min_val, allow_inf=True, allow_nan=True)
    high = check_real("hardtanh_", "max_val", max_val, allow_inf=True, allow_nan=True)
    if low > high:
        raise ValueError(f"hardtanh_: min_val must not exceed max_val, got min_val={min_val!r}, max_val={max_val!r}")
    return change_in_place("hardtanh_", input, lambda x: hardtanh(x, low, high))


def threshold_(input: Any, threshold: float, value: float) -> Tensor:
    """:func:`~nn.functional.threshold` written into ``input``: ``value`` where x <= ``threshold``, else x;
    d/dx = 0 where x <= threshold, else 1."""
    limit = check_real("threshold_", "threshold", threshold, allow_inf=True, allow_nan=True)
    fill = check_real("threshold_", "value", value, allow_inf=True, allow_nan=True)
    return change_in_place("threshold_", input, lambda x: shrinkage.threshold(x, limit, fill))
