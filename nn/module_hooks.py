"""torch's hooks of a Module: ``register_forward_pre_hook``, ``register_forward_hook`` and the full backward
hooks (:mod:`nn.module_backward_hooks`) keep their hooks here, and :func:`call_with_hooks` runs a forward
between them. The hooks common to all modules (torch's ``nn.modules.module.register_module_forward_hook`` and
kin) live here too, in :data:`GLOBAL_HOOKS`: they run before each module's own."""

from __future__ import annotations

import itertools
import warnings
import weakref
from collections import OrderedDict
from functools import partial
from typing import Any

from .module_backward_hooks import backward_hook_call
from .module_global_hooks import (
    GLOBAL_ALWAYS_CALLED,
    GLOBAL_CALL_HOOKS,
    GLOBAL_HOOKS,
    GLOBAL_NON_FULL_BACKWARD,
    GLOBAL_REGISTRATION_HOOKS,
    GLOBAL_WITH_KWARGS,
    HOOK_TABLES,
    REGISTRATION_TABLES,
    check_global_backward_kind,
    hooks_of,
    with_kwargs_ids,
)
from .warning_site import user_stacklevel

__all__ = [
    "ALWAYS_CALLED",
    "GLOBAL_CALL_HOOKS",
    "GLOBAL_HOOKS",
    "HOOKED",
    "HOOK_TABLES",
    "HookHandle",
    "add_global_hook",
    "add_hook",
    "call_with_hooks",
    "registered",
]

_ids = itertools.count()

#: The attribute :func:`add_hook` sets on a Module once it has any hook table; a module without it is called
#: directly (``Module.__call__`` tests this one key instead of each table's).
HOOKED = "_has_hook_tables"

#: The attribute holding the ids of a Module's forward hooks registered with ``always_call=True``.
ALWAYS_CALLED = "_forward_hooks_always_called"


class HookHandle:
    """What registering a hook returns: ``remove()`` unregisters it (also on leaving a ``with`` block). As torch's
    ``RemovableHandle`` it holds its table weakly: ``hooks_dict_ref()`` is the table (None once it is gone), and a
    handle kept after its module is dropped keeps nothing alive; it pickles (with its table) as torch's does."""

    def __init__(self, hooks: OrderedDict[int, Any], *id_sets: set[int] | None) -> None:
        self.hooks_dict_ref = _weak(hooks)
        self._id_sets = [ids for ids in id_sets if ids is not None]  # (always-called, with-kwargs, global ids)
        self.id = next(_ids)

    def remove(self) -> None:
        """Unregister the hook (again: nothing happens)."""
        table = self.hooks_dict_ref()
        if table is not None:
            table.pop(self.id, None)
        for ids in self._id_sets:
            ids.discard(self.id)

    def __getstate__(self) -> tuple[Any, ...]:
        return self.hooks_dict_ref(), self._id_sets, self.id

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        table, self._id_sets, self.id = state
        self.hooks_dict_ref = _weak(OrderedDict() if table is None else table)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()


def _weak(table: Any) -> Any:
    """A weak reference to a hook table, or (a table that takes none, such as a plain dict put in its place) a
    callable returning it."""
    try:
        return weakref.ref(table)
    except TypeError:
        return partial(_same, table)


def _same(table: Any) -> Any:
    return table


def add_hook(
    module: Any, kind: str, hook: Any, prepend: bool, with_kwargs: bool, always_call: bool = False
) -> HookHandle:
    """Register ``hook`` in ``module``'s ``kind`` table (one of :data:`HOOK_TABLES`); ``always_call`` (forward
    hooks) runs it even when the forward raises (see :func:`call_with_hooks`)."""
    if not callable(hook):
        raise TypeError(f"{kind.strip('_')}: the hook must be callable, got {type(hook).__name__}")
    if kind not in HOOK_TABLES:
        raise ValueError(f"add_hook: unknown hook table {kind!r}")
    hooks = module.__dict__.setdefault(kind, OrderedDict())
    module.__dict__[HOOKED] = True
    always_called = module.__dict__.setdefault(ALWAYS_CALLED, set()) if always_call else None
    keyword = module.__dict__.setdefault(with_kwargs_ids(kind), set()) if with_kwargs else None
    handle = HookHandle(hooks, always_called, keyword)
    hooks[handle.id] = hook  # the hook itself, as torch's table holds it (``_forward_pre_hooks.values()``)
    for ids in (always_called, keyword):
        if ids is not None:
            ids.add(handle.id)
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def add_global_hook(
    function: str, kind: str, hook: Any, with_kwargs: bool = False, always_call: bool = False, non_full: bool = False
) -> HookHandle:
    """Register ``hook`` in the global ``kind`` table (see :data:`GLOBAL_HOOKS`) for ``function`` (the
    ``register_module_*`` function, named in errors); ``always_call`` (forward hooks) as in :func:`add_hook`;
    ``non_full``: a backward hook of the deprecated ``register_module_backward_hook``."""
    if not callable(hook):
        raise TypeError(f"{function}: the hook must be callable, got {type(hook).__name__}")
    if kind == "_backward_hooks":
        check_global_backward_kind(full=not non_full)
    hooks = GLOBAL_HOOKS[kind]
    live = (
        GLOBAL_CALL_HOOKS if kind in HOOK_TABLES else GLOBAL_REGISTRATION_HOOKS if kind in REGISTRATION_TABLES else None
    )
    handle = HookHandle(
        hooks,
        live,
        GLOBAL_ALWAYS_CALLED if always_call else None,
        GLOBAL_WITH_KWARGS if with_kwargs else None,
        GLOBAL_NON_FULL_BACKWARD if non_full else None,
    )
    hooks[handle.id] = hook
    if non_full:
        GLOBAL_NON_FULL_BACKWARD.add(handle.id)
    if with_kwargs:
        GLOBAL_WITH_KWARGS.add(handle.id)
    if live is not None:
        live.add(handle.id)
    if always_call:
        GLOBAL_ALWAYS_CALLED.add(handle.id)
    return handle


def registered(kind: str, module: Any, name: str, member: Any) -> Any:
    """``member`` after torch's global registration hooks of ``kind`` (``"buffer"``, ``"module"`` or
    ``"parameter"``): each is called as ``hook(module, name, member)``, in order, and a result other than None
    replaces the member the next one sees. Without any registration hook (the usual case) ``member`` itself."""
    if not GLOBAL_REGISTRATION_HOOKS:
        return member
    for hook in list(GLOBAL_HOOKS[f"_{kind}_registration_hooks"].values()):  # (a copy: a hook may remove one)
        result = hook(module, name, member)
        if result is not None:
            member = result
    return member


def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module.forward(*args, **kwargs)`` run as torch's ``Module.__call__``: each forward pre-hook may
    replace the inputs (a non-tuple result becomes the one positional input; with ``with_kwargs`` a pair
    (args, kwargs)), each forward hook may replace the output (None keeps it). With full backward hooks the
    positional Tensor inputs (after the pre-hooks) and the outputs (after the hooks) are wrapped for them.
    When a pre-hook, the forward or a hook raises, the forward hooks registered with ``always_call=True`` that
    have not run yet still run (output None if the forward itself failed), then the error propagates. The global
    hooks (:data:`GLOBAL_HOOKS`) of each kind run before the module's own."""
    always_called = module.__dict__.get(ALWAYS_CALLED, set())
    if GLOBAL_ALWAYS_CALLED:
        always_called = always_called | GLOBAL_ALWAYS_CALLED
    called: set[int] = set()
    output = None
    try:
        for _, (hook, with_kwargs) in hooks_of(module, "_forward_pre_hooks"):
            if with_kwargs:
                result = hook(module, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)):
                        raise RuntimeError(
                            f"{type(module).__name__}: a forward pre-hook registered with_kwargs=True must return None "
                            f"or a tuple (new_args, new_kwargs), got {result!r}"
                        )
                    args, kwargs = result
                    args = args if isinstance(args, tuple) else (args,)
            else:
                result = hook(module, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hooks = backward_hook_call(module)
        if backward_hooks is not None:
            args = backward_hooks.wrap_inputs(args)
        output = module.forward(*args, **kwargs)
        for hook_id, (hook, with_kwargs) in hooks_of(module, "_forward_hooks"):
            if hook_id in always_called:
                called.add(hook_id)
            result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
            if result is not None:
                output = result
    except Exception:
        if always_called:
            _run_always_called_hooks(module, args, kwargs, output, always_called, called)
        raise
    if backward_hooks is not None:
        output = backward_hooks.wrap_outputs(output)
    return output


def _run_always_called_hooks(
    module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any, always_called: set[int], called: set[int]
) -> None:
    """Run, after an error in a forward call, its ``always_call`` forward hooks that have not run, each seeing the
    output the previous one returned (if not None); an error in one of them becomes a warning, so the first error is
    the one that propagates (torch's rule). The global ones (``always_called`` holds their ids too) run first."""
    for hook_id, (hook, with_kwargs) in hooks_of(module, "_forward_hooks"):
        if hook_id not in always_called or hook_id in called:
            continue
        try:
            result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        except Exception as error:
            warnings.warn(
                ("global " if hook_id in GLOBAL_ALWAYS_CALLED else "")
                + "module forward hook with ``always_call=True`` raised an exception that was silenced as another error "
                f"was raised in forward: {error}",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            continue
        if result is not None:  # as torch's: a replacement output is what the next always-called hook sees
            output = result
