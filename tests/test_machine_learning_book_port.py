"""Machine Learning with PyTorch and Scikit-Learn (Raschka, Liu, Mirjalili; rasbt/machine-learning-book,
chapters 12 to 18) ported: each PyTorch listing written once, as the book spells it, and run with torch and with
this library (``autograd`` for ``torch``, ``nn`` for ``torch.nn``, ``nn.data`` for ``torch.utils.data``), the two
compared with the same weights and data: outputs, losses, every gradient (the WGAN-GP penalty's double backward
included) and a few optimizer steps.

The book's datasets (iris, auto-mpg, MNIST, CelebA, IMDb, The Mysterious Island) are replaced by small random
stand-ins of their shapes; random draws (``torch.rand``, ``torch.normal``, dropout masks, shuffles) are made by one
library and handed to the other, since the two generators differ. The book works in float32, torch's default;
this library's factories make float64 unless ``set_default_dtype(float32)``, which every test here sets (and
restores) for both libraries. The port's documented spellings: ``torch.nn`` is ``nn`` and ``torch.optim`` is
``nn.optim`` (the engine does not import ``nn``), ``x.repeat(8, 1, 1)`` is numpy's repeat here (torch's is
``x.tile(8, 1, 1)``), and ``squeeze(0)`` of an axis longer than 1 raises here (``squeeze(dim=0)`` leaves it, as
torch's ``squeeze(0)`` does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


@pytest.fixture
def float32():
    """autograd's factories (and torch's, when installed) make float32, the book's dtype; restored afterwards."""
    previous = autograd.get_default_dtype()
    autograd.set_default_dtype(autograd.float32)
    yield
    autograd.set_default_dtype(previous)


@pytest.fixture
def torch(float32):
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    yield torch
    torch.set_default_dtype(previous)


def _libs(torch: Any) -> list[dict[str, Any]]:
    """The names the book's code uses, for torch and for this library."""
    theirs = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim, "data": torch.utils.data}
    ours = {"torch": autograd, "nn": nn, "F": F, "optim": nn.optim, "data": nn.data}
    return [theirs, ours]


def _array(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach()
    return np.array(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)


def _close(ours: Any, theirs: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(_array(ours), _array(theirs), rtol=rtol, atol=atol)


def _copy_weights(source: Any, target: Any) -> None:
    """torch's module's state (weights and buffers) copied into ours, by name."""
    target.load_state_dict({name: value.detach().numpy().copy() for name, value in source.state_dict().items()})


def _grads(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p.grad) for name, p in model.named_parameters()}


def _same_grads(ours: Any, theirs: Any, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    expected, got = _grads(theirs), _grads(ours)
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_allclose(got[name], value, rtol=rtol, atol=atol, err_msg=name)


# ---- ch12: tensor basics, data pipelines, linear regression, the iris MLP ----------------------------------


def test_ch12_split_stack_and_concatenate_as_the_book_spells_them(torch):
    def run(torch: Any) -> list[Any]:
        t = torch.tensor(np.random.default_rng(1).random(6), dtype=torch.float32)
        out = [item.numpy() for item in torch.chunk(t, 3)]
        t = t[:5]
        out += [item.numpy() for item in torch.split(t, split_size_or_sections=[3, 2])]
        out += [item.numpy() for item in torch.split(t, 2, dim=0)]
        A, B = torch.ones(3), torch.zeros(2)
        out.append(torch.cat([A, B], axis=0))
        out.append(torch.stack([A, torch.zeros(3)], axis=1))
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    assert [np.shape(x) for x in ours] == [np.shape(x) for x in theirs]
    for got, expected in zip(ours, theirs):
        _close(got, expected)
