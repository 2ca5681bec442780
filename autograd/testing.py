"""Testing helpers: torch.testing's ``assert_close`` (:mod:`autograd.closeness`, needs numpy only) and the
hypothesis strategies for property-testing differentiable functions (:mod:`autograd.strategies`, read from here on
first use, so ``hypothesis`` is needed only for them).

>>> from autograd.testing import assert_close          # torch.testing.assert_close
>>> from autograd.testing import make_tensor           # torch.testing.make_tensor
>>> from autograd.testing import arrays, shapes        # hypothesis strategies
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .closeness import assert_close
from .default_dtype import real_dtype
from .random_state import generator_for
from .tensor import Tensor
from .torch_names import check_device

#: the names :mod:`autograd.strategies` gives (module ``__getattr__`` below)
_STRATEGIES = ("arrays", "axes_for", "broadcastable_shapes", "floats", "indices_for", "shapes")

__all__ = ["assert_close", "make_tensor", *_STRATEGIES]  # (the strategies come from __getattr__)


def make_tensor(
    *shape: Any,
    dtype: Any,
    device: Any = None,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """torch.testing.make_tensor: a Tensor of ``shape`` (``make_tensor(2, 3, ...)`` or ``make_tensor((2, 3), ...)``)
    and ``dtype`` (a numpy dtype, its name, or a torch dtype) filled from the library's random state, as torch's:
    uniform in [low, high), by default [-9, 9] (floats) and [-9, 10) (integers; [0, 10) unsigned), the bounds clamped
    to the dtype's range; booleans at random. ``exclude_zero`` replaces zeros (by the smallest positive normal float,
    or 1 for integers), ``noncontiguous`` gives a strided view of a larger array, ``requires_grad`` (floats only) a
    leaf that requires grad. ``device`` is the CPU; ``memory_format`` is accepted and changes nothing."""
    check_device("make_tensor", device)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    target = real_dtype(dtype, "make_tensor")
    for bound, name in ((low, "low"), (high, "high")):
        if bound is not None and math.isnan(bound):
            raise ValueError(f"make_tensor: {name} must not be nan, got {bound}")
    if low is not None and high is not None and low > high:
        raise ValueError(f"make_tensor: low must not exceed high, got low={low} and high={high}")
    if requires_grad and target.kind != "f":
        raise ValueError(f"make_tensor: requires_grad=True needs a floating dtype, got {target}")
    rng = generator_for(None)
    drawn = (*shape[:-1], 2 * shape[-1]) if noncontiguous and shape else shape
    if target.kind == "b":
        values = rng.integers(0, 2, size=drawn).astype(np.bool_)
    elif target.kind in "iu":
        limits = np.iinfo(target)
        lowest = max(limits.min, int(math.ceil(-9 if low is None else low)))
        highest = min(limits.max + 1, int(math.ceil(10 if high is None else high)))
        lowest = max(lowest, 0) if target.kind == "u" else lowest
        values = rng.integers(lowest, max(highest, lowest + 1), size=drawn).astype(target)
        if exclude_zero:
            values[values == 0] = 1
    else:
        limits = np.finfo(target)
        lowest = max(float(limits.min), -9.0 if low is None else float(low))
        highest = min(float(limits.max), 9.0 if high is None else float(high))
        values = rng.uniform(lowest, highest, size=drawn).astype(target)
        if exclude_zero:
            values[values == 0] = limits.tiny
    if noncontiguous and shape:
        values = values[..., ::2]
    return Tensor._from_array(values, requires_grad, "make_tensor")  # (the strided view itself, not a copy)


def __getattr__(name: str) -> Any:
    """The hypothesis strategies, imported when first asked for (an ImportError naming hypothesis without it)."""
    if name not in _STRATEGIES:
        raise AttributeError(f"module 'autograd.testing' has no attribute {name!r}")
    try:
        from . import strategies
    except ImportError as error:
        raise ImportError(
            f"autograd.testing.{name} is a hypothesis strategy: install hypothesis (pip install hypothesis) to use it"
        ) from error
    return getattr(strategies, name)
