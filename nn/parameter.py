"""``Parameter``: a Tensor that a Module owns and an optimizer updates."""

from __future__ import annotations

from typing import Any

from autograd import Tensor


class Parameter(Tensor):
    """A learnable Tensor: ``requires_grad`` is True, and Modules list it in ``parameters()``.

    The data is always copied (as every ``Tensor(data)``), so updating a Parameter never
    changes the caller's array.

    Results of operations on a Parameter are plain Tensors.
    """

    __slots__ = ()

    #: An operation's output is a plain Tensor even where the op builds it from its input's class
    #: (``clone``, rules recorded under ``create_graph``), as in torch.
    _from_op = Tensor._from_op

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter(" + super().__repr__()[len("Tensor(") :]
