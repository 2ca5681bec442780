"""``autograd.random``, torch.random's namespace: the library's random state (:mod:`autograd.random_state`) under
torch's names, ``fork_rng`` among them (``with autograd.random.fork_rng(): ...`` draws without moving the stream
the rest of the program sees)."""

from __future__ import annotations

from .random_state import (
    Generator,
    default_generator,
    fork_rng,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]
