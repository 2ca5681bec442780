"""What an op computes in its forward pass only for its derivative (conv2d's im2col matrix, the fused cross-entropy's
softmax, exact GELU's normal cdf, SiLU's sigmoid, the logistic loss's slope) is released by a backward pass that
frees the graph, as torch frees saved tensors: a graph kept after backward (the last step's loss, alive while the
next forward runs) no longer holds it. retain_graph=True keeps it; gradients computed again through a freed graph
(the library's pictures after backward) rebuild it from the inputs."""

import gc
import tracemalloc

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, Value, backward_steps
from autograd.backprop import backward_order, saved_values_kept

RNG = np.random.default_rng(7)
LABELS = np.array([2, 0, 1, 2])


def _programs():
    """(op name, the released entry, x's shape, loss(x)) for each op that releases a value."""
    weight = Tensor(RNG.standard_normal((3, 2, 3, 3)), requires_grad=True)  # (cols are kept for its gradient)
    target = Tensor(RNG.uniform(0, 1, (4, 3)))
    return [
        ("conv2d", "cols", (2, 2, 5, 5), lambda x: F.conv2d(x, weight, padding=1).tanh().sum()),
        ("softmax_cross_entropy", "probabilities", (4, 3), lambda x: F.cross_entropy(x, LABELS)),
        ("gelu_exact", "cdf", (4, 3), lambda x: (F.gelu(x) * x).sum()),
        ("silu", "sigmoid", (4, 3), lambda x: (F.silu(x) * x).sum()),
        ("logistic_loss", "slope", (4, 3), lambda x: F.binary_cross_entropy_with_logits(x, target)),
    ]


PROGRAMS = _programs()


def central_differences(function, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d function / d x by central differences in float64, entry by entry."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        gradient[index] = (function(x + step) - function(x - step)) / (2 * h)
    return gradient


def _node_of(loss: Tensor, op_name: str):
    (node,) = [node for node in backward_order([loss]) if node.op is not None and node.op.name == op_name]
    return node


@pytest.mark.parametrize("op_name, entry, shape, loss_of", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_a_freeing_pass_releases_it_and_gradients_through_the_freed_graph_rebuild_it(op_name, entry, shape, loss_of):
    data = RNG.standard_normal(shape) * 2
    x = Tensor(data.copy(), requires_grad=True)
    loss = loss_of(x)
    node = _node_of(loss, op_name)
    assert node.attrs[entry] is not None  # kept for the pass
    loss.backward()
    assert node.attrs[entry] is None
    expected = central_differences(lambda a: float(loss_of(Tensor(a)).data), data)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-6, atol=1e-8)
    nodes = backward_order([loss])
    with saved_values_kept(nodes):  # as draw_graph(compute_grad=True) and backward_steps compute after backward
        (again,) = autograd.grad(loss, [x], retain_graph=True)
    np.testing.assert_allclose(again, x.grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("op_name, entry, shape, loss_of", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_retain_graph_keeps_it_for_the_next_pass(op_name, entry, shape, loss_of):
    x = Tensor(RNG.standard_normal(shape), requires_grad=True)
    loss = loss_of(x)
    loss.backward(retain_graph=True)
    first = x.grad.copy()
    assert _node_of(loss, op_name).attrs[entry] is not None
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * first, rtol=1e-12)


def test_a_graph_kept_after_backward_no_longer_holds_the_im2col_matrix():
    x = Tensor(RNG.standard_normal((8, 3, 32, 32)).astype(np.float32))
    weight = Tensor(RNG.standard_normal((4, 3, 5, 5)).astype(np.float32), requires_grad=True)
    gc.collect()
    tracemalloc.start()
    try:
        loss = F.conv2d(x, weight).sum()
        cols = _node_of(loss, "conv2d").attrs["cols"]
        cols_bytes = cols.nbytes
        del cols
        holding, _ = tracemalloc.get_traced_memory()
        loss.backward()
        weight.grad = None
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert cols_bytes > 1_000_000
    assert holding - after >= cols_bytes  # the loss, still alive, let the matrix go


def test_a_value_graph_of_silu_is_freed_and_pictured_after_backward():
    x = Value(0.7, label="x")
    f = x.silu() * x
    f.backward()
    sigmoid = 1 / (1 + np.exp(-0.7))
    expected = 2 * 0.7 * sigmoid + 0.7**2 * sigmoid * (1 - sigmoid)
    assert x.grad == pytest.approx(expected, rel=1e-12)
    assert len(backward_steps(f)) == len(backward_order([f]))


def test_it_is_released_as_soon_as_the_pass_has_run_its_node():
    x = Tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    h = x * 1.5
    loss = F.cross_entropy(h, LABELS)
    node = _node_of(loss, "softmax_cross_entropy")
    seen = []
    h.register_hook(lambda grad: seen.append(node.attrs["probabilities"] is None))  # runs on h, after that node
    loss.backward()
    assert seen == [True]


def test_a_pass_into_chosen_inputs_releases_once_it_is_done():
    x = Tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    loss = F.cross_entropy(x * 1.5, LABELS)
    (gradient,) = autograd.grad(loss, [x])
    assert _node_of(loss, "softmax_cross_entropy").attrs["probabilities"] is None
    expected = central_differences(lambda a: float(F.cross_entropy(Tensor(a) * 1.5, LABELS).data), x.data.copy())
    np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-8)
