"""The error function erf, to float64 precision, without scipy.

erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt is odd, so it is computed for |x|:

* |x| < 2: the Maclaurin series erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)),
  whose largest term is about 3, so at most a unit or two of the last place is lost;
* |x| >= 2: erf(x) = 1 - erfc(x) with Laplace's continued fraction
  erfc(x) = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
  evaluated from the tail; erfc(x) < 0.005 there, so its own rounding hardly shows in erf.

d/dx erf(x) = 2/sqrt(pi) * e^(-x^2).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["erf"]

_SERIES_TERMS = 40  # |x| < 2: the term 2^81 / (40! 81) is far below float64 precision
_FRACTION_DEPTH = 80  # |x| >= 2: the continued fraction has converged to float64 precision by then
_SWITCH = 2.0


def _series(x: np.ndarray) -> np.ndarray:
    """2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), summed from the small terms up."""
    squared = x * x
    powers = [x]  # (-1)^n x^(2n+1) / n!
    for n in range(1, _SERIES_TERMS):
        powers.append(-powers[-1] * squared / n)
    total = np.zeros_like(x)
    for n in reversed(range(_SERIES_TERMS)):
        total = total + powers[n] / (2 * n + 1)
    return total * (2 / math.sqrt(math.pi))


def _complement(x: np.ndarray) -> np.ndarray:
    """erfc(x) for x >= 2 from Laplace's continued fraction, evaluated from its tail."""
    tail = np.zeros_like(x)
    for k in range(_FRACTION_DEPTH, 0, -1):
        tail = (k / 2) / (x + tail)
    return np.exp(-x * x) / (math.sqrt(math.pi) * (x + tail))


def erf(x: float | np.ndarray) -> float | np.ndarray:
    """The error function of a number or an array (float64 precision; nan stays nan, erf(+-inf) = +-1).

    A float array keeps its dtype (float16 is computed in float32, whose range the series needs, and rounded
    back, as torch's half-precision erf); integers give float64."""
    given = np.asarray(x)
    array = given.astype(np.result_type(given.dtype, np.float32), copy=False)
    dtype = given.dtype if given.dtype.kind == "f" else array.dtype
    magnitude = np.abs(array)
    small = magnitude < _SWITCH
    with np.errstate(all="ignore"):  # each branch is evaluated everywhere, then the right one is kept
        near = _series(np.where(small, magnitude, 0.0).astype(array.dtype))
        far = 1.0 - _complement(np.where(small, _SWITCH, magnitude).astype(array.dtype))
    result = np.copysign(np.where(small, near, np.where(np.isnan(magnitude), np.nan, far)), array)
    if isinstance(x, np.ndarray):
        return result.astype(dtype, copy=False)
    return float(result) if isinstance(x, (int, float)) else result.astype(dtype, copy=False)[()]
