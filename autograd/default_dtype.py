"""The default floating dtype of the factories, as torch's ``get_default_dtype``/``set_default_dtype``.

A factory that makes floating data without being given a dtype (``zeros``, ``ones``, ``empty``, ``rand``,
``randn``, ``normal``, ``eye``, ``linspace``, ``logspace``, ``full`` of a float, ``arange`` of floats, ``tensor``
and ``as_tensor`` of Python floats) gives :func:`get_default_dtype`. It is numpy's float64 unless changed, so
code written for numpy keeps its numbers; ``set_default_dtype(np.float32)`` gives torch's default, which the
``nn`` layers use whatever this setting (their parameters are float32 unless given a dtype), so a script that
mixes factories and layers then computes as in torch.

Python floats follow the default; numpy's floating scalars and arrays, and Tensors, keep their own dtype (as
``torch.tensor(np.array([1.0], dtype=np.float32))`` stays float32), and ``*_like`` factories keep their input's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["float_dtype", "get_default_dtype", "python_float_dtype", "real_dtype", "set_default_dtype"]

#: The floating dtypes torch allows as its default that numpy has (torch's bfloat16 has no numpy dtype).
FLOATING_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))

_default = np.dtype(np.float64)


def get_default_dtype() -> np.dtype:
    """The dtype the factories give floating data made without a ``dtype`` (torch's ``get_default_dtype``):
    float64, numpy's, unless :func:`set_default_dtype` changed it (torch starts at float32)."""
    return _default


def set_default_dtype(d: Any) -> None:
    """Make ``d`` the dtype of the floating data the factories make without a ``dtype`` (torch's
    ``set_default_dtype``): float16, float32 or float64, as a numpy dtype or a name numpy reads (``np.float32``,
    ``autograd.float32``, ``"float32"``). Any other dtype is a TypeError, as torch's. The ``nn`` layers keep their
    own default, float32."""
    global _default
    _default = _floating(d)


def _floating(d: Any) -> np.dtype:
    """``d`` as one of :data:`FLOATING_DTYPES`; TypeError naming ``set_default_dtype`` otherwise."""
    try:
        dtype = np.dtype(d) if d is not None else None  # np.dtype(None) would be float64
    except TypeError:
        dtype = None
    if dtype is None or dtype not in FLOATING_DTYPES:
        raise TypeError(
            f"set_default_dtype: only floating-point types are supported as the default type (float16, float32, "
            f"float64), got {d!r}"
        )
    return dtype


def real_dtype(dtype: Any, op: str) -> np.dtype:
    """``dtype`` as a numpy dtype a Tensor can hold (real numbers or booleans); torch's dtypes (``torch.float32``)
    are read by name. TypeError naming ``op`` for anything else (strings, objects, complex numbers)."""
    name = str(dtype)
    if name.startswith("torch."):
        dtype = name.removeprefix("torch.")
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype") from None
    if resolved.kind not in "fiub":
        raise TypeError(f"{op}: unsupported dtype {resolved} (tensors hold real numbers or booleans)")
    return resolved


def float_dtype(dtype: Any) -> Any:
    """``dtype`` if given, else the default floating dtype: what a floating factory makes."""
    return _default if dtype is None else dtype


def python_float_dtype(data: Any) -> np.dtype | None:
    """The default floating dtype if ``data`` is a Python float, or nested lists/tuples of Python numbers with a
    float among them or with no number at all (``[]``), which numpy makes float64 and torch its default dtype;
    None for anything else (ints, bools, numpy arrays and scalars, Tensors: their dtype is numpy's)."""
    if _default == np.float64:  # numpy's own choice for Python floats already
        return None
    if _is_python_float(data):
        return _default
    if not isinstance(data, (list, tuple)):
        return None
    return _default if _floating_python_numbers(data) else None


def _is_python_float(value: Any) -> bool:
    """A Python float, not numpy's float64 (which subclasses float)."""
    return isinstance(value, float) and not isinstance(value, np.generic)


def _floating_python_numbers(rows: Iterable[Any]) -> bool:
    """Whether nested lists/tuples hold only Python numbers (bool, int, float), a float among them, or none."""
    has_float = has_integer = False
    pending = [rows]
    while pending:
        for item in pending.pop():
            if isinstance(item, (list, tuple)):
                pending.append(item)
            elif isinstance(item, np.generic) or not isinstance(item, (int, float)):
                return False
            elif isinstance(item, float):
                has_float = True
            else:
                has_integer = True
    return has_float or not has_integer
