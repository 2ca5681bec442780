"""torch's refusals of integer and boolean Tensors by the activations and dropouts it computes in floating point
only: ``F.elu`` of a Long tensor is its NotImplementedError ("elu_cpu" not implemented for 'Long'), ``F.relu`` of a
Bool tensor and ``F.dropout`` of a Long one (0 < p < 1, training) its RuntimeErrors. relu, relu6, hardtanh and
threshold keep an integer Tensor's dtype, and sigmoid, tanh and softsign compute integers in floating point, as
torch's. Array-likes (lists, ndarrays) are constants here and are read as floating-point numbers, as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import DtypeKernelError, Tensor
from autograd.tensor_in_place import InPlaceCastError
from autograd.torch_names import TYPE_NAMES

__all__ = ["BoolInputError", "refuse_bool_tensor", "refuse_integer_dropout", "refuse_integer_tensor"]


class BoolInputError(TypeError, RuntimeError):
    """A boolean Tensor given to an op that has no meaning for it (``relu``, ``hardtanh``, ``tanhshrink``,
    ``softmin``): a TypeError (the house rule for dtypes) that is also the RuntimeError torch raises."""


def torch_type_name(dtype: np.dtype) -> str:
    """torch's short name of ``dtype`` in its kernel errors: ``Long`` for int64, ``Bool``, ``Byte`` for uint8."""
    return TYPE_NAMES.get(dtype, dtype.name).removesuffix("Tensor")


def _integer_dtype(x: Any, kinds: str) -> np.dtype | None:
    """The dtype of the Tensor ``x`` if its kind is one of ``kinds``, else None (array-likes are never refused)."""
    if isinstance(x, Tensor) and x._data.dtype.kind in kinds:
        return x._data.dtype
    return None


def refuse_integer_tensor(x: Any, function: str, kinds: str = "biu") -> None:
    """Raise torch's NotImplementedError (a :class:`DtypeKernelError`) naming ``function`` for a Tensor ``x`` of
    integers or booleans (of a dtype kind in ``kinds``)."""
    dtype = _integer_dtype(x, kinds)
    if dtype is not None:
        raise DtypeKernelError(
            f"{function}: not implemented for '{torch_type_name(dtype)}' (an input of dtype {dtype} and shape "
            f"{x.shape}; torch computes {function} in floating point only: convert the input, e.g. x.float())"
        )


def refuse_bool_tensor(x: Any, function: str) -> None:
    """Raise torch's RuntimeError (a :class:`BoolInputError`) naming ``function`` for a boolean Tensor ``x``."""
    if _integer_dtype(x, "b") is not None:
        raise BoolInputError(
            f"{function}: boolean inputs are not supported (an input of shape {x.shape}; convert it, e.g. x.float())"
        )


def refuse_integer_dropout(x: Any, function: str) -> None:
    """Raise torch's RuntimeError (an :class:`~autograd.tensor_in_place.InPlaceCastError`) naming ``function`` for
    a Tensor ``x`` of integers or booleans that dropout would scale by 1 / (1 - p): torch's result type Float cannot
    be cast to the input's."""
    dtype = _integer_dtype(x, "biu")
    if dtype is not None:
        raise InPlaceCastError(
            f"{function}: result type Float can't be cast to the desired output type {torch_type_name(dtype)} (the "
            f"kept entries of an input of dtype {dtype} are scaled by 1 / (1 - p); give a floating-point input)"
        )
