"""The error contract of nn.functional and nn.optim under bad input, against torch 2.13: the same bad call raises
an error on both sides, the library's is an instance of the class torch raises (so an ``except`` written for torch
catches it), its message names the function, and a failed call leaves its inputs as they were.

Every case is one call written against a namespace (``lib`` or torch's), so the same input goes to both.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

import autograd as A
import nn.functional as F

LIBRARY = types.SimpleNamespace(
    F=F,
    tensor=lambda values, dtype="float32": A.tensor(np.array(values, dtype=dtype)),
)


def _torch() -> types.SimpleNamespace:
    """torch's namespace, or a skip where torch is not installed."""
    torch = pytest.importorskip("torch")
    return types.SimpleNamespace(
        F=torch.nn.functional,
        tensor=lambda values, dtype="float32": torch.tensor(np.array(values, dtype=dtype)),
    )


def _raises_as_torch(call, name: str) -> BaseException:
    """``call`` raises on torch and on the library; the library's error is an instance of torch's class and names
    ``name``. Returns the library's error."""
    with pytest.raises(Exception) as torch_caught:
        call(_torch())
    torch_class = type(torch_caught.value)
    with pytest.raises(Exception) as caught:
        call(LIBRARY)
    assert isinstance(caught.value, torch_class), (type(caught.value).__mro__, torch_class)
    assert name in str(caught.value)
    return caught.value


# ------------------------------------------------------------------ nothing half-changed


@pytest.mark.parametrize("bad", ["running_mean", "running_var"])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_batch_norm_refuses_an_integer_running_statistic_before_updating_either(bad: str, dtype: str) -> None:
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)

    def call(m, stats):
        return m.F.batch_norm(m.tensor(x), stats["running_mean"], stats["running_var"], training=True)

    torch = pytest.importorskip("torch")
    torch_stats = {"running_mean": torch.tensor([0.0, 0, 0]), "running_var": torch.tensor([1.0, 1, 1])}
    torch_stats[bad] = torch_stats[bad].to(getattr(torch, dtype))
    with pytest.raises(RuntimeError):
        call(_torch(), torch_stats)
    stats = {"running_mean": np.zeros(3, np.float32), "running_var": np.ones(3, np.float32)}
    stats[bad] = stats[bad].astype(dtype)
    with pytest.raises(RuntimeError, match="batch_norm: " + bad):
        call(LIBRARY, stats)
    np.testing.assert_array_equal(stats["running_mean"], 0)  # neither statistic moved
    np.testing.assert_array_equal(stats["running_var"], 1)
