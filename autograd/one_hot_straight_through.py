"""``OneHotCategoricalStraightThrough``: a OneHotCategorical whose ``rsample`` passes gradients straight through the
draw (torch.distributions.OneHotCategoricalStraightThrough, Bengio et al. 2013): the forward value is the one-hot draw
y, and d y / d p is taken as the identity, by y + (p - p.detach()) (exactly y forward, p's gradient backward)."""

from __future__ import annotations

from typing import Any

from .discrete_distributions import OneHotCategorical
from .tensor import Tensor

__all__ = ["OneHotCategoricalStraightThrough"]


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """OneHotCategorical with the straight-through ``rsample``: one-hot draws whose gradient reaches the probs (and,
    through them, the logits) as if the draw were the probabilities."""

    has_rsample = True

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        draws = self.sample(sample_shape)
        probs = self._categorical.probs
        return draws + (probs - probs.detach())
