"""Toy sets that scikit-learn lacks, with its conventions: XOR and spirals.

Each returns ``(X, y)``: ``X`` float64 of shape (n_samples, 2), labels int64 in 0..K-1, rows in
random order. ``noise`` is the standard deviation of Gaussian noise added to every coordinate
(None or 0: none). ``random_state`` is read as scikit-learn reads it: an int seeds a new
``numpy.random.RandomState``, a ``RandomState`` is used as it is, None draws a fresh seed.
(``make_moons``, ``make_circles`` and ``make_regression`` are scikit-learn's own: see
:mod:`nn.data.scikit_learn`.)
"""

from __future__ import annotations

import numbers

import numpy as np

from autograd.shape_errors import is_integer

from ..checks import check_positive_int, check_real

RandomStateLike = int | np.integer | np.random.RandomState | None


def _check_noise(noise: float | None, function: str) -> float:
    """``noise`` as a float >= 0; None means 0."""
    if noise is None:
        return 0.0
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, numbers.Real):
        raise TypeError(f"{function}: noise must be a real number or None, got {noise!r}")
    return check_real(function, "noise", noise, 0)


def _random_state(random_state: RandomStateLike, function: str) -> np.random.RandomState:
    """scikit-learn's ``check_random_state``, except that None gives a freshly seeded generator."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if random_state is None or is_integer(random_state):
        return np.random.RandomState(random_state)
    raise TypeError(f"{function}: random_state must be an int, a numpy RandomState or None, got {random_state!r}")


def _noisy_shuffled(
    X: np.ndarray, y: np.ndarray, noise: float, generator: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    order = generator.permutation(len(X))
    X = X[order] + generator.normal(scale=noise, size=X.shape) if noise else X[order]
    return X, y[order].astype(np.int64)


def make_xor(
    n_samples: int = 100, *, noise: float | None = None, random_state: RandomStateLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-1, 1]^2 labelled 1 when exactly one coordinate is positive (XOR of signs).

    Labels are taken before the noise is added, so noise blurs the quadrant borders.
    """
    n_samples = check_positive_int("make_xor", "n_samples", n_samples)
    noise = _check_noise(noise, "make_xor")
    generator = _random_state(random_state, "make_xor")
    X = generator.uniform(-1, 1, size=(n_samples, 2))
    y = (X[:, 0] > 0) != (X[:, 1] > 0)
    return _noisy_shuffled(X, y, noise, generator)


def make_spirals(
    n_samples: int = 100, n_classes: int = 3, *, noise: float | None = None, random_state: RandomStateLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms: r (sin t, cos t), r in [0, 1], arm k turning over t in [4k, 4k + 4].

    Samples are shared out as evenly as possible (the first arms get the remainder).
    """
    n_samples = check_positive_int("make_spirals", "n_samples", n_samples)
    n_classes = check_positive_int("make_spirals", "n_classes", n_classes)
    noise = _check_noise(noise, "make_spirals")
    generator = _random_state(random_state, "make_spirals")
    sizes = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    arms = []
    for k, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), size)
        arms.append(radius[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1))
    y = np.repeat(np.arange(n_classes), sizes)
    return _noisy_shuffled(np.concatenate(arms), y, noise, generator)
