"""``MixtureSameFamily(mixture_distribution, component_distribution)``: a mixture of K components of one family
(torch.distributions.MixtureSameFamily). The components are one distribution whose batch's last axis (K) indexes them;
the weights are a Categorical over K.

    log p(x) = logsumexp_k (log w_k + log p_k(x)),   cdf(x) = sum_k w_k F_k(x)
    mean = sum_k w_k mu_k,   variance = sum_k w_k var_k + sum_k w_k (mu_k - mean)^2   (the law of total variance)

A draw picks a component by the Categorical and takes that component's draw (no rsample, as torch's). The mixture's
batch shape is the components' without K; the Categorical's batch shape broadcasts against it from the right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .discrete_distributions import Categorical
from .distribution_base import Distribution, _shape
from .distribution_constraints import Constraint, MixtureSameFamilyConstraint, dependent_property
from .tensor import Tensor

__all__ = ["MixtureSameFamily"]


class MixtureSameFamily(Distribution):
    """A mixture with Categorical weights ``mixture_distribution`` over the last batch axis of
    ``component_distribution``: see the module docstring. ``support`` is torch's MixtureSameFamilyConstraint of the
    components' (a value is checked against every component's support, with the components' axis put back)."""

    arg_constraints: dict[str, Constraint] = {}
    has_rsample = False

    def __init__(
        self, mixture_distribution: Categorical, component_distribution: Distribution, validate_args: bool | None = None
    ) -> None:
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution needs to be an instance of torch.distributions.Distribution")
        mixture_batch = tuple(mixture_distribution.batch_shape)
        component_batch = tuple(component_distribution.batch_shape)[:-1]
        for mine, theirs in zip(reversed(mixture_batch), reversed(component_batch)):
            if mine != 1 and theirs != 1 and mine != theirs:
                raise ValueError(
                    f"`mixture_distribution.batch_shape` ({mixture_distribution.batch_shape}) is not compatible with "
                    f"`component_distribution.batch_shape`({component_distribution.batch_shape[:-1]})"
                )
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1] if component_distribution.batch_shape else None
        if km != kc:
            raise ValueError(
                f"`mixture_distribution component` ({km}) does not equal "
                f"`component_distribution.batch_shape[-1]` ({kc})"
            )
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = km
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(component_batch, tuple(component_distribution.event_shape), validate_args=validate_args)

    @property
    def mixture_distribution(self) -> Categorical:
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Distribution:
        return self._component_distribution

    @dependent_property
    def support(self) -> Constraint | None:  # type: ignore[override]
        support = self._component_distribution.support
        return None if support is None else MixtureSameFamilyConstraint(support)  # (None: a user's unchecked one)

    def _dtype(self) -> Any:
        return self._component_distribution._dtype()

    def expand(self, batch_shape: Any, _instance: Any = None) -> MixtureSameFamily:
        """The components expanded to batch_shape + (K,), the weights to batch_shape."""
        batch = _shape(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._component_distribution = self._component_distribution.expand(batch + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch)
        new._batch_shape = batch
        return new

    def _pad(self, x: Tensor) -> Tensor:
        """x with an axis for the components before its event axes."""
        return x.unsqueeze(-1 - self._event_ndims)

    def _weights(self) -> Tensor:
        """The mixture's probabilities with an axis of 1 for each event axis after K (to meet the components')."""
        probs = self._mixture_distribution.probs
        return probs.reshape(tuple(probs.shape) + (1,) * self._event_ndims)

    @property
    def mean(self) -> Tensor:
        return (self._weights() * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self) -> Tensor:
        weights = self._weights()
        components = self._component_distribution
        axis = -1 - self._event_ndims
        mean_of_variances = (weights * components.variance).sum(axis)
        variance_of_means = (weights * (components.mean - self._pad(self.mean)) ** 2).sum(axis)
        return mean_of_variances + variance_of_means

    def cdf(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return (self._component_distribution.cdf(self._pad(value)) * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        log_prob_components = self._component_distribution.log_prob(self._pad(value))
        log_weights = self._mixture_distribution.logits.log_softmax(-1)
        return (log_prob_components + log_weights).logsumexp(-1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Each draw the component draw of the index the Categorical draws (outside the graph)."""
        samples = _shape(sample_shape)
        chosen = self._mixture_distribution.sample(samples)._data  # samples + the mixture's batch shape
        draws = self._component_distribution.sample(samples)._data  # samples + batch + (K,) + event
        batch, event = self._batch_shape, self._event_shape
        chosen = chosen.reshape(
            samples + (1,) * (len(batch) - (chosen.ndim - len(samples))) + chosen.shape[len(samples) :]
        )
        index = np.broadcast_to(chosen, samples + batch).reshape(samples + batch + (1,) + (1,) * len(event))
        index = np.broadcast_to(index, samples + batch + (1,) + event)
        picked = np.take_along_axis(draws, index, axis=len(samples) + len(batch))
        return Tensor(picked.squeeze(len(samples) + len(batch)))

    def __repr__(self) -> str:
        return f"MixtureSameFamily(\n  {self._mixture_distribution},\n  {self._component_distribution})"
