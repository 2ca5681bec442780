"""``nn.utils.parametrize``: torch's parametrizations. A module's tensor (a Parameter such as ``weight``) is replaced
by a function of stored tensors: after ``register_parametrization(layer, "weight", P())``, reading ``layer.weight``
computes ``P()(layer.parametrizations.weight.original)``, recorded, so the gradient reaches ``original`` through P.

As torch's: the module's class becomes a subclass named ``Parametrized<Class>`` whose ``weight`` is a property;
``original`` keeps the Parameter object (its data replaced by ``P.right_inverse(weight)`` when P defines one and it
does not raise NotImplementedError), or
``original0``, ``original1``, ... when ``right_inverse`` returns several tensors; several parametrizations of one
tensor run in registration order; assigning ``layer.weight = value`` stores ``right_inverse(value)``;
``remove_parametrizations`` puts a Parameter back (the parametrized value, or ``original``). A buffer can be
parametrized too (its stored tensors are buffers, and it is a buffer again after ``remove_parametrizations``).
A parametrized module is not picklable (torch's RuntimeError: save its ``state_dict``); ``copy.deepcopy`` copies it.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import Node, Tensor, as_tensor, from_numpy, no_grad
from autograd.reentrant import carry

from ..containers import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter, is_lazy

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "transfer_parametrizations_and_params",
    "type_before_parametrizations",
]


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and the tensors they start from: ``original``, or
    ``original0``, ``original1``, ... when the first parametrization's ``right_inverse`` returns a sequence."""

    def __init__(self, modules: list[Module], original: Parameter | Tensor | np.ndarray, unsafe: bool = False) -> None:
        """``original`` is the Parameter, or the buffer (a Tensor or an array), being parametrized; a buffer's stored
        tensors are buffers of this list, as torch's."""
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = original.shape, original.dtype  # what the parametrized tensor must keep (before right_inverse)
        is_buffer = not isinstance(original, Parameter)
        with no_grad():
            stored: Any = _as_node(original)
            unchanged = stored
            for module in reversed(list(self)):
                inverse = getattr(module, "right_inverse", None)
                if inverse is not None:
                    with contextlib.suppress(NotImplementedError):  # torch's reading: right_inverse is the identity
                        stored = inverse(stored)
        self.is_tensor = _is_tensor_like(stored)
        if not self.is_tensor:
            _check_stored_parts(stored, "register_parametrization")
        if self.is_tensor:
            stored = as_tensor(stored)
            if stored.dtype != dtype:  # torch refuses it even with unsafe: the stored tensor keeps the dtype
                raise ValueError(
                    "register_parametrization: when right_inverse returns one tensor it may not change the dtype "
                    f"({dtype} to {stored.dtype})"
                )
            if is_buffer:
                self.register_buffer("original", original if stored is unchanged else stored._data.astype(dtype))
            else:
                if stored is not original:  # the Parameter object stays; it holds the right inverse's values
                    original._data = stored._data.astype(original.dtype, copy=True)
                self.original = original
            self.ntensors = 1
        else:
            for index, part in enumerate(stored):
                data = as_tensor(part)._data.copy()
                if is_buffer:
                    self.register_buffer(f"original{index}", data)
                else:
                    parameter = Parameter(data)
                    parameter.requires_grad = original.requires_grad
                    setattr(self, f"original{index}", parameter)
            self.ntensors = len(stored)
        if not unsafe:
            self._check_value(self(), shape, dtype, "register_parametrization")

    def _stored(self) -> list[Parameter | Tensor | np.ndarray]:
        """The stored tensors as this list holds them (Parameters, or a buffer's Tensors or arrays)."""
        return [self.original] if self.is_tensor else [getattr(self, f"original{i}") for i in range(self.ntensors)]

    def _originals(self) -> list[Tensor]:
        return [_as_node(stored) for stored in self._stored()]

    def forward(self) -> Tensor:
        """The parametrized tensor: the first parametrization of the stored tensors, then each next one."""
        modules = list(self)
        value = modules[0](*self._originals())
        for module in modules[1:]:
            value = module(value)
        return value

    def right_inverse(self, value: Any) -> None:
        """Store ``value`` as the parametrized tensor (``layer.weight = value``): the stored tensors become the
        right inverses of ``value`` through the parametrizations, in reverse order, in place; as torch's ``set_``, a
        stored tensor takes another shape if the right inverse gives one, but another dtype (or something that is no
        tensor, or another count of tensors) is a ValueError."""
        with no_grad():
            for module in reversed(list(self)):
                inverse = getattr(module, "right_inverse", None)
                if inverse is None:
                    raise RuntimeError(
                        f"parametrize: {type(module).__name__} has no right_inverse, so the tensor cannot be assigned"
                    )
                value = inverse(value)
            if self.is_tensor:
                if not _is_tensor_like(value):
                    raise ValueError(
                        f"parametrize: right_inverse must return a tensor here, got {type(value).__name__}"
                    )
                parts = [value]
            else:
                parts = _check_stored_parts(value, "parametrize", self.ntensors)
            names = ["original"] if self.is_tensor else [f"original{i}" for i in range(self.ntensors)]
            for name, original, part in zip(names, self._stored(), parts):
                part = as_tensor(part)
                if part.dtype != original.dtype:
                    raise ValueError(
                        f"parametrize: right_inverse returned a tensor of dtype {part.dtype} for {name!r}, which "
                        f"holds {original.dtype}"
                    )
                if part.shape != original.shape:  # torch's set_: the stored tensor takes the new shape
                    data = part._data.copy()
                    if isinstance(original, Node):
                        original.data = data
                    else:
                        setattr(self, name, data)
                elif isinstance(original, Node):
                    original.copy_(part)
                else:  # a buffer's array, written in place as copy_ would
                    original[...] = part._data

    @staticmethod
    def _check_value(value: Any, shape: tuple[int, ...], dtype: Any, where: str) -> None:
        """A parametrized ``value`` must be a Tensor of the unparametrized tensor's ``shape`` and ``dtype``."""
        if not isinstance(value, Tensor):
            raise ValueError(f"{where}: a parametrization must return a tensor, got {type(value).__name__}")
        if value.shape != shape or value.dtype != dtype:
            raise ValueError(
                f"{where}: the parametrization changes the tensor's shape or dtype ({shape}, {dtype}"
                f" to {value.shape}, {value.dtype}); pass unsafe=True to allow it"
            )


def _is_tensor_like(value: Any) -> bool:
    """Whether a right inverse returned one tensor (a Tensor or an array) rather than a sequence of them."""
    return isinstance(value, (Node, np.ndarray))


def _check_stored_parts(value: Any, where: str, count: int | None = None) -> list[Any]:
    """A right inverse's sequence of tensors, checked as torch's: a tuple or list (of ``count`` entries when the
    stored tensors exist already) holding only tensors; anything else is a ValueError."""
    if not isinstance(value, (tuple, list)):
        raise ValueError(
            f"{where}: right_inverse must return a Tensor or a sequence of tensors (list, tuple), got "
            f"{type(value).__name__}"
        )
    if count is not None and len(value) != count:
        raise ValueError(f"{where}: right_inverse returned {len(value)} tensors where {count} are stored")
    for index, part in enumerate(value):
        if not _is_tensor_like(part):
            raise ValueError(
                f"{where}: right_inverse returned a {type(part).__name__} at position {index}, not a tensor"
            )
    return list(value)


def _as_node(stored: Any) -> Any:
    """A stored tensor as the parametrizations see it: a buffer's array as a Tensor sharing its memory."""
    return from_numpy(stored) if isinstance(stored, np.ndarray) else stored


class _Caches(threading.local):
    """The open caches of parametrized tensors, per thread: :func:`cached`'s, and one per module forward running. A
    backward pass nested deep enough to move to a fresh thread (autograd.reentrant) shares its caller's."""

    def __init__(self) -> None:
        self.everywhere: dict[tuple[int, str], Tensor] | None = None  # inside ``with cached():``
        self.forwards: dict[int, dict[str, Tensor]] = {}  # id(module) -> its tensors, while its forward runs


_caches = carry(_Caches())


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Inside ``with cached():`` each parametrized tensor is computed once, at its first read, and that tensor (one
    node of the graph) is read again after (torch's ``parametrize.cached``). Nested blocks share the outer cache."""
    if _caches.everywhere is not None:
        yield
        return
    _caches.everywhere = {}
    try:
        yield
    finally:
        _caches.everywhere = None


def _forward_reading_once(forward: Any) -> Any:
    """``forward`` of a parametrized module, computing each parametrized tensor once however often the forward reads
    it (a convolution reads its weight for the dtype check, then for the product): one power iteration of a spectral
    norm per forward, as torch's modules, which read the weight once."""

    def parametrized_forward(self: Module, *args: Any, **kwargs: Any) -> Any:
        key = id(self)
        if key in _caches.forwards:  # (a forward calling itself, or another forward of this module)
            return forward(self, *args, **kwargs)
        _caches.forwards[key] = {}
        try:
            return forward(self, *args, **kwargs)
        finally:
            del _caches.forwards[key]

    parametrized_forward.__name__ = getattr(forward, "__name__", "forward")
    parametrized_forward.__doc__ = getattr(forward, "__doc__", None)
    return parametrized_forward


def _parametrized_class(module: Module) -> type:
    """The ``Parametrized<Class>`` subclass the module takes, made once per module (its properties are its own)."""
    cls = type(module)
    if getattr(cls, "_is_parametrized_class", False):
        return cls
    namespace = {
        "_is_parametrized_class": True,
        "_original_class": cls,
        "forward": _forward_reading_once(cls.forward),
        "__getstate__": _refuse_pickling,
    }
    if cls.__deepcopy__ is Module.__deepcopy__:  # which reads the state through __getstate__
        namespace["__deepcopy__"] = _deepcopy_parametrized
    return type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _refuse_pickling(self: Module) -> Any:
    """A parametrized module's ``__getstate__``: refused, as torch's (its class is made per module, so it could not
    be found again when loading)."""
    raise RuntimeError(
        "Serialization of parametrized modules is only supported through state_dict(). See:\n"
        "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
        "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training"
    )


def _deepcopy_parametrized(self: Module, memo: dict[int, Any]) -> Module:
    """``copy.deepcopy`` of a parametrized module (whose ``__getstate__`` refuses): a new object of its class with
    a deep copy of its attributes, entered in ``memo`` first, as torch's."""
    twin = memo.get(id(self))
    if twin is None:
        twin = self.__new__(type(self))
        memo[id(self)] = twin
        twin.__dict__.update(copy.deepcopy(self.__dict__, memo))
    return twin


def _property_for(name: str) -> property:
    def read(self: Module) -> Tensor:
        everywhere = _caches.everywhere
        if everywhere is not None:
            key = (id(self), name)
            if key not in everywhere:
                everywhere[key] = self.parametrizations[name]()
            return everywhere[key]
        in_forward = _caches.forwards.get(id(self))
        if in_forward is not None:
            if name not in in_forward:
                in_forward[name] = self.parametrizations[name]()
            return in_forward[name]
        return self.parametrizations[name]()

    def write(self: Module, value: Any) -> None:
        self.parametrizations[name].right_inverse(value)

    return property(read, write, doc=f"The parametrized {name!r} (see nn.utils.parametrize).")


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization`` (a Module; see the module docstring), or add
    ``parametrization`` after those the tensor already has. As torch's, ``parametrization`` takes ``module``'s
    training mode first (so registering on a module in eval mode runs no training-mode step, such as spectral norm's
    power iteration, in the checks). Returns ``module``."""
    if not isinstance(parametrization, Module):
        raise TypeError(f"register_parametrization: the parametrization must be a Module, got {type(parametrization)}")
    parametrization.train(module.training)  # as torch's: before the first call, so an eval module runs it in eval
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            current = getattr(module, tensor_name)
            value = parametrization(current)
            ParametrizationList._check_value(value, current.shape, current.dtype, "register_parametrization")
            _check_right_inverse(parametrization, value, current)
        plist.append(parametrization)
        return module
    original = module.__dict__.get(tensor_name)
    if not (isinstance(original, Parameter) or (original is not None and tensor_name in module._buffer_names())):
        raise ValueError(
            f"register_parametrization: {type(module).__name__} has no Parameter {tensor_name!r} (nor a buffer of "
            "that name) to parametrize"
        )
    if is_lazy(original):  # torch's RuntimeError: its shape is not known before the layer's first forward
        raise RuntimeError(
            f"register_parametrization: {type(module).__name__}.{tensor_name} is an uninitialized parameter (a lazy "
            "layer's placeholder) whose shape is not known yet: call forward once to initialize it first"
        )
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)  # (a buffer stops being one)
    if "parametrizations" not in module.__dict__:
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = plist
    cls = _parametrized_class(module)
    setattr(cls, tensor_name, _property_for(tensor_name))
    module.__class__ = cls
    return module


def _check_right_inverse(parametrization: Module, value: Tensor, current: Tensor) -> None:
    """A parametrization added after others must map its output ``value`` back to one tensor of the ``current``
    parametrized tensor's shape and dtype, as torch checks (without ``unsafe``); one that raises NotImplementedError,
    or has no ``right_inverse``, is not checked."""
    inverse = getattr(parametrization, "right_inverse", None)
    if inverse is None:
        return
    with no_grad():
        try:
            back = inverse(value)
        except NotImplementedError:
            return
    if not _is_tensor_like(back):
        raise ValueError(
            f"register_parametrization: right_inverse must return a tensor here, got {type(back).__name__}"
        )
    back = as_tensor(back)
    if back.shape != current.shape or back.dtype != current.dtype:
        raise ValueError(
            "register_parametrization: the new parametrization's right_inverse must keep the tensor's shape and "
            f"dtype ({current.shape}, {current.dtype} to {back.shape}, {back.dtype}); pass unsafe=True to allow it"
        )


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has parametrizations (of ``tensor_name`` if given)."""
    parametrizations = module.__dict__.get("parametrizations")
    if not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Undo the parametrizations of ``module.<tensor_name>``: it becomes a Parameter again holding its current
    parametrized value (``leave_parametrized``; the ``original`` Parameter object itself when there is one) or the
    stored ``original``. Returns ``module``."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"remove_parametrizations: {type(module).__name__} has no parametrization of {tensor_name!r}")
    plist = module.parametrizations[tensor_name]
    first = plist._stored()[0]
    if leave_parametrized:
        with no_grad():
            value = plist()
        if plist.is_tensor and value.dtype != first.dtype:  # torch's set_ refuses it; nothing has changed yet
            raise RuntimeError(
                f"remove_parametrizations: the parametrized {tensor_name!r} is {value.dtype} but its stored tensor "
                f"is {first.dtype}; leave_parametrized=True cannot put a {value.dtype} value in it (torch's set_ "
                "refuses it too); remove with leave_parametrized=False, or parametrize without changing the dtype"
            )
        if plist.is_tensor and isinstance(first, Parameter):
            parameter = first
            parameter._data = value._data.copy()
        elif plist.is_tensor:
            parameter = value._data.copy()
        elif isinstance(first, Parameter):
            parameter = Parameter(value._data.copy())
            parameter.requires_grad = first.requires_grad
        else:
            parameter = value._data.copy()
    elif plist.is_tensor:
        parameter = first
    else:
        raise ValueError(
            "remove_parametrizations: leave_parametrized=False needs a single stored tensor, but the parametrization "
            f"of {tensor_name!r} stores {plist.ntensors}"
        )
    del module.parametrizations[tensor_name]
    delattr(type(module), tensor_name)
    if not len(module.parametrizations):
        del module.parametrizations
        module.__class__ = type(module)._original_class
    if isinstance(parameter, Parameter):
        module.register_parameter(tensor_name, parameter)
    else:  # a parametrized buffer stays a buffer, as torch's
        module.register_buffer(tensor_name, parameter)
    return module


def transfer_parametrizations_and_params(
    from_module: Module, to_module: Module, tensor_name: str | None = None
) -> Module:
    """Give ``to_module`` the parametrizations of ``from_module`` (of ``tensor_name`` only, if given) and their
    stored tensors, as torch's: the same parametrization modules are registered on ``to_module`` (after any it has),
    a tensor ``to_module`` lacks is first made a Parameter of ``from_module``'s parametrized value, and then the
    stored ``original`` (or ``original0``, ``original1``, ...) objects of ``from_module`` become ``to_module``'s,
    shared, so training either trains both. Returns ``to_module``."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        source = from_module.parametrizations[name]
        if not hasattr(to_module, name):
            with no_grad():
                setattr(to_module, name, Parameter(getattr(from_module, name).detach()))
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        stored = ["original"] if source.is_tensor else [f"original{i}" for i in range(source.ntensors)]
        for attribute in stored:
            setattr(target, attribute, getattr(source, attribute))
    return to_module


def type_before_parametrizations(module: Module) -> type:
    """The module's class before any parametrization was registered."""
    return getattr(type(module), "_original_class", type(module))
