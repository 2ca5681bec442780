"""Grad mode: whether operations record a graph, as a flag per thread.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` switch the flag for a block or a
decorated function and restore it afterwards; :func:`is_grad_enabled` reads it. The same
thread-local object (``_mode``) also carries the anomaly checker in force and whether a
backward pass is running; the graph core reads it on every recorded operation.
"""

from __future__ import annotations

import functools
import inspect
import threading
import warnings
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

__all__ = ["enable_grad", "is_grad_enabled", "is_storing_gradients", "no_grad", "set_grad_enabled"]


class _GradMode(threading.local):
    enabled = True
    #: The anomaly checker in force (see :mod:`autograd.anomaly`), or None. The core calls its
    #: ``on_record(node)`` for every recorded node, ``on_backward(node, index, contribution)`` for
    #: every gradient contribution and ``where(node)`` to say where a node was created.
    anomaly: Any = None
    #: The innermost backward pass running in this thread, as ``(storing, began_at)``, or None while none
    #: runs (its rules may record nodes under ``create_graph``): ``storing`` is True while it stores gradients into
    #: ``.grad`` (``backward()``; not ``autograd.grad``): a custom Function whose backward finds leaves outside its
    #: inputs (a checkpointed closure's) adds into theirs then; ``began_at`` is the tick of the global clock at
    #: which it began. Views made after it (by a rule, or by a forward pass run inside backward, as checkpoint's
    #: second run) are brought up to date as any; the views the pass reaches, made before it, keep the history they
    #: had. (One attribute: a pass sets and restores it with one write each, where a thread-local's costs show.)
    backward_pass: tuple[bool, int] | None = None
    #: Whether the innermost ``inference_mode`` block of this thread is on: ``enable_grad`` and
    #: ``set_grad_enabled(True)`` inside it record nothing, as torch's (only ``inference_mode(False)`` does).
    inference: bool = False
    #: How many backward passes run nested inside another on this thread (see :mod:`autograd.reentrant`).
    nested_passes: int = 0
    #: This thread's token as an owner of a :class:`~autograd.reentrant.PassLock`, made at its first use: a nested
    #: pass moved to a fresh thread takes its caller's along, so it holds the locks its caller holds.
    lock_owner: Any = None
    #: This thread's :class:`_ThreadSwitches`, once it has turned its mode off.
    switches: Any = None


_mode = _GradMode()

#: The callables queued with ``Variable._execution_engine.queue_callback`` by the nodes and hooks of the backward
#: passes running, by each pass's ``began_at`` tick (see :attr:`_GradMode.backward_pass`): a pass calls its own once
#: every node has run and its leaves' ``.grad`` are filled, as torch's final callbacks; a pass that raises drops them.
queued_callbacks: dict[int, list[Any]] = {}

#: One entry (None) per thread whose grad mode is off: empty while every thread records, the usual case, when the
#: graph core's test of whether to record an op reads this plain list instead of the thread-local flag, which costs
#: several times as much. :func:`set_recording` keeps it: a thread adds an entry as it turns its mode off and takes
#: one as it turns it on (appends and pops are atomic); a thread that ends with its mode off takes its entry with it.
_not_recording: list[None] = []


class _ThreadSwitches:
    """Held by the ``_mode`` of a thread that has turned its grad mode off once: whether it is off now, so the
    thread's entry in ``_not_recording`` goes when the thread ends (its thread-local values go then)."""

    __slots__ = ("off",)

    def __del__(self) -> None:
        if self.off and _not_recording:  # (at interpreter exit the module's globals may be gone already)
            _not_recording.pop()


def set_recording(enabled: bool) -> None:
    """Turn this thread's grad mode on or off (``_mode.enabled``), keeping ``_not_recording`` in step."""
    if enabled:
        if not _mode.enabled:
            _mode.enabled = True
            _mode.switches.off = False
            _not_recording.pop()
    elif _mode.enabled:
        _not_recording.append(None)
        switches = _mode.switches
        if switches is None:
            switches = _mode.switches = _ThreadSwitches()
        switches.off = True
        _mode.enabled = False


class _AnomalyBlocks:
    """How many threads have anomaly mode on (a checker in ``_mode.anomaly``, set by ``detect_anomaly``
    or ``set_detect_anomaly``: see ``autograd.anomaly._switch``).

    Reading the thread-local ``_mode`` costs several times a plain attribute, and the core
    creates a node on every recorded operation: while no thread has anomaly mode on (the usual
    case) it skips reading ``_mode.anomaly`` altogether.
    """

    __slots__ = ("open", "_lock")

    def __init__(self) -> None:
        self.open = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self.open += 1

    def exit(self) -> None:
        with self._lock:
            self.open -= 1


_anomaly_blocks = _AnomalyBlocks()


def is_storing_gradients() -> bool:
    """Whether a backward pass runs in this thread that stores its gradients into ``.grad`` (``backward()``);
    False inside ``autograd.grad`` and outside any pass. A custom Function's backward that reaches leaves outside
    its inputs (a checkpointed closure's) adds into their ``.grad`` only then."""
    running = _mode.backward_pass
    return running is not None and running[0]


def is_grad_enabled() -> bool:
    """Return True when operations currently record a graph."""
    return not _not_recording or _mode.enabled


class _GradModeDecorator:
    """Grad-mode context managers that also decorate functions (each call runs in a fresh one)."""

    def _fresh(self) -> _GradModeDecorator:
        """A new context manager doing what this one does (one per call of a decorated function)."""
        return type(self)()

    def clone(self) -> _GradModeDecorator:
        """torch's ``clone()``: a new context manager doing what this one does."""
        return self._fresh()

    def __call__(self, function: Callable) -> Callable:
        """``function`` run in this mode; a generator function's body runs in it at every resumption. A class is
        made in this mode (its constructor called in it), with torch's FutureWarning that this is deprecated."""
        if inspect.isclass(function):
            warnings.warn(
                "Decorating classes is deprecated and will be disabled in future versions. You should only decorate "
                "functions or methods. To preserve the current behavior of class decoration, you can directly "
                "decorate the `__init__` method and nothing else.",
                FutureWarning,
                stacklevel=2,
            )
            made = function
            function = lambda *args, **kwargs: made(*args, **kwargs)  # noqa: E731 - torch's: not wrapped as the class
        if inspect.isgeneratorfunction(function):
            return self._wrap_generator(function)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return function(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, function: Callable) -> Callable:
        """A generator function whose body runs in this mode at each ``next``/``send``/``throw``/``close``, while
        the caller's code between them keeps the caller's mode (as torch's decorators on generators)."""

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Generator:
            generator = function(*args, **kwargs)
            try:
                with self._fresh():
                    response = generator.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self._fresh():
                            generator.close()
                        raise
                    except BaseException as error:
                        with self._fresh():
                            response = generator.throw(error)
                    else:
                        with self._fresh():
                            response = generator.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper


def checked_mode(mode: Any, where: str, argument: str) -> bool:
    """``mode`` as a bool, or torch's TypeError for anything else (an int, None, a string, which would otherwise
    count by their truth: ``set_grad_enabled("False")`` would record); a numpy bool is taken as a bool."""
    if type(mode) is bool or isinstance(mode, np.bool_):
        return bool(mode)
    raise TypeError(f"{where}(): argument '{argument}' must be bool, not {type(mode).__name__}")


class set_grad_enabled(_GradModeDecorator):
    """Turn graph recording on or off: as a function call, a context manager or a decorator.

    ``set_grad_enabled(False)`` switches recording off at once (as torch's); used as
    ``@set_grad_enabled(False)`` it leaves the mode as it was and switches it only while the
    decorated function runs.
    """

    def __init__(self, mode: bool) -> None:  # (torch's parameter name)
        self._enabled = checked_mode(mode, "set_grad_enabled", "mode")
        self._previous = _mode.enabled
        set_recording(self._enabled and not _mode.inference)

    @property
    def mode(self) -> bool:
        """The mode this block (or decorated function) runs in: torch's attribute."""
        return self._enabled

    def __enter__(self) -> None:
        set_recording(self._enabled and not _mode.inference)

    def __exit__(self, *exc_info: object) -> None:
        set_recording(self._previous)

    def _fresh(self) -> set_grad_enabled:
        return set_grad_enabled(self._enabled)

    def __call__(self, function: Callable) -> Callable:
        set_recording(self._previous)  # decorating must not change the mode (the constructor did)
        return super().__call__(function)


class no_grad(_GradModeDecorator):
    """Context manager: operations inside record no graph (results are constants).

    Also usable as a decorator, with or without parentheses (``@no_grad()``, ``@no_grad``)::

        with no_grad():
            y = x * 2          # y.requires_grad is False
    """

    def __new__(cls, function: Callable | None = None) -> Any:
        if function is None:
            return super().__new__(cls)
        return cls()(function)

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        set_recording(False)

    def __exit__(self, *exc_info: object) -> None:
        set_recording(self._previous)


class enable_grad(no_grad):
    """Context manager (and decorator, as :class:`no_grad`) that re-enables graph recording inside ``no_grad``;
    inside ``inference_mode`` nothing is recorded all the same, as torch's."""

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        set_recording(not _mode.inference)
