"""Port of the behaviour PyTorch's test/test_tensor_creation_ops.py checks, for this library's creation functions
(tensor, as_tensor, from_numpy, zeros/ones/full/empty and their *_like, arange, linspace, logspace, eye and the
triangle indices), compared with torch 2.13 where it is installed and with hand-derived numbers otherwise. The
library's default floating dtype is float64 (torch's is float32): torch runs here with float64 as its default."""

import threading

import numpy as np
import pytest

import autograd as ag


@pytest.fixture
def torch():
    """torch with float64 as its default dtype, the library's."""
    torch = pytest.importorskip("torch")
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(saved)


def _self_referential_lists():
    direct = [0]
    direct += [direct]
    deeper = [[1, 2]]
    deeper[0].append(deeper)
    return [direct, [[1, 2], direct], deeper, [ag.tensor([1.0]), direct]]


@pytest.mark.parametrize("factory", [ag.tensor, ag.as_tensor])
@pytest.mark.parametrize("data", _self_referential_lists())
def test_self_referential_lists_are_a_type_error_naming_the_function_as_torchs(factory, data):
    raised = []

    def make():
        try:
            factory(data)
        except Exception as error:  # noqa: BLE001 (checked below)
            raised.append(error)

    worker = threading.Thread(target=make, daemon=True)  # (the scan of the nesting never ended)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), f"{factory.__name__} of a self-referential list did not return"
    assert len(raised) == 1 and type(raised[0]) is TypeError
    assert f"{factory.__name__}: the data is a self-referential list" in str(raised[0])


def test_a_list_held_twice_side_by_side_is_not_self_referential():
    row = [ag.tensor([1.0]), 2.0]
    assert ag.tensor([row, row]).data.tolist() == [[1.0, 2.0], [1.0, 2.0]]


_RAGGED = [
    ([[1, 2], [3]], 1, "expected sequence of length 2 at dim 1 (got 1)"),
    ([[1], [2, 3]], 1, "expected sequence of length 1 at dim 1 (got 2)"),
    ([[[1, 2], [3, 4]], [[1, 2], [3]]], 2, "expected sequence of length 2 at dim 2 (got 1)"),
    ([[1, 2], 3], 1, "expected sequence of length 2 at dim 1 (got the number 3)"),
    ([1, [2, 3]], 1, "expected a number at dim 1 (got a sequence of length 2)"),
]


@pytest.mark.parametrize(("data", "dim", "place"), _RAGGED)
@pytest.mark.parametrize(
    ("factory", "name"), [(ag.tensor, "Tensor"), (ag.as_tensor, "as_tensor"), (ag.Tensor, "Tensor")]
)
def test_ragged_lists_are_refused_naming_the_function_and_the_ragged_dim(factory, name, data, dim, place):
    with pytest.raises(ValueError, match=rf"^{name}: the nested lists have rows of different lengths") as caught:
        factory(data)
    assert str(caught.value).endswith(place)


@pytest.mark.parametrize(("data", "dim", "place"), _RAGGED[:3])
def test_the_ragged_dim_named_is_torchs(torch, data, dim, place):
    with pytest.raises(ValueError, match=rf"at dim {dim} ") as caught:
        torch.tensor(data)
    assert str(caught.value) == place  # (the words this library's message ends with)


_INTEGER_FACTORIES = [
    ("tensor", lambda **kw: ag.tensor([1, 2], **kw)),
    ("zeros", lambda **kw: ag.zeros(2, dtype=ag.int64, **kw)),
    ("ones", lambda **kw: ag.ones(2, dtype=ag.int32, **kw)),
    ("empty", lambda **kw: ag.empty(2, dtype=ag.bool, **kw)),
    ("full", lambda **kw: ag.full((2,), 1, **kw)),
    ("arange", lambda **kw: ag.arange(5, **kw)),
    ("linspace", lambda **kw: ag.linspace(0, 5, 6, dtype=ag.int64, **kw)),
    ("logspace", lambda **kw: ag.logspace(0, 2, 3, dtype=ag.int64, **kw)),
    ("eye", lambda **kw: ag.eye(2, dtype=ag.int64, **kw)),
    ("zeros_like", lambda **kw: ag.zeros_like(ag.tensor([1, 2]), **kw)),
    ("ones_like", lambda **kw: ag.ones_like(ag.tensor([1.0]), dtype=ag.int64, **kw)),
    ("full_like", lambda **kw: ag.full_like(ag.tensor([1, 2]), 3, **kw)),
    ("empty_like", lambda **kw: ag.empty_like(ag.tensor([True]), **kw)),
    ("randint", lambda **kw: ag.randint(0, 5, (2,), **kw)),
    ("randperm", lambda **kw: ag.randperm(3, **kw)),
]


@pytest.mark.parametrize(("name", "make"), _INTEGER_FACTORIES, ids=[name for name, _ in _INTEGER_FACTORIES])
def test_integer_and_bool_results_cannot_require_grad_and_the_error_names_the_function(name, make):
    assert not make().requires_grad
    with pytest.raises(RuntimeError, match=rf"^{name}: only Tensors of floating point dtype can require gradients"):
        make(requires_grad=True)


@pytest.mark.parametrize(("name", "make"), _INTEGER_FACTORIES, ids=[name for name, _ in _INTEGER_FACTORIES])
def test_torch_refuses_requires_grad_on_the_same_integer_results(torch, name, make):
    result = make()
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        torch.tensor(result.data, requires_grad=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ag.tensor([1.0, 2.0], requires_grad=True),
        lambda: ag.tensor([1, 2], dtype=ag.float32, requires_grad=True),
        lambda: ag.zeros(2, requires_grad=True),
        lambda: ag.full((2,), 1.0, requires_grad=True),
        lambda: ag.arange(3.0, requires_grad=True),
        lambda: ag.linspace(0, 1, 3, requires_grad=True),
        lambda: ag.logspace(0, 1, 3, requires_grad=True),
        lambda: ag.eye(2, requires_grad=True),
        lambda: ag.zeros_like(ag.tensor([1, 2]), dtype=ag.float32, requires_grad=True),
        lambda: ag.full_like(ag.tensor([1, 2]), 2.5, dtype=ag.float64, requires_grad=True),
    ],
)
def test_floating_results_may_require_grad_and_are_leaves(make):
    made = make()
    assert made.requires_grad and made.is_leaf and made.dtype.kind == "f"


@pytest.mark.parametrize("bounds", [(True,), (False,), (True, 5), (0, 5, True), (np.bool_(True), 3)])
def test_arange_reads_bool_bounds_as_the_ints_they_stand_for_as_torch_and_numpy(torch, bounds):
    made = ag.arange(*bounds)
    expected = torch.arange(*(bool(b) if isinstance(b, np.bool_) else b for b in bounds))
    assert made.dtype == np.int64 and str(expected.dtype) == "torch.int64"
    assert made.data.tolist() == expected.tolist() == np.arange(*bounds).tolist()


@pytest.mark.parametrize("bound", ["10", None, 1 + 2j, np.complex128(1)])
def test_arange_refuses_bounds_that_are_not_real_numbers_naming_itself(bound):
    with pytest.raises(TypeError, match="arange: the bounds must be real numbers"):
        ag.arange(0, bound)


@pytest.mark.parametrize(
    ("start", "end", "step"), [(1e4, 1e4 + 1, 1e-3), (1e6, 1e6 + 10, 0.01), (-1.0, 1.0, 0.2), (10.0, -5.0, -0.7)]
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_arange_of_a_float_step_is_start_plus_i_step_as_torchs_without_numpys_drift(torch, start, end, step, dtype):
    made = ag.arange(start, end, step, dtype=getattr(ag, dtype)).data
    expected = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
    assert made.dtype == expected.dtype and made.shape == expected.shape
    ulp = np.spacing(np.maximum(abs(start), abs(end)).astype(dtype))
    np.testing.assert_allclose(made, expected, rtol=0, atol=2 * ulp)  # (numpy's way: 100 ulps off at 1e4)


LOGSPACE_CASES = [
    (0.5, 2.5, 5, 10.0),
    (-0.7, 3.9, 6, 2.0),
    (1.9, 0.2, 4, 10.0),
    (0.5, 2.5, 1, 10.0),
    (0, 6, 49, 2.0),
    (1, 0, 2, 10.0),
]


@pytest.mark.parametrize(
    ("start", "end", "steps", "base", "dtype"),
    [
        (*case, dtype)
        for case in LOGSPACE_CASES
        for dtype in ("int64", "int32", "int16", "uint8")
        # (not where the largest power is beyond the dtype: torch's cast is undefined there)
        if case[3] ** max(case[0], case[1]) <= np.iinfo(dtype).max
    ],
)
def test_logspace_into_an_integer_dtype_converts_the_ends_first_as_torch(torch, start, end, steps, base, dtype):
    try:
        expected = torch.logspace(start, end, steps, base, dtype=getattr(torch, dtype))
    except RuntimeError:  # an end the dtype cannot hold (-0.7 in uint8)
        with pytest.raises(ValueError, match="logspace: .* cannot be converted to"):
            ag.logspace(start, end, steps, base, dtype=getattr(ag, dtype))
        return
    made = ag.logspace(start, end, steps, base, dtype=getattr(ag, dtype))
    assert made.dtype == np.dtype(dtype) and made.data.tolist() == expected.tolist()


def test_logspace_of_fractional_ends_into_int64_is_the_powers_of_the_truncated_ends():
    # 10 ** [0, 0.5, 1, 1.5, 2] (ends 0.5 and 2.5 truncated to 0 and 2) truncated: torch's [1, 3, 10, 31, 100]
    assert ag.logspace(0.5, 2.5, 5, dtype=ag.int64).data.tolist() == [1, 3, 10, 31, 100]


@pytest.mark.parametrize(
    ("start", "end", "steps", "base"),
    [
        (-0.0316082797944545745849609375, 0.0315315723419189453125, 257, 10.0),
        (0.1, 2.3, 33, 10.0),
        (-2.9, 1.7, 100, 2.0),
        (1, 1.1, 10, 2.0),
    ],
)
def test_logspace_in_float32_equals_torchs_exactly(torch, start, end, steps, base):
    made = ag.logspace(start, end, steps, base, dtype=ag.float32).data
    np.testing.assert_array_equal(made, torch.logspace(start, end, steps, base, dtype=torch.float32).numpy())


@pytest.mark.parametrize(
    ("name", "args"), [("arange", (1, 2)), ("arange", (0, 5)), ("linspace", (1, 3, 5)), ("logspace", (0, 2, 3))]
)
def test_ranges_in_bool_are_refused_naming_the_function_as_torchs(torch, name, args):
    with pytest.raises(NotImplementedError):
        getattr(torch, name)(*args, dtype=torch.bool)
    with pytest.raises(NotImplementedError, match=rf"^{name}: not implemented for bool"):
        getattr(ag, name)(*args, dtype=ag.bool)


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("dtype", ["int8", "int16", "uint8", "float32", "float64", "bool"])
def test_triangle_indices_refuse_dtypes_other_than_int64_and_int32_as_torch(torch, name, dtype):
    with pytest.raises(NotImplementedError):
        getattr(torch, name)(3, 3, dtype=getattr(torch, dtype))
    with pytest.raises(NotImplementedError, match=rf"^{name}: not implemented for {dtype}"):
        getattr(ag, name)(200, 200, dtype=getattr(ag, dtype))  # (int8 wrapped the indices past 127)


_INT64_MAX, _INT64_MIN = 2**63 - 1, -(2**63)
_FLOAT64_MAX = float(np.finfo(np.float64).max)
_BEYOND_64_BITS = [
    (float("nan"), 0, _INT64_MIN, _INT64_MAX, _INT64_MIN - 1),
    (_INT64_MAX + 1, 0, (_INT64_MAX + 1) * 2, (_INT64_MAX + 1) * 2 + 1, -_FLOAT64_MAX),
    [2**70, 1.5, -(2**80)],
]


@pytest.mark.parametrize("data", _BEYOND_64_BITS)
@pytest.mark.parametrize("dtype", ["bool", "float64", "float32"])
def test_ints_beyond_64_bits_convert_into_bool_and_float_dtypes_as_torchs(torch, data, dtype):
    made = ag.tensor(data, dtype=getattr(ag, dtype))
    expected = torch.tensor(data, dtype=getattr(torch, dtype))
    np.testing.assert_array_equal(made.data, expected.numpy())
    assert made.dtype == np.dtype(dtype)


@pytest.mark.parametrize("data", _BEYOND_64_BITS)
@pytest.mark.parametrize("dtype", ["int64", "uint8"])
def test_ints_beyond_64_bits_into_an_integer_dtype_are_a_value_error_as_torchs(torch, data, dtype):
    with pytest.raises((ValueError, RuntimeError)):
        torch.tensor(data, dtype=getattr(torch, dtype))
    with pytest.raises(ValueError, match=rf"cannot be converted to {dtype} without overflow"):
        ag.tensor(data, dtype=getattr(ag, dtype))


@pytest.mark.parametrize("data", [[2**70, None], [2**70, "a"]])
def test_ints_beyond_64_bits_beside_what_is_no_number_are_still_refused(data):
    with pytest.raises(TypeError, match="unsupported dtype object"):
        ag.tensor(data, dtype=ag.float64)


@pytest.mark.parametrize(
    "bounds", [(1.175494351e-38, 3.402823466e38), (0, 1e20), (0.0, 1.0, 1e-300), (0, 2**62, 1), (-(2**62), 2**62)]
)
def test_arange_of_more_values_than_an_array_holds_is_an_error_naming_arange_as_torchs_overflow(torch, bounds):
    with pytest.raises(RuntimeError, match="overflow"):
        torch.arange(*bounds)
    with pytest.raises(RuntimeError, match=r"^arange: invalid size, possible overflow"):
        ag.arange(*bounds)


# -- the port's coverage: behaviour that already matched torch ---------------------------------------------------
def _same(made, expected):
    """``made`` (ours) equals torch's ``expected`` in shape, dtype and values."""
    assert made.shape == tuple(expected.shape)
    assert made.dtype == expected.numpy().dtype
    np.testing.assert_array_equal(made.data, expected.numpy())


_SHAPES = [(2, 3), ((2, 3),), ([2, 3],), ((),), ([],), (0,), (2, 0, 3), ((5, 0, 1),), ((0, 0, 1, 0, 2, 0, 0),)]


@pytest.mark.parametrize("shape", _SHAPES)
@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("dtype", [None, "float32", "int64", "uint8", "bool"])
def test_shape_factories_take_ints_tuples_lists_and_empty_shapes_as_torch(torch, name, shape, dtype):
    made = getattr(ag, name)(*shape, dtype=None if dtype is None else getattr(ag, dtype))
    expected = getattr(torch, name)(*shape, dtype=None if dtype is None else getattr(torch, dtype))
    if name == "empty":
        assert made.shape == tuple(expected.shape) and made.dtype == expected.numpy().dtype
    else:
        _same(made, expected)
    like = getattr(ag, f"{name}_like")(made)
    assert like.shape == made.shape and like.dtype == made.dtype and not like.requires_grad


def test_zeros_take_the_shape_of_a_torch_size(torch):
    assert ag.zeros(torch.Size([2, 3])).shape == (2, 3) and ag.ones(torch.Size([])).shape == ()


@pytest.mark.parametrize("shape", [(-1,), (2, -3)])
@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_negative_sizes_are_refused_naming_the_function_as_torchs_runtime_error(torch, name, shape):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(*shape)
    with pytest.raises(RuntimeError, match=rf"^{name}: negative dimension"):
        getattr(ag, name)(*shape)


@pytest.mark.parametrize(
    "fill", [1, True, False, 1.5, -7, float("inf"), float("nan"), np.float64(2.5), np.int64(3)]
)  # (a numpy scalar keeps its own dtype here, as documented: torch makes np.bool_(True) its default float)
@pytest.mark.parametrize("size", [(2, 2), (), (0, 3), [3]])
def test_full_infers_bool_int64_and_the_default_float_from_the_fill_value_as_torch(torch, fill, size):
    _same(ag.full(size, fill), torch.full(size, fill))


@pytest.mark.parametrize(
    ("fill", "dtype"), [(2.7, "int64"), (-2.7, "int32"), (3, "float32"), (0, "bool"), (5, "uint8")]
)
def test_full_and_full_like_convert_the_fill_value_into_a_given_dtype_as_torch(torch, fill, dtype):
    _same(ag.full((2, 3), fill, dtype=getattr(ag, dtype)), torch.full((2, 3), fill, dtype=getattr(torch, dtype)))
    base = ag.zeros(2, 3, dtype=ag.float32)
    _same(
        ag.full_like(base, fill, dtype=getattr(ag, dtype)),
        torch.full_like(torch.zeros(2, 3, dtype=torch.float32), fill, dtype=getattr(torch, dtype)),
    )


@pytest.mark.parametrize("source_dtype", ["float64", "float32", "int64", "int32", "bool"])
@pytest.mark.parametrize("dtype", [None, "float32", "int64", "bool"])
@pytest.mark.parametrize("name", ["zeros_like", "ones_like"])
def test_like_factories_keep_shape_and_dtype_unless_dtype_is_given_as_torch(torch, source_dtype, dtype, name):
    source = np.arange(6).reshape(2, 3).astype(source_dtype)
    kw = {} if dtype is None else {"dtype": getattr(ag, dtype)}
    torch_kw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    _same(getattr(ag, name)(ag.tensor(source), **kw), getattr(torch, name)(torch.tensor(source), **torch_kw))
    _same(ag.full_like(ag.tensor(source), 1, **kw), torch.full_like(torch.tensor(source), 1, **torch_kw))


def test_like_factories_of_a_tensor_requiring_grad_give_a_constant_unless_asked(torch):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for name in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        assert not getattr(ag, name)(x).requires_grad
        assert getattr(ag, name)(x, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    "data",
    [
        [1, 2],
        [1, 2.0],
        [True, False],
        [True, 1],
        [True, 1, 2.5],
        [[True, 1], [2.5, 0]],
        ((7, 5), (9, 5.0)),
        ((5, 3), (3, 5)),
        [],
        [[]],
        [[[]]],
        (),
        5.0,
        5,
        True,
        range(5),
        [[1, 2], [3, 4]],
    ],
)
def test_tensor_infers_torchs_dtype_from_nested_python_numbers(torch, data):
    _same(ag.tensor(data), torch.tensor(data))
    _same(ag.as_tensor(data), torch.as_tensor(data))


@pytest.mark.parametrize(
    "data",
    [
        np.array(()),
        np.array(5.0),
        np.array(5),
        np.array(3, dtype=np.uint8),
        np.float32(1.5),
        np.int32(2),
        np.float16(2.5),
        np.bool_(True),
        [np.float32(1.5), 2.0],
        [np.float32(1.5), 2],
        [np.int32(1), np.int16(2)],
        [np.uint8(1), 2],
        ((7, np.array(5)), (np.array(9), 5.0)),
        ((7, 5), (9, np.array(5.0))),
        ((5, np.array(3)), (np.array(3), 5)),
    ],
    ids=repr,
)
@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays:UserWarning")
def test_tensor_of_numpy_arrays_and_scalars_takes_torchs_dtype(torch, data):
    _same(ag.tensor(data), torch.tensor(data))


@pytest.mark.parametrize(
    "parts",
    [
        [(1.0, "float64"), (2.0, "float64")],
        [(1, "int64"), (2.0, "float64")],
        [(1.0, "float32"), (2, "int64")],
        [(True, "bool"), (1.5, "float64")],
        [(1, "int32"), (2, "int32")],
    ],
)
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_tensor_of_a_list_of_one_element_tensors_reads_them_as_numbers_as_torch(torch, parts, shape):
    made = ag.tensor([ag.tensor(value, dtype=getattr(ag, dtype)).reshape(shape) for value, dtype in parts])
    expected = torch.tensor([torch.tensor(value, dtype=getattr(torch, dtype)).reshape(shape) for value, dtype in parts])
    _same(made, expected)


def test_tensor_copies_its_data_and_as_tensor_and_from_numpy_share_an_array_of_the_right_dtype():
    for dtype in (np.float64, np.float32, np.int64, np.int8, np.uint8, np.bool_):
        array = np.ones((2, 3), dtype=dtype)
        copied, shared, from_numpy = ag.tensor(array), ag.as_tensor(array), ag.from_numpy(array)
        array[0, 0] = 0
        assert copied.data[0, 0] == 1 and shared.data[0, 0] == 0 and from_numpy.data[0, 0] == 0
        from_numpy.data[1, 2] = 0  # writes into the tensor show in the array
        assert array[1, 2] == 0 and shared.data[1, 2] == 0
        assert copied.dtype == shared.dtype == from_numpy.dtype == dtype
    array = np.random.default_rng(0).random((5, 6)).astype(np.float32)
    converted = ag.as_tensor(array, dtype=ag.float64)  # a dtype change copies
    converted.data[0, 1] = 250.8
    assert array[0, 1] != 250.8 and converted.dtype == np.float64


def test_tensor_of_a_tensor_is_a_detached_leaf_copy_and_as_tensor_returns_the_tensor_itself():
    source = ag.randn(5, 5, requires_grad=True)
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):  # torch's advice: detach().clone()
        copy = ag.tensor(source)
        assert ag.tensor(source, requires_grad=True).requires_grad
    assert copy.is_leaf and not copy.requires_grad and not np.shares_memory(copy.data, source.data)
    assert ag.as_tensor(source) is source
    converted = ag.as_tensor(source, dtype=ag.float32)  # a copy that keeps the graph, as torch's
    assert converted is not source and converted.requires_grad and not converted.is_leaf


def test_tensor_of_a_read_only_array_copies_it_without_a_warning():
    array = np.arange(5.0)
    array.flags.writeable = False
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = ag.tensor(array)
    made.data[0] = 7.0
    assert array[0] == 0.0


@pytest.mark.parametrize("data", [[0, "torch"], "abc", [None], {1, 2}])
def test_tensor_refuses_data_that_is_no_number_with_a_type_error(data):
    with pytest.raises(TypeError):
        ag.tensor(data)


@pytest.mark.parametrize(
    "data",
    [[-1, -1.1, 0, 1, 1.1], [-0.1, -1.1, 0, 1, 0.1], (-0.3, 0, 0.3, 1, 3 / 7), (1e323, -1e323, float("inf"), -np.inf)],
)
def test_tensor_into_bool_is_true_for_every_nonzero_number_as_torch(torch, data):
    _same(ag.tensor(data, dtype=ag.bool), torch.tensor(data, dtype=torch.bool))


# -- arange ---------------------------------------------------------------------------------------------------------
_ARANGES = [
    (5,),
    (0,),
    (0, 10),
    (0, 5, 2),
    (1, -1, -1),
    (1, 0, -1),
    (1, 2, 1),
    (10, 0, -3),
    (1.0,),
    (0.0, 1.0, 0.1),
    (1, 2.5),
    (1, 3, 1.0),
    (0.6, 0.89, 0.1),
    (1, 10, 0.3),
    (0, 5 + 1e-6),
    (0, 5 - 1e-6),
    (10, -1 + 1e-6, -1),
    (10, -1 - 1e-6, -1),
    (-1, 1, 2.0 / 49),
    (-4.0, 4.0, 0.01),
    (1.0, 1.3, 0.1),
    (0.0, 0.6, 0.2),
    (0, 1, 1 / 3),
]


@pytest.mark.parametrize("bounds", _ARANGES)
def test_arange_has_torchs_length_dtype_and_values(torch, bounds):
    made, expected = ag.arange(*bounds), torch.arange(*bounds)
    assert made.shape == tuple(expected.shape) and made.dtype == expected.numpy().dtype
    np.testing.assert_allclose(made.data, expected.numpy(), rtol=0, atol=4e-16 * max(1, *map(abs, bounds)))


@pytest.mark.parametrize("bounds", _ARANGES)
@pytest.mark.parametrize("dtype", ["float32", "int64", "int32", "int16"])
def test_arange_into_a_given_dtype_has_torchs_length_and_values(torch, bounds, dtype):
    try:
        expected = torch.arange(*bounds, dtype=getattr(torch, dtype))
    except (RuntimeError, ValueError):  # a step that truncates to 0 in int64
        with pytest.raises(ValueError, match="arange: step must be nonzero"):
            ag.arange(*bounds, dtype=getattr(ag, dtype))
        return
    made = ag.arange(*bounds, dtype=getattr(ag, dtype))
    if dtype != "float32":
        _same(made, expected)
        return
    # torch's vectorized float32 kernel adds the step in float32 within a chunk of 8 or 16 values: 1 ulp apart at most
    assert made.shape == tuple(expected.shape) and made.dtype == np.float32
    np.testing.assert_allclose(made.data, expected.numpy(), rtol=0, atol=np.spacing(np.float32(max(map(abs, bounds)))))


def test_arange_length_rule_is_ceil_of_end_minus_start_over_step():
    assert ag.arange(-4.0, 4.0, 0.01, dtype=ag.float32).shape == (800,)
    assert ag.arange(-1, 1, 2.0 / 49, dtype=ag.float32).shape == (50,)
    r1, r2, r3 = ag.arange(0, 5 + 1e-6), ag.arange(0, 5, dtype=ag.float32), ag.arange(0, 5 - 1e-6)
    assert r1.shape == (6,) and r2.shape == r3.shape == (5,)
    np.testing.assert_array_equal(r1.data[:-1], r2.data)
    assert ag.arange(1, 10, 0.3).shape == (30,) and abs(ag.arange(1, 10, 0.3).data[29] - 9.7) < 1e-12


@pytest.mark.parametrize(
    ("bounds", "dtype"),
    [((1.0,), "float64"), ((1,), "int64"), ((1.0, 3), "float64"), ((1, 3.0), "float64"), ((1, 3, 1.0), "float64"),
     ((1, 3), "int64"), ((1, 3, 1), "int64")],
)  # fmt: skip
def test_arange_infers_int64_from_ints_and_the_default_float_otherwise_tensors_too(bounds, dtype):
    assert ag.arange(*bounds).dtype == dtype
    assert ag.arange(*(ag.tensor(bound) for bound in bounds)).dtype == dtype
    assert ag.arange(ag.tensor(1.0, dtype=ag.float32)).dtype == np.float64  # a float bound: the default dtype
    assert ag.arange(ag.tensor(1, dtype=ag.int16)).dtype == np.int64


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((0, 10, 0), "step must be nonzero"),
        ((0, -10, 1), "upper bound and lower bound inconsistent with step sign"),
        ((-5,), "upper bound and lower bound inconsistent with step sign"),
        ((0, float("inf")), "unsupported range"),
        ((float("inf"),), "unsupported range"),
        ((-5, float("nan")), "unsupported range"),
        ((0, float("-inf"), -1), "unsupported range"),
        ((float("-inf"), 10), "unsupported range"),
        ((float("nan"), 10), "unsupported range"),
    ],
)
def test_arange_refuses_bad_bounds_with_torchs_runtime_error_naming_arange(torch, bounds, message):
    with pytest.raises(RuntimeError, match=message):
        torch.arange(*bounds)
    with pytest.raises(RuntimeError, match=rf"^arange: {message}"):
        ag.arange(*bounds)


# -- linspace and logspace ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "int16", "int8", "uint8"])
def test_linspace_follows_torch_in_every_real_dtype(torch, dtype):
    ours, theirs = getattr(ag, dtype), getattr(torch, dtype)
    start = 0 if dtype == "uint8" else -100
    np.testing.assert_array_equal(
        ag.linspace(start, start + 200, 401, dtype=ours).data,
        np.array([start + 0.5 * i for i in range(401)]).astype(dtype),
    )
    _same(ag.linspace(10, 20, 11, dtype=ours), torch.tensor(list(range(10, 21)), dtype=theirs))
    _same(ag.linspace(2, 0, 3, dtype=ours), torch.tensor((2, 1, 0), dtype=theirs))
    _same(ag.linspace(0, 1, 1, dtype=ours), torch.zeros(1, dtype=theirs))  # steps = 1: the start
    assert ag.linspace(0, 1, 0, dtype=ours).shape == (0,)  # steps = 0
    if dtype not in ("int8", "uint8"):
        _same(ag.linspace(10, 2000, 1991, dtype=ours), torch.tensor(list(range(10, 2001)), dtype=theirs))
    with pytest.raises(RuntimeError, match="linspace"):
        ag.linspace(0, 1, -1, dtype=ours)


@pytest.mark.parametrize(
    ("name", "args", "dtype"),
    [
        ("linspace", (0, 1e39, 2), "float32"),
        ("linspace", (1e39, 0, 1), "float32"),  # one step: the start is converted
        ("linspace", (0, 70000, 3), "float16"),
        ("logspace", (0, 1e39, 2), "float32"),
        ("logspace", (-70000, 1, 3), "float16"),
    ],
)
def test_linspace_and_logspace_refuse_a_finite_end_beyond_the_float_dtype_as_torch(torch, name, args, dtype):
    with pytest.raises(RuntimeError, match="without overflow"):
        getattr(torch, name)(*args, dtype=getattr(torch, dtype))
    with pytest.raises(RuntimeError, match="without overflow"):  # (numpy's conversion gave inf, then nan entries)
        getattr(ag, name)(*args, dtype=getattr(ag, dtype))


@pytest.mark.parametrize("steps", [1, 2, 3, 5, 11, 256, 257])
def test_linspace_and_logspace_keep_their_ends_exact_and_follow_torch(torch, steps):
    start, end = -0.0316082797944545745849609375, 0.0315315723419189453125
    for name in ("linspace", "logspace"):
        made, expected = getattr(ag, name)(start, end, steps), getattr(torch, name)(start, end, steps)
        assert made.dtype == np.float64 and made.shape == (steps,)
        np.testing.assert_allclose(made.data, expected.numpy(), rtol=1e-15, atol=1e-17)
        assert made.data[0] == expected[0].item() and made.data[-1] == expected[-1].item()


@pytest.mark.parametrize("name", ["linspace", "logspace"])
@pytest.mark.parametrize(("start", "end"), [(1, 2), (1.0, 2), (1.0, -2.0)])
def test_linspace_and_logspace_of_any_real_ends_give_the_default_float(name, start, end):
    assert getattr(ag, name)(start, end, steps=100).dtype == np.float64


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "int16", "uint8"])
def test_logspace_follows_torch_in_every_real_dtype(torch, dtype):
    ours, theirs = getattr(ag, dtype), getattr(torch, dtype)
    _same(
        ag.logspace(0, 6, steps=49, base=2, dtype=ours),
        torch.tensor([2.0 ** (i / 8.0) for i in range(49)], dtype=theirs),
    )
    _same(ag.logspace(1, 1, 1, 2, dtype=ours), torch.ones(1, dtype=theirs) * 2)
    _same(ag.logspace(0, 2, 3, 2, dtype=ours), torch.tensor((1, 2, 4), dtype=theirs))
    _same(ag.logspace(1, 0, 2, dtype=ours), torch.tensor((10, 1), dtype=theirs))
    _same(ag.logspace(0, 1, 1, dtype=ours), torch.ones(1, dtype=theirs))
    _same(ag.logspace(0, 3, 4, base=2, dtype=ours), torch.tensor((1, 2, 4, 8), dtype=theirs))
    assert ag.logspace(1, 1, 0, dtype=ours).shape == (0,)
    with pytest.raises(RuntimeError, match="logspace"):
        ag.logspace(0, 1, -1, dtype=ours)
    with pytest.raises(TypeError):
        ag.logspace(0, 1, dtype=ours)  # steps not given


@pytest.mark.parametrize("steps", [0, 1, 10])
@pytest.mark.parametrize("base", [10.0, 2.0, 0.5])
def test_logspace_with_special_steps_and_bases_matches_torch(torch, steps, base):
    made, expected = ag.logspace(1, 1.1, steps=steps, base=base), torch.logspace(1, 1.1, steps=steps, base=base)
    assert made.shape == tuple(expected.shape)
    np.testing.assert_allclose(made.data, expected.numpy(), rtol=1e-15)


# -- eye and the triangle indices -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "m"), [(3, None), (5, None), (3, 5), (7, 3), (0, None), (0, 0), (5, 0), (0, 5)])
@pytest.mark.parametrize("dtype", [None, "float32", "int64", "uint8", "bool"])
def test_eye_is_torchs_identity_of_n_by_m(torch, n, m, dtype):
    kw_ours = {} if dtype is None else {"dtype": getattr(ag, dtype)}
    kw_torch = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    made = ag.eye(n, **kw_ours) if m is None else ag.eye(n, m, **kw_ours)
    _same(made, torch.eye(n, **kw_torch) if m is None else torch.eye(n, m, **kw_torch))


@pytest.mark.parametrize(("n", "m"), [(-1, 1), (1, -1), (-1, -1)])
def test_eye_refuses_negative_sizes_naming_eye(torch, n, m):
    with pytest.raises(RuntimeError, match="must be greater or equal to"):
        torch.eye(n, m)
    with pytest.raises(RuntimeError, match="^eye: negative dimension"):
        ag.eye(n, m)


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("row", [0, 1, 3, 5])
@pytest.mark.parametrize("col", [0, 1, 3, 7])
@pytest.mark.parametrize("offset", [-10, -2, -1, 0, 1, 2, 10])
def test_triangle_indices_are_torchs_2_by_k_int64_over_shapes_and_offsets(torch, name, row, col, offset):
    _same(getattr(ag, name)(row, col, offset), getattr(torch, name)(row, col, offset))
    _same(
        getattr(ag, name)(row, col, offset, dtype=ag.int32), getattr(torch, name)(row, col, offset, dtype=torch.int32)
    )


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_triangle_indices_refuse_negative_sizes(name):
    with pytest.raises(RuntimeError, match=name):
        getattr(ag, name)(-1, 3)


# -- joining what the factories made ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda m: [m.zeros(2, 3), m.ones(0, 3), m.full((1, 3), 7.0)],
        lambda m: [m.arange(3), m.arange(2.0)],
        lambda m: [m.full((2,), True), m.full((1,), 1)],
        lambda m: [m.zeros(2, dtype=m.int64), m.ones(3)],
        lambda m: [m.eye(2), m.zeros(0, 2), m.linspace(0, 1, 2).reshape(1, 2)],
        lambda m: [m.tensor([[1, 2], [3, 4]], dtype=dtype) for dtype in (m.uint8, m.uint8)],
        lambda m: [m.tensor([[True, False]]), m.tensor([[False, True]])],
    ],
)
def test_cat_of_created_tensors_matches_torch(torch, make):
    _same(ag.cat(make(ag)), torch.cat(make(torch)))


def test_cat_of_mismatched_created_tensors_is_torchs_runtime_error_naming_the_join(torch):
    with pytest.raises(RuntimeError):
        torch.cat([torch.zeros(2, 3), torch.ones(2, 2)])
    with pytest.raises(RuntimeError, match="concatenate"):
        ag.cat([ag.zeros(2, 3), ag.ones(2, 2)])
    _same(ag.cat([ag.zeros(2, 3), ag.ones(2, 2)], dim=1), torch.cat([torch.zeros(2, 3), torch.ones(2, 2)], dim=1))


@pytest.mark.parametrize(("fill", "dtype"), [(300, "uint8"), (-129, "int8"), (float("nan"), "int64"), (1e20, "int32")])
@pytest.mark.parametrize("name", ["full", "full_like"])
def test_a_fill_value_the_dtype_cannot_hold_is_torchs_runtime_error_naming_the_function(torch, name, fill, dtype):
    def call(module):
        if name == "full":
            return module.full((2,), fill, dtype=getattr(module, dtype))
        return module.full_like(module.zeros(2, dtype=getattr(module, dtype)), fill)

    with pytest.raises(RuntimeError, match="cannot be converted to"):
        call(torch)
    with pytest.raises(RuntimeError, match=rf"^{name}: value .* cannot be converted to {dtype}"):
        call(ag)


@pytest.mark.parametrize("name", ["linspace", "logspace"])
@pytest.mark.parametrize(
    ("start", "end", "dtype"), [(-0.7, 3.0, "uint8"), (0, 300, "int8"), (float("nan"), 1, "int32")]
)
def test_range_ends_the_integer_dtype_cannot_hold_are_torchs_runtime_error_naming_the_function(
    torch, name, start, end, dtype
):
    with pytest.raises(RuntimeError, match="cannot be converted to"):
        getattr(torch, name)(start, end, 5, dtype=getattr(torch, dtype))
    with pytest.raises(RuntimeError, match=rf"^{name}: .* cannot be converted to {dtype} without overflow"):
        getattr(ag, name)(start, end, 5, dtype=getattr(ag, dtype))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("offset", [1.5, -0.5, "1", None, True])
def test_triangle_indices_refuse_an_offset_that_is_no_integer_as_torchs_type_error(torch, name, offset):
    with pytest.raises(TypeError):
        getattr(torch, name)(3, 3, offset)
    with pytest.raises(TypeError, match=rf"^{name}: offset must be an integer"):
        getattr(ag, name)(3, 3, offset)


@pytest.mark.parametrize(
    "args, kwargs",
    [((0, 10), {}), ((1, 4, 0.5), {}), ((3, 1, -0.5), {}), ((0, 1, 0.1), {}), ((0, 0), {}), ((), {"start": 1, "end": 3}),
     ((0, 3.5, 1), {"dtype": "int64"}), ((0, 2), {"requires_grad": True})],
)  # fmt: skip
def test_deprecated_range_includes_the_end_and_warns_as_torchs(torch, args, kwargs):
    ours_kwargs = {**kwargs, "dtype": getattr(ag, kwargs["dtype"])} if "dtype" in kwargs else kwargs
    theirs_kwargs = {**kwargs, "dtype": getattr(torch, kwargs["dtype"])} if "dtype" in kwargs else kwargs
    with pytest.warns(UserWarning, match="range is deprecated"):
        ours = ag.range(*args, **ours_kwargs)
    with pytest.warns(UserWarning, match="range is deprecated"):
        theirs = torch.range(*args, **theirs_kwargs)
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())


@pytest.mark.parametrize("args", [(3, 1), (0, 1, 0), (0, float("inf"))])
def test_deprecated_range_refuses_torchs_bad_bounds(torch, args):
    with pytest.raises(RuntimeError), pytest.warns(UserWarning):
        torch.range(*args)
    with pytest.raises(RuntimeError, match="range"):
        ag.range(*args)
    with pytest.raises(TypeError, match="end"):
        ag.range(5)


def test_a_star_import_of_autograd_keeps_pythons_range():
    # autograd.range is torch's deprecated inclusive range; a star import must not replace the builtin every loop uses
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "range" not in namespace
    assert list(range(3)) == [0, 1, 2]


def test_factories_take_an_integer_tensor_of_one_entry_as_a_size():
    """torch reads a size through __index__: zeros(n) with n = tensor(3), as the Python int; a float or boolean
    tensor is no size."""
    n = ag.tensor(3)
    shapes = [
        ag.zeros(n).shape, ag.ones(n, 2).shape, ag.full((n,), 1.0).shape,
        ag.empty(n).shape, ag.randn(n).shape, ag.linspace(0, 1, n).shape,
        ag.logspace(0, 1, n).shape, ag.zeros(2).new_zeros(n).shape, ag.eye(n).shape,
    ]  # fmt: skip
    assert shapes == [(3,), (3, 2), (3,), (3,), (3,), (3,), (3,), (3,), (3, 3)]
    for bad in (ag.tensor(3.0), ag.tensor(True), 2.5, True):
        with pytest.raises(TypeError, match="sizes must be integers"):
            ag.zeros(bad)
