"""Benchmark: what ``autograd.malloc_tuning`` (freed memory kept in the process) does to a training step.

``import autograd`` raises glibc malloc's mmap and trim thresholds (see ``autograd/malloc_tuning.py``), so the
temporaries of one step are served from the heap the previous step freed instead of from fresh pages that
fault on their first write. ``AUTOGRAD_KEEP_FREED_MEMORY=0`` keeps glibc's defaults. This bench runs the
users'-path workloads of ``users_path`` (floor and users' path, in the same process, so the same heap) in
worker processes started fresh with and without that variable, rounds interleaved, and prints per setting the
median time per step and the minor page faults per step of each contender, and the ratio of the untuned time
to the tuned one. The workers check the users' path against the floor first (``users_path.check_agreement``).

Linux with glibc only (elsewhere the tuning is a no-op and the bench says so).
Run by hand: ``python bench/freed_memory.py [--quick] [--workload lenet]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

#: Short names of the users'-path workloads, in ``users_path.WORKLOADS`` order.
WORKLOAD_NAMES = ("large-mlp", "small-mlp", "small-cnn", "lenet")
SETTINGS = ("tuned", "glibc-defaults")


def worker(workload_name: str, rounds: int, seconds: float) -> dict[str, object]:
    """In this process: check agreement, then time the floor and the users' path and count their page faults."""
    import users_path
    from harness import interleaved_medians, page_faults_per_step, single_threaded

    from autograd import malloc_tuning

    workload = users_path.WORKLOADS[WORKLOAD_NAMES.index(workload_name)]
    x, y = workload.batch()
    with single_threaded(1):
        users_path.check_agreement(workload, x, y, None)
        steps = {
            "floor": users_path.make_floor(workload, x, y)[1],
            "users": users_path.make_users(workload, x, y)[1],
        }
        times = interleaved_medians(steps, rounds, seconds)
        faults = page_faults_per_step(steps) or {}
    return {
        "applied": malloc_tuning.APPLIED,
        "times": {name: statistics.median(values) for name, values in times.items()},
        "faults": faults,
    }


def _run_worker(workload_name: str, setting: str, rounds: int, seconds: float) -> dict[str, object]:
    environment = dict(os.environ)
    environment.pop("AUTOGRAD_KEEP_FREED_MEMORY", None)
    if setting == "glibc-defaults":
        environment["AUTOGRAD_KEEP_FREED_MEMORY"] = "0"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", workload_name]
    command += ["--rounds", str(rounds), "--seconds", str(seconds)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    if done.returncode != 0:
        raise SystemExit(f"freed_memory worker ({workload_name}, {setting}) failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(workload_name: str, processes: int, rounds: int, seconds: float) -> None:
    """Run ``processes`` workers per setting, alternating, and print the medians over them."""
    results: dict[str, list[dict]] = {setting: [] for setting in SETTINGS}
    for index in range(processes):
        order = SETTINGS if index % 2 == 0 else SETTINGS[::-1]
        for setting in order:
            results[setting].append(_run_worker(workload_name, setting, rounds, seconds))
    if not results["tuned"][0]["applied"]:
        print(f"{workload_name}: the tuning is not applied here (not glibc, or the environment tunes malloc)")
    medians = {}
    for setting in SETTINGS:
        runs = results[setting]
        medians[setting] = {name: statistics.median(run["times"][name] for run in runs) for name in ("floor", "users")}
        faults = {name: statistics.median(run["faults"].get(name, 0.0) for run in runs) for name in ("floor", "users")}
        print(
            f"{workload_name}, {setting}: floor {medians[setting]['floor'] * 1e3:.2f} ms "
            f"({faults['floor']:.0f} faults/step), users' path {medians[setting]['users'] * 1e3:.2f} ms "
            f"({faults['users']:.0f} faults/step)",
            flush=True,
        )
    ratios = ", ".join(
        f"{name} {medians['glibc-defaults'][name] / medians['tuned'][name]:.2f}x" for name in ("floor", "users")
    )
    print(f"{workload_name}: time with glibc's defaults / time tuned: {ratios}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=WORKLOAD_NAMES, action="append", help="default: all four")
    parser.add_argument("--processes", type=int, default=3, help="worker processes per setting")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.15, help="time per contender per round")
    parser.add_argument("--quick", action="store_true", help="one process per setting, 3 rounds of 0.05 s")
    parser.add_argument("--worker", choices=WORKLOAD_NAMES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.processes, args.rounds, args.seconds = 1, 3, 0.05
    if args.worker:
        print(json.dumps(worker(args.worker, args.rounds, args.seconds)))
        return
    for workload_name in args.workload or WORKLOAD_NAMES:
        bench(workload_name, args.processes, args.rounds, args.seconds)


if __name__ == "__main__":
    main()
