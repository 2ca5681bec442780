"""``weight_norm`` and ``remove_weight_norm``: torch's classic, hook-based weight normalisation
(Salimans and Kingma, 2016), which splits a weight into a direction and a magnitude."""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

import numpy as np

from autograd import Tensor
from autograd.broadcasting import AxisError
from autograd.linalg import vector_norm

from ..module import Module
from ..parameter import Parameter, is_lazy
from ..warning_site import user_stacklevel

__all__ = ["WeightNorm", "remove_weight_norm", "weight_norm"]

ModuleT = TypeVar("ModuleT", bound=Module)


def _other_axes(ndim: int, dim: int) -> tuple[int, ...]:
    """The axes a norm "except ``dim``" sums over: all of them for dim -1 (torch's code for "no dim")."""
    return tuple(axis for axis in range(ndim) if axis != dim)


def checked_dim(where: str, dim: int | None, shape: tuple[int, ...]) -> int:
    """A weight norm's ``dim`` for a weight of ``shape``, as torch reads it: None or -1 (the norm over the whole
    tensor) gives -1, any other dim in [-ndim, ndim) its axis; a dim out of that range is an AxisError (torch's
    IndexError, and a ValueError)."""
    if dim is None:
        return -1
    dim = int(dim)
    ndim = len(shape)
    if dim == -1:
        return -1
    if not -ndim <= dim < ndim:
        raise AxisError(
            f"{where}: dim {dim} is out of range for a weight of shape {shape} (expected -{ndim} to {ndim - 1}, or None)"
        )
    return dim + ndim if dim < 0 else dim


def norm_except_dim(v: Any, dim: int) -> Any:
    """The 2-norm of ``v`` over every axis but ``dim``, kept as axes of size 1 (for dim -1: over all
    axes, a 0-d result), as torch's ``norm_except_dim``; a Tensor gives a Tensor in the graph. It is
    ``linalg.vector_norm``'s, summed in a wider dtype than float16, as torch's (float16 squares summed in float16
    would round the norm of float16 weights to a neighbour); a 1-D ``v`` with ``dim`` 0 gives ``|v|``."""
    axes = _other_axes(v.ndim, dim)
    if not isinstance(v, Tensor):
        return norm_except_dim(Tensor(np.asarray(v)), dim)._data
    return vector_norm(v, 2, dim=axes, keepdim=dim != -1) if axes else (v * v).sqrt()


class WeightNorm:
    """The forward pre-hook that sets ``module.<name> = g * v / ||v||`` from the Parameters ``<name>_g``
    (the magnitude) and ``<name>_v`` (the direction) before each forward; the norm is over every axis but
    ``dim`` (over all of them for dim -1)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim

    def compute_weight(self, module: Module) -> Tensor:
        """``g * v / ||v||``, in the graph: gradients reach ``<name>_g`` and ``<name>_v``.

        d/dg w = v / ||v||;  d/dv w = g / ||v|| (I - w w' / g^2), for each slice along ``dim``."""
        magnitude, direction = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return direction * (magnitude / norm_except_dim(direction, self.dim))

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        """Replace the Parameter ``name`` of ``module`` by ``<name>_g`` and ``<name>_v`` and register the hook."""
        for hook in module.__dict__.get("_forward_pre_hooks", {}).values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"weight_norm: cannot register two weight_norm hooks on the same parameter {name!r}")
        weight = module.__dict__.get(name)
        if not isinstance(weight, Parameter):
            raise ValueError(f"weight_norm: {type(module).__name__} has no Parameter {name!r}")
        if is_lazy(weight):  # torch's ValueError: nothing to normalise before the layer's first forward
            raise ValueError(
                f"The module passed to `WeightNorm` can't have uninitialized parameters ({type(module).__name__}."
                f"{name} is a lazy placeholder). Make sure to run the dummy forward before applying weight normalization"
            )
        dim = checked_dim("weight_norm", dim, weight.shape)
        hook = WeightNorm(name, dim)
        del module.__dict__[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight._data, dim), dtype=weight.dtype))
        module.register_parameter(name + "_v", Parameter(weight._data, dtype=weight.dtype))
        setattr(module, name, hook.compute_weight(module))
        module.register_forward_pre_hook(hook)
        return hook

    def remove(self, module: Module) -> None:
        """Put back the Parameter ``name`` (its current value g * v / ||v||) and drop ``<name>_g``, ``<name>_v``."""
        weight = self.compute_weight(module)
        for suffix in ("", "_g", "_v"):
            module.__dict__.pop(self.name + suffix, None)
        module.register_parameter(self.name, Parameter(weight._data, dtype=weight.dtype))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: ModuleT, name: str = "weight", dim: int | None = 0) -> ModuleT:
    """Reparametrize ``module.<name>`` as ``g * v / ||v||`` (torch's ``torch.nn.utils.weight_norm``):
    Parameters ``<name>_g`` (shape of ``||v||``: the weight's shape with every axis but ``dim`` of size 1)
    and ``<name>_v`` (the weight's shape) replace it, and a forward pre-hook recomputes ``module.<name>``
    from them before each forward. ``dim=None`` (or -1) normalises over the whole weight. Returns the
    module. :func:`remove_weight_norm` undoes it. As torch's, a FutureWarning: the parametrization
    (:func:`nn.utils.parametrizations.weight_norm`) is the form torch keeps."""
    warnings.warn(
        "`torch.nn.utils.weight_norm` is deprecated in favor of `torch.nn.utils.parametrizations.weight_norm`.",
        FutureWarning,
        stacklevel=user_stacklevel(),
    )
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: ModuleT, name: str = "weight") -> ModuleT:
    """Undo :func:`weight_norm`: ``module.<name>`` is a Parameter again (holding g * v / ||v||) and the hook
    is gone. A module without weight norm on ``name`` raises ValueError. Returns the module."""
    return remove_weight_hook(module, WeightNorm, name, "weight_norm")


def remove_weight_hook(module: ModuleT, kind: type, name: str, what: str) -> ModuleT:
    """Remove the forward pre-hook of class ``kind`` that recomputes ``module.<name>`` (its ``remove`` makes the
    weight a Parameter again) and return the module; ValueError naming ``what`` if there is none."""
    hooks = module.__dict__.get("_forward_pre_hooks", {})
    for key, hook in list(hooks.items()):
        if isinstance(hook, kind) and hook.name == name:
            hook.remove(module)
            del hooks[key]
            return module
    raise ValueError(f"{what} of {name!r} not found in {type(module).__name__}")
