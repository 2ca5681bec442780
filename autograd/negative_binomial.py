"""``NegativeBinomial(total_count, probs=|logits=)``: the number of successes before ``total_count`` failures in
independent trials each a success with probability p (torch.distributions.NegativeBinomial), r = total_count > 0
(real, not only whole):

    log p(k) = r log sigmoid(-x) + k log sigmoid(x) + lgamma(r + k) - lgamma(k + 1) - lgamma(r),   x = logit p

(the lgamma terms taken as 0 where r + k = 0, torch's); mean r e^x, variance mean / (1 - p), mode
floor((r - 1) e^x) clamped at 0. Draws are Poisson(Gamma(r, e^-x)) draws, torch's gamma-Poisson mixture, made with
numpy's samplers on the library's random state (sample only, as torch's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .discrete_distributions import BinaryParameter
from .distribution_base import Distribution
from .distribution_constraints import greater_than_eq, half_open_interval, nonnegative_integer, real
from .random_state import generator_for
from .tensor import Tensor, where

__all__ = ["NegativeBinomial"]


class NegativeBinomial(BinaryParameter, Distribution):
    """NegativeBinomial(total_count r, probs p | logits x), one per entry of the broadcast parameters: see the
    module docstring. ``total_count`` is kept in the parameter's dtype."""

    arg_constraints = {"total_count": greater_than_eq(0), "probs": half_open_interval(0.0, 1.0), "logits": real}
    support = nonnegative_integer

    def __init__(
        self, total_count: Any, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        count, param = self._take_probability(probs, logits, total_count)
        self.total_count = count.type_as(param)
        super().__init__(tuple(param.shape), validate_args=validate_args)

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._batch_shape

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        rng = generator_for(None)
        count = np.broadcast_to(np.asarray(self.total_count._data, dtype=np.float64), shape)
        odds = np.broadcast_to(np.exp(np.asarray(self.logits._data, dtype=np.float64)), shape)
        rates = rng.standard_gamma(count) * odds
        return Tensor(np.asarray(rng.poisson(rates)).astype(self.total_count.dtype, copy=False))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        count, logits = self.total_count, self.logits
        unnormalised = -count * logits.softplus() - value * (-logits).softplus()  # r log sigmoid(-x) + k log sigmoid(x)
        empty = Tensor(np.asarray((count + value)._data == 0))  # r + k = 0: the normaliser is 0 (torch's), no gradient
        safe_count = where(empty, 1.0, count)
        normaliser = -(safe_count + value).lgamma() + (1.0 + value).lgamma() + safe_count.lgamma()
        return unnormalised - where(empty, 0.0, normaliser)
