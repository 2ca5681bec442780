"""1-D pooling layers, torch's ``MaxPool1d``, ``AvgPool1d`` and ``AdaptiveAvgPool1d`` (see
:mod:`nn.functional.pooling1d`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.shape_errors import ArgumentRangeError

from . import functional as F
from .checks import check_flag
from .functional.conv import single, stride_unset
from .module import Module

__all__ = ["AdaptiveAvgPool1d", "AvgPool1d", "MaxPool1d"]


class MaxPool1d(Module):
    """Maximum over windows of ``kernel_size`` along the last axis of (N, C, L) or (C, L) input; the options
    keep what was passed, as torch's (``MaxPool1d(2).kernel_size == 2``). With ``return_indices`` the layer
    returns ``(output, indices)``, the positions along L of the maxima."""

    def __init__(
        self,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] | None = None,
        padding: int | tuple[int] = 0,
        dilation: int | tuple[int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        return_indices = check_flag("MaxPool1d", "return_indices", return_indices)
        _check_geometry("MaxPool1d", kernel_size, stride, padding)
        single(dilation, "dilation", "MaxPool1d")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride_unset(stride) else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices = return_indices
        self.ceil_mode = check_flag("MaxPool1d", "ceil_mode", ceil_mode)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.max_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool1d(Module):
    """Mean over windows of ``kernel_size`` along the last axis of (N, C, L) or (C, L) input; the window
    geometry is kept as 1-tuples, as torch's (``AvgPool1d(2).kernel_size == (2,)``)."""

    def __init__(
        self,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] | None = None,
        padding: int | tuple[int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        _check_geometry("AvgPool1d", kernel_size, stride, padding)
        self.kernel_size = (single(kernel_size, "kernel_size", "AvgPool1d"),)
        self.stride = self.kernel_size if stride_unset(stride) else (single(stride, "stride", "AvgPool1d"),)
        self.padding = (single(padding, "padding", "AvgPool1d", minimum=0),)
        self.ceil_mode = check_flag("AvgPool1d", "ceil_mode", ceil_mode)
        self.count_include_pad = check_flag("AvgPool1d", "count_include_pad", count_include_pad)

    def forward(self, input: Any) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Mean over torch's adaptive windows to ``output_size`` entries along the last axis."""

    def __init__(self, output_size: int | tuple[int]) -> None:
        single(output_size, "output_size", "AdaptiveAvgPool1d", minimum=0)
        self.output_size = output_size

    def forward(self, input: Any) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


def _check_geometry(layer: str, kernel_size: Any, stride: Any, padding: Any) -> None:
    """Each a positive int or 1-tuple (padding >= 0 and at most half the kernel, as torch;
    over half is an :class:`ArgumentRangeError`, also the RuntimeError torch raises)."""
    kernel = single(kernel_size, "kernel_size", layer)
    if not stride_unset(stride):
        single(stride, "stride", layer)
    if single(padding, "padding", layer, minimum=0) > kernel // 2:
        raise ArgumentRangeError(f"{layer}: padding {padding} must be at most half the kernel size {kernel_size}")
