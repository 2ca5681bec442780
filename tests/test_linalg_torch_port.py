"""Ported from PyTorch's test/test_linalg.py (CPU, float32 and float64): what its tests of det, slogdet, inv,
solve, cholesky, eigh, svd, qr, matrix_power, matrix_exp, pinv, matrix_rank, cond, the norms, lstsq,
solve_triangular, householder_product, tensorinv, tensorsolve, cross, kron, vander, multi_dot, the products (matmul,
mm, bmm, mv, dot, vdot, outer, addmm, addmv, baddbmm, addbmm, addr, chain_matmul, tensordot, einsum) check, on
batched, 0 x 0 and batch-of-0 inputs: values, shapes and dtypes, torch's error classes (with our messages naming the
function and the problem) for singular, non-square and mismatched inputs, out=, and float64 gradients, each compared
with torch (or with central differences where torch has no gradient).

Left out:

* complex dtypes, half/bfloat16, CUDA/MAGMA/cuSOLVER backends, the meta and sparse tests, TF32 and the
  "preferred linalg library" switches, and the tunable/cuBLASLt matmul tests: the library has none of them;
* linalg.eig, eigvals, lu_factor/lu/lu_solve and the ``_ex`` variants' info in full (tests/test_linalg_lu_torch.py
  and tests/test_linalg_lu.py cover the LU family; eig/eigvals give complex results);
* gradients of singular vectors at repeated singular values and of eigenvectors at repeated eigenvalues: torch
  documents them as undefined (its formula divides by s_i^2 - s_j^2), so only gauge-invariant functions of the
  values (sums of tied values, the nuclear norm) are compared there;
* torch.cond's gradient for 1, -1, inf, -inf and 'fro': torch 2.13's own backward fails there ("modified by an
  inplace operation"), so ours is checked against central differences instead;
* cholesky_solve and cholesky_inverse gradients in the unread triangle of the factor: torch's formula gives that
  triangle a nonzero gradient although the result does not depend on it (and, when that triangle holds values,
  uses them in the read triangle's gradient too); ours is the true derivative (zero there, which central differences
  confirm), so only the read triangle of a clean factor is compared with torch;
* numpy readings kept on purpose: ``dot``/``outer`` of n-d arrays (numpy's dot and flattening outer, where torch
  refuses), ``trace`` of a stacked matrix (numpy's trace over the first two axes), a two-array ``multi_dot`` with a
  3-d array (numpy's dot), and ``vector_norm(x, 'fro')`` being a ValueError/RuntimeError rather than torch's
  TypeError;
* numpy's type promotion, kept on purpose: the products and solvers take operands of mixed float32/float64 dtypes
  (torch's "expected m1 and m2 to have the same dtype") and the decompositions, norms and det take integer matrices
  (torch's "Expected a floating point or complex tensor"), computing in the promoted floating dtype;
* ``linalg.lstsq`` with a driver named gives numpy's rank (an int) and singular values (an ndarray), as
  tests/test_least_squares.py pins, where torch gives Tensors; only its solution and residuals are compared here;
* out= of ``multi_dot``, ``chain_matmul`` and ``lstsq``, which ours still refuses with a TypeError;
* torch's exact message texts (ours name the function and the problem in their own words).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd
import autograd.linalg as la
from autograd import Tensor

torch = pytest.importorskip("torch")
TL = torch.linalg
INF = math.inf


def _random(shape, dtype=np.float64, seed=0, spd=False):
    data = np.random.default_rng(seed).standard_normal(shape)
    if spd:
        data = data @ np.swapaxes(data, -1, -2) + shape[-1] * np.eye(shape[-1])
    return data.astype(dtype)


def _flat(result):
    if isinstance(result, (tuple, list)):
        return [item for part in result for item in _flat(part)]
    return [result]


def _numpy(value):
    if isinstance(value, int):  # a shape's entry
        return np.asarray(value)
    return value.detach().numpy() if isinstance(value, torch.Tensor) else np.asarray(value.numpy())


def _compare(ours, theirs, *arrays, grad=True, tol=None, seed=1):
    """Runs ``ours`` on Tensors and ``theirs`` on torch tensors of ``arrays``; checks every output's shape, dtype and
    values, then (float64, ``grad``) the gradients of a random weighting of the floating outputs."""
    mine = [Tensor(a.copy(), requires_grad=grad) for a in arrays]
    reference = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]
    got, expected = _flat(ours(*mine)), _flat(theirs(*reference))
    assert len(got) == len(expected)
    dtype = arrays[0].dtype
    tol = tol if tol is not None else (2e-4 if dtype == np.float32 else 1e-7)
    for value, target in zip(got, expected):
        value, target = _numpy(value), _numpy(target)
        assert value.shape == target.shape
        assert value.dtype == target.dtype
        np.testing.assert_allclose(value, target, rtol=tol, atol=tol)
    if not grad:
        return
    rng = np.random.default_rng(seed)
    pairs = [(g, e) for g, e in zip(got, expected) if e.dtype.is_floating_point and e.requires_grad]

    if not pairs:  # torch's result is a constant here (cond of 0 x 0 matrices, say)
        return
    weights = [rng.standard_normal(tuple(e.shape)) for _, e in pairs]
    torch_grads = torch.autograd.grad(
        sum((e * torch.tensor(w)).sum() for (_, e), w in zip(pairs, weights)), reference, allow_unused=True
    )
    total = None
    for (g, _), w in zip(pairs, weights):
        term = (g * Tensor(w)).sum()
        total = term if total is None else total + term
    total.backward()
    for tensor, target in zip(mine, torch_grads):
        target = np.zeros(tensor.shape) if target is None else target.numpy()
        ours_grad = np.zeros(tensor.shape) if tensor.grad is None else tensor.grad.numpy()
        np.testing.assert_allclose(ours_grad, target, rtol=1e-6, atol=1e-7)


def _central_differences(function, x, h=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (function(x + step) - function(x - step)) / (2 * h)
    return grad


SQUARE_SHAPES = [(3, 3), (2, 3, 3), (2, 1, 4, 4), (0, 0), (0, 3, 3), (2, 0, 0), (1, 1)]
SQUARE_FUNCTIONS = {
    "det": (la.det, TL.det),
    "Tensor.det": (lambda a: a.det(), lambda a: a.det()),
    "slogdet": (la.slogdet, TL.slogdet),
    "logdet": (autograd.logdet, torch.logdet),
    "inv": (la.inv, TL.inv),
    "inverse": (autograd.inverse, torch.inverse),
    "inv_ex": (la.inv_ex, TL.inv_ex),
    "matrix_exp": (la.matrix_exp, TL.matrix_exp),
    "matrix_power 0": (lambda a: la.matrix_power(a, 0), lambda a: TL.matrix_power(a, 0)),
    "matrix_power 1": (lambda a: la.matrix_power(a, 1), lambda a: TL.matrix_power(a, 1)),
    "matrix_power 5": (lambda a: la.matrix_power(a, 5), lambda a: TL.matrix_power(a, 5)),
    "matrix_power -2": (lambda a: la.matrix_power(a, -2), lambda a: TL.matrix_power(a, -2)),
    "Tensor.matrix_power 3": (lambda a: a.matrix_power(3), lambda a: a.matrix_power(3)),
    "cond": (la.cond, TL.cond),
    "cond nuc": (lambda a: la.cond(a, "nuc"), lambda a: TL.cond(a, "nuc")),
    "cond -2": (lambda a: la.cond(a, -2), lambda a: TL.cond(a, -2)),
    "svdvals": (la.svdvals, TL.svdvals),
    "matrix_rank": (la.matrix_rank, TL.matrix_rank),
    "pinv": (la.pinv, TL.pinv),
    "diagonal": (la.diagonal, TL.diagonal),
    "matrix_norm nuc": (lambda a: la.matrix_norm(a, "nuc"), lambda a: TL.matrix_norm(a, "nuc")),
    "matrix_norm 2": (lambda a: la.matrix_norm(a, 2), lambda a: TL.matrix_norm(a, 2)),
    "matrix_norm -2": (lambda a: la.matrix_norm(a, -2), lambda a: TL.matrix_norm(a, -2)),
    "matrix_norm -inf": (lambda a: la.matrix_norm(a, -INF), lambda a: TL.matrix_norm(a, -INF)),
    "qr": (la.qr, TL.qr),
    "qr complete": (lambda a: la.qr(a, "complete"), lambda a: TL.qr(a, "complete")),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SQUARE_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(SQUARE_FUNCTIONS))
def test_square_matrix_functions_match_torch_on_batched_and_empty_inputs(name, shape, dtype):
    ours, theirs = SQUARE_FUNCTIONS[name]
    if name in ("matrix_norm -2", "matrix_norm -inf") and 0 in shape:  # a minimum over nothing: see the error test
        return
    _compare(ours, theirs, _random(shape, dtype), grad=dtype == np.float64 and name != "matrix_rank")


SPD_FUNCTIONS = {
    "cholesky": (la.cholesky, TL.cholesky),
    "cholesky upper": (lambda a: la.cholesky(a, upper=True), lambda a: TL.cholesky(a, upper=True)),
    "Tensor.cholesky": (lambda a: a.cholesky(), lambda a: TL.cholesky(a)),
    "cholesky_ex": (la.cholesky_ex, TL.cholesky_ex),
    "eigvalsh": (la.eigvalsh, TL.eigvalsh),
    "eigvalsh U": (lambda a: la.eigvalsh(a, "U"), lambda a: TL.eigvalsh(a, "U")),
    "eigh rebuilt": (
        lambda a: (lambda w, v: (v * w.unsqueeze(-2)) @ v.mT)(*la.eigh(a)),
        lambda a: (lambda w, v: (v * w.unsqueeze(-2)) @ v.mT)(*TL.eigh(a)),
    ),
    "cholesky_inverse": (
        lambda a: autograd.cholesky_inverse(la.cholesky(a)),
        lambda a: torch.cholesky_inverse(TL.cholesky(a)),
    ),
    "matrix_rank hermitian": (lambda a: la.matrix_rank(a, hermitian=True), lambda a: TL.matrix_rank(a, hermitian=True)),
    "pinv hermitian": (lambda a: la.pinv(a, hermitian=True), lambda a: TL.pinv(a, hermitian=True)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SQUARE_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(SPD_FUNCTIONS))
def test_symmetric_positive_definite_functions_match_torch(name, shape, dtype):
    ours, theirs = SPD_FUNCTIONS[name]
    grad = dtype == np.float64 and "rank" not in name and "hermitian" not in name
    _compare(ours, theirs, _random(shape, dtype, spd=True), grad=grad)


RECTANGULAR_SHAPES = [(3, 2), (2, 3), (2, 4, 3), (0, 3), (3, 0), (2, 0, 3), (0, 2, 3)]
RECTANGULAR_FUNCTIONS = {
    "svdvals": (la.svdvals, TL.svdvals),
    "svd values": (lambda a: la.svd(a, full_matrices=False)[1], lambda a: TL.svd(a, full_matrices=False)[1]),
    "svd shapes": (lambda a: [x.shape for x in la.svd(a)], lambda a: [tuple(x.shape) for x in TL.svd(a)]),
    "svd reduced shapes": (
        lambda a: [x.shape for x in la.svd(a, full_matrices=False)],
        lambda a: [tuple(x.shape) for x in TL.svd(a, full_matrices=False)],
    ),
    "pinv": (la.pinv, TL.pinv),
    "matrix_rank": (la.matrix_rank, TL.matrix_rank),
    "qr": (la.qr, TL.qr),
    "qr r": (lambda a: la.qr(a, "r")[1], lambda a: TL.qr(a, "r")[1]),
    "matrix_norm nuc": (lambda a: la.matrix_norm(a, "nuc"), lambda a: TL.matrix_norm(a, "nuc")),
    "matrix_norm 2": (lambda a: la.matrix_norm(a, 2), lambda a: TL.matrix_norm(a, 2)),
    "matrix_norm 1": (lambda a: la.matrix_norm(a, 1), lambda a: TL.matrix_norm(a, 1)),
    "matrix_norm fro": (la.matrix_norm, TL.matrix_norm),
    "cond": (la.cond, TL.cond),
    "vector_norm": (la.vector_norm, TL.vector_norm),
    "norm": (la.norm, TL.norm),
}


@pytest.mark.parametrize("shape", RECTANGULAR_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(RECTANGULAR_FUNCTIONS))
def test_rectangular_matrix_functions_match_torch_on_batched_and_empty_inputs(name, shape):
    ours, theirs = RECTANGULAR_FUNCTIONS[name]
    # torch's qr mode 'r' has no gradient (Q is not computed)
    _compare(ours, theirs, _random(shape), grad=name not in ("matrix_rank", "qr r") and "shapes" not in name)


@pytest.mark.parametrize("ord", [-2, -1, -INF])
@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0)], ids=str)
def test_negative_order_matrix_norms_of_empty_matrices_raise_index_error_as_torch(ord, shape):
    # a minimum over no singular values, columns or rows has no value: torch's IndexError, as ours
    with pytest.raises(IndexError):
        TL.matrix_norm(torch.zeros(shape), ord)
    with pytest.raises(IndexError, match="min.*zero-size"):
        la.matrix_norm(Tensor(np.zeros(shape)), ord)


def _pair(*shapes):
    return [_random(shape, seed=index) for index, shape in enumerate(shapes)]


PRODUCTS = [
    ("matmul", autograd.matmul, torch.matmul, [(3,), (3,)]),
    ("matmul", autograd.matmul, torch.matmul, [(3,), (3, 2)]),
    ("matmul", autograd.matmul, torch.matmul, [(2, 3), (3,)]),
    ("matmul", autograd.matmul, torch.matmul, [(2, 1, 2, 3), (4, 3, 2)]),
    ("matmul", autograd.matmul, torch.matmul, [(3,), (2, 3, 4)]),
    ("matmul", autograd.matmul, torch.matmul, [(0, 2, 3), (3,)]),
    ("matmul", autograd.matmul, torch.matmul, [(2, 0), (0, 3)]),
    ("mm", autograd.mm, torch.mm, [(2, 3), (3, 4)]),
    ("mm", autograd.mm, torch.mm, [(2, 0), (0, 4)]),
    ("mm", autograd.mm, torch.mm, [(0, 3), (3, 4)]),
    ("bmm", autograd.bmm, torch.bmm, [(2, 2, 3), (2, 3, 4)]),
    ("bmm", autograd.bmm, torch.bmm, [(0, 2, 3), (0, 3, 4)]),
    ("bmm", autograd.bmm, torch.bmm, [(2, 2, 0), (2, 0, 4)]),
    ("mv", autograd.mv, torch.mv, [(2, 3), (3,)]),
    ("mv", autograd.mv, torch.mv, [(0, 3), (3,)]),
    ("mv", autograd.mv, torch.mv, [(2, 0), (0,)]),
    ("dot", autograd.dot, torch.dot, [(3,), (3,)]),
    ("dot", autograd.dot, torch.dot, [(0,), (0,)]),
    ("vdot", autograd.vdot, torch.vdot, [(3,), (3,)]),
    ("outer", autograd.outer, torch.outer, [(3,), (2,)]),
    ("outer", autograd.outer, torch.outer, [(0,), (2,)]),
    ("ger", autograd.ger, torch.ger, [(3,), (2,)]),
    ("inner", autograd.inner, torch.inner, [(2, 3), (4, 3)]),
    ("kron", autograd.kron, torch.kron, [(2, 3), (3, 2)]),
    ("kron", autograd.kron, torch.kron, [(2,), (3, 2)]),
    ("kron", autograd.kron, torch.kron, [(2, 1, 2), (3, 2)]),
    ("kron", autograd.kron, torch.kron, [(0, 2), (3, 2)]),
    ("linalg.cross", la.cross, TL.cross, [(3,), (3,)]),
    ("linalg.cross", la.cross, TL.cross, [(2, 3), (1, 3)]),
    ("linalg.cross", la.cross, TL.cross, [(0, 3), (0, 3)]),
    ("cross dim 0", lambda a, b: autograd.cross(a, b, dim=0), lambda a, b: torch.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    ("vecdot", la.vecdot, TL.vecdot, [(2, 3), (3,)]),
    ("tensordot", autograd.tensordot, torch.tensordot, [(2, 3, 4), (3, 4, 5)]),
    ("tensordot 0", lambda a, b: autograd.tensordot(a, b, 0), lambda a, b: torch.tensordot(a, b, 0), [(2,), (3,)]),
    (
        "tensordot lists",
        lambda a, b: autograd.tensordot(a, b, ([1, 0], [0, 1])),
        lambda a, b: torch.tensordot(a, b, ([1, 0], [0, 1])),
        [(2, 3, 4), (3, 2, 5)],
    ),
    ("multi_dot", lambda *m: la.multi_dot(m), lambda *m: TL.multi_dot(m), [(3,), (3, 4), (4, 2), (2,)]),
    ("multi_dot", lambda *m: la.multi_dot(m), lambda *m: TL.multi_dot(m), [(2, 3), (3, 4), (4, 5), (5, 2)]),
    ("multi_dot", lambda *m: la.multi_dot(m), lambda *m: TL.multi_dot(m), [(2, 3), (3, 0), (0, 4)]),
    ("chain_matmul", autograd.chain_matmul, torch.chain_matmul, [(2, 3), (3, 4), (4, 2)]),
    ("addmm", autograd.addmm, torch.addmm, [(2, 4), (2, 3), (3, 4)]),
    ("addmm", autograd.addmm, torch.addmm, [(4,), (2, 3), (3, 4)]),
    ("addmm", autograd.addmm, torch.addmm, [(2, 4), (2, 0), (0, 4)]),
    (
        "addmm beta alpha",
        lambda c, a, b: autograd.addmm(c, a, b, beta=0.5, alpha=2),
        lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2),
        [(2, 4), (2, 3), (3, 4)],
    ),
    (
        "addmm beta 0",
        lambda c, a, b: autograd.addmm(c, a, b, beta=0),
        lambda c, a, b: torch.addmm(c, a, b, beta=0),
        [(2, 4), (2, 3), (3, 4)],
    ),
    ("addmv", autograd.addmv, torch.addmv, [(2,), (2, 3), (3,)]),
    (
        "addmv beta alpha",
        lambda c, a, b: autograd.addmv(c, a, b, beta=2, alpha=-1),
        lambda c, a, b: torch.addmv(c, a, b, beta=2, alpha=-1),
        [(1,), (2, 3), (3,)],
    ),
    ("baddbmm", autograd.baddbmm, torch.baddbmm, [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    (
        "baddbmm beta alpha",
        lambda c, a, b: autograd.baddbmm(c, a, b, beta=0.5, alpha=3),
        lambda c, a, b: torch.baddbmm(c, a, b, beta=0.5, alpha=3),
        [(2, 4), (2, 2, 3), (2, 3, 4)],
    ),
    ("addbmm", autograd.addbmm, torch.addbmm, [(2, 4), (3, 2, 3), (3, 3, 4)]),
    ("addbmm", autograd.addbmm, torch.addbmm, [(2, 4), (0, 2, 3), (0, 3, 4)]),
    (
        "addbmm beta alpha",
        lambda c, a, b: autograd.addbmm(c, a, b, beta=0.5, alpha=3),
        lambda c, a, b: torch.addbmm(c, a, b, beta=0.5, alpha=3),
        [(4,), (3, 2, 3), (3, 3, 4)],
    ),
    ("addr", autograd.addr, torch.addr, [(2, 3), (2,), (3,)]),
    (
        "einsum",
        lambda a, b: autograd.einsum("ij,jk->ik", a, b),
        lambda a, b: torch.einsum("ij,jk->ik", a, b),
        [(2, 3), (3, 4)],
    ),
    (
        "einsum",
        lambda a, b: autograd.einsum("...ij,...jk", a, b),
        lambda a, b: torch.einsum("...ij,...jk", a, b),
        [(2, 2, 3), (3, 4)],
    ),
    ("einsum", lambda a: autograd.einsum("ii->i", a), lambda a: torch.einsum("ii->i", a), [(3, 3)]),
    (
        "einsum",
        lambda a, b: autograd.einsum("ij,ij->i", a, b),
        lambda a, b: torch.einsum("ij,ij->i", a, b),
        [(2, 3), (1, 3)],
    ),
    ("trace", autograd.trace, torch.trace, [(3, 4)]),
    ("trace", autograd.trace, torch.trace, [(0, 4)]),
    ("diagonal", lambda a: la.diagonal(a, offset=1), lambda a: TL.diagonal(a, offset=1), [(2, 3, 4)]),
    ("vander", la.vander, TL.vander, [(3,)]),
    ("vander", lambda x: la.vander(x, N=4), lambda x: TL.vander(x, N=4), [(2, 3)]),
]


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated:UserWarning")
@pytest.mark.parametrize(("name", "ours", "theirs", "shapes"), PRODUCTS, ids=lambda v: v if isinstance(v, str) else "")
def test_products_match_torchs_values_shapes_and_gradients(name, ours, theirs, shapes):
    _compare(ours, theirs, *_pair(*shapes))


def _well_conditioned(shape, seed=0):
    return _random(shape, seed=seed) + 3 * np.eye(shape[-1])


SOLVES = [
    ("solve", la.solve, TL.solve, [(3, 3), (3,)]),
    ("solve", la.solve, TL.solve, [(2, 3, 3), (3,)]),
    ("solve", la.solve, TL.solve, [(2, 3, 3), (2, 3)]),
    ("solve", la.solve, TL.solve, [(2, 3, 3), (3, 2)]),
    ("solve", la.solve, TL.solve, [(1, 3, 3), (2, 3, 1)]),
    ("solve", la.solve, TL.solve, [(0, 3, 3), (0, 3, 2)]),
    ("solve", la.solve, TL.solve, [(3, 3), (3, 0)]),
    ("solve", la.solve, TL.solve, [(0, 0), (0,)]),
    ("solve_ex", la.solve_ex, TL.solve_ex, [(2, 3, 3), (2, 3, 1)]),
    (
        "solve left=False",
        lambda a, b: la.solve(a, b, left=False),
        lambda a, b: TL.solve(a, b, left=False),
        [(3, 3), (2, 3)],
    ),
    (
        "solve_triangular upper",
        lambda a, b: la.solve_triangular(a.triu(), b, upper=True),
        lambda a, b: TL.solve_triangular(a.triu(), b, upper=True),
        [(3, 3), (3, 2)],
    ),
    (
        "solve_triangular lower right unit",
        lambda a, b: la.solve_triangular(a, b, upper=False, left=False, unitriangular=True),
        lambda a, b: TL.solve_triangular(a, b, upper=False, left=False, unitriangular=True),
        [(3, 3), (2, 3)],
    ),
    (
        "solve_triangular broadcast",
        lambda a, b: la.solve_triangular(a, b, upper=False),
        lambda a, b: TL.solve_triangular(a, b, upper=False),
        [(2, 1, 3, 3), (4, 3, 2)],
    ),
    (
        "solve_triangular empty",
        lambda a, b: la.solve_triangular(a, b, upper=False),
        lambda a, b: TL.solve_triangular(a, b, upper=False),
        [(0, 0), (0, 2)],
    ),
    (
        "triangular_solve",
        lambda a, b: autograd.triangular_solve(b, a),
        lambda a, b: torch.triangular_solve(b, a),
        [(3, 3), (3, 2)],
    ),
    ("lstsq", lambda a, b: la.lstsq(a, b)[0], lambda a, b: TL.lstsq(a, b)[0], [(4, 3), (4, 2)]),
    ("lstsq", lambda a, b: la.lstsq(a, b)[0], lambda a, b: TL.lstsq(a, b)[0], [(2, 5, 3), (1, 5, 2)]),
    ("lstsq", lambda a, b: la.lstsq(a, b)[0], lambda a, b: TL.lstsq(a, b)[0], [(2, 3), (2, 2)]),
    ("lstsq", lambda a, b: la.lstsq(a, b)[0], lambda a, b: TL.lstsq(a, b)[0], [(0, 3), (0, 2)]),
    (
        "lstsq gelsd",
        lambda a, b: la.lstsq(a, b, driver="gelsd")[:2],
        lambda a, b: TL.lstsq(a, b, driver="gelsd")[:2],
        [(4, 3), (4, 2)],
    ),
    ("tensorinv", lambda a: la.tensorinv(a, ind=1), lambda a: TL.tensorinv(a, ind=1), [(4, 2, 2)]),
    ("tensorsolve", la.tensorsolve, TL.tensorsolve, [(2, 3, 6), (2, 3)]),
    (
        "tensorsolve dims",
        lambda a, b: la.tensorsolve(a, b, dims=(0,)),
        lambda a, b: TL.tensorsolve(a, b, dims=(0,)),
        [(6, 2, 3), (2, 3)],
    ),
    ("householder_product", la.householder_product, TL.householder_product, [(4, 3), (2,)]),
    ("householder_product", la.householder_product, TL.householder_product, [(2, 5, 3), (2, 3)]),
]


@pytest.mark.filterwarnings("ignore:torch.triangular_solve is deprecated:UserWarning")
@pytest.mark.parametrize(("name", "ours", "theirs", "shapes"), SOLVES, ids=lambda v: v if isinstance(v, str) else "")
def test_solvers_match_torchs_values_shapes_and_gradients(name, ours, theirs, shapes):
    arrays = _pair(*shapes)
    if arrays[0].ndim >= 2 and arrays[0].shape[-1] == arrays[0].shape[-2] and arrays[0].size:
        arrays[0] = arrays[0] + 3 * np.eye(arrays[0].shape[-1])  # keeps the solves well conditioned
    _compare(ours, theirs, *arrays)


# -- errors: torch's classes (a LinAlgError is a RuntimeError), our messages naming the function and the problem ----
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
NOT_POSITIVE_DEFINITE = np.array([[1.0, 2.0], [2.0, 1.0]])
ERRORS = [
    ("inv singular", la.inv, TL.inv, [SINGULAR], r"inv: the matrix is singular"),
    ("inv non-square", la.inv, TL.inv, [np.ones((2, 3))], r"inv: expected square matrices"),
    ("inv 1-d", la.inv, TL.inv, [np.ones(3)], r"inv: expected square matrices"),
    ("solve singular", la.solve, TL.solve, [SINGULAR, np.ones(2)], r"solve: the matrix is singular"),
    ("solve mismatched", la.solve, TL.solve, [np.eye(2), np.ones((3, 1))], r"solve: b must be"),
    ("cholesky", la.cholesky, TL.cholesky, [NOT_POSITIVE_DEFINITE], r"cholesky: the matrix is not positive definite"),
    ("det non-square", la.det, TL.det, [np.ones((2, 3))], r"det: expected square matrices"),
    ("slogdet 1-d", la.slogdet, TL.slogdet, [np.ones(3)], r"slogdet: expected square matrices"),
    ("eigh non-square", la.eigh, TL.eigh, [np.ones((2, 3))], r"eigh: expected square"),
    ("eigvalsh UPLO", lambda a: la.eigvalsh(a, UPLO="X"), lambda a: TL.eigvalsh(a, UPLO="X"), [np.eye(2)], "UPLO"),
    ("svd 1-d", la.svd, TL.svd, [np.ones(2)], r"svd: expected matrices"),
    ("qr mode", lambda a: la.qr(a, "x"), lambda a: TL.qr(a, "x"), [np.eye(2)], r"qr: mode must be"),
    ("matrix_exp", la.matrix_exp, TL.matrix_exp, [np.ones((2, 3))], r"matrix_exp: expected square"),
    ("matrix_power", lambda a: la.matrix_power(a, 2), lambda a: TL.matrix_power(a, 2), [np.ones((2, 3))], "square"),
    ("matrix_power -1", lambda a: la.matrix_power(a, -1), lambda a: TL.matrix_power(a, -1), [SINGULAR], "singular"),
    ("pinv 1-d", la.pinv, TL.pinv, [np.ones(2)], r"pinv: expected matrices"),
    ("matrix_rank 1-d", la.matrix_rank, TL.matrix_rank, [np.ones(2)], r"matrix_rank: expected matrices"),
    ("cond non-square", lambda a: la.cond(a, 1), lambda a: TL.cond(a, 1), [np.ones((3, 2))], r"cond: expected square"),
    ("cond order", lambda a: la.cond(a, 5), lambda a: TL.cond(a, 5), [np.eye(2)], r"cond: invalid norm order 5"),
    ("lstsq rows", la.lstsq, TL.lstsq, [np.ones((2, 3)), np.ones((3, 1))], r"lstsq: b must have 2 rows"),
    ("lstsq 1-d", la.lstsq, TL.lstsq, [np.ones(3), np.ones(3)], r"lstsq: expected matrices"),
    (
        "solve_triangular",
        lambda a, b: la.solve_triangular(a, b, upper=True),
        lambda a, b: TL.solve_triangular(a, b, upper=True),
        [np.eye(2), np.ones((3, 1))],
        r"do not fit A X = B",
    ),
    ("cross length", la.cross, TL.cross, [np.ones((2, 2)), np.ones((2, 2))], r"cross: .*3 entries"),
    ("cross broadcast", la.cross, TL.cross, [np.ones((2, 3)), np.ones((3, 3))], r"cross: .*broadcast"),
    ("mm", autograd.mm, torch.mm, [np.ones((2, 3)), np.ones((2, 3))], r"not aligned"),
    ("bmm", autograd.bmm, torch.bmm, [np.ones((2, 2, 3)), np.ones((3, 3, 3))], r"bmm: batch sizes differ"),
    ("matmul 0-d", autograd.matmul, torch.matmul, [np.array(1.0), np.ones(2)], r"matmul: .*at least 1-D"),
    ("mv", autograd.mv, torch.mv, [np.ones(2), np.ones(2)], r"mv: expects a 2-D and a 1-D"),
    ("tensorinv", lambda a: la.tensorinv(a, ind=1), lambda a: TL.tensorinv(a, ind=1), [np.ones((4, 2, 3))], "prod"),
    ("tensorinv ind", lambda a: la.tensorinv(a, ind=0), lambda a: TL.tensorinv(a, ind=0), [np.ones((4, 2, 2))], "ind"),
    ("householder", la.householder_product, TL.householder_product, [np.ones((4, 3)), np.ones(4)], "tau"),
    ("vander", la.vander, TL.vander, [np.ones(1)], r"vander: N must be greater than 1"),
    ("multi_dot", lambda *m: la.multi_dot(m), lambda *m: TL.multi_dot(m), [np.ones((2, 3)), np.ones((4, 5))], "3 != 4"),
    ("matrix_norm order", lambda a: la.matrix_norm(a, 3), lambda a: TL.matrix_norm(a, 3), [np.eye(3)], "order 3"),
    (
        "matrix_norm dims",
        lambda a: la.matrix_norm(a, dim=(0, 0)),
        lambda a: TL.matrix_norm(a, dim=(0, 0)),
        [np.eye(3)],
        "dup",
    ),
    ("lu_factor", la.lu_factor, TL.lu_factor, [np.zeros((2, 2))], r"lu_factor: U\[1,1\] is zero"),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "arrays", "message"), ERRORS, ids=[case[0] for case in ERRORS])
def test_bad_inputs_raise_torchs_error_class_with_a_message_naming_the_problem(name, ours, theirs, arrays, message):
    with pytest.raises(Exception) as expected:  # noqa: PT011 (the class is torch's, whichever it is)
        theirs(*[torch.tensor(a) for a in arrays])
    error = type(expected.value) if not isinstance(expected.value, torch.linalg.LinAlgError) else RuntimeError
    with pytest.raises(error, match=message):
        ours(*[Tensor(a) for a in arrays])


@pytest.mark.parametrize(
    ("name", "ours", "theirs", "matrix"),
    [
        ("inv", la.inv, TL.inv, SINGULAR),
        ("inv (Tensor.inverse)", lambda a: a.inverse(), lambda a: a.inverse(), SINGULAR),
        (
            "solve",
            lambda a: la.solve(a, Tensor(np.ones(2))),
            lambda a: TL.solve(a, torch.ones(2, dtype=a.dtype)),
            SINGULAR,
        ),
        ("cholesky", la.cholesky, TL.cholesky, NOT_POSITIVE_DEFINITE),
        (
            "cholesky upper",
            lambda a: la.cholesky(a, upper=True),
            lambda a: TL.cholesky(a, upper=True),
            NOT_POSITIVE_DEFINITE,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_failing_matrix_in_a_batch_is_named_by_its_flat_batch_element_as_torch(name, ours, theirs, matrix):
    batch = np.stack([np.eye(2), 2 * np.eye(2), matrix]).reshape(3, 2, 2)
    with pytest.raises(torch.linalg.LinAlgError, match=r"\(Batch element 2\)"):
        theirs(torch.tensor(batch))
    with pytest.raises(RuntimeError, match=rf"^{name.split()[0]}: \(batch element 2\) the matrix is"):
        ours(Tensor(batch))
    batch = np.stack([matrix, np.eye(2), np.eye(2), matrix]).reshape(2, 2, 2, 2)  # torch counts the flattened batch
    with pytest.raises(RuntimeError, match=r"\(batch element 0\)"):
        ours(Tensor(batch))


def test_a_single_singular_matrix_names_no_batch_element():
    with pytest.raises(RuntimeError, match=r"^inv: the matrix is singular \(shape \(2, 2\)\)$"):
        la.inv(Tensor(SINGULAR))


# -- cond: a batch with a singular matrix, non-square inputs for 2 / -2 / None, empty batches ----------------------
COND_ORDERS = [1, -1, 2, -2, INF, -INF, "fro", "nuc", None]


@pytest.mark.parametrize("p", COND_ORDERS, ids=str)
def test_cond_of_a_batch_with_one_singular_matrix_is_inf_there_and_torchs_elsewhere(p):
    batch = np.stack([np.eye(3) + 0.1 * _random((3, 3), seed=k) for k in range(3)])
    batch[1] = np.diag([1.0, 1.0, 0.0])
    _compare(lambda a: la.cond(a, p), lambda a: TL.cond(a, p), batch, grad=False, tol=1e-6)
    assert la.cond(Tensor(batch), p).numpy()[1] == (0.0 if p == -2 else INF)  # -2: s_min / s_max


@pytest.mark.parametrize("p", COND_ORDERS, ids=str)
@pytest.mark.parametrize("shape", [(2, 3, 3, 3), (0, 3, 3), (0, 2, 5, 5)], ids=str)
def test_cond_of_batches_matches_torch(p, shape):
    _compare(lambda a: la.cond(a, p), lambda a: TL.cond(a, p), _random(shape), grad=False)


@pytest.mark.parametrize("p", [2, -2, None], ids=str)
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 5, 3), (2, 3, 3, 5)], ids=str)
def test_cond_of_non_square_matrices_is_the_singular_value_ratio_as_torch(p, shape):
    _compare(lambda a: la.cond(a, p), lambda a: TL.cond(a, p), _random(shape))


@pytest.mark.parametrize("p", [1, -1, INF, -INF, "fro", "nuc"], ids=str)
def test_cond_gradient_matches_central_differences_where_torchs_backward_fails(p):
    a = _random((3, 3)) + 2 * np.eye(3)
    x = Tensor(a.copy(), requires_grad=True)
    la.cond(x, p).backward()
    expected = _central_differences(lambda m: np.linalg.cond(m, p), a)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_cond_writes_into_out_warning_when_it_resizes_and_refuses_an_integer_out_as_torch():
    a = np.eye(2) * [1.0, 4.0]
    out = Tensor(np.zeros((2, 2)))
    with pytest.warns(UserWarning, match="resized"):
        la.cond(Tensor(a), "fro", out=out)
    expected = TL.cond(torch.tensor(a), "fro")
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError):
        TL.cond(torch.tensor(a), "fro", out=torch.empty(0, dtype=torch.int32))
    with pytest.raises(RuntimeError, match="cond.*dtype"):
        la.cond(Tensor(a), "fro", out=Tensor(np.zeros(0, dtype=np.int32)))


# -- linalg.norm: numpy's table of orders and dims, and the illegal combinations -----------------------------------
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("ord", [0, 1, -1, 2, -2, 3, -3, 4.5, -4.5, INF, -INF], ids=str)
@pytest.mark.parametrize(("shape", "dim"), [((5,), None), ((5,), 0), ((3, 4, 5), 1), ((3, 4, 5), -2)], ids=str)
def test_norm_of_vectors_matches_torch_with_its_gradient(shape, dim, ord, keepdim):
    grad = ord not in (0,)
    _compare(
        lambda a: la.norm(a, ord, dim, keepdim), lambda a: TL.norm(a, ord, dim, keepdim), _random(shape), grad=grad
    )


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("ord", [1, -1, 2, -2, INF, -INF, "nuc", "fro"], ids=str)
@pytest.mark.parametrize(
    ("shape", "dim"), [((4, 4), None), ((4, 3), (1, 0)), ((2, 3, 4, 2), (2, 0)), ((2, 3, 4, 2), (-1, -3))], ids=str
)
def test_norm_and_matrix_norm_of_matrices_match_torch_with_their_gradients(shape, dim, ord, keepdim):
    data = _random(shape)
    _compare(lambda a: la.norm(a, ord, dim, keepdim), lambda a: TL.norm(a, ord, dim, keepdim), data)
    if dim is not None:
        _compare(lambda a: la.matrix_norm(a, ord, dim, keepdim), lambda a: TL.matrix_norm(a, ord, dim, keepdim), data)


NORM_ERRORS = [
    ((4,), "fro", None),
    ((4,), "nuc", None),
    ((4, 4), 3.5, None),
    ((4, 4), 0, None),
    ((4, 4), "nuc", 0),
    ((4, 4), "fro", 0),
    ((4, 4), "nuc", (0, 0)),
    ((4, 4), "fro", (0, 0)),
    ((4, 4), "fro", (0, 4)),
    ((4,), 0, (4,)),
    ((4,), None, (0, 0)),
    ((4, 4, 4), 1, (0, 1, 2)),
    ((4, 4, 4), 1, None),
    ((4, 4), "garbage", (0, 1)),
]


@pytest.mark.parametrize(("shape", "ord", "dim"), NORM_ERRORS, ids=str)
def test_illegal_norm_calls_raise_torchs_error_class(shape, ord, dim):
    with pytest.raises((RuntimeError, IndexError)) as expected:
        TL.norm(torch.zeros(shape), ord, dim)
    with pytest.raises(type(expected.value), match=r"norm"):
        la.norm(Tensor(np.zeros(shape)), ord, dim)


# -- gradients at the documented edge cases, where torch's gradient is defined ---------------------------------------
def _with_singular_values(values, rows, seed=0):
    rng = np.random.default_rng(seed)
    left, _ = np.linalg.qr(rng.standard_normal((rows, rows)))
    right, _ = np.linalg.qr(rng.standard_normal((len(values), len(values))))
    return left[:, : len(values)] @ np.diag(values) @ right.T


REPEATED = {
    "repeated largest": _with_singular_values([2.0, 2.0, 1.0], 4),
    "repeated smallest": _with_singular_values([3.0, 1.0, 1.0], 4),
    "all equal": _with_singular_values([1.5, 1.5, 1.5], 3),
}


@pytest.mark.parametrize("matrix", list(REPEATED))
@pytest.mark.parametrize("transpose", [False, True])
def test_symmetric_functions_of_repeated_singular_values_have_torchs_gradient(matrix, transpose):
    a = REPEATED[matrix].T.copy() if transpose else REPEATED[matrix]
    # the nuclear norm and any sum of the singular values is smooth where they tie (and none is zero)
    _compare(lambda x: la.matrix_norm(x, "nuc"), lambda x: TL.matrix_norm(x, "nuc"), a)
    _compare(lambda x: la.svdvals(x).sum(), lambda x: TL.svdvals(x).sum(), a)
    _compare(lambda x: (la.svdvals(x) ** 2).sum(), lambda x: (TL.svdvals(x) ** 2).sum(), a)
    _compare(lambda x: la.svd(x, full_matrices=False)[1].sum(), lambda x: TL.svd(x, full_matrices=False)[1].sum(), a)


def test_svd_factors_gradient_matches_torch_where_the_singular_values_are_distinct():
    a = _with_singular_values([3.0, 2.0, 0.5], 4)

    # each singular pair's sign is LAPACK's choice: compare what does not depend on it
    def invariants(svd):
        return lambda x: (lambda u, s, vh: (s, u @ vh, (u * s.unsqueeze(-2)) @ vh, u[..., :1] * vh[..., :1, :]))(
            *svd(x)
        )

    _compare(
        invariants(lambda x: la.svd(x, full_matrices=False)), invariants(lambda x: TL.svd(x, full_matrices=False)), a
    )


def test_eigenvalue_sums_and_spectral_projector_at_repeated_eigenvalues_have_torchs_gradient():
    rng = np.random.default_rng(4)
    basis, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    a = basis @ np.diag([1.0, 1.0, 3.0, -2.0]) @ basis.T
    _compare(lambda x: la.eigvalsh(x).sum(), lambda x: TL.eigvalsh(x).sum(), a)
    _compare(lambda x: (la.eigvalsh(x) ** 3).sum(), lambda x: (TL.eigvalsh(x) ** 3).sum(), a)
    # the distinct eigenvalues 3 and -2 have defined gradients (torch reads the lower triangle, as ours)
    _compare(lambda x: la.eigvalsh(x)[..., ::3], lambda x: TL.eigvalsh(x)[..., ::3], a)  # -2 and 3


def test_pinv_gradient_matches_torch_at_a_rank_deficient_matrix_of_constant_rank():
    a = _with_singular_values([2.0, 1.0, 0.0], 4)
    # torch's pinv differentiates through its rank-2 pseudo-inverse: ours must too, not through the cut-off value
    _compare(la.pinv, TL.pinv, a, tol=1e-7)
    _compare(lambda x: la.pinv(x, hermitian=True), lambda x: TL.pinv(x, hermitian=True), a @ a.T, tol=1e-7)


@pytest.mark.parametrize("scale", [0.1, 1.0, 6.0])
def test_matrix_exp_gradient_matches_torch_for_small_and_large_norms(scale):
    _compare(la.matrix_exp, TL.matrix_exp, scale * _random((2, 4, 4)), tol=1e-9 * max(1.0, np.exp(4 * scale)))


def test_matrix_exp_of_a_nilpotent_and_a_diagonal_matrix_and_their_gradients_match_torch():
    _compare(la.matrix_exp, TL.matrix_exp, np.triu(_random((4, 4)), 1))
    _compare(la.matrix_exp, TL.matrix_exp, np.diag([1.0, 2.0, 3.0]))


# -- cholesky_solve / cholesky_inverse: only the factor's triangle is read ------------------------------------------
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse_match_torch_and_their_factor_gradient_on_the_read_triangle(upper):
    factor = np.linalg.cholesky(_random((3, 3), spd=True))
    factor = factor.T.copy() if upper else factor
    garbage = np.tril(_random((3, 3), seed=5), -1) if upper else np.triu(_random((3, 3), seed=5), 1)
    b = _random((3, 2), seed=2)
    weights = _random((3, 2), seed=3)
    read = np.triu(np.ones((3, 3))) if upper else np.tril(np.ones((3, 3)))
    for stored in (factor, factor + garbage):  # the unread triangle must not change anything
        x, f = Tensor(b.copy(), requires_grad=True), Tensor(stored.copy(), requires_grad=True)
        tx, tf = torch.tensor(b, requires_grad=True), torch.tensor(stored, requires_grad=True)
        got, expected = autograd.cholesky_solve(x, f, upper=upper), torch.cholesky_solve(tx, tf, upper=upper)
        np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), rtol=1e-10)
        (got * Tensor(weights)).sum().backward()
        (expected * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-9)
        if stored is factor:  # torch's formula multiplies by the stored matrix, unread triangle and all
            np.testing.assert_allclose(f.grad.numpy() * read, tf.grad.numpy() * read, rtol=1e-8, atol=1e-10)

        def solved(m, stored=stored):
            tri = np.triu(m) if upper else np.tril(m)
            return (np.linalg.solve(tri.T @ tri if upper else tri @ tri.T, b) * weights).sum()

        np.testing.assert_allclose(f.grad.numpy(), _central_differences(solved, stored), atol=1e-6)
        inverse, torch_inverse = (
            autograd.cholesky_inverse(Tensor(stored), upper=upper),
            torch.cholesky_inverse(torch.tensor(stored), upper=upper),
        )
        np.testing.assert_allclose(inverse.numpy(), torch_inverse.numpy(), rtol=1e-10)


# -- the _ex variants on empty batches and in a batch with one failure -------------------------------------------------
@pytest.mark.parametrize("shape", [(0, 3, 3), (2, 0, 0)], ids=str)
def test_ex_variants_of_empty_batches_give_torchs_shapes_and_zero_info(shape):
    data = _random(shape)
    _compare(la.inv_ex, TL.inv_ex, data, grad=False)
    _compare(la.cholesky_ex, TL.cholesky_ex, data, grad=False)
    _compare(lambda a: la.solve_ex(a, a), lambda a: TL.solve_ex(a, a), data, grad=False)


def test_ex_variants_report_the_failing_matrix_of_a_batch_and_solve_the_rest_as_torch():
    batch = np.stack([np.eye(2) * 2, SINGULAR, NOT_POSITIVE_DEFINITE])
    ours, theirs = la.inv_ex(Tensor(batch)), TL.inv_ex(torch.tensor(batch))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    np.testing.assert_allclose(ours.inverse.numpy()[[0, 2]], theirs.inverse.numpy()[[0, 2]], rtol=1e-12)
    ours, theirs = la.cholesky_ex(Tensor(batch)), TL.cholesky_ex(torch.tensor(batch))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    np.testing.assert_allclose(ours.L.numpy()[0], theirs.L.numpy()[0], rtol=1e-12)


# -- out= --------------------------------------------------------------------------------------------------------
OUT_PRODUCTS = [
    ("dot", autograd.dot, torch.dot, [(3,), (3,)]),
    ("inner", autograd.inner, torch.inner, [(2, 3), (4, 3)]),
    ("tensordot", autograd.tensordot, torch.tensordot, [(2, 3, 4), (3, 4, 5)]),
    ("outer", autograd.outer, torch.outer, [(3,), (2,)]),
    ("kron", autograd.kron, torch.kron, [(2, 2), (2, 3)]),
    ("mm", autograd.mm, torch.mm, [(2, 3), (3, 4)]),
    ("matmul", autograd.matmul, torch.matmul, [(2, 3), (3, 4)]),
    ("bmm", autograd.bmm, torch.bmm, [(2, 2, 3), (2, 3, 4)]),
    ("mv", autograd.mv, torch.mv, [(2, 3), (3,)]),
    ("vdot", autograd.vdot, torch.vdot, [(3,), (3,)]),
    ("addmm", autograd.addmm, torch.addmm, [(2, 4), (2, 3), (3, 4)]),
    ("addmv", autograd.addmv, torch.addmv, [(2,), (2, 3), (3,)]),
    ("baddbmm", autograd.baddbmm, torch.baddbmm, [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    ("addbmm", autograd.addbmm, torch.addbmm, [(2, 4), (3, 2, 3), (3, 3, 4)]),
    ("addr", autograd.addr, torch.addr, [(2, 3), (2,), (3,)]),
    ("ger", autograd.ger, torch.ger, [(3,), (2,)]),
    (
        "cross",
        lambda a, b, out: autograd.cross(a, b, dim=1, out=out),
        lambda a, b, out: torch.cross(a, b, dim=1, out=out),
        [(2, 3), (2, 3)],
    ),
    (
        "inverse",
        lambda a, out: autograd.inverse(a + 3 * np.eye(3), out=out),
        lambda a, out: torch.inverse(a + 3 * torch.eye(3, dtype=a.dtype), out=out),
        [(3, 3)],
    ),
    (
        "matrix_power",
        lambda a, out: autograd.matrix_power(a, 2, out=out),
        lambda a, out: torch.matrix_power(a, 2, out=out),
        [(3, 3)],
    ),
    ("cholesky_solve", autograd.cholesky_solve, torch.cholesky_solve, [(3, 2), (3, 3)]),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "shapes"), OUT_PRODUCTS, ids=[case[0] for case in OUT_PRODUCTS])
@pytest.mark.parametrize("out_dtype", [np.float64, np.float32, np.int64], ids=["float64", "float32", "int64"])
def test_products_write_into_out_casting_or_refusing_its_dtype_as_torch(name, ours, theirs, shapes, out_dtype):
    arrays = _pair(*shapes)
    torch_out = torch.zeros(5, dtype=getattr(torch, np.dtype(out_dtype).name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the resize warning; ours is checked below
            expected = theirs(*[torch.tensor(a) for a in arrays], out=torch_out)
    except RuntimeError:
        with pytest.raises(RuntimeError, match=rf"{name}.*dtype|dtype.*{name}|cast"):
            ours(*[Tensor(a) for a in arrays], out=Tensor(np.zeros(5, dtype=out_dtype)))
        return
    out = Tensor(np.zeros(5, dtype=out_dtype))
    with pytest.warns(UserWarning, match="resized"):
        returned = ours(*[Tensor(a) for a in arrays], out=out)
    assert returned is out
    assert out.shape == tuple(expected.shape) and out.dtype == out_dtype
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6 if out_dtype == np.float32 else 1e-12)


def _lu_input():
    return _random((2, 3, 3)) + 3 * np.eye(3)


OUT_FACTORISATIONS = [
    ("inv_ex", la.inv_ex, TL.inv_ex, lambda: [_lu_input()]),
    ("cholesky_ex", la.cholesky_ex, TL.cholesky_ex, lambda: [_random((2, 3, 3), spd=True)]),
    ("solve_ex", la.solve_ex, TL.solve_ex, lambda: [_lu_input(), _random((2, 3, 2), seed=1)]),
    ("lu_factor", la.lu_factor, TL.lu_factor, lambda: [_lu_input()]),
    ("lu_factor_ex", la.lu_factor_ex, TL.lu_factor_ex, lambda: [_lu_input()]),
    ("lu", la.lu, TL.lu, lambda: [_lu_input()]),
]


@pytest.mark.parametrize(
    ("name", "ours", "theirs", "arrays"), OUT_FACTORISATIONS, ids=[case[0] for case in OUT_FACTORISATIONS]
)
def test_ex_and_lu_factorisations_write_into_a_tuple_out_as_torch(name, ours, theirs, arrays):
    arrays = arrays()
    expected = theirs(*[torch.tensor(a) for a in arrays])
    outs = tuple(Tensor(np.zeros(0, dtype=np.dtype(str(part.dtype).replace("torch.", "")))) for part in expected)
    returned = ours(*[Tensor(a) for a in arrays], out=outs)
    for into, got, reference in zip(outs, returned, expected):
        assert got is into
        assert into.shape == tuple(reference.shape) and into.dtype == reference.numpy().dtype
        np.testing.assert_allclose(into.numpy(), reference.numpy(), rtol=1e-10, atol=1e-12)
