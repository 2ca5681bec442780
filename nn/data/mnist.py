"""MNIST from the four standard IDX files in a directory the user gives (raw or ``.gz``).

Nothing is downloaded. The IDX format: two zero bytes, a type code (0x08 = uint8,
0x09 = int8, 0x0B = int16, 0x0C = int32, 0x0D = float32, 0x0E = float64), the number
of dimensions, each dimension as a big-endian uint32, then the data, big-endian, C order.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import numpy as np

#: IDX type code -> big-endian numpy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

#: The four files of MNIST, by split: (images, labels).
MNIST_FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzip-compressed when the name ends in ``.gz``) into an array.

    Raises ValueError naming the file when the magic number, the type code or the
    data length does not match the header.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        raw = stream.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"read_idx: {path} is not an IDX file (bad magic number {raw[:4].hex() or 'empty'})")
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        raise ValueError(f"read_idx: {path} has unknown IDX type code 0x{code:02X}; known: {sorted(IDX_DTYPES)}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path} is truncated inside its header ({ndim} dimensions announced)")
    shape = tuple(int(size) for size in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"read_idx: {path} header announces shape {shape} of {dtype} ({expected} bytes) "
            f"but the file holds {len(raw) - header} data bytes"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(directory: Path, name: str) -> Path:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"load_mnist: missing MNIST file {name!r} (or {name}.gz) in directory {str(directory)!r}")


def _read_split(directory: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    image_name, label_name = MNIST_FILES[split]
    image_path, label_path = _find(directory, image_name), _find(directory, label_name)
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"load_mnist: {image_path} must hold uint8 images (N, rows, cols), got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"load_mnist: {label_path} must hold uint8 labels (N,), got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"load_mnist: {image_path} holds {len(images)} images but {label_path} {len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise ValueError(f"load_mnist: {label_path} holds label {labels.max()}; MNIST labels are 0..9")
    return images, labels


def load_mnist(
    directory: str | os.PathLike, flatten: bool = True, dtype: Any = np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load MNIST from ``directory`` as ``X_train, X_test, y_train, y_test``.

    Pixels are scaled to [0, 1] (x / 255); ``flatten=True`` gives rows of rows*cols
    features, ``flatten=False`` images (N, 1, rows, cols). Labels are int64.
    FileNotFoundError names the missing file and the directory.
    """
    directory, dtype = Path(directory), np.dtype(dtype)
    if not directory.is_dir():
        raise FileNotFoundError(f"load_mnist: directory {str(directory)!r} does not exist")
    (train_images, y_train), (test_images, y_test) = (_read_split(directory, split) for split in ("train", "test"))
    if train_images.shape[1:] != test_images.shape[1:]:
        raise ValueError(
            f"load_mnist: train images are {train_images.shape[1:]} but test images {test_images.shape[1:]}"
        )

    def features(images: np.ndarray) -> np.ndarray:
        scaled = images.astype(dtype) / dtype.type(255) if dtype.kind == "f" else images.astype(dtype)
        return scaled.reshape(len(images), -1) if flatten else scaled[:, None, :, :]

    return features(train_images), features(test_images), y_train.astype(np.int64), y_test.astype(np.int64)
