"""torch's deprecated overloads that put the number first, which torch still runs with a ``UserWarning``.

Older tutorials and course code write the SGD step as ``p.data.add_(-lr, p.grad.data)``: torch reads
``add_(alpha, other)`` as ``add_(other, alpha=alpha)`` and warns that the overload is deprecated; likewise
``sub``/``sub_`` (alpha first) and ``addcmul``/``addcdiv`` and their in-place forms (``value`` first:
``addcmul_(value, tensor1, tensor2)``). The methods of ``Tensor`` and of ``.data``/``.grad`` take those
forms through the functions here, with torch's warning.
"""

from __future__ import annotations

import numbers
import os
import sys
import warnings
from typing import Any

import numpy as np

__all__ = ["alpha_first", "is_one", "user_stacklevel", "value_first", "value_first_in_place"]


def _is_number(x: Any) -> bool:
    """A Python or numpy number (torch's ``Number``), not an array or a Tensor of one entry."""
    return isinstance(x, (numbers.Number, np.generic))


def is_one(x: Any) -> bool:
    """Whether ``x`` is the number 1 (a keyword left at its default), without comparing an array."""
    return _is_number(x) and x == 1


#: This package's directory: the warning points at the first frame outside it.
_PACKAGE = os.path.dirname(__file__) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` at which the function calling this, warning, points at the first frame outside this
    package (the user's call, past the method and its wrappers, however many there are)."""
    frame, level = sys._getframe(1), 1  # the caller's frame: warn's stacklevel 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def _warn(op: str, deprecated: str, instead: str) -> None:
    """torch's warning for a deprecated overload, pointing at the user's call (past the method and its wrappers)."""
    warnings.warn(
        f"This overload of {op} is deprecated:\n\t{op}({deprecated})\n"
        f"Consider using one of the following signatures instead:\n\t{op}({instead})",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def alpha_first(op: str, alpha: Any, rest: tuple[Any, ...], alpha_keyword: Any) -> tuple[Any, Any]:
    """``(other, alpha)`` of torch's deprecated ``op(alpha, other)`` (``add``, ``sub`` and their in-place forms),
    given its positional arguments ``alpha`` and ``rest`` and the keyword ``alpha_keyword`` (1 when not given).
    Warns as torch does; any other extra positional argument is a TypeError, as in torch."""
    if len(rest) != 1 or not _is_number(alpha) or not is_one(alpha_keyword):
        raise TypeError(
            f"{op}() takes (other, *, alpha=1), or the deprecated (alpha, other) with alpha a number; got "
            f"{1 + len(rest)} positional arguments" + ("" if is_one(alpha_keyword) else " and an alpha keyword")
        )
    _warn(op, "Number alpha, Tensor other", "Tensor other, *, Number alpha = 1")
    return rest[0], alpha


def value_first(op: str, first: Any, second: Any, third: Any) -> tuple[Any, Any, Any]:
    """``(tensor1, tensor2, value)`` of ``op``'s positional arguments: as given, or, for torch's deprecated
    ``op(value, tensor1, tensor2)`` (``addcmul``, ``addcdiv`` and their in-place forms: a number first, then two
    tensors), reordered, with torch's warning."""
    if not _is_number(first) or _is_number(second) or _is_number(third):
        return first, second, third
    _warn(op, "Number value, Tensor tensor1, Tensor tensor2", "Tensor tensor1, Tensor tensor2, *, Number value = 1")
    return second, third, first


def value_first_in_place(op: str, first: Any, second: Any, rest: tuple[Any, ...], value: Any) -> tuple[Any, Any, Any]:
    """:func:`value_first` for the in-place forms, whose ``value`` is keyword-only: the operands of torch's deprecated
    ``op(value, tensor1, tensor2)``, called with one positional argument more than ``op(tensor1, tensor2, *,
    value=1)`` takes (``rest``); anything else is a TypeError, as in torch."""
    if len(rest) == 1 and is_one(value):
        tensor1, tensor2, value = value_first(op, first, second, rest[0])
        if tensor1 is not first:  # the deprecated order (else: three operands, which no form takes)
            return tensor1, tensor2, value
    raise TypeError(f"{op}() takes (tensor1, tensor2, *, value=1); got {2 + len(rest)} positional arguments")
