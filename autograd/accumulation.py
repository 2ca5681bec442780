"""The dtypes a computation runs in, as torch's CPU kernels choose them.

float16 has 11 significant bits and overflows above 65504: a formula evaluated step by step in
float16 rounds at every step, squares overflow from 256 on (a norm or a variance of [300, 400] is
inf), sums of many terms stall (4096 times 0.1 sums to 256) and products underflow to 0 (x sigmoid(x)
at x = -17). torch computes float16 maths in float32 and rounds once at the end; so does this library:

* an elementwise function of a float16 Tensor is computed on float32 data (:data:`COMPUTE_DTYPE`);
* a function written as several steps (an activation, a norm, a loss) is decorated with
  :func:`float16_via_float32`: its float16 input becomes a float32 node, its result is rounded back
  to float16, and both conversions are nodes of the graph, so gradients follow the same path;
* sums accumulate in :data:`ACCUMULATE_DTYPE` (float16 in float32; a variance or a running sum of
  float32 in float64, as torch's CPU accumulators), then round to the input's dtype.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

__all__ = ["ACCUMULATE_DTYPE", "COMPUTE_DTYPE", "computing_data", "float16_via_float32", "in_dtype_of"]

_FLOAT16 = np.dtype(np.float16)
_FLOAT32 = np.dtype(np.float32)

#: The dtype elementwise maths of a dtype runs in (torch's "opmath" type); dtypes not listed run in themselves.
COMPUTE_DTYPE = {_FLOAT16: _FLOAT32}

#: The dtype a sum of a dtype's values accumulates in where torch's CPU kernels widen it (variances, running sums).
ACCUMULATE_DTYPE = {_FLOAT16: _FLOAT32, _FLOAT32: np.dtype(np.float64)}

Function = TypeVar("Function", bound=Callable[..., Any])


def computing_data(data: np.ndarray) -> np.ndarray:
    """``data`` in the dtype its maths runs in (float16 as float32); round the result back with ``astype``."""
    wide = COMPUTE_DTYPE.get(data.dtype)
    return data if wide is None else data.astype(wide)


def in_dtype_of(result: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``result``, computed from ``computing_data(data)``, rounded back to ``data``'s dtype where that was widened
    (any other result, an integer input's floating one say, stays as it is)."""
    return result.astype(data.dtype) if data.dtype in COMPUTE_DTYPE else result


def float16_via_float32(function: Function) -> Function:
    """Decorate a function whose first argument is a tensor (a Tensor or an array): a float16 one is computed in
    float32 and the result (a Tensor, or a tuple of them) rounded to float16 once at the end, as torch's half
    kernels; other dtypes call ``function`` unchanged. A call with ``inplace=True`` (for a function that has that
    parameter) runs unchanged too: it changes the float16 tensor itself, through the function called out of place."""
    parameters = list(inspect.signature(function).parameters.values())
    names = [parameter.name for parameter in parameters]
    inplace_at = names.index("inplace") - 1 if "inplace" in names else None  # among the arguments after x

    @functools.wraps(function)
    def wrapper(x: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(x, "dtype", None) != _FLOAT16:
            return function(x, *args, **kwargs)
        if inplace_at is not None and kwargs.get("inplace", len(args) > inplace_at and args[inplace_at]):
            return function(x, *args, **kwargs)
        result = function(x.astype(np.float32), *args, **kwargs)  # a Tensor's astype is a node of the graph
        if isinstance(result, tuple):
            narrowed = [_narrowed(item) for item in result]
            return type(result)(*narrowed) if hasattr(result, "_fields") else tuple(narrowed)  # (named tuples too)
        return _narrowed(result)

    return wrapper  # type: ignore[return-value]


def _narrowed(result: Any) -> Any:
    """A float32 result of a float16 computation, rounded back to float16 (anything else as it is)."""
    return result.astype(np.float16) if getattr(result, "dtype", None) == _FLOAT32 else result
