"""torch's deprecated ``size_average`` and ``reduce`` arguments of the losses, read as a ``reduction``: one
helper for every loss and loss layer that takes them."""

from __future__ import annotations

import os
import sys
import warnings

import autograd

from ..checks import check_flag

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
        stacklevel=_first_caller_outside_the_library(),
    )
    return reduction


#: The directories of the library's two packages.
_LIBRARY = tuple(
    directory + os.sep for directory in (os.path.dirname(autograd.__file__), os.path.dirname(os.path.dirname(__file__)))
)


def _first_caller_outside_the_library() -> int:
    """The ``stacklevel`` at which the function calling this, warning, points at the first frame outside autograd
    and nn (the user's call, however many of the library's frames lie between: decorators, layers, functions)."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_LIBRARY):
        frame, level = frame.f_back, level + 1
    return level
