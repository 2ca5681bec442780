"""Losses on pairs and triplets of scores or embeddings with targets in {-1, +1}, torch's
``margin_ranking_loss``, ``hinge_embedding_loss``, ``soft_margin_loss``, ``cosine_embedding_loss`` and
``triplet_margin_loss`` and ``triplet_margin_with_distance_loss``; ``reduction`` ("mean" | "sum" | "none") is
keyword-only, and so are torch's deprecated ``size_average`` and ``reduce`` (not on
``triplet_margin_with_distance_loss``, as in torch), which override it when given.

Where a hinge max(0, z) sits exactly at z = 0 its derivative is taken as 1, as torch's ``clamp_min`` does in
these losses; a nan hinge argument gives a nan term (with derivative 0), as there. ``hinge_embedding_loss`` broadcasts
its input and target as torch's (silently: a (5, 5) input and a (1, 5) target give (5, 5) terms), ``soft_margin_loss``
its target to the input's shape (torch's refuses an input that would have to grow), ``margin_ranking_loss`` its three operands of one number of dimensions,
``cosine_embedding_loss`` its two inputs of one rank (and the target against their cosines) and the triplet losses
their inputs of one rank, as torch's. The targets are meant to be -1 or +1; ``margin_ranking_loss``, ``hinge_embedding_loss`` and
``soft_margin_loss`` take any real target into their formula, as torch's (a target of margin_ranking_loss that
requires grad gets its gradient, as there), and ``cosine_embedding_loss`` gives a target that is neither a term
of 0, as torch's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Node, ShapeError, Tensor, where
from autograd.accumulation import float16_via_float32
from autograd.broadcasting import broadcast_shape

from ..checks import check_choice, check_flag, check_real
from .activations import as_float_tensor
from .deprecated_reduction import legacy_reduction
from .distance import _order, pairwise_distance
from .losses import REDUCTIONS, _paired, _reduce

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _hinge(z: Tensor) -> Tensor:
    """max(0, z) with derivative 1 where z >= 0, else 0, as torch's ``clamp_min(z, 0)``: nan stays nan (with
    derivative 0) and -0 stays -0."""
    return where(z._data >= 0, z, np.maximum(z._data, 0.0))  # numpy's maximum keeps nan


def _real_target(target: Any, like: Tensor, loss: str) -> Tensor:
    """``target`` as a float Tensor of ``like``'s shape, any real values (torch's formula takes them all)."""
    _, target = _paired(like, target, loss, "input")
    return target


def _input_and_target(loss: str, input: Any, target: Any, *, input_expands: bool = True) -> tuple[Tensor, Tensor]:
    """``input`` as a float Tensor and ``target`` as :func:`_real_target`, both broadcast to their common shape as
    torch's hinge_embedding_loss takes them (an input's gradient sums back over the axes it was expanded along);
    without ``input_expands`` only the target is (torch's soft_margin_loss writes into an output of the input's
    shape). Shapes that do not broadcast so are a :class:`ShapeError` naming both, torch's RuntimeError."""
    x = as_float_tensor(input, loss)
    if isinstance(target, Node) and not isinstance(target, Tensor):
        return x, _real_target(target, x, loss)  # (refused there, naming the loss)
    if not isinstance(target, Tensor):
        target = np.asarray(target)
    common = broadcast_shape(x.shape, tuple(target.shape))
    if common is not None and x.shape != common and not input_expands:
        raise ShapeError(f"{loss}: target shape {tuple(target.shape)} does not broadcast to input shape {x.shape}")
    if common is not None:
        if x.shape != common:
            x = x.broadcast_to(common)
        if tuple(target.shape) != common:
            target = target.broadcast_to(common) if isinstance(target, Tensor) else np.broadcast_to(target, common)
    return x, _real_target(target, x, loss)


def _broadcast_of_one_rank(loss: str, names: tuple[str, ...], *operands: Any) -> list[Any]:
    """``operands`` (called ``names``) broadcast against each other, as torch's margin_ranking_loss takes them: all
    of one number of dimensions, then broadcast (a Tensor's gradient sums back over the axes it was expanded along).
    Otherwise a :class:`ShapeError`, torch's RuntimeError, naming the shapes; of shapes that do not broadcast, the
    first pair that does not (there is one: shapes that broadcast pairwise broadcast together)."""
    arrays = [operand._data if isinstance(operand, Node) else np.asarray(operand) for operand in operands]
    shapes = [array.shape for array in arrays]
    if len({len(shape) for shape in shapes}) != 1:
        shown = ", ".join(str(shape) for shape in shapes)
        raise ShapeError(f"{loss}: the inputs and the target must have one number of dimensions, got shapes {shown}")
    common = broadcast_shape(*shapes)
    if common is None:
        first, second = next(
            (i, j)
            for i, j in itertools.combinations(range(len(shapes)), 2)
            if broadcast_shape(shapes[i], shapes[j]) is None
        )
        raise ShapeError(
            f"{loss}: {names[second]} shape {shapes[second]} does not match {names[first]} shape {shapes[first]}"
        )
    broadcast = []
    for operand, array, shape in zip(operands, arrays, shapes):
        if shape != common:  # (a Tensor's expansion is recorded, so its gradient sums back)
            operand = operand.broadcast_to(common) if isinstance(operand, Tensor) else np.broadcast_to(array, common)
        broadcast.append(operand)
    return broadcast


def margin_ranking_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0.0,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -y (x1 - x2) + margin): x1 should rank above x2 by ``margin`` where y = 1, below where y = -1
    (any real y is put into the formula, as torch does).

    d/dx1 = -y where the hinge is active (>= 0), else 0; d/dx2 = -d/dx1; d/dy = -(x1 - x2) there.
    """
    reduction = legacy_reduction("margin_ranking_loss", size_average, reduce, reduction)
    reduction = check_choice("margin_ranking_loss", "reduction", reduction, REDUCTIONS)
    margin = check_real("margin_ranking_loss", "margin", margin)
    input1, input2, target = _broadcast_of_one_rank(
        "margin_ranking_loss", ("input1", "input2", "target"), input1, input2, target
    )
    x1, x2 = _paired(input1, input2, "margin_ranking_loss", "input1", "input2")
    y = _real_target(target, x1, "margin_ranking_loss")
    return _reduce(_hinge(-y * (x1 - x2) + margin), reduction)


def hinge_embedding_loss(
    input: Any,
    target: Any,
    margin: float = 1.0,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """x where y = 1 and max(0, margin - x) where y = -1, for distances x (torch's hinge embedding loss). A target
    that is neither gets both terms, x + max(0, margin - x), as torch's formula
    [y != 1] max(0, margin - x) + [y != -1] x gives it.

    d/dx = [y != -1] - [y != 1] where x <= margin, [y != -1] elsewhere; the target gets no gradient (as torch's).
    """
    reduction = legacy_reduction("hinge_embedding_loss", size_average, reduce, reduction)
    reduction = check_choice("hinge_embedding_loss", "reduction", reduction, REDUCTIONS)
    margin = check_real("hinge_embedding_loss", "margin", margin)
    x, y = _input_and_target("hinge_embedding_loss", input, target)
    y = y._data
    terms = where(y == 1, x, _hinge(margin - x))
    neither = (y != 1) & (y != -1)
    if neither.any():  # torch's two terms, both kept where y is neither -1 nor +1
        terms = terms + where(neither, x, np.zeros((), x.dtype))
    return _reduce(terms, reduction)


@float16_via_float32
def soft_margin_loss(
    input: Any, target: Any, *, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
) -> Tensor:
    """Logistic loss log(1 + e^(-y x)) = softplus(-y x), stable for every finite x, for targets y = -1 or +1 and, as
    torch's, any real y; d/dx = -y sigmoid(-y x), d/dy = -x sigmoid(-y x)."""
    reduction = legacy_reduction("soft_margin_loss", size_average, reduce, reduction)
    reduction = check_choice("soft_margin_loss", "reduction", reduction, REDUCTIONS)
    x, y = _input_and_target("soft_margin_loss", input, target, input_expands=False)
    return _reduce((-y * x).softplus(), reduction)


#: torch's guard added to each squared norm in ``cosine_embedding_loss``.
COSINE_EMBEDDING_EPS = 1e-12


@float16_via_float32
def cosine_embedding_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0.0,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(x1, x2) where y = 1 and max(0, cos(x1, x2) - margin) where y = -1, the cosine over the last
    axis of (N, D) or (D,) inputs, as torch: (x1 . x2) / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)).

    ``target`` is (N,) or () in {-1, +1} (any other value gives a term of 0, as torch's formula
    [y = 1] (1 - cos) + [y = -1] max(0, cos - margin) does). d/dcos = -1 (y = 1) or 1 where cos >= margin
    (y = -1). As torch's, the two inputs broadcast (one query (1, D) against N candidates (N, D)) and so does the
    target against their cosines. Inputs of two ranks or of another rank than 1 or 2, or a target whose rank is
    not theirs less one, are a :class:`ShapeError` (a ValueError, and the RuntimeError torch raises).
    """
    loss = "cosine_embedding_loss"
    reduction = legacy_reduction(loss, size_average, reduce, reduction)
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    margin = check_real(loss, "margin", margin)
    x1, x2 = _paired(input1, input2, loss, "input1", "input2", broadcasts=True)
    if x1.ndim not in (1, 2) or x2.ndim != x1.ndim:  # torch's RuntimeError
        raise ShapeError(f"{loss}: inputs must both be (N, D) or both (D,), got shapes {x1.shape} and {x2.shape}")
    target_rank = np.ndim(target._data if isinstance(target, Node) else target)
    if target_rank != x1.ndim - 1:  # torch checks the ranks before any broadcasting: its RuntimeError
        raise ShapeError(
            f"{loss}: the target must be (N,) for (N, D) inputs and () for (D,) ones; got a target of "
            f"{target_rank} axes for inputs of shape {x1.shape}"
        )
    squared = (x1 * x1).sum(axis=-1) + COSINE_EMBEDDING_EPS
    cosine = (x1 * x2).sum(axis=-1) / (squared * ((x2 * x2).sum(axis=-1) + COSINE_EMBEDDING_EPS)).sqrt()
    _, y = _paired(Tensor(np.zeros(cosine.shape, x1.dtype)), target, loss, "inputs' batch", broadcasts=True)
    terms = where(y._data == 1, 1 - cosine, _hinge(cosine - margin))
    neither = (y._data != 1) & (y._data != -1)
    if neither.any():  # torch's formula has no term for them
        terms = where(neither, np.zeros((), terms.dtype), terms)
    return _reduce(terms, reduction)


def _check_one_rank(loss: str, anchor: Any, positive: Any, negative: Any) -> None:
    """A triplet loss's three inputs must have one number of axes, which torch checks first: a
    :class:`ShapeError` otherwise (torch's RuntimeError)."""
    try:
        shapes = [np.shape(x._data if isinstance(x, Node) else x) for x in (anchor, positive, negative)]
    except ValueError:  # a ragged sequence: left to the conversion's error, which names it
        return
    if len({len(shape) for shape in shapes}) != 1:
        raise ShapeError(
            f"{loss}: the anchor, positive and negative inputs must have the same number of axes, got shapes "
            f"{shapes[0]}, {shapes[1]} and {shapes[2]}"
        )


def _check_broadcast(loss: str, anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    """A triplet loss's three inputs must broadcast together, as the distances between them and their differences
    need (torch's RuntimeError otherwise): a :class:`ShapeError` naming the loss and the three shapes."""
    if broadcast_shape(anchor.shape, positive.shape, negative.shape) is None:
        raise ShapeError(
            f"{loss}: the anchor, positive and negative shapes {anchor.shape}, {positive.shape} and {negative.shape} "
            "do not broadcast together"
        )


@float16_via_float32
def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with d = ``pairwise_distance`` (p-norm of the difference plus
    ``eps``) over the last axis: one term per vector of (N, D) or (D,) inputs, and of (N, ..., D) ones, as
    torch's (a 0-d input is one one-entry vector; inputs of one rank broadcast, a (1, D) positive against (N, D)
    anchors, as torch's); with ``swap`` d(a, n) is replaced by min(d(a, n), d(p, n))
    (Balntas et al.'s distance swap), as torch. ``margin`` must be positive, as torch's.
    """
    loss = "triplet_margin_loss"
    reduction = legacy_reduction(loss, size_average, reduce, reduction)
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    margin = check_real(loss, "margin", margin, 0, low_open=True)  # as torch's: a margin > 0
    swap = check_flag(loss, "swap", swap)
    p = _order(loss, p)  # named here, not by the pairwise_distance it runs
    eps = check_real(loss, "eps", eps)
    _check_one_rank(loss, anchor, positive, negative)
    a, positive = _paired(anchor, positive, loss, "anchor", "positive", broadcasts=True)
    _, negative = _paired(a, negative, loss, "anchor", "negative", broadcasts=True)
    _check_broadcast(loss, a, positive, negative)  # positive against negative (each broadcasts against the anchor)
    to_positive = pairwise_distance(a, positive, p, eps)
    to_negative = pairwise_distance(a, negative, p, eps)
    if swap:
        between = pairwise_distance(positive, negative, p, eps)
        to_negative = to_negative.minimum(between)
    return _reduce(_hinge(margin + to_positive - to_negative), reduction)


def triplet_margin_with_distance_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) for any distance ``d`` (``distance_function``, a callable of two Tensors
    returning one distance per triplet; default :func:`pairwise_distance`), as torch; with ``swap`` d(a, n) is
    min(d(a, n), d(p, n)). ``margin`` must be positive; the three inputs must have the same number of axes.

    d/d(d(a, p)) = 1 and d/d(d(a, n)) = -1 where the hinge is active (>= 0), else 0; the rest is ``d``'s gradient.
    """
    loss = "triplet_margin_with_distance_loss"
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    margin = check_real(loss, "margin", margin, 0, low_open=True)
    swap = check_flag(loss, "swap", swap)
    if distance_function is not None and not callable(distance_function):
        raise TypeError(f"{loss}: distance_function must be callable or None, got {type(distance_function).__name__}")
    a, positive, negative = (as_float_tensor(x, loss) for x in (anchor, positive, negative))
    _check_one_rank(loss, a, positive, negative)
    if distance_function is None:  # (a custom distance may take inputs of any shapes)
        _check_broadcast(loss, a, positive, negative)
    distance = pairwise_distance if distance_function is None else distance_function
    to_positive = as_float_tensor(distance(a, positive), loss)
    to_negative = as_float_tensor(distance(a, negative), loss)
    if swap:
        to_negative = to_negative.minimum(as_float_tensor(distance(positive, negative), loss))
    return _reduce(_hinge(margin + to_positive - to_negative), reduction)
