"""GELU (exact, erf form), CELU and softplus (with beta and threshold) as one graph node each.

``gelu_exact(x) = x Phi(x)``, Phi(x) = (1 + erf(x / sqrt 2)) / 2 the standard normal distribution function;
d/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2 / 2) / sqrt(2 pi) its density. The forward's Phi is kept on the node
for the backward (a second erf would cost as much as the whole forward), and recomputed from the graph under
``create_graph``.

``softplus(x; beta, threshold) = log(1 + e^(beta x)) / beta``, and x where beta x > threshold (torch's); d/dx =
sigmoid(beta x), 1 on the linear piece.

``celu(x; alpha) = x`` where x > 0, else ``alpha (e^(x / alpha) - 1)`` (alpha > 0); d/dx = 1 where x > 0 (and at
nan, as torch), else e^(x / alpha) (1 at 0, with a second derivative of 0 there, as torch's).

Each was a composite of four or five recorded operations (a scaling, erf or elu, sums and products, a where);
as one node each with its rule (:mod:`autograd.derivatives.elementwise`) it costs a forward pass and one rule,
and the rule is differentiable again. The values are the composites', bit for bit (gelu's from x = -3 up; below, its
Phi is erfc(-x / sqrt 2) / 2, where 1 + erf cancelled).
"""

from __future__ import annotations

import math

import numpy as np

from . import special
from .clipping import floating_data
from .derivatives import elementwise as ew
from .quiet import quiet
from .shared_math import exponential_linear, select
from .shared_math import softplus as shared_softplus
from .tensor import Tensor

__all__ = ["celu", "gelu_exact", "scaled_elu", "softplus"]


#: Below this x, 1 + erf(x / sqrt 2) cancels (Phi(-3) = 1.3e-3: it keeps only the last 13 digits of float64), and
#: 2 Phi(x) is taken as erfc(-x / sqrt 2) instead.
_GELU_LEFT_TAIL = -3.0


def _twice_left_tail(x: np.ndarray) -> np.ndarray:
    """2 Phi(x) = erfc(-x / sqrt 2) of the entries x < -3, computed in float64 to the precision of x's dtype: e^(-z^2)
    times a polynomial in 1 / (z + 2) or 1 / (z + 5/2) (z = -x / sqrt 2), for float64 or for float32 and below
    (:func:`autograd.special._far_complement`); all in one pass, not entry by entry."""
    return special._far_complement(x.astype(np.float64) * -(1 / math.sqrt(2)), x.dtype.itemsize >= 8)


def gelu_exact(x: Tensor) -> Tensor:
    """x Phi(x) = x (1 + erf(x / sqrt 2)) / 2; d/dx = Phi(x) + x phi(x) (phi the standard normal density).

    Where x < -3, 2 Phi(x) = erfc(-x / sqrt 2) (:func:`_twice_left_tail`), without 1 + erf's cancellation (at
    x = -7 that lost 4e-5 of the value; torch's float64 loses 2e-6 there, and gives 0 from x = -8.3, where ours
    follows Phi down to the subnormals)."""
    data = floating_data(x, "gelu_exact")
    with quiet():  # (inf * 0 at x = -inf is nan, as torch's)
        tail = np.flatnonzero(data < _GELU_LEFT_TAIL)
        if tail.size and tail.size == data.size:  # (no erf to overwrite)
            cdf = _twice_left_tail(data).astype(data.dtype, copy=False)
        else:
            cdf = np.asarray(special.erf(data * (1 / math.sqrt(2))))
            cdf += 1
            if tail.size:
                np.put(cdf, tail, _twice_left_tail(data.reshape(-1)[tail]))  # (C-order flat positions, any layout)
        cdf *= 0.5
        out = data * cdf
    return Tensor._from_op(out, ew.gelu_exact, (x,), {"cdf": cdf})


def celu(x: Tensor, alpha: float) -> Tensor:
    """x where x > 0, else alpha (e^(x / alpha) - 1), alpha != 0 (negative too, as torch's); d/dx = 1 where x > 0 or
    nan, else e^(x / alpha)."""
    data = floating_data(x, "celu")
    with quiet():  # (x / alpha may overflow to -inf, whose e^ is 0)
        if alpha > 0:  # the same values without a select (see exponential_linear)
            out = exponential_linear(data, alpha, alpha)
        else:
            negative = np.expm1(select(data > 0, 0, data) / alpha) * alpha
            out = select(data > 0, data, negative)
    return Tensor._from_op(out.astype(data.dtype, copy=False), ew.celu, (x,), {"alpha": alpha})


def scaled_elu(x: Tensor, alpha: float, scale: float) -> Tensor:
    """scale elu(x; alpha) as one node (the op ``elu`` with a ``scale``; selu's), alpha > 0: elu's values
    (:func:`exponential_linear`) times scale, in their array, and the rule elu's of g scale: the numbers of the
    product node scale * elu(x) bit for bit, with one node and one array fewer."""
    data = floating_data(x, "elu")
    with quiet():  # (x scale may overflow to inf, silently as torch's)
        out = exponential_linear(data, alpha)
        out *= scale
    return Tensor._from_op(out, ew.elu, (x,), {"alpha": alpha, "scale": scale})


def softplus(x: Tensor, beta: float, threshold: float) -> Tensor:
    """torch's softplus(x; beta, threshold) as one node (the op ``softplus``, whose rule reads beta and threshold):
    log(1 + e^z) / beta, z = beta x (``shared_math.softplus(z) / beta``), and x itself where z > threshold; d/dx =
    s(z), and 1 on the linear piece, where the incoming gradient passes as it is (-0.0 included: a where of the two
    pieces summed its other branch's +0 into it, and gave +0)."""
    data = floating_data(x, "softplus")
    with quiet():  # beta x may overflow to inf, which is above any threshold
        z = data if beta == 1 else data * beta
        smooth = np.asarray(shared_softplus(z))
        if beta != 1:
            smooth = smooth / beta
        linear = z > threshold
    if np.any(linear):
        smooth = select(linear, data, smooth)
    return Tensor._from_op(smooth, ew.softplus, (x,), {"beta": beta, "threshold": threshold})
