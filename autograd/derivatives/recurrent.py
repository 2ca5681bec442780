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
from ..op import Op, add_contributions
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


# Whole sequences, one node per layer and direction (``lstm_sequence``, ``gru_sequence`` in
# :mod:`autograd.recurrent_cells`). The node's parents are P (L, N, gates * H), every step's input projection
# x_t W_ih^T + b_ih, the starting state (h0, and c0 for the LSTM), W_hh and b_hh when there is one; its output Y holds
# the hidden state of every step by time (Y[t], t < L) and, for the LSTM, the last cell state (Y[L]). A reverse pass
# runs t = L - 1, ..., 0; h' below is the state before step t in the order the pass runs.
#
# On raw data the rule is backpropagation through time in numpy, the step's factors for all steps at once first: with
# dh (N, H) the gradient reaching the step's hidden state (its own from Y plus the later step's through W_hh) and dc
# the cell state's, each step makes dA_t (the gate pre-activations' gradient), then dh' = dA_t W_hh. The gradients of
# W_hh and b_hh are sums over the steps, taken after the loop as one product dA^T H' and one column sum, and dP is
# dA itself. Under create_graph the rule records the steps again from its input nodes (``linear``, ``lstm_cell`` /
# ``gru_cell``) and differentiates that graph, so derivatives of every order follow the step-by-step ones: that is
# :func:`autograd.recurrent_cells.rebuilt_sequence_gradients`, which the node's attrs carry (``rebuilt``), as the
# recording functions it needs live there.


def sequence_order(steps, reverse):
    """The steps t of a pass over a sequence of ``steps``, in the order it runs them (from the end if ``reverse``)."""
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _previous_states(stack, start, reverse):
    """(earlier, later): the step states ``stack`` (L, N, H) by time, split so that step t's previous state is
    ``start`` at the pass's first step and earlier[k] at the step later[k] belongs to."""
    return (stack[1:], slice(0, -1)) if reverse else (stack[:-1], slice(1, None))


def _recurrent_weight_gradients(d_gates, hidden, start, reverse, size, needs):
    """dW_hh = sum_t dA_t^T h'_t and db_hh = sum_t dA_t, each one product / column sum over every step."""
    steps = d_gates.shape[0]
    d_weight = d_bias = None
    if needs[0]:
        earlier, later = _previous_states(hidden, start, reverse)
        first = steps - 1 if reverse else 0
        d_weight = d_gates[first].T @ start
        if steps > 1:
            d_weight += d_gates[later].reshape(-1, d_gates.shape[-1]).T @ earlier.reshape(-1, size)
    if needs[1]:
        d_bias = d_gates.sum(axis=(0, 1))  # (not a reshape to -1: an empty batch cannot infer it)
    return d_weight, d_bias


def _lstm_sequence_gradients(g, out, parents, saved, reverse, needs):
    """The LSTM sequence's backpropagation through time on raw data; ``needs`` says per parent whether its gradient
    is wanted (dP is made whenever any is)."""
    projected, h0, c0, w_hh = parents[:4]
    activations, cells, tanh_cells = saved  # (L, N, 4H) i, f, g, o; (L, N, H) c_t; tanh(c_t)
    steps, batch, width = projected.shape
    size = width // 4
    dtype = np.result_type(g, activations)
    i, f, candidate, o = (activations[..., k * size : (k + 1) * size] for k in range(4))
    earlier, later = _previous_states(cells, c0, reverse)
    first = steps - 1 if reverse else 0
    # the step's factors, all steps at once: dc = dh o (1 - tanh(c)^2); dA_o = dh tanh(c) o (1 - o);
    # (dA_i, dA_f, dA_g) = dc (g i (1 - i), c' f (1 - f), i (1 - g^2))
    # (in place in a few buffers: each is a pass over every step, and arrays this large are not reused by malloc)
    to_cell = np.multiply(tanh_cells, tanh_cells, dtype=dtype)
    np.subtract(1, to_cell, out=to_cell)
    to_cell *= o
    to_output = np.multiply(o, o, dtype=dtype)
    np.subtract(o, to_output, out=to_output)
    to_output *= tanh_cells
    factors = np.empty((steps, batch, 3, size), dtype=dtype)
    part = factors[:, :, 0]
    np.multiply(i, i, out=part)
    np.subtract(i, part, out=part)
    part *= candidate
    part = factors[:, :, 1]
    np.multiply(f, f, out=part)
    np.subtract(f, part, out=part)
    part[first] *= c0
    if steps > 1:
        part[later] *= earlier
    part = factors[:, :, 2]
    np.multiply(candidate, candidate, out=part)
    np.subtract(1, part, out=part)
    part *= i
    d_gates = np.empty((steps, batch, 4, size), dtype=dtype)
    d_hidden = np.array(g[steps - 1 if not reverse else 0], dtype=dtype)
    d_cell = np.array(g[steps], dtype=dtype)
    w = np.asarray(w_hh, dtype=dtype)
    scratch = np.empty((batch, size), dtype=dtype)
    order = list(sequence_order(steps, not reverse))  # the pass's steps, last first
    for position, t in enumerate(order):
        if position:
            d_hidden = d_gates[order[position - 1]].reshape(batch, width) @ w
            d_hidden += g[t]
        step = d_gates[t]
        np.multiply(d_hidden, to_output[t], out=step[:, 3])
        np.multiply(d_hidden, to_cell[t], out=scratch)
        d_cell += scratch
        np.multiply(factors[t], d_cell[:, None, :], out=step[:, :3])
        d_cell *= f[t]
    d_gates = d_gates.reshape(steps, batch, width)
    d_h0 = d_gates[order[-1]] @ w if needs[1] else None
    weight_needs = (needs[3], len(needs) > 4 and needs[4])
    d_weight, d_bias = _recurrent_weight_gradients(d_gates, out[:steps], h0, reverse, size, weight_needs)
    return [d_gates if needs[0] else None, d_h0, d_cell if needs[2] else None, d_weight, d_bias][: len(parents)]


def _gru_sequence_gradients(g, out, parents, saved, reverse, needs):
    """The GRU sequence's backpropagation through time on raw data (see ``_gru_rule`` for one step's formulas)."""
    projected, h0, w_hh = parents[:3]
    activations, hidden_n = saved  # (L, N, 3H) r, z, n; (L, N, H) y_n = (h' W_hh^T + b_hh)_n
    steps, batch, width = projected.shape
    size = width // 3
    dtype = np.result_type(g, activations)
    r, z, n = (activations[..., k * size : (k + 1) * size] for k in range(3))
    earlier, later = _previous_states(out, h0, reverse)
    first = steps - 1 if reverse else 0
    # dP_t = dh (k_r, k_z, k_n) and dY_t = dh (k_r, k_z, k_n r), all steps at once, with k_n = (1 - z)(1 - n^2),
    # k_z = (h' - n) z (1 - z) and k_r = k_n y_n r (1 - r); dh' = dh z + dY_t W_hh
    to_input = np.empty((steps, batch, 3, size), dtype=dtype)
    k_r, k_z, k_n = to_input[:, :, 0], to_input[:, :, 1], to_input[:, :, 2]
    np.multiply(1 - z, 1 - n * n, out=k_n)
    np.multiply(hidden_n, r - r * r, out=k_r)
    k_r *= k_n
    np.subtract(h0, n[first], out=k_z[first])
    if steps > 1:
        np.subtract(earlier, n[later], out=k_z[later])
    k_z *= z - z * z
    to_hidden = to_input.copy()
    to_hidden[:, :, 2] *= r
    d_input = np.empty((steps, batch, 3, size), dtype=dtype)
    d_from_hidden = np.empty((steps, batch, 3, size), dtype=dtype)
    w = np.asarray(w_hh, dtype=dtype)
    d_hidden = None
    order = list(sequence_order(steps, not reverse))  # the pass's steps, last first
    for t in order:
        if d_hidden is None:
            d_hidden = np.array(g[t], dtype=dtype)
        else:
            d_hidden += g[t]
        spread = d_hidden[:, None, :]
        np.multiply(to_input[t], spread, out=d_input[t])
        np.multiply(to_hidden[t], spread, out=d_from_hidden[t])
        d_hidden *= z[t]
        d_hidden += d_from_hidden[t].reshape(batch, width) @ w
    d_from_hidden = d_from_hidden.reshape(steps, batch, width)
    weight_needs = (needs[2], len(needs) > 3 and needs[3])
    d_weight, d_bias = _recurrent_weight_gradients(d_from_hidden, out, h0, reverse, size, weight_needs)
    d_input = d_input.reshape(steps, batch, width)
    return [d_input if needs[0] else None, d_hidden if needs[1] else None, d_weight, d_bias][: len(parents)]


def _sequence_rule(mode, gradients):
    def rule(g, out, *parents, saved, reverse, rebuilt):
        if any(isinstance(x, Node) for x in (g, out, *parents)):  # create_graph: the steps recorded again
            return rebuilt(mode, g, parents, reverse)
        return gradients(g, out, parents, saved, reverse, [True] * len(parents))

    def accumulate(pending, g, parents, out, owned, attrs):
        needs = [parent._requires_grad for parent in parents]
        found = gradients(g, out, [parent._data for parent in parents], attrs["saved"], attrs["reverse"], needs)
        add_contributions(pending, parents, found)

    return rule, accumulate


_lstm_sequence_rule, _lstm_sequence_accumulate = _sequence_rule("LSTM", _lstm_sequence_gradients)
_gru_sequence_rule, _gru_sequence_accumulate = _sequence_rule("GRU", _gru_sequence_gradients)
lstm_sequence = Op("lstm_sequence", _lstm_sequence_rule, joint=True, accumulate=_lstm_sequence_accumulate)
gru_sequence = Op("gru_sequence", _gru_sequence_rule, joint=True, accumulate=_gru_sequence_accumulate)
