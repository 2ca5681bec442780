"""Tests for Tensor construction, dtypes, properties, repr, factories and conversions
(item/numpy/detach/T), and the rule that integer tensors cannot ask for a gradient."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor


# -- construction and dtypes ----------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        (3.5, np.float64, ()),
        (3, np.int64, ()),
        (True, np.bool_, ()),
        ([1.0, 2.0], np.float64, (2,)),
        ([[1, 2, 3], [4, 5, 6]], np.int64, (2, 3)),
        (np.zeros((2, 1, 3), dtype=np.float32), np.float32, (2, 1, 3)),
        (np.zeros(4, dtype=np.float64), np.float64, (4,)),
    ],
)
def test_tensor_accepts_numbers_lists_and_arrays_keeping_their_dtype(data, dtype, shape):
    t = Tensor(data)
    assert isinstance(t.data, np.ndarray)
    assert t.dtype == dtype
    assert t.shape == shape
    assert t.ndim == len(shape)
    assert t.size == int(np.prod(shape))


def test_float32_tensor_stays_float32_through_ops_with_python_scalars_and_backward():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = ((x * 2.5 + 1) ** 2 / 3.0 - 0.5).exp().sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == (2,)


def test_dtype_argument_converts_the_data():
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(np.arange(3), dtype="float64").dtype == np.float64


def test_tensor_copies_its_ndarray_like_np_array_and_torch_tensor():
    array = np.arange(3.0)
    assert not np.shares_memory(Tensor(array).data, array)
    assert not np.shares_memory(Tensor(array, dtype=np.float32).data, array)


def test_tensor_from_tensor_takes_its_data_without_its_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    copy = Tensor(x * 2)
    assert copy.is_leaf and not copy.requires_grad
    np.testing.assert_array_equal(copy.data, [2.0, 4.0])


@pytest.mark.parametrize("data", [["a", "b"], np.array([1 + 2j]), [None]])
def test_tensor_rejects_non_numeric_data_naming_the_dtype(data):
    with pytest.raises(TypeError, match="unsupported dtype"):
        Tensor(data)


def test_integer_tensor_may_hold_data_but_cannot_require_grad():
    t = Tensor([1, 2, 3])
    assert t.dtype == np.int64 and not t.requires_grad
    with pytest.raises(TypeError, match=r"only Tensors of floating point dtype can require gradients, got dtype int64"):
        Tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(TypeError, match=r"requires_grad_: only Tensors of floating point dtype.*int64"):
        t.requires_grad_()
    with pytest.raises(TypeError, match="bool"):
        Tensor([True, False], requires_grad=True)


def test_integer_requires_grad_error_is_also_torchs_runtime_error():
    torch = pytest.importorskip("torch")
    torch_words = "only Tensors of floating point dtype can require gradients"
    with pytest.raises(RuntimeError, match=torch_words):
        torch.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match=torch_words):
        Tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match=torch_words):
        Tensor([True], requires_grad=True)


def test_backward_through_integer_constants_is_a_clear_error():
    t = Tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (t * 2).sum().backward()


def test_integer_constant_in_float_expression_gets_no_gradient_and_float_leaf_does():
    x = Tensor([1.0, 2.0], requires_grad=True)
    counts = Tensor([3, 4])
    (x * counts).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    assert counts.grad is None


# -- properties and conversions -------------------------------------------------------
def test_grad_is_none_until_backward_then_matches_shape_and_dtype():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    assert x.grad is None
    (x * x).sum().backward()
    assert x.grad.shape == (2, 3) and x.grad.dtype == np.float64


def test_item_returns_python_number_and_rejects_many_elements():
    assert Tensor([[2.5]]).item() == 2.5 and isinstance(Tensor([[2.5]]).item(), float)
    assert isinstance(Tensor(4).item(), int)
    with pytest.raises(ValueError, match=r"only one-element tensors.*\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_numpy_returns_the_underlying_array():
    t = Tensor(np.arange(4.0))
    assert t.numpy() is t._data


def test_detach_shares_data_but_leaves_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.data, y.data)
    z = (d * x).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
def test_T_reverses_all_axes_like_numpy_and_routes_gradient_back(shape):
    data = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    x = Tensor(data, requires_grad=True)
    y = x.T
    np.testing.assert_array_equal(y.data, data.T)
    seed = np.arange(y.size, dtype=np.float64).reshape(y.shape)
    y.backward(seed)
    np.testing.assert_array_equal(x.grad, seed.T)


def test_len_float_int_bool_conversions():
    assert len(Tensor(np.zeros((4, 2)))) == 4
    assert float(Tensor([1.5])) == 1.5 and int(Tensor(7)) == 7 and bool(Tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_comparisons_give_plain_boolean_arrays():
    t = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(t > 1.5, [False, True, True])
    np.testing.assert_array_equal(t == Tensor([1.0, 0.0, 3.0]), [True, False, True])


def test_np_asarray_of_tensor_gives_its_data():
    np.testing.assert_array_equal(np.asarray(Tensor([1.0, 2.0])), [1.0, 2.0])


@pytest.mark.parametrize("requires_grad", [False, True])
def test_np_asarray_with_copy_false_refuses_a_dtype_change_as_numpy_2_does(requires_grad):
    x = Tensor([1.0, 2.0], requires_grad=requires_grad)
    with pytest.raises(ValueError):  # numpy's own: np.asarray(x.data, dtype=np.float32, copy=False)
        np.asarray(x.data, dtype=np.float32, copy=False)
    with pytest.raises(ValueError, match="copy=False"):
        np.asarray(x, dtype=np.float32, copy=False)
    with pytest.raises(ValueError, match="copy=False"):
        np.array(x, dtype=np.int64, copy=False)
    assert np.shares_memory(np.asarray(x, dtype=np.float64, copy=False), x.data)  # no copy needed: none made
    assert np.asarray(x, dtype=np.float32).dtype == np.float32  # copy=None: the copy is allowed


# -- repr ------------------------------------------------------------------------------
def test_repr_shows_data_and_only_non_default_facts():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor([1, 2])) == "Tensor([1, 2], dtype=int64)"
    assert repr(Tensor(np.float32([0.5]))) == "Tensor([0.5], dtype=float32)"
    x = Tensor([1.0], requires_grad=True)
    assert repr(x) == "Tensor([1.], requires_grad=True)"
    assert repr(x * 2) == "Tensor([2.], requires_grad=True, op=mul)"


def test_repr_of_large_tensor_is_summarised():
    text = repr(Tensor(np.zeros((100, 100))))
    assert "..." in text and len(text) < 1000


# -- factories ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("factory", "reference"),
    [
        (lambda: ag.zeros(2, 3), np.zeros((2, 3))),
        (lambda: ag.zeros((2, 3)), np.zeros((2, 3))),
        (lambda: ag.ones(4), np.ones(4)),
        (lambda: ag.full((2, 2), 7.0), np.full((2, 2), 7.0)),
        (lambda: ag.arange(5), np.arange(5)),
        (lambda: ag.arange(1.0, 2.0, 0.25), np.arange(1.0, 2.0, 0.25)),
        (lambda: ag.linspace(0, 1, 5), np.linspace(0, 1, 5)),
        (lambda: ag.eye(3), np.eye(3)),
        (lambda: ag.eye(2, 4), np.eye(2, 4)),
        (lambda: ag.zeros_like(np.ones((2, 5), dtype=np.float32)), np.zeros((2, 5), dtype=np.float32)),
        (lambda: ag.ones_like(Tensor([[1.0, 2.0]])), np.ones((1, 2))),
        (lambda: ag.full_like(Tensor([1.0, 2.0]), 3.0), np.full(2, 3.0)),
    ],
)
def test_factories_match_numpy_values_shape_and_dtype(factory, reference):
    t = factory()
    assert isinstance(t, Tensor)
    assert t.dtype == reference.dtype and t.shape == reference.shape
    np.testing.assert_array_equal(t.data, reference)


def test_factories_accept_dtype_and_requires_grad():
    t = ag.zeros(3, dtype=np.float32, requires_grad=True)
    assert t.dtype == np.float32 and t.requires_grad and t.is_leaf


@pytest.mark.parametrize("factory", [ag.randn, ag.rand])
def test_random_factories_are_reproducible_with_seed_or_generator(factory):
    a = factory(3, 4, rng=42)
    b = factory((3, 4), rng=np.random.default_rng(42))
    assert a.shape == (3, 4)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(factory(3, 4, rng=43).data, a.data)


def test_random_factories_follow_their_distribution():
    normal = ag.randn(20000, rng=0).data
    uniform = ag.rand(20000, rng=0).data
    assert abs(normal.mean()) < 0.05 and abs(normal.std() - 1) < 0.05
    assert uniform.min() >= 0 and uniform.max() < 1 and abs(uniform.mean() - 0.5) < 0.02


def test_random_like_factories_copy_shape_and_dtype():
    like = np.zeros((2, 3), dtype=np.float32)
    for t in (ag.randn_like(like, rng=0), ag.rand_like(Tensor(like), rng=0)):
        assert t.shape == (2, 3) and t.dtype == np.float32


def test_random_factory_dtype_float32():
    assert ag.randn(5, rng=0, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32])
def test_integer_tensors_keep_their_dtype_with_python_ints_and_wrap_as_numpy_and_torch(dtype):
    limits = np.iinfo(dtype)
    x = Tensor(np.array([limits.max, 0, 3], dtype=dtype))
    for result, expected in [
        (x + 1, np.array([limits.max, 0, 3], dtype=dtype) + dtype(1)),  # wraps around at the top
        (x - 1, np.array([limits.max, 0, 3], dtype=dtype) - dtype(1)),  # 0 - 1 wraps for uint8
        (2 * x, dtype(2) * np.array([limits.max, 0, 3], dtype=dtype)),
        (x // 2, np.array([limits.max, 0, 3], dtype=dtype) // dtype(2)),
    ]:
        assert result.dtype == dtype
        np.testing.assert_array_equal(result.data, expected)
    beyond = x + (int(limits.max) + 1)  # a Python int outside the dtype's range wraps into it, as torch's
    assert beyond.dtype == dtype
    np.testing.assert_array_equal(beyond.data, np.array([limits.max, 0, 3], dtype=dtype) + dtype(limits.min))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Tensor([[1, 2], [3]]), r"Tensor: the nested lists have rows of different lengths \(a ragged array\)"),
        (lambda: Tensor(np.ones(3)).uniform_(1, 0), r"uniform_: expects a range \[a, b\) with a <= b, got a=1, b=0"),
        (lambda: Tensor(np.ones(3)).normal_(0, -1), r"normal_: expects std >= 0, got std=-1"),
    ],
)
def test_bad_construction_and_fill_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_arrays_in_the_other_byte_order_are_copied_into_the_native_one_or_refused_where_memory_is_shared():
    swapped = np.arange(6, dtype=np.float32).reshape(2, 3).astype(">f4" if np.little_endian else "<f4")
    for made in (Tensor(swapped), ag.tensor(swapped), ag.as_tensor(swapped)):
        assert made.dtype.isnative and made.dtype == np.float32
        np.testing.assert_array_equal(made.data, np.arange(6).reshape(2, 3))
    layer = nn.Linear(3, 1)
    expected = layer(swapped.astype(np.float32)).data
    np.testing.assert_array_equal(layer(swapped).data, expected)  # a layer takes it as its own float32
    with pytest.raises(ValueError, match=r"from_numpy: the array's dtype [<>]f4 is not in this machine's byte order"):
        ag.from_numpy(swapped)
