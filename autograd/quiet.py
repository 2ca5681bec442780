"""IEEE results without numpy's floating-point warnings, as torch gives them.

numpy returns the IEEE result of an overflow (``exp(1000) = inf``), a division by zero
(``1 / 0 = inf``, ``log 0 = -inf``) or an invalid operation (``0 / 0``, ``inf - inf``: nan) and
also warns; torch returns the same numbers silently. A Tensor op's forward computation and a
whole backward pass run with them off (:func:`quietly` for a call, ``with quiet():`` for a block), so extreme but legal inputs
give the IEEE value and no ``RuntimeWarning``; NaNs are found with ``autograd.detect_anomaly``.

numpy 2 keeps its error state in a context variable, which :func:`quietly` sets and resets
directly (``np.errstate`` builds the same state on every entry, which costs several times more
than a small op); other numpy versions go through ``np.errstate``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["quiet", "quietly"]

try:  # numpy >= 2: the error state is this context variable
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
except ImportError:  # pragma: no cover - numpy 1.x
    _extobj_contextvar = None


if _extobj_contextvar is not None:
    _IGNORE_ALL = _make_extobj(all="ignore")

    def quietly(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` with every numpy floating-point warning off (IEEE results kept)."""
        token = _extobj_contextvar.set(_IGNORE_ALL)
        try:
            return function(*args, **kwargs)
        finally:
            _extobj_contextvar.reset(token)

    class quiet:  # noqa: N801 - used as a function: ``with quiet():``
        """``with quiet():`` runs the block with every numpy floating-point warning off (IEEE results kept)."""

        __slots__ = ("_token",)

        def __enter__(self) -> None:
            self._token = _extobj_contextvar.set(_IGNORE_ALL)

        def __exit__(self, *exc_info: Any) -> None:
            _extobj_contextvar.reset(self._token)

else:  # pragma: no cover - numpy 1.x

    def quietly(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` with every numpy floating-point warning off (IEEE results kept)."""
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)

    def quiet() -> Any:
        """``with quiet():`` runs the block with every numpy floating-point warning off (IEEE results kept)."""
        return np.errstate(all="ignore")
