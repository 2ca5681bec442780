"""Max unpooling (``F.max_unpool1d/2d``, ``nn.MaxUnpool1d/2d``): values go back to the positions max pooling took
them from, everything else is 0; the gradient is gathered back from those positions; the output size is torch's
(or ``output_size`` within one stride of it); bad indices or sizes are errors naming the op. Checked against
values written out, finite differences, and torch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.gradcheck import gradcheck

RNG = np.random.default_rng(0)


def test_values_return_to_where_max_pooling_found_them():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    pooled, indices = F.max_pool2d(x, 2, return_indices=True)
    out = F.max_unpool2d(pooled, indices, 2)
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 1::2, 1::2] = [[5.0, 7.0], [13.0, 15.0]]
    np.testing.assert_array_equal(out.data, expected)


def test_one_dimensional_unpooling_writes_along_the_line():
    out = F.max_unpool1d(np.array([[[3.0, 5.0]]]), np.array([[[1, 2]]]), 2)
    np.testing.assert_array_equal(out.data, [[[0.0, 3.0, 5.0, 0.0]]])


def test_gradient_is_gathered_from_the_written_positions():
    x = Tensor(RNG.standard_normal((2, 3, 3, 3)), requires_grad=True)
    indices = np.stack([RNG.permutation(36)[:9] for _ in range(6)]).reshape(2, 3, 3, 3)  # distinct per plane
    weights = RNG.standard_normal((2, 3, 6, 6))
    (F.max_unpool2d(x, indices, 2, output_size=(6, 6)) * weights).sum().backward()
    expected = np.take_along_axis(weights.reshape(2, 3, -1), indices.reshape(2, 3, -1), axis=2).reshape(2, 3, 3, 3)
    np.testing.assert_allclose(x.grad, expected)


def test_a_shared_index_keeps_the_last_value_and_gives_each_the_gradient_there_as_torch():
    x = Tensor(np.array([[[1.0, 2.0]]]), requires_grad=True)
    out = F.max_unpool1d(x, np.array([[[1, 1]]]), 2)
    np.testing.assert_array_equal(out.data, [[[0.0, 2.0, 0.0, 0.0]]])
    (out * np.array([[[5.0, 7.0, 11.0, 13.0]]])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[7.0, 7.0]]])


def test_gradient_matches_finite_differences_where_the_indices_are_distinct():
    x = Tensor(RNG.standard_normal((1, 2, 3, 4)), requires_grad=True)
    _, indices = F.max_pool2d(RNG.standard_normal((1, 2, 7, 9)), 2, return_indices=True)  # windows apart
    assert gradcheck(lambda t: F.max_unpool2d(t, indices, 2, output_size=(7, 9)), (x,))


@pytest.mark.parametrize(
    ("shape", "kernel", "stride", "padding", "size"),
    [((4, 4), 2, None, 0, (8, 8)), ((3, 5), 3, 2, 1, (5, 9)), ((2, 2), (2, 3), (1, 2), 0, (3, 5))],
)
def test_default_output_size_is_torchs(shape, kernel, stride, padding, size):
    out = F.max_unpool2d(np.ones((1, 1, *shape)), np.zeros((1, 1, *shape), dtype=np.int64), kernel, stride, padding)
    assert out.shape == (1, 1, *size)


def test_unbatched_input_and_full_output_size_are_accepted():
    x, indices = np.ones((2, 2, 2)), np.zeros((2, 2, 2), dtype=np.int64)
    assert F.max_unpool2d(x, indices, 2).shape == (2, 4, 4)
    assert F.max_unpool2d(x[None], indices[None], 2, output_size=(1, 2, 5, 5)).shape == (1, 2, 5, 5)


def test_modules_keep_their_geometry_as_tuples_and_unpool():
    unpool = nn.MaxUnpool2d(2)
    assert (unpool.kernel_size, unpool.stride, unpool.padding) == ((2, 2), (2, 2), (0, 0))
    assert repr(unpool) == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(nn.MaxUnpool1d(3, 2, 1)) == "MaxUnpool1d(kernel_size=(3,), stride=(2,), padding=(1,))"
    pool = nn.MaxPool2d(2, return_indices=True)
    x = RNG.standard_normal((1, 1, 4, 4))
    pooled, indices = pool(x)
    restored = unpool(pooled, indices)
    kept = restored.data != 0
    np.testing.assert_array_equal(restored.data[kept], x[kept])
    assert kept.sum() == 4
    assert nn.MaxUnpool1d(2)(np.ones((1, 1, 3)), np.zeros((1, 1, 3), dtype=np.int64), output_size=(7,)).shape == (
        1,
        1,
        7,
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.full((1, 1, 2, 2), 16), 2),
            ValueError,
            "invalid max index 16",
        ),
        (
            lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.full((1, 1, 2, 2), -1), 2),
            ValueError,
            "invalid max index -1",
        ),
        (
            lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2)), 2),
            TypeError,
            "indices must be integers",
        ),
        (lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 1), int), 2), ValueError, "input's shape"),
        (
            lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2), int), 2, output_size=(6, 6)),
            ValueError,
            "size 0 must be between 2 and 6",
        ),
        (lambda: F.max_unpool2d(np.ones((2, 2)), np.zeros((2, 2), int), 2), ValueError, "max_unpool2d: expected"),
        (lambda: nn.MaxUnpool2d(0), ValueError, "MaxUnpool2d"),
    ],
)
def test_bad_indices_and_sizes_are_errors_naming_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "shape", "output_size"),
    [(2, None, 0, (2, 3, 6, 6), None), (3, 2, 1, (1, 2, 7, 5), (7, 5)), ((2, 3), (2, 1), (1, 1), (1, 1, 5, 6), (5, 6))],
)
def test_pooling_then_unpooling_matches_torch(kernel, stride, padding, shape, output_size):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal(shape)
    pooled, indices = torch.nn.functional.max_pool2d(torch.from_numpy(x), kernel, stride, padding, return_indices=True)
    pooled = pooled.detach().numpy()
    ours = Tensor(pooled, requires_grad=True)
    out = F.max_unpool2d(ours, indices.numpy(), kernel, stride, padding, output_size)
    theirs = torch.from_numpy(pooled).requires_grad_()
    expected = torch.nn.functional.max_unpool2d(theirs, indices, kernel, stride, padding, output_size)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    upstream = RNG.standard_normal(out.shape)
    (out * upstream).sum().backward()
    (expected * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize(
    ("unpool", "shape", "expected"),
    [
        (F.max_unpool1d, (0, 3, 2), (0, 3, 4)),
        (F.max_unpool2d, (0, 3, 2, 3), (0, 3, 4, 6)),
        (F.max_unpool3d, (0, 3, 1, 2, 3), (0, 3, 2, 4, 6)),
    ],
)
def test_an_empty_batch_unpools_to_an_empty_batch_as_torch(unpool, shape, expected):
    # (torch's max_unpool gives (0, C, *plane) too; the flattening to (N, C, -1) could not infer -1 from 0 entries)
    x = Tensor(np.zeros(shape), requires_grad=True)
    out = unpool(x, np.zeros(shape, dtype=np.int64), 2)
    assert out.shape == expected
    out.sum().backward()
    assert x.grad.shape == shape
