"""autograd.contractions beyond the op table: numpy's implicit einsum output, errors naming the op and argument."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autograd
import autograd.contractions as co
from autograd import ShapeError, Tensor, gradcheck


def test_implicit_einsum_output_puts_the_ellipsis_first_then_single_labels_alphabetically():
    a = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(co.einsum("...ba", a).data, np.einsum("...ba", a))


def test_einsum_gradient_of_a_trace_is_the_identity():
    a = Tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    co.einsum("ii", a).backward()
    np.testing.assert_array_equal(a.grad, np.eye(3))


def test_einsum_rejects_a_wrong_number_of_operands():
    with pytest.raises(ValueError, match="einsum: the subscripts 'ij,jk' name 2 operands, got 1"):
        co.einsum("ij,jk", np.ones((2, 2)))


def test_einsum_rejects_subscripts_that_do_not_match_the_operand():
    with pytest.raises(ValueError, match=r"einsum: subscripts 'ijk' do not match an operand of shape \(2, 2\)"):
        co.einsum("ijk->", np.ones((2, 2)))


def test_einsum_rejects_invalid_characters_and_non_string_subscripts():
    with pytest.raises(ValueError, match="einsum: invalid subscripts 'i1'"):
        co.einsum("i1", np.ones((2, 2)))
    with pytest.raises(TypeError, match=r"einsum: subscripts must be a string, .*; got int first"):
        co.einsum(0, np.ones(2))


def test_einsum_takes_numpys_sublist_form_and_optimize():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(co.einsum(Tensor(a), [0, 1], Tensor(b), [1, 2], [0, 2]).data, a @ b)
    np.testing.assert_allclose(co.einsum(a, [0, 1], Tensor(b), [1, 2]).data, np.einsum(a, [0, 1], b, [1, 2]))
    np.testing.assert_allclose(np.einsum(Tensor(a), [Ellipsis, 1], b, [1, 2], [Ellipsis, 2]).data, a @ b)
    np.testing.assert_allclose(co.einsum("ij,jk->ik", a, b, optimize="greedy").data, a @ b)
    assert gradcheck(lambda x, y: co.einsum(x, [0, 1], y, [1, 2], [0, 2]), [a, b])
    with pytest.raises(TypeError, match="einsum: out not supported on Tensors"):
        co.einsum("ij->i", a, out=np.zeros(2))


def test_einsum_names_the_subscripts_and_shapes_when_sizes_disagree():
    with pytest.raises(ValueError, match=r"einsum: .* \(subscripts 'ij,jk', shapes \(2, 3\), \(4, 2\)\)"):
        co.einsum("ij,jk", np.ones((2, 3)), np.ones((4, 2)))


@pytest.mark.parametrize("count", [lambda n: np.array(n), lambda n: Tensor(np.array(n))], ids=["ndarray", "Tensor"])
def test_tensordot_takes_its_axis_count_as_a_0d_integer_array_as_torch_and_numpy(count):
    """torch.tensordot(a, b, dims=torch.tensor(2)) and numpy.tensordot(a, b, np.array(2)) read a 0-d integer array
    as the count of axes summed."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 4, 5))
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    result = co.tensordot(x, y, dims=count(2))
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    expected = torch.tensordot(ta, tb, dims=torch.tensor(2))
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-12)
    weights = rng.normal(size=expected.shape)
    (result * weights).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad, tb.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "shape_a, shape_b, dims",
    [((1, 1, 1), (2, 1, 2), ([0, 1], [2, 0])), ((3, 1), (2, 4), 1), ((2, 3), (1, 3, 4), ([0, 1], [0, 1]))],
)
def test_tensordot_pairs_a_summed_axis_of_length_one_with_any_length_as_torch(shape_a, shape_b, dims):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours, theirs = co.tensordot(x, y, dims=dims), torch.tensordot(ta, tb, dims=dims)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    upstream = rng.normal(size=ours.shape)
    (ours * Tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad, tb.grad.numpy(), rtol=1e-12)


def test_tensordot_rejects_misaligned_axes_and_a_bad_axes_count():
    with pytest.raises(ValueError, match=r"tensordot: shapes \(2, 3\) and \(2, 3\) not aligned"):
        co.tensordot(np.ones((2, 3)), np.ones((2, 3)), axes=1)
    with pytest.raises(ValueError, match=r"tensordot: axes=3 must be in \[0, 2\]"):
        co.tensordot(np.ones((2, 3)), np.ones((2, 3)), axes=3)
    with pytest.raises(ValueError, match=r"tensordot: axes \(5,\) out of range for an operand of dimension 2"):
        co.tensordot(np.ones((2, 3)), np.ones((2, 3)), axes=([5], [0]))


def test_dot_and_inner_name_themselves_when_shapes_do_not_align():
    with pytest.raises(ValueError, match=r"dot: shapes \(2, 3\) and \(2,\) not aligned"):
        co.dot(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"inner: shapes \(2, 3\) and \(2,\) not aligned"):
        co.inner(np.ones((2, 3)), np.ones(2))


def test_diagonal_and_diag_reject_bad_dimensions_and_axes():
    with pytest.raises(ValueError, match=r"diagonal: needs at least 2 dimensions, got shape \(3,\)"):
        co.diagonal(np.ones(3))
    with pytest.raises(ValueError, match="diagonal: axis1 and axis2 must differ, got 0 and -2"):
        co.diagonal(np.ones((2, 2)), axis1=0, axis2=-2)
    with pytest.raises(ValueError, match=r"diag: input must be 1-d or 2-d, got shape \(1, 1, 1\)"):
        co.diag(np.ones((1, 1, 1)))


def test_diag_of_a_vector_places_its_gradient_back_on_the_diagonal():
    v = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (co.diag(v, -1) * np.arange(9.0).reshape(3, 3)).sum().backward()
    np.testing.assert_array_equal(v.grad, [3.0, 7.0])


def test_diag_of_a_matrix_is_a_copy_not_a_view_as_torch():
    torch = pytest.importorskip("torch")
    for module in (autograd, torch):
        matrix = module.arange(9.0).reshape(3, 3)
        diagonal = module.diag(matrix, 1)
        diagonal.mul_(0)  # torch's diag copies: the matrix keeps its entries ...
        matrix.add_(100)  # ... and the diagonal does not see the matrix change
        np.testing.assert_array_equal(np.asarray(matrix), np.arange(9.0).reshape(3, 3) + 100)
        np.testing.assert_array_equal(np.asarray(diagonal), [0.0, 0.0])
        np.testing.assert_array_equal(np.asarray(matrix.diag()), [100.0, 104.0, 108.0])


def test_trace_of_a_vector_names_trace():
    with pytest.raises(ValueError, match=r"trace: needs an array of at least 2 dimensions, got shape \(3,\)"):
        co.trace(np.ones(3))


def test_a_large_einsum_is_planned_into_products_with_the_same_values_and_gradients():
    # 64 * 32 * 40 products: numpy's planner (BLAS) computes it, forward and in the backward einsums
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=(64, 32)), rng.normal(size=(32, 40))
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = co.einsum("ij,jk->ik", ta, tb)
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12)
    g = rng.normal(size=(64, 40))
    out.backward(g)
    np.testing.assert_allclose(ta.grad, g @ b.T, rtol=1e-12)
    np.testing.assert_allclose(tb.grad, a.T @ g, rtol=1e-12)


def test_a_planned_chain_of_three_operands_matches_finite_differences():
    rng = np.random.default_rng(12)
    arrays = [rng.normal(size=(12, 16)), rng.normal(size=(16, 20)), rng.normal(size=(20, 24))]
    assert gradcheck(lambda x, y, z: co.einsum("ij,jk,kl->il", x, y, z), arrays)


def test_a_broadcast_label_is_left_to_numpys_own_loop_and_summed_back():
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(1, 40, 40)), rng.normal(size=(4, 40, 41))
    tx, ty = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    out = co.einsum("bij,bjk->bik", tx, ty)
    np.testing.assert_allclose(out.data, x @ y, rtol=1e-12, atol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(
        tx.grad, (np.ones((4, 40, 41)) @ y.transpose(0, 2, 1)).sum(axis=0, keepdims=True), atol=1e-12
    )
    np.testing.assert_allclose(
        ty.grad, np.broadcast_to(x.transpose(0, 2, 1) @ np.ones((1, 40, 41)), (4, 40, 41)), atol=1e-12
    )


@pytest.mark.parametrize(
    ("subscripts", "shape"), [("ii->", (2, 2)), ("ii->i", (3, 3)), ("iij->j", (2, 2, 3)), ("iji->j", (2, 3, 2))]
)
def test_a_repeated_labels_gradient_is_zero_off_the_diagonal_even_when_infinite_on_it(subscripts, shape):
    # sqrt of a diagonal of zeros has an infinite slope: on the diagonal the gradient is inf, off it 0, as torch's
    # (the identity that ties the repeated label gave 0 * inf = nan there)
    torch = pytest.importorskip("torch")
    x, t = Tensor(np.zeros(shape), requires_grad=True), torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    co.einsum(subscripts, x).sqrt().sum().backward()
    torch.einsum(subscripts, t).sqrt().sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_trace_takes_a_dtype_as_numpy(dtype):
    a = np.arange(12.0).reshape(3, 4) / 7
    x = Tensor(a, requires_grad=True)
    result = np.trace(x, 1, dtype=dtype)
    expected = np.trace(a, 1, dtype=dtype)
    assert result.dtype == expected.dtype
    np.testing.assert_allclose(result.data, expected, rtol=1e-6)
    result.backward()
    np.testing.assert_array_equal(x.grad, np.eye(3, 4, 1))
    assert np.trace(Tensor(np.arange(9).reshape(3, 3)), dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "subscripts,shape",
    [
        ("ii->", (6, 6)),
        ("ii->i", (6, 6)),
        ("...ii->...i", (2, 3, 4, 4)),
        ("...ii->...", (2, 3, 4, 4)),
        ("iij->j", (3, 3, 4)),
        ("iji->ji", (3, 4, 3)),
        ("iiii->i", (2, 2, 2, 2)),
    ],
)
def test_einsum_diagonals_values_and_gradients_match_torch(subscripts, shape):
    """Traces and diagonals of one operand: torch's values and gradient (g on the diagonals, exact zeros off
    them, also where g is inf or nan)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    for bad in (None, np.inf, np.nan):
        ours_in, theirs_in = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours, theirs = autograd.einsum(subscripts, ours_in), torch.einsum(subscripts, theirs_in)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-14)
        g = rng.normal(size=ours.shape)
        if bad is not None:
            g.reshape(-1)[0] = bad
        ours.backward(Tensor(g))
        theirs.backward(torch.tensor(g))
        np.testing.assert_array_equal(ours_in.grad, theirs_in.grad.numpy())


@pytest.mark.parametrize("subscripts", ["ii->", "ii->i", "...ii->...i"])
def test_einsum_diagonal_of_a_non_square_operand_is_a_shape_error(subscripts):
    with pytest.raises(ShapeError, match="einsum: .*'i'.*2 != 3"):
        autograd.einsum(subscripts, Tensor(np.ones((2, 3))))


def test_einsum_trace_gradient_makes_no_array_beyond_the_operands_size():
    """The trace's gradient of a 2000 x 2000 operand: zeros with g on the diagonal, no identity-matrix product
    or mask of the operand's size beside it."""
    x = Tensor(np.random.default_rng(1).normal(size=(2000, 2000)), requires_grad=True)
    out = autograd.einsum("ii->", x)
    tracemalloc.start()
    try:
        out.backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * 2000 * 2000 * 8


@pytest.mark.parametrize(
    ("subscripts", "shape"),
    [("ii->i", (3, 3)), ("ij->ji", (2, 3)), ("...->...", (2, 3)), ("i...i->...i", (3, 2, 3)), ("iji->ij", (2, 3, 2))],
)
def test_einsum_without_a_sum_is_a_view_as_numpy_and_torch(subscripts, shape):
    """numpy's einsum of one operand that sums nothing (a diagonal, a transposition) returns a writable view of it,
    and so does torch's (einsum made a copy here): a write into the result reaches the operand, and the gradient
    follows the write, as torch's."""
    torch = pytest.importorskip("torch")
    a = np.arange(float(np.prod(shape))).reshape(shape)
    arr = a.copy()
    view = np.einsum(subscripts, arr)
    view[...] = -view - 1
    x, tx = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    base, t_base = x * 1, tx * 1
    ours, theirs = autograd.einsum(subscripts, base), torch.einsum(subscripts, t_base)
    assert np.shares_memory(ours.data, base.data)
    y, ty = (
        Tensor(np.zeros(ours.shape), requires_grad=True),
        torch.zeros(ours.shape, dtype=torch.float64, requires_grad=True),
    )
    ours[...] = -ours - 1 + y
    theirs[...] = -theirs - 1 + ty
    np.testing.assert_array_equal(base.data, arr)
    np.testing.assert_array_equal(base.data, t_base.detach().numpy())
    upstream = np.random.default_rng(9).normal(size=shape)
    base.backward(upstream)
    t_base.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-12)
