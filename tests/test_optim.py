"""Tests for nn.optim's optimizers without torch: two steps checked against formulas written out in the
test, Value parameters, dtypes, gradients left untouched, parameter groups, state_dict round trips and
bad input."""

import copy
import inspect
import math
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, Value

START = np.array([1.0, -2.0])
GRAD_1 = np.array([0.5, -1.5])
GRAD_2 = np.array([-0.25, 2.0])


def two_steps(optimizer_class, **options):
    """Two steps of ``optimizer_class`` on ``START`` with gradients GRAD_1 then GRAD_2."""
    parameter = nn.Parameter(START)
    optimizer = optimizer_class([parameter], **options)
    for grad in (GRAD_1, GRAD_2):
        parameter.grad = grad.copy()
        optimizer.step()
    return parameter._data  # (the array itself: its type is checked below)


def test_sgd_two_steps_with_momentum_dampening_and_weight_decay():
    lr, mu, tau, wd = 0.1, 0.9, 0.2, 0.05
    d1 = GRAD_1 + wd * START
    b1 = d1
    theta1 = START - lr * b1
    d2 = GRAD_2 + wd * theta1
    b2 = mu * b1 + (1 - tau) * d2
    theta2 = theta1 - lr * b2
    result = two_steps(nn.optim.SGD, lr=lr, momentum=mu, dampening=tau, weight_decay=wd)
    np.testing.assert_allclose(result, theta2, rtol=1e-14)


def test_sgd_nesterov_two_steps():
    lr, mu = 0.1, 0.9
    b1 = GRAD_1
    theta1 = START - lr * (GRAD_1 + mu * b1)
    b2 = mu * b1 + GRAD_2
    theta2 = theta1 - lr * (GRAD_2 + mu * b2)
    np.testing.assert_allclose(two_steps(nn.optim.SGD, lr=lr, momentum=mu, nesterov=True), theta2, rtol=1e-14)


def test_sgd_maximize_climbs_the_gradient():
    lr = 0.1
    expected = START + lr * GRAD_1 + lr * GRAD_2
    np.testing.assert_allclose(two_steps(nn.optim.SGD, lr=lr, maximize=True), expected, rtol=1e-14)


def test_adagrad_two_steps_with_lr_decay_and_initial_accumulator():
    lr, decay, start_sum, eps = 0.5, 0.1, 0.2, 1e-10
    sum1 = start_sum + GRAD_1**2
    theta1 = START - lr * GRAD_1 / (np.sqrt(sum1) + eps)
    sum2 = sum1 + GRAD_2**2
    theta2 = theta1 - lr / (1 + decay) * GRAD_2 / (np.sqrt(sum2) + eps)
    result = two_steps(nn.optim.Adagrad, lr=lr, lr_decay=decay, initial_accumulator_value=start_sum)
    np.testing.assert_allclose(result, theta2, rtol=1e-14)


def test_adagrad_refuses_an_initial_accumulator_a_float32_parameter_cannot_hold_as_torch():
    parameter = nn.Parameter(np.ones(2, dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's cast had given inf with a RuntimeWarning
        with pytest.raises(ValueError, match="Adagrad: initial_accumulator_value=1e\\+308 .*float32"):
            nn.optim.Adagrad([parameter], initial_accumulator_value=1e308)
    optimizer = nn.optim.Adagrad([nn.Parameter(np.ones(2))], initial_accumulator_value=1e308)  # float64 holds it
    assert optimizer.state[optimizer.param_groups[0]["params"][0]]["sum"][0] == 1e308


def test_adagrad_sums_start_at_the_constructors_initial_accumulator_in_every_group():
    """As torch's: a group's own initial_accumulator_value stays in the group, the sum starts at the default."""
    first, second = nn.Parameter(START), nn.Parameter(START)
    optimizer = nn.optim.Adagrad(
        [{"params": [first]}, {"params": [second], "initial_accumulator_value": 3.0}],
        lr=0.5,
        initial_accumulator_value=0.2,
    )
    assert optimizer.param_groups[1]["initial_accumulator_value"] == 3.0
    first.grad, second.grad = GRAD_1.copy(), GRAD_1.copy()
    optimizer.step()
    expected = START - 0.5 * GRAD_1 / (np.sqrt(0.2 + GRAD_1**2) + 1e-10)
    np.testing.assert_allclose(second.data, expected, rtol=1e-14)
    np.testing.assert_allclose(first.data, expected, rtol=1e-14)


def test_adagrad_holds_state_for_its_parameters_before_any_step():
    """As torch's, building Adagrad gives each parameter step 0 and its starting sum (saved by state_dict)."""
    stepped, untouched = nn.Parameter(START), nn.Parameter(np.zeros(3, dtype=np.float32))
    optimizer = nn.optim.Adagrad([stepped, untouched], initial_accumulator_value=0.5)
    state = optimizer.state_dict()["state"]
    assert sorted(state) == [0, 1] and state[1]["step"] == 0
    np.testing.assert_array_equal(state[1]["sum"], np.full(3, 0.5, dtype=np.float32))
    assert state[1]["sum"].dtype == np.float32
    stepped.grad = GRAD_1.copy()
    optimizer.step()
    assert optimizer.state[stepped]["step"] == 1 and optimizer.state[untouched]["step"] == 0


def test_rmsprop_two_steps_centered_with_momentum():
    lr, alpha, mu, eps = 0.01, 0.9, 0.5, 1e-8
    v1 = (1 - alpha) * GRAD_1**2
    m1 = (1 - alpha) * GRAD_1
    b1 = GRAD_1 / (np.sqrt(v1 - m1**2) + eps)
    theta1 = START - lr * b1
    v2 = alpha * v1 + (1 - alpha) * GRAD_2**2
    m2 = alpha * m1 + (1 - alpha) * GRAD_2
    b2 = mu * b1 + GRAD_2 / (np.sqrt(v2 - m2**2) + eps)
    theta2 = theta1 - lr * b2
    result = two_steps(nn.optim.RMSprop, lr=lr, alpha=alpha, momentum=mu, centered=True)
    np.testing.assert_allclose(result, theta2, rtol=1e-12)


def test_adam_two_steps_match_bias_corrected_formula():
    lr, beta1, beta2, eps, wd = 0.1, 0.8, 0.95, 1e-8, 0.01
    theta = START
    m = v = np.zeros(2)
    for t, raw_grad in enumerate((GRAD_1, GRAD_2), start=1):
        g = raw_grad + wd * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    result = two_steps(nn.optim.Adam, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=wd)
    np.testing.assert_allclose(result, theta, rtol=1e-14)


def test_adam_amsgrad_uses_the_largest_second_moment():
    lr, beta1, beta2 = 0.1, 0.0, 0.5  # beta1 = 0: the step is lr * g_t / sqrt(vmax_t / (1 - beta2^t))
    grads = [np.array([4.0, 1.0]), np.array([0.1, 0.1])]
    v1 = (1 - beta2) * grads[0] ** 2
    v2 = beta2 * v1 + (1 - beta2) * grads[1] ** 2
    vmax2 = np.maximum(v1, v2)
    theta1 = START - lr * grads[0] / (np.sqrt(v1) / math.sqrt(1 - beta2) + 1e-8)
    theta2 = theta1 - lr * grads[1] / (np.sqrt(vmax2) / math.sqrt(1 - beta2**2) + 1e-8)
    parameter = nn.Parameter(START)
    optimizer = nn.optim.Adam([parameter], lr=lr, betas=(beta1, beta2), amsgrad=True)
    for grad in grads:
        parameter.grad = grad
        optimizer.step()
    np.testing.assert_allclose(parameter.data, theta2, rtol=1e-14)


def test_adamw_decays_the_parameter_not_the_gradient():
    lr, wd = 0.1, 0.5
    theta = START
    m = v = np.zeros(2)
    for t, g in enumerate((GRAD_1, GRAD_2), start=1):
        theta = theta * (1 - lr * wd)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        theta = theta - lr / (1 - 0.9**t) * m / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(two_steps(nn.optim.AdamW, lr=lr, weight_decay=wd), theta, rtol=1e-14)


def test_decoupled_weight_decay_is_a_group_option_saved_in_the_state_dict_as_torch():
    decoupled, coupled = nn.Parameter(START.copy()), nn.Parameter(START.copy())
    groups = [{"params": [decoupled], "decoupled_weight_decay": True}, {"params": [coupled]}]
    optimizer = nn.optim.Adam(groups, lr=0.1, weight_decay=0.5)
    reference = nn.optim.AdamW([nn.Parameter(START.copy())], lr=0.1, weight_decay=0.5)
    for grad in (GRAD_1, GRAD_2):
        decoupled.grad, coupled.grad, reference.param_groups[0]["params"][0].grad = grad, grad, grad
        optimizer.step()
        reference.step()
    np.testing.assert_array_equal(decoupled.data, reference.param_groups[0]["params"][0].data)
    np.testing.assert_array_equal(coupled.data, two_steps(nn.optim.Adam, lr=0.1, weight_decay=0.5))
    saved = optimizer.state_dict()
    assert [group["decoupled_weight_decay"] for group in saved["param_groups"]] == [True, False]
    assert reference.state_dict()["param_groups"][0]["decoupled_weight_decay"] is True
    restored = nn.optim.Adam([{"params": [nn.Parameter(START)]}, {"params": [nn.Parameter(START)]}], lr=0.1)
    restored.load_state_dict(saved)
    assert [group["decoupled_weight_decay"] for group in restored.param_groups] == [True, False]
    del saved["param_groups"][0]["decoupled_weight_decay"]  # saved before the option existed: AdamW's is True
    adamw = nn.optim.AdamW([{"params": [nn.Parameter(START)]}, {"params": [nn.Parameter(START)]}], lr=0.1)
    adamw.load_state_dict(saved)
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True


def test_adamax_two_steps_match_the_infinity_norm_formula():
    lr, beta1, beta2, eps, wd = 0.1, 0.8, 0.95, 1e-3, 0.01
    theta = START
    m = u = np.zeros(2)
    for t, raw_grad in enumerate((GRAD_1, GRAD_2), start=1):
        g = raw_grad + wd * theta
        m = beta1 * m + (1 - beta1) * g
        u = np.maximum(beta2 * u, np.abs(g) + eps)
        theta = theta - lr / (1 - beta1**t) * m / u
    result = two_steps(nn.optim.Adamax, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=wd)
    np.testing.assert_allclose(result, theta, rtol=1e-14)


@pytest.mark.parametrize("decoupled", [False, True])
def test_nadam_two_steps_match_the_momentum_schedule_formula(decoupled):
    lr, beta1, beta2, eps, wd, psi = 0.1, 0.8, 0.95, 1e-8, 0.2, 0.05
    theta = START
    m = v = np.zeros(2)
    product = 1.0
    for t, raw_grad in enumerate((GRAD_1, GRAD_2), start=1):
        if decoupled:
            theta, g = theta * (1 - lr * wd), raw_grad
        else:
            g = raw_grad + wd * theta
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        product = product * mu_t
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        d = np.sqrt(v / (1 - beta2**t)) + eps
        theta = theta - lr * (1 - mu_t) / (1 - product) * g / d - lr * mu_next / (1 - product * mu_next) * m / d
    parameter = nn.Parameter(START)
    optimizer = nn.optim.NAdam(
        [parameter], lr=lr, betas=(beta1, beta2), weight_decay=wd, momentum_decay=psi, decoupled_weight_decay=decoupled
    )
    run(optimizer, parameter, [GRAD_1, GRAD_2])
    np.testing.assert_allclose(parameter.data, theta, rtol=1e-14)
    assert optimizer.state[parameter]["mu_product"] == pytest.approx(product, rel=1e-15)


def radam_formula(grads, lr, betas, eps=1e-8, wd=0.0, decoupled=False):
    """RAdam written out: momentum steps while rho_t <= 5, rectified adaptive steps after."""
    beta1, beta2 = betas
    theta = START
    m = v = np.zeros(2)
    rho_inf = 2 / (1 - beta2) - 1
    rectified = []
    for t, raw_grad in enumerate(grads, start=1):
        if decoupled:
            theta, g = theta * (1 - lr * wd), raw_grad
        else:
            g = raw_grad + wd * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        rectified.append(rho_t > 5)
        if rho_t > 5:
            r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            theta = theta - lr * m_hat * r * math.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
        else:
            theta = theta - lr * m_hat
    return theta, rectified


RADAM_GRADS = [np.array([0.5 - 0.1 * k, -1.5 + 0.3 * k]) for k in range(9)]


@pytest.mark.parametrize(("wd", "decoupled"), [(0.0, False), (0.1, False), (0.1, True)])
def test_radam_steps_match_the_formula_before_and_after_the_rectification_starts(wd, decoupled):
    options = {"lr": 0.1, "betas": (0.8, 0.999)}
    expected, rectified = radam_formula(RADAM_GRADS, wd=wd, decoupled=decoupled, **options)
    assert rectified == [False] * 5 + [True] * 4  # rho_t > 5 from the sixth step on
    parameter = nn.Parameter(START)
    run(
        nn.optim.RAdam([parameter], weight_decay=wd, decoupled_weight_decay=decoupled, **options),
        parameter,
        RADAM_GRADS,
    )
    np.testing.assert_allclose(parameter.data, expected, rtol=1e-13)


def test_radam_with_a_small_beta2_never_rectifies_and_is_bias_corrected_momentum():
    expected, rectified = radam_formula(RADAM_GRADS, lr=0.1, betas=(0.8, 0.6))  # rho_inf = 4: rho_t is never > 5
    assert not any(rectified)
    parameter = nn.Parameter(START)
    run(nn.optim.RAdam([parameter], lr=0.1, betas=(0.8, 0.6)), parameter, RADAM_GRADS)
    np.testing.assert_allclose(parameter.data, expected, rtol=1e-14)


def test_adadelta_two_steps_match_the_formula():
    lr, rho, eps, wd = 0.5, 0.8, 1e-4, 0.05
    theta = START
    v = u = np.zeros(2)
    for raw_grad in (GRAD_1, GRAD_2):
        g = raw_grad + wd * theta
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
    result = two_steps(nn.optim.Adadelta, lr=lr, rho=rho, eps=eps, weight_decay=wd)
    np.testing.assert_allclose(result, theta, rtol=1e-14)


def test_rprop_steps_follow_the_signs_of_the_gradients():
    lr, eta_minus, eta_plus, low, high = 0.1, 0.5, 1.2, 0.07, 0.13
    # first coordinate: the same sign (speed up), then a flip (slow down to the floor 0.07 and skip the step),
    # then a product with the skipped, zeroed gradient: 0 (size kept); second: a flip at once, then growth
    # from the floor; third: a zero gradient first (no step), then growth up to the cap 0.13
    grads = [
        np.array([1.0, -2.0, 0.0]),
        np.array([3.0, 0.5, 1.0]),
        np.array([-1.0, 0.25, 1.0]),
        np.array([-2.0, 4.0, 1.0]),
    ]
    theta, previous = np.array([1.0, -2.0, 0.5]), np.zeros(3)
    sizes = np.full(3, lr)
    for g in grads:
        product = g * previous
        factor = np.where(product > 0, eta_plus, np.where(product < 0, eta_minus, 1.0))
        sizes = np.clip(sizes * factor, low, high)
        g = np.where(product < 0, 0.0, g)
        theta = theta - np.sign(g) * sizes
        previous = g
    parameter = nn.Parameter(np.array([1.0, -2.0, 0.5]))
    optimizer = nn.optim.Rprop([parameter], lr=lr, etas=(eta_minus, eta_plus), step_sizes=(low, high))
    run(optimizer, parameter, grads)
    np.testing.assert_allclose(parameter.data, theta, rtol=1e-15)
    np.testing.assert_allclose(optimizer.state[parameter]["step_size"], sizes, rtol=1e-15)
    np.testing.assert_array_equal(optimizer.state[parameter]["prev"], previous)
    assert optimizer.state[parameter]["step"] == 4
    np.testing.assert_allclose(sizes, [0.07, 0.07 * 1.2, 0.13])  # the floor, growth and the cap were reached


@pytest.mark.parametrize(
    ("optimizer_class", "options"),
    [
        (nn.optim.Adamax, {"lr": 0.1, "weight_decay": 0.1}),
        (nn.optim.NAdam, {"lr": 0.1, "weight_decay": 0.1}),
        (nn.optim.NAdam, {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}),
        (nn.optim.RAdam, {"lr": 0.1, "weight_decay": 0.1}),
        (nn.optim.Adadelta, {"lr": 1.0, "weight_decay": 0.1, "maximize": True}),
        (nn.optim.Rprop, {"lr": 0.1}),
    ],
    ids=["Adamax", "NAdam", "NAdam-decoupled", "RAdam", "Adadelta", "Rprop"],
)
def test_a_scalar_value_parameter_is_updated_as_a_one_element_tensor(optimizer_class, options):
    scalar, tensor = Value(1.5), nn.Parameter(np.array([1.5]))
    optimizer = optimizer_class([scalar, tensor], **options)
    grads = [0.5, -0.25, 2.0, 1.0, 0.75, -0.5, 0.3, 0.3]  # eight steps: RAdam's rectified steps start at the sixth
    for grad in grads:
        scalar.grad = grad
        tensor.grad = np.array([grad])
        optimizer.step()
    assert type(scalar.data) is float
    assert scalar.data != 1.5
    assert scalar.data == pytest.approx(tensor.data[0], rel=1e-15)
    state = optimizer.state_dict()["state"]
    assert set(state[0]) == set(state[1]) and state[0]["step"] == len(grads)


# -- the lecture's forms (deck 004) -------------------------------------------------------
def deck_adam(grads, theta, lr, betas, eps, weight_decay=0.0, amsgrad=False, maximize=False):
    """Deck 004's Adam pseudo-code, line by line (v_hat_max is the maximum of the bias-corrected v_hat)."""
    beta1, beta2 = betas
    m = v = v_hat_max = np.zeros_like(theta)
    for t, gradient in enumerate(grads, start=1):
        g = -gradient if maximize else gradient
        if weight_decay != 0:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        if amsgrad:
            v_hat_max = np.maximum(v_hat_max, v_hat)
            theta = theta - lr * m_hat / (np.sqrt(v_hat_max) + eps)
        else:
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def deck_adagrad(grads, theta, lr, eps):
    """Deck 004's AdaGrad: G <- G + g^2; w <- w - lr / sqrt(G + eps) * g."""
    accumulated = np.zeros_like(theta)
    for g in grads:
        accumulated = accumulated + g**2
        theta = theta - lr / np.sqrt(accumulated + eps) * g
    return theta


def quadratic_gradients(optimizer, parameter, steps):
    """Run ``steps`` steps on f(w) = 0.5 w^T A w with an ill-conditioned A; return the gradients seen."""
    curvature = np.array([[3.0, 0.8], [0.8, 0.2]])
    seen = []
    for _ in range(steps):
        parameter.grad = curvature @ parameter.data
        seen.append(parameter.grad.copy())
        optimizer.step()
    return seen


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_with_corrected_amsgrad_max_is_the_decks_pseudo_code(amsgrad, maximize, weight_decay):
    options = {"lr": 0.05, "betas": (0.9, 0.99), "eps": 1e-8, "weight_decay": weight_decay}
    parameter = nn.Parameter(START)
    optimizer = nn.optim.Adam([parameter], amsgrad=amsgrad, maximize=maximize, amsgrad_max="corrected", **options)
    seen = quadratic_gradients(optimizer, parameter, 100)
    expected = deck_adam(seen, START, amsgrad=amsgrad, maximize=maximize, **options)
    np.testing.assert_allclose(parameter.data, expected, rtol=1e-12, atol=1e-15)


def test_adam_raw_amsgrad_max_differs_from_the_deck_and_never_takes_smaller_steps():
    options = {"lr": 0.05, "betas": (0.9, 0.99), "eps": 1e-8}
    grads = [np.array([4.0, -3.0])] + [np.array([0.1, 0.2])] * 20  # one large gradient, then small ones
    raw, corrected = nn.Parameter(START), nn.Parameter(START)
    raw_optimizer = nn.optim.Adam([raw], amsgrad=True, **options)
    corrected_optimizer = nn.optim.Adam([corrected], amsgrad=True, amsgrad_max="corrected", **options)
    for grad in grads:  # the same gradients, so the same m: only the denominators differ
        raw_before, corrected_before = raw.data, corrected.data
        raw.grad, corrected.grad = grad.copy(), grad.copy()
        raw_optimizer.step()
        corrected_optimizer.step()
        assert np.all(np.abs(raw.data - raw_before) >= np.abs(corrected.data - corrected_before))
    raw_state, corrected_state = raw_optimizer.state[raw], corrected_optimizer.state[corrected]
    assert "max_exp_avg_sq_corrected" not in raw_state and "max_exp_avg_sq" not in corrected_state
    bias_correction = 1 - 0.99 ** len(grads)
    assert np.all(corrected_state["max_exp_avg_sq_corrected"] > raw_state["max_exp_avg_sq"] / bias_correction)
    assert np.max(np.abs(raw.data - corrected.data)) > 1e-2
    np.testing.assert_allclose(corrected.data, deck_adam(grads, START, amsgrad=True, **options), rtol=1e-12)


def test_adamw_accepts_amsgrad_max():
    parameter = nn.Parameter(START)
    optimizer = nn.optim.AdamW([parameter], lr=0.1, weight_decay=0.0, amsgrad=True, amsgrad_max="corrected")
    seen = quadratic_gradients(optimizer, parameter, 30)
    expected = deck_adam(seen, START, lr=0.1, betas=(0.9, 0.999), eps=1e-8, amsgrad=True)
    np.testing.assert_allclose(parameter.data, expected, rtol=1e-12)


@pytest.mark.parametrize("eps", [1e-10, 1e-8, 0.1])
def test_adagrad_with_eps_inside_sqrt_is_the_decks_form(eps):
    parameter = nn.Parameter(START)
    optimizer = nn.optim.Adagrad([parameter], lr=0.5, eps=eps, eps_inside_sqrt=True)
    seen = quadratic_gradients(optimizer, parameter, 50)
    np.testing.assert_allclose(parameter.data, deck_adagrad(seen, START, 0.5, eps), rtol=1e-12)


def test_adagrad_eps_placement_matters_only_for_a_large_eps():
    results = {}
    for inside in (False, True):
        for eps in (1e-10, 0.1):
            parameter = nn.Parameter(START)
            quadratic_gradients(nn.optim.Adagrad([parameter], lr=0.5, eps=eps, eps_inside_sqrt=inside), parameter, 50)
            results[inside, eps] = parameter.data
    np.testing.assert_allclose(results[True, 1e-10], results[False, 1e-10], rtol=1e-8)
    assert np.max(np.abs(results[True, 0.1] - results[False, 0.1])) > 1e-3


@pytest.mark.parametrize(
    ("optimizer_class", "option", "value"),
    [
        (nn.optim.Adam, "amsgrad_max", "corrected"),
        (nn.optim.AdamW, "amsgrad_max", "corrected"),
        (nn.optim.Adagrad, "eps_inside_sqrt", True),
    ],
)
def test_lecture_options_are_saved_in_the_param_groups(optimizer_class, option, value):
    optimizer = optimizer_class([nn.Parameter(START)], lr=0.1, **{option: value})
    assert optimizer.param_groups[0][option] == value
    assert optimizer.state_dict()["param_groups"][0][option] == value
    other = optimizer_class([nn.Parameter(START)], lr=0.1)
    other.load_state_dict(optimizer.state_dict())
    assert other.param_groups[0][option] == value


@pytest.mark.parametrize(
    ("optimizer_class", "option", "default"),
    [(nn.optim.Adam, "amsgrad_max", "raw"), (nn.optim.Adagrad, "eps_inside_sqrt", False)],
)
def test_a_state_dict_saved_before_a_lecture_option_existed_loads_with_its_default(optimizer_class, option, default):
    parameter = nn.Parameter(START)
    optimizer = optimizer_class([parameter], lr=0.1)
    run(optimizer, parameter, [GRAD_1, GRAD_2])
    old = optimizer.state_dict()
    del old["param_groups"][0][option]
    restored = optimizer_class(
        [nn.Parameter(START)], lr=0.1, **{option: not default if default is False else "corrected"}
    )
    restored.load_state_dict(old)
    assert restored.param_groups[0][option] == default
    assert option not in old["param_groups"][0]


ALL_OPTIMIZERS = [
    (nn.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    (nn.optim.Adagrad, {"lr": 0.1}),
    (nn.optim.Adagrad, {"lr": 0.1, "eps_inside_sqrt": True}),
    (nn.optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (nn.optim.Adam, {"lr": 0.05, "amsgrad": True}),
    (nn.optim.Adam, {"lr": 0.05, "amsgrad": True, "amsgrad_max": "corrected"}),
    (nn.optim.AdamW, {"lr": 0.05}),
    (nn.optim.Adamax, {"lr": 0.05}),
    (nn.optim.NAdam, {"lr": 0.05}),
    (nn.optim.NAdam, {"lr": 0.05, "decoupled_weight_decay": True}),
    (nn.optim.RAdam, {"lr": 0.05}),
    (nn.optim.Adadelta, {"lr": 1.0, "eps": 1e-3}),
    (nn.optim.Rprop, {"lr": 0.01}),
    (nn.optim.SparseAdam, {"lr": 0.05}),
]
IDS = [
    f"{cls.__name__}[{','.join(f'{key}={value}' for key, value in options.items())}]" for cls, options in ALL_OPTIMIZERS
]

EVERY_OPTIMIZER = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"]


def takes(optimizer_class, name):
    """Whether ``optimizer_class`` has the argument ``name`` (Rprop has no eps and no weight_decay)."""
    return name in inspect.signature(optimizer_class).parameters


@pytest.mark.parametrize(("optimizer_class", "options"), ALL_OPTIMIZERS, ids=IDS)
def test_value_parameters_of_a_scalar_mlp_reduce_the_loss(optimizer_class, options):
    model = nn.MLP(2, [4, 1], seed=1)
    data = [([0.5, -1.0], 1.0), ([-0.3, 0.8], -1.0), ([1.2, 0.4], 0.5), ([-1.0, -0.6], 0.0)]
    optimizer = optimizer_class(model.parameters(), **options)

    def loss():
        return sum(((model(x) - y) ** 2 for x, y in data), Value(0.0))

    first = loss().data
    for _ in range(60):
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()
    assert all(isinstance(p.data, float) for p in model.parameters())
    assert loss().data < 0.5 * first


def test_value_and_tensor_parameters_follow_the_same_update():
    scalar = Value(START[0])
    tensor = nn.Parameter(START[:1])
    optimizer = nn.optim.Adam([scalar, tensor], lr=0.1)
    for grad in (GRAD_1, GRAD_2):
        scalar.grad = float(grad[0])
        tensor.grad = grad[:1].copy()
        optimizer.step()
    assert type(scalar.data) is float
    assert scalar.data == pytest.approx(tensor.data[0], rel=1e-15)


def test_state_is_kept_per_parameter_even_for_equal_values():
    first, second = Value(1.0), Value(1.0)  # equal data: Value.__eq__ says they are ==
    optimizer = nn.optim.SGD([first, second], lr=0.1, momentum=0.9)
    first.grad, second.grad = 1.0, -1.0
    optimizer.step()
    assert optimizer.state[first]["momentum_buffer"] == 1.0
    assert optimizer.state[second]["momentum_buffer"] == -1.0
    assert len(optimizer.state) == 2


@pytest.mark.parametrize(("optimizer_class", "options"), ALL_OPTIMIZERS, ids=IDS)
def test_float32_parameters_and_state_stay_float32(optimizer_class, options):
    parameter = nn.Parameter(START.astype(np.float32))
    optimizer = optimizer_class([parameter], **options)
    for grad in (GRAD_1, GRAD_2):
        parameter.grad = grad.astype(np.float32)
        optimizer.step()
    assert parameter.dtype == np.float32
    state = optimizer.state_dict()["state"][0]
    assert all(value.dtype == np.float32 for value in state.values() if isinstance(value, np.ndarray))
    expected = two_steps(optimizer_class, **options)
    np.testing.assert_allclose(parameter.data, expected, rtol=1e-5)


@pytest.mark.parametrize(("optimizer_class", "options"), ALL_OPTIMIZERS, ids=IDS)
def test_step_never_writes_into_the_gradient_or_caller_array(optimizer_class, options):
    caller_array = START.copy()
    parameter = Tensor(caller_array, requires_grad=True)  # shares memory with caller_array
    decay = {"weight_decay": 0.1} if takes(optimizer_class, "weight_decay") else {}  # Rprop has none
    optimizer = optimizer_class([parameter], **{**options, **decay, "maximize": True})
    shared_grad = GRAD_1.copy()
    for _ in range(3):
        parameter.grad = shared_grad
        optimizer.step()
    np.testing.assert_array_equal(shared_grad, GRAD_1)
    np.testing.assert_array_equal(caller_array, START)
    assert not np.array_equal(parameter.data, START)


def test_step_skips_tensors_without_gradient_but_steps_values_with_zero_gradient():
    tensor, scalar = nn.Parameter(START), Value(2.0)
    optimizer = nn.optim.SGD([tensor, scalar], lr=0.1, weight_decay=0.5)
    optimizer.step()  # tensor.grad is None: skipped; scalar.grad is 0.0: weight decay applies
    np.testing.assert_array_equal(tensor.data, START)
    assert 0 not in optimizer.state_dict()["state"]
    assert scalar.data == pytest.approx(2.0 - 0.1 * 0.5 * 2.0)


def test_zero_grad_resets_tensors_to_none_and_values_to_zero():
    tensor, scalar = nn.Parameter(START), Value(2.0)
    tensor.sum().backward()
    (scalar * scalar).backward()
    assert tensor.grad is not None and scalar.grad == 4.0
    optimizer = nn.optim.SGD([tensor, scalar])
    optimizer.zero_grad()
    assert tensor.grad is None
    assert scalar.grad == 0.0


def test_gradient_recorded_with_create_graph_is_used_by_its_data():
    parameter = nn.Parameter(START)
    (parameter**2).sum().backward(create_graph=True)
    nn.optim.SGD([parameter], lr=0.5).step()
    np.testing.assert_allclose(parameter.data, START - 0.5 * 2 * START)


def test_step_runs_the_closure_and_returns_its_loss():
    parameter = nn.Parameter(START)
    optimizer = nn.optim.SGD([parameter], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (parameter**2).sum()
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(parameter.data, START - 0.25 * 2 * START)


def test_gradient_of_the_wrong_shape_raises_before_any_parameter_changes():
    first, second = nn.Parameter(START), nn.Parameter(START)
    optimizer = nn.optim.SGD([first, second], lr=0.1)
    first.grad = GRAD_1.copy()
    second.grad = GRAD_1.copy()
    second.data = np.ones(3)  # the parameter's array replaced after backward: its gradient no longer fits
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        optimizer.step()
    np.testing.assert_array_equal(first.data, START)
    with pytest.raises(RuntimeError, match="different size"):  # assigning such a gradient is refused at once
        second.grad = np.ones(2)


def test_param_groups_override_defaults_and_add_param_group_appends():
    first, second, third = nn.Parameter(START), nn.Parameter(START), Value(1.0)
    optimizer = nn.optim.SGD([{"params": [first]}, {"params": second, "lr": 0.5}], lr=0.1, momentum=0.9)
    optimizer.add_param_group({"params": [third], "momentum": 0.0})
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.5, 0.1]
    assert [group["momentum"] for group in optimizer.param_groups] == [0.9, 0.9, 0.0]
    first.grad, second.grad, third.grad = GRAD_1.copy(), GRAD_1.copy(), 1.0
    optimizer.step()
    np.testing.assert_allclose(first.data, START - 0.1 * GRAD_1)
    np.testing.assert_allclose(second.data, START - 0.5 * GRAD_1)
    assert third.data == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ([], ValueError, "empty parameter list"),
        (nn.Parameter(START), TypeError, "single Parameter"),
        ({nn.Parameter(START)}, TypeError, "ordered collection"),
        ([np.zeros(2)], TypeError, "Tensors and Values, got ndarray"),
        ([nn.Parameter(START) * 2], ValueError, "non-leaf"),
        ([Value(1.0) * 2], ValueError, "non-leaf Value"),
    ],
    ids=["empty", "single", "set", "ndarray", "non-leaf", "non-leaf-value"],
)
def test_bad_parameter_lists_raise_clear_errors(params, error, message):
    with pytest.raises(error, match=message):
        nn.optim.SGD(params, lr=0.1)


@pytest.mark.parametrize("name", EVERY_OPTIMIZER)
def test_frozen_parameters_stay_in_the_optimizer_and_do_not_move_as_in_torch(name):
    # fine-tuning: freeze a layer, keep model.parameters() in the optimizer; weight decay and momentum leave it be
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
    model[0].requires_grad_(False)
    frozen_before = [p.data.copy() for p in model[0].parameters()]
    trained_before = [p.data.copy() for p in model[2].parameters()]
    options = {"lr": 0.1} | ({"momentum": 0.9} if name in ("SGD", "RMSprop") else {})
    if takes(getattr(nn.optim, name), "weight_decay"):
        options["weight_decay"] = 0.01
    optimizer = getattr(nn.optim, name)(model.parameters(), **options)
    for _ in range(3):
        optimizer.zero_grad()
        model(np.ones((2, 3), dtype=np.float32)).sum().backward()
        optimizer.step()
    assert all(np.array_equal(p.data, before) for p, before in zip(model[0].parameters(), frozen_before))
    assert all(not np.array_equal(p.data, before) for p, before in zip(model[2].parameters(), trained_before))
    constant, value = Tensor(START), Value(1.0, requires_grad=False)
    nn.optim.SGD([constant, value], lr=0.1, weight_decay=0.5).step()  # accepted, and nothing moves
    np.testing.assert_array_equal(constant.data, START)
    assert value.data == 1.0


def test_a_parameter_in_two_groups_is_rejected():
    parameter = nn.Parameter(START)
    optimizer = nn.optim.SGD([parameter], lr=0.1)
    with pytest.raises(ValueError, match="more than one param group"):
        optimizer.add_param_group({"params": [parameter]})
    assert len(optimizer.param_groups) == 1


def test_a_parameter_twice_in_one_group_warns_and_is_updated_twice_as_torch():
    parameter = nn.Parameter(START.copy())
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optimizer = nn.optim.SGD([parameter, parameter], lr=0.1)
    assert len(optimizer.param_groups[0]["params"]) == 2
    parameter.grad = np.ones_like(START)
    optimizer.step()
    np.testing.assert_allclose(parameter.data, START - 2 * 0.1)


@pytest.mark.parametrize(
    ("optimizer_class", "options", "message"),
    [
        (nn.optim.SGD, {"lr": -0.1}, "SGD: lr must be >= 0, got -0.1"),
        (nn.optim.SGD, {"lr": "fast"}, "lr must be a real number"),
        (nn.optim.SGD, {"momentum": -1.0}, "momentum must be >= 0"),
        (nn.optim.SGD, {"nesterov": True}, "nesterov momentum requires momentum > 0"),
        (nn.optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening = 0"),
        (nn.optim.SGD, {"maximize": "yes"}, "maximize must be True or False"),
        (nn.optim.Adagrad, {"lr_decay": -0.1}, "lr_decay must be >= 0"),
        (nn.optim.Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value must be >= 0"),
        (nn.optim.RMSprop, {"alpha": -0.5}, "alpha must be >= 0"),
        (nn.optim.RMSprop, {"eps": float("nan")}, "eps must be finite, got nan"),
        (nn.optim.Adam, {"betas": (1.0, 0.999)}, r"betas\[0\] must be in \[0, 1\), got 1.0"),
        (nn.optim.Adam, {"betas": (0.9, -0.1)}, r"betas\[1\] must be in \[0, 1\), got -0.1"),
        (nn.optim.Adam, {"betas": 0.9}, "betas must be a pair"),
        (nn.optim.AdamW, {"weight_decay": -0.01}, "weight_decay must be >= 0"),
        (nn.optim.Adam, {"amsgrad_max": "lecture"}, "Adam: amsgrad_max must be 'raw' or 'corrected', got 'lecture'"),
        (nn.optim.AdamW, {"amsgrad_max": None}, "AdamW: amsgrad_max must be 'raw' or 'corrected', got None"),
        (nn.optim.Adagrad, {"eps_inside_sqrt": 1}, "Adagrad: eps_inside_sqrt must be True or False, got 1"),
        (nn.optim.Adamax, {"lr": -0.1}, "Adamax: lr must be >= 0, got -0.1"),
        (nn.optim.Adamax, {"eps": -1e-8}, "Adamax: eps must be >= 0, got -1e-08"),
        (nn.optim.Adamax, {"betas": (1.0, 0.999)}, r"Adamax: betas\[0\] must be in \[0, 1\), got 1.0"),
        (nn.optim.Adamax, {"weight_decay": -0.1}, "Adamax: weight_decay must be >= 0, got -0.1"),
        (nn.optim.NAdam, {"momentum_decay": -0.004}, "NAdam: momentum_decay must be >= 0, got -0.004"),
        (nn.optim.NAdam, {"betas": (0.9, 1.0)}, r"NAdam: betas\[1\] must be in \[0, 1\), got 1.0"),
        (nn.optim.NAdam, {"decoupled_weight_decay": "yes"}, "NAdam: decoupled_weight_decay must be True or False"),
        (nn.optim.NAdam, {"lr": float("inf")}, "NAdam: lr must be finite, got inf"),
        (nn.optim.RAdam, {"betas": 0.9}, r"RAdam: betas must be a pair \(beta1, beta2\), got 0.9"),
        (nn.optim.RAdam, {"betas": (-0.1, 0.999)}, r"RAdam: betas\[0\] must be in \[0, 1\), got -0.1"),
        (nn.optim.RAdam, {"weight_decay": -1.0}, "RAdam: weight_decay must be >= 0, got -1.0"),
        (nn.optim.RAdam, {"decoupled_weight_decay": 1}, "RAdam: decoupled_weight_decay must be True or False, got 1"),
        (nn.optim.Adadelta, {"rho": 1.5}, r"Adadelta: rho must be in \[0, 1\], got 1.5"),
        (nn.optim.Adadelta, {"rho": -0.1}, r"Adadelta: rho must be in \[0, 1\], got -0.1"),
        (nn.optim.Adadelta, {"eps": -1e-6}, "Adadelta: eps must be >= 0, got -1e-06"),
        (nn.optim.Adadelta, {"lr": -1.0}, "Adadelta: lr must be >= 0, got -1.0"),
        (nn.optim.Rprop, {"lr": -0.01}, "Rprop: lr must be >= 0, got -0.01"),
        (nn.optim.Rprop, {"etas": (1.0, 1.2)}, r"Rprop: etas\[0\] \(etaminus\) must be in \(0, 1\), got 1.0"),
        (nn.optim.Rprop, {"etas": (0.0, 1.2)}, r"Rprop: etas\[0\] \(etaminus\) must be in \(0, 1\), got 0.0"),
        (nn.optim.Rprop, {"etas": (0.5, 1.0)}, r"Rprop: etas\[1\] \(etaplus\) must be > 1, got 1.0"),
        (nn.optim.Rprop, {"etas": 0.5}, r"Rprop: etas must be a pair \(etaminus, etaplus\), got 0.5"),
        (nn.optim.Rprop, {"step_sizes": (-1e-6, 50)}, r"Rprop: step_sizes\[0\] \(step_size_min\) must be >= 0"),
        (
            nn.optim.Rprop,
            {"step_sizes": (0.1, 0.01)},
            r"Rprop: step_sizes\[1\] \(step_size_max\) must be >= 0.1, got 0.01",
        ),
        (nn.optim.Rprop, {"step_sizes": (1e-6,)}, r"Rprop: step_sizes must be a pair \(step_size_min, step_size_max\)"),
        (nn.optim.Rprop, {"maximize": None}, "Rprop: maximize must be True or False, got None"),
    ],
)
def test_bad_hyperparameters_raise_clear_errors(optimizer_class, options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        optimizer_class([nn.Parameter(START)], **options)


def run(optimizer, parameter, grads):
    for grad in grads:
        parameter.grad = grad.copy()
        optimizer.step()


@pytest.mark.parametrize(("optimizer_class", "options"), ALL_OPTIMIZERS, ids=IDS)
def test_state_dict_round_trip_continues_like_an_uninterrupted_run(optimizer_class, options):
    grads = [np.array([0.3 * k, -0.2 * k + 1]) for k in range(6)]
    uninterrupted = nn.Parameter(START)
    run(optimizer_class([uninterrupted], **options), uninterrupted, grads)

    interrupted = nn.Parameter(START)
    saved_optimizer = optimizer_class([interrupted], **options)
    run(saved_optimizer, interrupted, grads[:3])
    saved, saved_data = saved_optimizer.state_dict(), interrupted.data.copy()
    run(saved_optimizer, interrupted, grads[3:4])  # the saved dict is a copy: later steps leave it alone

    resumed = nn.Parameter(saved_data)
    fresh_optimizer = optimizer_class([resumed], lr=123.0)  # hyper-parameters come from the state dict
    fresh_optimizer.load_state_dict(saved)
    assert fresh_optimizer.param_groups[0]["lr"] == options["lr"]
    run(fresh_optimizer, resumed, grads[3:])
    np.testing.assert_array_equal(resumed.data, uninterrupted.data)


def adam_after_two_steps():
    parameter = nn.Parameter(START)
    optimizer = nn.optim.Adam([parameter], lr=0.1)
    run(optimizer, parameter, [GRAD_1, GRAD_2])
    return optimizer


def corrupt(change):
    state = adam_after_two_steps().state_dict()
    change(state)
    return state


BAD_STATE_DICTS = {
    "missing top-level key": (lambda sd: sd.pop("state"), "missing keys \\['state'\\]"),
    "extra group": (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])), "2 param groups"),
    "wrong parameter count": (lambda sd: sd["param_groups"][0]["params"].append(1), "2 saved parameters"),
    "missing option": (lambda sd: sd["param_groups"][0].pop("betas"), "missing options \\['betas'\\]"),
    "bad option value": (lambda sd: sd["param_groups"][0].update(eps=-1.0), "eps must be >= 0, got -1.0"),
    "state of unknown index": (lambda sd: sd["state"].update({5: {}}), "index 5"),
    "unexpected state key": (
        lambda sd: sd["state"][0].update(velocity=np.zeros(2)),
        "unexpected keys \\['velocity'\\]",
    ),
    "state missing a key": (lambda sd: sd["state"][0].pop("exp_avg_sq"), "missing keys \\['exp_avg_sq'\\]"),
    "mis-shaped state": (lambda sd: sd["state"][0].update(exp_avg=np.zeros(3)), "'exp_avg' has shape \\(3,\\)"),
    "negative step": (lambda sd: sd["state"][0].update(step=-2), "state 0: 'step' must be an integer >= 0, got -2"),
}


@pytest.mark.parametrize("case", list(BAD_STATE_DICTS))
def test_bad_state_dict_raises_and_leaves_the_optimizer_unchanged(case):
    change, message = BAD_STATE_DICTS[case]
    optimizer = adam_after_two_steps()
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(corrupt(change))
    after = optimizer.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for key, value in before["state"][0].items():
        np.testing.assert_array_equal(after["state"][0][key], value)


def test_bad_state_dict_error_lists_every_problem():
    def break_twice(state):
        state["param_groups"][0].update(eps=-1.0)
        state["state"][0].update(exp_avg=np.zeros(3))

    with pytest.raises(ValueError, match=r"(?s)eps must be >= 0, got -1.0.*'exp_avg' has shape"):
        adam_after_two_steps().load_state_dict(corrupt(break_twice))


@pytest.mark.parametrize("name", ["Adam", "ASGD"])
def test_a_state_dict_saved_after_a_schedule_took_lr_below_zero_loads_again(name):
    # LinearLR ending at 0 leaves lr a rounding error below it (torch's too), and ASGD's eta follows it; torch loads
    # any lr, and so does this
    parameter = nn.Parameter(START.copy())
    optimizer = getattr(nn.optim, name)([parameter], lr=1.0)
    schedule = nn.optim.lr_scheduler.LinearLR(optimizer, start_factor=1 / 3, end_factor=0.0, total_iters=5)
    for _ in range(6):
        parameter.grad = np.ones_like(START)
        optimizer.step()
        schedule.step()
    assert optimizer.param_groups[0]["lr"] < 0
    saved = optimizer.state_dict()
    restored = getattr(nn.optim, name)([parameter], lr=1.0)
    restored.load_state_dict(saved)
    assert restored.param_groups[0]["lr"] == saved["param_groups"][0]["lr"]
    if name == "ASGD":
        assert restored.state[parameter]["eta"] == optimizer.state[parameter]["eta"] < 0


def test_loaded_state_is_copied_and_cast_to_the_parameter_dtype():
    saved = adam_after_two_steps().state_dict()
    parameter = nn.Parameter(START.astype(np.float32))
    optimizer = nn.optim.Adam([parameter], lr=0.1)
    optimizer.load_state_dict(saved)
    saved["state"][0]["exp_avg"][:] = 99.0
    assert optimizer.state[parameter]["exp_avg"].dtype == np.float32
    assert not np.any(optimizer.state[parameter]["exp_avg"] == 99.0)


@pytest.mark.parametrize(("optimizer_class", "options"), ALL_OPTIMIZERS, ids=IDS)
def test_extreme_but_legal_inputs_give_finite_updates_without_warnings(optimizer_class, options):
    # (with eps=0 zero gradients meet a zero denominator, which gives torch's nan: test_optim_torch.py)
    parameter = nn.Parameter(np.array([1e300, -1e-300, 0.0, 1.0]))
    optimizer = optimizer_class([parameter], **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for grad in ([1e-300, 0.0, 1e150, -1e150], [0.0, 0.0, 0.0, 0.0], [1e150, 1e-300, -1e150, 0.0]):
            parameter.grad = np.array(grad)
            optimizer.step()
            assert np.all(np.isfinite(parameter.data))


@pytest.mark.parametrize("param_order, step_order", [("C", "C"), ("F", "F"), ("F", "C")])
def test_sgd_updates_a_large_parameter_in_blocks_without_changing_the_result(param_order, step_order):
    from nn.optim.optimizer import UPDATE_BLOCK, subtract_scaled

    rng = np.random.default_rng(0)
    param = np.asarray(rng.standard_normal((UPDATE_BLOCK + 5, 3)).astype(np.float32), order=param_order)
    step = np.asarray(rng.standard_normal(param.shape).astype(np.float32), order=step_order)
    expected = param - np.float32(0.1) * step
    kept = step.copy()
    result = subtract_scaled(param, 0.1, step)
    assert result is param
    np.testing.assert_array_equal(param, expected)
    np.testing.assert_array_equal(step, kept)  # the gradient is only read


def test_plain_sgd_keeps_no_state_per_parameter_and_momentum_keeps_its_buffer():
    weight = nn.Parameter(np.ones((2, 3), dtype=np.float32))
    plain, with_momentum = nn.optim.SGD([weight], lr=0.1), nn.optim.SGD([weight], lr=0.1, momentum=0.9)
    for optimizer in (plain, with_momentum):
        weight.grad = np.full((2, 3), 0.5, dtype=np.float32)
        optimizer.step()
    assert len(plain.state) == 0  # torch's plain SGD keeps none either
    assert plain.state_dict()["state"] == {}
    assert list(with_momentum.state[weight]) == ["momentum_buffer"]
    np.testing.assert_array_equal(with_momentum.state[weight]["momentum_buffer"], np.full((2, 3), 0.5))


def test_a_subclass_of_sgd_with_its_own_update_rule_has_it_used_for_plain_groups():
    # plain SGD's step subtracts lr * grad itself; a subclass that overrides _update still gets every update
    class HalvedSGD(nn.optim.SGD):
        def _update(self, param, grad, state, group):
            return super()._update(param, grad / 2, state, group)

    weight = nn.Parameter(np.ones(3, dtype=np.float32))
    weight.grad = np.ones(3, dtype=np.float32)
    HalvedSGD([weight], lr=1.0).step()
    np.testing.assert_array_equal(weight.data, [0.5, 0.5, 0.5])


def test_plain_sgd_updates_in_place_and_bumps_each_version_once_per_step():
    # float32 parameters stay float32 arrays (the same ones), whatever the type of lr; a parameter listed twice
    # is updated twice, as torch's (which warns)
    small, large = nn.Parameter(np.ones(4, dtype=np.float32)), nn.Parameter(np.ones((300, 300), dtype=np.float32))
    arrays, versions = [small.data, large.data], [small._version, large._version]
    for parameter in (small, large):
        parameter.grad = np.full(parameter.shape, 0.5, dtype=np.float32)
    nn.optim.SGD([small, large], lr=np.float64(0.1)).step()
    for parameter, array, version in zip((small, large), arrays, versions):
        assert np.shares_memory(parameter.data, array) and parameter.data.dtype == np.float32
        np.testing.assert_allclose(parameter.data, 0.95, rtol=1e-6)
        assert parameter._version == version + 1
    with pytest.warns(UserWarning, match="duplicate parameters"):
        twice = nn.optim.SGD([small, small], lr=0.1)
    twice.step()
    np.testing.assert_allclose(small.data, 0.85, rtol=1e-6)


@pytest.mark.parametrize("name", EVERY_OPTIMIZER)
@pytest.mark.parametrize("edge", [np.inf, np.nan, 3e38])
def test_steps_on_infinite_or_overflowing_gradients_give_ieee_values_without_warnings(name, edge):
    parameter, scalar = nn.Parameter(np.ones(3, dtype=np.float32)), Value(1.0)
    options = {"lr": 0.1} | ({"momentum": 0.9} if name in ("SGD", "RMSprop") else {})
    optimizer = getattr(nn.optim, name)([parameter, scalar], **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2):
            parameter.grad, scalar.grad = np.full(3, edge, dtype=np.float32), float(edge)
            optimizer.step()
    if name == "SGD" and edge == np.inf:
        assert np.all(parameter.data == -np.inf) and scalar.data == -np.inf  # 1 - 0.1 * inf
    if np.isnan(edge) and name == "Rprop":  # torch's sign(nan) is 0: Rprop takes no step there
        assert np.all(parameter.data == 1.0) and scalar.data == 1.0
    elif np.isnan(edge):
        assert np.all(np.isnan(parameter.data)) and math.isnan(scalar.data)


ADAPTIVE = [
    (nn.optim.Adam, {}),
    (nn.optim.Adam, {"amsgrad": True}),
    (nn.optim.AdamW, {"amsgrad": True, "amsgrad_max": "corrected", "weight_decay": 0.0}),
    (nn.optim.RMSprop, {"centered": True, "momentum": 0.5}),
    (nn.optim.Adagrad, {}),
    (nn.optim.Adagrad, {"eps_inside_sqrt": True}),
    (nn.optim.Adamax, {}),
    (nn.optim.NAdam, {}),
    (nn.optim.RAdam, {}),
]


@pytest.mark.parametrize(("optimizer_class", "options"), ADAPTIVE, ids=lambda x: getattr(x, "__name__", str(x)))
def test_adaptive_steps_with_no_eps_divide_zero_by_zero_into_nan_without_warnings(optimizer_class, options):
    # an entry that never had a gradient has a zero moment over a zero denominator: IEEE's 0 / 0, as torch's
    start = np.array([1.0, -2.0, 3.0])
    parameter = nn.Parameter(start.copy())
    optimizer = optimizer_class([parameter], lr=0.1, eps=0.0, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for k in range(8):  # (RAdam divides from its sixth step on)
            parameter.grad = np.array([0.0, 0.5 - 0.1 * k, 0.0])
            optimizer.step()
    assert np.isnan(parameter.data[0]) and np.isnan(parameter.data[2]) and np.isfinite(parameter.data[1])


@pytest.mark.parametrize(("optimizer_class", "options"), ADAPTIVE, ids=lambda x: getattr(x, "__name__", str(x)))
def test_adaptive_steps_in_float16_where_eps_underflows_divide_by_zero(optimizer_class, options):
    # 1e-8 is 0 in float16, and a gradient of 1e-4 squares to 0 there: the denominator is 0, as in torch
    parameter = nn.Parameter(np.array([1.0, 2.0], dtype=np.float16))
    optimizer = optimizer_class([parameter], lr=0.01, eps=1e-8, **options)
    for _ in range(6):  # (RAdam divides from its sixth step on)
        parameter.grad = np.array([1e-4, 0.5], dtype=np.float16)
        optimizer.step()
    assert parameter.dtype == np.float16 and np.isfinite(parameter.data[1]) and parameter.data[1] < 2.0
    if optimizer_class is not nn.optim.Adamax:  # (its u holds |g| + eps = 1e-4: no zero there)
        assert not np.isfinite(parameter.data[0])


@pytest.mark.parametrize(
    ("optimizer_class", "options", "keys"),
    [
        (nn.optim.SGD, {"momentum": 0.9}, ["momentum_buffer"]),
        (nn.optim.Adam, {"amsgrad": True}, ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]),
        (nn.optim.RMSprop, {"centered": True, "momentum": 0.5}, ["square_avg", "grad_avg", "momentum_buffer"]),
        (nn.optim.Adagrad, {}, ["sum"]),
        (nn.optim.Adamax, {}, ["exp_avg", "exp_inf"]),
        (nn.optim.NAdam, {}, ["exp_avg", "exp_avg_sq"]),
        (nn.optim.RAdam, {}, ["exp_avg", "exp_avg_sq"]),
        (nn.optim.Adadelta, {}, ["square_avg", "acc_delta"]),
        (nn.optim.Rprop, {}, ["prev", "step_size"]),
    ],
    ids=["SGD", "Adam", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"],
)
def test_steps_update_the_state_and_the_parameter_in_place_and_leave_the_gradient_alone(optimizer_class, options, keys):
    parameter = nn.Parameter(np.array([1.0, -2.0, 3.0], dtype=np.float32))
    data = parameter._data
    optimizer = optimizer_class([parameter], lr=0.1, **options)
    parameter.grad = np.array([0.5, -1.0, 0.25], dtype=np.float32)
    optimizer.step()
    state = optimizer.state[parameter]
    arrays = {key: state[key] for key in keys}
    saved = optimizer.state_dict()
    grad = parameter.grad.copy()
    optimizer.step()
    assert parameter._data is data and all(state[key] is arrays[key] for key in keys)
    np.testing.assert_array_equal(parameter.grad, grad)
    assert any(not np.array_equal(saved["state"][0][key], state[key]) for key in keys)  # the saved copy stayed


@pytest.mark.parametrize("dtype", [np.float64, np.float16])
def test_adadelta_with_no_eps_does_not_move_and_gives_nan_where_nothing_was_seen(dtype):
    # sqrt(acc_delta + eps) starts at 0, so with eps = 0 (or one underflowing in float16) a step is 0 / sqrt(v) = 0
    # where v > 0, and 0 / 0 = nan where v is 0 (as torch's)
    parameter = nn.Parameter(np.array([1.0, -2.0, 3.0], dtype=dtype))
    optimizer = nn.optim.Adadelta([parameter], eps=0.0 if dtype == np.float64 else 1e-8)
    for grad in ([0.0, 0.5, 0.25], [0.0, -0.25, 0.0]):
        parameter.grad = np.array(grad, dtype=dtype)
        optimizer.step()
    assert np.isnan(parameter.data[0])
    np.testing.assert_array_equal(parameter.data[1:], np.array([-2.0, 3.0], dtype=dtype))


def nadam_after_two_steps():
    parameter = nn.Parameter(START)
    optimizer = nn.optim.NAdam([parameter], lr=0.1)
    run(optimizer, parameter, [GRAD_1, GRAD_2])
    return optimizer


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda entry: entry.pop("mu_product"), r"state 0: missing keys \['mu_product'\]"),
        (lambda entry: entry.update(mu_product=1.5), r"state 0: 'mu_product' must be in \[0, 1\], got 1.5"),
        (lambda entry: entry.update(mu_product="x"), "state 0: 'mu_product' must be a real number"),
        (lambda entry: entry.update(mu_product=np.zeros(2)), "'mu_product' must be a real number"),
        (lambda entry: [entry.pop(key) for key in ("step", "exp_avg", "exp_avg_sq")], "state 0: missing keys"),
        (lambda entry: entry.update(exp_avg=np.zeros(3)), r"'exp_avg' has shape \(3,\)"),
    ],
    ids=["missing", "above-1", "string", "array", "only-mu_product", "mis-shaped-moment"],
)
def test_nadam_bad_mu_product_in_a_state_dict_is_refused(change, message):
    optimizer = nadam_after_two_steps()
    saved = optimizer.state_dict()
    change(saved["state"][0])
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(saved)
    assert optimizer.state_dict()["state"][0]["mu_product"] == before["state"][0]["mu_product"]


def test_nadam_mu_product_loads_from_a_numpy_scalar_as_a_float():
    saved = nadam_after_two_steps().state_dict()
    expected = saved["state"][0]["mu_product"]
    assert type(expected) is float
    saved["state"][0]["mu_product"] = np.array(expected)
    optimizer = nn.optim.NAdam([nn.Parameter(START)])
    optimizer.load_state_dict(saved)
    assert type(optimizer.state_dict()["state"][0]["mu_product"]) is float
    assert optimizer.state_dict()["state"][0]["mu_product"] == expected


@pytest.mark.parametrize(
    ("optimizer_class", "options"),
    [
        (nn.optim.Adamax, {"lr": 0.05}),
        (nn.optim.NAdam, {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.1}),
        (nn.optim.RAdam, {"lr": 0.05}),
        (nn.optim.Adadelta, {"lr": 1.0}),
        (nn.optim.Rprop, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.2)}),
    ],
    ids=["Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"],
)
def test_a_checkpoint_file_carries_the_optimizer_state_and_training_continues_identically(
    tmp_path, optimizer_class, options
):
    from nn import serialization

    def train(model, optimizer, steps):
        inputs = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
        for _ in range(steps):
            optimizer.zero_grad()
            (model(inputs) ** 2).sum().backward()
            optimizer.step()

    uninterrupted = nn.Linear(3, 2, dtype=np.float64, rng=0)
    train(uninterrupted, optimizer_class(uninterrupted.parameters(), **options), 10)
    saved = nn.Linear(3, 2, dtype=np.float64, rng=0)
    saved_optimizer = optimizer_class(saved.parameters(), **options)
    train(saved, saved_optimizer, 4)
    path = serialization.save(saved, tmp_path / "checkpoint.npz", optimizer=saved_optimizer)
    resumed = nn.Linear(3, 2, dtype=np.float64, rng=5)
    resumed_optimizer = optimizer_class(resumed.parameters(), lr=123.0)
    serialization.load_into(resumed, path, optimizer=resumed_optimizer)
    assert resumed_optimizer.param_groups[0] | {"params": None} == saved_optimizer.param_groups[0] | {"params": None}
    train(resumed, resumed_optimizer, 6)
    for ours, reference in zip(resumed.parameters(), uninterrupted.parameters()):
        np.testing.assert_array_equal(ours.data, reference.data)


@pytest.mark.parametrize(("optimizer_class", "options"), ALL_OPTIMIZERS, ids=IDS)
def test_a_one_element_tensor_learning_rate_steps_as_the_number(optimizer_class, options):
    as_number = two_steps(optimizer_class, **options)
    for wrap in (lambda lr: Tensor(np.array(lr)), np.array, lambda lr: Tensor(np.array([lr]))):
        as_tensor = two_steps(optimizer_class, **{**options, "lr": wrap(options["lr"])})
        assert type(as_tensor) is np.ndarray
        np.testing.assert_array_equal(as_tensor, as_number)


def test_a_learning_rate_tensor_of_several_elements_is_refused():
    # torch's ValueError, and a TypeError as the library's checks give a wrong type
    with pytest.raises(ValueError, match=r"SGD: Tensor lr must be 1-element, got one of shape \(2,\)") as caught:
        nn.optim.SGD([nn.Parameter(START)], lr=Tensor(np.array([0.1, 0.2])))
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(("optimizer_class", "options"), ALL_OPTIMIZERS, ids=IDS)
def test_a_state_dict_saved_before_its_flags_existed_loads_them_with_their_defaults(optimizer_class, options):
    parameter = nn.Parameter(START)
    optimizer = optimizer_class([parameter], **options)
    run(optimizer, parameter, [GRAD_1])
    old = optimizer.state_dict()
    defaults = inspect.signature(optimizer_class).parameters
    flags = [key for key in old["param_groups"][0] if key in defaults and isinstance(defaults[key].default, bool)]
    flags = [key for key in flags if key != "differentiable"]  # (True is refused: the step is not recorded)
    assert flags  # maximize at least
    for flag in flags:
        del old["param_groups"][0][flag]
    restored = optimizer_class([nn.Parameter(START)], **{**options, **{flag: True for flag in flags}})
    restored.load_state_dict(old)
    for flag in flags:
        assert restored.param_groups[0][flag] is defaults[flag].default


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_a_parameter_held_in_a_memory_map_is_updated_as_one_in_memory(name, tmp_path):
    # an ndarray subclass (np.memmap) as a Tensor's data: updated in its own dtype, as the same values in RAM
    start = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.save(tmp_path / "w.npy", start)
    mapped, in_memory = nn.Parameter(start.copy()), nn.Parameter(start.copy())
    memory_map = np.load(tmp_path / "w.npy", mmap_mode="r+")
    mapped.data = memory_map  # held as a plain ndarray view of the mapped memory
    optimizers = [getattr(nn.optim, name)([p], lr=0.1) for p in (mapped, in_memory)]
    for step in range(3):
        for parameter, optimizer in zip((mapped, in_memory), optimizers):
            parameter.grad = np.full((4, 3), 0.1 * (step + 1), np.float32)
            optimizer.step()
    assert np.shares_memory(mapped._data, memory_map) and mapped._data.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(mapped.data), in_memory.data)
    memory_map.flush()
    np.testing.assert_array_equal(np.load(tmp_path / "w.npy"), in_memory.data)  # the file was updated in place
    for key, value in optimizers[0].state[mapped].items():
        if isinstance(value, np.ndarray) and value.ndim:
            assert value.dtype == np.float32, key


def test_a_duplicated_parameter_keeps_one_index_in_the_state_dict_and_round_trips_as_torch():
    a, c = nn.Parameter(START.copy()), nn.Parameter(np.array([[1.0, 2.0]]))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optimizer = nn.optim.Adam([{"params": [a, a]}, {"params": [c]}], lr=0.1)
    a.grad, c.grad = np.ones_like(START), np.ones((1, 2))
    optimizer.step()
    saved = optimizer.state_dict()
    assert [group["params"] for group in saved["param_groups"]] == [[1, 1], [2]]  # torch's numbering
    with pytest.warns(UserWarning, match="duplicate parameters"):
        restored = nn.optim.Adam([{"params": [a, a]}, {"params": [c]}], lr=0.1)
    restored.load_state_dict(saved)
    np.testing.assert_array_equal(restored.state[a]["exp_avg"], optimizer.state[a]["exp_avg"])
    np.testing.assert_array_equal(restored.state[c]["exp_avg"], optimizer.state[c]["exp_avg"])


def test_an_adam_subclass_may_set_decoupled_weight_decay_as_adamw_does():
    class Decoupled(nn.optim.Adam):
        decoupled_weight_decay = True

    ours, adamw = nn.Parameter(START.copy()), nn.Parameter(START.copy())
    optimizers = [Decoupled([ours], lr=0.1, weight_decay=0.5), nn.optim.AdamW([adamw], lr=0.1, weight_decay=0.5)]
    for parameter, optimizer in zip((ours, adamw), optimizers):
        parameter.grad = GRAD_1
        optimizer.step()
    np.testing.assert_array_equal(ours.data, adamw.data)
    assert optimizers[0].param_groups[0]["decoupled_weight_decay"] is True


def test_an_adams_state_dict_loaded_into_adamw_keeps_the_decoupled_decay():
    # torch's AdamW sets decoupled_weight_decay on every group after a load, whatever was saved
    adam_parameter, adamw_parameter, reference = (nn.Parameter(START.copy()) for _ in range(3))
    adam = nn.optim.Adam([adam_parameter], lr=0.1, weight_decay=0.5)
    adamw = nn.optim.AdamW([adamw_parameter], lr=0.1)
    adamw.load_state_dict(adam.state_dict())
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True
    expected = nn.optim.AdamW([reference], lr=0.1, weight_decay=0.5)
    for parameter, optimizer in ((adamw_parameter, adamw), (reference, expected)):
        parameter.grad = GRAD_1
        optimizer.step()
    np.testing.assert_array_equal(adamw_parameter.data, reference.data)


def test_loading_another_optimizers_state_names_the_mismatch_without_empty_lists():
    """Adam's state given to SGD: the error says which keys do not belong and suggests another optimizer saved
    them, with no empty "missing keys []"; the optimizer is left as it was."""
    model = nn.Linear(2, 2, rng=0)
    adam = nn.optim.Adam(model.parameters())
    model(np.ones((1, 2), np.float32)).sum().backward()
    adam.step()
    sgd = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="saved by another optimizer than SGD") as raised:
        sgd.load_state_dict(adam.state_dict())
    message = str(raised.value)
    assert "unexpected keys ['exp_avg', 'exp_avg_sq', 'step']" in message
    assert "missing keys []" not in message
    assert len(sgd.state) == 0 and sgd.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.optim.Adam(ps, lr=0.1),
        lambda ps: nn.optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: nn.optim.Adafactor(ps, lr=0.1),
        lambda ps: nn.optim.Rprop(ps),
    ],
    ids=["Adam", "SGD momentum", "Adafactor", "Rprop"],
)
def test_a_step_after_a_parameters_data_took_another_shape_changes_nothing(make):
    """The state kept for a parameter whose .data was replaced by one of another shape no longer fits it: step()
    refuses before any parameter or state changes (the update would fail half-way), naming the state entry."""
    first, second = (nn.Parameter(np.ones((2, 3), dtype=np.float32)) for _ in range(2))
    optimizer = make([first, second])
    first.grad, second.grad = np.ones((2, 3), np.float32), np.ones((2, 3), np.float32)
    optimizer.step()
    second.data = np.ones((3, 2), np.float32)
    first.grad, second.grad = np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)
    before, version = first.data.copy(), first._version
    state_before = copy.deepcopy(optimizer.state_dict())
    with pytest.raises(ValueError, match=r"step: state '\w+' of shape \(2, \d\) does not fit its parameter"):
        optimizer.step()
    np.testing.assert_array_equal(first.data, before)
    assert first._version == version
    after = optimizer.state_dict()
    for index, entry in state_before["state"].items():
        for key, value in entry.items():
            np.testing.assert_array_equal(after["state"][index][key], value)
    optimizer.state.pop(second)  # a fresh state for the reshaped parameter: the step goes on
    optimizer.step()


def test_errors_that_name_the_optimizer_or_scheduler_for_inputs_that_are_not_numbers():
    parameter = nn.Parameter(np.array([1.0, 2.0], np.float32))
    plateau = nn.optim.lr_scheduler.ReduceLROnPlateau(nn.optim.SGD([parameter], lr=0.1))
    for metric in ("abc", [0.5], np.array([1.0, 2.0])):
        with pytest.raises(TypeError, match="ReduceLROnPlateau.step: the metric must be one number"):
            plateau.step(metric)
    plateau.step(np.array([0.5]))  # one element: its number
    optimizer = nn.optim.SGD([parameter], lr=0.1)
    state = copy.deepcopy(optimizer.state_dict())
    state["param_groups"][0]["params"] = None
    with pytest.raises(ValueError, match="'params' must be a list of parameter indices, got None"):
        optimizer.load_state_dict(state)
    lbfgs = nn.optim.LBFGS([parameter])

    def closure_without_return():
        lbfgs.zero_grad()
        ((parameter - 3) ** 2).sum().backward()

    with pytest.raises(TypeError, match="LBFGS.step: the closure must return the loss"):
        lbfgs.step(closure_without_return)
