"""Torch oracle for the learning-rate schedulers of nn.optim.lr_scheduler: the same options on the same
two-group optimizer give torch's learning rates (and OneCycleLR's momenta) at every step for 30-100 steps."""

from __future__ import annotations

import copy
import warnings
from collections import Counter

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch")
ours_lib, torch_lib = nn.optim.lr_scheduler, torch.optim.lr_scheduler


def _optimizers(kind: str):
    """Our optimizer and torch's, both with two param groups (lr 0.1 and 0.3)."""
    ours_groups = [{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.3}]
    torch_groups = [
        {"params": [torch.zeros(2, requires_grad=True)]},
        {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3},
    ]
    if kind == "adam":
        return nn.optim.Adam(ours_groups, lr=0.1), torch.optim.Adam(torch_groups, lr=0.1)
    return (
        nn.optim.SGD(ours_groups, lr=0.1, momentum=0.9),
        torch.optim.SGD(torch_groups, lr=0.1, momentum=0.9),
    )


def _record(optimizer, scheduler, steps: int, metrics=None) -> np.ndarray:
    """lr (and momentum or beta1) of each group after construction and after each step."""
    rows = []
    for step in range(steps + 1):
        if step:
            optimizer.step()
            scheduler.step() if metrics is None else scheduler.step(metrics[step - 1])
        row = []
        for group in optimizer.param_groups:
            momentum = group["betas"][0] if "betas" in group else group.get("momentum", 0.0)
            row += [float(group["lr"]), float(momentum)]
        rows.append(row + [float(lr) for lr in scheduler.get_last_lr()])
    return np.array(rows)


def _lambda(epoch):
    return 0.95**epoch if epoch % 7 else 1.5


CASES = {
    "MultiStepLR": (lambda lib, o: lib.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.5), 40),
    "MultiStepLR_late_milestones": (lambda lib, o: lib.MultiStepLR(o, milestones=[2, 25, 25, 31], gamma=0.5), 40),
    "LambdaLR": (lambda lib, o: lib.LambdaLR(o, lr_lambda=_lambda), 40),
    "LambdaLR_per_group": (lambda lib, o: lib.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: 0.9**e]), 30),
    "MultiplicativeLR": (lambda lib, o: lib.MultiplicativeLR(o, lr_lambda=lambda e: 0.9 if e % 3 else 1.1), 40),
    "LinearLR": (lambda lib, o: lib.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=12), 30),
    "LinearLR_defaults": (lambda lib, o: lib.LinearLR(o), 30),
    "ConstantLR": (lambda lib, o: lib.ConstantLR(o, factor=0.25, total_iters=6), 30),
    "CosineAnnealingWarmRestarts": (lambda lib, o: lib.CosineAnnealingWarmRestarts(o, T_0=5, eta_min=0.01), 60),
    "CosineAnnealingWarmRestarts_mult": (lambda lib, o: lib.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2), 100),
    "OneCycleLR_cos": (lambda lib, o: lib.OneCycleLR(o, max_lr=1.0, total_steps=50), 50),
    "OneCycleLR_linear_three_phase": (
        lambda lib, o: lib.OneCycleLR(
            o, max_lr=[0.5, 2.0], epochs=8, steps_per_epoch=5, anneal_strategy="linear", three_phase=True
        ),
        40,
    ),
    "OneCycleLR_options": (
        lambda lib, o: lib.OneCycleLR(
            o,
            max_lr=0.8,
            total_steps=64,
            pct_start=0.45,
            base_momentum=[0.8, 0.7],
            max_momentum=0.99,
            div_factor=10.0,
            final_div_factor=50.0,
            three_phase=True,
        ),
        64,
    ),
    "OneCycleLR_no_momentum": (
        lambda lib, o: lib.OneCycleLR(o, max_lr=1.0, total_steps=30, cycle_momentum=False, pct_start=0.5),
        30,
    ),
    # the word-language-model tutorial's spelling: a whole float period
    "StepLR_float_step_size": (lambda lib, o: lib.StepLR(o, 1.0, gamma=0.95), 20),
    "StepLR_float_step_size_3": (lambda lib, o: lib.StepLR(o, step_size=3.0, gamma=0.5), 20),
    # whole floats for the other counts, which torch takes as it takes the ints
    "CosineAnnealingLR_float_T_max": (lambda lib, o: lib.CosineAnnealingLR(o, T_max=10.0), 30),
    "MultiStepLR_float_milestones": (lambda lib, o: lib.MultiStepLR(o, milestones=[3.0, 7.0], gamma=0.5), 15),
    "LinearLR_float_total_iters": (lambda lib, o: lib.LinearLR(o, total_iters=5.0), 10),
    "ConstantLR_float_total_iters": (lambda lib, o: lib.ConstantLR(o, total_iters=4.0), 10),
    "PolynomialLR_float_total_iters": (lambda lib, o: lib.PolynomialLR(o, total_iters=6.0, power=2.0), 10),
    "CyclicLR_float_steps": (
        lambda lib, o: lib.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4.0, step_size_down=2.0),
        20,
    ),
    "PolynomialLR": (lambda lib, o: lib.PolynomialLR(o, total_iters=12, power=2.0), 30),
    # zero-length ramps, which torch takes: the factor stays where it starts; a sawtooth with no way down
    "LinearLR_no_iterations": (lambda lib, o: lib.LinearLR(o, start_factor=0.5, total_iters=0), 8),
    "PolynomialLR_no_iterations": (lambda lib, o: lib.PolynomialLR(o, total_iters=0), 8),
    "CyclicLR_no_way_down": (
        lambda lib, o: lib.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=0),
        12,
    ),
    "PolynomialLR_defaults": (lambda lib, o: lib.PolynomialLR(o), 20),
    "PolynomialLR_root": (lambda lib, o: lib.PolynomialLR(o, total_iters=7, power=0.5), 20),
    "CyclicLR_triangular": (lambda lib, o: lib.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4), 40),
    "CyclicLR_triangular2_uneven": (
        lambda lib, o: lib.CyclicLR(o, [0.01, 0.02], [0.1, 0.5], step_size_up=3, step_size_down=5, mode="triangular2"),
        60,
    ),
    "CyclicLR_exp_range": (
        lambda lib, o: lib.CyclicLR(
            o, 0.001, 0.1, step_size_up=5, mode="exp_range", gamma=0.97, base_momentum=[0.7, 0.75], max_momentum=0.95
        ),
        60,
    ),
    "CyclicLR_scale_fn_iterations": (
        lambda lib, o: lib.CyclicLR(
            o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 1 / (1 + 0.1 * x), scale_mode="iterations"
        ),
        30,
    ),
    "CyclicLR_scale_fn_cycle_no_momentum": (
        lambda lib, o: lib.CyclicLR(
            o, 0.01, 0.1, step_size_up=3, scale_fn=lambda c: 0.8**c, cycle_momentum=False, mode="ignored"
        ),
        30,
    ),
    "SequentialLR_polynomial_then_exponential": (
        lambda lib, o: lib.SequentialLR(
            o,
            [lib.PolynomialLR(o, total_iters=6, power=1.5), lib.ExponentialLR(o, gamma=0.9)],
            milestones=[8],
        ),
        30,
    ),
    "SequentialLR_warmup_then_cosine": (
        lambda lib, o: lib.SequentialLR(
            o,
            [lib.LinearLR(o, start_factor=0.1, total_iters=5), lib.CosineAnnealingLR(o, T_max=20, eta_min=0.001)],
            milestones=[5],
        ),
        50,
    ),
    "SequentialLR_three": (
        lambda lib, o: lib.SequentialLR(
            o,
            [
                lib.ConstantLR(o, factor=0.5, total_iters=4),
                lib.ExponentialLR(o, gamma=0.9),
                lib.MultiplicativeLR(o, lr_lambda=lambda e: 0.8),
            ],
            milestones=[6, 15],
        ),
        40,
    ),
    "SequentialLR_step_and_restarts": (
        lambda lib, o: lib.SequentialLR(
            o,
            [lib.StepLR(o, step_size=2, gamma=0.5), lib.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2)],
            milestones=[7],
        ),
        40,
    ),
}


@pytest.mark.parametrize("optimizer_kind", ["sgd", "adam"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_scheduler_matches_torch_at_every_step(name, optimizer_kind):
    build, steps = CASES[name]
    our_optimizer, torch_optimizer = _optimizers(optimizer_kind)
    ours = _record(our_optimizer, build(ours_lib, our_optimizer), steps)
    theirs = _record(torch_optimizer, build(torch_lib, torch_optimizer), steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


PLATEAU_METRICS = list(np.concatenate([np.linspace(1.0, 0.5, 10), np.full(12, 0.5), [0.49995, 0.4], np.full(30, 0.6)]))
PLATEAU_CASES = [
    {},
    {"patience": 2, "factor": 0.5},
    {"patience": 1, "cooldown": 3, "factor": 0.3, "min_lr": [0.02, 0.05]},
    {"patience": 0, "threshold": 0.05, "threshold_mode": "abs", "min_lr": 0.001},
    {"mode": "max", "patience": 3, "factor": 0.5, "threshold": 0.01},
    {"mode": "max", "patience": 1, "threshold_mode": "abs", "threshold": 0.0, "eps": 0.05},
]


@pytest.mark.parametrize("options", PLATEAU_CASES)
def test_reduce_lr_on_plateau_matches_torch_at_every_step(options):
    our_optimizer, torch_optimizer = _optimizers("sgd")
    ours = ours_lib.ReduceLROnPlateau(our_optimizer, **options)
    theirs = torch_lib.ReduceLROnPlateau(torch_optimizer, **options)
    steps = len(PLATEAU_METRICS)
    np.testing.assert_allclose(
        _record(our_optimizer, ours, steps, PLATEAU_METRICS),
        _record(torch_optimizer, theirs, steps, PLATEAU_METRICS),
        rtol=1e-12,
    )
    assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == (
        theirs.best,
        theirs.num_bad_epochs,
        theirs.cooldown_counter,
        theirs.last_epoch,
    )


def test_one_cycle_sets_torchs_group_entries():
    our_optimizer, torch_optimizer = _optimizers("sgd")
    ours_lib.OneCycleLR(our_optimizer, max_lr=[1.0, 2.0], total_steps=10)
    torch_lib.OneCycleLR(torch_optimizer, max_lr=[1.0, 2.0], total_steps=10)
    for mine, theirs in zip(our_optimizer.param_groups, torch_optimizer.param_groups):
        for key in ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum", "lr", "momentum"):
            assert mine[key] == pytest.approx(theirs[key], rel=1e-15), key


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("StepLR", {"step_size": 2, "gamma": 0.5}),
        ("ExponentialLR", {"gamma": 0.9}),
        ("CosineAnnealingLR", {"T_max": 5}),
    ],
)
def test_a_state_dict_saved_by_torch_loads_and_continues_the_schedule(name, options):
    torch = pytest.importorskip("torch")
    theirs_parameter = torch.nn.Parameter(torch.zeros(2))
    theirs_optimizer = torch.optim.SGD([theirs_parameter], lr=0.1)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_optimizer, **options)
    for _ in range(3):
        theirs_optimizer.step()
        theirs.step()
    saved = theirs.state_dict()
    assert {"_get_lr_called_within_step", "_is_initial"} <= set(saved)  # torch's bookkeeping, passed over here
    optimizer = nn.optim.SGD([nn.Parameter(np.zeros(2))], lr=0.1)
    ours = getattr(nn.optim.lr_scheduler, name)(optimizer, **options)
    ours.load_state_dict(saved)
    optimizer.param_groups[0]["lr"] = theirs_optimizer.param_groups[0]["lr"]
    for _ in range(3):
        theirs_optimizer.step()
        theirs.step()
        optimizer.step()
        ours.step()
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
    with pytest.raises(ValueError, match="unexpected keys \\['other'\\]"):
        ours.load_state_dict({**saved, "other": 1})


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_schedulers_state_dict_saved_by_torch_loads_and_continues_as_torchs(name):
    """Midway, torch's state dict goes into a new scheduler of each library on the optimizers so far (building
    one moves the rates as torch's does); both then go on alike."""
    make, steps = CASES[name]
    ours_optimizer, torch_optimizer = _optimizers("sgd")
    ours, theirs = make(ours_lib, ours_optimizer), make(torch_lib, torch_optimizer)
    _record(ours_optimizer, ours, steps // 2)
    _record(torch_optimizer, theirs, steps // 2)
    saved = theirs.state_dict()
    ours, theirs = make(ours_lib, ours_optimizer), make(torch_lib, torch_optimizer)
    ours.load_state_dict(saved)
    theirs.load_state_dict(saved)
    np.testing.assert_allclose(
        _record(ours_optimizer, ours, steps - steps // 2), _record(torch_optimizer, theirs, steps - steps // 2)
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_schedulers_state_dict_saved_here_loads_into_torchs_and_continues_alike(name):
    """Midway, our state dict goes into a new scheduler of each library on the optimizers so far: torch's reads it
    (MultiStepLR's milestones a Counter, SequentialLR's ``_schedulers`` and ``_milestones``, ...) and both go on
    alike."""
    make, steps = CASES[name]
    ours_optimizer, torch_optimizer = _optimizers("sgd")
    ours, theirs = make(ours_lib, ours_optimizer), make(torch_lib, torch_optimizer)
    _record(ours_optimizer, ours, steps // 2)
    _record(torch_optimizer, theirs, steps // 2)
    saved = ours.state_dict()
    ours, theirs = make(ours_lib, ours_optimizer), make(torch_lib, torch_optimizer)
    ours.load_state_dict(copy.deepcopy(saved))
    theirs.load_state_dict(copy.deepcopy(saved))
    np.testing.assert_allclose(
        _record(ours_optimizer, ours, steps - steps // 2), _record(torch_optimizer, theirs, steps - steps // 2)
    )


def test_multistep_milestones_are_saved_as_torchs_counter_and_a_saved_list_still_loads():
    optimizer = _optimizers("sgd")[0]
    scheduler = ours_lib.MultiStepLR(optimizer, milestones=[5, 2, 5], gamma=0.5)
    saved = scheduler.state_dict()
    assert saved["milestones"] == Counter({5: 2, 2: 1}) and isinstance(saved["milestones"], Counter)
    for milestones in (saved["milestones"], [2, 5, 5], {2: 1, 5: 2}):
        other = ours_lib.MultiStepLR(_optimizers("sgd")[0], milestones=[1], gamma=0.5)
        other.load_state_dict({**saved, "milestones": milestones})
        assert other.milestones == [2, 5, 5]


def test_a_plateau_state_dict_saved_by_torch_loads():
    ours_optimizer, torch_optimizer = _optimizers("sgd")
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85]
    theirs = torch_lib.ReduceLROnPlateau(torch_optimizer, mode="max", patience=1, min_lr=[0.01, 0.02])
    _record(torch_optimizer, theirs, 5, metrics)
    ours = ours_lib.ReduceLROnPlateau(ours_optimizer, mode="max", patience=1, min_lr=[0.01, 0.02])
    ours.load_state_dict(theirs.state_dict())  # with torch's mode_worse, which mode gives here
    for group, torch_group in zip(ours_optimizer.param_groups, torch_optimizer.param_groups):
        group["lr"] = torch_group["lr"]
    np.testing.assert_allclose(
        _record(ours_optimizer, ours, 5, metrics[5:]), _record(torch_optimizer, theirs, 5, metrics[5:])
    )


GROUP_ADDED_CASES = {
    "StepLR": lambda lib, o: lib.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda lib, o: lib.MultiStepLR(o, milestones=[2, 9], gamma=0.3),
    "ExponentialLR": lambda lib, o: lib.ExponentialLR(o, gamma=0.9),
    "LinearLR": lambda lib, o: lib.LinearLR(o, start_factor=0.2, total_iters=12),
    "ConstantLR": lambda lib, o: lib.ConstantLR(o, factor=0.5, total_iters=8),
    "PolynomialLR": lambda lib, o: lib.PolynomialLR(o, total_iters=15, power=2.0),
    "CosineAnnealingLR_before_its_trough": lambda lib, o: lib.CosineAnnealingLR(o, T_max=20),
    "ChainedScheduler": lambda lib, o: lib.ChainedScheduler([lib.ConstantLR(o, 0.5, 8), lib.ExponentialLR(o, 0.9)]),
}


@pytest.mark.parametrize("name", sorted(GROUP_ADDED_CASES))
def test_a_param_group_added_mid_training_is_scheduled_as_torchs(name):
    """A group added to the optimizer after the scheduler was built (unfreezing a layer) has no base rate; torch's
    chained schedules step its lr with the others', so ours do too (they raised a ValueError)."""
    build = GROUP_ADDED_CASES[name]
    records = []
    for lib, optimizer, new_parameter in (
        (ours_lib, _optimizers("sgd")[0], nn.Parameter(np.zeros(3))),
        (torch_lib, _optimizers("sgd")[1], torch.zeros(3, requires_grad=True)),
    ):
        scheduler = build(lib, optimizer)
        rows = []
        for step in range(20):
            optimizer.step()
            scheduler.step()
            if step == 4:
                optimizer.add_param_group({"params": [new_parameter], "lr": 0.7})
            rows.append([float(lr) for lr in scheduler.get_last_lr()[:2]])
            rows[-1] += [float(group["lr"]) for group in optimizer.param_groups[2:]]
        records.append(rows)
    ours, theirs = records
    assert [len(row) for row in ours] == [len(row) for row in theirs]
    np.testing.assert_allclose(np.concatenate(ours), np.concatenate(theirs), rtol=1e-12, atol=1e-15)


def test_a_param_group_added_mid_training_stops_cosine_annealing_at_its_trough_as_torchs():
    """CosineAnnealingLR's step out of its trough needs each group's base rate, which an added group has not:
    a ValueError, as torch's."""
    optimizers = _optimizers("sgd")
    for lib, optimizer, new_parameter in (
        (ours_lib, optimizers[0], nn.Parameter(np.zeros(3))),
        (torch_lib, optimizers[1], torch.zeros(3, requires_grad=True)),
    ):
        scheduler = lib.CosineAnnealingLR(optimizer, T_max=4)
        optimizer.add_param_group({"params": [new_parameter], "lr": 0.7})
        for _ in range(4):
            optimizer.step()
            scheduler.step()
        optimizer.step()
        with pytest.raises(ValueError):
            scheduler.step()


@pytest.mark.parametrize(
    "name, options",
    [
        ("CosineAnnealingWarmRestarts", {"T_0": 2.0}),
        ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 1.5}),
        ("CosineAnnealingWarmRestarts", {"T_0": 2, "eta_min": "0"}),
        ("CosineAnnealingWarmRestarts", {"T_0": 2, "eta_min": None}),
        ("OneCycleLR", {"max_lr": 0.5, "total_steps": 10.0}),
        ("OneCycleLR", {"max_lr": 0.5, "epochs": 2.0, "steps_per_epoch": 5}),
        ("OneCycleLR", {"max_lr": 0.5, "epochs": 2, "steps_per_epoch": 5.0}),
    ],
)
def test_mistyped_schedule_arguments_raise_torchs_value_error(name, options):
    ours, theirs = _optimizers("sgd")
    with pytest.raises(ValueError):  # torch's class, checked on torch itself
        getattr(torch_lib, name)(theirs, **options)
    with pytest.raises(ValueError) as caught:
        getattr(ours_lib, name)(ours, **options)
    assert isinstance(caught.value, TypeError)  # and still the library's class for a wrong type
    assert name in str(caught.value)


def test_plateau_in_cooldown_follows_torch_step_by_step():
    ours, theirs = _optimizers("sgd")
    options = {"patience": 1, "cooldown": 2, "factor": 0.5}
    ours_scheduler = ours_lib.ReduceLROnPlateau(ours, **options)
    torch_scheduler = torch_lib.ReduceLROnPlateau(theirs, **options)
    seen = []
    for metric in [1.0, 2.0, 2.0, 2.0, 2.0, 0.5, 2.0, 2.0, 2.0, 2.0]:
        ours.step(), theirs.step()
        ours_scheduler.step(metric), torch_scheduler.step(metric)
        assert ours_scheduler.in_cooldown == torch_scheduler.in_cooldown
        seen.append(torch_scheduler.in_cooldown)
    assert True in seen and False in seen  # both states were reached


RESUMED_CASES = {
    "StepLR": lambda lib, o, last_epoch: lib.StepLR(o, step_size=3, gamma=0.5, last_epoch=last_epoch),
    "MultiStepLR": lambda lib, o, last_epoch: lib.MultiStepLR(o, [2, 5, 9], gamma=0.3, last_epoch=last_epoch),
    "ExponentialLR": lambda lib, o, last_epoch: lib.ExponentialLR(o, gamma=0.9, last_epoch=last_epoch),
    "CosineAnnealingLR": lambda lib, o, last_epoch: lib.CosineAnnealingLR(o, 7, eta_min=0.01, last_epoch=last_epoch),
    "LinearLR": lambda lib, o, last_epoch: lib.LinearLR(o, 0.25, 0.75, total_iters=6, last_epoch=last_epoch),
    "ConstantLR": lambda lib, o, last_epoch: lib.ConstantLR(o, factor=0.5, total_iters=4, last_epoch=last_epoch),
    "PolynomialLR": lambda lib, o, last_epoch: lib.PolynomialLR(o, total_iters=8, power=2.0, last_epoch=last_epoch),
    "MultiplicativeLR": lambda lib, o, last_epoch: lib.MultiplicativeLR(o, lambda e: 0.9, last_epoch=last_epoch),
    "LambdaLR": lambda lib, o, last_epoch: lib.LambdaLR(o, lambda e: 0.95**e, last_epoch=last_epoch),
    "CosineAnnealingWarmRestarts": lambda lib, o, last_epoch: lib.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.01, last_epoch=last_epoch
    ),
    "CosineAnnealingWarmRestarts_period_4": lambda lib, o, last_epoch: lib.CosineAnnealingWarmRestarts(
        o, T_0=4, last_epoch=last_epoch
    ),
}


@pytest.mark.parametrize("steps_before", [1, 3, 6, 11])
@pytest.mark.parametrize("name", sorted(RESUMED_CASES))
def test_a_scheduler_built_with_last_epoch_on_a_resumed_optimizer_goes_on_as_torchs(name, steps_before):
    """torch's resumption: the optimizer's state dict (its rates and initial_lr) loads into a new optimizer and
    the schedule is built with ``last_epoch`` = the steps taken. torch 2.13 keeps the loaded rates for the
    schedules it chains from the current rate with a first step of its own (ExponentialLR, CosineAnnealingLR,
    LinearLR, PolynomialLR, MultiplicativeLR), and steps the others on from the loaded rates; both then go on."""
    build = RESUMED_CASES[name]
    records = []
    for lib, which in ((ours_lib, 0), (torch_lib, 1)):
        optimizer = _optimizers("sgd")[which]
        scheduler = build(lib, optimizer, -1)
        for _ in range(steps_before):
            optimizer.step()
            scheduler.step()
        resumed_optimizer = _optimizers("sgd")[which]
        resumed_optimizer.load_state_dict(copy.deepcopy(optimizer.state_dict()))
        resumed = build(lib, resumed_optimizer, steps_before)
        rows = [[float(group["lr"]) for group in resumed_optimizer.param_groups] + [resumed.last_epoch]]
        for _ in range(10):
            resumed_optimizer.step()
            resumed.step()
            rows.append([float(lr) for lr in resumed.get_last_lr()] + [resumed.last_epoch])
        records.append(np.array(rows))
    np.testing.assert_allclose(records[0], records[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(RESUMED_CASES))
def test_a_scheduler_built_with_last_epoch_steps_from_the_groups_rates_as_torchs(name):
    """With ``initial_lr`` given by hand and rates that are not the schedule's (a changed lr, a second
    schedule), the first step of a resumed build moves the current rates as torch's does."""
    records = []
    for lib, which in ((ours_lib, 0), (torch_lib, 1)):
        optimizer = _optimizers("sgd")[which]
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"] * 2
        scheduler = RESUMED_CASES[name](lib, optimizer, 3)
        rows = [[float(group["lr"]) for group in optimizer.param_groups] + [scheduler.last_epoch]]
        for _ in range(6):
            optimizer.step()
            scheduler.step()
            rows.append([float(lr) for lr in scheduler.get_last_lr()] + [scheduler.last_epoch])
        records.append(np.array(rows))
    np.testing.assert_allclose(records[0], records[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("last_epoch", [0, 4, 13, 40])
def test_warm_restarts_built_with_last_epoch_take_torchs_one_ordinary_step(last_epoch):
    """torch's resumed CosineAnnealingWarmRestarts starts from T_cur = last_epoch, T_i = T_0 and takes one
    ordinary step (T_cur + 1 wrapped once, T_i times T_mult once): T_0=5, T_mult=2, last_epoch=13 starts at
    T_cur 4 of T_i 10, not in the cycle that holds epoch 14. Its step never counts: ``_step_count`` stays 0."""
    records = []
    for lib, which in ((ours_lib, 0), (torch_lib, 1)):
        optimizer = _optimizers("sgd")[which]
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"]
        scheduler = lib.CosineAnnealingWarmRestarts(optimizer, T_0=5, T_mult=2, last_epoch=last_epoch)
        rows = [[scheduler.T_cur, scheduler.T_i, scheduler.last_epoch, scheduler.state_dict()["_step_count"]]]
        for _ in range(12):
            optimizer.step()
            scheduler.step()
            rows.append([scheduler.T_cur, scheduler.T_i, scheduler.last_epoch, scheduler.state_dict()["_step_count"]])
            rows[-1] += [float(lr) for lr in scheduler.get_last_lr()]
        records.append(rows)
    ours, theirs = records
    assert [row[:4] for row in ours] == [row[:4] for row in theirs]
    np.testing.assert_allclose(np.concatenate(ours[1:]), np.concatenate(theirs[1:]), rtol=1e-12)


FRACTIONAL_CASES = {
    "StepLR": lambda lib, o: lib.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda lib, o: lib.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda lib, o: lib.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda lib, o: lib.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "LambdaLR": lambda lib, o: lib.LambdaLR(o, lambda e: 1 / (1 + e)),
    "MultiplicativeLR": lambda lib, o: lib.MultiplicativeLR(o, lambda e: 0.9 + 0.01 * e),
    "LinearLR": lambda lib, o: lib.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=8),
    "ConstantLR": lambda lib, o: lib.ConstantLR(o, factor=0.25, total_iters=4),
    "PolynomialLR": lambda lib, o: lib.PolynomialLR(o, total_iters=10, power=1.5),
    "CyclicLR": lambda lib, o: lib.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9),
    "OneCycleLR": lambda lib, o: lib.OneCycleLR(o, max_lr=1.0, total_steps=40, three_phase=True),
}
#: explicit fractional epochs (None: a plain step() from there), forwards and back
FRACTIONAL_EPOCHS = [0.5, None, None, 2.25, None, 7.5, None, None, 12.9, None, 0.25, None, 3.0, None]


@pytest.mark.parametrize("name", sorted(FRACTIONAL_CASES))
def test_fractional_epochs_give_torchs_closed_form_and_deprecation_warning(name):
    """torch's ``step(epoch)`` takes a fractional epoch (with its deprecation UserWarning) and sets the closed form
    there (or ``get_lr()``'s rates where it has none); plain steps then go on from it. Rates, momenta and
    ``last_epoch`` compared after every call."""
    records = []
    for lib, optimizer in zip((ours_lib, torch_lib), _optimizers("sgd")):
        scheduler = FRACTIONAL_CASES[name](lib, optimizer)
        rows = []
        for epoch in FRACTIONAL_EPOCHS:
            optimizer.step()
            if epoch is None:
                scheduler.step()
            else:
                with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
                    scheduler.step(epoch)
            rows.append([float(group[key]) for group in optimizer.param_groups for key in ("lr", "momentum")])
            rows[-1] += [float(lr) for lr in scheduler.get_last_lr()] + [scheduler.last_epoch]
        records.append(np.array(rows))
    np.testing.assert_allclose(records[0], records[1], rtol=1e-12, atol=1e-15)


#: OneCycleLR keeps its phases and anneal strategy under its own names (torch's are read on loading), and
#: ``use_beta1`` also when the momentum does not cycle (torch's only then)
ONE_CYCLE_OWN_KEYS = {"phases", "three_phase", "anneal_strategy", "use_beta1"}
ONE_CYCLE_TORCH_KEYS = {"_schedule_phases", "_anneal_func_type"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_state_dicts_hold_torchs_keys_with_its_bookkeeping_flags(name):
    """The same keys as torch's state dict (``_get_lr_called_within_step`` and ``_is_initial``, False between
    steps, where torch's scheduler has them; SequentialLR's ``_schedulers`` and ``_milestones``), its own and its
    schedulers'."""
    make, steps = CASES[name]
    saved = []
    for lib, optimizer in zip((ours_lib, torch_lib), _optimizers("sgd")):
        scheduler = make(lib, optimizer)
        _record(optimizer, scheduler, 3)
        saved.append(scheduler.state_dict())
    ours, theirs = saved
    for our_state, torch_state in [(ours, theirs), *zip(ours.get("_schedulers", []), theirs.get("_schedulers", []))]:
        own = ONE_CYCLE_OWN_KEYS | ONE_CYCLE_TORCH_KEYS if name.startswith("OneCycleLR") else set()
        assert set(our_state) - own == set(torch_state) - own
        for flag in ("_get_lr_called_within_step", "_is_initial"):
            assert our_state.get(flag, "absent") == torch_state.get(flag, "absent")


def test_the_bookkeeping_flags_are_true_only_while_torchs_are():
    seen = {}
    for lib, optimizer in zip((ours_lib, torch_lib), _optimizers("sgd")):

        class Halving(lib.LRScheduler):
            library = lib

            def get_lr(self):
                seen.setdefault(self.library, []).append((self._is_initial, self._get_lr_called_within_step))
                return [group["lr"] * 0.5 for group in self.optimizer.param_groups]

        scheduler = Halving(optimizer)
        optimizer.step()
        scheduler.step()
        seen[lib].append((scheduler._is_initial, scheduler._get_lr_called_within_step))
    assert seen[ours_lib] == seen[torch_lib] == [(True, True), (False, True), (False, False)]


@pytest.mark.parametrize("mode", ["min", "max"])
def test_plateau_has_torchs_mode_worse(mode):
    ours, theirs = (lib.ReduceLROnPlateau(o, mode=mode) for lib, o in zip((ours_lib, torch_lib), _optimizers("sgd")))
    assert ours.mode_worse == theirs.mode_worse and ours.state_dict()["mode_worse"] == theirs.state_dict()["mode_worse"]
    assert set(ours.state_dict()) == set(theirs.state_dict())


@pytest.mark.parametrize(
    "options",
    [
        {"mode": "triangular"},
        {"mode": "triangular2"},
        {"mode": "exp_range", "gamma": 0.9},
        {"scale_fn": lambda x: 1 / x},
    ],
    ids=["triangular", "triangular2", "exp_range", "scale_fn"],
)
def test_cyclic_scale_fn_is_torchs_method(options):
    ours, theirs = (lib.CyclicLR(o, 0.01, 0.1, **options) for lib, o in zip((ours_lib, torch_lib), _optimizers("sgd")))
    for x in (1, 2, 3.5, 10):
        assert ours.scale_fn(x) == pytest.approx(theirs.scale_fn(x), rel=1e-15)
    assert ours.scale_mode == theirs.scale_mode


def test_sequential_recursive_undo_takes_an_epoch_off_as_torchs():
    counts = []
    for lib, optimizer in zip((ours_lib, torch_lib), _optimizers("sgd")):
        first, second = lib.ConstantLR(optimizer, 0.5, 2), lib.ExponentialLR(optimizer, 0.9)
        sequence = lib.SequentialLR(optimizer, [first, second], milestones=[3])
        sequence.recursive_undo()
        sequence.recursive_undo(second)
        counts.append([first.last_epoch, second.last_epoch, sequence.last_epoch])
    assert counts[0] == counts[1]


def _get_lr_outside_step(lib, make):
    """``scheduler.get_lr()`` called by the user after 3 steps: the rates it gives and the warnings it raises."""
    optimizer = _optimizers("sgd")[0 if lib is ours_lib else 1]
    scheduler = make(lib, optimizer)
    _record(optimizer, scheduler, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rates = [float(rate) for rate in scheduler.get_lr()]
    return rates, [str(warning.message) for warning in caught if warning.category is UserWarning]


@pytest.mark.parametrize("name", sorted(name for name in CASES if not name.startswith(("SequentialLR", "Chained"))))
def test_get_lr_called_outside_a_step_warns_to_use_get_last_lr_as_torchs(name):
    """torch's schedulers compute get_lr() for step(); a user calling it warns "To get the last learning rate computed
    by the scheduler, please use `get_last_lr()`." and still gets the computed rates."""
    make, _ = CASES[name]
    (our_rates, our_warnings), (torch_rates, torch_warnings) = (
        _get_lr_outside_step(lib, make) for lib in (ours_lib, torch_lib)
    )
    assert our_warnings == torch_warnings == [GET_LR_WARNING]
    np.testing.assert_allclose(our_rates, torch_rates, rtol=1e-12)


def test_swalr_get_lr_called_outside_a_step_warns_as_torchs():
    make = lambda lib, optimizer: (nn.optim.swa_utils if lib is ours_lib else torch.optim.swa_utils).SWALR(  # noqa: E731
        optimizer, swa_lr=0.05, anneal_epochs=5
    )
    (our_rates, our_warnings), (torch_rates, torch_warnings) = (
        _get_lr_outside_step(lib, make) for lib in (ours_lib, torch_lib)
    )
    assert our_warnings == torch_warnings == [GET_LR_WARNING]
    np.testing.assert_allclose(our_rates, torch_rates, rtol=1e-12)


def test_swalr_restarted_by_sequential_lr_does_not_warn():
    optimizer = _optimizers("sgd")[0]
    swa = nn.optim.swa_utils.SWALR(optimizer, swa_lr=0.05, anneal_epochs=3)
    sequence = ours_lib.SequentialLR(optimizer, [ours_lib.ConstantLR(optimizer, 0.5, 2), swa], milestones=[2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            optimizer.step()
            sequence.step()


GET_LR_WARNING = "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, optimizer: lib.ReduceLROnPlateau(optimizer),
        lambda lib, optimizer: lib.SequentialLR(
            optimizer, [lib.ConstantLR(optimizer), lib.ExponentialLR(optimizer, 0.9)], milestones=[2]
        ),
        lambda lib, optimizer: lib.ChainedScheduler([lib.ConstantLR(optimizer), lib.ExponentialLR(optimizer, 0.9)]),
    ],
    ids=["ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"],
)
def test_get_lr_of_a_scheduler_without_rates_of_its_own_is_torchs_not_implemented_error(make):
    """ReduceLROnPlateau and the schedulers that run others compute no rates: get_lr() raises torch's
    NotImplementedError (it was an AttributeError here), without the get_last_lr() warning."""
    for lib, optimizer in zip((ours_lib, torch_lib), _optimizers("sgd")):
        scheduler = make(lib, optimizer)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(NotImplementedError):
                scheduler.get_lr()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_resume_from_torchs_state_dicts_of_a_tensor_lr_run_goes_on_as_torchs(name):
    """torch run with ``lr=torch.tensor(...)`` keeps its rates as tensors (``base_lrs``, ``_last_lr``, the groups'
    ``initial_lr``): a new optimizer and scheduler of each library load its two state dicts and go on alike."""
    make, steps = CASES[name]
    groups = [
        {"params": [torch.zeros(2, requires_grad=True)], "lr": torch.tensor(0.1, dtype=torch.float64)},
        {"params": [torch.zeros(1, requires_grad=True)], "lr": torch.tensor(0.3, dtype=torch.float64)},
    ]
    trained = torch.optim.SGD(groups, lr=torch.tensor(0.1, dtype=torch.float64), momentum=0.9)
    trained_scheduler = make(torch_lib, trained)
    _record(trained, trained_scheduler, steps // 2)
    saved_optimizer, saved_scheduler = trained.state_dict(), trained_scheduler.state_dict()
    ours_optimizer, torch_optimizer = _optimizers("sgd")
    ours, theirs = make(ours_lib, ours_optimizer), make(torch_lib, torch_optimizer)
    for optimizer, scheduler in ((ours_optimizer, ours), (torch_optimizer, theirs)):
        optimizer.load_state_dict(saved_optimizer)
        scheduler.load_state_dict(saved_scheduler)
    np.testing.assert_allclose(
        _record(ours_optimizer, ours, steps - steps // 2),
        _record(torch_optimizer, theirs, steps - steps // 2),
        rtol=1e-12,
    )


def _warmup_written_for_torch(lib, optimizer, closed_form):
    """A schedule written as torch's extension point: get_lr() alone (chained), and optionally torch's
    ``_get_closed_form_lr()``, which torch's step(epoch) and SequentialLR's restart use."""

    class Warmup(lib.LRScheduler):
        def __init__(self, optimizer, warm=3, last_epoch=-1):
            self.warm = warm
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            factor = 1.5 if self.last_epoch < self.warm else 0.9
            return [group["lr"] * factor for group in self.optimizer.param_groups]

    if closed_form:
        Warmup._get_closed_form_lr = lambda self: [
            base * min(1.0, (self.last_epoch + 1) / self.warm) for base in self.base_lrs
        ]
    return Warmup(optimizer)


@pytest.mark.parametrize("closed_form", [True, False], ids=["closed_form", "get_lr_only"])
def test_a_get_lr_schedule_restarted_by_sequential_lr_or_given_an_epoch_follows_torchs(closed_form):
    """SequentialLR restarts its next schedule at epoch 0 (torch's ``_update_lr(0)``), and step(epoch) sets the
    epoch's rates: by the schedule's ``_get_closed_form_lr()`` if it has one, else by its get_lr() at that epoch
    (a get_lr()-only schedule after a SequentialLR milestone raised NotImplementedError)."""
    records = []
    for lib, optimizer in zip((ours_lib, torch_lib), _optimizers("sgd")):
        sequence = lib.SequentialLR(
            optimizer, [lib.ConstantLR(optimizer, 0.5, 2), _warmup_written_for_torch(lib, optimizer, closed_form)], [3]
        )
        alone = _warmup_written_for_torch(lib, _optimizers("sgd")[0 if lib is ours_lib else 1], closed_form)
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (torch's deprecation of step(epoch))
            for epoch in [None, None, 5, None, 1, None, None, None]:
                for scheduler in (sequence, alone):
                    scheduler.optimizer.step()
                    scheduler.step() if scheduler is sequence or epoch is None else scheduler.step(epoch)
                rows.append([float(group["lr"]) for s in (sequence, alone) for group in s.optimizer.param_groups])
        records.append(rows)
    np.testing.assert_allclose(records[0], records[1], rtol=1e-12)


def test_a_plateau_subclass_overriding_torchs_reduce_lr_and_is_better_is_called_as_torchs():
    """torch's ReduceLROnPlateau steps through ``_is_better(a, best)`` and ``_reduce_lr(epoch)``; a subclass that
    overrides them (to log each cut, to judge improvement its own way) is called as torch's, with the same rates."""
    records = []
    for lib, optimizer in zip((ours_lib, torch_lib), _optimizers("sgd")):

        class Logged(lib.ReduceLROnPlateau):
            def _is_better(self, a, best):
                self.calls.append(("better?", float(a)))
                return a < best - 0.5

            def _reduce_lr(self, epoch):
                self.calls.append(("cut", epoch))
                super()._reduce_lr(epoch)

        scheduler = Logged(optimizer, patience=1, factor=0.5)
        calls = scheduler.calls = []
        for metric in [5.0, 4.8, 4.7, 3.0, 2.9, 2.8, 2.7, 1.0]:
            optimizer.step()
            scheduler.step(metric)
        scheduler._reset()
        records.append((calls, [group["lr"] for group in optimizer.param_groups], scheduler.best))
    assert records[0] == records[1]


def test_the_epoch_deprecation_text_is_importable_from_lr_scheduler_as_torchs_and_is_the_warnings():
    """torch's own tests import ``EPOCH_DEPRECATION_WARNING`` from ``torch.optim.lr_scheduler`` to check that
    ``step(epoch)`` gives exactly that warning; the same import works here."""
    from nn.optim.lr_scheduler import EPOCH_DEPRECATION_WARNING

    assert EPOCH_DEPRECATION_WARNING == torch_lib.EPOCH_DEPRECATION_WARNING
    optimizer, _ = _optimizers("sgd")
    scheduler = ours_lib.StepLR(optimizer, step_size=2)
    optimizer.step()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step(3)
    assert [warning.message.args for warning in caught] == [(EPOCH_DEPRECATION_WARNING,)]
