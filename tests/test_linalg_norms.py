"""autograd.linalg's norms: ``norm`` over numpy.linalg.norm's whole table of orders (vector p-norms for any real
p, counts, inf; matrix 'fro', 'nuc', +-1, +-2, +-inf, stacked along any two axes), numpy 2's and torch's
``vector_norm``/``matrix_norm``, their values against numpy, their gradients against central differences and
torch, the gradient where entries or the norm are 0, and numpy's errors."""

import warnings

import numpy as np
import pytest

import autograd.linalg as la
from autograd import Tensor, gradcheck, gradgradcheck

VECTOR_ORDERS = [None, 1, 2, 3, 0.5, 1.5, -1, -0.5, -2.5, 0, np.inf, -np.inf]
MATRIX_ORDERS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]
DIFFERENTIABLE_VECTOR_ORDERS = [o for o in VECTOR_ORDERS if o != 0]
needs_numpy_2 = pytest.mark.skipif(not hasattr(np.linalg, "vector_norm"), reason="numpy >= 2 has vector_norm")


def _distinct_magnitudes(shape, seed=0):
    """Entries of either sign whose absolute values are distinct and at least 0.2: no |x| at its kink, no tied
    max/min entry, row or column sum, and distinct singular values (almost surely)."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    magnitudes = (rng.permutation(size) + 1) * 0.2 + rng.uniform(0, 0.05, size=size)
    return (magnitudes * rng.choice([-1.0, 1.0], size=size)).reshape(shape)


def _numpy_norm(*args, **kwargs):
    with warnings.catch_warnings():  # numpy warns of |0|^p = inf for p < 0
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.linalg.norm(*args, **kwargs)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("ord", VECTOR_ORDERS)
def test_vector_norms_of_every_order_match_numpy(ord, axis, keepdims):
    x = np.random.default_rng(1).normal(size=(3, 4, 5))
    x[0, 0, :] = 0.0  # zero entries, and a zero vector along the last axis
    ours = la.norm(Tensor(x), ord, axis, keepdims)
    expected = _numpy_norm(x, ord, axis, keepdims)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours.data, expected, rtol=1e-12)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [(0, 1), (2, 0), (-1, -2), (1, 2)])
@pytest.mark.parametrize("ord", MATRIX_ORDERS)
def test_matrix_norms_of_stacked_matrices_match_numpy(ord, axis, keepdims):
    x = np.random.default_rng(2).normal(size=(3, 4, 5))
    ours = la.norm(x, ord, axis, keepdims)
    expected = np.linalg.norm(x, ord, axis, keepdims)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours.data, expected, rtol=1e-12)


@pytest.mark.parametrize("ord", [*MATRIX_ORDERS[1:]])
def test_matrix_norm_without_axis_of_a_matrix_matches_numpy(ord):
    x = np.random.default_rng(3).normal(size=(4, 3))
    np.testing.assert_allclose(la.norm(x, ord).data, np.linalg.norm(x, ord), rtol=1e-12)


@pytest.mark.parametrize("ord", DIFFERENTIABLE_VECTOR_ORDERS)
def test_vector_norm_gradients_match_central_differences(ord):
    x = _distinct_magnitudes((3, 4))
    assert gradcheck(lambda a: la.norm(a, ord, axis=1), [x], atol=1e-7, rtol=1e-6)
    assert gradcheck(lambda a: la.norm(a, ord, axis=0, keepdims=True), [x], atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("ord", [None, 3, 0.5, 1.5, -1, -2.5])
def test_smooth_vector_norms_have_second_derivatives(ord):
    assert gradgradcheck(lambda a: la.norm(a, ord, axis=-1), [_distinct_magnitudes((2, 3))], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("axis", [(0, 1), (2, 1), (-1, 0)])
@pytest.mark.parametrize("ord", MATRIX_ORDERS)
def test_matrix_norm_gradients_match_central_differences(ord, axis):
    x = _distinct_magnitudes((3, 2, 4), seed=4)
    assert gradcheck(lambda a: la.norm(a, ord, axis), [x], atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2])
def test_smooth_matrix_norms_have_second_derivatives(ord):
    x = _distinct_magnitudes((2, 3, 2), seed=5)
    assert gradgradcheck(lambda a: la.matrix_norm(a, ord), [x], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(("ord", "dim"), [(o, d) for o in MATRIX_ORDERS[1:] for d in [(0, 1), (2, 0), (-1, -2)]])
def test_matrix_norm_values_and_gradients_match_torch(ord, dim, keepdim):
    torch = pytest.importorskip("torch")
    x = _distinct_magnitudes((3, 2, 4), seed=6)
    expected = torch.tensor(x, requires_grad=True)
    torch.linalg.matrix_norm(expected, ord, dim, keepdim).sum().backward()
    ours = Tensor(x, requires_grad=True)
    value = la.matrix_norm(ours, ord, dim=dim, keepdim=keepdim)
    value.sum().backward()
    np.testing.assert_allclose(value.data, torch.linalg.matrix_norm(torch.tensor(x), ord, dim, keepdim).numpy())
    np.testing.assert_allclose(ours.grad, expected.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord", VECTOR_ORDERS[1:])
def test_vector_norm_gradients_at_zero_entries_match_torch(ord):
    """Zero entries get gradient 0 (never nan) for p > 0 when the norm is positive, the whole vector gets 0 for
    p < 0 (a zero entry makes its norm 0), and a zero vector gets 0; ord 0 is recorded with gradient 0, as
    torch records it."""
    torch = pytest.importorskip("torch")
    x = np.array([[0.0, 1.0, -2.0, 3.0, 0.0], [0.5, -1.5, 2.5, 1.0, -0.25], [0.0, 0.0, 0.0, 0.0, 0.0]])
    expected = torch.tensor(x, requires_grad=True)
    expected_value = torch.linalg.vector_norm(expected, ord, dim=1)
    ours = Tensor(x, requires_grad=True)
    value = la.vector_norm(ours, ord, dim=1)
    np.testing.assert_allclose(value.data, expected_value.detach().numpy(), rtol=1e-12)
    expected_value.sum().backward()
    if ord == 0:  # recorded, as torch's, with gradient 0 (torch leaves .grad None)
        value.sum().backward()
        np.testing.assert_array_equal(ours.grad, np.zeros_like(x))
        assert expected.grad is None or not expected.grad.any()
        return
    value.sum().backward()
    assert not np.isnan(ours.grad).any()
    np.testing.assert_allclose(ours.grad, expected.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(ours.grad[2], np.zeros(5))


def test_norm_gradient_at_a_zero_vector_is_zero_for_every_order():
    for ord in DIFFERENTIABLE_VECTOR_ORDERS:
        x = Tensor(np.zeros(3), requires_grad=True)
        la.norm(x, ord).backward()
        np.testing.assert_array_equal(x.grad, np.zeros(3), err_msg=f"ord={ord}")


def test_count_of_nonzeros_is_in_the_graph_with_gradient_zero():
    x = Tensor(np.array([[0.0, 2.0, -1.0], [0.0, 0.0, 3.0]]), requires_grad=True)
    count = la.norm(x, 0, axis=1)
    assert type(count) is Tensor and count.requires_grad
    np.testing.assert_array_equal(count.data, [2.0, 1.0])
    assert count.dtype == np.float64
    count.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))


@needs_numpy_2
def test_vector_norm_takes_any_axes_like_numpy_2():
    x = np.random.default_rng(7).normal(size=(2, 3, 4))
    for kwargs in [{}, {"axis": (0, 2)}, {"axis": 1, "keepdims": True}, {"ord": 1, "axis": (0, 1, 2)}, {"ord": -1.5}]:
        ours = la.vector_norm(x, **kwargs)
        expected = np.linalg.vector_norm(x, **kwargs)
        assert ours.shape == expected.shape
        np.testing.assert_allclose(ours.data, expected, rtol=1e-12)
    assert gradcheck(lambda a: la.vector_norm(a, 3, axis=(0, 2)), [_distinct_magnitudes((2, 3, 4))])


def test_vector_norm_matches_torch_spelling_and_dtype():
    torch = pytest.importorskip("torch")
    x = _distinct_magnitudes((2, 3, 4), seed=8).astype(np.float32)
    expected = torch.linalg.vector_norm(torch.tensor(x), 2.5, dim=(0, 2), keepdim=True, dtype=torch.float64)
    ours = la.vector_norm(x, 2.5, dim=(0, 2), keepdim=True, dtype=np.float64)
    assert ours.dtype == np.float64 and ours.shape == tuple(expected.shape)
    np.testing.assert_allclose(ours.data, expected.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="narrowing"):
        torch.linalg.vector_norm(torch.tensor(x, dtype=torch.float64), dtype=torch.float32)


@pytest.mark.parametrize(
    ("name", "arguments"),
    [("matrix_norm", {}), ("matrix_norm", {"ord": "nuc"}), ("norm", {}), ("norm", {"ord": 2}), ("norm", {"dim": 1})],
)
def test_norm_and_matrix_norm_take_torchs_dtype(name, arguments):
    """torch.linalg.norm and matrix_norm, as vector_norm, compute in ``dtype`` (which may not narrow the input)."""
    torch = pytest.importorskip("torch")
    x = _distinct_magnitudes((3, 4), seed=5).astype(np.float32)
    expected = getattr(torch.linalg, name)(torch.tensor(x), dtype=torch.float64, **arguments)
    ours = getattr(la, name)(x, dtype=np.float64, **arguments)
    assert ours.dtype == np.float64 and ours.shape == tuple(expected.shape)
    np.testing.assert_allclose(ours.data, expected.numpy(), rtol=1e-12)
    with pytest.raises(TypeError, match=rf"{name}: .*float64 to float32"):
        getattr(la, name)(x.astype(np.float64), dtype=np.float32, **arguments)
    with pytest.raises(TypeError, match=rf"{name}: dtype must be a floating"):
        getattr(la, name)(x, dtype=np.int64, **arguments)


@needs_numpy_2
def test_matrix_norm_matches_numpy_2():
    x = np.random.default_rng(9).normal(size=(2, 3, 4))
    for ord in MATRIX_ORDERS[1:]:
        for keepdims in (False, True):
            ours = la.matrix_norm(x, ord=ord, keepdims=keepdims)
            np.testing.assert_allclose(ours.data, np.linalg.matrix_norm(x, ord=ord, keepdims=keepdims), rtol=1e-12)


def test_norm_takes_torchs_dim_and_keepdim():
    x = np.random.default_rng(10).normal(size=(2, 3, 4))
    np.testing.assert_array_equal(la.norm(x, 3, dim=1, keepdim=True).data, la.norm(x, 3, 1, True).data)
    np.testing.assert_array_equal(la.norm(x, "nuc", dim=(2, 0)).data, la.norm(x, "nuc", (2, 0)).data)


def test_numpy_norm_on_a_tensor_runs_the_full_table():
    x = Tensor(_distinct_magnitudes((3, 3)), requires_grad=True)
    np.linalg.norm(x, "nuc").backward()
    u, _, vt = np.linalg.svd(x.data)
    np.testing.assert_allclose(x.grad, u @ vt, rtol=1e-10)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: la.norm(np.ones((2, 2, 2)), "fro"), ValueError, r"norm: improper number of dimensions to norm"),
        (lambda: la.norm(np.ones((2, 2, 2)), 2), ValueError, r"norm: improper number of dimensions to norm"),
        (lambda: la.norm(np.ones((2, 2, 2)), "nuc"), ValueError, r"norm: improper number of dimensions to norm"),
        (lambda: la.norm(np.ones((2, 2, 2)), None, (0, 1, 2)), ValueError, r"improper number of dimensions"),
        (lambda: la.norm(np.ones((2, 2)), 1, (1, -1)), ValueError, r"norm: duplicate axes given: axis=\(1, -1\)"),
        (lambda: la.norm(np.ones(3), "fro"), ValueError, r"norm: invalid norm order 'fro' for vectors"),
        (lambda: la.norm(np.ones(3), "nuc"), ValueError, r"norm: invalid norm order 'nuc' for vectors"),
        (lambda: la.norm(np.ones((2, 2)), 3), ValueError, r"norm: invalid norm order 3 for matrices"),
        (lambda: la.norm(np.ones((2, 2)), 0), ValueError, r"norm: invalid norm order 0 for matrices"),
        (lambda: la.norm(np.ones((2, 2)), axis=0, dim=1), TypeError, r"norm: got both axis=0 and dim=1"),
        (lambda: la.norm(np.ones(2), keepdims=True, keepdim=True), TypeError, r"norm: got both keepdims=True"),
        (lambda: la.vector_norm(np.ones(2), "fro"), ValueError, r"vector_norm: invalid norm order 'fro'"),
        (lambda: la.vector_norm(np.ones(2), dtype=np.int64), TypeError, r"vector_norm: dtype must be a floating"),
        (lambda: la.vector_norm(np.ones(2), dtype=np.float32), TypeError, r"vector_norm: .*float64 to float32"),
        (lambda: la.vector_norm(np.ones(2), axis=0, dim=0), TypeError, r"vector_norm: got both dim=0 and axis=0"),
        (lambda: la.matrix_norm(np.ones(3)), ValueError, r"matrix_norm: expected matrices .* shape \(3,\)"),
        (lambda: la.matrix_norm(np.ones((2, 2)), 3), ValueError, r"matrix_norm: invalid norm order 3 for matrices"),
        (lambda: la.matrix_norm(np.ones((2, 2, 2)), axis=0), ValueError, r"matrix_norm: axis must be two axes"),
        (lambda: la.matrix_norm(np.ones((2, 2)), axis=(0, 1), dim=(1, 0)), TypeError, r"matrix_norm: got both"),
    ],
)
def test_bad_norm_arguments_are_errors_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_rejects_the_same_norm_calls():
    """The ValueErrors above are numpy's: a 3-D array without axis has no matrix or vector norm but the 2-norm."""
    for ord in ("fro", "nuc", 2):
        with pytest.raises(ValueError, match="Improper number of dimensions to norm"):
            np.linalg.norm(np.ones((2, 2, 2)), ord)
    np.testing.assert_allclose(la.norm(np.ones((2, 2, 2))).data, np.sqrt(8.0))


def test_tensor_norm_of_p_nuc_is_the_nuclear_norm_as_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(8).standard_normal((2, 3, 4))
    x, t = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    x.norm(p="nuc", dim=(1, 2)).sum().backward()
    t.norm(p="nuc", dim=(1, 2)).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(Tensor(data[0]).norm(p="nuc").data, np.linalg.norm(data[0], "nuc"), rtol=1e-12)


@pytest.mark.parametrize("shape", [(2, 0, 3), (2, 3, 0), (0, 0)])
@pytest.mark.parametrize("ord", ["fro", "nuc", 1, 2, np.inf])
def test_matrix_norms_of_empty_matrices_are_zero_as_torch(ord, shape):
    """The largest of no singular values, column sums or row sums is 0 (torch's and numpy's), not an error."""
    torch = pytest.importorskip("torch")
    expected = torch.linalg.matrix_norm(torch.zeros(shape, dtype=torch.float64), ord).numpy()
    x = Tensor(np.zeros(shape), requires_grad=True)
    result = la.matrix_norm(x, ord)
    assert result.shape == expected.shape
    np.testing.assert_array_equal(result.data, expected)
    result.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(shape))


@pytest.mark.parametrize("ord", [2, 3, 0.5, -2, 1, np.inf])
def test_norm_over_axes_of_length_one_is_the_magnitude_beyond_the_square_range_as_torch(ord):
    """torch's norm of one entry is |x| for every order but 0: no square (or power) to overflow beyond 1e154 or
    underflow below 1e-154. Gradients against sign(x), as torch's wherever its formula does not overflow."""
    torch = pytest.importorskip("torch")
    data = np.array([[3e200], [-4e160], [1e-200], [-2.5], [0.0]])
    magnitudes = np.abs(data[:, 0])
    calls = {
        "Tensor.norm": lambda lib, x: x.norm(p=ord, dim=1),
        "vector_norm": lambda lib, x: lib.linalg.vector_norm(x, ord, dim=1),
        "vector_norm over two axes": lambda lib, x: lib.linalg.vector_norm(x.reshape(5, 1, 1), ord, dim=(1, 2)),
        "linalg.norm keepdim": lambda lib, x: lib.linalg.norm(x, ord, dim=1, keepdim=True).reshape(5),
    }
    import autograd

    for name, call in calls.items():
        theirs = call(torch, torch.tensor(data))
        np.testing.assert_array_equal(theirs.numpy(), magnitudes, err_msg=name)
        x = Tensor(data, requires_grad=True)
        ours = call(autograd, x)
        np.testing.assert_array_equal(ours.data, magnitudes, err_msg=name)
        ours.sum().backward()
        np.testing.assert_array_equal(x.grad[:, 0], np.sign(data[:, 0]), err_msg=name)
    frobenius = torch.linalg.matrix_norm(torch.tensor(data).reshape(5, 1, 1))
    np.testing.assert_array_equal(la.matrix_norm(data.reshape(5, 1, 1)).data, frobenius.numpy())
    np.testing.assert_array_equal(la.norm(data[:1]).data, torch.linalg.norm(torch.tensor(data[:1])).numpy())
