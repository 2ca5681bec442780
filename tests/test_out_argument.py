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
