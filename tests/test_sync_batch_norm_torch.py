"""``nn.SyncBatchNorm``: torch's batch norm of any (N, C, ...) input, which in one process (no initialised process
group, torch's case on a CPU) normalises as the other batch norms; and ``SyncBatchNorm.convert_sync_batchnorm``,
which training scripts call on a model to swap its batch norms for it. Compared with torch 2.13 with the same
state: outputs, input and parameter gradients, running statistics, repr, state_dict keys and errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _pair(**options):
    theirs = torch.nn.SyncBatchNorm(3, **options).double()
    ours = nn.SyncBatchNorm(3, **options).double()
    rng = np.random.default_rng(1)
    with torch.no_grad():
        for value in theirs.state_dict().values():
            if value.dtype.is_floating_point:
                value.copy_(torch.tensor(rng.uniform(0.5, 1.5, value.shape)))
    ours.load_state_dict({key: value.numpy().copy() for key, value in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2), (2, 3, 2, 1, 2), (1, 3, 2, 1, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(
    "options", [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}, {"bias": False}]
)
def test_sync_batch_norm_matches_torch_in_one_process(shape, training, options):
    ours, theirs = _pair(**options)
    ours.train(training)
    theirs.train(training)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal(shape) * 2 + 1
    mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for _ in range(2):
        got, expected = ours(mine), theirs(reference)
        np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(2).standard_normal(shape)
    (got * Tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad, parameter.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(np.asarray(ours.state_dict()[name]), value.numpy(), rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("shape", [(3,), ()])
def test_sync_batch_norm_refuses_an_input_without_a_channel_axis_as_torch(shape):
    with pytest.raises(ValueError):
        torch.nn.SyncBatchNorm(3)(torch.zeros(shape))
    with pytest.raises(ValueError, match="SyncBatchNorm"):
        nn.SyncBatchNorm(3)(Tensor(np.zeros(shape, dtype=np.float32)))


def test_sync_batch_norm_keeps_the_process_group_and_is_a_batch_norm():
    layer = nn.SyncBatchNorm(3, process_group="group")
    assert layer.process_group == "group" and nn.SyncBatchNorm(3).process_group is None
    assert isinstance(layer, nn.modules.batchnorm._BatchNorm)
    assert nn.modules.batchnorm.SyncBatchNorm is nn.SyncBatchNorm


def _model(library):
    inner = library.Sequential(library.Conv2d(3, 4, 1), library.BatchNorm2d(4, momentum=None), library.ReLU())
    return library.Sequential(inner, library.BatchNorm1d(4, affine=False), library.InstanceNorm1d(4))


def test_convert_sync_batchnorm_swaps_every_batch_norm_as_torch():
    ours, theirs = _model(nn), _model(torch.nn)
    ours[0][1].eval()
    theirs[0][1].eval()
    weight, running_mean = ours[0][1].weight, ours[0][1].running_mean
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(ours, process_group="group")
    expected = torch.nn.SyncBatchNorm.convert_sync_batchnorm(theirs)
    assert repr(converted) == repr(expected)
    assert converted is ours  # the container is kept, its batch norms replaced
    swapped = converted[0][1]
    assert type(swapped) is nn.SyncBatchNorm and swapped.process_group == "group"
    assert swapped.weight is weight and swapped.running_mean is running_mean  # the state is shared, not copied
    assert not swapped.training and converted[1].training  # each layer's mode is kept
    assert type(converted[2]) is nn.InstanceNorm1d  # not a batch norm: left as it is
    assert list(converted.state_dict()) == list(expected.state_dict())


def test_convert_sync_batchnorm_of_a_batch_norm_alone_returns_the_new_layer():
    layer = nn.BatchNorm3d(2, eps=1e-3, track_running_stats=False, bias=False)
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(layer)
    assert type(converted) is nn.SyncBatchNorm
    assert repr(converted) == repr(
        torch.nn.SyncBatchNorm.convert_sync_batchnorm(
            torch.nn.BatchNorm3d(2, eps=1e-3, track_running_stats=False, bias=False)
        )
    )
    assert converted.weight is layer.weight and converted.bias is None


def test_a_model_with_a_sync_batch_norm_saves_and_loads(tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.SyncBatchNorm(4, momentum=None, bias=False))
    model(Tensor(np.random.default_rng(0).standard_normal((2, 3, 2, 2)).astype(np.float32)))
    rebuilt = nn.load(nn.save(model, tmp_path / "sync.npz"))
    assert repr(rebuilt) == repr(model) and type(rebuilt[1]) is nn.SyncBatchNorm
    np.testing.assert_array_equal(rebuilt[1].running_mean, model[1].running_mean)
