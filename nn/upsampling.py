"""Resizing layers, torch's ``Upsample``, ``UpsamplingNearest2d`` and ``UpsamplingBilinear2d`` (see
:func:`nn.functional.interpolate`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Tensor

from . import functional as F
from .checks import UnsupportedOptionError, check_choice, check_flag
from .functional.interpolation import MODES
from .module import Module

__all__ = ["Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"]


class Upsample(Module):
    """Resize the spatial axes of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input to ``size`` or by
    ``scale_factor``: ``interpolate(x, size, scale_factor, mode, align_corners, recompute_scale_factor)``.

    As torch's, a scale factor is kept as a float (or a tuple of floats); a size sequence is kept as a tuple.
    """

    def __init__(
        self,
        size: int | Sequence[int] | None = None,
        scale_factor: float | Sequence[float] | None = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        self.name = name = type(self).__name__  # torch's attribute
        if (size is None) == (scale_factor is None):
            raise ValueError(f"{name}: give exactly one of size and scale_factor")
        self.size = tuple(size) if isinstance(size, (tuple, list)) else size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = None if scale_factor is None else float(scale_factor)
        self.mode = check_choice(name, "mode", mode, MODES, UnsupportedOptionError)  # torch's NotImplementedError
        if align_corners is not None:
            align_corners = check_flag(name, "align_corners", align_corners)
            if mode in ("nearest", "nearest-exact", "area"):
                raise ValueError(f"{name}: align_corners can only be set with an interpolating mode, not {mode!r}")
        self.align_corners = align_corners
        if recompute_scale_factor is not None:
            recompute_scale_factor = check_flag(name, "recompute_scale_factor", recompute_scale_factor)
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Any) -> Tensor:
        return F.interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners, self.recompute_scale_factor
        )

    def extra_repr(self) -> str:
        given = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{given}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour resizing of (N, C, H, W) input: ``Upsample(size, scale_factor, mode='nearest')``."""

    def __init__(self, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear resizing of (N, C, H, W) input with the corners aligned:
    ``Upsample(size, scale_factor, mode='bilinear', align_corners=True)``."""

    def __init__(self, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
