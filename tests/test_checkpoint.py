"""nn.utils.checkpoint.checkpoint: the block's values and every gradient (inputs and the module's parameters)
equal those of the plain call, against torch's checkpoint and finite differences; the random draws of dropout
are replayed; nothing inside the block is kept in the graph."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, gradcheck, gradgradcheck
from nn.utils.checkpoint import checkpoint

RNG = np.random.default_rng(3)
X = RNG.normal(size=(5, 4))


def _block(dropout: float = 0.0) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(4, 6, rng=0, dtype=np.float64),
        nn.Tanh(),
        nn.Dropout(dropout, rng=1),
        nn.Linear(6, 3, rng=2, dtype=np.float64),
    )


def _loss_and_gradients(block, x, checkpointed):
    block.zero_grad()
    x.grad = None
    out = checkpoint(block, x) if checkpointed else block(x)
    loss = (out * out).sum()
    loss.backward()
    return loss.item(), x.grad.copy(), [p.grad.copy() for p in block.parameters()]


def test_values_and_gradients_equal_the_plain_calls():
    block, x = _block(), Tensor(X.copy(), requires_grad=True)
    plain = _loss_and_gradients(block, x, checkpointed=False)
    kept = _loss_and_gradients(block, x, checkpointed=True)
    assert kept[0] == plain[0]
    np.testing.assert_allclose(kept[1], plain[1], rtol=1e-15)
    for ours, theirs in zip(kept[2], plain[2]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-15)


def test_gradients_match_torchs_checkpoint():
    torch = pytest.importorskip("torch")
    block, x = _block(), Tensor(X.copy(), requires_grad=True)
    _, x_grad, parameter_grads = _loss_and_gradients(block, x, checkpointed=True)
    mirror = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)).double()
    with torch.no_grad():
        for theirs, ours in zip(mirror.parameters(), block.parameters()):
            theirs.copy_(torch.from_numpy(ours.data))
    x_t = torch.tensor(X, requires_grad=True)
    out = torch.utils.checkpoint.checkpoint(mirror, x_t, use_reentrant=False)
    (out * out).sum().backward()
    np.testing.assert_allclose(x_grad, x_t.grad.numpy(), rtol=1e-12)
    for ours, theirs in zip(parameter_grads, mirror.parameters()):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12)


def test_input_gradients_match_finite_differences_to_second_order():
    block = _block()
    assert gradcheck(lambda x: checkpoint(block, x), [Tensor(X.copy(), requires_grad=True)])
    assert gradgradcheck(lambda x: checkpoint(block, x), [Tensor(X.copy(), requires_grad=True)])


def test_dropout_draws_are_replayed_in_the_second_run():
    block = _block(dropout=0.5)
    x = Tensor(X.copy(), requires_grad=True)
    out = checkpoint(block, x)
    (out * out).sum().backward()
    # the same step without checkpointing, from the same generator states, gives the same gradients
    replay = _block(dropout=0.5)
    replay.load_state_dict(block.state_dict())
    expected_out = replay(Tensor(X.copy()))
    np.testing.assert_array_equal(out.data, expected_out.data)
    x2 = Tensor(X.copy(), requires_grad=True)
    replay_out = _block(dropout=0.5)(x2)  # a fresh block draws the same first mask (rng=1)
    (replay_out * replay_out).sum().backward()
    np.testing.assert_allclose(x.grad, x2.grad, rtol=1e-14)
    # and the stream continues as if the block had run once: the next call draws the second mask
    next_plain = replay(Tensor(X.copy()))
    np.testing.assert_array_equal(block(Tensor(X.copy())).data, next_plain.data)


def test_nothing_inside_the_block_is_kept_by_the_graph():
    seen = []

    def inner(x):
        hidden = x.tanh()
        seen.append(weakref.ref(hidden))
        return hidden * 2.0

    x = Tensor(X.copy(), requires_grad=True)
    out = checkpoint(inner, x)
    gc.collect()
    assert seen[0]() is None  # the first run's intermediate is gone; backward makes its own
    out.sum().backward()
    np.testing.assert_allclose(x.grad, 2.0 * (1.0 - np.tanh(X) ** 2), rtol=1e-14)


def test_keyword_arguments_constants_and_several_outputs():
    def split(x, scale, *, shift):
        return x * scale + shift, (x * x).sum()

    x = Tensor(X.copy(), requires_grad=True)
    first, second = checkpoint(split, x, 3.0, shift=1.0, use_reentrant=False)
    (first.sum() + second).backward()
    np.testing.assert_allclose(x.grad, 3.0 + 2.0 * X, rtol=1e-14)


def test_without_anything_to_differentiate_it_is_a_plain_call():
    block = _block()
    for parameter in block.parameters():
        parameter.requires_grad = False
    out = checkpoint(block, Tensor(X.copy()))
    assert not out.requires_grad
    with autograd.no_grad():
        assert not checkpoint(_block(), Tensor(X.copy(), requires_grad=True)).requires_grad


def test_unsupported_options_and_non_callables_are_refused():
    with pytest.raises(TypeError, match="checkpoint: function must be callable, got int"):
        checkpoint(3, Tensor(X.copy()))
    with pytest.raises(ValueError, match="checkpoint: context_fn"):
        checkpoint(_block(), Tensor(X.copy()), context_fn=lambda: None)


def test_tensors_given_as_keyword_arguments_get_their_gradients():
    x, w = Tensor(X.copy(), requires_grad=True), Tensor(X[0].copy(), requires_grad=True)
    checkpoint(lambda x, w=None: (x * w).sum(), x, w=w, use_reentrant=False).backward()
    np.testing.assert_allclose(x.grad, np.broadcast_to(X[0], X.shape), rtol=1e-14)
    np.testing.assert_allclose(w.grad, X.sum(axis=0), rtol=1e-14)


def test_the_leaves_a_closure_uses_get_their_gradients_from_backward():
    # a lambda over a module: its parameters are not inputs of the node, and still get what the plain call gives
    block = _block()
    x = Tensor(X.copy(), requires_grad=True)
    checkpoint(lambda t: block(t).sum(), x).backward()
    checkpointed = [p.grad.copy() for p in block.parameters()] + [x.grad.copy()]
    block.zero_grad()
    x.grad = None
    block(x).sum().backward()
    for got, expected in zip(checkpointed, [p.grad for p in block.parameters()] + [x.grad]):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_autograd_grad_through_a_checkpointed_closure_leaves_every_grad_alone():
    block = _block()
    x = Tensor(X.copy(), requires_grad=True)
    (got,) = autograd.grad(checkpoint(lambda t: block(t).sum(), x), [x])
    (expected,) = autograd.grad(block(x).sum(), [x])
    np.testing.assert_allclose(got.data if isinstance(got, Tensor) else got, expected, rtol=1e-12)
    assert all(p.grad is None for p in block.parameters()) and x.grad is None


def test_dropout_draws_are_replayed_when_a_closure_or_lambda_calls_the_block():
    # torch replays its global generator for any function; here the generators of the modules the function
    # reaches (a closure's cells, the globals it names, a partial's arguments) must be replayed
    def custom_forward(module):  # the create_custom_forward pattern of transformers
        def run(t):
            return module(t)

        return run

    for wrap in (lambda block: custom_forward(block), lambda block: lambda t: block(t)):
        block = _block(dropout=0.5)
        x = Tensor(X.copy(), requires_grad=True)
        out = checkpoint(wrap(block), x)
        (out * out).sum().backward()
        x2 = Tensor(X.copy(), requires_grad=True)
        replay_out = _block(dropout=0.5)(x2)  # a fresh block draws the same first mask (rng=1)
        (replay_out * replay_out).sum().backward()
        np.testing.assert_array_equal(out.data, replay_out.data)
        np.testing.assert_allclose(x.grad, x2.grad, rtol=1e-14)


def test_blocks_sharing_the_seeded_generator_leave_its_stream_where_the_plain_run_does():
    # torch's fork_rng: backward puts the generator back where it found it, so the next step draws the masks
    # a run without checkpointing draws (restoring each block's own end state rewound the stream to block 1's)
    def two_steps(checkpointed):
        autograd.manual_seed(0)
        first = nn.Sequential(nn.Linear(4, 4, rng=0, dtype=np.float64), nn.Dropout(0.5))
        second = nn.Sequential(nn.Linear(4, 4, rng=1, dtype=np.float64), nn.Dropout(0.5))
        outputs = []
        for _ in range(2):
            x = Tensor(X.copy(), requires_grad=True)
            hidden = checkpoint(first, x) if checkpointed else first(x)
            out = checkpoint(second, hidden) if checkpointed else second(hidden)
            out.sum().backward()
            outputs.append((out.data.copy(), x.grad.copy()))
        return outputs

    try:
        for (out, grad), (plain_out, plain_grad) in zip(two_steps(True), two_steps(False)):
            np.testing.assert_array_equal(out, plain_out)
            np.testing.assert_allclose(grad, plain_grad, rtol=1e-14)
    finally:
        autograd.random_state._seeded = None


def test_a_block_returning_its_input_unchanged_passes_the_gradient_through():
    x = Tensor(X.copy(), requires_grad=True)
    (checkpoint(nn.Identity(), x) * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(X.shape, 3.0))
    assert gradcheck(lambda x: checkpoint(nn.Identity(), x) * 3.0, [Tensor(X.copy(), requires_grad=True)])


def test_a_block_returning_its_input_beside_a_result_differentiates_both_outputs():
    def pass_and_double(a):
        first, second = checkpoint(lambda t: (t, t * t), a)
        return first + second

    assert gradcheck(pass_and_double, [Tensor(X.copy(), requires_grad=True)])
    assert gradgradcheck(pass_and_double, [Tensor(X.copy(), requires_grad=True)])
    block = _block()

    def pass_and_block(a):
        first, second = checkpoint(lambda t: (t, block(t)), a)
        return first.sum() + (second * second).sum()

    assert gradcheck(pass_and_block, [Tensor(X.copy(), requires_grad=True)])
