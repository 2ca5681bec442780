"""A port of PyTorch's ``test/test_autocast.py``, its CPU parts, beside torch: ``TestAutocastCPU`` (the op lists of
``AutocastCPUTestLists`` run inside ``autocast("cpu", dtype=float16)``), ``TestTorchAutocast`` (device strings, a
device object, autocast used on something that is not callable) and ``TestTorchAutocastDevice`` run on the CPU (no_grad,
inference_mode and repeated forwards inside a region).

This library's autocast computes in full precision (see ``autograd.amp``): inside an enabled region no op changes the
dtype of its inputs. So the ops torch's CPU autocast runs in float16 (``torch_16``, ``nn_16``: convolutions, matrix
products, ``prelu``, ``linear``) and in float32 (``torch_fp32``, ``nn_fp32``: the losses, ``avg_pool3d``,
``reflection_pad1d``) are run here on float32 inputs inside a float16 region and must give torch's float32 results
outside a region (the "region changes nothing" reading of upstream's "autocast output equals the control"); the ops
that rely on type promotion (``expect_builtin_promote``, ``need_autocast_promote``: comparisons, ``add``/``div``/``mul``,
``cat``/``stack`` of a float32 and a float16 tensor) must give torch's dtype and values inside torch's own region.
As upstream, each op's function and method forms agree, and the region is enabled inside and not after.

Left out, and why: upstream's bfloat16 runs (numpy has no bfloat16, so this library neither; its float16 runs are
ported) and the float16/float32 dtype assertions of the 16 and fp32 lists (the deliberate full-precision difference
above); ``_addmm_activation``, ``_native_multi_head_attention``, ``conv_tbc`` and ``nll_loss2d`` (private or legacy
entry points this library does not have; ``reflection_pad1d`` is run as ``F.pad(mode="reflect")``, the other
``torch._C._nn`` ops as their ``nn.functional`` forms, ``margin_ranking_loss`` with a target of the inputs' shape as
``F.margin_ranking_loss`` requires in both libraries); ``test_autocast_rnn`` (an mkldnn bfloat16 LSTM); the
accelerator-only tests (the global cast cache and ``cache_enabled`` counting casts with a ``TorchDispatchMode``,
``index_put`` priorities under bfloat16, MPS messages) since nothing is cast here. ``custom_fwd`` / ``custom_bwd``
and the nested-region states are compared with torch in tests/test_autocast_custom_functions_torch.py.

Deliberate differences, not asserted: ``get_autocast_dtype("cpu")`` outside a region is None (torch's is bfloat16,
which numpy lacks), and ``amp.is_autocast_available`` is False for torch's other device types ("mps", "xpu": torch
says True), which this library's autocast refuses.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

N = 4  # upstream's n is 8; the ops do not depend on it


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def plain(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


def _name(dtype: Any) -> str:
    """A dtype's name, of a torch dtype or of this library's (numpy's)."""
    return str(dtype).rsplit(".", 1)[-1] if isinstance(dtype, torch.dtype) else np.dtype(dtype).name


def _both(args: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The numpy arguments as this library's tensors and as torch's (other values as they are)."""
    ours = tuple(Tensor(a) if isinstance(a, np.ndarray) else a for a in args)
    theirs = tuple(torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args)
    return ours, theirs


def _outputs_agree(first: Any, second: Any) -> bool:
    if isinstance(first, (tuple, list)):
        return len(first) == len(second) and all(_outputs_agree(a, b) for a, b in zip(first, second))
    return bool(np.array_equal(plain(first), plain(second), equal_nan=True)) and first.dtype == second.dtype


# -- ops that rely on type promotion: torch's dtype and values inside torch's region ---------------------------------
def _pointwise_pair() -> tuple[np.ndarray, np.ndarray]:
    rng = _rng()
    return rng.normal(size=N).astype(np.float32), rng.normal(size=N).astype(np.float16)


BUILTIN_PROMOTE = ["eq", "ge", "gt", "le", "lt", "ne", "add", "div", "mul"]
METHODS_PROMOTE = ["__eq__", "__ge__", "__gt__", "__le__", "__lt__", "__ne__", "__add__", "__truediv__", "__mul__"]


def _run_in_region(lib: Any, call: Any) -> tuple[Any, list[bool]]:
    """``call()`` inside ``lib.autocast("cpu", dtype=float16)``; the region's state before, inside and after."""
    states = [lib.is_autocast_enabled("cpu")]
    with lib.autocast("cpu", dtype=lib.float16):
        states.append(lib.is_autocast_enabled("cpu"))
        result = call()
        states.append(lib.is_autocast_enabled("cpu"))
    states.append(lib.is_autocast_enabled("cpu"))
    return result, states


@pytest.mark.parametrize("op", BUILTIN_PROMOTE)
def test_a_promoting_function_gives_torchs_dtype_and_values_inside_a_float16_region(op):
    (a, b), (ta, tb) = _both(_pointwise_pair())
    ours, our_states = _run_in_region(autograd, lambda: (getattr(autograd, op)(a, b), getattr(a, op)(b)))
    theirs, their_states = _run_in_region(torch, lambda: (getattr(torch, op)(ta, tb), getattr(ta, op)(tb)))
    assert our_states == their_states == [False, True, True, False]
    for mine, expected in zip(ours, theirs):
        assert _name(mine.dtype) == _name(expected.dtype) == ("float32" if op in ("add", "div", "mul") else "bool")
        np.testing.assert_array_equal(plain(mine), plain(expected))
    assert _outputs_agree(*ours)  # the function and the method agree


@pytest.mark.parametrize("op", METHODS_PROMOTE)
def test_a_promoting_operator_gives_torchs_dtype_and_values_inside_a_float16_region(op):
    (a, b), (ta, tb) = _both(_pointwise_pair())
    mine, _ = _run_in_region(autograd, lambda: getattr(a, op)(b))
    expected, _ = _run_in_region(torch, lambda: getattr(ta, op)(tb))
    assert _name(mine.dtype) == _name(expected.dtype)
    np.testing.assert_array_equal(plain(mine), plain(expected))


@pytest.mark.parametrize("op", ["cat", "stack"])
def test_joining_a_float16_and_a_float32_tensor_gives_float32_inside_a_float16_region_as_torchs(op):
    rng = _rng()
    pieces = (rng.normal(size=N).astype(np.float16), rng.normal(size=N).astype(np.float32))
    (a, b), (ta, tb) = _both(pieces)
    mine, _ = _run_in_region(autograd, lambda: getattr(autograd, op)((a, b)))
    expected, _ = _run_in_region(torch, lambda: getattr(torch, op)((ta, tb)))
    assert _name(mine.dtype) == _name(expected.dtype) == "float32"
    np.testing.assert_array_equal(plain(mine), plain(expected))


# -- ops torch's autocast casts: the full-precision result here, as torch's outside a region ---------------------
def _arrays(*shapes: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=shape).astype(np.float32) for shape in shapes)


LOW_PRECISION_OPS = {  # torch_16 and nn_16: (name, where torch has it, arguments)
    "conv1d": ("torch", _arrays((N, N, N), (N, N, N))),
    "conv2d": ("torch", _arrays((N, N, N, N), (N, N, N, N))),
    "conv3d": ("torch", _arrays((N, N, N, N, N), (N, N, N, N, N))),
    "bmm": ("torch", _arrays((N, N, N), (N, N, N))),
    "mm": ("torch", _arrays((N, N), (N, N))),
    "matmul": ("torch", _arrays((N, N), (N, N))),
    "baddbmm": ("torch", _arrays((N, N, N), (N, N, N), (N, N, N))),
    "addmm": ("torch", _arrays((N, N), (N, N), (N, N))),
    "addbmm": ("torch", _arrays((N, N), (N, N, N), (N, N, N))),
    "conv_transpose1d": ("torch", _arrays((N, N, N), (N, N, N))),
    "conv_transpose2d": ("torch", _arrays((N, N, N, N), (N, N, N, N))),
    "conv_transpose3d": ("torch", _arrays((N, N, N, N, N), (N, N, N, N, N))),
    "prelu": ("torch", _arrays((N,), (1,))),
    "linear": ("functional", _arrays((N, N), (N, N))),
}


def _floats(*shape: int, seed: int = 1, low: float | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.uniform(size=shape) if low is not None else rng.normal(size=shape)
    return values.astype(np.float32)


FULL_PRECISION_OPS = {  # torch_fp32 and nn_fp32 (float32 inputs here): (name, arguments, keywords)
    "poisson_nll_loss": ((_floats(N, N), _floats(N, N, seed=2)), {"log_input": True, "full": False}),
    "cosine_embedding_loss": (
        (np.array([[1.0, 2.0, 3.0]], np.float32), np.array([[1.0, 3.0, 4.0]], np.float32), np.array([1])),
        {},
    ),
    "hinge_embedding_loss": ((_floats(N, N), np.ones(N, np.float32)), {}),
    "margin_ranking_loss": ((_floats(N, N), _floats(N, N, seed=2), np.ones((N, N), np.float32)), {}),
    "triplet_margin_loss": ((_floats(N, N), _floats(N, N, seed=2), _floats(N, N, seed=3)), {}),
    "binary_cross_entropy_with_logits": ((_floats(N, N), _floats(N, N, seed=2, low=0.0)), {}),
    "avg_pool3d": ((_floats(N, N, N, N),), {"kernel_size": (3, 3, 3), "stride": (1, 1, 1)}),
    "binary_cross_entropy": ((_floats(N, N, low=0.0), _floats(N, N, seed=2, low=0.0)), {}),
    "pad": ((_floats(N, N, N), (3, 3)), {"mode": "reflect"}),
    "nll_loss": ((_floats(N, N, low=0.0), np.zeros(N, np.int64)), {}),
    "l1_loss": ((_floats(N, N), _floats(N, N, seed=2)), {}),
    "smooth_l1_loss": ((_floats(N, N), _floats(N, N, seed=2)), {}),
    "mse_loss": ((_floats(N, N), _floats(N, N, seed=2)), {}),
    "multilabel_margin_loss": ((_floats(N, N), np.ones((N, N), np.int64)), {}),
    "soft_margin_loss": ((_floats(N, N), np.ones((N, N), np.float32)), {}),
    "multi_margin_loss": ((_floats(N, N), np.ones(N, np.int64)), {}),
    "huber_loss": ((_floats(N, N), _floats(N, N, seed=2)), {}),
}


def _our_op(name: str) -> Any:
    """The function of that name: nn.functional's for the losses, pooling and padding (``autograd.pad`` is numpy's
    pad), else autograd's (``mm``, ``prelu``, ...), else nn.functional's (the convolutions)."""
    if name in FULL_PRECISION_OPS or not hasattr(autograd, name):
        return getattr(F, name)
    return getattr(autograd, name)


def _check_full_precision_in_region(name: str, args: tuple[Any, ...], keywords: dict[str, Any], torch_op: Any):
    ours, theirs = _both(args)
    mine, states = _run_in_region(autograd, lambda: _our_op(name)(*ours, **keywords))
    expected = torch_op(*theirs, **keywords)  # torch's own float32 result, outside a region
    assert states == [False, True, True, False]
    assert _name(mine.dtype) == _name(expected.dtype) == "float32"
    np.testing.assert_allclose(plain(mine), plain(expected), rtol=2e-5, atol=2e-5)
    if hasattr(autograd.Tensor, name) and hasattr(torch.Tensor, name):  # the method gives the function's result
        method, _ = _run_in_region(autograd, lambda: getattr(ours[0], name)(*ours[1:], **keywords))
        assert _outputs_agree(method, mine)
    outside = _our_op(name)(*ours, **keywords)  # the region changes nothing
    assert _outputs_agree(outside, mine)


@pytest.mark.parametrize("name", sorted(LOW_PRECISION_OPS))
def test_an_op_torch_runs_in_float16_computes_in_full_precision_inside_a_region(name):
    where, args = LOW_PRECISION_OPS[name]
    torch_op = getattr(torch, name) if where == "torch" else getattr(torch.nn.functional, name)
    _check_full_precision_in_region(name, args, {}, torch_op)


@pytest.mark.parametrize("name", sorted(FULL_PRECISION_OPS))
def test_an_op_torch_runs_in_float32_gives_torchs_float32_result_inside_a_region(name):
    args, keywords = FULL_PRECISION_OPS[name]
    _check_full_precision_in_region(name, args, keywords, getattr(torch.nn.functional, name))


def test_two_regions_give_the_same_result_generic_and_cpu():
    a, b = (Tensor(x) for x in _arrays((N, N), (N, N)))
    with autograd.autocast(device_type="cpu", dtype=autograd.float16):
        first = autograd.mm(a, b)
    with autograd.amp.autocast(device_type="cpu", dtype=autograd.float16):
        second = autograd.mm(a, b)
    assert _outputs_agree(first, second)
    expected = torch.mm(*(torch.from_numpy(x) for x in _arrays((N, N), (N, N))))
    np.testing.assert_allclose(plain(first), plain(expected), rtol=1e-5, atol=1e-6)


# -- TestAutocastCPU: a disabled float32 region ---------------------------------------------------------------
def test_a_disabled_float32_region_runs_without_a_warning_as_torchs():
    for lib in (autograd, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with lib.autocast(device_type="cpu", dtype=lib.float32, enabled=False):
                ones = lib.ones(10)
                assert not lib.is_autocast_enabled("cpu")
        assert plain(ones).tolist() == [1.0] * 10


# -- TestTorchAutocast: arguments -------------------------------------------------------------------------------
@pytest.mark.parametrize("device_type", ["not a real device", "cpu:x", "cuda:01", "cpu:-1", "foo", "Cpu:0"])
def test_a_bad_device_string_is_torchs_runtime_error_with_torchs_message(device_type):
    with pytest.raises(RuntimeError) as theirs:
        with torch.autocast(device_type=device_type):
            torch.tensor(1)
    with pytest.raises(RuntimeError) as ours:
        with autograd.autocast(device_type=device_type):
            autograd.tensor(1)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("device_type", ["not a real device", "foo", ""])
@pytest.mark.parametrize("function", ["get_autocast_dtype", "is_autocast_available"])
def test_the_autocast_queries_refuse_a_bad_device_string_as_torchs(function, device_type):
    where = (torch, autograd) if function == "get_autocast_dtype" else (torch.amp, autograd.amp)
    with pytest.raises(RuntimeError) as theirs:
        getattr(where[0], function)(device_type)
    with pytest.raises(RuntimeError) as ours:
        getattr(where[1], function)(device_type)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("device_type", ["cpu", "cpu:0", "cuda", "cuda:1", "meta"])
def test_is_autocast_available_as_torchs(device_type):
    assert autograd.amp.is_autocast_available(device_type) is torch.amp.is_autocast_available(device_type)


@pytest.mark.parametrize("function", ["get_autocast_dtype", "is_autocast_available"])
def test_the_autocast_queries_take_a_device_string_only(function):
    where = (torch, autograd) if function == "get_autocast_dtype" else (torch.amp, autograd.amp)
    for module in where:
        with pytest.raises(TypeError, match="must be str, not int"):
            getattr(module, function)(3)


def test_get_autocast_dtype_follows_the_regions_as_torchs():
    def seen(lib):
        dtypes = [lib.get_autocast_dtype("cuda")]
        with lib.autocast("cpu", dtype=lib.float16):
            dtypes.append(lib.get_autocast_dtype("cpu"))
            with lib.autocast("cpu", enabled=False):  # a region without a dtype keeps the enclosing one
                dtypes.append(lib.get_autocast_dtype("cpu:0"))
            dtypes.append(lib.get_autocast_dtype("cpu"))
        return [_name(dtype) for dtype in dtypes]

    assert seen(autograd) == seen(torch) == ["float16"] * 4
    assert autograd.get_autocast_dtype("cpu") is None  # outside a region: torch's bfloat16, which numpy lacks


def test_a_device_object_for_device_type_is_a_value_error_as_torchs():
    for lib in (autograd, torch):
        dev = lib.device("cpu")
        with pytest.raises(ValueError, match=f"Expected `device_type` of type `str`, got: `{type(dev)}`"):
            lib.autocast(device_type=dev)


@pytest.mark.parametrize("thing", ["tensor", "number"])
def test_autocast_applied_to_something_not_callable_is_a_type_error_as_torchs(thing):
    for lib in (autograd, torch):
        target = lib.randn(2, 3) if thing == "tensor" else 3
        with pytest.raises(TypeError, match=r"autocast\(\)\(func\) requires a callable, but got ") as caught:
            lib.autocast(device_type="cpu")(target)
        assert type(target).__name__ in str(caught.value)


def test_autocast_still_decorates_a_callable_object():
    class Doubler:
        def __call__(self, x):
            return x * 2, autograd.is_autocast_enabled("cpu")

    result, enabled = autograd.autocast("cpu", dtype=autograd.float16)(Doubler())(Tensor([1.0, 2.0]))
    assert enabled and plain(result).tolist() == [2.0, 4.0]


# -- TestTorchAutocastDevice on the CPU: gradient modes inside a region ------------------------------------------
def _linear(lib: Any) -> tuple[Any, Any]:
    rng = np.random.default_rng(5)
    weight, bias, x = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(8, 2))
    model = lib.nn.Linear(2, 2)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(weight.astype(np.float32)))
        model.bias.copy_(lib.tensor(bias.astype(np.float32)))
    return model, lib.tensor(x.astype(np.float32))


def _region_dtype(lib: Any) -> Any:
    return torch.get_autocast_dtype("cpu") if lib is torch else autograd.float16


def _lib(name: str) -> Any:
    """torch, or this library's names the gradient-mode tests use, torch's way (``lib.nn.Linear``, ...)."""
    if name == "torch":
        return torch
    import nn

    return SimpleNamespace(
        nn=nn,
        no_grad=autograd.no_grad,
        tensor=autograd.tensor,
        autocast=autograd.autocast,
        inference_mode=autograd.inference_mode,
    )


def _grad_flags_and_gradients(lib_name: str, steps: list[str]) -> tuple[list[Any], list[np.ndarray]]:
    """Forwards of a Linear inside a region, each under ``no_grad`` or with gradients (``steps``); the requires_grad
    and grad_fn flags of the outputs, then one backward of the sum of the means of the gradient-enabled outputs."""
    lib = _lib(lib_name)
    model, x = _linear(lib)
    flags, kept = [], []
    with lib.autocast("cpu", dtype=_region_dtype(lib)):
        for step in steps:
            if step == "no_grad":
                with lib.no_grad():
                    out = model(x)
            else:
                out = model(x)
                kept.append(out)
            flags.append((out.requires_grad, out.grad_fn is not None))
        total = kept[0].mean()
        for out in kept[1:]:
            total = total + out.mean()
        total.backward()
    return flags, [plain(model.weight.grad), plain(model.bias.grad)]


@pytest.mark.parametrize(
    "steps",
    [["no_grad", "grad"], ["grad", "grad", "grad"], ["no_grad", "grad", "no_grad", "grad"]],
    ids=["no_grad_then_grad", "three_forwards", "mixed"],
)
def test_outputs_inside_a_region_follow_the_gradient_mode_as_torchs(steps):
    our_flags, our_grads = _grad_flags_and_gradients("ours", steps)
    their_flags, their_grads = _grad_flags_and_gradients("torch", steps)
    assert our_flags == their_flags
    # torch's region computes the Linear in bfloat16; this library's in float32: the gradients agree to bfloat16's
    # precision (and exactly with a float32 torch computation, which the full-precision tests above check)
    for mine, expected in zip(our_grads, their_grads):
        np.testing.assert_allclose(mine, expected, rtol=3e-2, atol=3e-2)


def _inference_mode_flags(lib_name: str) -> list[bool]:
    """requires_grad of outputs under inference_mode inside a region, with gradients after it (then a backward), and
    in a region inside inference_mode; and whether the backward reached the parameters."""
    lib = _lib(lib_name)
    model, x = _linear(lib)
    flags = []
    with lib.autocast("cpu", dtype=_region_dtype(lib)):
        with lib.inference_mode():
            flags.append(model(x).requires_grad)
        out = model(x)
        flags.append(out.requires_grad)
        out.mean().backward()
    with lib.inference_mode(), lib.autocast("cpu", dtype=_region_dtype(lib)):
        flags.append(model(x).requires_grad)
    return [*flags, model.weight.grad is not None, model.bias.grad is not None]


def test_inference_mode_inside_and_around_a_region_gives_outputs_without_gradient_as_torchs():
    assert _inference_mode_flags("ours") == _inference_mode_flags("torch") == [False, True, False, True, True]
