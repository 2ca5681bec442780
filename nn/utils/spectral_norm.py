"""``spectral_norm`` and ``remove_spectral_norm``: torch's classic, hook-based spectral normalisation (Miyato et
al., 2018), W_SN = W / sigma(W), sigma(W) the largest singular value of W estimated by power iteration.

The Parameter ``<name>`` becomes ``<name>_orig`` (W), the buffers ``<name>_u`` and ``<name>_v`` hold the power
iteration's vectors, and a forward pre-hook sets the plain attribute ``<name>`` to W / sigma before each forward.
With W seen as a matrix M (axis ``dim`` its rows, the other axes flattened into its columns), each training-mode
forward first steps, in place and without gradient,

    v <- M^T u / max(|M^T u|, eps),   u <- M v / max(|M v|, eps)      (``n_power_iterations`` times)

then takes sigma = u^T M v with u and v held constant, so the gradient of W / sigma goes through W and through
sigma: d sigma / d M = u v^T. Eval mode reads the stored u and v as they are. The parametrization form is
:func:`nn.utils.parametrizations.spectral_norm`."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from autograd import Tensor, generator_for, no_grad
from autograd.broadcasting import AxisError

from ..module import Module
from ..parameter import Parameter, is_lazy
from .weight_norm import remove_weight_hook

__all__ = ["SpectralNorm", "remove_spectral_norm", "spectral_norm"]

ModuleT = TypeVar("ModuleT", bound=Module)


def _normalized(vector: np.ndarray, eps: float) -> np.ndarray:
    """``vector / max(|vector|, eps)``, torch's ``F.normalize(vector, dim=0, eps=eps)``."""
    return vector / max(float(np.linalg.norm(vector)), eps)


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name> = W / sigma(W)`` from ``<name>_orig`` (W) and the power
    iteration's buffers ``<name>_u``, ``<name>_v`` (see the module docstring); torch's ``SpectralNorm``."""

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                f"spectral_norm: expected n_power_iterations to be positive, got n_power_iterations={n_power_iterations}"
            )
        self.name = name
        self.dim = dim
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Any) -> Any:
        """The weight (a Tensor, in the graph, or an ndarray) as a matrix whose rows run along ``dim``."""
        if isinstance(weight, Tensor):
            return weight.moveaxis(self.dim, 0).reshape(weight.shape[self.dim], -1)
        return np.moveaxis(weight, self.dim, 0).reshape(weight.shape[self.dim], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """W / (u^T M v), after ``n_power_iterations`` power steps on the buffers (in place) if
        ``do_power_iteration``; u and v are constants of the result's graph."""
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        if do_power_iteration:
            matrix = self.reshape_weight_to_matrix(weight._data)
            for _ in range(self.n_power_iterations):
                v[...] = _normalized(matrix.T @ u, self.eps)
                u[...] = _normalized(matrix @ v, self.eps)
        sigma = (Tensor(u.copy()) * (self.reshape_weight_to_matrix(weight) @ Tensor(v.copy()))).sum()
        return weight / sigma

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float) -> SpectralNorm:
        """Replace the Parameter ``name`` of ``module`` by ``<name>_orig`` and the buffers ``<name>_u``,
        ``<name>_v`` (drawn from a standard normal, normalised) and register the hook."""
        for hook in module.__dict__.get("_forward_pre_hooks", {}).values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(
                    f"spectral_norm: cannot register two spectral_norm hooks on the same parameter {name!r}"
                )
        weight = module.__dict__.get(name)
        if not isinstance(weight, Parameter):
            raise ValueError(f"spectral_norm: {type(module).__name__} has no Parameter {name!r}")
        if is_lazy(weight):  # torch's ValueError: nothing to normalise before the layer's first forward
            raise ValueError(
                f"The module passed to `SpectralNorm` can't have uninitialized parameters ({type(module).__name__}."
                f"{name} is a lazy placeholder). Make sure to run the dummy forward before applying spectral normalization"
            )
        if not -weight.ndim <= dim < weight.ndim:
            raise AxisError(
                f"spectral_norm: dim {dim} is out of range for a weight of shape {weight.shape} (expected "
                f"-{weight.ndim} to {weight.ndim - 1})"
            )
        hook = SpectralNorm(name, n_power_iterations, dim + weight.ndim if dim < 0 else dim, eps)
        rows, columns = hook.reshape_weight_to_matrix(weight._data).shape
        generator = generator_for()  # the library's random state: seeded by autograd.manual_seed, else fresh
        u = _normalized(generator.standard_normal(rows).astype(weight.dtype), eps)
        v = _normalized(generator.standard_normal(columns).astype(weight.dtype), eps)
        del module.__dict__[name]
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, Tensor(weight._data))  # as torch's weight.data, until the first forward
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(hook)
        return hook

    def remove(self, module: Module) -> None:
        """Put back the Parameter ``name`` (W / sigma with the stored u, v) and drop ``_orig``, ``_u``, ``_v``."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight._data, dtype=weight.dtype))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(
    module: ModuleT, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim: int | None = None
) -> ModuleT:
    """Spectral normalisation of ``module.<name>`` with a forward pre-hook (torch's ``torch.nn.utils.spectral_norm``;
    see the module docstring): ``<name>_orig``, ``<name>_u`` and ``<name>_v`` replace the Parameter, and each forward
    reads ``<name>`` as W / sigma(W). ``dim`` (default 0, or 1 for the ConvTranspose layers, as torch's) is the axis
    of the matrix's rows. Returns the module; :func:`remove_spectral_norm` undoes it."""
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: ModuleT, name: str = "weight") -> ModuleT:
    """Undo :func:`spectral_norm`: ``module.<name>`` is a Parameter again (holding W / sigma with the stored u and v,
    no power step) and the hook is gone. A module without spectral norm on ``name`` raises ValueError."""
    return remove_weight_hook(module, SpectralNorm, name, "spectral_norm")
