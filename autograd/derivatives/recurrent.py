"""Derivative table of the fused recurrent cells: the LSTM's cell state and hidden output, and the GRU's step.

LSTM, from the gate pre-activations ``a = (a_i, a_f, a_g, a_o)`` (torch's order, H columns each) and the previous
cell state c':  i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o), g = tanh(a_g);

* ``lstm_cell_state``: c = f c' + i g, so dc/da_i = g i (1 - i), dc/da_f = c' f (1 - f), dc/da_g = i (1 - g^2),
  dc/da_o = 0 and dc/dc' = f;
* ``lstm_hidden``: h = o tanh(c), so dh/da_o = tanh(c) o (1 - o), dh/da_i = dh/da_f = dh/da_g = 0 and
  dh/dc = o (1 - tanh(c)^2).

GRU, from the input's and the hidden state's projections ``x = (x_r, x_z, x_n)`` and ``y = (y_r, y_z, y_n)`` and
the previous state h': r = sigmoid(x_r + y_r), z = sigmoid(x_z + y_z), n = tanh(x_n + r y_n),
h = (1 - z) n + z h' (``gru_cell``). With s_n = g (1 - z)(1 - n^2), s_z = g (h' - n) z (1 - z) and
s_r = s_n y_n r (1 - r): dL/dx = (s_r, s_z, s_n), dL/dy = (s_r, s_z, s_n r), dL/dh' = g z.

On raw data the rules reuse the activations the forward pass saved (``activations``, ``output_gate``,
``tanh_cell``); under ``create_graph`` they rebuild them from the input nodes and write the same formulas with
node operations, so derivatives of every order follow.
"""

from __future__ import annotations

import numpy as np

from ..core import Node
from ..op import Op
from ..shared_math import sigmoid


def _concatenate_nodes(parts):
    from ..tensor_functions import concatenate  # (a node's gradient under create_graph)

    return concatenate(parts, axis=-1)


def _zeros_node(like, shape):
    return like._wrap_constant(np.zeros(shape, dtype=like.dtype))


def _gates_of(gates, size):
    """The four gate pre-activations (i, f, g, o) of an LSTM's ``gates``, each ``size`` columns."""
    return [gates[..., k * size : (k + 1) * size] for k in range(4)]


def lstm_activations(gates):
    """sigmoid(a_i), sigmoid(a_f), tanh(a_g) of an LSTM's gate pre-activations, side by side (..., 3H)."""
    size = gates.shape[-1] // 4
    if isinstance(gates, Node):
        a_i, a_f, a_g, _ = _gates_of(gates, size)
        return _concatenate_nodes([a_i.sigmoid(), a_f.sigmoid(), a_g.tanh()])
    activations = np.empty(gates.shape[:-1] + (3 * size,), dtype=gates.dtype)
    activations[..., : 2 * size] = sigmoid(gates[..., : 2 * size])
    np.tanh(gates[..., 2 * size : 3 * size], out=activations[..., 2 * size :])
    return activations


def _cell_state_rule_gates(g, out, gates, c_prev, activations):
    size = g.shape[-1]
    if isinstance(gates, Node) or isinstance(c_prev, Node) or isinstance(g, Node):
        rebuilt = lstm_activations(gates) if isinstance(gates, Node) else activations
        i, f, candidate = (rebuilt[..., k * size : (k + 1) * size] for k in range(3))
        parts = [g * candidate * i * (1 - i), g * c_prev * f * (1 - f), g * i * (1 - candidate * candidate)]
        like = next(x for x in (gates, c_prev, g) if isinstance(x, Node))
        return _concatenate_nodes([*parts, _zeros_node(like, g.shape[:-1] + (size,))])
    i, f, candidate = activations[..., :size], activations[..., size : 2 * size], activations[..., 2 * size :]
    result = np.empty(gates.shape, dtype=np.result_type(g, activations))
    d_i, d_f, d_g = result[..., :size], result[..., size : 2 * size], result[..., 2 * size : 3 * size]
    np.multiply(g, i - i * i, out=d_i)
    d_i *= candidate
    np.multiply(g, f - f * f, out=d_f)
    d_f *= c_prev
    np.multiply(candidate, candidate, out=d_g)
    np.subtract(1, d_g, out=d_g)
    d_g *= i
    d_g *= g
    result[..., 3 * size :] = 0
    return result


def _cell_state_rule_previous(g, out, gates, c_prev, activations):
    size = g.shape[-1]
    if isinstance(gates, Node):
        return g * gates[..., size : 2 * size].sigmoid()
    return g * activations[..., size : 2 * size]


def _hidden_rule_gates(g, out, gates, cell, output_gate, tanh_cell):
    size = g.shape[-1]
    if isinstance(gates, Node) or isinstance(cell, Node) or isinstance(g, Node):
        o = gates[..., 3 * size :].sigmoid() if isinstance(gates, Node) else output_gate
        t = cell.tanh() if isinstance(cell, Node) else tanh_cell
        like = next(x for x in (gates, cell, g) if isinstance(x, Node))
        return _concatenate_nodes([_zeros_node(like, g.shape[:-1] + (3 * size,)), g * t * o * (1 - o)])
    result = np.zeros(gates.shape, dtype=np.result_type(g, output_gate))
    d_o = result[..., 3 * size :]
    np.multiply(g, output_gate - output_gate * output_gate, out=d_o)
    d_o *= tanh_cell
    return result


def _hidden_rule_cell(g, out, gates, cell, output_gate, tanh_cell):
    size = g.shape[-1]
    o = gates[..., 3 * size :].sigmoid() if isinstance(gates, Node) else output_gate
    t = cell.tanh() if isinstance(cell, Node) else tanh_cell
    return g * o * (1 - t * t)


def gru_activations(from_input, from_hidden):
    """r, z and n of a GRU step, side by side (..., 3H), from the input's and the hidden state's projections."""
    size = from_input.shape[-1] // 3
    if isinstance(from_input, Node) or isinstance(from_hidden, Node):
        gates = from_input[..., : 2 * size] + from_hidden[..., : 2 * size]
        r, z = gates[..., :size].sigmoid(), gates[..., size:].sigmoid()
        n = (from_input[..., 2 * size :] + r * from_hidden[..., 2 * size :]).tanh()
        return _concatenate_nodes([r, z, n])
    activations = np.empty(
        np.broadcast_shapes(from_input.shape, from_hidden.shape), np.result_type(from_input, from_hidden)
    )
    activations[..., : 2 * size] = sigmoid(from_input[..., : 2 * size] + from_hidden[..., : 2 * size])
    n = activations[..., 2 * size :]
    np.multiply(activations[..., :size], from_hidden[..., 2 * size :], out=n)
    n += from_input[..., 2 * size :]
    np.tanh(n, out=n)
    return activations


def _gru_rule(g, out, from_input, from_hidden, h_prev, activations):
    size = g.shape[-1]
    nodes = any(isinstance(x, Node) for x in (g, from_input, from_hidden, h_prev))
    if nodes and (isinstance(from_input, Node) or isinstance(from_hidden, Node)):
        activations = gru_activations(from_input, from_hidden)
    r, z, n = activations[..., :size], activations[..., size : 2 * size], activations[..., 2 * size :]
    hidden_n = from_hidden[..., 2 * size :]
    s_n = g * (1 - z) * (1 - n * n)
    s_z = g * (h_prev - n) * (z - z * z)
    s_r = s_n * hidden_n * (r - r * r)
    if nodes:
        return _concatenate_nodes([s_r, s_z, s_n]), _concatenate_nodes([s_r, s_z, s_n * r]), g * z
    d_input = np.concatenate([s_r, s_z, s_n], axis=-1)
    d_hidden = d_input.copy()
    d_hidden[..., 2 * size :] *= r
    return d_input, d_hidden, g * z


lstm_cell_state = Op("lstm_cell_state", _cell_state_rule_gates, _cell_state_rule_previous)
lstm_hidden = Op("lstm_hidden", _hidden_rule_gates, _hidden_rule_cell)
gru_cell = Op("gru_cell", _gru_rule, joint=True)
