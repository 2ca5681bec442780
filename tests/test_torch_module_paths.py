"""``nn.modules.<file>`` as torch's ``torch.nn.modules.<file>``: the same classes as ``nn``'s, with torch's private
bases, so torch code that tells layers apart with ``isinstance`` (freeze the batch norms, keep norms and biases out
of weight decay) runs unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import nn

SUBMODULES = [
    "activation", "adaptive", "batchnorm", "container", "conv", "dropout", "instancenorm", "linear", "loss", "normalization",
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


def test_a_weight_standardised_conv_subclass_runs_through_conv_forward_as_torchs():
    # timm's StdConv2d: forward standardises the weight and calls the layer's _conv_forward with it
    torch = pytest.importorskip("torch")

    def standardised(weight, var_mean):
        variance, mean = var_mean(weight)
        return (weight - mean) / (variance + 1e-5) ** 0.5

    class Ours(nn.Conv2d):
        def forward(self, x):
            moments = lambda w: (
                w.var(dim=(1, 2, 3), keepdim=True, unbiased=False),
                w.mean(dim=(1, 2, 3), keepdim=True),
            )
            return self._conv_forward(x, standardised(self.weight, moments), self.bias)

    class Theirs(torch.nn.Conv2d):
        def forward(self, x):
            moments = lambda w: torch.var_mean(w, dim=[1, 2, 3], keepdim=True, unbiased=False)
            return self._conv_forward(x, standardised(self.weight, moments), self.bias)

    options = {"padding": 1, "padding_mode": "reflect"}
    ours, theirs = Ours(2, 3, 3, dtype=np.float64, **options), Theirs(2, 3, 3, dtype=torch.float64, **options)
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 2, 5, 5))
    mine, expected = ours(x), theirs(torch.tensor(x))
    mine.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(mine.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
