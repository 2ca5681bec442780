"""Copying and pickling graph nodes, with no recursion over the graph (graphs of any depth).

:class:`NodeCopying` holds :class:`~autograd.core.Node`'s ``__deepcopy__``, ``__copy__`` and
``__reduce_ex__``; ``Node`` inherits them. A deep copy copies the node's whole graph once
(explicit stack), a shallow copy is a new node on the same parents, and pickle saves a leaf
(as torch does).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from .collector import collector_paused
from .parents import store_parents
from .versions import (
    ALWAYS_SHARED,
    History,
    VersionCounter,
    _adopt_earlier_parents,
    _ParentWatch,
    note_child,
    refresh_views,
)

if TYPE_CHECKING:  # for annotations only: core imports this module
    from .core import Node

__all__ = ["NodeCopying"]


class NodeCopying:
    """The copy and pickle methods of :class:`~autograd.core.Node`, which inherits them (a mixin)."""

    __slots__ = ()  # Node declares the fields

    # copy.copy and copy.deepcopy look for __copy__ and __deepcopy__ before __reduce_ex__, so only
    # pickle uses the leaf-only __reduce_ex__ below.

    #: ``__dict__`` entries that describe a node's place in a graph, not its value: pickle drops them (a view's
    #: ``_view_base``, ``_holder_kind`` and ``_based_at`` too: the leaf it comes back as views nothing and has no version
    #: counter; ``_grad_view``, the object ``Tensor.grad`` shows, is made again from the gradient).
    _GRAPH_STATE = frozenset(
        {
            "_hooks",
            "_post_accumulate_grad_hooks",
            "_origin",
            "_version_counter",
            "retains_grad",
            "_history",
            "_children_since",
            "_view_of",
            "_view_base",
            "_based_at",
            "_holder_kind",
            "_made_in_no_grad",
            "_multi_output_view",
            "_multi_output_version",
            "_grad_view",
        }
    )

    def __deepcopy__(self, memo: dict[Any, Any]) -> Node:
        """A copy of this node and of its whole graph, with no recursion (graphs of any depth).

        Every ancestor not already in ``memo`` is found with an explicit stack and copied once;
        all copies are entered in ``memo`` before any state is copied, so ``copy.deepcopy([x, y])``
        gives a y-copy whose graph reaches the x-copy, and shared ancestors stay shared. Backward
        through the copy fills ``.grad`` of the copied leaves only, and gives the same gradients as
        the original graph. Per field:

        * ``data``, ``grad``, ``attrs`` and ``__dict__`` (label, user attributes) go through
          ``copy.deepcopy(..., memo)``; ops are shared, parents point at the parents' copies
          (a single parent is stored directly, as :meth:`Node._from_op` does);
        * a computed node's hooks come along: the copy has its own hook table holding ``deepcopy``'s copies
          of the hooks (plain functions are shared); the original's handles remove only its own hooks. A
          leaf's copy has none (its tensor hooks, post-accumulate-grad hooks and its ``AccumulateGrad``'s),
          as torch's deep copy of a tensor or Parameter: a model copied after hooks were registered on its
          parameters (an optimizer step in each one's hook) trains on its own;
        * ``_recorded_at`` (the recording tick) is kept, so the copied graph sorts as the original
          does and an in-place change made before the copy is still caught by backward;
        * version counters keep their count; two copies share one counter only when their
          originals shared it *and* their copied data is one array (``deepcopy`` gives a view its
          own array, so a view's copy no longer shares memory, or a counter, with its base's);
        * the anomaly-mode creation site (``_origin``) is shared: a copy was made where its
          original was.

        Copying a field that holds another graph (a ``.grad`` built under ``create_graph=True``)
        calls this method again for that graph: the nesting grows with the order of derivative,
        never with the depth of a graph.
        """
        if _ParentWatch.on:  # a view whose base changed in place is copied with its history as a view of it now
            refresh_views((self,))
        # The copies form no reference cycles, so the cyclic collector would only re-scan them
        # again and again while they are made (as in backpropagate); pause it meanwhile (autograd.collector).
        with collector_paused:
            originals = self._uncopied_graph(memo)
            for original in originals:
                original._fill_copy(memo[id(original)], memo)
        return memo[id(self)]

    def _uncopied_graph(self, memo: dict[Any, Any]) -> list[Node]:
        """This node and its ancestors not in ``memo`` (explicit stack), each entered there as a blank
        copy and kept alive by ``memo``, as ``copy.deepcopy`` keeps what it copies (no id is reused)."""
        keep_alive = memo.setdefault(id(memo), [])
        memo[id(self)] = object.__new__(type(self))
        originals = [self]
        stack = [self]
        while stack:
            for parent in stack.pop().parents:
                if id(parent) not in memo:
                    memo[id(parent)] = object.__new__(type(parent))
                    originals.append(parent)
                    stack.append(parent)
        keep_alive.extend(originals)
        return originals

    def _fill_copy(self, twin: Node, memo: dict[Any, Any]) -> None:
        """Set the fields of ``twin``, this node's blank copy, as :meth:`__deepcopy__` describes."""
        twin._data = NodeCopying._deepcopied(self._data, memo)
        twin._grad = NodeCopying._deepcopied(self._grad, memo)
        twin._requires_grad = self._requires_grad
        store_parents(twin, tuple([memo[id(parent)] for parent in self.parents]))
        twin.op = self.op
        twin.attrs = NodeCopying._deepcopied(self.attrs, memo)
        twin._recorded_at = self._recorded_at
        state = self.__dict__
        if not state:
            return
        for key, value in state.items():
            if key == "_origin":
                twin._origin = value
            elif key == "_version_counter":
                twin._version_counter = NodeCopying._copied_counter(value, twin._data, memo)
            # the copy holds an array of its own: no view to write through, no refusal to make
            elif key in ("_view_of", "_made_in_no_grad", "_multi_output_view", "_grad_view"):
                continue
            elif key in ("_hooks", "_post_accumulate_grad_hooks") and self.op is None:  # a leaf's: not copied
                continue
            elif key == "_history":  # whose children are the copies of its children: unknown, so every entry is kept
                twin._history = History((tick, copy.deepcopy(earlier, memo), None) for tick, earlier, _ in value)
            elif key == "_children_since":
                twin._children_since = None
            else:
                setattr(twin, key, copy.deepcopy(value, memo))

    @staticmethod
    def _deepcopied(value: Any, memo: dict[Any, Any]) -> Any:
        """``copy.deepcopy(value, memo)``, skipping the call for the immutable values most fields hold."""
        return value if value is None or type(value) is float else copy.deepcopy(value, memo)

    @staticmethod
    def _copied_counter(counter: VersionCounter, data: Any, memo: dict[Any, Any]) -> VersionCounter:
        """The copy of ``counter`` for a copied node holding ``data``: one per (counter, copied array)."""
        key = ("VersionCounter", id(counter), id(data))
        copied = memo.get(key)
        if copied is None:
            copied = memo[key] = VersionCounter()
            copied.count, copied.changed_at = counter.count, counter.changed_at
            copied.views_rebased_at = counter.views_rebased_at  # (a stale view's copy is stale among the copies)
            if counter._holders is not None:  # its copied holders are not known here: always shared
                copied._holders = list(ALWAYS_SHARED)
                copied.copies = len(ALWAYS_SHARED)
            memo.setdefault(id(memo), []).extend((counter, data))
        return copied

    def __copy__(self) -> Node:
        """A shallow copy: a new node with the same data, grad, parents, op and recording tick.

        Backward through it reaches the original's ancestors (their leaves get the gradients).
        ``__dict__`` is copied one level, with its own hook table (same hooks; registering or
        removing one on either node leaves the other alone). A copy that shares an array (a Tensor's)
        shares its version counter too, as a view does, so an in-place change through either is
        seen by both; a Value's number cannot be changed in place, so its copy counts on its own.
        """
        if _ParentWatch.on:  # (see __deepcopy__)
            refresh_views((self,))
        twin = object.__new__(type(self))
        twin._data = self._data
        twin._grad = self._grad
        twin._requires_grad = self._requires_grad
        twin._inputs, twin._second = self._inputs, self._second
        twin.op = self.op
        twin.attrs = self.attrs
        twin._recorded_at = self._recorded_at
        state = self.__dict__
        if state:
            twin.__dict__.update(state)
            if self._hooks is not None:
                twin._hooks = dict(self._hooks)
            if state.get("_post_accumulate_grad_hooks") is not None:
                twin._post_accumulate_grad_hooks = copy.copy(state["_post_accumulate_grad_hooks"])  # (its own lock)
            if state.get("_history") is not None:  # its own list: a later in-place change of either appends to it
                twin._history = History(state["_history"])
            if state.get("_children_since") is not None:  # the nodes recorded from the copy will be its own
                twin._children_since = []
        if isinstance(self._data, np.ndarray):
            twin._version_counter = self._shared_version()
            twin._version_counter.add_holder(twin, "copy")
        elif self._version_counter is not None:
            twin._version_counter = NodeCopying._copied_counter(self._version_counter, twin._data, {})
        if _ParentWatch.on and twin.op is not None:  # a new child of its parents, recorded when the original was:
            _adopt_earlier_parents(twin)  # it takes the parents the original had then (those still changed since),
            note_child(twin, twin.parents)  # and the rest note it, as every recorded node is noted
        return twin

    def __reduce_ex__(self, protocol: int) -> tuple:
        """Pickle this node as a leaf (as torch does): its class, data, ``requires_grad``, ``.grad``
        and attributes such as ``label``; never its graph, hooks or version counter.

        ``pickle.loads(pickle.dumps(x * 2))`` is a leaf with ``requires_grad=True`` and the product's
        data. The graph is not visited, so nodes of any depth pickle. ``copy.copy`` and
        ``copy.deepcopy`` do not come here (see :meth:`__copy__` and :meth:`__deepcopy__`).
        """
        # (the flag as read: a view whose base changed in place requires grad as a view of it now)
        requires_grad = self.requires_grad if _ParentWatch.on else self._requires_grad
        state = {key: value for key, value in self.__dict__.items() if key not in NodeCopying._GRAPH_STATE}
        return NodeCopying._rebuild_leaf, (type(self), self._data, requires_grad, self._grad, state or None)

    @staticmethod
    def _rebuild_leaf(kind: type[Node], data: Any, requires_grad: bool, grad: Any, state: dict | None) -> Node:
        """Unpickle a node saved by :meth:`__reduce_ex__`: a leaf of class ``kind``."""
        leaf = kind._make(data, requires_grad)
        leaf._grad = grad
        if state:
            leaf.__dict__.update(state)
        return leaf
