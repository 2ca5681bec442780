"""Tests for nn.models.alexnet: parameter counts (single tower and two groups), layer structure, a forward
and backward pass, seeding, and bad arguments. (The small CNNs are tested in test_conv.py.)"""

import numpy as np
import pytest

import nn
from autograd import Tensor


def _count(model):
    return sum(parameter.data.size for parameter in model.parameters())


@pytest.mark.parametrize(("groups", "expected"), [(1, 62_378_344), (2, 60_965_224)])
def test_alexnet_has_the_standard_parameter_count(groups, expected):
    model = nn.models.alexnet(groups=groups, rng=0)
    assert _count(model) == expected
    grouped = [layer.weight.shape for layer in model.features if isinstance(layer, nn.Conv2d)]
    assert grouped == [
        (96, 3, 11, 11),
        (256, 96 // groups, 5, 5),
        (384, 256, 3, 3),
        (384, 384 // groups, 3, 3),
        (256, 384 // groups, 3, 3),
    ]


def test_alexnet_layers_follow_the_paper():
    model = nn.models.alexnet(num_classes=10, rng=0)
    kinds = [type(layer).__name__ for layer in model.features]
    assert kinds == [
        "Conv2d", "ReLU", "LocalResponseNorm", "MaxPool2d",
        "Conv2d", "ReLU", "LocalResponseNorm", "MaxPool2d",
        "Conv2d", "ReLU", "Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d",
    ]  # fmt: skip
    first, norm = model.features[0], model.features[2]
    assert (first.stride, first.padding) == ((4, 4), (0, 0))
    assert (norm.size, norm.alpha, norm.beta, norm.k) == (5, 1e-4, 0.75, 2.0)
    assert [type(layer).__name__ for layer in model.classifier] == [
        "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear",
    ]  # fmt: skip
    assert [layer.p for layer in model.classifier if isinstance(layer, nn.Dropout)] == [0.5, 0.5]


def test_two_tower_alexnet_maps_images_to_logits_and_trains_every_parameter():
    model = nn.models.alexnet(num_classes=10, groups=2, rng=0)
    images = Tensor(np.random.default_rng(1).standard_normal((2, 3, 227, 227)).astype(np.float32))
    logits = model(images)
    assert logits.shape == (2, 10) and logits.dtype == np.float32
    nn.functional.cross_entropy(logits, np.array([3, 7])).backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and parameter.grad.shape == parameter.shape, name
    assert np.abs(model.features[0].weight.grad).max() > 0


def test_alexnet_weights_are_fixed_by_the_seed():
    first, second = nn.models.alexnet(num_classes=2, rng=3), nn.models.alexnet(num_classes=2, rng=3)
    np.testing.assert_array_equal(first.features[0].weight.data, second.features[0].weight.data)
    np.testing.assert_array_equal(first.classifier[6].weight.data, second.classifier[6].weight.data)


def test_alexnet_rejects_groups_that_do_not_divide_its_channels():
    with pytest.raises(ValueError, match=r"Conv2d: in_channels \(96\) must be divisible by groups \(5\)"):
        nn.models.alexnet(groups=5)
