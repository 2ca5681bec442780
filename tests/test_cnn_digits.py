"""End to end: nn.models.digits_cnn trained with Adam on scikit-learn's 8x8 digits reaches
at least 98% accuracy on a held-out stratified split (seeds fixed, a few seconds)."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, no_grad
from nn.data import load_digits
from nn.models import digits_cnn

pytest.importorskip("sklearn")


def test_digits_cnn_reaches_98_percent_test_accuracy():
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    # Pixels standardised with training statistics; 1437 training and 360 test images.
    X_train, X_test, y_train, y_test = load_digits(test_size=0.2, seed=0, flatten=False)
    assert X_train.shape[1:] == (1, 8, 8) and len(X_test) == 360
    model = digits_cnn(rng=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    # One BLAS thread: these matrices are tiny, and thread hand-offs dominate on a busy machine.
    with threadpool_limits(limits=1):
        for _ in range(10):
            order = rng.permutation(len(X_train))
            for start in range(0, len(order), 32):
                batch = order[start : start + 32]
                loss = F.cross_entropy(model(Tensor(X_train[batch])), y_train[batch], label_smoothing=0.1)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with no_grad():
            predictions = model(Tensor(X_test)).data.argmax(axis=1)
    accuracy = np.mean(predictions == y_test)
    assert accuracy >= 0.98, f"test accuracy {accuracy:.4f}"
