"""torch.autograd.graph's words for the backward graph: :class:`Node`, the type of every backward function (a
``grad_fn``, a leaf's ``AccumulateGrad``), and :class:`GradientEdge`, where a node's gradient is computed
(:func:`get_gradient_edge`), which ``autograd.grad`` takes in place of the node among its outputs and inputs."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, NamedTuple

from . import core
from .function import FunctionContext

__all__ = ["GradientEdge", "Node", "edge_target", "get_gradient_edge"]


class Node(abc.ABC):
    """The type of the backward functions of a graph, as torch's ``torch.autograd.graph.Node``:
    ``isinstance(y.grad_fn, Node)`` holds for every ``grad_fn``, and for the ``AccumulateGrad`` of a leaf that
    requires grad (``y.grad_fn.next_functions[0][0]``). Not instantiated: the engine makes its functions itself."""

    @abc.abstractmethod
    def name(self) -> str:
        """The function's name (``"ExpBackward0"``)."""

    @property
    @abc.abstractmethod
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        """``(function, 0)`` per input of the op: where each input's gradient goes next."""

    @abc.abstractmethod
    def register_hook(self, fn: Callable[..., Any]) -> core.RemovableHandle:
        """Call ``fn(grad_inputs, grad_outputs)`` after the function runs in a pass."""

    @abc.abstractmethod
    def register_prehook(self, fn: Callable[..., Any]) -> core.RemovableHandle:
        """Call ``fn(grad_outputs)`` before the function runs in a pass."""


Node.register(core.GradFn)
Node.register(core.AccumulateGrad)
Node.register(FunctionContext)  # a custom Function's ctx, which torch's is: the call's backward node


class GradientEdge(NamedTuple):
    """Where a node's gradient is computed, as torch's: the backward function (``node``) and which of its outputs
    (``output_nr``). ``ownership_token`` is torch's third field, kept for its shape (None here: ``node`` keeps the
    graph alive)."""

    node: Any
    output_nr: int
    ownership_token: Any = None


def get_gradient_edge(tensor: core.Node) -> GradientEdge:
    """The :class:`GradientEdge` of ``tensor``: its ``grad_fn`` (its ``AccumulateGrad`` for a leaf) and its position
    among its op's outputs; ``autograd.grad(loss, get_gradient_edge(x))`` is ``autograd.grad(loss, x)``."""
    if not isinstance(tensor, core.Node):
        raise TypeError(f"get_gradient_edge: expected a Tensor or Value, got a {type(tensor).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not require gradients "
            f"(get_gradient_edge got a {type(tensor).__name__} that does not require grad)"
        )
    return GradientEdge(core._backward_function(tensor), _output_number(tensor))


def _output_number(node: core.Node) -> int:
    """``node``'s position among the outputs of the call that made it (0 for one-output ops and leaves): a piece of
    ``split``/``chunk``/``unbind`` (each a view of its own here) counts as torch's output of that call."""
    piece = node._multi_output_view
    if piece is not None and node.op is not None:
        base = node._view_base
        if base is None or base._multi_output_view is None:  # the piece itself, not a view of one
            return piece[1]
    op = node.op
    if op is None or op.outputs is None:
        return 0
    outputs = op.outputs(node)
    return next((index for index, output in enumerate(outputs) if output is node), 0)


def edge_target(item: Any) -> Any:
    """The graph node a :class:`GradientEdge` stands for; anything else as it is."""
    if isinstance(item, GradientEdge):
        function = item.node
        if not isinstance(function, core._BackwardFunction):
            raise TypeError(f"GradientEdge: node is a {type(function).__name__}, not a backward function (Node)")
        return function.node
    return item
