"""The argument and result conventions of :mod:`autograd.functional`'s transforms (torch.autograd.functional's).

* ``inputs``, ``v`` and the function's outputs are one node or a tuple of nodes; a result is nested as
  they were (a tuple of inputs gives a tuple of results, one input gives one result).
* The function receives fresh nodes: a constant copy of each input that is made to require grad, or,
  with ``create_graph=True`` and an input that already requires grad, a differentiable alias of it (so
  the result stays a graph of the caller's nodes). Either way, uses of the caller's node that the
  function captured without taking it as an argument are not differentiated.
* Results are constants unless ``create_graph=True``; a gradient that does not exist (an output
  independent of an input) is zeros, or an error under ``strict=True``.

Tensors and numpy arrays make one kind of input (arrays become Tensors, integer arrays float64);
Values and Python numbers the other (numbers become Values). One call takes one kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .core import Node
from .derivatives import arrays as ar
from .tensor import Tensor, _wrap
from .tensor_functions import stack
from .value import Value


class TransformShapeError(ValueError, RuntimeError):
    """A ``v`` or a function output of the wrong shape or count: a ValueError (the house rule for shapes)
    that is also the RuntimeError torch raises, so code written for either catches it."""


class StrategyError(ValueError, AssertionError):
    """An unknown ``strategy`` for jacobian/hessian: a ValueError that is also torch's AssertionError."""


def _is_tensor_like(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray, np.generic)) and not isinstance(x, (float, int))


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def nodes_of(x: Any, name: str, fn: str, tensors: bool | None = None) -> tuple[bool, tuple[Node, ...], bool]:
    """``(was_a_tuple, nodes, tensor_kind)`` for ``inputs`` or ``v``: each entry made a Tensor or a Value.

    ``tensors`` fixes the kind (that of the inputs, for ``v``); None takes it from ``x``: Tensors when any
    entry is a Tensor or an array. Entries of the other kind, or of no kind, raise TypeError in torch's words.
    """
    several = isinstance(x, tuple)
    items = x if several else (x,)
    if tensors is None:
        tensors = any(_is_tensor_like(item) for item in items)
    nodes = []
    for position, item in enumerate(items):
        if tensors and _is_tensor_like(item):
            if not isinstance(item, Tensor):
                array = np.asarray(item)
                item = Tensor(array if array.dtype.kind == "f" else array.astype(np.float64))
        elif not tensors and (isinstance(item, Value) or _is_number(item)):
            item = item if isinstance(item, Value) else Value(float(item), requires_grad=False)
        else:
            where = f"the value at index {position}" if several else f"the given {name}"
            kind = "Tensors (or arrays)" if tensors else "Values (or numbers)"
            raise TypeError(
                f"{fn}: The {name} given to {fn} must be either a Tensor or a tuple of Tensors (here: of {kind}, "
                f"one kind per call), but {where} has type {type(item).__name__}"
            )
        nodes.append(item)
    return several, tuple(nodes), tensors


def outputs_of(result: Any, fn: str) -> tuple[bool, tuple[Node, ...]]:
    """``(was_a_tuple, outputs)`` for what the user's function returned: a node or a tuple of nodes."""
    several = isinstance(result, tuple)
    items = result if several else (result,)
    for position, item in enumerate(items):
        if not isinstance(item, Node):
            where = f"the value at index {position}" if several else "the given outputs"
            raise TypeError(
                f"{fn}: The outputs of the user-provided function given to {fn} must be either a Tensor or a "
                f"tuple of Tensors (or Values), but {where} has type {type(item).__name__}"
            )
    return several, items


def fresh(nodes: Sequence[Node], create_graph: bool, need_graph: bool = True) -> tuple[Node, ...]:
    """The nodes a transform differentiates with respect to (see the module docstring).

    A node that requires grad becomes, under ``create_graph``, an alias recorded as an identity op (its
    gradient flows back to the caller's node); every other node becomes a constant sharing its data,
    made to require grad when ``need_graph`` (inputs, not ``v``).
    """
    result = []
    for node in nodes:
        if create_graph and node.requires_grad:
            alias = (
                node._view(node._data, ar.reshape, {"shape": node.shape}) if isinstance(node, Tensor) else node + 0.0
            )
            result.append(alias)
        elif isinstance(node, Tensor):
            result.append(node.detach().requires_grad_(need_graph))
        else:
            result.append(Value(node._data, requires_grad=need_graph))
    return tuple(result)


def size_of(node: Node) -> int:
    return node.size if isinstance(node, Tensor) else 1


def shape_of(node: Node) -> tuple[int, ...]:
    return node.shape if isinstance(node, Tensor) else ()


def check_v(v: tuple[Node, ...], others: tuple[Node, ...], others_several: bool, fn: str) -> None:
    """Raise unless ``v`` has one entry per ``others`` (inputs or outputs), each of the same shape."""
    if len(v) != len(others):
        if others_several:
            raise TransformShapeError(
                f"{fn}: v is a tuple of invalid length: should be {len(others)} but got {len(v)}."
            )
        raise TransformShapeError(f"{fn}: The given v should contain a single Tensor, got a tuple of {len(v)}.")
    for position, (direction, other) in enumerate(zip(v, others)):
        if shape_of(direction) != shape_of(other):
            entry = f"Entry {position} in " if others_several else ""
            raise TransformShapeError(
                f"{fn}: {entry}v has invalid size: should be {shape_of(other)} but got {shape_of(direction)}."
            )


def check_single_element(nodes: tuple[Node, ...], what: str, fn: str) -> None:
    """Raise when ``v`` is omitted but ``nodes`` are not one single-element node (torch's words)."""
    if len(nodes) != 1 or size_of(nodes[0]) != 1:
        raise TransformShapeError(
            f"{fn}: The vector v can only be None if {what} a single Tensor with a single element; pass v "
            f"(got {len(nodes)} of shapes {[shape_of(node) for node in nodes]})"
        )


def check_requires_grad(nodes: Sequence[Node | None], role: str, strict: bool, fn: str) -> None:
    """Under ``strict``, raise for a missing gradient or a node that does not require grad (torch's words).

    ``role`` says what ``nodes`` are: ``"outputs"`` of the function, ``"grad_inputs"`` (J^T u in jvp's
    double backward) or ``"jacobian"`` (the gradient whose derivative a Hessian is).
    """
    if not strict:
        return
    for index, node in enumerate(nodes):
        if node is None:
            raise RuntimeError(
                f"{fn}: The output of the user-provided function is independent of input {index}. This is not "
                "allowed in strict mode."
            )
        if node.requires_grad:
            continue
        if role == "outputs":
            raise RuntimeError(
                f"{fn}: Output {index} of the user-provided function does not require gradients. With strict=True "
                "every output must be computed differentiably from the inputs."
            )
        if role == "grad_inputs":
            raise RuntimeError(
                f"{fn}: The gradient with respect to input {index} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"{fn}: While computing the hessian, found that the jacobian of the user-provided function with "
            f"respect to input {index} is independent of the input. This is not allowed in strict mode: the "
            "function must be twice differentiable with a jacobian that depends on the inputs (a linear function "
            "has none)."
        )


_STAGE_WORDS = {
    "back": "The output of the user-provided function is independent of input {index}. This is not allowed in "
    "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {index} in the grad_outputs "
    "when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {index}. This is not "
    "allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {index} in the "
    "grad_jacobian. This is not allowed in strict mode (the double backward trick needs it).",
}


def zeros_like(node: Node) -> Node:
    """A constant of ``node``'s kind, shape and dtype, all zeros."""
    return _wrap(np.zeros_like(node._data)) if isinstance(node, Tensor) else Value(0.0, requires_grad=False)


def as_node(gradient: Any, like: Node) -> Node:
    """A gradient from :func:`grad` as a node: itself under create_graph, else a constant copy of its data."""
    if isinstance(gradient, Node):
        return gradient
    if isinstance(like, Tensor):
        return _wrap(np.array(gradient, dtype=like.dtype))
    return Value(float(gradient), requires_grad=False)


def filled(
    gradients: Sequence[Any], like: Sequence[Node], strict: bool, create_graph: bool, stage: str, fn: str
) -> tuple[Node, ...]:
    """The gradients as nodes, zeros shaped as ``like`` where one is missing (torch's ``_fill_in_zeros``).

    Under ``strict`` a missing gradient raises (the words say at which ``stage`` it went missing), and so
    does, under ``create_graph`` too, a gradient that is a constant.
    """
    result = []
    for index, (gradient, reference) in enumerate(zip(gradients, like)):
        if gradient is None:
            if strict:
                raise RuntimeError(f"{fn}: " + _STAGE_WORDS[stage].format(index=index))
            result.append(zeros_like(reference))
            continue
        gradient = as_node(gradient, reference)
        if strict and create_graph and not gradient.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"{fn}: The {what} of the user-provided function is independent of input {index}. This is not "
                "allowed in strict mode when create_graph=True."
            )
        result.append(gradient)
    return tuple(result)


def finished(nodes: Sequence[Node], create_graph: bool) -> tuple[Node, ...]:
    """Results as the caller gets them: constants (detached) unless ``create_graph``."""
    if create_graph:
        return tuple(nodes)
    return tuple(node.detach() if node.requires_grad else node for node in nodes)


def untupled(results: tuple, several: bool) -> Any:
    """``results`` as a tuple when the argument it mirrors was one, else its single entry."""
    return results if several else results[0]


def one_hot_seeds(output: Node, create_graph: bool) -> list[Any]:
    """One seed per element of ``output`` (the rows of the identity, shaped like it), for Jacobian rows."""
    if not isinstance(output, Tensor):
        return [None]
    seeds = []
    for flat_index in range(output.size):
        seed = np.zeros(output.size, dtype=output.dtype)
        seed[flat_index] = 1
        seed = seed.reshape(output.shape)
        seeds.append(_wrap(seed) if create_graph else seed)
    return seeds


def assembled(rows: list[Node], output: Node, input_node: Node, create_graph: bool) -> Node:
    """The Jacobian block d output / d input (shape ``output.shape + input.shape``) from its rows."""
    if not isinstance(output, Tensor):  # a Value's derivative; none when the output has no graph: 0
        return rows[0] if rows else zeros_like(input_node)
    shape = output.shape + shape_of(input_node)
    if not rows:
        return _wrap(np.zeros(shape, dtype=input_node.dtype))
    if create_graph:
        return stack(rows).reshape(shape)
    return _wrap(np.stack([row._data for row in rows]).reshape(shape))
