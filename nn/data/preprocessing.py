"""Train/test splitting and feature standardisation (fit on training data only)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _split_sizes(n_samples: int, test_size: float | int) -> tuple[int, int]:
    """(n_train, n_test): a float is a fraction (test rounded up, as sklearn), an int a count."""
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.integer, np.floating)):
        raise TypeError(f"train_test_split: test_size must be a float in (0, 1) or an int, got {test_size!r}")
    if isinstance(test_size, (float, np.floating)):
        if not 0 < test_size < 1:
            raise ValueError(f"train_test_split: a float test_size must lie in (0, 1), got {test_size}")
        n_test = math.ceil(test_size * n_samples)
    else:
        n_test = int(test_size)
    if not 0 < n_test < n_samples:
        raise ValueError(
            f"train_test_split: test_size={test_size!r} leaves {n_samples - n_test} training and {n_test} test "
            f"samples out of {n_samples}; both sets must be non-empty"
        )
    return n_samples - n_test, n_test


def _stratified_test_rows(labels: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """Test rows drawn per class in proportion to its size (largest remainders settle rounding)."""
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    quotas = counts * n_test / len(labels)
    per_class = np.floor(quotas).astype(int)
    shortfall = n_test - per_class.sum()
    per_class[np.argsort(-(quotas - per_class), kind="stable")[:shortfall]] += 1
    rows = [rng.permutation(np.flatnonzero(inverse == index))[:take] for index, take in enumerate(per_class)]
    return np.concatenate(rows) if classes.size else np.empty(0, dtype=int)


def train_test_split(
    X: Any,
    y: Any = None,
    test_size: float | int = 0.2,
    seed: int | None = None,
    stratify: Any = None,
) -> tuple[np.ndarray, ...]:
    """Split rows at random into train and test parts: ``X_train, X_test, y_train, y_test``.

    ``test_size`` is a fraction in (0, 1) (the test count is rounded up) or a count.
    ``stratify`` (usually ``y``) keeps each class's share in both parts. Without ``y``
    the result is ``X_train, X_test``. The same ``seed`` gives the same split.
    """
    X = np.asarray(X)
    arrays = [X] if y is None else [X, np.asarray(y)]
    if X.ndim == 0:
        raise ValueError("train_test_split: X needs a sample axis (got a 0-d array)")
    if y is not None and len(arrays[1]) != len(X):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(arrays[1])}")
    n_train, n_test = _split_sizes(len(X), test_size)
    rng = np.random.default_rng(seed)
    if stratify is None:
        order = rng.permutation(len(X))
        train_rows, test_rows = np.sort(order[n_test:]), np.sort(order[:n_test])
    else:
        labels = np.asarray(stratify)
        if labels.shape[:1] != X.shape[:1] or labels.ndim != 1:
            raise ValueError(f"train_test_split: stratify must be 1-d with {len(X)} labels, got shape {labels.shape}")
        test_rows = np.sort(_stratified_test_rows(labels, n_test, rng))
        train_rows = np.setdiff1d(np.arange(len(X)), test_rows)
    assert len(train_rows) == n_train
    result: list[np.ndarray] = []
    for array in arrays:
        result.extend([array[train_rows], array[test_rows]])
    return tuple(result)


class Standardizer:
    """Feature-wise standardisation z = (x - mean) / std, with statistics from ``fit`` only.

    Statistics run over axis 0 (samples) in float64. A zero-variance feature gets
    std 1, so it maps to 0 instead of dividing by zero; ``inverse_transform`` gives
    x = z * std + mean. Outputs keep a floating input's dtype (integers give float64).
    """

    def __init__(self) -> None:
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def fit(self, X: Any) -> Standardizer:
        """Store the per-feature mean and (population) standard deviation of ``X``."""
        X = self._as_samples(X, "fit")
        if len(X) == 0:
            raise ValueError("Standardizer.fit: X has no samples")
        data = X.astype(np.float64)
        std = data.std(axis=0)
        self.mean = data.mean(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """(x - mean) / std with the fitted statistics."""
        X = self._checked(X, "transform")
        return ((X.astype(np.float64) - self.mean) / self.std).astype(self._float_dtype(X))

    def fit_transform(self, X: Any) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """z * std + mean: undo ``transform``."""
        Z = self._checked(Z, "inverse_transform")
        return (Z.astype(np.float64) * self.std + self.mean).astype(self._float_dtype(Z))

    @staticmethod
    def _float_dtype(X: np.ndarray) -> np.dtype:
        return X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float64)

    @staticmethod
    def _as_samples(X: Any, method: str) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim == 0 or X.dtype.kind not in "biuf":
            raise ValueError(
                f"Standardizer.{method}: expected a numeric array with a sample axis, got dtype {X.dtype} shape {X.shape}"
            )
        return X

    def _checked(self, X: Any, method: str) -> np.ndarray:
        if self.mean is None:
            raise RuntimeError(f"Standardizer.{method}: call fit() first")
        X = self._as_samples(X, method)
        if X.shape[1:] != self.mean.shape:
            raise ValueError(
                f"Standardizer.{method}: fitted on features of shape {self.mean.shape}, got samples of shape {X.shape[1:]}"
            )
        return X

    def __repr__(self) -> str:
        state = "unfitted" if self.mean is None else f"features={self.mean.shape}"
        return f"Standardizer({state})"
