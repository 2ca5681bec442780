"""nn.Parameter(tensor) and the embedding layers built around a given table share the tensor's memory, as torch's
(an array is copied, as every Tensor(array)): a change through either is seen through the other."""

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")


def _write_through(lib, tensor, parameter):
    with lib.no_grad():
        tensor[0, 0] = 7.0
        parameter[1, 1] = -3.0
    return float(parameter[0, 0].item()), float(tensor[1, 1].item())


def test_a_parameter_of_a_tensor_shares_its_memory_as_torchs():
    ours_t, theirs_t = autograd.zeros(2, 3), torch.zeros(2, 3)
    ours_p, theirs_p = nn.Parameter(ours_t), torch.nn.Parameter(theirs_t)
    assert _write_through(autograd, ours_t, ours_p) == _write_through(torch, theirs_t, theirs_p) == (7.0, -3.0)
    assert ours_p.requires_grad and not ours_t.requires_grad
    assert ours_t.version == ours_p.version > 0  # one version counter, as torch's


def test_a_parameter_of_an_array_or_of_another_dtype_is_a_copy():
    array = np.zeros((2, 3))
    parameter = nn.Parameter(array)
    with autograd.no_grad():
        parameter[0, 0] = 1.0
    assert array[0, 0] == 0.0
    tensor = autograd.zeros(2, 3)
    cast = nn.Parameter(tensor, dtype=np.float32)
    with autograd.no_grad():
        cast[0, 0] = 1.0
    assert cast.dtype == np.float32 and tensor[0, 0].item() == 0.0


@pytest.mark.parametrize("layer", ["Embedding", "EmbeddingBag"])
def test_from_pretrained_and_a_given_weight_share_the_tables_memory_as_torchs(layer):
    for build in (
        lambda lib, table: getattr(lib.nn if lib is torch else nn, layer).from_pretrained(table),
        lambda lib, table: getattr(lib.nn if lib is torch else nn, layer)(3, 2, _weight=table),
    ):
        ours_t, theirs_t = autograd.zeros(3, 2), torch.zeros(3, 2)
        ours, theirs = build(autograd, ours_t), build(torch, theirs_t)
        assert _write_through(autograd, ours_t, ours.weight) == _write_through(torch, theirs_t, theirs.weight)
