"""torch.testing's ``assert_close`` for Tensors, Values, ndarrays and Python numbers (see :func:`assert_close`).

>>> from autograd import tensor
>>> assert_close(tensor([1.0, 2.0]) * 3, tensor([3.0, 6.0]))  # torch.testing.assert_close's checks and messages
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .core import Node

__all__ = ["assert_close"]

#: torch.testing's default (rtol, atol) per dtype; integer and boolean data compare exactly
_DEFAULT_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


def _tensor_like(x: Any) -> bool:
    """Whether ``x`` is compared as an array: a Tensor or Value (0-d), an ndarray (``.grad``, ``.data``) or a numpy
    scalar."""
    return isinstance(x, (Node, np.ndarray, np.generic))


def _python_scalar(x: Any) -> bool:
    return isinstance(x, (bool, int, float)) and not isinstance(x, np.generic)


def _tolerances(dtypes: Sequence[np.dtype], rtol: float | None, atol: float | None) -> tuple[float, float]:
    """The given tolerances, or torch's defaults for the least precise of ``dtypes``."""
    if rtol is not None and atol is not None:
        return rtol, atol
    pairs = [_DEFAULT_TOLERANCES.get(dtype, (0.0, 0.0)) for dtype in dtypes]
    return max(pair[0] for pair in pairs), max(pair[1] for pair in pairs)


def _number(x: float | int) -> str:
    return repr(int(x)) if isinstance(x, (int, np.integer)) else repr(float(x))


def _mismatch(
    actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float, equal_nan: bool, scalars: bool
) -> str | None:
    """torch's report of the entries of ``actual`` not within ``atol + rtol * |expected|`` of ``expected``
    (same shape), or None when all are."""
    exact = rtol == 0 and atol == 0
    if actual.dtype.kind == "b" or expected.dtype.kind == "b":
        close = actual == expected
        a, e = actual.astype(np.int64), expected.astype(np.int64)
    else:
        integers = actual.dtype.kind in "iu" and expected.dtype.kind in "iu"
        a, e = (actual.astype(np.int64), expected.astype(np.int64)) if integers else (actual, expected)
        with np.errstate(all="ignore"):
            a64, e64 = a.astype(np.float64), e.astype(np.float64)
            close = (a64 == e64) | (
                np.isfinite(a64) & np.isfinite(e64) & (np.abs(a64 - e64) <= atol + rtol * np.abs(e64))
            )
            if equal_nan:
                close |= np.isnan(a64) & np.isnan(e64)
    if np.all(close):
        return None
    with np.errstate(all="ignore"):
        difference = np.abs(a - e)
        # in the floating dtype, as torch; integers and booleans in float64
        relative = difference / np.abs(e) if a.dtype.kind == "f" else difference / np.abs(e.astype(np.float64))
    allowed = ("", "") if exact else (f" (up to {atol} allowed)", f" (up to {rtol} allowed)")
    title = "Scalars are not " if scalars else "Tensor-likes are not "
    title += "equal!" if exact else "close!"
    if scalars:
        got, want = actual.reshape(()).item(), expected.reshape(()).item()
        return (
            f"{title}\n\nExpected {want} but got {got}.\n"
            f"Absolute difference: {_number(difference.reshape(()).item())}{allowed[0]}\n"
            f"Relative difference: {_number(relative.reshape(()).item())}{allowed[1]}"
        )
    wrong = ~close
    count, total = int(wrong.sum()), wrong.size
    # the greatest differences among the mismatched entries (nan ranks first, as torch reports it)
    shown = np.where(wrong, np.where(np.isnan(difference.astype(np.float64)), np.inf, difference), -np.inf)
    worst = np.unravel_index(int(np.argmax(shown)), wrong.shape)
    shown = np.where(wrong, np.where(np.isnan(relative), np.inf, relative), -np.inf)
    worst_relative = np.unravel_index(int(np.argmax(shown)), wrong.shape)
    return (
        f"{title}\n\nMismatched elements: {count} / {total} ({100 * count / total:.1f}%)\n"
        f"Greatest absolute difference: {_number(difference[worst])} at index "
        f"{tuple(int(i) for i in worst)}{allowed[0]}\n"
        f"Greatest relative difference: {_number(relative[worst_relative])} at index "
        f"{tuple(int(i) for i in worst_relative)}{allowed[1]}"
    )


def _compare(actual: Any, expected: Any, options: dict[str, Any]) -> tuple[str, str] | None:
    """The first difference between ``actual`` and ``expected`` as (message, path of the item), or None."""
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            return (
                f"The keys of the mappings do not match:\nMissing keys in the actual mapping: "
                f"{sorted(map(repr, set(expected) - set(actual)))}\nExtra keys in the actual mapping: "
                f"{sorted(map(repr, set(actual) - set(expected)))}",
                "",
            )
        for key in expected:
            failure = _compare(actual[key], expected[key], options)
            if failure is not None:
                return failure[0], f"[{key!r}]{failure[1]}"
        return None
    sequences = (list, tuple)
    if isinstance(actual, sequences) and isinstance(expected, sequences):
        if len(actual) != len(expected):
            return f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", ""
        for i, (a, e) in enumerate(zip(actual, expected)):
            failure = _compare(a, e, options)
            if failure is not None:
                return failure[0], f"[{i}]{failure[1]}"
        return None
    if _python_scalar(actual) and _python_scalar(expected):
        if options["check_dtype"] and type(actual) is not type(expected):
            return f"The (d)types do not match: {type(actual)} != {type(expected)}.", ""
        kinds = {bool: np.bool_, int: np.int64, float: np.float64}
        dtypes = [np.dtype(kinds[type(x)]) for x in (actual, expected)]
        rtol, atol = _tolerances(dtypes, options["rtol"], options["atol"])
        promoted = np.result_type(*dtypes)
        pair = (np.asarray(actual, promoted), np.asarray(expected, promoted))
        message = _mismatch(*pair, rtol, atol, options["equal_nan"], scalars=True)
        return None if message is None else (message, "")
    if not (_tensor_like(actual) and _tensor_like(expected)):
        raise TypeError(
            f"assert_close: no comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}; "
            "compare Tensors (Values, arrays) with each other and Python numbers with each other"
        )
    a, e = (np.asarray(x._data if isinstance(x, Node) else x) for x in (actual, expected))
    if a.shape != e.shape:
        return f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}.", ""
    if options["check_dtype"] and a.dtype != e.dtype:
        return f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}.", ""
    rtol, atol = _tolerances([a.dtype, e.dtype], options["rtol"], options["atol"])
    if a.dtype != e.dtype:
        promoted = np.result_type(a, e)
        a, e = a.astype(promoted), e.astype(promoted)
    message = _mismatch(a, e, rtol, atol, options["equal_nan"], scalars=a.ndim == 0)
    return None if message is None else (message, "")


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """torch.testing.assert_close: raise an AssertionError unless ``actual`` and ``expected`` are close.

    Tensors, Values (0-d), ndarrays (a ``.grad``, a ``.data``) and numpy scalars compare with each other as
    tensor-likes: the same shape, the same dtype (unless ``check_dtype=False``, when both are promoted), and
    every entry within ``|actual - expected| <= atol + rtol * |expected|`` (infinities must be equal, NaN
    fails unless ``equal_nan``). Python numbers compare with Python numbers (an int is not a float), and
    lists, tuples and mappings item by item. The tolerances are both given or both omitted (a ValueError
    otherwise); omitted, they are torch's for the less precise dtype: float16 (1e-3, 1e-5), float32
    (1.3e-6, 1e-5), float64 and Python floats (1e-7, 1e-7), exact for integers and booleans. A tensor-like
    beside a Python number is a TypeError, as torch's. The message is torch's (mismatched elements, the
    greatest absolute and relative differences and their indices, the failing item); ``msg`` replaces it,
    or, as a callable, edits it. ``allow_subclasses``, ``check_device``, ``check_layout`` and
    ``check_stride`` are accepted for torch's calls (everything is a strided array on the CPU here).
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {'rtol' if rtol is None else 'atol'}."
        )
    options = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_dtype": check_dtype}
    failure = _compare(actual, expected, options)
    if failure is None:
        return
    message, path = failure
    if path:
        message += f"\n\nThe failure occurred for item {path}"
    if callable(msg):
        message = msg(message)
    elif msg is not None:
        message = msg
    raise AssertionError(message)
