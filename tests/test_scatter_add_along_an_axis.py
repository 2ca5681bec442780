"""shared_math.scatter_add along one axis (the gradient of x[idx], x[:, idx], x[..., idx]: reflect padding,
row gathers, embeddings) equals np.add.at's sums, repeats and negative positions included."""

import numpy as np
import pytest

from autograd import Tensor, shared_math


def _add_at(g, index, shape):
    result = np.zeros(shape, dtype=g.dtype)
    np.add.at(result, index, g)
    return result


@pytest.mark.parametrize(
    ("shape", "index_of"),
    [
        ((7, 3), lambda p: p),
        ((7, 3), lambda p: (p,)),
        ((4, 7, 2), lambda p: (slice(None), p)),
        ((4, 2, 7), lambda p: (Ellipsis, p)),
        ((4, 7, 2), lambda p: (Ellipsis, p, slice(None))),
        ((4, 7, 2), lambda p: (slice(None), p, Ellipsis)),
    ],
)
@pytest.mark.parametrize("seed", range(4))
def test_sums_equal_np_add_at_with_repeats_and_negative_positions(shape, index_of, seed):
    rng = np.random.default_rng(seed)
    positions = rng.integers(-7, 7, size=rng.integers(0, 12))
    index = index_of(positions)
    g = rng.standard_normal(np.zeros(shape)[index].shape)
    ours = shared_math.scatter_add(g, index, shape)
    np.testing.assert_allclose(ours, _add_at(g, index, shape), rtol=1e-14, atol=1e-15)


def test_positions_without_repeats_and_out_of_range_ones():
    g = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(
        shared_math.scatter_add(g, (slice(None), np.array([2, 0, 1])), (2, 3)), g[:, [1, 2, 0]]
    )
    with pytest.raises(IndexError):
        shared_math.scatter_add(g, (slice(None), np.array([0, 1, 3])), (2, 3))


def test_reflect_padding_and_row_gather_gradients_are_the_sums_of_their_reads():
    import nn.functional as F

    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 6)), requires_grad=True)
    upstream = np.random.default_rng(1).standard_normal((2, 3, 9, 10))
    (F.pad(x, (2, 2, 2, 2), mode="reflect") * upstream).sum().backward()
    rows = np.array([2, 1, 0, 1, 2, 3, 4, 3, 2])  # reflect's source rows of 5 padded by 2
    columns = np.array([2, 1, 0, 1, 2, 3, 4, 5, 4, 3])
    expected = _add_at(
        _add_at(upstream, (Ellipsis, columns), (2, 3, 9, 6)), (slice(None), slice(None), rows), (2, 3, 5, 6)
    )
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("dtype", "positions", "rows"),
    [(np.uint8, [5, 5, 7], 300), (np.int8, [-1, 3, -1], 200), (np.int16, [3, 32767, -39999 + 32767], 40000)],
)
def test_narrow_integer_indices_into_a_longer_axis_give_their_gradient(dtype, positions, rows):
    weights = Tensor(np.ones((rows, 2)), requires_grad=True)
    index = np.array(positions, dtype=dtype)
    weights[index].sum().backward()
    np.testing.assert_array_equal(weights.grad, _add_at(np.ones((len(positions), 2)), index.astype(np.intp), (rows, 2)))
