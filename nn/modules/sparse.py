"""torch's ``torch.nn.modules.sparse`` path: Embedding and EmbeddingBag, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.sparse.Embedding)`` finds them)."""

from __future__ import annotations

from ..embedding import Embedding, EmbeddingBag

__all__ = ["Embedding", "EmbeddingBag"]
