"""Wishart against torch.distributions.Wishart (float64): log_prob, moments and entropy with their gradients in df
and each form of the scale matrix, broadcast batch shapes, torch's argument checks, and Bartlett draws whose
gradients are those of their expectation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import autograd.distributions as ours

torch = pytest.importorskip("torch")
td = torch.distributions

RNG = np.random.default_rng(7)
_A = RNG.normal(size=(2, 3, 3))
SIGMA = _A @ np.swapaxes(_A, -1, -2) + np.eye(3)  # batch (2,) of 3 x 3
FORMS = {
    "covariance_matrix": SIGMA,
    "precision_matrix": np.linalg.inv(SIGMA),
    "scale_tril": np.linalg.cholesky(SIGMA),
}
DF = np.array([[4.5], [3.2], [7.0]])  # batch (3, 1): with the matrices', (3, 2)


def _values():
    """Positive-definite 3 x 3 matrices B B^T (B 3 x 5), of shape sample (2,) + batch (3, 2)."""
    b = np.random.default_rng(9).normal(size=(2, 3, 2, 3, 5))
    return b @ np.swapaxes(b, -1, -2)


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("method", ["log_prob", "mean", "variance", "mode", "entropy"])
def test_values_and_gradients_match_torch(form, method):
    mine_df, their_df = autograd.tensor(DF, requires_grad=True), torch.tensor(DF, requires_grad=True)
    mine_m, their_m = autograd.tensor(FORMS[form], requires_grad=True), torch.tensor(FORMS[form], requires_grad=True)
    mine = ours.Wishart(mine_df, **{form: mine_m})
    theirs = td.Wishart(their_df, **{form: their_m})
    assert tuple(mine.batch_shape) == tuple(theirs.batch_shape) == (3, 2)
    assert tuple(mine.event_shape) == tuple(theirs.event_shape) == (3, 3)
    if method == "log_prob":
        value = _values()
        out, expected = mine.log_prob(autograd.tensor(value)), theirs.log_prob(torch.tensor(value))
    elif method == "entropy":
        out, expected = mine.entropy(), theirs.entropy()
    else:
        out, expected = getattr(mine, method), getattr(theirs, method)
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-10, equal_nan=True)
    finite = np.isfinite(expected.detach().numpy()).astype(float)
    out.backward(autograd.tensor(finite))
    expected.backward(torch.tensor(finite))
    np.testing.assert_allclose(mine_df.grad, their_df.grad.numpy(), rtol=1e-9, atol=1e-12)
    their_grad = their_m.grad.numpy()
    if form == "scale_tril" and method == "log_prob":  # (torch's cholesky_solve gives a gradient to the upper
        # triangle, which its log_prob does not read)
        their_grad = np.tril(their_grad)
    np.testing.assert_allclose(np.asarray(mine_m.grad), their_grad, rtol=1e-9, atol=1e-12)


def test_arguments_are_checked_as_torch():
    sigma = autograd.tensor(SIGMA[0])
    for module, matrix in ((ours, sigma), (td, torch.tensor(SIGMA[0]))):
        with pytest.raises(ValueError, match="df"):
            module.Wishart(2.0, covariance_matrix=matrix)  # df <= p - 1
        with pytest.raises(ValueError):
            module.Wishart(4.0, covariance_matrix=-matrix, validate_args=True)
        with pytest.warns(UserWarning, match="Low df"):
            module.Wishart(2.5, covariance_matrix=matrix)
    with pytest.raises(ValueError, match="Exactly one"):
        ours.Wishart(4.0, covariance_matrix=sigma, scale_tril=sigma)
    with pytest.raises(ValueError, match="support"):
        ours.Wishart(4.0, covariance_matrix=sigma, validate_args=True).log_prob(-sigma)
    from autograd.distributions.wishart import Wishart

    assert Wishart is ours.Wishart


def test_rsample_draws_positive_definite_matrices_whose_gradients_are_those_of_the_mean():
    """E[X] = df Sigma = df L L^T: the draws' average gradient of sum(W * X) is sum(W * Sigma) in df and
    df (W + W^T) L in L."""
    scale = np.linalg.cholesky(SIGMA[0])
    weights = RNG.normal(size=(3, 3))
    df = autograd.tensor([4.5, 7.0], requires_grad=True)
    scale_tril = autograd.tensor(scale, requires_grad=True)
    autograd.manual_seed(8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (df >= p: no low-df warning)
        wishart = ours.Wishart(df, scale_tril=scale_tril)
    assert wishart.has_rsample and td.Wishart(4.0, covariance_matrix=torch.eye(3)).has_rsample
    draws = wishart.rsample((20_000,))
    assert draws.shape == (20_000, 2, 3, 3)
    assert ours.constraints.positive_definite.check(draws.data[:100]).all()
    (draws.mean(0) * autograd.tensor(weights)).sum().backward()
    np.testing.assert_allclose(df.grad, [(weights * SIGMA[0]).sum()] * 2, rtol=0.03)
    expected = 11.5 * (weights + weights.T) @ scale
    np.testing.assert_allclose(scale_tril.grad, expected, atol=0.03 * np.abs(expected).max())


def test_kl_divergence_between_wisharts_matches_torch_with_gradients():
    """torch's KL here is its ExponentialFamily Bregman divergence, right for a single pair but not for a batch of
    them (it gives 85.1 and 8.63 for the pairs below, whose KLs are 88.1 and 6.17, as its own single-pair values and
    Monte Carlo agree): so each pair is compared alone, and the batch against those."""
    other = RNG.normal(size=(3, 3))
    q_precisions = np.stack([other @ other.T + np.eye(3), np.eye(3)])
    df_p, df_q = np.array([4.5, 6.0]), np.array([3.5, 7.0])

    def kl(module, make, arrays):
        df_p, sigma_p, df_q, precision_q = arrays
        p = module.Wishart(df_p, covariance_matrix=sigma_p)
        return module.kl_divergence(p, module.Wishart(df_q, precision_matrix=precision_q))

    batch = kl(ours, autograd.tensor, [autograd.tensor(a) for a in (df_p, SIGMA, df_q, q_precisions)])
    for i in range(2):
        arrays = [df_p[i], SIGMA[i], df_q[i], q_precisions[i]]
        mine = [autograd.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out, expected = kl(ours, autograd.tensor, mine), kl(td, torch.tensor, theirs)
        np.testing.assert_allclose(float(out.data), expected.item(), rtol=1e-10)
        np.testing.assert_allclose(batch.data[i], expected.item(), rtol=1e-10)
        out.backward()
        expected.backward()
        for leaf, their_leaf in zip(mine[2:], theirs[2:]):  # (torch's Bregman divergence detaches p's parameters)
            np.testing.assert_allclose(np.asarray(leaf.grad), their_leaf.grad.numpy(), rtol=1e-8, atol=1e-12)

        def torch_kl_at(df, sigma, i=i):  # p's gradients: central differences of torch's KL
            return kl(td, torch.tensor, [torch.tensor(a) for a in (df, sigma, df_q[i], q_precisions[i])]).item()

        h = 1e-6
        slope = (torch_kl_at(df_p[i] + h, SIGMA[i]) - torch_kl_at(df_p[i] - h, SIGMA[i])) / (2 * h)
        np.testing.assert_allclose(float(mine[0].grad), slope, rtol=1e-6)
        for k in range(3):  # (a diagonal entry: read once, whichever triangle a Cholesky factor reads)
            step = np.zeros((3, 3))
            step[k, k] = h
            slope = (torch_kl_at(df_p[i], SIGMA[i] + step) - torch_kl_at(df_p[i], SIGMA[i] - step)) / (2 * h)
            np.testing.assert_allclose(mine[1].grad[k, k], slope, rtol=1e-6)
    broadcast = kl(ours, autograd.tensor, [autograd.tensor(a) for a in (df_p[:, None], SIGMA, df_q, q_precisions)])
    for i, j in np.ndindex(2, 2):  # entry (i, j): p's df i and matrix j, q's entry j
        one = kl(td, torch.tensor, [torch.tensor(a) for a in (df_p[i], SIGMA[j], df_q[j], q_precisions[j])])
        np.testing.assert_allclose(broadcast.data[i, j], one.item(), rtol=1e-10)
