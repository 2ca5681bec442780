"""The new distributions checked without torch: seeded draws' moments against mean/variance within standard errors,
densities that integrate (numpy quadrature) or sum to 1, cdfs against the integrated density, icdf inverting cdf,
KL pairs against quadrature of the log-density ratio, and parameter gradients against central differences (float64,
autograd.gradcheck)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import autograd.distributions as ours
from autograd import gradcheck


def _leaf(values):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def _trapezoid(density, grid):
    return np.trapezoid(density, grid, axis=0)


# name -> (constructor of float64 Tensors, parameters, integration grid covering the support)
CONTINUOUS = {
    "HalfCauchy": (
        ours.HalfCauchy,
        [[0.7, 2.0]],
        np.concatenate([np.linspace(0, 50, 200001), np.geomspace(50, 1e7, 20001)[1:]]),
    ),
    "StudentT": (ours.StudentT, [[2.5, 6.0], [0.3, -1.0], [1.5, 0.8]], np.linspace(-400, 400, 400001)),
    "Chi2": (ours.Chi2, [[3.0, 7.5]], np.linspace(1e-12, 150, 300001)),
    "FisherSnedecor": (ours.FisherSnedecor, [[3.0, 8.0], [7.0, 12.0]], np.linspace(1e-12, 300, 600001)),
    "VonMises": (ours.VonMises, [[0.4, -2.5], [0.7, 60.0]], np.linspace(-np.pi, np.pi, 200001)),
    "ContinuousBernoulli": (ours.ContinuousBernoulli, [[0.1, 0.5002]], np.linspace(0, 1, 100001)),
}


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_density_integrates_to_one(name):
    make, params, grid = CONTINUOUS[name]
    distribution = make(*[autograd.tensor(p) for p in params])
    density = np.exp(np.asarray(distribution.log_prob(autograd.tensor(grid[:, None])).data))
    np.testing.assert_allclose(_trapezoid(density, grid), 1.0, atol=2e-3 if name == "HalfCauchy" else 1e-5)


def test_cauchy_density_integrates_to_its_cdf_and_icdf_inverts_the_cdf():
    distribution = ours.Cauchy(autograd.tensor([0.5, -1.0]), autograd.tensor([1.5, 0.3]))
    grid = np.linspace(-60, 60, 400001)
    density = np.exp(np.asarray(distribution.log_prob(autograd.tensor(grid[:, None])).data))
    cdf = np.asarray(distribution.cdf(autograd.tensor(grid[:, None])).data)
    np.testing.assert_allclose(_trapezoid(density, grid), cdf[-1] - cdf[0], rtol=1e-6)
    u = np.linspace(0.01, 0.99, 9)[:, None]
    back = distribution.cdf(distribution.icdf(autograd.tensor(np.broadcast_to(u, (9, 2)))))
    np.testing.assert_allclose(np.asarray(back.data), np.broadcast_to(u, (9, 2)), rtol=1e-12)


@pytest.mark.parametrize("name", ["HalfCauchy", "ContinuousBernoulli"])
def test_cdf_is_the_integrated_density_and_icdf_inverts_it(name):
    make, params, grid = CONTINUOUS[name]
    if name == "ContinuousBernoulli":  # (inside lims torch's cdf is x itself, the uniform's, off by about 1e-4)
        params = [[0.1, 0.7]]
    distribution = make(*[autograd.tensor(p) for p in params])
    points = np.array([0.2, 0.5, 0.9])
    for x in points:
        inside = grid[grid <= x]
        density = np.exp(np.asarray(distribution.log_prob(autograd.tensor(inside[:, None])).data))
        np.testing.assert_allclose(
            np.asarray(distribution.cdf(autograd.tensor(x)).data), _trapezoid(density, inside), rtol=1e-6
        )
    u = autograd.tensor(np.broadcast_to(np.array([0.1, 0.4, 0.8])[:, None], (3, 2)).copy())
    np.testing.assert_allclose(np.asarray(distribution.cdf(distribution.icdf(u)).data), np.asarray(u.data), rtol=1e-10)


def test_negative_binomial_probabilities_sum_to_one_and_give_the_mean_and_variance():
    distribution = ours.NegativeBinomial(autograd.tensor([2.5, 0.7]), probs=autograd.tensor([0.6, 0.3]))
    k = np.arange(0, 400.0)[:, None]
    pmf = np.exp(np.asarray(distribution.log_prob(autograd.tensor(k)).data))
    np.testing.assert_allclose(pmf.sum(0), 1.0, rtol=1e-12)
    mean = (k * pmf).sum(0)
    np.testing.assert_allclose(mean, np.asarray(distribution.mean.data), rtol=1e-10)
    np.testing.assert_allclose(((k - mean) ** 2 * pmf).sum(0), np.asarray(distribution.variance.data), rtol=1e-10)


def _moments_agree(draws, mean, variance):
    """The draws' mean within 5 standard errors of ``mean``; their variance within 5 standard errors of
    ``variance`` (the standard error of a sample variance from the draws' fourth central moment)."""
    n = draws.shape[0]
    np.testing.assert_array_less(np.abs(draws.mean(0) - mean), 5 * np.sqrt(variance / n))
    fourth = ((draws - draws.mean(0)) ** 4).mean(0)
    np.testing.assert_array_less(np.abs(draws.var(0) - variance), 5 * np.sqrt((fourth - variance**2) / n))


@pytest.mark.parametrize(
    "make",
    [
        lambda: ours.StudentT(autograd.tensor([9.0, 12.0]), autograd.tensor([0.5, -1.0]), autograd.tensor([2.0, 0.3])),
        lambda: ours.Chi2(autograd.tensor([1.5, 6.0])),
        lambda: ours.FisherSnedecor(autograd.tensor([5.0, 9.0]), autograd.tensor([12.0, 15.0])),
        lambda: ours.ContinuousBernoulli(autograd.tensor([0.15, 0.5003])),
        lambda: ours.NegativeBinomial(autograd.tensor([3.0, 0.5]), logits=autograd.tensor([0.4, -1.0])),
        lambda: ours.MixtureSameFamily(
            ours.Categorical(autograd.tensor([0.2, 0.5, 0.3])),
            ours.Normal(autograd.tensor([-2.0, 0.0, 3.0]), autograd.tensor([0.5, 1.0, 2.0])),
        ),
    ],
)
def test_seeded_draws_have_the_mean_and_variance(make):
    distribution = make()
    autograd.manual_seed(11)
    draws = np.asarray(distribution.sample((200_000,)).data)
    _moments_agree(draws, np.asarray(distribution.mean.data), np.asarray(distribution.variance.data))


def test_von_mises_draws_have_the_circular_mean_and_variance():
    distribution = ours.VonMises(autograd.tensor([0.5, 3.0, -2.0]), autograd.tensor([0.3, 4.0, 200.0]))
    autograd.manual_seed(5)
    draws = np.asarray(distribution.sample((200_000,)).data)
    assert draws.min() >= -np.pi and draws.max() < np.pi
    resultant = np.exp(1j * draws).mean(0)
    np.testing.assert_allclose(1 - np.abs(resultant), np.asarray(distribution.variance.data), atol=5e-3)
    np.testing.assert_allclose(np.angle(resultant * np.exp(-1j * np.asarray(distribution.mean.data))), 0.0, atol=0.02)


@pytest.mark.filterwarnings("error")
def test_von_mises_draws_at_extreme_concentrations_end_without_warnings():
    """kappa 1e-10: no divide-by-zero warning from the proposal's unused branch; kappa 1e20: the proposal's r rounds
    to 1 and Best and Fisher's sampler never accepts (torch's hangs), so the draws are the wrapped normal's, numpy's
    for kappa > 1e6: loc + N(0, 1 / kappa)."""
    distribution = ours.VonMises(autograd.tensor([1.0, 1.0, -3.14159]), autograd.tensor([1e-10, 1e20, 1e8]))
    autograd.manual_seed(3)
    draws = np.asarray(distribution.sample((100_000,)).data)
    assert draws.min() >= -np.pi and draws.max() < np.pi
    assert abs(draws[:, 0].std() - np.pi / np.sqrt(3)) < 0.02  # uniform on the circle
    np.testing.assert_allclose(draws[:, 1].mean(), 1.0, atol=2e-12)  # (standard error 3e-13)
    np.testing.assert_allclose(draws[:, 1].std(), 1e-10, rtol=0.02)
    np.testing.assert_allclose(np.angle(np.exp(1j * (draws[:, 2] + 3.14159)).mean()), 0.0, atol=1e-6)
    np.testing.assert_allclose(np.abs(np.angle(np.exp(1j * (draws[:, 2] + 3.14159)))).std(), 0.6e-4, rtol=0.05)


def test_cauchy_and_half_cauchy_draws_have_their_quartiles():
    autograd.manual_seed(2)
    cauchy = ours.Cauchy(autograd.tensor(1.0), autograd.tensor(2.0))
    half = ours.HalfCauchy(autograd.tensor(2.0))
    n = 200_000
    for distribution in (cauchy, half):
        draws = np.asarray(distribution.rsample((n,)).data)
        for q in (0.25, 0.5, 0.75):
            empirical = (draws <= float(np.asarray(distribution.icdf(autograd.tensor(q)).data))).mean()
            assert abs(empirical - q) < 5 * np.sqrt(q * (1 - q) / n)


def test_low_rank_multivariate_normal_draws_have_its_covariance_and_density_matches_the_full_one():
    loc, factor, diag = (
        np.array([0.5, -1.0, 2.0]),
        np.array([[1.0, 0.2], [0.5, -0.3], [-0.7, 0.9]]),
        np.array([0.4, 1.0, 0.3]),
    )
    distribution = ours.LowRankMultivariateNormal(autograd.tensor(loc), autograd.tensor(factor), autograd.tensor(diag))
    covariance = factor @ factor.T + np.diag(diag)
    autograd.manual_seed(7)
    draws = np.asarray(distribution.rsample((200_000,)).data)
    np.testing.assert_allclose(np.cov(draws.T), covariance, atol=0.03)
    np.testing.assert_allclose(np.asarray(distribution.covariance_matrix.data), covariance, rtol=1e-14)
    np.testing.assert_allclose(np.asarray(distribution.precision_matrix.data), np.linalg.inv(covariance), rtol=1e-12)
    tril = np.asarray(distribution.scale_tril.data)
    np.testing.assert_allclose(tril @ tril.T, covariance, rtol=1e-12)
    x = np.random.default_rng(0).normal(size=(4, 3))
    diff = x - loc
    expected = -0.5 * (
        3 * np.log(2 * np.pi)
        + np.linalg.slogdet(covariance)[1]
        + np.einsum("ni,ij,nj->n", diff, np.linalg.inv(covariance), diff)
    )
    np.testing.assert_allclose(np.asarray(distribution.log_prob(autograd.tensor(x)).data), expected, rtol=1e-12)
    expected_entropy = 0.5 * (3 * (1 + np.log(2 * np.pi)) + np.linalg.slogdet(covariance)[1])
    np.testing.assert_allclose(float(distribution.entropy().data), expected_entropy, rtol=1e-12)


def _kl_by_quadrature(p, q, grid):
    log_p = np.asarray(p.log_prob(autograd.tensor(grid[:, None])).data)
    log_q = np.asarray(q.log_prob(autograd.tensor(grid[:, None])).data)
    return _trapezoid(np.exp(log_p) * (log_p - log_q), grid)


@pytest.mark.parametrize(
    "make_p,make_q,grid",
    [
        (
            lambda: ours.Cauchy(autograd.tensor([0.5, -1.0]), autograd.tensor([1.0, 0.4])),
            lambda: ours.Cauchy(autograd.tensor([0.0, 1.0]), autograd.tensor([2.0, 0.7])),
            "by p's quantiles",
        ),
        (
            lambda: ours.ContinuousBernoulli(autograd.tensor([0.2, 0.5001])),
            lambda: ours.ContinuousBernoulli(autograd.tensor([0.7, 0.1])),
            np.linspace(0, 1, 100001),
        ),
        (
            lambda: ours.ContinuousBernoulli(autograd.tensor([0.2, 0.8])),
            lambda: ours.Normal(autograd.tensor([0.0, 1.0]), autograd.tensor([1.0, 0.5])),
            np.linspace(0, 1, 100001),
        ),
        (  # Uniform(0, 1): the KL is finite (-H(p)); torch gives inf on that boundary
            lambda: ours.ContinuousBernoulli(autograd.tensor([0.2, 0.8])),
            lambda: ours.Uniform(autograd.tensor([0.0, -1.0]), autograd.tensor([1.0, 1.0])),
            np.linspace(1e-12, 1 - 1e-12, 100001),
        ),
        (
            lambda: ours.Uniform(autograd.tensor([0.0, 0.2]), autograd.tensor([0.5, 1.0])),
            lambda: ours.ContinuousBernoulli(autograd.tensor([0.3, 0.9])),
            None,
        ),
    ],
)
def test_kl_pairs_match_quadrature_of_the_log_density_ratio(make_p, make_q, grid):
    p, q = make_p(), make_q()
    kl = np.asarray(ours.kl_divergence(p, q).data)
    if isinstance(grid, str):  # heavy tails: E_p[log p - log q] as the mean over p's quantiles at midpoints of [0, 1]
        u = (np.arange(1_000_000)[:, None] + 0.5) / 1_000_000
        x = p.icdf(autograd.tensor(np.broadcast_to(u, (u.shape[0], 2)).copy()))
        ratio = np.asarray((p.log_prob(x) - q.log_prob(x)).data)
        np.testing.assert_allclose(kl, ratio.mean(0), rtol=1e-5)
        return
    if grid is None:  # a Uniform p: integrate over each entry's own interval
        low, high = np.asarray(p.low.data), np.asarray(p.high.data)
        expected = []
        for i in range(2):
            points = np.linspace(low[i], high[i], 100001)
            log_q = np.asarray(q.log_prob(autograd.tensor(points[:, None])).data)[:, i]
            expected.append(_trapezoid((-np.log(high[i] - low[i]) - log_q) / (high[i] - low[i]), points))
        np.testing.assert_allclose(kl, expected, rtol=1e-6)
        return
    np.testing.assert_allclose(kl, _kl_by_quadrature(p, q, grid), rtol=2e-4, atol=1e-7)


def test_low_rank_kl_matches_the_full_gaussian_formula():
    rng = np.random.default_rng(4)
    p = ours.LowRankMultivariateNormal(
        autograd.tensor(rng.normal(size=3)),
        autograd.tensor(rng.normal(size=(3, 2))),
        autograd.tensor(rng.uniform(0.5, 2, 3)),
    )
    q = ours.LowRankMultivariateNormal(
        autograd.tensor(rng.normal(size=3)),
        autograd.tensor(rng.normal(size=(3, 1))),
        autograd.tensor(rng.uniform(0.5, 2, 3)),
    )
    sp, sq = np.asarray(p.covariance_matrix.data), np.asarray(q.covariance_matrix.data)
    diff = np.asarray(q.loc.data) - np.asarray(p.loc.data)
    inverse = np.linalg.inv(sq)
    expected = 0.5 * (
        np.trace(inverse @ sp) + diff @ inverse @ diff - 3 + np.linalg.slogdet(sq)[1] - np.linalg.slogdet(sp)[1]
    )
    np.testing.assert_allclose(float(ours.kl_divergence(p, q).data), expected, rtol=1e-12)
    full_q = ours.MultivariateNormal(q.loc, covariance_matrix=autograd.tensor(sq))
    np.testing.assert_allclose(float(ours.kl_divergence(p, full_q).data), expected, rtol=1e-12)
    full_p = ours.MultivariateNormal(p.loc, covariance_matrix=autograd.tensor(sp))
    np.testing.assert_allclose(float(ours.kl_divergence(full_p, q).data), expected, rtol=1e-12)


# -- gradients in the parameters against central differences -----------------------------------------------------
X = autograd.tensor(np.array([[0.3, 1.7], [2.2, 0.6]]))
GRADIENT_CASES = {
    "Cauchy log_prob/cdf/entropy": (
        [[0.2, -0.5], [1.3, 0.6]],
        lambda loc, scale: (
            ours.Cauchy(loc, scale).log_prob(X) + ours.Cauchy(loc, scale).cdf(X) + ours.Cauchy(loc, scale).entropy()
        ),
    ),
    "HalfCauchy log_prob/cdf/icdf": (
        [[1.3, 0.6]],
        lambda scale: (
            ours.HalfCauchy(scale).log_prob(X)
            + ours.HalfCauchy(scale).cdf(X)
            + ours.HalfCauchy(scale).icdf(autograd.tensor(0.3))
        ),
    ),
    "StudentT log_prob/entropy/variance": (
        [[3.5, 6.0], [0.2, -0.5], [1.3, 0.6]],
        lambda df, loc, scale: (
            ours.StudentT(df, loc, scale).log_prob(X)
            + ours.StudentT(df, loc, scale).entropy()
            + ours.StudentT(df, loc, scale).variance
        ),
    ),
    "Chi2 log_prob/entropy": ([[3.5, 6.0]], lambda df: ours.Chi2(df).log_prob(X) + ours.Chi2(df).entropy()),
    "FisherSnedecor log_prob/mean/variance/mode": (
        [[3.5, 6.0], [5.5, 9.0]],
        lambda a, b: (
            ours.FisherSnedecor(a, b).log_prob(X) + ours.FisherSnedecor(a, b).variance + ours.FisherSnedecor(a, b).mode
        ),
    ),
    "VonMises log_prob/variance (both sides of kappa = 50)": (
        [[0.2, -0.5], [3.0, 70.0]],
        lambda loc, kappa: ours.VonMises(loc, kappa).log_prob(X) + ours.VonMises(loc, kappa).variance,
    ),
    "ContinuousBernoulli log_prob/cdf/entropy/mean/variance": (
        [[0.2, 0.7]],
        lambda p: (
            lambda d: (
                d.log_prob(X / 3) + d.cdf(X / 3) + d.entropy() + d.mean + d.variance + d.icdf(autograd.tensor(0.4))
            )
        )(ours.ContinuousBernoulli(p)),
    ),
    "NegativeBinomial log_prob/mean/variance": (
        [[2.5, 0.7], [0.3, -1.2]],
        lambda n, logits: (lambda d: d.log_prob(autograd.tensor([[0.0, 3.0], [2.0, 5.0]])) + d.mean + d.variance)(
            ours.NegativeBinomial(n, logits=logits)
        ),
    ),
    "MixtureSameFamily log_prob/cdf/mean/variance": (
        [[0.3, 1.0, -0.4], [-1.0, 0.5, 2.0], [0.7, 1.2, 0.5]],
        lambda logits, loc, scale: (lambda d: d.log_prob(X) + d.cdf(X) + d.mean + d.variance)(
            ours.MixtureSameFamily(ours.Categorical(logits=logits), ours.Normal(loc, scale))
        ),
    ),
    "LowRankMultivariateNormal log_prob/entropy": (
        [[0.5, -1.0, 2.0], [[1.0, 0.2], [0.5, -0.3], [-0.7, 0.9]], [0.4, 1.0, 0.3]],
        lambda loc, factor, diag: (
            lambda d: d.log_prob(autograd.tensor([[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]])).sum() + d.entropy()
        )(ours.LowRankMultivariateNormal(loc, factor, diag)),
    ),
    "KL Cauchy-Cauchy and ContinuousBernoulli-ContinuousBernoulli": (
        [[0.2, -0.5], [1.3, 0.6], [0.3, 0.8]],
        lambda loc, scale, p: (
            ours.kl_divergence(ours.Cauchy(loc, scale), ours.Cauchy(scale, loc * loc + 0.5))
            + ours.kl_divergence(ours.ContinuousBernoulli(p), ours.ContinuousBernoulli(1 - p * 0.9))
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_parameter_gradients_match_central_differences(case):
    params, function = GRADIENT_CASES[case]
    assert gradcheck(function, [_leaf(p) for p in params], eps=1e-6, atol=1e-7, rtol=1e-5)


def test_low_rank_kl_gradients_match_central_differences():
    rng = np.random.default_rng(8)
    arrays = [
        rng.normal(size=3),
        rng.normal(size=(3, 2)),
        rng.uniform(0.5, 2, 3),
        rng.normal(size=3),
        rng.normal(size=(3, 1)),
        rng.uniform(0.5, 2, 3),
    ]

    def kl(*leaves):
        return ours.kl_divergence(
            ours.LowRankMultivariateNormal(*leaves[:3]), ours.LowRankMultivariateNormal(*leaves[3:])
        )

    assert gradcheck(kl, [_leaf(a) for a in arrays], eps=1e-6, atol=1e-7, rtol=1e-5)


def test_one_hot_straight_through_draws_are_one_hot_with_the_probabilities_frequencies():
    probs = np.array([0.2, 0.5, 0.3])
    autograd.manual_seed(1)
    draws = np.asarray(ours.OneHotCategoricalStraightThrough(autograd.tensor(probs)).rsample((100_000,)).data)
    np.testing.assert_array_equal(draws.sum(-1), 1.0)
    np.testing.assert_array_less(np.abs(draws.mean(0) - probs), 5 * np.sqrt(probs * (1 - probs) / 100_000))
