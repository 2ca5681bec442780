"""Attention, transformer layers and assorted nn.functional ops against torch 2.13 where they once differed:
defaults, warnings and error classes a torch user meets."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")


def _user_warnings(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = action()
    return result, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_affine_grid_takes_align_corners_none_as_false_with_torchs_warning():
    theta = np.random.default_rng(0).normal(size=(2, 2, 3))
    got, ours = _user_warnings(lambda: F.affine_grid(Tensor(theta), (2, 1, 3, 4), align_corners=None))
    expected, theirs = _user_warnings(lambda: torch.nn.functional.affine_grid(torch.tensor(theta), (2, 1, 3, 4)))
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12)
    assert ours == theirs and len(theirs) == 1 and "align_corners=False" in theirs[0]
    _, default = _user_warnings(lambda: F.affine_grid(Tensor(theta), (2, 1, 3, 4)))
    assert default == theirs


def test_grid_sample_without_align_corners_warns_as_torch():
    rng = np.random.default_rng(1)
    image, grid = rng.normal(size=(1, 2, 3, 3)), rng.uniform(-1, 1, size=(1, 2, 2, 2))
    got, ours = _user_warnings(lambda: F.grid_sample(Tensor(image), Tensor(grid)))
    expected, theirs = _user_warnings(lambda: torch.nn.functional.grid_sample(torch.tensor(image), torch.tensor(grid)))
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12)
    assert ours == theirs and len(theirs) == 1
    _, explicit = _user_warnings(lambda: F.grid_sample(Tensor(image), Tensor(grid), align_corners=False))
    assert explicit == []


def test_affine_grid_of_a_unit_size_axis_with_align_corners_warns_as_torch():
    theta = np.eye(2, 3)[None]
    got, ours = _user_warnings(lambda: F.affine_grid(Tensor(theta), (1, 1, 1, 3), align_corners=True))
    expected, theirs = _user_warnings(
        lambda: torch.nn.functional.affine_grid(torch.tensor(theta), (1, 1, 1, 3), align_corners=True)
    )
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12)
    assert ours == theirs and len(theirs) == 1 and "unit-size" in theirs[0]


def _raised(action):
    try:
        action()
    except Exception as error:  # noqa: BLE001 -- the class is what is compared
        return error
    return None


@pytest.mark.parametrize("num_classes", [3.0, True, None, "3"])
def test_one_hot_of_a_num_classes_not_an_int_raises_torchs_type_error(num_classes):
    assert isinstance(_raised(lambda: torch.nn.functional.one_hot(torch.tensor([0, 2]), num_classes)), TypeError)
    assert isinstance(_raised(lambda: F.one_hot(Tensor(np.array([0, 2])), num_classes)), TypeError)


def test_one_hot_of_a_negative_num_classes_raises_torchs_runtime_error():
    assert isinstance(_raised(lambda: torch.nn.functional.one_hot(torch.tensor([0, 2]), -2)), RuntimeError)
    assert isinstance(_raised(lambda: F.one_hot(Tensor(np.array([0, 2])), -2)), RuntimeError)
    np.testing.assert_array_equal(F.one_hot(np.array([1]), np.int64(3)).data, [[0, 1, 0]])


def test_feature_alpha_dropout_of_a_1d_input_while_training_raises_torchs_runtime_error():
    assert isinstance(
        _raised(lambda: torch.nn.functional.feature_alpha_dropout(torch.ones(3), 0.5, True)), RuntimeError
    )
    assert isinstance(_raised(lambda: F.feature_alpha_dropout(Tensor(np.ones(3)), 0.5, True)), RuntimeError)


@pytest.mark.parametrize(
    "padding_dtype, attention_dtype", [(bool, np.float64), (np.float64, bool), (np.float32, np.float64), (bool, bool)]
)
def test_multihead_attention_warns_as_torch_when_the_two_masks_differ_in_dtype(padding_dtype, attention_dtype):
    ours = nn.MultiheadAttention(4, 2, dtype=np.float64, rng=0)
    theirs = torch.nn.MultiheadAttention(4, 2, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(np.asarray(v.data)) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(3, 2, 4))
    padding = np.array([[False, True, False], [False, False, True]]).astype(padding_dtype)
    attention = np.triu(np.ones((3, 3)), 1).astype(attention_dtype)
    got, mine = _user_warnings(lambda: ours(x, x, x, key_padding_mask=Tensor(padding), attn_mask=Tensor(attention)))
    expected, torchs = _user_warnings(
        lambda: theirs(
            *[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(padding), attn_mask=torch.tensor(attention)
        )
    )
    # (torch warns once more for two float widths, from the module and then the function: the message counts)
    assert set(mine) == set(torchs) and bool(mine) == (padding_dtype is not attention_dtype)
    np.testing.assert_allclose(got[0].data, expected[0].detach().numpy(), rtol=1e-10, atol=1e-12)


def test_normalize_with_p_none_is_the_2_norm_as_torch():
    x = np.random.default_rng(2).normal(size=(3, 4))
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got, expected = F.normalize(ours, p=None), torch.nn.functional.normalize(theirs, p=None)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12)
    (got * got[:, :1]).sum().backward()
    (expected * expected[:, :1]).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [bool, np.float32])
@pytest.mark.parametrize("given", ["both", "attn_mask", "attn_mask_3d", "key_padding_mask", "none"])
def test_multihead_attention_merge_masks_matches_torch(given, dtype):
    ours, theirs = nn.MultiheadAttention(4, 2, batch_first=True), torch.nn.MultiheadAttention(4, 2, batch_first=True)
    rng = np.random.default_rng(3)
    attn = (rng.random((4, 3, 3) if given == "attn_mask_3d" else (3, 3)) > 0.5).astype(dtype)
    padding = (rng.random((2, 3)) > 0.5).astype(dtype)
    attn_mask = None if given in ("key_padding_mask", "none") else attn
    key_padding_mask = padding if given in ("both", "key_padding_mask") else None
    query = np.zeros((2, 3, 4), dtype=np.float32)
    got, got_type = ours.merge_masks(
        None if attn_mask is None else Tensor(attn_mask),
        None if key_padding_mask is None else Tensor(key_padding_mask),
        Tensor(query),
    )
    expected, expected_type = theirs.merge_masks(
        None if attn_mask is None else torch.tensor(attn_mask),
        None if key_padding_mask is None else torch.tensor(key_padding_mask),
        torch.tensor(query),
    )
    assert got_type == expected_type
    if expected is None:
        assert got is None
    else:
        assert got.dtype == np.dtype(dtype) and got.shape == tuple(expected.shape)
        np.testing.assert_array_equal(got.data, expected.numpy())


@pytest.mark.parametrize("layer", ["Embedding", "EmbeddingBag"])
def test_embedding_layers_refuse_a_table_of_the_wrong_shape_with_torchs_assertion_error(layer):
    ours, theirs = getattr(nn, layer), getattr(torch.nn, layer)
    assert isinstance(_raised(lambda: theirs.from_pretrained(torch.ones(3))), AssertionError)
    assert isinstance(_raised(lambda: ours.from_pretrained(Tensor(np.ones(3)))), AssertionError)
    assert isinstance(_raised(lambda: theirs(3, 2, _weight=torch.ones(2, 2))), AssertionError)
    assert isinstance(_raised(lambda: ours(3, 2, _weight=Tensor(np.ones((2, 2))))), AssertionError)


@pytest.mark.parametrize(
    "layer, shape", [("PixelShuffle", (1, 4, 2, 2)), ("PixelUnshuffle", (1, 1, 4, 4)), ("ChannelShuffle", (1, 4, 2))]
)
@pytest.mark.parametrize("factor", [0, -2])
def test_shuffle_layers_of_a_non_positive_factor_raise_torchs_runtime_error(layer, shape, factor):
    assert isinstance(_raised(lambda: getattr(torch.nn, layer)(factor)(torch.ones(shape))), RuntimeError)
    assert isinstance(_raised(lambda: getattr(nn, layer)(factor)(Tensor(np.ones(shape)))), RuntimeError)
