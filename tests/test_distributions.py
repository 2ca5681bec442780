"""autograd.distributions against torch.distributions (float64): densities, entropies, moments, KL divergences
and their gradients, the shapes and frequencies of draws, and torch's argument checks.

The tests of draws' moments and shapes and of the argument checks run without torch; those comparing with torch
take the ``torch``/``td`` fixtures and are skipped when it is not installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd.distributions import (
    Bernoulli,
    Beta,
    Categorical,
    Dirichlet,
    Distribution,
    Exponential,
    Gamma,
    Independent,
    Laplace,
    MultivariateNormal,
    Normal,
    Uniform,
    kl_divergence,
    register_kl,
)


def _pair(values):
    """The same float64 values as a leaf of ours and a leaf of torch's, both requiring grad."""
    import torch

    array = np.asarray(values, dtype=np.float64)
    return autograd.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def _same(ours, theirs, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(ours.data), theirs.detach().numpy(), rtol=rtol, atol=1e-14)


def _same_gradients(ours_out, theirs_out, ours_leaves, theirs_leaves, rtol=1e-10):
    ours_out.sum().backward()
    theirs_out.sum().backward()
    for mine, their in zip(ours_leaves, theirs_leaves):
        np.testing.assert_allclose(mine.grad, their.grad.numpy(), rtol=rtol, atol=1e-14)


# -- Normal -----------------------------------------------------------------------------------------------
def test_normal_log_prob_cdf_and_entropy_and_their_gradients_match_torch(torch, td):
    (loc, t_loc), (scale, t_scale) = _pair([0.0, 1.5, -2.0]), _pair([1.0, 0.3, 4.0])
    x = np.array([0.7, 1.2, -9.0])
    ours, theirs = Normal(loc, scale), td.Normal(t_loc, t_scale)
    for name in ("log_prob", "cdf"):
        _same(getattr(ours, name)(autograd.tensor(x)), getattr(theirs, name)(torch.tensor(x)))
    _same(ours.entropy(), theirs.entropy())
    _same(ours.mean, theirs.mean), _same(ours.stddev, theirs.stddev), _same(ours.variance, theirs.variance)
    _same(
        ours.icdf(autograd.tensor([0.1, 0.5, 0.975])), theirs.icdf(torch.tensor([0.1, 0.5, 0.975], dtype=torch.float64))
    )
    total = ours.log_prob(autograd.tensor(x)) + ours.entropy() + ours.cdf(autograd.tensor(x))
    their_total = theirs.log_prob(torch.tensor(x)) + theirs.entropy() + theirs.cdf(torch.tensor(x))
    _same_gradients(total, their_total, [loc, scale], [t_loc, t_scale])


def test_normal_rsample_is_loc_plus_scale_times_a_standard_draw_so_gradients_reach_both():
    loc, scale = autograd.tensor([1.0, -1.0], requires_grad=True), autograd.tensor([2.0, 0.5], requires_grad=True)
    autograd.manual_seed(0)
    x = Normal(loc, scale).rsample((3,))
    assert x.shape == (3, 2)
    x.sum().backward()
    eps = (x.data - loc.data) / scale.data  # the standard draws behind x
    np.testing.assert_allclose(loc.grad, [3.0, 3.0])
    np.testing.assert_allclose(scale.grad, eps.sum(axis=0))


def test_normal_samples_have_the_given_mean_and_spread_and_no_graph():
    autograd.manual_seed(1)
    loc, scale = autograd.tensor(2.0, requires_grad=True), 0.5
    samples = Normal(loc, scale).sample((40_000,))
    assert samples.shape == (40_000,) and not samples.requires_grad
    assert abs(float(samples.data.mean()) - 2.0) < 5 * 0.5 / math.sqrt(40_000)
    assert abs(float(samples.data.std()) - 0.5) < 0.01


def test_normal_refuses_a_scale_that_is_not_positive_unless_validation_is_off():
    with pytest.raises(ValueError, match=r"Expected parameter scale .* GreaterThan\(lower_bound=0\.0\)"):
        Normal(0.0, autograd.tensor([1.0, 0.0]))
    unchecked = Normal(0.0, -1.0, validate_args=False).log_prob(autograd.tensor(0.5))
    assert np.isnan(unchecked.item())  # log of a negative scale


def test_torch_also_refuses_a_scale_that_is_not_positive_unless_validation_is_off(torch, td):
    with pytest.raises(ValueError):
        td.Normal(0.0, torch.tensor([1.0, 0.0]))
    their_unchecked = td.Normal(0.0, -1.0, validate_args=False).log_prob(torch.tensor(0.5, dtype=torch.float64))
    assert np.isnan(their_unchecked.item())


def test_normal_parameters_broadcast_to_the_batch_shape():
    ours = Normal(autograd.zeros(3, 1), autograd.ones(4))
    assert ours.batch_shape == (3, 4)
    assert ours.event_shape == ()
    assert ours.sample((2,)).shape == (2, 3, 4)


def test_normal_batch_shape_of_broadcast_parameters_is_torchs(torch, td):
    ours = Normal(autograd.zeros(3, 1), autograd.ones(4))
    assert ours.batch_shape == tuple(td.Normal(torch.zeros(3, 1), torch.ones(4)).batch_shape)


# -- Categorical ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["probs", "logits"])
def test_categorical_log_prob_entropy_and_gradients_match_torch(torch, td, form):
    values = [[0.2, 0.5, 0.3], [1.0, 1.0, 2.0]] if form == "probs" else [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]
    param, t_param = _pair(values)
    ours, theirs = Categorical(**{form: param}), td.Categorical(**{form: t_param})
    k = np.array([[2, 0], [1, 1], [0, 2]])
    _same(ours.probs, theirs.probs), _same(ours.logits, theirs.logits)
    total = ours.log_prob(autograd.tensor(k)) + ours.entropy()
    their_total = theirs.log_prob(torch.tensor(k)) + theirs.entropy()
    _same(total, their_total)
    _same_gradients(total, their_total, [param], [t_param])
    assert ours.mode.data.tolist() == theirs.mode.tolist()
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2,)


def test_categorical_entropy_of_a_zero_probability_class_is_finite_as_torch(torch, td):
    param, t_param = _pair([0.5, 0.5, 0.0])
    ours, theirs = Categorical(probs=param), td.Categorical(probs=t_param)
    _same(ours.entropy(), theirs.entropy())
    logits, t_logits = _pair([0.0, -math.inf, 1.0])
    _same(Categorical(logits=logits).entropy(), td.Categorical(logits=t_logits).entropy())


def test_categorical_samples_are_int64_class_indices_drawn_with_the_given_frequencies():
    autograd.manual_seed(2)
    probs = np.array([[0.1, 0.6, 0.3], [0.8, 0.1, 0.1]])
    draws = Categorical(probs=autograd.tensor(probs)).sample((20_000,))
    assert draws.shape == (20_000, 2) and draws.dtype == np.int64
    for row in range(2):
        frequencies = np.bincount(draws.data[:, row], minlength=3) / 20_000
        np.testing.assert_allclose(frequencies, probs[row], atol=0.015)
    assert Categorical(logits=autograd.zeros(4)).sample().shape == ()


def test_categorical_checks_its_arguments_and_values():
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both"):
        Categorical()
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        Categorical(probs=autograd.ones(2), logits=autograd.ones(2))
    with pytest.raises(ValueError, match=r"Expected parameter probs .* Simplex\(\)"):
        Categorical(probs=autograd.tensor([0.5, -0.1, 0.6]))
    with pytest.raises(ValueError, match=r"within the support \(IntegerInterval\(lower_bound=0, upper_bound=2\)\)"):
        Categorical(logits=autograd.zeros(3)).log_prob(autograd.tensor(3))


def test_torch_also_refuses_a_categorical_value_outside_the_support(torch, td):
    with pytest.raises(ValueError):
        td.Categorical(logits=torch.zeros(3)).log_prob(torch.tensor(3))


def test_categorical_enumerate_support_and_nan_moments_are_torchs(torch, td):
    ours, theirs = Categorical(logits=autograd.zeros(2, 3)), td.Categorical(logits=torch.zeros(2, 3))
    assert ours.enumerate_support().data.tolist() == theirs.enumerate_support().tolist()
    assert ours.enumerate_support(expand=False).shape == tuple(theirs.enumerate_support(expand=False).shape)
    assert np.isnan(ours.mean.data).all() and ours.mean.shape == tuple(theirs.mean.shape)


def test_reinforce_loss_gives_torchs_gradient_to_the_policy_logits(torch, td):
    # the score-function estimator of the policy-gradient tutorials: -(log pi(a) * return).sum()
    logits, t_logits = _pair([[0.3, -1.2, 2.0], [0.0, 0.5, -0.5]])
    actions, returns = np.array([2, 0]), np.array([1.5, -0.7])
    loss = -(Categorical(logits=logits).log_prob(autograd.tensor(actions)) * autograd.tensor(returns)).sum()
    their_loss = -(td.Categorical(logits=t_logits).log_prob(torch.tensor(actions)) * torch.tensor(returns)).sum()
    _same(loss, their_loss)
    _same_gradients(loss, their_loss, [logits], [t_logits])


@pytest.mark.parametrize(
    ("name", "param"), [("Categorical", [[1.0, 0.5, -2.0], [0.0, 2.0, 1.0]]), ("Bernoulli", [1.0, 0.5, -2.0])]
)
def test_a_draw_before_entropy_and_mean_leaves_their_gradients_to_the_logits_as_torchs(torch, td, name, param):
    # sample reads the probabilities under no_grad; they must not be kept cut from the graph (torch's
    # lazy_property makes them with gradients enabled)
    logits, t_logits = _pair(param)
    ours, theirs = getattr(autograd.distributions, name)(logits=logits), getattr(td, name)(logits=t_logits)
    ours.sample((3,)), theirs.sample((3,))
    total, their_total = ours.entropy(), theirs.entropy()
    if name == "Bernoulli":
        total, their_total = total + ours.mean, their_total + theirs.mean
    _same(total, their_total)
    _same_gradients(total, their_total, [logits], [t_logits])
    assert np.abs(logits.grad).sum() > 0


def test_covariance_read_first_under_no_grad_still_reaches_scale_tril():
    tril = autograd.tensor([[1.0, 0.0], [0.5, 2.0]], requires_grad=True)
    mvn = MultivariateNormal(autograd.zeros(2), scale_tril=tril)
    with autograd.no_grad():
        mvn.covariance_matrix  # noqa: B018 (the first read, kept)
    mvn.covariance_matrix.sum().backward()
    # d/dL sum(L L^T) = (1 1^T) L + (1 1^T)^T L = 2 * column sums of L broadcast over rows
    np.testing.assert_allclose(tril.grad, 2 * np.ones((2, 2)) @ tril.data)


# -- Bernoulli --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("form", "values"), [("probs", [0.0, 0.2, 0.5, 1.0]), ("logits", [-40.0, -1.0, 0.0, 3.0])])
def test_bernoulli_log_prob_entropy_moments_and_gradients_match_torch(torch, td, form, values):
    param, t_param = _pair(values)
    ours, theirs = Bernoulli(**{form: param}), td.Bernoulli(**{form: t_param})
    y = np.array([1.0, 0.0, 1.0, 1.0])
    total = ours.log_prob(autograd.tensor(y)) + ours.entropy()
    their_total = theirs.log_prob(torch.tensor(y)) + theirs.entropy()
    _same(total, their_total, rtol=1e-9)
    _same(ours.mean, theirs.mean), _same(ours.variance, theirs.variance)
    np.testing.assert_array_equal(ours.mode.data, theirs.mode.numpy())
    _same_gradients(total, their_total, [param], [t_param], rtol=1e-8)


def test_bernoulli_draws_zeros_and_ones_with_the_given_frequency():
    autograd.manual_seed(3)
    draws = Bernoulli(probs=autograd.tensor([0.1, 0.9])).sample((20_000,))
    assert draws.shape == (20_000, 2) and draws.dtype == np.float64
    assert set(np.unique(draws.data)) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.data.mean(axis=0), [0.1, 0.9], atol=0.015)
    with pytest.raises(ValueError, match=r"within the support \(Boolean\(\)\)"):
        Bernoulli(probs=0.3).log_prob(autograd.tensor(0.5))


# -- Uniform ----------------------------------------------------------------------------------------------
def test_uniform_log_prob_entropy_moments_and_rsample_gradients_match_torch(torch, td):
    (low, t_low), (high, t_high) = _pair([0.0, -1.0]), _pair([2.0, 3.0])
    ours, theirs = Uniform(low, high), td.Uniform(t_low, t_high)
    x = np.array([0.5, 3.0])  # inside, and at the upper bound (in the support, density 0 there as torch's)
    _same(ours.log_prob(autograd.tensor(x)), theirs.log_prob(torch.tensor(x)))
    _same(ours.entropy(), theirs.entropy()), _same(ours.mean, theirs.mean), _same(ours.variance, theirs.variance)
    _same(ours.cdf(autograd.tensor(x)), theirs.cdf(torch.tensor(x)))
    autograd.manual_seed(4)
    draw = ours.rsample()
    draw.sum().backward()
    u = (draw.data - low.data) / (high.data - low.data)
    np.testing.assert_allclose(low.grad, 1 - u), np.testing.assert_allclose(high.grad, u)
    assert ((draw.data >= low.data) & (draw.data < high.data)).all()


def test_uniform_refuses_low_not_below_high():
    with pytest.raises(ValueError, match="Uniform is not defined when low >= high"):
        Uniform(1.0, 1.0)


def test_torch_also_refuses_uniform_low_not_below_high(td):
    with pytest.raises(ValueError):
        td.Uniform(1.0, 1.0)


# -- KL divergences ---------------------------------------------------------------------------------------
def test_kl_divergences_and_their_gradients_match_torch(torch, td):
    cases = [
        (Normal, td.Normal, ([0.0, 1.0], [1.0, 2.0]), ([0.5, -1.0], [0.7, 3.0])),
        (lambda p: Categorical(probs=p), lambda p: td.Categorical(probs=p), ([[0.2, 0.8, 0.0]],), ([[0.3, 0.3, 0.4]],)),
        (lambda p: Bernoulli(probs=p), lambda p: td.Bernoulli(probs=p), ([0.2, 0.0, 1.0],), ([0.5, 0.3, 0.9],)),
        (Uniform, td.Uniform, ([0.0], [1.0]), ([-1.0], [2.0])),
    ]
    for make, make_theirs, p_args, q_args in cases:
        p_pairs = [_pair(v) for v in p_args]
        q_pairs = [_pair(v) for v in q_args]
        ours = kl_divergence(make(*[a for a, _ in p_pairs]), make(*[a for a, _ in q_pairs]))
        theirs = td.kl_divergence(make_theirs(*[b for _, b in p_pairs]), make_theirs(*[b for _, b in q_pairs]))
        _same(ours, theirs, rtol=1e-10)
        leaves = [a for a, _ in p_pairs + q_pairs]
        their_leaves = [b for _, b in p_pairs + q_pairs]
        _same_gradients(ours, theirs, leaves, their_leaves, rtol=1e-8)


def test_kl_is_infinite_where_q_puts_no_mass_on_ps_support_as_torch(torch, td):
    ours = kl_divergence(Categorical(probs=autograd.tensor([0.5, 0.5])), Categorical(probs=autograd.tensor([1.0, 0.0])))
    theirs = td.kl_divergence(
        td.Categorical(probs=torch.tensor([0.5, 0.5])), td.Categorical(probs=torch.tensor([1.0, 0.0]))
    )
    assert float(ours.data) == float(theirs) == math.inf
    assert float(kl_divergence(Uniform(0.0, 2.0), Uniform(0.0, 1.0)).data) == math.inf


def test_register_kl_adds_a_pair_and_an_unregistered_pair_is_not_implemented():
    class Shifted(Normal):
        pass

    with pytest.raises(NotImplementedError, match="No KL"):
        kl_divergence(Normal(0.0, 1.0), Categorical(probs=autograd.tensor([0.5, 0.5])))
    with pytest.raises(NotImplementedError, match="different exponential families"):  # (both are, as in torch)
        kl_divergence(Normal(0.0, 1.0), Bernoulli(probs=0.5))

    @register_kl(Shifted, Bernoulli)
    def _kl(p, q):
        return p.loc * 0 + 7.0

    assert float(kl_divergence(Shifted(0.0, 1.0), Bernoulli(probs=0.5)).data) == 7.0
    assert float(kl_divergence(Shifted(0.0, 1.0), Normal(0.0, 1.0)).data) == 0.0  # the base pair's rule


def test_validation_can_be_switched_off_by_default():
    Distribution.set_default_validate_args(False)
    try:
        assert Normal(0.0, -1.0).scale.item() == -1.0
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Normal(0.0, -1.0)


# -- Independent and MultivariateNormal -------------------------------------------------------------------
def test_independent_normal_sums_the_reinterpreted_axes_as_torch(torch, td):
    (loc, t_loc), (scale, t_scale) = (
        _pair([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5]]),
        _pair([[1.0, 2.0, 0.5], [0.3, 1.0, 4.0]]),
    )
    ours, theirs = Independent(Normal(loc, scale), 1), td.Independent(td.Normal(t_loc, t_scale), 1)
    assert (
        (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape), tuple(theirs.event_shape)) == ((2,), (3,))
    )
    x = np.array([[0.5, 0.5, 0.5], [1.0, 2.0, 3.0]])
    total = ours.log_prob(autograd.tensor(x)) + ours.entropy()
    their_total = theirs.log_prob(torch.tensor(x)) + theirs.entropy()
    _same(total, their_total)
    other, their_other = Independent(Normal(loc * 0.5, scale), 1), td.Independent(td.Normal(t_loc * 0.5, t_scale), 1)
    total = total + kl_divergence(ours, other)
    their_total = their_total + td.kl_divergence(theirs, their_other)
    _same_gradients(total, their_total, [loc, scale], [t_loc, t_scale])
    assert ours.sample((4,)).shape == (4, 2, 3)


@pytest.mark.parametrize("form", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_log_prob_entropy_kl_and_gradients_match_torch(torch, td, form):
    a = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])
    matrix = {"covariance_matrix": a, "precision_matrix": np.linalg.inv(a), "scale_tril": np.linalg.cholesky(a)}[form]
    (loc, t_loc), (m, t_m) = _pair([[0.0, 1.0, -1.0], [0.5, 0.5, 0.5]]), _pair(matrix)
    ours, theirs = MultivariateNormal(loc, **{form: m}), td.MultivariateNormal(t_loc, **{form: t_m})
    assert (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape), tuple(theirs.event_shape))
    x = np.array([[0.2, 0.4, -0.3], [1.0, 0.0, 2.0]])
    _same(ours.covariance_matrix, theirs.covariance_matrix, rtol=1e-10)
    _same(ours.variance, theirs.variance, rtol=1e-10)
    q_loc = autograd.tensor([1.0, 0.0, 0.0])
    q_scale = autograd.tensor(np.linalg.cholesky(np.diag([1.0, 2.0, 3.0])))
    their_q = td.MultivariateNormal(
        torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), scale_tril=torch.tensor(q_scale.data)
    )
    total = (
        ours.log_prob(autograd.tensor(x))
        + ours.entropy()
        + kl_divergence(ours, MultivariateNormal(q_loc, scale_tril=q_scale))
    )
    their_total = theirs.log_prob(torch.tensor(x)) + theirs.entropy() + td.kl_divergence(theirs, their_q)
    _same(total, their_total, rtol=1e-10)
    _same_gradients(total, their_total, [loc, m], [t_loc, t_m], rtol=1e-8)


def test_multivariate_normal_draws_have_the_given_covariance():
    autograd.manual_seed(5)
    cov = np.array([[1.0, 0.8], [0.8, 2.0]])
    draws = MultivariateNormal(autograd.tensor([1.0, -1.0]), covariance_matrix=autograd.tensor(cov)).sample((40_000,))
    assert draws.shape == (40_000, 2)
    np.testing.assert_allclose(draws.data.mean(axis=0), [1.0, -1.0], atol=0.03)
    np.testing.assert_allclose(np.cov(draws.data.T), cov, atol=0.05)


def test_multivariate_normal_refuses_what_torch_refuses():
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix or precision_matrix or scale_tril"):
        MultivariateNormal(autograd.zeros(2))
    with pytest.raises(ValueError, match=r"Expected parameter covariance_matrix .* PositiveDefinite\(\)"):
        MultivariateNormal(autograd.zeros(2), covariance_matrix=autograd.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match=r"LowerCholesky\(\)"):
        MultivariateNormal(autograd.zeros(2), scale_tril=autograd.tensor([[1.0, 0.5], [0.0, 1.0]]))


def test_torch_also_refuses_a_covariance_that_is_not_positive_definite(torch, td):
    with pytest.raises(ValueError):
        td.MultivariateNormal(torch.zeros(2), covariance_matrix=torch.tensor([[1.0, 2.0], [2.0, 1.0]]))


# -- Exponential, Laplace, Gamma, Beta ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ours", "params", "values"),
    [
        (Exponential, ([0.5, 2.0, 7.0],), [0.0, 1.3, 0.01]),
        (Laplace, ([0.0, 1.0, -2.0], [1.0, 0.5, 3.0]), [0.3, 1.0, 10.0]),
        (Gamma, ([0.5, 2.0, 7.5], [1.0, 0.3, 4.0]), [0.2, 3.0, 1.5]),
        (Beta, ([0.5, 2.0, 1.0], [1.5, 0.7, 3.0]), [0.2, 0.9, 0.0]),
    ],
    ids=["Exponential", "Laplace", "Gamma", "Beta"],
)
def test_continuous_distributions_match_torchs_densities_entropies_moments_and_gradients(
    torch, td, ours, params, values
):
    theirs = getattr(td, ours.__name__)
    pairs = [_pair(p) for p in params]
    mine, their = ours(*[a for a, _ in pairs]), theirs(*[b for _, b in pairs])
    x = np.array(values)
    total = mine.log_prob(autograd.tensor(x)) + mine.entropy() + mine.mean + mine.variance
    their_total = their.log_prob(torch.tensor(x)) + their.entropy() + their.mean + their.variance
    _same(total, their_total, rtol=1e-10)
    # (1e-7: the entropies' gradients go through trigamma, where torch's float64 polygamma(1, 0.7) is 4e-10 off
    # scipy's, which ours matches to the last digit)
    _same_gradients(total, their_total, [a for a, _ in pairs], [b for _, b in pairs], rtol=1e-7)
    if ours in (Exponential, Laplace):  # (Gamma's and Beta's cdfs need incomplete functions)
        _same(mine.cdf(autograd.tensor(x)), their.cdf(torch.tensor(x)))


def test_exponential_stddev_is_one_over_the_rate_even_where_its_square_overflows_as_torchs(torch, td):
    rates = np.array([1e-300, 1e300, 4.0])
    _same(Exponential(autograd.tensor(rates)).stddev, td.Exponential(torch.tensor(rates)).stddev)


@pytest.mark.parametrize(
    ("make", "mean", "variance"),
    [
        (lambda: Exponential(2.0), 0.5, 0.25),
        (lambda: Laplace(1.0, 0.5), 1.0, 0.5),
        (lambda: Gamma(3.0, 2.0), 1.5, 0.75),
        (lambda: Beta(2.0, 5.0), 2 / 7, 10 / (49 * 8)),
    ],
    ids=["Exponential", "Laplace", "Gamma", "Beta"],
)
def test_continuous_draws_have_the_distributions_mean_and_variance(make, mean, variance):
    autograd.manual_seed(6)
    draws = make().sample((50_000,))
    assert draws.shape == (50_000,) and not draws.requires_grad
    assert abs(float(draws.data.mean()) - mean) < 6 * math.sqrt(variance / 50_000)
    assert abs(float(draws.data.var()) - variance) < 0.05 * variance


def test_exponential_and_laplace_rsample_reaches_the_parameters():
    rate = autograd.tensor(2.0, requires_grad=True)
    autograd.manual_seed(7)
    x = Exponential(rate).rsample((4,))
    x.sum().backward()
    np.testing.assert_allclose(rate.grad, -(x.data / rate.data).sum())  # x = -log(1 - u) / rate
    with pytest.raises(ValueError, match=r"support"):
        Exponential(1.0).log_prob(autograd.tensor(-1.0))


# (a, x) and dx/da of a Gamma(a, 1) draw at fixed quantile, -(dP/da)(a, x) / p(x; a), by mpmath at 30 digits
GAMMA_SLOPES = [
    (0.001, 1e-300, 6.901999559664034e-295),
    (0.01, 1e-30, 6.85166673319527e-27),
    (0.1, 0.001, 0.06490724738374097),
    (0.5, 0.3, 1.0098019459488545),
    (0.5, 20.0, 4.889171772944083),
    (1.0, 1.0, 1.1735630272247268),
    (2.5, 4.0, 1.3396081953658443),
    (7.0, 3.0, 0.6503396433837082),
    (20.0, 14.1, 0.8423435557537768),
    (30.0, 55.0, 1.3408481463610888),
    (1000.0, 1030.0, 1.0150213645549706),
    (100000.0, 100300.0, 1.001500171411301),
    (0.0001, 5.0, 8523.228171457587),  # (torch's fitted slope is 2% off here, 8720.3)
    (0.5, 700.0, 8.50994600349842),  # (the density e^-700 x^-1/2 / Gamma(1/2) still above float64's smallest)
]


def test_gamma_draws_slope_in_the_concentration_is_the_implicit_derivative_of_the_quantile(torch):
    from autograd.implicit_gamma import standard_gamma_slope

    a, x, expected = (np.array(column) for column in zip(*GAMMA_SLOPES))
    slope = standard_gamma_slope(a, x)
    np.testing.assert_allclose(slope, expected, rtol=1e-9)
    # torch's _standard_gamma_grad, a fitted approximation, agrees to its own accuracy (2e-3 in the far tail)
    # torch's fitted slope, good to about 1e-4 in the bulk, is 2% off at a = 1e-4, x = 5 and 8% at a = 1/2, x = 700
    close = (a > 0.001) & (x < 600)
    theirs = torch._standard_gamma_grad(torch.tensor(a[close]), torch.tensor(x[close])).numpy()
    np.testing.assert_allclose(slope[close], theirs, rtol=3e-3)
    # far below the bulk both P(a, x) and the density underflow: the slope (about x log x / a) is 0, as torch's
    assert (
        standard_gamma_slope(3.0, 1e-200) == 0.0 == torch._standard_gamma_grad(torch.tensor(3.0), torch.tensor(1e-200))
    )


def test_gamma_rsample_gradients_are_torchs_implicit_reparameterisation(torch, td):
    concentration = autograd.tensor([0.3, 1.0, 4.0, 50.0], requires_grad=True)
    rate = autograd.tensor([0.5, 2.0, 1.0, 3.0], requires_grad=True)
    autograd.manual_seed(11)
    mine = Gamma(concentration, rate)
    assert mine.has_rsample and td.Gamma(1.0, 1.0).has_rsample
    draws = mine.rsample((3,))
    assert draws.shape == (3, 4) and draws.requires_grad
    draws.sum().backward()
    standard = draws.data * rate.data  # the Gamma(a, 1) draws
    a = np.broadcast_to(concentration.data, standard.shape)
    slopes = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(standard)).numpy()
    np.testing.assert_allclose(concentration.grad, (slopes / rate.data).sum(0), rtol=3e-3)
    np.testing.assert_allclose(rate.grad, -(standard / rate.data**2).sum(0), rtol=1e-12)


def test_gamma_rsample_gradient_of_the_mean_of_many_draws_is_that_of_the_mean():
    """E[x] = a / b: the draws' average gradient in a is 1 / b and in b is -a / b^2, up to sampling noise."""
    concentration = autograd.tensor([0.4, 3.0], requires_grad=True)
    rate = autograd.tensor([2.0, 0.5], requires_grad=True)
    autograd.manual_seed(12)
    Gamma(concentration, rate).rsample((40_000,)).mean(0).sum().backward()
    np.testing.assert_allclose(concentration.grad, [0.5, 2.0], rtol=0.03)
    np.testing.assert_allclose(rate.grad, [-0.1, -12.0], rtol=0.03)


def test_beta_rsample_gradient_of_the_mean_of_many_draws_is_that_of_the_mean(td):
    """E[x] = a / (a + b): the draws' average gradient is b / (a + b)^2 in a and -a / (a + b)^2 in b."""
    a = autograd.tensor([0.5, 3.0], requires_grad=True)
    b = autograd.tensor([2.0, 0.7], requires_grad=True)
    assert Beta(a, b).has_rsample and td.Beta(1.0, 1.0).has_rsample
    autograd.manual_seed(14)
    draws = Beta(a, b).rsample((40_000,))
    assert draws.shape == (40_000, 2) and ((draws.data > 0) & (draws.data < 1)).all()
    draws.mean(0).sum().backward()
    total = a.data + b.data
    np.testing.assert_allclose(a.grad, b.data / total**2, atol=0.006)
    np.testing.assert_allclose(b.grad, -a.data / total**2, atol=0.006)


def test_beta_mode_stays_in_the_unit_interval_below_concentration_one_as_torchs(torch, td):
    """(a - 1) / (a + b - 2) holds only where both concentrations exceed 1: with a < 1 the density is highest at 0,
    with b < 1 at 1 (the formula gave -1 and 2 there), with both below 1 torch picks 1 (the formula gave the density's
    lowest point); the gradient where both exceed 1 is the formula's."""
    a, b = [0.5, 2.0, 0.5, 0.3, 1.0, 3.0, 1.0, 2.5, 1.0], [2.0, 0.5, 0.5, 0.9, 1.0, 4.0, 3.0, 1.0, 0.2]
    (a1, t_a1), (b0, t_b0) = _pair(a), _pair(b)
    ours, theirs = Beta(a1, b0), td.Beta(t_a1, t_b0)
    np.testing.assert_array_equal(ours.mode.data, theirs.mode.detach().numpy())
    (a1, t_a1), (b0, t_b0) = _pair([3.0, 2.0, 1.5]), _pair([4.0, 1.5, 7.0])
    _same_gradients(Beta(a1, b0).mode, td.Beta(t_a1, t_b0).mode, [a1, b0], [t_a1, t_b0])


@pytest.mark.parametrize(
    "make",
    [
        lambda: Beta(2.0, 3.0),
        lambda: Beta(autograd.tensor(2.0), autograd.tensor(3.0)),
        lambda: autograd.distributions.Binomial(10, probs=0.3),
        lambda: autograd.distributions.Binomial(10, logits=autograd.tensor(0.0)),
        lambda: Gamma(2.0, 3.0),
    ],
)
def test_a_distribution_of_scalar_parameters_draws_a_0_d_sample(make):
    # numpy's samplers answer 0-d parameters with a Python number, not an array
    distribution = make()
    assert distribution.sample().shape == ()
    assert distribution.sample((4,)).shape == (4,)
    assert np.all(np.asarray(distribution.support.check(distribution.sample((50,))).data))


@pytest.mark.parametrize("replacement", [True, False])
def test_an_empty_batch_of_categories_draws_an_empty_sample(replacement):
    assert Categorical(autograd.ones((0, 3))).sample().shape == (0,)
    picks = autograd.ones((0, 3)).multinomial(2, replacement)
    assert picks.shape == (0, 2) and picks.dtype == np.int64


def test_batch_and_event_shapes_are_sizes_as_torchs():
    # torch code counts a batch with d.batch_shape.numel() and compares shapes with tuples
    normal = Normal(autograd.zeros((3, 2)), 1.0)
    mvn = MultivariateNormal(autograd.zeros(3), autograd.eye(3))
    assert isinstance(normal.batch_shape, autograd.Size) and normal.batch_shape.numel() == 6
    assert normal.batch_shape == (3, 2) and normal.event_shape == () and normal.event_shape.numel() == 1
    assert mvn.event_shape == (3,) and isinstance(mvn.expand((4,)).batch_shape, autograd.Size)


@pytest.mark.parametrize("make", [lambda a: Beta(a, a), lambda a: Dirichlet(a.expand(3))], ids=["Beta", "Dirichlet"])
def test_rsample_with_tiny_concentrations_stays_strictly_inside_the_unit_interval_as_torchs(make):
    """Gamma draws of concentration 1e-3 are mostly below 1e-300, so their ratios round to 0 and 1, where log_prob
    is infinite; torch's clamps them to [tiny, the float below 1], and so do these (keeping the gradients)."""
    concentration = autograd.tensor([1e-3], requires_grad=True)
    autograd.manual_seed(15)
    draws = make(concentration).rsample((300,))
    assert draws.data.min() >= np.finfo(np.float64).tiny and draws.data.max() <= np.nextafter(1.0, 0.0)
    log_prob = make(concentration).log_prob(draws)
    assert np.isfinite(log_prob.data).all()
    log_prob.sum().backward()
    assert np.isfinite(concentration.grad).all()


def test_gamma_rsample_over_a_huge_rate_stays_above_zero_as_torchs():
    """Draws of Gamma(0.01, 1) are often below 1e-300; over a rate of 1e10 they would round to 0, where log_prob is
    inf: torch's are clamped to tiny, and so are these (keeping their gradients)."""
    concentration = autograd.tensor([0.01], requires_grad=True)
    autograd.manual_seed(16)
    draws = Gamma(concentration, 1e10).rsample((300,))
    assert draws.data.min() >= np.finfo(np.float64).tiny
    log_prob = Gamma(concentration, 1e10).log_prob(draws)
    assert np.isfinite(log_prob.data).all()
    log_prob.sum().backward()
    assert np.isfinite(concentration.grad).all()


def test_the_exponential_families_are_exponential_family_subclasses_as_torchs(torch, td):
    """torch's Normal, Bernoulli, Beta, Gamma, Chi2, Exponential, Dirichlet, Poisson, Wishart and ContinuousBernoulli
    derive from ExponentialFamily: isinstance agrees, and a KL between two different ones is refused alike."""
    import autograd.distributions as ours

    for name in td.__all__:
        theirs = getattr(td, name)
        if isinstance(theirs, type) and issubclass(theirs, td.Distribution):
            assert issubclass(getattr(ours, name), ours.ExponentialFamily) == issubclass(theirs, td.ExponentialFamily)
    message = "different exponential families"
    with pytest.raises(NotImplementedError, match=message):
        td.kl_divergence(td.Beta(1.0, 2.0), td.Dirichlet(torch.ones(2)))
    with pytest.raises(NotImplementedError, match=message):
        kl_divergence(Beta(1.0, 2.0), Dirichlet(autograd.ones(2)))
