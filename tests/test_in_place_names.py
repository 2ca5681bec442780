"""torch's in-place twins of out-of-place methods (``sin_``, ``atan2_``, ``eq_``, ``cumsum_``, ``t_``, the random
fills, ...): values against numpy written out by hand, recorded gradients against central differences
(``autograd.gradcheck``, float64), and torch's refusals. The same cases run against torch in
tests/test_in_place_names_torch.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor, gradcheck, no_grad
from autograd.tensor_in_place import InPlaceCastError

RNG = np.random.default_rng(3)
A = RNG.uniform(-1.5, 1.5, (3, 4))
B = RNG.uniform(0.5, 1.5, (3, 4)) * RNG.choice([-1.0, 1.0], (3, 4))

#: (method, numpy's function of the data, low, high): unary twins, their inputs drawn from [low, high)
UNARY = [
    ("sin_", np.sin, -2, 2),
    ("cos_", np.cos, -2, 2),
    ("tan_", np.tan, -1, 1),
    ("asin_", np.arcsin, -0.9, 0.9),
    ("arcsin_", np.arcsin, -0.9, 0.9),
    ("acos_", np.arccos, -0.9, 0.9),
    ("arccos_", np.arccos, -0.9, 0.9),
    ("atan_", np.arctan, -2, 2),
    ("arctan_", np.arctan, -2, 2),
    ("sinh_", np.sinh, -2, 2),
    ("cosh_", np.cosh, -2, 2),
    ("asinh_", np.arcsinh, -2, 2),
    ("arcsinh_", np.arcsinh, -2, 2),
    ("acosh_", np.arccosh, 1.2, 3),
    ("arccosh_", np.arccosh, 1.2, 3),
    ("atanh_", np.arctanh, -0.9, 0.9),
    ("arctanh_", np.arctanh, -0.9, 0.9),
    ("floor_", np.floor, -3, 3),
    ("ceil_", np.ceil, -3, 3),
    ("trunc_", np.trunc, -3, 3),
    ("round_", np.round, -3, 3),
    ("frac_", lambda x: x - np.trunc(x), -3, 3),
    ("sign_", np.sign, -2, 2),
    ("sgn_", np.sign, -2, 2),
    ("square_", np.square, -2, 2),
    ("reciprocal_", lambda x: 1 / x, 0.5, 2),
    ("rsqrt_", lambda x: 1 / np.sqrt(x), 0.5, 2),
    ("exp2_", np.exp2, -2, 2),
    ("expm1_", np.expm1, -2, 2),
    ("log1p_", np.log1p, -0.5, 2),
    ("log2_", np.log2, 0.5, 3),
    ("log10_", np.log10, 0.5, 3),
    ("erf_", np.vectorize(math.erf), -2, 2),
    ("deg2rad_", np.deg2rad, -90, 90),
    ("rad2deg_", np.rad2deg, -2, 2),
    ("negative_", np.negative, -2, 2),
    ("absolute_", np.abs, -2, 2),
    ("fix_", np.fix, -3, 3),
    ("logit_", lambda x: np.log(x / (1 - x)), 0.1, 0.9),
    ("sinc_", np.sinc, -2, 2),
    ("nan_to_num_", lambda x: x, -2, 2),
]

#: (method, numpy's function of both, the other operand): binary twins, self from A
BINARY = [
    ("atan2_", np.arctan2, B),
    ("arctan2_", np.arctan2, B),
    ("hypot_", np.hypot, B),
    ("fmod_", np.fmod, B),
    ("remainder_", np.mod, B),
    ("floor_divide_", np.floor_divide, B),
    ("copysign_", np.copysign, B),
    ("clamp_min_", np.maximum, B),
    ("clamp_max_", np.minimum, B),
    ("multiply_", np.multiply, B),
    ("subtract_", np.subtract, B),
    ("true_divide_", np.true_divide, B),
    ("eq_", lambda x, y: (x == y).astype(float), np.where(RNG.random((3, 4)) < 0.5, A, B)),
    ("ne_", lambda x, y: (x != y).astype(float), np.where(RNG.random((3, 4)) < 0.5, A, B)),
    ("not_equal_", lambda x, y: (x != y).astype(float), np.where(RNG.random((3, 4)) < 0.5, A, B)),
    ("lt_", lambda x, y: (x < y).astype(float), B),
    ("less_", lambda x, y: (x < y).astype(float), B),
    ("le_", lambda x, y: (x <= y).astype(float), B),
    ("less_equal_", lambda x, y: (x <= y).astype(float), B),
    ("gt_", lambda x, y: (x > y).astype(float), B),
    ("greater_", lambda x, y: (x > y).astype(float), B),
    ("ge_", lambda x, y: (x >= y).astype(float), B),
    ("greater_equal_", lambda x, y: (x >= y).astype(float), B),
    ("xlogy_", lambda x, y: x * np.log(y), np.abs(B)),
    ("heaviside_", lambda x, y: np.heaviside(x, y), B),
    ("logical_and_", lambda x, y: np.logical_and(x, y).astype(float), np.where(B > 0, B, 0.0)),
    ("logical_or_", lambda x, y: np.logical_or(x, y).astype(float), np.where(B > 0, B, 0.0)),
    ("logical_xor_", lambda x, y: np.logical_xor(x, y).astype(float), np.where(B > 0, B, 0.0)),
]


def _inputs(low: float, high: float) -> np.ndarray:
    return np.random.default_rng(5).uniform(low, high, (3, 4))


@pytest.mark.parametrize(("name", "reference", "low", "high"), UNARY, ids=[row[0] for row in UNARY])
def test_unary_twins_write_the_value_into_the_same_array_and_record_its_gradient(name, reference, low, high):
    data = _inputs(low, high)
    plain = Tensor(data)
    array = plain._data
    assert getattr(plain, name)() is plain and plain._data is array and plain.version == 1
    np.testing.assert_allclose(plain.data, reference(data), rtol=1e-12, atol=1e-15)

    def through_twin(x):
        h = x * 1
        getattr(h, name)()
        return h

    assert gradcheck(through_twin, [Tensor(data, requires_grad=True)], eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize(("name", "reference", "other"), BINARY, ids=[row[0] for row in BINARY])
def test_binary_twins_write_the_value_and_give_both_operands_their_gradients(name, reference, other):
    plain = Tensor(A)
    getattr(plain, name)(Tensor(other))
    np.testing.assert_allclose(plain.data, reference(A, other), rtol=1e-12, atol=1e-15)

    def through_twin(x, y):
        h = x * 1
        getattr(h, name)(y)
        return h

    inputs = [Tensor(A, requires_grad=True), Tensor(other, requires_grad=True)]
    assert gradcheck(through_twin, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


def test_a_comparison_twin_cuts_the_old_history_so_its_gradient_is_zero():
    x = Tensor(A, requires_grad=True)
    h = x * 3
    h.gt_(0.0)
    (h * x).sum().backward()
    np.testing.assert_array_equal(x.grad, (A * 3 > 0).astype(float))  # d/dx (h x) with h constant
    assert h.grad_fn is not None


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda t: t.cumsum_(1), lambda a: np.cumsum(a, axis=1)),
        (lambda t: t.cumsum_(dim=-2), lambda a: np.cumsum(a, axis=0)),
        (lambda t: t.cumprod_(0), lambda a: np.cumprod(a, axis=0)),
        (lambda t: t.tril_(), np.tril),
        (lambda t: t.triu_(1), lambda a: np.triu(a, 1)),
        (lambda t: t.round_(decimals=1), lambda a: np.round(a, 1)),
        (lambda t: t.clamp_min_(0.2), lambda a: np.maximum(a, 0.2)),
    ],
)
def test_twins_with_arguments_take_those_of_the_out_of_place_method(call, expected):
    plain = Tensor(A)
    call(plain)
    np.testing.assert_allclose(plain.data, expected(A), rtol=1e-12)
    assert gradcheck(lambda x: call(x * 1), [Tensor(A, requires_grad=True)], eps=1e-6, atol=1e-6, rtol=1e-5)


def test_integer_twins_keep_integer_results_and_refuse_float_ones_in_torch_words():
    counts = Tensor(np.arange(-2, 3))
    counts.square_().neg_()
    np.testing.assert_array_equal(counts.data, -(np.arange(-2, 3) ** 2))
    counts.floor_()  # an integer stays: floor of an integer tensor is itself
    np.testing.assert_array_equal(counts.data, -(np.arange(-2, 3) ** 2))
    for refused in (lambda t: t.sin_(), lambda t: t.reciprocal_(), lambda t: t.rsqrt_()):
        with pytest.raises(InPlaceCastError, match="result type Double can't be cast to the desired output type Long"):
            refused(counts)
    with pytest.raises(NotImplementedError, match="frac"):  # torch's: "frac_cpu" not implemented for 'Long'
        counts.frac_()
    with pytest.raises(RuntimeError, match="div_: .*can't be cast"):  # also a RuntimeError, as torch's
        counts.true_divide_(2)
    np.testing.assert_array_equal(counts.data, -(np.arange(-2, 3) ** 2))  # untouched by the refusals
    flags = Tensor(np.array([3, 0, -1]))
    flags.eq_(0)
    np.testing.assert_array_equal(flags.data, [0, 1, 0])
    assert flags.dtype == np.int64


def test_bitwise_twins_change_integer_tensors_and_refuse_float_ones():
    bits = Tensor(np.array([0b1100, 0b1010]))
    bits.bitwise_and_(0b1000).bitwise_or_(0b0001).bitwise_xor_(0b0011)
    np.testing.assert_array_equal(bits.data, [0b1010, 0b1010])
    bits.bitwise_not_()
    np.testing.assert_array_equal(bits.data, [~0b1010, ~0b1010])
    with pytest.raises(TypeError, match="bitwise_and"):
        Tensor([1.0]).bitwise_and_(1)


def test_a_leaf_that_requires_grad_refuses_every_twin_in_torch_words():
    weight = Tensor(A, requires_grad=True)
    for change in (lambda w: w.sin_(), lambda w: w.atan2_(B), lambda w: w.eq_(0), lambda w: w.t_()):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            change(weight)
    np.testing.assert_array_equal(weight.data, A)
    assert weight.version == 0
    with no_grad():
        weight.sin_()
    np.testing.assert_allclose(weight.data, np.sin(A))


def test_nan_to_num_and_logit_twins_take_their_options():
    t = Tensor(np.array([np.nan, np.inf, -np.inf, 0.5]))
    t.nan_to_num_(1.0, posinf=2.0, neginf=-2.0)
    np.testing.assert_array_equal(t.data, [1.0, 2.0, -2.0, 0.5])
    p = Tensor(np.array([0.0, 0.5, 1.0]))
    p.logit_(eps=0.25)
    np.testing.assert_allclose(p.data, [np.log(1 / 3), 0.0, np.log(3)])


def test_a_result_of_another_shape_is_refused_and_leaves_the_tensor_as_it_was():
    row = Tensor(A[0])
    with pytest.raises(ValueError, match=r"hypot_: .*shape \(3, 4\).*\(4,\)"):
        row.hypot_(Tensor(B))
    np.testing.assert_array_equal(row.data, A[0])
    with pytest.raises(ValueError, match="cumsum_"):
        Tensor(A).cumsum_()  # cumsum of the flattened tensor has another shape


def test_twins_on_0_d_and_empty_tensors():
    scalar = Tensor(np.array(0.5))
    scalar.asin_()
    assert scalar.shape == () and scalar.item() == pytest.approx(math.asin(0.5))
    empty = Tensor(np.zeros((0, 3)))
    empty.cos_().atan2_(Tensor(np.zeros((0, 3))))
    assert empty.shape == (0, 3)
    x = Tensor(np.array(0.3), requires_grad=True)
    assert gradcheck(lambda t: (t * 1).expm1_(), [x])


def test_a_recorded_twin_on_a_reshaped_view_changes_the_tensor_it_views():
    x = Tensor(A, requires_grad=True)
    y = x * 1
    y.reshape(-1).sin_()
    np.testing.assert_allclose(y.data, np.sin(A))
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.cos(A), rtol=1e-15)


def test_a_recorded_twin_on_an_indexed_view_changes_the_tensor_it_views():
    x = Tensor(A, requires_grad=True)
    y = x * 1
    y[0].sin_()
    expected = A.copy()
    expected[0] = np.sin(A[0])
    np.testing.assert_allclose(y.data, expected)
    y.sum().backward()
    expected_grad = np.ones_like(A)
    expected_grad[0] = np.cos(A[0])
    np.testing.assert_allclose(x.grad, expected_grad)


def test_shape_changing_twins_change_the_tensor_and_pass_the_gradient_back():
    x = Tensor(A, requires_grad=True)
    h = x * 2
    same, version = h, h.version
    h.t_()
    assert h is same and h.shape == (4, 3) and h.version == version + 1
    h.unsqueeze_(-1).transpose_(0, 2).swapaxes_(1, 2).swapdims_(-1, -3).squeeze_()
    assert h.shape == (3, 4)
    np.testing.assert_array_equal(h.data, 2 * A)
    (h * Tensor(B)).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * B)

    def twisted(t):
        u = t * 1
        u.unsqueeze_(0).t_() if u.ndim == 1 else u.t_().unsqueeze_(1)
        return u.squeeze_(1)

    assert gradcheck(twisted, [Tensor(A, requires_grad=True)])


def test_shape_changes_of_constants_and_of_leaves_inside_no_grad():
    m = Tensor(A)
    m.transpose_(0, 1)
    assert m.shape == (4, 3) and m.version == 1
    np.testing.assert_array_equal(m.data, A.T)
    m.squeeze_(0)  # an axis of another length than 1 is left, as torch
    assert m.shape == (4, 3)
    m.unsqueeze_(0).squeeze_(dim=0)
    assert m.shape == (4, 3)
    w = Tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="t_: .*a leaf Variable that requires grad"):
        w.t_()
    with no_grad():
        w.t_()
    assert w.shape == (4, 3)
    with pytest.raises(ValueError, match="t: expects a tensor of at most 2 dimensions"):
        Tensor(np.zeros((2, 2, 2))).t_()


def test_a_view_refuses_a_recorded_shape_change():
    x = Tensor(A, requires_grad=True)
    row = (x * 1)[0]
    with pytest.raises(RuntimeError, match="unsqueeze_: in-place shape change .* shares its data"):
        row.unsqueeze_(0)
    assert row.shape == (4,)


def test_an_op_that_read_the_tensor_before_a_shape_change_fails_at_backward_as_in_torch():
    x, y = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    h = x * 2
    z = h * y  # mul reads h
    h.t_()
    with pytest.raises(RuntimeError, match="changed in place"):
        z.sum().backward()


@pytest.mark.parametrize(
    ("fill", "check"),
    [
        (lambda t, g: t.random_(5, generator=g), lambda v: set(np.unique(v)) <= set(range(5))),
        (lambda t, g: t.random_(-3, 3, generator=g), lambda v: v.min() >= -3 and v.max() < 3 and v.min() < 0),
        (lambda t, g: t.random_(generator=g), lambda v: np.all(v == np.round(v)) and v.min() >= 0 and v.max() > 1e6),
        (lambda t, g: t.bernoulli_(0.3, generator=g), lambda v: set(np.unique(v)) == {0, 1} and 0.2 < v.mean() < 0.4),
        (lambda t, g: t.exponential_(2.0, generator=g), lambda v: v.min() >= 0 and abs(v.mean() - 0.5) < 0.05),
        (lambda t, g: t.geometric_(0.25, generator=g), lambda v: v.min() >= 1 and abs(v.mean() - 4) < 0.4),
        (lambda t, g: t.cauchy_(2.0, 0.5, generator=g), lambda v: abs(np.median(v) - 2) < 0.1),
        (lambda t, g: t.log_normal_(0.5, 0.25, generator=g), lambda v: abs(np.log(v).std() - 0.25) < 0.03),
    ],
)
def test_random_fills_draw_from_their_distribution_and_repeat_with_a_seed(fill, check):
    t = Tensor(np.zeros(2000))
    array = t._data
    assert fill(t, 0) is t and t._data is array and t.version == 1
    assert check(t.data)
    again = Tensor(np.zeros(2000))
    fill(again, 0)
    np.testing.assert_array_equal(again.data, t.data)


@pytest.mark.parametrize(
    "fill",
    [
        pytest.param(lambda t: t.uniform_(2, 1), id="uniform_"),
        pytest.param(lambda t: t.uniform_(0, float("inf")), id="uniform_-infinite"),
        pytest.param(lambda t: t.uniform_(-1e308, 1e308), id="uniform_-too-wide"),
        pytest.param(lambda t: t.float().uniform_(0, 1e39), id="uniform_-out-of-float32"),
        pytest.param(lambda t: t.half().uniform_(1e300, 2e300), id="uniform_-out-of-float16"),
        pytest.param(lambda t: t.half().uniform_(-6e4, 6e4), id="uniform_-wider-than-float16"),
        pytest.param(lambda t: t.normal_(0, -1), id="normal_"),
        pytest.param(lambda t: t.random_(5, 2), id="random_"),
        pytest.param(lambda t: t.bernoulli_(2.0), id="bernoulli_"),
        pytest.param(lambda t: t.bernoulli_(float("nan")), id="bernoulli_-nan"),
        pytest.param(lambda t: t.exponential_(-1), id="exponential_"),
        pytest.param(lambda t: t.exponential_(float("nan")), id="exponential_-nan"),
        pytest.param(lambda t: t.geometric_(0), id="geometric_"),
        pytest.param(lambda t: t.cauchy_(0.0, -1.0), id="cauchy_-negative"),
        pytest.param(lambda t: t.cauchy_(0.0, 0.0), id="cauchy_-zero"),
        pytest.param(lambda t: t.cauchy_(0.0, float("nan")), id="cauchy_-nan"),
        pytest.param(lambda t: t.log_normal_(0.0, -1.0), id="log_normal_-negative"),
        pytest.param(lambda t: t.log_normal_(0.0, 0.0), id="log_normal_-zero"),
        pytest.param(lambda t: t.log_normal_(0.0, float("nan")), id="log_normal_-nan"),
    ],
)
def test_random_fills_refuse_bad_parameters_with_torchs_runtime_error_too(fill):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        fill(torch.zeros(3))
    ours = Tensor(np.zeros(3))
    with pytest.raises(RuntimeError) as raised:
        fill(ours)
    assert isinstance(raised.value, ValueError)  # the library's class for bad arguments, as before
    np.testing.assert_array_equal(ours.data, np.zeros(3))
    assert ours.version == 0


def test_random_fills_refuse_bad_parameters_and_recorded_tensors():
    with pytest.raises(ValueError, match="random_: expects from < to"):
        Tensor(np.zeros(3)).random_(3, 3)
    with pytest.raises(ValueError, match="bernoulli_: p must be in"):
        Tensor(np.zeros(3)).bernoulli_(1.5)
    with pytest.raises(ValueError, match="geometric_: p must be in"):
        Tensor(np.zeros(3)).geometric_(0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        Tensor(np.zeros(3), requires_grad=True).exponential_()
    counts = Tensor(np.zeros(4, dtype=np.int64))
    counts.random_(2, 4, generator=1)
    assert counts.dtype == np.int64 and set(np.unique(counts.data)) <= {2, 3}


@pytest.mark.parametrize(
    ("dtype", "bounds"),
    [("int8", (1000,)), ("int8", (-200, 0)), ("uint8", (-1, 5)), ("uint8", (257,)), ("int16", (0, 40000))],
)
def test_random_refuses_bounds_its_dtype_cannot_hold_as_torch(dtype, bounds):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="out of bounds"):
        torch.zeros(3, dtype=getattr(torch, dtype)).random_(*bounds)
    ours = Tensor(np.zeros(3, dtype=dtype))
    with pytest.raises(ValueError, match="random_: .* is out of bounds for " + dtype):
        ours.random_(*bounds)
    np.testing.assert_array_equal(ours.data, np.zeros(3))  # nothing written: the draws would have wrapped


def test_random_draws_up_to_the_largest_value_of_a_small_dtype():
    filled = Tensor(np.zeros(5000, dtype=np.uint8)).random_(256, generator=0)
    assert filled.dtype == np.uint8 and filled.data.min() == 0 and filled.data.max() == 255
    signed = Tensor(np.zeros(5000, dtype=np.int8)).random_(-128, 128, generator=0)
    assert signed.data.min() == -128 and signed.data.max() == 127


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8"])
def test_random_without_bounds_draws_the_dtypes_whole_non_negative_range_as_torch(dtype):
    torch = pytest.importorskip("torch")
    theirs = torch.zeros(5000, dtype=getattr(torch, dtype)).random_().numpy()
    ours = Tensor(np.zeros(5000, dtype=dtype)).random_(generator=0)
    assert ours.dtype == np.dtype(dtype)
    expected = (0, 1) if dtype == "bool" else (0, np.iinfo(dtype).max)
    assert (theirs.min(), theirs.max()) == expected  # torch's range: the largest value included
    assert (ours.data.min(), ours.data.max()) == expected


@pytest.mark.parametrize("p_shape", [(2,), (2, 3)])
def test_bernoulli_refuses_a_p_tensor_that_does_not_broadcast_to_the_tensor_as_torch(p_shape):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.zeros(3).bernoulli_(torch.full(p_shape, 0.5))
    ours = Tensor(np.zeros(3))
    with pytest.raises(
        RuntimeError, match=r"bernoulli_: p of shape .* does not broadcast to the tensor's \(3,\)"
    ) as raised:
        ours.bernoulli_(Tensor(np.full(p_shape, 0.5)))
    assert isinstance(raised.value, ValueError)  # the library's class for bad arguments too
    np.testing.assert_array_equal(ours.data, np.zeros(3))
    rows = Tensor(np.zeros((2, 3))).bernoulli_(Tensor([0.0, 1.0, 0.0]), generator=0)  # broadcasting p is fine
    np.testing.assert_array_equal(rows.data, [[0, 1, 0], [0, 1, 0]])
