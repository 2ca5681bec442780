"""torch's hooks of a Module: ``register_forward_pre_hook``, ``register_forward_hook`` and the full backward
hooks (:mod:`nn.module_backward_hooks`) keep their hooks here, and :func:`call_with_hooks` runs a forward
between them."""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from typing import Any

from .module_backward_hooks import backward_hook_call
from .warning_site import user_stacklevel

__all__ = ["ALWAYS_CALLED", "HOOKED", "HOOK_TABLES", "HookHandle", "add_hook", "call_with_hooks"]

_ids = itertools.count()

#: The attributes of a Module holding its hook tables.
HOOK_TABLES = frozenset({"_forward_pre_hooks", "_forward_hooks", "_backward_hooks", "_backward_pre_hooks"})

#: The attribute :func:`add_hook` sets on a Module once it has any hook table; a module without it is called
#: directly (``Module.__call__`` tests this one key instead of each table's).
HOOKED = "_has_hook_tables"

#: The attribute holding the ids of a Module's forward hooks registered with ``always_call=True``.
ALWAYS_CALLED = "_forward_hooks_always_called"


class HookHandle:
    """What registering a hook returns: ``remove()`` unregisters it (also on leaving a ``with`` block)."""

    def __init__(self, hooks: OrderedDict[int, tuple[Any, bool]], always_called: set[int] | None = None) -> None:
        self._table = hooks
        self._always_called = always_called
        self.id = next(_ids)

    def remove(self) -> None:
        """Unregister the hook (again: nothing happens)."""
        self._table.pop(self.id, None)
        if self._always_called is not None:
            self._always_called.discard(self.id)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()


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
    handle = HookHandle(hooks, always_called)
    hooks[handle.id] = (hook, bool(with_kwargs))
    if always_called is not None:
        always_called.add(handle.id)
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module.forward(*args, **kwargs)`` run as torch's ``Module.__call__``: each forward pre-hook may
    replace the inputs (a non-tuple result becomes the one positional input; with ``with_kwargs`` a pair
    (args, kwargs)), each forward hook may replace the output (None keeps it). With full backward hooks the
    positional Tensor inputs (after the pre-hooks) and the outputs (after the hooks) are wrapped for them.
    When a pre-hook, the forward or a hook raises, the forward hooks registered with ``always_call=True`` that
    have not run yet still run (output None if the forward itself failed), then the error propagates."""
    always_called = module.__dict__.get(ALWAYS_CALLED, ())
    called: set[int] = set()
    output = None
    try:
        for hook, with_kwargs in list(module.__dict__.get("_forward_pre_hooks", {}).values()):
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
        for hook_id, (hook, with_kwargs) in list(module.__dict__.get("_forward_hooks", {}).items()):
            if hook_id in always_called:
                called.add(hook_id)
            result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
            if result is not None:
                output = result
    except Exception:
        if always_called:
            _run_always_called_hooks(module, args, kwargs, output, called)
        raise
    if backward_hooks is not None:
        output = backward_hooks.wrap_outputs(output)
    return output


def _run_always_called_hooks(
    module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any, called: set[int]
) -> None:
    """Run, after an error in a forward call, its ``always_call`` forward hooks that have not run, each seeing the
    output the previous one returned (if not None); an error in one of them becomes a warning, so the first error is
    the one that propagates (torch's rule)."""
    always_called = module.__dict__[ALWAYS_CALLED]
    for hook_id, (hook, with_kwargs) in list(module.__dict__.get("_forward_hooks", {}).items()):
        if hook_id not in always_called or hook_id in called:
            continue
        try:
            result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        except Exception as error:
            warnings.warn(
                "module forward hook with always_call=True raised an exception that was silenced as another error "
                f"was raised in forward: {error}",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            continue
        if result is not None:  # as torch's: a replacement output is what the next always-called hook sees
            output = result
