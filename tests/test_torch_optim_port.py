"""Port of the behaviour PyTorch's optimizer and scheduler suites check (test/optim/test_optim.py,
test/optim/test_lrscheduler.py), against torch itself: every optimizer over a grid of its options, on
parameters of four shapes (0-d to 3-d) in two param groups with gradients sometimes None, follows torch's
trajectory to float64 rounding, also after a state_dict round trip midway; float32 parameters to float32
rounding; pairs of schedulers on one optimizer, and ReduceLROnPlateau over a grid, give torch's rates."""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch")

SHAPES = [(3, 2), (2,), (), (2, 3, 2)]
_RNG = np.random.default_rng(0)
STARTS = [_RNG.normal(size=shape) for shape in SHAPES]
TARGETS = [_RNG.normal(size=shape) for shape in SHAPES]


def gradient(index: int, x: np.ndarray, step: int) -> np.ndarray:
    """A bounded gradient that depends on the parameter and the step (both libraries get the same arrays)."""
    return np.tanh(x - TARGETS[index]) + 0.3 * np.sin(3 * x + step) + 0.1 * np.tanh(x) * x


def grid(**choices):
    return [dict(zip(choices, values)) for values in itertools.product(*choices.values())]


OPTIONS = {
    "SGD": [
        o
        for o in grid(
            lr=[0.2],
            momentum=[0.0, 0.9],
            dampening=[0.0, 0.3],
            nesterov=[False, True],
            weight_decay=[0.0, 0.1],
            maximize=[False, True],
        )
        if not (o["nesterov"] and (o["momentum"] == 0 or o["dampening"] != 0))
    ],
    "Adam": grid(
        lr=[0.05],
        betas=[(0.5, 0.9)],
        eps=[1e-8, 0.1],
        weight_decay=[0.0, 0.1],
        amsgrad=[False, True],
        maximize=[False, True],
        decoupled_weight_decay=[False, True],
    ),
    "AdamW": grid(lr=[0.05], eps=[1e-8, 0.1], weight_decay=[0.0, 0.1], amsgrad=[False, True], maximize=[False, True]),
    "Adagrad": grid(
        lr=[0.1], lr_decay=[0.0, 0.05], weight_decay=[0.0, 0.1], initial_accumulator_value=[0.0, 0.5], eps=[1e-10, 0.1]
    ),
    "RMSprop": grid(
        lr=[0.01], alpha=[0.8], eps=[1e-8, 0.1], momentum=[0.0, 0.5], centered=[False, True], weight_decay=[0.0, 0.1]
    ),
    "Adamax": grid(lr=[0.05], eps=[1e-8, 0.1], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "NAdam": grid(lr=[0.05], weight_decay=[0.0, 0.1], momentum_decay=[4e-3, 0.5], decoupled_weight_decay=[False, True]),
    "RAdam": grid(
        lr=[0.05], betas=[(0.9, 0.999), (0.9, 0.6)], weight_decay=[0.0, 0.1], decoupled_weight_decay=[False, True]
    ),
    "Adadelta": grid(lr=[1.0], rho=[0.9, 0.5], eps=[1e-6, 1e-3], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "Rprop": grid(lr=[0.01, 0.2], etas=[(0.3, 1.5)], step_sizes=[(1e-6, 50), (0.02, 0.1)], maximize=[False, True]),
    "ASGD": grid(lr=[0.05], lambd=[1e-4, 0.1], alpha=[0.5], t0=[1e6, 3], weight_decay=[0.0, 0.1]),
    "Adafactor": grid(lr=[0.01], beta2_decay=[-0.8, -0.5], eps=[(None, 1e-3), (1e-3, 1e-2)], d=[1.0, 2.0]),
}
CASES = [(name, options) for name, grid_ in OPTIONS.items() for options in grid_]


def case_id(case):
    name, options = case
    return name + "[" + ",".join(f"{key}={value}" for key, value in options.items()) + "]"


def run_both(name, options, *, dtype=np.float64, steps=20, resume_at=None):
    """Both optimizers on the four parameters in two groups (the second at a third of the lr); every third
    (parameter, step) pair has no gradient. ``resume_at``: our optimizer is replaced then by a new one (built
    with another lr) that loads its state dict. Returns our and torch's final parameter arrays."""
    ours = [nn.Parameter(start.astype(dtype)) for start in STARTS]
    theirs = [torch.tensor(start.astype(dtype), requires_grad=True) for start in STARTS]

    def groups(params, lr):
        return [{"params": params[:2]}, {"params": params[2:], "lr": lr / 3}]

    our_optimizer = getattr(nn.optim, name)(groups(ours, options["lr"]), **options)
    torch_optimizer = getattr(torch.optim, name)(groups(theirs, options["lr"]), **options)
    for step in range(steps):
        for index, (mine, reference) in enumerate(zip(ours, theirs)):
            if (step + index) % 3 == 0:
                mine.grad = reference.grad = None
            else:
                grad = gradient(index, reference.detach().numpy().astype(np.float64), step).astype(dtype)
                mine.grad, reference.grad = grad.copy(), torch.tensor(grad)
        our_optimizer.step()
        torch_optimizer.step()
        if step == resume_at:
            saved = copy.deepcopy(our_optimizer.state_dict())
            our_optimizer = getattr(nn.optim, name)(groups(ours, 123.0), **{**options, "lr": 123.0})
            our_optimizer.load_state_dict(saved)
    return [np.asarray(p.data) for p in ours], [p.detach().numpy() for p in theirs]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_twenty_steps_in_two_groups_with_missing_gradients_follow_torch(case, torch_default_float64):
    ours, theirs = run_both(*case)
    for mine, reference, start in zip(ours, theirs, STARTS):
        assert np.max(np.abs(reference - start)) > 1e-3  # the run moved every parameter
        np.testing.assert_allclose(mine, reference, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("case", CASES[::4], ids=case_id)
def test_a_state_dict_round_trip_midway_changes_nothing(case, torch_default_float64):
    ours, theirs = run_both(*case, resume_at=7)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine, reference, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("case", CASES[::5], ids=case_id)
def test_float32_parameters_follow_torch_to_float32_rounding(case):
    ours, theirs = run_both(*case, dtype=np.float32)
    for mine, reference in zip(ours, theirs):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, reference, rtol=2e-5, atol=2e-5)


# -- schedulers --------------------------------------------------------------------------------------------
def _optimizers():
    ours = [{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.3}]
    theirs = [
        {"params": [torch.zeros(2, requires_grad=True)]},
        {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3},
    ]
    return nn.optim.SGD(ours, lr=0.1, momentum=0.9), torch.optim.SGD(theirs, lr=0.1, momentum=0.9)


SCHEDULES = {
    "StepLR": lambda lib, o: lib.StepLR(o, 3, gamma=0.5),
    "MultiStepLR": lambda lib, o: lib.MultiStepLR(o, [2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda lib, o: lib.ExponentialLR(o, 0.9),
    "CosineAnnealingLR": lambda lib, o: lib.CosineAnnealingLR(o, 7, eta_min=0.01),
    "LambdaLR": lambda lib, o: lib.LambdaLR(o, lambda epoch: 0.95**epoch),
    "MultiplicativeLR": lambda lib, o: lib.MultiplicativeLR(o, lambda epoch: 0.9),
    "LinearLR": lambda lib, o: lib.LinearLR(o, 1.0, 0.0, 6),
    "ConstantLR": lambda lib, o: lib.ConstantLR(o, 0.5, 4),
    "PolynomialLR": lambda lib, o: lib.PolynomialLR(o, 8, 2.0),
    "CosineAnnealingWarmRestarts": lambda lib, o: lib.CosineAnnealingWarmRestarts(o, 3, 2, eta_min=0.001),
}
PAIRS = list(itertools.combinations(sorted(SCHEDULES), 2))


def _two_schedules_record(first, second, lib, optimizer, steps, resume_at):
    schedulers = [SCHEDULES[first](lib, optimizer), SCHEDULES[second](lib, optimizer)]
    rows = []
    for step in range(steps):
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
        if step == resume_at:  # new schedulers of the same kinds take the saved states
            saved = [scheduler.state_dict() for scheduler in schedulers]
            schedulers = [SCHEDULES[first](lib, optimizer), SCHEDULES[second](lib, optimizer)]
            for scheduler, state in zip(schedulers, saved):
                scheduler.load_state_dict(state)
        rows.append([float(group["lr"]) for group in optimizer.param_groups])
        rows[-1] += [float(lr) for lr in schedulers[-1].get_last_lr()] + [schedulers[0].last_epoch]
    return np.array(rows)


@pytest.mark.parametrize("resume_at", [None, 6])
@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_two_schedulers_on_one_optimizer_give_torchs_rates(first, second, resume_at):
    ours, theirs = _optimizers()
    np.testing.assert_allclose(
        _two_schedules_record(first, second, nn.optim.lr_scheduler, ours, 30, resume_at),
        _two_schedules_record(first, second, torch.optim.lr_scheduler, theirs, 30, resume_at),
        rtol=1e-12,
        atol=1e-15,
    )


_METRIC_RNG = np.random.default_rng(1)
METRICS = {
    "noisy_descent": list(10 - 0.1 * np.arange(40) + _METRIC_RNG.normal(0, 0.3, 40)),
    "flat": [1.0] * 40,
    "tiny_improvements": list(1.0 - 1e-5 * np.arange(40)),
    "with_nan": [1.0, 0.9, float("nan"), 0.8] * 10,
}
PLATEAU_OPTIONS = grid(
    mode=["min", "max"],
    threshold_mode=["rel", "abs"],
    threshold=[1e-4, 0.1],
    patience=[0, 2],
    cooldown=[0, 3],
    min_lr=[0.02, [0.05, 0.001]],
)


@pytest.mark.parametrize("metrics", sorted(METRICS))
@pytest.mark.parametrize("options", PLATEAU_OPTIONS[::3])
def test_reduce_lr_on_plateau_over_its_options_gives_torchs_rates_and_counters(options, metrics):
    records = []
    for lib, optimizer in zip((nn.optim.lr_scheduler, torch.optim.lr_scheduler), _optimizers()):
        scheduler = lib.ReduceLROnPlateau(optimizer, factor=0.5, **options)
        rows = []
        for step, metric in enumerate(METRICS[metrics]):
            optimizer.step()
            scheduler.step(metric)
            if step == 10:
                saved = scheduler.state_dict()
                scheduler = lib.ReduceLROnPlateau(optimizer)
                scheduler.load_state_dict(saved)
            rows.append(
                [float(group["lr"]) for group in optimizer.param_groups]
                + [scheduler.num_bad_epochs, scheduler.cooldown_counter, scheduler.last_epoch]
            )
        records.append(np.array(rows))
    np.testing.assert_allclose(records[0], records[1], rtol=1e-12, atol=1e-15)
