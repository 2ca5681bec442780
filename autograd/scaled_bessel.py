"""The exponentially scaled modified Bessel functions i0e(x) = e^-|x| I0(x) and i1e(x) = e^-|x| I1(x)
(torch.special.i0e, i1e), in float64 without scipy, finite where I0 and I1 overflow:

* |x| < 25: e^-|x| times the power series I_n(x) = sum_k (x/2)^(2k+n) / (k! (k+n)!), whose terms all have one sign
  (no cancellation; 70 terms reach float64 precision);
* |x| >= 25: the asymptotic series I_n(x) e^-x ~ 1 / sqrt(2 pi x) sum_k prod_(j <= k) ((2j-1)^2 - 4 n^2) / (8 j x),
  50 terms (its smallest term, near the 50th at x = 25, is below 1e-20).

d/dx i0e = i1e(x) - sign(x) i0e(x); d/dx i1e = i0e(x) - i1e(x) (sign(x) + 1/x) (1/2 at 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import shared_math
from .core import Node
from .op import Op

__all__ = ["i0e", "i1e"]

_SERIES_BELOW = 25.0
_SERIES_TERMS = 70
_ASYMPTOTIC_TERMS = 50


def _scaled_bessel(order: int, x: np.ndarray) -> np.ndarray:
    """e^-|x| I_order(|x|) for order 0 or 1 of a float64 array (nan stays nan, inf gives 0), in a new array."""
    magnitude = np.abs(x)
    near = magnitude < _SERIES_BELOW
    half = np.where(near, magnitude, 0.0) / 2
    term = np.ones_like(half) if order == 0 else half.copy()
    series = term.copy()
    for k in range(1, _SERIES_TERMS):
        term = term * half * half / (k * (k + order))
        series += term
    series *= np.exp(-np.where(near, magnitude, 0.0))
    far = np.where(near, _SERIES_BELOW, magnitude)
    term, asymptotic = np.ones_like(far), np.ones_like(far)
    for j in range(1, _ASYMPTOTIC_TERMS):
        term = term * ((2 * j - 1) ** 2 - 4 * order * order) / (8 * j * far)
        asymptotic += term
    asymptotic /= np.sqrt(2 * math.pi) * np.sqrt(far)  # (2 pi x would overflow near 1e308)
    return np.where(near, series, np.where(np.isnan(x), np.nan, asymptotic))


def _in_float64(function: Any, x: Any) -> Any:
    """``function`` of ``x`` in float64, rounded back to a float array's dtype (integers give float64, a Python
    number a float)."""
    given = np.asarray(x)
    dtype = given.dtype if given.dtype.kind == "f" else np.dtype(np.float64)
    with np.errstate(all="ignore"):
        result = function(given.astype(np.float64))
    if type(x) in (float, int, bool):
        return float(result)
    return result.astype(dtype, copy=False) if isinstance(x, np.ndarray) else result.astype(dtype)[()]


def _i0e_values(x: Any) -> Any:
    return _in_float64(lambda v: _scaled_bessel(0, v), x)


def _i1e_values(x: Any) -> Any:
    return _in_float64(lambda v: np.copysign(_scaled_bessel(1, v), v), x)


def _i0e_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx i0e = i1e(x) - sign(x) i0e(x)."""
    return g * (i1e(x) - shared_math.sign(x) * i0e(x))


def _i1e_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx i1e = i0e(x) - i1e(x) (sign(x) + 1/x); near 0, i1e(x) / x = 1/2 - |x|/2 + ... (its next term, 5 x^2 /
    16, below 1e-10 for |x| < 1e-5, is kept; taken of x only where |x| < 1e-5, so that at +-inf its own derivative
    is not inf times 0). 1/2 at nan, torch's value (its rule takes every x that is not above its tiny bound, nan
    included, as 0)."""
    data = shared_math.data_of(x)
    small = np.abs(data) < 1e-5
    safe, tiny = shared_math.where(small, 1.0, x), shared_math.where(small, x, 0.0)  # (each branch of finite x)
    over_x = shared_math.where(small, 0.5 - abs(tiny) / 2 + 5 * tiny * tiny / 16, i1e(safe) / safe)
    return g * half_at_nan(i0e(x) - shared_math.sign(x) * i1e(x) - over_x, data)


def half_at_nan(slope: Any, data: np.ndarray) -> Any:
    """``slope`` (an array or a node) with 1/2 where ``data`` is nan: torch's I1 and i1e derivatives take every x
    not above their tiny bound, nan included, as 0, where the slope is 1/2."""
    nan = np.isnan(data)
    return shared_math.where(nan, 0.5, slope) if nan.any() else slope


_I0E = Op("i0e", _i0e_rule)
_I1E = Op("i1e", _i1e_rule)


def i0e(x: Any) -> Any:
    """e^-|x| I0(x) (torch.special.i0e) of a number, an array or a node (recorded; an integer tensor in the
    default float dtype); d/dx = i1e(x) - sign(x) i0e(x)."""
    if isinstance(x, Node):
        return shared_math.record(_I0E, _i0e_values, shared_math.floating(x))
    return _i0e_values(x)


def i1e(x: Any) -> Any:
    """e^-|x| I1(x) (torch.special.i1e) of a number, an array or a node (recorded; an integer tensor in the
    default float dtype); d/dx = i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at 0."""
    if isinstance(x, Node):
        return shared_math.record(_I1E, _i1e_values, shared_math.floating(x))
    return _i1e_values(x)
