"""Derivative table of the running sum (cumsum), the only cumulative primitive.

cumsum is linear: out_j = sum_{k <= j} x_k, so d/dx_k = sum_{j >= k} g_j, the running sum
from the other end (``reverse_cumsum``). Each is the other's adjoint, and each rule applies
the other through :func:`autograd.shared_math.apply_linear`, so both differentiate again.
cumprod and diff are composites (see :mod:`autograd.cumulative`).
"""

from __future__ import annotations

import numpy as np

from .. import shared_math as sm
from ..accumulation import ACCUMULATE_DTYPE
from ..op import Op
from ..quiet import quietly


def reverse_cumsum_data(x: np.ndarray, axis: int) -> np.ndarray:
    """sum_{j >= k} x_j along ``axis``: the running sum from the end (as :func:`cumsum_data`)."""
    return np.flip(cumsum_data(np.flip(x, axis), axis), axis)


def cumsum_data(x: np.ndarray, axis: int) -> np.ndarray:
    """sum_{k <= j} x_k along ``axis``, accumulated in float64 for float32 and float32 for float16 (as torch's
    CPU kernel: a float32 running sum drifts, a float16 one stalls at 256 for steps of 0.1) and rounded once; IEEE
    inf on overflow, no warning."""
    wide = ACCUMULATE_DTYPE.get(x.dtype) if isinstance(x, np.ndarray) else None
    if wide is None:  # (an integer x keeps its dtype: numpy's would turn uint8 into uint64)
        return quietly(np.cumsum, x, axis, x.dtype if isinstance(x, np.ndarray) and x.dtype.kind in "iu" else None)
    return quietly(lambda: np.cumsum(x, axis, dtype=wide).astype(x.dtype))  # (the rounding may overflow to inf)


# fmt: off
cumsum = Op("cumsum", lambda g, out, x, axis: sm.apply_linear(reverse_cumsum, reverse_cumsum_data, g, axis=axis),
            reads_values=False)
reverse_cumsum = Op("reverse_cumsum", lambda g, out, x, axis: sm.apply_linear(cumsum, cumsum_data, g, axis=axis),
                    reads_values=False)
# fmt: on
