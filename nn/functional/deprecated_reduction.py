"""torch's deprecated ``size_average`` and ``reduce`` arguments of the losses, read as a ``reduction``: one
helper for every loss and loss layer that takes them."""

from __future__ import annotations

import warnings

from ..checks import check_flag
from ..warning_site import user_stacklevel

__all__ = ["legacy_reduction"]


def legacy_reduction(owner: str, size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction a loss uses: ``reduction``, unless torch's deprecated ``size_average`` or ``reduce`` is given
    (None counts as True): then both true is "mean", ``reduce`` alone "sum", ``reduce=False`` "none", as torch.

    Given either flag, it warns, as torch does, at the caller of the function (or constructor) that calls this;
    a flag other than a bool or None is a TypeError naming ``owner`` and the flag."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else check_flag(owner, "size_average", size_average)
    reduce = True if reduce is None else check_flag(owner, "reduce", reduce)
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"{owner}: size_average and reduce are deprecated (as in torch), use reduction={reduction!r} instead",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return reduction
