"""Tests for the main job ``python -m nn`` (nn/__main__.py), run in-process through ``run``/``main``."""

import contextlib
import io
import re

import numpy as np
import pytest
from test_data import write_mnist

import nn
from nn import serialization
from nn.__main__ import build_model, main, run

pytest.importorskip("sklearn")

EPOCH_LINE = re.compile(r"epoch +\d+/\d+ +train_loss \d+\.\d{4}")


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """One run of the default job (digits, MLP 64-64-10, Adam), shared by the tests below."""
    out = tmp_path_factory.mktemp("runs")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        model, history, args = run(["--out", str(out), "--no-progress"])
    return model, history, args, buffer.getvalue(), out


def test_default_job_reaches_97_percent_test_accuracy(default_run):
    _, history, _, printed, _ = default_run
    match = re.search(r"^test accuracy: (\d\.\d{4})$", printed, re.MULTILINE)
    assert match is not None, printed
    assert float(match.group(1)) >= 0.97
    assert len(EPOCH_LINE.findall(printed)) == len(history) == 30


def test_saved_model_reloads_into_a_fresh_model_with_identical_predictions(default_run):
    model, _, args, printed, out = default_run
    assert args.run_dir == out / "digits_mlp-1"
    path = args.run_dir / "model.npz"
    assert f"model saved to {path}" in printed and printed.rstrip().endswith(f"run saved to {args.run_dir}")
    X_train, X_test, _, _ = nn.data.load_digits(seed=args.seed)
    args.seed = args.seed + 1
    fresh = build_model(args, in_features=64)
    assert not np.allclose(nn.predict(fresh, X_test), nn.predict(model, X_test))
    serialization.load_into(fresh, path)
    np.testing.assert_array_equal(nn.predict(fresh, X_test), nn.predict(model, X_test))
    np.testing.assert_array_equal(nn.predict(nn.load(path), X_test), nn.predict(model, X_test))


def test_job_writes_the_loss_accuracy_plot(default_run):
    _, _, args, printed, _ = default_run
    path = args.run_dir / "loss_accuracy.png"
    assert f"plot saved to {path}" in printed
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _numbers(printed):
    return [line for line in printed.splitlines() if "saved to" not in line]


def test_same_seed_prints_identical_numbers_into_separate_run_directories(tmp_path, capsys):
    argv = ["--epochs", "3", "--no-progress", "--seed", "3", "--out", str(tmp_path)]
    outputs = []
    for _ in range(2):
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out)
    assert _numbers(outputs[0]) == _numbers(outputs[1])
    assert main([*argv[:-3], "4", "--out", str(tmp_path)]) == 0
    assert _numbers(capsys.readouterr().out) != _numbers(outputs[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digits_mlp-1", "digits_mlp-2", "digits_mlp-3"]


def test_moons_trains_the_scalar_mlp(tmp_path, capsys):
    model, history, _ = run(["--dataset", "moons", "--epochs", "4", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert isinstance(model, nn.MLP)
    assert len(EPOCH_LINE.findall(printed)) == 4 and "train_acc" in printed
    assert len(history.train_loss) == len(history.train_acc) == 4
    reloaded = nn.MLP(2, [16, 16, 1], seed=99)
    serialization.load_into(reloaded, tmp_path / "moons_mlp-1" / "model.npz")
    assert [p.data for p in reloaded.parameters()] == [p.data for p in model.parameters()]


def test_mnist_job_reads_idx_files_from_data_dir(tmp_path, capsys):
    write_mnist(tmp_path, compress=True, n_train=200, n_test=10, size=4)  # a stratified split needs >= 10 per part
    assert (
        main(
            [
                "--dataset",
                "mnist",
                "--data-dir",
                str(tmp_path),
                "--epochs",
                "1",
                "--hidden",
                "8",
                "--no-progress",
                "--out",
                str(tmp_path / "runs"),
            ]
        )
        == 0
    )
    assert re.search(r"^test accuracy: \d\.\d{4}$", capsys.readouterr().out, re.MULTILINE)


def test_out_and_data_dir_given_with_a_tilde_are_under_the_home_directory(tmp_path, monkeypatch, capsys):
    """``--out=~/runs`` and ``--data-dir=~/mnist`` (the ``=`` form, which the shell leaves alone) mean the home
    directory's, not a directory named ``~`` in the working directory."""
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    (home / "mnist").mkdir(parents=True)
    write_mnist(home / "mnist", compress=True, n_train=200, n_test=10, size=4)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    flags = ["--dataset", "mnist", "--data-dir=~/mnist", "--epochs", "1", "--hidden", "8", "--no-progress"]
    _, _, args = run([*flags, "--out=~/runs"])
    assert args.run_dir == home / "runs" / "mnist_mlp-1" and (args.run_dir / "model.npz").is_file()
    assert list(work.iterdir()) == []


def test_cnn_option_trains_the_digits_cnn_to_98_percent(tmp_path, capsys):
    model, _, _ = run(["--model", "cnn", "--no-progress", "--out", str(tmp_path)])
    assert any(isinstance(module, nn.Conv2d) for module in model.modules())
    assert (tmp_path / "digits_cnn-1" / "model.npz").exists()
    match = re.search(r"^test accuracy: (\d\.\d{4})$", capsys.readouterr().out, re.MULTILINE)
    assert match is not None and float(match.group(1)) >= 0.98


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["--hidden", "64,x"], "comma-separated integers"),
        (["--epochs", "0"], "must be a finite number in [1, "),
        (["--lr", "-1"], "must be a finite number > 0"),
        (["--dataset", "mnist"], "needs --data-dir"),
        (["--dataset", "moons", "--model", "cnn"], "--model cnn needs image data"),
    ],
)
def test_bad_flags_give_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--out", "--data-dir"])
def test_an_empty_directory_flag_is_refused_naming_it_rather_than_meaning_the_working_directory(
    flag, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # (an unset variable in --out "$RUNS" gives "", which Path reads as ".")
    dataset = ["--dataset", "mnist"] if flag == "--data-dir" else []
    with pytest.raises(SystemExit) as exit_info:
        main([*dataset, flag, "", "--no-progress"])
    assert exit_info.value.code == 2
    assert f"argument {flag}: an empty path" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_missing_mnist_file_is_reported_with_its_name(tmp_path, capsys):
    write_mnist(tmp_path, compress=False)
    (tmp_path / "train-images-idx3-ubyte").unlink()
    with pytest.raises(SystemExit):
        main(["--dataset", "mnist", "--data-dir", str(tmp_path), "--out", str(tmp_path / "runs")])
    error = capsys.readouterr().err
    assert "train-images-idx3-ubyte" in error and str(tmp_path) in error
