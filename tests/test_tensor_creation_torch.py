"""Tensor creation and conversion against torch 2.13: the warnings, dtypes and values torch's factories give for
the inputs a ported test suite makes its tensors from (``tensor`` of a Tensor, ``full`` of a 0-d Tensor, ranges
whose values overflow the dtype or whose ends are infinite). The tests that read torch skip without it."""

import warnings

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

COPY_CONSTRUCT = "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone()"


def _warning_texts(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor(m.ones(2)),
        lambda m: m.tensor(m.ones(2, requires_grad=True)),
        lambda m: m.tensor(m.tensor(3.0), dtype=m.float32),
        lambda m: m.tensor(m.ones(2), requires_grad=True),
        lambda m: m.ones(2).new_tensor(m.ones(2)),
    ],
)
def test_tensor_of_a_tensor_warns_to_detach_and_clone_as_torchs(make):
    (theirs,) = _warning_texts(lambda: make(torch))
    ours = _warning_texts(lambda: make(autograd))
    assert theirs.startswith(COPY_CONSTRUCT)
    assert len(ours) == 1 and ours[0].startswith(COPY_CONSTRUCT)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1.0, 2.0]),
        lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
        lambda m: m.tensor(np.ones(2)),
        lambda m: m.as_tensor(m.ones(2)),
        lambda m: m.ones(2).new_tensor([1.0]),
    ],
)
def test_tensor_of_other_data_does_not_warn(make):
    assert _warning_texts(lambda: make(torch)) == []
    assert _warning_texts(lambda: make(autograd)) == []


def test_the_copy_of_a_tensor_is_a_detached_leaf_as_torchs():
    source = autograd.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="To copy construct"):
        copy = autograd.tensor(source)
    assert copy.is_leaf and not copy.requires_grad and copy.grad_fn is None
    copy.data[0] = 5.0
    assert source.data[0] == 1.0


INFINITE_ENDS = [(0.0, np.inf), (1.5, -np.inf), (-np.inf, np.inf), (np.inf, np.inf), (0.0, np.nan), (np.inf, 0.0)]


@pytest.mark.parametrize("steps", [1, 2, 3, 4])
@pytest.mark.parametrize(("start", "end"), INFINITE_ENDS)
@pytest.mark.parametrize("range_op", ["linspace", "logspace"])
def test_ranges_with_an_infinite_or_nan_end_compute_without_numpy_warnings(range_op, start, end, steps):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = getattr(autograd, range_op)(start, end, steps, dtype=autograd.float32)
    assert values.shape == (steps,) and values.dtype == np.float32


@pytest.mark.parametrize(("start", "end"), INFINITE_ENDS + [(2.0, 5.0)])
def test_linspace_of_one_step_is_its_start_as_torchs(start, end):
    expected = torch.linspace(start, end, 1, dtype=torch.float64).numpy()
    np.testing.assert_array_equal(autograd.linspace(start, end, 1).data, expected)
    assert expected[0] == start or np.isnan(start)


@pytest.mark.parametrize(("start", "end"), [(0.0, np.inf), (1.5, -np.inf), (0.0, np.nan)])
def test_linspace_starts_at_its_start_where_its_step_is_infinite(start, end):
    values = autograd.linspace(start, end, 4).data
    assert values[0] == start
    assert values[-1] == end or np.isnan(end)


@pytest.mark.parametrize(
    ("start", "end", "step", "dtype"),
    [(0, 1e300, 1e299, "float32"), (0.0, 1e39, 1e38, "float32"), (0, 1e5, 1e4, "float16"), (-7e4, 0, 1e4, "float16")],
)
def test_arange_past_the_dtypes_range_is_inf_without_a_warning_as_torchs(start, end, step, dtype):
    expected = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = autograd.arange(start, end, step, dtype=getattr(autograd, dtype))
    np.testing.assert_array_equal(ours.data, expected)


@pytest.mark.parametrize(
    "fill",
    [
        lambda m: m.tensor(2, dtype=m.int8),
        lambda m: m.tensor(1.5, dtype=m.float16),
        lambda m: m.tensor(1.5, dtype=m.float32),
        lambda m: m.tensor(True),
        lambda m: m.tensor(7),
    ],
)
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_full_of_a_0d_tensor_takes_the_dtype_of_the_number_it_holds_as_torchs(fill, default):
    saved = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, default))
    autograd.set_default_dtype(getattr(autograd, default))
    try:
        theirs = torch.full((2,), fill(torch))
        ours = autograd.full((2,), fill(autograd))
    finally:
        torch.set_default_dtype(saved)
        autograd.set_default_dtype(np.float64)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("name", ["uint16", "uint32", "uint64"])
def test_torchs_unsigned_dtype_names_are_numpys_dtypes(name):
    made = autograd.tensor([1, 2], dtype=getattr(autograd, name))
    assert made.dtype == np.dtype(name) and made.element_size() == getattr(torch, name).itemsize
    assert str(getattr(torch, name)) == f"torch.{made.dtype}"
    assert autograd.from_numpy(np.zeros(2, dtype=name)).dtype == getattr(autograd, name)


@pytest.mark.parametrize(
    "name", ["strided", "contiguous_format", "preserve_format", "channels_last", "channels_last_3d"]
)
def test_torchs_layout_and_memory_format_names_print_as_torchs(name):
    assert str(getattr(autograd, name)) == str(getattr(torch, name))


def test_memory_format_and_layout_names_are_taken_where_torch_takes_them():
    x = autograd.zeros(2, 3, 4, 5, layout=autograd.strided)
    assert x.layout == autograd.strided
    theirs = torch.zeros(2, 3, 4, 5).contiguous(memory_format=torch.channels_last)
    for converted in (
        x.contiguous(memory_format=autograd.channels_last),
        x.to(memory_format=autograd.channels_last),
        x.clone(memory_format=autograd.channels_last),
    ):
        assert converted.stride() == theirs.stride()
    assert autograd.empty_like(x, memory_format=autograd.preserve_format).shape == (2, 3, 4, 5)
    assert x.clone(memory_format=autograd.contiguous_format).is_contiguous(memory_format=autograd.contiguous_format)
    cube = autograd.zeros(1, 2, 3, 4, 5).contiguous(memory_format=autograd.channels_last_3d)
    assert cube.stride() == torch.zeros(1, 2, 3, 4, 5).contiguous(memory_format=torch.channels_last_3d).stride()


@pytest.mark.parametrize(
    ("shape", "make"),
    [
        ((2, 3, 4, 5), lambda x, m: x),
        ((2, 3, 4, 5), lambda x, m: x.contiguous(memory_format=m.channels_last)),
        ((2, 3, 4, 5), lambda x, m: x.permute(0, 2, 3, 1)),
        ((1, 3, 1, 1), lambda x, m: x),
        ((2, 1, 4, 5), lambda x, m: x),
        ((3,), lambda x, m: x),
        ((1, 3, 4, 5), lambda x, m: x.contiguous(memory_format=m.channels_last)[:, :, :2]),
        ((2, 3, 4, 5, 6), lambda x, m: x.contiguous(memory_format=m.channels_last_3d)),
        ((2, 3, 4, 5, 6), lambda x, m: x),
    ],
)
@pytest.mark.parametrize("memory_format", ["channels_last", "channels_last_3d"])
def test_is_contiguous_in_a_channels_last_format_as_torchs(shape, make, memory_format):
    ours = make(autograd.zeros(*shape), autograd)
    theirs = make(torch.zeros(*shape), torch)
    assert ours.stride() == theirs.stride()
    expected = theirs.is_contiguous(memory_format=getattr(torch, memory_format))
    assert ours.is_contiguous(memory_format=getattr(autograd, memory_format)) == expected


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1], 2], [1, [2]], [[[1]], [2]], [[1.0, 2.0], 3.0]])
def test_nested_lists_of_uneven_depth_or_length_raise_torchs_error_class(data):
    with pytest.raises(Exception) as theirs:
        torch.tensor(data)
    with pytest.raises(theirs.type, match="ragged"):
        autograd.tensor(data)
    with pytest.raises(ValueError, match="ragged"):  # numpy's class for any ragged list, as before
        autograd.tensor(data)


@pytest.mark.parametrize(
    "draw",
    [
        lambda m: m.randperm(5, dtype=m.bool),
        lambda m: m.randperm(2, dtype=m.bool),
        lambda m: m.randperm(0, dtype=m.bool),
        lambda m: m.normal(0.0, 1.0, (2,), dtype=m.int64),
        lambda m: m.normal(0.0, 1.0, (2,), dtype=m.bool),
        lambda m: m.normal(m.zeros(2, dtype=m.int64), 1.0),
        lambda m: m.normal(0.0, m.ones(2, dtype=m.int64)),
        lambda m: m.normal(m.zeros(2, dtype=m.bool), m.ones(2, dtype=m.bool)),
        lambda m: m.randn(2, dtype=m.int32),
        lambda m: m.rand(2, dtype=m.bool),
    ],
)
def test_random_draws_in_a_dtype_torch_has_no_kernel_for_raise_its_not_implemented_error(draw):
    with pytest.raises(NotImplementedError):
        draw(torch)
    with pytest.raises(NotImplementedError):
        draw(autograd)


@pytest.mark.parametrize("fill", ["uniform_", "normal_", "log_normal_"])
@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool"])
def test_floating_random_fills_of_an_integer_or_bool_tensor_raise_torchs_not_implemented_error(fill, dtype):
    with pytest.raises(NotImplementedError):
        getattr(torch.zeros(2, dtype=getattr(torch, dtype)), fill)()
    ours = autograd.zeros(2, dtype=getattr(autograd, dtype))
    with pytest.raises(NotImplementedError, match=fill):
        getattr(ours, fill)()
    assert not ours.data.any()


@pytest.mark.parametrize("name", ["torch.cuda.FloatTensor", "torch.cuda.LongTensor"])
def test_type_to_a_cuda_tensor_type_is_refused_as_cuda_is(name):
    with pytest.raises(RuntimeError):
        torch.zeros(2).type(name)
    with pytest.raises(RuntimeError, match="GPU"):
        autograd.zeros(2).type(name)
    assert autograd.zeros(2).type("torch.FloatTensor").dtype == np.float32


FACTORIES_WITH_OUT = {
    "zeros": lambda m, out, **kw: m.zeros(2, 3, out=out, **kw),
    "ones": lambda m, out, **kw: m.ones((4,), out=out, **kw),
    "empty": lambda m, out, **kw: m.empty(0, out=out, **kw),
    "full": lambda m, out, **kw: m.full((2,), 1.5, out=out, **kw),
    "arange": lambda m, out, **kw: m.arange(0, 2, 0.5, out=out, **kw),
    "arange of ints": lambda m, out, **kw: m.arange(5, out=out, **kw),
    "eye": lambda m, out, **kw: m.eye(3, 2, out=out, **kw),
    "linspace": lambda m, out, **kw: m.linspace(0, 1, 5, out=out, **kw),
}


@pytest.mark.parametrize("out_shape", [(0,), (3,), (2, 3), (10,)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "float16"])
@pytest.mark.parametrize("factory", FACTORIES_WITH_OUT)
def test_factories_write_into_out_in_its_dtype_and_return_it_as_torchs(factory, dtype, out_shape):
    make = FACTORIES_WITH_OUT[factory]
    if factory == "arange" and dtype == "int64":  # torch's int64 arange truncates the step 0.5 to 0 and refuses it
        with pytest.raises(ValueError):
            make(torch, torch.zeros(out_shape, dtype=torch.int64))
        with pytest.raises(ValueError):
            make(autograd, autograd.zeros(out_shape, dtype=autograd.int64))
        return
    theirs_out = torch.zeros(out_shape, dtype=getattr(torch, dtype))
    ours_out = autograd.zeros(out_shape, dtype=getattr(autograd, dtype))
    theirs_warnings, ours_warnings = _warning_texts(lambda: make(torch, theirs_out)), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = make(autograd, ours_out)
        ours_warnings = [str(w.message) for w in caught]
    theirs = theirs_out
    assert len(ours_warnings) == len(theirs_warnings)  # (arange's resize of an out of another element count)
    assert ours is ours_out
    assert ours.dtype == np.dtype(dtype) and ours.shape == tuple(theirs.shape)
    if factory != "empty":
        np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("factory", FACTORIES_WITH_OUT)
def test_a_factorys_dtype_other_than_outs_is_torchs_runtime_error(factory):
    make = FACTORIES_WITH_OUT[factory]
    with pytest.raises(RuntimeError):
        make(torch, torch.zeros(3), dtype=torch.int64)
    with pytest.raises(RuntimeError, match="out"):
        make(autograd, autograd.zeros(3), dtype=autograd.int64)
    assert make(autograd, autograd.zeros(3), dtype=autograd.float64).dtype == np.float64


def test_a_factorys_out_that_requires_grad_is_refused_while_recording_as_torchs():
    with pytest.raises(RuntimeError):
        torch.zeros(2, out=torch.empty(2, requires_grad=True))
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        autograd.zeros(2, out=autograd.empty(2, requires_grad=True))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("draw", ["rand", "randn"])
def test_random_factories_draw_into_out_in_its_dtype_as_torchs(draw, dtype):
    theirs_out, ours_out = (
        torch.zeros(3, dtype=getattr(torch, dtype)),
        autograd.zeros(3, dtype=getattr(autograd, dtype)),
    )
    theirs = getattr(torch, draw)(2, 5, out=theirs_out, generator=torch.Generator().manual_seed(0))
    ours = getattr(autograd, draw)(2, 5, out=ours_out, generator=autograd.Generator().manual_seed(0))
    assert ours is ours_out and theirs is theirs_out
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.dtype(dtype)
    assert ours.data.any() and (draw == "randn" or ((ours.data >= 0) & (ours.data < 1)).all())
    with pytest.raises(RuntimeError):
        getattr(autograd, draw)(2, out=ours_out, dtype=autograd.int64 if dtype != "float64" else autograd.float32)
