"""Tests for nn.training (fit, evaluate, predict, History, accuracy) and nn.callbacks (stopping criteria)."""

import functools
import io
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.callbacks import Callback, EarlyStopping, GradientNormStop, ParameterStepStop, gradient_norm
from nn.data import DataLoader
from nn.functional import cross_entropy, mse_loss
from nn.training import History, accuracy, evaluate, fit, predict

W0 = np.array([3.0, 4.0])  # ||W0|| = 5


class Constant(nn.Module):
    """Outputs its parameter w for every input row (shape (N, len(w)))."""

    def __init__(self, w):
        self.w = nn.Parameter(np.asarray(w, dtype=np.float64))

    def forward(self, x):
        return Tensor(np.ones((len(x.data), 1))) * self.w


def half_squared_norm(scores, target):
    """L(w) = ||w||^2 / 2 from a one-row batch: dL/dw = w."""
    return (scores * scores).sum() * 0.5


def one_batch():
    return DataLoader(np.zeros((1, 1)), np.zeros(1), batch_size=1)


class Snapshots(Callback):
    """Records a copy of every parameter at the end of each epoch."""

    def __init__(self):
        self.arrays = []

    def on_epoch_end(self, epoch, logs, model):
        self.arrays.append([p.data.copy() for p in model.parameters()])
        return False


# -- stopping criteria -----------------------------------------------------------------------------


@pytest.mark.parametrize("xi", [0.1, 0.7, 4.9])
def test_gradient_norm_stop_stops_at_the_first_gradient_below_xi_without_stepping(xi):
    # SGD lr 0.5 on ||w||^2 / 2: w_k = W0 / 2^k, and the k-th gradient is w_k.
    first_small = next(k for k in range(100) if np.linalg.norm(W0 / 2.0**k) < xi)
    model = Constant(W0)
    stop = GradientNormStop(xi)
    history = fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.5),
        half_squared_norm,
        one_batch(),
        epochs=100,
        metric=None,
        callbacks=[stop],
        progress=False,
    )
    assert len(history) == first_small + 1
    assert stop.steps == first_small + 1
    np.testing.assert_allclose(stop.norm, np.linalg.norm(W0) / 2.0**first_small)
    np.testing.assert_allclose(model.w.data, W0 / 2.0**first_small)
    assert history.stopped_by == f"GradientNormStop(xi={xi})"


def test_gradient_norm_stop_does_not_fire_above_xi():
    model = Constant(W0)
    history = fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.5),
        half_squared_norm,
        one_batch(),
        epochs=4,
        metric=None,
        callbacks=[GradientNormStop(1e-3)],
        progress=False,
    )
    assert len(history) == 4 and history.stopped_by is None
    np.testing.assert_allclose(model.w.data, W0 / 16)


@pytest.mark.parametrize("xi", [0.05, 1.0])
def test_parameter_step_stop_stops_after_the_first_small_epoch_step(xi):
    # Epoch k moves w from W0 / 2^k to W0 / 2^(k+1): a step of norm 5 / 2^(k+1).
    first_small = next(k for k in range(100) if np.linalg.norm(W0 / 2.0**k - W0 / 2.0 ** (k + 1)) < xi)
    model = Constant(W0)
    stop = ParameterStepStop(xi)
    history = fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.5),
        half_squared_norm,
        one_batch(),
        epochs=100,
        metric=None,
        callbacks=[stop],
        progress=False,
    )
    assert len(history) == first_small + 1
    np.testing.assert_allclose(stop.step_norm, np.linalg.norm(W0) / 2.0 ** (first_small + 1))
    np.testing.assert_allclose(model.w.data, W0 / 2.0 ** (first_small + 1))


def early_stopping_run(restore, patience=2, epochs=20):
    """Train w towards 10 while validating against 1: validation loss is best when w passes 1."""
    model = Constant([0.0])
    train = DataLoader(np.zeros((4, 1)), np.full((4, 1), 10.0), batch_size=4)
    val = DataLoader(np.zeros((4, 1)), np.full((4, 1), 1.0), batch_size=4)
    stop = EarlyStopping(patience=patience, restore_best_weights=restore)
    snapshots = Snapshots()
    history = fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.05),
        mse_loss,
        train,
        val,
        epochs=epochs,
        metric=None,
        callbacks=[snapshots, stop],
        progress=False,
    )
    return model, history, stop, snapshots


def test_early_stopping_stops_patience_epochs_after_the_best_and_restores_it():
    model, history, stop, snapshots = early_stopping_run(restore=True, patience=2)
    best = int(np.argmin(history.val_loss))
    assert history.best_epoch == stop.best_epoch == best
    assert all(later >= history.val_loss[best] for later in history.val_loss[best:])
    assert len(history) == best + 2 + 1
    assert stop.stopped_epoch == best + 2
    np.testing.assert_array_equal(model.w.data, snapshots.arrays[best][0])
    assert not np.array_equal(model.w.data, snapshots.arrays[-1][0])


def test_early_stopping_without_restore_keeps_the_last_weights():
    model, history, _, snapshots = early_stopping_run(restore=False, patience=3)
    np.testing.assert_array_equal(model.w.data, snapshots.arrays[-1][0])
    assert len(history) == history.best_epoch + 3 + 1


def test_early_stopping_ignores_improvements_below_min_delta():
    model = Constant([0.0])
    stop = EarlyStopping(patience=2, min_delta=0.1)
    stop.on_train_begin(model)
    decisions = [stop.on_epoch_end(epoch, {"val_loss": value}, model) for epoch, value in enumerate([1.0, 0.95, 0.91])]
    assert decisions == [False, False, True]
    assert stop.best_epoch == 0 and stop.best == 1.0


def test_early_stopping_on_accuracy_waits_for_increases():
    model = Constant([0.0])
    stop = EarlyStopping(patience=1, monitor="val_acc")
    stop.on_train_begin(model)
    assert not stop.on_epoch_end(0, {"val_acc": 0.5}, model)
    assert not stop.on_epoch_end(1, {"val_acc": 0.6}, model)
    assert stop.on_epoch_end(2, {"val_acc": 0.6}, model)
    assert stop.best_epoch == 1


def test_early_stopping_without_validation_names_the_missing_monitor():
    model = Constant(W0)
    with pytest.raises(ValueError, match="watches 'val_loss', which needs a val_loader"):
        fit(
            model,
            nn.optim.SGD(model.parameters(), lr=0.1),
            half_squared_norm,
            one_batch(),
            epochs=2,
            metric=None,
            callbacks=[EarlyStopping()],
            progress=False,
        )


def test_callbacks_reject_bad_settings():
    for make in (GradientNormStop, ParameterStepStop):
        with pytest.raises(ValueError, match="xi must be positive"):
            make(0)
    with pytest.raises(ValueError, match="EarlyStopping: patience must be a positive integer, got 0"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="EarlyStopping: monitor must be .* or 'val_loss', got 'loss'"):
        EarlyStopping(monitor="loss")


def test_gradient_norm_is_the_norm_of_all_gradients_together():
    a, b = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros((2, 2)))
    a.grad, b.grad = np.array([1.0, 2.0]), np.array([[2.0, 0.0], [0.0, 4.0]])
    unused = nn.Parameter(np.zeros(3))
    assert gradient_norm([a, b, unused]) == pytest.approx(np.sqrt(1 + 4 + 4 + 16))


# -- fit, history ----------------------------------------------------------------------------------


def blobs(n=200, seed=0):
    """Two well separated Gaussian blobs: linearly separable."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.normal(0, 0.3, (n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return X.astype(np.float32), y


def train_blobs(epochs=5, seed=0, **options):
    X, y = blobs()
    model = nn.Linear(2, 2, rng=seed)
    loader = DataLoader(X, y, batch_size=16, shuffle=True, seed=seed)
    history = fit(
        model,
        nn.optim.Adam(model.parameters(), lr=0.05),
        cross_entropy,
        loader,
        DataLoader(X[:50], y[:50], batch_size=32),
        epochs=epochs,
        progress=False,
        **options,
    )
    return model, history, X, y


def test_fit_reaches_full_accuracy_on_a_linearly_separable_set():
    model, history, X, y = train_blobs(epochs=10)
    loss, acc = evaluate(model, DataLoader(X, y, batch_size=64), cross_entropy)
    assert acc == 1.0
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] == 1.0


def test_history_has_one_entry_per_epoch_for_each_measurement():
    _, history, _, _ = train_blobs(epochs=3)
    assert len(history) == 3
    assert [len(history.train_loss), len(history.val_loss), len(history.train_acc), len(history.val_acc)] == [3] * 4
    _, without_metric, _, _ = train_blobs(epochs=2, metric=None)
    assert without_metric.train_acc == [] and without_metric.val_acc == [] and len(without_metric.val_loss) == 2


def test_history_best_epoch_follows_validation_then_training_loss():
    assert History(train_loss=[3, 1, 2], val_loss=[2, 3, 1]).best_epoch == 2
    assert History(train_loss=[3, 1, 2]).best_epoch == 1
    assert History().best_epoch is None


def test_fit_is_deterministic_for_fixed_seeds():
    first_model, first, _, _ = train_blobs(epochs=3, seed=4)
    second_model, second, _, _ = train_blobs(epochs=3, seed=4)
    assert first.train_loss == second.train_loss and first.val_acc == second.val_acc
    np.testing.assert_array_equal(first_model.weight.data, second_model.weight.data)


def test_fit_train_loss_is_the_sample_weighted_mean_of_batch_losses():
    model = Constant([2.0])
    X, y = np.zeros((5, 1)), np.arange(5.0).reshape(5, 1)
    history = fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.0),
        mse_loss,
        DataLoader(X, y, batch_size=2),
        epochs=1,
        metric=None,
        progress=False,
    )
    assert history.train_loss[0] == pytest.approx(np.mean((2.0 - y) ** 2))


def test_an_empty_batch_weighs_nothing_in_the_epoch_loss_and_accuracy():
    # its mean loss is nan (0 / 0, as torch's), but with weight 0 it must not turn the epoch's mean into nan
    model = Constant([2.0, 0.0])
    X, y = np.zeros((3, 1)), np.array([0, 0, 1])
    batches = [(X[:2], y[:2]), (X[:0], y[:0]), (X[2:], y[2:])]
    history = fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.0),
        nn.CrossEntropyLoss(),
        batches,
        batches,
        epochs=1,
        progress=False,
    )
    log_softmax = np.array([2.0, 0.0]) - np.log(np.exp(2.0) + 1.0)
    expected = -np.mean(log_softmax[y])
    assert history.train_loss[0] == pytest.approx(expected) and history.val_loss[0] == pytest.approx(expected)
    assert history.train_acc == [pytest.approx(2 / 3)] and history.val_acc == [pytest.approx(2 / 3)]


def test_fit_clips_the_global_gradient_norm():
    model = Constant(W0)
    fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.5),
        half_squared_norm,
        one_batch(),
        epochs=1,
        metric=None,
        progress=False,
        clip_grad_norm=1.0,
    )
    np.testing.assert_allclose(model.w.data, W0 - 0.5 * W0 / np.linalg.norm(W0), rtol=1e-5)


def test_fit_accepts_a_custom_metric():
    calls = []

    def fraction_positive(scores, target):
        calls.append(scores.shape)
        return float(np.mean(scores[:, 1] > 0))

    _, history, _, _ = train_blobs(epochs=1, metric=fraction_positive)
    assert calls and all(shape[1] == 2 for shape in calls)
    assert 0.0 <= history.train_acc[0] <= 1.0


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self):
        return True


def _fit_blobs_with_progress():
    X, y = blobs()
    model = nn.Linear(2, 2, rng=1)
    loader = DataLoader(X, y, batch_size=16, shuffle=True, seed=1)
    return fit(model, nn.optim.Adam(model.parameters(), lr=0.05), cross_entropy, loader, epochs=2, progress=True)


def test_progress_bar_is_drawn_on_a_terminal_and_leaves_the_history_unchanged(monkeypatch):
    pytest.importorskip("tqdm")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with_bar = _fit_blobs_with_progress()
    assert "epoch 2/2" in terminal.getvalue() and "\r" in terminal.getvalue()
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.std", None)
    without_tqdm = _fit_blobs_with_progress()
    assert with_bar.train_loss == without_tqdm.train_loss


def test_progress_bar_is_off_when_stderr_is_a_file_or_pipe(capsys):
    pytest.importorskip("tqdm")
    _fit_blobs_with_progress()  # capsys: stderr is not a terminal, as under CI, nohup or | tee
    assert capsys.readouterr().err == ""


class _KernelShell:
    config = {"IPKernelApp": {}}


def test_progress_bar_in_jupyter_is_plain_text_without_ipywidgets_and_a_widget_with_them(monkeypatch):
    notebook = pytest.importorskip("tqdm.notebook")
    from tqdm import std

    from nn.training import _progress_bar_class

    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=_KernelShell))
    monkeypatch.setattr(notebook, "IProgress", None)
    assert _progress_bar_class() is std.tqdm
    monkeypatch.setattr(notebook, "IProgress", object)
    assert _progress_bar_class() is notebook.tqdm


KERNEL_CELL = """
import sys
sys.modules["ipywidgets"] = None  # a Jupyter without ipywidgets, whatever this environment has
import numpy as np
import nn
from nn.data import DataLoader
X = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
y = (X[:, 0] > 0).astype(np.int64)
model = nn.Linear(2, 2, rng=0)
optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
history = nn.fit(model, optimizer, nn.functional.cross_entropy, DataLoader(X, y, batch_size=8), epochs=1)
"""


def test_progress_bar_in_a_real_jupyter_kernel_without_ipywidgets_is_text_without_warnings():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("tqdm")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(KERNEL_CELL)])
    root = Path(__file__).resolve().parents[1]
    nbclient.NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(root)}}).execute()
    outputs = notebook.cells[0].outputs
    assert {output.output_type for output in outputs} == {"stream"}  # no widget, no error
    stderr = "".join(output.text for output in outputs if output.name == "stderr")
    assert "epoch 1/1" in stderr
    assert "Warning" not in stderr and "IProgress" not in stderr


def test_fit_rejects_bad_arguments():
    model = Constant(W0)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit(model, optimizer, half_squared_norm, one_batch(), epochs=0)
    with pytest.raises(ValueError, match="metric must be 'accuracy', None or a callable"):
        fit(model, optimizer, half_squared_norm, one_batch(), metric="f1")
    with pytest.raises(ValueError, match="clip_grad_norm"):
        fit(model, optimizer, half_squared_norm, one_batch(), clip_grad_norm=-1.0)
    with pytest.raises(TypeError, match="Callback instances"):
        fit(model, optimizer, half_squared_norm, one_batch(), callbacks=[print])
    with pytest.raises(ValueError, match=r"must yield \(x, y\) batches"):
        fit(model, optimizer, half_squared_norm, DataLoader(np.zeros((2, 1))), progress=False)
    np.testing.assert_array_equal(model.w.data, W0)


# -- evaluate, predict, accuracy --------------------------------------------------------------------


class ModeRecorder(nn.Module):
    """A linear map that records its training flag and whether its output needs a gradient."""

    def __init__(self):
        self.layer = nn.Linear(2, 3, rng=0)
        self.seen = []

    def forward(self, x):
        out = self.layer(x)
        self.seen.append((self.training, out.requires_grad))
        return out


@pytest.mark.parametrize("training", [True, False])
def test_evaluate_and_predict_run_in_eval_mode_without_graph_and_restore_flags(training):
    model = ModeRecorder().train(training)
    model.layer.training = not training  # mixed flags must come back exactly
    X, y = np.ones((5, 2), dtype=np.float32), np.zeros(5, dtype=np.int64)
    evaluate(model, DataLoader(X, y, batch_size=2), cross_entropy)
    predict(model, X, batch_size=2)
    assert set(model.seen) == {(False, False)}
    assert model.training is training and model.layer.training is (not training)


def test_evaluate_and_predict_restore_flags_after_an_error():
    model = ModeRecorder().train()
    with pytest.raises(ValueError):
        predict(model, np.ones((3, 5), dtype=np.float32))
    assert model.training and model.layer.training


def test_predict_matches_one_full_forward_pass():
    model = nn.Linear(3, 2, rng=0)
    X = np.random.default_rng(1).normal(size=(7, 3)).astype(np.float32)
    np.testing.assert_allclose(predict(model, X, batch_size=3), model(Tensor(X)).data, rtol=1e-6)


def test_predict_refuses_a_batch_size_that_is_not_a_positive_integer_naming_it():
    model = nn.Linear(3, 2, rng=0)
    X = np.ones((7, 3), dtype=np.float32)
    with pytest.raises(TypeError, match="predict: batch_size must be a positive integer, got None"):
        predict(model, X, batch_size=None)  # (single samples would lose the rows' axis)
    with pytest.raises(ValueError, match="predict: batch_size must be a positive integer, got 0"):
        predict(model, X, batch_size=0)


def test_predict_of_a_model_whose_output_is_not_one_tensor_says_so():
    with pytest.raises(TypeError, match="predict: the model must return one Tensor per batch, got tuple"):
        predict(TwoHeads(), np.ones((5, 4), dtype=np.float32))


@pytest.mark.parametrize(
    ("loss_fn", "error", "pattern"),
    [
        (lambda scores, target: 0.5, TypeError, "must return a one-element Tensor, got float"),
        (
            nn.CrossEntropyLoss(reduction="none"),
            ValueError,
            r"must return the batch's mean loss, one element, got shape \(4,\); use reduction='mean'",
        ),
    ],
)
@pytest.mark.parametrize("where", ["fit", "evaluate"])
def test_a_loss_that_is_not_one_element_is_refused_naming_fit_or_evaluate(loss_fn, error, pattern, where):
    model = nn.Linear(3, 2, rng=0)
    batches = [(np.ones((4, 3), dtype=np.float32), np.array([0, 1, 0, 1]))]
    with pytest.raises(error, match=f"{where}: loss_fn {pattern}"):
        if where == "fit":
            fit(model, nn.optim.SGD(model.parameters(), lr=0.1), loss_fn, batches, epochs=1, progress=False)
        else:
            evaluate(model, batches, loss_fn)


def test_evaluate_weights_batches_by_their_size():
    model = nn.Linear(3, 4, rng=0)
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(7, 3)).astype(np.float32), rng.integers(0, 4, 7)
    loss, acc = evaluate(model, DataLoader(X, y, batch_size=3), cross_entropy)
    scores = model(Tensor(X))
    assert loss == pytest.approx(cross_entropy(scores, y).item(), rel=1e-5)
    assert acc == pytest.approx(np.mean(scores.data.argmax(axis=1) == y))


def test_evaluate_and_fit_take_unbatched_samples_as_batches_of_one():
    # DataLoader(batch_size=None) yields single samples (x of shape (3,), a 0-d label), as torch's
    model = nn.Linear(3, 4, rng=0)
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(7, 3)).astype(np.float32), rng.integers(0, 4, 7)
    scores = model.weight.data @ X.T + model.bias.data[:, None]  # (4, 7), by hand
    log_probabilities = scores - np.log(np.exp(scores).sum(axis=0))
    loss, acc = evaluate(model, DataLoader(X, y, batch_size=None), cross_entropy)
    assert loss == pytest.approx(-np.mean(log_probabilities[y, np.arange(7)]), rel=1e-5)
    assert acc == pytest.approx(np.mean(scores.argmax(axis=0) == y))
    history = fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.0),
        cross_entropy,
        DataLoader(X, y, batch_size=None),
        epochs=1,
        progress=False,
    )
    assert history.train_loss == [pytest.approx(loss, rel=1e-5)] and history.train_acc == [pytest.approx(acc)]


def test_accuracy_handles_class_scores_logits_and_signed_labels():
    assert accuracy(np.array([[0.1, 0.9], [2.0, -1.0], [0.0, 1.0]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(np.array([[0.5], [-0.5], [2.0]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(np.array([0.5, -0.5, -2.0, 1.0]), np.array([1, -1, 1, 1])) == pytest.approx(3 / 4)
    with pytest.raises(ValueError, match="3 predictions for 2 targets"):
        accuracy(np.zeros((3, 2)), np.zeros(2))


def test_accuracy_of_one_hot_targets_says_to_take_their_argmax():
    scores = np.array([[0.1, 0.9, 0.0], [2.0, -1.0, 0.5]])
    with pytest.raises(ValueError, match=r"targets of shape \(2, 3\).*one-hot.*target.argmax\(1\)"):
        accuracy(scores, np.eye(3)[[1, 0]])
    assert accuracy(scores, np.eye(3)[[1, 0]].argmax(1)) == 1.0


def test_the_accuracy_metric_leaves_out_targets_that_are_not_class_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 4)).astype(np.float32)
    regression = rng.normal(size=(16, 2)).astype(np.float32)
    model = nn.Linear(4, 2, rng=0)
    history = nn.fit(
        model,
        nn.optim.SGD(model.parameters(), lr=0.1),
        nn.MSELoss(),
        DataLoader(X, regression, batch_size=8),
        val_loader=DataLoader(X, regression, batch_size=8),
        epochs=2,
        progress=False,
    )
    assert history.train_acc == [] and history.val_acc == [] and len(history.train_loss) == 2
    labels = (X[:, 0] > 0).astype(np.int64)
    _, measured = nn.evaluate(model, DataLoader(X, labels, batch_size=8), nn.CrossEntropyLoss())
    expected = np.mean(model(Tensor(X)).data.argmax(axis=1) == labels)
    assert measured == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "target", "expected"),
    [
        ([[2.0, 1.0], [0.0, 3.0]], [0, 0], 0.5),  # class indices
        ([[2.0, 1.0], [0.0, 3.0]], [[0.0], [1.0]], 1.0),  # a column of whole numbers
        ([0.5, -0.5], [1, -1], 1.0),  # one score per sample: its sign against -1/+1
        ([[2.0, 1.0], [0.0, 3.0]], [[1.0, 0.0], [0.0, 1.0]], None),  # one-hot rows
        ([0.5, -0.5], [0.3, 2.0], None),  # regression values
        ([0.5, -0.5], [2, 1], None),  # one score cannot tell class 2
        ([[2.0, 1.0], [0.0, 3.0]], [0, 5], None),  # beyond the scores' classes
    ],
)
def test_class_label_accuracy_measures_only_class_labels(scores, target, expected):
    from nn.training import class_label_accuracy

    assert class_label_accuracy(np.array(scores), np.array(target)) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"callbacks": [EarlyStopping()]}, "watches 'val_loss', which needs a val_loader"),
        ({"callbacks": [EarlyStopping(monitor="train_acc")], "metric": None}, "needs a metric"),
        ({"val_loader": DataLoader(np.zeros((0, 4), np.float32), np.zeros(0, int), batch_size=4)}, "yields no batches"),
        (
            {"val_loader": DataLoader(np.zeros((3, 4), np.float32), np.zeros(3, int), batch_size=4, drop_last=True)},
            "yields no batches",
        ),
    ],
)
def test_fit_refuses_what_would_fail_after_training_before_any_step(options, message):
    model = nn.Linear(4, 2, rng=0)
    before = model.weight.data.copy()
    train = DataLoader(np.ones((8, 4), np.float32), np.zeros(8, int), batch_size=4)
    with pytest.raises(ValueError, match=message):
        nn.fit(model, nn.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, progress=False, **options)
    np.testing.assert_array_equal(model.weight.data, before)


def test_best_epoch_passes_over_nan_losses():
    history = History()
    for loss in (1.0, float("nan"), 0.5):
        history.record({"train_loss": loss, "val_loss": loss})
    assert history.best_epoch == 2
    only_nan = History()
    only_nan.record({"train_loss": float("nan")})
    assert only_nan.best_epoch is None


def test_fit_refuses_an_iterator_it_would_use_up_in_the_first_epoch():
    model = nn.Linear(2, 1, rng=0)
    batches = ((np.ones((4, 2), dtype=np.float32), np.zeros((4, 1), dtype=np.float32)) for _ in range(3))
    with pytest.raises(TypeError, match="train_loader is an iterator, which the first epoch uses up"):
        fit(model, nn.optim.SGD(model.parameters(), lr=0.1), mse_loss, batches, epochs=2, metric=None, progress=False)


class CountedPasses:
    """An iterable of one (x, y) batch that counts the passes begun over it (calls of ``__iter__``)."""

    def __init__(self):
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return iter([(np.ones((4, 2), dtype=np.float32), np.zeros((4, 1), dtype=np.float32))])


def test_fit_begins_one_pass_per_epoch_over_each_loader():
    model = nn.Linear(2, 1, rng=0)
    train, val = CountedPasses(), CountedPasses()
    fit(model, nn.optim.SGD(model.parameters(), lr=0.1), mse_loss, train, val, epochs=3, metric=None, progress=False)
    assert (train.passes, val.passes) == (3, 3)


def test_a_run_resumed_from_a_checkpoint_continues_step_for_step():
    """Two epochs, a checkpoint (model, optimizer, the loader's pass count), two more epochs on fresh objects: the
    same losses and weights as four epochs in one run (the shuffled order of pass k is drawn from (seed, k))."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 4)).astype(np.float32), rng.integers(0, 3, 40)

    def parts():
        model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1))
        return model, nn.optim.Adam(model.parameters(), lr=0.01), DataLoader(X, y, batch_size=8, shuffle=True, seed=3)

    model, optimizer, loader = parts()
    whole = fit(model, optimizer, nn.CrossEntropyLoss(), loader, epochs=4, progress=False)
    first_model, first_optimizer, first_loader = parts()
    first = fit(first_model, first_optimizer, nn.CrossEntropyLoss(), first_loader, epochs=2, progress=False)
    buffer = io.BytesIO()
    state = {"model": first_model.state_dict(), "optimizer": first_optimizer.state_dict(), "epoch": first_loader.epoch}
    nn.save(state, buffer)
    buffer.seek(0)
    checkpoint = nn.load(buffer)
    resumed_model, resumed_optimizer, resumed_loader = parts()
    resumed_model.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    resumed_loader.sampler.epoch = checkpoint["epoch"]
    second = fit(resumed_model, resumed_optimizer, nn.CrossEntropyLoss(), resumed_loader, epochs=2, progress=False)
    assert first.train_loss + second.train_loss == whole.train_loss
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(resumed_model.state_dict()[name], array)


class TwoHeads(nn.Module):
    """Two logit heads for one target: the output is a tuple, which only a loss of its own reads."""

    def __init__(self):
        self.first, self.second = nn.Linear(4, 2, rng=0), nn.Linear(4, 2, rng=1)

    def forward(self, x):
        return self.first(x), self.second(x)


def both_heads_cross_entropy(outputs, target):
    return cross_entropy(outputs[0], target) + cross_entropy(outputs[1], target)


@pytest.mark.parametrize("metric", [None, "accuracy"])
def test_fit_and_evaluate_train_a_model_whose_output_is_a_tuple_with_a_loss_that_reads_it(metric):
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((6, 4)).astype(np.float32), rng.integers(0, 2, 6))]
    model = TwoHeads()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, optimizer, both_heads_cross_entropy, batches, epochs=2, metric=metric, progress=False)
    loss, accuracy_value = evaluate(model, batches, both_heads_cross_entropy, metric=metric)
    assert history.train_acc == [] and accuracy_value is None  # one pair of scores per sample: no accuracy
    x, y = batches[0]
    expected = both_heads_cross_entropy(model(Tensor(x)), y).item()
    assert len(history) == 2 and loss == pytest.approx(expected)


def test_fit_validates_on_a_stream_without_a_length():
    """A DataLoader over an IterableDataset without ``__len__`` has no length (len() is a TypeError, as torch's):
    fit still takes it as val_loader."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 3)).astype(np.float32), np.array([0, 1] * 4)

    class Stream(nn.data.IterableDataset):
        def __iter__(self):
            return iter(zip(X, y))

    model = nn.Linear(3, 2, rng=0)
    stream = DataLoader(Stream(), batch_size=4)
    history = fit(
        model, nn.optim.SGD(model.parameters(), lr=0.1), cross_entropy, stream, stream, epochs=2, progress=False
    )
    assert len(history.val_loss) == 2 and history.val_loss[-1] == pytest.approx(
        evaluate(model, stream, cross_entropy)[0]
    )


# -- arguments fit cannot use: refused before any step, naming the argument --------------------------------------


def _fit_parts():
    model = Constant(W0)
    return model, nn.optim.SGD(model.parameters(), lr=0.5)


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (lambda parts: {**parts, "optimizer": None}, TypeError, "fit: optimizer must have zero_grad"),
        (lambda parts: {**parts, "model": parts["optimizer"], "optimizer": parts["model"]}, TypeError, "fit: model"),
        (lambda parts: {**parts, "loss_fn": "cross_entropy"}, TypeError, "fit: loss_fn must be callable"),
        (lambda parts: {**parts, "loss_fn": nn.MSELoss}, TypeError, r"pass an instance, MSELoss\(\)"),
        (lambda parts: {**parts, "train_loader": None}, TypeError, "fit: train_loader"),
        (lambda parts: {**parts, "callbacks": EarlyStopping()}, TypeError, "fit: callbacks must be a list"),
        (lambda parts: {**parts, "model": Constant(W0)}, ValueError, "holds none of the Constant's parameters"),
        (lambda parts: {**parts, "loss_fn": lambda scores, target: 1.0}, TypeError, "must return a one-element"),
    ],
)
def test_fit_refuses_parts_it_cannot_use_and_changes_nothing(change, error, pattern):
    model, optimizer = _fit_parts()
    parts = change({"model": model, "optimizer": optimizer, "loss_fn": half_squared_norm, "train_loader": one_batch()})
    with pytest.raises(error, match=pattern):
        fit(**parts, epochs=1, progress=False)
    np.testing.assert_array_equal(model.w.data, W0)


@pytest.mark.parametrize(
    "loss_fn",
    [
        nn.BCELoss(),
        nn.functional.binary_cross_entropy,
        functools.partial(nn.functional.binary_cross_entropy, reduction="mean"),  # (how the main job passes options)
        functools.partial(functools.partial(nn.functional.binary_cross_entropy), weight=None),
    ],
)
def test_accuracy_of_a_sigmoid_output_under_bce_reads_probabilities_above_one_half(loss_fn):
    # with probabilities, class 1 is p > 0.5 (reading them as logits, p > 0, would predict 1 for every sample)
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 2)), rng.integers(0, 2, size=40).astype(np.float64)
    model = nn.Sequential(nn.Linear(2, 1, rng=0, dtype=np.float64), nn.Sigmoid(), nn.Flatten(0))
    weight, bias = model[0].weight.data, model[0].bias.data
    probabilities = 1 / (1 + np.exp(-(x @ weight.T + bias).reshape(-1)))
    expected = np.mean((probabilities > 0.5) == y)
    assert expected != np.mean(y)  # the two readings differ on this data
    _, measured = evaluate(model, DataLoader(x, y, batch_size=16), loss_fn)
    assert measured == pytest.approx(expected)
    history = fit(model, nn.optim.SGD(model.parameters(), lr=0.0), loss_fn, DataLoader(x, y, batch_size=40), epochs=1)
    assert history.train_acc[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("arguments", "pattern"),
    [
        (
            lambda model, loader: (model, mse_loss, loader),
            r"evaluate: the loader and the loss look swapped .*fit takes",
        ),
        (lambda model, loader: (model, loader, nn.MSELoss), r"evaluate: loss_fn is the class MSELoss; .*MSELoss\(\)"),
        (lambda model, loader: (model, loader, "mse_loss"), "evaluate: loss_fn must be callable"),
        (lambda model, loader: (model, None, mse_loss), "evaluate: loader must be an iterable"),
        (lambda model, loader: (loader, model, mse_loss), "evaluate: model must be an nn.Module"),
    ],
)
def test_evaluate_names_the_argument_it_cannot_use(arguments, pattern):
    # fit takes (model, optimizer, loss_fn, loader) and evaluate (model, loader, loss_fn): a student passing the loss
    # first got numpy's "'function' object is not iterable", or CrossEntropyLoss.__init__'s complaint for the class
    model = nn.Linear(2, 1, rng=0)
    loader = DataLoader(np.ones((4, 2), dtype=np.float32), np.zeros((4, 1), dtype=np.float32), batch_size=2)
    with pytest.raises(TypeError, match=pattern):
        evaluate(*arguments(model, loader))
    loss, metric = evaluate(model, loader, mse_loss, metric=None)  # the right order still works
    assert metric is None and loss == pytest.approx(float(np.mean(model(np.ones((4, 2), dtype=np.float32)).data ** 2)))
