"""Transposed convolution (torch's ``conv_transpose1d`` / ``conv_transpose2d``): the adjoint of convolution.

A transposed convolution with weight ``W`` of shape ``(C_in, C_out / G, kh, kw)`` maps an
``(N, C_in, H, W)`` input to what ``conv2d``'s input gradient would be for the same geometry:
every input pixel scatters ``x[n, c, i, j] * W[c, o, a, b]`` into output pixel
``(i*sh + a*dh - ph, j*sw + b*dw - pw)``. Here it is built from differentiable primitives, so
gradients of every order come from theirs: one batched ``matmul`` (``W^T x`` per group, the
windows of the output) and ``fold`` (col2im, adding each window entry where it lands) onto the
unpadded output, then ``padding`` cropped from both ends and ``output_padding`` rows and columns
kept (or added as zeros) at the bottom and right. Output length per axis:

    L_out = (L - 1) s - 2 p + d (k - 1) + output_padding + 1.
"""

from __future__ import annotations

from typing import Any

from autograd import ArgumentRangeError, ShapeError, Tensor, matmul
from autograd.accumulation import float16_via_float32
from autograd.conv import fold, pair

from .conv import check_groups, check_kernel, conv_operand, integer_operands, single
from .padding import pad

__all__ = ["conv_transpose1d", "conv_transpose2d", "conv_transpose_output_size"]


def conv_transpose_output_size(
    length: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a transposed convolution along one axis: ``(L - 1) s - 2p + d (k - 1) + op + 1``."""
    return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _geometry(op: str, dims: int, stride: Any, padding: Any, output_padding: Any, dilation: Any):
    """Checked per-axis (stride, padding, output_padding, dilation) tuples of ``dims`` ints."""
    read = (lambda v, n, m: (single(v, n, op, m),)) if dims == 1 else (lambda v, n, m: pair(v, n, op, m))
    stride, dilation = read(stride, "stride", 1), read(dilation, "dilation", 1)
    padding, output_padding = read(padding, "padding", 0), read(output_padding, "output_padding", 0)
    for extra, step, spread in zip(output_padding, stride, dilation):
        if extra >= step and extra >= spread:
            raise ArgumentRangeError(
                f"{op}: output_padding must be smaller than either stride or dilation, got output_padding "
                f"{output_padding}, stride {stride}, dilation {dilation}"
            )
    return stride, padding, output_padding, dilation


@float16_via_float32
def _conv_transpose(
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
    *,
    op: str,
    dims: int,
) -> Tensor:
    """The transposed convolution over the last ``dims`` (1 or 2) axes; errors name ``op`` and the shapes.

    float16 runs in float32 (the products, the overlaps' sums and the bias) and is rounded once at the end, as
    torch's half kernels."""
    integers = integer_operands(input, weight)
    x = conv_operand(input, op, integers)
    weight = conv_operand(weight, op, integers)
    layout = "(N, C, L) or (C, L)" if dims == 1 else "(N, C, H, W) or (C, H, W)"
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{op}: expected an input of shape {layout}, got shape {x.shape}")
    kernel_axes = "k" if dims == 1 else "kh, kw"
    if weight.ndim != dims + 2:
        raise ShapeError(
            f"{op}: weight must have shape (C_in, C_out / groups, {kernel_axes}), got shape {weight.shape}"
        )
    unbatched = x.ndim == dims + 1
    if unbatched:
        x = x.reshape((1,) + x.shape)
    check_kernel(op, weight, transposed=True)
    c_in, c_group = weight.shape[:2]
    # C_out = (C_out / groups) * groups: always divisible
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
            raise ShapeError(f"{op}: bias must have shape ({c_out},) for weight of shape {weight.shape} and "
                             f"groups={groups}, got {bias.shape}")  # fmt: skip
    stride, padding, output_padding, dilation = _geometry(op, dims, stride, padding, output_padding, dilation)
    kernel, lengths = weight.shape[2:], x.shape[2:]
    sizes = tuple(
        conv_transpose_output_size(*values)
        for values in zip(lengths, kernel, stride, padding, output_padding, dilation)
    )
    if min(sizes) < (1 if x.shape[0] else 0) or min(lengths) < 1:  # as torch's: an empty batch may give size 0
        raise ShapeError(
            f"{op}: input of shape {x.shape} with weight {weight.shape}, stride {stride}, padding {padding}, "
            f"output_padding {output_padding} and dilation {dilation} gives output size {sizes}, which is too small"
        )
    if dims == 1:  # as images of height 1
        x, weight = x.reshape(x.shape[:2] + (1,) + lengths), weight.reshape(weight.shape[:2] + (1,) + kernel)
        kernel, lengths = (1,) + kernel, (1,) + lengths
        stride, dilation, padding, output_padding = (
            (1,) + stride,
            (1,) + dilation,
            (0,) + padding,
            (0,) + output_padding,
        )
    out = _scatter_windows(x, weight, groups, kernel, stride, dilation)
    crops = tuple(-p for p in padding)
    ends = tuple(extra - p for p, extra in zip(padding, output_padding))
    if any(crops) or any(ends):  # torch's pad widths, last axis first: a negative width crops
        out = pad(out, (crops[1], ends[1], crops[0], ends[0]))
    if bias is not None:
        out = out + bias.reshape(c_out, 1, 1)
    if dims == 1:
        out = out.reshape(out.shape[:2] + out.shape[3:])
    return out.reshape(out.shape[1:]) if unbatched else out


def _scatter_windows(x: Tensor, weight: Tensor, groups: int, kernel: tuple, stride: tuple, dilation: tuple) -> Tensor:
    """Every input pixel's window ``x[n, c, i, j] * W[c, o]`` (per group, one matmul ``W^T x``) added into the
    unpadded output, of size (L - 1) s + d (k - 1) + 1 per axis, by ``fold``."""
    n, c_in, height, width = x.shape
    c_group, (kh, kw) = weight.shape[1], kernel
    per_group = weight.reshape(groups, c_in // groups, c_group * kh * kw).swapaxes(-1, -2)
    columns = matmul(per_group, x.reshape(n, groups, c_in // groups, height * width))
    windows = columns.reshape(n, groups * c_group, kh, kw, height, width).transpose(0, 1, 4, 5, 2, 3)
    size = tuple(
        (length - 1) * s + d * (k - 1) + 1 for length, k, s, d in zip((height, width), kernel, stride, dilation)
    )
    return fold(windows, size, kernel, stride, 0, dilation)


def conv_transpose2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> Tensor:
    """2-D transposed convolution (torch's ``conv_transpose2d``, same argument order) of ``(N, C_in, H, W)`` or
    ``(C_in, H, W)`` with weight ``(C_in, C_out / groups, kh, kw)``.

    out[n, g*C_out/G + o, i*sh + a*dh - ph, j*sw + b*dw - pw] += x[n, g*C_in/G + c, i, j] * weight[g*C_in/G + c, o, a, b]

    plus ``bias[o]``; H_out = (H - 1) sh - 2 ph + dh (kh - 1) + output_padding_h + 1 (W alike).
    ``output_padding`` (per axis smaller than the stride or the dilation) adds rows and columns at the
    bottom and right, resolving which input size a strided convolution came from. It is the input
    gradient of ``conv2d`` with the same geometry, and differentiable to any order (matmul, fold, crop).
    """
    return _conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, op="conv_transpose2d", dims=2
    )


def conv_transpose1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] = 0,
    output_padding: int | tuple[int] = 0,
    groups: int = 1,
    dilation: int | tuple[int] = 1,
) -> Tensor:
    """1-D transposed convolution (torch's ``conv_transpose1d``) of ``(N, C_in, L)`` or ``(C_in, L)`` with weight
    ``(C_in, C_out / groups, k)``: out[n, o, i*s + a*d - p] += x[n, c, i] * weight[c, o, a] (per group), plus
    ``bias[o]``; L_out = (L - 1) s - 2p + d (k - 1) + output_padding + 1. :func:`conv_transpose2d` on height-1
    images."""
    return _conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, op="conv_transpose1d", dims=1
    )
