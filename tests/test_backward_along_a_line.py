"""Backward along a line of one-parent nodes (y = f_n(...f_1(x))): the gradient is carried from node to
node without the pending-gradient table, and everything the general pass does still happens on the way."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Tensor, Value, backward_order


def line_of_values(x: Value) -> list[Value]:
    """x -> x*1.5 -> +0.25 -> tanh -> exp -> -0.5 -> sin -> *-2.0 -> sigmoid: every intermediate, in order."""
    nodes = [x]
    for step in (
        lambda v: v * 1.5,
        lambda v: v + 0.25,
        lambda v: v.tanh(),
        lambda v: v.exp(),
        lambda v: 0.5 - v,
        lambda v: v.sin(),
        lambda v: -2.0 * v,
        lambda v: v.sigmoid(),
    ):
        nodes.append(step(nodes[-1]))
    return nodes


def line_of_floats(x: float) -> float:
    x = math.tanh(x * 1.5 + 0.25)
    x = -2.0 * math.sin(0.5 - math.exp(x))
    return 1 / (1 + math.exp(-x))


def central_difference(function, x: float, h: float = 1e-6) -> float:
    return (function(x + h) - function(x - h)) / (2 * h)


def test_the_gradient_along_a_line_of_values_matches_finite_differences():
    nodes = line_of_values(Value(0.3))
    nodes[-1].backward()
    assert nodes[0].grad == pytest.approx(central_difference(line_of_floats, 0.3), rel=1e-7)


def test_every_value_on_a_line_keeps_the_gradient_of_the_output_with_respect_to_it():
    nodes = line_of_values(Value(0.3))
    nodes[-1].backward()
    for k, node in enumerate(nodes[1:], start=1):

        def rest(v, k=k):  # the output as a function of node k, recomputed in plain floats from node k on
            value = Value(v)
            for step_node in nodes[k + 1 :]:
                value = _same_step(step_node, value)
            return value.data

        assert node.grad == pytest.approx(central_difference(rest, node.data), rel=1e-6, abs=1e-9), k


def _same_step(node: Value, value: Value) -> Value:
    """Apply to ``value`` the operation that made ``node`` (one of line_of_values' steps)."""
    name, number = node.op.name, node.attrs
    if name == "mul":
        return value * number
    if name == "add":
        return value + number
    if name == "sub":
        return number - value
    return getattr(value, name)()


def test_a_line_of_a_hundred_thousand_values_runs_at_the_default_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0001 + 0.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**100_000, rel=1e-9)
    assert y.grad == 1.0


def test_a_second_pass_along_a_line_overwrites_intermediate_gradients_and_adds_into_the_leaf():
    x = Value(2.0)
    h = x * 3.0
    out = h + 1.0
    out.backward(retain_graph=True)  # (x * 3.0 keeps its 3.0 for backward, as torch's: a second pass needs it)
    out.backward()
    assert (h.grad, x.grad) == (1.0, 6.0)


def test_a_pass_that_fails_past_a_line_restores_the_gradients_stored_along_it():
    x = Value(2.0)
    h = x * 3.0
    k = h.tanh()
    out = k * 2.0
    out.backward(retain_graph=True)  # (k * 5.0) below goes through the same tanh and h again
    before = (out.grad, k.grad, h.grad, x.grad)
    x.register_hook(lambda g: 1 / 0)  # the leaf ends the line: the general loop runs it, and it raises
    with pytest.raises(ZeroDivisionError):
        (k * 5.0).backward()
    assert (out.grad, k.grad, h.grad, x.grad) == before


def test_a_hook_in_the_middle_of_a_line_sees_and_changes_the_gradient_there():
    seen = []
    t = Tensor([0.5, -1.0], requires_grad=True)
    u = t * 2.0
    u.register_hook(lambda g: seen.append(g.copy()) or g * 10.0)
    u.exp().sum().backward()
    np.testing.assert_allclose(seen[0], np.exp([1.0, -2.0]))
    np.testing.assert_allclose(t.grad, 20.0 * np.exp([1.0, -2.0]))
    x = Value(0.5)
    h = x * 2.0
    h.register_hook(lambda g: g * 10.0)
    h.exp().backward()
    assert x.grad == pytest.approx(20.0 * math.exp(1.0))


def test_a_retained_tensor_gradient_on_a_line_is_its_own_array():
    t = Tensor([0.5, -1.0], requires_grad=True)
    u = t + 0.0  # the add rule passes the gradient on unchanged: u's and t's would be one array
    u.retain_grad()
    v = u * 1.0
    v.retain_grad()
    v.sum().backward()
    np.testing.assert_array_equal(u.grad, [1.0, 1.0])
    np.testing.assert_array_equal(t.grad, [1.0, 1.0])
    assert not np.shares_memory(u.grad, t.grad) and not np.shares_memory(u.grad, v.grad)
    t.grad[0] = 7.0
    assert u.grad[0] == 1.0 and v.grad[0] == 1.0
    w = Tensor([0.5, -1.0], requires_grad=True)
    column = w.reshape(2, 1).exp()
    column.retain_grad()
    seed = np.ones((2, 1))
    column.backward(seed)  # the line starts at the retaining node, with the caller's own array
    seed[0] = 99.0
    np.testing.assert_array_equal(column.grad, [[1.0], [1.0]])


def test_an_in_place_change_of_a_saved_input_on_a_line_is_still_caught():
    x = Tensor([0.5, 1.0], requires_grad=True)
    y = x * 2.0
    z = y.sin()  # sin's rule reads y
    loss = z.sum()
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_autograd_grad_of_a_node_in_the_middle_of_a_line():
    x = Value(0.7)
    h = x * 3.0
    out = (h + 1.0).tanh()
    (dh,) = autograd.grad(out, [h])
    assert float(dh) == pytest.approx(1 - math.tanh(3 * 0.7 + 1.0) ** 2)
    assert (x.grad, h.grad) == (0.0, 0.0)  # grad() stores nothing
    t = Tensor([0.5, 2.0], requires_grad=True)
    u = t.exp()
    (du,) = autograd.grad(u.log().sum(), [u])
    np.testing.assert_allclose(du, 1 / np.exp([0.5, 2.0]))


def test_a_line_that_ends_in_a_node_of_two_parents_reaches_both_of_them():
    x, w = Value(0.5), Value(-1.5)
    out = ((x * w) * 2.0 + 1.0).tanh()
    out.backward()
    slope = 1 - math.tanh(2 * 0.5 * -1.5 + 1.0) ** 2
    assert x.grad == pytest.approx(2 * -1.5 * slope)
    assert w.grad == pytest.approx(2 * 0.5 * slope)


def test_backward_order_of_a_line_then_a_diamond_is_children_first():
    x = Value(1.0)
    a = x * 2.0
    b = x * 3.0
    top = a * b  # the line (top, its chain) ends here: the rest is the general walk
    out = ((top + 1.0) * 2.0).exp()
    order = backward_order([out])
    assert len(order) == len(set(order)) == 7
    position = {node: k for k, node in enumerate(order)}
    for node in order:  # every node comes before all of its parents
        for parent in node.parents:
            assert position[node] < position[parent]
    assert order[-1] is x


# -- random lines of one-parent steps, with hooks and retained gradients, against finite differences --

LINE_STEPS = {  # (on a node, on a float): smooth everywhere, so central differences are accurate
    "scale": (lambda v: v * 0.75, lambda f: f * 0.75),
    "shift": (lambda v: v + 0.5, lambda f: f + 0.5),
    "flip": (lambda v: 1.5 - v, lambda f: 1.5 - f),
    "negate": (lambda v: -v, lambda f: -f),
    "tanh": (lambda v: v.tanh(), math.tanh),
    "sin": (lambda v: v.sin(), math.sin),
    "sigmoid": (lambda v: v.sigmoid(), lambda f: 1 / (1 + math.exp(-f))),
    "softplus": (lambda v: v.softplus(), lambda f: math.log1p(math.exp(f))),
}


def _floats_through(names: list[str], start: float) -> list[float]:
    """The value at every node of the line from ``start``: [x, step_1(x), step_2(step_1(x)), ...]."""
    values = [start]
    for name in names:
        values.append(LINE_STEPS[name][1](values[-1]))
    return values


def _gradient_at(names: list[str], position: int, at: float, h: float = 1e-6) -> float:
    """d output / d node ``position`` by central differences, the steps after it in plain floats."""
    rest = names[position:]
    return (_floats_through(rest, at + h)[-1] - _floats_through(rest, at - h)[-1]) / (2 * h)


@given(
    names=st.lists(st.sampled_from(sorted(LINE_STEPS)), min_size=1, max_size=12),
    start=st.floats(-2.0, 2.0),
    hooked=st.sets(st.integers(0, 12), max_size=3),
    retained=st.sets(st.integers(1, 12), max_size=4),
    tensor=st.booleans(),
)
def test_random_lines_with_hooks_and_retained_gradients_match_finite_differences(
    names, start, hooked, retained, tensor
):
    x = Tensor([start], requires_grad=True) if tensor else Value(start)
    nodes = [x]
    for name in names:
        nodes.append(LINE_STEPS[name][0](nodes[-1]))
    hooked = {k for k in hooked if k < len(nodes)}
    for k in hooked:  # a hook doubles the gradient leaving node k
        nodes[k].register_hook(lambda g: g * 2.0)
    for k in retained:
        if k < len(nodes):
            nodes[k].retain_grad()
    root = nodes[-1].sum() if tensor else nodes[-1]
    root.backward()
    values = _floats_through(names, start)
    doublings = sum(1 for k in hooked)
    assert float(np.asarray(x.grad).reshape(())) == pytest.approx(
        _gradient_at(names, 0, values[0]) * 2.0**doublings, rel=1e-5, abs=1e-8
    )
    for k in retained:  # a retained gradient: the one reaching node k, its own hooks applied first
        if k < len(nodes) and k != len(nodes) - 1:
            later_hooks = sum(1 for j in hooked if j > k)
            own_hook = 1 if k in hooked else 0
            expected = _gradient_at(names, k, values[k]) * 2.0 ** (later_hooks + own_hook)
            assert float(np.asarray(nodes[k].grad).reshape(())) == pytest.approx(expected, rel=1e-5, abs=1e-8)


def test_a_rule_that_raises_on_plain_floats_along_a_line_gives_the_ieee_value():
    # sqrt's slope 1 / (2 sqrt 0) and (2 / x)'s -2 / x^2 at 0 raise ZeroDivisionError on floats; numpy gives inf
    x = Value(0.0)
    (x.sqrt() * 3.0).backward()
    assert x.grad == math.inf
    y = Value(0.0)
    ((2.0 / y) * 1.0).backward()  # the number first: the rule takes it in the first input's place
    assert y.grad == -math.inf
