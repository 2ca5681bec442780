"""torch's ``nn.utils.prune``: zero chosen entries of a module's parameter through a mask.

Pruning ``module.weight`` (``prune.l1_unstructured(layer, "weight", amount=0.3)``) leaves, as torch's:

- the Parameter itself, renamed ``weight_orig`` (what the optimizer trains; its gradient is the masked one);
- a buffer ``weight_mask`` (ones where the entry is kept, zeros where pruned; in the Parameter's dtype);
- ``module.weight`` = ``weight_orig * weight_mask``, a plain tensor attribute (neither parameter nor buffer, so the
  state-dict keys are ``weight_orig`` and ``weight_mask``), recomputed by a forward pre-hook (the pruning method
  object) before every forward.

Pruning the same tensor again combines the masks: the new method sees only what is still unpruned (the kept entries
for an unstructured method, the kept slices along its ``dim`` for a structured one), so ``amount`` as a fraction is
a fraction of what remains. ``prune.remove`` makes the pruning permanent: ``weight`` is a Parameter again holding
the masked values, ``weight_orig``, ``weight_mask`` and the hook are gone.

``amount`` is a count of entries (or slices) to prune, a non-negative int, or a fraction in [0, 1] rounded to a
count (Python's ``round``, as torch's). Entries of equal importance are taken first-come (lowest flat index), as a
stable sort takes them; torch's ``topk`` leaves that order unspecified. The random methods draw from the library's
random state (``autograd.manual_seed``), so their masks match torch's in kind (how many, which shape), not in the
entries chosen.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from autograd import Node, Tensor, generator_for

from ..module import Module
from ..parameter import Parameter

__all__ = [
    "BasePruningMethod",
    "CustomFromMask",
    "Identity",
    "ImportanceShapeError",
    "MaskShapeError",
    "L1Unstructured",
    "LnStructured",
    "PruningContainer",
    "RandomStructured",
    "RandomUnstructured",
    "custom_from_mask",
    "global_unstructured",
    "identity",
    "is_pruned",
    "l1_unstructured",
    "ln_structured",
    "random_structured",
    "random_unstructured",
    "remove",
]


class ImportanceShapeError(ValueError, AssertionError):
    """Importance scores of another shape than the pruned tensor's (torch asserts it: an AssertionError)."""


class MaskShapeError(ValueError, AssertionError):
    """A ``custom_from_mask`` mask of another shape than the pruned tensor's (torch asserts it: an
    AssertionError; a ValueError as the library raised it before)."""


def _array(tensor: Any) -> np.ndarray:
    """The values of a Tensor, a Parameter, a buffer or an array, as an ndarray (outside the graph)."""
    return np.asarray(tensor._data if isinstance(tensor, Node) else tensor)


def _check_amount(amount: Any) -> None:
    """torch's check of ``amount`` when a method is made: a non-negative int or a float in [0, 1]."""
    if isinstance(amount, (bool, np.bool_)) or not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
        not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0
    ):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _count_to_prune(amount: Any, size: int) -> int:
    """How many of ``size`` entries (or slices) ``amount`` prunes: itself for an int (at most ``size``, else a
    ValueError), ``round(amount * size)`` for a fraction."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
        return int(amount)
    return round(float(amount) * size)


def _structured_axis(t: np.ndarray, dim: int) -> int:
    """``dim`` of a structured method as a non-negative axis of ``t``, which must have at least two axes."""
    if t.ndim <= 1:
        raise ValueError(
            "Structured pruning can only be applied to multidimensional tensors. Found tensor of shape "
            f"{t.shape} with {t.ndim} dims"
        )
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")
    return dim % t.ndim


def _slices_mask(t: np.ndarray, axis: int, kept: np.ndarray) -> np.ndarray:
    """Ones on the slices ``kept`` (indices along ``axis``) of an array shaped as ``t``, zeros elsewhere."""
    mask = np.zeros_like(t)
    index: list[Any] = [slice(None)] * t.ndim
    index[axis] = kept
    mask[tuple(index)] = 1
    return mask


def _slice_norms(t: np.ndarray, n: Any, axis: int) -> np.ndarray:
    """The ``n``-norm of each slice of ``t`` along ``axis`` (over all its other axes), as torch.norm's ``p``: a
    number (``inf``, ``-inf``, 0 counting non-zero entries), ``"fro"`` (2) or ``"nuc"`` (two other axes only)."""
    others = tuple(d for d in range(t.ndim) if d != axis)
    magnitudes = np.abs(t.astype(np.float64))
    if n == "nuc":
        if len(others) != 2:
            raise RuntimeError(
                f"ln_structured: the nuclear norm needs exactly two other axes, the tensor has {len(others)}"
            )
        return np.linalg.norm(np.moveaxis(t.astype(np.float64), axis, 0), "nuc", axis=(1, 2))
    if n == "fro" and len(others) > 2:  # torch.norm's Frobenius norm is a vector's or a matrix's
        raise RuntimeError(
            f"ln_structured: the Frobenius norm needs one or two other axes, the tensor has {len(others)}"
        )
    p = 2.0 if n == "fro" else float(n)
    if p == np.inf:
        return magnitudes.max(axis=others)
    if p == -np.inf:
        return magnitudes.min(axis=others)
    if p == 0:
        return np.count_nonzero(magnitudes, axis=others).astype(np.float64)
    return (magnitudes**p).sum(axis=others) ** (1.0 / p)


class BasePruningMethod:
    """A way of choosing entries to prune, and the forward pre-hook that applies its mask (see the module docstring).

    Subclasses set ``PRUNING_TYPE`` (``"unstructured"``, ``"structured"`` with a ``dim``, or ``"global"``) and define
    ``compute_mask(t, default_mask)``, as torch's: the new mask (ones kept, zeros pruned), a Tensor, from the
    importance ``t`` (a Tensor of the parameter's values, unless importance scores are given) and the current mask
    (a Tensor). The built-in methods compute theirs on arrays (``_mask``)."""

    PRUNING_TYPE: ClassVar[str | None] = None
    _tensor_name: str | None = None

    def __call__(self, module: Module, inputs: Any) -> None:
        """The forward pre-hook: ``module.<name>`` recomputed as ``<name>_orig * <name>_mask``."""
        setattr(module, self._tensor_name, self.apply_mask(module))  # type: ignore[arg-type]

    def compute_mask(self, t: Any, default_mask: Any) -> Tensor:
        """The new mask, a Tensor, from the importance ``t`` and the current mask (Tensors, as torch's, so a
        subclass's ``mask = default_mask.clone(); mask.view(-1)[::2] = 0`` works)."""
        if type(self)._mask is BasePruningMethod._mask:
            raise NotImplementedError(f"{type(self).__name__} must define compute_mask(t, default_mask)")
        return Tensor(self._mask(_array(t), _array(default_mask)))

    def _mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        """The built-in methods' mask, on arrays (what :meth:`compute_mask` returns as a Tensor)."""
        raise NotImplementedError

    def apply_mask(self, module: Module) -> Tensor:
        """``<name>_orig * <name>_mask`` (recorded: the gradient reaches ``<name>_orig``, masked)."""
        original = getattr(module, f"{self._tensor_name}_orig")
        mask = _array(getattr(module, f"{self._tensor_name}_mask"))
        return original * mask.astype(original.dtype, copy=False)

    @classmethod
    def apply(cls, module: Module, name: str, *args: Any, importance_scores: Any = None, **kwargs: Any) -> Any:
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, combined with the pruning it already has; the
        method (or the container of methods) that is now its hook. On an error the module is left as it was."""
        previous = [
            (key, hook) for key, hook in _pre_hooks(module).items() if _prunes(hook, name)
        ]  # at most one: each pruning of the tensor after the first joins its container
        method: BasePruningMethod = cls(*args, **kwargs)
        method._tensor_name = name
        if previous:
            old = previous[0][1]
            if isinstance(old, PruningContainer):
                old.add_pruning_method(method)
                method = old
            else:
                container = PruningContainer(old)
                container.add_pruning_method(method)
                method = container
        original = getattr(module, name)
        scores = original if importance_scores is None else importance_scores
        if importance_scores is not None and tuple(np.shape(_array(scores))) != tuple(original.shape):
            raise ImportanceShapeError(
                f"importance_scores should have the same shape as parameter {name} of {type(module).__name__}: "
                f"{np.shape(_array(scores))} against {tuple(original.shape)}"
            )
        first = not previous
        if first:
            if not isinstance(original, Parameter):
                raise TypeError(
                    f"prune: {type(module).__name__}.{name} is a {type(original).__name__}, not a Parameter"
                )
            module.register_parameter(f"{name}_orig", original)
            delattr(module, name)
            default_mask = np.ones(original.shape, dtype=original.dtype)
        else:
            default_mask = _array(getattr(module, f"{name}_mask")).copy()
        try:
            mask = _masked(method, _array(scores), default_mask)
            module.register_buffer(f"{name}_mask", mask)
            setattr(module, name, method.apply_mask(module))
            if previous:
                del _pre_hooks(module)[previous[0][0]]
            module.register_forward_pre_hook(method)
        except Exception:
            if first:
                delattr(module, f"{name}_orig")
                vars(module).pop(name, None)
                module.register_parameter(name, original)
            raise
        return method

    def prune(self, t: Any, default_mask: Any = None, importance_scores: Any = None) -> Any:
        """``t`` times the mask this method computes from ``importance_scores`` (``t``'s values if None)."""
        scores = _array(t if importance_scores is None else importance_scores)
        mask = np.ones(scores.shape, dtype=_array(t).dtype) if default_mask is None else _array(default_mask)
        return t * _masked(self, scores, mask).astype(_array(t).dtype, copy=False)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``<name>`` a Parameter again (the ``_orig`` one) holding the masked values."""
        name = self._tensor_name
        original = getattr(module, f"{name}_orig")
        mask = _array(getattr(module, f"{name}_mask"))
        vars(module).pop(name, None)
        delattr(module, f"{name}_orig")
        delattr(module, f"{name}_mask")
        original.data = original._data * mask.astype(original.dtype, copy=False)
        setattr(module, name, original)


def _masked(method: BasePruningMethod, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
    """``method``'s mask as an array: a built-in method's computed on the arrays, a user's ``compute_mask`` given
    Tensors (torch's) and its result read back."""
    if type(method).compute_mask is BasePruningMethod.compute_mask:
        return np.asarray(method._mask(t, default_mask))
    return _array(method.compute_mask(Tensor(t), default_mask=Tensor(default_mask)))


def _pre_hooks(module: Module) -> dict[Any, Any]:
    """The module's table of forward pre-hooks: handle id -> hook."""
    return vars(module).get("_forward_pre_hooks", {})


def _prunes(hook: Any, name: str) -> bool:
    return isinstance(hook, BasePruningMethod) and hook._tensor_name == name


class PruningContainer(BasePruningMethod):
    """The pruning methods applied to one tensor, in order; its mask is the last one's, computed on what the earlier
    ones left (see the module docstring)."""

    def __init__(self, *methods: Any) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        if len(methods) == 1 and isinstance(methods[0], BasePruningMethod):
            self._tensor_name = methods[0]._tensor_name
            self.add_pruning_method(methods[0])
        else:
            for method in methods[0] if len(methods) == 1 and isinstance(methods[0], Iterable) else methods:
                self.add_pruning_method(method)

    def add_pruning_method(self, method: Any) -> None:
        """Append ``method``, which must prune the same tensor."""
        if method is not None and not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(
                "Can only add pruning methods acting on the parameter named "
                f"'{self._tensor_name}' to PruningContainer {self}. Found '{method._tensor_name}'"
            )
        self._pruning_methods += (method,)  # type: ignore[operator]

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Any:
        return iter(self._pruning_methods)

    def __getitem__(self, index: int) -> BasePruningMethod:
        return self._pruning_methods[index]

    def _mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        """The last method's mask on the part of ``t`` the current mask keeps: its kept entries (unstructured), its
        slices along the method's ``dim`` with a kept entry (structured), everything (global)."""
        method = self._pruning_methods[-1]
        mask = default_mask.astype(t.dtype, copy=True)
        if method.PRUNING_TYPE == "unstructured":
            where: Any = mask == 1
        elif method.PRUNING_TYPE == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError(
                    "Pruning methods of PRUNING_TYPE 'structured' need to have the attribute `dim` defined."
                )
            axis = method.dim + t.ndim if method.dim < 0 else method.dim
            if axis < 0:
                raise IndexError(f"Index is out of bounds for tensor of size {t.shape}")
            kept = mask.sum(axis=tuple(d for d in range(t.ndim) if d != axis)) != 0
            index: list[Any] = [slice(None)] * t.ndim
            index[axis] = kept
            where = tuple(index)
        elif method.PRUNING_TYPE == "global":
            where = (slice(None),) * t.ndim
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        mask[where] = _masked(method, t[where], mask[where]).astype(mask.dtype, copy=False)
        return mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask stays as it is (all ones the first time)."""

    PRUNING_TYPE = "unstructured"

    def _mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> Any:  # type: ignore[override]
        return super().apply(module, name)


class _UnstructuredByAmount(BasePruningMethod):
    """Prunes ``amount`` entries, the first ones of :meth:`_pruning_order` (flat indices, the first pruned first)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: Any) -> None:
        _check_amount(amount)
        self.amount = amount

    def _pruning_order(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        count = _count_to_prune(self.amount, t.size)
        mask = np.array(default_mask, copy=True)
        if count:
            mask.reshape(-1)[self._pruning_order(t)[:count]] = 0
        return mask


class RandomUnstructured(_UnstructuredByAmount):
    """Prunes ``amount`` entries drawn at random."""

    def _pruning_order(self, t: np.ndarray) -> np.ndarray:
        return np.argsort(generator_for().random(t.size), kind="stable")[::-1]

    @classmethod
    def apply(cls, module: Module, name: str, amount: Any) -> Any:  # type: ignore[override]
        return super().apply(module, name, amount=amount)


class L1Unstructured(_UnstructuredByAmount):
    """Prunes the ``amount`` entries of least magnitude."""

    def _pruning_order(self, t: np.ndarray) -> np.ndarray:
        return np.argsort(np.abs(t).reshape(-1), kind="stable")

    @classmethod
    def apply(cls, module: Module, name: str, amount: Any, importance_scores: Any = None) -> Any:  # type: ignore[override]
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` slices along ``dim`` (channels, for ``dim=0`` of a convolution's weight) drawn at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: Any, dim: int = -1) -> None:
        _check_amount(amount)
        self.amount = amount
        self.dim = dim

    def _mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        axis = _structured_axis(t, self.dim)
        size = t.shape[axis]
        count = _count_to_prune(self.amount, size)
        if count == 0:
            return default_mask
        kept = np.sort(np.argsort(generator_for().random(size), kind="stable")[count:])
        return _slices_mask(t, axis, kept) * default_mask.astype(t.dtype, copy=False)

    @classmethod
    def apply(cls, module: Module, name: str, amount: Any, dim: int = -1) -> Any:  # type: ignore[override]
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` slices along ``dim`` of least ``n``-norm (see :func:`_slice_norms` for ``n``)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: Any, n: Any, dim: int = -1) -> None:
        _check_amount(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def _mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        axis = _structured_axis(t, self.dim)
        size = t.shape[axis]
        count = _count_to_prune(self.amount, size)
        norms = _slice_norms(t, self.n, axis)
        if count == 0:
            return default_mask
        kept = np.argsort(-norms, kind="stable")[: size - count]
        return _slices_mask(t, axis, kept) * default_mask.astype(t.dtype, copy=False)

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: Any, n: Any, dim: int, importance_scores: Any = None
    ) -> Any:
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where a given ``mask`` is 0 (combined with the current mask)."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Any) -> None:
        self.mask = _array(mask)

    def _mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        if default_mask.shape != self.mask.shape:
            raise MaskShapeError(
                f"prune: the mask of shape {self.mask.shape} does not fit the tensor's {default_mask.shape}"
            )
        return default_mask * self.mask.astype(default_mask.dtype, copy=False)

    @classmethod
    def apply(cls, module: Module, name: str, mask: Any) -> Any:  # type: ignore[override]
        return super().apply(module, name, mask=mask)


def identity(module: Module, name: str) -> Module:
    """Register pruning of ``module.<name>`` that prunes nothing (a mask of ones). Returns ``module``."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: Any) -> Module:
    """Prune ``amount`` random entries of ``module.<name>``. Returns ``module``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module: Module, name: str, amount: Any, importance_scores: Any = None) -> Module:
    """Prune the ``amount`` entries of ``module.<name>`` of least magnitude (of least ``importance_scores``, an
    array of its shape, if given). Returns ``module``."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: Any, dim: int) -> Module:
    """Prune ``amount`` random slices of ``module.<name>`` along ``dim``. Returns ``module``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module: Module, name: str, amount: Any, n: Any, dim: int, importance_scores: Any = None) -> Module:
    """Prune the ``amount`` slices of ``module.<name>`` along ``dim`` of least ``n``-norm. Returns ``module``."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Any) -> Module:
    """Prune ``module.<name>`` where ``mask`` (of its shape) is 0. Returns ``module``."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters: Any, pruning_method: type, importance_scores: Any = None, **kwargs: Any) -> None:
    """Prune the (module, name) pairs of ``parameters`` together: ``pruning_method(**kwargs)`` (an unstructured
    method, such as :class:`L1Unstructured` with ``amount``) chooses among all their entries at once, seen as one
    vector (``importance_scores`` maps a pair to scores used instead of its values); each tensor then gets its
    part of the mask as :func:`custom_from_mask` would give it."""
    if isinstance(parameters, (str, bytes)) or not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    scores = {} if importance_scores is None else importance_scores
    if not isinstance(scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    values = [_array(scores.get((module, name), getattr(module, name))) for module, name in parameters]
    masks = [
        _array(getattr(module, f"{name}_mask")) if hasattr(module, f"{name}_mask") else np.ones_like(value)
        for (module, name), value in zip(parameters, values)
    ]
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
            f"{pruning_method} of type {method.PRUNING_TYPE}"
        )
    method._tensor_name = "temp"
    container = PruningContainer(method)
    flat = np.concatenate([value.reshape(-1) for value in values])
    final = _masked(container, flat, np.concatenate([mask.reshape(-1) for mask in masks]).astype(flat.dtype))
    start = 0
    for (module, name), value in zip(parameters, values):
        custom_from_mask(module, name, mask=final[start : start + value.size].reshape(value.shape))
        start += value.size


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent (see the module docstring); a ValueError if it is not
    pruned. Returns ``module``."""
    hooks = _pre_hooks(module)
    for key, hook in list(hooks.items()):
        if _prunes(hook, name):
            hook.remove(module)
            del hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or one of its sub-modules has a pruned tensor."""
    return any(
        isinstance(hook, BasePruningMethod)
        for _, submodule in module.named_modules()
        for hook in _pre_hooks(submodule).values()
    )
