"""``MaxUnpool1d`` / ``MaxUnpool2d`` / ``MaxUnpool3d``: max pooling's partial inverse as layers (see ``nn.functional.max_unpool2d``).

As torch's, the layer keeps its geometry as tuples (``MaxUnpool2d(2).stride == (2, 2)``) and its ``forward``
takes the pooled values, their indices and optionally the ``output_size``.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.windows import IntOrPair, pair

from . import functional as F
from .functional.conv import single, stride_unset, triple
from .module import Module

__all__ = ["MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


class MaxUnpool2d(Module):
    """Writes each value at its max-pooling index in zero planes; the rest stays 0 (``F.max_unpool2d``)."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None, padding: IntOrPair = 0) -> None:
        self.kernel_size = pair(kernel_size, "kernel_size", "MaxUnpool2d")
        self.stride = self.kernel_size if stride_unset(stride) else pair(stride, "stride", "MaxUnpool2d")
        self.padding = pair(padding, "padding", "MaxUnpool2d", minimum=0)

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Tensor:
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(Module):
    """Writes each value at its max-pooling position along zero lines; the rest stays 0 (``F.max_unpool1d``)."""

    def __init__(
        self, kernel_size: int | tuple[int], stride: int | tuple[int] | None = None, padding: int | tuple[int] = 0
    ) -> None:
        self.kernel_size = (single(kernel_size, "kernel_size", "MaxUnpool1d"),)
        self.stride = self.kernel_size if stride_unset(stride) else (single(stride, "stride", "MaxUnpool1d"),)
        self.padding = (single(padding, "padding", "MaxUnpool1d", minimum=0),)

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Tensor:
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool3d(Module):
    """Writes each value at its max-pooling index in zero volumes; the rest stays 0 (``F.max_unpool3d``)."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] | None = None,
        padding: int | tuple[int, int, int] = 0,
    ) -> None:
        self.kernel_size = triple(kernel_size, "kernel_size", "MaxUnpool3d")
        self.stride = self.kernel_size if stride_unset(stride) else triple(stride, "stride", "MaxUnpool3d")
        self.padding = triple(padding, "padding", "MaxUnpool3d", minimum=0)

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Tensor:
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
