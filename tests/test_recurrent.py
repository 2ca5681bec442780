"""Recurrent layers (nn.RNN/LSTM/GRU and their cells): the step formulas, finite differences through time,
shapes, errors, checkpoints, and torch (when installed) on values, every gradient, names and repr."""

import math
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(21)


def test_an_rnn_cell_step_is_the_elman_formula():
    cell = nn.RNNCell(3, 2, dtype=np.float64, rng=0)
    x, h = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))
    expected = np.tanh(x @ cell.weight_ih.data.T + cell.bias_ih.data + h @ cell.weight_hh.data.T + cell.bias_hh.data)
    np.testing.assert_allclose(cell(Tensor(x), Tensor(h)).data, expected, rtol=1e-14)


def test_an_lstm_cell_step_follows_torchs_gate_order():
    cell = nn.LSTMCell(3, 2, dtype=np.float64, rng=1)
    x, h, c = RNG.normal(size=(1, 3)), RNG.normal(size=(1, 2)), RNG.normal(size=(1, 2))
    gates = x @ cell.weight_ih.data.T + cell.bias_ih.data + h @ cell.weight_hh.data.T + cell.bias_hh.data
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = sigmoid(gates[:, :2]), sigmoid(gates[:, 2:4]), np.tanh(gates[:, 4:6]), sigmoid(gates[:, 6:])
    new_c = f * c + i * g
    got_h, got_c = cell(Tensor(x), (Tensor(h), Tensor(c)))
    np.testing.assert_allclose(got_c.data, new_c, rtol=1e-14)
    np.testing.assert_allclose(got_h.data, o * np.tanh(new_c), rtol=1e-14)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_gradients_through_time_match_finite_differences(cls):
    layer = getattr(nn, cls)(2, 3, num_layers=2, bidirectional=True, dtype=np.float64, rng=2)
    x = RNG.normal(size=(4, 2, 2))

    def loss(x):
        output, final = layer(x)
        state = final[1] if cls == "LSTM" else final
        return (output * output).sum() + state.sum()

    assert gradcheck(loss, [x])
    weight = layer.weight_hh_l1_reverse

    def loss_of_weight(w):
        object.__setattr__(layer, "weight_hh_l1_reverse", w)  # read by name at each step; w is a plain Tensor
        try:
            return loss(Tensor(x))
        finally:
            object.__setattr__(layer, "weight_hh_l1_reverse", weight)

    assert gradcheck(loss_of_weight, [weight.data.copy()])


def test_shapes_batch_first_unbatched_and_initial_states():
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True, rng=3)
    output, (h, c) = lstm(np.zeros((5, 7, 3), dtype=np.float32))  # (N, L, input)
    assert output.shape == (5, 7, 8) and h.shape == c.shape == (4, 5, 4)
    gru = nn.GRU(3, 4, rng=3)
    output, h = gru(np.zeros((7, 3), dtype=np.float32))  # unbatched (L, input)
    assert output.shape == (7, 4) and h.shape == (1, 4)
    h0 = np.full((1, 2, 4), 0.5, dtype=np.float32)
    _, h = nn.RNN(3, 4, rng=3)(np.zeros((1, 2, 3), dtype=np.float32), h0)
    assert h.shape == (1, 2, 4)


def test_dropout_acts_between_layers_only_while_training():
    layer = nn.GRU(3, 8, num_layers=2, dropout=0.5, rng=4)
    x = RNG.normal(size=(6, 2, 3)).astype(np.float32)
    layer.eval()
    first, _ = layer(x)
    second, _ = layer(x)
    np.testing.assert_array_equal(first.data, second.data)
    layer.train()
    trained, _ = layer(x)
    assert not np.allclose(trained.data, first.data)


@pytest.mark.parametrize("layer", ["RNN", "LSTM", "GRU"])
def test_dropout_on_a_single_layer_warns_as_torch(layer):
    """torch warns that its dropout (between layers) does nothing with one layer; two layers, or no dropout, are quiet."""
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning) as expected:
        getattr(torch.nn, layer)(3, 4, 1, dropout=0.5)
    with pytest.warns(UserWarning) as got:
        getattr(nn, layer)(3, 4, 1, dropout=0.5)
    assert [str(w.message) for w in got] == [str(w.message) for w in expected]
    assert got[0].filename == __file__  # points at the line that built the layer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(nn, layer)(3, 4, 2, dropout=0.5)
        getattr(nn, layer)(3, 4, 1)


def test_bad_arguments_and_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
        nn.LSTM(3, 4, proj_size=-1)
    with pytest.raises(TypeError, match="proj_size must be an int"):
        nn.LSTM(3, 4, proj_size=2.0)
    with pytest.raises(ValueError, match="only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"initial cell state must have shape \(1, 2, 4\), got \(1, 2, 2\)"):
        nn.LSTM(3, 4, proj_size=2)(np.zeros((3, 2, 3), dtype=np.float32), (np.zeros((1, 2, 2)), np.zeros((1, 2, 2))))
    with pytest.raises(ValueError, match=r"expected an input of shape \(L, N, 3\)"):
        nn.GRU(3, 4)(np.zeros((2, 2, 5), dtype=np.float32))
    with pytest.raises(ValueError, match=r"initial hidden state must have shape \(2, 2, 4\), got \(1, 2, 4\)"):
        nn.RNN(3, 4, num_layers=2)(np.zeros((3, 2, 3), dtype=np.float32), np.zeros((1, 2, 4), dtype=np.float32))
    with pytest.raises(TypeError, match=r"hx must be a pair \(h_0, c_0\)"):
        nn.LSTM(3, 4)(np.zeros((3, 2, 3), dtype=np.float32), np.zeros((1, 2, 4), dtype=np.float32))
    with pytest.raises(ValueError, match=r"hidden state must have shape \(2, 4\)"):
        nn.GRUCell(3, 4)(np.zeros((2, 3), dtype=np.float32), np.zeros((3, 4), dtype=np.float32))


def test_a_long_sequence_backpropagates_at_the_default_recursion_limit():
    # 3000 steps unroll into a graph far deeper than Python's recursion limit; nothing in backward recurses
    layer = nn.RNN(1, 2, rng=5, dtype=np.float64)
    x = Tensor(np.full((3000, 1, 1), 0.01), requires_grad=True)
    output, _ = layer(x)
    output[-1].sum().backward()
    assert x.grad.shape == (3000, 1, 1) and np.all(np.isfinite(x.grad))


def test_recurrent_layers_save_and_load(tmp_path):
    for layer in (
        nn.LSTM(3, 4, num_layers=2, bidirectional=True, rng=6),
        nn.RNN(2, 3, nonlinearity="relu", bias=False),
    ):
        nn.save(layer, tmp_path / "layer.npz")
        restored = nn.load(tmp_path / "layer.npz")
        assert repr(restored) == repr(layer) and getattr(restored, "nonlinearity", None) == layer.nonlinearity
        for (name, a), (_, b) in zip(layer.named_parameters(), restored.named_parameters(), strict=True):
            np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_weights_start_uniform_within_one_over_sqrt_hidden_size():
    layer = nn.LSTM(10, 25, num_layers=2, rng=7)
    bound = 1 / math.sqrt(25)
    values = np.concatenate([p.data.ravel() for p in layer.parameters()])
    assert values.min() >= -bound and values.max() < bound and values.std() > bound / 2


# -- torch --------------------------------------------------------------------------------------------------


def _copy_weights(ours, theirs):
    names = [name for name, _ in theirs.named_parameters()]
    assert [name for name, _ in ours.named_parameters()] == names  # torch's names, in torch's order
    for name, parameter in theirs.named_parameters():
        getattr(ours, name).data[...] = parameter.detach().numpy()


SEQUENCE_CASES = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "bias": False}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"bidirectional": True}),
    ("GRU", {"num_layers": 3, "batch_first": True, "bias": False}),
]


@pytest.mark.parametrize(("cls", "options"), SEQUENCE_CASES, ids=lambda v: str(v))
def test_recurrent_layers_match_torch_on_values_and_every_gradient(cls, options):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, cls)(3, 4, dtype=torch.float64, **options)
    ours = getattr(nn, cls)(3, 4, dtype=np.float64, **options)
    _copy_weights(ours, theirs)
    states = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    x = RNG.normal(size=(2, 5, 3) if options.get("batch_first") else (5, 2, 3))
    initial = [RNG.normal(size=(states, 2, 4)) for _ in range(2 if cls == "LSTM" else 1)]
    ours_in = [Tensor(a.copy(), requires_grad=True) for a in [x, *initial]]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in [x, *initial]]

    def run(layer, inputs):
        hx = (inputs[1], inputs[2]) if cls == "LSTM" else inputs[1]
        output, final = layer(inputs[0], hx)
        finals = final if cls == "LSTM" else (final,)
        loss = (output * output).sum() + sum((f * (k + 1)).sum() for k, f in enumerate(finals))
        loss.backward()
        return output

    ours_out, theirs_out = run(ours, ours_in), run(theirs, theirs_in)
    np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-11, atol=1e-13)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(
            getattr(ours, name).grad, parameter.grad.numpy(), rtol=1e-11, atol=1e-13, err_msg=name
        )
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_an_empty_batch_backpropagates_zero_gradients_as_torchs(cls, bidirectional):
    """An empty batch (L, 0, input_size): empty outputs and zero gradients for every weight, as torch gives."""
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, cls)(2, 3, dtype=torch.float64, bidirectional=bidirectional)
    ours = getattr(nn, cls)(2, 3, dtype=np.float64, bidirectional=bidirectional)
    _copy_weights(ours, theirs)
    ours_x, theirs_x = (
        Tensor(np.zeros((4, 0, 2)), requires_grad=True),
        torch.zeros(4, 0, 2, dtype=torch.float64, requires_grad=True),
    )
    ours_out, theirs_out = ours(ours_x)[0], theirs(theirs_x)[0]
    assert ours_out.shape == tuple(theirs_out.shape)
    ours_out.sum().backward()
    theirs_out.sum().backward()
    assert ours_x.grad.shape == tuple(theirs_x.grad.shape)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_array_equal(getattr(ours, name).grad, parameter.grad.numpy(), err_msg=name)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(cls):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, cls)(3, 4, dtype=torch.float64)
    ours = getattr(nn, cls)(3, 4, dtype=np.float64)
    _copy_weights(ours, theirs)
    x = RNG.normal(size=(2, 3))
    ours_x, theirs_x = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_out, theirs_out = ours(ours_x), theirs(theirs_x)
    if cls == "LSTMCell":
        ours_out, theirs_out = ours_out[0] * ours_out[1], theirs_out[0] * theirs_out[1]
    ours_out.sum().backward()
    theirs_out.sum().backward()
    np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-11, atol=1e-14)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_a_cell_without_bias_has_its_biases_as_none_as_torchs(cls):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, cls)(3, 4, bias=False, dtype=torch.float64)
    ours = getattr(nn, cls)(3, 4, bias=False, dtype=np.float64)
    assert (theirs.bias_ih, theirs.bias_hh) == (None, None)
    assert (ours.bias_ih, ours.bias_hh) == (None, None)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy_weights(ours, theirs)
    x = RNG.normal(size=(2, 3))
    ours_out, theirs_out = ours(Tensor(x)), theirs(torch.tensor(x))
    if cls == "LSTMCell":
        ours_out, theirs_out = ours_out[0] * ours_out[1], theirs_out[0] * theirs_out[1]
    np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_layers_and_cells_share_torchs_base_classes():
    layers = [nn.RNN(3, 2), nn.LSTM(3, 2), nn.GRU(3, 2)]
    cells = [nn.RNNCell(3, 2), nn.LSTMCell(3, 2), nn.GRUCell(3, 2)]
    assert all(isinstance(m, nn.RNNBase) and not isinstance(m, nn.RNNCellBase) for m in layers)
    assert all(isinstance(m, nn.RNNCellBase) and not isinstance(m, nn.RNNBase) for m in cells)
    assert not isinstance(nn.Linear(3, 2), (nn.RNNBase, nn.RNNCellBase))


def test_an_uninitialized_parameter_is_nns_placeholder_of_lazy_layers():
    layer = nn.LazyLinear(4)
    assert isinstance(layer.weight, nn.UninitializedParameter)
    layer(Tensor(np.ones((2, 3), dtype=np.float32)))
    assert not isinstance(layer.weight, nn.UninitializedParameter) and layer.weight.shape == (4, 3)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell])
@pytest.mark.parametrize(("built", "converted"), [(np.float32, np.float64), (np.float64, np.float32)])
def test_a_converted_layer_computes_in_its_new_dtype(cls, built, converted):
    # .double() / .float() change the weights; the zero state and the initial-state check follow them
    layer = cls(3, 4, dtype=built, rng=0)
    reference = cls(3, 4, dtype=converted, rng=0)
    reference.load_state_dict({name: value.astype(converted) for name, value in layer.state_dict().items()})
    layer.to(converted)
    x = np.random.default_rng(1).standard_normal((5, 2, 3) if cls in (nn.RNN, nn.LSTM, nn.GRU) else (2, 3))
    x = x.astype(converted)
    got, expected = layer(x), reference(x)
    got, expected = (got[0], expected[0]) if isinstance(got, tuple) else (got, expected)
    assert got.dtype == converted
    np.testing.assert_array_equal(got.data, expected.data)
    is_lstm = cls in (nn.LSTM, nn.LSTMCell)
    leading = (1, 2) if cls in (nn.RNN, nn.LSTM, nn.GRU) else (2,)
    h0 = Tensor(np.full((*leading, 4), 0.5, dtype=converted))
    with_state = layer(x, (h0, h0) if is_lstm else h0)
    with_state = with_state[0] if isinstance(with_state, tuple) else with_state
    assert with_state.dtype == converted


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_lstm_with_proj_size_matches_torch_values_gradients_and_names(bidirectional, num_layers):
    torch = pytest.importorskip("torch")
    options = {"num_layers": num_layers, "proj_size": 3, "bidirectional": bidirectional, "batch_first": True}
    ours = nn.LSTM(5, 6, dtype=np.float64, rng=0, **options)
    theirs = torch.nn.LSTM(5, 6, dtype=torch.float64, **options)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    with torch.no_grad():
        for mine, other in zip(ours.parameters(), theirs.parameters()):
            other.copy_(torch.from_numpy(np.array(mine.data)))
    rng = np.random.default_rng(4)
    directions = 2 if bidirectional else 1
    x = rng.standard_normal((4, 7, 5))
    h0, c0 = rng.standard_normal((directions * num_layers, 4, 3)), rng.standard_normal((directions * num_layers, 4, 6))
    x_ours, x_theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, (h, c) = ours(x_ours, (ag.tensor(h0), ag.tensor(c0)))
    out_t, (h_t, c_t) = theirs(x_theirs, (torch.tensor(h0), torch.tensor(c0)))
    assert out.shape == tuple(out_t.shape) == (4, 7, directions * 3) and h.shape == tuple(h_t.shape)
    ((out**2).sum() + h.sum() + (c**2).sum()).backward()
    ((out_t**2).sum() + h_t.sum() + (c_t**2).sum()).backward()
    for mine, other in [(out.data, out_t), (c.data, c_t), (x_ours.grad, x_theirs.grad)]:
        np.testing.assert_allclose(mine, other.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, other in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(mine.grad, other.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_lstm_with_proj_size_saves_and_loads_its_architecture(tmp_path):
    layer = nn.LSTM(5, 6, proj_size=2, num_layers=2, rng=1)
    nn.save(layer, tmp_path / "lstm.npz")
    loaded = nn.load(tmp_path / "lstm.npz")
    x = ag.tensor(np.random.default_rng(0).standard_normal((3, 2, 5)).astype(np.float32))
    assert loaded.proj_size == 2 and loaded.weight_hr_l1.shape == (2, 6)
    np.testing.assert_array_equal(loaded(x)[0].data, layer(x)[0].data)


# -- each layer and direction of an LSTM or GRU as one node --------------------------------------------------------


def _sequence_pair(torch, cls, dtype, options):
    theirs = getattr(torch.nn, cls)(3, 4, dtype=torch.float64 if dtype == np.float64 else torch.float32, **options)
    ours = getattr(nn, cls)(3, 4, dtype=dtype, **options)
    _copy_weights(ours, theirs)
    return ours, theirs


def test_each_layer_and_direction_of_an_lstm_or_gru_is_one_sequence_node():
    x = Tensor(RNG.normal(size=(5, 2, 3)), requires_grad=True)
    output, (h_n, c_n) = nn.LSTM(3, 4, num_layers=2, bidirectional=True, dtype=np.float64, rng=0)(x)
    names = {node.op.name for node in ag.backward_order([output, h_n, c_n]) if node.op is not None}
    assert "lstm_sequence" in names and not names & {"lstm_cell_state", "lstm_hidden"}
    assert sum(node.op is not None and node.op.name == "lstm_sequence" for node in ag.backward_order([h_n])) == 4
    output, h_n = nn.GRU(3, 4, dtype=np.float64, rng=0)(x)
    assert [node.op.name for node in ag.backward_order([output]) if node.op is not None].count("gru_sequence") == 1
    assert all(node.op is None or node.op.name != "gru_cell" for node in ag.backward_order([output]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("used", ["output", "last output", "h_n", "c_n"])
@pytest.mark.parametrize(
    ("cls", "options"),
    [
        ("LSTM", {}),
        ("LSTM", {"num_layers": 2, "bidirectional": True, "bias": False}),
        ("GRU", {"batch_first": True}),
        ("GRU", {"num_layers": 2, "bidirectional": True}),
    ],
    ids=str,
)
def test_sequence_nodes_match_torch_on_the_gradients_of_x_the_initial_states_and_every_weight(
    cls, options, used, dtype
):
    torch = pytest.importorskip("torch")
    ours, theirs = _sequence_pair(torch, cls, dtype, options)
    states = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    batch_first = options.get("batch_first", False)
    arrays = [RNG.normal(size=(2, 6, 3) if batch_first else (6, 2, 3)).astype(dtype)]
    arrays += [RNG.normal(size=(states, 2, 4)).astype(dtype) for _ in range(2 if cls == "LSTM" else 1)]
    ours_in = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]

    def loss(layer, inputs, wrap):
        output, final = layer(inputs[0], (inputs[1], inputs[2]) if cls == "LSTM" else inputs[1])
        h_n, c_n = final if cls == "LSTM" else (final, final)
        if not batch_first:
            output = output.transpose(0, 1)
        chosen = {"output": output, "last output": output[:, -1], "h_n": h_n, "c_n": c_n}[used]
        seed = np.random.default_rng(7).normal(size=tuple(chosen.shape)).astype(dtype)  # the same for both
        return (chosen * wrap(seed)).sum()

    loss(ours, ours_in, Tensor).backward()
    loss(theirs, theirs_in, torch.tensor).backward()
    tolerance = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-4, "atol": 2e-5}
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        expected = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
        np.testing.assert_allclose(np.zeros(expected.shape) if mine.grad is None else mine.grad, expected, **tolerance)
    for name, parameter in theirs.named_parameters():
        expected = np.zeros(parameter.shape) if parameter.grad is None else parameter.grad.numpy()
        got = getattr(ours, name).grad
        assert got is None or got.dtype == dtype
        np.testing.assert_allclose(
            np.zeros(expected.shape) if got is None else got, expected, err_msg=name, **tolerance
        )


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_sequence_nodes_with_frozen_weights_give_the_initial_states_gradient_as_torch(cls):
    torch = pytest.importorskip("torch")
    ours, theirs = _sequence_pair(torch, cls, np.float64, {"bidirectional": True})
    for parameter in [*ours.parameters(), *theirs.parameters()]:
        parameter.requires_grad_(False)
    x = RNG.normal(size=(5, 2, 3))
    h0 = RNG.normal(size=(2, 2, 4))
    ours_h0, theirs_h0 = Tensor(h0.copy(), requires_grad=True), torch.tensor(h0, requires_grad=True)
    c0 = np.zeros((2, 2, 4))
    ours_out, _ = ours(Tensor(x), (ours_h0, Tensor(c0)) if cls == "LSTM" else ours_h0)
    theirs_out, _ = theirs(torch.tensor(x), (theirs_h0, torch.tensor(c0)) if cls == "LSTM" else theirs_h0)
    (ours_out * ours_out).sum().backward()
    (theirs_out * theirs_out).sum().backward()
    np.testing.assert_allclose(ours_h0.grad, theirs_h0.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert all(parameter.grad is None for parameter in ours.parameters())


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_second_derivatives_through_sequence_nodes_match_torch(cls):
    torch = pytest.importorskip("torch")
    ours, theirs = _sequence_pair(torch, cls, np.float64, {"num_layers": 2, "bidirectional": True})
    x = RNG.normal(size=(4, 2, 3))
    ours_x, theirs_x = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)

    def penalty(layer, x, grad):
        output, final = layer(x)
        h_n = final[0] if cls == "LSTM" else final
        (dx,) = grad([(output * output).sum() + (h_n**3).sum()], [x], create_graph=True)
        return (dx * dx).sum()

    penalty(ours, ours_x, ag.grad).backward()
    penalty(theirs, theirs_x, torch.autograd.grad).backward()
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(
            getattr(ours, name).grad, parameter.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_sequence_nodes_values_match_the_step_graph_under_no_grad_and_anomaly_mode(cls):
    layer = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True, dtype=np.float64, rng=5)
    x = Tensor(RNG.normal(size=(5, 2, 3)), requires_grad=True)
    fused = layer(x)[0]
    with ag.no_grad():
        untracked = layer(x)[0]
    with ag.detect_anomaly():
        stepped = layer(x)[0]
        assert "lstm_sequence" not in {node.op.name for node in ag.backward_order([stepped]) if node.op is not None}
        stepped.sum().backward()
    anomaly_grad = x.grad.copy()
    x.grad = None
    fused.sum().backward()
    np.testing.assert_array_equal(untracked.data, fused.data)
    np.testing.assert_allclose(stepped.data, fused.data, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(x.grad, anomaly_grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_sequence_nodes_free_their_graph_and_check_recurrent_weights_changed_in_place_as_torch(cls):
    layer = getattr(nn, cls)(3, 4, dtype=np.float64, rng=6)
    x = Tensor(RNG.normal(size=(5, 2, 3)), requires_grad=True)
    output = layer(x)[0]
    output.sum().backward(retain_graph=True)
    first = x.grad.copy()
    output.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * first, rtol=1e-14)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        output.sum().backward()
    output = layer(x)[0]
    with ag.no_grad():
        layer.weight_hh_l0.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        output.sum().backward()


def test_sequence_ops_refuse_mismatched_shapes_and_dtypes_by_name():
    from autograd.recurrent_cells import gru_sequence, lstm_sequence

    projected, state, weight = np.zeros((5, 2, 16)), np.zeros((2, 4)), np.zeros((16, 4))
    with pytest.raises(ag.ShapeError, match=r"lstm_sequence: c0 must have shape \(2, 4\), got \(3, 4\)"):
        lstm_sequence(projected, state, np.zeros((3, 4)), weight)
    with pytest.raises(ag.ShapeError, match="gru_sequence: projected must have a last axis of 3 \\* hidden_size"):
        gru_sequence(projected, state, weight)
    with pytest.raises(TypeError, match="lstm_sequence: every part must have one dtype, got .*h0 float32"):
        lstm_sequence(projected, state.astype(np.float32), state, weight)


@pytest.mark.parametrize(
    ("name", "options"),
    [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {"proj_size": 2}), ("GRU", {"num_layers": 2})],
)
def test_a_recurrent_layers_mode_is_torchs(name, options):
    """torch's ``mode`` names the kernel: RNN_TANH or RNN_RELU for an RNN, LSTM, GRU; its cells have none."""
    torch = pytest.importorskip("torch")
    assert getattr(nn, name)(3, 4, **options).mode == getattr(torch.nn, name)(3, 4, **options).mode
    for cell in ("RNNCell", "LSTMCell", "GRUCell"):
        assert hasattr(getattr(nn, cell)(3, 4), "mode") == hasattr(getattr(torch.nn, cell)(3, 4), "mode")
