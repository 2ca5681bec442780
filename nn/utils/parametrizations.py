"""``nn.utils.parametrizations``: torch's ready-made parametrizations, registered with
:func:`nn.utils.parametrize.register_parametrization`. ``weight_norm`` stores a weight as a magnitude
``original0`` (g) and a direction ``original1`` (v), the weight being g v / ||v|| (the norm over every axis but
``dim``)."""

from __future__ import annotations

from typing import Any, TypeVar

from autograd import Tensor

from ..module import Module
from .parametrize import register_parametrization
from .weight_norm import norm_except_dim

__all__ = ["weight_norm"]

ModuleT = TypeVar("ModuleT", bound=Module)


class _WeightNorm(Module):
    """w = g v / ||v||, and back: g = ||w||, v = w (the norms over every axis but ``dim``; all of them for -1)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Any) -> tuple[Tensor, Tensor]:
        weight = weight if isinstance(weight, Tensor) else Tensor(weight)
        return norm_except_dim(weight.detach(), self.dim), weight.detach()


def weight_norm(module: ModuleT, name: str = "weight", dim: int | None = 0) -> ModuleT:
    """Weight normalisation as a parametrization (torch's ``nn.utils.parametrizations.weight_norm``): ``module.<name>``
    becomes g v / ||v|| of ``module.parametrizations.<name>.original0`` (g) and ``original1`` (v). ``dim=None`` takes
    the norm over the whole tensor."""
    weight = getattr(module, name)
    dim = -1 if dim is None else int(dim)
    if dim < -1:
        dim += weight.ndim
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
