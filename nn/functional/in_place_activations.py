"""torch's in-place activations ``relu_``, ``elu_``, ``selu_``, ``celu_``, ``leaky_relu_``, ``hardtanh_`` and
``threshold_``: the activation's values written into the input Tensor, which is returned (the same object).

As torch's, while a graph is recorded:

* a leaf that requires grad (a parameter) cannot be changed: a RuntimeError naming the function;
* any other Tensor that requires grad is changed and recorded (``Tensor.copy_``): it becomes the output of the
  activation and gradients reach its earlier history. The activation reads a clone of the old values, so the
  rules that read their input (elu's, leaky_relu's) see the values they were recorded with.

Inside ``no_grad()``, or on a Tensor that needs no gradient, the values are simply overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Tensor, is_grad_enabled

from ..checks import check_real
from . import shrinkage
from .activations import celu, elu, hardtanh, leaky_relu, selu

__all__ = ["celu_", "change_in_place", "elu_", "hardtanh_", "leaky_relu_", "relu_", "selu_", "threshold_"]


def change_in_place(function: str, input: Any, activation: Callable[[Tensor], Tensor]) -> Tensor:
    """Write ``activation(input)`` into the float Tensor ``input`` and return it (see the module docstring);
    errors name ``function``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{function}: expected a Tensor to change in place, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{function}: expected a floating-point Tensor, got dtype {input.dtype}")
    recording = is_grad_enabled() and input.requires_grad
    if recording and input.is_leaf:
        raise RuntimeError(
            f"{function}: a leaf Tensor that requires grad cannot be changed in place while the graph is being "
            "recorded (a leaf Variable that requires grad is being used in an in-place operation); call the "
            "out-of-place function, or change it inside `with no_grad():`"
        )
    result = activation(input.clone() if recording else input)
    try:
        return input.copy_(result)
    except (RuntimeError, ValueError) as error:  # a view, or read-only data: copy_'s reason, under our name
        raise type(error)(f"{function}: {error}") from None


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
    alpha = check_real("celu_", "alpha", alpha, 0.0, low_open=True)
    return change_in_place("celu_", input, lambda x: celu(x, alpha))


def leaky_relu_(input: Any, negative_slope: float = 0.01) -> Tensor:
    """:func:`~nn.functional.leaky_relu` written into ``input``; d/dx = 1 where x > 0 else negative_slope."""
    negative_slope = check_real("leaky_relu_", "negative_slope", negative_slope)
    return change_in_place("leaky_relu_", input, lambda x: leaky_relu(x, negative_slope))


def hardtanh_(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """:func:`~nn.functional.hardtanh` written into ``input``; d/dx = 1 strictly between the bounds, else 0."""
    low, high = check_real("hardtanh_", "min_val", min_val), check_real("hardtanh_", "max_val", max_val)
    if low > high:
        raise ValueError(f"hardtanh_: min_val must not exceed max_val, got min_val={min_val!r}, max_val={max_val!r}")
    return change_in_place("hardtanh_", input, lambda x: hardtanh(x, low, high))


def threshold_(input: Any, threshold: float, value: float) -> Tensor:
    """:func:`~nn.functional.threshold` written into ``input``: ``value`` where x <= ``threshold``, else x;
    d/dx = 0 where x <= threshold, else 1."""
    limit = check_real("threshold_", "threshold", threshold, allow_inf=True)
    fill = check_real("threshold_", "value", value, allow_inf=True)
    return change_in_place("threshold_", input, lambda x: shrinkage.threshold(x, limit, fill))
