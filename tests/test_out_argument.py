"""torch's ``out=`` on the module-level functions (``autograd.matmul(a, b, out=c)``), compared with torch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd.tensor_in_place import InPlaceCastError

torch = pytest.importorskip("torch")


def _pair() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)


def test_tutorial_matmul_mul_add_write_into_out_like_torch() -> None:
    a, b = _pair()
    for name, args in [("matmul", (a, b)), ("mul", (a, a)), ("add", (a, 2.5)), ("sin", (a,))]:
        torch_args = [torch.tensor(x) if isinstance(x, np.ndarray) else x for x in args]
        theirs_out = torch.zeros(getattr(torch, name)(*torch_args).shape)
        ours_out = autograd.zeros(*theirs_out.shape, dtype=np.float32)
        ours = getattr(autograd, name)(
            *[autograd.tensor(x) if isinstance(x, np.ndarray) else x for x in args], out=ours_out
        )
        theirs = getattr(torch, name)(*torch_args, out=theirs_out)
        assert ours is ours_out and theirs is theirs_out
        np.testing.assert_allclose(ours_out.data, theirs_out.numpy(), rtol=1e-6, err_msg=name)


def test_out_takes_the_out_dtype_and_refuses_a_float_result_in_an_integer_tensor() -> None:
    a, _ = _pair()
    out64 = autograd.zeros(3, 4, dtype=np.float64)
    autograd.mul(autograd.tensor(a), 2.0, out=out64)
    assert out64.dtype == np.float64
    np.testing.assert_allclose(out64.data, torch.mul(torch.tensor(a), 2.0, out=torch.zeros(3, 4, dtype=torch.float64)))
    with pytest.raises(RuntimeError):
        torch.mul(torch.tensor(a), 2.0, out=torch.zeros(3, 4, dtype=torch.long))
    with pytest.raises(InPlaceCastError):
        autograd.mul(autograd.tensor(a), 2.0, out=autograd.zeros(3, 4, dtype=np.int64))


def test_out_of_another_shape_is_resized_as_torch() -> None:
    a, b = _pair()
    empty = autograd.empty(0, dtype=np.float32)
    autograd.matmul(autograd.tensor(a), autograd.tensor(b), out=empty)
    assert empty.shape == (3, 2)
    with pytest.warns(UserWarning, match="resized"):
        autograd.matmul(autograd.tensor(a), autograd.tensor(b), out=autograd.zeros(5, dtype=np.float32))


def test_out_refuses_a_result_that_requires_grad_while_recording_as_torch() -> None:
    a, _ = _pair()
    w = autograd.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        autograd.mul(w, 2.0, out=autograd.zeros(3, 4, dtype=np.float32))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.mul(torch.tensor(a, requires_grad=True), 2.0, out=torch.zeros(3, 4))
    with autograd.no_grad():
        out = autograd.zeros(3, 4, dtype=np.float32)
        autograd.mul(w, 2.0, out=out)
    assert not out.requires_grad
    np.testing.assert_allclose(out.data, 2.0 * a)


def test_cat_stack_tril_triu_write_into_out_like_torch() -> None:
    a, _ = _pair()
    ours_x, theirs_x = autograd.tensor(a), torch.tensor(a)
    for name, ours_args, theirs_args in [
        ("cat", ([ours_x, ours_x],), ([theirs_x, theirs_x],)),
        ("stack", ([ours_x, ours_x],), ([theirs_x, theirs_x],)),
        ("tril", (ours_x,), (theirs_x,)),
        ("triu", (ours_x,), (theirs_x,)),
    ]:
        ours_out, theirs_out = autograd.empty(0, dtype=np.float32), torch.empty(0)
        assert getattr(autograd, name)(*ours_args, out=ours_out) is ours_out
        getattr(torch, name)(*theirs_args, out=theirs_out)
        assert ours_out.shape == tuple(theirs_out.shape), name
        np.testing.assert_array_equal(ours_out.data, theirs_out.numpy(), err_msg=name)
        with pytest.warns(UserWarning, match="resized"):
            getattr(autograd, name)(*ours_args, out=autograd.zeros(5, dtype=np.float32))
        w = autograd.tensor(a, requires_grad=True)
        grad_args = ([w, ours_x],) if name in ("cat", "stack") else (w,)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            getattr(autograd, name)(*grad_args, out=autograd.empty(0, dtype=np.float32))
        with autograd.no_grad():
            getattr(autograd, name)(*grad_args, out=autograd.empty(0, dtype=np.float32))


@pytest.mark.parametrize("name", ["hstack", "vstack", "dstack", "column_stack", "row_stack"])
@pytest.mark.parametrize("shape", [(4,), (3, 4)])
def test_hstack_vstack_dstack_column_stack_row_stack_write_into_out_like_torch(name, shape) -> None:
    a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    ours_x, theirs_x = autograd.tensor(a), torch.tensor(a)
    ours_out, theirs_out = autograd.empty(0, dtype=np.float64), torch.empty(0, dtype=torch.float64)
    assert getattr(autograd, name)([ours_x, ours_x * 2], out=ours_out) is ours_out
    getattr(torch, name)([theirs_x, theirs_x * 2], out=theirs_out)
    assert ours_out.shape == tuple(theirs_out.shape) and ours_out.dtype == np.float64
    np.testing.assert_array_equal(ours_out.data, theirs_out.numpy())
    w = autograd.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        getattr(autograd, name)([w, ours_x], out=autograd.empty(0, dtype=np.float32))
    with pytest.raises(TypeError):
        getattr(autograd, name)(tensors=[ours_x], out=autograd.empty(0, dtype=np.int64))


def test_cat_casts_into_out_but_tril_needs_out_of_the_result_dtype_as_torch() -> None:
    a, _ = _pair()
    out64 = autograd.empty(0, dtype=np.float64)
    autograd.cat([autograd.tensor(a)], out=out64)
    assert out64.dtype == np.float64
    torch.cat([torch.tensor(a)], out=torch.empty(0, dtype=torch.float64))
    with pytest.raises(TypeError):
        torch.cat([torch.tensor(a)], out=torch.empty(0, dtype=torch.long))
    with pytest.raises(TypeError):
        autograd.cat([autograd.tensor(a)], out=autograd.empty(0, dtype=np.int64))
    with pytest.raises(RuntimeError, match="dtype"):
        torch.tril(torch.tensor(a), out=torch.empty(0, dtype=torch.float64))
    kept = autograd.zeros(2, dtype=np.float64)
    with pytest.raises(RuntimeError, match="dtype"):
        autograd.tril(autograd.tensor(a), out=kept)
    assert kept.shape == (2,)


@pytest.mark.parametrize(
    "name",
    ["abs", "absolute", "ceil", "floor", "trunc", "fix", "frac", "neg", "negative", "round", "sign", "sgn",
     "nan_to_num", "signbit"],
)  # fmt: skip
@pytest.mark.parametrize("out_dtype", [np.float16, np.float64, np.int64])
def test_rounding_and_sign_functions_take_out_only_in_the_result_dtype_as_torch(name, out_dtype) -> None:
    x = np.array([1.5, -2.25, 3.0], dtype=np.float32)
    with pytest.raises(RuntimeError):  # torch: "Found dtype Half but expected Float"
        getattr(torch, name)(torch.tensor(x), out=torch.empty(3, dtype=getattr(torch, np.dtype(out_dtype).name)))
    out = autograd.Tensor(np.full(3, 7, dtype=out_dtype))
    with pytest.raises(RuntimeError, match=name):
        getattr(autograd, name)(autograd.Tensor(x), out=out)
    np.testing.assert_array_equal(out.data, np.full(3, 7))  # untouched
    result_dtype = np.bool_ if name == "signbit" else np.float32
    same = autograd.Tensor(np.zeros(3, dtype=result_dtype))
    getattr(autograd, name)(autograd.Tensor(x), out=same)
    expected = getattr(torch, name)(torch.tensor(x))
    np.testing.assert_array_equal(same.data, expected.numpy())


def test_a_resized_out_takes_one_version_bump_as_torch() -> None:
    # torch counts the resize of ``out`` and the write into it as one in-place change (version 1); the library
    # bumped the version for each (2). An out that requires grad is resized and written inside no_grad, as torch's.
    x = np.array([1.0, 2.0, 3.0])
    for shape in [(0,), (2,), (3,)]:
        ours_out, theirs_out = autograd.zeros(*shape, dtype=np.float64), torch.zeros(shape, dtype=torch.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the resize of a non-empty out warns in both
            autograd.exp(autograd.tensor(x), out=ours_out)
            torch.exp(torch.tensor(x), out=theirs_out)
        np.testing.assert_allclose(ours_out.data, theirs_out.numpy())
        assert ours_out._version == theirs_out._version == 1
    ours_out, theirs_out = autograd.zeros(0, requires_grad=True), torch.zeros(0, requires_grad=True)
    with autograd.no_grad(), torch.no_grad():
        autograd.exp(autograd.ones(3), out=ours_out)
        torch.exp(torch.ones(3), out=theirs_out)
    np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=1e-6)
    assert (ours_out._version, ours_out.requires_grad) == (theirs_out._version, theirs_out.requires_grad) == (1, True)


class _Lib:
    """``t(values, dtype=float32)``: a tensor of torch (``module`` torch) or of this library."""

    def __init__(self, module):
        self.module = module

    def t(self, values, dtype=np.float32):
        return self.module.tensor(np.array(values, dtype=dtype))


#: out= torch refuses (its OpInfo error inputs): an expanded out (one memory location for several entries), an out
#: that shares memory with an input, an out of another dtype where the op takes only its own, one Tensor to cat.
OUT_REFUSALS = [
    pytest.param(
        lambda m, lib: m.index_select(
            lib.t(np.ones((3, 6))), 1, lib.t([0, 1], np.int64), out=lib.t([[0.0] * 6]).expand(2, 6)
        ),
        id="index_select-expanded-out",
    ),
    pytest.param(
        lambda m, lib: m.masked_select(x := lib.t(np.arange(6.0)), x > 2, out=x), id="masked_select-out-is-input"
    ),
    pytest.param(
        lambda m, lib: m.take(x := lib.t(np.arange(6.0)), lib.t([1], np.int64), out=x), id="take-out-is-input"
    ),
    pytest.param(
        lambda m, lib: m.gather(x := lib.t(np.arange(6.0)), 0, lib.t([2, 1, 0], np.int64), out=x),
        id="gather-out-is-input",
    ),
    pytest.param(
        lambda m, lib: m.gather(
            lib.t(np.ones((2, 2))), 1, lib.t([[0, 0], [1, 0]], np.int64), out=lib.t(np.ones((2, 2)), np.float64)
        ),
        id="gather-out-dtype",
    ),
    pytest.param(
        lambda m, lib: m.masked_select(
            lib.t(np.ones(3)), lib.t([True, False, True], bool), out=lib.t([0.0], np.float64)
        ),
        id="masked_select-out-dtype",
    ),
    pytest.param(
        lambda m, lib: m.cat((lib.t(np.ones((4, 6))), y := lib.t(np.ones((4, 6)))), out=y), id="cat-out-is-input"
    ),
    pytest.param(
        lambda m, lib: m.kthvalue(x := lib.t(np.arange(10.0)), 3, out=(x, lib.t(0, np.int64))),
        id="kthvalue-out-is-input",
    ),
    pytest.param(
        lambda m, lib: m.multinomial(lib.t([[1.0, 2.0]], np.float64), 2, out=lib.t([[0.0, 0.0]], np.float64)),
        id="multinomial-out-dtype",
    ),
    pytest.param(lambda m, lib: m.cat(lib.t(np.ones((2, 3))), out=lib.t(np.ones((2, 3)))), id="cat-of-one-tensor"),
    pytest.param(lambda m, lib: m.narrow(lib.t(np.ones((4, 5))), 0, m.tensor(True), 2), id="narrow-bool-start"),
]


@pytest.mark.parametrize("make", OUT_REFUSALS)
def test_out_and_arguments_torch_refuses_are_refused_with_its_class(make) -> None:
    with pytest.raises(Exception) as theirs:
        make(torch, _Lib(torch))
    expected = next(cls for cls in type(theirs.value).__mro__ if cls.__module__ == "builtins")
    with pytest.raises(expected):
        make(autograd, _Lib(autograd))


def test_kthvalue_and_aminmax_write_into_a_tuple_out_as_torch() -> None:
    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]], dtype=np.float32)
    theirs = (torch.empty(0), torch.empty(0, dtype=torch.int64))
    ours = (autograd.zeros(0, dtype=np.float32), autograd.zeros(0, dtype=np.int64))
    result = autograd.kthvalue(autograd.tensor(x), 2, 1, out=ours)
    torch.kthvalue(torch.tensor(x), 2, 1, out=theirs)
    assert result[0] is ours[0] and result[1] is ours[1]
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, reference.numpy())
    theirs = (torch.empty(2), torch.empty(2))
    ours = (autograd.zeros(2, dtype=np.float32), autograd.zeros(2, dtype=np.float32))
    autograd.aminmax(autograd.tensor(x), dim=1, out=ours)
    torch.aminmax(torch.tensor(x), dim=1, out=theirs)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, reference.numpy())


_X = np.array([[3.0, 1.0, 2.0], [0.5, 9.0, -1.0]], dtype=np.float32)
_INDEX = np.array([[1, 0, 1]])
_SOURCE = np.array([[10.0, 20.0, 30.0]], dtype=np.float32)


@pytest.mark.parametrize(
    "name, call",
    [
        ("sort", lambda lib, x, out: lib.sort(x, 1, out=out)),
        ("sort descending", lambda lib, x, out: lib.sort(x, dim=0, descending=True, out=out)),
        ("topk", lambda lib, x, out: lib.topk(x, 2, out=out)),
        ("cummax", lambda lib, x, out: lib.cummax(x, 1, out=out)),
        ("cummin", lambda lib, x, out: lib.cummin(x, dim=0, out=out)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_sort_topk_cummax_cummin_write_into_a_tuple_out_as_torch(name, call) -> None:
    ours = (autograd.zeros(0, dtype=np.float32), autograd.zeros(0, dtype=np.int64))
    theirs = (torch.empty(0), torch.empty(0, dtype=torch.int64))
    result = call(autograd, autograd.tensor(_X), ours)
    call(torch, torch.tensor(_X), theirs)
    assert result[0] is ours[0] and result[1] is ours[1]
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, reference.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x, out: lib.searchsorted(lib.tensor(np.array([0.0, 1.0, 3.0])), x, out=out),
        lambda lib, x, out: lib.bucketize(x, lib.tensor(np.array([0.0, 1.0, 3.0])), right=True, out=out),
    ],
    ids=["searchsorted", "bucketize"],
)
def test_searchsorted_and_bucketize_write_into_out_as_torch(call) -> None:
    values = np.array([0.5, 1.0, 4.0, -2.0])
    ours, theirs = autograd.zeros(4, dtype=np.int64), torch.zeros(4, dtype=torch.int64)
    assert call(autograd, autograd.tensor(values), ours) is ours
    call(torch, torch.tensor(values), theirs)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("name", ["scatter", "scatter_add"])
def test_scatter_and_scatter_add_write_into_out_of_the_input_dtype_as_torch(name) -> None:
    ours, theirs = autograd.zeros(2, 3, dtype=np.float32), torch.zeros(2, 3)
    result = getattr(autograd, name)(
        autograd.tensor(_X), 0, autograd.tensor(_INDEX), autograd.tensor(_SOURCE), out=ours
    )
    getattr(torch, name)(torch.tensor(_X), 0, torch.tensor(_INDEX), torch.tensor(_SOURCE), out=theirs)
    assert result is ours
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    with pytest.raises(RuntimeError, match="dtype"):
        getattr(autograd, name)(
            autograd.tensor(_X), 0, autograd.tensor(_INDEX), autograd.tensor(_SOURCE),
            out=autograd.zeros(2, 3, dtype=np.float64),
        )  # fmt: skip


_OUT_CALLS = {
    "max pair": lambda lib, x, out: lib.max(x, 1, keepdim=True, out=out),
    "min pair": lambda lib, x, out: lib.min(x, 0, out=out),
    "max of all": lambda lib, x, out: lib.max(x, out=out),
    "maximum": lambda lib, x, out: lib.max(x, x * 2, out=out),
    "argmax": lambda lib, x, out: lib.argmax(x, 1, True, out=out),
    "argmin": lambda lib, x, out: lib.argmin(x, out=out),
    "diff": lambda lib, x, out: lib.diff(x, 2, 0, out=out),
    "all": lambda lib, x, out: lib.all(x > 0, 1, out=out),
    "any": lambda lib, x, out: lib.any(x > 0, out=out),
}

#: each call's out dtypes, as torch takes them: (a dtype torch writes into, a dtype torch refuses)
_OUT_DTYPES = {
    "max pair": ((np.float64, np.int64), (np.float32, np.int64)),
    "min pair": ((np.float64, np.int64), (np.float64, np.int32)),
    "max of all": (np.float32, np.int64),
    "maximum": (np.float32, np.int64),
    "argmax": (np.int64, np.int32),
    "argmin": (np.int64, np.float64),
    "diff": (np.float32, np.int64),
    "all": (np.uint8, np.int64),
    "any": (np.bool_, np.float32),
}


def _empty_like_torch(dtypes) -> tuple:
    if isinstance(dtypes, tuple):
        return tuple(zip(*(_empty_like_torch(dtype) for dtype in dtypes)))
    return autograd.empty(0, dtype=dtypes), torch.empty(0, dtype=torch.from_numpy(np.empty(0, dtype=dtypes)).dtype)


@pytest.mark.parametrize("name", _OUT_CALLS)
def test_max_min_argmax_argmin_diff_all_any_write_into_out_of_the_dtypes_torch_takes(name) -> None:
    x = np.array([[3.0, -1.0, 2.0, 0.5], [0.5, 4.0, -1.0, 2.0], [1.0, 1.0, 7.0, -3.0]])
    takes, refuses = _OUT_DTYPES[name]
    ours, theirs = _empty_like_torch(takes)
    result = _OUT_CALLS[name](autograd, autograd.tensor(x), ours)
    _OUT_CALLS[name](torch, torch.tensor(x), theirs)
    assert result is ours or all(part is into for part, into in zip(result, ours))
    for mine, reference in zip(*((ours, theirs) if isinstance(ours, tuple) else ((ours,), (theirs,)))):
        assert mine.dtype == reference.numpy().dtype
        np.testing.assert_array_equal(mine.data, reference.numpy())
    ours, theirs = _empty_like_torch(refuses)
    with pytest.raises(RuntimeError):
        _OUT_CALLS[name](torch, torch.tensor(x), theirs)
    with pytest.raises(RuntimeError):
        _OUT_CALLS[name](autograd, autograd.tensor(x), ours)


@pytest.mark.parametrize(
    "name, call",
    [
        ("amax", lambda lib, x, out: lib.amax(x, 1, out=out)),
        ("median", lambda lib, x, out: lib.median(x, 1, out=(out, lib.empty(0, dtype=lib.int64)))),
        ("mode", lambda lib, x, out: lib.mode(x, 0, out=(out, lib.empty(0, dtype=lib.int64)))),
        ("quantile", lambda lib, x, out: lib.quantile(x, 0.25, 1, out=out)),
        ("norm", lambda lib, x, out: lib.norm(x, 3, 1, out=out)),
        ("msort", lambda lib, x, out: lib.msort(x, out=out)),
        ("histc", lambda lib, x, out: lib.histc(x, 4, out=out)),
        ("logcumsumexp", lambda lib, x, out: lib.logcumsumexp(x, 1, out=out)),
        ("take_along_dim", lambda lib, x, out: lib.take_along_dim(x, lib.tensor([[1], [0]]), 1, out=out)),
        ("index_add", lambda lib, x, out: lib.index_add(x, 0, lib.tensor([1, 1]), x, out=out)),
        ("scatter_reduce", lambda lib, x, out: lib.scatter_reduce(x, 0, lib.tensor([[1, 0, 1]]), x, "amax", out=out)),
        ("nonzero", lambda lib, x, out: lib.nonzero(x, out=out.long() if out.dtype == lib.float64 else out)),
        ("softmax", lambda lib, x, out: lib.softmax(x, 1, out=out)),
        ("log_softmax", lambda lib, x, out: lib.log_softmax(x, 0, out=out)),
        ("float_power", lambda lib, x, out: lib.float_power(x, 2, out=out)),
        ("heaviside", lambda lib, x, out: lib.heaviside(x, x * 0 + 0.5, out=out)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_reductions_and_index_ops_take_out_only_in_the_result_dtype_as_torch(name, call) -> None:
    ours, theirs = autograd.empty(0, dtype=np.float64), torch.empty(0, dtype=torch.float64)
    call(autograd, autograd.tensor(_X.astype(np.float64)), ours)
    call(torch, torch.tensor(_X.astype(np.float64)), theirs)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-14, atol=0)  # (softmax's last bit may differ)
    wrong = np.int32 if name == "nonzero" else np.float32
    with pytest.raises(RuntimeError):
        call(
            torch, torch.tensor(_X.astype(np.float64)), torch.empty(0, dtype=torch.from_numpy(np.empty(0, wrong)).dtype)
        )
    with pytest.raises(RuntimeError, match="dtype"):
        call(autograd, autograd.tensor(_X.astype(np.float64)), autograd.empty(0, dtype=wrong))
