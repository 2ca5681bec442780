"""A floor for the engine's bookkeeping: the smallest reverse-mode engine that runs the benches' MLP step.

``TapeNode`` is a value with its parents and a closure that turns the node's gradient into its parents'
contributions; ``backward`` walks the graph from the loss with an explicit stack, orders the nodes by the
tick they were recorded at (latest first: children before parents) and sums each node's contributions in a
dict, storing the totals of the leaves in ``.grad``. Its ops are the users' path's nodes: ``linear``
(x @ W^T + b, with the ReLU fused when asked, as ``nn.Sequential`` runs a Linear and its ReLU) and the
mean softmax cross-entropy, with the numpy calls of :class:`numpy_floor.ContractFloorNet` (weights
(out, in), gradients that outlive the SGD update).

One backward pass per graph (a pass writes into what the forward saved, as torch frees it). It has none of
what the library's engine does besides: no hooks, version counters, retained or
create_graph gradients, views, releases, checks of shapes and dtypes, thread safety or all-or-nothing
stores. Its time over the contract floor's is what a graph of Python objects costs at least (a node per
op, a walk and a dict per backward pass); the users' path's time over it is what the engine's generality
costs. ``details.py --only tape`` times the three (see there).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy_floor import column_sums

_ticks = itertools.count(1)


class TapeNode:
    """A value in the graph: ``data``, the ``parents`` it was computed from, ``backward`` (the node's gradient
    -> one contribution per parent, None for a parent that needs none) and, for a leaf, ``grad``."""

    __slots__ = ("data", "grad", "parents", "backward", "tick", "requires_grad")

    def __init__(
        self,
        data: np.ndarray,
        parents: tuple[TapeNode, ...] = (),
        backward: Callable[[np.ndarray], tuple[Any, ...]] | None = None,
        requires_grad: bool = False,
    ) -> None:
        self.data, self.parents, self.backward, self.grad = data, parents, backward, None
        self.requires_grad = requires_grad or any(parent.requires_grad for parent in parents)
        self.tick = next(_ticks) if parents else 0


def linear(x: TapeNode, weight: TapeNode, bias: TapeNode, relu: bool) -> TapeNode:
    """relu?(x @ W^T + b): d/dx = g' @ W, d/dW = g'^T x, d/db = column sums of g', g' = g masked by the ReLU."""
    out = x.data @ weight.data.T
    out += bias.data
    if relu:
        np.maximum(out, 0, out=out)

    def backward(g: np.ndarray) -> tuple[Any, ...]:
        if relu:  # (in place: every gradient this engine hands a node is an array of its own)
            g *= out > 0
        return (g @ weight.data if x.requires_grad else None), g.T @ x.data, column_sums(g)

    return TapeNode(out, (x, weight, bias), backward)


def cross_entropy(logits: TapeNode, y: np.ndarray) -> TapeNode:
    """Mean of -log softmax(logits)[i, y_i]; d/dlogits = (softmax - onehot) / n, from the forward's softmax."""
    n = logits.data.shape[0]
    rows = np.arange(n)
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted)
    sums = probabilities.sum(axis=1, keepdims=True)
    loss = np.asarray((np.log(sums).sum() - shifted[rows, y].sum()) / n)
    probabilities /= sums

    def backward(g: np.ndarray) -> tuple[Any, ...]:  # (one backward pass per graph: the softmax becomes the gradient)
        delta = probabilities
        delta[rows, y] -= 1
        delta *= g / n
        return (delta,)

    return TapeNode(loss, (logits,), backward)


def backward(loss: TapeNode) -> None:
    """Add dloss/dleaf into every leaf's ``.grad`` (the chain rule over the nodes, children first)."""
    seen, stack, order = {loss}, [loss], []
    while stack:
        node = stack.pop()
        order.append(node)
        for parent in node.parents:
            if parent.requires_grad and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    order.sort(key=lambda node: node.tick, reverse=True)
    pending = {loss: np.ones_like(loss.data)}
    for node in order:
        grad = pending.pop(node)
        if node.backward is None:
            node.grad = grad if node.grad is None else node.grad + grad
            continue
        for parent, contribution in zip(node.parents, node.backward(grad)):
            if contribution is not None and parent.requires_grad:
                previous = pending.get(parent)
                pending[parent] = contribution if previous is None else previous + contribution


class TapeMLP:
    """The MLP of ``users_path`` on the tape: Linear layers (weights (out, in)), ReLU between them, mean
    softmax cross-entropy, SGD ``p -= lr * p.grad`` with ``.grad`` set to None before each step's backward."""

    def __init__(self, dense: list[tuple[np.ndarray, np.ndarray]], lr: float) -> None:
        self.layers = [
            (TapeNode(w.copy(), requires_grad=True), TapeNode(b.copy(), requires_grad=True)) for w, b in dense
        ]
        self.lr = np.float32(lr)

    def parameters(self) -> list[TapeNode]:
        return [p for layer in self.layers for p in layer]

    def loss(self, x: np.ndarray, y: np.ndarray) -> TapeNode:
        h = TapeNode(x)
        last = len(self.layers) - 1
        for i, (weight, bias) in enumerate(self.layers):
            h = linear(h, weight, bias, relu=i < last)
        return cross_entropy(h, y)

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """The loss and every parameter's gradient (weights (out, in), in ``parameters()`` order)."""
        for parameter in self.parameters():
            parameter.grad = None
        loss = self.loss(x, y)
        backward(loss)
        return float(loss.data), [parameter.grad for parameter in self.parameters()]

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One SGD step; returns the loss before it."""
        loss, grads = self.gradients(x, y)
        for parameter, grad in zip(self.parameters(), grads):
            parameter.data -= self.lr * grad
        return loss
