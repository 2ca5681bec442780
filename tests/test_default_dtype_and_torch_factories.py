"""The factories' default floating dtype (``get_default_dtype``/``set_default_dtype``), ``autograd.normal``,
torch's ``size=`` and ``arange(start=, end=, step=)`` spellings, ``autograd.device`` and the ``new_*`` methods'
torch keywords. The tests that read torch skip without it; every test leaves both defaults as it found them."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Generator, Tensor, no_grad

FLOATING = [np.float16, np.float32, np.float64]


@pytest.fixture(autouse=True)
def restored_default_dtype():
    previous = autograd.get_default_dtype()
    yield
    autograd.set_default_dtype(previous)


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    yield torch
    torch.set_default_dtype(previous)


def _same_default(torch, dtype):
    """Both libraries' default floating dtype set to ``dtype`` (a numpy float type)."""
    autograd.set_default_dtype(dtype)
    torch.set_default_dtype(getattr(torch, np.dtype(dtype).name))


def _torch_dtype_name(tensor):
    return str(tensor.dtype).removeprefix("torch.")


# -- get_default_dtype / set_default_dtype -----------------------------------------------------------------------
def test_the_default_dtype_starts_as_numpys_float64():
    assert autograd.get_default_dtype() == np.float64
    assert isinstance(autograd.get_default_dtype(), np.dtype)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        (np.float32, np.float32),
        (np.dtype(np.float16), np.float16),
        ("float64", np.float64),
        ("float32", np.float32),
        (autograd.float32, np.float32),
        (autograd.double, np.float64),
        (autograd.half, np.float16),
    ],
)
def test_set_default_dtype_takes_a_floating_dtype_in_the_librarys_spellings(spelling, expected):
    assert autograd.set_default_dtype(spelling) is None
    assert autograd.get_default_dtype() == expected


@pytest.mark.parametrize("refused", [np.int64, np.int32, np.bool_, "int64", autograd.long, None, "not a dtype", 1.5])
def test_set_default_dtype_refuses_non_floating_dtypes_with_a_type_error(refused):
    with pytest.raises(TypeError, match=r"^set_default_dtype: only floating-point types are supported"):
        autograd.set_default_dtype(refused)


def test_set_default_dtype_refuses_floating_dtypes_torch_does_not_have():
    with pytest.raises(TypeError, match="set_default_dtype"):
        autograd.set_default_dtype(np.longdouble if np.dtype(np.longdouble).itemsize > 8 else "float128")


def test_a_refused_dtype_leaves_the_default_as_it_was():
    autograd.set_default_dtype(np.float32)
    with pytest.raises(TypeError):
        autograd.set_default_dtype(np.int64)
    assert autograd.get_default_dtype() == np.float32


# -- which factories follow the default --------------------------------------------------------------------------
#: Every factory call that makes floating data without a dtype: it gives the default dtype.
FLOATING_FACTORIES = {
    "zeros": lambda: autograd.zeros(2, 3),
    "ones": lambda: autograd.ones((2, 3)),
    "empty": lambda: autograd.empty(size=(2,)),
    "full of a float": lambda: autograd.full((2,), 1.5),
    "rand": lambda: autograd.rand(2, generator=0),
    "randn": lambda: autograd.randn(2, generator=0),
    "normal of numbers": lambda: autograd.normal(0.0, 1.0, size=(2,), generator=0),
    "linspace": lambda: autograd.linspace(0, 1, 5),
    "logspace": lambda: autograd.logspace(0, 1, 5),
    "arange of a float": lambda: autograd.arange(3.0),
    "arange of a float step": lambda: autograd.arange(0, 1, 0.25),
    "arange of float keywords": lambda: autograd.arange(start=0, end=1.5, step=0.5),
    "eye": lambda: autograd.eye(3),
    "tensor of a float": lambda: autograd.tensor(1.5),
    "tensor of a list of floats": lambda: autograd.tensor([1.0, 2.0]),
    "tensor of nested mixed numbers": lambda: autograd.tensor([[1, 2.5], [True, 4]]),
    "tensor of an empty list": lambda: autograd.tensor([]),
    "tensor of empty rows": lambda: autograd.tensor([[], []]),
    "as_tensor of a float": lambda: autograd.as_tensor(2.0),
    "as_tensor of a list of floats": lambda: autograd.as_tensor([1.0, 2]),
}


@pytest.mark.parametrize("default", FLOATING)
@pytest.mark.parametrize("name", FLOATING_FACTORIES)
def test_floating_factories_give_the_default_dtype(name, default):
    autograd.set_default_dtype(default)
    assert FLOATING_FACTORIES[name]().dtype == default


@pytest.mark.parametrize("name", FLOATING_FACTORIES)
def test_under_numpys_default_the_factories_give_what_numpy_gives(name):
    assert FLOATING_FACTORIES[name]().dtype == np.float64


#: Factory calls whose dtype does not depend on the default, and that dtype.
FIXED_DTYPES = {
    "arange of ints": (lambda: autograd.arange(3), np.int64),
    "arange of int keywords": (lambda: autograd.arange(start=0, end=5, step=2), np.int64),
    "full of an int": (lambda: autograd.full((2,), 1), np.int64),
    "full of a bool": (lambda: autograd.full((2,), True), np.bool_),
    "tensor of ints": (lambda: autograd.tensor([1, 2]), np.int64),
    "tensor of bools": (lambda: autograd.tensor([True, False]), np.bool_),
    "tensor of a float32 array": (lambda: autograd.tensor(np.array([1.0], dtype=np.float32)), np.float32),
    "tensor of a float64 array": (lambda: autograd.tensor(np.array([1.0])), np.float64),
    "tensor of a numpy float64": (lambda: autograd.tensor(np.float64(1.0)), np.float64),
    "tensor of a list holding a numpy float64": (lambda: autograd.tensor([np.float64(1.0), 2.0]), np.float64),
    "tensor of a Tensor": (lambda: autograd.tensor(Tensor(np.zeros(2, dtype=np.float16))), np.float16),
    "as_tensor of a float64 array": (lambda: autograd.as_tensor(np.array([1.0])), np.float64),
    "randint": (lambda: autograd.randint(5, (2,), generator=0), np.int64),
    "randperm": (lambda: autograd.randperm(3, generator=0), np.int64),
    "tril_indices": (lambda: autograd.tril_indices(2, 2), np.int64),
    "randn_like of float16": (lambda: autograd.randn_like(np.zeros(2, np.float16), generator=0), np.float16),
    "rand_like of float64": (lambda: autograd.rand_like(np.zeros(2), generator=0), np.float64),
    "zeros_like of float16": (lambda: autograd.zeros_like(np.zeros(2, np.float16)), np.float16),
    "ones_like of float64": (lambda: autograd.ones_like(np.zeros(2)), np.float64),
    "full_like of float16": (lambda: autograd.full_like(np.zeros(2, np.float16), 1.5), np.float16),
    "empty_like of float64": (lambda: autograd.empty_like(np.zeros(2)), np.float64),
    "normal of a float16 mean": (lambda: autograd.normal(Tensor(np.zeros(2, np.float16)), 1.0), np.float16),
}


@pytest.mark.parametrize("default", FLOATING)
@pytest.mark.parametrize("name", FIXED_DTYPES)
def test_integer_numpy_and_like_results_keep_their_own_dtype_under_any_default(name, default):
    autograd.set_default_dtype(default)
    call, expected = FIXED_DTYPES[name]
    assert call().dtype == expected


def test_as_tensor_still_shares_an_ndarray_under_another_default():
    autograd.set_default_dtype(np.float32)
    array = np.arange(3.0)
    shared = autograd.as_tensor(array)
    array[0] = 7.0
    assert shared.dtype == np.float64 and shared.data[0] == 7.0


def test_an_explicit_dtype_wins_over_the_default():
    autograd.set_default_dtype(np.float32)
    assert autograd.zeros(2, dtype=np.float64).dtype == np.float64
    assert autograd.randn(2, dtype=np.float16, generator=0).dtype == np.float16
    assert autograd.tensor([1.5], dtype=np.float64).dtype == np.float64
    assert autograd.full((2,), 1.5, dtype=np.int64).dtype == np.int64
    assert autograd.arange(0.0, 2.0, dtype=np.float64).dtype == np.float64


def test_a_float_too_large_for_the_default_becomes_inf_without_a_warning():
    autograd.set_default_dtype(np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(autograd.tensor([70000.0]).data).all()
        assert np.isinf(autograd.as_tensor(1e10).data)
    with pytest.raises(RuntimeError, match="without overflow"):  # full checks its fill value, as torch's does
        autograd.full((2,), 1e10)


def test_the_same_seed_gives_the_same_numbers_in_either_default():
    wide = autograd.randn(5, generator=Generator().manual_seed(3))
    autograd.set_default_dtype(np.float32)
    narrow = autograd.randn(5, generator=Generator().manual_seed(3))
    np.testing.assert_array_equal(narrow.data, wide.data.astype(np.float32))


def test_layers_keep_float32_whatever_the_default():
    for default in (np.float64, np.float16):
        autograd.set_default_dtype(default)
        layer = nn.Linear(2, 3, rng=0)
        assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32


def test_a_float32_default_makes_factories_and_layers_agree():
    layer = nn.Linear(2, 3, rng=0)
    with pytest.raises(TypeError, match="Linear: input dtype float64"):  # as torch's float64 input to a float32 layer
        layer(autograd.randn(4, 2, generator=0))
    autograd.set_default_dtype(np.float32)
    assert layer(autograd.randn(4, 2, generator=0)).dtype == np.float32
    assert layer(autograd.tensor([[0.5, 1.0]])).dtype == np.float32


# -- normal ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "shape"), [((2, 3), (2, 3)), ([4], (4,)), (5, (5,)), ((), ()), ((0, 2), (0, 2))])
def test_normal_of_two_numbers_has_the_given_size(size, shape):
    assert autograd.normal(1.0, 2.0, size, generator=0).shape == shape
    assert autograd.normal(1.0, 2.0, size=size, generator=0).shape == shape


def test_normal_of_two_numbers_takes_torchs_creation_keywords():
    sample = autograd.normal(0, 1, size=(3,), dtype=np.float32, requires_grad=True, device="cpu", generator=0)
    assert sample.dtype == np.float32 and sample.requires_grad and sample.is_leaf
    with pytest.raises(ValueError, match="^normal: device 'cuda' is not available"):
        autograd.normal(0.0, 1.0, size=(3,), device="cuda")


def test_normal_of_two_numbers_needs_a_size():
    with pytest.raises(TypeError, match=r"^normal: with a number mean and a number std, give the shape"):
        autograd.normal(0.0, 1.0)


@pytest.mark.parametrize(
    ("mean", "std", "shape"),
    [
        (np.zeros((2, 1)), np.ones(3), (2, 3)),
        (np.zeros(3), np.ones(3), (3,)),
        (np.zeros(()), np.ones(()), ()),
        (np.zeros(4), 2.0, (4,)),
        (1.0, np.ones((2, 2)), (2, 2)),
        (np.zeros(0), 1.0, (0,)),
    ],
)
def test_normal_of_tensors_has_their_broadcast_shape(mean, std, shape):
    as_tensors = [Tensor(value) if isinstance(value, np.ndarray) else value for value in (mean, std)]
    assert autograd.normal(*as_tensors, generator=0).shape == shape
    assert autograd.normal(mean, std, generator=0).shape == shape  # an ndarray reads as a tensor


def test_normal_of_a_tensor_mean_defaults_std_to_one():
    mean = Tensor(np.zeros(3))
    np.testing.assert_array_equal(autograd.normal(mean, generator=4).data, autograd.randn(3, generator=4).data)


def test_normal_of_tensors_takes_the_mean_tensors_dtype_else_the_std_tensors():
    low, high = Tensor(np.zeros(2, np.float32)), Tensor(np.ones(2))
    assert autograd.normal(low, high, generator=0).dtype == np.float32
    assert autograd.normal(high, low, generator=0).dtype == np.float64
    assert autograd.normal(0.0, low, generator=0).dtype == np.float32
    assert autograd.normal(low, 1.0, generator=0).dtype == np.float32


def test_normal_of_shapes_that_do_not_broadcast_is_a_value_error():
    with pytest.raises(ValueError, match=r"^normal: the shapes of mean \(2,\) and std \(3,\) do not broadcast"):
        autograd.normal(Tensor(np.zeros(2)), Tensor(np.ones(3)))


@pytest.mark.parametrize(
    ("keywords", "name"),
    [({"size": (2,)}, "size"), ({"dtype": np.float32}, "dtype"), ({"requires_grad": True}, "requires_grad")],
)
def test_normal_of_a_tensor_refuses_the_number_forms_keywords(keywords, name):
    with pytest.raises(TypeError, match=rf"^normal: {name}= is taken only with a number mean and a number std"):
        autograd.normal(Tensor(np.zeros(2)), 1.0, **keywords)


@pytest.mark.parametrize(
    "call",
    [
        lambda: autograd.normal(0.0, -1.0, size=(2,)),
        lambda: autograd.normal(0.0, float("nan"), size=(2,)),
        lambda: autograd.normal(Tensor(np.zeros(2)), -0.5),
        lambda: autograd.normal(Tensor(np.zeros(2)), Tensor([1.0, -1.0])),
        lambda: autograd.normal(0.0, Tensor([np.nan, 1.0])),
    ],
)
def test_normal_refuses_a_negative_or_nan_std(call):
    with pytest.raises(ValueError, match=r"^normal: std must be >= 0 everywhere"):
        call()


def test_normal_refuses_integer_tensors_and_other_types():
    with pytest.raises(TypeError, match=r"^normal: mean must be a floating-point tensor, got int64"):
        autograd.normal(Tensor(np.zeros(2, dtype=np.int64)), 1.0)
    with pytest.raises(TypeError, match=r"^normal: std must be a floating-point tensor, got int64"):
        autograd.normal(0.0, Tensor(np.ones(2, dtype=np.int64)))
    with pytest.raises(TypeError, match=r"^normal: mean must be a Tensor or a number, got list"):
        autograd.normal([0.0, 1.0], 1.0)


def test_normal_samples_have_the_given_means_and_standard_deviations():
    mean, std = Tensor([[-3.0], [5.0]]), Tensor([0.5, 2.0, 1.0])
    samples = np.stack([autograd.normal(mean, std, generator=seed).data for seed in range(4000)])
    np.testing.assert_allclose(samples.mean(axis=0), np.broadcast_to(mean.data, (2, 3)), atol=0.1)
    np.testing.assert_allclose(samples.std(axis=0), np.broadcast_to(std.data, (2, 3)), rtol=0.06)


def test_normal_with_a_zero_std_is_the_mean():
    np.testing.assert_array_equal(autograd.normal(Tensor([1.0, -2.0]), 0.0).data, [1.0, -2.0])
    np.testing.assert_array_equal(autograd.normal(3.0, 0.0, size=(2,)).data, [3.0, 3.0])


def test_normal_is_mean_plus_std_times_the_randn_of_the_same_generator():
    mean, std = Tensor([1.0, 2.0, 3.0]), Tensor([0.5, 1.0, 2.0])
    expected = mean.data + std.data * autograd.randn(3, generator=Generator().manual_seed(9)).data
    np.testing.assert_array_equal(autograd.normal(mean, std, generator=Generator().manual_seed(9)).data, expected)
    np.testing.assert_array_equal(
        autograd.normal(0.0, 1.0, size=(3,), rng=9).data, autograd.randn(3, generator=Generator().manual_seed(9)).data
    )


def test_normal_is_reproducible_and_continues_a_generators_stream():
    first, second = Generator().manual_seed(1), Generator().manual_seed(1)
    draws = [autograd.normal(0.0, 1.0, size=(2,), generator=first).data for _ in range(2)]
    again = [autograd.normal(0.0, 1.0, size=(2,), generator=second).data for _ in range(2)]
    np.testing.assert_array_equal(draws, again)
    assert not np.array_equal(draws[0], draws[1])


@pytest.mark.parametrize("requiring", ["mean", "std", "both"])
def test_normal_of_a_tensor_that_requires_grad_is_in_the_graph_with_a_zero_gradient(requiring):
    mean = Tensor(np.zeros((2, 1)), requires_grad=requiring in ("mean", "both"))
    std = Tensor(np.ones(3, dtype=np.float32), requires_grad=requiring in ("std", "both"))
    sample = autograd.normal(mean, std, generator=0)
    assert sample.requires_grad and not sample.is_leaf and sample.dtype == np.float64
    np.testing.assert_array_equal(sample.data, autograd.normal(mean.detach(), std.detach(), generator=0).data)
    (sample * sample).sum().backward()
    for parameter in (mean, std):
        if parameter.requires_grad:
            assert parameter.grad.shape == parameter.shape and parameter.grad.dtype == parameter.dtype
            assert not parameter.grad.any()


def test_normal_gradients_are_zero_at_second_order_too():
    mean = Tensor([1.0, 2.0], requires_grad=True)
    (gradient,) = autograd.grad(autograd.normal(mean, 1.0, generator=0).exp().sum(), [mean], create_graph=True)
    assert not np.asarray(gradient.data).any()


def test_normal_records_nothing_without_grad():
    mean = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not autograd.normal(mean, 1.0).requires_grad
    assert not autograd.normal(mean.detach(), 1.0).requires_grad


# -- size= and shapes given as torch gives them ------------------------------------------------------------------
SHAPED_FACTORIES = ["zeros", "ones", "empty", "rand", "randn"]


@pytest.mark.parametrize("name", SHAPED_FACTORIES)
@pytest.mark.parametrize(
    ("args", "keywords", "shape"),
    [
        ((), {"size": (2, 4)}, (2, 4)),
        ((), {"size": [3]}, (3,)),
        ((), {"size": 3}, (3,)),
        ((), {"size": ()}, ()),
        (((2, 4),), {}, (2, 4)),
        (([2, 4],), {}, (2, 4)),
        ((2, 4), {}, (2, 4)),
    ],
)
def test_shaped_factories_take_sizes_as_torch(name, args, keywords, shape):
    assert getattr(autograd, name)(*args, **keywords).shape == shape


@pytest.mark.parametrize("name", SHAPED_FACTORIES)
def test_sizes_given_twice_are_a_type_error_naming_the_factory(name):
    with pytest.raises(TypeError, match=rf"^{name}: got the sizes \(2,\) and size=\(3,\); pass one"):
        getattr(autograd, name)(2, size=(3,))


@pytest.mark.parametrize("name", SHAPED_FACTORIES)
def test_bad_sizes_keyword_is_an_error_naming_the_factory(name):
    with pytest.raises(ValueError, match=rf"^{name}: negative dimension"):
        getattr(autograd, name)(size=(2, -1))


def test_randn_of_an_empty_size_can_require_grad():
    scalar = autograd.randn(size=(), requires_grad=True, generator=0)
    assert scalar.shape == () and scalar.requires_grad and scalar.is_leaf
    scalar.backward()
    assert scalar.grad == 1.0


def test_full_and_randint_take_size_by_keyword():
    np.testing.assert_array_equal(autograd.full(size=(2,), fill_value=1.5).data, [1.5, 1.5])
    assert autograd.randint(5, size=(2,), generator=0).shape == (2,)
    assert autograd.randint(low=1, high=5, size=(2, 2), generator=0).shape == (2, 2)


# -- arange's torch keywords -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: autograd.arange(start=0, end=5, step=2), [0, 2, 4]),
        (lambda: autograd.arange(end=3), [0, 1, 2]),
        (lambda: autograd.arange(1, end=4), [1, 2, 3]),
        (lambda: autograd.arange(start=1, end=4), [1, 2, 3]),
        (lambda: autograd.arange(1, 6, step=2), [1, 3, 5]),
        (lambda: autograd.arange(2, end=5, step=1), [2, 3, 4]),
        (lambda: autograd.arange(5, end=6), [5]),
        (lambda: autograd.arange(start=0.0, end=1.0, step=0.5), [0.0, 0.5]),
    ],
)
def test_arange_takes_torchs_start_end_and_step_keywords(call, expected):
    result = call()
    np.testing.assert_array_equal(result.data, expected)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: autograd.arange(5, step=2), r"^arange: missing end"),
        (lambda: autograd.arange(start=1), r"^arange: missing end"),
        (lambda: autograd.arange(0, 5, start=1), r"^arange: got start twice"),
        (lambda: autograd.arange(0, 5, 1, step=2), r"^arange: got step twice"),
        (lambda: autograd.arange(0, 5, 1, 2, end=3), r"^arange: takes at most 3 bounds"),
    ],
)
def test_arange_keywords_that_clash_or_leave_out_end_are_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


# -- devices -----------------------------------------------------------------------------------------------------
def test_a_tensors_device_is_the_cpu_device():
    device = Tensor([1.0]).device
    assert isinstance(device, autograd.device) and device == autograd.device("cpu")
    assert device == "cpu" and str(device) == "cpu" and repr(device) == "device(type='cpu')"
    assert device.type == "cpu" and device.index is None
    assert Generator().device == device


@pytest.mark.parametrize(
    ("args", "keywords", "text", "shown", "index"),
    [
        (("cpu:0",), {}, "cpu:0", "device(type='cpu', index=0)", 0),
        (("cpu", 1), {}, "cpu:1", "device(type='cpu', index=1)", 1),
        ((), {"type": "cpu", "index": 0}, "cpu:0", "device(type='cpu', index=0)", 0),
        ((autograd.device("cpu"),), {}, "cpu", "device(type='cpu')", None),
        (("cuda",), {}, "cuda", "device(type='cuda')", None),
        (("cuda:1",), {}, "cuda:1", "device(type='cuda', index=1)", 1),
    ],
)
def test_devices_are_made_and_printed_as_torchs(args, keywords, text, shown, index):
    device = autograd.device(*args, **keywords)
    assert str(device) == text and repr(device) == shown and device.index == index
    assert device.type == text.partition(":")[0]


def test_devices_with_different_indices_differ_as_in_torch():
    assert autograd.device("cpu:0") != autograd.device("cpu")
    assert autograd.device("cpu", 0) == autograd.device("cpu:0")
    assert hash(autograd.device("cpu:0")) == hash(autograd.device("cpu", 0)) == hash("cpu:0")
    assert autograd.device("cpu") != 0 and autograd.device("cpu") in {"cpu"}


def test_a_devices_type_and_index_are_read_only():
    device = autograd.device("cpu")
    with pytest.raises(AttributeError):
        device.index = 1


def test_a_device_survives_pickling_and_copying():
    for device in (autograd.device("cpu"), autograd.device("cuda:1")):
        for restored in (pickle.loads(pickle.dumps(device)), copy.deepcopy(device), copy.copy(device)):
            assert type(restored) is autograd.device and repr(restored) == repr(device)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("gpu",), ValueError, r"^device: expected one of cpu, cuda, .* device type at start of device string: 'gpu'"),
        (("CPU",), ValueError, r"^device: expected one of"),
        (("",), ValueError, r"^device: expected one of"),
        (("cpu:-1",), ValueError, r"^device: invalid device string 'cpu:-1'"),
        (("cuda:0:1",), ValueError, r"^device: invalid device string"),
        (("cpu:0", 1), ValueError, r"^device: 'cpu:0' must not include an index"),
        (("cpu", -1), ValueError, r"^device: the index must be an int >= 0, got -1"),
        ((0,), ValueError, r"^device: an int \(0\) names an accelerator's index"),
        ((1.5,), TypeError, r"^device: expected a device name"),
    ],
)
def test_bad_device_descriptions_are_errors_naming_device(args, error, message):
    with pytest.raises(error, match=message):
        autograd.device(*args)


@pytest.mark.parametrize("device", [autograd.device("cpu"), autograd.device("cpu:0"), autograd.device("cpu", 3)])
def test_cpu_devices_are_taken_wherever_a_device_is(device):
    assert autograd.zeros(2, device=device).device == "cpu"
    assert autograd.normal(0.0, 1.0, size=(2,), device=device).shape == (2,)
    assert Tensor([1.0]).to(device).dtype == np.float64
    assert Tensor([1.0]).new_zeros(2, device=device).shape == (2,)
    assert Generator(device=device).device == "cpu"
    assert nn.Linear(2, 2, device=device).weight.shape == (2, 2)


@pytest.mark.parametrize(
    ("call", "owner"),
    [
        (lambda cuda: autograd.zeros(2, device=cuda), "zeros"),
        (lambda cuda: autograd.randn(2, device=cuda), "randn"),
        (lambda cuda: autograd.tensor([1.0], device=cuda), "tensor"),
        (lambda cuda: autograd.normal(0.0, 1.0, size=(2,), device=cuda), "normal"),
        (lambda cuda: Tensor([1.0]).new_full((2,), 1.0, device=cuda), "new_full"),
        (lambda cuda: Generator(device=cuda), "Generator"),
        (lambda cuda: nn.Linear(2, 2, device=cuda), "Linear"),
    ],
)
def test_another_device_can_be_made_but_is_refused_wherever_a_device_is_taken(call, owner):
    with pytest.raises(ValueError, match=rf"^{owner}: device 'cuda' is not available"):
        call(autograd.device("cuda"))


def test_moving_a_tensor_to_another_device_is_refused():
    with pytest.raises(ValueError, match=r"^to: only the 'cpu' device exists"):
        Tensor([1.0]).to(autograd.device("cuda", 0))


# -- the new_* methods' torch keywords ---------------------------------------------------------------------------
NEW_METHODS = {
    "new_zeros": lambda x, **options: x.new_zeros(2, 3, **options),
    "new_ones": lambda x, **options: x.new_ones((2, 3), **options),
    "new_empty": lambda x, **options: x.new_empty(2, 3, **options),
    "new_full": lambda x, **options: x.new_full((2, 3), 7, **options),
    "new_tensor": lambda x, **options: x.new_tensor(np.zeros((2, 3)), **options),
}


@pytest.mark.parametrize("name", NEW_METHODS)
@pytest.mark.parametrize(
    "options",
    [
        {"device": "cpu"},
        {"device": autograd.device("cpu:0")},
        {"device": Tensor([1.0]).device, "layout": "torch.strided", "pin_memory": False},
        {"dtype": np.float64, "requires_grad": True, "device": None},
    ],
)
def test_new_methods_take_torchs_keywords(name, options):
    x = Tensor(np.ones(4, dtype=np.float32))
    made = NEW_METHODS[name](x, **options)
    assert made.shape == (2, 3) and made.is_leaf
    assert made.dtype == options.get("dtype", np.float32)
    assert made.requires_grad is options.get("requires_grad", False)


@pytest.mark.parametrize("name", NEW_METHODS)
@pytest.mark.parametrize(("keyword", "value"), [("device", "cuda"), ("layout", "sparse_coo"), ("pin_memory", True)])
def test_new_methods_refuse_what_torch_cannot_give_here_naming_the_method(name, keyword, value):
    with pytest.raises(ValueError, match=rf"^{name}: "):
        NEW_METHODS[name](Tensor([1.0]), **{keyword: value})


@pytest.mark.parametrize("name", ["new_zeros", "new_ones", "new_empty"])
def test_new_methods_take_size_by_keyword(name):
    x = Tensor(np.ones(2, dtype=np.float16))
    assert getattr(x, name)(size=(2, 3)).shape == (2, 3)
    assert getattr(x, name)(size=()).dtype == np.float16
    with pytest.raises(TypeError, match=rf"^{name}: got the sizes"):
        getattr(x, name)(2, size=(2,))


def test_new_methods_keep_this_tensors_dtype_whatever_the_default():
    autograd.set_default_dtype(np.float32)
    x = Tensor(np.ones(2, dtype=np.float16))
    assert x.new_zeros(2).dtype == x.new_tensor([1.5]).dtype == x.new_full((1,), 0.5).dtype == np.float16


# -- against torch -----------------------------------------------------------------------------------------------
#: Factory calls spelled the same on ``autograd`` and ``torch`` (``m``); their dtypes must agree.
SAME_CALLS = {
    "zeros": lambda m: m.zeros(2, 3),
    "ones size=": lambda m: m.ones(size=(2,)),
    "empty": lambda m: m.empty(2),
    "full of a float": lambda m: m.full((2,), 1.5),
    "full of an int": lambda m: m.full((2,), 1),
    "full of a bool": lambda m: m.full((2,), True),
    "full size=": lambda m: m.full(size=(2,), fill_value=0.5),
    "rand": lambda m: m.rand(2, 4),
    "rand size=": lambda m: m.rand(size=(2, 4)),
    "randn": lambda m: m.randn(3),
    "randn 0-d": lambda m: m.randn(size=()),
    "normal of numbers": lambda m: m.normal(0.0, 1.0, size=(2, 3)),
    "normal of ints": lambda m: m.normal(2, 3, size=(2,)),
    "linspace": lambda m: m.linspace(0, 1, steps=5),
    "logspace": lambda m: m.logspace(0, 1, 5),
    "arange": lambda m: m.arange(3),
    "arange of a float": lambda m: m.arange(3.0),
    "arange of a float step": lambda m: m.arange(0, 1, 0.25),
    "arange keywords": lambda m: m.arange(start=0, end=5, step=2),
    "arange float keywords": lambda m: m.arange(start=0, end=2.5, step=0.5),
    "eye": lambda m: m.eye(3),
    "tensor of a float": lambda m: m.tensor(1.5),
    "tensor of floats": lambda m: m.tensor([1.0, 2.0]),
    "tensor of ints": lambda m: m.tensor([1, 2]),
    "tensor of mixed numbers": lambda m: m.tensor([[1, 2.5], [3, 4]]),
    "tensor of an empty list": lambda m: m.tensor([]),
    "tensor of a float32 array": lambda m: m.tensor(np.array([1.0], dtype=np.float32)),
    "tensor of a float64 array": lambda m: m.tensor(np.array([1.0])),
    "tensor of a numpy float64": lambda m: m.tensor(np.float64(1.0)),
    "tensor of a float32 tensor and an int": lambda m: m.tensor([m.tensor(1.0, dtype=m.float32), 2]),
    "tensor of a float32 tensor and a float": lambda m: m.tensor([m.tensor(1.0, dtype=m.float32), 2.5]),
    "tensor of an int32 tensor and a float": lambda m: m.tensor([m.tensor(1, dtype=m.int32), 2.5]),
    "tensor of int32 and float16 tensors": lambda m: m.tensor(
        [m.tensor(1, dtype=m.int32), m.tensor(1.0, dtype=m.float16)]
    ),
    "tensor of a float64 tensor and a float": lambda m: m.tensor([m.tensor(1.0, dtype=m.float64), 2.5]),
    "tensor of numpy float32 and int64 scalars": lambda m: m.tensor([np.float32(1.5), np.int64(2)]),
    "tensor of a numpy int64 and a float": lambda m: m.tensor([[np.int64(1)], [2.5]]),
    "tensor of a float32 array and a list of ints": lambda m: m.tensor([np.ones(2, np.float32), [1, 2]]),
    "tensor of one-element tensors": lambda m: m.tensor([m.tensor([1.0]), m.tensor([2.0])]),
    "tensor of a (1, 1) float32 tensor and an int": lambda m: m.tensor([m.tensor([[1.0]], dtype=m.float32), 2]),
    "tensor of rows of one-element tensors": lambda m: m.tensor([[m.tensor([1.0])], [m.tensor([[3.0]])]]),
    "as_tensor of floats": lambda m: m.as_tensor([1.0]),
    "as_tensor of one-element int tensors": lambda m: m.as_tensor((m.tensor([1]), m.tensor([2]))),
    "as_tensor of a float32 tensor and an int": lambda m: m.as_tensor([m.tensor(1.0, dtype=m.float32), 2]),
    "as_tensor of a float64 array": lambda m: m.as_tensor(np.array([1.0])),
    "randint": lambda m: m.randint(5, (2,)),
    "randint size=": lambda m: m.randint(low=1, high=5, size=(2,)),
    "randperm": lambda m: m.randperm(3),
    "randn_like float16": lambda m: m.randn_like(m.zeros(2, dtype=m.float16)),
    "zeros_like float64": lambda m: m.zeros_like(m.zeros(2, dtype=m.float64)),
}


@pytest.mark.parametrize("default", [np.float32, np.float64])
@pytest.mark.parametrize("name", SAME_CALLS)
def test_factory_dtypes_and_shapes_match_torch_under_each_default(torch, name, default):
    _same_default(torch, default)
    with warnings.catch_warnings():  # torch's "a list of numpy.ndarrays is extremely slow"
        warnings.simplefilter("ignore", UserWarning)
        ours, theirs = SAME_CALLS[name](autograd), SAME_CALLS[name](torch)
    assert str(ours.dtype) == _torch_dtype_name(theirs)
    assert ours.shape == tuple(theirs.shape)


@pytest.mark.parametrize("name", ["arange keywords", "arange float keywords", "arange of a float step", "linspace"])
def test_deterministic_factory_values_match_torch_under_float32(torch, name):
    _same_default(torch, np.float32)
    np.testing.assert_allclose(SAME_CALLS[name](autograd).data, SAME_CALLS[name](torch).numpy(), rtol=1e-6)


def test_one_element_tensors_in_a_list_are_numbers_as_torchs(torch):
    """torch.tensor([R]) of an R of shape (1,) (an actor-critic's value target) has shape (1,), not numpy's (1, 1)."""
    _same_default(torch, np.float64)
    for m in (autograd, torch):
        made = m.tensor([m.tensor([1.5]), m.tensor([[2.5]]), m.tensor(3.5)])
        assert tuple(made.shape) == (3,)
        assert made.tolist() == [1.5, 2.5, 3.5]
    assert autograd.tensor([autograd.tensor([1.0, 2.0]), autograd.tensor([3.0, 4.0])]).shape == (2, 2)  # numpy's


def test_arange_keyword_clashes_are_errors_in_torch_too(torch):
    for call in (lambda m: m.arange(5, step=2), lambda m: m.arange(start=1), lambda m: m.arange(0, 5, start=1)):
        with pytest.raises(TypeError):
            call(torch)
        with pytest.raises(TypeError):
            call(autograd)


#: The forms of normal, spelled the same on ``autograd`` and ``torch`` (``m``), given ``mean`` and ``std``
#: tensors made by each library.
NORMAL_FORMS = {
    "tensor and tensor": lambda m, mean, std: m.normal(mean, std),
    "tensor and number": lambda m, mean, std: m.normal(mean, 2.0),
    "tensor and default std": lambda m, mean, std: m.normal(mean),
    "number and tensor": lambda m, mean, std: m.normal(1.0, std),
    "keywords": lambda m, mean, std: m.normal(mean=mean, std=std),
    "with a generator": lambda m, mean, std: m.normal(mean, std, generator=m.Generator()),
}


@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("float64", "float32"), ("float32", "float64")])
@pytest.mark.parametrize("shapes", [((2, 1), (3,)), ((3,), (3,)), ((), ())])
@pytest.mark.parametrize("requiring", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("form", NORMAL_FORMS)
def test_normal_shapes_dtypes_and_requires_grad_match_torch(torch, form, requiring, shapes, dtypes):
    def parameters(library):
        mean = library.zeros(shapes[0], dtype=getattr(library, dtypes[0]), requires_grad=requiring[0])
        std = library.ones(shapes[1], dtype=getattr(library, dtypes[1]), requires_grad=requiring[1])
        return mean, std

    ours, theirs = NORMAL_FORMS[form](autograd, *parameters(autograd)), NORMAL_FORMS[form](torch, *parameters(torch))
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == _torch_dtype_name(theirs)
    assert ours.requires_grad is theirs.requires_grad and ours.is_leaf is theirs.is_leaf


@pytest.mark.parametrize("default", [np.float32, np.float64])
def test_normal_of_numbers_matches_torch(torch, default):
    _same_default(torch, default)
    for keywords in ({}, {"dtype": "float16"}, {"requires_grad": True}):
        ours = autograd.normal(0.0, 1.0, size=(2, 3), **keywords)
        theirs_keywords = {k: getattr(torch, v) if k == "dtype" else v for k, v in keywords.items()}
        theirs = torch.normal(0.0, 1.0, size=(2, 3), **theirs_keywords)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == _torch_dtype_name(theirs)
        assert ours.requires_grad is theirs.requires_grad and ours.is_leaf is theirs.is_leaf


def test_normal_gradients_are_torchs_zeros(torch):
    ours_mean, theirs_mean = Tensor(np.zeros((2, 1)), requires_grad=True), torch.zeros(2, 1, requires_grad=True)
    ours_std, theirs_std = Tensor(np.ones(3), requires_grad=True), torch.ones(3, requires_grad=True)
    autograd.normal(ours_mean, ours_std).sum().backward()
    torch.normal(theirs_mean, theirs_std).sum().backward()
    np.testing.assert_array_equal(ours_mean.grad, theirs_mean.grad.numpy())
    np.testing.assert_array_equal(ours_std.grad, theirs_std.grad.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.normal(0.0, 1.0),
        lambda m: m.normal(m.zeros(2), 1.0, size=(2,)),
        lambda m: m.normal(m.zeros(2), m.ones(2), size=(2,)),
        lambda m: m.normal(m.zeros(2), 1.0, dtype=m.float64),
        lambda m: m.normal(m.zeros(2), m.ones(2), requires_grad=True),
    ],
)
def test_normal_calls_torch_refuses_are_type_errors_here_too(torch, call):
    with pytest.raises(TypeError):
        call(torch)
    with pytest.raises(TypeError):
        call(autograd)


@pytest.mark.parametrize("call", [lambda m: m.normal(0.0, -1.0, size=(2,)), lambda m: m.normal(m.zeros(2), -1.0)])
def test_normal_refuses_a_negative_std_as_torch(torch, call):
    with pytest.raises(RuntimeError, match="normal expects"):
        call(torch)
    with pytest.raises(ValueError, match="std must be >= 0"):
        call(autograd)


@pytest.mark.parametrize(
    ("args", "keywords"),
    [
        (("cpu",), {}),
        (("cpu:0",), {}),
        (("cpu", 1), {}),
        (("cuda",), {}),
        (("cuda:1",), {}),
        ((), {"type": "cpu", "index": 2}),
    ],
)
def test_devices_print_and_describe_themselves_as_torchs(torch, args, keywords):
    ours, theirs = autograd.device(*args, **keywords), torch.device(*args, **keywords)
    assert (str(ours), repr(ours), ours.type, ours.index) == (str(theirs), repr(theirs), theirs.type, theirs.index)


def test_torchs_devices_are_taken_and_compare_equal(torch):
    assert autograd.device(torch.device("cpu", 1)) == autograd.device("cpu:1")
    assert autograd.device("cpu") == torch.device("cpu") and torch.device("cpu") == autograd.device("cpu")
    assert autograd.device("cpu") != torch.device("cpu", 0)
    assert autograd.zeros(2, device=torch.device("cpu")).shape == (2,)
    assert torch.zeros(2, device=str(Tensor([1.0]).device)).device == torch.device("cpu")


@pytest.mark.parametrize("name", NEW_METHODS)
def test_new_methods_with_torchs_keywords_match_torch(torch, name):
    ours = NEW_METHODS[name](Tensor(np.ones(2, dtype=np.float32)), device="cpu", requires_grad=True)
    theirs = NEW_METHODS[name](torch.ones(2), device="cpu", requires_grad=True)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == _torch_dtype_name(theirs)
    assert ours.requires_grad is theirs.requires_grad and ours.is_leaf is theirs.is_leaf


def test_set_default_dtype_refuses_what_torch_refuses(torch):
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        autograd.set_default_dtype(np.int64)


INTEGER_AND_PYTHON_FLOAT = {
    "int + 1.5": lambda x: x + 1.5,
    "int * 0.5": lambda x: x * 0.5,
    "1.5 - int": lambda x: 1.5 - x,
    "int ** 0.5": lambda x: x**0.5,
    "int / 2": lambda x: x / 2,
    "2 / int": lambda x: 2 / x,
    "int / int": lambda x: x / x,
    "bool / bool": lambda x: (x > 1) / (x > 0),
    "where(c, 1.0, 0.0)": lambda x: autograd.where(x > 1, 1.0, 0.0),
}


@pytest.mark.parametrize("default", FLOATING)
@pytest.mark.parametrize("case", list(INTEGER_AND_PYTHON_FLOAT), ids=list(INTEGER_AND_PYTHON_FLOAT))
def test_integers_with_python_floats_or_divided_give_the_default_dtype_as_torch(case, default):
    autograd.set_default_dtype(default)
    x = autograd.tensor([1, 2, 3])
    result = INTEGER_AND_PYTHON_FLOAT[case](x)
    assert result.dtype == default
    with np.errstate(all="ignore"):
        expected = INTEGER_AND_PYTHON_FLOAT[case](np.array([1, 2, 3]))
    np.testing.assert_allclose(result.data, np.asarray(expected, dtype=np.float64), rtol=1e-3)


def test_integers_with_python_floats_give_the_same_dtype_as_torchs(torch):
    for default in FLOATING:
        _same_default(torch, default)
        theirs = torch.tensor([1, 2, 3])
        for case, function in INTEGER_AND_PYTHON_FLOAT.items():
            expected = torch.where(theirs > 1, 1.0, 0.0) if case.startswith("where") else function(theirs)
            assert str(function(autograd.tensor([1, 2, 3])).dtype) == _torch_dtype_name(expected), case


def test_an_integer_tensor_plus_a_float_beyond_the_default_dtype_is_inf_without_a_warning():
    autograd.set_default_dtype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = autograd.tensor([1, 2]) + 1e300
    assert result.dtype == np.float32 and np.isinf(result.data).all()


@pytest.mark.parametrize("dtype", FLOATING)
def test_generate_square_subsequent_mask_follows_the_default_dtype_as_torchs(torch, dtype):
    _same_default(torch, dtype)
    ours = nn.Transformer.generate_square_subsequent_mask(4)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert ours.dtype == np.dtype(dtype) and _torch_dtype_name(theirs) == np.dtype(dtype).name
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert nn.Transformer.generate_square_subsequent_mask(4, dtype=autograd.float16).dtype == np.float16


@pytest.mark.parametrize("default", FLOATING)
@pytest.mark.parametrize("name", ["add", "mul", "sub", "div", "true_divide", "floor_divide", "maximum"])
def test_torch_functions_of_two_python_floats_give_the_default_dtype_as_torch(torch, name, default):
    # autograd.add(2.5, -7.25) gave float64 whatever the default dtype (torch: its default dtype)
    _same_default(torch, default)
    if name == "maximum":
        ours, theirs = (
            autograd.maximum(autograd.tensor(2.5), 7.25),
            torch.maximum(torch.tensor(2.5), torch.tensor(7.25)),
        )
    else:
        ours, theirs = getattr(autograd, name)(2.5, -7.25), getattr(torch, name)(2.5, -7.25)
    assert str(ours.dtype) == _torch_dtype_name(theirs)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-3)


@pytest.mark.parametrize("default", [np.float32, np.float64])
@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.full((2,), np.float32(1.5)),
        lambda lib: lib.full((2,), np.float64(1.5)),
        lambda lib: lib.full((2,), np.int32(3)),
        lambda lib: lib.arange(0, np.int64(4), 0.5),
        lambda lib: lib.arange(np.float64(2.5)),
        lambda lib: lib.arange(np.int32(5)),
    ],
    ids=["full float32", "full float64", "full int32", "arange int64 end", "arange float64 end", "arange int32 end"],
)
def test_factories_read_a_numpy_number_as_the_python_number_it_holds_as_torch(call, default):
    # np.float64(2.5) in a float32 default made float64 tensors, which then spread into float32 models
    torch = pytest.importorskip("torch")
    autograd.set_default_dtype(default)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, np.dtype(default).name))
    try:
        expected = call(torch)
    finally:
        torch.set_default_dtype(previous)
    ours = call(autograd)
    assert np.dtype(ours.dtype).name == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), expected.numpy())
