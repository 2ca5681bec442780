"""nn.functional.multi_head_attention_forward against torch's: outputs, attention weights and the gradients of the
inputs and of every projection, packed or separate projections, bias_k/bias_v, add_zero_attn, masks, unbatched
inputs and static keys/values; and nn.MultiheadAttention agrees with the function on its own parameters."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

L, S, N, E, H = 3, 4, 2, 6, 2


def _arrays(options, seed=0):
    rng = np.random.default_rng(seed)
    kdim = options.get("kdim", E)
    separate = options.get("separate", False)
    arrays = {
        "query": rng.normal(size=(L, N, E)),
        "key": rng.normal(size=(S, N, kdim)),
        "value": rng.normal(size=(S, N, kdim)),
        "out_proj_weight": rng.normal(size=(E, E)),
    }
    if separate:
        arrays |= {
            "q_proj_weight": rng.normal(size=(E, E)),
            "k_proj_weight": rng.normal(size=(E, kdim)),
            "v_proj_weight": rng.normal(size=(E, kdim)),
        }
    else:
        arrays["in_proj_weight"] = rng.normal(size=(3 * E, E))
    if options.get("bias", True):
        arrays |= {"in_proj_bias": rng.normal(size=3 * E), "out_proj_bias": rng.normal(size=E)}
    if options.get("bias_kv", False):
        arrays |= {"bias_k": rng.normal(size=(1, 1, E)), "bias_v": rng.normal(size=(1, 1, E))}
    if options.get("static", False):
        arrays |= {
            "static_k": rng.normal(size=(N * H, S, E // H)),
            "static_v": rng.normal(size=(N * H, S, E // H)),
        }
    if options.get("unbatched", False):
        for name in ("query", "key", "value"):
            arrays[name] = arrays[name][:, 0]
    return arrays


def _call(function, tensors, options):
    source = S
    rng = np.random.default_rng(7)
    masks = {}
    if options.get("masks", False):
        attn = (
            rng.normal(size=(N * H, L, source)) if options.get("float_mask") else np.triu(np.ones((L, source), bool), 2)
        )
        padding = np.zeros((N, source), bool)
        padding[1, -1] = True
        masks = {"attn_mask": attn, "key_padding_mask": padding}
    return function(
        tensors["query"],
        tensors["key"],
        tensors["value"],
        E,
        H,
        tensors.get("in_proj_weight"),
        tensors.get("in_proj_bias"),
        tensors.get("bias_k"),
        tensors.get("bias_v"),
        options.get("add_zero_attn", False),
        0.0,
        tensors["out_proj_weight"],
        tensors.get("out_proj_bias"),
        training=True,
        need_weights=options.get("need_weights", True),
        use_separate_proj_weight=options.get("separate", False),
        q_proj_weight=tensors.get("q_proj_weight"),
        k_proj_weight=tensors.get("k_proj_weight"),
        v_proj_weight=tensors.get("v_proj_weight"),
        static_k=tensors.get("static_k"),
        static_v=tensors.get("static_v"),
        average_attn_weights=options.get("average", True),
        **{name: mask if function is nn.functional.multi_head_attention_forward else torch.from_numpy(mask)
           for name, mask in masks.items()},
    )  # fmt: skip


CASES = {
    "packed": {},
    "separate_kdim": {"separate": True, "kdim": 5},
    "no_bias": {"bias": False},
    "bias_kv_zero_attn_masks": {"bias_kv": True, "add_zero_attn": True, "masks": True},
    "float_mask_per_head_weights": {"masks": True, "float_mask": True, "average": False},
    "no_weights": {"need_weights": False, "masks": True},
    "unbatched": {"unbatched": True, "average": False},
    "static_kv": {"static": True, "masks": True},
}


@pytest.mark.parametrize("case", list(CASES))
def test_multi_head_attention_forward_matches_torch_values_and_gradients(case):
    options = CASES[case]
    arrays = _arrays(options)
    ours = {name: Tensor(array, requires_grad=True) for name, array in arrays.items()}
    theirs = {name: torch.tensor(array, requires_grad=True) for name, array in arrays.items()}
    out, weights = _call(nn.functional.multi_head_attention_forward, ours, options)
    expected, expected_weights = _call(torch.nn.functional.multi_head_attention_forward, theirs, options)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    if expected_weights is None:
        assert weights is None
    else:
        np.testing.assert_allclose(weights.data, expected_weights.detach().numpy(), rtol=1e-10, atol=1e-12)
    target = np.random.default_rng(3).normal(size=out.shape)
    ((out - Tensor(target)) ** 2).sum().backward()
    ((expected - torch.from_numpy(target)) ** 2).sum().backward()
    for name, tensor in theirs.items():
        reference = np.zeros(arrays[name].shape) if tensor.grad is None else tensor.grad.numpy()
        got = np.zeros(arrays[name].shape) if ours[name].grad is None else ours[name].grad
        np.testing.assert_allclose(got, reference, rtol=1e-9, atol=1e-11, err_msg=name)


def test_multihead_attention_module_is_the_function_on_its_parameters():
    module = nn.MultiheadAttention(E, H, bias=True, add_bias_kv=True, dtype=np.float64, rng=0)
    rng = np.random.default_rng(1)
    q, k = rng.normal(size=(L, N, E)), rng.normal(size=(S, N, E))
    out, weights = module(Tensor(q), Tensor(k), Tensor(k))
    expected, expected_weights = nn.functional.multi_head_attention_forward(
        q, k, k, E, H, module.in_proj_weight, module.in_proj_bias, module.bias_k, module.bias_v, False, 0.0,
        module.out_proj.weight, module.out_proj.bias,
    )  # fmt: skip
    np.testing.assert_array_equal(out.data, expected.data)
    np.testing.assert_array_equal(weights.data, expected_weights.data)


def test_multi_head_attention_forward_refuses_as_torch_asserts():
    arrays = _arrays({})
    args = [arrays["in_proj_weight"], None, None, None, False, 0.0, arrays["out_proj_weight"], None]
    with pytest.raises(AssertionError, match="expecting embedding dimension of 8, but got 6"):
        nn.functional.multi_head_attention_forward(arrays["query"], arrays["key"], arrays["value"], 8, H, *args)
    with pytest.raises(AssertionError, match="not divisible by num_heads 4"):
        nn.functional.multi_head_attention_forward(arrays["query"], arrays["key"], arrays["value"], E, 4, *args)
    with pytest.raises(AssertionError, match="in_proj_weight is None"):
        nn.functional.multi_head_attention_forward(
            arrays["query"], arrays["key"], arrays["value"], E, H, None, *args[1:]
        )
    with pytest.raises(RuntimeError, match="needs attn_mask"):
        nn.functional.multi_head_attention_forward(
            arrays["query"], arrays["key"], arrays["value"], E, H, *args, is_causal=True
        )


@pytest.mark.parametrize("extra_key", ["none", "bias_kv", "zero_attn"])
@pytest.mark.parametrize("mask", ["causal", "causal_float", "not_causal"])
@pytest.mark.parametrize("padding", [False, True])
def test_is_causal_without_weights_or_padding_mask_attends_as_torch(extra_key, mask, padding):
    # torch sets the mask aside for its causal rule there (query i sees keys 0..i of the final keys, a bias_k or
    # zero key included); with a padding mask (or need_weights) the mask is applied
    kwargs = {"add_bias_kv": extra_key == "bias_kv", "add_zero_attn": extra_key == "zero_attn"}
    theirs = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **kwargs)
    ours = nn.MultiheadAttention(E, H, dtype=np.float64, **kwargs)
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})
    rng = np.random.default_rng(5)
    q, k = rng.normal(size=(L, N, E)), rng.normal(size=(L, N, E))
    attn_mask = {
        "causal": np.triu(np.ones((L, L), bool), 1),
        "causal_float": np.triu(np.full((L, L), -np.inf), 1),
        "not_causal": np.zeros((L, L), bool),
    }[mask]
    key_padding_mask = np.array([[False] * (L - 1) + [True], [False] * L]) if padding else None

    def run(module, as_tensor):
        inputs = [as_tensor(q), as_tensor(k), as_tensor(k)]
        padding_mask = None if key_padding_mask is None else as_tensor(key_padding_mask)
        out, weights = module(
            *inputs, key_padding_mask=padding_mask, need_weights=False, attn_mask=as_tensor(attn_mask), is_causal=True
        )
        assert weights is None
        out.sum().backward()
        return out.detach().numpy(), [p.grad.numpy() for p in module.parameters()]

    got, got_grads = run(ours, lambda a: Tensor(a, requires_grad=a.dtype != bool))
    expected, expected_grads = run(theirs, torch.tensor)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    for got_grad, expected_grad in zip(got_grads, expected_grads):
        np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-9, atol=1e-11)
