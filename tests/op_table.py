"""The one table of differentiable ops that the op tests run through (tests/test_op_table.py).

A row names an op, how to call it on graph nodes (the same call serves ``Value`` and
``Tensor`` when the row has ``value=True``: their elementwise methods share names), a
numpy reference, the inputs it is checked on, how smooth it is, and its PyTorch
counterpart. From each row the driver checks: Tensor values against numpy (float32
kept), Value values against the scalar reference, first derivatives with
``autograd.gradcheck`` (contiguous and non-contiguous inputs), second derivatives with
``autograd.gradgradcheck`` (``order2="smooth"``) or an exactly zero Hessian
(``order2="flat"``: piecewise linear ops), and values and gradients against torch
when it is installed. Domains keep a margin from singular points instead of loosening
tolerances.

An elementwise op is one call of :func:`unary` or :func:`binary`; any other op gives
its inputs as a strategy of :class:`Case` (arrays and keyword parameters).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import array_cases as cases
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
import autograd.contractions as co
import autograd.cumulative as cu
import autograd.indexing as ix
import autograd.linalg as la
import autograd.shape_functions as sf
import autograd.sorting as so
import nn.functional as F
from autograd import Tensor, Value
from autograd.testing import arrays, broadcastable_shapes, shapes


def laid_out(t: Tensor, layout: str) -> Tensor:
    """``t`` as a non-contiguous view with the same values (through differentiable ops)."""
    if layout == "transposed" and t.ndim >= 2:
        return ag.stack([t.T])[0].T  # Fortran order
    if layout == "strided" and t.ndim >= 1:
        return ag.stack([t, t], axis=-1)[..., 0]  # every other element of a wider array
    return t


def weights(shape: tuple[int, ...]) -> np.ndarray:
    """Fixed pseudo-random weights for an output shape (the same on every call)."""
    seed = 1 + len(shape) * 31 + sum((i + 1) * n for i, n in enumerate(shape))
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)


def score(y):
    """s(y) = sum(w * y) + sum(y * y) / 2: its Hessian J^T J + sum_k (w_k + y_k) d2 y_k exercises both the
    op's rule applied to a gradient that depends on the input and the rule's own dependence on it."""
    if isinstance(y, Value):
        return 0.7 * y + y * y * 0.5
    return (y * weights(y.shape)).sum() + (y * y).sum() * 0.5


def assert_gradients_match(function, *inputs: np.ndarray, layout: str = "contiguous") -> None:
    """autograd.gradcheck of ``function`` at ``inputs`` laid out as ``layout`` (float64, tight tolerances)."""
    assert ag.gradcheck(lambda *ts: function(*(laid_out(t, layout) for t in ts)), inputs, rtol=1e-4, atol=1e-5)


@dataclass(frozen=True)
class Case:
    """One input of a row: the arrays (float64) and the keyword parameters of the call."""

    arrays: tuple[np.ndarray, ...]
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    name: str
    #: our op: ``call(*nodes, **params)``
    call: Callable[..., Any]
    #: reference on float64 arrays: ``numpy(*arrays, **params)``
    numpy: Callable[..., Any]
    #: the Tensor inputs
    cases: st.SearchStrategy[Case]
    #: ``(domain of each input)`` for Value rows: keyword arguments of autograd.testing.floats
    value_domains: tuple[dict, ...] | None = None
    #: an independent reference on Python floats for the Value row (default: ``numpy``)
    scalar: Callable[..., float] | None = None
    #: "smooth" (gradgradcheck), "flat" (piecewise linear: the Hessian is exactly zero) or None
    order2: str | None = "smooth"
    #: torch's op: ``torch_call(torch, *torch_tensors, **params)``; None when torch has no counterpart
    torch: Callable[..., Any] | None = None
    #: inputs for the torch comparison, when they differ from ``cases`` (e.g. away from a torch threshold)
    torch_cases: st.SearchStrategy[Case] | None = None
    #: relative tolerance against torch (torch's celu and hardsigmoid gradients round
    #: a constant to float32: off by ~3e-8)
    torch_rtol: float = 1e-10
    #: whether float32 inputs give float32 outputs and gradients
    keeps_float32: bool = True
    #: relative tolerance of values against the reference
    rtol: float = 1e-12
    #: a fixed input for the float32 check (inside every domain)
    float32_case: Case = Case((np.array([0.3, 1.2]),))
    #: an elementwise function of its inputs (made by :func:`unary` or :func:`binary`)
    elementwise: bool = False

    @property
    def on_value(self) -> bool:
        return self.value_domains is not None


def _elementwise_case(*domains: dict) -> st.SearchStrategy[Case]:
    if len(domains) == 1:
        return arrays(shapes(), **domains[0]).map(lambda x: Case((x,)))

    @st.composite
    def draw(data: st.DrawFn) -> Case:
        shape_pair = data(broadcastable_shapes())
        return Case(tuple(data(arrays(shape, **domain)) for shape, domain in zip(shape_pair, domains)))

    return draw()


def _points_inside(domain: dict) -> np.ndarray:
    """Two points of ``domain`` (keyword arguments of autograd.testing.floats) away from its excluded points."""
    low, high = domain.get("low", -3.0), domain.get("high", 3.0)
    margin = domain.get("margin", 0.05)
    grid = np.linspace(low, high, 41)[1:-1]
    usable = [x for x in grid if all(abs(x - p) >= margin for p in domain.get("away_from", ()))]
    return np.array([usable[len(usable) // 3], usable[2 * len(usable) // 3]])


def unary(
    name: str,
    call: Callable[..., Any],
    numpy: Callable[..., Any],
    domain: dict | None = None,
    *,
    value: bool = True,
    torch_domain: dict | None = None,
    **options: Any,
) -> Row:
    """A row for an elementwise function of one input, on Values (``value=True``) and Tensors."""
    domain = domain or {}
    torch_cases = _elementwise_case(torch_domain) if torch_domain is not None else None
    return Row(
        name,
        call,
        numpy,
        _elementwise_case(domain),
        value_domains=(domain,) if value else None,
        torch_cases=torch_cases,
        float32_case=Case((_points_inside(domain),)),
        elementwise=True,
        **options,
    )


def binary(
    name: str,
    call: Callable[..., Any],
    numpy: Callable[..., Any],
    first: dict | None = None,
    second: dict | None = None,
    *,
    value: bool = True,
    **options: Any,
) -> Row:
    """A row for an elementwise function of two broadcasting inputs."""
    domains = (first or {}, second or {})
    return Row(
        name,
        call,
        numpy,
        _elementwise_case(*domains),
        value_domains=domains if value else None,
        float32_case=Case(tuple(_points_inside(domain) for domain in domains)),
        elementwise=True,
        **options,
    )


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


def _softplus(x: Any) -> Any:
    return np.logaddexp(0.0, x)


def _math_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _math_softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _scipy_special(name: str) -> Callable[..., Any]:
    """scipy.special's function ``name`` as an independent reference (scipy comes with scikit-learn, a test
    dependency), imported when first called."""

    def reference(*args: Any) -> Any:
        from scipy import special

        return getattr(special, name)(*args)

    return reference


#: Away from the poles of lgamma, digamma and polygamma at 0, -1, -2, -3.
GAMMA = {"low": -3.5, "high": 6.0, "away_from": (-3.0, -2.0, -1.0, 0.0), "margin": 0.15}
KINK = {"away_from": (0.0,)}
POSITIVE = {"low": 0.1, "high": 5.0}
NONZERO = {"away_from": (0.0,), "margin": 0.3}
UNIT = {"low": -0.9, "high": 0.9}  # inside (-1, 1): arcsin, arccos, arctanh


@st.composite
def _well_conditioned(draw: st.DrawFn, rows: int | None = None, columns: int | None = None, batch: bool = True):
    """Matrices (maybe batched) whose smallest singular value is well away from 0: M + 3 I, |M_ij| <= 1/2."""
    n = draw(st.integers(1, 3)) if rows is None else rows
    m = n if columns is None else columns
    lead = draw(st.sampled_from([(), (2,)])) if batch else ()
    noise = draw(arrays(lead + (n, m), low=-0.5, high=0.5))
    return noise + 3.0 * np.eye(n, m)


def _linalg_case(draw_matrices: st.SearchStrategy, **params: Any) -> st.SearchStrategy[Case]:
    return draw_matrices.map(lambda a: Case((a,), dict(params)))


@st.composite
def _solve_case(draw: st.DrawFn) -> Case:
    a = draw(_well_conditioned())
    n = a.shape[-1]
    b_shape = (n,) if a.ndim == 2 and draw(st.booleans()) else a.shape[:-1] + (draw(st.integers(1, 2)),)
    return Case((a, draw(arrays(b_shape))))


@st.composite
def _tall_or_wide(draw: st.DrawFn) -> Case:
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return Case((draw(_well_conditioned(n, m)),))


@st.composite
def _least_squares_case(draw: st.DrawFn) -> Case:
    """A tall, square or wide full-rank matrix (not batched: numpy's lstsq is not) and a vector or matrix b."""
    rows, columns = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    a = draw(_well_conditioned(rows, columns, batch=False))
    b_shape = (rows,) if draw(st.booleans()) else (rows, draw(st.integers(1, 2)))
    return Case((a, draw(arrays(b_shape))))


@st.composite
def _separated_spectrum(draw: st.DrawFn, square: bool = False, symmetric: bool = False) -> Case:
    """Matrices (maybe batched) near diag(3, -2, 1) (cut to shape), noise in [0.02, 0.12]: singular values (and, for
    the symmetric ones, eigenvalues) far from each other and from 0, where the factors are differentiable; no entry
    is 0, since LAPACK's QR changes sign where a column is already triangular (a subdiagonal entry 0)."""
    n = draw(st.integers(1, 3))
    m = n if square or symmetric else draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,)]))
    noise = draw(arrays(lead + (n, m), low=0.02, high=0.12))
    spectrum = np.zeros((n, m))
    np.fill_diagonal(spectrum, [3.0, -2.0, 1.0][: min(n, m)])
    a = spectrum + noise
    return Case(((a + np.swapaxes(a, -1, -2)) / 2 if symmetric else a,))


@st.composite
def _distinct_magnitudes(draw: st.DrawFn, shape: tuple[int, ...]) -> np.ndarray:
    """Entries of either sign whose absolute values are at least 0.1 and 0.05 apart: max |x| and min |x| (the
    inf norms) are not differentiable where two entries tie, nor is |x| at 0."""
    magnitudes = draw(hnp.arrays(np.float64, shape, elements=st.integers(2, 60).map(lambda i: i / 20), unique=True))
    return magnitudes * draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))


@st.composite
def _norm_case(draw: st.DrawFn) -> Case:
    x = draw(_distinct_magnitudes(draw(shapes(min_dims=1, max_dims=2))))
    if x.ndim == 2 and draw(st.booleans()):
        return Case((x,), {"ord": draw(st.sampled_from([None, "fro"])), "axis": None})
    axis = draw(st.integers(-1, 0))
    return Case((x,), {"ord": draw(st.sampled_from([None, 1, 2, np.inf, -np.inf])), "axis": axis})


def _drawn(strategy: st.SearchStrategy) -> st.SearchStrategy[Case]:
    """Cases from a strategy of tests/array_cases.py (which draws ``(arrays, params)``)."""
    return strategy.map(lambda drawn: Case(*drawn))


def _torch_dot(torch: Any, a: Any, b: Any) -> Any:
    if a.dim() == 0 or b.dim() == 0:
        return a * b
    return torch.tensordot(a, b, dims=([a.dim() - 1], [max(b.dim() - 2, 0)]))


_INDEX_0_AXIS_0 = {"indices": np.array([0, 2]), "axis": 0}


def _torch_take_along_axis(torch: Any, a: Any, indices: np.ndarray, axis: int | None) -> Any:
    """torch.take_along_dim with the indices made non-negative (torch does not wrap them)."""
    length = a.numel() if axis is None else a.shape[axis]
    return torch.take_along_dim(a, torch.from_numpy(indices % max(length, 1)), axis)


def _torch_diff(torch: Any, a: Any, n: int, axis: int, prepend: Any, append: Any) -> Any:
    """torch.diff with numeric edges made tensors of one slice (numpy broadcasts numbers)."""
    shape = list(a.shape)
    shape[axis] = 1

    def edge(extra: Any) -> Any:
        return (
            None
            if extra is None
            else torch.full(shape, extra, dtype=a.dtype)
            if np.ndim(extra) == 0
            else torch.tensor(extra)
        )

    return torch.diff(a, n, axis, edge(prepend), edge(append))


def _numpy_diff(a: np.ndarray, n: int, axis: int, prepend: Any, append: Any) -> np.ndarray:
    """numpy.diff, whose edges are left out rather than None."""
    edges = {name: edge for name, edge in (("prepend", prepend), ("append", append)) if edge is not None}
    return np.diff(a, n, axis, **edges)


def _topk(a: np.ndarray, k: int, dim: int, largest: bool) -> np.ndarray:
    """numpy's topk: the first k entries along ``dim`` of the sorted array (descending if ``largest``)."""
    ordered = -np.sort(-a, axis=dim) if largest else np.sort(a, axis=dim)
    return np.take(ordered, np.arange(k), axis=dim)


def _put_along_axis(arr: np.ndarray, values: np.ndarray, indices: np.ndarray, axis: int) -> np.ndarray:
    """numpy's in-place put_along_axis on a copy."""
    out = arr.copy()
    np.put_along_axis(out, indices, values, axis)
    return out


def _scatter(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray, add: bool = False) -> np.ndarray:
    """torch.scatter (the last of repeated positions wins, as numpy's assignment) or scatter_add in numpy."""
    positions = tuple(
        index if d == dim else np.arange(n).reshape([-1 if e == d else 1 for e in range(index.ndim)])
        for d, n in enumerate(index.shape)
    )
    window = src[tuple(slice(0, n) for n in index.shape)]
    out = a.copy()
    if add:
        np.add.at(out, positions, window)
    else:
        out[positions] = window
    return out


def _symmetric(a: Any) -> Any:
    return (a + a.swapaxes(-1, -2)) * 0.5


# fmt: off
ROWS: list[Row] = [
    # -- arithmetic ---------------------------------------------------------------------------------------
    unary("neg", lambda x: -x, np.negative, torch=lambda torch, x: -x),
    unary("scale_shift", lambda x: 3.0 * x + 0.5, lambda x: 3.0 * x + 0.5),
    unary("rsub", lambda x: 1.0 - x, lambda x: 1.0 - x),
    unary("rdiv", lambda x: 2.0 / x, lambda x: 2.0 / x, NONZERO, torch=lambda torch, x: 2.0 / x),
    unary("rpow", lambda x: 1.7**x, lambda x: 1.7**x, scalar=lambda x: 1.7**x, torch=lambda torch, x: 1.7**x),
    unary("pow_int", lambda x: x**3, lambda x: x**3),
    unary("pow_fraction", lambda x: x**1.5, lambda x: x**1.5, POSITIVE, scalar=lambda x: x**1.5,
          torch=lambda torch, x: x**1.5),
    unary("cube_root", lambda x: x ** (1 / 3), lambda x: x ** (1 / 3), POSITIVE, scalar=lambda x: x ** (1 / 3)),
    unary("cbrt", lambda x: x.cbrt(), np.cbrt, NONZERO, scalar=lambda x: math.copysign(abs(x) ** (1 / 3), x)),
    unary("pow_negative", lambda x: x**-2, lambda x: x**-2.0, NONZERO),
    unary("ndarray_operand", lambda x: x * np.float64(2.0) - np.array(1.0), lambda x: 2.0 * x - 1.0,
          value=False, keeps_float32=False),  # float64 arrays promote, as in numpy
    binary("add", lambda a, b: a + b, np.add, torch=lambda torch, a, b: a + b),
    binary("sub", lambda a, b: a - b, np.subtract, torch=lambda torch, a, b: a - b),
    binary("mul", lambda a, b: a * b, np.multiply, torch=lambda torch, a, b: a * b),
    binary("div", lambda a, b: a / b, np.divide, {}, NONZERO, torch=lambda torch, a, b: a / b),
    binary("pow", lambda a, b: a**b, np.power, {"low": 0.2}, {"low": -2.0, "high": 2.0},
           scalar=lambda x, y: x**y, torch=lambda torch, a, b: a**b),
    # -- exponentials, logarithms, powers ------------------------------------------------------------------
    unary("exp", lambda x: x.exp(), np.exp, scalar=math.exp, torch=lambda torch, x: torch.exp(x)),
    unary("log", lambda x: x.log(), np.log, POSITIVE, scalar=math.log, torch=lambda torch, x: torch.log(x)),
    unary("sqrt", lambda x: x.sqrt(), np.sqrt, POSITIVE, scalar=math.sqrt, torch=lambda torch, x: torch.sqrt(x)),
    unary("log2", lambda x: x.log2(), np.log2, POSITIVE, scalar=math.log2, torch=lambda torch, x: torch.log2(x)),
    unary("log10", lambda x: x.log10(), np.log10, POSITIVE, scalar=math.log10,
          torch=lambda torch, x: torch.log10(x)),
    unary("log1p", lambda x: x.log1p(), np.log1p, {"low": -0.9}, scalar=math.log1p,
          torch=lambda torch, x: torch.log1p(x)),
    unary("expm1", lambda x: x.expm1(), np.expm1, scalar=math.expm1, torch=lambda torch, x: torch.expm1(x)),
    unary("exp2", lambda x: x.exp2(), np.exp2, scalar=lambda x: 2.0**x, torch=lambda torch, x: torch.exp2(x)),
    unary("square", lambda x: x.square(), np.square, scalar=lambda x: x * x, torch=lambda torch, x: torch.square(x)),
    unary("reciprocal", lambda x: x.reciprocal(), np.reciprocal, NONZERO, scalar=lambda x: 1 / x,
          torch=lambda torch, x: torch.reciprocal(x)),
    unary("erf", lambda x: x.erf(), np.vectorize(math.erf, otypes=[np.float64]), {"low": -4.0, "high": 4.0},
          scalar=math.erf, torch=lambda torch, x: torch.erf(x), rtol=2e-15),
    unary("erfc", lambda x: x.erfc(), np.vectorize(math.erfc, otypes=[np.float64]), {"low": -4.0, "high": 6.0},
          scalar=math.erfc, torch=lambda torch, x: torch.erfc(x), rtol=1e-13),
    unary("erfinv", lambda x: x.erfinv(), _scipy_special("erfinv"), {"low": -0.98, "high": 0.98},
          torch=lambda torch, x: torch.erfinv(x), rtol=1e-13),
    unary("lgamma", lambda x: x.lgamma(), np.vectorize(math.lgamma, otypes=[np.float64]), GAMMA, scalar=math.lgamma,
          torch=lambda torch, x: torch.lgamma(x)),
    unary("digamma", lambda x: x.digamma(), _scipy_special("digamma"), GAMMA, torch=lambda torch, x: torch.digamma(x),
          torch_rtol=1e-8),  # torch's gradient, its trigamma, is a short asymptotic series: off by up to 5e-10
    unary("polygamma", lambda x: x.polygamma(2), lambda x: _scipy_special("polygamma")(2, x), GAMMA,
          torch=lambda torch, x: torch.polygamma(2, x)),
    unary("i0", lambda x: x.i0(), np.i0, {"low": -5.0, "high": 5.0}, torch=lambda torch, x: torch.i0(x)),
    binary("logaddexp", lambda a, b: a.logaddexp(b), np.logaddexp,
           scalar=lambda x, y: max(x, y) + math.log1p(math.exp(-abs(x - y))),
           torch=lambda torch, a, b: torch.logaddexp(a, b)),
    binary("logaddexp2", lambda a, b: a.logaddexp2(b), np.logaddexp2,
           scalar=lambda x, y: math.log2(2.0**x + 2.0**y), torch=lambda torch, a, b: torch.logaddexp2(a, b)),
    # -- trigonometric and hyperbolic ------------------------------------------------------------------------
    unary("sin", lambda x: x.sin(), np.sin, scalar=math.sin, torch=lambda torch, x: torch.sin(x)),
    unary("cos", lambda x: x.cos(), np.cos, scalar=math.cos, torch=lambda torch, x: torch.cos(x)),
    unary("tan", lambda x: x.tan(), np.tan, {"low": -1.4, "high": 1.4}, scalar=math.tan,
          torch=lambda torch, x: torch.tan(x)),
    unary("arcsin", lambda x: x.arcsin(), np.arcsin, UNIT, scalar=math.asin, torch=lambda torch, x: torch.asin(x)),
    unary("arccos", lambda x: x.arccos(), np.arccos, UNIT, scalar=math.acos, torch=lambda torch, x: torch.acos(x)),
    unary("arctan", lambda x: x.arctan(), np.arctan, scalar=math.atan, torch=lambda torch, x: torch.atan(x)),
    binary("arctan2", lambda a, b: a.arctan2(b), np.arctan2, NONZERO, NONZERO, scalar=math.atan2,
           torch=lambda torch, a, b: torch.atan2(a, b)),
    binary("hypot", lambda a, b: a.hypot(b), np.hypot, NONZERO, NONZERO, scalar=math.hypot,
           torch=lambda torch, a, b: torch.hypot(a, b)),
    unary("sinh", lambda x: x.sinh(), np.sinh, scalar=math.sinh, torch=lambda torch, x: torch.sinh(x)),
    unary("cosh", lambda x: x.cosh(), np.cosh, scalar=math.cosh, torch=lambda torch, x: torch.cosh(x)),
    unary("tanh", lambda x: x.tanh(), np.tanh, scalar=math.tanh, torch=lambda torch, x: torch.tanh(x)),
    unary("arcsinh", lambda x: x.arcsinh(), np.arcsinh, scalar=math.asinh, torch=lambda torch, x: torch.asinh(x)),
    unary("arccosh", lambda x: x.arccosh(), np.arccosh, {"low": 1.1, "high": 5.0}, scalar=math.acosh,
          torch=lambda torch, x: torch.acosh(x)),
    unary("arctanh", lambda x: x.arctanh(), np.arctanh, UNIT, scalar=math.atanh,
          torch=lambda torch, x: torch.atanh(x)),
    unary("deg2rad", lambda x: x.deg2rad(), np.deg2rad, scalar=math.radians, torch=lambda torch, x: torch.deg2rad(x)),
    unary("rad2deg", lambda x: x.rad2deg(), np.rad2deg, scalar=math.degrees, torch=lambda torch, x: torch.rad2deg(x)),
    # -- piecewise: the kinks and jumps are kept at a distance; see test_op_table for the values there ----------
    unary("abs", lambda x: x.abs(), np.abs, KINK, scalar=abs, order2="flat", torch=lambda torch, x: torch.abs(x)),
    unary("sign", lambda x: x.sign(), np.sign, KINK, order2="flat", torch=lambda torch, x: torch.sign(x)),
    unary("floor", lambda x: x.floor(), np.floor, {"away_from": tuple(range(-3, 4))}, scalar=math.floor,
          order2="flat", torch=lambda torch, x: torch.floor(x)),
    unary("ceil", lambda x: x.ceil(), np.ceil, {"away_from": tuple(range(-3, 4))}, scalar=math.ceil,
          order2="flat", torch=lambda torch, x: torch.ceil(x)),
    unary("round", lambda x: x.round(), np.round, {"away_from": (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5)},
          order2="flat", torch=lambda torch, x: torch.round(x)),
    unary("trunc", lambda x: x.trunc(), np.trunc, {"away_from": tuple(range(-3, 4))}, scalar=math.trunc,
          order2="flat", torch=lambda torch, x: torch.trunc(x)),
    unary("mod_constant", lambda x: x % 0.7, lambda x: np.mod(x, 0.7), {"away_from": (-2.8, -2.1, -1.4, -0.7, 0.0,
          0.7, 1.4, 2.1, 2.8)}, scalar=lambda x: x % 0.7, order2="flat", torch=lambda torch, x: torch.remainder(x, 0.7)),
    unary("rmod", lambda x: 2.0 % x, lambda x: np.mod(2.0, x), {"low": 0.3, "high": 3.0,
          "away_from": (1 / 3, 0.4, 0.5, 2 / 3, 1.0, 2.0)}, scalar=lambda x: 2.0 % x, order2="flat"),
    binary("mod", lambda a, b: a % b, np.mod, {"low": 0.1, "high": 0.9}, {"low": 1.0, "high": 3.0},
           scalar=lambda x, y: x % y, order2="flat", torch=lambda torch, a, b: torch.remainder(a, b)),
    binary("fmod", lambda a, b: a.fmod(b), np.fmod, {"low": -0.9, "high": 0.9}, {"low": 1.0, "high": 3.0},
           scalar=math.fmod, order2="flat", torch=lambda torch, a, b: torch.fmod(a, b)),
    binary("copysign", lambda a, b: a.copysign(b), np.copysign, {"away_from": (0.0,)}, {"away_from": (0.0,)},
           scalar=math.copysign, order2="flat", torch=lambda torch, a, b: torch.copysign(a, b)),
    binary("floor_divide", lambda a, b: a // b, np.floor_divide, {"low": 0.1, "high": 0.9}, {"low": 1.0, "high": 3.0},
           scalar=lambda x, y: x // y, order2="flat"),
    binary("fmax", lambda a, b: a.fmax(b), np.fmax, {"low": -3.0, "high": -0.1}, {"low": 0.1}, order2="flat",
           torch=lambda torch, a, b: torch.fmax(a, b)),
    binary("fmin", lambda a, b: a.fmin(b), np.fmin, {"low": -3.0, "high": -0.1}, {"low": 0.1}, order2="flat",
           torch=lambda torch, a, b: torch.fmin(a, b)),
    unary("clip", lambda x: x.clip(-1.0, 1.5), lambda x: np.clip(x, -1.0, 1.5), {"away_from": (-1.0, 1.5)},
          order2="flat", torch=lambda torch, x: torch.clamp(x, -1.0, 1.5)),
    unary("clip_low", lambda x: x.clip(low=-0.5), lambda x: np.maximum(x, -0.5), {"away_from": (-0.5,)},
          order2="flat"),
    unary("clamp_high", lambda x: x.clamp(high=0.5), lambda x: np.minimum(x, 0.5), {"away_from": (0.5,)},
          value=False, order2="flat"),
    # -- activations -------------------------------------------------------------------------------------------
    unary("sigmoid", lambda x: x.sigmoid(), _sigmoid, scalar=_math_sigmoid, torch=lambda torch, x: torch.sigmoid(x),
          torch_domain={"low": -40.0, "high": 40.0}),
    unary("softplus", lambda x: x.softplus(), _softplus, scalar=_math_softplus,
          torch=lambda torch, x: torch.nn.functional.softplus(x),
          torch_domain={"low": -40.0, "high": 19.5}),  # torch's softplus is the identity above 20 (threshold)
    unary("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), KINK, scalar=lambda x: max(x, 0.0),
          order2="flat", torch=lambda torch, x: torch.relu(x)),
    unary("leaky_relu", lambda x: x.leaky_relu(0.2), lambda x: np.where(x > 0, x, 0.2 * x), KINK, order2="flat",
          torch=lambda torch, x: torch.nn.functional.leaky_relu(x, 0.2)),
    unary("elu", lambda x: x.elu(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)), KINK,
          scalar=lambda x: x if x > 0 else 0.7 * (math.exp(x) - 1), torch=lambda torch, x: torch.nn.functional.elu(x, 0.7)),
    unary("step", lambda x: x.step(), lambda x: (x > 0).astype(np.float64), KINK, order2="flat"),
    unary("swish", lambda x: x.swish(1.5), lambda x: x * _sigmoid(1.5 * x),
          scalar=lambda x: x * _math_sigmoid(1.5 * x), torch=lambda torch, x: x * torch.sigmoid(1.5 * x)),
    unary("silu", lambda x: x.silu(), lambda x: x * _sigmoid(x), scalar=lambda x: x * _math_sigmoid(x),
          torch=lambda torch, x: torch.nn.functional.silu(x)),
    unary("mish", lambda x: x.mish(), lambda x: x * np.tanh(_softplus(x)),
          scalar=lambda x: x * math.tanh(_math_softplus(x)), torch=lambda torch, x: torch.nn.functional.mish(x)),
    # -- activations of nn.functional (Tensor only) ----------------------------------------------------------
    unary("gelu", F.gelu, lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))), value=False, rtol=1e-14,
          torch=lambda torch, x: torch.nn.functional.gelu(x)),
    unary("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
          lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))), value=False,
          torch=lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh")),
    unary("hardtanh", lambda x: F.hardtanh(x, -1.0, 1.5), lambda x: np.clip(x, -1.0, 1.5), {"away_from": (-1.0, 1.5)},
          value=False, order2="flat", torch=lambda torch, x: torch.nn.functional.hardtanh(x, -1.0, 1.5)),
    unary("relu6", F.relu6, lambda x: np.clip(x, 0.0, 6.0), {"low": -3.0, "high": 8.0, "away_from": (0.0, 6.0)},
          value=False, order2="flat", torch=lambda torch, x: torch.nn.functional.relu6(x)),
    unary("selu", F.selu, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)), KINK,
          value=False, torch=lambda torch, x: torch.nn.functional.selu(x)),
    unary("celu", lambda x: F.celu(x, 0.8), lambda x: np.where(x > 0, x, 0.8 * np.expm1(x / 0.8)), KINK,
          value=False, torch=lambda torch, x: torch.nn.functional.celu(x, 0.8), torch_rtol=1e-7),
    unary("logsigmoid", F.logsigmoid, lambda x: -np.logaddexp(0.0, -x), value=False,
          torch=lambda torch, x: torch.nn.functional.logsigmoid(x)),
    unary("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x + 3, 0.0, 6.0) / 6,
          {"low": -5.0, "high": 5.0, "away_from": (-3.0, 3.0)}, value=False, order2="flat",
          torch=lambda torch, x: torch.nn.functional.hardsigmoid(x), torch_rtol=1e-7),
    unary("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0.0, 6.0) / 6,
          {"low": -5.0, "high": 5.0, "away_from": (-3.0, 3.0)}, value=False,
          torch=lambda torch, x: torch.nn.functional.hardswish(x)),
    unary("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), KINK, value=False,
          torch=lambda torch, x: torch.nn.functional.softsign(x)),
    Row("softmin", lambda x, axis: F.softmin(x, axis), lambda x, axis: np.exp(-x) / np.exp(-x).sum(axis, keepdims=True),
        st.tuples(arrays(shapes(min_dims=1)), st.integers(-1, 0)).map(lambda pair: Case((pair[0],), {"axis": pair[1]})),
        torch=lambda torch, x, axis: torch.nn.functional.softmin(x, dim=axis),
        float32_case=Case((np.array([0.3, 1.2]),), {"axis": -1}), rtol=1e-10),
    # -- autograd.linalg (Tensor only) ------------------------------------------------------------------------
    Row("inv", la.inv, np.linalg.inv, _linalg_case(_well_conditioned()), rtol=1e-10,
        torch=lambda torch, a: torch.linalg.inv(a), float32_case=Case((np.eye(2) * 2,))),
    Row("solve", la.solve, np.linalg.solve, _solve_case(), rtol=1e-10,
        torch=lambda torch, a, b: torch.linalg.solve(a, b), float32_case=Case((np.eye(2) * 2, np.ones(2)))),
    Row("det", la.det, np.linalg.det, _linalg_case(_well_conditioned()), rtol=1e-10,
        torch=lambda torch, a: torch.linalg.det(a), float32_case=Case((np.eye(2) * 2,))),
    Row("slogdet", lambda a: la.slogdet(a)[1], lambda a: np.linalg.slogdet(a)[1], _linalg_case(_well_conditioned()),
        rtol=1e-10, torch=lambda torch, a: torch.linalg.slogdet(a)[1], float32_case=Case((np.eye(2) * 2,))),
    Row("cholesky", lambda a: la.cholesky(_symmetric(a)), lambda a: np.linalg.cholesky(_symmetric(a)),
        _linalg_case(_well_conditioned()), rtol=1e-10, torch=lambda torch, a: torch.linalg.cholesky(_symmetric(a)),
        float32_case=Case((np.eye(2) * 2,))),
    Row("pinv", la.pinv, np.linalg.pinv, _tall_or_wide(), rtol=1e-9, torch=lambda torch, a: torch.linalg.pinv(a),
        float32_case=Case((np.eye(3, 2) * 2,))),
    Row("lstsq", lambda a, b: la.lstsq(a, b)[0], lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
        _least_squares_case(), rtol=1e-9, torch=lambda torch, a, b: torch.linalg.lstsq(a, b, driver="gelsd").solution,
        float32_case=Case((np.eye(3, 2) * 2, np.ones(3)))),
    Row("norm", la.norm, np.linalg.norm, _norm_case(), rtol=1e-12, order2=None,
        torch=lambda torch, x, ord, axis: torch.linalg.norm(x, ord, axis),
        float32_case=Case((np.array([0.3, 1.2]),), {"ord": None, "axis": None})),
    # the factors' signs are LAPACK's (ours and numpy's are the same call) but not unique, so the vectors enter as
    # their squares, which do not depend on the signs; torch's LAPACK may choose other signs
    Row("svdvals", la.svdvals, lambda a: np.linalg.svd(a, compute_uv=False), _separated_spectrum(), rtol=1e-10,
        torch=lambda torch, a: torch.linalg.svdvals(a), float32_case=Case((np.diag([2.0, 1.0]),))),
    Row("svd_u_squared", lambda a: la.svd(a, full_matrices=False).U ** 2,
        lambda a: np.linalg.svd(a, full_matrices=False)[0] ** 2, _separated_spectrum(), rtol=1e-9,
        torch=lambda torch, a: torch.linalg.svd(a, full_matrices=False).U ** 2, torch_rtol=1e-8,
        float32_case=Case((np.diag([2.0, 1.0]),))),
    Row("svd_vh_squared", lambda a: la.svd(a, full_matrices=False).Vh ** 2,
        lambda a: np.linalg.svd(a, full_matrices=False)[2] ** 2, _separated_spectrum(), rtol=1e-9,
        torch=lambda torch, a: torch.linalg.svd(a, full_matrices=False).Vh ** 2, torch_rtol=1e-8,
        float32_case=Case((np.diag([2.0, 1.0]),))),
    # eigh reads one triangle and, as torch's (and cholesky's), its gradient is the symmetric one: the rows
    # differentiate eigh((A + A^T) / 2), whose derivative is that gradient
    Row("eigvalsh", lambda a: la.eigvalsh(_symmetric(a)), lambda a: np.linalg.eigvalsh(_symmetric(a)),
        _separated_spectrum(symmetric=True), rtol=1e-10, torch=lambda torch, a: torch.linalg.eigvalsh(_symmetric(a)),
        float32_case=Case((np.diag([2.0, 1.0]),))),
    Row("eigh_vectors_squared", lambda a: la.eigh(_symmetric(a)).eigenvectors ** 2,
        lambda a: np.linalg.eigh(_symmetric(a))[1] ** 2, _separated_spectrum(symmetric=True), rtol=1e-9,
        torch=lambda torch, a: torch.linalg.eigh(_symmetric(a)).eigenvectors ** 2, torch_rtol=1e-8,
        float32_case=Case((np.diag([2.0, 1.0]),))),
    Row("qr_q", lambda a: la.qr(a).Q, lambda a: np.linalg.qr(a)[0], _separated_spectrum(), rtol=1e-9,
        torch=lambda torch, a: torch.linalg.qr(a).Q, torch_rtol=1e-8, float32_case=Case((np.diag([2.0, 1.0]),))),
    Row("qr_r", lambda a: la.qr(a).R, lambda a: np.linalg.qr(a)[1], _separated_spectrum(), rtol=1e-9,
        torch=lambda torch, a: torch.linalg.qr(a).R, torch_rtol=1e-8, float32_case=Case((np.diag([2.0, 1.0]),))),
    # -- contractions (autograd.contractions, Tensor only) ------------------------------------------------------
    Row("einsum", lambda *ts, subscripts: co.einsum(subscripts, *ts), lambda *xs, subscripts: np.einsum(subscripts, *xs),
        _drawn(cases.einsum_inputs()), rtol=1e-10, torch=lambda torch, *ts, subscripts: torch.einsum(subscripts, *ts),
        float32_case=Case((np.ones((2, 3)), np.ones((3, 2))), {"subscripts": "ij,jk->ik"})),
    Row("tensordot", co.tensordot, np.tensordot, _drawn(cases.tensordot_inputs()), rtol=1e-10,
        torch=lambda torch, a, b, axes: torch.tensordot(a, b, dims=axes),
        float32_case=Case((np.ones((2, 3)), np.ones((3, 2))), {"axes": 1})),
    Row("dot", co.dot, np.dot, _drawn(cases.dot_inputs()), rtol=1e-10, torch=_torch_dot,
        float32_case=Case((np.ones((2, 3)), np.ones(3)))),
    Row("inner", co.inner, np.inner, _drawn(cases.dot_inputs(inner=True)), rtol=1e-10,
        torch=lambda torch, a, b: torch.inner(a, b), float32_case=Case((np.ones((2, 3)), np.ones(3)))),
    Row("outer", co.outer, np.outer, _drawn(cases.two_arrays()), torch=lambda torch, a, b: torch.outer(a.reshape(-1),
        b.reshape(-1)), float32_case=Case((np.ones(2), np.ones(3)))),
    Row("kron", co.kron, np.kron, _drawn(cases.two_arrays()), torch=lambda torch, a, b: torch.kron(a, b),
        float32_case=Case((np.ones((2, 2)), np.ones(3)))),
    Row("diagonal", co.diagonal, np.diagonal, _drawn(cases.diagonal_inputs()),
        torch=lambda torch, a, offset, axis1, axis2: torch.diagonal(a, offset, axis1, axis2),
        float32_case=Case((np.ones((2, 2)),))),
    Row("trace", co.trace, np.trace, _drawn(cases.diagonal_inputs()), rtol=1e-10,
        torch=lambda torch, a, offset, axis1, axis2: torch.diagonal(a, offset, axis1, axis2).sum(-1),
        float32_case=Case((np.ones((2, 2)),))),
    Row("diag", co.diag, np.diag, _drawn(cases.diag_inputs()), torch=lambda torch, v, k: torch.diag(v, k),
        float32_case=Case((np.ones(2),))),
    # -- indexing (autograd.indexing, Tensor only) -------------------------------------------------------------
    Row("take", ix.take, np.take, _drawn(cases.take_inputs()), float32_case=Case((np.ones(3),), _INDEX_0_AXIS_0)),
    Row("take_along_axis", ix.take_along_axis, np.take_along_axis, _drawn(cases.take_along_axis_inputs()),
        torch=_torch_take_along_axis, float32_case=Case((np.ones(3),), _INDEX_0_AXIS_0)),
    Row("gather", ix.gather, lambda a, dim, index: np.take_along_axis(a[tuple(slice(0, i) if d != dim else slice(None)
        for d, i in enumerate(index.shape))], index, dim), _drawn(cases.gather_inputs()),
        torch=lambda torch, a, dim, index: torch.gather(a, dim, torch.from_numpy(index)),
        float32_case=Case((np.ones(3),), {"dim": 0, "index": np.array([0, 2])})),
    Row("put_along_axis", lambda a, values, indices, axis: ix.put_along_axis(a, indices, values, axis), _put_along_axis, _drawn(cases.put_along_axis_inputs()),
        float32_case=Case((np.ones(3), np.ones(1)), _INDEX_0_AXIS_0)),
    Row("scatter", lambda a, src, dim, index: ix.scatter(a, dim, index, src), _scatter,
        _drawn(cases.scatter_inputs(distinct=True)), torch_cases=_drawn(cases.scatter_inputs(src_larger=False, distinct=True)),
        torch=lambda torch, a, src, dim, index: torch.scatter(a, dim, torch.from_numpy(index), src),
        float32_case=Case((np.ones(3), np.ones(2)), {"dim": 0, "index": np.array([0, 2])})),
    Row("scatter_add", lambda a, src, dim, index: ix.scatter_add(a, dim, index, src), lambda a, src, dim, index: _scatter(a, src, dim, index, add=True),
        _drawn(cases.scatter_inputs()), torch_cases=_drawn(cases.scatter_inputs(src_larger=False)),
        torch=lambda torch, a, src, dim, index: torch.scatter_add(a, dim, torch.from_numpy(index), src),
        float32_case=Case((np.ones(3), np.ones(2)), {"dim": 0, "index": np.array([0, 0])})),
    Row("masked_fill", lambda x, value, mask: ix.masked_fill(x, mask, value), lambda x, value, mask: np.where(mask, value, x),
        _drawn(cases.masked_fill_inputs()), torch=lambda torch, x, value, mask: x.masked_fill(torch.from_numpy(mask), value),
        float32_case=Case((np.ones(3), np.array(2.0)), {"mask": np.array([True, False, True])})),
    # -- cumulative and sorting (autograd.cumulative, autograd.sorting; Tensor only) ---------------------------
    Row("cumsum", cu.cumsum, np.cumsum, _drawn(cases.cumulative_inputs()), rtol=1e-10,
        torch=lambda torch, a, axis: torch.cumsum(a.reshape(-1) if axis is None else a, 0 if axis is None else axis),
        float32_case=Case((np.ones(3),), {"axis": 0})),
    Row("cumprod", cu.cumprod, np.cumprod, _drawn(cases.cumulative_inputs()), rtol=1e-10,
        torch=lambda torch, a, axis: torch.cumprod(a.reshape(-1) if axis is None else a, 0 if axis is None else axis),
        float32_case=Case((np.ones(3),), {"axis": 0})),
    *(Row(name, lambda a, axis, _name=name: getattr(cu, _name)(a, axis)[0],
          lambda a, axis, _ufunc=ufunc: _ufunc.accumulate(a.reshape(-1) if a.ndim == 0 else a, axis=axis).reshape(a.shape),
          _drawn(cases.running_extreme_inputs()), order2="flat",
          torch=lambda torch, a, axis, _name=name: getattr(torch, _name)(a, axis).values,
          float32_case=Case((np.array([1.0, 2.0]),), {"axis": 0}))
      for name, ufunc in (("cummax", np.maximum), ("cummin", np.minimum))),
    Row("logcumsumexp", cu.logcumsumexp, lambda a, axis: np.logaddexp.accumulate(a.reshape(-1) if a.ndim == 0 else a,
        axis=axis).reshape(a.shape), _drawn(cases.running_extreme_inputs()),
        torch=lambda torch, a, axis: torch.logcumsumexp(a, axis), float32_case=Case((np.array([1.0, 2.0]),), {"axis": 0})),
    Row("diff", cu.diff, _numpy_diff, _drawn(cases.diff_inputs()), torch=_torch_diff,
        float32_case=Case((np.ones(3),), {"n": 1, "axis": 0, "prepend": None, "append": None})),
    Row("sort", so.sort, np.sort, _drawn(cases.sort_inputs()), order2="flat",
        torch=lambda torch, a, axis: torch.sort(a.reshape(-1) if axis is None else a, 0 if axis is None else axis).values,
        float32_case=Case((np.array([2.0, 1.0]),), {"axis": -1})),
    Row("topk", lambda a, **params: so.topk(a, **params)[0], _topk, _drawn(cases.topk_inputs()), order2="flat",
        torch=lambda torch, a, k, dim, largest: torch.topk(a, k, dim, largest).values,
        float32_case=Case((np.array([2.0, 1.0]),), {"k": 1, "dim": 0, "largest": True})),
    # -- shape functions (autograd.shape_functions, Tensor only): splits are checked through their joined pieces -----
    *(Row(name, getattr(sf, name), getattr(np, name), _drawn(cases.shape_inputs(name)), torch=torch_call,
          float32_case=Case((np.ones((2, 2, 2)),), float32_params))
      for name, torch_call, float32_params in [
          ("flip", None, {"axis": 0}),
          ("fliplr", lambda torch, a: torch.fliplr(a), {}),
          ("flipud", lambda torch, a: torch.flipud(a), {}),
          ("rot90", lambda torch, a, k, axes: torch.rot90(a, k, axes), {"k": 1, "axes": (0, 1)}),
          ("repeat", None, {"repeats": 2, "axis": 0}),
          ("tile", None, {"reps": 2}),
          ("tril", None, {"k": 0}),
          ("triu", None, {"k": 0}),
          ("roll", None, {"shift": 1, "axis": None}),
          ("moveaxis", lambda torch, a, source, destination: torch.moveaxis(a, source, destination),
           {"source": 0, "destination": 1}),
          ("swapaxes", lambda torch, a, axis1, axis2: torch.swapaxes(a, axis1, axis2), {"axis1": 0, "axis2": 1}),
          ("ravel", lambda torch, a: torch.ravel(a), {}),
          ("atleast_1d", lambda torch, a: torch.atleast_1d(a), {}),
          ("atleast_2d", lambda torch, a: torch.atleast_2d(a), {}),
          ("atleast_3d", lambda torch, a: torch.atleast_3d(a), {}),
      ]),
    *(Row(name, lambda a, _name=name, **params: ag.concatenate([p.reshape(-1) for p in getattr(sf, _name)(a, **params)]),
          lambda a, _name=name, **params: np.concatenate([p.reshape(-1) for p in getattr(np, _name)(a, **params)]),
          _drawn(cases.shape_inputs(name)), float32_case=Case((np.ones((2, 2, 2)),), {"indices_or_sections": 2}))
      for name in ("array_split", "hsplit", "vsplit", "dsplit")),
    Row("meshgrid", lambda *ts, indexing: ag.concatenate([g.reshape(-1) for g in sf.meshgrid(*ts, indexing=indexing)]),
        lambda *xs, indexing: np.concatenate([g.reshape(-1) for g in np.meshgrid(*xs, indexing=indexing)]),
        _drawn(cases.meshgrid_inputs()), float32_case=Case((np.ones(2), np.ones(3)), {"indexing": "xy"}),
        torch=lambda torch, *ts, indexing: torch.cat([g.reshape(-1) for g in torch.meshgrid(*ts, indexing=indexing)])),
    *(Row(name, lambda *ts, _name=name: getattr(sf, _name)(ts), lambda *xs, _name=name: getattr(np, _name)(xs),
          _drawn(cases.stack_inputs(name)), torch=lambda torch, *ts, _name=name: getattr(torch, _name)(ts),
          float32_case=Case((np.ones((2, 2)), np.ones((2, 2)))))
      for name in ("hstack", "vstack", "dstack", "column_stack")),
]
# fmt: on

ROWS_BY_NAME = {row.name: row for row in ROWS}
assert len(ROWS_BY_NAME) == len(ROWS), "row names must be unique"
