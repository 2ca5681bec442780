"""``nn.modules.<file>`` as torch's ``torch.nn.modules.<file>``: the same classes as ``nn``'s, with torch's private
bases, so torch code that tells layers apart with ``isinstance`` (freeze the batch norms, keep norms and biases out
of weight decay) runs unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import nn

SUBMODULES = [
    "activation", "batchnorm", "container", "conv", "dropout", "instancenorm", "linear", "loss", "normalization",
    "pooling", "rnn", "sparse", "transformer",
]  # fmt: skip


@pytest.mark.parametrize("name", SUBMODULES)
def test_each_path_names_nns_own_classes(name):
    submodule = getattr(nn.modules, name)
    for member in submodule.__all__:
        if not member.startswith("_"):
            assert getattr(submodule, member) is getattr(nn, member), member


@pytest.mark.parametrize("name", SUBMODULES)
def test_each_path_holds_every_class_of_torchs_file_that_nn_has(name):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn.modules, name).__all__
    ours = getattr(nn.modules, name).__all__
    assert [member for member in theirs if hasattr(nn, member) and member not in ours] == []


def test_batch_norms_and_instance_norms_are_told_apart_as_in_torch():
    batchnorm, instancenorm = nn.modules.batchnorm, nn.modules.instancenorm
    for layer in (nn.BatchNorm1d(3), nn.BatchNorm2d(3), nn.BatchNorm3d(3), nn.LazyBatchNorm2d()):
        assert isinstance(layer, batchnorm._BatchNorm) and isinstance(layer, batchnorm._NormBase)
        assert not isinstance(layer, instancenorm._InstanceNorm)
    for layer in (nn.InstanceNorm1d(3), nn.InstanceNorm2d(3, affine=True), nn.LazyInstanceNorm2d()):
        assert isinstance(layer, instancenorm._InstanceNorm) and isinstance(layer, batchnorm._NormBase)
        assert not isinstance(layer, batchnorm._BatchNorm)


def test_the_usual_weight_decay_split_finds_the_norms_and_biases():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LazyLinear(2), nn.LayerNorm(2))
    model(np.zeros((2, 1, 5, 5), np.float32))  # (the lazy layer takes its shape)
    norms = (nn.modules.batchnorm._NormBase, nn.modules.normalization.LayerNorm)
    decayed, kept = [], []
    for module in model.modules():
        for name, parameter in module.named_parameters(recurse=False):
            (kept if isinstance(module, norms) or name == "bias" else decayed).append(parameter)
    assert [p.shape for p in decayed] == [(4, 1, 3, 3), (2, 36)]
    assert len(kept) == 6  # the conv's and linear's biases, the two norms' weights and biases
    assert isinstance(model[0], nn.modules.conv._ConvNd) and isinstance(nn.MSELoss(), nn.modules.loss._Loss)
