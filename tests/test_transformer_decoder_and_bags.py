"""nn.TransformerDecoderLayer, nn.TransformerDecoder, nn.Transformer, nn.EmbeddingBag / F.embedding_bag and the
deprecated torch names (nn.NLLLoss2d, F.upsample, F.upsample_nearest, F.upsample_bilinear), without torch:
shapes, state_dict names, what the masks hide, finite differences in float64 and the error messages."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(11)
E, H, T, S, N = 4, 2, 3, 5, 2


def _decoder_layer(**options):
    return nn.TransformerDecoderLayer(E, H, 6, dropout=0.0, dtype=np.float64, rng=3, **options)


# -- TransformerDecoderLayer / TransformerDecoder / Transformer --------------------------------------------------


@pytest.mark.parametrize(
    ("batch_first", "tgt_shape", "memory_shape"),
    [(False, (T, N, E), (S, N, E)), (True, (N, T, E), (N, S, E)), (False, (T, E), (S, E))],
)
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_output_has_the_target_shape(batch_first, tgt_shape, memory_shape, norm_first):
    layer = nn.TransformerDecoderLayer(E, H, 6, batch_first=batch_first, norm_first=norm_first, rng=0)
    output = layer(RNG.normal(size=tgt_shape).astype(np.float32), RNG.normal(size=memory_shape).astype(np.float32))
    assert output.shape == tgt_shape and output.dtype == np.float32


def test_decoder_layer_state_dict_uses_torchs_names():
    names = list(_decoder_layer().state_dict())
    prefixes = ["self_attn.", "multihead_attn.", "linear1.", "linear2.", "norm1.", "norm2.", "norm3."]
    assert [p for p in prefixes if not any(n.startswith(p) for n in names)] == []
    assert names[:4] == [
        "self_attn.in_proj_weight",
        "self_attn.in_proj_bias",
        "self_attn.out_proj.weight",
        "self_attn.out_proj.bias",
    ]
    assert "norm3.bias" not in nn.TransformerDecoderLayer(E, H, 6, bias=False).state_dict()


def test_causal_target_mask_hides_later_target_positions():
    decoder = nn.TransformerDecoder(_decoder_layer(), 2).eval()
    tgt, memory = RNG.normal(size=(T, N, E)), RNG.normal(size=(S, N, E))
    changed = tgt.copy()
    changed[-1] += 5.0
    mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=np.float64)
    before, after = decoder(tgt, memory, tgt_mask=mask), decoder(changed, memory, tgt_mask=mask)
    np.testing.assert_allclose(after.data[:-1], before.data[:-1], rtol=1e-12, atol=1e-12)
    assert not np.allclose(after.data[-1], before.data[-1])
    unmasked = decoder(changed, memory)
    assert not np.allclose(unmasked.data[:-1], before.data[:-1])  # without the mask, the change reaches them


def test_memory_padding_mask_hides_padded_memory_positions():
    layer = _decoder_layer(batch_first=True).eval()
    tgt, memory = RNG.normal(size=(N, T, E)), RNG.normal(size=(N, S, E))
    padding = np.zeros((N, S), dtype=bool)
    padding[:, -2:] = True
    changed = memory.copy()
    changed[:, -2:] = RNG.normal(size=(N, 2, E))
    before = layer(tgt, memory, memory_key_padding_mask=padding)
    after = layer(tgt, changed, memory_key_padding_mask=padding)
    np.testing.assert_allclose(after.data, before.data, rtol=1e-12, atol=1e-12)
    assert not np.allclose(layer(tgt, changed).data, layer(tgt, memory).data)


def test_decoder_layers_are_independent_copies():
    norm = nn.LayerNorm(E, dtype=np.float64)
    decoder = nn.TransformerDecoder(_decoder_layer(), 3, norm=norm)
    first, second = decoder.layers[0], decoder.layers[1]
    np.testing.assert_array_equal(first.linear1.weight.data, second.linear1.weight.data)
    assert first.linear1.weight is not second.linear1.weight
    assert decoder.norm is norm and len(decoder.layers) == decoder.num_layers == 3


def test_decoder_gradients_match_finite_differences():
    decoder = nn.TransformerDecoder(_decoder_layer(norm_first=True), 2, norm=nn.LayerNorm(E, dtype=np.float64))
    tgt_mask = ~np.tri(T, dtype=bool)
    memory_mask = RNG.normal(size=(T, S))
    padding = np.array([[False, False, False, True, False], [False, True, False, False, False]])

    def loss(tgt, memory):
        output = decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, memory_key_padding_mask=padding)
        return (output * output).sum()

    assert gradcheck(loss, [RNG.normal(size=(T, N, E)), RNG.normal(size=(S, N, E))])


def test_transformer_gradients_match_finite_differences():
    model = nn.Transformer(E, H, 1, 1, 6, dropout=0.0, dtype=np.float64, rng=5)
    mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=np.float64)
    assert gradcheck(
        lambda src, tgt: (model(src, tgt, tgt_mask=mask) ** 2).sum(),
        [RNG.normal(size=(S, N, E)), RNG.normal(size=(T, N, E))],
    )


def test_transformer_shapes_names_and_xavier_initialisation():
    model = nn.Transformer(8, 2, 2, 3, 16, batch_first=True, rng=0)
    output = model(RNG.normal(size=(N, S, 8)).astype(np.float32), RNG.normal(size=(N, T, 8)).astype(np.float32))
    assert output.shape == (N, T, 8)
    names = list(model.state_dict())
    assert "encoder.norm.weight" in names and "decoder.norm.bias" in names
    assert "encoder.layers.1.linear2.weight" in names and "decoder.layers.2.multihead_attn.in_proj_weight" in names
    assert "decoder.layers.3.norm1.weight" not in names
    weight = model.decoder.layers[0].linear1.weight.data  # (16, 8): xavier bound sqrt(6 / 24) = 0.5
    assert np.abs(weight).max() <= 0.5 and np.abs(weight).max() > 0.4
    first_layers = model.encoder.layers[0].linear1.weight.data, model.encoder.layers[1].linear1.weight.data
    assert not np.array_equal(*first_layers)  # drawn again one by one, as torch's _reset_parameters


def test_transformer_custom_parts_replace_the_defaults():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, 6, dropout=0.0, dtype=np.float64), 1)
    decoder = nn.TransformerDecoder(_decoder_layer(), 1)
    model = nn.Transformer(E, H, custom_encoder=encoder, custom_decoder=decoder, dtype=np.float64)
    assert model.encoder is encoder and model.decoder is decoder
    assert model(RNG.normal(size=(S, N, E)), RNG.normal(size=(T, N, E))).shape == (T, N, E)


def test_generate_square_subsequent_mask_is_minus_infinity_above_the_diagonal():
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=np.float32)
    assert mask.dtype == np.float32
    expected = np.array([[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]], dtype=np.float32)
    np.testing.assert_array_equal(mask.data, expected)


@pytest.mark.parametrize(
    ("src_shape", "tgt_shape", "message"),
    [((S, N, E), (T, N + 1, E), "same batch size"), ((S, N, E), (T, N, E + 2), "d_model=4")],
)
def test_transformer_rejects_mismatched_inputs(src_shape, tgt_shape, message):
    model = nn.Transformer(E, H, 1, 1, 6, dtype=np.float64)
    with pytest.raises(ValueError, match=message):
        model(np.zeros(src_shape), np.zeros(tgt_shape))


def test_decoder_layer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="divisible"):
        nn.TransformerDecoderLayer(5, 2)
    with pytest.raises(ValueError, match="activation"):
        nn.TransformerDecoderLayer(4, 2, activation="tanh")
    with pytest.raises(TypeError, match="decoder_layer"):
        nn.TransformerDecoder("layer", 2)


# -- embedding_bag / EmbeddingBag ------------------------------------------------------------------------------

WEIGHT = RNG.normal(size=(6, 3))
FLAT = np.array([1, 2, 4, 4, 3, 0, 2, 5])
OFFSETS = np.array([0, 2, 2, 5])  # bags [1, 2], [], [4, 4, 3], [0, 2, 5]
BAGS = [[1, 2], [], [4, 4, 3], [0, 2, 5]]


def _reference(bags, mode, weights=None):
    rows = []
    for bag_number, bag in enumerate(bags):
        if not bag:
            rows.append(np.zeros(3))
            continue
        picked = WEIGHT[bag] * (1.0 if weights is None else np.asarray(weights[bag_number])[:, None])
        rows.append({"sum": picked.sum(0), "mean": picked.mean(0), "max": picked.max(0)}[mode])
    return np.stack(rows)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_reduces_each_bag(mode):
    np.testing.assert_allclose(F.embedding_bag(FLAT, WEIGHT, OFFSETS, mode=mode).data, _reference(BAGS, mode))
    last = F.embedding_bag(FLAT, WEIGHT, np.append(OFFSETS, len(FLAT)), mode=mode, include_last_offset=True)
    np.testing.assert_allclose(last.data, _reference(BAGS, mode))
    square = np.array([[1, 2, 3], [5, 5, 0]])
    np.testing.assert_allclose(F.embedding_bag(square, WEIGHT, mode=mode).data, _reference(square.tolist(), mode))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_padding_entries_leave_their_bag(mode):
    got = F.embedding_bag(FLAT, WEIGHT, OFFSETS, mode=mode, padding_idx=4)
    np.testing.assert_allclose(got.data, _reference([[1, 2], [], [3], [0, 2, 5]], mode))
    only_padding = F.embedding_bag(np.array([[4, 4]]), WEIGHT, mode=mode, padding_idx=4)
    np.testing.assert_array_equal(only_padding.data, np.zeros((1, 3)))


def test_embedding_bag_per_sample_weights_scale_the_sum():
    weights = RNG.normal(size=len(FLAT))
    got = F.embedding_bag(FLAT, WEIGHT, OFFSETS, mode="sum", per_sample_weights=weights)
    np.testing.assert_allclose(got.data, _reference(BAGS, "sum", [weights[0:2], [], weights[2:5], weights[5:]]))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradients_match_finite_differences(mode):
    assert gradcheck(lambda w: (F.embedding_bag(FLAT, w, OFFSETS, mode=mode, padding_idx=0) ** 2).sum(), [WEIGHT])


def test_embedding_bag_per_sample_weight_gradients_match_finite_differences():
    def loss(w, sample_weights):
        return (F.embedding_bag(FLAT, w, OFFSETS, mode="sum", per_sample_weights=sample_weights) ** 2).sum()

    assert gradcheck(loss, [WEIGHT, RNG.normal(size=len(FLAT))])


def test_embedding_bag_padding_row_gets_no_gradient():
    weight = Tensor(WEIGHT.copy(), requires_grad=True)
    F.embedding_bag(FLAT, weight, OFFSETS, mode="mean", padding_idx=4).sum().backward()
    np.testing.assert_array_equal(weight.grad[4], 0.0)
    np.testing.assert_allclose(weight.grad[2], [1 / 2 + 1 / 3] * 3)  # once in a bag of 2, once in a bag of 3


def test_embedding_bag_module_initialisation_and_from_pretrained():
    layer = nn.EmbeddingBag(10, 4, mode="sum", padding_idx=2, rng=0)
    assert layer.weight.shape == (10, 4) and layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data[2], 0.0)
    assert "mode='sum'" in repr(layer) and "padding_idx=2" in repr(layer)
    frozen = nn.EmbeddingBag.from_pretrained(WEIGHT, mode="max")
    assert not frozen.weight.requires_grad and frozen.mode == "max"
    np.testing.assert_allclose(frozen(FLAT, OFFSETS).data, _reference(BAGS, "max"))
    assert nn.EmbeddingBag.from_pretrained(WEIGHT, freeze=False).weight.requires_grad


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.embedding_bag(FLAT, WEIGHT), ValueError, "needs offsets"),
        (lambda: F.embedding_bag(FLAT.reshape(2, 4), WEIGHT, np.array([0])), ValueError, "offsets must be None"),
        (lambda: F.embedding_bag(FLAT, WEIGHT, np.array([1, 3])), ValueError, "offsets\\[0\\] must be 0"),
        (lambda: F.embedding_bag(FLAT, WEIGHT, np.array([0, 5, 3])), ValueError, "non-decreasing"),
        (lambda: F.embedding_bag(FLAT, WEIGHT, np.array([0, 9]), include_last_offset=True), ValueError, "last"),
        (lambda: F.embedding_bag(FLAT, WEIGHT, OFFSETS, per_sample_weights=np.ones(8)), ValueError, "mode='sum'"),
        (lambda: F.embedding_bag(FLAT, WEIGHT, OFFSETS, mode="max", scale_grad_by_freq=True), ValueError, "max"),
        (lambda: F.embedding_bag(FLAT + 1, WEIGHT, OFFSETS), IndexError, "indices must be in"),
        (lambda: F.embedding_bag(FLAT * 0.5, WEIGHT, OFFSETS), TypeError, "integers"),
        (lambda: F.embedding_bag(FLAT, WEIGHT, OFFSETS, mode="median"), ValueError, "mode"),
    ],
)
def test_embedding_bag_rejects_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- deprecated names ------------------------------------------------------------------------------------------


def test_nll_loss_2d_is_nll_loss():
    log_probs = np.log(RNG.dirichlet(np.ones(3), size=(2, 4, 5)).transpose(0, 3, 1, 2))
    target = RNG.integers(0, 3, size=(2, 4, 5))
    assert issubclass(nn.NLLLoss2d, nn.NLLLoss)
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        loss = nn.NLLLoss2d(ignore_index=2)
    assert loss.ignore_index == 2
    np.testing.assert_allclose(loss(log_probs, target).data, nn.NLLLoss(ignore_index=2)(log_probs, target).data)


@pytest.mark.parametrize(
    ("name", "call", "options"),
    [
        ("upsample", lambda x: F.upsample(x, scale_factor=2, mode="bilinear"), {"mode": "bilinear"}),
        ("upsample_nearest", lambda x: F.upsample_nearest(x, size=(5, 7)), {"mode": "nearest"}),
        ("upsample_bilinear", lambda x: F.upsample_bilinear(x, size=(5, 7)), {"mode": "bilinear"}),
    ],
)
def test_deprecated_upsample_names_warn_and_interpolate(name, call, options):
    x = RNG.normal(size=(1, 2, 3, 4))
    with pytest.warns(UserWarning, match=f"`nn.functional.{name}` is deprecated"):
        got = call(x)
    size = {"scale_factor": 2} if name == "upsample" else {"size": (5, 7)}
    align = {"align_corners": True} if name == "upsample_bilinear" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = F.interpolate(x, **size, **options, **align)
    np.testing.assert_allclose(got.data, expected.data)


@pytest.mark.parametrize(
    ("build", "batch_first"),
    [
        (
            lambda: nn.TransformerDecoderLayer(8, 2, 16, norm_first=True, activation="gelu", batch_first=True, rng=0),
            True,
        ),
        (lambda: nn.TransformerDecoderLayer(8, 2, 16, bias=False, activation=nn.GELU(), rng=0), False),
        (lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, rng=0), 2, norm=nn.LayerNorm(8)), False),
        (lambda: nn.Transformer(8, 2, 1, 2, 16, rng=0), False),
        (lambda: nn.Transformer(8, 2, 1, 1, 16, batch_first=True, norm_first=True, rng=0), True),
    ],
    ids=["decoder layer", "decoder layer without bias", "decoder", "transformer", "transformer batch first"],
)
def test_nn_load_rebuilds_decoders_and_transformers_with_their_weights(build, batch_first, tmp_path):
    from nn import architecture

    model = build()
    record = architecture.describe(model)
    shapes = architecture.expected_shapes(record)
    if shapes is not None:  # (stacks name their state by their copies: no shapes in their records)
        assert shapes == {name: np.shape(value) for name, value in model.state_dict().items()}
    loaded = nn.load(nn.save(model, tmp_path / "model.npz"))
    assert type(loaded) is type(model) and architecture.describe(loaded) == record
    for (name, a), (other, b) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert name == other
        np.testing.assert_array_equal(a, b, err_msg=name)
    model.eval(), loaded.eval()
    target, memory = RNG.normal(size=(3, 2, 8)).astype(np.float32), RNG.normal(size=(4, 2, 8)).astype(np.float32)
    if batch_first:
        target, memory = target.transpose(1, 0, 2).copy(), memory.transpose(1, 0, 2).copy()
    np.testing.assert_array_equal(model(target, memory).data, loaded(target, memory).data)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq_divides_each_row_by_its_own_count(mode):
    # row 1 is read twice, rows 3 and 5 once: torch 2.13's CPU kernel divides row 3 by row 1's count
    # (pytorch/pytorch#190063), the documented scaling divides each row by its own
    weight = Tensor(np.zeros((6, 2)), requires_grad=True)
    indices, offsets = np.array([1, 1, 3, 5]), np.array([0, 3])
    F.embedding_bag(indices, weight, offsets, mode=mode, scale_grad_by_freq=True).sum().backward()
    per_read = np.array([1 / 3, 1 / 3, 1 / 3, 1.0]) if mode == "mean" else np.ones(4)
    expected = np.zeros(6)
    np.add.at(expected, indices, per_read / np.bincount(indices, minlength=6)[indices])
    np.testing.assert_allclose(weight.grad, np.repeat(expected[:, None], 2, axis=1), rtol=1e-15)
