"""Run every benchmark and print the README's speed table in markdown.

``python bench/report.py`` runs ``users_path`` (Tensor workloads and memory), ``scalar``
(micrograd demo step; the scalar chain, whose contenders ``scalar`` runs in fresh worker processes
through ``chain``) and ``optimizers`` (one step of each optimizer) in this process, prints each bench's lines as it goes, then the table: workload, floor, torch, this
library, target, met (the optimizer rows have no target). Times are ratios to the
floor (or to micrograd / torch where there is no floor), medians of per-round ratios.
``--write-readme`` also replaces the table between the two marker comments in README.md's
Speed section; ``--quick`` runs fewer, shorter rounds (a smoke run, noisier numbers).
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

import numpy as np
import optimizers
import scalar
import users_path
from harness import optional_torch, paired_ratio

START_MARKER = "<!-- speed-table:start (bench/report.py --write-readme) -->"
END_MARKER = "<!-- speed-table:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"

#: Goals of issue 15 for the scalar engine.
SCALAR_STEP_TARGET = 1 / 40  # ours / micrograd, time of the demo step
CHAIN_NODES_PER_SECOND_TARGET = 1.5e6


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def tensor_rows(results: list[users_path.Measurement]) -> list[list[str]]:
    rows = []
    for result in results:
        workload, users = result.workload, result.ratio("users")
        floor_ms = float(np.median(result.times["floor"])) * 1e3
        torch = f"{result.ratio('torch'):.2f}" if "torch" in result.times else ""
        ours = f"{users:.2f}"
        if "raw" in result.times:
            ours += f" (raw Tensors {result.ratio('raw'):.2f}; numpy under torch's contracts {result.ratio('contract'):.2f})"
        rows.append(
            [
                workload.name,
                f"1.00 ({floor_ms:.3g} ms)",
                torch,
                ours,
                f"<= {workload.target:.2f}",
                met(users <= workload.target),
            ]
        )
    ratios = [result.memory_ratio() for result in results]
    rows.append(
        [
            "peak traced memory of one step, users' path (the rows above, in order)",
            "1.00",
            "",
            " / ".join(f"{r:.2f}" for r in ratios),
            f"<= {users_path.MEMORY_TARGET:.1f}",
            met(max(ratios) <= users_path.MEMORY_TARGET),
        ]
    )
    return rows


def micrograd_row(workload: str, result: scalar.MLPResult, target: float | None = None) -> list[str]:
    """A row of times relative to micrograd's: the pure-Python floor's and ours (against ``target``, if any)."""
    ours = result.ratio("ours", "micrograd")
    return [
        f"{workload} (time / micrograd's)",
        f"1/{1 / result.ratio('floor', 'micrograd'):.0f} (pure Python)",
        "",
        f"1/{1 / ours:.1f}",
        f"<= 1/{1 / target:.0f}" if target is not None else "",
        met(ours <= target) if target is not None else "",
    ]


def scalar_rows(mlp: scalar.MLPResult, hand_written: scalar.MLPResult, chain: scalar.ChainResult) -> list[list[str]]:
    rows = [
        micrograd_row("scalar MLP 2-16-16-1 on 100 moons, micrograd's demo step", mlp, SCALAR_STEP_TARGET),
        micrograd_row("the same step with micrograd's neuron code (sum of w_i * x_i) run on our Value", hand_written),
    ]
    rate = chain.nodes_per_second()
    seconds = chain.seconds()
    target_seconds = 4 * chain.steps / CHAIN_NODES_PER_SECOND_TARGET  # the graph the target was set on: 4 nodes a step
    fresh, loaded = chain.times.fresh, chain.times.loaded
    torch = f"1.00 ({float(np.median(fresh['torch'])):.2f} s)" if "torch" in fresh else ""
    ours_text = (
        f"{seconds:.2f} s = {rate / 1e6:.2f} M nodes/s ({chain.nodes / chain.steps:.0f} nodes/step); "
        f"pure-Python floor {float(np.median(fresh['floor'])):.2f} s"
    )
    if "torch" in fresh:
        ours_text = f"{paired_ratio(fresh, 'ours', 'torch'):.2f}: {ours_text}"
    if loaded:
        ours_text += (
            f"; in a process also holding torch, scikit-learn, micrograd and nn: {float(np.median(loaded['ours'])):.2f} s"
            f" (floor {float(np.median(loaded['floor'])):.2f} s)"
        )
    rows.append(
        [
            f"scalar chain y = y*1.0001 + 0.0001, {chain.steps:,} steps, fwd+bwd, each in a fresh process",
            "",
            torch,
            ours_text,
            f">= {CHAIN_NODES_PER_SECOND_TARGET / 1e6:.1f} M nodes/s, set at 4 nodes/step: <= {target_seconds:.3f} s",
            f"time {met(seconds <= target_seconds)}, nodes/s {met(rate >= CHAIN_NODES_PER_SECOND_TARGET)}",
        ]
    )
    return rows


def optimizer_rows(results: list[optimizers.Measurement]) -> list[list[str]]:
    rows = []
    for result in results:
        floor_ms = float(np.median(result.times["floor"])) * 1e3
        torch = f"{result.ratio('torch'):.2f}" if "torch" in result.times else ""
        rows.append(
            [
                f"one step of {optimizers.label(result.case)}, MLP 784-256-128-10's parameters",
                f"1.00 ({floor_ms:.3g} ms)",
                torch,
                f"{result.ratio('ours'):.2f}",
                "",
                "",
            ]
        )
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    header = ["workload", "numpy floor", "torch", "this library", "target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def provenance() -> str:
    torch = optional_torch()
    versions = f"numpy {np.__version__}" + (f", torch {torch.__version__}" if torch is not None else "")
    return (
        f"Measured by `python bench/report.py` on {platform.machine()} with {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {versions}; BLAS and torch on one thread."
    )


def replace_between_markers(text: str, block: str) -> str:
    """``text`` with everything between the two marker lines replaced by ``block``."""
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"report: README.md needs the lines {START_MARKER!r} and then {END_MARKER!r}")
    return text[: start + len(START_MARKER)] + "\n" + block + "\n" + text[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--write-readme", action="store_true", help="put the table into README.md's Speed section")
    args = parser.parse_args()
    if args.quick:
        tensor = users_path.run(rounds=3, seconds=0.05)
        mlp, hand_written, chain = scalar.run(rounds=2, seconds=0.1)
        steps = optimizers.run(rounds=3, seconds=0.05)
    else:
        tensor = users_path.run()
        mlp, hand_written, chain = scalar.run()
        steps = optimizers.run()
    rows = tensor_rows(tensor) + scalar_rows(mlp, hand_written, chain) + optimizer_rows(steps)
    block = provenance() + "\n\n" + markdown_table(rows)
    print()
    print(block)
    if args.write_readme:
        README.write_text(replace_between_markers(README.read_text(), block))
        print(f"\nwrote the table into {README}")


if __name__ == "__main__":
    main()
