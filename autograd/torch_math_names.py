"""torch's Tensor math methods that numpy spells differently or lacks: composites of recorded ops.

Each method is built from ops that already have derivative rules, so nothing here has a derivative of its own.
"""

from __future__ import annotations

__all__ = ["TorchMathNames"]


class TorchMathNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's math method names."""

    __slots__ = ()
