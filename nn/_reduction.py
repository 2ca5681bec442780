"""torch's ``torch.nn._reduction`` (also ``nn.functional._Reduction`` and ``nn.modules.loss._Reduction``): the
helpers torch's losses use to read a reduction, which losses copied from torch's own code call."""

from __future__ import annotations

import warnings

from .functional.deprecated_reduction import ELEMENTWISE_MEAN, flags_reduction
from .warning_site import user_stacklevel

__all__ = ["get_enum", "legacy_get_enum", "legacy_get_string"]

#: torch's numbers of the reductions (ATen's Reduction enum).
REDUCTION_NUMBERS = {"none": 0, "mean": 1, "sum": 2}


def get_enum(reduction: str) -> int:
    """torch's number of ``reduction``: 0 "none", 1 "mean" (also the deprecated "elementwise_mean", after torch's
    warning), 2 "sum"; any other value is torch's ValueError."""
    if reduction == ELEMENTWISE_MEAN:
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return REDUCTION_NUMBERS["mean"]
    if not isinstance(reduction, str) or reduction not in REDUCTION_NUMBERS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return REDUCTION_NUMBERS[reduction]


def legacy_get_string(size_average: bool | None, reduce: bool | None, emit_warning: bool = True) -> str:
    """The reduction torch's deprecated ``size_average`` and ``reduce`` stand for (None counts as True): "mean",
    "sum" (``reduce`` alone) or "none" (``reduce`` false), after torch's warning unless ``emit_warning`` is
    false."""
    reduction = flags_reduction(size_average, reduce)
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return reduction


def legacy_get_enum(size_average: bool | None, reduce: bool | None, emit_warning: bool = True) -> int:
    """torch's number (see :func:`get_enum`) of the reduction the deprecated flags stand for."""
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
