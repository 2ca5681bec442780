"""torch's ``torch.nn.modules.dropout`` path: the dropout layers, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.dropout.Dropout)`` finds them)."""

from __future__ import annotations

from ..dropout import AlphaDropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from ..layers import Dropout

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
