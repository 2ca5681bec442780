"""Backpropagation: the order of a backward pass and the loop that applies the chain rule.

:func:`backward_order` lists the nodes that need a gradient, children first (an iterative
walk, then a sort by recording tick); :func:`backpropagate` walks that order once, calling
each node's derivative rules (:class:`~autograd.op.Op`) and summing the contributions a node
receives from all of its children: dL/dx = sum over children c of dL/dc * dc/dx. ``Value``,
``Tensor``, ``backward()`` and :func:`autograd.grad` all run this one loop.
"""

from __future__ import annotations

import contextlib
import operator
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .collector import collector_paused
from .grad_mode import _anomaly_blocks, _mode, queued_callbacks, set_recording
from .graph_tasks import GraphTasks, begin_task, end_task
from .op import Op, OutputGradients, takes_wrapped_number
from .quiet import quiet
from .reentrant import PassLock, nested_pass
from .versions import (
    _adopt_earlier_parents,
    _InPlaceClock,
    _ParentWatch,
    _ticks,
    last_change,
    read_inputs,
    reads_output,
    refresh_views,
)

# numpy's module has a __getattr__, so CPython 3.11 never specializes ``np.ndarray`` (each use is a
# slow attribute lookup): the hot paths test against this global instead.
_ndarray = np.ndarray
# the references to an object, counting the argument's own (so 2 for an array held by one local); Python 3.14's
# interpreter may borrow that reference instead, and there no array counts as held by one local alone
references = sys.getrefcount if sys.version_info < (3, 14) else lambda array: 0

if TYPE_CHECKING:  # for annotations only: core imports this module
    from .core import Node

__all__ = [
    "PostAccumulateHooks", "backpropagate", "backward_order", "frees_graph", "grads_restored_on_error",
    "leaf_accumulation", "leaf_hooks_pass", "local_gradients",
]  # fmt: skip

#: Held while a backward pass adds its gradients into leaves' ``.grad``: threads that run backward into shared
#: leaves (Hogwild-style training of one model) then add, never overwrite, each other's gradients (numpy lets go
#: of the GIL inside a large ``grad + total``, and a float's read-add-write can be cut by a thread switch too).
#: Reentrant, so a post-accumulate hook may itself run backward.
leaf_accumulation = threading.RLock()


class PostAccumulateHooks(dict):
    """A leaf's post-accumulate-grad hooks (``{handle id: hook}``) and the leaf's own lock (torch's AccumulateGrad
    mutex), held while one thread adds its gradient into that leaf and runs the hooks: another thread's gradient
    for the same leaf comes after them, never in between, while threads backpropagating into other leaves go on
    (a hook may wait for them: an all-reduce across replicas trained in threads). Reentrant: a hook may itself
    run backward, into this leaf too, at any depth (a :class:`~autograd.reentrant.PassLock`, which a nested pass
    moved to a fresh thread holds with its caller). Copies get their own lock."""

    __slots__ = ("lock",)

    def __init__(self, hooks: Iterable[tuple[int, Callable[..., Any]]] = ()) -> None:
        super().__init__(hooks)
        self.lock = PassLock()

    def __reduce__(self) -> tuple[Any, ...]:
        return PostAccumulateHooks, (list(self.items()),)


def backward_order(roots: Iterable[Node]) -> list[Node]:
    """Return the nodes that require grad, reachable from ``roots``, children first.

    The reachable nodes are found with an explicit stack (no recursion, so graphs of
    any depth work at Python's default recursion limit) and sorted by the tick each
    was recorded at, latest first: a node is recorded after its parents, so every
    node comes after all the nodes computed from it (reverse topological order), and
    leaves (tick 0) come last. Nodes hash by identity, so they serve as set members.
    """
    return _ordered(roots)[0]


def _ordered(roots: Iterable[Node]) -> tuple[list[Node], int]:
    """:func:`backward_order`'s list and the length of its chain: the leading nodes of a lone root's
    one-parent line (root, its parent, that one's parent, ...), each the only child of the next one.

    Walking that line needs no seen-set and no sort: a node of it is reached only from the node before
    (the nodes after it are its ancestors, and none of them can also be its descendant), and each is
    recorded after the next. The walk from where the line ends (a leaf, or a node of several parents)
    is the general one.
    """
    found: list[Node] = [root for root in dict.fromkeys(roots) if root._requires_grad]
    last_rebase = _InPlaceClock.last_rebase
    line: list[Node] = []
    if len(found) == 1:
        node = found[0]
        while True:
            if last_rebase and node._recorded_at < last_rebase:
                _adopt_earlier_parents(node)
            parent = node._inputs
            if type(parent) is tuple or node._second is not None or not parent._requires_grad:
                break
            line.append(node)
            node = parent
        found[0] = node
    order = _walked(found, last_rebase)
    if line:
        line += order
        return line, len(line) - len(order)
    return order, 0


def _walked(found: list[Node], last_rebase: int) -> list[Node]:
    """The nodes reachable from ``found`` (distinct nodes that require grad), children first."""
    seen: set[Node] = set(found)
    stack = found.copy()
    # a node recorded before some history was rebased may have a parent that has since taken a new history (an
    # in-place change): its edge leads to that parent's earlier self, which is adopted before walking it
    # ``while True`` with a break, not ``while stack``: CPython 3.11 specializes a function's
    # bytecode once a backward jump or a call has warmed it up, and compiles ``while stack``'s
    # jump as a conditional one that does not count, so a first backward() through a long
    # chain would run this loop unspecialized, at half speed.
    while True:
        if not stack:
            break
        node = stack.pop()
        if last_rebase and node._recorded_at < last_rebase:  # (no attribute read while nothing was ever rebased)
            _adopt_earlier_parents(node)
        inputs = node._inputs  # the parents as autograd.parents stores them
        if type(inputs) is tuple:  # a leaf's (), or three parents or more
            if seen.issuperset(inputs):  # one C loop; most parents of a wide node are reached already
                continue
            for parent in inputs:
                if parent not in seen:
                    seen.add(parent)  # constants too, so the test above can pass over them
                    if parent._requires_grad:
                        found.append(parent)
                        if parent.op is not None:  # (a leaf has no parents to walk: it skips the stack)
                            stack.append(parent)
            continue
        if inputs._requires_grad and inputs not in seen:  # the first (or only) parent
            seen.add(inputs)
            found.append(inputs)
            if inputs.op is not None:
                stack.append(inputs)
        second = node._second
        if second is not None and second._requires_grad and second not in seen:
            seen.add(second)
            found.append(second)
            if second.op is not None:
                stack.append(second)
    found.sort(key=_recording_tick, reverse=True)
    return found


_recording_tick = operator.attrgetter("_recorded_at")
#: No nodes: what a pass without ``inputs`` looks nodes up in, and the zeroed set before an accumulate form fills one.
_NO_NODES: frozenset[Any] = frozenset()


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


def _one_input_arguments(grad: Any, out: Any, x: Any, attrs: Any, constant_at: int | None) -> tuple[tuple, Any]:
    """The positional and keyword arguments of a one-input rule: (g, out, x) with the op's ``attrs`` as keywords,
    or, for an ``Op.with_constant`` variant, the number kept in ``attrs`` in its place among the inputs."""
    if constant_at is None:
        return (grad, out, x), attrs
    return ((grad, out, x, attrs) if constant_at else (grad, out, attrs, x)), None


def local_gradients(node: Node, grad: Any) -> list[tuple[Node, Any]]:
    """One step of the chain rule by hand: (parent, dL/dparent through ``node`` alone) for each parent of
    ``node`` that requires grad, given dL/dnode = ``grad`` (raw numbers or arrays). micrograd's ``_backward``;
    backward itself runs the same rules inline (see :func:`_backpropagate`)."""
    op = node.op
    if op is None:
        return []
    parents = node.parents
    with quiet():
        contributions = _rule_contributions(op, grad, node._data, tuple(p._data for p in parents), node.attrs)
    return [
        (parent, parent._match_gradient(contribution, False) if parent.broadcasts else contribution)
        for parent, contribution in zip(parents, contributions)
        if contribution is not None and parent._requires_grad
    ]


def _rule_contributions(
    op: Op, grad: Any, out: Any, args: tuple, attrs: Any, needed: Sequence[bool] | None = None
) -> list[Any]:
    """Every input's contribution from ``op``'s rules, given the output's gradient, the output and the inputs (arrays,
    or nodes under create_graph); None for an input ``needed`` says needs none (where a rule per input makes that
    cheaper; a joint rule gives them all). The general form of the calls backward writes out inline."""
    if op.one_rule:  # one parent, one rule; an Op.with_constant variant takes its number from attrs
        if needed is not None and not needed[0]:
            return [None]
        return [_call_rule(op.rules[0], *_one_input_arguments(grad, out, args[0], attrs, op.constant_at))]
    if op.joint:
        return list(_call_rule(op.rules[0], (grad, out, *args), attrs))
    return [
        None
        if needed is not None and not needed[index]
        else _call_rule(op.rules[0], (index, grad, out, *args), attrs)
        if op.variadic
        else _call_rule(op.rules[index], (grad, out, *args), attrs)
        for index in range(len(args))
    ]


def _call_rule(rule: Callable, call_args: tuple, attrs: dict | None) -> Any:
    """``rule(*call_args, **attrs)``, retried on numpy floats where plain-float arithmetic raised."""
    try:
        return rule(*call_args) if attrs is None else rule(*call_args, **attrs)
    except (ArithmeticError, ValueError):
        return _ieee_retry(rule, call_args, attrs)


def backpropagate(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    *,
    create_graph: bool = False,
    store: bool = True,
    inputs: Sequence[Node] | None = None,
    retained: bool = False,
    free: bool = False,
    fill_retained: bool = False,
) -> dict[int, Any]:
    """Apply the chain rule from ``roots`` (with gradients ``seeds``) to their ancestors.

    With ``store=True`` (``backward()``), leaves accumulate into ``.grad`` and
    intermediate nodes that retain their gradient get ``.grad`` overwritten. With ``store=False``
    (``autograd.grad``) nothing is written; the returned dict maps ``id(node)``
    to the gradient for every node in ``inputs``. ``retained`` (``backward(inputs=...)``) also
    overwrites the ``.grad`` of the retaining intermediates the pass goes through, as ``store`` does;
    ``fill_retained`` (``autograd.grad``) does that alone, as torch's pass fills them (its caller fills those of
    ``inputs``), and frees only the nodes whose derivative ran.
    """
    # Rules meet the IEEE edge cases (1/0, inf - inf, overflow) without numpy's warnings, as in torch.
    if _ParentWatch.on:  # a view used as a root or an input after its base changed: its present history
        refresh_views(roots)
        if inputs is not None:
            refresh_views(inputs)
    if _mode.backward_pass is not None:  # run by a rule or hook of a pass running in this thread: at any depth
        return nested_pass(_backpropagate, roots, seeds, create_graph, store, inputs, retained, free, fill_retained)
    return _backpropagate(roots, seeds, create_graph, store, inputs, retained, free, fill_retained)


#: Nodes from which a pass pauses the cyclic collector (see :func:`_backpropagate`).
PAUSED_FROM = 64


def _check_saved_versions(node: Node) -> None:
    """Raise if an input of ``node``'s op, or its output if a rule reads it, was changed in place after the op ran."""
    recorded_at = node._recorded_at
    parents = node.parents
    saved = [(f"input {index}", parents[index]) for index in read_inputs(node)]
    if reads_output(node):
        saved.append(("output", node))
    for role, changed in saved:
        counter = changed._version_counter
        if counter is None or counter.changed_at <= recorded_at:
            continue
        where = f"; {_mode.anomaly.where(node)}" if _mode.anomaly is not None else ""
        shape = getattr(changed._data, "shape", ())
        raise RuntimeError(
            "backward: one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: the {role} of {node.op.name!r} ({type(changed).__name__} of shape {shape}) was changed "
            f"in place after {node.op.name!r} used it (it is now at version {counter.count}), so its gradient "
            f"would be wrong{where}. Change it out of place (x = x + y), or do the in-place update after "
            "backward()"
        )


def _unaliased(grad: Any, handed_out: set[int]) -> Any:
    """``grad`` (an array, or a node under create_graph), copied if that very object is a seed or was already
    stored, so no two ``.grad`` share memory or are one node (rules pass one gradient on to several inputs, as
    add's; torch's AccumulateGrad stores a clone of a create_graph gradient); records the object stored. A node's
    copy is recorded (:meth:`~autograd.core.Node._copy_in_graph`), so it differentiates as the original."""
    if id(grad) in handed_out:
        grad = grad.copy() if type(grad) is _ndarray else grad._copy_in_graph()
    handed_out.add(id(grad))
    return grad


def _note_handed_out(contributions: Any, handed_out: set[int]) -> None:
    """Add the arrays (and nodes) among ``contributions`` to ``handed_out``: code outside the engine returned them
    and may still hold them, so none becomes a ``.grad`` as it is (later passes add into a ``.grad`` in place)."""
    for contribution in contributions:
        if contribution is not None and _shareable(contribution):
            handed_out.add(id(contribution))


def _shareable(grad: Any) -> bool:
    """Whether ``grad`` is an object two ``.grad`` could share: an array, or a node (not a number)."""
    return type(grad) is _ndarray or hasattr(grad, "_copy_in_graph")


def _gathered_gradients(node: Node, grad: Any, op: Op, pending: dict[Node, Any], waiting: dict[Node, Any]) -> Any:
    """For ``node``, one output of a call that made several: None if a sibling output still has a gradient
    coming (``grad`` waits for it), else every output's gradient, by position, for the call's one rule call.

    Each output of the call is recorded before any node computed from it, so by the time backward reaches
    the first of them, the gradients of all of them are complete: the ones not yet reached are in ``pending``.
    """
    outputs = op.outputs(node)
    if any(output is not node and output in pending for output in outputs if output is not None):
        waiting[node] = grad
        return None
    return OutputGradients(
        grad if output is node else waiting.pop(output, None) if output is not None else None for output in outputs
    )


class _FunctionHook:
    """A hook registered on a ``grad_fn``, kept in its node's hook table beside the tensor hooks (which pass it by)."""

    __slots__ = ("hook",)

    def __init__(self, hook: Callable[..., Any]) -> None:
        self.hook = hook

    @property
    def __name__(self) -> str:
        return getattr(self.hook, "__name__", type(self.hook).__name__)


class _FunctionPreHook(_FunctionHook):
    """``grad_fn.register_prehook``'s: torch's ``hook(grad_outputs)``, called as a tensor hook is, with the gradient
    wrapped in a one-element tuple."""

    __slots__ = ()

    def __call__(self, grad: Any) -> Any:
        replaced = self.hook((grad,))
        if replaced is None:
            return None
        _check_returned_tuple(replaced, 1, self.__name__)
        return grad if replaced[0] is None else replaced[0]


def _check_returned_tuple(replaced: Any, expected: int, name: str) -> None:
    """Refuse what a ``grad_fn`` hook returned unless it is a tuple (or list) of ``expected`` gradients, as torch."""
    if not isinstance(replaced, (tuple, list)):
        raise TypeError(
            f"expected tuple, but hook {name!r} returned {type(replaced).__name__!r}: a grad_fn hook returns None or "
            "a tuple of gradients"
        )
    if len(replaced) != expected:
        raise RuntimeError(
            f"hook {name!r} has returned an incorrect number of values (got {len(replaced)}, but expected {expected})"
        )


class _FunctionPostHook(_FunctionHook):
    """``grad_fn.register_hook``'s: torch's ``hook(grad_inputs, grad_outputs)``, called by backward once the node's
    derivative rules have given the gradients of its inputs (see :func:`_through_function_hooks`)."""

    __slots__ = ()


def _through_function_hooks(
    node: Node,
    grad: Any,
    create_graph: bool,
    relevant: set[Node] | None,
    anomaly: Any,
    pending: dict[Node, Any],
    waiting: dict[Node, Any],
    handed_out: set[int],
) -> None:
    """The step of the backward pass through ``node`` when hooks were registered on its ``grad_fn``, in torch's
    order: its pre-hooks see (and may replace) ``grad``, the derivative rules give its inputs' gradients, its
    post-hooks see (and may replace) those, and they are added into ``pending``. The general loop's path, spelled
    out once here so that the usual pass never tests for these hooks. What it delivers may be the hooks' own
    arrays: they join ``handed_out``, so a ``.grad`` made of one is a copy."""
    grad = node._run_hooks(grad, functions=True)
    op = node.op
    grad_outputs: Any = (grad,)
    if op.outputs is not None:  # (post-hooks are refused on such calls' functions; pre-hooks see their own output)
        grad = _gathered_gradients(node, grad, op, pending, waiting)
        if grad is None:
            return
    parents, attrs = node.parents, node.attrs
    if create_graph:
        out, args = node, parents
    else:
        out, args = node._data, tuple([parent._data for parent in parents])
    needed = [parent._requires_grad and (relevant is None or parent in relevant) for parent in parents]
    contributions = _rule_contributions(op, grad, out, args, attrs, needed)
    grad_inputs = [  # each of its input's shape, as torch's hooks see them (a broadcast input's summed back)
        None
        if contribution is None or not wanted
        else parent._match_gradient(contribution, create_graph)
        if create_graph or parent.broadcasts
        else contribution
        for parent, contribution, wanted in zip(parents, contributions, needed)
    ]
    wrapped = takes_wrapped_number(op)  # torch's function has the number as an input too: its gradient None
    if wrapped:
        grad_inputs.append(None)
    for hook in [hook for hook in list(node._hooks.values()) if type(hook) is _FunctionPostHook]:  # (copied at once)
        replaced = hook.hook(
            tuple(node._hook_form(g) if g is not None else None for g in grad_inputs),
            tuple(node._hook_form(g) if g is not None else None for g in grad_outputs),
        )
        if replaced is None:
            continue
        _check_returned_tuple(replaced, len(grad_inputs), hook.__name__)
        grad_inputs = [
            None
            if g is None
            else node._from_hook_form(g._data if not create_graph and getattr(g, "_data", None) is not None else g)
            for g in replaced
        ]
    if wrapped:
        del grad_inputs[-1]
    _note_handed_out(grad_inputs, handed_out)
    for index, (parent, contribution) in enumerate(zip(parents, grad_inputs)):
        if contribution is None or not needed[index]:
            continue
        if create_graph or parent.broadcasts:  # (a hook's replacement too)
            contribution = parent._match_gradient(contribution, create_graph)
        if anomaly is not None:
            anomaly.on_backward(node, index + (op.constant_at == 0), contribution)
        previous = pending.get(parent)
        pending[parent] = contribution if previous is None else previous + contribution


def _carried_along_line(
    order: list[Node],
    line_length: int,
    grad: Any,
    store: bool,
    overwritten_nodes: list[Node],
    overwritten_grads: list[Any],
) -> tuple[int, Any]:
    """Backpropagate ``grad``, the gradient of ``order[0]``, along the first ``line_length`` nodes of ``order``, each
    the only child of the next (see :func:`_ordered`), with no pending gradients kept: no dict, no summing.

    A node that retains its gradient (every Value does) gets a number stored as the general loop stores it
    (its earlier one appended to ``overwritten_*``). Returns where it stopped and that node's gradient (None: no
    gradient goes further). It stops at the end of the line, or before a node that needs more than the usual
    pass (hooks, an array to retain, a rule of several inputs, values to release, an in-place change to check),
    which the general loop then takes. (Only the usual pass comes here: no create_graph, anomaly mode or ``inputs``.)
    """
    changed_at = last_change[0]  # (the line's rules change nothing in place: read once)
    for index, node in enumerate(order):  # (a for loop: its jump back warms CPython 3.11's specializer up)
        if index == line_length:
            return index, grad
        op = node.op
        rule = op.line_rule
        if rule is None or node._hooks or (node._recorded_at < changed_at and op.reads_values):
            return index, grad
        if store and node.retains_grad:
            if type(grad) is not float:  # (an array is made distinct from the others stored: the general loop's job)
                return index, grad
            overwritten_nodes.append(node)
            overwritten_grads.append(node._grad)
            node._grad = grad
        parent = node._inputs
        out, x, attrs = node._data, parent._data, node.attrs
        constant_at = op.constant_at
        try:
            if constant_at is None:
                grad = rule(grad, out, x) if attrs is None else rule(grad, out, x, **attrs)
            elif constant_at:
                grad = rule(grad, out, x, attrs)
            else:
                grad = rule(grad, out, attrs, x)
        except (ArithmeticError, ValueError):
            grad = _ieee_retry(rule, *_one_input_arguments(grad, out, x, attrs, constant_at))
        if grad is None:
            return index + 1, None
        if parent.broadcasts:
            grad = parent._match_gradient(grad, False)
    return len(order), grad


def _backpropagate(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    create_graph: bool,
    store: bool,
    inputs: Sequence[Node] | None,
    retained: bool = False,
    free: bool = False,
    fill_retained: bool = False,
) -> dict[int, Any]:
    """:func:`backpropagate`'s work, numpy's warnings off: order the nodes, then run the pass."""
    with quiet():
        order, line_length = _ordered(roots)
        # The graph holds no reference cycles (rules never capture nodes), so the cyclic collector would only scan it
        # again and again: a long pass, or one that records new nodes, pauses it (autograd.collector). The walk
        # above makes no objects it tracks, nor does a short pass that records nothing keep any (a pause would cost
        # it more)
        if create_graph or len(order) >= PAUSED_FROM:
            with collector_paused:
                return _pass(
                    order, line_length, roots, seeds, create_graph, store, inputs, retained, free, fill_retained
                )
        return _pass(order, line_length, roots, seeds, create_graph, store, inputs, retained, free, fill_retained)


def _pass(
    order: list[Node],
    line_length: int,
    roots: Sequence[Node],
    seeds: Sequence[Any],
    create_graph: bool,
    store: bool,
    inputs: Sequence[Node] | None,
    retained: bool,
    free: bool,
    fill_retained: bool = False,
) -> dict[int, Any]:
    """:func:`_backpropagate`'s pass over ``order`` (with its one-parent line's length: see :func:`_ordered`)."""
    passed = order  # every node of the pass (order itself loses the line's nodes below)
    relevant = _reaches(order, inputs) if inputs is not None else None
    pending: dict[Node, Any] = {}
    for root, seed in zip(roots, seeds):
        pending[root] = pending[root] + seed if root in pending else seed
    results: dict[int, Any] = {}
    # (the usual pass makes no empty sets: they are the backward's largest bookkeeping objects, 216 bytes each)
    wanted = set(inputs) if inputs is not None else _NO_NODES
    # Leaves get their gradients only once the whole pass has succeeded (all or nothing; retained intermediates get
    # theirs back if it fails); rules may pass one array unchanged to several inputs (add does), so every stored
    # array is made distinct from the seeds and from the arrays already stored.
    finished_nodes: list[Node] = []  # (two lists: no tuple per leaf)
    finished_grads: list[Any] = []
    # retained intermediates' gradients are stored as the pass goes; their earlier ones, kept here, come back if it fails
    overwritten_nodes: list[Node] = []
    overwritten_grads: list[Any] = []
    fills = retained or fill_retained  # retaining intermediates get their .grad (besides store's leaves)
    # (every Value retains its gradient: autograd.grad's fill is for the Tensors that asked with retain_grad())
    tensors_only = fill_retained and not retained
    handed_out = {id(seed) for seed in seeds if _shareable(seed)} if store or fills else set()
    anomaly = _mode.anomaly if _anomaly_blocks.open else None  # (a thread-local read only while some thread has it on)
    plain = not create_graph and anomaly is None and relevant is None
    waiting: dict[Node, Any] = {}  # gradients of outputs whose call waits for a sibling output's gradient
    zeroed: set[Node] | frozenset[Node] = (
        _NO_NODES  # parents given only zeros by an accumulate form: 0.0 unless pending has theirs
    )
    hooked = None  # the node being passed, when its grad_fn has hooks (it takes _through_function_hooks)
    node = None  # the node being passed (anomaly mode's warning names it if its step raises)
    previous_mode, previous_pass = _mode.enabled, _mode.backward_pass
    set_recording(create_graph)
    _mode.backward_pass = this_pass = (store, next(_ticks))
    # published for the hooks that must know which nodes the pass reaches (multi-grad hooks), only while one exists
    task = begin_task(passed, relevant) if GraphTasks.watched else None
    try:
        if plain and line_length > 1:  # the lone root's one-parent line: each gradient goes straight to the next node
            start, grad = _carried_along_line(
                order, line_length, pending.pop(order[0]), store, overwritten_nodes, overwritten_grads
            )
            if grad is not None:
                pending[order[start]] = grad
            if start:
                order = order[start:]
        for node in order:
            grad = pending.pop(node, None)
            if grad is None:
                if not zeroed or node not in zeroed:
                    continue
                grad = 0.0  # only the zeros of Value ops (scalar nodes) were left out of pending
            if node._hooks:
                if type(grad) is _ndarray:  # a hook that changes its argument in place must change no other node's
                    grad = grad.copy()  # gradient: add passes one array on to both its inputs, a stored .grad may be it
                grad = node._run_hooks(grad)
                if _shareable(grad):  # what a hook was given or returned, it may keep (kept.append): a .grad made of
                    handed_out.add(id(grad))  # it is a copy, as torch's accumulation clones a gradient held elsewhere
                if node.op is not None and node._has_function_hooks():
                    hooked = node
            op = node.op
            if store or (
                fills and op is not None and node not in wanted and not (tensors_only and not node.holds_arrays)
            ):
                if op is None:
                    finished_nodes.append(node)
                    finished_grads.append(grad)
                elif node.retains_grad:
                    if type(grad) is float:  # a Value's number: stored as it is
                        pass
                    elif type(grad) is _ndarray:  # a view (of another node's gradient, say) is stored as a copy
                        grad = _unaliased(grad if grad.base is None else grad.copy(), handed_out)
                    elif node.broadcasts and isinstance(grad, np.generic):  # a sum of 0-d arrays is a numpy scalar
                        grad = np.asarray(grad)
                    elif create_graph and _shareable(grad):  # a node that is a seed or is stored already: a copy
                        grad = _unaliased(grad, handed_out)
                    overwritten_nodes.append(node)  # (two lists: no tuple to allocate per node)
                    overwritten_grads.append(node._grad)
                    node._grad = grad
            elif node in wanted:
                results[id(node)] = np.asarray(grad) if node.broadcasts and isinstance(grad, np.generic) else grad
            if op is None:
                continue
            if relevant is not None and (node not in relevant or (not retained and not _ran(node, wanted, relevant))):
                # a node behind no input (a custom Function's backward is not called), or an input of autograd.grad
                # with no other input behind it (its gradient is taken): its function is not run, as torch's engine
                # runs no node that leads to no input (its grad_fn hooks stay silent)
                continue
            # something changed in place since node was recorded, before the pass or during it (backward_order has
            # already pointed it at the earlier selves of parents rebased since)
            if node._recorded_at < last_change[0] and op.reads_values:
                _check_saved_versions(node)
            if hooked is node:
                _through_function_hooks(node, grad, create_graph, relevant, anomaly, pending, waiting, handed_out)
                continue
            attrs = node.attrs
            if op.releases and free and relevant is None and type(attrs) is dict:
                attrs = attrs.copy()  # the rule call holds the last reference to what the op releases
                _release(node.attrs, op.releases)
            rules = op.rules
            if op.one_rule:  # unary ops and Op.with_constant variants: one parent, one rule
                parent = node._inputs
                if not parent._requires_grad or (relevant is not None and parent not in relevant):
                    continue
                if plain and op.accumulate is not None:  # (getitem: a slice's gradient added in place)
                    op.accumulate(pending, grad, (parent,), node._data, False, attrs)
                    continue
                if create_graph:
                    out, x = node, parent
                else:
                    out, x = node._data, parent._data
                constant_at = op.constant_at
                rule = rules[0]
                try:  # the arguments written out, not as a tuple: the call itself is the hot path
                    if constant_at is None:
                        contribution = rule(grad, out, x) if attrs is None else rule(grad, out, x, **attrs)
                    elif constant_at:  # x * 2.0: the number, kept in attrs, takes its place among the inputs
                        contribution = rule(grad, out, x, attrs)
                    else:
                        contribution = rule(grad, out, attrs, x)
                except (ArithmeticError, ValueError):
                    contribution = _ieee_retry(rule, *_one_input_arguments(grad, out, x, attrs, constant_at))
                if plain:  # the usual pass, one parent: the delivery below, inline
                    if contribution is not None:
                        if parent.broadcasts:
                            contribution = parent._match_gradient(contribution, False)
                        previous = pending.get(parent)
                        pending[parent] = contribution if previous is None else previous + contribution
                    continue
                parents, contributions = (parent,), (contribution,)
            elif plain and op.rule_per_input:
                # the usual pass, a rule per parent (x * y, x @ w): each parent's rule and delivery, inline
                inputs = node._inputs
                out = node._data
                if type(inputs) is tuple:
                    call_args = (grad, out, *[parent._data for parent in inputs])
                else:  # two parents, stored without a tuple: the rules are called with the arguments written out
                    second = node._second
                    call_args = None
                    a, b = inputs._data, second._data
                    inputs = (inputs, second)
                for parent, rule in zip(inputs, rules):
                    if not parent._requires_grad:
                        continue
                    try:
                        if call_args is None:
                            contribution = rule(grad, out, a, b) if attrs is None else rule(grad, out, a, b, **attrs)
                        else:
                            contribution = rule(*call_args) if attrs is None else rule(*call_args, **attrs)
                    except (ArithmeticError, ValueError):
                        if call_args is None:
                            call_args = (grad, out, a, b)
                        contribution = _ieee_retry(rule, call_args, attrs)
                    if contribution is not None:
                        if parent.broadcasts:
                            contribution = parent._match_gradient(contribution, False)
                        previous = pending.get(parent)
                        pending[parent] = contribution if previous is None else previous + contribution
                call_args = None  # (it holds grad: not while the next node runs)
                continue
            else:
                if op.outputs is not None:  # one call, several output nodes: one rule call for all of them
                    grad = _gathered_gradients(node, grad, op, pending, waiting)
                    if grad is None:
                        continue
                parents = node._inputs  # node.parents, inline (a wide node's one tuple)
                if type(parents) is not tuple:
                    parents = (parents,) if node._second is None else (parents, node._second)
                if plain and op.accumulate is not None:  # the rule adds into pending itself
                    # owned: this local is the array's one holder (no seed, stored .grad, hook, pending entry or view
                    # of it exists, nor is it a view), so the rule may reuse its buffer
                    owned = type(grad) is _ndarray and grad.base is None and references(grad) == 2
                    zeros = op.accumulate(pending, grad, parents, node._data, owned and grad.flags.writeable, attrs)
                    if zeros is not None:  # parents whose contributions are all zeros (see Op's accumulate)
                        if zeroed is _NO_NODES:
                            zeroed = set()
                        zeroed.update(zeros)
                    continue
                if create_graph:
                    out, args = node, parents
                elif len(parents) == 2:
                    out, args = node._data, (parents[0]._data, parents[1]._data)
                else:
                    out, args = node._data, tuple([parent._data for parent in parents])
                if op.joint:  # one call gives every input's contribution (None: no gradient)
                    contributions = rules[0](grad, out, *args) if attrs is None else rules[0](grad, out, *args, **attrs)
                    if op.saved is not None:  # a custom Function's backward: what it returns may be the caller's
                        _note_handed_out(contributions, handed_out)  # (a saved array, a constant): stored as copies
                else:
                    contributions = []
                    variadic = op.variadic
                    for index, parent in enumerate(parents):
                        if not parent._requires_grad or (relevant is not None and parent not in relevant):
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
                    if contribution is not None and parent._requires_grad:
                        if parent.broadcasts:
                            contribution = parent._match_gradient(contribution, False)
                        previous = pending.get(parent)
                        pending[parent] = contribution if previous is None else previous + contribution
                continue
            for index, (parent, contribution) in enumerate(zip(parents, contributions)):
                if contribution is None or not parent._requires_grad:
                    continue
                if relevant is not None and parent not in relevant:
                    continue
                if create_graph or parent.broadcasts:
                    contribution = parent._match_gradient(contribution, create_graph)
                if anomaly is not None:  # index among the op's inputs (a number operand first shifts it)
                    anomaly.on_backward(node, index + (op.constant_at == 0), contribution)
                previous = pending.get(parent)
                pending[parent] = contribution if previous is None else previous + contribution
        if task is not None:  # the hooks waiting for a node the pass gave no gradient run now
            task.finish()
    except BaseException as error:
        if anomaly is not None:  # torch's warning naming where the failing step's node was made
            anomaly.on_error(node, error)
        for node, grad in zip(overwritten_nodes, overwritten_grads):
            node._grad = grad
        set_recording(previous_mode)
        if queued_callbacks:
            queued_callbacks.pop(this_pass[1], None)
        raise
    finally:
        _mode.backward_pass = previous_pass
        if task is not None:
            end_task(task)
    # adding into a .grad is recorded under create_graph (as torch's engine runs in that grad mode), also when
    # backward was called inside no_grad() (a hook of the pass may have switched the mode: switched back)
    set_recording(create_graph)
    try:
        _store_leaf_gradients(finished_nodes, finished_grads, handed_out, create_graph, this_pass)
    except BaseException:  # a post-accumulate-grad hook raised: the retained intermediates get theirs back too
        for node, grad in zip(overwritten_nodes, overwritten_grads):
            node._grad = grad
        if queued_callbacks:
            queued_callbacks.pop(this_pass[1], None)
        raise
    finally:
        set_recording(previous_mode)
    if free:
        if relevant is None:
            _free_saved(passed)
        else:  # an input whose own derivative the pass never ran (autograd.grad(z, y), y = x.exp()) keeps its values,
            # as torch's engine runs no node behind the inputs; backward(inputs=...) runs theirs, as torch's
            _free_saved([node for node in passed if node in relevant and (retained or _ran(node, wanted, relevant))])
    if queued_callbacks:  # (a dict read: a pass whose nodes queued nothing pays no more)
        _run_final_callbacks(this_pass)
    return results


def _run_final_callbacks(this_pass: tuple[bool, int]) -> None:
    """Call the callables the pass ``this_pass`` queued (``Variable._execution_engine.queue_callback``), in order,
    as torch's final callbacks: the pass counts as running meanwhile, so a callback may queue another, which runs
    after it."""
    previous_pass = _mode.backward_pass
    _mode.backward_pass = this_pass
    try:
        while True:
            callbacks = queued_callbacks.pop(this_pass[1], None)
            if not callbacks:
                return
            for callback in callbacks:
                callback()
    finally:
        _mode.backward_pass = previous_pass
        queued_callbacks.pop(this_pass[1], None)


def _ran(node: Node, wanted: Any, relevant: set[Node]) -> bool:
    """Whether a pass over the ``relevant`` nodes called ``node``'s derivative rules: it is not one of the inputs
    ``wanted``, or it is one computed from another relevant node."""
    return node not in wanted or any(parent in relevant for parent in node.parents)


def _release(attrs: Any, names: tuple[str, ...]) -> None:
    """Set the entries ``names`` of a node's ``attrs`` (what its op computed for its rules alone: Op.releases) to
    None, in a pass that frees the graph: as torch releases a node's saved tensors once it has run, the pass's own
    rule call holds them last. A Value's ``attrs`` is no dict (None, or a number): nothing to release."""
    if type(attrs) is dict:
        for name in names:
            if name in attrs:
                attrs[name] = None


def _store_leaf_gradients(
    nodes: list[Node], grads: list[Any], handed_out: set[int], create_graph: bool, this_pass: tuple[bool, int]
) -> None:
    """Add each finished leaf's gradient (``grads[i]`` is ``nodes[i]``'s) into its ``.grad``, in order, under
    :data:`leaf_accumulation`, taken once for a run of leaves without post-accumulate-grad hooks; a leaf with such
    hooks takes its own lock for its addition and its hooks (``Node._accumulate_leaf``), so its hooks run while
    other threads may add into other leaves, as torch's. The hooks run as part of the pass ``this_pass``, as
    torch's: a backward one of them runs nests in it (at any depth, see :mod:`autograd.reentrant`), and a callback
    one queues runs at its end."""
    for node in nodes:  # (a loop, not grads_restored_on_error's own test: this runs after every pass)
        if node._post_accumulate_grad_hooks:
            with running_pass(this_pass), grads_restored_on_error(nodes):
                _add_leaf_gradients(nodes, grads, handed_out, create_graph)
            return
    _add_leaf_gradients(nodes, grads, handed_out, create_graph)


def _add_leaf_gradients(nodes: list[Node], grads: list[Any], handed_out: set[int], create_graph: bool) -> None:
    """:func:`_store_leaf_gradients`' additions, the leaf lock taken once for a run of leaves without hooks."""
    held = False
    try:
        for node, grad in zip(nodes, grads):
            if type(grad) is _ndarray or (create_graph and _shareable(grad)):
                grad = _unaliased(grad, handed_out)
            if node._post_accumulate_grad_hooks:
                if held:
                    leaf_accumulation.release()
                    held = False
                node._accumulate_leaf(grad)
                continue
            if not held:
                leaf_accumulation.acquire()
                held = True
            node._add_to_grad(grad)
    finally:
        if held:
            leaf_accumulation.release()


@contextlib.contextmanager
def running_pass(this_pass: tuple[bool, int]) -> Iterator[None]:
    """Within the block, the pass ``this_pass`` counts as running in this thread (``_mode.backward_pass``)."""
    previous_pass = _mode.backward_pass
    _mode.backward_pass = this_pass
    try:
        yield
    finally:
        _mode.backward_pass = previous_pass


@contextlib.contextmanager
def leaf_hooks_pass() -> Iterator[None]:
    """Around ``backward(inputs=...)``'s additions into its inputs' ``.grad``, made after its pass: their
    post-accumulate-grad hooks run as part of a pass, as :func:`_store_leaf_gradients` runs them; the callbacks they
    queue run at the block's end (none if it raises)."""
    this_pass = (True, next(_ticks))
    try:
        with running_pass(this_pass):
            yield
    except BaseException:
        queued_callbacks.pop(this_pass[1], None)
        raise
    if queued_callbacks:
        _run_final_callbacks(this_pass)


@contextlib.contextmanager
def grads_restored_on_error(nodes: Sequence[Node]) -> Iterator[None]:
    """Around adding gradients into the ``.grad`` of ``nodes``: if the block raises (a post-accumulate-grad hook of
    one of them, after others took their gradients), every one gets its ``.grad`` back, the object and its values
    (what the hooks themselves did stays done). Backups are taken only where some node has such hooks: without
    them nothing can raise half-way."""
    if not any(node._post_accumulate_grad_hooks for node in nodes):
        yield
        return
    backups = [(node, node._grad) for node in nodes]
    memories = [_added_into(grad) for _, grad in backups]
    values = [None if memory is None else np.array(memory, copy=True) for memory in memories]
    try:
        yield
    except BaseException:
        for (node, grad), memory, saved in zip(backups, memories, values):
            if saved is not None:
                np.copyto(memory, saved)
            node._grad = grad
        raise


def _added_into(grad: Any) -> np.ndarray | None:
    """The array a backward pass may add a leaf's gradient into in place, ``.grad`` being ``grad``: the array itself,
    or the data of a constant Tensor assigned as ``.grad`` (None when the sum is a new object)."""
    if type(grad) is not _ndarray:
        if grad is None or not hasattr(grad, "_copy_in_graph") or grad._requires_grad:
            return None
        grad = grad._data
    return grad if type(grad) is _ndarray and grad.flags.writeable else None


@contextlib.contextmanager
def saved_values_kept(nodes: Iterable[Node]) -> Iterator[None]:
    """Inside the block, ``nodes`` freed by an earlier pass take their ops back (their values never left them),
    for the library's own pictures of a graph after backward (``backward_steps``); freed again on leaving."""
    nodes = [node for node in nodes if node.op is not None]
    freed = [(node, node.op) for node in nodes if node.op.unfreed is not None]
    for node, op in freed:
        node.op = op.unfreed
    released = [node for node in nodes if node.op.release is not None and node.op.release(node, False)]
    try:
        yield
    finally:
        for node, op in freed:
            node.op = op
        for node in released:
            node.op.release(node, True)


def frees_graph(retain_graph: bool | None, create_graph: bool) -> bool:
    """Whether a pass frees what its nodes saved: torch's ``retain_graph``, which defaults to ``create_graph``."""
    return not (create_graph if retain_graph is None else retain_graph)


def _free_saved(nodes: list[Node]) -> None:
    """After a pass that does not retain the graph: the nodes whose op saved values (torch's saved tensors) take
    the op's freed twin, so a second pass through them raises torch's error (the values stay: they are nodes');
    what an op computed for its rules alone goes (:attr:`Op.releases`); an op that keeps its saved values elsewhere
    (a custom Function's ``ctx``) releases them itself (:attr:`Op.release`)."""
    for node in nodes:  # (slots read first: this loop runs once per node of every pass)
        op = node.op
        if op is None:
            continue
        if op.releases:  # (nodes whose rules the pass called with hooks, or not at all)
            _release(node.attrs, op.releases)
        saves = op._saves
        if saves is None:
            saves = op.saves
        if saves:
            if op.release is None:
                node.op = op._freed or op.freed
            else:
                op.release(node, True)
