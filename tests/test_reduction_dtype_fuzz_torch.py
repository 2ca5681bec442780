"""Differential fuzzing of reductions, scans, order statistics and ``autograd.linalg`` against torch 2.13, across
dtypes and awkward values.

Each property draws an op, its arguments (``dim`` None / int / negative / tuple, ``keepdim``, ``dtype=``, ``out=``,
``correction``/``unbiased``, interpolation modes, ``stable``/``descending``, ...) and an input of one of the dtypes
bool, uint8, int8, int32, int64, float16, float32, float64 (0-d, empty axes, ties, nan, +-inf, -0.0), runs it here
and in torch from the same numpy arrays and compares every output's shape, RESULT DTYPE (torch's promotion: a sum of
int32 is int64, ``all`` of uint8 is uint8, ...) and values (nan positions included; integer and index results
exactly), and for float64 inputs the gradients of a random weighted sum of the floating outputs. When torch refuses
the drawn call, the library must refuse it too. The linear algebra draws batched, empty, singular and
ill-conditioned matrices. Derandomized and bounded (well under a minute); ``FUZZ_EXAMPLES=2000`` draws that many
fresh random examples per property instead, to hunt.

Compared under ``autograd.set_default_dtype(float32)``, torch's default: an integer input that an op turns into
floats (``logsumexp``, ``histc``, ...) gives the default dtype in both libraries.

Drawn around, not compared (the library's documented choices, or places where torch's answer is not the maths):
* a dtype that torch's kernel refuses and numpy takes (README: a Tensor follows numpy's dtypes): ``mean``/``var``/
  ``std``/``norm`` of integers (numpy's float64, tested in test_keras_ops_port.py), ``argmax``/``median``/``topk``
  of booleans, ``logcumsumexp``/``histc`` of integers, linear algebra of integers and float16, ...: only what torch
  computes is compared (where torch refuses for any other reason, the library must refuse too);
* arguments torch's overloads refuse and the library takes: ``keepdim=``/``out=`` without a ``dim``, an integer
  ``dtype=`` for an input that requires grad, ``out=`` while recording;
* ``qr(mode="r")`` is numpy's here, R alone (tests/test_decompositions.py), where torch's gives (an empty Q, R);
* which of tied (or nan) entries ``median``/``kthvalue``/``mode``/``topk``/unstable ``sort``/``cummax`` return the
  index of: torch documents no choice, so the indices are checked to pick the returned values instead, and the
  gradient (which goes to the picked entry) is compared only without ties; ``mode`` with nan entries (torch counts
  them by position: ``mode([0, nan])`` is 0, ``mode([nan, 0])`` nan);
* the signs (and, for repeated values, the bases) of ``qr``/``svd``/``eigh`` factors: compared through what they
  determine (Q R, U S Vh, V diag(w) V^T, |R|); ranks and pseudo-inverses of singular or ill-conditioned matrices
  with a clear cut-off (at the default one, rounding decides); lstsq only of full-rank tall systems;
* torch 2.13's own slips: ``var``/``std`` with ``dim=()`` differentiate with the divisor 1 (the gradient of
  ``var([0., 1.], dim=(), correction=0)`` is [-1, 1] there, [-0.5, 0.5] here and by central differences);
  ``var_mean``'s Welford mean is nan over [0, inf, 0] (torch.mean's is inf); ``logsumexp`` of integers with
  ``dim=()`` fails its own out= shape check; ``median`` of no integers is torch's nan cast to the dtype (INT_MIN);
  ``mean(dtype=float16)`` of integers past float16's range averages in float32 where its ``sum(dtype=)`` casts
  first; a 0-d integer ``searchsorted`` value beside boundaries of the same category takes the boundaries' dtype
  (-1 beside uint8 wraps to 255); empty integer and float16 matrices skip its linear-algebra dtype checks;
* gradients where torch's formulas meet inf / inf, inf - inf or 0 / 0 and the library's give a limit or a
  subgradient: prod, amax/amin and norms over inf or nan entries, norms at zero or tied magnitudes, var/std with no
  degrees of freedom, nanmean of an all-nan slice (torch: 0 * (1 / 0)), cumprod/logcumsumexp through inf or nan;
* an integer ``dtype=`` of inf or nan (the cast is undefined in C);
* float16 and float32 values to their precision (torch and numpy accumulate in different orders).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from default_dtypes import torch_default_dtype
from fuzz_settings import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

import autograd as A

torch = pytest.importorskip("torch")

FUZZ = fuzz_settings(250)
FEW = fuzz_settings(150)

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]
FLOATS = ["float16", "float32", "float64"]
#: the dtypes as drawn: float64 (whose gradients are compared) more often
WEIGHTED = DTYPES + ["float64"] * 4
TOL = {"float16": (2e-3, 1e-3), "float32": (2e-5, 1e-5), "float64": (1e-10, 1e-12)}

# torch's words for a dtype its kernel does not take: the library follows numpy there (README), not compared
DTYPE_REFUSALS = (
    "not implemented for",
    "does not support",
    "only support",
    "Expected a floating point",
    "could not infer output dtype",
    "floating point or complex",
    "input tensor must be either float or double",
    "expects input to be a floating",
    "Expected floating point type",
    "must be either a floating point",
    "should be floating",
    "input dtype should be",
    "Low precision dtypes not supported",
    "of float, double",
    "doesn't handle types other than float",
)


def dtypes_of(names):
    return st.sampled_from(names)


@st.composite
def values(draw, shape, dtype, kind=None):
    """An array of ``shape`` and ``dtype``: for floats plain, ties (few distinct values), or special (signed zeros,
    inf, nan); for integers small values with ties and the dtype's extremes."""
    n = int(np.prod(shape))
    if dtype == "bool":
        el = st.booleans()
    elif dtype == "uint8":
        el = st.sampled_from([0, 1, 2, 3, 7, 200, 255])
    elif dtype == "int8":
        el = st.sampled_from([-128, -3, -1, 0, 1, 2, 5, 127])
    elif dtype in ("int32", "int64"):
        el = st.one_of(st.integers(-6, 6), st.sampled_from([-(2**31), 2**31 - 1, 1000]))
    else:
        kind = kind or draw(st.sampled_from(["plain", "ties", "special"]))
        width = {"float16": 16, "float32": 32, "float64": 64}[dtype]
        if kind == "ties":
            el = st.sampled_from([0.5, -1.0, 0.0, 1.0, 2.0])
        elif kind == "plain":
            el = st.floats(-3, 3, width=width)
        else:
            el = st.one_of(st.floats(-3, 3, width=width), st.sampled_from([-0.0, 0.0, np.inf, -np.inf, np.nan, 1.0]))
    return np.array(draw(st.lists(el, min_size=n, max_size=n)), dtype=dtype).reshape(shape)


@st.composite
def shapes(draw, min_dims=0, max_dims=3, sizes=(0, 1, 2, 3, 4)):
    nd = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.sampled_from(sizes)) for _ in range(nd))


@st.composite
def dims(draw, nd, allow_none=True, allow_tuple=True):
    """None, an int (maybe negative) or a tuple of distinct dims."""
    choices = (["none"] if allow_none else []) + (["int"] if nd else []) + (["tuple"] if allow_tuple and nd else [])
    if not choices:
        return None
    how = draw(st.sampled_from(choices))
    if how == "none":
        return None
    if how == "int":
        return draw(st.integers(-nd, nd - 1))
    picked = draw(st.lists(st.integers(0, nd - 1), min_size=0, max_size=nd, unique=True))
    return tuple(d - nd if draw(st.booleans()) else d for d in picked)


def _flat(y):
    if isinstance(y, (tuple, list)):
        return [o for item in y for o in _flat(item)]
    return [y]


def _np(o, lib):
    if lib is torch:
        return o.detach().numpy() if isinstance(o, torch.Tensor) else np.asarray(o)
    return np.asarray(o.data) if isinstance(o, A.Tensor) else np.asarray(o)


def _is_dtype_refusal(error: Exception) -> bool:
    return isinstance(error, (RuntimeError, NotImplementedError)) and any(w in str(error) for w in DTYPE_REFUSALS)


def run_both(fn, *arrays, grad=False):
    """``fn(lib, *xs)`` in torch and here. Returns (torch outputs, our outputs, torch inputs, our inputs), or None
    when torch refuses a dtype (not compared) or both refuse the call."""
    tx = [torch.tensor(a.copy(), requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ty = fn(torch, *tx)
        except (RuntimeError, ValueError, IndexError, TypeError, NotImplementedError) as error:
            if _is_dtype_refusal(error):
                return None
            ox = [A.tensor(a.copy()) for a in arrays]
            with torch_default_dtype(), pytest.raises(Exception):  # noqa: B017, PT011 (any refusal)
                fn(A, *ox)
            return None
        ox = [A.tensor(a.copy(), requires_grad=grad and a.dtype.kind == "f") for a in arrays]
        with torch_default_dtype():
            oy = fn(A, *ox)
    return _flat(ty), _flat(oy), tx, ox


def assert_same(t, o, tol_dtype=None, what="output"):
    td, od = _np(t, torch), _np(o, A)
    assert od.shape == td.shape, f"{what}: shape {od.shape} vs torch {td.shape}"
    assert od.dtype == td.dtype, f"{what}: dtype {od.dtype} vs torch {td.dtype}"
    if td.dtype.kind == "f":
        rtol, atol = TOL[tol_dtype or td.dtype.name]
        np.testing.assert_allclose(
            od.astype(np.float64), td.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True, err_msg=what
        )
    else:
        np.testing.assert_array_equal(od, td, err_msg=what)


def compare(fn, *arrays, grad=True, loose=None, indices=(), skip=()):
    """Compare ``fn`` here and in torch on ``arrays``: every output (``indices``: positions of index outputs that
    are only checked to pick ``values`` from the input, see :func:`check_picks`; ``skip``: outputs compared only
    by shape and dtype); then, for float64 inputs with ``grad``, the gradients of a random weighted sum."""
    grad = bool(grad) and any(a.dtype == np.float64 for a in arrays)
    got = run_both(fn, *arrays, grad=grad)
    if got is None:
        return
    ty, oy, tx, ox = got
    assert len(oy) == len(ty), f"{len(oy)} outputs vs torch's {len(ty)}"
    for k, (t, o) in enumerate(zip(ty, oy)):
        if k in indices or k in skip:
            td, od = _np(t, torch), _np(o, A)
            assert (od.shape, od.dtype) == (td.shape, td.dtype), f"output {k}: {od.shape} {od.dtype} vs {td.shape}"
            continue
        assert_same(t, o, loose, what=f"output {k}")
    if not grad:
        return
    rng = np.random.default_rng(0)
    tl, ol = 0, 0
    for t, o in zip(ty, oy):
        if isinstance(t, torch.Tensor) and t.requires_grad and t.dtype == torch.float64:
            w = rng.standard_normal(tuple(t.shape))
            tl = tl + (t * torch.tensor(w)).sum()
            ol = ol + (o * A.tensor(w)).sum()
    if isinstance(tl, int):
        return
    try:
        tl.backward()
    except RuntimeError as error:
        if "not differentiable" in str(error):
            return  # (torch's qr(mode="complete") of a tall matrix: Q's extra columns are not unique)
        raise
    ol.backward()
    for k, (t, o) in enumerate(zip(tx, ox)):
        if t.requires_grad:
            tg = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
            og = np.zeros(t.shape) if o.grad is None else np.asarray(o.grad)
            np.testing.assert_allclose(og, tg, rtol=1e-8, atol=1e-10, equal_nan=True, err_msg=f"gradient of input {k}")


def _all_nan_slice(x, dim):
    """Whether some slice reduced over ``dim`` (all if None) holds only nan (or nothing)."""
    axes = None if dim is None or dim == () else tuple(np.atleast_1d(dim) % max(x.ndim, 1))
    return bool(np.all(np.isnan(x), axis=axes).any()) if x.ndim else bool(np.isnan(x))


def _dim_kwargs(dim, keepdim):
    kw = {} if dim is None else {"dim": dim}
    if keepdim is not None:
        kw["keepdim"] = keepdim
    return kw


# --------------------------------------------------------------------------- plain reductions

SUMMING = ["sum", "prod", "mean", "nansum", "nanmean"]
PLAIN = SUMMING + ["amax", "amin", "logsumexp", "all", "any", "count_nonzero"]


@FUZZ
@given(st.data())
def test_reductions_match_torch(data):
    dtype = data.draw(dtypes_of(WEIGHTED), "dtype")
    shape = data.draw(shapes(), "shape")
    x = data.draw(values(shape, dtype), "x")
    name = data.draw(st.sampled_from(PLAIN), "op")
    dim = data.draw(dims(len(shape), allow_tuple=name != "prod"), "dim")
    if name == "logsumexp" and (dim is None or dim == ()):
        # torch's logsumexp needs a dim; its dim=() of an integer input fails on its own out= shape check
        dim = tuple(range(len(shape)))
    # keepdim and out= with a dim only: torch's overloads refuse them without one (the library takes them)
    keepdim = None if name == "count_nonzero" or dim is None else data.draw(st.sampled_from([None, False, True]), "kd")
    dtype_kw = None
    if name in SUMMING and data.draw(st.booleans(), "with dtype="):
        # (an integer dtype= of inf or nan: the cast is undefined in C, torch's and numpy's answers differ)
        finite = bool(dtype not in FLOATS or np.isfinite(x).all())
        # (mean(dtype=float16) of integers past float16's range: torch's kernel averages them in float32 before
        # rounding, where its sum(dtype=float16) casts first and overflows; the library casts first in both)
        wide = dtype not in FLOATS and x.size > 0 and bool(np.abs(x.astype(np.float64)).max() > 65504)
        float_kw = ["float32", "float64"] if name != "mean" else ["float32", "float64"] + ["float16"] * (not wide)
        dtype_kw = data.draw(dtypes_of(["int64"] * finite + float_kw), "d=")
    forms = ["method", "function"] + (["out"] if dim is not None and name != "count_nonzero" else [])
    form = data.draw(st.sampled_from(forms), "form")

    def fn(lib, t):
        kwargs = _dim_kwargs(dim, keepdim)
        if dtype_kw is not None:
            kwargs["dtype"] = getattr(lib, dtype_kw)
        if form == "method" and name != "count_nonzero":
            return getattr(t, name)(**kwargs)
        if form == "out":
            # an empty out= of the result's dtype: torch resizes it, writes the result and returns it
            like = getattr(torch, name)(
                torch.tensor(x),
                **_dim_kwargs(dim, keepdim),
                **({"dtype": getattr(torch, dtype_kw)} if dtype_kw else {}),
            )
            out = lib.empty(0, dtype=getattr(lib, str(like.dtype).removeprefix("torch.")))
            assert getattr(lib, name)(t, **kwargs, out=out) is out
            return out
        return getattr(lib, name)(t, **kwargs)

    # torch refuses out= (and an integer dtype=) with inputs that require grad; prod's gradient over inf or nan
    # entries is torch's result / x (inf / inf), the library's the product of the others; a nan maximum's gradient
    # goes to the nan entries here (as torch.max()'s), where torch.amax's is nan (test_differential_fuzz_torch.py)
    grad = form != "out" and dtype_kw != "int64"
    # (nanmean of an all-nan slice: torch's gradient is 0 * (1 / 0) = nan, the library's 0; a mean of nothing)
    grad = grad and not (name == "nanmean" and x.size and _all_nan_slice(x, dim))
    grad = grad and not (name in ("prod", "amax", "amin") and not np.isfinite(x).all())
    compare(fn, x, grad=grad)


def _has_ties(x, dim=None):
    """Whether some slice along ``dim`` (all entries if None) repeats a value (nan counts as a value)."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0 or a.size == 0:
        return False
    a = a.reshape(1, -1) if dim is None else np.moveaxis(a, dim, -1)
    s = np.sort(np.where(np.isnan(a), np.inf, a), axis=-1)
    return bool((s[..., 1:] == s[..., :-1]).any()) or bool(np.isnan(a).sum(axis=-1).max(initial=0) > 1)


def check_picks(values_out, indices_out, x, dim, keepdim=True):
    """Our ``indices`` pick our ``values`` out of ``x`` along ``dim`` (nan matching nan)."""
    v, i = np.asarray(values_out.data), np.asarray(indices_out.data)
    assert i.dtype == np.int64
    if x.ndim == 0:
        np.testing.assert_array_equal(v, x)
        return
    if not keepdim and v.ndim < x.ndim:
        v, i = np.expand_dims(v, dim), np.expand_dims(i, dim)
    np.testing.assert_array_equal(np.take_along_axis(x, i, axis=dim), v, err_msg="indices pick the values")


# --------------------------------------------------------------------------- extrema with indices, arg-extrema


@FUZZ
@given(st.data())
def test_extrema_with_indices_match_torch(data):
    dtype = data.draw(dtypes_of(WEIGHTED), "dtype")
    shape = data.draw(shapes(), "shape")
    x = data.draw(values(shape, dtype), "x")
    name = data.draw(st.sampled_from(["max", "min", "argmax", "argmin"]), "op")
    nd = len(shape)
    dim = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1)) if nd else st.sampled_from([None, 0, -1]), "dim")
    keepdim = data.draw(st.booleans(), "keepdim") if dim is not None else None
    form = data.draw(st.sampled_from(["method", "function"]), "form")

    def fn(lib, t):
        kwargs = _dim_kwargs(dim, keepdim)
        return getattr(t, name)(**kwargs) if form == "method" else getattr(lib, name)(t, **kwargs)

    # the first extremum's index (or the first nan's), as torch documents for max/min/argmax/argmin;
    # gradients of nan maxima are left out as for amax
    compare(fn, x, grad=bool(np.isfinite(x).all()))


# --------------------------------------------------------------------------- variance and deviation


@FUZZ
@given(st.data())
def test_var_std_and_their_means_match_torch(data):
    dtype = data.draw(dtypes_of(FLOATS * 3 + WEIGHTED), "dtype")  # (torch refuses the integers: README's numpy)
    shape = data.draw(shapes(), "shape")
    x = data.draw(values(shape, dtype), "x")
    name = data.draw(st.sampled_from(["var", "std", "var_mean", "std_mean"]), "op")
    dim = data.draw(dims(len(shape)), "dim")
    how = data.draw(st.sampled_from(["default", "correction", "unbiased"]), "how")
    kw = _dim_kwargs(dim, data.draw(st.sampled_from([None, False, True]), "keepdim") if dim is not None else None)
    if how == "correction":
        kw["correction"] = data.draw(st.sampled_from([0, 1, 2]), "correction")
    elif how == "unbiased":
        kw["unbiased"] = data.draw(st.booleans(), "unbiased")
    form = "function" if name.endswith("_mean") else data.draw(st.sampled_from(["method", "function"]), "form")
    if form == "method" and not kw:
        # README: bare x.var()/x.std() are numpy's ddof=0 (torch's are unbiased); the torch spelling passes one
        kw["correction"] = 1

    def fn(lib, t):
        return getattr(t, name)(**kw) if form == "method" else getattr(lib, name)(t, **kw)

    count = x.size if dim is None else int(np.prod([shape[d] for d in np.atleast_1d(dim)]))
    ddof = kw.get("correction", int(kw.get("unbiased", True)))
    finite = bool(np.isfinite(x).all())
    # (no degrees of freedom: torch's gradient 2 (x - mean) / 0 is +-inf where the library's is nan; gradients
    # through inf or nan entries are inf - inf in both, in different places; torch 2.13's backward of dim=()
    # divides by 1, not by the count its forward reduced: var([0., 1.], dim=(), correction=0) has the gradient
    # [-1, 1] there, [-0.5, 0.5] here, which central differences give)
    grad = count > ddof and finite and dim != ()
    # torch's var_mean/std_mean compute the mean by Welford's update: nan for [0, inf, 0] (inf - inf), where the
    # mean is inf (torch.mean's answer too): that mean is compared by shape and dtype only
    skip = (1,) if name.endswith("_mean") and not finite else ()
    compare(fn, x, grad=grad, skip=skip)


# --------------------------------------------------------------------------- order statistics

INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


@FUZZ
@given(st.data())
def test_order_statistics_match_torch(data):
    dtype = data.draw(dtypes_of(WEIGHTED), "dtype")
    shape = data.draw(shapes(), "shape")
    x = data.draw(values(shape, dtype), "x")
    nd = len(shape)
    name = data.draw(
        st.sampled_from(
            ["median", "nanmedian", "mode", "kthvalue", "quantile", "nanquantile", "topk", "sort", "argsort"]
        ),
        "op",
    )
    dim = data.draw(st.integers(-nd, nd - 1) if nd else st.sampled_from([0, -1]), "dim")
    if name in ("median", "nanmedian", "quantile", "nanquantile") and data.draw(st.booleans(), "no dim"):
        dim = None
    keepdim = data.draw(st.booleans(), "keepdim")
    if name == "mode" and dtype in FLOATS and np.isnan(x).any():
        return  # torch's mode counts nan entries by position: mode([0, nan]) is 0, mode([nan, 0]) nan
    if name in ("median", "nanmedian") and dim is None and x.size == 0 and dtype not in FLOATS:
        return  # torch's median of no integers is its nan cast to the dtype (INT_MIN for int32, True for bool)
    size = 1 if not nd or dim is None else shape[dim]
    args, kw = (), {}
    if name in ("median", "nanmedian", "mode", "kthvalue", "quantile", "nanquantile"):
        if dim is not None:
            kw = {"dim": dim, "keepdim": keepdim}
    if name == "kthvalue":
        args = (data.draw(st.integers(1, max(size, 1)), "k"),)
    elif name in ("quantile", "nanquantile"):
        q = data.draw(st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0, 1)), "q")
        if data.draw(st.booleans(), "q tensor"):
            q = np.array(
                data.draw(st.lists(st.floats(0, 1), min_size=0, max_size=3), "qs"),
                dtype=x.dtype if dtype in FLOATS else np.float32,
            )
        args = (q,)
        kw["interpolation"] = data.draw(st.sampled_from(INTERPOLATIONS), "interpolation")
    elif name == "topk":
        args = (data.draw(st.integers(0, size), "k"),)
        kw = {"dim": dim, "largest": data.draw(st.booleans(), "largest"), "sorted": True}
    elif name in ("sort", "argsort"):
        kw = {"dim": dim, "descending": data.draw(st.booleans(), "descending")}
        if data.draw(st.booleans(), "stable given"):
            kw["stable"] = data.draw(st.booleans(), "stable")
    form = data.draw(st.sampled_from(["method", "function"]), "form")

    def fn(lib, t):
        a = tuple(lib.tensor(v) if isinstance(v, np.ndarray) else v for v in args)
        return getattr(t, name)(*a, **kw) if form == "method" else getattr(lib, name)(t, *a, **kw)

    ties = _has_ties(x, None if dim is None or not nd else dim)
    stable = kw.get("stable", False)
    # index outputs: exact where the picked entry is unique (or the sort is stable); else they must pick the values
    indices = ()
    if name in ("median", "nanmedian", "mode", "kthvalue", "topk", "sort") and dim is not None and ties:
        indices = (1,) if not (name == "sort" and stable) else ()
    if name == "argsort" and ties and not stable:
        indices = (0,)
    got = run_both(fn, x)
    compare(fn, x, indices=indices, grad=not ties and bool(np.isfinite(x).all()) or (name == "sort" and stable))
    if got is None or not indices:
        return
    ty, oy, _, _ = got
    if name == "argsort":  # our permutation sorts x as torch's does
        d = dim % max(nd, 1)
        picked = np.take_along_axis(x, np.asarray(oy[0].data), axis=d) if nd else x
        expected = np.take_along_axis(x, ty[0].numpy(), axis=d) if nd else x
        np.testing.assert_array_equal(picked, expected)
    else:
        check_picks(oy[0], oy[1], x, dim % max(nd, 1), keepdim=kw.get("keepdim", True) or name in ("topk", "sort"))


# --------------------------------------------------------------------------- scans


@FUZZ
@given(st.data())
def test_scans_match_torch(data):
    dtype = data.draw(dtypes_of(WEIGHTED), "dtype")
    shape = data.draw(shapes(), "shape")
    x = data.draw(values(shape, dtype), "x")
    nd = len(shape)
    name = data.draw(st.sampled_from(["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]), "op")
    dim = data.draw(st.integers(-nd, nd - 1) if nd else st.sampled_from([0, -1]), "dim")
    args, kw = (dim,), {}
    extra = []
    if name in ("cumsum", "cumprod") and data.draw(st.booleans(), "with dtype="):
        finite = bool(dtype not in FLOATS or np.isfinite(x).all())
        kw["dtype"] = data.draw(dtypes_of(["int64"] * finite + ["float32", "float64"]), "dtype=")
    if name == "diff":
        args = ()
        kw = {"n": data.draw(st.integers(0, 3), "n"), "dim": dim}
        for side in ("prepend", "append"):
            if nd and data.draw(st.booleans(), side):
                other = list(shape)
                other[dim] = data.draw(st.integers(0, 2), f"{side} length")
                extra.append(side)
                kw[side] = data.draw(values(tuple(other), dtype), side)
    form = data.draw(
        st.sampled_from(["method", "function", "out"] if name in ("cumsum", "cumprod") else ["method", "function"]),
        "form",
    )

    def fn(lib, t, *more):
        kwargs = dict(kw)
        if "dtype" in kwargs:
            kwargs["dtype"] = getattr(lib, kwargs["dtype"])
        for side, m in zip(extra, more):
            kwargs[side] = m
        if form == "out":
            like = getattr(torch, name)(
                torch.tensor(x), *args, **({"dtype": getattr(torch, kw["dtype"])} if "dtype" in kw else {})
            )
            out = lib.empty(0, dtype=getattr(lib, str(like.dtype).removeprefix("torch.")))
            assert getattr(lib, name)(t, *args, **kwargs, out=out) is out
            return out
        return getattr(t, name)(*args, **kwargs) if form == "method" else getattr(lib, name)(t, *args, **kwargs)

    finite = bool(np.isfinite(x).all())
    ties = _has_ties(x, dim if nd else None)
    # cummax/cummin's index of tied running extrema: torch documents none, so checked to pick the values; the
    # gradient through them goes to that index (compared without ties); cumprod/logcumsumexp through inf or nan
    # are inf / inf or inf - inf in torch's formulas
    indices = (1,) if name in ("cummax", "cummin") and ties else ()
    grad = form != "out" and kw.get("dtype") != "int64" and finite and not indices
    compare(fn, x, *[kw[s] for s in extra], grad=grad, indices=indices)
    if indices:
        got = run_both(fn, x)
        if got is not None:
            check_picks(got[1][0], got[1][1], x, dim % max(nd, 1))


# --------------------------------------------------------------------------- unique values


@FUZZ
@given(st.data())
def test_unique_matches_torch(data):
    dtype = data.draw(dtypes_of(WEIGHTED), "dtype")
    shape = data.draw(shapes(), "shape")
    x = data.draw(values(shape, dtype, kind=data.draw(st.sampled_from(["ties", "plain"]), "kind")), "x")
    nd = len(shape)
    name = data.draw(st.sampled_from(["unique", "unique_consecutive"]), "op")
    kw = {
        "return_inverse": data.draw(st.booleans(), "return_inverse"),
        "return_counts": data.draw(st.booleans(), "return_counts"),
    }
    if nd and data.draw(st.booleans(), "with dim"):
        kw["dim"] = data.draw(st.integers(-nd, nd - 1), "dim")
    if name == "unique":
        # torch's unique without a dim always sorts (sorted=False is the same on the CPU)
        kw["sorted"] = True
    form = data.draw(st.sampled_from(["method", "function"]), "form")

    def fn(lib, t):
        return getattr(t, name)(**kw) if form == "method" else getattr(lib, name)(t, **kw)

    compare(fn, x, grad=False)


# --------------------------------------------------------------------------- counting and searching


@FUZZ
@given(st.data())
def test_counting_and_searching_match_torch(data):
    name = data.draw(st.sampled_from(["histc", "bincount", "searchsorted", "bucketize"]), "op")
    if name == "histc":
        dtype = data.draw(dtypes_of(WEIGHTED), "dtype")
        x = data.draw(values(data.draw(shapes(max_dims=2), "shape"), dtype), "x")
        lo, hi = sorted(
            data.draw(st.lists(st.sampled_from([0, -1, 1, 2, 0.5, -3, 3]), min_size=2, max_size=2), "range")
        )
        kw = {"bins": data.draw(st.integers(1, 5), "bins"), "min": lo, "max": hi}
        compare(lambda lib, t: lib.histc(t, **kw), x, grad=False)
        return
    if name == "bincount":
        dtype = data.draw(dtypes_of(["bool", "uint8", "int8", "int32", "int64"]), "dtype")
        n = data.draw(st.integers(0, 6), "n")
        x = np.array(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n), "x"), dtype=dtype)
        if dtype == "int8" and data.draw(st.booleans(), "negative"):
            x = x - 1
        arrays = [x]
        if data.draw(st.booleans(), "weights"):
            wdt = data.draw(dtypes_of(["float32", "float64", "int64"]), "weights dtype")
            arrays.append(data.draw(values((n,), wdt, kind="plain"), "weights"))
        minlength = data.draw(st.integers(0, 7), "minlength")

        def fn(lib, t, *w):
            return lib.bincount(t, *w, minlength=minlength) if w else t.bincount(minlength=minlength)

        compare(fn, *arrays, grad=False)
        return
    dtype = data.draw(dtypes_of(["uint8", "int8", "int32", "int64", "float32", "float64"]), "dtype")
    batched = name == "searchsorted" and data.draw(st.booleans(), "batched")
    m = data.draw(st.integers(0, 5), "m")
    bshape = (data.draw(st.integers(1, 3), "rows"), m) if batched else (m,)
    boundaries = np.sort(data.draw(values(bshape, dtype, kind="ties"), "boundaries"), axis=-1)
    vshape = (bshape[0], data.draw(st.integers(0, 4), "cols")) if batched else data.draw(shapes(max_dims=2), "vshape")
    vdtype = data.draw(dtypes_of([dtype, "int64", "float64"]), "values dtype")
    v = data.draw(values(vshape, vdtype, kind="ties"), "values")
    if v.ndim == 0 and v.dtype.kind == "i" and np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= int(v) <= info.max:
            # torch's promotion reads a 0-d value beside boundaries of the same category as the boundaries'
            # dtype: -1 beside uint8 boundaries wraps to 255 (searchsorted([0], tensor(-1)) is 1 there, 0 here)
            return
    right = data.draw(st.booleans(), "right")
    out_int32 = data.draw(st.booleans(), "out_int32")
    use_side = name == "searchsorted" and data.draw(st.booleans(), "side")

    def fn(lib, b, t):
        kw = {"out_int32": out_int32}
        if use_side:
            kw["side"] = "right" if right else "left"
        else:
            kw["right"] = right
        return lib.searchsorted(b, t, **kw) if name == "searchsorted" else lib.bucketize(t, b, **kw)

    compare(fn, boundaries, v, grad=False)


# --------------------------------------------------------------------------- norms


@FUZZ
@given(st.data())
def test_norms_match_torch(data):
    name = data.draw(st.sampled_from(["norm", "vector_norm", "matrix_norm"]), "op")
    dtype = data.draw(dtypes_of(FLOATS * 3 + ["float64"] * 3 + ["int64", "bool"]), "dtype")
    shape = data.draw(shapes(min_dims=2 if name == "matrix_norm" else 0), "shape")
    x = data.draw(values(shape, dtype), "x")
    nd = len(shape)
    keepdim = data.draw(st.booleans(), "keepdim")
    if name == "matrix_norm":
        ords = ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]
        kw = {"ord": data.draw(st.sampled_from(ords), "ord"), "keepdim": keepdim}
        if data.draw(st.booleans(), "dims"):
            kw["dim"] = tuple(data.draw(st.permutations(range(nd)), "perm")[:2])
        fn = lambda lib, t: lib.linalg.matrix_norm(t, **kw)  # noqa: E731
    else:
        dim = data.draw(dims(nd), "dim")
        p = data.draw(st.sampled_from([2, 1, 3, 0, 0.5, np.inf, -np.inf, -1]), "p")
        kw = {"dim": dim, "keepdim": keepdim}
        if name == "norm":
            fn = lambda lib, t: t.norm(p=p, **kw)  # noqa: E731
        else:
            if data.draw(st.booleans(), "with dtype="):
                kw["dtype"] = "float64"

            def fn(lib, t):
                kwargs = {**kw, **({"dtype": getattr(lib, kw["dtype"])} if "dtype" in kw else {})}
                return lib.linalg.vector_norm(t, ord=p, **kwargs)

    finite = bool(np.isfinite(x).all())
    # (gradients: at zero vectors, ties of the max/min entries and non-finite entries torch's formulas give its
    # own subgradients, nan or inf / inf; compared only for finite entries with no zero and no ties in magnitude)
    # (|x|^p underflows to 0 below about 1e-100: torch's gradient x |x|^(p-2) / norm^(p-1) is then 0 / 0)
    tiny = bool((np.abs(x[x != 0]) < 1e-100).any()) if dtype in FLOATS else False
    smooth = finite and x.size and not tiny and not _has_ties(np.abs(x)) and not (x == 0).any()
    smooth = (
        smooth
        and name != "matrix_norm"
        or (name == "matrix_norm" and finite and kw["ord"] == "fro" and x.size and (x != 0).all())
    )
    compare(fn, x, grad=bool(smooth))


# --------------------------------------------------------------------------- linear algebra


@st.composite
def matrices(draw, square=True, kinds=("random", "singular", "ill", "spd")):
    """A batch of matrices (batch () or up to 2 dims of 0..2, rows and columns 0..4) of one kind: random, singular
    (integer entries with a repeated row, so the factorisations meet an exact zero pivot), ill-conditioned (one
    column scaled by 1e-7) or symmetric positive-definite (M M^T + I/2)."""
    batch = draw(st.sampled_from([(), (2,), (0,), (1, 2), (2, 0)]))
    n = draw(st.integers(0, 4))
    m = n if square else draw(st.integers(0, 4))
    kind = draw(st.sampled_from(kinds))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if kind == "singular":
        a = rng.integers(-2, 3, batch + (m, n)).astype(np.float64)
        if m >= 2:
            a[..., -1, :] = a[..., 0, :]
        elif m == 1:
            a[...] = 0.0
    else:
        a = rng.standard_normal(batch + (m, n))
        if kind == "ill" and n:
            a[..., -1] *= 1e-7
        if kind == "spd" and square:
            a = a @ np.swapaxes(a, -1, -2) + 0.5 * np.eye(n)
    return kind, a


def _linalg_tolerance(kind, dtype):
    if dtype == "float32":
        return "float32_ill" if kind == "ill" else "float32"
    return "float64_ill" if kind == "ill" else "float64"


TOL.update({"float32_ill": (5e-2, 5e-3), "float64_ill": (1e-6, 1e-9), "float32_mid": (1e-3, 1e-4)})


@FEW
@given(st.data())
def test_linalg_matches_torch(data):
    name = data.draw(
        st.sampled_from(
            [
                "det", "slogdet", "inv", "solve", "qr", "svd", "svdvals", "eigh", "eigvalsh", "cholesky",
                "pinv", "lstsq", "matrix_rank",
            ]
        ),
        "op",
    )  # fmt: skip
    square = name in ("det", "slogdet", "inv", "solve", "eigh", "eigvalsh", "cholesky")
    kind, a = data.draw(matrices(square=square), "matrix")
    dtype = data.draw(dtypes_of(["float64", "float64", "float32", "float16", "int64"]), "dtype")
    if dtype in ("int64", "float16") and not a.size:
        dtype = "float64"  # (torch skips its kernel, and its dtype check, for empty integer and float16 matrices)
    if dtype == "int64":
        a = np.rint(a)
    a = a.astype(dtype)
    if name in ("eigh", "eigvalsh") or (name == "cholesky" and kind != "spd"):
        # torch's eigh reads one triangle (UPLO); a symmetric input reads the same either way
        a = np.triu(a) + np.swapaxes(np.triu(a, 1), -1, -2)
    arrays = [a]
    kw = {}
    if name == "solve":
        n = a.shape[-1]
        k = data.draw(st.sampled_from([None, 0, 1, 3]), "columns")
        b = np.random.default_rng(1).standard_normal(a.shape[:-1] + ((k,) if k is not None else ())).astype(dtype)
        if k is None:
            b = np.random.default_rng(1).standard_normal((n,)).astype(dtype)  # a batch of vectors: torch's rule
        arrays.append(b)
    elif name == "lstsq":
        b = np.random.default_rng(2).standard_normal(a.shape[:-1] + (data.draw(st.integers(1, 2), "k"),)).astype(dtype)
        arrays.append(b)
    elif name == "qr":
        kw["mode"] = data.draw(st.sampled_from(["reduced", "complete", "r"]), "mode")
    elif name in ("eigh", "eigvalsh"):
        kw["UPLO"] = data.draw(st.sampled_from(["L", "U"]), "UPLO")
    elif name == "cholesky":
        kw["upper"] = data.draw(st.booleans(), "upper")
    elif name == "svd":
        kw["full_matrices"] = data.draw(st.booleans(), "full_matrices")
    elif name == "matrix_rank" and data.draw(st.booleans(), "hermitian"):
        if a.shape[-1] == a.shape[-2]:
            a = a + np.swapaxes(a, -1, -2)
            arrays = [a]
            kw["hermitian"] = True
    elif name == "pinv" and data.draw(st.booleans(), "rtol"):
        kw["rtol"] = 1e-6

    def fn(lib, *ts):
        la = lib.linalg
        x = ts[0]
        if name == "slogdet":
            return tuple(la.slogdet(x))
        if name in ("solve", "lstsq"):
            r = getattr(la, name)(x, ts[1], **({"driver": "gelsd"} if name == "lstsq" else {}))
            return r if name == "solve" else r.solution
        if name == "qr":
            if kw["mode"] == "r":
                # the library's qr(mode="r") is numpy's, R alone (tests/test_decompositions.py); torch's gives
                # (an empty Q, R)
                return la.qr(x, **kw).R if lib is torch else la.qr(x, **kw)
            q, r = la.qr(x, **kw)
            return q @ r, r.abs()  # signs of the factors: LAPACK's choice, not compared (their product is)
        if name == "svd":
            u, s, vh = la.svd(x, **kw)
            k = s.shape[-1]
            return s, (u[..., :k] * s.unsqueeze(-2)) @ vh[..., :k, :]
        if name == "eigh":
            w, v = la.eigh(x, **kw)
            return w, (v * w.unsqueeze(-2)) @ v.mT
        return getattr(la, name)(x, **kw)

    if name == "lstsq" and (kind != "random" or a.shape[-2] < a.shape[-1]):
        return  # (the minimum-norm solution of a rank-deficient system: gelsd's cut-off, compared via pinv)
    tol = _linalg_tolerance(kind, dtype)
    if name in ("pinv", "lstsq") and dtype == "float32":
        tol = "float32_ill" if kind != "random" else "float32_mid"
    if name in ("pinv", "matrix_rank") and kind in ("ill", "singular") and "rtol" not in kw:
        # ranks at the default cut-off max(m, n) eps s_max are decided by rounding (a repeated row's singular
        # value is ~1e-16 in either library): compared with a clear cut-off instead
        kw["rtol"] = 1e-6 if name == "pinv" else None
        if name == "matrix_rank":
            kw.pop("rtol")
            kw["rtol"] = 1e-4
    if name == "qr" and kind in ("singular", "ill"):
        return  # (R's entries below a zero pivot, and Q's columns past it, are LAPACK's rounding)
    # gradients where the maths is smooth and unique: float64, well-conditioned, distinct singular values
    grad = dtype == "float64" and kind in ("random", "spd")
    if grad and name in ("svd", "svdvals", "eigh", "eigvalsh") and a.size:
        vals = np.linalg.svd(a, compute_uv=False) if name.startswith("svd") else np.linalg.eigvalsh(a)
        gaps = np.diff(np.sort(vals, axis=-1), axis=-1)
        grad = grad and (gaps.size == 0 or gaps.min() > 1e-3) and (not name.startswith("svd") or vals.min() > 1e-3)
    if grad and name in ("pinv", "matrix_rank", "qr"):
        grad = name != "matrix_rank" and (not a.size or np.linalg.svd(a, compute_uv=False).min() > 1e-3)
    if (name == "cholesky" and kind != "spd") or (name == "qr" and kw["mode"] == "r"):
        grad = False  # (torch refuses to differentiate qr(mode="r"), whose Q it did not compute)
    compare(fn, *arrays, grad=grad, loose=tol)
