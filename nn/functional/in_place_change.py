"""The one way an activation changes its input in place: torch's ``inplace=True`` flag and the ``relu_``-style
functions (:mod:`nn.functional.in_place_activations`) both write the activation's values into the input Tensor
with :func:`change_in_place`. As torch's, while a graph is recorded:

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

__all__ = ["change_in_place"]


def change_in_place(function: str, input: Any, activation: Callable[[Tensor], Tensor]) -> Tensor:
    """Write ``activation(input)`` into the float Tensor ``input`` and return it (the same object; see the module
    docstring);
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
