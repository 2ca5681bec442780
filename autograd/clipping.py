"""Piecewise-linear clipping and shrinkage as one graph node each: hardtanh's clip, the terms of the Huber and
smooth-L1 losses built on it, and the shrinkages that keep what the clip removes.

``clipped_inside(x, low, high)`` is x clipped to [low, high] with slope 1 strictly inside (and at nan, which it
passes through) and 0 at and beyond the bounds: torch's hardtanh (relu6 is clipped_inside(x, 0, 6)).
``hard_shrunk(x, lambd)`` is x where |x| > lambd (or nan), +0 elsewhere, and ``soft_shrunk(x, lambd)`` is
x - clip(x, -lambd, lambd) (x -+ lambd beyond the band, +0 in it); both have slope 1 outside the closed band
[-lambd, lambd] and at nan, 0 in it (torch's hardshrink and softshrink). ``hard_swished(x)`` is torch's hardswish,
x clip(x + 3, 0, 6) / 6, with slope 0, x / 3 + 1/2 and 1 on its three pieces. With
d = prediction - target, m = d clipped to [-b, b] (b: the Huber loss's delta, the smooth-L1 loss's beta):

* huber(d; delta) = m (d - m / 2): 0.5 d^2 where |d| <= delta, delta (|d| - delta / 2) beyond;
  d/dd = m, that is d inside and delta sign(d) beyond;
* smooth_l1(d; beta) = m (m / (2 beta)) + max(|d| - beta, 0): 0.5 d^2 / beta where |d| < beta, |d| - beta / 2
  beyond (beta > 0); d/dd = m / beta, that is d / beta inside and sign(d) beyond.

Neither form squares a large d (the product is the term itself, and m / (2 beta) <= 1/2), so a term overflows only
where the loss does, and no gradient exceeds delta or 1. At the bounds |d| = b the slope is the outer piece's and
the curvature 0; at d = nan the gradient is nan (as torch's). Written as one node each (a composite of clip,
where, products and sums recorded ten nodes per loss, 14x torch's time on 1e5 terms), with the derivative
(:mod:`autograd.derivatives.elementwise`) recorded again under ``create_graph``, so every order is available.
"""

from __future__ import annotations

import numpy as np

from . import shared_math
from .derivatives import elementwise as ew
from .quiet import quiet
from .tensor import Tensor

__all__ = [
    "clipped_inside",
    "floating_data",
    "hard_shrunk",
    "hard_swished",
    "parametric_relu",
    "huber_terms",
    "smooth_l1_terms",
    "soft_shrunk",
    "thresholded",
]


def floating_data(x: Tensor, op: str) -> np.ndarray:
    """x's array, or the TypeError of an op that needs floating-point data."""
    if x._data.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point tensor, got {x.dtype}")
    return x._data


def clipped_inside(x: Tensor, low: float, high: float) -> Tensor:
    """x clipped to [low, high] (low <= high, in x's dtype; infinite bounds clip nothing); d/dx = 1 strictly
    inside and at nan, 0 at and beyond the bounds (also for an infinite or nan incoming gradient, as torch's)."""
    data = np.clip(floating_data(x, "clipped_inside"), low, high)
    return Tensor._from_op(data, ew.clipped_inside, (x,), {"low": low, "high": high})


def hard_swished(x: Tensor) -> Tensor:
    """hardswish as one node: x relu6(x + 3) / 6, computed as torch's, x * min(max(x + 3, 0), 6) / 6 (so the same
    numbers, bit for bit: nan at x = -inf, -0.0 at and below -3); d/dx = 0 at and below -3, x / 3 + 1/2 strictly
    between -3 and 3, 1 from 3 on and at nan (see :func:`autograd.derivatives.elementwise._hardswish_rule`)."""
    data = floating_data(x, "hardswish")
    with quiet():  # (-inf * 0 is nan, as torch's)
        if data.ndim:  # in one array (of a 0-d array, clip gives a numpy scalar, which takes no out=)
            out = np.add(data, 3.0)
            np.clip(out, 0.0, 6.0, out=out)
            out *= data
            out /= 6.0
        else:
            out = np.asarray(data * np.clip(data + 3.0, 0.0, 6.0) / 6.0)
    return Tensor._from_op(out, ew.hard_swished, (x,))


def parametric_relu(x: Tensor, weight: Tensor) -> Tensor:
    """torch's prelu as one node (the op ``prelu``): x where x > 0, else weight x, for a ``weight`` of x's dtype
    that is 0-d or broadcasts along x's channels; d/dx = 1 or weight, d/dweight = 0 or x (summed by backward over
    the broadcast axes). Each entry's derivatives come from its own piece (the other piece's are +0, not 0 times an
    infinite or nan value), and the incoming gradient passes as it is where x > 0, -0.0 included."""
    out = shared_math.prelu_values(floating_data(x, "prelu"), weight._data)
    return Tensor._from_op(out, ew.prelu, (x, weight))


def _checked(difference: Tensor, bound: float, name: str, op: str) -> np.ndarray:
    d = floating_data(difference, op)
    if not bound > 0:
        raise ValueError(f"{op}: {name} must be > 0, got {bound!r}")
    return d


def huber_terms(difference: Tensor, delta: float) -> Tensor:
    """m (d - m / 2) for d = ``difference``, m = d clipped to [-delta, delta] (delta > 0); d/dd = m."""
    d = _checked(difference, delta, "delta", "huber_terms")
    shape = d.shape
    d = d.reshape(1) if d.ndim == 0 else d  # (an array: numpy gives 0-d results as scalars, which take no out=)
    with quiet():
        clipped = np.clip(d, -delta, delta)
        terms = np.multiply(clipped, 0.5)  # (d - m / 2) m in one buffer
        np.subtract(d, terms, out=terms)
        terms *= clipped
    terms = terms.reshape(shape).astype(d.dtype, copy=False)
    return Tensor._from_op(terms, ew.huber_terms, (difference,), {"delta": delta})


def smooth_l1_terms(difference: Tensor, beta: float) -> Tensor:
    """m (m / (2 beta)) + max(|d| - beta, 0) for d = ``difference``, m = d clipped to [-beta, beta] (beta > 0);
    d/dd = m / beta. Where 2 beta overflows the dtype, m / (2 beta) is (m / beta) / 2."""
    d = _checked(difference, beta, "beta", "smooth_l1_terms")
    shape = d.shape
    d = d.reshape(1) if d.ndim == 0 else d  # (an array: numpy gives 0-d results as scalars, which take no out=)
    with quiet():
        clipped = np.clip(d, -beta, beta)
        terms = clipped / (2 * beta) if beta <= float(np.finfo(d.dtype).max) / 2 else (clipped / beta) * 0.5
        terms *= clipped
        beyond = np.abs(d)  # max(|d| - beta, 0) in one buffer, the maximum as a clip (half numpy's maximum's time)
        beyond -= beta
        terms += np.clip(beyond, 0, np.inf, out=beyond)  # (nan where d is nan: clip propagates it)
    terms = terms.reshape(shape).astype(d.dtype, copy=False)
    return Tensor._from_op(terms, ew.smooth_l1_terms, (difference,), {"beta": beta})


def hard_shrunk(x: Tensor, lambd: float) -> Tensor:
    """x where |x| > lambd (or nan), +0 where |x| <= lambd; d/dx = 1 outside the band (and at nan), 0 in it."""
    data = floating_data(x, "hard_shrunk")
    return Tensor._from_op(ew.dropped_where(data, ew.in_band(data, lambd)), ew.hard_shrunk, (x,), {"lambd": lambd})


def soft_shrunk(x: Tensor, lambd: float) -> Tensor:
    """x - clip(x, -lambd, lambd): x - lambd above the band, x + lambd below, +0 in it; d/dx = 1 outside the band
    (and at nan), 0 in it."""
    data = floating_data(x, "soft_shrunk")
    if not data.ndim:  # (numpy gives a 0-d result as a scalar, which takes no out=)
        return Tensor._from_op(data - np.clip(data, -lambd, lambd), ew.soft_shrunk, (x,), {"lambd": lambd})
    shrunk = np.clip(data, -lambd, lambd)
    return Tensor._from_op(np.subtract(data, shrunk, out=shrunk), ew.soft_shrunk, (x,), {"lambd": lambd})


def thresholded(x: Tensor, threshold: float, value: float) -> Tensor:
    """``value`` where x <= ``threshold``, else x (nan too); d/dx = 0 where x <= threshold, else 1 (torch's
    ``threshold``). One node, so under ``create_graph`` its gradient stays a function of x (second derivative 0,
    as torch's), where a ``where`` of x and a constant gave a gradient that no longer depended on x."""
    data = floating_data(x, "thresholded")
    filled = np.where(data <= threshold, np.asarray(value, dtype=data.dtype), data)
    return Tensor._from_op(filled, ew.thresholded, (x,), {"threshold": threshold})
