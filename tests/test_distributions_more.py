"""autograd.distributions' Poisson, Binomial, Geometric, OneHotCategorical, Multinomial and Dirichlet against
torch.distributions (float64): densities, entropies, moments, KL divergences and their gradients in the parameters,
the shapes of draws and of expand, torch's argument checks; the draws' moments are checked statistically.

The tests of draws and argument checks run without torch; those comparing with torch take the ``torch``/``td``
fixtures and are skipped when it is not installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd.distributions import (
    Binomial,
    Dirichlet,
    Geometric,
    Multinomial,
    OneHotCategorical,
    Poisson,
    kl_divergence,
)


def _pair(values):
    """The same float64 values as a leaf of ours and a leaf of torch's, both requiring grad."""
    import torch

    array = np.asarray(values, dtype=np.float64)
    return autograd.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def _same(ours, theirs, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(ours.data), theirs.detach().numpy(), rtol=rtol, atol=1e-13)


def _same_gradients(ours_out, theirs_out, ours_leaves, theirs_leaves, rtol=1e-10):
    ours_out.sum().backward()
    theirs_out.sum().backward()
    for mine, their in zip(ours_leaves, theirs_leaves):
        np.testing.assert_allclose(mine.grad, their.grad.numpy(), rtol=rtol, atol=1e-13)


def _moments_agree(samples, mean, variance, n):
    """The draws' mean within 5 standard errors of ``mean`` and their variance within 5% of ``variance``."""
    draws = np.asarray(samples.data)
    np.testing.assert_array_less(np.abs(draws.mean(0) - mean), 5 * np.sqrt(np.asarray(variance) / n) + 1e-12)
    np.testing.assert_allclose(draws.var(0), variance, rtol=0.05, atol=1e-12)


# -- Poisson ------------------------------------------------------------------------------------------------
def test_poisson_log_prob_moments_and_gradients_match_torch(torch, td):
    rate, t_rate = _pair([0.5, 3.0, 12.0, 0.0])
    k = np.array([0.0, 2.0, 15.0, 0.0])
    ours, theirs = Poisson(rate), td.Poisson(t_rate)
    out, their_out = ours.log_prob(autograd.tensor(k)), theirs.log_prob(torch.tensor(k))
    _same(out, their_out)  # a rate of 0 gives log p(0) = 0 (xlogy)
    for name in ("mean", "variance", "mode", "stddev"):
        _same(getattr(ours, name), getattr(theirs, name))
    (rate, t_rate), k = _pair([0.5, 3.0, 12.0]), k[:3]  # at rate 0 torch's gradient is xlogy's 0/0 (nan)
    out, their_out = Poisson(rate).log_prob(autograd.tensor(k)), td.Poisson(t_rate).log_prob(torch.tensor(k))
    _same_gradients(out, their_out, [rate], [t_rate])


def test_poisson_log_prob_broadcasts_values_against_the_batch_as_torch(torch, td):
    rate, t_rate = _pair([[1.0], [4.0]])
    k = np.array([0.0, 1.0, 6.0])
    _same(Poisson(rate).log_prob(autograd.tensor(k)), td.Poisson(t_rate).log_prob(torch.tensor(k)))


def test_poisson_kl_and_its_gradients_match_torch(torch, td):
    (a, t_a), (b, t_b) = _pair([0.5, 2.0, 7.0]), _pair([1.5, 2.0, 3.0])
    ours = kl_divergence(Poisson(a), Poisson(b))
    theirs = td.kl_divergence(td.Poisson(t_a), td.Poisson(t_b))
    _same(ours, theirs)
    _same_gradients(ours, theirs, [a, b], [t_a, t_b])


def test_poisson_draws_are_whole_numbers_with_the_rate_as_mean_and_variance():
    autograd.manual_seed(3)
    rate = autograd.tensor([0.3, 4.0, 25.0], requires_grad=True)
    samples = Poisson(rate).sample((40_000,))
    assert samples.shape == (40_000, 3) and samples.dtype == np.float64 and not samples.requires_grad
    assert np.all(samples.data == np.floor(samples.data)) and np.all(samples.data >= 0)
    _moments_agree(samples, rate.data, rate.data, 40_000)


def test_poisson_draws_repeat_under_the_same_seed_and_a_rate_of_zero_draws_zero():
    autograd.manual_seed(11)
    first = Poisson(autograd.tensor([0.0, 2.0])).sample((5,))
    autograd.manual_seed(11)
    again = Poisson(autograd.tensor([0.0, 2.0])).sample((5,))
    np.testing.assert_array_equal(first.data, again.data)
    assert np.all(first.data[:, 0] == 0)


def test_poisson_shapes_and_expand_are_torch_shapes(torch, td):
    ours, theirs = Poisson(autograd.tensor([1.0, 2.0])), td.Poisson(torch.tensor([1.0, 2.0]))
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2,) and ours.event_shape == ()
    assert Poisson(2.0).batch_shape == tuple(td.Poisson(2.0).batch_shape) == ()
    assert ours.sample((4, 3)).shape == tuple(theirs.sample((4, 3)).shape)
    wide, their_wide = ours.expand((5, 2)), theirs.expand((5, 2))
    assert wide.batch_shape == tuple(their_wide.batch_shape) and wide.sample().shape == (5, 2)
    with pytest.raises(RuntimeError):
        theirs.expand((3,))
    with pytest.raises(RuntimeError):
        ours.expand((3,))


def test_poisson_refuses_a_negative_rate_and_a_value_outside_the_whole_numbers_as_torch(torch, td):
    for make in (lambda: Poisson(autograd.tensor([1.0, -0.5])), lambda: td.Poisson(torch.tensor([1.0, -0.5]))):
        with pytest.raises(ValueError, match="rate"):
            make()
    for value in (-1.0, 1.5):
        with pytest.raises(ValueError, match="support"):
            Poisson(autograd.tensor(2.0)).log_prob(autograd.tensor(value))
        with pytest.raises(ValueError, match="support"):
            td.Poisson(torch.tensor(2.0)).log_prob(torch.tensor(value))
    assert np.isnan(Poisson(autograd.tensor(-1.0), validate_args=False).log_prob(autograd.tensor(1.0)).item())


# -- Binomial -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["probs", "logits"])
def test_binomial_log_prob_entropy_moments_and_gradients_match_torch(torch, td, form):
    values = [0.2, 0.5, 0.9, 0.03] if form == "probs" else [-1.5, 0.0, 2.0, 4.0]
    (param, t_param), k = _pair(values), np.array([0.0, 3.0, 5.0, 6.0])
    ours, theirs = Binomial(6.0, **{form: param}), td.Binomial(6.0, **{form: t_param})
    out, their_out = ours.log_prob(autograd.tensor(k)), theirs.log_prob(torch.tensor(k))
    _same(out, their_out)
    _same(ours.entropy(), theirs.entropy())
    for name in ("mean", "variance", "mode", "probs", "logits"):
        _same(getattr(ours, name), getattr(theirs, name))
    _same_gradients(out + ours.entropy(), their_out + theirs.entropy(), [param], [t_param])


def test_binomial_with_a_total_count_per_entry_and_probs_at_the_ends_matches_torch(torch, td):
    counts, probs = np.array([[0.0], [3.0], [10.0]]), np.array([0.0, 0.4, 1.0])
    k = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 3.0], [1.0, 2.0, 10.0]])
    ours = Binomial(autograd.tensor(counts), autograd.tensor(probs))
    theirs = td.Binomial(torch.tensor(counts), torch.tensor(probs))
    assert ours.batch_shape == tuple(theirs.batch_shape) == (3, 3)
    _same(ours.log_prob(autograd.tensor(k)), theirs.log_prob(torch.tensor(k)))
    _same(ours.mean, theirs.mean), _same(ours.variance, theirs.variance), _same(ours.mode, theirs.mode)
    for name in ("entropy", "enumerate_support"):
        with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
            getattr(theirs, name)()
        with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
            getattr(ours, name)()


def test_binomial_enumerate_support_is_torchs(torch, td):
    ours, theirs = Binomial(3, autograd.tensor([[0.1, 0.2]])), td.Binomial(3, torch.tensor([[0.1, 0.2]]).double())
    for expand in (True, False):
        mine, their = ours.enumerate_support(expand), theirs.enumerate_support(expand)
        assert mine.shape == tuple(their.shape) and mine.dtype == np.float64
        np.testing.assert_array_equal(mine.data, their.numpy())


def test_binomial_kl_and_its_gradients_match_torch_and_a_larger_q_count_is_refused(torch, td):
    (a, t_a), (b, t_b) = _pair([0.1, 0.5, 0.8]), _pair([0.3, 0.5, 0.05])
    ours = kl_divergence(Binomial(5, a), Binomial(5, b))
    theirs = td.kl_divergence(td.Binomial(5, t_a), td.Binomial(5, t_b))
    _same(ours, theirs)
    _same_gradients(ours, theirs, [a, b], [t_a, t_b])
    more = kl_divergence(Binomial(7, autograd.tensor([0.5])), Binomial(5, autograd.tensor([0.5])))
    assert more.item() == td.kl_divergence(td.Binomial(7, torch.tensor([0.5])), td.Binomial(5, torch.tensor([0.5])))
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        kl_divergence(Binomial(5, autograd.tensor([0.5])), Binomial(7, autograd.tensor([0.5])))


def test_binomial_draws_count_successes_with_mean_np_and_variance_npq():
    autograd.manual_seed(5)
    counts, probs = autograd.tensor([1.0, 10.0, 40.0, 8.0]), autograd.tensor([0.5, 0.3, 0.9, 1.0])
    samples = Binomial(counts, probs).sample((30_000,))
    assert samples.shape == (30_000, 4) and samples.dtype == np.float64
    assert np.all(samples.data == np.floor(samples.data)) and np.all(samples.data <= counts.data)
    _moments_agree(samples, counts.data * probs.data, counts.data * probs.data * (1 - probs.data), 30_000)
    autograd.manual_seed(5)
    logits_samples = Binomial(counts, logits=autograd.tensor([0.0, 0.0, 0.0, 0.0])).sample((30_000,))
    _moments_agree(logits_samples, counts.data / 2, counts.data / 4, 30_000)


def test_binomial_shapes_expand_and_checks_are_torchs(torch, td):
    ours, theirs = Binomial(4, autograd.tensor([0.5, 0.1])), td.Binomial(4, torch.tensor([0.5, 0.1]))
    wide = ours.expand((3, 2))
    assert wide.batch_shape == tuple(theirs.expand((3, 2)).batch_shape) == (3, 2)
    assert wide.sample((5,)).shape == tuple(theirs.expand((3, 2)).sample((5,)).shape) == (5, 3, 2)
    assert wide.total_count.shape == (3, 2)
    cases = [
        ({"total_count": 2.5, "probs": [0.5]}, "total_count"),
        ({"total_count": -1, "probs": [0.5]}, "total_count"),
        ({"total_count": 3, "probs": [1.5]}, "probs"),
        ({"total_count": 3, "probs": [0.5], "logits": [0.0]}, "Either `probs` or `logits`"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            Binomial(**{k: autograd.tensor(v) if isinstance(v, list) else v for k, v in kwargs.items()})
        with pytest.raises(ValueError, match=message):
            td.Binomial(**{k: torch.tensor(v) if isinstance(v, list) else v for k, v in kwargs.items()})
    for value in (4.0 + 1, 1.5, -1.0):  # above total_count, not whole, negative
        with pytest.raises(ValueError, match="support"):
            ours.log_prob(autograd.tensor([value, 0.0]))
        with pytest.raises(ValueError, match="support"):
            theirs.log_prob(torch.tensor([value, 0.0]))


# -- Geometric ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["probs", "logits"])
def test_geometric_log_prob_entropy_moments_and_gradients_match_torch(torch, td, form):
    values = [0.2, 0.5, 0.9, 0.03] if form == "probs" else [-1.5, 0.0, 2.0, -4.0]
    (param, t_param), k = _pair(values), np.array([0.0, 3.0, 7.0, 40.0])
    ours, theirs = Geometric(**{form: param}), td.Geometric(**{form: t_param})
    out, their_out = ours.log_prob(autograd.tensor(k)), theirs.log_prob(torch.tensor(k))
    _same(out, their_out)
    _same(ours.entropy(), theirs.entropy())
    for name in ("mean", "variance", "mode", "probs", "logits"):
        _same(getattr(ours, name), getattr(theirs, name))
    _same_gradients(out + ours.entropy(), their_out + theirs.entropy(), [param], [t_param])


def test_geometric_with_probs_one_has_log_prob_zero_at_zero_failures_as_torch(torch, td):
    (probs, t_probs), k = _pair([1.0, 1.0, 0.5]), np.array([0.0, 2.0, 0.0])
    out, their_out = Geometric(probs).log_prob(autograd.tensor(k)), td.Geometric(t_probs).log_prob(torch.tensor(k))
    _same(out, their_out)  # 0, -inf, log 0.5
    _same_gradients(out[[0, 2]], their_out[[0, 2]], [probs], [t_probs])


def test_geometric_kl_and_its_gradients_match_torch(torch, td):
    (a, t_a), (b, t_b) = _pair([0.1, 0.5, 0.8]), _pair([0.3, 0.5, 0.05])
    ours = kl_divergence(Geometric(a), Geometric(b))
    theirs = td.kl_divergence(td.Geometric(t_a), td.Geometric(t_b))
    _same(ours, theirs)
    _same_gradients(ours, theirs, [a, b], [t_a, t_b])


def test_geometric_draws_count_failures_before_the_first_success():
    autograd.manual_seed(7)
    probs = autograd.tensor([0.9, 0.3, 0.05, 1.0])
    samples = Geometric(probs).sample((40_000,))
    assert samples.shape == (40_000, 4) and samples.dtype == np.float64
    assert np.all(samples.data == np.floor(samples.data)) and np.all(samples.data >= 0)
    assert np.all(samples.data[:, 3] == 0)  # a sure success: no failures
    p = probs.data
    _moments_agree(samples, 1 / p - 1, (1 / p - 1) / p, 40_000)
    assert abs(np.mean(samples.data[:, 1] == 0) - 0.3) < 5 * np.sqrt(0.3 * 0.7 / 40_000)  # P(k = 0) = p


def test_geometric_shapes_expand_and_checks_are_torchs(torch, td):
    ours, theirs = Geometric(autograd.tensor([0.5, 0.1])), td.Geometric(torch.tensor([0.5, 0.1]))
    wide, their_wide = ours.expand((3, 2)), theirs.expand((3, 2))
    assert wide.batch_shape == tuple(their_wide.batch_shape) == (3, 2)
    assert wide.sample((5,)).shape == tuple(their_wide.sample((5,)).shape) == (5, 3, 2)
    assert Geometric(logits=0.0).batch_shape == tuple(td.Geometric(logits=0.0).batch_shape) == ()
    for probs, message in (([0.5, 0.0], "to be positive"), ([1.2], "probs")):
        with pytest.raises(ValueError, match=message):
            Geometric(autograd.tensor(probs))
        with pytest.raises(ValueError, match=message):
            td.Geometric(torch.tensor(probs))
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        Geometric()
    for value in (1.5, -1.0):
        with pytest.raises(ValueError, match="support"):
            ours.log_prob(autograd.tensor([value, 0.0]))
        with pytest.raises(ValueError, match="support"):
            theirs.log_prob(torch.tensor([value, 0.0]))
    assert Geometric(autograd.tensor([0.0]), validate_args=False).mean.item() == math.inf


# -- OneHotCategorical --------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["probs", "logits"])
def test_one_hot_categorical_log_prob_entropy_moments_and_gradients_match_torch(torch, td, form):
    values = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]] if form == "probs" else [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]
    (param, t_param), x = _pair(values), np.array([[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [[0.0, 0.0, 1.0]] * 2])
    ours, theirs = OneHotCategorical(**{form: param}), td.OneHotCategorical(**{form: t_param})
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2,) and ours.event_shape == tuple(theirs.event_shape)
    out, their_out = ours.log_prob(autograd.tensor(x)), theirs.log_prob(torch.tensor(x))
    assert out.shape == tuple(their_out.shape) == (2, 2)
    _same(out, their_out)
    _same(ours.entropy(), theirs.entropy())
    for name in ("mean", "variance", "mode", "probs", "logits"):
        _same(getattr(ours, name), getattr(theirs, name))
    _same_gradients(out.sum(0) + ours.entropy(), their_out.sum(0) + theirs.entropy(), [param], [t_param])


def test_one_hot_categorical_kl_and_its_gradients_match_torch(torch, td):
    (a, t_a), (b, t_b) = _pair([[0.2, 0.3, 0.5], [0.5, 0.5, 0.0]]), _pair([[0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
    ours = kl_divergence(OneHotCategorical(a), OneHotCategorical(b))
    theirs = td.kl_divergence(td.OneHotCategorical(t_a), td.OneHotCategorical(t_b))
    _same(ours, theirs)
    _same_gradients(ours, theirs, [a, b], [t_a, t_b])


def test_one_hot_categorical_enumerate_support_and_expand_are_torchs(torch, td):
    probs = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
    ours, theirs = (
        OneHotCategorical(autograd.tensor(probs)),
        td.OneHotCategorical(torch.tensor(probs, dtype=torch.float64)),
    )
    for expand in (True, False):
        mine, their = ours.enumerate_support(expand), theirs.enumerate_support(expand)
        assert mine.shape == tuple(their.shape)
        np.testing.assert_array_equal(mine.data, their.numpy())
    wide, their_wide = ours.expand((4, 2)), theirs.expand((4, 2))
    assert wide.batch_shape == tuple(their_wide.batch_shape) and wide.event_shape == (3,)
    assert wide.sample((5,)).shape == tuple(their_wide.sample((5,)).shape) == (5, 4, 2, 3)
    _same(wide.log_prob(autograd.tensor([0.0, 0.0, 1.0])), their_wide.log_prob(torch.tensor([0.0, 0.0, 1.0]).double()))
    _same(wide.entropy(), their_wide.entropy())


def test_one_hot_categorical_draws_are_one_hot_with_the_class_frequencies():
    autograd.manual_seed(2)
    probs = np.array([0.1, 0.2, 0.7])
    samples = OneHotCategorical(autograd.tensor(probs)).sample((30_000,))
    assert samples.shape == (30_000, 3) and samples.dtype == np.float64
    assert np.all(samples.data.sum(-1) == 1) and set(np.unique(samples.data)) == {0.0, 1.0}
    _moments_agree(samples, probs, probs * (1 - probs), 30_000)


def test_one_hot_categorical_checks_values_and_parameters_as_torch(torch, td):
    ours, theirs = OneHotCategorical(autograd.tensor([0.5, 0.5])), td.OneHotCategorical(torch.tensor([0.5, 0.5]))
    for value in ([1.0, 1.0], [0.5, 0.5], [0.0, 0.0]):
        with pytest.raises(ValueError, match="support"):
            ours.log_prob(autograd.tensor(value))
        with pytest.raises(ValueError, match="support"):
            theirs.log_prob(torch.tensor(value))
    with pytest.raises(ValueError, match="right-most size"):
        ours.log_prob(autograd.tensor([0.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="right-most size"):
        theirs.log_prob(torch.tensor([0.0, 0.0, 1.0]))
    for make in (OneHotCategorical, td.OneHotCategorical):  # the inner Categorical checks whatever validate_args
        tensor = autograd.tensor if make is OneHotCategorical else torch.tensor
        with pytest.raises(ValueError, match="probs"):
            make(tensor([-0.5, 1.5]), validate_args=False)
        with pytest.raises(ValueError, match="one-dimensional"):
            make(logits=tensor(1.0))
    unchecked = OneHotCategorical(autograd.tensor([0.25, 0.75]), validate_args=False)
    assert unchecked.log_prob(autograd.tensor([0.0, 2.0])).item() == pytest.approx(math.log(0.75))


# -- Multinomial --------------------------------------------------------------------------------------------
@pytest.fixture
def td64(torch):
    """torch.distributions with float64 as torch's default dtype, this library's: torch's Multinomial.entropy takes
    lgamma(n + 1) of an int64 tensor, which is in the default dtype (float32 off by ~1e-7 otherwise)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch.distributions
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("form", ["probs", "logits"])
def test_multinomial_log_prob_entropy_moments_and_gradients_match_torch(torch, td64, form):
    values = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]] if form == "probs" else [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]
    (param, t_param), x = _pair(values), np.array([[[0.0, 4.0, 2.0], [6.0, 0.0, 0.0]], [[1.0, 2.0, 3.0]] * 2])
    ours, theirs = Multinomial(6, **{form: param}), td64.Multinomial(6, **{form: t_param})
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2,) and ours.event_shape == tuple(theirs.event_shape)
    out, their_out = ours.log_prob(autograd.tensor(x)), theirs.log_prob(torch.tensor(x))
    assert out.shape == tuple(their_out.shape) == (2, 2)
    _same(out, their_out)
    _same(ours.entropy(), theirs.entropy())
    for name in ("mean", "variance", "probs", "logits"):
        _same(getattr(ours, name), getattr(theirs, name))
    _same_gradients(out.sum(0) + ours.entropy(), their_out.sum(0) + theirs.entropy(), [param], [t_param])


def test_multinomial_with_a_class_of_probability_zero_matches_torch(torch, td64):
    (probs, t_probs), x = _pair([0.0, 0.25, 0.75]), np.array([[0.0, 1.0, 3.0], [1.0, 1.0, 2.0]])
    ours, theirs = Multinomial(4, probs), td64.Multinomial(4, t_probs)
    _same(ours.log_prob(autograd.tensor(x)), theirs.log_prob(torch.tensor(x)))  # finite, then -inf
    _same(ours.entropy(), theirs.entropy())
    logits = Multinomial(4, logits=autograd.tensor([-math.inf, 0.0, 1.0]))
    their_logits = td64.Multinomial(4, logits=torch.tensor([-math.inf, 0.0, 1.0], dtype=torch.float64))
    _same(logits.log_prob(autograd.tensor(x)), their_logits.log_prob(torch.tensor(x)))


def test_multinomial_draws_sum_to_the_total_count_with_binomial_margins():
    autograd.manual_seed(4)
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    samples = Multinomial(10, autograd.tensor(probs)).sample((20_000,))
    assert samples.shape == (20_000, 2, 3) and samples.dtype == np.float64
    assert np.all(samples.data.sum(-1) == 10) and np.all(samples.data[:, 1, 2] == 0)
    _moments_agree(samples, 10 * probs, 10 * probs * (1 - probs), 20_000)


def test_multinomial_shapes_expand_and_checks_are_torchs(torch, td64):
    probs = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
    ours, theirs = Multinomial(3, autograd.tensor(probs)), td64.Multinomial(3, torch.tensor(probs, dtype=torch.float64))
    wide, their_wide = ours.expand((4, 2)), theirs.expand((4, 2))
    assert wide.batch_shape == tuple(their_wide.batch_shape) and wide.event_shape == (3,)
    assert wide.sample((5,)).shape == tuple(their_wide.sample((5,)).shape) == (5, 4, 2, 3)
    _same(wide.log_prob(autograd.tensor([1.0, 0.0, 2.0])), their_wide.log_prob(torch.tensor([1.0, 0.0, 2.0]).double()))
    _same(wide.entropy(), theirs.entropy().expand(4, 2))  # torch's expanded Multinomial loses its entropy
    assert Multinomial(3, autograd.tensor(probs)).sample((0,)).shape == (0, 2, 3)
    for value in ([1.0, 1.0, 2.0], [-1.0, 0.0, 1.0]):  # more than total_count, a negative count
        with pytest.raises(ValueError, match="support"):
            ours.log_prob(autograd.tensor(value))
        with pytest.raises(ValueError, match="support"):
            theirs.log_prob(torch.tensor(value, dtype=torch.float64))
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        Multinomial(autograd.tensor([3.0, 4.0]), autograd.tensor(probs))
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        td64.Multinomial(torch.tensor([3.0, 4.0]), torch.tensor(probs))
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        Multinomial(3)
    with pytest.raises(ValueError, match="probs"):
        Multinomial(3, autograd.tensor([-0.5, 1.5]))


# -- Dirichlet ----------------------------------------------------------------------------------------------
def test_dirichlet_log_prob_entropy_moments_and_gradients_match_torch(torch, td):
    concentration, t_concentration = _pair([[0.5, 2.0, 3.0], [0.2, 0.3, 0.9], [1.0, 1.0, 1.0]])
    x = np.array([[[0.2, 0.3, 0.5]] * 3, [[0.01, 0.01, 0.98], [0.7, 0.2, 0.1], [0.5, 0.5, 0.0]]])
    ours, theirs = Dirichlet(concentration), td.Dirichlet(t_concentration)
    assert ours.batch_shape == tuple(theirs.batch_shape) == (3,) and ours.event_shape == tuple(theirs.event_shape)
    out, their_out = ours.log_prob(autograd.tensor(x[:1])), theirs.log_prob(torch.tensor(x[:1]))
    _same(out, their_out)
    _same(ours.entropy(), theirs.entropy())
    for name in ("mean", "variance", "mode", "stddev"):
        _same(getattr(ours, name), getattr(theirs, name))
    total, their_total = out.sum(0) + ours.entropy(), their_out.sum(0) + theirs.entropy()
    _same_gradients(total, their_total, [concentration], [t_concentration], rtol=1e-8)  # torch's trigamma: ~5e-10
    _same(ours.log_prob(autograd.tensor(x[1])), theirs.log_prob(torch.tensor(x[1])))  # x_k = 0 at a_k = 1: xlogy


def test_dirichlet_kl_and_its_gradients_match_torch(torch, td):
    (a, t_a), (b, t_b) = _pair([[0.5, 2.0, 3.0], [4.0, 0.3, 0.9]]), _pair([[1.0, 1.0, 1.0], [2.0, 2.0, 0.1]])
    ours = kl_divergence(Dirichlet(a), Dirichlet(b))
    theirs = td.kl_divergence(td.Dirichlet(t_a), td.Dirichlet(t_b))
    _same(ours, theirs)
    _same_gradients(ours, theirs, [a, b], [t_a, t_b], rtol=1e-8)  # torch's trigamma is good to ~5e-10


def test_dirichlet_draws_lie_on_the_simplex_with_the_dirichlet_moments():
    autograd.manual_seed(6)
    a = np.array([[0.5, 2.0, 3.0], [0.05, 0.05, 0.05]])
    samples = Dirichlet(autograd.tensor(a)).sample((30_000,))
    assert samples.shape == (30_000, 2, 3) and samples.dtype == np.float64
    np.testing.assert_allclose(samples.data.sum(-1), 1.0, rtol=1e-12)
    assert np.all(samples.data > 0)  # small concentrations underflow: kept at least tiny, as torch's
    total = a.sum(-1, keepdims=True)
    _moments_agree(samples[:, 0], a[0] / total[0], a[0] * (total[0] - a[0]) / (total[0] ** 2 * (total[0] + 1)), 30_000)
    assert np.all(np.isfinite(Dirichlet(autograd.tensor(a)).log_prob(samples).data))


def test_dirichlet_shapes_expand_rsample_and_checks_are_torchs(torch, td):
    a = [[0.5, 2.0, 3.0], [4.0, 0.3, 0.9]]
    ours, theirs = Dirichlet(autograd.tensor(a)), td.Dirichlet(torch.tensor(a, dtype=torch.float64))
    wide, their_wide = ours.expand((4, 2)), theirs.expand((4, 2))
    assert wide.batch_shape == tuple(their_wide.batch_shape) and wide.event_shape == (3,)
    assert wide.sample((5,)).shape == tuple(their_wide.sample((5,)).shape) == (5, 4, 2, 3)
    value = [0.2, 0.3, 0.5]
    _same(wide.log_prob(autograd.tensor(value)), their_wide.log_prob(torch.tensor(value, dtype=torch.float64)))
    assert Dirichlet.has_rsample and td.Dirichlet.has_rsample
    assert wide.rsample((5,)).shape == (5, 4, 2, 3)
    for bad in ([0.2, 0.3, 0.6], [-0.2, 0.7, 0.5]):  # not summing to 1, a negative entry
        with pytest.raises(ValueError, match="support"):
            ours.log_prob(autograd.tensor(bad))
        with pytest.raises(ValueError, match="support"):
            theirs.log_prob(torch.tensor(bad, dtype=torch.float64))
    with pytest.raises(ValueError, match="right-most size"):
        ours.log_prob(autograd.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="right-most size"):
        theirs.log_prob(torch.tensor([0.5, 0.5], dtype=torch.float64))
    with pytest.raises(ValueError, match="concentration"):
        Dirichlet(autograd.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="concentration"):
        td.Dirichlet(torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="at least one-dimensional"):
        Dirichlet(autograd.tensor(2.0))
    with pytest.raises(ValueError, match="at least one-dimensional"):
        td.Dirichlet(torch.tensor(2.0))


@pytest.mark.parametrize("name", ["Normal", "Geometric", "Poisson", "Exponential"])
def test_enumerate_support_of_a_distribution_without_one_raises_not_implemented_error_as_torch(torch, td, name):
    scale = (1.0,) if name == "Normal" else ()
    ours = getattr(autograd.distributions, name)(autograd.tensor([0.5, 0.2]), *scale)
    theirs = getattr(td, name)(torch.tensor([0.5, 0.2]), *scale)
    for expand in (True, False):
        with pytest.raises(NotImplementedError):
            theirs.enumerate_support(expand)
        with pytest.raises(NotImplementedError):
            ours.enumerate_support(expand)


def test_dirichlet_rsample_gradient_of_the_mean_of_many_draws_is_that_of_the_mean():
    """E[x] = a / sum(a): the average over draws of the gradient of w . x in a is that of w . a / sum(a)."""
    concentration = autograd.tensor([0.5, 2.0, 3.0], requires_grad=True)
    weights = np.array([1.0, -2.0, 0.5])
    autograd.manual_seed(13)
    draws = Dirichlet(concentration).rsample((40_000,))
    assert draws.shape == (40_000, 3) and np.allclose(draws.data.sum(-1), 1.0)
    (draws * autograd.tensor(weights)).sum(-1).mean().backward()
    a, total = concentration.data, concentration.data.sum()
    expected = weights / total - (weights @ a) / total**2  # d/da_j of sum_k w_k a_k / sum(a)
    np.testing.assert_allclose(concentration.grad, expected, atol=0.01)
