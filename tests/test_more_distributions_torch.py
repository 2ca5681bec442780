"""Cauchy, HalfCauchy, StudentT, Chi2, FisherSnedecor, VonMises, ContinuousBernoulli, NegativeBinomial,
OneHotCategoricalStraightThrough, MixtureSameFamily and LowRankMultivariateNormal against torch.distributions
(float64): values of log_prob/cdf/icdf/entropy/moments, their gradients in every parameter, broadcast batch shapes,
the shapes of draws, torch's argument checks, and the KL pairs torch registers for them."""

from __future__ import annotations

import numpy as np
import pytest
from distribution_oracle import assert_cdf_and_icdf_meet_torch

import autograd
import autograd.distributions as ours

torch = pytest.importorskip("torch")
td = torch.distributions

RNG = np.random.default_rng(20240613)

# name -> (parameter arrays (broadcast against each other: shapes (3, 1) and (4,)), keyword names, values in the support)
CASES = {
    "Cauchy": ([RNG.normal(size=(3, 1)), RNG.uniform(0.5, 2.0, 4)], ("loc", "scale"), RNG.normal(0, 3, (3, 4))),
    "HalfCauchy": ([RNG.uniform(0.5, 2.0, (3, 4))], ("scale",), RNG.uniform(0.0, 5.0, (3, 4))),
    "StudentT": (
        [RNG.uniform(0.5, 6.0, (3, 1)), RNG.normal(size=4), RNG.uniform(0.5, 2.0, 4)],
        ("df", "loc", "scale"),
        RNG.normal(0, 3, (3, 4)),
    ),
    "Chi2": ([RNG.uniform(0.5, 6.0, (3, 4))], ("df",), RNG.uniform(0.1, 8.0, (3, 4))),
    "FisherSnedecor": (
        [RNG.uniform(0.5, 8.0, (3, 1)), RNG.uniform(0.5, 9.0, 4)],
        ("df1", "df2"),
        RNG.uniform(0.05, 5.0, (3, 4)),
    ),
    "VonMises": (
        [RNG.normal(size=(3, 1)), RNG.uniform(0.2, 8.0, 4)],
        ("loc", "concentration"),
        RNG.uniform(-3, 3, (3, 4)),
    ),
    "ContinuousBernoulli": (
        [np.array([[0.02, 0.3, 0.4995, 0.5], [0.5004, 0.51, 0.8, 0.99], [0.45, 0.55, 0.2, 0.6]])],
        ("probs",),
        RNG.uniform(0.0, 1.0, (3, 4)),
    ),
    "NegativeBinomial": (
        [RNG.uniform(0.5, 6.0, (3, 1)), RNG.uniform(0.05, 0.9, 4)],
        ("total_count", "probs"),
        RNG.integers(0, 9, (3, 4)).astype(float),
    ),
}
METHODS = {
    "Cauchy": ("log_prob", "cdf", "icdf", "entropy", "mode"),
    "HalfCauchy": ("log_prob", "cdf", "icdf", "entropy"),
    "StudentT": ("log_prob", "entropy", "mean", "variance", "mode"),
    "Chi2": ("log_prob", "cdf", "entropy", "mean", "variance", "mode"),
    "FisherSnedecor": ("log_prob", "mean", "variance", "mode"),
    "VonMises": ("log_prob", "mean", "variance"),
    "ContinuousBernoulli": ("log_prob", "cdf", "icdf", "entropy", "mean", "variance"),
    "NegativeBinomial": ("log_prob", "mean", "variance", "mode"),
}
# torch fits log I0 and I1 / I0 by polynomials to about 1e-7; here they are the library's Bessel functions
TOLERANCE = {"VonMises": 2e-7}
GRADIENT_TOLERANCE = {"VonMises": 5e-5}


def _grad(leaf):
    """A leaf's gradient as an array (zeros where none reached it), ours or torch's."""
    grad = leaf.grad
    if grad is None:
        return np.zeros(tuple(leaf.shape))
    return grad.numpy() if isinstance(grad, torch.Tensor) else np.asarray(grad)


def _leaves(arrays):
    return [autograd.tensor(a, requires_grad=True) for a in arrays], [
        torch.tensor(a, requires_grad=True) for a in arrays
    ]


def _evaluate(distribution, method, value, module):
    if method in ("log_prob", "cdf"):
        return getattr(distribution, method)(value)
    if method == "icdf":
        return distribution.icdf(module.tensor(np.linspace(0.05, 0.95, 12).reshape(3, 4)))
    if method == "entropy":
        return distribution.entropy()
    return getattr(distribution, method)


@pytest.mark.parametrize("name,method", [(n, m) for n, methods in METHODS.items() for m in methods])
def test_values_and_parameter_gradients_match_torch(name, method):
    arrays, keywords, value = CASES[name]
    mine, theirs = _leaves(arrays)
    ours_dist = getattr(ours, name)(**dict(zip(keywords, mine)))
    torch_dist = getattr(td, name)(**dict(zip(keywords, theirs)))
    out = _evaluate(ours_dist, method, autograd.tensor(value), autograd)
    expected = _evaluate(torch_dist, method, torch.tensor(value), torch)
    rtol = TOLERANCE.get(name, 1e-10)
    assert tuple(out.shape) == tuple(expected.shape) == (3, 4)
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=rtol, atol=1e-12)
    if not expected.requires_grad or method == "mode":
        return
    if (name, method) == ("Chi2", "cdf"):  # gammainc's derivative in its first argument is torch's missing one too
        with pytest.raises(NotImplementedError, match="gammainc"):
            out.sum().backward()
        return
    finite = np.isfinite(expected.detach().numpy())
    out.backward(autograd.tensor(finite.astype(float)))
    expected.backward(torch.tensor(finite.astype(float)))
    for leaf, their_leaf in zip(mine, theirs):
        their_grad, our_grad = _grad(their_leaf), _grad(leaf)
        # torch's FisherSnedecor variance puts nan in df2 and so passes nan to df1 even from the entries filled
        # with nan; here those entries pass no gradient: compare where torch's is a number, ours finite everywhere
        compared = np.isfinite(their_grad)
        assert np.isfinite(our_grad).all()
        np.testing.assert_allclose(our_grad[compared], their_grad[compared], rtol=GRADIENT_TOLERANCE.get(name, 1e-8))


@pytest.mark.parametrize("name", sorted(CASES))
def test_batch_shape_broadcasts_and_draws_have_the_extended_shape(name):
    arrays, keywords, _ = CASES[name]
    distribution = getattr(ours, name)(**dict(zip(keywords, map(autograd.tensor, arrays))))
    torch_dist = getattr(td, name)(**dict(zip(keywords, map(torch.tensor, arrays))))
    assert tuple(distribution.batch_shape) == tuple(torch_dist.batch_shape) == (3, 4)
    assert tuple(distribution.sample((5, 2)).shape) == (5, 2, 3, 4)
    assert distribution.has_rsample == torch_dist.has_rsample
    assert tuple(distribution.expand((2, 3, 4)).sample().shape) == (2, 3, 4)


def test_continuous_bernoulli_by_logits_matches_torch_with_gradients():
    logits = np.array([-4.0, -0.5, -0.001, 0.0, 0.003, 2.0])
    value = np.linspace(0.0, 1.0, 6)
    for method in ("log_prob", "cdf", "entropy", "mean", "variance"):
        mine, theirs = _leaves([logits])
        out = _evaluate(ours.ContinuousBernoulli(logits=mine[0]), method, autograd.tensor(value), autograd)
        expected = _evaluate(td.ContinuousBernoulli(logits=theirs[0]), method, torch.tensor(value), torch)
        np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(np.asarray(mine[0].grad), theirs[0].grad.numpy(), rtol=1e-9, atol=1e-12)


def test_negative_binomial_by_logits_matches_torch_and_zero_count_has_log_prob_of_zero_count():
    count, logits, k = np.array([0.0, 1.0, 4.5]), np.array([-1.0, 0.2, 1.3]), np.array([0.0, 3.0, 2.0])
    out = ours.NegativeBinomial(autograd.tensor(count), logits=autograd.tensor(logits)).log_prob(autograd.tensor(k))
    expected = td.NegativeBinomial(torch.tensor(count), logits=torch.tensor(logits)).log_prob(torch.tensor(k))
    np.testing.assert_allclose(np.asarray(out.data), expected.numpy(), rtol=1e-12)


def test_student_t_rsample_reaches_loc_and_scale_exactly_and_df_by_implicit_reparameterisation():
    df = autograd.tensor([9.0, 12.0], requires_grad=True)
    loc, scale = autograd.tensor([0.5, -1.0], requires_grad=True), autograd.tensor([2.0, 0.5], requires_grad=True)
    assert ours.StudentT(df, loc, scale).has_rsample and td.StudentT(1.0).has_rsample
    autograd.manual_seed(3)
    draws = ours.StudentT(df, loc, scale).rsample((4,))
    draws.sum().backward()
    np.testing.assert_allclose(loc.grad, [4.0, 4.0])
    np.testing.assert_allclose(scale.grad, ((np.asarray(draws.data) - [0.5, -1.0]) / [2.0, 0.5]).sum(0))
    # E[(x - loc)^2] = scale^2 df / (df - 2): the draws' average gradient in df is -2 scale^2 / (df - 2)^2
    df.grad = None
    autograd.manual_seed(4)
    draws = ours.StudentT(df, loc.detach(), scale.detach()).rsample((40_000,))
    ((draws - loc.detach()) ** 2).mean(0).sum().backward()
    np.testing.assert_allclose(df.grad, -2 * scale.data**2 / (df.data - 2) ** 2, rtol=0.08)


def test_fisher_snedecor_rsample_gradient_of_the_mean_of_many_draws_is_that_of_the_mean():
    """E[x] = df2 / (df2 - 2), whatever df1: the draws' average gradient is 0 in df1 and -2 / (df2 - 2)^2 in df2."""
    df1, df2 = autograd.tensor([3.0, 6.0], requires_grad=True), autograd.tensor([10.0, 14.0], requires_grad=True)
    assert ours.FisherSnedecor(df1, df2).has_rsample and td.FisherSnedecor(1.0, 1.0).has_rsample
    autograd.manual_seed(5)
    draws = ours.FisherSnedecor(df1, df2).rsample((40_000,))
    assert draws.shape == (40_000, 2) and (draws.data > 0).all()
    draws.mean(0).sum().backward()
    np.testing.assert_allclose(df1.grad, [0.0, 0.0], atol=0.003)
    np.testing.assert_allclose(df2.grad, -2 / (df2.data - 2) ** 2, rtol=0.05)


def test_one_hot_straight_through_rsample_passes_the_probabilities_gradient_as_torch():
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    weights = np.array([1.0, -2.0, 3.0])
    mine, theirs = _leaves([logits])
    draws = ours.OneHotCategoricalStraightThrough(logits=mine[0]).rsample((5,))
    (draws * autograd.tensor(weights)).sum().backward()
    their_draws = td.OneHotCategoricalStraightThrough(logits=theirs[0]).rsample((5,))
    (their_draws * torch.tensor(weights)).sum().backward()
    assert set(np.unique(np.asarray(draws.data))) <= {0.0, 1.0}
    np.testing.assert_allclose(np.asarray(draws.data).sum(-1), 1.0)
    np.testing.assert_allclose(mine[0].grad, theirs[0].grad.numpy(), rtol=1e-12)
    assert type(ours.OneHotCategoricalStraightThrough(logits=mine[0]).expand((3, 2))).__name__ == (
        "OneHotCategoricalStraightThrough"
    )


def _mixtures(module, leaves):
    weights, loc, scale = leaves
    return module.MixtureSameFamily(module.Categorical(probs=weights), module.Normal(loc, scale))


def test_mixture_same_family_matches_torch_with_gradients():
    arrays = [RNG.uniform(0.1, 1.0, (2, 3)), RNG.normal(size=(2, 3)), RNG.uniform(0.5, 2.0, (2, 3))]
    value = RNG.normal(0, 2, (4, 2))
    for method in ("log_prob", "cdf", "mean", "variance"):
        mine, theirs = _leaves(arrays)
        out = _evaluate(_mixtures(ours, mine), method, autograd.tensor(value), autograd)
        expected = _evaluate(_mixtures(td, theirs), method, torch.tensor(value), torch)
        np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-12, atol=1e-14)
        out.sum().backward()
        expected.sum().backward()
        for leaf, their_leaf in zip(mine, theirs):
            np.testing.assert_allclose(_grad(leaf), _grad(their_leaf), rtol=1e-10, atol=1e-13)
    mixture = _mixtures(ours, [autograd.tensor(a) for a in arrays])
    assert tuple(mixture.sample((7,)).shape) == (7, 2)
    assert tuple(mixture.expand((5, 2)).log_prob(autograd.tensor(value[:1])).shape) == (5, 2)


def test_mixture_of_multivariate_normals_matches_torch():
    weights, locs = np.array([0.2, 0.5, 0.3]), RNG.normal(size=(3, 2))
    tril = np.array([[1.0, 0.0], [0.4, 0.7]])
    value = RNG.normal(size=(5, 2))
    mine = ours.MixtureSameFamily(
        ours.Categorical(autograd.tensor(weights)),
        ours.MultivariateNormal(autograd.tensor(locs), scale_tril=autograd.tensor(tril)),
    )
    theirs = td.MixtureSameFamily(
        td.Categorical(torch.tensor(weights)), td.MultivariateNormal(torch.tensor(locs), scale_tril=torch.tensor(tril))
    )
    np.testing.assert_allclose(
        np.asarray(mine.log_prob(autograd.tensor(value)).data), theirs.log_prob(torch.tensor(value))
    )
    np.testing.assert_allclose(np.asarray(mine.mean.data), theirs.mean.numpy())
    np.testing.assert_allclose(np.asarray(mine.variance.data), theirs.variance.numpy())
    assert tuple(mine.sample((4,)).shape) == (4, 2)


def _low_rank(module, leaves):
    return module.LowRankMultivariateNormal(*leaves)


LOW_RANK = [RNG.normal(size=(2, 1, 4)), RNG.normal(size=(3, 4, 2)), RNG.uniform(0.5, 2.0, 4)]


@pytest.mark.parametrize(
    "method", ["log_prob", "entropy", "variance", "scale_tril", "covariance_matrix", "precision_matrix"]
)
def test_low_rank_multivariate_normal_matches_torch_with_gradients(method):
    value = RNG.normal(size=(5, 2, 3, 4))
    mine, theirs = _leaves(LOW_RANK)
    out = _evaluate(_low_rank(ours, mine), method, autograd.tensor(value), autograd)
    expected = _evaluate(_low_rank(td, theirs), method, torch.tensor(value), torch)
    assert tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-11, atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    for leaf, their_leaf in zip(mine, theirs):
        their_grad = their_leaf.grad.numpy() if their_leaf.grad is not None else 0.0
        our_grad = np.asarray(leaf.grad) if leaf.grad is not None else 0.0
        np.testing.assert_allclose(our_grad, their_grad, rtol=1e-9, atol=1e-11)


def test_low_rank_multivariate_normal_shapes_and_argument_errors():
    distribution = _low_rank(ours, [autograd.tensor(a) for a in LOW_RANK])
    assert tuple(distribution.batch_shape) == (2, 3) and tuple(distribution.event_shape) == (4,)
    assert tuple(distribution.rsample((7,)).shape) == (7, 2, 3, 4)
    assert tuple(distribution.expand((5, 2, 3)).entropy().shape) == (5, 2, 3)
    with pytest.raises(ValueError, match="cov_factor must be a batch of matrices"):
        ours.LowRankMultivariateNormal(autograd.zeros(3), autograd.ones(4, 1), autograd.ones(3))
    with pytest.raises(ValueError, match="cov_diag"):
        ours.LowRankMultivariateNormal(autograd.zeros(3), autograd.ones(3, 1), -autograd.ones(3))


@pytest.mark.parametrize(
    "name,keywords",
    [
        ("Cauchy", {"loc": 0.0, "scale": -1.0}),
        ("HalfCauchy", {"scale": 0.0}),
        ("StudentT", {"df": -1.0}),
        ("Chi2", {"df": 0.0}),
        ("FisherSnedecor", {"df1": 1.0, "df2": -2.0}),
        ("VonMises", {"loc": 0.0, "concentration": -1.0}),
        ("NegativeBinomial", {"total_count": -1.0, "probs": 0.5}),
        ("NegativeBinomial", {"total_count": 2.0, "probs": 1.0}),
    ],
)
def test_invalid_parameters_raise_value_error_as_torch(name, keywords):
    with pytest.raises(ValueError):
        getattr(td, name)(**{k: torch.tensor(v) for k, v in keywords.items()}, validate_args=True)
    with pytest.raises(ValueError, match="Expected parameter"):
        getattr(ours, name)(**{k: autograd.tensor(v) for k, v in keywords.items()})


@pytest.mark.parametrize(
    "name,keywords,value",
    [
        ("HalfCauchy", {"scale": 1.0}, -0.5),
        ("Chi2", {"df": 2.0}, -1.0),
        ("FisherSnedecor", {"df1": 2.0, "df2": 3.0}, 0.0),
        ("ContinuousBernoulli", {"probs": 0.3}, 1.5),
        ("NegativeBinomial", {"total_count": 2.0, "probs": 0.3}, 1.5),
    ],
)
def test_values_outside_the_support_raise_value_error_as_torch(name, keywords, value):
    with pytest.raises(ValueError):
        # (validate_args named: torch's default can be switched off by code run before)
        getattr(td, name)(**{k: torch.tensor(v) for k, v in keywords.items()}, validate_args=True).log_prob(
            torch.tensor(value)
        )
    with pytest.raises(ValueError, match="support"):
        getattr(ours, name)(**{k: autograd.tensor(v) for k, v in keywords.items()}).log_prob(autograd.tensor(value))


def test_mixture_arguments_are_checked_as_torch():
    with pytest.raises(ValueError, match="Categorical"):
        ours.MixtureSameFamily(ours.Normal(0.0, 1.0), ours.Normal(autograd.zeros(2), autograd.ones(2)))
    with pytest.raises(ValueError, match="does not equal"):
        ours.MixtureSameFamily(ours.Categorical(autograd.ones(3)), ours.Normal(autograd.zeros(2), autograd.ones(2)))


# -- KL pairs ----------------------------------------------------------------------------------------------------
KL_PAIRS = {
    ("Cauchy", "Cauchy"): (
        [RNG.normal(size=(3, 1)), RNG.uniform(0.5, 2.0, 4)],
        [RNG.normal(size=4), RNG.uniform(0.5, 2, 4)],
    ),
    # torch's HalfCauchy is a TransformedDistribution, whose KL is its base Cauchys'; here it is written directly
    ("HalfCauchy", "HalfCauchy"): ([RNG.uniform(0.5, 2.0, (3, 1))], [RNG.uniform(0.5, 2, 4)]),
    ("ContinuousBernoulli", "ContinuousBernoulli"): ([RNG.uniform(0.05, 0.95, (3, 1))], [RNG.uniform(0.05, 0.95, 4)]),
    ("Beta", "ContinuousBernoulli"): (
        [RNG.uniform(0.5, 3, (3, 1)), RNG.uniform(0.5, 3, 4)],
        [RNG.uniform(0.05, 0.95, 4)],
    ),
    ("ContinuousBernoulli", "Exponential"): ([RNG.uniform(0.05, 0.95, (3, 1))], [RNG.uniform(0.3, 3, 4)]),
    ("ContinuousBernoulli", "Normal"): (
        [RNG.uniform(0.05, 0.95, (3, 1))],
        [RNG.normal(size=4), RNG.uniform(0.3, 3, 4)],
    ),
    ("ContinuousBernoulli", "Uniform"): (
        [RNG.uniform(0.05, 0.95, (3, 1))],
        [np.array([-0.5, 0.2, -1.0, -0.1]), np.array([1.5, 2.0, 0.8, 1.1])],
    ),
    ("Uniform", "ContinuousBernoulli"): (
        [np.array([[0.1], [-0.2], [0.3]]), np.array([[0.6], [0.5], [1.4]])],
        [RNG.uniform(0.05, 0.95, 4)],
    ),
}


@pytest.mark.parametrize("pair", sorted(KL_PAIRS))
def test_kl_pairs_match_torch_with_gradients(pair):
    p_arrays, q_arrays = KL_PAIRS[pair]
    mine_p, theirs_p = _leaves(p_arrays)
    mine_q, theirs_q = _leaves(q_arrays)
    out = ours.kl_divergence(getattr(ours, pair[0])(*mine_p), getattr(ours, pair[1])(*mine_q))
    expected = td.kl_divergence(getattr(td, pair[0])(*theirs_p), getattr(td, pair[1])(*theirs_q))
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-10)
    finite = np.isfinite(expected.detach().numpy()).astype(float)
    out.backward(autograd.tensor(finite))
    expected.backward(torch.tensor(finite))
    for leaf, their_leaf in zip(mine_p + mine_q, theirs_p + theirs_q):
        np.testing.assert_allclose(_grad(leaf), _grad(their_leaf), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("p_name", ["Normal", "Laplace", "Exponential", "Gamma"])
def test_kl_against_continuous_bernoulli_is_infinite_where_p_leaves_the_unit_interval(p_name):
    p_arrays = [np.array([0.5, 1.5])] if p_name == "Exponential" else [np.array([0.5, 1.5]), np.array([1.0, 2.0])]
    q = np.array([0.3, 0.6])
    out = ours.kl_divergence(
        getattr(ours, p_name)(*map(autograd.tensor, p_arrays)), ours.ContinuousBernoulli(autograd.tensor(q))
    )
    expected = td.kl_divergence(
        getattr(td, p_name)(*map(torch.tensor, p_arrays)), td.ContinuousBernoulli(torch.tensor(q))
    )
    np.testing.assert_array_equal(np.asarray(out.data), expected.numpy())


LOW_RANK_Q = [RNG.normal(size=4), RNG.normal(size=(2, 1, 4, 1)), RNG.uniform(0.5, 2.0, (3, 4))]
FULL = RNG.normal(size=(4, 4))
FULL = [RNG.normal(size=(3, 4)), FULL @ FULL.T + np.eye(4)]


def _gaussian(module, kind, leaves):
    if kind == "full":
        return module.MultivariateNormal(leaves[0], covariance_matrix=leaves[1])
    return module.LowRankMultivariateNormal(*leaves)


@pytest.mark.parametrize(
    "p_kind,q_kind", [("low", "low_q"), ("low_q", "low"), ("full", "low"), ("low", "full"), ("low_q", "full")]
)
def test_kl_between_low_rank_and_full_gaussians_matches_torch_with_gradients(p_kind, q_kind):
    arrays = {"low": LOW_RANK, "low_q": LOW_RANK_Q, "full": FULL}
    mine_p, theirs_p = _leaves(arrays[p_kind])
    mine_q, theirs_q = _leaves(arrays[q_kind])
    out = ours.kl_divergence(_gaussian(ours, p_kind, mine_p), _gaussian(ours, q_kind, mine_q))
    given_p = theirs_p
    if (p_kind, q_kind) == ("low_q", "full"):  # torch's own fails to broadcast p's batch (2, 1) with q's (3,) here
        given_p = [leaf.expand((2, 3) + tuple(leaf.shape[-2 if leaf.ndim == 4 else -1 :])) for leaf in theirs_p]
        given_p[1] = theirs_p[1].expand(2, 3, 4, 1)
    expected = td.kl_divergence(_gaussian(td, p_kind, given_p), _gaussian(td, q_kind, theirs_q))
    assert tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-10)
    out.sum().backward()
    expected.sum().backward()
    for leaf, their_leaf in zip(mine_p + mine_q, theirs_p + theirs_q):
        np.testing.assert_allclose(_grad(leaf), _grad(their_leaf), rtol=1e-8, atol=1e-10)


def test_chi2_takes_gammas_kl_pairs_as_torch():
    out = ours.kl_divergence(
        ours.Chi2(autograd.tensor([2.0, 5.0])), ours.Gamma(autograd.tensor(1.5), autograd.tensor(0.7))
    )
    expected = td.kl_divergence(
        td.Chi2(torch.tensor([2.0, 5.0], dtype=torch.float64)),
        td.Gamma(torch.tensor(1.5, dtype=torch.float64), torch.tensor(0.7, dtype=torch.float64)),
    )
    np.testing.assert_allclose(np.asarray(out.data), expected.numpy(), rtol=1e-12)


def test_new_distributions_import_by_torch_submodule_names():
    from autograd.distributions.cauchy import Cauchy
    from autograd.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
    from autograd.distributions.studentT import StudentT

    assert (Cauchy, StudentT, LowRankMultivariateNormal) == (ours.Cauchy, ours.StudentT, ours.LowRankMultivariateNormal)
    assert issubclass(ours.Chi2, ours.Gamma) and issubclass(ours.ContinuousBernoulli, ours.ExponentialFamily)


def test_exponential_family_bregman_kl_matches_torch_and_refuses_different_families():
    from torch.distributions.kl import _kl_expfamily_expfamily

    from autograd.kl_more_pairs import _kl_exponential_family

    p, q = np.array([0.2, 0.7, 0.5003]), np.array([0.6, 0.1, 0.3])
    out = _kl_exponential_family(
        ours.ContinuousBernoulli(autograd.tensor(p)), ours.ContinuousBernoulli(autograd.tensor(q))
    )
    expected = _kl_expfamily_expfamily(td.ContinuousBernoulli(torch.tensor(p)), td.ContinuousBernoulli(torch.tensor(q)))
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-10)

    class Other(ours.ExponentialFamily):
        pass

    with pytest.raises(NotImplementedError, match="different exponential families"):
        _kl_exponential_family(ours.ContinuousBernoulli(autograd.tensor(p)), object.__new__(Other))


def test_mixture_support_checks_a_value_against_every_components_support_as_torchs():
    """torch's MixtureSameFamilyConstraint: the value gets the components' axis back before the components'
    support checks it, so supports set by batched parameters (Uniform's bounds) broadcast, and a value is in the
    support where every component's support holds it."""
    low, high = np.zeros((3, 2)), np.array([[1.0, 2.0]] * 3)
    value = np.array([[0.5, 0.2, 0.7], [0.1, 0.9, 0.3]])
    mine = ours.MixtureSameFamily(
        ours.Categorical(autograd.ones(1, 2)), ours.Uniform(*map(autograd.tensor, (low, high)))
    )
    theirs = td.MixtureSameFamily(td.Categorical(torch.ones(1, 2)), td.Uniform(*map(torch.tensor, (low, high))))
    np.testing.assert_allclose(
        np.asarray(mine.log_prob(autograd.tensor(value)).data), theirs.log_prob(torch.tensor(value)).numpy()
    )
    assert isinstance(mine.support, ours.constraints.MixtureSameFamilyConstraint)
    assert repr(mine.support) == "MixtureSameFamilyConstraint(Interval(lower_bound=[[0. 0.]\n [0. 0.]\n [0. 0.]], " + (
        "upper_bound=[[1. 2.]\n [1. 2.]\n [1. 2.]]))"
    )
    outside = np.array([0.5, 1.5, 3.0])  # 1.5 is in the second component's support only
    expected = theirs.support.check(torch.tensor(outside)).numpy()
    np.testing.assert_array_equal(mine.support.check(outside), expected)
    assert (mine.support.event_dim, mine.support.is_discrete) == (0, False)
    with pytest.raises(ValueError, match="MixtureSameFamilyConstraint"):
        mine.log_prob(autograd.tensor(outside))


@pytest.mark.parametrize("name", ["MultivariateNormal", "Wishart"])
@pytest.mark.parametrize("condition", [1e4, 1e12])
def test_a_precision_matrix_is_factored_without_inverting_it_as_torchs(name, condition):
    """L with L L^T = P^-1 from the Cholesky factor of P with its axes reversed (torch's _precision_to_scale_tril),
    not cholesky(inv(P)), whose error grows with P's condition number (1e-3 relative in log_prob at 1e12). The
    gradient, which holds P^-1 itself, is compared where that inverse keeps its digits."""
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))
    precision = q @ np.diag(np.geomspace(1.0, condition, 4)) @ q.T
    mine = autograd.tensor(precision, requires_grad=True)
    theirs = torch.tensor(precision, requires_grad=True)
    if name == "MultivariateNormal":
        value = np.random.default_rng(1).normal(size=(3, 4))
        out = ours.MultivariateNormal(autograd.zeros(4), precision_matrix=mine).log_prob(autograd.tensor(value))
        expected = td.MultivariateNormal(torch.zeros(4, dtype=torch.float64), precision_matrix=theirs).log_prob(
            torch.tensor(value)
        )
    else:
        value = np.linalg.inv(precision) * 5 + np.eye(4)
        out = ours.Wishart(autograd.tensor(6.0), precision_matrix=mine).log_prob(autograd.tensor(value))
        expected = td.Wishart(torch.tensor(6.0, dtype=torch.float64), precision_matrix=theirs).log_prob(
            torch.tensor(value)
        )
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-10)
    if condition < 1e6:
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(np.asarray(mine.grad), theirs.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_cauchy_cdf_and_icdf_keep_the_left_tail():
    """cdf atan(-1 / z) / pi below loc (torch's atan(z) / pi + 1/2 cancels to 0 below z = -1e16) and icdf
    loc - scale / tan(pi p) below the median (torch's tan(pi (p - 1/2)) is -1.6e16 for any p below 1e-17);
    elsewhere torch's values and gradients."""
    loc, scale = 0.5, 2.0
    cauchy = ours.Cauchy(autograd.tensor(loc), autograd.tensor(scale))
    z = np.array([-1e300, -1e20, -3.0, 0.0, 2.0, 1e20])
    expected = np.where(z < 0, np.arctan(-1 / np.where(z < 0, z, -1.0)) / np.pi, np.arctan(z) / np.pi + 0.5)
    np.testing.assert_allclose(np.asarray(cauchy.cdf(autograd.tensor(loc + scale * z)).data), expected, rtol=1e-14)
    p = np.array([1e-300, 1e-20, 0.3, 0.5, 0.9])
    expected = np.where(p < 0.5, loc - scale / np.tan(np.pi * p), loc + scale * np.tan(np.pi * (p - 0.5)))
    np.testing.assert_allclose(np.asarray(cauchy.icdf(autograd.tensor(p)).data), expected, rtol=1e-13)
    assert_cdf_and_icdf_meet_torch(
        ours.Cauchy, td.Cauchy, (loc, scale), np.array([-1.0, 2.7]), np.array([0.1, 0.8]), torch
    )


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("Bernoulli", (0.3,), {}),
        ("Bernoulli", (), {"logits": -1}),
        ("Geometric", (0.3,), {}),
        ("Binomial", (10, 0.2), {}),
        ("Binomial", (10,), {"logits": 0.5}),
        ("NegativeBinomial", (5, 0.3), {}),
    ],
)
def test_probabilities_given_as_numbers_take_the_default_dtype_as_torchs(name, args, kwargs) -> None:
    """Under a float32 default, Binomial(10, 0.2) (d2l's appendix), Bernoulli(0.3), Geometric, NegativeBinomial:
    a probability or logit given as a Python number is of the default dtype, and so are the draws and log_prob
    (they were float64, spreading into float32 models)."""
    previous, previous_torch = autograd.get_default_dtype(), torch.get_default_dtype()
    autograd.set_default_dtype(autograd.float32)
    torch.set_default_dtype(torch.float32)
    try:
        mine, theirs = getattr(ours, name)(*args, **kwargs), getattr(td, name)(*args, **kwargs)
        for got, expected in [
            (mine.probs, theirs.probs),
            (mine.sample((2,)), theirs.sample((2,))),
            (mine.log_prob(autograd.tensor([1.0])), theirs.log_prob(torch.tensor([1.0]))),
        ]:
            assert str(got.dtype) == str(expected.dtype).removeprefix("torch.") == "float32"
    finally:
        autograd.set_default_dtype(previous)
        torch.set_default_dtype(previous_torch)


def test_a_number_probability_beside_a_float32_total_count_is_float32_as_torchs() -> None:
    """torch's broadcast_all gives numbers the dtype of the first floating tensor among the parameters: Binomial and
    NegativeBinomial of a float32 total_count and a number probability are float32 under a float64 default."""
    count = np.float32(10.0)
    cases = [
        (ours.Binomial(autograd.tensor(count), 0.2).probs, td.Binomial(torch.tensor(count), 0.2).probs),
        (
            ours.NegativeBinomial(autograd.tensor(count), logits=0.2).logits,
            td.NegativeBinomial(torch.tensor(count), logits=0.2).logits,
        ),
    ]
    for got, expected in cases:
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch.") == "float32"
