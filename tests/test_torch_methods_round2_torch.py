"""torch's Tensor methods of the second round against torch itself: values and gradients (check_like_torch), and
the accuracy of the special functions over wide ranges where torch's float64 result is exact to rounding."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from torch_oracle import check_like_torch

from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
pytestmark = [  # torch's notes on its own API, not on ours
    pytest.mark.filterwarnings(r"ignore:index_reduce\(\) is in beta:UserWarning"),
    pytest.mark.filterwarnings("ignore:torch.qr is deprecated:UserWarning"),
]


def theirs(function, x: np.ndarray) -> np.ndarray:
    return function(torch.tensor(x)).numpy()


# -- accuracy of the special functions over wide ranges ---------------------------------------------------------
def test_lgamma_agrees_with_torch_from_minus_50_to_170():
    x = np.concatenate([np.linspace(-50.5, 170, 40001), np.logspace(-300, 300, 301), [1e308, 0.0, -3.0]])
    np.testing.assert_allclose(Tensor(x).lgamma().data, theirs(torch.lgamma, x), rtol=1e-13, atol=1e-15)


def test_digamma_agrees_with_torch_near_poles_and_for_large_x():
    near_poles = np.concatenate([k + np.array([-1e-3, -1e-7, 1e-9, 1e-5, 0.3]) for k in range(-20, 1)])
    x = np.concatenate([near_poles, np.linspace(0.01, 50, 5001), np.logspace(2, 300, 100), [-0.0, 0.0, -4.0]])
    ours, reference = Tensor(x).digamma().data, theirs(torch.digamma, x)
    # just right of a pole torch's cot(pi x) is taken of pi times the fractional part, which rounds next to pi:
    # 1e-7 off at -1 + 1e-9 (ours takes the distance to the nearest integer: tests/test_special_near_poles.py)
    right_of_pole = (x < 0) & (x - np.floor(x) < 1e-4)
    np.testing.assert_allclose(ours[~right_of_pole], reference[~right_of_pole], rtol=1e-12, atol=3e-15)
    np.testing.assert_allclose(ours[right_of_pole], reference[right_of_pole], rtol=2e-7)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_polygamma_agrees_with_torch(n):
    x = np.concatenate([np.linspace(0.01, 60, 3001), np.linspace(-9.9, -0.1, 99) + 0.013])
    # torch's trigamma is a short asymptotic series (its error reaches 5e-10); its higher orders are cephes' zeta
    rtol = 1e-9 if n == 1 else 1e-12
    reference = torch.polygamma(n, torch.tensor(x)).numpy()
    np.testing.assert_allclose(Tensor(x).polygamma(n).data, reference, rtol=rtol)


def test_erfinv_agrees_with_torch_up_to_plus_and_minus_one():
    y = np.concatenate(
        [np.linspace(-0.999, 0.999, 20001), 1 - np.logspace(-16, -3, 300), -1 + np.logspace(-16, -3, 300)]
    )
    np.testing.assert_allclose(Tensor(y).erfinv().data, theirs(torch.erfinv, y), rtol=1e-12, atol=1e-300)
    edges = np.array([1.0, -1.0, 1.5, 0.0])
    np.testing.assert_array_equal(Tensor(edges).erfinv().data, theirs(torch.erfinv, edges))


def test_erfc_and_i0_agree_with_torch_over_wide_ranges():
    x = np.linspace(-6, 26, 32001)
    # below x = 2 erfc is 1 - erf (>= 0.0047 there): up to 2e-13 relative
    np.testing.assert_allclose(Tensor(x).erfc().data, theirs(torch.erfc, x), rtol=3e-13)
    x = np.linspace(-700, 700, 14001)
    np.testing.assert_allclose(Tensor(x).i0().data, theirs(torch.i0, x), rtol=1e-13)


# -- values and gradients ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("torch_fn", "our_fn", "low", "high", "rtol"),
    [
        (torch.erfc, lambda x: x.erfc(), -3.0, 5.0, 1e-12),
        (torch.erfinv, lambda x: x.erfinv(), -0.999, 0.999, 1e-12),
        (torch.lgamma, lambda x: x.lgamma(), 0.05, 12.0, 1e-12),
        (torch.digamma, lambda x: x.digamma(), 0.05, 12.0, 1e-9),
        (lambda x: torch.polygamma(2, x), lambda x: x.polygamma(2), 0.05, 12.0, 1e-12),
        (torch.i0, lambda x: x.i0(), -8.0, 8.0, 1e-12),
        (lambda x: x.mvlgamma(4), lambda x: x.mvlgamma(4), 1.6, 9.0, 1e-12),
    ],
)
def test_special_function_values_and_gradients_match_torch(torch_fn, our_fn, low, high, rtol):
    check_like_torch([(3, 4)], torch_fn, our_fn, low=low, high=high, rtol=rtol, atol=1e-12)


def test_elementwise_composites_match_torch():
    check_like_torch([(3, 4), (3, 4)], lambda x, e: x.ldexp(e))
    check_like_torch([(3, 4), (4,)], lambda x, y: x.divide(y), low=0.5, high=2.0)
    check_like_torch([(3, 4), (4,)], lambda x, y: x.divide(y, rounding_mode="floor"), low=0.5, high=2.0)
    check_like_torch([(20,)], lambda x: x.hardshrink(0.7))
    check_like_torch([(2, 3, 4), (3,)], lambda x, w: x.prelu(w))
    check_like_torch([(2, 3), (1,)], lambda x, w: x.prelu(w))
    check_like_torch([(5,)], lambda x: x.prelu(torch.tensor([0.25], dtype=torch.float64)), lambda x: x.prelu([0.25]))
    check_like_torch([(3,), (4,)], lambda a, b: a.ger(b))
    check_like_torch([(5,), (5,)], lambda a, b: a.vdot(b))


def _same_floats(ours: np.ndarray, expected: np.ndarray) -> None:
    assert ours.dtype == expected.dtype
    np.testing.assert_array_equal(ours, expected)  # nan where nan, inf where inf
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(expected))


@pytest.mark.parametrize("exponent_dtype", [np.int64, np.int32, "float"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ldexp_over_extreme_mantissas_and_exponents_matches_torch(dtype, exponent_dtype):
    """An integer exponent scales exactly, as torch's (0 2^255 is 0 in float32, 1e-45 2^150 is 2), with gradient
    2^e (torch's own is formed in the integer dtype, 0 for e < 0, so the exact power is the reference there); a
    float exponent is x 2.0^e, as torch's, values and gradients."""
    tiny = np.finfo(dtype).smallest_subnormal
    mantissas = np.array([0.0, -0.0, tiny, -tiny, 1.0, -1.0, 3.5, np.inf, -np.inf, np.nan], dtype=dtype)
    exponents = np.arange(-300, 301, 10)
    exponent_dtype = dtype if exponent_dtype == "float" else exponent_dtype
    m, e = (grid.ravel() for grid in np.meshgrid(mantissas, exponents.astype(exponent_dtype), indexing="ij"))
    x = Tensor(m, requires_grad=True)
    y = x.ldexp(Tensor(e))
    y.sum().backward()
    t = torch.tensor(m, requires_grad=True)
    expected = torch.ldexp(t, torch.tensor(e))
    expected.sum().backward()
    _same_floats(y.data, expected.detach().numpy())
    if np.dtype(exponent_dtype).kind == "f":
        _same_floats(np.asarray(x.grad), t.grad.numpy())
    else:
        with np.errstate(over="ignore"):  # 2^e beyond float32: inf
            _same_floats(np.asarray(x.grad), (2.0 ** e.astype(np.float64)).astype(dtype))


def test_ldexp_by_a_python_int_scales_exactly():
    x = Tensor(np.array([0.0, -0.0, 1.5], dtype=np.float32), requires_grad=True)
    y = x.ldexp(255)
    np.testing.assert_array_equal(y.data, np.array([0.0, -0.0, np.inf], dtype=np.float32))
    assert y.dtype == np.float32 and np.signbit(y.data[1])


def test_frexp_and_nextafter_match_torch():
    x = np.array([0.0, 3.0, -5.5, 1e-310, np.inf, 0.1])
    mantissa, exponent = Tensor(x).frexp()
    expected = torch.tensor(x).frexp()
    np.testing.assert_array_equal(mantissa.data, expected.mantissa.numpy())
    np.testing.assert_array_equal(exponent.data, expected.exponent.numpy())
    assert exponent.dtype == np.int32
    other = np.array([1.0, 4.0, -6.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(
        Tensor(x).nextafter(Tensor(other)).data, torch.tensor(x).nextafter(torch.tensor(other)).numpy()
    )


# -- scatter variants, index_reduce, histogram, splits -------------------------------------------------------------
def test_scatter_variants_match_torch():
    check_like_torch([(3, 4, 2), (3, 2)], lambda a, s: a.select_scatter(s, 1, -2))
    check_like_torch([(3, 4, 2), (3, 2, 2)], lambda a, s: a.slice_scatter(s, 1, 1, None, 2))
    check_like_torch([(3, 4, 2), (2, 2)], lambda a, s: a.diagonal_scatter(s, -1, 0, 1))
    check_like_torch([(3, 4, 2), (3, 2)], lambda a, s: a.diagonal_scatter(s, 1, 2, 1))
    check_like_torch([(4, 4), (4,)], lambda a, s: a.diagonal_scatter(s))


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_matches_torch(reduce, include_self):
    index = [0, 2, 0, 3, 0]

    def call(x, source):
        return x.index_reduce(0, torch.tensor(index) if torch.is_tensor(x) else index, source, reduce,
                              include_self=include_self)  # fmt: skip

    check_like_torch([(4, 3), (5, 3)], call)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_into_a_0d_tensor_matches_torch(reduce, include_self):
    def call(x, source):
        index = torch.tensor([0]) if torch.is_tensor(x) else Tensor(np.array([0]))
        return x.index_reduce(0, index, source, reduce, include_self=include_self)

    check_like_torch(None, call, values=[np.array(1.5), np.array(-0.5)])


def test_index_reduce_prod_gradient_with_zeros_matches_torch():
    x = np.array([[0.0, 2.0], [3.0, 0.0]])
    source = np.array([[5.0, 0.0], [0.0, 7.0], [2.0, 0.0]])

    def call(a, s):
        return a.index_reduce(0, torch.tensor([0, 1, 0]) if torch.is_tensor(a) else [0, 1, 0], s, "prod")

    check_like_torch(None, call, values=[x, source])


def test_histogram_matches_torch():
    data = RNG.normal(size=1000)
    weights = RNG.uniform(size=1000)
    for kwargs in [{}, {"range": (-1.0, 2.0)}, {"density": True}]:
        ours = Tensor(data).histogram(13, weight=Tensor(weights), **kwargs)
        expected = torch.histogram(torch.tensor(data), 13, weight=torch.tensor(weights), **kwargs)
        np.testing.assert_allclose(ours.hist.data, expected.hist.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.bin_edges.data, expected.bin_edges.numpy(), rtol=1e-15)
    edges = np.array([-3.0, -0.5, 0.0, 0.1, 4.0])
    ours = Tensor(data).histogram(Tensor(edges))
    np.testing.assert_array_equal(ours.hist.data, torch.histogram(torch.tensor(data), torch.tensor(edges)).hist.numpy())
    one_point = Tensor([1.0, 1.0, 1.0]).histogram(3)
    np.testing.assert_allclose(one_point.bin_edges.data, torch.histogram(torch.ones(3, dtype=torch.float64), 3)[1])


@pytest.mark.parametrize("weighted", [False, True])
def test_histogram_density_of_nothing_is_nan_without_numpys_warning_as_torch(weighted):
    data = np.zeros(0) if not weighted else np.ones(3)
    weight = {"weight": np.zeros(3)} if weighted else {}
    expected = torch.histogram(torch.tensor(data), 5, density=True, **{k: torch.tensor(v) for k, v in weight.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = Tensor(data).histogram(5, density=True, **{k: Tensor(v) for k, v in weight.items()})
    np.testing.assert_array_equal(ours.hist.data, expected.hist.numpy())
    np.testing.assert_allclose(ours.bin_edges.data, expected.bin_edges.numpy(), rtol=1e-15)


def test_splits_match_torch():
    x = np.arange(24.0).reshape(2, 4, 3)
    for name, argument in [("hsplit", 2), ("hsplit", [1, 3]), ("vsplit", [1]), ("dsplit", 3), ("dsplit", [2])]:
        ours = getattr(Tensor(x), name)(argument)
        expected = getattr(torch.tensor(x), name)(argument)
        assert [p.data.tolist() for p in ours] == [p.tolist() for p in expected]
    assert [p.shape for p in Tensor(x).unsafe_chunk(3, 1)] == [
        tuple(p.shape) for p in torch.tensor(x).unsafe_chunk(3, 1)
    ]
    assert [p.shape for p in Tensor(x).unsafe_split(3, 1)] == [
        tuple(p.shape) for p in torch.tensor(x).unsafe_split(3, 1)
    ]


# -- in-place twins -----------------------------------------------------------------------------------------------------
def test_in_place_twins_match_torch():
    check_like_torch([(2, 3), (2, 4), (4, 3)], lambda c, a, b: (c * 1).addmm_(a, b, beta=0.5, alpha=2))
    check_like_torch([(2,), (2, 3), (3,)], lambda c, a, b: (c * 1).addmv_(a, b))
    check_like_torch([(2, 3), (2,), (3,)], lambda c, a, b: (c * 1).addr_(a, b, alpha=3))
    check_like_torch([(2, 2, 3), (2, 2, 4), (2, 4, 3)], lambda c, a, b: (c * 1).baddbmm_(a, b))
    check_like_torch([(2, 3), (5, 2, 4), (5, 4, 3)], lambda c, a, b: (c * 1).addbmm_(a, b, beta=0))
    check_like_torch([(3, 4)], lambda x: (x * 1).renorm_(2, 0, 0.8))
    check_like_torch([(3, 4)], lambda x: (x * 1).lgamma_(), low=0.1, high=3.0)
    check_like_torch([(3, 4)], lambda x: (x * 1).erfinv_())
    check_like_torch([(3, 4)], lambda x: (x * 1).polygamma_(3), low=0.1, high=3.0)
    check_like_torch([(3, 4)], lambda x: (x * 1).float_power_(2.5), low=0.1, high=3.0)
    check_like_torch([(3, 4), (4,)], lambda x, y: (x * 1).divide_(y, rounding_mode="trunc"), low=0.5, high=3.0)
    np.testing.assert_array_equal(
        Tensor([12, 18]).gcd_(Tensor([8, 27])).data, torch.tensor([12, 18]).gcd_(torch.tensor([8, 27])).numpy()
    )
    with pytest.raises(RuntimeError, match="float_power_"):
        torch.tensor([1.0]).float_power_(2)
    with pytest.raises(TypeError, match="float_power_"):
        Tensor(np.float32([1.0])).float_power_(2)


def test_random_draws_have_torch_shapes_and_dtypes():
    p = np.full((3, 4), 0.5)
    assert Tensor(p).bernoulli().dtype == torch.tensor(p).bernoulli().numpy().dtype
    weights = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 1.0]])
    ours = Tensor(weights).multinomial(2)
    expected = torch.tensor(weights).multinomial(2)
    assert ours.shape == tuple(expected.shape) and ours.dtype == expected.numpy().dtype


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
def test_multinomial_refuses_non_floating_weights_as_torch(dtype):
    counts = np.array([3, 0, 1], dtype=dtype)  # the bigram lecture's N[0] before .float()
    with pytest.raises(RuntimeError, match="floating"):
        torch.tensor(counts).multinomial(1)
    with pytest.raises(TypeError, match="multinomial.*floating"):
        Tensor(counts).multinomial(1)


# -- linear algebra ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [0.05, 1.0, 6.0])
def test_matrix_exp_matches_torch(scale):
    check_like_torch([(2, 4, 4)], torch.matrix_exp, lambda t: t.matrix_exp(), low=-scale, high=scale,
                     rtol=1e-11, atol=1e-11)  # fmt: skip


def test_cholesky_solve_and_inverse_match_torch_on_the_triangle():
    """Values, and gradients on the triangle read; the other triangle gets 0 here (torch's formula gives it one)."""
    lower = np.tril(RNG.uniform(-0.5, 0.5, size=(3, 3))) + 2 * np.eye(3)
    rhs, seed = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    for upper in (False, True):
        factor = lower.T if upper else lower
        read = np.triu(np.ones((3, 3))) if upper else np.tril(np.ones((3, 3)))
        b, u = (torch.tensor(a, requires_grad=True) for a in (rhs, factor))
        expected = b.cholesky_solve(u, upper=upper)
        (expected * torch.tensor(seed)).sum().backward()
        ours_b, ours_u = Tensor(rhs, requires_grad=True), Tensor(factor, requires_grad=True)
        got = ours_b.cholesky_solve(ours_u, upper=upper)
        (got * seed).sum().backward()
        np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours_b.grad, b.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours_u.grad, u.grad.numpy() * read, rtol=1e-12, atol=1e-15)

        u = torch.tensor(factor, requires_grad=True)
        expected = u.cholesky_inverse(upper=upper)
        (expected * torch.tensor(seed[:, :1] * seed[:, 1])).sum().backward()
        ours_u = Tensor(factor, requires_grad=True)
        got = ours_u.cholesky_inverse(upper=upper)
        (got * (seed[:, :1] * seed[:, 1])).sum().backward()
        np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours_u.grad, u.grad.numpy() * read, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_triangular_solve_matches_torch(upper, transpose, unitriangular):
    coefficient = RNG.uniform(-0.5, 0.5, size=(2, 3, 3)) + 2 * np.eye(3)
    rhs = RNG.normal(size=(3, 2))

    def call(b, a):
        options = {"upper": upper, "transpose": transpose, "unitriangular": unitriangular}
        if torch.is_tensor(b):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                solution, copy = torch.triangular_solve(b, a, **options)
        else:
            solution, copy = b.triangular_solve(a, **options)
        return solution.sum(-1) + (copy * copy).sum(-1)

    check_like_torch(None, call, values=[rhs, coefficient])


def test_svd_and_qr_values_match_torch():
    a = RNG.normal(size=(2, 5, 3))
    for some in (True, False):
        u, s, v = Tensor(a).svd(some=some)
        expected = torch.tensor(a).svd(some=some)
        np.testing.assert_allclose(s.data, expected.S.numpy(), rtol=1e-12)
        k = 3  # the singular vectors of the singular values, up to sign
        np.testing.assert_allclose(np.abs(u.data[..., :k]), np.abs(expected.U.numpy()[..., :k]), atol=1e-12)
        np.testing.assert_allclose(np.abs(v.data), np.abs(expected.V.numpy()), atol=1e-12)
        assert u.shape == tuple(expected.U.shape)
        q, r = Tensor(a).qr(some=some)
        expected_q, expected_r = torch.tensor(a).qr(some=some)
        np.testing.assert_allclose(q.data, expected_q.numpy(), atol=1e-12)
        np.testing.assert_allclose(r.data, expected_r.numpy(), atol=1e-12)
    u, s, v = Tensor(a).svd(compute_uv=False)
    expected = torch.tensor(a).svd(compute_uv=False)
    assert u.shape == tuple(expected.U.shape) and v.shape == tuple(expected.V.shape) and not u.data.any()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nextafter_gradient_is_one_wherever_self_differs_from_other_as_torch(dtype):
    # at an infinite or nan self (or other) the gradient was 0; torch's d/dself is 1 wherever self != other
    x = np.array([1.0, 2.0, 2.0, np.inf, -np.inf, np.nan, 1.0, 3.0, 0.0, -0.0, 1e38], dtype=dtype)
    y = np.array([2.0, 1.0, 2.0, 0.0, np.inf, 3.0, np.nan, np.inf, -0.0, 0.0, np.inf], dtype=dtype)
    upstream = np.arange(1.0, 12.0).astype(dtype)
    theirs = torch.tensor(x, requires_grad=True)
    expected = torch.nextafter(theirs, torch.tensor(y))
    (their_grad,) = torch.autograd.grad(expected, theirs, torch.tensor(upstream))
    ours = Tensor(x, requires_grad=True)
    got = ours.nextafter(Tensor(y))
    got.backward(upstream)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    assert ours.grad.dtype == dtype
    np.testing.assert_array_equal(ours.grad, their_grad.numpy())


def test_nextafter_of_a_constant_towards_a_tensor_that_requires_grad_gives_it_zeros_as_torch():
    # the result was outside the graph (autograd.grad refused it); torch's d/dother is zeros
    x, y = np.array([1.0, 2.0, np.inf]), np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 3.0]])
    theirs = torch.tensor(y, requires_grad=True)
    (expected,) = torch.autograd.grad(torch.nextafter(torch.tensor(x), theirs).sum(), theirs)
    ours = Tensor(y, requires_grad=True)
    got = Tensor(x).nextafter(ours)
    got.sum().backward()
    np.testing.assert_array_equal(ours.grad, expected.numpy())
