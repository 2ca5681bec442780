"""torch's dense CPU Tensor attributes (autograd/torch_dense_names.py), as_strided_ and the deprecated Tensor.lu /
lu_solve against torch: the same values, dtypes and shapes, the same errors, in-place ones returning the tensor with
its version bumped (and refused on a leaf that requires grad); gradients against finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))

DEVICE_KINDS = ["is_mps", "is_xpu", "is_ipu", "is_xla", "is_vulkan", "is_mtia", "is_maia", "is_sparse_csr"]


@pytest.mark.parametrize("attribute", DEVICE_KINDS)
def test_device_kind_flags_match_torch_on_cpu(attribute: str) -> None:
    assert getattr(Tensor(X), attribute) is getattr(torch.tensor(X), attribute)


def test_layout_prints_as_torch_and_is_accepted_back_by_factories() -> None:
    x = Tensor(X)
    assert str(x.layout) == str(torch.tensor(X).layout)
    assert x.new_zeros((2,), layout=x.layout).shape == (2,)
    assert ag.zeros(2, layout=x.layout).shape == (2,)


def test_name_is_none_as_torchs_unnamed_tensor() -> None:
    assert Tensor(X).name is None and torch.tensor(X).name is None


def test_pin_memory_raises_torchs_runtime_error_without_an_accelerator() -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.tensor(X).pin_memory()
    with pytest.raises(RuntimeError, match="pin_memory") as ours:
        Tensor(X).pin_memory()
    assert str(theirs.value) in str(ours.value)


def test_share_memory_returns_the_tensor_unchanged_as_torch() -> None:
    x, t = Tensor(X), torch.tensor(X)
    assert x.share_memory_() is x and t.share_memory_() is t
    assert x._version == t._version == 0
    np.testing.assert_array_equal(x.data, t.numpy())


def test_is_coalesced_refuses_a_dense_tensor_as_torch() -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.tensor(X).is_coalesced()
    with pytest.raises(RuntimeError) as ours:
        Tensor(X).is_coalesced()
    assert str(ours.value) == str(theirs.value)


def test_to_dense_is_the_tensor_itself_or_a_cast() -> None:
    x, t = Tensor(X), torch.tensor(X)
    assert x.to_dense() is x and t.to_dense() is t
    cast, theirs = x.to_dense(np.float32), t.to_dense(torch.float32)
    assert cast.dtype == np.float32 and theirs.dtype == torch.float32
    np.testing.assert_array_equal(cast.data, theirs.numpy())


def test_conj_physical_of_a_real_tensor_is_itself_as_torch() -> None:
    x, t = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    assert x.conj_physical() is x and t.conj_physical() is t


def test_conj_physical_in_place_returns_self_and_bumps_the_version() -> None:
    x, t = Tensor(X), torch.tensor(X)
    assert x.conj_physical_() is x and t.conj_physical_() is t
    assert x._version == t._version == 1
    np.testing.assert_array_equal(x.data, t.numpy())


def test_conj_physical_in_place_is_refused_on_a_leaf_requiring_grad() -> None:
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch.tensor(X, requires_grad=True).conj_physical_()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        Tensor(X, requires_grad=True).conj_physical_()


@pytest.mark.parametrize("sizes", [(12,), (6, 2), (2, 2, 3)])
def test_deprecated_resize_reshapes_with_torchs_warning(sizes: tuple) -> None:
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        ours = Tensor(X).resize(*sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.tensor(X).resize(*sizes)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_deprecated_resize_refuses_another_element_count_in_torchs_words() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError) as theirs:
            torch.tensor(X).resize(5)
        with pytest.raises(RuntimeError) as ours:
            Tensor(X).resize(5)
    assert str(ours.value) == str(theirs.value)


def test_deprecated_resize_refuses_a_tuple_of_sizes_as_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError):
            torch.tensor(X).resize((6, 2))
        with pytest.raises(RuntimeError, match="resize"):
            Tensor(X).resize((6, 2))


def test_deprecated_resize_as_takes_the_other_tensors_shape() -> None:
    with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
        ours = Tensor(X).resize_as(Tensor(np.zeros((2, 6))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.tensor(X).resize_as(torch.zeros(2, 6))
    assert ours.shape == tuple(theirs.shape) == (2, 6)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_deprecated_resize_gradient_matches_finite_differences() -> None:
    x = Tensor(X, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda t: t.resize(2, 6).exp() * np.arange(12.0).reshape(2, 6), [x])


@pytest.mark.parametrize(("size", "stride"), [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((4,), (0,)), ((2, 0), (5, 1))])
@pytest.mark.parametrize("dtype", [None, np.int32])
def test_new_empty_strided_has_torchs_shape_strides_and_dtype(size: tuple, stride: tuple, dtype: object) -> None:
    ours = Tensor(X).new_empty_strided(size, stride, dtype=dtype)
    theirs = torch.tensor(X).new_empty_strided(size, stride, dtype=None if dtype is None else torch.int32)
    assert ours.shape == tuple(theirs.shape)
    assert ours.stride() == theirs.stride()
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.is_leaf and not ours.requires_grad


def test_new_empty_strided_can_require_grad() -> None:
    ours = Tensor(X).new_empty_strided((2, 2), (2, 1), requires_grad=True)
    assert ours.requires_grad and ours.is_leaf


def test_map2_applies_the_callable_over_three_broadcast_tensors() -> None:
    ours, theirs = Tensor(X), torch.tensor(X)
    y, z = RNG.standard_normal(4), RNG.standard_normal((3, 1))

    def combine(a: float, b: float, c: float) -> float:
        return a * b - c

    assert ours.map2_(Tensor(y), Tensor(z), combine) is ours
    assert theirs.map2_(torch.tensor(y), torch.tensor(z), combine) is theirs
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours._version == 1  # (torch's stays 0: see the module doc of torch_dense_names)


def test_map2_refuses_a_tensor_requiring_grad_and_another_dtype_as_torch() -> None:
    for requires in ("self", "x"):
        target = torch.ones(3, requires_grad=requires == "self")
        with pytest.raises(RuntimeError, match="requires grad"):
            target.map2_(torch.ones(3, requires_grad=requires == "x"), torch.ones(3), lambda a, b, c: a)
        ours = Tensor(np.ones(3), requires_grad=requires == "self")
        with pytest.raises(RuntimeError, match="requires grad"):
            ours.map2_(Tensor(np.ones(3), requires_grad=requires == "x"), Tensor(np.ones(3)), lambda a, b, c: a)
    with pytest.raises(TypeError):
        torch.ones(3).map2_(torch.ones(3, dtype=torch.float64), torch.ones(3), lambda a, b, c: a)
    with pytest.raises(TypeError, match="map2_"):
        Tensor(np.ones(3, np.float32)).map2_(Tensor(np.ones(3)), Tensor(np.ones(3, np.float32)), lambda a, b, c: a)


@pytest.mark.parametrize(("size", "stride", "offset"), [((2, 2), (1, 2), None), ((3,), (2,), 1), ((2, 3), (0, 1), 2)])
def test_as_strided_in_place_takes_torchs_values_and_shape(size: tuple, stride: tuple, offset: int | None) -> None:
    ours, theirs = Tensor(np.arange(6.0)), torch.arange(6.0, dtype=torch.float64)
    assert ours.as_strided_(size, stride, offset) is ours
    assert theirs.as_strided_(size, stride, offset) is theirs
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours._version == theirs._version == 1


def test_as_strided_in_place_is_refused_on_a_leaf_requiring_grad() -> None:
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch.ones(3, requires_grad=True).as_strided_((2,), (1,))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        Tensor(np.ones(3), requires_grad=True).as_strided_((2,), (1,))


def test_as_strided_in_place_gradient_matches_finite_differences() -> None:
    x = Tensor(X, requires_grad=True)
    assert gradcheck(lambda t: (t * 1.0).as_strided_((2, 2), (1, 4), 1).exp(), [x])


def _quiet_torch_lu(t: object, **kwargs: object) -> tuple:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return t.lu(**kwargs)  # type: ignore[attr-defined]


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (3, 5), (5, 3)])
def test_lu_gives_torchs_packed_factor_and_int32_pivots(shape: tuple) -> None:
    a = RNG.standard_normal(shape)
    ours, theirs = Tensor(a).lu(get_infos=True), _quiet_torch_lu(torch.tensor(a), get_infos=True)
    assert len(ours) == len(theirs) == 3
    for mine, other in zip(ours, theirs):
        assert mine.shape == tuple(other.shape)
        assert str(mine.dtype) == str(other.dtype).removeprefix("torch.")
        np.testing.assert_allclose(mine.data, other.numpy(), rtol=1e-12, atol=1e-12)
    assert len(Tensor(a).lu()) == len(_quiet_torch_lu(torch.tensor(a))) == 2


def test_module_level_lu_is_torch_lu_as_the_tensor_method() -> None:
    """autograd.lu(A) is torch.lu(A), the (A_LU, pivots) of Tensor.lu, and with get_infos its infos (autograd.lu
    was the autograd.lu submodule: calling it was a TypeError 'module' object is not callable)."""
    a = RNG.standard_normal((2, 3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.lu(torch.tensor(a), get_infos=True)
    ours = ag.lu(Tensor(a), get_infos=True)
    assert len(ours) == len(theirs) == 3 and len(ag.lu(Tensor(a))) == 2
    for mine, other in zip(ours, theirs):
        assert str(mine.dtype) == str(other.dtype).removeprefix("torch.")
        np.testing.assert_allclose(mine.data, other.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ag.lu(a)[0].data, theirs[0].numpy(), rtol=1e-12, atol=1e-12)  # an array is taken too
    from autograd.lu import lu_factor  # the submodule is still importable

    assert lu_factor(Tensor(a)).LU.shape == (2, 3, 3)


def test_lu_factors_a_singular_matrix_and_reports_it_in_infos() -> None:
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    ours, theirs = Tensor(singular).lu(get_infos=True), _quiet_torch_lu(torch.tensor(singular), get_infos=True)
    assert int(ours[2].data) == int(theirs[2]) != 0


def test_lu_without_pivoting_raises_as_torch_on_the_cpu() -> None:
    with pytest.raises(RuntimeError, match="LU without pivoting is not implemented on the CPU"):
        _quiet_torch_lu(torch.tensor(X[:3, :3]), pivot=False)
    with pytest.raises(RuntimeError, match="LU without pivoting is not implemented on the CPU"):
        Tensor(X[:3, :3]).lu(pivot=False)


def test_lu_solve_solves_against_lus_factors_as_torch() -> None:
    a, b = RNG.standard_normal((2, 3, 3)), RNG.standard_normal((2, 3, 2))
    factor, pivots = Tensor(a).lu()
    their_factor, their_pivots = _quiet_torch_lu(torch.tensor(a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.tensor(b).lu_solve(their_factor, their_pivots)
    ours = Tensor(b).lu_solve(factor, pivots)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_lu_then_lu_solve_gradients_match_finite_differences() -> None:
    a = Tensor(RNG.standard_normal((3, 3)) + 3 * np.eye(3), requires_grad=True)
    b = Tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    assert gradcheck(lambda m, r: r.lu_solve(*m.lu()), [a, b])
    assert gradcheck(lambda m: m.lu()[0].sin(), [a])
