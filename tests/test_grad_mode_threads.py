"""Grad mode is per thread: one thread's no_grad records nothing there and changes nothing elsewhere, also while
the core skips reading the thread-local flag (every thread recording) and after a thread ends with its mode off."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor, Value, enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from autograd.grad_mode import _not_recording


def _records(kind: str) -> bool:
    """Whether an op on a leaf that requires grad records a node in this thread (Value and Tensor paths)."""
    leaf = Value(2.0) if kind == "value" else Tensor([1.0, 2.0], requires_grad=True)
    return (leaf * 3.0).requires_grad


def _in_thread(function):
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]


def test_another_threads_no_grad_leaves_this_thread_recording():
    entered, release = threading.Event(), threading.Event()
    seen = []

    def worker():
        with no_grad():
            seen.append((_records("value"), _records("tensor"), is_grad_enabled()))
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    assert entered.wait(10)
    try:
        assert _records("value") and _records("tensor") and is_grad_enabled()
    finally:
        release.set()
        thread.join()
    assert seen == [(False, False, False)]


def test_this_threads_no_grad_holds_while_another_thread_records():
    with no_grad():
        assert _in_thread(lambda: (_records("value"), _records("tensor"))) == (True, True)
        assert not _records("value") and not _records("tensor")
    assert _records("value") and _records("tensor")


def test_a_thread_ending_with_its_mode_off_counts_no_longer():
    before = len(_not_recording)

    def leave_it_off():
        set_grad_enabled(False)
        return len(_not_recording)

    assert _in_thread(leave_it_off) == before + 1
    assert len(_not_recording) == before
    assert _records("value") and is_grad_enabled()


def test_a_thread_with_its_mode_off_stays_off_after_another_thread_ends():
    set_grad_enabled(False)
    try:
        assert _in_thread(lambda: _records("tensor"))  # a fresh thread records
        assert not _records("value") and not _records("tensor") and not is_grad_enabled()
    finally:
        set_grad_enabled(True)
    assert _records("value")


_SWITCHES = st.lists(st.sampled_from(["no_grad", "enable_grad", "on", "off", "inference", "inference_off"]), max_size=8)


def _nested(switches: list[str], seen: list[tuple[bool, bool]]) -> None:
    """Enter each switch inside the one before, recording (mode, whether an op records) at every depth."""
    seen.append((is_grad_enabled(), _records("value")))
    if not switches:
        return
    first, rest = switches[0], switches[1:]
    blocks = {
        "no_grad": no_grad,
        "enable_grad": enable_grad,
        "on": lambda: set_grad_enabled(True),
        "off": lambda: set_grad_enabled(False),
        "inference": inference_mode,
        "inference_off": lambda: inference_mode(False),
    }
    with blocks[first]():
        _nested(rest, seen)
    seen.append((is_grad_enabled(), _records("value")))


@settings(max_examples=60, deadline=None)
@given(_SWITCHES)
def test_nested_mode_switches_record_as_the_mode_says_and_leave_nothing_counted(switches):
    before = len(_not_recording)
    seen: list[tuple[bool, bool]] = []
    _nested(switches, seen)
    assert all(mode == records for mode, records in seen)
    assert seen[0] == seen[-1] == (True, True)
    assert len(_not_recording) == before
