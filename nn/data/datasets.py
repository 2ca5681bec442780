"""Toy data sets generated locally from a seed: moons, circles, XOR, spirals, regression.

Each returns ``(X, y)`` with ``X`` float64 of shape (n_samples, n_features); class
labels are int64 in 0..K-1, rows come in random order, and ``noise`` is the standard
deviation of Gaussian noise added to every coordinate (to the target for regression).
"""

from __future__ import annotations

import numpy as np


def _check_count(value: int, name: str, function: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{function}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_noise(noise: float, function: str) -> float:
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"{function}: noise must be a finite number >= 0, got {noise!r}")
    return float(noise)


def _noisy_shuffled(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order].astype(np.int64)


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: (cos t, sin t) with label 0 and (1 - cos t, 1/2 - sin t) with label 1.

    t runs evenly over [0, pi]; the first moon gets floor(n/2) points.
    """
    n_samples = _check_count(n_samples, "n_samples", "make_moons", 2)
    noise = _check_noise(noise, "make_moons")
    n_outer = n_samples // 2
    t_outer = np.linspace(0, np.pi, n_outer)
    t_inner = np.linspace(0, np.pi, n_samples - n_outer)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1)
    y = np.repeat([0, 1], [n_outer, n_samples - n_outer])
    return _noisy_shuffled(np.concatenate([outer, inner]), y, noise, np.random.default_rng(seed))


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: radius 1 with label 0, radius ``factor`` (in (0, 1)) with label 1."""
    n_samples = _check_count(n_samples, "n_samples", "make_circles", 2)
    noise = _check_noise(noise, "make_circles")
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must lie in (0, 1), got {factor!r}")
    n_outer = n_samples // 2
    t_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * np.pi, n_samples - n_outer, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1)
    y = np.repeat([0, 1], [n_outer, n_samples - n_outer])
    return _noisy_shuffled(np.concatenate([outer, inner]), y, noise, np.random.default_rng(seed))


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-1, 1]^2 labelled 1 when exactly one coordinate is positive (XOR of signs).

    Labels are taken before the noise is added, so noise blurs the quadrant borders.
    """
    n_samples = _check_count(n_samples, "n_samples", "make_xor")
    noise = _check_noise(noise, "make_xor")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n_samples, 2))
    y = (X[:, 0] > 0) != (X[:, 1] > 0)
    return _noisy_shuffled(X, y, noise, rng)


def make_spirals(
    n_samples: int = 100, n_classes: int = 3, noise: float = 0.0, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms: r (sin t, cos t), r in [0, 1], arm k turning over t in [4k, 4k + 4].

    Samples are shared out as evenly as possible (the first arms get the remainder).
    """
    n_samples = _check_count(n_samples, "n_samples", "make_spirals")
    n_classes = _check_count(n_classes, "n_classes", "make_spirals")
    noise = _check_noise(noise, "make_spirals")
    sizes = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    arms = []
    for k, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), size)
        arms.append(radius[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1))
    y = np.repeat(np.arange(n_classes), sizes)
    return _noisy_shuffled(np.concatenate(arms), y, noise, np.random.default_rng(seed))


def make_regression(
    n_samples: int = 100,
    n_features: int = 1,
    noise: float = 0.0,
    seed: int | None = None,
    bias: float = 0.0,
    coef: bool = False,
) -> tuple[np.ndarray, ...]:
    """Linear regression data y = X w + bias + noise * e with X, w, e standard normal.

    Returns ``(X, y)``, or ``(X, y, w)`` with ``coef=True``; ``y`` is float64 of shape (n,).
    """
    n_samples = _check_count(n_samples, "n_samples", "make_regression")
    n_features = _check_count(n_features, "n_features", "make_regression")
    noise = _check_noise(noise, "make_regression")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    weights = rng.standard_normal(n_features)
    y = X @ weights + bias + noise * rng.standard_normal(n_samples)
    return (X, y, weights) if coef else (X, y)
