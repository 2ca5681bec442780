"""autograd's einsum sublist form, linalg's norms, slogdet, qr, lstsq, keyword names and error classes against
torch 2.13: values, shapes, result types and gradients (these also against finite differences in float64)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.linalg as la
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(31)


def _random_sublists(n_operands):
    """Random operand sublists over labels 0..51 (each label's size fixed), with an output sublist or none."""
    labels = RNG.choice(52, size=5, replace=False).tolist()
    sizes = {label: int(RNG.integers(1, 4)) for label in labels}
    sublists = [RNG.choice(labels, size=int(RNG.integers(1, 4))).tolist() for _ in range(n_operands)]
    operands = [RNG.standard_normal([sizes[label] for label in sublist]) for sublist in sublists]
    used = sorted({label for sublist in sublists for label in sublist})
    output = RNG.permutation(used)[: int(RNG.integers(0, len(used) + 1))].tolist()
    return operands, sublists, output


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("with_output", [False, True])
def test_einsum_sublist_form_orders_the_implicit_output_by_integer_label_as_torch(seed, with_output):
    operands, sublists, output = _random_sublists(1 + seed % 3)
    ours_args, torch_args = [], []
    for operand, sublist in zip(operands, sublists):
        ours_args += [Tensor(operand), sublist]
        torch_args += [torch.tensor(operand), sublist]
    if with_output:
        ours_args.append(output)
        torch_args.append(output)
    expected = torch.einsum(*torch_args).numpy()
    got = ag.einsum(*ours_args)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_einsum_sublist_form_puts_the_ellipsis_first_in_the_implicit_output_as_torch():
    a = RNG.standard_normal((2, 3, 4))
    for sublist in ([Ellipsis, 30, 3], [30, Ellipsis, 3], [3, 30, Ellipsis], [40, 2, Ellipsis]):
        expected = torch.einsum(torch.tensor(a), sublist).numpy()
        np.testing.assert_array_equal(ag.einsum(Tensor(a), sublist).numpy(), expected)


@pytest.mark.parametrize("sublist", [[52, 0], [-1, 0]])
def test_einsum_sublist_label_outside_0_to_51_raises_torchs_value_error(sublist):
    a = np.ones((2, 2))
    with pytest.raises(ValueError, match="range"):
        torch.einsum(torch.tensor(a), sublist)
    with pytest.raises(ValueError, match="range"):
        ag.einsum(Tensor(a), sublist)


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4)])
@pytest.mark.parametrize("ord", [2, 1, 0, 3.5, -1, float("inf"), float("-inf")])
@pytest.mark.parametrize("dim", [(), [], None, 0, (0, -1)])
def test_vector_norm_reads_a_positional_dim_as_torch_an_empty_one_reducing_everything(shape, ord, dim):
    if dim == (0, -1) and len(shape) == 1:
        dim = -1  # (0, -1) names a vector's one axis twice
    x = RNG.standard_normal(shape)
    expected = torch.linalg.vector_norm(torch.tensor(x), ord, dim, True).numpy()
    got = la.vector_norm(Tensor(x), ord, dim, True)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)


def test_vector_norm_numpy_axis_keyword_keeps_numpys_empty_axis_reducing_nothing():
    x = RNG.standard_normal((2, 3))
    np.testing.assert_allclose(la.vector_norm(Tensor(x), 2, axis=()).numpy(), np.linalg.vector_norm(x, axis=()))


@pytest.mark.parametrize("ord", [float("inf"), float("-inf"), -1, -2])
@pytest.mark.parametrize(("shape", "dim"), [((0,), ()), ((3, 0), ()), ((0, 3), (0, 1)), ((0, 3), 0)])
def test_vector_norm_without_identity_over_an_empty_axis_raises_torchs_runtime_error(ord, shape, dim):
    with pytest.raises(RuntimeError, match="vector_norm"):
        torch.linalg.vector_norm(torch.ones(shape), ord, dim)
    with pytest.raises(RuntimeError, match="vector_norm"):
        la.vector_norm(Tensor(np.ones(shape)), ord, dim)


def test_vector_norm_gradient_with_an_empty_positional_dim_matches_finite_differences():
    x = RNG.standard_normal((2, 3))
    assert ag.gradcheck(lambda t: la.vector_norm(t, 3, ()), [x])
    tx = torch.tensor(x, requires_grad=True)
    torch.linalg.vector_norm(tx, 3, ()).backward()
    ours = Tensor(x, requires_grad=True)
    la.vector_norm(ours, 3, ()).backward()
    np.testing.assert_allclose(ours.grad, tx.grad.numpy(), rtol=1e-12)


SINGULAR_MATRICES = [
    [[1.0, 2.0], [2.0, 4.0]],
    [[0.0, 1.0], [0.0, 1.0]],
    [[0.0, 0.0], [0.0, 0.0]],
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
    [[0.0]],
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("matrix", SINGULAR_MATRICES)
@pytest.mark.parametrize("function", ["logabsdet", "logdet", "sign_plus_logabsdet"])
def test_log_determinant_gradient_at_a_singular_matrix_is_torchs_infinities_and_nans(dtype, matrix, function):
    def apply(module_slogdet, x):
        sign, logabsdet = module_slogdet(x)
        if function == "logdet":
            return x.logdet()
        return logabsdet if function == "logabsdet" else sign + logabsdet

    a = np.array(matrix, dtype=dtype)
    expected = torch.tensor(a, requires_grad=True)
    apply(torch.linalg.slogdet, expected).backward()
    ours = Tensor(a, requires_grad=True)
    apply(la.slogdet, ours).backward()
    assert ours.grad.dtype == a.dtype
    np.testing.assert_array_equal(ours.grad, expected.grad.numpy())


def test_batched_slogdet_gradient_with_one_singular_matrix_is_torchs_and_a_inverse_for_the_others():
    regular = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    batch = np.concatenate([regular, [[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]]]])
    expected = torch.tensor(batch, requires_grad=True)
    torch.linalg.slogdet(expected).logabsdet.sum().backward()
    ours = Tensor(batch, requires_grad=True)
    la.slogdet(ours).logabsdet.sum().backward()
    np.testing.assert_allclose(ours.grad, expected.grad.numpy(), rtol=1e-12)
    assert ag.gradcheck(lambda m: la.slogdet(m).logabsdet, [regular])


def test_det_gradient_at_a_singular_matrix_stays_the_cofactor_matrix_unlike_torchs_zeros():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    ours = Tensor(a, requires_grad=True)
    la.det(ours).backward()
    np.testing.assert_allclose(ours.grad, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    assert ag.gradcheck(la.det, [a])


def test_qr_mode_r_returns_torchs_pair_with_an_empty_q():
    a = np.random.default_rng(0).standard_normal((2, 4, 3))
    ours, theirs = la.qr(a, mode="r"), torch.linalg.qr(torch.tensor(a), mode="r")
    assert ours.Q.shape == tuple(theirs.Q.shape) == (0,)
    np.testing.assert_allclose(np.abs(ours.R.data), np.abs(theirs.R.numpy()), rtol=1e-12)


@pytest.mark.parametrize("a", [np.zeros((3, 3)), np.zeros((4, 2)), np.array([[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]])])
def test_qr_gradient_at_a_rank_deficient_matrix_is_torchs_inf_and_nan_not_an_error(a):
    ours = Tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    q, r = la.qr(ours)
    (got,) = ag.grad(q.sum() + 2 * r.sum(), [ours])
    tq, tr = torch.linalg.qr(theirs)
    (expected,) = torch.autograd.grad(tq.sum() + 2 * tr.sum(), [theirs])
    assert not np.isfinite(expected.numpy()).all()
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("b_shape", [(2,), (2, 2), (2, 2, 1)])
def test_solve_gradient_of_a_matrix_with_an_inf_entry_is_torchs_nan_not_an_error(b_shape, create_graph):
    a = np.array([[[1.0, np.inf], [0.0, 1.0]], [[2.0, 1.0], [1.0, 3.0]]])
    b = np.arange(1.0, 5.0)[: int(np.prod(b_shape))].reshape(b_shape)
    ours_a, ours_b = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    theirs_a, theirs_b = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    got = ag.grad(la.solve(ours_a, ours_b).sum(), [ours_a, ours_b], create_graph=create_graph)
    expected = torch.autograd.grad(torch.linalg.solve(theirs_a, theirs_b).sum(), [theirs_a, theirs_b])
    for ours, theirs in zip(got, expected):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((5, 3), (5, 2)), ((5, 3), (5,)), ((4, 5, 3), (4, 5, 2)), ((4, 5, 3), (4, 5)), ((3, 5), (3,))],
)
def test_lstsq_default_driver_gives_torchs_gelsy_results(a_shape, b_shape):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    ours, theirs = la.lstsq(a, b), torch.linalg.lstsq(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(ours.solution.data, theirs.solution.numpy(), rtol=1e-9, atol=1e-12)
    for field in ("residuals", "singular_values"):
        assert np.shape(getattr(ours, field)) == tuple(getattr(theirs, field).shape) == (0,)
    assert isinstance(ours.rank, Tensor) and ours.rank.dtype == np.int64
    assert ours.rank.shape == tuple(theirs.rank.shape)
    np.testing.assert_array_equal(ours.rank.data, theirs.rank.numpy())


@pytest.mark.parametrize("driver", ["gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("a_shape", [(3, 3), (2, 4, 3)])
def test_lstsq_with_a_driver_gives_rank_and_singular_values_as_tensors_as_torch(driver, a_shape):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(a_shape[:-1] + (2,))
    ours, theirs = la.lstsq(a, b, driver=driver), torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for field in ("rank", "singular_values"):
        got, expected = getattr(ours, field), getattr(theirs, field)
        assert isinstance(got, Tensor), field
        assert got.shape == tuple(expected.shape) and got.dtype == np.dtype(str(expected.dtype).split(".")[1]), field
        assert not got.requires_grad
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12)


def test_numpy_lstsq_on_tensors_keeps_numpys_results():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    x, residuals, rank, s = np.linalg.lstsq(Tensor(a), Tensor(b))
    expected = np.linalg.lstsq(a, b)
    np.testing.assert_allclose(residuals.data, expected[1], rtol=1e-9)
    assert rank == expected[2] and isinstance(rank, int)
    np.testing.assert_allclose(s, expected[3], rtol=1e-12)


@pytest.mark.parametrize(("a_shape", "b_shape"), [((3, 3), (3,)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3,))])
@pytest.mark.parametrize("function", ["solve", "solve_ex"])
def test_solve_left_false_refuses_vectors_as_torch(a_shape, b_shape, function):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(a_shape) + 3 * np.eye(3), rng.standard_normal(b_shape)
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        getattr(torch.linalg, function)(torch.tensor(a), torch.tensor(b), left=False)
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        getattr(la, function)(a, b, left=False)


def test_solve_left_false_with_matrices_matches_torch():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3), rng.standard_normal((2, 4, 3))
    expected = torch.linalg.solve(torch.tensor(a), torch.tensor(b), left=False).numpy()
    np.testing.assert_allclose(la.solve(a, b, left=False).data, expected, rtol=1e-10)


def _both_raise_runtime_error(ours, theirs):
    with pytest.raises(RuntimeError):
        theirs(torch)
    with pytest.raises(RuntimeError):
        ours(ag)


_SQUARE = np.arange(9.0).reshape(3, 3)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.tensordot(m.tensor(_SQUARE), m.tensor(_SQUARE), dims=3),
        lambda m: m.tensordot(m.tensor(_SQUARE), m.tensor(_SQUARE), dims=-1),
        lambda m: m.cross(m.tensor(np.ones((2, 4))), m.tensor(np.ones((2, 4)))),
        lambda m: m.linalg.cross(m.tensor(np.ones((2, 4))), m.tensor(np.ones((2, 4)))),
        lambda m: m.linalg.norm(m.tensor(_SQUARE), ord="bad"),
        lambda m: m.linalg.norm(m.tensor(_SQUARE), ord=3, dim=(0, 1)),
        lambda m: m.linalg.matrix_norm(m.tensor(_SQUARE), ord=3),
        lambda m: m.linalg.matrix_norm(m.tensor(_SQUARE), dim=(0, 1, 1)),
        lambda m: m.linalg.norm(m.tensor(_SQUARE), dim=(0, 1, 1)),
        lambda m: m.linalg.norm(m.tensor(np.ones(3)), dim=(0, 0)),
        lambda m: m.linalg.norm(m.tensor(np.ones(3)), dim=(0, -1)),
        lambda m: m.linalg.eigh(m.tensor(_SQUARE), UPLO="X"),
        lambda m: m.linalg.qr(m.tensor(_SQUARE), mode="full"),
        lambda m: m.linalg.multi_dot([m.tensor(_SQUARE)]),
        lambda m: m.linalg.multi_dot([m.tensor(_SQUARE), m.tensor(np.ones(3)), m.tensor(_SQUARE)]),
        lambda m: m.addr(m.tensor(_SQUARE), m.tensor(np.ones((3, 1))), m.tensor(np.ones(3))),
        lambda m: m.linalg.svd(m.tensor(_SQUARE), driver="gesvd"),
        lambda m: m.chain_matmul(),
        lambda m: m.chain_matmul(m.tensor(np.ones(3))),
        lambda m: m.chain_matmul(m.tensor(np.ones(3)), m.tensor(_SQUARE)),
        lambda m: m.chain_matmul(m.tensor(_SQUARE), m.tensor(np.ones((2, 2)))),
    ],
)
@pytest.mark.filterwarnings("ignore:.*(chain_matmul|torch.cross).*:UserWarning")  # torch's deprecations
def test_bad_linear_algebra_arguments_raise_runtime_error_as_torch(call):
    _both_raise_runtime_error(call, call)


@pytest.mark.parametrize("dim", [0, -1, (0,)])
@pytest.mark.parametrize("ord", [None, 1, 0, np.inf, 3])
@pytest.mark.parametrize("keepdim", [False, True])
def test_norm_of_a_0d_input_over_dim_0_or_minus_1_is_torchs_value(dim, ord, keepdim):
    expected = torch.linalg.norm(torch.tensor(-2.5, dtype=torch.float64), ord=ord, dim=dim, keepdim=keepdim)
    x = Tensor(np.array(-2.5), requires_grad=True)
    result = la.norm(x, ord=ord, dim=dim, keepdim=keepdim)
    assert result.shape == tuple(expected.shape)
    np.testing.assert_allclose(result.data, expected.numpy())
    assert ag.gradcheck(lambda t: la.norm(t, ord=ord, dim=dim, keepdim=keepdim), [np.array(-2.5)])


@pytest.mark.filterwarnings("ignore:.*chain_matmul.*:UserWarning")  # torch's deprecation
@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_chain_matmul_is_torchs_product_of_matrices(count):
    rng = np.random.default_rng(5)
    shapes = [(2, 3), (3, 4), (4, 1), (1, 5)][:count]
    matrices = [rng.standard_normal(shape) for shape in shapes]
    expected = torch.chain_matmul(*map(torch.tensor, matrices)).numpy()
    np.testing.assert_allclose(ag.chain_matmul(*map(Tensor, matrices)).data, expected, rtol=1e-12)
    assert ag.gradcheck(lambda *ms: ag.chain_matmul(*ms), matrices)


def test_torchs_keyword_names_work_beside_the_librarys():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((3, 3)) + 3 * np.eye(3), rng.standard_normal((3, 2))
    ta, tb = torch.tensor(a), torch.tensor(b)
    close = np.testing.assert_allclose
    close(la.det(A=a).data, torch.linalg.det(A=ta).numpy(), rtol=1e-12)
    close(la.det(a=a).data, torch.linalg.det(A=ta).numpy(), rtol=1e-12)
    close(la.slogdet(A=a).logabsdet.data, torch.linalg.slogdet(A=ta).logabsdet.numpy(), rtol=1e-12)
    close(la.inv(A=a).data, torch.linalg.inv(A=ta).numpy(), rtol=1e-12)
    close(la.solve(A=a, B=b).data, torch.linalg.solve(A=ta, B=tb).numpy(), rtol=1e-12)
    close(la.solve(a=a, b=b).data, torch.linalg.solve(A=ta, B=tb).numpy(), rtol=1e-12)
    close(la.svd(A=a, driver=None).S.data, torch.linalg.svd(A=ta, driver=None).S.numpy(), rtol=1e-12)
    close(la.svdvals(A=a).data, torch.linalg.svdvals(A=ta).numpy(), rtol=1e-12)
    close(np.abs(la.qr(A=a).R.data), np.abs(torch.linalg.qr(A=ta).R.numpy()), rtol=1e-12)
    u, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    expected = torch.linalg.cross(input=torch.tensor(u), other=torch.tensor(v)).numpy()
    close(la.cross(input=u, other=v).data, expected, rtol=1e-12)
    close(la.cross(a=u, b=v).data, expected, rtol=1e-12)
    expected = torch.linalg.multi_dot(tensors=[ta, ta, tb]).numpy()
    close(la.multi_dot(tensors=[a, a, b]).data, expected, rtol=1e-12)
    close(la.multi_dot(arrays=[a, a, b]).data, expected, rtol=1e-12)
    with pytest.raises(TypeError, match="A"):
        la.det(a, A=a)


def test_det_and_slogdet_of_a_matrix_with_a_nan_entry_are_nan_with_sign_0_as_torch():
    a = np.array([[[np.nan, 1.0], [1.0, 1.0]], [[1.0, np.inf], [0.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]])
    ours, theirs = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    np.testing.assert_allclose(la.det(ours).numpy(), torch.linalg.det(theirs).detach().numpy(), rtol=1e-15)
    sign, logabsdet = la.slogdet(ours)
    expected = torch.linalg.slogdet(theirs)
    np.testing.assert_array_equal(sign.numpy(), expected.sign.detach().numpy())
    np.testing.assert_allclose(logabsdet.numpy(), expected.logabsdet.detach().numpy(), rtol=1e-15)
    (got,) = ag.grad(la.det(ours).sum(), [ours])
    (want,) = torch.autograd.grad(torch.linalg.det(theirs).sum(), [theirs])
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, f: lib.linalg.norm(f(np.ones(3)), "fro"),
        lambda lib, f: lib.linalg.cond(f(np.eye(3)), 3),
        lambda lib, f: lib.linalg.vector_norm(f(np.ones(3)), dtype=lib.float32),
        lambda lib, f: lib.linalg.matrix_norm(f(np.ones((2, 2))), dtype=lib.float32),
        lambda lib, f: lib.linalg.vector_norm(f(np.ones(3)), dtype=lib.int64),
        lambda lib, f: lib.linalg.lstsq(f(np.eye(3)), f(np.ones((3, 1))), driver="foo"),
    ],
)
def test_invalid_norm_orders_dtypes_and_drivers_raise_a_runtime_error_as_torch(call):
    with pytest.raises(RuntimeError):
        call(torch, torch.tensor)
    with pytest.raises(RuntimeError):
        call(ag, Tensor)


_SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("matrix_exp", {}), ("cholesky", {}), ("cholesky_ex", {}), ("pinv", {}), ("eigvalsh", {}), ("eigh", {}),
        ("matrix_norm", {}), ("vector_norm", {}), ("norm", {}), ("cond", {}), ("matrix_rank", {}),
        ("matrix_power", {"n": 2}), ("tensorinv", {"ind": 1}), ("householder_product", {"tau": np.ones(2)}),
        ("tensorsolve", {"other": np.ones(3)}),
    ],
)  # fmt: skip
def test_linalg_functions_take_torchs_input_keyword(name, arguments):
    expected = getattr(torch.linalg, name)(
        input=torch.tensor(_SPD),
        **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in arguments.items()},
    )
    got = getattr(la, name)(input=Tensor(_SPD), **arguments)
    for ours, theirs in zip(
        got if isinstance(got, tuple) else (got,), expected if isinstance(got, tuple) else (expected,)
    ):
        np.testing.assert_allclose(np.abs(np.asarray(ours.data)), np.abs(theirs.numpy()), rtol=1e-12)


@pytest.mark.parametrize("uplo", ["l", "u"])
def test_eigh_takes_a_lower_case_uplo_as_torch_and_numpy(uplo):
    a = np.array([[2.0, 5.0], [-1.0, 3.0]])
    expected = torch.linalg.eigvalsh(torch.tensor(a), UPLO=uplo).numpy()
    np.testing.assert_allclose(la.eigvalsh(a, UPLO=uplo).data, expected, rtol=1e-12)
    np.testing.assert_allclose(la.eigh(a, UPLO=uplo).eigenvalues.data, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "arguments", "out_dtype"),
    [
        ("inv", (_SPD,), np.float64), ("det", (_SPD,), np.float64), ("solve", (_SPD, np.ones((3, 2))), np.float64),
        ("cholesky", (_SPD,), np.float64), ("pinv", (_SPD,), np.float64), ("svdvals", (_SPD,), np.float64),
        ("matrix_norm", (_SPD,), np.float64), ("vector_norm", (_SPD,), np.float64), ("norm", (_SPD,), np.float64),
        ("cond", (_SPD,), np.float64), ("matrix_rank", (_SPD,), np.int64), ("matrix_power", (_SPD, 2), np.float64),
        ("cross", (_SPD, _SPD), np.float64), ("vecdot", (_SPD, _SPD), np.float64),
        ("eigvalsh", (_SPD,), np.float64), ("householder_product", (_SPD, np.ones(2)), np.float64),
        ("tensorinv", (_SPD, 1), np.float64), ("tensorsolve", (_SPD, np.ones(3)), np.float64),
    ],
)  # fmt: skip
def test_linalg_functions_write_into_out_as_torch(name, arguments, out_dtype):
    def call(lib, wrap, out):
        return getattr(lib.linalg, name)(*(wrap(x) if isinstance(x, np.ndarray) else x for x in arguments), out=out)

    theirs_out = torch.empty(0, dtype=torch.int64 if out_dtype == np.int64 else torch.float64)
    ours_out = Tensor(np.empty(0, dtype=out_dtype))
    assert call(ag, Tensor, ours_out) is ours_out
    call(torch, torch.tensor, theirs_out)
    np.testing.assert_allclose(ours_out.numpy(), theirs_out.numpy(), rtol=1e-12, atol=1e-15)
    if out_dtype == np.float64:  # another dtype, or a write out of a graph, is torch's RuntimeError
        with pytest.raises(RuntimeError):
            call(ag, Tensor, Tensor(np.empty(0, dtype=np.float32)))
        with pytest.raises(RuntimeError):
            getattr(la, name)(Tensor(_SPD, requires_grad=True), *arguments[1:], out=Tensor(np.empty(0)))


@pytest.mark.parametrize("p", ["fro", 1, -1, np.inf, -np.inf])
def test_cond_of_a_matrix_with_a_nan_or_inf_entry_is_torchs_inf(p):
    a = np.array([[[1.0, np.nan], [0.0, 1.0]], [[1.0, np.inf], [0.0, 1.0]], [[2.0, 1.0], [1.0, 3.0]]])
    ours = Tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    got, expected = la.cond(ours, p), torch.linalg.cond(theirs, p)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), rtol=1e-12)
    (gradient,) = ag.grad(got.sum(), [ours])
    assert np.isfinite(gradient.numpy()[2]).all()  # (torch's backward of the others fails)


@pytest.mark.parametrize(("name", "fields"), [("slogdet", 2), ("svd", 3), ("qr", 2), ("eigh", 2)])
def test_linalg_factorisations_write_into_a_tuple_out_as_torch(name, fields):
    ours_out = tuple(Tensor(np.empty(0)) for _ in range(fields))
    theirs_out = tuple(torch.empty(0, dtype=torch.float64) for _ in range(fields))
    got = getattr(la, name)(Tensor(_SPD), out=ours_out)
    getattr(torch.linalg, name)(torch.tensor(_SPD), out=theirs_out)
    assert all(x is y for x, y in zip(got, ours_out))
    for ours, theirs in zip(ours_out, theirs_out):
        np.testing.assert_allclose(np.abs(ours.numpy()), np.abs(theirs.numpy()), rtol=1e-12, atol=1e-15)
