"""torch's ``AdaptiveLogSoftmaxWithLoss`` (Grave et al., *Efficient softmax approximation for GPUs*, 2016): a softmax
over many classes, most of them rare, split into a head and tail clusters.

With ``cutoffs`` c_1 < ... < c_k < n_classes, the head scores the c_1 frequent classes and one entry per cluster
(the classes c_j .. c_{j+1} - 1, c_{k+1} = n_classes); cluster j scores its own classes through a bottleneck
``Linear(in_features, in_features // div_value^j)``, ``Linear(..., cluster size)``. The log-probability of a class
y of cluster j is the head's log-probability of that cluster plus the cluster's own:

    log p(y | x) = log_softmax(head(x))[y]                                   for y < c_1,
    log p(y | x) = log_softmax(head(x))[c_1 + j - 1] + log_softmax(tail_j(x))[y - c_j]   otherwise.

Everything is recorded with the library's ops (Linear, log_softmax, gathers, concatenation), so gradients with
respect to the input and to every weight come from the engine; each tail runs only on the rows whose targets lie
in its cluster, as torch's.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import IndexBoundsError, IndexDtypeError, ShapeError, Tensor, concatenate, from_numpy, take_along_axis

from .checks import check_flag, check_positive_int, check_real, make_generator
from .containers import ModuleList
from .functional.activations import as_float_tensor
from .functional.activations import log_softmax as _log_softmax
from .layers import Linear, Sequential
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

#: ``forward``'s result, torch's named pair: ``output`` (each target's log-probability) and ``loss`` (their
#: negated mean).
_ASMoutput = collections.namedtuple("_ASMoutput", ["output", "loss"])

_CUTOFF_RULE = (
    "cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is "
    "between 1 and n_classes-1"
)


def _log_softmax_rows(x: Tensor) -> Tensor:
    return _log_softmax(x, axis=1)


class AdaptiveLogSoftmaxWithLoss(Module):
    """The adaptive softmax (see the module docstring): ``forward(input, target)`` returns ``(output, loss)``, the
    log-probability of each target and the mean negative log-likelihood; ``log_prob(input)`` the (N, n_classes)
    log-probabilities; ``predict(input)`` the most probable class of each row.

    Parameters as torch's, so its state dict loads: ``head.weight`` (c_1 + k, in_features), ``head.bias`` with
    ``head_bias``, and for cluster i ``tail.i.0.weight`` (in_features // div_value^(i+1), in_features) and
    ``tail.i.1.weight`` (cluster size, in_features // div_value^(i+1)), none with a bias.
    """

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Sequence[int],
        div_value: float = 4.0,
        head_bias: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        owner = "AdaptiveLogSoftmaxWithLoss"
        self.in_features = check_positive_int(owner, "in_features", in_features)
        self.n_classes = check_positive_int(owner, "n_classes", n_classes)
        if isinstance(cutoffs, (str, bytes)) or not isinstance(cutoffs, (Sequence, np.ndarray)):
            raise TypeError(f"{owner}: cutoffs must be a sequence of ints, got {cutoffs!r}")
        cutoffs = list(cutoffs)
        if not cutoffs:
            raise ValueError(f"{owner}: cutoffs should be a sequence of length larger than 0")
        if not all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in cutoffs):
            raise ValueError(f"{owner}: {_CUTOFF_RULE}, got {cutoffs!r}")
        if cutoffs != sorted(set(cutoffs)) or cutoffs[0] <= 0 or cutoffs[-1] > self.n_classes - 1:
            raise ValueError(f"{owner}: {_CUTOFF_RULE}, got {cutoffs!r} for n_classes={n_classes}")
        self.div_value = check_real(owner, "div_value", div_value, 0.0, low_open=True)
        self.head_bias = check_flag(owner, "head_bias", head_bias)
        self.cutoffs = [int(c) for c in cutoffs] + [self.n_classes]
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        options = {"dtype": dtype, "device": device, "rng": make_generator(owner, "rng", rng)}
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias, **options)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(self.in_features // (self.div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(
                Sequential(
                    Linear(self.in_features, hidden, bias=False, **options), Linear(hidden, size, bias=False, **options)
                )
            )

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw every weight (and the head's bias) again, as the constructor does (``rng`` as its)."""
        generator = make_generator("AdaptiveLogSoftmaxWithLoss", "rng", rng)
        self.head.reset_parameters(generator)
        for projection in self.tail:
            for layer in projection:
                layer.reset_parameters(generator)

    def _batch(self, input: Any, target: Any) -> tuple[Tensor, np.ndarray, bool]:
        """(N, in_features) input, (N,) int64 targets and whether the call was batched, with torch's checks."""
        x = as_float_tensor(input, "AdaptiveLogSoftmaxWithLoss")
        labels = np.asarray(target._data if isinstance(target, Tensor) else target)
        if labels.dtype.kind not in "iu":
            raise IndexDtypeError(f"AdaptiveLogSoftmaxWithLoss: target must hold integers, got dtype {labels.dtype}")
        if labels.ndim == 1:
            if x.shape[:1] != labels.shape:
                raise ShapeError(
                    "AdaptiveLogSoftmaxWithLoss: Input and target should have the same size in the batch dimension, "
                    f"got input {x.shape} and target {labels.shape}"
                )
            if x.ndim != 2:
                raise ShapeError(
                    f"AdaptiveLogSoftmaxWithLoss: 1D target tensor expects 2D input tensors, but found inputs with "
                    f"size {x.shape}"
                )
        elif labels.ndim == 0:
            if x.ndim != 1:
                raise ShapeError(
                    f"AdaptiveLogSoftmaxWithLoss: 0D target tensor expects 1D input tensors, but found inputs with "
                    f"size {x.shape}"
                )
        else:
            raise ShapeError(
                f"AdaptiveLogSoftmaxWithLoss: 0D or 1D target tensor expected, multi-target not supported, got target "
                f"of shape {labels.shape}"
            )
        if labels.size and (labels.min() < 0 or labels.max() > self.n_classes - 1):
            raise IndexBoundsError(
                f"AdaptiveLogSoftmaxWithLoss: Target values should be in [0, {self.n_classes - 1}], but values in "
                f"range [{labels.min()}, {labels.max()}] were found."
            )
        batched = labels.ndim == 1
        return (x, labels.astype(np.int64), True) if batched else (x.reshape(1, -1), labels.reshape(1), False)

    def forward(self, input: Any, target: Any) -> _ASMoutput:
        """(output, loss): output[n] = log p(target[n] | input[n]) (see the module docstring), loss = -mean(output).
        (N, in_features) input with (N,) integer targets, or (in_features,) with a 0-d target (a 0-d output)."""
        x, labels, batched = self._batch(input, target)
        cluster_of = np.searchsorted(np.asarray(self.cutoffs), labels, side="right")  # 0: the shortlist
        head_entry = np.where(cluster_of == 0, labels, self.shortlist_size + cluster_of - 1)
        head_logprob = _log_softmax_rows(self.head(x))
        head_part = take_along_axis(head_logprob, head_entry[:, None], axis=1).reshape(-1)
        in_shortlist = np.flatnonzero(cluster_of == 0)
        pieces, order = [Tensor(np.zeros(in_shortlist.size, dtype=head_part.dtype))], [in_shortlist]
        for cluster, projection in enumerate(self.tail, start=1):
            rows = np.flatnonzero(cluster_of == cluster)
            if rows.size == 0:
                continue
            cluster_logprob = _log_softmax_rows(projection(x[rows]))
            relative = labels[rows] - self.cutoffs[cluster - 1]
            pieces.append(take_along_axis(cluster_logprob, relative[:, None], axis=1).reshape(-1))
            order.append(rows)
        placed = np.empty(len(labels), dtype=np.intp)
        placed[np.concatenate(order)] = np.arange(len(labels))
        output = concatenate(pieces)[placed] + head_part
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.reshape(()), loss)

    def _full_log_prob(self, x: Tensor, head_output: Tensor) -> Tensor:
        """The (N, n_classes) log-probabilities of (N, in_features) ``x`` whose head scores are ``head_output``."""
        head_logprob = _log_softmax_rows(head_output)
        columns = [head_logprob[:, : self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster = self.shortlist_size + i
            columns.append(_log_softmax_rows(projection(x)) + head_logprob[:, cluster : cluster + 1])
        return concatenate(columns, axis=1)

    def _input(self, input: Any, method: str) -> Tensor:
        x = as_float_tensor(input, f"AdaptiveLogSoftmaxWithLoss.{method}")
        if x.ndim != 2:
            raise ShapeError(f"AdaptiveLogSoftmaxWithLoss.{method}: expected an input (N, in_features), got {x.shape}")
        return x

    def log_prob(self, input: Any) -> Tensor:
        """log p(c | x) of every class c for each row of (N, in_features) ``input``: an (N, n_classes) Tensor."""
        x = self._input(input, "log_prob")
        return self._full_log_prob(x, self.head(x))

    def predict(self, input: Any) -> Tensor:
        """The most probable class of each row of (N, in_features) ``input`` (int64, outside the graph): the head's
        best entry when it is a shortlist class, else the best class of the full distribution, as torch's (the
        argmax of ``log_prob``, computed only for the rows that need it)."""
        x = self._input(input, "predict")
        head_output = self.head(x)
        best = np.argmax(head_output.data, axis=1).astype(np.int64)
        rows = np.flatnonzero(best >= self.shortlist_size)
        if rows.size:
            full = self._full_log_prob(x[rows], head_output[rows])
            best[rows] = np.argmax(full.data, axis=1)
        return from_numpy(best)
