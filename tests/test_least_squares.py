"""linalg.lstsq and linalg.pinv beyond the op table's full-rank rows: numpy's extra results (residuals, rank,
singular values), rank-deficient matrices, cutoffs, batches and numpy dispatch; checked against numpy, finite
differences and torch."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from autograd import linalg as la

RNG = np.random.default_rng(3)
RANK_ONE = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])


@pytest.mark.parametrize("shape_a, shape_b", [((5, 3), (5,)), ((5, 3), (5, 2)), ((3, 3), (3, 2)), ((2, 4), (2,))])
@pytest.mark.parametrize("lstsq", [la.numpy_lstsq, np.linalg.lstsq, lambda a, b: la.lstsq(a, b, driver="gelsd")])
def test_numpys_lstsq_gives_numpys_four_results(shape_a, shape_b, lstsq):
    a, b = RNG.normal(size=shape_a), RNG.normal(size=shape_b)
    x, residuals, rank, s = lstsq(Tensor(a), Tensor(b))
    expected = np.linalg.lstsq(a, b, rcond=None)
    np.testing.assert_allclose(x.data, expected[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(residuals.data, expected[1], rtol=1e-10)
    assert residuals.shape == expected[1].shape
    assert rank == expected[2]
    np.testing.assert_allclose(s, expected[3], rtol=1e-12)


def test_lstsq_results_carry_torchs_names():
    result = la.lstsq(Tensor(RNG.normal(size=(4, 2))), Tensor(RNG.normal(size=(4, 1))), driver="gelsd")
    assert result.solution is result[0] and result.residuals is result[1]
    assert result.rank == 2 and result.singular_values.shape == (2,)


def test_lstsq_default_driver_is_torchs_gelsy_with_a_rank_tensor_and_empty_residuals():
    result = la.lstsq(Tensor(RNG.normal(size=(4, 2))), Tensor(RNG.normal(size=(4, 1))))
    assert isinstance(result.rank, Tensor) and result.rank.shape == () and result.rank.item() == 2
    assert result.residuals.shape == (0,) and result.singular_values.shape == (0,)


def test_lstsq_of_a_rank_deficient_matrix_is_the_least_norm_solution():
    b = RNG.normal(size=3)
    x, residuals, rank, _ = la.lstsq(Tensor(RANK_ONE), Tensor(b))
    expected = np.linalg.lstsq(RANK_ONE, b, rcond=None)
    np.testing.assert_allclose(x.data, expected[0], rtol=1e-10)
    assert rank == 1 and residuals.shape == (0,) == expected[1].shape


def test_lstsq_rcond_drops_small_singular_values_as_numpy():
    a = np.diag([3.0, 1e-3, 1.0])
    b = np.ones(3)
    for rcond in (None, 1e-2, -1):
        x, _, rank, _ = la.lstsq(Tensor(a), Tensor(b), rcond=rcond)
        expected = np.linalg.lstsq(a, b, rcond=rcond)
        np.testing.assert_allclose(x.data, expected[0], rtol=1e-10)
        assert rank == expected[2]


def test_numpys_lstsq_on_tensors_stays_in_the_graph():
    a = Tensor(RNG.normal(size=(4, 2)), requires_grad=True)
    x = np.linalg.lstsq(a, np.ones(4), rcond=None)[0]
    assert isinstance(x, Tensor) and x.requires_grad


@pytest.mark.parametrize("shape_a, shape_b", [((4, 2), (4, 3)), ((2, 3), (2,)), ((2, 4, 3), (2, 4, 1))])
def test_lstsq_gradients_match_finite_differences(shape_a, shape_b):
    a = Tensor(RNG.normal(size=shape_a) + 2 * np.eye(*shape_a[-2:]), requires_grad=True)
    b = Tensor(RNG.normal(size=shape_b), requires_grad=True)
    assert gradcheck(lambda a, b: la.lstsq(a, b).solution, [a, b])
    if shape_a[-2] > shape_a[-1]:
        assert gradcheck(lambda a, b: la.lstsq(a, b, driver="gelsd").residuals, [a, b])


def test_pinv_of_a_rank_deficient_matrix_is_numpys():
    np.testing.assert_allclose(la.pinv(RANK_ONE).data, np.linalg.pinv(RANK_ONE), rtol=1e-12)
    np.testing.assert_allclose(
        la.pinv(np.diag([2.0, 1e-3]), rcond=1e-2).data, np.linalg.pinv(np.diag([2.0, 1e-3]), 1e-2)
    )


def test_pinverse_takes_torchs_rcond():
    a = np.diag([2.0, 1e-3])
    np.testing.assert_allclose(Tensor(a).pinverse(rcond=1e-2).data, np.diag([0.5, 0.0]))


def test_bad_lstsq_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="lstsq: driver must be one of"):
        la.lstsq(np.eye(2), np.ones(2), driver="qr")
    with pytest.raises(ValueError, match="lstsq: expected"):
        la.lstsq(np.ones(3), np.ones(3))


# -- torch ------------------------------------------------------------------------------------------------------


def test_pinv_gradient_at_a_rank_deficient_matrix_is_torchs():
    torch = pytest.importorskip("torch")
    weights = RNG.normal(size=(2, 3))
    ours = Tensor(RANK_ONE, requires_grad=True)
    (la.pinv(ours) * weights).sum().backward()
    theirs = torch.tensor(RANK_ONE, requires_grad=True)
    (torch.linalg.pinv(theirs) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("atol, rtol", [(0.5, None), (None, 0.4), (0.1, 0.5), (0.0, 0.0)])
def test_pinv_cutoffs_match_torch(atol, rtol):
    torch = pytest.importorskip("torch")
    a = np.array([[3.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.2], [1.0, 1.0, 1.0]])
    ours = la.pinv(a, atol=atol, rtol=rtol).data
    theirs = torch.linalg.pinv(torch.tensor(a), atol=atol, rtol=rtol).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_batched_lstsq_matches_torch_with_gradients():
    torch = pytest.importorskip("torch")
    a, b = RNG.normal(size=(3, 5, 2)), RNG.normal(size=(3, 5, 2))
    weights = RNG.normal(size=(3, 2, 2))
    ours_a, ours_b = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (la.lstsq(ours_a, ours_b).solution * weights).sum().backward()
    theirs_a, theirs_b = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    solution = torch.linalg.lstsq(theirs_a, theirs_b).solution
    (solution * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(la.lstsq(a, b).solution.data, solution.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours_a.grad, theirs_a.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours_b.grad, theirs_b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("driver", ["gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shape_a, shape_b", [((5, 3), (5, 2)), ((2, 3), (2, 2)), ((2, 4, 3), (2, 4, 1))])
def test_lstsq_drivers_give_torchs_four_results_and_gradients(driver, shape_a, shape_b):
    # torch's gels gives residuals (of a tall A) but no rank, gelsy the rank but no residuals, gelsd and gelss
    # numpy's results; torch's empty results have shape (0,), and its residuals are in the graph even when empty
    torch = pytest.importorskip("torch")
    a, b = RNG.normal(size=shape_a), RNG.normal(size=shape_b)
    ours_a, ours_b = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    theirs_a, theirs_b = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours = la.lstsq(ours_a, ours_b, driver=driver)
    theirs = torch.linalg.lstsq(theirs_a, theirs_b, driver=driver)
    for mine, reference in zip(ours, theirs):
        have, want = np.asarray(getattr(mine, "data", mine)), reference.detach().numpy()
        assert have.shape == want.shape and have.dtype == want.dtype
        np.testing.assert_allclose(have, want, rtol=1e-10, atol=1e-12)
    weights = [RNG.normal(size=tuple(t.shape)) for t in theirs[:2]]
    our_grads = autograd.grad(ours[:2], [ours_a, ours_b], [Tensor(w) for w in weights])
    their_grads = torch.autograd.grad(theirs[:2], [theirs_a, theirs_b], [torch.tensor(w) for w in weights])
    for mine, reference in zip(our_grads, their_grads):
        np.testing.assert_allclose(mine, reference.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("atol, rtol", [(None, None), (0.5, None), (None, 0.4)])
def test_pinv_hermitian_reads_the_lower_triangle_as_torchs(atol, rtol):
    # torch (and numpy) take hermitian=True's A from its lower triangle, through eigh; the gradient is pinv's rule
    torch = pytest.importorskip("torch")
    a = RNG.normal(size=(2, 4, 4))
    weights = RNG.normal(size=(2, 4, 4))
    ours = Tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    got = la.pinv(ours, hermitian=True, atol=atol, rtol=rtol)
    want = torch.linalg.pinv(theirs, hermitian=True, atol=atol, rtol=rtol)
    np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-10, atol=1e-12)
    (got * weights).sum().backward()
    (want * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(la.pinv(a, hermitian=True).data, np.linalg.pinv(a, hermitian=True), rtol=1e-10)
