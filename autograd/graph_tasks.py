"""The backward passes running in each thread, as torch calls them graph tasks, for the hooks that must know which
nodes a pass reaches (:func:`autograd.multi_grad_hooks.register_multi_grad_hook`).

A pass publishes itself here only while such a hook is registered somewhere (:attr:`GraphTasks.watched`): otherwise
the pass costs one attribute read more. A published pass is a :class:`GraphTask`: the nodes it goes through, those
it computes gradients for, and the state its hooks keep for it alone, dropped with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .reentrant import carry

if TYPE_CHECKING:  # for annotations only: core imports backprop, which imports this module
    from .core import Node

__all__ = ["GraphTask", "GraphTasks", "begin_task", "current_task", "end_task"]


class GraphTasks:
    """How many hooks that need the passes published are registered (in every thread); the pass reads ``watched``
    once, and publishes nothing while it is 0."""

    watched = 0
    _lock = threading.Lock()

    @classmethod
    def watch(cls) -> None:
        with cls._lock:
            cls.watched += 1

    @classmethod
    def unwatch(cls) -> None:
        with cls._lock:
            cls.watched -= 1


class GraphTask:
    """One backward pass as its hooks see it: ``reaches(node)`` tells whether the pass computes ``node``'s gradient
    (it is among the nodes passed, and, for a pass given ``inputs``, on a path from the roots to one of them);
    ``states`` holds what each hook keeps for this pass (by the hook's key); ``finish()`` runs the callbacks hooks
    left for the end of the pass (``at_end``), in the order they were left."""

    __slots__ = ("_passed", "_relevant", "_reached", "states", "_at_end")

    def __init__(self, passed: list[Node], relevant: set[Node] | None) -> None:
        self._passed = passed
        self._relevant = relevant
        self._reached: set[Node] | None = None
        self.states: dict[Any, Any] = {}
        self._at_end: dict[Any, Callable[[], None]] = {}

    def reaches(self, node: Node) -> bool:
        """Whether this pass computes a gradient for ``node`` (one of its rules may still give it none)."""
        if self._relevant is not None:
            return node in self._relevant
        if self._reached is None:
            self._reached = set(self._passed)
        return node in self._reached

    def at_end(self, key: Any, callback: Callable[[], None] | None) -> None:
        """Run ``callback`` when the pass has gone through all its nodes (None: drop the one left under ``key``)."""
        if callback is None:
            self._at_end.pop(key, None)
        else:
            self._at_end[key] = callback

    def finish(self) -> None:
        """Run the callbacks left for the end of the pass (each once)."""
        while self._at_end:
            key = next(iter(self._at_end))
            self._at_end.pop(key)()


class _Running(threading.local):
    #: The published passes running in this thread, innermost last (a hook may run a pass of its own).
    tasks: list[GraphTask] | None = None


_running = carry(_Running())


def begin_task(passed: list[Node], relevant: set[Node] | None) -> GraphTask:
    """Publish a pass over ``passed`` (see :class:`GraphTask`) as the innermost one of this thread."""
    task = GraphTask(passed, relevant)
    tasks = _running.tasks
    if tasks is None:
        tasks = _running.tasks = []
    tasks.append(task)
    return task


def end_task(task: GraphTask) -> None:
    """Withdraw ``task``, the innermost published pass of this thread."""
    tasks = _running.tasks
    if tasks and tasks[-1] is task:
        tasks.pop()


def current_task() -> GraphTask | None:
    """The innermost published pass running in this thread, or None."""
    tasks = _running.tasks
    return tasks[-1] if tasks else None
