"""autograd.recurrent_cells: the fused LSTM and GRU steps give the values and gradients (first and second order) of
the same step written with separate ops, in float64 against finite differences and torch when installed."""

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError
from autograd.gradcheck import gradcheck, gradgradcheck
from autograd.recurrent_cells import gru_cell, lstm_cell

RNG = np.random.default_rng(7)
N, H = 3, 4


def _lstm_by_ops(gates, c_prev):
    i, f = gates[..., :H].sigmoid(), gates[..., H : 2 * H].sigmoid()
    g, o = gates[..., 2 * H : 3 * H].tanh(), gates[..., 3 * H :].sigmoid()
    cell = f * c_prev + i * g
    return o * cell.tanh(), cell


def _gru_by_ops(x, y, h):
    r = (x[..., :H] + y[..., :H]).sigmoid()
    z = (x[..., H : 2 * H] + y[..., H : 2 * H]).sigmoid()
    n = (x[..., 2 * H :] + r * y[..., 2 * H :]).tanh()
    return (1 - z) * n + z * h


def test_lstm_cell_values_equal_the_step_written_with_separate_ops():
    gates, c_prev = ag.tensor(RNG.standard_normal((N, 4 * H))), ag.tensor(RNG.standard_normal((N, H)))
    h, c = lstm_cell(gates, c_prev)
    h_ops, c_ops = _lstm_by_ops(gates, c_prev)
    np.testing.assert_allclose(h.data, h_ops.data, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(c.data, c_ops.data, rtol=1e-15, atol=1e-15)


def test_lstm_cell_gradients_match_finite_differences():
    gates = ag.tensor(RNG.standard_normal((N, 4 * H)), requires_grad=True)
    c_prev = ag.tensor(RNG.standard_normal((N, H)), requires_grad=True)
    assert gradcheck(lambda a, c: lstm_cell(a, c)[0], (gates, c_prev))
    assert gradcheck(lambda a, c: lstm_cell(a, c)[1], (gates, c_prev))
    assert gradcheck(lambda a, c: sum(lstm_cell(a, c)), (gates, c_prev))


def test_lstm_cell_second_derivatives_match_finite_differences():
    gates = ag.tensor(RNG.standard_normal((2, 4 * 2)), requires_grad=True)
    c_prev = ag.tensor(RNG.standard_normal((2, 2)), requires_grad=True)
    assert gradgradcheck(lambda a, c: lstm_cell(a, c)[0] * lstm_cell(a, c)[1], (gates, c_prev))


def test_gru_cell_values_and_gradients_match_finite_differences():
    x = ag.tensor(RNG.standard_normal((N, 3 * H)), requires_grad=True)
    y = ag.tensor(RNG.standard_normal((N, 3 * H)), requires_grad=True)
    h = ag.tensor(RNG.standard_normal((N, H)), requires_grad=True)
    np.testing.assert_allclose(gru_cell(x, y, h).data, _gru_by_ops(x, y, h).data, rtol=1e-15, atol=1e-15)
    assert gradcheck(gru_cell, (x, y, h))


def test_gru_cell_second_derivatives_match_finite_differences():
    x = ag.tensor(RNG.standard_normal((2, 6)), requires_grad=True)
    y = ag.tensor(RNG.standard_normal((2, 6)), requires_grad=True)
    h = ag.tensor(RNG.standard_normal((2, 2)), requires_grad=True)
    assert gradgradcheck(lambda *args: gru_cell(*args) ** 2, (x, y, h))


def test_cells_match_torch_first_and_second_order():
    torch = pytest.importorskip("torch")
    a, c = RNG.standard_normal((N, 4 * H)), RNG.standard_normal((N, H))
    gates, c_prev = ag.tensor(a, requires_grad=True), ag.tensor(c, requires_grad=True)
    h, cell = lstm_cell(gates, c_prev)
    first = ag.grad((h * h).sum() + (cell**3).sum(), [gates, c_prev], create_graph=True)
    sum((g * g).sum() for g in first).backward()
    a_t, c_t = torch.tensor(a, requires_grad=True), torch.tensor(c, requires_grad=True)
    i, f, g, o = a_t.chunk(4, -1)
    cell_t = f.sigmoid() * c_t + i.sigmoid() * g.tanh()
    h_t = o.sigmoid() * cell_t.tanh()
    first_t = torch.autograd.grad((h_t * h_t).sum() + (cell_t**3).sum(), [a_t, c_t], create_graph=True)
    sum((g * g).sum() for g in first_t).backward()
    for ours, theirs in [(h.data, h_t), (first[0].data, first_t[0]), (gates.grad, a_t.grad), (c_prev.grad, c_t.grad)]:
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-13)


def test_cells_keep_float32():
    gates = ag.tensor(RNG.standard_normal((N, 4 * H)).astype(np.float32), requires_grad=True)
    h, c = lstm_cell(gates, ag.zeros((N, H), dtype=np.float32))
    (h.sum() + c.sum()).backward()
    assert h.dtype == c.dtype == gates.grad.dtype == np.float32
    x = ag.tensor(RNG.standard_normal((N, 3 * H)).astype(np.float32), requires_grad=True)
    out = gru_cell(x, x * 0.5, ag.zeros((N, H), dtype=np.float32))
    out.sum().backward()
    assert out.dtype == x.grad.dtype == np.float32


def test_cells_refuse_mismatched_shapes_naming_the_argument():
    with pytest.raises(ShapeError, match="4 \\* hidden_size"):
        lstm_cell(ag.zeros((N, 7)), ag.zeros((N, 2)))
    with pytest.raises(ShapeError, match="c_prev must have shape"):
        lstm_cell(ag.zeros((N, 8)), ag.zeros((N, 3)))
    with pytest.raises(ShapeError, match="h_prev must have shape"):
        gru_cell(ag.zeros((N, 6)), ag.zeros((N, 6)), ag.zeros((N + 1, 2)))
    with pytest.raises(TypeError, match="floating-point"):
        gru_cell(ag.zeros((N, 6), dtype=np.int64), ag.zeros((N, 6)), ag.zeros((N, 2)))
