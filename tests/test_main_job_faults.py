"""Fault injection for ``python -m nn`` run as a subprocess: bad flags, unusable ``--out``, damaged
MNIST folders and diverging training end with the right status, one line on stderr, no traceback,
and no file written or overwritten."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_data import write_idx, write_mnist

pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--epochs", "1", "--hidden", "8", "--no-progress"]


#: The job's environment: this checkout's packages, BLAS on one thread.
ENVIRONMENT = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}


def _job(*argv, cwd):
    return subprocess.run(
        [sys.executable, "-m", "nn", *argv], cwd=cwd, env=ENVIRONMENT, capture_output=True, text=True, timeout=300
    )


def _started_job(epochs, tmp_path):
    """The job running in the background, its output piped, once its first epoch line is out (its run directory
    then exists)."""
    job = subprocess.Popen(
        [sys.executable, "-m", "nn", "--epochs", str(epochs), "--no-progress", "--out", str(tmp_path / "runs")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=ENVIRONMENT,
    )
    job.stdout.readline()
    return job


def _assert_one_line_error(result, status, *words):
    assert result.returncode == status, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m nn: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def _snapshot(directory):
    return {p.relative_to(directory): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--lr", "inf"], ["--lr", "'inf'"]),
        (["--lr", "nan"], ["--lr", "'nan'"]),
        (["--label-smoothing", "2"], ["--label-smoothing", "[0, 1)"]),
        (["--label-smoothing", "nan"], ["--label-smoothing", "'nan'"]),
        (["--seed", "-1"], ["--seed", "'-1'"]),
        (["--epochs", "0"], ["--epochs"]),
        (["--batch-size", "2.5"], ["--batch-size", "'2.5'"]),
        (["--hidden", "0"], ["--hidden"]),
        (["--hidden", "10000000"], ["--hidden"]),
        (["--optimizer", "lbfgs"], ["--optimizer", "lbfgs"]),
        (["--dataset", "mnist"], ["--data-dir"]),
    ],
)
def test_bad_flag_exits_2_with_one_line_before_anything_is_written(tmp_path, flags, words):
    result = _job(*flags, "--out", str(tmp_path / "runs"), cwd=tmp_path)
    _assert_one_line_error(result, 2, *words)
    assert result.stdout == "" and not (tmp_path / "runs").exists()


def test_out_that_is_a_file_or_under_a_file_is_refused_and_left_untouched(tmp_path):
    blocker = tmp_path / "runs"
    blocker.write_text("my notes")
    _assert_one_line_error(_job("--out", str(blocker), cwd=tmp_path), 2, "--out", "not a directory")
    _assert_one_line_error(_job("--out", str(blocker / "sub"), cwd=tmp_path), 2, "--out", "cannot be created")
    assert blocker.read_text() == "my notes"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / "train-images-idx3-ubyte.gz").write_bytes(b"this is not gzip at all"),
        lambda d: (d / "train-labels-idx1-ubyte.gz").write_bytes((d / "train-labels-idx1-ubyte.gz").read_bytes()[:20]),
        lambda d: (d / "t10k-images-idx3-ubyte.gz").unlink(),
        lambda d: (d / "t10k-labels-idx1-ubyte.gz").unlink() or (d / "t10k-labels-idx1-ubyte.gz").mkdir(),
    ],
)
def test_damaged_mnist_folder_exits_2_naming_it_without_training(tmp_path, damage):
    data = tmp_path / "mnist"
    data.mkdir()
    write_mnist(data, compress=True, n_train=40, n_test=10, size=4)
    damage(data)
    result = _job("--dataset", "mnist", "--data-dir", str(data), *FAST, "--out", str(tmp_path / "runs"), cwd=tmp_path)
    _assert_one_line_error(result, 2, str(data))
    assert "epoch" not in result.stdout and not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("n_train", "n_test", "words"),
    [
        (6, 10, ["training part (6 images", "stratified 10% validation"]),  # some label seen once
        (20, 10, ["training part (20 images", "stratified 10% validation"]),  # 2 validation images for 10 labels
        (0, 10, ["training part (0 images"]),
        (200, 0, ["test part holds no images"]),
    ],
)
def test_mnist_files_too_small_to_split_or_test_exit_2_naming_them_without_training(tmp_path, n_train, n_test, words):
    data = tmp_path / "mnist"
    data.mkdir()
    write_mnist(data, compress=True, n_train=n_train, n_test=n_test, size=4)
    if n_train == 20:  # every label twice: stratifying needs 10 validation images, 10% gives 2
        write_idx(data / "train-labels-idx1-ubyte.gz", np.arange(20, dtype=np.uint8) % 10, compress=True)
    result = _job("--dataset", "mnist", "--data-dir", str(data), *FAST, "--out", str(tmp_path / "runs"), cwd=tmp_path)
    _assert_one_line_error(result, 2, str(data), *words)
    assert "epoch" not in result.stdout and not (tmp_path / "runs").exists()


def test_mnist_images_of_another_size_than_the_cnn_takes_exit_2_naming_both_sizes(tmp_path):
    data = tmp_path / "mnist"
    data.mkdir()
    write_mnist(data, compress=True, n_train=200, n_test=10, size=4)
    argv = ["--dataset", "mnist", "--data-dir", str(data), "--epochs", "1", "--no-progress"]
    result = _job(*argv, "--model", "cnn", "--out", str(tmp_path / "runs"), cwd=tmp_path)
    _assert_one_line_error(result, 2, str(data), "--model cnn", "28x28", "4x4")
    assert "epoch" not in result.stdout and not (tmp_path / "runs").exists()
    assert _job(*argv, "--hidden", "8", "--out", str(tmp_path / "runs"), cwd=tmp_path).returncode == 0  # the MLP


def test_a_network_too_big_for_memory_exits_1_with_one_line_and_leaves_no_run_directory(tmp_path):
    resource = pytest.importorskip("resource")  # (POSIX) cap the job's address space at 3 GiB
    limit = 3 * 2**30
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nn",
            "--hidden",
            "65536,65536",
            "--epochs",
            "1",
            "--no-progress",
            "--out",
            str(tmp_path / "runs"),
        ],
        cwd=tmp_path,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
    )  # its 65536 x 65536 float32 weight needs 16 GiB
    _assert_one_line_error(result, 1, "out of memory", "--hidden")
    assert list((tmp_path / "runs").iterdir()) == []


def test_diverging_run_exits_1_and_never_touches_earlier_runs(tmp_path):
    out = tmp_path / "runs"
    good = _job(*FAST, "--out", str(out), cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert good.stdout.rstrip().endswith(f"run saved to {out / 'digits_mlp-1'}")
    before = _snapshot(out)
    result = _job(*FAST, "--lr", "1e30", "--out", str(out), cwd=tmp_path)
    _assert_one_line_error(result, 1, "training loss became nan", "--lr", "no model was written")
    assert _snapshot(out) == before and sorted(p.name for p in out.iterdir()) == ["digits_mlp-1"]


def test_diverging_scalar_moons_run_exits_1(tmp_path):
    result = _job("--dataset", "moons", "--epochs", "3", "--lr", "1e200", "--out", str(tmp_path / "runs"), cwd=tmp_path)
    _assert_one_line_error(result, 1, "training loss became")
    assert not any((tmp_path / "runs").iterdir())


def test_a_reader_that_closes_the_pipe_stops_the_job_quietly_with_sigpipes_status(tmp_path):
    # ``python -m nn | head -1``: no "cannot write the results" error, no half-written run left behind
    job = _started_job(30, tmp_path)
    job.stdout.close()
    errors = job.stderr.read().decode()
    job.wait(timeout=120)
    assert job.returncode == 141 and errors == ""
    assert list((tmp_path / "runs").iterdir()) == []


def test_sigterm_stops_the_job_as_ctrl_c_does_and_leaves_no_empty_run_directory(tmp_path):
    job = _started_job(200, tmp_path)
    job.terminate()
    _, errors = job.communicate(timeout=120)
    assert job.returncode == 130 and "interrupted" in errors.decode()
    assert list((tmp_path / "runs").iterdir()) == []


@pytest.mark.parametrize(
    ("flags", "ignored"),
    [
        (["--model", "cnn", "--hidden", "32"], "--hidden"),
        (["--model", "cnn", "--activation", "tanh"], "--activation"),
        (["--dataset", "digits", "--download"], "--download"),
        (["--dataset", "moons", "--batch-size", "8", "--label-smoothing", "0"], "--batch-size, --label-smoothing"),
    ],
)
def test_flags_that_would_be_ignored_are_refused_naming_them(tmp_path, flags, ignored):
    result = _job(*flags, "--epochs", "1", "--out", str(tmp_path / "runs"), cwd=tmp_path)
    _assert_one_line_error(result, 2)
    assert f"error: {ignored} would be ignored" in result.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("hidden", ["64,,32", ",64", "64,"])
def test_hidden_sizes_with_an_empty_part_are_refused(tmp_path, hidden):
    result = _job("--hidden", hidden, "--out", str(tmp_path / "runs"), cwd=tmp_path)
    _assert_one_line_error(result, 2)
    assert "--hidden must be comma-separated integers" in result.stderr
