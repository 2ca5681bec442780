"""Gradients at NaN and at the edges of float64, warning-free: max/min over NaN, softmax family at +-1e308,
pow at a zero base, std of constant slices. PyTorch is the oracle (where installed), finite differences where
the derivative is defined."""

import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from autograd import Tensor, Value, grad, gradcheck, gradgradcheck
from autograd.tensor_functions import softmax_cross_entropy
from nn.functional import cross_entropy

NAN = np.nan


@contextmanager
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _torch():
    return pytest.importorskip("torch")


# -- max / min over NaN --------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["max", "min"])
@pytest.mark.parametrize(
    "values", [[NAN, 1.0], [1.0, NAN, NAN, -2.0], [NAN], [[NAN, 1.0, NAN], [2.0, 3.0, 3.0]], [1.0, 1.0, 4.0, 4.0]]
)
def test_full_max_and_min_send_the_gradient_to_the_nan_entries_like_torch(reduction, values):
    torch = _torch()
    x = Tensor(np.array(values), requires_grad=True)
    with no_warnings():
        result = getattr(x, reduction)()
        result.backward()
    reference = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    expected = getattr(reference, reduction)()
    expected.backward()
    np.testing.assert_array_equal(result.data, expected.detach().numpy())
    np.testing.assert_array_equal(x.grad, reference.grad.numpy())


@pytest.mark.parametrize("reduction", ["max", "min"])
def test_max_and_min_over_an_axis_share_the_gradient_among_the_nans_of_each_slice(reduction):
    x = Tensor(np.array([[NAN, 1.0, NAN], [2.0, 3.0, 3.0], [5.0, NAN, 4.0]]), requires_grad=True)
    with no_warnings():
        result = getattr(x, reduction)(axis=1)
        result.backward(np.array([1.0, 2.0, 3.0]))
    second_row = [0.0, 1.0, 1.0] if reduction == "max" else [2.0, 0.0, 0.0]  # 3, 3 tie; or 2
    expected = [[0.5, 0.0, 0.5], second_row, [0.0, 3.0, 0.0]]
    np.testing.assert_array_equal(x.grad, expected)


def test_max_over_nan_is_differentiable_again_without_warnings():
    x = Tensor(np.array([NAN, 1.0, NAN]), requires_grad=True)
    with no_warnings():
        (gradient,) = grad(x.max() * 3.0, [x], create_graph=True)
    np.testing.assert_array_equal(gradient.data, [1.5, 0.0, 1.5])


# -- softmax, log_softmax, logsumexp, cross-entropy at +-1e308 ------------------------------------

EXTREME_ROWS = np.array([[-1e308, 1e308, 0.0], [1e308, 1e308, -1e308], [-1e308, -1e308, -1e308], [1e308, 0.0, 1.0]])
TARGETS = np.array([0, 1, 2, 1])


def _ours_and_torch(name):
    torch = _torch()
    functional = torch.nn.functional
    return {
        "softmax": (lambda x: x.softmax(axis=1), lambda t: torch.softmax(t, dim=1)),
        "log_softmax": (lambda x: x.log_softmax(axis=1), lambda t: torch.log_softmax(t, dim=1)),
        "logsumexp": (lambda x: x.logsumexp(axis=1), lambda t: torch.logsumexp(t, dim=1)),
        "softmax_cross_entropy": (
            lambda x: softmax_cross_entropy(x, TARGETS, axis=1),
            lambda t: functional.cross_entropy(t, torch.tensor(TARGETS), reduction="none"),
        ),
        "cross_entropy": (
            lambda x: cross_entropy(x, TARGETS, reduction="none"),
            lambda t: functional.cross_entropy(t, torch.tensor(TARGETS), reduction="none"),
        ),
    }[name]


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "softmax_cross_entropy", "cross_entropy"])
def test_softmax_family_at_plus_minus_1e308_matches_torch_without_overflow_warnings(name):
    torch = _torch()
    ours, theirs = _ours_and_torch(name)
    x = Tensor(EXTREME_ROWS.copy(), requires_grad=True)
    reference = torch.tensor(EXTREME_ROWS, requires_grad=True)
    with no_warnings():
        result = ours(x)
        seed = np.linspace(0.5, 1.5, result.data.size).reshape(result.shape)
        result.backward(seed)
    expected = theirs(reference)
    expected.backward(torch.tensor(seed))
    expected_grad = reference.grad.numpy()
    if name == "logsumexp":  # torch's backward exp(x - lse) is off once lse rounds (1e308 + log 2 == 1e308)
        expected_grad = (torch.softmax(reference, dim=1) * torch.tensor(seed)[:, None]).detach().numpy()
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, expected_grad, rtol=1e-12, atol=1e-15)


# -- pow at a zero base --------------------------------------------------------------------------

BASES = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.5]
EXPONENTS = [-2.0, -1.0, -0.5, 0.0, 1.0, 2.5, -1.5, 3.0]


def test_pow_at_a_zero_base_has_torchs_gradients_without_warnings():
    torch = _torch()
    base, exponent = Tensor(np.array(BASES), requires_grad=True), Tensor(np.array(EXPONENTS), requires_grad=True)
    with np.errstate(divide="ignore"):  # the forward value 0 ** -1 = inf (numpy warns in the forward pass)
        result = base**exponent
    with no_warnings():
        result.backward(np.ones(len(BASES)))
    torch_base = torch.tensor(BASES, dtype=torch.float64, requires_grad=True)
    torch_exponent = torch.tensor(EXPONENTS, dtype=torch.float64, requires_grad=True)
    (torch_base**torch_exponent).sum().backward()
    np.testing.assert_allclose(base.grad, torch_base.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(exponent.grad, torch_exponent.grad.numpy(), rtol=1e-12)
    assert exponent.grad[0] == exponent.grad[1] == -np.inf  # d/dy 0**y for y < 0


def test_pow_of_zero_base_to_negative_value_exponent_gives_minus_inf():
    base, exponent = Value(0.0), Value(-1.0)
    with no_warnings():
        result = base**exponent
        result.backward()
    assert result.data == np.inf
    assert exponent.grad == -np.inf and base.grad == -np.inf


@pytest.mark.parametrize("exponent", [0.5, 1.0, 2.0, 3.7])
def test_pow_gradients_at_a_zero_base_agree_with_finite_differences_where_defined(exponent):
    # d/dy 0**y = 0 for y > 0 (0**y is 0 near y); d/dx x**y at x = 0 only for integer y (x < 0 is nan otherwise)
    assert gradcheck(lambda y: Tensor(np.zeros(3)) ** y, [np.full(3, exponent)])
    if float(exponent).is_integer():
        assert gradcheck(lambda x: x ** Tensor(np.full(3, exponent)), [np.zeros(3)])


def test_pow_rules_stay_differentiable_twice():
    x, y = np.array([0.7, 1.3, 2.0]), np.array([-1.5, 0.5, 2.0])
    assert gradgradcheck(lambda base, exponent: (base**exponent).sum(), [x, y])
    assert gradgradcheck(lambda base: (base**0.0 + base**2).sum(), [np.array([0.0, 1.5])])


# -- std of constant slices ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "axis", "ddof"),
    [
        (np.array([[1.0], [2.0], [-3.0]]), 1, 0),
        (np.array(4.0), None, 0),
        (np.ones(5), None, 0),
        (np.array([[1.0, 1.0], [2.0, 3.0]]), 1, 1),
        (np.array([[1.0, 1.0], [2.0, 3.0]]), 0, 0),
    ],
)
def test_std_of_constant_slices_has_zero_gradient_like_torch(data, axis, ddof):
    torch = _torch()
    x = Tensor(data.copy(), requires_grad=True)
    with no_warnings():
        result = x.std(axis=axis, ddof=ddof)
        result.backward(np.ones(result.shape))
    reference = torch.tensor(data, requires_grad=True)
    expected = reference.std(correction=ddof) if axis is None else reference.std(dim=axis, correction=ddof)
    expected.sum().backward()
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, reference.grad.numpy(), rtol=1e-12)
    assert np.isfinite(x.grad).all()


def test_std_away_from_zero_agrees_with_finite_differences_to_second_order():
    data = np.array([[0.3, -1.2, 2.0], [1.0, 1.5, -0.5]])
    assert gradcheck(lambda x: x.std(axis=1, ddof=1), [data])
    assert gradgradcheck(lambda x: x.std(axis=0).sum(), [data])
