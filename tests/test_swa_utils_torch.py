"""Torch oracle for nn.optim.swa_utils: the same model given the same parameter values step after step in torch and
here, the averaged parameters and buffers compared; SWALR's rates equal to torch's step by step; update_bn's
statistics; state-dict keys and torch's state dicts loaded."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn.optim import swa_utils

torch = pytest.importorskip("torch")
torch_swa = torch.optim.swa_utils

pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")


def _models(dtype=np.float32):
    ours = nn.Sequential(nn.Linear(3, 4, dtype=dtype), nn.BatchNorm1d(4, dtype=dtype), nn.Linear(4, 2, dtype=dtype))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    return ours, theirs.to(getattr(torch, np.dtype(dtype).name))


def _set_both(ours, theirs, rng) -> None:
    """New random values for both models' parameters, and one training forward on the same batch for the buffers."""
    with no_grad(), torch.no_grad():
        for mine, their in zip(ours.parameters(), theirs.parameters()):
            value = rng.standard_normal(mine.shape).astype(mine.dtype)
            mine.copy_(value)
            their.copy_(torch.from_numpy(value))
        batch = rng.standard_normal((6, 3)).astype(ours[0].weight.dtype)
        ours(Tensor(batch))
        theirs(torch.from_numpy(batch))


def _functions(library, kind):
    if kind == "ema":
        return {"avg_fn": library.get_ema_avg_fn(0.9)}
    if kind == "ema_multi":
        return {"multi_avg_fn": library.get_ema_multi_avg_fn(0.75)}
    if kind == "swa_multi":
        return {"multi_avg_fn": library.get_swa_multi_avg_fn()}
    return {}


CASES = [
    ("swa", False),
    ("swa", True),
    ("ema", False),
    ("ema", True),
    ("ema_multi", False),
    ("ema_multi", True),
    ("swa_multi", False),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("kind", "use_buffers"), CASES)
def test_averaged_parameters_and_buffers_match_torch(kind, use_buffers, dtype):
    ours, theirs = _models(dtype)
    mine = swa_utils.AveragedModel(ours, use_buffers=use_buffers, **_functions(swa_utils, kind))
    their = torch_swa.AveragedModel(theirs, use_buffers=use_buffers, **_functions(torch_swa, kind))
    rng = np.random.default_rng(0)
    for _ in range(8):
        _set_both(ours, theirs, rng)
        mine.update_parameters(ours)
        their.update_parameters(theirs)
    my_state, their_state = mine.state_dict(), their.state_dict()
    assert list(my_state) == list(their_state)
    # torch's get_swa_multi_avg_fn weighs by 1 / (n + 1) computed as a float32 tensor (its integer division's dtype)
    # whatever the parameters' dtype; here the weight is a double, so float64 parameters agree to float32's precision
    tolerance = 1e-6 if dtype == np.float32 or kind == "swa_multi" else 1e-13
    for key, value in their_state.items():
        expected = value.numpy()
        assert my_state[key].dtype == expected.dtype, key
        np.testing.assert_allclose(my_state[key], expected, rtol=tolerance, atol=tolerance, err_msg=key)


def test_forward_matches_torch_after_averaging():
    ours, theirs = _models()
    mine, their = swa_utils.AveragedModel(ours), torch_swa.AveragedModel(theirs)
    rng = np.random.default_rng(1)
    for _ in range(3):
        _set_both(ours, theirs, rng)
        mine.update_parameters(ours)
        their.update_parameters(theirs)
    mine.eval(), their.eval()
    x = rng.standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = their(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(mine(Tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_torchs_averaged_state_dict_loads():
    ours, theirs = _models()
    their = torch_swa.AveragedModel(theirs)
    rng = np.random.default_rng(2)
    for _ in range(3):
        _set_both(ours, theirs, rng)
        their.update_parameters(theirs)
    mine = swa_utils.AveragedModel(ours)
    mine.load_state_dict({key: value.numpy() for key, value in their.state_dict().items()})
    assert int(mine.n_averaged) == 3
    for (key, value), mine_value in zip(their.state_dict().items(), mine.state_dict().values()):
        np.testing.assert_array_equal(mine_value, value.numpy(), err_msg=key)


def test_update_bn_matches_torch():
    ours, theirs = _models()
    rng = np.random.default_rng(3)
    _set_both(ours, theirs, rng)
    batches = [rng.standard_normal((size, 3)).astype(np.float32) for size in (7, 7, 4)]
    ours.eval(), theirs.eval()
    swa_utils.update_bn([(Tensor(b), 0) for b in batches], ours)
    torch_swa.update_bn([(torch.from_numpy(b), 0) for b in batches], theirs)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-5, atol=1e-6, err_msg=key)
    assert not ours.training and ours[1].momentum == theirs[1].momentum


# -- SWALR ----------------------------------------------------------------------------------------------------------
def _optimizers():
    ours = nn.optim.SGD(
        [{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.3}], lr=0.1
    )
    theirs = torch.optim.SGD(
        [{"params": [torch.zeros(2, requires_grad=True)]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}],
        lr=0.1,
    )
    return ours, theirs


def _rates(optimizer, scheduler, steps: int) -> list[list[float]]:
    rows = [[float(lr) for lr in scheduler.get_last_lr()]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        rows.append(
            [float(group["lr"]) for group in optimizer.param_groups] + [float(lr) for lr in scheduler.get_last_lr()]
        )
    return rows


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 2, 5, 10, 30])
@pytest.mark.parametrize("swa_lr", [0.05, [0.02, 0.5]], ids=["one", "per_group"])
def test_swalr_rates_equal_torchs(strategy, anneal_epochs, swa_lr):
    ours, theirs = _optimizers()
    options = {"anneal_epochs": anneal_epochs, "anneal_strategy": strategy}
    mine = swa_utils.SWALR(ours, swa_lr, **options)
    their = torch_swa.SWALR(theirs, swa_lr, **options)
    assert _rates(ours, mine, 30) == _rates(theirs, their, 30)


def test_swalr_after_cosine_annealing_equals_torchs():
    """torch's documented pattern: a CosineAnnealingLR until SWA starts, SWALR from the rate it left."""
    ours, theirs = _optimizers()
    rows = []
    for optimizer, library in ((ours, nn.optim), (theirs, torch.optim)):
        cosine = library.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20)
        swa = library.swa_utils.SWALR(optimizer, anneal_strategy="linear", anneal_epochs=5, swa_lr=0.05)
        rates = []
        for epoch in range(25):
            optimizer.step()
            (swa if epoch >= 8 else cosine).step()
            rates.append([float(group["lr"]) for group in optimizer.param_groups])
        rows.append(rates)
    assert rows[0] == rows[1]


def test_swalr_inside_sequential_lr_equals_torchs():
    ours, theirs = _optimizers()
    rows = []
    for optimizer, library in ((ours, nn.optim), (theirs, torch.optim)):
        warmup = library.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=4)
        swa = library.swa_utils.SWALR(optimizer, swa_lr=0.02, anneal_epochs=6)
        rows.append(_rates(optimizer, library.lr_scheduler.SequentialLR(optimizer, [warmup, swa], milestones=[5]), 20))
    assert rows[0] == rows[1]


def test_swalr_state_dict_is_torchs_and_torchs_loads():
    ours, theirs = _optimizers()
    mine = swa_utils.SWALR(ours, 0.05, anneal_epochs=7, anneal_strategy="linear")
    their = torch_swa.SWALR(theirs, 0.05, anneal_epochs=7, anneal_strategy="linear")
    _rates(ours, mine, 3), _rates(theirs, their, 3)
    assert mine.state_dict() == their.state_dict()  # (torch's bookkeeping flags included)
    assert ours.state_dict()["param_groups"][0]["swa_lr"] == theirs.state_dict()["param_groups"][0]["swa_lr"]
    resumed_optimizer, _ = _optimizers()
    resumed = swa_utils.SWALR(resumed_optimizer, 0.05)
    resumed.load_state_dict(their.state_dict())
    for group, their_group in zip(resumed_optimizer.param_groups, theirs.param_groups):
        group["lr"] = their_group["lr"]
    assert _rates(resumed_optimizer, resumed, 10)[1:] == _rates(theirs, their, 10)[1:]


@pytest.mark.parametrize(
    "options",
    [
        {"swa_lr": [0.1, 0.2, 0.3]},
        {"swa_lr": 0.1, "anneal_strategy": "cosine"},
        {"swa_lr": 0.1, "anneal_epochs": -2},
        {"swa_lr": 0.1, "anneal_epochs": 3.0},
    ],
)
def test_swalr_errors_carry_torchs_messages(options):
    ours, theirs = _optimizers()
    with pytest.raises(ValueError) as their_error:
        torch_swa.SWALR(theirs, **options)
    with pytest.raises(ValueError) as my_error:
        swa_utils.SWALR(ours, **options)
    assert str(their_error.value) in str(my_error.value)


def test_decay_error_carries_torchs_message():
    with pytest.raises(ValueError) as their_error:
        torch_swa.get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError) as my_error:
        swa_utils.get_ema_multi_avg_fn(1.5)
    assert str(their_error.value) in str(my_error.value)
