"""What the ports of torch's docstring examples share (tests/test_torch_doc_examples_port.py and
tests/test_torch_doc_examples_linalg_autograd_port.py): each example is a function of the library module ``lib``,
run once with ``lib = autograd`` and once with ``lib = torch`` on the same inputs (``fixed`` gives both sides one
array where torch's docstring draws a random one), and ``check`` compares the two results: shapes, dtypes, values,
tuple structure and named fields. Import ``float32_default`` into a port's module to make float32 the default
dtype of the library's factories for its tests, as torch's.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def float32_default():
    before = autograd.get_default_dtype()
    autograd.set_default_dtype(np.float32)
    yield
    autograd.set_default_dtype(before)


def fixed(lib, shape, seed=0, kind="normal", dtype=np.float32, requires_grad=False):
    """The same array on both sides where torch's docstring draws one at random."""
    rng = np.random.default_rng(seed)
    if kind == "normal":
        data = rng.standard_normal(shape)
    elif kind == "uniform":
        data = rng.random(shape)
    else:
        data = rng.integers(kind[0], kind[1], shape)
    return lib.tensor(np.asarray(data).astype(dtype), requires_grad=requires_grad)


def _dtype_name(dtype):
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    return np.dtype(dtype).name


def assert_like_torch(ours, theirs, where="result"):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, (autograd.Tensor, np.ndarray)), f"{where}: {type(ours).__name__}, not a Tensor"
        array = np.asarray(ours.detach().numpy() if isinstance(ours, autograd.Tensor) else ours)
        expected = theirs.detach().numpy()
        assert array.shape == expected.shape, f"{where}: shape {array.shape} != {expected.shape}"
        assert _dtype_name(array.dtype) == _dtype_name(theirs.dtype), f"{where}: {array.dtype} != {theirs.dtype}"
        if expected.dtype.kind in "biu":
            np.testing.assert_array_equal(array, expected, err_msg=where)
        else:
            np.testing.assert_allclose(array, expected, rtol=2e-5, atol=2e-6, equal_nan=True, err_msg=where)
    elif isinstance(theirs, torch.dtype):
        assert _dtype_name(ours) == _dtype_name(theirs), where
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"{where}: {type(ours).__name__}, not a sequence"
        assert len(ours) == len(theirs), f"{where}: {len(ours)} parts, torch {len(theirs)}"
        for field in getattr(theirs, "_fields", ()):
            assert_like_torch(getattr(ours, field), getattr(theirs, field), f"{where}.{field}")
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_like_torch(a, b, f"{where}[{i}]")
    elif isinstance(theirs, bool):
        assert ours is theirs or (isinstance(ours, np.bool_) and bool(ours) is theirs), f"{where}: {ours!r}"
    elif isinstance(theirs, (int, float)):
        assert float(ours) == pytest.approx(theirs, rel=1e-5, abs=1e-6, nan_ok=True), f"{where}: {ours!r}"
        assert isinstance(ours, int) == isinstance(theirs, int), f"{where}: {type(ours).__name__}"
    else:
        assert ours == theirs, where


def check(example):
    assert_like_torch(example(autograd), example(torch))
