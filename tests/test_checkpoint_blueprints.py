"""Checkpoints of models with Conv1d and the stateless layers recorded since (GELU, Hardtanh, AdaptiveAvgPool2d,
...): nn.load rebuilds them with identical outputs, and a file that does not fit leaves the model unchanged."""

from __future__ import annotations

import json

import numpy as np
import pytest

import nn
from nn import architecture, serialization


def _conv1d_model(kernel=3, padding_mode="reflect"):
    return nn.Sequential(
        nn.Conv1d(2, 4, 3, stride=2, padding=1, groups=2, bias=False, dtype=np.float64, rng=0),
        nn.GELU(approximate="tanh"),
        nn.Conv1d(4, 3, kernel, padding="same", dilation=2, padding_mode=padding_mode, dtype=np.float64, rng=1),
        nn.Flatten(),
        nn.Linear(15, 2, dtype=np.float64, rng=2),
    )


def _state(model):
    return {name: array.copy() for name, array in model.state_dict().items()}


def test_a_model_with_conv1d_is_rebuilt_by_load_with_identical_outputs(tmp_path):
    model = _conv1d_model()
    rebuilt = nn.load(nn.save(model, tmp_path / "conv1d.npz"))
    assert repr(rebuilt) == repr(model)
    assert architecture.describe(rebuilt) == architecture.describe(model)
    x = np.random.default_rng(3).normal(size=(2, 2, 10))
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)
    assert architecture.expected_shapes(architecture.describe(model)) == {
        name: array.shape for name, array in model.state_dict().items()
    }


def test_conv1d_weights_load_into_a_model_of_the_same_architecture(tmp_path):
    source, target = _conv1d_model(), _conv1d_model()
    target.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Conv1d) else None)
    serialization.load_into(target, nn.save(source, tmp_path / "conv1d.npz"))
    for name, array in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[name], array)


def test_loading_into_another_conv1d_names_the_difference_and_changes_nothing(tmp_path):
    path = nn.save(_conv1d_model(), tmp_path / "conv1d.npz")
    other = _conv1d_model(padding_mode="circular")
    before = _state(other)
    with pytest.raises(
        nn.StateDictError, match=r"model.2 \(Conv1d\): padding_mode is 'reflect' in the file, 'circular'"
    ):
        serialization.load_into(other, path)
    for name, array in other.state_dict().items():
        np.testing.assert_array_equal(array, before[name])


def test_a_conv1d_weight_of_another_shape_is_refused_and_changes_nothing(tmp_path):
    model = _conv1d_model()
    arrays = {"format": np.array(serialization.FORMAT)}
    arrays.update({"model/" + name: array for name, array in model.state_dict().items()})
    arrays["model/2.weight"] = np.zeros((3, 4, 5))
    arrays["model/0.weight"] = arrays["model/0.weight"] + 1.0  # a valid entry that must not be copied either
    path = tmp_path / "bad.npz"
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    target = _conv1d_model()
    before = _state(target)
    with pytest.raises(
        ValueError, match=r"size mismatch for 2\.weight: .* torch\.Size\(\[3, 4, 5\]\) .* torch\.Size\(\[3, 4, 3\]\)"
    ):
        serialization.load_into(target, path)
    for name, array in target.state_dict().items():
        np.testing.assert_array_equal(array, before[name])


def test_a_record_whose_conv1d_kernel_differs_from_its_arrays_is_refused_before_building(tmp_path):
    path = nn.save(_conv1d_model(kernel=3), tmp_path / "conv1d.npz")
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["architecture"] = np.array(json.dumps(architecture.describe(_conv1d_model(kernel=5))))
    forged = tmp_path / "forged.npz"
    with open(forged, "wb") as file:
        np.savez(file, **arrays)
    with pytest.raises(
        nn.SerializationError, match=r"does not match the stored weights \(2\.weight: record \(3, 4, 5\)"
    ):
        nn.load(forged)


STATELESS = [
    nn.GELU(),
    nn.GELU(approximate="tanh"),
    nn.Hardtanh(-2.0, 0.5),
    nn.CELU(0.7),
    nn.Softmin(axis=1),
    nn.ReLU6(),
    nn.SELU(),
    nn.LogSigmoid(),
    nn.Hardsigmoid(),
    nn.Hardswish(),
    nn.Softsign(),
    nn.AdaptiveAvgPool2d((None, 2)),
    nn.AdaptiveAvgPool2d(1),
    nn.Threshold(0.1, -2.0, inplace=True),
    nn.Hardshrink(0.3),
    nn.Softshrink(0.2),
    nn.Tanhshrink(),
    nn.GLU(1),
]


@pytest.mark.parametrize("layer", STATELESS, ids=repr)
def test_stateless_layers_are_recorded_and_rebuilt_with_their_options(tmp_path, layer):
    model = nn.Sequential(nn.Conv2d(1, 2, 3, dtype=np.float64, rng=0), layer)
    rebuilt = nn.load(nn.save(model, tmp_path / "m.npz"))
    assert repr(rebuilt) == repr(model)
    x = np.random.default_rng(0).normal(size=(2, 1, 6, 6))
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)


@pytest.mark.parametrize("layer", [nn.CosineSimilarity(dim=0, eps=1e-4), nn.PairwiseDistance(1.0, 1e-3, keepdim=True)])
def test_two_input_layers_are_recorded_and_rebuilt_with_their_options(layer):
    rebuilt = architecture.rebuild(architecture.describe(layer))
    assert type(rebuilt) is type(layer) and vars(rebuilt) == vars(layer)  # the options (their reprs do not show them)
    a, b = np.random.default_rng(0).normal(size=(2, 3, 4))
    np.testing.assert_array_equal(rebuilt(a, b).data, layer(a, b).data)
