"""torch's Tensor methods of the second round (special functions, scatter variants, in-place twins, linear algebra),
checked without torch: identities of the special functions, finite differences (gradcheck, gradgradcheck), and the
values the methods are defined by."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value

RNG = np.random.default_rng(7)
EULER_GAMMA = 0.5772156649015329
APERY = 1.2020569031595942  # zeta(3)


# -- special functions: identities ----------------------------------------------------------------------------
def test_erfinv_inverts_erf_to_float64_precision_up_to_one():
    y = np.concatenate([np.linspace(-0.999, 0.999, 4001), 1 - np.logspace(-16, -3, 200), np.logspace(-300, -1, 50)])
    x = Tensor(y).erfinv()
    np.testing.assert_allclose(Tensor(x.data).erf().data, y, rtol=1e-14)
    tail = y > 0.5  # there 1 - y is exact, and erfc(x) must give it back
    np.testing.assert_allclose(Tensor(x.data[tail]).erfc().data, 1 - y[tail], rtol=1e-12)
    assert list(Tensor([1.0, -1.0, 1.5, 0.0]).erfinv().data[:2]) == [math.inf, -math.inf]
    assert np.isnan(Tensor([1.5]).erfinv().data[0])


def test_erfc_matches_the_standard_library_far_into_the_tail():
    x = np.linspace(-6, 26, 3201)
    np.testing.assert_allclose(Tensor(x).erfc().data, [math.erfc(v) for v in x], rtol=1e-13)
    assert Value(3.0).erfc().data == pytest.approx(math.erfc(3.0), rel=1e-15)


def test_lgamma_is_the_standard_library_with_inf_at_the_poles():
    """math.lgamma's values, except on [1/2, 5/2] around the zeros at 1 and 2, where a series keeps the relative
    precision that math.lgamma has only in absolute terms (so there they agree to float64's absolute precision)."""
    x = np.concatenate([np.linspace(-50.5, 170, 2001), [1e308]])  # lgamma(1e308) overflows
    expected = np.array([math.lgamma(v) for v in x[:-1]] + [math.inf])
    ours = Tensor(x).lgamma().data
    between_the_zeros = (x >= 0.5) & (x < 2.5)
    np.testing.assert_array_equal(ours[~between_the_zeros], expected[~between_the_zeros])
    np.testing.assert_allclose(ours[between_the_zeros], expected[between_the_zeros], rtol=0, atol=2e-15)
    assert list(Tensor([0.0, -3.0, -math.inf, math.inf]).lgamma().data) == [math.inf] * 4


def test_digamma_satisfies_its_recurrence_reflection_and_known_values():
    x = np.linspace(0.05, 60, 1201)
    psi = Tensor(x).digamma().data
    np.testing.assert_allclose(psi, Tensor(x + 1).digamma().data - 1 / x, rtol=1e-13, atol=1e-14)
    negative = -x[(x % 1 > 0.05) & (x % 1 < 0.95)]  # reflection: psi(1 - x) - psi(x) = pi cot(pi x)
    np.testing.assert_allclose(
        Tensor(1 - negative).digamma().data - Tensor(negative).digamma().data,
        math.pi / np.tan(math.pi * negative),
        rtol=1e-11,
        atol=1e-12,
    )
    assert Tensor([1.0]).digamma().data[0] == pytest.approx(-EULER_GAMMA, rel=1e-15)
    assert Tensor([0.5]).digamma().data[0] == pytest.approx(-EULER_GAMMA - 2 * math.log(2), rel=1e-15)
    large = Tensor([1e15, 1e300]).digamma().data
    np.testing.assert_allclose(large, np.log([1e15, 1e300]) - 0.5 / np.array([1e15, 1e300]), rtol=1e-15)
    at_poles = Tensor([0.0, -0.0, -1.0, -7.0]).digamma().data
    assert at_poles[0] == -math.inf and at_poles[1] == math.inf and np.isnan(at_poles[2:]).all()


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_polygamma_satisfies_its_recurrence_and_reflection(n):
    x = np.linspace(0.05, 40, 801)
    sign_factorial = (-1) ** n * math.factorial(n)  # psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1): one sign
    np.testing.assert_allclose(
        Tensor(x).polygamma(n).data, Tensor(x + 1).polygamma(n).data - sign_factorial / x ** (n + 1), rtol=1e-13
    )
    negative = np.array([-0.5, -1.25, -3.7, -10.1])  # the recurrence carries the positive values across 0
    shifted = negative + np.ceil(-negative)
    expected = Tensor(shifted).polygamma(n).data
    for k in range(int(np.ceil(-negative).max())):
        inside = np.ceil(-negative) > k
        expected = np.where(inside, expected - sign_factorial / (negative + k) ** (n + 1), expected)
    np.testing.assert_allclose(Tensor(negative).polygamma(n).data, expected, rtol=1e-10)


def test_polygamma_known_values_and_poles():
    assert Tensor([1.0]).polygamma(1).data[0] == pytest.approx(math.pi**2 / 6, rel=1e-15)
    assert Tensor([1.0]).polygamma(2).data[0] == pytest.approx(-2 * APERY, rel=1e-15)
    assert Tensor([0.5]).polygamma(1).data[0] == pytest.approx(math.pi**2 / 2, rel=1e-15)
    assert Tensor([2.0]).polygamma(0).data[0] == pytest.approx(1 - EULER_GAMMA, rel=1e-15)
    np.testing.assert_array_equal(Tensor([0.0, -2.0]).polygamma(2).data, [-math.inf, -math.inf])
    np.testing.assert_array_equal(Tensor([0.0, -2.0]).polygamma(3).data, [math.inf, math.inf])
    with pytest.raises(ValueError, match="polygamma"):
        Tensor([1.0]).polygamma(-1)
    with pytest.raises(TypeError, match="polygamma"):
        Tensor([1.0]).polygamma(1.5)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_just_below_zero_overflows_to_plus_inf(n):
    # psi^(n)(x) ~ n! / |x|^(n+1) for x -> 0 from below (each order): beyond float64 for these x, cot(pi x) too
    x = np.array([-1e-310, -5e-324, -2e-309, -1e-300])
    np.testing.assert_array_equal(Tensor(x).polygamma(n).data, np.full(4, np.inf))
    leaf = Tensor(x[:1], requires_grad=True)
    leaf.polygamma(n - 1).sum().backward()  # the derivative of the order below
    np.testing.assert_array_equal(leaf.grad, [np.inf])


def test_i0_matches_its_power_series_and_its_slope_is_i1():
    x = np.linspace(-30, 30, 601)
    term, series, odd_term, odd_series = np.ones_like(x), np.ones_like(x), x / 2, x / 2
    for k in range(1, 120):  # I0 = sum (x/2)^2k / k!^2, I1 = sum (x/2)^(2k+1) / (k! (k+1)!): terms of one sign
        term = term * (x / 2) ** 2 / (k * k)
        odd_term = odd_term * (x / 2) ** 2 / (k * (k + 1))
        series, odd_series = series + term, odd_series + odd_term
    np.testing.assert_allclose(Tensor(x).i0().data, series, rtol=1e-14)
    t = Tensor(x, requires_grad=True)
    t.i0().sum().backward()
    np.testing.assert_allclose(t.grad, odd_series, rtol=1e-13)


def test_special_functions_keep_float32_and_make_integers_float64():
    for name in ("erfc", "erfinv", "lgamma", "digamma", "i0"):
        assert getattr(Tensor(np.float32([0.25])), name)().dtype == np.float32
        assert getattr(Tensor([0, 1]), name)().dtype == np.float64
    assert Tensor(np.float32([0.25])).polygamma(2).dtype == np.float32


def test_value_special_functions_and_their_gradients():
    x = Value(0.7)
    y = x.lgamma() + x.digamma() + x.polygamma(2) + x.erfc() + (x * 0.5).erfinv() + x.i0()
    y.backward()
    h = 1e-6
    numeric = sum(
        (f(0.7 + h) - f(0.7 - h)) / (2 * h)
        for f in (
            lambda v: Value(v).lgamma().data,
            lambda v: Value(v).digamma().data,
            lambda v: Value(v).polygamma(2).data,
            math.erfc,
            lambda v: Value(v * 0.5).erfinv().data,
            lambda v: Value(v).i0().data,
        )
    )
    assert x.grad == pytest.approx(numeric, rel=1e-7)


# -- special functions: derivatives by finite differences --------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "points"),
    [
        (lambda t: t.erfc(), [-2.0, 0.3, 3.5]),
        (lambda t: t.erfinv(), [-0.95, 0.1, 0.8]),
        (lambda t: t.lgamma(), [-2.5, 0.4, 7.0]),
        (lambda t: t.digamma(), [-1.3, 0.4, 9.0]),
        (lambda t: t.polygamma(1), [-1.3, 0.4, 9.0]),
        (lambda t: t.polygamma(3), [-0.6, 0.8, 5.0]),
        (lambda t: t.i0(), [-4.0, 0.0, 2.5]),
        (lambda t: t.mvlgamma(3), [1.4, 2.0, 6.5]),
    ],
)
def test_special_function_first_and_second_derivatives_match_finite_differences(call, points):
    x = np.array(points)
    assert ag.gradcheck(call, (x,))
    assert ag.gradgradcheck(call, (x,))


def test_mvlgamma_is_a_sum_of_lgammas():
    x = np.array([2.0, 3.5])
    expected = [3 / 2 * math.log(math.pi) + sum(math.lgamma(v - i / 2) for i in range(3)) for v in x]
    np.testing.assert_allclose(Tensor(x).mvlgamma(3).data, expected, rtol=1e-14)
    with pytest.raises(ValueError, match="mvlgamma"):
        Tensor(x).mvlgamma(0)


# -- elementwise composites and aliases ---------------------------------------------------------------------------
def test_ldexp_hardshrink_prelu_divide_gradients():
    x, e = RNG.normal(size=(2, 3, 2)), RNG.normal(size=(2, 3, 2))
    assert ag.gradcheck(lambda a, b: a.ldexp(b), (x, e))
    np.testing.assert_allclose(Tensor([3.0]).ldexp(Tensor([4])).data, [48.0])
    assert ag.gradcheck(lambda a: a.hardshrink(0.3), (np.array([-1.0, -0.1, 0.2, 0.9]),))
    np.testing.assert_array_equal(Tensor([-1.0, -0.5, 0.2, 0.7, np.nan]).hardshrink().data, [-1, 0, 0, 0.7, np.nan])
    w = np.array([0.1, 0.2, 0.3])
    assert ag.gradcheck(lambda a, b: a.prelu(b), (x, w))
    assert ag.gradcheck(lambda a, b: a.prelu(b), (x, np.array([0.25])))
    with pytest.raises(ValueError, match="prelu"):
        Tensor(np.ones(3)).prelu(Tensor(w))
    assert ag.gradcheck(lambda a, b: a.divide(b), (x, e + 3))
    np.testing.assert_array_equal(Tensor([-7.0, 7.0]).divide(2.0, rounding_mode="trunc").data, [-3.0, 3.0])


def test_ger_vdot_and_view_predicates():
    a, b = RNG.normal(size=3), RNG.normal(size=4)
    np.testing.assert_allclose(Tensor(a).ger(Tensor(b)).data, np.outer(a, b))
    assert ag.gradcheck(lambda x, y: x.vdot(y), (a, a[::-1].copy()))
    with pytest.raises(ValueError, match="vdot"):
        Tensor(a).vdot(Tensor(b))
    with pytest.raises(ValueError, match="ger"):
        Tensor(np.ones((2, 2))).ger(Tensor(b))
    t = Tensor(a)
    assert (t.is_conj(), t.is_neg(), t.is_shared(), t.is_pinned()) == (False, False, False, False)


def test_frexps_exponent_is_a_constant_and_the_mantissa_is_differentiable():
    x = Tensor([0.0, 3.0, -5.5, 1e-310], requires_grad=True)
    mantissa, exponent = x.frexp()
    np.testing.assert_array_equal(mantissa.data * 2.0 ** exponent.data.astype(float), x.data)
    assert exponent.dtype == np.int32 and not exponent.requires_grad and mantissa.requires_grad
    after = x.nextafter(Tensor([1.0, 4.0, -6.0, 0.0]))
    assert after.data[1] == np.nextafter(3.0, 4.0)
    with pytest.raises(TypeError, match="frexp"):
        Tensor([1, 2]).frexp()


def test_bernoulli_draws_with_the_tensor_as_probabilities():
    p = Tensor(np.full(20000, 0.3), requires_grad=True)
    draws = p.bernoulli(generator=1)
    assert draws.requires_grad and draws.dtype == np.float64 and set(np.unique(draws.data)) <= {0.0, 1.0}
    assert abs(draws.data.mean() - 0.3) < 0.02
    assert abs(p.bernoulli(0.8, generator=2).data.mean() - 0.8) < 0.02
    np.testing.assert_array_equal(Tensor([0.0, 1.0]).bernoulli(generator=3).data, [0.0, 1.0])
    with pytest.raises(ValueError, match="bernoulli"):
        Tensor([1.5]).bernoulli()


def test_multinomial_frequencies_and_no_repeats_without_replacement():
    weights = Tensor([[1.0, 0.0, 3.0], [2.0, 2.0, 0.0]])
    draws = weights.multinomial(4000, replacement=True, generator=0).data
    assert draws.shape == (2, 4000) and draws.dtype == np.int64
    assert abs((draws[0] == 2).mean() - 0.75) < 0.03 and not (draws[0] == 1).any() and not (draws[1] == 2).any()
    once = Tensor([0.0, 1.0, 2.0]).multinomial(3, generator=1).data
    assert sorted(once.tolist()) == [0, 1, 2] and once[-1] == 0  # the zero-weight category comes last
    firsts = [Tensor([1.0, 3.0]).multinomial(1, generator=seed).data[0] for seed in range(2000)]
    assert abs(np.mean(firsts) - 0.75) < 0.03
    with pytest.raises(ValueError, match="multinomial"):
        Tensor([1.0, 1.0]).multinomial(3)
    with pytest.raises(ValueError, match="multinomial"):
        Tensor([-1.0, 1.0]).multinomial(1)


# -- scatter variants, index_reduce, histogram, splits -------------------------------------------------------------
def test_scatter_variants_write_the_source_and_split_the_gradient():
    x = RNG.normal(size=(3, 4, 2))
    np.testing.assert_array_equal(Tensor(x).select_scatter(Tensor(np.zeros((3, 2))), 1, -1).data[:, 3], 0)
    assert ag.gradcheck(lambda a, s: a.select_scatter(s, 1, 2), (x, RNG.normal(size=(3, 2))))
    assert ag.gradcheck(lambda a, s: a.slice_scatter(s, 1, 1, None, 2), (x, RNG.normal(size=(3, 2, 2))))
    assert ag.gradcheck(lambda a, s: a.diagonal_scatter(s, -1, 0, 1), (x, RNG.normal(size=(2, 2))))
    assert ag.gradcheck(lambda a, s: a.diagonal_scatter(s, 1, 2, 1), (x, RNG.normal(size=(3, 2))))
    placed = Tensor(np.zeros((3, 4))).diagonal_scatter(Tensor([1.0, 2.0, 3.0]), 1).data
    np.testing.assert_array_equal(placed, np.diag([1.0, 2.0, 3.0], 1)[:3])
    with pytest.raises(ValueError, match="slice_scatter"):
        Tensor(x).slice_scatter(Tensor(np.ones((3, 3, 2))), 1, 0, 2)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_values_and_gradients(reduce, include_self):
    x, source = RNG.normal(size=(4, 3)), RNG.normal(size=(5, 3))
    index = np.array([0, 2, 0, 3, 0])
    result = Tensor(x).index_reduce(0, index, Tensor(source), reduce, include_self=include_self).data
    combine = {"prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce]
    for row in range(4):
        parts = ([x[row]] if include_self else []) + [source[i] for i in np.flatnonzero(index == row)]
        expected = combine(parts, axis=0) if row in index else x[row]
        np.testing.assert_allclose(result[row], expected, rtol=1e-14)
    assert ag.gradcheck(lambda a, s: a.index_reduce(0, index, s, reduce, include_self=include_self), (x, source))
    y = Tensor(x.copy())
    y.index_reduce_(0, index, Tensor(source), reduce, include_self=include_self)
    np.testing.assert_array_equal(y.data, result)


def test_histogram_matches_numpy_and_checks_its_arguments():
    data = RNG.normal(size=500)
    weights = RNG.uniform(size=500)
    hist, edges = Tensor(data).histogram(7, range=(-2.0, 2.5), weight=Tensor(weights), density=True)
    expected, expected_edges = np.histogram(data, 7, range=(-2.0, 2.5), weights=weights, density=True)
    np.testing.assert_allclose(hist.data, expected)
    np.testing.assert_allclose(edges.data, expected_edges)
    hist, edges = Tensor([1.0, 1.0, 1.0]).histogram(3)
    np.testing.assert_allclose(edges.data, [0.5, 5 / 6, 7 / 6, 1.5])
    np.testing.assert_array_equal(Tensor([1.0, 2.0, 1.0]).histogram(Tensor([0.0, 1.5, 3.0])).hist.data, [2, 1])
    with pytest.raises(TypeError, match="histogram"):
        Tensor([1, 2]).histogram()


def test_unsafe_and_directional_splits():
    x = Tensor(np.arange(24.0).reshape(2, 4, 3))
    assert [p.shape for p in x.hsplit(2)] == [(2, 2, 3)] * 2
    assert [p.shape for p in x.vsplit([1])] == [(1, 4, 3), (1, 4, 3)]
    assert [p.shape for p in x.dsplit(3)] == [(2, 4, 1)] * 3
    assert [p.shape for p in Tensor(np.arange(6.0)).hsplit(3)] == [(2,)] * 3
    with pytest.raises(ValueError, match="hsplit"):
        x.hsplit(3)
    with pytest.raises(ValueError, match="dsplit"):
        Tensor(np.ones((2, 2))).dsplit(2)
    assert [p.shape for p in x.unsafe_split(3, 1)] == [(2, 3, 3), (2, 1, 3)]
    assert [p.shape for p in x.unsafe_chunk(2, 2)] == [(2, 4, 2), (2, 4, 1)]
    assert [p.shape for p in x.unsafe_split_with_sizes([1, 3], 1)] == [(2, 1, 3), (2, 3, 3)]


# -- in-place twins ---------------------------------------------------------------------------------------------------
def test_in_place_twins_write_the_out_of_place_result_and_record_on_non_leaves():
    leaf = Tensor(RNG.uniform(0.2, 0.8, size=4), requires_grad=True)
    for name, args in [("erfc", ()), ("erfinv", ()), ("lgamma", ()), ("digamma", ()), ("i0", ()), ("polygamma", (2,))]:
        y = leaf * 1
        getattr(y, name + "_")(*args)
        np.testing.assert_array_equal(y.data, getattr(leaf, name)(*args).data)
        (g,) = ag.grad(y.sum(), [leaf])
        (expected,) = ag.grad(getattr(leaf, name)(*args).sum(), [leaf])
        np.testing.assert_allclose(g, expected)
    with pytest.raises(TypeError):
        Tensor([1, 2]).lgamma_()
    a, m = Tensor(RNG.normal(size=(2, 3))), Tensor(RNG.normal(size=(2, 4)))
    expected = a.addmm(m, Tensor(RNG.normal(size=(4, 3))), beta=0.5).data
    a.addmm_(m, Tensor(RNG.normal(size=(4, 3))), beta=0.5)
    assert a.data.shape == expected.shape
    ints = Tensor([4, 6])
    ints.gcd_(Tensor([6, 9]))
    np.testing.assert_array_equal(ints.data, [2, 3])
    ints.lcm_(Tensor([3, 2]))
    np.testing.assert_array_equal(ints.data, [6, 6])
    half = Tensor([7.0, -7.0])
    half.divide_(2.0, rounding_mode="floor")
    np.testing.assert_array_equal(half.data, [3.0, -4.0])
    power = Tensor([2.0, 3.0])
    power.float_power_(2)
    np.testing.assert_array_equal(power.data, [4.0, 9.0])
    with pytest.raises(TypeError, match="float_power_"):
        Tensor(np.float32([2.0])).float_power_(2)
    rows = Tensor(np.array([[3.0, 4.0], [0.3, 0.4]]))
    rows.renorm_(2, 0, 1.0)
    np.testing.assert_allclose(np.linalg.norm(rows.data, axis=1), [1.0, 0.5], rtol=1e-6)


def test_matrix_product_twins_are_recorded():
    base = Tensor(RNG.normal(size=(2, 3)), requires_grad=True)
    vec = Tensor(RNG.normal(size=3), requires_grad=True)
    for name, operands in [
        ("addmv", (Tensor(RNG.normal(size=(3, 3))), vec)),
        ("addr", (Tensor(RNG.normal(size=2)), vec)),
        ("baddbmm", (Tensor(RNG.normal(size=(1, 2, 4))), Tensor(RNG.normal(size=(1, 4, 3))))),
        ("addbmm", (Tensor(RNG.normal(size=(5, 2, 4))), Tensor(RNG.normal(size=(5, 4, 3))))),
    ]:
        target = base.reshape(1, 2, 3) * 1 if name == "baddbmm" else base * 1
        if name == "addmv":
            target = base[0] * 1
        expected = getattr(target, name)(*operands)
        getattr(target, name + "_")(*operands)
        np.testing.assert_allclose(target.data, expected.data)
        assert target.grad_fn is not None


# -- linear algebra ----------------------------------------------------------------------------------------------------
def test_matrix_exp_values_and_derivatives():
    diagonal = np.diag([0.5, -1.0, 2.0])
    np.testing.assert_allclose(Tensor(diagonal).matrix_exp().data, np.diag(np.exp([0.5, -1.0, 2.0])))
    a = RNG.normal(size=(2, 3, 3)) * 4  # large enough to be scaled and squared
    symmetric = a + np.swapaxes(a, -1, -2)  # e^S = V diag(e^w) V^T
    w, v = np.linalg.eigh(symmetric)
    expected = v * np.exp(w)[:, None, :] @ np.swapaxes(v, -1, -2)
    got = Tensor(symmetric).matrix_exp().data
    np.testing.assert_allclose(got, expected, atol=1e-13 * np.abs(expected).max())
    nilpotent = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]])
    expected = np.eye(3) + nilpotent + nilpotent @ nilpotent / 2
    np.testing.assert_allclose(Tensor(nilpotent).matrix_exp().data, expected, rtol=1e-14, atol=1e-15)
    assert ag.gradcheck(lambda t: t.matrix_exp(), (a[0],))
    assert ag.gradgradcheck(lambda t: t.matrix_exp(), (a[0] / 8,))


def test_matrix_exp_of_float16_is_computed_in_float32_and_rounded_once():
    # the [13/13] Pade coefficients (up to 6.5e16) overflowed float16 to inf and numpy's solve refused float16;
    # torch 2.13's own float16 matrix_exp gives -20896 for e, so the reference is the power series in float64
    a = np.array([[0.5, -1.25, 0.25], [-1.0, 1.0, 0.75], [0.5, 0.75, -2.0]])

    def expm(m):
        total, term = np.eye(3), np.eye(3)
        for k in range(1, 60):
            term = term @ m / k
            total = total + term
        return total

    x = Tensor(a.astype(np.float16), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning on the way
        result = x.matrix_exp()
        result.sum().backward()
    assert result.dtype == np.float16 and x.grad.dtype == np.float16
    exact = a.astype(np.float16).astype(np.float64)
    np.testing.assert_allclose(result.data.astype(np.float64), expm(exact), rtol=2e-3, atol=2e-3)
    # d sum(e^A) / dA by central differences of the float64 reference
    step, slope = 1e-6, np.zeros((3, 3))
    for i, j in np.ndindex(3, 3):
        bump = np.zeros((3, 3))
        bump[i, j] = step
        slope[i, j] = (expm(exact + bump).sum() - expm(exact - bump).sum()) / (2 * step)
    np.testing.assert_allclose(np.asarray(x.grad, np.float64), slope, rtol=5e-3, atol=5e-3)


def test_cholesky_solve_inverse_and_triangular_solve():
    lower = np.tril(RNG.normal(size=(3, 3))) + 3 * np.eye(3)
    b = RNG.normal(size=(3, 2))
    solution = Tensor(b).cholesky_solve(Tensor(lower))
    np.testing.assert_allclose(lower @ lower.T @ solution.data, b, atol=1e-12)
    upper_solution = Tensor(b).cholesky_solve(Tensor(lower.T + np.tril(np.ones((3, 3)), -1)), upper=True)
    np.testing.assert_allclose(upper_solution.data, solution.data, atol=1e-12)
    inverse = Tensor(lower).cholesky_inverse()
    np.testing.assert_allclose(inverse.data @ lower @ lower.T, np.eye(3), atol=1e-12)
    assert ag.gradcheck(lambda x, u: x.cholesky_solve(u), (b, lower))
    assert ag.gradcheck(lambda u: u.cholesky_inverse(upper=True), (lower.T,))
    a = RNG.normal(size=(2, 3, 3)) + 3 * np.eye(3)
    x, clone = Tensor(b).triangular_solve(Tensor(a), upper=False, unitriangular=True)
    unit = np.tril(a, -1) + np.eye(3)
    np.testing.assert_allclose(unit @ x.data, np.broadcast_to(b, (2, 3, 2)), atol=1e-12)
    np.testing.assert_array_equal(clone.data, a)
    transposed, _ = Tensor(b).triangular_solve(Tensor(a[0]), transpose=True)
    np.testing.assert_allclose(np.triu(a[0]).T @ transposed.data, b, atol=1e-12)

    def both_outputs(x, coefficient):
        solution, copy = x.triangular_solve(coefficient)
        return solution.sum() + (copy * copy).sum()

    assert ag.gradcheck(both_outputs, (b, a[0]))


def test_svd_and_qr_values_reconstruct_the_matrix():
    a = RNG.normal(size=(2, 4, 3))
    u, s, v = Tensor(a).svd()
    assert (u.shape, s.shape, v.shape) == ((2, 4, 3), (2, 3), (2, 3, 3))
    np.testing.assert_allclose(u.data * s.data[:, None, :] @ np.swapaxes(v.data, -1, -2), a, atol=1e-12)
    assert np.all(np.diff(s.data, axis=-1) <= 0)
    u, s, v = Tensor(a).svd(some=False)
    assert (u.shape, v.shape) == ((2, 4, 4), (2, 3, 3))
    u, s, v = Tensor(a).svd(compute_uv=False)
    assert not u.data.any() and not v.data.any() and u.shape == (2, 4, 4)
    q, r = Tensor(a).qr()
    np.testing.assert_allclose(q.data @ r.data, a, atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(q.data, -1, -2) @ q.data, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)
    assert np.allclose(np.tril(r.data, -1), 0)
    assert Tensor(a).qr(some=False).Q.shape == (2, 4, 4)
