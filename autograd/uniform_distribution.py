"""``Uniform(low, high)``: the uniform distribution on [low, high) (torch.distributions.Uniform)."""

from __future__ import annotations

from typing import Any

from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import Constraint, dependent_property, interval, real
from .tensor import Tensor
from .tensor_functions import rand

__all__ = ["Uniform"]


class Uniform(Distribution):
    """U[low, high), one per entry of the broadcast bounds (low < high).

    log p(x) = -log(high - low) inside [low, high), -inf outside; entropy log(high - low); rsample
    low + u (high - low), u ~ U[0, 1), differentiable in both bounds.
    """

    arg_constraints = {"low": real, "high": real}  # and low < high, checked below
    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        if (Distribution._validate_default if validate_args is None else validate_args) and not (
            self.low._data < self.high._data
        ).all():
            raise ValueError(f"Uniform is not defined when low >= high (low {self.low}, high {self.high})")
        super().__init__(tuple(self.low.shape), validate_args=validate_args)

    @dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Constraint:  # type: ignore[override]
        return interval(self.low._data, self.high._data)  # closed, as torch's

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        return self.low * float("nan")  # every point is a mode: torch gives nan

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.icdf(rand(self._extended_shape(sample_shape), dtype=self.low.dtype))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        inside = (self.low._data <= value._data) & (self.high._data > value._data)
        return Tensor(inside.astype(self.low.dtype)).log() - (self.high - self.low).log()

    def cdf(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value: Any) -> Tensor:
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()
