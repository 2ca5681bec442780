"""The library's random state, as torch's ``manual_seed``: ``autograd.manual_seed(0)`` makes every later draw
that was not given its own generator or seed reproducible (weight initialisation, ``randn``, dropout masks,
DataLoader shuffles, ``uniform_``...).

Until ``manual_seed`` is called, such draws use fresh entropy, as before; afterwards they all come from one
numpy Generator seeded with the given seed, in the order they are made, so a program that seeds once at the
top gives the same numbers on every run. A generator or seed passed explicitly (``rng=``, ``generator=``,
``seed=``) is used as it is, seeded or not.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["generator_for", "manual_seed"]

_seeded: np.random.Generator | None = None


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the library's random state (torch's ``manual_seed``); returns the Generator that now serves
    every draw made without a generator of its own."""
    global _seeded
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"manual_seed: seed must be an int >= 0, got {seed!r}")
    _seeded = np.random.default_rng(int(seed))
    return _seeded


def generator_for(rng: Any = None) -> np.random.Generator:
    """``rng`` as a Generator (a Generator as it is, an int as its seed); for None, the seeded state if
    ``manual_seed`` was called, else a fresh Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None:
        return np.random.default_rng(rng)
    return _seeded if _seeded is not None else np.random.default_rng()
