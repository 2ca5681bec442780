"""Reentrant backward passes: a pass started by a rule or hook of another pass, at any depth.

A custom Function whose ``backward`` calls ``backward()`` again (torch's reentrant backward, as
``checkpoint(use_reentrant=True)`` does) nests one pass inside another, and each level costs a few Python
frames. Nested passes stack up on one thread only :data:`PASSES_PER_STACK` deep: the next one runs on a
fresh thread (whose Python stack starts empty) while the caller waits for it, as torch's engine moves a
deep reentrant pass to a worker thread of its own. Depth is then bounded by memory, not by the recursion
limit: 2000 nested passes (torch's own test) run at Python's default limit. A KeyboardInterrupt (Ctrl-C) the
waiting caller gets is raised in the nested pass too, which stops there as it would on the caller's thread.

The pass sees the caller's state on the fresh thread: its context variables (numpy's error state), its grad
mode, anomaly mode and running pass (``_mode``), and the thread-local state other modules register with
:func:`carry` (saved-tensor hooks, autocast regions, the running graph tasks, ...). Containers among that
state are shared, not copied, so what the pass pushes and pops is the caller's; what it raises is raised
to the caller, with the pass's own traceback.
"""

from __future__ import annotations

import contextvars
import ctypes
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .grad_mode import _mode, set_recording

__all__ = ["PASSES_PER_STACK", "PassLock", "carry", "nested_pass"]

#: Nested passes run on one thread before the next moves to a fresh one (each level takes about eight frames of
#: the library's, besides the caller's own backward code).
PASSES_PER_STACK = 8

Local = TypeVar("Local", bound=threading.local)

#: The thread-local objects whose state a pass moved to a fresh thread takes along (see :func:`carry`).
_carried: list[threading.local] = []
#: ``_mode``'s fields that belong to its own thread: the grad-mode flag is set with :func:`set_recording` (which
#: keeps the count of threads not recording), and the nesting depth starts again at 0.
_OWN_FIELDS = ("enabled", "switches", "nested_passes")


class PassLock:
    """A reentrant lock held by a thread together with the fresh threads its nested passes moved to: a pass that
    holds it (a leaf's, while the leaf's post-accumulate-grad hooks run) may run a backward that takes it again at
    any depth, as on one thread; other threads wait for it, as for a ``threading.RLock``."""

    __slots__ = ("_count", "_lock", "_owner")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: object | None = None
        self._count = 0

    def __enter__(self) -> PassLock:
        owner = _mode.lock_owner
        if owner is None:
            owner = _mode.lock_owner = object()
        if self._owner is owner:
            self._count += 1
            return self
        self._lock.acquire()
        self._owner, self._count = owner, 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._count -= 1
        if not self._count:
            self._owner = None
            self._lock.release()


def carry(local: Local) -> Local:
    """Register ``local`` (a ``threading.local``): a nested pass moved to a fresh thread sees its state as the
    caller's thread has it. Returns ``local`` (``_state = carry(_State())``)."""
    _carried.append(local)
    return local


def nested_pass(run: Callable[..., Any], *args: Any) -> Any:
    """``run(*args)``, a backward pass started while another one runs in this thread: on this thread while
    fewer than :data:`PASSES_PER_STACK` passes are nested here, else on a fresh one (see the module docs)."""
    depth = _mode.nested_passes
    if depth >= PASSES_PER_STACK:
        return _on_fresh_thread(run, args)
    _mode.nested_passes = depth + 1
    try:
        return run(*args)
    finally:
        _mode.nested_passes = depth


#: Seconds between the wake-ups of a thread waiting for a nested pass's thread (see :func:`_wait_for`).
_WAKE_EVERY = 0.05


def _wait_for(thread: threading.Thread, done: threading.Event) -> None:
    """Wait until the nested pass on ``thread`` sets ``done`` (or the thread ends without), waking now and then
    (the wait ends at once when ``done`` is set): an exception :func:`_stop` hands to this thread is raised only
    while it runs Python code, not while it sleeps. (Not ``Thread.join``: one that an interrupt cut short takes
    the thread for ended while it runs.)"""
    while not done.wait(_WAKE_EVERY) and thread.is_alive():
        pass


def _stop(thread: threading.Thread, done: threading.Event, error: type[BaseException]) -> None:
    """Stop the nested pass running on ``thread`` as ``error`` (the KeyboardInterrupt this thread got) stops a pass
    running on one thread: raised in it (and handed on by it to the thread a pass nested deeper runs on, if it
    waits for one), and waited for, so that no pass goes on in the background after the caller got the error."""
    if thread.ident is not None and not done.is_set():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(error))
    while True:
        try:
            _wait_for(thread, done)
            return
        except BaseException:  # (another Ctrl-C: the pass is stopping; keep waiting for it)
            continue


def _on_fresh_thread(run: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """``run(*args)`` on a new thread that starts with this thread's state; waits for it and returns what it
    returned, or raises what it raised."""
    context = contextvars.copy_context()
    recording = _mode.enabled
    mode = {name: value for name, value in vars(_mode).items() if name not in _OWN_FIELDS}
    states = [(local, dict(vars(local))) for local in _carried]
    outcome: list[tuple[bool, Any]] = []
    done = threading.Event()

    def pass_on_this_thread() -> None:
        vars(_mode).update(mode)
        for local, state in states:
            vars(local).update(state)
        set_recording(recording)
        try:
            outcome.append((True, context.run(run, *args)))
        except BaseException as error:  # (handed to the caller's thread, which raises it)
            outcome.append((False, error))
        finally:
            set_recording(True)  # the thread ends recording: it leaves no entry among the threads that are not
            done.set()

    thread = threading.Thread(target=pass_on_this_thread, name="autograd nested backward", daemon=True)
    try:
        thread.start()  # (which waits for the thread to begin: the pass may run, and be interrupted, meanwhile)
        _wait_for(thread, done)
    except BaseException as interrupt:  # Ctrl-C while waiting (or one handed on by the thread that waits for this)
        _stop(thread, done, type(interrupt))
        raise
    succeeded, result = outcome[0]
    if succeeded:
        return result
    raise result
