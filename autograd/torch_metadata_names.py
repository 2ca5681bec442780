"""torch's Tensor methods that describe a tensor (its memory, dtype, device) or convert its dtype.

None of them records an op except the dtype conversions, which are ``astype``.
"""

from __future__ import annotations

__all__ = ["TorchMetadataNames"]


class TorchMetadataNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's descriptive method names."""

    __slots__ = ()
