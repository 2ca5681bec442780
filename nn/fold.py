"""torch's ``Unfold`` (im2col) and ``Fold`` (col2im) layers around :func:`nn.functional.unfold` and
:func:`nn.functional.fold`; the options keep what was passed, as torch's (``Unfold(2).kernel_size == 2``)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.conv import IntOrPair

from . import functional as F
from .functional.conv import im2col_pair
from .module import Module

__all__ = ["Fold", "Unfold"]


def _check_geometry(layer: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> None:
    im2col_pair(kernel_size, "kernel_size", layer)
    im2col_pair(dilation, "dilation", layer)
    im2col_pair(padding, "padding", layer, minimum=0)
    im2col_pair(stride, "stride", layer)


class Unfold(Module):
    """Sliding ``kernel_size`` blocks of (N, C, H, W) or (C, H, W) input as columns: (N, C kh kw, L), L the number
    of block positions (``nn.functional.unfold``); the gradient folds them back (overlaps add up)."""

    def __init__(
        self, kernel_size: IntOrPair, dilation: IntOrPair = 1, padding: IntOrPair = 0, stride: IntOrPair = 1
    ) -> None:
        _check_geometry("Unfold", kernel_size, dilation, padding, stride)
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Any) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Module):
    """Columns (N, C kh kw, L) summed back into an (N, C, *output_size) image, the adjoint of :class:`Unfold`
    (``nn.functional.fold``): overlapping blocks add up."""

    def __init__(
        self,
        output_size: IntOrPair,
        kernel_size: IntOrPair,
        dilation: IntOrPair = 1,
        padding: IntOrPair = 0,
        stride: IntOrPair = 1,
    ) -> None:
        im2col_pair(output_size, "output_size", "Fold")
        _check_geometry("Fold", kernel_size, dilation, padding, stride)
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Any) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )
