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


def test_an_entry_whose_series_does_not_converge_is_nan_not_a_wrong_number():
    """Near x = a = 1e10 the series would need about 9e5 terms: past the 100,000 allowed, nan (torch's asymptotic
    form gives a number there); the entries beside it converge and keep their values."""
    result = gammainc(np.array([1e10, 3.0]), np.array([1e10, 2.0]))
    assert math.isnan(result[0])
    assert result[1] == pytest.approx(1 - math.exp(-2.0) * (1 + 2.0 + 2.0), rel=1e-14)


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
