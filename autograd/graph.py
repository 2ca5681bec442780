"""torch.autograd.graph's names, also importable as ``autograd.autograd.graph`` (so ``import autograd as torch``
ports ``torch.autograd.graph.register_multi_grad_hook(...)``):

* :func:`register_multi_grad_hook`: one hook over the gradients of several nodes, in each backward pass;
* :class:`Node` (the type of every ``grad_fn``), :class:`GradientEdge` and :func:`get_gradient_edge`, which
  ``autograd.grad`` and ``autograd.backward`` take in place of a node;
* :class:`saved_tensors_hooks`, :class:`save_on_cpu` and :func:`disable_saved_tensors_hooks`: hooks on what a custom
  Function saves with ``ctx.save_for_backward`` (not on the library's own ops, which save nothing apart from the
  graph: see :mod:`autograd.saved_tensors_hooks`);
* :func:`increment_version`: count an in-place change made behind the library's back.
"""

from __future__ import annotations

from .graph_nodes import GradientEdge, Node, get_gradient_edge
from .multi_grad_hooks import register_multi_grad_hook
from .saved_tensors_hooks import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks
from .versions import increment_version

__all__ = [
    "GradientEdge",
    "Node",
    "disable_saved_tensors_hooks",
    "get_gradient_edge",
    "increment_version",
    "register_multi_grad_hook",
    "save_on_cpu",
    "saved_tensors_hooks",
]
