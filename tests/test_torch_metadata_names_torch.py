"""torch's descriptive Tensor methods (autograd/torch_metadata_names.py) against torch: the same arrays, viewed the
same way in both libraries, must be described the same way (strides, offsets, contiguity, dim order, sizes,
dtype predicates), and the in-place methods (apply_, map_, resize_) must leave the same values and shapes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]
TORCH_DTYPES = {
    np.dtype(dtype): getattr(torch, name)
    for dtype, name in zip(
        DTYPES, ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
    )
}

#: (id, shape, a view taken with the same calls in both libraries)
VIEWS = [
    ("whole", (2, 3, 4), lambda x: x),
    ("swapaxes", (2, 3, 4), lambda x: x.swapaxes(0, 2)),
    ("mT", (2, 3, 4), lambda x: x.mT),
    ("permute", (2, 3, 4), lambda x: x.permute(2, 0, 1)),
    ("step_slice", (2, 3, 4), lambda x: x[:, ::2]),
    ("step_and_offset", (4, 3, 5), lambda x: x[1::2, :, 1:4:2]),
    ("index", (2, 3, 4), lambda x: x[1]),
    ("index_inner", (2, 3, 4), lambda x: x[:, 1]),
    ("offset_slice", (2, 3, 4), lambda x: x[..., 1:]),
    ("narrow", (2, 3, 4), lambda x: x.narrow(2, 1, 2)),
    ("unsqueeze_front", (2, 3, 4), lambda x: x.unsqueeze(0)),
    ("unsqueeze_last", (2, 3, 4), lambda x: x.unsqueeze(-1)),
    ("view_flat", (2, 3, 4), lambda x: x.view(-1)),
    ("view_reshape", (2, 3, 4), lambda x: x.view(6, 4)),
    ("expand", (3, 1), lambda x: x.expand(3, 4)),
    ("expand_new_axis", (3, 1), lambda x: x.expand(2, 3, 5)),
    ("single_column", (3, 4), lambda x: x[:, 1:2]),
    ("single_row_transposed", (1, 4), lambda x: x.mT),
    ("length_one_axes", (2, 1, 3), lambda x: x.swapaxes(0, 1)),
    ("vector", (5,), lambda x: x),
    ("vector_step", (7,), lambda x: x[1::3]),
    ("zero_d", (), lambda x: x),
    ("empty_rows", (0, 3), lambda x: x),
    ("empty_columns", (3, 0), lambda x: x),
    ("empty_middle", (2, 0, 3), lambda x: x),
    ("empty_slice", (3, 4), lambda x: x[:, :0]),
    ("transposed_matrix_slice", (4, 6), lambda x: x.mT[1:, ::2]),
]


VIEW_CASES = [pytest.param(*case[1:], id=case[0]) for case in VIEWS]


def _pair(shape: tuple[int, ...], dtype: type = np.float32) -> tuple[Tensor, object]:
    """The same values in both libraries, each array made by its own library (``torch.tensor(array)`` would keep
    the zero strides numpy gives an empty array, where torch's own empty tensors have contiguous ones)."""
    array = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape).astype(dtype)
    theirs = torch.arange(int(np.prod(shape)), dtype=torch.float64).reshape(shape).to(TORCH_DTYPES[np.dtype(dtype)])
    return Tensor(array), theirs


def _views(shape, view, dtype=np.float32):
    ours, theirs = _pair(shape, dtype)
    return ours, theirs, view(ours), view(theirs)


@pytest.mark.parametrize(("shape", "view"), VIEW_CASES)
def test_layout_of_a_view_matches_torch(shape, view):
    base, torch_base, ours, theirs = _views(shape, view)
    assert ours.shape == tuple(theirs.shape)  # the same view in both libraries
    assert ours.stride() == theirs.stride()
    assert type(ours.stride()) is tuple and all(type(step) is int for step in ours.stride())
    for dim in range(-ours.ndim, ours.ndim):
        assert ours.stride(dim) == theirs.stride(dim)
        assert type(ours.stride(dim)) is int
    assert ours.storage_offset() == theirs.storage_offset()
    assert ours.is_contiguous() is theirs.is_contiguous()
    assert ours.is_contiguous(memory_format=torch.contiguous_format) is theirs.is_contiguous()
    assert ours.dim_order() == theirs.dim_order()
    if theirs.numel():  # torch gives every empty tensor address 0
        step = theirs.element_size()
        assert (ours.data_ptr() - base.data_ptr()) // step == (theirs.data_ptr() - torch_base.data_ptr()) // step


NOT_VIEWS = [
    pytest.param((2, 3), lambda x: x.detach(), id="detach"),
    pytest.param((2, 3), lambda x: x.clone(), id="clone"),
    pytest.param((2, 3), lambda x: x * 1, id="product"),
    pytest.param((2, 3), lambda x: x[[0, 1]], id="integer_array_index"),
    pytest.param((2, 3), lambda x: x.contiguous(), id="contiguous"),
]


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize(
    ("shape", "view"),
    [
        *[case for case in VIEW_CASES if case.id != "empty_slice"],  # (an empty slice shares no memory here)
        pytest.param((2, 3), lambda x: x.reshape(3, 2).T, id="view_of_a_view"),
        pytest.param((2, 3), lambda x: x[1:].unsqueeze(0)[0, 0, 1:], id="view_of_a_view_of_a_view"),
        *NOT_VIEWS,
    ],
)
def test_base_and_is_view_name_the_tensor_viewed_as_torchs(shape, view, requires_grad):
    array = np.arange(float(np.prod(shape))).reshape(shape)
    ours, theirs = Tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)
    mine, their_view = view(ours), view(theirs)
    assert mine._is_view() is their_view._is_view()
    assert (mine._base is ours) is (their_view._base is theirs)
    assert (mine._base is None) is (their_view._base is None)
    assert ours._base is None and not ours._is_view()


@pytest.mark.parametrize(("shape", "view"), VIEW_CASES)
def test_is_set_to_matches_torch(shape, view):
    base, torch_base, ours, theirs = _views(shape, view)
    assert ours.is_set_to(base) is theirs.is_set_to(torch_base)
    assert base.is_set_to(ours) is torch_base.is_set_to(theirs)
    assert ours.is_set_to(ours.detach()) is theirs.is_set_to(theirs.detach())
    assert ours.is_set_to(ours.clone()) is theirs.is_set_to(theirs.clone())
    assert ours.is_same_size(base) is theirs.is_same_size(torch_base)


@pytest.mark.parametrize("dtype", DTYPES, ids=[np.dtype(d).name for d in DTYPES])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4)])
def test_sizes_and_dtype_predicates_match_torch(dtype, shape):
    ours, theirs = _pair(shape, dtype)
    assert ours.element_size() == theirs.element_size()
    assert ours.itemsize == theirs.itemsize and type(ours.itemsize) is int
    assert ours.nbytes == theirs.nbytes and type(ours.nbytes) is int
    assert ours.ndimension() == theirs.ndimension()
    assert ours.nelement() == theirs.nelement()
    assert ours.is_floating_point() is theirs.is_floating_point()
    assert ours.is_complex() is theirs.is_complex()
    assert ours.is_signed() is theirs.is_signed()


def test_nbytes_of_a_view_counts_its_own_elements_as_torch():
    _, _, ours, theirs = _views((4, 6), lambda x: x[:, ::2])
    assert ours.nbytes == theirs.nbytes


@pytest.mark.parametrize(
    ("shape", "order"),
    [
        ((2, 3, 4, 5), (0, 2, 3, 1)),
        ((2, 3, 4, 5), (3, 1, 0, 2)),
        ((2, 1, 4, 5), (0, 2, 3, 1)),
        ((1, 3, 1, 5), (2, 0, 3, 1)),
    ],
)
def test_dim_order_of_a_permuted_copy_matches_torch(shape, order):
    # a contiguous array read through a permutation: every memory order, channels-last among them
    inverse = tuple(int(axis) for axis in np.argsort(order))
    ours, theirs = (x.permute(*order).contiguous().permute(*inverse) for x in _pair(shape)[:2])
    assert ours.stride() == theirs.stride()
    assert ours.dim_order() == theirs.dim_order()
    assert ours.is_contiguous() is theirs.is_contiguous()


@pytest.mark.parametrize(("shape", "view"), VIEW_CASES)
def test_dim_order_ambiguity_check_refuses_where_torch_does(shape, view):
    _, _, ours, theirs = _views(shape, view)
    try:
        expected = theirs.dim_order(ambiguity_check=True)
    except RuntimeError:
        with pytest.raises(ValueError, match="no unique dim order"):
            ours.dim_order(ambiguity_check=True)
    else:
        assert ours.dim_order(ambiguity_check=True) == expected


@pytest.mark.parametrize("value", [[0.0], [2.5], [float("nan")], [[-1]], 0, 7])
def test_is_nonzero_matches_torch(value):
    assert Tensor(value).is_nonzero() is torch.tensor(value).is_nonzero()


@pytest.mark.parametrize("shape", [(0,), (2,), (2, 3)])
def test_is_nonzero_refuses_what_torch_refuses(shape):
    with pytest.raises(RuntimeError) as theirs:
        torch.zeros(shape).is_nonzero()
    with pytest.raises(RuntimeError) as ours:
        Tensor(np.zeros(shape)).is_nonzero()
    assert str(theirs.value).split(" is ambiguous")[0] in str(ours.value)


@pytest.mark.parametrize("method", ["byte", "char", "short", "long", "int", "half", "float", "double", "bool"])
def test_dtype_conversions_match_torch(method):
    array = np.array([[-3.7, 0.0, 2.2], [130.0, -0.5, 1.0]])
    ours, theirs = getattr(Tensor(array), method)(), getattr(torch.tensor(array), method)()
    assert ours.element_size() == theirs.element_size()
    assert ours.is_signed() is theirs.is_signed()
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (), (4, 1)])
def test_conjugate_transposes_match_torch(shape):
    ours, theirs = _pair(shape, np.float64)
    names = ["mH", "adjoint"] + (["H"] if len(shape) in (0, 2) else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both libraries warn for 0-d tensors
        for name in names:
            mine, expected = getattr(ours, name), getattr(theirs, name)
            mine, expected = (mine(), expected()) if name == "adjoint" else (mine, expected)
            np.testing.assert_array_equal(mine.data, expected.numpy())
            assert mine.stride() == expected.stride()


@pytest.mark.parametrize(("name", "shape"), [("mH", (3,)), ("adjoint", (3,)), ("H", (3,)), ("H", (2, 3, 4))])
def test_conjugate_transposes_of_the_wrong_rank_are_torchs_runtime_error(name, shape):
    for tensor in (Tensor(np.ones(shape)), torch.ones(shape)):
        with pytest.raises(RuntimeError):
            result = getattr(tensor, name)
            result() if name == "adjoint" else result


def test_mh_gradient_is_the_transposed_gradient_as_torch():
    array = np.random.default_rng(0).normal(size=(2, 3, 4))
    ours, theirs = Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    weights = np.arange(24.0).reshape(2, 4, 3)
    (ours.mH * weights).sum().backward()
    (theirs.mH * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_apply_matches_torch(dtype):
    ours, theirs = _pair((2, 3), dtype)

    def function(value):
        return value * 1.7 - 2

    assert ours.apply_(function) is ours
    theirs.apply_(function)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_apply_through_a_transposed_view_changes_the_base_as_torch():
    ours, theirs = _pair((2, 3))
    ours.mT.apply_(lambda value: value + 10)
    theirs.mT.apply_(lambda value: value + 10)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_map_matches_torch_with_broadcasting():
    ours, theirs = _pair((2, 3))
    row = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    ours.map_(Tensor(row), lambda x, y: x * y + 1)
    theirs.map_(torch.tensor(row), lambda x, y: x * y + 1)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("method", ["apply_", "map_", "resize_"])
def test_in_place_methods_refuse_a_tensor_that_requires_grad_as_torch(method):
    arguments = {"apply_": (abs,), "map_": None, "resize_": (4,)}[method]
    ours, theirs = Tensor(np.zeros(3), requires_grad=True), torch.zeros(3, dtype=torch.float64, requires_grad=True)
    our_arguments = arguments or (Tensor(np.zeros(3)), max)
    their_arguments = arguments or (torch.zeros(3, dtype=torch.float64), max)
    with pytest.raises(RuntimeError) as expected:
        getattr(theirs, method)(*their_arguments)
    with pytest.raises(RuntimeError) as got:
        getattr(ours, method)(*our_arguments)
    assert str(expected.value).split(".")[0].lower() in str(got.value).lower()


@pytest.mark.parametrize(
    ("shape", "view", "sizes"),
    [
        ((2, 3), lambda x: x, (3, 2)),
        ((2, 3), lambda x: x, (6,)),
        ((2, 3), lambda x: x, (2, 3)),
        ((2, 3), lambda x: x, (2, 2)),
        ((2, 3), lambda x: x.mT, (2, 3)),  # memory order, not the transposed order
        ((2, 3), lambda x: x.mT, (3, 2)),  # the same shape: the transposed view stays
        ((2, 3), lambda x: x.mT, (5,)),
        ((6,), lambda x: x[2:], (2,)),
        ((3, 4), lambda x: x[1:, ::2], (2, 3)),
        ((2, 3), lambda x: x[1], ()),
        ((0, 3), lambda x: x, (0,)),
    ],
)
def test_resize_within_the_memory_matches_torch(shape, view, sizes):
    _, _, ours, theirs = _views(shape, view)
    assert ours.resize_(sizes) is ours
    theirs.resize_(sizes)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.stride() == theirs.stride()
    assert ours.storage_offset() == theirs.storage_offset()


@pytest.mark.parametrize(("shape", "view", "sizes"), [((2, 3), lambda x: x, (3, 3)), ((6,), lambda x: x[2:], (6,))])
def test_resize_past_the_memory_keeps_the_old_elements_first_as_torch(shape, view, sizes):
    _, _, ours, theirs = _views(shape, view)
    kept = len(theirs.untyped_storage()) // theirs.element_size() - theirs.storage_offset()
    ours.resize_(*sizes)
    theirs.resize_(*sizes)
    assert ours.shape == tuple(theirs.shape)
    assert ours.storage_offset() == theirs.storage_offset()
    np.testing.assert_array_equal(ours.data.ravel()[:kept], theirs.numpy().ravel()[:kept])
    assert not ours.data.ravel()[kept:].any()  # torch's are uninitialised


def test_resize_as_takes_the_other_shape_as_torch():
    ours, theirs = _pair((2, 3))
    ours.resize_as_(Tensor(np.zeros((3, 2))))
    theirs.resize_as_(torch.zeros(3, 2))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_new_empty_shape_and_dtype_match_torch():
    ours, theirs = _pair((2, 3))
    for args, kwargs in [((4, 5), {}), (((4, 5),), {}), (((),), {}), ((3,), {"dtype": np.int64})]:
        mine = ours.new_empty(*args, **kwargs)
        torch_kwargs = {"dtype": torch.int64} if kwargs else {}
        expected = theirs.new_empty(*args, **torch_kwargs)
        assert mine.shape == tuple(expected.shape)
        assert mine.element_size() == expected.element_size()
    assert ours.new_empty(2, requires_grad=True).requires_grad is theirs.new_empty(2, requires_grad=True).requires_grad


def test_device_and_kind_answers_match_torch():
    ours, theirs = _pair((2, 3))
    assert ours.get_device() == theirs.get_device()
    for name in ["is_cpu", "is_cuda", "is_meta", "is_sparse", "is_quantized", "is_mkldnn", "is_nested"]:
        assert getattr(ours, name) is getattr(theirs, name), name
    assert ours.is_inference() is theirs.is_inference()
    assert ours.output_nr == theirs.output_nr
    assert (ours * 2).output_nr == (theirs * 2).output_nr


def test_stride_errors_match_torch():
    ours, theirs = _pair((2, 3))
    for dim in (2, -3):
        with pytest.raises(IndexError):
            theirs.stride(dim)
        with pytest.raises(IndexError):
            ours.stride(dim)
    with pytest.raises(IndexError, match="no dimensions"):
        torch.tensor(1.0).stride(0)
    with pytest.raises(IndexError, match="no dimensions"):
        Tensor(1.0).stride(0)
    with pytest.raises(TypeError):
        ours.stride(1.0)


def test_is_set_to_tells_two_arrays_over_one_buffer_apart_as_torch():
    buffer = bytearray(np.arange(4.0).tobytes())
    ours = [ag.from_numpy(np.frombuffer(buffer)) for _ in range(2)]
    theirs = [torch.frombuffer(buffer, dtype=torch.float64) for _ in range(2)]
    assert ours[0].data_ptr() == ours[1].data_ptr()
    assert ours[0].is_set_to(ours[1]) is theirs[0].is_set_to(theirs[1]) is False
    assert ours[0].is_set_to(ours[0].detach()) is theirs[0].is_set_to(theirs[0].detach()) is True


def test_indexing_down_to_one_element_views_it_as_torch():
    ours, theirs = _pair((2, 3))
    element, torch_element = ours[1, 2], theirs[1, 2]
    assert torch_element.storage_offset() == 5 and torch_element.data_ptr() == theirs.data_ptr() + 5 * 4
    assert element.shape == () and element.storage_offset() == 5
    assert element.data_ptr() == ours.data_ptr() + 5 * ours.data.itemsize
    assert np.shares_memory(element.data, ours.data) and element.item() == 5.0


@pytest.mark.parametrize(("shape", "view"), VIEW_CASES)
def test_storage_of_a_view_is_its_bases_memory_as_torch(shape, view):
    _, _, ours, theirs = _views(shape, view)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's "TypedStorage is deprecated"
        storage = theirs.storage()
    assert ours.storage().tolist() == storage.tolist()
    assert len(ours.storage()) == len(storage) and ours.storage().size() == storage.size()
    assert ours.storage().element_size() == storage.element_size()
    assert ours.untyped_storage().nbytes() == theirs.untyped_storage().nbytes() == len(ours.untyped_storage())
    assert ours.storage().data_ptr() == ours.untyped_storage().data_ptr() == ours.data_ptr() - 4 * ours.storage_offset()


def test_storage_reads_and_writes_the_tensors_memory_as_torch():
    """Deep Learning with PyTorch, p1ch3: a storage indexed and written, its repr, the same storage for a
    transpose, a new one for its contiguous copy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        results = []
        for lib in (torch, ag):
            points = lib.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]], dtype=lib.float32)
            points_storage = points.storage()
            first = points_storage[0]
            points_storage[0] = 2.0
            points_storage[-1] = 7.0
            points_t = points.t()
            results.append(
                [
                    first,
                    type(first),
                    points.tolist(),
                    repr(points.storage()),
                    points_t.storage().tolist(),
                    points_t.storage().data_ptr() == points.storage().data_ptr(),
                    points_t.contiguous().storage().tolist(),
                    points[1].storage().size(),
                    points.untyped_storage()[0],
                    len(points.untyped_storage()[4:8]),
                    repr(lib.tensor([1, 2], dtype=lib.int16).storage()),
                ]
            )
            for bad in (slice(0, 2), 1.0):
                with pytest.raises((RuntimeError, TypeError)):
                    points_storage[bad]
            with pytest.raises(IndexError):
                points_storage[6]
    assert results[1] == results[0]


def test_storage_write_bumps_the_version_and_is_refused_under_a_graph():
    x = Tensor(np.array([1.0, 2.0, 3.0]))
    version = x._version
    x.storage()[1] = 5.0
    assert x._version == version + 1 and x.tolist() == [1.0, 5.0, 3.0]
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert w.storage()[0] == 1.0
    with pytest.raises(RuntimeError, match="storage of a tensor that requires grad"):
        w.storage()[0] = 3.0
    assert w.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match=r"not one dense block.*contiguous\(\)"):
        ag.from_numpy(np.lib.stride_tricks.as_strided(np.arange(6.0), (3,), (16,))).storage()
    reversed_view = ag.from_numpy(np.arange(6.0)[::-1])  # a view of a dense array: that array is its storage
    assert reversed_view.storage().tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] and reversed_view.storage_offset() == 5


def test_set_shares_the_source_data_and_bumps_only_its_own_version_as_torch() -> None:
    # torch's x.set_(y): x holds y's memory (a change of either shows in both), x's version goes up, y's does not;
    # set_() without a source empties it. The library had no set_ (AttributeError).
    def run(lib):
        x, y = lib.zeros(2, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        got = [x.set_(y) is x, x._version, y._version]
        y.add_(1)
        got += [x.numpy().tolist(), x._version, y._version]
        x.mul_(3)
        got += [y.numpy().tolist(), x._version, y._version, tuple(x.shape)]
        z = lib.zeros(4, dtype=lib.float64)
        z.set_()
        got += [tuple(z.shape), z._version]
        w = lib.zeros(4, dtype=lib.float64)
        w.set_(lib.arange(6.0, dtype=lib.float64).view(2, 3)[:, 1:])
        got += [w.numpy().tolist(), tuple(w.shape)]
        with lib.no_grad():
            p = lib.zeros(2, dtype=lib.float64, requires_grad=True)
            p.set_(lib.ones(3, dtype=lib.float64))
        got += [p.detach().numpy().tolist(), p._version, p.requires_grad]
        return got

    assert run(ag) == run(torch)
    for lib in (ag, torch):  # a leaf that requires grad, while recording: RuntimeError in both
        with pytest.raises(RuntimeError, match="leaf Variable"):
            lib.zeros(2, requires_grad=True).set_(lib.ones(2))
