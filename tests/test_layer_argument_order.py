"""Layers take torch's positional arguments in torch's order (code ported from torch builds the same model), and
the 1-D layers and functions take one length per argument: a longer tuple is an error, not its first entry."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor


def test_conv2d_positional_groups_comes_before_bias_as_torch():
    layer = nn.Conv2d(4, 8, 3, 1, 1, 1, 2, False, "reflect")
    assert layer.groups == 2
    assert layer.weight.shape == (8, 2, 3, 3)
    assert layer.bias is None
    assert layer.padding_mode == "reflect"


@pytest.mark.parametrize(
    "name",
    ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d"],
)
def test_positional_parameters_follow_torchs_order(name):
    torch = pytest.importorskip("torch")
    ours = [
        p.name for p in inspect.signature(getattr(nn, name)).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    theirs = [
        p.name
        for p in inspect.signature(getattr(torch.nn, name)).parameters.values()
        if p.kind is p.POSITIONAL_OR_KEYWORD and p.name not in ("device", "dtype")
    ]
    assert ours[: len(theirs)] == theirs


X = Tensor(np.random.default_rng(0).standard_normal((1, 2, 10)))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: F.max_pool1d(X, (2, 4)), "max_pool1d: kernel_size must be an int or a tuple of one int"),
        (lambda: F.avg_pool1d(X, 2, (1, 2)), "avg_pool1d: stride must be"),
        (lambda: F.conv1d(X, np.ones((3, 2, 3)), stride=(1, 2)), "conv1d: stride must be"),
        (lambda: nn.Conv1d(2, 3, (3, 5)), "Conv1d: kernel_size must be"),
        (lambda: nn.Conv1d(2, 3, 3, dilation=(1, 1)), "Conv1d: dilation must be"),
        (lambda: nn.ConvTranspose1d(2, 3, (3, 4)), "ConvTranspose1d: kernel_size must be"),
        (lambda: nn.MaxPool1d((2, 3)), "MaxPool1d: kernel_size must be"),
        (lambda: nn.AdaptiveAvgPool1d((3, 4))(X), "output_size must be"),
        (lambda: nn.AdaptiveMaxPool1d((3, 4))(X), "output_size must be"),
    ],
)
def test_one_dimensional_arguments_reject_a_pair_naming_the_argument(call, message):
    with pytest.raises(RuntimeError, match=message):  # torch's class (ArgumentRangeError: a ValueError too)
        call()


def test_one_dimensional_arguments_take_an_int_or_a_one_tuple():
    assert F.max_pool1d(X, (2,)).shape == F.max_pool1d(X, 2).shape == (1, 2, 5)
    assert nn.Conv1d(2, 3, (3,), stride=[2]).weight.shape == (3, 2, 3)
