"""Tests for MNIST: download from mirrors served by a local HTTP server on 127.0.0.1 (success, bad checksum,
truncated body, dead mirrors falling back, no re-download, nothing left behind, the CLI flag), and the IDX
reader under damaged and hostile input with bounded memory. No test touches the internet."""

import gzip
import hashlib
import http.server
import socket
import struct
import threading
import time
import tracemalloc
from collections import Counter

import numpy as np
import pytest

from nn.data import mnist
from nn.data.download import DownloadError
from nn.data.mnist import load_mnist, read_idx

NAMES = [name for pair in mnist.MNIST_FILES.values() for name in pair]


def idx_bytes(array):
    """An IDX file's bytes for a uint8 array."""
    return b"\x00\x00\x08" + bytes([array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def small_mnist(seed=0):
    """Four tiny MNIST files: name -> array, and name.gz -> gzip bytes."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (6, 4, 4), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 6, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (3, 4, 4), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 3, dtype=np.uint8),
    }
    files = {f"{name}.gz": gzip.compress(idx_bytes(array), mtime=0) for name, array in arrays.items()}
    return arrays, files


class Mirrors:
    """A local HTTP server with named mirrors; each mirror serves the files in one mode.

    Modes: "ok", "missing" (404), "corrupt" (other bytes), "truncated" (Content-Length of the
    whole file, half the body, then the connection closes), "slow" (sleeps before answering).
    """

    def __init__(self, files):
        self.files = files
        self.modes = {}
        self.requests = Counter()
        mirrors = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                _, mirror, name = self.path.split("/", 2)
                mirrors.requests[mirror, name] += 1
                mode = mirrors.modes.get(mirror, "ok")
                body = mirrors.files.get(name)
                if mode == "missing" or body is None:
                    self.send_error(404, "Not Found")
                    return
                if mode == "slow":
                    time.sleep(1.0)
                if mode == "corrupt":
                    body = body[:-8] + b"tampered"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if mode == "truncated" else body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, mirror):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{mirror}/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(monkeypatch):
    """A local server for four tiny MNIST files, with nn.data.mnist's mirrors and checksums pointed at it."""
    arrays, files = small_mnist()
    mirrors = Mirrors(files)
    monkeypatch.setattr(mnist, "MNIST_MD5", {name: hashlib.md5(body).hexdigest() for name, body in files.items()})
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (mirrors.url("a"), mirrors.url("b")))
    yield arrays, mirrors
    mirrors.close()


def _leftovers(directory):
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".part") or path.name.startswith("."))


def test_download_fetches_verifies_and_loads_the_four_files(served, tmp_path):
    arrays, mirrors = served
    directory = tmp_path / "cache" / "mnist"
    X_train, X_test, y_train, y_test = load_mnist(directory, download=True)
    np.testing.assert_allclose(X_train, arrays["train-images-idx3-ubyte"].reshape(6, 16) / 255.0, rtol=1e-6)
    np.testing.assert_allclose(X_test, arrays["t10k-images-idx3-ubyte"].reshape(3, 16) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
    assert sorted(path.name for path in directory.iterdir()) == sorted(f"{name}.gz" for name in NAMES)
    assert all(mirrors.requests["a", f"{name}.gz"] == 1 for name in NAMES)
    assert sum(mirrors.requests.values()) == 4


def test_a_verified_file_is_never_downloaded_again(served, tmp_path):
    _, mirrors = served
    load_mnist(tmp_path, download=True)
    stamps = {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()}
    mirrors.modes.update(a="missing", b="missing")  # any request would now fail
    load_mnist(tmp_path, download=True)
    assert sum(mirrors.requests.values()) == 4
    assert {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()} == stamps


@pytest.mark.parametrize("first_mode", ["missing", "truncated", "corrupt", "unreachable"])
def test_a_failing_mirror_falls_back_to_the_next(served, tmp_path, monkeypatch, first_mode):
    arrays, mirrors = served
    if first_mode == "unreachable":
        monkeypatch.setattr(mnist, "MNIST_MIRRORS", (f"http://127.0.0.1:{_unused_port()}/a/", mirrors.url("b")))
    mirrors.modes["a"] = first_mode
    _, _, y_train, _ = load_mnist(tmp_path, download=True)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    assert all(mirrors.requests["b", f"{name}.gz"] == 1 for name in NAMES)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("mode_a", "mode_b", "reasons"),
    [
        ("corrupt", "corrupt", ["bad checksum", "bad checksum"]),
        ("truncated", "truncated", ["truncated body", "truncated body"]),
        ("missing", "corrupt", ["HTTP error 404", "bad checksum"]),
    ],
)
def test_a_failed_download_says_which_mirrors_failed_and_why_and_leaves_nothing(
    served, tmp_path, mode_a, mode_b, reasons
):
    _, mirrors = served
    mirrors.modes.update(a=mode_a, b=mode_b)
    with pytest.raises(DownloadError) as failure:
        load_mnist(tmp_path, download=True)
    message = str(failure.value)
    assert "train-images-idx3-ubyte.gz" in message and str(tmp_path) in message
    assert f"{mirrors.url('a')}train-images-idx3-ubyte.gz: {reasons[0]}" in message
    assert f"{mirrors.url('b')}train-images-idx3-ubyte.gz: {reasons[1]}" in message
    assert list(tmp_path.iterdir()) == []


def test_a_dead_mirror_error_names_the_connection_failure(served, tmp_path, monkeypatch):
    url = f"http://127.0.0.1:{_unused_port()}/gone/"
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (url,))
    with pytest.raises(DownloadError, match=rf"{url}train-images-idx3-ubyte.gz: cannot connect \(.*refused"):
        mnist.download_mnist(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_uncompressed_files_already_there_are_read_without_a_download(tmp_path, monkeypatch):
    arrays, _ = small_mnist(seed=3)
    for name, array in arrays.items():
        (tmp_path / name).write_bytes(idx_bytes(array))
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (f"http://127.0.0.1:{_unused_port()}/gone/",))  # any fetch fails
    X_train, X_test, y_train, y_test = load_mnist(tmp_path, download=True)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_allclose(X_test * 255, arrays["t10k-images-idx3-ubyte"].reshape(3, -1), atol=1e-4)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()  # one missing: the download runs (and fails here)
    with pytest.raises(DownloadError):
        load_mnist(tmp_path, download=True)


def test_a_slow_mirror_times_out_and_the_next_one_serves(served, tmp_path):
    arrays, mirrors = served
    mirrors.modes["a"] = "slow"
    _, _, _, y_test = load_mnist(tmp_path, download=True, timeout=0.2)
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
    mirrors.modes["b"] = "slow"
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DownloadError, match="timed out after 0.2 s"):
        load_mnist(tmp_path, download=True, timeout=0.2)
    assert _leftovers(tmp_path) == []


def test_an_oversized_body_is_refused(served, tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "MAX_DOWNLOAD_BYTES", 16)
    with pytest.raises(DownloadError, match="body larger than the 16-byte limit"):
        mnist.download_mnist(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_file_with_a_wrong_checksum_is_replaced_by_a_verified_download(served, tmp_path):
    arrays, mirrors = served
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(6, dtype=np.uint8))))
    _, _, y_train, _ = load_mnist(tmp_path, download=True)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    assert mirrors.requests["a", "train-labels-idx1-ubyte.gz"] == 1


def test_a_failed_replacement_keeps_the_existing_file_byte_identical(served, tmp_path):
    _, mirrors = served
    stale = gzip.compress(idx_bytes(np.zeros(6, dtype=np.uint8)))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(stale)
    mirrors.modes.update(a="truncated", b="corrupt")
    with pytest.raises(DownloadError):
        mnist.download_mnist(tmp_path)
    assert (tmp_path / "train-labels-idx1-ubyte.gz").read_bytes() == stale
    assert _leftovers(tmp_path) == []


def test_download_into_a_file_path_is_an_error(served, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        mnist.download_mnist(tmp_path / "file")


def test_the_main_job_downloads_with_the_flag(served, tmp_path, capsys, monkeypatch):
    from nn.__main__ import main

    rng = np.random.default_rng(1)  # the job's stratified split needs enough samples per class
    big = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (200, 4, 4), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.arange(200, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 4, 4), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.arange(10, dtype=np.uint8),
    }
    _, mirrors = served
    mirrors.files.update({f"{name}.gz": gzip.compress(idx_bytes(array)) for name, array in big.items()})
    monkeypatch.setattr(
        mnist, "MNIST_MD5", {name: hashlib.md5(body).hexdigest() for name, body in mirrors.files.items()}
    )
    data_dir = tmp_path / "mnist"
    argv = ["--dataset", "mnist", "--data-dir", str(data_dir), "--download", "--epochs", "1", "--hidden", "8"]
    assert main([*argv, "--no-progress", "--out", str(tmp_path / "runs")]) == 0
    assert "test accuracy" in capsys.readouterr().out
    assert sorted(path.name for path in data_dir.iterdir()) == sorted(f"{name}.gz" for name in NAMES)
    mirrors.modes.update(a="corrupt", b="corrupt")
    (data_dir / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--no-progress", "--out", str(tmp_path / "runs")])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "t10k-labels-idx1-ubyte.gz" in error and "bad checksum" in error and "Traceback" not in error


# -- the IDX reader under damaged and hostile input ------------------------------------------
def _write(path, payload, compress):
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


def _header(shape, code=0x08):
    return b"\x00\x00" + bytes([code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "bad magic number empty"),
        (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "bad magic number 01000801"),
        (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x03" + struct.pack(">I", 1), r"truncated inside its header \(3 dimensions announced\)"),
        (_header((4, 3)) + bytes(11), r"is truncated: its header announces shape \(4, 3\).*holds 11 data bytes"),
        (_header((2,), 0x0C) + bytes(7), r"shape \(2,\) of >i4 \(8 bytes\) but the file holds 7"),
        (_header((4,)) + bytes(5), r"has trailing data after the 4 data bytes"),
    ],
)
def test_damaged_idx_files_raise_a_value_error_naming_the_file(tmp_path, payload, message, compress):
    path = _write(tmp_path / ("damaged.gz" if compress else "damaged"), payload, compress)
    with pytest.raises(ValueError, match=message) as error:
        read_idx(path)
    assert str(path) in str(error.value)


def test_a_gz_file_that_is_not_gzip_raises_a_value_error_naming_it(tmp_path):
    path = _write(tmp_path / "plain.gz", _header((2,)) + bytes(2), compress=False)
    with pytest.raises(ValueError, match=rf"read_idx: {path} is not a valid gzip file"):
        read_idx(path)


def test_a_cut_gzip_stream_raises_a_value_error_naming_the_file(tmp_path):
    whole = gzip.compress(_header((500,)) + bytes(range(250)) * 2)
    path = tmp_path / "cut.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match=rf"read_idx: {path} is truncated"):
        read_idx(path)


def test_a_gzip_stream_with_corrupt_data_raises_a_value_error(tmp_path):
    whole = bytearray(gzip.compress(_header((64,)) + bytes(range(64))))
    whole[12:20] = b"\xff" * 8  # inside the deflate data
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(whole))
    with pytest.raises(ValueError, match=rf"read_idx: {path}"):
        read_idx(path)


@pytest.mark.parametrize("compress", [False, True])
def test_a_header_claiming_a_huge_size_costs_no_more_memory_than_the_file_holds(tmp_path, compress):
    claim = (2**32 - 1, 2**32 - 1, 255)  # about 4.7e21 bytes announced
    path = _write(tmp_path / ("huge.gz" if compress else "huge"), _header(claim) + bytes(2**20), compress)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"is truncated: its header announces shape \(4294967295"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


@pytest.mark.parametrize("compress", [False, True])
def test_a_gzip_bomb_with_a_small_header_reads_only_the_announced_bytes(tmp_path, compress):
    path = _write(tmp_path / ("bomb.gz" if compress else "bomb"), _header((16,)) + bytes(64 * 2**20), compress)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="trailing data after the 16 data bytes"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20


def test_read_idx_reads_a_large_file_in_chunks_with_memory_close_to_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "READ_CHUNK_BYTES", 4096)
    array = np.random.default_rng(2).integers(0, 256, (300, 100, 100), dtype=np.uint8)  # 3 MB
    path = _write(tmp_path / "big.gz", idx_bytes(array), compress=True)
    tracemalloc.start()
    try:
        result = read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(result, array)
    assert peak < 2 * array.nbytes


def test_load_mnist_names_the_damaged_file(tmp_path):
    _, files = small_mnist()
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz is not a valid gzip file"):
        load_mnist(tmp_path)


def test_load_mnist_from_a_file_path_says_it_is_not_a_directory(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"")
    with pytest.raises(NotADirectoryError, match=r"load_mnist: '.*mnist.npz' is not a directory"):
        load_mnist(path)


def test_load_mnist_expands_a_leading_tilde_to_the_home_directory_as_torchvision(tmp_path, monkeypatch):
    arrays, files = small_mnist()
    home = tmp_path / "home"
    (home / "mnist").mkdir(parents=True)
    for name, body in files.items():
        (home / "mnist" / name).write_bytes(body)
    monkeypatch.setenv("HOME", str(home))
    _, _, y_train, _ = load_mnist("~/mnist")
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
