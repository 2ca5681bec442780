"""The errors of arguments an op cannot use: an operand's shape, a number out of range, a float where an integer
is meant."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ArgumentRangeError", "ShapeError", "is_integer", "require_integer"]


class ShapeError(ValueError, RuntimeError):
    """Shapes an op cannot use (operands that do not broadcast, a matmul whose inner sizes differ, a reshape to
    another number of elements, ``item()`` of several elements): a ValueError, as the library has always raised
    them, and a RuntimeError, as torch raises them, so ``except`` clauses written for either catch it."""


class ArgumentRangeError(ValueError, RuntimeError):
    """A number outside the range an op accepts (a loss's beta or delta, label smoothing, probabilities, topk's k,
    a convolution's or pooling's stride, padding, dilation or kernel size), or a bound missing where one is needed,
    where torch raises a RuntimeError: a ValueError too, the library's class for bad arguments."""


def is_integer(value: Any) -> bool:
    """Whether ``value`` is a Python or numpy integer (a bool is not)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def require_integer(op: str, what: str, value: Any, *, bools: bool = False) -> None:
    """Raise torch's TypeError, naming ``op`` and ``what``, unless ``value`` is a Python or numpy integer (a bool
    only with ``bools``): a float count, size or position (1.5) is refused, not truncated."""
    if not (is_integer(value) or (bools and isinstance(value, bool))):
        raise TypeError(f"{op}: {what} must be an integer, got {value!r}")
