"""torch.special's names in autograd.special (expit, gammaln, psi, ndtr, ndtri, xlog1py, entr, multigammaln): values
against closed forms and math's functions, gradients against finite differences, and torch when it is installed."""

import math

import numpy as np
import pytest

import autograd.special as special
from autograd import Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(5)
X = RNG.normal(size=6) * 3
P = RNG.uniform(0.01, 0.99, size=6)
POSITIVE = np.abs(X) + 1.5


def test_expit_is_the_logistic_function_without_overflow():
    np.testing.assert_allclose(special.expit(Tensor(X)).data, 1 / (1 + np.exp(-X)), rtol=1e-15)
    assert special.expit(-1000.0) == 0.0 and special.expit(1000.0) == 1.0
    assert gradcheck(special.expit, [X])


def test_ndtr_is_the_normal_cdf_and_ndtri_its_inverse():
    expected = np.array([0.5 * math.erfc(-x / math.sqrt(2)) for x in X])
    np.testing.assert_allclose(special.ndtr(Tensor(X)).data, expected, rtol=1e-14)
    np.testing.assert_allclose(special.ndtr(special.ndtri(Tensor(P))).data, P, rtol=1e-12)
    assert special.ndtr(-40.0) == 0.5 * math.erfc(40 / math.sqrt(2))  # the far tail keeps its relative precision
    assert gradcheck(special.ndtr, [X]) and gradcheck(special.ndtri, [P])


def test_gammaln_and_psi_are_lgamma_and_digamma():
    np.testing.assert_allclose(special.gammaln(Tensor(POSITIVE)).data, [math.lgamma(v) for v in POSITIVE], rtol=1e-14)
    assert special.psi is special.digamma and special.gammaln is special.lgamma


def test_xlog1py_is_x_log1p_y_and_zero_where_x_is_zero():
    x, y = np.array([0.0, 1.0, 2.0, -1.5]), np.array([-1.0, 0.5, 3.0, 0.25])
    np.testing.assert_allclose(special.xlog1py(Tensor(x), Tensor(y)).data, [0.0, *(x[1:] * np.log1p(y[1:]))])
    assert gradcheck(lambda a, b: special.xlog1py(a, b), [x[1:], y[1:]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_xlog1py_keeps_a_tiny_y_in_value_and_gradients_as_torch(dtype):
    # log1p(y), not log(1 + y): 1 + 1e-20 rounds to 1, which gave 0 (and inf * log(1) = nan)
    torch = pytest.importorskip("torch")
    tiny = float(np.finfo(dtype).smallest_subnormal)
    x = np.array([1.0, 3.0, 1e30, -2.0, math.inf, 0.0, 2.0, 0.0, 1.5], dtype=dtype)
    y = np.array([1e-20, -1e-30, tiny, 1e-10, tiny, -1.0, -1.0, 0.5, 0.5], dtype=dtype)
    ours = [Tensor(a.copy(), requires_grad=True) for a in (x, y)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, y)]
    out, expected = special.xlog1py(*ours), torch.special.xlog1py(*theirs)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6, equal_nan=True)
    out.sum().backward()
    expected.sum().backward()
    for mine, reference in zip(ours, theirs):
        want = reference.grad.numpy()
        # d/dy where x = 0 and y = -1 is 0 here (torch: 0 / 0 = nan), as xlogy's
        want = np.where(np.isnan(want) & (x == 0) & (y == -1), 0.0, want)
        np.testing.assert_allclose(mine.grad, want, rtol=1e-6)


def test_xlog1py_of_values_is_recorded():
    from autograd import Value

    x, y = Value(2.0), Value(1e-20)
    out = special.xlog1py(x, y)
    out.backward()
    assert (out.data, x.grad, y.grad) == (2e-20, 1e-20, 2.0)


def test_entr_is_minus_x_log_x_with_its_limits():
    x = np.array([0.0, 0.3, 1.7, -0.5])
    out = special.entr(Tensor(x, requires_grad=True))
    np.testing.assert_allclose(out.data, [0.0, -0.3 * math.log(0.3), -1.7 * math.log(1.7), -math.inf])
    assert gradcheck(special.entr, [np.array([0.3, 1.7, 2.5])])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_entr_gradient_at_infinity_zero_negatives_and_nan_is_torchs(dtype):
    torch = pytest.importorskip("torch")
    # at 0 torch gives the one-sided inf and below 0 nan, where this gave 0
    x = np.array([math.inf, math.nan, 0.5, 2.0, 1e-30, 0.0, -0.0, -0.5, -math.inf], dtype=dtype)
    ours, theirs = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = special.entr(ours), torch.special.entr(theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6, equal_nan=True)
    out.sum().backward()
    expected.sum().backward()
    assert ours.grad.dtype == dtype
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-6)  # -inf at inf (was nan), nan at nan, inf at 0
    assert gradgradcheck(special.entr, [np.array([0.3, 1.7, 2.5])])


def test_multigammaln_is_the_log_of_the_multivariate_gamma_function():
    a = POSITIVE + 1.0
    p = 3
    expected = [p * (p - 1) / 4 * math.log(math.pi) + sum(math.lgamma(v + (1 - j) / 2) for j in range(1, p + 1))
                for v in a]  # fmt: skip
    np.testing.assert_allclose(special.multigammaln(Tensor(a), p).data, expected, rtol=1e-14)
    assert gradcheck(lambda v: special.multigammaln(v, p), [a])
    with pytest.raises(ValueError, match="greater than"):
        special.multigammaln(np.array([0.5]), 3)


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("expit", X),
        ("ndtr", X),
        ("ndtri", P),
        ("gammaln", POSITIVE),
        ("psi", POSITIVE),
        ("entr", np.abs(X) + 0.1),
        ("i1", X),
    ],  # fmt: skip
)
def test_the_names_match_torch_special(name, argument):
    torch = pytest.importorskip("torch")
    ours = Tensor(argument.copy(), requires_grad=True)
    theirs = torch.tensor(argument, requires_grad=True)
    out, expected = getattr(special, name)(ours), getattr(torch.special, name)(theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-8)  # (torch's trigamma is off by ~1e-10)


TAIL = np.array([1e-12, 1e-20, 1e-100, 1e-300, 1e-310, 5e-324, 0.01, 0.2])


def test_ndtri_keeps_the_lower_tails_precision_where_2p_minus_1_rounds_to_minus_1():
    # 2 p - 1 is -1 in float64 below p ~ 1e-17 (erfinv(-1) = -inf) and loses digits well before: the lower tail
    # inverts erfc(x) = 2 p instead; ndtr (from erfc, independent of ndtri) takes the quantiles back to p
    quantiles = special.ndtri(TAIL)
    assert np.isfinite(quantiles).all()
    normal = TAIL > 1e-300  # subnormal p: ndtr's own value there has only the digits the subnormal holds
    np.testing.assert_allclose(special.ndtr(quantiles[normal]), TAIL[normal], rtol=1e-13)
    np.testing.assert_allclose(special.ndtri(np.array([1e-20, 5e-324])), [-9.262340089798408, -38.467405617144344])
    assert special.ndtri(np.float32(1e-20)).dtype == np.float32
    np.testing.assert_array_equal(
        special.ndtri(np.array([0.0, 1.0, -1e-8, 1.5, np.nan])), [-np.inf, np.inf, *[np.nan] * 3]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ndtri_tail_values_and_gradients_match_torch(dtype):
    torch = pytest.importorskip("torch")
    points = np.array([*TAIL, 3e-39, 1e-45, 0.3, 0.9], dtype=dtype)
    points = points[points > 0]  # float32 flushes 1e-310 and 5e-324 to 0
    ours = Tensor(points.copy(), requires_grad=True)
    theirs = torch.tensor(points, requires_grad=True)
    out, expected = special.ndtri(ours), torch.special.ndtri(theirs)
    assert out.dtype == dtype
    np.testing.assert_allclose(
        out.data, expected.detach().numpy(), rtol=1e-14 if dtype == np.float64 else 5e-7
    )  # torch: float32 maths
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12 if dtype == np.float64 else 2e-6)


LGAMMA_ZEROS = np.array(
    [1 - 2**-53, 1 + 2**-52, 1 + 1e-12, 1 - 1e-8, 1.1, 0.9, 2 - 2**-52, 2 + 2**-51, 2 - 1e-12, 2.1, 1.9]
)


def test_lgamma_keeps_its_relative_precision_near_its_zeros_at_1_and_2_as_torchs():
    # CPython's math.lgamma (a Lanczos sum, not the C library's) is only accurate to ~1e-16 absolutely there:
    # lgamma(1 + 2^-52) came out 2.6 times too large and lgamma(2 - 2^-52) as 0
    torch = pytest.importorskip("torch")
    x = Tensor(LGAMMA_ZEROS.copy(), requires_grad=True)
    expected = torch.lgamma(torch.tensor(LGAMMA_ZEROS)).numpy()
    np.testing.assert_allclose(x.lgamma().data, expected, rtol=1e-14)
    np.testing.assert_allclose(special.lgamma(LGAMMA_ZEROS), expected, rtol=1e-14)
    # near 1 + z: -euler_gamma z + pi^2 / 12 z^2, by hand
    z = LGAMMA_ZEROS[:4] - 1
    np.testing.assert_allclose(
        special.lgamma(LGAMMA_ZEROS[:4]), -np.euler_gamma * z + math.pi**2 / 12 * z * z, rtol=1e-7
    )
    assert special.lgamma(Tensor(np.float32([1 + 2**-23]))).data[0] == np.float32(
        torch.lgamma(torch.tensor(1 + 2**-23))
    )


def test_i1_matches_torch_at_large_and_extreme_arguments():
    torch = pytest.importorskip("torch")
    # (not 713.9: I1 = 1.647e308 is finite there, ours too; torch forms e^x whole and gives inf)
    x = np.array([0.0, -0.0, 1e-300, 24.9, 25.1, -80.0, 700.0, 705.0, 800.0, np.inf, -np.inf, np.nan])
    for dtype in (np.float64, np.float32):
        ours = special.i1(x.astype(dtype))
        theirs = torch.special.i1(torch.tensor(x.astype(dtype))).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-14 if dtype == np.float64 else 2e-7)


@pytest.mark.parametrize("name", ["i0e", "i1e"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_scaled_bessel_values_and_gradients_match_torch(name, dtype):
    torch = pytest.importorskip("torch")
    big = 1e300 if dtype == np.float64 else 1e38
    x = np.array([0.0, 1e-300, 1e-7, 0.5, -3.0, 24.9, 25.1, -100.0, 800.0, big, np.inf, -np.inf, np.nan], dtype)
    ours = getattr(special, name)(x)
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-14 if dtype == np.float64 else 2e-7)
    finite = x[np.isfinite(x)]
    mine, their = Tensor(finite.copy(), requires_grad=True), torch.tensor(finite, requires_grad=True)
    getattr(special, name)(mine).sum().backward()
    getattr(torch.special, name)(their).sum().backward()
    # (float32: the derivative is a difference of two rounded values of size up to 0.1, i1e - i0e, in both)
    tolerance = {"rtol": 1e-13, "atol": 1e-300} if dtype == np.float64 else {"rtol": 2e-6, "atol": 3e-8}
    np.testing.assert_allclose(mine.grad, their.grad.numpy(), **tolerance)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_erfcx_values_and_gradients_match_torch(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([-26.0, -9.0, -0.5, 0.0, 1e-30, 0.7, 1.0, 1.99, 2.0, 5.0, 27.0, 1e6, np.inf, -np.inf, np.nan], dtype)
    ours = special.erfcx(x)
    assert ours.dtype == torch.special.erfcx(torch.tensor(x)).numpy().dtype
    # against torch's float64 at the same inputs, rounded (torch's float32 kernel is off by up to ~2 ulps: at 1.99
    # it gives 0.25646791, the correctly rounded value being ours, 0.25646785)
    with np.errstate(over="ignore"):  # (erfcx(-26) = 7.7e293 rounds to float32's inf)
        theirs = torch.special.erfcx(torch.tensor(x.astype(np.float64))).numpy().astype(dtype)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14 if dtype == np.float64 else 6e-8)
    finite = x[np.isfinite(x) & (np.abs(x) < 100)]
    mine, their = Tensor(finite.copy(), requires_grad=True), torch.tensor(finite, requires_grad=True)
    special.erfcx(mine).sum().backward()
    torch.special.erfcx(their).sum().backward()
    # (2 x erfcx(x) - 2/sqrt(pi) cancels for large x in both: compared to its terms' rounding, 2/sqrt(pi) eps)
    atol = 1e-15 if dtype == np.float64 else 3e-7
    np.testing.assert_allclose(mine.grad, their.grad.numpy(), rtol=1e-13 if dtype == np.float64 else 2e-6, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_ndtr_values_and_gradients_match_torch(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([-1e4, -40.0, -9.0, -2.9, -0.5, 0.0, 1e-30, 0.7, 1.5, 5.0, 9.0, 30.0, np.inf, -np.inf, np.nan], dtype)
    ours = special.log_ndtr(x)
    assert ours.dtype == torch.special.log_ndtr(torch.tensor(x)).numpy().dtype
    # against torch's float64 at the same inputs, rounded (its float32 kernel is computed in float32)
    theirs = torch.special.log_ndtr(torch.tensor(x.astype(np.float64))).numpy().astype(dtype)
    # (rtol 1e-13: at 30 torch's value is 3.3e-14 off mpmath's -4.906713927148187e-198, which ours matches)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13 if dtype == np.float64 else 6e-8)
    finite = x[np.isfinite(x) & (np.abs(x) < 100)]
    mine, their = Tensor(finite.copy(), requires_grad=True), torch.tensor(finite, requires_grad=True)
    their = torch.tensor(finite.astype(np.float64), requires_grad=True)  # (float32's formula cancels: -40 loses 3%)
    special.log_ndtr(mine).sum().backward()
    torch.special.log_ndtr(their).sum().backward()
    np.testing.assert_allclose(mine.grad, their.grad.numpy().astype(dtype), rtol=1e-12 if dtype == np.float64 else 1e-6)


@pytest.mark.parametrize("x", [-1e4, -4988429.2, -1e10, -1e20, -1e150])
def test_log_ndtr_gradient_far_below_zero_is_the_inverse_mills_ratio(x):
    # Phi(x) / phi(x) = (1 - 1/x^2 + 3/x^4 - 15/x^6 ...) / |x| as x -> -inf: three terms leave < 1e-20 at |x| >= 1e4
    point = Tensor(np.array([x]), requires_grad=True)
    special.log_ndtr(point).sum().backward()
    inverse_square = 1 / (x * x)
    mills = (1 - inverse_square + 3 * inverse_square**2 - 15 * inverse_square**3) / abs(x)
    assert point.grad[0] == pytest.approx(1 / mills, rel=1e-14)


def test_log_ndtr_second_derivative_matches_finite_differences_in_both_regimes():
    x = np.array([-60.0, -10.0, -3.0, -2.8, -1.0, 0.0, 2.0, 6.0])  # below and above the tail's bound -2 sqrt 2
    assert gradgradcheck(special.log_ndtr, [x])


@pytest.mark.parametrize("name", ["i1", "i1e"])
def test_i1_and_i1e_gradients_at_nan_and_near_zero_are_torchs(name):
    torch = pytest.importorskip("torch")
    x = np.array([np.nan, 0.0, -0.0, 1e-300, -3e-6, 0.25, -7.5, 40.0])
    mine, their = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    getattr(special, name)(mine).sum().backward()
    getattr(torch.special, name)(their).sum().backward()
    np.testing.assert_allclose(mine.grad, their.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("erf", {"input": X}),
        ("digamma", {"input": POSITIVE}),
        ("psi", {"input": POSITIVE}),
        ("i0", {"input": X}),
        ("ndtri", {"input": P}),
        ("xlog1py", {"input": POSITIVE, "other": P}),
        ("gammainc", {"input": POSITIVE, "other": P}),
        ("polygamma", {"n": 2, "input": POSITIVE}),
        ("multigammaln", {"input": POSITIVE + 1, "p": 2}),
    ],
)
def test_special_functions_take_torchs_keyword_names(name, arguments):
    """torch.special's functions name their tensor ``input`` (and a second one ``other``): a port that spells
    ``special.polygamma(n=1, input=x)`` or ``special.erf(input=x)`` was a TypeError for the library's ``x``."""
    torch = pytest.importorskip("torch")
    ours = {key: Tensor(value) if isinstance(value, np.ndarray) else value for key, value in arguments.items()}
    theirs = {key: torch.tensor(value) if isinstance(value, np.ndarray) else value for key, value in arguments.items()}
    expected = getattr(torch.special, name)(**theirs).numpy()
    np.testing.assert_allclose(getattr(special, name)(**ours).data, expected, rtol=1e-10)


def test_ndtr_entr_and_xlog1py_keep_a_float32_arrays_dtype_and_give_a_float_of_numbers():
    # (as erf, ndtri, log_ndtr and the others: they cast every array to float64, and numbers to numpy's float64)
    values = np.array([0.25, 0.5, 2.0], dtype=np.float32)
    for result in (special.ndtr(values), special.entr(values), special.xlog1py(values, values)):
        assert result.dtype == np.float32
    for result in (special.xlog1py(2.0, values), special.xlog1py(values, 1), special.gammainc(2.0, values)):
        assert result.dtype == np.float32  # (a number beside a float32 array, as beside a float32 tensor)
    assert special.ndtr(np.float32(0.5)).dtype == np.float32
    for result in (special.ndtr(0.5), special.entr(0.5), special.xlog1py(2.0, 0.5), special.ndtr(1)):
        assert type(result) is float
    np.testing.assert_allclose(special.entr(values), -values * np.log(values), rtol=1e-6)
    np.testing.assert_allclose(special.ndtr(values), [0.5 * math.erfc(-v / math.sqrt(2)) for v in values], rtol=1e-6)
