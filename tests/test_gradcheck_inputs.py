"""Which inputs gradcheck and gradgradcheck perturb: as torch, the floating Tensors that require grad,
everything else (integer index Tensors, ints, shape tuples, constant Tensors) passed to f unchanged; with
no input requiring grad, every floating one (this library's convenience for arrays and numbers).
gradgradcheck also takes outputs of several elements, as torch does with random grad_outputs."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import GradcheckError, Tensor, Value, gradcheck, gradgradcheck
from autograd.op import Op

FLAT_SQUARE = Op("test_gradcheck_inputs_flat_square", lambda g, out, x: g * 2 * np.asarray(getattr(x, "data", x)))
WRONG_CUBE = Op("test_gradcheck_inputs_wrong_cube", lambda g, out, x: g * 2 * x)  # should be 3 x^2


def wrong_cube(x: Tensor) -> Tensor:
    """x**3 with the deliberately wrong derivative 2x."""
    return Tensor._from_op(x.data**3, WRONG_CUBE, (x,))


def _x() -> Tensor:
    return Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)


def test_gradcheck_passes_an_integer_index_tensor_through_unchanged():
    assert gradcheck(lambda x, i: x[i], [_x(), Tensor(np.array([0, 0, 2]))])
    assert gradgradcheck(lambda x, i: (x[i] ** 3).sum(), [_x(), Tensor(np.array([0, 0, 2]))])


def test_gradcheck_passes_a_python_int_through_unchanged():
    seen = []
    assert gradcheck(lambda x, n: seen.append(n) or x**n, [_x(), 3])
    assert all(type(n) is int and n == 3 for n in seen)


def test_gradcheck_passes_a_shape_tuple_through_unchanged():
    assert gradcheck(lambda x, shape: x.reshape(shape), [_x(), (3, 1)])


def test_gradcheck_leaves_a_constant_tensor_beside_one_that_requires_grad_alone():
    constant = Tensor(np.array([1.0, 2.0, 3.0]))
    seen = []
    assert gradcheck(lambda x, m: seen.append(m) or x * (m > 1).astype(np.float64), [_x(), constant])
    assert all(m is constant for m in seen)


def test_gradcheck_matches_torch_on_inputs_it_does_not_perturb():
    torch = pytest.importorskip("torch")
    tx = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, i: x[i], [tx, torch.tensor([0, 0, 2])])
    assert gradcheck(lambda x, i: x[i], [_x(), Tensor(np.array([0, 0, 2]))])


def test_gradcheck_still_checks_plain_arrays_numbers_and_constant_tensors_when_nothing_requires_grad():
    assert gradcheck(lambda a, b: (a * b).sum(), [np.array([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))])
    assert gradcheck(lambda a, n: a**n, [0.7, 2])
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda a, b: a + wrong_cube(b), [np.ones(2), Tensor(np.array([0.5, 2.0]))])


def test_gradcheck_rejects_inputs_with_nothing_to_check():
    with pytest.raises(ValueError, match="no input to check"):
        gradcheck(lambda i: Tensor(np.ones(2)) * i, [Tensor(np.array([1, 2]))])


def test_gradcheck_reports_positions_among_all_inputs():
    with pytest.raises(GradcheckError, match=r"input 2"):
        gradcheck(lambda i, n, x: wrong_cube(x)[i] * n, [np.array([2]), 2, _x()])


def test_gradgradcheck_accepts_outputs_of_several_elements():
    assert gradgradcheck(lambda t: t * t.sin(), [np.array([0.3, -1.2, 2.0])])
    assert gradgradcheck(lambda t: [t.exp(), (t**3).sum()], [np.array([0.3, -1.2])])
    assert gradgradcheck(lambda a, b: [a * b, a.exp()], [Value(0.4), Value(-0.8)])


def test_gradgradcheck_on_outputs_of_several_elements_detects_a_flat_second_derivative():
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda t: Tensor._from_op(t.data**2, FLAT_SQUARE, (t,)), [np.array([0.5, -1.5])])
