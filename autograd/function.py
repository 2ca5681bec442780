"""``Function``: a differentiable operation written by the user, as ``torch.autograd.Function``.

The lecture's gates, each a class with a forward and a backward::

    class MultGate(Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, grad):            # grad = dL/dz
            x, y = ctx.saved_tensors
            return grad * y, grad * x       # dL/dx, dL/dy

    z = MultGate.apply(Value(3.0), Value(-4.0))

``forward`` runs without recording a graph and receives the arguments as given
(Values, Tensors, numbers); it returns one output (a Value/Tensor, a plain number of a Value Function, a numpy
array or numpy scalar of a Tensor Function) or a tuple of them (other objects, alone or in a tuple, such as None, a
list or a Tensor Function's Python numbers, pass through unchanged, with None as their gradient, as torch's).
``backward`` receives one gradient per output of ``forward`` as a constant
Value/Tensor (zeros for an output the loss does not use) and returns one gradient per
argument of ``forward`` (None where there is none). Written with the library's
operations, ``backward`` is differentiable again: under ``backward(create_graph=True)``
it runs with recording on, and ``ctx.saved_tensors`` are the original graph nodes;
decorated with :func:`once_differentiable` it runs without recording instead.

Each output is a graph node of its own, all sharing ``ctx``; as in torch, ``backward`` is
called once per call of ``apply`` and pass, with every output's gradient: backward waits
until the last of the outputs that receive a gradient is reached (``Op(outputs=...)``). A new node returned at
several positions (``return y, y``) is one output, as torch's: ``apply`` returns that one object at each, recorded
at the last position (``backward`` gets zeros, or None, for the others); an input returned twice is two outputs.

``ctx.mark_dirty(x)`` declares that ``forward`` changed the input ``x`` in place and
returns it: ``apply`` then returns ``x`` itself, its version is bumped, and its history
becomes this Function's node (nodes computed from ``x`` earlier keep its earlier history); when nothing is
recorded for it (marked non-differentiable too, or under no_grad) and it requires grad, a detached alias of it, as
torch's. A view
marked dirty has the result written through to the tensor it views. An output that is a view of
an input without being marked dirty shares its version counter, and a recorded in-place change of
it is refused (it would bypass ``backward``).
"""

from __future__ import annotations

import copy
import functools
import inspect
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Node
from .grad_mode import is_grad_enabled, no_grad
from .op import FREED_GRAPH_MESSAGE, Op, OutputGradients
from .saved_tensors_hooks import active_hooks, packed, unpacked
from .tensor import Tensor
from .tensor_in_place import view_takes
from .value import Value
from .versions import increment_version, is_view, rebase_history, unlink_earlier, views_go_stale

__all__ = [
    "Function",
    "FunctionCallError",
    "FunctionContext",
    "FunctionCtx",
    "GradientTypeError",
    "once_differentiable",
]


class FunctionCallError(TypeError, RuntimeError):
    """A Function instance called as ``MyFunction()(x)`` (torch's legacy style): a TypeError (the house rule for a
    wrong call) that is also the RuntimeError torch raises there, so code written for either catches it."""


class GradientTypeError(TypeError, RuntimeError):
    """A Function's ``backward`` returned something that is not a gradient (a string, an object): a TypeError (the
    house rule for a wrong type) that is also the RuntimeError torch raises there ("expected Variable or None")."""


class _SavedOutput:
    """Stands in ``ctx``'s saved list for output ``index`` of the op (saving the node itself would be a cycle).

    Immutable, so copying a graph (``copy.deepcopy``) keeps it as it is.
    """

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __copy__(self) -> _SavedOutput:
        return self

    def __deepcopy__(self, memo: dict) -> _SavedOutput:
        return self


def _gone() -> None:
    """A dead weak reference: an output that was a graph node and is gone."""


class FunctionContext:
    """The ``ctx`` of a :class:`Function`: what ``forward`` saves for ``backward``.

    ``needs_input_grad`` is a tuple with one bool per ``forward`` argument: True
    where the argument is a node that requires grad. Other attributes may be set
    freely (``ctx.alpha = alpha``).
    """

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Any, ...] = ()
        self._non_differentiable: tuple[Any, ...] = ()
        self._dirty: tuple[Any, ...] = ()
        self._materialize_grads = True
        #: torch's flag: False gives ``backward`` None, not zeros, for the outputs marked non-differentiable.
        self._materialize_non_diff_grads = True
        #: The positions among forward's results of the outputs marked non-differentiable.
        self._non_differentiable_at: tuple[int, ...] = ()
        #: The node kind of the Function's outputs (Tensor or Value).
        self._kind: type[Node] = Tensor
        #: Per output of forward: its data (None for an object that is not an output, such as None).
        self._output_data: list[Any] = []
        #: Per output: a weak reference to its node (None for constants), for saved outputs under create_graph.
        self._output_refs: list[Any] = []
        #: Per output node: the tick at which it took this call's history (outputs marked dirty take it one after
        #: the other), so each is found as it stood then, even after a later in-place change (:func:`_call_outputs`).
        self._output_ticks: list[int] = []
        #: While backward runs for output ``index``: (index, that output as given to the rule).
        self._running: tuple[int, Any] | None = None
        #: The positions, among the call's node arguments, of those saved for backward (their versions are checked).
        self._saved_inputs: list[int] = []
        #: Whether a backward pass that did not retain the graph freed what ``save_for_backward`` kept (torch's).
        self._freed = False
        #: Per saved item: the version of a saved node when the call returned; for a saved output, (a weak reference
        #: to the object returned for it, its version then); None for other items.
        self._saved_versions: tuple[Any, ...] = ()
        #: Per saved item, when ``saved_tensors_hooks`` were in force as the call returned: (unpack_hook, what
        #: pack_hook gave) for a saved node, None for other items; None without hooks.
        self._packed: tuple[Any, ...] | None = None

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` (inputs, outputs, other nodes or arrays, or None) for ``backward``.

        Anything else raises TypeError, as torch's does: keep other objects as attributes of ``ctx``.
        """
        for position, value in enumerate(values):
            if value is not None and not isinstance(value, (Node, np.ndarray)):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {position} is of type "
                    f"{type(value).__name__} (save nodes, arrays or None; keep other values as ctx attributes)"
                )
        self._saved = values

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Declare outputs of ``forward`` not differentiable (as torch's): they are returned as constants and
        ``backward`` gets zeros for them."""
        self._non_differentiable = outputs

    def mark_dirty(self, *inputs: Any) -> None:
        """Declare inputs that ``forward`` changed in place; each must also be returned (as torch's)."""
        self._dirty = inputs

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` gets None instead of zeros for outputs without a gradient (as torch's)."""
        self._materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What ``save_for_backward`` kept, in the same order (outputs resolved to their nodes). After a backward
        pass through the call that did not retain the graph, torch's RuntimeError: the pass freed them (a call that
        saved nothing, or only None, may be passed again, as torch's). A call recorded inside ``saved_tensors_hooks``
        gives ``unpack_hook(packed)`` for each saved node, at every reading (:mod:`autograd.saved_tensors_hooks`)."""
        if self._freed and any(item is not None for item in self._saved):
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        for item, version in zip(self._saved, self._saved_versions):
            if type(version) is tuple:  # a saved output: the object returned for it, if it lives
                reference, version = version
                item = reference()
                if item is None:
                    continue
            if version is not None and item.version != version:  # changed in place since the call saved it
                shape = getattr(item._data, "shape", ())
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{type(item).__name__} of shape {shape}] is at version {item.version}; expected "
                    f"version {version} instead (a Function's backward reads what save_for_backward kept: change it "
                    "out of place, or after backward())"
                )
        if self._packed is not None:  # each reading unpacks again, as torch's
            return tuple(
                item if entry is None else unpacked(entry, Node) for item, entry in zip(self._saved, self._packed)
            )
        return tuple(self._saved_output(item.index) if isinstance(item, _SavedOutput) else item for item in self._saved)

    @property
    def saved_variables(self) -> tuple[Any, ...]:
        """:attr:`saved_tensors` under its pre-0.4 name, which old tutorials read, with torch's DeprecationWarning."""
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning, stacklevel=2)
        return self.saved_tensors

    def _saved_output(self, index: int) -> Any:
        """Output ``index`` for ``backward``: the rule's own output, else its node (under create_graph) or data."""
        running_index, running_output = self._running if self._running is not None else (None, None)
        reference = self._output_refs[index]
        if isinstance(running_output, Node) and running_output.requires_grad:  # under create_graph
            if index == running_index:
                return running_output
            if reference is not None:
                node = reference()
                return node if node is not None else self._output_twin(index, running_output)
            return self._kind._wrap_constant(self._output_data[index])
        # outside create_graph (no recording): torch's saved output requires grad as the output does
        node = reference() if reference is not None else None
        if node is not None:  # as it stood when the call returned (a later in-place change rebased it)
            return node._earlier_self(self._output_ticks[index])
        return self._kind._make(self._kind._wrap_constant(self._output_data[index])._data, reference is not None)

    def _output_twin(self, index: int, sibling: Node) -> Node:
        """A graph node standing for output ``index``, dropped by the caller since (``result, _ = F.apply(x)``; the
        output is held weakly, a cycle otherwise), for a ``backward`` under create_graph that reads it: the same
        data, op and parents as the call's ``sibling`` output, at its recording tick, so differentiating
        ``backward``'s result again goes through this Function's ``backward`` for that output (torch's saved
        outputs keep their ``grad_fn``; a constant here lost that term of the second derivative)."""
        twin = self._kind._from_op(
            self._output_data[index], sibling.op, sibling.parents, {**sibling.attrs, "index": index}
        )
        twin._recorded_at = sibling._recorded_at  # one call's outputs: backward gathers them as siblings
        self._output_refs[index] = weakref.ref(twin)
        self._output_ticks[index] = twin._recorded_at
        return twin

    def __deepcopy__(self, memo: dict) -> FunctionContext:
        """A copy whose output references point at the copied outputs when they are copied too."""
        twin = object.__new__(FunctionContext)
        memo[id(self)] = twin
        for key, value in self.__dict__.items():
            if key == "_output_refs":
                refs = []
                for reference in value:
                    node = reference() if reference is not None else None
                    copied = memo.get(id(node)) if node is not None else None
                    # an output not copied along is gone for the copy (a twin stands for it under create_graph)
                    refs.append(None if reference is None else weakref.ref(copied) if copied is not None else _gone)
                twin._output_refs = refs
            else:
                setattr(twin, key, copy.deepcopy(value, memo))
        return twin


#: torch's name of the ``ctx`` type (``torch.autograd.function.FunctionCtx``), which type hints import
FunctionCtx = FunctionContext


@functools.lru_cache(maxsize=256)
def _forward_signature(cls: type) -> inspect.Signature:
    """``cls.forward``'s signature, read once per Function class (a setup_context Function binds every call)."""
    return inspect.signature(cls.forward)


def _bound_positionally(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """``cls.apply``'s arguments as forward's positional ones, as torch 2's ``apply`` binds them: for a Function with
    ``setup_context``, every parameter, defaults filled in; otherwise (``forward(ctx, ...)``) the parameters up to the
    last one given, a default filling any skipped before it. A TypeError names the Function for arguments forward
    does not take."""
    with_ctx = cls.setup_context is Function.setup_context
    signature = _forward_signature(cls)
    try:
        bound = signature.bind(*((None,) if with_ctx else ()), *args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{cls.__name__}.apply: {error} (forward{signature})") from None
    parameters = list(signature.parameters.values())[1 if with_ctx else 0 :]
    if any(parameter.kind == parameter.KEYWORD_ONLY and parameter.name in bound.arguments for parameter in parameters):
        raise TypeError(f"{cls.__name__}.apply: forward's keyword-only parameters cannot be inputs; make them ordinary")
    var_keyword = parameters[-1] if parameters and parameters[-1].kind == parameters[-1].VAR_KEYWORD else None
    if var_keyword is not None and bound.arguments.get(var_keyword.name):  # torch's apply refuses them too
        names = ", ".join(map(repr, bound.arguments[var_keyword.name]))
        raise TypeError(
            f"{cls.__name__}.apply: forward's **{var_keyword.name} cannot take inputs (they would never reach "
            f"forward), got the keyword argument(s) {names}; make them ordinary parameters of forward"
        )
    ordinary = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if with_ctx:  # up to the last parameter given
        given = [index for index, parameter in enumerate(ordinary) if parameter.name in bound.arguments]
        ordinary = ordinary[: given[-1] + 1] if given else []
    values = [bound.arguments.get(parameter.name, parameter.default) for parameter in ordinary]
    rest = [
        item
        for parameter in parameters
        if parameter.kind == parameter.VAR_POSITIONAL
        for item in bound.arguments.get(parameter.name, ())
    ]
    return (*values, *rest)


class Function:
    """Base class of user-defined differentiable operations; see the module docstring."""

    @staticmethod
    def forward(ctx: FunctionContext, *args: Any) -> Any:
        """Compute the output(s) from the arguments (no graph is recorded here)."""
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionContext, *grad_outputs: Any) -> Any:
        """Return dL/d(argument) for every argument of forward, given dL/d(output) for every output."""
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    #: torch's other name for ``backward``: a subclass may define either one (not both)
    vjp = backward

    @staticmethod
    def setup_context(ctx: FunctionContext, inputs: tuple[Any, ...], output: Any) -> None:
        """torch 2's other style: a ``forward(*args)`` without ``ctx``, and this filling ``ctx`` from the
        arguments (``inputs``) and the result (``output``); defined by the subclass that uses that style."""
        raise NotImplementedError("setup_context is defined by Functions whose forward takes no ctx")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """A Function is not instantiated (its methods are static: ``MyFunction.apply(x)``): torch's
        DeprecationWarning; the instance is made all the same, as torch's."""
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all static, so you should "
            "invoke them on the class itself. Instantiating an autograd function will raise an error in a future "
            "version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args: Any) -> Any:
        """A Function is not called as an object (torch's legacy style): say how to call it."""
        name = type(self).__name__
        raise FunctionCallError(
            f"{name}: a Function is not instantiated and called; call {name}.apply(*inputs), with forward(ctx, ...) "
            "and backward(ctx, ...) written as @staticmethods"
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` on ``args`` and record one graph node per output, differentiated by ``backward``.
        With no Value or Tensor among the arguments, nothing can be recorded: ``forward``'s result is returned
        as it is, as torch's. Arguments may be given by keyword too, bound to forward's parameters as torch 2's
        (see :func:`_bound_positionally`): each bound parameter counts as an input (``backward`` returns a
        gradient, or None, for each)."""
        if kwargs or cls.setup_context is not Function.setup_context:
            args = _bound_positionally(cls, args, kwargs)
        if any(isinstance(arg, Tensor) for arg in args):
            kind: type[Node] = Tensor
        elif any(isinstance(arg, Value) for arg in args):
            kind = Value
        else:
            with no_grad():
                return cls._forward(FunctionContext(tuple(False for _ in args)), args)
        positions = tuple(index for index, arg in enumerate(args) if isinstance(arg, Node))
        parents = tuple(args[index] for index in positions)
        ctx = FunctionContext(tuple(isinstance(arg, Node) and arg.requires_grad for arg in args))
        ctx._kind = kind
        with no_grad():
            result = cls._forward(ctx, args)
        several = isinstance(result, tuple)
        results = result if several else (result,)
        _check_dirty(cls, ctx, results, parents)
        # (an input marked dirty and saved is saved as the output it became, as torch's: its version is not that of
        # an input, which a view's write through to its base bumps after this call recorded it)
        ctx._saved_inputs = [
            position
            for position, parent in enumerate(parents)
            if any(x is parent for x in ctx._saved) and not any(x is parent for x in ctx._dirty)
        ]
        recording = is_grad_enabled() and any(parent.requires_grad for parent in parents)
        if recording:
            _warn_dirty_non_inputs(cls, ctx, parents)
        ctx._output_data = [_output_data(cls, kind, item) for item in results]
        ctx._output_refs = [None] * len(results)
        ctx._output_ticks = [0] * len(results)
        _check_dirty_view(cls, ctx, results, recording)

        def differentiable(item: Any, data: Any) -> bool:
            return (
                recording
                and not any(item is marked for marked in ctx._non_differentiable)
                and np.asarray(data).dtype.kind == "f"
            )

        def attrs(index: int) -> dict[str, Any]:
            return {"ctx": ctx, "positions": positions, "function": cls, "kind": kind, "index": index}

        outputs = list(results)  # inputs changed in place and objects that are not outputs are returned as they are
        # the inputs changed in place first: each takes this call's history at the last position it is returned at
        # (torch's: ``return x, x`` gives the gradient of x to the second), and its earlier self stands for it among
        # the call's parents, on which the other outputs are then recorded
        changed = _changed_input_positions(ctx, results)
        # several inputs changed: each takes its new version before any takes the call's history (a later one's bump
        # would count, for those recorded before it, as a change after the call of an input it read); a view is
        # the only one changed (_check_dirty_view), its write through to its base bumps the version
        bumped = len(changed) > 1
        if bumped:
            for index in changed:
                _check_changeable(cls, results[index], differentiable(results[index], ctx._output_data[index]))
            for index in changed:
                increment_version(results[index])
        for index in changed:
            item = results[index]
            recorded, earlier = _changed_in_place(
                cls, item, differentiable(item, ctx._output_data[index]), parents, attrs(index), bumped
            )
            if recorded is not None and recorded.requires_grad:
                ctx._output_refs[index] = weakref.ref(recorded)
                ctx._output_ticks[index] = recorded._recorded_at
            if earlier is not None:  # its history rebased: the earlier self holds the values the call read
                parents = tuple(earlier if parent is item else parent for parent in parents)
            if recorded is None and item.requires_grad:
                # nothing recorded for it (marked non-differentiable, or under no_grad): torch returns a detached
                # alias, sharing its memory and version; the input keeps its own history
                alias = item.detach()
                outputs = [alias if output is item else output for output in outputs]
        # a new node returned at several positions is one output, as torch's: the same object at each, recorded at
        # the last position (backward gets zeros, or None, for the others); an input returned twice is two outputs
        last_at = {id(item): index for index, item in enumerate(results) if isinstance(item, Node)}
        repeated = [
            index
            for index, item in enumerate(results)
            if isinstance(item, Node)
            and last_at[id(item)] != index
            and not any(item is parent for parent in parents)
            and not any(item is dirty for dirty in ctx._dirty)
        ]
        for index, (item, data) in enumerate(zip(results, ctx._output_data)):
            if data is None or index in repeated or any(item is dirty for dirty in ctx._dirty):
                continue
            if differentiable(item, data):
                output = kind._from_op(data, cls._op(), parents, attrs(index))
            else:
                output = kind._make(data)
            _share_input_memory(output, item, parents, ctx._dirty)
            if output.requires_grad:
                ctx._output_refs[index] = weakref.ref(output)
                ctx._output_ticks[index] = output._recorded_at
            outputs[index] = output
        for index in repeated:
            outputs[index] = outputs[last_at[id(results[index])]]
        # an input returned unchanged stays the input; one changed in place (marked dirty) is the output it became
        unchanged = tuple(
            arg for arg in args if isinstance(arg, Node) and not any(arg is dirty for dirty in ctx._dirty)
        )
        ctx._saved = tuple(_saved_marker(item, results, unchanged) for item in ctx._saved)
        # the version of each saved node as the call leaves it (its own in-place changes counted), which
        # saved_tensors checks, as torch's saved variables do
        # (a saved output: the object returned for it, weakly, and its version; a marked dirty input changed again
        # after the call is that object, whose values backward would read changed)
        ctx._saved_versions = tuple(
            item.version
            if isinstance(item, Node)
            else (weakref.ref(outputs[item.index]), outputs[item.index].version)
            if isinstance(item, _SavedOutput) and isinstance(outputs[item.index], Node)
            else None
            for item in ctx._saved
        )
        hooks = active_hooks()
        if hooks is not None and recording:  # saved_tensors_hooks: each saved node (an output as returned) packed
            ctx._packed = packed(tuple(_packable(item, outputs) for item in ctx._saved), hooks)
        # the nodes marked are needed no more: a dirty input is an output whose op holds ctx (a reference cycle that
        # only the cyclic garbage collector frees), and torch clears them likewise once the call returns
        if ctx._non_differentiable:
            ctx._non_differentiable_at = tuple(
                index for index, item in enumerate(results) if any(item is marked for marked in ctx._non_differentiable)
            )
        ctx._dirty = ctx._non_differentiable = ()
        return tuple(outputs) if several else outputs[0]

    @classmethod
    def _forward(cls, ctx: FunctionContext, args: tuple[Any, ...]) -> Any:
        """``forward(ctx, *args)``, or, for a Function that defines ``setup_context``, ``forward(*args)`` then
        ``setup_context(ctx, args, result)`` (torch 2's style)."""
        if cls.setup_context is Function.setup_context:
            return cls.forward(ctx, *args)
        result = cls.forward(*args)
        cls.setup_context(ctx, args, result)
        return result

    @classmethod
    def _op(cls) -> Op:
        """The Op of this Function class (made once; its single joint rule calls ``backward``)."""
        op = cls.__dict__.get("_function_op")
        if op is None:
            op = Op(
                cls.__name__,
                _run_backward,
                joint=True,
                outputs=_call_outputs,
                saved=_saved_by_ctx,
                release=_release_ctx,
            )
            cls._function_op = op
        return op


def _share_input_memory(output: Any, returned: Any, parents: tuple[Node, ...], dirty: tuple[Any, ...]) -> None:
    """An output Tensor whose array is (a view of) an input's, not marked dirty (``return a[:2]``, an input
    returned as it is): it takes that input's version counter, as a holder that is not a recorded view, so an
    in-place change of either is counted for both, and refused while recording (it would bypass the Function's
    backward; torch forbids it too). ``returned`` is what forward returned for it: a view made there under
    ``no_grad`` (not the input itself) is torch's view made in no-grad mode, whose recorded in-place change, once
    its input requires grad and grad mode is back, is refused (:func:`~autograd.versions.check_in_place_allowed`)."""
    if not isinstance(output, Tensor) or any(output is item for item in dirty):
        return
    for parent in parents:
        if isinstance(parent, Tensor) and np.may_share_memory(output._data, parent._data):
            output._version_counter = parent._shared_version()
            output._version_counter.add_holder(output, "copy")
            if returned is not parent and not is_grad_enabled():
                output._made_in_no_grad = True
                output._view_of = (None, parent, None)  # (no op: it never joins the graph; see _view_recipe)
            return


def _saved_by_ctx(node: Node) -> tuple[list[int], bool]:
    """The parents of a Function's output ``node`` that its ``ctx`` saved (by position), and whether it saved that
    output: the values backward must find unchanged (torch checks the versions of saved tensors only)."""
    ctx = node.attrs["ctx"]
    if ctx._freed:  # nothing left to check: reading them raises torch's error for a second pass
        return [], False
    index = node.attrs["index"]
    return ctx._saved_inputs, any(isinstance(item, _SavedOutput) and item.index == index for item in ctx._saved)


def _release_ctx(node: Node, freed: bool) -> bool:
    """Mark what the call of ``node`` saved freed (or kept again), for every output of the call (one ``ctx``, as
    torch's one node per call); whether it was freed before (:attr:`Op.release`)."""
    ctx = node.attrs["ctx"]
    before = ctx._freed
    ctx._freed = freed
    return before


def _packable(item: Any, outputs: list[Any]) -> Node | None:
    """The node a ``pack_hook`` receives for one saved item (a saved output: the output ``apply`` returns), or
    None for an item the hooks pass over (None, an array)."""
    if isinstance(item, _SavedOutput):
        item = outputs[item.index]
    return item if isinstance(item, Node) else None


def _saved_marker(item: Any, results: tuple[Any, ...], unchanged: tuple[Node, ...]) -> Any:
    """``item``, or the marker of the output it is (outputs are resolved when backward runs). An input that forward
    returns unchanged (not marked dirty) stays the input, as torch's saved variable does: backward reads the
    argument itself (requires_grad as given), not the output that aliases it."""
    if item is None or any(item is argument for argument in unchanged):
        return item
    for index in reversed(range(len(results))):  # the last position: an output returned twice holds its node there
        if item is results[index]:
            return _SavedOutput(index)
    return item


def _changed_input_positions(ctx: FunctionContext, results: tuple[Any, ...]) -> list[int]:
    """For each input marked dirty, the last position among ``results`` it is returned at (in that order)."""
    last = {id(item): index for index, item in enumerate(results) if any(item is dirty for dirty in ctx._dirty)}
    return sorted(last.values())


def _check_dirty_view(
    function: type[Function], ctx: FunctionContext, results: tuple[Any, ...], recording: bool
) -> None:
    """Refuse, as torch does, a recorded call that changed in place an input that is a view and returns more than
    one Tensor (the view's base takes the change as a node of its own, which one call of backward cannot serve
    alongside the other outputs)."""
    if not recording or sum(isinstance(item, Tensor) for item in results) < 2:
        return
    if any(isinstance(item, Tensor) and is_view(item) for item in ctx._dirty):
        raise RuntimeError(
            f"{function.__name__}: if your Function modifies inplace an input that is a view of another Tensor, "
            "your Function cannot return more than one Tensor. Make sure the input is not a view (using .clone() "
            "for example) or make your Function return only one Tensor (one Function doing the inplace change and "
            "returning it, another doing the rest)"
        )


def _check_dirty(function: type[Function], ctx: FunctionContext, results: tuple[Any, ...], parents: tuple) -> None:
    """Every node marked dirty must be returned (torch's rule)."""
    for item in ctx._dirty:
        if not isinstance(item, Node):
            raise TypeError(
                f"{function.__name__}.forward: mark_dirty takes inputs of forward that are Values or Tensors, "
                f"got a {type(item).__name__}"
            )
        if not any(item is output for output in results):
            raise RuntimeError(
                f"{function.__name__}.forward: Some elements marked as dirty during the forward method were not "
                "returned as output. The inputs that are modified inplace must all be outputs of the Function."
            )


def _warn_dirty_non_inputs(function: type[Function], ctx: FunctionContext, parents: tuple) -> None:
    """torch's UserWarning, while recording, for a node marked dirty that is not an input of the call: it is taken
    as changed in place all the same (its version is bumped, its history becomes the call's)."""
    for item in ctx._dirty:
        if not any(item is parent for parent in parents):
            warnings.warn(
                f"{function.__name__}.forward: ctx.mark_dirty() received a {type(item).__name__} that was not an "
                "input. Only input Tensors that have been mutated should be passed to ctx.mark_dirty().",
                UserWarning,
                stacklevel=3,
            )


def _check_changeable(function: type[Function], node: Node, differentiable: bool) -> None:
    """Refuse, as torch does, a recorded change in place of a leaf that requires grad."""
    if differentiable and node.is_leaf and node.requires_grad:
        raise RuntimeError(
            f"{function.__name__}: a leaf Variable that requires grad has been used in an in-place operation "
            f"(mark_dirty on a leaf {type(node).__name__} that requires grad); change a copy (x.clone()) instead"
        )


def _changed_in_place(
    function: type[Function],
    node: Node,
    differentiable: bool,
    parents: tuple[Node, ...],
    attrs: dict,
    bumped: bool = False,
) -> tuple[Node | None, Node | None]:
    """For the input ``node`` that forward changed in place and returned as an output: the node that holds this
    call's history for it (None when nothing is recorded), and ``node``'s earlier self when that is ``node`` itself
    (else None). Its version is bumped (unless ``bumped``: the caller did), and, when recording, its history rebased
    onto this Function's node; a view (``x[1]``) instead takes the Function's result as a new node, written through
    to the tensor it views, as torch's, and that node holds the call's history."""
    _check_changeable(function, node, differentiable)
    if not differentiable:
        if not bumped:
            increment_version(node)
        return None, None
    if isinstance(node, Tensor) and is_view(node):
        recorded = Tensor._from_op(node._data.copy(), function._op(), parents, attrs)
        try:  # the write through to the base bumps the shared version once, as torch counts mark_dirty on a view
            view_takes(node, recorded, function.__name__)
        except Exception:
            increment_version(node)  # forward changed the shared memory all the same: what read it is now stale
            raise
        return recorded, None
    earlier = rebase_history(node, function._op(), parents, attrs, bump=not bumped)
    views_go_stale(node)  # its live views show the new values: each becomes a view of the new node when next used
    unlink_earlier(node, earlier)
    return node, earlier


def _output_data(function: type[Function], kind: type[Node], result: Any) -> Any:
    """The raw data of one result of ``forward``, checked to be a ``kind`` value; None for an object that is not an
    output (None, a list, a dict, a string...), alone or in a tuple: it passes through ``apply`` unchanged, as
    torch's (a list of Tensors is not one output: torch returns it as it is, recording nothing). So does a Python
    number (int, bool or float) of a Tensor Function (``return x * 2, 0.5``): it comes back as it is and
    ``backward`` gets None for it, as torch's. A numpy array or numpy scalar stays a Tensor Function's output (a
    Tensor of it), the library's way of writing forward in numpy (torch passes them through); a Value Function's
    numbers are its outputs, the lecture's gates computing on ``x.data``."""
    if not isinstance(result, (Node, np.ndarray, np.generic, int, float)):
        return None
    if kind is Tensor and isinstance(result, (int, float)) and not isinstance(result, np.generic):  # (bool is an int)
        return None
    data = result._data if isinstance(result, Node) else result
    if kind is Value:
        if isinstance(data, np.ndarray) and data.size == 1:
            data = data.item()
        if not isinstance(data, (int, float, np.floating, np.integer)) or isinstance(data, bool):
            raise TypeError(
                f"{function.__name__}.forward must return a number for Value inputs, got {type(data).__name__}"
            )
        return float(data)
    array = np.array(data) if not isinstance(data, np.ndarray) else data
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{function.__name__}.forward returned an array of unsupported dtype {array.dtype}")
    return array


def _call_outputs(node: Node) -> list[Node | None]:
    """The output nodes of the Function call that made ``node``, by position (None: gone or without a graph); an
    output changed in place since stands as its earlier self, the node that holds this call's history."""
    ctx = node.attrs["ctx"]
    outputs = [None if reference is None else reference() for reference in ctx._output_refs]
    return [None if output is None else output._earlier_self(tick) for output, tick in zip(outputs, ctx._output_ticks)]


def _output_gradients(ctx: FunctionContext, grads: OutputGradients, kind: type[Node]) -> list[Any]:
    """The gradients ``backward`` receives, one per output: the gradient that reached it (wrapped as a
    ``kind``), else zeros (or None, when grads are not materialized, or for an output marked non-differentiable
    when ``ctx._materialize_non_diff_grads`` is False, as torch's); None for objects that are not outputs."""
    gradients = []
    for position, data in enumerate(ctx._output_data):
        grad = grads[position] if position < len(grads) else None
        if grad is not None:
            gradients.append(grad if isinstance(grad, Node) else kind._wrap_constant(grad))
        elif (
            data is None
            or not ctx._materialize_grads
            or (not ctx._materialize_non_diff_grads and position in ctx._non_differentiable_at)
        ):
            gradients.append(None)
        else:
            gradients.append(kind._wrap_constant(np.zeros_like(data)))
    return gradients


def _user_backward(function: type[Function]) -> Callable[..., Any]:
    """The backward the subclass defines: ``backward``, or ``vjp`` (torch's alias) if it defines that one instead."""
    backward, vjp = function.backward, function.vjp
    if vjp is Function.vjp:
        return backward
    if backward is not Function.backward:
        raise RuntimeError(
            f"{function.__name__}: Implementing both 'backward' and 'vjp' for a custom Function is not allowed. "
            "You should only implement one of them."
        )
    return vjp


def _run_backward(
    grad: Any,
    out: Any,
    *inputs: Any,
    ctx: FunctionContext,
    positions: tuple[int, ...],
    function: type[Function],
    kind: type[Node],
    index: int = 0,
) -> list[Any]:
    """The joint derivative rule of a Function call, reached through output ``index`` (``out``): call
    ``backward`` once with the gradients of all its outputs (``grad``, by position), one gradient per parent."""
    if not isinstance(grad, OutputGradients):  # a rule called for this one output alone
        grad = OutputGradients(grad if position == index else None for position in range(len(ctx._output_data)))
    create_graph = isinstance(out, Node)
    if not create_graph:
        out = kind._wrap_constant(out)
    ctx._running = (index, out)
    try:
        gradients = _user_backward(function)(ctx, *_output_gradients(ctx, grad, kind))
    finally:
        ctx._running = None
    if not isinstance(gradients, (tuple, list)):
        gradients = (gradients,)
    expected = len(ctx.needs_input_grad)
    if len(gradients) > expected and all(extra is None for extra in gradients[expected:]):
        gradients = gradients[:expected]  # trailing Nones are allowed, as in torch
    if len(gradients) != expected:
        raise RuntimeError(
            f"{function.__name__}.backward returned {len(gradients)} gradient(s), but forward took {expected} "
            f"argument(s) (an incorrect number of gradients): return one per argument (None where there is none)"
        )
    for position, gradient in enumerate(gradients):
        if gradient is not None and position not in positions:
            raise RuntimeError(
                f"{function.__name__}.backward returned a gradient different than None at position {position + 1}, "
                f"but the corresponding forward input was not a Variable (argument {position} is not a Value or "
                "Tensor): return None for it"
            )
    results = []
    for parent_index, position in enumerate(positions):
        gradient = gradients[position]
        if gradient is None:
            results.append(None)
            continue
        if not ctx.needs_input_grad[position]:  # an input that needs none: dropped unchecked but for its type, as torch
            _check_gradient_type(function, position, gradient)
            results.append(None)
            continue
        results.append(_checked_gradient(function, position, gradient, inputs[parent_index], create_graph))
    return results


def _checked_gradient(function: type[Function], position: int, gradient: Any, parent: Any, create_graph: bool) -> Any:
    """``gradient`` as raw data (or a node under create_graph), after checking it fits its input's shape."""
    parent_shape = np.shape(parent._data if isinstance(parent, Node) else parent)
    data = _check_gradient_type(function, position, gradient)
    shape = np.shape(data)
    try:
        fits = np.broadcast_shapes(shape, parent_shape) == shape
    except ValueError:
        fits = False
    if not fits and not (parent_shape == () and np.size(data) == 1):
        raise RuntimeError(
            f"{function.__name__}.backward returned a gradient of shape {shape} for argument {position}, "
            f"which has shape {parent_shape} (an invalid gradient at index {position})"
        )
    if create_graph:
        return gradient
    if isinstance(parent, float):  # a Value's: one number, a larger gradient summed down to it (torch's sum_to)
        return float(np.sum(data))
    return data


def _check_gradient_type(function: type[Function], position: int, gradient: Any) -> Any:
    """The data of ``gradient``, checked to be numbers (a TypeError naming the Function otherwise)."""
    data = gradient._data if isinstance(gradient, Node) else gradient
    if isinstance(data, (str, bytes)) or np.asarray(data).dtype.kind not in "biuf":
        raise GradientTypeError(
            f"{function.__name__}.backward returned a {type(gradient).__name__} as the gradient of argument "
            f"{position}: a gradient is a number, an array or a node (or None)"
        )
    return data


# -- once_differentiable ------------------------------------------------------------------------------------


def _refuse_second_derivative(grad: Any, out: Any, x: Any) -> Any:
    raise RuntimeError(
        "trying to differentiate twice a function that was marked with @once_differentiable: its backward ran "
        "without recording a graph, so its gradients cannot be differentiated again"
    )


#: The op of a gradient computed by a once_differentiable backward under create_graph: differentiating it raises.
_ONCE_DIFFERENTIABLE = Op("OnceDifferentiable", _refuse_second_derivative)  # OnceDifferentiableBackward


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a Function's ``backward`` that can be differentiated only once (torch's ``once_differentiable``).

    The backward runs without recording a graph, so it may use any numpy code on ``.data``. When it is
    asked for a graph (``create_graph=True``) and an incoming gradient requires grad, each gradient it
    returns is a node whose own backward raises a RuntimeError saying so, instead of a silently wrong
    second derivative.
    """

    @functools.wraps(backward)
    def wrapper(ctx: FunctionContext, *grad_outputs: Any) -> Any:
        with no_grad():
            gradients = backward(ctx, *grad_outputs)
        if not is_grad_enabled() or not any(isinstance(g, Node) and g.requires_grad for g in grad_outputs):
            return gradients
        kind = next(type(g) for g in grad_outputs if isinstance(g, Node))
        several = isinstance(gradients, (tuple, list))
        guarded = tuple(_guarded(gradient, kind) for gradient in (gradients if several else (gradients,)))
        return guarded if several else guarded[0]

    return wrapper


def _guarded(gradient: Any, kind: type[Node]) -> Any:
    """``gradient`` as a node that requires grad and refuses to be differentiated (None stays None)."""
    if gradient is None:
        return None
    if isinstance(gradient, Node):
        kind, data = type(gradient), gradient._data
    else:
        data = kind._wrap_constant(gradient)._data
    return kind._from_op(data, _ONCE_DIFFERENTIABLE, (kind._make(data, requires_grad=True),))
