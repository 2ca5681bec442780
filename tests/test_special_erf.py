"""erf and erfc (autograd.special), by a series below |x| = 1 and erfc's scaled polynomial above: both sides of the
split, the dtypes, and large arrays whose entries |x| >= 1 are taken and put back, against the C library's math.erf
and math.erfc."""

import math

import numpy as np
import pytest

from autograd import Tensor
from autograd.special import erf


def _reference(values: np.ndarray) -> np.ndarray:
    return np.array([math.erf(v) for v in values.reshape(-1).tolist()]).reshape(values.shape)


def test_erf_is_within_two_ulps_of_math_erf_on_every_interval_and_at_its_edges():
    edges = np.arange(0.0, 6.5, 0.25)
    near_edges = np.concatenate([np.nextafter(edges, -1), edges, np.nextafter(edges, 7)])
    x = np.concatenate([near_edges, -near_edges, np.linspace(-7, 7, 20001)])
    ours, theirs = erf(x), _reference(x)
    ulps = np.abs(ours - theirs) / np.spacing(np.abs(theirs))
    assert ulps.max() <= 2


def test_erf_of_tiny_and_subnormal_values_keeps_its_relative_precision():
    x = np.concatenate([np.geomspace(5e-324, 1e-3, 500), -np.geomspace(1e-300, 1e-3, 500)])
    np.testing.assert_allclose(erf(x), _reference(x), rtol=4e-16, atol=2e-323)  # (a subnormal result: to its ulp)


def test_erf_of_float32_is_the_float64_value_rounded_within_one_ulp():
    x = np.random.default_rng(0).uniform(-5, 5, 50_000).astype(np.float32)
    ours = erf(x)
    assert ours.dtype == np.float32
    rounded = _reference(x.astype(np.float64)).astype(np.float32)
    assert np.max(np.abs(ours.astype(np.float64) - rounded) / np.spacing(np.abs(rounded))) <= 1


def test_erf_of_a_large_array_puts_every_value_back_in_its_place():
    rng = np.random.default_rng(1)
    x = rng.uniform(-8, 8, (3, 200_001))  # more values than one chunk, from every interval, in random order
    x[0, :5] = [np.nan, np.inf, -np.inf, -0.0, 0.0]
    x[1, ::7] = rng.standard_normal(x[1, ::7].shape) * 1e-9
    ours = erf(x)
    assert ours.shape == x.shape
    np.testing.assert_allclose(ours, _reference(x), rtol=5e-16, atol=0)
    assert math.copysign(1.0, ours[0, 3]) == -1.0 and np.isnan(ours[0, 0])


def test_erf_of_an_array_within_one_interval_and_of_zero_d_arrays_keeps_the_container():
    x = np.full((2, 3), 1.1)
    np.testing.assert_array_equal(erf(x), np.full((2, 3), math.erf(1.1)))
    zero_d = erf(np.array(0.3))
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == () and zero_d == math.erf(0.3)
    assert erf(np.empty((0, 4))).shape == (0, 4)
    assert type(erf(2)) is float and type(erf(np.float32(0.5))) is np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tensor_erf_gradient_matches_finite_differences_on_every_interval(dtype):
    x64 = np.linspace(-6.5, 6.5, 53)
    x = Tensor(x64.astype(dtype), requires_grad=True)
    x.erf().sum().backward()
    at, h = x64.astype(dtype).astype(np.float64), 1e-6
    central = (_reference(at + h) - _reference(at - h)) / (2 * h)
    np.testing.assert_allclose(x.grad, central, rtol=1e-5 if dtype == np.float32 else 1e-8, atol=1e-9)


def test_erf_of_a_tensor_stays_in_the_graph():
    import autograd.special as special

    x = Tensor(np.array([0.3, -1.2]), requires_grad=True)
    y = special.erf(x)
    assert isinstance(y, Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2 / np.sqrt(np.pi) * np.exp(-(x.data**2)), rtol=1e-14)


def test_erf_of_float32_is_within_one_ulp_around_its_split_at_one_and_out_to_saturation():
    # float32 takes x P(x^2) below |x| = 1 and 1 - e^(-x^2) Q(t) from 1: both sides of the split, the tails where
    # erf rounds to +-1, and nan, +-inf, +-0 and the largest float32
    edge = np.float32(1.0)
    around = np.array([np.nextafter(edge, np.float32(0)), edge, np.nextafter(edge, np.float32(2))], dtype=np.float32)
    x = np.concatenate(
        [
            around,
            -around,
            np.linspace(-12, 12, 100_001, dtype=np.float32),
            np.geomspace(1e-45, 1, 2000, dtype=np.float32),
        ]
    )
    ours = erf(x)
    rounded = _reference(x.astype(np.float64)).astype(np.float32)
    assert ours.dtype == np.float32
    assert np.max(np.abs(ours.astype(np.float64) - rounded) / np.spacing(np.abs(rounded))) <= 1
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 3.4e38, -3.4e38], dtype=np.float32)
    got = erf(specials)
    assert np.isnan(got[0]) and list(got[1:]) == [1, -1, 0, 0, 1, -1] and np.signbit(got[4])


def test_erfc_from_two_up_is_within_four_ulps_of_math_erfc_where_x_squared_is_large():
    # Laplace's continued fraction as deep as the smallest x needs, and e^(-x^2) without x^2's rounding error
    # (which made erfc(26) 360 ulps off); the mixed array takes its depth from 2, the far one from 15
    from autograd.special import erfc

    for x in (np.linspace(2, 26.5, 5001), np.linspace(15, 26.5, 501)):
        ours, theirs = erfc(x), np.array([math.erfc(v) for v in x.tolist()])
        assert np.max(np.abs(ours - theirs) / np.spacing(theirs)) <= 4


def test_erf_of_float64_is_within_two_ulps_of_math_erf_around_its_split_at_one_and_out_to_saturation():
    # x + x R(x^2) below |x| = 1, 1 - e^(-x^2) P(u) / |x| from 1 (within an ulp of the correctly rounded value each,
    # as math.erf): both sides of the split, where erf reaches +-1 (|x| ~ 6), and nan, +-inf, +-0 and the extremes
    steps = np.arange(-64, 65) * 2.0**-52
    x = np.concatenate(
        [1 + steps, -1 - steps, 6 + steps * 8, np.linspace(0.9, 1.1, 20001), np.linspace(5.5, 6.5, 2001)]
    )
    ours, theirs = erf(x), _reference(x)
    assert np.max(np.abs(ours - theirs) / np.spacing(np.abs(theirs))) <= 2
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.7e308, -1.7e308, 1e155, 5e-324])
    got = erf(specials)
    assert np.isnan(got[0]) and list(got[1:8]) == [1, -1, 0, 0, 1, -1, 1] and np.signbit(got[4])
    assert got[8] == 5e-324  # (2/sqrt(pi) times the smallest subnormal rounds back to it)


def test_erfc_from_one_to_two_keeps_its_relative_precision():
    # erfc(x) = e^(-x^2) P(u) / x from x = 1, not 1 - erf(x), which lost the last 8 bits by x = 2 (erfc(2) = 4.7e-3:
    # an ulp of 1 is 2.4e-14 of it; 90 ulps off)
    from autograd.special import erfc

    x = np.linspace(1, 2.5, 15001)
    ours, theirs = erfc(x), np.array([math.erfc(v) for v in x.tolist()])
    assert np.max(np.abs(ours - theirs) / np.spacing(theirs)) <= 5
    assert erfc(np.float64(1.5)) == pytest.approx(math.erfc(1.5), rel=1e-15, abs=0)
