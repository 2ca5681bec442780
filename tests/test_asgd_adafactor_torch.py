"""nn.optim.ASGD and nn.optim.Adafactor against torch.optim: the same parameters fed the same gradients
(a fixed function of the parameters) give torch's trajectory and state over a grid of options; saved state
resumes identically and crosses between torch and ours."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
#: a matrix, a vector, a batch of matrices (Adafactor factors the last two axes) and a scalar
STARTS = [RNG.normal(size=(3, 2)), RNG.normal(size=4), RNG.normal(size=(2, 3, 4)), np.array(0.7)]
OFFSETS = [RNG.normal(size=start.shape) for start in STARTS]


def gradient_at(index: int, param: np.ndarray) -> np.ndarray:
    """A gradient that depends on where the parameter is, so a wrong step changes every later gradient."""
    return np.asarray(np.sin(3.0 * param) + 0.5 * param + OFFSETS[index], dtype=param.dtype)


def start_both(dtype=np.float64):
    ours = [nn.Parameter(start.astype(dtype)) for start in STARTS]
    theirs = [torch.tensor(start.astype(dtype), requires_grad=True) for start in STARTS]
    return ours, theirs


def step_ours(optimizer, params, steps):
    for _ in range(steps):
        for index, param in enumerate(params):
            param.grad = gradient_at(index, param.data)
        optimizer.step()


def step_torch(optimizer, params, steps):
    for _ in range(steps):
        for index, param in enumerate(params):
            param.grad = torch.from_numpy(gradient_at(index, param.detach().numpy()))
        optimizer.step()


def assert_same(ours, theirs, atol, rtol=0.0):
    for index, (mine, reference) in enumerate(zip(ours, theirs)):
        reference = reference.detach().numpy()
        assert np.max(np.abs(reference - STARTS[index])) > 1e-3  # the run really moved every parameter
        np.testing.assert_allclose(mine.data, reference, rtol=rtol, atol=atol)


def grid(**choices):
    return [dict(zip(choices, values)) for values in itertools.product(*choices.values())]


def option_id(options):
    return ",".join(f"{key}={value}" for key, value in options.items())


ASGD_GRID = grid(
    lr=[0.05, 0.2],
    lambd=[1e-4, 0.05],
    alpha=[0.75, 0.5],
    t0=[3.0, 1e6],
    weight_decay=[0.0, 0.1],
    maximize=[False, True],
)
ADAFACTOR_GRID = grid(
    lr=[0.01, 0.3],
    beta2_decay=[-0.8, -0.5],
    eps=[(None, 1e-3), (1e-4, 0.05)],
    d=[1.0, 1.5],
    weight_decay=[0.0, 0.1],
    maximize=[False, True],
)
CASES = [(nn.optim.ASGD, torch.optim.ASGD, options) for options in ASGD_GRID] + [
    (nn.optim.Adafactor, torch.optim.Adafactor, options) for options in ADAFACTOR_GRID
]
IDS = [f"{ours.__name__}[{option_id(options)}]" for ours, _, options in CASES]


@pytest.mark.parametrize(("our_class", "torch_class", "options"), CASES, ids=IDS)
def test_twenty_steps_match_torch_when_torch_keeps_its_scalars_in_float64(
    our_class, torch_class, options, torch_default_float64
):
    ours, theirs = start_both()
    our_optimizer, torch_optimizer = our_class(ours, **options), torch_class(theirs, **options)
    step_ours(our_optimizer, ours, 20)
    step_torch(torch_optimizer, theirs, 20)
    assert_same(ours, theirs, atol=1e-12, rtol=1e-12)
    our_state, torch_state = our_optimizer.state_dict()["state"], torch_optimizer.state_dict()["state"]
    for index in range(len(STARTS)):
        assert set(our_state[index]) == set(torch_state[index])
        for key, value in torch_state[index].items():
            np.testing.assert_allclose(our_state[index][key], value.numpy(), rtol=1e-12, atol=1e-14, err_msg=key)


@pytest.mark.parametrize(("our_class", "torch_class", "options"), CASES[::7], ids=IDS[::7])
def test_twenty_steps_match_torch_with_its_float32_scalars_to_their_rounding(our_class, torch_class, options):
    # torch keeps ASGD's eta and mu in its default dtype (float32 here), ours are float64 numbers
    ours, theirs = start_both()
    our_optimizer, torch_optimizer = our_class(ours, **options), torch_class(theirs, **options)
    step_ours(our_optimizer, ours, 20)
    step_torch(torch_optimizer, theirs, 20)
    assert_same(ours, theirs, atol=1e-6)


@pytest.mark.parametrize(("our_class", "torch_class", "options"), CASES[::9], ids=IDS[::9])
def test_float32_parameters_follow_torch(our_class, torch_class, options):
    ours, theirs = start_both(np.float32)
    our_optimizer, torch_optimizer = our_class(ours, **options), torch_class(theirs, **options)
    step_ours(our_optimizer, ours, 10)
    step_torch(torch_optimizer, theirs, 10)
    assert all(param.data.dtype == np.float32 for param in ours)
    assert_same(ours, theirs, atol=2e-5)


def torch_state_to_ours(state_dict):
    """torch's state dict with numpy arrays (0-d ones for its scalar tensors), without its switches."""
    state = {
        index: {key: value.numpy().copy() for key, value in entry.items()}
        for index, entry in state_dict["state"].items()
    }
    switches = ("foreach", "differentiable", "capturable")
    groups = [
        {key: value for key, value in group.items() if key not in switches} for group in state_dict["param_groups"]
    ]
    return {"state": state, "param_groups": groups}


def our_state_to_torch(state_dict):
    state = {
        index: {key: torch.as_tensor(np.asarray(value, dtype=np.float64)) for key, value in entry.items()}
        for index, entry in state_dict["state"].items()
    }
    return {"state": state, "param_groups": state_dict["param_groups"]}


RESUME_CASES = [
    (nn.optim.ASGD, torch.optim.ASGD, {"lr": 0.1, "lambd": 0.01, "t0": 2.0, "weight_decay": 0.1}),
    (nn.optim.Adafactor, torch.optim.Adafactor, {"lr": 0.1, "weight_decay": 0.05, "eps": (1e-4, 1e-3)}),
]
RESUME_IDS = [ours.__name__ for ours, _, _ in RESUME_CASES]


@pytest.mark.parametrize(("our_class", "torch_class", "options"), RESUME_CASES, ids=RESUME_IDS)
def test_saved_state_loads_into_a_fresh_optimizer_and_continues_identically(our_class, torch_class, options):
    ours, _ = start_both()
    optimizer = our_class(ours, **options)
    step_ours(optimizer, ours, 5)
    resumed = [nn.Parameter(param.data.copy()) for param in ours]
    resumed_optimizer = our_class(resumed, lr=123.0)  # the hyper-parameters come from the state dict
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    assert resumed_optimizer.param_groups[0]["lr"] == options["lr"]
    step_ours(optimizer, ours, 10)
    step_ours(resumed_optimizer, resumed, 10)
    for uninterrupted, continued in zip(ours, resumed):
        np.testing.assert_array_equal(continued.data, uninterrupted.data)


@pytest.mark.parametrize(("our_class", "torch_class", "options"), RESUME_CASES, ids=RESUME_IDS)
def test_state_dicts_cross_between_torch_and_ours_and_both_continue_alike(
    our_class, torch_class, options, torch_default_float64
):
    ours, theirs = start_both()
    our_optimizer, torch_optimizer = our_class(ours, **options), torch_class(theirs, **options)
    step_ours(our_optimizer, ours, 5)
    step_torch(torch_optimizer, theirs, 5)
    from_torch = [nn.Parameter(param.detach().numpy().copy()) for param in theirs]
    from_torch_optimizer = our_class(from_torch, lr=123.0)
    from_torch_optimizer.load_state_dict(torch_state_to_ours(torch_optimizer.state_dict()))
    from_ours = [torch.tensor(param.data.copy(), requires_grad=True) for param in ours]
    from_ours_optimizer = torch_class(from_ours, lr=123.0)
    from_ours_optimizer.load_state_dict(our_state_to_torch(our_optimizer.state_dict()))
    step_ours(from_torch_optimizer, from_torch, 10)
    step_torch(from_ours_optimizer, from_ours, 10)
    step_ours(our_optimizer, ours, 10)
    step_torch(torch_optimizer, theirs, 10)
    for ours_from_torch, reference, torch_from_ours, mine in zip(from_torch, theirs, from_ours, ours):
        np.testing.assert_allclose(ours_from_torch.data, reference.detach().numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(torch_from_ours.detach().numpy(), mine.data, rtol=0, atol=1e-12)


def test_asgd_averages_the_iterates_after_t0_as_torch():
    ours, theirs = start_both()
    our_optimizer = nn.optim.ASGD(ours, lr=0.1, t0=4.0)
    torch_optimizer = torch.optim.ASGD(theirs, lr=0.1, t0=4.0)
    step_ours(our_optimizer, ours, 12)
    step_torch(torch_optimizer, theirs, 12)
    for mine, reference in zip(ours, theirs):
        average = our_optimizer.state[mine]["ax"]
        assert not np.allclose(average, mine.data)  # averaging has begun: ax lags behind theta
        np.testing.assert_allclose(average, torch_optimizer.state[reference]["ax"].numpy(), rtol=0, atol=1e-6)
