"""The hooks common to all modules (torch's ``nn.modules.module.register_module_forward_hook`` and kin): their
tables, which :mod:`nn.module_hooks` and :mod:`nn.module_backward_hooks` read before each module's own."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

__all__ = [
    "GLOBAL_ALWAYS_CALLED",
    "GLOBAL_CALL_HOOKS",
    "GLOBAL_HOOKS",
    "GLOBAL_NON_FULL_BACKWARD",
    "GLOBAL_WITH_KWARGS",
    "GLOBAL_REGISTRATION_HOOKS",
    "HOOK_TABLES",
    "REGISTRATION_TABLES",
    "check_global_backward_kind",
    "hooks_of",
    "with_kwargs_ids",
]

#: The attributes of a Module holding its hook tables.
HOOK_TABLES = frozenset({"_forward_pre_hooks", "_forward_hooks", "_backward_hooks", "_backward_pre_hooks"})

#: The tables of the global registration hooks (``register_buffer``, ``add_module``, ``register_parameter``).
REGISTRATION_TABLES = frozenset(f"_{kind}_registration_hooks" for kind in ("buffer", "module", "parameter"))

#: The hooks common to all modules, by table: the four of :data:`HOOK_TABLES` (run around every module's call,
#: before the module's own) and the registration hooks of ``register_buffer``, ``register_parameter`` and
#: ``add_module``. Each maps a hook's id to the hook, as torch's tables (the ids of those registered with
#: ``with_kwargs`` are in :data:`GLOBAL_WITH_KWARGS`).
GLOBAL_HOOKS: dict[str, OrderedDict[int, Any]] = {
    kind: OrderedDict() for kind in (*sorted(HOOK_TABLES), *sorted(REGISTRATION_TABLES))
}

#: The ids of the global hooks of :data:`HOOK_TABLES`: while it is empty (falsy) a module without hooks of its
#: own is called directly (``Module.__call__`` tests it and one dict key).
GLOBAL_CALL_HOOKS: set[int] = set()

#: The ids of the live global registration hooks (of :data:`REGISTRATION_TABLES`): while it is empty (falsy)
#: ``Module.__setattr__`` and the containers store a member without looking for hooks to run.
GLOBAL_REGISTRATION_HOOKS: set[int] = set()

#: The ids of the global forward hooks registered with ``always_call=True``.
GLOBAL_ALWAYS_CALLED: set[int] = set()

#: The ids of the global forward (pre-)hooks registered with ``with_kwargs=True``.
GLOBAL_WITH_KWARGS: set[int] = set()

#: The ids of the global backward hooks registered by the deprecated ``register_module_backward_hook`` (they run
#: as full hooks, but do not warn when they fire at the outputs, as torch's non-full hooks do not).
GLOBAL_NON_FULL_BACKWARD: set[int] = set()


def check_global_backward_kind(full: bool) -> None:
    """torch's RuntimeError for a global backward hook of one kind (``full``: ``register_module_full_backward_hook``'s,
    else the deprecated ``register_module_backward_hook``'s) while one of the other kind is registered. (torch
    refuses the other kind for good once one was registered, even after its removal; here only while it is.)"""
    non_full = len(GLOBAL_NON_FULL_BACKWARD)
    if non_full if full else len(GLOBAL_HOOKS["_backward_hooks"]) > non_full:
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks as a global Module hook. Please use "
            "only one of them."
        )


def with_kwargs_ids(kind: str) -> str:
    """The attribute of a Module holding the ids of its ``kind`` hooks registered with ``with_kwargs=True``:
    torch's ``_forward_pre_hooks_with_kwargs`` and ``_forward_hooks_with_kwargs`` (a set of ids here)."""
    return f"{kind}_with_kwargs"


def hooks_of(module: Any, kind: str) -> list[tuple[int, tuple[Any, bool]]]:
    """(id, (hook, with_kwargs)) for the ``kind`` hooks a call of ``module`` runs: the global ones, then its own
    (each table copied at once: another thread may add or remove hooks meanwhile)."""
    keyword = module.__dict__.get(with_kwargs_ids(kind), ())
    own = [(i, (hook, i in keyword)) for i, hook in list(module.__dict__.get(kind, {}).items())]
    if not GLOBAL_CALL_HOOKS:
        return own
    common = [(i, (hook, i in GLOBAL_WITH_KWARGS)) for i, hook in list(GLOBAL_HOOKS[kind].items())]
    return [*common, *own]
