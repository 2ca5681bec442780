"""Backward through many slices of one tensor (x[t] in a loop, unbind, chunk) adds each slice's gradient into the
tensor's pending gradient in place: the same gradients as scattering each into zeros, in memory of one array of the
tensor's size rather than one per slice, and never into an array something else holds."""

import tracemalloc

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(3)


def test_gradient_through_a_loop_of_slices_matches_finite_differences():
    x = ag.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    assert ag.gradcheck(lambda t: ag.stack([t[i] * (i + 1.0) for i in range(5)] + [t[1:3].sum(0)]), (x,))


def test_slices_mixed_with_other_uses_sum_every_contribution():
    data = RNG.standard_normal((4, 3))
    x = ag.tensor(data, requires_grad=True)
    loss = sum(((x[t] * (t + 1.0)) ** 2).sum() for t in range(4)) + (x * 3.0).sum() + x[::2].sum()
    loss.backward()
    expected = 2 * data * (np.arange(1.0, 5.0)[:, None] ** 2) + 3.0
    expected[::2] += 1.0
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)


def test_repeated_positions_still_accumulate():
    x = ag.tensor(np.arange(4.0), requires_grad=True)
    (x[[1, 1, 3]].sum() + x[1:].sum() + x[np.array([0, 0])].sum()).backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0, 1.0, 2.0])


def test_a_wider_slice_gradient_widens_the_sum():
    x = ag.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    y = x.astype(np.float64)
    (x[0].sum() + x[1].sum() + (y[0] * 1e-12).sum()).backward()
    assert x.grad.dtype == np.float32  # a leaf's gradient takes its dtype
    np.testing.assert_allclose(x.grad, np.ones((2, 3)) + np.array([[1e-12] * 3, [0] * 3]), rtol=1e-7)


def test_a_seed_given_as_gradient_is_never_written_into():
    x = ag.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    y = x * 1.0
    seed = np.ones((3, 2))
    ag.backward([y, y[0], y[2]], [seed, np.full(2, 2.0), np.full(2, 5.0)])
    np.testing.assert_array_equal(seed, np.ones((3, 2)))
    np.testing.assert_array_equal(x.grad, [[3.0, 3.0], [1.0, 1.0], [6.0, 6.0]])


def test_a_retained_gradient_is_not_changed_by_later_slices():
    x = ag.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    y = x * 2.0
    y.retain_grad()
    z = y * 1.0
    (z[0].sum() + z[1].sum() * 3.0 + z[2].sum() * 5.0).backward()
    np.testing.assert_array_equal(y.grad, [[1.0, 1.0], [3.0, 3.0], [5.0, 5.0]])
    np.testing.assert_array_equal(x.grad, 2 * y.grad)


def test_backward_through_every_step_of_a_sequence_needs_about_one_array_of_its_size():
    steps, width = 400, 2000
    x = ag.tensor(RNG.standard_normal((steps, width)), requires_grad=True)
    loss = sum((x[t] * 0.5).sum() for t in range(steps))
    tracemalloc.start()
    loss.backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    np.testing.assert_array_equal(x.grad, np.full((steps, width), 0.5))
    assert peak < 3 * x.data.nbytes  # one scatter per step would make 400 arrays of 6.4 MB


def test_unbind_and_chunk_gradients_match_torch():
    torch = pytest.importorskip("torch")
    data = RNG.standard_normal((6, 4))
    x, x_t = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    for ours, theirs in [(x.unbind(0), x_t.unbind(0)), (x.chunk(3, 1), x_t.chunk(3, 1))]:
        loss = sum((piece * (k + 1.0)).tanh().sum() for k, piece in enumerate(ours))
        loss_t = sum((piece * (k + 1.0)).tanh().sum() for k, piece in enumerate(theirs))
        loss.backward()
        loss_t.backward()
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-13, atol=1e-15)
