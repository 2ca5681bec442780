"""``ExponentialFamily`` (torch.distributions.exp_family's base class)."""

from __future__ import annotations

from .distribution_base import Distribution
from .functional import grad
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """A distribution with density h(x) exp(<theta, t(x)> - A(theta)) (torch.distributions.ExponentialFamily): a
    subclass gives its natural parameters theta (``_natural_params``), its log-normaliser A (``_log_normalizer``)
    and E[log h(x)] (``_mean_carrier_measure``), and gets ``entropy`` and the same-type KL as Bregman divergences of
    A. As torch's, it is the base of Normal, Bernoulli, Beta, Gamma (and Chi2), Exponential, Dirichlet, Poisson,
    Wishart and ContinuousBernoulli, so ``isinstance`` checks agree and kl_divergence between two of different
    families finds the (ExponentialFamily, ExponentialFamily) pair, which refuses them as torch's does; each
    subclass here writes its own entropy and same-type KL."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError(f"{type(self).__name__}._natural_params is not implemented")

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}._log_normalizer is not implemented")

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError(f"{type(self).__name__}._mean_carrier_measure is not implemented")

    def _log_normalizer_and_gradients(self, params: list[Tensor]) -> tuple[Tensor, tuple[Tensor, ...]]:
        """A(theta) at the natural parameters ``params`` (each requiring grad) and grad A(theta), the latter
        differentiable again (create_graph), whatever the grad mode."""
        with enable_grad():
            normaliser = self._log_normalizer(*params)
            return normaliser, grad(normaliser.sum(), params, create_graph=True)

    def entropy(self) -> Tensor:
        """-E[log h(x)] + A(theta) - <theta, grad A(theta)> (torch's Bregman form), summed over each parameter's event
        axes. Unlike torch's, whose theta is detached, the gradient reaches the distribution's parameters."""
        params = [p if p.requires_grad else p.detach().requires_grad_() for p in self._natural_params]
        normaliser, gradients = self._log_normalizer_and_gradients(params)
        result = normaliser - self._mean_carrier_measure
        for param, gradient in zip(params, gradients):
            result = result - (param * gradient).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
