"""Tests for nn.data: DataLoader, scikit-learn's split, scaler and toy sets, XOR and spirals, digits, MNIST IDX files."""

import gzip
import re
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.data
from autograd import Tensor
from nn.data import (
    DataLoader,
    Dataset,
    StandardScaler,
    TensorDataset,
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
        np.testing.assert_array_equal(batch_x, X[np.asarray(batch_y)])
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
    for bad, error in ((0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match=f"DataLoader: batch_size must be a positive integer, got {bad!r}"):
            DataLoader(np.zeros(5), batch_size=bad)
    with pytest.raises(ValueError, match="sample axis"):
        DataLoader(np.float64(3.0))


# -- scikit-learn's split, scaler and toy sets ----------------------------------------------------

SCIKIT_LEARN_OBJECTS = [
    ("make_moons", "sklearn.datasets"),
    ("make_circles", "sklearn.datasets"),
    ("make_regression", "sklearn.datasets"),
    ("train_test_split", "sklearn.model_selection"),
    ("StandardScaler", "sklearn.preprocessing"),
]


@pytest.mark.parametrize(("name", "module"), SCIKIT_LEARN_OBJECTS)
def test_split_scaler_and_toy_sets_are_scikit_learns_own(name, module):
    sklearn_module = pytest.importorskip(module)
    assert getattr(nn.data, name) is getattr(sklearn_module, name)
    assert name in nn.data.__all__ and name in dir(nn.data)


def test_scikit_learn_habits_give_scikit_learns_results():
    datasets = pytest.importorskip("sklearn.datasets")
    model_selection = pytest.importorskip("sklearn.model_selection")
    for ours, theirs in [
        (make_moons(200, noise=0.2, random_state=42), datasets.make_moons(200, noise=0.2, random_state=42)),
        (make_circles(50, factor=0.5, random_state=1), datasets.make_circles(50, factor=0.5, random_state=1)),
        (make_regression(30, n_features=3, random_state=2), datasets.make_regression(30, n_features=3, random_state=2)),
    ]:
        for our_array, their_array in zip(ours, theirs):
            np.testing.assert_array_equal(our_array, their_array)
    X, y = make_moons(100, random_state=0)
    ours = train_test_split(X, y, test_size=0.2, random_state=3, stratify=y)
    theirs = model_selection.train_test_split(X, y, test_size=0.2, random_state=3, stratify=y)
    for our_array, their_array in zip(ours, theirs):
        np.testing.assert_array_equal(our_array, their_array)
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(scaler.var_, X.var(axis=0), rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, X.std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X, rtol=1e-12, atol=1e-15)


def test_scikit_learn_names_without_scikit_learn_say_how_to_install_it(monkeypatch):
    for module in ("sklearn", "sklearn.datasets", "sklearn.model_selection", "sklearn.preprocessing"):
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=r"nn.data.make_moons is scikit-learn's sklearn.datasets.make_moons.*`train`"):
        nn.data.make_moons(10)
    with pytest.raises(ImportError, match=r"sklearn.preprocessing.StandardScaler.*pip install scikit-learn"):
        from nn.data import StandardScaler  # noqa: F401
    with pytest.raises(AttributeError, match="'nn.data' has no attribute 'Standardizer'"):
        nn.data.Standardizer  # noqa: B018


def test_nn_imports_without_scikit_learn():
    script = (
        "import sys; sys.modules['sklearn'] = None; import nn, nn.data; print(nn.data.make_xor(5, random_state=0)[1])"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "sklearn" not in result.stderr


# -- toy sets scikit-learn lacks: XOR and spirals -------------------------------------------------


@pytest.mark.parametrize("make", [make_xor, make_spirals])
def test_xor_and_spirals_are_seeded_by_random_state_and_shaped(make):
    X, y = make(37, noise=0.1, random_state=4)
    X_again, y_again = make(37, noise=0.1, random_state=np.random.RandomState(4))
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert X.shape == (37, 2) and X.dtype == np.float64
    assert y.shape == (37,) and y.dtype == np.int64
    assert not np.array_equal(X, make(37, noise=0.1, random_state=5)[0])
    assert not np.array_equal(X, make(37, noise=0.1)[0])


def test_xor_labels_are_the_xor_of_coordinate_signs():
    X, y = make_xor(200, random_state=1)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))
    assert 0 < y.mean() < 1


def test_spirals_without_noise_lie_on_their_arms_and_share_samples_between_classes():
    X, y = make_spirals(11, n_classes=3, noise=None, random_state=0)
    np.testing.assert_array_equal(np.bincount(y), [4, 4, 3])
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.all(radius <= 1.0 + 1e-12) and np.isclose(radius.max(), 1.0)


def test_xor_and_spirals_reject_bad_arguments():
    with pytest.raises(ValueError, match="make_xor: n_samples must be a positive integer"):
        make_xor(0)
    with pytest.raises(ValueError, match="make_xor: noise must be >= 0, got -0.1"):
        make_xor(10, noise=-0.1)
    with pytest.raises(TypeError, match="make_xor: noise must be a real number or None"):
        make_xor(10, noise="0.1")
    with pytest.raises(ValueError, match="make_spirals: n_classes"):
        make_spirals(10, n_classes=0)
    with pytest.raises(TypeError, match="make_spirals: random_state must be an int, a numpy RandomState or None"):
        make_spirals(10, random_state=np.random.default_rng(0))


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


@pytest.mark.parametrize("flatten", [True, False])
def test_mnist_split_of_zero_images_loads_as_an_empty_array_of_the_image_width(tmp_path, flatten):
    write_mnist(tmp_path, compress=True, n_train=6, n_test=0, size=5)
    X_train, X_test, y_train, y_test = load_mnist(tmp_path, flatten=flatten)
    assert X_test.shape == ((0, 25) if flatten else (0, 1, 5, 5)) and X_test.dtype == np.float32
    assert y_test.shape == (0,) and y_test.dtype == np.int64
    assert X_train.shape == ((6, 25) if flatten else (6, 1, 5, 5))


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


# -- dataset objects, as torch's map-style datasets ------------------------------------------------------------


class Squares(Dataset):
    """Sample i is (features [i, i^2], label i % 3); __getitem__ never raises IndexError, so only len() bounds it."""

    def __len__(self) -> int:
        return 7

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        return np.array([index, index * index], dtype=np.float32), index % 3


def test_a_dataset_object_is_read_sample_by_sample_and_stacked_field_by_field():
    batches = list(DataLoader(Squares(), batch_size=3))
    assert [len(batch[1]) for batch in batches] == [3, 3, 1]
    features, labels = batches[0]
    assert features.dtype == np.float32 and features.shape == (3, 2)
    np.testing.assert_array_equal(features, [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(labels, [0, 1, 2])
    assert (
        len(DataLoader(Squares(), batch_size=3)) == 3 and len(DataLoader(Squares(), batch_size=3, drop_last=True)) == 2
    )


def test_a_shuffled_dataset_object_visits_every_sample_once_per_epoch_reproducibly():
    first = DataLoader(Squares(), batch_size=2, shuffle=True, seed=5)
    second = DataLoader(Squares(), batch_size=2, shuffle=True, seed=5)
    epochs = [[row for _, labels in loader for row in labels.tolist()] for loader in (first, second)]
    assert epochs[0] == epochs[1]
    seen = sorted(
        int(x[0]) for features, _ in DataLoader(Squares(), batch_size=2, shuffle=True, seed=5) for x in features
    )
    assert seen == list(range(7))


def test_tensor_dataset_batches_equal_the_arrays_batches():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    from_dataset = list(DataLoader(TensorDataset(Tensor(X), y), batch_size=4, shuffle=True, seed=3))
    from_arrays = list(DataLoader(X, y, batch_size=4, shuffle=True, seed=3))
    for (a, b), (c, d) in zip(from_dataset, from_arrays, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    dataset = TensorDataset(X, y)
    assert len(dataset) == 10 and dataset[2][1] == 2
    with pytest.raises(ValueError, match=r"mismatched lengths \[10, 9\]"):
        TensorDataset(X, y[:9])


def test_dataset_samples_that_are_dicts_or_mismatched_are_handled_clearly():
    class Records(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return {"x": np.full(2, float(index)), "y": index}

    (batch,) = list(DataLoader(Records(), batch_size=3))
    np.testing.assert_array_equal(batch["x"], [[0, 0], [1, 1], [2, 2]])
    np.testing.assert_array_equal(batch["y"], [0, 1, 2])

    class Ragged(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return np.zeros(index + 1), index

    with pytest.raises(ValueError, match="different shapes"):
        list(DataLoader(Ragged(), batch_size=2))
    with pytest.raises(TypeError, match="holds its targets"):
        DataLoader(Squares(), np.zeros(7))
    with pytest.raises(NotImplementedError, match="must define __len__"):
        DataLoader(Dataset())


@pytest.mark.parametrize(
    "call",
    [
        lambda tmp: nn.data.load_digits(dtype=np.uint8),
        lambda tmp: nn.data.load_mnist(tmp, dtype=np.int64),
    ],
)
def test_datasets_refuse_an_integer_dtype_that_would_truncate_their_scaled_pixels(call, tmp_path):
    with pytest.raises(TypeError, match="dtype must be a floating-point dtype"):
        call(tmp_path)


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (-1, ValueError, "load_digits: seed must be an integer in [0, 2**32 - 1], got -1"),
        (2**32, ValueError, "load_digits: seed must be an integer in [0, 2**32 - 1], got 4294967296"),
        (1.5, TypeError, "load_digits: seed must be an integer, got 1.5"),
    ],
)
def test_load_digits_refuses_a_seed_naming_its_own_parameter(seed, error, message):
    with pytest.raises(error, match=re.escape(message)):
        nn.data.load_digits(seed=seed)


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_mnist_refuses_a_timeout_that_is_not_positive_before_any_request(timeout, tmp_path):
    with pytest.raises(ValueError, match="timeout must be"):
        nn.data.load_mnist(tmp_path, download=True, timeout=timeout)
    with pytest.raises(ValueError, match="download_mnist: timeout must be"):
        nn.data.download_mnist(tmp_path, timeout=timeout)
    assert list(tmp_path.iterdir()) == []
