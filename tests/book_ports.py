"""What the ports of books and courses written in torch share (tests/test_deep_learning_with_pytorch_port.py,
test_machine_learning_book_port.py, test_mit_intro_deep_learning_port.py): each runs the book's code once with
torch's names and once with this library's, from the same weights, and compares.

Import the fixtures into a port's module (``from book_ports import float32, torch``): ``float32`` makes float32 the
default dtype of both libraries' factories (the books' dtype; this library's is float64) for the test, ``torch``
gives torch under it (the test is skipped without torch).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


@pytest.fixture
def float32() -> Iterator[None]:
    """autograd's factories make float32, the books' dtype, for the test; the previous default afterwards."""
    previous = autograd.get_default_dtype()
    autograd.set_default_dtype(autograd.float32)
    yield
    autograd.set_default_dtype(previous)


@pytest.fixture
def torch(float32: None) -> Iterator[Any]:
    """torch with float32 as its default dtype too (restored afterwards); skipped when torch is not installed."""
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    # torch's layers draw their initial weights from its generator: seeded here (and put back afterwards), so each
    # test starts from the same weights whatever ran before it. Some comparisons need it: a conv bias just before a
    # BatchNorm has a gradient that is 0 but for float32 rounding (the mean subtraction cancels it), so Adam's first
    # steps (g / sqrt(g^2)) move it by +-lr in the direction of each library's rounding, which agree for some
    # weights and not for others (MIT's debiasing classifier: about 1 draw in 6)
    with torch.random.fork_rng(), cudnn_flags_settable(torch):
        torch.manual_seed(0)
        yield torch
    torch.set_default_dtype(previous)


@contextlib.contextmanager
def cudnn_flags_settable(torch: Any) -> Iterator[None]:
    """Let a book's ``set_seed`` assign ``torch.backends.cudnn.deterministic``/``benchmark`` as a script does, and
    put the flags back afterwards. torch's own test utilities (``torch.testing._internal.common_utils``, which the
    OpInfo and optimizer-database tests import) freeze those flags for the rest of the process, so such an
    assignment raises there, which depends on which tests ran first; a fresh process allows it."""
    cudnn = torch.backends.cudnn
    saved = cudnn.deterministic, cudnn.benchmark
    with getattr(torch.backends, "__allow_nonbracketed_mutation")():
        try:
            yield
        finally:
            cudnn.deterministic, cudnn.benchmark = saved


def libraries(torch: Any) -> list[dict[str, Any]]:
    """The names the books' code uses, torch's then this library's: ``torch``, ``nn``, ``F``, ``optim``, ``data``
    (torch.utils.data), ``init``, ``save`` and ``load``."""
    theirs = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim}
    theirs.update(data=torch.utils.data, init=torch.nn.init, save=torch.save, load=torch.load)
    ours = {"torch": autograd, "nn": nn, "F": F, "optim": nn.optim}
    ours.update(data=nn.data, init=nn.init, save=nn.save, load=nn.load)
    return [theirs, ours]


def as_array(x: Any) -> np.ndarray:
    """A tensor of either library (detached), an array or a number, as a float64 array."""
    if hasattr(x, "detach"):
        x = x.detach()
    return np.array(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)


def assert_close(ours: Any, theirs: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Our result equals torch's within float32 tolerances."""
    np.testing.assert_allclose(as_array(ours), as_array(theirs), rtol=rtol, atol=atol)


def state_arrays(model: Any) -> dict[str, np.ndarray]:
    """A module's state (torch's or ours) as numpy arrays, copies, by name: to load into either library's modules."""
    state = model.state_dict().items()
    return {k: v.detach().numpy().copy() if hasattr(v, "detach") else np.array(v) for k, v in state}


def load_state(torch: Any, model: Any, state: dict[str, np.ndarray]) -> None:
    """A :func:`state_arrays` state loaded into a module of ``torch`` (torch, or this library's ``autograd``)."""
    model.load_state_dict({name: torch.tensor(value) for name, value in state.items()})


def copy_weights(source: Any, target: Any) -> None:
    """torch's module's state (weights and buffers) copied into ours, by name."""
    target.load_state_dict({name: value.detach().numpy().copy() for name, value in source.state_dict().items()})


def assert_results_match(ours: dict[str, Any], theirs: dict[str, Any], rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Every result torch's run gave, by name, from ours: arrays and tensors within :func:`assert_close`'s
    tolerances, anything else (shapes, strides, numbers) equal."""
    for name, value in theirs.items():
        if hasattr(value, "shape"):
            assert_close(ours[name], value, rtol=rtol, atol=atol)
        else:
            assert ours[name] == value, name
