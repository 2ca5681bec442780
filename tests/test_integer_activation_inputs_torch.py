"""Integer and boolean Tensors given to the activations and dropouts: refused exactly where torch refuses them, with
torch's class (NotImplementedError for a missing kernel, RuntimeError otherwise), and computed where torch
computes them."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

#: (name, keyword arguments) of the functional forms, each called on a (1, 4) input (the dropouts' channel forms
#: on a reshaped one)
FUNCTIONS = [
    ("relu", {}), ("relu6", {}), ("elu", {}), ("selu", {}), ("celu", {}), ("leaky_relu", {}), ("hardtanh", {}),
    ("hardswish", {}), ("hardsigmoid", {}), ("silu", {}), ("mish", {}), ("gelu", {}), ("sigmoid", {}), ("tanh", {}),
    ("softmax", {"dim": 1}), ("log_softmax", {"dim": 1}), ("softmin", {"dim": 1}), ("softplus", {}),
    ("softshrink", {}), ("hardshrink", {}), ("tanhshrink", {}), ("softsign", {}), ("logsigmoid", {}),
    ("threshold", {"threshold": 0.5, "value": 0.0}), ("glu", {"dim": 1}), ("rrelu", {"training": True}),
    ("rrelu", {"training": False}), ("dropout", {"p": 0.5, "training": True}), ("dropout", {"p": 0.0}),
    ("dropout", {"p": 1.0}), ("dropout", {"p": 0.5, "training": False}),
    ("alpha_dropout", {"p": 0.5, "training": True}), ("feature_alpha_dropout", {"p": 0.5, "training": True}),
    ("dropout1d", {"p": 0.5}), ("dropout2d", {"p": 0.5}), ("dropout3d", {"p": 0.5}),
    ("softmax", {"dim": 1, "dtype": "float64"}), ("softmin", {"dim": 1, "dtype": "float64"}),
]  # fmt: skip

SHAPES = {"dropout1d": (1, 1, 4), "dropout2d": (1, 1, 1, 4), "dropout3d": (1, 1, 1, 1, 4)}


def _outcome(call, *args, **kwargs):
    """'NotImplementedError', 'RuntimeError' or 'ok' for what ``call(*args, **kwargs)`` does."""
    try:
        call(*args, **kwargs)
    except NotImplementedError:
        return "NotImplementedError"
    except RuntimeError:
        return "RuntimeError"
    return "ok"


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize(("name", "options"), FUNCTIONS, ids=[f"{n}-{sorted(o.items())}" for n, o in FUNCTIONS])
def test_integer_and_boolean_inputs_are_refused_where_torchs_are(name, options, dtype):
    data = (np.array([[1, -2, 3, 0]]) if dtype is not np.bool_ else np.array([[1, 0, 1, 1]])).astype(dtype)
    data = data.reshape(SHAPES.get(name, data.shape))
    theirs = dict(options, dtype=getattr(torch, options["dtype"])) if "dtype" in options else options
    expected = _outcome(getattr(torch.nn.functional, name), torch.tensor(data), **theirs)
    assert _outcome(getattr(F, name), Tensor(data), **options) == expected


def test_layers_refuse_what_torchs_refuse():
    longs = np.array([[1, -2, 3, 4]])
    for ours, theirs in [
        (nn.Dropout(0.5), torch.nn.Dropout(0.5)),
        (nn.ELU(), torch.nn.ELU()),
        (nn.LeakyReLU(), torch.nn.LeakyReLU()),
        (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    ]:
        expected = _outcome(theirs, torch.tensor(longs))
        assert expected != "ok" and _outcome(ours, Tensor(longs)) == expected
        with pytest.raises(TypeError, match="Long"):  # also the TypeError the library raises for a dtype
            ours(Tensor(longs))
    assert nn.Dropout(0.5).eval()(Tensor(longs)).dtype == np.int64  # evaluation passes it through, as torch's
    assert nn.ReLU()(Tensor(longs)).dtype == np.int64


def test_refusal_messages_name_the_op_and_dtype():
    with pytest.raises(NotImplementedError, match=r"elu: not implemented for 'Long' \(an input of dtype int64"):
        F.elu(Tensor(np.array([1, 2])))
    with pytest.raises(RuntimeError, match=r"dropout: result type Float can't be cast to the desired output type Long"):
        F.dropout(Tensor(np.array([1, 2])), 0.5, True)
    with pytest.raises(RuntimeError, match="relu: boolean inputs are not supported"):
        F.relu(Tensor(np.array([True, False])))


def test_array_likes_of_integers_are_still_read_as_numbers():
    # (a list or an ndarray is a constant here, read in floating point as before; only Tensors keep a dtype)
    np.testing.assert_allclose(F.elu(np.array([1, -1])).numpy(), [1.0, np.expm1(-1.0)])
    np.testing.assert_allclose(F.softmax([0, 0], dim=0).numpy(), [0.5, 0.5])
