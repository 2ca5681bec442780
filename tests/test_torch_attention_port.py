"""Port of the behaviour PyTorch's tests check for nn.MultiheadAttention, F.scaled_dot_product_attention and
nn.Transformer* (test/test_nn.py's attention tests, test/test_transformers.py): the errors torch raises for inputs
it refuses, each a class torch's callers catch, next to the library's own class; then values, weights and gradients
against torch in float64 for the mask combinations tests/test_attention.py leaves out (rows with every key masked,
mixed mask dtypes, -inf float masks), with torch's state_dict loaded as it is."""

import re

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

# torch's Transformer warns that its nested-tensor fast path is off (batch_first=False); that path is not compared
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")


def _both_raise(call, library_class, torch_class, match=None):
    """``call(nn)`` raises an instance of ``library_class`` and of ``torch_class``; ``call(torch.nn)`` raises
    ``torch_class``. ``call`` gets the namespace and a factory of zero float32 arrays of the given shape."""
    with pytest.raises(torch_class):
        call(torch.nn, lambda *shape: torch.zeros(shape))
    with pytest.raises(library_class, match=match) as caught:
        call(nn, lambda *shape: Tensor(np.zeros(shape, dtype=np.float32)))
    assert isinstance(caught.value, torch_class)


def _transformer(lib):
    return lib.Transformer(8, 2, 1, 1, 16, dropout=0.0)


@pytest.mark.parametrize(
    ("src", "tgt", "match"),
    [
        ((4, 3, 8), (5, 2, 8), r"Transformer: src and tgt must have the same batch size, got src \(4, 3, 8\)"),
        ((4, 3, 8), (5, 8), r"Transformer: src and tgt must have the same batch size, got src \(4, 3, 8\) and tgt"),
        ((4, 3, 6), (5, 3, 6), r"Transformer: src and tgt must have d_model=8 features .* got src \(4, 3, 6\)"),
    ],
    ids=["batch sizes differ", "unbatched tgt", "features not d_model"],
)
def test_transformer_src_and_tgt_that_do_not_fit_raise_torchs_runtime_error(src, tgt, match):
    _both_raise(lambda lib, zeros: _transformer(lib)(zeros(*src), zeros(*tgt)), ValueError, RuntimeError, match)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.TransformerEncoderLayer(8, 2, 16, activation="tanh"),
        lambda lib: lib.TransformerDecoderLayer(8, 2, 16, activation="tanh"),
        lambda lib: lib.Transformer(8, 2, 1, 1, 16, activation="tanh"),
    ],
    ids=["encoder layer", "decoder layer", "transformer"],
)
def test_an_activation_named_other_than_relu_or_gelu_raises_torchs_runtime_error(make):
    _both_raise(lambda lib, _: make(lib), ValueError, RuntimeError, "activation must be 'relu', 'gelu' or a callable")


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, zeros: lib.MultiheadAttention(8, 2)(zeros(4, 3, 8), zeros(4, 3, 8), zeros(4, 3, 8), is_causal=True),
        lambda lib, zeros: lib.TransformerEncoderLayer(8, 2, 16)(zeros(4, 3, 8), is_causal=True),
        lambda lib, zeros: lib.TransformerDecoderLayer(8, 2, 16)(zeros(4, 3, 8), zeros(5, 3, 8), tgt_is_causal=True),
        lambda lib, zeros: lib.TransformerDecoder(lib.TransformerDecoderLayer(8, 2, 16), 1)(
            zeros(4, 3, 8), zeros(5, 3, 8), tgt_is_causal=True
        ),
    ],
    ids=["attention", "encoder layer", "decoder layer", "decoder"],
)
def test_is_causal_without_a_mask_raises_torchs_runtime_error(call):
    _both_raise(call, ValueError, RuntimeError, r"MultiheadAttention: is_causal=True .* needs attn_mask")


def _integer_mask(lib, dtype, *shape):
    """Zeros of the integer ``dtype`` ("int64", "uint8"): a torch tensor for torch, else an ndarray."""
    return torch.zeros(shape, dtype=getattr(torch, dtype)) if lib is torch.nn else np.zeros(shape, dtype=dtype)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda lib, zeros: lib.MultiheadAttention(8, 2)(
                zeros(4, 3, 8), zeros(4, 3, 8), zeros(4, 3, 8), attn_mask=_integer_mask(lib, "int64", 4, 4)
            ),
            "MultiheadAttention: attn_mask must be a boolean or floating-point mask, got dtype int64",
        ),
        (
            # test_transformers.py's test_train_with_pad_and_catch_error catches this with `except AssertionError`
            lambda lib, zeros: lib.TransformerEncoder(lib.TransformerEncoderLayer(2, 2, 4, batch_first=True), 2)(
                zeros(1, 4, 2), src_key_padding_mask=_integer_mask(lib, "uint8", 1, 4)
            ),
            "MultiheadAttention: key_padding_mask must be a boolean or floating-point mask, got dtype uint8",
        ),
    ],
    ids=["int64 attn_mask", "uint8 src_key_padding_mask"],
)
def test_multihead_attention_masks_neither_bool_nor_float_raise_torchs_assertion_error(call, match):
    _both_raise(call, TypeError, AssertionError, match)


@pytest.mark.parametrize(
    ("query", "mask"),
    [((4, 3, 8), (3, 2, 4, 4)), ((4, 3, 8), (4,)), ((4, 8), (1, 2, 4, 4)), ((4, 8), ())],
    ids=["batched, 4-D", "batched, 1-D", "unbatched, 4-D", "unbatched, 0-D"],
)
def test_multihead_attention_attn_mask_of_a_rank_other_than_2_or_3_raises_torchs_assertion_error(query, mask):
    def call(lib, zeros):
        attn_mask = torch.zeros(mask, dtype=torch.bool) if lib is torch.nn else np.zeros(mask, dtype=bool)
        return lib.MultiheadAttention(8, 2)(zeros(*query), zeros(*query), zeros(*query), attn_mask=attn_mask)

    _both_raise(
        call,
        ValueError,
        AssertionError,
        r"MultiheadAttention: attn_mask must have shape .* got " + re.escape(str(mask)),
    )


def _sdpa_call(dtypes, mask_dtype=None):
    """scaled_dot_product_attention on zeros of the numpy ``dtypes`` (query, key, value), with an attn_mask of
    ``mask_dtype`` if given."""

    def call(lib, _):
        shapes = ((2, 3, 4), (2, 5, 4), (2, 5, 4))
        if lib is torch.nn:
            arrays = [torch.from_numpy(np.zeros(shape, dtype)) for shape, dtype in zip(shapes, dtypes, strict=True)]
            mask = None if mask_dtype is None else torch.from_numpy(np.zeros((3, 5), mask_dtype))
            return torch.nn.functional.scaled_dot_product_attention(*arrays, attn_mask=mask)
        arrays = [Tensor(np.zeros(shape, dtype)) for shape, dtype in zip(shapes, dtypes, strict=True)]
        mask = None if mask_dtype is None else np.zeros((3, 5), mask_dtype)
        return nn.functional.scaled_dot_product_attention(*arrays, attn_mask=mask)

    return call


@pytest.mark.parametrize(
    ("dtypes", "mask_dtype", "match"),
    [
        (("int64",) * 3, None, "query must have a floating-point dtype, got int64"),
        (("float32", "float64", "float32"), None, "query, key and value must share a dtype"),
        (("float32",) * 3, "int64", "attn_mask must be a boolean or floating-point mask, got dtype int64"),
    ],
    ids=["integer inputs", "mixed float dtypes", "integer mask"],
)
def test_sdpa_dtypes_it_cannot_use_raise_torchs_runtime_error(dtypes, mask_dtype, match):
    _both_raise(_sdpa_call(dtypes, mask_dtype), TypeError, RuntimeError, "scaled_dot_product_attention: " + match)


def test_sdpa_dropout_p_above_1_raises_torchs_runtime_error():
    def call(lib, zeros):
        functional = torch.nn.functional if lib is torch.nn else nn.functional
        return functional.scaled_dot_product_attention(zeros(2, 3, 4), zeros(2, 5, 4), zeros(2, 5, 4), dropout_p=1.5)

    _both_raise(
        call, ValueError, RuntimeError, r"scaled_dot_product_attention: dropout_p must be a probability in \[0, 1\]"
    )


def test_generate_square_subsequent_mask_of_a_negative_size_raises_torchs_runtime_error():
    _both_raise(
        lambda lib, _: lib.Transformer.generate_square_subsequent_mask(-1),
        ValueError,
        RuntimeError,
        "Transformer.generate_square_subsequent_mask: sz must be at least 0, got -1",
    )


def test_sdpa_with_an_empty_embedding_gives_torchs_uniform_weights_and_gradients():
    # E = 0: every score is an empty sum, 0, so each query averages the values (was a ZeroDivisionError from 1/sqrt(0))
    rng = np.random.default_rng(0)
    arrays = [np.zeros((2, 4, 0)), np.zeros((2, 6, 0)), rng.normal(size=(2, 6, 5))]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    got = nn.functional.scaled_dot_product_attention(*ours)
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12)
    seed = rng.normal(size=got.shape)
    (got * seed).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.grad.shape == tuple(reference.grad.shape)
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)


# -- values and gradients in the cases test_attention.py does not cover -------------------------------------------

E, H, L, S, N = 8, 2, 4, 5, 3
RNG = np.random.default_rng(11)
_MINUS_INF_ROW = RNG.normal(size=(L, S))
_MINUS_INF_ROW[1] = -np.inf  # query 1 may attend to nothing
_WHOLE_SEQUENCE_PADDED = np.zeros((N, S), dtype=bool)
_WHOLE_SEQUENCE_PADDED[1] = True  # batch element 1 has no key

MHA_CASES = {
    "float attn_mask with a -inf row": ({}, {"attn_mask": _MINUS_INF_ROW}),
    "key_padding_mask padding a whole sequence": ({}, {"key_padding_mask": _WHOLE_SEQUENCE_PADDED}),
    "bool key_padding_mask, float attn_mask": (
        {},
        {"key_padding_mask": RNG.random((N, S)) > 0.6, "attn_mask": RNG.normal(size=(L, S))},
    ),
    "float key_padding_mask, bool attn_mask": (
        {},
        {"key_padding_mask": RNG.normal(size=(N, S)), "attn_mask": RNG.random((L, S)) > 0.3},
    ),
    "-inf float 3-D mask per head": ({}, {"attn_mask": np.where(RNG.random((N * H, L, S)) > 0.5, -np.inf, 0.0)}),
    "bias=False with add_bias_kv": ({"bias": False, "add_bias_kv": True}, {}),
    "kdim, vdim, bias_kv, zero_attn, both masks": (
        {"kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True},
        {"key_padding_mask": RNG.random((N, S)) > 0.5, "attn_mask": RNG.random((N * H, L, S)) > 0.5},
    ),
}


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask and attn_mask is deprecated")
@pytest.mark.parametrize("need_weights", [True, False], ids=["weights", "no weights"])
@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_masks_and_options_match_torch(case, need_weights):
    # need_weights=True: torch's plain softmax, nan in a row with every key masked; False: its weights 0 there
    options, call = MHA_CASES[case]
    theirs = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **options)
    ours = nn.MultiheadAttention(E, H, dtype=np.float64, **options)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in theirs.parameters():
            parameter.add_(0.3 * torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    ours.load_state_dict(theirs.state_dict())  # torch's tensors, by torch's keys
    arrays = [RNG.normal(size=(L, N, E)), RNG.normal(size=(S, N, ours.kdim)), RNG.normal(size=(S, N, ours.vdim))]
    mine = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    reference = [torch.tensor(a, requires_grad=True) for a in arrays]
    got = ours(*mine, need_weights=need_weights, **call)
    expected = theirs(*reference, need_weights=need_weights, **{k: torch.tensor(v) for k, v in call.items()})
    close = {"rtol": 1e-10, "atol": 1e-12, "equal_nan": True}
    np.testing.assert_allclose(got[0].data, expected[0].detach().numpy(), **close)
    assert (got[1] is None) == (expected[1] is None)
    if need_weights:
        np.testing.assert_allclose(got[1].data, expected[1].detach().numpy(), **close)
    seed = RNG.normal(size=got[0].shape)
    (got[0] * seed).sum().backward()
    (expected[0] * torch.tensor(seed)).sum().backward()
    for a, b in zip(mine, reference, strict=True):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), **close)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(ours.get_parameter(name).grad, parameter.grad.numpy(), err_msg=name, **close)
