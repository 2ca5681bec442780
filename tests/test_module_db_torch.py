"""torch's ModuleInfo database (torch/testing/_internal/common_modules.py's ``module_db``) run directly: every module
both libraries have, built from each of torch's ``module_inputs`` (constructor arguments, forward inputs, train and
eval), torch's float64 state copied into ours, then outputs, the gradients of every input and parameter (of the sum
of each output times a fixed random weight) and the buffers after the call compared with torch 2.13's.

tests/test_module_info_torch.py transcribes up to ten of those cases per module and runs more checks on them (second
derivatives, repr, pickle, errors); this file runs them as torch's generators make them, all of them for every
module but LinearCrossEntropyLoss (120 of its 857 option combinations per mode, evenly spread: :data:`MAX_CASES`).

Random modules in training (dropout, RReLU, a transformer with dropout) are compared by their outputs' shapes and
dtypes only: the two libraries' generators differ.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # torch's testing internals import it
common_modules = pytest.importorskip("torch.testing._internal.common_modules")

from opinfo_oracle import NUMPY_DTYPES, assert_same, cloned, leaves, tree_map  # noqa: E402  (after the importorskips)

#: The ModuleInfos whose module this library has, by class name.
MODULES = {info.module_cls.__name__: info for info in common_modules.module_db if hasattr(nn, info.module_cls.__name__)}

#: Modules that draw random numbers in training.
RANDOM_IN_TRAINING = {"Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout", "RReLU"}
TRANSFORMERS = {"Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
                "TransformerDecoderLayer", "MultiheadAttention"}  # fmt: skip

#: Input gradients not compared, with the reason (a deliberate, documented difference): torch's CTC backward returns
#: exp(log_probs) - occupancy, the gradient with respect to the logits of a log_softmax; this library's is the
#: derivative with respect to log_probs itself (nn/functional/ctc.py, tests/test_ctc_grid_lazy_torch.py).
INPUT_GRADIENTS_NOT_COMPARED = {"CTCLoss"}


@functools.cache
def module_inputs(name: str, training: bool) -> tuple[Any, ...]:
    """torch's module inputs of ``name`` in float64, seeded (a test id names the same case on every run)."""
    info = MODULES[name]
    torch.manual_seed(0)
    return tuple(
        info.module_inputs_func(info, device="cpu", dtype=torch.float64, requires_grad=True, training=training)
    )


#: At most this many cases per module and mode, evenly spread over torch's list (LinearCrossEntropyLoss has 857
#: option combinations, every other module at most 105).
MAX_CASES = 120


def _params() -> list[Any]:
    params = []
    for name in MODULES:
        for training in (True, False):
            cases = module_inputs(name, training)
            kept = set(np.linspace(0, len(cases) - 1, min(len(cases), MAX_CASES)).round().astype(int).tolist())
            for index, case in enumerate(cases):
                if index in kept and case.forward_input is not None:
                    mode = "train" if training else "eval"
                    params.append(pytest.param(name, training, index, id=f"{name}-{mode}-{index}-{case.desc}"))
    return params


def _our_layer(layer: Any) -> Any:
    """Our TransformerEncoderLayer of the same configuration as torch's ``layer`` (TransformerEncoder's argument)."""
    attention = layer.self_attn
    activation = layer.activation
    return nn.TransformerEncoderLayer(
        attention.embed_dim,
        attention.num_heads,
        dim_feedforward=layer.linear1.out_features,
        dropout=layer.dropout.p,
        activation=getattr(nn.functional, activation.__name__) if callable(activation) else activation,
        layer_norm_eps=layer.norm1.eps,
        batch_first=attention.batch_first,
        norm_first=layer.norm_first,
        bias=layer.linear1.bias is not None,
    )


def _ours(value: Any, grad: bool = False) -> Any:
    """A constructor's or forward call's argument in this library's terms (same values; float tensors requiring
    grad where torch's do, when ``grad``)."""
    if isinstance(value, torch.Tensor):
        array = value.detach().numpy().copy()
        return Tensor(array, requires_grad=grad and value.requires_grad)
    if isinstance(value, (list, tuple)):
        return type(value)(_ours(item, grad) for item in value)
    if isinstance(value, dict):
        return {key: _ours(item, grad) for key, item in value.items()}
    if isinstance(value, torch.dtype):
        return NUMPY_DTYPES[value]
    if isinstance(value, torch.nn.TransformerEncoderLayer):
        return _our_layer(value)
    if isinstance(value, torch.nn.LinearCrossEntropyOptions):
        fields = {field.name: _ours(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return nn.LinearCrossEntropyOptions(**fields)
    if callable(value) and getattr(value, "__module__", "") in ("torch.nn.functional", "torch._C._nn"):
        return getattr(nn.functional, value.__name__)
    return value


def _build(name: str, case: Any) -> tuple[Any, Any]:
    """(torch's module, ours): built from the case's constructor input, float64, torch's state copied into ours."""
    args, kwargs = case.constructor_input.args, case.constructor_input.kwargs
    torch.manual_seed(0)
    theirs = MODULES[name].module_cls(*args, **kwargs).to(torch.float64)
    ours = getattr(nn, name)(*_ours(args), **_ours(kwargs)).double()
    if name.startswith("Lazy"):  # parameters take their shapes at the first call
        forward = case.forward_input
        with torch.no_grad():
            theirs(*tree_map(cloned, forward.args), **tree_map(cloned, forward.kwargs))
        with autograd.no_grad():
            ours(*_ours(forward.args), **_ours(forward.kwargs))
    ours.load_state_dict({key: value.detach().numpy().copy() for key, value in theirs.state_dict().items()})
    return theirs, ours


def _is_random(name: str, case: Any, training: bool) -> bool:
    if not training:
        return False
    if name in RANDOM_IN_TRAINING:
        return True
    if name in TRANSFORMERS:
        dropout = case.constructor_input.kwargs.get("dropout", 0.1 if name != "MultiheadAttention" else 0.0)
        return dropout != 0
    return False


def _differentiable(outputs: list[Any]) -> list[int]:
    return [i for i, out in enumerate(outputs) if isinstance(out, torch.Tensor) and out.requires_grad]


@pytest.mark.parametrize(("name", "training", "index"), _params())
def test_module_matches_torch_on_torchs_module_inputs(name: str, training: bool, index: int) -> None:
    case = module_inputs(name, training)[index]
    theirs, ours = _build(name, case)
    theirs.train(training)
    ours.train(training)
    their_args, their_kwargs = tree_map(cloned, case.forward_input.args), tree_map(cloned, case.forward_input.kwargs)
    our_args, our_kwargs = _ours(their_args, grad=True), _ours(their_kwargs, grad=True)
    expected = theirs(*their_args, **their_kwargs)
    got = ours(*our_args, **our_kwargs)
    if _is_random(name, case, training):
        assert_same(got, expected, "output", values=False)
        return
    assert_same(got, expected, "output")
    for buffer, value in theirs.named_buffers():
        assert_same(dict(ours.named_buffers())[buffer], value, f"buffer {buffer} after the call")

    their_outputs = list(leaves(expected))
    differentiable = _differentiable(their_outputs)
    our_outputs = list(leaves(got))
    their_inputs = [] if name in INPUT_GRADIENTS_NOT_COMPARED else list(leaves((their_args, their_kwargs)))
    their_inputs = [t for t in their_inputs if isinstance(t, torch.Tensor) and t.requires_grad]
    our_inputs = [] if name in INPUT_GRADIENTS_NOT_COMPARED else list(leaves((our_args, our_kwargs)))
    our_inputs = [t for t in our_inputs if isinstance(t, Tensor) and t.requires_grad]
    their_params, our_params = dict(theirs.named_parameters()), dict(ours.named_parameters())
    assert list(our_params) == list(their_params)
    wrt_theirs = their_inputs + list(their_params.values())
    if not differentiable or not wrt_theirs:
        return
    rng = np.random.default_rng(index)
    upstream = [rng.uniform(-1, 1, tuple(their_outputs[i].shape)) for i in differentiable]
    their_grads = torch.autograd.grad(
        [their_outputs[i] for i in differentiable],
        wrt_theirs,
        [torch.from_numpy(u).to(their_outputs[i].dtype) for u, i in zip(upstream, differentiable)],
        allow_unused=True,
    )
    our_grads = autograd.grad(
        [our_outputs[i] for i in differentiable],
        our_inputs + list(our_params.values()),
        [Tensor(u.astype(np.asarray(our_outputs[i].data).dtype)) for u, i in zip(upstream, differentiable)],
        allow_unused=True,
    )
    names = [f"input {i}" for i in range(len(their_inputs))] + list(their_params)
    for what, mine, reference, tensor in zip(names, our_grads, their_grads, wrt_theirs):
        want = torch.zeros_like(tensor) if reference is None else reference
        have = np.zeros(tuple(tensor.shape)) if mine is None else mine
        assert_same(have, want, f"gradient of {what}")
