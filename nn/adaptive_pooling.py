"""Adaptive max pooling layers, torch's ``AdaptiveMaxPool1d`` and ``AdaptiveMaxPool2d`` (see
:mod:`nn.functional.adaptive_pooling`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.conv import pair

from . import functional as F
from .checks import check_flag
from .functional.conv import single
from .module import Module

__all__ = ["AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]


class AdaptiveMaxPool2d(Module):
    """Maximum over torch's adaptive windows to ``output_size`` (H_out, W_out) cells (an int for both; ``None``
    keeps that axis's size); ``output_size`` keeps what was passed, as torch's. With ``return_indices`` the layer
    returns ``(values, indices)`` (see ``nn.functional.adaptive_max_pool2d``)."""

    def __init__(self, output_size: int | None | tuple[int | None, int | None], return_indices: bool = False) -> None:
        sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
        if len(sizes) != 2:
            raise TypeError(f"AdaptiveMaxPool2d: output_size must be an int or a pair, got {output_size!r}")
        rows, columns = (None if size is None else pair(size, "output_size", "AdaptiveMaxPool2d")[0] for size in sizes)
        self.output_size = (rows, columns) if isinstance(output_size, (tuple, list)) else rows
        self.return_indices = check_flag("AdaptiveMaxPool2d", "return_indices", return_indices)

    def forward(self, x: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """Maximum over torch's adaptive windows to ``output_size`` cells along the last axis of (N, C, L) or (C, L)
    input; with ``return_indices`` the layer returns ``(values, indices)``."""

    def __init__(self, output_size: int | tuple[int], return_indices: bool = False) -> None:
        single(output_size, "output_size", "AdaptiveMaxPool1d")
        self.output_size = output_size
        self.return_indices = check_flag("AdaptiveMaxPool1d", "return_indices", return_indices)

    def forward(self, x: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.adaptive_max_pool1d(x, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
