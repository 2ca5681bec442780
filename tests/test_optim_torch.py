"""nn.optim against torch.optim: each optimizer over a grid of options, 20 steps side by side on the
same float64 problem (gradients computed by each engine), plus schedules and gradient clipping."""

import itertools
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

STEPS = 20
RNG = np.random.default_rng(7)
FEATURES = RNG.normal(size=(12, 3))
TARGETS = RNG.normal(size=(12, 2))
LABELS = np.where(RNG.random(size=(12, 2)) < 0.5, -1.0, 1.0)
START_WEIGHT = RNG.normal(size=(3, 2))
START_BIAS = RNG.normal(size=(2,))


def our_loss(weight, bias):
    """Least squares plus a logistic term: mean((XW + b - Y)^2) + mean(softplus(-labels * (XW + b)))."""
    outputs = Tensor(FEATURES) @ weight + bias
    return ((outputs - TARGETS) ** 2).mean() + (-(outputs * LABELS)).softplus().mean()


def torch_loss(weight, bias):
    outputs = torch.tensor(FEATURES) @ weight + bias
    labels = torch.tensor(LABELS)
    return ((outputs - torch.tensor(TARGETS)) ** 2).mean() + torch.nn.functional.softplus(-(outputs * labels)).mean()


def run_both(our_class, torch_class, options, steps=STEPS, groups=False):
    """Run both optimizers from the same start; return the final (ours, torch's) parameter arrays."""
    ours = [nn.Parameter(START_WEIGHT), nn.Parameter(START_BIAS)]
    theirs = [torch.tensor(START_WEIGHT, requires_grad=True), torch.tensor(START_BIAS, requires_grad=True)]
    if groups:  # the bias in its own group with a different learning rate
        our_params = [{"params": [ours[0]]}, {"params": [ours[1]], "lr": options["lr"] / 3}]
        torch_params = [{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": options["lr"] / 3}]
    else:
        our_params, torch_params = ours, theirs
    our_optimizer = our_class(our_params, **options)
    torch_optimizer = torch_class(torch_params, **options)
    for _ in range(steps):
        our_optimizer.zero_grad()
        our_loss(*ours).backward()
        our_optimizer.step()
        torch_optimizer.zero_grad()
        torch_loss(*theirs).backward()
        torch_optimizer.step()
    return [p.data for p in ours], [p.detach().numpy() for p in theirs], our_optimizer, torch_optimizer


def grid(**choices):
    """Every combination of the given option values, as dicts."""
    names = list(choices)
    return [dict(zip(names, values)) for values in itertools.product(*choices.values())]


def option_id(options):
    return ",".join(f"{key}={value}" for key, value in options.items())


SGD_GRID = [
    options
    for options in grid(
        lr=[0.05],
        momentum=[0.0, 0.9],
        dampening=[0.0, 0.3],
        nesterov=[False, True],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    )
    if not (options["nesterov"] and (options["momentum"] == 0 or options["dampening"] != 0))
]
ADAGRAD_GRID = grid(
    lr=[0.1],
    lr_decay=[0.0, 0.05],
    weight_decay=[0.0, 0.1],
    initial_accumulator_value=[0.0, 0.5],
    maximize=[False, True],
)
RMSPROP_GRID = grid(
    lr=[0.01],
    alpha=[0.99, 0.8],
    momentum=[0.0, 0.5],
    centered=[False, True],
    weight_decay=[0.0, 0.1],
    maximize=[False, True],
)
ADAM_GRID = grid(
    lr=[0.05],
    betas=[(0.9, 0.999), (0.5, 0.9)],
    weight_decay=[0.0, 0.1],
    amsgrad=[False, True],
    maximize=[False, True],
)

CASES = (
    [(nn.optim.SGD, torch.optim.SGD, options) for options in SGD_GRID]
    + [(nn.optim.Adagrad, torch.optim.Adagrad, options) for options in ADAGRAD_GRID]
    + [(nn.optim.RMSprop, torch.optim.RMSprop, options) for options in RMSPROP_GRID]
    + [(nn.optim.Adam, torch.optim.Adam, options) for options in ADAM_GRID]
    + [(nn.optim.AdamW, torch.optim.AdamW, options) for options in ADAM_GRID]
)


@pytest.mark.parametrize(
    ("our_class", "torch_class", "options"),
    CASES,
    ids=[f"{ours.__name__}[{option_id(options)}]" for ours, _, options in CASES],
)
def test_twenty_steps_match_torch(our_class, torch_class, options):
    ours, theirs, _, _ = run_both(our_class, torch_class, options)
    for our_param, torch_param, start in zip(ours, theirs, [START_WEIGHT, START_BIAS]):
        assert np.max(np.abs(torch_param - start)) > 1e-3  # the run really moved the parameters
        np.testing.assert_allclose(our_param, torch_param, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("our_class", "torch_class", "options"),
    [
        (nn.optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        (nn.optim.Adagrad, torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.05}),
        (nn.optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
        (nn.optim.Adam, torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
        (nn.optim.AdamW, torch.optim.AdamW, {"lr": 0.05}),
        (nn.optim.Adamax, torch.optim.Adamax, {"lr": 0.05, "weight_decay": 0.1}),
        (nn.optim.NAdam, torch.optim.NAdam, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
        (nn.optim.RAdam, torch.optim.RAdam, {"lr": 0.05, "weight_decay": 0.1}),
        (nn.optim.Adadelta, torch.optim.Adadelta, {"lr": 0.5, "weight_decay": 0.1}),
        (nn.optim.Rprop, torch.optim.Rprop, {"lr": 0.05, "step_sizes": (1e-3, 0.1)}),
    ],
    ids=["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"],
)
def test_param_groups_with_their_own_lr_match_torch(our_class, torch_class, options):
    ours, theirs, _, _ = run_both(our_class, torch_class, options, groups=True)
    for our_param, torch_param in zip(ours, theirs):
        np.testing.assert_allclose(our_param, torch_param, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("our_class", "torch_class", "options"),
    [
        (nn.optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
        (nn.optim.Adagrad, torch.optim.Adagrad, {"lr": 0.1}),
        (nn.optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
        (nn.optim.Adam, torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
        (nn.optim.Adamax, torch.optim.Adamax, {"lr": 0.05, "weight_decay": 0.1}),
        (nn.optim.NAdam, torch.optim.NAdam, {"lr": 0.05, "weight_decay": 0.1}),
        (nn.optim.RAdam, torch.optim.RAdam, {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.1}),
        (nn.optim.Adadelta, torch.optim.Adadelta, {"lr": 0.5, "rho": 0.8}),
        (nn.optim.Rprop, torch.optim.Rprop, {"lr": 0.05, "etas": (0.3, 1.5)}),
    ],
    ids=["SGD", "Adagrad", "RMSprop", "Adam", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"],
)
def test_state_has_torch_names_and_values(our_class, torch_class, options):
    _, _, our_optimizer, torch_optimizer = run_both(our_class, torch_class, options, steps=5)
    ours, theirs = our_optimizer.state_dict(), torch_optimizer.state_dict()
    assert set(ours["state"]) == set(theirs["state"])
    for index, torch_entry in theirs["state"].items():
        assert set(ours["state"][index]) == set(torch_entry)
        for key, value in torch_entry.items():
            # NAdam's mu_product: torch keeps it in its default dtype, float32 (ours is a float64 float)
            rtol = 1e-6 if key == "mu_product" else 0
            np.testing.assert_allclose(ours["state"][index][key], np.asarray(value), rtol=rtol, atol=1e-9)
    assert all(type(entry["step"]) is int for entry in ours["state"].values() if "step" in entry)
    assert [group["params"] for group in ours["param_groups"]] == [group["params"] for group in theirs["param_groups"]]


@pytest.mark.parametrize(
    ("our_class", "torch_class", "options", "default"),
    [
        (nn.optim.Adam, torch.optim.Adam, {"lr": 0.05, "amsgrad": True}, {"amsgrad_max": "raw"}),
        (nn.optim.AdamW, torch.optim.AdamW, {"lr": 0.05, "amsgrad": True}, {"amsgrad_max": "raw"}),
        (nn.optim.Adagrad, torch.optim.Adagrad, {"lr": 0.1, "eps": 0.1}, {"eps_inside_sqrt": False}),
    ],
    ids=["Adam", "AdamW", "Adagrad"],
)
def test_the_lecture_options_default_to_torchs_algorithm(our_class, torch_class, options, default):
    ours = [nn.Parameter(START_WEIGHT), nn.Parameter(START_BIAS)]
    theirs = [torch.tensor(START_WEIGHT, requires_grad=True), torch.tensor(START_BIAS, requires_grad=True)]
    our_optimizer, torch_optimizer = our_class(ours, **options, **default), torch_class(theirs, **options)
    for _ in range(STEPS):
        our_optimizer.zero_grad()
        our_loss(*ours).backward()
        our_optimizer.step()
        torch_optimizer.zero_grad()
        torch_loss(*theirs).backward()
        torch_optimizer.step()
    for our_param, torch_param in zip(ours, theirs):
        np.testing.assert_allclose(our_param.data, torch_param.detach().numpy(), rtol=0, atol=1e-9)


def test_parameter_without_gradient_is_skipped_like_torch():
    ours = [nn.Parameter(START_WEIGHT), nn.Parameter(START_BIAS)]
    theirs = [torch.tensor(START_WEIGHT, requires_grad=True), torch.tensor(START_BIAS, requires_grad=True)]
    our_optimizer = nn.optim.Adam(ours, lr=0.05, weight_decay=0.1)
    torch_optimizer = torch.optim.Adam(theirs, lr=0.05, weight_decay=0.1)
    for _ in range(5):  # only the weight enters the loss: the bias keeps grad None and must not move
        our_optimizer.zero_grad()
        our_loss(ours[0], np.zeros(2)).backward()
        our_optimizer.step()
        torch_optimizer.zero_grad()
        torch_loss(theirs[0], torch.zeros(2, dtype=torch.float64)).backward()
        torch_optimizer.step()
    np.testing.assert_allclose(ours[0].data, theirs[0].detach().numpy(), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(ours[1].data, theirs[1].detach().numpy())
    np.testing.assert_array_equal(ours[1].data, START_BIAS)


# -- Adamax, NAdam, RAdam, Adadelta, Rprop: torch's grids, to rounding ----------------------------------
def assert_twenty_steps_match(our_class, torch_class, options, atol=1e-12):
    """20 steps of both agree to rounding (a relative 1e-10: maximize runs grow the parameters)."""
    ours, theirs, _, _ = run_both(our_class, torch_class, options)
    for our_param, torch_param, start in zip(ours, theirs, [START_WEIGHT, START_BIAS]):
        assert np.max(np.abs(torch_param - start)) > 1e-3  # the run really moved the parameters
        np.testing.assert_allclose(our_param, torch_param, rtol=1e-10, atol=atol)


ADAMAX_GRID = grid(
    lr=[0.05],
    betas=[(0.9, 0.999), (0.5, 0.9)],
    eps=[1e-8, 0.1],
    weight_decay=[0.0, 0.1],
    maximize=[False, True],
)
NADAM_GRID = grid(
    lr=[0.05],
    betas=[(0.9, 0.999), (0.5, 0.9)],
    weight_decay=[0.0, 0.1],
    momentum_decay=[4e-3, 0.5],
    decoupled_weight_decay=[False, True],
    maximize=[False, True],
)
RADAM_GRID = grid(  # beta2 = 0.999 and 0.9: rectified from the sixth step; 0.6 (rho_inf = 4): never
    lr=[0.05],
    betas=[(0.9, 0.999), (0.5, 0.9), (0.9, 0.6)],
    weight_decay=[0.0, 0.1],
    decoupled_weight_decay=[False, True],
    maximize=[False, True],
)
ADADELTA_GRID = grid(
    lr=[1.0, 0.3],
    rho=[0.9, 0.5],
    eps=[1e-6, 1e-3],
    weight_decay=[0.0, 0.1],
    maximize=[False, True],
)
RPROP_GRID = grid(  # step_sizes (0.02, 0.1): lr 0.01 is raised to the floor at once, lr 0.2 cut to the cap
    lr=[0.01, 0.2],
    etas=[(0.5, 1.2), (0.3, 1.5)],
    step_sizes=[(1e-6, 50), (0.02, 0.1)],
    maximize=[False, True],
)


@pytest.mark.parametrize("options", ADAMAX_GRID, ids=option_id)
def test_adamax_matches_torch(options):
    assert_twenty_steps_match(nn.optim.Adamax, torch.optim.Adamax, options)


@pytest.mark.parametrize("options", NADAM_GRID, ids=option_id)
def test_nadam_matches_torch(options):
    # torch keeps mu_product in its default dtype (float32 here), ours in float64: they differ by ~1e-9
    assert_twenty_steps_match(nn.optim.NAdam, torch.optim.NAdam, options, atol=1e-8)


@pytest.mark.parametrize("options", NADAM_GRID[::5], ids=option_id)
def test_nadam_matches_torch_to_rounding_when_torch_keeps_mu_product_in_float64(options, torch_default_float64):
    assert_twenty_steps_match(nn.optim.NAdam, torch.optim.NAdam, options)
    _, _, ours, theirs = run_both(nn.optim.NAdam, torch.optim.NAdam, options, steps=5)
    assert ours.state_dict()["state"][0]["mu_product"] == pytest.approx(
        theirs.state_dict()["state"][0]["mu_product"].item(), rel=1e-14
    )


@pytest.mark.parametrize("options", RADAM_GRID, ids=option_id)
def test_radam_matches_torch(options):
    assert_twenty_steps_match(nn.optim.RAdam, torch.optim.RAdam, options)


@pytest.mark.parametrize("options", ADADELTA_GRID, ids=option_id)
def test_adadelta_matches_torch(options):
    assert_twenty_steps_match(nn.optim.Adadelta, torch.optim.Adadelta, options)


@pytest.mark.parametrize("options", RPROP_GRID, ids=option_id)
def test_rprop_matches_torch(options):
    assert_twenty_steps_match(nn.optim.Rprop, torch.optim.Rprop, options)


NEW_OPTIMIZERS = [
    (nn.optim.Adamax, torch.optim.Adamax, {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    (nn.optim.NAdam, torch.optim.NAdam, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    (nn.optim.RAdam, torch.optim.RAdam, {"lr": 0.05, "weight_decay": 0.1}),
    (nn.optim.Adadelta, torch.optim.Adadelta, {"lr": 0.5, "weight_decay": 0.1}),
    (nn.optim.Rprop, torch.optim.Rprop, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
]
NEW_IDS = [ours.__name__ for ours, _, _ in NEW_OPTIMIZERS]


def start_both():
    ours = [nn.Parameter(START_WEIGHT), nn.Parameter(START_BIAS)]
    theirs = [torch.tensor(START_WEIGHT, requires_grad=True), torch.tensor(START_BIAS, requires_grad=True)]
    return ours, theirs


def step_ours(optimizer, params, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        our_loss(*params).backward()
        optimizer.step()


def step_torch(optimizer, params, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        torch_loss(*params).backward()
        optimizer.step()


def torch_state_to_ours(state_dict):
    """torch's state dict with numpy arrays and Python numbers (step an int); its groups as they are (their switches,
    ``foreach`` and the others, are entries of ours too)."""
    state = {
        index: {
            key: int(value.item()) if key == "step" else value.item() if value.ndim == 0 else value.numpy().copy()
            for key, value in entry.items()
        }
        for index, entry in state_dict["state"].items()
    }
    return {"state": state, "param_groups": state_dict["param_groups"]}


def our_state_to_torch(state_dict):
    """Our state dict with torch tensors, as torch's load_state_dict wants them."""
    state = {
        index: {key: torch.tensor(float(value) if key == "step" else value) for key, value in entry.items()}
        for index, entry in state_dict["state"].items()
    }
    return {"state": state, "param_groups": state_dict["param_groups"]}


@pytest.mark.parametrize(("our_class", "torch_class", "options"), NEW_OPTIMIZERS, ids=NEW_IDS)
def test_saved_state_loads_into_a_fresh_optimizer_and_continues_identically(our_class, torch_class, options):
    ours, theirs = start_both()
    our_optimizer, torch_optimizer = our_class(ours, **options), torch_class(theirs, **options)
    step_ours(our_optimizer, ours, 5)
    step_torch(torch_optimizer, theirs, 5)
    saved = our_optimizer.state_dict()
    resumed = [nn.Parameter(p.data.copy()) for p in ours]
    resumed_optimizer = our_class(resumed, lr=123.0)  # the hyper-parameters come from the state dict
    resumed_optimizer.load_state_dict(saved)
    assert resumed_optimizer.param_groups[0]["lr"] == options["lr"]
    step_ours(our_optimizer, ours, 15)
    step_ours(resumed_optimizer, resumed, 15)
    step_torch(torch_optimizer, theirs, 15)
    for uninterrupted, continued, reference in zip(ours, resumed, theirs):
        np.testing.assert_array_equal(continued.data, uninterrupted.data)
        np.testing.assert_allclose(continued.data, reference.detach().numpy(), rtol=0, atol=1e-8)


@pytest.mark.parametrize(("our_class", "torch_class", "options"), NEW_OPTIMIZERS, ids=NEW_IDS)
def test_state_dicts_cross_between_torch_and_ours_and_both_continue_alike(our_class, torch_class, options):
    ours, theirs = start_both()
    our_optimizer, torch_optimizer = our_class(ours, **options), torch_class(theirs, **options)
    step_ours(our_optimizer, ours, 5)
    step_torch(torch_optimizer, theirs, 5)
    # ours continue from torch's state, and a fresh torch optimizer from ours
    from_torch = [nn.Parameter(p.detach().numpy().copy()) for p in theirs]
    from_torch_optimizer = our_class(from_torch, lr=123.0)
    from_torch_optimizer.load_state_dict(torch_state_to_ours(torch_optimizer.state_dict()))
    from_ours = [torch.tensor(p.data.copy(), requires_grad=True) for p in ours]
    from_ours_optimizer = torch_class(from_ours, lr=123.0)
    from_ours_optimizer.load_state_dict(our_state_to_torch(our_optimizer.state_dict()))
    step_ours(from_torch_optimizer, from_torch, 15)
    step_torch(torch_optimizer, theirs, 15)
    step_torch(from_ours_optimizer, from_ours, 15)
    step_ours(our_optimizer, ours, 15)
    for ours_from_torch, reference, torch_from_ours, our_param in zip(from_torch, theirs, from_ours, ours):
        np.testing.assert_allclose(ours_from_torch.data, reference.detach().numpy(), rtol=0, atol=1e-8)
        np.testing.assert_allclose(torch_from_ours.detach().numpy(), our_param.data, rtol=0, atol=1e-8)


@pytest.mark.parametrize(
    ("our_class", "torch_class", "options"),
    [
        *NEW_OPTIMIZERS,
        (nn.optim.ASGD, torch.optim.ASGD, {"lr": 0.05, "t0": 2, "weight_decay": 0.1}),
        (nn.optim.Adam, torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
    ],
    ids=[*NEW_IDS, "ASGD", "Adam"],
)
def test_torchs_own_state_dict_with_tensors_loads_as_it_is(our_class, torch_class, options):
    """torch's state dict unconverted: its scalar state (step, NAdam's mu_product, ASGD's eta and mu) is 0-d
    tensors, read as their numbers, so ours continues as torch does."""
    ours, theirs = start_both()
    torch_optimizer = torch_class(theirs, **options)
    step_torch(torch_optimizer, theirs, 5)
    from_torch = [nn.Parameter(p.detach().numpy().copy()) for p in theirs]
    from_torch_optimizer = our_class(from_torch, lr=123.0)
    from_torch_optimizer.load_state_dict(torch_optimizer.state_dict())
    step_ours(from_torch_optimizer, from_torch, 15)
    step_torch(torch_optimizer, theirs, 15)
    for ours_from_torch, reference in zip(from_torch, theirs):
        np.testing.assert_allclose(ours_from_torch.data, reference.detach().numpy(), rtol=0, atol=1e-8)


def edge_gradients():
    """Ten gradients of 5 entries: zeros, an inf, a nan, an underflowing square, a sign change."""
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=5) for _ in range(10)]
    grads[3][0] = grads[4][0] = 0.0
    grads[5][1] = np.inf
    grads[6][2] = np.nan
    grads[7][3] = 1e-30
    return grads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"])
def test_zero_infinite_and_nan_gradients_give_torchs_values(name, dtype):
    start = np.linspace(-1.0, 1.0, 5).astype(dtype)
    ours, theirs = nn.Parameter(start.copy()), torch.tensor(start.copy(), requires_grad=True)
    our_optimizer = getattr(nn.optim, name)([ours], lr=0.1)
    torch_optimizer = getattr(torch.optim, name)([theirs], lr=0.1)
    for grad in edge_gradients():
        ours.grad, theirs.grad = grad.astype(dtype), torch.tensor(grad.astype(dtype))
        our_optimizer.step()
        torch_optimizer.step()
        reference = theirs.detach().numpy()
        np.testing.assert_array_equal(np.isnan(ours.data), np.isnan(reference))
        np.testing.assert_array_equal(np.isinf(ours.data), np.isinf(reference))
        finite = np.isfinite(reference)
        tolerance = 1e-6 if dtype == np.float32 or name == "NAdam" else 1e-13
        np.testing.assert_allclose(ours.data[finite], reference[finite], rtol=tolerance, atol=tolerance)


def assert_same_nonfinite_and_close(ours, theirs, tolerance, what):
    """The nan and +-inf entries of ``ours`` where ``theirs`` has them, the finite ones close."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{what}: nan entries")
    np.testing.assert_array_equal(np.isposinf(ours), np.isposinf(theirs), err_msg=f"{what}: +inf entries")
    np.testing.assert_array_equal(np.isneginf(ours), np.isneginf(theirs), err_msg=f"{what}: -inf entries")
    finite = np.isfinite(theirs)
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=tolerance, atol=tolerance, err_msg=what)


RUNNING_AVERAGE_CASES = [
    ("Adam", {}),
    ("Adam", {"betas": (0.3, 0.999)}),
    ("AdamW", {"amsgrad": True}),
    ("Adamax", {}),
    ("NAdam", {}),
    ("RAdam", {}),
    ("RAdam", {"betas": (0.3, 0.999)}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "alpha": 0.3}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("name", "options"), RUNNING_AVERAGE_CASES, ids=lambda x: x if isinstance(x, str) else option_id(x)
)
def test_an_infinite_running_average_meets_finite_gradients_as_torchs_lerp(name, options, dtype):
    """torch keeps the first moment (RMSprop's mean gradient) by ``lerp_``: m + w (g - m) for a weight w = 1 - beta
    below 1/2, g - (1 - w) (g - m) above. An inf gradient makes m inf; the next finite gradient makes it
    inf - inf = nan for a small weight (it stays inf for a large one), and RAdam's early steps, m / (1 - beta1^t),
    give nan parameters where a weighted sum beta m + (1 - beta) g would keep -inf."""
    start = np.linspace(-1.0, 1.0, 4).astype(dtype)
    ours, theirs = nn.Parameter(start.copy()), torch.tensor(start.copy(), requires_grad=True)
    our_optimizer = getattr(nn.optim, name)([ours], lr=0.1, **options)
    torch_optimizer = getattr(torch.optim, name)([theirs], lr=0.1, **options)
    gradients = [[np.inf, -np.inf, 1.0, np.nan]] + [[1.0, -0.5, 0.25, 2.0]] * 7
    for step, gradient in enumerate(gradients):
        ours.grad, theirs.grad = np.array(gradient, dtype=dtype), torch.tensor(gradient, dtype=theirs.dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            our_optimizer.step()
        torch_optimizer.step()
        tolerance = 1e-5 if dtype == np.float32 or name == "NAdam" else 1e-12  # (torch: mu_product in float32)
        assert_same_nonfinite_and_close(ours.data, theirs.detach().numpy(), tolerance, f"step {step}: parameter")
        for key, value in torch_optimizer.state[theirs].items():
            if key != "step":
                what = f"step {step}: state {key!r}"
                assert_same_nonfinite_and_close(our_optimizer.state[ours][key], value.numpy(), tolerance, what)


NO_EPS_CASES = [
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {"amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr_decay": 0.1}),
    ("Adadelta", {}),
    ("Adamax", {}),
    ("NAdam", {}),
    ("RAdam", {}),
]

#: Gradients of 3 entries: one never moved, one moved once, one zero after a start (RAdam's rectified steps
#: begin at the sixth, so each runs twice), then an inf and a nan in the entries already on the move.
NO_EPS_GRADIENTS = [[0.0, 0.5, 1e-4], [0.0, -0.25, 0.0], [0.0, 0.0, 0.3]] * 2 + [[0.0, np.inf, 1.0], [np.nan, 1.0, 1.0]]


@pytest.mark.parametrize(("name", "options"), NO_EPS_CASES, ids=lambda x: x if isinstance(x, str) else option_id(x))
def test_no_eps_divides_as_ieee_and_gives_torchs_nans_and_infs(name, options):
    """With eps=0 torch's denominators reach 0 and its division is IEEE's: 0 / 0 is nan, x / 0 is inf, and the nan
    or inf spreads to the next steps through the state as torch's arithmetic spreads it (no entry is left where it
    was). float64, each step compared; no numpy warning."""
    start = np.array([1.0, -2.0, 3.0])
    ours, theirs = nn.Parameter(start.copy()), torch.tensor(start.copy(), requires_grad=True)
    our_optimizer = getattr(nn.optim, name)([ours], lr=0.1, eps=0.0, **options)
    torch_optimizer = getattr(torch.optim, name)([theirs], lr=0.1, eps=0.0, **options)
    seen_not_finite = False
    for grad in NO_EPS_GRADIENTS:
        ours.grad, theirs.grad = np.array(grad), torch.tensor(grad, dtype=torch.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            our_optimizer.step()
        torch_optimizer.step()
        reference = theirs.detach().numpy()
        np.testing.assert_allclose(ours.data, reference, rtol=1e-6, atol=0, equal_nan=True)
        seen_not_finite |= not np.all(np.isfinite(reference))
    assert seen_not_finite  # (the case reached a zero denominator)


@pytest.mark.parametrize(("name", "options"), NO_EPS_CASES, ids=lambda x: x if isinstance(x, str) else option_id(x))
def test_float16_steps_where_the_default_eps_underflows_give_torchs_infs_and_nans(name, options):
    """1e-8 is 0 in float16 and a gradient of 1e-4 squares to 0 there, so the default eps does not keep the
    denominator away from 0: torch's step is inf or nan there, and so is ours (float16 arithmetic: 1e-3)."""
    start = np.array([1.0, 2.0, -1.0], dtype=np.float16)
    ours, theirs = nn.Parameter(start.copy()), torch.tensor(start.copy(), requires_grad=True)
    our_optimizer = getattr(nn.optim, name)([ours], lr=0.01, **options)
    torch_optimizer = getattr(torch.optim, name)([theirs], lr=0.01, **options)
    for grad in ([1e-4, 0.5, 0.0], [1e-4, 0.25, 0.0]) * 4:
        ours.grad, theirs.grad = np.array(grad, dtype=np.float16), torch.tensor(grad, dtype=torch.float16)
        our_optimizer.step()
        torch_optimizer.step()
        assert ours.dtype == np.float16
        reference = theirs.detach().numpy()
        np.testing.assert_allclose(ours.data.astype(float), reference.astype(float), rtol=1e-3, equal_nan=True)


SCHEDULES = [
    (nn.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.StepLR, {"step_size": 3, "gamma": 0.5}),
    (nn.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.StepLR, {"step_size": 1}),
    (nn.optim.lr_scheduler.ExponentialLR, torch.optim.lr_scheduler.ExponentialLR, {"gamma": 0.9}),
    (nn.optim.lr_scheduler.CosineAnnealingLR, torch.optim.lr_scheduler.CosineAnnealingLR, {"T_max": 10}),
    (
        nn.optim.lr_scheduler.CosineAnnealingLR,
        torch.optim.lr_scheduler.CosineAnnealingLR,
        {"T_max": 7, "eta_min": 0.01},
    ),
]


@pytest.mark.parametrize(
    ("our_class", "torch_class", "options"),
    SCHEDULES,
    ids=[f"{ours.__name__}[{option_id(options)}]" for ours, _, options in SCHEDULES],
)
def test_schedule_lr_sequence_matches_torch(our_class, torch_class, options):
    our_optimizer = nn.optim.SGD(
        [{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.3}], lr=0.1
    )
    torch_optimizer = torch.optim.SGD(
        [{"params": [torch.zeros(2, requires_grad=True)]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}],
        lr=0.1,
    )
    ours, theirs = our_class(our_optimizer, **options), torch_class(torch_optimizer, **options)
    our_lrs, torch_lrs = [ours.get_last_lr()], [theirs.get_last_lr()]
    for _ in range(35):  # past 2 * T_max: the cosine schedule comes back up
        our_optimizer.step()
        torch_optimizer.step()
        ours.step()
        theirs.step()
        our_lrs.append(ours.get_last_lr())
        torch_lrs.append(theirs.get_last_lr())
        assert [group["lr"] for group in our_optimizer.param_groups] == our_lrs[-1]
    np.testing.assert_allclose(np.array(our_lrs), np.array(torch_lrs), rtol=0, atol=1e-12)


def gradient_sets():
    rng = np.random.default_rng(3)
    return [rng.normal(size=shape) * scale for shape, scale in [((3, 4), 1.0), ((5,), 3.0), ((), 0.5), ((2, 2), 0.01)]]


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1000.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    grads = gradient_sets()
    ours = [nn.Parameter(np.zeros(g.shape)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for our_param, torch_param, grad in zip(ours, theirs, grads):
        our_param.grad = grad.copy()
        torch_param.grad = torch.tensor(grad)
    our_norm = nn.optim.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    torch_norm = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert our_norm == pytest.approx(float(torch_norm), rel=1e-12)
    for our_param, torch_param in zip(ours, theirs):
        np.testing.assert_allclose(our_param.grad, torch_param.grad.numpy(), rtol=1e-12, atol=0)


def test_clip_grad_value_matches_torch():
    grads = gradient_sets()
    ours = [nn.Parameter(np.zeros(g.shape)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for our_param, torch_param, grad in zip(ours, theirs, grads):
        our_param.grad = grad.copy()
        torch_param.grad = torch.tensor(grad)
    nn.optim.clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for our_param, torch_param in zip(ours, theirs):
        np.testing.assert_array_equal(our_param.grad, torch_param.grad.numpy())


@pytest.mark.parametrize("clip_value", [np.float64(0.7), np.int64(1), 0.7], ids=["np.float64", "np.int64", "float"])
def test_clip_grad_value_keeps_float32_gradients_float32_as_torch(clip_value):
    """A NumPy clip value (np.float64(0.7), a config's number) clamps float32 gradients in float32, as torch's."""
    grads = [g.astype(np.float32) for g in gradient_sets()]
    ours = [nn.Parameter(np.zeros(g.shape, dtype=np.float32)) for g in grads]
    theirs = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for our_param, torch_param, grad in zip(ours, theirs, grads):
        our_param.grad = grad.copy()
        torch_param.grad = torch.tensor(grad)
    nn.utils.clip_grad_value_(ours, clip_value)
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for our_param, torch_param in zip(ours, theirs):
        assert our_param.grad.dtype == np.float32
        np.testing.assert_array_equal(our_param.grad, torch_param.grad.numpy())


def test_adagrad_with_a_groups_own_initial_accumulator_matches_torch():
    """torch starts every sum at the constructor's initial_accumulator_value, whatever a group says."""
    ours, theirs = start_both()
    groups = [{"params": [ours[0]]}, {"params": [ours[1]], "initial_accumulator_value": 2.0, "lr": 0.05}]
    torch_groups = [{"params": [theirs[0]]}, {"params": [theirs[1]], "initial_accumulator_value": 2.0, "lr": 0.05}]
    our_optimizer = nn.optim.Adagrad(groups, lr=0.1, initial_accumulator_value=0.3)
    torch_optimizer = torch.optim.Adagrad(torch_groups, lr=0.1, initial_accumulator_value=0.3)
    assert sorted(our_optimizer.state_dict()["state"]) == sorted(torch_optimizer.state_dict()["state"]) == [0, 1]
    step_ours(our_optimizer, ours, STEPS)
    step_torch(torch_optimizer, theirs, STEPS)
    for our_param, torch_param in zip(ours, theirs):
        np.testing.assert_allclose(our_param.data, torch_param.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_centered_rmsprop_with_an_overflowing_square_leaves_the_parameter_as_torch(momentum):
    """A gradient whose square overflows makes both averages' squares inf: torch's fused multiply-add keeps the
    variance at inf (so the step is 0), where inf - inf would give NaN parameters."""
    start = np.array([0.5, -1.0, 2.0])
    grads = [np.array([1e160, -3e170, 1.0]), np.array([1.0, 2.0, -1.0])]
    ours, theirs = nn.Parameter(start.copy()), torch.tensor(start.copy(), requires_grad=True)
    options = {"lr": 0.01, "alpha": 0.5, "centered": True, "momentum": momentum}
    our_optimizer, torch_optimizer = nn.optim.RMSprop([ours], **options), torch.optim.RMSprop([theirs], **options)
    for grad in grads:
        ours.grad, theirs.grad = grad.copy(), torch.tensor(grad)
        our_optimizer.step()
        torch_optimizer.step()
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {"momentum": 0.9}),
        ("SGD", {"momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}),
        ("SGD", {"momentum": 0.5, "nesterov": True, "maximize": True}),
        ("SGD", {}),
        ("Adam", {}),
        ("RMSprop", {"momentum": 0.9}),
        ("Adagrad", {}),
        ("NAdam", {}),
    ],
    ids=lambda x: x if isinstance(x, str) else option_id(x),
)
def test_a_parameter_listed_twice_in_a_group_follows_torchs_trajectory(name, options):
    """torch's SGD gathers the group's momentum buffers before it updates, so on the first step each listing of a
    parameter listed twice starts a buffer of its own (x = 1, grad 2x: 0.2 + 0.2, not 0.2 + 0.38); from then on
    both listings share the one kept. The other optimizers make their state before updating: shared from the
    first step. Three steps, the parameter compared after each."""
    ours = nn.Parameter(np.array([1.0, -0.5]))
    theirs = torch.tensor([1.0, -0.5], dtype=torch.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate"):
        our_optimizer = getattr(nn.optim, name)([ours, ours], lr=0.1, **options)
    with pytest.warns(UserWarning, match="duplicate"):
        torch_optimizer = getattr(torch.optim, name)([theirs, theirs], lr=0.1, **options)
    for _ in range(3):
        our_optimizer.zero_grad()
        (ours * ours).sum().backward()
        our_optimizer.step()
        torch_optimizer.zero_grad()
        (theirs * theirs).sum().backward()
        torch_optimizer.step()
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-12)


#: the entries of our groups that torch's have not: our options for the course's forms
OUR_OWN_GROUP_ENTRIES = {"amsgrad_max", "eps_inside_sqrt"}


@pytest.mark.parametrize(
    "name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"]
)
@pytest.mark.parametrize("switches", [{}, {"foreach": True}, {"foreach": False}])
def test_param_groups_hold_torchs_entries_and_state_dicts_load_both_ways(name, switches):
    """Each group holds torch's keys with torch's values, the implementation switches (foreach, fused, capturable,
    differentiable: each optimizer's own set, as torch's constructor stores them) included; our state dict loads into
    torch's optimizer (its arrays as tensors) and torch's into ours, and each keeps the other's switches."""
    ours, theirs = start_both()
    our_optimizer = getattr(nn.optim, name)(ours, lr=0.01, **switches)
    torch_optimizer = getattr(torch.optim, name)(theirs, lr=0.01, **switches)
    step_ours(our_optimizer, ours, 3)
    step_torch(torch_optimizer, theirs, 3)
    our_group, torch_group = our_optimizer.param_groups[0], torch_optimizer.param_groups[0]
    assert set(our_group) - OUR_OWN_GROUP_ENTRIES == set(torch_group)
    for key in ("foreach", "fused", "capturable", "differentiable"):
        assert our_group.get(key, "absent") == torch_group.get(key, "absent"), key
    torch_copy = getattr(torch.optim, name)([torch.zeros_like(p) for p in theirs], lr=1.0)
    torch_copy.load_state_dict(our_state_to_torch(our_optimizer.state_dict()))
    our_copy = getattr(nn.optim, name)([nn.Parameter(np.zeros_like(p.data)) for p in ours], lr=1.0)
    our_copy.load_state_dict(torch_optimizer.state_dict())
    for loaded, saved in ((torch_copy, our_optimizer), (our_copy, torch_optimizer)):
        for key in torch_group:
            if key != "params":
                expected = saved.param_groups[0][key]
                assert loaded.param_groups[0][key] == (expected if expected is None else pytest.approx(expected)), key
    assert repr(our_copy).count("foreach") == 1


@pytest.mark.parametrize(
    "name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta", "ASGD", "LBFGS"]
)
def test_default_options_are_torchs_numbers_so_repr_and_state_dict_print_alike(name):
    """torch's defaults are the int 0 (and LBFGS's lr the int 1): print(optimizer) shows "weight_decay: 0", and the
    state dict's groups hold the same numbers of the same types."""
    ours = getattr(nn.optim, name)([nn.Parameter(np.zeros((2, 2)))])
    theirs = getattr(torch.optim, name)([torch.zeros(2, 2, requires_grad=True)])
    own_options = ("amsgrad_max", "eps_inside_sqrt")  # (this library's options, absent from torch's)
    assert [line for line in repr(ours).splitlines() if not line.strip().startswith(own_options)] == repr(
        theirs
    ).splitlines()
    for key, value in theirs.defaults.items():
        assert type(ours.defaults[key]) is type(value), key


@pytest.mark.parametrize(
    ("name", "options"),
    [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.1}), ("AdamW", {"lr": 0.1, "weight_decay": 0.5})],
)
def test_a_parameter_frozen_with_its_gradient_still_set_is_updated_as_torchs(name, options):
    """torch updates every parameter whose .grad is not None, whatever its requires_grad: a layer frozen between
    backward() and step() takes that step, and one whose gradient zero_grad(set_to_none=False) left at zeros goes on
    moving by its momentum and weight decay (torch's well-known behaviour, kept here)."""
    start = np.array([1.0, -2.0, 0.5])
    ours, theirs = nn.Parameter(start.copy()), torch.tensor(start.copy(), requires_grad=True)
    our_optimizer = getattr(nn.optim, name)([ours], **options)
    torch_optimizer = getattr(torch.optim, name)([theirs], **options)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    ours.requires_grad_(False)
    theirs.requires_grad_(False)
    for _ in range(3):
        our_optimizer.step()
        torch_optimizer.step()
        our_optimizer.zero_grad(set_to_none=False)
        torch_optimizer.zero_grad(set_to_none=False)
    assert not np.array_equal(theirs.numpy(), start)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=1e-14)
    our_optimizer.zero_grad()
    torch_optimizer.zero_grad()
    our_optimizer.step()  # no gradient now: nothing moves
    torch_optimizer.step()
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {"momentum": 0.9}),
        ("Adam", {"betas": (0.8, 0.99)}),
        ("AdamW", {"betas": (0.8, 0.99)}),
        ("RMSprop", {}),
        ("NAdam", {"betas": (0.8, 0.99)}),
    ],
)
def test_a_torch_state_dict_with_tensor_lr_and_betas_loads_and_continues_as_torchs(name, options):
    """torch keeps ``lr=torch.tensor(0.01)`` (and tensor betas) as tensors in its param groups and state dicts: such a
    state dict loads here (as numbers) and the run goes on as torch's; our own Tensor betas are numbers too."""
    start = np.array([1.0, -2.0, 0.5])
    tensor_options = {
        key: tuple(torch.tensor(beta) for beta in value) if key == "betas" else value for key, value in options.items()
    }
    theirs = torch.tensor(start.copy(), requires_grad=True)
    torch_optimizer = getattr(torch.optim, name)([theirs], lr=torch.tensor(0.01), **tensor_options)
    theirs.grad = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    torch_optimizer.step()
    ours = nn.Parameter(theirs.detach().numpy().copy())
    our_optimizer = getattr(nn.optim, name)([ours], lr=0.5)
    our_optimizer.load_state_dict(torch_optimizer.state_dict())
    assert type(our_optimizer.param_groups[0]["lr"]) is float
    for grad in ([1.0, 1.0, -1.0], [0.25, -3.0, 0.0]):
        ours.grad, theirs.grad = np.array(grad), torch.tensor(grad, dtype=torch.float64)
        our_optimizer.step()
        torch_optimizer.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-9)
    if "betas" in options:
        own = getattr(nn.optim, name)(
            [nn.Parameter(start.copy())], betas=(Tensor(np.array(0.8)), Tensor(np.array(0.99)))
        )
        assert own.param_groups[0]["betas"] == (0.8, 0.99)
        assert all(type(beta) is float for beta in own.param_groups[0]["betas"])
