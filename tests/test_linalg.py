"""autograd.linalg beyond the op table (tests/op_table.py checks values, gradients and second derivatives
of every function): the normal equations of least squares solved and differentiated, the norm's gradient
at zero, slogdet's sign, and errors naming the function and the shape."""

import numpy as np
import pytest

import autograd.linalg as la
from autograd import Tensor, gradcheck


def test_normal_equations_give_least_squares_weights_and_their_gradient():
    rng = np.random.default_rng(0)
    features, targets = rng.normal(size=(20, 3)), rng.normal(size=20)
    x = Tensor(features)
    weights = la.solve(x.T @ x, x.T @ Tensor(targets))
    np.testing.assert_allclose(weights.data, np.linalg.lstsq(features, targets, rcond=None)[0], rtol=1e-10)
    assert gradcheck(lambda a, y: la.solve(a.T @ a, a.T @ y), [features[:6], targets[:6]])


def test_norm_gradient_at_zero_is_zero_as_torch():
    x = Tensor(np.zeros(3), requires_grad=True)
    la.norm(x).backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))


def test_slogdet_sign_is_a_plain_array():
    sign, logabsdet = la.slogdet(np.array([[0.0, 2.0], [3.0, 0.0]]))
    assert type(sign) is np.ndarray and sign == -1.0
    assert logabsdet.item() == pytest.approx(np.log(6.0))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: la.inv(np.ones((2, 3))), r"inv: expected square matrices in the last two axes, got shape \(2, 3\)"),
        (lambda: la.inv(np.ones((2, 2))), r"inv: the matrix is singular \(shape \(2, 2\)\)"),
        (lambda: la.det(np.ones(3)), r"det: expected square matrices"),
        (lambda: la.solve(np.eye(2), np.ones(3)), r"solve: b must be a vector \(2,\) for a single matrix"),
        (lambda: la.cholesky(-np.eye(2)), r"cholesky: the matrix is not positive definite"),
        (lambda: la.pinv(np.ones((3, 2))), r"pinv: only full-rank matrices are supported"),
        (lambda: la.norm(np.ones((2, 2)), ord="nuc"), r"norm: ord='nuc' is not supported for matrix norms"),
    ],
)
def test_bad_arguments_are_errors_naming_the_function(call, message):
    with pytest.raises(ValueError, match=message):
        call()
