"""Negative log-likelihood losses of count and real-valued targets, torch's ``poisson_nll_loss`` and
``gaussian_nll_loss``; ``reduction`` ("mean" | "sum" | "none") is keyword-only, and so are torch's deprecated
``size_average`` and ``reduce`` of ``poisson_nll_loss``, which override it when given."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Node, Tensor, where
from autograd.accumulation import float16_via_float32
from autograd.broadcasting import broadcast_shape

from ..checks import check_choice, check_fits_dtype, check_flag, check_real
from .activations import as_float_tensor, as_tensor
from .deprecated_reduction import legacy_reduction
from .losses import REDUCTIONS, _paired, _reduce

__all__ = ["gaussian_nll_loss", "poisson_nll_loss"]


@float16_via_float32
def poisson_nll_loss(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log-likelihood of counts t with rate lambda: lambda - t log(lambda), up to log(t!).

    ``log_input`` (default): the input is log(lambda) = x and the term is e^x - t x (d/dx = e^x - t); otherwise
    the input is lambda and the term is lambda - t log(lambda + eps) (d/dlambda = 1 - t / (lambda + eps)).
    ``full`` adds Stirling's approximation of log(t!), t log t - t + log(2 pi t) / 2, where t > 1 (as torch).
    """
    loss = "poisson_nll_loss"
    reduction = legacy_reduction(loss, size_average, reduce, reduction)
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    log_input, full = check_flag(loss, "log_input", log_input), check_flag(loss, "full", full)
    eps = check_real(loss, "eps", eps, 0)
    x, t = _paired(input, target, loss, "input")
    terms = x.exp() - t * x if log_input else x - t * (x + eps).log()
    if full:
        counted = t._data > 1
        safe = where(counted, t, 2.0)  # the approximation is only evaluated (and differentiated) where t > 1
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        terms = terms + where(counted, stirling, 0.0)
    return _reduce(terms, reduction)


def _broadcast_along(target: Any, shape: tuple[int, ...]) -> Any:
    """``target`` broadcast to ``shape`` when it broadcasts to it by numpy's rules (as many axes or fewer, each of
    ``shape``'s size or 1; its expansion recorded for a Tensor, so the gradient sums back); any other target is
    returned as it is, for ``_paired`` to check. So the result keeps the input's shape: (N,) against (N, 1) is
    still refused, not paired all with all."""
    array = target._data if isinstance(target, Node) else np.asarray(target)
    if array.shape == shape or broadcast_shape(array.shape, shape) != shape:
        return target
    return target.broadcast_to(shape) if isinstance(target, Tensor) else np.broadcast_to(array, shape)


def _variance(var: Any, x: Tensor, loss: str) -> Tensor:
    """``var`` shaped to broadcast along ``x`` by torch's rules: x's shape; x's shape without its last axis
    (one variance per sample, given a trailing axis of 1); or x's number of axes with exactly one of size 1
    where x's is not (one variance shared along that axis). Entries must be >= 0."""
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        variance = Tensor(np.full(x.shape, float(var), dtype=x.dtype))
    elif isinstance(var, Tensor):
        variance = var if var.dtype == x.dtype else var.astype(x.dtype)
    elif isinstance(var, Node):
        raise TypeError(f"{loss}: var must be a Tensor, an array-like or a number, got a {type(var).__name__}")
    else:
        variance = as_tensor(var, loss, "var").astype(x.dtype)
    if np.any(variance._data < 0) or np.isnan(variance._data).any():
        raise ValueError(f"{loss}: var must be >= 0, got negative or nan entries (var shape {variance.shape})")
    if variance.shape == x.shape:
        return variance
    if variance.shape == x.shape[:-1]:
        return variance.reshape(variance.shape + (1,))
    differing = [(a, b) for a, b in zip(x.shape, variance.shape) if a != b]
    if variance.ndim == x.ndim and len(differing) == 1 and differing[0][1] == 1:
        return variance
    raise ValueError(
        f"{loss}: var of shape {variance.shape} does not fit the input of shape {x.shape} (expected the input's "
        f"shape, that shape without its last axis, or one axis of size 1)"
    )


@float16_via_float32
def gaussian_nll_loss(
    input: Any, target: Any, var: Any, full: bool = False, eps: float = 1e-6, *, reduction: str = "mean"
) -> Tensor:
    """Gaussian negative log-likelihood of ``target`` under mean ``input`` and variance ``var``:
    (log v + (x - t)^2 / v) / 2, plus log(2 pi) / 2 with ``full``.

    ``target`` has the input's shape or one that broadcasts to it (as torch documents, that shape with axes of size
    1 where the input's are not; as torch computes, fewer axes too: a () or (C,) target beside (N, C) input),
    broadcast along them (a Tensor target's gradient is summed back over them).
    As torch, ``var`` (a number or an array of the input's shape, or one it broadcasts from, see
    :func:`_variance`) is raised to ``eps`` where smaller, and the gradient passes to it as if it were not:
    d/dv = (1 / v - (x - t)^2 / v^2) / 2 at the raised v; d/dx = (x - t) / v. Entries of var must be >= 0.
    """
    loss = "gaussian_nll_loss"
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    full = check_flag(loss, "full", full)
    eps = check_real(loss, "eps", eps, 0)
    x = as_float_tensor(input, loss)
    x, t = _paired(x, _broadcast_along(target, x.shape), loss, "input")
    check_fits_dtype(loss, "eps", eps, x.dtype)
    variance = _variance(var, x, loss)
    shortfall = np.maximum(eps - variance._data, 0.0)  # not max(v, eps) - v: that is inf - inf = nan at v = inf
    if shortfall.any():
        variance = variance + shortfall  # the raised value, the unraised gradient (torch clamps without a graph)
    error = x - t
    terms = 0.5 * (variance.log() + error * error / variance)
    if full:
        terms = terms + 0.5 * math.log(2 * math.pi)
    return _reduce(terms, reduction)
