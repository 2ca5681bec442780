"""Minimised failures of the reductions-across-dtypes fuzzer (tests/test_reduction_dtype_fuzz_torch.py), each
checked against torch 2.13."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd as A

torch = pytest.importorskip("torch")


def _same(ours, theirs) -> None:
    expected = theirs.numpy()
    assert np.asarray(ours.data).dtype == expected.dtype
    np.testing.assert_array_equal(ours.data, expected)


@pytest.mark.parametrize("dtype", ["uint8", "bool", "int8", "int64", "float32"])
@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
def test_all_and_any_of_uint8_are_uint8_as_torchs(dtype, name, dim) -> None:
    # torch's all/any keep uint8 (its old boolean dtype) for a uint8 input: we gave bool
    x = np.array([[1, 0, 3], [2, 2, 1]]).astype(dtype)
    kwargs = {} if dim is None else {"dim": dim}
    _same(getattr(A.tensor(x), name)(**kwargs), getattr(torch.tensor(x), name)(**kwargs))
    _same(getattr(A, name)(A.tensor(x), **kwargs), getattr(torch, name)(torch.tensor(x), **kwargs))


@pytest.mark.parametrize(
    ("name", "dtype", "out_dtype"),
    [
        ("cumsum", "int8", "int64"),
        ("cumsum", "float32", "float64"),
        ("cumprod", "int32", "int64"),
        ("cumprod", "float64", "float64"),
        ("logcumsumexp", "float32", "float32"),
    ],
)
def test_running_reductions_take_torchs_out(name, dtype, out_dtype) -> None:
    # torch.cumsum/cumprod/logcumsumexp(x, dim, out=) resize out and write the result into it: we refused out=
    x = np.array([[1, 2, 0], [3, -1, 2]]).astype(dtype)
    ours, theirs = A.empty(0, dtype=getattr(A, out_dtype)), torch.empty(0, dtype=getattr(torch, out_dtype))
    assert getattr(A, name)(A.tensor(x), 1, out=ours) is ours
    getattr(torch, name)(torch.tensor(x), 1, out=theirs)
    assert np.asarray(ours.data).dtype == theirs.numpy().dtype
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("weights_dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("minlength", [0, 3])
def test_weighted_bincount_of_no_values_is_int64_as_torchs(weights_dtype, minlength) -> None:
    # torch.bincount(empty, weights) gives int64 zeros whatever the weights' dtype: we gave the weights' float dtype
    x, w = np.zeros(0, np.int64), np.zeros(0, weights_dtype)
    ours = A.bincount(A.tensor(x), A.tensor(w), minlength=minlength)
    _same(ours, torch.bincount(torch.tensor(x), torch.tensor(w), minlength=minlength))


@pytest.mark.parametrize("p", [-1, -2, -0.5, -np.inf])
@pytest.mark.parametrize(("shape", "dim"), [((0,), None), ((2, 0), 1), ((2, 0), (0, 1))])
def test_negative_order_vector_norm_over_an_empty_axis_raises_as_torchs(p, shape, dim) -> None:
    # torch: "cannot compute the -1 norm on an empty tensor because the operation does not have an identity"; we
    # gave inf (the -inf norm already raised)
    with pytest.raises(RuntimeError):
        torch.linalg.vector_norm(torch.zeros(shape), ord=p, dim=dim)
    with pytest.raises(RuntimeError, match="norm"):
        A.linalg.vector_norm(A.zeros(shape), ord=p, dim=dim)
    with pytest.raises(RuntimeError, match="norm"):
        A.zeros(shape).norm(p=p, dim=dim)


@pytest.mark.parametrize("p", [-1, -2, -np.inf])
def test_negative_order_vector_norm_over_a_nonempty_axis_of_an_empty_tensor_is_torchs(p) -> None:
    # reducing the length-2 axis of a (2, 0) tensor: no norm to compute, an empty result in both
    ours, theirs = (
        A.linalg.vector_norm(A.zeros((2, 0)), ord=p, dim=0),
        torch.linalg.vector_norm(torch.zeros(2, 0), ord=p, dim=0),
    )
    _same(ours.astype(np.float32), theirs)


@pytest.mark.parametrize("p", [-1, -2, -0.5])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_negative_order_norm_of_a_zero_and_a_nan_is_nan_as_torchs(p, dtype) -> None:
    # sum |x|^p = inf + nan = nan, so the norm is nan in torch (and numpy): we gave 0, the norm of a zero entry
    x = np.array([[0.0, 0.0, np.nan], [0.0, 1.0, 2.0], [np.nan, 1.0, 2.0]], dtype=dtype)
    for dim in [None, 1]:
        _same(A.tensor(x).norm(p=p, dim=dim), torch.tensor(x).norm(p=p, dim=dim))
        _same(
            A.linalg.vector_norm(A.tensor(x), ord=p, dim=dim), torch.linalg.vector_norm(torch.tensor(x), ord=p, dim=dim)
        )


def test_singular_values_of_a_matrix_with_an_inf_entry_are_nan_as_torchs() -> None:
    # numpy's svd (LAPACK gesdd, with the factors) never returned on this matrix, so svdvals, svd, matrix_norm('nuc'),
    # pinv ... hung; torch gives nan. Run in a subprocess with a timeout, so that a hang fails the test.
    rows = [[-np.inf, -2.1957498165170115, 0.5], [-1.7792685559431023, 0.0, -0.0], [-1.3175474520837605, -2.0, 2.88]]
    code = (
        f"import json, numpy as np, autograd as A\na = A.tensor(np.array({rows!r}))\n".replace("inf", "np.inf")
        + "print(json.dumps(A.linalg.svdvals(a).data.tolist() + [float(A.linalg.matrix_norm(a, 'nuc').data)]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    a = torch.tensor(rows, dtype=torch.float64)
    expected = torch.linalg.svdvals(a).tolist() + [float(torch.linalg.matrix_norm(a, "nuc"))]
    np.testing.assert_array_equal(np.array(json.loads(done.stdout)), np.array(expected))


@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd_factors_of_a_matrix_with_an_inf_entry_are_nan_with_torchs_shapes(full_matrices) -> None:
    a = np.ones((2, 3, 2))
    a[1, 0, 0] = np.inf
    ours = A.linalg.svd(A.tensor(a), full_matrices=full_matrices)
    theirs = torch.linalg.svd(torch.tensor(a), full_matrices=full_matrices)
    for mine, reference in zip(ours, theirs):
        assert mine.shape == tuple(reference.shape)
    # nan for the matrix with inf only; the finite matrix (all ones, rank 1) has singular values sqrt(6) and 0, the
    # zero one exact to within eps * sqrt(6) (LAPACK builds differ: numpy 2.4's gives 2.2e-17, torch's 0.0)
    np.testing.assert_allclose(ours[1].data, theirs[1].numpy(), rtol=1e-12, atol=4 * np.finfo(float).eps)


def test_svd_of_a_matrix_with_a_nan_entry_raises_as_torchs() -> None:
    a = np.array([[np.nan, 0.0], [0.0, 1.0]])
    with pytest.raises(RuntimeError):
        torch.linalg.svdvals(torch.tensor(a))
    with pytest.raises(RuntimeError, match="svd"):
        A.linalg.svdvals(A.tensor(a))
