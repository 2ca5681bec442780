"""Comparing nested results of two ports of one program (torch's and this library's): dicts, lists and tuples of
tensors, arrays, numbers and strings, walked with a stack."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(x: Any) -> np.ndarray:
    """A torch tensor, a Tensor or anything numpy reads, as an ndarray of its values."""
    if hasattr(x, "detach") and not isinstance(x, np.ndarray):
        x = x.detach()
    return x.numpy() if hasattr(x, "numpy") and not isinstance(x, np.ndarray) else np.asarray(x)


def assert_same(expected: Any, got: Any, rtol: float, atol: float) -> None:
    """``got`` has ``expected``'s structure (dict keys in order, sequence lengths), its strings, booleans and None,
    and its numbers and tensors to ``rtol``/``atol`` in the same shapes; a failure names the place."""
    stack = [(expected, got, "")]
    while stack:
        want, have, where = stack.pop()
        if isinstance(want, dict):
            assert list(want) == list(have), where
            stack.extend((want[key], have[key], f"{where}.{key}") for key in want)
        elif isinstance(want, (list, tuple)):
            assert len(want) == len(have), where
            stack.extend((a, b, f"{where}[{index}]") for index, (a, b) in enumerate(zip(want, have)))
        elif isinstance(want, (str, bool, type(None))):
            assert want == have, where
        else:
            a, b = as_array(want), as_array(have)
            assert a.shape == b.shape, where
            np.testing.assert_allclose(b, a, rtol=rtol, atol=atol, err_msg=where)
