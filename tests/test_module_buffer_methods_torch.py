"""Buffers read through a module's attribute have torch's tensor methods (``bn.running_mean.clone()``, ``.zero_()``,
``.copy_(t)``, ``.size()``) and write through to the module, side by side with torch's modules; numpy's reading of
them, the module's state machinery and batch norm's results are unchanged."""

import copy
import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _pair(kind="BatchNorm1d", channels=3):
    return getattr(torch.nn, kind)(channels).double(), getattr(nn, kind)(channels).double()


def _train_both(theirs, ours, shape, seed=0):
    x = np.random.default_rng(seed).normal(size=shape)
    theirs(torch.tensor(x))
    ours(Tensor(x))


@pytest.mark.parametrize("name", ["running_mean", "running_var", "num_batches_tracked"])
def test_batch_norm_buffer_clone_is_an_independent_copy_as_torchs(name):
    theirs, ours = _pair()
    _train_both(theirs, ours, (4, 3))
    their_copy, our_copy = getattr(theirs, name).clone(), getattr(ours, name).clone()
    their_copy.add_(5)
    our_copy.add_(5)
    np.testing.assert_allclose(np.asarray(getattr(ours, name)), getattr(theirs, name).numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(our_copy), their_copy.numpy(), rtol=1e-12)


def test_batch_norm_buffer_in_place_methods_change_the_module_as_torchs():
    theirs, ours = _pair()
    source = np.array([0.5, -1.0, 2.0])
    for module, tensor in ((theirs, torch.tensor), (ours, Tensor)):
        module.running_mean.copy_(tensor(source))
        module.running_mean.mul_(3).add_(1)
        module.running_var.fill_(2.0)
        module.running_var.sub_(0.5)
        module.num_batches_tracked.add_(7)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(ours.state_dict()[name], theirs.state_dict()[name].numpy(), rtol=1e-12)
    x = np.random.default_rng(1).normal(size=(5, 3))
    theirs.eval(), ours.eval()
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_batch_norm_buffer_zero_detach_numpy_and_size_as_torchs():
    theirs, ours = _pair("BatchNorm2d", 4)
    _train_both(theirs, ours, (2, 4, 3, 3))
    assert tuple(ours.running_mean.size()) == tuple(theirs.running_mean.size())
    assert ours.running_mean.size(0) == theirs.running_mean.size(0)
    assert ours.num_batches_tracked.dim() == theirs.num_batches_tracked.dim() == 0
    their_numpy, our_numpy = theirs.running_var.numpy(), ours.running_var.numpy()
    np.testing.assert_allclose(our_numpy, their_numpy, rtol=1e-12)
    assert type(our_numpy) is np.ndarray
    our_numpy[0] = 42.0  # numpy() shares the buffer's memory, as torch's
    their_numpy[0] = 42.0
    assert ours.running_var[0] == theirs.running_var[0] == 42.0
    ours.running_mean.detach().zero_()
    theirs.running_mean.detach().zero_()
    np.testing.assert_array_equal(np.asarray(ours.running_mean), theirs.running_mean.numpy())
    assert not np.any(ours.running_mean)


def test_instance_norm_tracked_buffers_have_tensor_methods():
    theirs = torch.nn.InstanceNorm1d(2, track_running_stats=True).double()
    ours = nn.InstanceNorm1d(2, track_running_stats=True).double()
    _train_both(theirs, ours, (3, 2, 5))
    np.testing.assert_allclose(np.asarray(ours.running_mean.clone()), theirs.running_mean.clone().numpy(), rtol=1e-12)
    ours.running_var.fill_(4.0)
    assert ours.state_dict()["running_var"].tolist() == [4.0, 4.0]


def test_a_registered_array_buffer_is_read_with_tensor_methods_sharing_its_memory():
    module = nn.Module()
    array = np.arange(4.0)
    module.register_buffer("mask", array)
    module.mask.mul_(2)
    assert array.tolist() == [0.0, 2.0, 4.0, 6.0]  # the same memory, as torch's register_buffer keeps the tensor
    assert module.mask.size() == (4,) and module.mask.clone() is not module.mask
    module.mask = np.ones(2)  # a re-assigned buffer reads the same way
    assert module.mask.sum().item() == 2.0 and module.mask.numel() == 2


def test_numpy_reads_a_buffer_as_the_array_it_is():
    bn = nn.BatchNorm1d(3)
    assert np.allclose(bn.running_var, 1.0) and isinstance(bn.running_mean, np.ndarray)
    bn.running_mean[:] = 2.0
    assert bn.state_dict()["running_mean"].tolist() == [2.0, 2.0, 2.0]
    shifted = bn.running_mean * 2 + 1
    assert type(shifted) is np.ndarray and shifted.tolist() == [5.0, 5.0, 5.0]


def test_buffers_state_dict_and_copies_keep_working_with_the_methods():
    bn = nn.BatchNorm1d(3)
    bn(Tensor(np.random.default_rng(2).normal(size=(6, 3)).astype(np.float32)))
    state = bn.state_dict()
    assert not np.shares_memory(state["running_mean"], bn.running_mean)
    for clone in (copy.deepcopy(bn), pickle.loads(pickle.dumps(bn))):
        np.testing.assert_array_equal(clone.running_var, bn.running_var)
        clone.running_var.zero_()  # an independent copy with the methods
        assert np.all(bn.running_var > 0)
    held = bn.running_mean
    bn.load_state_dict({**state, "running_mean": np.full(3, 7.0, dtype=np.float32)})
    assert held is bn.running_mean and held.tolist() == [7.0, 7.0, 7.0]  # loaded in place, as torch's copy_
    assert [name for name, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    bn.double()
    assert bn.running_mean.dtype == np.float64 and bn.running_mean.clone().dtype == np.float64
    assert all(buffer.size() is not None for buffer in bn.buffers())


def test_tied_buffers_stay_one_buffer():
    shared = nn.Module()
    shared.register_buffer("table", np.zeros(3))
    other = nn.Module()
    other.register_buffer("table", shared.table)
    outer = nn.Sequential(shared, other)
    outer[1].table.fill_(1.0)  # the same memory, and listed once
    assert shared.table.tolist() == [1.0, 1.0, 1.0]
    assert len(outer.buffers()) == 1
