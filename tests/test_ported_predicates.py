"""Ported torch idioms over comparisons, masks and indices: they are Tensors outside the graph, as torch's,
so accuracy lines, mask counting and boolean indexing read as they do in torch. torch is the oracle."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
LOGITS = RNG.standard_normal((40, 5))
LABELS = RNG.integers(0, 5, size=40)
X = np.array([[-1.5, 0.0, 2.0], [0.25, -0.5, 3.0]])


@pytest.mark.parametrize("labels_as", [Tensor, np.asarray], ids=["Tensor labels", "ndarray labels"])
def test_accuracy_line_gives_torchs_number(labels_as):
    ours = (Tensor(LOGITS).argmax(dim=1) == labels_as(LABELS)).float().mean().item()
    theirs = (torch.tensor(LOGITS).argmax(dim=1) == torch.tensor(LABELS)).float().mean().item()
    assert ours == pytest.approx(theirs, abs=1e-7)
    assert (Tensor(LOGITS).argmax(1) == Tensor(LABELS)).sum().item() == round(theirs * len(LABELS))


def test_counting_and_testing_masks_gives_torchs_answers():
    ours, theirs = Tensor(X), torch.tensor(X)
    assert (ours > 0).sum().item() == (theirs > 0).sum().item()
    assert (ours > 0).long().sum().item() == (theirs > 0).long().sum().item()
    assert bool((ours > -2).all()) is bool((theirs > -2).all()) is True
    assert bool((ours > 5).any()) is bool((theirs > 5).any()) is False
    assert (ours != 0).int().tolist() == (theirs != 0).int().tolist()
    combined = ((ours > 0) & (ours < 2.5)) | ~(ours >= -1)
    np.testing.assert_array_equal(combined.data, (((theirs > 0) & (theirs < 2.5)) | ~(theirs >= -1)).numpy())


def test_a_multi_element_comparison_has_no_truth_value():
    with pytest.raises(ValueError, match=r"bool: the truth value of a tensor of shape \(2, 3\) is ambiguous"):
        bool(Tensor(X) > 0)
    assert bool(Tensor(np.array([2.0])) > 1)


def test_masks_select_and_fill_with_torchs_values_and_gradients():
    seed = RNG.standard_normal(3)  # one per positive entry of X
    x, t = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    picked, picked_torch = x[x > 0], t[t > 0]
    np.testing.assert_allclose(picked.data, picked_torch.detach().numpy())
    filled, filled_torch = x.masked_fill(x < 0, 0.0), t.masked_fill(t < 0, 0.0)
    chosen, chosen_torch = ag.where(x > 1, x * 2.0, x), torch.where(t > 1, t * 2.0, t)
    (picked * Tensor(seed)).sum().backward()
    (filled.sum() + (chosen * chosen).sum()).backward()
    ((picked_torch * torch.tensor(seed)).sum() + filled_torch.sum() + (chosen_torch * chosen_torch).sum()).backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


def test_predicates_are_constants_that_torch_reads_as_arrays():
    x = Tensor(X, requires_grad=True)
    for ours in [x > 0, x.isnan(), x.isclose(x + 1e-12), x.argmax(dim=1), x.max(dim=0).indices]:
        assert isinstance(ours, Tensor) and not ours.requires_grad and ours.grad_fn is None
        np.testing.assert_array_equal(torch.as_tensor(ours).numpy(), ours.data)
    assert torch.as_tensor(x > 0).dtype == torch.bool and torch.as_tensor(x.argmax()).dtype == torch.int64
