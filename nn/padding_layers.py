"""Padding layers, torch's ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d`` and ``CircularPad1d/2d/3d``: :func:`nn.functional.pad` of the last one, two or three
axes with a fixed ``padding`` (an int for every side, or torch's tuple (left, right[, top, bottom[, front,
back]]))."""

from __future__ import annotations

import numbers
from typing import Any

from autograd import Tensor

from . import functional as F
from .checks import as_given, check_real
from .module import Module

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


class _Pad(Module):
    """Pads the last ``axes`` axes in ``mode``; subclasses set both."""

    axes = 1
    mode = "constant"
    value = 0.0

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        layer, sides = type(self).__name__, 2 * self.axes
        if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
            padding = (int(padding),) * sides
        if not (
            isinstance(padding, (tuple, list))
            and len(padding) == sides
            and all(isinstance(w, numbers.Integral) and not isinstance(w, bool) for w in padding)
        ):
            raise TypeError(f"{layer}: padding must be an int or a tuple of {sides} ints, got {padding!r}")
        self.padding = tuple(int(width) for width in padding)

    def forward(self, input: Any) -> Tensor:
        return F.pad(input, self.padding, self.mode, self.value if self.mode == "constant" else None)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding: int | tuple[int, ...], value: float) -> None:
        super().__init__(padding)
        # torch keeps the value as given: an int fill reads ``value=0`` in the repr, not ``value=0.0``
        self.value = as_given(value, check_real(type(self).__name__, "value", value, allow_inf=True, allow_nan=True))

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """Pad the last axis with ``value``."""


class ConstantPad2d(_ConstantPad):
    """Pad the last two axes with ``value``."""

    axes = 2


class ZeroPad1d(_Pad):
    """Pad the last axis with zeros."""


class ZeroPad2d(_Pad):
    """Pad the last two axes with zeros."""

    axes = 2


class ReflectionPad1d(_Pad):
    """Pad the last axis with its reflection about the edge entry."""

    mode = "reflect"


class ReflectionPad2d(_Pad):
    """Pad the last two axes with their reflection about the edge entries."""

    axes, mode = 2, "reflect"


class ReplicationPad1d(_Pad):
    """Pad the last axis by repeating its edge entries."""

    mode = "replicate"


class ReplicationPad2d(_Pad):
    """Pad the last two axes by repeating their edge entries."""

    axes, mode = 2, "replicate"


class CircularPad1d(_Pad):
    """Pad the last axis by wrapping around."""

    mode = "circular"


class CircularPad2d(_Pad):
    """Pad the last two axes by wrapping around."""

    axes, mode = 2, "circular"


class ConstantPad3d(_ConstantPad):
    """Pad the last three axes with ``value``."""

    axes = 3


class ZeroPad3d(_Pad):
    """Pad the last three axes with zeros."""

    axes = 3


class ReflectionPad3d(_Pad):
    """Pad the last three axes with their reflection about the edge entries."""

    axes, mode = 3, "reflect"


class ReplicationPad3d(_Pad):
    """Pad the last three axes by repeating their edge entries."""

    axes, mode = 3, "replicate"


class CircularPad3d(_Pad):
    """Pad the last three axes by wrapping around."""

    axes, mode = 3, "circular"
