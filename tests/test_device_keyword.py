"""torch's factory keywords ``device=`` and ``dtype=`` on the layers that create Parameters, and torch's
``Module.to`` overloads: the CPU (or None) is accepted, any other device is a clear ValueError."""

import numpy as np
import pytest

import nn
from autograd import Tensor

LAYERS = {
    "Linear": lambda **options: nn.Linear(2, 3, **options),
    "Bilinear": lambda **options: nn.Bilinear(2, 2, 3, **options),
    "Conv1d": lambda **options: nn.Conv1d(1, 2, 3, **options),
    "Conv2d": lambda **options: nn.Conv2d(1, 2, 3, **options),
    "ConvTranspose1d": lambda **options: nn.ConvTranspose1d(1, 2, 3, **options),
    "ConvTranspose2d": lambda **options: nn.ConvTranspose2d(1, 2, 3, **options),
    "LayerNorm": lambda **options: nn.LayerNorm(3, **options),
    "RMSNorm": lambda **options: nn.RMSNorm(3, **options),
    "GroupNorm": lambda **options: nn.GroupNorm(1, 3, **options),
    "BatchNorm1d": lambda **options: nn.BatchNorm1d(3, **options),
    "BatchNorm2d": lambda **options: nn.BatchNorm2d(3, **options),
    "InstanceNorm1d": lambda **options: nn.InstanceNorm1d(3, affine=True, **options),
    "InstanceNorm2d": lambda **options: nn.InstanceNorm2d(3, affine=True, **options),
    "Embedding": lambda **options: nn.Embedding(4, 3, **options),
    "RNN": lambda **options: nn.RNN(2, 3, **options),
    "LSTM": lambda **options: nn.LSTM(2, 3, **options),
    "GRU": lambda **options: nn.GRU(2, 3, **options),
    "RNNCell": lambda **options: nn.RNNCell(2, 3, **options),
    "LSTMCell": lambda **options: nn.LSTMCell(2, 3, **options),
    "GRUCell": lambda **options: nn.GRUCell(2, 3, **options),
    "MultiheadAttention": lambda **options: nn.MultiheadAttention(4, 2, **options),
    "TransformerEncoderLayer": lambda **options: nn.TransformerEncoderLayer(4, 2, 8, **options),
    "PReLU": lambda **options: nn.PReLU(**options),
}


def _dtypes(module):
    return {parameter.dtype for parameter in module.parameters()}


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
def test_layer_accepts_device_cpu_or_none_and_torch_dtype_none(make):
    assert _dtypes(make(device="cpu")) == {np.dtype(np.float32)}
    assert _dtypes(make(device=None, dtype=None)) == {np.dtype(np.float32)}  # torch's default dtype
    assert _dtypes(make(device="cpu:0", dtype=np.float64)) == {np.dtype(np.float64)}


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
def test_layer_rejects_a_device_other_than_the_cpu_naming_it(make):
    with pytest.raises(ValueError, match="device 'cuda' is not available"):
        make(device="cuda")


@pytest.mark.parametrize("device", ["cpu", "cpu:0", "cpu:3"])
def test_layers_tensors_and_modules_accept_the_same_cpu_names_as_torch(device):
    layer = nn.Linear(2, 2, device=device)
    assert layer.to(device) is layer
    assert Tensor([1.0]).to(device).dtype == np.float64


@pytest.mark.parametrize("device", ["cpux", "cpu:", "cpu:a", "cuda:0"])
def test_layers_and_tensors_reject_the_same_non_cpu_names(device):
    with pytest.raises(ValueError, match="device"):
        nn.Linear(2, 2, device=device)
    with pytest.raises(ValueError, match="device"):
        Tensor([1.0]).to(device)


def test_a_torch_cpu_device_object_is_accepted():
    torch = pytest.importorskip("torch")
    assert _dtypes(nn.Linear(2, 2, device=torch.device("cpu"))) == {np.dtype(np.float32)}
    with pytest.raises(ValueError, match="meta"):
        nn.Linear(2, 2, device=torch.device("meta"))


def test_module_to_takes_torch_overloads():
    model = nn.Sequential(nn.Linear(2, 2), nn.LayerNorm(2))
    assert model.to("cpu", np.float64) is model and _dtypes(model) == {np.dtype(np.float64)}
    assert model.to(device="cpu") is model and _dtypes(model) == {np.dtype(np.float64)}
    assert model.to(dtype=np.float32) is model and _dtypes(model) == {np.dtype(np.float32)}
    model.to(Tensor(np.zeros(1, np.float64)))
    assert _dtypes(model) == {np.dtype(np.float64)}
    model.to("float32", False)  # torch's positional non_blocking
    assert _dtypes(model) == {np.dtype(np.float32)}


def test_module_to_matches_torch_on_device_and_dtype_together():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(2, 2).to("cpu", torch.float64)
    ours = nn.Linear(2, 2).to("cpu", np.float64)
    assert str(theirs.weight.dtype) == "torch.float64" and ours.weight.dtype == np.float64


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m: m.to("cuda"), ValueError, "Module.to: device 'cuda' is not available"),
        (lambda m: m.to(device="cuda:0"), ValueError, "Module.to: device 'cuda:0'"),
        (lambda m: m.to(np.float32, np.float64), TypeError, "Module.to: got two dtypes"),
        (lambda m: m.to("cpu", device="cpu"), TypeError, "Module.to: got two devices"),
        (lambda m: m.to(np.int32), TypeError, "floating-point dtype"),
    ],
)
def test_module_to_rejects_bad_targets_naming_them(call, error, message):
    with pytest.raises(error, match=message):
        call(nn.Linear(2, 2))
