"""nn.data: mini-batches, toy data sets, digits and MNIST; scikit-learn's split and scaler.

``DataLoader``, ``Dataset``, ``TensorDataset``, ``IterableDataset``, ``ChainDataset``, ``Subset``,
``ConcatDataset``, ``StackDataset``, ``random_split``, ``get_worker_info``, ``default_collate``,
``default_convert`` and the samplers
(``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``, ``WeightedRandomSampler``,
``BatchSampler``, ``DistributedSampler``) follow ``torch.utils.data``: datasets may hold numpy arrays, batches are Tensors (as
torch's), and numpy Generators or int seeds stand for torch's generators.

``make_moons``, ``make_circles``, ``make_regression``, ``train_test_split`` and
``StandardScaler`` are scikit-learn's own objects, imported on first use (see
:mod:`nn.data.scikit_learn`); ``make_xor`` and ``make_spirals`` (which scikit-learn lacks)
follow its conventions. The 8x8 digits come with scikit-learn; MNIST is read from IDX files
in a directory you give, which ``load_mnist(directory, download=True)`` (or
``download_mnist``) first fills from a list of mirrors, each file verified by its MD5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .collate import default_collate
from .convert import default_convert
from .dataset import Dataset, TensorDataset
from .datasets import make_spirals, make_xor
from .digits import load_digits
from .download import DownloadError
from .iterable import ChainDataset, IterableDataset, get_worker_info
from .loader import DataLoader
from .mnist import download_mnist, load_mnist, read_idx
from .samplers import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .scikit_learn import SCIKIT_LEARN_NAMES, from_scikit_learn
from .subsets import ConcatDataset, StackDataset, Subset, random_split

if TYPE_CHECKING:
    from sklearn.datasets import make_circles, make_moons, make_regression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "DownloadError",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "StandardScaler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "download_mnist",
    "get_worker_info",
    "load_digits",
    "load_mnist",
    "make_circles",
    "make_moons",
    "make_regression",
    "make_spirals",
    "make_xor",
    "random_split",
    "read_idx",
    "train_test_split",
]


def __getattr__(name: str) -> Any:
    if name in SCIKIT_LEARN_NAMES:
        return from_scikit_learn(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
