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


# -- compile ----------------------------------------------------------------------------------------------------
def test_compile_signature_is_torchs(torch):
    import inspect

    ours, theirs = inspect.signature(autograd.compile), inspect.signature(torch.compile)
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
        (p.name, p.kind, p.default) for p in theirs.parameters.values()
    ]


def test_compile_returns_the_model_and_changes_no_result():
    import nn

    autograd.manual_seed(0)
    model = nn.Linear(3, 2)
    x = autograd.tensor(np.arange(6.0).reshape(2, 3)).to(model.weight.dtype)
    expected = x.numpy() @ model.weight.numpy().T + model.bias.numpy()
    compiled = autograd.compile(model)
    assert compiled is model
    np.testing.assert_allclose(compiled(x).numpy(), expected, rtol=1e-12)
    assert list(compiled.state_dict()) == ["weight", "bias"]
    assert autograd.compile(model, mode="max-autotune", fullgraph=True, dynamic=False) is model
    assert autograd.compile(model, backend="eager", options=None) is model


def test_compile_decorates_functions_with_and_without_arguments():
    @autograd.compile
    def double(x):
        return x * 2

    @autograd.compile(fullgraph=True, mode="reduce-overhead")
    def square(x):
        return x * x

    assert double(3) == 6 and square(3) == 9
    assert double.__name__ == "double" and square.__name__ == "square"


@pytest.mark.parametrize(
    ("model", "keywords"),
    [
        (1, {}),
        ("f", {}),
        (1, {"disable": True}),
        (len, {"mode": "max-autotune", "options": {"a": 1}}),
        (len, {"mode": "foo"}),
        (len, {"mode": 1}),
        (len, {"backend": "foo"}),
        (len, {"backend": "foo", "disable": True}),
        (len, {"mode": "foo", "disable": True}),
        (len, {"backend": "eager", "mode": "foo"}),
        (len, {"dynamic": "x"}),
        (len, {"dynamic": 1}),
        (len, {"dynamic": "x", "disable": True}),
        (1, {"dynamic": "x"}),
        (1, {"backend": "foo"}),
        (len, {"fullgraph": "x", "name": 1}),
    ],
)
def test_bad_compile_arguments_fail_as_torchs(torch, model, keywords):
    ours = _outcome(lambda: autograd.compile(model, **keywords))
    theirs = _outcome(lambda: torch.compile(model, **keywords))
    assert ours[1] == theirs[1] or (ours[1], theirs[1]) == ("RuntimeError", "InvalidBackend")
    if ours[1] is None:
        assert ours[0] is model


def test_compile_errors_name_the_problem_as_torchs(torch):
    for keywords in ({"mode": "foo"}, {"backend": "foo"}, {"mode": "high", "options": {}}, {"dynamic": "x"}):
        with pytest.raises(Exception) as theirs:
            torch.compile(len, **keywords)
        with pytest.raises(Exception) as ours:
            autograd.compile(len, **keywords)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="Model can't be None"):
        autograd.compile()(None)
