"""Bernoulli and Binomial given infinite logits (p exactly 0 or 1): the outcome is certain, so log p is 0 there and
-inf at any other value, and the entropy is 0 (0 log 0 = 0), not the nan of inf - inf or 0 * inf (torch's nan).
Geometric's entropy at probabilities below the clamp of its logits."""

from __future__ import annotations

import math

import numpy as np

import autograd
from autograd.distributions import Bernoulli, Binomial, Geometric

INF = math.inf


def test_bernoulli_log_prob_at_infinite_logits_is_zero_for_the_certain_outcome_and_minus_inf_otherwise():
    logits = autograd.tensor([-INF, -INF, INF, INF, 0.0], requires_grad=True)
    value = autograd.tensor([0.0, 1.0, 0.0, 1.0, 1.0])
    log_p = Bernoulli(logits=logits).log_prob(value)
    np.testing.assert_array_equal(np.asarray(log_p.data), [0.0, -INF, -INF, 0.0, -math.log(2.0)])
    log_p.backward(autograd.ones(5))
    # d/dx [y x - softplus(x)] = y - sigmoid(x), its limit at x = -inf (sigmoid 0) and +inf (sigmoid 1)
    np.testing.assert_array_equal(np.asarray(logits.grad), [0.0, 1.0, -1.0, 0.0, 0.5])


def test_bernoulli_entropy_at_infinite_logits_is_zero():
    logits = autograd.tensor([-INF, INF, 0.0], requires_grad=True)
    entropy = Bernoulli(logits=logits).entropy()
    np.testing.assert_allclose(np.asarray(entropy.data), [0.0, 0.0, math.log(2.0)], rtol=1e-15)
    entropy.sum().backward()
    np.testing.assert_array_equal(np.asarray(logits.grad), [0.0, 0.0, 0.0])  # dH/dx = -x p (1 - p)


def test_binomial_log_prob_at_infinite_logits_is_zero_for_the_certain_count_and_minus_inf_otherwise():
    logits = autograd.tensor([-INF, -INF, INF, INF, 0.0], requires_grad=True)
    value = autograd.tensor([0.0, 2.0, 3.0, 1.0, 1.0])
    log_p = Binomial(3, logits=logits).log_prob(value)
    np.testing.assert_allclose(np.asarray(log_p.data), [0.0, -INF, 0.0, -INF, math.log(3 / 8)], rtol=1e-15)
    log_p.backward(autograd.ones(5))
    # d/dx [k x - n softplus(x)] = k - n sigmoid(x)
    np.testing.assert_array_equal(np.asarray(logits.grad), [0.0, 2.0, 0.0, -2.0, -0.5])


def test_geometric_entropy_given_probs_below_the_clamp_is_finite_and_right():
    """H = -log p - (1 - p) log(1 - p) / p: about 1 - log p for tiny p (not the clamped logits' 1e284), 0 at p = 1."""
    probs = autograd.tensor([1e-300, 1e-20, 0.3, 1.0])
    entropy = np.asarray(Geometric(probs=probs).entropy().data)
    p = 0.3
    expected = [1.0 + 300 * math.log(10.0), 1.0 + 20 * math.log(10.0), -math.log(p) - (1 - p) / p * math.log1p(-p), 0]
    np.testing.assert_allclose(entropy, expected, rtol=1e-14, atol=1e-300)
