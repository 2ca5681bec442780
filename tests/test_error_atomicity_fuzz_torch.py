"""Differential fuzzing of bad input against torch 2.13: Tensor methods, autograd and nn modules.

Each example draws a call that may be wrong (sizes that do not fit a reshape or a view, a view of a transposed
tensor, dims out of range or repeated, cat/stack of mismatched shapes or dtypes, products of mismatched shapes,
gather/scatter/index_select/index_add_/masked_fill_/take with index tensors of a wrong dtype, shape or range,
integer and bool tensors asked for gradients, backward of a non-scalar, of a tensor that needs no gradient, twice
without retain_graph, with a seed of a wrong shape or dtype, autograd.grad of unused inputs, expand to sizes that do
not fit, in-place changes of leaves that require grad or whose result the target cannot hold or would grow it,
item()/float()/int()/bool() of several elements, dtype names, modules given inputs of the wrong shape, channels,
rank or dtype, load_state_dict with missing, unexpected or wrongly shaped keys, strict or not) and runs it here and
in torch on the same numpy arrays. Where torch raises, the library must raise an instance of torch's class (the
library's error classes are torch's too: README, "Shapes an operation cannot use", and
tests/test_torch_error_classes.py), with a message naming the op or the problem (numpy's text alone is not enough),
and leave everything as it was: the inputs' values, shapes, versions (``_version``), gradients and requires_grad,
and a module's state dict. Where torch does not raise, the library must not either and must give torch's values
(shapes, dtypes, values; load_state_dict's missing and unexpected keys and the state it leaves). Derandomized and
bounded (well under a minute); ``FUZZ_EXAMPLES=2000`` draws that many fresh random examples per property instead,
to hunt. Its failures are minimised in tests/test_fuzz_regressions_torch.py; nn.functional and nn.optim are
tests/test_error_contract_torch.py's.

Drawn around, not compared:
* the library's documented spellings (README): ``x.squeeze(0)`` raises where torch's leaves a length other than 1
  (``squeeze(dim=)`` is drawn); ``x.std()``/``x.var()`` are numpy's ddof=0 (torch's ``correction=1`` is spelled
  out); an integer tensor made floating (``exp``, ``sigmoid``) takes the default dtype float64, torch's float32;
* numpy's ndarray methods of the same name: ``x.dot`` is ``ndarray.dot`` (drawn on vectors only) and ``x.take``
  ``ndarray.take`` (an int64 index only);
* divergences left as they are and reported (the library follows numpy's dtypes here): the products (``matmul``,
  ``mm``, ``bmm``, ``mv``, ``@``) promote operands of two dtypes where torch refuses them ("expected m1 and m2 to
  have the same dtype"), so both operands are drawn in one dtype; ``mean``/``std``/``var``/``norm``/``softmax``/
  ``log_softmax`` of integer and bool tensors compute as numpy's where torch refuses them (drawn on floats);
  ``x.to("float32")`` reads numpy's dtype name where torch reads a device (not drawn); ``AvgPool1d`` of an int64
  input averages in float64 where torch truncates in int64; an int64 input to a normalization layer, or to a
  recurrent one with a hidden state, is refused for its dtype here before torch's check of the batch's size or the
  hidden state's shape (both raise, in other classes): drawn in float32;
* torch's artefacts: an empty index to gather/scatter is not checked against the input's shape (torch checks while
  reading); a cat of legacy empty (0,) tensors alone ignores its dim; ``expand`` of a 0-d tensor to sizes with a 0
  keeps a -1 in its shape; zero-length channels or batches (torch's empty paths skip the channel checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from fuzz_settings import fuzz_settings
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd as A
import nn

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FUZZ = fuzz_settings(300)


class Side:
    """One library's spellings: ``lib`` is torch or autograd, ``nn`` its module package."""

    def __init__(self, lib: Any, nn_: Any) -> None:
        self.lib, self.nn, self.is_torch = lib, nn_, lib is torch

    def t(self, array: np.ndarray, grad: bool = False) -> Any:
        """A tensor holding a copy of ``array`` (a leaf that requires grad when ``grad``)."""
        if self.is_torch:
            out = torch.tensor(np.array(array, copy=True))
            return out.requires_grad_() if grad else out
        return A.tensor(np.array(array, copy=True), requires_grad=grad)


TORCH = Side(torch, torch.nn)
OURS = Side(A, nn)


@dataclass
class Case:
    """A call drawn: ``build(side)`` makes its inputs (a dict of tensors and modules), ``call(side, inputs)`` runs
    it; the library's message must name one of ``words`` when it raises."""

    label: str
    words: tuple[str, ...]
    build: Callable[[Side], dict]
    call: Callable[[Side, dict], Any]
    notes: dict = field(default_factory=dict)
    prepare: Callable[[Side, dict], None] | None = None  # steps before the call that must work on both sides

    def __repr__(self) -> str:
        return f"Case({self.label}, {self.notes})"


def _array(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy().copy()
    if isinstance(x, A.Tensor):
        return np.array(x.data, copy=True)
    return np.array(x, copy=True)


def _snapshot(inputs: dict) -> dict:
    """What a failed call must leave as it was: each tensor's values, shape, version and gradient, each module's
    state dict."""
    out = {}
    for name, x in inputs.items():
        if isinstance(x, (torch.Tensor, A.Tensor)):
            grad = None if x.grad is None else _array(x.grad)
            out[name] = (_array(x), tuple(x.shape), x._version, grad, bool(x.requires_grad))
        elif isinstance(x, dict):
            out[name] = {k: _array(v) for k, v in x.items()}
        elif hasattr(x, "state_dict"):
            out[name] = {k: _array(v) for k, v in x.state_dict().items()}
    return out


def _same_snapshot(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    for name in before:
        b, a = before[name], after[name]
        if isinstance(b, dict):
            assert b.keys() == a.keys(), name
            for k in b:
                np.testing.assert_array_equal(a[k], b[k], err_msg=f"{name}.{k} changed")
            continue
        np.testing.assert_array_equal(a[0], b[0], err_msg=f"{name}'s values changed")
        assert a[1:3] == b[1:3], (name, "shape or version changed", b[1:3], a[1:3])
        assert (a[3] is None) == (b[3] is None), (name, "grad changed")
        if b[3] is not None:
            np.testing.assert_array_equal(a[3], b[3], err_msg=f"{name}'s grad changed")
        assert a[4] == b[4], (name, "requires_grad changed")


def _flat(y: Any) -> list:
    if isinstance(y, (tuple, list)):
        return [o for item in y for o in _flat(item)]
    if isinstance(y, dict):
        return [o for k in sorted(y) for o in [k, *_flat(y[k])]]
    return [y]


def _same_results(ours: Any, theirs: Any) -> None:
    ours, theirs = _flat(ours), _flat(theirs)
    assert len(ours) == len(theirs), (ours, theirs)
    for o, t in zip(ours, theirs):
        if isinstance(t, (str, type(None))) or (isinstance(t, (bool, int, float)) and not isinstance(o, A.Tensor)):
            assert o == t or (isinstance(t, float) and np.isnan(t) and np.isnan(o)), (o, t)
            assert type(o) is type(t), (type(o), type(t))
            continue
        od, td = _array(o), _array(t)
        assert od.shape == td.shape, (od.shape, td.shape)
        assert od.dtype == td.dtype, (od.dtype, td.dtype)
        # (float32 normalisation of a constant group: torch's rounding leaves ~1e-5 where the exact answer is 0)
        rtol, atol = (2e-5, 1e-4) if od.dtype == np.float32 else (1e-9, 1e-12)
        np.testing.assert_allclose(od, td, rtol=rtol, atol=atol)


# numpy's own messages, which name neither the op nor torch's problem
NUMPY_TEXTS = (
    "cannot reshape array",
    "could not be broadcast",
    "all the input array dimensions",
    "all the input arrays must have same number of dimensions",
    "all input arrays must have the same shape",
    "is out of bounds for array of dimension",
    "repeated axis in transpose",
    "axes don't match array",
    "matmul: Input operand",
    "non-broadcastable output operand",
    "Cannot cast ufunc",
    "only integer scalar arrays",
    "arrays used as indices must be of integer",
    "can only convert an array of size 1",
)


def check(case: Case) -> None:
    """Run ``case`` on torch and here; see the module's docstring for what must agree."""
    t_inputs = case.build(TORCH)
    if case.prepare is not None:
        case.prepare(TORCH, t_inputs)
    try:
        theirs, torch_error = case.call(TORCH, t_inputs), None
    except Exception as e:  # noqa: BLE001 (torch's class decides)
        theirs, torch_error = None, e
    inputs = case.build(OURS)
    if case.prepare is not None:
        case.prepare(OURS, inputs)
    before = _snapshot(inputs)
    try:
        ours, error = case.call(OURS, inputs), None
    except Exception as e:  # noqa: BLE001
        ours, error = None, e
    if torch_error is None:
        if error is not None:
            raise AssertionError(f"{case}: torch gives a result, the library raised {error!r}") from error
        _same_results(ours, theirs)
        return
    if error is None:
        raise AssertionError(f"{case}: torch raised {torch_error!r}, the library did not") from torch_error
    message = str(error)
    assert isinstance(error, type(torch_error)), (case, type(error).__mro__, repr(torch_error), message)
    if any(text in message for text in NUMPY_TEXTS):  # numpy's text alone does not say which op failed
        assert case.label.rstrip("_").lower() in message.lower(), (case, message)
    assert any(word.lower() in message.lower() for word in case.words), (case, case.words, message)
    _same_snapshot(before, _snapshot(inputs))


def values(rng: np.random.Generator, shape: tuple, dtype: str = "float64") -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("int"):
        return rng.integers(-3, 4, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
small_shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)
seeds = st.integers(0, 2**32 - 1)


def dims(ndim: int):
    """A dim in range or just out of it."""
    return st.integers(-max(ndim, 1) - 2, max(ndim, 1) + 1)


# --------------------------------------------------------------------------- reshape and view


@st.composite
def reshapes(draw):
    shape = draw(shapes)
    n = int(np.prod(shape))
    target = list(draw(st.lists(st.integers(-2, 6), min_size=0, max_size=4)))
    if draw(st.booleans()):  # a size that fits, often
        rest = draw(st.permutations(list(shape))) if shape else []
        target = list(rest)
        if target and draw(st.booleans()):
            target[draw(st.integers(0, len(target) - 1))] = -1
    method = draw(st.sampled_from(["reshape", "view", "view_transposed", "reshape_transposed", "flatten_view"]))
    seed = draw(seeds)
    spell = draw(st.sampled_from(["args", "tuple"]))

    def build(s):
        return {"x": s.t(values(np.random.default_rng(seed), shape), grad=draw_grad)}

    draw_grad = draw(st.booleans())

    def call(s, d):
        x = d["x"]
        if method.endswith("transposed") and x.ndim >= 2:
            x = x.transpose(0, 1)
        fn = getattr(x, method.split("_")[0] if method != "flatten_view" else "view")
        return fn(*target) if spell == "args" and target else fn(tuple(target))

    return Case(method, ("view", "reshape", "shape", "size"), build, call, dict(shape=shape, target=target, n=n))


@FUZZ
@given(case=reshapes())
def test_reshape_and_view(case):
    check(case)


# --------------------------------------------------------------------------- dims out of range or repeated

DIM_OPS = ["transpose", "permute", "squeeze", "unsqueeze", "flatten", "movedim", "sum", "softmax", "select", "narrow"]


@st.composite
def dim_calls(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=4).map(tuple))
    nd = len(shape)
    op = draw(st.sampled_from(DIM_OPS))
    d = dims(nd + (op == "unsqueeze"))
    seed = draw(seeds)
    if op == "transpose":
        args = (draw(d), draw(d))
    elif op == "permute":
        args = tuple(draw(st.lists(d, min_size=max(nd - 1, 0), max_size=nd + 1)))
    elif op in ("squeeze", "unsqueeze", "sum", "softmax"):
        args = (draw(d),)
    elif op == "flatten":
        args = (draw(d), draw(d))
    elif op == "movedim":
        k = draw(st.integers(1, 2))
        args = (tuple(draw(st.lists(d, min_size=k, max_size=k))), tuple(draw(st.lists(d, min_size=k, max_size=k))))
    elif op == "select":
        args = (draw(d), draw(st.integers(-4, 3)))
    else:
        args = (draw(d), draw(st.integers(-4, 3)), draw(st.integers(0, 3)))
    grad = draw(st.booleans())

    def build(s):
        return {"x": s.t(values(np.random.default_rng(seed), shape), grad=grad)}

    def call(s, d_):
        x = d_["x"]
        if op == "permute":
            return x.permute(*args)
        if op in ("squeeze",):
            return x.squeeze(dim=args[0])  # torch's spelling that leaves a length other than 1 (README)
        if op == "sum":
            return x.sum(dim=args[0])
        if op == "softmax":
            return x.softmax(dim=args[0])
        return getattr(x, op)(*args)

    return Case(op, (op, "dim", "axis", "range"), build, call, dict(shape=shape, args=args))


@FUZZ
@given(case=dim_calls())
def test_dims_out_of_range_or_repeated(case):
    check(case)


# --------------------------------------------------------------------------- cat and stack


@st.composite
def joins(draw):
    base = draw(st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple))
    n = draw(st.integers(0, 3))
    parts = []
    for _ in range(n):
        shape = list(base)
        if shape and draw(st.booleans()):
            shape[draw(st.integers(0, len(shape) - 1))] = draw(st.integers(0, 3))
        if draw(st.integers(0, 5)) == 0:
            shape = shape + [2] if draw(st.booleans()) else shape[:-1]
        parts.append((tuple(shape), draw(st.sampled_from(["float64", "float64", "float32", "int64", "bool"]))))
    op = draw(st.sampled_from(["cat", "stack", "hstack", "vstack"]))
    dim = draw(dims(len(base) + 1))
    # torch's legacy empty (0,) tensors: a cat of nothing else ignores the dim (see the docstring)
    assume(not (op == "cat" and parts and all(shape == (0,) for shape, _ in parts) and dim not in (0, -1)))
    seed = draw(seeds)
    grads = [draw(st.booleans()) for _ in parts]

    def build(s):
        rng = np.random.default_rng(seed)
        return {
            f"x{i}": s.t(values(rng, sh, dt), grad=g and dt.startswith("float"))
            for i, ((sh, dt), g) in enumerate(zip(parts, grads))
        }

    def call(s, d):
        xs = [d[f"x{i}"] for i in range(len(parts))]
        if op in ("hstack", "vstack"):
            return getattr(s.lib, op)(xs)
        return getattr(s.lib, op)(xs, dim=dim)

    return Case(op, (op, "size", "shape", "dim", "tensors"), build, call, dict(parts=parts, dim=dim))


@FUZZ
@given(case=joins())
def test_cat_and_stack(case):
    check(case)


# --------------------------------------------------------------------------- products


@st.composite
def products(draw):
    op = draw(st.sampled_from(["matmul", "mm", "bmm", "mv", "dot", "@", "outer"]))
    a = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    b = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    if draw(st.booleans()):  # inner sizes that fit, often
        b = (a[-1],) + b[1:]
        if len(b) >= 2 and draw(st.booleans()):
            b = b[1:2] + (a[-1],) + b[2:] if len(b) >= 2 else b
    dts = (draw(st.sampled_from(["float64", "float64", "float32", "int64"])),) * 2  # mixed dtypes: see the docstring
    if op == "dot":  # numpy's ndarray.dot (see the docstring): vectors only, compared with torch's
        a, b = a[:1], b[:1]
    seed = draw(seeds)
    grad = draw(st.booleans())

    def build(s):
        rng = np.random.default_rng(seed)
        return {"a": s.t(values(rng, a, dts[0]), grad and dts[0] != "int64"), "b": s.t(values(rng, b, dts[1]))}

    def call(s, d):
        if op == "@":
            return d["a"] @ d["b"]
        return getattr(d["a"], op)(d["b"])

    word = "matmul" if op == "@" else op
    return Case(op, (word, "shape", "size", "dtype", "dimension", "expected"), build, call, dict(a=a, b=b, dts=dts))


@FUZZ
@given(case=products())
def test_products(case):
    check(case)


# --------------------------------------------------------------------------- index ops

INDEX_OPS = ["gather", "scatter", "scatter_add", "index_select", "index_add_", "masked_fill_", "masked_fill", "take"]


@st.composite
def index_calls(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    nd = len(shape)
    op = draw(st.sampled_from(INDEX_OPS))
    dim = draw(dims(nd))
    idx_dtype = draw(st.sampled_from(["int64", "int64", "int64", "int32", "float64", "bool"]))
    if op == "take":  # numpy's ndarray.take (see the docstring): torch's int64 index
        idx_dtype = "int64"
    idx_nd = nd if op in ("gather", "scatter", "scatter_add") else 1
    if draw(st.integers(0, 4)) == 0:
        idx_nd = draw(st.integers(0, 3))
    # an empty index of gather or scatter: torch checks the index's shape only while it reads (see the docstring)
    idx_shape = tuple(
        draw(st.integers(0 if op not in ("gather", "scatter", "scatter_add") else 1, 3)) for _ in range(idx_nd)
    )
    low, high = draw(st.sampled_from([(0, 1), (0, 3), (-4, 4), (0, 5)]))
    mask_shape = draw(st.sampled_from([shape, shape[1:], shape[:-1] + (4,), (1,) * nd]))
    mask_dtype = draw(st.sampled_from(["bool", "bool", "int64", "float64"]))
    fill = draw(st.sampled_from([1.5, 2, float("inf"), True]))
    x_dtype = draw(st.sampled_from(["float64", "float64", "float32", "int64"]))
    src_dtype = draw(st.sampled_from([x_dtype, x_dtype, "float32", "float64", "int64"]))
    grad = draw(st.booleans()) and x_dtype != "int64" and not op.endswith("_")
    seed = draw(seeds)

    def build(s):
        rng = np.random.default_rng(seed)
        x = values(rng, shape, x_dtype)
        if idx_dtype == "bool":
            index = rng.random(idx_shape) < 0.5
        else:
            index = rng.integers(low, high, idx_shape).astype(idx_dtype)
        src_shape = (
            idx_shape
            if op != "index_add_"
            else tuple(len(index) if i == dim % nd else n for i, n in enumerate(shape))
            if idx_nd == 1
            else idx_shape
        )
        return {
            "x": s.t(x, grad=grad),
            "index": s.t(index),
            "src": s.t(values(rng, src_shape, src_dtype)),
            "mask": s.t(values(rng, mask_shape, mask_dtype)),
        }

    def call(s, d):
        x, index, src = d["x"], d["index"], d["src"]
        if op == "gather":
            return x.gather(dim, index)
        if op in ("scatter", "scatter_add"):
            return getattr(x, op)(dim, index, src)
        if op == "index_select":
            return x.index_select(dim, index)
        if op == "index_add_":
            return x.index_add_(dim, index, src)
        if op == "take":
            return x.take(index)
        return getattr(x, op)(d["mask"], fill)

    return Case(
        op,
        (op.rstrip("_"), "index", "mask", "dtype", "dim", "size", "shape", "range", "bounds"),
        build,
        call,
        dict(
            shape=shape,
            dim=dim,
            idx=(idx_shape, idx_dtype, low, high),
            mask=(mask_shape, mask_dtype),
            fill=fill,
            dts=(x_dtype, src_dtype),
        ),
    )


@FUZZ
@given(case=index_calls())
def test_index_ops(case):
    check(case)


# --------------------------------------------------------------------------- dtypes: integer and bool tensors where floats are needed


FLOAT_ONLY = [
    "mean",
    "std",
    "var",
    "softmax",
    "log_softmax",
    "requires_grad_",
    "requires_grad_kw",
    "exp",
    "sigmoid",
    "norm",
    "type_str",
    "float_of_many",
    "int_of_many",
    "item",
    "bool_of_many",
    "backward",
    "grad",
]
#: numpy's reductions and softmax of integer and bool tensors (see the docstring): drawn on floats only
NUMPY_LENIENT = {"mean", "std", "var", "norm", "softmax", "log_softmax"}
#: an integer or bool tensor made floating takes the library's default dtype, float64 (README), torch's float32
DEFAULT_FLOAT = {"exp", "sigmoid"}


@st.composite
def dtype_calls(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple))
    dtype = draw(st.sampled_from(["int64", "int32", "bool", "float32", "float64"]))
    op = draw(st.sampled_from(FLOAT_ONLY))
    if op in NUMPY_LENIENT | DEFAULT_FLOAT:
        dtype = draw(st.sampled_from(["float32", "float64"]))
    name = draw(
        st.sampled_from(["float32", "float", "int64", "torch.float32", "float128", "f4", "double", "complex64"])
    )
    seed = draw(seeds)

    def build(s):
        return {"x": s.t(values(np.random.default_rng(seed), shape, dtype))}

    def call(s, d):
        x = d["x"]
        if op in ("std", "var"):  # x.std() is numpy's ddof=0 (README); torch's correction spelled out
            return getattr(x, op)(correction=1)
        if op in ("mean", "norm"):
            return getattr(x, op)()
        if op in ("softmax", "log_softmax"):
            return getattr(x, op)(dim=-1 if shape else 0)
        if op == "requires_grad_":
            return x.requires_grad_()
        if op == "requires_grad_kw":
            return s.lib.tensor(_array(x), requires_grad=True)
        if op == "to_str":
            return x.to(name)
        if op == "to_kw_str":
            return x.to(dtype=name)
        if op == "type_str":
            return x.type(name if name.startswith("torch.") else "torch." + name)
        if op == "float_of_many":
            return float(x)
        if op == "int_of_many":
            return int(x)
        if op == "bool_of_many":
            return bool(x)
        if op == "item":
            return x.item()
        if op == "backward":  # a tensor that requires no grad (an integer one cannot)
            return x.sum().backward()
        if op == "grad":
            return s.lib.autograd.grad(x.sum(), [x])
        return getattr(x, op)()

    return Case(
        op,
        (
            op.split("_")[0],
            "dtype",
            "floating",
            "float",
            "element",
            "grad",
            "type",
            "ambiguous",
            "scalar",
            "device",
            name,
        ),
        build,
        call,
        dict(shape=shape, dtype=dtype, name=name),
    )


@FUZZ
@given(case=dtype_calls())
def test_integer_and_bool_tensors_and_dtype_names(case):
    check(case)


# --------------------------------------------------------------------------- backward


BACKWARDS = [
    "non_scalar",
    "twice",
    "twice_retained",
    "no_grad_needed",
    "seed_shape",
    "seed_dtype",
    "grad_unused",
    "grad_non_scalar",
    "grad_unrelated_allowed",
    "backward_of_detached",
]


@st.composite
def backward_calls(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple))
    kind = draw(st.sampled_from(BACKWARDS))
    op = draw(st.sampled_from(["mul", "exp", "add", "sum", "square", "tanh"]))
    grad = draw(st.booleans()) or kind not in ("no_grad_needed",)
    seed_shape = draw(st.sampled_from([shape, (), (4,), shape + (1,)]))
    seed_dtype = draw(st.sampled_from(["float64", "float32", "int64"]))
    seed = draw(seeds)

    def forward(x, y):
        if op == "mul":
            return x * y
        if op == "exp":
            return x.exp()
        if op == "add":
            return x + y
        if op == "square":
            return x * x
        if op == "tanh":
            return x.tanh()
        return (x * y).sum()

    def build(s):
        rng = np.random.default_rng(seed)
        return {"x": s.t(values(rng, shape), grad=grad), "y": s.t(values(rng, shape), grad=True)}

    def prepare(s, d):
        d["out"] = forward(d["x"], d["y"])
        if kind in ("twice", "twice_retained"):
            d["out"].sum().backward(retain_graph=kind == "twice_retained")

    def call(s, d):
        x, y, out = d["x"], d["y"], d["out"]
        if kind == "non_scalar":
            out.backward()
        elif kind in ("twice", "twice_retained"):
            out.sum().backward()
        elif kind == "no_grad_needed":
            out.detach().sum().backward()
        elif kind == "seed_shape":
            out.backward(s.t(np.ones(seed_shape, dtype=seed_dtype)))
        elif kind == "seed_dtype":
            out.backward(s.t(np.ones(out.shape, dtype=seed_dtype)))
        elif kind == "grad_unused":
            return s.lib.autograd.grad(out.sum(), [x, s.t(np.ones(2), grad=True)])
        elif kind == "grad_non_scalar":
            return s.lib.autograd.grad(out, [x])
        elif kind == "grad_unrelated_allowed":
            return s.lib.autograd.grad(out.sum(), [x, s.t(np.ones(2), grad=True)], allow_unused=True)
        else:
            out.detach().backward()
        return x.grad, y.grad

    return Case(
        kind,
        (
            "backward",
            "grad",
            "scalar",
            "graph",
            "shape",
            "dtype",
            "differentiated",
            "requires_grad",
            "mismatch",
            "size",
        ),
        build,
        call,
        dict(shape=shape, op=op, grad=grad, seed=(seed_shape, seed_dtype)),
        prepare=prepare,
    )


@FUZZ
@given(case=backward_calls())
def test_backward(case):
    check(case)


# --------------------------------------------------------------------------- expand and in-place changes


IN_PLACE = [
    "add_",
    "mul_",
    "sub_",
    "div_",
    "copy_",
    "clamp_",
    "exp_",
    "fill_",
    "zero_",
    "iadd",
    "imul",
    "setitem",
    "masked_fill_",
    "expand",
    "expand_as",
    "view_after_transpose",
    "abs_",
    "neg_",
]


@st.composite
def in_place_calls(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple))
    op = draw(st.sampled_from(IN_PLACE))
    x_dtype = draw(st.sampled_from(["float64", "float32", "int64", "int32", "bool"]))
    other_dtype = draw(st.sampled_from(["float64", "float32", "int64", "bool", "number"]))
    other_shape = draw(st.sampled_from([shape, (), (1,) + shape, shape[1:], (4,), shape[:-1] + (1,) if shape else ()]))
    where = draw(st.sampled_from(["leaf", "leaf", "non_leaf", "constant", "no_grad_leaf"]))
    if x_dtype not in ("float64", "float32"):
        where = "constant"
    other_grad = draw(st.booleans()) and other_dtype.startswith("float")
    # torch's expand of a 0-d tensor to sizes with a 0 keeps a -1 in the shape (torch.Size([0, 2, -1])): not drawn
    expand_to = tuple(draw(st.lists(st.integers(-1 if shape else 0, 4), min_size=0, max_size=3)))
    seed = draw(seeds)

    def build(s):
        rng = np.random.default_rng(seed)
        x = s.t(values(rng, shape, x_dtype), grad=where in ("leaf", "non_leaf", "no_grad_leaf"))
        other = 2.5 if other_dtype == "number" else s.t(values(rng, other_shape, other_dtype), grad=other_grad)
        return {"x": x, "other": other} if other_dtype != "number" else {"x": x}

    def call(s, d):
        x = d["x"]
        other = d.get("other", 2.5)
        if where == "non_leaf":
            x = x * 1
        if where == "no_grad_leaf":
            with s.lib.no_grad():
                return _in_place(s, x, other)
        return _in_place(s, x, other)

    def _in_place(s, x, other):
        if op in ("add_", "mul_", "sub_", "div_", "copy_"):
            return getattr(x, op)(other)
        if op == "clamp_":
            return x.clamp_(min=other)
        if op == "fill_":
            return x.fill_(other)
        if op in ("exp_", "zero_", "abs_", "neg_"):
            return getattr(x, op)()
        if op == "iadd":
            x += other
            return x
        if op == "imul":
            x *= other
            return x
        if op == "setitem":
            x[...] = other
            return x
        if op == "masked_fill_":
            return x.masked_fill_(x != 0, other)
        if op == "expand":
            return x.expand(*expand_to)
        if op == "expand_as":
            return x.expand_as(other if isinstance(other, (A.Tensor, torch.Tensor)) else x)
        return x.transpose(0, -1).view(-1)

    words = (
        op.rstrip("_"),
        "in-place",
        "inplace",
        "leaf",
        "grad",
        "dtype",
        "cast",
        "shape",
        "size",
        "expand",
        "view",
        "broadcast",
        "stride",
        "contiguous",
        "fill",
        "number",
        "element",
    )
    label = {"iadd": "+=", "imul": "*="}.get(op, op)  # the name the library's messages give
    return Case(
        label,
        words,
        build,
        call,
        dict(shape=shape, dts=(x_dtype, other_dtype), other=other_shape, where=where, expand_to=expand_to),
    )


@FUZZ
@given(case=in_place_calls())
def test_in_place_and_expand(case):
    check(case)


# --------------------------------------------------------------------------- nn modules given inputs they cannot use

MODULES = [
    "Linear",
    "Conv1d",
    "Conv2d",
    "MaxPool2d",
    "AvgPool1d",
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "GroupNorm",
    "RNN",
    "LSTM",
    "GRU",
    "Embedding",
]


def _same_weights(module: Any, theirs: Any) -> None:
    """Copy torch's module's parameters and buffers into the library's ``module``."""
    module.load_state_dict({k: A.tensor(v.numpy().copy()) for k, v in theirs.state_dict().items()})


@st.composite
def module_calls(draw):
    kind = draw(st.sampled_from(MODULES))
    c = draw(st.integers(1, 3))
    given_c = draw(st.sampled_from([c, c, c + 1, max(c - 1, 1)]))
    nd = draw(st.integers(0, 5))
    lengths = tuple(draw(st.integers(1, 4)) for _ in range(nd))  # empty inputs: see the docstring
    dtype = draw(st.sampled_from(["float32", "float32", "float32", "float64", "int64"]))
    hidden = draw(st.booleans())
    if "Norm" in kind or (kind in ("RNN", "LSTM", "GRU") and hidden):  # torch's order of checks: see the docstring
        dtype = "float32"
    if kind == "AvgPool1d" and dtype == "int64":  # torch's integer average: see the docstring
        dtype = "float64"
    seed = draw(seeds)
    rng = np.random.default_rng(seed)
    # the input: its channels (or features) where the module reads them, the other lengths drawn
    if kind in ("Linear", "LayerNorm", "RNN", "LSTM", "GRU"):
        shape = lengths[:-1] + (given_c,) if lengths else (given_c,) if draw(st.booleans()) else ()
    elif kind == "Embedding":
        shape = lengths
    else:
        shape = lengths[:1] + (given_c,) + lengths[2:] if len(lengths) >= 2 else lengths
    h_shape = draw(st.sampled_from([(1, 2, 4), (1, 4), (2, 2, 4), (1, 2, 3)]))
    x = values(rng, shape, dtype) if kind != "Embedding" else rng.integers(-1, c + 2, shape).astype(dtype)

    def make(s):
        n = s.nn
        return {
            "Linear": lambda: n.Linear(c, 2),
            "Conv1d": lambda: n.Conv1d(c, 2, 2),
            "Conv2d": lambda: n.Conv2d(c, 2, 2),
            "MaxPool2d": lambda: n.MaxPool2d(2),
            "AvgPool1d": lambda: n.AvgPool1d(2),
            "BatchNorm1d": lambda: n.BatchNorm1d(c),
            "BatchNorm2d": lambda: n.BatchNorm2d(c),
            "LayerNorm": lambda: n.LayerNorm(c),
            "GroupNorm": lambda: n.GroupNorm(1, c),
            "RNN": lambda: n.RNN(c, 4),
            "LSTM": lambda: n.LSTM(c, 4),
            "GRU": lambda: n.GRU(c, 4),
            "Embedding": lambda: n.Embedding(c + 1, 2),
        }[kind]()

    def build(s):
        module = make(s)
        if not s.is_torch:
            _same_weights(module, _TORCH_MODULES[seed])
        else:
            _TORCH_MODULES[seed] = module
        return {"module": module, "x": s.t(x)}

    def call(s, d):
        module, x_ = d["module"], d["x"]
        if kind in ("RNN", "GRU") and hidden:
            return module(x_, s.t(np.zeros(h_shape, dtype="float32")))
        if kind == "LSTM" and hidden:
            h = s.t(np.zeros(h_shape, dtype="float32"))
            return module(x_, (h, h))
        return module(x_)

    words = (
        kind,
        kind.lower(),
        "input",
        "shape",
        "size",
        "channels",
        "dim",
        "expected",
        "dtype",
        "hidden",
        "index",
        "range",
        "features",
        "batch",
    )
    return Case(kind, words, build, call, dict(c=c, shape=shape, dtype=dtype, hidden=hidden and h_shape))


_TORCH_MODULES: dict = {}


@FUZZ
@given(case=module_calls())
def test_modules_given_inputs_they_cannot_use(case):
    check(case)


# --------------------------------------------------------------------------- load_state_dict


@st.composite
def state_dict_loads(draw):
    kind = draw(st.sampled_from(["Linear", "Sequential", "BatchNorm1d"]))
    strict = draw(st.booleans())
    change = draw(st.sampled_from(["none", "missing", "unexpected", "shape", "missing_and_shape", "dtype", "both"]))
    seed = draw(seeds)

    def make(s):
        n = s.nn
        if kind == "Linear":
            return n.Linear(3, 2)
        if kind == "BatchNorm1d":
            return n.BatchNorm1d(3)
        return n.Sequential(n.Linear(3, 2), n.ReLU(), n.Linear(2, 1))

    def build(s):
        module = make(s)
        rng = np.random.default_rng(seed)
        if s.is_torch:
            _TORCH_MODULES[seed] = module
        else:
            _same_weights(module, _TORCH_MODULES[seed])
        state = {k: _array(v) for k, v in module.state_dict().items()}
        keys = sorted(k for k in state if not k.endswith("num_batches_tracked"))
        new = {k: values(rng, v.shape, str(v.dtype)) if v.dtype.kind == "f" else v for k, v in state.items()}
        if change in ("missing", "missing_and_shape", "both"):
            new.pop(keys[draw_index % len(keys)])
        if change in ("unexpected", "both"):
            new["extra.weight"] = np.ones(2, np.float32)
        if change in ("shape", "missing_and_shape"):
            k = keys[(draw_index + 1) % len(keys)]
            if k in new:
                new[k] = np.ones(new[k].shape + (1,), new[k].dtype)
        if change == "dtype":
            k = keys[draw_index % len(keys)]
            new[k] = new[k].astype(np.float64)
        return {"module": module, "state": {k: s.t(v) for k, v in new.items()}}

    draw_index = draw(st.integers(0, 10))

    def call(s, d):
        result = d["module"].load_state_dict(d["state"], strict=strict)
        return sorted(result.missing_keys), sorted(result.unexpected_keys), d["module"].state_dict()

    return Case(
        "load_state_dict",
        ("load_state_dict", "missing", "unexpected", "size mismatch", "shape"),
        build,
        call,
        dict(kind=kind, strict=strict, change=change, index=draw_index),
    )


@FUZZ
@given(case=state_dict_loads())
def test_load_state_dict(case):
    check(case)
