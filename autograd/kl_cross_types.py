"""KL(p || q) for p and q of different types: the pairs torch.distributions.kl registers whose two types are here.

Where finite, each is the cross-entropy minus p's entropy, KL = -H(p) - E_p[log q(x)], with E_p[log q(x)] written
from the moments of p that q's log-density needs:

    q = Normal(m, s):      -E log q = log(s sqrt(2 pi)) + (Var x + (E x - m)^2) / (2 s^2)
    q = Exponential(r):    -E log q = -log r + r E x
    q = Gamma(c, r):       -E log q = lgamma(c) - c log r - (c - 1) E log x + r E x
    q = Beta(a, b):        -E log q = log B(a, b) - (a - 1) E log x - (b - 1) E log(1 - x)
    q = Poisson(r):        -E log q = r - E[k] log r + E log k!   (0 for k = 0, 1)
    q = Laplace(m, b):     -E log q = log(2 b) + E|x - m| / b

KL is inf where q puts no mass on part of p's support, as torch's: a distribution on the whole line (Normal,
Laplace) against one on [0, inf) or [0, 1], an unbounded one against one on [0, 1] or an interval, a Poisson against
a Bernoulli or a Binomial, and a Uniform (or a Beta) whose interval leaves q's support. Where every entry is inf
the result is outside the graph and has p's batch shape (torch's ``_infinite_like(p's parameter)``); where only
some are, the others keep their gradients and the inf entries pass none.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .continuous_distributions import Beta, Exponential, Gamma, Laplace
from .count_distributions import Binomial, Poisson
from .discrete_distributions import Bernoulli
from .distribution_base import Distribution
from .kl_registry import register_kl, with_value_where
from .normal_distribution import Normal
from .tensor import Tensor
from .uniform_distribution import Uniform

__all__: list[str] = []

_EULER_GAMMA = float(np.euler_gamma)
_SQRT_2PI = math.sqrt(2 * math.pi)


# -- -E_p[log q(x)] for each type of q, from p's moments -------------------------------------------------------
def _normal_cross_entropy(q: Normal, mean: Tensor, variance: Tensor) -> Tensor:
    return (q.scale * _SQRT_2PI).log() + (variance + (mean - q.loc) ** 2) / (2 * q.scale**2)


def _exponential_cross_entropy(q: Exponential, mean: Tensor) -> Tensor:
    return q.rate * mean - q.rate.log()


def _gamma_cross_entropy(q: Gamma, mean: Tensor, mean_log: Tensor) -> Tensor:
    c, r = q.concentration, q.rate
    return c.lgamma() - c * r.log() - (c - 1) * mean_log + r * mean


def _uniform_mean_log(low: Tensor, high: Tensor) -> Tensor:
    """E log x for x ~ U[low, high], 0 <= low: (h log h - l log l) / (h - l) - 1 (0 log 0 = 0)."""
    return (high.xlogy(high) - low.xlogy(low)) / (high - low) - 1


def _inside_unit_interval(p: Uniform) -> tuple[Any, Tensor, Tensor]:
    """The entries where [low, high] leaves [0, 1], and p's bounds with 0 and 1 put there (the KL is inf there;
    the bounds only keep the logs of the other terms defined, and pass no gradient)."""
    outside = (p.low._data < 0) | (p.high._data > 1)
    return outside, with_value_where(p.low, outside, 0.0), with_value_where(p.high, outside, 1.0)


def _inside_half_line(p: Uniform) -> tuple[Any, Tensor, Tensor]:
    """The entries where [low, high] reaches below 0, and p's bounds with 0 and 1 put there (see above)."""
    outside = p.low._data < 0
    return outside, with_value_where(p.low, outside, 0.0), with_value_where(p.high, outside, 1.0)


# -- finite pairs -------------------------------------------------------------------------------------------
@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    # -H(p) + r - p log r, with 0 log 0 = 0 (p = 0, r = 0: KL 0, where torch's p * log r gives nan)
    return -p.entropy() + q.rate - p.probs.xlogy(q.rate)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p: Beta, q: Exponential) -> Tensor:
    return -p.entropy() + _exponential_cross_entropy(q, p.mean)


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p: Beta, q: Gamma) -> Tensor:
    # E log x = digamma(a) - digamma(a + b)
    a, b = p.concentration1, p.concentration0
    return -p.entropy() + _gamma_cross_entropy(q, p.mean, a.digamma() - (a + b).digamma())


@register_kl(Beta, Normal)
def _kl_beta_normal(p: Beta, q: Normal) -> Tensor:
    return -p.entropy() + _normal_cross_entropy(q, p.mean, p.variance)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p: Beta, q: Uniform) -> Tensor:
    # -H(p) + log(high - low) where [0, 1] lies inside [low, high], else inf
    kl = -p.entropy() + (q.high - q.low).log()
    return with_value_where(kl, (q.low._data > 0) | (q.high._data < 1), math.inf)


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p: Exponential, q: Gamma) -> Tensor:
    # E x = 1 / l, E log x = -gamma - log l (gamma: Euler's constant)
    return -p.entropy() + _gamma_cross_entropy(q, p.mean, -_EULER_GAMMA - p.rate.log())


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p: Exponential, q: Normal) -> Tensor:
    return -p.entropy() + _normal_cross_entropy(q, p.mean, p.variance)


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p: Gamma, q: Exponential) -> Tensor:
    return -p.entropy() + _exponential_cross_entropy(q, p.mean)


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p: Gamma, q: Normal) -> Tensor:
    return -p.entropy() + _normal_cross_entropy(q, p.mean, p.variance)


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p: Laplace, q: Normal) -> Tensor:
    return -p.entropy() + _normal_cross_entropy(q, p.loc, 2 * p.scale**2)


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    # E|x - m| over N(mu, s^2), d = mu - m: s sqrt(2 / pi) exp(-d^2 / (2 s^2)) + d erf(d / (s sqrt 2))
    shift = p.loc - q.loc
    standardized = shift / p.scale
    mean_distance = (
        p.scale * math.sqrt(2 / math.pi) * (-0.5 * standardized**2).exp() + shift * (standardized / math.sqrt(2)).erf()
    )
    return -p.entropy() + (2 * q.scale).log() + mean_distance / q.scale


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p: Uniform, q: Beta) -> Tensor:
    # E log(1 - x) is E log y for y = 1 - x ~ U[1 - high, 1 - low]; inf where [low, high] leaves [0, 1]
    outside, low, high = _inside_unit_interval(p)
    a, b = q.concentration1, q.concentration0
    cross_entropy = (
        q._log_beta() - (a - 1) * _uniform_mean_log(low, high) - (b - 1) * _uniform_mean_log(1 - high, 1 - low)
    )
    return with_value_where(-(high - low).log() + cross_entropy, outside, math.inf)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    # inf where low < 0
    kl = -p.entropy() + _exponential_cross_entropy(q, p.mean)
    return with_value_where(kl, p.low._data < 0, math.inf)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    # inf where low < 0
    outside, low, high = _inside_half_line(p)
    kl = -(high - low).log() + _gamma_cross_entropy(q, (high + low) / 2, _uniform_mean_log(low, high))
    return with_value_where(kl, outside, math.inf)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    return -p.entropy() + _normal_cross_entropy(q, p.mean, p.variance)


# -- pairs where q has no mass on part of p's support -------------------------------------------------------------
@register_kl(Exponential, Beta)
@register_kl(Exponential, Uniform)
@register_kl(Gamma, Beta)
@register_kl(Gamma, Uniform)
@register_kl(Laplace, Beta)
@register_kl(Laplace, Exponential)
@register_kl(Laplace, Gamma)
@register_kl(Laplace, Uniform)
@register_kl(Normal, Beta)
@register_kl(Normal, Exponential)
@register_kl(Normal, Gamma)
@register_kl(Normal, Uniform)
@register_kl(Poisson, Bernoulli)
@register_kl(Poisson, Binomial)
def _kl_infinite(p: Distribution, q: Distribution) -> Tensor:
    # inf everywhere, p's batch shape and dtype, no graph (torch's, even for a Poisson of rate 0 against q)
    return Tensor(np.full(p.batch_shape, math.inf, dtype=p._dtype()))
