"""Loss functions on Tensors, each with ``reduction`` = "mean" | "sum" | "none".

Every loss is a composite of autograd primitives, so it is differentiable (to any
order) with respect to its predictions and, for the regression losses, its target.
Predictions and targets may be Tensors or array-likes; an array-like target takes the
prediction's dtype. Shapes must match exactly (no silent broadcasting), class indices
must be integers in range, probabilities must lie in [0, 1] and margin-loss targets
must be -1 or +1; anything else raises a ValueError/TypeError naming the loss.

Classification losses take the class axis ``axis`` (1 for (N, C, ...) input, as torch;
a 1-D input (C,) is a single unbatched sample, its class a 0-d target or, as torch's, a (1,) one). "mean" averages over every loss term,
i.e. over samples (and spatial positions) for the classification losses.

The losses torch gives its deprecated ``size_average`` and ``reduce`` take them too, keyword-only: either one,
given, overrides ``reduction`` as in torch, with a warning (see :func:`deprecated_reduction.legacy_reduction`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import (
    ClassIndexError,
    Function,
    Node,
    ShapeError,
    Tensor,
    check_class_range,
    is_grad_enabled,
    softmax_cross_entropy,
    where,
)
from autograd.accumulation import float16_via_float32
from autograd.broadcasting import broadcast_shape
from autograd.clipping import huber_terms, smooth_l1_terms
from autograd.index_errors import IndexDtypeError
from autograd.quiet import quiet, quietly
from autograd.shape_errors import ArgumentRangeError
from autograd.shared_math import where as select_either  # a Tensor's where or numpy's, by the operands
from autograd.tensor import VALUE_NOT_TENSOR, refuse_values
from autograd.tensor_functions import in_class_range, logistic_loss_terms, negative_log_likelihood

from ..checks import UnsupportedOptionError, check_axis, check_choice, check_integer, check_real
from .activations import as_float_tensor
from .deprecated_reduction import legacy_reduction, renamed_reduction

__all__ = [
    "REDUCTIONS",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "check_margin_power",
    "cross_entropy",
    "exponential_loss",
    "hinge_loss",
    "huber_loss",
    "l1_loss",
    "mape",
    "mean_bias_error",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
    "perceptron_loss",
    "smooth_hinge_loss",
    "smooth_l1_loss",
]

#: Accepted values of ``reduction``.
REDUCTIONS = ("mean", "sum", "none")

#: log(p) is clamped at this value in binary_cross_entropy, as torch does.
LOG_FLOOR = -100.0

#: binary_cross_entropy's d/dp divides by max(p (1 - p), this), as torch's: its EPSILON, a float32 1e-12 (so
#: 9.99999996e-13, in float64 too).
BCE_GRADIENT_EPS = float(np.float32(1e-12))

#: Default guard of ``mape`` against division by a zero target (scikit-learn's choice).
MAPE_EPS = float(np.finfo(np.float64).eps)


def _reduce(terms: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return terms
    if reduction == "sum":
        return terms.sum()
    return terms.mean()  # of an empty batch nan, as numpy's and torch's (without numpy's warning)


def check_weight_not_reduction(loss: str, weight: Any) -> None:
    """Refuse a string where torch's signature has ``weight`` (an old positional ``reduction``)."""
    if isinstance(weight, str):
        raise TypeError(
            f"{loss}: the first argument after the target is weight, as in torch; got the string {weight!r}. "
            f"Pass reduction={weight!r} by keyword"
        )


def refuse_weight_requiring_grad(loss: str, name: str, weight: Any) -> None:
    """Refuse a ``weight`` that requires grad while gradients are recorded, where torch's kernel has no derivative
    for it (its RuntimeError), rather than leave the weight without a gradient silently."""
    if isinstance(weight, Node) and weight.requires_grad and is_grad_enabled():
        raise RuntimeError(
            f"{loss}: not differentiable with respect to argument '{name}', which requires grad (as torch's, whose "
            f"kernel has no derivative for it); pass {name}.detach() to use it as a constant"
        )


def _paired(
    prediction: Any,
    target: Any,
    loss: str,
    what: str = "prediction",
    other: str = "target",
    *,
    torch_broadcasts: bool = True,
    broadcasts: bool = False,
) -> tuple[Tensor, Tensor]:
    """Prediction and target as float Tensors of one shape (errors call them ``what`` and ``other``).

    Float Tensor targets are kept (they may carry gradients); any other target is a
    constant of the prediction's dtype. Shapes that differ are a ValueError; where torch's loss broadcasts the two
    (``torch_broadcasts``; it warns when the shapes differ), shapes that do not broadcast are its RuntimeError, so a
    :class:`ShapeError` (torch's binary cross-entropies compare the sizes first instead, a ValueError). With
    ``broadcasts`` shapes that broadcast are kept as they are (a loss that broadcasts silently, as torch's triplet
    loss: one positive for every anchor).
    """
    prediction = as_float_tensor(prediction, loss)
    if isinstance(target, Node) and not isinstance(target, Tensor):
        raise TypeError(
            f"{loss}: {other} must be a Tensor or an array-like, got a {type(target).__name__}; {VALUE_NOT_TENSOR}"
        )
    if not (isinstance(target, Tensor) and target.dtype.kind == "f"):
        array = np.asarray(target._data if isinstance(target, Tensor) else target)
        if array.dtype.kind not in "fiub":
            refuse_values(array, f"{loss} ({other})")
            raise TypeError(f"{loss}: {other} must hold real numbers, got dtype {array.dtype}")
        target = Tensor(array, dtype=prediction.dtype)
    if target.shape != prediction.shape:
        if broadcasts and broadcast_shape(target.shape, prediction.shape) is not None:
            return prediction, target
        torch_refuses = torch_broadcasts and broadcast_shape(target.shape, prediction.shape) is None
        error = ShapeError if torch_refuses else ValueError
        raise error(
            f"{loss}: {other} shape {target.shape} does not match {what} shape {prediction.shape}"
            + _mismatch_hint(target.shape, prediction.shape, what, other, torch_broadcasts)
        )
    return prediction, target


def _mismatch_hint(
    other_shape: tuple[int, ...], shape: tuple[int, ...], what: str, other: str, torch_broadcasts: bool
) -> str:
    """What to do about two shapes a loss refuses that differ only by axes of size 1, the usual (N,) against (N, 1):
    they hold the same values, so a reshape is the fix (where torch's loss broadcasts, it would pair every sample with
    every other, (N, N), and only warn). Other mismatches get no hint: which axis is wrong cannot be told."""
    if tuple(n for n in other_shape if n != 1) != tuple(n for n in shape if n != 1):
        return ""
    joint = broadcast_shape(other_shape, shape)
    size = int(np.prod(shape))
    blows_up = torch_broadcasts and joint is not None and int(np.prod(joint)) > size
    broadcast = f"; torch would broadcast them to {joint}, pairing every value with every other" if blows_up else ""
    return f"{broadcast}; both hold the same {size} value(s), so reshape one: {other}.reshape({what}.shape)"


def _target_shape_error(expected: tuple[int, ...], found: tuple[int, ...]) -> type[ValueError]:
    """torch's class for a cross_entropy / nll_loss target of shape ``found`` instead of ``expected`` (the input's
    shape without its class axis): a ValueError when the batch sizes (the first axes; a 0-d target has none)
    differ, which torch checks first, else its RuntimeError, a :class:`ShapeError`. Beside one unbatched sample
    (``expected`` ()) torch refuses a target of two or more axes first (its RuntimeError), then a (k,) one whose k
    is not 1 (its ValueError)."""
    if not expected:
        return ShapeError if len(found) > 1 else ValueError
    return ValueError if found[:1] != expected[:1] else ShapeError


def _check_unit_interval(values: np.ndarray, loss: str, what: str) -> None:
    invalid = values[~((values >= 0) & (values <= 1))]
    if invalid.size:
        shown = np.unique(invalid)[:5].tolist()
        raise ArgumentRangeError(f"{loss}: {what} must lie in [0, 1], got {shown} among values of shape {values.shape}")


def _check_signs(target: Tensor, loss: str) -> None:
    invalid = target._data[(target._data != 1) & (target._data != -1)]
    if invalid.size:
        shown = np.unique(invalid)[:5].tolist()
        raise ValueError(f"{loss}: targets must be -1 or +1, got {shown} in a target of shape {target.shape}")


def _class_axis(scores: Tensor, axis: Any, loss: str) -> int:
    """The class axis: ``axis`` for (N, C, ...) input, 0 for one unbatched (C,) sample."""
    if scores.ndim == 0:
        raise ValueError(f"{loss}: input must have a class axis, got a 0-d input")
    if scores.ndim == 1:
        check_axis(loss, "axis", axis, 2)
        return 0
    return check_axis(loss, "axis", axis, scores.ndim)


def _class_indices(target: Any, scores: Tensor, axis: int, loss: str) -> np.ndarray:
    """``target`` as an integer array of ``scores``' shape without ``axis``, entries in [0, C): multi_margin_loss's.
    torch raises a RuntimeError for its target of another shape, whatever the batch size (a :class:`ShapeError`
    here), and for a class out of range (an :class:`ArgumentRangeError`, also a ValueError; not cross-entropy's
    IndexError)."""
    indices, _ = _class_indices_or_ignored(target, scores, axis, loss, None, like_nll_loss=False)
    return indices


def _class_indices_or_ignored(
    target: Any, scores: Tensor, axis: int, loss: str, ignore_index: int | None, *, like_nll_loss: bool = True
) -> tuple[np.ndarray, bool]:
    """``target`` as an integer array of ``scores``' shape without ``axis``, entries in [0, C) or
    ``ignore_index``, and whether some entry is ``ignore_index``. ``like_nll_loss``: a target of another shape
    raises the class torch's nll_loss raises (:func:`_target_shape_error`), a class out of range a
    :class:`ClassIndexError` (torch's IndexError)."""
    indices = target._data if isinstance(target, Node) else np.asarray(target)
    expected = scores.shape[:axis] + scores.shape[axis + 1 :]
    if indices.dtype.kind not in "iu":  # torch's RuntimeError ("expected scalar type Long but found Float")
        raise IndexDtypeError(
            f"{loss}: class-index targets must be integers, got dtype {indices.dtype} "
            f"(target shape {indices.shape}, input shape {scores.shape}); convert them: target.astype(np.int64) "
            "(target.long() for a Tensor)"
        )
    # torch reads a cross_entropy target of the input's shape as class probabilities, which must be floats (its
    # RuntimeError, before any shape check), and a (1,) one beside one unbatched (C,) sample as that sample's class
    probabilities = loss == "cross_entropy" and indices.shape == scores.shape
    if like_nll_loss and not expected and indices.shape == (1,) and not probabilities:
        indices = indices.reshape(())
    if indices.shape != expected:
        error = ShapeError if probabilities or not like_nll_loss else _target_shape_error(expected, indices.shape)
        probabilities_hint = (
            f"; a target of the input's shape is read as class probabilities, which must be floating point, not "
            f"{indices.dtype}: target.astype(np.float64) (target.double() for a Tensor), or class indices "
            f"target.argmax({axis})"
            if probabilities
            else ""
        )
        raise error(
            f"{loss}: class-index target shape {indices.shape} does not match input shape {scores.shape} "
            f"without its class axis {axis}, i.e. {expected}{probabilities_hint}"
        )
    classes = scores.shape[axis]
    if in_class_range(indices, classes):  # one pass; an ignore_index among the classes still has to be looked for
        return indices, ignore_index is not None and 0 <= ignore_index < classes and bool(
            (indices == ignore_index).any()
        )
    out_of_range = ClassIndexError if like_nll_loss else ArgumentRangeError
    if ignore_index is None:
        check_class_range(indices, classes, loss, out_of_range)
    ignored = indices == ignore_index
    check_class_range(indices[~ignored], classes, loss, out_of_range)
    return indices, bool(ignored.any())


def _real_array(weight: Any, loss: str, name: str) -> np.ndarray:
    """``weight`` (a node's data, an array or a sequence) as an ndarray of real numbers (TypeError otherwise)."""
    array = np.asarray(weight._data if isinstance(weight, Node) else weight)
    if array.dtype.kind not in "fiu":
        raise TypeError(f"{loss}: {name} must hold real numbers, got dtype {array.dtype}")
    return array


def _class_weights(weight: Any, scores: Tensor, axis: int, loss: str) -> np.ndarray | None:
    """``weight`` as a constant (C,) array of the scores' dtype (torch gives it no gradient either), or None."""
    if weight is None:
        return None
    array = _real_array(weight, loss, "weight")
    classes = scores.shape[axis]
    if array.shape != (classes,):
        raise ShapeError(f"{loss}: weight must have shape ({classes},), one per class, got shape {array.shape}")
    return array.astype(scores.dtype)


def _class_weights_in_graph(weight: Any, checked: np.ndarray, dtype: np.dtype) -> Any:
    """The class weights of a loss torch builds of tensor ops (cross_entropy of class probabilities,
    multilabel_soft_margin_loss), which differentiate ``weight`` too: a float Tensor ``weight`` stays in the graph
    (in ``dtype``), anything else is ``checked``, the constant :func:`_class_weights` made of it."""
    if isinstance(weight, Tensor) and weight.dtype.kind == "f":
        return weight if weight.dtype == dtype else weight.astype(dtype)
    return checked


def _weighted_class_terms(
    log_probabilities: Tensor,
    indices: np.ndarray,
    axis: int,
    weight: np.ndarray | None,
    ignore_index: int,
    reduction: str,
    loss: str,
    label_smoothing: float = 0.0,
) -> Tensor:
    """torch's weighted negative log-likelihood with ignored targets (and label smoothing, as cross_entropy).

    term_n = -w[t_n] ((1 - e) logp[n, t_n] + e/C sum_c w_c/w[t_n] logp[n, c]) for kept samples, 0 for ignored
    ones (which get no gradient, whatever their stand-in class weighs, inf or nan included); the mean divides each
    part's sum, the picked terms' and the smoothed ones', by sum_n w[t_n] over the kept samples, as torch's (kept
    weights adding up to 0 give +-inf, or nan where a part's sum is 0 too).
    """
    ignored = indices == ignore_index
    kept_indices = np.where(ignored, 0, indices)
    sample_weights = np.where(ignored, 0, 1 if weight is None else weight[kept_indices]).astype(log_probabilities.dtype)
    picked = _pick(log_probabilities, kept_indices, axis)
    terms = -where(ignored, 0.0, picked) * sample_weights
    smoothed = None
    if label_smoothing:
        classes = log_probabilities.shape[axis]
        class_weights = 1.0 if weight is None else weight.reshape((classes,) + (1,) * (indices.ndim - axis))
        smoothed = where(ignored, 0.0, -(log_probabilities * class_weights).sum(axis=axis))
        smoothed = smoothed * (label_smoothing / classes)
    if reduction != "mean":
        return _reduce(terms if smoothed is None else terms * (1 - label_smoothing) + smoothed, reduction)
    total = float(quietly(np.add.reduce, sample_weights[~ignored], axis=None))  # inf when it overflows, as torch
    if total == 0.0 and ignored.all():  # every target ignored (a batch of padding): torch's 0/0, no gradient
        return terms.sum() * 0.0 + math.nan
    mean = terms.sum() / total
    return mean if smoothed is None else mean * (1 - label_smoothing) + smoothed.sum() / total


def _pick(scores: Tensor, indices: np.ndarray, axis: int) -> Tensor:
    """scores[..., indices, ...] along ``axis``: one entry per sample (a gather)."""
    position = list(np.indices(indices.shape, sparse=True))
    position.insert(axis, indices)
    return scores[tuple(position)]


def _log_softmax(logits: Tensor, axis: int) -> Tensor:
    """log_softmax along ``axis``; an empty batch stays empty (Tensor.log_softmax refuses zero-size input)."""
    return logits.log_softmax(axis=axis) if logits.size else logits


def _expand_class_axis(array: Any, axis: int) -> Any:
    return array.reshape(array.shape[:axis] + (1,) + array.shape[axis:])


# -- regression ------------------------------------------------------------------------
@float16_via_float32
def mse_loss(
    prediction: Any,
    target: Any,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    weight: Any = None,
) -> Tensor:
    """Squared error e^2, e = prediction - target; d/dprediction = 2 e.

    ``weight`` w (the prediction's shape) scales each term, as torch 2.13's: the mean is then
    sum(w e^2) / sum(w) (see :func:`_weighted_reduce`).
    """
    reduction = legacy_reduction("mse_loss", size_average, reduce, reduction)
    reduction = check_choice("mse_loss", "reduction", reduction, REDUCTIONS)
    prediction, target = _paired(prediction, target, "mse_loss")
    error = prediction - target
    return _weighted_reduce(error * error, weight, reduction, "mse_loss")


def l1_loss(
    prediction: Any,
    target: Any,
    reduction: str = "mean",
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    weight: Any = None,
) -> Tensor:
    """Absolute error |e|, e = prediction - target (MAE with "mean"); d/dprediction = sign(e).

    ``weight`` w (the prediction's shape) scales each term, as torch 2.13's: the mean is then
    sum(w |e|) / sum(w) (see :func:`_weighted_reduce`).
    """
    reduction = legacy_reduction("l1_loss", size_average, reduce, reduction)
    reduction = check_choice("l1_loss", "reduction", reduction, REDUCTIONS)
    prediction, target = _paired(prediction, target, "l1_loss")
    return _weighted_reduce((prediction - target).abs(), weight, reduction, "l1_loss")


def _weighted_reduce(terms: Tensor, weight: Any, reduction: str, loss: str) -> Tensor:
    """``_reduce`` of w * terms, torch's weighted ``mse_loss``/``l1_loss``; without ``weight`` plain ``_reduce``.

    w must have the terms' shape (torch does not broadcast it either). "mean" is the weighted mean
    sum(w t) / sum(w), so d/dt = w / sum(w) and d/dw = (t - mean) / sum(w): a float Tensor weight keeps its
    gradient, as torch's; any other weight is a constant of the terms' dtype. Weights summing to 0 (or an
    empty batch) give 0/0 = nan or x/0 = inf, as torch's.
    """
    if weight is None:
        return _reduce(terms, reduction)
    weights = _element_weights_of(terms, weight, loss)
    weighted = terms * weights
    if reduction != "mean":
        return _reduce(weighted, reduction)
    total = weights.sum() if isinstance(weights, Tensor) else quietly(np.add.reduce, weights, axis=None)
    return weighted.sum() / total  # (an overflowing sum of constant weights is inf, as torch's, without a warning)


def _element_weights_of(terms: Tensor, weight: Any, loss: str) -> Any:
    """``weight`` as the terms' per-element weights: a float Tensor kept in the graph (in the terms' dtype), anything
    else a constant array; it must have the terms' shape (torch does not broadcast it either)."""
    if isinstance(weight, Tensor) and weight.dtype.kind == "f":
        weights: Any = weight if weight.dtype == terms.dtype else weight.astype(terms.dtype)
    else:
        weights = _real_array(weight, loss, "weight").astype(terms.dtype)
    if weights.shape != terms.shape:
        raise ValueError(
            f"{loss}: weight of shape {weights.shape} must have the input's shape {terms.shape} (it is not broadcast)"
        )
    return weights


def mean_bias_error(prediction: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Signed error target - prediction: positive means the model under-predicts on average.

    d/dprediction = -1. Not a loss to minimise (it is unbounded below); a diagnostic of bias.
    """
    reduction = check_choice("mean_bias_error", "reduction", reduction, REDUCTIONS)
    prediction, target = _paired(prediction, target, "mean_bias_error")
    return _reduce(target - prediction, reduction)


def mape(prediction: Any, target: Any, reduction: str = "mean", eps: float = MAPE_EPS) -> Tensor:
    """Absolute percentage error |target - prediction| / max(|target|, eps), as a fraction.

    The ``eps`` guard (float64 machine epsilon by default, as scikit-learn's
    ``mean_absolute_percentage_error``) keeps a zero target finite; multiply by 100 for
    percent. d/dprediction = sign(prediction - target) / max(|target|, eps).
    """
    reduction = check_choice("mape", "reduction", reduction, REDUCTIONS)
    eps = check_real("mape", "eps", eps, 0, low_open=True)
    prediction, target = _paired(prediction, target, "mape")
    return _reduce((target - prediction).abs() / target.abs().maximum(eps), reduction)


def _scalar_in_dtype(value: float, dtype: np.dtype) -> float:
    """A loss's scalar parameter rounded to the data's dtype, as torch's kernels take it (as a Python float).

    Silently: 1e300 in float32 is inf and 1e-300 is 0, without numpy's overflow warning.
    """
    return float(quietly(dtype.type, value))


@float16_via_float32
def huber_loss(prediction: Any, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None) -> Tensor:
    """Huber loss: 0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta), d = prediction - target.

    Computed as m (d - 0.5 m) with m = d clipped to [-delta, delta], which never squares a large
    error: the product is the loss itself, so it overflows only where the loss does, and
    each factor (hence each gradient term) is finite for finite d; m follows d's sign (not |d|'s), so the
    second derivative at d = 0 is 1, not abs'(0) = 0. delta is taken in the prediction's dtype, as torch does.
    d/dprediction = d where |d| <= delta, else delta sign(d).

    ``weight`` w (the prediction's shape) scales each term, as torch 2.13's; unlike its ``mse_loss``, torch's
    weighted Huber mean is the plain mean of the weighted terms, sum(w t) / n, and so is this one.
    """
    reduction = check_choice("huber_loss", "reduction", renamed_reduction("huber_loss", reduction), REDUCTIONS)
    delta = check_real("huber_loss", "delta", delta, 0, low_open=True, error=ArgumentRangeError)
    prediction, target = _paired(prediction, target, "huber_loss")
    difference = prediction - target
    delta = _scalar_in_dtype(delta, difference.dtype)
    if delta == 0:  # a delta that rounds to 0 in the dtype (1e-300 in float32): every term is 0 (m = 0)
        terms = difference * 0.0
    else:
        terms = huber_terms(difference, delta)  # (at |d| = delta: the linear piece's curvature, 0)
    if weight is not None:
        terms = terms * _element_weights_of(terms, weight, "huber_loss")
    return _reduce(terms, reduction)


@float16_via_float32
def smooth_l1_loss(
    prediction: Any,
    target: Any,
    reduction: str = "mean",
    beta: float = 1.0,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> Tensor:
    """torch's smooth L1: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, d = prediction - target.

    For beta > 0 it is ``huber_loss(delta=beta) / beta``; beta = 0 is the L1 loss. As in torch,
    beta is taken in the prediction's dtype, so a beta that rounds to 0 there (1e-300 in
    float32) gives the L1 loss. Computed as m (m / (2 beta)) + max(|d| - beta, 0) with m = d clipped to
    [-beta, beta] (d's sign, so the second derivative at d = 0 is 1 / beta, not 0 through abs'(0)):
    0.5 d^2 / beta inside, 0.5 beta + (|d| - beta) outside. As m / (2 beta) <= 0.5, no intermediate
    value exceeds |d| and no gradient term exceeds 1 on either piece, however small or large beta is,
    so nothing overflows before the loss itself does (m (|d| - 0.5 m) / beta forms beta times the
    loss first; (m / beta)(|d| - 0.5 m) sends (|d| - 0.5 m) / beta back through m).
    d/dprediction = d / beta where |d| < beta, else sign(d).
    """
    reduction = legacy_reduction("smooth_l1_loss", size_average, reduce, reduction)
    reduction = check_choice("smooth_l1_loss", "reduction", reduction, REDUCTIONS)
    beta = check_real("smooth_l1_loss", "beta", beta, 0, error=ArgumentRangeError)
    prediction, target = _paired(prediction, target, "smooth_l1_loss")
    difference = prediction - target
    beta = _scalar_in_dtype(beta, difference.dtype)
    if beta == 0:
        return _reduce(difference.abs(), reduction)
    return _reduce(smooth_l1_terms(difference, beta), reduction)


# -- binary classification -------------------------------------------------------------
@float16_via_float32
def binary_cross_entropy(
    probabilities: Any,
    target: Any,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """-w (y log p + (1 - y) log(1 - p)), with each log clamped at -100, as torch computes it.

    The terms are one recorded Function with torch's derivatives: d/dp = w (p - y) / max(p (1 - p), eps), eps a float32
    1e-12 (BCE_GRADIENT_EPS), so the gradient stays finite but large where p is 0 or 1 (about -1e12 at p = 0,
    y = 1, and 0 at p = y = 0); d/dy = -w logit(p), not clamped (+-inf at p = 0 or 1). Both rules are
    differentiable again. Probabilities and targets must lie in [0, 1]. ``weight`` (optional, broadcastable to the
    target's shape, a constant: one that requires grad is refused, as torch's) rescales each term, as torch's;
    torch's argument order, the options keyword-only.
    """
    check_weight_not_reduction("binary_cross_entropy", weight)
    refuse_weight_requiring_grad("binary_cross_entropy", "weight", weight)
    reduction = legacy_reduction("binary_cross_entropy", size_average, reduce, reduction)
    reduction = check_choice("binary_cross_entropy", "reduction", reduction, REDUCTIONS)
    probabilities, target = _paired(
        probabilities, target, "binary_cross_entropy", "probabilities", torch_broadcasts=False
    )
    weight = _element_weights(weight, target, "binary_cross_entropy", "weight")
    _check_unit_interval(probabilities._data, "binary_cross_entropy", "probabilities")
    _check_unit_interval(target._data, "binary_cross_entropy", "targets")
    terms = _BinaryCrossEntropyTerms.apply(probabilities, target)
    return _reduce(terms if weight is None else terms * weight, reduction)


class _BinaryCrossEntropyTerms(Function):
    """The unweighted terms of binary_cross_entropy, with torch's derivatives (see binary_cross_entropy); its
    backward is written with Tensor ops, so it is differentiated again under ``create_graph``."""

    @staticmethod
    def forward(ctx: Any, p: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(p, y)
        return quietly(_binary_cross_entropy_terms, p._data, y._data)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        p, y = ctx.saved_tensors
        d_p = d_y = None
        if ctx.needs_input_grad[0]:  # g (p - y) / max((1 - p) p, eps), the floor in p's dtype (flat where it holds)
            variance = (1 - p) * p
            d_p = grad * (p - y) / where(variance._data > BCE_GRADIENT_EPS, variance, BCE_GRADIENT_EPS)
        if ctx.needs_input_grad[1]:  # -g logit(p) = -g log(p / (1 - p)), unclamped; d/dp of it -g / (p (1 - p)),
            d_y = -grad * p.logit()  # -inf at p = 0 or 1 as torch's (log of the quotient would give 0 * inf = nan)
        return d_p, d_y


def _binary_cross_entropy_terms(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(y - 1) max(log1p(-p), -100) - y max(log p, -100): torch's expression, so equal to the last bit."""
    return (y - 1) * np.maximum(np.log1p(-p), LOG_FLOOR) - y * np.maximum(np.log(p), LOG_FLOOR)


def _element_weights(weight: Any, target: Tensor, loss: str, name: str) -> np.ndarray | None:
    """``weight`` as a constant array of the target's dtype that broadcasts to the target's shape, or None.

    A shape that does not is a :class:`ShapeError` (a ValueError, and torch's RuntimeError)."""
    if weight is None:
        return None
    array = _real_array(weight, loss, name)
    try:
        fits = np.broadcast_shapes(array.shape, target.shape) == target.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{loss}: {name} of shape {array.shape} does not broadcast to the target's shape {target.shape}"
        )
    return array.astype(target.dtype)


def _logistic_terms(logits: Tensor, target: Tensor, pos_weight: np.ndarray | None = None) -> Tensor:
    """-(q y log sigmoid(x) + (1 - y) log sigmoid(-x)) per element, q = ``pos_weight`` (1 if None).

    With L = (1 - y) + q y this is (1 - y) x + L softplus(-x) for x >= 0 and -q y x + L softplus(x)
    for x < 0, i.e. c x + L softplus(-|x|) with c = 1 - y or -q y. For q >= 0 every term is >= 0,
    so nothing cancels at either end: softplus(x) - y x loses (1 - y) x when y is near 1 and x is
    large, torch's (1 - y) x + softplus(-x) loses y x when x is large and negative.

    At x = +inf with y < 1 and at x = -inf with q y > 0 the loss is +inf. Where c is exactly 0
    (x = +inf with y = 1, x = -inf with q y = 0) it is 0: for fixed y it is L softplus(-|x|) -> 0,
    and the zero is exact, not an underflow, so c x is taken as 0, not IEEE's 0 * inf = nan
    (torch gives nan there, and nan at x = -inf for every y).

    d/dx = c - s L sigmoid(-|x|), s = sign(x) (+1 at 0) = L sigmoid(x) - q y (sigmoid(x) - y for q = 1);
    d/dy = -x + (q - 1) softplus(-x) (-x for q = 1), 0 at the two points above (torch: -x).
    """
    positive = logits._data >= 0
    one = logits.dtype.type(1)
    tail = (logits * (positive * (-2 * one) + one)).softplus()  # softplus(-|x|); x = 0 on the side of c
    if pos_weight is None and not target.requires_grad:  # the common case, in plain arrays: c = 1[x >= 0] - y
        coefficient: Any = positive - target._data
    elif pos_weight is None:
        coefficient = -(target - positive)
    else:
        y = target if target.requires_grad else target._data
        with quiet():  # pos_weight = inf where y = 0 gives nan, as torch's, without numpy's warning
            complement, weighted = 1 - y, y * pos_weight
        coefficient = select_either(positive, complement, -weighted)
        scale = complement + weighted  # L as a sum of terms >= 0: 1 + (q - 1) y cancels for small q
        underflowed = tail._data == 0  # softplus(-|x|) = 0 past |x| ~ 745: the term is 0, also for L = inf
        if underflowed.any():
            scale = select_either(underflowed, 0.0, scale)
        tail = tail * scale
    return _without_zero_times_infinity(logits, coefficient) * coefficient + tail


def _without_zero_times_infinity(logits: Tensor, coefficient: Any) -> Tensor:
    """``logits`` with 0 where it is infinite and ``coefficient`` is exactly 0, so that c x is 0 there."""
    infinite = np.isinf(logits._data)
    if not infinite.any():
        return logits
    zero = np.asarray(coefficient._data if isinstance(coefficient, Tensor) else coefficient) == 0
    return where(infinite & zero, 0.0, logits)


@float16_via_float32
def binary_cross_entropy_with_logits(
    logits: Any,
    target: Any,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(x) computed from logits x: -(y log sigmoid(x) + (1 - y) log sigmoid(-x)).

    Split by the sign of x (see :func:`_logistic_terms`): (1 - y) x + softplus(-x) for x >= 0,
    softplus(x) - y x for x < 0, exact at both ends, +inf where the loss is infinite (x = +inf
    with y < 1, x = -inf with y > 0) and 0 at x = +inf with y = 1 and x = -inf with y = 0
    (torch: nan). d/dx = sigmoid(x) - y, d/dy = -x. Targets must lie in [0, 1]. As torch's:
    ``pos_weight`` q (broadcast along the target, e.g. one per class on the last axis) weights
    the positive term, -(q y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) = (1 - y) x + (1 + (q - 1) y) softplus(-x),
    with d/dx = (1 + (q - 1) y) sigmoid(x) - q y; ``weight`` rescales each term. Both are constants (one that
    requires grad is refused, as torch's).
    torch's argument order: ``weight`` third, the options keyword-only.
    """
    loss = "binary_cross_entropy_with_logits"
    check_weight_not_reduction(loss, weight)
    refuse_weight_requiring_grad(loss, "weight", weight)
    refuse_weight_requiring_grad(loss, "pos_weight", pos_weight)
    reduction = legacy_reduction(loss, size_average, reduce, reduction)
    reduction = check_choice(loss, "reduction", reduction, REDUCTIONS)
    logits, target = _paired(logits, target, loss, "logits", torch_broadcasts=False)
    weight = _element_weights(weight, target, loss, "weight")
    pos_weight = _element_weights(pos_weight, target, loss, "pos_weight")
    _check_unit_interval(target._data, loss, "targets")
    if pos_weight is None and logits.dtype.char in "fd" and target.dtype == logits.dtype:
        terms = logistic_loss_terms(logits, target)  # one node
    else:
        terms = _logistic_terms(logits, target, pos_weight)
    return _reduce(terms if weight is None else terms * weight, reduction)


# -- multi-class classification --------------------------------------------------------
def _swapped_hint(given_logits: Any, target: np.ndarray) -> str:
    """The hint for cross_entropy(labels, logits): an integer input and a float target of one more axis."""
    given = np.asarray(given_logits._data if isinstance(given_logits, Node) else given_logits)
    if given.dtype.kind in "iub" and target.ndim == given.ndim + 1:
        return "; the input holds integers: are the arguments swapped? cross_entropy(logits, labels)"
    return ""


@float16_via_float32
def cross_entropy(
    logits: Any,
    target: Any,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    axis: int = 1,
) -> Tensor:
    """Cross-entropy -sum_c t_c log_softmax(x)_c of logits x, with class axis ``axis``.

    ``target`` is either integer class indices (the input's shape without the class
    axis) or class probabilities (the input's shape). Label smoothing e replaces the
    target distribution t by (1 - e) t + e / C. d/dx = softmax(x) - t (for targets
    summing to 1). Stable: built on log_softmax.

    As torch: ``weight`` (C,) scales class c's term by w_c: with class indices a sample's
    term is w[t_n] (1 - e) (-logp[n, t_n]) + e/C sum_c w_c (-logp[n, c]), and the mean divides
    by the sum of w[t_n] over the samples; with probabilities it is -sum_c w_c t_c logp_c and
    the mean is over the samples. Class-index targets equal to ``ignore_index`` contribute 0
    and no gradient, and leave the mean's denominator. With class indices a weight that requires grad is refused
    (torch's RuntimeError); with probabilities a float Tensor ``weight`` gets d/dw_c = -sum_n t_nc logp_nc (scaled by the reduction), as
    torch's. torch's argument order: ``weight`` third, everything after it keyword-only.
    """
    if (  # the usual call (a batch of logits, class indices in range, no options): one node, without the checks below
        weight is None
        and size_average is None
        and reduce is None
        and type(reduction) is str
        and reduction in REDUCTIONS
        and type(label_smoothing) in (float, int)
        and label_smoothing == 0
        and type(ignore_index) is int
        and ignore_index < 0  # no class index can equal it
        and type(axis) is int
        and axis == 1
        and isinstance(logits, Tensor)
        and logits._data.ndim == 2
        and logits._data.dtype.kind == "f"
    ):
        indices = target._data if isinstance(target, Tensor) else target
        if (
            type(indices) is np.ndarray
            and indices.dtype.kind in "iu"
            and indices.shape == logits._data.shape[:1]
            and indices.size
            and in_class_range(indices, logits._data.shape[1])
        ):
            return softmax_cross_entropy(logits, indices, 1, reduction=reduction, validate_target=False)
    check_weight_not_reduction("cross_entropy", weight)
    reduction = legacy_reduction("cross_entropy", size_average, reduce, reduction)
    reduction = check_choice("cross_entropy", "reduction", reduction, REDUCTIONS)
    label_smoothing = check_real("cross_entropy", "label_smoothing", label_smoothing, 0, 1, error=ArgumentRangeError)
    ignore_index = check_integer("cross_entropy", "ignore_index", ignore_index)
    given_logits, logits = logits, as_float_tensor(logits, "cross_entropy")
    axis = _class_axis(logits, axis, "cross_entropy")
    given_weight, weight = weight, _class_weights(weight, logits, axis, "cross_entropy")
    classes = logits.shape[axis]
    target_array = np.asarray(target._data if isinstance(target, Node) else target)
    if target_array.dtype.kind not in "iu":
        if target_array.shape != logits.shape:  # torch reads such a target as class indices: their error class
            # (beside one unbatched sample torch checks their dtype first: its RuntimeError, whatever the shape)
            index_shape = logits.shape[:axis] + logits.shape[axis + 1 :]
            error = ShapeError if logits.ndim == 1 else _target_shape_error(index_shape, target_array.shape)
            raise error(
                f"cross_entropy: target must be integer class indices of shape "
                f"{index_shape} or class probabilities of the input's shape "
                f"{logits.shape}; got a {target_array.dtype} target of shape {target_array.shape}"
                + (
                    "; class indices held as floats: target.astype(np.int64) (target.long() for a Tensor)"
                    if target_array.shape == index_shape and target_array.dtype.kind == "f"
                    else _swapped_hint(given_logits, target_array)
                )
            )
        if ignore_index >= 0:  # torch's test: its default -100, or any negative index, passes unused
            raise UnsupportedOptionError(
                f"cross_entropy: ignore_index={ignore_index} is not supported for class-probability targets "
                "(no class can be left out of a distribution; torch refuses it too)"
            )
        # any real "probabilities" are taken, unchecked, as torch's (mixup, distillation and tests use raw ones)
        _, probabilities = _paired(logits, target, "cross_entropy", "logits")
        log_probabilities = _log_softmax(logits, axis)
        if label_smoothing:
            probabilities = probabilities * (1 - label_smoothing) + label_smoothing / classes
        if weight is not None:  # (a float Tensor weight gets its gradient here, as torch's)
            weight = _class_weights_in_graph(given_weight, weight, logits.dtype)
            probabilities = probabilities * weight.reshape((classes,) + (1,) * (logits.ndim - 1 - axis))
        terms = -(log_probabilities * probabilities).sum(axis=axis)
        return _reduce(terms, reduction)
    indices, some_ignored = _class_indices_or_ignored(target, logits, axis, "cross_entropy", ignore_index)
    refuse_weight_requiring_grad("cross_entropy", "weight", given_weight)  # (with probabilities it has one)
    if weight is not None or some_ignored:
        log_probabilities = _log_softmax(logits, axis)
        return _weighted_class_terms(
            log_probabilities, indices, axis, weight, ignore_index, reduction, "cross_entropy", label_smoothing
        )
    if not label_smoothing:  # one fused node: logsumexp(x) - x_t (reduced), gradient softmax(x) - onehot(t)
        fused = reduction if indices.size else "none"  # the mean of an empty batch is left to _reduce
        terms = softmax_cross_entropy(logits, indices, axis, reduction=fused, validate_target=False)  # checked above
        return terms if fused != "none" else _reduce(terms, reduction)
    log_probabilities = _log_softmax(logits, axis)
    terms = -_pick(log_probabilities, indices, axis)
    terms = terms * (1 - label_smoothing) - log_probabilities.mean(axis=axis) * label_smoothing
    return _reduce(terms, reduction)


def nll_loss(
    log_probs: Any,
    target: Any,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    axis: int = 1,
) -> Tensor:
    """Negative log-likelihood -log_probs[target] of integer class indices along ``axis``.

    d/dlog_probs = -1 at the target class, 0 elsewhere (a gather: -inf at other classes is fine).
    As torch: ``weight`` (C,) makes a sample's term -w[t_n] log_probs[n, t_n] and the mean divides
    by the sum of w[t_n]; targets equal to ``ignore_index`` contribute 0 and no gradient and
    leave the mean's denominator. A weight that requires grad is refused (torch's RuntimeError). torch's argument
    order: ``weight`` third, everything after it keyword-only.
    """
    check_weight_not_reduction("nll_loss", weight)
    refuse_weight_requiring_grad("nll_loss", "weight", weight)
    reduction = legacy_reduction("nll_loss", size_average, reduce, reduction)
    reduction = check_choice("nll_loss", "reduction", reduction, REDUCTIONS)
    ignore_index = check_integer("nll_loss", "ignore_index", ignore_index)
    log_probs = as_float_tensor(log_probs, "nll_loss")
    axis = _class_axis(log_probs, axis, "nll_loss")
    weight = _class_weights(weight, log_probs, axis, "nll_loss")
    indices, some_ignored = _class_indices_or_ignored(target, log_probs, axis, "nll_loss", ignore_index)
    if weight is not None or some_ignored:
        return _weighted_class_terms(log_probs, indices, axis, weight, ignore_index, reduction, "nll_loss")
    if indices.size and log_probs.dtype.char in "fd":  # one node (an empty batch's nan mean is left to _reduce)
        return negative_log_likelihood(log_probs, indices, axis, reduction)
    return _reduce(-_pick(log_probs, indices, axis), reduction)


def multi_margin_loss(
    scores: Any,
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge (torch's definition): sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C.

    ``scores`` is (N, C) or (C,) (or (), one class's score, as torch reads it), ``target`` integer class indices
    (N,) or (); as torch, a lone sample's target
    may also be (1,) beside (C,) scores, or () beside (1, C) ones, and "none" then gives the target's shape.
    ``weight`` (C,) (optional, a constant: one that requires grad is refused, as torch's; torch's fifth argument)
    scales a sample's term by its target class's weight w_y (1 without it).
    d/dx_i = w_y p h_i^(p-1) / C for active terms h_i > 0 (i != y); d/dx_y = -sum of those.
    ``reduction`` is keyword-only.
    """
    if isinstance(weight, str):
        raise TypeError(
            f"multi_margin_loss: the argument after margin is weight, as in torch; got the string {weight!r}. "
            f"Pass reduction={weight!r} by keyword"
        )
    reduction = legacy_reduction("multi_margin_loss", size_average, reduce, reduction)
    reduction = check_choice("multi_margin_loss", "reduction", reduction, REDUCTIONS)
    p = check_margin_power("multi_margin_loss", p)
    margin = check_real("multi_margin_loss", "margin", margin)
    if weight is not None and np.ndim(weight._data if isinstance(weight, Node) else weight) != 1:
        raise ShapeError(f"multi_margin_loss: weight must be one-dimensional, got shape {np.shape(weight)}")
    refuse_weight_requiring_grad("multi_margin_loss", "weight", weight)
    scores = as_float_tensor(scores, "multi_margin_loss")
    if scores.ndim == 0:  # torch reads a 0-d input as a lone sample's one class score (its loss is 0)
        scores = scores.reshape(1)
    if scores.ndim not in (1, 2) or scores.shape[-1] == 0:  # torch: only the batch axis may be empty
        raise ShapeError(f"multi_margin_loss: scores must be (N, C), (C,) or () with C > 0, got shape {scores.shape}")
    axis = scores.ndim - 1
    target, terms_shape = _lone_sample_target(target, scores.shape[:axis])
    # torch's order of checks: the target's shape, the weight's, then the target's dtype and classes
    target_shape = np.shape(target._data if isinstance(target, Node) else target)
    if target_shape != scores.shape[:axis]:
        raise ShapeError(
            f"multi_margin_loss: class-index target shape {target_shape} does not match input shape {scores.shape} "
            f"without its class axis {axis}, i.e. {scores.shape[:axis]}"
        )
    weight = _class_weights(weight, scores, axis, "multi_margin_loss")
    indices = _class_indices(target, scores, axis, "multi_margin_loss")
    classes = scores.shape[axis]
    target_scores = _expand_class_axis(_pick(scores, indices, axis), axis)
    other_classes = _expand_class_axis(indices, axis) != np.arange(classes)
    # the target's own entry is masked out before relu and the square, which would carry its nan
    # (inf - inf, at an infinite target score) into the gradient as 0 * nan
    violations = (scores - target_scores + margin).where(other_classes, 0.0).relu()
    if p == 2:
        violations = violations * violations
    if weight is not None:  # on each violated term, as torch: a weight of 0 gives 0 even where the sum would
        # overflow, and a satisfied margin's 0 stays 0 (and gets no gradient) whatever it weighs, inf included
        sample_weights = _expand_class_axis(weight[indices], axis)
        violations = violations * np.where(violations._data > 0, sample_weights, 0).astype(violations.dtype)
    terms = violations.sum(axis=axis) / classes
    return _reduce(terms if terms.shape == terms_shape else terms.reshape(terms_shape), reduction)


def check_margin_power(owner: str, p: Any) -> int:
    """multi_margin_loss's exponent ``p`` as the int 1 or 2: as torch, any real number equal to one of them (2.0
    too) is taken; another number is a ValueError, anything else a TypeError."""
    if isinstance(p, (bool, np.bool_)):
        raise TypeError(f"{owner}: p must be 1 or 2, got {p!r}")
    power = check_real(owner, "p", p, allow_inf=True, allow_nan=True)
    if power not in (1, 2):
        raise ValueError(f"{owner}: p must be 1 or 2, got {p!r}")
    return int(power)


def _lone_sample_target(target: Any, samples: tuple[int, ...]) -> tuple[Any, tuple[int, ...]]:
    """multi_margin_loss's ``target`` in the shape ``samples`` ((N,) or ()) and the shape of its terms: torch
    takes any target of at most one axis holding one index per sample, so a lone sample's () or (1,) target
    either way, and shapes its "none" result like the target."""
    indices = target._data if isinstance(target, Node) else np.asarray(target)
    if indices.shape != samples and indices.ndim <= 1 and indices.size == 1 == math.prod(samples):
        return indices.reshape(samples), indices.shape
    return target, samples


# -- margin losses for targets in {-1, +1} --------------------------------------------
def _margins(scores: Any, target: Any, loss: str) -> Tensor:
    """z = y f for scores f and targets y in {-1, +1}."""
    scores, target = _paired(scores, target, loss, "scores")
    _check_signs(target, loss)
    return scores * target


def hinge_loss(scores: Any, target: Any, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """Hinge max(0, margin - y f) for targets y in {-1, +1} and a finite ``margin`` >= 0.

    d/df = -y where y f <= margin, else 0: a point exactly on the margin counts as a
    violation (scikit-learn's convention), so with ``margin=0`` a point on the decision
    boundary, e.g. every point under zero weights, is corrected. ``margin=0`` is the
    perceptron criterion (see :func:`perceptron_loss`).
    """
    reduction = check_choice("hinge_loss", "reduction", reduction, REDUCTIONS)
    margin = check_real("hinge_loss", "margin", margin, 0)
    return _reduce(_hinge_terms(_margins(scores, target, "hinge_loss"), margin), reduction)


def perceptron_loss(scores: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Rosenblatt's perceptron criterion max(0, -y f) for targets y in {-1, +1}: hinge with margin 0.

    Summed over a batch it is E_P = -sum over misclassified n (y_n f_n <= 0) of y_n f_n;
    for a linear model f = w^T x, d/dw = -sum over those of y_n x_n, so SGD with
    learning rate lr on the "sum" reduction is the perceptron rule w <- w + lr y_n x_n.
    """
    reduction = check_choice("perceptron_loss", "reduction", reduction, REDUCTIONS)
    return _reduce(_hinge_terms(_margins(scores, target, "perceptron_loss"), 0.0), reduction)


def _hinge_terms(z: Tensor, margin: float) -> Tensor:
    """max(0, margin - z) with the sub-gradient -1 (not 0) at z = margin; a nan z gives nan (and passes the
    gradient), as torch's relu(margin - z), not 0."""
    return where(~(z._data > margin), margin - z, 0.0)


def exponential_loss(scores: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Exponential (AdaBoost) loss exp(-y f) for targets y in {-1, +1}; d/df = -y exp(-y f).

    Unbounded: for y f below about -709 (float64) or -88 (float32) the value overflows
    to inf (silently, as in torch); use a margin loss that grows linearly if that can happen.
    """
    reduction = check_choice("exponential_loss", "reduction", reduction, REDUCTIONS)
    return _reduce((-_margins(scores, target, "exponential_loss")).exp(), reduction)


def smooth_hinge_loss(scores: Any, target: Any, alpha: float = 1.0, reduction: str = "mean") -> Tensor:
    """Rennie & Srebro's smooth hinge of z = y f, targets y in {-1, +1}, alpha > 0:

    alpha/(alpha+1) - z for z <= 0; z^(alpha+1)/(alpha+1) - z + alpha/(alpha+1) for 0 < z < 1;
    0 for z >= 1. Computed as h(u) + max(-z, 0) with u = clip(z, 0, 1) and
    h(u) = u^(alpha+1)/(alpha+1) - u + alpha/(alpha+1), so no large power is formed.
    d/dz = -1, z^alpha - 1, 0 on the three pieces (continuous; alpha = 1 gives (1 - z)^2 / 2).
    """
    reduction = check_choice("smooth_hinge_loss", "reduction", reduction, REDUCTIONS)
    alpha = check_real("smooth_hinge_loss", "alpha", alpha, 0, low_open=True)
    z = _margins(scores, target, "smooth_hinge_loss")
    u = z.clip(0.0, 1.0)
    terms = u ** (alpha + 1) / (alpha + 1) - u + alpha / (alpha + 1) + (-z).relu()
    return _reduce(terms, reduction)
