"""Activations that draw random numbers, torch's ``rrelu`` / ``rrelu_`` and ``gumbel_softmax``.

The draws come from ``rng`` (a numpy Generator, an int seed, or None for the library's random state, which
``autograd.manual_seed`` seeds), as in :mod:`nn.functional.dropout`; torch has no such keyword. Given the draws,
each is a composite of recorded ops, differentiable to any order.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, where
from autograd.shape_errors import ArgumentRangeError

from ..checks import check_axis, check_flag, check_real, make_generator
from .activations import as_float_tensor, writes_in_place
from .in_place_change import change_in_place
from .integer_inputs import refuse_integer_tensor

__all__ = ["gumbel_softmax", "rrelu", "rrelu_"]


def _bounds(function: str, lower: Any, upper: Any) -> tuple[float, float]:
    """The bounds of the slopes' uniform draw as floats; a nan or inf bound, or lower above upper, is an
    ArgumentRangeError (a ValueError, and torch's RuntimeError)."""
    lower = check_real(function, "lower", lower, error=ArgumentRangeError)
    upper = check_real(function, "upper", upper, error=ArgumentRangeError)
    if lower > upper:
        raise ArgumentRangeError(f"{function}: lower must not exceed upper, got lower={lower!r}, upper={upper!r}")
    return lower, upper


def with_slopes(x: Tensor, slopes: np.ndarray) -> Tensor:
    """x where x > 0 else slope * x, one slope per entry (``slopes`` has ``x``'s shape); d/dx = 1 or the slope."""
    return where(x._data > 0, x, x * slopes.astype(x.dtype, copy=False))


def rrelu(
    input: Any,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
    *,
    rng: Any = None,
) -> Tensor:
    """Randomized leaky ReLU (Xu et al.): x where x > 0, else a x. While ``training`` (torch's default for the
    function is False) each entry draws its own slope a ~ U(lower, upper); otherwise a = (lower + upper) / 2.

    d/dx = 1 where x > 0, else the entry's slope (x = 0 takes the slope too, as torch). ``inplace=True``
    writes the result into ``input`` (:func:`rrelu_`).
    """
    lower, upper = _bounds("rrelu", lower, upper)
    training = check_flag("rrelu", "training", training)
    refuse_integer_tensor(input, "rrelu")
    if writes_in_place("rrelu", inplace, input):
        return rrelu_(input, lower, upper, training, rng=rng)
    x = as_float_tensor(input, "rrelu")
    if not training:
        return x.leaky_relu((lower + upper) / 2)
    return with_slopes(x, make_generator("rrelu", "rng", rng).uniform(lower, upper, x.shape))


def rrelu_(
    input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, *, rng: Any = None
) -> Tensor:
    """:func:`rrelu` written into the Tensor ``input``, returned (see :mod:`nn.functional.in_place_activations`)."""
    lower, upper = _bounds("rrelu_", lower, upper)
    training = check_flag("rrelu_", "training", training)
    generator = make_generator("rrelu_", "rng", rng) if training else None
    return change_in_place("rrelu_", input, lambda x: rrelu(x, lower, upper, training, rng=generator))


def gumbel_softmax(
    logits: Any, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1, *, rng: Any = None
) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution: softmax((logits + g) / tau) along ``dim``, g drawn
    from the standard Gumbel distribution, one per entry (Jang et al.; Maddison et al.).

    With ``hard`` the value is the one-hot vector of the sample's largest entry, and the gradient is the soft
    sample's (the straight-through estimator, torch's y_hard - y_soft.detach() + y_soft). ``eps`` is torch's
    deprecated, unused argument (a warning when given). d/dlogits = J_softmax / tau, J at the sample.
    """
    tau = check_real("gumbel_softmax", "tau", tau, allow_inf=True, allow_nan=True)  # 0 or nan: nan, as torch
    hard = check_flag("gumbel_softmax", "hard", hard)
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: `eps` parameter is deprecated and has no effect.", UserWarning, stacklevel=2)
    x = as_float_tensor(logits, "gumbel_softmax")
    if x.ndim == 0:  # one logit, as torch's: a one-entry row along dim 0 (or -1), the sample 1
        check_axis("gumbel_softmax", "dim", dim, 1)
        return gumbel_softmax(x.reshape(1), tau, hard, dim=0, rng=rng).reshape(())
    axis = check_axis("gumbel_softmax", "dim", dim, x.ndim)
    noise = make_generator("gumbel_softmax", "rng", rng).gumbel(size=x.shape).astype(x.dtype, copy=False)
    soft = ((x + noise) / tau).softmax(axis=axis)
    if not hard:
        return soft
    one_hot = np.zeros(x.shape, dtype=x.dtype)
    np.put_along_axis(one_hot, np.argmax(soft._data, axis=axis, keepdims=True), 1, axis=axis)
    return soft + (one_hot - soft._data)
