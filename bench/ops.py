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
    upstream = rng.standard_normal(shape).astype(np.float32)
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
    close("output", np.asarray(out.numpy()), expected.detach().numpy())
    for i, (mine, reference) in enumerate(zip(ours.leaves, theirs.leaves)):
        if mine.grad is None or reference.grad is None:
            raise MismatchError(f"{case.name}: leaf {i} has gradient {mine.grad!r}, torch's {reference.grad!r}")
        close(f"gradient of leaf {i}", np.asarray(mine.grad), reference.grad.numpy())


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
