"""igamma / igammac (torch's names of P(a, x) and Q(a, x)) and the in-place ldexp_ and nextafter_, checked against
gammainc / gammaincc, central differences and exact floating-point steps."""

import numpy as np
import pytest

import autograd as L
from autograd.special import gammainc, gammaincc

A = np.array([0.5, 2.0, 3.0, 40.0])
X = np.array([0.3, 1.0, 4.5, 38.0])


@pytest.mark.parametrize("name, function", [("igamma", gammainc), ("igammac", gammaincc)])
def test_igamma_names_are_the_incomplete_gamma_functions_with_their_x_gradient(name, function):
    x = L.tensor(X.copy(), requires_grad=True)
    result = getattr(L, name)(L.tensor(A), x)
    np.testing.assert_array_equal(result.numpy(), function(A, X))
    np.testing.assert_array_equal(getattr(L.tensor(A), name)(X).numpy(), function(A, X))
    result.sum().backward()
    step = 1e-6 * X
    np.testing.assert_allclose(x.grad, (function(A, X + step) - function(A, X - step)) / (2 * step), rtol=1e-6)
    in_place = L.tensor(A)
    assert getattr(in_place, name + "_")(X) is in_place
    np.testing.assert_array_equal(in_place.numpy(), function(A, X))


def test_ldexp_and_nextafter_in_place_write_into_the_tensor():
    values = L.tensor([1.0, -2.5, 3.0])
    assert values.ldexp_(L.tensor([1, -1, 3])) is values
    np.testing.assert_array_equal(values.numpy(), [2.0, -1.25, 24.0])
    assert values.nextafter_(L.tensor([3.0, 0.0, 24.0])) is values
    np.testing.assert_array_equal(values.numpy(), [np.nextafter(2.0, 3.0), np.nextafter(-1.25, 0.0), 24.0])
