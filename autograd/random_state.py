"""The library's random state, as torch's ``manual_seed``: ``autograd.manual_seed(0)`` makes every later draw
that was not given its own generator or seed reproducible (weight initialisation, ``randn``, dropout masks,
DataLoader shuffles, ``uniform_``...).

Until ``manual_seed`` is called, such draws use fresh entropy, as before; afterwards they all come from one
numpy Generator seeded with the given seed, in the order they are made, so a program that seeds once at the
top gives the same numbers on every run. A generator or seed passed explicitly (``rng=``, ``generator=``,
``seed=``) is used as it is, seeded or not.

:class:`Generator` is torch's ``torch.Generator`` (``g = Generator().manual_seed(2147483647)``): a numpy
Generator with torch's seeding methods, so every function that takes a numpy Generator takes it.
"""

from __future__ import annotations

import contextlib
import numbers
import secrets
from collections.abc import Iterator
from typing import Any, SupportsIndex

import numpy as np

from . import devices
from .shape_errors import ArgumentRangeError
from .torch_names import check_device

__all__ = [
    "Generator",
    "check_drawn_range",
    "check_uniform_range",
    "default_generator",
    "fork_rng",
    "generator_for",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "seeded_state",
    "set_rng_state",
    "uniform_draws",
    "unit_uniform",
]

_seeded: Generator | None = None

#: ``autograd.Tensor``, the type of :func:`get_rng_state`'s result (set by :mod:`autograd.tensor`, which imports
#: this module through the random fills)
_Tensor: Any = None

#: The seed of a Generator made without one, torch's (``torch.Generator().initial_seed()``).
DEFAULT_SEED = 67280421310721

#: The seeds ``Generator.manual_seed`` takes, torch's: a negative seed counts modulo 2**64.
_SEEDS = range(-(2**63), 2**64)

#: The bytes of ``Generator.get_state()``: the initial seed (8), then PCG64's state (16), increment (16),
#: whether half of a 64-bit draw is kept (1) and that half (4), all little-endian.
_STATE_FIELDS = (("seed", 8), ("state", 16), ("inc", 16), ("has_uint32", 1), ("uinteger", 4))
_STATE_SIZE = sum(size for _, size in _STATE_FIELDS)


def manual_seed(seed: int) -> Generator:
    """Seed the library's random state (torch's ``manual_seed``); returns the :class:`Generator` that now serves
    every draw made without a generator of its own (for a seed >= 0 its draws are
    ``numpy.random.default_rng(seed)``'s). The seeds are torch's, :meth:`Generator.manual_seed`'s: any int in
    [-2**63, 2**64), a negative one counting modulo 2**64 (``manual_seed(-1)`` is ``manual_seed(2**64 - 1)``). As
    torch's, ``seed`` is read with ``int()`` first (1.5 seeds 1, True 1, a numpy integer its value), whose errors
    propagate (None a TypeError, nan a ValueError, inf an OverflowError); an int out of range is a ValueError."""
    seed = int(seed)
    if seed not in _SEEDS:
        raise ValueError(f"manual_seed: seed must be an int in [-2**63, 2**64), got {seed!r}")
    return default_generator.manual_seed(seed)


def seed() -> int:
    """torch.seed: seed the library's random state from fresh entropy and return that seed (a 64-bit int), so
    ``manual_seed`` with it replays the draws made afterwards."""
    fresh = secrets.randbits(64)
    manual_seed(fresh)
    return fresh


def initial_seed() -> int:
    """torch.initial_seed: the seed of the library's random state, set by ``manual_seed`` or ``seed``. Without
    either, the state is seeded from fresh entropy first (as torch seeds its default generator at start), so the
    seed returned replays the unseeded draws made afterwards."""
    return (_seeded if _seeded is not None else _seed_from_entropy()).initial_seed()


def get_rng_state() -> Any:
    """torch.get_rng_state: the position of the library's random state as a uint8 Tensor (``Generator.get_state``'s
    bytes, not interchangeable with torch's) that ``set_rng_state`` restores; an unseeded state is seeded from
    fresh entropy first, as for :func:`initial_seed`."""
    return (_seeded if _seeded is not None else _seed_from_entropy()).get_state()


def set_rng_state(new_state: Any) -> None:
    """torch.set_rng_state: put the library's random state at a position ``get_rng_state`` gave (a uint8 Tensor
    or array): later draws without a generator of their own repeat those made after it was saved."""
    default_generator.set_state(new_state._data if hasattr(new_state, "_data") else new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, device_type: Any = None) -> Iterator[None]:
    """torch.random.fork_rng: a context in which the library's random state may be drawn from or reseeded
    (``manual_seed``, ``set_rng_state``) freely; on leaving it, even by an exception, the state is put back where it
    was on entering, so the draws after the block are those that would have come without it. An unseeded state
    (fresh entropy, no ``manual_seed`` yet) is unseeded again afterwards. ``enabled=False`` leaves the state alone
    (torch's switch). ``devices`` and ``device_type`` are torch's accelerators' and have nothing to fork here (the
    CPU state is always forked, as torch's); generators passed explicitly are not the library's state and are not
    forked, as torch's."""
    global _seeded
    if not enabled:
        yield
        return
    saved = None if _seeded is None else _seeded._state_bytes()
    try:
        yield
    finally:
        if saved is None:
            _seeded = None
        else:
            default_generator.set_state(saved)


def _seed_from_entropy() -> Generator:
    """The library's random state, seeded by :func:`seed` (fresh entropy)."""
    seed()
    assert _seeded is not None
    return _seeded


def seeded_state() -> Generator | None:
    """The library's random state (:data:`default_generator`) if ``manual_seed`` (or ``seed``, ``set_rng_state``,
    or a method of ``default_generator`` that sets its position) has set it, else None."""
    return _seeded


def generator_for(rng: Any = None) -> np.random.Generator:
    """``rng`` as a Generator (a Generator, :class:`Generator` included, as it is; an int as its seed); for
    None, the seeded state if ``manual_seed`` was called, else a fresh Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None:
        return np.random.default_rng(rng)
    return _seeded if _seeded is not None else np.random.default_rng()


def unit_uniform(source: np.random.Generator, shape: Any, dtype: Any) -> np.ndarray:
    """Uniform draws on [0, 1) of ``shape`` in ``dtype``, as torch's ``rand``: :func:`uniform_draws` from 0 to 1."""
    return uniform_draws(source, 0.0, 1.0, shape, dtype)


def uniform_draws(source: np.random.Generator, low: float, high: float, shape: Any, dtype: Any) -> np.ndarray:
    """Uniform draws on [low, high) of ``shape`` in ``dtype``, as torch's ``rand`` and ``uniform_``: numpy's
    doubles (``source.uniform``) rounded to a floating ``dtype``, and a draw that rounds up to ``high`` set to
    ``low``, as torch sets it (another dtype: the doubles, for the caller's cast to refuse or make).

    A double u >= 1 - 2**-(d+1), d the dtype's precision, rounds to 1.0: one float16 draw in 4096, one
    float32 draw in 3e7. torch draws in float and casts the same way, then gives the lower bound instead.
    """
    draws = source.uniform(low, high, shape)
    if np.dtype(dtype).kind != "f":
        return draws
    draws = draws.astype(dtype, copy=False)
    draws[draws == np.asarray(high).astype(dtype)] = low
    return draws


def check_uniform_range(op: str, a: float, b: float, dtype: Any) -> None:
    """ArgumentRangeError naming ``op`` unless [a, b) is a range uniform draws in ``dtype`` can come from, as torch
    checks it: a <= b (not nan), both within the floating dtype's finite range (numpy's cast made an out-of-range
    bound inf, and the draws -inf), and the width b - a too (a float64 range for other dtypes)."""
    if not a <= b:  # (also a nan bound)
        raise ArgumentRangeError(f"{op}: expects a range [a, b) with a <= b, got a={a!r}, b={b!r}")
    dtype = np.dtype(dtype)
    largest = float(np.finfo(dtype if dtype.kind == "f" else np.float64).max)
    for name, bound in (("a", a), ("b", b)):
        if not -largest <= bound <= largest:  # (an infinite one too)
            raise ArgumentRangeError(f"{op}: {name} = {bound!r} is out of bounds for {dtype}")
    if b - a > largest:
        raise ArgumentRangeError(f"{op}: expects b - a <= {largest} (the largest {dtype}), got a={a!r} and b={b!r}")


def check_drawn_range(op: str, first: int, last: int, dtype: Any, names: tuple[str, str] = ("from", "to - 1")) -> None:
    """ArgumentRangeError unless ``dtype`` holds every integer from ``first`` to ``last``, the range integer draws
    come from (``randint``'s low and high - 1, ``random_``'s from and to - 1; ``names`` name the two in the
    message), as torch checks them: numpy's cast would wrap the draws (randint(0, 200) in int8 gave negative
    numbers, randint(0, 5) in bool only True). A bool holds 0 and 1, a float dtype up to its largest finite value."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        lowest, highest = 0, 1
    elif dtype.kind in "iu":
        lowest, highest = int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
    else:
        highest = float(np.finfo(dtype).max)
        lowest = -highest
    for name, bound in zip(names, (first, last), strict=True):
        if not lowest <= bound <= highest:
            raise ArgumentRangeError(
                f"{op}: {name} = {bound} is out of bounds for {dtype} (which holds {lowest} to {highest})"
            )


class Generator(np.random.Generator):
    """torch.Generator: a source of random numbers to pass as ``generator=`` (or this library's ``rng=``).

    It is a numpy Generator (PCG64), so everything that takes a numpy Generator takes it, and draws continue
    its stream. ``manual_seed(seed)`` reseeds it in place and returns it, ``initial_seed()`` gives the seed,
    ``seed()`` reseeds it from fresh entropy, and ``get_state()``/``set_state(state)`` save and restore its
    position. A Generator made without a seed starts from torch's default seed, 67280421310721.

    The numbers differ from torch's for the same seed (numpy's PCG64 and sampling methods, not torch's
    Mersenne Twister); the same seed gives the same numbers here, run after run: for a seed >= 0 those of
    ``numpy.random.default_rng(seed)``.
    """

    def __init__(self, device: Any = "cpu") -> None:
        check_device("Generator", device)
        super().__init__(np.random.PCG64(DEFAULT_SEED))
        self._initial_seed = DEFAULT_SEED

    @property
    def device(self) -> devices.device:
        """Always the CPU, ``autograd.device("cpu")``, as :attr:`Tensor.device`."""
        return devices.CPU

    def manual_seed(self, seed: int) -> Generator:
        """Reseed in place (torch's): the same seed gives the same draws afterwards. Any int in [-2**63,
        2**64) is a seed (a negative one counts modulo 2**64, as torch's). Returns the Generator itself."""
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"Generator.manual_seed: seed must be an int, got {seed!r}")
        if int(seed) not in _SEEDS:  # (an int: range's test of a numpy integer walks the range)
            raise ValueError(f"Generator.manual_seed: seed must lie in [-2**63, 2**64), got {seed}")
        self._initial_seed = int(seed) % 2**64
        self.bit_generator.state = np.random.PCG64(self._initial_seed).state
        return self

    def initial_seed(self) -> int:
        """The seed of the last ``manual_seed`` or ``seed()`` (torch's default seed if neither was called)."""
        return self._initial_seed

    def seed(self) -> int:
        """Reseed from fresh entropy (torch's) and return the new seed, a 64-bit int."""
        fresh = secrets.randbits(64)
        self.manual_seed(fresh)
        return fresh

    def get_state(self) -> Any:
        """The Generator's position as a uint8 Tensor (torch's ByteTensor: ``clone()``, ``equal`` and ``save`` take
        it) that ``set_state`` restores; not interchangeable with torch's states (the algorithms differ)."""
        return _Tensor(self._state_bytes())

    def _state_bytes(self) -> np.ndarray:
        """The Generator's position as the uint8 array of :data:`_STATE_FIELDS` that ``set_state`` reads."""
        bits = self.bit_generator.state
        values = {
            "seed": self._initial_seed,
            **bits["state"],
            "has_uint32": bits["has_uint32"],
            "uinteger": bits["uinteger"],
        }
        encoded = b"".join(int(values[name]).to_bytes(size, "little") for name, size in _STATE_FIELDS)
        return np.frombuffer(encoded, dtype=np.uint8).copy()

    def set_state(self, new_state: Any) -> Generator:
        """Restore a position saved by ``get_state`` (a uint8 array or Tensor); returns the Generator itself."""
        state = np.asarray(new_state._data if hasattr(new_state, "_data") else new_state)
        if state.dtype != np.uint8 or state.shape != (_STATE_SIZE,):
            raise ValueError(
                f"Generator.set_state: expects the uint8 array of {_STATE_SIZE} bytes that get_state returns, got "
                f"{state.dtype} of shape {state.shape}"
            )
        values, start = {}, 0
        for name, size in _STATE_FIELDS:
            values[name] = int.from_bytes(state[start : start + size].tobytes(), "little")
            start += size
        self.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": values["state"], "inc": values["inc"]},
            "has_uint32": values["has_uint32"],
            "uinteger": values["uinteger"],
        }
        self._initial_seed = values["seed"]
        return self

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        """Pickled and copied as a Generator at the same position (numpy's reduction would give a plain one)."""
        return _restored_generator, (self._state_bytes(),)


def _restored_generator(state: np.ndarray) -> Generator:
    """A Generator at the position ``state`` (``Generator.get_state``): how pickling rebuilds one."""
    return Generator().set_state(state)


class _DefaultGenerator(Generator):
    """torch.default_generator: the one Generator that serves every draw made without a generator of its own once
    it is seeded. ``manual_seed`` returns it (the same object every time, as torch's), and seeding it or setting its
    state directly (``default_generator.manual_seed(4)``, ``.seed()``, ``.set_state(s)``) seeds the library's
    random state as ``autograd.manual_seed`` does. Before that, draws without a generator use fresh entropy."""

    def manual_seed(self, seed: int) -> Generator:
        global _seeded
        super().manual_seed(seed)
        _seeded = self
        return self

    def set_state(self, new_state: Any) -> Generator:
        global _seeded
        super().set_state(new_state)
        _seeded = self
        return self


#: torch.default_generator (see :class:`_DefaultGenerator`)
default_generator: Generator = _DefaultGenerator()
