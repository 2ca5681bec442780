"""torch's functional utilities in nn.functional: one_hot, pad (torch's pad-tuple order, every mode, cropping),
dropout/dropout1d/dropout2d, linear, normalize, cosine_similarity, pairwise_distance, embedding; and the
Embedding, Dropout1d and Dropout2d layers. Values and gradients against torch and finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 3, 5))


def _torch_pair(torch, array):
    return Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)


def _same_values_and_gradients(torch, ours, theirs, our_inputs, their_inputs, rtol=1e-12, atol=1e-14):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=atol)
    seed = np.random.default_rng(1).normal(size=ours.shape)
    ours.backward(seed)
    theirs.backward(torch.from_numpy(seed))
    for mine, reference in zip(our_inputs, their_inputs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=rtol, atol=atol)


# -- one_hot --------------------------------------------------------------------------------------------------
def test_one_hot_is_torchs_int64_tensor():
    torch = pytest.importorskip("torch")
    labels = np.array([[0, 3], [2, 1]])
    for classes in (-1, 6):
        ours = F.one_hot(labels, num_classes=classes)
        theirs = torch.nn.functional.one_hot(torch.tensor(labels), num_classes=classes)
        assert isinstance(ours, Tensor) and ours.dtype == np.int64
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert F.one_hot(Tensor(np.array([1, 0])), 2).float().dtype == np.float32


def test_one_hot_rejects_indices_out_of_range():
    with pytest.raises(ValueError, match=r"one_hot: indices must be in \[0, 2\]"):
        F.one_hot(np.array([0, 3]), num_classes=3)


# -- pad ------------------------------------------------------------------------------------------------------
PADS = [
    ((1, 2), "constant", None),
    ((1, 2), "constant", 3.5),
    ((0, 1, 2, 0), "constant", -1.0),
    ((1, 0, 0, 2, 1, 1), "constant", None),
    ((-1, 2), "constant", None),
    ((2, -1, -1, 1), "constant", 0.5),
    ((2, 1), "reflect", None),
    ((1, 2, 2, 1), "reflect", None),
    ((3, 1), "replicate", None),
    ((1, 2, 3, 0), "replicate", None),
    ((2, 3), "circular", None),
    ((1, 1, 2, 1), "circular", None),
]


@pytest.mark.parametrize(("widths", "mode", "value"), PADS, ids=[f"{m}{w}" for w, m, _ in PADS])
def test_pad_takes_torchs_widths_from_the_last_axis_back_in_every_mode(widths, mode, value):
    torch = pytest.importorskip("torch")
    x, reference = _torch_pair(torch, X)
    options = {} if value is None else {"value": value}
    ours = F.pad(x, widths, mode=mode, **options)
    theirs = torch.nn.functional.pad(reference, widths, mode=mode, **options)
    _same_values_and_gradients(torch, ours, theirs, [x], [reference])


def test_pad_gradient_matches_finite_differences():
    assert gradcheck(lambda x: F.pad(x, (2, 1, 1, 2), mode="reflect"), (X[:1],))
    assert gradcheck(lambda x: F.pad(x, (-1, 2), value=0.5), (X[0],))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.pad(X, (1,)), ValueError, "even number of widths"),
        (lambda: F.pad(X, (1, 1) * 4), ValueError, "at most all 3 axes"),
        (lambda: F.pad(X, (1.5, 1)), TypeError, "pad must be a tuple of ints"),
        (lambda: F.pad(X, (1, 1), mode="wrap"), ValueError, "pad: mode must be"),
        (lambda: F.pad(X, (1, 1), mode="reflect", value=2.0), ValueError, "takes no value"),
        (lambda: F.pad(X, (5, 0), mode="reflect"), ValueError, "smaller than the input's size 5"),
        (lambda: F.pad(X, (-4, -2)), ValueError, "crops more than the input"),
        (
            lambda: F.pad(X[0], (1, 1, 1, 1), mode="reflect"),
            ValueError,
            r"needs an input of 3 or 4 axes, got shape \(3, 5\)",
        ),
        (lambda: F.pad(X[None, None], (1, 1), mode="circular"), ValueError, "needs an input of 2 or 3 axes"),
        (lambda: F.pad(X[None, None, None], (1,) * 8, mode="replicate"), ValueError, "pads 1 to 3 trailing axes"),
    ],
)
def test_pad_rejects_bad_widths_and_modes_naming_pad(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(("shape", "widths"), [((4, 5), (1, 1, 1, 1)), ((1, 1, 1, 4, 5), (1, 1, 1, 1)), ((5,), (1, 1))])
def test_pad_of_an_input_rank_a_mode_has_no_kernel_for_is_torchs_not_implemented_error(mode, shape, widths):
    # `except NotImplementedError` (and so `except RuntimeError`), written for torch, must catch ours
    torch = pytest.importorskip("torch")
    with pytest.raises(NotImplementedError):
        torch.nn.functional.pad(torch.zeros(shape), widths, mode=mode)
    for error in (NotImplementedError, ValueError):
        with pytest.raises(error, match=f"pad: mode '{mode}' pads 1 to 3 trailing axes"):
            F.pad(Tensor(np.zeros(shape)), widths, mode=mode)
    layer = {"reflect": nn.ReflectionPad2d, "replicate": nn.ReplicationPad2d, "circular": nn.CircularPad2d}[mode]
    if len(widths) == 4:
        with pytest.raises(NotImplementedError):
            layer(1)(Tensor(np.zeros(shape)))


# -- dropout --------------------------------------------------------------------------------------------------
def test_dropout_keeps_entries_with_probability_1_minus_p_and_scales_them():
    x = np.ones((200, 50))
    out = F.dropout(x, p=0.3, rng=0).data
    assert set(np.unique(out)) <= {0.0, 1 / 0.7}
    assert abs((out == 0).mean() - 0.3) < 0.02
    np.testing.assert_array_equal(F.dropout(x, 0.3, training=False).data, x)
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, np.zeros_like(x))
    np.testing.assert_array_equal(F.dropout(x, 0.3, True, False, rng=5).data, F.dropout(x, 0.3, rng=5).data)


@pytest.mark.parametrize(
    ("function", "shape", "mask_axes"), [("dropout1d", (4, 6, 7), 1), ("dropout2d", (4, 6, 3, 3), 2)]
)
def test_channel_dropout_zeroes_whole_channels(function, shape, mask_axes):
    x = Tensor(np.ones(shape), requires_grad=True)
    out = getattr(F, function)(x, p=0.5, rng=1)
    per_channel = out.data.reshape(shape[: len(shape) - mask_axes] + (-1,))
    assert np.all(per_channel.min(axis=-1) == per_channel.max(axis=-1))  # a channel is all kept or all zero
    assert set(np.unique(out.data)) == {0.0, 2.0}
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)
    if function == "dropout1d":  # torch's dropout2d reads a 3-D input as (N, C, L), not as one (C, H, W) sample
        unbatched = F.dropout1d(np.ones(shape[1:]), p=0.5, rng=1).data
        assert np.all(unbatched.min(axis=-1) == unbatched.max(axis=-1))


def test_dropout2d_reads_a_3d_input_as_channels_of_one_axis_with_torchs_warning():
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input.*a 3-D input is read as"):
        out = F.dropout2d(np.ones((3, 4, 5)), 0.5, rng=0).data
    assert np.all(out.min(axis=-1) == out.max(axis=-1))
    with pytest.warns(UserWarning, match="Dropout2d: Received a 3D input.*a 3-D input is read as"):
        nn.Dropout2d(0.5, rng=0)(np.ones((3, 4, 5)))


def test_dropout_layers_show_torchs_inplace_flag_and_drop_channels():
    torch = pytest.importorskip("torch")
    assert repr(nn.Dropout(0.2, inplace=True)) == "Dropout(p=0.2, inplace=True)"
    assert repr(nn.Dropout1d(0.1)) == repr(torch.nn.Dropout1d(0.1)) == "Dropout1d(p=0.1, inplace=False)"
    layer = nn.Dropout1d(0.5, rng=3)
    out = layer(np.ones((2, 8, 5))).data
    assert np.all(out.min(axis=-1) == out.max(axis=-1))
    np.testing.assert_array_equal(layer.eval()(np.ones((2, 8, 5))).data, np.ones((2, 8, 5)))
    with pytest.raises(ValueError, match=r"Dropout1d: Expected 2D or 3D input, but received a 1D input"):
        nn.Dropout1d()(np.ones(5))


@pytest.mark.parametrize("layer", [nn.Dropout1d(0.5).eval(), nn.Dropout1d(0.0), nn.Dropout1d(0.5)])
def test_dropout1d_refuses_another_rank_in_every_mode_as_torch(layer):
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 4, 5\)"):
        layer(np.ones((2, 3, 4, 5)))


@pytest.mark.parametrize("shape", [(2,), (1, 2, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_dropout1d_of_another_rank_is_torchs_runtime_error(shape, training):
    torch = pytest.importorskip("torch")
    message = f"Expected 2D or 3D input, but received a {len(shape)}D input"
    with pytest.raises(RuntimeError, match=message):
        torch.nn.functional.dropout1d(torch.ones(shape), 0.5, training)
    with pytest.raises(RuntimeError, match=message):
        torch.nn.Dropout1d(0.5).train(training)(torch.ones(shape))
    with pytest.raises(RuntimeError, match=message):
        F.dropout1d(np.ones(shape), 0.5, training)
    with pytest.raises(RuntimeError, match=message):
        nn.Dropout1d(0.5).train(training)(np.ones(shape))


def _mask_groups(out: np.ndarray, mask_shape: tuple[int, ...]) -> np.ndarray:
    """``out`` (a dropout of ones) as one row per entry of a keep-mask of ``mask_shape``, its entries in columns."""
    moved = np.moveaxis(
        out, [axis for axis, size in enumerate(mask_shape) if size == 1], range(-mask_shape.count(1), 0)
    )
    return moved.reshape(int(np.prod([size for size in mask_shape if size != 1])), -1)


@pytest.mark.parametrize(
    ("function", "shape", "mask_shape"),
    [
        ("dropout2d", (40, 30), (40, 30)),  # torch's feature dropout: axes (N, C), no spatial ones
        ("dropout2d", (6, 7, 2, 2, 2), (6, 7, 1, 1, 1)),
        ("dropout3d", (40, 2, 3), (40, 1, 1)),  # one unbatched sample (C, ...)
        ("dropout3d", (40, 2, 1, 2, 1, 2), (40, 1, 1, 1, 1, 1)),
        ("dropout3d", (50,), (50,)),
    ],
)
@pytest.mark.parametrize("layer", [False, True])
def test_channel_dropout_of_a_deprecated_rank_warns_and_reads_it_as_torch(function, shape, mask_shape, layer):
    torch = pytest.importorskip("torch")
    message = f"Received a {len(shape)}-D input to {function}, which is deprecated"
    theirs = getattr(torch.nn.functional, function)
    ours = getattr(F, function)
    if layer:
        name = "Dropout" + function[len("dropout") :]
        theirs, ours = getattr(torch.nn, name)(0.5), getattr(nn, name)(0.5, rng=0)
        call_theirs, call_ours = theirs, ours
    else:
        call_theirs, call_ours = (lambda x: theirs(x, 0.5)), (lambda x: ours(x, 0.5, rng=0))
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match=message):
        their_out = call_theirs(torch.ones(shape)).numpy()
    with pytest.warns(UserWarning, match=message):
        our_out = call_ours(np.ones(shape)).data
    for out in (their_out, our_out):
        groups = _mask_groups(out, mask_shape)
        assert np.all(groups.min(axis=1) == groups.max(axis=1))  # one draw per mask entry
        assert set(np.unique(groups[:, 0])) == {0.0, 2.0}  # and the draws differ between mask entries
    if layer:  # torch's layers warn in eval mode too, and give the input back
        with pytest.warns(UserWarning, match=message):
            np.testing.assert_array_equal(ours.eval()(np.ones(shape)).data, np.ones(shape))


def test_dropout2d_of_a_1d_input_is_an_error_only_while_training_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="Received a 1-D input to dropout2d"):
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            torch.nn.functional.dropout2d(torch.ones(3), 0.5)
    with pytest.warns(UserWarning, match="Received a 1-D input to dropout2d"):
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            F.dropout2d(np.ones(3), 0.5)
    with pytest.warns(UserWarning, match="Received a 1-D input to dropout2d"):
        np.testing.assert_array_equal(nn.Dropout2d(0.5).eval()(np.ones(3)).data, np.ones(3))


# -- linear, normalize, cosine_similarity, pairwise_distance --------------------------------------------------
def test_linear_matches_torch():
    torch = pytest.importorskip("torch")
    x, tx = _torch_pair(torch, X)
    w, tw = _torch_pair(torch, RNG.normal(size=(4, 5)))
    b, tb = _torch_pair(torch, RNG.normal(size=4))
    ours, theirs = F.linear(x, w, b), torch.nn.functional.linear(tx, tw, tb)
    _same_values_and_gradients(torch, ours, theirs, [x, w, b], [tx, tw, tb])


@pytest.mark.parametrize(("p", "dim"), [(2.0, 1), (1.0, -1), (3.0, 0), (float("inf"), 2), (0.0, 1)])
def test_normalize_matches_torch(p, dim):
    torch = pytest.importorskip("torch")
    data = X.copy()
    data[0, :, 1] = 0.0  # a zero vector along dim 1: divided by eps
    x, tx = _torch_pair(torch, data)
    ours, theirs = F.normalize(x, p=p, dim=dim), torch.nn.functional.normalize(tx, p=p, dim=dim)
    _same_values_and_gradients(torch, ours, theirs, [x], [tx], rtol=1e-10)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cosine_similarity_matches_torch_with_broadcasting_and_tiny_vectors(dim):
    torch = pytest.importorskip("torch")
    first = X.copy()
    first[1, 0, 0] = first[1, 1, 0] = first[1, 2, 0] = 1e-12  # shorter than eps along dim 1
    x1, t1 = _torch_pair(torch, first)
    x2, t2 = _torch_pair(torch, RNG.normal(size=(3, 5)))
    ours = F.cosine_similarity(x1, x2, dim=dim)
    theirs = torch.nn.functional.cosine_similarity(t1, t2, dim=dim)
    _same_values_and_gradients(torch, ours, theirs, [x1, x2], [t1, t2], rtol=1e-9, atol=1e-12)


def test_cosine_similarity_gradient_matches_finite_differences():
    assert gradcheck(lambda a, b: F.cosine_similarity(a, b, dim=1), (X[0], X[1]))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, -1.0, -2.5, -np.inf, np.inf])  # any real order, as torch's
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_matches_torch(p, keepdim):
    torch = pytest.importorskip("torch")
    x1, t1 = _torch_pair(torch, X)
    x2, t2 = _torch_pair(torch, RNG.normal(size=(3, 5)))
    ours = F.pairwise_distance(x1, x2, p=p, keepdim=keepdim)
    theirs = torch.nn.functional.pairwise_distance(t1, t2, p=p, keepdim=keepdim)
    _same_values_and_gradients(torch, ours, theirs, [x1, x2], [t1, t2], rtol=1e-10)


def test_pairwise_distance_of_order_0_counts_differing_entries_with_no_gradient_as_torch():
    torch = pytest.importorskip("torch")
    first, second = X[0].copy(), X[0].copy()
    second[:, :2] += 1.0  # two entries of each row differ (all but eps's shift of the others)
    x1 = Tensor(first, requires_grad=True)
    ours = F.pairwise_distance(x1, second, p=0.0, eps=0.0)
    theirs = torch.nn.functional.pairwise_distance(torch.tensor(first), torch.tensor(second), p=0.0, eps=0.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(ours.data, 2.0)
    ours.sum().backward()
    np.testing.assert_array_equal(x1.grad, 0.0)


@pytest.mark.parametrize("p", [-1.0, -3.0])
def test_normalize_of_negative_order_matches_torch(p):
    torch = pytest.importorskip("torch")
    x, t = _torch_pair(torch, X[0])
    ours = F.normalize(x, p=p, dim=1)
    theirs = torch.nn.functional.normalize(t, p=p, dim=1)
    _same_values_and_gradients(torch, ours, theirs, [x], [t], rtol=1e-10)


@pytest.mark.parametrize(("first", "second"), [(1.5, -2.0), (1.5, [3.0, -1.0])])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_reads_a_0d_input_as_a_one_entry_vector_as_torch(first, second, keepdim):
    torch = pytest.importorskip("torch")
    x1, t1 = _torch_pair(torch, np.array(first))
    x2, t2 = _torch_pair(torch, np.array(second))
    ours = F.pairwise_distance(x1, x2, keepdim=keepdim)
    theirs = torch.nn.functional.pairwise_distance(t1, t2, keepdim=keepdim)
    assert ours.shape == tuple(theirs.shape)
    _same_values_and_gradients(torch, ours, theirs, [x1, x2], [t1, t2])


def test_distances_of_shapes_that_do_not_broadcast_raise_torchs_runtime_error():
    for call in (F.pairwise_distance, F.cosine_similarity):
        with pytest.raises(RuntimeError, match="do not broadcast"):
            call(np.ones((2, 3)), np.ones((4, 3)))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: F.cosine_similarity(np.ones((2, 3)), np.ones((4, 3))),
            r"shapes \(2, 3\) and \(4, 3\) do not broadcast",
        ),
        (lambda: F.normalize(np.ones(3), p=float("nan")), "normalize: p must not be nan"),
        (lambda: F.pairwise_distance(np.ones(3), np.ones(3), p=float("nan")), "pairwise_distance: p must not be nan"),
        (lambda: F.normalize(np.ones((2, 3)), dim=2), "normalize: dim must be in"),
    ],
)
def test_distances_reject_bad_arguments_naming_the_function(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- embedding ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"padding_idx": 2},
        {"padding_idx": -1},
        {"scale_grad_by_freq": True},
        {"padding_idx": 0, "scale_grad_by_freq": True},
    ],
    ids=str,
)
def test_embedding_rows_and_their_gradients_match_torch(options):
    torch = pytest.importorskip("torch")
    indices = np.array([[0, 2, 4], [2, 2, 1]])
    w, tw = _torch_pair(torch, RNG.normal(size=(5, 3)))
    ours = F.embedding(indices, w, **options)
    theirs = torch.nn.functional.embedding(torch.tensor(indices), tw, **options)
    _same_values_and_gradients(torch, ours, theirs, [w], [tw])


def test_embedding_max_norm_renormalizes_the_rows_it_reads_in_place_as_torch():
    torch = pytest.importorskip("torch")
    table = RNG.normal(size=(6, 4)) * 2
    indices = np.array([1, 3, 3, 5])
    w, tw = _torch_pair(torch, table)
    ours = F.embedding(indices, w, max_norm=1.5, norm_type=1.0)
    theirs = torch.nn.functional.embedding(torch.tensor(indices), tw, max_norm=1.5, norm_type=1.0)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-12)  # rows 1, 3, 5 shrunk, others kept
    np.testing.assert_array_equal(w.data[[0, 2, 4]], table[[0, 2, 4]])
    _same_values_and_gradients(torch, ours, theirs, [w], [tw])


def test_embedding_layer_matches_torch_with_the_same_table_and_rejects_bad_indices():
    torch = pytest.importorskip("torch")
    layer = nn.Embedding(7, 3, padding_idx=1, dtype=np.float64, rng=0)
    assert layer.weight.shape == (7, 3) and np.all(layer.weight.data[1] == 0)
    reference = torch.nn.Embedding(7, 3, padding_idx=1, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.data))
    indices = np.array([[1, 4], [6, 4]])
    ours, theirs = layer(indices), reference(torch.tensor(indices))
    _same_values_and_gradients(torch, ours, theirs, [layer.weight], [reference.weight])
    assert repr(layer) == repr(reference) == "Embedding(7, 3, padding_idx=1)"
    with pytest.raises(IndexError, match=r"embedding: indices must be in \[0, 6\]"):
        layer(np.array([7]))
    with pytest.raises(TypeError, match="embedding: indices must be integers"):
        layer(np.array([1.0]))


def test_embedding_from_pretrained_is_frozen_unless_asked_and_copies_the_table():
    table = RNG.normal(size=(4, 2))
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad and frozen.weight.dtype == np.float64
    np.testing.assert_array_equal(frozen(np.array([3])).data, table[[3]])
    table[3] = 0.0
    assert frozen.weight.data[3].any()
    trainable = nn.Embedding.from_pretrained(RNG.normal(size=(4, 2)), freeze=False, padding_idx=0)
    trainable(np.array([0, 1])).sum().backward()
    np.testing.assert_array_equal(trainable.weight.grad[0], [0.0, 0.0])
    np.testing.assert_array_equal(trainable.weight.grad[1], [1.0, 1.0])


def test_embedding_and_dropout_layers_round_trip_through_checkpoints(tmp_path):
    model = nn.Sequential(nn.Embedding(9, 4, padding_idx=0, rng=1), nn.Dropout1d(0.2), nn.Flatten(), nn.Dropout(0.1))
    rebuilt = nn.load(nn.save(model, tmp_path / "m.npz"))
    assert repr(rebuilt) == repr(model)
    model.eval(), rebuilt.eval()
    indices = np.array([[1, 0, 8]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(rebuilt(indices).data, model(indices).data)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("widths", [(3, -3), (-2, 3), (-1, -1), (3, -3, 0, -3), (-1, 2, 2, -1)])
def test_pad_negative_widths_crop_as_torch_in_every_mode(mode, widths):
    torch = pytest.importorskip("torch")
    data = RNG.normal(size=(2, 3, 5, 6)[: 2 + len(widths) // 2])  # (N, C, spatial...) as the mode needs
    if mode == "circular" and widths == (3, -3):
        # circular crops first, leaving 2 entries to wrap 3 around: an error here (torch reads uninitialized memory)
        with pytest.raises(ValueError, match="padding_mode='circular' needs each padding at most the input's size 2"):
            F.pad(Tensor(data), widths, mode=mode)
        return
    expected = torch.nn.functional.pad(torch.tensor(data), widths, mode=mode).numpy()
    np.testing.assert_array_equal(F.pad(Tensor(data), widths, mode=mode).data, expected)
    assert gradcheck(lambda x: F.pad(x, widths, mode=mode), [data[:1, :1]])


@pytest.mark.parametrize(
    ("mode", "widths", "message"),
    [
        ("constant", (1, -6), "crops more than the input"),  # 5 entries: the crop of 6 alone is too much
        ("constant", (-6, 6), "crops more than the input"),
        ("circular", (1, -6), "crops more than the input"),
        ("reflect", (-2, -3), "too small, the padded axis would have 0 entries"),
        ("replicate", (0, -5), "too small, the padded axis would have 0 entries"),
    ],
)
def test_pad_refuses_crops_past_an_axis_as_torch_instead_of_wrapping_the_slice(mode, widths, message):
    # a crop end past the axis's start once wrapped round as a negative slice end and kept entries it removes
    with pytest.raises(ValueError, match=message):
        F.pad(X, widths, mode=mode)


@pytest.mark.parametrize(
    ("mode", "widths"),
    [("constant", (-5, 0)), ("constant", (2, -5)), ("constant", (-1, -1)), ("replicate", (-6, 6)),
     ("reflect", (2, -6)), ("replicate", (-5, 1)), ("circular", (-2, -3))],
)  # fmt: skip
def test_pad_with_crops_that_leave_entries_matches_torch(mode, widths):
    torch = pytest.importorskip("torch")
    ours, theirs = _torch_pair(torch, X)
    out = F.pad(ours, widths, mode=mode)
    expected = torch.nn.functional.pad(theirs, widths, mode=mode)
    assert out.shape == tuple(expected.shape)
    if out.data.size:
        _same_values_and_gradients(torch, out, expected, [ours], [theirs])


def test_embedding_renormalizes_rows_by_their_largest_entry_with_norm_type_inf():
    weight = np.array([[0.2, -0.9, 0.1], [0.3, 0.3, 0.3], [2.0, 1.0, -4.0]])
    layer = nn.Embedding(3, 3, max_norm=0.5, norm_type=float("inf"))
    layer.weight.data[...] = weight
    layer(Tensor(np.array([0, 1, 2])))
    largest = np.abs(weight).max(axis=1, keepdims=True)
    expected = np.where(largest > 0.5, weight * (0.5 / (largest + 1e-7)), weight)  # torch's renorm, eps 1e-7
    np.testing.assert_allclose(layer.weight.data, expected, rtol=1e-6)  # (a float32 layer)


@pytest.mark.parametrize(
    ("call", "torch_class"),
    [
        (lambda: nn.MultiheadAttention(5, 2), AssertionError),
        (lambda: nn.Embedding(3, 2, padding_idx=5), AssertionError),
        (
            lambda: F.embedding_bag(
                Tensor(np.array([[0, 1]])),
                Tensor(np.ones((3, 2))),
                per_sample_weights=Tensor(np.ones((1, 2))),
                mode="mean",
            ),
            NotImplementedError,
        ),
    ],
)
def test_argument_errors_are_also_torchs_exception_classes(call, torch_class):
    with pytest.raises(torch_class):  # a ported pytest.raises(AssertionError) catches it
        call()
    with pytest.raises(ValueError):  # and the library's own ValueError still does
        call()


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    ("shape", "widths"),
    [
        ((1, 1, 5, 5), (0, 0, 0, -5)),
        ((1, 1, 5, 5), (-5, 0, 1, 0)),
        ((1, 1, 5, 5), (0, 0, -2, -3)),
        ((1, 2, 3, 3, 3), (0, 0, -3, 0, 1, 1)),
    ],
)
def test_pad_may_crop_one_of_several_axes_to_nothing_as_torch(mode, shape, widths):
    # tinygrad's test_pad_reflect_mode: torch refuses only when every padded axis is left empty (or one below 0)
    torch = pytest.importorskip("torch")
    data = RNG.normal(size=shape)
    expected = torch.nn.functional.pad(torch.tensor(data), widths, mode=mode)
    out = F.pad(Tensor(data), widths, mode=mode)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.data, expected.numpy())
    if mode != "circular":  # both axes emptied: refused, as torch
        with pytest.raises(ValueError, match=r"too small, the padded axes would have \(0, 0\) entries"):
            F.pad(Tensor(RNG.normal(size=(1, 1, 5, 5))), (0, -5, -5, 0), mode=mode)


@pytest.mark.parametrize(
    "values", [(-4.8, -7.5), (0.0, 2.0), (3.0, 0.0)], ids=["same-sign", "zero-first", "zero-second"]
)
@pytest.mark.parametrize("dim", [0, -1])
def test_cosine_similarity_of_0d_inputs_reads_them_as_one_entry_vectors_as_torch(dim, values):
    torch = pytest.importorskip("torch")
    (a, ta), (b, tb) = (_torch_pair(torch, np.array(v)) for v in values)
    ours, theirs = F.cosine_similarity(a, b, dim=dim), torch.nn.functional.cosine_similarity(ta, tb, dim=dim)
    assert ours.shape == ()
    _same_values_and_gradients(torch, ours, theirs, [a, b], [ta, tb])


@pytest.mark.parametrize(
    ("dtype", "value"),
    [("uint8", 300), ("uint8", -1), ("uint8", -0.5), ("uint8", 255.5), ("uint8", float("nan")), ("int8", 128),
     ("int32", 3e9), ("int64", float("inf")), ("int64", 1e20), ("float16", 70000.0), ("float32", 1e39)],
)  # fmt: skip
def test_pad_value_the_input_dtype_cannot_hold_is_torchs_runtime_error(dtype, value):
    # numpy's pad wrapped 300 into a uint8 44 and -1 into 255, and rounded 1e39 to a float32 inf, silently
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.nn.functional.pad(torch.zeros(2, dtype=getattr(torch, dtype)), (1, 0), value=value)
    with pytest.raises(RuntimeError, match="pad: value="):
        F.pad(Tensor(np.zeros(2, dtype=dtype)), (1, 0), value=value)


@pytest.mark.parametrize(
    ("dtype", "value"),
    [("uint8", 2.7), ("uint8", 255), ("int8", -128), ("int32", -2.7), ("float16", 300.0), ("float32", float("inf")),
     ("bool", 0.5), ("bool", float("nan"))],
)  # fmt: skip
def test_pad_value_the_input_dtype_holds_fills_as_torchs(dtype, value):
    torch = pytest.importorskip("torch")
    expected = torch.nn.functional.pad(torch.zeros(2, dtype=getattr(torch, dtype)), (1, 0), value=value).numpy()
    out = F.pad(Tensor(np.zeros(2, dtype=dtype)), (1, 0), value=value)
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out.data, expected)
