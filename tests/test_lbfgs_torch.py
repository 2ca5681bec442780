"""nn.optim.LBFGS against torch.optim.LBFGS on the Rosenbrock function split over two parameters: the same
iterates after every step (float64), the same evaluation and iteration counts, and saved state that resumes
identically and crosses between torch and ours."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import nn
from autograd import Tensor, cat

torch = pytest.importorskip("torch")

START = np.array([-1.2, 1.0, -0.5, 0.8, 0.3])


def rosenbrock(x):
    """sum (1 - x_i)^2 + 100 (x_{i+1} - x_i^2)^2: a curved valley with its minimum at (1, ..., 1)."""
    return ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum()


def rosenbrock_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
    """The Rosenbrock function and its gradient, in numpy: both optimizers get exactly the same numbers."""
    inner = x[1:] - x[:-1] ** 2
    grad = np.zeros_like(x)
    grad[:-1] = -2 * (1 - x[:-1]) - 400 * x[:-1] * inner
    grad[1:] += 200 * inner
    return float(((1 - x[:-1]) ** 2).sum() + 100 * (inner**2).sum()), grad


def ours_and_closure(options, autograd=False):
    """Two parameters holding the 5 coordinates, an LBFGS over them and its closure (the gradient by our
    autograd, or, by default, the shared numpy one)."""
    params = [nn.Parameter(START[:2]), nn.Parameter(START[2:].reshape(3, 1))]
    optimizer = nn.optim.LBFGS(params, **options)

    def closure():
        optimizer.zero_grad()
        if autograd:
            loss = rosenbrock(cat([params[0], params[1].reshape(-1)]))
            loss.backward()
            return loss
        loss, grad = rosenbrock_and_gradient(flat(params))
        params[0].grad, params[1].grad = grad[:2], grad[2:].reshape(3, 1)
        return Tensor(loss)

    return params, optimizer, closure


def torch_and_closure(options, autograd=False):
    params = [torch.tensor(START[:2], requires_grad=True), torch.tensor(START[2:].reshape(3, 1), requires_grad=True)]
    optimizer = torch.optim.LBFGS(params, **options)

    def closure():
        optimizer.zero_grad()
        if autograd:
            loss = rosenbrock(torch.cat([params[0], params[1].reshape(-1)]))
            loss.backward()
            return loss
        loss, grad = rosenbrock_and_gradient(flat(params))
        params[0].grad, params[1].grad = torch.from_numpy(grad[:2]), torch.from_numpy(grad[2:].reshape(3, 1))
        return torch.tensor(loss, dtype=torch.float64)

    return params, optimizer, closure


def flat(params):
    return np.concatenate(
        [np.asarray(p.data if isinstance(p, nn.Parameter) else p.detach().numpy()).ravel() for p in params]
    )


OPTIONS = [
    dict(zip(("line_search_fn", "history_size", "max_iter", "lr"), values))
    for values in itertools.product([None, "strong_wolfe"], [100, 2], [4, 20], [1.0, 0.3])
] + [
    {"max_iter": 10, "max_eval": 6, "line_search_fn": "strong_wolfe"},
    {"max_iter": 10, "tolerance_change": 1e-3},
    {"max_iter": 10, "tolerance_grad": 1e-2, "line_search_fn": "strong_wolfe"},
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_iterates_and_counts_match_torch_step_by_step(options):
    ours, our_optimizer, our_closure = ours_and_closure(options)
    theirs, torch_optimizer, torch_closure = torch_and_closure(options)
    # up to about 24 iterations: the two differ first by the order of a dot product's sums (1e-17), which
    # Rosenbrock's valley amplifies to 1e-8 by iteration 40 (both still converge to the same point, below)
    for _ in range(max(1, 24 // options.get("max_iter", 20))):
        our_loss, torch_loss = our_optimizer.step(our_closure), torch_optimizer.step(torch_closure)
        assert float(our_loss.data) == pytest.approx(torch_loss.item(), rel=1e-9, abs=1e-12)
        np.testing.assert_allclose(flat(ours), flat(theirs), rtol=1e-9, atol=1e-12)
        our_state, torch_state = our_optimizer.state[ours[0]], torch_optimizer.state[theirs[0]]
        assert (our_state["func_evals"], our_state["n_iter"]) == (torch_state["func_evals"], torch_state["n_iter"])
    assert np.max(np.abs(flat(theirs) - START)) > 0.1  # the runs really moved


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_both_reach_rosenbrocks_minimum_together_with_their_own_autograd(line_search_fn):
    options = {"line_search_fn": line_search_fn, "max_iter": 200}
    ours, our_optimizer, our_closure = ours_and_closure(options, autograd=True)
    theirs, torch_optimizer, torch_closure = torch_and_closure(options, autograd=True)
    our_optimizer.step(our_closure)
    torch_optimizer.step(torch_closure)
    np.testing.assert_allclose(flat(ours), np.ones(5), atol=1e-5)
    np.testing.assert_allclose(flat(ours), flat(theirs), atol=1e-6)


def torch_state_to_ours(state_dict):
    def convert(value):
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value.numpy().copy() if isinstance(value, torch.Tensor) else value

    state = {
        index: {key: convert(value) for key, value in entry.items()} for index, entry in state_dict["state"].items()
    }
    return {"state": state, "param_groups": state_dict["param_groups"]}


def our_state_to_torch(state_dict):
    def convert(key, value):
        if isinstance(value, list):
            return [convert(key, item) for item in value]
        if key in ("func_evals", "n_iter", "prev_loss", "t") or value is None:
            return value if not isinstance(value, np.generic) else value.item()
        return torch.as_tensor(np.asarray(value))

    state = {
        index: {key: convert(key, value) for key, value in entry.items()}
        for index, entry in state_dict["state"].items()
    }
    return {"state": state, "param_groups": state_dict["param_groups"]}


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_state_dicts_cross_between_torch_and_ours_and_both_continue_alike(line_search_fn):
    options = {"line_search_fn": line_search_fn, "max_iter": 3, "history_size": 4}
    ours, our_optimizer, our_closure = ours_and_closure(options)
    theirs, torch_optimizer, torch_closure = torch_and_closure(options)
    for _ in range(2):
        our_optimizer.step(our_closure)
        torch_optimizer.step(torch_closure)
    from_torch, from_torch_optimizer, from_torch_closure = ours_and_closure({"lr": 123.0})
    for mine, reference in zip(from_torch, theirs):
        mine.data[...] = reference.detach().numpy()
    from_torch_optimizer.load_state_dict(torch_state_to_ours(torch_optimizer.state_dict()))
    from_ours, from_ours_optimizer, from_ours_closure = torch_and_closure({"lr": 123.0})
    with torch.no_grad():
        for reference, mine in zip(from_ours, ours):
            reference.copy_(torch.from_numpy(mine.data))
    from_ours_optimizer.load_state_dict(our_state_to_torch(our_optimizer.state_dict()))
    for _ in range(3):
        for optimizer, closure in [
            (our_optimizer, our_closure),
            (torch_optimizer, torch_closure),
            (from_torch_optimizer, from_torch_closure),
            (from_ours_optimizer, from_ours_closure),
        ]:
            optimizer.step(closure)
    np.testing.assert_allclose(flat(from_torch), flat(theirs), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(flat(from_ours), flat(ours), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(flat(ours), flat(theirs), rtol=1e-9, atol=1e-12)
