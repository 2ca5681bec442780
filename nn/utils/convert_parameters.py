"""torch's ``nn.utils.convert_parameters``: a model's parameters as one flat vector, and back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd import Node, ShapeError, Tensor, cat
from autograd.gradient_array import DataArray, plain
from autograd.tensor import GradientDtypeError

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _tensors(function: str, parameters: Iterable[Any]) -> list[Tensor]:
    tensors = list(parameters)
    for index, parameter in enumerate(tensors):
        if not isinstance(parameter, Tensor):
            raise TypeError(f"{function}: parameter {index} is a {type(parameter).__name__}, not a Tensor")
    return tensors


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated, in order, into one 1-D Tensor (differentiable: the
    gradient of the vector reaches each parameter). A module's buffers (``net.buffers()``, held as ``DataArray``
    views) are read as the tensors they are in torch, so torch's ``parameters_to_vector(net.buffers())`` runs."""
    tensors = _tensors(
        "parameters_to_vector", (Tensor(plain(p)) if isinstance(p, DataArray) else p for p in parameters)
    )
    if not tensors:
        raise ValueError("parameters_to_vector: expected at least one parameter")
    return cat([tensor.reshape(-1) for tensor in tensors])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make the parameters consecutive slices of ``vec``, as torch's (``p.data = vec[start:start + p.numel()]
    .view_as(p)``): each parameter's data becomes a view of ``vec``'s memory in ``vec``'s dtype (a later in-place
    change of ``vec`` shows in them), no graph is recorded, and a parameter's ``grad`` stays. As torch's, ``vec``
    is sliced along its first axis (a 2-D one by rows) and a longer ``vec``'s tail is not used; a slice that does
    not hold a parameter's entries, or that only a copy could reshape, is a ShapeError (a ValueError and torch's
    RuntimeError), a 0-D ``vec`` an IndexError, an integer ``vec`` for a parameter that requires grad torch's
    RuntimeError (also a TypeError). Everything is checked before any parameter changes."""
    if not isinstance(vec, Node):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    if vec.ndim == 0:
        raise IndexError("vector_to_parameters: a 0-D vector cannot be sliced; give a 1-D one")
    tensors = _tensors("vector_to_parameters", parameters)
    views, start = [], 0
    for index, tensor in enumerate(tensors):
        piece = vec._data[start : start + tensor.size]
        if piece.size != tensor.size:
            raise ShapeError(
                f"vector_to_parameters: parameter {index} of shape {tensor.shape} needs {tensor.size} entries; "
                f"the vector of shape {vec.shape} gives {piece.size} (from position {start} on)"
            )
        try:
            views.append(piece.reshape(tensor.shape, copy=False))
        except ValueError:
            raise ShapeError(
                f"vector_to_parameters: the slice of the vector (shape {vec.shape}) for parameter {index} cannot be "
                f"viewed as shape {tensor.shape} without a copy; give a contiguous vector (.contiguous())"
            ) from None
        if tensor.requires_grad and vec.dtype.kind != "f":
            raise GradientDtypeError(
                f"vector_to_parameters: parameter {index} requires grad and cannot take the {vec.dtype} vector's "
                "data; give a floating-point vector"
            )
        start += tensor.size
    for tensor, view in zip(tensors, views):
        tensor.data = view
