"""torch's ``torch.nn.modules.module``: :class:`~nn.Module`, the functions that register hooks common to all
modules (defined in :mod:`nn.module`), and ``_IncompatibleKeys`` (``load_state_dict``'s result, as torch's).

torch's private tables of those hooks (``_global_forward_hooks`` and kin) are here to read (``len``, ``in``) as
torch code does; the always-called and with-kwargs ones are sets of hook ids here. Assigning new tables in their
place, as torch's own tests do to clear them, changes nothing: remove a hook through its handle."""

from ..module import (
    IncompatibleKeys,
    Module,
    register_module_backward_hook,
    register_module_buffer_registration_hook,
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
    register_module_module_registration_hook,
    register_module_parameter_registration_hook,
)
from ..module_global_hooks import GLOBAL_ALWAYS_CALLED, GLOBAL_HOOKS, GLOBAL_WITH_KWARGS
from ..module_hooks import HookHandle as RemovableHandle

_IncompatibleKeys = IncompatibleKeys  # torch's name of load_state_dict's result

_global_forward_pre_hooks = GLOBAL_HOOKS["_forward_pre_hooks"]
_global_forward_hooks = GLOBAL_HOOKS["_forward_hooks"]
_global_backward_pre_hooks = GLOBAL_HOOKS["_backward_pre_hooks"]
_global_backward_hooks = GLOBAL_HOOKS["_backward_hooks"]
_global_buffer_registration_hooks = GLOBAL_HOOKS["_buffer_registration_hooks"]
_global_module_registration_hooks = GLOBAL_HOOKS["_module_registration_hooks"]
_global_parameter_registration_hooks = GLOBAL_HOOKS["_parameter_registration_hooks"]
_global_forward_hooks_always_called = GLOBAL_ALWAYS_CALLED
_global_forward_hooks_with_kwargs = GLOBAL_WITH_KWARGS

__all__ = [
    "Module",
    "RemovableHandle",
    "register_module_backward_hook",
    "register_module_buffer_registration_hook",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
    "register_module_module_registration_hook",
    "register_module_parameter_registration_hook",
]
