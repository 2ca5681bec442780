"""Small ready-made models: LeNet-style CNNs for 8x8 digits and 28x28 MNIST."""

from __future__ import annotations

import numpy as np

from . import init as nn_init
from .activations import ReLU
from .conv import Conv2d, MaxPool2d
from .layers import Flatten, Linear, Sequential

__all__ = ["digits_cnn", "mnist_cnn"]


def digits_cnn(rng: np.random.Generator | int | None = None, channels: tuple[int, int] = (16, 32)) -> Sequential:
    """A CNN for (N, 1, 8, 8) digit images giving 10 logits.

    conv 3x3 pad 1 (1 -> c1) -> ReLU -> max-pool 2 (8x8 -> 4x4) ->
    conv 3x3 pad 1 (c1 -> c2) -> ReLU -> flatten (c2*4*4) -> linear (16*c2 -> 10).
    A second pooling (down to 2x2) loses accuracy on images this small.
    ``rng`` (a Generator or an int seed) fixes the initial weights.
    """
    generator = nn_init._generator(rng)
    c1, c2 = channels
    return Sequential(
        Conv2d(1, c1, 3, padding=1, rng=generator),
        ReLU(),
        MaxPool2d(2),
        Conv2d(c1, c2, 3, padding=1, rng=generator),
        ReLU(),
        Flatten(),
        Linear(c2 * 4 * 4, 10, rng=generator),
    )


def mnist_cnn(rng: np.random.Generator | int | None = None, channels: tuple[int, int] = (8, 16)) -> Sequential:
    """A CNN for (N, 1, 28, 28) MNIST images giving 10 logits.

    conv 3x3 pad 1 (1 -> c1) -> ReLU -> max-pool 2 (28 -> 14) ->
    conv 3x3 pad 1 (c1 -> c2) -> ReLU -> max-pool 2 (14 -> 7) -> flatten ->
    linear (49*c2 -> 64) -> ReLU -> linear (64 -> 10).
    """
    generator = nn_init._generator(rng)
    c1, c2 = channels
    return Sequential(
        Conv2d(1, c1, 3, padding=1, rng=generator),
        ReLU(),
        MaxPool2d(2),
        Conv2d(c1, c2, 3, padding=1, rng=generator),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        Linear(c2 * 7 * 7, 64, rng=generator),
        ReLU(),
        Linear(64, 10, rng=generator),
    )
