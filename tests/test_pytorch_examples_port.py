"""pytorch/examples' training scripts, shrunk to small synthetic data in float64, run line for line in torch and
here (``autograd`` for ``torch``, ``nn`` for ``torch.nn``, ``nn.functional`` as ``F``, ``nn.optim``,
``nn.data``) from the same initial weights: the losses, every gradient and the parameters after a few steps
must agree to rounding (rtol 1e-9). Each model is written once, as the example writes it, and built with
either library's names, so the same spelling is exercised on both sides.

Covered: mnist/main.py (conv, dropout, max_pool2d, flatten, log_softmax, nll_loss, Adadelta, StepLR, the
accuracy count, saving the state dict), mnist_rnn/main.py (an LSTM over the rows, BatchNorm1d),
time_sequence_prediction/train.py (LSTMCells in double, split/cat over time, LBFGS with a closure) and
word_language_model (RNNModel over LSTM/GRU/RNN_TANH/RNN_RELU with tied weights, the Transformer with its
positional encoding and square subsequent mask, batchify/get_batch, repackage_hidden, clip_grad_norm_ and the
manual update ``p.data.add_(p.grad, alpha=-lr)``). The examples' dropout runs with p=0 so both sides are
deterministic.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

#: torch's nn.Transformer notes that its fast path needs batch_first; the example does not use it.
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")

TORCH = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim, "data": torch.utils.data}
OURS = {"torch": autograd, "nn": nn, "F": nn.functional, "optim": nn.optim, "data": nn.data}
RTOL, ATOL = 1e-9, 1e-12


def _copy_weights(source: Any, target: Any) -> None:
    """Load the torch model's state into ``target`` (torch or ours)."""
    state = {name: value.detach().clone() for name, value in source.state_dict().items()}
    if not isinstance(target, torch.nn.Module):
        state = {name: value.numpy() for name, value in state.items()}
    target.load_state_dict(state)


def _as_array(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _assert_models_agree(expected: Any, got: Any) -> None:
    """Same parameter names, and every parameter and gradient equal to rounding."""
    ours = dict(got.named_parameters())
    theirs = dict(expected.named_parameters())
    assert list(ours) == list(theirs)
    for name, parameter in theirs.items():
        np.testing.assert_allclose(_as_array(ours[name]), _as_array(parameter), rtol=RTOL, atol=ATOL, err_msg=name)
        assert (ours[name].grad is None) == (parameter.grad is None), name
        if parameter.grad is not None:
            np.testing.assert_allclose(
                np.asarray(ours[name].grad), _as_array(parameter.grad), rtol=RTOL, atol=ATOL, err_msg=name
            )


# -- mnist/main.py ------------------------------------------------------------------------------------------------
def _mnist_net(lib: dict[str, Any]) -> Any:
    nn_, F, torch_ = lib["nn"], lib["F"], lib["torch"]

    class Net(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn_.Conv2d(1, 4, 3, 1)
            self.conv2 = nn_.Conv2d(4, 8, 3, 1)
            self.dropout1 = nn_.Dropout2d(0.0)
            self.dropout2 = nn_.Dropout(0.0)
            self.fc1 = nn_.Linear(8 * 4 * 4, 16)
            self.fc2 = nn_.Linear(16, 10)

        def forward(self, x: Any) -> Any:
            x = F.relu(self.conv2(F.relu(self.conv1(x))))
            x = self.dropout1(F.max_pool2d(x, 2))
            x = torch_.flatten(x, 1)
            x = self.fc2(self.dropout2(F.relu(self.fc1(x))))
            return F.log_softmax(x, dim=1)

    return Net()


def _train_mnist(lib: dict[str, Any], build: Any, x: np.ndarray, y: np.ndarray, init: Any, lr: float) -> Any:
    torch_, F, data = lib["torch"], lib["F"], lib["data"]
    device = torch_.device("cpu")
    model = build(lib).to(device).double()
    _copy_weights(init, model)
    dataset = data.TensorDataset(torch_.tensor(x), torch_.tensor(y))
    train_loader = data.DataLoader(dataset, batch_size=8, shuffle=False)
    test_loader = data.DataLoader(dataset, batch_size=1000)
    optimizer = lib["optim"].Adadelta(model.parameters(), lr=lr)
    scheduler = lib["optim"].lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    log: list[Any] = []
    for _epoch in range(2):
        model.train()
        for data_, target in train_loader:
            data_, target = data_.to(device), target.to(device)
            optimizer.zero_grad()
            loss = F.nll_loss(model(data_), target)
            loss.backward()
            optimizer.step()
            log.append(loss.item())
        model.eval()
        test_loss, correct = 0.0, 0
        with torch_.no_grad():
            for data_, target in test_loader:
                output = model(data_)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        log += [test_loss / len(test_loader.dataset), correct, type(correct)]
        scheduler.step()
        log.append(scheduler.get_last_lr())
    return model, log


def _assert_logs_agree(expected: list[Any], got: list[Any]) -> None:
    assert len(expected) == len(got)
    for a, b in zip(expected, got):
        if isinstance(a, float):
            assert b == pytest.approx(a, rel=RTOL)
        else:
            assert a == b


def test_mnist_cnn_with_adadelta_and_steplr_trains_as_torch():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((24, 1, 12, 12)), rng.integers(0, 10, 24)
    torch.manual_seed(0)
    init = _mnist_net(TORCH).double()
    expected, expected_log = _train_mnist(TORCH, _mnist_net, x, y, init, lr=1.0)
    got, got_log = _train_mnist(OURS, _mnist_net, x, y, init, lr=1.0)
    _assert_logs_agree(expected_log, got_log)
    _assert_models_agree(expected, got)
    buffer = io.BytesIO()  # torch.save(model.state_dict(), f), then load_state_dict(torch.load(f))
    nn.save(got.state_dict(), buffer)
    buffer.seek(0)
    twin = _mnist_net(OURS).double()
    twin.load_state_dict(nn.load(buffer))
    x0 = autograd.tensor(x[:4])
    np.testing.assert_array_equal(twin.eval()(x0).data, got(x0).data)


# -- mnist_rnn/main.py --------------------------------------------------------------------------------------------
def _mnist_rnn_net(lib: dict[str, Any]) -> Any:
    nn_, F = lib["nn"], lib["F"]

    class Net(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = nn_.LSTM(input_size=6, hidden_size=8, batch_first=True)
            self.batchnorm = nn_.BatchNorm1d(8)
            self.fc1 = nn_.Linear(8, 7)
            self.fc2 = nn_.Linear(7, 10)

        def forward(self, input: Any) -> Any:
            output, _hidden = self.rnn(input.reshape(-1, 6, 6))
            output = self.batchnorm(output[:, -1, :])
            output = self.fc2(F.relu(self.fc1(output)))
            return F.log_softmax(output, dim=1)

    return Net()


def test_mnist_rnn_lstm_over_rows_trains_as_torch():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((24, 1, 6, 6)), rng.integers(0, 10, 24)
    torch.manual_seed(0)
    init = _mnist_rnn_net(TORCH).double()
    expected, expected_log = _train_mnist(TORCH, _mnist_rnn_net, x, y, init, lr=0.1)
    got, got_log = _train_mnist(OURS, _mnist_rnn_net, x, y, init, lr=0.1)
    _assert_logs_agree(expected_log, got_log)
    _assert_models_agree(expected, got)
    for name in ("batchnorm.running_mean", "batchnorm.running_var"):
        np.testing.assert_allclose(got.state_dict()[name], expected.state_dict()[name].numpy(), rtol=RTOL)


# -- time_sequence_prediction/train.py ----------------------------------------------------------------------------
def _sequence(lib: dict[str, Any]) -> Any:
    nn_, torch_ = lib["nn"], lib["torch"]
    hidden = 7

    class Sequence(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm1 = nn_.LSTMCell(1, hidden)
            self.lstm2 = nn_.LSTMCell(hidden, hidden)
            self.linear = nn_.Linear(hidden, 1)
            self.dummy_param = nn_.Parameter(torch_.empty(0))

        def forward(self, input: Any, future: int = 0) -> Any:
            outputs = []
            device = self.dummy_param.device
            h_t, c_t, h_t2, c_t2 = (
                torch_.zeros(input.size(0), hidden, dtype=torch_.double).to(device) for _ in range(4)
            )
            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            for _ in range(future):
                h_t, c_t = self.lstm1(output, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            return torch_.cat(outputs, dim=1)

    return Sequence()


def _train_sequence(lib: dict[str, Any], init: Any, waves: np.ndarray) -> tuple[Any, list[float], np.ndarray]:
    torch_ = lib["torch"]
    data = torch_.from_numpy(waves.copy())
    input, target, test_input = data[2:, :-1], data[2:, 1:], data[:2, :-1]
    seq = _sequence(lib).double()
    _copy_weights(init, seq)
    criterion = lib["nn"].MSELoss()
    optimizer = lib["optim"].LBFGS(seq.parameters(), lr=0.8, max_iter=3)
    losses: list[float] = []

    def closure() -> Any:
        optimizer.zero_grad()
        loss = criterion(seq(input), target)
        losses.append(loss.item())
        loss.backward()
        return loss

    for _step in range(2):
        optimizer.step(closure)
    with torch_.no_grad():
        pred = seq(test_input, future=5).cpu().detach().numpy()
    return seq, losses, pred


def test_time_sequence_lstm_cells_with_lbfgs_train_as_torch():
    rng = np.random.default_rng(2)
    x = np.arange(16) + rng.integers(-40, 40, 6).reshape(6, 1)
    waves = np.sin(x / 10.0)
    torch.manual_seed(0)
    init = _sequence(TORCH).double()
    runs = [_train_sequence(lib, init, waves) for lib in (TORCH, OURS)]
    (expected, expected_losses, expected_pred), (got, got_losses, got_pred) = runs
    np.testing.assert_allclose(got_losses, expected_losses, rtol=RTOL)
    assert got_pred.shape == expected_pred.shape == (2, 20)
    np.testing.assert_allclose(got_pred, expected_pred, rtol=1e-8, atol=ATOL)
    _assert_models_agree(expected, got)


# -- word_language_model/model.py and main.py ---------------------------------------------------------------------
def _language_models(lib: dict[str, Any]) -> tuple[Any, Any]:
    nn_, F, torch_ = lib["nn"], lib["F"], lib["torch"]

    class RNNModel(nn_.Module):
        def __init__(self, rnn_type: str, ntoken: int, ninp: int, nhid: int, nlayers: int, tie: bool) -> None:
            super().__init__()
            self.ntoken = ntoken
            self.drop = nn_.Dropout(0.0)
            self.encoder = nn_.Embedding(ntoken, ninp)
            if rnn_type in ["LSTM", "GRU"]:
                self.rnn = getattr(nn_, rnn_type)(ninp, nhid, nlayers, dropout=0.0)
            else:
                nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
                self.rnn = nn_.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=0.0)
            self.decoder = nn_.Linear(nhid, ntoken)
            if tie:
                self.decoder.weight = self.encoder.weight
            nn_.init.uniform_(self.encoder.weight, -0.1, 0.1)
            nn_.init.zeros_(self.decoder.bias)
            nn_.init.uniform_(self.decoder.weight, -0.1, 0.1)
            self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers

        def forward(self, input: Any, hidden: Any) -> Any:
            output, hidden = self.rnn(self.drop(self.encoder(input)), hidden)
            decoded = self.decoder(self.drop(output)).view(-1, self.ntoken)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz: int) -> Any:
            weight = next(self.parameters())
            if self.rnn_type == "LSTM":
                return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))
            return weight.new_zeros(self.nlayers, bsz, self.nhid)

    class PositionalEncoding(nn_.Module):
        def __init__(self, d_model: int, max_len: int = 50) -> None:
            super().__init__()
            self.dropout = nn_.Dropout(p=0.0)
            pe = torch_.zeros(max_len, d_model)
            position = torch_.arange(0, max_len, dtype=torch_.float).unsqueeze(1)
            div_term = torch_.exp(torch_.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
            pe[:, 0::2] = torch_.sin(position * div_term)
            pe[:, 1::2] = torch_.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

        def forward(self, x: Any) -> Any:
            return self.dropout(x + self.pe[: x.size(0), :])

    class TransformerModel(nn_.Transformer):
        def __init__(self, ntoken: int, ninp: int, nhead: int, nhid: int, nlayers: int) -> None:
            super().__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers, dropout=0.0)
            self.model_type = "Transformer"
            self.src_mask = None
            self.pos_encoder = PositionalEncoding(ninp)
            self.input_emb = nn_.Embedding(ntoken, ninp)
            self.ninp = ninp
            self.decoder = nn_.Linear(ninp, ntoken)

        def _generate_square_subsequent_mask(self, sz: int) -> Any:
            mask = (torch_.triu(torch_.ones(sz, sz)) == 1).transpose(0, 1)
            return mask.float().masked_fill(mask == 0, float("-inf")).masked_fill(mask == 1, 0.0)

        def forward(self, src: Any) -> Any:
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                self.src_mask = self._generate_square_subsequent_mask(len(src)).to(src.device)
            src = self.pos_encoder(self.input_emb(src) * math.sqrt(self.ninp))
            output = self.decoder(self.encoder(src, mask=self.src_mask))
            return F.log_softmax(output, dim=-1)

    return RNNModel, TransformerModel


def _train_language_model(lib: dict[str, Any], kind: str, init: Any, tie: bool) -> tuple[Any, list[float]]:
    torch_, nn_ = lib["torch"], lib["nn"]
    ntokens, bptt, batch_size = 11, 4, 3
    rng = np.random.default_rng(5)
    ids = torch_.cat(
        [torch_.tensor([int(w) for w in rng.integers(0, ntokens, 6)]).type(torch_.int64) for _ in range(7)]
    )

    def batchify(data: Any, bsz: int) -> Any:
        nbatch = data.size(0) // bsz
        data = data.narrow(0, 0, nbatch * bsz)
        return data.view(bsz, -1).t().contiguous()

    def get_batch(source: Any, i: int) -> tuple[Any, Any]:
        seq_len = min(bptt, len(source) - 1 - i)
        return source[i : i + seq_len], source[i + 1 : i + 1 + seq_len].view(-1)

    def repackage_hidden(h: Any) -> Any:
        return h.detach() if isinstance(h, torch_.Tensor) else tuple(repackage_hidden(v) for v in h)

    RNNModel, TransformerModel = _language_models(lib)
    if kind == "Transformer":
        model = TransformerModel(ntokens, 8, 2, 8, 1).double()
    else:
        model = RNNModel(kind, ntokens, 8, 8, 2, tie).double()
    _copy_weights(init, model)
    clip_grad_norm_ = torch.nn.utils.clip_grad_norm_ if torch_ is torch else nn.utils.clip_grad_norm_
    criterion = nn_.CrossEntropyLoss()
    train_data = batchify(ids, batch_size)
    log, lr = [], 2.0
    model.train()
    if kind != "Transformer":
        hidden = model.init_hidden(batch_size)
    for i in range(0, train_data.size(0) - 1, bptt):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        if kind == "Transformer":
            output = model(data).view(-1, ntokens)
        else:
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, ntokens), targets)
        loss.backward()
        log.append(float(clip_grad_norm_(model.parameters(), 0.25)))
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        log.append(loss.item())
    return model, log


@pytest.mark.parametrize(
    ("kind", "tie"),
    [("LSTM", True), ("GRU", False), ("RNN_TANH", True), ("RNN_RELU", False), ("Transformer", False)],
)
def test_word_language_model_trains_as_torch(kind, tie):
    torch.manual_seed(0)
    RNNModel, TransformerModel = _language_models(TORCH)
    init = (TransformerModel(11, 8, 2, 8, 1) if kind == "Transformer" else RNNModel(kind, 11, 8, 8, 2, tie)).double()
    expected, expected_log = _train_language_model(TORCH, kind, init, tie)
    got, got_log = _train_language_model(OURS, kind, init, tie)
    np.testing.assert_allclose(got_log, expected_log, rtol=RTOL)
    _assert_models_agree(expected, got)
    if tie:
        assert got.decoder.weight is got.encoder.weight
