"""Dive into Deep Learning (Zhang, Lipton, Li, Smola; d2l.ai, PyTorch edition), chapters 9 to 12 ported:
recurrent networks (one-hot inputs, the RNN from scratch with its tanh state loop, gradient clipping by the global
norm written by hand, the concise ``nn.RNN`` with a Linear head, greedy prediction and training over consecutive
batches with the state detached), modern recurrent networks (GRU and LSTM from scratch, and against ``nn.GRU`` /
``nn.LSTM`` with the same weights; the second edition's stacked and bidirectional scratch RNNs; deep and
bidirectional layers; the seq2seq encoder-decoder with ``init_seq2seq`` and the masked softmax cross-entropy),
attention (Nadaraya-Watson regression with the four kernels and with a learnable width, ``masked_softmax``,
additive, scaled dot-product and multi-head attention, the Bahdanau decoder, the sinusoidal positional encoding,
the position-wise FFN, AddNorm, the Transformer encoder and a decoder block with its causal valid lengths and its
key-value cache) and optimization (gradient descent in 1-D and 2-D, a nonconvex function, Newton's method, SGD with
decaying rates, minibatch SGD, momentum, AdaGrad, RMSProp, Adadelta, Adam and Yogi by hand against ``optim``'s,
the learning-rate schedulers and the book's own schedulers in its training loop).

Each listing is written once, with the book's names, and run with torch's (``torch``, ``torch.nn``,
``torch.nn.functional``, ``torch.optim``) and with this library's (``autograd``, ``nn``, ``nn.functional``,
``nn.optim``), from the same weights and inputs, in float32 (both libraries' default dtype during each test). The
book draws its weights and noise with ``torch.randn``/``torch.normal``; here numpy draws them and both sides get
the same numbers. Spellings the port meets: torch's ``x.repeat(n, 1, 1)`` is ``x.tile(n, 1, 1)`` here (``repeat``
stays numpy's), written as ``tile`` on both sides; torch's GRU applies the reset gate after the hidden product,
``r * (W_hn h + b_hn)``, while the book's scratch GRU applies it before, ``(r * h) @ W_hh``, so the scratch GRU is
compared between the libraries and a scratch GRU in torch's form is compared with ``nn.GRU``. This library's
``state_dict()`` holds numpy arrays (torch's holds tensors). The concise optimizer runs halve ``MSELoss`` (the
book's ``squared_loss`` has the 1/2) so that they follow the hand-written steps; the book's AdaGrad and RMSProp put
eps inside the root, torch's outside, so those two agree with ``optim``'s to 2e-3 only.
"""

# ruff: noqa: N802, N803, N806, E741, E721, UP034, B007 - the book's names (X, H, W_xh, Y_hat, l) and spellings
# (type(module) == nn.Linear, torch.sum((p.grad ** 2)), unused loop variables)
from __future__ import annotations

import math
from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import as_array as _array
from book_ports import assert_close as _close
from book_ports import libraries as _libs

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

_state, _load = book_ports.state_arrays, book_ports.load_state


def _grads(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p.grad) for name, p in model.named_parameters()}


def _compare(ours: dict[str, Any], theirs: dict[str, Any], rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Every result by name: arrays within tolerance (nested dicts and lists entry by entry), others equal."""
    assert ours.keys() == theirs.keys()
    for name, expected in theirs.items():
        got = ours[name]
        if isinstance(expected, dict):
            _compare(got, expected, rtol, atol)
        elif isinstance(expected, (list, tuple)) and expected and hasattr(expected[0], "shape"):
            assert len(got) == len(expected), name
            for a, b in zip(got, expected):
                np.testing.assert_allclose(_array(a), _array(b), rtol=rtol, atol=atol, err_msg=name)
        elif hasattr(expected, "shape") or isinstance(expected, float):
            np.testing.assert_allclose(_array(got), _array(expected), rtol=rtol, atol=atol, err_msg=name)
        else:
            assert got == expected, name


# ---- shared helpers of the book (d2l.sequence_mask, masked_softmax, grad_clipping, sgd) ----------------------


def book_helpers(lib: dict[str, Any]) -> dict[str, Any]:
    torch, nn, F = lib["torch"], lib["nn"], lib["F"]

    def sequence_mask(X, valid_len, value=0):
        maxlen = X.size(1)
        mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X

    def masked_softmax(X, valid_lens):
        if valid_lens is None:
            return F.softmax(X, dim=-1)
        shape = X.shape
        if valid_lens.dim() == 1:
            valid_lens = torch.repeat_interleave(valid_lens, shape[1])
        else:
            valid_lens = valid_lens.reshape(-1)
        X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
        return F.softmax(X.reshape(shape), dim=-1)

    def grad_clipping(net, theta):
        if isinstance(net, nn.Module):
            params = [p for p in net.parameters() if p.requires_grad]
        else:
            params = net.params
        norm = torch.sqrt(sum(torch.sum((p.grad**2)) for p in params))
        if norm > theta:
            for param in params:
                param.grad[:] *= theta / norm
        return float(norm)

    def sgd(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    return {"sequence_mask": sequence_mask, "masked_softmax": masked_softmax}, grad_clipping, sgd


# ---- ch9: recurrent neural networks --------------------------------------------------------------------------


def test_ch9_one_hot_and_rnn_from_scratch_with_gradient_clipping(torch):
    vocab_size, num_hiddens, batch_size, num_steps = 12, 16, 3, 5
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.5, shape).astype(np.float32) for shape in [(12, 16), (16, 16), (16, 12)]]
    X_tokens = rng.integers(0, vocab_size, (batch_size, num_steps))
    Y_tokens = rng.integers(0, vocab_size, (batch_size, num_steps))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F = lib["torch"], lib["nn"], lib["F"]
        _, grad_clipping, sgd = book_helpers(lib)

        def get_params(vocab_size, num_hiddens, device):
            num_inputs = num_outputs = vocab_size

            def normal(shape, i):
                return torch.tensor(weights[i])  # the book's torch.randn(size=shape) * 0.01, drawn once by numpy

            W_xh = normal((num_inputs, num_hiddens), 0)
            W_hh = normal((num_hiddens, num_hiddens), 1)
            b_h = torch.zeros(num_hiddens, device=device)
            W_hq = normal((num_hiddens, num_outputs), 2)
            b_q = torch.zeros(num_outputs, device=device)
            params = [W_xh, W_hh, b_h, W_hq, b_q]
            for param in params:
                param.requires_grad_(True)
            return params

        def init_rnn_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens), device=device),)

        def rnn(inputs, state, params):
            W_xh, W_hh, b_h, W_hq, b_q = params
            (H,) = state
            outputs = []
            for X in inputs:
                H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
                Y = torch.mm(H, W_hq) + b_q
                outputs.append(Y)
            return torch.cat(outputs, dim=0), (H,)

        class RNNModelScratch:
            def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn):
                self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
                self.params = get_params(vocab_size, num_hiddens, device)
                self.init_state, self.forward_fn = init_state, forward_fn

            def __call__(self, X, state):
                X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
                return self.forward_fn(X, state, self.params)

            def begin_state(self, batch_size, device):
                return self.init_state(batch_size, self.num_hiddens, device)

        X = torch.tensor(X_tokens)
        out: dict[str, Any] = {"one_hot": F.one_hot(torch.tensor([0, 2]), len("abcdefghijkl")).numpy()}
        out["one_hot_shape"] = tuple(F.one_hot(X.T, 28).shape)
        net = RNNModelScratch(vocab_size, num_hiddens, "cpu", get_params, init_rnn_state, rnn)
        state = net.begin_state(X.shape[0], "cpu")
        Y_hat, new_state = net(X, state)
        out["Y_hat"], out["H"] = Y_hat.detach().numpy(), new_state[0].detach().numpy()
        out["shapes"] = (tuple(Y_hat.shape), len(new_state), tuple(new_state[0].shape))
        # one step of train_epoch_ch8: the loss over the flattened targets, clipping to theta=1, d2l.sgd
        y = torch.tensor(Y_tokens).T.reshape(-1)
        loss = nn.CrossEntropyLoss()
        l = loss(Y_hat, y.long()).mean()
        l.backward()
        out["loss"] = l.item()
        out["grads"] = [_array(p.grad).copy() for p in net.params]
        out["norm"] = grad_clipping(net, 1)
        out["clipped"] = [_array(p.grad).copy() for p in net.params]
        for p, g in zip(net.params, out["grads"]):  # the same clipping by nn.utils.clip_grad_norm_
            p.grad.copy_(torch.tensor(g))
        out["utils_norm"] = float(nn.utils.clip_grad_norm_(net.params, max_norm=1))
        out["utils_clipped"] = [_array(p.grad).copy() for p in net.params]
        sgd(net.params, lr=1.0, batch_size=1)
        out["updated"] = [_array(p).copy() for p in net.params]
        out["zeroed"] = [float(np.abs(_array(p.grad)).sum()) for p in net.params]
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert theirs["norm"] > 1  # the clipping does act
    clipped_norm = np.sqrt(sum((g**2).sum() for g in ours["clipped"]))
    np.testing.assert_allclose(ours["utils_norm"], ours["norm"], rtol=1e-6)
    for by_hand, by_utils in zip(ours["clipped"], ours["utils_clipped"]):
        np.testing.assert_allclose(by_utils, by_hand, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(clipped_norm, 1.0, rtol=1e-5)
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("kind", "options"), [("RNN", {}), ("LSTM", {"num_layers": 2}), ("GRU", {"bidirectional": True})]
)
def test_ch9_ch10_concise_rnn_lstm_and_bidirectional_gru_language_models(torch, kind, options):
    """The concise RNNModel with nn.RNN (ch9), a two-layer nn.LSTM and a bidirectional nn.GRU (ch10) as its layer:
    greedy prediction, then train_epoch_ch8's steps over consecutive batches, the state detached between them."""
    vocab_size, num_hiddens, batch_size, num_steps = 10, 8, 2, 4
    rng = np.random.default_rng(1)
    X_tokens = rng.integers(0, vocab_size, (3, batch_size, num_steps))
    Y_tokens = rng.integers(0, vocab_size, (3, batch_size, num_steps))
    reference = torch.nn.Module()
    reference.rnn = getattr(torch.nn, kind)(vocab_size, num_hiddens, **options)
    reference.linear = torch.nn.Linear(num_hiddens * (2 if options.get("bidirectional") else 1), vocab_size)
    weights = _state(reference)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]
        _, grad_clipping, _ = book_helpers(lib)

        class RNNModel(nn.Module):
            def __init__(self, rnn_layer, vocab_size, **kwargs):
                super().__init__(**kwargs)
                self.rnn = rnn_layer
                self.vocab_size = vocab_size
                self.num_hiddens = self.rnn.hidden_size
                if not self.rnn.bidirectional:
                    self.num_directions = 1
                    self.linear = nn.Linear(self.num_hiddens, self.vocab_size)
                else:
                    self.num_directions = 2
                    self.linear = nn.Linear(self.num_hiddens * 2, self.vocab_size)

            def forward(self, inputs, state):
                X = F.one_hot(inputs.T.long(), self.vocab_size)
                X = X.to(torch.float32)
                Y, state = self.rnn(X, state)
                output = self.linear(Y.reshape((-1, Y.shape[-1])))
                return output, state

            def begin_state(self, device, batch_size=1):
                if not isinstance(self.rnn, nn.LSTM):
                    shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
                    return torch.zeros(shape, device=device)
                shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
                return (torch.zeros(shape, device=device), torch.zeros(shape, device=device))

        rnn_layer = getattr(nn, kind)(vocab_size, num_hiddens, **options)
        net = RNNModel(rnn_layer, vocab_size=vocab_size)
        _load(torch, net, weights)
        state = net.begin_state(batch_size=batch_size, device="cpu")
        X = torch.tensor(X_tokens[0])
        Y, state_new = rnn_layer(F.one_hot(X.T, vocab_size).float(), state)
        final = state_new[0] if isinstance(state_new, tuple) else state_new
        out: dict[str, Any] = {"shapes": (tuple(Y.shape), tuple(final.shape)), "Y": Y.detach().numpy()}

        def predict_ch8(prefix, num_preds, net, device):
            state = net.begin_state(batch_size=1, device=device)
            outputs = [prefix[0]]

            def get_input():
                return torch.tensor([outputs[-1]], device=device).reshape((1, 1))

            for y in prefix[1:]:
                _, state = net(get_input(), state)
                outputs.append(y)
            for _ in range(num_preds):
                y, state = net(get_input(), state)
                outputs.append(int(y.argmax(dim=1).reshape(1)))
            return outputs

        out["prediction"] = predict_ch8([1, 4, 2], 6, net, "cpu")
        updater = optim.SGD(net.parameters(), lr=1.0)
        losses, norms = [], []
        state = None
        for X, Y in zip(X_tokens, Y_tokens):  # train_epoch_ch8 over consecutive batches
            X = torch.tensor(X)
            if state is None:
                state = net.begin_state(batch_size=X.shape[0], device="cpu")
            else:
                if isinstance(net, nn.Module) and not isinstance(state, tuple):
                    state.detach_()
                else:
                    for s in state:
                        s.detach_()
            y = torch.tensor(Y).T.reshape(-1)
            y_hat, state = net(X, state)
            l = nn.CrossEntropyLoss()(y_hat, y.long()).mean()
            updater.zero_grad()
            l.backward()
            norms.append(grad_clipping(net, 0.5))
            if not losses:
                out["grads"] = _grads(net)
            updater.step()
            losses.append(l.item())
        out["losses"], out["norms"], out["state"] = losses, norms, _state(net)
        out["ppl"] = math.exp(losses[-1])
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert ours["prediction"] == theirs["prediction"]
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-5)
    np.testing.assert_allclose(ours["norms"], theirs["norms"], rtol=1e-5)
    for key in ("prediction", "losses", "norms"):
        ours.pop(key), theirs.pop(key)
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


# ---- ch10: modern recurrent neural networks ------------------------------------------------------------------


def _scratch_gru_and_lstm(lib: dict[str, Any], params_np: dict[str, list[np.ndarray]], X_np, Y_np) -> dict:
    """The book's gru and lstm step functions over a one-hot sequence, their loss, gradients and one sgd step."""
    torch, F = lib["torch"], lib["F"]

    def gru(inputs, state, params):
        W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
        (H,) = state
        outputs = []
        for X in inputs:
            Z = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
            R = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
            H_tilda = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
            H = Z * H + (1 - Z) * H_tilda
            Y = H @ W_hq + b_q
            outputs.append(Y)
        return torch.cat(outputs, dim=0), (H,)

    def lstm(inputs, state, params):
        [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] = params
        (H, C) = state
        outputs = []
        for X in inputs:
            I = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)
            F_ = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
            O = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)
            C_tilda = torch.tanh((X @ W_xc) + (H @ W_hc) + b_c)
            C = F_ * C + I * C_tilda
            H = O * torch.tanh(C)
            Y = (H @ W_hq) + b_q
            outputs.append(Y)
        return torch.cat(outputs, dim=0), (H, C)

    out = {}
    vocab_size = params_np["gru"][0].shape[0]
    inputs = F.one_hot(torch.tensor(X_np).T, vocab_size).type(torch.float32)
    y = torch.tensor(Y_np).T.reshape(-1)
    for name, fn in (("gru", gru), ("lstm", lstm)):
        params = [torch.tensor(p.copy()).requires_grad_(True) for p in params_np[name]]
        H = torch.zeros((X_np.shape[0], params[1].shape[0]))
        state = (H,) if name == "gru" else (H, torch.zeros_like(H))
        Y_hat, state = fn(inputs, state, params)
        l = lib["nn"].CrossEntropyLoss()(Y_hat, y.long())
        l.backward()
        out[name] = {"Y_hat": Y_hat.detach().numpy(), "state": [s.detach().numpy() for s in state]}
        out[name]["grads"] = [_array(p.grad).copy() for p in params]
        with torch.no_grad():
            for p in params:
                p -= 0.5 * p.grad
        out[name]["updated"] = [_array(p).copy() for p in params]
    return out


def test_ch10_gru_and_lstm_from_scratch(torch):
    vocab, hidden = 7, 5
    rng = np.random.default_rng(2)

    def three():
        return [rng.normal(0, 0.4, (vocab, hidden)), rng.normal(0, 0.4, (hidden, hidden)), rng.normal(0, 0.1, hidden)]

    def head():
        return [rng.normal(0, 0.4, (hidden, vocab)), np.zeros(vocab)]

    params = {
        "gru": sum([three() for _ in range(3)], []) + head(),
        "lstm": sum([three() for _ in range(4)], []) + head(),
    }
    params = {k: [np.asarray(p, np.float32) for p in v] for k, v in params.items()}
    X_np, Y_np = rng.integers(0, vocab, (3, 6)), rng.integers(0, vocab, (3, 6))
    theirs, ours = (_scratch_gru_and_lstm(lib, params, X_np, Y_np) for lib in _libs(torch))
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


def test_ch10_scratch_lstm_and_gru_against_nn_lstm_and_nn_gru_with_copied_weights(torch):
    """torch's gate order: LSTM rows i, f, g, o; GRU rows r, z, n, with n = tanh(W_in x + b_in + r (W_hn h + b_hn))."""
    num_inputs, H, T, B = 4, 3, 5, 2
    rng = np.random.default_rng(3)
    X_np = rng.standard_normal((T, B, num_inputs)).astype(np.float32)
    layers = {"lstm": torch.nn.LSTM(num_inputs, H), "gru": torch.nn.GRU(num_inputs, H)}
    states = {name: _state(layer) for name, layer in layers.items()}

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        out: dict[str, Any] = {}
        for name, layer in (("lstm", nn.LSTM(num_inputs, H)), ("gru", nn.GRU(num_inputs, H))):
            _load(torch, layer, states[name])
            X = torch.tensor(X_np)
            Y, state = layer(X)
            Y.sum().backward()
            out[name] = {"Y": Y.detach().numpy(), "layer_grads": _grads(layer)}
            # the scratch step with the layer's weights split by gate (torch's order) and transposed
            W_ih = layer.weight_ih_l0.detach().clone().requires_grad_(True)
            W_hh = layer.weight_hh_l0.detach().clone().requires_grad_(True)
            b_ih = layer.bias_ih_l0.detach().clone().requires_grad_(True)
            b_hh = layer.bias_hh_l0.detach().clone().requires_grad_(True)
            h = torch.zeros((B, H))
            c = torch.zeros((B, H))
            outputs = []
            for x in X:
                gi = x @ W_ih.T + b_ih
                gh = h @ W_hh.T + b_hh
                if name == "lstm":
                    gates = gi + gh
                    I = torch.sigmoid(gates[:, 0:H])
                    F_ = torch.sigmoid(gates[:, H : 2 * H])
                    C_tilda = torch.tanh(gates[:, 2 * H : 3 * H])
                    O = torch.sigmoid(gates[:, 3 * H :])
                    c = F_ * c + I * C_tilda
                    h = O * torch.tanh(c)
                else:
                    R = torch.sigmoid(gi[:, :H] + gh[:, :H])
                    Z = torch.sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
                    H_tilda = torch.tanh(gi[:, 2 * H :] + R * gh[:, 2 * H :])
                    h = Z * h + (1 - Z) * H_tilda
                outputs.append(h)
            Y_scratch = torch.stack(outputs)
            Y_scratch.sum().backward()
            out[name]["Y_scratch"] = Y_scratch.detach().numpy()
            out[name]["scratch_grads"] = [_array(p.grad) for p in (W_ih, W_hh, b_ih, b_hh)]
            final = state[0] if name == "lstm" else state
            out[name]["final_h"] = final.detach().numpy()
            if name == "lstm":
                out[name]["final_c"] = state[1].detach().numpy()
                out[name]["c_scratch"] = c.detach().numpy()
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)
    for name in ("lstm", "gru"):  # the scratch step is the layer, in each library
        _close(ours[name]["Y_scratch"], ours[name]["Y"])
        grads = ours[name]["layer_grads"]
        for got, key in zip(ours[name]["scratch_grads"], ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")):
            _close(got, grads[key], rtol=1e-4, atol=1e-6)
    _close(ours["lstm"]["c_scratch"], ours["lstm"]["final_c"][0])


def test_ch10_stacked_and_bidirectional_rnns_from_scratch_second_edition_classes(torch):
    """The second edition's RNNScratch (nn.Parameter weights), StackedRNNScratch (an nn.Sequential of them) and
    BiRNNScratch (the backward RNN over ``reversed(inputs)``, a flipped tensor in torch)."""
    num_inputs, num_hiddens, num_layers, T, B = 3, 4, 2, 5, 2
    rng = np.random.default_rng(13)
    X_np = rng.standard_normal((T, B, num_inputs)).astype(np.float32)

    def build(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]

        class RNNScratch(nn.Module):
            def __init__(self, num_inputs, num_hiddens, sigma=0.01):
                super().__init__()
                self.num_inputs, self.num_hiddens, self.sigma = num_inputs, num_hiddens, sigma
                self.W_xh = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
                self.W_hh = nn.Parameter(torch.randn(num_hiddens, num_hiddens) * sigma)
                self.b_h = nn.Parameter(torch.zeros(num_hiddens))

            def forward(self, inputs, state=None):
                if state is None:
                    state = torch.zeros((inputs.shape[1], self.num_hiddens), device=inputs.device)
                else:
                    (state,) = state
                outputs = []
                for X in inputs:
                    state = torch.tanh(torch.matmul(X, self.W_xh) + torch.matmul(state, self.W_hh) + self.b_h)
                    outputs.append(state)
                return outputs, state

        class StackedRNNScratch(nn.Module):
            def __init__(self, num_inputs, num_hiddens, num_layers, sigma=0.01):
                super().__init__()
                self.num_layers = num_layers
                self.rnns = nn.Sequential(
                    *[RNNScratch(num_inputs if i == 0 else num_hiddens, num_hiddens, sigma) for i in range(num_layers)]
                )

            def forward(self, inputs, Hs=None):
                outputs = inputs
                if Hs is None:
                    Hs = [None] * self.num_layers
                for i in range(self.num_layers):
                    outputs, Hs[i] = self.rnns[i](outputs, Hs[i])
                    outputs = torch.stack(outputs, 0)
                return outputs, Hs

        class BiRNNScratch(nn.Module):
            def __init__(self, num_inputs, num_hiddens, sigma=0.01):
                super().__init__()
                self.f_rnn = RNNScratch(num_inputs, num_hiddens, sigma)
                self.b_rnn = RNNScratch(num_inputs, num_hiddens, sigma)
                self.num_hiddens = num_hiddens * 2

            def forward(self, inputs, Hs=None):
                f_H, b_H = Hs if Hs is not None else (None, None)
                f_outputs, f_H = self.f_rnn(inputs, f_H)
                b_outputs, b_H = self.b_rnn(reversed(inputs), b_H)
                outputs = [torch.cat((f, b), -1) for f, b in zip(f_outputs, reversed(b_outputs))]
                return outputs, (f_H, b_H)

        net = nn.Module()
        net.stacked = StackedRNNScratch(num_inputs, num_hiddens, num_layers)
        net.bi = BiRNNScratch(num_inputs, num_hiddens)
        return net

    shapes = {name: value.shape for name, value in _state(build(_libs(torch)[0])).items()}
    assert list(shapes)[:3] == ["stacked.rnns.0.W_xh", "stacked.rnns.0.W_hh", "stacked.rnns.0.b_h"]
    weights = {name: rng.normal(0, 0.5, shape).astype(np.float32) for name, shape in shapes.items()}

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        net = build(lib)
        _load(torch, net, weights)
        X = torch.tensor(X_np).requires_grad_(True)
        stacked, Hs = net.stacked(X)
        bi_outputs, (f_H, b_H) = net.bi(X)
        bi = torch.stack(bi_outputs, 0)
        (stacked.pow(2).sum() + Hs[0].sum() + bi.sin().sum() + (f_H * b_H).sum()).backward()
        out: dict[str, Any] = {"stacked": stacked.detach().numpy(), "bi": bi.detach().numpy(), "dX": _array(X.grad)}
        out["Hs"] = [H.detach().numpy() for H in Hs]
        out["shapes"] = (tuple(stacked.shape), tuple(bi.shape), net.bi.num_hiddens)
        out["grads"] = _grads(net)
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert theirs["shapes"] == ((T, B, num_hiddens), (T, B, 2 * num_hiddens), 2 * num_hiddens)
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


def test_ch10_deep_and_bidirectional_gru_and_lstm_shapes_outputs_and_gradients(torch):
    num_inputs, num_hiddens, T, B = 5, 4, 6, 3
    rng = np.random.default_rng(4)
    X_np = rng.standard_normal((T, B, num_inputs)).astype(np.float32)
    configs = [("GRU", 2, False), ("LSTM", 2, False), ("GRU", 1, True), ("LSTM", 2, True)]
    states = [_state(getattr(torch.nn, kind)(num_inputs, num_hiddens, n, bidirectional=bi)) for kind, n, bi in configs]

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        out: dict[str, Any] = {}
        for (kind, num_layers, bidirectional), state in zip(configs, states):
            rnn = getattr(nn, kind)(num_inputs, num_hiddens, num_layers, bidirectional=bidirectional)
            _load(torch, rnn, state)
            X = torch.tensor(X_np)
            num_directions = 2 if bidirectional else 1
            H0 = torch.zeros((num_layers * num_directions, B, num_hiddens))
            H0 = (H0, torch.zeros_like(H0)) if kind == "LSTM" else H0
            Y, H = rnn(X, H0)
            H = H[0] if kind == "LSTM" else H
            (Y.pow(2).sum() + H.sum()).backward()
            key = f"{kind}_{num_layers}_{bidirectional}"
            out[key] = {"shapes": (tuple(Y.shape), tuple(H.shape)), "Y": Y.detach().numpy(), "H": H.detach().numpy()}
            out[key]["grads"] = _grads(rnn)
            assert sorted(out[key]["grads"]) == sorted(state)  # torch's names: weight_ih_l1_reverse, ...
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert theirs["LSTM_2_True"]["shapes"] == ((T, B, 2 * num_hiddens), (4, B, num_hiddens))
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch10_seq2seq_encoder_decoder_masked_loss_and_a_training_step(torch):
    src_vocab, tgt_vocab, embed_size, num_hiddens, num_layers, B, T = 10, 9, 8, 16, 2, 4, 7
    rng = np.random.default_rng(5)
    X_np = rng.integers(0, src_vocab, (B, T))
    Y_np = rng.integers(0, tgt_vocab, (B, T))
    valid_np = np.array([7, 3, 5, 1])
    enc = torch.nn.Module()
    enc.embedding, enc.rnn = torch.nn.Embedding(src_vocab, embed_size), torch.nn.GRU(embed_size, num_hiddens, 2)
    dec = torch.nn.Module()
    dec.embedding = torch.nn.Embedding(tgt_vocab, embed_size)
    dec.rnn = torch.nn.GRU(embed_size + num_hiddens, num_hiddens, 2)
    dec.dense = torch.nn.Linear(num_hiddens, tgt_vocab)
    weights = {f"encoder.{k}": v for k, v in _state(enc).items()} | {f"decoder.{k}": v for k, v in _state(dec).items()}

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]
        helpers, grad_clipping, _ = book_helpers(lib)
        sequence_mask = helpers["sequence_mask"]

        class Seq2SeqEncoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

            def forward(self, X, *args):
                X = self.embedding(X)
                X = X.permute(1, 0, 2)
                output, state = self.rnn(X)
                return output, state

        class Seq2SeqDecoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
                self.dense = nn.Linear(num_hiddens, vocab_size)

            def init_state(self, enc_outputs, *args):
                return enc_outputs[1]

            def forward(self, X, state):
                X = self.embedding(X).permute(1, 0, 2)
                context = state[-1].tile(X.shape[0], 1, 1)  # the book's state[-1].repeat(X.shape[0], 1, 1)
                X_and_context = torch.cat((X, context), 2)
                output, state = self.rnn(X_and_context, state)
                output = self.dense(output).permute(1, 0, 2)
                return output, state

        class EncoderDecoder(nn.Module):
            def __init__(self, encoder, decoder):
                super().__init__()
                self.encoder = encoder
                self.decoder = decoder

            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                dec_state = self.decoder.init_state(enc_outputs, *args)
                return self.decoder(dec_X, dec_state)

        class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
            def forward(self, pred, label, valid_len):
                weights = torch.ones_like(label)
                weights = sequence_mask(weights, valid_len)
                self.reduction = "none"
                unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
                weighted_loss = (unweighted_loss * weights).mean(dim=1)
                return weighted_loss

        out: dict[str, Any] = {}
        X = torch.tensor([[1, 2, 3], [4, 5, 6]])
        out["mask"] = sequence_mask(X, torch.tensor([1, 2])).numpy()
        X = torch.ones(2, 3, 4)
        out["mask_value"] = sequence_mask(X, torch.tensor([1, 2]), value=-1).numpy()
        loss = MaskedSoftmaxCELoss()
        out["loss_ones"] = loss(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long), torch.tensor([4, 2, 0]))
        net = EncoderDecoder(
            Seq2SeqEncoder(src_vocab, embed_size, num_hiddens, num_layers),
            Seq2SeqDecoder(tgt_vocab, embed_size, num_hiddens, num_layers),
        )
        _load(torch, net, weights)
        optimizer = optim.Adam(net.parameters(), lr=0.005)
        X, Y, Y_valid_len = torch.tensor(X_np), torch.tensor(Y_np), torch.tensor(valid_np)
        enc_outputs = net.encoder(X)
        out["enc_shapes"] = (tuple(enc_outputs[0].shape), tuple(enc_outputs[1].shape))
        losses = []
        for step in range(2):  # train_seq2seq's inner loop
            optimizer.zero_grad()
            bos = torch.tensor([1] * Y.shape[0]).reshape(-1, 1)
            dec_input = torch.cat([bos, Y[:, :-1]], 1)
            Y_hat, _ = net(X, dec_input, Y_valid_len)
            l = loss(Y_hat, Y, Y_valid_len)
            l.sum().backward()
            if step == 0:
                out["Y_hat"], out["l"] = Y_hat.detach().numpy(), l.detach().numpy()
                out["grads"] = _grads(net)
            out.setdefault("norms", []).append(np.float64(grad_clipping(net, 1)))
            num_tokens = Y_valid_len.sum()
            optimizer.step()
            losses.append(float(l.sum().detach()) / float(num_tokens))
        out["losses"], out["state"] = np.array(losses), _state(net)
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    np.testing.assert_array_equal(theirs["mask"], [[1, 0, 0], [4, 5, 0]])
    np.testing.assert_allclose(_array(theirs["loss_ones"]), [2.3026, 1.1513, 0.0], atol=1e-4)
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


# ---- ch11: attention mechanisms and transformers -------------------------------------------------------------


def test_ch11_nadaraya_watson_with_a_learnable_width_trained_by_sgd(torch):
    n_train = 12
    rng = np.random.default_rng(6)
    x_np = np.sort(rng.random(n_train) * 5).astype(np.float32)
    y_np = (2 * np.sin(x_np) + x_np**0.8 + rng.normal(0.0, 0.5, n_train)).astype(np.float32)
    w0 = np.array([0.7], np.float32)  # the book's torch.rand((1,))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]

        class NWKernelRegression(nn.Module):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.w = nn.Parameter(torch.tensor(w0), requires_grad=True)

            def forward(self, queries, keys, values):
                queries = queries.repeat_interleave(keys.shape[1]).reshape((-1, keys.shape[1]))
                self.attention_weights = nn.functional.softmax(-(((queries - keys) * self.w) ** 2) / 2, dim=1)
                return torch.bmm(self.attention_weights.unsqueeze(1), values.unsqueeze(-1)).reshape(-1)

        x_train, y_train = torch.tensor(x_np), torch.tensor(y_np)
        X_tile = x_train.tile((n_train, 1))  # the book's x_train.repeat((n_train, 1))
        Y_tile = y_train.tile((n_train, 1))
        keys = X_tile[(1 - torch.eye(n_train)).type(torch.bool)].reshape((n_train, -1))
        values = Y_tile[(1 - torch.eye(n_train)).type(torch.bool)].reshape((n_train, -1))
        out: dict[str, Any] = {"keys": keys.numpy(), "values": values.numpy()}
        # the batch matrix product the section introduces
        Xb, Yb = torch.ones((2, 1, 4)), torch.ones((2, 4, 6))
        out["bmm_shape"] = tuple(torch.bmm(Xb, Yb).shape)
        weights = torch.ones((2, 10)) * 0.1
        values10 = torch.arange(20.0).reshape((2, 10))
        out["bmm"] = torch.bmm(weights.unsqueeze(1), values10.unsqueeze(-1)).numpy()
        net = NWKernelRegression()
        loss = nn.MSELoss(reduction="none")
        trainer = optim.SGD(net.parameters(), lr=0.5)
        losses, ws = [], []
        for epoch in range(5):
            trainer.zero_grad()
            l = loss(net(x_train, keys, values), y_train)
            l.sum().backward()
            if epoch == 0:
                out["grad_w"] = _array(net.w.grad).copy()
            trainer.step()
            losses.append(float(l.sum().detach()))
            ws.append(float(net.w.detach()))
        out["losses"], out["ws"] = np.array(losses), np.array(ws)
        x_test = torch.arange(0, 5, 0.5)
        keys_test = x_train.tile((len(x_test), 1))
        values_test = y_train.tile((len(x_test), 1))
        out["y_hat"] = net(x_test, keys_test, values_test).unsqueeze(1).detach().numpy()
        out["attention_weights"] = net.attention_weights.detach().numpy()

        # the second edition's kernels and attention pooling (a boolean boxcar: bool / int64 sums is float)
        def gaussian(x):
            return torch.exp(-(x**2) / 2)

        def boxcar(x):
            return torch.abs(x) < 1.0

        def constant(x):
            return 1.0 + 0 * x

        def epanechikov(x):
            return torch.max(1 - torch.abs(x), torch.zeros_like(x))

        def nadaraya_watson(x_train, y_train, x_val, kernel):
            dists = kernel(x_train.reshape((-1, 1)) - x_val.reshape((1, -1)))
            attention_w = dists / dists.sum(0)
            y_hat = y_train @ attention_w
            return y_hat, attention_w

        def diff(queries, keys):
            return queries.reshape((-1, 1)) - keys.reshape((1, -1))

        def attention_pool(query_key_diffs, values):
            attention_weights = nn.functional.softmax(-(query_key_diffs**2) / 2, dim=1)
            return torch.mm(attention_weights, values), attention_weights

        x_val = torch.arange(0, 5, 0.1)
        for kernel in (gaussian, boxcar, constant, epanechikov):
            y_hat, attention_w = nadaraya_watson(x_train, y_train, x_val, kernel)
            out[kernel.__name__] = {"y_hat": y_hat.numpy(), "w": attention_w.numpy(), "dtype": str(y_hat.dtype)[-7:]}
        y_hat, attention_w = attention_pool(diff(x_val, x_train), y_train.reshape(-1, 1))
        out["pool"] = {"y_hat": y_hat.numpy(), "w": attention_w.numpy()}
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


def _attention_classes(lib: dict[str, Any]) -> dict[str, Any]:
    """The book's attention and Transformer encoder classes, in one library's names."""
    torch, nn = lib["torch"], lib["nn"]
    masked_softmax = book_helpers(lib)[0]["masked_softmax"]

    class AdditiveAttention(nn.Module):
        def __init__(self, num_hiddens, dropout, **kwargs):
            super().__init__(**kwargs)
            self.W_k = nn.LazyLinear(num_hiddens, bias=False)
            self.W_q = nn.LazyLinear(num_hiddens, bias=False)
            self.w_v = nn.LazyLinear(1, bias=False)
            self.dropout = nn.Dropout(dropout)

        def forward(self, queries, keys, values, valid_lens):
            queries, keys = self.W_q(queries), self.W_k(keys)
            features = queries.unsqueeze(2) + keys.unsqueeze(1)
            features = torch.tanh(features)
            scores = self.w_v(features).squeeze(-1)
            self.attention_weights = masked_softmax(scores, valid_lens)
            return torch.bmm(self.dropout(self.attention_weights), values)

    class DotProductAttention(nn.Module):
        def __init__(self, dropout, **kwargs):
            super().__init__(**kwargs)
            self.dropout = nn.Dropout(dropout)

        def forward(self, queries, keys, values, valid_lens=None):
            d = queries.shape[-1]
            scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
            self.attention_weights = masked_softmax(scores, valid_lens)
            return torch.bmm(self.dropout(self.attention_weights), values)

    class MultiHeadAttention(nn.Module):
        def __init__(self, num_hiddens, num_heads, dropout, bias=False, **kwargs):
            super().__init__(**kwargs)
            self.num_heads = num_heads
            self.attention = DotProductAttention(dropout)
            self.W_q = nn.LazyLinear(num_hiddens, bias=bias)
            self.W_k = nn.LazyLinear(num_hiddens, bias=bias)
            self.W_v = nn.LazyLinear(num_hiddens, bias=bias)
            self.W_o = nn.LazyLinear(num_hiddens, bias=bias)

        def forward(self, queries, keys, values, valid_lens):
            queries = self.transpose_qkv(self.W_q(queries))
            keys = self.transpose_qkv(self.W_k(keys))
            values = self.transpose_qkv(self.W_v(values))
            if valid_lens is not None:
                valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
            output = self.attention(queries, keys, values, valid_lens)
            output_concat = self.transpose_output(output)
            return self.W_o(output_concat)

        def transpose_qkv(self, X):
            X = X.reshape(X.shape[0], X.shape[1], self.num_heads, -1)
            X = X.permute(0, 2, 1, 3)
            return X.reshape(-1, X.shape[2], X.shape[3])

        def transpose_output(self, X):
            X = X.reshape(-1, self.num_heads, X.shape[1], X.shape[2])
            X = X.permute(0, 2, 1, 3)
            return X.reshape(X.shape[0], X.shape[1], -1)

    class PositionalEncoding(nn.Module):
        def __init__(self, num_hiddens, dropout, max_len=1000):
            super().__init__()
            self.dropout = nn.Dropout(dropout)
            P = torch.zeros((1, max_len, num_hiddens))
            X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
                10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens
            )
            P[:, :, 0::2] = torch.sin(X)
            P[:, :, 1::2] = torch.cos(X)
            self.register_buffer("P", P, persistent=False)

        def forward(self, X):
            X = X + self.P[:, : X.shape[1], :].to(X.device)
            return self.dropout(X)

    class PositionWiseFFN(nn.Module):
        def __init__(self, ffn_num_hiddens, ffn_num_outputs):
            super().__init__()
            self.dense1 = nn.LazyLinear(ffn_num_hiddens)
            self.relu = nn.ReLU()
            self.dense2 = nn.LazyLinear(ffn_num_outputs)

        def forward(self, X):
            return self.dense2(self.relu(self.dense1(X)))

    class AddNorm(nn.Module):
        def __init__(self, norm_shape, dropout):
            super().__init__()
            self.dropout = nn.Dropout(dropout)
            self.ln = nn.LayerNorm(norm_shape)

        def forward(self, X, Y):
            return self.ln(self.dropout(Y) + X)

    class TransformerEncoderBlock(nn.Module):
        def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias=False):
            super().__init__()
            self.attention = MultiHeadAttention(num_hiddens, num_heads, dropout, use_bias)
            self.addnorm1 = AddNorm(num_hiddens, dropout)
            self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
            self.addnorm2 = AddNorm(num_hiddens, dropout)

        def forward(self, X, valid_lens):
            Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
            return self.addnorm2(Y, self.ffn(Y))

    return {name: value for name, value in locals().items() if isinstance(value, type)}


def test_ch11_masked_softmax_additive_and_dot_product_attention(torch):
    rng = np.random.default_rng(7)
    scores_np = rng.random((2, 2, 4)).astype(np.float32)
    queries_np = rng.normal(0, 1, (2, 1, 20)).astype(np.float32)
    keys_np = np.ones((2, 10, 2), np.float32)
    keys_varied = rng.normal(0, 1, (2, 10, 2)).astype(np.float32)
    dot_queries = rng.normal(0, 1, (2, 1, 2)).astype(np.float32)
    reference = _attention_classes({"torch": torch, "nn": torch.nn, "F": torch.nn.functional})
    additive = reference["AdditiveAttention"](num_hiddens=8, dropout=0.1)
    additive(torch.tensor(queries_np), torch.tensor(keys_np), torch.zeros(2, 10, 4), None)  # materialise the lazies
    weights = _state(additive)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        classes = _attention_classes(lib)
        masked_softmax = book_helpers(lib)[0]["masked_softmax"]
        out: dict[str, Any] = {}
        X = torch.tensor(scores_np)
        out["masked_1d"] = masked_softmax(X, torch.tensor([2, 3])).numpy()
        out["masked_2d"] = masked_softmax(X, torch.tensor([[1, 3], [2, 4]])).numpy()
        out["unmasked"] = masked_softmax(X, None).numpy()
        values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).tile(2, 1, 1)  # the book's .repeat(2, 1, 1)
        valid_lens = torch.tensor([2, 6])
        attention = classes["AdditiveAttention"](num_hiddens=8, dropout=0.1)
        attention(torch.tensor(queries_np), torch.tensor(keys_np), values, None)
        _load(torch, attention, weights)
        attention.eval()
        for name, keys in (("ones", keys_np), ("varied", keys_varied)):
            queries, keys = torch.tensor(queries_np).requires_grad_(True), torch.tensor(keys).requires_grad_(True)
            attention.zero_grad()
            result = attention(queries, keys, values, valid_lens)
            (result * torch.arange(4, dtype=torch.float32)).sum().backward()
            out[f"additive_{name}"] = {"out": result.detach().numpy(), "weights": attention.attention_weights.detach()}
            out[f"additive_{name}"].update(dq=_array(queries.grad), dk=_array(keys.grad), **_grads(attention))
        dot = classes["DotProductAttention"](dropout=0.5)
        dot.eval()
        queries = torch.tensor(dot_queries).requires_grad_(True)
        keys = torch.tensor(keys_varied).requires_grad_(True)
        result = dot(queries, keys, values, valid_lens)
        result.pow(2).sum().backward()
        out["dot"] = {"out": result.detach().numpy(), "weights": dot.attention_weights.detach().numpy()}
        out["dot"].update(dq=_array(queries.grad), dk=_array(keys.grad))
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert np.all(theirs["masked_1d"][0, :, 2:] == 0) and np.all(theirs["masked_1d"][1, :, 3:] == 0)
    np.testing.assert_allclose(theirs["additive_ones"]["out"][0, 0], [2.0, 3.0, 4.0, 5.0], rtol=1e-5)
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch11_multi_head_attention_positional_encoding_ffn_addnorm_and_an_encoder_block(torch):
    num_hiddens, num_heads, batch_size, num_queries, num_kvpairs = 16, 4, 2, 4, 6
    rng = np.random.default_rng(8)
    X_np = rng.normal(0, 1, (batch_size, num_queries, num_hiddens)).astype(np.float32)
    Y_np = rng.normal(0, 1, (batch_size, num_kvpairs, num_hiddens)).astype(np.float32)
    valid_np = np.array([3, 2])
    reference = _attention_classes({"torch": torch, "nn": torch.nn, "F": torch.nn.functional})

    def materialised(classes: dict[str, Any], tensor: Any) -> dict[str, Any]:
        mha = classes["MultiHeadAttention"](num_hiddens, num_heads, 0.5)
        mha(tensor(X_np), tensor(Y_np), tensor(Y_np), tensor(valid_np))
        ffn = classes["PositionWiseFFN"](32, 8)
        ffn(tensor(X_np))
        block = classes["TransformerEncoderBlock"](num_hiddens, 32, num_heads, 0.5)
        block(tensor(X_np), tensor(valid_np))
        return {"mha": mha, "ffn": ffn, "block": block, "addnorm": classes["AddNorm"]([num_queries, num_hiddens], 0.5)}

    states = {name: _state(m) for name, m in materialised(reference, torch.tensor).items()}
    for name in ("weight", "bias"):  # a LayerNorm away from its identity start
        states["addnorm"][f"ln.{name}"] = rng.normal(1.0 - len(name) % 2, 0.3, (num_queries, num_hiddens)).astype(
            np.float32
        )

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        classes = _attention_classes(lib)
        modules = materialised(classes, torch.tensor)
        out: dict[str, Any] = {}
        for name, module in modules.items():
            _load(torch, module, states[name])
            module.eval()
        X = torch.tensor(X_np).requires_grad_(True)
        Y = torch.tensor(Y_np).requires_grad_(True)
        valid_lens = torch.tensor(valid_np)
        attention = modules["mha"]
        result = attention(X, Y, Y, valid_lens)
        result.tanh().sum().backward()
        out["mha"] = {"out": result.detach().numpy(), "dX": _array(X.grad), "dY": _array(Y.grad), **_grads(attention)}
        out["mha_weights"] = attention.attention.attention_weights.detach().numpy()
        encoding_dim, num_steps = 32, 60
        pos_encoding = classes["PositionalEncoding"](encoding_dim, 0)
        Xp = pos_encoding(torch.zeros((1, num_steps, encoding_dim)))
        out["P"] = pos_encoding.P[:, : Xp.shape[1], :].numpy()
        out["Xp"] = Xp.numpy()
        out["P_in_state"] = sorted(pos_encoding.state_dict())
        out["ffn"] = modules["ffn"](torch.ones((2, 3, 4 * 4)))[0].detach().numpy()
        add_norm = modules["addnorm"]
        ln = lib["nn"].LayerNorm(2)
        bn = lib["nn"].BatchNorm1d(2)
        Xn = torch.tensor([[1, 2], [2, 3]], dtype=torch.float32)
        out["ln_bn"] = (ln(Xn).detach().numpy(), bn(Xn).detach().numpy())
        A, B = torch.tensor(X_np).requires_grad_(True), torch.tensor(X_np[::-1].copy()).requires_grad_(True)
        added = add_norm(A, B)
        (added * torch.tensor(X_np)).sum().backward()
        out["addnorm"] = {"out": added.detach().numpy(), "dA": _array(A.grad), "dB": _array(B.grad), **_grads(add_norm)}
        block = modules["block"]
        Xb = torch.tensor(X_np).requires_grad_(True)
        encoded = block(Xb, valid_lens)
        (encoded**3).mean().backward()
        out["block"] = {"out": encoded.detach().numpy(), "dX": _array(Xb.grad), **_grads(block)}
        out["block_shape"] = tuple(encoded.shape)
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert theirs["P_in_state"] == []
    np.testing.assert_allclose(theirs["P"][0, :, 0], np.sin(np.arange(60)), atol=1e-6)
    _compare(ours, theirs, rtol=2e-4, atol=2e-5)


def _init_seq2seq(nn: Any) -> Any:
    """The book's init_seq2seq: Xavier-uniform Linear weights and the GRU's weights found by _flat_weights_names."""

    def init_seq2seq(module):
        if type(module) == nn.Linear:
            nn.init.xavier_uniform_(module.weight)
        if type(module) == nn.GRU:
            for param in module._flat_weights_names:
                if "weight" in param:
                    nn.init.xavier_uniform_(module._parameters[param])

    return init_seq2seq


def test_ch11_bahdanau_attention_decoder_over_a_seq2seq_encoder(torch):
    vocab_size, embed_size, num_hiddens, num_layers, batch_size, num_steps = 10, 8, 16, 2, 4, 7
    rng = np.random.default_rng(11)
    X_np = rng.integers(0, vocab_size, (batch_size, num_steps))
    valid_np = np.array([7, 2, 4, 5])

    def build(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]
        AdditiveAttention = _attention_classes(lib)["AdditiveAttention"]
        init_seq2seq = _init_seq2seq(nn)

        class Seq2SeqEncoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)
                self.apply(init_seq2seq)

            def forward(self, X, *args):
                embs = self.embedding(X.t().type(torch.int64))
                outputs, state = self.rnn(embs)
                return outputs, state

        class Seq2SeqAttentionDecoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                super().__init__()
                self.attention = AdditiveAttention(num_hiddens, dropout)
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
                self.dense = nn.LazyLinear(vocab_size)
                self.apply(init_seq2seq)

            def init_state(self, enc_outputs, enc_valid_lens):
                outputs, hidden_state = enc_outputs
                return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)

            def forward(self, X, state):
                enc_outputs, hidden_state, enc_valid_lens = state
                X = self.embedding(X).permute(1, 0, 2)
                outputs, self._attention_weights = [], []
                for x in X:
                    query = torch.unsqueeze(hidden_state[-1], dim=1)
                    context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)
                    x = torch.cat((context, torch.unsqueeze(x, dim=1)), dim=-1)
                    out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
                    outputs.append(out)
                    self._attention_weights.append(self.attention.attention_weights)
                outputs = self.dense(torch.cat(outputs, dim=0))
                return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]

        net = nn.Module()
        net.encoder = Seq2SeqEncoder(vocab_size, embed_size, num_hiddens, num_layers)
        net.decoder = Seq2SeqAttentionDecoder(vocab_size, embed_size, num_hiddens, num_layers)
        X = torch.zeros((batch_size, num_steps), dtype=torch.long)
        net.decoder(X, net.decoder.init_state(net.encoder(X), None))  # the book's shape check; the lazies materialise
        return net

    reference = build(_libs(torch)[0])
    weights = _state(reference)
    bound = math.sqrt(6 / (num_hiddens + embed_size))  # Xavier's bound for the encoder's first input weights
    assert np.abs(weights["encoder.rnn.weight_ih_l0"]).max() <= bound

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, F = lib["torch"], lib["F"]
        net = build(lib)
        init_bound = float(np.abs(_array(net.encoder.rnn.weight_ih_l0)).max())
        _load(torch, net, weights)
        X, valid_lens = torch.tensor(X_np), torch.tensor(valid_np)
        state = net.decoder.init_state(net.encoder(X), valid_lens)
        output, state = net.decoder(X, state)
        Y = torch.tensor(X_np[:, ::-1].copy())
        l = F.cross_entropy(output.reshape((-1, output.shape[-1])), Y.reshape((-1,)), reduction="none")
        mask = (Y.reshape(-1) != 0).type(torch.float32)
        loss = (l * mask).sum() / mask.sum()
        loss.backward()
        out: dict[str, Any] = {"output": output.detach().numpy(), "loss": loss.item(), "grads": _grads(net)}
        out["shapes"] = (tuple(output.shape), len(state), tuple(state[0].shape), tuple(state[1].shape))
        out["attention"] = [w.detach().numpy() for w in net.decoder._attention_weights]
        out["init_in_bound"] = init_bound <= bound + 1e-6
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert theirs["shapes"] == ((batch_size, num_steps, vocab_size), 3, (4, 7, 16), (2, 4, 16))
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch11_transformer_encoder_and_a_decoder_block_with_its_causal_valid_lens(torch):
    vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, batch_size, num_steps = 20, 12, 24, 3, 2, 2, 9
    rng = np.random.default_rng(12)
    tokens = rng.integers(0, vocab_size, (batch_size, num_steps))
    dec_in = rng.normal(0, 1, (batch_size, 5, num_hiddens)).astype(np.float32)
    valid_np = np.array([3, 8])

    def build(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]
        classes = _attention_classes(lib)
        (PositionalEncoding, TransformerEncoderBlock, MultiHeadAttention, AddNorm, PositionWiseFFN) = (
            classes[name]
            for name in (
                "PositionalEncoding",
                "TransformerEncoderBlock",
                "MultiHeadAttention",
                "AddNorm",
                "PositionWiseFFN",
            )
        )

        class TransformerEncoder(nn.Module):
            def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, use_bias=False):
                super().__init__()
                self.num_hiddens = num_hiddens
                self.embedding = nn.Embedding(vocab_size, num_hiddens)
                self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
                self.blks = nn.Sequential()
                for i in range(num_blks):
                    self.blks.add_module(
                        "block" + str(i),
                        TransformerEncoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias),
                    )

            def forward(self, X, valid_lens):
                X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
                self.attention_weights = [None] * len(self.blks)
                for i, blk in enumerate(self.blks):
                    X = blk(X, valid_lens)
                    self.attention_weights[i] = blk.attention.attention.attention_weights
                return X

        class TransformerDecoderBlock(nn.Module):
            def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, i):
                super().__init__()
                self.i = i
                self.attention1 = MultiHeadAttention(num_hiddens, num_heads, dropout)
                self.addnorm1 = AddNorm(num_hiddens, dropout)
                self.attention2 = MultiHeadAttention(num_hiddens, num_heads, dropout)
                self.addnorm2 = AddNorm(num_hiddens, dropout)
                self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
                self.addnorm3 = AddNorm(num_hiddens, dropout)

            def forward(self, X, state):
                enc_outputs, enc_valid_lens = state[0], state[1]
                if state[2][self.i] is None:
                    key_values = X
                else:
                    key_values = torch.cat((state[2][self.i], X), dim=1)
                state[2][self.i] = key_values
                if self.training:
                    batch_size, num_steps, _ = X.shape
                    # the book's torch.arange(1, num_steps + 1).repeat(batch_size, 1): tile here (repeat is numpy's)
                    dec_valid_lens = torch.arange(1, num_steps + 1, device=X.device).tile(batch_size, 1)
                else:
                    dec_valid_lens = None
                X2 = self.attention1(X, key_values, key_values, dec_valid_lens)
                Y = self.addnorm1(X, X2)
                Y2 = self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens)
                Z = self.addnorm2(Y, Y2)
                return self.addnorm3(Z, self.ffn(Z)), state

        net = nn.Module()
        net.encoder = TransformerEncoder(vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, 0.0)
        net.decoder_blk = TransformerDecoderBlock(num_hiddens, ffn_num_hiddens, num_heads, 0.0, 0)
        enc = net.encoder(torch.ones((batch_size, num_steps), dtype=torch.long), torch.tensor(valid_np))
        net.decoder_blk(torch.ones((batch_size, 5, num_hiddens)), [enc, torch.tensor(valid_np), [None]])
        return net

    weights = _state(build(_libs(torch)[0]))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        net = build(lib)
        _load(torch, net, weights)
        net.train()  # dropout 0: training mode only switches the decoder's causal valid lengths on
        valid_lens = torch.tensor(valid_np)
        enc_outputs = net.encoder(torch.tensor(tokens), valid_lens)
        X = torch.tensor(dec_in).requires_grad_(True)
        state = [enc_outputs, valid_lens, [None]]
        Y, state = net.decoder_blk(X, state)
        (Y.sin().sum() + enc_outputs.pow(2).mean()).backward()
        out: dict[str, Any] = {"enc": enc_outputs.detach().numpy(), "Y": Y.detach().numpy(), "dX": _array(X.grad)}
        out["grads"] = _grads(net)
        out["enc_attention"] = [w.detach().numpy() for w in net.encoder.attention_weights]
        out["self_attention"] = net.decoder_blk.attention1.attention.attention_weights.detach().numpy()
        net.eval()  # prediction: one step at a time, keys and values cached in state[2]
        with torch.no_grad():
            state = [enc_outputs.detach(), valid_lens, [None]]
            steps = [net.decoder_blk(torch.tensor(dec_in[:, t : t + 1]), state)[0].numpy() for t in range(5)]
        out["cached_steps"] = np.concatenate(steps, axis=1)
        out["cache_shape"] = tuple(state[2][0].shape)
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    causal = theirs["self_attention"]
    assert np.all(np.triu(causal[0], 1) == 0)  # each query sees itself and the steps before
    _compare(ours, theirs, rtol=2e-4, atol=2e-5)
    _close(ours["cached_steps"], ours["Y"], rtol=1e-4, atol=1e-5)  # step by step with the cache = all at once


# ---- ch12: optimization algorithms ---------------------------------------------------------------------------


def test_ch12_gradient_descent_in_one_and_two_dimensions_and_sgd_with_decaying_rates(torch):
    noise = np.random.default_rng(9).normal(0.0, 1.0, (3, 50, 2)).astype(np.float32)  # the book's torch.normal draws

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]

        def f(x):
            return x**2

        def f_grad(x):
            return 2 * x

        def gd(eta, f_grad):
            x = 10.0
            results = [x]
            for _ in range(10):
                x -= eta * f_grad(x)
                results.append(float(x))
            return results

        def gd_autograd(eta):  # the same descent, the gradient taken by backward()
            x = torch.tensor(10.0, requires_grad=True)
            results = [x.item()]
            for _ in range(10):
                f(x).backward()
                with torch.no_grad():
                    x -= eta * x.grad
                    x.grad.zero_()
                results.append(x.item())
            return results

        def f_2d(x1, x2):
            return x1**2 + 2 * x2**2

        def f_2d_grad(x1, x2):
            return (2 * x1, 4 * x2)

        def train_2d(trainer, steps=20, f_grad=None):
            x1, x2, s1, s2 = -5, -2, 0, 0
            results = [(x1, x2)]
            for i in range(steps):
                if f_grad:
                    x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
                else:
                    x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
                results.append((float(x1), float(x2)))
            return results

        eta = 0.1

        def gd_2d(x1, x2, s1, s2, f_grad):
            g1, g2 = f_grad(x1, x2)
            return (x1 - eta * g1, x2 - eta * g2, 0, 0)

        def f_2d_autograd(x1, x2):
            x = torch.tensor([float(x1), float(x2)], requires_grad=True)
            f_2d(x[0], x[1]).backward()
            return x.grad[0], x.grad[1]

        draws = iter([])

        def sgd_2d(x1, x2, s1, s2, f_grad):
            g1, g2 = f_grad(x1, x2)
            draw = next(draws)  # the book's two torch.normal(0.0, 1, (1,)) draws
            g1, g2 = g1 + float(draw[0]), g2 + float(draw[1])
            eta_t = eta * lr()
            return (x1 - eta_t * g1, x2 - eta_t * g2, 0, 0)

        def constant_lr():
            return 1

        t = 1

        def exponential_lr():
            nonlocal t
            t += 1
            return math.exp(-0.1 * t)

        def polynomial_lr():
            nonlocal t
            t += 1
            return (1 + 0.1 * t) ** (-0.5)

        out: dict[str, Any] = {"gd": np.array(gd(0.2, f_grad)), "gd_autograd": np.array(gd_autograd(0.2))}
        out["gd_small"], out["gd_large"] = np.array(gd_autograd(0.05)), np.array(gd_autograd(1.1))
        out["gd_2d"] = np.array(train_2d(gd_2d, f_grad=f_2d_grad))
        out["gd_2d_autograd"] = np.array(train_2d(gd_2d, f_grad=f_2d_autograd))
        for k, (name, lr_fn) in enumerate(
            (("constant", constant_lr), ("exp", exponential_lr), ("poly", polynomial_lr))
        ):
            t, lr, draws = 1, lr_fn, iter(noise[k])
            out[name] = np.array(train_2d(sgd_2d, steps=50, f_grad=f_2d_autograd))

        # the nonconvex x cos(cx) (gd stalls in a local minimum) and Newton's method on cosh(cx), by the book's
        # closed-form derivatives with a tensor c, and by backward() (twice, for the Hessian)
        def grad_of(f, x):
            x = torch.tensor(float(x), requires_grad=True)
            (g,) = torch.autograd.grad(f(x), x, create_graph=True)
            (h,) = torch.autograd.grad(g, x)
            return g.detach(), h

        c = torch.tensor(0.15 * np.pi)

        def f_nonconvex(x):
            return x * torch.cos(c * x)

        def f_nonconvex_grad(x):
            return torch.cos(c * x) - c * x * torch.sin(c * x)

        out["nonconvex"] = np.array(gd(2, f_nonconvex_grad))
        out["nonconvex_autograd"] = np.array(gd(2, lambda x: grad_of(f_nonconvex, x)[0]))
        c = torch.tensor(0.5)

        def f_cosh(x):
            return torch.cosh(c * x)

        def f_cosh_grad(x):
            return c * torch.sinh(c * x)

        def f_cosh_hess(x):
            return c**2 * torch.cosh(c * x)

        def newton(eta=1, f_grad=f_cosh_grad, f_hess=f_cosh_hess):
            x = 10.0
            results = [x]
            for _ in range(10):
                x -= eta * f_grad(x) / f_hess(x)
                results.append(float(x))
            return results

        out["newton"] = np.array(newton())
        out["newton_autograd"] = np.array(
            newton(f_grad=lambda x: grad_of(f_cosh, x)[0], f_hess=lambda x: grad_of(f_cosh, x)[1])
        )
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    np.testing.assert_allclose(theirs["gd"], 10.0 * 0.6 ** np.arange(11), rtol=1e-12)
    np.testing.assert_allclose(ours["newton_autograd"], ours["newton"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours["nonconvex_autograd"], ours["nonconvex"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours["gd_autograd"], 10.0 * 0.6 ** np.arange(11), rtol=1e-5)
    _compare(ours, theirs, rtol=1e-5, atol=1e-5)


def _airfoil_like(rng: np.random.Generator, n: int = 60, d: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """A stand-in for the book's normalised airfoil data: standardised features, a noisy linear target."""
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X @ rng.normal(0, 1, d) + 0.3 + rng.normal(0, 0.1, n)).astype(np.float32)
    return X, y


def test_ch12_minibatch_sgd_momentum_adagrad_rmsprop_adadelta_adam_by_hand_and_by_optim(torch):
    rng = np.random.default_rng(10)
    X_np, y_np = _airfoil_like(rng)
    w0 = rng.normal(0, 0.01, (5, 1)).astype(np.float32)  # the book's torch.normal(0, 0.01, (feature_dim, 1))
    batch_size = 10

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]

        def linreg(X, w, b):
            return torch.matmul(X, w) + b

        def squared_loss(y_hat, y):
            return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

        def sgd(params, states, hyperparams):
            for p in params:
                p.data.sub_(hyperparams["lr"] * p.grad)
                p.grad.data.zero_()

        def init_momentum_states(feature_dim):
            return (torch.zeros((feature_dim, 1)), torch.zeros(1))

        def sgd_momentum(params, states, hyperparams):
            for p, v in zip(params, states):
                with torch.no_grad():
                    v[:] = hyperparams["momentum"] * v + p.grad
                    p[:] -= hyperparams["lr"] * v
                p.grad.data.zero_()

        init_adagrad_states = init_rmsprop_states = init_momentum_states

        def adagrad(params, states, hyperparams):
            eps = 1e-6
            for p, s in zip(params, states):
                with torch.no_grad():
                    s[:] += torch.square(p.grad)
                    p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
                p.grad.data.zero_()

        def rmsprop(params, states, hyperparams):
            gamma, eps = hyperparams["gamma"], 1e-6
            for p, s in zip(params, states):
                with torch.no_grad():
                    s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
                    p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
                p.grad.data.zero_()

        def init_adadelta_states(feature_dim):
            s_w, s_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
            delta_w, delta_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
            return ((s_w, delta_w), (s_b, delta_b))

        def adadelta(params, states, hyperparams):
            rho, eps = hyperparams["rho"], 1e-5
            for p, (s, delta) in zip(params, states):
                with torch.no_grad():
                    s[:] = rho * s + (1 - rho) * torch.square(p.grad)
                    g = (torch.sqrt(delta + eps) / torch.sqrt(s + eps)) * p.grad
                    p[:] -= g
                    delta[:] = rho * delta + (1 - rho) * g * g
                p.grad.data.zero_()

        init_adam_states = init_yogi_states = init_adadelta_states

        def yogi(params, states, hyperparams):
            beta1, beta2, eps = 0.9, 0.999, 1e-3
            for p, (v, s) in zip(params, states):
                with torch.no_grad():
                    v[:] = beta1 * v + (1 - beta1) * p.grad
                    s[:] = s + (1 - beta2) * torch.sign(torch.square(p.grad) - s) * torch.square(p.grad)
                    v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
                    s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
                    p[:] -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
                p.grad.data.zero_()
            hyperparams["t"] += 1

        def adam(params, states, hyperparams):
            beta1, beta2, eps = 0.9, 0.999, 1e-6
            for p, (v, s) in zip(params, states):
                with torch.no_grad():
                    v[:] = beta1 * v + (1 - beta1) * p.grad
                    s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
                    v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
                    s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
                    p[:] -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
                p.grad.data.zero_()
            hyperparams["t"] += 1

        def data_iter():
            dataset = data.TensorDataset(torch.tensor(X_np), torch.tensor(y_np))
            return data.DataLoader(dataset, batch_size, shuffle=False)

        def train_ch11(trainer_fn, states, hyperparams, num_epochs=2):
            w = torch.tensor(w0.copy(), requires_grad=True)
            b = torch.zeros((1), requires_grad=True)
            net, loss = (lambda X: linreg(X, w, b)), squared_loss
            losses = []
            for _ in range(num_epochs):
                for X, y in data_iter():
                    l = loss(net(X), y).mean()
                    l.backward()
                    trainer_fn([w, b], states, hyperparams)
                    with torch.no_grad():  # the book's evaluate_loss over the whole set
                        losses.append(float(loss(net(torch.tensor(X_np)), torch.tensor(y_np)).mean()))
            return {"losses": np.array(losses), "w": _array(w), "b": _array(b)}

        def train_concise_ch11(trainer_fn, hyperparams, num_epochs=2):
            net = nn.Sequential(nn.Linear(5, 1))
            with torch.no_grad():
                net[0].weight.copy_(torch.tensor(w0.T.copy()))
                net[0].bias.zero_()
            loss = nn.MSELoss(reduction="none")
            optimizer = trainer_fn(net.parameters(), **hyperparams)
            losses = []
            for _ in range(num_epochs):
                for X, y in data_iter():
                    optimizer.zero_grad()
                    out = net(X)
                    y = y.reshape(out.shape)
                    l = loss(out, y)
                    (l / 2).mean().backward()  # MSELoss lacks squared_loss's 1/2: halved to compare
                    optimizer.step()
                    with torch.no_grad():
                        full = loss(net(torch.tensor(X_np)), torch.tensor(y_np).reshape(-1, 1))
                        losses.append(float(full.mean()) / 2)
            return {"losses": np.array(losses), "w": _array(net[0].weight).T, "b": _array(net[0].bias)}

        out = {
            "sgd": train_ch11(sgd, None, {"lr": 0.05}),
            "momentum": train_ch11(sgd_momentum, init_momentum_states(5), {"lr": 0.02, "momentum": 0.5}),
            "adagrad": train_ch11(adagrad, init_adagrad_states(5), {"lr": 0.1}),
            "rmsprop": train_ch11(rmsprop, init_rmsprop_states(5), {"lr": 0.01, "gamma": 0.9}),
            "adadelta": train_ch11(adadelta, init_adadelta_states(5), {"rho": 0.9}),
            "adam": train_ch11(adam, init_adam_states(5), {"lr": 0.01, "t": 1}),
            "yogi": train_ch11(yogi, init_yogi_states(5), {"lr": 0.01, "t": 1}),
        }
        out["optim"] = {
            "sgd": train_concise_ch11(optim.SGD, {"lr": 0.05}),
            "momentum": train_concise_ch11(optim.SGD, {"lr": 0.02, "momentum": 0.5}),
            "adagrad": train_concise_ch11(optim.Adagrad, {"lr": 0.1}),
            "rmsprop": train_concise_ch11(optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
            "adadelta": train_concise_ch11(optim.Adadelta, {"rho": 0.9, "eps": 1e-5}),
            "adam": train_concise_ch11(optim.Adam, {"lr": 0.01, "eps": 1e-6}),
        }
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)
    # the book's hand-written steps are optim's algorithms (eps placed inside the root for AdaGrad and RMSProp)
    for name in ("sgd", "momentum", "adadelta", "adam", "adagrad", "rmsprop"):
        tol = 1e-4 if name in ("sgd", "momentum", "adadelta", "adam") else 2e-3
        for key in ("losses", "w", "b"):
            np.testing.assert_allclose(ours[name][key], ours["optim"][name][key], rtol=tol, atol=1e-5, err_msg=name)
    assert ours["adam"]["losses"][-1] < ours["adam"]["losses"][0]


def test_ch12_learning_rate_schedulers_and_a_square_root_scheduler_through_lambda_lr(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]
        lr_scheduler = optim.lr_scheduler

        class SquareRootScheduler:
            def __init__(self, lr=0.1):
                self.lr = lr

            def __call__(self, num_update):
                return self.lr * pow(num_update + 1.0, -0.5)

        class CosineScheduler:
            def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
                self.base_lr_orig = base_lr
                self.max_update = max_update
                self.final_lr = final_lr
                self.warmup_steps = warmup_steps
                self.warmup_begin_lr = warmup_begin_lr
                self.max_steps = self.max_update - self.warmup_steps

            def get_warmup_lr(self, epoch):
                increase = (self.base_lr_orig - self.warmup_begin_lr) * float(epoch) / float(self.warmup_steps)
                return self.warmup_begin_lr + increase

            def __call__(self, epoch):
                if epoch < self.warmup_steps:
                    return self.get_warmup_lr(epoch)
                if epoch <= self.max_update:
                    self.base_lr = (
                        self.final_lr
                        + (self.base_lr_orig - self.final_lr)
                        * (1 + math.cos(math.pi * (epoch - self.warmup_steps) / self.max_steps))
                        / 2
                    )
                return self.base_lr

        def lrs(make, steps=30, lr=0.5):
            net = nn.Linear(2, 1)
            trainer = optim.SGD(net.parameters(), lr=lr)
            scheduler = make(trainer)
            rates = []
            for _ in range(steps):
                trainer.zero_grad()
                net(torch.ones((1, 2))).sum().backward()
                trainer.step()
                rates.append(trainer.param_groups[0]["lr"])
                scheduler.step()
            return np.array(rates)

        square_root = SquareRootScheduler(lr=0.1)
        out = {
            "step": lrs(lambda t: lr_scheduler.StepLR(t, step_size=5, gamma=0.5)),
            "multistep": lrs(lambda t: lr_scheduler.MultiStepLR(t, milestones=[15, 30], gamma=0.5)),
            "cosine": lrs(lambda t: lr_scheduler.CosineAnnealingLR(t, T_max=20, eta_min=0.01)),
            "sqrt": lrs(lambda t: lr_scheduler.LambdaLR(t, lr_lambda=square_root), lr=1.0),
            "by_hand_sqrt": np.array([square_root(t) for t in range(30)]),
        }
        cosine = CosineScheduler(max_update=20, base_lr=0.5, final_lr=0.01)
        out["by_hand_cosine"] = np.array([cosine(t) for t in range(30)])
        warm = CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)
        out["warmup_cosine"] = np.array([warm(t) for t in range(30)])

        class FactorScheduler:
            def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
                self.factor = factor
                self.stop_factor_lr = stop_factor_lr
                self.base_lr = base_lr

            def __call__(self, num_update):
                self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
                return self.base_lr

        def train(trainer, scheduler, num_epochs=12):
            """The book's train loop's scheduling: a torch scheduler steps, one of the book's sets the rate."""
            net = nn.Linear(2, 1)
            trainer = trainer(net.parameters())
            if getattr(scheduler, "__name__", None) == "<lambda>":  # a torch scheduler is made on the trainer
                scheduler = scheduler(trainer)
            rates = []
            for epoch in range(num_epochs):
                trainer.zero_grad()
                net(torch.ones((1, 2))).sum().backward()
                trainer.step()
                if scheduler:
                    if scheduler.__module__ == lr_scheduler.__name__:
                        scheduler.step()
                        rates.append(scheduler.get_last_lr()[0])
                    else:
                        for param_group in trainer.param_groups:
                            param_group["lr"] = scheduler(epoch)
                        rates.append(trainer.param_groups[0]["lr"])
            return np.array(rates)

        def sgd(params):
            return optim.SGD(params, lr=0.5)

        out["loop_factor"] = train(sgd, FactorScheduler(factor=0.9, stop_factor_lr=0.3, base_lr=0.5))
        out["loop_sqrt"] = train(sgd, SquareRootScheduler(lr=0.5))
        out["loop_cosine"] = train(sgd, CosineScheduler(max_update=10, base_lr=0.5, final_lr=0.01))
        out["loop_multistep"] = train(
            sgd, lambda trainer: lr_scheduler.MultiStepLR(trainer, milestones=[4, 8], gamma=0.5)
        )
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    _compare(ours, theirs, rtol=1e-9, atol=1e-12)
    # the book's hand-written schedules are the library ones
    np.testing.assert_allclose(ours["sqrt"], ours["by_hand_sqrt"], rtol=1e-12)
    np.testing.assert_allclose(ours["cosine"][:21], ours["by_hand_cosine"][:21], rtol=1e-9)
    np.testing.assert_allclose(ours["step"][:10], [0.5] * 5 + [0.25] * 5)
    np.testing.assert_allclose(ours["loop_multistep"], [0.5] * 3 + [0.25] * 4 + [0.125] * 5)
    np.testing.assert_allclose(ours["loop_factor"], np.maximum(0.3, 0.5 * 0.9 ** np.arange(1, 13)), rtol=1e-12)
