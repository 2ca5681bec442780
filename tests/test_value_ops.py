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
