"""autograd.malloc_tuning: freed array memory stays in the process (no page fault per step), and the environment
can opt out or tune malloc itself."""

import subprocess
import sys
import textwrap

import pytest

from autograd import malloc_tuning

_STEPS_AFTER_IMPORT = textwrap.dedent(
    """
    import resource
    import numpy as np
    import autograd
    x = np.ones(1 << 18)  # 2 MiB: above glibc's starting mmap and trim thresholds
    def step():
        a = x * 2.0; b = a + 1.0; c = b * a
        del a, b, c
    for _ in range(5):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        step()
    print(autograd.malloc_tuning.APPLIED, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 50)
    """
)


def _faults_per_step(**environment: str) -> tuple[bool, float]:
    import os

    env = {name: value for name, value in os.environ.items() if not name.startswith("MALLOC_")}
    env.pop("AUTOGRAD_KEEP_FREED_MEMORY", None)
    result = subprocess.run(
        [sys.executable, "-c", _STEPS_AFTER_IMPORT], env={**env, **environment}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    applied, faults = result.stdout.split()
    return applied == "True", float(faults)


@pytest.mark.skipif(not malloc_tuning.APPLIED, reason="the C library is not glibc: there are no thresholds to set")
def test_steps_of_large_temporaries_fault_in_no_pages_after_import_and_do_when_the_environment_opts_out():
    applied, faults = _faults_per_step()
    assert applied and faults < 10
    opted_out, faults_without = _faults_per_step(AUTOGRAD_KEEP_FREED_MEMORY="0")
    assert not opted_out and faults_without > 500  # three 2 MiB arrays given back and faulted in again, each step


@pytest.mark.parametrize(
    "environment",
    [
        {"AUTOGRAD_KEEP_FREED_MEMORY": "0"},
        {"AUTOGRAD_KEEP_FREED_MEMORY": "off"},
        {"MALLOC_TRIM_THRESHOLD_": "131072"},
        {"MALLOC_MMAP_THRESHOLD_": "65536"},
        {"MALLOC_TOP_PAD_": "0"},
        {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"},
    ],
)
def test_an_environment_that_opts_out_or_tunes_malloc_itself_is_left_alone(environment):
    assert malloc_tuning.keep_freed_memory(environment) is False


def test_off_linux_nothing_is_tried(monkeypatch):
    monkeypatch.setattr(malloc_tuning.sys, "platform", "win32")
    assert malloc_tuning.keep_freed_memory({}) is False
