"""The entries of a floating ``linspace`` rounded as torch's CPU kernel rounds them.

torch computes, in the result's dtype, ``step = (end - start) / (steps - 1)`` and then entry i as
``start + step * i`` for the first half (i < steps // 2) and ``end - step * (steps - 1 - i)`` for the rest, so
both ends are exact. For float32 and float64 the multiply-add is fused (one rounding, as the vectorised kernel's
FMA gives), for float16 each operation rounds to half precision. numpy's ``linspace`` instead computes in float64
and scales by ``i / (steps - 1)``, which differs from torch's in the last bit of many float32 entries
(``linspace(0, 1, 7)[4]`` is 0.6666667 there, 0.6666666 in torch).
"""

from __future__ import annotations

import numpy as np

__all__ = ["torch_linspace_values"]

_SPLITTER = float(2**27 + 1)  # Veltkamp's constant: splits a float64 into two halves of 26 bits


def torch_linspace_values(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray | None:
    """``steps`` entries from ``start`` to ``end`` of the floating ``dtype`` as torch.linspace computes them, or
    None for a dtype this does not model (complex, longdouble: numpy's values are used there)."""
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)) or steps < 2:
        return None
    with np.errstate(all="ignore"):  # (inf or nan ends give inf or nan entries, as torch's)
        first, last = dtype.type(start), dtype.type(end)
        step = (last - first) / dtype.type(steps - 1)  # in the dtype, as torch's scalar_t arithmetic
        index = np.arange(steps)
        lower = index < steps // 2
        counts = np.where(lower, index, steps - 1 - index)  # how many steps from the nearer end
        bases = np.where(lower, first, last)
        signed_steps = np.where(lower, step, -step)
        if dtype == np.float16:  # c10::Half: the count converted to half, each product and sum rounded to half
            return bases + signed_steps * counts.astype(dtype)
        if dtype == np.float32:  # float32 step * count is exact in float64: one rounding there, then to float32
            return (bases.astype(np.float64) + signed_steps.astype(np.float64) * counts).astype(dtype)
        return _fused_multiply_add(signed_steps, counts.astype(np.float64), bases)


def _fused_multiply_add(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c in float64 with (almost always) a single rounding, as an FMA instruction gives: the product's
    rounding error (Dekker's exact product) and the sum's (Knuth's two-sum) are added back before the last rounding.
    Where the splitting overflows (|a| or |b| near the float64 maximum) the plain a * b + c is kept."""
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    total = product + c
    virtual = total - product
    sum_error = (product - (total - virtual)) + (c - virtual)
    fused = total + (product_error + sum_error)
    return np.where(np.isfinite(fused), fused, product + c)


def _split(value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp's split: high + low == value exactly, each with at most 26 significant bits, so the products of
    halves are exact in float64."""
    scaled = _SPLITTER * value
    high = scaled - (scaled - value)
    return high, value - high
