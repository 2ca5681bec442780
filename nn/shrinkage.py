"""Layers around :mod:`nn.functional.shrinkage`: torch's ``Threshold``, ``Hardshrink``, ``Softshrink``,
``Tanhshrink`` and ``GLU``."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from .activations import _InPlaceFlag
from .checks import check_integer, check_real
from .module import Module

__all__ = ["GLU", "Hardshrink", "Softshrink", "Tanhshrink", "Threshold"]


class Threshold(_InPlaceFlag):
    """x where x > ``threshold``, else ``value``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        check_real("Threshold", "threshold", threshold, allow_inf=True, allow_nan=True)
        check_real("Threshold", "value", value, allow_inf=True, allow_nan=True)
        self.threshold, self.value = threshold, value  # as given (torch's repr shows them so)
        super().__init__(inplace)

    def forward(self, input: Any) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return self._with_flag(f"threshold={self.threshold}, value={self.value}")


class Hardshrink(Module):
    """x where |x| > ``lambd``, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        check_real("Hardshrink", "lambd", lambd)  # any real, as torch (see F.hardshrink)
        self.lambd = lambd  # as given (torch's repr shows it so: Hardshrink(2), not Hardshrink(2.0))

    def forward(self, input: Any) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """Soft thresholding: x - lambd above ``lambd``, x + lambd below -lambd, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        check_real("Softshrink", "lambd", lambd, 0)
        self.lambd = lambd  # as given (torch's repr shows it so)

    def forward(self, input: Any) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input: Any) -> Tensor:
        return F.tanhshrink(input)


class GLU(Module):
    """Gated linear unit along ``dim``: first half times sigmoid of the second."""

    def __init__(self, dim: int = -1) -> None:
        self.dim = check_integer("GLU", "dim", dim)

    def forward(self, input: Any) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
