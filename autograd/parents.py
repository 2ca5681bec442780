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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only
    from .core import Node

__all__ = ["store_parents"]


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
