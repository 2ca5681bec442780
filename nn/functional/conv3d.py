"""Volumetric convolutions, torch's ``conv3d`` and ``conv_transpose3d``, on ``(N, C, D, H, W)`` or unbatched
``(C, D, H, W)`` input, built on the 2-D primitives rather than a 3-D kernel of their own.

``conv3d``: the depth windows are cut out by the ``unfold`` primitive (kernel ``(kd, 1)`` over the input seen as
``(N, C, D, H*W)``), their ``kd`` depth taps stacked into the channels, and each output depth slice is then one
2-D convolution of those ``kd * C`` channels with the weight ``(C_out, C_in / G, kd, kh, kw)`` seen as
``(C_out, kd * C_in / G, kh, kw)``: a single ``conv2d`` node over a batch of ``N * D_out`` images.

``conv_transpose3d``: its adjoint, one ``conv_transpose2d`` of every input depth slice with the ``kd`` depth taps
as extra output channels, whose slices ``fold`` (col2im along depth, kernel ``(kd, 1)``) adds where they land.

Both are compositions of differentiable primitives (``unfold``/``fold``, ``conv2d``, ``matmul``, reshapes and
transposes), so gradients of every order come from theirs.
"""

from __future__ import annotations

from typing import Any

from autograd import ArgumentRangeError, ShapeError, Tensor
from autograd.accumulation import float16_via_float32
from autograd.conv import conv2d as convolve
from autograd.conv import fold, unfold

from .activations import as_float_tensor
from .conv import (
    _output_size,
    as_pooled_tensor,
    check_groups,
    check_kernel,
    check_operand_dtypes,
    checked_conv_operands,
    conv_operand,
    conv_padding,
    integer_operands,
    triple,
)
from .conv_transpose import conv_transpose2d, conv_transpose_output_size
from .padding import pad

__all__ = ["batched_volumes", "conv3d", "conv_transpose3d"]


def batched_volumes(op: str, input: Any, keep_integers: bool = False) -> tuple[Tensor, bool]:
    """``input`` as a float ``(N, C, D, H, W)`` Tensor (integer data kept with ``keep_integers``, as a max pool
    reads it: :func:`~nn.functional.conv.as_pooled_tensor`), and whether a batch axis was added."""
    x = as_pooled_tensor(input, op) if keep_integers else as_float_tensor(input, op)
    if x.ndim == 4:
        return x.reshape((1,) + x.shape), True
    if x.ndim != 5:
        raise ShapeError(f"{op}: expected an input of shape (N, C, D, H, W) or (C, D, H, W), got shape {x.shape}")
    return x, False


@float16_via_float32  # the depth windows' conv2d and their fold in float32, rounded once
def conv3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: int | tuple[int, int, int] = 1,
    padding: int | tuple[int, int, int] | str = 0,
    dilation: int | tuple[int, int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """3-D cross-correlation (torch's ``conv3d``) of ``(N, C_in, D, H, W)`` with ``(C_out, C_in / groups, kd, kh, kw)``.

    out[n, o, t, i, j] = bias[o] + sum_{c,a,b,e} weight[o, c, a, b, e]
                         * pad(x)[n, g*C_in/G + c, t*sd + a*dd, i*sh + b*dh, j*sw + e*dw]

    with g = o // (C_out / G) the group of output channel o. ``padding`` is zeros on every side, or ``'valid'``
    (none) or ``'same'`` (stride 1; total d (k - 1) per axis, the odd entry after). Inputs may be unbatched
    ``(C_in, D, H, W)``. Built as one ``conv2d`` node over the depth windows (see the module docstring).
    """
    check_operand_dtypes("conv3d", input, weight, bias)
    integers = integer_operands(input, weight)
    x, unbatched = batched_volumes("conv3d", input, keep_integers=integers)
    layout = "(C_out, C_in / groups, kd, kh, kw)"
    weight, bias, groups = checked_conv_operands("conv3d", x, weight, bias, groups, layout, integers)
    c_out, c_group, kd, kh, kw = weight.shape
    stride, dilation = triple(stride, "stride", "conv3d"), triple(dilation, "dilation", "conv3d")
    kernel = (kd, kh, kw)
    widths = conv_padding("conv3d", padding, kernel, stride, dilation)
    before = tuple(low for low, _ in widths)
    if any(high != low for low, high in widths):  # 'same' with an odd total: the extra entry after
        x = x.pad(((0, 0), (0, 0)) + tuple((0, high - low) for low, high in widths))
    out_d, _, _ = _output_size("conv3d", x.shape, kernel, stride, before, dilation)
    n, c, depth, height, width = x.shape
    taps = unfold(x.reshape(n, c, depth, height * width), (kd, 1), (stride[0], 1), (before[0], 0), (dilation[0], 1))
    # (N, C, D_out, H*W, kd, 1) -> (N*D_out, G*kd*C_in/G, H, W): each group's channels ordered (tap, channel)
    taps = taps.reshape(n, groups, c_group, out_d, height, width, kd).transpose(0, 3, 1, 6, 2, 4, 5)
    images = taps.reshape(n * out_d, groups * kd * c_group, height, width)
    kernels = weight.transpose(0, 2, 1, 3, 4).reshape(c_out, kd * c_group, kh, kw)
    out = convolve(images, kernels, bias, stride[1:], before[1:], dilation[1:], groups)
    # (N, C_out, D_out, H_out, W_out) laid out contiguously, as torch's output (so view() works on it as there)
    out = out.reshape((n, out_d) + out.shape[1:]).transpose(0, 2, 1, 3, 4).contiguous()
    return out.reshape(out.shape[1:]) if unbatched else out


@float16_via_float32  # the depth windows' conv2d and their fold in float32, rounded once
def conv_transpose3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: int | tuple[int, int, int] = 1,
    padding: int | tuple[int, int, int] = 0,
    output_padding: int | tuple[int, int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int, int] = 1,
) -> Tensor:
    """3-D transposed convolution (torch's ``conv_transpose3d``, same argument order) of ``(N, C_in, D, H, W)``
    or ``(C_in, D, H, W)`` with weight ``(C_in, C_out / groups, kd, kh, kw)``: the input gradient of
    :func:`conv3d` with the same geometry.

    out[n, g*C_out/G + o, t*sd + a*dd - pd, i*sh + b*dh - ph, j*sw + e*dw - pw]
        += x[n, g*C_in/G + c, t, i, j] * weight[g*C_in/G + c, o, a, b, e]

    plus ``bias[o]``; per axis L_out = (L - 1) s - 2 p + d (k - 1) + output_padding + 1, ``output_padding``
    (smaller than the stride or the dilation) added after. Built from ``conv_transpose2d`` and ``fold`` (see the
    module docstring).
    """
    op = "conv_transpose3d"
    integers = integer_operands(input, weight)
    x, unbatched = batched_volumes(op, input, keep_integers=integers)
    weight = conv_operand(weight, op, integers)
    if weight.ndim != 5:
        raise ShapeError(f"{op}: weight must have shape (C_in, C_out / groups, kd, kh, kw), got shape {weight.shape}")
    check_kernel(op, weight, transposed=True)
    c_in, c_group, kd, kh, kw = weight.shape
    groups = check_groups(op, groups, c_in, c_in, ShapeError, ArgumentRangeError)
    if x.shape[1] != c_in:
        raise ShapeError(
            f"{op}: input of shape {x.shape} has {x.shape[1]} channels, but weight of shape {weight.shape} "
            f"expects {c_in}"
        )
    c_out = c_group * groups
    if bias is not None:
        bias = conv_operand(bias, op, integers)
        if bias.shape != (c_out,):
            raise ShapeError(
                f"{op}: bias must have shape ({c_out},) for weight of shape {weight.shape} and groups={groups}, "
                f"got {bias.shape}"
            )
    stride, dilation = triple(stride, "stride", op), triple(dilation, "dilation", op)
    padding, output_padding = triple(padding, "padding", op, 0), triple(output_padding, "output_padding", op, 0)
    for extra, step, spread in zip(output_padding, stride, dilation):
        if extra >= step and extra >= spread:
            raise ArgumentRangeError(
                f"{op}: output_padding must be smaller than either stride or dilation, got output_padding "
                f"{output_padding}, stride {stride}, dilation {dilation}"
            )
    n, _, depth, height, width = x.shape
    geometry = zip(x.shape[2:], (kd, kh, kw), stride, padding, output_padding, dilation)
    sizes = tuple(conv_transpose_output_size(*values) for values in geometry)
    if min(sizes) < (1 if x.shape[0] else 0) or min(x.shape[2:]) < 1:  # as torch's: an empty batch may give size 0
        raise ShapeError(
            f"{op}: input of shape {x.shape} with weight {weight.shape}, stride {stride}, padding {padding}, "
            f"output_padding {output_padding} and dilation {dilation} gives output size {sizes}, which is too small"
        )
    if 0 in sizes:  # an empty batch's output of size 0 (torch's), still a node of the inputs: their gradients are zeros
        inputs = [x, weight] if bias is None else [x, weight, bias]
        out = (sum(part.sum() for part in inputs) * 0.0).broadcast_to((n, c_out, *sizes))
        return out.reshape(out.shape[1:]) if unbatched else out
    # every input depth slice, transposed-convolved in (H, W) with the kd depth taps as channels (o, a) ...
    slices = x.transpose(0, 2, 1, 3, 4).reshape(n * depth, c_in, height, width)
    kernels = weight.reshape(c_in, c_group * kd, kh, kw)
    planes = conv_transpose2d(slices, kernels, None, stride[1:], padding[1:], output_padding[1:], groups, dilation[1:])
    out_h, out_w = planes.shape[2:]
    # ... then each tap's plane added at depth t*sd + a*dd of the unpadded output by fold
    windows = planes.reshape(n, depth, c_out, kd, out_h * out_w).transpose(0, 2, 1, 4, 3)
    windows = windows.reshape(n, c_out, depth, out_h * out_w, kd, 1)
    full_depth = (depth - 1) * stride[0] + dilation[0] * (kd - 1) + 1
    out = fold(windows, (full_depth, out_h * out_w), (kd, 1), (stride[0], 1), 0, (dilation[0], 1))
    if padding[0] or output_padding[0]:  # crop the depth padding; output_padding keeps (or adds) slices after
        out = pad(out, (0, 0, -padding[0], output_padding[0] - padding[0]))
    out = out.reshape(n, c_out, sizes[0], out_h, out_w)
    if bias is not None:
        out = out + bias.reshape(c_out, 1, 1, 1)
    return out.reshape(out.shape[1:]) if unbatched else out
