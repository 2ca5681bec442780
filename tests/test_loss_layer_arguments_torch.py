"""The loss layers' arguments against torch's layers: values torch's call refuses with a RuntimeError are refused
here (when the layer is built) with an error of that class too (still a ValueError), and the weights torch's
MultiLabelSoftMarginLoss multiplies its terms by (any shape that broadcasts to the scores') are taken by the layer
as by its function."""

from __future__ import annotations

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch")

SCORES = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.4], [0.0, 0.7, 0.2], [-2.0, 1.0, 0.5]])
CLASSES = np.array([0, 1, 2, 1])
LABELS = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])

BAD = [
    ("HuberLoss", {"delta": 0.0}, (SCORES, SCORES)),
    ("HuberLoss", {"delta": -1.0}, (SCORES, SCORES)),
    ("SmoothL1Loss", {"beta": -1.0}, (SCORES, SCORES)),
    ("CrossEntropyLoss", {"weight": np.ones((1, 3))}, (SCORES, CLASSES)),
    ("NLLLoss", {"weight": np.ones((3, 1))}, (SCORES, CLASSES)),
]


@pytest.mark.parametrize(("name", "options", "inputs"), BAD, ids=[f"{n}-{o}" for n, o, _ in BAD])
def test_arguments_torchs_call_refuses_are_its_runtime_error_here(name, options, inputs):
    torch_options = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    with pytest.raises(RuntimeError):
        getattr(torch.nn, name)(**torch_options)(*map(torch.tensor, inputs))
    with pytest.raises(RuntimeError, match=name):
        getattr(nn, name)(**options)(*inputs)


@pytest.mark.parametrize("shape", [(3,), (1, 3), (4, 3)], ids=str)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_soft_margin_loss_layer_takes_weights_that_broadcast_to_the_scores(shape, reduction):
    weight = np.linspace(0.5, 2.0, int(np.prod(shape))).reshape(shape)
    ours = nn.MultiLabelSoftMarginLoss(weight, reduction=reduction)
    theirs = torch.nn.MultiLabelSoftMarginLoss(torch.tensor(weight), reduction=reduction)
    np.testing.assert_allclose(
        ours(SCORES, LABELS).data, theirs(torch.tensor(SCORES), torch.tensor(LABELS)).numpy(), rtol=1e-12
    )
    assert list(ours.state_dict()) == ["weight"] and ours.weight.shape == shape
