"""``parameters()`` and ``buffers()``: lists, as micrograd's ``parameters()``, that ``next()`` reads as torch's
generators: ``next(model.parameters())`` is the first parameter (torch's idiom for a model's dtype or device)."""

import numpy as np
import pytest

import nn


def _model():
    return nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4), nn.Linear(4, 2, rng=1))


def test_next_reads_the_parameters_in_order_then_stops():
    model = _model()
    parameters = model.parameters()
    expected = [model[0].weight, model[0].bias, model[1].weight, model[1].bias, model[2].weight, model[2].bias]
    assert [next(parameters) for _ in expected] == expected
    with pytest.raises(StopIteration):
        next(parameters)
    assert next(model.parameters()) is model[0].weight  # each call starts again


def test_the_result_is_still_a_list_iterated_from_the_start_every_time():
    model = _model()
    parameters = model.parameters()
    next(parameters)
    assert isinstance(parameters, list) and len(parameters) == 6 and parameters[-1] is model[2].bias
    assert list(parameters) == list(parameters) == parameters
    assert sum(p.data.size for p in parameters) == 3 * 4 + 4 + 4 + 4 + 4 * 2 + 2


def test_buffers_and_a_scalar_mlp_read_by_next_too():
    model = _model()
    assert next(model.buffers()) is model[1].running_mean
    mlp = nn.MLP(2, [3, 1])
    assert next(mlp.parameters()) is mlp.parameters()[0]
    assert next(model[0].parameters(recurse=False)) is model[0].weight


def test_next_gives_the_parameter_torch_gives():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(3, 4, rng=0), torch.nn.Linear(3, 4)
    assert next(ours.parameters()).shape == tuple(next(theirs.parameters()).shape) == (4, 3)
    assert np.dtype(next(ours.parameters()).dtype) == np.float32 and next(theirs.parameters()).dtype == torch.float32
