"""torch's descriptive Tensor methods (autograd/torch_metadata_names.py) without torch: layouts against numpy's,
the in-place methods' effects and version bumps, and every refusal. The comparisons with torch itself are in
test_torch_metadata_names_torch.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import Function, Tensor
from autograd.torch_metadata_names import AmbiguousTruthValueError

GRID = np.arange(24.0).reshape(2, 3, 4)


# -- layout ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "view",
    [
        lambda x: x,
        lambda x: x.swapaxes(0, 2),
        lambda x: x[:, ::2, 1:],
        lambda x: x[::-1],
        lambda x: x[1],
        lambda x: Tensor(np.ones((3, 1))).expand(3, 4),
    ],
    ids=["whole", "swapaxes", "step_slice", "reversed", "index", "expand"],
)
def test_stride_is_numpys_byte_strides_in_elements(view):
    tensor = view(Tensor(GRID))
    expected = tuple(step // tensor.data.itemsize for step in tensor.data.strides)
    assert tensor.stride() == expected
    assert [tensor.stride(dim) for dim in range(tensor.ndim)] == list(expected)
    assert tensor.stride(-1) == expected[-1]


def test_a_new_empty_tensor_has_torchs_contiguous_strides_not_numpys_zeros():
    assert np.zeros((2, 0, 3)).strides == (0, 0, 0)  # numpy's; torch.zeros(2, 0, 3).stride() is (3, 3, 1)
    assert Tensor(np.zeros((2, 0, 3))).stride() == (3, 3, 1)
    assert Tensor(np.zeros((0, 3))).stride() == (3, 1)


def test_stride_refuses_a_dim_out_of_range_or_not_an_integer():
    with pytest.raises(IndexError, match="stride"):
        Tensor(GRID).stride(3)
    with pytest.raises(IndexError, match="no dimensions"):
        Tensor(1.0).stride(-1)
    with pytest.raises(TypeError, match="integer"):
        Tensor(GRID).stride(True)


def test_storage_offset_counts_elements_from_the_start_of_the_base_array():
    base = np.arange(20.0)
    assert Tensor(base).storage_offset() == 0
    assert ag.from_numpy(base[3:]).storage_offset() == 3
    assert ag.from_numpy(base.reshape(4, 5)[1:, 2:]).storage_offset() == 7
    assert Tensor(GRID)[1, 2:].storage_offset() == 20
    assert Tensor(GRID)[:, 1].storage_offset() == 4
    assert Tensor(GRID)[1, 2:].clone().storage_offset() == 0


def test_storage_offset_of_a_view_of_a_transposed_owner_counts_in_memory_order():
    owner = np.asfortranarray(np.arange(12.0).reshape(3, 4))  # owns its memory, column by column
    assert ag.from_numpy(owner[:, 1:]).storage_offset() == 3


def test_data_ptr_is_the_address_of_the_first_element():
    base = np.arange(6, dtype=np.float32)
    tensor = ag.from_numpy(base)
    assert tensor.data_ptr() == base.ctypes.data
    assert tensor[2:].data_ptr() == base.ctypes.data + 2 * 4
    assert type(tensor.data_ptr()) is int


def test_is_contiguous_follows_numpys_c_contiguity():
    tensor = Tensor(GRID)
    assert tensor.is_contiguous() is True
    assert tensor.mT.is_contiguous() is False
    assert tensor[:, ::2].is_contiguous() is False
    assert tensor[1].is_contiguous() is True
    assert tensor[:, :1].mT.is_contiguous() is False
    assert Tensor(np.zeros((3, 1))).mT.is_contiguous() is True  # a length-1 axis's stride does not count
    assert tensor.mT.contiguous().is_contiguous() is True


def test_is_contiguous_takes_the_contiguous_and_channels_last_memory_formats_by_keyword():
    class MemoryFormat:  # what str(torch.channels_last) gives, without torch
        def __init__(self, name):
            self.name = name

        def __str__(self):
            return f"torch.{self.name}"

    assert Tensor(GRID).is_contiguous(memory_format=MemoryFormat("contiguous_format")) is True
    assert Tensor(GRID).is_contiguous(memory_format=MemoryFormat("channels_last")) is False  # not 4-D, as torch's
    with pytest.raises(ValueError, match="preserve_format"):
        Tensor(GRID).is_contiguous(memory_format=MemoryFormat("preserve_format"))
    with pytest.raises(TypeError):
        Tensor(GRID).is_contiguous(MemoryFormat("contiguous_format"))


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (lambda x: x, (0, 1, 2)),
        (lambda x: x.mT, (0, 2, 1)),
        (lambda x: x.permute(2, 0, 1), (1, 2, 0)),
        (lambda x: x[:, ::2], (0, 1, 2)),
        (lambda x: x[0], (0, 1)),
        (lambda x: x[0, 0, 0], ()),
        (lambda x: x[0, 0], (0,)),
    ],
)
def test_dim_order_lists_the_axes_outermost_first(view, expected):
    assert view(Tensor(GRID)).dim_order() == expected


def test_dim_order_ambiguity_check_refuses_length_one_axes_and_equal_strides():
    assert Tensor(GRID).dim_order(ambiguity_check=True) == (0, 1, 2)
    with pytest.raises(ValueError, match="no unique dim order"):
        Tensor(np.zeros((1, 3))).dim_order(ambiguity_check=True)
    with pytest.raises(ValueError, match="no unique dim order"):
        Tensor(np.zeros((3, 1))).expand(3, 4).mT.dim_order(ambiguity_check=True)
    with pytest.raises(TypeError, match="bool"):
        Tensor(GRID).dim_order(ambiguity_check="yes")


def test_dim_order_ambiguity_is_also_torchs_runtime_error():
    # torch's own docstring example catches it with `except RuntimeError`
    with pytest.raises(RuntimeError, match="no unique dim order"):
        ag.empty((1, 2, 3, 4)).dim_order(ambiguity_check=True)


def test_is_set_to_needs_the_same_memory_place_shape_and_strides():
    base = np.arange(6.0)
    tensor = ag.from_numpy(base)
    assert tensor.is_set_to(tensor.detach())
    assert tensor.is_set_to(ag.from_numpy(base))
    assert tensor.is_set_to(base)
    assert tensor.is_set_to(tensor.view(6))
    assert not tensor.is_set_to(tensor.clone())
    assert not tensor.is_set_to(tensor.view(2, 3))
    assert not tensor.is_set_to(tensor[1:])
    assert not tensor.view(2, 3).is_set_to(tensor.view(3, 2).mT)
    with pytest.raises(TypeError, match="Tensor"):
        tensor.is_set_to([0.0, 1.0])


# -- sizes and dtypes ------------------------------------------------------------------------------
def test_sizes_are_python_ints():
    tensor = Tensor(GRID.astype(np.float32))[:, ::2]
    assert (tensor.element_size(), tensor.itemsize, tensor.nbytes) == (4, 4, 16 * 4)
    assert all(type(size) is int for size in (tensor.element_size(), tensor.itemsize, tensor.nbytes))
    assert (tensor.ndimension(), tensor.nelement()) == (3, 16)


@pytest.mark.parametrize(
    ("dtype", "floating", "signed"),
    [
        (np.float16, True, True),
        (np.float64, True, True),
        (np.int8, False, True),
        (np.int64, False, True),
        (np.uint8, False, False),
        (np.bool_, False, False),
    ],
)
def test_dtype_predicates(dtype, floating, signed):
    tensor = Tensor(np.zeros(2, dtype=dtype))
    assert tensor.is_floating_point() is floating
    assert tensor.is_signed() is signed
    assert tensor.is_complex() is False


def test_is_same_size_compares_shapes_with_a_tensor_or_an_array():
    tensor = Tensor(np.zeros((2, 3)))
    assert tensor.is_same_size(Tensor(np.ones((2, 3), dtype=np.int64)))
    assert tensor.is_same_size(np.zeros((2, 3)))
    assert not tensor.is_same_size(tensor.mT)
    with pytest.raises(TypeError, match="is_same_size"):
        tensor.is_same_size((2, 3))


@pytest.mark.parametrize(("value", "expected"), [(0.0, False), ([-2], True), ([[float("nan")]], True), (False, False)])
def test_is_nonzero_of_one_element(value, expected):
    assert Tensor(value).is_nonzero() is expected


@pytest.mark.parametrize(("shape", "words"), [((0,), "no values"), ((2,), "more than one value")])
def test_is_nonzero_refuses_other_sizes_as_a_value_error_and_torchs_runtime_error(shape, words):
    with pytest.raises(AmbiguousTruthValueError, match=words) as error:
        Tensor(np.zeros(shape)).is_nonzero()
    assert isinstance(error.value, ValueError) and isinstance(error.value, RuntimeError)


@pytest.mark.parametrize(("method", "dtype"), [("byte", np.uint8), ("char", np.int8), ("short", np.int16)])
def test_integer_conversions_truncate_and_pass_no_gradient(method, dtype):
    tensor = Tensor([1.7, -1.7, 3.0], requires_grad=True)
    converted = getattr(tensor, method)()
    assert converted.dtype == dtype and not converted.requires_grad
    np.testing.assert_array_equal(converted.data, np.array([1, -1, 3]).astype(dtype))


@pytest.mark.parametrize(
    ("method", "dtype"),
    [("bfloat16", "bfloat16"), ("cfloat", "complex64"), ("cdouble", "complex128"), ("chalf", "complex32")],
)
def test_unsupported_dtype_conversions_say_which_dtype(method, dtype):
    with pytest.raises(TypeError, match=f"{method}: not supported.*{dtype}"):
        getattr(Tensor([1.0]), method)()


# -- device and kind --------------------------------------------------------------------------------
def test_every_tensor_is_a_dense_cpu_tensor_outside_inference_mode():
    tensor = Tensor(GRID)
    assert tensor.get_device() == -1 and tensor.is_cpu is True
    assert not any([tensor.is_cuda, tensor.is_meta, tensor.is_sparse, tensor.is_quantized, tensor.is_mkldnn])
    assert tensor.is_nested is False and tensor.is_inference() is False


class PolarToCartesian(Function):
    @staticmethod
    def forward(ctx, radius, angle):
        return radius * np.cos(angle.data), radius * np.sin(angle.data)

    @staticmethod
    def backward(ctx, grad_x, grad_y):
        return grad_x + grad_y, None


def test_output_nr_is_the_position_among_a_calls_outputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert x.output_nr == 0 and (x * 2).output_nr == 0
    first, second = PolarToCartesian.apply(x, Tensor([0.5, 0.25]))
    assert (first.output_nr, second.output_nr) == (0, 1)


# -- conjugate transposes ---------------------------------------------------------------------------
def test_conjugate_transposes_swap_the_last_two_axes_and_pass_the_gradient_back():
    tensor = Tensor(GRID, requires_grad=True)
    np.testing.assert_array_equal(tensor.mH.data, GRID.swapaxes(-1, -2))
    np.testing.assert_array_equal(tensor.adjoint().data, GRID.swapaxes(-1, -2))
    np.testing.assert_array_equal(tensor[0].H.data, GRID[0].T)
    weights = np.arange(24.0).reshape(2, 4, 3)
    (tensor.mH * weights).sum().backward()
    np.testing.assert_array_equal(tensor.grad, weights.swapaxes(-1, -2))


def test_conjugate_transposes_refuse_what_is_not_a_matrix():
    with pytest.raises(ValueError, match="mH: .*1-D"):
        _ = Tensor([1.0, 2.0]).mH
    with pytest.raises(ValueError, match="adjoint: .*1-D"):
        Tensor([1.0, 2.0]).adjoint()
    with pytest.raises(ValueError, match="H: .*3-D.*mH"):
        _ = Tensor(GRID).H


def test_conjugate_transposes_of_a_0d_tensor_warn_and_give_it_back():
    scalar = Tensor(2.0)
    for name in ("mH", "H"):
        with pytest.warns(UserWarning, match=f"{name} is deprecated on 0-D"):
            assert getattr(scalar, name) is scalar
    with pytest.warns(UserWarning, match="adjoint is deprecated on 0-D"):
        assert scalar.adjoint() is scalar


# -- new_empty ----------------------------------------------------------------------------------------
def test_new_empty_is_a_leaf_of_zeros_of_this_dtype():
    tensor = Tensor(np.ones(2, dtype=np.float32))
    empty = tensor.new_empty(2, 3)
    assert empty.shape == (2, 3) and empty.dtype == np.float32 and not empty.data.any()
    assert tensor.new_empty((4,), dtype=np.int64).dtype == np.int64
    assert tensor.new_empty(()).shape == ()
    grown = tensor.new_empty(3, requires_grad=True)
    assert grown.requires_grad and grown.is_leaf
    with pytest.raises(TypeError, match="floating point"):
        tensor.new_empty(3, dtype=np.int64, requires_grad=True)


# -- apply_ and map_ ------------------------------------------------------------------------------------
def test_apply_changes_each_element_in_place_and_bumps_the_version():
    tensor = Tensor([[1.0, -2.0], [3.0, 0.5]])
    data, seen = tensor._data, []

    def double(value):
        seen.append(type(value))
        return 2 * value

    assert tensor.apply_(double) is tensor
    assert tensor._data is data
    np.testing.assert_array_equal(data, [[2.0, -4.0], [6.0, 1.0]])
    assert seen == [float] * 4  # Python numbers, as torch passes
    assert tensor.version == 1


def test_apply_stores_results_in_the_tensors_dtype():
    integers = Tensor(np.array([1, -2, 3]))
    integers.apply_(lambda value: value * 1.7)
    np.testing.assert_array_equal(integers.data, [1, -3, 5])
    flags = Tensor(np.array([True, False]))
    flags.apply_(lambda value: 0 if value else 7)
    np.testing.assert_array_equal(flags.data, [False, True])


def test_apply_on_0d_and_empty_tensors():
    scalar = Tensor(3.0)
    scalar.apply_(lambda value: value + 1)
    assert scalar.item() == 4.0
    calls = []
    Tensor(np.zeros((0, 2))).apply_(calls.append)
    assert calls == []


def test_apply_through_a_view_changes_the_base():
    tensor = Tensor(np.zeros((2, 3)))
    tensor.mT[1:].apply_(lambda value: 5.0)
    np.testing.assert_array_equal(tensor.data, [[0, 5, 5], [0, 5, 5]])


def test_apply_refuses_results_that_are_not_real_numbers():
    tensor = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="real number, not str"):
        tensor.apply_(str)
    with pytest.raises(TypeError, match="real number, not NoneType"):
        tensor.apply_(lambda value: None)
    np.testing.assert_array_equal(tensor.data, [1.0, 2.0])
    assert tensor.version == 0


def test_apply_and_map_refuse_a_tensor_that_requires_grad_or_is_read_only():
    parameter = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call apply_\(\) on Variable that requires grad"):
        parameter.apply_(abs)
    with pytest.raises(RuntimeError, match=r"Can't call map_\(\) on Variable that requires grad"):
        parameter.map_(Tensor([1.0]), max)
    with pytest.raises(RuntimeError, match="map_.*requires grad"):
        Tensor([1.0]).map_(parameter, max)
    with pytest.raises(ValueError, match="read-only"):
        Tensor(np.ones((3, 1))).expand(3, 2).apply_(abs)
    parameter.detach().apply_(lambda value: 7.0)  # torch's way round it
    assert parameter.item() == 7.0


def test_a_change_through_apply_makes_a_backward_that_saved_the_old_values_fail():
    weight = Tensor([1.0, 2.0], requires_grad=True)
    inputs = Tensor([3.0, 4.0])
    loss = (weight * inputs).sum()
    inputs.apply_(lambda value: 0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_map_pairs_each_element_with_the_broadcast_other():
    tensor = Tensor(np.arange(6.0).reshape(2, 3))
    assert tensor.map_(np.array([10.0, 20.0, 30.0]), lambda x, y: x + y) is tensor
    np.testing.assert_array_equal(tensor.data, [[10, 21, 32], [13, 24, 35]])
    assert tensor.version == 1


def test_map_refuses_another_dtype_or_a_shape_that_does_not_broadcast():
    tensor = Tensor(np.zeros(3))
    with pytest.raises(TypeError, match="float64.*int64"):
        tensor.map_(Tensor(np.arange(3)), max)
    with pytest.raises(ValueError, match=r"\(2,\) cannot be broadcast to shape \(3,\)"):
        tensor.map_(Tensor(np.zeros(2)), max)
    with pytest.raises(TypeError, match="Tensor"):
        tensor.map_([1.0, 2.0, 3.0], max)


# -- resize_ ----------------------------------------------------------------------------------------
def test_resize_to_the_same_number_of_elements_reshapes_the_same_memory():
    tensor = Tensor(np.arange(6.0))
    memory = tensor.data
    assert tensor.resize_(2, 3) is tensor
    np.testing.assert_array_equal(tensor.data, [[0, 1, 2], [3, 4, 5]])
    assert np.shares_memory(tensor.data, memory)
    assert tensor.version == 1
    tensor.resize_((3, 2))
    assert tensor.shape == (3, 2) and tensor.version == 2


def test_resize_to_the_same_shape_changes_nothing():
    tensor = Tensor(GRID).mT
    strides = tensor.stride()
    tensor.resize_(2, 4, 3)
    assert tensor.stride() == strides and tensor.version == 0


def test_resize_reads_a_transposed_tensor_in_memory_order():
    tensor = Tensor(np.arange(6.0).reshape(2, 3)).mT
    tensor.resize_(6)
    np.testing.assert_array_equal(tensor.data, np.arange(6.0))


def test_resize_shrinks_to_a_view_and_grows_with_zeros_after_the_old_memory():
    base = np.arange(6.0)
    tensor = ag.from_numpy(base)[2:]
    tensor.resize_(2)
    np.testing.assert_array_equal(tensor.data, [2.0, 3.0])
    assert np.shares_memory(tensor.data, base) and tensor.storage_offset() == 2
    tensor.resize_(3, 2)
    np.testing.assert_array_equal(tensor.data, [[2.0, 3.0], [4.0, 5.0], [0.0, 0.0]])
    assert tensor.storage_offset() == 2 and tensor.dtype == np.float64


def test_resize_as_takes_the_shape_of_a_tensor_or_an_array():
    tensor = Tensor(np.arange(4.0))
    tensor.resize_as_(Tensor(np.zeros((2, 2))))
    assert tensor.shape == (2, 2)
    tensor.resize_as_(np.zeros(1))
    np.testing.assert_array_equal(tensor.data, [0.0])


def test_resize_refuses_bad_sizes_a_tensor_that_requires_grad_and_other_memory_formats():
    tensor = Tensor(np.zeros(4))
    with pytest.raises(ValueError, match="negative dimension"):
        tensor.resize_(-1, 2)
    with pytest.raises(TypeError, match="integers, got float"):
        tensor.resize_(2.5)
    with pytest.raises(ValueError, match="memory_format"):
        tensor.resize_(2, memory_format="torch.channels_last")
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        Tensor(np.zeros(4), requires_grad=True).resize_(2)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        Tensor(np.zeros(4), requires_grad=True).resize_as_(tensor)
    assert tensor.shape == (4,) and tensor.version == 0


def test_a_resize_makes_a_backward_that_saved_the_tensor_fail():
    weight = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    inputs = Tensor([3.0, 4.0, 5.0])
    loss = (weight * inputs).sum()
    inputs.resize_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_no_warning_is_raised_by_the_descriptive_methods():
    tensor = Tensor(GRID)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tensor.stride(), tensor.storage_offset(), tensor.dim_order(), tensor.is_contiguous(), tensor.mH
