"""Benchmark: the smaller numbers the README's Speed prose quotes, each measured on the current code.

* ``linear``: ``nn.Linear`` on its usual input (an ndarray, or a Tensor, of the weight's dtype and width), which
  goes straight to one fused node, against the checked way every other input takes
  (``Linear._checked_input`` and ``autograd.linear``), 32x64 float32 into 64 -> 32, forward only;
* ``first-product``: the large MLP's first layer, a 128x784 float32 batch times a 784 -> 256 weight, stored
  (out, in) as ``nn.Linear`` (torch's layout) keeps it (``x @ w.T``), and stored (in, out) as the numpy floor keeps
  it (``x @ w``);
* ``row-maxima``: numpy's maximum along the rows of a 128x10 float32 batch of logits against a transposed copy
  and a maximum down its columns (what the fused cross-entropy does for narrow rows);
* ``mlp-phases``: a step of each MLP of ``users_path.py`` split into forward, loss, backward and update, the users'
  path's against the floor under torch's contracts (``numpy_floor.ContractFloorNet``: the same products and
  arrays, no engine), steps alternated, medians per phase; and the backward's ordering of its nodes
  (``autograd.backprop._ordered``) timed right after a forward and once more right after that;
* ``tape``: each MLP step of ``users_path.py`` on the floor, the floor under torch's contracts, the smallest engine
  that runs it (``tape_floor.TapeMLP``: a node per op, a walk and a dict per backward, nothing else) and the
  users' path, interleaved rounds, medians and ratios to the floor, and the peak traced memory of a step of each
  (``harness.peak_step_bytes``, as ``users_path.py`` measures it); the tape's loss and gradients must equal the
  contract floor's first;
* ``chain``: the scalar chain of ``chain.py`` (1e5 steps), in a fresh worker process: its backward, and the
  ordering of its nodes inside it (``autograd.backprop._ordered``), timed apart;
* ``objects``: the objects the cyclic garbage collector tracks in a process that imports only this library,
  and in one that also imports torch, scikit-learn, micrograd and ``nn`` (``chain.LOADED_MODULES``).

Times are medians of repeated runs (``timeit.repeat``); ratios are taken in the same process.
Run by hand: ``python bench/details.py [--only NAME]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

MEASURES = ("linear", "first-product", "row-maxima", "mlp-phases", "tape", "chain", "objects")


def _microseconds(call: Callable[[], Any], number: int = 20000, repeat: int = 9) -> float:
    return statistics.median(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e6


def linear() -> None:
    import nn
    from autograd import Tensor, linear

    rng = np.random.default_rng(0)
    layer = nn.Linear(64, 32, rng=0, dtype=np.float32)
    array = rng.standard_normal((32, 64)).astype(np.float32)
    tensor = Tensor(array)
    for name, x in (("ndarray", array), ("Tensor", tensor)):
        usual = _microseconds(lambda x=x: layer(x))
        checked = _microseconds(lambda x=x: linear(layer._checked_input(x), layer.weight, layer.bias))
        print(f"linear, {name} input: the usual way {usual:.2f} us, the checked way {checked:.2f} us, "
              f"{checked - usual:.2f} us more")  # fmt: skip


def first_product() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    weight = rng.standard_normal((256, 784)).astype(np.float32)  # (out, in)
    weight_in_out = np.ascontiguousarray(weight.T)
    if not np.allclose(x @ weight.T, x @ weight_in_out, rtol=1e-5, atol=1e-4):
        raise SystemExit("first-product: the two layouts disagree")
    torch_layout = _microseconds(lambda: x @ weight.T, number=200)
    floor_layout = _microseconds(lambda: x @ weight_in_out, number=200)
    print(f"first-product, 128x784 @ 784->256 float32: weight (out, in) {torch_layout:.0f} us, "
          f"weight (in, out) {floor_layout:.0f} us, ratio {torch_layout / floor_layout:.2f}")  # fmt: skip


def row_maxima() -> None:
    logits = np.random.default_rng(0).standard_normal((128, 10)).astype(np.float32)
    if not np.array_equal(logits.max(axis=1), np.ascontiguousarray(logits.T).max(axis=0)):
        raise SystemExit("row-maxima: the two ways disagree")
    along_rows = _microseconds(lambda: np.maximum.reduce(logits, axis=1))
    down_columns = _microseconds(lambda: np.maximum.reduce(np.ascontiguousarray(logits.T), axis=0))
    print(f"row-maxima, 128x10 float32: along the rows {along_rows:.2f} us, "
          f"a transposed copy and down its columns {down_columns:.2f} us")  # fmt: skip


def _chain_worker(steps: int, repeats: int) -> dict[str, float]:
    from autograd import Value, backprop

    ordering, backward = [], []
    for _ in range(repeats + 1):  # the first run warms up
        x = y = Value(1.0)
        for _ in range(steps):
            y = y * 1.0001 + 0.0001
        gc.collect()
        start = time.perf_counter()
        backprop._ordered([y])
        ordering.append(time.perf_counter() - start)
        start = time.perf_counter()
        y.backward()
        backward.append(time.perf_counter() - start)
        if abs(x.grad - 1.0001**steps) > 1e-9 * 1.0001**steps:
            raise SystemExit(f"chain: dy/dx = {x.grad!r}, expected {1.0001**steps!r}")
        del x, y
    return {"ordering": statistics.median(ordering[1:]), "backward": statistics.median(backward[1:])}


def _objects_worker(loaded: bool) -> dict[str, float]:
    import importlib

    import autograd  # noqa: F401

    if loaded:
        from chain import LOADED_MODULES

        for module in LOADED_MODULES:
            importlib.import_module(module)
    gc.collect()
    return {"objects": len(gc.get_objects())}


def _in_worker(name: str, *arguments: str) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name, *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"details worker {name} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _contract_phases(floor: Any, x: np.ndarray, y: np.ndarray) -> list[float]:
    """Seconds of the contract floor's forward, loss, backward and update."""
    from numpy_floor import softmax_cross_entropy

    clock = [time.perf_counter()]
    logits, activations = floor.forward(x)
    clock.append(time.perf_counter())
    _, delta = softmax_cross_entropy(logits, y)
    clock.append(time.perf_counter())
    grads = floor.backward(delta, activations)
    clock.append(time.perf_counter())
    floor.update(grads)
    clock.append(time.perf_counter())
    return list(np.diff(clock))


def _users_phases(model: Any, optimizer: Any, x: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """Seconds of a users'-path step's forward, loss, backward and update, and of two orderings of the backward's
    nodes timed between the loss and the backward (not counted in it)."""
    import nn.functional as F
    from autograd.backprop import _ordered

    clock = [time.perf_counter()]
    optimizer.zero_grad()
    logits = model(x)
    clock.append(time.perf_counter())
    loss = F.cross_entropy(logits, y)
    clock.append(time.perf_counter())
    ordering = []
    for _ in range(2):
        start = time.perf_counter()
        _ordered([loss])
        ordering.append(time.perf_counter() - start)
    clock.append(time.perf_counter())
    loss.backward()
    clock.append(time.perf_counter())
    optimizer.step()
    clock.append(time.perf_counter())
    phases = list(np.diff(clock))
    del phases[2]  # the two orderings
    return phases, ordering


def mlp_phases(steps: int = 400) -> None:
    import users_path
    from harness import single_threaded

    import nn

    for workload in users_path.WORKLOADS[:2]:
        x, y = workload.batch()
        floor, _ = users_path.make_contract_floor(workload, x, y)
        model = workload.build()
        optimizer = nn.optim.SGD(model.parameters(), lr=users_path.LEARNING_RATE)

        with single_threaded(1):
            for _ in range(50):
                _users_phases(model, optimizer, x, y)
                _contract_phases(floor, x, y)
            ours, theirs, orderings = [], [], []
            for _ in range(steps):
                phases, ordering = _users_phases(model, optimizer, x, y)
                ours.append(phases)
                orderings.append(ordering)
                theirs.append(_contract_phases(floor, x, y))
        ours_us, theirs_us = np.median(ours, axis=0) * 1e6, np.median(theirs, axis=0) * 1e6
        first, again = np.median(orderings, axis=0) * 1e6
        parts = ", ".join(
            f"{name} {mine:.1f} / {floor_time:.1f}"
            for name, mine, floor_time in zip(("forward", "loss", "backward", "update"), ours_us, theirs_us)
        )
        print(f"mlp-phases, {workload.name}: users' path / floor under torch's contracts, us: {parts}; "
              f"total {ours_us.sum():.0f} / {theirs_us.sum():.0f}; ordering the backward's nodes right after "
              f"the forward {first:.1f} us, once more {again:.1f} us")  # fmt: skip


def _tape_makers(workload: Any, x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], Callable[[], Any]]]:
    """For each contender of ``tape``, a function that builds it from the workload's start and returns its step;
    the tape's loss and gradients are checked against the contract floor's first."""
    import users_path
    from harness import check_loss_and_gradients
    from tape_floor import TapeMLP

    contract, _ = users_path.make_contract_floor(workload, x, y)
    dense = [(w.copy(), b.copy()) for w, b in zip(contract.dense_weights, contract.dense_biases)]
    loss, grads = contract.gradients(x, y)
    tape_loss, tape_grads = TapeMLP(dense, users_path.LEARNING_RATE).gradients(x, y)
    check_loss_and_gradients(workload.name, "tape", tape_loss, tape_grads, loss, grads)

    def tape_step() -> Callable[[], Any]:
        made = TapeMLP(dense, users_path.LEARNING_RATE)
        return lambda: made.step(x, y)

    return {
        "floor": lambda: users_path.make_floor(workload, x, y)[1],
        "contract": lambda: users_path.make_contract_floor(workload, x, y)[1],
        "tape": tape_step,
        "users": lambda: users_path.make_users(workload, x, y)[1],
    }


def tape(rounds: int = 15, seconds: float = 0.25) -> None:
    import users_path
    from harness import interleaved_medians, paired_ratio, peak_step_bytes, single_threaded

    for workload in users_path.WORKLOADS[:2]:
        x, y = workload.batch()
        makers = _tape_makers(workload, x, y)
        steps = {name: make() for name, make in makers.items()}
        with single_threaded(1):
            times = interleaved_medians(steps, rounds, seconds)
        peaks = {name: peak_step_bytes(make) for name, make in makers.items()}
        ratios = ", ".join(f"{name} {paired_ratio(times, name, 'floor'):.2f}" for name in ("contract", "tape", "users"))
        memory = ", ".join(f"{name} {peaks[name] / peaks['floor']:.2f}" for name in ("contract", "tape", "users"))
        floor_us, floor_kib = statistics.median(times["floor"]) * 1e6, peaks["floor"] / 1024
        print(f"tape, {workload.name}: time / the floor's: {ratios} (floor {floor_us:.0f} us); peak traced memory "
              f"of a step / the floor's: {memory} (floor {floor_kib:.1f} KiB)")  # fmt: skip


def chain(steps: int = 100_000, repeats: int = 5) -> None:
    result = _in_worker("chain", str(steps), str(repeats))
    print(f"chain, {steps:,} steps, a fresh process: backward {result['backward'] * 1e3:.1f} ms, of which the "
          f"ordering of the nodes {result['ordering'] * 1e3:.1f} ms (timed apart)")  # fmt: skip


def objects() -> None:
    fresh = _in_worker("objects", "fresh")["objects"]
    text = f"objects the collector tracks: {fresh / 1e3:.0f} k in a process that imports only autograd"
    try:
        loaded = _in_worker("objects", "loaded")["objects"]
        text += f", {loaded / 1e3:.0f} k with torch, scikit-learn, micrograd and nn imported too"
    except SystemExit:
        text += " (torch, scikit-learn or micrograd missing: no loaded count)"
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=MEASURES, action="append", help="default: all")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, *rest = args.worker
        if name == "chain":
            print(json.dumps(_chain_worker(int(rest[0]), int(rest[1]))))
        else:
            print(json.dumps(_objects_worker(rest[0] == "loaded")))
        return
    measures = {
        "linear": linear,
        "first-product": first_product,
        "row-maxima": row_maxima,
        "mlp-phases": mlp_phases,
        "tape": tape,
        "chain": chain,
        "objects": objects,
    }
    for name in args.only or MEASURES:
        measures[name]()


if __name__ == "__main__":
    main()
