"""``nn.utils.parametrizations``: torch's ready-made parametrizations, registered with
:func:`nn.utils.parametrize.register_parametrization`. ``weight_norm`` stores a weight as a magnitude
``original0`` (g) and a direction ``original1`` (v), the weight being g v / ||v|| (the norm over every axis but
``dim``); ``spectral_norm`` divides a weight by its largest singular value, estimated by power iteration."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from autograd import Tensor, as_tensor, generator_for
from autograd.broadcasting import AxisError

from ..module import Module
from .parametrize import register_parametrization
from .weight_norm import checked_dim, norm_except_dim

__all__ = ["spectral_norm", "weight_norm"]

ModuleT = TypeVar("ModuleT", bound=Module)


class _WeightNorm(Module):
    """w = g v / ||v||, and back: g = ||w||, v = w (the norms over every axis but ``dim``; all of them for -1)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Any) -> tuple[Tensor, Tensor]:
        weight = as_tensor(weight)
        return norm_except_dim(weight.detach(), self.dim), weight.detach()


def weight_norm(module: ModuleT, name: str = "weight", dim: int | None = 0) -> ModuleT:
    """Weight normalisation as a parametrization (torch's ``nn.utils.parametrizations.weight_norm``): ``module.<name>``
    becomes g v / ||v|| of ``module.parametrizations.<name>.original0`` (g) and ``original1`` (v). ``dim=None`` takes
    the norm over the whole tensor."""
    weight = getattr(module, name)
    return register_parametrization(
        module, name, _WeightNorm(checked_dim("weight_norm", dim, weight.shape)), unsafe=True
    )


class _SpectralNorm(Module):
    """W / sigma(W), sigma the largest singular value of W seen as a matrix (axis ``dim`` its rows), estimated by
    power iteration on the buffers ``_u`` and ``_v`` (updated in training mode on each read, as torch's)."""

    def __init__(self, weight: Tensor, n_power_iterations: int, dim: int, eps: float, rng: Any) -> None:
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}")
        if weight.ndim and not -weight.ndim <= dim < weight.ndim:
            raise AxisError(
                f"spectral_norm: dim {dim} is out of range for a weight of shape {weight.shape} (expected "
                f"-{weight.ndim} to {weight.ndim - 1})"
            )
        self.dim = dim if dim >= 0 else dim + weight.ndim
        self.eps = eps
        self.n_power_iterations = n_power_iterations
        if weight.ndim > 1:
            matrix = self._matrix(weight._data)
            generator = generator_for(rng)  # None: the library's random state, seeded by autograd.manual_seed
            u = generator.standard_normal(matrix.shape[0]).astype(weight.dtype)
            v = generator.standard_normal(matrix.shape[1]).astype(weight.dtype)
            self.register_buffer("_u", self._normalized(u))
            self.register_buffer("_v", self._normalized(v))
            self._power_method(matrix, 15)

    def _matrix(self, weight: np.ndarray) -> np.ndarray:
        """The weight as a matrix whose rows run along ``dim``."""
        return np.moveaxis(weight, self.dim, 0).reshape(weight.shape[self.dim], -1)

    def _normalized(self, vector: np.ndarray) -> np.ndarray:
        return vector / max(float(np.linalg.norm(vector)), self.eps)

    def _power_method(self, matrix: np.ndarray, iterations: int) -> None:
        """u <- W v / |W v|, v <- W^T u / |W^T u|, ``iterations`` times, in place (no gradient)."""
        for _ in range(iterations):
            self._u[...] = self._normalized(matrix @ self._v)
            self._v[...] = self._normalized(matrix.T @ self._u)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:  # a vector's largest singular value is its norm
            return weight / (weight * weight).sum().sqrt().clip(self.eps)
        if self.training:
            self._power_method(self._matrix(weight._data), self.n_power_iterations)
        u, v = Tensor(self._u.copy()), Tensor(self._v.copy())  # constants of this read, as torch's clones
        rows = weight.moveaxis(self.dim, 0).reshape(weight.shape[self.dim], -1)
        sigma = (u * (rows @ v)).sum()
        return weight / sigma

    def right_inverse(self, value: Any) -> Any:
        return value


def spectral_norm(
    module: ModuleT,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
    rng: Any = None,
) -> ModuleT:
    """Spectral normalisation as a parametrization (torch's ``nn.utils.parametrizations.spectral_norm``):
    ``module.<name>`` reads as W / sigma(W), sigma its largest singular value estimated by ``n_power_iterations``
    steps of power iteration per training-mode read (the vectors in the buffers ``_u``, ``_v``; 15 steps at
    registration; ``rng`` seeds their start, by default the library's random state). ``dim`` (default 0, or 1 for the ConvTranspose layers, as torch's)
    is the axis of the matrix's rows. The gradient goes through W and sigma with u and v held constant."""
    weight = getattr(module, name)
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    return register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps, rng))
