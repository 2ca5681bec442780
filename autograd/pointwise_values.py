"""addcmul's and addcdiv's ``value`` as torch takes it for the dtypes of their tensors (one rule for the methods,
the module functions and the in-place forms)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .shape_errors import DtypeKernelError

__all__ = ["pointwise_value"]


def pointwise_value(op: str, value: Any, dtype: np.dtype, first: np.dtype, second: np.dtype) -> Any:
    """addcmul's or addcdiv's ``value`` (``op``, with or without the trailing ``_``) for a tensor of ``dtype`` and
    tensors ``first`` and ``second`` of those dtypes, as torch takes it: a float value of three integer tensors is
    cast to their dtype, toward zero (``addcmul(t, a, b, value=0.5)`` of int64 tensors leaves t as it is; it gave a
    float64 t + ab / 2); addcdiv of two integer (or boolean) tensors is torch's RuntimeError (a
    :class:`DtypeKernelError`: "Integer division with addcdiv is no longer supported")."""
    if op.startswith("addcdiv") and first.kind in "iub" and second.kind in "iub":
        raise DtypeKernelError(
            f"{op}: integer division of tensor1 and tensor2 (dtypes {first} and {second}) is no longer supported, "
            "as torch's; make one of them floating"
        )
    if isinstance(value, (float, np.floating)) and np.result_type(dtype, first, second).kind in "iu":
        return int(value)
    return value
