"""``bilinear``: y_o = x1^T W_o x2 + b_o, torch's ``F.bilinear``, as one einsum node (and a bias add)."""

from __future__ import annotations

from typing import Any

from autograd import ShapeError, Tensor, einsum
from autograd.accumulation import float16_via_float32

from .conv import conv_operand, integer_operands

__all__ = ["bilinear"]


@float16_via_float32  # the einsum and the bias add in float32, rounded once
def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``.

    ``input1`` (..., in1) and ``input2`` (..., in2) share their leading axes; ``weight`` is
    (out, in1, in2), ``bias`` (out,). d/dinput1 = W_o x2 summed with the output gradient, and so on:
    the einsum's own derivatives. Integer inputs and weight (and bias) give an exact integer result, as torch's.
    """
    integers = integer_operands(input1, input2, weight)
    x1, x2 = conv_operand(input1, "bilinear", integers), conv_operand(input2, "bilinear", integers)
    w = conv_operand(weight, "bilinear", integers)
    if w.ndim != 3:
        raise ShapeError(f"bilinear: weight must be 3-D (out, in1, in2), got shape {w.shape}")
    if x1.ndim == 0 or x1.shape[-1] != w.shape[1] or x2.ndim == 0 or x2.shape[-1] != w.shape[2]:
        raise ShapeError(
            f"bilinear: inputs of shapes {x1.shape} and {x2.shape} do not fit a weight of shape {w.shape} "
            f"(their last axes must be {w.shape[1]} and {w.shape[2]})"
        )
    if x1.shape[:-1] != x2.shape[:-1]:
        raise ShapeError(f"bilinear: the inputs' leading axes differ: {x1.shape[:-1]} and {x2.shape[:-1]}")
    y = einsum("...i,oij,...j->...o", x1, w, x2)
    if bias is None:
        return y
    b = conv_operand(bias, "bilinear", integers)
    if b.shape != (w.shape[0],):
        raise ShapeError(f"bilinear: bias must have shape ({w.shape[0]},), got {b.shape}")
    return y + b
