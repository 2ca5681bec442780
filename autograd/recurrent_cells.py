"""The pointwise halves of an LSTM and a GRU step, each one node (see :mod:`autograd.derivatives.recurrent`).

``nn.LSTM`` and ``nn.GRU`` make a step's projections with two ``linear`` nodes and hand them to these: an LSTM
step is then six nodes instead of seventeen (four gate slices, three sigmoids and four tanh, products and sums),
a GRU step four instead of fifteen, with the same values and gradients.
"""

from __future__ import annotations

import numpy as np

from .derivatives import recurrent as rec
from .grad_mode import is_grad_enabled
from .quiet import quiet
from .shape_errors import ShapeError
from .shared_math import sigmoid
from .tensor import Tensor

__all__ = ["gru_cell", "lstm_cell"]


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
