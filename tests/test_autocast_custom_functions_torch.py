"""autograd.is_autocast_enabled and autograd.amp.custom_fwd / custom_bwd against torch's: the autocast state of each
device type inside nested regions, and custom Functions decorated for mixed precision."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")


def _states(lib):
    """is_autocast_enabled for cpu and cuda (and without an argument) outside, inside and after nested regions."""
    float16 = torch.float16 if lib is torch else autograd.float16

    def state():
        return (lib.is_autocast_enabled("cpu"), lib.is_autocast_enabled("cuda"), lib.is_autocast_enabled())

    seen = [state()]
    with lib.autocast("cpu", dtype=float16):
        seen.append(state())
        with lib.autocast("cpu", enabled=False):
            seen.append(state())
        seen.append(state())
    seen.append(state())
    return seen


def test_is_autocast_enabled_follows_nested_regions_as_torchs():
    assert _states(autograd) == _states(torch)


def _name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def _custom_function_run(lib, inside):
    """The dtypes and autocast states a custom Function with custom_fwd(cast_inputs=float32) / custom_bwd sees."""
    seen = []
    function_base = torch.autograd.Function if lib is torch else autograd.Function

    class Double(function_base):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu", cast_inputs=torch.float32 if lib is torch else np.float32)
        def forward(ctx, x, pair):
            seen.append(("fwd", _name(x.dtype), [_name(item.dtype) for item in pair], lib.is_autocast_enabled("cpu")))
            return x * 2

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            seen.append(("bwd", lib.is_autocast_enabled("cpu"), ctx._fwd_used_autocast))
            return grad * 2, None

    make = torch.tensor if lib is torch else Tensor
    x = make(np.ones(2, np.float16), requires_grad=True)
    pair = (make(np.ones(1, np.float64)), make(np.ones(1, np.int64)))
    if inside:
        with lib.autocast("cpu", dtype=torch.float16 if lib is torch else np.float16):
            out = Double.apply(x, pair)
    else:
        out = Double.apply(x, pair)
    out.sum().backward()
    return seen, _name(out.dtype), _name(x.grad.dtype)


@pytest.mark.parametrize("inside", [True, False], ids=["inside-autocast", "outside"])
def test_custom_fwd_casts_inputs_only_inside_autocast_and_custom_bwd_follows_it_as_torchs(inside):
    assert _custom_function_run(autograd, inside) == _custom_function_run(torch, inside)


@pytest.mark.parametrize("decorator", ["custom_fwd", "custom_bwd"])
def test_custom_fwd_and_custom_bwd_refuse_a_device_type_that_is_no_string_as_torchs(decorator):
    for lib in (torch, autograd):
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
            getattr(lib.amp, decorator)(device_type=None)
