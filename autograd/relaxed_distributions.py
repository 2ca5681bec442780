"""The Concrete (Gumbel-softmax) relaxations of Bernoulli and OneHotCategorical (torch.distributions' of these
names; Maddison et al. 2017, Jang et al. 2017), all with reparameterised draws at a temperature t > 0:

    LogitRelaxedBernoulli(t, probs | logits): x = (logit u + logit p) / t, u ~ U(0, 1)
        log p(x) = log t + d - 2 log(1 + e^d), d = logit p - t x
    RelaxedBernoulli: sigmoid of a LogitRelaxedBernoulli draw, on (0, 1)
    ExpRelaxedCategorical(t, probs | logits): x = s - logsumexp(s), s = (logits + g) / t, g ~ Gumbel(0, 1) per class
        log p(x) = lgamma(K) + (K - 1) log t + sum_k (c_k - logsumexp(c)), c = logits - t x
    RelaxedOneHotCategorical: exp of an ExpRelaxedCategorical draw, on the simplex
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Node
from .discrete_distributions import BinaryParameter, Categorical, clamp_probs
from .distribution_base import Distribution, _shape, broadcast_all
from .distribution_constraints import real, real_vector, simplex, unit_interval
from .elementwise_transforms import ExpTransform, SigmoidTransform
from .tensor import Tensor
from .tensor_functions import rand
from .transformed_distribution import TransformedDistribution

__all__ = ["ExpRelaxedCategorical", "LogitRelaxedBernoulli", "RelaxedBernoulli", "RelaxedOneHotCategorical"]


def _temperature(temperature: Any, dtype: Any) -> Tensor:
    """The temperature as a Tensor (a number takes the parameters' dtype)."""
    return temperature if isinstance(temperature, Node) else Tensor(np.asarray(temperature, dtype=dtype))


class LogitRelaxedBernoulli(BinaryParameter, Distribution):
    """The logit of a RelaxedBernoulli draw: see the module docstring."""

    arg_constraints = {"probs": unit_interval, "logits": real}
    support = real
    has_rsample = True

    def __init__(
        self, temperature: Any, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        (param,) = self._take_probability(probs, logits)
        self._param = param
        self.temperature = _temperature(temperature, param.dtype)
        given = probs if probs is not None else logits
        batch_shape = () if isinstance(given, (int, float)) else tuple(param.shape)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogitRelaxedBernoulli:
        """The same distribution over ``batch_shape`` (the temperature kept as it is)."""
        batch_shape = _shape(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name in ("probs", "logits"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name].expand(batch_shape)
                new._param = new.__dict__[name]
        new._batch_shape = batch_shape
        return new

    @property
    def param_shape(self) -> tuple[int, ...]:
        return tuple(self._param.shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        uniforms = clamp_probs(rand(shape, dtype=probs.dtype))
        return (uniforms.log() - (-uniforms).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        logits, value = broadcast_all(self.logits, value)
        difference = logits - value * self.temperature
        return self.temperature.log() + difference - 2 * difference.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
    """sigmoid of a LogitRelaxedBernoulli: a draw in (0, 1) near 0 or 1 at low temperature."""

    arg_constraints = {"probs": unit_interval, "logits": real}
    support = unit_interval  # type: ignore[assignment]
    base_dist: LogitRelaxedBernoulli

    def __init__(
        self, temperature: Any, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        base = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return True

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature

    @property
    def logits(self) -> Tensor:
        return self.base_dist.logits

    @property
    def probs(self) -> Tensor:
        return self.base_dist.probs


class ExpRelaxedCategorical(Distribution):
    """The log of a RelaxedOneHotCategorical draw (a point of the simplex, logged): see the module docstring."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    support = real_vector
    has_rsample = True

    def __init__(
        self, temperature: Any, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        self._categorical = Categorical(probs, logits)
        self.temperature = _temperature(temperature, self._categorical._dtype())
        batch_shape = tuple(self._categorical.batch_shape)
        super().__init__(batch_shape, self._categorical.param_shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ExpRelaxedCategorical:
        """The same distribution over ``batch_shape`` (the temperature kept as it is)."""
        batch_shape = _shape(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._categorical = self._categorical.expand(batch_shape)
        new._batch_shape = batch_shape
        return new

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._categorical.param_shape

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    def _dtype(self) -> Any:
        return self._categorical._dtype()

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        uniforms = clamp_probs(rand(self._extended_shape(sample_shape), dtype=self.logits.dtype))
        gumbels = -(-uniforms.log()).log()
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value: Any) -> Tensor:
        count = self._categorical._num_events
        value = self._value_tensor(value)
        logits, value = broadcast_all(self.logits, value)
        log_scale = float(np.log(np.arange(1, count)).sum()) + (count - 1) * self.temperature.log()
        score = logits - value * self.temperature
        return (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1) + log_scale


class RelaxedOneHotCategorical(TransformedDistribution):
    """exp of an ExpRelaxedCategorical: a point of the simplex near a vertex at low temperature."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    support = simplex  # type: ignore[assignment]
    base_dist: ExpRelaxedCategorical

    def __init__(
        self, temperature: Any, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return True

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature

    @property
    def logits(self) -> Tensor:
        return self.base_dist.logits

    @property
    def probs(self) -> Tensor:
        return self.base_dist.probs
