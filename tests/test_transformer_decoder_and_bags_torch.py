"""nn.TransformerDecoderLayer, nn.TransformerDecoder, nn.Transformer, nn.EmbeddingBag / F.embedding_bag and the
deprecated names against torch: values and the gradients of every input and parameter, with torch's parameters
loaded by torch's state_dict keys (converted to numpy)."""

import inspect
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(23)
TIGHT = {"rtol": 1e-10, "atol": 1e-12}
E, H, T, S, N = 8, 2, 4, 5, 3


def _load_torch_state(ours, theirs):
    """Give torch's module random parameters, then copy them into ours by torch's state_dict keys."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in theirs.parameters():
            parameter.add_(0.3 * torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    assert list(ours.state_dict()) == list(theirs.state_dict())  # torch's names, in torch's order
    ours.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()})
    ours.eval(), theirs.eval()


def _pair(array):
    return Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)


def _compare(ours, theirs, got, expected, ours_inputs, theirs_inputs):
    """The values, then the gradients of a random seed: input by input and parameter by parameter."""
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TIGHT)
    seed = RNG.normal(size=got.shape)
    (got * seed).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for mine, reference in zip(ours_inputs, theirs_inputs, strict=True):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), **TIGHT)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(ours.get_parameter(name).grad, parameter.grad.numpy(), err_msg=name, **TIGHT)


def _torch_call(call):
    return {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}


def _masks(kind, batch_first=False):
    if kind == "none":
        return {}
    tgt_padding = RNG.random((N, T)) > 0.7
    tgt_padding[:, 0] = False
    memory_padding = RNG.random((N, S)) > 0.6
    memory_padding[:, 0] = False
    if kind == "bool":
        return {
            "tgt_mask": ~np.tri(T, dtype=bool),
            "memory_mask": RNG.random((T, S)) > 0.8,
            "tgt_key_padding_mask": tgt_padding,
            "memory_key_padding_mask": memory_padding,
        }
    return {
        "tgt_mask": np.triu(np.full((T, T), -np.inf), 1),
        "memory_mask": RNG.normal(size=(N * H, T, S)),
        "tgt_key_padding_mask": RNG.normal(size=(N, T)),
        "memory_key_padding_mask": RNG.normal(size=(N, S)),
    }


DECODER_CASES = [
    {"norm_first": False, "activation": "relu"},
    {"norm_first": True, "activation": "relu"},
    {"norm_first": False, "activation": "gelu", "batch_first": True},
    {"norm_first": True, "activation": "gelu", "batch_first": True},
    {"norm_first": False, "activation": "relu", "bias": False},
]


@pytest.mark.parametrize("options", DECODER_CASES, ids=str)
@pytest.mark.parametrize("masks", ["none", "bool", "float"])
def test_decoder_layer_matches_torch(options, masks):
    theirs = torch.nn.TransformerDecoderLayer(E, H, 16, dtype=torch.float64, **options)
    ours = nn.TransformerDecoderLayer(E, H, 16, dtype=np.float64, **options)
    _load_torch_state(ours, theirs)
    batch_first = options.get("batch_first", False)
    tgt_pair = _pair(RNG.normal(size=(N, T, E) if batch_first else (T, N, E)))
    memory_pair = _pair(RNG.normal(size=(N, S, E) if batch_first else (S, N, E)))
    call = _masks(masks)
    got = ours(tgt_pair[0], memory_pair[0], **call)
    expected = theirs(tgt_pair[1], memory_pair[1], **_torch_call(call))
    _compare(ours, theirs, got, expected, [tgt_pair[0], memory_pair[0]], [tgt_pair[1], memory_pair[1]])


def test_decoder_layer_unbatched_causal_and_module_activation_match_torch():
    theirs = torch.nn.TransformerDecoderLayer(E, H, 16, activation=torch.nn.GELU(), dtype=torch.float64)
    ours = nn.TransformerDecoderLayer(E, H, 16, activation=nn.GELU(), dtype=np.float64)
    _load_torch_state(ours, theirs)
    tgt_pair, memory_pair = _pair(RNG.normal(size=(T, E))), _pair(RNG.normal(size=(S, E)))
    causal = ~np.tri(T, dtype=bool)
    padding = np.array([False, True, False, False, True])
    got = ours(tgt_pair[0], memory_pair[0], tgt_mask=causal, memory_key_padding_mask=padding, tgt_is_causal=True)
    expected = theirs(
        tgt_pair[1],
        memory_pair[1],
        tgt_mask=torch.tensor(causal),
        memory_key_padding_mask=torch.tensor(padding),
        tgt_is_causal=True,
    )
    _compare(ours, theirs, got, expected, [tgt_pair[0], memory_pair[0]], [tgt_pair[1], memory_pair[1]])


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_with_final_norm_matches_torch(norm_first):
    theirs = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(E, H, 16, norm_first=norm_first, dtype=torch.float64),
        2,
        norm=torch.nn.LayerNorm(E, dtype=torch.float64),
    )
    ours = nn.TransformerDecoder(
        nn.TransformerDecoderLayer(E, H, 16, norm_first=norm_first, dtype=np.float64),
        2,
        norm=nn.LayerNorm(E, dtype=np.float64),
    )
    _load_torch_state(ours, theirs)  # the two layers now differ, so a swapped name would show
    tgt_pair, memory_pair = _pair(RNG.normal(size=(T, N, E))), _pair(RNG.normal(size=(S, N, E)))
    call = _masks("bool")
    got = ours(tgt_pair[0], memory_pair[0], **call)
    expected = theirs(tgt_pair[1], memory_pair[1], **_torch_call(call))
    _compare(ours, theirs, got, expected, [tgt_pair[0], memory_pair[0]], [tgt_pair[1], memory_pair[1]])


@pytest.mark.filterwarnings("ignore:Support for mismatched .*mask:UserWarning")  # torch's, on a bool and a float mask
@pytest.mark.parametrize(
    "options", [{}, {"batch_first": True, "norm_first": True, "activation": "gelu"}, {"bias": False}], ids=str
)
def test_transformer_matches_torch(options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor notice
        theirs = torch.nn.Transformer(E, H, 2, 2, 16, dtype=torch.float64, **options)
    ours = nn.Transformer(E, H, 2, 2, 16, dtype=np.float64, **options)
    _load_torch_state(ours, theirs)
    batch_first = options.get("batch_first", False)
    src_pair = _pair(RNG.normal(size=(N, S, E) if batch_first else (S, N, E)))
    tgt_pair = _pair(RNG.normal(size=(N, T, E) if batch_first else (T, N, E)))
    src_padding = RNG.random((N, S)) > 0.7
    src_padding[:, 0] = False
    call = {**_masks("bool"), "src_mask": RNG.normal(size=(S, S)), "src_key_padding_mask": src_padding}
    call["tgt_mask"] = nn.Transformer.generate_square_subsequent_mask(T, dtype=np.float64).data
    got = ours(src_pair[0], tgt_pair[0], **call)
    expected = theirs(src_pair[1], tgt_pair[1], **_torch_call(call))
    _compare(ours, theirs, got, expected, [src_pair[0], tgt_pair[0]], [src_pair[1], tgt_pair[1]])


def test_generate_square_subsequent_mask_matches_torch():
    for size in (0, 1, 4):
        np.testing.assert_array_equal(
            nn.Transformer.generate_square_subsequent_mask(size).data,
            torch.nn.Transformer.generate_square_subsequent_mask(size).numpy(),
        )


def test_signatures_follow_torch():
    def names(function):
        return [p.name for p in inspect.signature(function).parameters.values()]

    pairs = [
        (nn.TransformerDecoderLayer.__init__, torch.nn.TransformerDecoderLayer.__init__, {"device"}),
        (nn.TransformerDecoderLayer.forward, torch.nn.TransformerDecoderLayer.forward, set()),
        (nn.TransformerDecoder.__init__, torch.nn.TransformerDecoder.__init__, set()),
        (nn.TransformerDecoder.forward, torch.nn.TransformerDecoder.forward, set()),
        (nn.Transformer.__init__, torch.nn.Transformer.__init__, {"device"}),
        (nn.Transformer.forward, torch.nn.Transformer.forward, set()),
        (nn.EmbeddingBag.__init__, torch.nn.EmbeddingBag.__init__, {"device"}),
        (nn.EmbeddingBag.forward, torch.nn.EmbeddingBag.forward, set()),
        (nn.EmbeddingBag.from_pretrained, torch.nn.EmbeddingBag.from_pretrained, set()),
        (F.embedding_bag, torch.nn.functional.embedding_bag, set()),
        (F.upsample, torch.nn.functional.upsample, set()),
        (F.upsample_nearest, torch.nn.functional.upsample_nearest, set()),
        (F.upsample_bilinear, torch.nn.functional.upsample_bilinear, set()),
    ]
    for ours, theirs, left_out in pairs:
        theirs_names = [name for name in names(theirs) if name not in left_out]
        assert names(ours)[: len(theirs_names)] == theirs_names, ours
        ours_defaults = {p.name: p.default for p in inspect.signature(ours).parameters.values()}
        for p in inspect.signature(theirs).parameters.values():
            if p.name not in left_out | {"dtype", "activation", "self"}:
                assert ours_defaults[p.name] == p.default, (ours, p.name)


# -- embedding_bag ---------------------------------------------------------------------------------------------

FLAT = np.array([1, 2, 4, 4, 3, 0, 2, 5, 5])
OFFSETS = np.array([0, 2, 2, 5])


def _bag_pair(options, psw=None):
    """Our and torch's embedding_bag on one weight, values and weight (and per-sample-weight) gradients."""
    weight = RNG.normal(size=(6, 3))
    ours_w, theirs_w = _pair(weight)
    ours_extra, theirs_extra = {}, {}
    if psw is not None:
        ours_psw, theirs_psw = _pair(psw)
        ours_extra, theirs_extra = {"per_sample_weights": ours_psw}, {"per_sample_weights": theirs_psw}
    got = F.embedding_bag(weight=ours_w, **options, **ours_extra)
    expected = torch.nn.functional.embedding_bag(weight=theirs_w, **_torch_call(options), **theirs_extra)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TIGHT)
    seed = RNG.normal(size=got.shape)
    (got * seed).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(ours_w.grad, theirs_w.grad.numpy(), **TIGHT)
    if psw is not None:
        np.testing.assert_allclose(ours_extra["per_sample_weights"].grad, theirs_psw.grad.numpy(), **TIGHT)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 4, -1])
@pytest.mark.parametrize("layout", ["offsets", "last offset", "2-D"])
def test_embedding_bag_matches_torch(mode, padding_idx, layout):
    if layout == "offsets":
        options = {"input": FLAT, "offsets": OFFSETS}
    elif layout == "last offset":
        options = {"input": FLAT, "offsets": np.append(OFFSETS, len(FLAT)), "include_last_offset": True}
    else:
        options = {"input": FLAT.reshape(3, 3)}
    _bag_pair({**options, "mode": mode, "padding_idx": padding_idx})


@pytest.mark.parametrize("layout", ["offsets", "2-D"])
def test_embedding_bag_max_gives_a_tied_gradient_to_the_first_row_like_torch(layout):
    """Rows 0, 1 and 3 tie in column 0, rows 1 and 2 in column 1: torch's max keeps the first row it reads."""
    weight = np.array([[1.0, 0.0], [1.0, 2.0], [0.5, 2.0], [1.0, -1.0], [5.0, 5.0]])
    bags = np.array([[2, 0, 1, 3], [3, 1, 2, 0]])
    options = {"input": bags.reshape(-1), "offsets": np.array([0, 4])} if layout == "offsets" else {"input": bags}
    ours_w, theirs_w = _pair(weight)
    got = F.embedding_bag(weight=ours_w, mode="max", **options)
    expected = torch.nn.functional.embedding_bag(weight=theirs_w, mode="max", **_torch_call(options))
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    seed = np.array([[1.0, 10.0], [100.0, 1000.0]])
    (got * seed).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_array_equal(ours_w.grad, theirs_w.grad.numpy())


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_per_sample_weights_match_torch(padding_idx):
    _bag_pair({"input": FLAT, "offsets": OFFSETS, "mode": "sum", "padding_idx": padding_idx}, RNG.normal(size=9))
    _bag_pair({"input": FLAT.reshape(3, 3), "mode": "sum"}, RNG.normal(size=(3, 3)))


def test_embedding_bag_scale_grad_by_freq_matches_torch_where_torch_is_consistent():
    _bag_pair({"input": FLAT[:5], "offsets": np.array([0, 2]), "mode": "sum", "scale_grad_by_freq": True})
    _bag_pair({"input": FLAT[:6].reshape(2, 3), "mode": "mean", "scale_grad_by_freq": True})


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq_matches_torchs_embedding(mode):
    """torch's CPU embedding_bag miscounts when several indices repeat (on [1, 2, 4, 4, 3, 0, 2, 5, 5] it
    scales row 3 by 1/2 and row 4 by 1, though 4 appears twice); ours divides each row's gradient by its count,
    as torch's F.embedding and torch's documentation do, so the oracle is embedding then a sum per bag."""
    weight = RNG.normal(size=(6, 3))
    ours_w, theirs_w = _pair(weight)
    got = F.embedding_bag(FLAT.reshape(3, 3), ours_w, mode=mode, scale_grad_by_freq=True)
    rows = torch.nn.functional.embedding(torch.tensor(FLAT.reshape(3, 3)), theirs_w, scale_grad_by_freq=True)
    expected = rows.sum(1) if mode == "sum" else rows.mean(1)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TIGHT)
    seed = RNG.normal(size=got.shape)
    (got * seed).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(ours_w.grad, theirs_w.grad.numpy(), **TIGHT)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_max_norm_renormalises_like_torch(mode):
    weight = RNG.normal(size=(6, 3)) * 2
    ours_w, theirs_w = Tensor(weight.copy()), torch.tensor(weight)
    got = F.embedding_bag(FLAT, ours_w, OFFSETS, max_norm=1.5, norm_type=3.0, mode=mode)
    expected = torch.nn.functional.embedding_bag(
        torch.tensor(FLAT), theirs_w, torch.tensor(OFFSETS), max_norm=1.5, norm_type=3.0, mode=mode
    )
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-7)
    np.testing.assert_allclose(ours_w.data, theirs_w.numpy(), rtol=1e-7)  # the rows read, rescaled in place


def test_embedding_bag_module_matches_torch():
    theirs = torch.nn.EmbeddingBag(6, 3, mode="sum", padding_idx=0, dtype=torch.float64)
    ours = nn.EmbeddingBag(6, 3, mode="sum", padding_idx=0, dtype=np.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    psw = RNG.normal(size=9)
    got = ours(FLAT, OFFSETS, psw)
    expected = theirs(torch.tensor(FLAT), torch.tensor(OFFSETS), torch.tensor(psw))
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TIGHT)
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), **TIGHT)
    table = RNG.normal(size=(6, 3))
    ours_pre = nn.EmbeddingBag.from_pretrained(table, mode="max")
    theirs_pre = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(table), mode="max")
    assert ours_pre.weight.requires_grad == theirs_pre.weight.requires_grad
    np.testing.assert_allclose(
        ours_pre(FLAT, OFFSETS).data, theirs_pre(torch.tensor(FLAT), torch.tensor(OFFSETS)).numpy(), **TIGHT
    )


# -- deprecated names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("upsample", {"scale_factor": 2, "mode": "bilinear", "align_corners": False}),
        ("upsample", {"size": 7, "mode": "linear"}),
        ("upsample_nearest", {"size": (5, 7)}),
        ("upsample_bilinear", {"size": (5, 7)}),
        ("upsample_bilinear", {"scale_factor": 2}),
    ],
)
def test_deprecated_upsample_names_match_torch(name, options):
    ndim = 3 if options.get("mode") == "linear" else 4
    array = RNG.normal(size=(2, 2, 3, 4)[:ndim])
    ours_x, theirs_x = _pair(array)
    with pytest.warns(UserWarning) as ours_record:
        got = getattr(F, name)(ours_x, **options)
    with pytest.warns(UserWarning) as theirs_record:
        expected = getattr(torch.nn.functional, name)(theirs_x, **options)
    assert str(ours_record[0].message) == str(theirs_record[0].message)
    assert ours_record[0].filename == __file__  # the warning points at the caller, as torch's
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TIGHT)
    seed = RNG.normal(size=got.shape)
    (got * seed).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), **TIGHT)


def test_nll_loss_2d_matches_torch():
    log_probs = np.log(RNG.dirichlet(np.ones(3), size=(2, 4, 5)).transpose(0, 3, 1, 2))
    target = RNG.integers(0, 3, size=(2, 4, 5))
    weight = RNG.random(3) + 0.5
    with pytest.warns(FutureWarning) as ours_record:
        ours = nn.NLLLoss2d(weight, ignore_index=1)
    with pytest.warns(FutureWarning) as theirs_record:
        theirs = torch.nn.NLLLoss2d(torch.tensor(weight), ignore_index=1)
    assert str(ours_record[0].message) == str(theirs_record[0].message)
    got, expected = ours(log_probs, target), theirs(torch.tensor(log_probs), torch.tensor(target))
    np.testing.assert_allclose(got.data, expected.numpy(), **TIGHT)


@pytest.mark.parametrize("offsets", [[2], [1, 2], [1, 1, 2]])
def test_embedding_bag_include_last_offset_refuses_a_first_offset_other_than_0_as_torch(offsets):
    # with offsets [2] the input's entries are in no bag: ours returned an empty (0, dim) result
    indices, weight = np.array([0, 1]), RNG.normal(size=(3, 2))
    with pytest.raises(RuntimeError, match="offsets\\[0\\] has to be 0"):
        torch.nn.functional.embedding_bag(
            torch.tensor(indices), torch.tensor(weight), torch.tensor(offsets), include_last_offset=True
        )
    with pytest.raises(ValueError, match="offsets\\[0\\] must be 0"):
        F.embedding_bag(indices, Tensor(weight), np.array(offsets), include_last_offset=True)


@pytest.mark.parametrize(
    "offsets, include_last_offset, message",
    [
        ([1], False, "offsets\\[0\\] must be 0"),
        ([0, 5], False, "at most the input's length 3"),
        ([0, 4], True, "the last offset must be at most the input's length 3"),
        ([], True, "there must be an offset"),
    ],
)
def test_embedding_bag_offsets_torch_refuses_are_its_runtime_error(offsets, include_last_offset, message):
    # `except RuntimeError`, written for torch, must catch ours (a ValueError too)
    indices, weight, offsets = np.array([0, 1, 2]), RNG.normal(size=(3, 2)), np.array(offsets, dtype=np.int64)
    with pytest.raises(RuntimeError):
        torch.nn.functional.embedding_bag(
            torch.tensor(indices), torch.tensor(weight), torch.tensor(offsets), include_last_offset=include_last_offset
        )
    for error in (RuntimeError, ValueError):
        with pytest.raises(error, match=message):
            F.embedding_bag(indices, Tensor(weight), offsets, include_last_offset=include_last_offset)


@pytest.mark.parametrize("layer", ["Embedding", "EmbeddingBag"])
@pytest.mark.parametrize("sizes", [(0, 3), (3, 0), (0, 0)])
def test_embedding_tables_of_size_zero_are_built_as_torch_builds_them(layer, sizes):
    ours, theirs = getattr(nn, layer)(*sizes), getattr(torch.nn, layer)(*sizes)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("layer", ["Embedding", "EmbeddingBag"])
@pytest.mark.parametrize("sizes", [(-1, 3), (3, -2)])
def test_a_negative_embedding_table_size_is_torchs_runtime_error(layer, sizes):
    with pytest.raises(RuntimeError):
        getattr(torch.nn, layer)(*sizes)
    with pytest.raises(RuntimeError, match=f"{layer}: (num_embeddings|embedding_dim) must be an integer >= 0"):
        getattr(nn, layer)(*sizes)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("offsets", [[0, 2, 5], [0, 2, 2], [0, 2, -1], [0, 3, 4, 2], [0, 6], [0, 1, 1, 3]])
def test_embedding_bag_include_last_offset_runs_the_last_bag_to_the_end_as_torch(mode, offsets):
    """torch (float64, and max in any dtype) reads only that the last offset is at most the input's length: the
    last bag runs to the end of the input whatever it says. (torch's float32 sum and mean take another kernel,
    which stops the last bag at the last offset, or refuses an offset below the one before.)"""
    _bag_pair(
        {"input": np.array([3, 3, 1, 4, 5, 2]), "offsets": np.array(offsets), "include_last_offset": True, "mode": mode}
    )


def test_embedding_bag_include_last_offset_past_the_input_is_an_error_as_in_torch():
    offsets = np.array([0, 2, 10])
    with pytest.raises(RuntimeError, match="offsets"):
        torch.nn.functional.embedding_bag(
            torch.tensor(FLAT), torch.ones((6, 3)), torch.tensor(offsets), include_last_offset=True
        )
    with pytest.raises(ValueError, match="the last offset must be at most the input.s length 9, got offsets"):
        F.embedding_bag(FLAT, np.ones((6, 3)), offsets, include_last_offset=True)
