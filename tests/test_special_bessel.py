"""autograd.special.i1, torch.special.i1: the modified Bessel function I1 and its derivative I0 - I1/x, against
values from mpmath, a random mpmath sweep (when mpmath is installed) and central differences."""

import numpy as np
import pytest

from autograd import Tensor, gradcheck, special

#: I1(x) at these x, from mpmath.besseli(1, x) at 40 digits, rounded to 17.
_I1_REFERENCE = [
    (1e-300, 5.0000000000000001e-301),
    (0.5, 0.25789430539089632),
    (1.0, 0.56515910399248503),
    (7.5, 249.58436542268814),
    (24.5, 3465402511.4814852),
    (25.5, 9239167088.5568891),
    (100.0, 1.0683693903381625e42),
    (700.0, 1.5285003902339007e302),
]


@pytest.mark.parametrize("x, expected", _I1_REFERENCE)
def test_i1_matches_mpmath_values_and_is_odd(x, expected):
    assert special.i1(x) == pytest.approx(expected, rel=2e-15)
    assert special.i1(-x) == pytest.approx(-expected, rel=2e-15)


def test_i1_matches_mpmath_over_a_random_sweep():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(3)
    x = np.concatenate([10 ** rng.uniform(-300, 2.85, 400), -(10 ** rng.uniform(-5, 2.85, 100))])
    exact = np.array([float(mpmath.besseli(1, mpmath.mpf(v))) for v in x.tolist()])
    np.testing.assert_allclose(special.i1(x), exact, rtol=2e-15)


def test_i1_edges_and_dtypes_are_torchs():
    """nan at +-inf, as torch's (the limit is +-inf), inf once it overflows; a float32 input stays float32."""
    edges = special.i1(np.array([0.0, np.inf, -np.inf, np.nan, 800.0, -800.0]))
    np.testing.assert_array_equal(edges, [0.0, np.nan, np.nan, np.nan, np.inf, -np.inf])
    assert special.i1(np.float32(2.0)).dtype == np.float32
    assert type(special.i1(2.0)) is float


def test_i1_of_a_tensor_is_recorded_with_the_derivative_i0_minus_i1_over_x():
    x = Tensor(np.array([0.0, 1e-7, 0.8, -3.0, 30.0]), requires_grad=True)
    result = special.i1(x)
    assert isinstance(result, Tensor) and result.requires_grad
    result.sum().backward()
    values = x.numpy()
    safe = np.where(values == 0, 1.0, values)
    expected = np.where(values == 0, 0.5, special.i0(values) - special.i1(values) / safe)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)
    assert gradcheck(special.i1, [np.array([0.3, -1.7, 6.0])])


def test_i1e_second_derivative_at_infinity_is_zero_as_torchs():
    # i1e's slope near 0, 1/2 - |x|/2 + 5 x^2 / 16, was formed of every x and only then set aside: at +-inf its
    # derivative was inf times the 0 that reached it, nan
    grad = __import__("autograd").grad
    x = Tensor(np.array([np.inf, -np.inf, 1e300, 3.0, 1e-7]), requires_grad=True)
    (first,) = grad(special.i1e(x).sum(), [x], create_graph=True)
    (second,) = grad(first.sum(), [x])
    np.testing.assert_array_equal(second[:3], [0.0, 0.0, 0.0])
    assert np.all(np.isfinite(second))
