"""A port of PyTorch's ``test/nn/test_embedding.py`` (``TestEmbeddingNN`` and ``TestEmbeddingNNDeviceType``, CPU,
real dtypes) beside torch: ``nn.Embedding`` / ``F.embedding`` and ``nn.EmbeddingBag`` / ``F.embedding_bag``.

Each case runs torch and this library on the same tables and indices and compares the outputs, the gradients of
the weight (and of ``per_sample_weights``), the table after ``max_norm`` renormalises it in place, and which
calls raise.

Left out: sparse gradients (``sparse=True`` is accepted, the gradient stays dense), CUDA / half / bfloat16 and the
large-tensor and forward-AD cases, and the ``_embedding_bag`` internals (``offset2bag``, ``bag_size``).
Differences not asserted: torch's CPU ``embedding_bag`` divides a row's gradient under ``scale_grad_by_freq`` by
the count of another row when counts differ (pytorch/pytorch#190063, fixed upstream after 2.13), so that case is
checked against the counts computed here; the offsets torch does not check (decreasing ones) are refused here; a
(B, 0) input gives B zero bags here where torch fails ("step must be nonzero"); ``per_sample_weights`` of another
float dtype than the weight promotes as numpy does where torch refuses; the offsets errors torch raises as
RuntimeErrors are ValueErrors here (``ArgumentRangeError``); an ``EmbeddingBag`` refuses ``mode='max'`` with
``scale_grad_by_freq`` and an unknown mode when it is built (torch only when it is called).
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

TF = torch.nn.functional
TABLE = np.array([[1, 2, 3], [4, 5, 6]])
WEIGHT = np.random.default_rng(5).standard_normal((6, 3))


def _run_both(ours_call, torch_call, indices, extra=None):
    """``ours_call(indices, weight, extra)`` and torch's, on fresh copies of WEIGHT (and of ``extra``, both needing
    gradients); each side's output, weight afterwards, weight gradient and extra gradient for a random upstream
    gradient."""
    upstream = None
    results = []
    for call, tensor in ((ours_call, Tensor), (torch_call, torch.tensor)):
        weight = tensor(WEIGHT.copy(), requires_grad=True)
        more = None if extra is None else tensor(np.array(extra, dtype=float), requires_grad=True)
        out = call(tensor(np.asarray(indices)), weight, more)
        if upstream is None:
            upstream = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * tensor(upstream)).sum().backward()
        grads = [np.asarray(g if g is None or isinstance(g, np.ndarray) else g.numpy()) for g in (weight.grad,)]
        more_grad = (
            None if more is None else np.asarray(more.grad if isinstance(more.grad, np.ndarray) else more.grad.numpy())
        )
        results.append((np.asarray(out.detach()), np.asarray(weight.detach()), grads[0], more_grad))
    return results


def _assert_same(ours, theirs):
    for mine, reference in zip(ours, theirs):
        if reference is None:
            assert mine is None
        else:
            np.testing.assert_allclose(mine, reference, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32, np.float64])
def test_a_frozen_pretrained_embedding_takes_a_table_of_any_real_dtype_as_torch(dtype):
    ours = nn.Embedding.from_pretrained(Tensor(TABLE.astype(dtype)))
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(TABLE.astype(dtype)))
    got, want = ours(Tensor(np.array([[0, 1]]))), theirs(torch.tensor([[0, 1]]))
    assert got.dtype == np.dtype(dtype) and str(want.dtype) == f"torch.{np.dtype(dtype).name}"
    np.testing.assert_array_equal(got.data, want.numpy())
    assert ours.weight.requires_grad is theirs.weight.requires_grad is False


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_an_integer_table_that_would_need_a_gradient_is_refused_as_torch(dtype):
    table = TABLE.astype(dtype)
    assert raised_type(lambda: nn.Embedding.from_pretrained(Tensor(table), freeze=False)) is not None
    assert raised_type(lambda: torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False)) is RuntimeError
    for make, tensor in ((nn.EmbeddingBag, Tensor), (torch.nn.EmbeddingBag, torch.tensor)):
        with pytest.raises(RuntimeError):  # torch's EmbeddingBag wraps its table in a Parameter needing a gradient
            make.from_pretrained(tensor(table))


def test_max_norm_refuses_an_integer_table_rather_than_zeroing_its_rows_as_torch():
    ours = nn.Embedding.from_pretrained(Tensor(TABLE), max_norm=3.0)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(TABLE), max_norm=3.0)
    assert raised_type(lambda: theirs(torch.tensor([0, 1]))) is RuntimeError
    with pytest.raises(RuntimeError):
        ours(Tensor(np.array([0, 1])))
    np.testing.assert_array_equal(ours.weight.data, TABLE)


@pytest.mark.parametrize("padding_idx", [None, 0, 2, -1, -6])
@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
def test_embedding_values_and_gradients_with_padding_idx_and_frequency_scaling_match_torch(
    padding_idx, scale_grad_by_freq
):
    options = {"padding_idx": padding_idx, "scale_grad_by_freq": scale_grad_by_freq}
    ours, theirs = _run_both(
        lambda i, w, _: F.embedding(i, w, **options),
        lambda i, w, _: TF.embedding(i, w, **options),
        [[0, 2, 2], [5, 0, 0]],
    )
    _assert_same(ours, theirs)
    if padding_idx is not None:
        assert not ours[2][padding_idx].any()  # the padding row gets no gradient


@pytest.mark.parametrize("padding_idx", [0, 5, -1, -6])
def test_a_new_embedding_zeroes_its_padding_row_negative_counted_from_the_end_as_torch(padding_idx):
    ours, theirs = nn.Embedding(6, 3, padding_idx=padding_idx), torch.nn.Embedding(6, 3, padding_idx=padding_idx)
    assert ours.padding_idx == theirs.padding_idx
    assert not ours.weight.data[padding_idx].any() and not theirs.weight[padding_idx].any()
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("padding_idx", [6, -7, 10])
@pytest.mark.parametrize("owner", ["Embedding", "EmbeddingBag"])
def test_a_padding_idx_outside_the_table_is_refused_as_torch(owner, padding_idx):
    assert raised_type(lambda: getattr(torch.nn, owner)(6, 3, padding_idx=padding_idx)) is AssertionError
    assert raised_type(lambda: getattr(nn, owner)(6, 3, padding_idx=padding_idx)) is not None
    function = "embedding" if owner == "Embedding" else "embedding_bag"
    indices = [[0, 1]]
    assert raised_type(
        lambda: getattr(TF, function)(torch.tensor(indices), torch.tensor(WEIGHT), padding_idx=padding_idx)
    )
    assert raised_type(lambda: getattr(F, function)(Tensor(np.array(indices)), Tensor(WEIGHT), padding_idx=padding_idx))


def test_a_pretrained_padding_row_keeps_its_values_and_gets_no_gradient_as_torch():
    table = WEIGHT.copy()
    table[2] = 7.0
    ours = nn.Embedding.from_pretrained(Tensor(table), freeze=False, padding_idx=2)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False, padding_idx=2)
    indices = [[2, 1, 2], [0, 2, 5]]
    ours(Tensor(np.array(indices))).sum().backward()
    theirs(torch.tensor(indices)).sum().backward()
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.weight.grad, theirs.weight.grad.numpy())
    assert (ours.weight.data[2] == 7).all()


@pytest.mark.parametrize("freeze", [True, False])
@pytest.mark.parametrize("owner", ["Embedding", "EmbeddingBag"])
def test_from_pretrained_freezes_the_table_unless_told_not_to_and_reads_it_as_torch(owner, freeze):
    ours = getattr(nn, owner).from_pretrained(Tensor(WEIGHT), freeze=freeze)
    theirs = getattr(torch.nn, owner).from_pretrained(torch.tensor(WEIGHT), freeze=freeze)
    assert ours.weight.requires_grad is theirs.weight.requires_grad is (not freeze)
    assert repr(ours) == repr(theirs)
    indices = [[0, 1], [5, 1]]
    np.testing.assert_allclose(ours(Tensor(np.array(indices))).data, theirs(torch.tensor(indices)).detach().numpy())


@pytest.mark.parametrize(
    ("max_norm", "norm_type"), [(1.0, 2.0), (3.0, 1.0), (1.0, float("inf")), (2.0, 0.5), (0.0, 2.0)]
)
@pytest.mark.parametrize("function", ["embedding", "embedding_bag"])
def test_max_norm_renormalises_the_rows_read_in_place_and_the_gradient_flows_as_torch(function, max_norm, norm_type):
    options = {"max_norm": max_norm, "norm_type": norm_type}
    ours, theirs = _run_both(
        lambda i, w, _: getattr(F, function)(i, w, **options),
        lambda i, w, _: getattr(TF, function)(i, w, **options),
        [[0, 1], [1, 3]],
    )
    _assert_same(ours, theirs)
    read = [0, 1, 3]
    norms = np.linalg.norm(ours[1][read], ord=norm_type, axis=1)
    assert (norms <= max_norm + 1e-6).all()
    np.testing.assert_array_equal(ours[1][[2, 4, 5]], WEIGHT[[2, 4, 5]])  # rows not read stay as they were


def test_max_norm_gives_a_repeated_index_the_same_row_as_torch():
    ours = nn.Embedding(22, 5, max_norm=1.0, rng=0)
    output = ours(Tensor(np.array([2, 8, 8, 6]))).data
    np.testing.assert_array_equal(output[1], output[2])
    assert (np.linalg.norm(output, axis=1) <= 1 + 1e-6).all()


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("function", ["embedding", "embedding_bag"])
def test_int32_and_int64_indices_read_the_same_rows_as_torch(function, dtype):
    indices = np.array([[0, 2], [5, 1]], dtype=dtype)
    got = getattr(F, function)(Tensor(indices), Tensor(WEIGHT))
    want = getattr(TF, function)(torch.tensor(indices), torch.tensor(WEIGHT))
    np.testing.assert_allclose(got.data, want.numpy())


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16])
@pytest.mark.parametrize("function", ["embedding", "embedding_bag"])
def test_index_tensors_of_other_integer_dtypes_are_refused_as_torch(function, dtype):
    indices = np.array([[0, 2]], dtype=dtype)
    assert issubclass(
        raised_type(lambda: getattr(TF, function)(torch.tensor(indices), torch.tensor(WEIGHT))), RuntimeError
    )
    assert raised_type(lambda: getattr(F, function)(Tensor(indices), Tensor(WEIGHT))) is not None


@pytest.mark.parametrize("function", ["embedding", "embedding_bag"])
def test_floating_indices_are_refused_as_torch(function):
    indices = np.array([[0.0, 2.0]])
    assert raised_type(lambda: getattr(TF, function)(torch.tensor(indices), torch.tensor(WEIGHT))) is not None
    assert raised_type(lambda: getattr(F, function)(Tensor(indices), Tensor(WEIGHT))) is not None


@pytest.mark.parametrize("indices", [[6], [-1], [0, 7], [[1, 2], [3, 100]]])
@pytest.mark.parametrize("function", ["embedding", "embedding_bag"])
def test_an_index_outside_the_table_is_refused_as_torch(function, indices):
    offsets = {} if function == "embedding" or np.ndim(indices) == 2 else {"offsets": [0]}
    expected = raised_type(
        lambda: getattr(TF, function)(
            torch.tensor(indices), torch.tensor(WEIGHT), **{k: torch.tensor(v) for k, v in offsets.items()}
        )
    )
    got = raised_type(
        lambda: getattr(F, function)(
            Tensor(np.array(indices)), Tensor(WEIGHT), **{k: Tensor(np.array(v)) for k, v in offsets.items()}
        )
    )
    assert expected is not None and got is not None
    if function == "embedding":
        assert issubclass(got, expected)  # torch's IndexError


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3), ()])
def test_empty_and_scalar_indices_give_torchs_shapes_and_a_zero_gradient(shape):
    indices = np.zeros(shape, dtype=np.int64) + (2 if shape == () else 0)
    ours, theirs = _run_both(lambda i, w, _: F.embedding(i, w), lambda i, w, _: TF.embedding(i, w), indices)
    assert ours[0].shape == theirs[0].shape
    _assert_same(ours, theirs)


@pytest.mark.parametrize("shape", [(), (6,), (6, 3, 1)])
def test_a_weight_that_is_not_2_d_is_refused_as_torch(shape):
    weight = np.ones(shape)
    assert raised_type(lambda: TF.embedding(torch.tensor([0]), torch.tensor(weight))) is RuntimeError
    assert raised_type(lambda: F.embedding(Tensor(np.array([0])), Tensor(weight))) is not None


def test_embedding_gradient_matches_finite_differences_in_float64():
    indices = np.array([[0, 1, 1, 2], [3, 5, 5, 0]])
    upstream = np.random.default_rng(2).standard_normal(indices.shape + (3,))
    weight = Tensor(WEIGHT.copy(), requires_grad=True)
    (F.embedding(Tensor(indices), weight) * Tensor(upstream)).sum().backward()
    numeric = np.zeros_like(WEIGHT)
    step = 1e-6
    for row, column in np.ndindex(WEIGHT.shape):
        shifted = WEIGHT.copy()
        shifted[row, column] += step
        up = (shifted[indices] * upstream).sum()
        shifted[row, column] -= 2 * step
        numeric[row, column] = (up - (shifted[indices] * upstream).sum()) / (2 * step)
    np.testing.assert_allclose(weight.grad, numeric, atol=1e-7)


# -- EmbeddingBag --------------------------------------------------------------------------------------------------
BAG_CASES = [
    ([[0, 2], [2, 5], [0, 0]], None, False),
    ([0, 2, 2, 5, 0, 0], [0, 2, 2, 4], False),
    ([0, 2, 2, 5, 0, 0], [0, 2, 2, 4, 6], True),
    ([0, 2, 2, 5, 0, 0], [0, 3, 4], True),  # the last offset short of the end: the last bag runs to the end
    ([0, 1, 2, 3], [0, 2, 4], False),  # a trailing empty bag
    ([], [0, 0], False),
]


@pytest.mark.parametrize(("indices", "offsets", "include_last_offset"), BAG_CASES)
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_bag_values_and_gradients_match_torch(indices, offsets, include_last_offset, mode, padding_idx):
    def call(functional, tensor):
        return lambda i, w, _: functional.embedding_bag(
            i,
            w,
            None if offsets is None else tensor(np.array(offsets)),
            mode=mode,
            include_last_offset=include_last_offset,
            padding_idx=padding_idx,
        )

    _assert_same(*_run_both(call(F, Tensor), call(TF, torch.tensor), np.array(indices, dtype=np.int64)))


@pytest.mark.parametrize(("indices", "offsets", "include_last_offset"), BAG_CASES[:3])
@pytest.mark.parametrize("padding_idx", [None, 0])
def test_per_sample_weights_scale_each_row_in_sum_mode_with_both_gradients_as_torch(
    indices, offsets, include_last_offset, padding_idx
):
    def call(functional, tensor):
        return lambda i, w, sample_weights: functional.embedding_bag(
            i,
            w,
            None if offsets is None else tensor(np.array(offsets)),
            mode="sum",
            per_sample_weights=sample_weights,
            include_last_offset=include_last_offset,
            padding_idx=padding_idx,
        )

    sample_weights = np.random.default_rng(4).standard_normal(np.shape(indices))
    _assert_same(*_run_both(call(F, Tensor), call(TF, torch.tensor), indices, extra=sample_weights))


@pytest.mark.parametrize(
    ("mode", "sample_weights"), [("mean", [1.0, 2.0, 3.0]), ("max", [1.0, 2.0, 3.0]), ("sum", [1.0, 2.0])]
)
def test_per_sample_weights_outside_sum_mode_or_of_another_shape_are_refused_as_torch(mode, sample_weights):
    def call(functional, tensor):
        return lambda: functional.embedding_bag(
            tensor(np.array([0, 1, 2])),
            tensor(WEIGHT),
            tensor(np.array([0, 1])),
            mode=mode,
            per_sample_weights=tensor(np.array(sample_weights)),
        )

    assert raised_type(call(TF, torch.tensor)) is not None
    assert raised_type(call(F, Tensor)) is not None


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_frequency_scaling_divides_each_rows_gradient_by_its_count(mode):
    # torch 2.13's CPU kernel divides by another row's count here (pytorch/pytorch#190063): counted independently
    indices, offsets = np.array([0, 2, 2, 5, 0, 0]), np.array([0, 2, 2, 4])
    weight = Tensor(WEIGHT.copy(), requires_grad=True)
    F.embedding_bag(Tensor(indices), weight, Tensor(offsets), mode=mode, scale_grad_by_freq=True).sum().backward()
    bag_of = np.array([0, 0, 2, 2, 3, 3])
    sizes = np.array([2, 0, 2, 2])
    counts = np.bincount(indices, minlength=6)
    expected = np.zeros(6)
    for position, row in enumerate(indices):
        expected[row] += (1.0 if mode == "sum" else 1.0 / sizes[bag_of[position]]) / counts[row]
    np.testing.assert_allclose(weight.grad, np.repeat(expected[:, None], 3, axis=1))


def test_embedding_bag_frequency_scaling_agrees_with_torch_where_its_counts_are_right():
    indices = [[1, 1], [3, 3]]  # every row read equally often: torch's count is right
    ours, theirs = _run_both(
        lambda i, w, _: F.embedding_bag(i, w, mode="sum", scale_grad_by_freq=True),
        lambda i, w, _: TF.embedding_bag(i, w, mode="sum", scale_grad_by_freq=True),
        indices,
    )
    _assert_same(ours, theirs)


@pytest.mark.parametrize("options", [{"mode": "max", "scale_grad_by_freq": True}, {"mode": "min"}])
def test_max_mode_with_frequency_scaling_and_an_unknown_mode_are_refused_as_torch(options):
    assert raised_type(lambda: TF.embedding_bag(torch.tensor([[0, 1]]), torch.tensor(WEIGHT), **options))
    assert raised_type(lambda: F.embedding_bag(Tensor(np.array([[0, 1]])), Tensor(WEIGHT), **options))


@pytest.mark.parametrize(
    ("indices", "offsets", "include_last_offset"),
    [
        ([0, 1, 2, 3], [1, 2], False),  # offsets[0] must be 0
        ([0, 1, 2, 3], [0, 2, 5], False),  # past the end
        ([0, 1, 2, 3], [0, 2, 5], True),
        ([[0, 1]], [0], False),  # offsets with a 2-D input
        ([0, 1], None, False),  # a 1-D input without offsets
        ([[[0]]], None, False),  # a 3-D input
        ([0, 1], [[0]], False),  # 2-D offsets
    ],
)
def test_embedding_bag_refuses_the_offsets_and_inputs_torch_refuses(indices, offsets, include_last_offset):
    def call(functional, tensor):
        return lambda: functional.embedding_bag(
            tensor(np.array(indices)),
            tensor(WEIGHT),
            None if offsets is None else tensor(np.array(offsets)),
            include_last_offset=include_last_offset,
        )

    assert raised_type(call(TF, torch.tensor)) is not None
    assert raised_type(call(F, Tensor)) is not None


def test_include_last_offset_ignores_a_last_offset_short_of_the_end_as_torchs_issue_89677():
    layer = nn.EmbeddingBag(100, 3, include_last_offset=True, padding_idx=61, rng=0)
    reference = torch.nn.EmbeddingBag(100, 3, include_last_offset=True, padding_idx=61)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.data))
    indices = np.array([0, 1, 2, 3])
    for offsets in ([0, 3, 3], [0, 3, 4]):
        got = layer(Tensor(indices), Tensor(np.array(offsets))).data
        want = reference(torch.tensor(indices), torch.tensor(offsets)).detach().numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6)
        np.testing.assert_allclose(got, np.stack([layer.weight.data[:3].mean(0), layer.weight.data[3]]), rtol=1e-6)


def test_embedding_bag_layer_and_function_agree_and_repr_as_torch():
    options = {"max_norm": 1, "norm_type": 3, "scale_grad_by_freq": True, "sparse": True, "mode": "sum"}
    assert repr(nn.EmbeddingBag(4, 3, padding_idx=-1, **options)) == repr(
        torch.nn.EmbeddingBag(4, 3, padding_idx=-1, **options)
    )
    layer = nn.EmbeddingBag.from_pretrained(Tensor(WEIGHT), padding_idx=2)
    indices = np.array([[1, 3, 2], [0, 2, 1]])
    np.testing.assert_allclose(
        layer(Tensor(indices)).data, F.embedding_bag(Tensor(indices), Tensor(WEIGHT), padding_idx=2).data
    )
    np.testing.assert_allclose(
        layer(Tensor(indices)).data,
        TF.embedding_bag(torch.tensor(indices), torch.tensor(WEIGHT), padding_idx=2).numpy(),
    )
