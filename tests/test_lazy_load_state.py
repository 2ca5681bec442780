"""load_state_dict sizes lazy layers from the state it loads, as torch's materializes their placeholders: a model of
lazy layers saved after its first forward loads into a fresh copy of itself (d2l's way of cloning a model), and a
load that fails leaves every lazy layer as it was."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor


def _lazy_model() -> nn.Sequential:
    return nn.Sequential(
        nn.LazyConv2d(4, 3, padding=1),
        nn.LazyBatchNorm2d(),
        nn.ReLU(),
        nn.LazyConvTranspose2d(3, 2, stride=2, groups=1),
        nn.Flatten(),
        nn.LazyLinear(5),
    )


def _input() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(2, 2, 4, 4)).astype(np.float32)


def test_a_fresh_lazy_model_loads_a_sized_copys_state_and_computes_as_it():
    trained = _lazy_model()
    trained(_input())
    clone = _lazy_model()
    optimizer = nn.optim.SGD(clone.parameters(), lr=0.1)  # built before the load: it holds the same objects after
    before = list(clone.parameters())
    clone.load_state_dict(trained.state_dict())
    assert [type(layer).__name__ for layer in clone] == [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "ConvTranspose2d",
        "Flatten",
        "Linear",
    ]
    assert (clone[0].in_channels, clone[1].num_features, clone[3].in_channels, clone[5].in_features) == (2, 4, 4, 192)
    assert all(a is b for a, b in zip(clone.parameters(), before))
    trained.eval(), clone.eval()
    np.testing.assert_array_equal(clone(_input()).data, trained(_input()).data)
    clone.train()
    clone(_input()).sum().backward()
    optimizer.step()  # updates the loaded parameters
    assert not np.array_equal(clone[5].weight.data, trained[5].weight.data)


def test_a_lazy_linear_loads_torchs_state_and_gives_torchs_outputs():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU(), torch.nn.LazyLinear(2))
    x = np.random.default_rng(1).normal(size=(3, 5)).astype(np.float32)
    theirs(torch.from_numpy(x))
    ours = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2))
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    fresh = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU(), torch.nn.LazyLinear(2))
    fresh.load_state_dict(theirs.state_dict())  # torch loads into unsized lazy layers too
    np.testing.assert_allclose(ours(x).data, fresh(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-7)
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in fresh.parameters()]


def test_a_lazy_conv_and_norm_load_torchs_state():
    torch = pytest.importorskip("torch")
    x = _input()
    theirs = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1, groups=2), torch.nn.BatchNorm2d(4))
    theirs(torch.from_numpy(x))  # running statistics away from their defaults
    ours = nn.Sequential(nn.LazyConv2d(4, 3, padding=1, groups=2), nn.LazyBatchNorm2d())
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    assert ours[0].in_channels == 2 and ours[0].weight.shape == (4, 1, 3, 3)
    theirs.eval(), ours.eval()
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_weight_of_the_wrong_out_features_is_mis_shaped_and_the_layer_stays_lazy():
    layer = nn.LazyLinear(4)
    placeholder = layer.weight
    with pytest.raises(
        nn.StateDictError,
        match=r"for LazyLinear:\n\tsize mismatch for weight: .*torch\.Size\(\[3, 5\]\).*torch\.Size\(\[4, 5\]\)",
    ):
        layer.load_state_dict({"weight": np.zeros((3, 5), np.float32), "bias": np.zeros(4, np.float32)})
    assert type(layer) is nn.LazyLinear and layer.in_features == 0
    assert layer.weight is placeholder and type(placeholder) is nn.UninitializedParameter and placeholder.shape == (0,)
    assert layer(Tensor(np.ones((1, 7), np.float32))).shape == (1, 4)  # still sized by its first input


def test_a_model_whose_load_fails_keeps_all_its_lazy_layers_lazy():
    trained = _lazy_model()
    trained(_input())
    clone = _lazy_model()
    with pytest.raises(nn.StateDictError, match=r"Unexpected key\(s\)"):
        clone.load_state_dict({**trained.state_dict(), "extra": np.zeros(1)})

    def failing_hook(module, incompatible_keys):
        raise RuntimeError("a post-hook that fails after the writes")

    clone.register_load_state_dict_post_hook(failing_hook)
    with pytest.raises(RuntimeError, match="after the writes"):
        clone.load_state_dict(trained.state_dict())
    assert [type(layer).__name__ for layer in clone] == [
        "LazyConv2d",
        "LazyBatchNorm2d",
        "ReLU",
        "LazyConvTranspose2d",
        "Flatten",
        "LazyLinear",
    ]
    assert all(p.shape == (0,) for p in clone.parameters()) and clone[1].running_mean.shape == (0,)
    assert clone(_input()).shape == (2, 5)  # sized by its first input as before


def test_check_state_dict_reads_a_lazy_model_at_the_size_the_state_gives_and_changes_nothing():
    trained = _lazy_model()
    trained(_input())
    clone = _lazy_model()
    report = clone.check_state_dict(trained.state_dict())
    assert report.missing_keys == [] and report.unexpected_keys == []
    assert type(clone[5]) is nn.LazyLinear and clone[5].weight.shape == (0,)
