"""An in-place change through any view of a leaf that requires grad is refused while recording, as torch's, and
leaves the leaf as it was (its values, a leaf, trained by the next backward); inside no_grad() it goes through."""

import numpy as np
import pytest

import autograd as ag

VIEW_CHANGES = {
    "T.mul_": lambda w: w.T.mul_(2),
    "t().add_": lambda w: w.t().add_(1),
    "mT.zero_": lambda w: w.mT.zero_(),
    "view(-1).add_": lambda w: w.view(-1).add_(1),
    "reshape.sub_": lambda w: w.reshape(4).sub_(1),
    "flatten.fill_": lambda w: w.flatten().fill_(0.5),
    "unsqueeze.mul_": lambda w: w.unsqueeze(0).mul_(3),
    "permute.div_": lambda w: w.permute(1, 0).div_(2),
    "transpose.exp_": lambda w: w.transpose(0, 1).exp_(),
    "diagonal.zero_": lambda w: w.diagonal().zero_(),
    "T[0].add_": lambda w: w.T[0].add_(1),
    "T[0] +=": lambda w: w.T[0].__iadd__(1),
    "view setitem": lambda w: w.view(-1).__setitem__(0, 5.0),
    "row add_": lambda w: w[0].add_(1),
}


@pytest.mark.parametrize("change", list(VIEW_CHANGES), ids=list(VIEW_CHANGES))
def test_in_place_change_through_a_view_of_a_leaf_that_requires_grad_raises_and_changes_nothing(change):
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        VIEW_CHANGES[change](w)
    assert w.is_leaf and w.grad_fn is None
    np.testing.assert_array_equal(w.data, [[1.0, 2.0], [3.0, 4.0]])
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [[2.0, 4.0], [6.0, 8.0]])

    torch = pytest.importorskip("torch")
    theirs = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with pytest.raises(RuntimeError):
        VIEW_CHANGES[change](theirs)


def test_the_same_changes_inside_no_grad_and_on_a_non_leaf_go_through():
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with ag.no_grad():
        w.T.mul_(2)
    assert w.is_leaf
    np.testing.assert_array_equal(w.data, [[2.0, 4.0], [6.0, 8.0]])

    leaf = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = leaf * 1.0
    x.T.mul_(np.array([[1.0, 1.0], [3.0, 3.0]]))  # column 1 of x tripled
    x.sum().backward()
    np.testing.assert_array_equal(leaf.grad, [[1.0, 3.0], [1.0, 3.0]])
