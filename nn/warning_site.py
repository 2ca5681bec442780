"""Where the library's warnings point: the user's line, however deep inside autograd and nn the warning is raised;
and torch's deprecated aliases, which warn there."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

import autograd

__all__ = ["deprecated_alias", "user_stacklevel"]

#: The directories of the library's two packages.
_LIBRARY = tuple(directory + os.sep for directory in (os.path.dirname(autograd.__file__), os.path.dirname(__file__)))


def user_stacklevel() -> int:
    """The ``stacklevel`` at which the function calling this, warning, points at the first frame outside autograd
    and nn (the user's call, however many of the library's frames lie between: decorators, layers, constructors)."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_LIBRARY):
        frame, level = frame.f_back, level + 1
    return level


def deprecated_alias(function: Callable[..., Any], module: str) -> Callable[..., Any]:
    """torch's deprecated spelling of ``function`` without its trailing underscore (``init.xavier_uniform(w)``,
    ``clip_grad_norm(...)``, as older tutorials write them): the same call, after torch's FutureWarning
    "`{module}.{old}` is now deprecated in favor of `{module}.{new}`." pointing at the caller's line."""
    new_name = function.__name__
    old_name = new_name[:-1]

    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"`{module}.{old_name}` is now deprecated in favor of `{module}.{new_name}`.",
            FutureWarning,
            stacklevel=user_stacklevel(),
        )
        return function(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old_name
    alias.__doc__ = f"{old_name}(...): deprecated, as in torch; use :func:`{module}.{new_name}`."
    alias.__wrapped__ = function  # type: ignore[attr-defined]  # (inspect.signature reads its arguments)
    return alias
