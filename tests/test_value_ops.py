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
