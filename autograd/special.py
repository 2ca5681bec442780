"""Special functions to float64 precision, without scipy: the error function erf (below), and erfc, erfinv,
lgamma, digamma, polygamma, i0 and I1 (after it; each says how it is computed).

erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt is odd, so it is computed for |x|:

* |x| < 2: the Maclaurin series erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)),
  whose largest term is about 3, so at most a unit or two of the last place is lost;
* |x| >= 2: erf(x) = 1 - erfc(x) with Laplace's continued fraction
  erfc(x) = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
  evaluated from the tail; erfc(x) < 0.005 there, so its own rounding hardly shows in erf.

d/dx erf(x) = 2/sqrt(pi) * e^(-x^2).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .core import Node

#: Python's number types: a special function of one gives a float.
_PLAIN = (float, int, bool)

__all__ = ["bessel_i1", "digamma", "erf", "erfc", "erfinv", "i0", "lgamma", "polygamma"]

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


# -- special functions in float64, without scipy: the forwards of lgamma, digamma, polygamma, erfc, erfinv, i0 -----
# On a node each is its recorded method (x.digamma(), ...), so derivative rules can call them at every order.
def _in_float64(function: Any) -> Any:
    """``function`` of a float64 array, applied to a number, an array or a numpy scalar: computed in float64 without
    warnings; a float array keeps its dtype (rounded back, as torch's half-precision special functions), integers
    and booleans give float64, a Python number gives a float."""

    @functools.wraps(function)
    def evaluated(x: Any, *args: Any) -> Any:
        given = np.asarray(x)
        dtype = given.dtype if given.dtype.kind == "f" else np.dtype(np.float64)
        with np.errstate(all="ignore"):
            result = np.asarray(function(given.astype(np.float64), *args))
        if isinstance(x, np.ndarray):
            return result.astype(dtype, copy=False)
        if type(x) in _PLAIN:
            return float(result)
        return result.astype(dtype)[()]

    return evaluated


def _log_gamma_of(value: float) -> float:
    try:
        return math.lgamma(value)
    except (ValueError, OverflowError):  # a pole (0, -1, ...) or a result beyond float64: inf, as torch
        return math.inf


@_in_float64
def _log_gamma(x: np.ndarray) -> np.ndarray:
    """log |Gamma(x)| by the C library (math.lgamma, as torch's std::lgamma): inf at the poles and at +-inf."""
    return np.array([_log_gamma_of(v) for v in x.reshape(-1).tolist()], dtype=np.float64).reshape(x.shape)


def lgamma(x: Any) -> Any:
    """log |Gamma(x)| of a number, an array or a node (recorded); d/dx = digamma(x)."""
    return x.lgamma() if isinstance(x, Node) else _log_gamma(x)


#: B_2k / 2k for k = 1..7: the asymptotic series of digamma, psi(y) ~ log y - 1/(2y) - sum_k B_2k / (2k y^2k).
_DIGAMMA_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


@_in_float64
def _digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) = Gamma'(x) / Gamma(x), as torch computes it: x < 0 reflected, psi(x) = psi(1 - x) - pi / tan(pi r)
    with r the fractional part of x (exact); then psi(y) = psi(y + 1) - 1/y up to y >= 10, and the asymptotic series
    (its first omitted term is below 5e-17 there). -inf at 0, +inf at -0, NaN at the negative integers."""
    reflect = x < 0
    fraction = x - np.trunc(x)
    result = np.where(reflect, -math.pi / np.tan(math.pi * fraction), 0.0)
    y = np.where(reflect, 1 - x, x)
    for _ in range(10):
        small = y < 10
        result -= np.where(small, 1 / np.where(small, y, 1.0), 0.0)
        y = np.where(small, y + 1, y)
    z = 1 / (y * y)
    series = np.zeros_like(z)
    for coefficient in reversed(_DIGAMMA_SERIES):
        series = (series + coefficient) * z
    result += np.log(y) - 0.5 / y - series
    result = np.where(reflect & (fraction == 0), np.nan, result)
    return np.where(x == 0, np.copysign(np.inf, -x), result)


def digamma(x: Any) -> Any:
    """psi(x), the derivative of log Gamma, of a number, an array or a node (recorded); d/dx = polygamma(1, x)."""
    return x.digamma() if isinstance(x, Node) else _digamma(x)


#: B_2j / (2j)! for j = 1..11: the Euler-Maclaurin tail of the Hurwitz zeta function.
_ZETA_TAIL = tuple(
    b / math.factorial(2 * j)
    for j, b in enumerate(
        (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330,
         854513 / 138), start=1
    )
)  # fmt: skip


def _hurwitz_zeta(s: int, y: np.ndarray) -> np.ndarray:
    """zeta(s, y) = sum_k (y + k)^-s for an integer s >= 2 and y > 0: the first terms summed up to y >= 8 + s, then
    Euler-Maclaurin's tail y^(1-s) / (s - 1) + y^-s / 2 + sum_j B_2j / (2j)! s (s+1) ... (s+2j-2) y^(-s-2j+1),
    whose first omitted term is below 1e-17 of the result there."""
    total = np.zeros_like(y)
    for _ in range(8 + s):
        small = y < 8 + s
        total += np.where(small, np.where(small, y, 1.0) ** -s, 0.0)
        y = np.where(small, y + 1, y)
    tail = y ** (1 - s) / (s - 1) + 0.5 * y**-s
    rising, power = float(s), y**-s / y  # s (s+1) ... (s+2j-2) and y^(-s-2j+1), for j = 1
    for j, coefficient in enumerate(_ZETA_TAIL, start=1):
        tail += coefficient * rising * power
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        power = power / (y * y)
    return total + tail


def _cotangent_derivative(n: int, cotangent: np.ndarray) -> np.ndarray:
    """d^n/dt^n cot(t) as a polynomial in c = cot(t): P_0(c) = c, P_(k+1)(c) = -(1 + c^2) P_k'(c)."""
    polynomial = np.polynomial.Polynomial([0.0, 1.0])
    for _ in range(n):
        polynomial = -np.polynomial.Polynomial([1.0, 0.0, 1.0]) * polynomial.deriv()
    return polynomial(cotangent)


@_in_float64
def _polygamma(x: np.ndarray, n: int) -> np.ndarray:
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1; x < 0 by the reflection
    psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi d^n/dx^n cot(pi x), with cot taken of the exact fractional part.
    (-1)^(n+1) inf at the poles 0, -1, -2, ...; NaN at NaN; (-1)^(n+1) 0 at +inf (the limit, as scipy; torch gives
    NaN there for n >= 2); at -inf NaN for n = 1 and (-1)^(n+1) inf for n >= 2 (as torch)."""
    if n == 0:
        return _digamma(x)
    reflect = x < 0
    fraction = x - np.trunc(x)
    y = np.where(reflect, 1 - x, x)
    value = (-1) ** (n + 1) * math.factorial(n) * _hurwitz_zeta(n + 1, np.where(y > 0, y, 1.0))
    cotangent = 1 / np.tan(math.pi * np.where(reflect, fraction, 0.5))
    reflected = (-1) ** n * value - math.pi ** (n + 1) * _cotangent_derivative(n, cotangent)
    result = np.where(reflect, reflected, value)
    pole = ((x <= 0) & (fraction == 0)) | ((x == -np.inf) & (n >= 2))
    return np.where(np.isnan(x), np.nan, np.where(pole, (-1) ** (n + 1) * np.inf, result))


def polygamma(n: int, x: Any) -> Any:
    """psi^(n)(x), the n-th derivative of digamma, of a number, an array or a node (recorded);
    d/dx = polygamma(n + 1, x)."""
    return x.polygamma(n) if isinstance(x, Node) else _polygamma(x, n)


@_in_float64
def _erfc(x: np.ndarray) -> np.ndarray:
    """1 - erf(x) without cancellation: erf's own complement (Laplace's continued fraction) for x >= 2."""

    far = x >= 2
    return np.where(far, _complement(np.where(far, x, 2.0)), 1 - erf(np.where(far, 0.0, x)))


def erfc(x: Any) -> Any:
    """erfc(x) = 1 - erf(x), accurate where it is tiny, of a number, an array or a node (recorded)."""
    return x.erfc() if isinstance(x, Node) else _erfc(x)


#: Giles' single-precision approximation of erfinv ("Approximating the erfinv function", 2010): the polynomials in
#: w - 2.5 (w < 5) and sqrt(w) - 3, w = -log(1 - y^2), highest degree first.
_ERFINV_CENTRE = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941)  # fmt: skip
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                0.00943887047, 1.00167406, 2.83297682)  # fmt: skip


@_in_float64
def _erfinv(y: np.ndarray) -> np.ndarray:
    """erfinv(y), the x with erf(x) = y: Giles' approximation (relative error < 4e-7), refined by four Halley
    steps on erf(x) = |y| for |y| <= 1/2, and above by four Newton steps on log erfc(x) = log(1 - |y|) (1 - |y|
    exact), so it stays accurate up to +-1 (where erf(x) - |y| would lose every digit).
    +-inf at +-1, NaN outside [-1, 1]."""

    a = np.abs(y)
    inside = a < 1
    a = np.where(inside, a, 0.5)
    w = -np.log((1 - a) * (1 + a))
    centre, tail = np.polyval(_ERFINV_CENTRE, w - 2.5), np.polyval(_ERFINV_TAIL, np.sqrt(w) - 3)
    x = np.where(w < 5, centre, tail) * a
    upper = a > 0.5
    for _ in range(4):
        slope = (2 / math.sqrt(math.pi)) * np.exp(-x * x)
        complement = _erfc(x)
        halley = (erf(x) - a) / slope
        x = np.where(upper, x + (np.log(complement) - np.log1p(-a)) * complement / slope, x - halley / (1 + x * halley))
    x = np.where(inside, x, np.where(a == 1, np.inf, np.nan))
    x = np.where(np.abs(y) == 1, np.inf, np.where(np.abs(y) > 1, np.nan, x))
    return np.copysign(x, y)


def erfinv(x: Any) -> Any:
    """The inverse error function of a number, an array or a node (recorded)."""
    return x.erfinv() if isinstance(x, Node) else _erfinv(x)


@_in_float64
def _bessel_i0(x: np.ndarray) -> np.ndarray:
    """The modified Bessel function I0 (numpy's Chebyshev expansion, cephes')."""
    return np.i0(x)


def i0(x: Any) -> Any:
    """I0(x) of a number, an array or a node (recorded); d/dx = I1(x)."""
    return x.i0() if isinstance(x, Node) else _bessel_i0(x)


@_in_float64
def bessel_i1(x: np.ndarray) -> np.ndarray:
    """The modified Bessel function I1 (odd): for |x| < 25 its power series sum_k (x/2)^(2k+1) / (k! (k+1)!),
    whose terms are all of one sign (no cancellation; 70 terms reach float64 precision); above, the asymptotic
    series e^x / sqrt(2 pi x) sum_k prod_(j <= k) ((2j-1)^2 - 4) / (8 j x), 50 terms (before its smallest)."""
    a = np.abs(x)
    near = a < 25
    half = np.where(near, a, 0.0) / 2
    term = half.copy()
    series = term.copy()
    for k in range(1, 70):
        term = term * half * half / (k * (k + 1))
        series += term
    far = np.where(near, 25.0, a)
    term, asymptotic = np.ones_like(far), np.ones_like(far)
    for j in range(1, 50):
        term = term * ((2 * j - 1) ** 2 - 4) / (8 * j * far)
        asymptotic += term
    root = np.exp(far / 2)  # e^x in two halves, so it overflows only when I1 does
    asymptotic = root * (root / math.sqrt(2 * math.pi) / np.sqrt(far) * asymptotic)  # (2 pi x overflows near 1e308)
    return np.copysign(np.where(near, series, np.where(np.isnan(a), np.nan, asymptotic)), x)
