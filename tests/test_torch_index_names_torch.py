"""torch's index methods (autograd.torch_index_names) against torch: the same calls run here and in torch,
values and gradients compared (tests/torch_oracle.py). Skipped without torch; the finite-difference checks are
in tests/test_torch_index_names.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from torch_oracle import check_like_torch, is_torch, torch

import autograd as ag
from autograd import Tensor, gradcheck
from autograd.index_errors import IndexDtypeError


def index(x, values):
    """An int64 index of the kind ``x`` is (a torch tensor for torch, a Tensor here)."""
    return torch.tensor(values) if is_torch(x) else Tensor(np.array(values))


def mask(x, values):
    return torch.tensor(values) if is_torch(x) else Tensor(np.array(values))


CASES = {
    "index_add": ([(4, 3), (3, 3)], lambda x, s: x.index_add(0, index(x, [2, 0, 2]), s, alpha=1.5)),
    "index_add_neg_dim": ([(3, 4), (3, 2)], lambda x, s: x.index_add(-1, index(x, [3, 3]), s)),
    "index_add_": ([(4, 3), (2, 3)], lambda x, s: (x * 1).index_add_(0, index(x, [1, 1]), s)),
    "index_copy": ([(4, 3), (2, 3)], lambda x, s: x.index_copy(0, index(x, [3, 0]), s)),
    "index_copy_": ([(3, 4), (3, 2)], lambda x, s: (x * 1).index_copy_(1, index(x, [2, 0]), s)),
    "index_fill": ([(3, 4)], lambda x: x.index_fill(1, index(x, [0, -1, 0]), -2.0)),
    "index_fill_tensor": ([(3, 4), ()], lambda x, v: x.index_fill(0, index(x, [2, 2]), v)),
    "index_fill_": ([(3, 4)], lambda x: (x * 1).index_fill_(0, index(x, [1]), 0.5)),
    "index_put": ([(3, 4), (2,)], lambda x, v: x.index_put((index(x, [0, 2]), index(x, [1, -1])), v)),
    "index_put_accumulate": (
        [(3, 4), (3,)],
        lambda x, v: x.index_put((index(x, [0, 0, 2]), index(x, [1, 1, 3])), v, accumulate=True),
    ),
    "index_put_rows": ([(3, 4), (4,)], lambda x, v: x.index_put((index(x, [1]),), v)),
    "index_put_mask": ([(3, 4), ()], lambda x, v: x.index_put((mask(x, [True, False, True]),), v)),
    "index_put_": ([(3, 4), (2,)], lambda x, v: (x * 1).index_put_((index(x, [0, 1]), index(x, [0, 0])), v, True)),
    "scatter_": ([(3, 4), (2, 4)], lambda x, s: (x * 1).scatter_(0, index(x, [[2, 0, 1, 2], [0, 1, 2, 0]]), s)),
    "scatter_value": ([(3, 4)], lambda x: (x * 1).scatter_(1, index(x, [[0], [3], [1]]), value=2.5)),
    "scatter_add_": ([(3, 4), (2, 4)], lambda x, s: (x * 1).scatter_add_(0, index(x, [[2, 0, 2, 2], [2, 1, 1, 2]]), s)),
    "masked_select": ([(3, 4)], lambda x: x.masked_select(mask(x, [True, False, True, True]))),
    "masked_scatter": ([(3, 4), (8,)], lambda x, s: x.masked_scatter(mask(x, [[True], [False], [True]]), s)),
    "masked_scatter_broadcast_self": (
        [(3,), (12,)],
        lambda x, s: x.masked_scatter(mask(x, [[True, False, True], [False, True, True], [True, True, False]]), s),
    ),
    "masked_scatter_broadcast_both": ([(2, 3), (20,)], lambda x, s: x.masked_scatter(mask(x, [[[True]]] * 3), s)),
    "masked_scatter_": ([(2, 3), (2, 3)], lambda x, s: (x * 1).masked_scatter_(mask(x, [False, True, True]), s)),
    "put": ([(3, 4), (3,)], lambda x, s: x.put(index(x, [0, -1, 5]), s)),
    "put_accumulate": ([(3, 4), (3,)], lambda x, s: x.put(index(x, [5, 5, 0]), s, accumulate=True)),
    "put_": ([(3, 4), (2,)], lambda x, s: (x * 1).put_(index(x, [[1, 2]]), s)),
    "unfold": ([(7, 2)], lambda x: x.unfold(0, 3, 2)),
    "unfold_overlap": ([(2, 6)], lambda x: x.unfold(-1, 4, 1)),
    "unfold_whole": ([(5,)], lambda x: x.unfold(0, 5, 3)),
    "narrow_copy": ([(4, 5)], lambda x: x.narrow_copy(1, 1, 3)),
    "sum_to_size": ([(2, 3, 4)], lambda x: x.sum_to_size(3, 1)),
    "sum_to_size_tuple": ([(2, 3, 4)], lambda x: x.sum_to_size((1, 1, 4))),
    "fill_diagonal_": ([(3, 4)], lambda x: (x * 1).fill_diagonal_(0.5)),
    "fill_diagonal_wrap": ([(7, 3)], lambda x: (x * 1).fill_diagonal_(-1.0, wrap=True)),
    "fill_diagonal_3d": ([(2, 2, 2)], lambda x: (x * 1).fill_diagonal_(4.0)),
    "index_select_0d": ([()], lambda x: x.index_select(0, index(x, [0]))),
    "index_select_0d_index_0d": ([()], lambda x: x.index_select(-1, index(x, 0))),
    "scatter_into_0d": ([(), ()], lambda x, s: x.scatter(0, index(x, 0), s)),
    "scatter_into_0d_vector_index": ([(), (1,)], lambda x, s: x.scatter(-1, index(x, [0]), s)),
    "scatter_value_into_0d": ([()], lambda x: x.scatter(0, index(x, 0), value=2.5)),
    "scatter__into_0d": ([(), ()], lambda x, s: (x * 1).scatter_(-1, index(x, 0), s)),
    "scatter_add_into_0d": ([(), ()], lambda x, s: x.scatter_add(0, index(x, 0), s)),
    "scatter_add_into_0d_twice": ([(), (2,)], lambda x, s: x.scatter_add(0, index(x, [0, 0]), s)),
    "scatter_add__into_0d": ([(), ()], lambda x, s: (x * 1).scatter_add_(-1, index(x, 0), s)),
    "scatter_reduce_amax_into_0d_twice": ([(), (2,)], lambda x, s: x.scatter_reduce(0, index(x, [0, 0]), s, "amax")),
    "scatter_reduce_prod_into_0d_twice": (
        [(), (2,)],
        lambda x, s: x.scatter_reduce(-1, index(x, [0, 0]), s, "prod", include_self=False),
    ),
    "scatter_reduce_mean_into_0d_0d_index": ([(), ()], lambda x, s: x.scatter_reduce(0, index(x, 0), s, "mean")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_index_methods_match_torch(case):
    shapes, call = CASES[case]
    check_like_torch(shapes, call)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_matches_torch_with_ties_and_zeros(reduce, include_self):
    base = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, 2.0], [4.0, 1.0, -1.0]])
    if not include_self:  # torch counts a tie with self's excluded entry when it shares the gradient; this
        base = base + 0.125  # library shares it between the entries that take part (see the module's doc)
    src = np.array([[3.0, 0.0, 3.0], [1.0, 0.0, 2.0], [3.0, 0.5, 1.0], [-1.0, 0.25, 0.75]])
    targets = [[0, 1, 0], [0, 1, 2], [0, 1, 0], [2, 1, 0]]  # the first column's 3s tie, zeros meet in column 1

    def call(x, s):
        return x.scatter_reduce(0, index(x, targets), s, reduce, include_self=include_self)

    check_like_torch(None, call, values=[base, src])


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["max", "min"])
def test_scatter_reduce_takes_max_and_min_as_torch_does_for_amax_and_amin(reduce, include_self):
    base, src = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, 2.0]]), np.array([[3.0, -4.0, 0.25], [1.5, 0.75, 2.5]])
    targets = [[0, 1, 0], [0, 0, 1]]
    for method in ("scatter_reduce", "scatter_reduce_"):
        ours = getattr(Tensor(base.copy()), method)(0, Tensor(np.array(targets)), Tensor(src), reduce)
        theirs = getattr(torch.tensor(base), method)(0, torch.tensor(targets), torch.tensor(src), reduce)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    alias = Tensor(base).scatter_reduce(0, Tensor(np.array(targets)), Tensor(src), reduce, include_self=include_self)
    theirs = torch.tensor(base).scatter_reduce(
        0, torch.tensor(targets), torch.tensor(src), reduce, include_self=include_self
    )
    np.testing.assert_array_equal(alias.data, theirs.numpy())
    # torch's backward refuses "max" ("Expected 'reduce' to be one of ..."): here it is amax's, checked numerically
    assert gradcheck(
        lambda x, s: x.scatter_reduce(0, Tensor(np.array(targets)), s, reduce, include_self=include_self),
        [Tensor(base, requires_grad=True), Tensor(src, requires_grad=True)],
    )


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_scatter_underscore_with_reduce_matches_torch():
    targets = [[0, 1, 0], [0, 1, 2]]
    values = [np.ones((3, 3)) * 2, np.arange(1.0, 7.0).reshape(2, 3)]
    check_like_torch(None, lambda x, s: (x * 1).scatter_(0, index(x, targets), s, reduce="add"), values=values,
                     forward_only=True)  # fmt: skip
    check_like_torch(None, lambda x, s: (x * 1).scatter_(0, index(x, targets), s, reduce="multiply"),
                     values=values, forward_only=True)  # fmt: skip


def test_integer_scatter_reduce_mean_rounds_down_as_torch():
    ours = Tensor(np.arange(5)).scatter_reduce(0, Tensor(np.array([0, 0, 1])), Tensor(np.array([3, 4, 5])), "mean")
    theirs = torch.arange(5).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([3, 4, 5]), "mean")
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize(
    ("data", "call"),
    [
        (np.array([[0, 1.5], [0, -2]]), lambda x: x.nonzero()),
        (np.array([[0, 1.5], [0, -2]]), lambda x: x.nonzero(as_tuple=True)),
        (np.array([[0, 1.5], [0, -2]]), lambda x: x.argwhere()),
        (np.array(3.0), lambda x: x.nonzero()),
        (np.zeros((0, 2)), lambda x: x.nonzero()),
        (np.array([3, 1, 3, 2, 1, 1]), lambda x: x.unique()),
        (np.array([3, 1, 3, 2, 1, 1]), lambda x: x.unique(return_inverse=True, return_counts=True)),
        (np.array([[1, 2], [1, 2], [0, 5]]), lambda x: x.unique(dim=0, return_inverse=True, return_counts=True)),
        (np.array([[1, 2, 1], [3, 4, 3]]), lambda x: x.unique(dim=1, return_inverse=True)),
        # each NaN is an entry of its own, as torch's (NaN != NaN), not one value as numpy 2's np.unique makes them
        (np.array([np.nan, 1.0, np.nan, 2.0, 1.0]), lambda x: x.unique(return_inverse=True, return_counts=True)),
        (np.array([[np.nan, 1.0], [np.nan, 1.0]]), lambda x: x.unique(dim=0, return_inverse=True, return_counts=True)),
        (np.array([1, 1, 2, 2, 3, 1, 1, 2]), lambda x: x.unique_consecutive(return_inverse=True, return_counts=True)),
        (np.array([[1, 1, 2], [1, 1, 3], [0, 1, 0]]), lambda x: x.unique_consecutive(dim=1, return_counts=True)),
        (np.array([[1, 1], [1, 1], [0, 1]]), lambda x: x.unique_consecutive(dim=0, return_inverse=True)),
        (np.array([1, 1, 4, 0]), lambda x: x.bincount()),
        (np.array([1, 1, 4, 0]), lambda x: x.bincount(minlength=7)),
        (np.array([1, 1, 4, 0]), lambda x: x.bincount(x.double() if is_torch(x) else x.astype(np.float64))),
        (np.array([0.1, 0.5, 0.5, 0.9, 2.0, -1.0]), lambda x: x.histc(bins=4, min=0, max=1)),
        (np.array([0.1, 0.5, 0.5, 0.9, 2.0, -1.0]), lambda x: x.histc(bins=3)),
        (np.array([2.0, 2.0]), lambda x: x.histc(bins=4)),
    ],
)
def test_positions_and_counts_match_torch(data, call):
    ours, theirs = call(Tensor(data)), call(torch.tensor(data))
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        assert mine.shape == tuple(reference.shape)
        np.testing.assert_array_equal(mine.data, reference.numpy())
        assert mine.dtype == reference.numpy().dtype


@pytest.mark.parametrize(
    ("data", "size", "fill_value"),
    [
        (np.array([[0, 3, 0], [4, 0, 5]]), 2, -1),
        (np.array([[0, 3, 0], [4, 0, 5]]), 5, 7),
        (np.array([[0, 3, 0], [4, 0, 5]]), 0, -1),
        (np.array([[0, 3, 0], [4, 0, 5]]), 3, -1),
        (np.array(3.0), 2, -1),
        (np.array(0.0), 2, -1),
        (np.array([np.nan, 0.0, -0.0, np.inf]), 4, -2),
        (np.array([True, False, True]), 1, -1),
        (np.zeros((2, 0)), 2, 9),
        (np.ones((2, 1, 2), dtype=np.float32), 6, 2**40),
    ],
)
def test_nonzero_static_pads_or_cuts_the_positions_to_size_as_torch(data, size, fill_value):
    theirs = torch.nonzero_static(torch.tensor(data), size=size, fill_value=fill_value)
    for ours in (
        ag.nonzero_static(Tensor(data), size=size, fill_value=fill_value),
        Tensor(data).nonzero_static(size=size, fill_value=fill_value),
    ):
        assert ours.shape == tuple(theirs.shape)
        assert ours.dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        assert not ours.requires_grad


def test_nonzero_static_writes_into_out_as_torch():
    data = np.array([[0, 3, 0], [4, 0, 5]])
    into = ag.empty(0, dtype=np.int64)
    assert ag.nonzero_static(Tensor(data), size=4, out=into) is into
    theirs = torch.nonzero_static(torch.tensor(data), size=4, out=torch.empty(0, dtype=torch.int64))
    np.testing.assert_array_equal(into.data, theirs.numpy())


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda lib, x: lib.nonzero_static(x, size=-1), RuntimeError),
        (lambda lib, x: lib.nonzero_static(x, size=2.0), TypeError),
        (lambda lib, x: lib.nonzero_static(x, size=2, fill_value=2.5), TypeError),
        (lambda lib, x: x.nonzero_static(2), TypeError),
        (lambda lib, x: x.nonzero_static(), TypeError),
    ],
)
def test_nonzero_static_refuses_what_torch_refuses(call, error):
    data = np.array([0, 1, 2])
    with pytest.raises(error):
        call(torch, torch.tensor(data))
    with pytest.raises(error, match="nonzero_static"):
        call(ag, Tensor(data))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int16])
@pytest.mark.parametrize("shape", [(1,), ()])
def test_take_of_an_index_tensor_that_is_not_int64_is_torchs_runtime_error(dtype, shape):
    positions = np.ones(shape, dtype=dtype)
    with pytest.raises(RuntimeError):
        torch.take(torch.tensor([1.0, 2.0, 3.0]), torch.tensor(positions))
    for call in (lambda x, i: ag.take(x, i), lambda x, i: x.take(i)):
        with pytest.raises(RuntimeError, match="take"):
            call(Tensor(np.array([1.0, 2.0, 3.0])), Tensor(positions))


def test_take_of_a_numpy_int32_index_array_stays_numpys():
    x = np.array([1.0, 2.0, 3.0])
    positions = np.array([2, 0], dtype=np.int32)
    np.testing.assert_array_equal(np.take(Tensor(x), positions).data, np.take(x, positions))
    np.testing.assert_array_equal(Tensor(x).take(positions).data, np.take(x, positions))


UINT8_MASK_WRITES = [
    ((3,), [1, 0, 1], lambda lib: lib.tensor(0.0), {}),
    ((3,), [1, 0, 1], lambda lib: lib.tensor([7.0]), {}),
    ((2, 2), [[1, 0], [0, 1]], lambda lib: lib.tensor(0.0), {}),
    ((2, 2), [1, 0], lambda lib: lib.tensor([[0.0]]), {}),
    ((2, 2), [0, 0], lambda lib: lib.tensor(3.0), {}),
]


@pytest.mark.filterwarnings("ignore:indexing with a uint8")
@pytest.mark.parametrize(("shape", "mask", "values", "options"), UINT8_MASK_WRITES)
@pytest.mark.parametrize("method", ["index_put", "index_put_"])
def test_index_put_of_one_value_at_a_uint8_mask_is_torchs_runtime_error(method, shape, mask, values, options):
    """torch writes one value at a single mask with masked_fill_, which refuses a uint8 mask."""
    with pytest.raises(RuntimeError):
        getattr(torch.ones(shape), method)((torch.tensor(mask, dtype=torch.uint8),), values(torch), **options)
    with pytest.raises(RuntimeError, match="index_put.*uint8"):
        getattr(Tensor(np.ones(shape)), method)((Tensor(np.array(mask, dtype=np.uint8)),), values(ag), **options)


@pytest.mark.filterwarnings("ignore:indexing with a uint8")
@pytest.mark.parametrize(
    ("shape", "indices", "values", "accumulate"),
    [
        ((3,), [[1, 0, 1]], [7.0, 8.0], False),
        ((3,), [[1, 0, 1]], 1.0, True),
        ((2, 2), [[1, 0], [0]], 5.0, False),
    ],
)
def test_index_put_at_a_uint8_mask_torch_takes_is_torchs(shape, indices, values, accumulate):
    def call(lib, make):
        index = tuple(make(np.array(i, dtype=np.uint8 if n == 0 else np.int64)) for n, i in enumerate(indices))
        return make(np.ones(shape)).index_put(index, make(np.array(values)), accumulate=accumulate)

    theirs = call(torch, torch.tensor)
    ours = call(ag, Tensor)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize(
    "split",
    [
        lambda x: x.tensor_split(3),
        lambda x: x.tensor_split(4, dim=1),
        lambda x: x.tensor_split([1, 4], dim=-1),
        lambda x: x.tensor_split([2, 1, 9], dim=1),
        lambda x: x.split_with_sizes([1, 4, 0], dim=1),
    ],
)
def test_splits_match_torch(split):
    check_like_torch([(3, 5)], lambda x: torch.cat(split(x), 1) if is_torch(x) else _cat(split(x)))


def _cat(pieces):
    from autograd import concatenate

    return concatenate(pieces, axis=1)


@pytest.mark.parametrize(
    ("call", "theirs_message"),
    [
        (lambda x: x.index_add(0, index(x, [3]), x[:1]), "out of bounds"),
        (lambda x: x.index_copy(0, index(x, [-1]), x[:1]), "out of bounds"),
        (lambda x: x.put(index(x, [9]), x[0, :1]), "out of range"),
        (lambda x: x.scatter_reduce(0, index(x, [[-1, 0, 0]]), x[:1], "sum"), "out of bounds"),
    ],
)
def test_out_of_range_indices_are_refused_as_torch(call, theirs_message):
    with pytest.raises((IndexError, RuntimeError), match=theirs_message):
        call(torch.zeros(3, 3))
    with pytest.raises(IndexError, match=r"index -?\d+ is out of bounds"):
        call(Tensor(np.zeros((3, 3))))


@pytest.mark.parametrize(
    ("dim", "values", "errors"),
    [
        (0, [0, 0], (RuntimeError, ValueError)),  # a 0-d tensor's index holds one entry
        (0, [], (RuntimeError, ValueError)),
        (0, [1], (IndexError,)),
        (1, [0], (IndexError, ValueError)),  # dim past the scalar's one
    ],
)
def test_index_select_of_a_0d_tensor_refuses_what_torch_refuses(dim, values, errors):
    for x in (torch.tensor(2.0), Tensor(np.array(2.0))):
        picks = torch.tensor(values, dtype=torch.int64) if is_torch(x) else Tensor(np.array(values, dtype=np.int64))
        for error in errors if not is_torch(x) else errors[:1]:
            with pytest.raises(error):
                x.index_select(dim, picks)


@pytest.mark.parametrize(("dimension", "size"), [(0, 0), (0, 1), (-1, 1), (-1, 0)])
def test_unfold_of_a_0d_tensor_gives_torchs_windows(dimension, size):
    check_like_torch([()], lambda x: x.unfold(dimension, size, 1) * 3.0)


@pytest.mark.parametrize(
    ("shape", "dimension", "size", "step", "error"),
    [
        ((), 1, 1, 1, IndexError),  # a scalar's one dimension is 0 (or -1)
        ((), -2, 1, 1, IndexError),
        ((), 0, 2, 1, RuntimeError),
        ((), 0, -1, 1, RuntimeError),
        ((4,), 0, -1, 1, RuntimeError),
        ((4,), 0, 2, 0, RuntimeError),
        ((4,), 0, 2, -1, RuntimeError),
    ],
)
def test_unfold_refuses_what_torch_refuses_with_its_error_class(shape, dimension, size, step, error):
    for x in (torch.zeros(shape, dtype=torch.float64), Tensor(np.zeros(shape))):
        with pytest.raises(error):
            x.unfold(dimension, size, step)


@pytest.mark.parametrize(("size", "step"), [(2.5, 1), (2, 1.5), (2.0, 1), (2, np.float64(1.0))])
def test_unfold_of_a_float_size_or_step_is_a_type_error_naming_it_as_torch(size, step):
    with pytest.raises(TypeError):
        torch.zeros(8).unfold(0, size, step)
    with pytest.raises(TypeError, match=r"unfold: (size|step) must be an integer"):
        Tensor(np.zeros(8)).unfold(0, size, step)


def test_a_leaf_that_requires_grad_refuses_index_twins_as_torch():
    for change in (lambda w: w.index_add_(0, index(w, [0]), w[:1].detach()), lambda w: w.fill_diagonal_(1.0)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            change(torch.ones(2, 2, requires_grad=True))
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            change(Tensor(np.ones((2, 2)), requires_grad=True))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.int32, np.int8, np.uint8, np.bool_])
def test_weighted_bincount_is_float32_for_float32_weights_and_float64_for_the_others_as_torch(dtype):
    values, weights = np.array([0, 1, 1, 3]), np.array([1, 0, 1, 1]).astype(dtype)
    ours = Tensor(values).bincount(Tensor(weights))
    theirs = torch.tensor(values).bincount(torch.tensor(weights))
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histc_bins_entries_by_torchs_linear_position_not_by_edges(dtype):
    """torch.histc puts x in bin floor((x - min) * bins / (max - min)) in the input's dtype: 0.3 and 0.7 of
    10 bins over [0, 1] land in bins 3 and 7, where np.histogram's edge comparison gives 2 and 6."""
    data = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9, 1.0, 1.5, -0.1, np.nan], dtype=dtype)
    for bins, low, high in [(10, 0, 1), (7, -0.3, 0.9), (3, 0.1, 0.7)]:
        ours = Tensor(data).histc(bins, low, high)
        theirs = torch.tensor(data).histc(bins, low, high)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        assert ours.dtype == theirs.numpy().dtype


def test_histc_range_that_is_not_finite_is_torchs_runtime_error():
    with pytest.raises(RuntimeError):
        torch.tensor([1.0, float("inf")]).histc(3)
    with pytest.raises(RuntimeError, match="histc: range"):
        Tensor(np.array([1.0, np.inf])).histc(3)


F64_MAX, F32_MAX = float(np.finfo(np.float64).max), float(np.finfo(np.float32).max)


@pytest.mark.parametrize(
    ("values", "dtype", "bins", "low", "high"),
    [
        # a range wider than the dtype's largest number: torch's outer edges are NaN, it counts nothing
        ([1e308, -1e308], np.float64, 3, 0, 0),
        ([-F64_MAX, 0.0, F64_MAX], np.float64, 3, 0, 0),
        ([1.0, 2.0], np.float64, 3, -1e308, 1e308),
        ([1e308, 0.0, -1e308], np.float64, 3, -1e308, 1e308),
        ([1.0, 2.0], np.float32, 3, -3e38, 3e38),
        ([3e38, -3e38], np.float32, 3, 0, 0),
        ([1.0, 2.0], np.float16, 2, -40000, 40000),
        # one point widened to its neighbouring numbers where 1 is below its spacing
        ([1e308, 1e308], np.float64, 3, 0, 0),
        ([1e16, 1e16], np.float64, 5, 0, 0),
        ([F64_MAX], np.float64, 4, 0, 0),
        ([-F64_MAX], np.float64, 4, 0, 0),
        ([1e30], np.float32, 5, 0, 0),
        ([F32_MAX], np.float32, 4, 0, 0),
        ([1.0], np.float32, 3, F32_MAX, F32_MAX),
        ([2048.0, 2048.0], np.float16, 4, 0, 0),
        # a range that rounds to one point in the dtype: the entries at it in the first bin
        ([1.0, 1.0, 2.0], np.float16, 3, 1.0, 1.0001),
        ([1.0, 1.0, 2.0], np.float32, 3, 1.0, 1.00000001),
        ([3e38, 1e38, -1e38], np.float32, 4, -1e38, 3e38),
    ],
)
def test_histc_at_the_ends_of_a_dtypes_range_counts_as_torch(values, dtype, bins, low, high):
    data = np.array(values, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning at these extreme but legal inputs
        ours = Tensor(data).histc(bins, low, high)
    theirs = torch.tensor(data).histc(bins, low, high)
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize(
    ("values", "dtype", "bins", "low", "high"),
    [
        ([F64_MAX / 2, -F64_MAX / 2, 0.0], np.float64, 3, 0, 0),
        ([0.0, F64_MAX, F64_MAX / 3], np.float64, 2, 0, 0),
        ([8.9e307, -8.9e307, 3e307], np.float64, 3, 0, 0),
        ([1.5e38, -1.5e38, 1e38, 0.0], np.float32, 3, 0, 0),
        ([-1e308, 0.0, 1e307, -2e307], np.float64, 5, -1e308, 1e307),
    ],
)
def test_histc_places_an_entry_whose_scaled_offset_overflows_in_its_exact_bin(values, dtype, bins, low, high):
    """(x - min) * bins overflows for these entries though max - min does not; torch converts the inf to an
    integer (undefined in C++), here each goes to floor((x - min) * bins / (max - min)), checked in exact
    rational arithmetic."""
    from fractions import Fraction

    data = np.array(values, dtype=dtype)
    first, last = (float(data.min()), float(data.max())) if low == high else (low, high)
    expected = np.zeros(bins)
    for x in data.tolist():
        exact = Fraction(x) - Fraction(first)
        expected[min(int(exact * bins / (Fraction(last) - Fraction(first))), bins - 1)] += 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = Tensor(data).histc(bins, low, high)
    np.testing.assert_array_equal(ours.data, expected)
    assert ours.dtype == dtype


@pytest.mark.parametrize(
    ("values", "dtype", "low", "high"),
    [([65504.0], np.float16, 0, 0), ([1.0], np.float32, 0, 3.4028236e38), ([1.0], np.float16, -65505, 0)],
)
def test_histc_range_the_dtype_cannot_hold_is_torchs_runtime_error(values, dtype, low, high):
    data = np.array(values, dtype=dtype)
    with pytest.raises(RuntimeError):
        torch.tensor(data).histc(4, low, high)
    with pytest.raises(RuntimeError, match="histc: m"):
        Tensor(data).histc(4, low, high)


@pytest.mark.parametrize(
    "select",
    [
        lambda x, lib: x[:, lib.tensor([2, 0, 1])],
        lambda x, lib: x[:, :, lib.tensor([4, 0])],
        lambda x, lib: x[:, lib.tensor([True, False, True, True])],
        lambda x, lib: x[:, lib.tensor([2, 0, 1]), :2],
        lambda x, lib: x.index_select(1, lib.tensor([3, 1])),
        lambda x, lib: x.roll(1, 1),
        lambda x, lib: x.topk(2, 1).values,
        lambda x, lib: x.repeat_interleave(2, dim=1),
    ],
)
def test_an_array_index_gives_a_result_that_views_as_torchs_contiguous_one(select):
    """numpy lays an array index's copy out in the input's axis order (x[:, idx] has the indexed axis outermost in
    memory), torch's is contiguous: ``x[:, idx].view(n, -1)`` (and roll, index_select, topk, repeat_interleave,
    built on it) works there, so here too; the gradient is unchanged."""
    import autograd

    x_np = np.random.default_rng(0).standard_normal((3, 4, 5))
    x_t, x = torch.tensor(x_np, requires_grad=True), Tensor(x_np, requires_grad=True)
    expected, got = select(x_t, torch).view(3, -1), select(x, autograd).view(3, -1)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    (expected * expected).sum().backward()
    (got * got).sum().backward()
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-14)


def _second_derivatives(grad, lib_tensor, call, arrays):
    """The gradient, with respect to every input and to the seed, of <u, d<w, call(inputs)>/dinputs>: the
    Hessian-vector products and the mixed second derivatives (torch's gradgradcheck, one random direction)."""
    rng = np.random.default_rng(3)
    inputs = [lib_tensor(a, requires_grad=True) for a in arrays]
    out = call(*inputs)
    seed = lib_tensor(rng.uniform(-1.0, 1.0, tuple(out.shape)), requires_grad=True)
    firsts = grad(out, inputs, seed, create_graph=True)
    projected = sum((g * lib_tensor(rng.uniform(-1.0, 1.0, tuple(g.shape)))).sum() for g in firsts)
    return [np.asarray(s.detach().numpy() if is_torch(s) else s) for s in grad(projected, [*inputs, seed])]


@pytest.mark.filterwarnings(r"ignore:index_reduce\(\) is in beta:UserWarning")
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("method", ["scatter_reduce", "index_reduce"])
def test_prod_reductions_second_derivatives_match_torch(method, include_self):
    from autograd import grad

    base = np.array([[1.5, -2.0, 0.0], [0.5, 0.75, 2.0], [-1.25, 1.0, -1.0]])
    src = np.array([[3.0, 0.0, -0.5], [1.0, 0.5, 2.0], [0.25, -0.5, 1.0], [-1.0, 0.25, 0.75]])
    targets = [[0, 1, 0], [0, 1, 2], [0, 1, 0], [2, 1, 0]]  # at most one zero per target (torch's double backward)

    def call(x, s):
        if method == "index_reduce":
            return x.index_reduce(0, index(x, [0, 2, 0, 0]), s, "prod", include_self=include_self)
        return x.scatter_reduce(0, index(x, targets), s, "prod", include_self=include_self)

    ours = _second_derivatives(grad, Tensor, call, [base, src])
    theirs = _second_derivatives(torch.autograd.grad, torch.tensor, call, [base, src])
    assert max(np.abs(reference).max() for reference in theirs[:2]) > 0.1  # second derivatives that are not 0
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12, err_msg=f"input {position}")


NARROW_INDEX_DTYPES = ["int8", "int16", "uint16", "uint32", "uint64"]
INDEXING_ENTRY_POINTS = {
    "getitem": (IndexError, lambda lib, x, i: x[i]),
    "getitem_beside_a_slice": (IndexError, lambda lib, x, i: x.reshape(1, 3)[:, i]),
    "setitem": (IndexError, lambda lib, x, i: x.__setitem__(i, 1.0)),
    "index_put": (IndexError, lambda lib, x, i: x.index_put((i,), lib.tensor(1.0, dtype=x.dtype))),
    "index_select": (RuntimeError, lambda lib, x, i: lib.index_select(x, 0, i)),
    "gather": (RuntimeError, lambda lib, x, i: lib.gather(x, 0, i)),
    "scatter": (RuntimeError, lambda lib, x, i: lib.scatter(x, 0, i, x)),
    "scatter_add": (RuntimeError, lambda lib, x, i: lib.scatter_add(x, 0, i, x)),
    "scatter_reduce": (RuntimeError, lambda lib, x, i: x.scatter_reduce(0, i, x, "sum")),
    "take": (RuntimeError, lambda lib, x, i: lib.take(x, i)),
    "take_along_dim": (RuntimeError, lambda lib, x, i: lib.take_along_dim(x, i, 0)),
    "index_add": (RuntimeError, lambda lib, x, i: x.index_add(0, i, x)),
    "index_copy": (RuntimeError, lambda lib, x, i: x.index_copy(0, i, x)),
    "put": (RuntimeError, lambda lib, x, i: x.put(i, x)),
    "embedding": (RuntimeError, lambda lib, x, i: _functional(lib).embedding(i, x.reshape(3, 1))),
    "embedding_bag": (RuntimeError, lambda lib, x, i: _functional(lib).embedding_bag(i[None], x.reshape(3, 1))),
}


def _functional(lib):
    import nn

    return torch.nn.functional if lib is torch else nn.functional


@pytest.mark.parametrize("dtype", NARROW_INDEX_DTYPES)
@pytest.mark.parametrize("entry", sorted(INDEXING_ENTRY_POINTS))
def test_index_tensors_of_narrow_integer_dtypes_are_refused_as_torch(entry, dtype):
    """torch takes int64, int32 (and uint8, bool) index tensors only: int8, int16, uint16, ... are its IndexError
    (indexing) or RuntimeError (the index functions), where numpy would read them as positions."""
    import autograd

    error, call = INDEXING_ENTRY_POINTS[entry]
    with pytest.raises(error):
        call(torch, torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2, 0, 1], dtype=getattr(torch, dtype)))
    ours = Tensor(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(error, match="must be long, int, byte or bool|must be long or int"):  # embedding: no byte
        call(autograd, ours, Tensor(np.array([2, 0, 1], dtype=dtype)))
    np.testing.assert_array_equal(ours.data, [1.0, 2.0, 3.0])  # nothing half-written


@pytest.mark.parametrize("entry", sorted(INDEXING_ENTRY_POINTS))
def test_int64_and_int32_index_tensors_still_index_as_torch(entry):
    import autograd

    _, call = INDEXING_ENTRY_POINTS[entry]
    for dtype in ("int64", "int32"):
        if entry in ("take", "take_along_dim", "index_copy", "put") and dtype == "int32":
            continue  # torch takes int64 alone there; the library also takes int32
        theirs_x, ours_x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), Tensor(np.array([1.0, 2.0, 3.0]))
        theirs = call(torch, theirs_x, torch.tensor([2, 0, 1], dtype=getattr(torch, dtype)))
        ours = call(autograd, ours_x, Tensor(np.array([2, 0, 1], dtype=dtype)))
        theirs, ours = (theirs_x, ours_x) if theirs is None else (theirs, ours)
        np.testing.assert_array_equal(ours.data, theirs.numpy(), err_msg=f"{entry} {dtype}")


POSITION_ENTRY_POINTS = ("gather", "index_add", "index_select", "put", "scatter", "scatter_add", "scatter_reduce")


@pytest.mark.parametrize("entry", POSITION_ENTRY_POINTS + ("take_along_dim",))
def test_a_uint8_index_tensor_is_no_position_to_the_index_functions_as_torch(entry):
    """uint8 is an index dtype to indexing (a mask), not to the functions that find entries by position: torch's
    RuntimeError ("Expected dtype int32/int64 for index"), where the library read the bytes as positions."""
    import autograd

    error, call = INDEXING_ENTRY_POINTS[entry]
    with pytest.raises(error):
        call(torch, torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2, 0, 1], dtype=torch.uint8))
    ours = Tensor(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(IndexDtypeError, match="int32 or int64"):
        call(autograd, ours, Tensor(np.array([2, 0, 1], dtype=np.uint8)))
    np.testing.assert_array_equal(ours.data, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("entry", ["gather", "scatter", "scatter_add", "scatter_reduce"])
def test_an_empty_uint8_index_tensor_is_taken_by_gather_and_scatter_as_torch(entry):
    import autograd

    _, call = INDEXING_ENTRY_POINTS[entry]
    empty = np.zeros(0, dtype=np.uint8)
    theirs = call(torch, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), torch.from_numpy(empty))
    ours = call(autograd, Tensor(np.array([1.0, 2.0, 3.0])), Tensor(empty))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_index_fill_refuses_a_narrow_integer_index_with_torchs_index_error(dtype):
    with pytest.raises(IndexError):
        torch.zeros(3).index_fill(0, torch.tensor([1], dtype=getattr(torch, dtype)), 1.0)
    with pytest.raises(IndexError, match="index_fill"):
        Tensor(np.zeros(3)).index_fill(0, Tensor(np.array([1], dtype=dtype)), 1.0)


def test_a_0d_narrow_integer_tensor_is_an_integer_to_getitem_as_torch():
    x = torch.tensor([1.0, 2.0, 3.0])
    assert x[torch.tensor(2, dtype=torch.int8)].item() == 3.0
    with pytest.raises(IndexError):
        x.index_put((torch.tensor(2, dtype=torch.int8),), torch.tensor(0.0))
    ours = Tensor(np.array([1.0, 2.0, 3.0]))
    assert ours[Tensor(np.int8(2))].item() == 3.0
    with pytest.raises(IndexError):
        ours.index_put((Tensor(np.int8(2)),), Tensor(0.0))


@pytest.mark.parametrize("mask", [True, False])
@pytest.mark.parametrize("source_shape", [(1,), (), (1, 2)])
def test_masked_scatter_of_a_0d_tensor_and_mask_is_torchs(mask, source_shape):
    """A 0-d self and mask: the one entry is replaced by source's first where the mask is True, as torch's (numpy has
    no nonzero of a 0-d array, which the general path takes)."""
    source = np.arange(4.0, 4.0 + np.prod(source_shape, dtype=int)).reshape(source_shape)
    ours_self, ours_source = Tensor(np.array(1.5), requires_grad=True), Tensor(source, requires_grad=True)
    out = ours_self.masked_scatter(Tensor(np.array(mask)), ours_source)
    out.backward()
    their_self = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    their_source = torch.tensor(source, requires_grad=True)
    expected = their_self.masked_scatter(torch.tensor(mask), their_source)
    expected.backward()
    assert out.shape == () and out.item() == expected.item()
    assert ours_self.grad == their_self.grad.item()
    np.testing.assert_array_equal(ours_source.grad, their_source.grad.numpy())


def test_index_select_refuses_a_floating_or_boolean_index_naming_itself():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    for index in (Tensor(np.array([0.0])), Tensor(np.array([True])), [0.5]):
        with pytest.raises(IndexDtypeError, match="index_select: expected dtype int32 or int64 for index"):
            x.index_select(0, index)


@pytest.mark.parametrize("reduce", ["amax", "amin", "prod"])
def test_scatter_reduce_of_a_nan_gives_nan_without_numpys_warning(reduce):
    x = Tensor(np.array([0.0, 2.0]))
    source = Tensor(np.array([np.nan, 1.0, 3.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.scatter_reduce(0, Tensor(np.array([0, 0, 1])), source, reduce)
    expected = torch.tensor([0.0, 2.0], dtype=torch.float64).scatter_reduce(
        0, torch.tensor([0, 0, 1]), torch.tensor([np.nan, 1.0, 3.0], dtype=torch.float64), reduce
    )
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_extremes_pass_gradients_to_infinite_entries_as_torch(reduce, include_self):
    # g reaches each entry equal to its result, an infinite one too (its slope is not lost to inf - inf)
    inf = np.inf
    # (no entry of self ties with a result it is excluded from: torch still counts it among the ties there)
    self_values = np.array([[inf, 1.0, -5.0], [2.0, -inf, 3.0]])
    src_values = np.array([[5.0, inf, -inf], [inf, 0.0, -inf]])
    where = [[1, 0, 2], [0, 2, 2]]
    grads = []
    for make in (Tensor, torch.tensor):
        x, src = make(self_values.copy(), requires_grad=True), make(src_values.copy(), requires_grad=True)
        picked = torch.tensor(where) if make is torch.tensor else Tensor(np.array(where))
        result = x.scatter_reduce(1, picked, src, reduce, include_self=include_self)
        (result * make(np.arange(6.0).reshape(2, 3))).sum().backward()
        grads.append((np.asarray(result.detach()), np.asarray(x.grad), np.asarray(src.grad)))
    for ours, theirs in zip(*grads):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_extreme_that_is_nan_gives_its_gradient_to_the_nan_entries_as_torchs_max(reduce, include_self):
    # torch's scatter_reduce divides by a count of ties that skips NaNs (0 / 0: NaN everywhere in the group); its
    # full max/min (evenly_distribute_backward) gives a NaN result's gradient to the NaN entries, shared evenly:
    # the oracle is that reduction of each group's entries
    self_values = np.array([1.0, np.nan, 4.0, 0.0])
    src_values = np.array([np.nan, 2.0, np.nan, 3.0, 7.0])
    targets = [0, 0, 0, 1, 2]
    x, src = Tensor(self_values, requires_grad=True), Tensor(src_values, requires_grad=True)
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    result = x.scatter_reduce(0, Tensor(np.array(targets)), src, reduce, include_self=include_self)
    (result * Tensor(weights)).sum().backward()
    want_x, want_src = np.where(np.isin(np.arange(4), targets), 0.0, weights), np.zeros(5)
    for position in range(4):
        members = [j for j, t in enumerate(targets) if t == position]
        if not members:
            continue
        own = torch.tensor(self_values[position : position + 1], requires_grad=True)
        theirs = torch.tensor(src_values[members], requires_grad=True)
        group = torch.cat([own, theirs]) if include_self else theirs
        extreme = group.max() if reduce == "amax" else group.min()
        assert np.array_equal(result.numpy()[position], extreme.item(), equal_nan=True)
        (extreme * weights[position]).backward()
        want_x[position] = own.grad[0].item() if include_self else 0.0
        want_src[members] = theirs.grad.numpy()
    np.testing.assert_array_equal(x.grad, want_x)
    np.testing.assert_array_equal(src.grad, want_src)


def test_index_reduce_amin_passes_the_gradient_to_a_minus_infinite_entry_as_torch():
    grads = []
    for make in (Tensor, torch.tensor):
        x = make(np.array([[-np.inf, 1.0], [2.0, 3.0]]), requires_grad=True)
        src = make(np.array([[0.0, 5.0]]), requires_grad=True)
        picked = torch.tensor([1]) if make is torch.tensor else Tensor(np.array([1]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's "index_reduce() is in beta"
            x.index_reduce(0, picked, src, "amin").sum().backward()
        grads.append((np.asarray(x.grad), np.asarray(src.grad)))
    for ours, theirs in zip(*grads):
        np.testing.assert_array_equal(ours, theirs)


HISTOGRAM_REFUSALS = {
    "no bins": lambda lib, x: lib.histogram(x, 0),
    "decreasing range": lambda lib, x: lib.histogram(x, 3, range=(2.0, 1.0)),
    "nan in the data": lambda lib, x: lib.histogram(x * lib.tensor([1.0, float("nan")]), 3),
    "infinite data": lambda lib, x: lib.histogram(x * lib.tensor([1.0, float("inf")]), 3),
    "infinite range": lambda lib, x: lib.histogram(x, 3, range=(0.0, float("inf"))),
    "weight of another shape": lambda lib, x: lib.histogram(x, 3, weight=lib.ones(3)),
}


@pytest.mark.parametrize("case", HISTOGRAM_REFUSALS)
def test_histogram_refusals_are_torchs_runtime_error_and_numpys_value_error(case):
    import autograd

    with pytest.raises(RuntimeError):
        HISTOGRAM_REFUSALS[case](torch, torch.tensor([1.0, 2.0], dtype=torch.float64))
    for error in (RuntimeError, ValueError):
        with pytest.raises(error, match="histogram"):
            HISTOGRAM_REFUSALS[case](autograd, Tensor(np.array([1.0, 2.0])))


@pytest.mark.parametrize(
    "dtype, alpha",
    [("int64", 2.5), ("int64", -2.7), ("int32", 3.9), ("uint8", -1), ("bool", 2), ("bool", 0), ("int64", True)],
)
def test_index_add_keeps_selfs_integer_or_bool_dtype_truncating_alpha_as_torch(dtype, alpha):
    import autograd

    data = np.array([[1, -2, 3], [4, 5, -6], [0, 7, 1]])
    results = []
    for lib in (torch, autograd):
        x = lib.tensor(data).to(getattr(lib, dtype)) if dtype != "bool" else lib.tensor(data) > 0
        results.append(x.index_add(0, lib.tensor([0, 0, 2]), x, alpha=alpha))
    theirs, ours = results
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("reduce", ["prod", "amax", "amin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_reduce_of_a_bool_matrix_from_its_own_slices_is_torchs(reduce, dim):
    """torch reduces a bool tensor of 2 or more dimensions (and, or, and) from self's slices; a 1-D one, a mean or a
    reduction without self is its NotImplementedError (tests/test_torch_error_classes.py)."""
    import autograd

    data = np.array([[1, 0, 3], [0, 5, 0], [0, 2, 1]]) != 0
    source = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]]) != 0
    results = []
    for lib in (torch, autograd):
        results.append(lib.tensor(data).index_reduce(dim, lib.tensor([2, 0, 2]), lib.tensor(source), reduce))
    theirs, ours = results
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(ours.data, theirs.numpy())
