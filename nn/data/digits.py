"""The 8x8 handwritten digits bundled with scikit-learn (1797 images, 10 classes): offline by design."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_float_dtype, check_integer

#: Largest ``seed``: scikit-learn's split takes a ``random_state`` in [0, 2**32 - 1].
MAX_SEED = 2**32 - 1


def load_digits(
    test_size: float | int = 0.2,
    seed: int = 0,
    standardize: bool = True,
    flatten: bool = True,
    dtype: Any = np.float32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load the bundled digits as ``X_train, X_test, y_train, y_test`` (stratified split).

    Pixels are integers 0..16. With ``standardize=True`` every pixel is standardised
    z = (x - mean) / std with statistics of the training part only (constant pixels map
    to 0); otherwise pixels are scaled to [0, 1] by x / 16. ``flatten=True`` gives rows of
    64 features; ``flatten=False`` gives images of shape (N, 1, 8, 8) (channels first).
    Labels are int64; ``dtype`` (a floating dtype) is the features'; ``seed`` (an int in [0, 2**32 - 1]) fixes the
    split. Needs scikit-learn (the ``train`` extra);
    nothing is downloaded.
    """
    dtype = check_float_dtype("load_digits", "dtype", dtype)
    if seed is not None and not 0 <= check_integer("load_digits", "seed", seed) <= MAX_SEED:
        raise ValueError(f"load_digits: seed must be an integer in [0, 2**32 - 1], got {seed!r}")
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
    except ImportError as error:
        raise ImportError(
            "load_digits needs scikit-learn for its bundled digits; install it with "
            "`pip install -e '.[train]'` (the `train` extra) or `pip install scikit-learn`"
        ) from error
    bunch = sklearn_load_digits()
    X, y = bunch.data.astype(np.float64), bunch.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    if standardize:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    else:
        X_train, X_test = X_train / 16.0, X_test / 16.0
    if not flatten:
        X_train, X_test = X_train.reshape(-1, 1, 8, 8), X_test.reshape(-1, 1, 8, 8)
    return X_train.astype(dtype), X_test.astype(dtype), y_train, y_test
