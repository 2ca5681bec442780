"""Version counters and the bookkeeping of in-place changes.

A node recorded at tick t used its inputs as they were at t. Every recorded node and
every in-place change takes the next tick of one global clock (``_ticks``); a node's
:class:`VersionCounter` (shared by the views of one array) keeps the tick of its last
change, so backward can tell that an input was changed after the op that saved it ran.
:func:`rebase_history` gives a node changed in place a new history (a custom Function's
``mark_dirty``, a Tensor's recorded in-place op), and :func:`check_in_place_allowed` refuses the
in-place changes that would have to be recorded but cannot be (a leaf that requires grad, as in
torch; an op with no recorded form). A counter also knows the live nodes that hold its array besides
its owner (views, detached tensors, copies): a recorded change refuses the rest, and makes the views stale:
each takes its new history (a view of the changed tensor) when it is next used (:func:`refresh_view`), as torch
regenerates a view's ``grad_fn`` lazily, so a change costs the same however many views of the array live.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .grad_mode import _mode
from .op import Op
from .parents import store_parents

if TYPE_CHECKING:  # for annotations only: core imports this module
    from .core import Node

__all__ = [
    "History", "StaleNoGradViewError", "VersionCounter", "check_in_place_allowed", "clock", "forget_history", "increment_version",
    "is_view", "live_backward_functions", "multi_output_view_change_error", "multi_output_views", "rebase_history",
    "share_data", "takes_gradients", "unlink_earlier", "unlink_rebased",
]  # fmt: skip


def share_data(alias: Any, source: Any) -> None:
    """Make the new leaf ``alias`` hold ``source``'s array and share its version counter, as torch's detached
    aliases (``nn.Parameter(t)``) do: a change in place through either shows through, and is counted for, both."""
    alias._data = source._data
    alias._version_counter = source._shared_version()
    alias._version_counter.add_holder(alias, "detached")


class VersionCounter:
    """How many times a node's data was changed in place, shared by the views of one array.

    ``count`` is the version users see (``node.version``); ``changed_at`` is the
    tick of the global clock at the last change, which backward compares with the
    tick each node was recorded at.
    """

    __slots__ = ("count", "changed_at", "_holders", "_prune_at", "views_rebased_at", "copies")

    def __init__(self) -> None:
        self.count = 0
        self.changed_at = 0
        #: The tick at which the tensor that owns the array took a new history (a recorded in-place change) while
        #: views of it were alive: a view whose own history is older is stale (see :func:`refresh_view`).
        self.views_rebased_at = 0
        #: How many "copy" holders were ever added (copy.copy, a custom Function's output sharing an input's array).
        self.copies = 0
        # (kind, weak reference) of the other nodes that hold this array through this counter: "view" (a shape
        # op's output), "detached" (detach()) or "copy" (copy.copy); None while there are none
        self._holders: list[tuple[str, weakref.ref]] | None = None
        self._prune_at = _FIRST_PRUNE

    def add_holder(self, node: Any, kind: str) -> None:
        """Note that ``node`` holds this counter's array too, as a ``kind``: "view", "detached" or "copy"."""
        node._holder_kind = kind
        if kind == "view":
            node._based_at = node._recorded_at or next(_ticks)  # the tick its history as a view dates from
        else:
            node._based_at = 0  # (a copy of a view copies its fields: it is no view)
            if kind == "copy":
                self.copies += 1
        entry = (kind, weakref.ref(node))
        holders = self._holders
        if holders is None:  # the first holder: two threads noting one each at once make one list of both
            with _first_holders:
                holders = self._holders
                if holders is None:
                    self._holders = [entry]
                    return
        if len(holders) >= self._prune_at:  # views made and dropped every step (w.T) must not pile up
            self._prune_at = kept_alive(holders, _holder_lives, _FIRST_PRUNE)
        holders.append(entry)

    def live_holders(self) -> list[tuple[str, Any]]:
        """``(kind, node)`` of the holders still alive, in the order they were made."""
        if self._holders is None:
            return []
        return [(kind, node) for kind, ref in self._holders if (node := ref()) is not None]


#: :meth:`VersionCounter.add_holder` first drops its dead references once it holds this many.
_FIRST_PRUNE = 16


def kept_alive(entries: list, alive: Any, first: int) -> int:
    """Drop, in place, the ``entries`` that ``alive(entry)`` finds dead, and return the length at which to look
    through them again: twice the entries kept, at least ``first``. A list appended to for ever and looked through
    at that length costs O(1) per append on average, whether its entries die young or live on."""
    entries[:] = [entry for entry in entries if alive(entry)]
    return max(first, 2 * len(entries))


def _holder_lives(entry: tuple[str, weakref.ref]) -> bool:
    return entry[1]() is not None


#: Held while :meth:`VersionCounter.add_holder` makes a counter's list of holders, so that views of one tensor made
#: in two threads at once are both noted (a thread switch between the test and the store lost one).
_first_holders = threading.Lock()


class _Pinned:
    """An object that lives as long as the process: a holder that never dies, for counters whose holders are
    unknown (deep copies of views)."""


_PINNED = _Pinned()
#: The holders of a counter whose real holders are unknown: one that never dies and is not a view.
ALWAYS_SHARED = (("copy", weakref.ref(_PINNED)),)


#: The global clock: every recorded node and every in-place change takes the next tick. A node's
#: tick (``_recorded_at``) orders it after its parents, so sorting by it is a topological order,
#: and an in-place change with a later tick than a node's happened after that node's op ran.
_ticks = itertools.count(1)


def clock() -> int:
    """A tick of the global clock taken now: every node recorded from now on has a later ``_recorded_at``, every
    node recorded before an earlier one (a checkpoint tells the nodes its block recorded from those it closes
    over)."""
    return next(_ticks)


class _InPlaceClock:
    """The tick of the latest :func:`rebase_history` (0: none yet)."""

    last_rebase = 0


#: ``[the tick of the latest in-place change made anywhere]`` (0: none yet). Backward reads it again at every node
#: it might check, as torch checks a saved tensor's version when the node that saved it runs: a change made during
#: the pass (by a hook, or by another thread) is caught too. An item of a one-item list is the cheapest value of
#: another module's to read there, where the pass of a long chain reads it per node.
last_change = [0]


class _ParentWatch:
    """Whether making a node must look at its parents: False until the first recorded in-place change anywhere (a
    node taking a new history), so until then it looks at none. From then on, a stale view among the parents is
    brought up to date first (:func:`refresh_views`), and a recorded node is noted as a child of each parent that
    has taken a new history (:func:`note_child`), so that parent keeps an earlier self only while a child
    recorded before the change that made it lives (see :func:`_keep_earlier_self`)."""

    on = False


class StaleNoGradViewError(RuntimeError):
    """The use of a view made under ``no_grad`` after its base took a new history by a recorded in-place change
    (torch refuses it: whether the view should see that history is ambiguous)."""


def no_grad_view_change_error(op: str) -> str:
    """The refusal of a recorded in-place change (``op``) of a view made under ``no_grad``, in torch's words."""
    return (
        f"{op}: A view was created in no_grad mode and is being modified inplace with grad mode enabled; this is "
        "ambiguous, so it is refused, as torch does: make the view and the change both inside the no_grad block "
        "(not recorded) or both outside it (recorded)"
    )


def multi_output_views(pieces: tuple[Node, ...], op: str) -> tuple[Node, ...]:
    """Mark ``pieces``, the outputs of ``op`` (``split``, ``chunk``, ``unbind``), made while recording, that are views:
    torch refuses a recorded in-place change of one (or of a view of one): it returns several views of one tensor,
    and its backward cannot take one changed piece; nor the use of one while recording once its array has changed
    (:func:`refresh_views` checks it). Made under ``no_grad``, they are no-grad views instead."""
    if _mode.enabled:
        for position, piece in enumerate(pieces):
            if piece._view_base is not None and not piece._made_in_no_grad:
                piece._multi_output_view = (op, position)
                piece._multi_output_version = piece._version_counter.count
                _ParentWatch.on = True  # (the nodes made from now on look at their parents: a piece among them)
    return pieces


def multi_output_view_change_error(node: Node, op: str) -> str:
    """The refusal of a recorded in-place change (``op``) of a marked output of split/chunk/unbind (see
    :func:`multi_output_views`), in torch's words."""
    name, position = node._multi_output_view or ("split", 0)
    return (
        f"{op}: Output {position} of {name} is a view and is being modified inplace. This view is the output of a "
        "function that returns multiple views. Such functions do not allow the output views to be modified inplace "
        "while the graph is recorded (as torch refuses): replace the inplace operation by an out-of-place one, "
        "clone() the piece first, or use unsafe_split/unsafe_chunk"
    )


def views_go_stale(node: Node) -> None:
    """After ``node`` took a new history by a recorded in-place change: its live views (they share its counter)
    are stale from now on, each rebased when next used (:func:`refresh_view`); nothing is done to them here."""
    counter = node._version_counter
    if counter is not None and counter._holders:
        counter.views_rebased_at = node._recorded_at
        _ParentWatch.on = True


def refresh_view(node: Node) -> None:
    """Give a stale view (see :func:`views_go_stale`) its history as a view of the tensor it views now, as the
    in-place change that made it stale would have: recorded again (``rebase_history``, its earlier history kept
    for the nodes recorded before, which backward points at it), or, made while nothing was recorded, joined to
    the graph. A view of a view is refreshed after the view it views (a loop, so chains of any length work).
    While a backward pass runs, only views made since it began are (a forward pass run inside it, as checkpoint's
    second run): the nodes the pass reaches were recorded before, and need the history the view had then."""
    running = _mode.backward_pass
    began = running[1] if running is not None else 0
    chain = []
    while node._based_at > began and node._version_counter.views_rebased_at > node._based_at:
        chain.append(node)
        node = node._view_base
        if node is None:
            break
    if chain and node is not None and node._holder_kind == "detached":
        # views of a detach()ed tensor: the change was of the tensor it was detached from (sharing its counter), whose
        # history is none of theirs; as torch's, they stay what they were (a constant stays out of the graph)
        for view in chain:
            view._based_at = next(_ticks)
        return
    for view in reversed(chain):
        if view._made_in_no_grad:
            if not _mode.enabled:  # read while nothing is recorded (torch reads no grad_fn then): it stays stale
                return
            raise StaleNoGradViewError(
                "A view was created in no_grad mode and its base or another view of its base has been modified "
                "inplace with grad mode enabled (a recorded in-place change since); this use is ambiguous, so it is "
                "refused, as torch does: make the view and the change both inside the no_grad block (not recorded) "
                "or both outside it (recorded)"
            )
        if view.op is not None:  # a view of the tensor it views, not of the earlier self a backward pass gave it
            rebase_history(view, view.op, (view._view_base,), view.attrs, bump=False)  # (its counter is its base's)
        elif view._view_of is not None:  # a view made while nothing was recorded joins the graph now
            view_op, viewed, view_attrs = view._view_of
            view._view_of = None
            rebase_history(view, view_op, (viewed,), view_attrs, bump=False)
        view._based_at = view._recorded_at if view.op is not None else next(_ticks)


class ChangedMultiOutputViewError(RuntimeError):
    """The use while recording of an output of ``split``/``chunk``/``unbind`` (or of a view of one) after its array
    was changed in place: torch refuses it (such a view's history cannot be rebuilt as a single view's is)."""


def refresh_views(nodes: Iterable[Node]) -> None:
    """:func:`refresh_view` for each of ``nodes`` that is a stale view; the refusal of a changed output of a
    multiple-output view op (see :class:`ChangedMultiOutputViewError`)."""
    for node in nodes:
        based_at = node._based_at
        if based_at and node._version_counter.views_rebased_at > based_at:
            refresh_view(node)
        if node._multi_output_view is not None and _mode.enabled and node._requires_grad:
            if node._version_counter.count != node._multi_output_version:
                name, position = node._multi_output_view
                raise ChangedMultiOutputViewError(
                    f"Output {position} of {name} is a view and its base or another view of its base has been "
                    "modified inplace. This view is the output of a function that returns multiple views, whose "
                    "pieces cannot be used once changed, as torch refuses: clone() the pieces before the change, or "
                    "use unsafe_split/unsafe_chunk"
                )


def increment_version(node: Node | Iterable[Node]) -> None:
    """Record that ``node.data`` was changed in place (bumps its version and its views').

    The library's own in-place operations call this; call it after changing
    ``node.data`` directly (``.data`` is unchecked) so backward can catch stale
    saved inputs, as ``torch.autograd.graph.increment_version``. As torch's, it also takes
    an iterable of nodes (an optimizer step's parameters): they are changed at one tick.
    """
    shared_version = getattr(node, "_shared_version", None)  # (core imports this module: no Node class here)
    if shared_version is not None:
        counter = shared_version()
        counter.count += 1
        counter.changed_at = last_change[0] = next(_ticks)
        return
    try:
        counters = [each._shared_version() for each in node]
    except (TypeError, AttributeError):
        raise TypeError(
            f"increment_version: expected a Tensor, a Value or an iterable of them, got {type(node).__name__}"
        ) from None
    if counters:
        tick = last_change[0] = next(_ticks)
        for counter in counters:
            counter.count += 1
            counter.changed_at = tick


def rebase_history(
    node: Node, op: Op, parents: tuple[Node, ...], attrs: Any = None, earlier_data: Any = None, bump: bool = True
) -> Node:
    """Make ``node`` the output of ``op`` applied to ``parents``, in place (torch's rebase_history).

    For an operation that changed ``node``'s data in place and returns ``node`` itself (a custom
    Function's ``mark_dirty``). The history ``node`` had moves to a new node, its *earlier self*,
    which takes ``node``'s place among ``parents``; nodes recorded before this call that have
    ``node`` as a parent are pointed at that earlier self when a backward pass reaches them, so
    their gradients take the path they had (as torch's edges do). Bumps ``node``'s version.

    ``earlier_data``: a copy of ``node``'s values taken before an in-place change overwrote its array, for an
    ``op`` whose rule reads its input's values (as torch saves the original ``self``); the earlier self then
    holds that copy, with a version counter of its own (nothing can change the copy), so the nodes that read
    the old values get them. Without it the earlier self holds the array itself and shares its counter.

    ``bump=False`` leaves the version alone: for a view of a tensor just changed, whose shared counter that
    change has bumped already (one in-place change is one version, as in torch).

    Returns the earlier self.
    """
    earlier = _keep_earlier_self(node, earlier_data)
    if bump:
        increment_version(node)
    parents = tuple(earlier if parent is node else parent for parent in parents)
    node._requires_grad = True
    store_parents(node, parents)
    node.op = op
    node.attrs = attrs
    node._recorded_at = next(_ticks)
    note_child(node, parents)
    if _mode.anomaly is not None:
        _mode.anomaly.on_record(node)
    return earlier


def forget_history(node: Node) -> None:
    """Make ``node`` a leaf that needs no gradient, in place (``detach_()``): as :func:`rebase_history`, its old
    history moves to an earlier self, so the nodes already computed from it keep their path to it (torch's
    edges point at the old ``grad_fn``); nodes computed from it afterwards see a constant."""
    if node.op is not None:
        _keep_earlier_self(node, None)
    node._requires_grad = False
    store_parents(node, ())
    node.op = None
    node.attrs = None
    node._recorded_at = 0


#: The live backward functions (``grad_fn``s, ``AccumulateGrad``s) of nodes, by (the node's op's name, or None for a
#: leaf's ``AccumulateGrad``; id(node)): torch's graph holds one function object per node, so
#: ``b.grad_fn.next_functions[0][0] is a.grad_fn`` and ``y.grad_fn is y.grad_fn`` hold (see
#: :func:`autograd.core._backward_function`). A function holds its node, so while an entry lives its id names that
#: node; the node does not hold its function (no reference cycle), and the entry goes when the last reference to the
#: function does. An in-place change moves a node's function to its earlier self (:func:`_keep_earlier_self`).
live_backward_functions: weakref.WeakValueDictionary[tuple[str | None, int], Any] = weakref.WeakValueDictionary()


def _keep_earlier_self(node: Node, earlier_data: Any) -> Node:
    """Move ``node``'s history (op, parents, tick, requires_grad) and its hooks to a new node, its earlier self, and
    return it. Hooks registered before an in-place change act on the gradient of the values they saw, as torch's:
    they go with the earlier self.

    The nodes recorded from ``node`` before this change (its children since the last one) still hold ``node``: a
    backward pass points them at this earlier self (:meth:`Node._earlier_self`), found in ``node._history`` by the
    tick of this change. The entry is made only if one of those children still lives (torch's old ``grad_fn`` lives
    exactly as long as the edges of the nodes recorded before): they were noted, weakly, in
    ``node._children_since`` (:func:`note_child`); before ``node``'s first change nobody noted them, so that entry
    is always kept. Entries whose children have all died since are dropped here too, each time the history has
    doubled (:class:`History`), so a tensor changed in place every step does not keep every step's graph.

    A ``grad_fn`` of ``node`` taken before the change (held in a ``GradientEdge``, say) goes with the earlier self
    too, as torch's old ``grad_fn`` stays the function of the old values: ``autograd.grad(y, edge)`` gives their
    gradient, and ``node.grad_fn`` is a new function.
    """
    earlier = object.__new__(type(node))
    if earlier_data is None:
        earlier._data = node._data
        earlier._version_counter = node._shared_version()
    else:
        earlier._data = earlier_data
        counter, earlier._version_counter = node._shared_version(), VersionCounter()
        earlier._version_counter.count, earlier._version_counter.changed_at = counter.count, counter.changed_at
    earlier._grad = earlier._zero_grad_value
    earlier._requires_grad = node._requires_grad
    earlier._inputs, earlier._second = node._inputs, node._second
    earlier.op = node.op
    earlier.attrs = node.attrs
    earlier._recorded_at = node._recorded_at
    if node._hooks:
        earlier._hooks, node._hooks = node._hooks, None
    if live_backward_functions and node.op is not None:
        function = live_backward_functions.pop((node.op.name, id(node)), None)
        if function is not None:
            function.node = earlier
            live_backward_functions[node.op.name, id(earlier)] = function
    rebased_at = _InPlaceClock.last_rebase = next(_ticks)
    _ParentWatch.on = True
    children = node._children_since
    history = node._history
    if history is None:
        history = node._history = History()
    elif len(history) >= history.looked_through_at:
        history.looked_through_at = kept_alive(history, _entry_needed, History.looked_through_at)
    if _may_be_needed(children):
        history.append((rebased_at, earlier, children))  # in tick order, so _earlier_self can bisect
    # (a Value's operators note no children, to keep the scalar hot path free of the test: its entries are all kept)
    node._children_since = [] if node.holds_arrays else None
    return earlier


class History(list):
    """A node's ``_history``: ``(tick, earlier self, its children)`` in tick order (see :func:`_keep_earlier_self`).
    Its entries are looked through for earlier selves no child needs any more when it reaches ``looked_through_at``
    entries, which then becomes twice the entries kept: a tensor changed in place many times while the nodes
    recorded before each change live (a buffer filled entry by entry) is not looked through at every change."""

    looked_through_at = 8


def _may_be_needed(children: list[weakref.ref] | None) -> bool:
    """Whether an earlier self may still be reached: its children are unknown (None) or one of them lives."""
    return children is None or any(child() is not None for child in children)


def _entry_needed(entry: tuple[int, Node, list[weakref.ref] | None]) -> bool:
    return _may_be_needed(entry[2])


def note_child(child: Node, parents: Iterable[Node]) -> None:
    """Note ``child``, just recorded, as a child of each of ``parents`` that has taken a new history in place (it
    then holds a list of the children recorded since; see :func:`_keep_earlier_self`). Called only while
    ``_ParentWatch.on``."""
    for parent in parents:
        children = parent._children_since
        if children is not None:
            children.append(weakref.ref(child))


def is_view(node: Node) -> bool:
    """Whether ``node`` is a live view of another node's array (made by a shape op, see ``Tensor._view``)."""
    counter = node._version_counter
    return counter is not None and any(kind == "view" and held is node for kind, held in counter.live_holders())


def read_inputs(node: Node) -> list[int]:
    """The positions of ``node``'s parents whose values the derivative rules backward will call for it may read
    (the rules of the parents that require grad; every input for joint and variadic ops)."""
    op, parents = node.op, node.parents
    if op is None or not op.reads_values:
        return []
    if op.saved is not None:
        return list(op.saved(node)[0])
    if op.variadic or op.joint:
        return list(range(len(parents)))
    if op.constant_at is not None:
        return [0] if op.rule_reads(0, 0) else []
    needed = [rule for rule, parent in enumerate(parents) if parent._requires_grad]
    return [position for position in range(len(parents)) if any(op.rule_reads(rule, position) for rule in needed)]


def reads_output(node: Node) -> bool:
    """Whether the derivative rules backward will call for ``node`` may read its own values (of an op with a rule
    per input, the rules of the parents that require grad only, as :func:`read_inputs`: ``x / c`` of a constant
    ``c`` reads no output, as torch's saves none)."""
    op = node.op
    if op is None:
        return False
    if op.saved is not None:
        return op.saved(node)[1]
    if op.reads_output and op.rule_per_input:  # (rule_reads at position -1: the rule's ``out`` argument)
        return any(op.rule_reads(rule, -1) for rule, parent in enumerate(node.parents) if parent._requires_grad)
    return op.reads_output


def unlink_earlier(node: Node, earlier: Node) -> None:
    """:func:`unlink_rebased` after ``node``'s in-place change moved its old history to ``earlier``: the nodes that
    can hold ``node`` are its children recorded since its previous change, which :func:`note_child` noted (the
    entry of ``node``'s history for ``earlier``; none if no entry was kept: they all died), so only they are
    pointed at ``earlier``, with no walk; before its first change nobody noted them, and the walk finds them."""
    history = node._history
    if not history or history[-1][1] is not earlier:
        return
    children = history[-1][2]
    if children is None:
        unlink_rebased(node, earlier._recorded_at)
        return
    for reference in children:
        child = reference()
        if child is not None:
            _adopt_earlier_parents(child)


def unlink_rebased(node: Node, since: int, views: tuple[Node, ...] = ()) -> None:
    """After ``node`` took a new history by a recorded in-place change: point the nodes of that history recorded
    after tick ``since`` (when its old history, or the history of a view of it changed, was recorded) at the earlier
    selves of their parents rebased after them, as a backward pass would (:func:`_adopt_earlier_parents`). A node
    whose new history was computed from it (``y.add_(y.exp())``; a view written in place, whose new values are read
    from it) would otherwise hold itself through that history: a reference cycle that only the cyclic garbage
    collector frees, where torch's frees by reference counting. Only the nodes recorded since ``since`` can hold
    the node, so the walk stops at older ones: it costs the nodes recorded since. Of the stale views of the node
    met as parents, those among ``views`` (the views written through) first take their new history
    (:func:`refresh_view`), as they hold the node (their view base); the others are left alone until used."""
    stack = [parent for parent in node.parents if parent._recorded_at > since]
    seen = set()
    while stack:
        child = stack.pop()
        if id(child) in seen:
            continue
        seen.add(id(child))
        if views:
            for parent in child.parents:
                if any(parent is view for view in views):
                    refresh_view(parent)
        _adopt_earlier_parents(child)
        stack.extend(parent for parent in child.parents if parent._recorded_at > since)


def _adopt_earlier_parents(node: Node) -> None:
    """Point ``node`` at the earlier selves of parents whose history was rebased after it was recorded."""
    parents = node.parents
    if not any(parent._history for parent in parents):
        return
    store_parents(node, tuple(parent._earlier_self(node._recorded_at) for parent in parents))


def takes_gradients(node: Node) -> bool:
    """Whether a gradient can flow into ``node``'s values: floating data. An integer or boolean tensor's values are
    not differentiable, so writing a value that requires grad into one records nothing (torch's ``t[i] = v`` and
    ``copy_`` into an integer tensor cast the values and give no gradient)."""
    dtype = getattr(node._data, "dtype", None)  # a Value holds a Python float
    return dtype is None or dtype.kind in "fc"


def check_in_place_allowed(node: Node, operand: Node | None, op: str) -> None:
    """Raise RuntimeError if changing ``node`` in place (with ``operand``) would have to be recorded (an operand
    that requires grad written into a tensor that cannot take gradients, an integer one, is not)."""
    if not _mode.enabled:
        return
    kind = type(node).__name__
    if node._requires_grad:
        torch_words = (
            " (a leaf Variable that requires grad is being used in an in-place operation)" if node.is_leaf else ""
        )
        raise RuntimeError(
            f"{op}: in-place change of a {kind} that requires grad while the graph is being recorded{torch_words}; "
            f"do the update inside `with no_grad():` (as an optimizer step does), or write it out of place "
            f"(x = x + y)"
        )
    base = node
    while base._view_of is not None:  # a view made while nothing was recorded, of a tensor that may since require grad
        base = base._view_of[1]
    if base is not node and base._requires_grad:  # the root's flag, set after the view was made (as torch checks it)
        if node._made_in_no_grad:
            raise RuntimeError(no_grad_view_change_error(op))
        raise RuntimeError(
            f"{op}: in-place change of a view of a {type(base).__name__} that requires grad, made before it "
            "required grad (a view of a leaf Variable that requires grad is being used in an in-place "
            "operation); do the update inside `with no_grad():`"
        )
    if operand is not None and operand._requires_grad and takes_gradients(node):
        raise RuntimeError(
            f"{op}: the right-hand side requires grad, but an in-place change cannot record a graph; "
            f"write it out of place (x = x + y)"
        )
