"""Value ops beyond the op table (tests/op_table.py, which checks every op's value and derivatives):
plain numbers on either side of a binary operator, and many ops in one expression, against reference
formulas written with ``math`` and derivatives from autograd.gradcheck."""

import math

import pytest
from op_table import ROWS_BY_NAME

from autograd import Value, gradcheck

BINARY = ["add", "sub", "mul", "div", "pow"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_op_with_a_plain_number_on_either_side(name):
    row = ROWS_BY_NAME[name]
    x, y = 1.5, 0.75
    assert math.isclose(row.call(Value(x), y).data, row.numpy(x, y), rel_tol=1e-12)
    assert math.isclose(row.call(x, Value(y)).data, row.numpy(x, y), rel_tol=1e-12)
    assert gradcheck(lambda a: row.call(a, y), [x])
    assert gradcheck(lambda b: row.call(x, b), [y])


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def test_every_op_of_a_composite_expression_contributes():
    """A neuron-like expression using many ops at once, against the reference formula."""

    def reference(w, x):
        return math.tanh(w * x + 0.5) ** 2 + math.exp(-abs(w)) * sigmoid(x) - math.log(1 + x * x)

    def engine(w, x):
        return (w * x + 0.5).tanh() ** 2 + (-w.abs()).exp() * x.sigmoid() - (1 + x * x).log()

    w0, x0 = 0.8, -1.3
    assert math.isclose(engine(Value(w0), Value(x0)).data, reference(w0, x0), rel_tol=1e-12)
    assert gradcheck(engine, [w0, x0])


def test_value_linear_reads_iterators_of_weights_and_inputs_whole():
    # an iterator of inputs was consumed by the check of its entries, so the first ones were silently dropped
    assert Value.linear([Value(10.0)] * 2, (x for x in [1.0, 2.0]), 1.0).data == 31.0
    with pytest.raises(ValueError, match="got 1 weights but 2 inputs"):
        Value.linear([Value(10.0)], (x for x in [1.0, 2.0]))
    rows = iter([[1.0, 2.0], (w for w in [3.0, 4.0])])
    outputs = Value.linears(rows, iter([Value(1.0), Value(2.0)]), iter([0.0, 1.0]))
    assert [out.data for out in outputs] == [5.0, 12.0]


def test_elu_above_zero_keeps_its_derivative_connected_so_the_second_derivative_is_zero():
    # torch: the first derivative (1 above 0) still requires grad, and differentiates to 0
    from autograd import grad

    x = Value(0.5)
    (first,) = grad(x.elu(), x, create_graph=True)
    assert first.data == 1.0 and first.requires_grad
    assert grad(first, x) == (0.0,)


@pytest.mark.parametrize("pair", ["values", "value and number", "number and value"])
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_module_level_maximum_and_minimum_of_values_are_the_values_gates(pair, name):
    import autograd

    a, b = Value(2.0), Value(3.0)
    operands = {"values": (a, b), "value and number": (a, 3.0), "number and value": (3.0, a)}[pair]
    result = getattr(autograd, name)(*operands)
    assert isinstance(result, Value)
    assert result.data == {"maximum": 3.0, "minimum": 2.0}[name]
    result.backward()
    assert a.grad == (1.0 if (name == "minimum") else 0.0)


def test_a_list_of_values_given_to_the_tensor_factories_names_the_problem():
    import autograd

    v = Value(2.0)
    for make in (autograd.tensor, autograd.asarray, autograd.Tensor):
        with pytest.raises(TypeError, match="holds Values"):
            make([v, v])
