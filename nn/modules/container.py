"""torch's ``torch.nn.modules.container`` path: the containers, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.container.Sequential)`` finds them)."""

from __future__ import annotations

from ..containers import ModuleDict, ModuleList, ParameterDict, ParameterList
from ..layers import Sequential

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
