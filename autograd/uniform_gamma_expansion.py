"""The regularized incomplete gamma functions P(a, x) and Q(a, x) for large a with x near a, by Temme's uniform
asymptotic expansion (N. M. Temme, "The asymptotic expansion of the incomplete gamma functions", SIAM J. Math.
Anal. 10, 1979), where the series and the continued fraction of :mod:`autograd.special` would need about
9 sqrt(a) steps.

With mu = (x - a) / a and eta = sign(mu) sqrt(2 (mu - log(1 + mu))):

    Q(a, x) = erfc(eta sqrt(a / 2)) / 2 + R,    P(a, x) = erfc(-eta sqrt(a / 2)) / 2 - R,
    R = e^(-a eta^2 / 2) / sqrt(2 pi a) * sum_k C_k(eta) a^-k,

C_0(eta) = 1 / mu - 1 / eta and C_k(eta) = C_(k-1)'(eta) / eta + (-1)^k gamma_k / mu, gamma_k the coefficients of
Gamma*(a) = Gamma(a) / (sqrt(2 pi / a) (a / e)^a) ~ sum_k gamma_k a^-k (1, 1/12, 1/288, ...). Each C_k is analytic at
eta = 0 (radius 2 sqrt(pi)), and is taken as its Taylor polynomial, whose coefficients are found once, exactly, in
rational arithmetic (:func:`_expansion_coefficients`): mu(eta) from mu mu' = eta (1 + mu), then the recurrence above
term by term (its 1/eta terms cancel, which is checked).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np

__all__ = ["mu_minus_log1p", "uniform_regularized_gammas"]

#: The expansion's terms in 1/a (C_0 .. C_24) and the Taylor terms of each C_k (eta^0 .. eta^24): for a > 20 and
#: |mu| < 0.3 (|eta| < 0.33) both truncations are far below float64's precision (a^-25 < 4e-33; the coefficients
#: fall as (2 sqrt(pi))^-n, (0.33 / 3.5)^25 < 1e-25).
_TERMS = 25
_POWERS = 25


def _gamma_star_coefficients(count: int) -> list[Fraction]:
    """gamma_0 .. gamma_(count-1), the coefficients of Gamma*(a) ~ sum_k gamma_k a^-k: the exponential of Stirling's
    series log Gamma*(a) ~ sum_j B_2j / (2j (2j - 1)) a^(1-2j), as power series in 1/a."""
    bernoulli = [Fraction(1)]
    for n in range(1, count + 2):
        bernoulli.append(-sum(math.comb(n + 1, j) * bernoulli[j] for j in range(n)) / (n + 1))
    logarithm = [Fraction(0)] * count
    for j in range(1, count // 2 + 1):
        if 2 * j - 1 < count:
            logarithm[2 * j - 1] = bernoulli[2 * j] / (2 * j * (2 * j - 1))
    gamma = [Fraction(1)]  # exp of a series by g' = L' g: n g_n = sum_k k L_k g_(n-k)
    for n in range(1, count):
        gamma.append(sum(k * logarithm[k] * gamma[n - k] for k in range(1, n + 1)) / n)
    return gamma


@functools.cache
def _expansion_coefficients() -> np.ndarray:
    """d[k, n], C_k(eta) = sum_n d[k, n] eta^n for k < _TERMS and n < _POWERS, as float64 (computed exactly)."""
    length = _POWERS + 2 * _TERMS + 1  # each step of the recurrence loses two Taylor terms
    mu = [Fraction(0), Fraction(1)]  # mu(eta) = eta + eta^2 / 3 + eta^3 / 36 - ..., from mu mu' = eta (1 + mu)
    for n in range(2, length + 2):
        mu.append((mu[n - 1] - sum((n + 1 - i) * mu[i] * mu[n + 1 - i] for i in range(2, n))) / (n + 1))
    ratio = [Fraction(1)]  # eta / mu = 1 / (mu / eta)
    for n in range(1, length + 1):
        ratio.append(-sum(mu[j + 1] * ratio[n - j] for j in range(1, n + 1)))
    gamma = _gamma_star_coefficients(_TERMS)
    rows = [[ratio[n + 1] for n in range(length)]]  # C_0 = (eta / mu - 1) / eta
    for k in range(1, _TERMS):
        previous = rows[-1]
        if previous[1] + (-1) ** k * gamma[k] != 0:  # the 1/eta terms of C_(k-1)' / eta and gamma_k / mu cancel
            raise AssertionError(f"Temme's expansion: C_{k} has a pole at eta = 0")
        sign = (-1) ** k * gamma[k]
        rows.append([(n + 2) * previous[n + 2] + sign * ratio[n + 1] for n in range(len(previous) - 2)])
    return np.array([[float(c) for c in row[:_POWERS]] for row in rows])


def mu_minus_log1p(mu: np.ndarray) -> np.ndarray:
    """h(mu) = mu - log(1 + mu) for mu > -1, to a few ulps relative to itself (mu - log1p(mu) would cancel near 0,
    keeping only |mu| / 2 of float64's digits). For -1/2 < mu < 1, with t = mu / (2 + mu) (|t| < 1/3), log(1 + mu) =
    2 atanh t = 2 (t + t^3/3 + t^5/5 + ...) and mu = 2 t / (1 - t), so h = 2 t^2 (1 / (1 - t) - t (1/3 + t^2/5 +
    ...)), each part of the size of its leading term (21 terms of the series: t^42 < 1e-20)."""
    with np.errstate(all="ignore"):
        near = (mu > -0.5) & (mu < 1)  # (below, mu and -log(1 + mu) are both positive: no cancellation)
        t = np.where(near, mu, 0.0) / (2 + np.where(near, mu, 0.0))
        square = t * t
        series = np.zeros_like(t)
        for j in range(20, -1, -1):
            series = series * square + 1 / (2 * j + 3)
        by_series = 2 * square * (1 / (1 - t) - t * series)
        return np.where(near, by_series, np.where(np.isposinf(mu), mu, mu - np.log1p(mu)))


def uniform_regularized_gammas(a: np.ndarray, x: np.ndarray, erfc: object) -> tuple[np.ndarray, np.ndarray]:
    """(P(a, x), Q(a, x)) of float64 arrays by Temme's expansion (module docstring), for a > 20 and |x - a| < 0.3 a;
    the smaller of the two is computed, the other is 1 minus it. ``erfc`` is the complementary error function of a
    float64 array (passed in: :mod:`autograd.special` owns it)."""
    with np.errstate(all="ignore"):
        mu = (x - a) / a
        half_square = mu_minus_log1p(mu)  # eta^2 / 2
        eta = np.copysign(np.sqrt(2 * half_square), mu)
        coefficients = _expansion_coefficients()
        total = np.zeros_like(eta)
        inverse = 1 / a
        for row in coefficients[::-1]:  # sum_k C_k(eta) a^-k, by Horner's rule in 1/a and in eta
            term = np.full_like(eta, row[-1])
            for coefficient in row[-2::-1]:
                term = term * eta + coefficient
            total = total * inverse + term
        remainder = np.exp(-a * half_square) / np.sqrt(2 * math.pi * a) * total
        argument = eta * np.sqrt(a / 2)
        upper_smaller = eta >= 0
        smaller = np.asarray(erfc(np.abs(argument))) / 2 + np.where(upper_smaller, remainder, -remainder)
        lower = np.where(upper_smaller, 1 - smaller, smaller)
        upper = np.where(upper_smaller, smaller, 1 - smaller)
        return lower, upper
