"""Andrej Karpathy's build-nanogpt (karpathy/build-nanogpt, train_gpt2.py) ported to this library: the GPT-2 model
(CausalSelfAttention through ``F.scaled_dot_product_attention(is_causal=True)``, the tanh-approximated GELU MLP,
pre-norm Blocks, weight tying between ``wte`` and ``lm_head``, the NANOGPT_SCALE_INIT std scaling of
``_init_weights`` applied with ``self.apply``), ``configure_optimizers`` (decay for ``p.dim() >= 2``, the fused
check through ``inspect.signature(AdamW).parameters``), DataLoaderLite's batches (``buf[:-1].view(B, T)``) and the
training loop's set-up and step: ``set_float32_matmul_precision('high')``, ``compile(model)``, gradient
accumulation under ``autocast`` with ``loss / grad_accum_steps``, ``clip_grad_norm_``, the warmup-and-cosine
``get_lr`` written into every ``param_group['lr']``, and the step's log line.

The script is written once below with its torch spellings against ``torch``/``nn``/``F``/``optim`` (torch's, or
``autograd``/``nn``/``nn.functional``/``nn.optim``), with a tiny config (2 layers, 2 heads, embeddings of 16, a
context of 8, a vocabulary of 32), in float32 on both sides, our model given torch's initial weights. Where the
script needs what a CPU test cannot have, the port differs: DataLoaderLite takes its tokens (the script reads
input.txt through tiktoken), ``torch.cuda.synchronize()`` (a GPU wait) and the timing are left out, and the
autocast dtype and the compile options are
parameters: torch's model runs eagerly (``torch.compile(model, disable=True)``, the reference; ours is compiled as
the script says), and torch's CPU autocast would run bfloat16 matmuls, so torch runs with float32 (which
its autocast refuses, with a warning, computing in float32) and ours with ``autograd.float16`` (accepted, and
computed in full precision: see autograd.amp), so both compute the float32 numbers compared here.
"""

# ruff: noqa: N803 - the script's names (F, B, T)

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass

import book_ports
import numpy as np
import pytest
from book_ports import as_array, copy_weights

import autograd
import nn

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

RTOL, ATOL = 2e-4, 2e-6


@dataclass
class GPTConfig:
    block_size: int = 8
    vocab_size: int = 32
    n_layer: int = 2
    n_head: int = 2
    n_embd: int = 16


def script(torch, nn, F, optim):
    """train_gpt2.py's model, optimizer set-up, data loader and schedule, spelled with the given namespaces."""

    class CausalSelfAttention(nn.Module):
        def __init__(self, config):
            super().__init__()
            assert config.n_embd % config.n_head == 0
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
            self.c_proj = nn.Linear(config.n_embd, config.n_embd)
            self.c_proj.NANOGPT_SCALE_INIT = 1
            self.n_head = config.n_head
            self.n_embd = config.n_embd
            self.register_buffer(
                "bias",
                torch.tril(torch.ones(config.block_size, config.block_size)).view(
                    1, 1, config.block_size, config.block_size
                ),
            )

        def forward(self, x):
            B, T, C = x.size()
            qkv = self.c_attn(x)
            q, k, v = qkv.split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            y = self.c_proj(y)
            return y

    class MLP(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
            self.gelu = nn.GELU(approximate="tanh")
            self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
            self.c_proj.NANOGPT_SCALE_INIT = 1

        def forward(self, x):
            x = self.c_fc(x)
            x = self.gelu(x)
            x = self.c_proj(x)
            return x

    class Block(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.ln_1 = nn.LayerNorm(config.n_embd)
            self.attn = CausalSelfAttention(config)
            self.ln_2 = nn.LayerNorm(config.n_embd)
            self.mlp = MLP(config)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            x = x + self.mlp(self.ln_2(x))
            return x

    class GPT(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.transformer = nn.ModuleDict(
                dict(
                    wte=nn.Embedding(config.vocab_size, config.n_embd),
                    wpe=nn.Embedding(config.block_size, config.n_embd),
                    h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                    ln_f=nn.LayerNorm(config.n_embd),
                )
            )
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight
            self.apply(self._init_weights)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                std = 0.02
                if hasattr(module, "NANOGPT_SCALE_INIT"):
                    std *= (2 * self.config.n_layer) ** -0.5
                nn.init.normal_(module.weight, mean=0.0, std=std)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            B, T = idx.size()
            assert T <= self.config.block_size, f"Cannot forward sequence of length {T}"
            pos = torch.arange(0, T, dtype=torch.long, device=idx.device)
            pos_emb = self.transformer.wpe(pos)
            tok_emb = self.transformer.wte(idx)
            x = tok_emb + pos_emb
            for block in self.transformer.h:
                x = block(x)
            x = self.transformer.ln_f(x)
            logits = self.lm_head(x)
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
            return logits, loss

        def configure_optimizers(self, weight_decay, learning_rate, device):
            param_dict = {pn: p for pn, p in self.named_parameters()}
            param_dict = {pn: p for pn, p in param_dict.items() if p.requires_grad}
            decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
            nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
            optim_groups = [
                {"params": decay_params, "weight_decay": weight_decay},
                {"params": nodecay_params, "weight_decay": 0.0},
            ]
            self.counts = (
                len(decay_params),
                sum(p.numel() for p in decay_params),
                len(nodecay_params),
                sum(p.numel() for p in nodecay_params),
            )
            fused_available = "fused" in inspect.signature(optim.AdamW).parameters
            use_fused = fused_available and "cuda" in device
            self.fused = (fused_available, use_fused)
            return optim.AdamW(optim_groups, lr=learning_rate, betas=(0.9, 0.95), eps=1e-8, fused=use_fused)

    class DataLoaderLite:
        def __init__(self, B, T, tokens):
            self.B = B
            self.T = T
            self.tokens = torch.tensor(tokens)
            self.current_position = 0

        def next_batch(self):
            B, T = self.B, self.T
            buf = self.tokens[self.current_position : self.current_position + B * T + 1]
            x = (buf[:-1]).view(B, T)
            y = (buf[1:]).view(B, T)
            self.current_position += B * T
            if self.current_position + (B * T + 1) > len(self.tokens):
                self.current_position = 0
            return x, y

    max_lr = 6e-4
    min_lr = max_lr * 0.1
    warmup_steps = 2
    max_steps = 4

    def get_lr(it):
        if it < warmup_steps:
            return max_lr * (it + 1) / warmup_steps
        if it > max_steps:
            return min_lr
        decay_ratio = (it - warmup_steps) / (max_steps - warmup_steps)
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return min_lr + coeff * (max_lr - min_lr)

    return GPT, DataLoaderLite, get_lr


def train(torch, nn, F, optim, autocast_dtype, compile_options, tokens, weights=None):
    """The script's set-up and two steps of its training loop; what each step gives, for comparison."""
    GPT, DataLoaderLite, get_lr = script(torch, nn, F, optim)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(1337)
    B, T = 2, 8
    total_batch_size = 32
    grad_accum_steps = total_batch_size // (B * T)
    train_loader = DataLoaderLite(B=B, T=T, tokens=tokens)
    torch.set_float32_matmul_precision("high")
    model = GPT(GPTConfig())
    if weights is not None:
        copy_weights(weights, model)
    model.to(device)
    model = torch.compile(model, **compile_options)
    optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=6e-4, device=device)
    record = {"model": model, "optimizer": optimizer, "steps": []}
    for step in range(2):
        optimizer.zero_grad()
        loss_accum = 0.0
        forwards = []
        for _micro_step in range(grad_accum_steps):
            x, y = train_loader.next_batch()
            x, y = x.to(device), y.to(device)
            with torch.autocast(device_type=device, dtype=autocast_dtype):
                logits, loss = model(x, y)
            forwards.append((x, y, logits.detach(), loss.detach()))
            loss = loss / grad_accum_steps
            loss_accum += loss.detach()
            loss.backward()
        grads = {name: as_array(p.grad) for name, p in model.named_parameters()}
        norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        clipped = {name: as_array(p.grad) for name, p in model.named_parameters()}
        lr = get_lr(step)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr
        optimizer.step()
        line = f"step {step:4d} | loss: {loss_accum.item():.6f} | lr {lr:.4e} | norm: {norm:.4f}"
        parameters = {name: as_array(p) for name, p in model.named_parameters()}
        record["steps"].append(
            dict(forwards=forwards, grads=grads, clipped=clipped, norm=norm, lr=lr, line=line, parameters=parameters)
        )
    return record


@pytest.fixture
def restore_matmul_precision(torch):
    ours, theirs = autograd.get_float32_matmul_precision(), torch.get_float32_matmul_precision()
    yield
    autograd.set_float32_matmul_precision(ours)
    torch.set_float32_matmul_precision(theirs)


@pytest.fixture
def runs(torch, restore_matmul_precision):
    tokens = np.random.default_rng(0).integers(0, GPTConfig.vocab_size, size=80).tolist()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "In CPU autocast, but the target dtype is not supported")
        theirs = train(torch, torch.nn, torch.nn.functional, torch.optim, torch.float32, {"disable": True}, tokens)
    torch.manual_seed(1337)
    initial = script(torch, torch.nn, torch.nn.functional, torch.optim)[0](GPTConfig())
    ours = train(autograd, nn, nn.functional, nn.optim, autograd.float16, {}, tokens, weights=initial)
    return ours, theirs


def _close(ours, theirs, what):
    np.testing.assert_allclose(as_array(ours), as_array(theirs), rtol=RTOL, atol=ATOL, err_msg=what)


def test_the_set_up_is_torchs(runs, torch):
    ours, theirs = runs
    assert autograd.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "high"
    model, their_model = ours["model"], theirs["model"]
    assert isinstance(model, nn.Module)
    assert model.transformer.wte.weight is model.lm_head.weight
    assert model.counts == their_model.counts
    assert model.fused == their_model.fused == (True, False)
    assert [len(g["params"]) for g in ours["optimizer"].param_groups] == [
        len(g["params"]) for g in theirs["optimizer"].param_groups
    ]
    assert [g["weight_decay"] for g in ours["optimizer"].param_groups] == [0.1, 0.0]
    # the MLP's tanh GELU over a range where it differs from the exact one (the tiny init stays near 0, where
    # the two agree within the tolerances above)
    x = np.linspace(-4, 4, 81, dtype=np.float32)
    gelu, their_gelu = model.transformer.h[0].mlp.gelu, their_model.transformer.h[0].mlp.gelu
    np.testing.assert_allclose(as_array(gelu(autograd.tensor(x))), as_array(their_gelu(torch.tensor(x))), atol=1e-6)


def test_the_init_scales_the_residual_projections_as_torchs(torch):
    """_init_weights through self.apply: std 0.02, times (2 n_layer)^-1/2 for the c_proj layers; zero biases."""
    torch.manual_seed(0)
    autograd.manual_seed(0)
    config = GPTConfig(n_embd=64, vocab_size=256, block_size=64)
    for library in ((torch, torch.nn, torch.nn.functional, torch.optim), (autograd, nn, nn.functional, nn.optim)):
        model = script(*library)[0](config)
        for name, p in model.named_parameters():
            values = as_array(p)
            if name.endswith("bias"):
                assert not values.any(), name
            elif name.endswith(("c_attn.weight", "c_fc.weight", "wpe.weight", "lm_head.weight")):
                assert abs(values.std() - 0.02) < 0.002, name
            elif name.endswith("c_proj.weight"):
                assert abs(values.std() - 0.01) < 0.001, name


def test_the_batches_logits_and_losses_are_torchs(runs):
    ours, theirs = runs
    for step_ours, step_theirs in zip(ours["steps"], theirs["steps"]):
        for (x, y, logits, loss), (tx, ty, tlogits, tloss) in zip(step_ours["forwards"], step_theirs["forwards"]):
            np.testing.assert_array_equal(as_array(x), as_array(tx))
            np.testing.assert_array_equal(as_array(y), as_array(ty))
            assert x.shape == (2, 8) and x.dtype == autograd.int64
            assert logits.dtype == autograd.float32 and logits.shape == (2, 8, 32)
            _close(logits, tlogits, "logits")
            _close(loss, tloss, "loss")


def test_every_gradient_the_norm_and_the_clipped_gradients_are_torchs(runs):
    ours, theirs = runs
    for step_ours, step_theirs in zip(ours["steps"], theirs["steps"]):
        assert step_ours["grads"].keys() == step_theirs["grads"].keys()
        for name in step_theirs["grads"]:
            _close(step_ours["grads"][name], step_theirs["grads"][name], f"gradient of {name}")
            _close(step_ours["clipped"][name], step_theirs["clipped"][name], f"clipped gradient of {name}")
        _close(step_ours["norm"], step_theirs["norm"], "norm")
        assert step_ours["norm"].dtype == autograd.float32


def test_two_optimizer_steps_with_the_scheduled_lr_are_torchs(runs):
    ours, theirs = runs
    assert [s["lr"] for s in ours["steps"]] == [s["lr"] for s in theirs["steps"]] == pytest.approx([3e-4, 6e-4])
    for group, their_group in zip(ours["optimizer"].param_groups, theirs["optimizer"].param_groups):
        assert group["lr"] == their_group["lr"]
    for step_ours, step_theirs in zip(ours["steps"], theirs["steps"]):
        for name in step_theirs["parameters"]:
            _close(step_ours["parameters"][name], step_theirs["parameters"][name], f"{name} after the step")
        # the log line: the same text, the loss's sixth decimal aside (float32's last bit, at a loss of about 3.5)
        ours_parts, their_parts = step_ours["line"].split(" | "), step_theirs["line"].split(" | ")
        assert len(ours_parts) == len(their_parts) == 4
        assert ours_parts[::2] + ours_parts[3:] == their_parts[::2] + their_parts[3:]
        loss, their_loss = (float(parts[1].removeprefix("loss: ")) for parts in (ours_parts, their_parts))
        assert abs(loss - their_loss) <= 2e-6
