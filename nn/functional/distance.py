"""Norms, similarities and distances between vectors along an axis, torch's ``normalize``,
``cosine_similarity``, ``pairwise_distance`` and ``pdist``: composites of Tensor ops (pdist: cdist's blocked op,
autograd.derivatives.distances), differentiable to any order."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ArgumentRangeError, ShapeError, Tensor
from autograd.accumulation import float16_via_float32
from autograd.derivatives import distances as distance_rules
from autograd.out_argument import written_to_out

from ..checks import check_axis, check_flag, check_real
from .activations import as_float_tensor

__all__ = ["broadcast_pair", "cosine_similarity", "normalize", "pairwise_distance", "pdist", "vector_norm"]


def vector_norm(x: Tensor, p: float, axis: int, keepdims: bool = False) -> Tensor:
    """(sum |x_i|^p)^(1/p) along ``axis`` (p = inf: max |x_i|); its gradient is 0 where the norm is 0, as torch."""
    return x.norm(p, dim=axis, keepdim=keepdims)


def _order(function: str, p: Any) -> float:
    """The norm order ``p`` of ``function``: any real number or +-inf, as torch's norms take (0 counts the non-zero
    entries, inf and -inf take the largest and smallest |x_i|, and a negative p gives (sum |x_i|^p)^(1/p), at most
    the smallest |x_i|)."""
    return check_real(function, "p", p, allow_inf=True)


def broadcast_pair(function: str, x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    """``x1`` and ``x2`` as float Tensors of one dtype whose shapes broadcast (as torch's distances allow); shapes
    that do not are a :class:`ShapeError` (torch's RuntimeError)."""
    x1, x2 = as_float_tensor(x1, function), as_float_tensor(x2, function)
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ShapeError(f"{function}: shapes {x1.shape} and {x2.shape} do not broadcast") from None
    dtype = np.result_type(x1.dtype, x2.dtype)
    return (x1 if x1.dtype == dtype else x1.astype(dtype)), (x2 if x2.dtype == dtype else x2.astype(dtype))


def normalize(
    input: Any,
    p: float | str | None = 2.0,
    dim: int | tuple[int, ...] | None = 1,
    eps: float = 1e-12,
    out: Tensor | None = None,
) -> Tensor:
    """x / max(||x||_p, eps) along ``dim`` (torch's ``F.normalize``; a tuple of axes normalises over them
    together, None over every axis; ``p="fro"`` or None is the 2-norm over them): unit vectors, and a vector shorter than
    ``eps`` divided by ``eps``. d/dx through both the numerator and the norm (0 where the norm is clamped).

    ``out`` (torch's) is a Tensor the result is written into (cast to its dtype, resized to the result's
    shape) and that is returned; as torch's, such a call is not differentiable (a RuntimeError while an input
    that requires grad is recorded)."""
    result = _normalized(input, p, dim, eps)
    return result if out is None else written_to_out("normalize", result, out)


@float16_via_float32
def _normalized(input: Any, p: float | str | None, dim: int | tuple[int, ...], eps: float) -> Tensor:
    """:func:`normalize` without ``out`` (float16 computed in float32, rounded once)."""
    frobenius = p is None or (isinstance(p, str) and p == "fro")  # (torch's Tensor.norm: the 2-norm of entries)
    p = _order("normalize", 2.0 if frobenius else p)
    eps = check_real("normalize", "eps", eps, 0)
    x = as_float_tensor(input, "normalize")
    if dim is None:  # torch's norm over every entry
        dim = tuple(range(x.ndim)) if x.ndim else 0
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if x.ndim == 0 and dims in ((0,), (-1,)):  # torch reads a scalar as a one-entry vector along dim 0
        return _normalized(x.reshape(1), p, 0, eps).reshape(())
    axes = tuple(check_axis("normalize", "dim", d, x.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise ValueError(f"normalize: dim {dims} names an axis twice")
    return x / vector_norm(x, p, axes, keepdims=True).clip(low=eps)


@float16_via_float32
def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``: sum_i (x1_i / n1)(x2_i / n2), where each
    norm n is raised to ``eps`` if smaller (as torch: the raised value is used, the gradient is the norm's).

    The inputs broadcast against each other; 0-d ones are one-entry vectors along dim 0 (or -1), as torch's.
    d/dx1 = x2 / (n1 n2) - cos x1 / n1^2 (unclamped norms).
    """
    eps = check_real("cosine_similarity", "eps", eps, 0, error=ArgumentRangeError)
    x1, x2 = broadcast_pair("cosine_similarity", x1, x2)
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    if shape == () and dim in (0, -1):  # torch reads scalars as one-entry vectors along dim 0 (a 0-d result)
        return cosine_similarity(x1.reshape(1), x2.reshape(1), 0, eps).reshape(())
    axis = check_axis("cosine_similarity", "dim", dim, len(shape))
    x1, x2 = (x if x.shape == shape else x.broadcast_to(shape) for x in (x1, x2))
    return ((x1 / _at_least(x1, axis, eps)) * (x2 / _at_least(x2, axis, eps))).sum(axis=axis)


def _at_least(x: Tensor, axis: int, eps: float) -> Tensor:
    """||x||_2 along ``axis`` (kept), raised to ``eps`` where smaller, with the unraised norm's gradient."""
    norm = vector_norm(x, 2.0, axis, keepdims=True)
    # not max(norm, eps) - norm, which is inf - inf = nan at an infinite norm
    shortfall = np.where(norm._data < eps, eps - norm._data, 0.0)
    return norm + shortfall if shortfall.any() else norm


@float16_via_float32
def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last axis (torch's ``F.pairwise_distance``, eps included, any real p as
    :func:`_order`); the inputs broadcast, and 0-d ones are one-entry vectors (a 0-d distance, also with
    ``keepdim``), as torch's. d/dx1 = sign(d) |d|^(p-1) / ||d||_p^(p-1) with d = x1 - x2 + eps (0 where the
    distance is 0)."""
    p = _order("pairwise_distance", p)
    eps = check_real("pairwise_distance", "eps", eps)
    keepdim = check_flag("pairwise_distance", "keepdim", keepdim)
    x1, x2 = broadcast_pair("pairwise_distance", x1, x2)
    difference = x1 - x2 + eps
    if difference.ndim == 0:
        return vector_norm(difference.reshape(1), p, -1)
    return vector_norm(difference, p, -1, keepdims=keepdim)


@float16_via_float32
def pdist(input: Any, p: float = 2.0) -> Tensor:
    """The p-norm distances between the rows of an (N, M) input, one per pair i < j in row-major order (the upper
    triangle of torch's ``cdist(x, x)`` without its diagonal): shape (N (N - 1) / 2,). p >= 0; p = 0 counts the
    differing entries, p = inf takes the largest difference.

    d/dx_i = sign(d) |d|^(p-1) / ||d||_p^(p-1) for d = x_i - x_j (and the opposite for x_j); 0 where a
    difference, or a whole distance, is 0, as torch: the upper triangle of :func:`autograd.cdist` (x, x), computed
    by blocks of rows (see :mod:`autograd.derivatives.distances`).
    """
    p = check_real("pdist", "p", p, 0, allow_inf=True, error=ArgumentRangeError)
    x = as_float_tensor(input, "pdist")
    if x.ndim != 2:
        raise ShapeError(f"pdist: expected a 2-D (N, M) input, got shape {x.shape}")
    # cdist's blocks of rows (each against the rows after it), without the (N, N, M) differences; the pairs i < j
    # read by a mask (row-major, as numpy's triu_indices), whose gradient is assigned, not added up entry by entry
    distances = distance_rules.recorded_distances(x, x, p, upper=True)
    return distances[np.triu(np.ones((x.shape[0],) * 2, dtype=bool), 1)]
