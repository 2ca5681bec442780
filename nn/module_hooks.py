"""torch's hooks of a Module: ``register_forward_pre_hook``, ``register_forward_hook`` and the full backward
hooks (:mod:`nn.module_backward_hooks`) keep their hooks here, and :func:`call_with_hooks` runs a forward
between them."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any

from .module_backward_hooks import backward_hook_call

__all__ = ["HOOKED", "HOOK_TABLES", "HookHandle", "add_hook", "call_with_hooks"]

_ids = itertools.count()

#: The attributes of a Module holding its hook tables.
HOOK_TABLES = frozenset({"_forward_pre_hooks", "_forward_hooks", "_backward_hooks", "_backward_pre_hooks"})

#: The attribute :func:`add_hook` sets on a Module once it has any hook table; a module without it is called
#: directly (``Module.__call__`` tests this one key instead of each table's).
HOOKED = "_has_hook_tables"


class HookHandle:
    """What registering a hook returns: ``remove()`` unregisters it (also on leaving a ``with`` block)."""

    def __init__(self, hooks: OrderedDict[int, tuple[Any, bool]]) -> None:
        self._table = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        """Unregister the hook (again: nothing happens)."""
        self._table.pop(self.id, None)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()


def add_hook(module: Any, kind: str, hook: Any, prepend: bool, with_kwargs: bool) -> HookHandle:
    """Register ``hook`` in ``module``'s ``kind`` table (one of :data:`HOOK_TABLES`)."""
    if not callable(hook):
        raise TypeError(f"{kind.strip('_')}: the hook must be callable, got {type(hook).__name__}")
    if kind not in HOOK_TABLES:
        raise ValueError(f"add_hook: unknown hook table {kind!r}")
    hooks = module.__dict__.setdefault(kind, OrderedDict())
    module.__dict__[HOOKED] = True
    handle = HookHandle(hooks)
    hooks[handle.id] = (hook, bool(with_kwargs))
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module.forward(*args, **kwargs)`` run as torch's ``Module.__call__``: each forward pre-hook may
    replace the inputs (a non-tuple result becomes the one positional input; with ``with_kwargs`` a pair
    (args, kwargs)), each forward hook may replace the output (None keeps it). With full backward hooks the
    positional Tensor inputs (after the pre-hooks) and the outputs (after the hooks) are wrapped for them."""
    for hook, with_kwargs in list(module.__dict__.get("_forward_pre_hooks", {}).values()):
        if with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    backward_hooks = backward_hook_call(module)
    if backward_hooks is not None:
        args = backward_hooks.wrap_inputs(args)
    output = module.forward(*args, **kwargs)
    for hook, with_kwargs in list(module.__dict__.get("_forward_hooks", {}).values()):
        result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    if backward_hooks is not None:
        output = backward_hooks.wrap_outputs(output)
    return output
