"""torch's ``PixelShuffle``, ``PixelUnshuffle`` and ``ChannelShuffle`` layers (see :mod:`nn.functional.pixel_shuffle`)."""

from __future__ import annotations

from typing import Any

from autograd import ArgumentRangeError, Tensor

from . import functional as F
from .checks import check_positive_int
from .module import Module

__all__ = ["ChannelShuffle", "PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r) for r = ``upscale_factor`` (``nn.functional.pixel_shuffle``)."""

    def __init__(self, upscale_factor: int) -> None:
        self.upscale_factor = check_positive_int(
            "PixelShuffle", "upscale_factor", upscale_factor, error=ArgumentRangeError
        )

    def forward(self, input: Any) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W) for r = ``downscale_factor``, the inverse of :class:`PixelShuffle`."""

    def __init__(self, downscale_factor: int) -> None:
        self.downscale_factor = check_positive_int(
            "PixelUnshuffle", "downscale_factor", downscale_factor, error=ArgumentRangeError
        )

    def forward(self, input: Any) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave ``groups`` blocks of channels of (N, C, *) input, keeping its shape (ShuffleNet;
    ``nn.functional.channel_shuffle``). Unlike torch, a non-positive ``groups`` is refused here, not at the first
    forward (with the same class, an :class:`~autograd.ArgumentRangeError`: torch's RuntimeError and a ValueError),
    as a non-positive factor of the pixel shuffles."""

    def __init__(self, groups: int) -> None:
        self.groups = check_positive_int("ChannelShuffle", "groups", groups, error=ArgumentRangeError)

    def forward(self, input: Any) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
