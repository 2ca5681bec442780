"""The hypothesis settings of the differential fuzzers (``tests/test_*_fuzz_torch.py``): a fixed, derandomized set of
examples by default, so a run is quick and repeatable; ``FUZZ_EXAMPLES=N`` in the environment draws N fresh random
examples per property instead, to hunt for new failures."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: the number of fresh examples per property a hunt asked for (0: the default, derandomized run)
HUNT = int(os.environ.get("FUZZ_EXAMPLES", "0"))


def fuzz_settings(examples: int) -> settings:
    """``examples`` derandomized examples per property (or ``FUZZ_EXAMPLES`` fresh ones), no deadline, no example
    database, no health check (the strategies draw large composite inputs on purpose)."""
    return settings(
        max_examples=HUNT or examples,
        deadline=None,
        derandomize=not HUNT,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
