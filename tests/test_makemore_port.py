"""Karpathy's makemore lectures (Neural Networks: Zero to Hero, parts 2-5), ported to this library.

Each part's code is written once, as the lecture types it, against a module namespace ``T`` (``autograd`` or
``torch``) and ``F`` (``nn.functional`` or ``torch.nn.functional``), and run through both libraries on a small
synthetic names dataset: the initial parameters are drawn with this library's generator (the lecture's
``T.randn(..., generator=g)`` lines) and copied into torch, the minibatches drawn by ``T.randint`` here are handed
to torch, and the losses, every intermediate's ``.grad`` (kept by ``retain_grad()``), every parameter's ``.grad``
and the parameters after a few training steps must agree with torch's in float64. Part 4's hand-derived
gradients are compared with this library's autograd (the lecture's ``cmp``) and with torch's.

Where the lecture relies on torch's float32 default, torch's default dtype is float64 here (this library's
default, a deliberate difference).
"""

# ruff: noqa: N803, N807 - the lecture's names (T for the library, Xb, Yb, IX) and its classes' __init__

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn.functional as F

torch = pytest.importorskip("torch")

OURS = types.SimpleNamespace(T=ag, F=F)
THEIRS = types.SimpleNamespace(T=torch, F=torch.nn.functional)

RTOL = 1e-9
ATOL = 1e-12


# torch's factories in float64, as this library's (the lecture's ``torch.zeros(dim)`` in the classes).
pytestmark = pytest.mark.usefixtures("torch_default_float64")


def make_words(count: int = 200, seed: int = 0) -> list[str]:
    """A names-like dataset: ``count`` words of 2 to 4 syllables."""
    rng = np.random.default_rng(seed)
    onsets = ["", "b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "z", "sh", "j", "h", "y", "w", "f", "p", "g"]
    vowels = ["a", "e", "i", "o", "u", "ia", "ee", "ay", "ie", "oo", "x", "q", "c"]
    words = []
    for _ in range(count):
        syllables = rng.integers(1, 4)
        words.append(
            "".join(onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))] for _ in range(syllables))
        )
    return words


WORDS = make_words()
CHARS = sorted(set("".join(WORDS)))
STOI = {s: i + 1 for i, s in enumerate(CHARS)}
STOI["."] = 0
ITOS = {i: s for s, i in STOI.items()}
VOCAB_SIZE = len(ITOS)


def build_dataset(T: Any, words: list[str], block_size: int) -> tuple[Any, Any]:
    """The lecture's build_dataset: every context of ``block_size`` characters and the character after it."""
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = STOI[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = T.tensor(X)
    Y = T.tensor(Y)
    return X, Y


def to_torch(x: Any, requires_grad: bool = False) -> Any:
    """This library's tensor (or gradient array) as a torch tensor holding a copy of the same numbers."""
    array = np.array(x.detach().numpy() if isinstance(x, ag.Tensor) else np.asarray(x))
    return torch.tensor(array, requires_grad=requires_grad)


def assert_same(ours: Any, theirs: Any, what: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Our tensor (or gradient) and torch's have the same shape and numbers."""
    assert theirs is not None and ours is not None, what
    a = np.asarray(ours.detach().numpy() if isinstance(ours, ag.Tensor) else ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs torch's {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


# ----------------------------------------------------------------------------------------------------------------
# part 2: the MLP of Bengio et al. 2003


def test_build_dataset_gives_torchs_int64_contexts():
    Xo, Yo = build_dataset(ag, WORDS, 3)
    Xt, Yt = build_dataset(torch, WORDS, 3)
    assert Xo.dtype == np.int64 and Yo.dtype == np.int64
    assert Xo.shape == tuple(Xt.shape) and Yo.shape == tuple(Yt.shape)
    assert np.array_equal(Xo.numpy(), Xt.numpy()) and np.array_equal(Yo.numpy(), Yt.numpy())


def mlp_init(g: Any, block_size: int = 3, n_embd: int = 10, n_hidden: int = 200) -> list[Any]:
    """Part 2's parameters, drawn as the lecture does (here with this library's generator)."""
    C = ag.randn((VOCAB_SIZE, n_embd), generator=g)
    W1 = ag.randn((n_embd * block_size, n_hidden), generator=g)
    b1 = ag.randn(n_hidden, generator=g)
    W2 = ag.randn((n_hidden, VOCAB_SIZE), generator=g)
    b2 = ag.randn(VOCAB_SIZE, generator=g)
    return [C, W1, b1, W2, b2]


def mlp_step(lib: Any, parameters: list[Any], Xb: Any, Yb: Any, lr: float, concat: str = "view") -> dict[str, Any]:
    """One training step of part 2, as the lecture writes it."""
    T, F_ = lib.T, lib.F
    C, W1, b1, W2, b2 = parameters
    emb = C[Xb]  # (32, 3, 10)
    if concat == "view":
        embcat = emb.view(-1, 30)
    elif concat == "cat":
        embcat = T.cat([emb[:, 0, :], emb[:, 1, :], emb[:, 2, :]], 1)
    else:
        embcat = T.cat(T.unbind(emb, 1), 1)
    h = T.tanh(embcat @ W1 + b1)  # (32, 200)
    logits = h @ W2 + b2  # (32, 27)
    loss = F_.cross_entropy(logits, Yb)
    # the lecture's first, explicit version of the same loss
    counts = logits.exp()
    prob = counts / counts.sum(1, keepdims=True)
    loss_by_hand = -prob[T.arange(Xb.shape[0]), Yb].log().mean()
    for p in parameters:
        p.grad = None
    h.retain_grad()
    loss.backward()
    grads = [np.array(p.grad) if lib is OURS else p.grad.clone() for p in parameters]
    for p in parameters:
        p.data += -lr * p.grad
    return {
        "loss": loss.item(),
        "log10": loss.log10().item(),
        "by_hand": loss_by_hand.item(),
        "grads": grads,
        "h.grad": np.array(h.grad) if lib is OURS else h.grad,
    }


@pytest.mark.parametrize("concat", ["view", "cat", "unbind"])
def test_part2_mlp_training_steps_match_torch(concat):
    g = ag.Generator().manual_seed(2147483647)
    Xtr, Ytr = build_dataset(ag, WORDS, 3)
    ours = mlp_init(g)
    for p in ours:
        p.requires_grad = True
    assert sum(p.nelement() for p in ours) == VOCAB_SIZE * 10 + 30 * 200 + 200 + 200 * VOCAB_SIZE + VOCAB_SIZE
    theirs = [to_torch(p, requires_grad=True) for p in ours]
    lre = ag.linspace(-3, 0, 1000)
    lrs = 10**lre
    assert_same(lrs, 10 ** torch.linspace(-3, 0, 1000), "lrs")
    for i in range(4):
        ix = ag.randint(0, Xtr.shape[0], (32,), generator=g)
        assert ix.dtype == np.int64 and ix.shape == (32,)
        lr = lrs[999 - i].item() if i < 2 else 0.01
        a = mlp_step(OURS, ours, Xtr[ix], Ytr[ix], lr, concat)
        b = mlp_step(THEIRS, theirs, to_torch(Xtr[ix]), to_torch(Ytr[ix]), lr, concat)
        for key in ("loss", "log10", "by_hand"):
            assert a[key] == pytest.approx(b[key], rel=RTOL), key
        assert a["by_hand"] == pytest.approx(a["loss"], rel=1e-12)
        assert_same(a["h.grad"], b["h.grad"], "h.grad")
        for name, ga, gb in zip("C W1 b1 W2 b2".split(), a["grads"], b["grads"]):
            assert_same(ga, gb, f"step {i}: {name}.grad")
    for name, p, q in zip("C W1 b1 W2 b2".split(), ours, theirs):
        assert_same(p, q, f"{name} after training")


def test_part2_split_loss_and_sampling_run_as_written():
    g = ag.Generator().manual_seed(2147483647)
    Xtr, Ytr = build_dataset(ag, WORDS[:160], 3)
    Xdev, Ydev = build_dataset(ag, WORDS[160:], 3)
    C, W1, b1, W2, b2 = mlp_init(g)
    theirs = [to_torch(p) for p in (C, W1, b1, W2, b2)]

    def split_loss(lib: Any, params: list[Any], x: Any, y: Any) -> float:
        T, F_ = lib.T, lib.F

        @T.no_grad()
        def evaluate():
            C, W1, b1, W2, b2 = params
            emb = C[x]
            h = T.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)
            logits = h @ W2 + b2
            loss = F_.cross_entropy(logits, y)
            return loss.item()

        return evaluate()

    for x, y in ((Xtr, Ytr), (Xdev, Ydev)):
        assert split_loss(OURS, [C, W1, b1, W2, b2], x, y) == pytest.approx(
            split_loss(THEIRS, theirs, to_torch(x), to_torch(y)), rel=RTOL
        )
    # the uniform baseline the lecture quotes
    assert (-ag.tensor(1 / 27.0).log()).item() == pytest.approx((-torch.tensor(1 / 27.0).log()).item())

    def sample(seed: int) -> list[str]:
        g = ag.Generator().manual_seed(seed)
        names = []
        for _ in range(5):
            out = []
            context = [0] * 3
            while True:
                emb = C[ag.tensor([context])]  # (1, block_size, n_embd)
                h = ag.tanh(emb.view(1, -1) @ W1 + b1)
                logits = h @ W2 + b2
                probs = F.softmax(logits, dim=1)
                ix = ag.multinomial(probs, num_samples=1, generator=g).item()
                context = context[1:] + [ix]
                out.append(ix)
                if ix == 0 or len(out) > 30:
                    break
            names.append("".join(ITOS[i] for i in out))
        return names

    first = sample(2147483647 + 10)
    assert first == sample(2147483647 + 10)
    assert all(isinstance(name, str) and name for name in first)


# ----------------------------------------------------------------------------------------------------------------
# part 3: activations, gradients and BatchNorm


def make_layers(T: Any, g: Any) -> types.SimpleNamespace:
    """Part 3's hand-written Linear, BatchNorm1d and Tanh (part 5's additions: BatchNorm1d over (0, 1) for 3-D
    input, Embedding, FlattenConsecutive, Sequential)."""

    class Linear:
        def __init__(self, fan_in, fan_out, bias=True):
            self.weight = T.randn((fan_in, fan_out), generator=g) / fan_in**0.5  # note: kaiming init
            self.bias = T.zeros(fan_out) if bias else None

        def __call__(self, x):
            self.out = x @ self.weight
            if self.bias is not None:
                self.out += self.bias
            return self.out

        def parameters(self):
            return [self.weight] + ([] if self.bias is None else [self.bias])

    class BatchNorm1d:
        def __init__(self, dim, eps=1e-5, momentum=0.1):
            self.eps = eps
            self.momentum = momentum
            self.training = True
            # parameters (trained with backprop)
            self.gamma = T.ones(dim)
            self.beta = T.zeros(dim)
            # buffers (trained with a running 'momentum update')
            self.running_mean = T.zeros(dim)
            self.running_var = T.ones(dim)

        def __call__(self, x):
            # calculate the forward pass
            if self.training:
                if x.ndim == 2:
                    dim = 0
                elif x.ndim == 3:
                    dim = (0, 1)
                xmean = x.mean(dim, keepdim=True)  # batch mean
                xvar = x.var(dim, keepdim=True)  # batch variance
            else:
                xmean = self.running_mean
                xvar = self.running_var
            xhat = (x - xmean) / T.sqrt(xvar + self.eps)  # normalize to unit variance
            self.out = self.gamma * xhat + self.beta
            # update the buffers
            if self.training:
                with T.no_grad():
                    self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                    self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
            return self.out

        def parameters(self):
            return [self.gamma, self.beta]

    class Tanh:
        def __call__(self, x):
            self.out = T.tanh(x)
            return self.out

        def parameters(self):
            return []

    class Embedding:
        def __init__(self, num_embeddings, embedding_dim):
            self.weight = T.randn((num_embeddings, embedding_dim))

        def __call__(self, IX):
            self.out = self.weight[IX]
            return self.out

        def parameters(self):
            return [self.weight]

    class FlattenConsecutive:
        def __init__(self, n):
            self.n = n

        def __call__(self, x):
            B, T_, C = x.shape
            x = x.view(B, T_ // self.n, C * self.n)
            if x.shape[1] == 1:
                x = x.squeeze(1)
            self.out = x
            return self.out

        def parameters(self):
            return []

    class Sequential:
        def __init__(self, layers):
            self.layers = layers

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            self.out = x
            return self.out

        def parameters(self):
            # get parameters of all layers and stretch them out into one list
            return [p for layer in self.layers for p in layer.parameters()]

    return types.SimpleNamespace(
        Linear=Linear,
        BatchNorm1d=BatchNorm1d,
        Tanh=Tanh,
        Embedding=Embedding,
        FlattenConsecutive=FlattenConsecutive,
        Sequential=Sequential,
    )


def copy_state(ours: list[Any], theirs: list[Any]) -> None:
    """Our initial numbers into torch's tensors, in place (as ``p.data.copy_``)."""
    with torch.no_grad():
        for p, q in zip(ours, theirs):
            q.copy_(to_torch(p))


def deep_model(lib: Any, g: Any, n_embd: int = 10, n_hidden: int = 32, block_size: int = 3) -> tuple[Any, list]:
    T = lib.T
    L = make_layers(T, g)
    C = T.randn((VOCAB_SIZE, n_embd), generator=g)
    layers = [
        L.Linear(n_embd * block_size, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.Linear(n_hidden, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.Linear(n_hidden, n_hidden), L.Tanh(),
        L.Linear(n_hidden, VOCAB_SIZE, bias=False), L.BatchNorm1d(VOCAB_SIZE),
    ]  # fmt: skip
    with T.no_grad():
        # last layer: make less confident
        layers[-1].gamma *= 0.1
        # all other layers: apply gain
        for layer in layers[:-1]:
            if isinstance(layer, L.Linear):
                layer.weight *= 5 / 3
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad = True
    return (C, layers), parameters


def deep_step(lib: Any, model: Any, parameters: list[Any], Xb: Any, Yb: Any, lr: float) -> dict[str, Any]:
    """One step of part 3's training loop with the lecture's diagnostics."""
    T, F_ = lib.T, lib.F
    C, layers = model
    emb = C[Xb]
    x = emb.view(emb.shape[0], -1)
    for layer in layers:
        x = layer(x)
    loss = F_.cross_entropy(x, Yb)
    for layer in layers:
        layer.out.retain_grad()  # AFTER_DEBUG: would take out retain_graph
    for p in parameters:
        p.grad = None
    loss.backward()
    outs = [layer.out.detach().clone() for layer in layers]
    out_grads = [layer.out.grad.clone() for layer in layers]
    grads = [p.grad.clone() for p in parameters]
    for p in parameters:
        p.data += -lr * p.grad
    with T.no_grad():
        if lib is OURS:
            # arithmetic on a .grad (and numpy's names on it and on .data) give numpy's arrays and scalars here, by
            # design (README, "What backward() does"): the lecture's ``.log10().item()`` is np.log10; numpy's std
            # is the biased one, but both stds are over the same count, so the ratio is torch's
            ud = [float(np.log10((lr * p.grad).std() / p.data.std())) for p in parameters]
        else:
            ud = [((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters]
    stats = []
    for layer in layers[:-1]:
        if layer.__class__.__name__ == "Tanh":
            t = layer.out
            # ``t.std()`` without torch's keywords is numpy's spelling here, the biased estimate (a documented
            # difference): torch's number is ``t.std(correction=1)``, or ``t.std(dim=None)``
            sd = t.std(dim=None) if lib is OURS else t.std()
            stats.append((t.mean().item(), sd.item(), ((t.abs() > 0.97).float().mean() * 100).item()))
    return {"loss": loss.item(), "outs": outs, "out_grads": out_grads, "grads": grads, "ud": ud, "stats": stats}


def test_part3_deep_network_with_batchnorm_matches_torch():
    g = ag.Generator().manual_seed(2147483647)
    Xtr, Ytr = build_dataset(ag, WORDS, 3)
    ours_model, ours = deep_model(OURS, g)
    theirs_model, theirs = deep_model(THEIRS, torch.Generator().manual_seed(2147483647))
    copy_state(ours, theirs)
    for i in range(3):
        ix = ag.randint(0, Xtr.shape[0], (32,), generator=g)
        a = deep_step(OURS, ours_model, ours, Xtr[ix], Ytr[ix], 0.1)
        b = deep_step(THEIRS, theirs_model, theirs, to_torch(Xtr[ix]), to_torch(Ytr[ix]), 0.1)
        assert a["loss"] == pytest.approx(b["loss"], rel=RTOL)
        for k, (oa, ob, ga, gb) in enumerate(zip(a["outs"], b["outs"], a["out_grads"], b["out_grads"])):
            assert_same(oa, ob, f"step {i}: layer {k} out")
            assert_same(ga, gb, f"step {i}: layer {k} out.grad")
        for k, (ga, gb) in enumerate(zip(a["grads"], b["grads"])):
            assert_same(ga, gb, f"step {i}: parameter {k} grad")
        np.testing.assert_allclose(a["ud"], b["ud"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(a["stats"], b["stats"], rtol=1e-9)
    for k, (p, q) in enumerate(zip(ours, theirs)):
        assert_same(p, q, f"parameter {k} after training")
    for la, lb in zip(ours_model[1], theirs_model[1]):
        if hasattr(la, "running_mean"):
            assert_same(la.running_mean, lb.running_mean, "running_mean")
            assert_same(la.running_var, lb.running_var, "running_var")
    # evaluation mode: the running statistics
    for _, layers in (ours_model, theirs_model):
        for layer in layers:
            layer.training = False
    xo, xt = ours_model[0][Xtr[:50]].view(50, -1), theirs_model[0][to_torch(Xtr[:50])].view(50, -1)
    for la, lb in zip(ours_model[1], theirs_model[1]):
        xo, xt = la(xo), lb(xt)
    assert_same(xo, xt, "logits in evaluation mode")


def test_part3_activation_and_gradient_statistics_match_torch():
    """The lecture's histograms and statistics of the layers' outputs, their gradients and the weights'
    gradients (`t.mean()`, `t.std()`, `torch.histogram(t, density=True)`, the gradient-to-data ratio)."""
    g = ag.Generator().manual_seed(2147483647)
    Xtr, Ytr = build_dataset(ag, WORDS, 3)
    ours_model, ours = deep_model(OURS, g)
    theirs_model, theirs = deep_model(THEIRS, torch.Generator().manual_seed(2147483647))
    copy_state(ours, theirs)
    ix = ag.randint(0, Xtr.shape[0], (32,), generator=g)
    deep_step(OURS, ours_model, ours, Xtr[ix], Ytr[ix], 0.1)
    deep_step(THEIRS, theirs_model, theirs, to_torch(Xtr[ix]), to_torch(Ytr[ix]), 0.1)
    for la, lb in zip(ours_model[1], theirs_model[1]):
        hy, hx = ag.histogram(la.out, density=True)
        ty, tx = torch.histogram(lb.out.detach(), density=True)
        assert_same(hy, ty, "histogram of out")
        assert_same(hx, tx, "bin edges of out")
        t, u = la.out.grad, lb.out.grad
        assert t.mean() == pytest.approx(u.mean().item(), rel=1e-9, abs=1e-15)
        hy, hx = ag.histogram(t, density=True)
        ty, tx = torch.histogram(u, density=True)
        assert_same(hy, ty, "histogram of out.grad")
        assert_same(hx, tx, "bin edges of out.grad")
    for p, q in zip(ours, theirs):
        if p.ndim == 2:
            t, u = p.grad, q.grad
            assert tuple(p.shape) == tuple(q.shape)
            assert (t.std() / p.std()).item() == pytest.approx((u.std() / q.std()).item(), rel=1e-9)


def test_part3_explicit_batchnorm_with_running_statistics_matches_torch():
    """Part 3's first BatchNorm, written out: bngain/bnbias, the batch's mean and std and the running estimates
    ``bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani`` under ``no_grad``."""
    g = ag.Generator().manual_seed(2147483647)
    Xtr, Ytr = build_dataset(ag, WORDS, 3)
    n_embd, n_hidden, block_size = 10, 64, 3
    C = ag.randn((VOCAB_SIZE, n_embd), generator=g)
    W1 = ag.randn((n_embd * block_size, n_hidden), generator=g) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    W2 = ag.randn((n_hidden, VOCAB_SIZE), generator=g) * 0.01
    b2 = ag.randn(VOCAB_SIZE, generator=g) * 0
    bngain = ag.ones((1, n_hidden))
    bnbias = ag.zeros((1, n_hidden))
    ours = [C, W1, W2, b2, bngain, bnbias]
    for p in ours:
        p.requires_grad = True
    theirs = [to_torch(p, requires_grad=True) for p in ours]

    def run(lib: Any, parameters: list[Any], batches: list[tuple[Any, Any]]) -> tuple[list[float], Any, Any]:
        T, F_ = lib.T, lib.F
        C, W1, W2, b2, bngain, bnbias = parameters
        bnmean_running = T.zeros((1, n_hidden))
        bnstd_running = T.ones((1, n_hidden))
        lossi = []
        for Xb, Yb in batches:
            emb = C[Xb]
            embcat = emb.view(emb.shape[0], -1)
            hpreact = embcat @ W1  # + b1
            bnmeani = hpreact.mean(0, keepdim=True)
            bnstdi = hpreact.std(0, keepdim=True)
            hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
            with T.no_grad():
                bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
                bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
            h = T.tanh(hpreact)
            logits = h @ W2 + b2
            loss = F_.cross_entropy(logits, Yb)
            for p in parameters:
                p.grad = None
            loss.backward()
            for p in parameters:
                p.data += -0.1 * p.grad
            lossi.append(loss.log10().item())
        return lossi, bnmean_running, bnstd_running

    batches = [ag.randint(0, Xtr.shape[0], (32,), generator=g) for _ in range(4)]
    a = run(OURS, ours, [(Xtr[ix], Ytr[ix]) for ix in batches])
    b = run(THEIRS, theirs, [(to_torch(Xtr[ix]), to_torch(Ytr[ix])) for ix in batches])
    np.testing.assert_allclose(a[0], b[0], rtol=RTOL)
    assert_same(a[1], b[1], "bnmean_running")
    assert_same(a[2], b[2], "bnstd_running")
    assert not a[1].requires_grad and not a[2].requires_grad
    for k, (p, q) in enumerate(zip(ours, theirs)):
        assert_same(p, q, f"parameter {k} after training")


# ----------------------------------------------------------------------------------------------------------------
# part 4: becoming a backprop ninja

N_EMBD, N_HIDDEN, BATCH = 10, 64, 32
INTERMEDIATES = (
    "logprobs probs counts counts_sum counts_sum_inv norm_logits logit_maxes logits h hpreact bnraw bnvar_inv "
    "bnvar bndiff2 bndiff hprebn bnmeani embcat emb"
).split()
PARAMETER_NAMES = "C W1 b1 W2 b2 bngain bnbias".split()


def ninja_init(g: Any, block_size: int = 3) -> list[Any]:
    """Part 4's initialisation (small non-zero biases, so that a wrong gradient cannot hide)."""
    C = ag.randn((VOCAB_SIZE, N_EMBD), generator=g)
    # Layer 1
    W1 = ag.randn((N_EMBD * block_size, N_HIDDEN), generator=g) * (5 / 3) / ((N_EMBD * block_size) ** 0.5)
    b1 = ag.randn(N_HIDDEN, generator=g) * 0.1  # using b1 just for fun, it's useless because of BN
    # Layer 2
    W2 = ag.randn((N_HIDDEN, VOCAB_SIZE), generator=g) * 0.1
    b2 = ag.randn(VOCAB_SIZE, generator=g) * 0.1
    # BatchNorm parameters
    bngain = ag.randn((1, N_HIDDEN)) * 0.1 + 1.0
    bnbias = ag.randn((1, N_HIDDEN)) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    return parameters


def ninja_forward(lib: Any, parameters: list[Any], Xb: Any, Yb: Any) -> dict[str, Any]:
    """Part 4's forward pass, "chunkated into smaller steps that are possible to backward one at a time"."""
    T = lib.T
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    n = BATCH
    emb = C[Xb]  # embed the characters into vectors
    embcat = emb.view(emb.shape[0], -1)  # concatenate the vectors
    # Linear layer 1
    hprebn = embcat @ W1 + b1  # hidden layer pre-activation
    # BatchNorm layer
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)  # note: Bessel's correction (dividing by n-1, not n)
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    # Non-linearity
    h = T.tanh(hpreact)  # hidden layer
    # Linear layer 2
    logits = h @ W2 + b2  # output layer
    # cross entropy loss (same as F.cross_entropy(logits, Yb))
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes  # subtract max for numerical stability
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1  # if I use (1.0 / counts_sum) instead then I can't get backprop to be bit exact...
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    # PyTorch backward pass
    for p in parameters:
        p.grad = None
    values = dict(locals())
    for t in [values[name] for name in INTERMEDIATES]:
        t.retain_grad()
    loss.backward()
    return {name: values[name] for name in [*INTERMEDIATES, "loss"]}


def ninja_backward(lib: Any, parameters: list[Any], v: dict[str, Any], Xb: Any, Yb: Any) -> dict[str, Any]:
    """Exercise 1: backprop through the whole thing manually, one intermediate at a time."""
    T, F_ = lib.T, lib.F
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    n = BATCH
    logprobs, probs, counts, counts_sum, counts_sum_inv = (v[k] for k in INTERMEDIATES[:5])
    norm_logits, logits, h, bnraw, bnvar_inv, bnvar = (
        v[k] for k in "norm_logits logits h bnraw bnvar_inv bnvar".split()
    )
    bndiff2, bndiff, hprebn, embcat, emb = (v[k] for k in "bndiff2 bndiff hprebn embcat emb".split())
    dlogprobs = T.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0 / n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
    dcounts += T.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F_.one_hot(logits.max(dim=1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / (n - 1)) * T.ones_like(bndiff2) * dbnvar
    dbndiff += (2 * bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0 / n * (T.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = T.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]
    return {
        "logprobs": dlogprobs, "probs": dprobs, "counts_sum_inv": dcounts_sum_inv, "counts_sum": dcounts_sum,
        "counts": dcounts, "norm_logits": dnorm_logits, "logit_maxes": dlogit_maxes, "logits": dlogits, "h": dh,
        "W2": dW2, "b2": db2, "hpreact": dhpreact, "bngain": dbngain, "bnbias": dbnbias, "bnraw": dbnraw,
        "bnvar_inv": dbnvar_inv, "bnvar": dbnvar, "bndiff2": dbndiff2, "bndiff": dbndiff, "bnmeani": dbnmeani,
        "hprebn": dhprebn, "embcat": dembcat, "W1": dW1, "b1": db1, "emb": demb, "C": dC,
    }  # fmt: skip


def cmp(T: Any, s: str, dt: Any, t: Any) -> tuple[bool, bool, float]:
    """The lecture's utility function to compare manual gradients to PyTorch gradients."""
    ex = T.all(dt == t.grad).item()
    app = T.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    return ex, app, maxdiff


def test_part4_manual_backward_matches_autograd_and_torch():
    g = ag.Generator().manual_seed(2147483647)
    ag.manual_seed(42)
    Xtr, Ytr = build_dataset(ag, WORDS, 3)
    ours = ninja_init(g)
    theirs = [to_torch(p, requires_grad=True) for p in ours]
    ix = ag.randint(0, Xtr.shape[0], (BATCH,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
    Xt, Yt = to_torch(Xb), to_torch(Yb)
    a = ninja_forward(OURS, ours, Xb, Yb)
    b = ninja_forward(THEIRS, theirs, Xt, Yt)
    assert a["loss"].item() == pytest.approx(b["loss"].item(), rel=RTOL)
    assert a["loss"].item() == pytest.approx(F.cross_entropy(a["logits"], Yb).item(), rel=1e-12)
    for name in INTERMEDIATES:
        assert_same(a[name], b[name], name)
        assert_same(a[name].grad, b[name].grad, f"{name}.grad")
    for name, p, q in zip(PARAMETER_NAMES, ours, theirs):
        assert_same(p.grad, q.grad, f"{name}.grad")
    with ag.no_grad():
        da = ninja_backward(OURS, ours, a, Xb, Yb)
    with torch.no_grad():
        db = ninja_backward(THEIRS, theirs, b, Xt, Yt)
    tensors_a = {**a, **dict(zip(PARAMETER_NAMES, ours))}
    tensors_b = {**b, **dict(zip(PARAMETER_NAMES, theirs))}
    for name, d in da.items():
        assert_same(d, db[name], f"d{name} by hand")
        ex, app, maxdiff = cmp(ag, name, d, tensors_a[name])
        ex_t, app_t, maxdiff_t = cmp(torch, name, db[name], tensors_b[name])
        assert app and app_t, name
        assert maxdiff < 1e-12 and maxdiff_t < 1e-12, name
    # the lecture's exact matches: the first few steps are bit-exact in torch, and so here
    for name in ("logprobs", "probs", "counts_sum_inv", "counts_sum", "counts", "norm_logits", "logit_maxes"):
        assert cmp(ag, name, da[name], tensors_a[name])[0], name


def test_part4_fused_cross_entropy_and_batchnorm_backward_match_torch():
    """Exercises 2 and 3: the cross-entropy and the batchnorm backward in one formula each."""
    g = ag.Generator().manual_seed(2147483647)
    Xtr, Ytr = build_dataset(ag, WORDS, 3)
    ours = ninja_init(g)
    theirs = [to_torch(p, requires_grad=True) for p in ours]
    ix = ag.randint(0, Xtr.shape[0], (BATCH,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    Xt, Yt = to_torch(Xb), to_torch(Yb)
    results = []
    for lib, params, x, y in ((OURS, ours, Xb, Yb), (THEIRS, theirs, Xt, Yt)):
        T, F_ = lib.T, lib.F
        v = ninja_forward(lib, params, x, y)
        n = BATCH
        logits, hprebn, bnraw, bnvar_inv, h = (v[k] for k in "logits hprebn bnraw bnvar_inv h".split())
        C, W1, b1, W2, b2, bngain, bnbias = params
        # exercise 2
        loss_fast = F_.cross_entropy(logits, y)
        dlogits = F_.softmax(logits, 1)
        dlogits[range(n), y] -= 1
        dlogits /= n
        # exercise 3
        hpreact_fast = (
            bngain * (hprebn - hprebn.mean(0, keepdim=True)) / T.sqrt(hprebn.var(0, keepdim=True, unbiased=True) + 1e-5)
            + bnbias
        )
        with T.no_grad():
            dhpreact = (1.0 - h**2) * (dlogits @ W2.T)
            dhprebn = (
                bngain
                * bnvar_inv
                / n
                * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
            )
        results.append((loss_fast, v["loss"], dlogits, logits.grad, hpreact_fast, v["hpreact"], dhprebn, hprebn.grad))
        # the lecture's looks at one row: the probabilities, and the gradient that sums to zero
        row = F_.softmax(logits, 1)[0]
        assert abs((dlogits[0] * n).sum().item()) < 1e-12
        assert row.shape[0] == VOCAB_SIZE
    a, b = results
    assert a[0].item() == pytest.approx(b[0].item(), rel=RTOL)
    assert (a[0] - a[1]).item() == pytest.approx(0.0, abs=1e-14)
    assert_same(a[2], b[2], "dlogits (fused)")
    assert_same(a[2], a[3], "dlogits (fused) vs autograd")
    assert_same(a[4], b[4], "hpreact_fast")
    assert (a[4] - a[5]).abs().max().item() < 1e-12
    assert_same(a[6], b[6], "dhprebn (fused)")
    assert_same(a[6], a[7], "dhprebn (fused) vs autograd")


def test_part4_training_without_autograd_matches_torch():
    """Exercise 4: the loop with every gradient by hand under ``with torch.no_grad():``, ``p.data += -lr * grad``."""
    g = ag.Generator().manual_seed(2147483647)
    Xtr, Ytr = build_dataset(ag, WORDS, 3)
    ours = ninja_init(g)
    theirs = [to_torch(p, requires_grad=True) for p in ours]
    batches = [ag.randint(0, Xtr.shape[0], (BATCH,), generator=g) for _ in range(3)]

    def train(lib: Any, parameters: list[Any], batches: list[tuple[Any, Any]]) -> list[float]:
        T, F_ = lib.T, lib.F
        C, W1, b1, W2, b2, bngain, bnbias = parameters
        n = BATCH
        lossi = []
        with T.no_grad():
            for i, (Xb, Yb) in enumerate(batches):
                # forward pass
                emb = C[Xb]
                embcat = emb.view(emb.shape[0], -1)
                hprebn = embcat @ W1 + b1
                bnmean = hprebn.mean(0, keepdim=True)
                bnvar = hprebn.var(0, keepdim=True, unbiased=True)
                bnvar_inv = (bnvar + 1e-5) ** -0.5
                bnraw = (hprebn - bnmean) * bnvar_inv
                hpreact = bngain * bnraw + bnbias
                h = T.tanh(hpreact)
                logits = h @ W2 + b2
                loss = F_.cross_entropy(logits, Yb)
                # manual backprop
                dlogits = F_.softmax(logits, 1)
                dlogits[range(n), Yb] -= 1
                dlogits /= n
                dh = dlogits @ W2.T
                dW2 = h.T @ dlogits
                db2 = dlogits.sum(0)
                dhpreact = (1.0 - h**2) * dh
                dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
                dbnbias = dhpreact.sum(0, keepdim=True)
                dhprebn = (
                    bngain
                    * bnvar_inv
                    / n
                    * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
                )
                dembcat = dhprebn @ W1.T
                dW1 = embcat.T @ dhprebn
                db1 = dhprebn.sum(0)
                demb = dembcat.view(emb.shape)
                dC = T.zeros_like(C)
                for k in range(Xb.shape[0]):
                    for j in range(Xb.shape[1]):
                        ix = Xb[k, j]
                        dC[ix] += demb[k, j]
                grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]
                # update
                lr = 0.1 if i < 100000 else 0.01
                for p, grad in zip(parameters, grads):
                    p.data += -lr * grad
                lossi.append(loss.log10().item())
        return lossi

    a = train(OURS, ours, [(Xtr[ix], Ytr[ix]) for ix in batches])
    b = train(THEIRS, theirs, [(to_torch(Xtr[ix]), to_torch(Ytr[ix])) for ix in batches])
    np.testing.assert_allclose(a, b, rtol=RTOL)
    for name, p, q in zip(PARAMETER_NAMES, ours, theirs):
        assert_same(p, q, f"{name} after training")
        assert p.grad is None
    # dC by index_add_, the vectorised form of the loop
    dC = ag.zeros_like(ours[0])
    demb = ag.randn((BATCH, 3, N_EMBD), generator=g)
    Xb = Xtr[batches[0]]
    dC.index_add_(0, Xb.view(-1), demb.view(-1, N_EMBD))
    dCt = torch.zeros_like(theirs[0]).index_add_(0, to_torch(Xb).view(-1), to_torch(demb).view(-1, N_EMBD))
    assert_same(dC, dCt, "dC by index_add_")


# ----------------------------------------------------------------------------------------------------------------
# part 5: building a WaveNet


def wavenet(lib: Any, n_embd: int = 10, n_hidden: int = 24) -> Any:
    """Part 5's hierarchical model, as the lecture builds it (``torch.manual_seed(42)`` and unseeded randn)."""
    T = lib.T
    T.manual_seed(42)  # seed rng for reproducibility
    L = make_layers(T, None)
    # the lecture's Linear draws without a generator in part 5
    L.Linear.__init__ = _unseeded_linear_init(T)
    model = L.Sequential([
        L.Embedding(VOCAB_SIZE, n_embd),
        L.FlattenConsecutive(2), L.Linear(n_embd * 2, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.FlattenConsecutive(2), L.Linear(n_hidden * 2, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.FlattenConsecutive(2), L.Linear(n_hidden * 2, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.Linear(n_hidden, VOCAB_SIZE),
    ])  # fmt: skip
    # parameter init
    with T.no_grad():
        model.layers[-1].weight *= 0.1  # last layer make less confident
    parameters = model.parameters()
    for p in parameters:
        p.requires_grad = True
    return model


def _unseeded_linear_init(T: Any) -> Any:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = T.randn((fan_in, fan_out)) / fan_in**0.5  # note: kaiming init
        self.bias = T.zeros(fan_out) if bias else None

    return __init__


def test_part5_flatten_consecutive_is_the_lectures_concatenation():
    e = ag.randn(4, 8, 10)  # goal: want this to be (4, 4, 20) where consecutive 10-d vectors get concatenated
    explicit = ag.cat([e[:, ::2, :], e[:, 1::2, :]], dim=2)  # (4, 4, 20)
    assert (e.view(4, 4, 20) == explicit).all()
    et = to_torch(e)
    assert_same(explicit, torch.cat([et[:, ::2, :], et[:, 1::2, :]], dim=2), "explicit")
    # BatchNorm1d over (0, 1) of a 3-D input: the mean and (unbiased) variance of torch
    assert_same(e.mean((0, 1), keepdim=True), et.mean((0, 1), keepdim=True), "mean over (0, 1)")
    assert_same(e.var((0, 1), keepdim=True), et.var((0, 1), keepdim=True), "var over (0, 1)")


def test_part5_wavenet_training_steps_match_torch():
    block_size = 8
    Xtr, Ytr = build_dataset(ag, WORDS, block_size)
    ours = wavenet(OURS)
    theirs = wavenet(THEIRS)
    assert [type(layer).__name__ for layer in ours.layers] == [type(layer).__name__ for layer in theirs.layers]
    copy_state(ours.parameters(), theirs.parameters())
    assert sum(p.nelement() for p in ours.parameters()) == sum(p.nelement() for p in theirs.parameters())
    lossi_ours, lossi_theirs = [], []
    for i in range(4):
        # minibatch construct (the lecture's ``ix = torch.randint(0, Xtr.shape[0], (batch_size,))``)
        ix = ag.randint(0, Xtr.shape[0], (32,))
        for lib, model, lossi, Xb, Yb in (
            (OURS, ours, lossi_ours, Xtr[ix], Ytr[ix]),
            (THEIRS, theirs, lossi_theirs, to_torch(Xtr[ix]), to_torch(Ytr[ix])),
        ):
            logits = model(Xb)
            loss = lib.F.cross_entropy(logits, Yb)
            for layer in model.layers:
                layer.out.retain_grad()
            for p in model.parameters():
                p.grad = None
            loss.backward()
            lr = 0.1 if i < 150000 else 0.01  # step learning rate decay
            for p in model.parameters():
                p.data += -lr * p.grad
            lossi.append(loss.log10().item())
        for k, (la, lb) in enumerate(zip(ours.layers, theirs.layers)):
            assert tuple(la.out.shape) == tuple(lb.out.shape), f"layer {k}: {type(la).__name__}"
            assert_same(la.out, lb.out, f"step {i}: layer {k} out")
            assert_same(la.out.grad, lb.out.grad, f"step {i}: layer {k} out.grad")
    np.testing.assert_allclose(lossi_ours, lossi_theirs, rtol=RTOL)
    for k, (p, q) in enumerate(zip(ours.parameters(), theirs.parameters())):
        assert_same(p, q, f"parameter {k} after training")
    for la, lb in zip(ours.layers, theirs.layers):
        if hasattr(la, "running_var"):
            assert la.running_var.shape == tuple(lb.running_var.shape) in ((1, 1, 24), (1, 24))
            assert_same(la.running_mean, lb.running_mean, "running_mean")
            assert_same(la.running_var, lb.running_var, "running_var")
    # the lecture's smoothed loss plot
    assert_same(ag.tensor(lossi_ours).view(-1, 2).mean(1), torch.tensor(lossi_theirs).view(-1, 2).mean(1), "lossi")

    # put layers into eval mode (needed for batchnorm especially)
    for model in (ours, theirs):
        for layer in model.layers:
            layer.training = False

    def split_loss(lib: Any, model: Any, x: Any, y: Any) -> float:
        @lib.T.no_grad()  # this decorator disables gradient tracking inside pytorch
        def evaluate():
            logits = model(x)
            loss = lib.F.cross_entropy(logits, y)
            return loss.item()

        return evaluate()

    assert split_loss(OURS, ours, Xtr, Ytr) == pytest.approx(
        split_loss(THEIRS, theirs, to_torch(Xtr), to_torch(Ytr)), rel=RTOL
    )

    # sample from the model
    g = ag.Generator().manual_seed(2147483647 + 10)
    for _ in range(3):
        out = []
        context = [0] * block_size  # initialize with all ...
        while True:
            # forward pass the neural net
            logits = ours(ag.tensor([context]))
            probs = F.softmax(logits, dim=1)
            # sample from the distribution
            ix = ag.multinomial(probs, num_samples=1, generator=g).item()
            # shift the context window and track the samples
            context = context[1:] + [ix]
            out.append(ix)
            # if we sample the special '.' token, break
            if ix == 0 or len(out) > 30:
                break
        assert all(isinstance(i, int) and 0 <= i < VOCAB_SIZE for i in out)


def test_the_lectures_max_1_indices_names_torchs_spelling():
    """Part 4's ``F.one_hot(logits.max(1).indices, num_classes=...)``: ``x.max(1)`` is numpy's spelling here (the
    values only, a documented difference), so ``.indices`` cannot work; the error says how to get torch's pair."""
    logits = ag.tensor([[0.5, 2.0, -1.0], [3.0, 0.0, 1.0]], requires_grad=True)
    for name in ("indices", "values"):
        with pytest.raises(AttributeError, match=r"max\(dim=1\)") as info:
            getattr(logits.max(1), name)
        assert f"'Tensor' object has no attribute '{name}'" in str(info.value)
        assert not hasattr(logits, name)
    t = torch.tensor([[0.5, 2.0, -1.0], [3.0, 0.0, 1.0]])
    assert np.array_equal(logits.max(dim=1).indices.numpy(), t.max(1).indices.numpy())
    assert_same(
        F.one_hot(logits.max(dim=1).indices, num_classes=3), torch.nn.functional.one_hot(t.max(1).indices, 3), "one_hot"
    )
