"""torch's Tensor math methods (autograd/torch_math_names.py), without torch: gradients against central
differences (autograd.gradcheck, float64), values against hand-computed results or numpy's independent
implementations, and the errors. tests/test_torch_math_names_torch.py compares the same methods with torch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

RNG = np.random.default_rng(3)
X = RNG.normal(size=(3, 4))
MATRIX = RNG.normal(size=(3, 3)) + 3 * np.eye(3)
SPD = MATRIX @ MATRIX.T + np.eye(3)
DISTINCT = RNG.permutation(20).reshape(4, 5) / 7.0  # no ties: order statistics are smooth here


def _t(array, requires_grad=False):
    return Tensor(np.asarray(array, dtype=float), requires_grad=requires_grad)


# (id, function of the inputs, inputs): every input is checked against central differences
GRADIENT_CASES = [
    ("addcmul", lambda x, a, b: x.addcmul(a, b, value=0.5), [X, X[:1], X[:, :1]]),
    ("addcdiv", lambda x, a, b: x.addcdiv(a, b, value=-2), [X, X[:1], np.abs(X[:, :1]) + 1]),
    ("addmm", lambda x, a, b: x.addmm(a, b, beta=0.5, alpha=2), [X[0], X[:, :3], MATRIX[:, :4].T @ X[:3]]),
    ("addmm_beta_0", lambda x, a, b: x.addmm(a, b, beta=0), [X[:, :3], X[:, :3], MATRIX]),
    ("addmv", lambda x, m, v: x.addmv(m, v, alpha=3), [X[:, 0], X, X[0]]),
    ("addr", lambda x, u, v: x.addr(u, v, beta=2), [X, X[:, 0], X[0]]),
    ("baddbmm", lambda x, a, b: x.baddbmm(a, b, alpha=-1), [X[0, :3], X.reshape(2, 3, 2), X.reshape(2, 2, 3)]),
    ("addbmm", lambda x, a, b: x.addbmm(a, b, beta=3), [X[:3, :3], X.reshape(2, 3, 2), X.reshape(2, 2, 3)]),
    ("cross", lambda a, b: a.cross(b, dim=0), [X[:, :2], MATRIX[:, :1]]),
    ("cross_default_dim", lambda a, b: a.cross(b), [MATRIX, MATRIX.T]),
    ("diag_vector", lambda x: x.diag(-1), [X[0]]),
    ("diag_matrix", lambda x: x.diag(1), [X]),
    ("diag_embed", lambda x: x.diag_embed(1, 0, -1), [X]),
    ("diagflat", lambda x: x.diagflat(2), [X[:2, :2]]),
    ("diff", lambda x, p: x.diff(2, dim=0, prepend=p), [X, X[:1]]),
    ("kron", lambda a, b: a.kron(b), [X[:2, :2], X[1:, 1:3]]),
    ("rot90", lambda x: x.rot90(-1, (1, 0)), [X]),
    ("fliplr", lambda x: x.fliplr(), [X]),
    ("flipud", lambda x: x.flipud(), [X]),
    ("nan_to_num", lambda x: x.nan_to_num(), [X]),
    ("nansum", lambda x: x.nansum(dim=-1, keepdim=True), [X]),
    ("nanmean", lambda x: x.nanmean(0), [X]),
    ("logit", lambda x: x.logit(), [RNG.uniform(0.1, 0.9, (3, 4))]),
    ("logit_eps", lambda x: x.logit(eps=0.05), [RNG.uniform(0.1, 0.9, (3, 4))]),
    ("xlogy", lambda x, y: x.xlogy(y), [X, np.abs(X) + 0.5]),
    ("float_power", lambda x, e: x.float_power(e), [np.abs(X) + 0.5, X]),
    ("sinc", lambda x: x.sinc(), [X]),
    ("dist", lambda a, b: a.dist(b), [X, X[0]]),
    ("dist_p3", lambda a, b: a.dist(b, p=3), [X, X[0]]),
    ("renorm", lambda x: x.renorm(2, 0, 1.0), [X]),
    ("renorm_dim_minus_1", lambda x: x.renorm(1, -1, 1.5), [X]),
    ("cov", lambda x: x.cov(), [X]),
    ("cov_weights", lambda x, w: x.cov(correction=0, fweights=np.array([1, 2, 1, 3]), aweights=w), [X, X[0] ** 2 + 1]),
    ("corrcoef", lambda x: x.corrcoef(), [X]),
    ("det", lambda a: a.det(), [MATRIX]),
    ("logdet", lambda a: a.logdet(), [SPD]),
    ("slogdet", lambda a: a.slogdet().logabsdet, [MATRIX]),
    ("inverse", lambda a: a.inverse(), [MATRIX]),
    ("pinverse", lambda a: a.pinverse(), [X]),
    ("matrix_power_5", lambda a: a.matrix_power(5), [MATRIX / 3]),
    ("matrix_power_minus_2", lambda a: a.matrix_power(-2), [MATRIX]),
    # cholesky reads one triangle: differentiate it along symmetric perturbations, as its gradient is symmetric
    ("cholesky", lambda a: ((a + a.T) / 2).cholesky(), [SPD]),
    ("cholesky_upper", lambda a: ((a + a.T) / 2).cholesky(upper=True), [SPD]),
    ("median", lambda x: x.median(), [DISTINCT]),
    ("median_dim", lambda x: x.median(dim=0).values, [DISTINCT]),
    ("nanmedian_dim", lambda x: x.nanmedian(-1, keepdim=True).values, [DISTINCT]),
    ("quantile_linear", lambda x: x.quantile(np.array([0.1, 0.65]), dim=1), [DISTINCT]),
    ("quantile_midpoint", lambda x: x.quantile(0.3, interpolation="midpoint"), [DISTINCT]),
    ("nanquantile", lambda x: x.nanquantile(0.4, dim=0, keepdim=True), [DISTINCT]),
    ("mode", lambda x: x.mode(0).values, [DISTINCT]),  # all once: the smallest
    ("kthvalue", lambda x: x.kthvalue(3, dim=1).values, [DISTINCT]),
    ("aminmax", lambda x: list(x.aminmax(dim=0)), [DISTINCT]),
    ("msort", lambda x: x.msort(), [DISTINCT]),
]


@pytest.mark.parametrize(
    "call, inputs", [case[1:] for case in GRADIENT_CASES], ids=[case[0] for case in GRADIENT_CASES]
)
def test_gradient_matches_central_differences(call, inputs):
    assert ag.gradcheck(call, [np.array(x, dtype=np.float64) for x in inputs], atol=1e-6, rtol=1e-4)


# -- values --------------------------------------------------------------------------------------------
def test_addcmul_and_addcdiv_broadcast_all_three_operands():
    x, a, b = X, X[:1], np.abs(X[:, :1]) + 1
    np.testing.assert_allclose(_t(x).addcmul(a, b, value=0.5).data, x + 0.5 * a * b)
    np.testing.assert_allclose(_t(x[:1]).addcdiv(a, b).data, x[:1] + a / b)


def test_products_with_beta_and_alpha():
    m, v = X[:, :3], X[0, :3]
    np.testing.assert_allclose(_t(X[0, :3]).addmm(m.T, m, beta=2, alpha=3).data, 2 * X[0, :3] + 3 * m.T @ m)
    np.testing.assert_allclose(_t(X[:, 0]).addmv(m, v, beta=0.5).data, 0.5 * X[:, 0] + m @ v)
    np.testing.assert_allclose(_t(1.0).addr(v, X[1], alpha=2).data, 1.0 + 2 * np.outer(v, X[1]))
    batches = X.reshape(2, 3, 2)
    products = np.stack([batches[0] @ batches[0].T, batches[1] @ batches[1].T])
    np.testing.assert_allclose(_t(0.0).baddbmm(batches, batches.transpose(0, 2, 1)).data, products)
    np.testing.assert_allclose(_t(np.ones(3)).addbmm(batches, batches.transpose(0, 2, 1)).data, 1 + products.sum(0))


def test_zero_beta_or_alpha_ignores_nan_and_inf_and_gives_that_operand_zero_gradient():
    x = _t([[np.nan, np.inf], [-np.inf, np.nan]], requires_grad=True)
    a = _t([[1.0, 4.0], [2.0, 3.0]], requires_grad=True)
    out = x.addmm(a, np.eye(2), beta=0)
    np.testing.assert_array_equal(out.data, [[1.0, 4.0], [2.0, 3.0]])
    np.testing.assert_array_equal(_t(1.0).addmm(np.full((2, 2), np.nan), np.eye(2), alpha=0).data, np.ones((2, 2)))
    x.addmm(a, np.eye(2), beta=0.5, alpha=0).sum().backward()
    np.testing.assert_array_equal(a.grad, np.zeros((2, 2)))
    np.testing.assert_array_equal(x.grad, np.full((2, 2), 0.5))
    y = _t([np.nan], requires_grad=True)
    y.addr(np.array([1.0, 2.0]), np.array([3.0]), beta=0).sum().backward()
    np.testing.assert_array_equal(y.grad, [0.0])


def test_addmm_with_an_empty_inner_dimension_is_beta_times_input():
    out = _t(np.ones((2, 3))).addmm(np.zeros((2, 0)), np.zeros((0, 3)), beta=2)
    np.testing.assert_array_equal(out.data, np.full((2, 3), 2.0))


def test_cross_matches_the_right_hand_rule_and_picks_the_first_dimension_of_size_3():
    e = np.eye(3)
    np.testing.assert_array_equal(_t(e[0]).cross(e[1]).data, e[2])
    np.testing.assert_array_equal(_t(e[1]).cross(e[0]).data, -e[2])
    a, b = RNG.normal(size=(3, 3, 2)), RNG.normal(size=(3, 3, 2))
    np.testing.assert_allclose(_t(a).cross(b).data, np.cross(a, b, axis=0))
    np.testing.assert_allclose(_t(a).cross(b, dim=-2).data, np.cross(a, b, axis=1))
    np.testing.assert_allclose(_t(a[:1, :, 0]).cross(b[:, :, 0], dim=1).data, np.cross(a[:1, :, 0], b[:, :, 0]))


def test_diag_embed_places_the_last_axis_on_a_diagonal_plane():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    expected = np.zeros((2, 3, 3))
    expected[0, [0, 1], [1, 2]] = [1.0, 2.0]
    expected[1, [0, 1], [1, 2]] = [3.0, 4.0]
    np.testing.assert_array_equal(_t(x).diag_embed(1).data, expected)
    below = np.zeros((3, 2, 3))  # out[i, b, j]: row b of x on the diagonal below the main one
    below[[1, 2], 0, [0, 1]] = [1.0, 2.0]
    below[[1, 2], 1, [0, 1]] = [3.0, 4.0]
    np.testing.assert_array_equal(_t(x).diag_embed(-1, dim1=0, dim2=2).data, below)
    np.testing.assert_array_equal(_t([np.inf, 1.0]).diag_embed().data, [[np.inf, 0.0], [0.0, 1.0]])
    assert _t(np.zeros((2, 0))).diag_embed(offset=1).shape == (2, 1, 1)


def test_diag_diagflat_diff_kron_rot90_and_flips_as_the_numpy_functions():
    np.testing.assert_array_equal(_t([1.0, 2.0]).diag(1).data, [[0, 1, 0], [0, 0, 2], [0, 0, 0]])
    np.testing.assert_array_equal(_t(X).diag(-1).data, [X[1, 0], X[2, 1]])
    np.testing.assert_array_equal(_t([[1.0, 2.0]]).diagflat(-1).data, [[0, 0, 0], [1, 0, 0], [0, 2, 0]])
    np.testing.assert_array_equal(_t(5.0).diagflat().data, [[5.0]])
    np.testing.assert_array_equal(_t([1.0, 4.0, 9.0]).diff(append=np.array([16.0])).data, [3, 5, 7])
    np.testing.assert_array_equal(_t([[1.0, 4.0], [2.0, 8.0]]).diff(dim=0).data, [[1.0, 4.0]])
    np.testing.assert_array_equal(_t([[1.0, 2.0]]).kron(np.array([[1.0], [10.0]])).data, [[1, 2], [10, 20]])
    np.testing.assert_array_equal(_t([[1.0, 2.0], [3.0, 4.0]]).rot90().data, [[2, 4], [1, 3]])
    np.testing.assert_array_equal(_t([[1.0, 2.0], [3.0, 4.0]]).rot90(1, [1, 0]).data, [[3, 1], [4, 2]])
    np.testing.assert_array_equal(_t([[1.0, 2.0], [3.0, 4.0]]).fliplr().data, [[2, 1], [4, 3]])
    np.testing.assert_array_equal(_t([1.0, 2.0, 3.0]).flipud().data, [3, 2, 1])


def test_nan_to_num_defaults_to_the_dtypes_extremes():
    x = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32)
    big = np.finfo(np.float32).max
    out = Tensor(x).nan_to_num()
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, np.array([0.0, big, -big, 1.5], dtype=np.float32))
    np.testing.assert_array_equal(Tensor(x).nan_to_num(nan=1.0, posinf=2.0, neginf=-3.0).data, [1, 2, -3, 1.5])
    np.testing.assert_array_equal(Tensor(np.array([1, 2])).nan_to_num().data, [1, 2])


def test_nan_to_num_gives_replaced_entries_zero_gradient():
    x = _t([np.nan, np.inf, 2.0], requires_grad=True)
    (x.nan_to_num() * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 3.0])


def test_nansum_and_nanmean_skip_nans():
    data = np.array([[np.nan, 1.0, 2.0], [np.nan, np.nan, np.nan]])
    np.testing.assert_array_equal(_t(data).nansum(dim=1).data, [3.0, 0.0])
    np.testing.assert_array_equal(_t(data).nansum().data, 3.0)
    np.testing.assert_array_equal(_t(data).nanmean(dim=[1], keepdim=True).data, [[1.5], [np.nan]])
    np.testing.assert_array_equal(_t(data).nanmean().data, 1.5)
    assert _t([]).nansum().item() == 0.0
    assert math.isnan(_t([]).nanmean().item())
    assert _t(np.nan).nansum().item() == 0.0
    assert Tensor(np.array([1, 2])).nansum().item() == 3


def test_nansum_and_nanmean_gradients_are_zero_at_nans_and_all_nan_slices():
    x = _t([[np.nan, 1.0, 2.0], [np.nan, np.nan, np.nan]], requires_grad=True)
    x.nanmean(1).nansum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]])


def test_logit_and_its_clamp():
    p = np.array([0.0, 0.25, 0.5, 1.0, -1.0])
    out = _t(p).logit().data
    np.testing.assert_allclose(out[1:3], [math.log(1 / 3), 0.0])
    assert out[0] == -np.inf and out[3] == np.inf and np.isnan(out[4])
    np.testing.assert_allclose(_t([0.0, 0.5, 1.0]).logit(eps=0.1).data, [math.log(1 / 9), 0.0, math.log(9)])
    x = _t([0.05, 0.1, 0.5], requires_grad=True)
    x.logit(eps=0.1).sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 1 / 0.09, 4.0])


def test_xlogy_is_zero_where_x_is_zero_unless_y_is_nan():
    out = _t([0.0, 0.0, 0.0, 2.0, 1.0]).xlogy(np.array([0.0, np.inf, np.nan, 3.0, 0.0])).data
    np.testing.assert_array_equal(out[:2], [0.0, 0.0])
    assert np.isnan(out[2]) and out[4] == -np.inf
    np.testing.assert_allclose(out[3], 2 * math.log(3))
    x = _t([0.0, 0.0, 2.0], requires_grad=True)
    y = _t([2.0, 0.0, 4.0], requires_grad=True)
    x.xlogy(y).sum().backward()
    np.testing.assert_allclose(x.grad, [math.log(2), 0.0, math.log(4)])
    np.testing.assert_allclose(y.grad, [0.0, 0.0, 0.5])
    np.testing.assert_allclose(_t([2.0]).xlogy(math.e).data, [2.0])


def test_float_power_is_float64():
    out = Tensor(np.array([2, 3])).float_power(2)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.data, [4.0, 9.0])
    assert Tensor(np.array([4.0], dtype=np.float32)).float_power(0.5).dtype == np.float64


def test_sinc_is_one_with_zero_gradient_at_zero():
    x = _t([0.0, 0.5, -1.5, 2.0], requires_grad=True)
    out = x.sinc()
    np.testing.assert_allclose(out.data, [1.0, 2 / math.pi, -2 / (3 * math.pi), 0.0], atol=1e-15)
    out.sum().backward()
    assert x.grad[0] == 0.0
    np.testing.assert_allclose(x.grad[1], (math.cos(math.pi / 2) - 2 / math.pi) / 0.5)


def test_fix_positive_conj_real_and_their_errors():
    x = _t([-1.5, 0.5, 2.7])
    np.testing.assert_array_equal(x.fix().data, [-1.0, 0.0, 2.0])
    assert x.positive() is x and x.conj() is x and x.resolve_conj() is x and x.resolve_neg() is x and x.real is x
    with pytest.raises(TypeError, match="positive: not supported for a boolean tensor"):
        Tensor(np.array([True])).positive()
    with pytest.raises(TypeError, match=r"imag: not defined for a real tensor \(dtype float64\)"):
        _ = x.imag


def test_predicates_and_integer_functions_are_outside_the_graph():
    x = _t([-0.0, 0.0, -np.nan, np.inf, -np.inf, -2.0], requires_grad=True)
    np.testing.assert_array_equal(x.signbit().data, [True, False, True, False, True, True])
    np.testing.assert_array_equal(x.isposinf().data, [False, False, False, True, False, False])
    np.testing.assert_array_equal(x.isneginf().data, [False, False, False, False, True, False])
    np.testing.assert_array_equal(x.isreal().data, [True] * 6)
    assert not x.signbit().requires_grad and x.signbit().dtype == np.bool_
    h = _t([-1.0, 0.0, 2.0, np.nan]).heaviside(np.array([0.5]))
    np.testing.assert_array_equal(h.data, [0.0, 0.5, 1.0, 0.0])
    a, b = Tensor(np.array([-4, 0, 3, 12])), np.array([6, 0, -9, 18])
    np.testing.assert_array_equal(a.gcd(b).data, [2, 0, 3, 6])
    np.testing.assert_array_equal(a.lcm(b).data, [12, 0, 9, 36])
    with pytest.raises(TypeError, match="gcd: expects integer tensors, got dtypes float64 and int64"):
        _t([1.0]).gcd(b)


def test_angle_of_real_numbers():
    x = _t([-1.0, -0.0, 0.0, 3.0, np.nan, -np.inf], requires_grad=True)
    out = x.angle()
    np.testing.assert_array_equal(out.data, [math.pi, 0.0, 0.0, 0.0, np.nan, math.pi])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(6))
    assert Tensor(np.array([-2, 1])).angle().dtype.kind == "f"


def test_dist_and_renorm():
    a, b = X, X[0]
    np.testing.assert_allclose(_t(a).dist(b).data, np.linalg.norm(a - b))
    np.testing.assert_allclose(_t(a).dist(b, p=1).data, np.abs(a - b).sum())
    np.testing.assert_allclose(_t(a).dist(b, p=math.inf).data, np.abs(a - b).max())
    rows = np.array([[3.0, 4.0], [0.3, 0.4]])
    np.testing.assert_allclose(
        _t(rows).renorm(2, 0, 1.0).data, [[0.6 * 5 / (5 + 1e-7), 0.8 * 5 / (5 + 1e-7)], [0.3, 0.4]]
    )


def test_cov_and_corrcoef_match_numpy():
    np.testing.assert_allclose(_t(X).cov().data, np.cov(X))
    np.testing.assert_allclose(_t(X).cov(correction=0).data, np.cov(X, ddof=0))
    weights, frequencies = X[0] ** 2 + 0.5, np.array([1, 2, 1, 3])
    np.testing.assert_allclose(
        _t(X).cov(fweights=frequencies, aweights=weights).data, np.cov(X, fweights=frequencies, aweights=weights)
    )
    assert _t(X[0]).cov().shape == ()
    np.testing.assert_allclose(_t(X[0]).cov().data, np.var(X[0], ddof=1))
    np.testing.assert_allclose(_t(X).corrcoef().data, np.corrcoef(X))
    assert _t([[1.0, 2.0, 4.0]]).cov(correction=5).item() == np.inf


def test_linear_algebra_methods_match_numpy():
    np.testing.assert_allclose(_t(MATRIX).det().data, np.linalg.det(MATRIX))
    sign, logabsdet = _t(-MATRIX).slogdet()
    assert sign.item() == np.linalg.slogdet(-MATRIX)[0] and not sign.requires_grad
    np.testing.assert_allclose(logabsdet.data, np.linalg.slogdet(MATRIX)[1])
    assert math.isnan(_t([[-1.0, 0.0], [0.0, 1.0]]).logdet().item())
    assert _t([[0.0, 0.0], [0.0, 1.0]]).logdet().item() == -np.inf
    np.testing.assert_allclose(_t(MATRIX).inverse().data, np.linalg.inv(MATRIX))
    np.testing.assert_allclose(_t(X).pinverse().data, np.linalg.pinv(X))
    np.testing.assert_allclose(_t(MATRIX).matrix_power(6).data, np.linalg.matrix_power(MATRIX, 6))
    np.testing.assert_allclose(_t(MATRIX).matrix_power(-3).data, np.linalg.matrix_power(MATRIX, -3))
    batch = np.stack([MATRIX, SPD])
    np.testing.assert_array_equal(_t(batch).matrix_power(0).data, np.broadcast_to(np.eye(3), (2, 3, 3)))
    lower = _t(SPD).cholesky().data
    np.testing.assert_allclose(lower @ lower.T, SPD)
    upper = _t(SPD).cholesky(upper=True).data
    np.testing.assert_allclose(upper.T @ upper, SPD)
    np.testing.assert_array_equal(upper, np.triu(upper))


def test_matrix_power_zero_is_the_identity_with_zero_gradient():
    a = _t(MATRIX, requires_grad=True)
    a.matrix_power(0).sum().backward()
    np.testing.assert_array_equal(a.grad, np.zeros((3, 3)))


# -- order statistics -------------------------------------------------------------------------------------
def test_median_is_the_lower_median_and_splits_the_gradient_between_ties():
    x = _t([1.0, 2.0, 2.0, 3.0, 2.0, 1.0], requires_grad=True)
    out = x.median()
    assert out.item() == 2.0
    out.backward()
    np.testing.assert_allclose(x.grad, [0, 1 / 3, 1 / 3, 0, 1 / 3, 0])
    assert _t([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0
    assert math.isnan(_t([1.0, np.nan]).median().item())
    assert _t([1.0, np.nan, 3.0, 2.0]).nanmedian().item() == 2.0
    assert math.isnan(_t([]).median().item())


@pytest.mark.parametrize(
    "method, values, median, gradient",
    [
        ("median", [-np.inf, 1.0], -np.inf, [1, 0]),
        ("median", [-np.inf, -np.inf, 2.0, 3.0], -np.inf, [0.5, 0.5, 0, 0]),
        ("nanmedian", [-np.inf, np.nan, 2.0], -np.inf, [1, 0, 0]),
        ("median", [np.nan, 1.0, np.nan], np.nan, [0.5, 0, 0.5]),
        ("median", [np.inf, np.inf, 1.0, 1.0, 1.0], 1.0, [0, 0, 1 / 3, 1 / 3, 1 / 3]),
    ],
)
def test_median_of_all_gives_the_gradient_only_to_the_entries_equal_to_it(method, values, median, gradient):
    # the entries below a -inf median are not ties of it (they took a share of the gradient once)
    x = _t(values, requires_grad=True)
    out = getattr(x, method)()
    np.testing.assert_array_equal(out.data, median)
    out.backward()
    np.testing.assert_allclose(x.grad, gradient)


def test_median_with_dim_returns_values_and_the_index_of_the_chosen_entry():
    x = _t([[1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 1.0, 1.0], [1.0, np.nan, 2.0, np.nan]], requires_grad=True)
    values, indices = x.median(dim=1)
    np.testing.assert_array_equal(values.data, [2.0, 1.0, np.nan])
    np.testing.assert_array_equal(indices.data, [1, 3, 1])
    assert indices.dtype == np.int64
    values.nansum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    nan_values, nan_indices = x.nanmedian(-1, keepdim=True)
    np.testing.assert_array_equal(nan_values.data, [[2.0], [1.0], [1.0]])
    np.testing.assert_array_equal(nan_indices.data, [[1], [3], [0]])


def test_order_statistics_of_a_0d_tensor_are_the_entry_at_index_0():
    x = _t(2.5)
    for result in (x.median(0), x.nanmedian(-1), x.kthvalue(1), x.mode()):
        assert result.values.shape == () and result.values.item() == 2.5 and result.indices.item() == 0
    assert x.median().item() == 2.5 and x.msort().item() == 2.5
    assert x.quantile(0.3).item() == 2.5 and x.quantile(0.3, dim=0).item() == 2.5


def test_quantile_interpolations_match_numpy():
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        for q in (0.0, 0.3, 0.5, 0.7, 1.0):
            np.testing.assert_allclose(_t(X).quantile(q, dim=1, interpolation=method).data,
                                       np.quantile(X, q, axis=1, method=method), err_msg=method)  # fmt: skip
        np.testing.assert_allclose(_t(X).quantile(np.array([0.25, 0.6]), interpolation=method).data,
                                   np.quantile(X, [0.25, 0.6], method=method), err_msg=method)  # fmt: skip


def test_quantile_shapes_with_keepdim_and_several_levels():
    assert _t(X).quantile(0.5, keepdim=True).shape == (1, 1)
    assert _t(X).quantile([0.5, 0.2], keepdim=True).shape == (2, 1, 1)
    assert _t(X).quantile([0.5, 0.2], dim=-1, keepdim=True).shape == (2, 3, 1)
    assert _t(X).quantile(0.5, dim=0).shape == (4,)


def test_quantile_is_nan_with_a_nan_and_nanquantile_skips_it():
    data = np.array([[1.0, np.nan, 2.0, 7.0], [np.nan] * 4, [1.0, 2.0, 5.0, 3.0]])
    out = _t(data).quantile(0.5, dim=1).data
    assert np.isnan(out[:2]).all() and out[2] == 2.5
    np.testing.assert_allclose(_t(data).nanquantile(0.25, dim=1).data, [1.5, np.nan, 1.75])


def test_quantile_linear_gradient_weighs_the_two_neighbours():
    x = _t([3.0, 1.0, 2.0, 4.0], requires_grad=True)
    x.quantile(0.4).backward()  # rank 1.2: 0.8 of the 2nd smallest (2.0), 0.2 of the 3rd (3.0)
    np.testing.assert_allclose(x.grad, [0.2, 0.0, 0.8, 0.0])


def test_mode_takes_the_smallest_most_frequent_value_and_its_last_index():
    x = _t([[3.0, 2.0, 2.0, 1.0, 1.0, 2.0, 3.0, 3.0], [1, 2, 3, 4, 5, 6, 7, 8]], requires_grad=True)
    values, indices = x.mode()
    np.testing.assert_array_equal(values.data, [2.0, 1.0])
    np.testing.assert_array_equal(indices.data, [5, 0])
    values.sum().backward()
    expected = np.zeros((2, 8))
    expected[0, 5] = expected[1, 0] = 1.0
    np.testing.assert_array_equal(x.grad, expected)
    assert x.mode(0, keepdim=True).values.shape == (1, 8)


def test_kthvalue_counts_from_one_and_ranks_nan_last():
    x = _t([[4.0, np.nan, 1.0, 3.0]])
    assert x.kthvalue(1).values.item() == 1.0 and x.kthvalue(1).indices.item() == 2
    assert x.kthvalue(3, dim=-1).values.item() == 4.0
    assert math.isnan(x.kthvalue(4).values.item())
    assert x.kthvalue(1, 0, keepdim=True).values.shape == (1, 4)
    assert x.kthvalue(1, 0).values.shape == (4,)


def test_aminmax_and_msort():
    result = _t(X).aminmax(dim=-1, keepdim=True)
    np.testing.assert_array_equal(result.min.data, X.min(axis=1, keepdims=True))
    np.testing.assert_array_equal(result.max.data, X.max(axis=1, keepdims=True))
    whole = _t(X).aminmax()
    assert whole.min.item() == X.min() and whole.max.item() == X.max()
    x = _t([[1.0, 5.0], [1.0, 0.0]], requires_grad=True)
    x.aminmax().min.backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(_t(X).msort().data, np.sort(X, axis=0))


# -- errors ---------------------------------------------------------------------------------------------
ERROR_CASES = [
    (
        lambda: _t(X).addcmul(X, np.ones(3)),
        ValueError,
        r"addcmul: shapes \(3, 4\), \(3, 4\) and \(3,\) do not broadcast",
    ),
    (
        lambda: _t(X).addmm(X, X),
        ValueError,
        r"addmm: expects two matrices that multiply, got shapes \(3, 4\) and \(3, 4\)",
    ),
    (
        lambda: _t(np.ones(2)).addmm(X, X.T),
        ValueError,
        r"addmm: input of shape \(2,\) does not broadcast to .* \(3, 3\)",
    ),
    (
        lambda: _t(np.ones(3)).addmv(X, X[0, :3]),
        ValueError,
        r"addmv: expects a matrix and a vector .* \(3, 4\) and \(3,\)",
    ),
    (lambda: _t(X).addr(X, X[0]), ValueError, r"addr: expects two vectors, got shapes \(3, 4\) and \(4,\)"),
    (lambda: _t(0.0).baddbmm(np.ones((2, 3, 4)), np.ones((3, 4, 5))), ValueError, r"baddbmm: batch sizes differ"),
    (lambda: _t(0.0).addbmm(np.ones((3, 4)), np.ones((4, 5))), ValueError, r"addbmm: expects two 3-D batches"),
    (lambda: _t(np.ones((2, 4))).cross(X), ValueError, r"cross: no dimension of size 3 in the input of shape \(2, 4\)"),
    (lambda: _t(X).cross(X, dim=1), ValueError, r"cross: dim 1 must have size 3"),
    (lambda: _t(X).cross(X[:2]), ValueError, r"cross: shapes \(3, 4\) and \(2, 4\) do not broadcast"),
    (lambda: _t(np.ones((2, 2, 2))).diag(), ValueError, r"diag: input must be 1-d or 2-d, got shape \(2, 2, 2\)"),
    (lambda: _t(1.0).diag_embed(), ValueError, r"diag_embed: needs at least 1 dimension"),
    (lambda: _t(X).diag_embed(0, 1, -2), ValueError, r"diag_embed: dim1 and dim2 must differ, got 1 and -2"),
    (lambda: _t(X[0]).rot90(), ValueError, r"rot90: needs at least 2 dimensions, got shape \(4,\)"),
    (lambda: _t(X[0]).fliplr(), ValueError, r"fliplr: .*shape \(4,\)"),
    (
        lambda: Tensor(np.array([1, 2])).nanmean(),
        TypeError,
        r"nanmean: expects a floating-point tensor, got dtype int64",
    ),
    (lambda: _t(X).renorm(0, 0, 1.0), ValueError, r"renorm: p must be positive"),
    (lambda: _t(np.ones((2, 2, 2))).cov(), ValueError, r"cov: expects a tensor of at most 2 dimensions"),
    (lambda: _t(X).cov(fweights=np.ones(4)), TypeError, r"cov: fweights must hold integers, got dtype float64"),
    (
        lambda: _t(X).cov(aweights=np.ones(3)),
        ValueError,
        r"cov: aweights must be a vector of 4 entries, got shape \(3,\)",
    ),
    (lambda: _t(X).cov(fweights=np.array([1, -1, 1, 1])), ValueError, r"cov: fweights must be non-negative"),
    (lambda: _t(X).det(), ValueError, r"det: expected square matrices in the last two axes, got shape \(3, 4\)"),
    (lambda: _t(X).matrix_power(2), ValueError, r"matrix_power: expected square matrices .* \(3, 4\)"),
    (lambda: _t(MATRIX).matrix_power(1.5), TypeError, r"matrix_power: n must be an integer"),
    (lambda: _t(np.zeros((2, 2))).inverse(), ValueError, r"inv: the matrix is singular"),
    (lambda: _t(-SPD).cholesky(), ValueError, r"cholesky: the matrix is not positive definite"),
    (lambda: _t(np.zeros((2, 0))).median(1), ValueError, r"median: dim 1 of shape \(2, 0\) is empty"),
    (lambda: _t(X).median(2), ValueError, r"median: .*2"),
    (lambda: _t(X).kthvalue(5), ValueError, r"kthvalue: k must be an integer in \[1, 4\] for dim -1 of shape \(3, 4\)"),
    (lambda: _t(X).kthvalue(0, 0), ValueError, r"kthvalue: k must be an integer in \[1, 3\]"),
    (lambda: _t(np.zeros((0, 3))).mode(0), ValueError, r"mode: dim 0 of shape \(0, 3\) is empty"),
    (lambda: _t(X).quantile(1.5), ValueError, r"quantile: q must be in \[0, 1\], got 1.5"),
    (lambda: _t(X).quantile([[0.5]]), ValueError, r"quantile: q must be a number or a 1-D tensor, got shape \(1, 1\)"),
    (lambda: _t(X).nanquantile(0.5, interpolation="cubic"), ValueError, r"nanquantile: interpolation must be one of"),
    (lambda: _t([]).quantile(0.5), ValueError, r"quantile: the input must be non-empty, got shape \(0,\)"),
    (lambda: Tensor(np.array([1, 2])).quantile(0.5), TypeError, r"quantile: expects a floating-point tensor"),
    (lambda: _t([]).aminmax(), ValueError, r"aminmax: cannot reduce an empty tensor of shape \(0,\)"),
    (lambda: _t(X).aminmax(dim=(0, 1)), TypeError, r"aminmax: dim must be an integer or None"),
]


@pytest.mark.parametrize("call, error, message", ERROR_CASES)
def test_bad_input_is_an_error_naming_the_method_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int8])
def test_distances_and_lerp_of_integers_are_computed_in_floats_without_wrapping(dtype):
    info = np.iinfo(dtype)
    low, high = np.array([[int(info.min)]], dtype=dtype), np.array([[int(info.max)]], dtype=dtype)
    gap = float(info.max) - float(info.min)  # the true distance, in Python floats
    np.testing.assert_array_equal(ag.cdist(Tensor(low), Tensor(high)).data, [[gap]])
    np.testing.assert_array_equal(ag.cdist(Tensor(high), Tensor(low)).data, [[gap]])
    assert Tensor(low[0]).dist(Tensor(high[0])).item() == gap
    midpoint = Tensor(high[0]).lerp(Tensor(low[0]), 0.5)
    assert midpoint.dtype.kind == "f"
    np.testing.assert_array_equal(midpoint.data, [(float(info.max) + float(info.min)) / 2])


def test_matrix_power_one_is_a_new_tensor_not_the_input():
    a = Tensor(np.eye(2), requires_grad=True)
    power = ag.linalg.matrix_power(a, 1)
    assert power is not a and not np.shares_memory(power.data, a.data)
    power.sum().backward()
    np.testing.assert_array_equal(a.grad, np.ones((2, 2)))


@pytest.mark.parametrize(
    ("row", "value", "index"),
    [
        ([np.nan, 1.0, np.nan, 2.0, 3.0], np.nan, 0),
        ([np.nan, np.nan, np.nan], np.nan, 0),
        ([3.0, 1.0, 3.0, 1.0], 1.0, 3),
    ],
)
def test_mode_counts_nans_as_one_value_as_torch(row, value, index):
    values, indices = Tensor(np.array(row)).mode()
    np.testing.assert_equal(values.data, value)
    assert indices.item() == index


def test_xlogy_keeps_float32_beside_a_python_number_or_a_0d_float64_tensor():
    y = Tensor(np.array([0.5, 2.0], dtype=np.float32), requires_grad=True)
    out = ag.xlogy(2.0, y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, 2.0 * np.log([0.5, 2.0]), rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(y.grad, [4.0, 1.0])  # d(2 log y)/dy = 2 / y
    assert y.xlogy(Tensor(np.array(3.0))).dtype == np.float32


@pytest.mark.parametrize(
    ("name", "first", "second", "dtype"),
    [
        ("xlogy", np.int64, np.float32, np.float32),  # an integer beside a float takes the float's dtype, as torch's
        ("xlogy", np.float16, np.int32, np.float16),
        ("xlogy", np.bool_, np.float32, np.float32),
        ("ldexp", np.float32, np.int64, np.float32),
        ("ldexp", np.int32, np.float16, np.float16),
        ("ldexp", np.int32, np.int64, np.float64),  # integers only: the default float dtype
    ],
)
def test_mixed_integer_and_float_operands_promote_as_torch(name, first, second, dtype):
    x, y = np.array([0, 1, 2]).astype(first), np.array([1, 2, 3]).astype(second)
    result = getattr(Tensor(x), name)(Tensor(y))
    assert result.dtype == dtype
    expected = np.where(x == 0, 0.0, x * np.log(y.astype(float))) if name == "xlogy" else x * 2.0 ** y.astype(float)
    np.testing.assert_allclose(result.data, expected, rtol=1e-3)


def test_xlogy_of_a_float64_x_and_a_float16_y_takes_the_log_in_float64():
    x, y = np.array([1.0, 3.0]), np.array([0.1, 7.3], dtype=np.float16)
    result = Tensor(x).xlogy(Tensor(y))
    assert result.dtype == np.float64
    np.testing.assert_allclose(result.data, x * np.log(y.astype(np.float64)), rtol=1e-15)


def test_frexps_mantissa_is_x_times_two_to_the_minus_exponent_with_that_gradient():
    values = np.array([2.5, -3.0, 0.0, 1e-300, np.inf])
    x = Tensor(values, requires_grad=True)
    mantissa, exponent = x.frexp()
    np.testing.assert_array_equal(mantissa.data, np.frexp(values)[0])
    assert exponent.dtype == np.int32 and not exponent.requires_grad
    mantissa.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ldexp(1.0, -np.frexp(values)[1]))
