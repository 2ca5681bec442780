"""autograd.frombuffer (torch.frombuffer) against torch: shared memory, count and offset, dtypes, requires_grad,
and torch's ValueErrors; a read-only buffer gives a tensor that refuses writes (torch warns and writes)."""

from __future__ import annotations

import array
import warnings

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "options",
    [{}, {"count": 2}, {"offset": 4}, {"count": 1, "offset": 8}],
    ids=["all", "count", "offset", "count and offset"],
)
@pytest.mark.parametrize("dtype", ["int32", "float32", "uint8", "int16"])
def test_frombuffer_reads_what_torch_reads(options, dtype):
    data = bytes(range(1, 17))
    ours = autograd.frombuffer(bytearray(data), dtype=getattr(autograd, dtype), **options)
    theirs = torch.frombuffer(bytearray(data), dtype=getattr(torch, dtype), **options)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_frombuffer_shares_memory_both_ways_and_can_require_grad():
    buffer = array.array("d", [1.0, 2.0, 3.0])
    t = autograd.frombuffer(buffer, dtype=autograd.float64, requires_grad=True)
    assert t.requires_grad
    buffer[1] = 20.0
    assert t[1].item() == 20.0
    with autograd.no_grad():
        t[2] = 30.0
    assert buffer[2] == 30.0


def test_frombuffer_of_read_only_bytes_refuses_writes():
    t = autograd.frombuffer(b"\x01\x00\x00\x00", dtype=autograd.int32)
    assert t.tolist() == [1]
    with pytest.raises(autograd.ReadOnlyError):
        t[0] = 3


@pytest.mark.parametrize(
    "buffer, options, message",
    [
        (bytearray(6), {}, "multiple of the element size"),
        (bytearray(8), {"offset": 8}, "offset"),
        (bytearray(8), {"count": 3}, "need more than"),
        (bytearray(0), {}, "must not be 0"),
        ([1, 2], {}, "buffer protocol"),
    ],
)
def test_frombuffer_refuses_what_torch_refuses(buffer, options, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError):
            torch.frombuffer(buffer, dtype=torch.int32, **options)
    with pytest.raises(ValueError, match=message):
        autograd.frombuffer(buffer, dtype=autograd.int32, **options)
