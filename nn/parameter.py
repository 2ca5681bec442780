"""``Parameter``: a Tensor that a Module owns and an optimizer updates."""

from __future__ import annotations

from typing import Any

from autograd import Tensor


class Parameter(Tensor, plain_results=True):
    """A learnable Tensor: ``requires_grad`` is True, and Modules list it in ``parameters()``.

    The data is always copied (as every ``Tensor(data)``), so updating a Parameter never
    changes the caller's array.

    Results of operations on a Parameter are plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter(" + super().__repr__()[len("Tensor(") :]
