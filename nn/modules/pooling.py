"""torch's ``torch.nn.modules.pooling`` path: the pooling layers, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.pooling.MaxPool1d)`` finds them)."""

from __future__ import annotations

from ..adaptive_pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d
from ..conv import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from ..fractional_pooling import FractionalMaxPool2d, FractionalMaxPool3d
from ..lp_pooling import LPPool1d, LPPool2d, LPPool3d
from ..pooling1d import AdaptiveAvgPool1d, AvgPool1d, MaxPool1d
from ..pooling3d import AdaptiveAvgPool3d, AvgPool3d, MaxPool3d
from ..unpooling import MaxUnpool1d, MaxUnpool2d, MaxUnpool3d

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "FractionalMaxPool2d",
    "FractionalMaxPool3d",
]
