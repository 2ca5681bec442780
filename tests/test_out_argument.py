"""torch's ``out=`` on the module-level functions (``autograd.matmul(a, b, out=c)``), compared with torch's."""

from __future__ import annotations

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
