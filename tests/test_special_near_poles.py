"""The gamma family next to its poles and in its far tails, against identities that do not lose digits there
(no torch or mpmath needed): digamma and polygamma just beside the negative integers, where the reflection
formula's cot(pi x) must be taken of the exact distance to the nearest integer."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd.special as special

#: Points a few ulps and a little further from the poles -1, -2, -3 and -6, on both sides.
NEAR_POLES = np.array([-1 + 2.0**-52, -1 - 2.0**-52, -3 + 2.0**-51, -2 - 2.0**-50, -2.9999999, -6.0000001, -1.0000001])


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma_keeps_its_relative_precision_beside_the_negative_poles(n):
    # psi^(n)(x) = psi^(n)(x + m) - (-1)^n n! sum_{j < m} (x + j)^-(n+1), with x + m in (0, 2] and each x + j
    # exact (Sterbenz): the pole's term dominates and is computed to an ulp. The reflection took cot(pi r) of
    # r = x - trunc(x), rounding pi r near pi: 52% off at -1 + 2^-52, 1e-9 at -2.9999999
    shift = np.ceil(-NEAR_POLES) + 1
    expected = special.polygamma(n, NEAR_POLES + shift)
    factor = (-1) ** n * math.factorial(n)
    for j in range(int(shift.max())):
        inside = shift > j
        expected = np.where(inside, expected - factor / (NEAR_POLES + j) ** (n + 1), expected)
    np.testing.assert_allclose(special.polygamma(n, NEAR_POLES), expected, rtol=1e-13)
    if n == 0:
        np.testing.assert_allclose(special.digamma(NEAR_POLES), expected, rtol=1e-13)
