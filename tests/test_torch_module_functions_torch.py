"""torch's module-level functions against torch: the method forwards (``autograd.addmm(x, ...)`` is
``x.addmm(...)``) called with torch's positional and keyword spellings, and the functions of
autograd.torch_module_functions. Values, and gradients of float outputs, are compared with torch's."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.torch_functions import TORCH_IN_PLACE_FUNCTIONS, TORCH_METHOD_FUNCTIONS, TORCH_PROPERTY_FUNCTIONS

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.filterwarnings("ignore:torch.(cholesky|qr|svd|triangular_solve) is deprecated:UserWarning"),
    pytest.mark.filterwarnings("ignore:index_reduce.. is in beta:UserWarning"),
]

RNG = np.random.default_rng(0)


def _flat(result):
    """The tensors and plain values of a result (a tensor, a tuple or named tuple of them, a bool...)."""
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in _flat(item)]
    return [result]


def _as_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, Tensor):
        return value.data
    return np.asarray(value)


def _same_results(ours, theirs, rtol=1e-10, atol=1e-12):
    mine, reference = _flat(ours), _flat(theirs)
    assert len(mine) == len(reference), f"{len(mine)} outputs, torch {len(reference)}"
    for have, want in zip(mine, reference):
        have_array, want_array = _as_numpy(have), _as_numpy(want)
        assert have_array.shape == want_array.shape, f"shape {have_array.shape}, torch {want_array.shape}"
        if want_array.dtype == np.bool_ or want_array.dtype.kind in "iu":
            np.testing.assert_array_equal(have_array, want_array)
        else:
            np.testing.assert_allclose(have_array, want_array, rtol=rtol, atol=atol, equal_nan=True)


#: Looser tolerances for the cases whose functions are series approximations (polygamma's: ~1e-9).
TOLERANCES = {"polygamma": {"rtol": 1e-8, "atol": 1e-10}}


def _run_both(call, arrays, rtol=1e-10, atol=1e-12):
    """``call(module, *tensors)`` with torch and with autograd on the same arrays: values, then the gradients
    of sum(output * weight) over the float outputs that need one."""
    floats = [a.dtype.kind == "f" for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    ours_in = [Tensor(a.copy(), requires_grad=f) for a, f in zip(arrays, floats)]
    theirs, ours = call(torch, *theirs_in), call(autograd, *ours_in)
    _same_results(ours, theirs, rtol, atol)
    pairs = [
        (mine, reference)
        for mine, reference in zip(_flat(ours), _flat(theirs))
        if isinstance(reference, torch.Tensor) and reference.requires_grad
    ]
    if not pairs:
        return
    weights = [np.random.default_rng(1).normal(size=tuple(reference.shape)) for _, reference in pairs]
    sum((reference * torch.tensor(w)).sum() for (_, reference), w in zip(pairs, weights)).backward()
    sum((mine * w).sum() for (mine, _), w in zip(pairs, weights)).backward()
    for position, (mine, reference) in enumerate(zip(ours_in, theirs_in)):
        if reference.requires_grad:
            want = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
            have = np.zeros(mine.shape) if mine.grad is None else mine.grad
            np.testing.assert_allclose(have, want, rtol=rtol * 100, atol=atol * 100, err_msg=f"gradient {position}")


def _uniform(*shape, low=-1.5, high=1.5):
    return RNG.uniform(low, high, shape)


def _ints(*shape, high=5):
    return RNG.integers(0, high, shape)


def _spd(m, x):
    return m.matmul(x, x.transpose(0, 1)) + 3 * m.eye(3, dtype=m.float64)


M = np.array([[1.0, 2.0, 0.5], [0.0, 3.0, 1.0], [2.0, 1.0, 4.0]])
WITH_SPECIALS = np.array([[1.0, np.nan, -2.0], [np.inf, 0.5, -np.inf]])

# (case id, call(module, *tensors), arrays): every call spells torch's module function, with torch's keywords
FORWARDS = [
    ("absolute", lambda m, x: m.absolute(x), [_uniform(2, 3)]),
    ("addbmm", lambda m, a, b, c: m.addbmm(a, b, c, beta=0.5, alpha=2), [_uniform(2, 4), _uniform(3, 2, 3), _uniform(3, 3, 4)]),
    ("addcdiv", lambda m, a, b, c: m.addcdiv(a, b, c * c + 1, value=0.5), [_uniform(2, 3)] * 3),
    ("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=-2), [_uniform(2, 3), _uniform(2, 3), _uniform(3)]),
    ("addmm", lambda m, a, b, c: m.addmm(a, b, c, beta=0.5, alpha=2), [_uniform(2, 4), _uniform(2, 3), _uniform(3, 4)]),
    ("addmv", lambda m, a, b, c: m.addmv(a, b, c, alpha=3), [_uniform(2), _uniform(2, 3), _uniform(3)]),
    ("addr", lambda m, a, b, c: m.addr(a, b, c, beta=2), [_uniform(2, 3), _uniform(2), _uniform(3)]),
    ("adjoint", lambda m, x: m.adjoint(x), [_uniform(2, 3)]),
    ("all", lambda m, x: (m.all(x > -1), m.all(x > 0, dim=1), m.all(x > 0, 0, keepdim=True)), [_uniform(3, 4)]),
    ("any", lambda m, x: (m.any(x > 1), m.any(x > 1, dim=1)), [_uniform(3, 4)]),
    ("aminmax", lambda m, x: m.aminmax(x, dim=1, keepdim=True), [_uniform(3, 4)]),
    ("angle", lambda m, x: m.angle(x), [np.array([-1.0, 0.0, 2.0])]),
    ("arccos", lambda m, x: m.arccos(x), [_uniform(5, low=-0.9, high=0.9)]),
    ("arccosh", lambda m, x: m.arccosh(x), [_uniform(5, low=1.1, high=3)]),
    ("arcsin", lambda m, x: m.arcsin(x), [_uniform(5, low=-0.9, high=0.9)]),
    ("arcsinh", lambda m, x: m.arcsinh(x), [_uniform(5)]),
    ("arctan", lambda m, x: m.arctan(x), [_uniform(5)]),
    ("arctan2", lambda m, y, x: m.arctan2(y, x), [_uniform(5), _uniform(5)]),
    ("arctanh", lambda m, x: m.arctanh(x), [_uniform(5, low=-0.9, high=0.9)]),
    ("argwhere", lambda m, x: m.argwhere(x > 0), [_uniform(3, 4)]),
    ("baddbmm", lambda m, a, b, c: m.baddbmm(a, b, c, beta=0.5, alpha=2), [_uniform(2, 2, 4), _uniform(2, 2, 3), _uniform(2, 3, 4)]),
    ("bincount", lambda m, x, w: m.bincount(x, w.detach(), minlength=7), [_ints(8), _uniform(8)]),
    ("bitwise", lambda m, a, b: (m.bitwise_and(a, b), m.bitwise_or(a, b), m.bitwise_xor(a, b), m.bitwise_not(a)), [_ints(6, high=16), _ints(6, high=16)]),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), [_uniform(3, 1)]),
    ("cholesky", lambda m, x: m.cholesky(_spd(m, x)), [_uniform(3, 3)]),
    ("cholesky_upper", lambda m, x: m.cholesky(_spd(m, x), upper=True), [_uniform(3, 3)]),
    ("chunk", lambda m, x: m.chunk(x, 3, dim=1), [_uniform(2, 7)]),
    ("clip", lambda m, x: (m.clip(x, -0.5, 0.7), m.clip(x, min=-0.2), m.clip(x, max=0.1)), [_uniform(3, 4)]),
    ("conj", lambda m, x: (m.conj(x), m.resolve_conj(x), m.resolve_neg(x)), [_uniform(3)]),
    ("copysign", lambda m, a, b: m.copysign(a, b), [_uniform(4), _uniform(4)]),
    ("corrcoef", lambda m, x: m.corrcoef(x), [_uniform(3, 6)]),
    ("cov", lambda m, x: (m.cov(x), m.cov(x, correction=0)), [_uniform(3, 6)]),
    ("cross", lambda m, a, b: m.cross(a, b, dim=1), [_uniform(4, 3), _uniform(4, 3)]),
    ("deg2rad", lambda m, x: (m.deg2rad(x), m.rad2deg(x)), [_uniform(4)]),
    ("det", lambda m, x: (m.det(x), m.logdet(_spd(m, x)), m.slogdet(x)), [M]),
    ("diag_embed", lambda m, x: m.diag_embed(x, offset=1, dim1=0, dim2=2), [_uniform(2, 3)]),
    ("diagflat", lambda m, x: m.diagflat(x, offset=-1), [_uniform(2, 2)]),
    ("dist", lambda m, a, b: (m.dist(a, b), m.dist(a, b, 3)), [_uniform(2, 3), _uniform(3)]),
    ("fix", lambda m, x: (m.fix(x * 3), m.frac(x * 3)), [_uniform(5)]),
    ("float_power", lambda m, x: m.float_power(x.abs() + 0.5, 2.5), [_uniform(4)]),
    ("floor_divide", lambda m, a, b: m.floor_divide(a.detach(), b.detach()), [np.array([7.0, -7.0, 5.0]), np.array([2.0, 2.0, -3.0])]),
    ("fmax", lambda m, a, b: (m.fmax(a, b), m.fmin(a, b)), [np.array([1.0, np.nan, 3.0]), np.array([np.nan, 2.0, 1.0])]),
    ("gcd", lambda m, a, b: (m.gcd(a, b), m.lcm(a, b)), [np.array([12, 18, 7]), np.array([8, 27, 5])]),
    ("comparisons", lambda m, a, b: (m.greater(a, b), m.greater_equal(a, b), m.less(a, b), m.less_equal(a, b), m.not_equal(a, b)), [_ints(6).astype(float), _ints(6).astype(float)]),
    ("heaviside", lambda m, x, v: m.heaviside(x.detach(), v.detach()), [np.array([-1.0, 0.0, 2.0]), np.array([0.5, 0.5, 0.5])]),
    ("histc", lambda m, x: m.histc(x, bins=4, min=-1, max=1), [_uniform(20)]),
    ("index_add", lambda m, x, s: m.index_add(x, 0, m.tensor([0, 2, 0]), s, alpha=2), [_uniform(3, 2), _uniform(3, 2)]),
    ("index_copy", lambda m, x, s: m.index_copy(x, 1, m.tensor([2, 0]), s), [_uniform(2, 3), _uniform(2, 2)]),
    ("index_fill", lambda m, x: m.index_fill(x, 1, m.tensor([0, 2]), -1.0), [_uniform(2, 3)]),
    ("index_put", lambda m, x, v: m.index_put(x, (m.tensor([0, 1, 0]), m.tensor([2, 0, 2])), v, accumulate=True), [_uniform(2, 3), _uniform(3)]),
    ("index_select", lambda m, x: m.index_select(x, 1, m.tensor([2, 0, 2])), [_uniform(2, 3)]),
    ("inverse", lambda m, x: (m.inverse(x), m.pinverse(x), m.matrix_power(x, 3), m.matrix_power(x, -2)), [M]),
    ("isposinf", lambda m, x: (m.isposinf(x), m.isneginf(x), m.isreal(x), m.signbit(x)), [WITH_SPECIALS]),
    ("kthvalue", lambda m, x: (m.kthvalue(x, 2), m.kthvalue(x, 2, dim=0, keepdim=True)), [_uniform(3, 4)]),
    ("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), [_uniform(4), _uniform(4)]),
    ("logit", lambda m, x: (m.logit(m.sigmoid(x)), m.logit(m.sigmoid(x), eps=0.3)), [_uniform(5)]),
    ("masked_scatter", lambda m, x, s: m.masked_scatter(x, x > 0, s), [_uniform(2, 3), _uniform(2, 3)]),
    ("masked_select", lambda m, x: m.masked_select(x, x > 0), [_uniform(3, 4)]),
    ("median", lambda m, x: (m.median(x), m.median(x, dim=1), m.median(x, 0, keepdim=True)), [_uniform(3, 5)]),
    ("mode", lambda m, x: m.mode(x, dim=1), [np.array([[1.0, 2.0, 2.0, 3.0], [4.0, 4.0, 1.0, 1.0]])]),
    ("movedim", lambda m, x: (m.movedim(x, 0, -1), m.movedim(x, (0, 1), (2, 0))), [_uniform(2, 3, 4)]),
    ("msort", lambda m, x: m.msort(x), [_uniform(4, 3)]),
    ("multiply", lambda m, a, b: (m.multiply(a, b), m.subtract(a, b, alpha=2), m.true_divide(a, b * b + 1)), [_uniform(3), _uniform(3)]),
    ("nan_to_num", lambda m, x: (m.nan_to_num(x), m.nan_to_num(x, nan=1.0, posinf=9.0, neginf=-9.0)), [WITH_SPECIALS]),
    ("nanmedian", lambda m, x: (m.nanmedian(x), m.nanmedian(x, dim=1)), [np.array([[1.0, np.nan, 3.0], [2.0, 5.0, -1.0]])]),
    ("nansum", lambda m, x: (m.nansum(x), m.nansum(x, dim=1), m.nanmean(x, dim=0, keepdim=True)), [_uniform(3, 4)]),
    ("nanquantile", lambda m, x: m.nanquantile(x, 0.3, dim=1), [np.array([[1.0, np.nan, 3.0, 0.5], [2.0, 5.0, -1.0, 0.0]])]),
    ("narrow", lambda m, x: (m.narrow(x, 1, 1, 2), m.narrow_copy(x, 0, 0, 1), m.select(x, 1, -1)), [_uniform(2, 4)]),
    ("negative", lambda m, x: (m.negative(x), m.positive(x), m.sgn(x)), [_uniform(4)]),
    ("nonzero", lambda m, x: (m.nonzero(x > 0), m.nonzero(x > 0, as_tuple=True)), [_uniform(3, 4)]),
    ("put", lambda m, x, s: m.put(x, m.tensor([0, 5, 0]), s, accumulate=True), [_uniform(2, 3), _uniform(3)]),
    ("quantile", lambda m, x: (m.quantile(x, 0.3), m.quantile(x, 0.7, dim=1, keepdim=True, interpolation="lower")), [_uniform(3, 5)]),
    ("renorm", lambda m, x: m.renorm(x, 2, 0, 1.0), [_uniform(3, 4)]),
    ("repeat_interleave", lambda m, x: (m.repeat_interleave(x, 2, dim=0), m.repeat_interleave(x, 3)), [_uniform(2, 3)]),
    ("scatter_reduce", lambda m, x, s: m.scatter_reduce(x, 1, m.tensor([[0, 1, 0], [2, 2, 1]]), s, "sum", include_self=False), [_uniform(2, 3), _uniform(2, 3)]),
    ("sinc", lambda m, x: (m.sinc(x), m.xlogy(x, x * x + 0.5)), [_uniform(5)]),
    ("split_with_sizes", lambda m, x: m.split_with_sizes(x, [1, 3], dim=1), [_uniform(2, 4)]),
    ("swapdims", lambda m, x: m.swapdims(x, 0, 2), [_uniform(2, 3, 4)]),
    ("take_along_dim", lambda m, x: (m.take_along_dim(x, m.tensor([[0], [2]]), dim=1), m.take_along_dim(x, m.tensor([5, 0]))), [_uniform(2, 3)]),
    ("tensor_split", lambda m, x: (m.tensor_split(x, 3, dim=1), m.tensor_split(x, [1, 4], dim=1)), [_uniform(2, 5)]),
    ("unbind", lambda m, x: m.unbind(x, dim=1), [_uniform(2, 3)]),
    ("unflatten", lambda m, x: m.unflatten(x, 1, (2, 3)), [_uniform(2, 6)]),
    ("unique", lambda m, x: (m.unique(x, return_inverse=True, return_counts=True), m.unique_consecutive(x, return_counts=True)), [np.array([3, 1, 1, 2, 3, 3])]),
    ("predicates", lambda m, x: (m.is_complex(x), m.is_floating_point(x), m.is_nonzero(x[:1]), m.is_same_size(x, x), m.is_signed(x), m.is_inference(x), m.get_device(x)), [_uniform(3)]),
    ("real", lambda m, x: m.real(x), [_uniform(3)]),
    ("special", lambda m, x: (m.lgamma(x), m.erfc(x), m.i0(x), m.mvlgamma(x + 1, 2)), [_uniform(4, low=0.6, high=3)]),
    ("polygamma", lambda m, x: (m.digamma(x), m.polygamma(1, x), m.polygamma(2, x)), [_uniform(4, low=0.6, high=3)]),
    ("erfinv", lambda m, x: m.erfinv(x), [_uniform(4, low=-0.9, high=0.9)]),
    ("divide", lambda m, a, b: (m.divide(a, b * b + 1), m.divide(a.detach(), b.detach(), rounding_mode="floor")), [_uniform(4), _uniform(4)]),
    ("ger", lambda m, a, b: (m.ger(a, b), m.vdot(a[:3], b)), [_uniform(4), _uniform(3)]),
    ("hardshrink", lambda m, x: (m.hardshrink(x), m.hardshrink(x, lambd=1.0)), [_uniform(6)]),
    ("prelu", lambda m, x, w: m.prelu(x, w), [_uniform(2, 3), _uniform(3)]),
    ("ldexp", lambda m, a, b: (m.ldexp(a, b), m.frexp(a.detach()), m.nextafter(a.detach(), b.detach())), [_uniform(4), np.array([1, 2, 0, 3])]),
    ("linalg", lambda m, x, b: (m.cholesky_inverse(m.cholesky(_spd(m, x))), m.cholesky_solve(b, m.cholesky(_spd(m, x))), m.matrix_exp(x / 3)), [_uniform(3, 3), _uniform(3, 2)]),
    ("decompositions", lambda m, x: (m.qr(x.detach()), m.svd(x.detach(), compute_uv=False).S), [_uniform(3, 3)]),  # values only here
    ("triangular_solve", lambda m, b, x: m.triangular_solve(b, _spd(m, x).triu(), upper=True), [_uniform(3, 2), _uniform(3, 3)]),
    ("histogram", lambda m, x: m.histogram(x.detach(), 4, range=(-1.0, 1.0)), [_uniform(20)]),
    ("scatters", lambda m, x, s: (m.select_scatter(x, s[0], 0, 1), m.slice_scatter(x, s[:3, :2], 1, 0, 2), m.diagonal_scatter(x, s[0, :3])), [_uniform(3, 4), _uniform(4, 4)]),
    ("index_reduce", lambda m, x, s: m.index_reduce(x, 0, m.tensor([0, 2, 0]), s, "prod", include_self=False), [_uniform(3, 2), _uniform(3, 2)]),
    ("unsafe_split", lambda m, x: (m.unsafe_chunk(x, 2, 1), m.unsafe_split(x, 2, dim=1), m.unsafe_split_with_sizes(x, [1, 3], 1)), [_uniform(2, 4)]),
    ("is_conj", lambda m, x: (m.is_conj(x), m.is_neg(x)), [_uniform(2)]),
]  # fmt: skip


@pytest.mark.parametrize("case,call,arrays", FORWARDS, ids=[case[0] for case in FORWARDS])
def test_module_function_forwards_give_torchs_values_and_gradients(case, call, arrays):
    _run_both(call, arrays, **TOLERANCES.get(case, {}))


def test_every_forward_is_a_torch_module_function():
    forwards = TORCH_METHOD_FUNCTIONS + TORCH_IN_PLACE_FUNCTIONS + TORCH_PROPERTY_FUNCTIONS
    assert [name for name in forwards if not hasattr(torch, name)] == []


def test_every_in_place_method_torch_spells_as_a_function_is_a_module_function():
    methods = {name for name in dir(Tensor) if not name.startswith("_") and name.endswith("_")}
    missing = sorted(name for name in methods & set(dir(torch)) if not hasattr(autograd, name))
    assert missing == [], f"add these to autograd.torch_functions.TORCH_IN_PLACE_FUNCTIONS: {missing}"


IN_PLACE_CALLS = [
    ("sigmoid_", ()), ("exp_", ()), ("log1p_", ()), ("square_", ()), ("round_", ()), ("frac_", ()),
    ("clamp_", (0.2, 0.6)), ("clamp_min_", (0.3,)), ("xlogy_", (2.0,)), ("logit_", (1e-3,)), ("fill_", (2.5,)),
    ("nan_to_num_", (0.0,)), ("erfc_", ()), ("reciprocal_", ()),
]  # fmt: skip


@pytest.mark.parametrize("name,args", IN_PLACE_CALLS, ids=[name for name, _ in IN_PLACE_CALLS])
def test_in_place_forwards_give_torchs_values(name, args):
    data = _uniform(3, 4)
    ours, theirs = Tensor(data.copy()), torch.tensor(data.copy())
    assert getattr(autograd, name)(ours, *args) is ours
    getattr(torch, name)(theirs, *args)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=1e-12)


#: torch module attributes our Tensor has as methods but that are no functions in torch (dtypes, modules,
#: classes, torch.layout), and so have no forward; and ``fill``, numpy's in-place ndarray method here (torch.fill makes a new
#: tensor: the function's meaning and the method's differ, so the name is not forwarded).
NOT_FORWARDED = {"bfloat16", "cdouble", "cfloat", "chalf", "cpu", "device", "dtype", "fill", "layout", "version"}


def test_every_tensor_method_torch_spells_as_a_function_is_a_module_function():
    methods = {name for name in dir(Tensor) if not name.startswith("_") and not name.endswith("_")}
    missing = sorted(
        name
        for name in methods & set(dir(torch))
        if name not in NOT_FORWARDED and not inspect.ismodule(getattr(torch, name)) and not hasattr(autograd, name)
    )
    assert missing == [], f"add these to autograd.torch_functions.TORCH_METHOD_FUNCTIONS: {missing}"


def test_forwards_share_the_method_signatures_torch_documents():
    x = Tensor(_uniform(3, 4))
    assert autograd.kthvalue(x, 1, 1, True).values.shape == (3, 1)
    assert autograd.cross(Tensor(_uniform(3, 3)), Tensor(_uniform(3, 3)), 0).shape == (3, 3)
    assert autograd.median(x, 1, True).values.shape == (3, 1)


# -- the functions of autograd.torch_module_functions ----------------------------------------------------------
NEW_FUNCTIONS = [
    ("cdist", lambda m, a, b: m.cdist(a, b), [_uniform(4, 3), _uniform(5, 3)]),
    ("cdist_batched", lambda m, a, b: m.cdist(a, b), [_uniform(2, 1, 4, 3), _uniform(3, 5, 3)]),
    ("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1), [_uniform(2, 4, 3), _uniform(2, 5, 3)]),
    ("cdist_p3", lambda m, a, b: m.cdist(a, b, 3.0), [_uniform(4, 3), _uniform(5, 3)]),
    ("cdist_p_half", lambda m, a, b: m.cdist(a, b, 0.5), [_uniform(4, 3), _uniform(5, 3)]),
    ("cdist_p_inf", lambda m, a, b: m.cdist(a, b, float("inf")), [_uniform(4, 3), _uniform(5, 3)]),
    ("cdist_p0", lambda m, a, b: m.cdist(a, b, 0), [_ints(4, 3, high=2).astype(float), _ints(5, 3, high=2).astype(float)]),
    ("std_mean", lambda m, x: (m.std_mean(x), m.std_mean(x, dim=1), m.std_mean(x, 0, keepdim=True, correction=0)), [_uniform(3, 4)]),
    ("std_mean_unbiased", lambda m, x: (m.std_mean(x, False), m.std_mean(x, (0, 1), False, True)), [_uniform(3, 4)]),
    ("var_mean", lambda m, x: (m.var_mean(x), m.var_mean(x, 1, unbiased=False), m.var_mean(x, dim=0, correction=2)), [_uniform(3, 4)]),
    ("std_var_unbiased_by_default", lambda m, x: (m.std(x), m.var(x), m.std(x, 0), m.var(x, 1, True, True), m.std(x, False), m.var(x, dim=0, correction=0)), [_uniform(3, 4)]),
    ("cartesian_prod", lambda m, a, b, c: m.cartesian_prod(a, b, c), [_uniform(2), _uniform(3), _uniform(2)]),
    ("cartesian_prod_one", lambda m, a: m.cartesian_prod(a), [_uniform(3)]),
    ("combinations", lambda m, x: (m.combinations(x), m.combinations(x, r=3), m.combinations(x, 2, with_replacement=True)), [_uniform(4)]),
    ("combinations_edges", lambda m, x: (m.combinations(x, r=5), m.combinations(x, 1), m.combinations(x, r=0)), [_uniform(4)]),
    ("block_diag", lambda m, a, b, c: m.block_diag(a, b, c), [_uniform(), _uniform(2), _uniform(2, 3)]),
    ("block_diag_empty_block", lambda m, a, b: m.block_diag(a, b), [_uniform(0, 2), _uniform(2, 1)]),
    ("trapezoid", lambda m, y: (m.trapezoid(y), m.trapezoid(y, dx=0.5, dim=0), m.trapz(y, dim=0), m.trapz(y, dx=2.0)), [_uniform(3, 4)]),
    ("trapezoid_x", lambda m, y, x: (m.trapezoid(y, x), m.trapz(y, x), m.cumulative_trapezoid(y, x)), [_uniform(3, 4), _uniform(4)]),
    ("trapezoid_x_nd", lambda m, y, x: (m.trapezoid(y, x, dim=0), m.cumulative_trapezoid(y, x, dim=0)), [_uniform(3, 4), _uniform(3, 4)]),
    ("trapezoid_x_broadcast", lambda m, y, x: m.trapezoid(y, x, dim=1), [_uniform(2, 3, 4), _uniform(3, 1)]),
    ("trapezoid_short", lambda m, y: (m.trapezoid(y), m.cumulative_trapezoid(y), m.trapezoid(y[:0]), m.cumulative_trapezoid(y[:0])), [_uniform(1)]),
    ("cumulative_trapezoid", lambda m, y: (m.cumulative_trapezoid(y), m.cumulative_trapezoid(y, dx=0.3, dim=0)), [_uniform(3, 4)]),
    ("vander_ints", lambda m, x: m.vander(x, N=4), [np.array([0, 2, -3])]),
    ("broadcast_tensors", lambda m, a, b, c: m.broadcast_tensors(a, b, c), [_uniform(3, 1), _uniform(4), _uniform()]),
    ("bucketize", lambda m, x: (m.bucketize(x, m.tensor([-1.0, 0.0, 0.5])), m.bucketize(x, m.tensor([-1.0, 0.0, 0.5]), right=True)), [np.array([[-1.0, 0.2], [0.5, 3.0]])]),
    ("searchsorted", lambda m, x: (m.searchsorted(m.tensor([1.0, 2.0, 2.0, 4.0]), x), m.searchsorted(m.tensor([1.0, 2.0, 2.0, 4.0]), x, right=True), m.searchsorted(m.tensor([1.0, 2.0, 2.0, 4.0]), x, side="right", out_int32=True)), [np.array([2.0, 0.0, 5.0, 1.5])]),
    ("searchsorted_rows", lambda m, s, x: m.searchsorted(s, x), [np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]), np.array([[3.0, 6.0], [1.0, 4.0]])]),
    ("searchsorted_sorter", lambda m, s: m.searchsorted(s, m.tensor([2.5, 0.0]), sorter=m.argsort(s)), [np.array([3.0, 1.0, 2.0])]),
    ("searchsorted_scalar", lambda m, s: m.bucketize(2, s), [np.array([1, 3, 5])]),
    ("concat", lambda m, a, b: (m.concat([a, b], dim=1), m.concatenate((a, b), 0)), [_uniform(2, 3), _uniform(2, 3)]),
]  # fmt: skip


@pytest.mark.parametrize("call,arrays", [case[1:] for case in NEW_FUNCTIONS], ids=[case[0] for case in NEW_FUNCTIONS])
def test_new_module_functions_give_torchs_values_and_gradients(call, arrays):
    _run_both(call, arrays)


def test_std_and_var_in_numpys_spelling_keep_numpys_ddof():
    x = _uniform(3, 4)
    np.testing.assert_allclose(autograd.std(Tensor(x), axis=0).numpy(), np.std(x, axis=0))
    np.testing.assert_allclose(autograd.var(Tensor(x), ddof=1, keepdims=True).numpy(), np.var(x, ddof=1, keepdims=True))
    with pytest.raises(TypeError, match="std: got numpy's axis="):
        autograd.std(Tensor(x), 0, axis=0)


def test_vander_gives_torchs_values_and_the_gradient_of_its_powers():
    """torch.vander's own backward fails in torch 2.13 (an in-place cumprod), so the gradient is checked against
    torch's gradient of the explicit powers x**k (0 at x = 0 for k = 0, as torch's pow)."""
    array = np.array([0.0, 1.5, -2.0])
    for options in ({}, {"N": 4}, {"N": 2, "increasing": True}, {"N": 1}, {"N": 0}):
        ours_in, theirs_in = Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)
        ours = autograd.vander(ours_in, **options)
        np.testing.assert_allclose(ours.data, torch.vander(torch.tensor(array), **options).numpy())
        columns = options.get("N", 3)
        if not columns:
            continue
        exponents = range(columns) if options.get("increasing") else range(columns - 1, -1, -1)
        theirs = torch.stack([theirs_in**k for k in exponents], 1)
        weight = RNG.normal(size=ours.shape)
        (ours * weight).sum().backward()
        (theirs * torch.tensor(weight)).sum().backward()
        np.testing.assert_allclose(ours_in.grad, theirs_in.grad.numpy(), rtol=1e-12)


def test_cdist_gradient_at_zero_distance_is_zero_as_torch():
    points = _uniform(3, 2)
    _run_both(lambda m, a, b: m.cdist(a, b), [points, points.copy()])


@pytest.mark.parametrize("offset", [-2, 0, 1, 5])
@pytest.mark.parametrize("rows,columns", [(3, 4), (4, 2), (0, 3), (1, 1)])
def test_triangle_indices_match_torch(rows, columns, offset):
    for name in ("tril_indices", "triu_indices"):
        ours, theirs = getattr(autograd, name)(rows, columns, offset), getattr(torch, name)(rows, columns, offset)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_logspace_matches_torchs_values_in_float64():
    for base in (10.0, 2.0, 0.5):
        ours, theirs = autograd.logspace(-1, 2, 7, base), torch.logspace(-1, 2, 7, base, dtype=torch.float64)
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-14)
        assert ours.dtype == np.float64
    assert autograd.logspace(0, 1, 3, dtype=autograd.float32).dtype == np.float32


@pytest.mark.parametrize(
    ("low", "high", "dtype"),
    [(0, 200, "int8"), (-129, 0, "int8"), (-5, 0, "uint8"), (0, 257, "uint8"), (0, 2**40, "int32"), (0, 5, "bool"),
     (0, 70000, "float16")],
)  # fmt: skip
def test_randint_refuses_bounds_its_dtype_cannot_hold_as_torch(low, high, dtype):
    # numpy's cast wrapped the draws: randint(0, 200) in int8 gave negative numbers, outside [low, high)
    with pytest.raises(RuntimeError, match="out of bounds"):
        torch.randint(low, high, (4,), dtype=getattr(torch, dtype))
    with pytest.raises(autograd.ArgumentRangeError, match=f"randint: .* out of bounds for {dtype}"):
        autograd.randint(low, high, (4,), dtype=np.dtype(dtype))
    with pytest.raises(RuntimeError, match="out of bounds"):  # randint_like: the dtype of its input
        autograd.randint_like(Tensor(np.zeros(4, dtype)), low, high)


@pytest.mark.parametrize(("low", "high", "dtype"), [(-128, 128, "int8"), (0, 256, "uint8"), (0, 2, "bool")])
def test_randint_draws_the_whole_range_its_dtype_holds(low, high, dtype):
    torch.randint(low, high, (4,), dtype=getattr(torch, dtype))  # torch takes these bounds too
    drawn = autograd.randint(low, high, (4000,), dtype=np.dtype(dtype), generator=0)
    assert drawn.dtype == np.dtype(dtype)
    assert drawn.data.astype(np.int64).min() == low and drawn.data.astype(np.int64).max() == high - 1


def test_random_integer_factories_match_torchs_shapes_dtypes_and_ranges():
    ours, theirs = autograd.randint(3, 10, (50, 4), generator=0), torch.randint(3, 10, (50, 4))
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.data.min() >= 3 and ours.data.max() < 10
    for dtype in (np.float32, np.int16):
        like = autograd.randint_like(Tensor(np.zeros((2, 3), dtype)), 4, generator=1)
        assert (
            like.shape == (2, 3)
            and like.dtype == torch.randint_like(torch.zeros(2, 3).to(getattr(torch, str(like.dtype))), 4).numpy().dtype
        )
    permutation = autograd.randperm(9, generator=2)
    assert permutation.dtype == np.int64 and sorted(permutation.data) == list(range(9))
    assert autograd.empty_like(Tensor(np.ones((2, 3), np.float32))).shape == tuple(
        torch.empty_like(torch.ones(2, 3)).shape
    )


def test_broadcast_shapes_matches_torch():
    assert autograd.broadcast_shapes((3, 1), (4,), ()) == tuple(torch.broadcast_shapes((3, 1), (4,), ()))
    assert autograd.broadcast_shapes(2, (3, 1)) == tuple(torch.broadcast_shapes(2, (3, 1)))


@pytest.mark.parametrize(
    "first,second",
    [("float32", "float64"), ("int32", "int64"), ("uint8", "int8"), ("bool", "int16"), ("int16", "float64")],
)
def test_dtype_promotion_agrees_with_torch_where_numpy_and_torch_agree(first, second):
    ours = autograd.promote_types(getattr(autograd, first), getattr(autograd, second))
    assert str(ours) == str(torch.promote_types(getattr(torch, first), getattr(torch, second))).removeprefix("torch.")
    for source, target in ((first, second), (second, first)):
        theirs = torch.can_cast(getattr(torch, source), getattr(torch, target))
        if not (source == "int8" and target == "uint8"):  # numpy's same_kind refuses signed -> unsigned
            assert autograd.can_cast(getattr(autograd, source), getattr(autograd, target)) == theirs


def test_result_type_of_tensors_agrees_with_torch():
    pairs = [
        (np.ones(2, np.float32), np.ones(2, np.float64)),
        (np.ones(2, np.int32), np.ones(2, np.float64)),
        (np.ones(2, np.int32), 1),
    ]
    for first, second in pairs:
        ours = autograd.result_type(Tensor(first), Tensor(second) if isinstance(second, np.ndarray) else second)
        theirs = torch.result_type(
            torch.tensor(first), torch.tensor(second) if isinstance(second, np.ndarray) else second
        )
        assert str(ours) == str(theirs).removeprefix("torch.")


_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


@pytest.mark.parametrize("first", _DTYPES)
def test_promote_types_and_result_type_agree_with_torch_and_with_our_arithmetic(first):
    # every pair of real dtypes, dimensioned and 0-d (a 0-d tensor promotes as a number beside a dimensioned one)
    for second in _DTYPES:
        theirs = torch.promote_types(getattr(torch, first), getattr(torch, second))
        assert str(autograd.promote_types(np.dtype(first), np.dtype(second))) == str(theirs).removeprefix("torch.")
        for first_shape, second_shape in (((2,), (2,)), ((), (2,)), ((2,), ())):
            a, b = np.zeros(first_shape, first), np.zeros(second_shape, second)
            theirs = torch.result_type(torch.from_numpy(a), torch.from_numpy(b))
            ours = autograd.result_type(Tensor(a), Tensor(b))
            assert str(ours) == str(theirs).removeprefix("torch.")
            assert (Tensor(a) + Tensor(b)).dtype == ours  # it says what the library's own addition gives


def test_result_type_refuses_operands_that_name_no_real_dtype():
    for operand, named in (
        ("abc", "got str"),
        ("S1", "unsupported dtype"),
        (np.complex64, "complex64"),
        (object(), "object"),
    ):
        with pytest.raises(TypeError, match=named):
            autograd.result_type(operand, 1)


def test_is_tensor_and_inference_mode_behave_as_torchs():
    assert autograd.is_tensor(Tensor(1.0)) and torch.is_tensor(torch.tensor(1.0))
    assert not autograd.is_tensor(np.ones(2)) and not torch.is_tensor(np.ones(2))
    x = Tensor(np.ones(2), requires_grad=True)
    with autograd.inference_mode():
        assert not (x * 2).requires_grad
    with torch.inference_mode():
        assert not (torch.ones(2, requires_grad=True) * 2).requires_grad
    with autograd.inference_mode(False):
        assert (x * 2).requires_grad


@pytest.mark.parametrize(
    ("dtype", "fits", "too_many"),
    [("int8", 128, 129), ("uint8", 256, 257), ("int16", 32768, 32769), ("float16", 2049, 2050)],
)
def test_randperm_refuses_a_dtype_that_cannot_hold_n_minus_1_as_torch(dtype, fits, too_many):
    assert sorted(torch.randperm(fits, dtype=getattr(torch, dtype)).tolist()) == list(range(fits))
    with pytest.raises(RuntimeError):
        torch.randperm(too_many, dtype=getattr(torch, dtype))
    permutation = autograd.randperm(fits, dtype=dtype, generator=0)
    assert permutation.dtype == np.dtype(dtype) and sorted(permutation.data.tolist()) == list(range(fits))
    with pytest.raises(ValueError, match=f"randperm: n.* {dtype}") as refused:
        autograd.randperm(too_many, dtype=dtype)
    assert isinstance(refused.value, RuntimeError)  # torch's class too


@pytest.mark.parametrize("name", ["inf", "nan", "pi", "e", "newaxis"])
def test_torchs_module_constants_have_torchs_values(name):
    """``-torch.inf`` fills a causal mask, ``torch.pi`` a hand-written GELU (LLMs from scratch, ch03/ch04)."""
    ours, theirs = getattr(autograd, name), getattr(torch, name)
    assert type(ours) is type(theirs)
    if name == "nan":
        assert np.isnan(ours)
    else:
        assert ours == theirs


def test_torch_inf_fills_a_causal_mask_as_torchs():
    scores = RNG.standard_normal((3, 3))
    mask = np.triu(np.ones((3, 3)), 1).astype(bool)
    ours = autograd.softmax(Tensor(scores).masked_fill(Tensor(mask), -autograd.inf), dim=-1)
    theirs = torch.softmax(torch.tensor(scores).masked_fill(torch.tensor(mask), -torch.inf), dim=-1)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "data, value",
    [(RNG.normal(size=(2, 3)), 1.5), (RNG.normal(size=4), True), (np.arange(3), 2.7), (RNG.normal(size=(3,)), "0-d")],
)
def test_fill_is_out_of_place_with_torchs_values_and_gradients(data, value):
    float_input = data.dtype.kind == "f"
    x, expected = Tensor(data, requires_grad=float_input), torch.tensor(data, requires_grad=float_input)
    ours_value, their_value = value, value
    if value == "0-d":
        ours_value, their_value = Tensor(np.array(0.25), requires_grad=True), torch.tensor(0.25, requires_grad=True)
    filled, theirs = autograd.fill(x, ours_value), torch.fill(expected, their_value)
    np.testing.assert_array_equal(x.data, data)  # the input is unchanged
    assert filled.dtype == _as_numpy(theirs).dtype
    np.testing.assert_array_equal(filled.data, _as_numpy(theirs))
    if float_input:
        inputs = [x] + ([ours_value] if value == "0-d" else [])
        their_inputs = [expected] + ([their_value] if value == "0-d" else [])
        upstream = RNG.normal(size=data.shape)
        ours = autograd.grad(filled, inputs, Tensor(upstream))
        wanted = torch.autograd.grad(theirs, their_inputs, torch.tensor(upstream))
        for mine, reference in zip(ours, wanted):
            np.testing.assert_allclose(_as_numpy(mine), reference.numpy())
    with pytest.raises(RuntimeError, match="cannot be converted"):
        torch.fill(torch.ones(2, dtype=torch.int8), 300)
    with pytest.raises(RuntimeError, match="cannot be converted"):
        autograd.fill(Tensor(np.ones(2, dtype=np.int8)), 300)


def _records_inside_inference_mode(library):
    """Whether x * 2 requires grad under each way of turning grad mode on inside ``inference_mode``, then inside
    ``inference_mode(False)`` nested in it, then after the blocks."""
    x = library.ones(2, requires_grad=True)
    seen = []
    with library.inference_mode():
        with library.enable_grad():
            seen.append((x * 2).requires_grad)
            with library.inference_mode(False):
                seen.append((x * 2).requires_grad)
            seen.append((x * 2).requires_grad)
        with library.set_grad_enabled(True):
            seen.append((x * 2).requires_grad)
        with library.no_grad(), library.enable_grad():
            seen.append((x * 2).requires_grad)
    seen.append((x * 2).requires_grad)
    return seen


def test_enable_grad_inside_inference_mode_records_nothing_as_torchs():
    assert _records_inside_inference_mode(autograd) == _records_inside_inference_mode(torch)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x, y: lib.rsub(x, y),
        lambda lib, x, y: lib.rsub(x, y, alpha=2.5),
        lambda lib, x, y: lib.rsub(x, 3.0, alpha=-2),
        lambda lib, x, y: lib.rsub(input=x, other=y, alpha=0.5),
    ],
    ids=["rsub", "alpha 2.5", "number other", "keywords"],
)
def test_rsub_is_other_minus_alpha_input_with_torchs_values_and_gradients(call):
    """torch.rsub(input, other, alpha) is other - alpha input (sub with its operands swapped); it was missing."""
    x, y = np.array([1.5, -2.0, 0.25], dtype=np.float32), np.array([0.5, 4.0, -1.0], dtype=np.float32)
    ours = [Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)]
    theirs = [torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)]
    out, expected = call(autograd, *ours), call(torch, *theirs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    for mine, reference in zip(ours, theirs):
        assert (mine.grad is None) == (reference.grad is None)
        if reference.grad is not None:
            np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["div", "true_divide", "divide", "xlogy", "float_power"])
@pytest.mark.parametrize(
    ("number", "array"),
    [(-3, np.array([3, 250, 0], dtype=np.uint8)), (300, np.array([3, -2, 7], dtype=np.int8))],
    ids=["-3 before uint8", "300 before int8"],
)
def test_an_int_before_an_integer_tensor_in_a_floating_function_is_not_wrapped_into_its_dtype(name, number, array):
    """torch computes autograd.div(-3, t) of a uint8 t in floats with -3 as it is: -3 / 3 = -1; the int was wrapped
    into uint8 first (253), as a weak scalar of an integer op is, so the quotient was 84.3 (and xlogy's and
    float_power's values were 253's)."""
    ours = getattr(autograd, name)(number, Tensor(array))
    theirs = getattr(torch, name)(number, torch.tensor(array))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
