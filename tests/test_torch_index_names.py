"""torch's index methods (autograd.torch_index_names): values written out by hand, gradients against central
differences (``autograd.gradcheck``, float64), errors, 0-d and empty tensors, negative dims and repeated
indices. The same methods run against torch in tests/test_torch_index_names_torch.py."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(11)
X = RNG.uniform(-1.5, 1.5, (4, 3))
S = RNG.uniform(-1.5, 1.5, (3, 3))


def idx(*values):
    return Tensor(np.array(values, dtype=np.int64))  # (an empty one too: torch refuses a float index tensor)


#: (name, shapes, call): every differentiable method, gradient-checked in all its inputs
GRADIENTS = [
    ("index_add", [(4, 3), (3, 3)], lambda x, s: x.index_add(0, idx(2, 0, 2), s, alpha=-0.5)),
    ("index_add_", [(4, 3), (4, 2)], lambda x, s: (x * 1).index_add_(-1, idx(1, 1), s)),
    ("index_copy", [(4, 3), (2, 3)], lambda x, s: x.index_copy(0, idx(3, 1), s)),
    ("index_copy_", [(4, 3), (4, 1)], lambda x, s: (x * 1).index_copy_(1, idx(2), s)),
    ("index_fill", [(4, 3), ()], lambda x, v: x.index_fill(1, idx(0, -1, 0), v)),
    ("index_fill_", [(4, 3)], lambda x: (x * 1).index_fill_(0, idx(1), 2.0)),
    ("index_put", [(4, 3), (2,)], lambda x, v: x.index_put((idx(0, 3), idx(1, -1)), v)),
    ("index_put_acc", [(4, 3), (3,)], lambda x, v: x.index_put((idx(0, 0, 2),), v, accumulate=True)),
    ("index_put_", [(4, 3), ()], lambda x, v: (x * 1).index_put_((Tensor(np.array([True, False, True, False])),), v)),
    ("scatter_", [(4, 3), (2, 3)], lambda x, s: (x * 1).scatter_(0, idx([3, 0, 1], [0, 2, 2]), s)),
    ("scatter_add_", [(4, 3), (2, 3)], lambda x, s: (x * 1).scatter_add_(0, idx([3, 0, 1], [3, 0, 2]), s)),
    ("scatter_reduce_sum", [(4, 3), (2, 3)], lambda x, s: x.scatter_reduce(0, idx([3, 0, 1], [3, 0, 2]), s, "sum")),
    ("scatter_reduce_mean", [(4, 3), (2, 3)],
     lambda x, s: x.scatter_reduce(0, idx([3, 0, 1], [3, 0, 2]), s, "mean", include_self=False)),
    ("scatter_reduce_prod", [(4, 3), (2, 3)], lambda x, s: x.scatter_reduce(0, idx([3, 0, 1], [3, 0, 2]), s, "prod")),
    ("scatter_reduce_amax", [(4, 3), (2, 3)], lambda x, s: x.scatter_reduce(0, idx([3, 0, 1], [3, 0, 2]), s, "amax")),
    ("scatter_reduce_amin", [(4, 3), (2, 3)],
     lambda x, s: x.scatter_reduce(0, idx([3, 0, 1], [3, 0, 2]), s, "amin", include_self=False)),
    ("scatter_reduce_", [(4, 3), (2, 3)], lambda x, s: (x * 1).scatter_reduce_(-2, idx([3, 0, 1], [3, 0, 2]), s, "prod")),
    ("masked_select", [(4, 3)], lambda x: x.masked_select(Tensor(np.array([True, False, True])))),
    ("masked_scatter", [(4, 3), (10,)], lambda x, s: x.masked_scatter(Tensor(np.array([[True], [False], [True], [True]])), s)),
    ("masked_scatter_", [(4, 3), (4, 3)], lambda x, s: (x * 1).masked_scatter_(Tensor(X > 0), s)),
    ("put", [(4, 3), (3,)], lambda x, s: x.put(idx(0, -1, 7), s)),
    ("put_acc", [(4, 3), (3,)], lambda x, s: x.put(idx(7, 7, 0), s, accumulate=True)),
    ("put_", [(4, 3), (2,)], lambda x, s: (x * 1).put_(idx(4, 5), s)),
    ("unfold", [(4, 3)], lambda x: x.unfold(0, 2, 1)),
    ("unfold_step", [(4, 3)], lambda x: x.unfold(-1, 2, 2)),
    ("narrow_copy", [(4, 3)], lambda x: x.narrow_copy(0, 1, 2)),
    ("sum_to_size", [(4, 3)], lambda x: x.sum_to_size(1, 3)),
    ("tensor_split", [(4, 3)], lambda x: x.tensor_split(3)[0] * 2 + x.tensor_split([1], dim=1)[1].sum()),
    ("split_with_sizes", [(4, 3)], lambda x: x.split_with_sizes([1, 3])[1] * 3),
    ("fill_diagonal_", [(4, 3)], lambda x: (x * 1).fill_diagonal_(0.25, wrap=True)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "shapes", "call"), GRADIENTS, ids=[row[0] for row in GRADIENTS])
def test_index_methods_have_the_gradients_of_central_differences(name, shapes, call):
    rng = np.random.default_rng(2)
    inputs = [Tensor(rng.uniform(-1.5, 1.5, shape), requires_grad=True) for shape in shapes]
    assert gradcheck(call, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


def test_index_add_accumulates_repeated_indices_and_index_copy_keeps_the_last():
    added = Tensor(np.zeros((3, 2))).index_add(0, idx(1, 1, 0), Tensor(np.array([[1.0, 2], [3, 4], [5, 6]])))
    np.testing.assert_array_equal(added.data, [[5, 6], [4, 6], [0, 0]])
    copied = Tensor(np.zeros((3, 2))).index_copy(0, idx(1, 1), Tensor(np.array([[1.0, 2], [3, 4]])))
    np.testing.assert_array_equal(copied.data, [[0, 0], [3, 4], [0, 0]])
    put = Tensor(np.zeros(3)).put(idx(2, 2), Tensor([1.0, 7.0]))
    np.testing.assert_array_equal(put.data, [0, 0, 7])
    s = Tensor(np.array([[1.0, 2], [3, 4]]), requires_grad=True)
    Tensor(np.zeros((3, 2))).index_copy(0, idx(1, 1), s).sum().backward()
    np.testing.assert_array_equal(s.grad, np.ones((2, 2)))  # both copies get g at their target, as torch


def test_scatter_reduce_shares_the_gradient_of_tied_extremes_and_gives_products_of_others():
    x = Tensor(np.array([3.0, 5.0]), requires_grad=True)
    s = Tensor(np.array([3.0, 1.0, 3.0, 2.0]), requires_grad=True)
    out = x.scatter_reduce(0, idx(0, 0, 0, 1), s, "amax")
    np.testing.assert_array_equal(out.data, [3, 5])
    out.sum().backward()
    np.testing.assert_allclose(x.grad, [1 / 3, 1])
    np.testing.assert_allclose(s.grad, [1 / 3, 0, 1 / 3, 0])
    x, s = Tensor(np.array([2.0, 5.0]), requires_grad=True), Tensor(np.array([0.0, 4.0, 3.0]), requires_grad=True)
    out = x.scatter_reduce(0, idx(0, 0, 1), s, "prod")
    np.testing.assert_array_equal(out.data, [0, 15])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 3])
    np.testing.assert_array_equal(s.grad, [8, 0, 5])  # the zero's gradient is the product of the others


def test_scatter_reduce_of_integers_and_infinities():
    mean = Tensor(np.arange(5)).scatter_reduce(0, idx(0, 0, 1), Tensor(np.array([3, 4, 5])), "mean")
    np.testing.assert_array_equal(mean.data, [2, 3, 2, 3, 4])  # (0 + 3 + 4) // 3, (1 + 5) // 2
    low = Tensor(np.array([1, 2])).scatter_reduce(0, idx(0), Tensor(np.array([-4])), "amin", include_self=False)
    np.testing.assert_array_equal(low.data, [-4, 2])
    x = Tensor(np.array([1.0, -np.inf]), requires_grad=True)
    out = x.scatter_reduce(0, idx(0, 1), Tensor(np.array([np.inf, 2.0])), "amax")
    np.testing.assert_array_equal(out.data, [np.inf, 2])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0])


@pytest.mark.parametrize("reduce", ["sum", "prod", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_of_booleans_stays_boolean_as_torchs(reduce, include_self):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x, src, index = rng.random((4, 5)) > 0.5, rng.random((6, 5)) > 0.5, rng.integers(0, 4, (6, 5))
    expected = torch.tensor(x).scatter_reduce(
        0, torch.tensor(index), torch.tensor(src), reduce, include_self=include_self
    )
    out = Tensor(x).scatter_reduce(0, Tensor(index), Tensor(src), reduce, include_self=include_self)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.data, expected.numpy())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: x.index_add(0, idx(4), Tensor(np.ones((1, 3)))), r"index_add: index 4 is out of bounds for dimension 0 with size 4"),
        (lambda x: x.index_copy(1, idx(-1), Tensor(np.ones((4, 1)))), r"index_copy: index -1 is out of bounds for dimension 1"),
        (lambda x: x.index_fill(0, idx(-5), 1.0), r"index_fill: index -5 is out of bounds for dimension 0 with size 4"),
        (lambda x: x.put(idx(12), Tensor([1.0])), r"put: index 12 is out of bounds"),
        (lambda x: x.scatter_reduce(0, idx([4, 0, 0]), Tensor(np.ones((1, 3))), "sum"), r"scatter_reduce: index 4 is out of bounds"),
        (lambda x: x.index_put((idx(9),), Tensor([1.0])), r"index_put: index 9 is out of bounds"),
    ],
)  # fmt: skip
def test_out_of_range_indices_name_the_op_and_the_index(call, message):
    x = Tensor(X)
    with pytest.raises(IndexError, match=message):
        call(x)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: x.index_add(0, idx(0), Tensor(np.ones((1, 3), dtype=np.float32))), TypeError,
         r"index_add: self \(float64\) and source \(float32\) must have the same dtype"),
        (lambda x: x.index_copy(0, Tensor(np.array([0.0])), Tensor(np.ones((1, 3)))), TypeError, "must be an integer"),
        (lambda x: x.index_add(0, idx(0, 1), Tensor(np.ones((1, 3)))), ValueError, r"source of shape \(1, 3\)"),
        (lambda x: x.index_fill(0, idx(0), Tensor([1.0, 2.0])), ValueError, "0-D tensor"),
        (lambda x: x.masked_select(Tensor(np.array([1, 0, 1]))), TypeError, "mask must be boolean"),
        (lambda x: x.masked_scatter(Tensor(X > -9), Tensor(np.ones(3))), ValueError, "selects 12 entries"),
        (lambda x: x.put(idx(0, 1), Tensor([1.0])), ValueError, "source has 1 elements but index has 2"),
        (lambda x: x.scatter_reduce(0, idx([0, 0, 0]), Tensor(np.ones((1, 3))), "maximum"), ValueError, "reduce must be"),
        (lambda x: x.unfold(0, 5, 1), ValueError, "maximum size for tensor at dimension 0 is 4 but size is 5"),
        (lambda x: x.unfold(0, 2, 0), ValueError, "step is 0"),
        (lambda x: x.sum_to_size(2, 3), ValueError, r"size \(2, 3\) is not expandable"),
        (lambda x: x.fill_diagonal_(1.0) if x.ndim == 1 else x.reshape(12).fill_diagonal_(1.0), ValueError, "at least 2"),
        (lambda x: x.bincount(), ValueError, "1-D integer tensor"),
        (lambda x: x.tensor_split(0), ValueError, "must be positive"),
        (lambda x: x.scatter_(0, idx([0, 0, 0]), Tensor(np.ones((1, 3))), reduce="max"), ValueError, "'add' or 'multiply'"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_naming_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call(Tensor(X))


@pytest.mark.parametrize("name", ["scatter", "scatter_add", "scatter_", "scatter_add_"])
def test_a_scatter_source_of_another_dtype_is_refused_as_torch_and_index_adds(name):
    # torch: "scatter(): Expected self.dtype to be equal to src.dtype"; the float64 source made the float32
    # tensor's scatter a float64 result (and the in-place one cast it), where index_add & co. refuse it
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        getattr(torch.zeros(3), name)(0, torch.tensor([0, 1]), torch.tensor([1.0, 2.0], dtype=torch.float64))
    x = Tensor(np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError, match=r"scatter(_add)?: self \(float32\) and source \(float64\) must have the same"):
        getattr(x, name)(0, idx(0, 1), Tensor([1.0, 2.0]))
    assert x.version == 0
    same = getattr(x, name)(0, idx(0, 1), Tensor(np.array([1.0, 2.0], dtype=np.float32)))
    assert same.dtype == np.float32 and same.tolist() == [1.0, 2.0, 0.0]
    listed = getattr(Tensor(np.zeros(3, dtype=np.float32)), name)(0, idx(0, 1), [1.0, 2.0])  # read in self's dtype
    assert listed.dtype == np.float32 and listed.tolist() == [1.0, 2.0, 0.0]


def test_in_place_index_twins_refuse_a_leaf_that_requires_grad_and_integer_float_mixes():
    weight = Tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="index_add_: .*a leaf Variable that requires grad"):
        weight.index_add_(0, idx(0), Tensor(np.ones((1, 3))))
    with pytest.raises(RuntimeError, match="masked_fill_: .*a leaf Variable"):
        weight.fill_diagonal_(0.0)
    np.testing.assert_array_equal(weight.data, X)
    counts = Tensor(np.zeros(3, dtype=np.int64))
    counts.index_add_(0, idx(1, 1), Tensor(np.array([2, 3])))
    np.testing.assert_array_equal(counts.data, [0, 5, 0])
    counts.index_fill_(0, idx(2), 2.7)  # a number is cast to the tensor's dtype, as torch
    np.testing.assert_array_equal(counts.data, [0, 5, 2])


def test_in_place_index_twins_keep_the_array_and_record_the_op():
    x = Tensor(X, requires_grad=True)
    h = x * 1
    array = h._data
    assert h.index_add_(0, idx(1), Tensor(np.ones((1, 3)))) is h and h._data is array
    h.put_(idx(0), Tensor([5.0])).scatter_(1, idx([0], [2], [1], [0]), value=-1.0)
    expected = X.copy()
    expected[1] += 1
    expected[0, 0] = 5
    expected[[0, 1, 2, 3], [0, 2, 1, 0]] = -1
    np.testing.assert_array_equal(h.data, expected)
    h.sum().backward()
    gradient = np.ones_like(X)
    gradient[[0, 1, 2, 3], [0, 2, 1, 0]] = 0
    np.testing.assert_array_equal(x.grad, gradient)


def test_0_d_and_empty_tensors():
    scalar = Tensor(np.array(2.0), requires_grad=True)
    assert scalar.index_add(0, idx(0), Tensor(np.array(3.0))).item() == 5.0
    assert scalar.index_fill(-1, idx(0), 1.5).shape == ()
    assert scalar.index_copy(0, idx(0), Tensor(np.array(7.0))).item() == 7.0
    assert scalar.unfold(0, 1, 1).shape == (1,)
    assert scalar.nonzero().shape == (1, 0)
    assert gradcheck(lambda t: t.scatter_reduce(0, idx(0), Tensor(np.array(4.0)), "prod"), [scalar])
    empty = Tensor(np.zeros((0, 3)), requires_grad=True)
    assert empty.index_add(1, idx(), Tensor(np.zeros((0, 0)))).shape == (0, 3)
    assert empty.masked_select(Tensor(np.zeros((0, 3), dtype=bool))).shape == (0,)
    assert empty.nonzero().shape == (0, 2)
    assert Tensor(np.zeros(0, dtype=np.int64)).bincount(minlength=2).tolist() == [0, 0]
    assert [piece.shape for piece in Tensor(np.zeros(2)).tensor_split(3)] == [(1,), (1,), (0,)]


def test_positions_and_counts_are_constants_written_out_by_hand():
    x = Tensor(np.array([[0.0, 2.0], [3.0, 0.0]]), requires_grad=True)
    np.testing.assert_array_equal(x.nonzero().data, [[0, 1], [1, 0]])
    rows, cols = x.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0] and not rows.requires_grad
    np.testing.assert_array_equal(x.argwhere().data, [[0, 1], [1, 0]])
    values, inverse, counts = Tensor(np.array([2, 0, 2, 1])).unique(return_inverse=True, return_counts=True)
    assert values.tolist() == [0, 1, 2] and inverse.tolist() == [2, 0, 2, 1] and counts.tolist() == [1, 1, 2]
    runs, inverse, lengths = Tensor(np.array([5, 5, 1, 5])).unique_consecutive(True, True)
    assert runs.tolist() == [5, 1, 5] and inverse.tolist() == [0, 0, 1, 2] and lengths.tolist() == [2, 1, 1]
    weighted = Tensor(np.array([0, 2, 2])).bincount(Tensor(np.array([0.5, 1.0, 2.0], dtype=np.float32)))
    assert weighted.tolist() == [0.5, 0.0, 3.0] and weighted.dtype == np.float32
    assert Tensor(np.array([0.0, 0.25, 1.0, 3.0])).histc(bins=2, min=0, max=1).tolist() == [2.0, 1.0]


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_second_derivatives_with_several_zeros_per_target_match_finite_differences(include_self):
    # torch refuses this double backward ("more than one zero scattered to the same position"); the product of the
    # factors other than the two differentiated is still the exact second derivative
    rng = np.random.default_rng(4)
    targets = rng.integers(0, 3, (7, 4))
    src = rng.uniform(-1.5, 1.5, (7, 4))
    src[0, 0] = src[3, 1] = src[4, 1] = src[5, 1] = 0.0  # three zeros meet at target (2, 1)
    base = rng.uniform(-1.5, 1.5, (5, 4))
    base[1, 2] = 0.0

    def call(x, s):
        return x.scatter_reduce(0, Tensor(targets), s, "prod", include_self=include_self) ** 2

    assert gradgradcheck(call, [base, src])


@pytest.mark.parametrize("value", [np.bool_(True), np.int32(3), np.float32(2.5), np.array([True, False])])
def test_sum_to_size_of_a_0d_or_to_its_own_shape_has_torchs_dtype(value):
    """torch sums a 0-d tensor to size () (a bool or int32 one gives int64) but returns any other tensor asked for its
    own shape as it is (a bool one stays bool)."""
    torch = pytest.importorskip("torch")
    shape = np.shape(value)
    expected = torch.tensor(value).sum_to_size(shape)
    got = Tensor(np.asarray(value)).sum_to_size(shape)
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.data, expected.numpy())
