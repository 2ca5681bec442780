"""MNIST from the four standard IDX files (raw or ``.gz``), optionally downloaded first.

``load_mnist(directory)`` reads the files from ``directory``; with ``download=True`` it
first fetches the four ``.gz`` files into it from :data:`MNIST_MIRRORS` (the first mirror
that serves a file with its published MD5 wins; see :mod:`nn.data.download`), and a file
already there with the right checksum is never fetched again.

The IDX format: two zero bytes, a type code (0x08 = uint8, 0x09 = int8, 0x0B = int16,
0x0C = int32, 0x0D = float32, 0x0E = float64), the number of dimensions, each dimension
as a big-endian uint32, then the data, big-endian, C order. :func:`read_idx` reads the
header first and then at most the bytes it announces, in chunks, so a file claiming a
huge size costs no more memory than the bytes it really holds.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from autograd.tensor import in_native_byte_order

from ..checks import check_float_dtype, check_real
from .download import fetch_verified

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

#: URL prefixes tried in order by ``download=True`` (torchvision's S3 mirror, then the original site).
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: MD5 of each ``.gz`` file, as torchvision publishes them.
MNIST_MD5: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

#: Seconds to wait for a mirror to connect or to send the next chunk.
DOWNLOAD_TIMEOUT = 30.0

#: Largest body accepted from a mirror (the biggest MNIST file is about 9.9 MB).
MAX_DOWNLOAD_BYTES = 64 * 2**20

#: Bytes of IDX data read at a time.
READ_CHUNK_BYTES = 1 << 20


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzip-compressed when the name ends in ``.gz``) into an array.

    The header is read first, then at most the data bytes it announces plus one (to
    detect trailing data), in chunks of :data:`READ_CHUNK_BYTES`: memory stays bounded by
    what the file really holds, whatever size its header claims. Every damaged input (bad
    magic number or type code, a truncated header or body, trailing data, a ``.gz`` that
    is not gzip or is cut short) raises a ValueError naming the file.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            return _read_idx_stream(stream, path)
    except (gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"read_idx: {path} is not a valid gzip file ({error})") from None
    except EOFError:
        raise ValueError(
            f"read_idx: {path} is truncated: its gzip stream ends before the end-of-stream marker"
        ) from None


def _read_exactly(stream: io.BufferedIOBase, count: int) -> bytearray:
    """Up to ``count`` bytes from ``stream`` (fewer only at end of file), read in bounded chunks."""
    data = bytearray()
    while len(data) < count:
        chunk = stream.read(min(READ_CHUNK_BYTES, count - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def _read_idx_stream(stream: io.BufferedIOBase, path: Path) -> np.ndarray:
    magic = _read_exactly(stream, 4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0:
        raise ValueError(f"read_idx: {path} is not an IDX file (bad magic number {magic.hex() or 'empty'})")
    code, ndim = magic[2], magic[3]
    if code not in IDX_DTYPES:
        raise ValueError(f"read_idx: {path} has unknown IDX type code 0x{code:02X}; known: {sorted(IDX_DTYPES)}")
    dimensions = _read_exactly(stream, 4 * ndim)
    if len(dimensions) < 4 * ndim:
        raise ValueError(f"read_idx: {path} is truncated inside its header ({ndim} dimensions announced)")
    shape = tuple(int(size) for size in np.frombuffer(dimensions, dtype=">u4"))
    dtype = IDX_DTYPES[code]
    expected = dtype.itemsize
    for size in shape:
        expected *= size
    data = _read_exactly(stream, expected)
    if len(data) < expected:
        raise ValueError(
            f"read_idx: {path} is truncated: its header announces shape {shape} of {dtype} ({expected} bytes) "
            f"but the file holds {len(data)} data bytes"
        )
    if stream.read(1):
        raise ValueError(
            f"read_idx: {path} has trailing data after the {expected} data bytes its header announces "
            f"(shape {shape} of {dtype})"
        )
    return in_native_byte_order(np.frombuffer(data, dtype=dtype).reshape(shape))


def _find(directory: Path, name: str, compressed_only: bool) -> Path:
    candidates = [directory / f"{name}.gz"] if compressed_only else [directory / name, directory / f"{name}.gz"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"load_mnist: missing MNIST file {name!r} (or {name}.gz) in directory {str(directory)!r}")


def _read_split(directory: Path, split: str, compressed_only: bool) -> tuple[np.ndarray, np.ndarray]:
    image_name, label_name = MNIST_FILES[split]
    image_path, label_path = (_find(directory, name, compressed_only) for name in (image_name, label_name))
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


def download_mnist(directory: str | os.PathLike, timeout: float = DOWNLOAD_TIMEOUT) -> list[Path]:
    """Fetch the four MNIST ``.gz`` files into ``directory`` (created if needed; ``~`` is the home directory); return
    their paths.

    Each file comes from the first of :data:`MNIST_MIRRORS` that serves it with the MD5 of
    :data:`MNIST_MD5`; files already there with that MD5 are kept without any request.
    Each download is written to a temporary file and renamed into place only once
    verified. If every mirror fails for a file, :class:`nn.data.download.DownloadError`
    (an OSError) says which mirrors failed and why; files verified before it are kept.
    """
    directory = Path(directory).expanduser()
    timeout = check_real("download_mnist", "timeout", timeout, 0, low_open=True)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"download_mnist: {str(directory)!r} is not a directory")
    return [
        fetch_verified(f"{name}.gz", MNIST_MIRRORS, MNIST_MD5[f"{name}.gz"], directory, timeout, MAX_DOWNLOAD_BYTES)
        for names in MNIST_FILES.values()
        for name in names
    ]


#: The four files' names, uncompressed.
_FILE_NAMES = tuple(name for names in MNIST_FILES.values() for name in names)


def load_mnist(
    directory: str | os.PathLike,
    flatten: bool = True,
    dtype: Any = np.float32,
    *,
    download: bool = False,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load MNIST from ``directory`` as ``X_train, X_test, y_train, y_test``.

    Pixels are scaled to [0, 1] (x / 255); ``flatten=True`` gives rows of rows*cols
    features, ``flatten=False`` images (N, 1, rows, cols). Labels are int64.
    FileNotFoundError names the missing file and the directory; a leading ``~`` in ``directory`` is the home
    directory (as torchvision's ``root``). With ``download=True``
    the four verified ``.gz`` files are fetched first when missing (see
    :func:`download_mnist`) and read, unless the four uncompressed files are all there already (as
    torchvision, which downloads only what it does not find): then those are read and nothing is fetched.
    """
    directory, dtype = Path(directory).expanduser(), check_float_dtype("load_mnist", "dtype", dtype)
    timeout = check_real("load_mnist", "timeout", timeout, 0, low_open=True)
    uncompressed = directory.is_dir() and all((directory / name).is_file() for name in _FILE_NAMES)
    fetch = download and not uncompressed
    if fetch:
        download_mnist(directory, timeout)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(
            f"load_mnist: {str(directory)!r} is not a directory; give the directory holding the four MNIST files"
        )
    if not directory.is_dir():
        raise FileNotFoundError(f"load_mnist: directory {str(directory)!r} does not exist")
    (train_images, y_train), (test_images, y_test) = (
        _read_split(directory, split, compressed_only=fetch) for split in ("train", "test")
    )
    if train_images.shape[1:] != test_images.shape[1:]:
        raise ValueError(
            f"load_mnist: train images are {train_images.shape[1:]} but test images {test_images.shape[1:]}"
        )

    def features(images: np.ndarray) -> np.ndarray:
        scaled = images.astype(dtype) / dtype.type(255) if dtype.kind == "f" else images.astype(dtype)
        rows, cols = images.shape[1:]  # (an explicit width: -1 cannot be inferred for a split of 0 images)
        return scaled.reshape(len(images), rows * cols) if flatten else scaled[:, None, :, :]

    return features(train_images), features(test_images), y_train.astype(np.int64), y_test.astype(np.int64)
