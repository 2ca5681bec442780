"""``kl_divergence(p, q)``: KL(p || q) = E_p[log p(x) - log q(x)] in closed form, for the registered pairs of
distribution types (torch.distributions.kl_divergence); ``register_kl`` adds a pair (autograd.kl_registry holds the
table and picks the most specific pair, as torch's). This module registers every distribution's same-type pair but
Multinomial's (as torch's); autograd.kl_cross_types registers the pairs of different types torch has."""

from __future__ import annotations

from . import (
    kl_cross_types,  # noqa: F401 (registers the pairs of different types)
    kl_more_pairs,  # noqa: F401 (the pairs of Cauchy, ContinuousBernoulli, LowRankMultivariateNormal, Wishart)
    kl_transformed,  # noqa: F401 (registers the pairs of transformed distributions)
)
from .continuous_distributions import Beta, Dirichlet, Exponential, Gamma, Laplace
from .count_distributions import Binomial, Geometric, Poisson
from .discrete_distributions import Bernoulli, Categorical, OneHotCategorical
from .independent_distribution import Independent
from .kl_registry import kl_divergence, register_kl, with_value_where
from .linalg import solve_triangular
from .multivariate_normal import MultivariateNormal
from .normal_distribution import Normal
from .tensor import Tensor
from .torch_module_functions import broadcast_shapes
from .uniform_distribution import Uniform

__all__ = ["kl_divergence", "register_kl"]


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    # 1/2 (s^2 + t - 1 - log s^2), s = sigma_p / sigma_q, t = ((mu_p - mu_q) / sigma_q)^2
    variance_ratio = (p.scale / q.scale) ** 2
    shift = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (variance_ratio + shift - 1 - variance_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    # sum_k p_k (log p_k - log q_k): inf where q_k = 0 < p_k, 0 where p_k = 0; the log-ratio is zeroed there
    # before the product, so that no -inf - -inf = nan (a class masked in both) or inf reaches a gradient
    p_zero, q_zero = p.probs._data == 0, q.probs._data == 0
    log_ratio = with_value_where(p.logits - q.logits, p_zero | q_zero, 0.0)
    terms = with_value_where(p.probs * log_ratio, q_zero & ~p_zero, float("inf"))
    return terms.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    # p log(p/q) + (1-p) log((1-p)/(1-q)), each log-ratio from logits by softplus
    ones = p.probs * ((-q.logits).softplus() - (-p.logits).softplus())
    ones = with_value_where(with_value_where(ones, q.probs._data == 0, float("inf")), p.probs._data == 0, 0.0)
    zeros = (1 - p.probs) * (q.logits.softplus() - p.logits.softplus())
    zeros = with_value_where(with_value_where(zeros, q.probs._data == 1, float("inf")), p.probs._data == 1, 0.0)
    return ones + zeros


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    # log((b_q - a_q) / (b_p - a_p)) where [a_p, b_p] lies inside [a_q, b_q], else inf
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return with_value_where(result, (q.low._data > p.low._data) | (q.high._data < p.high._data), float("inf"))


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    # the bases' KL summed over the reinterpreted axes (both must reinterpret as many)
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL between Independents with different reinterpreted_batch_ndims")
    return p._summed(kl_divergence(p.base_dist, q.base_dist))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariate_normal(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    # 1/2 (tr(Sq^-1 Sp) + |Lq^-1 (mu_q - mu_p)|^2 - k) + log det Lq - log det Lp, with M = Lq^-1 Lp: tr = |M|_F^2
    if p.event_shape != q.event_shape:
        raise ValueError(
            "KL-divergence between two Multivariate Normals with different event shapes cannot be computed"
        )
    shape = tuple(broadcast_shapes(p.batch_shape, q.batch_shape))
    k = p.event_shape[0]
    lp = p.scale_tril.expand(shape + (k, k))
    lq = q.scale_tril.expand(shape + (k, k))
    m = solve_triangular(lq, lp, upper=False)
    shift = solve_triangular(lq, (q.loc - p.loc).expand(shape + (k,)).unsqueeze(-1), upper=False).squeeze(-1)
    return 0.5 * ((m * m).sum((-2, -1)) + (shift * shift).sum(-1) - k) + q._half_log_det() - p._half_log_det()


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    # log(r_p / r_q) + r_q / r_p - 1
    ratio = q.rate / p.rate
    return ratio - ratio.log() - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    # log(b_q / b_p) + |mu_p - mu_q| / b_q + (b_p / b_q) exp(-|mu_p - mu_q| / b_p) - 1
    ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs()
    return -ratio.log() + distance / q.scale + ratio * (-distance / p.scale).exp() - 1


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    # (a_p - a_q) digamma(a_p) - lgamma(a_p) + lgamma(a_q) + a_q log(b_p / b_q) + a_p (b_q - b_p) / b_p
    a_p, b_p, a_q, b_q = p.concentration, p.rate, q.concentration, q.rate
    return (
        (a_p - a_q) * a_p.digamma()
        - a_p.lgamma()
        + a_q.lgamma()
        + a_q * (b_p.log() - b_q.log())
        + a_p * (b_q / b_p - 1)
    )


@register_kl(Beta, Beta)
def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    # log B(a_q, b_q) - log B(a_p, b_p) + (a_p - a_q) digamma(a_p) + (b_p - b_q) digamma(b_p)
    #   + (a_q - a_p + b_q - b_p) digamma(a_p + b_p)
    a_p, b_p, a_q, b_q = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    return (
        q._log_beta()
        - p._log_beta()
        + (a_p - a_q) * a_p.digamma()
        + (b_p - b_q) * b_p.digamma()
        + (a_q - a_p + b_q - b_p) * (a_p + b_p).digamma()
    )


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    # r_p (log r_p - log r_q) - (r_p - r_q)
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p: Binomial, q: Binomial) -> Tensor:
    # n (p_p (x_p - x_q) + log(1 - p_p) - log(1 - p_q)) for equal n; inf where n_p > n_q, not implemented for n_p < n_q
    if (p.total_count._data < q.total_count._data).any():
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return with_value_where(kl, p.total_count._data > q.total_count._data, float("inf"))


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p: Geometric, q: Geometric) -> Tensor:
    # -H(p) - log(1 - q) / p - logit q  (E_p[k] log(1 - q) + log q, with E_p[k] = 1/p - 1)
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    # the inner Categoricals' KL
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    # lgamma(a0) - lgamma(b0) - sum_k (lgamma(a_k) - lgamma(b_k)) + sum_k (a_k - b_k) (digamma(a_k) - digamma(a0))
    a, b = p.concentration, q.concentration
    a0, b0 = a.sum(-1), b.sum(-1)
    return (
        a0.lgamma()
        - b0.lgamma()
        - (a.lgamma() - b.lgamma()).sum(-1)
        + ((a - b) * (a.digamma() - a0.digamma().unsqueeze(-1))).sum(-1)
    )
