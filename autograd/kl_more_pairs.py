"""KL(p || q) for the pairs torch.distributions.kl registers among Cauchy, ContinuousBernoulli and
LowRankMultivariateNormal and the types here, and Wishart's (Chi2 takes Gamma's pairs, as a Gamma subclass):

    Cauchy(a, s) || Cauchy(b, t):      log((s + t)^2 + (a - b)^2) - log(4 s t)
    HalfCauchy(s) || HalfCauchy(t):    2 log(s + t) - log(4 s t), the KL of Cauchy(0, s) and Cauchy(0, t) (folding both
                                       densities about 0 doubles each, and their ratio is unchanged; torch, with
                                       HalfCauchy a Cauchy under AbsTransform, takes the same bases' KL)
    ContinuousBernoulli pairs:         -H(p) - E_p[log q(x)], with log q(x) = x eta - softplus(eta) + log C(lambda)
                                       for a ContinuousBernoulli q, so -E log q = -E[x] eta - log(1 - lambda) - log C
    Gaussians (low rank or not):       1/2 (log det Sq - log det Sp + tr(Sq^-1 Sp) + |mu_q - mu_p|^2_Sq^-1 - n),
                                       Sq^-1 applied by Woodbury through q's capacitance where q is low rank
    Wishart(n, Sp) || Wishart(m, Sq):  m/2 (log det Sq - log det Sp) + n/2 (tr(Sq^-1 Sp) - p) + log Gamma_p(m/2)
                                       - log Gamma_p(n/2) + (n - m)/2 psi_p(n/2)   (torch's, an ExponentialFamily
                                       pair there, gives the same by its Bregman divergence)

KL is inf where q has no mass on part of p's support: a Normal, Laplace, Exponential or Gamma against a
ContinuousBernoulli (on [0, 1]); a ContinuousBernoulli against a Uniform not covering [0, 1]; a Uniform leaving [0, 1]
against a ContinuousBernoulli. (torch counts a Uniform's bound on 0 or 1 as leaving, inf there; the KL is finite
there and is given.)
"""

from __future__ import annotations

import math

import numpy as np

from .cauchy_distributions import Cauchy, HalfCauchy
from .continuous_bernoulli import ContinuousBernoulli, ExponentialFamily
from .continuous_distributions import Beta, Exponential, Gamma, Laplace
from .distribution_base import Distribution
from .kl_registry import register_kl, with_value_where
from .linalg import solve_triangular
from .low_rank_multivariate_normal import LowRankMultivariateNormal, lowrank_log_det, lowrank_mahalanobis, trace_of_gram
from .multivariate_normal import MultivariateNormal
from .normal_distribution import Normal
from .tensor import Tensor
from .torch_module_functions import broadcast_shapes
from .uniform_distribution import Uniform
from .wishart import Wishart, multivariate_digamma, multivariate_lgamma

__all__: list[str] = []


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    return ((p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2).log() - (4 * p.scale * q.scale).log()


@register_kl(HalfCauchy, HalfCauchy)
def _kl_halfcauchy_halfcauchy(p: HalfCauchy, q: HalfCauchy) -> Tensor:
    return 2 * (p.scale + q.scale).log() - (4 * p.scale * q.scale).log()


# -- ContinuousBernoulli ------------------------------------------------------------------------------------------
def _continuous_bernoulli_cross_entropy(q: ContinuousBernoulli, mean: Tensor) -> Tensor:
    """-E_p[log q(x)] for a ContinuousBernoulli q, from p's mean."""
    return -mean * q.logits - (-q.probs).log1p() - q._log_norm()


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p: ContinuousBernoulli, q: ContinuousBernoulli) -> Tensor:
    # p's entropy written out: mean (eta_p - eta_q) + log C_p + log(1 - lambda_p) - log C_q - log(1 - lambda_q)
    return p.mean * (p.logits - q.logits) + p._log_norm() + (-p.probs).log1p() - q._log_norm() - (-q.probs).log1p()


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p: Beta, q: ContinuousBernoulli) -> Tensor:
    return -p.entropy() + _continuous_bernoulli_cross_entropy(q, p.mean)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p: Uniform, q: ContinuousBernoulli) -> Tensor:
    # inf where [low, high] leaves [0, 1]
    kl = -p.entropy() + _continuous_bernoulli_cross_entropy(q, p.mean)
    return with_value_where(kl, (p.low._data < 0) | (p.high._data > 1), math.inf)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p: ContinuousBernoulli, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p: ContinuousBernoulli, q: Normal) -> Tensor:
    # -E log q = log(s sqrt(2 pi)) + (Var x + (E x - m)^2) / (2 s^2)
    cross_entropy = (
        0.5 * math.log(2 * math.pi) + q.scale.log() + (p.variance + (p.mean - q.loc) ** 2) / (2 * q.scale**2)
    )
    return -p.entropy() + cross_entropy


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p: ContinuousBernoulli, q: Uniform) -> Tensor:
    # -H(p) + log(high - low) where [0, 1] lies inside [low, high], else inf
    kl = -p.entropy() + (q.high - q.low).log()
    return with_value_where(kl, (q.low._data > 0) | (q.high._data < 1), math.inf)


@register_kl(Exponential, ContinuousBernoulli)
@register_kl(Gamma, ContinuousBernoulli)
@register_kl(Laplace, ContinuousBernoulli)
@register_kl(Normal, ContinuousBernoulli)
def _kl_outside_unit_interval(p: Distribution, q: Distribution) -> Tensor:
    # inf everywhere, p's batch shape and dtype, no graph (torch's)
    return Tensor(np.full(p.batch_shape, math.inf, dtype=p._dtype()))


# -- Gaussians, low rank or not ----------------------------------------------------------------------------------
def _solve_lower(tril: Tensor, rhs: Tensor) -> Tensor:
    """L^-1 rhs, the batch axes of L and rhs broadcast."""
    batch = tuple(broadcast_shapes(tuple(tril.shape[:-2]), tuple(rhs.shape[:-2])))
    return solve_triangular(
        tril.expand(batch + tuple(tril.shape[-2:])), rhs.expand(batch + tuple(rhs.shape[-2:])), upper=False
    )


def _check_events(p: Distribution, q: Distribution) -> None:
    if p.event_shape != q.event_shape:
        raise ValueError(
            "KL-divergence between two (Low Rank) Multivariate Normals with different event shapes cannot be computed"
        )


def _woodbury_rows(q: LowRankMultivariateNormal) -> Tensor:
    """A = L_K^-1 W^T D^-1 (m x n): Sq^-1 = D^-1 - A^T A."""
    diag = q._unbroadcasted_cov_diag
    return _solve_lower(q._capacitance_tril, q._unbroadcasted_cov_factor.mT / diag.unsqueeze(-2))


def _lowrank_q_terms(p: Distribution, q: LowRankMultivariateNormal) -> tuple[Tensor, Tensor]:
    """q's log det and the Mahalanobis term |mu_q - mu_p|^2 in Sq^-1."""
    factor, diag, capacitance = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag, q._capacitance_tril
    return lowrank_log_det(diag, capacitance), lowrank_mahalanobis(factor, diag, q.loc - p.loc, capacitance)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p: LowRankMultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    # tr(Sq^-1 Sp) = tr(D_q^-1 D_p) + |D_q^-1/2 W_p|^2 - |A D_p^1/2|^2 - |A W_p|^2
    _check_events(p, q)
    log_det_q, mahalanobis = _lowrank_q_terms(p, q)
    log_det_p = lowrank_log_det(p._unbroadcasted_cov_diag, p._capacitance_tril)
    a = _woodbury_rows(q)
    p_factor, p_diag, q_diag = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag, q._unbroadcasted_cov_diag
    trace = (
        (p_diag / q_diag).sum(-1)
        + trace_of_gram(p_factor / q_diag.sqrt().unsqueeze(-1))
        - trace_of_gram(a * p_diag.sqrt().unsqueeze(-2))
        - trace_of_gram(a @ p_factor)
    )
    return 0.5 * (log_det_q - log_det_p + trace + mahalanobis - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_multivariate_normal_lowrank(p: MultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    # tr(Sq^-1 Sp) = |D_q^-1/2 L_p|^2 - |A L_p|^2
    _check_events(p, q)
    log_det_q, mahalanobis = _lowrank_q_terms(p, q)
    a = _woodbury_rows(q)
    trace = trace_of_gram(p.scale_tril / q._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)) - trace_of_gram(
        a @ p.scale_tril
    )
    return 0.5 * (log_det_q - 2 * p._half_log_det() + trace + mahalanobis - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_multivariate_normal(p: LowRankMultivariateNormal, q: MultivariateNormal) -> Tensor:
    # tr(Sq^-1 Sp) = |L_q^-1 W_p|^2 + |L_q^-1 D_p^1/2|^2
    _check_events(p, q)
    log_det_p = lowrank_log_det(p._unbroadcasted_cov_diag, p._capacitance_tril)
    shift = _solve_lower(q.scale_tril, (q.loc - p.loc).unsqueeze(-1))
    trace = trace_of_gram(_solve_lower(q.scale_tril, p._unbroadcasted_cov_factor)) + trace_of_gram(
        _solve_lower(q.scale_tril, p._unbroadcasted_cov_diag.sqrt().diag_embed())
    )
    return 0.5 * (2 * q._half_log_det() - log_det_p + trace + trace_of_gram(shift) - p.event_shape[0])


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_exponential_family(p: ExponentialFamily, q: ExponentialFamily) -> Tensor:
    # the Bregman divergence of the log-normaliser A: A(eta_q) - A(eta_p) - <eta_q - eta_p, grad A(eta_p)>; torch's
    # takes p's natural parameters detached, so, as there, only q's parameters get gradients
    if type(p) is not type(q):
        raise NotImplementedError(
            "The cross KL-divergence between different exponential families cannot be computed using Bregman "
            "divergences"
        )
    p_params = [param.detach().requires_grad_() for param in p._natural_params]
    q_params = q._natural_params
    p_normaliser, gradients = p._log_normalizer_and_gradients(p_params)
    result = q._log_normalizer(*q_params) - p_normaliser
    event_axes = tuple(range(-len(q.event_shape), 0))
    for p_param, q_param, gradient in zip(p_params, q_params, gradients):
        term = (q_param - p_param) * gradient
        result = result - (term.sum(event_axes) if event_axes else term)
    return result


@register_kl(Wishart, Wishart)
def _kl_wishart_wishart(p: Wishart, q: Wishart) -> Tensor:
    size = p.event_shape[-1]
    if q.event_shape[-1] != size:
        raise ValueError(f"KL between Wisharts of different sizes, {size} and {q.event_shape[-1]}")
    n, m = p.df, q.df
    # tr(Sq^-1 Sp) = |Lq^-1 Lp|_F^2
    trace = (solve_triangular(q.scale_tril, p.scale_tril, upper=False) ** 2).sum((-2, -1))
    return (
        m * (q.half_log_det() - p.half_log_det())
        + 0.5 * n * (trace - size)
        + multivariate_lgamma(0.5 * m, size)
        - multivariate_lgamma(0.5 * n, size)
        + 0.5 * (n - m) * multivariate_digamma(0.5 * n, size)
    )
