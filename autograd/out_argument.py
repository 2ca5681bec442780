"""torch's ``out=`` argument of the module-level functions: ``autograd.mul(a, b, out=c)`` writes ``a * b``
into ``c``, as ``torch.mul(a, b, out=c)`` does (the Tensors tutorial's ``torch.matmul(t, t.T, out=y3)``).

As torch's: the result is cast into ``out``'s dtype unless it is of a higher category (an integer result into
a float tensor, float64 into float32, int16 into uint8; a float result into an integer tensor is an
:class:`InPlaceCastError`), an ``out`` of another shape is resized to the result's (with torch's warning unless
it was empty), and while gradients are recorded a result or ``out`` that requires grad is a RuntimeError: a write into ``out`` is not
differentiable. The function returns ``out``. Some of torch's functions (``tril``, ``triu``, and abs, round, sign and the
others of :data:`autograd.torch_functions.SAME_DTYPE_OUT`) take no cast at all: for
them (``same_dtype=True``) an ``out`` of another dtype is torch's RuntimeError.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .grad_mode import is_grad_enabled, no_grad
from .tensor import Tensor
from .tensor_in_place import _cast_error, _refuse_read_only, can_store
from .torch_metadata_names import resize_data

__all__ = ["OutOverlapError", "takes_out", "written_to_out"]


class OutOverlapError(ValueError, RuntimeError):
    """An ``out=`` that shares memory with an input of an op torch refuses that for (``masked_select``, ``gather``,
    ``take``, ``index_select``, ``kthvalue``, ``cat``: "some elements of the input tensor and the written-to tensor
    refer to a single memory location"): a ValueError (a bad argument) and torch's RuntimeError."""


def written_to_out(op: str, result: Any, out: Any, *, same_dtype: bool = False, inputs: Sequence[Any] = ()) -> Any:
    """Store ``result`` (the value of ``op``) into the Tensor ``out`` in place and return ``out``; with
    ``same_dtype``, ``out`` must have the result's dtype. A result of several Tensors (``kthvalue``'s values and
    indices) goes into a tuple ``out`` of as many, each as one, as torch's. A read-only ``out`` (an ``expand`` that
    repeats entries) is a :class:`~autograd.tensor_in_place.ReadOnlyError` before anything is resized or written:
    torch's RuntimeError ("more than one element of the written-to tensor refers to a single memory location"). An
    ``out`` that shares memory with one of ``inputs`` (the op's, where torch refuses any overlap) is an
    :class:`OutOverlapError`."""
    if isinstance(out, (tuple, list)) and isinstance(result, tuple) and len(out) == len(result):
        for into in out:
            if isinstance(into, Tensor):
                _refuse_read_only(into, op)
                _refuse_overlap(op, into, inputs)
        parts = tuple(written_to_out(op, part, into, same_dtype=same_dtype) for part, into in zip(result, out))
        return type(result)(*parts) if hasattr(result, "_fields") else parts
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    if not isinstance(result, Tensor):
        raise TypeError(f"{op}(): out= takes one Tensor, but {op} gives a {type(result).__name__}")
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad."
        )
    _refuse_read_only(out, op)
    _refuse_overlap(op, out, inputs)
    if same_dtype and out.dtype != result.dtype:
        raise RuntimeError(f"{op}(): expected the out tensor to have dtype {result.dtype}, but got {out.dtype}")
    if not can_store(result.dtype, out.dtype):
        raise _cast_error(op, result.dtype, out.dtype)
    if out.shape != result.shape:
        if out._data.size:
            warnings.warn(
                f"{op}(): an output with one or more elements was resized since it had shape {list(out.shape)}, "
                f"which does not match the required output shape {list(result.shape)}",
                UserWarning,
                stacklevel=3,
            )
        resize_data(out, result.shape)  # not bumping the version: the write below bumps it once, as torch's
    with no_grad():
        out.copy_(result)
    return out


def _refuse_overlap(op: str, out: Tensor, inputs: Sequence[Any]) -> None:
    for position, tensor in enumerate(inputs):
        if tensor is out or isinstance(tensor, Tensor) and np.may_share_memory(out._data, tensor._data):
            raise OutOverlapError(
                f"{op}(): out= shares memory with input {position} (of shape {tensor.shape}): torch refuses that for "
                f"{op}; clone() the tensor first"
            )


def takes_out(op: str, same_dtype: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a module-level function torch's keyword ``out=``: its result (a Tensor, or a pair such as ``(values,
    indices)`` into a pair of Tensors) is written into ``out``, of the result's dtype (torch's kernels for these
    refuse another; with ``same_dtype=False`` cast into out's, as an elementwise op's), and ``out`` is returned."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def with_out(*args: Any, out: Any = None, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            return result if out is None else written_to_out(op, result, out, same_dtype=same_dtype)

        return with_out

    return decorate
