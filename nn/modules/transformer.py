"""torch's ``torch.nn.modules.transformer`` path: the transformer layers, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.transformer.Transformer)`` finds them)."""

from __future__ import annotations

from ..transformer import TransformerEncoder, TransformerEncoderLayer
from ..transformer_decoder import TransformerDecoder, TransformerDecoderLayer
from ..transformer_model import Transformer

__all__ = [
    "Transformer",
    "TransformerEncoder",
    "TransformerDecoder",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
]
