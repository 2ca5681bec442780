"""nn.optim against torch.optim: each optimizer over a grid of options, 20 steps side by side on the
same float64 problem (gradients computed by each engine), plus schedules and gradient clipping."""

import itertools

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
    ],
    ids=["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"],
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
    ],
    ids=["SGD", "Adagrad", "RMSprop", "Adam"],
)
def test_state_has_torch_names_and_values(our_class, torch_class, options):
    _, _, our_optimizer, torch_optimizer = run_both(our_class, torch_class, options, steps=5)
    ours, theirs = our_optimizer.state_dict(), torch_optimizer.state_dict()
    assert set(ours["state"]) == set(theirs["state"])
    for index, torch_entry in theirs["state"].items():
        assert set(ours["state"][index]) == set(torch_entry)
        for key, value in torch_entry.items():
            np.testing.assert_allclose(ours["state"][index][key], np.asarray(value), rtol=0, atol=1e-9)
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
