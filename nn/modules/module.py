"""torch's ``torch.nn.modules.module``: :class:`~nn.Module`, the functions that register hooks common to all
modules (defined in :mod:`nn.module`), and ``_IncompatibleKeys`` (``load_state_dict``'s result, as torch's)."""

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
from ..module_hooks import HookHandle as RemovableHandle

_IncompatibleKeys = IncompatibleKeys  # torch's name of load_state_dict's result

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
