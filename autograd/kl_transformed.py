"""KL(p || q) for the transformed distributions: the pairs torch.distributions.kl registers with Gumbel, Pareto,
HalfNormal or TransformedDistribution on a side and a type that is here on the other.

    Gumbel-Gumbel (r = s_p / s_q):  -log r - (m_q - m_p) / s_q + r gamma + exp((m_q - m_p) / s_q + lgamma(1 + r)) - 1 - gamma
    Pareto-Pareto:                   a_q log(s_p / s_q) - log(a_q / a_p) + a_q / a_p - 1   (inf where s_p < s_q)
    HalfNormal-HalfNormal:           the KL of the underlying Normals
    TransformedDistribution pairs:   the bases' KL, when both use equal transforms and event shapes (else
                                     NotImplementedError, as torch's)

Against other types each is -H(p) - E_p[log q(x)], from the moments of p q's log-density needs; it is inf where q
has no mass on part of p's support (a Gumbel against a distribution on a half-line or an interval, a Pareto
against a Beta or a Uniform, anything on the whole line against a Pareto), and for a Pareto p against an
Exponential or a Gamma where p's mean is infinite (alpha <= 1), against a Normal where its variance is (alpha <= 2).
"""

from __future__ import annotations

import math

import numpy as np

from .continuous_bernoulli import ContinuousBernoulli
from .continuous_distributions import Beta, Exponential, Gamma, Laplace
from .distribution_base import Distribution
from .extreme_value_distributions import Gumbel, Pareto
from .kl_registry import kl_divergence, register_kl, with_value_where
from .normal_distribution import Normal
from .tensor import Tensor, where
from .transformed_distribution import TransformedDistribution
from .transformed_families import HalfNormal
from .uniform_distribution import Uniform

__all__: list[str] = []

_EULER_GAMMA = float(np.euler_gamma)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p: Gumbel, q: Gumbel) -> Tensor:
    ratio = p.scale / q.scale
    shift = (q.loc - p.loc) / q.scale
    return -ratio.log() - shift + ratio * _EULER_GAMMA + (shift + (1 + ratio).lgamma()).exp() - (1 + _EULER_GAMMA)


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p: Pareto, q: Pareto) -> Tensor:
    alpha_ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - alpha_ratio.log() + alpha_ratio - 1
    return with_value_where(result, p.scale._data < q.scale._data, math.inf)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p: HalfNormal, q: HalfNormal) -> Tensor:
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p: TransformedDistribution, q: TransformedDistribution) -> Tensor:
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for {type(p).__name__} and {type(q).__name__} with different transforms "
            "or event shapes"
        )
    return kl_divergence(p.base_dist, q.base_dist)


# -- Gumbel against other types ----------------------------------------------------------------------------------
@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p: Gumbel, q: Normal) -> Tensor:
    ratio = p.scale / q.scale
    return (
        -(ratio / math.sqrt(2 * math.pi)).log()
        + (math.pi * ratio * 0.5) ** 2 / 3
        + ((p.loc + p.scale * _EULER_GAMMA - q.loc) / q.scale) ** 2 * 0.5
        - (_EULER_GAMMA + 1)
    )


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p: Normal, q: Gumbel) -> Tensor:
    mean_ratio = p.loc / q.scale
    variance_ratio = (p.scale / q.scale) ** 2
    loc_ratio = q.loc / q.scale
    return (
        -0.5 * variance_ratio.log()
        + mean_ratio
        - loc_ratio
        + (-mean_ratio + 0.5 * variance_ratio + loc_ratio).exp()
        - 0.5 * (1 + math.log(2 * math.pi))
    )


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p: Exponential, q: Gumbel) -> Tensor:
    product = p.rate * q.scale
    loc_ratio = q.loc / q.scale
    return product.log() - 1 - loc_ratio + loc_ratio.exp() * product / (product + 1) + product.reciprocal()


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p: Gamma, q: Gumbel) -> Tensor:
    a = p.concentration
    product = p.rate * q.scale
    loc_ratio = q.loc / q.scale
    return (
        (a - 1) * a.digamma()
        - a.lgamma()
        - a
        + product.log()
        + a / product
        + loc_ratio.exp() * (1 + product.reciprocal()) ** (-a)
        - loc_ratio
    )


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p: Uniform, q: Gumbel) -> Tensor:
    ratio = q.scale / (p.high - p.low)
    high = (p.high - q.loc) / q.scale
    low = (p.low - q.loc) / q.scale
    return ratio.log() + 0.5 * (high + low) - ratio * ((-high).exp() - (-low).exp())


# -- Pareto against other types ----------------------------------------------------------------------------------
def _alpha_above(p: Pareto, bound: float) -> Tensor:
    """p's alpha where it exceeds ``bound``, bound + 1 elsewhere (where the KL is inf and is set so)."""
    return where(Tensor(p.alpha._data > bound), p.alpha, bound + 1.0)


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p: Pareto, q: Exponential) -> Tensor:
    a = _alpha_above(p, 1)
    product = p.scale * q.rate
    result = (a / product).log() - a.reciprocal() + a * product / (a - 1) - 1
    return with_value_where(result, p.alpha._data <= 1, math.inf)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p: Pareto, q: Gamma) -> Tensor:
    a = _alpha_above(p, 1)
    common = p.scale.log() + a.reciprocal()  # E log x
    c = q.concentration
    result = a.log() - common + c.lgamma() - c * q.rate.log() + (1 - c) * common + q.rate * a * p.scale / (a - 1) - 1
    return with_value_where(result, p.alpha._data <= 1, math.inf)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p: Pareto, q: Normal) -> Tensor:
    a = _alpha_above(p, 2)
    common = p.scale / (a - 1)
    result = (
        (math.sqrt(2 * math.pi) * q.scale * a / p.scale).log()
        - a.reciprocal()
        + (a * common**2 / (a - 2) + (a * common - q.loc) ** 2) / (2 * q.scale**2)
        - 1
    )
    return with_value_where(result, p.alpha._data <= 2, math.inf)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p: Uniform, q: Pareto) -> Tensor:
    # -E log q = -log(a s^a) + (a + 1) E log x, E log x over [low, high]; inf where low < s
    outside = p.low._data < q.scale._data
    low = with_value_where(p.low, outside, 1.0)
    high = with_value_where(p.high, outside, 2.0)
    width = high - low
    mean_log = (high.xlogy(high) - low.xlogy(low)) / width - 1
    result = (q.alpha + 1) * mean_log - (q.alpha * q.scale**q.alpha * width).log()
    return with_value_where(result, outside, math.inf)


@register_kl(Beta, Pareto)
@register_kl(ContinuousBernoulli, Pareto)
@register_kl(Exponential, Pareto)
@register_kl(Gamma, Pareto)
@register_kl(Gumbel, Beta)
@register_kl(Gumbel, ContinuousBernoulli)
@register_kl(Gumbel, Exponential)
@register_kl(Gumbel, Gamma)
@register_kl(Gumbel, Pareto)
@register_kl(Gumbel, Uniform)
@register_kl(Laplace, Pareto)
@register_kl(Normal, Pareto)
@register_kl(Pareto, Beta)
@register_kl(Pareto, ContinuousBernoulli)
@register_kl(Pareto, Uniform)
def _kl_infinite(p: Distribution, q: Distribution) -> Tensor:
    # inf everywhere, p's batch shape and dtype, no graph (torch's _infinite_like)
    return Tensor(np.full(p.batch_shape, math.inf, dtype=p._dtype()))
