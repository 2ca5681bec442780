"""torch's deprecated ``torch.range``: evenly spaced values from ``start`` to ``end`` *inclusive*, which torch still
runs with a ``UserWarning`` (Zero to Mastery's PyTorch fundamentals calls ``torch.range(0, 10)`` to show it).

Kept apart from :func:`autograd.arange` (and under its own module, since the name shadows Python's ``range``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from .core import Node
from .default_dtype import float_dtype
from .deprecated_overloads import user_stacklevel
from .tensor import Tensor
from .tensor_functions import check_range_bounds, refuse_bool_range
from .torch_names import check_factory_options

__all__ = ["range"]


def range(  # noqa: A001 - torch's name
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """torch.range (deprecated there, and warned about here as torch does): start + i step for
    i = 0, ..., floor((end - start) / step), so ``end`` is included when the steps reach it (``range(0, 10)`` has
    11 values, ``arange(0, 10)`` 10). The dtype is the default floating one (:func:`autograd.get_default_dtype`)
    whatever the bounds, unless ``dtype`` is given; the values are computed in float64 and rounded once into it.
    ``end`` is required (a TypeError without it, as torch's); a zero step, a step pointing away from ``end`` or a
    bound that is not finite is an :class:`ArgumentRangeError` (torch's RuntimeError). torch's ``out``, ``layout``
    and ``device`` as :func:`check_factory_options`."""
    if end is None:
        raise TypeError('range() missing 1 required positional argument: "end" (range(start, end, step=1))')
    check_factory_options("range", device, layout, out)
    bounds = tuple(b.item() if isinstance(b, Node) and b._data.size == 1 else b for b in (start, end, step))
    for bound in bounds:
        if isinstance(bound, (bool, np.bool_)) or not isinstance(bound, (numbers.Real, np.integer, np.floating)):
            raise TypeError(f"range: the bounds must be real numbers, got {bound!r}")
    start, end, step = bounds
    check_range_bounds("range", start, end, step)
    refuse_bool_range("range", dtype)
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior is inconsistent "
        "with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    count = math.floor((end - start) / step) + 1
    values = np.arange(count, dtype=np.float64) * step + start
    return Tensor._from_array(values.astype(float_dtype(dtype), copy=False), requires_grad, "range")
