"""How a node stores its parents: without a tuple for the commonest nodes.

A graph node keeps its parents in two fields, so that the nodes of one- and two-input ops
(``x.relu()``, ``x * y``, ``x @ w``: nearly every node of a graph) carry no tuple, which would be
one more object to allocate and for Python's cyclic garbage collector to track and scan while
the graph lives:

* ``_inputs``: ``()`` for a leaf; the first parent for a node of one or two parents; the tuple of
  all of them for three or more;
* ``_second``: the second parent of a two-parent node, else None.

``Node.parents`` reads them back as one tuple in argument order; :func:`store_parents` writes them.
The backward walk and loop read the fields directly (:mod:`autograd.backprop`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only
    from .core import Node

__all__ = ["cut_at", "store_parents"]


def store_parents(node: Any, parents: tuple[Node, ...]) -> None:
    """Give ``node`` the parents ``parents`` (a tuple, in argument order)."""
    count = len(parents)
    if count == 1:
        node._inputs = parents[0]
        node._second = None
    elif count == 2:
        node._inputs, node._second = parents
    else:
        node._inputs = parents
        node._second = None


@contextlib.contextmanager
def cut_at(nodes: list[Node]) -> Iterator[None]:
    """While the block runs: ``nodes`` as leaves without hooks (their op, parents, tensor hooks and post-accumulate
    hooks put back after), so a backward pass run inside (a checkpoint's second run, whose inputs they are: the
    parameters and the tensors its block closes over) stops at them, leaving their history (its saved values) and
    their hooks to the outer pass, which gives each its whole gradient once, as torch's non-reentrant checkpoint."""
    nodes = list({id(node): node for node in nodes}.values())  # (each once: a second entry would keep the cut)
    kept = [(node, node.op, node.parents, node._hooks, node._post_accumulate_grad_hooks) for node in nodes]
    for node in nodes:
        node.op, node._hooks, node._post_accumulate_grad_hooks = None, None, None
        store_parents(node, ())
    try:
        yield
    finally:
        for node, op, parents, hooks, post_hooks in kept:
            node.op, node._hooks, node._post_accumulate_grad_hooks = op, hooks, post_hooks
            store_parents(node, parents)
