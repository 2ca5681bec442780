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
(Values, Tensors, numbers); it returns one Value/Tensor or a plain number/array.
``backward`` receives the gradient of the output as a constant Value/Tensor and
returns one gradient per argument of ``forward`` (None where there is none).
Written with the library's operations, ``backward`` is differentiable again:
under ``backward(create_graph=True)`` it runs with recording on, and
``ctx.saved_tensors`` are the original graph nodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Node, Op, no_grad
from .tensor import Tensor
from .value import Value

__all__ = ["Function", "FunctionContext"]


class _SavedOutput:
    """Stands in ``ctx``'s saved list for the op's own output (saving the node itself would be a cycle).

    There is one, found by identity, so copying a graph (``copy.deepcopy``) keeps it as it is.
    """

    def __copy__(self) -> _SavedOutput:
        return self

    def __deepcopy__(self, memo: dict) -> _SavedOutput:
        return self


_OUTPUT = _SavedOutput()


class FunctionContext:
    """The ``ctx`` of a :class:`Function`: what ``forward`` saves for ``backward``.

    ``needs_input_grad`` is a tuple with one bool per ``forward`` argument: True
    where the argument is a node that requires grad. Other attributes may be set
    freely (``ctx.alpha = alpha``).
    """

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Any, ...] = ()
        self._output: Node | None = None
        self._non_differentiable: tuple[Any, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` (inputs, the output, or other nodes/arrays) for ``backward``."""
        self._saved = values

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Declare ``forward``'s output not differentiable (as torch's): it is returned as a constant."""
        self._non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for torch compatibility: a Function has one output, whose gradient is always given."""

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What ``save_for_backward`` kept, in the same order (the output resolved to its node)."""
        return tuple(self._output if item is _OUTPUT else item for item in self._saved)


class Function:
    """Base class of user-defined differentiable operations; see the module docstring."""

    @staticmethod
    def forward(ctx: FunctionContext, *args: Any) -> Any:
        """Compute the output from the arguments (no graph is recorded here)."""
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionContext, *grad_outputs: Any) -> Any:
        """Return dL/d(argument) for every argument of forward, given dL/d(output)."""
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` on ``args`` and record one graph node whose derivative rule is ``backward``."""
        if any(isinstance(arg, Tensor) for arg in args):
            kind: type[Node] = Tensor
        elif any(isinstance(arg, Value) for arg in args):
            kind = Value
        else:
            raise TypeError(f"{cls.__name__}.apply: at least one argument must be a Value or a Tensor")
        positions = tuple(index for index, arg in enumerate(args) if isinstance(arg, Node))
        parents = tuple(args[index] for index in positions)
        ctx = FunctionContext(tuple(isinstance(arg, Node) and arg.requires_grad for arg in args))
        with no_grad():
            result = cls.forward(ctx, *args)
        if isinstance(result, tuple):
            raise TypeError(f"{cls.__name__}.forward returned a tuple; a Function has a single output")
        data = _output_data(cls, kind, result)
        if any(output is result for output in ctx._non_differentiable):
            return kind._make(data)
        attrs = {"ctx": ctx, "positions": positions, "function": cls, "kind": kind}
        out = kind._from_op(data, cls._op(), parents, attrs)
        ctx._saved = tuple(_OUTPUT if item is result and result is not None else item for item in ctx._saved)
        return out

    @classmethod
    def _op(cls) -> Op:
        """The Op of this Function class (made once; its single joint rule calls ``backward``)."""
        op = cls.__dict__.get("_function_op")
        if op is None:
            op = Op(cls.__name__, _run_backward, joint=True)
            cls._function_op = op
        return op


def _output_data(function: type[Function], kind: type[Node], result: Any) -> Any:
    """The raw data of ``forward``'s result, checked to be a ``kind`` value."""
    data = result.data if isinstance(result, Node) else result
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


def _run_backward(
    grad: Any,
    out: Any,
    *inputs: Any,
    ctx: FunctionContext,
    positions: tuple[int, ...],
    function: type[Function],
    kind: type[Node],
) -> list[Any]:
    """The joint derivative rule of a Function node: call ``backward`` once, return one gradient per parent."""
    create_graph = isinstance(grad, Node)
    if not create_graph:
        grad = kind._wrap_constant(grad)
        out = kind._wrap_constant(out)
    ctx._output = out
    try:
        gradients = function.backward(ctx, grad)
    finally:
        ctx._output = None
    if not isinstance(gradients, (tuple, list)):
        gradients = (gradients,)
    expected = len(ctx.needs_input_grad)
    if len(gradients) != expected:
        raise RuntimeError(
            f"{function.__name__}.backward returned {len(gradients)} gradient(s), but forward took {expected} "
            f"argument(s) (an incorrect number of gradients): return one per argument (None where there is none)"
        )
    results = []
    for parent_index, position in enumerate(positions):
        gradient = gradients[position]
        if gradient is None:
            results.append(None)
            continue
        results.append(_checked_gradient(function, position, gradient, inputs[parent_index], create_graph))
    return results


def _checked_gradient(function: type[Function], position: int, gradient: Any, parent: Any, create_graph: bool) -> Any:
    """``gradient`` as raw data (or a node under create_graph), after checking it fits its input's shape."""
    parent_shape = np.shape(parent.data if isinstance(parent, Node) else parent)
    data = gradient.data if isinstance(gradient, Node) else gradient
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
    if isinstance(parent, float):
        return float(np.asarray(data).reshape(()))
    return data
