"""Reentrant backward at any depth: a custom Function whose backward runs backward() (or autograd.grad) again,
nested thousands deep at Python's default recursion limit, with the caller's state (grad mode, saved-tensor
hooks, anomaly mode) in force at every depth and errors raised to the outermost caller (autograd.reentrant)."""

from __future__ import annotations

import sys
import threading
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.grad_mode import _not_recording
from autograd.reentrant import PASSES_PER_STACK


def _deep_reentrant(lib, tensor):
    """torch's test_deep_reentrant Function, over ``lib``: forward counts down by one; backward runs a fresh pass
    through another call of itself until the count is below zero, so n passes nest n deep."""

    class DeepReentrant(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with lib.enable_grad():
                ctx.x = tensor(x.detach(), requires_grad=True)
                ctx.x = ctx.x - 1
            return ctx.x.detach()

        @staticmethod
        def backward(ctx, grad):
            if ctx.x < 0:
                return grad
            with lib.enable_grad():
                DeepReentrant.apply(ctx.x).sum().backward()
            return grad

    return DeepReentrant


def test_two_thousand_nested_backward_passes_run_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000 * 3  # (pytest leaves the interpreter's limit as it is)
    deep = _deep_reentrant(autograd, Tensor)
    for depth in (2000.0, 200.0):  # the second reuses nothing the first left behind
        v = Tensor(depth, requires_grad=True)
        deep.apply(v).sum().backward()
        assert v.grad == 1.0
    assert not _not_recording  # every thread the passes ran on left grad mode as it found it


def test_deep_nested_passes_give_torchs_gradients():
    torch = pytest.importorskip("torch")

    def scaled_chain(lib, tensor, depth):
        # backward passes a gradient scaled by each level's own count (3 * level) through depth nested passes
        class Scaled(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, level):
                ctx.level = level
                ctx.save_for_backward(x)
                return x * 1.0

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                if ctx.level > 0:
                    with lib.enable_grad():
                        inner = x.detach().clone().requires_grad_()
                        (inner_grad,) = lib.autograd.grad(Scaled.apply(inner, ctx.level - 1) * 2.0, inner)
                    return grad * inner_grad * (1.0 + 1.0 / (ctx.level + 1)), None
                return grad, None

        x = tensor(np.float64(1.5), requires_grad=True)
        Scaled.apply(x, depth).backward()
        return float(x.grad)

    depth = 12 * PASSES_PER_STACK + 3
    ours = scaled_chain(autograd, Tensor, depth)
    theirs = scaled_chain(torch, torch.tensor, depth)
    assert ours == pytest.approx(theirs, rel=1e-12)
    # level L scales by 2 (L + 2) / (L + 1), L = 1..depth: the product telescopes to 2**(depth - 1) (depth + 2)
    assert ours == pytest.approx(2.0 ** (depth - 1) * (depth + 2), rel=1e-12)


def test_a_nested_pass_on_a_fresh_thread_keeps_the_callers_saved_tensor_hooks_and_quiet_numpy():
    packed, seen_threads = [], set()

    def pack(array):
        packed.append(1)
        return array

    class Counting(autograd.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            with autograd.enable_grad():
                inner = Tensor(x.detach(), requires_grad=True)
                ctx.save_for_backward(inner)
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            seen_threads.add(threading.get_ident())
            (inner,) = ctx.saved_tensors
            if ctx.level > 0:
                with autograd.enable_grad():
                    # a log of 0 is -inf without numpy's RuntimeWarning: the pass's quiet errstate holds here too
                    Counting.apply(inner, ctx.level - 1).sum().backward()
                    (inner * 0.0).log().sum()
            return grad, None

    depth = 3 * PASSES_PER_STACK
    x = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    with autograd.graph.saved_tensors_hooks(pack, lambda array: array), warnings.catch_warnings():
        warnings.simplefilter("error")
        Counting.apply(x, depth).sum().backward()
    assert len(seen_threads) > 1  # the nesting moved to other threads
    assert len(packed) >= depth + 1  # every level's save went through the caller's pack hook
    assert np.array_equal(x.grad, [1.0, 1.0])


def test_an_error_deep_inside_nested_passes_reaches_the_outer_caller_and_changes_no_grad():
    class Failing(autograd.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            with autograd.enable_grad():
                ctx.inner = Tensor(x.detach(), requires_grad=True)
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            if ctx.level == 0:
                raise ValueError("failed at the bottom")
            with autograd.enable_grad():
                Failing.apply(ctx.inner, ctx.level - 1).sum().backward()
            return grad, None

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(ValueError, match="failed at the bottom"):
        Failing.apply(x, 5 * PASSES_PER_STACK).sum().backward()
    assert x.grad is None
    assert autograd.is_grad_enabled()
    assert not _not_recording


def test_a_nested_pass_moved_to_a_fresh_thread_runs_in_the_callers_grad_mode():
    modes = []

    class Probe(autograd.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            with autograd.enable_grad():
                ctx.inner = Tensor(x.detach(), requires_grad=True)
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            modes.append(autograd.is_grad_enabled())  # a backward runs with grad mode off (no create_graph)
            if ctx.level > 0:
                with autograd.enable_grad():
                    modes.append(autograd.is_grad_enabled())
                    Probe.apply(ctx.inner, ctx.level - 1).sum().backward()
            return grad, None

    x = Tensor(np.array([1.0]), requires_grad=True)
    Probe.apply(x, 3 * PASSES_PER_STACK).sum().backward()
    assert modes == [False, True] * (3 * PASSES_PER_STACK) + [False]
    assert autograd.is_grad_enabled() and not _not_recording


def test_an_interrupt_while_a_nested_pass_runs_on_a_fresh_thread_stops_that_pass_too():
    """Ctrl-C (KeyboardInterrupt in the main thread, which waits for the fresh thread) stops the nested passes as it
    stops passes nested on one thread: none goes on running in the background after the caller got the interrupt,
    and no .grad changes."""
    import signal
    import time

    log = []

    class Nested(autograd.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            if ctx.level == 5:
                # Ctrl-C: a SIGINT to the main thread, which waits for this one (KeyboardInterrupt is raised there)
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
                time.sleep(0.3)
            log.append(ctx.level)
            if ctx.level > 0:
                with autograd.enable_grad():
                    inner = Tensor(np.ones(2), requires_grad=True)
                    Nested.apply(inner, ctx.level - 1).sum().backward()
            return grad, None

    depth = 2 * PASSES_PER_STACK + 4
    before = threading.active_count()
    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(KeyboardInterrupt):
        Nested.apply(x, depth).sum().backward()
    logged = len(log)
    time.sleep(0.5)
    assert len(log) == logged <= depth - 5  # the level that got the interrupt and those below it ran no further
    assert threading.active_count() == before
    assert x.grad is None and autograd.is_grad_enabled() and not _not_recording
