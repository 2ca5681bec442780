"""``Module``: the base class of every layer and model.

Parameters and sub-modules are discovered from attributes (also inside lists
and tuples, nested ones too), in the order they were assigned, so ``parameters()`` needs no
registration calls. A parameter is an ``nn.Parameter`` or a leaf ``Value`` that
requires a gradient. Buffers (``register_buffer``) are non-learnable arrays such as
running statistics; an array buffer is held as a ``DataArray`` viewing it, so torch's tensor methods run on it
(``bn.running_mean.clone()``, ``.zero_()``).

``state_dict()`` copies parameters and buffers into ndarrays (torch's order); ``load_state_dict``
validates the whole dict first and either changes everything or nothing.
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from itertools import repeat
from typing import Any, NamedTuple, Self

import numpy as np

from autograd import Node, Tensor, Value, as_tensor, get_default_dtype, increment_version, no_grad
from autograd.compiling import compile as compile_model
from autograd.devices import DeviceUnavailableError
from autograd.gradient_array import DataArray, GradientArray, plain, stored_gradient
from autograd.node_sequences import refuse_nodes_in_sequence
from autograd.quiet import quiet, quietly
from autograd.torch_names import check_factory_options, is_device

from .buffer import Buffer
from .module_class_call import class_called_on_input
from .module_global_hooks import GLOBAL_CALL_HOOKS, GLOBAL_REGISTRATION_HOOKS
from .module_hooks import HOOKED, HookHandle, add_global_hook, add_hook, call_with_hooks, registered
from .module_repr import Lines, block, entry, lines_of, text_of
from .module_views import BufferView, ModuleView, ParameterView, set_member
from .parameter import Parameter, check_device


class StateDictError(ValueError, RuntimeError):
    """``load_state_dict`` found missing, unexpected, mis-shaped or non-castable entries (all listed, in torch's text:
    ``Error(s) in loading state_dict for Linear:`` then ``Missing key(s) in state_dict: "bias".``, ``size mismatch for
    weight: ...``): a ValueError, as the library has raised it, and the RuntimeError torch raises for the same
    failures."""


class DtypeMismatchError(TypeError, RuntimeError):
    """A layer's input whose dtype is not its parameters': a TypeError (the house rule for dtypes) that is also the
    RuntimeError torch raises, so code written for either catches it."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` ignored (like torch's return value)."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        """torch's text: ``<All keys matched successfully>`` when nothing is missing or unexpected, else named as
        torch's class (``_IncompatibleKeys(missing_keys=[...], unexpected_keys=[...])``)."""
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, unexpected_keys={self.unexpected_keys!r})"


#: The key of a module's extra state in ``state_dict`` (after its prefix), and the marker of that entry.
EXTRA_STATE_KEY = "_extra_state"
EXTRA_STATE = object()


def _is_parameter(obj: Any) -> bool:
    """Parameters are ``nn.Parameter`` tensors and leaf ``Value``s that require grad, or that were a module's
    parameters when frozen (:func:`mark_value_parameters`)."""
    return isinstance(obj, Parameter) or (
        isinstance(obj, Value) and obj.is_leaf and (obj.requires_grad or getattr(obj, _VALUE_PARAMETER, False))
    )


#: Attribute types that never hold a module or a parameter (``parameters()`` passes over them).
_PLAIN_ATTRIBUTES = frozenset({int, float, bool, str, type(None)})

#: The attribute that marks a leaf Value as a module's parameter even while it does not require grad (frozen).
_VALUE_PARAMETER = "_module_parameter"


def mark_value_parameters(values: Any) -> None:
    """Mark leaf ``Value``s as parameters, so freezing them (``requires_grad = False``) keeps them among a module's
    parameters and in its state dict, as torch keeps frozen parameters (a Value that never required grad, a
    constant, is not one). ``nn.Neuron`` marks its weights and bias; ``Module.requires_grad_`` marks the Values it
    changes."""
    for value in values:
        if isinstance(value, Value):
            setattr(value, _VALUE_PARAMETER, True)


#: What a buffer's attribute may hold besides None (see ``Module.register_buffer``).
_BUFFERS = (np.ndarray, Tensor)


def buffer_array(value: Any) -> Any:
    """What a buffer's attribute holds for ``value``: an ndarray as a :class:`~autograd.gradient_array.DataArray`
    viewing its memory, so the buffer has torch's tensor methods (``bn.running_mean.clone()``, ``.zero_()``,
    ``.copy_(t)``, ``.size()``) while numpy reads it as the array it is; in-place calls and writes change the buffer
    and whoever shares its memory. A Tensor, None, a DataArray made here and other ndarray subclasses stay as they
    are (a Tensor's ``.data`` is stored as the array it views)."""
    if type(value) is DataArray and value._source is None:
        return value
    if type(value) is np.ndarray or isinstance(value, GradientArray):
        return plain(value).view(DataArray)
    return value


class MemberList(list):
    """What ``parameters()`` and ``buffers()`` return: a list (as micrograd's ``parameters()``: index it, take its
    ``len``, iterate it again and again) that is also an iterator, as torch's generator is, so torch's idiom
    ``next(model.parameters())`` gives the first member (and a second ``next`` the second one). ``iter()`` of it
    always starts at the first member."""

    __slots__ = ("_next_position",)

    def __next__(self) -> Any:
        position = getattr(self, "_next_position", 0)
        if position >= len(self):
            raise StopIteration
        self._next_position = position + 1
        return self[position]


class _MadeOnFirstRead:
    """One of the per-module tables torch makes in every ``Module.__init__`` (``_forward_hooks``, ...): here made
    (empty) on the first read, so a module that never gets hooks carries none, and torch code that reads or clears
    one (``len(m._forward_hooks)``) works. Hooks are registered through the ``register_*`` methods."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return instance.__dict__.setdefault(self.name, self.factory())


class Module:
    """Base class: subclasses define ``forward``; call the module to run it."""

    training: bool = True
    #: Buffer names a state dict may leave out (kept as they are), as torch's old-checkpoint rules allow.
    optional_state: tuple[str, ...] = ()
    #: torch's version of a module class's state dict layout (the ``version`` of its state dict metadata).
    _version: int = 1
    _forward_pre_hooks = _MadeOnFirstRead(OrderedDict)
    _forward_hooks = _MadeOnFirstRead(OrderedDict)
    _backward_pre_hooks = _MadeOnFirstRead(OrderedDict)
    _backward_hooks = _MadeOnFirstRead(OrderedDict)
    #: torch's: False once ``register_backward_hook`` (the deprecated non-full hook) was used, True once
    #: ``register_full_backward_hook`` was; a module takes one kind only.
    _is_full_backward_hook: bool | None = None
    _state_dict_pre_hooks = _MadeOnFirstRead(OrderedDict)
    _state_dict_hooks = _MadeOnFirstRead(OrderedDict)
    _load_state_dict_pre_hooks = _MadeOnFirstRead(OrderedDict)
    _load_state_dict_post_hooks = _MadeOnFirstRead(OrderedDict)
    #: The ids of the forward (pre-)hooks registered with ``with_kwargs=True`` / ``always_call=True`` (sets here).
    _forward_pre_hooks_with_kwargs = _MadeOnFirstRead(set)
    _forward_hooks_with_kwargs = _MadeOnFirstRead(set)
    _forward_hooks_always_called = _MadeOnFirstRead(set)

    @property
    def _non_persistent_buffers_set(self) -> set[str]:
        """torch's set of the names of the buffers registered with ``persistent=False`` (live)."""
        return self.__dict__.setdefault("_non_persistent_buffers", set())

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """A new module; ``nn.ReLU(x)``, the class called on its input, is a TypeError saying so (see
        :mod:`nn.module_class_call`), as is any argument given to a module class without a constructor."""
        if args and isinstance(args[0], (Node, np.ndarray)):
            error = class_called_on_input(cls, args)
            if error is not None:
                raise error
        if (args or kwargs) and cls.__init__ is object.__init__:  # object's own error, which __new__ turns off
            raise TypeError(f"{cls.__name__}() takes no arguments")
        return super().__new__(cls)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __dir__(self) -> list[str]:
        """The usual attributes and the names of the members (``seq.fc`` of a Sequential of named layers, a
        container's keys) that are identifiers, as torch's (numbered entries are left out)."""
        names = set(super().__dir__())
        names.update(name for name, _ in self._direct_members() if name.isidentifier())
        return sorted(names)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if HOOKED in self.__dict__ or GLOBAL_CALL_HOOKS:  # a hook table of its own, or a global hook
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute. As torch, an attribute holding an ``nn.Parameter`` takes only a Parameter or None:
        a plain Tensor would silently stop being a parameter (and drop out of ``parameters()``); a buffer's name
        takes an array, a Tensor or None (or a Parameter or Module, which replaces the buffer); a sub-module's
        name takes a Module or None (or a Parameter, or a list or tuple, which may hold modules here), and a
        sub-module's name set to None stays one, as in torch's ``_modules`` (a later non-Module is refused).

        As torch's, the assignment runs the global registration hooks (``register_module_*_registration_hook``)
        of what it registers: the parameter hooks for an ``nn.Parameter``, the module hooks for a Module (and for
        None over a sub-module), the buffer hooks for an array, a Tensor or None over a buffer (not None over a
        parameter); a hook's result other than None is stored instead."""
        if value is not None and isinstance(self.__dict__.get(name), Parameter) and not isinstance(value, Parameter):
            raise TypeError(
                f"{type(self).__name__}: cannot assign a {type(value).__name__} as parameter {name!r} "
                f"(nn.Parameter or None expected; wrap it as nn.Parameter(...), or copy new values in with "
                f"{name}.copy_(...) under no_grad())"
            )
        if isinstance(value, Buffer):  # torch's nn.Buffer: assigning one registers it, with its persistence
            if value.persistent:  # no persistent argument, as torch, for a subclass's register_buffer without it
                self.register_buffer(name, value)
            else:
                self.register_buffer(name, value, persistent=False)
            return
        if value is None:
            current = self.__dict__.get(name)
            if isinstance(current, Module):  # the name stays a sub-module's, as in torch's _modules
                self.__dict__.setdefault("_empty_module_names", set()).add(name)
            elif isinstance(current, Parameter):  # and a parameter's, as in torch's _parameters
                self.__dict__.setdefault("_empty_parameter_names", set()).add(name)
        elif not isinstance(value, (Module, Parameter, list, tuple)):
            current = self.__dict__.get(name)
            if isinstance(current, Module) or (
                current is None and name in self.__dict__.get("_empty_module_names", ())
            ):
                raise child_module_error(self, name, value)
            if current is None and name in self.__dict__.get("_empty_parameter_names", ()):
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} as parameter {name!r} "
                    "(nn.Parameter or None expected)"
                )
        if GLOBAL_REGISTRATION_HOOKS:  # one falsy set while there is no registration hook: no hook work then
            value = self._after_registration_hooks(name, value)
        if isinstance(value, (Parameter, Module)):  # _store_member's steps, inline on this hot path
            self.__dict__.get("_buffer_keys", {}).pop(name, None)
            self.__dict__.get("_non_persistent_buffers", set()).discard(name)
            self.__dict__.get("_empty_module_names", set()).discard(name)
            self.__dict__.get("_empty_parameter_names", set()).discard(name)
            old = self.__dict__.get(name)
            if old is not None and (isinstance(old, Parameter), isinstance(old, Module)) != (
                isinstance(value, Parameter),
                isinstance(value, Module),
            ):  # a member of another kind (a buffer, a sub-module, a plain attribute): the new one comes last among
                del self.__dict__[name]  # its kind, as in torch's dict of that kind, not in the old one's place
        elif value is not None and name in self.__dict__.get("_buffer_keys", ()):
            if not isinstance(value, _BUFFERS):
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} as buffer {name!r} "
                    "(an ndarray, a Tensor or None expected)"
                )
            value = buffer_array(value)
        object.__setattr__(self, name, value)

    def _after_registration_hooks(self, name: str, value: Any) -> Any:
        """``value`` after the global registration hooks that assigning it to ``name`` runs (see ``__setattr__``,
        whose checks have passed): none for an assignment that registers nothing."""
        if isinstance(value, Parameter):
            return registered("parameter", self, name, value)
        if isinstance(value, Module) or (
            value is None
            and (isinstance(self.__dict__.get(name), Module) or name in self.__dict__.get("_empty_module_names", ()))
        ):
            return registered("module", self, name, value)
        if name in self.__dict__.get("_buffer_keys", ()) and (value is None or isinstance(value, _BUFFERS)):
            return registered("buffer", self, name, value)
        return value

    def _store_member(self, name: str, value: Parameter | Value | Module | None) -> None:
        """The storing part of ``__setattr__`` for a parameter, a sub-module or None, its checks passed and its
        registration hooks run: what ``register_parameter`` and ``add_module`` call after running theirs, so no
        hook runs twice. As torch, a parameter or sub-module replaces a buffer of that name."""
        if isinstance(value, (Parameter, Module)):
            self.__dict__.get("_buffer_keys", {}).pop(name, None)
            self.__dict__.get("_non_persistent_buffers", set()).discard(name)
            self.__dict__.get("_empty_module_names", set()).discard(name)
            self.__dict__.get("_empty_parameter_names", set()).discard(name)
        elif value is None and isinstance(self.__dict__.get(name), Module):
            self.__dict__.setdefault("_empty_module_names", set()).add(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """Delete an attribute; a buffer stops being one (``del bn.running_mean``), as a parameter or a
        sub-module does by losing its attribute."""
        object.__delattr__(self, name)
        self.__dict__.get("_buffer_keys", {}).pop(name, None)
        self.__dict__.get("_non_persistent_buffers", set()).discard(name)
        self.__dict__.get("_empty_module_names", set()).discard(name)
        self.__dict__.get("_empty_parameter_names", set()).discard(name)

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> HookHandle:
        """Call ``hook(module, args)`` before each forward, as torch; a result other than None replaces the
        inputs (``with_kwargs``: ``hook(module, args, kwargs)`` returning (args, kwargs)). ``prepend`` runs it
        before the hooks already registered. The handle's ``remove()`` unregisters it."""
        return add_hook(self, "_forward_pre_hooks", hook, prepend, with_kwargs)

    def register_forward_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False, always_call: bool = False
    ) -> HookHandle:
        """Call ``hook(module, args, output)`` after each forward, as torch; a result other than None replaces
        the output (``with_kwargs``: ``hook(module, args, kwargs, output)``). ``prepend`` runs it before the
        hooks already registered; ``always_call`` runs it also when the call raises (with output None if the
        forward itself did), before the error propagates. The handle's ``remove()`` unregisters it."""
        return add_hook(self, "_forward_hooks", hook, prepend, with_kwargs, always_call)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> HookHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are known, as torch: a
        tuple with one entry per output of ``forward`` (None for an output that is not a Tensor or got no
        gradient); a result other than None replaces them (the same number) before they flow into the module.
        Runs for a ``forward`` taking Tensors and returning a Tensor or a tuple (see :mod:`nn.module_backward_hooks`).
        The handle's ``remove()`` unregisters it."""
        return add_hook(self, "_backward_pre_hooks", hook, prepend, False)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> HookHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the module's positional inputs
        are known, as torch: ``grad_input`` has one entry per positional argument of ``forward`` (None for one
        that is not a Tensor; zeros of its shape for a Tensor that got no gradient, as torch's, when another input
        requires grad), ``grad_output`` as in
        :meth:`register_full_backward_pre_hook`; a result other than None replaces ``grad_input`` (the same
        number). When no input requires grad the hook runs with ``grad_input`` all None as soon as the
        outputs' gradients are known, and may only return None. The handle's ``remove()`` unregisters it. A
        module that has had a :meth:`register_backward_hook` hook takes none (torch's RuntimeError)."""
        _backward_hook_kind(self, full=True)
        return add_hook(self, "_backward_hooks", hook, prepend, False)

    def register_backward_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """torch's deprecated non-full backward hook, which older tutorials use: it runs as
        :meth:`register_full_backward_hook` (``grad_input`` holds one entry per positional argument of ``forward``),
        with a warning. torch's own non-full hook sees the inputs of the module's last recorded op instead (for a
        Linear: bias, input and weight), which the full hook, torch's recommendation, replaces. Nor does it warn, as the
        full hook does, when it fires with no input requiring grad. A module that has had a full hook takes none
        (torch's RuntimeError)."""
        _backward_hook_kind(self, full=False)
        warnings.warn(
            f"{type(self).__name__}.register_backward_hook is deprecated (as in torch); it runs as "
            "register_full_backward_hook, whose grad_input has one entry per positional argument of forward",
            FutureWarning,
            stacklevel=2,
        )
        return add_hook(self, "_backward_hooks", hook, False, False)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call ``hook(module, incompatible_keys)`` at the end of each ``load_state_dict`` of this module or of a
        model holding it, as torch: ``incompatible_keys`` holds the whole load's ``missing_keys`` and
        ``unexpected_keys`` (full names), lists the hook may change in place (clearing one lets a ``strict`` load
        pass; ``strict`` is checked after the hooks). A sub-module's hooks run before its parent's. The hook must
        return None (torch's AssertionError otherwise). When a hook raises, or the strict check fails after them,
        the module is left as it was before the load. The handle's ``remove()`` unregisters it."""
        return _add_state_hook(self, _LOAD_POST_HOOKS, hook, "register_load_state_dict_post_hook")

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call ``hook(module, prefix, keep_vars)`` at the start of each ``state_dict`` of this module or of a model
        holding it, before the module's own entries are written, as torch's (a module's before its sub-modules';
        ``prefix`` starts the module's keys, ``"0."`` for a Sequential's first). The handle's ``remove()``
        unregisters it."""
        return _add_state_hook(self, _STATE_PRE_HOOKS, hook, "register_state_dict_pre_hook")

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` in each ``state_dict`` of this module or of a
        model holding it, once the module's entries and its sub-modules' are written, as torch's (a sub-module's
        hooks before its parent's): it may change ``state_dict`` in place (add, remove or replace entries) and
        must return None (torch's RuntimeError otherwise). ``local_metadata`` is ``{"version": 1}``, the module's
        ``_version``. The handle's ``remove()`` unregisters it."""
        handle = _add_state_hook(self, _STATE_POST_HOOKS, hook, "register_state_dict_post_hook", public=True)
        try:
            hook._from_public_api = True  # as torch marks it: _register_state_dict_hook refuses it then
        except (AttributeError, TypeError):  # a bound method or a builtin takes no attribute
            pass
        return handle

    def _register_state_dict_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """torch's older, private :meth:`register_state_dict_post_hook`: the same call, but a result other than None
        replaces the state dict, when the hook is the outer module's (the one ``state_dict`` is called on; a
        sub-module's hook's result is ignored, as torch's). A function registered with the public method is
        refused (torch's RuntimeError)."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError(
                "Cannot register the same function as the state dict post hook that was previously registered via "
                "register_state_dict_post_hook"
            )
        return _add_state_hook(self, _STATE_POST_HOOKS, hook, "_register_state_dict_hook", public=False)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` at the start of each ``load_state_dict`` of this module or of a model holding it, as torch's:
        a module's before its sub-modules'. ``state_dict`` is a copy holding the keys that start with ``prefix``
        (the module's, ``"0."`` for a Sequential's first; all keys for the outer module): the hook may rename, add
        or remove entries, which the module and its sub-modules then load (the caller's dict is not changed).
        ``local_metadata`` is the module's entry of a torch state dict's ``_metadata`` ({} without one; with
        ``assign`` it holds ``assign_to_params_buffers``), ``strict`` is True (torch passes True); keys appended to
        ``missing_keys`` / ``unexpected_keys`` are reported as the load's own (a strict load refuses them), and a
        message appended to ``error_msgs`` fails the load. All pre-hooks run before anything is written: when one
        raises or reports an error the module is unchanged. The handle's ``remove()`` unregisters it."""
        return _add_state_hook(self, _LOAD_PRE_HOOKS, hook, "register_load_state_dict_pre_hook")

    def _register_load_state_dict_pre_hook(self, hook: Callable[..., Any], with_module: bool = False) -> HookHandle:
        """torch's private form of :meth:`register_load_state_dict_pre_hook`: ``hook`` takes the same arguments but
        the module, unless ``with_module``."""
        if not callable(hook):
            raise TypeError(f"_register_load_state_dict_pre_hook: the hook must be callable, got {type(hook).__name__}")
        if with_module:
            return self.register_load_state_dict_pre_hook(hook)

        def without_module(module: Module, *arguments: Any) -> Any:
            return hook(*arguments)

        return self.register_load_state_dict_pre_hook(functools.wraps(hook)(without_module))

    def _load_from_state_dict(
        self,
        state_dict: MutableMapping[str, Any],
        prefix: str,
        local_metadata: Mapping[str, Any],
        strict: bool,
        missing_keys: list[Any],
        unexpected_keys: list[Any],
        error_msgs: list[str],
    ) -> None:
        """This module's step of a ``load_state_dict``, in torch's signature: its load pre-hooks run here, on
        ``state_dict`` (the keys under ``prefix``, a copy). A subclass may override it to rename or take entries
        (``state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")``) before ``super()._load_from_state_dict``,
        as torch's; the values themselves are written once every module's step has run, all or nothing (see
        :meth:`load_state_dict`), so an override does not copy them itself."""
        for hook in list(self.__dict__.get(_LOAD_PRE_HOOKS, {}).values()):
            hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)

    # -- copying -------------------------------------------------------------
    def __setstate__(self, state: Any) -> None:
        """Take back the attributes ``pickle`` (or ``copy``) saved, as torch's ``Module.__setstate__``, which a
        subclass's own ``__setstate__`` calls as ``super().__setstate__(state)`` before filling in what older pickles
        lack. ``state`` is the module's ``__dict__`` (with its slots' values as a second dict, for a class with
        ``__slots__``)."""
        attributes, slots = state if isinstance(state, tuple) and len(state) == 2 else (state, None)
        if attributes:
            self.__dict__.update(attributes)
        for name, value in (slots or {}).items():
            object.__setattr__(self, name, value)

    def __deepcopy__(self, memo: dict[int, Any]) -> Module:
        """A deep copy of this module and its sub-modules, with no recursion over the nesting (any depth works at
        Python's default recursion limit): the sub-modules are copied children first, each as ``copy.deepcopy``
        copies an object without ``__deepcopy__`` (its ``__reduce_ex__``, its state through ``memo``), so a
        module's state meets its sub-modules already copied in ``memo``. Shared sub-modules stay shared."""
        for module in reversed(list(self.modules())):  # modules() lists a module before its descendants
            if id(module) in memo:  # copied already: a module's state held an ancestor of it
                continue
            if type(module).__deepcopy__ is Module.__deepcopy__:
                _copy_module_state(module, memo)
            else:  # a class's own deep copy
                copy.deepcopy(module, memo)
        return memo[id(self)]

    # -- discovery -----------------------------------------------------------
    #: The attribute whose items a container (Sequential, ModuleList, ModuleDict) exposes by
    #: index or key alone (``0.weight`` rather than ``_layers.0.weight``), as torch names them.
    _contents: str | None = None

    def _direct_members(self) -> Iterator[tuple[str, Any]]:
        """(name, object) for attributes, expanding lists/tuples, nested too, as name.index (``weights.2.0`` for
        ``weights[2][0]``; a container's items as index/key)."""
        for name, value in vars(self).items():
            if name == self._contents:
                yield from self._content_items(value)
            elif isinstance(value, (list, tuple)):
                yield from _named_items(name, value)
            else:
                yield name, value

    def _content_items(self, contents: Any) -> Iterator[tuple[str, Any]]:
        """(name, item) for a container's contents: a dict's items by key, a list's by position."""
        return (
            (str(key), item) for key, item in (contents.items() if isinstance(contents, dict) else enumerate(contents))
        )

    def _is_empty_module_name(self, name: str, member: Any) -> bool:
        """Whether the member ``name`` (``member``) is a sub-module's name holding None (a module set to None, a
        module container's entry set to None): torch keeps it in ``_modules``, writes it ``(name): None`` in the
        repr, and lets it take only a Module or None."""
        if member is not None:
            return False
        if name in self.__dict__.get("_empty_module_names", ()):
            return True
        contents = vars(self).get(self._contents) if self._contents is not None else None
        return self._holds_modules and contents is not None and name in dict(self._content_items(contents))

    #: Whether this container's entries are modules (a Sequential's, a ModuleList's, a ModuleDict's).
    _holds_modules = False

    @property
    def _modules(self) -> ModuleView:
        """torch's ``_modules``: a live mapping name -> direct sub-module (see :mod:`nn.module_views`)."""
        return ModuleView(self)

    @property
    def _parameters(self) -> ParameterView:
        """torch's ``_parameters``: a live mapping name -> this module's own parameters."""
        return ParameterView(self)

    @property
    def _buffers(self) -> BufferView:
        """torch's ``_buffers``: a live mapping name -> this module's own buffers (None included)."""
        return BufferView(self)

    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Yield (qualified name, module) for self and all descendants, depth first.

        A module reachable under several names is yielded once (its first name), unless
        ``remove_duplicate`` is False; a module never appears inside itself (cycles are cut). torch's ``memo``, a
        set of modules (first, as in torch's signature), holds modules not to yield, and receives the ones yielded.
        """
        if memo is not None and not isinstance(memo, (set, frozenset)):
            raise TypeError(f"named_modules: memo must be a set of modules, got {type(memo).__name__}")
        stack: list[tuple[str, Module, frozenset[int]]] = [(prefix, self, frozenset())]
        seen: set[int] = set() if memo is None else {id(module) for module in memo}
        while stack:
            name, module, ancestors = stack.pop()
            if id(module) in (seen if remove_duplicate else ancestors):
                continue
            seen.add(id(module))
            if memo is not None and remove_duplicate:
                memo.add(module)
            yield name, module
            inside = ancestors if remove_duplicate else ancestors | {id(module)}
            children = [
                (f"{name}.{child_name}" if name else child_name, child, inside)
                for child_name, child in module._direct_members()
                if isinstance(child, Module)
            ]
            stack.extend(reversed(children))

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield (name, module) for the direct sub-modules, each once."""
        seen: set[int] = set()
        for name, member in self._direct_members():
            if isinstance(member, Module) and id(member) not in seen:
                seen.add(id(member))
                yield name, member

    def children(self) -> Iterator[Module]:
        """Yield the direct sub-modules, each once."""
        for _, module in self.named_children():
            yield module

    def modules(self) -> Iterator[Module]:
        """Yield self and every descendant module."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Node]]:
        """Yield (qualified name, parameter) in definition order: each parameter once (its first name)
        unless ``remove_duplicate`` is False; only this module's own with ``recurse=False``."""
        seen: set[int] = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else iter([(prefix, self)])
        )
        for module_name, module in modules:
            for name, member in module._direct_members():
                if _is_parameter(member) and not (remove_duplicate and id(member) in seen):
                    seen.add(id(member))
                    yield (f"{module_name}.{name}" if module_name else name), member

    def parameters(self, recurse: bool = True) -> MemberList:
        """All parameters, in definition order (layer by layer); only this module's own with ``recurse=False``.
        A list that ``next()`` also reads (:class:`MemberList`: ``next(model.parameters())`` as in torch).

        The order and the objects of ``named_parameters``, found by one loop that builds no
        names (``model.zero_grad()`` calls it every step).
        """
        if not recurse:
            return MemberList(parameter for _, parameter in self.named_parameters(recurse=False))
        found = MemberList()
        seen: set[int] = set()
        stack: list[Module] = [self]
        while stack:
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            children = []
            contents = module._contents
            for name, value in vars(module).items():
                kind = type(value)
                if kind in _PLAIN_ATTRIBUTES:  # a layer's sizes, flags and names: no member to find
                    continue
                if name == contents and isinstance(value, dict):
                    items: Any = value.values()
                elif isinstance(value, (list, tuple)):
                    items = _items(value) if any(map(isinstance, value, repeat((list, tuple)))) else value
                else:
                    items = (value,)
                for member in items:
                    kind = type(member)
                    # (the usual members; a Value's is_leaf and requires_grad read its slots, as here: it is no view)
                    if kind is Parameter or (kind is Value and member.op is None and member._requires_grad):
                        if id(member) not in seen:
                            seen.add(id(member))
                            found.append(member)
                    elif isinstance(member, Module):
                        children.append(member)
                    elif id(member) not in seen and _is_parameter(member):
                        seen.add(id(member))
                        found.append(member)
            stack.extend(reversed(children))
        return found

    # -- buffers ----------------------------------------------------------------
    def register_buffer(self, name: str, array: Any, persistent: bool = True) -> None:
        """Make attribute ``name`` a buffer: state saved in ``state_dict`` but not a parameter.

        ``array`` is an ndarray, a Tensor that needs no gradient, or None (kept as an
        attribute, left out of ``state_dict``). Re-assigning the attribute keeps it a buffer. An ndarray is held as a
        view of its memory with torch's tensor methods (see :func:`buffer_array`).
        With ``persistent=False`` (or 0, as torch) it is listed by ``buffers()`` and cast by ``to()`` but left out of
        ``state_dict`` and ``load_state_dict``.
        """
        if not isinstance(persistent, (bool, np.bool_, int, np.integer)):  # 0 and 1 as torch's; a string is a slip
            raise TypeError(f"register_buffer: persistent must be True or False, got {persistent!r}")
        if not isinstance(name, str):
            raise TypeError(f"register_buffer: the name must be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"register_buffer: the name must be a non-empty string without '.', got {name!r}")
        if hasattr(self, name) and name not in self._buffer_names():  # a class attribute too (forward, training)
            raise KeyError(f"register_buffer: attribute {name!r} already exists and is not a buffer")
        if isinstance(array, Node) and (not isinstance(array, Tensor) or array.requires_grad):
            raise TypeError(f"register_buffer: buffer {name!r} must not require a gradient (use a Parameter)")
        if array is not None and not isinstance(array, (np.ndarray, Tensor)):
            raise TypeError(
                f"register_buffer: buffer {name!r} must be an ndarray, a Tensor or None, got {type(array).__name__}"
            )
        array = registered("buffer", self, name, array)  # torch's global hooks, after the checks (result unchecked)
        self.__dict__.setdefault("_buffer_keys", {})[name] = None
        transient = self.__dict__.setdefault("_non_persistent_buffers", set())
        if persistent:
            transient.discard(name)
        else:
            transient.add(name)
        object.__setattr__(self, name, buffer_array(array))  # not setattr: an nn.Buffer would come back here

    def _buffer_names(self) -> dict[str, None]:
        return self.__dict__.get("_buffer_keys", {})

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, np.ndarray | Tensor]]:
        """Yield (qualified name, buffer) for every buffer that is not None: each once (its first name)
        unless ``remove_duplicate`` is False; only this module's own with ``recurse=False``."""
        seen: set[int] = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else iter([(prefix, self)])
        )
        for module_name, module in modules:
            for name in module._buffer_names():
                buffer = getattr(module, name)
                if buffer is not None and not (remove_duplicate and id(buffer) in seen):
                    seen.add(id(buffer))
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self, recurse: bool = True) -> MemberList:
        """All buffers, in definition order (a list that ``next()`` also reads, as ``parameters()``)."""
        return MemberList(buffer for _, buffer in self.named_buffers(recurse=recurse))

    def get_buffer(self, target: str) -> np.ndarray | Tensor | None:
        """The buffer at the dotted path ``target`` (``"0.running_mean"``; None for a buffer registered as None, as
        torch's); AttributeError if there is none."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffer_names():
            raise AttributeError(f"get_buffer: {target!r} is not a buffer of {type(self).__name__}")
        return getattr(module, name)

    def _state_entries(self) -> Iterator[tuple[str, Module, str, Any]]:
        """(qualified name, owner, attribute, object) of every ``state_dict`` entry in torch's order: module by
        module (depth first, each under every name it has), its own parameters, then its own persistent
        buffers that are not None."""
        for module_name, module in self.named_modules(remove_duplicate=False):
            yield from _own_state_entries(module, f"{module_name}." if module_name else "")

    def get_extra_state(self) -> Any:
        """The module's state beside its parameters and buffers, for ``state_dict`` (its ``_extra_state`` entry):
        a subclass that defines this (and :meth:`set_extra_state`) gets the entry, as torch's."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called: define get_extra_state in "
            "the subclass that has extra state"
        )

    def set_extra_state(self, state: Any) -> None:
        """Take back what :meth:`get_extra_state` gave (``load_state_dict`` calls it with the ``_extra_state``
        entry)."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called: define set_extra_state in "
            "the subclass that has extra state"
        )

    def state_dict(
        self,
        *args: Any,
        destination: MutableMapping[str, Any] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> Any:
        """Copies of the parameters and persistent buffers as ndarrays, in torch's order (each module's
        parameters, then its buffers, then its sub-modules').

        As torch's, a parameter or buffer reachable under several names (tied weights, a module
        used twice) has an entry under each name. Value parameters become 0-d float64 arrays. The dict's
        ``_metadata`` (torch's) maps each module's prefix (``""``, ``"0"``, ``"0.bn"``) to ``{"version":
        module._version}``; ``load_state_dict`` hands each module its entry (``local_metadata``).
        ``prefix`` starts every key; ``keep_vars=True`` gives the parameters and buffers themselves;
        ``destination`` (a mapping) receives the entries and is returned, as torch's. The hooks of
        :meth:`register_state_dict_pre_hook` and :meth:`register_state_dict_post_hook` run in torch's order. As torch's, the three may
        also come by position, (destination, prefix, keep_vars), with torch's FutureWarning (older code calls
        ``super().state_dict(destination, prefix, keep_vars)``).
        """
        if args:
            if len(args) > 3:
                raise TypeError(f"state_dict() takes at most 3 positional arguments ({len(args)} given)")
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead (as torch's state_dict warns): "
                "state_dict(destination=..., prefix=..., keep_vars=...)",
                FutureWarning,
                stacklevel=2,
            )
            given = dict(zip(("destination", "prefix", "keep_vars"), args))
            destination = given.get("destination", destination)
            prefix = given.get("prefix", prefix)
            keep_vars = given.get("keep_vars", keep_vars)
        state: Any = OrderedDict() if destination is None else destination
        if destination is None:
            state._metadata = OrderedDict()
        metadata = getattr(state, "_metadata", None)
        if metadata is not None:  # torch's: each module's _version under its prefix (without the final '.')
            for name, module in self.named_modules(remove_duplicate=False):
                metadata[prefix + name if name else prefix[:-1]] = {"version": getattr(module, "_version", 1)}
        if any(
            _STATE_PRE_HOOKS in m.__dict__ or _STATE_POST_HOOKS in m.__dict__ or _writes_own_state(m, m is self)
            for m in self.modules()
        ):
            return self._state_dict_with_hooks(state, prefix, keep_vars)
        for name, owner, _, member in self._state_entries():
            state[prefix + name] = _state_value(owner, member, keep_vars)
        return state

    def _save_to_state_dict(self, destination: MutableMapping[str, Any], prefix: str, keep_vars: bool) -> None:
        """Write this module's own entries (its parameters, persistent buffers and extra state, not its
        sub-modules') into ``destination`` under ``prefix``, as torch's: a subclass may override it to write more
        (or fewer) entries, calling ``super()._save_to_state_dict`` for the usual ones; ``state_dict`` calls it for
        every module that overrides it."""
        for name, owner, _, member in _own_state_entries(self, prefix):
            destination[name] = _state_value(owner, member, keep_vars)

    def _state_dict_with_hooks(self, state: Any, prefix: str, keep_vars: bool) -> Any:
        """:meth:`state_dict` with its hooks run in torch's order: a module's pre-hooks before its own entries are
        written, its post-hooks after its sub-modules' entries (and post-hooks), with the prefix of its keys. A loop
        over ``named_modules``: a module's sub-tree ends where the next name stops starting with its own. A module
        whose class overrides ``_save_to_state_dict`` writes its own entries through it; a sub-module whose class
        overrides ``state_dict`` writes its whole sub-tree through it (torch calls each child's ``state_dict``)."""
        open_modules: list[tuple[str, Module]] = []  # the modules whose sub-tree is being written, outermost first
        delegated: tuple[str, ...] = ()  # the prefixes of the sub-trees a sub-module's own state_dict wrote

        def close(until: str | None) -> Any:
            nonlocal state
            while open_modules and (
                until is None or not until.startswith(f"{open_modules[-1][0]}.") and open_modules[-1][0]
            ):
                name, module = open_modules.pop()
                module_prefix = f"{prefix}{name}." if name else prefix
                metadata = {"version": getattr(module, "_version", 1)}
                for hook, public in list(module.__dict__.get(_STATE_POST_HOOKS, {}).values()):
                    result = hook(module, state, module_prefix, metadata)
                    if public and result is not None:
                        raise RuntimeError(
                            f"state_dict post-hook must return None (a hook registered with "
                            f"register_state_dict_post_hook on {type(module).__name__} returned a "
                            f"{type(result).__name__}; change the state dict in place)"
                        )
                    if result is not None and module is self:  # torch's private hook: its result, at the root only
                        state = result

        for module_name, module in self.named_modules(remove_duplicate=False):
            if module_name and f"{module_name}.".startswith(delegated):
                continue
            if module_name:
                close(module_name)
            module_prefix = f"{prefix}{module_name}." if module_name else prefix
            if module_name and type(module).state_dict is not Module.state_dict:
                module.state_dict(destination=state, prefix=module_prefix, keep_vars=keep_vars)
                delegated += (f"{module_name}.",)
                continue
            for hook in list(module.__dict__.get(_STATE_PRE_HOOKS, {}).values()):
                hook(module, module_prefix, keep_vars)
            module._save_to_state_dict(state, module_prefix, keep_vars)
            open_modules.append((module_name, module))
        close(None)
        return state

    def _state_targets(self) -> OrderedDict[str, tuple[Module, str, Any]]:
        """name -> (owning module, attribute, current object) for every state_dict entry."""
        return OrderedDict(
            (name, (owner, attribute, member)) for name, owner, attribute, member in self._state_entries()
        )

    def check_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Validate ``state`` against this module without changing anything.

        Raises :class:`StateDictError` listing every problem: missing and unexpected keys
        (only when ``strict``; a module's ``optional_state`` buffers are never missing), entries
        whose shape differs, entries that are not numeric arrays or cannot be cast (numpy
        ``same_kind``; floats holding whole numbers into an integer buffer too, as a step count saved as
        ``5.0``) to the target dtype. A second name of a tied parameter or buffer is not
        missing when another of its names is given. A 0-D parameter or buffer takes a one-entry 1-D value as its
        entry, as torch's (checkpoints of torch 0.3 saved scalars with shape (1,)).
        """
        owner = type(self).__name__  # (a lazy module sized below changes class)
        unsized = _size_lazy_modules(self, state)  # (checked at the size a load would give them, then put back)
        try:
            return self._checked(state, strict, owner)[0]
        finally:
            _unsize(unsized)

    def _checked(
        self, state: Mapping[str, Any], strict: bool, owner: str | None = None
    ) -> tuple[IncompatibleKeys, Mapping[str, Any]]:
        """:meth:`check_state_dict`'s report and ``state`` as it is read (one-entry values of 0-D targets unwrapped)."""
        if not isinstance(state, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state)}.")
        state = self._with_scalars_unwrapped(state)
        targets = self._state_targets()
        given = {id(target) for name, (_, _, target) in targets.items() if name in state}
        missing = [
            name
            for name, (owner, attribute, target) in targets.items()
            if (name not in state if target is EXTRA_STATE else id(target) not in given)
            and attribute not in owner.optional_state
        ]
        unexpected = self._in_torchs_report_order([name for name in state if name not in targets])
        problems = _key_problems(missing, unexpected) if strict else []
        mis_shaped = saved_lazy = False
        for name, (_, _, target) in targets.items():  # torch's lines, in the order of the entries
            if name not in state or target is EXTRA_STATE:  # extra state is whatever set_extra_state takes
                continue
            value = state[name]
            array = _numeric_array(value)
            target_dtype = _dtype_of(target)
            if array is None:
                problems.append(
                    f'While copying the parameter named "{name}", expected torch.Tensor or Tensor-like object from '
                    f"checkpoint but received {type(value)}"
                )
            elif not _copies_into(array, target_dtype):
                problems.append(
                    f'While copying the parameter named "{name}", whose dimensions in the model are '
                    f"{_torch_size(_shape_of(target))} and whose dimensions in the checkpoint are "
                    f"{_torch_size(array.shape)}, an exception occurred : ({_describe_entry(value)} cannot become "
                    f"{target_dtype})."
                )
            elif array.shape != _shape_of(target):
                mis_shaped = True
                saved_lazy = saved_lazy or (array.shape == (0,) and not getattr(target, "lazy_placeholder", False))
                problems.append(
                    f"size mismatch for {name}: copying a param with shape {_torch_size(array.shape)} from "
                    f"checkpoint, the shape in current model is {_torch_size(_shape_of(target))}."
                )
        if mis_shaped and any(getattr(target, "lazy_placeholder", False) for _, _, target in targets.values()):
            problems.append(
                "a lazy layer's parameters are placeholders until its first forward: run one forward pass "
                "(model(example_input)) before loading"
            )
        if saved_lazy:  # torch's error reads "Can't access the shape of an uninitialized parameter or buffer"
            problems.append(
                "an entry of shape [0] is what a lazy layer saves before its first forward: the shape of an "
                "uninitialized parameter is not known, so run one forward pass through the saved model "
                "(model(example_input)) before its state_dict()"
            )
        if problems:
            raise _load_error(owner or type(self).__name__, problems)
        return IncompatibleKeys(missing, unexpected), state

    def _with_scalars_unwrapped(self, state: Mapping[str, Any]) -> Mapping[str, Any]:
        """``state`` with a one-entry 1-D value of a 0-D parameter or buffer read as that entry, as torch reads it (its
        backward compatibility with checkpoints of torch 0.3, which saved scalars with shape (1,)); ``state`` itself
        when there is none."""
        unwrapped = {}
        for name, (_, _, target) in self._state_targets().items():
            if name not in state or target is EXTRA_STATE or getattr(target, "lazy_placeholder", False):
                continue
            if _shape_of(target) == ():
                array = _numeric_array(state[name])
                if array is not None and array.shape == (1,):
                    unwrapped[name] = array.reshape(())
        return {**state, **unwrapped} if unwrapped else state

    def _in_torchs_report_order(self, keys: list[Any]) -> list[Any]:
        """Unexpected ``keys`` in the order torch lists them: by the module whose prefix a key carries (the longest
        one naming a sub-module; the model's own otherwise), modules in ``named_modules`` order, the keys of one
        module in the state dict's order."""
        if not keys:
            return keys
        position: dict[str, int] = {}
        for index, (name, _) in enumerate(self.named_modules(remove_duplicate=False)):
            position.setdefault(name, index)

        def owner(key: Any) -> int:
            found = 0
            cut = key.find(".") if isinstance(key, str) else -1
            while cut != -1:
                found = position.get(key[:cut], found)
                cut = key.find(".", cut + 1)
            return found

        return sorted(keys, key=owner)  # stable: each module's keys keep their order

    def _state_after_load_pre_hooks(
        self, state: Mapping[str, Any], assign: bool
    ) -> tuple[OrderedDict[Any, Any], tuple[list[Any], list[Any]]]:
        """The state each module loads once the ``register_load_state_dict_pre_hook`` hooks ran, as torch's: each
        module (outer first, a loop over the nesting) gets a copy of its parent's keys under its prefix, its hooks
        change it, and it keeps the keys that name no sub-module's (its own entries, or unexpected ones); with the
        missing and unexpected keys the hooks appended. Messages they append to ``error_msgs`` are a
        :class:`StateDictError`, raised before anything is written."""
        metadata = getattr(state, "_metadata", None)
        missing: list[Any] = []
        unexpected: list[Any] = []
        error_msgs: list[str] = []
        kept: OrderedDict[Any, Any] = OrderedDict()
        computed: tuple[list[Any], list[Any]] = ([], [])  # the missing and unexpected keys found here, not the hooks'
        stack: list[tuple[str, Module, OrderedDict[Any, Any], frozenset[int]]] = [
            ("", self, OrderedDict(state), frozenset())
        ]
        while stack:
            prefix, module, local, ancestors = stack.pop()
            inside = ancestors | {id(module)}  # a module inside itself is not entered again (named_modules' rule)
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local, prefix, local_metadata, True, missing, unexpected, error_msgs)
            children = [
                (f"{prefix}{name}.", child)
                for name, child in module._direct_members()
                if isinstance(child, Module) and id(child) not in inside
            ]
            starts = tuple(child_prefix for child_prefix, _ in children)
            own = {
                name: attribute
                for name, _, attribute, _ in _own_state_entries(module, prefix)
                if attribute not in module.optional_state
            }
            found_missing = [name for name in own if name not in local]
            found_unexpected = []
            for key, value in local.items():
                if not (isinstance(key, str) and key.startswith(starts)):  # the module's own key, or an unexpected one
                    kept[key] = value
                    if key not in own:
                        found_unexpected.append(key)
            for found, reported, keys in zip(computed, (missing, unexpected), (found_missing, found_unexpected)):
                found.extend(keys)
                reported.extend(keys)  # what the next hooks see, as torch's
            stack.extend(
                (
                    child_prefix,
                    child,
                    OrderedDict((k, v) for k, v in local.items() if isinstance(k, str) and k.startswith(child_prefix)),
                    inside,
                )
                for child_prefix, child in reversed(children)
            )
        if error_msgs:  # (torch's error lists them after the keys, which are checked later here)
            raise _load_error(type(self).__name__, error_msgs)
        return kept, (_without(missing, computed[0]), _without(unexpected, computed[1]))

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True, assign: bool = False) -> IncompatibleKeys:
        """Copy ``state`` into the parameters and buffers, all or nothing.

        Everything is validated first (see :meth:`check_state_dict`); on error the module is
        unchanged, also when a module's ``set_extra_state`` (called last) raises: the tensors' values
        and the extra states already set are put back (the versions, which only grow, count the
        writes). Values are copied and cast to each target's dtype, into the parameters and buffers
        in place (as torch's ``copy_``: tied buffers stay tied); Value parameters get a Python float. ``strict=False`` ignores missing and
        unexpected keys (returned) but still rejects mis-shaped ones.

        ``assign=True`` (torch's) uses the given objects instead of copying into the current ones: an
        ``nn.Parameter`` value becomes the attribute itself, another array or Tensor becomes the parameter's
        data uncopied (the Parameter object and its ``requires_grad`` stay; an integer array is cast to the
        parameter's dtype, which must be floating), a buffer becomes the given array or Tensor, dtype and all.

        Hooks, as torch's: :meth:`register_load_state_dict_pre_hook` hooks run first (and may edit a copy of
        ``state``), :meth:`register_load_state_dict_post_hook` hooks after the writes.
        """
        post_hooks = _load_post_hooks(self)
        added: tuple[list[Any], list[Any]] = ([], [])  # missing and unexpected keys the pre-hooks reported
        if isinstance(state, Mapping) and any(
            _LOAD_PRE_HOOKS in module.__dict__ or type(module)._load_from_state_dict is not Module._load_from_state_dict
            for module in self.modules()
        ):
            state, added = self._state_after_load_pre_hooks(state, assign)
        owner = type(self).__name__  # (a lazy module sized below changes class)
        unsized = _size_lazy_modules(self, state)  # (lazy layers the state sizes; put back if the load fails)
        try:
            return self._load_checked(state, strict, assign, post_hooks, added, owner)
        except BaseException:
            _unsize(unsized)
            raise

    def _load_checked(
        self,
        state: Mapping[str, Any],
        strict: bool,
        assign: bool,
        post_hooks: list[tuple[Module, Any]],
        added: tuple[list[Any], list[Any]],
        owner: str,
    ) -> IncompatibleKeys:
        """:meth:`load_state_dict` once the pre-hooks ran and the lazy layers are sized: check, then write (errors
        name the module as ``owner``, its class before the sizing)."""
        # with post hooks, which may clear missing and unexpected keys, those are checked after the hooks (torch's)
        result, state = self._checked(state, strict and not post_hooks, owner)
        if added[0] or added[1]:
            result = IncompatibleKeys([*added[0], *result.missing_keys], [*added[1], *result.unexpected_keys])
            if strict and not post_hooks:
                raise _load_error(owner, _key_problems(result.missing_keys, result.unexpected_keys))
        all_targets = self._state_targets()
        targets = [(entry, state[name]) for name, entry in all_targets.items() if name in state]
        # the tensors first; extra state last, since set_extra_state is the module's own code: the one step that can
        # fail after the writes, so what it would leave half-changed is backed up (only when there is extra state)
        extra = [(module, value) for (module, _, target), value in targets if target is EXTRA_STATE]
        targets = [(entry, value) for entry, value in targets if entry[2] is not EXTRA_STATE]
        backups = [_backup(*entry) for entry, _ in targets] if extra or post_hooks else []
        extra_before = [copy.deepcopy(module.get_extra_state()) for module, _ in extra]
        with no_grad():
            if assign:
                for (member_owner, attribute, target), value in targets:
                    _assign_entry(member_owner, attribute, target, value)
            else:
                # every value cast first (a float64 value beyond float32's range becomes inf, as torch, silently),
                # then written: nothing can fail half-way
                casts = [
                    quietly(np.asarray, _numeric_array(value), dtype=_dtype_of(target))
                    for (_, _, target), value in targets
                ]
                for ((member_owner, attribute, target), _), array in zip(targets, casts):
                    if isinstance(target, Node):
                        target.copy_(array)  # in place: the version goes up
                    elif target.flags.writeable:
                        # in place too, as torch's copy_: a buffer two modules share, or one a caller holds
                        # (``bn.running_mean``), stays that array and sees the loaded values
                        np.copyto(target, array)
                    else:
                        setattr(member_owner, attribute, np.array(array))
        done = 0
        try:
            for module_with_extra, value in extra:
                module_with_extra.set_extra_state(value)
                done += 1
            for module, hook in post_hooks:
                if hook(module, result) is not None:
                    raise AssertionError(
                        f"load_state_dict: a hook registered with register_load_state_dict_post_hook on "
                        f"{type(module).__name__} returned a value; it must return None and change "
                        "incompatible_keys in place"
                    )
            if strict and post_hooks:  # the keys as the hooks left them (without hooks, _checked checked them)
                problems = _key_problems(result.missing_keys, result.unexpected_keys)
                if problems:
                    raise _load_error(owner, problems)
        except BaseException:  # nothing half-changed: the tensors, their versions and the extra states set so far
            for backup in backups:
                _restore(*backup)
            for (module_with_extra, _), before in zip(extra[:done], extra_before):
                module_with_extra.set_extra_state(before)
            raise
        return result

    # -- registration and traversal ----------------------------------------------
    def add_module(self, name: str, module: Module | None) -> None:
        """Make ``module`` (or None) the sub-module attribute ``name``, as torch's ``add_module``; on a container, the
        entry of that key or position (``seq.add_module("x", m)`` replaces the module named x, or appends one)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got {type(module).__name__}")
        _check_member_name(self, "add_module", name, Module)
        if self._contents is not None and (
            module is not None or name in dict(self._content_items(vars(self).get(self._contents, ())))
        ):
            set_member(self, name, module)  # a container's entry: storing it runs the hooks (once), as its [] = does
            return
        module = registered("module", self, name, module)  # torch's global hooks
        if module is None:  # torch's _modules keeps the name, holding None (in the repr as "(name): None")
            self.__dict__.setdefault("_empty_module_names", set()).add(name)
        self._store_member(name, module)

    def register_module(self, name: str, module: Module | None) -> None:
        """Alias of :meth:`add_module`."""
        self.add_module(name, module)

    def register_parameter(self, name: str, param: Parameter | Value | None) -> None:
        """Make ``param`` the attribute ``name``: an ``nn.Parameter``, a leaf ``Value`` (the scalar parameter of
        the micrograd-style modules, kept as a parameter also while frozen, see :func:`mark_value_parameters`),
        or None for no parameter. A Value computed from others is a TypeError, as torch refuses a non-leaf."""
        if isinstance(param, Value):
            if not param.is_leaf:
                raise TypeError(
                    f"register_parameter: {name!r} must be a leaf Value (one not computed from others), got the "
                    f"output of {param._op or 'an operation'}; register a new Value(x.data) instead"
                )
        elif param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: {name!r} must be an nn.Parameter, a leaf Value or None, got {type(param).__name__}"
            )
        _check_member_name(self, "register_parameter", name, (Parameter, Value))
        if isinstance(param, Parameter) and self._contents is not None:
            setattr(self, name, param)  # a container's assignment (a ParameterDict's entry) stores it, hooks run once
        else:
            self._store_member(name, param if param is None else registered("parameter", self, name, param))
            if param is None and self.__dict__.get(name) is None:  # torch keeps the name in _parameters, as None
                self.__dict__.setdefault("_empty_parameter_names", set()).add(name)
        mark_value_parameters([param])  # (after the checks: a refused Value stays unmarked)

    def get_submodule(self, target: str) -> Module:
        """The sub-module at the dotted path ``target`` ("" is self); AttributeError naming the missing step."""
        module: Module = self
        if target == "":
            return module
        walked = []
        for step in target.split("."):
            child = dict(module._direct_members()).get(step)
            if not isinstance(child, Module):
                where = ".".join(walked) or type(self).__name__
                raise AttributeError(f"get_submodule: {where} has no sub-module {step!r} (path {target!r})")
            module = child
            walked.append(step)
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Make ``module`` the sub-module at the dotted path ``target`` (torch's): its parent must exist; the
        last step replaces a sub-module (a container's entry by key or position too) or, unless ``strict``,
        adds a new one. ValueError for an empty ``target`` or a ``module`` that is not a Module; AttributeError
        when the last step names an attribute that is not a Module (or, with ``strict``, nothing)."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        members = dict(parent._direct_members())
        if name in members or hasattr(parent, name):
            current = members[name] if name in members else getattr(parent, name)
            if not isinstance(current, Module):
                raise AttributeError(f"`{name}` is not an nn.Module")
        elif strict:
            raise AttributeError(f"{type(parent).__name__} has no attribute `{name}`")
        set_member(parent, name, module)

    def get_parameter(self, target: str) -> Node:
        """The parameter at the dotted path ``target`` (``"0.weight"``); AttributeError if there is none."""
        module_path, _, name = target.rpartition(".")
        member = dict(self.get_submodule(module_path)._direct_members()).get(name)
        if not _is_parameter(member):
            raise AttributeError(f"get_parameter: {target!r} is not a parameter of {type(self).__name__}")
        return member

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module, children before their parent (torch's order), then on self; returns self.

        ``model.apply(init_weights)`` is the usual way to re-initialise a model. Each module is visited once. A
        sub-module whose class overrides ``apply`` takes its own sub-tree, in its place (torch calls each child's
        ``apply``).
        """
        stack: list[tuple[Module, bool]] = [(self, False)]
        seen: set[int] = set()
        while stack:
            module, children_done = stack.pop()
            if children_done:
                fn(module)
                continue
            if id(module) in seen:
                continue
            seen.add(id(module))
            if module is not self and type(module).apply is not Module.apply:
                module.apply(fn)
                continue
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())))
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (freeze with False); returns self.

        Frozen parameters stay parameters (in ``parameters()`` and the state dict, skipped by optimizers), scalar
        ``Value`` ones too (see :func:`mark_value_parameters`), so ``requires_grad_(True)`` unfreezes them again.
        """
        parameters = self.parameters()
        mark_value_parameters(parameters)
        for parameter in parameters:
            parameter.requires_grad_(requires_grad)
        return self

    # -- state ----------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: None for Tensors (zeros with ``set_to_none=False``), 0.0 for Values."""
        for parameter in self.parameters():
            parameter.zero_grad(set_to_none=set_to_none)

    # -- dtype ------------------------------------------------------------------
    def to(
        self,
        *targets: Any,
        dtype: Any = None,
        device: Any = None,
        non_blocking: bool = False,
        memory_format: Any = None,
    ) -> Module:
        """Cast every floating Tensor parameter, gradient and floating buffer to a dtype, in place; returns self.
        Integer and bool parameters (``requires_grad=False`` ones: index tables, masks) keep their dtype, as
        torch's ``to``, ``double()``, ``float()`` and ``half()`` cast only floating ones.

        torch's overloads: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)`` (its dtype),
        ``to(device=..., dtype=...)`` (an array counts as a tensor); the device must be the CPU (None, ``"cpu"``), where everything lives, and
        ``non_blocking`` changes nothing; ``memory_format`` may be torch's preserve or contiguous format (arrays
        here are C-ordered; channels_last is refused by name, as by ``Tensor.contiguous``). The Parameter objects
        stay the same (an optimizer built before keeps working) and their versions go up. Value parameters are
        Python floats and stay so.
        """
        check_factory_options("Module.to", memory_format=memory_format)
        for target in targets:
            if isinstance(target, bool):  # torch's positional non_blocking
                continue
            if is_device(target):
                if device is not None:
                    raise TypeError(f"Module.to: got two devices, {device!r} and {target!r}")
                device = target
                continue
            if dtype is not None:
                raise TypeError(f"Module.to: got two dtypes, {dtype!r} and {target!r}")
            dtype = target.dtype if isinstance(target, (Tensor, np.ndarray)) else target
        check_device("Module.to", device)
        if dtype is None:
            return self
        target = np.dtype(dtype)
        if target.kind != "f":
            raise TypeError(f"Module.to: parameters need a floating-point dtype, got {target}")
        with quiet():  # a value beyond the target's range becomes inf without numpy's warning, as torch casts
            for parameter in self.parameters():
                if isinstance(parameter, Tensor) and parameter.dtype.kind == "f" and parameter.dtype != target:
                    parameter._data = parameter._data.astype(target)
                    grad = stored_gradient(parameter)
                    if isinstance(grad, np.ndarray):
                        parameter.grad = grad.astype(target)
                    increment_version(parameter)
            for module in self.modules():
                for name in module._buffer_names():
                    buffer = getattr(module, name)
                    if isinstance(buffer, Tensor) and buffer.dtype.kind == "f" and buffer.dtype != target:
                        buffer._data = buffer._data.astype(target)
                        increment_version(buffer)
                    elif isinstance(buffer, np.ndarray) and buffer.dtype.kind == "f":
                        setattr(module, name, buffer.astype(target))
            # a sub-module overriding torch's _apply (to convert tensors of its own, such as a cache) has it called,
            # as torch's to() converts through _apply; what the casts above did, its super()._apply keeps as it is
            for module in _outermost_apply_overrides(self):
                module._apply(functools.partial(_cast_if_floating, target=target))
        return self

    def cpu(self) -> Module:
        """Returns self: everything already lives in main memory (torch's ``module.cpu()``)."""
        return self

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """torch's in-place ``model.compile(...)`` (torch compiles the module's call, leaving ``state_dict`` keys
        as they are): ``autograd.compile``'s argument checks, then nothing, since every op already runs as one
        numpy call and a compiled call would compute the same numbers; returns None, as torch's."""
        compile_model(self, *args, **kwargs)

    def cuda(self, device: Any = None) -> Module:
        """torch's ``module.cuda()``: refused, there is no GPU (``autograd.cuda.is_available()`` is False), as a
        Tensor's ``cuda()`` is."""
        raise DeviceUnavailableError(
            f"{type(self).__name__}.cuda: there is no GPU here; this library computes with numpy on the CPU (use "
            ".cpu(), or guard the call with autograd.cuda.is_available())"
        )

    def share_memory(self) -> Module:
        """torch's ``share_memory`` moves parameters to shared memory for processes that train one model (Hogwild
        with torch.multiprocessing). numpy arrays cannot be shared so; a silent no-op would let such processes
        train separate copies, so this raises, naming the threaded alternative."""
        raise NotImplementedError(
            f"{type(self).__name__}.share_memory: parameters cannot be moved to memory shared between processes "
            "here; to train one model from several workers use threads (concurrent backward passes add into the "
            "shared .grad under one lock), as Hogwild does with processes in torch"
        )

    def half(self) -> Module:
        """Cast parameters and floating buffers to float16 in place (``to(np.float16)``)."""
        return self.to(np.float16)

    def float(self) -> Module:
        """Cast parameters and floating buffers to float32 in place (``to(np.float32)``)."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Cast parameters and floating buffers to float64 in place (``to(np.float64)``)."""
        return self.to(np.float64)

    def type(self, dst_type: Any) -> Module:
        """Cast every parameter and every buffer (integer ones too, as torch's ``type``) to ``dst_type`` in
        place; returns self. Parameters need a floating-point dtype (see :meth:`to`)."""
        target = np.dtype(dst_type)
        self.to(target)
        for parameter in self.parameters():  # the integer and bool ones, which ``to`` leaves as they are
            if isinstance(parameter, Tensor) and parameter.dtype != target:
                parameter._data = parameter._data.astype(target)
                increment_version(parameter)
        for module in self.modules():
            for name in module._buffer_names():
                buffer = getattr(module, name)
                if isinstance(buffer, Tensor) and buffer.dtype != target:
                    buffer._data = buffer._data.astype(target)
                    increment_version(buffer)
                elif isinstance(buffer, np.ndarray) and buffer.dtype != target:
                    setattr(module, name, buffer.astype(target))
        return self

    def _apply(self, fn: Callable[[Any], Any], recurse: bool = True) -> Module:
        """torch's ``_apply(fn)``, which code written for torch calls to convert a model's tensors
        (``model._apply(lambda t: t.double())``): the sub-modules' ``_apply`` first (when ``recurse``), then ``fn``
        on each of this module's Tensor parameters, whose values become its result (the Parameter object and its
        ``requires_grad`` stay, as torch's ``param.data = fn(param)``; the version goes up), on their gradients,
        and on each buffer, which becomes its result. Returns self. (``to()``, ``double()``... cast directly, then
        call it on the sub-modules whose class overrides it, with a function casting floating tensors.)"""
        if recurse:
            for child in self.children():
                child._apply(fn)
        with no_grad():
            for _, parameter in self.named_parameters(recurse=False):
                if not isinstance(parameter, Tensor):  # a Value parameter holds a Python float
                    continue
                parameter._data = _applied_array(fn, parameter)
                grad = stored_gradient(parameter)
                if isinstance(grad, np.ndarray):
                    parameter.grad = _applied_array(fn, Tensor(grad))
                increment_version(parameter)
            for name in self._buffer_names():
                buffer = getattr(self, name)
                if buffer is not None:
                    setattr(self, name, fn(buffer))
        return self

    def train(self, mode: bool = True) -> Module:
        """Put self and all descendants in training mode (or eval if mode is False); as torch, a ``mode`` that
        is not a bool is a ValueError (numpy's bools are taken as bools).

        As torch's, each child's own ``train(mode)`` runs, so a subclass overriding ``train`` (to keep a frozen
        BatchNorm in eval mode, say) decides for its sub-tree also when a parent's ``train()``/``eval()`` is
        called; the walk is torch's order (self, then each child in turn), cycles cut."""
        if not isinstance(mode, (bool, np.bool_)):
            raise ValueError("training mode is expected to be boolean")
        mode = bool(mode)
        stack: list[tuple[Module, frozenset[int]]] = [(self, frozenset())]
        while stack:
            module, ancestors = stack.pop()
            if module is not self and type(module).train is not Module.train:
                module.train(mode)  # its own train() sees to its sub-modules, as torch's recursion does
                continue
            module.training = mode
            inside = ancestors | {id(module)}
            stack.extend(reversed([(child, inside) for child in module.children() if id(child) not in inside]))
        return self

    def eval(self) -> Module:
        """Put self and all descendants in evaluation mode."""
        return self.train(False)

    def extra_repr(self) -> str:
        """The part of the repr inside the parentheses (override in layers)."""
        return ""

    def _get_name(self) -> str:
        """The name the repr opens with, the class's (torch's ``_get_name``, which a module may override)."""
        return type(self).__name__

    def __repr__(self) -> str:
        """torch's layout: ``Name(extra)`` for a one-line ``extra_repr`` and no children, else the lines of
        ``extra_repr`` then one ``(name): child`` line per sub-module, each indented by two spaces. Written bottom
        up without recursion (see :func:`_module_repr`), so modules nested to any depth print."""
        return _module_repr(self)

    def _repr_from(self, texts: Mapping[int, Lines]) -> Lines:
        """This module's repr (see :meth:`__repr__`) as lines, given its sub-modules' in ``texts`` (by id)."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        children = [
            entry(f"({name}): ", [(0, "None")] if member is None else texts[id(member)])
            for name, member in self._direct_members()
            if isinstance(member, Module) or self._is_empty_module_name(name, member)
        ]
        if len(extra_lines) == 1 and not children:
            return [(0, f"{self._get_name()}({extra_lines[0]})")]
        return block(self._get_name(), [*(lines_of(line) for line in extra_lines), *children])


def _module_repr(root: Module) -> str:
    """``repr(root)``, each module's lines made from its sub-modules' (:meth:`Module._repr_from`), bottom up with
    an explicit stack: no recursion, so a nesting of any depth prints at Python's default recursion limit, in
    time linear in the text (see :mod:`nn.module_repr`). A sub-module whose class writes its own ``__repr__`` is
    asked for it; one that contains itself is written ``Name(...)`` inside itself."""
    texts: dict[int, Lines] = {}
    open_ids: set[int] = set()  # the modules whose sub-modules are being written
    stack: list[tuple[Module, bool]] = [(root, False)]
    while stack:
        module, children_written = stack.pop()
        if children_written:
            open_ids.discard(id(module))
            texts[id(module)] = module._repr_from(texts)
            continue
        if id(module) in texts:  # a module shared by several parents, written already
            continue
        if module is not root and type(module).__repr__ is not Module.__repr__:
            texts[id(module)] = lines_of(repr(module))
            continue
        open_ids.add(id(module))
        stack.append((module, True))
        for _, child in module._direct_members():
            if not isinstance(child, Module):
                continue
            if id(child) in open_ids:  # a cycle
                texts.setdefault(id(child), [(0, f"{type(child).__name__}(...)")])
            else:
                stack.append((child, False))
    return text_of(texts[id(root)])


def _copy_module_state(module: Module, memo: dict[int, Any]) -> None:
    """Deep-copy ``module`` into ``memo`` as ``copy.deepcopy`` does for an object without ``__deepcopy__``: the
    object its ``__reduce_ex__(4)`` rebuilds, entered in ``memo`` before its state is copied (so a state that
    reaches the module again finds the copy), then given the copied state (``__setstate__``, or the
    ``(dict, slots)`` pair ``object.__getstate__`` gives)."""
    func, args, state, *items = module.__reduce_ex__(4)
    twin = func(*copy.deepcopy(args, memo))
    memo[id(module)] = twin
    memo.setdefault(id(memo), []).append(module)  # kept alive, as copy.deepcopy keeps what it copies
    list_items, dict_items = (items + [None, None])[:2]
    if state is not None:
        state = copy.deepcopy(state, memo)
        if hasattr(twin, "__setstate__"):
            twin.__setstate__(state)
        else:
            state, slots = state if isinstance(state, tuple) and len(state) == 2 else (state, None)
            if state:
                twin.__dict__.update(state)
            for name, value in (slots or {}).items():
                setattr(twin, name, value)
    for item in list_items or ():
        twin.append(copy.deepcopy(item, memo))
    for key, value in dict_items or ():
        twin[copy.deepcopy(key, memo)] = copy.deepcopy(value, memo)


def child_module_error(owner: Module, name: str, value: Any) -> TypeError:
    """torch's error for a value other than a Module or None assigned to a sub-module's name (or a container's
    module entry)."""
    return TypeError(
        f"{type(owner).__name__}: cannot assign {type(value).__name__!r} as child module {name!r} "
        "(nn.Module or None expected)"
    )


def _check_member_name(module: Module, method: str, name: Any, kind: type | tuple[type, ...]) -> None:
    """``name`` must be a non-empty string without '.', not already an attribute of another kind (of none of
    the ``kind`` types)."""
    if not isinstance(name, str):
        raise TypeError(f"{method}: the name must be a string, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"{method}: the name must be non-empty and contain no '.', got {name!r}")
    if hasattr(module, name):  # a class attribute (a method, ``training``) or a buffer is never replaced
        # a member by that name (a container's entry too: a Sequential's named module) can be replaced by its kind
        current = dict(module._direct_members()).get(name, vars(module).get(name, NotImplemented))
        if name in module._buffer_names() or not (current is None or isinstance(current, kind)):
            kinds = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise KeyError(f"{method}: attribute {name!r} already exists and is not a {kinds}")


def _assign_entry(owner: Module, attribute: str, target: Any, value: Any) -> None:
    """``load_state_dict(assign=True)`` for one entry: ``value`` (already validated) used as it is."""
    if isinstance(target, Parameter):
        if isinstance(value, Parameter):  # its requires_grad follows the one it replaces, as torch's
            if value.requires_grad != target.requires_grad:
                value.requires_grad_(target.requires_grad)
            set_member(owner, attribute, value)
            return
        data = value._data if isinstance(value, Tensor) else _numeric_array(value)
        target._data = data if data.dtype.kind == "f" else data.astype(target.dtype)
        increment_version(target)
    elif isinstance(target, Value):
        target._data = float(_numeric_array(value))
    elif attribute in owner._buffer_names():
        set_member(owner, attribute, value if isinstance(value, (Tensor, np.ndarray)) else _numeric_array(value))
    else:
        target.copy_(_numeric_array(value).astype(_dtype_of(target)))


def _backup(owner: Module, attribute: str, target: Any) -> tuple[Module, str, Any, Any, Any]:
    """What :func:`_restore` needs to undo a load of one state entry: the object, the array (or float) it holds and
    a copy of its values."""
    data = target._data if isinstance(target, Node) else target
    return owner, attribute, target, data, np.array(data, copy=True)


def _restore(owner: Module, attribute: str, target: Any, data: Any, values: Any) -> None:
    """Put one state entry back as :func:`_backup` saw it: the same object, array and values. A node's version goes
    up once more (versions only grow, as torch's: the load wrote it, the restore writes it again)."""
    if isinstance(data, np.ndarray) and data.flags.writeable:
        np.copyto(data, values)
    if isinstance(target, Node):
        target._data = data
        increment_version(target)
    if dict(owner._direct_members()).get(attribute, target) is not target:  # replaced (assign=True)
        set_member(owner, attribute, target)


def _outermost_apply_overrides(root: Module) -> list[Module]:
    """The modules under ``root`` (itself too) whose class overrides :meth:`Module._apply`, none below another
    one (whose ``super()._apply`` reaches those), found with an explicit stack (models of any depth)."""
    found, stack, seen = [], [root], set()
    while stack:
        module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        if type(module)._apply is not Module._apply:
            found.append(module)
        else:
            stack.extend(reversed(list(module.children())))
    return found


def _cast_if_floating(tensor: Any, target: np.dtype) -> Any:
    """``Module.to``'s conversion as a function for :meth:`Module._apply`: a floating tensor or array cast to
    ``target``, anything else (integer buffers, as torch's ``to``; what already has that dtype) as it is."""
    dtype = getattr(tensor, "dtype", None)
    if dtype is None or np.dtype(dtype).kind != "f" or np.dtype(dtype) == target:
        return tensor
    return tensor.to(target) if hasattr(tensor, "to") else np.asarray(tensor).astype(target)


def _applied_array(fn: Callable[[Any], Any], tensor: Tensor) -> np.ndarray:
    """The array of ``fn(tensor)`` (a Tensor or an array-like), for :meth:`Module._apply`."""
    result = fn(tensor)
    return plain(np.asarray(result._data if isinstance(result, Node) else result))


def _writes_own_state(module: Module, is_root: bool) -> bool:
    """Whether ``module``'s class writes its state its own way: overrides ``_save_to_state_dict``, or (below the
    module whose ``state_dict`` runs) ``state_dict`` itself."""
    kind = type(module)
    return kind._save_to_state_dict is not Module._save_to_state_dict or (
        not is_root and kind.state_dict is not Module.state_dict
    )


def _own_state_entries(module: Module, prefix: str) -> Iterator[tuple[str, Module, str, Any]]:
    """(``prefix`` + name, module, attribute, object) of ``module``'s own ``state_dict`` entries (see
    :meth:`Module._state_entries`)."""
    for name, member in module._direct_members():
        if _is_parameter(member):
            yield prefix + name, module, name, member
    transient = module.__dict__.get("_non_persistent_buffers", ())
    for name in module._buffer_names():
        buffer = getattr(module, name)
        if buffer is not None and name not in transient:
            yield prefix + name, module, name, buffer
    if type(module).get_extra_state is not Module.get_extra_state:
        yield prefix + EXTRA_STATE_KEY, module, EXTRA_STATE_KEY, EXTRA_STATE


def _state_value(owner: Module, member: Any, keep_vars: bool) -> Any:
    """What ``state_dict`` holds for one entry: a copy of its values as an ndarray (0-d float64 for a Value) with
    torch's tensor methods (a ``DataArray``: ``v.clone()``, ``v.cpu()``, ``v.numpy()``, ``v.size()`` run, as on
    torch's detached tensors), the member itself with ``keep_vars``, the owner's extra state for its ``_extra_state``
    entry."""
    if member is EXTRA_STATE:  # a module's own state beside its tensors (torch's get_extra_state)
        return owner.get_extra_state()
    if keep_vars:
        return member
    if isinstance(member, Value):
        return np.array(member._data, dtype=np.float64).view(DataArray)
    return np.array(member._data if isinstance(member, Tensor) else member).view(DataArray)


#: The attributes holding a Module's ``register_state_dict_pre_hook`` hooks, its state dict post hooks
#: (``register_state_dict_post_hook``, and torch's private ``_register_state_dict_hook``: hook, public), and its
#: ``register_load_state_dict_pre_hook`` and ``register_load_state_dict_post_hook`` hooks.
_STATE_PRE_HOOKS = "_state_dict_pre_hooks"
_STATE_POST_HOOKS = "_state_dict_hooks"
_LOAD_PRE_HOOKS = "_load_state_dict_pre_hooks"
_LOAD_POST_HOOKS = "_load_state_dict_post_hooks"


def _without(keys: list[Any], found: list[Any]) -> list[Any]:
    """``keys`` without one occurrence of each of ``found`` (the keys a load found itself: the rest a hook added)."""
    rest = list(keys)
    for key in found:
        if key in rest:
            rest.remove(key)
    return rest


def _backward_hook_kind(module: Module, full: bool) -> None:
    """Record that ``module`` has backward hooks of one kind (``full``: ``register_full_backward_hook``'s, else the
    deprecated ``register_backward_hook``'s); torch's RuntimeError if it has had the other kind."""
    if module._is_full_backward_hook is (not full):
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks on a single Module. Please use only one "
            "of them."
        )
    object.__setattr__(module, "_is_full_backward_hook", full)


def _add_state_hook(module: Module, table: str, hook: Any, method: str, public: bool | None = None) -> HookHandle:
    """Register ``hook`` in ``module``'s ``table`` of state dict hooks (as (hook, public) for the post hooks)."""
    if not callable(hook):
        raise TypeError(f"{method}: the hook must be callable, got {type(hook).__name__}")
    hooks = module.__dict__.setdefault(table, OrderedDict())
    handle = HookHandle(hooks)
    hooks[handle.id] = hook if public is None else (hook, public)
    return handle


def _load_post_hooks(root: Module) -> list[tuple[Module, Callable[..., Any]]]:
    """(module, hook) for the load-state-dict post hooks of ``root``'s modules, in torch's order: each module's
    after its sub-modules' (a post-order walk; a loop, so any nesting depth works), a module's own in order of
    registration."""
    found: list[tuple[Module, Callable[..., Any]]] = []
    seen: set[int] = set()
    stack: list[tuple[Module, bool]] = [(root, False)]
    while stack:
        module, children_done = stack.pop()
        if children_done:
            found.extend((module, hook) for hook in list(module.__dict__.get(_LOAD_POST_HOOKS, {}).values()))
        elif id(module) not in seen:
            seen.add(id(module))
            stack.append((module, True))
            stack.extend((child, False) for _, child in reversed(list(module.named_children())))
    return found


def _key_problems(missing: list[Any], unexpected: list[Any]) -> list[str]:
    """torch's lines for a strict load's ``missing`` and ``unexpected`` keys (``Missing key(s) in state_dict: "bias".``,
    with torch's trailing space)."""
    problems = []
    if missing:
        problems.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
    if unexpected:
        problems.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
    return problems


def _load_error(owner: str, problems: list[str]) -> StateDictError:
    """torch's error for a failed ``load_state_dict``: ``Error(s) in loading state_dict for Linear:`` then one line per
    problem, each after a tab (the missing and unexpected keys first, then the entries' sizes and types)."""
    return StateDictError(f"Error(s) in loading state_dict for {owner}:\n\t" + "\n\t".join(problems))


def _torch_size(shape: tuple[int, ...]) -> str:
    """``shape`` as torch writes a tensor's size in messages: ``torch.Size([2, 3])``."""
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _named_items(name: str, sequence: list | tuple) -> Iterator[tuple[str, Any]]:
    """(``name.i.j``, item) for the items of a list/tuple and of the lists/tuples inside it, in order (a loop:
    any depth at Python's default recursion limit)."""
    stack: list[tuple[str, Any]] = [(name, sequence)]
    while stack:
        prefix, value = stack.pop()
        if isinstance(value, (list, tuple)):
            stack.extend(reversed([(f"{prefix}.{index}", item) for index, item in enumerate(value)]))
        else:
            yield prefix, value


def _items(sequence: list | tuple) -> Iterator[Any]:
    """The items of a list/tuple and of the lists/tuples inside it, in order (as :func:`_named_items`)."""
    return (item for _, item in _named_items("", sequence))


def _shape_of(target: Any) -> tuple[int, ...]:
    return np.shape(target._data) if isinstance(target, Node) else np.shape(target)


def _dtype_of(target: Any) -> np.dtype:
    if isinstance(target, Value):
        return np.dtype(np.float64)
    return np.asarray(target._data if isinstance(target, Node) else target).dtype


def _size_lazy_modules(model: Module, state: Any) -> list[tuple[Any, ...]]:
    """Size every lazy module of ``model`` (one with ``size_from_state``: ``nn.LazyLinear`` and the like, see
    :mod:`nn.lazy`) whose entries ``state`` holds, as torch's load materializes them: its ``size_from_state`` reads
    the size from the entries' shapes, its ``become_sized`` draws the layer at that size (the values are written
    after). Returns what :func:`_unsize` needs to make them lazy again (its class, attributes and placeholders)."""
    sized: list[tuple[Any, ...]] = []
    if not isinstance(state, Mapping):
        return sized
    for name, module in model.named_modules():
        size_from_state = getattr(module, "size_from_state", None)
        if size_from_state is None:
            continue
        prefix = f"{name}." if name else ""
        shapes = {}
        for key, value in state.items():
            if isinstance(key, str) and key.startswith(prefix) and "." not in key[len(prefix) :]:
                array = _numeric_array(value)
                if array is not None:
                    shapes[key[len(prefix) :]] = array.shape
        size = size_from_state(shapes)
        if size is None:
            continue
        placeholders = [(p, type(p), p._data) for p in vars(module).values() if getattr(p, "lazy_placeholder", False)]
        sized.append((module, type(module), dict(vars(module)), placeholders))
        try:
            module.become_sized(size)
        except BaseException:
            _unsize(sized)
            raise
    return sized


def _unsize(sized: list[tuple[Any, ...]]) -> None:
    """Put the modules :func:`_size_lazy_modules` sized back as they were: lazy, with their placeholders (the same
    Parameter objects, which an optimizer may hold)."""
    for module, cls, attributes, placeholders in reversed(sized):
        module.__class__ = cls
        vars(module).clear()
        vars(module).update(attributes)
        for parameter, parameter_class, data in placeholders:
            parameter.__class__ = parameter_class
            parameter._data = data


def _numeric_array(value: Any) -> np.ndarray | None:
    """``value`` as an ndarray if it is numeric (bool/int/float/complex), else None. A foreign tensor that requires
    grad (a torch Parameter, from torch's ``state_dict(keep_vars=True)``) gives its values, as torch reads them."""
    if isinstance(value, Node):
        value = value._data
    elif getattr(value, "requires_grad", False) is True and callable(getattr(value, "detach", None)):
        value = value.detach()  # numpy cannot read a torch tensor that requires grad
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind in "biufc" else None


def _describe_entry(value: Any) -> str:
    array = _numeric_array(value)
    if array is None:
        return f"of type {type(value).__name__}"
    return f"{array.shape} {array.dtype}"


def input_for(
    layer: str, x: Any, parameter: Tensor, error: type[TypeError] = DtypeMismatchError, *, mixed_float16: bool = False
) -> Tensor:
    """``x`` as a Tensor of ``parameter``'s dtype, for a layer's forward.

    Lists and numbers are converted to the parameters' dtype (they have none of
    their own); an array or Tensor of another dtype is an ``error`` naming both
    dtypes and the two fixes, as PyTorch raises instead of silently changing the
    network's precision (see :func:`check_input_dtype`). With ``mixed_float16`` a float16 input to float32
    parameters passes: torch's CPU normalisations take it (their "mixed type"), answering in float16.
    """
    tensor = as_layer_input(layer, x, parameter)
    if not (mixed_float16 and tensor.dtype == np.float16 and parameter.dtype == np.float32):
        check_input_dtype(layer, tensor, parameter, error)
    return tensor


def as_layer_input(layer: str, x: Any, parameter: Tensor) -> Tensor:
    """``x`` as a Tensor without copying arrays; lists and numbers take ``parameter``'s dtype (a list holding Tensors
    that require grad is refused, as torch refuses a list: read as constants, they would lose their gradient)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiub":
        return as_tensor(x)  # shared, unless stored in the other byte order ('>f4') or with byte steps of part elements
    if isinstance(x, (list, tuple)):
        refuse_nodes_in_sequence(x, layer, Tensor)
    try:
        return Tensor(x, dtype=parameter.dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{layer}: expected a Tensor or an array-like of real numbers, got {type(x).__name__} ({error})"
        ) from error


def check_input_dtype(layer: str, x: Tensor, parameter: Tensor, error: type[TypeError] = DtypeMismatchError) -> None:
    """An ``error`` unless the input ``x`` has the dtype of the layer's ``parameter``, naming both and the fixes.

    The default :class:`DtypeMismatchError` is also torch's RuntimeError; a layer for which torch raises another
    class, or none, passes ``TypeError``."""
    if x.dtype != parameter.dtype:
        # the model can take the input's dtype only if it is a float one (integer images: convert the input)
        model_fix = _MODEL_DTYPE_METHODS.get(x.dtype.name)
        # a float64 input next to float32 layers usually comes from the factories' float64 default (torch's is
        # float32): a script written for torch runs as it does there once the default is torch's
        default_fix = (
            "; autograd's factories (ones, randn, tensor of Python floats) make float64 unless "
            "autograd.set_default_dtype(autograd.float32), torch's default"
            if x.dtype == np.float64 and parameter.dtype == np.float32 and get_default_dtype() == np.float64
            else ""
        )
        raise error(
            f"{layer}: input dtype {x.dtype} (input shape {x.shape}) does not match the layer's parameters "
            f"({parameter.dtype}); convert the input (x.astype(np.{parameter.dtype.name}))"
            + (f" or the model ({model_fix})" if model_fix else "")
            + default_fix
        )


#: The Module method that gives a model the parameters of a float input's dtype.
_MODEL_DTYPE_METHODS = {"float64": "model.double()", "float32": "model.float()", "float16": "model.half()"}


def _copies_into(array: np.ndarray, target_dtype: np.dtype) -> bool:
    """Whether ``load_state_dict`` copies ``array`` into a parameter or buffer of ``target_dtype``, as torch's
    ``copy_`` casts: between any real dtypes (floats into integers truncated toward zero, integers wrapped into
    narrower ones as two's complement, nonzero into bool True), but a float into an integer dtype only when it is
    finite and its truncation lies in that dtype's range (torch's result for others is the platform's, not a
    number's), and complex only into complex (the library has no complex tensors; torch drops the imaginary part)."""
    target_kind = np.dtype(target_dtype).kind
    if array.dtype.kind == "c" or target_kind == "c":
        return np.can_cast(array.dtype, target_dtype, casting="same_kind")
    if array.dtype.kind != "f" or target_kind not in "iu":
        return True
    limits = np.iinfo(target_dtype)
    with np.errstate(invalid="ignore"):
        whole = np.trunc(array)  # float(max) + 1 is 2**bits (exactly) for every integer dtype
        return bool(np.all((whole >= limits.min) & (whole < float(limits.max) + 1)))


# -- hooks common to all modules (torch's nn.modules.module.register_module_*) ----------------------------------
def register_module_forward_pre_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call ``hook(module, args)`` before the forward of every module, as torch's: before the module's own
    forward pre-hooks; a result other than None replaces the positional inputs (a non-tuple becomes the one
    input). Keyword arguments go to ``forward`` only. The handle's ``remove()`` unregisters it (also on leaving
    a ``with`` block). While no global hook is registered, calling a module costs nothing more."""
    return add_global_hook("register_module_forward_pre_hook", "_forward_pre_hooks", hook)


def register_module_forward_hook(
    hook: Callable[..., Any], *, with_kwargs: bool = False, always_call: bool = False
) -> HookHandle:
    """Call ``hook(module, args, output)`` after the forward of every module, as torch's: before the module's own
    forward hooks; a result other than None replaces the output (``with_kwargs``: ``hook(module, args, kwargs,
    output)``). ``always_call`` runs it also when the call raises (output None if the forward itself did), before
    the module's own always-called hooks, then the error propagates. The handle's ``remove()`` unregisters it."""
    return add_global_hook("register_module_forward_hook", "_forward_hooks", hook, with_kwargs, always_call)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call ``hook(module, grad_output)`` for every module, as :meth:`Module.register_full_backward_pre_hook`
    does for one, before the module's own. The handle's ``remove()`` unregisters it."""
    return add_global_hook("register_module_full_backward_pre_hook", "_backward_pre_hooks", hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call ``hook(module, grad_input, grad_output)`` for every module, as :meth:`Module.register_full_backward_hook`
    does for one, before the module's own. The handle's ``remove()`` unregisters it."""
    return add_global_hook("register_module_full_backward_hook", "_backward_hooks", hook)


def register_module_backward_hook(hook: Callable[..., Any]) -> HookHandle:
    """torch's deprecated global non-full backward hook: as :meth:`Module.register_backward_hook`, it runs as
    :func:`register_module_full_backward_hook` (``grad_input`` holds one entry per positional argument of
    ``forward``), with a warning. Refused (torch's RuntimeError) while a hook of
    :func:`register_module_full_backward_hook` is registered, and the other way round. The handle's ``remove()``
    unregisters it."""
    handle = add_global_hook("register_module_backward_hook", "_backward_hooks", hook, non_full=True)
    warnings.warn(
        "register_module_backward_hook is deprecated (as in torch); it runs as register_module_full_backward_hook, "
        "whose grad_input has one entry per positional argument of forward",
        FutureWarning,
        stacklevel=2,
    )
    return handle


def register_module_buffer_registration_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call ``hook(module, name, buffer)`` each time a buffer is registered, as torch's: by ``register_buffer``, by
    assigning an ``nn.Buffer``, and by assigning an array, a Tensor or None to a buffer's attribute; a result other
    than None is registered instead. The handle's ``remove()`` unregisters it."""
    return add_global_hook("register_module_buffer_registration_hook", "_buffer_registration_hooks", hook)


def register_module_module_registration_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call ``hook(module, name, submodule)`` each time a sub-module is registered, as torch's: by ``add_module`` /
    ``register_module`` (None too), by assigning a Module to an attribute (``self.fc = nn.Linear(...)``) or None
    to a sub-module's, and for each entry a Sequential, ModuleList or ModuleDict is built with or given (``[i] =``,
    ``append``, ``extend``, ``update``; not ``insert``, as torch's); a result other than None is added instead.
    The handle's ``remove()`` unregisters it. Unlike torch's, assigning None to an attribute already None does not
    call it (a sub-module set to None leaves a plain None attribute here, not an empty sub-module slot)."""
    return add_global_hook("register_module_module_registration_hook", "_module_registration_hooks", hook)


def register_module_parameter_registration_hook(hook: Callable[..., Any]) -> HookHandle:
    """Call ``hook(module, name, param)`` each time a parameter (not None) is registered, as torch's: by
    ``register_parameter``, by assigning an ``nn.Parameter`` to an attribute (a layer's own weight and bias in its
    ``__init__``), and for each entry a ParameterList or ParameterDict is built with or given (made a Parameter
    first); a result other than None is registered instead. The handle's ``remove()`` unregisters it. A leaf
    ``Value`` assigned to an attribute (the micrograd-style parameters, which torch has not) does not call it."""
    return add_global_hook("register_module_parameter_registration_hook", "_parameter_registration_hooks", hook)
