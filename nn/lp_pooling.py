"""Power-average pooling layers, torch's ``LPPool1d``, ``LPPool2d`` and ``LPPool3d`` (see :mod:`nn.functional.lp_pool`). The
options keep what was passed, as torch's (``LPPool2d(2, 3).kernel_size == 3``)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.conv import pair

from . import functional as F
from .checks import check_flag
from .functional.conv import single, triple
from .functional.lp_pool import check_norm_type
from .module import Module

__all__ = ["LPPool1d", "LPPool2d", "LPPool3d"]


class _LPPool(Module):
    """The options and repr shared by both layers; ``_function`` pools and ``_geometry`` checks a size."""

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> None:
        name = type(self).__name__
        check_norm_type(name, norm_type)
        self._geometry(kernel_size, "kernel_size", name)
        if stride is not None:
            self._geometry(stride, "stride", name)
        self.norm_type, self.kernel_size, self.stride = norm_type, kernel_size, stride
        self.ceil_mode = check_flag(name, "ceil_mode", ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPool):
    """The ``norm_type``-norm, (sum x^p)^(1/p), of each window of ``kernel_size`` along the last axis of
    (N, C, L) or (C, L) input; stride: the kernel size by default."""

    _geometry = staticmethod(single)

    def forward(self, input: Any) -> Tensor:
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPool):
    """The ``norm_type``-norm, (sum x^p)^(1/p), of each ``kernel_size`` window of (N, C, H, W) or (C, H, W)
    input; stride: the kernel size by default."""

    _geometry = staticmethod(pair)

    def forward(self, input: Any) -> Tensor:
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(_LPPool):
    """The ``norm_type``-norm, (sum x^p)^(1/p), of each ``kernel_size`` window of (N, C, D, H, W) or
    (C, D, H, W) input; stride: the kernel size by default."""

    _geometry = staticmethod(triple)

    def forward(self, input: Any) -> Tensor:
        return F.lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)
