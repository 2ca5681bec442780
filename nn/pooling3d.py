"""Volumetric pooling layers, torch's ``MaxPool3d``, ``AvgPool3d`` and ``AdaptiveAvgPool3d`` (see
:mod:`nn.functional.pooling3d`). As torch's, the options keep what was passed: ``MaxPool3d(2).kernel_size == 2``,
``MaxPool3d((1, 2, 3)).kernel_size == (1, 2, 3)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.shape_errors import ArgumentRangeError

from . import functional as F
from .adaptive_pooling import adaptive_output_size
from .checks import check_flag
from .conv import kept_as_given
from .functional.conv import check_divisor_override, stride_unset, triple
from .module import Module

__all__ = ["AdaptiveAvgPool3d", "AvgPool3d", "MaxPool3d"]


def _check_padding(layer: str, padding: Any, kernel_size: Any) -> None:
    """Padding at most half the kernel along every axis, as torch's pools (an :class:`ArgumentRangeError` otherwise,
    also the RuntimeError torch raises)."""
    widths, kernel = triple(padding, "padding", layer, minimum=0), triple(kernel_size, "kernel_size", layer)
    if any(width > size // 2 for width, size in zip(widths, kernel)):
        raise ArgumentRangeError(f"{layer}: padding {padding} must be at most half the kernel size {kernel_size}")


class MaxPool3d(Module):
    """Max over each ``(kd, kh, kw)`` window of (N, C, D, H, W) or (C, D, H, W) input (see
    ``nn.functional.max_pool3d``; a window's gradient goes to its first maximum). With ``return_indices`` the layer
    returns ``(output, indices)``, torch's flat indices ``(d * H + h) * W + w``."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] | None = None,
        padding: int | tuple[int, int, int] = 0,
        dilation: int | tuple[int, int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        self.return_indices = check_flag("MaxPool3d", "return_indices", return_indices)
        self.ceil_mode = check_flag("MaxPool3d", "ceil_mode", ceil_mode)
        self.kernel_size = kept_as_given(kernel_size, "kernel_size", "MaxPool3d", as_tuple=triple)
        self.stride = (
            self.kernel_size if stride_unset(stride) else kept_as_given(stride, "stride", "MaxPool3d", as_tuple=triple)
        )
        self.padding = kept_as_given(padding, "padding", "MaxPool3d", minimum=0, as_tuple=triple)
        self.dilation = kept_as_given(dilation, "dilation", "MaxPool3d", as_tuple=triple)
        _check_padding("MaxPool3d", self.padding, self.kernel_size)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.max_pool3d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, dilation={self.dilation}, "
            f"ceil_mode={self.ceil_mode}"
        )


class AvgPool3d(Module):
    """Mean over each ``(kd, kh, kw)`` window of (N, C, D, H, W) or (C, D, H, W) input (see
    ``nn.functional.avg_pool3d``: ``ceil_mode``, ``count_include_pad`` and ``divisor_override`` as torch's)."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] | None = None,
        padding: int | tuple[int, int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        self.kernel_size = kept_as_given(kernel_size, "kernel_size", "AvgPool3d", as_tuple=triple)
        self.stride = (
            self.kernel_size if stride_unset(stride) else kept_as_given(stride, "stride", "AvgPool3d", as_tuple=triple)
        )
        self.padding = kept_as_given(padding, "padding", "AvgPool3d", minimum=0, as_tuple=triple)
        self.ceil_mode = check_flag("AvgPool3d", "ceil_mode", ceil_mode)
        self.count_include_pad = check_flag("AvgPool3d", "count_include_pad", count_include_pad)
        self.divisor_override = (
            None if divisor_override is None else check_divisor_override("AvgPool3d", divisor_override)
        )
        _check_padding("AvgPool3d", self.padding, self.kernel_size)

    def forward(self, input: Any) -> Tensor:
        return F.avg_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool3d(Module):
    """Mean over torch's adaptive windows to ``output_size`` (D_out, H_out, W_out) cells (an int for all three;
    ``None`` keeps that axis's size), see ``nn.functional.adaptive_avg_pool3d``."""

    def __init__(self, output_size: int | None | tuple[int | None, int | None, int | None]) -> None:
        self.output_size = adaptive_output_size("AdaptiveAvgPool3d", output_size)

    def forward(self, input: Any) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
