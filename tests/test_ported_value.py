"""micrograd's engine tests and more on ``Value``, against torch's float64 scalars (see
tests/torch_oracle.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


# -- Value: micrograd's engine tests (sanity_check, more_ops) against torch's scalars ----------------------
def _micrograd_sanity(x: Any) -> Any:
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _micrograd_more_ops(a: Any, b: Any) -> Any:
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def check_value_like_torch(function: Callable[..., Any], *inputs: float) -> None:
    """``function`` of Values against the same of 0-d float64 torch tensors: the value and every gradient."""
    values = [ag.Value(x) for x in inputs]
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out, expected = function(*values), function(*tensors)
    out.backward()
    expected.backward()
    np.testing.assert_allclose(out.data, expected.item(), rtol=1e-12, atol=1e-12)
    for value, tensor in zip(values, tensors):
        want = 0.0 if tensor.grad is None else tensor.grad.item()
        np.testing.assert_allclose(value.grad, want, rtol=1e-12, atol=1e-12)


def test_value_passes_micrograd_sanity_check():
    check_value_like_torch(_micrograd_sanity, -4.0)


def test_value_passes_micrograd_more_ops():
    check_value_like_torch(_micrograd_more_ops, -4.0, 2.0)


@pytest.mark.parametrize("name", ["tanh", "exp"])
@pytest.mark.parametrize("x", [-1.0, 0.123, 2.0])
def test_value_passes_micrograd_unary_tensor_fns(name, x):
    # test_unary_tensor_fns of micrograd's test_engine.py: Value.tanh / Value.exp against torch.Tensor's
    check_value_like_torch(lambda v: getattr(v, name)(), x)


VALUE_OPS = {
    "2 + a": lambda a, b: 2 + a,
    "2 - a": lambda a, b: 2 - a,
    "3 * a": lambda a, b: 3 * a,
    "3 / a": lambda a, b: 3 / a,
    "2 ** a": lambda a, b: 2**a,
    "2.5 ** b": lambda a, b: 2.5**b,
    "a ** 3": lambda a, b: a**3,
    "b ** 2.5": lambda a, b: b**2.5,
    "a ** -2": lambda a, b: a**-2,
    "a ** 0": lambda a, b: a**0,
    "b ** b": lambda a, b: b**b,
    "(-a) ** b": lambda a, b: (-a) ** b,
    "a / b": lambda a, b: a / b,
    "a - a": lambda a, b: a - a,
    "a / a": lambda a, b: a / a,
    "a * a": lambda a, b: a * a,
    "relu of a negative": lambda a, b: a.relu(),
    "relu of a positive": lambda a, b: b.relu(),
    "tanh": lambda a, b: b.tanh(),
    "exp": lambda a, b: b.exp(),
    "log": lambda a, b: b.log(),
    "sigmoid": lambda a, b: b.sigmoid(),
    "abs": lambda a, b: a.abs(),
    "sqrt": lambda a, b: b.sqrt(),
    "sin": lambda a, b: b.sin(),
    "cos": lambda a, b: b.cos(),
    "0 ** b": lambda a, b: 0**b,
    "(a * b).tanh() * a": lambda a, b: (a * b).tanh() * a,
}


@pytest.mark.parametrize("name", VALUE_OPS)
def test_value_op_matches_torch(name):
    check_value_like_torch(VALUE_OPS[name], -4.0, 2.0)


@pytest.mark.parametrize(
    ("function", "x"),
    [
        (lambda a: a.relu(), 0.0),
        (lambda a: a.abs(), 0.0),
        (lambda a: a**2, 0.0),
        (lambda a: a**0, 0.0),
        (lambda a: 0.0**a, 0.0),
        (lambda a: a.tanh(), 1000.0),
        (lambda a: a.sigmoid(), -1000.0),
        (lambda a: 2**a, -3.0),
    ],
)
def test_value_at_edge_points_matches_torch(function, x):
    check_value_like_torch(function, x)


def test_value_backward_twice_accumulates_as_torch_with_retain_graph():
    x = ag.Value(3.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    t = torch.tensor(3.0, requires_grad=True)
    s = t * t
    s.backward(retain_graph=True)
    s.backward()
    assert x.grad == t.grad.item() == 12.0


def test_value_grad_defaults_to_zero_and_numbers_mix_on_both_sides():
    x = ag.Value(2)
    assert x.grad == 0.0 and isinstance(x.data, float)
    assert (np.float64(2.0) + x).data == 4.0 and (x * np.float32(1.5)).data == 3.0
    assert sum([ag.Value(1.0), ag.Value(2.0)]).data == 3.0


def test_value_floor_division_is_pythons():
    for a, b in [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0)]:
        assert (ag.Value(a) // b).data == a // b
        assert (a // ag.Value(b)).data == a // b


def test_value_exposes_micrograds_prev_and_op_for_graph_walks():
    a, b, c = ag.Value(2.0), ag.Value(-3.0), ag.Value(10.0)
    out = (a * b + c).relu() ** 2
    nodes, edges, stack = set(), set(), [out]
    while stack:  # micrograd's trace(): every node and (child, parent) edge reached through _prev
        node = stack.pop()
        if node not in nodes:
            nodes.add(node)
            edges.update((child, node) for child in node._prev)
            stack.extend(node._prev)
    assert len(nodes) == 7 and len(edges) == 6
    assert sorted(node._op for node in nodes) == sorted(["", "", "", "*", "+", "ReLU", "**2"])
    assert out._prev == {out.parents[0]} and isinstance(out._prev, set)


@pytest.mark.parametrize(
    "call",
    [lambda: ag.Value(10**400), lambda: ag.Value(1.0) + 10**400, lambda: 10**400 * ag.Value(1.0)],
)
def test_value_of_an_int_beyond_float64_is_a_value_error(call):
    with pytest.raises(ValueError, match=r"Value(\(data\))?: the int of 1329 bits is too large for a float"):
        call()


def test_pow_base_gradient_multiplies_as_torch_where_the_slope_overflows():
    """d/dx x**y at a subnormal x: y * x**(y-1) overflows to inf while g * y underflows to 0, so the order of the
    products decides between torch's inf and nan; torch forms g * (y * x**(y-1))."""
    x = 5e-324
    for function in (lambda v: (v**v) * 0.5, lambda v: -((v**v).tanh())):
        value = ag.Value(x)
        function(value).backward()
        array = ag.tensor([x], dtype="float64", requires_grad=True)
        function(array).sum().backward()
        expected = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        function(expected).backward()
        assert value.grad == expected.grad.item() and math.isinf(value.grad)
        assert array.grad[0] == expected.grad.item()


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda v: v.clamp(min=0.0), lambda t: t.clamp(min=0.0)),
        (lambda v: v.clamp(max=0.5), lambda t: t.clamp(max=0.5)),
        (lambda v: v.clamp(-1.0, 0.5), lambda t: t.clamp(-1.0, 0.5)),
        (lambda v: v.clip(min=-1.0, max=0.5), lambda t: t.clip(min=-1.0, max=0.5)),
        (lambda v: (1 - 2.0 * v).clamp(min=0), lambda t: (1 - 2.0 * t).clamp(min=0)),  # a hinge loss
    ],
)
@pytest.mark.parametrize("x", [-4.0, -1.0, 0.25, 0.5, 2.0])
def test_value_clamp_and_clips_min_max_keywords_match_torch(ours, theirs, x):
    check_value_like_torch(ours, x)


def test_value_clip_refuses_a_bound_given_under_both_names():
    with pytest.raises(TypeError, match="got both low=0.0 and min=1.0"):
        ag.Value(2.0).clip(0.0, min=1.0)
