"""A ``fit`` loop with history, metrics, callbacks and a progress bar; ``evaluate`` and ``predict``.

The loop works with any callable Module on Tensors, any optimizer with ``zero_grad()``
and ``step()``, and any loss ``loss_fn(output, target) -> scalar Tensor`` that averages
over the batch (``reduction="mean"``): epoch losses are averages over samples, weighted
by batch size. Batches come as numpy arrays ``(x, y)``; ``x`` is wrapped in a Tensor.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Node, Tensor, no_grad

from .callbacks import Callback, EarlyStopping
from .checks import check_positive_int, check_real
from .data.loader import DataLoader
from .functional.losses import binary_cross_entropy
from .losses import BCELoss
from .module import Module
from .optim import clip_grad_norm_

Metric = Callable[[np.ndarray, np.ndarray], float]


def accuracy(scores: Any, target: Any, threshold: float = 0.0) -> float:
    """Fraction of correct predictions.

    Scores of shape (N, C) with C > 1 predict argmax over axis 1. A single score per
    sample ((N,) or (N, 1): a logit or margin) predicts by its sign: class 1 when
    score > ``threshold`` (0; 0.5 for a probability), else class 0, or else -1 when the
    targets use the labels {-1, +1}.
    """
    scores = np.asarray(scores._data if isinstance(scores, Tensor) else scores)
    given = np.asarray(target._data if isinstance(target, Tensor) else target)
    if scores.ndim == 2 and scores.shape[1] > 1 and given.shape == scores.shape:
        raise ValueError(
            f"accuracy: targets of shape {given.shape}, the scores' own: one-hot rows or probabilities, where one "
            "class label per sample is expected; pass target.argmax(1)"
        )
    target = given.reshape(-1)
    if scores.ndim >= 2 and scores.shape[1] > 1:
        predicted = scores.argmax(axis=1).reshape(-1)
    else:
        positive = scores.reshape(-1) > threshold
        negative_label = -1 if target.size and target.min() < 0 else 0
        predicted = np.where(positive, 1, negative_label)
    if predicted.shape != target.shape:
        raise ValueError(f"accuracy: {predicted.size} predictions for {target.size} targets")
    return float(np.mean(predicted == target)) if target.size else 0.0


def class_label_accuracy(scores: Any, target: Any, threshold: float = 0.0) -> float | None:
    """:func:`accuracy` where ``target`` holds one class label per sample, None for any other target (regression
    values, one-hot rows, probabilities), which has no accuracy: the metric ``"accuracy"`` of :func:`fit` and
    :func:`evaluate`. Labels are whole numbers in [0, C) for C > 1 scores per sample, 0/1 or -1/+1 for one. Scores
    that are not one array (a Tensor or an ndarray), as a model's tuple or dict of outputs, have no accuracy either."""
    if not isinstance(scores, (Tensor, np.ndarray)):
        return None
    labels = np.asarray(target)
    scores = np.asarray(scores._data if isinstance(scores, Tensor) else scores)
    if labels.dtype.kind not in "biuf" or (labels.ndim > 1 and labels.shape[1:] != (1,)) or not scores.ndim:
        return None
    labels = labels.reshape(-1)
    if not np.all(labels == np.trunc(labels)):
        return None
    classes = scores.shape[1] if scores.ndim >= 2 and scores.shape[1] > 1 else 0
    if classes:
        labelled = bool(np.all((labels >= 0) & (labels < classes)))
    else:  # one score per sample: its sign tells 1 from 0, or +1 from -1
        present = set(np.unique(labels).tolist())
        labelled = present <= {0, 1} or present <= {-1, 1}
    return accuracy(scores, labels, threshold) if labelled else None


def _metric_function(metric: str | Metric | None, loss_fn: Any = None) -> Metric | None:
    """The metric of :func:`fit` and :func:`evaluate`: ``"accuracy"`` is :func:`class_label_accuracy`, whose single
    scores are read as probabilities (class 1 above 0.5) when ``loss_fn`` takes probabilities (``BCELoss``,
    ``F.binary_cross_entropy``, or a ``functools.partial`` of either: a model ending in a sigmoid), as logits or
    margins (class 1 above 0) otherwise."""
    if metric is None or callable(metric):
        return metric
    if metric == "accuracy":
        while isinstance(loss_fn, functools.partial):  # partial(F.binary_cross_entropy, weight=...) still takes them
            loss_fn = loss_fn.func
        if isinstance(loss_fn, BCELoss) or inspect.unwrap(loss_fn) is inspect.unwrap(binary_cross_entropy):
            return functools.partial(class_label_accuracy, threshold=0.5)
        return class_label_accuracy
    raise ValueError(f"fit: metric must be 'accuracy', None or a callable(scores, target), got {metric!r}")


@dataclass
class History:
    """Per-epoch measurements of a :func:`fit` run (validation lists stay empty without a val_loader,
    accuracy lists without a metric); ``stopped_by`` names the callback that ended training."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    stopped_by: str | None = None

    def __len__(self) -> int:
        return len(self.train_loss)

    @property
    def best_epoch(self) -> int | None:
        """Epoch (from 0) of the lowest validation loss, or of the lowest training loss without validation; nan
        losses never count as the lowest (None when every loss is nan, or none was recorded)."""
        losses = np.asarray(self.val_loss or self.train_loss, dtype=float)
        return int(np.nanargmin(losses)) if losses.size and not np.isnan(losses).all() else None

    def record(self, logs: dict[str, float | None]) -> None:
        """Append one epoch's measurements (None entries are not recorded)."""
        for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
            value = logs.get(name)
            if value is not None:
                getattr(self, name).append(float(value))


@contextmanager
def _evaluation_mode(model: Module) -> Iterator[None]:
    """Eval mode and no graph inside; every module's own training flag is restored afterwards."""
    flags = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with no_grad():
            yield
    finally:
        for module, training in flags:
            module.training = training


def _as_pair(batch: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"{where}: the loader must yield (x, y) batches, got {type(batch).__name__}")
    return batch[0], batch[1]


class _Running:
    """Sample-weighted running means of the loss and the metric over one pass."""

    def __init__(self, metric: Metric | None) -> None:
        self.metric = metric
        self.samples = 0
        self.loss_sum = 0.0
        self.metric_sum = 0.0

    def add(self, loss: float, scores: Any, target: np.ndarray) -> None:
        """Count one batch: its mean ``loss`` weighted by its size, and the metric of the model's output ``scores``
        (given to the metric as an ndarray when it is one Tensor, else as it is: a tuple or dict of outputs)."""
        if isinstance(scores, Tensor):
            scores = np.asarray(scores._data)
        if target.ndim == 0:  # one unbatched sample (a loader with batch_size=None): a batch of one
            target = target[None]
            scores = scores[None] if isinstance(scores, np.ndarray) else scores
        n = len(target)
        if n == 0:  # an empty batch weighs nothing (its mean loss, 0 / 0, is nan and would spoil the pass's mean)
            return
        self.samples += n
        self.loss_sum += loss * n
        if self.metric is not None:
            value = self.metric(scores, target)
            if value is None:  # the default accuracy of targets that are not class labels: no metric for the pass
                self.metric = None
                return
            self.metric_sum += float(value) * n

    @property
    def loss(self) -> float:
        return self.loss_sum / self.samples

    @property
    def metric_value(self) -> float | None:
        return None if self.metric is None else self.metric_sum / self.samples


def _batch_loss(loss: Any, where: str) -> Node:
    """``loss``, what ``loss_fn`` returned for one batch, if it is a one-element Tensor (the batch's mean); else an
    error naming ``where`` (``fit`` or ``evaluate``)."""
    if not isinstance(loss, Node):
        raise TypeError(f"{where}: loss_fn must return a one-element Tensor, got {type(loss).__name__}")
    if np.size(loss._data) != 1:
        raise ValueError(
            f"{where}: loss_fn must return the batch's mean loss, one element, got shape {np.shape(loss._data)}; "
            "use reduction='mean'"
        )
    return loss


def _check_evaluate_parts(model: Any, loader: Any, loss_fn: Any) -> None:
    """Refuse, with the argument's name, what evaluate cannot use, as :func:`fit` does: a model that is not a
    Module, a loader that is not iterable, a loss that is not callable or is a class. A loss and a loader given the
    other way round (``fit``'s order, loss before loader) are named as swapped."""
    if not isinstance(model, Module):
        raise TypeError(f"evaluate: model must be an nn.Module, got {type(model).__name__}")
    loader_is_iterable = isinstance(loader, Iterable) or hasattr(loader, "__getitem__")
    if callable(loss_fn) and not isinstance(loss_fn, type) and loader_is_iterable:
        return
    if callable(loader) and (isinstance(loss_fn, Iterable) or hasattr(loss_fn, "__getitem__")):
        raise TypeError(
            f"evaluate: the loader and the loss look swapped (got {type(loader).__name__} as loader, "
            f"{type(loss_fn).__name__} as loss_fn); the order is evaluate(model, loader, loss_fn), "
            "while fit takes (model, optimizer, loss_fn, train_loader)"
        )
    if not loader_is_iterable:
        raise TypeError(f"evaluate: loader must be an iterable of (x, y) batches, got {type(loader).__name__}")
    if isinstance(loss_fn, type):
        raise TypeError(f"evaluate: loss_fn is the class {loss_fn.__name__}; pass an instance, {loss_fn.__name__}()")
    raise TypeError(f"evaluate: loss_fn must be callable (e.g. nn.CrossEntropyLoss()), got {type(loss_fn).__name__}")


def evaluate(
    model: Module,
    loader: Iterable[Any],
    loss_fn: Callable[[Any, Any], Tensor],
    metric: str | Metric | None = "accuracy",
) -> tuple[float, float | None]:
    """Mean loss and metric of ``model`` over ``loader``, in eval mode without a graph.

    Returns ``(loss, accuracy)`` (the metric is None when ``metric=None``); the
    training flags of all modules are restored afterwards.
    """
    _check_evaluate_parts(model, loader, loss_fn)
    running = _Running(_metric_function(metric, loss_fn))
    with _evaluation_mode(model):
        for batch in loader:
            x, y = _as_pair(batch, "evaluate")
            scores = model(Tensor(x))
            running.add(float(_batch_loss(loss_fn(scores, y), "evaluate").item()), scores, np.asarray(y))
    if running.samples == 0:
        raise ValueError("evaluate: the loader yielded no samples")
    return running.loss, running.metric_value


def predict(model: Module, X: Any, batch_size: int = 256) -> np.ndarray:
    """The model's outputs for the rows of ``X``, in batches, in eval mode without a graph.

    Training flags are restored afterwards. ``batch_size`` is a positive integer (rows per forward pass), and the
    model must return one Tensor per batch, whose first axis is the batch's.
    """
    loader = DataLoader(np.asarray(X), batch_size=check_positive_int("predict", "batch_size", batch_size))
    outputs = []
    with _evaluation_mode(model):
        for x in loader:
            output = model(Tensor(x))
            if not isinstance(output, Tensor):
                raise TypeError(f"predict: the model must return one Tensor per batch, got {type(output).__name__}")
            outputs.append(np.asarray(output._data))
    if not outputs:
        raise ValueError("predict: X has no rows")
    return np.concatenate(outputs)


def _in_jupyter_kernel() -> bool:
    """True inside a Jupyter (ipykernel) kernel, whose output streams are not terminals yet show a bar."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in shell.config


def _progress_bar_class() -> Any:
    """The tqdm class to draw with, or None for no bar.

    In a Jupyter kernel: tqdm's widget with ipywidgets installed, else its plain-text bar (no
    "IProgress not found" warning). Elsewhere the text bar only when stderr is a terminal: a
    file or pipe (CI logs, ``nohup``, ``2>&1 | tee``) gets no carriage-return lines.
    """
    try:
        from tqdm import std
    except ImportError:
        return None
    if _in_jupyter_kernel():
        from tqdm import notebook

        return std.tqdm if notebook.IProgress is None else notebook.tqdm
    stream = sys.stderr
    return std.tqdm if stream is not None and stream.isatty() else None


def _progress(loader: Iterable[Any], enabled: bool, description: str) -> Any:
    """Wrap ``loader`` in a progress bar when asked and one can be shown; else return it unchanged."""
    bar_class = _progress_bar_class() if enabled else None
    if bar_class is None:
        return loader
    return bar_class(loader, desc=description, leave=False, dynamic_ncols=True)


def _check_fit_parts(model: Any, optimizer: Any, loss_fn: Any, train_loader: Any, callbacks: Any) -> None:
    """Refuse, with the argument's name, what fit cannot use: a model that is not a Module, an optimizer without
    ``zero_grad``/``step`` or holding none of the model's parameters (built for another model: training would
    change nothing), a loss that is not callable, a train_loader that is not iterable, a single Callback."""
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    if not (callable(getattr(optimizer, "zero_grad", None)) and callable(getattr(optimizer, "step", None))):
        raise TypeError(
            f"fit: optimizer must have zero_grad() and step() (e.g. nn.optim.SGD(model.parameters(), lr=0.1)), "
            f"got {type(optimizer).__name__}"
        )
    groups = getattr(optimizer, "param_groups", None)
    if isinstance(groups, list) and all(isinstance(group, dict) for group in groups):
        optimized = {id(p) for group in groups for p in group.get("params", ())}
        parameters = model.parameters()  # (a list)
        if parameters and not any(id(p) in optimized for p in parameters):
            raise ValueError(
                f"fit: the optimizer holds none of the {type(model).__name__}'s parameters (was it built for another "
                "model?), so training would not change the model"
            )
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable (e.g. nn.CrossEntropyLoss()), got {type(loss_fn).__name__}")
    if isinstance(loss_fn, type):
        raise TypeError(f"fit: loss_fn is the class {loss_fn.__name__}; pass an instance, {loss_fn.__name__}()")
    if not isinstance(train_loader, Iterable) and not hasattr(train_loader, "__getitem__"):
        raise TypeError(f"fit: train_loader must be an iterable of (x, y) batches, got {type(train_loader).__name__}")
    if isinstance(callbacks, Callback) or not isinstance(callbacks, Iterable):
        raise TypeError(f"fit: callbacks must be a list of Callbacks, got {type(callbacks).__name__}")


def _known_length(loader: Any) -> int | None:
    """``len(loader)``, or None when it has none: no ``__len__``, or one that raises TypeError (a DataLoader over a
    stream without a length, as torch's)."""
    try:
        return len(loader)
    except TypeError:
        return None


def _check_fit_arguments(
    epochs: int, clip_grad_norm: float | None, callbacks: Sequence[Any], val_loader: Any, metric: Any
) -> None:
    """Refuse, before any training step, what would otherwise fail after one: bad numbers, a validation loader
    known to be empty, an EarlyStopping that watches a validation number no val_loader (or no metric) gives."""
    check_positive_int("fit", "epochs", epochs)
    if clip_grad_norm is not None:
        check_real("fit", "clip_grad_norm", clip_grad_norm, 0, low_open=True, allow_inf=True)
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise TypeError(f"fit: callbacks must be nn.callbacks.Callback instances, got {type(callback).__name__}")
        watched = callback.monitor if isinstance(callback, EarlyStopping) else None
        if watched is not None and watched.startswith("val_") and val_loader is None:
            raise ValueError(f"fit: {callback!r} watches {watched!r}, which needs a val_loader")
        if watched is not None and watched.endswith("_acc") and metric is None:
            raise ValueError(f"fit: {callback!r} watches {watched!r}, which needs a metric (metric=None given)")
    if val_loader is not None and _known_length(val_loader) == 0:
        raise ValueError("fit: the val_loader yields no batches (an empty dataset, or drop_last with too few samples)")


def fit(
    model: Module,
    optimizer: Any,
    loss_fn: Callable[[Any, Any], Tensor],
    train_loader: Iterable[Any],
    val_loader: Iterable[Any] | None = None,
    epochs: int = 10,
    metric: str | Metric | None = "accuracy",
    callbacks: Sequence[Callback] = (),
    progress: bool = True,
    clip_grad_norm: float | None = None,
) -> History:
    """Train ``model`` for up to ``epochs`` passes over ``train_loader``; return the :class:`History`.

    Each batch: ``optimizer.zero_grad()``, loss = ``loss_fn(model(x), y)``, ``backward()``,
    optional clipping of the global gradient norm to ``clip_grad_norm``, ``optimizer.step()``.
    Training loss and metric are averaged over the epoch's samples (each batch's value weighted by
    its size) as they are computed (in train mode); validation runs :func:`evaluate` after each epoch. A callback can stop
    training (see :mod:`nn.callbacks`). A loss that becomes nan or inf does not stop training by itself (as in a
    torch loop): it is recorded as it is (:attr:`History.best_epoch` passes over nan), and a callback whose
    ``on_epoch_end`` returns True on it stops the run (``python -m nn`` does so and writes no model).
    ``progress`` shows a tqdm bar with the running loss and metric when tqdm is installed and stderr is a
    terminal or a Jupyter notebook (plain text there without ipywidgets); logs and pipes get no bar.
    """
    _check_fit_parts(model, optimizer, loss_fn, train_loader, callbacks)
    callbacks = list(callbacks)
    _check_fit_arguments(epochs, clip_grad_norm, callbacks, val_loader, metric)
    for name, loader in (("train_loader", train_loader), ("val_loader", val_loader)):
        # A generator gives one pass, then nothing. Told by its type, not by iter(loader) is loader: iter() would
        # begin a pass (a DataLoader counts it in its epoch, a stream may open its source).
        if epochs > 1 and isinstance(loader, Iterator):
            raise TypeError(
                f"fit: {name} is an iterator, which the first epoch uses up; give a DataLoader, a list of batches or "
                f"another iterable that can be iterated once per epoch (or epochs=1)"
            )
    metric_function = _metric_function(metric, loss_fn)
    history = History()
    for callback in callbacks:
        callback.on_train_begin(model)
    for epoch in range(epochs):
        model.train()
        for callback in callbacks:
            callback.on_epoch_begin(epoch, model)
        running = _Running(metric_function)
        stopper: Callback | None = None
        bar = _progress(train_loader, progress, f"epoch {epoch + 1}/{epochs}")
        for batch in bar:
            x, y = _as_pair(batch, "fit")
            optimizer.zero_grad()
            scores = model(Tensor(x))
            loss = _batch_loss(loss_fn(scores, y), "fit")
            loss.backward()
            running.add(float(loss.item()), scores, np.asarray(y))
            stops = [callback for callback in callbacks if callback.on_after_backward(model)]
            if stops:
                stopper = stops[0]
                break
            if clip_grad_norm is not None:
                clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()
            if bar is not train_loader:
                postfix = {"loss": f"{running.loss:.4f}"}
                if running.metric_value is not None:
                    postfix["acc"] = f"{running.metric_value:.4f}"
                bar.set_postfix(postfix, refresh=False)  # shown at the next tick, with the right count
        if bar is not train_loader:
            bar.close()
        if running.samples == 0:
            raise ValueError("fit: train_loader yielded no samples")
        logs: dict[str, float | None] = {"train_loss": running.loss, "train_acc": running.metric_value}
        logs["val_loss"], logs["val_acc"] = (None, None)
        if val_loader is not None:
            logs["val_loss"], logs["val_acc"] = evaluate(model, val_loader, loss_fn, metric_function)
        history.record(logs)
        stops = [callback for callback in callbacks if callback.on_epoch_end(epoch, logs, model)]
        stopper = stopper or (stops[0] if stops else None)
        if stopper is not None:
            history.stopped_by = repr(stopper)
            break
    for callback in callbacks:
        callback.on_train_end(model)
    return history
