"""torch's ``torch.nn.modules.normalization`` path: LayerNorm, GroupNorm, RMSNorm and LocalResponseNorm, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.normalization.LocalResponseNorm)`` finds them)."""

from __future__ import annotations

from ..layer_normalization import GroupNorm, LayerNorm, RMSNorm
from ..normalization import LocalResponseNorm

__all__ = ["LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]
