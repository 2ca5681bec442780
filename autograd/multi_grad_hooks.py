"""``register_multi_grad_hook``: one hook over the gradients of several nodes, as torch.autograd.graph's.

Built, as torch's, on the nodes' own hooks (:meth:`Node.register_hook`), so it runs at the place its hooks hold
among the others of each node. A backward pass publishes the nodes it reaches while such a hook exists
(:mod:`autograd.graph_tasks`), which is how the hook knows, per pass, which of its nodes to wait for.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import Node, RemovableHandle
from .graph_tasks import GraphTask, GraphTasks, current_task

__all__ = ["MultiGradHookError", "register_multi_grad_hook"]

_MODES = ("all", "any")


class MultiGradHookError(RuntimeError, AssertionError):
    """A node given to ``register_multi_grad_hook(mode="all")`` that does not require grad: a RuntimeError (the
    house rule for a misuse) that is also the AssertionError torch raises there, so code written for either
    catches it."""


class _MultiHandle(RemovableHandle):
    """The handle of a multi-grad hook: ``remove()`` takes its hook off every node it was registered on."""

    def __init__(self, handles: tuple[RemovableHandle, ...], unwatch: Callable[[], Any]) -> None:
        super().__init__({})
        self._handles = handles
        self._unwatch = unwatch

    def remove(self) -> None:
        """Unregister the hook from all its nodes (idempotent)."""
        for handle in self._handles:
            handle.remove()
        self._unwatch()


class _AllGradients:
    """The ``mode="all"`` hook's state: per pass, how many of its nodes the pass still owes a gradient, and the
    gradients so far (one slot per node given, None until its gradient comes)."""

    def __init__(self, nodes: tuple[Node, ...], fn: Callable[[list[Any]], Any]) -> None:
        # weakly: the nodes hold their hooks, which hold this state (strong references would make a cycle)
        self.nodes = tuple(weakref.ref(node) for node in nodes)
        self.fn = fn
        self.lock = threading.Lock()

    def hook_for(self, position: int) -> Callable[[Any], None]:
        """The hook registered on the node at ``position``: it fills that slot."""

        def gradient_of_one(grad: Any) -> None:
            task = current_task()
            if task is None:  # (registered while the pass already ran: it is published from the next pass on)
                return
            with self.lock:
                state = task.states.get(self)
                if state is None:  # the first of its nodes this pass reaches
                    reached = sum(task.reaches(node) for node in map(_called, self.nodes) if node is not None)
                    state = task.states[self] = [reached, [None] * len(self.nodes)]
                    task.at_end(self, lambda: self._call(task))
                state[0] -= 1
                state[1][position] = _kept(grad)
                done = state[0] <= 0
            if done:
                self._call(task)

        return gradient_of_one

    def _call(self, task: GraphTask) -> None:
        """Call ``fn`` with this pass's gradients (at the last one, or at the end of the pass when one of the nodes
        it reaches got no gradient from the rules, where torch's hooks get None)."""
        with self.lock:
            state = task.states.pop(self, None)
            task.at_end(self, None)
        if state is not None:
            self.fn(state[1])


class _AnyGradient:
    """The ``mode="any"`` hook: ``fn`` sees the first gradient of its nodes in each pass, and no other."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.lock = threading.Lock()

    def __call__(self, grad: Any) -> None:
        task = current_task()
        if task is None:
            return
        with self.lock:
            if self in task.states:
                return
            task.states[self] = True
        self.fn(_kept(grad))


def _called(reference: weakref.ref) -> Any:
    return reference()


def _kept(grad: Any) -> Any:
    """``grad`` as ``fn`` may keep it: an array is copied (the pass may make that very array a leaf's ``.grad``,
    which later passes add into in place; torch's ``fn`` keeps gradients no later pass changes)."""
    return grad.copy() if isinstance(grad, np.ndarray) else grad


def register_multi_grad_hook(
    tensors: Sequence[Node],
    fn: Callable[[Any], Any],
    *,
    mode: str = "all",
) -> RemovableHandle:
    """Register ``fn`` on the gradients of several nodes (torch.autograd.graph's ``register_multi_grad_hook``).

    ``mode="all"``: in each backward pass that reaches some of ``tensors``, ``fn(grads)`` is called once, when the
    gradients of all of them that the pass reaches are computed: ``grads`` has one entry per node given, None for
    those the pass does not reach (not in its graph, or off the paths to the ``inputs`` of ``backward(inputs=...)``
    or ``autograd.grad``). A pass that reaches none of them calls nothing. Every node must require grad.
    ``mode="any"``: ``fn(grad)`` is called once per pass, with the first gradient computed among ``tensors`` (those
    that do not require grad are passed over). ``fn``'s result is ignored; it should not change its arguments.

    The returned handle's ``remove()`` takes the hook off every node. A hook registered while a pass runs counts from
    the next pass on.
    """
    if mode not in _MODES:
        raise ValueError(f"Expects mode to be one of {_MODES} but got {mode}")
    nodes = tuple(tensors)
    for position, node in enumerate(nodes):
        if not isinstance(node, Node):
            raise TypeError(
                f"register_multi_grad_hook: tensors[{position}] is a {type(node).__name__}, not a Tensor or Value"
            )
        if mode == "all" and not node.requires_grad:
            raise MultiGradHookError(
                f"register_multi_grad_hook: tensors[{position}] does not require grad, so no gradient is ever "
                "computed for it (Expected gradient function to be set)"
            )
    if mode == "all":
        state = _AllGradients(nodes, fn)
        handles = tuple(node.register_hook(state.hook_for(position)) for position, node in enumerate(nodes))
    else:
        state = _AnyGradient(fn)
        handles = tuple(node.register_hook(state) for node in nodes if node.requires_grad)
    GraphTasks.watch()
    # passes stop publishing themselves once the hook is removed, or gone with every node it was registered on
    return _MultiHandle(handles, weakref.finalize(state, GraphTasks.unwatch))
