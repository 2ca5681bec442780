"""Extreme but legal arguments of activations and losses, as torch treats them: a nan input stops
hardsigmoid's gradient, multi_margin_loss keeps nan out of its gradient at an infinite target score and
weighs each term (a zero weight zeroes an overflowing sum), overflowing sums of constant weights give inf
without numpy's warnings, and a number argument that the input's dtype cannot hold is an error naming it."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from nn.checks import ParameterOverflowError


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_hardsigmoid_passes_no_gradient_at_nan_or_outside_the_open_interval():
    x = Tensor(np.array([np.nan, -3.0, -2.9, 0.0, 2.9, 3.0, 4.0, -np.inf, np.inf]), requires_grad=True)
    y = F.hardsigmoid(x)
    y.sum().backward()
    np.testing.assert_array_equal(np.isnan(y.data), [True] + [False] * 8)
    np.testing.assert_array_equal(x.grad, [0, 0, 1 / 6, 1 / 6, 1 / 6, 0, 0, 0, 0])


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_gradient_matches_finite_differences(p):
    rng = np.random.default_rng(0)
    scores = Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    target = np.array([0, 1, 4, 2])
    weight = np.array([0.5, 1.0, 2.0, 3.0, 0.1])
    assert gradcheck(lambda s: F.multi_margin_loss(s, target, p=p, weight=weight), [scores])
    assert gradcheck(lambda s: F.multi_margin_loss(s[0], target[0], p=p, weight=weight), [scores])


def test_multi_margin_loss_at_an_infinite_target_score_has_no_nan_gradient():
    # +inf at the target: every margin term is max(0, 1 - inf + x_i) = 0, so loss and gradient are 0
    scores = Tensor(np.array([[0.0, np.inf, 0.0]]), requires_grad=True)
    loss = F.multi_margin_loss(scores, np.array([1]), p=2)
    loss.backward()
    assert loss.item() == 0.0
    np.testing.assert_array_equal(scores.grad, [[0.0, 0.0, 0.0]])
    # -inf at the target: the terms are (1 + inf)^2, and d/dx_i = 2 h_i / C = inf, d/dx_y = -sum = -inf
    scores = Tensor(np.array([[0.0, -np.inf, 0.0]]), requires_grad=True)
    loss = F.multi_margin_loss(scores, np.array([1]), p=2)
    loss.backward()
    assert loss.item() == np.inf
    np.testing.assert_array_equal(scores.grad, [[np.inf, -np.inf, np.inf]])


def test_multi_margin_loss_weighs_each_term_so_a_zero_weight_zeroes_an_overflowing_sum():
    # the two terms are 1 + 1e308 each: their sum overflows, but the target class weighs 0
    scores = Tensor(np.array([[0.0, -1e308, 0.0]]), requires_grad=True)
    loss = F.multi_margin_loss(scores, np.array([1]), weight=np.array([1.0, 0.0, 1.0]))
    loss.backward()
    assert loss.item() == 0.0
    np.testing.assert_array_equal(scores.grad, np.zeros((1, 3)))


def test_weighted_losses_whose_weights_sum_to_inf_give_nan_without_warnings():
    prediction = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = F.mse_loss(prediction, np.zeros(2), weight=np.array([1e308, 1e308]))  # inf / inf
    loss.backward()
    assert np.isnan(loss.item())
    log_probabilities = Tensor(np.array([[-1.0, -2.0], [-2.0, -1.0]]), requires_grad=True)
    loss = F.nll_loss(log_probabilities, np.array([0, 1]), weight=np.array([1e308, 1e308]))
    loss.backward()
    assert np.isnan(loss.item())


OVERFLOWING = [
    ("elu", "alpha", lambda x: F.elu(x, alpha=1e308)),
    ("leaky_relu", "negative_slope", lambda x: F.leaky_relu(x, 1e308)),
    ("celu", "alpha", lambda x: F.celu(x, 1e308)),
    ("hardtanh", "min_val", lambda x: F.hardtanh(x, -1e308, 1.0)),
    ("hardtanh", "max_val", lambda x: F.hardtanh(x, -1.0, 1e308)),
    ("hardshrink", "lambd", lambda x: F.hardshrink(x, 1e308)),
    ("softshrink", "lambd", lambda x: F.softshrink(x, 1e308)),
    ("threshold", "threshold", lambda x: F.threshold(x, 1e308, 0.0)),
    ("threshold", "value", lambda x: F.threshold(x, 0.5, -1e308)),
    ("softplus", "beta", lambda x: F.softplus(x, beta=1e308)),
    ("softplus", "threshold", lambda x: F.softplus(x, threshold=1e308)),
    ("gaussian_nll_loss", "eps", lambda x: F.gaussian_nll_loss(x, x, Tensor(np.ones(3, x.dtype)), eps=1e300)),
    ("elu", "alpha", lambda x: nn.ELU(alpha=1e308)(x)),
    ("elu", "alpha", lambda x: F.elu(x.clone(), alpha=1e308, inplace=True)),
]


@pytest.mark.parametrize(("op", "name", "call"), OVERFLOWING, ids=[f"{op}-{name}" for op, name, _ in OVERFLOWING])
def test_a_number_argument_beyond_float32_is_refused_for_a_float32_input_as_torch(op, name, call):
    x = Tensor(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
    with pytest.raises(ParameterOverflowError, match=f"{op}: {name}=.*float32 without overflow"):
        call(x)
    with pytest.raises(RuntimeError):  # torch's error class
        call(x)
    np.testing.assert_array_equal(x.data, [-1.0, 0.0, 2.0])  # nothing changed in place


@pytest.mark.parametrize(("op", "name", "call"), OVERFLOWING, ids=[f"{op}-{name}" for op, name, _ in OVERFLOWING])
def test_the_same_numbers_are_accepted_for_a_float64_input(op, name, call):
    out = call(Tensor(np.array([-1.0, 0.0, 2.0])))
    assert out.dtype == np.float64


def test_infinite_arguments_convert_exactly_and_are_accepted():
    x = Tensor(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
    np.testing.assert_array_equal(F.hardtanh(x, -np.inf, np.inf).data, x.data)
    np.testing.assert_array_equal(F.threshold(x, -np.inf, 0.0).data, x.data)


@pytest.mark.parametrize("beta", [1e-40, -1e-40, 3e-39])
def test_softplus_with_a_beta_whose_reciprocal_overflows_float32_keeps_the_sigmoid_gradient(beta):
    # d/dx softplus(beta x) / beta = sigmoid(beta x) = 1/2 here; the value log(2) / beta is beyond or near
    # float32's largest (inf, -inf, or 2.31e38 as float32 rounds it)
    x = Tensor(np.array([2.0, -3.0, 0.0], dtype=np.float32), requires_grad=True)
    y = F.softplus(x, beta=beta)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [0.5, 0.5, 0.5])
    with np.errstate(over="ignore"):
        expected = np.full(3, np.log(2.0) / beta).astype(np.float32)
    np.testing.assert_allclose(y.data, expected, rtol=1e-6)


@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
def test_shrinkages_keep_plus_zero_in_the_band_and_pass_gradients_only_beyond_it(name):
    lambd = 0.5
    x = Tensor(np.array([-3.0, -0.5, -0.25, -0.0, 0.0, 0.5, 0.75, np.inf, -np.inf, np.nan]), requires_grad=True)
    y = getattr(F, name)(x, lambd)
    beyond = np.array([True, False, False, False, False, False, True, True, True, True])
    with np.errstate(invalid="ignore"):
        shifted = x.data - np.sign(x.data) * lambd if name == "softshrink" else x.data
    expected = np.where(beyond, shifted, 0.0)
    np.testing.assert_array_equal(y.data, expected)
    assert not np.signbit(y.data[~beyond]).any()  # +0 in the band, as torch's
    y.backward(np.full(10, np.inf))
    np.testing.assert_array_equal(x.grad, np.where(beyond, np.inf, 0.0))


@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
def test_shrinkages_have_second_derivatives_through_their_masks(name):
    x = np.array([-2.0, -0.3, 0.4, 1.5])
    assert gradgradcheck(lambda t: getattr(F, name)(t, 0.5) * t, [x])
