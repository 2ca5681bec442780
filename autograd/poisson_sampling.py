"""torch.poisson: one count drawn from the Poisson distribution of each rate of a tensor.

``poisson(rates)`` has the shape and dtype of ``rates`` (a floating tensor, or an array read as one): entry i is k
with probability rate_i^k e^(-rate_i) / k!, so its mean and its variance are rate_i. As torch's (its
``PoissonBackward``), the sample is in the graph when ``rates`` requires grad, with a zero gradient: counts are
not differentiable in their rates. The graph records this as a ``where`` selecting the sample, as
:func:`autograd.normal` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .shape_errors import ArgumentRangeError
from .tensor import Tensor, where
from .tensor_functions import RandomSource, random_source

__all__ = ["poisson"]


def poisson(input: Any, generator: RandomSource = None) -> Tensor:
    """torch.poisson: a Poisson(rate) count for every rate of ``input``, in its (floating) dtype, drawn from
    ``generator`` (a numpy Generator such as ``autograd.Generator``, an int seed, or None for the library's random
    state, see ``autograd.manual_seed``). A rate that is negative, NaN or infinite is an ``ArgumentRangeError`` (a
    ValueError and torch's RuntimeError); an integer tensor a TypeError (torch's NotImplementedError for it is one
    too here: counts need floating rates)."""
    rates = input if isinstance(input, Tensor) else Tensor._from_array(np.asarray(input), False, "poisson")
    data = rates._data
    if data.dtype.kind != "f":
        raise TypeError(f"poisson: expects a floating-point tensor of rates, got dtype {data.dtype}")
    invalid = ~((data >= 0) & np.isfinite(data))  # (NaN fails both)
    if invalid.any():
        raise ArgumentRangeError(
            f"poisson: invalid Poisson rate {data[invalid].flat[0]}: expects every rate to be finite and non-negative"
        )
    try:
        counts = np.asarray(random_source("poisson", None, generator).poisson(data.astype(np.float64)))
    except ValueError:  # numpy's "lam value too large", past about 9.2e18
        raise ArgumentRangeError(f"poisson: a rate of {np.max(data)} is too large to draw from") from None
    sample = Tensor._from_array(counts.astype(data.dtype, copy=False))
    if rates.requires_grad:
        sample = where(True, sample, rates)  # the sample; d/drates = 0, as torch's
    return sample
