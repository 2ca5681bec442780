"""nn.optim.swa_utils without torch: averages checked against numpy's computation of the same recursion (or mean),
update_bn's statistics against numpy's over the data, SWALR's rates against the closed form of the annealing."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn.optim import swa_utils

# these tests step schedulers alone, to read their rates: torch's order warning is expected
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")


def _model(dtype=np.float64) -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4, dtype=dtype), nn.BatchNorm1d(4, dtype=dtype))


def _snapshots(model: nn.Module, count: int, seed: int = 0) -> list[list[np.ndarray]]:
    """``count`` sets of random values for ``model``'s parameters, in ``parameters()`` order."""
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(p.shape).astype(p.dtype) for p in model.parameters()] for _ in range(count)]


def _load(model: nn.Module, values: list[np.ndarray]) -> None:
    with no_grad():
        for parameter, value in zip(model.parameters(), values):
            parameter.copy_(value)


def _averaged_values(averaged: swa_utils.AveragedModel) -> list[np.ndarray]:
    return [np.array(p.data) for p in averaged.module.parameters()]


# -- AveragedModel ------------------------------------------------------------------------------------------------
def test_import_forms_reach_the_same_module():
    import nn.optim.swa_utils as imported
    from nn.optim.swa_utils import SWALR, AveragedModel, update_bn

    assert imported is nn.optim.swa_utils is swa_utils
    assert (AveragedModel, SWALR, update_bn) == (swa_utils.AveragedModel, swa_utils.SWALR, swa_utils.update_bn)
    assert "swa_utils" in nn.optim.__all__


def test_first_update_copies_the_model_and_counts_one():
    model = _model()
    averaged = swa_utils.AveragedModel(model)
    assert averaged.n_averaged.dtype == np.int64 and int(averaged.n_averaged) == 0
    (values,) = _snapshots(model, 1)
    _load(model, values)
    averaged.update_parameters(model)
    assert int(averaged.n_averaged) == 1
    for mine, expected in zip(_averaged_values(averaged), values):
        np.testing.assert_array_equal(mine, expected)


def test_the_copy_is_independent_of_the_model():
    model = _model()
    averaged = swa_utils.AveragedModel(model)
    assert all(a is not b for a, b in zip(averaged.module.parameters(), model.parameters()))
    before = _averaged_values(averaged)
    _load(model, _snapshots(model, 1)[0])
    for mine, expected in zip(_averaged_values(averaged), before):
        np.testing.assert_array_equal(mine, expected)


def test_default_average_is_the_mean_of_every_model_seen():
    model = _model()
    averaged = swa_utils.AveragedModel(model)
    snapshots = _snapshots(model, 7)
    for values in snapshots:
        _load(model, values)
        averaged.update_parameters(model)
    assert int(averaged.n_averaged) == 7
    for index, mine in enumerate(_averaged_values(averaged)):
        np.testing.assert_allclose(mine, np.mean([s[index] for s in snapshots], axis=0), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("multi", [False, True], ids=["avg_fn", "multi_avg_fn"])
def test_ema_follows_decay_times_average_plus_rest_times_model(multi):
    decay = 0.8
    model = _model()
    if multi:
        averaged = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(decay))
    else:
        averaged = swa_utils.AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(decay))
    snapshots = _snapshots(model, 6)
    expected = [value.copy() for value in snapshots[0]]
    for number, values in enumerate(snapshots):
        _load(model, values)
        averaged.update_parameters(model)
        if number:
            expected = [decay * e + (1 - decay) * v for e, v in zip(expected, values)]
    for mine, reference in zip(_averaged_values(averaged), expected):
        np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-14)


def test_swa_multi_avg_fn_gives_the_mean():
    model = _model()
    averaged = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    snapshots = _snapshots(model, 5, seed=3)
    for values in snapshots:
        _load(model, values)
        averaged.update_parameters(model)
    for index, mine in enumerate(_averaged_values(averaged)):
        np.testing.assert_allclose(mine, np.mean([s[index] for s in snapshots], axis=0), rtol=1e-12, atol=1e-14)


def test_multi_avg_fn_gets_each_dtype_in_its_own_lists_with_the_count():
    calls = []

    def record(averages, currents, count):
        calls.append(([a.dtype for a in averages], len(currents), int(count)))

    model = nn.Sequential(nn.Linear(2, 2, dtype=np.float32), nn.Linear(2, 2, dtype=np.float64))
    averaged = swa_utils.AveragedModel(model, multi_avg_fn=record)
    for _ in range(3):
        averaged.update_parameters(model)
    float32, float64 = np.dtype(np.float32), np.dtype(np.float64)
    assert calls == [([float32] * 2, 2, 1), ([float64] * 2, 2, 1), ([float32] * 2, 2, 2), ([float64] * 2, 2, 2)]


def test_averaging_keeps_dtypes_and_records_no_graph():
    model = _model(np.float32)
    averaged = swa_utils.AveragedModel(model, avg_fn=lambda a, m, n: 0.5 * a + 0.5 * m.astype(np.float64))
    for values in _snapshots(model, 3):
        _load(model, values)
        averaged.update_parameters(model)
    for parameter in averaged.module.parameters():
        assert parameter.dtype == np.float32
        assert parameter.is_leaf and parameter.requires_grad and parameter.grad is None
    assert all(p.grad is None for p in model.parameters())


def test_without_use_buffers_the_buffers_are_the_models_latest():
    model = _model()
    averaged = swa_utils.AveragedModel(model)
    rng = np.random.default_rng(1)
    for _ in range(3):
        model(Tensor(rng.standard_normal((5, 3))))
        averaged.update_parameters(model)
    batch_norm = averaged.module[1]
    np.testing.assert_array_equal(batch_norm.running_mean, model[1].running_mean)
    np.testing.assert_array_equal(batch_norm.running_var, model[1].running_var)
    assert int(batch_norm.num_batches_tracked) == 3


def test_use_buffers_averages_the_buffers_too_truncating_integer_ones():
    model = _model()
    averaged = swa_utils.AveragedModel(model, use_buffers=True)
    rng = np.random.default_rng(2)
    means, counts = [], []
    for _ in range(4):
        model(Tensor(rng.standard_normal((5, 3))))
        means.append(np.array(model[1].running_mean))
        counts.append(int(model[1].num_batches_tracked))
        averaged.update_parameters(model)
    np.testing.assert_allclose(averaged.module[1].running_mean, np.mean(means, axis=0), rtol=1e-12)
    count = counts[0]  # the integer count averaged step by step, each step truncated as a copy into int64 is
    for number, value in enumerate(counts[1:], start=1):
        count = int(count + (value - count) / (number + 1))
    assert counts == [1, 2, 3, 4] and int(averaged.module[1].num_batches_tracked) == count < np.mean(counts)
    assert averaged.module[1].num_batches_tracked.dtype == np.int64


def test_scalar_value_parameters_are_averaged():
    model = nn.MLP(2, [3, 1])
    averaged = swa_utils.AveragedModel(model)
    rng = np.random.default_rng(4)
    seen = []
    for _ in range(3):
        values = rng.standard_normal(len(model.parameters()))
        for parameter, value in zip(model.parameters(), values):
            parameter.data = float(value)
        seen.append(values)
        averaged.update_parameters(model)
    mine = [p.data for p in averaged.module.parameters()]
    assert all(isinstance(value, float) for value in mine)
    np.testing.assert_allclose(mine, np.mean(seen, axis=0), rtol=1e-12)


def test_forward_runs_the_averaged_copy():
    model = _model()
    averaged = swa_utils.AveragedModel(model)
    _load(model, _snapshots(model, 1)[0])
    averaged.update_parameters(model)
    model.eval(), averaged.eval()
    x = Tensor(np.random.default_rng(5).standard_normal((2, 3)))
    np.testing.assert_array_equal(averaged(x).data, model(x).data)
    np.testing.assert_array_equal(averaged(x).data, averaged.module(x).data)


def test_state_dict_has_the_count_then_the_copys_entries_and_round_trips():
    model = _model()
    averaged = swa_utils.AveragedModel(model)
    for values in _snapshots(model, 2):
        _load(model, values)
        averaged.update_parameters(model)
    state = averaged.state_dict()
    assert list(state) == ["n_averaged"] + [f"module.{key}" for key in model.state_dict()]
    fresh = swa_utils.AveragedModel(_model())
    fresh.load_state_dict(state)
    assert int(fresh.n_averaged) == 2
    for mine, expected in zip(_averaged_values(fresh), _averaged_values(averaged)):
        np.testing.assert_array_equal(mine, expected)


def test_avg_fn_with_multi_avg_fn_is_refused():
    with pytest.raises(ValueError, match="Only one of avg_fn and multi_avg_fn") as caught:
        swa_utils.AveragedModel(
            _model(), avg_fn=swa_utils.get_swa_avg_fn(), multi_avg_fn=swa_utils.get_swa_multi_avg_fn()
        )
    assert isinstance(caught.value, AssertionError)  # torch's error type


def test_a_model_of_another_shape_is_refused_before_anything_changes():
    averaged = swa_utils.AveragedModel(_model())
    averaged.update_parameters(_model())
    before = _averaged_values(averaged)
    other = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5))
    with pytest.raises(ValueError, match=r"different shapes .*#0: \(4, 3\) vs \(5, 3\)"):
        averaged.update_parameters(other)
    with pytest.raises(ValueError, match="has 4 parameters, the model given has 2"):
        averaged.update_parameters(nn.Linear(3, 4))
    assert int(averaged.n_averaged) == 1
    for mine, expected in zip(_averaged_values(averaged), before):
        np.testing.assert_array_equal(mine, expected)


@pytest.mark.parametrize("factory", [swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn])
@pytest.mark.parametrize("decay", [-0.1, 1.5, math.nan])
def test_decay_outside_the_unit_interval_is_refused(factory, decay):
    with pytest.raises(ValueError, match=r"Invalid decay value .* Please provide a value in \[0,1\] range"):
        factory(decay)


def test_a_device_other_than_the_cpu_is_refused():
    with pytest.raises(ValueError, match="AveragedModel: device 'cuda' is not available"):
        swa_utils.AveragedModel(_model(), device="cuda")


# -- update_bn ------------------------------------------------------------------------------------------------------
def _data(batches: int, size: int = 6, seed: int = 7) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((size, 3)) * [1.0, 2.0, 0.5] + [0.0, 3.0, -1.0] for _ in range(batches)]


def test_update_bn_over_one_batch_gives_the_datas_mean_and_unbiased_variance():
    model = _model()
    (batch,) = _data(1)
    features = batch @ np.array(model[0].weight.data).T + np.array(model[0].bias.data)
    swa_utils.update_bn([Tensor(batch)], model)
    np.testing.assert_allclose(model[1].running_mean, features.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model[1].running_var, features.var(axis=0, ddof=1), rtol=1e-12)
    assert int(model[1].num_batches_tracked) == 1


def test_update_bn_averages_the_batches_statistics_with_equal_weights():
    model = _model()
    model(Tensor(_data(1, seed=8)[0]))  # statistics from before, which update_bn resets
    batches = _data(5)
    features = [b @ np.array(model[0].weight.data).T + np.array(model[0].bias.data) for b in batches]
    swa_utils.update_bn(((Tensor(b), "label") for b in batches), model)  # (input, target) items
    np.testing.assert_allclose(model[1].running_mean, np.concatenate(features).mean(axis=0), rtol=1e-12)
    expected_var = np.mean([f.var(axis=0, ddof=1) for f in features], axis=0)
    np.testing.assert_allclose(model[1].running_var, expected_var, rtol=1e-12)
    assert int(model[1].num_batches_tracked) == 5


def test_update_bn_takes_arrays_and_lists_and_restores_momenta_and_mode():
    model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.BatchNorm1d(4, momentum=0.3, dtype=np.float64))
    model.eval()
    batches = _data(3)
    swa_utils.update_bn([[b, 0] for b in batches[:2]] + [batches[2]], model)
    features = [b @ np.array(model[0].weight.data).T + np.array(model[0].bias.data) for b in batches]
    np.testing.assert_allclose(model[1].running_mean, np.concatenate(features).mean(axis=0), rtol=1e-12)
    assert model[1].momentum == 0.3 and not model.training and not model[1].training


def test_update_bn_restores_the_momenta_when_the_loader_fails():
    model = _model()

    def failing():
        yield Tensor(_data(1)[0])
        raise RuntimeError("loader broke")

    with pytest.raises(RuntimeError, match="loader broke"):
        swa_utils.update_bn(failing(), model)
    assert model[1].momentum == 0.1 and model.training


def test_update_bn_leaves_a_model_without_batch_norm_and_the_loader_alone():
    model = nn.Linear(3, 2)
    seen = []
    swa_utils.update_bn((seen.append(b) or b for b in _data(2)), model)
    assert seen == []


def test_update_bn_records_no_graph():
    model = _model()
    outputs = []
    model.register_forward_hook(lambda module, args, output: outputs.append(output))
    swa_utils.update_bn([Tensor(b) for b in _data(2)], model)
    assert len(outputs) == 2 and not any(output.requires_grad for output in outputs)


# -- SWALR ----------------------------------------------------------------------------------------------------------
def _sgd() -> nn.optim.SGD:
    return nn.optim.SGD(
        [{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.4}], lr=0.1
    )


def _lrs(scheduler, steps: int) -> np.ndarray:
    rows = [[group["lr"] for group in scheduler.optimizer.param_groups]]
    for _ in range(steps):
        scheduler.step()
        rows.append([group["lr"] for group in scheduler.optimizer.param_groups])
        assert scheduler.get_last_lr() == rows[-1]
    return np.array(rows)


def _annealed(start: float, swa_lr: float, anneal_epochs: int, strategy: str, steps: int) -> list[float]:
    """The closed form: alpha(t) swa_lr + (1 - alpha(t)) start with t = min(1, s / anneal_epochs) at step s (t = 1
    throughout for anneal_epochs 0: the rate is swa_lr from the build on)."""
    rates = []
    for step in range(steps + 1):
        t = 1.0 if anneal_epochs == 0 else min(1.0, step / anneal_epochs)
        alpha = (1 - math.cos(math.pi * t)) / 2 if strategy == "cos" else t
        rates.append(alpha * swa_lr + (1 - alpha) * start)
    return rates


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 3, 10, 25])
def test_swalr_anneals_each_group_to_its_swa_lr_by_the_closed_form(strategy, anneal_epochs):
    scheduler = swa_utils.SWALR(_sgd(), [0.05, 0.01], anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    rates = _lrs(scheduler, 30)
    np.testing.assert_allclose(rates[:, 0], _annealed(0.1, 0.05, anneal_epochs, strategy, 30), rtol=1e-13)
    np.testing.assert_allclose(rates[:, 1], _annealed(0.4, 0.01, anneal_epochs, strategy, 30), rtol=1e-13)
    assert [group["swa_lr"] for group in scheduler.optimizer.param_groups] == [0.05, 0.01]
    assert rates[-1].tolist() == [0.05, 0.01]


def test_swalr_starts_from_the_rate_another_schedule_left():
    optimizer = _sgd()
    decay = nn.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    for _ in range(3):
        decay.step()
    swa = swa_utils.SWALR(optimizer, swa_lr=0.2, anneal_epochs=4, anneal_strategy="linear")
    rates = _lrs(swa, 6)
    np.testing.assert_allclose(rates[:, 0], _annealed(0.0125, 0.2, 4, "linear", 6), rtol=1e-13)
    np.testing.assert_allclose(rates[:, 1], _annealed(0.05, 0.2, 4, "linear", 6), rtol=1e-13)


def test_swalr_state_dict_resumes_the_same_sequence():
    first = swa_utils.SWALR(_sgd(), 0.05, anneal_epochs=8)
    _lrs(first, 3)
    saved, rates = first.state_dict(), [g["lr"] for g in first.optimizer.param_groups]
    assert "anneal_func" not in saved and saved["_anneal_strategy"] == "cos" and saved["_step_count"] == 4
    rest = _lrs(first, 10)
    optimizer = _sgd()
    resumed = swa_utils.SWALR(optimizer, 0.05, anneal_epochs=2, anneal_strategy="linear")
    resumed.load_state_dict(saved)
    for group, rate in zip(optimizer.param_groups, rates):
        group["lr"] = rate
    assert resumed.anneal_epochs == 8 and resumed.anneal_func(0.5) == pytest.approx(0.5)
    np.testing.assert_array_equal(_lrs(resumed, 10), rest)


def test_swalr_refuses_a_bad_saved_strategy():
    scheduler = swa_utils.SWALR(_sgd(), 0.05)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got cosine"):
        scheduler.load_state_dict({**scheduler.state_dict(), "_anneal_strategy": "cosine"})
    assert scheduler._anneal_strategy == "cos"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"swa_lr": [0.1, 0.2, 0.3]},
            "swa_lr must have the same length as optimizer.param_groups. swa_lr has 3 values",
        ),
        ({"anneal_strategy": "cosine"}, "anneal_strategy must be one of 'cos' or 'linear', instead got cosine"),
        ({"anneal_epochs": -1}, "anneal_epochs must be equal or greater than 0, got -1"),
        ({"anneal_epochs": 2.0}, "anneal_epochs must be equal or greater than 0, got 2.0"),
        ({"swa_lr": -0.1}, "swa_lr must be >= 0"),
    ],
)
def test_swalr_refuses_bad_options_leaving_the_groups_alone(options, message):
    optimizer = _sgd()
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        swa_utils.SWALR(optimizer, **{"swa_lr": 0.05, **options})
    assert all("swa_lr" not in group and "initial_lr" not in group for group in optimizer.param_groups)


def test_swalr_refused_by_the_base_class_takes_its_swa_lr_back():
    optimizer = _sgd()
    with pytest.raises(ValueError, match="initial_lr"):
        swa_utils.SWALR(optimizer, 0.05, last_epoch=3)  # resuming needs the groups' initial_lr
    assert all("swa_lr" not in group for group in optimizer.param_groups)
