"""autograd.special.i0e and i1e (torch.special's e^-|x| I0(x) and e^-|x| I1(x)): values from mpmath, a random
mpmath sweep (when mpmath is installed), edges, dtypes, and derivatives against central differences."""

import numpy as np
import pytest

from autograd import Tensor, gradcheck, gradgradcheck, special

#: (x, i0e(x), i1e(x)), from mpmath.besseli(n, x) * exp(-|x|) at 40 digits, rounded to 17.
_REFERENCE = [
    (1e-300, 1.0, 5.0000000000000001e-301),
    (0.5, 0.64503527044915007, 0.1564208031848717),
    (-3.0, 0.2430003541618254, -0.19682671329730085),
    (24.5, 0.081019598855076892, 0.079348528847267699),
    (25.5, 0.07939852454797062, 0.077825789091938575),
    (1000.0, 0.012617240455891257, 0.012610930256928629),
    (1e10, 3.9894228040641946e-6, 3.9894228038647234e-6),
]


@pytest.mark.parametrize("x, scaled_i0, scaled_i1", _REFERENCE)
def test_i0e_and_i1e_match_mpmath_values(x, scaled_i0, scaled_i1):
    assert special.i0e(x) == pytest.approx(scaled_i0, rel=2e-15)
    assert special.i1e(x) == pytest.approx(scaled_i1, rel=2e-15)


@pytest.mark.parametrize("name, order", [("i0e", 0), ("i1e", 1)])
def test_i0e_and_i1e_match_mpmath_over_a_random_sweep(name, order):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(5)
    x = np.concatenate([10 ** rng.uniform(-300, 5, 300), -(10 ** rng.uniform(-5, 3, 100))])
    exact = [float(mpmath.besseli(order, mpmath.mpf(v)) * mpmath.exp(-abs(mpmath.mpf(v)))) for v in x.tolist()]
    np.testing.assert_allclose(getattr(special, name)(x), exact, rtol=2e-15)


def test_the_edges_and_dtypes():
    edges = np.array([0.0, np.inf, -np.inf, np.nan, 1e300])
    np.testing.assert_array_equal(special.i0e(edges), [1.0, 0.0, 0.0, np.nan, special.i0e(1e300)])
    np.testing.assert_array_equal(special.i1e(edges), [0.0, 0.0, -0.0, np.nan, special.i1e(1e300)])
    assert special.i0e(1e300) == pytest.approx(1 / np.sqrt(2 * np.pi * 1e300), rel=1e-15)
    assert special.i0e(np.float32(2.0)).dtype == np.float32 and special.i1e(np.float16(2.0)).dtype == np.float16
    assert type(special.i1e(2.0)) is float


@pytest.mark.parametrize("name", ["i0e", "i1e"])
def test_the_derivatives_match_central_differences_to_the_second_order(name):
    function = getattr(special, name)
    points = np.array([0.3, -1.7, 6.0, 24.0, 26.0, -40.0])
    assert gradcheck(function, [points])
    assert gradgradcheck(function, [points])
    x = Tensor(np.array([0.0, 2.0]), requires_grad=True)
    function(x).sum().backward()
    expected_at_zero = 0.0 if name == "i0e" else 0.5  # (i0e has a kink at 0, slopes -+1: torch's sign(0) = 0)
    assert x.grad[0] == pytest.approx(expected_at_zero, abs=1e-15)
