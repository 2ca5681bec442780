"""torch's ``LazyLinear``: a :class:`~nn.layers.Linear` whose ``in_features`` is read from its first input.

Until then its ``weight`` and ``bias`` are :class:`UninitializedParameter` placeholders, empty arrays
(shape (0,)) listed by ``parameters()`` and ``state_dict()`` as torch lists its uninitialized ones. The first
forward draws them as ``Linear`` would (its ``init``, ``dtype`` after any ``to()``, and ``rng``) into the same
Parameter objects, so an optimizer built before that call updates them; then the module becomes a ``Linear``
(its class changes, as torch's ``cls_to_become``).

Unlike torch, ``load_state_dict`` does not materialize the placeholders (it reports the shape mismatch): run one
forward first, as torch's documentation advises for lazy modules anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, no_grad

from .checks import check_flag, check_positive_int, make_generator
from .layers import LINEAR_INITS, Linear
from .module import as_layer_input
from .parameter import Parameter, factory_dtype

__all__ = ["LazyLinear", "UninitializedParameter"]


class UninitializedParameter(Parameter):
    """A Parameter whose shape is not known yet: an empty array of its dtype until :meth:`materialize`."""

    __slots__ = ()

    def __init__(self, dtype: Any = np.float32) -> None:
        super().__init__(np.zeros(0, dtype=dtype))

    def materialize(self, data: np.ndarray) -> Parameter:
        """Take ``data`` (cast to this placeholder's dtype) and become a plain Parameter, the same object."""
        self.data = np.array(data, dtype=self.dtype)
        self.__class__ = Parameter
        return self

    def __repr__(self) -> str:
        return f"<UninitializedParameter dtype={self.dtype}>"


class LazyLinear(Linear):
    """``Linear(in_features, out_features)`` with ``in_features`` taken from the last axis of the first input;
    the other arguments are ``Linear``'s (see the module docstring)."""

    def __init__(
        self,
        out_features: int,
        bias: bool = True,
        init: str | Callable[..., Any] = "kaiming_uniform",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        self.in_features = 0
        self.out_features = check_positive_int("LazyLinear", "out_features", out_features)
        dtype = factory_dtype("LazyLinear", device, dtype)
        if isinstance(init, str) and init not in LINEAR_INITS:
            raise ValueError(
                f"LazyLinear: unknown init {init!r}; choose one of {sorted(LINEAR_INITS)} or pass a callable"
            )
        if not isinstance(init, str) and not callable(init):
            raise TypeError(f"LazyLinear: init must be a name or a callable, got {type(init).__name__}")
        self.weight = UninitializedParameter(dtype)
        self.bias = UninitializedParameter(dtype) if check_flag("LazyLinear", "bias", bias) else None
        self._lazy_init, self._lazy_rng = init, make_generator("LazyLinear", "rng", rng)

    def forward(self, x: Any) -> Tensor:
        if isinstance(self.weight, UninitializedParameter):
            self.initialize_parameters(x)
        return Linear.forward(self, x)  # not super(): the class is Linear from the first call on

    def initialize_parameters(self, x: Any) -> None:
        """Draw ``weight`` (and ``bias``) for inputs like ``x`` (``in_features = x.shape[-1]``) and become a
        ``Linear``, as torch's method of that name."""
        x = as_layer_input("LazyLinear", x, self.weight)
        if x.ndim == 0 or x.shape[-1] == 0:
            raise ValueError(f"LazyLinear: cannot infer in_features from an input of shape {x.shape}")
        drawn = Linear(
            x.shape[-1], self.out_features, self.bias is not None, self._lazy_init, self.weight.dtype, self._lazy_rng
        )
        with no_grad():
            self.weight.materialize(drawn.weight.data)
            if self.bias is not None:
                self.bias.materialize(drawn.bias.data)
        self.in_features = drawn.in_features
        del self._lazy_init, self._lazy_rng
        self.__class__ = Linear
