"""torch's ``finfo`` and ``iinfo``: the limits of a floating or an integer dtype, read from numpy's.

As torch's, the limits are Python numbers (``finfo(float16).max * 2`` is 131008.0, where numpy's float16 scalar
overflows to inf with a warning), ``resolution`` is ``10 ** -precision`` as a float (0.001 for float16, not numpy's
float16 rounding of it), ``dtype`` is the dtype's name, the repr is torch's, and two of them are equal when they
describe the same dtype. A dtype of the other kind (an integer or bool dtype for ``finfo``, a floating or bool one
for ``iinfo``) is torch's TypeError (:class:`DtypeKindError`, which is also the ValueError numpy raises), and an
argument that is no dtype at all (a number, a Tensor) a TypeError. ``finfo()`` describes the default dtype
(:func:`~autograd.get_default_dtype`). The dtype may be given as numpy reads one (``autograd.float32``,
``np.dtype("float32")``, ``"float32"``, ``float``) or as a torch dtype. numpy's other attributes (``nmant``,
``smallest_subnormal``, ``epsneg``, ...) are there too, as numpy gives them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .default_dtype import get_default_dtype

__all__ = ["DtypeKindError", "finfo", "iinfo"]


class DtypeKindError(TypeError, ValueError):
    """``finfo`` of a dtype that is not floating, or ``iinfo`` of one that is not an integer: torch's TypeError,
    and the ValueError numpy's ``finfo``/``iinfo`` raise."""


def _dtype(value: Any, function: str) -> np.dtype:
    """``value`` as a numpy dtype; TypeError naming ``function`` when it is no dtype."""
    name = str(value)
    if name.startswith("torch."):  # a torch dtype, read by its name
        value = name.removeprefix("torch.")
    if not isinstance(value, (np.dtype, type, str)):
        raise TypeError(f"{function}(): argument 'type' must be a dtype, not {type(value).__name__}")
    try:
        return np.dtype(value)
    except TypeError:
        raise TypeError(f"{function}(): {value!r} is not a dtype") from None


def _short(number: float) -> str:
    """A limit as torch's repr shows it (six significant digits)."""
    return f"{number:g}"


class finfo:  # noqa: N801 - torch's name
    """torch's ``finfo(type)``: ``bits``, ``eps``, ``max``, ``min``, ``tiny``, ``smallest_normal``, ``resolution``
    (Python floats) and ``dtype`` (the name) of a floating dtype; of the default dtype without an argument."""

    __slots__ = ("_numpy", "bits", "dtype", "eps", "max", "min", "resolution", "smallest_normal", "tiny")

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - torch's name
        dtype = get_default_dtype() if type is None else _dtype(type, "finfo")
        if dtype.kind not in "fc":
            raise DtypeKindError(
                f"finfo() requires a floating point input type, got {dtype}; use iinfo for integer types"
            )
        info = np.finfo(dtype)
        self._numpy = info
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = info.dtype.name

    def __getattr__(self, name: str) -> Any:
        """numpy's other attributes (``nmant``, ``smallest_subnormal``, ...)."""
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, "_numpy"), name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __reduce__(self) -> tuple[Any, ...]:
        return finfo, (self.dtype,)

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, max={_short(self.max)}, "
            f"eps={_short(self.eps)}, smallest_normal={_short(self.smallest_normal)}, tiny={_short(self.tiny)}, "
            f"dtype={self.dtype})"
        )


class iinfo:  # noqa: N801 - torch's name
    """torch's ``iinfo(type)``: ``bits``, ``min``, ``max`` (Python ints) and ``dtype`` (the name) of an integer
    dtype."""

    __slots__ = ("bits", "dtype", "max", "min")

    def __init__(self, type: Any) -> None:  # noqa: A002 - torch's name
        dtype = _dtype(type, "iinfo")
        if dtype.kind == "b":
            raise DtypeKindError("iinfo(): bool is not supported; it has no integer limits")
        if dtype.kind not in "iu":
            raise DtypeKindError(
                f"iinfo() requires an integer input type, got {dtype}; use finfo for floating point types"
            )
        info = np.iinfo(dtype)
        self.bits, self.min, self.max, self.dtype = int(info.bits), int(info.min), int(info.max), dtype.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __reduce__(self) -> tuple[Any, ...]:
        return iinfo, (self.dtype,)

    def __repr__(self) -> str:
        return f"iinfo(min={_short(self.min)}, max={_short(self.max)}, dtype={self.dtype})"
