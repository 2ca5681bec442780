"""Recurrent layers with torch's arguments, parameter names and gate layouts: ``RNNCell``, ``LSTMCell``,
``GRUCell`` (one step) and ``RNN``, ``LSTM``, ``GRU`` (a sequence, stacked layers, both directions).

A cell's step is built from the library's ops (the fused ``linear`` node, the fused ``lstm_cell`` / ``gru_cell``),
and so are the steps of an RNN, of a PackedSequence and of an LSTM with ``proj_size``: the gradient through time is
backpropagation over the unrolled graph. Each layer and direction of another LSTM or GRU is one node
(``lstm_sequence`` / ``gru_sequence``), whose backward is the same backpropagation through time in numpy. With the input x_t and the
previous hidden state h (and cell state c for the LSTM), gates stacked as torch stacks them:

* RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu;
* LSTM (i, f, g, o): i, f, o = sigmoid(.), g = tanh(.); c' = f c + i g; h' = o tanh(c');
* GRU (r, z, n): r, z = sigmoid(W_i x + b_i + W_h h + b_h); n = tanh(W_in x + b_in + r (W_hn h + b_hn));
  h' = (1 - z) n + z h.

Every weight and bias starts uniform in [-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch's.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, Node, ShapeError, Tensor, concatenate, linear, stack, where
from autograd.anomaly import is_anomaly_enabled
from autograd.recurrent_cells import gru_cell, gru_sequence, lstm_cell, lstm_sequence
from autograd.shape_errors import integer_argument, is_integer

from . import init as nn_init
from .checks import check_flag, check_integer, check_positive_int, check_real, make_generator, torch_mistyped
from .functional.dropout import dropout
from .module import Module, as_layer_input, check_input_dtype
from .parameter import Parameter, factory_dtype
from .utils.rnn import PackedSequence, pack_in_layout, pad_packed_sequence
from .warning_site import user_stacklevel


class RecurrentDtypeError(TypeError, ValueError):
    """An input to RNN, LSTM or GRU whose dtype is not the layer's parameters': a TypeError (the house rule for
    dtypes) that is also the ValueError torch's recurrent layers raise ("RNN input dtype (torch.float64) does not
    match weight dtype"), so code written for either catches it."""


__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RecurrentDtypeError", "RNNCell", "RNNCellBase"]

_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
_NONLINEARITIES = ("tanh", "relu")
#: the parameters of one layer and direction, in torch's order (weight_hr: LSTM with proj_size)
_WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")


def _step(mode: str, from_input: Tensor, state: Any, weights: tuple[Any, ...], nonlinearity: str = "tanh") -> Any:
    """One step of the cell ``mode`` from state ``state`` (h, or (h, c) for the LSTM), given the step's input
    already projected (``from_input`` = x W_ih^T + b_ih); returns the new state. An LSTM with ``weight_hr`` (torch's
    ``proj_size``) projects its hidden state: h = (o tanh(c)) W_hr^T."""
    _, w_hh, _, b_hh, w_hr = weights
    hidden = state[0] if mode == "LSTM" else state
    from_hidden = linear(hidden, w_hh, b_hh)
    if mode == "RNN":
        total = from_input + from_hidden
        return total.tanh() if nonlinearity == "tanh" else total.relu()
    if mode == "LSTM":
        hidden, cell = lstm_cell(from_input + from_hidden, state[1])
        return (hidden, cell) if w_hr is None else (linear(hidden, w_hr), cell)
    return gru_cell(from_input, from_hidden, hidden)


def parameter_shapes(mode: str, config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """The shapes of the parameters of a recurrent layer (``mode`` RNN, LSTM or GRU) built from ``config``
    (its constructor arguments; a cell has no ``num_layers``), by torch's names. An LSTM's ``proj_size`` P > 0
    makes its hidden state P wide (``weight_hh`` (4H, P), the next layer's input D P) and adds ``weight_hr`` (P, H)
    after the biases."""
    rows, cell_size = _GATES[mode] * config["hidden_size"], config["hidden_size"]
    projection = config.get("proj_size", 0)
    hidden = projection or cell_size
    layers, directions = config.get("num_layers"), 2 if config.get("bidirectional") else 1
    suffixes = (
        [("", config["input_size"])]
        if layers is None
        else [
            (f"_l{index}{reverse}", config["input_size"] if index == 0 else directions * hidden)
            for index in range(layers)
            for reverse in ("", "_reverse")[:directions]
        ]
    )
    shapes: dict[str, tuple[int, ...]] = {}
    for suffix, width in suffixes:
        shapes.update({f"weight_ih{suffix}": (rows, width), f"weight_hh{suffix}": (rows, hidden)})
        if config.get("bias", True):
            shapes.update({f"bias_ih{suffix}": (rows,), f"bias_hh{suffix}": (rows,)})
        if projection:
            shapes[f"weight_hr{suffix}"] = (projection, cell_size)
    return shapes


def _state_parts(state: Any) -> tuple[Any, ...]:
    """A layer's state as a tuple: (h, c) for the LSTM, (h,) otherwise."""
    return state if isinstance(state, tuple) else (state,)


class _Recurrent(Module):
    """Shared construction: parameters named as torch names them, initialised as torch initialises them."""

    _kind = ""  # the recurrence: "RNN", "LSTM" or "GRU"

    def _set_sizes(
        self, layer: str, input_size: int, hidden_size: int, nonlinearity: str, bias: bool, dtype: Any, device: Any
    ) -> np.dtype:
        """Check and keep the arguments every recurrent layer has; returns the parameters' dtype. As torch's, a
        layer's sizes must be positive, while a cell also takes an ``input_size`` of 0 (an input without features:
        the biases and the recurrence act alone) and a ``hidden_size`` of 0 (an empty state)."""
        if isinstance(self, RNNCellBase):
            # (a one-element integer Tensor is read as its int, as check_positive_int reads it for the layers; a
            # negative size is torch's RuntimeError, an ArgumentRangeError: a ValueError and a RuntimeError)
            sizes = {"input_size": input_size, "hidden_size": hidden_size}
            read = {name: integer_argument(value) for name, value in sizes.items()}
            self.input_size, self.hidden_size = (
                check_integer(layer, name, value, 0, error=ArgumentRangeError) for name, value in read.items()
            )
        else:
            self.input_size = check_positive_int(layer, "input_size", input_size)
            self.hidden_size = check_positive_int(layer, "hidden_size", hidden_size)
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"{layer}: unknown nonlinearity {nonlinearity!r}; choose 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        self.bias = bool(bias)
        return factory_dtype(layer, device, dtype)

    def _make_parameters(self, dtype: np.dtype, generator: Any, **sequence_options: Any) -> None:
        """Every weight and bias, named, shaped and ordered by :func:`parameter_shapes`, uniform in
        [-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as torch's."""
        config = {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.bias, **sequence_options}
        for name, shape in parameter_shapes(self._kind, config).items():
            setattr(self, name, Parameter(np.zeros(shape, dtype=dtype)))
        self.reset_parameters(generator)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw every weight and bias again, in place and in order, uniform in [-1/sqrt(hidden_size),
        1/sqrt(hidden_size)), as the constructor does (torch's); ``rng`` as the constructor's."""
        generator = make_generator(type(self).__name__, "rng", rng)
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size else 0.0  # (a cell's empty state: torch's 0)
        for parameter in self.parameters(recurse=False):
            nn_init.uniform_(parameter, -bound, bound, rng=generator)

    def _weights(self, suffix: str) -> tuple[Any, ...]:
        """(weight_ih, weight_hh, bias_ih, bias_hh, weight_hr) of one layer and direction, None for those it lacks."""
        return tuple(getattr(self, name + suffix, None) for name in _WEIGHT_NAMES)

    def _state_sizes(self) -> tuple[int, ...]:
        """The widths of the state's parts: (h, c) for the LSTM (h projected to ``proj_size`` when it is set), (h,)."""
        if self._kind != "LSTM":
            return (self.hidden_size,)
        return (getattr(self, "proj_size", 0) or self.hidden_size, self.hidden_size)

    def _zeros(self, leading: tuple[int, ...], size: int) -> Tensor:
        """A zero starting state of ``size`` columns, in the dtype the weights have now (``.double()`` and
        ``.to(dtype)`` change it)."""
        first_weight = getattr(self, "weight_ih", None)
        if first_weight is None:
            first_weight = self.weight_ih_l0
        return Tensor(np.zeros((*leading, size), dtype=first_weight.dtype))


class RNNCellBase(_Recurrent):
    """A single step: ``cell(input, hx=None)``; input (N, input_size) or unbatched (input_size,). The common
    base of RNNCell, LSTMCell and GRUCell, under torch's name (``isinstance(m, nn.RNNCellBase)``). With
    ``bias=False``, ``bias_ih`` and ``bias_hh`` are None, as torch's."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        layer = type(self).__name__
        dtype = self._set_sizes(layer, input_size, hidden_size, nonlinearity, bias, dtype, device)
        self._make_parameters(dtype, make_generator(layer, "rng", rng))
        if not self.bias:  # torch's cells keep the attributes, as None (its layers have no bias_ih_l0 at all)
            self.bias_ih: Parameter | None = None
            self.bias_hh: Parameter | None = None

    def forward(self, input: Any, hx: Any = None) -> Any:
        layer = type(self).__name__
        x = as_layer_input(layer, input, self.weight_ih)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ShapeError(
                f"{layer}: expected an input of shape (N, {self.input_size}) or ({self.input_size},), got {x.shape}"
            )
        check_input_dtype(layer, x, self.weight_ih)
        batch = x.shape[:-1]
        state = _initial_state(layer, self._kind, hx, self, batch)
        weights = self._weights("")
        return _step(self._kind, linear(x, weights[0], weights[2]), state, weights, self.nonlinearity)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        return text + (f", nonlinearity={self.nonlinearity}" if self.nonlinearity != "tanh" else "")


def _carried(running: np.ndarray, update: Any, state: Any) -> Any:
    """The new state where a sequence is still ``running`` (N, 1), the old one where it has ended."""
    if isinstance(update, tuple):
        return tuple(where(running, new, old) for new, old in zip(update, state))
    return where(running, update, state)


def _holds_tensors(hx: Any) -> bool:
    """Whether ``hx`` is a tuple, or a list of tensors or arrays, rather than one array-like state."""
    return isinstance(hx, tuple) or (isinstance(hx, list) and any(isinstance(part, (Node, np.ndarray)) for part in hx))


def _initial_state(layer: str, mode: str, hx: Any, module: _Recurrent, leading: tuple[int, ...]) -> Any:
    """The starting state ``hx`` of ``module`` checked against (*leading, width), each part's width, or zeros; a pair
    (h, c) for the LSTM."""
    sizes = module._state_sizes()
    zeros = [module._zeros(leading, size) for size in sizes]
    if hx is None:
        return tuple(zeros) if mode == "LSTM" else zeros[0]
    if mode == "LSTM" and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
        raise TypeError(f"{layer}: hx must be a pair (h_0, c_0) of tensors, got {type(hx).__name__}")
    if mode != "LSTM" and _holds_tensors(hx):
        raise TypeError(
            f"{layer}: hx must be a single hidden-state tensor of shape {(*leading, sizes[0])}, not a "
            f"{type(hx).__name__} of {len(hx)} (a pair (h_0, c_0) is the LSTM's state)"
        )
    checked = []
    for position, (part, size, zero) in enumerate(zip(hx if mode == "LSTM" else (hx,), sizes, zeros)):
        part = part if isinstance(part, Tensor) else Tensor(np.asarray(part, dtype=zero.dtype))
        check_input_dtype(f"{layer} (initial hidden state)", part, zero)
        if part.shape != (*leading, size):
            what = "cell" if position else "hidden"
            raise ShapeError(f"{layer}: the initial {what} state must have shape {(*leading, size)}, got {part.shape}")
        checked.append(part)
    return tuple(checked) if mode == "LSTM" else checked[0]


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (``nonlinearity="relu"``: relu)."""

    _kind = "RNN"


class _GatedCell(RNNCellBase):
    """The gated cells' constructor: torch's, without a nonlinearity to choose."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, "tanh", dtype, rng, device=device)


class LSTMCell(_GatedCell):
    """One LSTM step; ``hx`` is (h, c); returns (h', c')."""

    _kind = "LSTM"


class GRUCell(_GatedCell):
    """One GRU step (torch's gate layout: r, z, n)."""

    _kind = "GRU"


def _checked_projection(layer: str, mode: str, proj_size: Any, hidden_size: int) -> int:
    """``proj_size`` checked as torch checks it: an int, 0 (no projection) or below ``hidden_size``, LSTM's only."""
    if not is_integer(proj_size):
        raise TypeError(f"{layer}: proj_size must be an int, got {type(proj_size).__name__} {proj_size!r}")
    if proj_size < 0:
        raise ValueError(
            f"{layer}: proj_size should be a positive integer or zero to disable projections, got {proj_size!r}"
        )
    if proj_size and mode != "LSTM":
        raise ValueError(f"{layer}: proj_size argument is only supported for LSTM, not RNN or GRU")
    if proj_size >= hidden_size:
        raise ValueError(f"{layer}: proj_size has to be smaller than hidden_size, got {proj_size} >= {hidden_size}")
    return int(proj_size)


class RNNBase(_Recurrent):
    """A recurrent layer over a sequence: ``layer(input, hx=None)`` returns (output, h_n) ((output, (h_n, c_n))
    for the LSTM). input is (L, N, input_size) ((N, L, input_size) with ``batch_first``) or unbatched
    (L, input_size); output has the last axis ``D * hidden_size`` (D = 2 when ``bidirectional``), h_n is
    (num_layers * D, N, hidden_size); an LSTM's ``proj_size`` P > 0 projects h to P columns (torch's ``weight_hr``),
    so the output is D * P wide and h_n (num_layers * D, N, P), c_n staying H wide. ``dropout`` applies between
    layers while training. A
    :class:`~nn.utils.rnn.PackedSequence` input gives a PackedSequence output, and each sequence's h_n is its
    state at its own last step, as torch's. The common base of RNN, LSTM and GRU, under torch's name
    (``isinstance(m, nn.RNNBase)``; it is built through those three, not with torch's ``RNNBase(mode, ...)``)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
        proj_size: int = 0,
    ) -> None:
        layer = type(self).__name__
        # torch's layers (not its cells) take only a bool bias and batch_first: 0, 1 or 'False' is a TypeError
        check_flag(layer, "bias", bias)
        self.batch_first = check_flag(layer, "batch_first", batch_first)
        dtype = self._set_sizes(layer, input_size, hidden_size, nonlinearity, bias, dtype, device)
        self.num_layers = check_positive_int(layer, "num_layers", num_layers)
        # torch refuses a dropout that is not a number (a bool, a string) with a ValueError: a TypeError here too
        self.dropout = torch_mistyped(check_real, layer, "dropout", dropout, 0, 1)
        if self.dropout > 0 and self.num_layers == 1:  # torch's warning: the dropout between layers has no effect
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        self.bidirectional = bool(bidirectional)
        self.proj_size = _checked_projection(layer, self._kind, proj_size, self.hidden_size)
        generator = make_generator(layer, "rng", rng)
        self._make_parameters(
            dtype, generator, num_layers=self.num_layers, bidirectional=self.bidirectional, proj_size=self.proj_size
        )

    def forward(self, input: Any, hx: Any = None) -> Any:
        layer = type(self).__name__
        if isinstance(input, PackedSequence):
            return self._forward_packed(layer, input, hx)
        x = as_layer_input(layer, input, self.weight_ih_l0)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ShapeError(
                f"{layer}: expected an input of shape (L, N, {self.input_size}), (N, L, {self.input_size}) with "
                f"batch_first, or unbatched (L, {self.input_size}); got {x.shape}"
            )
        check_input_dtype(layer, x, self.weight_ih_l0, RecurrentDtypeError)
        input_shape = x.shape
        unbatched = x.ndim == 2
        if unbatched:
            x = x.reshape((x.shape[0], 1, x.shape[1]))
        elif self.batch_first:
            x = x.transpose((1, 0, 2))
        if x.shape[0] == 0:  # torch's RuntimeError; a ValueError too
            raise ShapeError(
                f"{layer}: expected a sequence length larger than 0, got an input of shape {tuple(input_shape)} "
                "with no time steps"
            )
        output, finals = self._run(layer, x, hx, unbatched)
        if unbatched:
            output = output.reshape((output.shape[0], output.shape[-1]))
        elif self.batch_first:
            output = output.transpose((1, 0, 2))
        return output, self._final_states(finals, unbatched)

    def _forward_packed(self, layer: str, packed: PackedSequence, hx: Any) -> Any:
        """The layer over a PackedSequence: a PackedSequence of outputs in the same layout, and the states at
        each sequence's own last step (the first step for the reverse direction), in the batch's order."""
        data = as_layer_input(layer, packed.data, self.weight_ih_l0)
        if data.ndim != 2 or data.shape[-1] != self.input_size:
            raise ShapeError(
                f"{layer}: expected a PackedSequence whose data has shape (sum of lengths, {self.input_size}), "
                f"got {data.shape}"
            )
        check_input_dtype(layer, data, self.weight_ih_l0, RecurrentDtypeError)
        padded, _ = pad_packed_sequence(packed._replace(data=data))
        lengths = packed.lengths()
        output, finals = self._run(layer, padded, hx, False, lengths)
        return pack_in_layout(output, lengths, packed.sorted_indices), self._final_states(finals, False)

    def _run(
        self, layer: str, x: Tensor, hx: Any, unbatched: bool, lengths: np.ndarray | None = None
    ) -> tuple[Tensor, list[Any]]:
        """Every layer and direction over ``x`` (L, N, input_size): the last layer's outputs (L, N, D * hidden)
        and the final state of each layer and direction. With ``lengths``, sequence b runs for its first
        lengths[b] steps only: past its end its state is carried unchanged (so a reverse pass starts at its
        last real step, and the final state is the one at its end)."""
        steps, batch = x.shape[0], x.shape[1]
        directions = 2 if self.bidirectional else 1
        states = self._initial_states(layer, hx, batch, directions, unbatched)
        running = None if lengths is None else (np.arange(steps)[:, None] < lengths[None, :])[..., None]
        # each layer and direction of an unpacked LSTM or GRU (no proj_size) is one node; anomaly mode keeps the
        # step-by-step graph, whose nodes it can name
        fused = self._kind != "RNN" and running is None and not self.proj_size and not is_anomaly_enabled()
        finals: list[Any] = []
        layer_input = x  # (L, N, features): the input, then each layer's outputs
        for index in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(("", "_reverse")[:directions]):
                state = states[index * directions + direction]
                weights = self._weights(f"_l{index}{suffix}")
                projected = linear(layer_input, weights[0], weights[2])  # every step's input at once: one product
                if fused:
                    sequence = lstm_sequence if self._kind == "LSTM" else gru_sequence
                    output, *final = sequence(projected, *_state_parts(state), weights[1], weights[3], bool(direction))
                    finals.append(tuple(final) if self._kind == "LSTM" else final[0])
                    outputs.append(output)
                    continue
                order = range(steps - 1, -1, -1) if direction else range(steps)
                hidden: list[Any] = [None] * steps
                for t in order:
                    update = _step(self._kind, projected[t], state, weights, self.nonlinearity)
                    if running is not None and not running[t].all():
                        update = _carried(running[t], update, state)
                    state = update
                    hidden[t] = state[0] if self._kind == "LSTM" else state
                finals.append(state)
                outputs.append(stack(hidden))
            layer_input = outputs[0] if directions == 1 else concatenate(outputs, -1)
            if self.dropout and self.training and index < self.num_layers - 1:
                layer_input = dropout(layer_input, self.dropout)
        return layer_input, finals

    def _initial_states(self, layer: str, hx: Any, batch: int, directions: int, unbatched: bool) -> list[Any]:
        """One starting state per layer and direction, from ``hx`` ((num_layers * D, N, H), or (num_layers * D,
        H) unbatched; a pair for the LSTM) or zeros."""
        count = self.num_layers * directions
        leading = (count,) if unbatched else (count, batch)
        state = _initial_state(layer, self._kind, hx, self, leading)
        parts = [
            part.reshape((count, batch, size))
            for part, size in zip(state if self._kind == "LSTM" else (state,), self._state_sizes())
        ]
        if self._kind == "LSTM":
            return [(parts[0][k], parts[1][k]) for k in range(count)]
        return [parts[0][k] for k in range(count)]

    def flatten_parameters(self) -> None:
        """torch's ``flatten_parameters`` (packs the weights into cuDNN's one buffer): nothing to do on numpy."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """torch's ``all_weights``: for each layer and direction, [weight_ih, weight_hh] (and [bias_ih, bias_hh])."""
        return [[weight for _, weight in group] for group in self._flat_weight_groups()]

    @property
    def _flat_weights_names(self) -> list[str]:
        """torch's ``_flat_weights_names``: the parameters' names, layer by layer and direction by direction
        (weight_ih, weight_hh, bias_ih, bias_hh, weight_hr each), which code such as d2l's ``init_seq2seq``
        walks to reach ``module._parameters[name]``."""
        return [name for group in self._flat_weight_groups() for name, _ in group]

    @property
    def _flat_weights(self) -> list[Parameter]:
        """torch's ``_flat_weights``: the parameters in the order of :attr:`_flat_weights_names`."""
        return [weight for group in self._flat_weight_groups() for _, weight in group]

    def _flat_weight_groups(self) -> list[list[tuple[str, Parameter]]]:
        """(name, parameter) of each layer and direction, in torch's order (those it lacks left out)."""
        directions = ("", "_reverse")[: 2 if self.bidirectional else 1]
        groups = []
        for index in range(self.num_layers):
            for suffix in directions:
                names = (name + f"_l{index}{suffix}" for name in _WEIGHT_NAMES)
                groups.append([(name, getattr(self, name)) for name in names if getattr(self, name, None) is not None])
        return groups

    def _final_states(self, finals: list[Any], unbatched: bool) -> Any:
        def gathered(items: list[Tensor]) -> Tensor:
            result = stack(items)
            return result.reshape((result.shape[0], result.shape[-1])) if unbatched else result

        if self._kind == "LSTM":
            return gathered([h for h, _ in finals]), gathered([c for _, c in finals])
        return gathered(finals)

    @property
    def mode(self) -> str:
        """torch's name of the layer's kernel: ``"RNN_TANH"`` or ``"RNN_RELU"`` for an RNN (by its nonlinearity),
        ``"LSTM"``, ``"GRU"``."""
        if self._kind == "RNN":
            return "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._kind

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        for name, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """Elman RNN layers (tanh or relu) over a sequence; see the module docstring."""

    _kind = "RNN"


class LSTM(RNNBase):
    """LSTM layers over a sequence; returns (output, (h_n, c_n)); ``hx`` is (h_0, c_0)."""

    _kind = "LSTM"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            "tanh",
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype,
            rng,
            device=device,
            proj_size=proj_size,
        )


class GRU(RNNBase):
    """GRU layers over a sequence; see the module docstring."""

    _kind = "GRU"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
        proj_size: int = 0,
    ) -> None:
        options = (bias, batch_first, dropout, bidirectional, dtype, rng)
        super().__init__(input_size, hidden_size, num_layers, "tanh", *options, device=device, proj_size=proj_size)
