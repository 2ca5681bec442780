"""torch's ``torch.nn.modules.linear`` path: Linear, Bilinear, Identity and LazyLinear, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.linear.Bilinear)`` finds them)."""

from __future__ import annotations

from ..layers import Bilinear, Identity, Linear
from ..lazy import LazyLinear

__all__ = ["Bilinear", "Identity", "LazyLinear", "Linear"]
