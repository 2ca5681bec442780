"""Integer and boolean Tensors given to the normalisations: torch has no integer kernel for layer, group, RMS, batch
or instance norm and raises its NotImplementedError ("... not implemented for 'Long'"), with or without affine
parameters; the library raises it too (a :class:`~autograd.DtypeKernelError`, also the TypeError it raised where it
refused them). local_response_norm, which torch computes for integers, still does."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

#: (functional name, positional arguments after the input, keyword arguments), on a (2, 3, 4) input
FUNCTIONS = [
    ("layer_norm", ((4,),), {}),
    ("group_norm", (1,), {}),
    ("rms_norm", ((4,),), {}),
    ("batch_norm", (None, None), {"training": True}),
    ("instance_norm", (), {}),
]

#: (layer, positional arguments, keyword arguments), on a (2, 3, 4) input
LAYERS = [
    ("LayerNorm", (4,), {}),
    ("LayerNorm", (4,), {"elementwise_affine": False}),
    ("GroupNorm", (1, 3), {}),
    ("GroupNorm", (1, 3), {"affine": False}),
    ("RMSNorm", (4,), {}),
    ("RMSNorm", (4,), {"elementwise_affine": False}),
    ("BatchNorm1d", (3,), {}),
    ("BatchNorm1d", (3,), {"affine": False, "track_running_stats": False}),
    ("InstanceNorm1d", (3,), {}),
    ("InstanceNorm1d", (3,), {"affine": True}),
]

DTYPES = [(np.int64, torch.int64), (np.int32, torch.int32), (np.bool_, torch.bool)]


def _outcome(call):
    try:
        call()
    except NotImplementedError:
        return "NotImplementedError"
    except RuntimeError:
        return "RuntimeError"
    return "ok"


@pytest.mark.parametrize(("numpy_dtype", "torch_dtype"), DTYPES)
@pytest.mark.parametrize(("name", "args", "kwargs"), FUNCTIONS)
def test_normalisation_functions_refuse_integer_tensors_as_torch(name, args, kwargs, numpy_dtype, torch_dtype):
    x = np.arange(24).reshape(2, 3, 4) % 2
    theirs = _outcome(lambda: getattr(torch.nn.functional, name)(torch.tensor(x, dtype=torch_dtype), *args, **kwargs))
    ours = _outcome(lambda: getattr(nn.functional, name)(Tensor(x.astype(numpy_dtype)), *args, **kwargs))
    assert theirs == "NotImplementedError"
    assert ours == theirs
    with pytest.raises(TypeError, match=name):  # the library's class for a dtype, as before
        getattr(nn.functional, name)(Tensor(x.astype(numpy_dtype)), *args, **kwargs)


@pytest.mark.parametrize(("name", "args", "kwargs"), LAYERS)
def test_normalisation_layers_refuse_integer_tensors_as_torch(name, args, kwargs):
    x = np.arange(24).reshape(2, 3, 4)
    theirs = _outcome(lambda: getattr(torch.nn, name)(*args, **kwargs)(torch.tensor(x)))
    ours = _outcome(lambda: getattr(nn, name)(*args, **kwargs)(Tensor(x)))
    assert ours == theirs


def test_local_response_norm_still_computes_integer_tensors_as_torch():
    x = np.arange(24).reshape(2, 3, 4)
    got = nn.functional.local_response_norm(Tensor(x), 2)
    expected = torch.nn.functional.local_response_norm(torch.tensor(x), 2)
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-6)


def test_array_likes_of_integers_are_still_read_as_numbers():
    x = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_allclose(
        nn.functional.layer_norm(x, (4,)).data,
        torch.nn.functional.layer_norm(torch.tensor(x, dtype=torch.float64), (4,)).numpy(),
        rtol=1e-6,
    )
