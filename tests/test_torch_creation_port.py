"""Port of the behaviour PyTorch's test/test_tensor_creation_ops.py checks, for this library's creation functions
(tensor, as_tensor, from_numpy, zeros/ones/full/empty and their *_like, arange, linspace, logspace, eye and the
triangle indices), compared with torch 2.13 where it is installed and with hand-derived numbers otherwise. The
library's default floating dtype is float64 (torch's is float32): torch runs here with float64 as its default."""

import threading

import numpy as np
import pytest

import autograd as ag


@pytest.fixture
def torch():
    """torch with float64 as its default dtype, the library's."""
    torch = pytest.importorskip("torch")
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(saved)


def _self_referential_lists():
    direct = [0]
    direct += [direct]
    deeper = [[1, 2]]
    deeper[0].append(deeper)
    return [direct, [[1, 2], direct], deeper, [ag.tensor([1.0]), direct]]


@pytest.mark.parametrize("factory", [ag.tensor, ag.as_tensor])
@pytest.mark.parametrize("data", _self_referential_lists())
def test_self_referential_lists_are_a_type_error_naming_the_function_as_torchs(factory, data):
    raised = []

    def make():
        try:
            factory(data)
        except Exception as error:  # noqa: BLE001 (checked below)
            raised.append(error)

    worker = threading.Thread(target=make, daemon=True)  # (the scan of the nesting never ended)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), f"{factory.__name__} of a self-referential list did not return"
    assert len(raised) == 1 and type(raised[0]) is TypeError
    assert f"{factory.__name__}: the data is a self-referential list" in str(raised[0])


def test_a_list_held_twice_side_by_side_is_not_self_referential():
    row = [ag.tensor([1.0]), 2.0]
    assert ag.tensor([row, row]).data.tolist() == [[1.0, 2.0], [1.0, 2.0]]


_RAGGED = [
    ([[1, 2], [3]], 1, "expected a sequence of length 2 at dim 1 (got 1)"),
    ([[1], [2, 3]], 1, "expected a sequence of length 1 at dim 1 (got 2)"),
    ([[[1, 2], [3, 4]], [[1, 2], [3]]], 2, "expected a sequence of length 2 at dim 2 (got 1)"),
    ([[1, 2], 3], 1, "expected a sequence of length 2 at dim 1 (got the number 3)"),
    ([1, [2, 3]], 1, "expected a number at dim 1 (got a sequence of length 2)"),
]


@pytest.mark.parametrize(("data", "dim", "place"), _RAGGED)
@pytest.mark.parametrize(
    ("factory", "name"), [(ag.tensor, "Tensor"), (ag.as_tensor, "as_tensor"), (ag.Tensor, "Tensor")]
)
def test_ragged_lists_are_refused_naming_the_function_and_the_ragged_dim(factory, name, data, dim, place):
    with pytest.raises(ValueError, match=rf"^{name}: the nested lists have rows of different lengths") as caught:
        factory(data)
    assert str(caught.value).endswith(place)


@pytest.mark.parametrize(("data", "dim", "place"), _RAGGED[:3])
def test_the_ragged_dim_named_is_torchs(torch, data, dim, place):
    with pytest.raises(ValueError, match=rf"at dim {dim} "):
        torch.tensor(data)


_INTEGER_FACTORIES = [
    ("tensor", lambda **kw: ag.tensor([1, 2], **kw)),
    ("zeros", lambda **kw: ag.zeros(2, dtype=ag.int64, **kw)),
    ("ones", lambda **kw: ag.ones(2, dtype=ag.int32, **kw)),
    ("empty", lambda **kw: ag.empty(2, dtype=ag.bool, **kw)),
    ("full", lambda **kw: ag.full((2,), 1, **kw)),
    ("arange", lambda **kw: ag.arange(5, **kw)),
    ("linspace", lambda **kw: ag.linspace(0, 5, 6, dtype=ag.int64, **kw)),
    ("logspace", lambda **kw: ag.logspace(0, 2, 3, dtype=ag.int64, **kw)),
    ("eye", lambda **kw: ag.eye(2, dtype=ag.int64, **kw)),
    ("zeros_like", lambda **kw: ag.zeros_like(ag.tensor([1, 2]), **kw)),
    ("ones_like", lambda **kw: ag.ones_like(ag.tensor([1.0]), dtype=ag.int64, **kw)),
    ("full_like", lambda **kw: ag.full_like(ag.tensor([1, 2]), 3, **kw)),
    ("empty_like", lambda **kw: ag.empty_like(ag.tensor([True]), **kw)),
    ("randint", lambda **kw: ag.randint(0, 5, (2,), **kw)),
    ("randperm", lambda **kw: ag.randperm(3, **kw)),
]


@pytest.mark.parametrize(("name", "make"), _INTEGER_FACTORIES, ids=[name for name, _ in _INTEGER_FACTORIES])
def test_integer_and_bool_results_cannot_require_grad_and_the_error_names_the_function(name, make):
    assert not make().requires_grad
    with pytest.raises(RuntimeError, match=rf"^{name}: only Tensors of floating point dtype can require gradients"):
        make(requires_grad=True)


@pytest.mark.parametrize(("name", "make"), _INTEGER_FACTORIES, ids=[name for name, _ in _INTEGER_FACTORIES])
def test_torch_refuses_requires_grad_on_the_same_integer_results(torch, name, make):
    result = make()
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        torch.tensor(result.data, requires_grad=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ag.tensor([1.0, 2.0], requires_grad=True),
        lambda: ag.tensor([1, 2], dtype=ag.float32, requires_grad=True),
        lambda: ag.zeros(2, requires_grad=True),
        lambda: ag.full((2,), 1.0, requires_grad=True),
        lambda: ag.arange(3.0, requires_grad=True),
        lambda: ag.linspace(0, 1, 3, requires_grad=True),
        lambda: ag.logspace(0, 1, 3, requires_grad=True),
        lambda: ag.eye(2, requires_grad=True),
        lambda: ag.zeros_like(ag.tensor([1, 2]), dtype=ag.float32, requires_grad=True),
        lambda: ag.full_like(ag.tensor([1, 2]), 2.5, dtype=ag.float64, requires_grad=True),
    ],
)
def test_floating_results_may_require_grad_and_are_leaves(make):
    made = make()
    assert made.requires_grad and made.is_leaf and made.dtype.kind == "f"


@pytest.mark.parametrize("bounds", [(True,), (False,), (True, 5), (0, 5, True), (np.bool_(True), 3)])
def test_arange_reads_bool_bounds_as_the_ints_they_stand_for_as_torch_and_numpy(torch, bounds):
    made = ag.arange(*bounds)
    expected = torch.arange(*(bool(b) if isinstance(b, np.bool_) else b for b in bounds))
    assert made.dtype == np.int64 and str(expected.dtype) == "torch.int64"
    assert made.data.tolist() == expected.tolist() == np.arange(*bounds).tolist()


@pytest.mark.parametrize("bound", ["10", None, 1 + 2j, np.complex128(1)])
def test_arange_refuses_bounds_that_are_not_real_numbers_naming_itself(bound):
    with pytest.raises(TypeError, match="arange: the bounds must be real numbers"):
        ag.arange(0, bound)


@pytest.mark.parametrize(
    ("start", "end", "step"), [(1e4, 1e4 + 1, 1e-3), (1e6, 1e6 + 10, 0.01), (-1.0, 1.0, 0.2), (10.0, -5.0, -0.7)]
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_arange_of_a_float_step_is_start_plus_i_step_as_torchs_without_numpys_drift(torch, start, end, step, dtype):
    made = ag.arange(start, end, step, dtype=getattr(ag, dtype)).data
    expected = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
    assert made.dtype == expected.dtype and made.shape == expected.shape
    ulp = np.spacing(np.maximum(abs(start), abs(end)).astype(dtype))
    np.testing.assert_allclose(made, expected, rtol=0, atol=2 * ulp)  # (numpy's way: 100 ulps off at 1e4)


@pytest.mark.parametrize(
    ("start", "end", "steps", "base"),
    [
        (0.5, 2.5, 5, 10.0),
        (-0.7, 3.9, 6, 2.0),
        (1.9, 0.2, 4, 10.0),
        (0.5, 2.5, 1, 10.0),
        (0, 6, 49, 2.0),
        (1, 0, 2, 10.0),
    ],
)
@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8"])
def test_logspace_into_an_integer_dtype_converts_the_ends_first_as_torch(torch, start, end, steps, base, dtype):
    if base ** max(start, end) > np.iinfo(dtype).max:
        pytest.skip("beyond the dtype (torch's cast is undefined there)")
    try:
        expected = torch.logspace(start, end, steps, base, dtype=getattr(torch, dtype))
    except RuntimeError:  # an end the dtype cannot hold (-0.7 in uint8)
        with pytest.raises(ValueError, match="logspace: .* cannot be converted to"):
            ag.logspace(start, end, steps, base, dtype=getattr(ag, dtype))
        return
    made = ag.logspace(start, end, steps, base, dtype=getattr(ag, dtype))
    assert made.dtype == np.dtype(dtype) and made.data.tolist() == expected.tolist()


def test_logspace_of_fractional_ends_into_int64_is_the_powers_of_the_truncated_ends():
    # 10 ** [0, 0.5, 1, 1.5, 2] (ends 0.5 and 2.5 truncated to 0 and 2) truncated: torch's [1, 3, 10, 31, 100]
    assert ag.logspace(0.5, 2.5, 5, dtype=ag.int64).data.tolist() == [1, 3, 10, 31, 100]


@pytest.mark.parametrize(
    ("start", "end", "steps", "base"),
    [
        (-0.0316082797944545745849609375, 0.0315315723419189453125, 257, 10.0),
        (0.1, 2.3, 33, 10.0),
        (-2.9, 1.7, 100, 2.0),
        (1, 1.1, 10, 2.0),
    ],
)
def test_logspace_in_float32_equals_torchs_exactly(torch, start, end, steps, base):
    made = ag.logspace(start, end, steps, base, dtype=ag.float32).data
    np.testing.assert_array_equal(made, torch.logspace(start, end, steps, base, dtype=torch.float32).numpy())


@pytest.mark.parametrize(
    ("name", "args"), [("arange", (1, 2)), ("arange", (0, 5)), ("linspace", (1, 3, 5)), ("logspace", (0, 2, 3))]
)
def test_ranges_in_bool_are_refused_naming_the_function_as_torchs(torch, name, args):
    with pytest.raises(NotImplementedError):
        getattr(torch, name)(*args, dtype=torch.bool)
    with pytest.raises(NotImplementedError, match=rf"^{name}: not implemented for bool"):
        getattr(ag, name)(*args, dtype=ag.bool)


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("dtype", ["int8", "int16", "uint8", "float32", "float64", "bool"])
def test_triangle_indices_refuse_dtypes_other_than_int64_and_int32_as_torch(torch, name, dtype):
    with pytest.raises(NotImplementedError):
        getattr(torch, name)(3, 3, dtype=getattr(torch, dtype))
    with pytest.raises(NotImplementedError, match=rf"^{name}: not implemented for {dtype}"):
        getattr(ag, name)(200, 200, dtype=getattr(ag, dtype))  # (int8 wrapped the indices past 127)


_INT64_MAX, _INT64_MIN = 2**63 - 1, -(2**63)
_FLOAT64_MAX = float(np.finfo(np.float64).max)
_BEYOND_64_BITS = [
    (float("nan"), 0, _INT64_MIN, _INT64_MAX, _INT64_MIN - 1),
    (_INT64_MAX + 1, 0, (_INT64_MAX + 1) * 2, (_INT64_MAX + 1) * 2 + 1, -_FLOAT64_MAX),
    [2**70, 1.5, -(2**80)],
]


@pytest.mark.parametrize("data", _BEYOND_64_BITS)
@pytest.mark.parametrize("dtype", ["bool", "float64", "float32"])
def test_ints_beyond_64_bits_convert_into_bool_and_float_dtypes_as_torchs(torch, data, dtype):
    made = ag.tensor(data, dtype=getattr(ag, dtype))
    expected = torch.tensor(data, dtype=getattr(torch, dtype))
    np.testing.assert_array_equal(made.data, expected.numpy())
    assert made.dtype == np.dtype(dtype)


@pytest.mark.parametrize("data", _BEYOND_64_BITS)
@pytest.mark.parametrize("dtype", ["int64", "uint8"])
def test_ints_beyond_64_bits_into_an_integer_dtype_are_a_value_error_as_torchs(torch, data, dtype):
    with pytest.raises((ValueError, RuntimeError)):
        torch.tensor(data, dtype=getattr(torch, dtype))
    with pytest.raises(ValueError, match=rf"cannot be converted to {dtype} without overflow"):
        ag.tensor(data, dtype=getattr(ag, dtype))


@pytest.mark.parametrize("data", [[2**70, None], [2**70, "a"]])
def test_ints_beyond_64_bits_beside_what_is_no_number_are_still_refused(data):
    with pytest.raises(TypeError, match="unsupported dtype object"):
        ag.tensor(data, dtype=ag.float64)


@pytest.mark.parametrize(
    "bounds", [(1.175494351e-38, 3.402823466e38), (0, 1e20), (0.0, 1.0, 1e-300), (0, 2**62, 1), (-(2**62), 2**62)]
)
def test_arange_of_more_values_than_an_array_holds_is_an_error_naming_arange_as_torchs_overflow(torch, bounds):
    with pytest.raises(RuntimeError, match="overflow"):
        torch.arange(*bounds)
    with pytest.raises(RuntimeError, match=r"^arange: invalid size, possible overflow"):
        ag.arange(*bounds)
