"""micrograd's lecture spellings: ``draw_dot`` and backprop by hand with ``_backward()``, node by node."""

import math

import pytest

from autograd import Value, backward_order, draw_dot, draw_graph


def _neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    out = (x1 * w1 + x2 * w2 + b).tanh()
    return out, (x1, x2, w1, w2, b)


def test_backward_by_hand_node_by_node_equals_backward():
    out, leaves = _neuron()
    out.grad = 1.0
    for node in backward_order([out]):  # children before parents, as the lecture's topological walk
        node._backward()
    by_hand = [leaf.grad for leaf in leaves]
    out, leaves = _neuron()
    out.backward()
    assert by_hand == pytest.approx([leaf.grad for leaf in leaves], rel=1e-15)
    assert by_hand == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5], rel=1e-12)  # the lecture's numbers


def test_each_backward_step_applies_the_local_derivative_only():
    a = Value(3.0)
    b = a + 1.0
    c = a * b  # a reaches c directly and through b
    c.grad = 2.0
    c._backward()
    assert (a.grad, b.grad) == (2.0 * 4.0, 2.0 * 3.0)  # local: dc/da = b, dc/db = a
    b._backward()
    assert a.grad == 2.0 * 4.0 + 2.0 * 3.0


@pytest.mark.parametrize(
    "build",
    [
        lambda x, y: (x**2 + 3 * y).relu() / (1 + x.exp()),
        lambda x, y: Value.linear([x, y], [y, x], 0.5).sigmoid() - Value.sum([x, y, 2.0]),
        lambda x, y: (x - y).abs() * (2**y) + x.log() * y.sin(),
    ],
)
def test_backward_by_hand_matches_backward_on_any_graph(build):
    def gradients(by_hand):
        x, y = Value(1.3), Value(-0.7)
        out = build(x, y)
        if by_hand:
            out.grad = 1.0
            for node in backward_order([out]):
                node._backward()
        else:
            out.backward()
        return x.grad, y.grad

    assert gradients(True) == pytest.approx(gradients(False), rel=1e-14)


def test_a_leaf_has_nothing_to_pass_on():
    x = Value(2.0)
    x.grad = 5.0
    x._backward()
    assert x.grad == 5.0


def test_draw_dot_is_draw_graph_with_micrographs_argument_order():
    pytest.importorskip("graphviz")
    out, _ = _neuron()
    out.backward()
    ours = draw_dot(out, format="png", rankdir="TB")
    assert ours.format == "png" and ours.graph_attr["rankdir"] == "TB"
    assert ours.source == draw_graph(out, rankdir="TB", format="png").source
    assert math.isclose(out.data, 0.7071067811865476, rel_tol=1e-12)
