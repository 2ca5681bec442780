"""The pointwise halves of an LSTM and a GRU step, each one node, and a whole sequence of either as one node (see
:mod:`autograd.derivatives.recurrent`).

``nn.LSTM`` and ``nn.GRU`` make a step's projections with two ``linear`` nodes and hand them to these: an LSTM
step is then six nodes instead of seventeen (four gate slices, three sigmoids and four tanh, products and sums),
a GRU step four instead of fifteen, with the same values and gradients. ``nn.LSTM`` and ``nn.GRU`` run each layer
and direction of an unpacked sequence through ``lstm_sequence`` / ``gru_sequence`` instead: the steps are a numpy
loop, and backward is backpropagation through time in numpy, with the recurrent weight's gradient one product over
every step (under ``create_graph`` it records the steps above again and differentiates them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Node
from .derivatives import recurrent as rec
from .grad_mode import is_grad_enabled
from .quiet import quiet
from .shape_errors import ShapeError
from .shared_math import sigmoid
from .tensor import Tensor

__all__ = ["gru_cell", "gru_sequence", "lstm_cell", "lstm_sequence"]


def _float_tensor(x: object, op: str, name: str) -> Tensor:
    tensor = x if isinstance(x, Tensor) else Tensor(x)
    if tensor.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must be a floating-point tensor, got {tensor.dtype}")
    return tensor


def _check_projection(op: str, name: str, shape: tuple[int, ...], expected: tuple[int, ...]) -> None:
    if shape != expected:
        raise ShapeError(f"{op}: {name} must have shape {expected}, got {shape}")


def _hidden_size(op: str, name: str, projection: Tensor, gates: int) -> int:
    """H of a step's ``projection`` (..., gates * H), the gates side by side on its last axis; a ShapeError
    naming ``op`` and ``name`` for a 0-d one or a last axis ``gates`` does not divide."""
    width = projection.shape[-1] if projection.ndim else 0
    if not projection.ndim or width % gates:
        raise ShapeError(f"{op}: {name} must have a last axis of {gates} * hidden_size, got shape {projection.shape}")
    return width // gates


def lstm_cell(gates: Tensor, c_prev: Tensor) -> tuple[Tensor, Tensor]:
    """One LSTM step from its gate pre-activations: (h, c) with c = f c' + i g and h = o tanh(c).

    ``gates`` (..., 4H) holds a = x W_ih^T + b_ih + h' W_hh^T + b_hh in torch's order (i, f, g, o);
    ``c_prev`` (..., H) is c'. i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o) and g = tanh(a_g).
    c and h are one node each (``lstm_cell_state``, ``lstm_hidden``), their rules reusing the activations.
    """
    gates = _float_tensor(gates, "lstm_cell", "gates")
    c_prev = _float_tensor(c_prev, "lstm_cell", "c_prev")
    size = _hidden_size("lstm_cell", "gates", gates, 4)
    _check_projection("lstm_cell", "c_prev", c_prev.shape, gates.shape[:-1] + (size,))
    recording = is_grad_enabled() and (gates.requires_grad or c_prev.requires_grad)
    a = gates._data
    with quiet():
        activations = rec.lstm_activations(a)
        i, f, candidate = activations[..., :size], activations[..., size : 2 * size], activations[..., 2 * size :]
        cell = f * c_prev._data
        cell += i * candidate
        output_gate = sigmoid(a[..., 3 * size :])
        tanh_cell = np.tanh(cell)
        hidden = output_gate * tanh_cell
    cell_node = Tensor._from_op(
        cell, rec.lstm_cell_state, (gates, c_prev), {"activations": activations if recording else None}
    )
    saved = {"output_gate": output_gate if recording else None, "tanh_cell": tanh_cell if recording else None}
    return Tensor._from_op(hidden, rec.lstm_hidden, (gates, cell_node), saved), cell_node


def gru_cell(from_input: Tensor, from_hidden: Tensor, h_prev: Tensor) -> Tensor:
    """One GRU step from its projections: h = (1 - z) n + z h'.

    ``from_input`` = x W_ih^T + b_ih and ``from_hidden`` = h' W_hh^T + b_hh, each (..., 3H) in torch's order
    (r, z, n); ``h_prev`` (..., H) is h'. r = sigmoid(x_r + y_r), z = sigmoid(x_z + y_z) and
    n = tanh(x_n + r y_n), with x and y the two projections: one node (``gru_cell``).
    """
    from_input = _float_tensor(from_input, "gru_cell", "from_input")
    from_hidden = _float_tensor(from_hidden, "gru_cell", "from_hidden")
    h_prev = _float_tensor(h_prev, "gru_cell", "h_prev")
    size = _hidden_size("gru_cell", "from_input", from_input, 3)
    _check_projection("gru_cell", "from_hidden", from_hidden.shape, from_input.shape)
    _check_projection("gru_cell", "h_prev", h_prev.shape, from_input.shape[:-1] + (size,))
    with quiet():
        activations = rec.gru_activations(from_input._data, from_hidden._data)
        z, n = activations[..., size : 2 * size], activations[..., 2 * size :]
        hidden = h_prev._data - n
        hidden *= z
        hidden += n
    recording = is_grad_enabled() and (from_input.requires_grad or from_hidden.requires_grad or h_prev.requires_grad)
    attrs = {"activations": activations if recording else None}
    return Tensor._from_op(hidden, rec.gru_cell, (from_input, from_hidden, h_prev), attrs)


def _sequence_parts(
    op: str, gates: int, projected: Any, states: tuple[Any, ...], weight_hh: Any, bias_hh: Any
) -> tuple[list[Tensor], int]:
    """The sequence op's parents (projected, *states, weight_hh[, bias_hh]) as float tensors checked against the
    projection's (L, N, gates * H), and H; a ShapeError naming ``op`` and the part otherwise."""
    projected = _float_tensor(projected, op, "projected")
    if projected.ndim != 3 or not projected.shape[0]:
        raise ShapeError(
            f"{op}: projected must have shape (L, N, {gates} * hidden_size) with L > 0, got {projected.shape}"
        )
    size = _hidden_size(op, "projected", projected, gates)
    steps, batch, width = projected.shape
    names = ("h0", "c0")[: len(states)]
    parts = [projected]
    for name, state in zip(names, states):
        state = _float_tensor(state, op, name)
        _check_projection(op, name, state.shape, (batch, size))
        parts.append(state)
    weight_hh = _float_tensor(weight_hh, op, "weight_hh")
    _check_projection(op, "weight_hh", weight_hh.shape, (width, size))
    parts.append(weight_hh)
    if bias_hh is not None:
        bias_hh = _float_tensor(bias_hh, op, "bias_hh")
        _check_projection(op, "bias_hh", bias_hh.shape, (width,))
        parts.append(bias_hh)
    dtypes = [part.dtype for part in parts]
    if len(set(dtypes)) > 1:
        named = ", ".join(
            f"{name} {dtype}" for name, dtype in zip(("projected", *names, "weight_hh", "bias_hh"), dtypes)
        )
        raise TypeError(f"{op}: every part must have one dtype, got {named}")
    return parts, size


def lstm_sequence(
    projected: Any, h0: Any, c0: Any, weight_hh: Any, bias_hh: Any = None, reverse: bool = False
) -> tuple[Tensor, Tensor, Tensor]:
    """An LSTM layer's pass over a sequence, one node: (output (L, N, H), h_n (N, H), c_n (N, H)).

    ``projected`` (L, N, 4H) holds every step's x_t W_ih^T + b_ih; from (h0, c0), step t makes
    a = projected[t] + h' W_hh^T + b_hh and then (h, c) as :func:`lstm_cell` does; ``reverse`` runs t = L - 1, ..., 0.
    output[t] is step t's h; the three are views of the node's one output (L + 1, N, H) (the last row: c_n).
    """
    parents, size = _sequence_parts("lstm_sequence", 4, projected, (h0, c0), weight_hh, bias_hh)
    recording = is_grad_enabled() and any(parent.requires_grad for parent in parents)
    data = [parent._data for parent in parents]
    steps, batch, width = data[0].shape
    dtype = np.result_type(*data)
    inputs = data[0] + data[4] if len(data) > 4 else data[0]
    transposed = np.ascontiguousarray(data[3].T, dtype=dtype)  # h' W_hh^T: a C-contiguous W_hh^T is the faster GEMM
    out = np.empty((steps + 1, batch, size), dtype=dtype)
    activations = np.empty((steps, batch, width), dtype=dtype) if recording else None
    cells = np.empty((steps, batch, size), dtype=dtype) if recording else None
    tanh_cells = np.empty((steps, batch, size), dtype=dtype) if recording else None
    hidden, cell = data[1], data[2]
    scratch = np.empty((batch, width), dtype=dtype)
    with quiet():  # (1 / (1 + e^-a) overflows to 1 / inf = 0 for a very negative a: no warning)
        for t in rec.sequence_order(steps, reverse):
            a = hidden @ transposed
            a += inputs[t]
            active = scratch if activations is None else activations[t]
            np.negative(a, out=active)  # sigmoid of every gate in place, then tanh for g
            np.exp(active, out=active)
            active += 1
            np.reciprocal(active, out=active)
            np.tanh(a[:, 2 * size : 3 * size], out=active[:, 2 * size : 3 * size])
            i, f, candidate, o = (active[:, k * size : (k + 1) * size] for k in range(4))
            cell = f * cell if cells is None else np.multiply(f, cell, out=cells[t])
            cell += i * candidate
            tanh_cell = np.tanh(cell) if tanh_cells is None else np.tanh(cell, out=tanh_cells[t])
            hidden = np.multiply(o, tanh_cell, out=out[t])
        out[steps] = cell
    saved = (activations, cells, tanh_cells) if recording else None
    node = Tensor._from_op(
        out,
        rec.lstm_sequence,
        tuple(parents),
        {"saved": saved, "reverse": bool(reverse), "rebuilt": rebuilt_sequence_gradients},
    )
    return node[:steps], node[0 if reverse else steps - 1], node[steps]


def gru_sequence(
    projected: Any, h0: Any, weight_hh: Any, bias_hh: Any = None, reverse: bool = False
) -> tuple[Tensor, Tensor]:
    """A GRU layer's pass over a sequence, one node: (output (L, N, H), h_n (N, H)).

    ``projected`` (L, N, 3H) holds every step's x_t W_ih^T + b_ih; from h0, step t makes y = h' W_hh^T + b_hh and
    then h as :func:`gru_cell` does; ``reverse`` runs t = L - 1, ..., 0. output[t] is step t's h, h_n a view of it.
    """
    parents, size = _sequence_parts("gru_sequence", 3, projected, (h0,), weight_hh, bias_hh)
    recording = is_grad_enabled() and any(parent.requires_grad for parent in parents)
    data = [parent._data for parent in parents]
    steps, batch, width = data[0].shape
    dtype = np.result_type(*data)
    inputs = data[0]
    transposed = np.ascontiguousarray(data[2].T, dtype=dtype)
    bias = data[3] if len(data) > 3 else None
    out = np.empty((steps, batch, size), dtype=dtype)
    activations = np.empty((steps, batch, width), dtype=dtype) if recording else None
    hidden_n = np.empty((steps, batch, size), dtype=dtype) if recording else None
    hidden = data[1]
    with quiet():  # (e^-(x + y) may overflow: 1 / inf = 0, no warning)
        for t in rec.sequence_order(steps, reverse):
            from_hidden = hidden @ transposed
            if bias is not None:
                from_hidden += bias
            step = inputs[t]
            active = np.empty((batch, width), dtype=dtype) if activations is None else activations[t]
            gates = active[:, : 2 * size]  # r and z: 1 / (1 + e^-(x + y)) in place
            np.add(step[:, : 2 * size], from_hidden[:, : 2 * size], out=gates)
            np.negative(gates, out=gates)
            np.exp(gates, out=gates)
            gates += 1
            np.reciprocal(gates, out=gates)
            n = active[:, 2 * size :]
            np.multiply(active[:, :size], from_hidden[:, 2 * size :], out=n)
            n += step[:, 2 * size :]
            np.tanh(n, out=n)
            new = np.subtract(hidden, n, out=out[t])
            new *= active[:, size : 2 * size]
            new += n
            hidden = new
            if hidden_n is not None:
                hidden_n[t] = from_hidden[:, 2 * size :]
    saved = (activations, hidden_n) if recording else None
    node = Tensor._from_op(
        out,
        rec.gru_sequence,
        tuple(parents),
        {"saved": saved, "reverse": bool(reverse), "rebuilt": rebuilt_sequence_gradients},
    )
    return node, node[0 if reverse else steps - 1]


def rebuilt_sequence_gradients(mode: str, g: Any, parents: tuple, reverse: bool) -> list:
    """The gradients of the sequence node's parents, under create_graph: its steps recorded again from the parent
    nodes and differentiated with create_graph, as the step-by-step graph would be."""
    from .functional import grad  # (a gradient recorded as a graph)
    from .tensor_functions import concatenate, linear, stack

    projected, h0 = parents[0], parents[1]
    c0 = parents[2] if mode == "LSTM" else None
    w_hh = parents[3 if mode == "LSTM" else 2]
    b_hh = parents[4 if mode == "LSTM" else 3] if len(parents) > (4 if mode == "LSTM" else 3) else None
    steps = projected.shape[0]
    hidden, cell = h0, c0
    states = [None] * steps
    for t in rec.sequence_order(steps, reverse):
        from_hidden = linear(hidden, w_hh, b_hh)
        if mode == "LSTM":
            hidden, cell = lstm_cell(projected[t] + from_hidden, cell)
        else:
            hidden = gru_cell(projected[t], from_hidden, hidden)
        states[t] = hidden
    rebuilt = stack(states)
    if mode == "LSTM":
        rebuilt = concatenate([rebuilt, cell.reshape((1, *cell.shape))], axis=0)
    wanted = [parent for parent in parents if isinstance(parent, Node) and parent.requires_grad]
    found = iter(grad([rebuilt], wanted, grad_outputs=[g], create_graph=True, allow_unused=True)) if wanted else None
    return [next(found) if isinstance(parent, Node) and parent.requires_grad else None for parent in parents]
