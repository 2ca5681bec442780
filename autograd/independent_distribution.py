"""``Independent(base, n)``: a distribution's last ``n`` batch axes read as one event (torch.distributions.Independent).

A batch of independent Normals of shape (B, D) becomes a batch of B distributions over vectors of D entries:
log p(x) = sum over the reinterpreted axes of the base's log-densities, and so the entropy; draws are the base's.
"""

from __future__ import annotations

from typing import Any

from .distribution_base import Distribution
from .distribution_constraints import dependent_property, independent
from .tensor import Tensor

__all__ = ["Independent"]


class Independent(Distribution):
    """``base_distribution`` with its last ``reinterpreted_batch_ndims`` batch axes moved into the event shape."""

    arg_constraints: dict = {}

    def __init__(
        self, base_distribution: Distribution, reinterpreted_batch_ndims: int, validate_args: bool | None = None
    ) -> None:
        n = reinterpreted_batch_ndims
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"Independent: reinterpreted_batch_ndims must be a non-negative int, got {n!r}")
        shape = base_distribution.batch_shape + base_distribution.event_shape
        if n > len(base_distribution.batch_shape):
            raise ValueError(
                "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual "
                f"{n} vs {len(base_distribution.batch_shape)}"
            )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        cut = len(shape) - len(base_distribution.event_shape) - n
        super().__init__(shape[:cut], shape[cut:], validate_args=False)
        self._validate_args = base_distribution._validate_args if validate_args is None else bool(validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self) -> bool:  # type: ignore[override]
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    @dependent_property
    def support(self) -> Any:  # type: ignore[override]
        """The base's support holding over the reinterpreted axes at once (torch's independent constraint)."""
        support = self.base_dist.support
        n = self.reinterpreted_batch_ndims
        return independent(support, n) if n and support is not None else support

    @property
    def mean(self) -> Tensor:
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance

    def expand(self, batch_shape: Any, _instance: Any = None) -> Independent:
        """The base expanded to batch_shape + the reinterpreted axes, read as this one (torch's expand)."""
        batch_shape = tuple(batch_shape)
        base = self.base_dist.expand(batch_shape + self._event_shape[: self.reinterpreted_batch_ndims])
        return Independent(base, self.reinterpreted_batch_ndims, validate_args=self._validate_args)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def _summed(self, terms: Tensor) -> Tensor:
        """``terms`` summed over the reinterpreted axes (the last ones of the base's batch shape)."""
        n = self.reinterpreted_batch_ndims
        return terms.sum(tuple(range(-n, 0))) if n else terms

    def log_prob(self, value: Any) -> Tensor:
        return self._summed(self.base_dist.log_prob(value))

    def entropy(self) -> Tensor:
        return self._summed(self.base_dist.entropy())

    def enumerate_support(self, expand: bool = True) -> Tensor:
        if self.reinterpreted_batch_ndims:
            raise NotImplementedError("Enumeration over cartesian product is not implemented")
        return self.base_dist.enumerate_support(expand=expand)

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
