"""The scalar Value: lecture examples, operators, IEEE edge cases, repr."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
from autograd import Tensor, Value, grad, gradcheck
from autograd.testing import floats


def test_lecture_example_2x_plus_y_times_z():
    x, y, z = Value(10.0), Value(-2.0), Value(-4.0)
    f = (2 * x + y) * z
    f.backward()
    assert (x.grad, y.grad, z.grad) == (-8.0, -4.0, 18.0)


def test_lecture_sigmoid_neuron():
    w0, x0, w1, x1, w2 = (Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    assert round(f.data, 2) == 0.73
    grads = [round(v.grad, 2) for v in (w0, x0, w1, x1, w2)]
    assert grads == [-0.20, 0.39, -0.39, -0.59, 0.20]


def test_numbers_mix_on_either_side():
    x = Value(3.0)
    results = [x + 1, 1 + x, x - 1, 1 - x, x * 2, 2 * x, x / 2, 6 / x, x**2, 2**x, -x]
    assert [r.data for r in results] == [4.0, 4.0, 2.0, -2.0, 6.0, 6.0, 1.5, 2.0, 9.0, 8.0, -3.0]


@given(floats(0.2, 3.0), floats(-2.0, 2.0))
def test_power_with_value_exponent_differentiates_both_sides(base, exponent):
    assert gradcheck(lambda b, e: b**e, [base, exponent])
    assert gradcheck(lambda e: 2**e, [exponent])


def test_exponent_gradient_at_zero_base_is_zero_not_nan():
    base, exponent = Value(0.0), Value(2.0)
    (base**exponent).backward()
    assert exponent.grad == 0.0
    assert base.grad == 0.0


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (lambda: Value(1.0) / 0, math.inf),
        (lambda: Value(-1.0) / 0, -math.inf),
        (lambda: Value(0.0).log(), -math.inf),
        (lambda: Value(0.0) ** -1, math.inf),
        (lambda: Value(1e4).exp(), math.inf),
        (lambda: Value(10.0) ** 400, math.inf),
    ],
)
def test_ieee_infinities_instead_of_exceptions(expression, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert expression().data == expected


@pytest.mark.parametrize(
    "expression",
    [lambda: Value(0.0) / 0, lambda: Value(-1.0).log(), lambda: Value(-8.0) ** 0.5, lambda: Value(-1.0).sqrt()],
)
def test_ieee_nan_instead_of_exceptions(expression):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(expression().data)


def test_gradient_through_division_by_zero_is_ieee():
    x = Value(0.0)
    (1 / x).backward()
    assert x.grad == -math.inf
    y = Value(0.0)
    y.log().backward()
    assert y.grad == math.inf


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "exp", "softplus", "swish", "mish", "elu"])
@pytest.mark.parametrize("x", [1e4, -1e4])
def test_activations_at_extremes_warn_nothing_and_give_no_nan(name, x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
    assert not math.isnan(out.data)
    assert not math.isnan(v.grad)


@pytest.mark.parametrize(
    ("name", "x", "value", "grad"),
    [
        ("relu", 2.0, 2.0, 1.0),
        ("relu", -2.0, 0.0, 0.0),
        ("relu", 0.0, 0.0, 0.0),
        ("step", 2.0, 1.0, 0.0),
        ("step", -2.0, 0.0, 0.0),
        ("abs", -3.0, 3.0, -1.0),
        ("abs", 0.0, 0.0, 0.0),
    ],
)
def test_piecewise_ops_values_and_gradients(name, x, value, grad):
    v = Value(x)
    out = getattr(v, name)()
    out.backward()
    assert (out.data, v.grad) == (value, grad)


def test_leaky_relu_and_elu_use_alpha_on_the_negative_side():
    v = Value(-2.0)
    v.leaky_relu(0.1).backward()
    assert v.grad == pytest.approx(0.1)
    w = Value(-2.0)
    out = w.elu(0.5)
    out.backward()
    assert out.data == pytest.approx(0.5 * (math.exp(-2.0) - 1))
    assert w.grad == pytest.approx(0.5 * math.exp(-2.0))


def test_swish_with_beta_one_is_silu():
    a, b = Value(0.7), Value(0.7)
    sa, sb = a.swish(1.0), b.silu()
    sa.backward()
    sb.backward()
    assert sa.data == sb.data and a.grad == b.grad


@pytest.mark.parametrize("beta", [1.0, 2.0, 0.0])
def test_swish_with_a_value_beta_passes_beta_its_gradient_even_at_one(beta):
    # a learnable beta starts at 1 (Ramachandran et al.): at 1 it must still get d/dbeta = x^2 s (1 - s), or it never moves
    x, b = Value(1.5), Value(beta)
    out = x.swish(b)
    out.backward()

    def swish(x_value, beta_value):
        return x_value / (1 + math.exp(-beta_value * x_value))

    h = 1e-6
    assert out.data == pytest.approx(swish(1.5, beta), rel=1e-15)
    assert x.grad == pytest.approx((swish(1.5 + h, beta) - swish(1.5 - h, beta)) / (2 * h), rel=1e-8)
    assert b.grad == pytest.approx((swish(1.5, beta + h) - swish(1.5, beta - h)) / (2 * h), rel=1e-8)


def test_max_gate_sends_gradient_to_larger_input():
    x, y = Value(2.0), Value(5.0)
    x.max(y).backward()
    assert (x.grad, y.grad) == (0.0, 1.0)
    x, y = Value(2.0), Value(5.0)
    x.min(y).backward()
    assert (x.grad, y.grad) == (1.0, 0.0)


def test_max_gate_tie_splits_gradient_evenly():
    x, y = Value(3.0), Value(3.0)
    x.max(y).backward()
    assert (x.grad, y.grad) == (0.5, 0.5)


@given(floats(-3, 3, away_from=[0.0]), floats(-3, 3))
def test_max_and_min_match_finite_differences_away_from_ties(a, b):
    if abs(a - b) < 0.05:
        b = a + 0.5
    assert gradcheck(lambda x, y: x.max(y) * 2 + x.min(y), [a, b])


def test_max_and_min_of_another_are_maximum_and_minimum():
    x, y = Value(2.0), Value(5.0)
    assert x.maximum(y).grad_fn.name == "maximum" and x.minimum(y).grad_fn.name == "minimum"
    assert x.max(y).grad_fn.name == "maximum" and x.min(y).grad_fn.name == "minimum"
    assert (x.max(0).data, Value.max(x, 7).data, x.min(other=y).data, Value(-1.0).max(0).data) == (2.0, 7.0, 2.0, 0.0)


def test_sum_max_and_min_of_one_value_reduce_it_as_torch_and_numpy_do():
    # torch's t.sum() / t.max() / t.min() of a 0-d tensor, which numpy's np.sum(v) / np.max(v) / np.min(v) call as
    # v.sum(axis=None, out=None): v's number as a new node, d/dv = 1 (v.sum() was a TypeError, "missing argument")
    torch = pytest.importorskip("torch")
    for reduce in (
        lambda v: v.sum(),
        lambda v: v.sum(0),
        lambda v: v.sum(dim=-1, keepdim=True),
        lambda v: v.sum(()),
        lambda v: v.sum(dtype=np.float64),
        np.sum,
        lambda v: np.sum(v, axis=0, keepdims=True),
        lambda v: v.max(),
        lambda v: v.min(),
        np.max,
        np.min,
        np.amax,
        np.amin,
    ):
        x = Value(-1.5)
        out = reduce(x)
        assert isinstance(out, Value) and out is not x and out.data == -1.5
        (out * 3).backward()
        assert x.grad == 3.0
    t = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)
    (t.sum() * 3 + t.max() + t.min()).backward()
    assert t.grad.item() == 5.0
    x = Value(-1.5)
    (x.sum() * 3 + x.max() + x.min()).backward()
    assert x.grad == 5.0
    assert Value.sum([x, 1.0, x]).data == -2.0  # the n-ary sum of the class stays


def test_sum_of_one_value_refuses_what_torch_and_numpy_refuse():
    x = Value(2.0)
    with pytest.raises(IndexError, match="out of bounds"):  # torch's IndexError, numpy's AxisError
        x.sum(1)
    with pytest.raises(IndexError, match="out of bounds"):
        np.max(x, axis=2)
    with pytest.raises(TypeError, match=r"Value.sum\(values\)"):  # not the sum of the list, v left out
        x.sum([x, 1.0])
    with pytest.raises(TypeError, match="float64"):
        x.sum(dtype=np.float32)
    with pytest.raises(TypeError, match="out="):
        np.sum(x, out=np.zeros(()))


@pytest.mark.parametrize(
    "a, b", [(2.0, 5.0), (5.0, 2.0), (3.0, 3.0), (math.nan, 1.0), (1.0, math.nan), (-math.inf, 0.0)]
)
def test_maximum_and_minimum_values_follow_numpy_including_nan(a, b):
    np.testing.assert_array_equal(Value(a).maximum(b).data, np.maximum(a, b))
    np.testing.assert_array_equal(Value(a).minimum(b).data, np.minimum(a, b))


def test_comparisons_return_plain_bools():
    x, y = Value(1.0), Value(2.0)
    results = [x < y, x <= y, x > y, x >= y, x == 1.0, x == y, x < 3]
    assert results == [True, True, False, False, True, False, True]
    assert all(type(r) is bool for r in results)


def test_values_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2


def test_constant_value_is_skipped_by_backward():
    x = Value(2.0)
    c = Value(3.0, requires_grad=False)
    (x * c).backward()
    assert c.grad == 0.0 and x.grad == 3.0


def test_requires_grad_can_only_change_on_leaves():
    x = Value(1.0)
    y = x * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    assert x.requires_grad_(False) is x and not x.requires_grad


def test_repr_shows_data_grad_and_label():
    v = Value(2.5, label="w")
    assert repr(v) == "Value(data=2.5, grad=0, label='w')"


def test_repr_prints_the_numbers_in_full_as_micrograds():
    # micrograd's __repr__ is f"Value(data={self.data}, grad={self.grad})", its grad starting at the integer 0
    a, b = Value(2.0), Value(-3.0)
    d = a * b + Value(10.0)
    assert repr(d) == "Value(data=4.0, grad=0)"
    d.backward()
    assert repr(a) == "Value(data=2.0, grad=-3.0)" and repr(d) == "Value(data=4.0, grad=1.0)"
    assert repr(Value(0.1) + Value(0.2)) == "Value(data=0.30000000000000004, grad=0)"
    assert repr(Value(1234567.0)) == "Value(data=1234567.0, grad=0)"


def test_constructor_rejects_non_numbers():
    with pytest.raises(TypeError, match="real number"):
        Value("abc")
    with pytest.raises(TypeError, match="graph node"):
        Value(Value(1.0))


def test_linear_node_matches_the_expanded_sum():
    ws = [Value(0.5), Value(-1.5)]
    xs = [Value(2.0), Value(3.0)]
    b = Value(0.25)
    out = Value.linear(ws, xs, b)
    out.backward()
    assert out.data == 0.5 * 2.0 - 1.5 * 3.0 + 0.25
    assert [w.grad for w in ws] == [2.0, 3.0]
    assert [x.grad for x in xs] == [0.5, -1.5]
    assert b.grad == 1.0


def test_linear_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        Value.linear([Value(1.0)] * 2, [1.0, 2.0, 3.0])


def test_sum_of_many_values_is_one_node():
    values = [Value(float(i)) for i in range(5)]
    total = Value.sum(values)
    total.backward()
    assert total.data == 10.0 and len(total.parents) == 5
    assert all(v.grad == 1.0 for v in values)


BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


@pytest.mark.parametrize("name", BINARY_OPS)
@pytest.mark.parametrize("number", [2.5, 3, np.float64(1.5), True])
def test_number_operand_is_kept_on_the_node_not_made_a_graph_node(name, number):
    x = Value(1.7)
    for out, constant_at in ((BINARY_OPS[name](x, number), 1), (BINARY_OPS[name](number, x), 0)):
        assert out.parents == (x,)
        assert out.op.name == name and out.op.constant_at == constant_at and out.attrs == float(number)
        assert type(out.attrs) is float


@pytest.mark.parametrize("name", BINARY_OPS)
@pytest.mark.parametrize("number", [0.7, -1.3, 2.0])
def test_number_operand_on_either_side_matches_finite_differences(name, number):
    op = BINARY_OPS[name]
    assert gradcheck(lambda x: op(x, number), [Value(1.9)])
    assert gradcheck(lambda x: op(abs(number), x), [Value(0.6)])


@pytest.mark.parametrize("name", BINARY_OPS)
def test_second_derivative_through_a_number_operand_matches_finite_differences(name):
    op = BINARY_OPS[name]

    def first_derivative(at: float, number_first: bool) -> float:
        x = Value(at)
        out = op(2.5, x * x) if number_first else op(x * x, 2.5)
        (gx,) = autograd_grad(out, [x], create_graph=True)
        gx.backward()
        return gx.data, x.grad

    for number_first in (False, True):
        at, h = 1.3, 1e-6
        _, second = first_derivative(at, number_first)
        numeric = (first_derivative(at + h, number_first)[0] - first_derivative(at - h, number_first)[0]) / (2 * h)
        assert second == pytest.approx(numeric, rel=1e-6)


def autograd_grad(out, inputs, **kwargs):
    from autograd import grad

    return grad(out, inputs, **kwargs)


def test_value_with_value_operand_keeps_both_parents():
    x, y = Value(2.0), Value(3.0)
    for out in (x * y, x - y, x.hypot(y), x.maximum(y)):
        assert out.parents == (x, y) and out.op.constant_at is None


def test_number_operand_of_numpy_functions_and_maximum_is_kept_on_the_node():
    x = Value(3.0)
    for out in (x.hypot(4.0), x.maximum(5.0), x.minimum(-1), x % 2.0):
        assert out.parents == (x,) and out.op.constant_at == 1
    assert x.hypot(4.0).data == 5.0 and x.maximum(5.0).data == 5.0 and x.minimum(-1).data == -1.0
    assert gradcheck(lambda v: v.hypot(4.0) + v.maximum(2.0) + v.minimum(10.0), [Value(3.0)])


def test_number_operands_reject_arrays_strings_and_tensors():
    from autograd import Tensor

    x = Value(1.0)
    for bad in ("2", np.ones(2), [1.0], Tensor([1.0])):
        with pytest.raises(TypeError):
            x * bad
        with pytest.raises(TypeError):
            x + bad


def test_linears_give_one_linear_node_per_row_equal_to_value_linear():
    inputs = [Value(0.5), 2.0, Value(-1.5)]
    rows = [[Value(0.1), Value(-0.2), Value(0.3)], [Value(1.0), 0.5, Value(2.0)]]
    biases = [Value(0.25), 1.0]
    outputs = Value.linears(rows, inputs, biases)
    for out, row, bias in zip(outputs, rows, biases):
        expected = Value.linear(row, inputs, bias)
        assert out.op.name == "linear" and len(out.parents) == 7
        assert out.data == pytest.approx(expected.data, rel=1e-15)
    assert gradcheck(
        lambda a, b, w: Value.sum(Value.linears([[w, 1.5, a], [b, w, -0.5]], [a, b, w], [w, 0.0])),
        [Value(0.3), Value(-0.7), Value(1.1)],
    )


def test_linears_reject_mismatched_lengths_and_non_numbers():
    with pytest.raises(ValueError, match="2 rows of weights but 1 biases"):
        Value.linears([[Value(1.0)], [Value(2.0)]], [1.0], [0.0])
    with pytest.raises(ValueError, match="1 weights but 2 inputs"):
        Value.linears([[Value(1.0)]], [1.0, 2.0], [0.0])
    with pytest.raises(TypeError):
        Value.linears([[Value(1.0)]], ["1"], [0.0])


@pytest.mark.parametrize("seed", [np.array([3.0]), np.array([3.0, 1.0]), [3.0]])
def test_a_seed_that_is_not_one_number_raises_naming_its_shape(seed):
    x = Value(2.0)
    with pytest.raises(ValueError, match=r"a Value's seed gradient is one number, got one of shape \("):
        (x * x).backward(seed)
    assert x.grad == 0.0


def test_a_number_seed_scales_the_gradient():
    x = Value(2.0)
    (x * x).backward(np.float64(3.0))
    (x * x).backward(Value(0.5))
    assert x.grad == 14.0


def test_a_scalar_output_refuses_a_shaped_seed_as_torch_does():
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (theirs * theirs).backward(torch.ones(1))
    with pytest.raises(ValueError, match=r"got one of shape \(1,\)"):
        (Value(2.0) * Value(2.0)).backward(np.ones(1))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "tanh", "sigmoid", "abs"])
def test_value_activation_of_nan_is_nan_as_in_numpy_and_torch(name):
    assert math.isnan(getattr(Value(math.nan), name)().data)
    assert math.isnan(getattr(Tensor(np.array([math.nan])), name)().data[0])


def test_value_seed_that_requires_grad_stays_in_the_gradient_graph():
    # d/dx (x*x) seeded with u is 2 x u: its derivative is 2x in u and 2u in x (as torch with a tensor seed)
    x, u = Value(3.0), Value(2.0)
    (gx,) = grad(x * x, [x], grad_outputs=[u], create_graph=True)
    assert gx.data == 12.0
    assert grad(gx, [u], retain_graph=True) == (6.0,)
    assert grad(gx, [x]) == (4.0,)


def _central_difference(f, leaves: list[Value], eps: float = 1e-6) -> list[float]:
    """d f() / d leaf for each leaf, by central differences on the leaves' float64 data."""
    slopes = []
    for leaf in leaves:
        original = leaf.data
        leaf.data = original + eps
        plus = f().data
        leaf.data = original - eps
        minus = f().data
        leaf.data = original
        slopes.append((plus - minus) / (2 * eps))
    return slopes


@given(
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    st.lists(st.sampled_from([0, 1, 2, "c"]), min_size=6, max_size=6),
)
def test_backward_through_linear_and_sum_nodes_matches_finite_differences(data, picks):
    # The plain pass adds the contributions of linear and sum nodes straight into the pending
    # gradients; a leaf may appear as a weight, an input and a bias at once, or among the
    # terms of a sum more than once, and constants sit among the parents.
    leaves = [Value(d) for d in data]

    def operand(pick):
        return 0.75 if pick == "c" else leaves[pick]

    def f():
        row_a = [operand(p) for p in picks[:3]]
        row_b = [operand(p) for p in picks[3:]]
        pre = Value.linears([row_a, row_b], [leaves[2], leaves[0], operand(picks[1])], [leaves[1], -0.5])
        hidden = [z.tanh() for z in pre]
        return Value.sum([hidden[0], hidden[1] * hidden[0], leaves[0], leaves[0], 2.0]) + Value.linear(
            hidden, hidden, leaves[2]
        )

    out = f()
    out.backward()
    expected = _central_difference(f, leaves)
    assert [leaf.grad for leaf in leaves] == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_linear_and_sum_keep_the_sign_of_a_zero_gradient():
    # IEEE products reach the (retained) gradients of intermediate inputs unchanged:
    # dL/dw = g x = -0.0 * 2.0 = -0.0, dL/dx = g w = -0.0 * -3.0 = +0.0, dL/db = g = -0.0
    w, x, b = Value(-3.0) * 1.0, Value(2.0) * 1.0, Value(1.0) * 1.0
    Value.linear([w], [x], b).backward(-0.0)
    assert [math.copysign(1.0, v.grad) for v in (w, x, b)] == [-1.0, 1.0, -1.0]
    terms = [Value(1.0) * 1.0, Value(2.0) * 1.0]
    Value.sum(terms).backward(-0.0)
    assert [math.copysign(1.0, v.grad) for v in terms] == [-1.0, -1.0]


@given(
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    st.lists(st.sampled_from([0, 1, 2, "c"]), min_size=6, max_size=6),
)
def test_backward_through_relu_neurons_matches_finite_differences(data, picks):
    # linear_relu: a whole ReLU neuron as one node; leaves repeat among weights, inputs and biases
    leaves = [Value(d) for d in data]

    def operand(pick):
        return 0.75 if pick == "c" else leaves[pick]

    def f():
        rows = [[operand(p) for p in picks[:3]], [operand(p) for p in picks[3:]]]
        hidden = Value.linears(rows, [leaves[2], leaves[0], operand(picks[1])], [leaves[1], 0.25], "relu")
        return Value.linear(hidden, [leaves[0], leaves[1]], leaves[2], activation="relu") + hidden[0] * hidden[1]

    # finite differences are wrong across a kink: draws where a neuron sits within 1e-4 of one are left out
    rows = [[operand(p) for p in picks[:3]], [operand(p) for p in picks[3:]]]
    pre = Value.linears(rows, [leaves[2], leaves[0], operand(picks[1])], [leaves[1], 0.25])
    last = Value.linear([z.relu() for z in pre], [leaves[0], leaves[1]], leaves[2])
    assume(all(abs(z.data) >= 1e-4 for z in (*pre, last)))
    out = f()
    out.backward()
    expected = _central_difference(f, leaves)
    assert [leaf.grad for leaf in leaves] == pytest.approx(expected, rel=1e-5, abs=1e-5)


@pytest.mark.parametrize(("z_bias", "active"), [(0.7, True), (-0.7, False), (0.0, False)])
def test_a_relu_neuron_node_equals_a_linear_node_then_relu_to_second_order(z_bias, active):
    def build(fused):
        w, x, b = Value(1.5), Value(-0.4), Value(z_bias + 0.6)  # z = 1.5 * -0.4 + b = z_bias
        out = Value.linear([w], [x], b, activation="relu") if fused else Value.linear([w], [x], b).relu()
        return (w, x, b), out * out

    (leaves_f, out_f), (leaves_u, out_u) = build(True), build(False)
    assert out_f.data == out_u.data and (out_f.data > 0) == active
    first_f = grad(out_f, list(leaves_f), create_graph=True)
    first_u = grad(out_u, list(leaves_u), create_graph=True)
    assert [g.data for g in first_f] == [g.data for g in first_u]
    second_f = [grad(g, list(leaves_f), retain_graph=True, allow_unused=True) for g in first_f]
    second_u = [grad(g, list(leaves_u), retain_graph=True, allow_unused=True) for g in first_u]
    assert second_f == second_u


def test_off_neurons_and_a_zero_loss_gradient_give_the_same_gradients_as_the_joint_rules():
    # The ordinary pass gives the parents of an off ReLU neuron (and of a neuron reached by a gradient of +0.0)
    # zeros without computing its products; create_graph=True runs the joint rules, which compute every one.
    rng = np.random.default_rng(3)
    weights = [[Value(v) for v in row] for row in rng.uniform(-1, 1, (6, 3))]
    biases = [Value(v) for v in rng.uniform(-0.5, 0.5, 6)]
    top = [Value(v) for v in rng.uniform(-1, 1, 6)]
    leaves = [*(w for row in weights for w in row), *biases, *top]

    def loss():
        total = Value(0.0, requires_grad=False)
        for x, y in zip(rng_points, (1, -1, 1, -1)):
            hidden = Value.linears(weights, x, biases, "relu")
            score = Value.linear(top, hidden, 0.0)
            total = total + (1 - y * score).relu()  # a satisfied margin sends +0.0 back into the network
        return total

    rng_points = [list(p) for p in rng.uniform(-2, 2, (4, 3))]
    out = loss()
    hidden_outputs = [h.data for x in rng_points for h in Value.linears(weights, x, biases, "relu")]
    assert 0.0 in hidden_outputs and any(h > 0 for h in hidden_outputs)  # some neurons are off, some on
    out.backward()
    plain = [leaf.grad for leaf in leaves]
    joint = grad(loss(), leaves, create_graph=True, allow_unused=True)
    assert plain == [0.0 if g is None else g.data for g in joint]
    assert plain == pytest.approx(_central_difference(loss, leaves), abs=1e-6)


def test_a_value_reached_only_through_off_neurons_gets_a_zero_gradient_its_hooks_see():
    w, b = Value(2.0), Value(-5.0)
    x = Value(1.5) * 1.0  # an intermediate Value: it retains its gradient
    seen = []
    x.register_hook(seen.append)
    (x * 3.0).backward(retain_graph=True)
    assert x.grad == 3.0 and seen == [3.0]
    off = Value.linear([w], [x], b, activation="relu")  # z = 2 * 1.5 - 5 < 0
    assert off.data == 0.0
    off.backward()
    assert x.grad == 0.0 and seen == [3.0, 0.0]  # overwritten with the zero, not left at 3.0
    assert (w.grad, b.grad) == (0.0, 0.0)


def test_a_relu_neuron_whose_pre_activation_is_minus_inf_passes_nan_as_the_unfused_composition():
    # relu'(z) = 0 at z = -inf, and 0 * inf is nan: the zeros of an off neuron are not exact there
    for fused in (True, False):
        w, x, b = Value(1.0), Value(float("-inf")), Value(0.5)
        out = Value.linear([w], [x], b, activation="relu") if fused else Value.linear([w], [x], b).relu()
        out.backward()
        assert out.data == 0.0 and out.op.name == ("linear_relu" if fused else "relu")
        assert math.isnan(w.grad) and x.grad == 0.0 and b.grad == 0.0


def test_a_relu_neuron_is_one_node_with_relus_value_at_nan_and_below_zero():
    out = Value.linear([Value(1.0)], [float("nan")], 0.0, activation="relu")
    assert math.isnan(out.data) and out.op.name == "linear_relu" and len(out.parents) == 3
    assert Value.linear([Value(-1.0)], [2.0], 0.5, activation="relu").data == 0.0
    with pytest.raises(ValueError, match=r"linears: activation must be one of \['linear', 'relu'\], got 'tanh'"):
        Value.linear([Value(1.0)], [2.0], activation="tanh")


def test_micrograds_constructor_call_with_children_is_refused_with_a_message_that_names_it():
    a, b = Value(1.0), Value(2.0)
    for call in (lambda: Value(3.0, (a, b)), lambda: Value(5.0, (a, b), "+"), lambda: Value(1.0, label=7)):
        with pytest.raises(TypeError, match=r"label must be a str.*micrograd's Value\(data, _children, _op\)"):
            call()
    assert Value(1.0, None).label == "" and Value(1.0, "x").label == "x"


def test_micrograds_custom_op_constructor_is_told_the_function_class_that_writes_one():
    # before, the message said what the constructor is not, but not how to write a gate of one's own
    x = Value(0.5)
    with pytest.raises(TypeError, match=r"subclass autograd\.Function and call YourGate\.apply\(a, b\)"):
        Value(math.tanh(x.data), (x,), "tanh")

    class Tanh(autograd.Function):
        @staticmethod
        def forward(ctx, v):
            out = v.tanh()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, upstream):
            (out,) = ctx.saved_tensors
            return upstream * (1 - out * out)

    y = Tanh.apply(x * 2)
    y.backward()
    assert y.data == math.tanh(1.0) and x.grad == pytest.approx(2 * (1 - math.tanh(1.0) ** 2), rel=1e-15)


def test_value_sum_gives_ieee_inf_and_nan_where_an_exact_sum_would_raise():
    # math.fsum raises on an overflowing partial sum and on inf - inf; a loss must give inf / nan instead
    big = [Value(1e308), Value(1e308)]
    total = Value.sum(big)
    total.backward()
    assert total.data == math.inf and [v.grad for v in big] == [1.0, 1.0]
    assert math.isnan(Value.sum([Value(math.inf), Value(-math.inf)]).data)
    assert Value.sum([Value(0.1)] * 10).data == 1.0  # still the correctly rounded sum where it exists


def test_value_sum_of_negative_zeros_is_negative_zero_as_ieee_addition():
    # -0.0 + -0.0 is -0.0 (torch's sum and a + b of Values give it); math.fsum returns +0.0 for any exact zero
    for terms in ([-0.0, -0.0], [-0.0], [-0.0, -0.0, -0.0]):
        total = Value.sum([Value(t) for t in terms])
        assert math.copysign(1.0, total.data) == -1.0 and total.data == 0.0
        assert math.copysign(1.0, (Value(-0.0) + Value(-0.0)).data) == -1.0
    for terms in ([-0.0, 0.0], [1.0, -1.0, -0.0], [1e100, 1.0, -1e100, -1.0], []):  # an exact zero otherwise: +0.0
        assert math.copysign(1.0, Value.sum([Value(t) for t in terms]).data) == 1.0


@pytest.mark.parametrize(
    "number", [np.float32(3), np.float16(3), np.int64(3), np.int32(3), np.uint8(3), np.float64(3), np.array(3.0)]
)
def test_a_value_equals_a_numpy_number_of_the_same_value_from_either_side(number):
    v = Value(3.0)
    assert v == number and number == v and not (v != number) and not (number != v)
    assert number in [v] and [v].count(number) == 1
    assert not (Value(0.1) == np.float32(0.1))  # float32's 0.1 is another number, as in numpy's comparison


@pytest.mark.parametrize(("low", "high", "x"), [(math.nan, 1.0, 0.5), (0.0, math.nan, 0.5), (0.0, 1.0, math.nan)])
def test_clip_with_a_nan_bound_or_input_gives_nan_as_numpy_and_torch(low, high, x):
    v = Value(x)
    clipped = v.clip(low, high)
    clipped.backward()
    assert math.isnan(clipped.data) and math.isnan(float(np.clip(x, low, high)))
    assert v.grad == 0.0  # torch's clamp passes no gradient where a comparison with nan fails


def test_clip_and_clamp_with_no_bound_raise_as_tensors_and_torchs():
    # a Value's clip() returned a copy where Tensor's and torch's clamp() raise (torch's RuntimeError)
    for clip in (
        Value.clip,
        Value.clamp,
        lambda v: v.clip(None, None),
        lambda v: v.clamp(min=None, max=None),
    ):
        with pytest.raises(ValueError, match="at least one of the bounds") as raised:
            clip(Value(2.0))
        assert isinstance(raised.value, RuntimeError)
        with pytest.raises(ValueError, match="at least one of the bounds"):
            clip(Tensor(np.array([2.0])))
    assert Value(2.0).clamp(max=1.0).data == 1.0 and Value(2.0).clip(3.0).data == 3.0
    # numpy 2.4's np.clip with neither bound is a copy, as np.clip of a Tensor gives one (in the graph)
    v = Value(2.0)
    copy = np.clip(v, None, None)
    (copy * 3).backward()
    assert copy is not v and copy.data == 2.0 and v.grad == 3.0
    assert np.clip(v, 0, 1).data == 1.0 and np.clip(v, min=3.0).data == 3.0


def test_trunc_and_divmod_of_a_value_follow_pythons_numbers():
    assert math.trunc(Value(-2.7)) == -2 and math.trunc(Value(2.7)) == 2
    v = Value(7.5)
    quotient, remainder = divmod(v, 2)
    assert (quotient.data, remainder.data) == divmod(7.5, 2)
    remainder.backward()
    assert v.grad == 1.0  # d(x mod 2)/dx
    w = Value(2.0)
    quotient, remainder = divmod(7.5, w)
    assert (quotient.data, remainder.data) == divmod(7.5, 2.0)
    remainder.backward()
    assert w.grad == -3.0  # d(7.5 mod y)/dy = -floor(7.5 / y)


def test_torch_method_names_of_a_value_refuse_what_torchs_refuse():
    # div's rounding_mode is None, "floor" or "trunc" (torch's RuntimeError; a ValueError here too)
    with pytest.raises(ValueError, match="rounding_mode") as raised:
        Value(1.0).div(2.0, rounding_mode="round")
    assert isinstance(raised.value, RuntimeError)
    x = Value(3.0)
    y = x.lerp(5.0, 1.0)  # torch's two-sided form: exactly end at weight 1
    y.backward()
    assert (y.data, x.grad) == (5.0, 0.0)


@pytest.mark.parametrize("x", [2.0, -1.5, 0.0, -0.0, 1e-9, math.inf, -math.inf, math.nan])
def test_numpy_sinc_and_angle_of_a_value_give_numpys_number_in_the_graph(x):
    # np.sinc(v) and np.angle(v) failed with AttributeError (numpy reads a Value as a 0-d object array)
    for function in (np.sinc, np.angle, lambda v: np.angle(v, deg=True)):
        with np.errstate(all="ignore"):
            expected = float(function(np.float64(x)))
        v = Value(x)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no numpy RuntimeWarning leaks
            out = function(v)
            out.backward()
        assert isinstance(out, Value) and out.op is not None
        assert out.data == expected or (math.isnan(out.data) and math.isnan(expected)), (x, out.data, expected)
        if function is not np.sinc:
            assert v.grad == 0.0  # piecewise constant
    v = Value(0.5)
    np.sinc(v).backward()
    assert v.grad == pytest.approx((math.cos(math.pi / 2) - 1 / (math.pi / 2)) / 0.5, rel=1e-12)


def test_xlogy_and_logit_of_values_have_torchs_second_derivatives():
    torch = pytest.importorskip("torch")
    x, y = Value(1.5), Value(2.5)
    gx, gy = grad(x.xlogy(y) + x.logit(0.1) * 0.0 + (x * 0.3).logit(), [x, y], create_graph=True)
    (gx * gy + gy * gy).backward()
    a = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    ga, gb = torch.autograd.grad(a.xlogy(b) + a.logit(0.1) * 0.0 + (a * 0.3).logit(), [a, b], create_graph=True)
    (ga * gb + gb * gb).backward()
    for ours, theirs in ((gx, ga), (gy, gb), (x.grad, a.grad), (y.grad, b.grad)):
        assert float(ours) == pytest.approx(theirs.item(), rel=1e-12)


@pytest.mark.parametrize("alpha", [math.inf, -math.inf, math.nan, -2.0, 1.0])
def test_elu_of_a_signed_zero_is_that_zero_for_every_alpha_as_torchs(alpha):
    # torch's elu returns x at x = +-0.0; alpha * expm1(0) gave nan (inf * 0, with numpy's RuntimeWarning on a
    # Tensor) or the zero of the other sign (a negative alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (0.0, -0.0):
            value = Value(x).elu(alpha).data
            tensor = Tensor(np.array([x, x], dtype=np.float64)).elu(alpha).data
            for out in (value, *tensor):
                assert out == 0 and math.copysign(1, out) == math.copysign(1, x), (alpha, x, out)
