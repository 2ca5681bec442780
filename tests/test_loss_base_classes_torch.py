"""torch's bases of the loss layers, ``nn.modules.loss._Loss`` and ``_WeightedLoss``, as the losses people write
use them: their torch signatures (``size_average``, ``reduce``, ``reduction``, and ``weight`` first), the
deprecated flags read as torch reads them, a reduction of the subclass's own kept as given, the weight a buffer,
and torch's bare repr; a focal loss written on ``_WeightedLoss`` gives torch's values and gradients."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

LOGITS = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.4], [0.0, 0.7, 0.2], [-2.0, 1.0, 0.5]])
TARGET = np.array([2, 0, 1, 1])
ALPHA = np.array([0.25, 1.0, 2.0])


def _focal_loss_class(library, functional, exp):
    """The focal loss snippet much code copies, written on ``library.modules.loss._WeightedLoss``."""

    class FocalLoss(library.modules.loss._WeightedLoss):
        def __init__(self, weight=None, gamma=2.0, reduction="mean"):
            super().__init__(weight, reduction=reduction)
            self.gamma = gamma

        def forward(self, input, target):
            ce_loss = functional.cross_entropy(input, target, reduction="none", weight=self.weight)
            pt = exp(-ce_loss)
            focal = (1 - pt) ** self.gamma * ce_loss
            return focal.mean() if self.reduction == "mean" else focal.sum()

    return FocalLoss


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_a_focal_loss_written_on_weighted_loss_gives_torchs_values_and_gradients(reduction):
    ours_class = _focal_loss_class(nn, F, autograd.exp)
    theirs_class = _focal_loss_class(torch.nn, torch.nn.functional, torch.exp)
    ours, theirs = ours_class(ALPHA, reduction=reduction), theirs_class(torch.tensor(ALPHA), reduction=reduction)
    x, y = Tensor(LOGITS, requires_grad=True), torch.tensor(LOGITS, requires_grad=True)
    out, expected = ours(x, TARGET), theirs(y, torch.tensor(TARGET))
    out.backward()
    expected.backward()
    assert out.item() == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(x.grad, y.grad.numpy(), rtol=1e-12)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert repr(ours) == repr(theirs) == "FocalLoss()"


def test_weighted_loss_without_a_weight_keeps_none_out_of_the_state_dict_as_torch():
    ours, theirs = _focal_loss_class(nn, F, autograd.exp)(), _focal_loss_class(torch.nn, None, None)()
    assert ours.weight is None and theirs.weight is None
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


@pytest.mark.parametrize(
    ("size_average", "reduce", "expected"),
    [(None, None, "mean"), (False, None, "sum"), (None, False, "none"), (True, True, "mean")],
)
def test_loss_base_takes_torchs_positional_size_average_reduce_and_reduction(size_average, reduce, expected):
    """``super().__init__(size_average, reduce, reduction)``, as older losses call torch's base: the deprecated
    flags, given, set the reduction (with torch's warning), else ``reduction`` is kept."""

    def build(library):
        class Custom(library.modules.loss._Loss):
            def __init__(self, size_average=None, reduce=None, reduction="mean"):
                super().__init__(size_average, reduce, reduction)

        return Custom(size_average, reduce)

    with warnings.catch_warnings(record=True) as ours_warnings:
        warnings.simplefilter("always")
        ours = build(nn)
    with warnings.catch_warnings(record=True) as their_warnings:
        warnings.simplefilter("always")
        theirs = build(torch.nn)
    assert ours.reduction == theirs.reduction == expected
    assert len(ours_warnings) == len(their_warnings)
    assert repr(ours) == repr(theirs) == "Custom()"


def test_loss_base_keeps_a_reduction_of_the_subclasss_own_as_torch():
    """torch's base stores the string for the subclass's forward: a KL-style 'batchmean' is no error there."""

    class PerSample(nn.modules.loss._Loss):
        def __init__(self, reduction="batchmean"):
            super().__init__(reduction=reduction)

    assert PerSample().reduction == "batchmean"
    assert isinstance(PerSample(), nn.modules.loss._Loss)


@pytest.mark.parametrize(
    ("size_average", "reduce"), [(None, None), (True, None), (False, None), (None, False), (False, True), (True, False)]
)
def test_reduction_helpers_read_the_deprecated_flags_as_torchs(size_average, reduce):
    """``F._Reduction.legacy_get_string`` (torch.nn._reduction, which losses copied from torch's own code call):
    the same string and one warning, or none with ``emit_warning=False``; ``legacy_get_enum`` its number."""
    theirs = torch.nn.functional._Reduction
    expected = theirs.legacy_get_string(size_average, reduce, emit_warning=False)
    for module in (F._Reduction, nn._reduction, nn.modules.loss._Reduction):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert module.legacy_get_string(size_average, reduce) == expected
        assert [w.category for w in caught] == [UserWarning]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert module.legacy_get_enum(size_average, reduce, emit_warning=False) == theirs.legacy_get_enum(
                size_average, reduce, emit_warning=False
            )


def test_reduction_get_enum_numbers_torchs_reductions_and_refuses_others():
    theirs = torch.nn.functional._Reduction
    for reduction in ["none", "mean", "sum"]:
        assert nn._reduction.get_enum(reduction) == theirs.get_enum(reduction)
    with pytest.warns(UserWarning, match="elementwise_mean"):
        assert nn._reduction.get_enum("elementwise_mean") == 1
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        nn._reduction.get_enum("avg")


def test_the_loss_layers_are_instances_of_torchs_bases_as_torchs():
    """``isinstance(criterion, nn.modules.loss._WeightedLoss)`` (code that moves a loss's weight, say) finds the
    layers torch derives from it, and only those."""
    for name in torch.nn.modules.loss.__all__:
        theirs = getattr(torch.nn.modules.loss, name)
        if not (isinstance(theirs, type) and issubclass(theirs, torch.nn.modules.loss._Loss)) or name == "_Loss":
            continue
        ours = getattr(nn.modules.loss, name)
        for base in ("_Loss", "_WeightedLoss"):
            expected = issubclass(theirs, getattr(torch.nn.modules.loss, base))
            assert issubclass(ours, getattr(nn.modules.loss, base)) == expected, (name, base)
