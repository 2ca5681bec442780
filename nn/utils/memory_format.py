"""torch's ``nn.utils.convert_conv2d_weight_memory_format`` and ``convert_conv3d_weight_memory_format``: the weights
of a model's convolutions laid out in a memory format (``torch.channels_last``), for the channels-last path."""

from __future__ import annotations

from typing import Any, TypeVar

from ..conv import Conv2d, Conv3d
from ..conv_transpose import ConvTranspose2d, ConvTranspose3d
from ..module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]

ModuleT = TypeVar("ModuleT", bound=Module)


def _convert(module: ModuleT, memory_format: Any, kinds: tuple[type, ...]) -> ModuleT:
    """Each ``kinds`` layer in ``module`` (itself and its descendants) with its weight's data laid out in
    ``memory_format``; the same Parameter object (an optimizer holding it sees the new layout), its values kept."""
    if isinstance(module, kinds):
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module: ModuleT, memory_format: Any) -> ModuleT:
    """The weights of the ``Conv2d`` and ``ConvTranspose2d`` layers of ``module`` laid out in ``memory_format``
    (``torch.channels_last`` or ``torch.contiguous_format``, or their names), in place; returns ``module``."""
    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module: ModuleT, memory_format: Any) -> ModuleT:
    """The weights of the ``Conv3d`` and ``ConvTranspose3d`` layers of ``module`` laid out in ``memory_format``
    (``torch.channels_last_3d`` or ``torch.contiguous_format``), in place; returns ``module``."""
    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
