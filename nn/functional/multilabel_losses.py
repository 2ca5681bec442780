"""Multi-label classification losses, torch's ``multilabel_soft_margin_loss`` and ``multilabel_margin_loss``:
each sample may belong to several of the C classes; the class axis is the last one. ``reduction`` ("mean" |
"sum" | "none") over the samples is keyword-only, and so are torch's deprecated ``size_average`` and ``reduce``,
which override it when given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ArgumentRangeError, IndexDtypeError, Node, ShapeError, Tensor, concatenate, take_along_axis
from autograd.accumulation import float16_via_float32
from autograd.broadcasting import AxisError, broadcast_shape

from ..checks import check_choice
from .activations import as_float_tensor
from .deprecated_reduction import legacy_reduction
from .losses import (
    REDUCTIONS,
    _class_weights_in_graph,
    _logistic_terms,
    _paired,
    _real_array,
    _reduce,
    check_weight_not_reduction,
)

__all__ = ["multilabel_margin_loss", "multilabel_soft_margin_loss"]


class TargetDtypeError(IndexDtypeError, ValueError):
    """``multilabel_margin_loss``'s target not of integers: a ValueError, as the library has raised it, and the
    RuntimeError torch raises ("expected scalar type Long") through :class:`~autograd.IndexDtypeError`."""


@float16_via_float32
def multilabel_soft_margin_loss(
    scores: Any,
    target: Any,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """One-versus-all logistic loss: per sample, the mean over classes c of
    w_c (-(y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c))) = w_c (softplus(x_c) - y_c x_c).

    ``scores`` is (..., C), ``target`` the same shape with entries in [0, 1] (1: the sample has class c; any other
    real target is put into the formula, as torch does);
    ``weight`` (C,), optional, or any shape that broadcasts to the scores' (torch multiplies the terms by it: (N, C)
    weighs each entry); a float Tensor gets its gradient, as torch's (a sample's d/dw_c is its unweighted
    term of class c over C), anything else is a constant. d/dx_c = w_c (sigmoid(x_c) - y_c) / C. Each term is split by the
    sign of x_c (see ``losses._logistic_terms``), exact at both ends: +inf at x_c = +inf with y_c < 1 or
    x_c = -inf with y_c > 0, 0 at x_c = +inf with y_c = 1 or x_c = -inf with y_c = 0 (torch: nan).
    """
    loss = "multilabel_soft_margin_loss"
    check_weight_not_reduction(loss, weight)
    reduction = legacy_reduction(loss, size_average, reduce, reduction)
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    scores, target = _paired(scores, target, loss, "scores")
    if scores.ndim == 0:
        raise AxisError(f"{loss}: scores must have a class axis (..., C), got a 0-d input")  # torch's IndexError
    terms = _logistic_terms(scores, target)
    checked = _element_weights(weight, scores, loss)
    if checked is not None:  # a float Tensor weight gets its gradient, as torch's
        terms = terms * _class_weights_in_graph(weight, checked, scores.dtype)
    return _reduce(terms.mean(axis=-1), reduction)


def _element_weights(weight: Any, scores: Tensor, loss: str) -> np.ndarray | None:
    """``weight`` as a constant array of the scores' dtype whose shape broadcasts to the scores' (torch's product
    of the terms and the weight), or None."""
    if weight is None:
        return None
    array = _real_array(weight, loss, "weight")
    if broadcast_shape(array.shape, scores.shape) != scores.shape:
        classes = scores.shape[-1]
        raise ShapeError(
            f"{loss}: weight must have shape ({classes},), one per class, or a shape that broadcasts to the scores' "
            f"{scores.shape}, got shape {array.shape}"
        )
    return array.astype(scores.dtype)


def multilabel_margin_loss(
    scores: Any, target: Any, *, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
) -> Tensor:
    """Multi-label hinge loss: per sample, sum over its classes j and the classes i it lacks of
    max(0, 1 - (x_j - x_i)) / C.

    ``scores`` is (N, C) or (C,) (or (), one class's score, with a () or (1,) target, as torch reads it);
    ``target`` the same shape of integer class indices: a sample's classes
    are listed first, and the list ends at the first -1 (or at the end of the row). A class listed twice
    counts twice, as in torch. d/dx_j = -(number of active pairs (j, i)) / C, d/dx_i = +(number of active
    pairs (j, i)) / C; at the kink (x_j - x_i = 1) the derivative is 0.
    """
    loss = "multilabel_margin_loss"
    reduction = legacy_reduction(loss, size_average, reduce, reduction)
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    scores = as_float_tensor(scores, loss)
    indices = np.asarray(target._data if isinstance(target, Node) else target)
    if scores.ndim == 0:  # torch reads a 0-d input as a lone sample's one class score, its target () or (1,)
        scores = scores.reshape(1)
        indices = indices.reshape(1) if indices.ndim <= 1 and indices.size == 1 else indices
    if scores.ndim not in (1, 2) or scores.shape[-1] == 0:  # torch: only the batch axis may be empty
        raise ShapeError(f"{loss}: scores must be (N, C), (C,) or () with C > 0, got shape {scores.shape}")
    if indices.shape != scores.shape or indices.dtype.kind not in "iu":
        # a shape torch refuses: its RuntimeError; a dtype: its RuntimeError too ("expected scalar type Long")
        error = ShapeError if indices.shape != scores.shape else TargetDtypeError
        raise error(
            f"{loss}: target must be integer class indices of the scores' shape {scores.shape}, padded with -1; "
            f"got {indices.dtype} of shape {indices.shape}"
        )
    classes = scores.shape[-1]
    listed = np.cumprod(indices != -1, axis=-1).astype(bool)  # the entries before each row's first -1
    bad = indices[listed & ((indices < 0) | (indices >= classes))]
    if bad.size:  # torch's RuntimeError
        raise ArgumentRangeError(
            f"{loss}: class indices must lie in [0, {classes - 1}] (or be -1 to end a list), got {np.unique(bad)[:5].tolist()}"
        )
    positions = np.where(listed, indices, 0)
    has_class = np.zeros(scores.shape, dtype=bool)
    has_class[np.nonzero(listed)[:-1] + (positions[listed],)] = True
    # the lists are prefixes: only the first ``width`` (the longest list) columns name classes, so the pairs
    # are (..., width, C), not (..., C, C) (100x less work for a few labels out of 100 classes)
    width = int(listed.sum(axis=-1).max(initial=0))
    listed, positions = listed[..., :width], positions[..., :width]
    listed_scores = take_along_axis(scores, positions, -1)  # (..., width): the score of each listed class
    hinges = (1.0 - listed_scores.unsqueeze(-1) + scores.unsqueeze(-2)).relu()  # [j, i]: 1 - (x_j - x_i)
    pairs = listed[..., :, None] & ~has_class[..., None, :]
    chosen = hinges.where(pairs, 0.0).reshape(scores.shape[:-1] + (width * classes,))
    length = _pairwise_prefix(width * classes, classes * classes)
    if length > width * classes:  # zeros up to that length: the sum of all C * C pairs' terms, bit for bit
        chosen = concatenate(
            [chosen, Tensor(np.zeros(scores.shape[:-1] + (length - width * classes,), chosen.dtype))], -1
        )
    terms = chosen.sum(axis=-1) / classes
    return _reduce(terms, reduction)


def _pairwise_prefix(needed: int, length: int) -> int:
    """The length of the shortest leading part of ``length`` entries whose sum numpy's pairwise summation takes
    as one of its partial sums, among those holding the first ``needed`` entries: the rest being zeros, the sum of
    that part is the sum of all ``length`` entries bit for bit. (numpy sums up to 128 entries by 8 running sums
    and halves longer runs at a multiple of 8.)"""
    while length > 128:
        half = length // 2
        half -= half % 8
        if needed > half:
            break
        length = half
    return length
