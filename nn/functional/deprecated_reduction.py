"""torch's deprecated ``size_average`` and ``reduce`` arguments of the losses, read as a ``reduction``, and its
deprecated spelling ``reduction="elementwise_mean"`` of "mean": one helper for every loss and loss layer that takes
them."""

from __future__ import annotations

import warnings

from ..checks import check_flag
from ..warning_site import user_stacklevel

__all__ = ["flags_reduction", "legacy_reduction", "renamed_reduction"]


def flags_reduction(size_average: object, reduce: object) -> str:
    """The reduction torch reads from its deprecated flags (None counts as True): both true "mean", ``reduce``
    alone "sum", ``reduce`` false "none"."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def legacy_reduction(owner: str, size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction a loss uses: ``reduction`` (read by :func:`renamed_reduction`), unless torch's deprecated
    ``size_average`` or ``reduce`` is given (None counts as True): then both true is "mean", ``reduce`` alone "sum",
    ``reduce=False`` "none", as torch.

    Given either flag, it warns, as torch does, at the caller of the function (or constructor) that calls this;
    a flag other than a bool or None is a TypeError naming ``owner`` and the flag."""
    if size_average is None and reduce is None:
        return renamed_reduction(owner, reduction)
    size_average = None if size_average is None else check_flag(owner, "size_average", size_average)
    reduce = None if reduce is None else check_flag(owner, "reduce", reduce)
    reduction = flags_reduction(size_average, reduce)
    warnings.warn(
        f"{owner}: size_average and reduce are deprecated (as in torch), use reduction={reduction!r} instead",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return reduction


#: torch's name of "mean" before 0.4.1, still read (with a warning) by every loss whose kernel takes the reduction.
ELEMENTWISE_MEAN = "elementwise_mean"


def renamed_reduction(owner: str, reduction: str) -> str:
    """``reduction``, with torch's old spelling "elementwise_mean" read as "mean" after torch's UserWarning (at the
    caller of the function or constructor that calls this); anything else is returned as it is, for the loss to check.

    torch reads it in the losses that hand the reduction to a kernel; the few written in Python there
    (``poisson_nll_loss``, ``multilabel_soft_margin_loss``, and the layers ``GaussianNLLLoss`` and
    ``TripletMarginWithDistanceLoss``, whose forward refuses it) take it here as the others do."""
    if isinstance(reduction, str) and reduction == ELEMENTWISE_MEAN:
        warnings.warn(
            f"{owner}: reduction='elementwise_mean' is deprecated (as in torch), use reduction='mean' instead",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return "mean"
    return reduction
