"""Transposed convolution layers, torch's ``ConvTranspose1d``, ``ConvTranspose2d`` and ``ConvTranspose3d`` (see
:mod:`nn.functional.conv_transpose`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, Tensor
from autograd.conv import pair
from autograd.shape_errors import require_integer

from . import functional as F
from .checks import check_choice, check_positive_int, make_generator
from .conv import _conv_parameters, reset_conv_parameters
from .functional.conv import check_groups, single, triple
from .functional.conv_transpose import conv_transpose_output_size
from .module import Module, input_for
from .parameter import factory_dtype

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


class _ConvTranspose(Module):
    """The shared constructor, forward, ``output_size`` and repr of the transposed convolutions over ``dims``
    axes; each subclass names its functional form (``_conv_transpose``)."""

    dims = 2
    _conv_transpose: Any = None

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        name = type(self).__name__
        self.in_channels = check_positive_int(name, "in_channels", in_channels)
        self.out_channels = check_positive_int(name, "out_channels", out_channels)
        self.groups = check_groups(name, groups, self.in_channels, self.out_channels)
        self.kernel_size = self._tuple(kernel_size, "kernel_size")
        self.stride = self._tuple(stride, "stride")
        self.padding = self._tuple(padding, "padding", minimum=0)
        self.output_padding = self._tuple(output_padding, "output_padding", minimum=0)
        self.dilation = self._tuple(dilation, "dilation")
        self.transposed = True  # torch's _ConvNd attribute (see Conv2d's)
        if check_choice(name, "padding_mode", padding_mode, ("zeros", "reflect", "replicate", "circular")) != "zeros":
            raise ValueError(f"{name}: only padding_mode 'zeros' is supported (as torch), got {padding_mode!r}")
        self.padding_mode = padding_mode
        dtype = factory_dtype(name, device, dtype)
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        self.weight, self.bias = _conv_parameters(self, bias, dtype, make_generator(name, "rng", rng), shape)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw ``weight`` and ``bias`` again, in place, as the constructor does (``rng`` as its)."""
        reset_conv_parameters(self.weight, self.bias, make_generator(type(self).__name__, "rng", rng))

    def _tuple(self, value: Any, name: str, minimum: int = 1) -> tuple[int, ...]:
        layer = type(self).__name__
        if self.dims == 3:
            return triple(value, name, layer, minimum)
        return (single(value, name, layer, minimum),) if self.dims == 1 else pair(value, name, layer, minimum)

    def _output_padding(self, x: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        """The layer's ``output_padding``, or the one that gives ``output_size`` (its last ``dims`` entries, as
        torch; each between the smallest size and that size plus stride - 1). As torch's, the layer's own
        ``output_padding`` must be smaller than the stride or the dilation only when it is used: a layer made with a
        larger one runs when given ``output_size``."""
        name = type(self).__name__
        if output_size is None:
            for extra, step, spread in zip(self.output_padding, self.stride, self.dilation):
                if extra >= step and extra >= spread:
                    raise ArgumentRangeError(
                        f"{name}: output_padding must be smaller than either stride or dilation, got output_padding "
                        f"{self.output_padding}, stride {self.stride}, dilation {self.dilation}"
                    )
            return self.output_padding
        try:  # torch's sequences (torch.Size, a list, a tuple), whose entries may be one-element integer Tensors
            entries = () if isinstance(output_size, (str, bytes)) else tuple(output_size)
        except TypeError:
            entries = ()
        if not entries and not isinstance(output_size, (tuple, list)):
            raise TypeError(f"{name}: output_size must be a sequence of ints, got {output_size!r}")
        sizes = tuple(require_integer(name, "every output_size entry", size) for size in entries)
        # torch's: the spatial sizes alone, or the whole output shape, whose rank is the input's (a batched input
        # has 2 more axes than the spatial ones, an unbatched one 1): a wrong length is an error, not a slice
        if len(sizes) not in (self.dims, x.ndim):
            raise ValueError(
                f"{name}: for {x.ndim}-D input, output_size must have {self.dims} or {x.ndim} elements (got {len(sizes)})"
            )
        sizes = sizes[-self.dims :]
        geometry = zip(x.shape[-self.dims :], self.kernel_size, self.stride, self.padding, self.dilation)
        smallest = tuple(conv_transpose_output_size(n, k, s, p, 0, d) for n, k, s, p, d in geometry)
        largest = tuple(size + s - 1 for size, s in zip(smallest, self.stride))
        if not all(low <= size <= high for low, size, high in zip(smallest, sizes, largest)):
            raise ValueError(
                f"{name}: requested an output size of {sizes}, but valid sizes range from {smallest} to {largest} "
                f"(for an input of spatial size {x.shape[-self.dims :]})"
            )
        return tuple(size - low for size, low in zip(sizes, smallest))

    def forward(self, input: Any, output_size: Sequence[int] | None = None) -> Tensor:
        input = input_for(type(self).__name__, input, self.weight)
        output_padding = self._output_padding(input, output_size)
        return self._conv_transpose(
            input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation
        )

    def extra_repr(self) -> str:
        """Channels, kernel and stride, then the options that differ from their defaults, in torch's order."""
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if any(self.padding):
            text += f", padding={self.padding}"
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self.dilation}"
        if any(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + (", bias=False" if self.bias is None else "")


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution layer: ``conv_transpose2d(x, weight, bias, stride, padding, output_padding,
    groups, dilation)`` on ``(N, C, H, W)``.

    ``weight``: (in_channels, out_channels / groups, kh, kw), torch's layout; ``bias``: (out_channels,) or None.
    Initialised as torch's: both from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = out_channels / groups *
    kh * kw. ``forward(x, output_size)`` may ask for an output size instead of ``output_padding``, as torch's.
    Only ``padding_mode='zeros'`` exists (as torch).
    """

    dims = 2
    _conv_transpose = staticmethod(F.conv_transpose2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int] = 1,
        padding_mode: str = "zeros",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation,
            padding_mode, dtype, rng, device=device,
        )  # fmt: skip


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution layer: ``conv_transpose1d(x, weight, bias, stride, padding, output_padding,
    groups, dilation)`` on ``(N, C, L)``; ``weight``: (in_channels, out_channels / groups, kernel_size). See
    :class:`ConvTranspose2d`."""

    dims = 1
    _conv_transpose = staticmethod(F.conv_transpose1d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] = 1,
        padding: int | tuple[int] = 0,
        output_padding: int | tuple[int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int] = 1,
        padding_mode: str = "zeros",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation,
            padding_mode, dtype, rng, device=device,
        )  # fmt: skip


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution layer: ``conv_transpose3d(x, weight, bias, stride, padding, output_padding,
    groups, dilation)`` on ``(N, C, D, H, W)``; ``weight``: (in_channels, out_channels / groups, kd, kh, kw). See
    :class:`ConvTranspose2d`."""

    dims = 3
    _conv_transpose = staticmethod(F.conv_transpose3d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int, int],
        stride: int | tuple[int, int, int] = 1,
        padding: int | tuple[int, int, int] = 0,
        output_padding: int | tuple[int, int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int, int] = 1,
        padding_mode: str = "zeros",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation,
            padding_mode, dtype, rng, device=device,
        )  # fmt: skip
