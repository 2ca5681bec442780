"""Timing, memory and agreement helpers shared by the benchmarks in ``bench/``.

Every contender of a workload is a zero-argument ``step`` callable. Contenders are timed in
interleaved rounds in one process (so they share the machine's noise); each round takes the
median of ``repeats`` calls per contender, and a ratio is the median over rounds of the
per-round ratio, which cancels slow drifts that hit every contender of a round alike.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

Step = Callable[[], Any]


class MismatchError(RuntimeError):
    """A contender computed other numbers than its reference: the benchmark must not be timed."""


def optional_torch() -> Any:
    """The torch module, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@contextlib.contextmanager
def single_threaded(threads: int = 1) -> Iterator[None]:
    """Limit BLAS (through threadpoolctl) and torch to ``threads`` threads; 0 leaves the defaults.

    On a small shared machine, multi-threaded BLAS on these matrix sizes mostly measures
    thread hand-off noise, and it would hand one side an advantage the other cannot use.
    """
    if not threads:
        yield
        return
    torch = optional_torch()
    previous = torch.get_num_threads() if torch is not None else 0
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl is not installed: BLAS keeps its default thread count")
        limit: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    else:
        limit = threadpool_limits(limits=threads)
    try:
        with limit:
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous)


def interleaved_medians(
    steps: Mapping[str, Step], rounds: int, seconds: float, warmup: int = 2, min_repeats: int = 3
) -> dict[str, list[float]]:
    """Per-round median seconds per call of every step, the rounds interleaved.

    Each contender makes about ``seconds`` worth of calls per round, at least ``min_repeats``
    (the count comes from its warm-up calls). Round r runs the contenders in an order rotated
    by r, so none always runs first; the cycle collector runs (untimed) before each
    contender's calls, so no contender pays for the garbage of the one before it.
    """
    repeats = {}
    for name, step in steps.items():
        start = time.perf_counter()
        for _ in range(warmup):
            step()
        elapsed = time.perf_counter() - start
        repeats[name] = max(min_repeats, round(seconds * warmup / elapsed)) if warmup else min_repeats
    names = list(steps)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            step = steps[name]
            gc.collect()  # each contender's calls pay for the cycles they make, not for the last one's
            samples = []
            for _ in range(repeats[name]):
                start = time.perf_counter()
                step()
                samples.append(time.perf_counter() - start)
            times[name].append(statistics.median(samples))
    return times


def page_faults_per_step(steps: Mapping[str, Step], rounds: int = 5) -> dict[str, float] | None:
    """Mean minor page faults per call of every step, the calls interleaved as in the timed rounds
    (None where ``resource`` is missing, as on Windows).

    A step whose temporaries grow the heap past glibc's trim threshold hands the memory back to the
    system when they are freed and faults it in again, page by page, on the next call; this counts
    what that costs each contender in the same process (and so the same heap).
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Unix
        return None
    faults = dict.fromkeys(steps, 0)
    for _ in range(rounds):
        for name, step in steps.items():
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            step()
            faults[name] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    return {name: count / rounds for name, count in faults.items()}


def paired_ratio(times: Mapping[str, list[float]], name: str, reference: str) -> float:
    """Median over rounds of time[name] / time[reference] in the same round."""
    return statistics.median(t / r for t, r in zip(times[name], times[reference]))


def peak_step_bytes(make_step: Callable[[], Step], warmup: int = 2) -> int:
    """Peak traced memory (bytes) during one step, counting everything the contender holds.

    Tracing starts before ``make_step`` builds the contender, so its parameters, optimizer
    state and retained gradients count, besides the step's temporaries; inputs built
    before the call do not. numpy reports its array buffers to ``tracemalloc``, torch
    does not (so torch is not measured).
    """
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        step = make_step()
        for _ in range(warmup):
            step()
        gc.collect()
        tracemalloc.reset_peak()
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def check_close(workload: str, what: str, got: Any, expected: Any, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Raise MismatchError unless ``got`` equals ``expected`` in shape and within float32 tolerances."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        raise MismatchError(f"{workload}: {what} has shape {got.shape}, the reference {expected.shape}")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got.astype(np.float64) - expected)))
        raise MismatchError(f"{workload}: {what} differs from the reference by up to {worst:.3g}")


def check_loss_and_gradients(
    workload: str, contender: str, got_loss: float, got_grads: list, loss: float, grads: list
) -> None:
    """Raise MismatchError unless a contender's loss and gradients (in the reference's layouts and order) equal the
    reference's: the loss within 1e-5, each gradient as :func:`check_close` judges it."""
    check_close(workload, f"{contender} loss", got_loss, loss, rtol=1e-5)
    if len(got_grads) != len(grads):
        raise MismatchError(f"{workload}: {contender} has {len(got_grads)} gradients, the floor {len(grads)}")
    for i, (got, expected) in enumerate(zip(got_grads, grads)):
        check_close(workload, f"{contender} gradient {i}", got, expected)


def milliseconds(seconds: list[float]) -> str:
    """The median of ``seconds`` in milliseconds, for printing."""
    return f"{statistics.median(seconds) * 1e3:.3f} ms"
