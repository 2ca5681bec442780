"""Fractional max pooling layers, torch's ``FractionalMaxPool2d`` and ``FractionalMaxPool3d`` (see
:mod:`nn.functional.fractional_max_pool`)."""

from __future__ import annotations

from typing import Any

from autograd import ArgumentRangeError, Tensor

from . import functional as F
from .checks import check_flag, check_real
from .functional.conv import pair, triple
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPoolNd(Module):
    """The layers' common constructor: ``kernel_size``, and exactly one of ``output_size`` and ``output_ratio``,
    kept as tuples (torch's attributes); ``_random_samples`` a buffer (in ``state_dict`` when given, as torch's)."""

    axes = 2

    def __init__(
        self,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Any = None,
    ) -> None:
        layer, tuple_of = type(self).__name__, (pair if self.axes == 2 else triple)
        self.kernel_size = tuple_of(kernel_size, "kernel_size", layer)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{layer} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError(f"{layer}: only one of output_size and output_ratio may be specified")
        self.output_size = None if output_size is None else tuple_of(output_size, "output_size", layer, minimum=0)
        self.output_ratio = None if output_ratio is None else self._ratios(layer, output_ratio)
        self.return_indices = check_flag(layer, "return_indices", return_indices)
        self.register_buffer("_random_samples", _random_samples)

    def _ratios(self, layer: str, output_ratio: Any) -> tuple[float, ...]:
        ratios = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * self.axes
        if len(ratios) != self.axes:
            raise ValueError(f"{layer}: output_ratio must be a number or {self.axes} numbers, got {output_ratio!r}")
        for ratio in ratios:
            check_real(layer, "output_ratio", ratio)
        if not all(0 < ratio < 1 for ratio in ratios):
            raise ArgumentRangeError(f"{layer}: output_ratio must be between 0 and 1 (got {output_ratio!r})")
        return tuple(ratios)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max over ``kernel_size`` windows at pseudo-random steps, to ``output_size`` (H_out, W_out) cells or to
    ``output_ratio`` (each in (0, 1)) of the input's; (N, C, H, W) or (C, H, W) input. ``_random_samples``
    (N, C, 2) fixes the windows (see ``nn.functional.fractional_max_pool2d``), else each call draws new samples
    from the library's random state. With ``return_indices`` the layer returns ``(values, indices)``. No
    parameters; repr as torch's, ``FractionalMaxPool2d()``."""

    axes = 2

    def forward(self, input: Any) -> Tensor | tuple[Tensor, Tensor]:
        return F.fractional_max_pool2d(
            input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices, self._random_samples
        )


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Max over ``kernel_size`` (kT, kH, kW) windows at pseudo-random steps, to ``output_size`` (T_out, H_out, W_out)
    cells or to ``output_ratio`` of the input's; (N, C, T, H, W) or (C, T, H, W) input. ``_random_samples``
    (N, C, 3) fixes the windows (see ``nn.functional.fractional_max_pool3d``). With ``return_indices`` the layer
    returns ``(values, indices)``."""

    axes = 3

    def forward(self, input: Any) -> Tensor | tuple[Tensor, Tensor]:
        return F.fractional_max_pool3d(
            input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices, self._random_samples
        )
