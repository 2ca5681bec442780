"""The graph core shared by ``Value`` and ``Tensor``.

A :class:`Node` holds its forward ``data``, its ``grad``, the ``parents`` it was
computed from (a tuple, in argument order) and the :class:`Op` that produced it.
An ``Op`` carries one derivative rule per input (a vector-Jacobian product); the
rules live in :mod:`autograd.derivatives` and never capture the node they serve,
so a graph holds no reference cycles and is freed by reference counting.

Backward is one loop for both node kinds: an iterative topological order
(:func:`backward_order`), then the chain rule applied in reverse order, summing
the contributions a node receives from all of its children (:mod:`autograd.backprop`).

The rest of the graph core, which this module re-exports: grad mode (:mod:`autograd.grad_mode`),
:class:`Op` (:mod:`autograd.op`), version counters and in-place changes
(:mod:`autograd.versions`), copying and pickling nodes (:mod:`autograd.node_copying`).

Repeated ``backward()`` semantics (as in PyTorch for leaves):

* leaves (nodes created by the user) *accumulate* into ``.grad`` until
  ``zero_grad()`` or ``grad = None/0`` is used;
* intermediate nodes that keep their gradient have ``.grad`` *overwritten*
  with the gradient of the most recent backward pass through them, so a second
  call never doubles them. Every ``Value`` keeps it (micrograd's teaching
  view); a ``Tensor`` keeps it only after ``retain_grad()`` (as in PyTorch), so
  large intermediate gradients are freed as soon as they have been used;
* a pass that does not retain the graph (``retain_graph`` unset and no ``create_graph``) frees what its nodes
  saved, as torch's: each node whose rules read values (an input's or its output) takes its op's freed twin
  (:attr:`Op.freed`), whose rules raise torch's "backward through the graph a second time" error; nodes whose
  rules read no values may be passed again. A custom Function's call frees what its ``ctx.save_for_backward`` kept
  (for all its outputs, torch's one node per call), so its ``ctx.saved_tensors`` raise that error and a call
  that saved nothing may be passed again (:attr:`Op.release`). The values are not dropped (they are the nodes' own data), so the
  library's pictures of a graph after backward still compute through it (:func:`saved_values_kept`).
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import operator
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Self

import numpy as np

from .backprop import (
    PostAccumulateHooks,
    _check_returned_tuple,
    _FunctionHook,
    _FunctionPostHook,
    _FunctionPreHook,
    _shareable,
    _unaliased,
    backpropagate,
    backward_order,
    frees_graph,
    grads_restored_on_error,
    leaf_accumulation,
    leaf_hooks_pass,
)
from .grad_mode import _anomaly_blocks, _mode, _not_recording, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .node_copying import NodeCopying
from .op import Op, takes_wrapped_number
from .parents import cut_at
from .reentrant import nested_pass
from .versions import (
    ChangedMultiOutputViewError,
    StaleNoGradViewError,
    VersionCounter,
    _ParentWatch,
    _ticks,
    forget_history,
    increment_version,
    is_view,
    live_backward_functions,
    note_child,
    rebase_history,
    refresh_views,
)
from .versions import check_in_place_allowed as check_in_place_allowed  # tensor_in_place.py imports it from here

# numpy's module has a __getattr__, so CPython 3.11 never specializes ``np.ndarray`` (each use is a
# slow attribute lookup): the hot paths test against this global instead.
_ndarray = np.ndarray

_new_object = object.__new__  # a node without running __init__ (one global name for the hot path)
_rebase_tick = operator.itemgetter(0)  # the tick of a ``_history`` entry (tick, earlier self, its children)

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


class RequiresGradTypeError(TypeError, RuntimeError):
    """``requires_grad`` given something other than a bool: a TypeError (the house rule for wrong types) that is also
    the RuntimeError torch raises for the attribute, so code written for either catches it."""


class HookResultError(RuntimeError, TypeError):
    """A tensor hook returned a bare number for a gradient of another shape, or a post-accumulate-grad hook returned
    something that is not a tensor: the library's RuntimeError for such a result, and the TypeError torch raises for
    a hook that returns no Tensor."""


def mixed_kinds_error(kind: str, other: Any) -> TypeError:
    """The TypeError for a ``kind`` node ("Tensor" or "Value") meeting ``other``, a node of the other kind: the
    scalar engine (Value) and the array engine (Tensor) build separate graphs, so the message says how to stay in one."""
    other_kind = type(other).__name__
    return TypeError(
        f"cannot combine a {kind} with a {other_kind}: Values (the scalar engine) and Tensors (the array engine) "
        "make separate graphs; compute with Tensors throughout (a 0-d Tensor is a scalar: "
        "Tensor(2.0, requires_grad=True)), or use the other node's number as a constant (value.data, tensor.item())"
    )


def checked_requires_grad(requires_grad: Any, where: str) -> bool:
    """``requires_grad`` as a bool, or the error torch gives for another type (an int, None, a string: True and
    False only; a numpy bool is taken as a bool)."""
    if type(requires_grad) is bool:
        return requires_grad
    if isinstance(requires_grad, np.bool_):
        return bool(requires_grad)
    raise RequiresGradTypeError(f"{where}: requires_grad must be a bool, got {type(requires_grad).__name__}")


def _unrecorded(node: Node) -> Node:
    """``node`` given the fields of a leaf (no op, no parents): what an op's output is when nothing it read needs a
    gradient (the node constructors' cold path)."""
    node._requires_grad = False
    node._inputs = ()
    node._second = None
    node.op = None
    node.attrs = None
    node._recorded_at = 0
    return node


class Node(NodeCopying):
    """A vertex of the computational graph (base class of Value and Tensor).

    The interface the graph core relies on, which ``Value`` and ``Tensor`` define:

    * ``_seed_gradient(grad, create_graph)``: the seed dL/dself for ``backward(grad)``;
    * ``_add_to_grad(total)``: add a finished gradient into a leaf's ``.grad`` (``_accumulate_leaf`` calls it
      under the accumulation lock, then runs the post-accumulate-grad hooks);
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
    # ``_inputs`` and ``_second`` hold the parents, with no tuple for nodes of one or two parents (see
    # autograd.parents); ``parents`` always gives a tuple.
    __slots__ = (
        "_data",
        "_grad",
        "_requires_grad",
        "_inputs",
        "_second",
        "op",
        "attrs",
        "_recorded_at",
        "__dict__",
        "__weakref__",
    )

    #: True for node kinds whose gradients must be reduced back to a shape.
    broadcasts = False
    #: True for node kinds whose data is always an ndarray (a numpy scalar an op computes becomes a 0-d array).
    holds_arrays = False
    #: Whether intermediate nodes of this kind keep ``.grad`` after backward (``retain_grad()`` sets it).
    retains_grad = True
    #: ``.grad`` before any backward pass (and after ``zero_grad()``).
    _zero_grad_value: Any = None
    #: A name shown in graph pictures.
    label = ""
    _hooks: dict | None = None
    #: ``{handle id: hook}`` of a Tensor's ``register_post_accumulate_grad_hook``, stored per instance once one is
    #: added (with the leaf's lock: a :class:`~autograd.backprop.PostAccumulateHooks`).
    _post_accumulate_grad_hooks: PostAccumulateHooks | None = None
    _origin: Any = None
    _version_counter: VersionCounter | None = None
    #: ``[(tick, earlier self, its children), ...]`` once :func:`rebase_history` has given this node a new history:
    #: the earlier selves still reachable from a node recorded before the change at ``tick`` (see
    #: :func:`autograd.versions._keep_earlier_self`; ``its children``: weak references, None when unknown).
    _history: list[tuple[int, Node, list[weakref.ref] | None]] | None = None
    #: Weak references to the nodes recorded from this one since its last in-place change, once it has had one
    #: (None before, and for a Value: see :func:`autograd.versions.note_child`).
    _children_since: list[weakref.ref] | None = None
    #: ``(op, base, attrs)`` of a view that recorded nothing when made (see ``Tensor._view``).
    _view_of: tuple[Any, Node, Any] | None = None
    #: What this node is to its version counter's array, when it is not the array's owner: "view", "detached" or
    #: "copy" (see :meth:`VersionCounter.add_holder`).
    _holder_kind: str | None = None
    #: Of a view: the tick its history as a view dates from; it is stale once its base has taken a new history
    #: since (see :func:`autograd.versions.refresh_view`). 0 for every other node.
    _based_at = 0
    #: Of a view: the tensor it views (a backward pass may point its parent at an earlier self of that tensor).
    _view_base: Node | None = None
    #: Of a view made while grad mode was off, or of a view of such a view (torch's NO_GRAD_MODE creation meta): a
    #: recorded in-place change of it, or its use once its base has taken a new history, is refused, as torch's.
    _made_in_no_grad = False
    #: Of an output of ``split``/``chunk``/``unbind`` made while recording, or of a view of one (torch's
    #: MULTI_OUTPUT_NODE creation meta): the op's name and the output's position; a recorded in-place change of it is
    #: refused, as torch's (see :func:`autograd.versions.multi_output_views`).
    _multi_output_view: tuple[str, int] | None = None
    #: Of such an output: the version of its array when it was made; its use while recording once the version has
    #: moved on (its base or another view of it changed in place, recorded or not) is refused, as torch's.
    _multi_output_version = 0

    # -- construction -------------------------------------------------------
    def _init_node(self, data: Any, requires_grad: bool = False, label: str = "") -> None:
        """Set the fields of a new leaf holding ``data`` (constructors and :meth:`_make` start here;
        :meth:`_from_op` sets the same fields for op outputs, inline because it is the hot path)."""
        self._data = data
        self._grad = self._zero_grad_value
        self._requires_grad = requires_grad
        self._inputs = ()
        self._second = None
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
        # numpy's result on 0-d data is a scalar; array-holding nodes wrap it (type tests first: they are cheaper)
        if type(data) is not _ndarray and type(data) is not float and cls.holds_arrays:
            data = np.asarray(data)
        watched = _ParentWatch.on
        if watched:  # a view whose base changed in place since is brought up to date before it is read
            refresh_views(parents)
        node = _new_object(cls)
        node._data = data
        node._grad = cls._zero_grad_value
        if not _not_recording or _mode.enabled:
            for parent in parents:
                if parent._requires_grad:
                    node._requires_grad = True
                    count = len(parents)  # stored as autograd.parents.store_parents does, inline
                    if count == 1:
                        node._inputs = parents[0]
                        node._second = None
                    elif count == 2:
                        node._inputs, node._second = parents
                    else:
                        node._inputs = parents
                        node._second = None
                    node.op = op
                    node.attrs = attrs
                    node._recorded_at = next(_ticks)
                    if watched:
                        note_child(node, parents)
                    if _anomaly_blocks.open and _mode.anomaly is not None:
                        _mode.anomaly.on_record(node)
                    return node
        return _unrecorded(node)

    @classmethod
    def _from_unary_op(cls, data: Any, op: Op, parent: Node, attrs: Any = None) -> Node:
        """``cls._from_op(data, op, (parent,), attrs)`` without building the tuple: the hot path of
        one-input ops and of a number operand (``y * 1.0001``)."""
        if type(data) is not _ndarray and type(data) is not float and cls.holds_arrays:
            data = np.asarray(data)
        watched = _ParentWatch.on
        if watched:
            refresh_views((parent,))
        node = _new_object(cls)
        node._data = data
        node._grad = cls._zero_grad_value
        node._second = None
        if (not _not_recording or _mode.enabled) and parent._requires_grad:
            node._requires_grad = True
            node._inputs = parent
            node.op = op
            node.attrs = attrs
            node._recorded_at = next(_ticks)
            if watched:
                note_child(node, (parent,))
            if _anomaly_blocks.open and _mode.anomaly is not None:
                _mode.anomaly.on_record(node)
            return node
        return _unrecorded(node)

    @classmethod
    def _from_binary_op(cls, data: Any, op: Op, first: Node, second: Node) -> Node:
        """``cls._from_op(data, op, (first, second))`` without building the tuple: the hot path of ``a * b``
        on two scalar nodes."""
        if type(data) is not _ndarray and type(data) is not float and cls.holds_arrays:
            data = np.asarray(data)
        watched = _ParentWatch.on
        if watched:
            refresh_views((first, second))
        node = _new_object(cls)
        node._data = data
        node._grad = cls._zero_grad_value
        if (not _not_recording or _mode.enabled) and (first._requires_grad or second._requires_grad):
            node._requires_grad = True
            node._inputs = first
            node._second = second
            node.op = op
            node.attrs = None
            node._recorded_at = next(_ticks)
            if watched:
                note_child(node, (first, second))
            if _anomaly_blocks.open and _mode.anomaly is not None:
                _mode.anomaly.on_record(node)
            return node
        return _unrecorded(node)

    def _shared_version(self) -> VersionCounter:
        """This node's version counter (created on first use; views share their base's). Two threads making the
        first one at once share one: ``dict.setdefault`` keeps the counter stored first (a thread switch between
        a test and a store would let one thread's counter, and the changes and views it counted, be replaced)."""
        counter = self._version_counter
        if counter is None:
            counter = self.__dict__.setdefault("_version_counter", VersionCounter())
        return counter

    @property
    def version(self) -> int:
        """How many times this node's data has been changed in place through the library."""
        return 0 if self._version_counter is None else self._version_counter.count

    _version = version  # torch's t._version, which torch-style tests read

    def _earlier_self(self, tick: int) -> Node:
        """The node that stood for this one at recording tick ``tick`` (itself unless rebased since): the earlier
        self of the first rebase after ``tick`` (a binary search of the history, kept in tick order)."""
        history = self._history
        if not history:
            return self
        position = bisect.bisect_right(history, tick, key=_rebase_tick)
        return history[position][1] if position < len(history) else self

    @property
    def is_leaf(self) -> bool:
        """True for nodes not produced by a recorded operation."""
        if _ParentWatch.on:
            refresh_views((self,))
        return self.op is None

    # The flag lives in the ``_requires_grad`` slot, which the engine's hot paths read directly; the public
    # attribute checks what is assigned to it, as torch's does.
    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this node: set on a leaf, True on every node recorded from one."""
        if _ParentWatch.on:
            try:
                refresh_views((self,))
            except StaleNoGradViewError:  # its base took a recorded history, as torch's view: True, using it raises
                return True
            except ChangedMultiOutputViewError:  # (a piece of a split changed since: as torch's, using it raises)
                pass
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad: bool) -> None:
        self._set_requires_grad(requires_grad, "requires_grad", keep_on_a_recorded_node=False)

    def _set_requires_grad(self, requires_grad: Any, where: str, keep_on_a_recorded_node: bool = True) -> None:
        """Set the flag as torch does: a bool; a recorded node's stays True (``requires_grad_(True)`` is a no-op
        there, the attribute and False are errors); a leaf may be marked only if its kind can hold a gradient
        (``_check_can_require_grad``)."""
        requires_grad = checked_requires_grad(requires_grad, where)
        if self.op is not None:
            if not (requires_grad and keep_on_a_recorded_node):
                raise RuntimeError(
                    f"{where}: you can only change requires_grad flags of leaf variables (this "
                    f"{type(self).__name__} was computed by {self.op.name!r}). If you want to use a computed variable "
                    "in a subgraph that doesn't require differentiation use var_no_grad = var.detach()"
                )
            return
        if requires_grad:
            self._check_can_require_grad(where)
        self._requires_grad = requires_grad

    def _check_can_require_grad(self, where: str) -> None:
        """Raise if this leaf cannot hold a gradient (Tensor: an integer or boolean dtype)."""

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Set ``requires_grad`` as the attribute does (a leaf's flag; True is a no-op on a recorded node); returns self."""
        self._set_requires_grad(requires_grad, "requires_grad_")
        return self

    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this node was computed from, in argument order (``()`` for leaves and constants)."""
        inputs = self._inputs  # stored as autograd.parents describes
        if type(inputs) is tuple:
            return inputs
        second = self._second
        return (inputs,) if second is None else (inputs, second)

    @property
    def op_inputs(self) -> tuple[Any, ...]:
        """The inputs of the op that made this node, in argument order: its parents, with the plain
        number of an ``Op.with_constant`` variant in its place (``(2.0 - x).op_inputs == (2.0, x)``)."""
        op = self.op
        if op is None or op.constant_at is None:
            return self.parents
        return (self.attrs, *self.parents) if op.constant_at == 0 else (*self.parents, self.attrs)

    @property
    def grad_fn(self) -> GradFn | None:
        """The backward function of this node, as torch's ``grad_fn`` (None for leaves and constants):
        ``grad_fn.name`` is the op's name, ``grad_fn.op`` the op, and ``grad_fn.next_functions`` the parents'
        backward functions (an ``AccumulateGrad`` for a leaf that requires grad, None for a constant)."""
        if _ParentWatch.on:
            refresh_views((self,))
        return _backward_function(self) if self.op is not None else None

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
        if value is self:
            raise RuntimeError(f"can't assign a {type(self).__name__} as its own grad")
        self._grad = self._checked_assigned_grad(value)

    @grad.deleter
    def grad(self) -> None:
        """``del x.grad`` clears it, as torch's (``.grad`` reads as its value before any backward)."""
        self._grad = self._zero_grad_value

    def _checked_assigned_grad(self, value: Any) -> Any:
        """``value`` as ``.grad`` may hold it, or raise as torch does for a gradient that cannot be this node's."""
        return value

    # -- gradients ----------------------------------------------------------
    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Node | Sequence[Node] | None = None,
        *,
        gradient: Any = None,
    ) -> None:
        """Backpropagate from this node, filling ``.grad`` on every node that needs it.

        ``grad`` (or torch's name ``gradient``; the arguments come in torch's order) is the
        seed dL/dself (1 for a one-element output). With
        ``create_graph=True`` the gradients are themselves graph nodes and can be
        differentiated again. ``retain_graph`` (default: ``create_graph``) keeps the graph for another
        pass, as torch's: without it, the nodes whose derivatives read saved values are freed, and a
        second pass through one of them raises torch's RuntimeError (see the module docs for how ``.grad``
        behaves over repeated passes). If anything raises during the pass (a hook,
        anomaly mode, a custom Function, a version check), no ``.grad`` changes.

        ``inputs`` (as torch's): accumulate gradients into these nodes' ``.grad`` only (leaves or
        not), leaving every other ``.grad`` alone; an input the output does not depend on gets none.
        """
        if gradient is not None:
            if grad is not None:
                raise TypeError("backward: got both grad and gradient (torch's name for it); pass one")
            grad = gradient
        if _ParentWatch.on:
            refresh_views((self,))
        if not self._requires_grad:
            raise RuntimeError(
                f"backward: this {type(self).__name__} does not require grad and has no graph "
                "(it was created from constants or inside no_grad())"
            )
        free = frees_graph(retain_graph, create_graph)
        run_backward([self], [self._seed_gradient(grad, create_graph)], create_graph, inputs, free)

    def _seed_gradient(self, grad: Any, create_graph: bool) -> Any:
        raise NotImplementedError

    def _accumulate_leaf(self, total: Any) -> None:
        """Add ``total``, a finished gradient, into this leaf's ``.grad`` (under :data:`leaf_accumulation`: threads
        backpropagating into one leaf add, never overwrite, each other's gradients), then run its
        post-accumulate-grad hooks, the whole under the leaf's own lock (see
        :class:`~autograd.backprop.PostAccumulateHooks`), never under the lock of all leaves."""
        hooks = self._post_accumulate_grad_hooks
        if not hooks:
            with leaf_accumulation:
                self._add_to_grad(total)
            return
        with hooks.lock:
            entries = list(hooks.values())
            if any(type(hook) is _FunctionPreHook for hook in entries):  # its AccumulateGrad's pre-hooks, as torch's
                total = self._run_hooks(total, functions=True, table=hooks)
            with leaf_accumulation:
                self._add_to_grad(total)
            for hook in entries:
                if isinstance(hook, _FunctionHook):
                    continue
                returned = hook(self)
                # torch lets a hook hand back the tensor itself (its docstring's `lambda p: p.add_(...)` SGD step)
                if returned is not None and returned is not self:
                    name = getattr(hook, "__name__", type(hook).__name__)
                    # torch's RuntimeError for a tensor returned; for anything else its TypeError too
                    wrong = RuntimeError if isinstance(returned, (Node, np.ndarray)) else HookResultError
                    raise wrong(f"post-accumulate-grad hook {name!r} returned a value: such hooks return None")
            for hook in entries:  # its AccumulateGrad's post-hooks, after its post-accumulate-grad hooks, as torch's
                if type(hook) is _FunctionPostHook:
                    replaced = hook.hook((), (self._hook_form(total),))
                    if replaced is not None:
                        _check_returned_tuple(replaced, 0, hook.__name__)

    def _add_accumulate_hook(self, hook: _FunctionHook) -> RemovableHandle:
        """Put a hook of this leaf's ``AccumulateGrad`` into its post-accumulate-grad table (made under the leaf lock,
        as ``register_post_accumulate_grad_hook`` makes it), which backward runs around each accumulation."""
        with leaf_accumulation:
            if self._post_accumulate_grad_hooks is None:
                self._post_accumulate_grad_hooks = PostAccumulateHooks()
        handle = RemovableHandle(self._post_accumulate_grad_hooks)
        self._post_accumulate_grad_hooks[handle.id] = hook
        return handle

    def _add_to_grad(self, total: Any) -> None:
        raise NotImplementedError

    def _grad_plus(self, total: Any) -> Any:
        """``.grad + total``, for ``_accumulate_leaf`` when the leaf has a gradient already.

        A ``.grad`` that is a graph (left by ``backward(create_graph=True)``) stays that very node when a pass
        without ``create_graph`` adds a plain gradient to it, as torch's in-place accumulation under no-grad: the
        sum becomes its data (its version goes up) and its history stays as it was, so ``x.grad`` can still be
        differentiated, its derivative that of the graph part (the plain part is a constant), and a loop of plain
        passes adds nothing to its graph (recording each sum chained a node per pass onto it)."""
        existing = self._grad
        if isinstance(existing, Node) and existing._requires_grad and not _mode.enabled:
            data = existing._data + total
            # a new array, not written into the old: the graph may share that one (a view of another node's data)
            existing._data = np.asarray(data) if existing.holds_arrays else data
            increment_version(existing)
            return existing
        return existing + total

    def _match_gradient(self, contribution: Any, create_graph: bool) -> Any:
        raise NotImplementedError

    def _copy_in_graph(self) -> Node:
        """A new node holding a copy of this one's data, recorded as the identity (d/dself = 1) while grad mode is
        on: what backward stores as ``.grad`` when a create_graph gradient is already another ``.grad`` (torch's
        clone)."""
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

        As torch's: nodes computed from it afterwards see a constant, while those already computed from it keep
        their whole path through it (its old history stays in the graph as its earlier self). A view cannot be
        detached in place (torch's rule: use ``detach()``).
        """
        if is_view(self):
            raise RuntimeError("detach_: Can't detach views in-place. Use detach() instead")
        forget_history(self)
        return self

    def retain_grad(self) -> None:
        """Keep this intermediate node's ``.grad`` after backward (leaves always do); a node that does not require
        grad has no gradient to keep (a RuntimeError, as torch's)."""
        if _ParentWatch.on:
            try:
                refresh_views((self,))
            except StaleNoGradViewError:  # as torch's: nothing here; using the view raises
                return
        if not self._requires_grad:
            raise RuntimeError(
                f"retain_grad: can't retain_grad on {type(self).__name__} that has requires_grad=False (it is a "
                "constant or was computed inside no_grad())"
            )
        if self.op is not None:  # a leaf keeps its .grad anyway; its retains_grad stays False, as torch's
            self.retains_grad = True

    def register_hook(self, hook: Callable[[Any], Any]) -> RemovableHandle:
        """Call ``hook(grad)`` when this node's gradient is computed.

        The hook may return a replacement gradient (or None to keep it). The
        returned handle's ``remove()`` unregisters the hook.
        """
        if _ParentWatch.on:
            refresh_views((self,))
        if not self._requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a node that does not require grad")
        return self._add_hook(hook)

    def _add_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Put ``hook`` into this node's hook table (tensor hooks and its ``grad_fn``'s); its handle removes it."""
        if _ParentWatch.on:  # (a stale view's hooks would go with the history it had before the change)
            refresh_views((self,))
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def _run_hooks(
        self,
        grad: Any,
        present: Callable[[Any], Any] | None = None,
        functions: bool = False,
        table: dict | None = None,
    ) -> Any:
        """Pass ``grad`` through this node's hooks (backward calls this); a hook may return a same-shape replacement.
        ``present`` (optional) gives the form each hook receives the gradient in (a Tensor's: a GradientArray).
        ``functions`` selects the pre-hooks of its ``grad_fn`` instead of its tensor hooks (the table holds both);
        ``table`` is another table of hooks to run instead (a leaf's ``AccumulateGrad`` pre-hooks, kept with its
        post-accumulate-grad hooks)."""
        for hook in list((self._hooks if table is None else table).values()):
            if type(hook) is _FunctionPostHook or (type(hook) is _FunctionPreHook) is not functions:
                continue
            replaced = hook(grad if present is None else present(grad))
            if replaced is not None:
                name = getattr(hook, "__name__", type(hook).__name__)
                value = replaced._data if isinstance(replaced, Node) else replaced
                if isinstance(value, bool) or not isinstance(value, (np.ndarray, np.generic, float, int)):
                    raise TypeError(
                        f"hook {name!r} returned a {type(replaced).__name__}: a hook returns None or the gradient "
                        f"(a {type(self).__name__}, an array or a number of the gradient's shape)"
                    )
                shape, new_shape = np.shape(getattr(grad, "data", grad)), np.shape(value)
                if new_shape != shape:
                    # a bare number for a gradient of another shape: also torch's TypeError (it takes Tensors only)
                    wrong = HookResultError if not isinstance(value, np.ndarray) else RuntimeError
                    raise wrong(
                        f"hook {name!r} has changed the size of value: it returned a gradient of shape {new_shape} "
                        f"for a {type(self).__name__} whose gradient has shape {shape}"
                    )
                # outside create_graph gradients are raw data: a hook that returns a node gives its data
                grad = replaced._data if isinstance(replaced, Node) and not isinstance(grad, Node) else replaced
        return grad

    def _has_function_hooks(self) -> bool:
        """Whether hooks were registered on this node's ``grad_fn`` (backward then takes its careful path). The table
        is copied at once (``list``), as every reading of it is: another thread may register or remove a hook."""
        return any(isinstance(hook, _FunctionHook) for hook in list(self._hooks.values()))

    def _hook_form(self, grad: Any) -> Any:
        """How a ``grad_fn`` hook receives a gradient of this kind of node (a Tensor's arrays: GradientArrays)."""
        return grad

    def _from_hook_form(self, grad: Any) -> Any:
        """A gradient a ``grad_fn`` hook returned, as backward carries it."""
        return grad

    __hash__ = object.__hash__


def _warn_of_gradient_cycle() -> None:
    """torch's UserWarning for ``backward(create_graph=True)``, pointing at the user's call: a leaf's ``.grad`` is then
    a graph node whose history holds the leaf, a reference cycle (here the cyclic garbage collector frees it, where
    torch's leaks); ``autograd.grad`` makes none. (torch warns once per process, this once per call site.)"""
    warnings.warn(
        "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
        "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid "
        "this. If you have to use this function, make sure to reset the .grad fields of your parameters to None "
        "after use to break the cycle and avoid the leak.",
        UserWarning,
        stacklevel=4,  # (at the call of Node.backward or autograd.backward, the callers of run_backward)
    )


def run_backward(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    create_graph: bool,
    inputs: Node | Sequence[Node] | None,
    free: bool = False,
) -> None:
    """Backpropagate from ``roots`` (seeded, checked) into ``.grad``: of every node that needs it, or, given
    ``inputs`` (as torch's), of those nodes only (leaves or not; one the roots do not depend on gets none) and of the
    intermediates that retain their gradient on the way to them. With ``create_graph`` it warns as torch's does."""
    if create_graph:  # (the usual pass pays this one test)
        _warn_of_gradient_cycle()
    if inputs is None:
        backpropagate(roots, seeds, create_graph=create_graph, store=True, free=free)
        return
    targets = list({id(node): node for node in ((inputs,) if isinstance(inputs, Node) else inputs)}.values())
    if not targets:
        raise RuntimeError("backward: the 'inputs' argument to backward() cannot be empty")
    for position, node in enumerate(targets):
        if not isinstance(node, Node) or not node._requires_grad:
            raise RuntimeError(f"backward: inputs[{position}] is not a node that requires grad")
    if _mode.backward_pass is not None:  # run by a rule or hook of a running pass: the additions and their hooks nest
        nested_pass(_backward_into, roots, seeds, create_graph, targets, free)  # in it too, at any depth
    else:
        _backward_into(roots, seeds, create_graph, targets, free)


def _backward_into(
    roots: Sequence[Node], seeds: Sequence[Any], create_graph: bool, targets: list[Node], free: bool
) -> None:
    """:func:`run_backward` given ``inputs`` (``targets``, checked): the pass, then the additions into their ``.grad``."""
    found = backpropagate(
        roots, seeds, create_graph=create_graph, store=False, inputs=targets, retained=True, free=free
    )
    handed_out = {id(seed) for seed in seeds}
    # (recorded under create_graph, as backpropagate's; all or nothing, should a post-accumulate-grad hook raise;
    # the hooks run as part of a pass, as backpropagate's)
    hooked = any(node._post_accumulate_grad_hooks for node in targets)
    with (
        set_grad_enabled(bool(create_graph)),
        leaf_hooks_pass() if hooked else contextlib.nullcontext(),
        grads_restored_on_error([n for n in targets if id(n) in found]),
    ):
        for node in targets:
            if id(node) in found:
                gradient = found[id(node)]
                node._accumulate_leaf(_unaliased(gradient, handed_out) if _shareable(gradient) else gradient)


class RemovableHandle:
    """Handle returned by :meth:`Node.register_hook`; ``remove()`` unregisters."""

    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        """Unregister the hook (idempotent)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        """``with x.register_hook(f):`` keeps the hook for the block only, as torch's handle."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


class _BackwardFunction:
    """A view of one node in torch's backward-graph vocabulary; two views of the same node are equal, and while one
    is alive reading the node's view again gives that very object (see :func:`_backward_function`)."""

    __slots__ = ("node", "__weakref__")

    def __init__(self, node: Node) -> None:
        self.node = node

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.node is self.node  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), id(self.node)))

    @property
    def metadata(self) -> dict:
        """torch's ``Node.metadata``: a dict of the user's, kept with this function as long as its node lives (a node
        changed in place since has a new function, with a new dict, as torch's)."""
        key = (type(self), id(self.node), self.node._recorded_at)
        found = _metadata.get(key)
        if found is None:
            found = _metadata[key] = {}
            weakref.finalize(self.node, _metadata.pop, key, None)
        return found


#: The ``metadata`` dicts of backward functions, by (function type, id of its node, the tick its history dates from),
#: each dropped with its node.
_metadata: dict[tuple[type, int, int], dict] = {}


class BackwardName(str):
    """A backward function's name: the op's name as a string (``y.grad_fn.name == "exp"``), which can also be
    called for torch's ``y.grad_fn.name()`` spelling of it ("ExpBackward0"; a custom Function's "MyFnBackward")."""

    __slots__ = ("torch_name",)

    def __new__(cls, name: str, torch_name: str) -> BackwardName:
        named = super().__new__(cls, name)
        named.torch_name = torch_name
        return named

    def __call__(self) -> str:
        return self.torch_name


def _torch_backward_name(op: Op) -> str:
    """torch's name for the backward function of ``op``: the op's words capitalized, with ``Backward0`` (log_softmax:
    LogSoftmaxBackward0), or ``<Function>Backward`` for a custom Function's."""
    if op.name[:1].isupper():  # a custom Function's op, named after its class (the library's own ops are lowercase)
        return f"{op.name}Backward"
    return "".join(word.capitalize() for word in op.name.split("_")) + "Backward0"


class GradFn(_BackwardFunction):
    """torch's ``grad_fn`` of a recorded node: its op, and the backward functions of its parents."""

    __slots__ = ()

    @property
    def op(self) -> Op:
        return self.node.op

    @property
    def name(self) -> BackwardName:
        """The op's name; called, torch's name of this backward function (``grad_fn.name()``: "ExpBackward0")."""
        op = self.node.op
        return BackwardName(op.name, _torch_backward_name(op))

    @property
    def next_functions(self) -> tuple[tuple[GradFn | AccumulateGrad | None, int], ...]:
        """One ``(function, 0)`` per parent, in argument order: the parent's ``grad_fn``, an ``AccumulateGrad``
        for a leaf that requires grad, or None for a constant (as torch's), and a ``(None, 0)`` last for a number
        torch wraps as a tensor input (``x * 2``, ``2 + x``: see :func:`takes_wrapped_number`)."""
        found = tuple((_backward_function(parent), 0) for parent in self.node.parents)
        return found + ((None, 0),) if takes_wrapped_number(self.node.op) else found

    def register_prehook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_outputs)`` before this function runs in a backward pass, as torch's ``Node.register_prehook``:
        ``grad_outputs`` is a one-element tuple, the gradient of the node (after its tensor hooks, and after a
        ``retain_grad()`` has kept it); the hook may return a tuple holding a replacement, or None. The handle's
        ``remove()`` unregisters it."""
        return self.node._add_hook(_FunctionPreHook(hook))

    def register_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` after this function has run in a backward pass, as torch's
        ``Node.register_hook``: ``grad_inputs`` has one gradient per entry of ``next_functions`` (None for one that
        gets none), ``grad_outputs`` is what :meth:`register_prehook`'s hooks saw; the hook may return a tuple of
        replacements for ``grad_inputs``, or None. A call of several outputs (a custom Function returning a tuple)
        refuses it: each of its outputs has a function of its own here; one of a single output takes it."""
        node = self.node
        if node.op.outputs is not None and len(node.op.outputs(node)) > 1:
            raise NotImplementedError(
                f"register_hook: {self.name()} is one output's function of a call that returned several (each output "
                "has its own here, where torch has one for the call); register a hook on the tensors instead"
            )
        return self.node._add_hook(_FunctionPostHook(hook))

    def __call__(self, *grad_outputs: Any) -> Any:
        """torch's ``grad_fn(grad)``: this function alone applied to ``grad``, the gradient of its node (omitted:
        ones, for a one-element node), giving the gradients of its inputs, one per entry of ``next_functions`` (None
        for a constant), a tuple unless there is one input. No hook runs and nothing is freed; with grad mode on,
        the results are recorded functions of the node's inputs (as torch's). A parent given twice (``x * x``) gets
        the sum of its two gradients at each place (torch's gives each its own)."""
        node = self.node
        parents = node.parents
        takes = [parent for parent in parents if isinstance(parent, Node) and parent.requires_grad]
        create_graph = is_grad_enabled()
        seeds = [node._seed_gradient(grad_outputs[0] if grad_outputs else None, create_graph)]
        hooks, node._hooks = node._hooks, None
        try:
            with cut_at(takes):  # the pass stops at the inputs: their history and their hooks are not reached
                found = backpropagate([node], seeds, create_graph=create_graph, store=False, inputs=takes)
        finally:
            node._hooks = hooks
        results = tuple(
            None if not parent.requires_grad or (value := found.get(id(parent))) is None
            else value if isinstance(value, Node) else parent._wrap_constant(value)
            for parent in parents
        )  # fmt: skip
        if takes_wrapped_number(node.op):
            results += (None,)
        return results[0] if len(results) == 1 else results

    def __getattr__(self, name: str) -> Any:
        """A custom Function's ``ctx`` read through its output's ``grad_fn``, as in torch, where the ``grad_fn`` is
        the ``ctx``: ``y.grad_fn.saved_tensors``, ``.needs_input_grad`` and the attributes ``forward`` set."""
        attrs = self.node.attrs if name != "node" else None
        ctx = attrs.get("ctx") if isinstance(attrs, dict) and "function" in attrs else None
        if ctx is None or name.startswith("__"):
            raise AttributeError(f"'GradFn' object has no attribute {name!r}")
        return getattr(ctx, name)

    def __repr__(self) -> str:
        """torch's ``<SumBackward0 object at 0x...>``, so ``print(y.grad_fn)`` names the backward function."""
        return f"<{self.name()} object at {id(self):#x}>"


class AccumulateGrad(_BackwardFunction):
    """torch's ``AccumulateGrad``: where backward adds a leaf's gradient into its ``.grad``; ``variable`` is it."""

    __slots__ = ()
    name = BackwardName("AccumulateGrad", "torch::autograd::AccumulateGrad")
    next_functions: tuple[Any, ...] = ()

    @property
    def variable(self) -> Node:
        return self.node

    def register_prehook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_outputs)`` before the leaf's gradient is added into its ``.grad``, as torch's (DDP's
        gradient-ready hook): ``grad_outputs`` is a one-element tuple, the gradient after the leaf's tensor hooks;
        the hook may return a tuple holding a replacement, or None. Runs where ``.grad`` is accumulated
        (``backward()``, with or without ``inputs``), not in ``autograd.grad``. The hook stays with the leaf (torch
        drops it once nothing holds its ``AccumulateGrad``, neither a graph nor a reference)."""
        return self.node._add_accumulate_hook(_FunctionPreHook(hook))

    def register_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` once the leaf's gradient is in its ``.grad`` (after its
        post-accumulate-grad hooks), as torch's: ``grad_inputs`` is ``()``, ``grad_outputs`` the gradient added, in
        a one-element tuple; the hook returns None (or ``()``)."""
        return self.node._add_accumulate_hook(_FunctionPostHook(hook))

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


#: The ``GradFn`` subclass of each op, by the op's name: named as torch names its backward function ("ExpBackward0",
#: a custom Function's "MyFnBackward"), so ``type(y.grad_fn).__name__`` reads as torch's; made once per name.
_grad_fn_classes: dict[str, type[GradFn]] = {}


def _grad_fn_class(op: Op) -> type[GradFn]:
    """The ``GradFn`` subclass named after ``op``'s backward function (see :data:`_grad_fn_classes`)."""
    kind = _grad_fn_classes.get(op.name)
    if kind is None:
        kind = _grad_fn_classes[op.name] = type(
            _torch_backward_name(op), (GradFn,), {"__slots__": (), "__module__": __name__}
        )
    return kind


def _backward_function(node: Node) -> GradFn | AccumulateGrad | None:
    """The node's backward function, as torch's graph holds it: its ``GradFn`` (of the class named after its op) if
    an op made it, an ``AccumulateGrad`` for a leaf that requires grad, None for a constant; the same object while
    one is alive (a node changed in place since has a new one, as torch's)."""
    op = node.op
    kind = _grad_fn_class(op) if op is not None else AccumulateGrad if node._requires_grad else None
    if kind is None:
        return None
    key = (op.name if op is not None else None, id(node))  # (one kind per op name: see _grad_fn_class)
    view = live_backward_functions.get(key)
    if view is None:
        view = live_backward_functions[key] = kind(node)
    return view
