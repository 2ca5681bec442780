"""Gradients as return values: ``grad`` (torch.autograd.grad), ``derivative``, and torch.autograd.functional.

``grad(outputs, inputs)`` returns d(outputs)/d(inputs) without touching
``.grad``; ``backward(tensors, grad_tensors)`` (torch.autograd.backward) fills ``.grad`` from several
outputs at once. With ``create_graph=True`` the returned gradients are graph nodes,
so they can be differentiated again; this is how second and higher
derivatives are built.

The transforms take a function and its inputs, as ``torch.autograd.functional``'s do
(same signatures, return values, nesting and errors; see :mod:`autograd.functional_conventions`):

* ``vjp(f, inputs, v)`` — ``(f(inputs), v^T J)``, one backward pass;
* ``jvp(f, inputs, v)`` — ``(f(inputs), J v)``, forward mode by two backward passes;
* ``jacobian(f, inputs)`` — J, of shape ``out.shape + in.shape`` per (output, input) pair;
* ``hessian(f, inputs)`` — the Jacobian of the gradient of a one-element ``f``;
* ``vhp(f, inputs, v)``, ``hvp(f, inputs, v)`` — ``(f(inputs), v^T H)`` and ``(f(inputs), H v)``
  without forming H.

Their results are constants unless ``create_graph=True``, which makes them graph nodes of the
inputs (and of ``v``) that differentiate again. Inputs are Tensors (or numpy arrays), or Values
(or Python numbers), one kind per call; results are of the same kind.

``derivative(f)`` is this library's own: the gradient function of a scalar function, nestable
(``derivative(derivative(f))`` is the second derivative), returning numbers/arrays (nodes when f's value
depends on a node that requires grad: its argument, another argument or a node it closes over).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import functional_conventions as conventions
from .backprop import backpropagate, backward_order, frees_graph
from .core import Node, run_backward
from .grad_mode import _mode, enable_grad, is_grad_enabled, queued_callbacks
from .gradient_array import GradientArray
from .graph_nodes import GradientEdge, edge_target
from .shape_errors import ShapeError
from .tensor import Tensor, _wrap
from .tensor_functions import stack
from .value import Value


def _as_tuple(x: Any) -> tuple:
    """A list, a tuple or an iterator (a generator, ``filter(...)``, ``itertools.chain`` of parameters) as the tuple
    of its items, as torch's ``tuple(inputs)`` reads them; anything else (a node, a GradientEdge, a seed) alone."""
    if isinstance(x, (list, tuple)) and not isinstance(x, GradientEdge) or isinstance(x, Iterator):
        return tuple(x)
    return (x,)


def backward(
    tensors: Node | Sequence[Node],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Node | Sequence[Node] | None = None,
) -> None:
    """torch.autograd.backward: ``.grad`` of sum_k d(tensors[k])/d(node) seeded by ``grad_tensors[k]`` (default 1
    for one-element outputs), in one pass; ``x.backward(g)`` is ``backward([x], [g])``. ``inputs`` limits the
    nodes that accumulate, as in :meth:`Node.backward`; ``retain_graph`` (default: ``create_graph``) keeps the graph
    for another pass, as torch's (without it the nodes that saved values are freed);
    ``grad_variables`` is torch's old name for ``grad_tensors``. A :class:`~autograd.graph_nodes.GradientEdge` may
    stand for a node among ``tensors`` and ``inputs``, as in torch's."""
    if grad_variables is not None:
        if grad_tensors is not None:
            raise TypeError("backward: got both grad_tensors and grad_variables (its old name); pass one")
        grad_tensors = grad_variables
    roots = tuple(edge_target(root) for root in _as_tuple(tensors))  # a GradientEdge stands for its node
    if inputs is not None:
        inputs = [edge_target(node) for node in _as_tuple(inputs)]
    seeds_in = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(roots)
    if len(seeds_in) != len(roots):
        raise ShapeError(f"backward: got {len(roots)} tensors and {len(seeds_in)} gradients")  # torch's RuntimeError
    for position, root in enumerate(roots):
        if not isinstance(root, Node):
            raise TypeError(f"backward: tensors[{position}] is a {type(root).__name__}, not a Value or Tensor")
        if not root.requires_grad:
            raise RuntimeError(
                f"backward: element {position} of tensors does not require grad and does not have a grad_fn"
            )
    seeds = [root._seed_gradient(seed, create_graph) for root, seed in zip(roots, seeds_in)]
    run_backward(roots, seeds, create_graph, inputs, frees_graph(retain_graph, create_graph))


def grad(
    outputs: Node | Sequence[Node],
    inputs: Node | Sequence[Node],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Any, ...]:
    """Return the gradients of ``outputs`` with respect to each of ``inputs`` (torch.autograd.grad's arguments).

    ``grad_outputs`` gives the seed for each output (default 1 for one-element
    outputs). Results are floats, ndarrays (read as :class:`~autograd.gradient_array.GradientArray`, with
    torch's ``detach()``, ``numpy()``, ``size()``...), or graph nodes with
    ``create_graph=True``. An input the outputs do not depend on raises an
    error unless ``allow_unused=True``, which returns None for it, or
    ``materialize_grads=True``, which returns zeros of its shape.
    ``is_grads_batched=True``: the first axis of every seed is a batch of seeds, and each result stacks the
    gradients for them along a new first axis (one pass per seed; torch vectorizes it).
    ``retain_graph`` (default: ``create_graph``) keeps the graph for another pass, as torch's: without it the
    nodes whose derivatives read saved values are freed (see :meth:`Node.backward`). ``only_inputs`` is accepted
    for PyTorch compatibility (only the inputs' gradients are ever returned; False warns, as torch's). A
    :class:`~autograd.graph_nodes.GradientEdge` (``autograd.graph.get_gradient_edge(x)``) may stand for its node
    among ``outputs`` and ``inputs``, as in torch's.
    """
    if not only_inputs:  # torch's deprecation: the argument is ignored, only the inputs' gradients are returned
        warnings.warn(
            "grad: only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate gradient "
            "for other parts of the graph, use autograd.backward (as torch warns)",
            FutureWarning,
            stacklevel=2,
        )
    free = frees_graph(retain_graph, create_graph)
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)  # (read once: a batched call passes them again)
    if grad_outputs is not None:
        grad_outputs = _as_tuple(grad_outputs)
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, create_graph, allow_unused, materialize_grads, free)
    results = _grad(outputs, inputs, grad_outputs, create_graph, allow_unused, materialize_grads, free)
    return tuple(_handed_out(result) for result in results)


def _handed_out(result: Any) -> Any:
    """A result of :func:`grad` as the caller gets it: C-contiguous, as torch's gradients of convolutions, pooling
    and padding are (the backward pass's working arrays may be slices of padded ones or transposed), so
    ``g.view(g.size(0), -1)`` works as in torch; an ndarray read as a GradientArray."""
    if type(result) is np.ndarray:  # (a copy, not np.ascontiguousarray, which makes a 0-d array 1-d)
        return (result if result.flags.c_contiguous else result.copy()).view(GradientArray)
    if isinstance(result, Tensor):
        return result.contiguous()
    return result


def _batched_grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any,
    create_graph: bool,
    allow_unused: Any,
    materialize_grads: bool,
    free: bool = False,
) -> tuple[Any, ...]:
    """``grad`` with ``is_grads_batched``: one pass per seed along the seeds' first axis, the results stacked."""
    if grad_outputs is None:
        raise ValueError("grad: is_grads_batched=True needs grad_outputs, a batch of seeds for each output")
    seeds = [None if seed is None else seed if isinstance(seed, Node) else np.asarray(seed)
             for seed in _as_tuple(grad_outputs)]  # fmt: skip
    sizes = {
        len(seed) for seed in seeds if seed is not None and np.ndim(seed._data if isinstance(seed, Node) else seed)
    }
    if len(sizes) != 1:
        raise ValueError(
            "grad: is_grads_batched=True needs every seed to have the same length along its first (batch) axis, got "
            f"lengths {sorted(sizes)}"
        )
    (count,) = sizes
    if not count:  # an empty batch of seeds: an empty batch of gradients for each input (zip(*passes) has none)
        return _empty_batch(outputs, inputs, seeds, create_graph, allow_unused, materialize_grads, free)
    passes = [
        _grad(outputs, inputs, tuple(None if seed is None else seed[i] for seed in seeds), create_graph,
              allow_unused, materialize_grads, free and i == count - 1)
        for i in range(count)
    ]  # fmt: skip
    stacked = []
    for per_input in zip(*passes):
        if any(result is None for result in per_input):
            stacked.append(None)
        elif any(isinstance(result, Node) for result in per_input):
            stacked.append(stack([r if isinstance(r, Node) else _wrap(np.asarray(r)) for r in per_input]))
        else:
            stacked.append(np.stack([np.asarray(result) for result in per_input]).view(GradientArray))
    return tuple(stacked)


def _empty_batch(
    outputs: Any, inputs: Any, seeds: list[Any], create_graph: bool, allow_unused: Any, materialize: bool, free: bool
) -> tuple[Any, ...]:
    """``grad`` with ``is_grads_batched`` for seeds whose batch axis is empty: one pass seeded with zeros of one
    entry's shape checks the arguments and finds the inputs used (None for the others, as any batch gives them); each
    result is an empty batch of its gradient, (0, *input.shape)."""
    zeros = [None if seed is None else np.zeros(np.shape(seed._data if isinstance(seed, Node) else seed)[1:])
             for seed in seeds]  # fmt: skip
    results = _grad(outputs, inputs, zeros, create_graph, allow_unused, materialize, free)
    empty = []
    for result in results:
        data = result._data if isinstance(result, Node) else np.asarray(result) if result is not None else None
        batch = None if data is None else np.zeros((0, *data.shape), dtype=data.dtype)
        empty.append(
            batch if batch is None else _wrap(batch) if isinstance(result, Node) else batch.view(GradientArray)
        )
    return tuple(empty)


def _grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any,
    create_graph: bool,
    allow_unused: Any,
    materialize_grads: bool,
    free: bool = False,
) -> tuple[Any, ...]:
    """``grad``'s results as backward gives them (plain arrays), for the library's own callers too."""
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("grad: expected allow_unused to be True or not passed when materialize_grads=True")
    # a GradientEdge (autograd.graph.get_gradient_edge) stands for its node, as in torch's
    outputs = tuple(edge_target(output) for output in _as_tuple(outputs))
    edges = _as_tuple(inputs)
    inputs = tuple(edge_target(node) for node in edges)
    if not inputs:
        raise RuntimeError(
            "grad: the `inputs` argument to `grad()` cannot be empty (name the nodes to differentiate by)"
        )
    for position, node in enumerate(inputs):
        if not isinstance(node, Node):
            raise TypeError(f"grad: inputs[{position}] is a {type(node).__name__}, not a Value or Tensor")
        if not node.requires_grad:
            raise RuntimeError(f"grad: inputs[{position}] does not require grad")
    seeds_in = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(seeds_in) != len(outputs):
        raise ShapeError(f"grad: got {len(seeds_in)} grad_outputs for {len(outputs)} outputs")
    roots, seeds = [], []
    for position, (output, seed) in enumerate(zip(outputs, seeds_in)):
        if not isinstance(output, Node):
            raise TypeError(f"grad: outputs[{position}] is a {type(output).__name__}, not a Value or Tensor")
        if not output.requires_grad:
            raise RuntimeError(
                f"grad: element {position} of tensors does not require grad and does not have a grad_fn (the "
                f"{type(output).__name__} was computed from constants or inside no_grad())"
            )
        roots.append(output)
        seeds.append(output._seed_gradient(seed, create_graph))
    found = backpropagate(
        roots, seeds, create_graph=create_graph, store=False, inputs=inputs, free=free, fill_retained=True
    )
    for node in inputs:  # an input that retains its gradient gets it too, as torch's (a copy: the result is another)
        if node.op is not None and node.retains_grad and node.holds_arrays and id(node) in found:
            gradient = found[id(node)]
            node._grad = gradient.copy() if isinstance(gradient, np.ndarray) else gradient
    results = []
    for position, node in enumerate(inputs):
        if id(node) not in found:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: inputs[{position}] is not used to compute the outputs (it appears to not have been used in "
                    "the graph). Set allow_unused=True if this is the desired behavior (None for it)"
                )
            if materialize_grads and isinstance(edges[position], GradientEdge):
                raise RuntimeError(
                    f"grad: materialize_grads cannot be used when the given input is a GradientEdge (inputs[{position}] "
                    "is not used to compute the outputs)"
                )
            results.append(_zeros_like(node, create_graph) if materialize_grads else None)
        else:
            results.append(found[id(node)])
    return tuple(results)


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802 - torch's name
    """torch's deprecated ``autograd.Variable(t, requires_grad=...)``: a Tensor (torch merged the two in 0.4)
    sharing ``data``'s array, a leaf with the ``requires_grad`` given. ``volatile`` is ignored, as torch's, and
    ``volatile=True`` warns as torch's does (a UserWarning pointing to ``no_grad``)."""
    if volatile:
        warnings.warn(
            "Variable: volatile was removed and now has no effect. Use `with autograd.no_grad():` instead "
            "(as torch warns)",
            UserWarning,
            stacklevel=2,
        )
    leaf = data.detach() if isinstance(data, Tensor) else Tensor(data)
    return leaf.requires_grad_(requires_grad)


class _ExecutionEngine:
    """torch's ``Variable._execution_engine``, for its ``queue_callback``."""

    @staticmethod
    def queue_callback(callback: Callable[[], Any]) -> None:
        """Have the backward pass running call ``callback()`` once every node has run and its leaves' ``.grad``
        are filled (torch's final callbacks; one queued by such a callback runs after it). Outside a backward pass,
        torch's RuntimeError."""
        running = _mode.backward_pass
        if running is None:
            raise RuntimeError("Final callbacks can only be installed during backward pass.")
        queued_callbacks.setdefault(running[1], []).append(callback)


Variable._execution_engine = _ExecutionEngine()  # type: ignore[attr-defined]


def _zeros_like(node: Node, as_node: bool) -> Any:
    """The zero gradient of an input the outputs do not use (under create_graph a leaf that requires grad, as
    torch's materialized zeros)."""
    zeros = np.zeros_like(node._data) if isinstance(node._data, np.ndarray) else 0.0
    return type(node)(zeros, requires_grad=True) if as_node else zeros


def _leaf(x: Any) -> tuple[Node, bool]:
    """A node to differentiate with respect to, and whether the caller's graph continues."""
    if isinstance(x, Node):
        if x.requires_grad:
            return x, True
        x = x._data
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return Value(x), False
    array = np.asarray(x)
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    return Tensor(array, requires_grad=True), False


def derivative(f: Callable[..., Node], argnum: int = 0) -> Callable[..., Any]:
    """The gradient function of a scalar-valued ``f`` with respect to argument ``argnum``.

    >>> d2 = derivative(derivative(lambda x: x ** 3))
    >>> d2(2.0)   # 6 x
    12.0

    The result is a graph node when gradients are being recorded and f's value depends on a node that
    requires grad: the argument itself, another argument, or a node ``f`` closes over (so
    ``derivative(derivative(f, 0), 1)`` is the mixed partial, as HIPS autograd's ``grad`` and torch.func's
    give); otherwise plain numbers or arrays. ``f`` is always differentiated, under ``no_grad`` too.
    """

    def gradient(*args: Any) -> Any:
        recording = is_grad_enabled()
        with enable_grad():
            leaf, nested = _leaf(args[argnum])
            out = f(*args[:argnum], leaf, *args[argnum + 1 :])
            if not isinstance(out, Node) or not out.requires_grad:
                return _zero_like(leaf, nested and recording)
            keep_graph = recording and (nested or _depends_on_another_leaf(out, leaf))
            (result,) = _grad(out, leaf, None, keep_graph, True, False)
        if not nested:  # the leaf made for this call is a constant of any graph the result keeps
            leaf.requires_grad = False
        return _zero_like(leaf, keep_graph) if result is None else result

    gradient.__name__ = f"derivative_of_{getattr(f, '__name__', 'f')}"
    return gradient


def _depends_on_another_leaf(out: Node, leaf: Node) -> bool:
    """Whether ``out`` is computed from a leaf that requires grad other than ``leaf``."""
    return any(node.op is None and node is not leaf for node in backward_order([out]))


def _zero_like(leaf: Node, nested: bool) -> Any:
    if isinstance(leaf, Value):
        return Value(0.0, requires_grad=False) if nested else 0.0
    zeros = np.zeros_like(leaf._data)
    return _wrap(zeros) if nested else zeros


# -- torch.autograd.functional ------------------------------------------------------------------------------

_Function = Callable[..., Any]


def _vector_jacobian(
    outputs: Sequence[Node | None], inputs: Sequence[Node], seeds: Sequence[Any] | None, create_graph: bool
) -> tuple[Any, ...]:
    """sum_k seeds_k^T d outputs_k / d inputs_j for each input j; None where no output depends on it.

    Outputs that are None or need no gradient are skipped with their seeds (torch's ``_autograd_grad``);
    a seed of None is 1 for a one-element output.
    """
    seeds = (None,) * len(outputs) if seeds is None else seeds
    roots, root_seeds = [], []
    for output, seed in zip(outputs, seeds):
        if output is None or not output.requires_grad:
            continue
        roots.append(output)
        root_seeds.append(seed)
    if not roots:
        return (None,) * len(inputs)
    return _grad(roots, list(inputs), root_seeds, create_graph, True, False)


def _directions(
    v: Any, like: tuple[Node, ...], like_several: bool, create_graph: bool, fn: str, omitted_if: str
) -> tuple[Node, ...] | None:
    """``v`` as nodes matching ``like`` (None when omitted, which only a single one-element ``like`` allows)."""
    if v is None:
        conventions.check_single_element(like, omitted_if, fn)
        return None
    _, directions, _ = conventions.nodes_of(v, "v", fn, tensors=isinstance(like[0], Tensor))
    directions = conventions.fresh(directions, create_graph, need_graph=False)
    conventions.check_v(directions, like, like_several, fn)
    return directions


def _probes(like: Sequence[Node]) -> tuple[Node, ...]:
    """Zeros that require grad, one per node of ``like`` (the dummy cotangents of the double-backward trick)."""
    probes = []
    for node in like:
        if isinstance(node, Tensor):
            dtype = node.dtype if node.dtype.kind == "f" else np.float64
            probes.append(Tensor(np.zeros(node.shape, dtype=dtype), requires_grad=True))
        else:
            probes.append(Value(0.0))
    return tuple(probes)


def _one_scalar_output(several: bool, outputs: tuple[Node, ...], fn: str) -> None:
    """Raise unless the function returned one node with one element (hessian, vhp, hvp)."""
    if several:
        raise RuntimeError(f"{fn}: The function given to {fn} should return a single Tensor, not a tuple")
    if conventions.size_of(outputs[0]) != 1:
        raise conventions.TransformShapeError(
            f"{fn}: The Tensor returned by the function given to {fn} should contain a single element, "
            f"got shape {conventions.shape_of(outputs[0])}"
        )


def vjp(
    func: _Function, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(*inputs), v^T J)``: the vector-Jacobian product, one backward pass (torch.autograd.functional.vjp).

    (v^T J)_j = sum_k v_k^T d out_k / d in_j, shaped like each input. ``v`` has one entry per output
    (omit it for one one-element output). ``strict=True`` raises where an output does not depend on an
    input instead of giving zeros.
    """
    with enable_grad():
        several_in, given, _ = conventions.nodes_of(inputs, "inputs", "vjp")
        xs = conventions.fresh(given, create_graph)
        several_out, outs = conventions.outputs_of(func(*xs), "vjp")
        conventions.check_requires_grad(outs, "outputs", strict, "vjp")
        seeds = _directions(v, outs, several_out, create_graph, "vjp", "the user-provided function returns")
        gradients = _vector_jacobian(outs, xs, seeds, create_graph)
        products = conventions.filled(gradients, xs, strict, create_graph, "back", "vjp")
    return (
        conventions.untupled(conventions.finished(outs, create_graph), several_out),
        conventions.untupled(conventions.finished(products, create_graph), several_in),
    )


def jvp(
    func: _Function, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(*inputs), J v)``: the Jacobian-vector product (torch.autograd.functional.jvp).

    (J v)_k = sum_j d out_k / d in_j v_j, shaped like each output; ``v`` has one entry per input (omit it
    for one one-element input). Forward mode without dual numbers: u -> J^T u is linear in a dummy
    cotangent u, so d/du <J^T u, v> = J v. One backward pass with ``create_graph`` builds J^T u as a
    graph of u, a second differentiates it with respect to u along v (the "double-vjp" trick), so
    every op that has a reverse rule has a forward one.
    """
    with enable_grad():
        several_in, given, _ = conventions.nodes_of(inputs, "inputs", "jvp")
        xs = conventions.fresh(given, create_graph)
        seeds = _directions(v, xs, several_in, create_graph, "jvp", "the input to the user-provided function is")
        several_out, outs = conventions.outputs_of(func(*xs), "jvp")
        conventions.check_requires_grad(outs, "outputs", strict, "jvp")
        cotangents = _probes(outs)
        transposed = _vector_jacobian(outs, xs, cotangents, create_graph=True)
        conventions.check_requires_grad(transposed, "grad_inputs", strict, "jvp")
        gradients = _vector_jacobian(transposed, cotangents, seeds, create_graph)
        products = conventions.filled(gradients, outs, strict, create_graph, "back_trick", "jvp")
    return (
        conventions.untupled(conventions.finished(outs, create_graph), several_out),
        conventions.untupled(conventions.finished(products, create_graph), several_out),
    )


def _check_strategy(strategy: str, vectorize: bool, create_graph: bool, strict: bool) -> None:
    """Raise for the strategy arguments torch.autograd.functional.jacobian refuses before calling the function, in
    torch's order (an unknown strategy; then, for forward mode, ``create_graph``, ``strict``, ``vectorize=False``).
    ``strict`` with ``vectorize`` in reverse mode is refused later, once the outputs are checked, as torch's."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise conventions.StrategyError(
            f'jacobian: Expected strategy to be either "forward-mode" or "reverse-mode", got {strategy!r}'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                'jacobian: `create_graph=True` and `strategy="forward-mode"` are not supported together (as in '
                'torch); use strategy="reverse-mode"'
            )
        if strict:
            raise RuntimeError(
                'jacobian: `strict=True` and `strategy="forward-mode"` are not supported together (as in torch)'
            )
        if not vectorize:
            raise NotImplementedError(
                'jacobian: strategy="forward-mode" is only implemented for `vectorize=True` (as in torch)'
            )


def _jacobian_blocks(
    index: int, output: Node, xs: tuple[Node, ...], create_graph: bool, strict: bool, fn: str
) -> tuple[Node, ...]:
    """d output / d x for every input x, one backward pass per element of ``output``."""
    if not output.requires_grad:  # strict already refused it
        return tuple(conventions.assembled([], output, x, create_graph) for x in xs)
    rows: list[list[Node]] = [[] for _ in xs]
    for seed in conventions.one_hot_seeds(output, create_graph):
        gradients = _vector_jacobian((output,), xs, (seed,), create_graph)
        for position, (gradient, x) in enumerate(zip(gradients, xs)):
            if gradient is None:
                if strict:
                    raise RuntimeError(
                        f"{fn}: Output {index} of the user-provided function is independent of input {position}. "
                        "This is not allowed in strict mode."
                    )
                rows[position].append(conventions.zeros_like(x))
                continue
            gradient = conventions.as_node(gradient, x)
            if strict and create_graph and not gradient.requires_grad:
                raise RuntimeError(
                    f"{fn}: The jacobian of the user-provided function is independent of input {position}. This is "
                    "not allowed in strict mode when create_graph=True."
                )
            rows[position].append(gradient)
    return tuple(conventions.assembled(block, output, x, create_graph) for block, x in zip(rows, xs))


def jacobian(
    func: _Function,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs`` (torch.autograd.functional.jacobian).

    J[i][j] = d out_i / d in_j has shape ``out_i.shape + in_j.shape``; it is ``J`` itself for one output
    and one input, ``J[j]`` for one output and a tuple of inputs, ``J[i]`` for a tuple of outputs and one
    input. Computed in reverse mode, one backward pass per output element, whatever ``vectorize`` and
    ``strategy`` say: they change how torch batches the same numbers, not the result, so they are
    accepted (and the combinations torch refuses raise as torch's do).
    """
    _check_strategy(strategy, vectorize, create_graph, strict)
    with enable_grad():
        several_in, given, tensors = conventions.nodes_of(inputs, "inputs", "jacobian")
        xs = conventions.fresh(given, create_graph)
        several_out, outs = conventions.outputs_of(func(*xs), "jacobian")
        conventions.check_requires_grad(outs, "outputs", strict, "jacobian")
        if vectorize and strict:
            raise RuntimeError(
                "jacobian: `strict=True` and `vectorize=True` are not supported together (as in torch); set one to "
                "False"
            )
        for position, out in enumerate(outs):
            if isinstance(out, Tensor) != tensors:
                raise TypeError(
                    f"jacobian: output {position} is a {type(out).__name__} but the inputs are "
                    f"{'Tensors' if tensors else 'Values'}; a Jacobian takes one kind"
                )
        blocks = [_jacobian_blocks(i, out, xs, create_graph, strict, "jacobian") for i, out in enumerate(outs)]
    rows = tuple(conventions.untupled(conventions.finished(row, create_graph), several_in) for row in blocks)
    return conventions.untupled(rows, several_out)


def hessian(
    func: _Function,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a one-element ``func`` at ``inputs`` (torch.autograd.functional.hessian).

    H[i][j] = d^2 f / d in_i d in_j has shape ``in_i.shape + in_j.shape`` (H itself for one input): the
    Jacobian of the gradient, which is recorded with ``create_graph=True`` so it can be differentiated.
    ``vectorize`` and ``outer_jacobian_strategy`` go to that outer :func:`jacobian` (they do not change
    the result). For a Value input it is the second derivative f''(x), a Value.
    """
    several_in, given, _ = conventions.nodes_of(inputs, "inputs", "hessian")

    def scalar_output(*xs: Node) -> Node:
        result = func(*xs)
        several_out, outs = conventions.outputs_of(result, "hessian")
        conventions.check_requires_grad(outs, "outputs", strict, "hessian")
        _one_scalar_output(several_out, outs, "hessian")
        return result.reshape(()) if isinstance(result, Tensor) else result

    def gradient(*xs: Node) -> tuple[Node, ...]:
        first = jacobian(scalar_output, xs, create_graph=True)
        conventions.check_requires_grad(first, "jacobian", strict, "hessian")
        return first

    blocks = jacobian(gradient, given, create_graph, strict, vectorize, outer_jacobian_strategy)
    return conventions.untupled(tuple(conventions.untupled(row, several_in) for row in blocks), several_in)


def _recorded_gradient(func: _Function, inputs: Any, v: Any, create_graph: bool, strict: bool, fn: str) -> tuple:
    """The shared start of :func:`vhp` and :func:`hvp` (call under ``enable_grad``): the inputs as fresh
    leaves ``xs``, ``v`` as seeds, ``func``'s one-element output and its gradient recorded with
    ``create_graph``; returns (several_in, xs, seeds, outs, first)."""
    several_in, given, _ = conventions.nodes_of(inputs, "inputs", fn)
    xs = conventions.fresh(given, create_graph)
    seeds = _directions(v, xs, several_in, create_graph, fn, "the input to the user-provided function is")
    several_out, outs = conventions.outputs_of(func(*xs), fn)
    conventions.check_requires_grad(outs, "outputs", strict, fn)
    _one_scalar_output(several_out, outs, fn)
    first = _vector_jacobian(outs, xs, None, create_graph=True)
    conventions.check_requires_grad(first, "jacobian", strict, fn)
    return several_in, xs, seeds, outs, first


def _output_and_products(outs: Any, products: Any, several_in: bool, create_graph: bool) -> tuple[Any, Any]:
    """torch's (output, product) pair of :func:`vhp` and :func:`hvp`."""
    return (
        conventions.finished(outs, create_graph)[0],
        conventions.untupled(conventions.finished(products, create_graph), several_in),
    )


def vhp(
    func: _Function, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(*inputs), v^T H)`` for a one-element ``func``, without forming H (torch.autograd.functional.vhp).

    (v^T H)_j = sum_i v_i^T d^2 f / d in_i d in_j: the gradient recorded with ``create_graph``, then one
    more backward pass seeded with ``v``.
    """
    with enable_grad():
        several_in, xs, seeds, outs, first = _recorded_gradient(func, inputs, v, create_graph, strict, "vhp")
        gradients = _vector_jacobian(first, xs, seeds, create_graph)
        products = conventions.filled(gradients, xs, strict, create_graph, "double_back", "vhp")
    return _output_and_products(outs, products, several_in, create_graph)


def hvp(
    func: _Function, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(*inputs), H v)`` for a one-element ``func``, without forming H (torch.autograd.functional.hvp).

    (H v)_i = sum_j d^2 f / d in_i d in_j v_j. As torch's, by the double-backward trick: with the
    gradient g recorded, p -> H^T p = d<g, p>/d in is linear in a dummy p, and d/dp <H^T p, v> = H v.
    (For a twice continuously differentiable f, H is symmetric and H v = (v^T H)^T, :func:`vhp`'s.)
    """
    with enable_grad():
        several_in, xs, seeds, outs, first = _recorded_gradient(func, inputs, v, create_graph, strict, "hvp")
        probes = _probes(xs)
        transposed = _vector_jacobian(first, xs, probes, create_graph=True)
        gradients = _vector_jacobian(transposed, probes, seeds, create_graph)
        products = conventions.filled(gradients, xs, strict, create_graph, "double_back_trick", "hvp")
    return _output_and_products(outs, products, several_in, create_graph)
