"""The Kullback-Leibler divergence loss, torch's ``kl_div``: its arguments, its reductions (``"batchmean"``
among them) and its values, without torch's nan where a target probability is 0 or a log-target is -inf."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, where
from autograd.accumulation import float16_via_float32

from ..checks import check_choice, check_flag
from ..warning_site import user_stacklevel
from .deprecated_reduction import legacy_reduction
from .losses import _paired, _reduce

__all__ = ["KL_DIV_REDUCTIONS", "kl_div"]

#: Accepted values of ``reduction`` in :func:`kl_div` and ``nn.KLDivLoss``.
KL_DIV_REDUCTIONS = ("none", "batchmean", "sum", "mean")


@float16_via_float32
def kl_div(
    input: Any,
    target: Any,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Pointwise KL divergence of ``target`` p from the log-probabilities ``input`` x: p (log p - x).

    With ``log_target`` the target is given as log p = t and the term is e^t (t - x), which never forms
    log 0. As torch: "batchmean" divides the sum by the batch size (``input.shape[0]``; a 0-d input is
    summed), which is the KL divergence per sample; "mean" divides by the number of elements (torch's
    default, which is not the KL divergence); "sum" and "none" as usual. ``size_average`` and ``reduce``
    (deprecated, as in torch) override ``reduction`` when given.

    Unlike torch, a target probability of 0 (or a log-target of -inf) gives the term 0 (p log p -> 0) and no
    gradient, even where x = -inf, instead of nan. Gradients: d/dx = -p; d/dp = log p + 1 - x
    (log_target: d/dt = e^t (t - x + 1)), 0 where p = 0. A negative or nan target is no probability: its term is
    nan (the log of a negative number), its input gradient still -p, as torch's.

    ``reduction="mean"``, the default, warns as torch's does (a UserWarning at the caller) that it is not the KL
    divergence; not when the legacy flags choose the reduction, nor for torch's old spelling "elementwise_mean".
    """
    if isinstance(reduction, str) and reduction == "mean" and size_average is None and reduce is None:
        warnings.warn(
            "kl_div: reduction='mean' divides the total loss by both the batch size and the support size (as in "
            "torch); 'batchmean' divides only by the batch size, which is the KL divergence per sample",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    reduction = legacy_reduction("kl_div", size_average, reduce, reduction)
    reduction = check_choice("kl_div", "reduction", reduction, KL_DIV_REDUCTIONS)
    log_target = check_flag("kl_div", "log_target", log_target)
    input, target = _paired(input, target, "kl_div", "input")
    if log_target:
        kept = target._data != -np.inf
        terms = _masked_terms(kept, input, target, lambda x, t: t.exp() * (t - x), target_fill=0.0)
    else:
        kept = target._data != 0
        terms = _masked_terms(kept, input, target, lambda x, p: p * (p.log() - x), target_fill=1.0)
    if reduction != "batchmean":
        return _reduce(terms, reduction)
    if terms.ndim == 0:
        return terms
    return terms.sum() / terms.shape[0]  # of an empty batch 0/0 = nan, as torch's


def _masked_terms(kept: np.ndarray, x: Tensor, t: Tensor, term: Any, target_fill: float) -> Tensor:
    """``term(x, t)`` where ``kept``, 0 elsewhere; the dropped entries are replaced before ``term`` sees them
    (x by 0, t by ``target_fill``) so neither the value nor the gradient meets 0 * inf."""
    if kept.all():
        return term(x, t)
    return where(kept, term(where(kept, x, 0.0), where(kept, t, target_fill)), 0.0)
