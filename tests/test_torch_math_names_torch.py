"""torch's Tensor math methods (autograd/torch_math_names.py) against torch itself: values and gradients through
tests/torch_oracle.py (skipped without torch). tests/test_torch_math_names.py checks the same methods without torch.

Where the two libraries choose differently on purpose (see the module docstring of autograd/torch_math_names.py),
the cases stay off those points: no ties for kthvalue, no all-NaN slices for nanmedian's index.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from torch_oracle import check_like_torch, is_torch, torch

from autograd import Tensor

RNG = np.random.default_rng(11)
X = RNG.normal(size=(3, 4))
MATRIX = RNG.normal(size=(3, 3)) + 3 * np.eye(3)
SPD = MATRIX @ MATRIX.T + np.eye(3)
NANS = np.array([[1.0, np.nan, 2.0, 7.0], [3.0, np.nan, np.nan, 0.5], [1.0, 2.0, -1.0, 3.0]])
TIES = np.array([[1.0, 2.0, 2.0, 3.0, 2.0], [5.0, 5.0, 1.0, 1.0, 0.0], [3.0, 3.0, 3.0, 3.0, 3.0]])


def _level(levels, like):
    """q as torch wants it (a tensor of the input's dtype) on the torch side, a list on ours."""
    return torch.tensor(levels, dtype=torch.float64) if is_torch(like) else levels


def _sum(out):
    return out.sum()


def _weights(weights, like):
    return torch.tensor(weights) if is_torch(like) else np.asarray(weights)


# (id, the call on both libraries, input arrays); float inputs are differentiated
CASES = [
    ("addcmul", lambda x, a, b: x.addcmul(a, b, value=0.5), [X, X[:1], X[:, :1]]),
    ("addcdiv", lambda x, a, b: x.addcdiv(a, b, value=2), [X, X[:1], np.abs(X[:, :1]) + 1]),
    ("addmm", lambda x, a, b: x.addmm(a, b, beta=0.5, alpha=2), [X[0], X[:, :3], X[:3]]),
    ("addmm_beta_0_nan", lambda x, a, b: x.addmm(a, b, beta=0), [np.full((3, 4), np.nan), X[:, :3], X[:3]]),
    ("addmm_alpha_0_nan", lambda x, a, b: x.addmm(a, b, alpha=0), [X, np.full((3, 3), np.nan), X[:3]]),
    ("addmv", lambda x, m, v: x.addmv(m, v, alpha=3), [X[:, 0], X, X[0]]),
    ("addmv_beta_0_inf", lambda x, m, v: x.addmv(m, v, beta=0), [np.full(3, np.inf), X, X[0]]),
    ("addr", lambda x, u, v: x.addr(u, v, beta=2), [X, X[:, 0], X[0]]),
    ("addr_beta_0_nan", lambda x, u, v: x.addr(u, v, beta=0), [np.full((3, 4), np.nan), X[:, 0], X[0]]),
    ("baddbmm", lambda x, a, b: x.baddbmm(a, b, beta=2, alpha=0.5), [X[0, :3], X.reshape(2, 3, 2), X.reshape(2, 2, 3)]),
    (
        "baddbmm_beta_0",
        lambda x, a, b: x.baddbmm(a, b, beta=0),
        [np.full((3,), np.nan), X.reshape(2, 3, 2), X.reshape(2, 2, 3)],
    ),
    ("addbmm", lambda x, a, b: x.addbmm(a, b, beta=2, alpha=-1), [X[:3, :3], X.reshape(2, 3, 2), X.reshape(2, 2, 3)]),
    (
        "addbmm_beta_0",
        lambda x, a, b: x.addbmm(a, b, beta=0),
        [np.full((3, 3), np.nan), X.reshape(2, 3, 2), X.reshape(2, 2, 3)],
    ),
    ("cross_dim", lambda a, b: a.cross(b, dim=-1), [X[:, :3], X[:1, 1:]]),
    ("cross_dim_0", lambda a, b: a.cross(b, dim=0), [X, X[:, ::-1].copy()]),
    ("diag", lambda x: x.diag(1), [X[0]]),
    ("diag_of_matrix", lambda x: x.diag(-1), [X]),
    ("diag_embed", lambda x: x.diag_embed(1, 0, 2), [X]),
    ("diag_embed_negative_offset", lambda x: x.diag_embed(-2, -1, 0), [X]),
    ("diag_embed_empty", lambda x: x.diag_embed(1), [np.zeros((2, 0))]),
    ("diagflat", lambda x: x.diagflat(-2), [X[:2, :2]]),
    ("diagflat_0d", lambda x: x.diagflat(), [np.array(2.0)]),
    ("diff", lambda x, p: x.diff(2, 0, prepend=p), [X, X[:1]]),
    ("diff_append", lambda x, p: x.diff(dim=-1, append=p), [X, X[:, :2]]),
    ("kron", lambda a, b: a.kron(b), [X[:2, :3], X[1:, :2]]),
    ("kron_empty", lambda a, b: a.kron(b), [np.zeros((0, 2)), X[:2, :2]]),
    ("rot90", lambda x: x.rot90(3, [1, 0]), [X]),
    ("rot90_negative_dims", lambda x: x.rot90(1, [-1, -3]), [X.reshape(3, 2, 2)]),
    ("fliplr", lambda x: x.fliplr(), [X]),
    ("flipud", lambda x: x.flipud(), [X[0]]),
    # a plain sum as the loss: the default squares the dtype's largest number to inf, and torch's inf * 0 is nan
    ("nan_to_num", lambda x: x.nan_to_num(), [np.array([np.nan, np.inf, -np.inf, 1.0])], {"loss": _sum}),
    (
        "nan_to_num_float32",
        lambda x: x.nan_to_num(nan=2.0, neginf=-5.0),
        [np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)],
        {"loss": _sum, "atol": 1e-6},
    ),  # fmt: skip
    ("nansum", lambda x: x.nansum(1), [NANS]),
    ("nansum_all", lambda x: x.nansum(), [NANS]),
    ("nansum_empty", lambda x: x.nansum(), [np.zeros((0, 3))]),
    ("nanmean", lambda x: x.nanmean(1, keepdim=True), [NANS]),  # all-NaN rows: torch's gradient is NaN, ours 0
    ("nanmean_all_nan_row", lambda x: x.nanmean(1), [np.vstack([NANS, np.full(4, np.nan)])], {"forward_only": True}),
    ("nanmean_all", lambda x: x.nanmean(), [NANS]),
    ("logit", lambda x: x.logit(), [np.array([0.1, 0.5, 0.8, 0.0, 1.0])]),
    ("logit_eps", lambda x: x.logit(eps=0.2), [np.array([0.1, 0.2, 0.5, 0.8, 0.95])]),
    ("xlogy", lambda x, y: x.xlogy(y), [np.array([0.0, 0.0, 1.0, 2.0, 0.0]), np.array([2.0, np.nan, 3.0, 0.5, 1.0])]),
    ("xlogy_number", lambda x: x.xlogy(3.0), [X]),
    ("float_power", lambda x, y: x.float_power(y), [np.abs(X) + 0.5, X]),
    ("float_power_float32", lambda x: x.float_power(2), [X.astype(np.float32)]),
    ("sinc", lambda x: x.sinc(), [np.array([0.0, 0.5, -1.3, 2.0, 1e-9])]),
    ("fix", lambda x: x.fix(), [X * 3]),
    ("positive", lambda x: x.positive(), [X]),
    ("angle", lambda x: x.angle(), [np.array([-1.0, -0.0, 0.0, 2.0, np.nan, -np.inf])]),
    ("dist", lambda a, b: a.dist(b), [X, X[0]]),
    ("dist_p3", lambda a, b: a.dist(b, 3), [X, X[0]]),
    ("dist_inf", lambda a, b: a.dist(b, float("inf")), [X, X[0]]),
    ("dist_0", lambda a, b: a.dist(b, 0), [X, X[0]], {"forward_only": True}),  # torch's backward fails for p=0
    ("renorm", lambda x: x.renorm(2, 0, 1.5), [X]),
    ("renorm_p1_dim_minus_1", lambda x: x.renorm(1, -1, 1.0), [X]),
    ("cov", lambda x: x.cov(), [X]),
    ("cov_vector", lambda x: x.cov(correction=0), [X[0]]),
    (
        "cov_weights",
        lambda x, w: x.cov(fweights=_weights([1, 2, 0, 3], x), aweights=w),
        [X, np.array([0.5, 1.0, 2.0, 0.3])],
    ),
    ("cov_fweights_correction_2", lambda x: x.cov(correction=2, fweights=_weights([1, 2, 1, 3], x)), [X]),
    ("corrcoef", lambda x: x.corrcoef(), [X]),
    ("det", lambda a: a.det(), [RNG.normal(size=(2, 3, 3))]),
    ("det_empty_matrix", lambda a: a.det(), [np.zeros((0, 0))]),
    ("logdet", lambda a: a.logdet(), [SPD]),
    ("logdet_negative", lambda a: a.logdet(), [np.diag([-1.0, 2.0])]),
    ("slogdet_sign", lambda a: a.slogdet()[0], [-MATRIX], {"forward_only": True}),
    ("slogdet_logabsdet", lambda a: a.slogdet().logabsdet, [-MATRIX]),
    ("inverse", lambda a: a.inverse(), [MATRIX]),
    ("pinverse", lambda a: a.pinverse(), [X]),
    ("pinverse_tall", lambda a: a.pinverse(), [X.T]),
    *[(f"matrix_power_{n}", lambda a, n=n: a.matrix_power(n), [MATRIX / 3]) for n in (0, 1, 2, 3, 6, 7, -1, -4)],
    ("matrix_power_batch", lambda a: a.matrix_power(5), [RNG.normal(size=(2, 3, 3)) / 2]),
    ("cholesky", lambda a: a.cholesky(), [SPD]),
    ("cholesky_upper", lambda a: a.cholesky(upper=True), [SPD]),
    ("median", lambda x: x.median(), [X]),
    ("median_ties", lambda x: x.median(), [TIES]),
    ("median_nan", lambda x: x.median(), [NANS]),
    ("median_empty", lambda x: x.median(), [np.zeros((0,))]),
    ("median_dim", lambda x: x.median(0).values, [X]),
    ("median_dim_ties", lambda x: x.median(1, keepdim=True).values, [TIES[:2]]),
    ("median_dim_nan", lambda x: x.median(-1).values, [NANS]),
    ("nanmedian", lambda x: x.nanmedian(), [NANS]),
    ("nanmedian_dim", lambda x: x.nanmedian(1).values, [NANS]),
    *[
        (f"quantile_{method}", lambda x, method=method: x.quantile(0.4, dim=1, interpolation=method), [X])
        for method in ("linear", "lower", "higher", "midpoint", "nearest")
    ],
    *[
        (
            f"quantile_levels_{method}",
            lambda x, method=method: x.quantile(_level([0.1, 0.5, 1.0], x), 0, True, interpolation=method),
            [X],
        )
        for method in ("linear", "lower", "higher", "midpoint", "nearest")
    ],  # fmt: skip
    *[
        (f"nanquantile_{method}", lambda x, method=method: x.nanquantile(0.3, dim=1, interpolation=method), [NANS])
        for method in ("linear", "lower", "higher", "midpoint", "nearest")
    ],
    ("quantile_all", lambda x: x.quantile(0.3), [X]),
    ("quantile_all_keepdim", lambda x: x.quantile(_level([0.3, 0.6], x), keepdim=True), [X]),
    ("quantile_nan", lambda x: x.quantile(0.3, dim=1), [NANS]),
    ("quantile_ties", lambda x: x.quantile(0.5, dim=1), [TIES]),
    ("quantile_0d", lambda x: x.quantile(0.7), [np.array(1.5)]),
    ("nanquantile_all_nan", lambda x: x.nanquantile(0.5, dim=0), [np.array([[np.nan, 1.0], [np.nan, 2.0]])]),
    ("mode", lambda x: x.mode().values, [TIES]),
    ("mode_dim_0", lambda x: x.mode(0, keepdim=True).values, [TIES]),
    ("mode_0d", lambda x: x.mode().values, [np.array(3.0)]),
    ("kthvalue", lambda x: x.kthvalue(2, 0).values, [X]),
    ("kthvalue_keepdim", lambda x: x.kthvalue(3, -1, keepdim=True).values, [X]),
    ("aminmax_min", lambda x: x.aminmax(dim=1).min, [X]),
    ("aminmax_max_keepdim", lambda x: x.aminmax(dim=-2, keepdim=True).max, [X]),
    ("aminmax_all_ties", lambda x: x.aminmax().max, [TIES]),
    ("aminmax_all_keepdim", lambda x: x.aminmax(keepdim=True).min, [X]),
    ("msort", lambda x: x.msort(), [X]),
    ("msort_0d", lambda x: x.msort(), [np.array(3.0)]),
    ("conj", lambda x: x.conj(), [X]),
    ("resolve_conj", lambda x: x.resolve_conj(), [X]),
    ("resolve_neg", lambda x: x.resolve_neg(), [X]),
    ("real", lambda x: x.real, [X]),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_values_and_gradients_match_torch(case):
    _, call, inputs, *options = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's deprecation notes for cross, cholesky and cov
        check_like_torch(None, call, values=inputs, **(options[0] if options else {}))


def test_cross_default_dim_is_the_first_of_size_3_as_torch():
    a, b = RNG.normal(size=(2, 3, 3)), RNG.normal(size=(2, 3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_like_torch(None, lambda x, y: x.cross(y), values=[a, b])


# (id, the call, integer or boolean inputs): results without gradients, compared exactly
EXACT_CASES = [
    ("signbit", lambda x: x.signbit(), [np.array([-0.0, 0.0, -np.nan, np.nan, -1.0, np.inf])]),
    ("isposinf", lambda x: x.isposinf(), [np.array([np.inf, -np.inf, np.nan, 1.0])]),
    ("isneginf", lambda x: x.isneginf(), [np.array([np.inf, -np.inf, np.nan, 1.0])]),
    ("isreal", lambda x: x.isreal(), [X]),
    ("heaviside", lambda x, v: x.heaviside(v), [np.array([-1.0, 0.0, 2.0, np.nan]), np.array([0.5])]),
    ("heaviside_values", lambda x, v: x.heaviside(v), [np.array([0.0, 0.0, -3.0]), np.array([0.25, 0.75, 9.0])]),
    ("gcd", lambda a, b: a.gcd(b), [np.array([-4, 0, 3, 12]), np.array([6, 0, -9, 18])]),
    ("lcm", lambda a, b: a.lcm(b), [np.array([-4, 0, 3, 12]), np.array([6, 5, -9, 18])]),
    ("gcd_broadcast", lambda a, b: a.gcd(b), [np.array([[12], [9]]), np.array([8, 6, 3])]),
    ("nan_to_num_int", lambda x: x.nan_to_num(), [np.array([1, -2])]),
    ("float_power_int", lambda x: x.float_power(3), [np.array([2, -3])]),
    ("median_indices", lambda x: x.median(1).indices, [np.vstack([TIES[:2, :4], NANS[:1]])]),
    ("nanmedian_indices", lambda x: x.nanmedian(1).indices, [NANS]),
    ("mode_indices", lambda x: x.mode().indices, [TIES]),
    ("mode_indices_dim_0", lambda x: x.mode(0).indices, [TIES]),
    ("kthvalue_indices", lambda x: x.kthvalue(2, 1).indices, [X]),
    ("slogdet_singular", lambda x: x.slogdet().sign, [np.zeros((2, 2))]),
]


@pytest.mark.parametrize("call, inputs", [case[1:] for case in EXACT_CASES], ids=[case[0] for case in EXACT_CASES])
def test_results_without_gradients_match_torch(call, inputs):
    expected = call(*(torch.tensor(x) for x in inputs))
    got = call(*(Tensor(x) for x in inputs))
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.data, expected.numpy())
    assert got.dtype.kind == {torch.bool: "b", torch.int64: "i"}.get(expected.dtype, "f")


def test_kthvalue_and_median_ties_give_the_gradient_to_an_entry_of_the_chosen_value():
    """Among tied entries torch's choice is device-specific; what both give is the value and a gradient of total 1
    on entries holding it."""
    x = Tensor(TIES, requires_grad=True)
    values = x.kthvalue(2, dim=1).values
    expected = torch.tensor(TIES).kthvalue(2, dim=1).values.numpy()
    np.testing.assert_array_equal(values.data, expected)
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.sum(axis=1), np.ones(3))
    assert np.all((x.grad == 0) | (TIES == expected[:, None]))


@pytest.mark.parametrize("length", [5, 16, 17, 40])
def test_mode_index_is_the_last_occurrence_which_is_torchs_in_rows_of_up_to_16(length):
    """The documented contract: values as torch's; the index is the last occurrence of the value, which torch's
    is in short rows (longer rows: torch's is any occurrence, from an unstable sort)."""
    rows = np.random.default_rng(length).integers(0, 3, (50, length)).astype(float)
    ours, theirs = Tensor(rows).mode(), torch.tensor(rows).mode()
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    last = [np.flatnonzero(row == value).max() for row, value in zip(rows, ours.values.data)]
    np.testing.assert_array_equal(ours.indices.data, last)
    picked = np.take_along_axis(rows, theirs.indices.numpy()[:, None], 1)[:, 0]
    np.testing.assert_array_equal(picked, theirs.values.numpy())  # torch's index holds the value
    if length <= 16:
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.addmm(x.new_ones((2, 3)), x.new_ones((2, 3))),
        lambda x: x.cross(x.new_ones((2, 4))),
        lambda x: x.kthvalue(9),
        lambda x: x.quantile(2.0),
        lambda x: x.cov(aweights=x[0, :2]),
    ],
    ids=["addmm", "cross", "kthvalue", "quantile", "cov"],
)
def test_what_torch_refuses_is_refused(call):
    data = np.ones((2, 4))
    with pytest.raises(RuntimeError):
        call(torch.tensor(data))
    with pytest.raises((ValueError, TypeError)):
        call(Tensor(data))


def test_imag_of_a_real_tensor_is_refused_as_torch():
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"):
        _ = torch.ones(2).imag
    with pytest.raises(TypeError, match="imag: not defined for a real tensor"):
        _ = Tensor(np.ones(2)).imag


@pytest.mark.parametrize(("beta", "alpha"), [(0.2, 0.6), (1.7, 2.6), (-1.5, 3), (2, 0), (0, -2.9)])
@pytest.mark.parametrize("name", ["addmv", "addmm", "addr", "baddbmm", "addbmm"])
def test_integer_and_boolean_scaled_products_convert_beta_and_alpha_to_the_dtype_as_torch(name, beta, alpha):
    """torch converts a number beta and alpha to an integer tensor's dtype (truncated toward zero) and to True or
    False for a boolean one (whose products and sums are logical), so the result keeps the dtype."""
    rng = np.random.default_rng(11)
    shapes = {
        "addmv": [(3,), (3, 4), (4,)],
        "addmm": [(3, 2), (3, 4), (4, 2)],
        "addr": [(3, 4), (3,), (4,)],
        "baddbmm": [(2, 3, 2), (2, 3, 4), (2, 4, 2)],
        "addbmm": [(3, 2), (2, 3, 4), (2, 4, 2)],
    }[name]
    for arrays in ([rng.integers(-9, 10, shape) for shape in shapes], [rng.random(shape) > 0.5 for shape in shapes]):
        if arrays[0].dtype == bool and name not in ("addr",):
            continue  # (torch's bool matrix products are addr's only)
        if name == "addr" and float in (type(beta), type(alpha)):
            with pytest.raises(RuntimeError, match="must not be a floating point number"):
                torch.addr(*map(torch.tensor, arrays), beta=beta, alpha=alpha)
            with pytest.raises(TypeError, match="addr: (beta|alpha) must not be a floating point number"):
                Tensor(arrays[0]).addr(*map(Tensor, arrays[1:]), beta=beta, alpha=alpha)
            continue
        expected = getattr(torch, name)(*map(torch.tensor, arrays), beta=beta, alpha=alpha)
        got = getattr(Tensor(arrays[0]), name)(*map(Tensor, arrays[1:]), beta=beta, alpha=alpha)
        assert got.dtype == arrays[0].dtype
        np.testing.assert_array_equal(got.data, expected.numpy())


@pytest.mark.parametrize("exponent", [-0.5, 0.5, -1.0, 2, -2, 1.5, 0.0, True, -np.inf])
def test_float_power_by_a_python_number_is_pows_scalar_power_as_torchs(exponent):
    """torch.float_power(x, number) takes pow's scalar kernel (x^-0.5 = 1 / sqrt(x): -inf at -0.0, nan at -inf)."""
    oracle = pytest.importorskip("torch")
    values = np.array([-0.0, -np.inf, 0.0, np.inf, 4.0, -2.0, np.nan])
    ours = Tensor(values.astype(np.float32)).float_power(exponent)
    theirs = oracle.float_power(oracle.tensor(values.astype(np.float32)), exponent)
    assert ours.dtype == np.float64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    signed = ~np.isnan(theirs.numpy())  # (the sign of zeros and infinities; a nan's sign bit means nothing)
    np.testing.assert_array_equal(np.signbit(ours.numpy())[signed], np.signbit(theirs.numpy())[signed])
