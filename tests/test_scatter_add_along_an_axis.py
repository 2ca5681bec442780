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


# One integer array per axis (gather, scatter_add, take_along_axis, x[rows, cols]): read and summed through the
# flat positions; the values and sums must be numpy's, and the gradients torch's.
@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8])
@pytest.mark.parametrize("seed", range(3))
def test_every_axis_by_integers_equals_numpy_indexing_and_np_add_at(dtype, seed):
    rng = np.random.default_rng(seed)
    shape = (50, 70)
    low = 0 if np.dtype(dtype).kind == "u" else -50
    rows = rng.integers(low, 50, size=(60, 1)).astype(dtype)  # broadcast against cols, repeats and negatives
    cols = rng.integers(0 if low == 0 else -70, 70, size=(1, 90)).astype(dtype)
    assert 60 * 90 >= shared_math.FLAT_INDEX_ENTRIES  # (large enough for the flat positions)
    data = rng.standard_normal(shape)
    for index in [(rows, cols), tuple(np.broadcast_arrays(rows, cols))]:  # plain, and broadcast views
        np.testing.assert_array_equal(shared_math.take_at(data, index), data[index])
        g = rng.standard_normal((60, 90)).astype(np.float32)
        np.testing.assert_array_equal(shared_math.scatter_add(g, index, shape), _add_at(g, index, shape))
    gathered = tuple(np.broadcast_arrays(np.arange(50)[:, None], rng.integers(0, 70, size=(50, 60))))
    np.testing.assert_array_equal(shared_math.take_at(data, gathered), data[gathered])
    g = rng.standard_normal((50, 60))
    np.testing.assert_array_equal(shared_math.scatter_add(g, gathered, shape), _add_at(g, gathered, shape))


def test_every_axis_by_integers_out_of_range_raises_numpy_index_error():
    many = np.zeros(shared_math.FLAT_INDEX_ENTRIES, dtype=np.int64)
    for rows in (np.array([0, 3]), np.array([-4])):
        for index in [(rows, np.array([1])), np.broadcast_arrays(np.concatenate([many, rows])[:, None], many[:4])]:
            with pytest.raises(IndexError):
                Tensor(np.zeros((3, 4)))[tuple(index)]


@pytest.mark.parametrize("scale", [1, 12])  # (12: past FLAT_INDEX_ENTRIES)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gather_and_scatter_add_values_and_gradients_match_torch(dim, dtype, scale):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(dim + 5)
    x = rng.standard_normal((6 * scale, 5 * scale)).astype(dtype)
    along = (4 * scale, 3 * scale) if dim == 0 else (5 * scale, 7 * scale)  # smaller, repeats; along dim longer
    index = rng.integers(0, x.shape[dim], size=along)
    src = rng.standard_normal(index.shape).astype(dtype)
    weights = rng.standard_normal(index.shape).astype(dtype)
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}

    ours_x = Tensor(x.copy(), requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours = ours_x.gather(dim, Tensor(index))
    theirs = theirs_x.gather(dim, torch.from_numpy(index))
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), **tolerance)
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.from_numpy(weights)).sum().backward()
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), **tolerance)

    ours_x, ours_src = Tensor(x.copy(), requires_grad=True), Tensor(src.copy(), requires_grad=True)
    theirs_x, theirs_src = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
    ours = ours_x.scatter_add(dim, Tensor(index), ours_src)
    theirs = theirs_x.scatter_add(dim, torch.from_numpy(index), theirs_src)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), **tolerance)
    out_weights = rng.standard_normal(x.shape).astype(dtype)
    (ours * Tensor(out_weights)).sum().backward()
    (theirs * torch.from_numpy(out_weights)).sum().backward()
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), **tolerance)
    np.testing.assert_allclose(ours_src.grad, theirs_src.grad.numpy(), **tolerance)


def test_two_index_arrays_with_negatives_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    rows, cols = rng.integers(-4, 4, size=(8, 1)), rng.integers(-6, 6, size=(1, 5))
    weights = rng.standard_normal((8, 5)).astype(np.float32)
    ours_x, theirs_x = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = ours_x[rows, cols], theirs_x[torch.from_numpy(rows), torch.from_numpy(cols)]
    np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy())
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.from_numpy(weights)).sum().backward()
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-5, atol=1e-6)


# One boolean mask beside slices and ints picks each position at most once: the gradient is assigned.
@pytest.mark.parametrize(
    ("shape", "index_of"),
    [
        ((6, 5), lambda m: m),  # the whole mask
        ((6, 5), lambda m: m[:, 0]),  # rows
        ((6, 5), lambda m: (slice(None), m[0])),  # columns
        ((6, 5, 3), lambda m: (m, slice(1, None))),  # a mask, then a slice
        ((6, 5, 3), lambda m: (2, m[0], slice(None, None, -1))),  # an int, a mask, a reversed slice
        ((6, 5), lambda m: (Ellipsis, m[0])),
        ((6, 5), lambda m: np.bool_(True)),  # a 0-d mask
    ],
)
def test_boolean_mask_gradient_equals_np_add_at_and_torch(shape, index_of):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(len(shape))
    mask = rng.random(shape[:2]) > 0.4
    index = index_of(mask)
    raw = index if isinstance(index, tuple) else (index,)
    x = rng.standard_normal(shape).astype(np.float32)
    weights = rng.standard_normal(x[index].shape).astype(np.float32)
    np.testing.assert_array_equal(shared_math.scatter_add(weights, index, shape), _add_at(weights, index, shape))
    ours_x = Tensor(x.copy(), requires_grad=True)
    (ours_x[index] * Tensor(weights)).sum().backward()
    theirs_x = torch.tensor(x, requires_grad=True)
    torch_index = tuple(torch.from_numpy(np.asarray(p)) if isinstance(p, np.ndarray | np.bool_) else p for p in raw)
    if any(isinstance(p, slice) and p.step is not None and p.step < 0 for p in raw):  # torch has no negative step
        expected = _add_at(weights, index, shape)
    else:
        (theirs_x[torch_index] * torch.from_numpy(weights)).sum().backward()
        expected = theirs_x.grad.numpy()
    np.testing.assert_array_equal(ours_x.grad, expected)
