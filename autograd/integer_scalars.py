"""A Python integer beside an integer tensor, as torch reads it: a number of the tensor's dtype (a weak scalar), wrapped
modulo 2^bits where the dtype cannot hold it (``uint8 + (-1)`` is ``uint8 + 255``), or refused where torch checks that
it fits (``where``'s number, ``pow``'s exponent). numpy 2 raises an OverflowError for such a number instead."""

from __future__ import annotations

import numpy as np

from .shape_errors import ArgumentRangeError

__all__ = ["check_integer_exponent", "check_integer_fits", "integer_in"]

#: The Python ints torch converts to a number of an integer dtype: those an int64 or a uint64 holds (beyond them it
#: raises Python's OverflowError)
_LOWEST, _HIGHEST = -(1 << 63), (1 << 64) - 1


def integer_in(number: int, dtype: np.dtype) -> np.integer | None:
    """``number`` as a scalar of the integer ``dtype``, wrapped modulo 2^bits into its range as torch converts it
    (``int8 + 300`` is ``int8 + 44``, ``uint8 * -1`` is ``uint8 * 255``), so the result keeps the tensor's dtype as
    for a number that fits; None for a number beyond int64 and uint64, which torch cannot convert either."""
    if not _LOWEST <= number <= _HIGHEST:
        return None
    bits = dtype.itemsize * 8
    wrapped = number % (1 << bits)
    if dtype.kind == "i" and wrapped >= 1 << (bits - 1):
        wrapped -= 1 << bits
    return dtype.type(wrapped)


def check_integer_fits(op: str, number: int, dtype: np.dtype) -> None:
    """Raise an :class:`~autograd.shape_errors.ArgumentRangeError` (torch's RuntimeError) naming ``op`` unless
    ``number`` converts to the integer ``dtype`` as torch's checked conversion allows: inside the range of a signed
    dtype, of magnitude at most the maximum of an unsigned one (-1 becomes a uint8 255, -256 is refused)."""
    limits = np.iinfo(dtype)
    lowest = -int(limits.max) if limits.min == 0 else int(limits.min)
    if not lowest <= number <= int(limits.max):
        raise ArgumentRangeError(f"{op}: value {number} cannot be converted to type {dtype} without overflow")


def check_integer_exponent(op: str, exponent: int, dtype: np.dtype) -> None:
    """Raise an :class:`~autograd.shape_errors.ArgumentRangeError` (torch's RuntimeError) naming ``op`` for a number
    exponent of an integer tensor of ``dtype`` that torch refuses: a negative one ("Integers to negative integer
    powers are not allowed") or one the dtype cannot hold (:func:`check_integer_fits`)."""
    if exponent < 0:
        raise ArgumentRangeError(
            f"{op}: Integers to negative integer powers are not allowed ({dtype} tensor ** {exponent}); "
            "raise a float tensor, or give the exponent as a tensor"
        )
    check_integer_fits(op, exponent, dtype)
