"""Anomaly mode, as torch's: stop at the first backward step whose gradient holds a NaN, naming the op and the
user's source line that made it in the forward pass.

>>> with detect_anomaly():
...     y = Value(0.0).sqrt() * 0.0   # forward values are not checked (sqrt(0) * 0 is a fine 0)
...     y.backward()                  # raises AnomalyError: Function 'SqrtBackward0' returned nan values ...

Inside :class:`detect_anomaly` every recorded node remembers the stack where it was created (torch's "traceback of
forward call"), and every gradient contribution during backward is checked for NaN, as torch checks the outputs of
each backward function. Forward results are not checked, and neither are infinities (``log(0)`` is ``-inf``, the
gradient of ``sqrt`` at 0 is ``inf``; torch lets both pass). The error is a RuntimeError with torch's sentence
("Function 'SqrtBackward0' returned nan values in its 0th output.") followed by the forward op and the user's
source line that created the node (frames inside the library are skipped). Outside the context manager the engine
pays one flag check per node.

The setting is per thread and nests: leaving the block restores whatever was in
force before it. The graph core knows nothing of this module: ``detect_anomaly``
hands it a checker object (``on_record``, ``on_backward``, ``where``) to call.
"""

from __future__ import annotations

import math
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Node, _torch_backward_name
from .grad_mode import _anomaly_blocks, _mode, checked_mode
from .shared_math import data_of

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled", "set_detect_anomaly"]


class AnomalyError(RuntimeError):
    """A backward step gave a NaN gradient while anomaly mode was on (torch's RuntimeError).

    Attributes: ``op`` (the op name), ``phase`` (``"backward"``), ``input_index`` (which input of ``op`` got the
    NaN gradient: torch's output index of the backward function) and ``origin`` (the user's
    ``traceback.FrameSummary`` that created the node, or None when it cannot be found).
    """

    def __init__(
        self, message: str, *, op: str, phase: str, input_index: int | None, origin: traceback.FrameSummary | None
    ) -> None:
        super().__init__(message)
        self.op = op
        self.phase = phase
        self.input_index = input_index
        self.origin = origin


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly checks on (or off with ``enabled=False``).

    ``check_nan=False`` (torch's option) keeps only the record of where each node was made, which the
    messages of other errors then quote; no gradient is checked."""

    def __init__(self, enabled: bool = True, *, check_nan: bool = True) -> None:
        self._enabled = bool(enabled)
        self._check_nan = bool(check_nan)
        self._previous: list[Any] = []

    def __enter__(self) -> detect_anomaly:
        self._previous.append(_switch((_CHECKER if self._check_nan else _TRACER) if self._enabled else None))
        return self

    def __exit__(self, *exc_info: object) -> None:
        _switch(self._previous.pop())

    def __call__(self, function: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self._enabled, check_nan=self._check_nan):
                return function(*args, **kwargs)

        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__doc__ = function.__doc__
        return wrapper


class set_detect_anomaly(detect_anomaly):
    """torch's ``set_detect_anomaly(mode, check_nan=True)``: turns anomaly mode on or off for the rest of the
    thread when called, or, used as a context manager, for a block only (the setting before it comes back)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(checked_mode(mode, "set_detect_anomaly", "mode"), check_nan=check_nan)
        self._outside = _switch((_CHECKER if self._check_nan else _TRACER) if self._enabled else None)

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc_info: object) -> None:
        _switch(self._outside)


def _switch(checker: _AnomalyChecker | None) -> _AnomalyChecker | None:
    """Put ``checker`` (None: anomaly mode off) in force in this thread and return the one it replaces.

    ``_anomaly_blocks`` counts the threads whose checker is not None, so that while none has one the core skips
    reading it: every change of the checker goes through here, and a plain ``set_detect_anomaly(True)`` followed
    by ``set_detect_anomaly(False)`` (or a block left) gives the count back."""
    previous = _mode.anomaly
    _mode.anomaly = checker
    if previous is None and checker is not None:
        _anomaly_blocks.enter()
    elif previous is not None and checker is None:
        _anomaly_blocks.exit()
    return previous


def is_anomaly_enabled() -> bool:
    """Return True when anomaly checks are on in this thread."""
    return _mode.anomaly is not None


def _has_nan(data: Any) -> bool:
    """Whether the number or array ``data`` holds a NaN."""
    if isinstance(data, float):
        return math.isnan(data)
    array = np.asarray(data)
    return array.dtype.kind in "fc" and bool(np.isnan(array).any())


def _describe(data: Any) -> str:
    """How many elements of the number or array ``data`` are NaN."""
    array = np.asarray(data_of(data))
    if array.size == 1:
        return "is nan"
    return f"has {int(np.isnan(array).sum())} nan of {array.size} elements (shape {array.shape})"


def _library_dirs() -> tuple[str, ...]:
    """Directories of the packages whose frames are not the user's code (autograd, nn if loaded)."""
    dirs = [os.path.dirname(os.path.abspath(__file__))]
    nn = sys.modules.get("nn")
    if nn is not None and getattr(nn, "__file__", None):
        dirs.append(os.path.dirname(os.path.abspath(nn.__file__)))
    return tuple(directory + os.sep for directory in dirs)


def user_frame(stack: list[traceback.FrameSummary] | None) -> traceback.FrameSummary | None:
    """The innermost frame of ``stack`` that lies outside autograd/ and nn/ (None if none)."""
    if not stack:
        return None
    library = _library_dirs()
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(library):
            return frame
    return None


def _where(node: Node) -> tuple[str, traceback.FrameSummary | None]:
    """'the <op> node was created at file:line, in function' plus the code line, and the frame."""
    op = node.op.name
    stack, during_backward = node._origin if node._origin is not None else (None, False)
    frame = user_frame(stack)
    if frame is None:
        return f"where the {op!r} node was created is unknown (it was made outside detect_anomaly)", None
    code = f"\n    {frame.line.strip()}" if frame.line else ""
    during = " (by a derivative rule, in a backward pass with create_graph=True)" if during_backward else ""
    return f"the {op!r} node was created{during} at {frame.filename}:{frame.lineno}, in {frame.name}{code}", frame


class _AnomalyChecker:
    """What the graph core calls while anomaly mode is on; ``check_nan=False`` (torch's) only remembers where
    nodes were made, for the messages of other errors (a version check names where its node was created) and the
    warning that names the forward call of a backward step that raised."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def on_record(self, node: Node) -> None:
        """Remember where ``node`` was created (and whether by a backward pass); its value is not checked, as
        torch's anomaly mode checks no forward value."""
        node._origin = (traceback.extract_stack()[:-2], _mode.backward_pass is not None)

    def on_backward(self, node: Node, index: int, contribution: Any) -> None:
        """Check the gradient ``node``'s rule sent to its input ``index`` for NaN."""
        if self.check_nan:
            check_backward(node, index, contribution)

    def where(self, node: Node) -> str:
        """Where ``node`` was created, for error messages."""
        return _where(node)[0]

    def on_error(self, node: Any, error: BaseException) -> None:
        """torch's notice when the backward step of ``node`` raised ``error`` (its own exception, a hook's, a
        version check's): a UserWarning naming the backward function and where its node was created in the
        forward pass, before the error goes on. A NaN found by anomaly mode names that place in its own message."""
        if isinstance(node, Node) and node.op is not None and isinstance(error, Exception):
            if not isinstance(error, AnomalyError):
                warnings.warn(
                    f"Error detected in {_torch_backward_name(node.op)}. Traceback of forward call that caused "
                    f"the error: {_where(node)[0]}",
                    UserWarning,
                    stacklevel=2,
                )


_CHECKER = _AnomalyChecker()
_TRACER = _AnomalyChecker(check_nan=False)


def check_backward(node: Node, index: int, contribution: Any) -> None:
    """Raise :class:`AnomalyError` if the gradient ``node``'s rule sent to input ``index`` holds a NaN (torch's
    check of each backward function's outputs; an infinite gradient passes, as in torch)."""
    if not _has_nan(data_of(contribution)):
        return
    op = node.op.name
    where, frame = _where(node)
    raise AnomalyError(
        f"Function '{_torch_backward_name(node.op)}' returned nan values in its {index}th output. (the gradient for "
        f"input {index} of {op!r} {_describe(contribution)}; {where})",
        op=op,
        phase="backward",
        input_index=index,
        origin=frame,
    )
