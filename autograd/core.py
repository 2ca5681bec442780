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
import itertools
import operator
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .grad_mode import _mode, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .node_copying import NodeCopying
from .op import Op
from .versions import (
    VersionCounter,
    _adopt_earlier_parents,
    _InPlaceClock,
    _ticks,
    increment_version,
    rebase_history,
)
from .versions import check_in_place_allowed as check_in_place_allowed  # value.py and tensor.py import it from here

__all__ = [
    "Node",
    "Op",
    "VersionCounter",
    "backward_order",
    "increment_version",
    "rebase_history",
    "backpropagate",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]


class Node(NodeCopying):
    """A vertex of the computational graph (base class of Value and Tensor).

    The interface the graph core relies on, which ``Value`` and ``Tensor`` define:

    * ``_seed_gradient(grad, create_graph)``: the seed dL/dself for ``backward(grad)``;
    * ``_accumulate_leaf(total)``: add a finished gradient into a leaf's ``.grad``;
    * ``_match_gradient(contribution, create_graph)``: bring a rule's result to this
      node's shape and dtype (a graph node under ``create_graph``);
    * ``_wrap_constant(data)``: a constant node of this kind around raw data.

    and, for derivative rules written once for numbers, arrays and nodes
    (:mod:`autograd.shared_math`, :mod:`autograd.derivatives`):

    * ``_where(condition, x, y)``: elementwise selection that records a node;
    * ``_scatter_add(index, shape)`` (Tensor only): the adjoint of indexing.

    Copying and pickling (no recursion over the graph) are inherited from
    :class:`~autograd.node_copying.NodeCopying`.
    """

    # The fields every node sets; the rarely used ones (label, hooks, anomaly origin, version
    # counter, retain_grad on an intermediate) are class defaults below, stored per instance
    # only when set, so creating a node writes as few fields as possible.
    # ``_inputs`` holds the parents: the parent itself when there is one (no tuple to allocate and for the
    # garbage collector to track, for the commonest nodes), else a tuple; ``parents`` always gives a tuple.
    __slots__ = ("data", "_grad", "requires_grad", "_inputs", "op", "attrs", "_recorded_at", "__dict__", "__weakref__")

    #: True for node kinds whose gradients must be reduced back to a shape.
    broadcasts = False
    #: Whether intermediate nodes of this kind keep ``.grad`` after backward (``retain_grad()`` sets it).
    retains_grad = True
    #: ``.grad`` before any backward pass (and after ``zero_grad()``).
    _zero_grad_value: Any = None
    #: A name shown in graph pictures.
    label = ""
    _hooks: dict | None = None
    _origin: Any = None
    _version: VersionCounter | None = None
    #: ``[(tick, earlier self), ...]`` once :func:`rebase_history` has given this node a new history.
    _history: list[tuple[int, Node]] | None = None

    # -- construction -------------------------------------------------------
    def _init_node(self, data: Any, requires_grad: bool = False, label: str = "") -> None:
        """Set the fields of a new leaf holding ``data`` (constructors and :meth:`_make` start here;
        :meth:`_from_op` sets the same fields for op outputs, inline because it is the hot path)."""
        self.data = data
        self._grad = self._zero_grad_value
        self.requires_grad = requires_grad
        self._inputs = ()
        self.op = None
        self.attrs = None
        self._recorded_at = 0  # leaves come after every recorded node in backward order
        if label:
            self.label = label

    @classmethod
    def _make(cls, data: Any, requires_grad: bool = False, label: str = "") -> Node:
        """A new leaf of this kind around already-checked ``data`` (constructors check user input first)."""
        node = object.__new__(cls)
        node._init_node(data, requires_grad, label)
        return node

    @classmethod
    def _from_op(
        cls,
        data: Any,
        op: Op,
        parents: tuple[Node, ...],
        attrs: Any = None,
    ) -> Node:
        """Create the output node of ``op``; record the graph only if some parent needs a gradient.

        A recorded node gets the op, its parents and ``attrs`` (the op's keyword arguments, or
        the plain number of an ``Op.with_constant`` variant); otherwise the output is a leaf with
        the same fields as :meth:`_init_node` gives (saved attributes are then dropped).
        """
        node = object.__new__(cls)
        node.data = data
        node._grad = cls._zero_grad_value
        if _mode.enabled:
            for parent in parents:
                if parent.requires_grad:
                    node.requires_grad = True
                    node._inputs = parents[0] if len(parents) == 1 else parents
                    node.op = op
                    node.attrs = attrs
                    node._recorded_at = next(_ticks)
                    if _mode.anomaly is not None:
                        _mode.anomaly.on_record(node)
                    return node
        node.requires_grad = False
        node._inputs = ()
        node.op = None
        node.attrs = None
        node._recorded_at = 0
        return node

    def _shared_version(self) -> VersionCounter:
        """This node's version counter (created on first use; views share their base's)."""
        if self._version is None:
            self._version = VersionCounter()
        return self._version

    @property
    def version(self) -> int:
        """How many times this node's data has been changed in place through the library."""
        return 0 if self._version is None else self._version.count

    def _earlier_self(self, tick: int) -> Node:
        """The node that stood for this one at recording tick ``tick`` (itself unless rebased since)."""
        for rebased_at, earlier in self._history or ():
            if tick < rebased_at:
                return earlier
        return self

    @property
    def is_leaf(self) -> bool:
        """True for nodes not produced by a recorded operation."""
        return self.op is None

    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this node was computed from, in argument order (``()`` for leaves and constants)."""
        inputs = self._inputs
        return inputs if type(inputs) is tuple else (inputs,)

    @property
    def op_inputs(self) -> tuple[Any, ...]:
        """The inputs of the op that made this node, in argument order: its parents, with the plain
        number of an ``Op.with_constant`` variant in its place (``(2.0 - x).op_inputs == (2.0, x)``)."""
        op = self.op
        if op is None or op.constant_at is None:
            return self.parents
        return (self.attrs, *self.parents) if op.constant_at == 0 else (*self.parents, self.attrs)

    @property
    def grad_fn(self) -> Op | None:
        """The operation that produced this node (None for leaves); ``grad_fn.name`` is its name."""
        return self.op

    @property
    def grad(self) -> Any:
        """dL/dself after ``backward()``: accumulated on leaves, kept on intermediates that retain it."""
        if self._grad is None and self.op is not None and not self.retains_grad:
            warnings.warn(
                f"the .grad of a non-leaf {type(self).__name__} (output of {self.op.name!r}) is not kept after "
                "backward, so it is None; call .retain_grad() on it before backward to keep it, or use "
                "autograd.grad()",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = value

    # -- gradients ----------------------------------------------------------
    def backward(
        self,
        grad: Any = None,
        *,
        create_graph: bool = False,
        retain_graph: bool | None = None,
        inputs: Node | Sequence[Node] | None = None,
    ) -> None:
        """Backpropagate from this node, filling ``.grad`` on every node that needs it.

        ``grad`` is the seed dL/dself (1 for a one-element output). With
        ``create_graph=True`` the gradients are themselves graph nodes and can be
        differentiated again. ``retain_graph`` is accepted for PyTorch
        compatibility: graphs are never freed by backward, so a second backward
        through the same graph is always allowed (see module docs for how
        ``.grad`` then behaves). If anything raises during the pass (a hook,
        anomaly mode, a custom Function, a version check), no ``.grad`` changes.

        ``inputs`` (as torch's): accumulate gradients into these nodes' ``.grad`` only (leaves or
        not), leaving every other ``.grad`` alone; an input the output does not depend on gets none.
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: this {type(self).__name__} does not require grad and has no graph "
                "(it was created from constants or inside no_grad())"
            )
        seed = self._seed_gradient(grad, create_graph)
        if inputs is None:
            backpropagate([self], [seed], create_graph=create_graph, store=True)
            return
        targets = list({id(node): node for node in ((inputs,) if isinstance(inputs, Node) else inputs)}.values())
        if not targets:
            raise RuntimeError("backward: the 'inputs' argument to backward() cannot be empty")
        for position, node in enumerate(targets):
            if not isinstance(node, Node) or not node.requires_grad:
                raise RuntimeError(f"backward: inputs[{position}] is not a node that requires grad")
        found = backpropagate([self], [seed], create_graph=create_graph, store=False, inputs=targets)
        handed_out = {id(seed)}
        for node in targets:
            if id(node) in found:
                gradient = found[id(node)]
                node._accumulate_leaf(_unaliased(gradient, handed_out) if type(gradient) is np.ndarray else gradient)

    def _seed_gradient(self, grad: Any, create_graph: bool) -> Any:
        raise NotImplementedError

    def _accumulate_leaf(self, total: Any) -> None:
        raise NotImplementedError

    def _match_gradient(self, contribution: Any, create_graph: bool) -> Any:
        raise NotImplementedError

    @classmethod
    def _wrap_constant(cls, data: Any) -> Node:
        raise NotImplementedError

    @staticmethod
    def _where(condition: Any, x: Any, y: Any) -> Any:
        raise NotImplementedError

    def _scatter_add(self, index: Any, shape: tuple[int, ...]) -> Node:
        raise NotImplementedError(f"{type(self).__name__} cannot be indexed")

    def detach_(self) -> Node:
        """Cut this node from the graph in place, making it a leaf that needs no gradient; returns self.

        Nodes already computed from it keep their gradients up to it; backward stops here.
        """
        self.requires_grad = False
        self._inputs = ()
        self.op = None
        self.attrs = None
        self._recorded_at = 0
        return self

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

    __hash__ = object.__hash__


class RemovableHandle:
    """Handle returned by :meth:`Node.register_hook`; ``remove()`` unregisters."""

    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        """Unregister the hook (idempotent)."""
        self._hooks.pop(self.id, None)


def backward_order(roots: Iterable[Node]) -> list[Node]:
    """Return the nodes that require grad, reachable from ``roots``, children first.

    The reachable nodes are found with an explicit stack (no recursion, so graphs of
    any depth work at Python's default recursion limit) and sorted by the tick each
    was recorded at, latest first: a node is recorded after its parents, so every
    node comes after all the nodes computed from it (reverse topological order), and
    leaves (tick 0) come last. Nodes hash by identity, so they serve as set members.
    """
    found: list[Node] = []
    seen: set[Node] = set()
    for root in roots:
        if root.requires_grad and root not in seen:
            seen.add(root)
            found.append(root)
    stack = found.copy()
    while stack:
        inputs = stack.pop()._inputs
        if type(inputs) is tuple:
            for parent in inputs:
                if parent.requires_grad and parent not in seen:
                    seen.add(parent)
                    found.append(parent)
                    stack.append(parent)
        elif inputs.requires_grad and inputs not in seen:  # one parent, stored bare (leaves hold ())
            seen.add(inputs)
            found.append(inputs)
            stack.append(inputs)
    found.sort(key=_recording_tick, reverse=True)
    return found


_recording_tick = operator.attrgetter("_recorded_at")


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
    """Pass ``grad`` through the node's hooks; a hook may return a replacement of the same shape."""
    for hook in list(node._hooks.values()):
        replaced = hook(grad)
        if replaced is not None:
            shape, new_shape = np.shape(getattr(grad, "data", grad)), np.shape(getattr(replaced, "data", replaced))
            if new_shape != shape:
                name = getattr(hook, "__name__", type(hook).__name__)
                raise RuntimeError(
                    f"hook {name!r} has changed the size of value: it returned a gradient of shape {new_shape} "
                    f"for a {type(node).__name__} whose gradient has shape {shape}"
                )
            # outside create_graph gradients are raw data: a hook that returns a node gives its data
            grad = replaced.data if isinstance(replaced, Node) and not isinstance(grad, Node) else replaced
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


def _check_saved_versions(node: Node) -> None:
    """Raise if an input or the output of ``node``'s op was changed in place after the op ran."""
    recorded_at = node._recorded_at
    for role, changed in [(f"input {index}", parent) for index, parent in enumerate(node.parents)] + [("output", node)]:
        counter = changed._version
        if counter is None or counter.changed_at <= recorded_at:
            continue
        where = f"; {_mode.anomaly.where(node)}" if _mode.anomaly is not None else ""
        shape = getattr(changed.data, "shape", ())
        raise RuntimeError(
            "backward: one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: the {role} of {node.op.name!r} ({type(changed).__name__} of shape {shape}) was changed "
            f"in place after {node.op.name!r} used it (it is now at version {counter.count}), so its gradient "
            f"would be wrong{where}. Change it out of place (x = x + y), or do the in-place update after "
            "backward()"
        )


def _unaliased(grad: np.ndarray, handed_out: set[int]) -> np.ndarray:
    """``grad``, copied if that very array is a seed or was already stored, so no two ``.grad``
    share memory; records the array stored."""
    if id(grad) in handed_out:
        grad = grad.copy()
    handed_out.add(id(grad))
    return grad


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
    # Leaves get their gradients only once the whole pass has succeeded (all or nothing); rules may
    # pass one array unchanged to several inputs (add does), so every stored array is made distinct
    # from the seeds and from the arrays already stored.
    finished_leaves: list[tuple[Node, Any]] = []
    handed_out = {id(seed) for seed in seeds if type(seed) is np.ndarray} if store else set()
    anomaly = _mode.anomaly
    plain = not create_graph and anomaly is None and relevant is None
    last_change, last_rebase = _InPlaceClock.last_change, _InPlaceClock.last_rebase
    previous_mode, previous_in_backward = _mode.enabled, _mode.in_backward
    _mode.enabled, _mode.in_backward = create_graph, True
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
                    finished_leaves.append((node, grad))
                elif node.retains_grad:
                    if type(grad) is np.ndarray:
                        grad = _unaliased(grad, handed_out)
                    node._grad = grad
            elif node in wanted:
                results[id(node)] = grad
            if op is None:
                continue
            if node._recorded_at < last_change:  # something changed in place since node was recorded
                if node._recorded_at < last_rebase:
                    _adopt_earlier_parents(node)
                if op.reads_values:
                    _check_saved_versions(node)
            attrs = node.attrs
            rules = op.rules
            if op.one_rule:  # unary ops and Op.with_constant variants: one parent, one rule
                parent = node._inputs
                if not parent.requires_grad or (relevant is not None and parent not in relevant):
                    continue
                out, x = (node, parent) if create_graph else (node.data, parent.data)
                constant_at = op.constant_at
                if constant_at is None:
                    call_args = (grad, out, x)
                else:  # x * 2.0: the number, kept in attrs, takes its place among the inputs
                    call_args = (grad, out, x, attrs) if constant_at else (grad, out, attrs, x)
                    attrs = None
                try:
                    contribution = rules[0](*call_args) if attrs is None else rules[0](*call_args, **attrs)
                except (ArithmeticError, ValueError):
                    contribution = _ieee_retry(rules[0], call_args, attrs)
                if plain:  # the usual pass, one parent: the delivery below, inline
                    if contribution is not None:
                        if parent.broadcasts:
                            contribution = parent._match_gradient(contribution, False)
                        previous = pending.get(parent)
                        pending[parent] = contribution if previous is None else previous + contribution
                    continue
                parents, contributions = (parent,), (contribution,)
            else:
                parents = node.parents
                if create_graph:
                    out, args = node, parents
                elif len(parents) == 2:
                    out, args = node.data, (parents[0].data, parents[1].data)
                else:
                    out, args = node.data, tuple([parent.data for parent in parents])
                if op.joint:  # one call gives every input's contribution (None: no gradient)
                    contributions = rules[0](grad, out, *args) if attrs is None else rules[0](grad, out, *args, **attrs)
                else:
                    contributions = []
                    variadic = op.variadic
                    for index, parent in enumerate(parents):
                        if not parent.requires_grad or (relevant is not None and parent not in relevant):
                            contributions.append(None)
                            continue
                        call_args = (index, grad, out, *args) if variadic else (grad, out, *args)
                        rule = rules[0] if variadic else rules[index]
                        try:
                            contributions.append(rule(*call_args) if attrs is None else rule(*call_args, **attrs))
                        except (ArithmeticError, ValueError):
                            contributions.append(_ieee_retry(rule, call_args, attrs))
            if plain:  # the usual pass: the same delivery as below, without the checks it cannot need
                for parent, contribution in zip(parents, contributions):
                    if contribution is not None and parent.requires_grad:
                        if parent.broadcasts:
                            contribution = parent._match_gradient(contribution, False)
                        previous = pending.get(parent)
                        pending[parent] = contribution if previous is None else previous + contribution
                continue
            for index, (parent, contribution) in enumerate(zip(parents, contributions)):
                if contribution is None or not parent.requires_grad:
                    continue
                if relevant is not None and parent not in relevant:
                    continue
                if create_graph or parent.broadcasts:
                    contribution = parent._match_gradient(contribution, create_graph)
                if anomaly is not None:  # index among the op's inputs (a number operand first shifts it)
                    anomaly.on_backward(node, index + (op.constant_at == 0), contribution)
                previous = pending.get(parent)
                pending[parent] = contribution if previous is None else previous + contribution
    finally:
        _mode.enabled, _mode.in_backward = previous_mode, previous_in_backward
    for node, grad in finished_leaves:
        if type(grad) is np.ndarray:
            grad = _unaliased(grad, handed_out)
        node._accumulate_leaf(grad)
    return results
