"""``Poisson``, ``Binomial``, ``Geometric`` and ``Multinomial``: distributions of counts (torch.distributions' of
those names). Draws are made with numpy's samplers on the library's random state (``autograd.manual_seed``'s) and
are floats of the parameters' dtype, as torch's; densities, entropies and moments are differentiable in the
parameters:

    Poisson(r):       log p(k) = k log r - r - lgamma(k + 1)                 (0 log 0 = 0, torch's xlogy)
    Binomial(n, p):   log p(k) = k x - n softplus(x) + lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1),  x = logit p
    Geometric(p):     log p(k) = k log(1 - p) + log p   (k failures before the first success, k = 0, 1, ...)
    Multinomial(n, p): log p(x) = lgamma(sum x + 1) - sum lgamma(x + 1) + sum x log p
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import Constraint, nonnegative, nonnegative_integer
from .random_state import generator_for
from .tensor import Tensor

__all__ = ["Poisson"]


def _draws(distribution: Distribution, sample_shape: Any, draw: Any, *params: Tensor) -> Tensor:
    """``draw(rng, *params)`` with numpy's sampler on the library's random state, each parameter broadcast to the
    draw's shape (sample_shape + batch_shape + event_shape), as a Tensor of the first parameter's dtype."""
    shape = distribution._extended_shape(sample_shape)
    draws = draw(generator_for(None), *(np.broadcast_to(p._data, shape) for p in params))
    return Tensor(np.asarray(draws).astype(params[0].dtype, copy=False))


class Poisson(Distribution):
    """Poisson(rate): counts k = 0, 1, ... with probability rate^k e^(-rate) / k!, one per entry of ``rate`` (>= 0).

    mean = variance = rate, mode floor(rate); log_prob is xlogy(k, rate) - rate - lgamma(k + 1), so a rate of 0
    gives log p(0) = 0 (torch's convention); no entropy (torch has none).
    """

    arg_constraints = {"rate": nonnegative}
    support: Constraint = nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(tuple(self.rate.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _draws(self, sample_shape, np.random.Generator.poisson, self.rate)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()
