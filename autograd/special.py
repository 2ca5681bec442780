"""Special functions to float64 precision, without scipy: the error function erf (below), and erfc, erfinv,
lgamma, digamma, polygamma, i0 and i1 (after it; each says how it is computed); the scaled i0e and i1e are
:mod:`autograd.scaled_bessel`'s.

erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt is odd, and is computed by two polynomials, in float64, with no
sort (sorting an array by interval, with its gather and scatter, cost more than the polynomials):

* |x| < 1: erf(x) = x + x R(x^2), over the whole array (R(t) = erf(sqrt t) / sqrt t - 1, between -0.16 and 0.13,
  so the leading x is exact and R's error counts only at a seventh of the value);
* |x| >= 1: erf(x) = +-(1 - erfc(|x|)), erfc(x) = e^(-x^2) P(u) / x with u = K / (x + 2) - M, an affine
  function of 2 / (2 + x) mapping x in [1, 27.5] onto [-1, 1] (P(u) = x e^(x^2) erfc(x) is smooth, and between 0.42
  and 1/sqrt(pi) up to x = inf, so erfc keeps its relative precision as it underflows, from x ~ 26.5), over the entries
  |x| >= 1 only (taken by their flat positions). erf rounds to +-1 from |x| = 6 (erfc(6) = 2.2e-17 is below half an
  ulp of 1).

For float64 (the default dtype) R has 13 terms and P 21, fitted in 50-digit arithmetic (mpmath, offline: the
polynomial interpolating at the Chebyshev nodes, near the best uniform fit): erf is within an ulp of the correctly
rounded value, and erfc (x >= 1) within 3. A float32 or float16 input needs only its own precision (6e-8), and takes
shorter polynomials (x P(x^2) for |x| < 1, 8 terms; e^(-x^2) Q(t), t = 5/2 / (5/2 + |x|), 12 terms): their relative
errors are below 4e-11 and 6e-12 (so the result, rounded once from float64, is the correctly rounded value but for
1 in ~10^3).
d/dx erf(x) = 2/sqrt(pi) * e^(-x^2).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from . import shared_math
from .core import Node
from .op import Op
from .scaled_bessel import half_at_nan, i0e, i1e
from .shape_errors import ArgumentRangeError
from .shared_math import exp, sigmoid
from .uniform_gamma_expansion import mu_minus_log1p, uniform_regularized_gammas

#: Python's number types: a special function of one gives a float.
_PLAIN = (float, int, bool)

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "expit", "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "lgamma", "log_ndtr", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "xlog1py", "zeta",
]  # fmt: skip

_TWO_OVER_ROOT_PI = 2 / math.sqrt(math.pi)
_SPLIT = 1.0  # |x| < 1: erf by its series; above, by erfc

#: float64: R(t) = erf(sqrt t) / sqrt t - 1 for 0 <= t <= 1 (erf(x) = x + x R(x^2), |x| < 1), and
#: P(u) = x e^(x^2) erfc(x) for 1 <= x <= 27.5, u = K / (x + 2) - M in [-1, 1] (erfc(x) = e^(-x^2) P(u) / x),
#: each the polynomial interpolating the function at the Chebyshev nodes of its interval (13 and 21 of them), in
#: 50-digit arithmetic (mpmath; K and M are the float64 constants below, as the code uses them), coefficients from
#: u^0 up rounded to float64; beyond 27.5, where erfc underflows to 0, P(u) stays finite (u >= -M). erf rounded from
#: them is within an ulp of the correctly rounded value; P(u) / x, e^(x^2) erfc(x), within 2.6 units of 2^-53 of its
#: value (P is flat, so the rounding of x + 2 in u moves it little).
_DOUBLE_SERIES = (0.1283791670955126, -0.3761263890318375, 0.11283791670954879, -0.026866170645076792,
                  0.0052239776248180145, -0.000854832698083379, 0.0001205533111164271, -1.4925595266831182e-05,
                  1.6461000484121368e-06, -1.6350312701054695e-07, 1.4659775274047436e-08, -1.1372848856791674e-09,
                  5.957176147748911e-11)  # fmt: skip
_DOUBLE_SHIFT = 2.0
_DOUBLE_VARIABLE = (
    6.679245283018869,
    1.2264150943396228,
)  # K = 4 / (2/3 - 2/29.5), M = (2/3 + 2/29.5) / (2/3 - 2/29.5)
_DOUBLE_SCALED_COMPLEMENT = (0.5429419009971944, -0.04931203943027874, -0.043155932360013104, -0.018763952517510514, -0.004303842244379334, -6.442856141235648e-05, 0.00023295823284188178, 2.5544607438598998e-05, -1.5980727670332345e-05, -2.0879385000093574e-06, 1.4787476126927932e-06, 9.327893509610118e-08, -1.5788166019893069e-07, 1.0487486011846099e-08, 1.5998071570365052e-08, -4.019534529704307e-09, -1.1563021778799268e-09, 6.947895246156807e-10, 1.4751431929033206e-12, -6.196305086040064e-11, 9.186454616170192e-12)  # fmt: skip

#: float32 and below: least-squares fits (on 2000 Chebyshev nodes, against mpmath's erf and erfc to 30 digits) of
#: erf(x) / x as a polynomial in x^2 for |x| < 1 (relative error < 4e-11), and of e^(x^2) erfc(x) as a polynomial in
#: t = 5/2 / (5/2 + x) for 1 <= x <= 21/2 (relative error < 6e-12); beyond, where erfc(x) < 1e-49 is 0 in float32,
#: Q stays between 8e-8 and 0.06 (0 < t < 0.2), so e^(-x^2) Q(t) rounds to +0. Coefficients from t^0 up.
_SINGLE_SERIES = (1.128379167062361, -0.37612638475991444, 0.11283782622063662, -0.026865438310588616,
                  0.005221053412729094, -0.0008484396553326861, 0.00011268253914166365, -9.673590870519048e-06)  # fmt: skip
_SINGLE_SCALE = 2.5
_SINGLE_SCALED_COMPLEMENT = (8.196350706479727e-08, 0.22567240072344036, 0.22573891027498552, 0.20694494373000785,
                             0.17625531467047623, 0.09879115808390612, 0.1448845366533896, -0.17073482358857878,
                             0.30405628422368114, -0.3772274150430647, 0.20948496269968425,
                             -0.04387318993897005)  # fmt: skip


def _horner(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """sum_n coefficients[n] x^n, by Horner's rule, in a new array."""
    total = np.full_like(x, coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):
        total *= x
        total += coefficient
    return total


def _scaled_complement(magnitude: np.ndarray) -> np.ndarray:
    """e^(x^2) erfc(x) = P(u) / x, u = K / (x + 2) - M, of float64 values x >= 1 (nan too, and inf: 0), to float64
    precision (:data:`_DOUBLE_SCALED_COMPLEMENT`), in a new array."""
    variable = np.asarray(magnitude + _DOUBLE_SHIFT)  # (an array, for 0-d input too: it is written in place)
    np.divide(_DOUBLE_VARIABLE[0], variable, out=variable)
    variable -= _DOUBLE_VARIABLE[1]
    scaled = _horner(_DOUBLE_SCALED_COMPLEMENT, variable)
    scaled /= magnitude
    return scaled


def _double_complement(magnitude: np.ndarray) -> np.ndarray:
    """erfc(|x|) of float64 values |x| >= 1 to float64 precision where it is above 2^-53 (|x| < 6, where erf needs it:
    e^(-x^2) carries x^2's rounding error, x^2 ulps, which :func:`_gaussian` avoids), in a new array."""
    complement = _scaled_complement(magnitude)
    gaussian = np.square(magnitude)
    np.negative(gaussian, out=gaussian)
    complement *= np.exp(gaussian, out=gaussian)
    return complement


def _double_series(x: np.ndarray, square: np.ndarray) -> np.ndarray:
    """erf(x) = x + x R(x^2) of float64 values |x| < 1 (given x^2 too), to float64 precision, in a new array."""
    result = _horner(_DOUBLE_SERIES, square)
    result *= x
    result += x
    return result


def _single_complement(magnitude: np.ndarray) -> np.ndarray:
    """erfc(|x|) = e^(-x^2) Q(t), t = 5/2 / (5/2 + |x|), of float64 values |x| >= 1 (nan and inf too: erfc(inf) is
    0), to float32's precision (:data:`_SINGLE_SCALED_COMPLEMENT`), in a new array."""
    t = magnitude + _SINGLE_SCALE
    np.divide(_SINGLE_SCALE, t, out=t)
    complement = _horner(_SINGLE_SCALED_COMPLEMENT, t)
    np.square(magnitude, out=t)
    np.negative(t, out=t)
    complement *= np.exp(t, out=t)
    return complement


def _single_series(x: np.ndarray, square: np.ndarray) -> np.ndarray:
    """erf(x) = x P(x^2) of float64 values |x| < 1 (given x^2 too), to float32's precision, in a new array."""
    result = _horner(_SINGLE_SERIES, square)
    result *= x
    return result


def _erf_by_regions(x: np.ndarray, full_precision: bool) -> np.ndarray:
    """erf of a float64 array to float64 precision or, if not ``full_precision``, to float32's (see the module
    docstring): the series over the whole array, unless every |x| >= 1, and 1 - erfc(|x|) with x's sign put over the
    entries |x| >= 1 (or nan)."""
    series, complement = (
        (_double_series, _double_complement) if full_precision else (_single_series, _single_complement)
    )
    flat = x.reshape(-1)
    square = flat * flat
    far = np.flatnonzero(~(square < _SPLIT * _SPLIT))  # (nan here, and |x| > 1e154, whose x^2 is inf)
    if far.size == flat.size:
        result = -complement(np.abs(flat))
        result += 1
        return np.copysign(result, flat, out=result).reshape(x.shape)
    result = series(flat, square)
    if far.size:
        outside = flat.take(far)
        near_one = -complement(np.abs(outside))
        near_one += 1
        result[far] = np.copysign(near_one, outside, out=near_one)
    return result.reshape(x.shape)


_CHUNK = 1 << 18  # erf runs over a large array in pieces of this many values, whose temporaries stay in cache


def _erf_in_chunks(x: np.ndarray, full_precision: bool) -> np.ndarray:
    """erf of a float64 array to float64 precision or, if not ``full_precision``, to float32's
    (:func:`_erf_by_regions`), a cache-sized piece at a time."""
    with np.errstate(all="ignore"):  # (x^2 overflows to inf for |x| > 1e154, as it should)
        if x.size <= _CHUNK:
            return np.asarray(_erf_by_regions(x, full_precision))
        flat = x.reshape(-1)
        result = np.empty_like(flat)
        for start in range(0, flat.size, _CHUNK):
            result[start : start + _CHUNK] = _erf_by_regions(flat[start : start + _CHUNK], full_precision)
    return result.reshape(x.shape)


def erf(x: Any) -> Any:
    """The error function of a number, an array or a node (recorded) (float64 precision; nan stays nan,
    erf(+-inf) = +-1).

    A float array keeps its dtype (computed in float64 to the dtype's precision and rounded once, as torch's
    half-precision erf is computed in float32); integers give float64."""
    if isinstance(x, Node):
        return x.erf()
    given = np.asarray(x)
    dtype = given.dtype if given.dtype.kind == "f" else np.dtype(np.float64)
    full_precision = dtype.itemsize >= 8
    result = _erf_in_chunks(np.asarray(given, dtype=np.float64), full_precision)
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
        with np.errstate(all="ignore"):  # the rounding back overflows quietly too (psi'(1e-45) in float32 is inf)
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


def _zeta_minus_one(s: int, cut: int = 20) -> float:
    """zeta(s) - 1 = sum_{n >= 2} n^-s for an integer s >= 2, to float64 precision: the terms below ``cut``, then
    the Euler-Maclaurin tail N^(1-s) / (s-1) + N^-s / 2 + sum_j B_2j / (2j)! s (s+1) ... (s+2j-2) N^(1-s-2j)
    at N = ``cut`` (its first omitted term, j = 7, is below 1e-19 for every s)."""
    bernoulli = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730)  # B_2 .. B_12
    terms = [n**-s for n in range(2, cut)] + [cut ** (1 - s) / (s - 1), cut**-s / 2]
    rising, factorial = float(s), 2.0  # s (s+1) ... (s+2j-2) and (2j)!, from j = 1
    for j, b in enumerate(bernoulli, start=1):
        terms.append(b / factorial * rising * cut ** (1 - s - 2 * j))
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        factorial *= (2 * j + 1) * (2 * j + 2)
    return math.fsum(terms)


#: lgamma between its zeros, as power series in z: lgamma(1 + z) = -euler_gamma z + sum_{k >= 2} (-1)^k zeta(k) / k z^k
#: and lgamma(2 + z) = (1 - euler_gamma) z + sum_{k >= 2} (-1)^k (zeta(k) - 1) / k z^k (their coefficients from z^1
#: up). Each is used within 1/2 of its centre (x in [1/2, 5/2]), where its terms fall at least as 2^-k / k: 56 of them
#: reach float64 precision relative to the result, which math.lgamma (CPython's own Lanczos sum, not the C library's
#: that torch calls) only has in absolute terms there: it gave lgamma(1 + 2^-52) 2.6 times too large.
_LGAMMA_SERIES_TERMS = 56
_LGAMMA_SERIES = {
    1.0: (-np.euler_gamma, *((-1) ** k * (_zeta_minus_one(k) + 1) / k for k in range(2, _LGAMMA_SERIES_TERMS + 1))),
    2.0: (1 - np.euler_gamma, *((-1) ** k * _zeta_minus_one(k) / k for k in range(2, _LGAMMA_SERIES_TERMS + 1))),
}


@_in_float64
def _log_gamma(x: np.ndarray) -> np.ndarray:
    """log |Gamma(x)|: by math.lgamma (inf at the poles and at +-inf, as torch's std::lgamma), except for x in
    [1/2, 5/2], around the zeros at 1 and 2, where it is the power series above about the nearer of them (z = x - 1
    or x - 2 is exact there)."""
    result = np.empty(x.shape, dtype=np.float64)
    by_library = ~((x >= 0.5) & (x < 2.5))  # (nan too) math.lgamma's entries: the others take a series below
    result[by_library] = [_log_gamma_of(v) for v in x[by_library].tolist()]
    for centre, coefficients in _LGAMMA_SERIES.items():
        near = (x >= centre - 0.5) & (x < centre + 0.5)
        if np.any(near):
            z = x[near] - centre
            series = np.zeros_like(z)
            for coefficient in reversed(coefficients):
                series = (series + coefficient) * z
            result[near] = series + 0.0  # +0.0 at the zeros 1 and 2 (log 1), as torch's: -euler_gamma * 0 was -0.0
    return result


def lgamma(x: Any) -> Any:
    """log |Gamma(x)| of a number, an array or a node (recorded); d/dx = digamma(x)."""
    return x.lgamma() if isinstance(x, Node) else _log_gamma(x)


def _from_nearest_integer(x: np.ndarray) -> np.ndarray:
    """r = x - round(x), in [-1/2, 1/2], exactly (0 at the integers, nan at +-inf and nan): cot(pi x) = cot(pi r)
    to an ulp of itself, also a few ulps from an integer, where pi x - k pi would keep no digit of the rounded pi x."""
    return x - np.round(x)


#: B_2k / 2k for k = 1..7: the asymptotic series of digamma, psi(y) ~ log y - 1/(2y) - sum_k B_2k / (2k y^2k).
_DIGAMMA_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


@_in_float64
def _digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) = Gamma'(x) / Gamma(x), as torch computes it: x < 0 reflected, psi(x) = psi(1 - x) - pi / tan(pi r)
    with r = x - round(x) the distance to the nearest integer (exact, |r| <= 1/2, so pi r keeps its relative precision
    beside a pole, where pi times the fractional part rounded next to pi); then psi(y) = psi(y + 1) - 1/y up to
    y >= 10, and the asymptotic series (its first omitted term is below 5e-17 there). -inf at 0, +inf at -0, NaN at
    the negative integers."""
    reflect = x < 0
    fraction = _from_nearest_integer(x)
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


#: :func:`_hurwitz_zeta` sums its first terms up to y >= 8 + min(s, _ZETA_SUMMED_BEYOND): the Euler-Maclaurin tail's
#: error then stays below 1e-17 of the result (for a larger s the first terms hold every digit of it).
_ZETA_SUMMED_BEYOND = 60


def _hurwitz_zeta(s: Any, y: np.ndarray) -> np.ndarray:
    """zeta(s, y) = sum_k (y + k)^-s for s > 1 (an integer, or a float64 array broadcasting with y) and y > 0 (or a
    negative non-integer y with an integer s): the first terms summed up to y >= 8 + min(s, 60), then
    Euler-Maclaurin's tail y^(1-s) / (s - 1) + y^-s / 2 + sum_j B_2j / (2j)! s (s+1) ... (s+2j-2) y^(-s-2j+1),
    whose first omitted term is below 1e-17 of the result there."""
    total = np.zeros(np.broadcast(s, y).shape)
    bound = 8 + np.minimum(s, _ZETA_SUMMED_BEYOND)
    small = y < bound
    while np.any(small):
        total += np.where(small, np.where(small, y, 1.0) ** -s, 0.0)
        y = np.where(small, y + 1, y)
        small = y < bound
    tail = y ** (1 - s) / (s - 1) + 0.5 * y**-s
    rising, power = s * 1.0, y**-s / y  # s (s+1) ... (s+2j-2) and y^(-s-2j+1), for j = 1
    for j, coefficient in enumerate(_ZETA_TAIL, start=1):
        # a term whose power has underflowed is 0 (beside the first terms, which hold the sum), even where the rising
        # factorial of a huge s has overflowed (inf * 0 would make it nan)
        tail += np.where(power != 0, coefficient * rising * power, 0.0)
        rising = rising * ((s + 2 * j - 1) * (s + 2 * j))
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
    psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi d^n/dx^n cot(pi x), with cot taken of x's exact distance to the nearest
    integer (:func:`_from_nearest_integer`: cot has period pi).
    (-1)^(n+1) inf at the poles 0, -1, -2, ...; NaN at NaN; (-1)^(n+1) 0 at +inf (the limit, as scipy; torch gives
    NaN there for n >= 2); at -inf NaN for n = 1 and (-1)^(n+1) inf for n >= 2 (as torch)."""
    if n == 0:
        return _digamma(x)
    reflect = x < 0
    fraction = _from_nearest_integer(x)
    y = np.where(reflect, 1 - x, x)
    value = (-1) ** (n + 1) * math.factorial(n) * _hurwitz_zeta(n + 1, np.where(y > 0, y, 1.0))
    cotangent = 1 / np.tan(math.pi * np.where(reflect, fraction, 0.5))
    reflected = (-1) ** n * value - math.pi ** (n + 1) * _cotangent_derivative(n, cotangent)
    # just below 0 (|x| < ~1e-308) cot(pi x) overflows: there psi^(n)(x) ~ n! / |x|^(n+1) overflows too, to +inf
    reflected = np.where(np.isinf(cotangent), np.inf, reflected)
    result = np.where(reflect, reflected, value)
    pole = ((x <= 0) & (fraction == 0)) | ((x == -np.inf) & (n >= 2))
    return np.where(np.isnan(x), np.nan, np.where(pole, (-1) ** (n + 1) * np.inf, result))


def polygamma(n: int, x: Any) -> Any:
    """psi^(n)(x), the n-th derivative of digamma, of a number, an array or a node (recorded);
    d/dx = polygamma(n + 1, x). A negative n is an :class:`ArgumentRangeError` (torch's RuntimeError)."""
    if isinstance(x, Node):
        return x.polygamma(n)
    if n < 0:
        raise ArgumentRangeError(f"polygamma: n must be non-negative, got {n}")
    return _polygamma(x, n)


_FRACTION_DEPTH = (
    80  # log erfc for x >= 2 (ndtri): Laplace's continued fraction has converged to float64 precision by then
)


def _fraction_depth(lowest: float) -> int:
    """The depth of Laplace's continued fraction that reaches float64 precision for every x >= ``lowest`` >= 2: it
    converges faster as x grows, and 12 + 190 / x^2 terms (60 at 2, 33 at 3, 20 at 5, 14 at 10) are a few more than
    it needs (55, 30, 16 and 9 there, for a change below 2e-17 of the value); 80 for nan."""
    return math.ceil(12 + 190 / lowest / lowest) if lowest >= 2 else _FRACTION_DEPTH  # (lowest**2 overflows)


def _laplace_tail(x: np.ndarray) -> np.ndarray:
    """T(x) = (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))) for x >= 2, Laplace's continued fraction past its first
    term, evaluated from its end, as deep as the smallest x needs (:func:`_fraction_depth`); ~ 1 / (2x)."""
    tail = np.zeros_like(x)
    for k in range(_fraction_depth(float(np.min(x)) if x.size else math.inf), 0, -1):
        tail += x  # (in place: two arrays per pass, not three, which ran up to 10 times slower on 1 MB arrays)
        np.divide(k / 2, tail, out=tail)
    return tail


def _laplace_denominator(x: np.ndarray) -> np.ndarray:
    """D(x) = sqrt(pi) (x + T(x)) for x >= 2, Laplace's continued fraction (:func:`_laplace_tail`): erfc(x) =
    e^(-x^2) / D(x)."""
    return math.sqrt(math.pi) * (x + _laplace_tail(x))


def _gaussian(x: np.ndarray) -> np.ndarray:
    """e^(-x^2) for x >= 0 to within an ulp or two where x^2 is large: x = h + l, h on a grid of 2^-12 (h^2 exact
    for h < 32), e^(-h^2) (1 + expm1(-l (x + h))) (e^ of the small
    exponent, near 1, would add its own ulp); a rounded x^2 would carry its rounding error, x^2 ulps of e^(-x^2)
    (3.5e-15 at x = 28). x is taken as at most 40 (e^-1600 is 0), so inf gives 0, not inf - inf."""
    x = np.minimum(x, 40.0)
    high = np.round(x * 4096) * (1 / 4096)
    gaussian = np.exp(-high * high)
    return gaussian + gaussian * np.expm1((high - x) * (x + high))


def _complement(x: np.ndarray) -> np.ndarray:
    """erfc(x) for x >= 1 (or inf, nan), to within a few ulps as it underflows: e^(-x^2) (:func:`_gaussian`) times
    e^(x^2) erfc(x) (:func:`_scaled_complement`)."""
    complement = _scaled_complement(x)
    complement *= _gaussian(x)
    return complement


def _far_complement(x: np.ndarray, full_precision: bool) -> np.ndarray:
    """erfc(x) of float64 values x >= 1 (or inf, nan), to float64 precision (:func:`_complement`) or, if not
    ``full_precision``, to float32's (:func:`_single_complement`), keeping its relative precision as it underflows."""
    with np.errstate(all="ignore"):
        return _complement(x) if full_precision else _single_complement(x)


@_in_float64
def _erfc(x: np.ndarray) -> np.ndarray:
    """1 - erf(x) without cancellation: erf's own complement, e^(-x^2) P(u) / x (:func:`_complement`), for x >= 1."""

    far = x >= _SPLIT
    return np.where(far, _complement(np.where(far, x, _SPLIT)), 1 - erf(np.where(far, 0.0, x)))


def erfc(x: Any) -> Any:
    """erfc(x) = 1 - erf(x), accurate where it is tiny, of a number, an array or a node (recorded)."""
    return x.erfc() if isinstance(x, Node) else _erfc(x)


@_in_float64
def _erfcx(x: np.ndarray) -> np.ndarray:
    """e^(x^2) erfc(x) in float64: 1 / Laplace's continued fraction for x >= 2 (1 / D(x) =
    (1 / sqrt(pi)) / (x + T(x)), :func:`_laplace_tail`; 3.1e-309 at the largest float, 0 at inf), erf's own P(u) / x for 1 <= x < 2 (:func:`_scaled_complement`), and erfc(x) / e^(-x^2) below 1, with
    e^(-x^2) to an ulp (:func:`_gaussian`: e^(x^2) from a rounded x^2 would be x^2 ulps off, 7e-14 at x = -26);
    it overflows to inf below x ~ -26.6, as 2 e^(x^2) does."""
    far = x >= 2
    middle = (x >= 1) & ~far
    near = ~(far | middle)  # (nan too)
    result = np.empty_like(x)
    beyond = x[far]
    result[far] = (1 / math.sqrt(math.pi)) / (beyond + _laplace_tail(beyond))  # (D itself overflows near 1e308)
    result[middle] = _scaled_complement(x[middle])
    below = x[near]
    result[near] = _erfc(below) / _gaussian(np.abs(below))
    return result


@_in_float64
def _erfcx_slope(x: np.ndarray) -> np.ndarray:
    """erfcx'(x) = 2 x erfcx(x) - 2 / sqrt(pi) (torch's formula), but for x >= 2, where the two terms cancel
    (-1 / (sqrt(pi) x^2) from terms of size 1: 2.2e-16 for -5.6e-41 at x = 1e20), -2 T(x) erfcx(x), T Laplace's
    fraction past its first term (:func:`_laplace_tail`: erfcx = 1 / (sqrt(pi) (x + T)))."""
    far = x >= 2
    beyond = np.where(far, x, 2.0)
    near = np.where(far, 0.0, x)
    return np.where(far, -2 * _laplace_tail(beyond) * _erfcx(beyond), 2 * near * _erfcx(near) - _TWO_OVER_ROOT_PI)


def _erfcx_slope_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx erfcx'(x) = 2 erfcx(x) + 2 x erfcx'(x), from the output erfcx'(x)."""
    return g * (2 * erfcx(x) + 2 * x * out)


def _erfcx_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx erfcx(x) = 2 x erfcx(x) - 2 / sqrt(pi) (:func:`_erfcx_slope`, recorded when x is a node)."""
    return g * shared_math.record(_ERFCX_SLOPE, _erfcx_slope, x)


_ERFCX_SLOPE = Op("erfcx_slope", _erfcx_slope_rule)
_ERFCX = Op("erfcx", _erfcx_rule)


def erfcx(x: Any) -> Any:
    """The scaled complementary error function e^(x^2) erfc(x) (torch.special.erfcx) of a number, an array or a
    node (recorded; an integer tensor in the default float dtype): finite, ~ 1 / (x sqrt(pi)), where erfc underflows;
    d/dx = 2 x erfcx(x) - 2 / sqrt(pi) (without its cancellation for x >= 2: :func:`_erfcx_slope`)."""
    if isinstance(x, Node):
        return shared_math.record(_ERFCX, _erfcx, shared_math.floating(x))
    return _erfcx(x)


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
def _bessel_i1(x: np.ndarray) -> np.ndarray:
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


def _i1_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx I1(x) = I0(x) - I1(x) / x; near 0 (where I1(x) / x would lose digits or underflow, as at 5e-324)
    I1(x) / x = 1/2 + x^2 / 16 + x^4 / 384 ..., whose third term is below 1e-21 there. 1/2 at nan, torch's value
    (its rule takes every x that is not above its tiny bound, nan included, as 0)."""
    data = shared_math.data_of(x)
    small = np.abs(data) < 1e-5
    safe = shared_math.where(small, 1.0, x)
    return g * half_at_nan(i0(x) - shared_math.where(small, 0.5 + x * x / 16, i1(safe) / safe), data)


_I1 = Op("i1", _i1_rule)


def i1(x: Any) -> Any:
    """The modified Bessel function of the first kind of order one, I1(x) (torch.special.i1), of a number, an array
    or a node (recorded as the op ``i1``, an integer tensor in the default float dtype; i0's derivative, so that
    i0's rule can be differentiated again); d/dx = I0(x) - I1(x) / x (1/2 at 0)."""
    if isinstance(x, Node):
        return shared_math.record(_I1, _bessel_i1, shared_math.floating(x))
    return _bessel_i1(x)


# -- torch.special's other names: composites of the functions above (a node in, a recorded node out) ---------------
def expit(x: Any) -> Any:
    """torch.special.expit, the logistic sigmoid 1 / (1 + e^-x) (split by sign, so nothing overflows)."""
    return sigmoid(x)


gammaln = lgamma  # torch.special.gammaln: log |Gamma(x)|
psi = digamma  # torch.special.psi: d/dx log Gamma(x)


def ndtr(x: Any) -> Any:
    """The standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2 (erfc keeps the far left tail's relative precision)."""
    if isinstance(x, Node):
        return erfc(-shared_math.floating(x) * _ROOT_HALF) * 0.5
    return _ndtr_values(x)


@_in_float64
def _ndtr_values(x: np.ndarray) -> np.ndarray:
    """Phi(x) of a float64 array (a float array keeps its dtype, a Python number gives a float: ``_in_float64``)."""
    return _erfc(-x * _ROOT_HALF) * 0.5


def _log_erfc_and_slope(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log erfc(x) and its derivative -2/sqrt(pi) e^(-x^2) / erfc(x), for x > 0: from Laplace's continued fraction
    for x >= 2, -x^2 - log(D) and -2 D / sqrt(pi) (:func:`_laplace_denominator`), so neither underflows where
    erfc(x) does (from x ~ 26.5)."""
    far = x >= 2
    near = np.where(far, 1.0, x)
    complement = _erfc(near)
    denominator = _laplace_denominator(np.where(far, x, 2.0))
    value = np.where(far, -x * x - np.log(denominator), np.log(complement))
    slope = np.where(far, -denominator, np.exp(-near * near) / complement) * _TWO_OVER_ROOT_PI * np.where(far, 1, -1)
    return value, slope


@_in_float64
def _ndtri(p: np.ndarray) -> np.ndarray:
    """Phi^-1(p) = sqrt 2 erfinv(2 p - 1) where 2 p - 1 is exact (p >= 1/4, Sterbenz); below, -sqrt 2 x with
    erfc(x) = 2 p, found by Newton's method on log erfc(x) = log 2 p from the asymptotic x^2 ~ w - log(pi w) / 2,
    w = -log 2 p, so the lower tail keeps its relative precision down to the smallest subnormal (2 p - 1 rounds
    to -1 below p ~ 1e-17, whose erfinv is -inf). -inf at 0, inf at 1, nan outside [0, 1]."""
    lower = p < 0.25
    upper = math.sqrt(2) * _erfinv(2 * np.where(lower, 0.5, p) - 1)
    target = np.log(2 * np.where(lower & (p > 0), p, 0.25))
    x = np.sqrt(np.maximum(-target - 0.5 * np.log(-math.pi * target), 0.25))
    for _ in range(6):  # log erfc is concave and decreasing: Newton's steps converge, quadratically
        value, slope = _log_erfc_and_slope(x)
        x = x - (value - target) / slope
    tail = np.where(p == 0, -np.inf, np.where(p < 0, np.nan, -math.sqrt(2) * x))
    return np.where(lower, tail, upper)


_LOG_NDTR_TAIL = -2 * math.sqrt(2)  # below, log Phi(x) = log erfc(-x / sqrt 2) - log 2 by Laplace's fraction


def _upper_normal_tail(x: np.ndarray) -> np.ndarray:
    """1 - Phi(x) = erfc(x / sqrt 2) / 2 for x >= sqrt 2, keeping its relative precision: e^(-x^2/2) from x itself,
    x = h + l with h on a grid of 2^-12 (h^2 / 2 exact), e^(-h^2/2) (1 + expm1(-l (x + h) / 2)), times
    e^(z^2) erfc(z) / 2 (:func:`_scaled_complement`, smooth: the rounding of z = x / sqrt 2 moves it by an ulp; in
    e^(-z^2) it would cost 2 z^2 ulps, 1.5e-13 at x = 37). x is taken as at most 60 (e^-1800 is 0)."""
    x = np.minimum(x, 60.0)
    high = np.round(x * 4096) * (1 / 4096)
    gaussian = np.exp(-high * high / 2)
    gaussian = gaussian + gaussian * np.expm1((high - x) * (x + high) / 2)
    return _scaled_complement(x * _ROOT_HALF) * gaussian / 2


def _lower_tail_point(x: np.ndarray, tail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(far, -far / sqrt 2): ``x`` where ``tail`` holds (x below -2 sqrt 2; elsewhere -4 sqrt 2, a point of the
    tail, so Laplace's fraction stays short and finite) and the erfc argument z of Phi(far) = erfc(z) / 2; -inf is
    taken as z = 1e300 (the callers give -inf's own value)."""
    far = np.where(tail, x, 2 * _LOG_NDTR_TAIL)
    return far, np.where(np.isinf(far), 1e300, -far * _ROOT_HALF)


def _lower_tail_denominator(x: np.ndarray, tail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(far, D(-far / sqrt 2)) (:func:`_lower_tail_point`), Laplace's continued fraction there: Phi(far) =
    e^(-far^2 / 2) / (2 D)."""
    far, z = _lower_tail_point(x, tail)
    return far, _laplace_denominator(z)


@_in_float64
def _log_ndtr(x: np.ndarray) -> np.ndarray:
    """log Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2, to float64 precision: log1p(-(1 - Phi(x))) for x > 0 (Phi near 1;
    the tail from :func:`_upper_normal_tail` beyond sqrt 2), log(erfc(-x / sqrt 2) / 2) down to x = -2 sqrt 2, and below -x^2 / 2 - log(2 D(-x / sqrt 2)) with
    D Laplace's continued fraction (:func:`_laplace_denominator`: erfc(z) = e^(-z^2) / D(z)), which stays finite
    where Phi underflows (x < -38.5). 0 at inf, -inf at -inf."""
    upper = x > 0
    tail = x < _LOG_NDTR_TAIL
    with np.errstate(all="ignore"):
        result = np.log(_erfc(-np.where(upper | tail, -1.0, x) * _ROOT_HALF) / 2)
        positive = np.where(upper, x, 1.0)
        beyond = positive >= math.sqrt(2)
        complement = np.where(
            beyond, _upper_normal_tail(np.where(beyond, positive, 2.0)), _erfc(positive * _ROOT_HALF) / 2
        )
        result = np.where(upper, np.log1p(-complement), result)
        far, denominator = _lower_tail_denominator(x, tail)
        value = -far * far / 2 - np.log(2 * denominator)
        return np.where(tail, np.where(np.isneginf(x), -np.inf, value), result)


@_in_float64
def _log_ndtr_slope(x: np.ndarray) -> np.ndarray:
    """s(x) = phi(x) / Phi(x), log Phi's derivative, without cancellation: below -2 sqrt 2, where log Phi(x) =
    -x^2/2 - log(2 D) (:func:`_log_ndtr`), s = 2 D(-x / sqrt 2) / sqrt(2 pi), D Laplace's continued fraction
    (about -x far out: 1e10 at x = -1e10, where e^(-x^2/2 - log Phi) loses every digit to the rounding of x^2/2);
    elsewhere e^(-x^2/2 - log Phi(x)) / sqrt(2 pi). inf at -inf, 0 at inf."""
    tail = x < _LOG_NDTR_TAIL
    with np.errstate(all="ignore"):
        near = np.where(tail, 0.0, x)
        slope = np.exp(-(near * near / 2 + _log_ndtr(near))) / math.sqrt(2 * math.pi)
        far, denominator = _lower_tail_denominator(x, tail)
        far_slope = np.where(np.isneginf(far), np.inf, 2 * denominator / math.sqrt(2 * math.pi))
        return np.where(tail, far_slope, slope)


@_in_float64
def _log_ndtr_gap(x: np.ndarray) -> np.ndarray:
    """x + s(x), s = phi / Phi (:func:`_log_ndtr_slope`), without cancellation: below -2 sqrt 2, where
    s = sqrt 2 (z + T(z)) with z = -x / sqrt 2 and T Laplace's tail (:func:`_laplace_tail`), it is sqrt 2 T(z)
    (~ -1/x; x + s kept only s's rounding error, 1.9e-6 for 1e-10 at x = -1e10); elsewhere x + s."""
    tail = x < _LOG_NDTR_TAIL
    with np.errstate(all="ignore"):
        near = np.where(tail, 0.0, x)
        return np.where(tail, math.sqrt(2) * _laplace_tail(_lower_tail_point(x, tail)[1]), near + _log_ndtr_slope(near))


def _log_ndtr_slope_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx s = (phi' Phi - phi^2) / Phi^2 = -s (x + s), from the output s (phi'(x) = -x phi(x)), with x + s from
    :func:`_log_ndtr_gap` (recorded when x is a node)."""
    return g * (-out * shared_math.record(_LOG_NDTR_GAP, _log_ndtr_gap, x))


def _log_ndtr_gap_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx (x + s) = 1 + s' = 1 - s (x + s), from the output x + s."""
    return g * (1 - shared_math.record(_LOG_NDTR_SLOPE, _log_ndtr_slope, x) * out)


_LOG_NDTR_SLOPE = Op("log_ndtr_slope", _log_ndtr_slope_rule)
_LOG_NDTR_GAP = Op("log_ndtr_gap", _log_ndtr_gap_rule)


def _log_ndtr_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx log Phi(x) = phi(x) / Phi(x) (:func:`_log_ndtr_slope`, recorded when x is a node, so it differentiates
    again); torch's e^(-x^2/2 - log Phi(x)) / sqrt(2 pi) from its output is inf or wrong in the far lower tail."""
    return g * shared_math.record(_LOG_NDTR_SLOPE, _log_ndtr_slope, x)


_LOG_NDTR = Op("log_ndtr", _log_ndtr_rule)


def log_ndtr(x: Any) -> Any:
    """The log of the standard normal cdf, log Phi(x) (torch.special.log_ndtr), of a number, an array or a node
    (recorded; an integer tensor in the default float dtype): precise in both tails (see :func:`_log_ndtr`);
    d/dx = phi(x) / Phi(x)."""
    if isinstance(x, Node):
        return shared_math.record(_LOG_NDTR, _log_ndtr, shared_math.floating(x))
    return _log_ndtr(x)


#: Phi^-1's derivative rule: 1 / phi(Phi^-1(p)) = sqrt(2 pi) e^(out^2 / 2), from the output.
_NDTRI = Op("ndtri", lambda g, out, p: g * math.sqrt(2 * math.pi) * exp(out * out / 2))


def ndtri(p: Any) -> Any:
    """The standard normal quantile Phi^-1(p) of a number, an array or a node (recorded): -inf at 0, inf at 1, nan
    outside [0, 1], accurate to float64 precision in the lower tail too (see :func:`_ndtri`); d/dp =
    sqrt(2 pi) e^(ndtri(p)^2 / 2)."""
    return p._apply_unary(_NDTRI, _ndtri) if isinstance(p, Node) else _ndtri(p)


def _xlog1py_values(x: Any, y: Any) -> Any:
    """torch's xlog1py kernel: nan where y is nan, else 0 where x = 0, else x log1p(y), in the result's dtype."""
    x, y = np.asarray(x), np.asarray(y)
    dtype = np.result_type(x, y)
    if dtype.kind == "f":  # log1p y in the result's precision (a float16 y beside a float64 x)
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    with np.errstate(all="ignore"):
        product = x * np.log1p(y)
    return np.where(np.isnan(y), np.nan, np.where(x == 0, 0, product)).astype(product.dtype, copy=False)[()]


def _xlog1py_x_rule(g: Any, out: Any, x: Any, y: Any) -> Any:
    """torch's d/dx: xlog1py(g, y), 0 where x = 0 and y <= -1 (there y is replaced by 0 inside, for higher orders)."""
    flat = (shared_math.data_of(x) == 0) & (shared_math.data_of(y) <= -1)
    if not np.any(flat):
        return shared_math.record(_XLOG1PY, _xlog1py_values, g, y)
    return shared_math.where(
        flat, 0.0, shared_math.record(_XLOG1PY, _xlog1py_values, g, shared_math.where(flat, 0.0, y))
    )


def _xlog1py_y_rule(g: Any, out: Any, x: Any, y: Any) -> Any:
    """torch's d/dy: g x / (1 + y), but 0 where x = 0 and y = -1 (torch's 0 / 0 = nan, as ``xlogy``'s d/dy)."""
    undefined = (shared_math.data_of(x) == 0) & (shared_math.data_of(y) == -1)
    if not np.any(undefined):
        return g * x / (y + 1)
    return shared_math.where(undefined, 0.0, g * x / (shared_math.where(undefined, 0.0, y) + 1))


_XLOG1PY = Op("xlog1py", _xlog1py_x_rule, _xlog1py_y_rule)


def xlog1py(x: Any, y: Any) -> Any:
    """x log(1 + y), 0 where x = 0 (unless y is nan), as torch.special.xlog1py, with log1p: a tiny y keeps its
    digits (1 + y would round to 1). d/dx = log(1 + y) (0 where x = 0 and y <= -1), d/dy = x / (1 + y) (0 where
    x = 0 and y = -1, where torch gives nan), as ``xlogy``'s with y shifted by 1."""
    if isinstance(x, Node):
        return x._apply_binary(y, _XLOG1PY, _xlog1py_values)
    if isinstance(y, Node):
        return y._apply_binary(x, _XLOG1PY, _xlog1py_values, reflected=True)
    result = _xlog1py_values(*_float_operands(x, y))
    return float(result) if type(x) in _PLAIN and type(y) in _PLAIN else result


def _entr_values(x: Any) -> Any:
    """-x log x for x > 0, 0 at 0, -inf below, nan at nan (torch.special.entr's values)."""
    with np.errstate(all="ignore"):
        return np.where(x > 0, -x * np.log(np.where(x > 0, x, 1.0)), np.where(x < 0, -np.inf, np.where(x == 0, 0, x)))


def _entr_rule(g: Any, out: Any, x: Any) -> Any:
    """d/dx = -(log x + 1), as torch's: inf at 0 (the one-sided limit), -inf at +inf, nan below 0 and at nan."""
    with np.errstate(all="ignore"):
        return -g * (shared_math.log(x) + 1)


_ENTR = Op("entr", _entr_rule)


def entr(x: Any) -> Any:
    """The entropy term -x log x: 0 at x = 0, -inf for x < 0 (torch.special.entr); d/dx = -(log x + 1) (as
    torch's: the one-sided inf at 0, -inf at +inf, nan below 0 and at nan)."""
    if isinstance(x, Node):
        return shared_math.floating(x)._apply_unary(_ENTR, _entr_values)
    return _in_float64(_entr_values)(x)


def multigammaln(a: Any, p: int) -> Any:
    """The log of the multivariate gamma function, log Gamma_p(a) = p (p - 1) / 4 log pi + sum_j lgamma(a + (1 - j) / 2)
    for j = 1..p (torch.special.multigammaln; every a must exceed (p - 1) / 2). p < 1 is an
    :class:`ArgumentRangeError` (torch's RuntimeError)."""
    if not isinstance(p, (int, np.integer)) or isinstance(p, bool):
        raise ValueError(f"multigammaln: p must be a positive integer, got {p!r}")
    if p < 1:
        raise ArgumentRangeError(f"multigammaln: p must be a positive integer, got {p!r}")
    values = np.asarray(a._data if isinstance(a, Node) else a, dtype=float)
    if np.any(values <= (p - 1) / 2):
        raise ValueError(f"multigammaln: every a must be greater than (p - 1) / 2 = {(p - 1) / 2} for p = {p}")
    total = p * (p - 1) / 4 * math.log(math.pi)
    for j in range(1, p + 1):
        total = total + lgamma(a + (1 - j) / 2 if isinstance(a, Node) else values + (1 - j) / 2)
    return total


_ROOT_HALF = math.sqrt(0.5)


#: The regularized incomplete gamma functions' iterations stop when a term (series) or a factor (continued fraction)
#: changes the result by less than this, or after _GAMMA_ITERATIONS rounds (a guard: where x is near a they would
#: need about 9 sqrt(a) steps, but there, from a = 20, Temme's expansion is used instead; outside |x - a| < 0.3 a
#: they take a few hundred at most).
_GAMMA_TOLERANCE = np.finfo(np.float64).eps / 2
_GAMMA_ITERATIONS = 100_000
_TINY = 1e-300
#: Temme's uniform expansion (:mod:`autograd.uniform_gamma_expansion`) gives P and Q for a > 20, |x - a| < 0.3 a.
_UNIFORM_FROM = 20.0
_UNIFORM_WIDTH = 0.3


#: From here up, :func:`_log_gamma_prefactor` takes Stirling's form (its series for log Gamma(a + 1)'s remainder,
#: 1/(12a) - 1/(360a^3) + 1/(1260a^5) - 1/(1680a^7), is then within 2e-15 of it).
_STIRLING_FROM = 20.0


def _log_gamma_prefactor(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log(x^a e^-x / Gamma(a + 1)) for a, x > 0. Below a = 20 from logs (terms of the result's size); above, as
    -a h(mu) - log(2 pi a) / 2 - stirling(a) with mu = (x - a) / a and h(mu) = mu - log(1 + mu) (its series near 0):
    a log x, x and lgamma(a + 1) are each of size a, and their difference would keep only log10(1 / (a eps)) digits."""
    with np.errstate(all="ignore"):
        direct = a * np.log(x) - x - _log_gamma(a + 1)
        large = a >= _STIRLING_FROM
        if not large.any():
            return direct
        big, near = a[large], x[large]
        h = mu_minus_log1p((near - big) / big)
        inverse_square = 1 / (big * big)
        stirling = (1 / 12 - inverse_square * (1 / 360 - inverse_square * (1 / 1260 - inverse_square / 1680))) / big
        direct[large] = -big * h - 0.5 * np.log(2 * math.pi * big) - stirling
        return direct


def _lower_gamma_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n)), for 0 < x < a + 1 (every term after
    the first is below the one before it)."""
    term, total = np.ones_like(x), np.ones_like(x)
    active = np.arange(x.size)
    a_left, x_left, term_left = a, x, term
    for n in range(1, _GAMMA_ITERATIONS):
        term_left = term_left * x_left / (a_left + n)
        total[active] += term_left
        going = term_left > total[active] * _GAMMA_TOLERANCE
        if not going.all():
            active, a_left, x_left, term_left = active[going], a_left[going], x_left[going], term_left[going]
            if active.size == 0:
                break
    total[active] = np.nan  # (not converged: a beyond about 1e8, near x)
    return np.exp(_log_gamma_prefactor(a, x)) * total


def _upper_gamma_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))), for
    x >= a + 1, the continued fraction evaluated forwards by Lentz's method (no term is near 0 there)."""
    b = x + 1 - a
    c = np.full_like(x, 1 / _TINY)
    d = 1 / b
    fraction = d.copy()
    active = np.arange(x.size)
    a_left, b_left, c_left, d_left = a, b, c, d
    for i in range(1, _GAMMA_ITERATIONS):
        numerator = -i * (i - a_left)
        b_left = b_left + 2
        d_left = numerator * d_left + b_left
        d_left = 1 / np.where(np.abs(d_left) < _TINY, _TINY, d_left)
        c_left = b_left + numerator / c_left
        c_left = np.where(np.abs(c_left) < _TINY, _TINY, c_left)
        factor = c_left * d_left
        fraction[active] *= factor
        going = np.abs(factor - 1) > _GAMMA_TOLERANCE
        if not going.all():
            active = active[going]
            a_left, b_left, c_left, d_left = a_left[going], b_left[going], c_left[going], d_left[going]
            if active.size == 0:
                break
    fraction[active] = np.nan
    return np.exp(_log_gamma_prefactor(a, x) + np.log(a)) * fraction


#: Q(a, x) by :func:`_upper_gamma_small_a` where x <= 1.1 and a <= -0.4 / log x (x <= 1/2) or a <= 1.1 x (torch's
#: and cephes' split): there x^a >= e^-0.4, so P is not small either, and 1 - Q keeps its digits.
_SMALL_A_X = 1.1
#: Terms of the series in :func:`_upper_gamma_small_a`: x^n / n! < 1e-31 of its first term for n = 30 at x = 1.1.
_SMALL_A_TERMS = 30


def _log_gamma_one_plus(a: np.ndarray) -> np.ndarray:
    """lgamma(1 + a) for 0 < a <= 1.21 (where :func:`_upper_gamma_small_a` asks for it): the power series about 1
    (:data:`_LGAMMA_SERIES`) taken at a itself for a <= 1/2, so a tiny a keeps its digits (1 + a would round to 1)."""
    series = np.zeros_like(a)
    for coefficient in reversed(_LGAMMA_SERIES[1.0]):
        series = (series + coefficient) * a
    return np.where(a <= 0.5, series, _log_gamma(1 + a))


def _upper_gamma_small_a(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) for a small a and 0 < x <= 1.1, without 1 - P's cancellation (DLMF 8.7.3, as cephes' and torch's):
    Q = -expm1(t) - a e^t sum_{n >= 1} (-x)^n / (n! (a + n)), t = a log x - lgamma(1 + a) (x^a / Gamma(a) = a e^t).
    Q ~ a E1(x) as a -> 0 (6e-301 at a = 1e-300, x = 1/2, where 1 - P gave 2.2e-16)."""
    t = a * np.log(x) - _log_gamma_one_plus(a)
    factor, total = np.ones_like(x), np.zeros_like(x)
    for n in range(1, _SMALL_A_TERMS):
        factor = factor * -x / n
        total += factor / (a + n)
    return -np.expm1(t) - a * np.exp(t) * total


def _regularized_gammas(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P(a, x), Q(a, x)) = (gamma(a, x), Gamma(a, x)) / Gamma(a), the lower and upper regularized incomplete gamma
    functions, in float64, each computed where it is the smaller one (the other is 1 minus it): by Temme's uniform
    expansion for a > 20 with |x - a| < 0.3 a, by Q's own series for a small a and x <= 1.1
    (:func:`_upper_gamma_small_a`), else by P's series where x < a + 1 and Q's continued fraction elsewhere. torch's values at the edges: P(a, 0) = 0 and P(0, x) = 1
    (x > 0), P(a, inf) = 1 and P(inf, x) = 0 (finite x); nan where a < 0, x < 0, a = x = 0, a = x = inf or either
    is nan."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    lower = np.full(a.shape, np.nan)
    upper = np.full(a.shape, np.nan)
    valid = (a >= 0) & (x >= 0) & ~((a == 0) & (x == 0)) & ~(np.isinf(a) & np.isinf(x))
    all_upper = valid & ((x == 0) | np.isinf(a))
    all_lower = valid & ((a == 0) | np.isinf(x)) & ~all_upper
    lower[all_upper], upper[all_upper] = 0.0, 1.0
    lower[all_lower], upper[all_lower] = 1.0, 0.0
    inner = valid & ~all_upper & ~all_lower
    with np.errstate(invalid="ignore"):  # (inf - inf at a = x = inf, an edge above)
        uniform = inner & (a > _UNIFORM_FROM) & (np.abs(x - a) < _UNIFORM_WIDTH * a)
    if uniform.any():
        lower[uniform], upper[uniform] = uniform_regularized_gammas(a[uniform], x[uniform], _erfc)
    inner &= ~uniform
    with np.errstate(divide="ignore", invalid="ignore"):  # (-0.4 / log x is read only where x <= 1/2)
        small_a = inner & (x <= _SMALL_A_X) & (a <= np.where(x <= 0.5, -0.4 / np.log(x), _SMALL_A_X * x))
    if small_a.any():
        smaller = _upper_gamma_small_a(a[small_a], x[small_a])
        lower[small_a], upper[small_a] = 1 - smaller, smaller
    inner &= ~small_a
    by_series = inner & (x < a + 1)
    if by_series.any():
        smaller = _lower_gamma_series(a[by_series], x[by_series])
        lower[by_series], upper[by_series] = smaller, 1 - smaller
    by_fraction = inner & ~by_series
    if by_fraction.any():
        smaller = _upper_gamma_fraction(a[by_fraction], x[by_fraction])
        lower[by_fraction], upper[by_fraction] = 1 - smaller, smaller
    return lower, upper


def _gamma_density_array(a: Any, x: Any) -> np.ndarray:
    """x^(a-1) e^-x / Gamma(a) of arrays, in float64: 1 at x = 0 for a = 1 (the limit; torch's gives nan there), 0
    at x = inf, nan at x < 0 (where P is nan). From a = 20 it is a / x times :func:`_log_gamma_prefactor`'s
    exponential (Stirling's form), as (a - 1) log x - x - lgamma(a) would cancel (at a = 1e12 it kept two digits)."""
    with np.errstate(all="ignore"):
        a64, x64 = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
        power = np.where(a64 == 1, 0.0, (a64 - 1) * np.log(x64))
        density = np.exp(power - x64 - _log_gamma(a64))
        large = (a64 >= _STIRLING_FROM) & (x64 > 0) & np.isfinite(x64) & np.isfinite(a64)
        if large.any():
            big, near = a64[large], x64[large]
            density[large] = np.exp(_log_gamma_prefactor(big, near)) * big / near
        return np.where(np.isposinf(x64), 0.0, np.where(x64 < 0, np.nan, density))


def _gamma_density_values(a: Any, x: Any) -> Any:
    """:func:`_gamma_density_array` in the operands' floating dtype (a node's data)."""
    return _gamma_density_array(a, x).astype(np.result_type(a, x), copy=False)


def _gamma_density_slope_rule(g: Any, out: Any, a: Any, x: Any) -> Any:
    """d/dx x^(a-1) e^-x / Gamma(a) = the density times ((a - x) - 1) / x (-1 where a = 1, at x = 0 too): a - x is
    exact near the mode, where (a - 1) / x - 1 would keep no digit of -1 / x for a large."""
    return g * out * shared_math.where(shared_math.data_of(a) == 1, -1.0, (a - x - 1) / x)


def _gamma_density(a: Any, x: Any) -> Any:
    """x^(a-1) e^-x / Gamma(a), the derivative of P(a, x) in x (:func:`_gamma_density_array`): of arrays in float64;
    of nodes (under create_graph) recorded as one node with the same values, differentiable again in x."""
    if isinstance(a, Node) or isinstance(x, Node):
        return shared_math.record(_GAMMA_DENSITY, _gamma_density_values, a, x)
    return _gamma_density_array(a, x)


def _gamma_concentration_rule(g: Any, out: Any, a: Any, x: Any) -> Any:
    raise NotImplementedError(
        "gammainc / gammaincc: the derivative with respect to the first argument, a, is not implemented (as in torch: "
        "'the derivative for igamma: input is not implemented'); only x may require grad"
    )


def _regularized_gamma_in_dtype(upper: bool, a: Any, x: Any) -> Any:
    """P(a, x) (Q with ``upper``) in the operands' floating dtype (float64 for integers)."""
    dtype = np.result_type(a, x)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    return _regularized_gammas(a, x)[upper].astype(dtype, copy=False)[()]


_gammainc_values = functools.partial(_regularized_gamma_in_dtype, False)
_gammaincc_values = functools.partial(_regularized_gamma_in_dtype, True)


_GAMMA_DENSITY = Op("gamma_density", _gamma_concentration_rule, _gamma_density_slope_rule)
_GAMMAINC = Op("gammainc", _gamma_concentration_rule, lambda g, out, a, x: g * _gamma_density(a, x))
_GAMMAINCC = Op("gammaincc", _gamma_concentration_rule, lambda g, out, a, x: -g * _gamma_density(a, x))


def _float_dtype_of(operand: Any) -> np.dtype | None:
    """The floating dtype of a node's, an array's or a numpy scalar's data (None for a Python number or integers)."""
    data = shared_math.data_of(operand)
    dtype = getattr(data, "dtype", None)
    return dtype if dtype is not None and dtype.kind == "f" else None


def _beside_float(operand: Any, other: Any) -> Any:
    """``operand`` cast to ``other``'s floating dtype if it holds integers or booleans and ``other`` holds floats
    (torch's promotion: an int64 tensor beside a float32 one gives float32), else as it is."""
    dtype, other_dtype = _float_dtype_of(operand), _float_dtype_of(other)
    if dtype is not None or other_dtype is None or type(operand) in _PLAIN:
        return operand
    return operand.astype(other_dtype) if isinstance(operand, Node) else np.asarray(operand, dtype=other_dtype)


def _float_operands(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two operands (numbers, arrays, not nodes) as float arrays: a float array as it is, and a number, an integer
    or a boolean one in the other's floating dtype if it has one (torch's promotion: a Python number beside a
    float32 tensor gives float32), else in float64."""
    dtypes = (_float_dtype_of(x), _float_dtype_of(y))
    return tuple(  # type: ignore[return-value]
        np.asarray(v) if own is not None else np.asarray(v, dtype=np.float64 if other is None else other)
        for v, own, other in ((x, dtypes[0], dtypes[1]), (y, dtypes[1], dtypes[0]))
    )


def _incomplete_gamma(op: Op, values: Any, a: Any, x: Any) -> Any:
    """``op`` of two operands (gammainc, gammaincc, zeta): recorded when one is a node (integers beside floats in
    the floats' dtype), else ``values`` of float arrays (:func:`_float_operands`); a float of two numbers."""
    a, x = _beside_float(a, x), _beside_float(x, a)
    if isinstance(a, Node):
        return shared_math.floating(a)._apply_binary(x, op, values)
    if isinstance(x, Node):
        return shared_math.floating(x)._apply_binary(a, op, values, reflected=True)
    result = values(*_float_operands(a, x))
    return float(result) if type(a) in _PLAIN and type(x) in _PLAIN else result


def gammainc(a: Any, x: Any) -> Any:
    """The regularized lower incomplete gamma function P(a, x) = 1 / Gamma(a) integral_0^x t^(a-1) e^-t dt (torch's
    special.gammainc, igamma), for a >= 0 and x >= 0 (nan elsewhere; see :func:`_regularized_gammas` for the edges):
    Gamma(a, 1)'s cdf at x. In float64, to about 1e-13 relative: for a > 20 with |x - a| < 0.3 a by Temme's uniform
    asymptotic expansion (:mod:`autograd.uniform_gamma_expansion`), elsewhere by the series where x < a + 1 and by
    1 - Q's continued fraction beyond (the prefactor x^a e^-x / Gamma(a) in Stirling's form from a = 20: see
    :func:`_log_gamma_prefactor`). d/dx = x^(a-1) e^-x / Gamma(a); d/da is not implemented (as torch's)."""
    return _incomplete_gamma(_GAMMAINC, _gammainc_values, a, x)


def gammaincc(a: Any, x: Any) -> Any:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) (torch's special.gammaincc, igammac),
    computed directly where it is the smaller of the two (no cancellation in its tail); d/dx = -x^(a-1) e^-x /
    Gamma(a); d/da is not implemented (as torch's)."""
    return _incomplete_gamma(_GAMMAINCC, _gammaincc_values, a, x)


def _zeta_in_float64(x: Any, q: Any) -> np.ndarray:
    """The Hurwitz zeta function zeta(x, q) = sum_{k >= 0} (k + q)^-x of float64 values (:func:`_hurwitz_zeta`),
    with torch's (cephes') edges, tested in its order: inf at x = 1, nan for x < 1; for q <= 0 inf at the integers
    and nan unless x is an integer (then the sum itself, its terms of both signs); nan at nan. At x = inf it is the
    limit, q^-inf for q > 0 (1 at q = 1, inf below, 0 above, where torch's gives nan) and inf for q < 0 (some
    |q + k| < 1), and 0 at q = inf (torch's nan)."""
    x, q = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(q, dtype=np.float64))
    with np.errstate(all="ignore"):
        pole = (q <= 0) & (q == np.floor(q))
        defined = (x > 1) & ~pole & ((q > 0) | (x == np.floor(x))) & np.isfinite(x) & ~np.isnan(q)
        result = np.full(x.shape, np.nan)
        if defined.any():
            result[defined] = _hurwitz_zeta(x[defined], q[defined])
        result = np.where(np.isposinf(x) & ~pole & ~np.isnan(q), np.where(q > 0, q**-x, np.inf), result)
        result = np.where(pole & ~(x < 1), np.inf, result)  # (nan at x < 1, inf at x = 1 and the poles q <= 0)
        return np.where(x == 1, np.inf, result)


def _zeta_values(x: Any, q: Any) -> Any:
    """:func:`_zeta_in_float64` in the operands' floating dtype (float64 for integers)."""
    dtype = np.result_type(x, q)
    return _zeta_in_float64(x, q).astype(dtype if dtype.kind == "f" else np.float64, copy=False)[()]


def _zeta_order_rule(g: Any, out: Any, x: Any, q: Any) -> Any:
    raise NotImplementedError(
        "zeta: the derivative with respect to the first argument, x, is not implemented (as in torch: 'the "
        "derivative for 'zeta' is not implemented'); only q may require grad"
    )


def _zeta_shift_rule(g: Any, out: Any, x: Any, q: Any) -> Any:
    """d/dq zeta(x, q) = -x zeta(x + 1, q) (torch's)."""
    return -g * x * zeta(x + 1, q)


_ZETA = Op("zeta", _zeta_order_rule, _zeta_shift_rule)


def zeta(x: Any, q: Any) -> Any:
    """The Hurwitz zeta function zeta(x, q) = sum_{k >= 0} (k + q)^-x (torch.special.zeta; zeta(x, 1) is Riemann's),
    for x > 1 and q > 0 (a negative non-integer q with an integer x too; see :func:`_zeta_in_float64` for the
    edges), in float64 by Euler-Maclaurin summation. d/dq = -x zeta(x + 1, q); d/dx is not implemented (as torch's).
    The operands promote as torch's (a number or an integer tensor beside a float32 one gives float32)."""
    return _incomplete_gamma(_ZETA, _zeta_values, x, q)
