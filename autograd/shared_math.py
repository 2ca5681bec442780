"""Math that works on plain numbers, numpy arrays and graph nodes alike.

Derivative rules are written with these functions (and Python operators), so a
rule evaluated on raw data gives a first derivative, and the same rule evaluated
on graph nodes records a graph that can be differentiated again.

Plain Python floats follow IEEE semantics as numpy does: overflow gives inf and
domain errors give nan or -inf instead of raising.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import Node

_PLAIN = (float, int, bool)


def data_of(x: Any) -> Any:
    """The raw number/array behind ``x`` (``x.data`` for a node, else ``x``)."""
    return x.data if isinstance(x, Node) else x


def exp(x: Any) -> Any:
    """e**x."""
    if isinstance(x, Node):
        return x.exp()
    if type(x) in _PLAIN:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf
    return np.exp(x)


def log(x: Any) -> Any:
    """Natural logarithm; log(0) = -inf and log(x<0) = nan for plain numbers."""
    if isinstance(x, Node):
        return x.log()
    if type(x) in _PLAIN:
        if x > 0:
            return math.log(x)
        if x == 0:
            return -math.inf
        return math.nan
    return np.log(x)


def sqrt(x: Any) -> Any:
    """Square root; nan for negative plain numbers."""
    if isinstance(x, Node):
        return x.sqrt()
    if type(x) in _PLAIN:
        return math.sqrt(x) if x >= 0 else math.nan
    return np.sqrt(x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    if isinstance(x, Node):
        return x.tanh()
    if type(x) in _PLAIN:
        return math.tanh(x)
    return np.tanh(x)


def sin(x: Any) -> Any:
    """Sine."""
    if isinstance(x, Node):
        return x.sin()
    if type(x) in _PLAIN:
        return math.sin(x) if math.isfinite(x) else math.nan
    return np.sin(x)


def cos(x: Any) -> Any:
    """Cosine."""
    if isinstance(x, Node):
        return x.cos()
    if type(x) in _PLAIN:
        return math.cos(x) if math.isfinite(x) else math.nan
    return np.cos(x)


def sigmoid(x: Any) -> Any:
    """Logistic function 1 / (1 + e**-x), split by sign so exp never overflows."""
    if isinstance(x, Node):
        return x.sigmoid()
    if type(x) in _PLAIN:
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        if x != x:
            return math.nan
        z = math.exp(x)
        return z / (1.0 + z)
    x = np.asarray(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)


def softplus(x: Any) -> Any:
    """log(1 + e**x) computed as max(x, 0) + log1p(e**-|x|)."""
    if isinstance(x, Node):
        return x.softplus()
    if type(x) in _PLAIN:
        if x != x:
            return math.nan
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def numpy_scalar(function: Any, *args: Any) -> float:
    """Evaluate a numpy ufunc on float64 scalars, silently, for IEEE edge cases."""
    with np.errstate(all="ignore"):
        return float(function(*(np.float64(a) for a in args)))


def power(x: Any, y: Any) -> Any:
    """x**y with numpy's IEEE results for plain numbers (0**-1 = inf, (-8)**0.5 = nan)."""
    if isinstance(x, Node) or isinstance(y, Node):
        return x**y
    if type(x) in _PLAIN and type(y) in _PLAIN:
        try:
            result = float(x) ** y
        except (ZeroDivisionError, OverflowError):
            return numpy_scalar(np.power, x, y)
        return math.nan if isinstance(result, complex) else result
    return np.power(x, y)


def divide(x: Any, y: Any) -> Any:
    """x / y with IEEE results for plain numbers (1/0 = inf, 0/0 = nan)."""
    if type(x) in _PLAIN and type(y) in _PLAIN:
        try:
            return x / y
        except ZeroDivisionError:
            return numpy_scalar(np.divide, x, y)
    return x / y


def sign(x: Any) -> Any:
    """-1, 0 or 1 (a constant: its derivative is zero)."""
    raw = data_of(x)
    if type(raw) in _PLAIN:
        return (raw > 0) - (raw < 0)
    return np.sign(raw)


def where(condition: Any, x: Any, y: Any) -> Any:
    """Elementwise ``x if condition else y``; ``condition`` is raw (not differentiated)."""
    if isinstance(x, Node) or isinstance(y, Node):
        node = x if isinstance(x, Node) else y
        return node._where(condition, x, y)
    if type(condition) in (bool, np.bool_):
        return x if condition else y
    return np.where(condition, x, y)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast ``x`` to ``shape`` (a read-only view for arrays)."""
    if isinstance(x, Node):
        return x.broadcast_to(shape)
    return np.broadcast_to(x, shape)


def safe_norm(array: Any) -> float:
    """Euclidean norm without overflow or underflow: max|a| * sqrt(sum((a / max|a|)^2)).

    Computed in float64; an empty array has norm 0; a non-finite entry gives inf or nan.
    """
    magnitudes = np.abs(np.asarray(array, dtype=np.float64))
    if magnitudes.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        largest = float(magnitudes.max())
        if largest == 0.0 or not math.isfinite(largest):
            return largest
        return largest * float(np.sqrt(np.sum((magnitudes / largest) ** 2)))


def _numpy_or_method(ufunc: np.ufunc) -> Any:
    """``ufunc`` on a number (a float with IEEE results) or an array; on a node, its method of the same name."""
    name = ufunc.__name__

    def function(x: Any) -> Any:
        if isinstance(x, Node):
            return getattr(x, name)()
        if type(x) in _PLAIN:
            return numpy_scalar(ufunc, x)
        return ufunc(x)

    function.__name__ = name
    function.__doc__ = f"numpy.{name} of a number, an array or a node (recorded)."
    return function


sinh = _numpy_or_method(np.sinh)
cosh = _numpy_or_method(np.cosh)
