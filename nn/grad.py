"""torch.nn.grad: the gradients of a convolution with respect to its input or its weight, for a given gradient of
its output, as custom autograd Functions that implement a convolution's backward use them.

Every function here is the gradient of one ``nn.functional`` convolution (bias-free), taken by
:func:`autograd.grad` at a zero Tensor of the requested shape in place of the operand it is with respect to: a
convolution is linear in each operand, so that gradient does not depend on the operand's value,

    conv{n}d_input  = d <grad_output, conv(x, weight)> / dx   (the transposed convolution of grad_output),
    conv{n}d_weight = d <grad_output, conv(input, w)> / dw   (the correlation of input with grad_output),

and it is differentiable in turn (w.r.t. ``weight``/``input`` and ``grad_output``) when they require gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, enable_grad
from autograd import grad as gradient

from .functional.activations import as_float_tensor
from .functional.conv import conv1d, conv2d
from .functional.conv3d import conv3d

__all__ = [
    "conv1d_input",
    "conv1d_weight",
    "conv2d_input",
    "conv2d_weight",
    "conv3d_input",
    "conv3d_weight",
]

Conv = Callable[..., Tensor]


def _gradient_at(
    op: str, conv: Conv, operands: tuple[Any, Any], wrt: int, size: Sequence[int], grad_output: Any, options: tuple
) -> Tensor:
    """The gradient of ``<grad_output, conv(input, weight)>`` with respect to operand ``wrt`` (0 the input, 1 the
    weight), whose shape is ``size``: the other operand is ``operands[1 - wrt]``."""
    grad_output = as_float_tensor(grad_output, op)
    other = as_float_tensor(operands[1 - wrt], op)
    shape = tuple(int(n) for n in size)
    leaf = Tensor(np.zeros(shape, dtype=grad_output.dtype), requires_grad=True)
    pair = (leaf, other) if wrt == 0 else (other, leaf)
    with enable_grad():  # the convolution's graph is needed even where the caller disabled gradients
        out = conv(*pair, None, *options)
        if out.shape != grad_output.shape:
            raise ShapeError(
                f"{op}: grad_output of shape {grad_output.shape} is not the shape {out.shape} of the convolution's "
                f"output for input {pair[0].shape} and weight {pair[1].shape}"
            )
        keep_graph = other.requires_grad or grad_output.requires_grad
        (result,) = gradient(out, leaf, grad_output, create_graph=keep_graph)
    return result


def _input_gradient(name: str, conv: Conv) -> Conv:
    """torch.nn.grad's ``conv{n}d_input`` for the convolution ``conv``."""

    def input_gradient(
        input_size: Sequence[int],
        weight: Any,
        grad_output: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        options = (stride, padding, dilation, groups)
        return _gradient_at(name, conv, (None, weight), 0, input_size, grad_output, options)

    input_gradient.__name__ = input_gradient.__qualname__ = name
    input_gradient.__doc__ = (
        f"The gradient of ``{conv.__name__}(input, weight)`` w.r.t. an input of shape ``input_size`` for the output "
        "gradient ``grad_output`` (torch.nn.grad's)."
    )
    return input_gradient


def _weight_gradient(name: str, conv: Conv) -> Conv:
    """torch.nn.grad's ``conv{n}d_weight`` for the convolution ``conv``."""

    def weight_gradient(
        input: Any,
        weight_size: Sequence[int],
        grad_output: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        options = (stride, padding, dilation, groups)
        return _gradient_at(name, conv, (input, None), 1, weight_size, grad_output, options)

    weight_gradient.__name__ = weight_gradient.__qualname__ = name
    weight_gradient.__doc__ = (
        f"The gradient of ``{conv.__name__}(input, weight)`` w.r.t. a weight of shape ``weight_size`` for the output "
        "gradient ``grad_output`` (torch.nn.grad's)."
    )
    return weight_gradient


conv1d_input, conv1d_weight = _input_gradient("conv1d_input", conv1d), _weight_gradient("conv1d_weight", conv1d)
conv2d_input, conv2d_weight = _input_gradient("conv2d_input", conv2d), _weight_gradient("conv2d_weight", conv2d)
conv3d_input, conv3d_weight = _input_gradient("conv3d_input", conv3d), _weight_gradient("conv3d_weight", conv3d)
