"""Port of pytorch/pytorch test/optim/test_swa_utils.py (``TestSWAUtils``), beside torch 2.13.

``AveragedModel`` over upstream's networks (convolutions, pooling, batch norm and linear layers) with the SWA
and EMA averages given as ``multi_avg_fn`` or ``avg_fn``, with and without ``use_buffers``: the averaged
parameters (and buffers) equal the average written out here in float64 from the values the model took, and
torch's AveragedModel fed the same values; its state dict loads into another; it pickles. ``update_bn`` over
a fully connected and a convolutional network, from loaders of ``(x,)`` and ``(x, y)`` batches, shuffled:
the running mean is the data's mean and the running variance the data's within upstream's tolerance, and,
unshuffled, exactly the mean of the batches' unbiased variances (the cumulative average it takes); the
training mode and the momenta are as they were.

Left out: the CUDA and mixed-device cases (no CUDA here; ``device="cpu"`` is ported). SWALR is ported with the
schedulers, in test_lr_scheduler_torch_port.py.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn.data import DataLoader, TensorDataset
from nn.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn, update_bn

torch = pytest.importorskip("torch")


def _deep_network(lib):
    """Upstream's network for the averaged-model tests (only its parameters matter: nothing is run through it)."""
    return lib.Sequential(
        lib.Conv2d(1, 5, kernel_size=3),
        lib.ReLU(),
        lib.MaxPool2d(kernel_size=2),
        lib.BatchNorm2d(5, momentum=0.3),
        lib.Conv2d(5, 2, kernel_size=3),
        lib.ReLU(),
        lib.Linear(5, 5),
        lib.ReLU(),
        lib.Linear(5, 10),
    )


def _small_network(lib):
    return lib.Sequential(lib.Conv2d(1, 5, kernel_size=3), lib.BatchNorm2d(5, momentum=0.3), lib.Linear(5, 10))


def _copy_into_torch(ours, theirs):
    mine = ours.state_dict()
    with torch.no_grad():
        for name, their in theirs.state_dict().items():
            their.copy_(torch.from_numpy(np.array(mine[name])))


def _add_noise(members, rng, theirs=()):
    """Add the same standard normal noise to each of ``members`` (and the torch tensor beside it)."""
    theirs = list(theirs) or [None] * len(members)
    with no_grad(), torch.no_grad():
        for member, their in zip(members, theirs):
            noise = rng.standard_normal(member.shape).astype(member.dtype)
            member.add_(Tensor(noise))
            if their is not None:
                their.add_(torch.from_numpy(noise))


@pytest.mark.parametrize("ema", [True, False])
def test_averaged_models_parameters_are_the_swa_or_ema_average_of_the_values_seen_as_torchs(ema):
    rng = np.random.default_rng(0)
    ours = _deep_network(nn)
    theirs = _deep_network(torch.nn)
    _copy_into_torch(ours, theirs)
    decay, updates = 0.999, 10
    averages = []
    for lib, model in ((nn.optim.swa_utils, ours), (torch.optim.swa_utils, theirs)):
        average_fn = lib.get_ema_multi_avg_fn(decay) if ema else lib.get_swa_multi_avg_fn()
        averages.append(lib.AveragedModel(model, device="cpu", multi_avg_fn=average_fn))
    expected = [np.zeros(p.shape) for p in ours.parameters()]
    for step in range(updates):
        _add_noise(list(ours.parameters()), rng, theirs.parameters())
        for total, parameter in zip(expected, ours.parameters()):
            value = parameter.numpy().astype(np.float64)
            if ema:  # the first value, then decay * average + (1 - decay) * value: weights written out
                total += value * decay ** (updates - step - 1) * ((1 - decay) if step else 1.0)
            else:
                total += value / updates
        for average, model in zip(averages, (ours, theirs)):
            average.update_parameters(model)
    for total, mine, their in zip(expected, averages[0].parameters(), averages[1].parameters()):
        assert mine.device == averages[0].n_averaged.device and str(mine.device) == "cpu"
        np.testing.assert_allclose(mine.numpy(), total, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(mine.numpy(), their.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert int(averages[0].n_averaged) == int(averages[1].n_averaged) == updates


def test_an_averaged_models_state_dict_loads_into_another():
    rng = np.random.default_rng(1)
    model = _small_network(nn)
    averaged, other = AveragedModel(model), AveragedModel(model)
    for _ in range(10):
        _add_noise(list(model.parameters()), rng)
        averaged.update_parameters(model)
    other.load_state_dict(averaged.state_dict())
    for mine, copied in zip(averaged.parameters(), other.parameters()):
        np.testing.assert_array_equal(mine.numpy(), copied.numpy())
    assert int(averaged.n_averaged) == int(other.n_averaged) == 10


def test_an_averaged_model_with_the_default_average_pickles_and_goes_on_averaging():
    rng = np.random.default_rng(2)
    model = _small_network(nn)
    averaged = AveragedModel(model)
    averaged.update_parameters(model)
    restored = pickle.loads(pickle.dumps(averaged))
    first = [p.numpy().astype(np.float64) for p in model.parameters()]
    _add_noise(list(model.parameters()), rng)
    restored.update_parameters(model)
    for mine, before, now in zip(restored.parameters(), first, model.parameters()):
        np.testing.assert_allclose(mine.numpy(), (before + now.numpy()) / 2, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("use_buffers", [True, False])
@pytest.mark.parametrize("use_multi_avg_fn", [True, False])
def test_an_exponential_average_of_parameters_and_buffers_follows_its_recursion(use_multi_avg_fn, use_buffers):
    rng = np.random.default_rng(3)
    model = _small_network(nn)
    decay = 0.9
    if use_multi_avg_fn:
        averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=use_buffers)
    else:

        def avg_fn(average, value, count):
            return decay * average + (1 - decay) * value

        averaged = AveragedModel(model, avg_fn=avg_fn, use_buffers=use_buffers)
    members = list(model.parameters()) + (list(model.buffers()) if use_buffers else [])
    members = [member for member in members if member.shape != ()]  # (not num_batches_tracked)
    expected = None
    for _ in range(10):
        _add_noise(members, rng)
        values = [member.numpy().astype(np.float64) for member in members]
        expected = values if expected is None else [a * decay + v * (1 - decay) for a, v in zip(expected, values)]
        averaged.update_parameters(model)
    averaged_members = list(averaged.module.parameters()) + (list(averaged.module.buffers()) if use_buffers else [])
    averaged_members = [member for member in averaged_members if member.shape != ()]
    assert len(averaged_members) == len(expected)
    for mine, total in zip(averaged_members, expected):
        np.testing.assert_allclose(mine.numpy(), total, rtol=1e-5, atol=1e-5)
    if not use_buffers:  # the buffers are the model's (untouched here)
        for mine, models in zip(averaged.module.buffers(), model.buffers()):
            np.testing.assert_array_equal(mine.numpy(), models.numpy())


# -- update_bn ------------------------------------------------------------------------------------------------------
class _Dense(nn.Module):
    """Upstream's fully connected network: a linear layer then BatchNorm1d over its features."""

    def __init__(self, input_features, features=10):
        super().__init__()
        self.n_features = features
        self.fc1 = nn.Linear(input_features, features)
        self.bn = nn.BatchNorm1d(features)

    def compute_preactivation(self, x):
        return self.fc1(x)

    def forward(self, x):
        return self.bn(self.fc1(x))


class _Convolutional(nn.Module):
    """Upstream's convolutional network: a padded 3x3 convolution then BatchNorm2d (momentum 0.3)."""

    def __init__(self, input_channels, features=10):
        super().__init__()
        self.n_features = features
        self.conv1 = nn.Conv2d(input_channels, features, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm2d(features, momentum=0.3)

    def compute_preactivation(self, x):
        return self.conv1(x)

    def forward(self, x):
        return self.bn(self.conv1(x))


def _preactivations(network, batch):
    """The batch norm's inputs, one row per normalized value (channels last for a convolution)."""
    with no_grad():
        values = network.compute_preactivation(batch).numpy().astype(np.float64)
    if values.ndim == 4:
        values = values.transpose(0, 2, 3, 1)
    return values.reshape(-1, network.n_features)


def _loaders(x, shuffle):
    y = np.random.default_rng(4).random(len(x)).astype(np.float32)
    only_x = DataLoader(TensorDataset(Tensor(x)), batch_size=5, shuffle=shuffle)
    with_y = DataLoader(TensorDataset(Tensor(x), Tensor(y)), batch_size=5, shuffle=shuffle)
    return only_x, with_y


@pytest.mark.parametrize("kind", ["dense", "convolutional"])
def test_update_bn_gives_the_datas_mean_and_variance_from_either_loader(kind):
    rng = np.random.default_rng(5)
    if kind == "dense":
        x, network = rng.random((100, 5)).astype(np.float32), _Dense(5)
    else:
        x, network = rng.random((100, 3, 5, 5)).astype(np.float32), _Convolutional(3)
    network.train()
    values = _preactivations(network, Tensor(x))
    mean, variance = values.mean(axis=0), values.var(axis=0)
    only_x, with_y = _loaders(x, shuffle=True)
    for loader in (with_y, with_y, only_x):  # (upstream runs it again after resetting, from both loaders)
        network.bn.reset_running_stats()
        update_bn(loader, network)
        np.testing.assert_allclose(network.bn.running_mean.numpy(), mean, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(network.bn.running_var.numpy(), variance, rtol=0, atol=1e-1)
    assert network.training


@pytest.mark.parametrize("kind", ["dense", "convolutional"])
def test_update_bn_unshuffled_averages_the_batches_unbiased_variances(kind):
    rng = np.random.default_rng(6)
    if kind == "dense":
        x, network = rng.random((40, 5)).astype(np.float32), _Dense(5)
    else:
        x, network = rng.random((40, 3, 5, 5)).astype(np.float32), _Convolutional(3)
    batches = [_preactivations(network, Tensor(x[start : start + 5])) for start in range(0, 40, 5)]
    only_x, with_y = _loaders(x, shuffle=False)
    for loader in (only_x, with_y):
        network.bn.reset_running_stats()
        update_bn(loader, network)
        np.testing.assert_allclose(
            network.bn.running_mean.numpy(), np.mean([b.mean(axis=0) for b in batches], axis=0), rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(
            network.bn.running_var.numpy(),
            np.mean([b.var(axis=0, ddof=1) for b in batches], axis=0),
            rtol=1e-5,
            atol=1e-6,
        )


def test_update_bn_keeps_a_model_in_eval_mode_and_its_momentum():
    x = np.random.default_rng(7).random((100, 3, 5, 5)).astype(np.float32)
    network = _Convolutional(3)
    network.eval()
    update_bn(_loaders(x, shuffle=True)[0], network)
    assert not network.training and network.bn.momentum == 0.3
