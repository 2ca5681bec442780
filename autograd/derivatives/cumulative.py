"""Derivative table of the running sum (cumsum), the running product (cumprod) and logcumsumexp.

cumsum is linear: out_j = sum_{k <= j} x_k, so d/dx_k = sum_{j >= k} g_j, the running sum
from the other end (``reverse_cumsum``). Each is the other's adjoint, and each rule applies
the other through :func:`autograd.shared_math.apply_linear`, so both differentiate again.

cumprod: out_j = prod_{i <= j} x_i, so d/dx_k = sum_{j >= k} g_j prod_{i <= j, i != k} x_i. Where every x is finite
and nonzero that is reverse_cumsum(g out)_k / x_k (torch's rule); elsewhere it is out_{k-1} S_k with
S_k = g_k + x_{k+1} S_{k+1} (S_{n-1} = g_{n-1}), a product of the other entries without a division, so exact at
zeros. Both are written with ops that also record nodes, so the rule differentiates again.
logcumsumexp: out_j = log sum_{k <= j} e^{x_k}, so d/dx_k = sum_{j >= k} g_j e^{x_k - out_j}, summed in log space
(the positive and the negative g apart, each a running logaddexp from the end, as torch's rule), O(n); under
create_graph, as the (..., n, n) softmax of each prefix, written with ops that record nodes.
diff is a composite (see :mod:`autograd.cumulative`).
"""

from __future__ import annotations

import numpy as np

from .. import shared_math as sm
from ..accumulation import ACCUMULATE_DTYPE
from ..op import Op
from ..quiet import quietly


def reverse_cumsum_data(x: np.ndarray, axis: int) -> np.ndarray:
    """sum_{j >= k} x_j along ``axis``: the running sum from the end (as :func:`cumsum_data`), run along a flipped
    view of x and stored through a flipped view of a new float array, so it comes out C-contiguous in x's order
    (a flipped view of the result would cost a leaf's gradient a copy)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        return np.flip(cumsum_data(np.flip(x, axis), axis), axis)
    out = np.empty(x.shape, x.dtype)
    cumsum_data(np.flip(x, axis), axis, out=np.flip(out, axis))
    return out


def cumsum_data(x: np.ndarray, axis: int, out: np.ndarray | None = None) -> np.ndarray:
    """sum_{k <= j} x_k along ``axis``, accumulated in float64 for float32 and float32 for float16 (as torch's
    CPU kernel: a float32 running sum drifts, a float16 one stalls at 256 for steps of 0.1) and rounded once; IEEE
    inf on overflow, no warning. ``out`` (an array or view of x's float dtype and shape) receives the sums."""
    wide = ACCUMULATE_DTYPE.get(x.dtype) if isinstance(x, np.ndarray) else None
    if wide is None:  # (an integer x keeps its dtype: numpy's would turn uint8 into uint64)
        dtype = x.dtype if isinstance(x, np.ndarray) and x.dtype.kind in "iu" else None
        return quietly(np.cumsum, x, axis, dtype) if out is None else quietly(np.cumsum, x, axis, dtype, out)
    if out is None:
        return quietly(lambda: np.cumsum(x, axis, dtype=wide).astype(x.dtype))  # (the rounding may overflow to inf)
    quietly(lambda: np.copyto(out, np.cumsum(x, axis, dtype=wide), casting="same_kind"))
    return out


def from_positive_zero(out: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """``out`` = cumsum_data(x, axis) as torch's running sum gives it, which starts from +0.0: where it is still
    -0.0 (a leading run of -0.0 entries: +0.0 + -0.0 is +0.0) it is +0.0, every other entry as it is. Only a first
    entry -0.0 starts such a run, so only the first slice is looked at (``out`` is changed in place)."""
    if out.dtype.kind != "f" or x.shape[axis] == 0:
        return out
    first = np.take(x, 0, axis)
    if np.any(np.signbit(first) & (first == 0)):
        out += 0.0  # -0.0 + 0.0 is +0.0; nan, inf and every other value stay
    return out


def cumprod_data(x: np.ndarray, axis: int) -> np.ndarray:
    """prod_{k <= j} x_k along ``axis``, float32 (float16) multiplied in float64 (float32) and rounded once, as
    :func:`cumsum_data`; an integer or boolean x keeps its dtype; IEEE inf on overflow, no warning."""
    wide = ACCUMULATE_DTYPE.get(x.dtype)
    if wide is None:
        return quietly(np.cumprod, x, axis, x.dtype if x.dtype.kind in "biu" else None)
    return quietly(lambda: np.cumprod(x, axis, dtype=wide).astype(x.dtype))


def _cumprod_rule(g, out, x, axis):
    if type(x) is np.ndarray and type(g) is np.ndarray and _divides_exactly(x, out):
        # every product of the others is out_j / x_k, to a few ulps
        return quietly(lambda: reverse_cumsum_data(g * out, axis) / x)
    return quietly(_cumprod_rule_exact, g, out, x, axis)


def _divides_exactly(x: np.ndarray, out: np.ndarray) -> bool:
    """Whether out_j / x_k is prod_{i <= j, i != k} x_i to a few ulps: floats, every x finite and nonzero and every
    running product finite and normal (one that underflowed lost the digits the division would need). Under
    create_graph the rule never divides: the derivative of g out / x cancels two terms of size g / x."""
    if x.dtype.kind != "f" or not x.size:
        return False
    magnitudes = np.abs(out)
    return bool(np.isfinite(x).all() and x.all() and magnitudes.min() >= np.finfo(out.dtype).tiny) and bool(
        np.isfinite(magnitudes.max())
    )


def _cumprod_rule_exact(g, out, x, axis):
    """d/dx_k = out_{k-1} S_k with S_k = g_k + x_{k+1} S_{k+1}: one pass from the end over the axis (of arrays or
    nodes), no division."""
    gs, xs, outs = (v.swapaxes(axis, -1) for v in (g, x, out))
    n = xs.shape[-1]
    if n == 0:
        return g * x  # (empty)
    running = gs[..., n - 1]
    parts = [running]
    for k in range(n - 2, -1, -1):
        running = gs[..., k] + xs[..., k + 1] * running
        parts.append(running if k == 0 else outs[..., k - 1] * running)
    parts.reverse()
    if n > 1:
        parts[-1] = outs[..., n - 2] * parts[-1]
    if isinstance(x, np.ndarray):
        return np.stack(parts, axis=-1).swapaxes(axis, -1)
    from ..tensor_functions import stack  # (a node's gradient under create_graph)

    return stack(parts, axis=-1).swapaxes(axis, -1)


def logcumsumexp_data(x: np.ndarray, axis: int) -> np.ndarray:
    """log sum_{k <= j} e^{x_k} along ``axis``: numpy's logaddexp.accumulate (every step a log(e^a + e^b) that
    neither overflows nor underflows), float32 (float16) in float64 (float32) and rounded once; no warning."""
    wide = ACCUMULATE_DTYPE.get(x.dtype)
    if wide is None:
        return quietly(np.logaddexp.accumulate, x, axis)
    return quietly(lambda: np.logaddexp.accumulate(x, axis, dtype=wide).astype(x.dtype))


def _reverse_logcumsumexp_data(x: np.ndarray, axis: int) -> np.ndarray:
    """log sum_{j >= k} e^{x_j} along ``axis``: :func:`logcumsumexp_data` from the other end."""
    return np.flip(logcumsumexp_data(np.flip(x, axis), axis), axis)


def _logcumsumexp_rule(g, out, x, axis):
    if type(g) is np.ndarray and type(x) is np.ndarray:
        return quietly(_logcumsumexp_gradient_data, g, out, x, axis)
    return quietly(_logcumsumexp_rule_nodes, g, out, x, axis)


def _logcumsumexp_gradient_data(g, out, x, axis):
    """sum_{j >= k} g_j e^{x_k - out_j} = e^{x_k + log sum_{j >= k} e^{log g_j - out_j}} for the positive g, less the
    same for the negative g (a nan g is a nan log on both sides, so it reaches every k <= j)."""
    positive = np.log(np.maximum(g, 0))  # log 0 = -inf: no term
    negative = np.log(np.maximum(-g, 0))
    return np.exp(x + _reverse_logcumsumexp_data(positive - out, axis)) - np.exp(
        x + _reverse_logcumsumexp_data(negative - out, axis)
    )


def _logcumsumexp_rule_nodes(g, out, x, axis):
    """The same sum as an (..., j, k) stack of e^{x_k - out_j} for k <= j (e^{-inf} = 0 after j, so no inf * 0)."""
    xs, outs, gs = (v.swapaxes(axis, -1) for v in (x, out, g))
    n = xs.shape[-1]
    lower = np.tril(np.ones((n, n), dtype=bool))  # row j keeps entries k <= j
    exponents = sm.where(lower, xs[..., None, :] - outs[..., :, None], -np.inf)
    return (gs[..., :, None] * sm.exp(exponents)).sum(axis=-2).swapaxes(axis, -1)


# fmt: off
cumprod = Op("cumprod", _cumprod_rule)
logcumsumexp = Op("logcumsumexp", _logcumsumexp_rule)
cumsum = Op("cumsum", lambda g, out, x, axis: sm.apply_linear(reverse_cumsum, reverse_cumsum_data, g, axis=axis),
            reads_values=False)
reverse_cumsum = Op("reverse_cumsum", lambda g, out, x, axis: sm.apply_linear(cumsum, cumsum_data, g, axis=axis),
                    reads_values=False)
# fmt: on
