"""Result dtypes and argument forms as torch gives them: integer tensors stay integer through scatter, clamp with
tensor bounds and median (no rounding through float64), masked_fill keeps the input's dtype and casts its value,
torch's positional ``unbiased``, legacy empty tensors in ``cat``, boolean ``diff``, floating functions of
integers in the default float dtype, and every augmented assignment writing into the tensor (and a view's base)."""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, get_default_dtype

BIG = 2**60 + 1  # not a float64: a detour through float64 changes it


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_, np.float32])
def test_scatter_keeps_the_input_dtype(dtype):
    start = np.array([BIG if dtype == np.int64 else 1, 0, 1]).astype(dtype)
    out = Tensor(start).scatter(0, Tensor(np.array([1])), Tensor(np.array([1]).astype(dtype)))
    expected = start.copy()
    expected[1] = 1
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.data, expected)
    number = Tensor(start).scatter(0, Tensor(np.array([2])), 0)
    assert number.dtype == dtype and number.data[0] == start[0]


def test_clamp_with_tensor_bounds_keeps_integers_exact():
    x = Tensor(np.array([BIG, -5]))
    for bound in (Tensor(np.array([0, 0])), Tensor(np.array([0, 0], dtype=np.int32)), 0):
        out = x.clamp(min=bound)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.data, [BIG, 0])


def test_clamp_of_float32_by_a_zero_dim_float64_bound_stays_float32():
    out = Tensor(np.array([0.25, 2.0], dtype=np.float32)).clamp(min=Tensor(np.array(0.5)))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [0.5, 2.0])


def test_clamp_with_nan_in_input_or_bound_gives_nan_and_no_gradient_there():
    x = Tensor(np.array([np.nan, 1.0, 5.0, -2.0]), requires_grad=True)
    low = Tensor(np.array([0.0, np.nan, 0.0, 0.0]), requires_grad=True)
    out = x.clamp(min=low, max=3.0)
    out.backward(np.ones(4))
    np.testing.assert_array_equal(out.data, [np.nan, np.nan, 3.0, 0.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(low.grad, [0.0, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("method", ["median", "nanmedian"])
def test_median_of_all_entries_keeps_integers_exact(method):
    out = getattr(Tensor(np.array([BIG, BIG, 1])), method)()
    assert out.dtype == np.int64 and int(out.data) == BIG
    small = getattr(Tensor(np.array([5, 5, 1, 9], dtype=np.uint8)), method)()
    assert small.dtype == np.uint8 and int(small.data) == 5


def test_masked_fill_keeps_the_input_dtype_and_casts_the_value_as_torch():
    mask = np.array([True, False])
    cases = [(np.array([1, 2]), 2.7, [2, 2]), (np.array([True, False]), 1, [True, False])]
    for data, value, expected in cases:
        out = Tensor(data).masked_fill(mask, value)
        assert out.dtype == data.dtype
        np.testing.assert_array_equal(out.data, expected)
        in_place = Tensor(data.copy())
        in_place.masked_fill_(mask, value)
        np.testing.assert_array_equal(in_place.data, expected)
    with pytest.raises(ValueError, match="1000 cannot be converted to int8"):
        Tensor(np.array([1, 2], dtype=np.int8)).masked_fill(mask, 1000)


def test_masked_fill_with_a_wider_zero_dim_value_keeps_float32_and_the_value_gradient():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    value = Tensor(np.array(0.5), requires_grad=True)
    out = x.masked_fill(np.array([True, False]), value)
    out.sum().backward()
    assert out.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])
    assert float(value.grad) == 1.0


@pytest.mark.parametrize("method", ["var", "std"])
def test_a_bool_first_argument_is_torchs_unbiased(method):
    data = np.arange(6.0).reshape(2, 3) ** 2
    for unbiased in (True, False):
        expected = getattr(np, method)(data, ddof=1 if unbiased else 0)
        np.testing.assert_allclose(getattr(Tensor(data), method)(unbiased).data, expected, rtol=1e-14)
    with pytest.raises(TypeError, match="unbiased"):
        getattr(Tensor(data), method)(True, unbiased=False)


def test_cat_skips_legacy_empty_one_dimensional_tensors_as_torch():
    block = Tensor(np.ones((2, 3)), requires_grad=True)
    joined = ag.cat([block, Tensor(np.zeros(0))])
    assert joined.shape == (2, 3)
    joined.sum().backward()
    np.testing.assert_array_equal(block.grad, np.ones((2, 3)))
    assert ag.cat([Tensor(np.zeros(0)), Tensor(np.ones((2, 3)))], dim=1).shape == (2, 3)
    assert ag.cat([Tensor(np.zeros(0)), Tensor(np.ones(3))]).shape == (3,)  # 1-D beside 1-D: joined as usual
    with pytest.raises(ag.ShapeError):
        ag.cat([Tensor(np.zeros((0, 2))), Tensor(np.ones((2, 3)))])


def test_a_skipped_legacy_empty_tensor_that_requires_grad_gets_an_empty_gradient_as_torch():
    torch = pytest.importorskip("torch")
    for module in (ag, torch):
        block = module.ones(2, 3, dtype=module.float64, requires_grad=True)
        empty = module.tensor([], dtype=module.float64, requires_grad=True)
        (module.cat([empty, block], dim=1) * 2).sum().backward()  # (torch's grad: a tensor of shape (0,), not None)
        assert empty.grad is not None and tuple(empty.grad.shape) == (0,)
        np.testing.assert_array_equal(np.asarray(block.grad), np.full((2, 3), 2.0))


def test_diff_of_booleans_is_xor_as_numpy():
    flags = np.array([True, False, False, True, True])
    for n in (1, 2):
        out = Tensor(flags).diff(n=n)
        assert out.dtype == np.bool_
        np.testing.assert_array_equal(out.data, np.diff(flags, n=n))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int64, np.bool_])
@pytest.mark.parametrize("name", ["atan2", "copysign"])
def test_floating_functions_of_integers_give_the_default_float(dtype, name):
    # (hypot and logaddexp of two integer tensors are torch's NotImplementedError: test_torch_error_classes; numpy's
    # np.hypot / np.logaddexp of them give the default float, as here)
    data = np.array([1, 2]).astype(dtype)
    out = getattr(Tensor(data), name)(Tensor(data))
    assert out.dtype == get_default_dtype()
    reference = {"atan2": np.arctan2, "copysign": np.copysign}[name]
    as_float = data.astype(np.float64)
    np.testing.assert_allclose(out.data, reference(as_float, as_float), rtol=1e-15)
    kept = Tensor(data.astype(np.int64)).fmod(Tensor(np.array([2, 2])))
    assert kept.dtype == np.int64  # an integer-valued function keeps the integers


AUGMENTED = [
    ("//=", np.floor_divide),
    ("%=", np.remainder),
    ("**=", np.power),
    ("&=", np.bitwise_and),
    ("|=", np.bitwise_or),
    ("^=", np.bitwise_xor),
    ("<<=", np.left_shift),
    (">>=", np.right_shift),
]


@pytest.mark.parametrize(("operator", "function"), AUGMENTED, ids=[op for op, _ in AUGMENTED])
def test_every_augmented_assignment_writes_into_a_views_base(operator, function):
    base = Tensor(np.array([[7, 8], [9, 10]]))
    row = base[0]
    namespace = {"row": row}
    exec(f"row {operator} 3", namespace)
    expected = np.array([[7, 8], [9, 10]])
    expected[0] = function(expected[0], 3)
    np.testing.assert_array_equal(base.data, expected)
    assert namespace["row"] is row and base._version == 1


def test_an_augmented_power_of_a_leaf_that_requires_grad_is_refused_and_of_an_intermediate_recorded():
    x = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        x **= 2
    y = x * 1.0
    y **= 2
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 6.0])


def test_isin_marks_the_entries_found_as_numpy():
    elements, test = np.array([[1, 2], [3, 4]]), np.array([2, 3, 9])
    np.testing.assert_array_equal(ag.isin(Tensor(elements), Tensor(test)).data, np.isin(elements, test))
    np.testing.assert_array_equal(ag.isin(Tensor(elements), 4, invert=True).data, elements != 4)


def test_unravel_index_gives_int64_coordinates_and_counts_negative_indices_from_the_end():
    rows, columns = ag.unravel_index(Tensor(np.array([0, 5, -1, 7])), (2, 4))
    assert rows.dtype == columns.dtype == np.int64
    np.testing.assert_array_equal(rows.data, [0, 1, 1, 1])
    np.testing.assert_array_equal(columns.data, [0, 1, 3, 3])
    with pytest.raises(ValueError, match=r"\[-8, 7\]"):
        ag.unravel_index(Tensor(np.array([8])), (2, 4))


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
def test_solve_triangular_solves_with_the_triangle_only(upper, left, unitriangular):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3, 4) if left else (2, 4, 3))
    x = ag.linalg.solve_triangular(Tensor(a), Tensor(b), upper=upper, left=left, unitriangular=unitriangular)
    triangle = np.triu(a) if upper else np.tril(a)
    if unitriangular:  # the diagonal read as ones
        triangle = triangle - triangle * np.eye(3) + np.eye(3)
    product = triangle @ x.data if left else x.data @ triangle
    np.testing.assert_allclose(product, b, atol=1e-12)
    assert ag.gradcheck(
        lambda a, b: ag.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unitriangular),
        [Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)],
    )


def test_matrix_power_and_matrix_exp_in_linalg():
    a = np.random.default_rng(1).standard_normal((3, 3)) + 3 * np.eye(3)
    np.testing.assert_allclose(ag.linalg.matrix_power(a, -2).data, np.linalg.matrix_power(np.linalg.inv(a), 2))
    np.testing.assert_allclose(ag.linalg.matrix_power(Tensor(a), 3).data, a @ a @ a)
    small = a * 0.01
    series = sum(np.linalg.matrix_power(small, k) / np.prod(np.arange(1, k + 1)) for k in range(12))
    np.testing.assert_allclose(ag.linalg.matrix_exp(small).data, series, rtol=1e-12)


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ((-1, 1, 0.4), [-1.0, -0.6, -0.2, 0.2, 0.6]),
        ((0, 1, 0.25), [0.0, 0.25, 0.5, 0.75]),
        ((0.5, 2.0, 0.5), [0.5, 1.0, 1.5]),
    ],
)
def test_a_float32_arange_is_start_plus_i_steps_rounded_once_as_torchs(bounds, expected):
    # numpy's float32 arange adds float32 steps and drifts (0.19999993 for 0.2)
    values = ag.arange(*bounds, dtype=np.float32)
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values.data, np.array(expected, dtype=np.float32))


_FLOAT_BOUNDS = [
    (0, 3.5), (0, 5, 1.5), (-3.5, 0), (0.5, 3), (2.7, -1.2, -1.5), (0, 0.5), (0, -2.5, -1), (np.float32(2.5),),
    (-34.1, 7.6, 1.5), (0.9, 0, -0.5), (-7.9, 7.9, 2.9),
]  # fmt: skip


@pytest.mark.parametrize(
    ("bounds", "dtype"),
    [
        (bounds, dtype)
        for dtype in ("int64", "int32", "int16", "uint8")
        for bounds in _FLOAT_BOUNDS
        # an int64 step that truncates to 0 is refused (the test below)
        if not (dtype == "int64" and len(bounds) == 3 and int(bounds[2]) == 0)
    ],
)
def test_an_integer_arange_of_float_bounds_counts_and_steps_as_torchs(bounds, dtype):
    # torch: trunc(start) + i trunc(step) (numpy steps by the difference of its first two values: 2 for 1.5 from
    # -34.1), counted from the truncated bounds for int64 ([0, 1, 2] for (0, 3.5)), from the given ones otherwise
    torch = pytest.importorskip("torch")
    theirs = torch.arange(*bounds, dtype=getattr(torch, dtype))
    ours = ag.arange(*bounds, dtype=getattr(np, dtype))
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_an_int64_arange_whose_step_truncates_to_zero_is_refused_as_torchs():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="step must be nonzero"):
        torch.arange(0, 1, 0.25, dtype=torch.int64)
    with pytest.raises(ValueError, match="step must be nonzero"):
        ag.arange(0, 1, 0.25, dtype=np.int64)


@pytest.mark.parametrize("bounds", [(0, -1), (0, 5, -1), (3.0, 0.0, 0.5)])
def test_arange_refuses_bounds_against_the_step_sign_as_torch(bounds):
    with pytest.raises(ValueError, match="inconsistent with step sign"):
        ag.arange(*bounds)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ag.rand(3, dtype=np.int64),
        lambda: ag.randn(2, dtype=np.int32),
        lambda: ag.rand_like(ag.tensor([1, 2])),
        lambda: ag.randn_like(ag.tensor([True, False])),
    ],
)
def test_random_samples_in_an_integer_dtype_are_refused_as_torch(call):
    with pytest.raises(NotImplementedError, match="floating dtypes only"):
        call()


@pytest.mark.parametrize(
    ("values", "mode", "expected"),
    [([3.0, -3.0], "floor", [1.0, -2.0]), ([3.0, -3.0], "trunc", [1.0, -1.0]), ([7, -7], "floor", [3, -4])],
)
def test_div_in_place_takes_a_rounding_mode(values, mode, expected):
    t = ag.tensor(values)
    t.div_(2, rounding_mode=mode)
    assert t.tolist() == expected and t.version == 1


def test_an_integer_tensor_clamped_by_python_floats_takes_the_default_float_dtype():
    previous = ag.get_default_dtype()
    ag.set_default_dtype(np.float32)
    try:
        clamped = ag.tensor([0, 3]).clamp(0.5, 2.0)
        assert clamped.dtype == np.float32 and clamped.tolist() == [0.5, 2.0]
        assert ag.tensor([0, 3]).clamp(0, 2).dtype == np.int64
    finally:
        ag.set_default_dtype(previous)


@pytest.mark.parametrize("op", ["__and__", "__or__", "__xor__", "__lshift__", "__rshift__"])
def test_bitwise_ops_read_a_0d_integer_tensor_as_a_number(op):
    result = getattr(ag.tensor(np.array([1, 2], dtype=np.int8)), op)(ag.tensor(3))
    assert result.dtype == np.int8  # torch's; numpy's 0-d array would make it int64
    expected = getattr(np.array([1, 2], dtype=np.int8), op)(np.int8(3))
    np.testing.assert_array_equal(result.data, expected)


@pytest.mark.parametrize("op", ["__and__", "__or__", "__xor__", "__lshift__", "__rshift__"])
@pytest.mark.parametrize(("scalar", "dtype"), [(np.int16(3), np.int8), (np.int64(2), np.uint8), (np.int8(1), np.int32)])
def test_bitwise_ops_read_a_0d_integer_tensor_on_the_left_as_a_number_too(op, scalar, dtype):
    torch = pytest.importorskip("torch")
    values = np.array([1, 2, 100], dtype=dtype)
    result = getattr(ag.tensor(np.array(scalar)), op)(ag.tensor(values))  # widened to int16 and int64 before
    expected = getattr(torch.from_numpy(np.array(scalar)), op)(torch.from_numpy(values))
    assert str(result.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(result.data, expected.numpy())


@pytest.mark.parametrize("op", ["__and__", "__or__", "__xor__", "__rand__", "__lshift__", "__rshift__"])
@pytest.mark.parametrize("number", [-2, 300, 2**40])
def test_bitwise_ops_wrap_an_int_their_dtype_cannot_hold_as_arithmetic_does(op, number):
    values = np.array([5, 200], dtype=np.uint8)
    result = getattr(ag.tensor(values), op)(number)  # numpy's bare OverflowError before; torch's wrap-around
    assert result.dtype == (ag.tensor(values) + number).dtype == np.uint8
    reflected = op == "__rand__"
    name = "__and__" if reflected else op
    np.testing.assert_array_equal(result.data, getattr(values, name)(np.uint8(number % 256)))


@pytest.mark.parametrize("bounds", [(), (1, 2, 3, 4)])
def test_arange_names_a_wrong_number_of_bounds(bounds):
    with pytest.raises(TypeError, match="takes 1 to 3 bounds"):
        ag.arange(*bounds)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64])
@pytest.mark.parametrize("spelling", ["**=", "pow_"])
def test_an_integer_tensor_raised_in_place_to_negative_integer_exponents_gives_what_pow_gives(dtype, spelling):
    # numpy's power refused them (ValueError) in place, while t ** e gave torch's 1/x**k truncated
    torch = pytest.importorskip("torch")
    bases, exponents = np.array([2, -1, 1, -1, 3, 5], dtype=dtype), np.array([-2, -3, -1, -4, 2, 0], dtype=dtype)
    ours, theirs = ag.tensor(bases), torch.from_numpy(bases.copy())
    if spelling == "**=":
        ours **= ag.tensor(exponents)
        theirs **= torch.from_numpy(exponents)
    else:
        ours.pow_(ag.tensor(exponents))
        theirs.pow_(torch.from_numpy(exponents))
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(ours.data, (ag.tensor(bases) ** ag.tensor(exponents)).data)
