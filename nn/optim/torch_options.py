"""torch's implementation switches of its optimizers (``foreach``, ``fused``, ``capturable``,
``differentiable``): accepted so ported code runs, checked, and without effect on the update, which here
has one NumPy implementation; ``differentiable=True`` (a step recorded in the autograd graph) is refused."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

__all__ = [
    "IMPLEMENTATION_OPTIONS",
    "check_implementation_entries",
    "check_implementation_options",
    "check_tensor_rates",
]

#: torch's implementation switches, kept in the param groups of the optimizers that take them, as torch's
IMPLEMENTATION_OPTIONS = ("foreach", "fused", "capturable", "differentiable")


def _flag_or_none(owner: str, name: str, value: Any) -> None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be None, True or False, got {value!r}")


def check_implementation_options(
    owner: str, foreach: Any = None, fused: Any = None, capturable: Any = False, differentiable: Any = False
) -> None:
    """Check torch's implementation switches; they select nothing here (the update is the same either way), but
    ``fused=True`` with ``foreach=True`` is a RuntimeError, as torch's."""
    _flag_or_none(owner, "foreach", foreach)
    _flag_or_none(owner, "fused", fused)
    for name, value in (("capturable", capturable), ("differentiable", differentiable)):
        if not isinstance(value, bool):
            raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    if fused and foreach:  # torch's two implementations exclude each other, and it says so with a RuntimeError
        raise RuntimeError(f"{owner}: fused=True and foreach=True cannot be given together (choose one)")
    if differentiable:
        raise ValueError(
            f"{owner}: differentiable=True (recording the step in the autograd graph) is not supported; "
            "the update runs on the parameters' data"
        )


def check_implementation_entries(owner: str, group: dict[str, Any]) -> None:
    """:func:`check_implementation_options` for the switches a param group holds (one added later, or loaded from a
    state dict): the same values as the optimizer's keywords take, the same refusals."""
    check_implementation_options(owner, **{key: group[key] for key in IMPLEMENTATION_OPTIONS if key in group})


def check_tensor_rates(owner: str, lr: Any, betas: Any, foreach: Any, capturable: Any) -> None:
    """torch's Adam checks of a Tensor ``lr`` or Tensor ``betas``, made before the parameters are looked at, as its:
    ``foreach=True`` without ``capturable`` takes no Tensor rate, ``betas`` are both Tensors or neither, and a
    Tensor beta has one element (each a ValueError). (The update takes them as numbers either way.)"""
    if isinstance(lr, Tensor) and foreach and not capturable:
        raise ValueError(f"{owner}: lr as a Tensor is not supported for capturable=False and foreach=True")
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        return  # (the group's check says what a pair must be)
    tensors = [isinstance(beta, Tensor) for beta in betas]
    if any(tensors) and not all(tensors):
        raise ValueError(f"{owner}: betas must be either both floats or both Tensors")
    for index, beta in enumerate(betas):
        if tensors[index] and foreach and not capturable:
            raise ValueError(
                f"{owner}: betas[{index}] as a Tensor is not supported for capturable=False and foreach=True"
            )
        if tensors[index] and beta.size != 1:
            raise ValueError(f"{owner}: Tensor betas[{index}] must be 1-element, got one of shape {beta.shape}")
