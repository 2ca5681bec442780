"""nn.data: mini-batches, splitting, standardisation, toy data sets, digits and MNIST.

Nothing downloads at run time: toy sets are generated from a seed, the 8x8 digits
come with scikit-learn, and MNIST is read from IDX files in a directory you give.
"""

from .datasets import make_circles, make_moons, make_regression, make_spirals, make_xor
from .digits import load_digits
from .loader import DataLoader
from .mnist import load_mnist, read_idx
from .preprocessing import Standardizer, train_test_split

__all__ = [
    "DataLoader",
    "Standardizer",
    "load_digits",
    "load_mnist",
    "make_circles",
    "make_moons",
    "make_regression",
    "make_spirals",
    "make_xor",
    "read_idx",
    "train_test_split",
]
