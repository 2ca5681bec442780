"""Python's protocols on a Tensor (``in``, ``reversed``, ...) and the constructors' conversions, against torch's."""

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("element", "rows"),
    [
        (2.0, [[1.0, 2.0], [3.0, 4.0]]),
        (7.0, [[1.0, 2.0], [3.0, 4.0]]),
        (3, [[[1, 2], [3, 4]]]),
        (2.0, 2.0),
        (5.0, 2.0),
        (np.float64(4.0), [[1.0, 2.0], [3.0, 4.0]]),
    ],
)
def test_membership_of_a_number_looks_at_every_entry_as_torch(element, rows):
    assert (element in ag.tensor(rows)) is (element in torch.tensor(rows))


def test_membership_of_a_tensor_is_any_broadcast_equality_as_torch():
    rows = [[1.0, 2.0], [2.0, 3.0]]
    for probe in ([2.0, 3.0], [3.0, 2.0], [2.0], 1.0):
        assert (ag.tensor(probe) in ag.tensor(rows)) is (torch.tensor(probe) in torch.tensor(rows))


def test_membership_of_a_list_or_string_is_refused_as_torch():
    for probe in ([1.0, 2.0], "a"):
        with pytest.raises(RuntimeError):
            _ = probe in torch.tensor([[1.0, 2.0]])
        with pytest.raises(TypeError, match="in: a Tensor can test membership"):
            _ = probe in ag.tensor([[1.0, 2.0]])


def test_membership_of_none_a_list_or_string_raises_torchs_runtime_error_too():
    for probe in (None, [1.0, 2.0], "a"):
        with pytest.raises(RuntimeError):
            _ = probe in torch.tensor([[1.0, 2.0]])
        with pytest.raises(RuntimeError, match="in: a Tensor can test membership"):
            _ = probe in ag.tensor([[1.0, 2.0]])


def test_as_tensor_of_another_dtype_keeps_the_graph_as_torch():
    values = np.array([1.0, -2.0, 0.5])
    ours = ag.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    converted, expected = ag.as_tensor(ours, dtype=np.float32), torch.as_tensor(theirs, dtype=torch.float32)
    assert converted.dtype == np.float32 and converted.requires_grad is expected.requires_grad is True
    (converted * converted).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())


def test_as_tensor_to_an_integer_dtype_is_cut_from_the_graph_as_torch():
    ours = ag.as_tensor(ag.tensor([1.5, -2.5], requires_grad=True), dtype=np.int64)
    theirs = torch.as_tensor(torch.tensor([1.5, -2.5], requires_grad=True), dtype=torch.int64)
    assert ours.requires_grad is theirs.requires_grad is False
    assert ours.tolist() == theirs.tolist()


def test_numpy_force_gives_the_writable_shared_array_of_a_tensor_that_requires_grad_as_torch():
    ours, theirs = ag.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    for tensor in (ours, theirs):
        array = tensor.numpy(force=True)
        array[0] = 5.0
        assert tensor.tolist() == [5.0, 2.0]
    assert ag.tensor([3.0]).numpy(force=True).tolist() == torch.tensor([3.0]).numpy(force=True).tolist()


@pytest.mark.parametrize(
    ("method", "name"),
    [("clone", "preserve_format"), ("clone", "contiguous_format"), ("contiguous", "contiguous_format")],
)
def test_clone_and_contiguous_take_torchs_plain_memory_formats(method, name):
    values = np.arange(6.0).reshape(2, 3)
    ours = getattr(ag.tensor(values, requires_grad=True).T, method)(memory_format=getattr(torch, name))
    theirs = getattr(torch.tensor(values, requires_grad=True).T, method)(memory_format=getattr(torch, name))
    assert ours.tolist() == theirs.tolist()
    ours.sum().backward()  # still in the graph


@pytest.mark.parametrize(
    "layout",
    [
        lambda x: x.transpose(0, 2),
        lambda x: x.permute(1, 2, 0),
        lambda x: x.permute(2, 0, 1)[::2],  # not dense: the axis order packed
        lambda x: x[:, :1].expand(2, 3, 4),  # an expand's stride-0 axis stays where it is
        lambda x: x[:, :, :1].expand(2, 3, 5).transpose(0, 1),
        lambda x: x[:, :, ::2],
    ],
)
def test_clone_keeps_the_memory_order_of_the_axes_as_torchs_preserve_format(layout):
    ours, theirs = layout(ag.arange(24.0).reshape(2, 3, 4)), layout(torch.arange(24.0).reshape(2, 3, 4))
    for memory_format in (None, torch.preserve_format):
        copied = ours.clone() if memory_format is None else ours.clone(memory_format=memory_format)
        expected = theirs.clone() if memory_format is None else theirs.clone(memory_format=memory_format)
        assert copied.stride() == expected.stride() and copied.is_contiguous() == expected.is_contiguous()
        assert copied.tolist() == expected.tolist()
        copied.mul_(0)  # a copy: the input keeps its values
        assert ours.tolist() == theirs.tolist()
    assert ours.clone(memory_format=torch.contiguous_format).stride() == theirs.contiguous().stride()
    assert ours.contiguous().stride() == theirs.contiguous().stride()


def test_clone_refuses_a_channels_last_format_of_another_rank_as_torch():
    with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
        torch.zeros(2, 3, 4).clone(memory_format=torch.channels_last)
    with pytest.raises(RuntimeError, match="clone: required rank 4 tensor to use torch.channels_last format"):
        ag.zeros(2, 3, 4).clone(memory_format=torch.channels_last)
    assert ag.zeros(1, 2, 3, 4).clone(memory_format=torch.channels_last).stride() == (24, 1, 8, 2)


def test_contiguous_copy_refuses_the_preserve_format_as_torch():
    with pytest.raises(RuntimeError, match="preserve memory format is unsupported"):
        torch.zeros(2, 3).T.contiguous(memory_format=torch.preserve_format)
    with pytest.raises(ValueError, match="contiguous: memory_format torch.preserve_format is unsupported"):
        ag.zeros(2, 3).T.contiguous(memory_format=torch.preserve_format)


@pytest.mark.parametrize("rows", [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [1.0, 2.0, 3.0], 4.0])
def test_reversed_is_a_tensor_flipped_along_the_first_axis_as_torch(rows):
    ours, theirs = reversed(ag.tensor(rows, requires_grad=True)), reversed(torch.tensor(rows, requires_grad=True))
    assert isinstance(ours, ag.Tensor)
    assert ours.tolist() == theirs.tolist()


def test_mt_of_a_0d_tensor_is_the_tensor_with_a_deprecation_warning_as_torch():
    with pytest.warns(UserWarning, match="deprecated on 0-D tensors"):
        theirs = torch.tensor(2.5).mT
    with pytest.warns(UserWarning, match="mT is deprecated on 0-D tensors"):
        ours = ag.tensor(2.5).mT
    assert ours.shape == tuple(theirs.shape) and ours.item() == theirs.item()


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3), (1, 0, 2)])
def test_repr_of_an_empty_tensor_shows_its_shape_as_torch(shape):
    theirs = repr(torch.zeros(shape, dtype=torch.float64))
    ours = repr(ag.zeros(shape))
    assert ("size=" in ours) is ("size=" in theirs)
    if "size=" in theirs:
        assert f"size={shape}" in ours and f"size={shape}" in theirs
