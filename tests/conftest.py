"""Shared pytest configuration: hypothesis profiles, and the ``torch`` oracle fixtures (``torch``; ``td`` for
torch.distributions), which skip only the tests that take them when torch is not installed (a test module may
define its own ``torch`` fixture, as those that set torch's default dtype or threads do).

Profiles (choose with HYPOTHESIS_PROFILE=...):
* ``ci`` (default): 30 examples per property, no deadline, derandomized — every op
  still sees random shapes, broadcasting pairs, axes and indices, but the same ones
  on every run, so a red CI always points at a reproducible failure;
* ``thorough``: 300 fresh random examples per property, for local runs before a
  release (and to hunt for new counterexamples).
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """torch, the oracle, on one thread when installed: its worker threads spin on a busy 2-core machine (a small
    Transformer's step took 0.2 s on two threads, 0.03 s on one), and the oracle's answers need no parallelism."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


@pytest.fixture
def torch():
    """torch, the oracle; the tests that take it are skipped when it is not installed."""
    return pytest.importorskip("torch")


@pytest.fixture
def torch_default_float64(torch):
    """torch's default dtype float64 for the test (restored afterwards), as this library's: torch's factories, Python
    floats and the scalar state some optimizers keep in the default dtype (ASGD's eta and mu, NAdam's mu_product)
    then hold the numbers this library's do (skipped without torch)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.fixture
def td(torch):
    """torch.distributions (skipped without torch)."""
    return torch.distributions
