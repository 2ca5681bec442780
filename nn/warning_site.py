"""Where the library's warnings point: the user's line, however deep inside autograd and nn the warning is raised."""

from __future__ import annotations

import os
import sys

import autograd

__all__ = ["user_stacklevel"]

#: The directories of the library's two packages.
_LIBRARY = tuple(directory + os.sep for directory in (os.path.dirname(autograd.__file__), os.path.dirname(__file__)))


def user_stacklevel() -> int:
    """The ``stacklevel`` at which the function calling this, warning, points at the first frame outside autograd
    and nn (the user's call, however many of the library's frames lie between: decorators, layers, constructors)."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_LIBRARY):
        frame, level = frame.f_back, level + 1
    return level
