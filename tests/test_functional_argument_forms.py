"""Argument forms torch's nn.functional takes: a tuple dim for normalize, linear's 1-D weight and broadcast bias,
pdist of featureless rows; and errors that name the argument at fault."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(0)


def test_normalize_over_a_tuple_of_axes_divides_by_their_joint_norm():
    x = RNG.standard_normal((2, 3, 4))
    expected = x / np.sqrt((x**2).sum(axis=(1, 2), keepdims=True))
    np.testing.assert_allclose(F.normalize(Tensor(x), dim=(1, 2)).data, expected, rtol=1e-12)
    gradcheck(lambda t: F.normalize(t, dim=(1, -1)), [Tensor(x, requires_grad=True)])
    with pytest.raises(ValueError, match="names an axis twice"):
        F.normalize(Tensor(x), dim=(1, 1))


def test_linear_with_a_one_dimensional_weight_drops_the_output_axis():
    x, w = RNG.standard_normal((2, 3)), RNG.standard_normal(3)
    np.testing.assert_allclose(F.linear(Tensor(x), Tensor(w)).data, x @ w, rtol=1e-12)
    np.testing.assert_allclose(F.linear(Tensor(x), Tensor(w), Tensor(np.array(0.5))).data, x @ w + 0.5, rtol=1e-12)
    gradcheck(lambda t, v: F.linear(t, v), [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)])


def test_linear_broadcasts_a_bias_of_another_shape():
    x, w, b = RNG.standard_normal((2, 3)), RNG.standard_normal((4, 3)), RNG.standard_normal(1)
    np.testing.assert_allclose(F.linear(Tensor(x), Tensor(w), Tensor(b)).data, x @ w.T + b, rtol=1e-12)
    gradcheck(
        lambda t, v, c: F.linear(t, v, c),
        [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)],
    )
    with pytest.raises(ValueError, match=r"bias of shape \(3,\) does not expand to the output's shape \(2, 4\)"):
        F.linear(Tensor(x), Tensor(w), Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match=r"bias of shape \(7, 2, 1\) does not expand"):
        F.linear(Tensor(x), Tensor(w), Tensor(np.zeros((7, 2, 1))))


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, np.inf])
def test_pdist_of_rows_without_features_is_zero_in_every_norm(p):
    np.testing.assert_array_equal(F.pdist(Tensor(np.zeros((4, 0))), p=p).data, np.zeros(6))


def test_batch_norm_names_a_momentum_that_is_not_a_number():
    with pytest.raises(TypeError, match="batch_norm: momentum must be a real number, got None"):
        F.batch_norm(Tensor(np.ones((4, 3))), np.zeros(3), np.ones(3), training=True, momentum=None)


def test_ranking_losses_name_the_mismatched_argument():
    with pytest.raises(ValueError, match=r"input2 shape \(4,\) does not match input1 shape \(5,\)"):
        F.margin_ranking_loss(Tensor(np.zeros(5)), Tensor(np.zeros(4)), Tensor(np.ones(5)))
    anchor = Tensor(np.zeros((4, 6)))
    with pytest.raises(ValueError, match=r"negative shape \(3, 6\) does not match anchor shape \(4, 6\)"):
        F.triplet_margin_loss(anchor, Tensor(np.zeros((4, 6))), Tensor(np.zeros((3, 6))))
    with pytest.raises(ValueError, match=r"positive shape \(3, 6\) does not match anchor shape \(4, 6\)"):
        F.triplet_margin_loss(anchor, Tensor(np.zeros((3, 6))), Tensor(np.zeros((4, 6))))


@pytest.mark.parametrize("options", [{"dim": None}, {"p": "fro"}, {"p": "fro", "dim": None}, {"p": 1.0, "dim": None}])
def test_normalize_takes_torchs_dim_none_and_frobenius_order(options):
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, -2.0, 0.5], [3.0, 4.0, -1.5]])
    ours = Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    weights = np.arange(6.0).reshape(2, 3)
    (F.normalize(ours, **options) * Tensor(weights)).sum().backward()
    (torch.nn.functional.normalize(theirs, **options) * torch.tensor(weights)).sum().backward()
    expected = torch.nn.functional.normalize(torch.tensor(x), **options).numpy()
    np.testing.assert_allclose(F.normalize(Tensor(x), **options).data, expected, rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)
