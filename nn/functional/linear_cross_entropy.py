"""Cross-entropy of logits made by a linear map: ``cross_entropy(linear(input, W, b), target)`` as torch 2.13's
``linear_cross_entropy``.

With ``W`` of shape (C, d_1, ..., d_K, in_features) the logits are

    logits[n, c, j_1, ..., j_K] = sum_i input[n, i] W[c, j_1, ..., j_K, i] + b[c, j_1, ..., j_K]

(a K-dimensional loss: class axis 1, as ``cross_entropy`` takes it), and the loss is the cross-entropy of
those logits against ``target`` (class indices or class probabilities), with cross_entropy's ``weight``,
``reduction``, ``ignore_index`` and ``label_smoothing``. Gradients reach ``input``, ``W`` and ``b`` through
the linear map and the fused softmax cross-entropy: dL/dlogits = softmax(logits) - target.

torch can compute this in chunks of the batch (``options``: a :class:`LinearCrossEntropyOptions`) so the
(N, C) logits never exist at once; chunking changes only the memory and the rounding, not the value. Here
the options are checked as torch checks them and the reference computation runs for every choice.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, linear
from autograd.shared_math import data_of

from ..warning_site import user_stacklevel
from .activations import as_float_tensor
from .losses import cross_entropy

__all__ = ["LinearCrossEntropyError", "LinearCrossEntropyOptions", "check_options", "linear_cross_entropy"]

#: The accumulation policies torch's chunked path offers.
ACC_POLICIES = ("auto", "accurate", "balanced", "compact")

#: The dtypes torch accepts for ``acc_dtype`` (bfloat16 has no numpy dtype here).
ACC_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


class LinearCrossEntropyError(ValueError, RuntimeError):
    """Operands of ``linear_cross_entropy`` that do not fit together: torch's RuntimeError, and the ValueError
    this library raises for a shape it cannot use."""


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """torch's options for the chunked ``linear_cross_entropy`` (checked as torch checks them).

    ``batch_chunk_size`` rows per chunk (a positive int, or None: one chunk); ``chunking_method`` "auto",
    "aspect_ratio", "aspect_ratio:N" (N >= 1) or None; ``acc_policy`` one of "auto", "accurate", "balanced",
    "compact"; ``acc_dtype`` None or a float dtype; ``allow_retain_graph`` whether backward may run twice.
    The chunked algorithm gives the reference computation's values (up to rounding), and this library
    always runs the reference computation, so these choices change nothing here; a second backward needs
    ``retain_graph=True`` on the first, as through any graph (``allow_retain_graph`` is not needed for it).
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        if self.acc_policy not in ACC_POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, colon, factor = str(self.chunking_method).partition(":")
            factor = factor if colon else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        size = self.batch_chunk_size
        if not (size is None or (type(size) is int and size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {size!r}")
        if self.acc_dtype is not None and _float_dtype(self.acc_dtype) not in ACC_DTYPES:
            raise ValueError(
                f"acc_dtype must be one of None, float16, float32 or float64, got {self.acc_dtype!r}. "
                "Pass acc_dtype=None to let the op pick automatically."
            )


def check_options(owner: str, options: Any) -> None:
    """Raise a TypeError naming ``owner`` unless ``options`` is a :class:`LinearCrossEntropyOptions` or None."""
    if options is not None and not isinstance(options, LinearCrossEntropyOptions):
        raise TypeError(f"{owner}: options must be a LinearCrossEntropyOptions or None, got {type(options).__name__}")


def _float_dtype(dtype: Any) -> np.dtype | None:
    try:
        return np.dtype(dtype)
    except TypeError:
        return None


def linear_cross_entropy(
    input: Any,  # noqa: A002 - torch's name
    linear_weight: Any,
    target: Any,
    *,
    linear_bias: Any = None,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options: LinearCrossEntropyOptions | None = None,
) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``, the logits reshaped to
    (N, C, d_1, ..., d_K) for a ``linear_weight`` of shape (C, d_1, ..., d_K, in_features) (see the module
    docstring).

    ``input`` is (N, in_features) or one unbatched sample (in_features,) (then K must be 0);
    ``linear_bias`` is None or of shape (C, d_1, ..., d_K). ``ignore_index`` None means torch's -100 for
    class-index targets; with probability targets (the logits' shape) it must stay None.
    """
    x = as_float_tensor(input, "linear_cross_entropy")
    w = linear_weight if isinstance(linear_weight, Tensor) else as_float_tensor(linear_weight, "linear_cross_entropy")
    if not 1 <= x.ndim <= 2:
        raise LinearCrossEntropyError(
            f"linear_cross_entropy: expected input with dimensionality 1 or 2, got {x.ndim} (shape {x.shape})"
        )
    if w.ndim < 2:
        raise LinearCrossEntropyError(
            f"linear_cross_entropy: expected linear_weight with dimensionality at least 2, got {w.ndim} "
            f"(shape {w.shape})"
        )
    batch, in_features = x.shape[:-1], x.shape[-1]
    if in_features != w.shape[-1]:
        raise LinearCrossEntropyError(
            "linear_cross_entropy: expected equal input and linear_weight last dimensions (in_features), "
            f"got {in_features} and {w.shape[-1]}, respectively"
        )
    classes, out_features = w.shape[0], w.shape[1:-1]
    bias_shape = np.shape(data_of(linear_bias))
    if linear_bias is not None and bias_shape != (classes, *out_features):
        raise LinearCrossEntropyError(
            f"linear_cross_entropy: expected linear_bias shape {(classes, *out_features)}, got {bias_shape}"
        )
    if out_features and not batch:
        raise LinearCrossEntropyError(
            f"linear_cross_entropy: K-dimensional loss defined by linear_weight shape {w.shape} requires batched "
            f"input, (N, {in_features}), got unbatched input with shape {x.shape}"
        )
    logits_shape = (*batch, classes, *out_features)
    if np.shape(data_of(target)) == logits_shape and ignore_index is not None:
        raise LinearCrossEntropyError(
            "linear_cross_entropy: ignore_index cannot be specified when target contains probabilities"
        )
    if options is not None:
        _warn_unless_chunkable(options, out_features, reduction, label_smoothing, target)
    flat_classes = math.prod(out_features, start=classes)
    if out_features:
        w = w.reshape(flat_classes, in_features)
        if linear_bias is not None:
            bias = linear_bias if isinstance(linear_bias, Tensor) else Tensor(np.asarray(linear_bias))
            linear_bias = bias.reshape(flat_classes)
    logits = linear(x, w, linear_bias)
    if out_features:
        logits = logits.reshape(logits_shape)
    return cross_entropy(
        logits,
        target,
        weight,
        reduction=reduction,
        ignore_index=-100 if ignore_index is None else ignore_index,
        label_smoothing=label_smoothing,
    )


def _warn_unless_chunkable(
    options: Any, out_features: tuple[int, ...], reduction: str, label_smoothing: float, target: Any
) -> None:
    """torch's warning where its chunked path cannot take the call (it falls back to the reference one)."""
    check_options("linear_cross_entropy", options)
    target_dtype = np.asarray(data_of(target)).dtype
    if out_features or reduction not in ("mean", "sum", "none") or label_smoothing != 0.0 or target_dtype != np.int64:
        warnings.warn(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in {'mean','sum','none'}, "
            f"label_smoothing == 0, target.dtype == int64, out_features == (). Got reduction={reduction!r}, "
            f"label_smoothing={label_smoothing}, target.dtype={target_dtype}, out_features={tuple(out_features)}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
