"""Module objects standing for torch's submodules under this package's names (``autograd.distributions.normal`` for
``torch.distributions.normal``): each holds the package's own
objects and is registered in ``sys.modules``, so ``from autograd.distributions.normal import Normal`` imports as torch's
``from torch.distributions.normal import Normal`` does, without a file of its own."""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["registered_submodule"]


def registered_submodule(name: str, doc: str, **members: Any) -> types.ModuleType:
    """A module named ``name`` (the full dotted name), documented by ``doc``, holding ``members`` (its ``__all__``),
    registered in ``sys.modules`` under that name."""
    module = types.ModuleType(name, doc)
    module.__dict__.update(members, __all__=list(members))
    sys.modules[name] = module
    return module
