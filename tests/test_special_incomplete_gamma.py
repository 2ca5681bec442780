"""The regularized incomplete gamma functions P(a, x) and Q(a, x) (autograd.special.gammainc, gammaincc) and
Gamma.cdf built on them, against closed forms computed independently in Python floats (the Poisson sums of an
integer a, erf at a = 1/2), central differences, and torch (when installed)."""

import decimal
import math

import numpy as np
import pytest

from autograd import Tensor
from autograd.distributions import Exponential, Gamma
from autograd.special import gammainc, gammaincc


def _poisson_upper(n: int, x: float) -> float:
    """Q(n, x) = e^-x sum_{k < n} x^k / k! for an integer n >= 1, each term from logs, summed with fsum."""
    return math.fsum(math.exp(k * math.log(x) - x - math.lgamma(k + 1)) for k in range(n))


@pytest.mark.parametrize("n", [1, 2, 5, 17, 60, 150])
def test_an_integer_a_gives_the_poisson_sum_on_both_sides_of_the_split(n):
    x = np.concatenate([np.geomspace(1e-3, 3.0 * n + 30, 80), [n - 1.0 + 1e-9, n + 1.0, float(n)]])
    x = x[x > 0]
    upper = np.array([_poisson_upper(n, v) for v in x.tolist()])
    lower = np.array([math.fsum([1.0, -q]) for q in upper.tolist()])
    np.testing.assert_allclose(gammaincc(float(n), x), upper, rtol=1e-12, atol=1e-300)
    keep = lower > 1e-3  # 1 - Q cancels where P is small: there P is compared on its own terms below
    np.testing.assert_allclose(gammainc(float(n), x[keep]), lower[keep], rtol=1e-12)


def test_a_small_lower_tail_keeps_its_relative_precision():
    """P(n, x) for x far below n is e^-x sum_{k >= n} x^k / k!, tiny: computed by its own series, not as 1 - Q."""
    n, x = 30, np.array([0.5, 2.0, 5.0])
    expected = [math.fsum(math.exp(k * math.log(v) - v - math.lgamma(k + 1)) for k in range(n, n + 200)) for v in x]
    np.testing.assert_allclose(gammainc(float(n), x), expected, rtol=1e-12)


#: (a, x, Q(a, x)) for a small a, from mpmath at 50 digits: Q ~ a E1(x) there, and 1 - P kept only its rounding
#: error (2.2e-16 for Q(1e-300, 0.5) = 5.6e-301; 1.3e-8 relative at a = 1e-8, 1e-14 at a = 0.01).
SMALL_A_UPPER = [
    (1e-300, 0.5, 5.597735947761608e-301),
    (1e-20, 1e-08, 1.7843465089050831e-19),
    (1e-08, 0.5, 5.597735977099587e-09),
    (1e-08, 1.0, 2.1938393664027067e-09),
    (0.0001, 0.1, 0.00018228306452648327),
    (0.01, 1.0, 0.00221623462322799),
    (0.1, 1.1, 0.020600778209340292),
    (0.3, 0.001, 0.8597575410751326),
    (1.2, 1.1, 0.4145530204158763),
]


def test_a_small_a_keeps_the_upper_tails_relative_precision():
    a, x, upper = (np.array(column) for column in zip(*SMALL_A_UPPER))
    np.testing.assert_allclose(gammaincc(a, x), upper, rtol=1e-14, atol=0)
    np.testing.assert_allclose(gammainc(a, x), 1 - upper, rtol=1e-14)


def test_a_half_gives_erf_and_erfc_of_the_square_root():
    x = np.geomspace(1e-8, 600.0, 200)
    np.testing.assert_allclose(gammainc(0.5, x), [math.erf(math.sqrt(v)) for v in x], rtol=1e-13)
    np.testing.assert_allclose(gammaincc(0.5, x), [math.erfc(math.sqrt(v)) for v in x], rtol=1e-12, atol=1e-300)


def _decimal_poisson_upper(n: int, x: float) -> float:
    """Q(n, x) = e^-x sum_{k < n} x^k / k! in 40-digit decimal arithmetic (no float rounding on the way)."""
    context = decimal.Context(prec=40)
    step = decimal.Decimal(x)
    term = total = context.exp(-step)
    for k in range(1, n):
        term = context.multiply(term, context.divide(step, k))
        total = context.add(total, term)
    return float(total)


def test_a_large_a_near_its_centre_keeps_full_precision():
    """At a = 200,000, a log x, x and lgamma(a + 1) are each about 2e6: taken from logs, their difference would keep
    only ten digits; the prefactor's Stirling form keeps them all."""
    n = 200_000
    for x in (200_000.0, 200_600.0):
        assert gammaincc(float(n), x) == pytest.approx(_decimal_poisson_upper(n, x), rel=1e-13)


#: (a, x, P(a, x), Q(a, x)) for large a near x, where the series and the continued fraction would need about
#: 9 sqrt(a) steps (and gave nan); the values came from mpmath at 60 digits (mpmath.gammainc for a <= 1e5; above, the
#: gamma density integrated by mpmath.quad in t = a + s sqrt(a), checked against mpmath.gammainc at a = 2e5 to 1e-34).
_LARGE_A_REFERENCE = [
    (1e9, 0.99999e9, 0.37591841714617018, 0.62408158285382982),
    (5e8, 5e8, 0.50000594708038724, 0.49999405291961276),
    (2.5e8, 2.5e8, 0.50000841044174025, 0.49999158955825975),
    (524944574.37776965, 524840184.04668677, 2.6007067157638184e-6, 0.99999739929328424),
    (1e12, 1e12 + 2e6, 0.97724981406088128, 0.022750185939118725),
    (1e15, 1e15 - 3e7, 0.17139085584209238, 0.82860914415790762),
    (25.0, 21.0, 0.21784498118611436, 0.78215501881388564),
    (150.0, 170.0, 0.94436556868980671, 0.055634431310193294),
    (1e5, 1.02e5, 0.99999999983493939, 1.6506061359362834e-10),
    (3e3, 2.5e3, 1.7368408303344989e-22, 1.0),
]


@pytest.mark.parametrize("a, x, lower, upper", _LARGE_A_REFERENCE)
def test_large_a_near_x_takes_the_uniform_expansion_to_high_precision(a, x, lower, upper):
    assert gammainc(a, x) == pytest.approx(lower, rel=5e-15)
    assert gammaincc(a, x) == pytest.approx(upper, rel=5e-15)


def test_an_array_mixing_large_and_small_a_gives_each_entry_its_value():
    result = gammainc(np.array([1e10, 3.0, 1e10]), np.array([1e10, 2.0, 1e10 + 1e5]))
    assert result[1] == pytest.approx(1 - math.exp(-2.0) * (1 + 2.0 + 2.0), rel=1e-14)
    assert 0.5 < result[0] < 0.5 + 1e-5  # P(a, a) = 1/2 + 1/(3 sqrt(2 pi a)) + ...
    assert result[2] == pytest.approx(0.5 * math.erfc(-1 / math.sqrt(2)), rel=1e-5)  # about Phi(1): one sd above


def test_the_expansion_coefficients_are_temmes():
    """C_0(eta) = -1/3 + eta/12 - 2 eta^2/135 + eta^3/864 + ..., C_1(eta) = -1/540 - eta/288 + eta^2/378 + ... and
    C_2(0) = 25/6048, as published (DiDonato and Morris 1986, Table 1's d_0, d_1 and d_2 rows)."""
    from autograd.uniform_gamma_expansion import _expansion_coefficients

    coefficients = _expansion_coefficients()
    np.testing.assert_allclose(coefficients[0, :4], [-1 / 3, 1 / 12, -2 / 135, 1 / 864], rtol=1e-15)
    np.testing.assert_allclose(coefficients[1, :3], [-1 / 540, -1 / 288, 1 / 378], rtol=1e-15)
    assert coefficients[2, 0] == pytest.approx(25 / 6048, rel=1e-15)


def test_large_a_matches_mpmath_over_a_random_sweep():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(7)
    a = 10 ** rng.uniform(-3, 5, 120)
    spread = rng.integers(0, 3, a.size)
    x = np.abs(
        np.where(
            spread == 0,
            a * (1 + rng.normal(0, 2, a.size) / np.sqrt(a)),
            np.where(spread == 1, a * 10 ** rng.uniform(-2, 2, a.size), a * (1 + rng.uniform(-0.5, 0.5, a.size))),
        )
    )
    lower, upper = gammainc(a, x), gammaincc(a, x)
    for ai, xi, ours_lower, ours_upper in zip(a.tolist(), x.tolist(), lower.tolist(), upper.tolist()):
        exact_lower = mpmath.gammainc(ai, 0, xi, regularized=True)
        exact_upper = mpmath.gammainc(ai, xi, mpmath.inf, regularized=True)
        for ours, exact in ((ours_lower, exact_lower), (ours_upper, exact_upper)):
            if exact > 1e-300:
                assert abs(ours - exact) <= 3e-13 * exact, (ai, xi, ours, exact)


def test_the_edges_are_torchs():
    inf, nan = math.inf, math.nan
    a = np.array([0.0, 0.0, 1.0, 2.0, -1.0, 2.0, inf, inf, 2.0, nan, 1e-300, 5.0])
    x = np.array([0.0, 1.0, 0.0, 0.0, 1.0, -1.0, 1.0, inf, inf, 1.0, 1.0, nan])
    lower = np.array([nan, 1.0, 0.0, 0.0, nan, nan, 0.0, nan, 1.0, nan, 1.0, nan])
    np.testing.assert_array_equal(gammainc(a, x), lower)
    np.testing.assert_array_equal(np.isnan(gammaincc(a, x)), np.isnan(lower))
    np.testing.assert_allclose(gammaincc(a, x)[~np.isnan(lower)], 1 - lower[~np.isnan(lower)], atol=1e-299)


def test_numbers_give_a_float_and_tensors_keep_their_float_dtype():
    assert type(gammainc(2.0, 1.0)) is float
    assert gammainc(2.0, 1.0) == pytest.approx(1 - 2 / math.e, rel=1e-15)
    assert gammainc(Tensor(np.array([2.0], dtype=np.float32)), 1.0).dtype == np.float32
    assert gammaincc(1.5, Tensor(np.array([0.5, 2.0], dtype=np.float32))).dtype == np.float32


@pytest.mark.parametrize("function", [gammainc, gammaincc])
def test_an_integer_operand_beside_a_float_one_takes_its_dtype(function):
    """torch's promotion: int64 or bool beside float32 (or float16) gives float32 (float16), not float64; the
    values are the float64 ones rounded."""
    for a, x in ((Tensor(np.array([1, 3])), Tensor(np.array([0.5, 2.0], dtype=np.float32))),
                 (Tensor(np.array([1.5, 3.0], dtype=np.float16)), Tensor(np.array([True, False]))),
                 (np.array([1, 3]), np.array([0.5, 2.0], dtype=np.float32))):  # fmt: skip
        float_operand = x if np.asarray(getattr(x, "data", x)).dtype.kind == "f" else a
        dtype = np.asarray(getattr(float_operand, "data", float_operand)).dtype
        result = function(a, x)
        assert result.dtype == dtype
        exact = function(*(np.asarray(getattr(v, "data", v), dtype=np.float64) for v in (a, x)))
        np.testing.assert_array_equal(np.asarray(getattr(result, "data", result)), exact.astype(dtype))


@pytest.mark.parametrize("function, sign", [(gammainc, 1.0), (gammaincc, -1.0)])
def test_the_gradient_in_x_is_the_gamma_density_and_matches_central_differences(function, sign):
    a = np.array([0.3, 1.0, 2.5, 40.0, 300.0])
    x = np.array([0.7, 2.0, 1.5, 35.0, 320.0])
    xs = Tensor(x.copy(), requires_grad=True)
    function(Tensor(a), xs).sum().backward()
    step = 1e-6 * x
    central = (function(a, x + step) - function(a, x - step)) / (2 * step)
    np.testing.assert_allclose(xs.grad, central, rtol=1e-6)
    density = [sign * math.exp((ai - 1) * math.log(xi) - xi - math.lgamma(ai)) for ai, xi in zip(a, x)]
    np.testing.assert_allclose(xs.grad, density, rtol=1e-12)


@pytest.mark.parametrize("function, sign", [(gammainc, 1.0), (gammaincc, -1.0)])
def test_the_gradient_at_large_a_keeps_its_digits_and_matches_central_differences(function, sign):
    """x^(a-1) e^-x / Gamma(a) at a = 1e9 and 1e12 (each term of its log is ~1e13: summed directly they kept two
    digits); the densities came from mpmath at 60 digits."""
    a = np.array([1e9, 1e12, 50.0])
    x = np.array([0.99999e9, 1e12 + 3e5, 45.0])
    density = np.array([1.2000505488197046e-05, 3.8138770447667053e-07, 0.047869249786209565])
    xs = Tensor(x.copy(), requires_grad=True)
    function(Tensor(a), xs).sum().backward()
    np.testing.assert_allclose(xs.grad, sign * density, rtol=1e-13)
    step = np.array([10.0, 1000.0, 1e-5])
    central = (function(a, x + step) - function(a, x - step)) / (2 * step)
    np.testing.assert_allclose(xs.grad, central, rtol=1e-6)


def test_the_gradient_at_zero_and_infinity_is_the_densitys_limit():
    x = Tensor(np.array([0.0, 0.0, 0.0, math.inf]), requires_grad=True)
    gammainc(np.array([0.5, 1.0, 2.0, 2.0]), x).sum().backward()
    np.testing.assert_array_equal(x.grad, [math.inf, 1.0, 0.0, 0.0])


def test_the_second_derivative_in_x_matches_central_differences():
    x = Tensor(np.array([0.8, 3.0]), requires_grad=True)
    (first,) = __import__("autograd").grad(gammainc(2.5, x).sum(), [x], create_graph=True)
    first.sum().backward()
    values = np.array([0.8, 3.0])
    step = 1e-5
    density = lambda v: np.exp(1.5 * np.log(v) - v - math.lgamma(2.5))  # noqa: E731
    np.testing.assert_allclose(x.grad, (density(values + step) - density(values - step)) / (2 * step), rtol=1e-7)


@pytest.mark.parametrize("function, sign", [(gammainc, 1.0), (gammaincc, -1.0)])
def test_under_create_graph_the_gradient_at_large_a_keeps_its_digits_and_differentiates_again(function, sign):
    """At x = a the density is e^(-stirling(a)) / sqrt(2 pi a), and its slope the density times (a - 1) / x - 1 =
    -1 / a. The gradient recorded for create_graph summed (a - 1) log x - x - lgamma(a), terms of size a log a:
    3e-9 off at a = 1e6, and 1 (e^0) instead of 4e-11 at a = 1e20."""
    a = np.array([1e4, 1e6, 1e12, 1e20])
    stirling = 1 / (12 * a) - 1 / (360 * a**3)
    density = np.exp(-stirling) / np.sqrt(2 * math.pi * a)
    x = Tensor(a.copy(), requires_grad=True)
    (first,) = __import__("autograd").grad(function(a, x).sum(), [x], create_graph=True)
    np.testing.assert_allclose(first.data, sign * density, rtol=1e-13)
    first.sum().backward()
    np.testing.assert_allclose(x.grad, -sign * density / a, rtol=1e-12)


@pytest.mark.parametrize("create_graph", [False, True])
def test_the_gradient_at_a_negative_x_is_nan_as_the_value_and_torchs_at_a_equal_to_one(create_graph):
    # the density x^0 e^-x / Gamma(1) was read as e^-x for every x at a = 1 (x < 0 gave e^-x: 2.7 at x = -1)
    x = Tensor(np.array([-1.0, -0.5, -1e-300, 2.0]), requires_grad=True)
    (first,) = __import__("autograd").grad(gammainc(1.0, x).sum(), [x], create_graph=create_graph)
    np.testing.assert_array_equal(first.data, [math.nan, math.nan, math.nan, math.exp(-2.0)])


def test_the_derivative_in_a_is_refused_as_in_torch():
    a = Tensor(np.array([2.0]), requires_grad=True)
    with pytest.raises(NotImplementedError, match="first argument, a"):
        gammainc(a, 1.0).sum().backward()


def test_gamma_cdf_of_concentration_one_is_the_exponential_cdf():
    rate = np.array([0.5, 2.0, 7.0])
    value = np.array([0.1, 1.3, 0.02])
    ours = Gamma(Tensor(np.ones(3)), Tensor(rate)).cdf(Tensor(value))
    np.testing.assert_allclose(ours.numpy(), Exponential(Tensor(rate)).cdf(Tensor(value)).numpy(), rtol=1e-14)
    np.testing.assert_allclose(ours.numpy(), -np.expm1(-rate * value), rtol=1e-14)


def test_gamma_cdf_against_torch_values_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    concentration = np.exp(rng.uniform(np.log(0.05), np.log(500.0), 300))
    rate = np.exp(rng.uniform(-2, 2, 300))
    value = concentration / rate * np.exp(rng.uniform(-1.5, 1.5, 300))
    rate_t, value_t = Tensor(rate.copy(), requires_grad=True), Tensor(value.copy(), requires_grad=True)
    ours = Gamma(Tensor(concentration), rate_t).cdf(value_t)
    ours.sum().backward()
    their_rate = torch.tensor(rate, requires_grad=True)
    their_value = torch.tensor(value, requires_grad=True)
    theirs = torch.distributions.Gamma(torch.tensor(concentration), their_rate).cdf(their_value)
    theirs.sum().backward()
    # torch's own values differ from the exact ones by up to ~2e-9 for a in the tens to thousands (its asymptotic
    # series); ours are within 1e-13 of the closed forms above
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(rate_t.grad, their_rate.grad.numpy(), rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(value_t.grad, their_value.grad.numpy(), rtol=1e-8, atol=1e-300)
