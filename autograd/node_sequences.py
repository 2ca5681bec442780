"""Lists and tuples that hold graph nodes, where an op reads its operand with numpy: numpy reads the nodes as
constants (``t + [a, b]``, ``t[0] = [a, b]``, ``layer([h])``), which would lose their gradients without a word, so
such an operand is refused while gradients are recorded, as torch refuses a list there."""

from __future__ import annotations

from typing import Any

from .core import Node
from .grad_mode import _mode

__all__ = ["holds_node_requiring_grad", "refuse_nodes_in_sequence"]


def refuse_nodes_in_sequence(x: list | tuple, op: str, kind: type = Node) -> None:
    """Raise a TypeError naming ``op`` when the list or tuple ``x`` holds, at any depth, a node (of ``kind``) that
    requires grad while gradients are recorded: numpy reads it as constants (``t + [a, b]``, ``t[0] = [a, b]``,
    ``layer([h])``), which would lose the nodes' gradients without a word; torch refuses a list there. ``kind`` is
    any node by default; ``nn``'s inputs pass ``Tensor``: a list of Values gets its own message there, which names
    the scalar engine's fix."""
    if _mode.enabled and holds_node_requiring_grad(x, kind):
        raise TypeError(
            f"{op}: a {type(x).__name__} holding Tensors that require grad would be read as constants, losing their "
            "gradient; join them into one Tensor first (autograd.stack)"
        )


def holds_node_requiring_grad(x: Any, kind: type = Node) -> bool:
    """Whether ``x`` is a node (of ``kind``, any node by default) that requires grad, or a list or tuple holding one
    at any depth of lists and tuples (an explicit stack: any nesting depth works at the default recursion limit)."""
    if isinstance(x, kind):
        return x._requires_grad
    if not isinstance(x, (list, tuple)):
        return False
    stack = [x]
    while stack:
        for item in stack.pop():
            if isinstance(item, kind):
                if item._requires_grad:
                    return True
            elif isinstance(item, (list, tuple)):
                stack.append(item)
    return False
