"""nn.utils.rnn against torch.nn.utils.rnn where the probe found differences: pad_sequence's padding_value that
the sequences' dtype cannot hold."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("dtype", "padding_value"),
    [(np.float16, 1e6), (np.float32, 1e300), (np.int64, float("nan")), (np.int8, 300), (np.int64, float("inf"))],
    ids=["float16-1e6", "float32-1e300", "int64-nan", "int8-300", "int64-inf"],
)
def test_pad_sequence_refuses_a_padding_value_the_dtype_cannot_hold_as_torch(dtype, padding_value):
    sequences = [np.arange(3, dtype=dtype), np.arange(1, dtype=dtype)]
    with pytest.raises(RuntimeError, match="cannot be converted to type"):
        torch.nn.utils.rnn.pad_sequence([torch.from_numpy(s) for s in sequences], padding_value=padding_value)
    with pytest.raises(RuntimeError, match="cannot be converted to the input's dtype"):
        nn.utils.rnn.pad_sequence([Tensor(s) for s in sequences], padding_value=padding_value)


@pytest.mark.parametrize(
    ("dtype", "padding_value"),
    [(np.float16, float("inf")), (np.float32, float("nan")), (np.int64, 2.7), (np.int8, -128), (np.bool_, 1)],
)
def test_pad_sequence_pads_with_the_values_the_dtype_holds_as_torch(dtype, padding_value):
    sequences = [np.arange(3).astype(dtype), np.arange(1).astype(dtype)]
    theirs = torch.nn.utils.rnn.pad_sequence([torch.from_numpy(s) for s in sequences], True, padding_value)
    ours = nn.utils.rnn.pad_sequence([Tensor(s) for s in sequences], True, padding_value)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(np.asarray(ours), theirs.numpy())
