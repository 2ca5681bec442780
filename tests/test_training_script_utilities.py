"""torch's top-level utilities that training scripts (build-nanogpt's train_gpt2.py) call before training:
set/get_float32_matmul_precision, compile and autocast, compared with torch's results and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def restore_matmul_precision(torch):
    ours, theirs = autograd.get_float32_matmul_precision(), torch.get_float32_matmul_precision()
    yield
    autograd.set_float32_matmul_precision(ours)
    torch.set_float32_matmul_precision(theirs)


def _outcome(call):
    """(result or None, exception type name or None, warning messages) of ``call()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = call(), None
        except Exception as exc:  # noqa: BLE001 - the type is what is compared
            result, error = None, type(exc).__name__
    return result, error, [str(w.message).split(" (Triggered")[0] for w in caught]


# -- float32 matmul precision ---------------------------------------------------------------------------------
@pytest.mark.usefixtures("restore_matmul_precision")
def test_float32_matmul_precision_is_stored_and_returned_as_torchs(torch):
    assert autograd.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    for precision in ("high", "medium", "highest", "high"):
        assert autograd.set_float32_matmul_precision(precision) is torch.set_float32_matmul_precision(precision)
        assert autograd.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == precision
        assert autograd.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32


@pytest.mark.usefixtures("restore_matmul_precision")
def test_allow_tf32_and_the_float32_matmul_precision_are_one_switch_as_torchs(torch):
    for value in (True, False, True):
        autograd.backends.cuda.matmul.allow_tf32 = value
        torch.backends.cuda.matmul.allow_tf32 = value
        assert autograd.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
        assert autograd.backends.cuda.matmul.allow_tf32 is value


@pytest.mark.usefixtures("restore_matmul_precision")
@pytest.mark.parametrize("precision", ["foo", "HIGH", "", 1, None, 0.5])
def test_bad_float32_matmul_precisions_fail_or_warn_as_torchs(torch, precision):
    autograd.set_float32_matmul_precision("medium")
    torch.set_float32_matmul_precision("medium")
    ours = _outcome(lambda: autograd.set_float32_matmul_precision(precision))
    theirs = _outcome(lambda: torch.set_float32_matmul_precision(precision))
    assert ours[1] == theirs[1]
    assert [m.replace("currentsetFloat32", "current setFloat32") for m in theirs[2]] == ours[2]
    assert autograd.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "medium"


@pytest.mark.usefixtures("restore_matmul_precision")
def test_float32_matmul_precision_changes_no_float32_product():
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((16, 16)).astype(np.float32) for _ in range(2))
    autograd.set_float32_matmul_precision("medium")
    product = (autograd.tensor(a) @ autograd.tensor(b)).numpy()
    np.testing.assert_allclose(product, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-5, atol=1e-5)
    assert product.dtype == np.float32
