"""Clear errors for recurrent inputs torch also rejects: an empty sequence, and an LSTM-style (h, c) pair
given to a GRU or an RNN."""

import numpy as np
import pytest

import nn
from autograd import Tensor


def _zeros(*shape):
    return Tensor(np.zeros(shape, np.float32))


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize(
    ("batch_first", "shape"), [(False, (0, 2, 3)), (True, (2, 0, 3)), (False, (0, 3))], ids=["LNH", "NLH", "LH"]
)
def test_an_empty_sequence_is_a_value_error_naming_the_length(cls, batch_first, shape):
    layer = getattr(nn, cls)(3, 4, batch_first=batch_first)
    with pytest.raises(ValueError, match=rf"{cls}: expected a sequence length larger than 0.*{shape}"):
        layer(_zeros(*shape))


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_an_empty_sequence_is_the_runtime_error_torch_raises(cls):
    # `except RuntimeError`, written for torch, must catch ours too
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="sequence length to be larger than 0"):
        getattr(torch.nn, cls)(3, 4)(torch.zeros(0, 2, 3))
    with pytest.raises(RuntimeError, match=rf"{cls}: expected a sequence length larger than 0"):
        getattr(nn, cls)(3, 4)(_zeros(0, 2, 3))


@pytest.mark.parametrize("cls", ["RNN", "GRU"])
@pytest.mark.parametrize("container", [tuple, list])
def test_a_state_pair_given_to_a_single_state_layer_is_a_type_error(cls, container):
    layer = getattr(nn, cls)(3, 4)
    pair = container([_zeros(1, 2, 4), _zeros(1, 2, 4)])
    with pytest.raises(TypeError, match=rf"{cls}: hx must be a single hidden-state tensor.*\(h_0, c_0\)"):
        layer(_zeros(5, 2, 3), pair)


def test_a_state_pair_given_to_a_gru_cell_is_a_type_error():
    with pytest.raises(TypeError, match="GRUCell: hx must be a single hidden-state tensor of shape \\(2, 4\\)"):
        nn.GRUCell(3, 4)(_zeros(2, 3), (_zeros(2, 4), _zeros(2, 4)))


def test_a_nested_list_is_still_one_array_like_state():
    h0 = np.full((1, 2, 4), 0.5, np.float32)
    _, from_list = nn.GRU(3, 4, rng=0)(_zeros(5, 2, 3), h0.tolist())
    _, from_array = nn.GRU(3, 4, rng=0)(_zeros(5, 2, 3), h0)
    np.testing.assert_array_equal(from_list.data, from_array.data)


@pytest.mark.parametrize(
    ("layer", "x", "hx"),
    [
        (lambda: nn.GRU(3, 4), np.zeros((2, 1, 3), np.float32), lambda: Tensor(np.zeros((1, 1, 4)))),
        (lambda: nn.RNNCell(3, 4), np.zeros((1, 3), np.float32), lambda: Tensor(np.zeros((1, 4)))),
        (
            lambda: nn.LSTM(3, 4),
            np.zeros((2, 1, 3), np.float32),
            lambda: (Tensor(np.zeros((1, 1, 4))), Tensor(np.zeros((1, 1, 4)))),
        ),
    ],
)
def test_an_initial_state_of_another_dtype_is_refused_as_torch(layer, x, hx):
    # a float64 state would have made a float32 model's outputs float64
    with pytest.raises(RuntimeError, match=r"initial hidden state\): input dtype float64"):
        layer()(Tensor(x), hx())


def test_all_weights_and_flatten_parameters_as_torchs():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    assert lstm.flatten_parameters() is None
    groups = lstm.all_weights
    assert len(groups) == 4 and all(len(group) == 4 for group in groups)
    assert groups[1][0] is lstm.weight_ih_l0_reverse and groups[2][3] is lstm.bias_hh_l1
    assert [len(group) for group in nn.GRU(3, 4, bias=False).all_weights] == [2]


@pytest.mark.parametrize(
    ("cls", "options"),
    [
        ("GRU", {"num_layers": 2}),
        ("LSTM", {"num_layers": 2, "bidirectional": True}),
        ("LSTM", {"proj_size": 2}),
        ("RNN", {"bias": False, "bidirectional": True}),
    ],
)
def test_flat_weights_names_list_the_parameters_in_torchs_order(cls, options):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, cls)(3, 4, **options), getattr(torch.nn, cls)(3, 4, **options)
    assert ours._flat_weights_names == theirs._flat_weights_names
    assert [tuple(w.shape) for w in ours._flat_weights] == [tuple(w.shape) for w in theirs._flat_weights]
    assert all(w is ours._parameters[name] for name, w in zip(ours._flat_weights_names, ours._flat_weights))


def test_d2l_init_seq2seq_reaches_every_weight_through_flat_weights_names():
    gru = nn.GRU(3, 4, num_layers=2)
    for name in gru._flat_weights_names:
        if "weight" in name:
            nn.init.constant_(gru._parameters[name], 0.5)
    assert all(np.all(w.data == 0.5) for name, w in gru.named_parameters() if "weight" in name)
    assert not any(np.all(w.data == 0.5) for name, w in gru.named_parameters() if "bias" in name)


@pytest.mark.parametrize("layer", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize(
    "option", [{"bias": 0}, {"bias": 1}, {"bias": "True"}, {"batch_first": 1}, {"batch_first": "False"}]
)
def test_recurrent_layers_take_only_a_bool_bias_and_batch_first_as_torch(layer, option):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        getattr(torch.nn, layer)(3, 5, **option)
    with pytest.raises(TypeError, match=next(iter(option))):
        getattr(nn, layer)(3, 5, **option)
    assert getattr(nn, layer)(3, 5, bias=False, batch_first=True).batch_first is True
