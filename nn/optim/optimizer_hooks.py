"""torch's optimizer hooks: around ``step()`` (per optimizer and for every optimizer), ``state_dict()`` and
``load_state_dict()``.

* A step pre-hook ``hook(optimizer, args, kwargs)`` runs before the step (the global ones first) and may return
  ``(new_args, new_kwargs)`` to replace the step's arguments (``args`` starts with the optimizer itself, as
  torch's); a step post-hook ``hook(optimizer, args, kwargs)`` runs after it (the global ones last).
* ``state_dict`` pre-hooks ``hook(optimizer)`` run before the state is packed, post-hooks
  ``hook(optimizer, state_dict)`` after, and may return a state dict to use instead.
* ``load_state_dict`` pre-hooks ``hook(optimizer, state_dict)`` run on a shallow copy of the argument before it is
  checked and may return a state dict to load instead; post-hooks ``hook(optimizer)`` run once it is loaded.

Each register function returns a handle whose ``remove()`` unregisters the hook; ``prepend=True`` puts a hook
before those already registered.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..module_hooks import HookHandle

__all__ = [
    "OptimizerHooks",
    "hooked_step",
    "register_optimizer_step_post_hook",
    "register_optimizer_step_pre_hook",
]

_GLOBAL_STEP_PRE_HOOKS: OrderedDict[int, Any] = OrderedDict()
_GLOBAL_STEP_POST_HOOKS: OrderedDict[int, Any] = OrderedDict()


def _register(table: OrderedDict[int, Any], hook: Any, what: str, prepend: bool = False) -> HookHandle:
    if not callable(hook):
        raise TypeError(f"{what}: the hook must be callable, got {type(hook).__name__}")
    handle = HookHandle(table)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> HookHandle:
    """Run ``hook(optimizer, args, kwargs)`` before every optimizer's ``step()`` (torch's global pre-hook)."""
    return _register(_GLOBAL_STEP_PRE_HOOKS, hook, "register_optimizer_step_pre_hook")


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> HookHandle:
    """Run ``hook(optimizer, args, kwargs)`` after every optimizer's ``step()`` (torch's global post-hook)."""
    return _register(_GLOBAL_STEP_POST_HOOKS, hook, "register_optimizer_step_post_hook")


def _table(optimizer: Any, name: str) -> OrderedDict[int, Any]:
    """The optimizer's hook table ``name``, made on first use (optimizers saved before hooks existed have none)."""
    return optimizer.__dict__.setdefault(name, OrderedDict())


def _hooks(optimizer: Any, name: str) -> list[Any]:
    return list(optimizer.__dict__.get(name, {}).values())


def hooked_step(step: Callable[..., Any]) -> Callable[..., Any]:
    """``step`` run between the step hooks, noting on the optimizer that a step ran (``_opt_called``: a scheduler
    stepped before any optimizer step warns, as torch's). A step called from inside another step of the same
    optimizer (a subclass's ``super().step()``) runs without the hooks a second time."""

    @functools.wraps(step)
    def step_with_hooks(*args: Any, **kwargs: Any) -> Any:
        optimizer = args[0]
        own = optimizer.__dict__
        own["_opt_called"] = True
        if own.get("_in_step"):
            return step(*args, **kwargs)
        if _GLOBAL_STEP_PRE_HOOKS or own.get("_step_pre_hooks"):  # (no list to build in the usual case: none)
            for hook in [*_GLOBAL_STEP_PRE_HOOKS.values(), *_hooks(optimizer, "_step_pre_hooks")]:
                result = hook(optimizer, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            f"{type(optimizer).__name__}.step: a step pre-hook must return None or a tuple "
                            f"(new_args, new_kwargs), got {result!r}"
                        )
                    args, kwargs = result
        own["_in_step"] = True
        try:
            out = step(*args, **kwargs)
        finally:
            own["_in_step"] = False
        # looked up after the step: its closure may add one
        if _GLOBAL_STEP_POST_HOOKS or own.get("_step_post_hooks"):
            for hook in [*_hooks(optimizer, "_step_post_hooks"), *_GLOBAL_STEP_POST_HOOKS.values()]:
                hook(optimizer, args, kwargs)
        return out

    step_with_hooks._hooked = True  # type: ignore[attr-defined]
    return step_with_hooks


class OptimizerHooks:
    """The register methods of torch's ``Optimizer`` hooks (mixed into :class:`~nn.optim.optimizer.Optimizer`)."""

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Run ``hook(optimizer, args, kwargs)`` before this optimizer's ``step()``; it may return
        ``(new_args, new_kwargs)``."""
        return _register(_table(self, "_step_pre_hooks"), hook, "register_step_pre_hook")

    def register_step_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """Run ``hook(optimizer, args, kwargs)`` after this optimizer's ``step()``."""
        return _register(_table(self, "_step_post_hooks"), hook, "register_step_post_hook")

    def register_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> HookHandle:
        """Run ``hook(optimizer)`` before ``state_dict()`` packs the state."""
        return _register(_table(self, "_state_dict_pre_hooks"), hook, "register_state_dict_pre_hook", prepend)

    def register_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> HookHandle:
        """Run ``hook(optimizer, state_dict)`` on ``state_dict()``'s result; a returned dict replaces it."""
        return _register(_table(self, "_state_dict_post_hooks"), hook, "register_state_dict_post_hook", prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> HookHandle:
        """Run ``hook(optimizer, state_dict)`` before ``load_state_dict()`` checks its argument (a shallow copy);
        a returned dict is loaded instead."""
        return _register(_table(self, "_load_state_dict_pre_hooks"), hook, "register_load_state_dict_pre_hook", prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> HookHandle:
        """Run ``hook(optimizer)`` once ``load_state_dict()`` has loaded the state."""
        return _register(
            _table(self, "_load_state_dict_post_hooks"), hook, "register_load_state_dict_post_hook", prepend
        )

    def _before_state_dict(self) -> None:
        for hook in _hooks(self, "_state_dict_pre_hooks"):
            hook(self)

    def _after_state_dict(self, state_dict: dict[str, Any]) -> dict[str, Any]:
        for hook in _hooks(self, "_state_dict_post_hooks"):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _before_load_state_dict(self, state_dict: Any) -> Any:
        if "_load_state_dict_pre_hooks" not in self.__dict__:
            return state_dict
        state_dict = dict(state_dict) if isinstance(state_dict, dict) else state_dict
        for hook in _hooks(self, "_load_state_dict_pre_hooks"):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _after_load_state_dict(self) -> None:
        for hook in _hooks(self, "_load_state_dict_post_hooks"):
            hook(self)
