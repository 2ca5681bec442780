"""torch's ``torch.nn.modules.batchnorm`` path: the batch norms, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.batchnorm._BatchNorm)`` finds them)."""

from __future__ import annotations

from ..lazy import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d
from ..normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm, _BatchNorm, _NormBase

__all__ = [
    "_NormBase",
    "_BatchNorm",
    "BatchNorm1d",
    "LazyBatchNorm1d",
    "BatchNorm2d",
    "LazyBatchNorm2d",
    "BatchNorm3d",
    "LazyBatchNorm3d",
    "SyncBatchNorm",
]
