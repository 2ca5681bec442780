"""A port of PyTorch's ``test/nn/test_embedding.py`` (``TestEmbeddingNN`` and ``TestEmbeddingNNDeviceType``, CPU,
real dtypes) beside torch: ``nn.Embedding`` / ``F.embedding`` and ``nn.EmbeddingBag`` / ``F.embedding_bag``.

Each case runs torch and this library on the same tables and indices and compares the outputs, the gradients of
the weight (and of ``per_sample_weights``), the table after ``max_norm`` renormalises it in place, and which
calls raise.

Left out: sparse gradients (``sparse=True`` is accepted, the gradient stays dense), CUDA / half / bfloat16 and the
large-tensor and forward-AD cases, and the ``_embedding_bag`` internals (``offset2bag``, ``bag_size``).
Differences not asserted: torch's CPU ``embedding_bag`` divides a row's gradient under ``scale_grad_by_freq`` by
the count of another row when counts differ (pytorch/pytorch#190063, fixed upstream after 2.13), so that case is
checked against the counts computed here; the offsets torch does not check (decreasing ones) are refused here; a
(B, 0) input gives B zero bags here where torch fails ("step must be nonzero"); ``per_sample_weights`` of another
float dtype than the weight promotes as numpy does where torch refuses; the offsets errors torch raises as
RuntimeErrors are ValueErrors here (``ArgumentRangeError``).
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

TABLE = np.array([[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32, np.float64])
def test_a_frozen_pretrained_embedding_takes_a_table_of_any_real_dtype_as_torch(dtype):
    ours = nn.Embedding.from_pretrained(Tensor(TABLE.astype(dtype)))
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(TABLE.astype(dtype)))
    got, want = ours(Tensor(np.array([[0, 1]]))), theirs(torch.tensor([[0, 1]]))
    assert got.dtype == np.dtype(dtype) and str(want.dtype) == f"torch.{np.dtype(dtype).name}"
    np.testing.assert_array_equal(got.data, want.numpy())
    assert ours.weight.requires_grad is theirs.weight.requires_grad is False


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_an_integer_table_that_would_need_a_gradient_is_refused_as_torch(dtype):
    table = TABLE.astype(dtype)
    assert raised_type(lambda: nn.Embedding.from_pretrained(Tensor(table), freeze=False)) is not None
    assert raised_type(lambda: torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False)) is RuntimeError
    for make, tensor in ((nn.EmbeddingBag, Tensor), (torch.nn.EmbeddingBag, torch.tensor)):
        with pytest.raises(RuntimeError):  # torch's EmbeddingBag wraps its table in a Parameter needing a gradient
            make.from_pretrained(tensor(table))


def test_max_norm_refuses_an_integer_table_rather_than_zeroing_its_rows_as_torch():
    ours = nn.Embedding.from_pretrained(Tensor(TABLE), max_norm=3.0)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(TABLE), max_norm=3.0)
    assert raised_type(lambda: theirs(torch.tensor([0, 1]))) is RuntimeError
    with pytest.raises(RuntimeError):
        ours(Tensor(np.array([0, 1])))
    np.testing.assert_array_equal(ours.weight.data, TABLE)
