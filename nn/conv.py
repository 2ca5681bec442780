"""Convolution and pooling layers: ``Conv1d``, ``Conv2d``, ``Conv3d``, ``MaxPool2d``, ``AvgPool2d``,
``AdaptiveAvgPool2d`` (NCL / NCHW / NCDHW, torch semantics)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.conv import IntOrPair, pair
from autograd.shape_errors import ArgumentRangeError

from . import functional as F
from . import init as nn_init
from .checks import check_choice, check_flag, check_positive_int, make_generator
from .functional.conv import check_divisor_override, check_groups, conv_padding, single, stride_unset, triple
from .functional.padding import PADDING_MODES, pad_spatial
from .module import Module, input_for
from .parameter import Parameter, factory_dtype

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "Conv1d", "Conv2d", "Conv3d", "MaxPool2d"]


def _conv_parameters(
    layer: Any, bias: bool, dtype: np.dtype, generator: np.random.Generator, shape: tuple[int, ...] | None = None
) -> tuple[Parameter, Parameter | None]:
    """torch's initialisation of a convolution's ``(weight, bias)``: weight kaiming_uniform_(a=sqrt(5)),
    i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias from the same range; fan_in = weight.shape[1] * kernel size
    (in/groups * kernel size for the default weight ``shape`` (out, in/groups, *kernel))."""
    shape = shape or (layer.out_channels, layer.in_channels // layer.groups) + layer.kernel_size
    weight = Parameter(np.zeros(shape, dtype=dtype))
    bias_parameter = Parameter(np.zeros(layer.out_channels, dtype=dtype)) if bias else None
    reset_conv_parameters(weight, bias_parameter, generator)
    return weight, bias_parameter


def reset_conv_parameters(weight: Parameter, bias: Parameter | None, generator: np.random.Generator) -> None:
    """Draw a convolution's ``weight`` (kaiming_uniform_(a=sqrt(5))) then ``bias`` (U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = weight.shape[1] * kernel size) in place: torch's ``reset_parameters``."""
    nn_init.kaiming_uniform_(weight, a=math.sqrt(5), rng=generator)
    if bias is not None:
        bound = 1.0 / math.sqrt(math.prod(weight.shape[1:]))
        nn_init.uniform_(bias, -bound, bound, rng=generator)


def _one(value: Any, name: str, op: str) -> tuple[int]:
    """A 1-D size as torch keeps it on the layer: a 1-tuple."""
    return (single(value, name, op),)


class _ConvNd(Module):
    """What Conv1d, Conv2d and Conv3d share: the checks of their arguments, their parameters, ``forward``
    (``padding_mode`` applied, then the functional convolution) and torch's repr. Each subclass names itself
    (``_name``, for errors), reads one size per spatial axis (``_as_tuple``) and convolves (``_convolve``)."""

    _name: str
    _as_tuple: Callable[[Any, str, str], tuple[int, ...]]
    _convolve: Callable[..., Tensor]

    def _set_up(
        self,
        in_channels: Any,
        out_channels: Any,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: Any,
        bias: Any,
        padding_mode: Any,
        dtype: Any,
        rng: Any,
        device: Any,
    ) -> None:
        """Check the constructor's arguments (errors name the layer) and draw the parameters as torch does."""
        owner, as_tuple = self._name, self._as_tuple
        self.in_channels = check_positive_int(owner, "in_channels", in_channels)
        self.out_channels = check_positive_int(owner, "out_channels", out_channels)
        self.groups = check_groups(owner, groups, self.in_channels, self.out_channels)
        self.kernel_size = as_tuple(kernel_size, "kernel_size", owner)
        self.stride = as_tuple(stride, "stride", owner)
        self.dilation = as_tuple(dilation, "dilation", owner)
        widths = conv_padding(owner, padding, self.kernel_size, self.stride, self.dilation)
        self.padding = padding if isinstance(padding, str) else tuple(low for low, _ in widths)
        self.padding_mode = check_choice(owner, "padding_mode", padding_mode, PADDING_MODES)
        # torch's _ConvNd attributes, which code shared with transposed convolutions reads (a fused conv and batch
        # norm asks ``transposed``): a convolution is not transposed and adds no output padding.
        self.transposed = False
        self.output_padding = (0,) * len(self.kernel_size)
        dtype = factory_dtype(owner, device, dtype)
        self.weight, self.bias = _conv_parameters(self, bias, dtype, make_generator(owner, "rng", rng))

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw ``weight`` and ``bias`` again, in place, as the constructor does (``rng`` as its)."""
        reset_conv_parameters(self.weight, self.bias, make_generator(self._name, "rng", rng))

    def forward(self, input: Any) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)

    def _conv_forward(self, input: Any, weight: Any, bias: Any) -> Tensor:
        """The layer's convolution of ``input`` with a given ``weight`` and ``bias`` (torch's method of this name,
        which subclasses call with a weight of their own: a weight-standardised conv, ``StdConv2d``), in the
        layer's padding mode, stride, dilation and groups."""
        input = input_for(self._name, input, weight if isinstance(weight, Tensor) else self.weight)
        input, padding = self._padded(input)
        return self._convolve(input, weight, bias, self.stride, padding, self.dilation, self.groups)

    def _padded(self, x: Tensor) -> tuple[Tensor, Any]:
        """The input and the ``padding`` for the functional convolution: with ``padding_mode`` 'zeros' the layer's
        own, otherwise ``x`` padded in that mode (as torch, 'same' puts an odd total's extra entry after) and 0."""
        if self.padding_mode == "zeros":
            return x, self.padding
        widths = conv_padding(self._name, self.padding, self.kernel_size, self.stride, self.dilation)
        return pad_spatial(x, widths, self.padding_mode, self._name), 0

    def extra_repr(self) -> str:
        """Channels, kernel and stride, then the options that differ from their defaults (as torch prints them)."""
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if isinstance(self.padding, str):
            text += f", padding={self.padding}"
        elif any(self.padding):
            text += f", padding={self.padding}"
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution layer: ``y = conv1d(x, weight, bias, stride, padding, dilation, groups)`` on ``(N, C, L)``.

    ``weight``: (out_channels, in_channels / groups, kernel_size); ``bias``: (out_channels,) or None.
    Initialised like torch: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    fan_in = in_channels / groups * kernel_size. ``padding`` may be ``'valid'`` or ``'same'`` (stride 1), and
    ``padding_mode`` ('zeros', 'reflect', 'replicate', 'circular') says what the padding holds, as torch's.
    """

    _name = "Conv1d"
    _as_tuple = staticmethod(_one)
    _convolve = staticmethod(F.conv1d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] = 1,
        padding: int | tuple[int] | str = 0,
        dilation: int | tuple[int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        self._set_up(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, dtype, rng,
            device,
        )  # fmt: skip


class Conv2d(_ConvNd):
    """2-D convolution layer: ``y = conv2d(x, weight, bias, stride, padding, dilation, groups)``.

    ``weight``: (out_channels, in_channels / groups, kh, kw); ``bias``: (out_channels,) or
    None. With ``groups`` G the channels split into G blocks, each output block seeing
    only its input block (G = in_channels is depthwise); both channel counts must be
    divisible by G. Initialised like torch: weight and bias from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * kh * kw.
    Output size per axis: ``conv_output_size``. ``padding`` may be ``'valid'`` or ``'same'`` (stride 1), and
    ``padding_mode`` ('zeros', 'reflect', 'replicate', 'circular') says what the padding holds, as torch's.
    """

    _name = "Conv2d"
    _as_tuple = staticmethod(pair)
    _convolve = staticmethod(F.conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair | str = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        self._set_up(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, dtype, rng,
            device,
        )  # fmt: skip


class Conv3d(_ConvNd):
    """3-D convolution layer: ``y = conv3d(x, weight, bias, stride, padding, dilation, groups)`` on
    ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.

    ``weight``: (out_channels, in_channels / groups, kd, kh, kw); ``bias``: (out_channels,) or None. Initialised
    like torch: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * kd * kh
    * kw. ``padding`` may be ``'valid'`` or ``'same'`` (stride 1), and ``padding_mode`` ('zeros', 'reflect',
    'replicate', 'circular') says what the padding holds, as torch's.
    """

    _name = "Conv3d"
    _as_tuple = staticmethod(triple)
    _convolve = staticmethod(F.conv3d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] = 1,
        padding: int | tuple[int, int, int] | str = 0,
        dilation: int | tuple[int, int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        self._set_up(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, dtype, rng,
            device,
        )  # fmt: skip


def kept_as_given(
    value: Any, name: str, op: str, minimum: int = 1, as_tuple: Callable[..., tuple[int, ...]] = pair
) -> int | tuple[int, ...]:
    """``value`` kept as the user wrote it (an int, or one size per axis as a tuple), once checked by ``as_tuple``
    (``pair`` for 2-D pools, ``triple`` for 3-D) to be one, as torch's pools keep their options."""
    checked = as_tuple(value, name, op, minimum)
    return checked[0] if isinstance(value, (int, np.integer)) else checked


def _check_pool_padding(op: str, padding: IntOrPair, kernel_size: IntOrPair) -> None:
    """Padding at most half the kernel along both axes, as torch's pools (an :class:`ArgumentRangeError`
    otherwise, also the RuntimeError torch raises)."""
    padding, kernel = pair(padding, "padding", op, minimum=0), pair(kernel_size, "kernel_size", op)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ArgumentRangeError(f"{op}: padding {padding} must be at most half the kernel size {kernel}")


class MaxPool2d(Module):
    """Max over each kernel window (see ``nn.functional.max_pool2d``; a window's gradient goes to its first maximum).

    As torch's, ``kernel_size``, ``stride`` (default: the kernel size), ``padding`` and ``dilation`` keep what was
    passed: ``MaxPool2d(2).kernel_size == 2``, ``MaxPool2d((2, 3)).kernel_size == (2, 3)``. With
    ``return_indices`` the layer returns ``(output, indices)`` (torch's flat indices ``row * W + column``).
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        self.return_indices = check_flag("MaxPool2d", "return_indices", return_indices)
        self.ceil_mode = bool(ceil_mode)
        self.kernel_size = kept_as_given(kernel_size, "kernel_size", "MaxPool2d")
        self.stride = self.kernel_size if stride_unset(stride) else kept_as_given(stride, "stride", "MaxPool2d")
        self.padding = kept_as_given(padding, "padding", "MaxPool2d", minimum=0)
        self.dilation = kept_as_given(dilation, "dilation", "MaxPool2d")
        _check_pool_padding("MaxPool2d", self.padding, self.kernel_size)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, np.ndarray]:
        return F.max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, dilation={self.dilation}, "
            f"ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """Mean over each kernel window (see ``nn.functional.avg_pool2d``; torch's arguments).

    As torch's, ``kernel_size``, ``stride`` (default: the kernel size) and ``padding`` keep what was passed.
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        self.kernel_size = kept_as_given(kernel_size, "kernel_size", "AvgPool2d")
        self.stride = self.kernel_size if stride_unset(stride) else kept_as_given(stride, "stride", "AvgPool2d")
        self.padding = kept_as_given(padding, "padding", "AvgPool2d", minimum=0)
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = (
            None if divisor_override is None else check_divisor_override("AvgPool2d", divisor_override)
        )
        _check_pool_padding("AvgPool2d", self.padding, self.kernel_size)

    def forward(self, input: Any) -> Tensor:
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        """torch 2.13's: the geometry only (``ceil_mode``, ``count_include_pad`` and ``divisor_override`` are not
        shown, as in ``AvgPool1d``/``AvgPool3d``), so a printed model reads as torch's."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Mean over PyTorch's adaptive windows to a fixed ``output_size`` (see ``nn.functional.adaptive_avg_pool2d``);
    ``output_size`` keeps what was passed, as torch's (``AdaptiveAvgPool2d(5).output_size == 5``)."""

    def __init__(self, output_size: int | None | tuple[int | None, int | None]) -> None:
        sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
        if len(sizes) != 2:
            raise TypeError(f"AdaptiveAvgPool2d: output_size must be an int or a pair, got {output_size!r}")
        rows, columns = (
            None if size is None else pair(size, "output_size", "AdaptiveAvgPool2d", minimum=0)[0] for size in sizes
        )
        self.output_size = (rows, columns) if isinstance(output_size, (tuple, list)) else rows

    def forward(self, input: Any) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
