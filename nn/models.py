"""Ready-made models: LeNet-style CNNs for 8x8 digits and 28x28 MNIST, and AlexNet for 3x227x227 images."""

from __future__ import annotations

import numpy as np

from autograd import Tensor

from .activations import ReLU
from .checks import make_generator
from .conv import Conv2d, MaxPool2d
from .layers import Dropout, Flatten, Linear, Sequential
from .module import Module
from .normalization import LocalResponseNorm

__all__ = ["AlexNet", "alexnet", "digits_cnn", "mnist_cnn"]


def digits_cnn(rng: np.random.Generator | int | None = None, channels: tuple[int, int] = (16, 32)) -> Sequential:
    """A CNN for (N, 1, 8, 8) digit images giving 10 logits.

    conv 3x3 pad 1 (1 -> c1) -> ReLU -> max-pool 2 (8x8 -> 4x4) ->
    conv 3x3 pad 1 (c1 -> c2) -> ReLU -> flatten (c2*4*4) -> linear (16*c2 -> 10).
    A second pooling (down to 2x2) loses accuracy on images this small.
    ``rng`` (a Generator or an int seed) fixes the initial weights.
    """
    generator = make_generator("digits_cnn", "rng", rng)
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
    generator = make_generator("mnist_cnn", "rng", rng)
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


class AlexNet(Module):
    """AlexNet (Krizhevsky, Sutskever & Hinton, 2012) for (N, 3, 227, 227) images: ``features``,
    ``flatten``, ``classifier``.

    ======================================  ==============  ===========
    layer                                   output          parameters
    ======================================  ==============  ===========
    conv 96 @ 11x11 stride 4, ReLU, LRN     96 x 55 x 55    34,944
    max-pool 3 stride 2                     96 x 27 x 27
    conv 256 @ 5x5 pad 2, ReLU, LRN         256 x 27 x 27   614,656 / G
    max-pool 3 stride 2                     256 x 13 x 13
    conv 384 @ 3x3 pad 1, ReLU              384 x 13 x 13   885,120
    conv 384 @ 3x3 pad 1, ReLU              384 x 13 x 13   1,327,488 / G
    conv 256 @ 3x3 pad 1, ReLU              256 x 13 x 13   884,992 / G
    max-pool 3 stride 2                     256 x 6 x 6
    fc 4096, ReLU, dropout 0.5              4096            37,752,832
    fc 4096, ReLU, dropout 0.5              4096            16,781,312
    fc num_classes                          num_classes     4,097,000 (1000 classes)
    ======================================  ==============  ===========

    (the "/ G" rows: their weights, not biases, shrink by the ``groups`` factor). Local
    response normalisation uses the paper's size 5, alpha 1e-4, beta 0.75, k 2. With
    ``groups=1`` (the single-tower network) there are 62,378,344 parameters; ``groups=2``
    splits conv 2, 4 and 5 as the paper's two GPUs did (60,965,224 parameters).
    """

    def __init__(self, num_classes: int = 1000, groups: int = 1, rng: np.random.Generator | int | None = None) -> None:
        generator = make_generator("AlexNet", "rng", rng)
        self.features = Sequential(
            Conv2d(3, 96, 11, stride=4, rng=generator),
            ReLU(),
            LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            MaxPool2d(3, stride=2),
            Conv2d(96, 256, 5, padding=2, groups=groups, rng=generator),
            ReLU(),
            LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            MaxPool2d(3, stride=2),
            Conv2d(256, 384, 3, padding=1, rng=generator),
            ReLU(),
            Conv2d(384, 384, 3, padding=1, groups=groups, rng=generator),
            ReLU(),
            Conv2d(384, 256, 3, padding=1, groups=groups, rng=generator),
            ReLU(),
            MaxPool2d(3, stride=2),
        )
        self.flatten = Flatten()
        self.classifier = Sequential(
            Linear(256 * 6 * 6, 4096, rng=generator),
            ReLU(),
            Dropout(0.5, rng=generator),
            Linear(4096, 4096, rng=generator),
            ReLU(),
            Dropout(0.5, rng=generator),
            Linear(4096, num_classes, rng=generator),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.flatten(self.features(x)))


def alexnet(num_classes: int = 1000, groups: int = 1, rng: np.random.Generator | int | None = None) -> AlexNet:
    """AlexNet for (N, 3, 227, 227) images giving ``num_classes`` logits (see :class:`AlexNet`).

    ``groups=1`` is the single-tower network (62,378,344 parameters with 1000 classes);
    ``groups=2`` splits conv 2, 4 and 5 into two towers as in the paper. ``rng`` (a
    Generator or an int seed) fixes the initial weights and the dropout masks.
    """
    return AlexNet(num_classes, groups, rng)
