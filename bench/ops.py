"""Benchmark: single ops and modules, forward and backward, against torch on one thread.

Every case is one op (a function of ``nn.functional`` or ``autograd``, or a module with torch's
counterpart holding the same parameters) on fixed seeded float32 inputs (unless its line says
otherwise): a step computes the output and back-propagates a fixed random upstream gradient of the
output's shape (``out.backward(g)``) into every float input and parameter, whose gradients are
cleared before each step. The shapes are the ones README.md's speed section quotes. A random
upstream gradient, not ``out.sum()``'s: the sum's all-ones gradient is no typical one (through a
normalisation it gives a zero input gradient; torch receives it as an expanded, stride-0 tensor),
and ratios move with it: BatchNorm1d on 128x256 measured 0.92x torch's time through ``out.sum()``
and 3.2x through a random gradient, in one process.

Before anything is timed, every case's output and gradients must equal torch's at float32
tolerances; a mismatch raises ``MismatchError`` and nothing is timed. Then ours and torch's step
run in interleaved rounds in one process (``harness.interleaved_medians``), BLAS and torch on one
thread (``--threads``), and a case's ratio is the median over rounds of ours / torch in the same
round (``harness.paired_ratio``). Each line gives the case, its shapes, the median milliseconds
of ours and torch's step, and the ratio.

Torch is required (there is nothing else to compare with). Run by hand:
``python bench/ops.py [--quick] [--only NAME ...]`` (``--only`` takes case names or parts of them);
the default run takes about two minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from harness import MismatchError, check_close, interleaved_medians, optional_torch, paired_ratio, single_threaded

import autograd
import nn
import nn.functional as F
from autograd import Tensor

Op = Callable[..., Any]


@dataclass
class Case:
    """One op: its seeded inputs and a ``make(torch)`` that returns (our op, torch's op) on them.

    ``inputs(rng)`` gives numpy arrays; float arrays become leaves that require grad, integer
    arrays (indices) stay plain. ``make`` builds whatever the two ops hold (modules with the same
    parameters) and returns two callables taking the inputs as Tensors / torch tensors.
    """

    name: str
    shape: str
    inputs: Callable[[np.random.Generator], list[np.ndarray]]
    make: Callable[[Any], tuple[Op, Op]]
    rtol: float = 1e-4
    atol: float = 1e-5  # relative to the largest magnitude of the reference
    output: int | None = None  # which of a tuple of outputs is back-propagated (topk's values, an RNN's sequence)
    random: float | None = None  # dropout's p: outputs are checked for shape and statistics, not values


def normal(
    *shape: int, low: float | None = None, high: float | None = None, dtype: type = np.float32
) -> Callable[..., np.ndarray]:
    """A seeded float32 (or ``dtype``) array: standard normal, or uniform in [low, high)."""

    def draw(rng: np.random.Generator) -> np.ndarray:
        if low is not None and high is not None:
            return rng.uniform(low, high, size=shape).astype(dtype)
        return rng.standard_normal(shape).astype(dtype)

    return draw


def arrays(*draws: Callable[[np.random.Generator], np.ndarray]) -> Callable[[np.random.Generator], list[np.ndarray]]:
    return lambda rng: [draw(rng) for draw in draws]


def indices(high: int, *shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda rng: rng.integers(0, high, size=shape).astype(np.int64)


def functional(ours: Op, theirs: Callable[[Any], Op]) -> Callable[[Any], tuple[Op, Op]]:
    """A case of a function: ``theirs(torch)`` picks torch's counterpart."""
    return lambda torch: (ours, theirs(torch))


def module(build: Callable[[], nn.Module], build_torch: Callable[[Any], Any]) -> Callable[[Any], tuple[Op, Op]]:
    """A case of a module: ours in float32, and torch's with our parameters copied by name."""

    def make(torch: Any) -> tuple[Op, Op]:
        ours = build().float()
        theirs = build_torch(torch).float()
        mine = dict(ours.named_parameters())
        theirs_names = [name for name, _ in theirs.named_parameters()]
        if sorted(mine) != sorted(theirs_names):
            raise MismatchError(f"{type(ours).__name__}: parameters {sorted(mine)}, torch's {sorted(theirs_names)}")
        with torch.no_grad():
            for name, p in theirs.named_parameters():
                p.copy_(torch.from_numpy(np.array(mine[name].data)))
        return ours, theirs

    return make


# batch_norm2d (eval)'s running statistics, fixed and not learned
RUNNING_MEAN = np.random.default_rng(1).standard_normal(64).astype(np.float32)
RUNNING_VAR = np.random.default_rng(2).uniform(0.5, 2.0, 64).astype(np.float32)

CASES = [
    Case(
        "smooth_l1_loss",
        "1e5 terms, reduction='none'",
        arrays(normal(100_000), normal(100_000)),
        functional(
            lambda x, y: F.smooth_l1_loss(x, y, reduction="none"),
            lambda torch: lambda x, y: torch.nn.functional.smooth_l1_loss(x, y, reduction="none"),
        ),
    ),
    Case(
        "huber_loss",
        "1e5 terms, reduction='none'",
        arrays(normal(100_000), normal(100_000)),
        functional(
            lambda x, y: F.huber_loss(x, y, reduction="none"),
            lambda torch: lambda x, y: torch.nn.functional.huber_loss(x, y, reduction="none"),
        ),
    ),
    Case("hardtanh", "1e5", arrays(normal(100_000)), functional(F.hardtanh, lambda t: t.nn.functional.hardtanh)),
    Case("relu6", "1e5", arrays(normal(100_000, low=-3, high=9)), functional(F.relu6, lambda t: t.nn.functional.relu6)),
    Case("softshrink", "1e5", arrays(normal(100_000)), functional(F.softshrink, lambda t: t.nn.functional.softshrink)),
    Case("hardshrink", "1e5", arrays(normal(100_000)), functional(F.hardshrink, lambda t: t.nn.functional.hardshrink)),
    Case("x ** 3", "64x256", arrays(normal(64, 256)), functional(lambda x: x**3, lambda t: lambda x: x**3)),
    Case(
        'einsum("ij,jk->ik")',
        "64x256, 256x256",
        arrays(normal(64, 256), normal(256, 256)),
        functional(lambda a, b: autograd.einsum("ij,jk->ik", a, b), lambda t: lambda a, b: t.einsum("ij,jk->ik", a, b)),
    ),
    Case(
        'einsum("ii->") (trace)',
        "512x512",
        arrays(normal(512, 512)),
        functional(lambda a: autograd.einsum("ii->", a), lambda t: lambda a: t.einsum("ii->", a)),
    ),
    Case(
        "topk",
        "64x256, k=5, dim=1",
        arrays(normal(64, 256)),
        functional(lambda x: autograd.topk(x, 5, dim=1), lambda t: lambda x: t.topk(x, 5, dim=1)),
        output=0,
    ),
    Case(
        "interpolate nearest x2",
        "16x8x32x32",
        arrays(normal(16, 8, 32, 32)),
        functional(
            lambda x: F.interpolate(x, scale_factor=2, mode="nearest"),
            lambda t: lambda x: t.nn.functional.interpolate(x, scale_factor=2, mode="nearest"),
        ),
    ),
    Case(
        "avg_pool2d(2) (tiling)",
        "16x8x32x32",
        arrays(normal(16, 8, 32, 32)),
        functional(lambda x: F.avg_pool2d(x, 2), lambda t: lambda x: t.nn.functional.avg_pool2d(x, 2)),
    ),
    Case(
        "AvgPool2d(3, 1, 1)",
        "32x16x28x28",
        arrays(normal(32, 16, 28, 28)),
        module(lambda: nn.AvgPool2d(3, 1, 1), lambda t: t.nn.AvgPool2d(3, 1, 1)),
    ),
    Case(
        "adaptive_avg_pool2d to 1x1",
        "16x16x32x32",
        arrays(normal(16, 16, 32, 32)),
        functional(
            lambda x: F.adaptive_avg_pool2d(x, 1), lambda t: lambda x: t.nn.functional.adaptive_avg_pool2d(x, 1)
        ),
    ),
    Case(
        "AdaptiveMaxPool2d(5)",
        "32x16x28x28",
        arrays(normal(32, 16, 28, 28)),
        module(lambda: nn.AdaptiveMaxPool2d(5), lambda t: t.nn.AdaptiveMaxPool2d(5)),
    ),
    Case(
        "embedding",
        "200 indices into 64x256",
        lambda rng: [indices(64, 200)(rng), normal(64, 256)(rng)],
        functional(F.embedding, lambda t: t.nn.functional.embedding),
    ),
    Case(
        "embedding_bag (mean)",
        "32 bags of 20 indices into 1000x64",
        lambda rng: [indices(1000, 640)(rng), normal(1000, 64)(rng), np.arange(0, 640, 20, dtype=np.int64)],
        functional(F.embedding_bag, lambda t: t.nn.functional.embedding_bag),
    ),
    Case("celu", "64x256", arrays(normal(64, 256)), functional(F.celu, lambda t: t.nn.functional.celu)),
    Case(
        "PReLU",
        "128x1024",
        arrays(normal(128, 1024)),
        module(lambda: nn.PReLU(), lambda t: t.nn.PReLU()),
    ),
    Case("ELU", "128x1024", arrays(normal(128, 1024)), module(lambda: nn.ELU(), lambda t: t.nn.ELU())),
    Case("SELU", "128x1024", arrays(normal(128, 1024)), module(lambda: nn.SELU(), lambda t: t.nn.SELU())),
    Case(
        "leaky_relu",
        "128x1024",
        arrays(normal(128, 1024)),
        functional(F.leaky_relu, lambda t: t.nn.functional.leaky_relu),
    ),
    Case("sigmoid", "128x1024", arrays(normal(128, 1024)), functional(F.sigmoid, lambda t: t.sigmoid)),
    Case("tanh", "128x1024", arrays(normal(128, 1024)), functional(F.tanh, lambda t: t.tanh)),
    Case("silu", "128x1024", arrays(normal(128, 1024)), functional(F.silu, lambda t: t.nn.functional.silu)),
    Case("softplus", "128x1024", arrays(normal(128, 1024)), functional(F.softplus, lambda t: t.nn.functional.softplus)),
    Case(
        "hardswish",
        "128x1024",
        arrays(normal(128, 1024, low=-5, high=5)),
        functional(F.hardswish, lambda t: t.nn.functional.hardswish),
    ),
    Case(
        "gelu (exact)",
        "128x1024",
        arrays(normal(128, 1024)),
        functional(F.gelu, lambda t: t.nn.functional.gelu),
    ),
    Case(
        "gelu (exact), float64",
        "128x1024 float64",
        arrays(normal(128, 1024, dtype=np.float64)),
        functional(F.gelu, lambda t: t.nn.functional.gelu),
    ),
    Case(
        "gelu (exact), all below -3",
        "128x1024 in [-8, -3)",
        arrays(normal(128, 1024, low=-8, high=-3)),
        functional(F.gelu, lambda t: t.nn.functional.gelu),
        atol=1e-6,
    ),
    Case(
        "gelu (exact) f64, below -3",
        "128x1024 float64 in [-8, -3)",
        arrays(normal(128, 1024, low=-8, high=-3, dtype=np.float64)),
        functional(F.gelu, lambda t: t.nn.functional.gelu),
        atol=1e-6,
    ),
    Case(
        "BatchNorm1d (training)",
        "128x256",
        arrays(normal(128, 256)),
        module(lambda: nn.BatchNorm1d(256), lambda t: t.nn.BatchNorm1d(256)),
    ),
    Case(
        "BatchNorm2d (training)",
        "32x16x14x14",
        arrays(normal(32, 16, 14, 14)),
        module(lambda: nn.BatchNorm2d(16), lambda t: t.nn.BatchNorm2d(16)),
    ),
    Case(
        "GroupNorm(4, 16)",
        "32x16x14x14",
        arrays(normal(32, 16, 14, 14)),
        module(lambda: nn.GroupNorm(4, 16), lambda t: t.nn.GroupNorm(4, 16)),
    ),
    Case(
        "LayerNorm(256)",
        "128x256",
        arrays(normal(128, 256)),
        module(lambda: nn.LayerNorm(256), lambda t: t.nn.LayerNorm(256)),
    ),
    Case(
        "pad reflect",
        "16x16x32x32, 2 each side",
        arrays(normal(16, 16, 32, 32)),
        functional(
            lambda x: F.pad(x, (2, 2, 2, 2), mode="reflect"),
            lambda t: lambda x: t.nn.functional.pad(x, (2, 2, 2, 2), mode="reflect"),
        ),
    ),
    Case(
        "pad replicate",
        "16x16x32x32, 2 each side",
        arrays(normal(16, 16, 32, 32)),
        functional(
            lambda x: F.pad(x, (2, 2, 2, 2), mode="replicate"),
            lambda t: lambda x: t.nn.functional.pad(x, (2, 2, 2, 2), mode="replicate"),
        ),
    ),
    Case(
        "cumsum",
        "128x1024, dim=1",
        arrays(normal(128, 1024)),
        functional(lambda x: autograd.cumsum(x, dim=1), lambda t: lambda x: t.cumsum(x, dim=1)),
        atol=1e-4,
    ),
    Case(
        "cdist p=2",
        "1000x64 vs 1000x64",
        arrays(normal(1000, 64), normal(1000, 64)),
        functional(autograd.cdist, lambda t: t.cdist),
        atol=1e-4,
    ),
    Case(
        "pdist p=2",
        "1000x64",
        arrays(normal(1000, 64)),
        functional(F.pdist, lambda t: t.nn.functional.pdist),
        atol=1e-4,
    ),
    Case(
        "conv2d depthwise 3x3",
        "32x16x28x28, groups=16, padding 1",
        arrays(normal(32, 16, 28, 28), normal(16, 1, 3, 3)),
        functional(
            lambda x, w: F.conv2d(x, w, padding=1, groups=16),
            lambda t: lambda x, w: t.nn.functional.conv2d(x, w, padding=1, groups=16),
        ),
        atol=1e-4,
    ),
    Case(
        "conv2d grouped 3x3",
        "32x32x28x28, groups=4, padding 1",
        arrays(normal(32, 32, 28, 28), normal(32, 8, 3, 3)),
        functional(
            lambda x, w: F.conv2d(x, w, padding=1, groups=4),
            lambda t: lambda x, w: t.nn.functional.conv2d(x, w, padding=1, groups=4),
        ),
        atol=1e-4,
    ),
    Case(
        "LSTM 64 -> 128",
        "50 steps, batch 32",
        arrays(normal(50, 32, 64)),
        module(lambda: nn.LSTM(64, 128), lambda t: t.nn.LSTM(64, 128)),
        atol=1e-4,
        output=0,
    ),
    Case(
        "GRU 64 -> 128",
        "50 steps, batch 32",
        arrays(normal(50, 32, 64)),
        module(lambda: nn.GRU(64, 128), lambda t: t.nn.GRU(64, 128)),
        atol=1e-4,
        output=0,
    ),
    # The ops users run most, at realistic shapes (float32 unless the line says float64).
    Case(
        "conv2d 3x3",
        "32x64x32x32 -> 64, padding 1",
        arrays(normal(32, 64, 32, 32), normal(64, 64, 3, 3), normal(64)),
        functional(
            lambda x, w, b: F.conv2d(x, w, b, padding=1),
            lambda t: lambda x, w, b: t.nn.functional.conv2d(x, w, b, padding=1),
        ),
        atol=1e-4,
    ),
    Case(
        "conv2d 3x3 stride 2",
        "32x64x32x32 -> 64, padding 1",
        arrays(normal(32, 64, 32, 32), normal(64, 64, 3, 3), normal(64)),
        functional(
            lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
            lambda t: lambda x, w, b: t.nn.functional.conv2d(x, w, b, stride=2, padding=1),
        ),
        atol=1e-4,
    ),
    Case(
        "conv2d 1x1",
        "32x64x32x32 -> 64",
        arrays(normal(32, 64, 32, 32), normal(64, 64, 1, 1), normal(64)),
        functional(F.conv2d, lambda t: t.nn.functional.conv2d),
        atol=1e-4,
    ),
    Case(
        "conv2d 3x3, float64",
        "16x32x32x32 float64 -> 32, padding 1",
        arrays(normal(16, 32, 32, 32, dtype=np.float64), normal(32, 32, 3, 3, dtype=np.float64)),
        functional(
            lambda x, w: F.conv2d(x, w, padding=1),
            lambda t: lambda x, w: t.nn.functional.conv2d(x, w, padding=1),
        ),
        atol=1e-4,
    ),
    Case(
        "conv_transpose2d stride 2",
        "32x64x16x16 -> 32, 4x4, padding 1",
        arrays(normal(32, 64, 16, 16), normal(64, 32, 4, 4), normal(32)),
        functional(
            lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1),
            lambda t: lambda x, w, b: t.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1),
        ),
        atol=1e-4,
    ),
    Case(
        "max_pool2d 2x2",
        "32x64x32x32",
        arrays(normal(32, 64, 32, 32)),
        functional(lambda x: F.max_pool2d(x, 2), lambda t: lambda x: t.nn.functional.max_pool2d(x, 2)),
    ),
    Case(
        "max_pool2d 3x3 stride 2",
        "32x64x32x32, padding 1",
        arrays(normal(32, 64, 32, 32)),
        functional(lambda x: F.max_pool2d(x, 3, 2, 1), lambda t: lambda x: t.nn.functional.max_pool2d(x, 3, 2, 1)),
    ),
    Case(
        "avg_pool2d 2x2",
        "32x64x32x32",
        arrays(normal(32, 64, 32, 32)),
        functional(lambda x: F.avg_pool2d(x, 2), lambda t: lambda x: t.nn.functional.avg_pool2d(x, 2)),
    ),
    Case(
        "avg_pool2d 3x3 stride 2",
        "32x64x32x32, padding 1",
        arrays(normal(32, 64, 32, 32)),
        functional(lambda x: F.avg_pool2d(x, 3, 2, 1), lambda t: lambda x: t.nn.functional.avg_pool2d(x, 3, 2, 1)),
    ),
    Case(
        "batch_norm2d (eval)",
        "32x64x32x32, running stats",
        arrays(normal(32, 64, 32, 32), normal(64), normal(64)),
        lambda torch: (
            lambda x, w, b: F.batch_norm(x, RUNNING_MEAN, RUNNING_VAR, w, b, training=False),
            lambda x, w, b: torch.nn.functional.batch_norm(
                x, torch.from_numpy(RUNNING_MEAN), torch.from_numpy(RUNNING_VAR), w, b, training=False
            ),
        ),
    ),
    Case(
        "matmul",
        "256x1024 @ 1024x1024",
        arrays(normal(256, 1024), normal(1024, 1024)),
        functional(autograd.matmul, lambda t: t.matmul),
        atol=1e-4,
    ),
    Case(
        "matmul, float64",
        "256x1024 @ 1024x1024 float64",
        arrays(normal(256, 1024, dtype=np.float64), normal(1024, 1024, dtype=np.float64)),
        functional(autograd.matmul, lambda t: t.matmul),
    ),
    Case(
        "Linear(1024, 1024)",
        "256x1024",
        arrays(normal(256, 1024)),
        module(lambda: nn.Linear(1024, 1024), lambda t: t.nn.Linear(1024, 1024)),
        atol=1e-4,
    ),
    Case(
        "bmm",
        "32x128x64 @ 32x64x128",
        arrays(normal(32, 128, 64), normal(32, 64, 128)),
        functional(autograd.bmm, lambda t: t.bmm),
        atol=1e-4,
    ),
    Case(
        "softmax, last axis",
        "128x1000",
        arrays(normal(128, 1000)),
        functional(lambda x: F.softmax(x, dim=-1), lambda t: lambda x: t.softmax(x, dim=-1)),
    ),
    Case(
        "log_softmax, last axis",
        "128x1000",
        arrays(normal(128, 1000)),
        functional(lambda x: F.log_softmax(x, dim=-1), lambda t: lambda x: t.log_softmax(x, dim=-1)),
    ),
    Case(
        "log_softmax, float64",
        "128x1000 float64",
        arrays(normal(128, 1000, dtype=np.float64)),
        functional(lambda x: F.log_softmax(x, dim=-1), lambda t: lambda x: t.log_softmax(x, dim=-1)),
    ),
    Case(
        "cross_entropy",
        "128x1000, class indices",
        lambda rng: [normal(128, 1000)(rng), indices(1000, 128)(rng)],
        functional(F.cross_entropy, lambda t: t.nn.functional.cross_entropy),
    ),
    Case(
        "cross_entropy, float64",
        "128x1000 float64, class indices",
        lambda rng: [normal(128, 1000, dtype=np.float64)(rng), indices(1000, 128)(rng)],
        functional(F.cross_entropy, lambda t: t.nn.functional.cross_entropy),
    ),
    Case(
        "cross_entropy smoothing 0.1",
        "128x1000, class indices",
        lambda rng: [normal(128, 1000)(rng), indices(1000, 128)(rng)],
        functional(
            lambda x, y: F.cross_entropy(x, y, label_smoothing=0.1),
            lambda t: lambda x, y: t.nn.functional.cross_entropy(x, y, label_smoothing=0.1),
        ),
    ),
    Case(
        "nll_loss",
        "128x1000, class indices",
        lambda rng: [normal(128, 1000)(rng), indices(1000, 128)(rng)],
        functional(F.nll_loss, lambda t: t.nn.functional.nll_loss),
    ),
    Case(
        "mse_loss",
        "128x1000",
        arrays(normal(128, 1000), normal(128, 1000)),
        functional(F.mse_loss, lambda t: t.nn.functional.mse_loss),
    ),
    Case(
        "l1_loss",
        "128x1000",
        arrays(normal(128, 1000), normal(128, 1000)),
        functional(F.l1_loss, lambda t: t.nn.functional.l1_loss),
    ),
    Case(
        "bce_with_logits",
        "128x1000, targets in [0, 1)",
        arrays(normal(128, 1000), normal(128, 1000, low=0, high=1)),
        functional(F.binary_cross_entropy_with_logits, lambda t: t.nn.functional.binary_cross_entropy_with_logits),
    ),
    Case(
        "dropout (training)",
        "128x1024, p=0.5",
        arrays(normal(128, 1024)),
        functional(
            lambda x: F.dropout(x, 0.5, training=True),
            lambda t: lambda x: t.nn.functional.dropout(x, 0.5, training=True),
        ),
        random=0.5,
    ),
    Case(
        "embedding (lookup)",
        "16x64 indices into 10000x256",
        lambda rng: [indices(10000, 16, 64)(rng), normal(10000, 256)(rng)],
        functional(F.embedding, lambda t: t.nn.functional.embedding),
    ),
    Case(
        "sdpa causal",
        "32x8x128x64",
        arrays(normal(32, 8, 128, 64), normal(32, 8, 128, 64), normal(32, 8, 128, 64)),
        functional(
            lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
            lambda t: lambda q, k, v: t.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
        ),
        atol=1e-4,
    ),
    Case(
        "TransformerEncoderLayer",
        "d_model 256, 4 heads, 16x64x256",
        arrays(normal(16, 64, 256)),
        module(
            lambda: nn.TransformerEncoderLayer(256, 4, dropout=0.0, batch_first=True, rng=0),
            lambda t: t.nn.TransformerEncoderLayer(256, 4, dropout=0.0, batch_first=True),
        ),
        atol=1e-4,
    ),
    Case(
        "sum, dim=1",
        "512x1024",
        arrays(normal(512, 1024)),
        functional(lambda x: x.sum(dim=1), lambda t: lambda x: x.sum(dim=1)),
        atol=1e-4,
    ),
    Case(
        "mean, dim=0",
        "512x1024",
        arrays(normal(512, 1024)),
        functional(lambda x: x.mean(dim=0), lambda t: lambda x: x.mean(dim=0)),
    ),
    Case(
        "var, dim=1",
        "512x1024",
        arrays(normal(512, 1024)),
        functional(lambda x: x.var(dim=1), lambda t: lambda x: x.var(dim=1)),
    ),
    Case(
        "split heads (contiguous)",
        "16x64x256 -> 16x4x64x64",
        arrays(normal(16, 64, 256)),
        functional(
            lambda x: x.reshape(16, 64, 4, 64).transpose(1, 2).contiguous(),
            lambda t: lambda x: x.reshape(16, 64, 4, 64).transpose(1, 2).contiguous(),
        ),
    ),
    Case(
        "NCHW -> NHWC reshape",
        "32x64x32x32 -> 32768x64",
        arrays(normal(32, 64, 32, 32)),
        functional(
            lambda x: x.permute(0, 2, 3, 1).reshape(-1, 64),
            lambda t: lambda x: x.permute(0, 2, 3, 1).reshape(-1, 64),
        ),
    ),
    Case(
        "cat, dim=1",
        "3 x 128x1024",
        arrays(normal(128, 1024), normal(128, 1024), normal(128, 1024)),
        functional(lambda *xs: autograd.cat(xs, dim=1), lambda t: lambda *xs: t.cat(xs, dim=1)),
    ),
    Case(
        "stack",
        "8 x 64x1024",
        arrays(*[normal(64, 1024)] * 8),
        functional(lambda *xs: autograd.stack(xs), lambda t: lambda *xs: t.stack(xs)),
    ),
    Case(
        "x[idx], repeated rows",
        "20000 indices into 10000x128",
        lambda rng: [normal(10000, 128)(rng), indices(10000, 20000)(rng)],
        functional(lambda x, i: x[i], lambda t: lambda x, i: x[i]),
    ),
    Case(
        "where",
        "1e6",
        lambda rng: [rng.random(1_000_000) < 0.5, normal(1_000_000)(rng), normal(1_000_000)(rng)],
        functional(autograd.where, lambda t: t.where),
    ),
    Case(
        "clamp(-0.5, 0.5)",
        "1e6",
        arrays(normal(1_000_000)),
        functional(lambda x: x.clamp(-0.5, 0.5), lambda t: lambda x: x.clamp(-0.5, 0.5)),
    ),
    Case("exp", "1e6", arrays(normal(1_000_000)), functional(autograd.exp, lambda t: t.exp)),
    Case(
        "log",
        "1e6 in [0.1, 10)",
        arrays(normal(1_000_000, low=0.1, high=10)),
        functional(autograd.log, lambda t: t.log),
    ),
    Case("tanh", "1e6", arrays(normal(1_000_000)), functional(autograd.tanh, lambda t: t.tanh)),
    Case("sigmoid", "1e6", arrays(normal(1_000_000)), functional(autograd.sigmoid, lambda t: t.sigmoid)),
    Case(
        "exp, float64",
        "1e6 float64",
        arrays(normal(1_000_000, dtype=np.float64)),
        functional(autograd.exp, lambda t: t.exp),
    ),
]


@dataclass
class Contender:
    """One side of a case: its op, its leaves, the other inputs and the upstream gradient."""

    op: Op
    inputs: list[Any]
    leaves: list[Any]  # the inputs that require grad, then the op's parameters
    upstream: Any
    output: int | None = None

    def step(self) -> Any:
        for leaf in self.leaves:
            leaf.grad = None
        out = self.op(*self.inputs)
        if self.output is not None:
            out = out[self.output]
        out.backward(self.upstream)
        return out


def contenders(case: Case, torch: Any) -> tuple[Contender, Contender]:
    """Ours and torch's contender of ``case``, on the same inputs, parameters and upstream gradient."""
    rng = np.random.default_rng(0)
    data = case.inputs(rng)
    ours_op, torch_op = case.make(torch)
    ours_inputs = [Tensor(a, requires_grad=True) if a.dtype.kind == "f" else a for a in data]
    torch_inputs = [torch.from_numpy(a.copy()).requires_grad_(a.dtype.kind == "f") for a in data]
    with torch.no_grad():
        out = torch_op(*torch_inputs)
        shape = tuple((out if case.output is None else out[case.output]).shape)
    upstream = np.asarray(rng.standard_normal(shape), dtype=np.float32)  # an array also for a scalar loss
    ours_leaves = [t for t in ours_inputs if isinstance(t, Tensor)]
    torch_leaves = [t for t in torch_inputs if t.requires_grad]
    if isinstance(ours_op, nn.Module):
        ours_leaves += list(ours_op.parameters())
        torch_leaves += list(torch_op.parameters())
    ours = Contender(ours_op, ours_inputs, ours_leaves, upstream, case.output)
    theirs = Contender(torch_op, torch_inputs, torch_leaves, torch.from_numpy(upstream.copy()), case.output)
    return ours, theirs


def check_agreement(case: Case, ours: Contender, theirs: Contender) -> None:
    """One step of each: the outputs and every leaf's gradient must agree (and ours stay float32)."""

    def close(what: str, got: np.ndarray, expected: np.ndarray) -> None:
        if got.dtype != expected.dtype:
            raise MismatchError(f"{case.name}: {what} has dtype {got.dtype}, torch's {expected.dtype}")
        scale = float(np.max(np.abs(expected))) if expected.size else 0.0
        check_close(case.name, what, got, expected, rtol=case.rtol, atol=case.atol * max(1.0, scale))

    out, expected = ours.step(), theirs.step()
    if case.random is not None:
        check_dropout(case, ours, np.asarray(out.numpy()), expected.detach().numpy())
        return
    close("output", np.asarray(out.numpy()), expected.detach().numpy())
    for i, (mine, reference) in enumerate(zip(ours.leaves, theirs.leaves)):
        if mine.grad is None or reference.grad is None:
            raise MismatchError(f"{case.name}: leaf {i} has gradient {mine.grad!r}, torch's {reference.grad!r}")
        close(f"gradient of leaf {i}", np.asarray(mine.grad), reference.grad.numpy())


def check_dropout(case: Case, ours: Contender, out: np.ndarray, expected: np.ndarray) -> None:
    """A random op (dropout with p = ``case.random``): ours must have torch's shape and dtype, zero
    about a fraction p of the entries, scale the others by 1 / (1 - p), and pass the upstream
    gradient through the same mask with the same scale."""
    if out.shape != expected.shape or out.dtype != expected.dtype:
        raise MismatchError(f"{case.name}: output {out.shape} {out.dtype}, torch's {expected.shape} {expected.dtype}")
    p = case.random
    x = np.asarray(ours.inputs[0].data)
    kept = out != 0
    if abs(1 - kept.mean() - p) > 5 * np.sqrt(p * (1 - p) / out.size):
        raise MismatchError(f"{case.name}: zeroed {1 - kept.mean():.4f} of the entries, p = {p}")
    check_close(case.name, "kept entries", out[kept], x[kept] / (1 - p), rtol=case.rtol, atol=case.atol)
    grad = np.asarray(ours.leaves[0].grad)
    check_close(case.name, "gradient", grad, np.where(kept, ours.upstream / (1 - p), 0), rtol=case.rtol, atol=case.atol)


@dataclass
class Measurement:
    case: Case
    times: dict[str, list[float]]

    @property
    def ratio(self) -> float:
        return paired_ratio(self.times, "ours", "torch")

    def line(self) -> str:
        ours, theirs = (statistics.median(self.times[name]) * 1e3 for name in ("ours", "torch"))
        return f"{self.case.name:<28} {self.case.shape:<34} {ours:9.3f} {theirs:9.3f} {self.ratio:7.2f}x"


def measure(case: Case, torch: Any, rounds: int, seconds: float) -> Measurement:
    """Check agreement with torch, then time both steps in interleaved rounds."""
    ours, theirs = contenders(case, torch)
    check_agreement(case, ours, theirs)
    times = interleaved_medians({"ours": ours.step, "torch": theirs.step}, rounds, seconds)
    return Measurement(case, times)


def selected(only: Sequence[str] | None) -> list[Case]:
    """The cases whose name contains one of ``only`` (case-insensitive); every case without it."""
    if not only:
        return CASES
    chosen = [case for case in CASES if any(part.lower() in case.name.lower() for part in only)]
    if not chosen:
        names = ", ".join(case.name for case in CASES)
        raise SystemExit(f"--only {' '.join(only)}: no case's name contains that; the cases: {names}")
    return chosen


def run(cases: list[Case], rounds: int = 7, seconds: float = 0.15, threads: int = 1) -> list[Measurement]:
    """Measure every case, printing a line each."""
    torch = optional_torch()
    results = []
    print(f"{'op':<28} {'shape (float32)':<34} {'ours ms':>9} {'torch ms':>9} {'ratio':>8}")
    with single_threaded(threads):
        for case in cases:
            result = measure(case, torch, rounds, seconds)
            print(result.line(), flush=True)
            results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.15, help="time per contender per round")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.02 s (a smoke run)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads; 0 leaves the defaults")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run the cases whose name contains NAME")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 3, 0.02
    if optional_torch() is None:
        print("bench/ops.py compares every op with torch's: torch is not installed, nothing to run")
        sys.exit(0)
    run(selected(args.only), args.rounds, args.seconds, args.threads)


if __name__ == "__main__":
    main()
