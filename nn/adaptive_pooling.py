"""Adaptive max pooling layers, torch's ``AdaptiveMaxPool1d``, ``AdaptiveMaxPool2d`` and ``AdaptiveMaxPool3d`` (see
:mod:`nn.functional.adaptive_pooling`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.conv import pair

from . import functional as F
from .checks import check_flag
from .functional.conv import single, triple
from .module import Module

__all__ = ["AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"]


class AdaptiveMaxPool2d(Module):
    """Maximum over torch's adaptive windows to ``output_size`` (H_out, W_out) cells (an int for both; ``None``
    keeps that axis's size); ``output_size`` keeps what was passed, as torch's. With ``return_indices`` the layer
    returns ``(values, indices)`` (see ``nn.functional.adaptive_max_pool2d``)."""

    def __init__(self, output_size: int | None | tuple[int | None, int | None], return_indices: bool = False) -> None:
        sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
        if len(sizes) != 2:
            raise TypeError(f"AdaptiveMaxPool2d: output_size must be an int or a pair, got {output_size!r}")
        rows, columns = (
            None if size is None else pair(size, "output_size", "AdaptiveMaxPool2d", minimum=0)[0] for size in sizes
        )
        self.output_size = (rows, columns) if isinstance(output_size, (tuple, list)) else rows
        self.return_indices = check_flag("AdaptiveMaxPool2d", "return_indices", return_indices)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """Maximum over torch's adaptive windows to ``output_size`` cells along the last axis of (N, C, L) or (C, L)
    input; with ``return_indices`` the layer returns ``(values, indices)``."""

    def __init__(self, output_size: int | tuple[int], return_indices: bool = False) -> None:
        single(output_size, "output_size", "AdaptiveMaxPool1d", minimum=0)
        self.output_size = output_size
        self.return_indices = check_flag("AdaptiveMaxPool1d", "return_indices", return_indices)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


def adaptive_output_size(layer: str, output_size: Any) -> Any:
    """A 3-D adaptive pool's ``output_size`` checked and kept as passed (an int, or three entries each an int or
    ``None``), as torch's."""
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 3
    if len(sizes) != 3:
        raise TypeError(f"{layer}: output_size must be an int or a tuple of three, got {output_size!r}")
    checked = tuple(None if size is None else triple(size, "output_size", layer, minimum=0)[0] for size in sizes)
    return checked if isinstance(output_size, (tuple, list)) else checked[0]


class AdaptiveMaxPool3d(Module):
    """Maximum over torch's adaptive windows to ``output_size`` (D_out, H_out, W_out) cells (an int for all three;
    ``None`` keeps that axis's size); with ``return_indices`` the layer returns ``(values, indices)`` (see
    ``nn.functional.adaptive_max_pool3d``)."""

    def __init__(
        self, output_size: int | None | tuple[int | None, int | None, int | None], return_indices: bool = False
    ) -> None:
        self.output_size = adaptive_output_size("AdaptiveMaxPool3d", output_size)
        self.return_indices = check_flag("AdaptiveMaxPool3d", "return_indices", return_indices)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
