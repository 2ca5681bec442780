"""torch's ``nn.utils.skip_init``: a module built without its parameters' initial draws being wanted."""

from __future__ import annotations

import inspect
from typing import Any

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type[Module], *args: Any, **kwargs: Any) -> Module:
    """``module_cls(*args, **kwargs)``, as torch's ``skip_init``, whose parameters hold whatever values torch's
    uninitialized memory holds; here they hold the constructor's usual draws (values the caller overwrites, as
    torch's, before using them). As torch's, ``module_cls`` must be a Module class taking a ``device`` argument;
    otherwise a RuntimeError."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)
