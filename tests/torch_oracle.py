"""The torch oracle of the ported op tests (tests/test_ported_*.py): one op run in torch and here, values and
gradients compared, in the manner of tinygrad's ``helper_test_op``.

The ported tests follow other autodiff projects' suites (tinygrad/teenygrad ``test_ops.py``, micrograd
``test_engine.py``, MyGrad, minitorch), written for this library's API. Where the library deliberately follows
numpy instead of torch (README: dtype promotion, ``sign(nan)``), they do not assert torch's behaviour. Importing this module skips the importing test
module when torch is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Tensor

torch = pytest.importorskip("torch")


def raised_type(action: Callable[[], Any]) -> type[BaseException] | None:
    """The class of the exception ``action()`` raises, or None: what torch-parity tests compare on each side."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 -- the type is what is compared
        return type(error)
    return None


def is_torch(x: Any) -> bool:
    """Whether ``x`` is a torch tensor (the torch side of a case) rather than one of ours."""
    return isinstance(x, torch.Tensor)


def check_like_torch(
    shapes: list[tuple[int, ...]] | None,
    torch_fn: Callable[..., Any],
    our_fn: Callable[..., Any] | None = None,
    *,
    values: list[np.ndarray] | None = None,
    low: float = -1.5,
    high: float = 1.5,
    forward_only: bool = False,
    dtype: Any = np.float64,
    atol: float = 1e-9,
    rtol: float = 1e-7,
    loss: Callable[[Any], Any] = lambda out: ((out + 1) ** 2).mean(),
) -> None:
    """Values and gradients of ``our_fn`` (default: ``torch_fn``, when the spelling is the same) against torch's:
    the gradients are those of ``loss(out)``, by default tinygrad's mean((out + 1)^2)."""
    our_fn = our_fn or torch_fn
    rng = np.random.default_rng(0)
    arrays = (
        [np.asarray(v) for v in values]
        if values is not None
        else [rng.uniform(low, high, shape).astype(dtype) for shape in shapes or []]
    )
    grads = [not forward_only and a.dtype.kind == "f" for a in arrays]
    theirs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    ours = [Tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    expected, got = torch_fn(*theirs), our_fn(*ours)
    got_data = got.data if isinstance(got, Tensor) else np.asarray(got)
    assert got_data.shape == tuple(expected.shape), f"shape {got_data.shape}, torch {tuple(expected.shape)}"
    np.testing.assert_allclose(got_data, expected.detach().numpy(), atol=atol, rtol=rtol, err_msg="value")
    if forward_only or not expected.requires_grad:
        return
    loss(expected).backward()
    loss(got).backward()
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        if not reference.requires_grad:
            continue
        want = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
        have = np.zeros(mine.shape) if mine.grad is None else mine.grad
        np.testing.assert_allclose(have, want, atol=atol * 10, rtol=rtol * 10, err_msg=f"gradient of input {position}")
