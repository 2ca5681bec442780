"""Volumetric pooling, torch's ``max_pool3d``, ``avg_pool3d``, ``adaptive_avg_pool3d`` and ``adaptive_max_pool3d``,
on ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)`` input, as two passes of the 2-D pools.

A 3-D window is a box, the product of a depth range and an (H, W) window, and the maximum, the sum and torch's
divisor over a box split along that product: pooling every depth slice in (H, W) (the input seen as
``(N, C*D, H, W)``, a reshape), then pooling those results along depth (seen as ``(N, C, D, H_out*W_out)``,
kernel ``(kd, 1)``) gives the 3-D pool. For max pooling the chosen entry is torch's too: the first maximum in the
(d, h, w) scan is the first maximum (in (h, w)) of the first depth slice holding the box's maximum, and the last
NaN is the last NaN of the last slice holding one. Values, gradients (through the 2-D pools' nodes, to every
order) and options are the 2-D pools'; the geometry is checked first on the volume, so errors name the 3-D
function and the caller's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor
from autograd.accumulation import float16_via_float32
from autograd.conv import max_pool

from ..checks import check_flag
from .adaptive_pooling import adaptive_max_pool2d
from .conv import (
    OutputSizeLengthError,
    adaptive_avg_pool2d,
    avg_pool2d,
    check_divisor_override,
    integer_means,
    no_adaptive_cells,
    pool_windows,
    stride_unset,
    triple,
)
from .conv3d import batched_volumes
from .max_pool_indices import index_tensor, max_pool2d_indices

__all__ = ["adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d", "max_pool3d"]


def _slices(x: Tensor) -> Tensor:
    """(N, C, D, H, W) as (N, C*D, H, W): every depth slice an image."""
    n, c, depth, height, width = x.shape
    return x.reshape(n, c * depth, height, width)


def _depth_lines(planes: Any, channels: int, depth: int) -> Any:
    """(N, C*D, H_out, W_out) pooled slices (a Tensor or an array) as (N, C, D, H_out*W_out): depth becomes the
    height to pool along (C and D given: C*D = 0 for no channels tells neither)."""
    n, _, out_h, out_w = planes.shape
    return planes.reshape(n, channels, depth, out_h * out_w)


def max_pool3d(
    input: Any,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    dilation: int | tuple[int, int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over each ``(kd, kh, kw)`` window (stride: the kernel size by default); padding never wins.

    out[n, c, t, i, j] = max_{a,b,e} pad(x)[n, c, t*sd + a*dd, i*sh + b*dh, j*sw + e*dw]

    Output sizes, ``ceil_mode`` and the entry chosen in a window (which takes its gradient: the first maximum
    in (d, h, w) order, or the last NaN) are torch's, as :func:`~nn.functional.max_pool2d`'s. With
    ``return_indices`` also returns torch's int64 indices ``(d * H + h) * W + w`` in each input volume.
    """
    return_indices = check_flag("max_pool3d", "return_indices", return_indices)
    ceil_mode = check_flag("max_pool3d", "ceil_mode", ceil_mode)
    kernel = triple(kernel_size, "kernel_size", "max_pool3d")
    stride = kernel if stride_unset(stride) else triple(stride, "stride", "max_pool3d")
    padding = triple(padding, "padding", "max_pool3d", minimum=0)
    dilation = triple(dilation, "dilation", "max_pool3d")
    x, unbatched = batched_volumes("max_pool3d", input, keep_integers=True)
    pool_windows("max_pool3d", x.shape, kernel, stride, padding, dilation, ceil_mode)
    n, c, depth, height, width = x.shape
    planes, plane_offsets = max_pool(
        _slices(x), kernel[1:], stride[1:], padding[1:], dilation[1:], ceil_mode, return_offsets=True
    )
    depth_geometry = ((kernel[0], 1), (stride[0], 1), (padding[0], 0), (dilation[0], 1))
    out, depth_offsets = max_pool(_depth_lines(planes, c, depth), *depth_geometry, ceil_mode, return_offsets=True)
    out = out.reshape((n, c, out.shape[2]) + planes.shape[2:])
    if return_indices:
        plane_index = max_pool2d_indices(plane_offsets, width, kernel[1:], stride[1:], padding[1:], dilation[1:])
        # the depth slice each box chose: tap a of box t reads slice t*sd + a*dd - pd
        taps = depth_offsets.astype(np.int64)
        slice_index = np.arange(taps.shape[2])[:, None] * stride[0] + taps * dilation[0] - padding[0]
        in_plane = np.take_along_axis(_depth_lines(plane_index, c, depth), slice_index, axis=2)
        indices = index_tensor((slice_index * (height * width) + in_plane).reshape(out.shape))
        return (out[0], indices[0]) if unbatched else (out, indices)
    return out[0] if unbatched else out


@integer_means
def avg_pool3d(
    input: Any,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over each ``(kd, kh, kw)`` window (stride: the kernel size by default); padding counts as 0.

    out[n, c, t, i, j] = sum of the window / count, ``count`` torch's: the product along the three axes of the
    window's length in the padded input (``ceil_mode``'s overhanging last window less), or in the input itself
    with ``count_include_pad=False``, or ``divisor_override``. See :func:`~nn.functional.avg_pool2d`.
    """
    ceil_mode = check_flag("avg_pool3d", "ceil_mode", ceil_mode)
    count_include_pad = check_flag("avg_pool3d", "count_include_pad", count_include_pad)
    kernel = triple(kernel_size, "kernel_size", "avg_pool3d")
    stride = kernel if stride_unset(stride) else triple(stride, "stride", "avg_pool3d")
    padding = triple(padding, "padding", "avg_pool3d", minimum=0)
    if divisor_override is not None:
        divisor_override = check_divisor_override("avg_pool3d", divisor_override)
    x, unbatched = batched_volumes("avg_pool3d", input)
    pool_windows("avg_pool3d", x.shape, kernel, stride, padding, (1, 1, 1), ceil_mode)
    n, c, depth = x.shape[:3]
    in_plane_divisor = None if divisor_override is None else 1  # then sums, divided once along depth
    planes = avg_pool2d(_slices(x), kernel[1:], stride[1:], padding[1:], ceil_mode, count_include_pad, in_plane_divisor)
    out = avg_pool2d(
        _depth_lines(planes, c, depth),
        (kernel[0], 1),
        (stride[0], 1),
        (padding[0], 0),
        ceil_mode,
        count_include_pad,
        divisor_override,
    )
    out = out.reshape((n, c, out.shape[2]) + planes.shape[2:])
    return out[0] if unbatched else out


def _adaptive_sizes(op: str, output_size: Any, spatial: tuple[int, ...]) -> tuple[int, int, int]:
    """torch's adaptive ``output_size``: an int for every axis or three entries, ``None`` keeping that axis."""
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 3
    if len(sizes) != 3:
        raise OutputSizeLengthError(f"{op}: output_size must be an int or a tuple of three, got {output_size!r}")
    if 0 in spatial:
        raise ShapeError(f"{op}: input with spatial size {spatial} has an empty spatial axis")
    checked = tuple(
        length if size is None else triple(size, "output_size", op, minimum=0)[0]
        for size, length in zip(sizes, spatial)
    )
    return checked[0], checked[1], checked[2]


@float16_via_float32  # its two passes in float32, rounded once
def adaptive_avg_pool3d(input: Any, output_size: int | None | tuple[int | None, int | None, int | None]) -> Tensor:
    """Mean over torch's adaptive windows to ``output_size`` (D_out, H_out, W_out) cells whatever the input size
    (an int for all three; ``None`` keeps that axis): output cell t averages input slices floor(t D / D_out) to
    ceil((t + 1) D / D_out) - 1, and alike along H and W. See :func:`~nn.functional.adaptive_avg_pool2d`."""
    x, unbatched = batched_volumes("adaptive_avg_pool3d", input)
    out_d, out_h, out_w = _adaptive_sizes("adaptive_avg_pool3d", output_size, x.shape[2:])
    if 0 in (out_d, out_h, out_w):
        out = no_adaptive_cells(x, (out_d, out_h, out_w))
        return out[0] if unbatched else out
    n, c, depth = x.shape[:3]
    planes = adaptive_avg_pool2d(_slices(x), (out_h, out_w))
    out = adaptive_avg_pool2d(_depth_lines(planes, c, depth), (out_d, None)).reshape(n, c, out_d, out_h, out_w)
    return out[0] if unbatched else out


def adaptive_max_pool3d(
    input: Any,
    output_size: int | None | tuple[int | None, int | None, int | None],
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over torch's adaptive windows (those of :func:`adaptive_avg_pool3d`) to ``output_size`` cells;
    the chosen entry, which takes the gradient, is torch's (the first maximum in (d, h, w) order, or the last
    NaN). With ``return_indices`` also returns the int64 indices ``(d * H + h) * W + w`` in each input volume."""
    return_indices = check_flag("adaptive_max_pool3d", "return_indices", return_indices)
    x, unbatched = batched_volumes("adaptive_max_pool3d", input)
    out_d, out_h, out_w = _adaptive_sizes("adaptive_max_pool3d", output_size, x.shape[2:])
    if 0 in (out_d, out_h, out_w):
        out = no_adaptive_cells(x, (out_d, out_h, out_w))
        indices = index_tensor(np.zeros(out.shape, dtype=np.int64))
        if not return_indices:
            return out[0] if unbatched else out
        return (out[0], indices[0]) if unbatched else (out, indices)
    n, c, depth, height, width = x.shape
    planes, plane_index = adaptive_max_pool2d(_slices(x), (out_h, out_w), True)
    out, line_index = adaptive_max_pool2d(_depth_lines(planes, c, depth), (out_d, None), True)
    out = out.reshape(n, c, out_d, out_h, out_w)
    if not return_indices:
        return out[0] if unbatched else out
    slice_index = line_index._data // (out_h * out_w)  # line_index = depth * (H_out * W_out) + cell
    in_plane = np.take_along_axis(_depth_lines(plane_index._data, c, depth), slice_index, axis=2)
    indices = index_tensor((slice_index * (height * width) + in_plane).reshape(out.shape))
    return (out[0], indices[0]) if unbatched else (out, indices)
