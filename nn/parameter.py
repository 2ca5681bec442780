"""``Parameter``: a Tensor that a Module owns and an optimizer updates; and torch's factory keywords
(``device=``, ``dtype=``) with which layers create their Parameters."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.torch_names import check_device
from autograd.versions import share_data

from .checks import check_float_dtype


class Parameter(Tensor, plain_results=True):
    """A learnable Tensor: ``requires_grad`` is True, and Modules list it in ``parameters()``.

    A Parameter of a Tensor (of its dtype, or no ``dtype`` given) shares the Tensor's memory and version
    counter, as torch's ``nn.Parameter(t)``: a change through either shows through the other. Other data is
    copied (as every ``Tensor(data)``), so updating such a Parameter never changes the caller's array. Without
    data (``Parameter()``, torch's default) it is an empty 1-D Parameter of the default dtype, as torch's
    ``torch.empty(0)``.

    Results of operations on a Parameter are plain Tensors.
    """

    __slots__ = ()

    def __new__(cls, data: Any = None, requires_grad: bool = True, dtype: Any = None) -> Parameter:
        """The Parameter is made here, as torch's (whose ``__init__`` takes any arguments and does nothing): a
        subclass's ``__new__`` may call ``super().__new__(cls, data, requires_grad)`` and take arguments of its
        own, which reach the inherited ``__init__`` too."""
        self = object.__new__(cls)
        if data is None:
            data = np.empty(0, dtype=get_default_dtype() if dtype is None else dtype)
        if not isinstance(data, Tensor) or (dtype is not None and np.dtype(dtype) != data.dtype):
            Tensor.__init__(self, data, requires_grad=requires_grad, dtype=dtype)
            return self
        Tensor.__init__(self, np.empty(0, data.dtype), requires_grad=requires_grad)  # (the checks of the dtype)
        share_data(self, data)  # the detached alias torch's Parameter(t) is
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Nothing: :meth:`__new__` made the Parameter."""

    def __repr__(self) -> str:
        """torch's two parts: a ``Parameter containing:`` line, then the data as a Tensor prints it."""
        return "Parameter containing:\n" + super().__repr__()

    # torch's Parameter is copied and pickled as its data and ``requires_grad`` only: ``copy.deepcopy(model)``,
    # ``copy.copy(p)`` and ``pickle`` give Parameters whose ``.grad`` is None, as a freshly made model's (an
    # optimizer stepping the copy before its first backward changes nothing). A plain Tensor's copies keep theirs.
    def __deepcopy__(self, memo: dict[Any, Any]) -> Parameter:
        """A copy of the data and ``requires_grad`` (and attributes), without the gradient, as torch's."""
        twin = super().__deepcopy__(memo)
        twin.grad = None
        return twin

    def __copy__(self) -> Parameter:
        """A shallow copy sharing the data, without the gradient, as torch's."""
        twin = super().__copy__()
        twin.grad = None
        return twin

    def __reduce_ex__(self, protocol: int) -> tuple:
        """Pickled as a leaf (see :meth:`autograd.node_copying.NodeCopying.__reduce_ex__`), without the gradient, as
        torch's."""
        rebuild, (kind, data, requires_grad, _, state) = super().__reduce_ex__(protocol)
        return rebuild, (kind, data, requires_grad, None, state)


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is a lazy layer's placeholder (an :class:`~nn.lazy.UninitializedParameter`, whose shape
    the layer's first input gives), torch's ``torch.nn.parameter.is_lazy``."""
    return bool(getattr(type(param), "lazy_placeholder", False))


def factory_dtype(owner: str, device: Any, dtype: Any) -> np.dtype:
    """The dtype of the Parameters a layer creates, from torch's factory keywords ``device`` (None or the CPU,
    see :func:`check_device`) and ``dtype`` (a floating-point dtype; None is torch's default, float32)."""
    check_device(owner, device)
    return check_float_dtype(owner, "dtype", np.float32 if dtype is None else dtype)
