"""The graph core shared by ``Value`` and ``Tensor``.

A :class:`Node` holds its forward ``data``, its ``grad``, the ``parents`` it was
computed from (a tuple, in argument order) and the :class:`Op` that produced it.
An ``Op`` carries one derivative rule per input (a vector-Jacobian product); the
rules live in :mod:`autograd.derivatives` and never capture the node they serve,
so a graph holds no reference cycles and is freed by reference counting.

Backward is one loop for both node kinds: an iterative topological order
(:func:`backward_order`), then the chain rule applied in reverse order, summing
the contributions a node receives from all of its children.

Repeated ``backward()`` semantics (as in PyTorch for leaves):

* leaves (nodes created by the user) *accumulate* into ``.grad`` until
  ``zero_grad()`` or ``grad = None/0`` is used;
* intermediate nodes that keep their gradient have ``.grad`` *overwritten*
  with the gradient of the most recent backward pass through them, so a second
  call never doubles them. Every ``Value`` keeps it (micrograd's teaching
  view); a ``Tensor`` keeps it only after ``retain_grad()`` (as in PyTorch), so
  large intermediate gradients are freed as soon as they have been used.
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "Node",
    "OPS",
    "Op",
    "backward_order",
    "backpropagate",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]


class _GradMode(threading.local):
    enabled = True
    anomaly = False


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Return True when operations currently record a graph."""
    return _mode.enabled


class set_grad_enabled:
    """Context manager (and function) that turns graph recording on or off."""

    def __init__(self, enabled: bool) -> None:
        self._previous = _mode.enabled
        self._enabled = bool(enabled)
        _mode.enabled = self._enabled

    def __enter__(self) -> None:
        _mode.enabled = self._enabled

    def __exit__(self, *exc_info: object) -> None:
        _mode.enabled = self._previous


class no_grad:
    """Context manager: operations inside record no graph (results are constants).

    Also usable as a decorator::

        with no_grad():
            y = x * 2          # y.requires_grad is False
    """

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        _mode.enabled = False

    def __exit__(self, *exc_info: object) -> None:
        _mode.enabled = self._previous

    def __call__(self, function: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return function(*args, **kwargs)

        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__doc__ = function.__doc__
        return wrapper


class enable_grad(no_grad):
    """Context manager that re-enables graph recording inside ``no_grad``."""

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        _mode.enabled = True


#: Every differentiable primitive, by name (filled as the derivative tables load).
OPS: dict[str, Op] = {}


class Op:
    """A differentiable primitive: its name and one derivative rule per input.

    Each rule has the signature ``rule(grad, out, *inputs, **attrs)`` and returns
    the contribution of ``grad`` (the gradient w.r.t. the output) to one input.
    ``out`` and ``inputs`` are raw numbers/arrays during an ordinary backward
    pass and graph nodes under ``create_graph=True``; the rules are written with
    operations that work on both, so one rule serves every order of derivative.

    A *variadic* op (any number of inputs) gives a single rule
    ``rule(index, grad, out, *inputs, **attrs)``.
    """

    __slots__ = ("name", "rules", "variadic")

    def __init__(self, name: str, *rules: Callable, variadic: bool = False) -> None:
        if name in OPS:
            raise ValueError(f"Op: an operation named {name!r} is already registered")
        self.name = name
        self.rules = rules
        self.variadic = variadic
        OPS[name] = self

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


class Node:
    """A vertex of the computational graph (base class of Value and Tensor)."""

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "parents",
        "op",
        "attrs",
        "label",
        "_hooks",
        "_origin",
        "retains_grad",
        "__weakref__",
    )

    #: True for node kinds whose gradients must be reduced back to a shape.
    broadcasts = False
    #: Whether new intermediate nodes of this kind keep ``.grad`` after backward.
    retains_grad_by_default = True

    # -- construction -------------------------------------------------------
    @classmethod
    def _from_op(
        cls,
        data: Any,
        op: Op,
        parents: tuple[Node, ...],
        attrs: dict | None = None,
    ) -> Node:
        """Create the output node of ``op``; record the graph only if needed."""
        node = cls.__new__(cls)
        node.data = data
        node.grad = cls._zero_grad_value
        node.label = ""
        node._hooks = None
        node.retains_grad = cls.retains_grad_by_default
        record = False
        if _mode.enabled:
            for parent in parents:
                if parent.requires_grad:
                    record = True
                    break
        if record:
            node.requires_grad = True
            node.parents = parents
            node.op = op
            node.attrs = attrs
            node._origin = None
            if _mode.anomaly:
                from .anomaly import check_forward

                node._origin = traceback.extract_stack()[:-2]
                check_forward(node)
        else:
            node.requires_grad = False
            node.parents = ()
            node.op = None
            node.attrs = None
            node._origin = None
        return node

    _zero_grad_value: Any = None

    @property
    def is_leaf(self) -> bool:
        """True for nodes not produced by a recorded operation."""
        return self.op is None

    # -- gradients ----------------------------------------------------------
    def backward(self, grad: Any = None, *, create_graph: bool = False, retain_graph: bool | None = None) -> None:
        """Backpropagate from this node, filling ``.grad`` on every node that needs it.

        ``grad`` is the seed dL/dself (1 for a one-element output). With
        ``create_graph=True`` the gradients are themselves graph nodes and can be
        differentiated again. ``retain_graph`` is accepted for PyTorch
        compatibility: graphs are never freed by backward, so a second backward
        through the same graph is always allowed (see module docs for how
        ``.grad`` then behaves).
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: this {type(self).__name__} does not require grad and has no graph "
                "(it was created from constants or inside no_grad())"
            )
        seed = self._seed_gradient(grad, create_graph)
        backpropagate([self], [seed], create_graph=create_graph, store=True)

    def _seed_gradient(self, grad: Any, create_graph: bool) -> Any:
        raise NotImplementedError

    def retain_grad(self) -> None:
        """Keep this intermediate node's ``.grad`` after backward (leaves always do)."""
        self.retains_grad = True

    def register_hook(self, hook: Callable[[Any], Any]) -> RemovableHandle:
        """Call ``hook(grad)`` when this node's gradient is computed.

        The hook may return a replacement gradient (or None to keep it). The
        returned handle's ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a node that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def _accumulate_leaf(self, total: Any) -> None:
        raise NotImplementedError

    def draw(self, **options: Any) -> Any:
        """Draw the graph that computed this node (see :func:`autograd.draw.draw_graph`)."""
        from .draw import draw_graph

        return draw_graph(self, **options)

    __hash__ = object.__hash__


class RemovableHandle:
    """Handle returned by :meth:`Node.register_hook`; ``remove()`` unregisters."""

    _next_id = 0

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        """Unregister the hook (idempotent)."""
        self._hooks.pop(self.id, None)


def backward_order(roots: Iterable[Node]) -> list[Node]:
    """Return the nodes that require grad, reachable from ``roots``, children first.

    Iterative depth-first search (no recursion), so graphs of any depth work at
    Python's default recursion limit. The result lists every node after all the
    nodes computed from it, i.e. reverse topological order. Nodes hash by
    identity, so they serve directly as set members.
    """
    visited: set[Node] = set()
    postorder: list[Node] = []
    for root in roots:
        if not root.requires_grad or root in visited:
            continue
        visited.add(root)
        stack: list[tuple[Node, Iterator[Node]]] = [(root, iter(root.parents))]
        while stack:
            node, pending_parents = stack[-1]
            for parent in pending_parents:
                if parent.requires_grad and parent not in visited:
                    visited.add(parent)
                    stack.append((parent, iter(parent.parents)))
                    break
            else:
                stack.pop()
                postorder.append(node)
    postorder.reverse()
    return postorder


def _reaches(order: list[Node], targets: Sequence[Node]) -> set[Node]:
    """The nodes of ``order`` that depend on some target (targets included)."""
    relevant = set(targets)
    for node in reversed(order):  # parents before children
        if node not in relevant and any(parent in relevant for parent in node.parents):
            relevant.add(node)
    return relevant


def _ieee_retry(rule: Callable, call_args: tuple, attrs: dict | None) -> Any:
    """Re-run a derivative rule whose plain-float arithmetic raised, on numpy float64.

    Python floats raise on 1/0 or overflow where numpy returns inf/nan; the retry
    gives numpy's IEEE result, silently. Errors on other inputs propagate.
    """
    if not all(type(x) in (float, int, bool) for x in call_args):
        return rule(*call_args) if attrs is None else rule(*call_args, **attrs)
    ieee = tuple(np.float64(x) if type(x) is float else x for x in call_args)
    with np.errstate(all="ignore"):
        result = rule(*ieee) if attrs is None else rule(*ieee, **attrs)
    return float(result)


def _run_hooks(node: Node, grad: Any) -> Any:
    """Pass ``grad`` through the node's hooks; a hook may return a replacement."""
    for hook in list(node._hooks.values()):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad


def backpropagate(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    *,
    create_graph: bool = False,
    store: bool = True,
    inputs: Sequence[Node] | None = None,
) -> dict[int, Any]:
    """Apply the chain rule from ``roots`` (with gradients ``seeds``) to their ancestors.

    With ``store=True`` (``backward()``), leaves accumulate into ``.grad`` and
    intermediate nodes that retain their gradient get ``.grad`` overwritten. With ``store=False``
    (``autograd.grad``) nothing is written; the returned dict maps ``id(node)``
    to the gradient for every node in ``inputs``.
    """
    # The graph holds no reference cycles (rules never capture nodes), so the cyclic
    # collector would only re-scan the graph again and again; pause it for the pass.
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _backpropagate(roots, seeds, create_graph, store, inputs)
    finally:
        if collector_was_enabled:
            gc.enable()


def _backpropagate(
    roots: Sequence[Node], seeds: Sequence[Any], create_graph: bool, store: bool, inputs: Sequence[Node] | None
) -> dict[int, Any]:
    order = backward_order(roots)
    relevant = _reaches(order, inputs) if inputs is not None else None
    pending: dict[Node, Any] = {}
    for root, seed in zip(roots, seeds):
        pending[root] = pending[root] + seed if root in pending else seed
    results: dict[int, Any] = {}
    wanted = set(inputs) if inputs is not None else set()
    anomaly = _mode.anomaly
    previous_mode = _mode.enabled
    _mode.enabled = create_graph
    try:
        for node in order:
            grad = pending.pop(node, None)
            if grad is None:
                continue
            if node._hooks:
                grad = _run_hooks(node, grad)
            op = node.op
            if store:
                if op is None:
                    node._accumulate_leaf(grad)
                elif node.retains_grad:
                    node.grad = grad
            elif node in wanted:
                results[id(node)] = grad
            if op is None:
                continue
            parents = node.parents
            if create_graph:
                out, args = node, parents
            elif len(parents) == 2:
                out, args = node.data, (parents[0].data, parents[1].data)
            elif len(parents) == 1:
                out, args = node.data, (parents[0].data,)
            else:
                out, args = node.data, tuple([parent.data for parent in parents])
            attrs = node.attrs
            rules = op.rules
            variadic = op.variadic
            for index, parent in enumerate(parents):
                if not parent.requires_grad or (relevant is not None and parent not in relevant):
                    continue
                call_args = (index, grad, out, *args) if variadic else (grad, out, *args)
                rule = rules[0] if variadic else rules[index]
                try:
                    contribution = rule(*call_args) if attrs is None else rule(*call_args, **attrs)
                except (ArithmeticError, ValueError):
                    contribution = _ieee_retry(rule, call_args, attrs)
                if create_graph or parent.broadcasts:
                    contribution = parent._match_gradient(contribution, create_graph)
                if anomaly:
                    from .anomaly import check_backward

                    check_backward(node, index, contribution)
                if parent in pending:
                    pending[parent] = pending[parent] + contribution
                else:
                    pending[parent] = contribution
    finally:
        _mode.enabled = previous_mode
    return results
