"""torch's ``LazyLinear`` (a :class:`~nn.layers.Linear` whose ``in_features`` is read from its first input),
``LazyConv1d``/``2d``/``3d``, ``LazyConvTranspose1d``/``2d``/``3d`` (whose ``in_channels`` is) and the lazy batch and
instance norms (whose ``num_features`` is).

Until then its ``weight`` and ``bias`` are :class:`UninitializedParameter` placeholders, empty arrays
(shape (0,)) listed by ``parameters()`` and ``state_dict()`` as torch lists its uninitialized ones. The first
forward draws them as ``Linear`` would (its ``init``, ``dtype`` after any ``to()``, and ``rng``) into the same
Parameter objects, so an optimizer built before that call updates them; then the module becomes a ``Linear``
(its class changes, as torch's ``cls_to_become``). The lazy convolutions work alike: their constructor takes the
convolution's arguments without ``in_channels`` and checks them at once; the first input's channel axis (axis 1,
or 0 when unbatched) gives ``in_channels``, which ``groups`` must divide.

``LazyBatchNorm1d``/``2d``/``3d`` and ``LazyInstanceNorm1d``/``2d``/``3d`` take torch's lazy arguments (``eps,
momentum, affine, track_running_stats, device, dtype, *, bias``; the lazy instance norms default to ``affine`` and
``track_running_stats`` True, as torch's signature) and read ``num_features`` from the first input's channel axis:
axis 1, or axis 0 of an unbatched instance-norm input. Until then ``weight``/``bias`` are placeholders and
``running_mean``/``running_var`` empty arrays (``num_batches_tracked`` is 0 already); the first forward fills them
as the layer's ``reset_parameters`` does and the module becomes ``BatchNorm2d`` etc. Two departures from torch
2.13, whose ``initialize_parameters`` always reads axis 1 and only when something is uninitialized: an unbatched
instance-norm input gives its channels (torch takes its first position axis and then rejects the input), and a
layer with neither affine parameters nor running statistics learns ``num_features`` too (torch's stays 0).

``load_state_dict`` sizes a lazy module from the state it is given, as torch's materializes the placeholders (a
model of lazy layers saved after its first forward loads into a fresh copy of itself, d2l's way): ``size_from_state``
reads the size the first input would have given from the entries' shapes (``in_features`` from the ``weight``'s second
axis, say), ``become_sized`` draws the layer at that size, and the load then writes the values, checked as any other
(a ``weight`` of the wrong ``out_features`` is mis-shaped); a load that fails leaves the module lazy. One departure:
torch's module stays a ``LazyLinear`` with ``in_features=0`` until its first forward, this one is a ``Linear`` of the
loaded size at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from autograd import ShapeError, Tensor, as_tensor, no_grad
from autograd.torch_names import check_device

from .checks import check_flag, check_positive_int, make_generator
from .conv import Conv1d, Conv2d, Conv3d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .layers import LINEAR_INITS, Linear
from .module import as_layer_input, input_for
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .parameter import Parameter, factory_dtype, is_lazy

__all__ = [
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
    "LazyLinear",
    "UninitializedParameter",
]


class UninitializedParameter(Parameter):
    """A Parameter whose shape is not known yet: an empty array of its dtype until :meth:`materialize`."""

    __slots__ = ()
    #: What ``load_state_dict``'s error reads to advise a forward pass first.
    lazy_placeholder = True

    def __new__(cls, dtype: Any = np.float32) -> UninitializedParameter:
        return super().__new__(cls, np.zeros(0, dtype=dtype))

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> Parameter:
        """Become a plain Parameter, the same object, of ``shape`` (an int or a sequence of ints, torch's
        argument: zeros of this placeholder's dtype, or ``dtype``) or holding ``shape`` when it is an array (the
        lazy layers' drawn values, cast to the placeholder's dtype)."""
        dtype = self.dtype if dtype is None else factory_dtype("UninitializedParameter.materialize", device, dtype)
        if isinstance(shape, np.ndarray):
            self._data = np.array(shape, dtype=dtype)
        else:
            check_device("UninitializedParameter.materialize", device)
            sizes = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
            if not all(isinstance(size, (int, np.integer)) and size >= 0 for size in sizes):
                raise TypeError(f"UninitializedParameter.materialize: shape must be ints >= 0, got {shape!r}")
            self._data = np.zeros(sizes, dtype=dtype)
        self.__class__ = Parameter
        return self

    def __repr__(self) -> str:
        """torch's: the class name alone (d2l's ``net[0].weight`` before the first forward shows this)."""
        return "<UninitializedParameter>"


class _LazyMixin:
    """What torch's ``LazyModuleMixin`` gives every lazy layer here."""

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter is still a placeholder (torch's method of that name; the sized layer, no longer
        lazy, has no such method)."""
        return any(is_lazy(value) for value in vars(self).values())


class LazyLinear(_LazyMixin, Linear):
    """``Linear(in_features, out_features)`` with ``in_features`` taken from the last axis of the first input;
    the other arguments are ``Linear``'s (see the module docstring)."""

    cls_to_become: ClassVar[type] = Linear

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

    def forward(self, input: Any) -> Tensor:
        if isinstance(self.weight, UninitializedParameter):
            self.initialize_parameters(input)
        return Linear.forward(self, input)  # not super(): the class is Linear from the first call on

    def initialize_parameters(self, x: Any) -> None:
        """Draw ``weight`` (and ``bias``) for inputs like ``x`` (``in_features = x.shape[-1]``) and become a
        ``Linear``, as torch's method of that name."""
        x = as_layer_input("LazyLinear", x, self.weight)
        if x.ndim == 0 or x.shape[-1] == 0:  # a ShapeError (RuntimeError too), as Linear's for a 0-D input
            raise ShapeError(f"LazyLinear: cannot infer in_features from an input of shape {x.shape}")
        self.become_sized(x.shape[-1])

    def size_from_state(self, shapes: dict[str, tuple[int, ...]]) -> int | None:
        """The ``in_features`` a state dict's entries give (``shapes``: entry name -> shape): the second axis of a
        2-D ``weight``; None without one (see :func:`sized_by_state`)."""
        shape = shapes.get("weight")
        return shape[1] if shape is not None and len(shape) == 2 and shape[1] > 0 else None

    def become_sized(self, in_features: int) -> None:
        """Draw ``weight`` (and ``bias``) for ``in_features`` inputs and become a ``Linear``."""
        drawn = Linear(
            in_features, self.out_features, self.bias is not None, self._lazy_init, self.weight.dtype, self._lazy_rng
        )
        with no_grad():
            self.weight.materialize(drawn.weight._data)
            if self.bias is not None:
                self.bias.materialize(drawn.bias._data)
        self.in_features = drawn.in_features
        self._init = self._lazy_init  # what Linear.reset_parameters draws with
        del self._lazy_init, self._lazy_rng
        self.__class__ = Linear


class _LazyConv(_LazyMixin):
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

    def forward(self, input: Any, *args: Any, **kwargs: Any) -> Tensor:
        if isinstance(self.weight, UninitializedParameter):
            self.initialize_parameters(input)
        return type(self).forward(self, input, *args, **kwargs)  # the class is cls_to_become from the first call on

    def initialize_parameters(self, x: Any) -> None:
        """Draw ``weight`` (and ``bias``) for inputs like ``x`` (``in_channels`` from axis 1 of a batched input,
        axis 0 of an unbatched one) and become ``cls_to_become``, as torch's method of that name."""
        name = type(self).__name__
        x = as_layer_input(name, x, self.weight)
        dims = len(self.kernel_size)
        if x.ndim not in (dims + 1, dims + 2):  # a ShapeError (RuntimeError too), as the convolution's
            raise ShapeError(
                f"{name}: expected a {dims + 2}-D (batched) or {dims + 1}-D (unbatched) input, got shape {x.shape}"
            )
        channels = x.shape[x.ndim - dims - 1]
        if channels == 0 or channels % self.groups:
            raise ValueError(
                f"{name}: in_channels {channels} (from an input of shape {x.shape}) must be a positive multiple of "
                f"groups={self.groups}"
            )
        self.become_sized(channels)

    def size_from_state(self, shapes: dict[str, tuple[int, ...]]) -> int | None:
        """The ``in_channels`` a state dict's entries give (``shapes``: entry name -> shape), from a ``weight`` of
        the kernel's rank: (out_channels, in_channels / groups, *kernel), or a transposed convolution's
        (in_channels, out_channels / groups, *kernel); None without one (see :func:`sized_by_state`)."""
        shape = shapes.get("weight")
        if shape is None or len(shape) != len(self.kernel_size) + 2:
            return None
        channels = shape[0] if issubclass(self.cls_to_become, _TRANSPOSED) else shape[1] * self.groups
        return channels if channels > 0 and channels % self.groups == 0 else None

    def become_sized(self, channels: int) -> None:
        """Draw ``weight`` (and ``bias``) for ``channels`` input channels and become ``cls_to_become``."""
        drawn = self.cls_to_become(channels, **{**self._lazy_arguments, "dtype": self.weight.dtype})
        with no_grad():
            self.weight.materialize(drawn.weight._data)
            if self.bias is not None:
                self.bias.materialize(drawn.bias._data)
        self.in_channels = channels
        del self._lazy_arguments
        self.__class__ = self.cls_to_become


_TRANSPOSED = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)


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


class _LazyNorm(_LazyMixin):
    """The lazy form of ``cls_to_become`` (a batch or instance norm): torch's lazy arguments, ``num_features``
    from the first input (see the module docstring)."""

    cls_to_become: ClassVar[type]

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        # checks every argument (with one feature) and registers the buffers, then empties what the input sizes
        self.cls_to_become.__init__(
            self, 1, eps, momentum, affine, track_running_stats, dtype, bias=bias, device=device
        )
        self.num_features = 0
        dtype = factory_dtype(type(self).__name__, device, dtype)
        if self.weight is not None:
            self.weight = UninitializedParameter(dtype)
        if self.bias is not None:
            self.bias = UninitializedParameter(dtype)
        if self.track_running_stats:
            self.running_mean = np.zeros(0, dtype=dtype)
            self.running_var = np.zeros(0, dtype=dtype)
        self.reset_running_stats()  # num_batches_tracked to 0: the constructor's reset_parameters was this class's

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or running statistic is still to be sized (torch's method of that name): False for
        a layer with neither affine parameters nor running statistics, which has nothing to size."""
        return self.num_features == 0 and (self.weight is not None or self.track_running_stats)

    def reset_parameters(self) -> None:
        """Nothing to fill before the first input (torch's); the sized layer is ``cls_to_become`` and resets as
        one."""

    def forward(self, input: Any) -> Tensor:
        if self.num_features == 0:
            self.initialize_parameters(input)
        return type(self).forward(self, input)  # the class is cls_to_become from the first call on

    def _channel_axis(self, x: Tensor) -> int:
        """The axis of ``x`` holding the channels (1); a ValueError naming the layer if ``x`` has the wrong rank."""
        if x.ndim not in self.accepted_ndims:
            raise ValueError(f"{type(self).__name__}: expected {self.expected_input} input, got shape {x.shape}")
        return 1

    def initialize_parameters(self, x: Any) -> None:
        """Size ``weight``, ``bias``, ``running_mean`` and ``running_var`` for inputs like ``x``
        (``num_features`` from its channel axis), fill them as ``reset_parameters`` does and become
        ``cls_to_become``, as torch's method of that name. Nothing changes if ``x`` does not fit."""
        name = type(self).__name__
        x = as_tensor(x) if self.weight is None else input_for(name, x, self.weight)
        channels = x.shape[self._channel_axis(x)]
        if channels == 0:
            raise ValueError(f"{name}: cannot infer num_features from an input of shape {x.shape} (no channels)")
        self.become_sized(channels)

    def size_from_state(self, shapes: dict[str, tuple[int, ...]]) -> int | None:
        """The ``num_features`` a state dict's entries give (``shapes``: entry name -> shape): the length of a 1-D
        ``weight``, ``bias``, ``running_mean`` or ``running_var``; None without one (see :func:`sized_by_state`)."""
        for name in ("weight", "bias", "running_mean", "running_var"):
            shape = shapes.get(name)
            if shape is not None and len(shape) == 1 and shape[0] > 0:
                return shape[0]
        return None

    def become_sized(self, channels: int) -> None:
        """Size ``weight``, ``bias`` and the running statistics for ``channels`` features, fill them as
        ``reset_parameters`` does and become ``cls_to_become``."""
        with no_grad():
            for parameter in (self.weight, self.bias):
                if parameter is not None:
                    parameter.materialize(np.zeros(channels, dtype=parameter.dtype))  # no cast: no overflow warning
        if self.track_running_stats:
            self.running_mean = np.empty(channels, dtype=self.running_mean.dtype)
            self.running_var = np.empty(channels, dtype=self.running_var.dtype)
        self.num_features = channels
        self.__class__ = self.cls_to_become
        self.reset_parameters()


class _LazyInstanceNorm(_LazyNorm):
    """A lazy instance norm: an unbatched input (no N axis) has its channels on axis 0."""

    def _channel_axis(self, x: Tensor) -> int:
        """The axis of ``x`` holding the channels: 1, or 0 when ``x`` is unbatched; a ValueError naming the layer
        if ``x`` has the wrong rank."""
        if x.ndim not in (self.positions + 1, self.positions + 2):
            raise ValueError(
                f"{type(self).__name__}: expected a {self.positions + 2}-D batched or {self.positions + 1}-D "
                f"unbatched input, got shape {x.shape}"
            )
        return x.ndim - self.positions - 1


class LazyBatchNorm1d(_LazyNorm, BatchNorm1d):
    """``BatchNorm1d`` with ``num_features`` from axis 1 of the first (N, C) or (N, C, L) input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNorm, BatchNorm2d):
    """``BatchNorm2d`` with ``num_features`` from axis 1 of the first (N, C, H, W) input."""

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNorm, BatchNorm3d):
    """``BatchNorm3d`` with ``num_features`` from axis 1 of the first (N, C, D, H, W) input."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyInstanceNorm, InstanceNorm1d):
    """``InstanceNorm1d`` with ``num_features`` from the C axis of the first (N, C, L) or (C, L) input."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm, InstanceNorm2d):
    """``InstanceNorm2d`` with ``num_features`` from the C axis of the first (N, C, H, W) or (C, H, W) input."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm, InstanceNorm3d):
    """``InstanceNorm3d`` with ``num_features`` from the C axis of the first (N, C, D, H, W) or (C, D, H, W)
    input."""

    cls_to_become = InstanceNorm3d
