"""Training code written for torch: optimizers over named parameters, torch optimizer states converted to numpy,
``scheduler.step(epoch)`` and torch's positional ``DataLoader(dataset, batch_size)``."""

import warnings

import numpy as np
import pytest

import nn
from nn.data import DataLoader, TensorDataset

OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "RMSprop", "Rprop"]


def _take_a_step(model: nn.Module, optimizer: nn.optim.Optimizer) -> None:
    optimizer.zero_grad()
    model(np.ones((1, 3), np.float32)).sum().backward()
    optimizer.step()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_over_named_parameters_steps_as_over_parameters(name):
    plain_model, named_model = nn.Linear(3, 2), nn.Linear(3, 2)
    named_model.load_state_dict(plain_model.state_dict())
    plain = getattr(nn.optim, name)(plain_model.parameters(), lr=0.1)
    named = getattr(nn.optim, name)(named_model.named_parameters(), lr=0.1)
    assert named.param_groups[0]["param_names"] == ["weight", "bias"]
    assert named.param_groups[0]["params"] == [named_model.weight, named_model.bias]
    for _ in range(2):
        _take_a_step(plain_model, plain)
        _take_a_step(named_model, named)
    np.testing.assert_array_equal(named_model.weight.data, plain_model.weight.data)


def test_named_parameter_groups_keep_their_names_in_the_state_dict_as_torch():
    torch = pytest.importorskip("torch")
    ours_model, theirs_model = nn.Linear(3, 2), torch.nn.Linear(3, 2)

    def groups(named: list) -> list:
        return [{"params": named[:1]}, {"params": named[1:], "lr": 0.5}]

    ours = nn.optim.Adam(groups(list(ours_model.named_parameters())))
    theirs = torch.optim.Adam(groups(list(theirs_model.named_parameters())))
    for saved, expected in zip(ours.state_dict()["param_groups"], theirs.state_dict()["param_groups"]):
        assert (saved["param_names"], saved["params"], saved["lr"]) == (
            expected["param_names"],
            expected["params"],
            expected["lr"],
        )


def test_named_and_unnamed_parameters_do_not_mix():
    model = nn.Linear(3, 2)
    with pytest.raises(ValueError, match="Some param names are missing"):
        nn.optim.SGD([("weight", model.weight), model.bias], lr=0.1)
    with pytest.raises(ValueError, match="cannot add param group without names"):
        nn.optim.SGD([{"params": [("weight", model.weight)]}, {"params": [model.bias]}], lr=0.1)
    optimizer = nn.optim.SGD([model.weight], lr=0.1)
    with pytest.raises(ValueError, match="cannot add param group with names"):
        optimizer.add_param_group({"params": [("bias", model.bias)]})
    assert len(optimizer.param_groups) == 1


def test_loading_an_unnamed_state_keeps_the_optimizers_names():
    model = nn.Linear(3, 2)
    named = nn.optim.SGD(model.named_parameters(), lr=0.1)
    named.load_state_dict(nn.optim.SGD(model.parameters(), lr=0.2).state_dict())
    assert named.param_groups[0]["param_names"] == ["weight", "bias"]
    assert named.param_groups[0]["lr"] == 0.2


def _torch_state_as_numpy(torch, name: str) -> dict:
    """A torch optimizer's state after two steps, every tensor converted to numpy (``step`` a float array)."""
    model = torch.nn.Linear(3, 2)
    optimizer = getattr(torch.optim, name)(model.parameters(), lr=0.01)
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.ones(1, 3)).sum().backward()
        optimizer.step()
    state = optimizer.state_dict()
    return {
        "state": {
            index: {key: value.numpy() for key, value in entry.items()} for index, entry in state["state"].items()
        },
        "param_groups": state["param_groups"],
    }


@pytest.mark.parametrize("name", [name for name in OPTIMIZERS if name != "SGD"])
def test_torch_state_converted_to_numpy_loads_with_an_integer_step(name):
    torch = pytest.importorskip("torch")
    saved = _torch_state_as_numpy(torch, name)
    assert saved["state"][0]["step"].dtype == np.float32
    model = nn.Linear(3, 2)
    optimizer = getattr(nn.optim, name)(model.parameters(), lr=0.01)
    optimizer.load_state_dict(saved)
    assert optimizer.state[model.weight]["step"] == 2
    assert type(optimizer.state[model.weight]["step"]) is int


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (np.array(1.5, np.float32), "'step' must be a whole number of steps >= 0, got 1.5"),
        (np.array(-1.0), "'step' must be an integer >= 0, got -1"),
        (float("nan"), "'step' must be a whole number of steps >= 0, got nan"),
        (np.array([1.0]), "'step' must be an integer"),
    ],
)
def test_bad_step_count_is_refused_and_leaves_the_optimizer_unchanged(step, message):
    model = nn.Linear(3, 2)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    _take_a_step(model, optimizer)
    saved = optimizer.state_dict()
    saved["state"][0]["step"] = step
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(saved)
    assert optimizer.state[model.weight]["step"] == 1


SCHEDULES = {
    "StepLR": {"step_size": 2, "gamma": 0.5},
    "MultiStepLR": {"milestones": [2, 2, 5], "gamma": 0.5},
    "ExponentialLR": {"gamma": 0.9},
    "CosineAnnealingLR": {"T_max": 4, "eta_min": 0.01},
    "LambdaLR": {"lr_lambda": lambda epoch: 1 / (epoch + 1)},
    "LinearLR": {"start_factor": 0.25, "total_iters": 4},
    "ConstantLR": {"factor": 0.5, "total_iters": 3},
    "MultiplicativeLR": {"lr_lambda": lambda epoch: 0.9},
    "OneCycleLR": {"max_lr": 1.0, "total_steps": 20},
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_scheduler_step_with_an_epoch_matches_torch(name):
    torch = pytest.importorskip("torch")
    theirs_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    ours_optimizer = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1, momentum=0.9)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_optimizer, **SCHEDULES[name])
    ours = getattr(nn.optim.lr_scheduler, name)(ours_optimizer, **SCHEDULES[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [None, 3, None, 7, 1, None, None, 6, 10, None]:
            for scheduler in (theirs, ours):
                scheduler.step() if epoch is None else scheduler.step(epoch)
            np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
            assert ours.last_epoch == theirs.last_epoch


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")  # stepped alone, on purpose
def test_scheduler_step_with_an_epoch_warns_as_torch():
    optimizer = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, 2)
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        scheduler.step(3)
    assert scheduler.last_epoch == 3 and scheduler.get_last_lr() == pytest.approx([0.01])
    with pytest.raises(ValueError, match="StepLR.step: epoch must be an integer >= 0"):
        scheduler.step(-1)


def test_reduce_lr_on_plateau_step_with_an_epoch_sets_last_epoch():
    scheduler = nn.optim.lr_scheduler.ReduceLROnPlateau(nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1))
    with pytest.warns(UserWarning, match="The epoch parameter"):
        scheduler.step(1.0, 5)
    assert scheduler.last_epoch == 5


def test_data_loader_takes_a_dataset_and_a_positional_batch_size_as_torch():
    X, y = np.arange(100.0).reshape(50, 2), np.arange(50)
    batches = list(DataLoader(TensorDataset(X, y), 16))
    assert [len(features) for features, _ in batches] == [16, 16, 16, 2]
    np.testing.assert_array_equal(np.concatenate([labels for _, labels in batches]), y)
    assert len(DataLoader(X, 16)) == 4
    assert DataLoader(TensorDataset(X, y), 16, shuffle=True, seed=0).shuffle


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda data: DataLoader(data, 16, batch_size=8), "DataLoader: multiple values for argument 'batch_size'"),
        (lambda data: DataLoader(data, np.zeros(50)), "a dataset object \\(TensorDataset\\) holds its targets"),
    ],
)
def test_data_loader_misuse_with_a_dataset_is_a_clear_error(make, message):
    with pytest.raises(TypeError, match=message):
        make(TensorDataset(np.zeros((50, 2))))


def _scaled_steps(torch_like, nn_like, scaler, weights, losses_of):
    """A few steps of torch's amp loop (scale, backward, unscale_, clip, step, update) on one parameter; a
    loss given as None puts an inf into the gradient, so that step is skipped and the scale backs off."""
    p = nn_like.Parameter(torch_like.tensor(weights, dtype=torch_like.float64))
    optimizer = (torch_like.optim if hasattr(torch_like, "optim") else nn.optim).AdamW([p], lr=0.1)
    record = []
    for make_inf in losses_of:
        loss = (p * p).sum() * (float("inf") if make_inf else 1.0)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        grad = p.grad.detach().numpy().copy() if hasattr(p.grad, "detach") else np.array(p.grad)
        nn_like.utils.clip_grad_norm_([p], 1.0)
        stepped = scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        record.append((grad, stepped, scaler.get_scale(), np.array(p.detach().numpy())))
    return record, scaler.state_dict()


def test_grad_scaler_on_the_cpu_scales_unscales_skips_and_grows_as_torch():
    torch = pytest.importorskip("torch")
    import autograd

    pattern = [False, False, True, False, False, False]
    kwargs = dict(init_scale=2.0**10, growth_interval=2)
    theirs, their_state = _scaled_steps(torch, torch.nn, torch.amp.GradScaler("cpu", **kwargs), [1.0, -2.0], pattern)
    ours, our_state = _scaled_steps(autograd, nn, autograd.amp.GradScaler("cpu", **kwargs), [1.0, -2.0], pattern)
    assert our_state == their_state
    for (grad, stepped, scale, p), (their_grad, their_stepped, their_scale, their_p) in zip(ours, theirs):
        np.testing.assert_allclose(grad, their_grad, rtol=1e-12)
        assert stepped is None and their_stepped is None and scale == their_scale
        np.testing.assert_allclose(p, their_p, rtol=1e-12)
    loaded = autograd.amp.GradScaler("cpu")
    loaded.load_state_dict(their_state)
    assert loaded.state_dict() == their_state


def test_grad_scaler_misuse_raises_as_torch():
    torch = pytest.importorskip("torch")
    import autograd

    for lib, scaler_of, param in (
        (torch, torch.amp.GradScaler, lambda: torch.nn.Parameter(torch.ones(2, dtype=torch.float64))),
        (autograd, autograd.amp.GradScaler, lambda: nn.Parameter(autograd.ones(2))),
    ):
        p = param()
        optimizer = (torch.optim if lib is torch else nn.optim).SGD([p], lr=0.1)
        scaler = scaler_of("cpu")
        scaler.scale(p.sum()).backward()
        scaler.unscale_(optimizer)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            scaler.unscale_(optimizer)
        scaler.step(optimizer)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            scaler.step(optimizer)
        with pytest.raises(RuntimeError, match="source state dict is empty"):
            scaler.load_state_dict({})


def test_grad_scaler_for_cuda_without_a_gpu_disables_itself_and_passes_through_as_torch():
    """nanoGPT's train.py: scaler = torch.cuda.amp.GradScaler(enabled=(dtype == 'float16')), then
    scaler.scale(loss).backward(), scaler.unscale_, scaler.step(optimizer), scaler.update()."""
    torch = pytest.importorskip("torch")
    import autograd

    for lib, p in (
        (torch, torch.nn.Parameter(torch.ones(2, dtype=torch.float64))),
        (autograd, nn.Parameter(autograd.ones(2))),
    ):
        with pytest.warns(FutureWarning, match="deprecated"), pytest.warns(UserWarning, match="CUDA is not available"):
            scaler = lib.cuda.amp.GradScaler(enabled=True)
        optimizer = (torch.optim if lib is torch else nn.optim).SGD([p], lr=0.1)
        loss = (p * p).sum()
        assert scaler.scale(loss) is loss
        loss.backward()
        scaler.unscale_(optimizer)
        assert scaler.step(optimizer) is None
        scaler.update()
        np.testing.assert_allclose(p.detach().numpy(), [0.8, 0.8])
        assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert not lib.amp.GradScaler("cuda", enabled=False).is_enabled()
