"""``CatTransform`` and ``StackTransform`` (torch.distributions.transforms'): several transforms applied side by side,
each to its own part of one tensor along an axis ``dim``.

CatTransform(tseq, dim, lengths):  tseq[i] on the i-th block of lengths[i] entries along dim (the blocks as
                                   torch.cat would join them); domain and codomain ``constraints.cat`` of the parts'.
StackTransform(tseq, dim):         tseq[i] on the i-th entry along dim (as torch.stack would join them); domain and
                                   codomain ``constraints.stack`` of the parts'.

Each is bijective when every part is, and its inverse applies each part's inverse to the same part. log|det J| is the
parts' joined the same way (each part's summed over the axes of the whole's event that are not its own first); where
dim lies inside the event (CatTransform), the parts' values are added instead, as one event spans them all.
"""

from __future__ import annotations

from typing import Any

from .distribution_constraints import Constraint, cat, dependent_property, stack
from .tensor import Tensor
from .tensor_functions import cat as concatenate
from .tensor_functions import stack as stack_tensors
from .transform_base import Transform, sum_rightmost

__all__ = ["CatTransform", "StackTransform"]


def _checked_transforms(tseq: Any, cache_size: int) -> list[Transform]:
    transforms = list(tseq)
    if not all(isinstance(t, Transform) for t in transforms):
        raise AssertionError("All elements of tseq must be Transform instances")
    return [t.with_cache(cache_size) for t in transforms] if cache_size else transforms


def _check_axis(value: Tensor, dim: int, size: int, what: str, name: str) -> None:
    """torch's AssertionErrors: ``dim`` must be an axis of ``value``, of length ``size`` (``what`` names it)."""
    if not -value.ndim <= dim < value.ndim:
        raise AssertionError(f"dim {dim} out of range for {name} with {value.ndim} dimensions")
    if value.shape[dim] != size:
        raise AssertionError(f"{name}.size({dim}) = {value.shape[dim]} must equal {what} {size}")


class CatTransform(Transform):
    """Transforms applied to consecutive blocks along an axis: see the module docstring."""

    def __init__(self, tseq: Any, dim: int = 0, lengths: Any = None, cache_size: int = 0) -> None:
        self.transforms = _checked_transforms(tseq, cache_size)
        super().__init__(cache_size=cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match transforms ({len(self.transforms)})")
        self.dim = dim

    @property
    def event_dim(self) -> int:
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self) -> int:
        return sum(self.lengths)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @dependent_property
    def domain(self) -> Constraint:  # type: ignore[override]
        return cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @dependent_property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return cat([t.codomain for t in self.transforms], self.dim, self.lengths)

    def with_cache(self, cache_size: int = 1) -> Transform:
        return (
            self
            if self._cache_size == cache_size
            else CatTransform(self.transforms, self.dim, self.lengths, cache_size)
        )

    def _blocks(self, value: Tensor, name: str) -> list[Tensor]:
        _check_axis(value, self.dim, self.length, "length", name)
        blocks, start = [], 0
        for length in self.lengths:
            blocks.append(value.narrow(self.dim, start, length))
            start += length
        return blocks

    def _call(self, x: Tensor) -> Tensor:
        return concatenate([t(block) for t, block in zip(self.transforms, self._blocks(x, "x"))], self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        return concatenate([t.inv(block) for t, block in zip(self.transforms, self._blocks(y, "y"))], self.dim)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        parts = [
            sum_rightmost(t.log_abs_det_jacobian(x_block, y_block), self.event_dim - t.event_dim)
            for t, x_block, y_block in zip(self.transforms, self._blocks(x, "x"), self._blocks(y, "y"))
        ]
        # dim counted from the right of the log-det's shape (x's without the event's axes)
        axis = (self.dim - x.ndim if self.dim >= 0 else self.dim) + self.event_dim
        if axis < 0:
            return concatenate(parts, axis)
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = Transform.__hash__


class StackTransform(Transform):
    """Transforms applied to the entries along an axis: see the module docstring."""

    def __init__(self, tseq: Any, dim: int = 0, cache_size: int = 0) -> None:
        self.transforms = _checked_transforms(tseq, cache_size)
        super().__init__(cache_size=cache_size)
        self.dim = dim

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @dependent_property
    def domain(self) -> Constraint:  # type: ignore[override]
        return stack([t.domain for t in self.transforms], self.dim)

    @dependent_property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return stack([t.codomain for t in self.transforms], self.dim)

    def with_cache(self, cache_size: int = 1) -> Transform:
        return self if self._cache_size == cache_size else StackTransform(self.transforms, self.dim, cache_size)

    def _entries(self, value: Tensor, name: str) -> list[Tensor]:
        _check_axis(value, self.dim, len(self.transforms), "len(transforms)", name)
        return [value.select(self.dim, i) for i in range(len(self.transforms))]

    def _call(self, x: Tensor) -> Tensor:
        return stack_tensors([t(entry) for t, entry in zip(self.transforms, self._entries(x, "x"))], self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        return stack_tensors([t.inv(entry) for t, entry in zip(self.transforms, self._entries(y, "y"))], self.dim)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        parts = [
            t.log_abs_det_jacobian(x_entry, y_entry)
            for t, x_entry, y_entry in zip(self.transforms, self._entries(x, "x"), self._entries(y, "y"))
        ]
        return stack_tensors(parts, self.dim)

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = Transform.__hash__
