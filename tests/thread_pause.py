"""Pausing a thread at a chosen point of the library's code, for the tests of races between threads.

A test runs an action in a thread under a trace (or profile) function that stops it once, where the race is
(:class:`Pause`, with the tracers below), does the other thread's part meanwhile, then lets it go on::

    pause = Pause()
    with paused_thread(lambda: loss.backward(), on_call(pause, some_function.__code__), pause) as errors:
        ...  # the thread waits at the start of some_function
    assert errors == []  # the thread has ended

Every wait has a 10 s timeout, so a pause point the thread never reaches fails the test's own assertions (and
``pause.reached.is_set()`` says whether it was reached) instead of hanging the run.
"""

from __future__ import annotations

import linecache
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import CodeType
from typing import Any

__all__ = ["Pause", "at_line", "at_line_number", "before_c_call", "in_comprehension", "on_call", "paused_thread"]

#: How long a paused thread, or the thread waiting for it, waits at most.
TIMEOUT = 10

Tracer = Callable[[Any, str, Any], Any]


class Pause:
    """One pause: ``reached`` is set once a thread got to the point, ``go_on`` lets it continue."""

    def __init__(self) -> None:
        self.reached, self.go_on = threading.Event(), threading.Event()

    def hold(self) -> None:
        """Pause the calling thread here, the first time only, until ``go_on`` is set."""
        if not self.reached.is_set():
            self.reached.set()
            self.go_on.wait(timeout=TIMEOUT)


def on_call(pause: Pause, code: CodeType) -> Tracer:
    """A trace function holding ``pause`` as a frame of ``code`` starts (before its first line)."""

    def tracer(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is code:
            pause.hold()

    return tracer


def at_line(pause: Pause, code: CodeType, text: str) -> Tracer:
    """A trace function holding ``pause`` before the first line of ``code`` whose statement is ``text`` runs: the
    line's source without its comment (from the first ``#``), stripped."""

    def local(frame: Any, event: str, arg: Any) -> Tracer | None:
        if frame.f_code is not code:
            return None
        if event == "line" and not pause.reached.is_set():
            if linecache.getline(code.co_filename, frame.f_lineno).partition("#")[0].strip() == text:
                pause.hold()
        return local

    return local


def at_line_number(pause: Pause, code: CodeType, count: int, inner: str = "<listcomp>") -> Tracer:
    """A trace function holding ``pause`` at the ``count``-th line run in ``code`` and in the frames named ``inner``
    that ``code`` starts (a comprehension's, which has a frame of its own up to CPython 3.11), counted together."""
    lines_run = [0]

    def local(frame: Any, event: str, arg: Any) -> Tracer:
        if event == "line" and not pause.reached.is_set():
            lines_run[0] += 1
            if lines_run[0] == count:
                pause.hold()
        return local

    def tracer(frame: Any, event: str, arg: Any) -> Tracer | None:
        if frame.f_code is code or (frame.f_code.co_name == inner and frame.f_back.f_code is code):
            return local
        return None

    return tracer


def in_comprehension(pause: Pause, code: CodeType, text: str) -> Tracer:
    """A trace function holding ``pause`` as a comprehension or generator expression of ``code``, on a line whose
    source holds ``text``, starts: its iterator made, no item read yet (they have frames of their own up to
    CPython 3.11, the Python this project pins)."""

    def local(frame: Any, event: str, arg: Any) -> Tracer:
        if event == "line":
            pause.hold()
        return local

    def tracer(frame: Any, event: str, arg: Any) -> Tracer | None:
        if frame.f_code.co_name.startswith("<") and frame.f_back.f_code is code:
            if text in linecache.getline(frame.f_code.co_filename, frame.f_lineno):
                return local
        return None

    return tracer


def before_c_call(pause: Pause, function: Callable[..., Any]) -> Tracer:
    """A profile function (``profile=True``) holding ``pause`` before a call of the built-in ``function``."""

    def profiler(frame: Any, event: str, arg: Any) -> None:
        if event == "c_call" and arg is function:
            pause.hold()

    return profiler


@contextmanager
def paused_thread(
    action: Callable[[], Any],
    tracer: Tracer,
    pause: Pause,
    *,
    catch: type[BaseException] | tuple[type[BaseException], ...] = BaseException,
    profile: bool = False,
) -> Iterator[list[BaseException]]:
    """Run ``action`` in a new thread under ``tracer`` (``sys.settrace``, or ``sys.setprofile`` with ``profile``);
    enter once it holds ``pause`` (or after the timeout), and on leaving let it go on and wait for its end.

    Yields the list of what ``action`` raised of ``catch`` (filled by the time the block is left); ``catch=()``
    leaves every error to the thread (printed, the test's assertions then fail)."""
    errors: list[BaseException] = []
    install = sys.setprofile if profile else sys.settrace

    def run() -> None:
        install(tracer)
        try:
            action()
        except catch as error:
            errors.append(error)
        finally:
            install(None)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        pause.reached.wait(timeout=TIMEOUT)
        yield errors
    finally:
        pause.go_on.set()
        thread.join()
