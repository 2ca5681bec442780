"""Gamma draws differentiable in the concentration, by implicit reparameterisation (Figurnov, Mohamed and Mnih,
"Implicit Reparameterization Gradients", 2018), as torch's ``Gamma.rsample``.

A draw x of Gamma(a, 1) is the quantile of a uniform u: P(a, x) = u, with P the regularized lower incomplete gamma
function. Holding u fixed while a moves gives

    dx/da = -(dP/da)(a, x) / p(x; a),    p(x; a) = x^(a-1) e^-x / Gamma(a) = (dP/dx)(a, x),

so the draw needs no invertible sampler: numpy's draws it, and only this slope is new. dP/da has no closed form; it is
taken from P itself by central differences in a, D(h) = (P(a + h, x) - P(a - h, x)) / 2h, with one Richardson step,
(4 D(h / 2) - D(h)) / 3 (error of order h^4), h = 1e-3 min(a, sqrt(a)): small against a (below 1) and against the
sqrt(a) over which P moves (above). The difference is of the smaller of P and Q = 1 - P (dQ/da = -dP/da), computed
directly to about 1e-13 relative, so no 1 - P cancels in the tail; the slope is then good to about 1e-9 relative (1e-12
against mpmath at a from 0.001 to 1e5, in the tails too; 1e-6 at a = 1e15). torch's own, a fitted approximation, is
good to about 1e-4 in the bulk and a few percent in far tails (a = 1e-4, x = 5; a = 1/2, x = 700).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import shared_math
from .op import Op
from .special import _gamma_density, _regularized_gammas

__all__ = ["standard_gamma_slope", "standard_gamma_with_slope"]


def _concentration_derivative(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dP/da at (a, x), from the smaller of P and Q (see the module's docstring)."""
    upper = x > a  # (Q is the smaller tail beyond about the median a)

    def smaller_tail(shifted: np.ndarray) -> np.ndarray:
        lower, complement = _regularized_gammas(shifted, x)
        return np.where(upper, -complement, lower)  # -Q = P - 1: the same derivative in a

    step = 1e-3 * np.minimum(a, np.sqrt(a))

    def central(h: np.ndarray) -> np.ndarray:
        return (smaller_tail(a + h) - smaller_tail(a - h)) / (2 * h)

    return (4 * central(step / 2) - central(step)) / 3


def standard_gamma_slope(a: Any, x: Any) -> np.ndarray:
    """dx/da of a draw x of Gamma(a, 1) at fixed quantile (torch's ``_standard_gamma_grad``), in float64:
    -(dP/da) / p(x; a). 0 where x is 0 or inf (the draw cannot move there) and where both P and p underflow to 0
    (x^a below 1e-308: x far below a's bulk, where the slope, about x (log x - digamma(a + 1)) / a, is 0 in
    float64 too; torch's gives 0 there as well)."""
    a64, x64 = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    shape = a64.shape
    a64, x64 = a64.reshape(-1), x64.reshape(-1)  # (1-d: the helpers assign into masks of their arrays)
    with np.errstate(all="ignore"):
        slope = -_concentration_derivative(a64, x64) / np.asarray(_gamma_density(a64, x64))
    return np.where((x64 > 0) & np.isfinite(x64) & np.isfinite(slope), slope, 0.0).reshape(shape)


def _draw_rule(g: Any, out: Any, a: Any) -> Any:
    """g dx/da, the slope read from the values (not differentiated again: torch's has no second derivative)."""
    data = shared_math.data_of(out)
    return g * standard_gamma_slope(shared_math.data_of(a), data).astype(np.asarray(data).dtype, copy=False)


_STANDARD_GAMMA = Op("standard_gamma", _draw_rule)


def standard_gamma_with_slope(concentration: Any, draws: np.ndarray) -> Any:
    """``draws`` (Gamma(concentration, 1) draws made elsewhere, of the concentration's shape) as a node whose
    derivative in the concentration is :func:`standard_gamma_slope` (a recorded op when the concentration is a
    node; the draws as they are otherwise)."""
    return shared_math.record(_STANDARD_GAMMA, lambda a: draws, concentration)
