"""Argument checks shared by every layer, loss, optimizer and data helper, so messages read the same.

Every check takes ``(owner, name, value, ...)`` and returns the checked value: a plain Python
number, the chosen string, a numpy dtype or a Generator. Errors name the owner (the op,
layer or class), the argument and the bad value, as ``"Owner: name must be ..., got value"``:

* wrong type: ``TypeError("Linear: in_features must be a positive integer, got 2.5")``;
* out of range: ``ValueError("SGD: lr must be >= 0, got -0.1")``, ``"... must be positive, got 0"``.

Booleans are never numbers here (``True`` is refused where an int or a float is expected),
and nan never passes (unless ``allow_nan``): it is reported as "must be finite", like +-inf, or as "must not be nan"
where +-inf may pass (``allow_inf``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Node, generator_for
from autograd.broadcasting import AxisError
from autograd.random_state import seeded_state
from autograd.shape_errors import integer_argument

__all__ = [
    "ArgumentAssertionError",
    "MissingEntryError",
    "MistypedArgumentError",
    "ParameterOverflowError",
    "ShortSequenceError",
    "UnsupportedOptionError",
    "ZeroNormError",
    "as_given",
    "check_axis",
    "check_choice",
    "check_fits_dtype",
    "check_flag",
    "check_float_dtype",
    "check_integer",
    "check_positive_int",
    "check_probability",
    "check_real",
    "torch_mistyped",
    "make_generator",
]


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if high == math.inf:
        if low == 0 and low_open:
            return "positive"
        return f"> {low:g}" if low_open else f">= {low:g}"
    if low == -math.inf:
        return f"< {high:g}" if high_open else f"<= {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def _real_number(value: Any) -> float | None:
    """``value`` as a float if it is a real number: a Python or numpy number, or a one-element real array or Tensor
    (torch takes ``lr=torch.tensor(0.01)``); None for anything else (bools included)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    data = getattr(value, "data", None) if isinstance(value, Node) else value
    if isinstance(data, np.ndarray) and data.size == 1 and data.dtype.kind in "fiu":
        return float(data.reshape(()))
    return None


def check_real(
    owner: str,
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
    allow_nan: bool = False,
    error: type[ValueError] = ValueError,
) -> float:
    """``value`` as a float in the interval from ``low`` to ``high`` (closed unless ``*_open``).

    Finite unless ``allow_inf`` (then +-inf pass when the interval reaches them); nan only with ``allow_nan`` (a fill
    value: torch pads with nan). A number outside
    the interval, or a nan or inf that may not pass, raises ``error`` (:class:`ArgumentRangeError` where torch raises
    a RuntimeError).
    """
    if (  # a finite float inside the interval: the common case, checked without the ABC lookups
        type(value) is float
        and math.isfinite(value)
        and (low < value or (value == low and not low_open))
        and (value < high or (value == high and not high_open))
    ):
        return value
    number = _real_number(value)
    if number is None:
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    if math.isnan(number) and allow_nan:
        return number
    if math.isnan(number) and allow_inf:
        raise error(f"{owner}: {name} must not be nan, got {value!r}")
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise error(f"{owner}: {name} must be finite, got {value!r}")
    below = number <= low if low_open else number < low
    above = number >= high if high_open else number > high
    if below or above:
        raise error(f"{owner}: {name} must be {_interval(low, high, low_open, high_open)}, got {value!r}")
    return number


class ArgumentAssertionError(ValueError, AssertionError):
    """An argument torch checks with ``assert`` (an AssertionError there: MultiheadAttention's embed_dim /
    num_heads and its inputs' ranks and sizes, Embedding's padding_idx); a ValueError here too."""


class MistypedArgumentError(ValueError, TypeError):
    """An argument of the wrong type that torch refuses with a ValueError (a float ``T_0``, a string ``eta_min``): a
    ValueError as torch raises, and a TypeError as the library's checks raise for a wrong type."""


def torch_mistyped(check: Callable[..., Any], owner: str, name: str, value: Any, *args: Any) -> Any:
    """``check(owner, name, value, *args)``, its TypeError (a wrong type) raised as :class:`MistypedArgumentError`:
    for the arguments whose type torch checks with a ValueError."""
    try:
        return check(owner, name, value, *args)
    except TypeError as error:
        raise MistypedArgumentError(str(error)) from None


class MissingEntryError(ValueError, KeyError):
    """A required entry missing from a dict argument (a param group without ``"params"``, a state dict without
    ``"state"``, a param group without ``"initial_lr"`` when a scheduler resumes), which torch's lookup of it raises
    as a KeyError: a ValueError here too. Its message reads as written (a KeyError's own would be quoted)."""

    __str__ = ValueError.__str__


class ShortSequenceError(TypeError, IndexError):
    """A sequence argument with fewer items than it needs (``betas=(0.9,)``), which torch's indexing of it raises as
    an IndexError: a TypeError here too, as the library's checks raise for an argument of the wrong form."""


class UnsupportedOptionError(ValueError, NotImplementedError):
    """A combination of options torch refuses as not implemented (a NotImplementedError, so a RuntimeError); a
    ValueError here too."""


class ZeroNormError(ValueError, ZeroDivisionError):
    """A norm order of 0 where the result is a 1 / p power (``lp_pool1d(x, 0, 2)``): torch's functional divides by
    it and raises a ZeroDivisionError; a ValueError here too."""


class ParameterOverflowError(ValueError, RuntimeError):
    """A finite number argument beyond the largest value of the input's dtype (torch's RuntimeError "value cannot
    be converted to type float without overflow")."""


def check_fits_dtype(owner: str, name: str, value: float, dtype: Any) -> float:
    """``value`` as it is when the float ``dtype`` can hold it (inf and nan pass: they convert exactly, as in
    torch); :class:`ParameterOverflowError` for a finite value beyond its largest, such as 1e308 for float32."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f" and math.isfinite(value) and abs(value) > float(np.finfo(dtype).max):
        raise ParameterOverflowError(
            f"{owner}: {name}={value!r} cannot be converted to the input's dtype {dtype} without overflow (its "
            f"largest value is {float(np.finfo(dtype).max):.6g}); use a float64 input for such a value"
        )
    return value


def as_given(value: Any, checked: float) -> int | float:
    """The hyperparameter ``value`` as torch keeps it once ``checked`` passed: an integer stays an int (a layer's
    repr reads ``p=0`` or ``eps=1``, as torch's, not ``p=0.0``), anything else is the checked float."""
    return int(value) if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) else checked


def check_probability(owner: str, name: str, value: Any, error: type[ValueError] = ValueError) -> float:
    """``value`` as a float in [0, 1]; a number outside raises ``error`` (:class:`ArgumentRangeError` where torch
    raises a RuntimeError)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a probability in [0, 1], got {value!r}")
    if not 0 <= value <= 1:
        raise error(f"{owner}: {name} must be a probability in [0, 1], got {value!r}")
    return float(value)


def check_integer(
    owner: str, name: str, value: Any, low: int | None = None, *, error: type[ValueError] = ValueError
) -> int:
    """``value`` as a Python int (numpy integers accepted, booleans and floats refused), at least ``low`` (below it,
    ``error``: :class:`~autograd.ArgumentRangeError` where torch raises a RuntimeError)."""
    if type(value) is int and (low is None or value >= low):  # the common case, without the ABC lookups
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer, got {value!r}")
    if low is not None and value < low:
        raise error(f"{owner}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_positive_int(owner: str, name: str, value: Any, *, error: type[ValueError] = ValueError) -> int:
    """``value`` as an int >= 1 (a count or a size): a TypeError for a non-integer, an ``error`` (a ValueError; an
    :class:`~autograd.ArgumentRangeError` where torch raises a RuntimeError) below 1. A one-element integer Tensor is
    read as the int it holds, as torch reads it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        read = integer_argument(value)  # a one-element integer Tensor: its int
        if read is value or isinstance(read, bool) or not isinstance(read, numbers.Integral):
            raise TypeError(f"{owner}: {name} must be a positive integer, got {value!r}")
        value = read
    if value < 1:
        raise error(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def check_axis(owner: str, name: str, value: Any, ndim: int) -> int:
    """``value`` as an axis of an ``ndim``-dimensional input, in 0 .. ndim - 1.

    Negative axes count from the end (-1 is the last), so ``value`` must lie in [-ndim, ndim - 1]; one outside
    is an :data:`~autograd.broadcasting.AxisError`, a ValueError that is also torch's IndexError for a
    dimension out of range, as the Tensor methods raise.
    """
    axis = check_integer(owner, name, value)
    if ndim == 0:
        raise AxisError(f"{owner}: {name} must index an axis, but the input is 0-dimensional, got {value!r}")
    if not -ndim <= axis < ndim:
        raise AxisError(
            f"{owner}: {name} must be in [{-ndim}, {ndim - 1}] for an input of dimension {ndim}, got {value!r}"
        )
    return axis % ndim


def check_choice(
    owner: str, name: str, value: Any, choices: Sequence[str], error: type[ValueError] = ValueError
) -> str:
    """``value`` if it is one of the strings ``choices`` (an ``error``, a ValueError, listing them otherwise: an
    :class:`~autograd.shape_errors.ArgumentRangeError` where torch raises a RuntimeError)."""
    if not isinstance(value, str) or value not in choices:
        *others, last = (repr(choice) for choice in choices)
        options = f"{', '.join(others)} or {last}" if others else last
        hint = ""
        if name == "reduction" and (value is None or isinstance(value, (bool, np.bool_))):
            hint = (
                " (a flag where torch's signature has the deprecated size_average or reduce: pass them, and "
                "reduction, by keyword)"
            )
        raise error(f"{owner}: {name} must be {options}, got {value!r}{hint}")
    return value


def check_flag(owner: str, name: str, value: Any) -> bool:
    """``value`` as a bool (Python or numpy bool only)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_float_dtype(owner: str, name: str, value: Any) -> np.dtype:
    """``value`` as a floating-point numpy dtype (anything ``np.dtype`` reads, e.g. ``np.float32`` or ``"float64"``, or
    a torch dtype, read by its name as a Tensor's ``to`` reads it)."""
    given = str(value)
    try:
        dtype = np.dtype(given.removeprefix("torch.") if given.startswith("torch.") else value)
    except TypeError:
        raise TypeError(
            f"{owner}: {name} must be a floating-point dtype numpy holds (float16, float32 or float64), got {value!r}"
        ) from None
    if dtype.kind != "f":
        raise TypeError(f"{owner}: {name} must be a floating-point dtype, got {dtype}")
    return dtype


def drawing_generator(held: np.random.Generator, follows_seed: bool) -> np.random.Generator:
    """The Generator a random layer draws from at a call: ``held``, the one it was made with, unless it was made
    without ``rng=`` (``follows_seed``) and ``autograd.manual_seed`` has been called, when it is the library's
    seeded state as that call left it, so reseeding replays the layer's draws however long ago it was made (torch's
    layers draw from torch's default generator at each call)."""
    seeded = seeded_state() if follows_seed else None
    return held if seeded is None else seeded


def make_generator(owner: str, name: str, value: Any) -> np.random.Generator:
    """A numpy Generator from ``value``: a Generator (used as it is, so draws continue its stream),
    an int seed >= 0 (``np.random.default_rng(seed)``: the same seed, the same numbers) or None
    (the library's random state: fresh entropy, or the stream ``autograd.manual_seed`` seeded)."""
    if isinstance(value, np.random.Generator):
        return value
    if value is None:
        return generator_for()  # the library's random state: seeded by autograd.manual_seed, else fresh
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be a numpy.random.Generator, an int seed or None, got {value!r}")
    if value < 0:
        raise ValueError(f"{owner}: {name} must be an int seed >= 0, got {value!r}")
    return np.random.default_rng(int(value))
