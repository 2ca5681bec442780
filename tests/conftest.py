"""Shared pytest configuration: hypothesis profiles.

Profiles (choose with HYPOTHESIS_PROFILE=...):
* ``ci`` (default): 30 examples per property, no deadline, derandomized — every op
  still sees random shapes, broadcasting pairs, axes and indices, but the same ones
  on every run, so a red CI always points at a reproducible failure;
* ``thorough``: 300 fresh random examples per property, for local runs before a
  release (and to hunt for new counterexamples).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
