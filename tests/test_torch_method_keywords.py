"""torch's keyword names on the Tensor methods whose sizes or operand torch names: ``permute(dims=)``,
``reshape(shape=)``, ``view(size=)``, ``mm(mat2=)``, ``split(split_size=)``; the same results as the positional
calls (and numpy), and both spellings at once a TypeError."""

import numpy as np
import pytest

import autograd as ag

X = np.arange(24.0).reshape(2, 3, 4)


def _tensor():
    return ag.tensor(X.copy(), requires_grad=True)


@pytest.mark.parametrize(
    ("keyword_call", "positional_call", "expected"),
    [
        (lambda t: t.permute(dims=(2, 0, 1)), lambda t: t.permute(2, 0, 1), X.transpose(2, 0, 1)),
        (lambda t: t.permute(dims=[1, 0, 2]), lambda t: t.permute(1, 0, 2), X.transpose(1, 0, 2)),
        (lambda t: t.reshape(shape=(4, 6)), lambda t: t.reshape(4, 6), X.reshape(4, 6)),
        (lambda t: t.reshape(shape=[-1]), lambda t: t.reshape(-1), X.reshape(-1)),
        (lambda t: t.view(size=(6, 4)), lambda t: t.view(6, 4), X.reshape(6, 4)),
        (lambda t: t.view(size=[3, -1]), lambda t: t.view(3, -1), X.reshape(3, -1)),
        (lambda t: t[0].mm(mat2=t[1].T), lambda t: t[0].mm(t[1].T), X[0] @ X[1].T),
        (lambda t: ag.mm(input=t[0], mat2=t[1].T), lambda t: ag.mm(t[0], t[1].T), X[0] @ X[1].T),
        (lambda t: t.split(split_size=2, dim=2)[1], lambda t: t.split(2, 2)[1], X[:, :, 2:4]),
        (lambda t: ag.permute(t, dims=(1, 2, 0)), lambda t: ag.permute(t, (1, 2, 0)), X.transpose(1, 2, 0)),
        (lambda t: ag.reshape(t, shape=(12, 2)), lambda t: ag.reshape(t, (12, 2)), X.reshape(12, 2)),
    ],
)
def test_torch_keyword_gives_the_positional_calls_value_and_gradient(keyword_call, positional_call, expected):
    gradients = []
    for call in (keyword_call, positional_call):
        t = _tensor()
        out = call(t)
        np.testing.assert_array_equal(out.data, expected)
        (out * np.arange(out.size).reshape(out.shape)).sum().backward()
        gradients.append(t.grad)
    np.testing.assert_array_equal(gradients[0], gradients[1])


def test_reshape_and_view_keywords_record_the_gradient_of_each_entry():
    t = _tensor()
    weights = np.arange(24.0).reshape(4, 6)
    (t.reshape(shape=(4, 6)) * weights).sum().backward()
    np.testing.assert_array_equal(t.grad, weights.reshape(X.shape))
    t = _tensor()
    (t.view(size=(4, 6)) * weights).sum().backward()
    np.testing.assert_array_equal(t.grad, weights.reshape(X.shape))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.permute(0, 1, 2, dims=(0, 1, 2)),
        lambda t: t.reshape(4, 6, shape=(4, 6)),
        lambda t: t.view(4, 6, size=(4, 6)),
        lambda t: t.split(2, split_size=2),
        lambda t: t.split(),
    ],
)
def test_both_spellings_or_neither_is_a_type_error(call):
    with pytest.raises(TypeError):
        call(_tensor())


def test_the_keywords_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _tensor(), torch.tensor(X, requires_grad=True)
    for name, keywords in [
        ("permute", {"dims": (2, 0, 1)}),
        ("reshape", {"shape": (4, 6)}),
        ("view", {"size": (6, 4)}),
    ]:
        np.testing.assert_array_equal(getattr(ours, name)(**keywords).data, getattr(theirs, name)(**keywords).detach())
    np.testing.assert_array_equal(ours[0].mm(mat2=ours[1].T).data, theirs[0].mm(mat2=theirs[1].T).detach())
    for piece, expected in zip(ours.split(split_size=3, dim=2), theirs.split(split_size=3, dim=2)):
        np.testing.assert_array_equal(piece.data, expected.detach())
