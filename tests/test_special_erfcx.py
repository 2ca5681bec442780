"""autograd.special.erfcx, e^(x^2) erfc(x) (torch.special.erfcx): values from mpmath, a random mpmath sweep (when
mpmath is installed), edges, dtypes and the derivative against central differences."""

import numpy as np
import pytest

from autograd import Tensor, gradcheck, gradgradcheck, special

#: (x, erfcx(x)) from mpmath at 50 digits (exp(x^2) erfc(x); above 1e6 its asymptotic series to x^-4).
_REFERENCE = [
    (-26.0, 7.657724931490568e293),
    (-3.0, 16205.988853999586),
    (-0.5, 1.952360489182557),
    (1e-300, 1.0),
    (0.5, 0.6156903441929259),
    (1.5, 0.3215854164543175),
    (2.5, 0.2108063640611436),
    (30.0, 0.01879588886141675),
    (1e10, 5.641895835477563e-11),
    (1e300, 5.641895835477562e-301),
]


@pytest.mark.parametrize("x, expected", _REFERENCE)
def test_erfcx_matches_mpmath_values(x, expected):
    assert special.erfcx(x) == pytest.approx(expected, rel=2e-15)


def test_erfcx_matches_mpmath_over_a_random_sweep():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    rng = np.random.default_rng(11)
    x = np.concatenate(
        [rng.uniform(-26.5, 27, 300), 10 ** rng.uniform(-300, 5, 100), -(10 ** rng.uniform(-300, 1.4, 100))]
    )
    exact = [float(mpmath.exp(mpmath.mpf(v) ** 2) * mpmath.erfc(mpmath.mpf(v))) for v in x.tolist()]
    np.testing.assert_allclose(special.erfcx(x), exact, rtol=2e-15)


def test_erfcx_edges_and_dtypes():
    np.testing.assert_array_equal(special.erfcx(np.array([0.0, np.inf, -np.inf, np.nan, -27.0])),
                                  [1.0, 0.0, np.inf, np.nan, np.inf])  # fmt: skip
    assert special.erfcx(np.float32(3.0)).dtype == np.float32
    assert type(special.erfcx(1.0)) is float


def test_erfcx_derivative_matches_central_differences():
    points = np.array([-2.0, -0.3, 0.4, 1.5, 2.5, 8.0])
    assert gradcheck(special.erfcx, [points])
    assert gradgradcheck(special.erfcx, [points])
    x = Tensor(np.array([0.0]), requires_grad=True)
    special.erfcx(x).sum().backward()
    assert x.grad[0] == pytest.approx(-2 / np.sqrt(np.pi), rel=1e-15)


def test_erfcx_derivatives_far_out_keep_their_digits():
    # erfcx(x) = (1/x - 1/(2x^3) + 3/(4x^5) - ...) / sqrt(pi): its slope is (-1/x^2 + 3/(2x^4) - 15/(4x^6)) / sqrt(pi)
    # (the next term below 1e-17 of it from x = 1e3) and its curvature ~ 2 / (sqrt(pi) x^3). 2 x erfcx(x) - 2/sqrt(pi)
    # kept only the rounding error of 2 x erfcx(x): 2.2e-16 for -5.6e-41 at x = 1e20, whose derivative then gave 44409
    ag = pytest.importorskip("autograd")
    points = np.array([1e3, 1e5, 1e10, 1e20, 1e150])
    x = Tensor(points.copy(), requires_grad=True)
    (first,) = ag.grad(special.erfcx(x).sum(), [x], create_graph=True)
    inverse = 1 / points  # (powers of it: points**5 overflows)
    slope = (-(inverse**2) + 1.5 * inverse**4 - 3.75 * inverse**6) / np.sqrt(np.pi)
    np.testing.assert_allclose(first.data, slope, rtol=1e-14)
    (second,) = ag.grad(first.sum(), [x])
    curvature = (2 * inverse**3 - 6 * inverse**5 + 22.5 * inverse**7) / np.sqrt(np.pi)
    # (2 erfcx + 2 x erfcx' cancels down to it: its error is within an ulp or two of 2 erfcx, not of the result)
    assert np.all(np.abs(second - curvature) <= 1e-15 * 2 * special.erfcx(points))
    largest = np.finfo(np.float64).max  # (its D overflowed: erfcx gave 0)
    assert special.erfcx(largest) == pytest.approx(1 / np.sqrt(np.pi) / largest, rel=1e-15)
