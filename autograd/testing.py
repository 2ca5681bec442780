"""Testing helpers: torch.testing's ``assert_close`` (:mod:`autograd.closeness`, needs numpy only) and the
hypothesis strategies for property-testing differentiable functions (:mod:`autograd.strategies`, read from here on
first use, so ``hypothesis`` is needed only for them).

>>> from autograd.testing import assert_close          # torch.testing.assert_close
>>> from autograd.testing import arrays, shapes        # hypothesis strategies
"""

from __future__ import annotations

from typing import Any

from .closeness import assert_close

#: the names :mod:`autograd.strategies` gives (module ``__getattr__`` below)
_STRATEGIES = ("arrays", "axes_for", "broadcastable_shapes", "floats", "indices_for", "shapes")

__all__ = ["assert_close", *_STRATEGIES]  # (the strategies come from __getattr__)


def __getattr__(name: str) -> Any:
    """The hypothesis strategies, imported when first asked for (an ImportError naming hypothesis without it)."""
    if name not in _STRATEGIES:
        raise AttributeError(f"module 'autograd.testing' has no attribute {name!r}")
    try:
        from . import strategies
    except ImportError as error:
        raise ImportError(
            f"autograd.testing.{name} is a hypothesis strategy: install hypothesis (pip install hypothesis) to use it"
        ) from error
    return getattr(strategies, name)
