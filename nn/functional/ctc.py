"""torch's ``ctc_loss``: the connectionist temporal classification loss, -log p(target | log_probs).

The forward (alpha) recursion runs in log space on recorded ops, one step per time frame, vectorised over the
batch and the positions s of the extended label sequence l' = (blank, l_1, blank, l_2, ..., l_L, blank):

    alpha_0(s) = lp_0(l'_s) for s < 2,
    alpha_t(s) = lp_t(l'_s) + logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2) if l'_s != l'_{s-2}),
    loss = -logsumexp(alpha_{T_n - 1}(2L), alpha_{T_n - 1}(2L - 1)),

so its gradient comes from the recorded ops (no hand-written beta recursion). An impossible path ("log 0") is
held as the finite :data:`LOG_ZERO`, whose exponential is 0 beside any real log-probability: a logsumexp over
impossible terms only still has a finite gradient, which the terms that are possible then scale by 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, concatenate, stack, take_along_axis, where
from autograd.accumulation import float16_via_float32
from autograd.function import Function
from autograd.index_errors import IndexDtypeError
from autograd.shape_errors import ArgumentRangeError, ShapeError

from ..checks import check_choice, check_flag, check_integer
from .activations import as_float_tensor
from .deprecated_reduction import renamed_reduction

__all__ = ["LOG_ZERO", "ctc_loss"]

#: log 0 in the recursion: finite (so no inf - inf), and exp(LOG_ZERO - m) = 0 for any real m.
LOG_ZERO = -1e30


def _lengths(values: Any, batch: int, name: str) -> np.ndarray:
    """``input_lengths`` or ``target_lengths`` as a (batch,) int64 array of non-negative integers."""
    array = np.asarray(values._data if isinstance(values, Tensor) else values)
    if array.dtype.kind not in "iu":
        raise IndexDtypeError(f"ctc_loss: {name} must hold integers, got dtype {array.dtype}")
    array = array.reshape(-1).astype(np.int64)
    if array.shape != (batch,):
        raise ShapeError(f"ctc_loss: {name} must have {batch} entries (one per sample), got {array.size}")
    if (array < 0).any():
        raise ArgumentRangeError(f"ctc_loss: {name} must be non-negative, got {array.tolist()}")
    return array


def _padded_targets(targets: Any, target_lengths: np.ndarray, batched: bool) -> np.ndarray:
    """The targets as an (N, max(target_lengths)) int64 array, from torch's padded (N, S) or concatenated form.

    Padded targets must have one row per sample (an unbatched sample's may be (S,) or (1, S)): a
    :class:`ShapeError` otherwise, torch's RuntimeError, never rows read across samples."""
    array = np.asarray(targets._data if isinstance(targets, Tensor) else targets)
    if array.dtype.kind not in "iu":
        raise TypeError(f"ctc_loss: targets must hold integer class indices, got dtype {array.dtype}")
    array = array.astype(np.int64)
    longest = int(target_lengths.max(initial=0))
    rows = np.zeros((target_lengths.size, longest), dtype=np.int64)
    if array.ndim == 2 or array.ndim == 1 and not batched and array.size >= longest:
        array = array.reshape(1, -1) if array.ndim == 1 else array
        if array.shape[0] != target_lengths.size or array.shape[1] < longest:
            raise ShapeError(
                f"ctc_loss: padded targets of shape {array.shape} do not fit target_lengths "
                f"{target_lengths.tolist()}: they need one row per sample ({target_lengths.size}) of at least "
                f"{longest} entries"
            )
        for n, length in enumerate(target_lengths):
            rows[n, :length] = array[n, :length]
    elif array.ndim == 1:
        if array.size != target_lengths.sum():
            raise ShapeError(
                f"ctc_loss: concatenated targets have {array.size} entries but target_lengths sum to "
                f"{int(target_lengths.sum())}"
            )
        starts = np.concatenate([[0], np.cumsum(target_lengths)])
        for n, length in enumerate(target_lengths):
            rows[n, :length] = array[starts[n] : starts[n] + length]
    else:
        raise ShapeError(f"ctc_loss: targets must be 2-D (padded) or 1-D (concatenated), got shape {array.shape}")
    return rows


def _extended_labels(targets: np.ndarray, target_lengths: np.ndarray, blank: int, classes: int) -> np.ndarray:
    """l' per sample, (N, 2 S + 1): blanks at even positions, the labels at odd ones (blank past each end)."""
    for n, length in enumerate(target_lengths):
        labels = targets[n, :length]
        if ((labels < 0) | (labels >= classes) | (labels == blank)).any():
            raise ValueError(
                f"ctc_loss: targets must be class indices in [0, {classes}) other than blank={blank}, got "
                f"{labels.tolist()} for sample {n}"
            )
    extended = np.full((targets.shape[0], 2 * targets.shape[1] + 1), blank, dtype=np.int64)
    extended[:, 1::2] = np.where(np.arange(targets.shape[1]) < target_lengths[:, None], targets, blank)
    return extended


def _shifted(alpha: Tensor, by: int) -> Tensor:
    """alpha(s - by) at each position s (LOG_ZERO where s < by)."""
    impossible = Tensor(np.full((alpha.shape[0], min(by, alpha.shape[1])), LOG_ZERO, dtype=alpha.dtype))
    if by >= alpha.shape[1]:
        return impossible
    return concatenate([impossible, alpha[:, :-by]], axis=1)


def _log_likelihoods(log_probs: Tensor, extended: np.ndarray, input_lengths: np.ndarray) -> Tensor:
    """alpha_{T_n - 1}(s) per sample n and extended position s, (N, 2 S + 1), by the recursion."""
    frames, batch, width = log_probs.shape[0], extended.shape[0], extended.shape[1]
    index = np.broadcast_to(extended[None], (frames, batch, width))
    emissions = take_along_axis(log_probs, index, axis=2)  # lp_t(l'_s): (T, N, 2 S + 1)
    skip = np.zeros((batch, width), dtype=bool)
    skip[:, 2:] = extended[:, 2:] != extended[:, :-2]  # blanks repeat, so only labels may skip
    skip_penalty = np.where(skip, 0.0, LOG_ZERO).astype(log_probs.dtype)
    start = np.where(np.arange(width) < 2, 0.0, LOG_ZERO).astype(log_probs.dtype)
    alpha = emissions[0] + start
    for t in range(1, frames):
        arrivals = stack([alpha, _shifted(alpha, 1), _shifted(alpha, 2) + skip_penalty])
        stepped = arrivals.logsumexp(axis=0) + emissions[t]
        alpha = where((t < input_lengths)[:, None], stepped, alpha)
    return alpha


class _UndefinedGradient(Function):
    """The losses unchanged; d/dlog_probs gets nan at the frames ``frames_read`` (T, N) of the samples no alignment
    fits, as torch's kernel (its inf - inf): an infinite loss has no gradient, and only ``zero_infinity`` zeroes it."""

    @staticmethod
    def forward(ctx: Any, losses: Tensor, log_probs: Tensor, frames_read: np.ndarray) -> np.ndarray:
        ctx.shape, ctx.dtype, ctx.frames_read = log_probs.shape, log_probs.dtype, frames_read
        return losses._data.copy()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor, None]:
        undefined = np.where(ctx.frames_read[..., None], np.nan, 0.0)
        return grad, Tensor(np.broadcast_to(undefined, ctx.shape).astype(ctx.dtype)), None


@float16_via_float32
def ctc_loss(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """torch.nn.functional.ctc_loss: -log of the total probability of every alignment of the target.

    ``log_probs``: (T, N, C) log-probabilities (e.g. ``log_softmax`` over C), or unbatched (T, C); ``targets``:
    padded (N, S) or concatenated 1-D class indices (never ``blank``); ``input_lengths`` and ``target_lengths``:
    one per sample. ``reduction='mean'`` divides each loss by its target length (at least 1), then averages over
    the batch, as torch. A target no alignment fits has infinite loss and, as torch's, a nan gradient over the
    frames its sample reads; or 0 (and 0 gradient) with ``zero_infinity``. d/dlog_probs comes from the recorded recursion (see the module docstring).
    What torch refuses with a RuntimeError (shapes, lengths, ``blank``) is a :class:`ShapeError` or an
    :class:`ArgumentRangeError` here, RuntimeErrors and ValueErrors both; a label out of range or equal to
    ``blank``, which torch takes unchecked, is a plain ValueError.
    """
    reduction = renamed_reduction("ctc_loss", reduction)
    reduction = check_choice("ctc_loss", "reduction", reduction, ("mean", "sum", "none"))
    zero_infinity = check_flag("ctc_loss", "zero_infinity", zero_infinity)
    log_probs = as_float_tensor(log_probs, "ctc_loss")
    batched = log_probs.ndim == 3
    if log_probs.ndim not in (2, 3):
        raise ShapeError(f"ctc_loss: log_probs must be (T, N, C) or (T, C), got shape {log_probs.shape}")
    if not batched:
        log_probs = log_probs.reshape(log_probs.shape[0], 1, log_probs.shape[1])
    frames, batch, classes = log_probs.shape
    if log_probs.size == 0:  # no frames, no samples or no classes: torch's RuntimeError, never numpy's reshape error
        raise ShapeError(f"ctc_loss: log_probs must not be empty, got shape {log_probs.shape}")
    blank = check_integer("ctc_loss", "blank", blank)
    if not 0 <= blank < classes:
        raise ArgumentRangeError(f"ctc_loss: blank={blank} is not a class index in [0, {classes})")
    input_lengths = _lengths(input_lengths, batch, "input_lengths")
    target_lengths = _lengths(target_lengths, batch, "target_lengths")
    if (input_lengths > frames).any():
        raise ArgumentRangeError(
            f"ctc_loss: input_lengths {input_lengths.tolist()} exceed the {frames} frames of log_probs"
        )
    extended = _extended_labels(_padded_targets(targets, target_lengths, batched), target_lengths, blank, classes)
    safe_log_probs = where(log_probs._data < LOG_ZERO, LOG_ZERO, log_probs)  # log 0 = -inf becomes LOG_ZERO
    alpha = _log_likelihoods(safe_log_probs, extended, input_lengths)
    ends = np.stack([2 * target_lengths, np.maximum(2 * target_lengths - 1, 0)], axis=1)
    finals = take_along_axis(alpha, ends, axis=1)
    no_label = np.stack([np.zeros(batch), np.where(target_lengths > 0, 0.0, LOG_ZERO)], axis=1)
    losses = -(finals + no_label.astype(log_probs.dtype)).logsumexp(axis=1)
    impossible = (losses._data > -LOG_ZERO / 2) | (input_lengths == 0) & (target_lengths > 0)
    losses = where(impossible, 0.0 if zero_infinity else np.inf, losses)
    if not zero_infinity and impossible.any() and log_probs.requires_grad:  # rare: no cost in the common case
        frames_read = np.arange(frames)[:, None] < np.where(impossible, input_lengths, 0)[None, :]
        losses = _UndefinedGradient.apply(losses, log_probs, frames_read)
    losses = where((input_lengths == 0) & (target_lengths == 0), 0.0, losses)  # no frames, nothing to emit
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        return (losses / np.maximum(target_lengths, 1).astype(log_probs.dtype)).mean()
    return losses if batched else losses.reshape(())
