"""The dtypes a computation runs in, as torch's CPU kernels choose them.

float16 has 11 significant bits and overflows above 65504: a formula evaluated step by step in
float16 rounds at every step, squares overflow from 256 on (a norm or a variance of [300, 400] is
inf), sums of many terms stall (4096 times 0.1 sums to 256) and products underflow to 0 (x sigmoid(x)
at x = -17). torch computes float16 maths in float32 and rounds once at the end; so does this library:

* an elementwise function of a float16 Tensor is computed on float32 data (:data:`COMPUTE_DTYPE`);
* a function written as several steps (an activation, a norm, a loss) is decorated with
  :func:`float16_via_float32`: its float16 input becomes a float32 node, its result is rounded back
  to float16, and both conversions are nodes of the graph, so gradients follow the same path;
* float16 sums accumulate in float32, and running sums (cumsum) of float32 in float64, as torch's CPU
  accumulators (:data:`ACCUMULATE_DTYPE`), then round to the input's dtype;
* sums and products (plain and running) of booleans and integers narrower than 64 bits are int64, as torch's
  (:func:`summed_dtype`; numpy gives the unsigned ones uint64).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .core import Node

__all__ = [
    "ACCUMULATE_DTYPE",
    "COMPUTE_DTYPE",
    "computing_data",
    "float16_via_float32",
    "in_dtype_of",
    "rounded_to",
    "rule_in_float32",
    "summed_dtype",
]

_FLOAT16 = np.dtype(np.float16)
_FLOAT32 = np.dtype(np.float32)

#: The dtype elementwise maths of a dtype runs in (torch's "opmath" type); dtypes not listed run in themselves.
COMPUTE_DTYPE = {_FLOAT16: _FLOAT32}

#: The dtype a running sum of a dtype's values accumulates in, as torch's CPU kernel widens it.
ACCUMULATE_DTYPE = {_FLOAT16: _FLOAT32, _FLOAT32: np.dtype(np.float64)}

_INT64 = np.dtype(np.int64)

Function = TypeVar("Function", bound=Callable[..., Any])


def summed_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype of a sum or a product (plain or running) of ``dtype`` values when none is asked for, as torch's:
    int64 for booleans and for integers narrower than 64 bits (numpy gives uint8..uint32 uint64), else ``dtype``."""
    if dtype.kind in "bi" or (dtype.kind == "u" and dtype.itemsize < 8):
        return _INT64
    return dtype


def computing_data(data: np.ndarray) -> np.ndarray:
    """``data`` in the dtype its maths runs in (float16 as float32); round the result back with ``astype``."""
    wide = COMPUTE_DTYPE.get(data.dtype)
    return data if wide is None else data.astype(wide)


def in_dtype_of(result: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``result``, computed from ``computing_data(data)``, rounded back to ``data``'s dtype where that was widened
    (any other result, an integer input's floating one say, stays as it is); an overflow of the rounding gives
    inf without numpy's warning (e^20 in float16)."""
    return rounded_to(result, data.dtype)


def rounded_to(result: np.ndarray, dtype: Any) -> np.ndarray:
    """``result``, computed in ``COMPUTE_DTYPE[dtype]``, rounded once to ``dtype`` where that is a widened dtype
    (float16); any other ``dtype`` leaves it as it is. An overflow of the rounding gives inf without numpy's
    warning."""
    dtype = np.dtype(dtype)
    if dtype not in COMPUTE_DTYPE or result.dtype == dtype:
        return result
    with np.errstate(over="ignore"):
        return result.astype(dtype)


def rule_in_float32(rule: Function) -> Function:
    """Decorate a derivative rule ``rule(g, out, *inputs, **attrs)`` written as several steps (g (1 - out^2) of
    tanh, s (g - sum(g s)) of softmax): given a float16 gradient array, it runs on float32 copies of its float16
    arrays and its result is rounded to float16 once, as torch's half backward kernels (which read the same
    float16 output); anything else (other dtypes, nodes under create_graph) runs unchanged."""

    @functools.wraps(rule)
    def wide(g: Any, out: Any, *inputs: Any, **attrs: Any) -> Any:
        if type(g) is not np.ndarray or g.dtype != _FLOAT16:
            return rule(g, out, *inputs, **attrs)
        widened = [computing_data(x) if type(x) is np.ndarray else x for x in (g, out, *inputs)]
        return rounded_to(np.asarray(rule(*widened, **attrs)), _FLOAT16)

    return wide  # type: ignore[return-value]


def float16_via_float32(function: Function | None = None, *, float32_parameters: bool = False) -> Any:
    """Decorate a function whose first argument is its input tensor (a Tensor or an array): when that input is
    float16 and so is every other floating tensor among the arguments, the input and the other float16 Tensors
    (arrays stay as they are: batch norm changes its running statistics in place) are computed in float32 and
    the result (a Tensor, or a tuple of them) is rounded to float16 once at the end, as torch's half kernels.
    Anything else runs unchanged: other dtypes, a mixed call (a float32 target promotes the result, as in torch),
    a call that names its own ``dtype``, and one with ``inplace=True`` (that changes the float16 tensor itself,
    through the function called out of place).

    ``@float16_via_float32(float32_parameters=True)``: the other floating tensors may be float32 as well, and the
    result is still float16: torch's CPU normalisations' "mixed type" (a float16 input with float32 weights and
    statistics, as a model that keeps its norms in float32 feeds them), computed in float32 and rounded once;
    the float32 tensors' gradients stay float32."""
    if function is None:
        return functools.partial(float16_via_float32, float32_parameters=float32_parameters)
    others_fit = _float16_or_float32_or_not_floating if float32_parameters else _float16_or_not_floating
    names = list(inspect.signature(function).parameters)
    first = names[0]
    inplace_at = names.index("inplace") if "inplace" in names else None

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        x = args[0] if args else kwargs.get(first)
        if (
            getattr(x, "dtype", None) != _FLOAT16
            or kwargs.get("dtype") is not None
            or (inplace_at is not None and kwargs.get("inplace", len(args) > inplace_at and args[inplace_at]))
            or not all(others_fit(value) for value in (*args, *kwargs.values()))
        ):
            return function(*args, **kwargs)
        args = tuple(x.astype(np.float32) if position == 0 else _widened(value) for position, value in enumerate(args))
        kwargs = {name: x.astype(np.float32) if name == first else _widened(value) for name, value in kwargs.items()}
        result = function(*args, **kwargs)  # a Tensor's astype is a node of the graph
        if isinstance(result, tuple):
            narrowed = [_narrowed(item) for item in result]
            return type(result)(*narrowed) if hasattr(result, "_fields") else tuple(narrowed)  # (named tuples too)
        return _narrowed(result)

    return wrapper  # type: ignore[return-value]


def _float16_or_not_floating(value: Any) -> bool:
    """Whether ``value`` is no floating tensor (a Tensor or an array) other than a float16 one; numbers, numpy
    scalars among them, are no tensors."""
    if not isinstance(value, (Node, np.ndarray)):
        return True
    return value.dtype.kind != "f" or value.dtype == _FLOAT16


def _float16_or_float32_or_not_floating(value: Any) -> bool:
    """Whether ``value`` is no floating tensor other than a float16 or a float32 one."""
    return _float16_or_not_floating(value) or value.dtype == _FLOAT32


def _widened(value: Any) -> Any:
    """A float16 Tensor argument as a float32 node (anything else as it is)."""
    return value.astype(np.float32) if isinstance(value, Node) and value.dtype == _FLOAT16 else value


def _narrowed(result: Any) -> Any:
    """A float32 result of a float16 computation, rounded back to float16 (anything else as it is)."""
    return result.astype(np.float16) if getattr(result, "dtype", None) == _FLOAT32 else result
