"""nn.optim.LBFGS without torch: it finds a quadratic's known minimum (Tensor and scalar Value parameters),
refuses what torch's refuses, and its saved state resumes identically or, when invalid, changes nothing."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, Value

RNG = np.random.default_rng(3)
FACTOR = RNG.normal(size=(6, 6))
HESSIAN = FACTOR @ FACTOR.T + 0.5 * np.eye(6)  # symmetric positive definite
LINEAR = RNG.normal(size=6)
MINIMUM = np.linalg.solve(HESSIAN, LINEAR)


def quadratic_problem(**options):
    """0.5 x'Ax - b'x over x split into a (2, 2) and a (2,) parameter; its minimum is A^-1 b."""
    params = [nn.Parameter(np.zeros((2, 2))), nn.Parameter(np.zeros(2))]
    optimizer = nn.optim.LBFGS(params, **options)

    def closure():
        optimizer.zero_grad()
        x = nn.utils.parameters_to_vector(params)
        loss = 0.5 * (x @ Tensor(HESSIAN) @ x) - (x * Tensor(LINEAR)).sum()
        loss.backward()
        return loss

    return params, optimizer, closure


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_finds_the_minimum_of_a_quadratic(line_search_fn):
    params, optimizer, closure = quadratic_problem(line_search_fn=line_search_fn, max_iter=100, tolerance_change=0.0)
    first_loss = optimizer.step(closure)
    assert float(first_loss.data) == 0.0  # step returns the loss at the start
    np.testing.assert_allclose(nn.utils.parameters_to_vector(params).data, MINIMUM, atol=1e-6)


def test_a_tolerance_beyond_float32_stops_a_float32_problem_at_once_without_a_warning():
    parameter = nn.Parameter(np.array([1.0, -2.0], dtype=np.float32))
    optimizer = nn.optim.LBFGS([parameter], tolerance_grad=1e308)

    def closure():
        optimizer.zero_grad()
        loss = (parameter * parameter).sum()
        loss.backward()
        return loss

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step(closure)
    np.testing.assert_array_equal(parameter.data, [1.0, -2.0])  # already within the tolerance: no move


def test_strong_wolfe_needs_no_more_than_a_few_iterations_per_dimension():
    params, optimizer, closure = quadratic_problem(line_search_fn="strong_wolfe", max_iter=100)
    optimizer.step(closure)
    state = optimizer.state[params[0]]
    assert state["n_iter"] <= 20  # exact line searches on a quadratic: ~ one iteration per dimension
    assert len(state["old_dirs"]) == len(state["old_stps"]) == len(state["ro"]) <= 100


def test_history_keeps_only_the_last_history_size_pairs():
    params, optimizer, closure = quadratic_problem(history_size=2, max_iter=6, tolerance_grad=0.0)
    optimizer.step(closure)
    assert len(optimizer.state[params[0]]["old_dirs"]) == 2


def test_scalar_values_are_optimized_too():
    x, y = Value(0.0), Value(0.0)
    optimizer = nn.optim.LBFGS([x, y], line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = (x - 3.0) ** 2 + 2.0 * (y + 1.0) ** 2 + x * y
        loss.backward()
        return loss

    optimizer.step(closure)
    # gradient 0: 2(x - 3) + y = 0, 4(y + 1) + x = 0  ->  x = 4, y = -2
    assert (x.data, y.data) == (pytest.approx(4.0, abs=1e-9), pytest.approx(-2.0, abs=1e-9))


def test_an_optimal_start_returns_at_once():
    params, optimizer, closure = quadratic_problem()
    for param in params:  # put x at the minimum: the gradient is ~0
        param.data[...] = 0
    params[0].data[...] = MINIMUM[:4].reshape(2, 2)
    params[1].data[...] = MINIMUM[4:]
    optimizer.param_groups[0]["tolerance_grad"] = 1e-6
    optimizer.step(closure)
    assert optimizer.state[params[0]] == {"func_evals": 1, "n_iter": 0}


def test_step_needs_a_closure():
    _, optimizer, _ = quadratic_problem()
    with pytest.raises(TypeError, match="LBFGS.step: a closure"):
        optimizer.step()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"line_search_fn": "backtracking"}, "line_search_fn must be None or 'strong_wolfe'"),
        ({"max_iter": 0}, "max_iter must be a positive integer"),
        ({"history_size": 0}, "history_size must be a positive integer"),
        ({"lr": -1.0}, "lr must be >= 0"),
        ({"tolerance_grad": -1.0}, "tolerance_grad must be >= 0"),
    ],
)
def test_bad_options_raise(options, message):
    with pytest.raises(ValueError, match=message):
        nn.optim.LBFGS([nn.Parameter(np.zeros(2))], **options)


def test_max_eval_defaults_to_five_quarters_of_max_iter():
    assert nn.optim.LBFGS([nn.Parameter(np.zeros(2))], max_iter=8).param_groups[0]["max_eval"] == 10


def test_a_second_param_group_is_refused():
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        nn.optim.LBFGS([{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(2))]}])


def test_saved_state_resumes_identically():
    params, optimizer, closure = quadratic_problem(max_iter=3, history_size=4)
    optimizer.step(closure)
    resumed_params, resumed, resumed_closure = quadratic_problem(lr=5.0)
    for mine, saved in zip(resumed_params, params):
        mine.data[...] = saved.data
    resumed.load_state_dict(optimizer.state_dict())
    assert resumed.param_groups[0]["lr"] == 1.0
    for _ in range(3):
        optimizer.step(closure)
        resumed.step(resumed_closure)
    for mine, reference in zip(resumed_params, params):
        np.testing.assert_array_equal(mine.data, reference.data)


def test_an_invalid_saved_state_raises_and_changes_nothing():
    params, optimizer, closure = quadratic_problem(max_iter=3)
    optimizer.step(closure)
    saved = optimizer.state_dict()
    saved["state"][0]["d"] = np.zeros(5)  # one entry short
    saved["state"][0]["old_stps"] = saved["state"][0]["old_stps"][:-1]
    saved["param_groups"][0]["lr"] = 0.25
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=r"'d' must be a vector of 6 numbers(.|\n)*one entry per pair"):
        optimizer.load_state_dict(saved)
    after = optimizer.state_dict()
    assert after["param_groups"] == before["param_groups"]
    np.testing.assert_array_equal(after["state"][0]["d"], before["state"][0]["d"])


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_a_read_only_parameter_is_refused_before_any_parameter_changes(line_search_fn):
    # LBFGS wrote the first parameter and then failed on the second with numpy's bare "output array is read-only"
    import autograd

    first = nn.Parameter(np.ones(3))
    read_only = autograd.from_numpy(np.broadcast_to(np.ones(1), (2,))).requires_grad_()
    optimizer = nn.optim.LBFGS([first, read_only], line_search_fn=line_search_fn)

    def closure():
        optimizer.zero_grad()
        loss = (first * first).sum() + (read_only * read_only).sum()
        loss.backward()
        return loss

    with pytest.raises(ValueError, match=r"LBFGS.step: a parameter of shape \(2,\) holds a read-only array"):
        optimizer.step(closure)
    np.testing.assert_array_equal(first.data, np.ones(3))
    assert not optimizer.state
