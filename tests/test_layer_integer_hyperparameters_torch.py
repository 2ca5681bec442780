"""Layers keep an integer hyperparameter as given, as torch's do: ``nn.Dropout(0)`` prints ``p=0`` and
``nn.LocalResponseNorm(5, k=2)`` prints ``k=2``, not ``p=0.0`` / ``k=2.0``; the attribute is that int, and the layer
computes what the float would."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

#: (class name, positional arguments, keyword arguments, the attributes given as integers)
LAYERS = [
    ("Dropout", (0,), {}, ("p",)),
    ("Dropout", (1,), {}, ("p",)),
    ("Dropout1d", (0,), {}, ("p",)),
    ("Dropout2d", (1,), {}, ("p",)),
    ("Dropout3d", (0,), {}, ("p",)),
    ("AlphaDropout", (0,), {}, ("p",)),
    ("FeatureAlphaDropout", (1,), {}, ("p",)),
    ("BatchNorm1d", (3,), {"eps": 1, "momentum": 1}, ("eps", "momentum")),
    ("BatchNorm2d", (3,), {"momentum": 0}, ("momentum",)),
    ("InstanceNorm1d", (3,), {"eps": 1, "momentum": 0}, ("eps", "momentum")),
    ("LayerNorm", (3,), {"eps": 1}, ("eps",)),
    ("GroupNorm", (1, 3), {"eps": 1}, ("eps",)),
    ("RMSNorm", (3,), {"eps": 1}, ("eps",)),
    ("LocalResponseNorm", (2,), {"alpha": 1, "beta": 1, "k": 2}, ("alpha", "beta", "k")),
    ("LocalResponseNorm", (5,), {"k": np.int64(2)}, ("k",)),
]


@pytest.mark.parametrize(("name", "args", "kwargs", "names"), LAYERS)
def test_integer_hyperparameters_print_and_stay_integers_as_torchs(name, args, kwargs, names):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    for attribute in names:
        assert type(getattr(ours, attribute)) is int, attribute
        assert getattr(ours, attribute) == getattr(theirs, attribute)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "shape"),
    [
        ("BatchNorm1d", (3,), {"eps": 1, "momentum": 1}, (4, 3)),
        ("LayerNorm", (3,), {"eps": 1}, (4, 3)),
        ("GroupNorm", (1, 3), {"eps": 1}, (4, 3)),
        ("RMSNorm", (3,), {"eps": 1}, (4, 3)),
        ("LocalResponseNorm", (2,), {"alpha": 1, "beta": 1, "k": 2}, (2, 3, 4)),
        ("Dropout", (0,), {}, (4, 3)),
    ],
)
def test_layers_with_integer_hyperparameters_compute_as_torchs(name, args, kwargs, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    ours, theirs = getattr(nn, name)(*args, **kwargs).double(), getattr(torch.nn, name)(*args, **kwargs).double()
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-12)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(np.asarray(ours.state_dict()[key]), value.numpy(), err_msg=key)
