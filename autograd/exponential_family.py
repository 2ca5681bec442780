"""``ExponentialFamily`` (torch.distributions.exp_family's base class)."""

from __future__ import annotations

from .distribution_base import Distribution
from .tensor import Tensor

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """A distribution with density h(x) exp(<theta, t(x)> - A(theta)) (torch.distributions.ExponentialFamily): a
    subclass gives its natural parameters theta (``_natural_params``), its log-normaliser A (``_log_normalizer``)
    and E[log h(x)] (``_mean_carrier_measure``). As torch's, it is the base of Normal, Bernoulli, Beta, Gamma (and
    Chi2), Exponential, Dirichlet, Poisson, Wishart and ContinuousBernoulli, so ``isinstance`` checks agree and
    kl_divergence between two of different families finds the (ExponentialFamily, ExponentialFamily) pair, which
    refuses them as torch's does; each subclass here writes its own entropy and same-type KL."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError(f"{type(self).__name__}._natural_params is not implemented")

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}._log_normalizer is not implemented")

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError(f"{type(self).__name__}._mean_carrier_measure is not implemented")
