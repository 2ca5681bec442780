"""kl_divergence for pairs of different types, checked without its closed forms: KL(p || q) = E_p[log p - log q]
by Gauss-Legendre quadrature in float64 numpy of the two log-densities (written here from their definitions) for
the continuous pairs, by exact sums for the discrete ones; infinite where p has mass (found the same ways) on which
q has none; gradients by central differences; and the choice among registered pairs for subclasses."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd
from autograd.distributions import (
    Bernoulli,
    Beta,
    Binomial,
    Exponential,
    Gamma,
    Laplace,
    Normal,
    Poisson,
    Uniform,
    kl_divergence,
    register_kl,
)
from autograd.gradcheck import gradcheck
from autograd.tensor import where

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(30)


def _panel_nodes(edges):
    """Nodes and weights of 30-point Gauss-Legendre on each panel between consecutive ``edges`` (none on an edge)."""
    edges = np.unique(np.asarray(edges, dtype=np.float64))
    low, high = edges[:-1, None], edges[1:, None]
    return ((low + high) / 2 + (high - low) / 2 * _NODES).ravel(), ((high - low) / 2 * _WEIGHTS).ravel()


def _integral(f, edges):
    """The integral of f over [edges[0], edges[-1]]."""
    x, w = _panel_nodes(edges)
    return float(np.sum(w * f(x, 1 - x)))


def _graded_integral(f, low, high, panels=80):
    """The integral of f over [low, high] on panels shrinking geometrically towards both ends (where densities and
    logs may be singular): the lower half in x - low, the upper half in high - x, so that f(x, 1 - x) gets 1 - x
    to full precision near x = high = 1."""
    distance, w = _panel_nodes(np.concatenate([[0.0], np.geomspace(1e-30, 0.5, panels)]) * (high - low))
    lower = f(low + distance, (1 - low) - distance)
    upper = f(high - distance, (1 - high) + distance)
    return float(np.sum(w * (lower + upper)))


def _half_line(scale):
    """Panel edges on [0, 80 scale], graded towards 0 (the tail beyond holds e^-60 of the mass and less)."""
    return np.concatenate([[0.0], np.geomspace(1e-30, 80 * scale, 400)])


def _line(center, spread, *kinks):
    """Panel edges on center +- 50 spread, with the points where an integrand has a kink among them."""
    return np.concatenate([np.linspace(center - 50 * spread, center + 50 * spread, 2001), kinks])


# log-densities, from the definitions
def _log_normal(m, s):
    return lambda x, _: -0.5 * ((x - m) / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi)


def _log_laplace(m, b):
    return lambda x, _: -np.abs(x - m) / b - math.log(2 * b)


def _log_exponential(r):
    return lambda x, _: math.log(r) - r * x


def _log_gamma(c, r):
    return lambda x, _: c * math.log(r) + (c - 1) * np.log(x) - r * x - math.lgamma(c)


def _log_beta(a, b):
    log_norm = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return lambda x, complement: (a - 1) * np.log(x) + (b - 1) * np.log(complement) - log_norm


def _log_uniform(low, high):
    return lambda x, _: np.full_like(x, -math.log(high - low))


LOG_DENSITY = {
    Normal: _log_normal,
    Laplace: _log_laplace,
    Exponential: _log_exponential,
    Gamma: _log_gamma,
    Beta: _log_beta,
    Uniform: _log_uniform,
}


def _quadrature_kl(p_cls, p_params, q_cls, q_params):
    """KL(p || q) by quadrature of p (log p - log q) over p's support (with q's kink, a Laplace's loc, a panel edge)."""
    log_p, log_q = LOG_DENSITY[p_cls](*p_params), LOG_DENSITY[q_cls](*q_params)

    def integrand(x, complement):
        return np.exp(log_p(x, complement)) * (log_p(x, complement) - log_q(x, complement))

    if p_cls is Normal or p_cls is Laplace:
        kinks = (p_params[0], *(q_params[:1] if q_cls is Laplace else ()))
        return _integral(integrand, _line(p_params[0], p_params[1], *kinks))
    if p_cls is Exponential:
        return _integral(integrand, _half_line(1 / p_params[0]))
    if p_cls is Gamma:
        return _integral(integrand, _half_line((p_params[0] + 1) / p_params[1]))
    return _graded_integral(integrand, *((0.0, 1.0) if p_cls is Beta else p_params))


CONTINUOUS_CASES = [
    (Beta, (2.5, 1.5), Exponential, (0.7,)),
    (Beta, (0.6, 0.8), Exponential, (2.0,)),
    (Beta, (2.5, 1.5), Gamma, (3.0, 2.0)),
    (Beta, (0.6, 0.8), Gamma, (0.5, 1.5)),
    (Beta, (2.5, 1.5), Normal, (0.3, 0.8)),
    (Beta, (0.6, 0.8), Normal, (-1.0, 2.0)),
    (Beta, (2.5, 1.5), Uniform, (-0.5, 1.2)),
    (Beta, (0.6, 0.8), Uniform, (0.0, 1.0)),
    (Exponential, (1.3,), Gamma, (2.5, 0.7)),
    (Exponential, (0.4,), Gamma, (0.6, 2.0)),
    (Exponential, (1.3,), Normal, (0.5, 1.5)),
    (Gamma, (2.5, 1.2), Exponential, (0.5,)),
    (Gamma, (0.6, 2.0), Exponential, (3.0,)),
    (Gamma, (2.5, 1.2), Normal, (1.0, 2.0)),
    (Gamma, (0.6, 2.0), Normal, (-0.5, 0.7)),
    (Laplace, (0.3, 0.8), Normal, (-0.5, 1.3)),
    (Normal, (0.3, 0.8), Laplace, (-0.5, 1.3)),
    (Normal, (2.0, 0.1), Laplace, (2.0, 1.0)),
    (Uniform, (0.1, 0.7), Beta, (2.5, 0.6)),
    (Uniform, (0.0, 1.0), Beta, (0.6, 0.8)),
    (Uniform, (0.2, 1.7), Exponential, (1.3,)),
    (Uniform, (0.0, 3.0), Exponential, (0.5,)),
    (Uniform, (0.2, 1.7), Gamma, (2.5, 1.2)),
    (Uniform, (0.0, 2.0), Gamma, (0.6, 2.0)),
    (Uniform, (-1.0, 2.0), Normal, (0.3, 0.7)),
]


@pytest.mark.parametrize(
    ("p_cls", "p_params", "q_cls", "q_params"),
    CONTINUOUS_CASES,
    ids=[f"{c[0].__name__}{c[1]}-{c[2].__name__}{c[3]}" for c in CONTINUOUS_CASES],
)
def test_kl_of_continuous_pair_equals_quadrature_of_the_log_density_ratio(p_cls, p_params, q_cls, q_params):
    ours = kl_divergence(p_cls(*map(np.float64, p_params)), q_cls(*map(np.float64, q_params)))
    expected = _quadrature_kl(p_cls, p_params, q_cls, q_params)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(float(ours.data), expected, rtol=1e-12)  # the quadrature is good to 1e-14


@pytest.mark.parametrize("center", [1e4, 1e8])
def test_kl_of_laplace_to_normal_far_from_the_origin_equals_the_quadrature_at_the_same_distance(center):
    # KL depends on the locations' difference only (torch's 0.5 m_p^2 - m_p m_q + 0.5 m_q^2 loses it: 0.09 at 1e8)
    p_loc, q_loc = center + 0.3, center - 0.5
    ours = kl_divergence(Laplace(np.float64(p_loc), np.float64(0.8)), Normal(np.float64(q_loc), np.float64(1.3)))
    expected = _quadrature_kl(Laplace, (p_loc - q_loc, 0.8), Normal, (0.0, 1.3))
    np.testing.assert_allclose(float(ours.data), expected, rtol=1e-12)


def _poisson_pmf(rate, counts):
    return np.array(
        [math.exp(k * math.log(rate) - rate - math.lgamma(k + 1)) if rate > 0 else float(k == 0) for k in counts]
    )


@pytest.mark.parametrize(("prob", "rate"), [(0.3, 1.7), (0.9, 0.2), (0.0, 2.5)])
def test_kl_of_bernoulli_to_poisson_equals_the_exact_sum_over_zero_and_one(prob, rate):
    bernoulli = np.array([1 - prob, prob])
    poisson = _poisson_pmf(rate, [0, 1])
    terms = [b * math.log(b / q) for b, q in zip(bernoulli, poisson) if b > 0]
    ours = kl_divergence(Bernoulli(probs=np.float64(prob)), Poisson(np.float64(rate)))
    np.testing.assert_allclose(float(ours.data), sum(terms), rtol=1e-12, atol=1e-15)


def test_kl_of_bernoulli_to_poisson_between_the_point_masses_at_zero_is_zero():
    # p(0) = q(0) = 1 (torch's formula gives 0 * log 0 = nan here)
    assert abs(float(kl_divergence(Bernoulli(probs=np.float64(0.0)), Poisson(np.float64(0.0))).data)) < 1e-15
    assert float(kl_divergence(Bernoulli(probs=np.float64(0.5)), Poisson(np.float64(0.0))).data) == math.inf


# (p, q, a region where q's density is 0 and p's is not): KL(p || q) is inf there
INFINITE_CASES = [
    (Exponential, (1.3,), Beta, (2.0, 3.0), (1.0, 60.0)),
    (Exponential, (1.3,), Uniform, (0.0, 5.0), (5.0, 80.0)),
    (Gamma, (2.5, 1.2), Beta, (2.0, 3.0), (1.0, 80.0)),
    (Gamma, (0.6, 2.0), Uniform, (0.0, 3.0), (3.0, 80.0)),
    (Laplace, (0.3, 0.8), Beta, (2.0, 3.0), (-40.0, 0.0)),
    (Laplace, (0.3, 0.8), Exponential, (1.0,), (-40.0, 0.0)),
    (Laplace, (5.0, 0.8), Gamma, (2.0, 1.0), (-40.0, 0.0)),
    (Laplace, (0.3, 0.8), Uniform, (-3.0, 3.0), (3.0, 40.0)),
    (Normal, (0.3, 0.8), Beta, (2.0, 3.0), (-40.0, 0.0)),
    (Normal, (0.3, 0.8), Exponential, (1.0,), (-40.0, 0.0)),
    (Normal, (3.0, 0.8), Gamma, (2.0, 1.0), (-40.0, 0.0)),
    (Normal, (0.3, 0.8), Uniform, (-2.0, 2.0), (2.0, 40.0)),
    (Beta, (2.5, 1.5), Uniform, (0.1, 2.0), (0.0, 0.1)),
    (Uniform, (-0.1, 0.5), Beta, (2.0, 3.0), (-0.1, 0.0)),
    (Uniform, (0.5, 1.01), Beta, (2.0, 3.0), (1.0, 1.01)),
    (Uniform, (-0.5, 0.5), Exponential, (1.0,), (-0.5, 0.0)),
    (Uniform, (-3.0, -2.0), Gamma, (2.0, 1.0), (-3.0, -2.0)),
]


@pytest.mark.parametrize(
    ("p_cls", "p_params", "q_cls", "q_params", "region"),
    INFINITE_CASES,
    ids=[f"{c[0].__name__}{c[1]}-{c[2].__name__}{c[3]}" for c in INFINITE_CASES],
)
def test_kl_is_infinite_where_p_has_mass_on_which_q_has_none(p_cls, p_params, q_cls, q_params, region):
    log_p = LOG_DENSITY[p_cls](*p_params)
    assert _integral(lambda x, complement: np.exp(log_p(x, complement)), np.linspace(*region, 401)) > 1e-6
    assert float(kl_divergence(p_cls(*map(np.float64, p_params)), q_cls(*map(np.float64, q_params))).data) == math.inf


def test_kl_of_poisson_to_bernoulli_or_binomial_is_infinite_as_the_poisson_reaches_past_their_counts():
    rate = 1.5
    assert 1 - _poisson_pmf(rate, [0, 1]).sum() > 0.1  # P(k >= 2): Bernoulli has no mass there
    assert 1 - _poisson_pmf(rate, range(4)).sum() > 0.01  # P(k >= 4): Binomial(3, .) has none
    assert float(kl_divergence(Poisson(np.float64(rate)), Bernoulli(probs=np.float64(0.4))).data) == math.inf
    assert float(kl_divergence(Poisson(np.float64(rate)), Binomial(3, probs=np.float64(0.4))).data) == math.inf


def test_an_infinite_pair_gives_a_constant_of_ps_batch_shape_outside_the_graph():
    loc = autograd.tensor(np.zeros((2, 3)), requires_grad=True)
    kl = kl_divergence(Normal(loc, 1.0), Exponential(autograd.tensor(np.ones((4, 1, 3)), requires_grad=True)))
    assert kl.shape == (2, 3) and not kl.requires_grad and np.all(kl.data == math.inf)


def test_kl_with_inf_entries_broadcasts_and_its_other_entries_match_quadrature():
    low, high = np.array([[0.0], [-0.2], [0.3]]), np.array([[1.0], [0.8], [1.2]])  # (3, 1): inside, below 0, above 1
    a, b = np.array([2.5, 0.6]), np.array([0.6, 0.8])  # (2,)
    kl = kl_divergence(
        Uniform(autograd.tensor(low), autograd.tensor(high)), Beta(autograd.tensor(a), autograd.tensor(b))
    ).data
    assert kl.shape == (3, 2)
    assert np.all(np.isinf(kl[1:]))
    expected = [_quadrature_kl(Uniform, (0.0, 1.0), Beta, (a[j], b[j])) for j in range(2)]
    np.testing.assert_allclose(kl[0], expected, rtol=1e-12)


# -- gradients by central differences -----------------------------------------------------------------------------
def _leaves(*arrays):
    return [autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]


def _finite_part(kl):
    """kl with 0 at its inf entries (so the finite entries' gradients can be checked)."""
    return where(autograd.tensor(np.isfinite(kl.data)), kl, 0.0)


GRADIENT_CASES = [
    (
        "Normal-Laplace",
        lambda m, s, n, b: kl_divergence(Normal(m, s), Laplace(n, b)),
        ([[0.3], [2.0]], [0.8, 0.1], [-0.5, 1.9], [1.3, 0.7]),
    ),
    (
        "Beta-Gamma",
        lambda a, b, c, r: kl_divergence(Beta(a, b), Gamma(c, r)),
        ([2.5, 0.6], [1.5, 0.8], [[3.0], [0.5]], [2.0, 1.5]),
    ),
    (
        "Exponential-Gamma",
        lambda r, c, s: kl_divergence(Exponential(r), Gamma(c, s)),
        ([1.3, 0.4], [[2.5], [0.6]], [0.7, 2.0]),
    ),
    (
        "Laplace-Normal",
        lambda m, b, n, s: kl_divergence(Laplace(m, b), Normal(n, s)),
        ([0.3, -1.0], [0.8, 2.0], [[-0.5], [1.0]], [1.3, 0.4]),
    ),
    ("Bernoulli-Poisson", lambda p, r: kl_divergence(Bernoulli(probs=p), Poisson(r)), ([0.3, 0.9], [[1.7], [0.2]])),
    (
        "Uniform-Beta with an inf entry",
        lambda lo, hi, a, b: _finite_part(kl_divergence(Uniform(lo, hi), Beta(a, b))),
        ([0.1, -0.2, 0.3], [0.7, 0.8, 0.9], [[2.5], [1.4]], [[0.6], [3.0]]),
    ),
    (
        "Uniform-Gamma with an inf entry",
        lambda lo, hi, c, r: _finite_part(kl_divergence(Uniform(lo, hi), Gamma(c, r))),
        ([0.2, -0.5, 0.5], [1.7, 0.5, 2.0], [[2.5], [0.6]], [[1.2], [2.0]]),
    ),
]


@pytest.mark.parametrize(("name", "kl", "arrays"), GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_kl_gradients_with_respect_to_every_parameter_match_central_differences(name, kl, arrays):
    assert gradcheck(kl, _leaves(*arrays), eps=1e-6, atol=1e-7, rtol=1e-6)


# -- which registered pair is used -------------------------------------------------------------------------------
def _fresh_normal_subclasses():
    derived = type("DerivedNormal", (Normal,), {})
    return derived, type("MoreDerivedNormal", (derived,), {})


def _constant(value):
    return lambda p, q: p.loc * 0 + value


def test_a_pair_registered_for_a_subclass_takes_over_from_the_base_pair_even_after_a_first_call():
    derived, more = _fresh_normal_subclasses()
    laplace = Laplace(0.0, 1.0)
    base = float(kl_divergence(more(0.0, 1.0), laplace).data)  # Normal-Laplace's
    assert base == float(kl_divergence(Normal(0.0, 1.0), laplace).data)
    register_kl(derived, Laplace)(_constant(5.0))
    assert float(kl_divergence(more(0.0, 1.0), laplace).data) == 5.0
    assert float(kl_divergence(Normal(0.0, 1.0), laplace).data) == base


def test_the_most_specific_p_wins_and_a_tie_broken_otherwise_by_q_warns():
    derived, more = _fresh_normal_subclasses()
    register_kl(Normal, derived)(_constant(1.0))
    register_kl(derived, Normal)(_constant(2.0))
    with pytest.warns(RuntimeWarning, match=r"Ambiguous kl_divergence\(MoreDerivedNormal, DerivedNormal\)"):
        assert float(kl_divergence(more(0.0, 1.0), derived(0.0, 1.0)).data) == 2.0
    register_kl(derived, derived)(_constant(3.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(kl_divergence(more(0.0, 1.0), derived(0.0, 1.0)).data) == 3.0
        assert float(kl_divergence(Normal(0.0, 1.0), more(0.0, 1.0)).data) == 1.0


@pytest.mark.parametrize("bad", [3, int, "Normal"])
def test_register_kl_refuses_what_is_not_a_distribution_type(bad):
    with pytest.raises(TypeError, match="register_kl: expected type_p to be a Distribution subclass"):
        register_kl(bad, Normal)
    with pytest.raises(TypeError, match="type_q"):
        register_kl(Normal, bad)
