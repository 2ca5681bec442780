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


@pytest.fixture
def torch():
    """torch, the oracle; the tests that take it are skipped when it is not installed."""
    return pytest.importorskip("torch")


@pytest.fixture
def td(torch):
    """torch.distributions (skipped without torch)."""
    return torch.distributions
