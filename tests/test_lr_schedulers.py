"""The learning-rate schedulers of nn.optim.lr_scheduler without torch: each schedule computed by hand,
state saved and restored, and bad arguments refused before anything changes."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

import nn
from nn.optim import lr_scheduler as schedules

# these tests step schedulers alone, to read their rates: torch's order warning is expected
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")


def _sgd(momentum: float = 0.0):
    return nn.optim.SGD(
        [{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.4}],
        lr=0.1,
        momentum=momentum,
    )


def _lrs(scheduler, steps: int, metrics=None) -> np.ndarray:
    """Each group's lr after construction and after each of ``steps`` steps."""
    rows = [[group["lr"] for group in scheduler.optimizer.param_groups]]
    for step in range(steps):
        scheduler.step() if metrics is None else scheduler.step(metrics[step])
        rows.append([group["lr"] for group in scheduler.optimizer.param_groups])
        assert scheduler.get_last_lr() == rows[-1]
    return np.array(rows)


def test_multi_step_lr_multiplies_by_gamma_at_each_milestone_counting_repeats():
    factors = [1, 1, 0.5, 0.5, 0.5, 0.125, 0.125]  # milestones 2 and 5 (listed twice)
    sequence = _lrs(schedules.MultiStepLR(_sgd(), milestones=[5, 2, 5], gamma=0.5), 6)
    np.testing.assert_allclose(sequence, [[0.1 * f, 0.4 * f] for f in factors], rtol=1e-15)


def test_lambda_lr_scales_each_groups_base_rate_by_its_function():
    scheduler = schedules.LambdaLR(_sgd(), [lambda epoch: 1 / (epoch + 1), lambda epoch: 2.0**-epoch])
    np.testing.assert_allclose(_lrs(scheduler, 4), [[0.1 / (e + 1), 0.4 / 2**e] for e in range(5)], rtol=1e-15)


def test_multiplicative_lr_multiplies_whatever_rate_the_group_has():
    scheduler = schedules.MultiplicativeLR(_sgd(), lr_lambda=lambda epoch: 0.5)
    np.testing.assert_allclose(_lrs(scheduler, 2)[:, 0], [0.1, 0.05, 0.025], rtol=1e-15)
    scheduler.optimizer.param_groups[0]["lr"] = 1.0  # changed by hand: the next step builds on it
    scheduler.step()
    assert scheduler.get_last_lr() == [0.5, 0.4 * 0.125]


def test_linear_lr_moves_the_factor_from_start_to_end_then_holds_it():
    sequence = _lrs(schedules.LinearLR(_sgd(), start_factor=0.5, end_factor=1.0, total_iters=4), 6)
    np.testing.assert_allclose(sequence[:, 0], 0.1 * np.array([0.5, 0.625, 0.75, 0.875, 1, 1, 1]), rtol=1e-15)


def test_constant_lr_scales_for_total_iters_epochs_then_restores_the_base_rate():
    sequence = _lrs(schedules.ConstantLR(_sgd(), factor=0.5, total_iters=3), 5)
    np.testing.assert_allclose(sequence[:, 1], [0.2, 0.2, 0.2, 0.4, 0.4, 0.4], rtol=1e-15)
    # total_iters=0: no scaled epoch at all (torch's closed form; its step-by-step form keeps the factor)
    assert _lrs(schedules.ConstantLR(_sgd(), factor=0.5, total_iters=0), 2)[:, 0].tolist() == [0.1] * 3


def test_cosine_warm_restarts_anneal_within_cycles_that_grow_by_t_mult():
    sequence = _lrs(schedules.CosineAnnealingWarmRestarts(_sgd(), T_0=2, T_mult=2, eta_min=0.02), 14)
    # cycles: epochs 0-1 (length 2), 2-5 (length 4), 6-13 (length 8)
    position = [(0, 2), (1, 2)] + [(e, 4) for e in range(4)] + [(e, 8) for e in range(8)] + [(0, 16)]
    expected = [0.02 + 0.08 * (1 + math.cos(math.pi * t / n)) / 2 for t, n in position]
    np.testing.assert_allclose(sequence[:, 0], expected, rtol=1e-14)
    same_length = _lrs(schedules.CosineAnnealingWarmRestarts(_sgd(), T_0=3), 6)[:, 0]
    np.testing.assert_allclose(same_length[3:], same_length[:4], rtol=1e-15)


def test_one_cycle_linear_two_phases_with_momentum_going_the_other_way():
    optimizer = _sgd(momentum=0.9)
    scheduler = schedules.OneCycleLR(
        optimizer, max_lr=1.0, total_steps=10, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0
    )
    lrs, momenta = [], []
    for step in range(10):
        if step:
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        momenta.append(optimizer.param_groups[0]["momentum"])
    # phase 1: steps 0..2 from 0.1 up to 1; phase 2: steps 2..9 from 1 down to 0.001
    expected_lrs = [0.1, 0.55, 1.0] + [1.0 + (0.001 - 1.0) * (s - 2) / 7 for s in range(3, 10)]
    np.testing.assert_allclose(lrs, expected_lrs, rtol=1e-14)
    expected_momenta = [0.95, 0.90, 0.85] + [0.85 + 0.1 * (s - 2) / 7 for s in range(3, 10)]
    np.testing.assert_allclose(momenta, expected_momenta, rtol=1e-14)
    scheduler.step()  # step 10 = total_steps is allowed, as torch's (the last phase carried on)
    at_ten = optimizer.param_groups[0]["lr"]
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 11 times; total_steps is 10"):
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == at_ten and scheduler.last_epoch == 10


def test_one_cycle_three_phases_cosine_and_adams_beta1():
    optimizer = nn.optim.Adam([nn.Parameter(np.zeros(1))], lr=0.1, betas=(0.9, 0.99))
    scheduler = schedules.OneCycleLR(optimizer, max_lr=2.0, total_steps=11, pct_start=0.2, three_phase=True)
    lrs, betas = [optimizer.param_groups[0]["lr"]], [optimizer.param_groups[0]["betas"]]
    for _ in range(10):
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        betas.append(optimizer.param_groups[0]["betas"])
    # phase ends: 0.2 * 11 - 1 = 1.2, 2 * 0.2 * 11 - 2 = 2.4, 10
    low, top, bottom = 2.0 / 25, 2.0, 2.0 / 25 / 1e4

    def cos(a, b, p):
        return b + (a - b) * (1 + math.cos(math.pi * p)) / 2

    expected = [cos(low, top, 0), cos(low, top, 1 / 1.2), cos(top, low, (2 - 1.2) / 1.2)]
    expected += [cos(low, bottom, (s - 2.4) / 7.6) for s in range(3, 11)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-13)
    assert lrs[-1] == pytest.approx(bottom, rel=1e-12)
    assert [b[1] for b in betas] == [0.99] * 11 and betas[0][0] == 0.95 and betas[-1][0] == pytest.approx(0.95)


def test_reduce_lr_on_plateau_waits_patience_steps_then_cools_down():
    scheduler = schedules.ReduceLROnPlateau(_sgd(), patience=2, factor=0.5, cooldown=1, min_lr=[0.0, 0.15])
    assert scheduler.get_last_lr() == [0.1, 0.4]  # building it changes nothing
    metrics = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]
    sequence = _lrs(scheduler, len(metrics), metrics)
    # step 1 sets best; steps 2-4 are bad: the third bad step (> patience 2) halves; step 5 is in cooldown,
    # steps 6-8 bad again: halved at step 8; 0.4 stops at min_lr 0.15
    np.testing.assert_allclose(sequence[:, 0], [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025], rtol=1e-15)
    np.testing.assert_allclose(sequence[-1, 1], 0.15)


def test_reduce_lr_on_plateau_thresholds_in_max_mode():
    relative = schedules.ReduceLROnPlateau(_sgd(), mode="max", patience=0, threshold=0.1)
    _lrs(relative, 2, [1.0, 1.05])  # 1.05 is not above 1.0 * 1.1: reduced
    assert relative.get_last_lr()[0] == pytest.approx(0.01)
    absolute = schedules.ReduceLROnPlateau(_sgd(), mode="max", patience=0, threshold=0.01, threshold_mode="abs")
    _lrs(absolute, 2, [1.0, 1.02])  # 1.02 > 1.0 + 0.01: an improvement
    assert absolute.get_last_lr()[0] == 0.1 and absolute.best == 1.02
    tiny = schedules.ReduceLROnPlateau(_sgd(), patience=0, eps=0.5)
    _lrs(tiny, 2, [1.0, 2.0])  # reductions below eps are skipped
    assert tiny.get_last_lr() == [0.1, 0.4]


def test_sequential_lr_restarts_each_scheduler_at_its_milestone():
    optimizer = _sgd()
    scheduler = schedules.SequentialLR(
        optimizer,
        [schedules.ConstantLR(optimizer, factor=0.5, total_iters=2), schedules.ExponentialLR(optimizer, gamma=0.9)],
        milestones=[3],
    )
    expected = [0.05, 0.05, 0.1, 0.1, 0.09, 0.081]
    np.testing.assert_allclose(_lrs(scheduler, 5)[:, 0], expected, rtol=1e-14)


def test_scheduler_state_round_trips_resume_the_sequence():
    def build(optimizer):
        return schedules.SequentialLR(
            optimizer,
            [schedules.LambdaLR(optimizer, lambda e: 1 / (e + 1)), schedules.StepLR(optimizer, 2, 0.5)],
            milestones=[3],
        )

    uninterrupted = _lrs(build(_sgd()), 9)
    first = build(_sgd())
    _lrs(first, 4)
    saved = first.state_dict()
    assert saved["_schedulers"][0]["lr_lambdas"] == [None, None]  # one per group: a lambda is not state (torch: None)
    resumed_optimizer = _sgd()
    resumed = build(resumed_optimizer)
    resumed.load_state_dict(saved)
    for group, lr in zip(resumed_optimizer.param_groups, resumed.get_last_lr()):
        group["lr"] = lr
    np.testing.assert_allclose(_lrs(resumed, 5), uninterrupted[4:], rtol=1e-15)


def test_a_bad_sequential_state_changes_none_of_its_schedulers():
    optimizer = _sgd()
    scheduler = schedules.SequentialLR(
        optimizer, [schedules.ConstantLR(optimizer), schedules.ExponentialLR(optimizer, 0.9)], milestones=[2]
    )
    saved = scheduler.state_dict()
    saved["last_epoch"] = 7
    saved["_schedulers"][0]["last_epoch"] = 7
    del saved["_schedulers"][1]["gamma"]
    with pytest.raises(ValueError, match=r"ExponentialLR.load_state_dict: missing keys \['gamma'\]"):
        scheduler.load_state_dict(saved)
    assert scheduler.last_epoch == 0 and scheduler.schedulers[0].last_epoch == 0


def test_plateau_state_round_trip():
    scheduler = schedules.ReduceLROnPlateau(_sgd(), patience=1)
    _lrs(scheduler, 3, [1.0, 2.0, 2.0])
    other = schedules.ReduceLROnPlateau(_sgd(), patience=1)
    other.load_state_dict(scheduler.state_dict())
    assert (other.best, other.num_bad_epochs, other.last_epoch) == (1.0, 0, 3)


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (lambda o: schedules.MultiStepLR(o, milestones=3), TypeError, "MultiStepLR: milestones must be a list"),
        (lambda o: schedules.LambdaLR(o, [lambda e: 1.0]), ValueError, "LambdaLR: expected 2 values of lr_lambda"),
        (lambda o: schedules.MultiplicativeLR(o, 0.9), TypeError, "MultiplicativeLR: lr_lambda must be a function"),
        (lambda o: schedules.LinearLR(o, start_factor=0.0), ValueError, "LinearLR: start_factor must be in"),
        (lambda o: schedules.ConstantLR(o, factor=1.5), ValueError, "ConstantLR: factor must be in"),
        (lambda o: schedules.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0 must be a positive integer"),
        (lambda o: schedules.OneCycleLR(o, max_lr=1.0), ValueError, "OneCycleLR: give total_steps, or both"),
        (
            lambda o: schedules.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"),
            ValueError,
            "OneCycleLR: anneal_strategy must be",
        ),
        (
            lambda o: schedules.OneCycleLR(nn.optim.Adagrad(o.param_groups[0]["params"]), 1.0, 10),
            ValueError,
            "OneCycleLR: cycle_momentum needs an optimizer with momentum or betas",
        ),
        (lambda o: schedules.ReduceLROnPlateau(o, factor=1.0), ValueError, "ReduceLROnPlateau: factor must be in"),
        (lambda o: schedules.ReduceLROnPlateau(o, mode="up"), ValueError, "ReduceLROnPlateau: mode must be"),
    ],
)
def test_bad_scheduler_arguments_are_errors_naming_the_scheduler(make, error, pattern):
    optimizer = _sgd()
    with pytest.raises(error, match=pattern):
        make(optimizer)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.4]


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (
            lambda o, parts: schedules.SequentialLR(o, parts, milestones=[2, 3]),
            "expected 1 milestones for 2 schedulers",
        ),
        (
            lambda o, parts: schedules.SequentialLR(o, parts[::-1], milestones=[-1]),
            "milestones must be an integer >= 0",
        ),
        (lambda o, parts: schedules.SequentialLR(_sgd(), parts, milestones=[2]), "scheduler 0 drives another"),
        (
            lambda o, parts: schedules.SequentialLR(o, [parts[0], schedules.ReduceLROnPlateau(o)], milestones=[2]),
            r"scheduler 1 \(ReduceLROnPlateau\) steps on a metric",
        ),
    ],
)
def test_bad_sequential_arguments_are_errors_that_change_no_rate(make, pattern):
    optimizer = _sgd()
    parts = [schedules.ConstantLR(optimizer, factor=0.5), schedules.ExponentialLR(optimizer, 0.9)]
    before = [group["lr"] for group in optimizer.param_groups]
    with pytest.raises(ValueError, match=f"SequentialLR: {pattern}"):
        make(optimizer, parts)
    assert [group["lr"] for group in optimizer.param_groups] == before
    assert [part.last_epoch for part in parts] == [0, 0]


def test_plateau_step_needs_the_metric():
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau.step: pass the watched metric"):
        schedules.ReduceLROnPlateau(_sgd()).step()


# -- state dicts in torch's layout ------------------------------------------------------------------------------
TORCH_FLAGS = {"_get_lr_called_within_step": False, "_is_initial": False}


class _Decay:
    """A callable object as lr_lambda: torch saves its attributes in the state dict."""

    def __init__(self):
        self.rate = 0.9

    def __call__(self, epoch):
        return self.rate**epoch


def test_multi_step_milestones_saved_by_torch_as_a_counter_load_as_the_sorted_list():
    scheduler = schedules.MultiStepLR(_sgd(), milestones=[2, 5], gamma=0.5)
    saved = {**scheduler.state_dict(), **TORCH_FLAGS, "milestones": Counter([5, 2, 5]), "last_epoch": 4}
    scheduler.load_state_dict(saved)
    assert scheduler.milestones == [2, 5, 5]
    assert _lrs(scheduler, 1)[-1].tolist() == pytest.approx([0.1 * 0.5**2, 0.4 * 0.5**2])  # epoch 5 counts twice


def test_multi_step_milestones_as_the_plain_dict_a_converter_makes_of_torchs_counter_load_as_the_list():
    scheduler = schedules.MultiStepLR(_sgd(), milestones=[2, 5], gamma=0.5)
    saved = {**scheduler.state_dict(), "milestones": {5: 2, 2: 1}, "last_epoch": 4}
    scheduler.load_state_dict(saved)
    assert scheduler.milestones == [2, 5, 5]
    assert _lrs(scheduler, 1)[-1].tolist() == pytest.approx([0.1 * 0.5**2, 0.4 * 0.5**2])  # epoch 5 counts twice


@pytest.mark.parametrize(
    ("milestones", "error", "pattern"),
    [
        ("25", TypeError, "milestones must be a list of epochs or a Counter"),
        ({2: 1.5}, TypeError, "milestones' counts must be integers"),
        ([2, -1], ValueError, "milestones must be an integer >= 0"),
    ],
)
def test_bad_multi_step_milestones_in_a_state_dict_raise_and_load_nothing(milestones, error, pattern):
    scheduler = schedules.MultiStepLR(_sgd(), milestones=[2, 5], gamma=0.5)
    before = scheduler.state_dict()
    with pytest.raises(error, match=pattern):
        scheduler.load_state_dict({**before, "milestones": milestones, "last_epoch": 4})
    assert scheduler.state_dict() == before


def test_lambda_state_saved_by_torch_gives_a_callable_object_its_attributes():
    decay = _Decay()
    scheduler = schedules.LambdaLR(_sgd(), [decay, lambda epoch: 1.0])
    saved = {**scheduler.state_dict(), **TORCH_FLAGS, "lr_lambdas": [{"rate": 0.5}, None], "last_epoch": 2}
    with pytest.raises(ValueError, match="LambdaLR.load_state_dict: expected 2 saved function states"):
        scheduler.load_state_dict({**saved, "lr_lambdas": [{"rate": 0.5}]})
    assert decay.rate == 0.9 and scheduler.last_epoch == 0  # a bad state dict changes nothing
    scheduler.load_state_dict(saved)
    assert decay.rate == 0.5 and scheduler.last_epoch == 2
    assert _lrs(scheduler, 1)[-1].tolist() == pytest.approx([0.1 * 0.5**3, 0.4])


def test_sequential_and_chained_states_are_saved_under_torchs_names_and_the_old_names_still_load():
    optimizer = _sgd()
    sequence = schedules.SequentialLR(
        optimizer, [schedules.ConstantLR(optimizer, 0.5, 2), schedules.ExponentialLR(optimizer, 0.9)], [3]
    )
    saved = sequence.state_dict()
    assert {"_schedulers", "_milestones"} <= set(saved) and not {"schedulers", "milestones"} & set(saved)
    old_saved = {"schedulers": saved.pop("_schedulers"), "milestones": saved.pop("_milestones"), **saved}
    old_saved["schedulers"][1]["gamma"] = 0.5
    sequence.load_state_dict(old_saved)
    assert sequence.schedulers[1].gamma == 0.5 and sequence.milestones == [3] and sequence._milestones == [3]
    chain = schedules.ChainedScheduler([schedules.StepLR(optimizer, 2), schedules.ExponentialLR(optimizer, 0.9)])
    saved = chain.state_dict()
    assert set(saved) == {"_last_lr", "_schedulers"}
    states = saved.pop("_schedulers")
    states[0]["step_size"] = 7
    chain.load_state_dict({**saved, "schedulers": states})
    assert chain.schedulers[0].step_size == 7 and chain._schedulers[0].step_size == 7


def test_one_cycle_phases_saved_by_torch_load_as_its_phases():
    scheduler = schedules.OneCycleLR(_sgd(0.9), max_lr=1.0, total_steps=10, three_phase=True)
    saved = scheduler.state_dict()
    keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
    torch_saved = {
        **{key: value for key, value in saved.items() if key not in ("phases", "anneal_strategy", "three_phase")},
        **TORCH_FLAGS,
        "_schedule_phases": [dict(zip(keys, phase)) for phase in saved["phases"]],
        "_anneal_func_type": "linear",
    }
    other = schedules.OneCycleLR(_sgd(0.9), max_lr=1.0, total_steps=10)
    other.load_state_dict(torch_saved)
    assert other.phases == scheduler.phases and other.three_phase and other.anneal_strategy == "linear"


def test_a_callable_lr_lambdas_attributes_round_trip_through_the_state_dict():
    decay = _Decay()
    scheduler = schedules.LambdaLR(_sgd(), [decay, lambda epoch: 1.0])
    _lrs(scheduler, 2)
    decay.rate = 0.5  # the object adjusted during training
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"rate": 0.5}, None]
    decay.rate = 0.7  # the saved state is a copy, not the live attributes
    assert saved["lr_lambdas"][0] == {"rate": 0.5}
    fresh_decay = _Decay()
    resumed = schedules.LambdaLR(_sgd(), [fresh_decay, lambda epoch: 1.0])
    resumed.load_state_dict(saved)
    assert fresh_decay.rate == 0.5 and resumed.last_epoch == 2


def test_a_callable_multiplicative_and_cyclic_functions_attributes_round_trip():
    decay = _Decay()
    multiplicative = schedules.MultiplicativeLR(_sgd(), decay)
    decay.rate = 0.25
    fresh = _Decay()
    schedules.MultiplicativeLR(_sgd(), fresh).load_state_dict(multiplicative.state_dict())
    assert fresh.rate == 0.25
    scale = _Decay()
    cyclic = schedules.CyclicLR(_sgd(0.9), 0.01, 0.1, scale_fn=scale)
    scale.rate = 0.125
    assert cyclic.state_dict()["_scale_fn_custom"] == {"rate": 0.125}
    fresh_scale = _Decay()
    schedules.CyclicLR(_sgd(0.9), 0.01, 0.1, scale_fn=fresh_scale).load_state_dict(cyclic.state_dict())
    assert fresh_scale.rate == 0.125
    assert schedules.CyclicLR(_sgd(0.9), 0.01, 0.1).state_dict()["_scale_fn_custom"] is None


def test_function_states_in_the_state_dict_are_torchs():
    torch = pytest.importorskip("torch")
    weights = [torch.nn.Parameter(torch.zeros(2)) for _ in range(2)]
    theirs = torch.optim.SGD([{"params": [weights[0]]}, {"params": [weights[1]]}], lr=0.1, momentum=0.9)
    ours = nn.optim.SGD([{"params": [nn.Parameter(np.zeros(2))]} for _ in range(2)], lr=0.1, momentum=0.9)
    builds = [
        lambda library, optimizer: library.LambdaLR(optimizer, [_Decay(), lambda epoch: 1.0]),
        lambda library, optimizer: library.MultiplicativeLR(optimizer, [_Decay(), lambda epoch: 1.0]),
        lambda library, optimizer: library.CyclicLR(optimizer, 0.01, 0.1, scale_fn=_Decay()),
        lambda library, optimizer: library.CyclicLR(optimizer, 0.01, 0.1),
    ]
    for build in builds:
        torch_state = build(torch.optim.lr_scheduler, theirs).state_dict()
        our_state = build(schedules, ours).state_dict()
        assert set(our_state) == set(torch_state) and set(TORCH_FLAGS) <= set(our_state)
        for key in ("lr_lambdas", "_scale_fn_custom"):
            assert our_state.get(key) == torch_state.get(key)


def test_load_state_dict_refuses_entries_of_the_wrong_type_before_anything_changes():
    """A state dict whose step_size is a string or whose last_epoch is None loaded, and the next step() failed
    with Python's own TypeError; now the load refuses it, naming the entries, and the scheduler is unchanged."""
    optimizer = _sgd()
    scheduler = schedules.StepLR(optimizer, step_size=2)
    state = scheduler.state_dict()
    state["step_size"], state["last_epoch"] = "2", None
    with pytest.raises(ValueError, match=r"entries of the wrong type: last_epoch .*step_size \(str 2"):
        scheduler.load_state_dict(state)
    assert scheduler.step_size == 2 and scheduler.last_epoch == 0
    scheduler.load_state_dict(scheduler.state_dict())  # its own state loads


@pytest.mark.parametrize(
    ("epoch", "error", "pattern"),
    [
        (-1, ValueError, "StepLR.step: epoch must be an integer >= 0"),
        (-0.5, ValueError, "StepLR.step: epoch must be >= 0"),
        (float("nan"), ValueError, "StepLR.step: epoch must be finite"),
        (float("inf"), ValueError, "StepLR.step: epoch must be finite"),
        ("3", TypeError, "StepLR.step: epoch must be a real number"),
    ],
)
def test_an_explicit_epoch_may_be_fractional_but_not_negative_or_infinite(epoch, error, pattern):
    scheduler = schedules.StepLR(_sgd(), step_size=2, gamma=0.5)
    with pytest.raises(error, match=pattern):
        scheduler.step(epoch)
    assert scheduler.last_epoch == 0
    with pytest.warns(UserWarning, match="The epoch parameter"):
        scheduler.step(2.5)  # base_lr * 0.5^(2.5 // 2)
    assert scheduler.last_epoch == 2.5 and scheduler.get_last_lr() == pytest.approx([0.05, 0.2])
