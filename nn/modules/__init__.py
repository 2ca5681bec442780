"""torch's ``torch.nn.modules`` path: :mod:`nn.modules.module` holds the hooks common to all modules
(``nn.modules.module.register_module_forward_hook`` and kin), as torch's."""

from . import module

__all__ = ["module"]
