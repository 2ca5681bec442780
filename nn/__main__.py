"""The main job: ``python -m nn`` trains a network and reports loss and accuracy.

Default: an MLP 64-64-10 (ReLU) with softmax cross-entropy (label smoothing 0.1) and
Adam on scikit-learn's bundled 8x8 digits; 10% of the training part is held out for
validation, the test part is used once at the end. ``--dataset mnist --data-dir DIR``
reads the four MNIST IDX files (``--download`` first fetches them into DIR, MD5-verified,
once); ``--dataset moons`` trains the scalar ``nn.MLP``
(Value engine, 2-16-16-1) with micrograd's SVM max-margin loss + 1e-4 L2 on 100 points.
Each run gets its own directory ``OUT/<dataset>_<model>-N/`` (N counts up, so no run
overwrites another) holding ``model.npz`` (a checkpoint ``nn.load`` rebuilds) and
``loss_accuracy.png``. The same ``--seed`` prints the same numbers.

Every flag (and ``--out``, and the MNIST files) is checked before training: a bad one
exits with status 2 and one line on stderr. Training that drives the loss to a
non-finite value stops with status 1 and writes no model. No expected failure ends in
a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

import nn
from autograd import Value
from nn import models, serialization
from nn.functional import cross_entropy

OPTIMIZERS = {
    "sgd": (nn.optim.SGD, {}, 0.1),
    "momentum": (nn.optim.SGD, {"momentum": 0.9}, 0.05),
    "adam": (nn.optim.Adam, {}, 3e-3),
    "rmsprop": (nn.optim.RMSprop, {}, 1e-3),
    "adagrad": (nn.optim.Adagrad, {}, 1e-2),
}
ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
    "silu": nn.SiLU,
    "swish": nn.Swish,
    "mish": nn.Mish,
}
#: Largest accepted hidden layer width and number of epochs.
MAX_HIDDEN = 65_536
MAX_EPOCHS = 1_000_000
#: Per data set: default hidden sizes, epochs and batch size.
DEFAULTS = {
    "digits": {"hidden": "64", "epochs": 30, "batch_size": 32},
    "mnist": {"hidden": "128", "epochs": 10, "batch_size": 64},
    "moons": {"hidden": "16,16", "epochs": 100, "batch_size": 100},
}


def _hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]  # (an empty part, as in 64,,32, is refused)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden must be comma-separated integers like 64,32, got {text!r}"
        ) from None
    if not sizes or any(not 1 <= size <= MAX_HIDDEN for size in sizes):
        raise argparse.ArgumentTypeError(f"--hidden sizes must be in [1, {MAX_HIDDEN}], got {text!r}")
    return sizes


def _directory(text: str) -> Path:
    """A directory flag's path, a leading ``~`` expanded to the home directory (the shell leaves ``--out=~/runs``
    alone). An empty one is refused: ``Path("")`` would be the working directory (``--out "$RUNS"`` unset)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path; give a directory (. for the working directory)")
    return Path(text).expanduser()


def _number(kind: type, low: float, high: float = math.inf, low_open: bool = False, high_open: bool = False) -> Any:
    """An argparse type: a finite ``kind`` in the interval from ``low`` to ``high``."""
    interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open or high == math.inf else ']'}"

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a finite {kind.__name__}, got {text!r}") from None
        below = value <= low if low_open else value < low
        above = value >= high if high_open else value > high
        if not math.isfinite(value) or below or above:
            bound = f"> {low}" if low_open and high == math.inf else f"in {interval}"
            raise argparse.ArgumentTypeError(f"must be a finite number {bound}, got {text!r}")
        return value

    return parse


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line on stderr (status 2)."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{self.prog}: error: {message}\n")


class JobError(Exception):
    """An expected failure of the job (diverged training, an unwritable output): one line, status 1."""


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of ``python -m nn``."""
    parser = _Parser(prog="python -m nn", description=__doc__.split("\n\n")[0].replace("``", ""))
    parser.add_argument("--dataset", choices=sorted(DEFAULTS), default="digits")
    parser.add_argument("--data-dir", type=_directory, help="directory holding the four MNIST IDX files (raw or .gz)")
    parser.add_argument(
        "--download",
        action="store_true",
        help="with --dataset mnist: first fetch the four MNIST files into --data-dir (MD5-verified, kept for later runs)",
    )
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--hidden", type=_hidden_sizes, help="hidden layer sizes, e.g. 64,32 (default per data set)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), help="hidden layers' (default relu; --model mlp)")
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), help="default: adam (sgd for moons)")
    parser.add_argument(
        "--lr",
        type=_number(float, 0, low_open=True),
        help="learning rate (default per optimizer; 1.0 for moons with sgd)",
    )
    parser.add_argument(
        "--epochs", type=_number(int, 1, MAX_EPOCHS), help="default per data set (digits 30, mnist 10, moons 100)"
    )
    parser.add_argument("--batch-size", type=_number(int, 1), help="default per data set (digits 32, mnist 64)")
    parser.add_argument(
        "--label-smoothing",
        type=_number(float, 0, 1, high_open=True),
        help="in [0, 1) (default 0.1; digits and mnist)",
    )
    parser.add_argument("--seed", type=_number(int, 0, 2**32 - 1), default=0, help="in [0, 2**32 - 1] (default 0)")
    parser.add_argument(
        "--out",
        type=_directory,
        default=Path("runs"),
        help="directory that receives one sub-directory per run",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def build_model(args: argparse.Namespace, in_features: int) -> nn.Module:
    """The Tensor network the arguments describe, its weights drawn from ``args.seed``."""
    rng = np.random.default_rng(args.seed)
    if args.model == "cnn":
        return getattr(models, f"{args.dataset}_cnn")(rng=rng)
    sizes = [in_features, *args.hidden]
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out, rng=rng), ACTIVATIONS[args.activation]()]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], 10, rng=rng))


def _load(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[np.ndarray, ...]:
    flatten = args.model == "mlp"
    if args.dataset == "digits":
        return nn.data.load_digits(seed=args.seed, flatten=flatten)
    if args.data_dir is None:
        parser.error(
            "--dataset mnist needs --data-dir DIR (a directory with the four MNIST IDX files; "
            "add --download to fetch them)"
        )
    try:
        return nn.data.load_mnist(args.data_dir, flatten=flatten, download=args.download)
    except (OSError, ValueError, EOFError) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        parser.error(message if str(args.data_dir) in message else f"--data-dir {args.data_dir}: {message}")


#: The share of the training part the job holds out (stratified) for validation.
VALIDATION_SHARE = 0.1
#: The image shape (channels, rows, cols) each ``--model cnn`` (``nn.models.<dataset>_cnn``) is built for.
CNN_IMAGE_SHAPES = {"digits": (1, 8, 8), "mnist": (1, 28, 28)}


def _check_data(args: argparse.Namespace, data: tuple[np.ndarray, ...], parser: argparse.ArgumentParser) -> None:
    """Refuse (a usage error naming ``--data-dir``) data the job cannot train and test on: an empty test part, a
    training part too small for the stratified validation split (at least 2 images of every label, and as many
    images as labels on both sides), or images of another size than ``--model cnn`` is built for."""
    X_train, X_test, y_train, _ = data
    where = f"--data-dir {args.data_dir}: " if args.data_dir is not None else ""
    expected = CNN_IMAGE_SHAPES.get(args.dataset) if args.model == "cnn" else None
    if expected is not None and X_train.shape[1:] != expected:
        rows, cols = X_train.shape[2:]
        parser.error(
            f"{where}--model cnn (nn.models.{args.dataset}_cnn) takes {expected[1]}x{expected[2]} images, these are "
            f"{rows}x{cols}; use --model mlp, which takes any size"
        )
    if len(X_test) == 0:
        parser.error(f"{where}the test part holds no images; the job needs some to measure the test accuracy")
    try:  # the split of train_tensor_network on indices only: same arguments, so the same verdict, without copies
        nn.data.train_test_split(
            np.arange(len(y_train)), test_size=VALIDATION_SHARE, random_state=args.seed, stratify=y_train
        )
    except ValueError as error:
        parser.error(
            f"{where}the training part ({len(y_train)} images, {len(np.unique(y_train))} labels) cannot be split "
            f"into training and a stratified {VALIDATION_SHARE:.0%} validation part: {' '.join(str(error).split())}"
        )


def _make_optimizer(args: argparse.Namespace, parameters: list, default_lr: float | None = None) -> Any:
    cls, options, lr = OPTIMIZERS[args.optimizer]
    return cls(parameters, lr=args.lr or default_lr or lr, **options)


class _EpochPrinter(nn.Callback):
    """Print one line per epoch with the measurements."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: nn.Module) -> bool:
        print(_epoch_line(epoch, self.epochs, logs), flush=True)
        return False


class _StopOnNonFiniteLoss(nn.Callback):
    """Stop training after an epoch whose training loss is inf or nan."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: nn.Module) -> bool:
        return not math.isfinite(logs["train_loss"])


def _check_finite(model: nn.Module, history: nn.History) -> None:
    """Raise :class:`JobError` if the loss or any parameter became inf or nan (nothing is saved then)."""
    for epoch, loss in enumerate(history.train_loss):
        if not math.isfinite(loss):
            raise JobError(
                f"the training loss became {loss} in epoch {epoch + 1}; try a smaller --lr (no model was written)"
            )
    if not all(np.isfinite(parameter._data).all() for parameter in model.parameters()):
        raise JobError("the model's parameters are not finite; try a smaller --lr (no model was written)")


def _epoch_line(epoch: int, epochs: int, logs: dict[str, Any]) -> str:
    parts = [f"epoch {epoch + 1:3d}/{epochs}"]
    for name in ("train_loss", "train_acc", "val_loss", "val_acc"):
        if logs.get(name) is not None:
            parts.append(f"{name} {logs[name]:.4f}")
    return "  ".join(parts)


def train_tensor_network(args: argparse.Namespace, data: tuple[np.ndarray, ...]) -> tuple[nn.Module, nn.History]:
    """Digits/MNIST ``data`` (X_train, X_test, y_train, y_test): fit with a validation split, then print
    the test accuracy (unless training diverged: see :func:`_check_finite`)."""
    X_train, X_test, y_train, y_test = data
    X_fit, X_val, y_fit, y_val = nn.data.train_test_split(
        X_train, y_train, test_size=VALIDATION_SHARE, random_state=args.seed, stratify=y_train
    )
    model = build_model(args, in_features=int(np.prod(X_train.shape[1:])))
    optimizer = _make_optimizer(args, model.parameters())
    loss_fn = partial(cross_entropy, label_smoothing=args.label_smoothing)
    history = nn.fit(
        model,
        optimizer,
        loss_fn,
        nn.data.DataLoader(X_fit, y_fit, batch_size=args.batch_size, shuffle=True, seed=args.seed),
        nn.data.DataLoader(X_val, y_val, batch_size=512),
        epochs=args.epochs,
        callbacks=[_EpochPrinter(args.epochs), _StopOnNonFiniteLoss()],
        progress=not args.no_progress,
    )
    _check_finite(model, history)
    _, test_accuracy = nn.evaluate(model, nn.data.DataLoader(X_test, y_test, batch_size=512), loss_fn)
    print(f"test accuracy: {test_accuracy:.4f}")
    return model, history


def train_scalar_moons(args: argparse.Namespace) -> tuple[nn.Module, nn.History]:
    """micrograd's demo on the Value engine: full-batch SVM max-margin loss + 1e-4 L2 on 100 two-moons
    points, labels y in {-1, +1}, learning rate decaying linearly from lr to lr / 10."""
    X, labels = nn.data.make_moons(100, noise=0.1, random_state=args.seed)
    rows, targets = X.tolist(), (2 * labels - 1).tolist()
    model = nn.MLP(2, [*args.hidden, 1], activation=args.activation, seed=args.seed)
    parameters = model.parameters()
    optimizer = _make_optimizer(args, parameters, default_lr=1.0 if args.optimizer == "sgd" else None)
    base_lr = optimizer.param_groups[0]["lr"]
    history = nn.History()
    for epoch in range(args.epochs):
        optimizer.param_groups[0]["lr"] = base_lr * (1.0 - 0.9 * epoch / args.epochs)
        scores = [model(row) for row in rows]
        data_loss = Value.sum([(1 - target * score).relu() for target, score in zip(targets, scores)]) / len(rows)
        total = data_loss + 1e-4 * Value.sum([p * p for p in parameters])
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        correct = sum((score._data > 0) == (target > 0) for score, target in zip(scores, targets))
        logs = {"train_loss": total._data, "train_acc": correct / len(rows)}
        history.record(logs)
        print(_epoch_line(epoch, args.epochs, logs), flush=True)
        if not math.isfinite(total._data):
            break
    _check_finite(model, history)
    return model, history


def plot_history(history: nn.History, path: Path) -> Path | None:
    """Write loss and accuracy per epoch (train and validation) to ``path``; None without matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed (pip install -e '.[train]'); no plot written", file=sys.stderr)
        return None
    figure = Figure(figsize=(10, 4))
    FigureCanvasAgg(figure)
    epochs = np.arange(1, len(history) + 1)
    for axes, (title, train, val) in zip(
        figure.subplots(1, 2),
        [("loss", history.train_loss, history.val_loss), ("accuracy", history.train_acc, history.val_acc)],
    ):
        axes.plot(epochs, train, label="train")
        if val:
            axes.plot(epochs, val, label="validation")
        axes.set(title=title, xlabel="epoch")
        axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    return path


def _check_out(out: Path, parser: argparse.ArgumentParser) -> None:
    """Create ``--out`` if needed and make sure runs can be written into it (else a usage error)."""
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        parser.error(f"--out {out} cannot be created ({error.strerror or error})")
    if not os.access(out, os.W_OK | os.X_OK):
        parser.error(f"--out {out} is not writable")


def reserve_run_directory(out: Path, name: str) -> Path:
    """Create and return ``out/<name>-N`` with the smallest free N >= 1 past existing runs (atomic:
    two jobs never get the same directory)."""
    taken = [entry.name[len(name) + 1 :] for entry in out.glob(f"{name}-*")]
    number = max((int(suffix) for suffix in taken if suffix.isdecimal()), default=0) + 1
    while True:
        directory = out / f"{name}-{number}"
        try:
            directory.mkdir()
        except FileExistsError:
            number += 1
            continue
        return directory


def _resolve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Fill per-data-set defaults and reject flag combinations that cannot work, or that would be ignored."""
    ignored = []
    if args.model == "cnn":  # the fixed nn.models.<dataset>_cnn
        ignored += [flag for flag, value in (("--hidden", args.hidden), ("--activation", args.activation)) if value]
    if args.dataset != "mnist":
        ignored += [flag for flag, value in (("--download", args.download), ("--data-dir", args.data_dir)) if value]
    if args.dataset == "moons":  # one full batch, the SVM loss
        given = (("--batch-size", args.batch_size), ("--label-smoothing", args.label_smoothing))
        ignored += [flag for flag, value in given if value is not None]
    if ignored:
        parser.error(
            f"{', '.join(ignored)} would be ignored with --dataset {args.dataset} --model {args.model}; leave "
            f"{'it' if len(ignored) == 1 else 'them'} out"
        )
    args.activation = args.activation or "relu"
    args.label_smoothing = 0.1 if args.label_smoothing is None else args.label_smoothing
    defaults = DEFAULTS[args.dataset]
    args.hidden = args.hidden if args.hidden is not None else _hidden_sizes(defaults["hidden"])
    args.epochs = args.epochs or defaults["epochs"]
    args.batch_size = args.batch_size or defaults["batch_size"]
    args.optimizer = args.optimizer or ("sgd" if args.dataset == "moons" else "adam")
    if args.model == "cnn" and args.dataset == "moons":
        parser.error("--model cnn needs image data (--dataset digits or mnist); moons trains the scalar MLP")
    if args.model == "cnn" and not hasattr(models, f"{args.dataset}_cnn"):
        parser.error(f"--model cnn: nn.models.{args.dataset}_cnn is not available in this installation")
    if args.dataset == "moons" and args.activation not in nn.scalar.ACTIVATIONS:
        parser.error(f"--activation {args.activation} has no scalar Value version for moons")


def run(argv: Sequence[str] | None = None) -> tuple[nn.Module, nn.History, argparse.Namespace]:
    """Parse and check ``argv``, train, save the model and the plot into a new run directory
    (``args.run_dir``); return (model, history, resolved arguments).

    Usage errors exit with status 2 (SystemExit) before training; a diverged run raises
    :class:`JobError`, and a run that saved no model removes its (empty) run directory.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _resolve(args, parser)
    data = None if args.dataset == "moons" else _load(args, parser)
    if data is not None:
        _check_data(args, data, parser)
    _check_out(args.out, parser)
    try:
        args.run_dir = reserve_run_directory(args.out, f"{args.dataset}_{args.model}")
    except OSError as error:
        parser.error(f"--out {args.out}: cannot create a run directory ({error.strerror or error})")
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is reported below
            model, history = train_scalar_moons(args) if data is None else train_tensor_network(args, data)
        model_path = serialization.save(model, args.run_dir / "model.npz")
    except BaseException:
        if not any(args.run_dir.iterdir()):
            args.run_dir.rmdir()
        raise
    print(f"model saved to {model_path}")
    plot_path = plot_history(history, args.run_dir / "loss_accuracy.png")
    if plot_path is not None:
        print(f"plot saved to {plot_path}")
    print(f"run saved to {args.run_dir}")
    return model, history, args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the main job with command-line arguments ``argv``; return the exit status.

    Expected failures print one line ``python -m nn: error: ...`` on stderr: status 2 for
    bad flags, 1 for a diverged run, a failed write or too little memory, 130 for Ctrl-C; a closed
    output pipe (``| head``) stops the job quietly with 141.
    """
    previous_handler = _stop_on_sigterm()
    try:
        run(argv)
    except JobError as error:
        print(f"python -m nn: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of our output left (``python -m nn | head``): stop quietly, as Unix tools
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (no second error when Python flushes it)
        return 141  # 128 + SIGPIPE, the status of a tool a closed pipe stops
    except OSError as error:
        print(f"python -m nn: error: cannot write the results ({error})", file=sys.stderr)
        return 1
    except MemoryError as error:  # flags in range can still ask for more than the machine has (--hidden 65536,65536)
        reason = " ".join(str(error).split()) or "MemoryError"
        print(f"python -m nn: error: out of memory ({reason}); try a smaller --hidden or --batch-size", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("python -m nn: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> Any:
    """Make SIGTERM (``kill``, ``timeout``) stop the job as Ctrl-C does, so its run directory is cleaned up; returns
    the handler it replaced (None where one cannot be set: outside the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


if __name__ == "__main__":
    sys.exit(main())
