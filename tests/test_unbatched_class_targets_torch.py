"""cross_entropy and nll_loss of one unbatched (C,) sample, with the targets torch takes for it: a 0-d class or,
as torch's check allows ("For 1D input, 1D target must have size 1"), a (1,) one, read as that class (a 0-d
result under "none"; torch's backward then fails on the shapes, here the gradient is the 0-d target's); other
target shapes raise torch's classes (a (k,) target its ValueError, one of two or more axes its RuntimeError)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

SCORES = np.array([0.3, -1.2, 2.0])
WEIGHT = np.array([0.5, 2.0, 1.5])
OPTIONS = [{}, {"weight": WEIGHT}, {"ignore_index": 1}, {"ignore_index": 0, "weight": WEIGHT}]


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_a_one_entry_target_beside_one_unbatched_sample_is_its_class_as_torch(loss, reduction, options):
    ours, theirs = Tensor(SCORES, requires_grad=True), torch.tensor(SCORES, requires_grad=True)
    torch_options = {k: torch.tensor(v) if k == "weight" else v for k, v in options.items()}
    out = getattr(F, loss)(ours, np.array([1]), reduction=reduction, **options)
    expected = getattr(torch.nn.functional, loss)(theirs, torch.tensor([1]), reduction=reduction, **torch_options)
    assert out.shape == tuple(expected.shape) == ()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    if not np.isnan(expected.item()):  # (torch's backward refuses the (1,) target: the 0-d one's gradient)
        out.backward()
        getattr(torch.nn.functional, loss)(theirs, torch.tensor(1), reduction=reduction, **torch_options).backward()
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_the_loss_layers_take_a_one_entry_target_beside_one_unbatched_sample_too():
    expected = torch.nn.CrossEntropyLoss(label_smoothing=0.0)(torch.tensor(SCORES), torch.tensor([2])).item()
    assert nn.CrossEntropyLoss()(SCORES, np.array([2])).item() == pytest.approx(expected, rel=1e-12)
    log_probs = SCORES - np.log(np.exp(SCORES).sum())
    assert nn.NLLLoss()(log_probs, np.array([2])).item() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("target", [[[1]], [[1, 2]], [1, 2], []], ids=str)
def test_other_targets_of_one_unbatched_sample_raise_torchs_error_classes(loss, target):
    indices = np.array(target, dtype=np.int64)
    with pytest.raises(Exception) as theirs:
        getattr(torch.nn.functional, loss)(torch.tensor(SCORES), torch.tensor(indices))
    with pytest.raises(theirs.type, match=loss):
        getattr(F, loss)(SCORES, indices)


@pytest.mark.parametrize(
    ("scores", "target"),
    [
        ((3,), np.array([0, 1, 1])),  # an integer target of the input's shape: probabilities, which must be floats
        ((1,), np.array([0])),  # so even where it is also a (1,) class
        ((3,), np.array(1.0)),  # float class indices beside one unbatched sample: torch's dtype error first
        ((3,), np.array([1.0])),
        ((3,), np.array([1.0, 0.0])),
        ((2, 3), np.array([[0, 1, 1], [1, 0, 0]])),
    ],
    ids=str,
)
def test_cross_entropy_targets_of_the_wrong_dtype_raise_torchs_runtime_error(scores, target):
    values = np.linspace(-1.0, 1.0, int(np.prod(scores))).reshape(scores)
    with pytest.raises(RuntimeError):
        torch.nn.functional.cross_entropy(torch.tensor(values), torch.tensor(target))
    with pytest.raises(RuntimeError, match="cross_entropy"):
        F.cross_entropy(values, target)
