"""Gradients as return values: ``grad`` (torch.autograd.grad-style) and transforms.

``grad(outputs, inputs)`` returns d(outputs)/d(inputs) without touching
``.grad``. With ``create_graph=True`` the returned gradients are graph nodes,
so they can be differentiated again; this is how second and higher
derivatives are built.

The transforms take a function and return numbers/arrays:

* ``derivative(f)`` — the gradient function of a scalar function (nestable:
  ``derivative(derivative(f))`` is the second derivative);
* ``jacobian(f, x)`` — shape ``f(x).shape + x.shape``;
* ``hessian(f, x)`` — the Jacobian of the gradient, shape ``x.shape + x.shape``;
* ``hvp(f, x, v)`` — the Hessian-vector product H v without forming H;
* ``jvp(f, inputs, v)`` — forward mode: f(inputs) and the Jacobian-vector product J v.

Arguments may be plain numbers (differentiated as ``Value``) or arrays
(differentiated as ``Tensor``). When an argument is already a node that requires
a gradient, the result is a node too, so transforms compose.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import Node, backpropagate
from .tensor import Tensor, _wrap
from .tensor_functions import stack
from .value import Value


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def grad(
    outputs: Node | Sequence[Node],
    inputs: Node | Sequence[Node],
    grad_outputs: Any = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """Return the gradients of ``outputs`` with respect to each of ``inputs``.

    ``grad_outputs`` gives the seed for each output (default 1 for one-element
    outputs). Results are floats/ndarrays, or graph nodes with
    ``create_graph=True``. An input the outputs do not depend on raises an
    error unless ``allow_unused=True``, which returns None for it.
    ``retain_graph`` is accepted for PyTorch compatibility (graphs are never
    freed by a backward pass).
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
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
        raise ValueError(f"grad: got {len(seeds_in)} grad_outputs for {len(outputs)} outputs")
    roots, seeds = [], []
    for position, (output, seed) in enumerate(zip(outputs, seeds_in)):
        if not isinstance(output, Node):
            raise TypeError(f"grad: outputs[{position}] is a {type(output).__name__}, not a Value or Tensor")
        if not output.requires_grad:
            continue
        roots.append(output)
        seeds.append(output._seed_gradient(seed, create_graph))
    found = backpropagate(roots, seeds, create_graph=create_graph, store=False, inputs=inputs) if roots else {}
    results = []
    for position, node in enumerate(inputs):
        if id(node) not in found:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: inputs[{position}] is not used to compute the outputs (it appears to not have been used in "
                    "the graph); pass allow_unused=True to get None for it"
                )
            results.append(None)
        else:
            results.append(found[id(node)])
    return tuple(results)


def _leaf(x: Any) -> tuple[Node, bool]:
    """A node to differentiate with respect to, and whether the caller's graph continues."""
    if isinstance(x, Node):
        if x.requires_grad:
            return x, True
        x = x.data
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
    """

    def gradient(*args: Any) -> Any:
        leaf, nested = _leaf(args[argnum])
        out = f(*args[:argnum], leaf, *args[argnum + 1 :])
        if not isinstance(out, Node) or not out.requires_grad:
            return _zero_like(leaf, nested)
        (result,) = grad(out, leaf, create_graph=nested, allow_unused=True)
        return _zero_like(leaf, nested) if result is None else result

    gradient.__name__ = f"derivative_of_{getattr(f, '__name__', 'f')}"
    return gradient


def _zero_like(leaf: Node, nested: bool) -> Any:
    if isinstance(leaf, Value):
        return Value(0.0, requires_grad=False) if nested else 0.0
    zeros = np.zeros_like(leaf.data)
    return _wrap(zeros) if nested else zeros


def jacobian(f: Callable[[Any], Any], x: Any) -> Any:
    """The Jacobian d f(x) / d x, of shape ``f(x).shape + x.shape`` (one backward per output)."""
    leaf, nested = _leaf(x)
    out = f(leaf)
    if isinstance(out, Value) or isinstance(leaf, Value):
        raise TypeError("jacobian: needs an array function of an array; use derivative() for scalars")
    out_shape = out.shape
    rows = []
    for index in np.ndindex(*out_shape):
        seed = np.zeros(out_shape, dtype=out.dtype)
        seed[index] = 1
        if out.requires_grad:
            (row,) = grad(
                out, leaf, grad_outputs=_wrap(seed) if nested else seed, create_graph=nested, allow_unused=True
            )
        else:
            row = None
        rows.append(_zero_like(leaf, nested) if row is None else row)
    if nested:
        return stack(rows).reshape(out_shape + leaf.shape) if rows else _wrap(np.zeros(out_shape + leaf.shape))
    return np.stack(rows).reshape(out_shape + leaf.shape) if rows else np.zeros(out_shape + leaf.shape)


def hessian(f: Callable[[Any], Node], x: Any) -> Any:
    """The Hessian of a scalar function: second derivatives, shape ``x.shape + x.shape``.

    For a scalar ``x`` (a number) this is the second derivative f''(x).
    """
    leaf, _ = _leaf(x)
    if isinstance(leaf, Value):
        return derivative(derivative(f))(x)
    return jacobian(derivative(f), x)


def hvp(f: Callable[[Any], Node], x: Any, v: Any) -> Any:
    """Hessian-vector product H(x) v by double backward, without forming H."""
    leaf, nested = _leaf(x)
    out = f(leaf)
    (gradient,) = grad(out, leaf, create_graph=True)
    v_data = (
        v.data
        if isinstance(v, Node)
        else np.asarray(v, dtype=leaf.data.dtype)
        if isinstance(leaf, Tensor)
        else float(v)
    )
    directional = (gradient * v_data).sum() if isinstance(leaf, Tensor) else gradient * v_data
    if not directional.requires_grad:
        return _zero_like(leaf, nested)
    (result,) = grad(directional, leaf, create_graph=nested, allow_unused=True)
    return _zero_like(leaf, nested) if result is None else result


def jvp(f: Callable[..., Node], inputs: Any, v: Any) -> tuple[Any, Any]:
    """Forward mode: ``(f(inputs), J v)``, the directional derivative of ``f`` along ``v``.

    J v = d/dt f(x + t v) at t = 0 (``inputs`` and ``v`` may be tuples, one direction
    per input: J v = sum_i J_i v_i). It is computed with two reverse passes (the
    "double-vjp" trick), so every op that has a reverse rule has a forward one:
    u -> J^T u is linear in a dummy cotangent u, hence

        d/du <J^T u, v> = J v,

    so one backward pass with ``create_graph`` builds J^T u as a graph of u, and a
    second one differentiates <J^T u, v> with respect to u. For a ``Value`` output (a
    scalar) J v is just <grad f, v>. Results are numbers/arrays, or nodes when an
    input is a node that requires a gradient (so transforms compose).
    """
    several = isinstance(inputs, tuple)
    xs, vs = _as_tuple(inputs), _as_tuple(v) if several else (v,)
    if len(vs) != len(xs):
        raise ValueError(f"jvp: got {len(vs)} directions v for {len(xs)} inputs")
    pairs = [_leaf(x) for x in xs]
    leaves = [leaf for leaf, _ in pairs]
    nested = any(flag for _, flag in pairs)
    directions = [_direction(leaf, direction, position) for position, (leaf, direction) in enumerate(zip(leaves, vs))]
    out = f(*leaves)
    if not isinstance(out, (Value, Tensor)):
        raise TypeError(f"jvp: f must return a Value or Tensor, got {type(out).__name__}")
    if not out.requires_grad:
        return _result(out, nested), _zero_like(out, nested)
    if isinstance(out, Value):
        gradients = grad(out, leaves, create_graph=nested, allow_unused=True)
        return _result(out, nested), _inner(gradients, directions, _zero_like(out, nested))
    cotangent = Tensor(np.zeros(out.shape, dtype=out.dtype), requires_grad=True)
    transposed = grad(out, leaves, grad_outputs=cotangent, create_graph=True, allow_unused=True)
    directional = _inner(transposed, directions, None)
    if directional is None or not directional.requires_grad:
        return _result(out, nested), _zero_like(out, nested)
    (product,) = grad(directional, cotangent, create_graph=nested, allow_unused=True)
    return _result(out, nested), _zero_like(out, nested) if product is None else product


def _direction(leaf: Node, direction: Any, position: int) -> Any:
    """``direction`` as raw data shaped like ``leaf``; ValueError naming its position otherwise."""
    raw = direction.data if isinstance(direction, Node) else direction
    if isinstance(leaf, Tensor):
        raw = np.asarray(raw, dtype=leaf.dtype)
        if raw.shape != leaf.shape:
            raise ValueError(f"jvp: v[{position}] has shape {raw.shape}, but inputs[{position}] has shape {leaf.shape}")
        return raw
    if np.ndim(raw) != 0:
        raise ValueError(f"jvp: v[{position}] must be a number for a scalar input, got shape {np.shape(raw)}")
    return float(raw)


def _inner(gradients: Sequence[Any], directions: Sequence[Any], empty: Any) -> Any:
    """sum_i <gradients_i, directions_i>, skipping unused inputs (``empty`` when every input is unused)."""
    total = None
    for gradient, direction in zip(gradients, directions):
        if gradient is None:
            continue
        term = gradient * direction
        term = term.sum() if isinstance(term, (Tensor, np.ndarray)) else term
        total = term if total is None else total + term
    return empty if total is None else total


def _result(out: Node, nested: bool) -> Any:
    return out if nested else out.data
