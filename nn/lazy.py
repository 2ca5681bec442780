"""torch's ``LazyLinear`` (a :class:`~nn.layers.Linear` whose ``in_features`` is read from its first input) and
``LazyConv1d``/``2d``/``3d``, ``LazyConvTranspose1d``/``2d``/``3d`` (whose ``in_channels`` is).

Until then its ``weight`` and ``bias`` are :class:`UninitializedParameter` placeholders, empty arrays
(shape (0,)) listed by ``parameters()`` and ``state_dict()`` as torch lists its uninitialized ones. The first
forward draws them as ``Linear`` would (its ``init``, ``dtype`` after any ``to()``, and ``rng``) into the same
Parameter objects, so an optimizer built before that call updates them; then the module becomes a ``Linear``
(its class changes, as torch's ``cls_to_become``). The lazy convolutions work alike: their constructor takes the
convolution's arguments without ``in_channels`` and checks them at once; the first input's channel axis (axis 1,
or 0 when unbatched) gives ``in_channels``, which ``groups`` must divide.

Unlike torch, ``load_state_dict`` does not materialize the placeholders (it reports the shape mismatch): run one
forward first, as torch's documentation advises for lazy modules anyway.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from autograd import Tensor, no_grad

from .checks import check_flag, check_positive_int, make_generator
from .conv import Conv1d, Conv2d, Conv3d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .layers import LINEAR_INITS, Linear
from .module import as_layer_input
from .parameter import Parameter, factory_dtype

__all__ = [
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyLinear",
    "UninitializedParameter",
]


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

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Nothing to draw before the first input (torch's); the drawn layer is a ``Linear`` and resets as one."""

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
        self._init = self._lazy_init  # what Linear.reset_parameters draws with
        del self._lazy_init, self._lazy_rng
        self.__class__ = Linear


class _LazyConv:
    """The lazy form of ``cls_to_become`` (a convolution): its arguments but ``in_channels``, which the first
    input gives (see the module docstring)."""

    cls_to_become: ClassVar[type]

    def __init__(self, out_channels: int, *args: Any, **kwargs: Any) -> None:
        convolution = self.cls_to_become
        try:
            bound = inspect.signature(convolution.__init__).bind(self, 1, out_channels, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{type(self).__name__}: {error}") from None
        bound.apply_defaults()
        arguments = {name: value for name, value in bound.arguments.items() if name not in ("self", "in_channels")}
        user_rng = arguments["rng"]
        # checks every argument (with in_channels = groups, which any groups allows) without drawing from user_rng
        convolution.__init__(self, arguments["groups"], **{**arguments, "rng": 0})
        self.in_channels = 0
        self.weight = UninitializedParameter(self.weight.dtype)
        self.bias = UninitializedParameter(self.weight.dtype) if self.bias is not None else None
        self._lazy_arguments = {**arguments, "rng": make_generator(type(self).__name__, "rng", user_rng)}

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Nothing to draw before the first input (torch's); the drawn layer is ``cls_to_become`` and resets as one."""

    def forward(self, x: Any, *args: Any, **kwargs: Any) -> Tensor:
        if isinstance(self.weight, UninitializedParameter):
            self.initialize_parameters(x)
        return type(self).forward(self, x, *args, **kwargs)  # the class is cls_to_become from the first call on

    def initialize_parameters(self, x: Any) -> None:
        """Draw ``weight`` (and ``bias``) for inputs like ``x`` (``in_channels`` from axis 1 of a batched input,
        axis 0 of an unbatched one) and become ``cls_to_become``, as torch's method of that name."""
        name = type(self).__name__
        x = as_layer_input(name, x, self.weight)
        dims = len(self.kernel_size)
        if x.ndim not in (dims + 1, dims + 2):
            raise ValueError(
                f"{name}: expected a {dims + 2}-D (batched) or {dims + 1}-D (unbatched) input, got shape {x.shape}"
            )
        channels = x.shape[x.ndim - dims - 1]
        if channels == 0 or channels % self.groups:
            raise ValueError(
                f"{name}: in_channels {channels} (from an input of shape {x.shape}) must be a positive multiple of "
                f"groups={self.groups}"
            )
        drawn = self.cls_to_become(channels, **{**self._lazy_arguments, "dtype": self.weight.dtype})
        with no_grad():
            self.weight.materialize(drawn.weight.data)
            if self.bias is not None:
                self.bias.materialize(drawn.bias.data)
        self.in_channels = channels
        del self._lazy_arguments
        self.__class__ = self.cls_to_become


class LazyConv1d(_LazyConv, Conv1d):
    """``Conv1d`` with ``in_channels`` from the first input: ``LazyConv1d(out_channels, kernel_size, ...)``."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """``Conv2d`` with ``in_channels`` from the first input: ``LazyConv2d(out_channels, kernel_size, ...)``."""

    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """``Conv3d`` with ``in_channels`` from the first input: ``LazyConv3d(out_channels, kernel_size, ...)``."""

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConv, ConvTranspose1d):
    """``ConvTranspose1d`` with ``in_channels`` from the first input: ``LazyConvTranspose1d(out_channels,
    kernel_size, ...)``."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConv, ConvTranspose2d):
    """``ConvTranspose2d`` with ``in_channels`` from the first input: ``LazyConvTranspose2d(out_channels,
    kernel_size, ...)``."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConv, ConvTranspose3d):
    """``ConvTranspose3d`` with ``in_channels`` from the first input: ``LazyConvTranspose3d(out_channels,
    kernel_size, ...)``."""

    cls_to_become = ConvTranspose3d
