"""torch's ``torch.nn.modules.conv`` path: the convolutions, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.conv._ConvTransposeNd)`` finds them)."""

from __future__ import annotations

from ..conv import Conv1d, Conv2d, Conv3d, _ConvNd
from ..conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..conv_transpose import _ConvTranspose as _ConvTransposeNd
from ..lazy import LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d

__all__ = [
    "_ConvNd",
    "_ConvTransposeNd",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
]
