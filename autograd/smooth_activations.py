"""GELU (exact, erf form) and CELU as one graph node each.

``gelu_exact(x) = x Phi(x)``, Phi(x) = (1 + erf(x / sqrt 2)) / 2 the standard normal distribution function;
d/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2 / 2) / sqrt(2 pi) its density. The forward's Phi is kept on the node
for the backward (a second erf would cost as much as the whole forward), and recomputed from the graph under
``create_graph``.

``celu(x; alpha) = x`` where x > 0, else ``alpha (e^(x / alpha) - 1)`` (alpha > 0); d/dx = 1 where x > 0 (and at
nan, as torch), else e^(x / alpha) (1 at 0, with a second derivative of 0 there, as torch's).

Each was a composite of four or five recorded operations (a scaling, erf or elu, sums and products, a where);
as one node each with its rule (:mod:`autograd.derivatives.elementwise`) it costs a forward pass and one rule,
and the rule is differentiable again. The values are the composites', bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from . import special
from .clipping import floating_data
from .derivatives import elementwise as ew
from .quiet import quiet
from .shared_math import select
from .tensor import Tensor

__all__ = ["celu", "gelu_exact"]


def gelu_exact(x: Tensor) -> Tensor:
    """x Phi(x) = x (1 + erf(x / sqrt 2)) / 2; d/dx = Phi(x) + x phi(x) (phi the standard normal density)."""
    data = floating_data(x, "gelu_exact")
    with quiet():  # (inf * 0 at x = -inf is nan, as torch's)
        twice_cdf = 1 + special.erf(data * (1 / math.sqrt(2)))
        out = (0.5 * data) * twice_cdf
    return Tensor._from_op(out, ew.gelu_exact, (x,), {"cdf": 0.5 * twice_cdf})


def celu(x: Tensor, alpha: float) -> Tensor:
    """x where x > 0, else alpha (e^(x / alpha) - 1), alpha != 0 (negative too, as torch's); d/dx = 1 where x > 0 or
    nan, else e^(x / alpha)."""
    data = floating_data(x, "celu")
    with quiet():  # (x / alpha may overflow to -inf, whose e^ is 0)
        negative = np.expm1(select(data > 0, 0, data) / alpha) * alpha
    return Tensor._from_op(
        select(data > 0, data, negative).astype(data.dtype, copy=False), ew.celu, (x,), {"alpha": alpha}
    )
