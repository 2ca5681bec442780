"""Minimised failures of the differential fuzzers (tests/test_differential_fuzz_torch.py, and of bad input
tests/test_error_atomicity_fuzz_torch.py), each checked against torch's values, gradients or error classes."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as A

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((2, 0), (0,)), ((3, 2, 0), (0,)), ((0,), (0, 3)), ((2, 0), (0, 3)), ((0, 0), (0,))],
)
def test_matmul_with_an_empty_inner_axis_has_torch_gradients(a_shape, b_shape) -> None:
    # (2, 0) @ (0,) is the zero vector of length 2; its gradients are empty arrays (b's rule reshaped a with -1)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    ours = [A.tensor(a, requires_grad=True), A.tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    out, expected = ours[0] @ ours[1], theirs[0] @ theirs[1]
    weights = rng.standard_normal(tuple(expected.shape))
    (out * A.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    for mine, reference in zip(ours, theirs):
        assert mine.grad.shape == tuple(reference.grad.shape)
        np.testing.assert_array_equal(mine.grad, reference.grad.numpy())


def test_linear_with_no_input_features_has_torch_gradients() -> None:
    # x (3, 2, 0) and W (4, 0): the output is the bias everywhere; W's rule merged x's rows with reshape(-1, 0)
    import nn

    rng = np.random.default_rng(1)
    arrays = [np.zeros((3, 2, 0)), np.zeros((4, 0)), rng.standard_normal(4)]
    ours = [A.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    weights = rng.standard_normal((3, 2, 4))
    (nn.functional.linear(*ours) * A.tensor(weights)).sum().backward()
    (torch.nn.functional.linear(*theirs) * torch.tensor(weights)).sum().backward()
    for mine, reference in zip(ours, theirs):
        assert mine.grad.shape == tuple(reference.grad.shape)
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(("shape", "sizes"), [((2,), (2,)), ((1, 3), (1, 1, 3)), ((2, 1), (-1, 1)), ((), (1, 1))])
def test_in_place_change_of_an_expand_that_repeats_no_entry_is_recorded_as_torchs(shape, sizes) -> None:
    # torch refuses an in-place change only where the expand repeats an entry; here the change raised
    rng = np.random.default_rng(2)
    data = rng.standard_normal(shape)
    results = {}
    for lib in (torch, A):
        x = lib.tensor(data, requires_grad=True)
        y = x * 1.5
        view = y.expand(*sizes)
        view.clamp_(-0.5, 0.75)
        view.mul_(lib.tensor(np.full(view.shape, 3.0)))
        weights = lib.tensor(np.arange(1.0, 1.0 + view.numel()).reshape(tuple(view.shape)))
        (view * weights).sum().backward()
        results[lib] = [np.array(v.detach().numpy()) for v in (view, y)] + [x.grad.numpy()]
    for ours, theirs in zip(results[A], results[torch]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_in_place_change_of_an_expand_that_repeats_entries_still_raises() -> None:
    for lib in (torch, A):
        y = lib.tensor(np.array([1.0]), requires_grad=True) * 1
        with pytest.raises(RuntimeError):
            y.expand(3).add_(1.0)


@pytest.mark.parametrize(("shape", "sizes"), [((0, 3, 4), (-1, -1, 4)), ((0, 2), (1, 0, 2)), ((1, 0), (3, 0))])
def test_in_place_change_of_an_empty_expand_is_recorded_as_torchs(shape, sizes) -> None:
    # an empty expand shares no memory with its base (numpy says so), so it was not seen as a view, and its
    # read-only data was refused: torch changes nothing and records the op
    results = {}
    for lib in (torch, A):
        x = lib.tensor(np.zeros(shape), requires_grad=True)
        view = (x * 2).expand(*sizes)
        view.add_(1.0)
        view.relu_()
        (view * 3).sum().backward()
        results[lib] = (tuple(view.shape), x.grad.numpy().shape, view.requires_grad)
    assert results[A] == results[torch]


def test_assignment_into_an_empty_expand_is_recorded_as_torchs() -> None:
    results = {}
    for lib in (torch, A):
        x = lib.tensor(np.zeros(1), requires_grad=True)
        view = x.abs().expand(0)
        view[view < 0] = 0.5
        view[:] = lib.tensor(np.zeros(0), requires_grad=True) * 2
        (view * 3).sum().backward()
        results[lib] = (tuple(view.shape), x.grad.numpy().tolist(), view.requires_grad)
    assert results[A] == results[torch]


def _both_raise(call):
    """``call(lib)`` raises on torch and here; the library's error is an instance of torch's class. Returns it."""
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(A)
    assert isinstance(ours.value, type(theirs.value)), (type(ours.value).__mro__, repr(theirs.value))
    return ours.value


def _ones(m, *shape, dtype="float32"):
    return m.ones(*shape, dtype=getattr(m, dtype))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: _ones(m, 2, 2).masked_fill(_ones(m, 2, 2, dtype="int64"), 1.0),
        lambda m: _ones(m, 2, 2).masked_fill_(_ones(m, 2, 2, dtype="int64"), 1.0),
        lambda m: _ones(m, 2, 2).masked_select(_ones(m, 2, 2, dtype="int64")),
        lambda m: _ones(m, 2, 2).scatter(0, _ones(m, 1, 2, dtype="int64"), _ones(m, 1, 2, dtype="float64")),
        lambda m: _ones(m, 2, 2).scatter_add(0, _ones(m, 1, 2, dtype="int64"), _ones(m, 1, 2, dtype="float64")),
        lambda m: _ones(m, 2, 2).index_add(0, _ones(m, 1, dtype="int64"), _ones(m, 1, 2, dtype="float64")),
        lambda m: _ones(m, 2, 2).index_copy(0, _ones(m, 1, dtype="int64"), _ones(m, 1, 2, dtype="float64")),
    ],
    ids=["masked_fill", "masked_fill_", "masked_select", "scatter", "scatter_add", "index_add", "index_copy"],
)
def test_a_mask_not_boolean_or_a_source_of_another_dtype_is_torchs_runtime_error_too(call) -> None:
    # (it was a TypeError alone, which an ``except RuntimeError`` written for torch does not catch)
    error = _both_raise(call)
    assert isinstance(error, TypeError)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.ones(1, 2, 3).permute(0, 0, 5),  # a repeat before the axis out of range: RuntimeError
        lambda m: m.ones(1, 2, 3).permute(5, 0, 0),  # the axis out of range first: IndexError
        lambda m: m.ones(1, 2, 3).permute(0, 5, 0),
        lambda m: m.cat([m.ones(2), m.ones(())], dim=5),  # a 0-d tensor, not the dim: RuntimeError
        lambda m: m.cat([m.ones(2), m.ones(())], dim=0),
        lambda m: m.cat([m.ones(()), m.ones(2)], dim=-3),
    ],
    ids=[
        "permute-repeat-first",
        "permute-range-first",
        "permute-range-second",
        "cat-0d-dim-5",
        "cat-0d",
        "cat-0d-first",
    ],
)
def test_permute_and_cat_check_their_arguments_in_torchs_order(call) -> None:
    # (permute checked every axis's range before any repeat, cat the dim before a 0-d tensor after the first)
    error = _both_raise(call)
    assert "permute" in str(error) or "concatenate" in str(error)


@pytest.mark.parametrize(
    ("a_shape", "b_shape"), [((2, 3), (3,)), ((3,), (3, 2)), ((1, 3, 2), (1,)), ((), (2,))], ids=str
)
@pytest.mark.parametrize("name", ["outer", "ger"])
def test_outer_and_ger_of_a_tensor_not_1d_are_torchs_runtime_error(name, a_shape, b_shape) -> None:
    # (Tensor.outer flattened its operands, as numpy's np.outer; ger's error was a ValueError alone)
    a, b = np.ones(a_shape), np.ones(b_shape)
    error = _both_raise(lambda m: getattr(m.tensor(a), name)(m.tensor(b)))
    assert name in str(error) and isinstance(error, ValueError)


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
@pytest.mark.parametrize("grad", [False, True])
def test_fill_refuses_a_value_tensor_that_is_not_0d_as_torch(shape, grad) -> None:
    # (a one-element tensor of 1 or 2 dimensions filled the tensor)
    def call(m):
        x = m.tensor(np.zeros(3))
        x = x * 1 if grad else x
        return x.fill_(m.tensor(np.ones(shape), requires_grad=grad))

    error = _both_raise(call)
    assert "fill_" in str(error)
    x = A.tensor(np.zeros(3))
    with pytest.raises(RuntimeError):
        x.fill_(A.tensor(np.ones(shape)))
    assert x._version == 0 and not x.data.any()


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("name", ["permute", "expand"])
def test_permute_and_expand_without_their_sizes_are_torchs_type_error(shape, name) -> None:
    # (permute() reversed the axes, as numpy's transpose(); expand() was a ShapeError)
    error = _both_raise(lambda m: getattr(m.tensor(np.ones(shape)), name)())
    assert name in str(error) and isinstance(error, TypeError)
    np.testing.assert_array_equal(A.tensor(np.ones(shape)).permute(dims=tuple(range(len(shape)))).data, np.ones(shape))


@pytest.mark.parametrize("call", [abs, lambda x: x.abs(), lambda x: x.abs_(), lambda x: x.absolute()])
def test_abs_of_a_bool_tensor_is_torchs_not_implemented_error(call) -> None:
    # (it gave the tensor back)
    error = _both_raise(lambda m: call(m.tensor([True, False])))
    assert "abs" in str(error) and isinstance(error, TypeError)
    # numpy's spelling keeps numpy's meaning (README): np.abs of a bool tensor is the tensor
    np.testing.assert_array_equal(np.abs(A.tensor([True, False])).data, np.abs(np.array([True, False])))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.ones(2).sub(m.ones(2, dtype=m.bool)),
        lambda m: m.ones(2).sub(True),
        lambda m: m.ones(2, dtype=m.bool).sub(1),
        lambda m: m.ones(2).sub_(m.ones(2, dtype=m.bool)),
        lambda m: m.ones(2).subtract_(m.ones(1, dtype=m.bool), alpha=2),
        lambda m: m.ones(2).subtract(m.ones(2, dtype=m.bool)),
    ],
    ids=["sub", "sub-True", "bool-sub", "sub_", "subtract_", "subtract"],
)
def test_sub_with_a_bool_operand_is_torchs_runtime_error(call) -> None:
    # (it subtracted the mask's 0s and 1s, and the in-place forms changed the tensor)
    error = _both_raise(call)
    assert "sub" in str(error) and "bool" in str(error)
    x = A.ones(2)
    with pytest.raises(RuntimeError):
        x.sub_(A.ones(2, dtype=A.bool))
    assert x._version == 0 and (x.data == 1).all()


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_a_recurrent_layers_input_of_another_dtype_is_torchs_value_error_too(name, dtype) -> None:
    # (a TypeError alone; torch's recurrent layers raise a ValueError)
    import nn

    x = np.ones((2, 1, 3), dtype=dtype)
    with pytest.raises(Exception) as theirs:
        getattr(torch.nn, name)(3, 4)(torch.tensor(x))
    with pytest.raises(TypeError, match=name) as ours:
        getattr(nn, name)(3, 4)(A.tensor(x))
    assert isinstance(ours.value, type(theirs.value))


@pytest.mark.parametrize(
    "call",
    [
        lambda m, i: m.ones(2).gather(3, i),
        lambda m, i: m.ones(2).scatter(-3, i, m.ones(1)),
        lambda m, i: m.ones(2).scatter_add(2, i, m.ones(1)),
        lambda m, i: m.ones(2).index_select(3, i),
        lambda m, i: m.ones(()).gather(1, i),
    ],
    ids=["gather", "scatter", "scatter_add", "index_select", "gather-0d"],
)
@pytest.mark.parametrize("index_dtype", ["float32", "bool"])
def test_a_dim_out_of_range_is_refused_before_the_index_dtype_as_torch(call, index_dtype) -> None:
    # (the index's dtype was checked first: a TypeError and RuntimeError, where torch's is an IndexError)
    error = _both_raise(lambda m: call(m, m.tensor(np.ones(1, dtype=index_dtype))))
    assert isinstance(error, IndexError)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, i: m.ones(2, 2).index_select(0, i),
        lambda m, i: m.ones(2, 2).index_add(0, i, m.ones(1, 2)),
        lambda m, i: m.ones(2, 2).index_copy(0, i, m.ones(1, 2)),
        lambda m, i: m.ones(2, 2).index_fill(0, i, 1.0),
    ],
    ids=["index_select", "index_add", "index_copy", "index_fill"],
)
def test_an_index_of_two_dimensions_is_torchs_index_error_or_runtime_error(call) -> None:
    # (a ValueError alone)
    error = _both_raise(lambda m: call(m, m.zeros(1, 1, dtype=m.int64)))
    assert isinstance(error, ValueError) and "0-D or 1-D" in str(error)


@pytest.mark.parametrize("shape", [(1,), (3,), (1, 1)])
@pytest.mark.parametrize("name", ["masked_fill_", "index_fill_", "index_fill"])
def test_a_fill_value_tensor_that_is_not_0d_is_refused_as_torch(name, shape) -> None:
    # (masked_fill_ broadcast a (3,) value into the tensor's rows, and a one-element one filled as a number)
    def call(m):
        x = m.zeros(2, 3, dtype=m.float64)
        where = x == 0 if name == "masked_fill_" else m.zeros(1, dtype=m.int64)
        args = (where,) if name == "masked_fill_" else (0, where)
        return getattr(x, name)(*args, m.tensor(np.ones(shape)))

    error = _both_raise(call)
    assert name.rstrip("_") in str(error)
    x = A.zeros(2, 3, dtype=A.float64)
    with pytest.raises(RuntimeError):
        x.masked_fill_(x == 0, A.tensor(np.ones(shape)))
    assert x._version == 0 and not x.data.any()


@pytest.mark.parametrize(
    ("source", "destination"), [((0, 0), (0, -1)), ((-1, 0), (-1, 0)), ((0,), (0, 0)), ((0, -1), (0,))], ids=str
)
def test_movedim_of_a_0d_tensor_refuses_a_repeated_dim_or_unequal_counts_as_torch(source, destination) -> None:
    # (any dims among 0 and -1 gave the tensor back)
    error = _both_raise(lambda m: m.ones(()).movedim(source, destination))
    assert "movedim" in str(error)
    assert A.ones(()).movedim((-1,), (0,)).shape == ()


@pytest.mark.parametrize(
    ("shape", "dim", "index"),
    [((3,), 0, 5), ((3,), 0, [5]), ((2, 2), 1, 5), ((2, 2), -1, [0, 2]), ((3, 2, 2), 2, [2]), ((), 0, [1])],
)
def test_index_select_out_of_range_is_torchs_error_naming_index_select(shape, dim, index) -> None:
    # (numpy's take named "take" and raised an IndexError alone, where torch raises a RuntimeError for a 0-d index)
    error = _both_raise(lambda m: m.ones(shape).index_select(dim, m.tensor(index)))
    assert "index_select" in str(error) and isinstance(error, IndexError)


@pytest.mark.parametrize("index", [0, [0]])
def test_index_add_refuses_a_0d_source_into_a_vector_as_torch(index) -> None:
    # (it was added as if of shape (1,); index_copy takes it, as torch's)
    error = _both_raise(lambda m: m.ones(3).index_add(0, m.tensor(index), m.tensor(5.0)))
    assert "index_add" in str(error)
    expected = torch.ones(3).index_copy(0, torch.tensor(index), torch.tensor(5.0)).numpy()
    ours = A.ones(3, dtype=A.float32).index_copy(0, A.tensor(index), A.tensor(np.float32(5.0)))
    np.testing.assert_array_equal(ours.data, expected)


@pytest.mark.parametrize("name", ["index_add", "index_copy"])
def test_an_index_of_two_dimensions_is_refused_before_its_dtype_as_torch(name) -> None:
    # (the bool dtype was refused first: a TypeError and RuntimeError, where torch's is an IndexError)
    error = _both_raise(lambda m: getattr(m.ones(2, 2), name)(0, m.ones(1, 1, dtype=m.bool), m.ones(1, 2)))
    assert isinstance(error, IndexError)


@pytest.mark.parametrize(("shape", "groups"), [((1, 1), 1), ((1, 2), 2), ((1, 1, 1), 1), ((1, 3, 1, 1), 3)])
def test_group_norm_refuses_one_value_per_group_as_torch(shape, groups) -> None:
    # (it normalised the single value to 0)
    import nn

    x = np.ones(shape, dtype=np.float32)
    with pytest.raises(ValueError):
        torch.nn.GroupNorm(groups, shape[1])(torch.tensor(x))
    with pytest.raises(ValueError, match="group_norm"):
        nn.GroupNorm(groups, shape[1])(A.tensor(x))
    assert nn.GroupNorm(1, 1)(A.tensor(np.ones((2, 1), np.float32))).shape == (2, 1)


@pytest.mark.parametrize("name", ["index_add", "index_copy", "index_fill"])
def test_an_empty_float_index_tensor_is_refused_as_torch(name) -> None:
    # (an empty float index passed, as an empty list's float64 array does)
    def call(m):
        args = (m.ones(0, 2),) if name != "index_fill" else (1.0,)
        return getattr(m.ones(2, 2), name)(0, m.zeros(0), *args)

    error = _both_raise(call)
    assert name in str(error)


@pytest.mark.parametrize("dtype", ["float32", "bool", "int32"])
@pytest.mark.parametrize("name", ["index_add", "index_copy", "index_fill"])
def test_an_index_of_a_dtype_torch_refuses_has_torchs_class(name, dtype) -> None:
    # (index_fill's refusal was not torch's IndexError; index_copy and index_fill took an int32 index)
    def call(m):
        args = (m.ones(1, 2),) if name != "index_fill" else (1.0,)
        return getattr(m.ones(2, 2), name)(0, m.zeros(1, dtype=getattr(m, dtype)), *args)

    if name == "index_add" and dtype == "int32":  # torch takes it, as the library
        np.testing.assert_array_equal(call(A).data, call(torch).numpy())
        return
    error = _both_raise(call)
    assert name in str(error)
