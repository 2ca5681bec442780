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


def test_module_compile_is_torchs_in_place_call_returning_none_and_keeping_the_state_dict_keys(torch):
    import nn

    for library in (nn, torch.nn):
        model = library.Linear(3, 2)
        assert model.compile() is None
        assert model.compile(mode="max-autotune", fullgraph=True, dynamic=False) is None
        assert list(model.state_dict()) == ["weight", "bias"]
        with pytest.raises(RuntimeError, match="Unrecognized mode=foo"):
            model.compile(mode="foo")


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


# -- autocast ---------------------------------------------------------------------------------------------------
def _autocast_region(module, device_type, dtype_name, enabled, cache_enabled):
    """(device, enabled) of ``module.autocast(...)`` after entering and leaving it."""
    dtype = getattr(module, dtype_name) if dtype_name in ("float16", "float32", "float64", "int64") else dtype_name
    region = module.autocast(device_type, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)
    with region:
        pass
    return region.device, region._enabled


@pytest.mark.parametrize(
    ("device_type", "dtype", "enabled", "cache_enabled"),
    [
        ("cpu", None, True, None),
        ("cpu:0", None, True, None),
        ("cpu", "float16", True, None),
        ("cpu", "float16", False, True),
        ("cpu", "float32", True, None),
        ("cpu", "float64", True, None),
        ("cpu", "int64", True, None),
        ("cpu", "float32", False, None),
        ("cpu", "float16", "x", None),
        ("cpu", "float16", 1, None),
        ("cpu", "float32", 1, None),
        ("cpu", "float16", True, "x"),
        ("cpu", "float16", True, 1),
        ("cpu", "float16x", True, None),
        ("cuda", None, True, None),
        ("cuda", "float32", False, None),
        ("cuda", None, "x", None),
        ("foo", None, True, None),
        ("CPU", None, True, None),
        ("cpu ", None, True, None),
        ("", None, True, None),
        (1, None, True, None),
        (None, None, True, None),
    ],
)
def test_autocast_arguments_are_checked_and_disabled_as_torchs(torch, device_type, dtype, enabled, cache_enabled):
    arguments = (device_type, dtype, enabled, cache_enabled)
    ours = _outcome(lambda: _autocast_region(autograd, *arguments))
    theirs = _outcome(lambda: _autocast_region(torch, *arguments))
    assert ours[:2] == theirs[:2]
    assert [m.splitlines()[0] for m in ours[2]] == [m.splitlines()[0] for m in theirs[2]]


def test_autocast_on_an_indexed_cuda_device_is_disabled_too():
    """torch compares device_type with "cuda" exactly and leaves "cuda:0" enabled; there is no GPU here either way."""
    with pytest.warns(UserWarning, match="CUDA is not available"):
        region = autograd.autocast("cuda:0", dtype=autograd.float16)
    assert region._enabled is False


@pytest.mark.parametrize("device_type", ["mps", "xpu", "hpu", "meta"])
def test_autocast_refuses_device_types_this_library_lacks(device_type):
    with pytest.raises(RuntimeError, match=f"device_type '{device_type}' is not available here"):
        autograd.autocast(device_type)


def test_autocast_fast_dtype_is_torchs_where_torch_has_it(torch):
    assert autograd.autocast("cpu", dtype=autograd.float16).fast_dtype is autograd.float16
    with pytest.warns(UserWarning, match="CUDA is not available"):
        assert autograd.autocast("cuda").fast_dtype is autograd.float16
    with pytest.warns(UserWarning, match="CUDA is not available"):
        assert torch.autocast("cuda").fast_dtype is torch.float16
    assert autograd.autocast("cpu").fast_dtype is None  # torch's is bfloat16, which numpy lacks


def test_autocast_computes_in_full_precision_as_a_context_and_as_a_decorator():
    import nn

    autograd.manual_seed(0)
    model = nn.Linear(4, 3)
    x = autograd.randn(2, 4, dtype=autograd.float32)
    expected = x.numpy().astype(np.float64) @ model.weight.numpy().astype(np.float64).T + model.bias.numpy()

    @autograd.autocast("cpu", dtype=autograd.float16)
    def forward(x):
        return model(x)

    with autograd.autocast(device_type="cpu", dtype=autograd.float16):
        inside = model(x)
    for y in (inside, forward(x)):
        assert y.dtype == autograd.float32
        np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert forward.__name__ == "forward"
    inside.sum().backward()
    assert model.weight.grad.dtype == autograd.float32


def test_autocast_signature_is_torchs(torch):
    import inspect

    ours, theirs = inspect.signature(autograd.autocast), inspect.signature(torch.autocast)
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
        (p.name, p.kind, p.default) for p in theirs.parameters.values()
    ]
    assert autograd.amp.autocast is autograd.autocast
