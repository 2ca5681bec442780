"""Model code that writes into tensors in place, as torch users write it, run here and in torch (float64, the same
weights): a GPT-style decoder whose KV cache is preallocated and filled in place (teacher forcing and ``no_grad``
generation), a hand-written RNN writing each hidden state into a preallocated buffer (``h_all[t] = h``,
``h_all[:, t] = h``, against ``torch.stack``), in-place activations on slices inside ``nn.Sequential`` with a
residual ``out += identity``, a CTC-style alpha recursion and a soft edit distance filled cell by cell, an EMA of
the weights with ``parameters_to_vector``, and a ``no_grad`` evaluation loop that keeps views before training
steps. Losses, every gradient and the parameters after a few optimizer steps agree to rtol 1e-9, and where torch
refuses (a saved view of the cache overwritten by the next step) this library refuses too."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

TORCH = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim, "data": torch.utils.data}
OURS = {"torch": autograd, "nn": nn, "F": nn.functional, "optim": nn.optim, "data": nn.data}
RTOL, ATOL = 1e-9, 1e-12


@pytest.fixture(autouse=True)
def _torch_in_float64():
    """torch's factories (zeros, full, tensor of floats) in float64, this library's default, for these tests only."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _array(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _same_start(build: Any) -> tuple[Any, Any]:
    """The torch model and ours, from the torch model's initial state."""
    torch.manual_seed(0)
    theirs, ours = build(TORCH), build(OURS)
    ours.load_state_dict({name: value.detach().numpy().copy() for name, value in theirs.state_dict().items()})
    return theirs, ours


def _agree(expected: list[Any], got: list[Any]) -> None:
    assert len(expected) == len(got)
    for index, (e, g) in enumerate(zip(expected, got)):
        if isinstance(e, dict):
            assert list(e) == list(g)
            for name in e:
                np.testing.assert_allclose(g[name], e[name], rtol=RTOL, atol=ATOL, err_msg=f"{index} {name}")
        else:
            np.testing.assert_allclose(_array(g), _array(e), rtol=RTOL, atol=ATOL, err_msg=str(index))


def _grads(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p.grad).copy() for name, p in model.named_parameters() if p.grad is not None}


def _state(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(value).copy() for name, value in model.state_dict().items()}


# -- (1) a GPT-style decoder with a preallocated KV cache -----------------------------------------------------------
V, D, HEADS, T = 11, 8, 2, 6


def _gpt(lib: dict[str, Any], clone_reads: bool = True) -> Any:
    nn_, F, torch_ = lib["nn"], lib["F"], lib["torch"]

    class Attention(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.qkv, self.proj = nn_.Linear(D, 3 * D), nn_.Linear(D, D)

        def forward(self, x: Any, cache: Any = None, pos: int = 0) -> Any:
            B, Tq, C = x.shape
            q, k, v = (t.view(B, Tq, HEADS, D // HEADS).transpose(1, 2) for t in self.qkv(x).split(D, dim=2))
            if cache is not None:
                k_cache, v_cache = cache
                k_cache[:, :, pos : pos + Tq] = k
                v_cache[:, :, pos : pos + Tq] = v
                k, v = k_cache[:, :, : pos + Tq], v_cache[:, :, : pos + Tq]
                if clone_reads and torch_.is_grad_enabled():  # the next write would change what matmul saved
                    k, v = k.clone(), v.clone()
            att = (q @ k.transpose(-2, -1)) / math.sqrt(D // HEADS)
            if Tq > 1:
                mask = torch_.tril(torch_.ones(Tq, pos + Tq), diagonal=pos) == 0
                att = att.masked_fill(mask, float("-inf"))
            y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).contiguous().view(B, Tq, C)
            return self.proj(y)

    class Block(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.attn, self.ln2 = nn_.LayerNorm(D), Attention(), nn_.LayerNorm(D)
            self.mlp = nn_.Sequential(nn_.Linear(D, 4 * D), nn_.GELU(), nn_.Linear(4 * D, D))

        def forward(self, x: Any, cache: Any = None, pos: int = 0) -> Any:
            x = x + self.attn(self.ln1(x), cache, pos)
            return x + self.mlp(self.ln2(x))

    class GPT(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.wte, self.wpe = nn_.Embedding(V, D), nn_.Embedding(T, D)
            self.blocks = nn_.ModuleList([Block(), Block()])
            self.ln_f, self.head = nn_.LayerNorm(D), nn_.Linear(D, V, bias=False)
            self.head.weight = self.wte.weight

        def new_cache(self, batch: int) -> list[Any]:
            shape = (batch, HEADS, T, D // HEADS)
            return [(torch_.zeros(*shape), torch_.zeros(*shape)) for _ in self.blocks]

        def forward(self, idx: Any, caches: Any = None, pos: int = 0) -> Any:
            x = self.wte(idx) + self.wpe(torch_.arange(pos, pos + idx.shape[1]))
            for i, block in enumerate(self.blocks):
                x = block(x, None if caches is None else caches[i], pos)
            return self.head(self.ln_f(x))

    return GPT().double()


def _train_and_generate(lib: dict[str, Any], model: Any, steps: int = 3) -> list[Any]:
    torch_, F = lib["torch"], lib["F"]
    optimizer = lib["optim"].SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-2)
    data = np.random.default_rng(0).integers(0, V, (steps, 3, T))
    seen = []
    for step in range(steps):
        idx = torch_.tensor(data[step])
        caches = model.new_cache(3)  # teacher forcing token by token through the cache
        loss = sum(
            F.cross_entropy(model(idx[:, t : t + 1], caches, t).view(-1, V), idx[:, t + 1]) for t in range(T - 1)
        )
        loss = loss / (T - 1) + F.cross_entropy(model(idx[:, :-1]).reshape(-1, V), idx[:, 1:].reshape(-1))
        caches = model.new_cache(3)  # a prefill of three tokens, then two more
        logits = torch_.cat([model(idx[:, :3], caches, 0), model(idx[:, 3:5], caches, 3)], 1)
        loss = loss + F.cross_entropy(logits.reshape(-1, V), idx[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        seen += [loss, _grads(model)]
        optimizer.step()
        with torch_.no_grad():  # greedy generation, the cache filled in place
            caches, token, tokens = model.new_cache(3), idx[:, :1], []
            for t in range(T - 1):
                token = model(token, caches, t)[:, -1].argmax(-1, keepdim=True)
                tokens.append(token)
            seen.append(torch_.cat(tokens, 1))
    return [*seen, _state(model)]


def test_gpt_with_a_kv_cache_filled_in_place_trains_and_generates_as_torch():
    theirs, ours = _same_start(_gpt)
    _agree(_train_and_generate(TORCH, theirs), _train_and_generate(OURS, ours))


def test_gpt_reading_its_kv_cache_as_a_view_while_training_is_refused_as_in_torch():
    theirs, ours = _same_start(lambda lib: _gpt(lib, clone_reads=False))
    for lib, model in ((TORCH, theirs), (OURS, ours)):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            _train_and_generate(lib, model, steps=1)


# -- (2) a hand-written RNN writing its states into a preallocated buffer ------------------------------------------
def _rnn(lib: dict[str, Any]) -> Any:
    nn_, torch_ = lib["nn"], lib["torch"]

    class RNN(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.i2h, self.h2h, self.out = nn_.Linear(5, 7), nn_.Linear(7, 7, bias=False), nn_.Linear(7, 3)

        def forward(self, x: Any, layout: str) -> Any:
            steps, batch, _ = x.shape
            h, states = torch_.zeros(batch, 7), []
            h_all = torch_.zeros(steps, batch, 7) if layout == "time" else x.new_zeros((batch, steps, 7))
            for t in range(steps):
                if layout == "read back":  # the previous state read from the buffer (a copy: matmul saves it)
                    h = torch_.tanh(self.i2h(x[t]) + self.h2h(h_all[:, t - 1].clone() if t else h))
                else:
                    h = torch_.tanh(self.i2h(x[t]) + self.h2h(h))
                if layout == "time":
                    h_all[t] = h
                elif layout == "stack":
                    states.append(h)
                else:
                    h_all[:, t] = h
            if layout == "stack":
                return self.out(torch_.stack(states))
            return self.out(h_all) if layout == "time" else self.out(h_all).transpose(0, 1)

    return RNN().double()


def _train_rnn(lib: dict[str, Any], model: Any, layout: str) -> list[Any]:
    torch_, F = lib["torch"], lib["F"]
    optimizer = lib["optim"].Adam(model.parameters(), lr=1e-2)
    rng, seen = np.random.default_rng(1), []
    for _ in range(3):
        x, y = torch_.tensor(rng.standard_normal((12, 4, 5))), torch_.tensor(rng.integers(0, 3, (12, 4)))
        loss = F.cross_entropy(model(x, layout).reshape(-1, 3), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        seen += [loss, _grads(model)]
        optimizer.step()
    return [*seen, _state(model)]


def test_an_rnn_filling_a_preallocated_state_buffer_in_place_trains_as_torch_and_as_stack():
    theirs, ours = _same_start(_rnn)
    results = {}
    for layout in ("time", "batch", "read back", "stack"):
        results[layout] = _train_rnn(TORCH, copy.deepcopy(theirs), layout)
        _agree(results[layout], _train_rnn(OURS, copy.deepcopy(ours), layout))
    for layout in ("batch", "read back", "stack"):
        _agree(results["time"], results[layout])


# -- (3) in-place activations on slices and views, a residual block ------------------------------------------------
def _inplace_net(lib: dict[str, Any]) -> Any:
    nn_, F = lib["nn"], lib["F"]

    class TanhSlice(nn_.Module):
        def forward(self, x: Any) -> Any:
            x[:, :3].tanh_()
            return x

    class MaskAndSigmoid(nn_.Module):  # (torch refuses a change of an output its rule saved: sigmoid_ comes last)
        def forward(self, x: Any) -> Any:
            x[:, 2:5].masked_fill_(x[:, 2:5] > 0.3, 0.0)
            x[:, :2] *= 2.0
            x[:, 4::3].sigmoid_()
            return x

    class ReluOfAView(nn_.Module):
        def forward(self, x: Any) -> Any:
            F.relu_(x.view(x.shape[0], 2, -1)[:, 1])
            return x

    class Block(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c1, self.bn1 = nn_.Conv2d(4, 4, 3, padding=1, bias=False), nn_.BatchNorm2d(4)
            self.c2, self.bn2 = nn_.Conv2d(4, 4, 3, padding=1, bias=False), nn_.BatchNorm2d(4)
            self.relu = nn_.ReLU(inplace=True)

        def forward(self, x: Any) -> Any:
            identity = x
            out = self.bn2(self.c2(self.relu(self.bn1(self.c1(x)))))
            out += identity
            return self.relu(out)

    return nn_.Sequential(
        nn_.Conv2d(2, 4, 3, padding=1), nn_.ReLU(inplace=True), Block(), Block(), nn_.Flatten(),
        nn_.Linear(100, 12), TanhSlice(), nn_.Linear(12, 12), nn_.LeakyReLU(0.1, inplace=True), nn_.Linear(12, 12),
        MaskAndSigmoid(), nn_.Linear(12, 10), ReluOfAView(), nn_.Linear(10, 10), nn_.Hardtanh(-0.5, 0.5, inplace=True),
        nn_.Linear(10, 3),
    ).double()  # fmt: skip


def _train_inplace_net(lib: dict[str, Any], model: Any) -> list[Any]:
    torch_, F = lib["torch"], lib["F"]
    optimizer = lib["optim"].SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    rng, seen = np.random.default_rng(2), []
    for _ in range(3):
        x, y = torch_.tensor(rng.standard_normal((6, 2, 5, 5))), torch_.tensor(rng.integers(0, 3, 6))
        model.train()
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        seen += [loss, _grads(model)]
        optimizer.step()
        model.eval()
        with torch_.no_grad():
            seen.append(model(x))
    return [*seen, _state(model)]


def test_in_place_activations_on_slices_and_a_residual_add_train_as_torch():
    theirs, ours = _same_start(_inplace_net)
    _agree(_train_inplace_net(TORCH, theirs), _train_inplace_net(OURS, ours))


# -- (7) dynamic programming filled in place ------------------------------------------------------------------------
def _ctc_alpha(lib: dict[str, Any], log_probs: Any, labels: list[int], by_cell: bool) -> Any:
    torch_ = lib["torch"]
    ext = [0]
    for label in labels:
        ext += [label, 0]
    S, steps, ninf = len(ext), log_probs.shape[0], -1e30  # (not -inf: logsumexp of only -inf has a NaN gradient)
    skip = torch_.tensor([s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2] for s in range(S)])
    alpha = torch_.full((steps, S), ninf)
    alpha[0, 0], alpha[0, 1] = log_probs[0, 0], log_probs[0, ext[1]]
    for t in range(1, steps):
        if by_cell:
            for s in range(S):
                terms = (
                    [alpha[t - 1, s]] + ([alpha[t - 1, s - 1]] if s else []) + ([alpha[t - 1, s - 2]] * bool(skip[s]))
                )
                alpha[t, s] = torch_.logsumexp(torch_.stack(terms), dim=0) + log_probs[t, ext[s]]
        else:
            prev = alpha[t - 1]
            one = torch_.cat([torch_.full((1,), ninf), prev[:-1]])
            two = torch_.cat([torch_.full((2,), ninf), prev[:-2]]).masked_fill(~skip, ninf)
            alpha[t] = torch_.logsumexp(torch_.stack([prev, one, two]), dim=0) + log_probs[t, torch_.tensor(ext)]
    return -torch_.logsumexp(alpha[steps - 1, S - 2 :], dim=0)


def _soft_edit_distance(lib: dict[str, Any], cost: Any, gamma: float = 0.5) -> Any:
    torch_ = lib["torch"]
    n, m = cost.shape
    table = torch_.zeros(n + 1, m + 1)
    table[0] = torch_.arange(m + 1) * 1.0
    table[:, 0] = torch_.arange(n + 1) * 1.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            moves = torch_.stack([table[i - 1, j] + 1, table[i, j - 1] + 1, table[i - 1, j - 1] + cost[i - 1, j - 1]])
            table[i, j] = -gamma * torch_.logsumexp(-moves / gamma, dim=0)
    return table[n, m]


@pytest.mark.parametrize("by_cell", [False, True])
def test_a_ctc_alpha_recursion_filled_in_place_matches_torch_and_ctc_loss(by_cell):
    rng = np.random.default_rng(7)
    scores, labels = rng.standard_normal((10, 5)), [1, 2, 2, 3]
    seen = []
    for lib in (TORCH, OURS):
        x = lib["torch"].tensor(scores, requires_grad=True)
        loss = _ctc_alpha(lib, lib["F"].log_softmax(x, dim=-1), labels, by_cell)
        loss.backward()
        seen.append([loss, x.grad])
    _agree(*seen)
    x = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.ctc_loss(
        torch.log_softmax(x, -1)[:, None], torch.tensor([labels]), [10], [4], reduction="sum"
    )
    expected.backward()
    _agree([expected, x.grad], seen[1])


def test_a_soft_edit_distance_table_filled_cell_by_cell_matches_torch():
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((6, 3)), rng.standard_normal((5, 3))
    seen = []
    for lib in (TORCH, OURS):
        x, y = lib["torch"].tensor(a, requires_grad=True), lib["torch"].tensor(b, requires_grad=True)
        distance = _soft_edit_distance(lib, ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
        distance.backward()
        seen.append([distance, x.grad, y.grad])
    _agree(*seen)


# -- (6) an EMA of the weights, BatchNorm's running stats, parameters_to_vector ------------------------------------
def _bn_mlp(lib: dict[str, Any]) -> Any:
    nn_ = lib["nn"]
    return nn_.Sequential(
        nn_.Linear(5, 8), nn_.BatchNorm1d(8, momentum=None), nn_.ReLU(inplace=True), nn_.Linear(8, 8),
        nn_.BatchNorm1d(8), nn_.Tanh(), nn_.Linear(8, 2),
    ).double()  # fmt: skip


def _train_with_ema(lib: dict[str, Any], model: Any) -> list[Any]:
    torch_, F, utils = lib["torch"], lib["F"], lib["nn"].utils
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = lib["optim"].SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=0.1)
    rng, seen, decay = np.random.default_rng(5), [], 0.9
    for _ in range(3):
        x, y = torch_.tensor(rng.standard_normal((7, 5))), torch_.tensor(rng.standard_normal((7, 2)))
        model.train()
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        with torch_.no_grad():
            for p_ema, p in zip(ema.parameters(), model.parameters()):
                p_ema.mul_(decay).add_(p, alpha=1 - decay)
            for b_ema, b in zip(ema.buffers(), model.buffers()):
                b_ema[...] = b
            utils.vector_to_parameters(utils.parameters_to_vector(model.parameters()) * 0.999, model.parameters())
        penalty = (utils.parameters_to_vector(model.parameters()) ** 2).sum() * 1e-3
        optimizer.zero_grad()
        penalty.backward()
        optimizer.step()
        ema.eval()
        with torch_.no_grad():
            seen += [loss, penalty, _grads(model), ema(x)]
    return [*seen, _state(model), _state(ema)]


def test_an_ema_of_the_weights_and_parameters_to_vector_round_trips_match_torch():
    theirs, ours = _same_start(_bn_mlp)
    _agree(_train_with_ema(TORCH, theirs), _train_with_ema(OURS, ours))


# -- (8) a no_grad evaluation loop keeping views, then training steps ----------------------------------------------
def _memory_net(lib: dict[str, Any]) -> Any:
    nn_ = lib["nn"]

    class Net(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn_.Sequential(nn_.Linear(6, 8), nn_.ReLU(inplace=True), nn_.Linear(8, 8))
            self.head = nn_.Linear(4, 3)
            self.memory = None

        def forward(self, x: Any) -> Any:
            h = self.body(x)
            front = h[:, :4]
            front.relu_()
            if self.memory is not None and self.memory.shape[0] == x.shape[0]:
                front = front + 0.1 * self.memory
            if not self.training:
                self.memory = h[:, 4:]  # a view made under no_grad, read by the next training steps
            return self.head(front)

    return Net().double()


def _evaluate_then_train(lib: dict[str, Any], model: Any) -> list[Any]:
    torch_, F, data = lib["torch"], lib["F"], lib["data"]
    optimizer = lib["optim"].SGD(model.parameters(), lr=0.1, momentum=0.5)
    rng = np.random.default_rng(8)
    X, Y = torch_.tensor(rng.standard_normal((20, 6))), torch_.tensor(rng.integers(0, 3, 20))
    with torch_.no_grad():  # the data standardised in place, column by column
        for j in range(6):
            column = X[:, j]
            column -= column.mean()
            column /= column.std(dim=0)
    dataset, seen = data.TensorDataset(X, Y), []
    for _ in range(2):
        model.eval()
        kept = []
        with torch_.no_grad():
            for xb, _yb in data.DataLoader(dataset, batch_size=5):
                kept.append(model(xb)[0])
            for xi, _yi in data.DataLoader(dataset, batch_size=None):
                kept.append(model(xi[None])[0, :3])
        model.train()
        for xb, yb in data.DataLoader(dataset, batch_size=5):
            xb = xb.clone()
            xb[:, 0] *= 1.5
            loss = F.cross_entropy(model(xb), yb) + 0.01 * torch_.stack(kept[:4]).pow(2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seen += [loss, _grads(model)]
    return [*seen, _state(model)]


def test_views_kept_from_a_no_grad_evaluation_loop_do_not_stop_training_and_match_torch():
    theirs, ours = _same_start(_memory_net)
    _agree(_evaluate_then_train(TORCH, theirs), _evaluate_then_train(OURS, ours))
