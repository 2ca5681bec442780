"""The errors of arguments an op cannot use: an operand's shape, a number out of range, a float where an integer
is meant."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

__all__ = [
    "ArgumentRangeError",
    "DtypeKernelError",
    "FloatingDtypeError",
    "NoAxisError",
    "ShapeError",
    "integer_argument",
    "is_integer",
    "refuse_boolean_kernel",
    "refuse_negative_sizes",
    "require_integer",
]


class ShapeError(ValueError, RuntimeError):
    """Shapes an op cannot use (operands that do not broadcast, a matmul whose inner sizes differ, a reshape to
    another number of elements, ``item()`` of several elements): a ValueError, as the library has always raised
    them, and a RuntimeError, as torch raises them, so ``except`` clauses written for either catch it."""


class NoAxisError(ShapeError, IndexError):
    """An axis asked of a 0-d array by an op that needs one (``unique(dim=0)``, ``unbind``, ``roll``, ``select``,
    ``split``, ...): a :class:`ShapeError`, as the library has raised it, and the IndexError torch raises for most of
    them ("Dimension specified as 0 but tensor has no dimensions"), so ``except`` clauses written for any catch it."""


class ArgumentRangeError(ValueError, RuntimeError):
    """A number outside the range an op accepts (a loss's beta or delta, label smoothing, probabilities, topk's k,
    a convolution's or pooling's stride, padding, dilation or kernel size), or a bound missing where one is needed,
    where torch raises a RuntimeError: a ValueError too, the library's class for bad arguments."""


class DtypeKernelError(TypeError, NotImplementedError):
    """An op of a dtype it has no computation for (gcd and lcm of floats, nextafter of integers, hypot and logaddexp
    of integers, ldexp by a boolean exponent): a TypeError, as the library has raised it, and the NotImplementedError
    (a RuntimeError) torch raises ("gcd_cpu" not implemented for 'Float'), so ``except`` clauses written for either
    catch it."""


class FloatingDtypeError(TypeError, RuntimeError):
    """An integer or boolean tensor where an op computes only in a floating dtype and torch raises a RuntimeError
    (``quantile``, ``nanquantile``, ``nanmean``: "input tensor must be either float or double dtype"): a TypeError,
    the library's class for a dtype an op cannot use, and torch's RuntimeError, so ``except`` clauses written for
    either catch it."""


class DtypeMismatchError(TypeError, RuntimeError):
    """Two tensors of different dtypes where an op takes only one (``heaviside``, ``isclose``, ``allclose``, the
    source of ``scatter``, ``index_add``, ``index_copy``, ...): a
    TypeError, the library's class for a dtype an op cannot use, and the RuntimeError torch raises ("Float did not
    match Double"), so ``except`` clauses written for either catch it."""


def is_integer(value: Any) -> bool:
    """Whether ``value`` is a Python or numpy integer (a bool is not)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def integer_argument(value: Any) -> Any:
    """``value``, or the int that an integer Tensor of one element holds, read through ``__index__`` as torch reads
    a tensor given for an int (``x.topk(k)``, ``x.select(0, t.argmax())``); a float Tensor is left as it is (to be
    refused), and so is anything else."""
    if isinstance(value, (int, np.integer)) or not hasattr(value, "__index__"):
        return value
    try:
        return operator.index(value)
    except TypeError:
        return value


def require_integer(op: str, what: str, value: Any, *, bools: bool = False) -> Any:
    """``value`` as an integer (:func:`integer_argument`: a one-element integer Tensor is the int it holds), or
    torch's TypeError naming ``op`` and ``what`` unless it is a Python or numpy integer (a bool only with
    ``bools``): a float count, size or position (1.5) is refused, not truncated."""
    value = integer_argument(value)
    if not (is_integer(value) or (bools and isinstance(value, bool))):
        raise TypeError(f"{op}: {what} must be an integer, got {value!r}")
    return value


def refuse_negative_sizes(op: str, shape: Any) -> None:
    """Raise a :class:`ShapeError` naming ``op`` and ``shape`` for a size below -1 in the target ``shape`` of a
    reshape or view, as torch does (numpy reads any negative size as the one to infer: -2 passed for -1)."""
    for position, size in enumerate(shape):
        if is_integer(size) and size < -1:
            raise ShapeError(
                f"{op}: invalid size {size} at position {position} of shape {tuple(shape)} (only one size, -1, "
                f"is inferred)"
            )


def refuse_boolean_kernel(op: str, a: Any, b: Any, result: np.ndarray) -> None:
    """Raise a :class:`DtypeKernelError` (torch's NotImplementedError: "remainder_cpu" not implemented for 'Bool')
    for an integer op of two boolean operands that numpy computes in int8, having no boolean loop (``//``, ``%``,
    ``fmod``, shifts, ``**`` of two boolean tensors): torch has no kernel for them, and never an int8 result."""
    if result.dtype == np.int8 and np.asarray(a).dtype == np.bool_ and np.asarray(b).dtype == np.bool_:
        raise DtypeKernelError(f"{op}: not implemented for two boolean operands (dtype bool), as torch's")
