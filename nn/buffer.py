"""``Buffer``: a Tensor that registers itself as a Module's buffer when assigned as an attribute (torch's
``nn.Buffer``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node, Tensor, get_default_dtype

from .checks import check_flag


class Buffer(Tensor, plain_results=True):
    """Module state that is not a parameter (running statistics, masks): ``module.name = nn.Buffer(t)`` does what
    ``module.register_buffer("name", t, persistent)`` does, so ``buffers()`` lists it, ``to()`` casts it and, when
    ``persistent``, ``state_dict()`` saves it. Assigning a plain Tensor or None to a buffer's name later keeps the
    name a buffer, as ``register_buffer``'s buffers; assigning another ``Buffer`` sets its persistence anew.

    ``data`` (a Tensor or array-like) is copied, as ``nn.Parameter``'s (torch shares its memory); None gives an
    empty 1-D tensor of the default dtype (torch's ``empty(0)``). ``requires_grad`` is ``data``'s, as torch's;
    a Module refuses a buffer that requires grad (see ``Module.register_buffer``). Operations on a Buffer give
    plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtype=get_default_dtype())
        requires_grad = data.requires_grad if isinstance(data, Node) else False
        super().__init__(data, requires_grad=requires_grad)
        self.persistent = check_flag("Buffer", "persistent", persistent)

    def __repr__(self) -> str:
        return "Buffer(" + super().__repr__()[len("Tensor(") :]
