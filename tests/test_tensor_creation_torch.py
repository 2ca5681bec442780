"""Tensor creation and conversion against torch 2.13: the warnings, dtypes and values torch's factories give for
the inputs a ported test suite makes its tensors from (``tensor`` of a Tensor, ``full`` of a 0-d Tensor, ranges
whose values overflow the dtype or whose ends are infinite). The tests that read torch skip without it."""

import warnings

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

COPY_CONSTRUCT = "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone()"


def _warning_texts(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor(m.ones(2)),
        lambda m: m.tensor(m.ones(2, requires_grad=True)),
        lambda m: m.tensor(m.tensor(3.0), dtype=m.float32),
        lambda m: m.tensor(m.ones(2), requires_grad=True),
        lambda m: m.ones(2).new_tensor(m.ones(2)),
    ],
)
def test_tensor_of_a_tensor_warns_to_detach_and_clone_as_torchs(make):
    (theirs,) = _warning_texts(lambda: make(torch))
    ours = _warning_texts(lambda: make(autograd))
    assert theirs.startswith(COPY_CONSTRUCT)
    assert len(ours) == 1 and ours[0].startswith(COPY_CONSTRUCT)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1.0, 2.0]),
        lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
        lambda m: m.tensor(np.ones(2)),
        lambda m: m.as_tensor(m.ones(2)),
        lambda m: m.ones(2).new_tensor([1.0]),
    ],
)
def test_tensor_of_other_data_does_not_warn(make):
    assert _warning_texts(lambda: make(torch)) == []
    assert _warning_texts(lambda: make(autograd)) == []


def test_the_copy_of_a_tensor_is_a_detached_leaf_as_torchs():
    source = autograd.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="To copy construct"):
        copy = autograd.tensor(source)
    assert copy.is_leaf and not copy.requires_grad and copy.grad_fn is None
    copy.data[0] = 5.0
    assert source.data[0] == 1.0
