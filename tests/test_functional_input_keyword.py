"""nn.functional takes a function's first argument by torch's keyword ``input`` wherever torch names it so."""

import inspect

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(0)
X, TARGET = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
LABELS = np.array([0, 2, 1, 2])
WEIGHT = RNG.standard_normal((5, 3))


@pytest.mark.parametrize(
    ("name", "others"),
    [
        ("relu", {}),
        ("softmax", {"dim": 1}),
        ("mse_loss", {"target": Tensor(TARGET)}),
        ("cross_entropy", {"target": Tensor(LABELS)}),
        ("linear", {"weight": Tensor(WEIGHT)}),
        ("leaky_relu", {"negative_slope": 0.2}),
    ],
)
def test_the_first_argument_may_be_given_as_input(name, others):
    function = getattr(F, name)
    np.testing.assert_array_equal(function(input=Tensor(X), **others).data, function(Tensor(X), **others).data)


def test_input_given_twice_is_refused():
    with pytest.raises(TypeError, match="relu\\(\\) got multiple values for argument 'input'"):
        F.relu(Tensor(X), input=Tensor(X))


def test_every_function_torch_gives_an_input_argument_shows_it_first():
    torch_functional = pytest.importorskip("torch.nn.functional")
    checked = 0
    for name in F.__all__:
        theirs = getattr(torch_functional, name, None)
        try:
            first = next(iter(inspect.signature(theirs).parameters))
        except (TypeError, ValueError, StopIteration):  # torch's builtins show no signature
            continue
        if first == "input":
            assert next(iter(inspect.signature(getattr(F, name)).parameters)) == "input", name
            checked += 1
    assert checked > 60


def test_the_functions_taking_input_pickle_by_reference():
    import pickle

    for name in ("relu", "mse_loss", "cross_entropy", "linear", "gelu"):
        function = getattr(F, name)
        assert pickle.loads(pickle.dumps(function)) is function


def test_a_transformer_layer_with_nn_functional_relu_records_its_activation():
    import nn
    from nn import architecture

    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, activation=F.relu)
    assert architecture.describe(layer)["config"]["activation"] == "relu"


def test_one_hot_takes_its_indices_as_input_as_torchs():
    torch = pytest.importorskip("torch")
    ours = F.one_hot(input=Tensor(LABELS), num_classes=4)
    theirs = torch.nn.functional.one_hot(input=torch.tensor(LABELS), num_classes=4)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(
        F.one_hot(tensor=Tensor(LABELS), num_classes=4).data, ours.data
    )  # the docstrings' name still works
