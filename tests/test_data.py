"""Tests for nn.data: DataLoader, train_test_split, Standardizer, toy sets, digits and MNIST IDX files."""

import gzip
import math
import struct
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.data import (
    DataLoader,
    Standardizer,
    load_digits,
    load_mnist,
    make_circles,
    make_moons,
    make_regression,
    make_spirals,
    make_xor,
    read_idx,
    train_test_split,
)

# -- DataLoader ---------------------------------------------------------------------------


@given(
    n=st.integers(1, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_loader_yields_each_row_once_per_epoch_in_len_batches(n, batch_size, shuffle, drop_last, seed):
    X = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    batches = list(loader)
    assert len(batches) == len(loader)
    rows = np.concatenate([batch_y for _, batch_y in batches]) if batches else np.empty(0, int)
    for batch_x, batch_y in batches:
        assert len(batch_x) == batch_size or (not drop_last and batch_x is batches[-1][0])
        np.testing.assert_array_equal(batch_x, X[batch_y])
    expected_count = n // batch_size * batch_size if drop_last else n
    assert len(rows) == expected_count
    assert len(set(rows.tolist())) == expected_count
    if not shuffle:
        np.testing.assert_array_equal(rows, np.arange(expected_count))


def test_loader_with_same_seed_repeats_the_sequence_of_epochs():
    X = np.arange(50)
    first = DataLoader(X, batch_size=50, shuffle=True, seed=7)
    second = DataLoader(X, batch_size=50, shuffle=True, seed=7)
    epochs_first = [next(iter(first)) for _ in range(3)]
    epochs_second = [next(iter(second)) for _ in range(3)]
    for a, b in zip(epochs_first, epochs_second):
        np.testing.assert_array_equal(a, b)


def test_loader_reshuffles_every_epoch():
    loader = DataLoader(np.arange(50), batch_size=50, shuffle=True, seed=3)
    epoch_one, epoch_two = next(iter(loader)), next(iter(loader))
    assert not np.array_equal(epoch_one, epoch_two)
    assert sorted(epoch_one) == sorted(epoch_two) == list(range(50))


def test_loader_accepts_a_dataset_tuple_and_a_single_array():
    X, y, w = np.arange(6), np.arange(6) * 10, np.arange(6) * 100
    x_batch, y_batch, w_batch = next(iter(DataLoader((X, y, w), batch_size=4)))
    np.testing.assert_array_equal(y_batch, x_batch * 10)
    np.testing.assert_array_equal(w_batch, x_batch * 100)
    only = next(iter(DataLoader(X, batch_size=4)))
    np.testing.assert_array_equal(only, X[:4])


def test_loader_rejects_mismatched_lengths_and_bad_batch_size():
    with pytest.raises(ValueError, match=r"mismatched lengths \[5, 4\]"):
        DataLoader(np.zeros(5), np.zeros(4))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(np.zeros(5), batch_size=bad)
    with pytest.raises(ValueError, match="sample axis"):
        DataLoader(np.float64(3.0))


# -- train_test_split ------------------------------------------------------------------------


@given(n=st.integers(2, 60), fraction=st.floats(0.05, 0.95), seed=st.integers(0, 1000))
def test_split_partitions_rows_with_test_size_rounded_up(n, fraction, seed):
    n_test = math.ceil(fraction * n)
    if not 0 < n_test < n:
        with pytest.raises(ValueError, match="both sets must be non-empty"):
            train_test_split(np.arange(n), np.arange(n), test_size=fraction, seed=seed)
        return
    X_train, X_test, y_train, y_test = train_test_split(np.arange(n), np.arange(n) * 2, test_size=fraction, seed=seed)
    assert len(X_test) == n_test and len(X_train) == n - n_test
    assert sorted(np.concatenate([X_train, X_test]).tolist()) == list(range(n))
    np.testing.assert_array_equal(y_train, X_train * 2)
    np.testing.assert_array_equal(y_test, X_test * 2)


def test_split_is_reproducible_from_the_seed():
    first = train_test_split(np.arange(100), test_size=0.3, seed=5)
    second = train_test_split(np.arange(100), test_size=0.3, seed=5)
    other = train_test_split(np.arange(100), test_size=0.3, seed=6)
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], other[1])


def test_stratified_split_keeps_each_class_share():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    _, _, y_train, y_test = train_test_split(np.arange(100), y, test_size=0.25, seed=0, stratify=y)
    assert len(y_test) == 25
    for label, count in zip([0, 1, 2], [50, 30, 20]):
        assert abs(np.sum(y_test == label) - count * 0.25) <= 1
        assert np.sum(y_test == label) + np.sum(y_train == label) == count


def test_split_rejects_bad_arguments():
    with pytest.raises(ValueError, match="X has 5 rows but y has 4"):
        train_test_split(np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match=r"test_size must lie in \(0, 1\)"):
        train_test_split(np.zeros(5), test_size=1.5)
    with pytest.raises(TypeError, match="test_size"):
        train_test_split(np.zeros(5), test_size="half")
    with pytest.raises(ValueError, match="stratify"):
        train_test_split(np.zeros(5), stratify=np.zeros(4))


# -- Standardizer --------------------------------------------------------------------------------


def test_standardizer_uses_training_statistics_and_maps_constant_columns_to_zero():
    rng = np.random.default_rng(0)
    train = np.column_stack([rng.normal(5, 2, 200), np.full(200, 3.0)])
    test = np.column_stack([rng.normal(5, 2, 50), np.full(50, 4.0)])
    scaler = Standardizer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z_train = scaler.fit_transform(train)
        z_test = scaler.transform(test)
    np.testing.assert_allclose(z_train[:, 0].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(z_train[:, 0].std(), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(z_train[:, 1], 0.0)
    expected = (test[:, 0] - train[:, 0].mean()) / train[:, 0].std()
    np.testing.assert_allclose(z_test[:, 0], expected, rtol=1e-12)
    np.testing.assert_array_equal(z_test[:, 1], 1.0)  # (4 - 3) / 1: constant columns keep std 1
    np.testing.assert_allclose(scaler.inverse_transform(z_test), test, rtol=1e-12)


def test_standardizer_keeps_float32_and_checks_its_state():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    scaler = Standardizer()
    with pytest.raises(RuntimeError, match="call fit"):
        scaler.transform(X)
    assert scaler.fit_transform(X).dtype == np.float32
    with pytest.raises(ValueError, match=r"fitted on features of shape \(3,\), got samples of shape \(2,\)"):
        scaler.transform(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="no samples"):
        Standardizer().fit(np.zeros((0, 3)))


# -- toy sets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [make_moons, make_circles, make_xor, make_spirals])
def test_toy_classification_sets_are_seeded_and_shaped(make):
    X, y = make(37, noise=0.1, seed=4)
    X_again, y_again = make(37, noise=0.1, seed=4)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert X.shape == (37, 2) and X.dtype == np.float64
    assert y.shape == (37,) and y.dtype == np.int64
    assert not np.array_equal(X, make(37, noise=0.1, seed=5)[0])


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(101, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    assert len(outer) == 50 and len(inner) == 51
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)
    assert np.all(outer[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert np.all(inner[:, 1] <= 0.5 + 1e-12)


def test_circles_without_noise_have_radii_one_and_factor():
    X, y = make_circles(40, factor=0.3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_xor_labels_are_the_xor_of_coordinate_signs():
    X, y = make_xor(200, seed=1)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))
    assert 0 < y.mean() < 1


def test_spirals_share_samples_between_classes():
    _, y = make_spirals(11, n_classes=3, seed=0)
    np.testing.assert_array_equal(np.bincount(y), [4, 4, 3])


def test_regression_without_noise_is_exactly_linear():
    X, y, w = make_regression(30, n_features=3, seed=2, bias=1.5, coef=True)
    np.testing.assert_allclose(y, X @ w + 1.5, rtol=1e-12)
    X_noisy, y_noisy = make_regression(30, n_features=3, noise=0.5, seed=2, bias=1.5)
    np.testing.assert_array_equal(X_noisy, X)
    assert 0.1 < np.std(y_noisy - (X @ w + 1.5)) < 1.0


def test_toy_sets_reject_bad_arguments():
    with pytest.raises(ValueError, match="make_moons: n_samples must be an integer >= 2"):
        make_moons(1)
    with pytest.raises(ValueError, match="make_xor: noise must be a finite number >= 0"):
        make_xor(10, noise=-0.1)
    with pytest.raises(ValueError, match=r"make_circles: factor must lie in \(0, 1\)"):
        make_circles(10, factor=1.0)
    with pytest.raises(ValueError, match="make_spirals: n_classes"):
        make_spirals(10, n_classes=0)


# -- digits ------------------------------------------------------------------------------------------


def test_digits_are_split_stratified_and_standardised_on_train():
    pytest.importorskip("sklearn")
    X_train, X_test, y_train, y_test = load_digits(test_size=0.2, seed=0)
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert np.all(np.abs(X_train.mean(axis=0)) < 1e-5)
    assert np.all(np.bincount(y_test) >= 35)
    images, _, _, _ = load_digits(seed=0, standardize=False, flatten=False)
    assert images.shape == (1437, 1, 8, 8)
    assert images.min() == 0.0 and images.max() == 1.0


def test_digits_without_sklearn_name_the_train_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"scikit-learn.*`train` extra"):
        load_digits()


# -- MNIST IDX files ----------------------------------------------------------------------------------

IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int16): 0x0B, np.dtype(np.float32): 0x0D}


def write_idx(path, array, compress=False):
    """Write ``array`` in the IDX format (big-endian), independently of the reader under test."""
    array = np.asarray(array)
    header = struct.pack(">BBBB", 0, 0, IDX_CODES[array.dtype], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as stream:
        stream.write(payload)


def write_mnist(directory, compress, n_train=6, n_test=4, size=5, seed=0):
    rng = np.random.default_rng(seed)
    data = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, size, size), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, size, size), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, array in data.items():
        write_idx(directory / (name + (".gz" if compress else "")), array, compress)
    return data


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_reads_the_four_idx_files(tmp_path, compress):
    data = write_mnist(tmp_path, compress)
    X_train, X_test, y_train, y_test = load_mnist(tmp_path)
    np.testing.assert_allclose(X_train, data["train-images-idx3-ubyte"].reshape(6, 25) / 255.0, rtol=1e-6)
    np.testing.assert_allclose(X_test, data["t10k-images-idx3-ubyte"].reshape(4, 25) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_train, data["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(y_test, data["t10k-labels-idx1-ubyte"])
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    images, _, _, _ = load_mnist(tmp_path, flatten=False)
    assert images.shape == (6, 1, 5, 5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_read_idx_round_trips_other_types(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if dtype != np.uint8 else np.arange(24, dtype=np.uint8)
    write_idx(tmp_path / "x.idx", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "x.idx"), array)


def test_mnist_missing_file_error_names_file_and_directory(tmp_path):
    write_mnist(tmp_path, compress=False)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte") as error:
        load_mnist(tmp_path)
    assert str(tmp_path) in str(error.value)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_mnist(tmp_path / "nowhere")


def test_idx_with_bad_magic_or_length_is_rejected(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x08\x01" + struct.pack(">I", 2) + b"\x00\x00")
    with pytest.raises(ValueError, match="bad magic number 01020801"):
        read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(b"\x00\x00\x08\x01" + struct.pack(">I", 3) + b"\x00\x00")
    with pytest.raises(ValueError, match=r"announces shape \(3,\).*holds 2 data bytes"):
        read_idx(tmp_path / "short")
    (tmp_path / "code").write_bytes(b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ValueError, match="unknown IDX type code 0x07"):
        read_idx(tmp_path / "code")


def test_mnist_rejects_mismatched_counts_and_wrong_dimensions(tmp_path):
    write_mnist(tmp_path, compress=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(5, dtype=np.uint8))
    with pytest.raises(ValueError, match="holds 6 images but .* 5 labels"):
        load_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros((6, 1), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"must hold uint8 labels \(N,\)"):
        load_mnist(tmp_path)
