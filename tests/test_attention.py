"""Attention: F.scaled_dot_product_attention, nn.MultiheadAttention, nn.TransformerEncoderLayer and
nn.TransformerEncoder. Against torch (when installed): values, attention weights and the gradients of every
input and parameter, with torch's parameters loaded by torch's state_dict keys. Without torch: finite
differences, shapes, initialisation, masked rows, dropout and the error messages."""

import copy
import math
import warnings

import numpy as np
import pytest

import autograd
import autograd.random_state
import nn
import nn.functional as F
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(7)
TIGHT = {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # later tests keep fresh entropy


# -- helpers for the torch comparisons -------------------------------------------------------------------------


def _torch_like(torch, value):
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


def _load_torch_state(torch, ours, theirs):
    """Give torch's module random parameters, then copy them into ours by torch's state_dict keys."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in theirs.parameters():
            parameter.add_(0.3 * torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    assert list(ours.state_dict()) == list(theirs.state_dict())  # torch's names, in torch's order
    ours.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()})
    ours.eval(), theirs.eval()


def _compare_outputs_and_gradients(torch, ours, theirs, ours_outputs, theirs_outputs, ours_inputs, theirs_inputs):
    """Values of every output, then the gradients of a random seed through both, input by input and
    parameter by parameter."""
    loss_ours, loss_theirs = 0.0, 0.0
    for mine, reference in zip(ours_outputs, theirs_outputs, strict=True):
        assert (mine is None) == (reference is None)
        if mine is None:
            continue
        assert mine.shape == tuple(reference.shape)
        np.testing.assert_allclose(mine.data, reference.detach().numpy(), **TIGHT)
        seed = RNG.normal(size=mine.shape)
        loss_ours = loss_ours + (mine * seed).sum()
        loss_theirs = loss_theirs + (reference * torch.tensor(seed)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for mine, reference in zip(ours_inputs, theirs_inputs, strict=True):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), **TIGHT)
    if theirs is not None:
        for name, parameter in theirs.named_parameters():
            np.testing.assert_allclose(ours.get_parameter(name).grad, parameter.grad.numpy(), err_msg=name, **TIGHT)


def _pair(torch, array):
    return Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)


# -- scaled_dot_product_attention against torch -----------------------------------------------------------------

_FULLY_MASKED = RNG.random((4, 6)) > 0.4
_FULLY_MASKED[1] = False

SDPA_CASES = {
    "plain": ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), {}),
    "bool mask broadcast": ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), {"attn_mask": RNG.random((4, 6)) > 0.3}),
    "bool mask, a row fully masked": ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), {"attn_mask": _FULLY_MASKED}),
    "float mask": ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), {"attn_mask": RNG.normal(size=(3, 1, 6))}),
    "causal, L < S": ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), {"is_causal": True}),
    "causal, square": ((2, 5, 8), (2, 5, 8), (2, 5, 3), {"is_causal": True}),
    "scale": ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), {"scale": 0.3}),
    "2-D": ((4, 8), (6, 8), (6, 5), {}),
    "broadcast batch": ((2, 4, 4, 8), (2, 1, 6, 8), (1, 6, 5), {}),
    "gqa": ((2, 4, 4, 8), (2, 2, 6, 8), (2, 2, 6, 5), {"enable_gqa": True}),
    # torch repeats key and value each by its own factor (was refused: value's heads had to be key's)
    "gqa, value with fewer heads than key": ((2, 4, 4, 8), (2, 2, 6, 8), (2, 1, 6, 5), {"enable_gqa": True}),
    "gqa, key with fewer heads than value": ((1, 6, 3, 8), (1, 1, 5, 8), (1, 3, 5, 4), {"enable_gqa": True}),
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch_on_values_and_gradients(torch, case):
    shapes, options = SDPA_CASES[case][:3], SDPA_CASES[case][3]
    pairs = [_pair(torch, RNG.normal(size=shape)) for shape in shapes]
    ours_in, theirs_in = [p[0] for p in pairs], [p[1] for p in pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = F.scaled_dot_product_attention(*ours_in, **options)
    expected = torch.nn.functional.scaled_dot_product_attention(
        *theirs_in, **{k: _torch_like(torch, v) for k, v in options.items()}
    )
    _compare_outputs_and_gradients(torch, None, None, [got], [expected], ours_in, theirs_in)


def test_sdpa_float_mask_tensor_receives_torchs_gradient(torch):
    pairs = [_pair(torch, RNG.normal(size=shape)) for shape in ((2, 4, 8), (2, 6, 8), (2, 6, 5), (4, 6))]
    ours_in, theirs_in = [p[0] for p in pairs], [p[1] for p in pairs]
    got = F.scaled_dot_product_attention(*ours_in[:3], attn_mask=ours_in[3])
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs_in[:3], attn_mask=theirs_in[3])
    _compare_outputs_and_gradients(torch, None, None, [got], [expected], ours_in, theirs_in)


def test_sdpa_signature_is_torchs(torch):
    import inspect

    names = list(inspect.signature(F.scaled_dot_product_attention).parameters)
    assert names[:8] == ["query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa"]
    parameters = inspect.signature(F.scaled_dot_product_attention).parameters
    assert parameters["scale"].kind is inspect.Parameter.KEYWORD_ONLY  # as torch's: scale only by keyword
    with pytest.raises(TypeError):
        F.scaled_dot_product_attention(*[np.zeros((2, 2))] * 3, None, 0.0, False, 0.5)


# -- MultiheadAttention against torch ---------------------------------------------------------------------------

L, S, N, E, H = 4, 5, 3, 8, 2
_BOOL_2D = RNG.random((L, S)) > 0.3
_PADDING = RNG.random((N, S)) > 0.6
_PADDING[:, 0] = False
_CAUSAL = ~np.tri(L, L, dtype=bool)

#: (constructor options, forward options, unbatched, self-attention)
MHA_CASES = {
    "default": ({}, {}, False, False),
    "batch_first": ({"batch_first": True}, {}, False, False),
    "batch_first self-attention": ({"batch_first": True}, {"average_attn_weights": False}, False, True),
    "unbatched": ({}, {}, True, False),
    "unbatched batch_first ignored": ({"batch_first": True}, {}, True, False),
    "kdim vdim": ({"kdim": 3, "vdim": 6}, {}, False, False),
    "kdim vdim batch_first": ({"kdim": 3, "vdim": 6, "batch_first": True}, {"need_weights": False}, False, False),
    "no bias": ({"bias": False}, {}, False, False),
    "add_bias_kv": ({"add_bias_kv": True}, {}, False, False),
    "add_zero_attn": ({"add_zero_attn": True}, {}, False, False),
    "bias_kv zero_attn with masks": (
        {"add_bias_kv": True, "add_zero_attn": True},
        {"key_padding_mask": _PADDING, "attn_mask": _BOOL_2D},
        False,
        False,
    ),
    "key_padding_mask bool": ({}, {"key_padding_mask": _PADDING}, False, False),
    "key_padding_mask float": ({}, {"key_padding_mask": RNG.normal(size=(N, S))}, False, False),
    "attn_mask bool 2-D": ({}, {"attn_mask": _BOOL_2D}, False, False),
    "attn_mask float 2-D": ({}, {"attn_mask": RNG.normal(size=(L, S))}, False, False),
    "attn_mask bool 3-D per head": (
        {},
        {"attn_mask": RNG.random((N * H, L, S)) > 0.3, "average_attn_weights": False},
        False,
        False,
    ),
    "attn_mask float 3-D and float padding": (
        {},
        {"attn_mask": RNG.normal(size=(N * H, L, S)), "key_padding_mask": RNG.normal(size=(N, S))},
        False,
        False,
    ),
    "both bool masks, no weights": (
        {},
        {"attn_mask": _BOOL_2D, "key_padding_mask": _PADDING, "need_weights": False},
        False,
        False,
    ),
    "unbatched 3-D mask and padding": (
        {},
        {"attn_mask": RNG.random((H, L, S)) > 0.3, "key_padding_mask": RNG.random(S) > 0.5},
        True,
        False,
    ),
    "is_causal": ({}, {"attn_mask": _CAUSAL, "is_causal": True}, False, True),
    "is_causal no weights": ({}, {"attn_mask": _CAUSAL, "is_causal": True, "need_weights": False}, False, True),
    "per-head weights": ({}, {"average_attn_weights": False}, False, False),
    "dropout set, eval mode": ({"dropout": 0.5}, {"attn_mask": _BOOL_2D}, False, False),
}


def _mha_inputs(options, unbatched, self_attention):
    kdim, vdim = options.get("kdim") or E, options.get("vdim") or E
    source = L if self_attention else S

    def shaped(length, features):
        if unbatched:
            return (length, features)
        return (N, length, features) if options.get("batch_first") else (length, N, features)

    query = RNG.normal(size=shaped(L, E))
    if self_attention:
        return [query]
    return [query, RNG.normal(size=shaped(source, kdim)), RNG.normal(size=shaped(source, vdim))]


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_matches_torch(torch, case):
    options, call, unbatched, self_attention = MHA_CASES[case]
    theirs = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **options)
    ours = nn.MultiheadAttention(E, H, dtype=np.float64, **options)
    _load_torch_state(torch, ours, theirs)
    pairs = [_pair(torch, array) for array in _mha_inputs(options, unbatched, self_attention)]
    ours_in, theirs_in = [p[0] for p in pairs], [p[1] for p in pairs]
    arguments = (ours_in * 3)[:3], (theirs_in * 3)[:3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ours(*arguments[0], **call)
    expected = theirs(*arguments[1], **{k: _torch_like(torch, v) for k, v in call.items()})
    _compare_outputs_and_gradients(torch, ours, theirs, got, expected, ours_in, theirs_in)


@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_float_mask_tensors_receive_torchs_gradients(torch, need_weights):
    theirs = torch.nn.MultiheadAttention(E, H, add_zero_attn=True, dtype=torch.float64)
    ours = nn.MultiheadAttention(E, H, add_zero_attn=True, dtype=np.float64)
    _load_torch_state(torch, ours, theirs)
    arrays = [RNG.normal(size=(L, N, E)), RNG.normal(size=(N * H, L, L)), RNG.normal(size=(N, L))]
    pairs = [_pair(torch, array) for array in arrays]
    ours_in, theirs_in = [p[0] for p in pairs], [p[1] for p in pairs]

    def run(module, x, attn_mask, key_padding_mask):
        return module(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=need_weights)

    got, expected = run(ours, *ours_in), run(theirs, *theirs_in)
    _compare_outputs_and_gradients(torch, ours, theirs, got, expected, ours_in, theirs_in)


def test_multihead_attention_fully_masked_rows_give_torchs_nan_or_zero(torch):
    theirs = torch.nn.MultiheadAttention(E, H, dtype=torch.float64)
    ours = nn.MultiheadAttention(E, H, dtype=np.float64)
    _load_torch_state(torch, ours, theirs)
    x = RNG.normal(size=(L, N, E))
    mask = np.zeros((L, L), dtype=bool)
    mask[1] = True  # query 1 may attend to nothing
    for need_weights in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got, got_weights = ours(x, x, x, attn_mask=mask, need_weights=need_weights)
        expected, expected_weights = theirs(
            *[torch.tensor(x)] * 3, attn_mask=torch.tensor(mask), need_weights=need_weights
        )
        # need_weights=True: a plain softmax, nan in the row; False: the fused kernel's weights 0 (output = bias)
        assert np.isnan(got.data[1]).all() == need_weights
        np.testing.assert_allclose(got.data, expected.detach().numpy(), equal_nan=True, **TIGHT)
        if need_weights:
            np.testing.assert_allclose(got_weights.data, expected_weights.detach().numpy(), equal_nan=True, **TIGHT)


def test_multihead_attention_separate_projection_names_and_init_match_torch(torch):
    theirs = torch.nn.MultiheadAttention(E, H, add_bias_kv=True, kdim=3, vdim=6, dtype=torch.float64)
    ours = nn.MultiheadAttention(E, H, add_bias_kv=True, kdim=3, vdim=6, dtype=np.float64)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    assert ours.in_proj_weight is None and theirs.in_proj_weight is None
    for name in ("embed_dim", "kdim", "vdim", "num_heads", "head_dim", "dropout", "batch_first", "add_zero_attn"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours._qkv_same_embed_dim == theirs._qkv_same_embed_dim


# -- TransformerEncoderLayer and TransformerEncoder against torch -----------------------------------------------

ENCODER_CASES = [
    {"norm_first": False, "activation": "relu"},
    {"norm_first": True, "activation": "relu"},
    {"norm_first": False, "activation": "gelu", "batch_first": True},
    {"norm_first": True, "activation": "gelu", "batch_first": True},
    {"norm_first": False, "activation": "relu", "bias": False},
]


@pytest.mark.parametrize("options", ENCODER_CASES, ids=str)
@pytest.mark.parametrize("masks", ["none", "bool", "float"])
def test_transformer_encoder_layer_matches_torch(torch, options, masks):
    theirs = torch.nn.TransformerEncoderLayer(E, H, 16, dtype=torch.float64, **options)
    ours = nn.TransformerEncoderLayer(E, H, 16, dtype=np.float64, **options)
    _load_torch_state(torch, ours, theirs)
    call = {}
    if masks == "bool":
        padding = RNG.random((N, L)) > 0.7
        padding[:, 0] = False
        call = {"src_mask": RNG.random((L, L)) > 0.7, "src_key_padding_mask": padding}
    elif masks == "float":
        call = {"src_mask": RNG.normal(size=(L, L)), "src_key_padding_mask": RNG.normal(size=(N, L))}
    shape = (N, L, E) if options.get("batch_first") else (L, N, E)
    ours_x, theirs_x = _pair(torch, RNG.normal(size=shape))
    got = ours(ours_x, **call)
    expected = theirs(theirs_x, **{k: _torch_like(torch, v) for k, v in call.items()})
    _compare_outputs_and_gradients(torch, ours, theirs, [got], [expected], [ours_x], [theirs_x])


def test_transformer_encoder_layer_unbatched_causal_and_module_activation_match_torch(torch):
    theirs = torch.nn.TransformerEncoderLayer(E, H, 16, activation=torch.nn.GELU(), dtype=torch.float64)
    ours = nn.TransformerEncoderLayer(E, H, 16, activation=nn.GELU(), dtype=np.float64)
    _load_torch_state(torch, ours, theirs)
    ours_x, theirs_x = _pair(torch, RNG.normal(size=(L, E)))
    got = ours(ours_x, src_mask=_CAUSAL, is_causal=True)
    expected = theirs(theirs_x, src_mask=torch.tensor(_CAUSAL), is_causal=True)
    _compare_outputs_and_gradients(torch, ours, theirs, [got], [expected], [ours_x], [theirs_x])


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_with_final_norm_matches_torch(torch, norm_first):
    layer = torch.nn.TransformerEncoderLayer(E, H, 16, norm_first=norm_first, dtype=torch.float64)
    theirs = torch.nn.TransformerEncoder(
        layer, 2, norm=torch.nn.LayerNorm(E, dtype=torch.float64), enable_nested_tensor=False
    )
    ours = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(E, H, 16, norm_first=norm_first, dtype=np.float64),
        2,
        norm=nn.LayerNorm(E, dtype=np.float64),
    )
    _load_torch_state(torch, ours, theirs)  # the two layers now differ, so a swapped name would show
    padding = RNG.random((N, L)) > 0.7
    padding[:, 0] = False
    call = {"mask": _CAUSAL, "src_key_padding_mask": padding}
    ours_x, theirs_x = _pair(torch, RNG.normal(size=(L, N, E)))
    got = ours(ours_x, **call)
    expected = theirs(theirs_x, **{k: torch.tensor(v) for k, v in call.items()})
    _compare_outputs_and_gradients(torch, ours, theirs, [got], [expected], [ours_x], [theirs_x])


def test_signatures_follow_torch(torch):
    import inspect

    def names(function):
        return [p.name for p in inspect.signature(function).parameters.values()]

    pairs = [
        (nn.MultiheadAttention.__init__, torch.nn.MultiheadAttention.__init__, {"device"}),
        (nn.MultiheadAttention.forward, torch.nn.MultiheadAttention.forward, set()),
        (nn.TransformerEncoderLayer.__init__, torch.nn.TransformerEncoderLayer.__init__, {"device"}),
        (nn.TransformerEncoderLayer.forward, torch.nn.TransformerEncoderLayer.forward, set()),
        (nn.TransformerEncoder.__init__, torch.nn.TransformerEncoder.__init__, set()),
        (nn.TransformerEncoder.forward, torch.nn.TransformerEncoder.forward, set()),
    ]
    for ours, theirs, left_out in pairs:
        theirs_names = [name for name in names(theirs) if name not in left_out]
        assert names(ours)[: len(theirs_names)] == theirs_names
        ours_defaults = {p.name: p.default for p in inspect.signature(ours).parameters.values()}
        for p in inspect.signature(theirs).parameters.values():
            if p.name not in left_out | {"dtype", "activation", "self"}:
                assert ours_defaults[p.name] == p.default, p.name


# -- without torch: finite differences ---------------------------------------------------------------------------


def test_multihead_attention_gradients_match_finite_differences():
    layer = nn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3, vdim=5, dtype=np.float64, rng=0)
    mask = np.array([[0.0, -1.0, 0.5], [0.2, 0.0, -np.inf]])
    padding = np.array([[False, False, True], [False, False, False]])
    arrays = [RNG.normal(size=(2, 2, 4)), RNG.normal(size=(3, 2, 3)), RNG.normal(size=(3, 2, 5))]

    def loss(query, key, value):
        output, weights = layer(query, key, value, key_padding_mask=padding, attn_mask=mask)
        return (output * output).sum() + (weights * weights).sum()

    assert gradcheck(loss, arrays)
    weight = layer.k_proj_weight

    def loss_of_weight(w):
        object.__setattr__(layer, "k_proj_weight", w)  # gradcheck's leaf is a plain Tensor
        try:
            return loss(*(Tensor(a) for a in arrays))
        finally:
            object.__setattr__(layer, "k_proj_weight", weight)

    assert gradcheck(loss_of_weight, [weight.data.copy()])


def test_sdpa_and_encoder_gradients_match_finite_differences():
    mask = np.array([[True, True, False], [False, False, False]])  # the second query attends to nothing
    arrays = [RNG.normal(size=(2, 2, 4)), RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 3))]
    assert gradcheck(lambda q, k, v: (F.scaled_dot_product_attention(q, k, v, mask) ** 2).sum(), arrays)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, dtype=np.float64, rng=1), 2).eval()
    assert gradcheck(lambda x: (encoder(x, mask=~np.tri(3, dtype=bool)) ** 2).sum(), [RNG.normal(size=(3, 2, 4))])


# -- without torch: shapes, initialisation, masked rows, dropout ------------------------------------------------


@pytest.mark.parametrize(
    ("batch_first", "unbatched", "average", "output_shape", "weights_shape"),
    [
        (False, False, True, (4, 3, 8), (3, 4, 5)),
        (True, False, True, (3, 4, 8), (3, 4, 5)),
        (False, False, False, (4, 3, 8), (3, 2, 4, 5)),
        (False, True, True, (4, 8), (4, 5)),
        (True, True, False, (4, 8), (2, 4, 5)),
    ],
)
def test_multihead_attention_shapes(batch_first, unbatched, average, output_shape, weights_shape):
    layer = nn.MultiheadAttention(8, 2, kdim=6, vdim=7, batch_first=batch_first, rng=0)

    def make(length, features):
        shape = (length, features) if unbatched else (3, length, features) if batch_first else (length, 3, features)
        return RNG.normal(size=shape).astype(np.float32)

    output, weights = layer(make(4, 8), make(5, 6), make(5, 7), average_attn_weights=average)
    assert output.shape == output_shape and weights.shape == weights_shape
    assert output.dtype == np.float32
    np.testing.assert_allclose(weights.data.sum(axis=-1), 1.0, rtol=1e-6)
    _, none = layer(make(4, 8), make(5, 6), make(5, 7), need_weights=False)
    assert none is None


def test_multihead_attention_initialisation_is_torchs():
    layer = nn.MultiheadAttention(64, 4, add_bias_kv=True, rng=0)
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ on the (3E, E) in_proj_weight
    weight = layer.in_proj_weight.data
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    assert not layer.in_proj_bias.data.any() and not layer.out_proj.bias.data.any()
    assert np.abs(layer.out_proj.weight.data).max() <= 1 / math.sqrt(64)  # Linear's default
    assert layer.bias_k.shape == layer.bias_v.shape == (1, 1, 64)
    assert 0.08 < layer.bias_k.data.std() < 0.18  # xavier_normal_: std sqrt(2 / (64 + 64)) = 0.125
    separate = nn.MultiheadAttention(6, 3, kdim=2, vdim=4, bias=False, rng=0)
    assert [name for name, _ in separate.named_parameters()] == [
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "out_proj.weight",
    ]
    again = nn.MultiheadAttention(64, 4, add_bias_kv=True, rng=0)
    for (name, a), (_, b) in zip(layer.state_dict().items(), again.state_dict().items(), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)  # the same seed, the same weights


def test_state_dict_keys_are_torchs():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    assert list(layer.state_dict()) == [
        "self_attn.in_proj_weight",
        "self_attn.in_proj_bias",
        "self_attn.out_proj.weight",
        "self_attn.out_proj.bias",
        "linear1.weight",
        "linear1.bias",
        "linear2.weight",
        "linear2.bias",
        "norm1.weight",
        "norm1.bias",
        "norm2.weight",
        "norm2.bias",
    ]
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    keys = list(encoder.state_dict())
    assert keys[0] == "layers.0.self_attn.in_proj_weight" and keys[12] == "layers.1.self_attn.in_proj_weight"
    assert keys[-2:] == ["norm.weight", "norm.bias"]


def test_encoder_with_cosine_weights_gives_torchs_published_square_input_output():
    # test_transformers.py's test_transformerencoder_square_input: batch size == sequence length, every parameter
    # cos(0, 1, 2, ...) in its own shape, a boolean src_mask; the same output in training (dropout 0) and eval
    model = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(4, 2, dim_feedforward=16, dropout=0.0, batch_first=True, dtype=np.float64), 2
    )
    for parameter in model.parameters():
        parameter.data[...] = np.cos(np.arange(parameter.size)).reshape(parameter.shape)
    first = [2.420306205749512, 0.017629241570830, -0.607857942581177, -0.085519507527351]
    second = [2.419836044311523, 0.017548924311996, -0.608187675476074, -0.085347734391689]
    expected = np.array([[first, first], [second, second]])
    for training in (True, False):
        model.train(training)
        output = model(np.arange(16.0).reshape(2, 2, 4), mask=np.array([[False, True], [False, False]]))
        np.testing.assert_allclose(output.data, expected, atol=1e-6)


def test_encoder_layers_are_deep_copies():
    layer = nn.TransformerEncoderLayer(8, 2, 16, rng=3)
    encoder = nn.TransformerEncoder(layer, 3)
    assert len(encoder.layers) == 3 and all(copy_ is not layer for copy_ in encoder.layers)
    first, second = encoder.layers[0], encoder.layers[1]
    assert first.linear1.weight is not second.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.data, layer.linear1.weight.data)
    first.linear1.weight.data[...] = 0
    assert second.linear1.weight.data.any() and layer.linear1.weight.data.any()


def test_sdpa_fully_masked_row_gives_zero_output_and_gradient_without_warnings():
    q = Tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    k = Tensor(RNG.normal(size=(5, 4)), requires_grad=True)
    v = Tensor(RNG.normal(size=(5, 2)), requires_grad=True)
    mask = np.ones((3, 5), dtype=bool)
    mask[2] = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        output = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        output.sum().backward()
    assert np.array_equal(output.data[2], [0.0, 0.0]) and np.isfinite(output.data).all()
    assert np.array_equal(q.grad[2], np.zeros(4)) and np.isfinite(k.grad).all() and np.isfinite(v.grad).all()


def test_sdpa_defaults_scale_and_causal_mask():
    q, k, v = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4)), RNG.normal(size=(3, 2))
    scores = q @ k.T / 2.0  # 1 / sqrt(E), E = 4
    scores[np.triu_indices(3, 1)] = -np.inf
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected = weights / weights.sum(axis=1, keepdims=True) @ v
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v, is_causal=True).data, expected, rtol=1e-13)
    uniform = F.scaled_dot_product_attention(q, k, v, scale=0.0).data
    np.testing.assert_allclose(uniform, np.broadcast_to(v.mean(axis=0), (3, 2)), rtol=1e-13)


def test_dropout_changes_outputs_in_training_and_is_reproducible_with_a_seed(unseeded_afterwards):
    x = RNG.normal(size=(5, 2, 8)).astype(np.float32)

    def build_and_run():
        autograd.manual_seed(11)
        attention = nn.MultiheadAttention(8, 2, dropout=0.5)
        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5), 2)
        results = [attention(x, x, x)[1].data, attention(x, x, x, need_weights=False)[0].data, encoder(x).data]
        attention.eval(), encoder.eval()
        return results, [attention(x, x, x)[1].data, attention(x, x, x, need_weights=False)[0].data, encoder(x).data]

    training, evaluation = build_and_run()
    again, _ = build_and_run()
    for trained, evaluated, repeated in zip(training, evaluation, again, strict=True):
        assert not np.allclose(trained, evaluated)
        np.testing.assert_array_equal(trained, repeated)
    assert (training[0] == 0).any()  # dropped attention weights are returned, as torch returns them
    dropped = F.scaled_dot_product_attention(x, x, x, dropout_p=0.5, rng=3).data
    np.testing.assert_array_equal(dropped, F.scaled_dot_product_attention(x, x, x, dropout_p=0.5, rng=3).data)
    assert not np.allclose(dropped, F.scaled_dot_product_attention(x, x, x).data)


def test_encoder_copies_draw_different_dropout_masks():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 1, 4, dropout=0.5, rng=0), 2)
    x = np.ones((6, 1, 4), dtype=np.float32)
    first = encoder.layers[0].dropout1(x).data
    second = encoder.layers[1].dropout1(x).data
    assert not np.array_equal(first, second)  # the copies share one stream instead of repeating it


def test_modules_save_and_load_their_weights(tmp_path):
    from nn import serialization

    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, rng=0), 2, norm=nn.LayerNorm(8))
    path = nn.save(model, tmp_path / "encoder.npz")
    other = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, rng=1), 2, norm=nn.LayerNorm(8))
    serialization.load_into(other, path)
    for (name, a), (_, b) in zip(model.state_dict().items(), other.state_dict().items(), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)
    clone = copy.deepcopy(model)
    x = RNG.normal(size=(3, 2, 8)).astype(np.float32)
    model.eval(), clone.eval()
    np.testing.assert_array_equal(model(x).data, clone(x).data)


@pytest.mark.parametrize(
    "build",
    [
        lambda: nn.MultiheadAttention(8, 2, rng=0),
        lambda: nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True, bias=False, batch_first=True, rng=0),
        lambda: nn.TransformerEncoderLayer(8, 2, 16, norm_first=True, activation="gelu", batch_first=True, rng=0),
        lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, bias=False, rng=0), 2, norm=nn.LayerNorm(8)),
        lambda: nn.Sequential(nn.Linear(8, 8, rng=1), nn.TransformerEncoderLayer(8, 4, 8, activation=nn.GELU(), rng=0)),
    ],
    ids=["attention", "attention kdim/vdim", "encoder layer", "encoder", "in a Sequential"],
)
def test_nn_load_rebuilds_the_modules_with_their_weights(build, tmp_path):
    from nn import architecture

    model = build()
    record = architecture.describe(model)
    shapes = architecture.expected_shapes(record)
    if shapes is not None:  # the encoder names its state by its copies, so its record cannot list the shapes
        assert shapes == {name: np.shape(value) for name, value in model.state_dict().items()}
    loaded = nn.load(nn.save(model, tmp_path / "model.npz"))
    assert type(loaded) is type(model) and architecture.describe(loaded) == record
    for (name, a), (other, b) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert name == other
        np.testing.assert_array_equal(a, b, err_msg=name)
    model.eval(), loaded.eval()
    x = RNG.normal(size=(3, 2, 8)).astype(np.float32)
    if isinstance(model, nn.MultiheadAttention):
        y = (
            RNG.normal(size=(3, 2, model.kdim)).astype(np.float32),
            RNG.normal(size=(3, 2, model.vdim)).astype(np.float32),
        )
        np.testing.assert_array_equal(model(x, *y)[0].data, loaded(x, *y)[0].data)
    else:
        np.testing.assert_array_equal(model(x).data, loaded(x).data)


def test_an_encoder_layer_with_a_plain_function_as_activation_has_no_record():
    from nn import architecture

    layer = nn.TransformerEncoderLayer(8, 2, 16, activation=lambda x: x.tanh(), rng=0)
    with pytest.raises(TypeError, match="an activation function other than 'relu', 'gelu' or a Module has no record"):
        architecture.describe(layer)


# -- without torch: errors ----------------------------------------------------------------------------------------

_Q = np.zeros((4, 3, 8), dtype=np.float32)


def _mha(**options):
    return nn.MultiheadAttention(8, 2, rng=0, **options)


ERRORS = [
    (
        lambda: nn.MultiheadAttention(10, 3),
        ValueError,
        "MultiheadAttention: embed_dim=10 must be divisible by num_heads=3",
    ),
    (lambda: nn.MultiheadAttention(0, 1), ValueError, "embed_dim must be a positive integer"),
    (lambda: nn.MultiheadAttention(8, 2, dropout=1.5), ValueError, "dropout must be a probability"),
    (lambda: _mha()(_Q[..., :6], _Q, _Q), ValueError, r"query of shape \(4, 3, 6\) must have embed_dim=8"),
    (lambda: _mha(kdim=5)(_Q, _Q, _Q), ValueError, r"key of shape \(4, 3, 8\) must have kdim=5"),
    (lambda: _mha()(_Q, _Q[:3], _Q), ValueError, "key and value must agree in sequence length and batch"),
    (lambda: _mha()(_Q, _Q[:, :2], _Q[:, :2]), ValueError, "query and key must have the same batch size"),
    (lambda: _mha()(_Q[0, 0], _Q[0, 0], _Q[0, 0]), ValueError, "query must be 3-D .batched. or 2-D"),
    (lambda: _mha()(_Q, _Q[0], _Q[0]), ValueError, "key and value must have the query's rank"),
    (lambda: _mha()(_Q, _Q, _Q, attn_mask=np.zeros((4, 3), bool)), ValueError, r"attn_mask must have shape \(4, 4\)"),
    (
        lambda: _mha()(_Q, _Q, _Q, attn_mask=np.zeros((2, 4, 4), bool)),
        ValueError,
        r"or \(6, 4, 4\) \(N \* num_heads, L, S\), got \(2, 4, 4\)",
    ),
    (
        lambda: _mha()(_Q, _Q, _Q, key_padding_mask=np.zeros((4, 3), bool)),
        ValueError,
        r"key_padding_mask must have shape \(3, 4\)",
    ),
    (lambda: _mha()(_Q, _Q, _Q, attn_mask=np.zeros((4, 4), int)), TypeError, "attn_mask must be a boolean or float"),
    (lambda: _mha()(_Q, _Q, _Q, is_causal=True), ValueError, "is_causal=True .* needs attn_mask"),
    (lambda: _mha()(_Q.astype(np.float64), _Q, _Q), TypeError, "input dtype float64 .* does not match"),
    (
        lambda: F.scaled_dot_product_attention(_Q, _Q[..., :5], _Q),
        ValueError,
        "query and key must have the same embedding size E",
    ),
    (
        lambda: F.scaled_dot_product_attention(_Q, _Q, _Q[:, :2]),
        ValueError,
        "key and value must have the same sequence length S",
    ),
    (lambda: F.scaled_dot_product_attention(_Q[0, 0], _Q, _Q), ValueError, "must be at least 2-D"),
    (lambda: F.scaled_dot_product_attention(_Q, _Q[:2], _Q[:2]), ValueError, "leading .* axes .* do not broadcast"),
    (
        lambda: F.scaled_dot_product_attention(_Q, _Q, _Q, np.ones((2, 3), bool)),
        ValueError,
        r"attn_mask of shape \(2, 3\) does not broadcast to the attention weights' shape \(4, 3, 3\)",
    ),
    (
        lambda: F.scaled_dot_product_attention(_Q, _Q[:3], _Q[:3], enable_gqa=True),
        ValueError,
        "with enable_gqa, the numbers of heads .axis -3. of key and value must divide the query's 4",
    ),
    (
        lambda: F.scaled_dot_product_attention(_Q, _Q.astype(np.float64), _Q),
        TypeError,
        "query, key and value must share a dtype",
    ),
    (lambda: F.scaled_dot_product_attention(_Q, _Q, _Q, dropout_p=2.0), ValueError, "dropout_p must be a probability"),
    (lambda: nn.TransformerEncoderLayer(10, 4), ValueError, "TransformerEncoderLayer: d_model=10 must be divisible"),
    (lambda: nn.TransformerEncoderLayer(8, 2, activation="tanh"), ValueError, "activation must be 'relu', 'gelu'"),
    (lambda: nn.TransformerEncoder(nn.Linear(2, 2), 0), ValueError, "TransformerEncoder: num_layers must be"),
    (lambda: nn.TransformerEncoder("layer", 2), TypeError, "encoder_layer must be a Module"),
]


@pytest.mark.parametrize(("call", "error", "message"), ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_bad_arguments_and_inputs_are_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("mask_kind", ["bool", "float"])
def test_sdpa_with_attn_mask_and_is_causal_applies_both_as_torch(mask_kind):
    # torch 2.13's fused CPU kernel (float32, 4-D, no backward) combines them; its math fallback refuses the pair
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    q, k, v = (rng.standard_normal((1, 2, 3, 4)).astype(np.float32) for _ in range(3))
    mask = np.array([[True, False, True], [True, True, False], [False, True, True]])
    if mask_kind == "float":
        mask = rng.standard_normal((3, 3)).astype(np.float32)
    ours = F.scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), Tensor(mask), is_causal=True)
    theirs = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(v), torch.tensor(mask), is_causal=True
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_sdpa_gradient_with_attn_mask_and_is_causal_matches_finite_differences():
    rng = np.random.default_rng(6)
    q, k, v, bias = (
        rng.standard_normal((2, 3, 4)),
        rng.standard_normal((2, 3, 4)),
        rng.standard_normal((2, 3, 4)),
        rng.standard_normal((3, 3)),
    )
    assert gradcheck(lambda *t: F.scaled_dot_product_attention(*t, is_causal=True), [q, k, v, bias])


_ASSERTED_BY_TORCH = {
    "query of rank 4": lambda q: ((q[None], q[None], q[None]), {}),
    "query without embed_dim features": lambda q: ((q[..., :6], q[..., :6], q[..., :6]), {}),
    "key and value of another rank": lambda q: ((q, q[0], q[0]), {}),
    "key and value of different lengths": lambda q: ((q, q[:3], q), {}),
    "key_padding_mask of a wrong shape": lambda q: ((q, q, q), {"key_padding_mask": np.zeros((3, 5), bool)}),
}


@pytest.mark.parametrize("case", sorted(_ASSERTED_BY_TORCH))
def test_multihead_attention_input_checks_torch_asserts_raise_assertion_errors(case):
    # torch checks these with assert: `except AssertionError` (and `except ValueError`) must catch ours
    torch = pytest.importorskip("torch")
    q = np.zeros((4, 3, 8), dtype=np.float32)
    args, kwargs = _ASSERTED_BY_TORCH[case](q)
    torch_kwargs = {name: torch.tensor(value) for name, value in kwargs.items()}
    with pytest.raises(AssertionError):
        torch.nn.MultiheadAttention(8, 2)(*(torch.tensor(x) for x in args), **torch_kwargs)
    with pytest.raises(AssertionError):
        _mha()(*(Tensor(x) for x in args), **kwargs)
    with pytest.raises(ValueError):
        _mha()(*(Tensor(x) for x in args), **kwargs)


_SHAPES_TORCH_FINDS_WRONG = {
    "query and key of different batch sizes": ((4, 3, 8), (5, 2, 8), (5, 2, 8), {}),
    "key and value without kdim features": ((4, 3, 8), (5, 3, 6), (5, 3, 6), {}),
    "unbatched key and value without kdim features": ((4, 8), (5, 6), (5, 6), {}),
    "2-D attn_mask of a wrong shape": ((4, 3, 8), (5, 3, 8), (5, 3, 8), {"attn_mask": (4, 4)}),
    "3-D attn_mask of a wrong shape": ((4, 3, 8), (5, 3, 8), (5, 3, 8), {"attn_mask": (3, 4, 5)}),
    "unbatched 2-D attn_mask of a wrong shape": ((4, 8), (5, 8), (5, 8), {"attn_mask": (4, 4)}),
}


@pytest.mark.parametrize("case", sorted(_SHAPES_TORCH_FINDS_WRONG))
def test_multihead_attention_shapes_torch_refuses_with_a_runtime_error_raise_one(case):
    # torch finds these in a matmul, a reshape or its mask check (a RuntimeError): `except RuntimeError` (and
    # `except ValueError`) must catch ours
    torch = pytest.importorskip("torch")
    *shapes, masks = _SHAPES_TORCH_FINDS_WRONG[case]
    arrays = [np.zeros(shape, dtype=np.float32) for shape in shapes]
    mask_arrays = {name: np.zeros(shape, dtype=bool) for name, shape in masks.items()}
    with pytest.raises(RuntimeError):
        torch.nn.MultiheadAttention(8, 2)(
            *(torch.tensor(x) for x in arrays), **{name: torch.tensor(m) for name, m in mask_arrays.items()}
        )
    with pytest.raises(RuntimeError):
        _mha()(*(Tensor(x) for x in arrays), **mask_arrays)
    with pytest.raises(ValueError):
        _mha()(*(Tensor(x) for x in arrays), **mask_arrays)


def test_multihead_attention_unbatched_3d_attn_mask_of_a_wrong_shape_raises_an_assertion_error():
    torch = pytest.importorskip("torch")
    query, key, mask = np.zeros((4, 8), np.float32), np.zeros((5, 8), np.float32), np.zeros((3, 4, 5), bool)
    with pytest.raises(AssertionError):
        torch.nn.MultiheadAttention(8, 2)(
            torch.tensor(query), torch.tensor(key), torch.tensor(key), attn_mask=torch.tensor(mask)
        )
    with pytest.raises(AssertionError, match=r"attn_mask must have shape \(4, 5\) .* got \(3, 4, 5\)"):
        _mha()(Tensor(query), Tensor(key), Tensor(key), attn_mask=mask)


@pytest.mark.parametrize("layer", ["TransformerEncoderLayer", "TransformerDecoderLayer"])
def test_transformer_layer_with_d_model_not_divisible_by_nhead_raises_an_assertion_error(layer):
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError):
        getattr(torch.nn, layer)(10, 4)
    with pytest.raises(AssertionError, match=f"{layer}: d_model=10 must be divisible by nhead=4"):
        getattr(nn, layer)(10, 4)


@pytest.mark.parametrize(
    ("shapes", "options", "torch_class"),
    [
        (((4,), (4,), (4,)), {}, RuntimeError),
        (((2, 3, 4), (2, 5, 3), (2, 5, 4)), {}, RuntimeError),
        (((2, 3, 4), (2, 5, 4), (2, 6, 4)), {}, RuntimeError),
        (((2, 3, 4), (3, 5, 4), (3, 5, 4)), {}, RuntimeError),
        (((2, 3, 4), (2, 5, 4), (2, 5, 4)), {"attn_mask": np.ones((4, 5))}, RuntimeError),
        (((1, 7, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)), {"enable_gqa": True}, RuntimeError),
        (((1, 8, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)), {}, RuntimeError),
        (((3, 4), (5, 4), (5, 4)), {"enable_gqa": True}, IndexError),
    ],
)
def test_sdpa_shape_errors_are_also_torchs_classes(torch, shapes, options, torch_class):
    # tinygrad's test_scaled_dot_product_attention_gqa_errors: these were ValueErrors alone
    arrays = [RNG.normal(size=shape) for shape in shapes]
    with pytest.raises(torch_class):
        torch.nn.functional.scaled_dot_product_attention(
            *map(torch.tensor, arrays), **{k: _torch_like(torch, v) for k, v in options.items()}
        )
    with pytest.raises(torch_class) as caught:
        F.scaled_dot_product_attention(*map(Tensor, arrays), **options)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.MultiheadAttention(4, 2, bias=False, kdim=3, vdim=5),
        lambda lib: lib.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0),
        lambda lib: lib.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0),
    ],
)
def test_attention_reprs_name_out_proj_by_torchs_class_and_it_still_is_a_linear(torch, make):
    ours = make(nn)
    assert repr(ours) == repr(make(torch.nn))
    attention = ours if isinstance(ours, nn.MultiheadAttention) else ours.self_attn
    assert isinstance(attention.out_proj, nn.Linear)


def test_sdpa_kernel_selects_among_torchs_backends_and_every_choice_runs_the_one_kernel():
    from nn.attention import SDPBackend, sdpa_kernel

    q, k, v = (Tensor(RNG.normal(size=(2, 3, 4))) for _ in range(3))
    reference = F.scaled_dot_product_attention(q, k, v).data
    for backends in (SDPBackend.MATH, [SDPBackend.FLASH_ATTENTION, SDPBackend.MATH], (SDPBackend.EFFICIENT_ATTENTION,)):
        with sdpa_kernel(backends, set_priority=True):
            np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v).data, reference)
    assert int(SDPBackend.MATH) == 0 and int(SDPBackend.FLASH_ATTENTION) == 1  # torch's values
    for bad, error in (("math", TypeError), ([SDPBackend.MATH, 1], TypeError), (0, TypeError), ([], ValueError)):
        with pytest.raises(error, match="^sdpa_kernel: "), sdpa_kernel(bad):
            pass
