"""Every Value op against an independent reference: its formula written with ``math``.

For each op the engine's forward value must equal the reference formula, and the
engine's gradient must equal the central difference (float64) of the reference
formula. Domains keep a margin from singular points (0 for log, sqrt, abs, relu,
step, the kinks of leaky_relu/elu/clip) instead of loosening tolerances.
"""

import math

import pytest
from hypothesis import given

from autograd import Value
from autograd.testing import floats


def softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


UNARY = {
    # name: (engine call, reference formula, domain)
    "neg": (lambda v: -v, lambda x: -x, floats(-5, 5)),
    "exp": (lambda v: v.exp(), math.exp, floats(-5, 5)),
    "log": (lambda v: v.log(), math.log, floats(0.1, 10)),
    "sqrt": (lambda v: v.sqrt(), math.sqrt, floats(0.1, 10)),
    "abs": (lambda v: v.abs(), abs, floats(-5, 5, away_from=[0.0])),
    "sin": (lambda v: v.sin(), math.sin, floats(-5, 5)),
    "cos": (lambda v: v.cos(), math.cos, floats(-5, 5)),
    "tanh": (lambda v: v.tanh(), math.tanh, floats(-5, 5)),
    "sigmoid": (lambda v: v.sigmoid(), sigmoid, floats(-8, 8)),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0), floats(-5, 5, away_from=[0.0])),
    "leaky_relu": (
        lambda v: v.leaky_relu(0.1),
        lambda x: x if x > 0 else 0.1 * x,
        floats(-5, 5, away_from=[0.0]),
    ),
    "elu": (
        lambda v: v.elu(0.7),
        lambda x: x if x > 0 else 0.7 * (math.exp(x) - 1),
        floats(-5, 5, away_from=[0.0]),
    ),
    "softplus": (lambda v: v.softplus(), softplus, floats(-8, 8)),
    "swish": (lambda v: v.swish(1.7), lambda x: x * sigmoid(1.7 * x), floats(-5, 5)),
    "silu": (lambda v: v.silu(), lambda x: x * sigmoid(x), floats(-5, 5)),
    "mish": (lambda v: v.mish(), lambda x: x * math.tanh(softplus(x)), floats(-5, 5)),
    "step": (lambda v: v.step(), lambda x: 1.0 if x > 0 else 0.0, floats(-5, 5, away_from=[0.0])),
    "clip": (
        lambda v: v.clip(-1.0, 2.0),
        lambda x: min(max(x, -1.0), 2.0),
        floats(-5, 5, away_from=[-1.0, 2.0]),
    ),
    "square": (lambda v: v**2, lambda x: x**2, floats(-5, 5)),
    "cube_root_power": (lambda v: v ** (1 / 3), lambda x: x ** (1 / 3), floats(0.1, 10)),
    "reciprocal": (lambda v: 1 / v, lambda x: 1 / x, floats(0.2, 5)),
    "exp2": (lambda v: 2**v, lambda x: 2.0**x, floats(-5, 5)),
}

BINARY = {
    "add": (lambda a, b: a + b, lambda x, y: x + y, floats(-5, 5), floats(-5, 5)),
    "sub": (lambda a, b: a - b, lambda x, y: x - y, floats(-5, 5), floats(-5, 5)),
    "mul": (lambda a, b: a * b, lambda x, y: x * y, floats(-5, 5), floats(-5, 5)),
    "div": (lambda a, b: a / b, lambda x, y: x / y, floats(-5, 5), floats(0.2, 5)),
    "pow": (lambda a, b: a**b, lambda x, y: x**y, floats(0.2, 4), floats(-2, 2)),
}

H = 1e-6


def central_difference(f, x):
    return (f(x + H) - f(x - H)) / (2 * H)


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_matches_reference_value_and_derivative(name):
    engine, reference, domain = UNARY[name]

    @given(domain)
    def check(x):
        v = Value(x)
        out = engine(v)
        out.backward()
        assert close(out.data, reference(x)), (name, x, out.data, reference(x))
        assert close(v.grad, central_difference(reference, x)), (name, x, v.grad)

    check()


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_matches_reference_partial_derivatives(name):
    engine, reference, left, right = BINARY[name]

    @given(left, right)
    def check(x, y):
        a, b = Value(x), Value(y)
        out = engine(a, b)
        out.backward()
        assert close(out.data, reference(x, y))
        assert close(a.grad, central_difference(lambda t: reference(t, y), x)), (name, x, y, a.grad)
        assert close(b.grad, central_difference(lambda t: reference(x, t), y)), (name, x, y, b.grad)

    check()


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_with_a_plain_number_on_either_side(name):
    engine, reference, *_ = BINARY[name]
    x, y = 1.5, 0.75
    a = Value(x)
    left = engine(a, y)
    left.backward()
    assert close(left.data, reference(x, y))
    assert close(a.grad, central_difference(lambda t: reference(t, y), x))
    b = Value(y)
    right = engine(x, b)
    right.backward()
    assert close(right.data, reference(x, y))
    assert close(b.grad, central_difference(lambda t: reference(x, t), y))


def test_every_op_of_a_composite_expression_contributes():
    """A neuron-like expression using many ops at once, against the reference formula."""

    def reference(w, x):
        return math.tanh(w * x + 0.5) ** 2 + math.exp(-abs(w)) * sigmoid(x) - math.log(1 + x * x)

    w0, x0 = 0.8, -1.3
    w, x = Value(w0), Value(x0)
    out = (w * x + 0.5).tanh() ** 2 + (-w.abs()).exp() * x.sigmoid() - (1 + x * x).log()
    out.backward()
    assert close(out.data, reference(w0, x0))
    assert close(w.grad, central_difference(lambda t: reference(t, x0), w0))
    assert close(x.grad, central_difference(lambda t: reference(w0, t), x0))
