"""nn.utils.weight_norm without torch: the weight is g * v / ||v|| recomputed before each forward, g and v
are the trainable Parameters (the old weight is not), and remove_weight_norm gives back one Parameter."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

#: the hook-based weight_norm is torch's deprecated form (a FutureWarning, as torch's); these tests are about it
pytestmark = pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated:FutureWarning")


def test_weight_is_recomputed_from_g_and_v_before_each_forward():
    layer = nn.utils.weight_norm(nn.Linear(3, 2, dtype=np.float64))
    np.testing.assert_allclose(np.linalg.norm(layer.weight_v.data, axis=1, keepdims=True), layer.weight_g.data)
    layer.weight_g.data[...] = [[2.0], [0.5]]
    x = Tensor(np.ones((1, 3)))
    layer(x)
    np.testing.assert_allclose(np.linalg.norm(layer.weight.data, axis=1), [2.0, 0.5])
    assert [name for name, _ in layer.named_parameters()] == ["bias", "weight_g", "weight_v"]


def test_a_training_step_moves_g_and_v_and_the_weight_follows():
    layer = nn.utils.weight_norm(nn.Linear(3, 2, dtype=np.float64, rng=0), dim=None)
    assert layer.weight_g.shape == ()
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.1)
    before = layer.weight.data.copy()
    (layer(Tensor(np.ones((4, 3)))) ** 2).sum().backward()
    optimizer.step()
    layer(Tensor(np.ones((1, 3))))
    assert not np.allclose(layer.weight.data, before)
    # weight = g v / ||v||: its norm is |g| (a step may carry g through 0), its direction v's
    np.testing.assert_allclose(np.linalg.norm(layer.weight.data), abs(layer.weight_g.data), rtol=1e-12)
    direction = layer.weight_v.data / np.linalg.norm(layer.weight_v.data)
    np.testing.assert_allclose(layer.weight.data, layer.weight_g.data * direction, rtol=1e-12)


def test_remove_weight_norm_gives_back_a_parameter_with_the_current_weight():
    layer = nn.utils.weight_norm(nn.Conv1d(2, 3, 2, dtype=np.float64))
    layer.weight_g.data[...] *= 3.0
    expected = (layer.weight_v.data / np.linalg.norm(layer.weight_v.data, axis=(1, 2), keepdims=True)) * (
        layer.weight_g.data
    )
    nn.utils.remove_weight_norm(layer)
    assert isinstance(layer.weight, nn.Parameter)
    np.testing.assert_allclose(layer.weight.data, expected)
    assert [name for name, _ in layer.named_parameters()] == ["bias", "weight"]
    layer.weight.data[...] = 0.0  # no hook is left to overwrite it
    np.testing.assert_allclose(layer(Tensor(np.ones((1, 2, 4)))).data[0], np.repeat(layer.bias.data[:, None], 3, 1))


def test_misuse_is_refused():
    layer = nn.utils.weight_norm(nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="two weight_norm hooks"):
        nn.utils.weight_norm(layer)
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found"):
        nn.utils.remove_weight_norm(layer, "bias")
    with pytest.raises(ValueError, match="has no Parameter 'kernel'"):
        nn.utils.weight_norm(nn.Linear(3, 2), name="kernel")
    with pytest.raises(ValueError, match="dim 2 is out of range"):
        nn.utils.weight_norm(nn.Linear(3, 2), dim=2)
