"""torch's legacy tensor types (``torch.FloatTensor``, ``torch.LongTensor``, ...), as older tutorials use them: as
dtypes (``dtype = autograd.FloatTensor; x = autograd.randn(3, 4).type(dtype)``), as constructors
(``autograd.LongTensor([1, 2])``, ``autograd.FloatTensor(2, 3)``) and in ``isinstance(x, autograd.FloatTensor)``.
``x.type()`` names them (``"autograd.FloatTensor"``), and ``x.type(autograd.FloatTensor)`` converts.

Each is a class whose call makes a plain :class:`~autograd.Tensor` of its dtype (as in torch, the types are not
subclasses of Tensor, and ``isinstance`` asks for a Tensor of that dtype):

* integers alone are sizes: ``FloatTensor(2, 3)`` is an uninitialised (2, 3) tensor (zeros here, as
  :func:`autograd.empty`), ``FloatTensor()`` an empty one of shape (0,);
* one other argument is the data, copied into the dtype (a list or tuple, nested or not, an ndarray; floats
  into an integer type truncate toward zero, as torch's): ``FloatTensor((2, 3))`` holds 2 and 3, as torch's for a
  tuple. torch reads its ``torch.Size`` as sizes (``FloatTensor(x.size())``); here a shape is a plain tuple, so
  pass it unpacked, ``FloatTensor(*x.size())``;
* a Tensor of the type's dtype is returned itself (torch's shares its storage); one of another dtype is a
  TypeError, as torch's;
* a Python number is a TypeError (torch: the data must be a sequence), and so are several arguments that are
  not all integers. torch's only keyword, ``device``, takes the CPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .shape_errors import is_integer
from .tensor import Tensor
from .tensor_functions import empty, tensor
from .torch_names import TYPE_NAMES, check_device

__all__ = ["LEGACY_TENSOR_TYPES", "LegacyTensorType"]


class LegacyTensorType(type):
    """The metaclass of the legacy tensor types: calling one makes a Tensor of its ``dtype`` (see the module
    docstring); ``isinstance(x, FloatTensor)`` is ``isinstance(x, Tensor) and x.dtype == float32``."""

    dtype: np.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        name = cls.__name__
        check_device(name, device)
        if all(is_integer(arg) for arg in args):
            return empty(*args, dtype=cls.dtype) if args else empty(0, dtype=cls.dtype)
        if len(args) > 1:
            raise TypeError(f"{name}: expected sizes (integers) or one sequence of data, got {args!r}"[:200])
        (data,) = args
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(f"{name}: expected a Tensor of dtype {cls.dtype}, got one of dtype {data.dtype}")
            return data
        if isinstance(data, (bool, int, float, complex, np.generic)) or (
            isinstance(data, np.ndarray) and not data.ndim
        ):
            raise TypeError(f"{name}: data must be a sequence (got {type(data).__name__})")
        return tensor(data, dtype=cls.dtype)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'autograd.{cls.__name__}'>"


def _legacy_type(dtype: np.dtype, name: str) -> LegacyTensorType:
    return LegacyTensorType(
        name,
        (),
        {
            "dtype": dtype,
            "__module__": "autograd",
            "__doc__": f"torch.{name}: the legacy type of {dtype} tensors (see :mod:`autograd.legacy_tensor_types`).",
        },
    )


#: The legacy types by name (``FloatTensor`` ...), one per dtype ``x.type()`` names.
LEGACY_TENSOR_TYPES = {name: _legacy_type(dtype, name) for dtype, name in TYPE_NAMES.items()}
