"""torch's Tensor methods that select, scatter or count by index: composites of recorded ops.

Each method is built from ops that already have derivative rules, so nothing here has a derivative of its own.
"""

from __future__ import annotations

__all__ = ["TorchIndexNames"]


class TorchIndexNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's index method names."""

    __slots__ = ()
