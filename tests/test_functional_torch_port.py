"""torch.autograd.functional's own tests (test/autograd/test_functional.py), ported: the cases
tests/test_functional_torch.py does not already run, each against torch itself.

Every case is one function written over a library (``autograd`` or ``torch``) and run through both; the results
must have torch's nesting (tuples of tuples for several outputs and inputs), block shapes
(``out.shape + in.shape``), dtypes, values, and must be constants unless ``create_graph``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import autograd.functional as autogradF
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def _lib(name):
    return autograd if name == "ours" else torch


def _functional(name):
    return autogradF if name == "ours" else torch.autograd.functional


def _tensor(name, array, dtype=np.float64):
    array = np.asarray(array, dtype=dtype)
    return Tensor(array.copy()) if name == "ours" else torch.tensor(array)


def _inputs(name, arrays, dtype=np.float64):
    if isinstance(arrays, tuple):
        return tuple(_tensor(name, a, dtype) for a in arrays)
    return _tensor(name, arrays, dtype)


def _run(transform, make, arrays, *rest, dtype=np.float64, **options):
    """``transform`` of the function ``make(lib)`` at ``arrays`` (and ``rest``, e.g. v), ours and torch's."""
    results = []
    for name in ("ours", "torch"):
        extra = tuple(_inputs(name, r) for r in rest)
        results.append(
            getattr(_functional(name), transform)(make(_lib(name)), _inputs(name, arrays, dtype), *extra, **options)
        )
    return results


def assert_like_torch(ours, theirs, where="result", graph=True):
    """Same nesting (torch's forward mode nests in lists, ours in tuples), kinds, shapes, dtypes and values, and
    constants where torch's are (``graph=False``: where torch's are graph nodes by a leak, ours must be constants)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple), f"{where}: {type(ours).__name__}, torch's is a {type(theirs).__name__}"
        assert len(ours) == len(theirs), f"{where}: {len(ours)} entries vs torch's {len(theirs)}"
        for index, (mine, expected) in enumerate(zip(ours, theirs)):
            assert_like_torch(mine, expected, f"{where}[{index}]", graph)
        return
    assert isinstance(ours, Tensor), f"{where}: {type(ours).__name__}, not a Tensor"
    assert ours.shape == tuple(theirs.shape), f"{where}: shape {ours.shape} vs torch's {tuple(theirs.shape)}"
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), f"{where}: {ours.dtype} vs {theirs.dtype}"
    assert ours.requires_grad == (theirs.requires_grad and graph), f"{where}: requires_grad differs"
    rtol = 1e-5 if ours.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=rtol, err_msg=where)


# -- jacobian: structure of several inputs and outputs, vectorize and strategy ------------------------------


JACOBIAN_CASES = {
    "one input, one output": (lambda lib: lambda a: 3 * a[:3], RNG.random(4)),
    "two inputs, outputs in the other order": (lambda lib: lambda a, b: (b, 3 * a[:3]), (RNG.random(4), RNG.random(5))),
    "3-d input": (lambda lib: lambda x: 3 * x**2, RNG.standard_normal((2, 3, 5))),
    "two inputs": (lambda lib: lambda x, y: (x.cos() * x) @ y.sin(), (RNG.standard_normal((2, 3)), RNG.standard_normal((3, 5)))),
    "two inputs, three outputs": (
        lambda lib: lambda x, y: ((x * x) @ y, x @ (x.sum(1) * y), y.sum()),
        (RNG.standard_normal((5, 3)), RNG.standard_normal((3, 5))),
    ),
    "outputs that are the inputs": (lambda lib: lambda x, y: (x, y, x, y), (RNG.standard_normal(2), RNG.standard_normal(3))),
    "zero-dimensional outputs": (lambda lib: lambda x, y: (x.sum(), y.sum(), x * y), (RNG.standard_normal(3), RNG.standard_normal(3))),
    "zero-dimensional input": (lambda lib: lambda x: lib.stack([x, x, x]), RNG.standard_normal(())),
    "zero-dimensional input and output": (lambda lib: lambda x, y: (y.sum(), x * y), (RNG.standard_normal(()), RNG.standard_normal(1))),
    "reduction along a dimension": (lambda lib: lambda x: x.exp().sum(dim=1), RNG.random((4, 4))),
    "two inputs, reduced": (lambda lib: lambda x, y: (x + y.exp()).sum(dim=1), (RNG.random((4, 4)), RNG.random((4, 4)))),
    "scalar output": (lambda lib: lambda x: x.sum(), RNG.random((4, 4))),
    "expander": (lambda lib: lambda x: x.unsqueeze(0).repeat(4), RNG.random(())),
}  # fmt: skip


@pytest.mark.parametrize("vectorize", [False, True])
@pytest.mark.parametrize("case", sorted(JACOBIAN_CASES))
def test_jacobian_has_torchs_structure_and_values(case, vectorize):
    make, arrays = JACOBIAN_CASES[case]
    ours, theirs = _run("jacobian", make, arrays, vectorize=vectorize)
    assert_like_torch(ours, theirs)


@pytest.mark.parametrize("case", sorted(set(JACOBIAN_CASES) - {"outputs that are the inputs"}))
def test_jacobian_in_forward_mode_is_torchs(case):
    make, arrays = JACOBIAN_CASES[case]
    ours, theirs = _run("jacobian", make, arrays, vectorize=True, strategy="forward-mode")
    assert_like_torch(ours, theirs)
    loop = autogradF.jacobian(make(autograd), _inputs("ours", arrays))
    assert_like_torch(ours, _as_torch(loop))


def _as_torch(result):
    if isinstance(result, tuple):
        return tuple(_as_torch(r) for r in result)
    return torch.tensor(result.data)


@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_blocks_take_the_inputs_dtype_as_torchs_reverse_mode(vectorize):
    """Outputs of float32 and float64 from float32 inputs: every block float32 (torch's reverse mode)."""
    make = lambda lib: lambda x, y: ((x * y).float(), (x * y).double())  # noqa: E731
    ours, theirs = _run("jacobian", make, (RNG.random(3), RNG.random(3)), dtype=np.float32, vectorize=vectorize)
    assert_like_torch(ours, theirs)


def test_jacobian_and_hessian_with_vectorize_raise_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        autogradF.jacobian(lambda a: (a**2).sum(), Tensor(RNG.standard_normal(3)), vectorize=True)
        autogradF.hessian(lambda a: (a**2).sum(), Tensor(RNG.standard_normal(3)), vectorize=True)


# -- hessian ---------------------------------------------------------------------------------------------------


HESSIAN_CASES = {
    "3-d input": (lambda lib: lambda x: (3 * x**2).sum(), RNG.standard_normal((2, 3, 5))),
    "three inputs through relu": (
        lambda lib: lambda x, y, z: ((x.relu() * x) @ y.sin() @ z).sum(),
        (RNG.standard_normal((2, 3)), RNG.standard_normal((3, 5)), RNG.standard_normal((5, 5))),
    ),
    "an input the output does not use": (lambda lib: lambda x, y: (x**2).sum(), (RNG.standard_normal(2), RNG.standard_normal(3))),
    "an output that uses no input": (
        lambda lib: lambda x, y: _tensor("ours" if lib is autograd else "torch", 1.0),
        (RNG.standard_normal(2), RNG.standard_normal(3)),
    ),
    "two narrowed inputs": (lambda lib: lambda a, b: (3 * b[:3] * a[:3]).sum(), (RNG.random(4), RNG.random(5))),
    "two inputs, summed": (lambda lib: lambda x, y: (x + y).pow(3).sum(), (RNG.random((2, 2)), RNG.random((2, 2)))),
    "a linear function": (lambda lib: lambda x: x.sum(), RNG.random((4, 4))),
    "a zero-dimensional input": (lambda lib: lambda x: x.sum(), RNG.random(())),
    "an output of shape (1, 1, 1)": (lambda lib: lambda x: x.sum().view(1, 1, 1), RNG.random((4, 4))),
}  # fmt: skip


@pytest.mark.parametrize(
    "options",
    [{}, {"vectorize": True}, {"vectorize": True, "outer_jacobian_strategy": "forward-mode"}],
    ids=["loop", "vectorized", "forward-over-reverse"],
)
@pytest.mark.parametrize("case", sorted(HESSIAN_CASES))
def test_hessian_has_torchs_structure_and_values(case, options):
    make, arrays = HESSIAN_CASES[case]
    ours, theirs = _run("hessian", make, arrays, **options)
    # torch's forward-over-reverse Hessian keeps a grad_fn (ReshapeAliasBackward0) without create_graph; ours is a
    # constant, as its documentation says every result is unless create_graph=True
    assert_like_torch(ours, theirs, graph="outer_jacobian_strategy" not in options)


def test_hessian_forward_over_reverse_needs_vectorize_as_torchs():
    for functional in (torch.autograd.functional, autogradF):
        x = _tensor("ours" if functional is autogradF else "torch", RNG.random(3))
        with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
            functional.hessian(lambda a: (a**3).sum(), x, outer_jacobian_strategy="forward-mode")


# -- vjp, jvp, vhp, hvp of scalars and single-element shapes ----------------------------------------------------


PRODUCT_CASES = [
    ("vjp", lambda lib: lambda x: x.sum(), RNG.random((4, 4)), (np.ones(()),)),
    ("vjp", lambda lib: lambda x: x.sum(), RNG.random((4, 4)), ()),
    ("vjp", lambda lib: lambda x: x.unsqueeze(0).repeat(4), RNG.random(()), (np.ones(4),)),
    ("vjp", lambda lib: lambda x, y: (2 * x + 3 * y, x + y), (RNG.random(2), RNG.random(2)), (([1.0, 0.0], [1.0, 0.0]),)),
    ("jvp", lambda lib: lambda x: x.sum(), RNG.random((4, 4)), (np.ones((4, 4)),)),
    ("jvp", lambda lib: lambda x: x.unsqueeze(0).repeat(4), RNG.random(()), (np.ones(()),)),
    ("jvp", lambda lib: lambda x: x.unsqueeze(0).repeat(4), RNG.random(()), ()),
    ("jvp", lambda lib: lambda x, y: 2 * x + 3 * y, (RNG.random(2), RNG.random(2)), ((np.ones(2), np.ones(2)),)),
    ("vhp", lambda lib: lambda x: x.sum(), RNG.random(()), ()),
    ("hvp", lambda lib: lambda x: x.exp().sum(), RNG.random(()), ()),
    ("vhp", lambda lib: lambda x: x.sum().view(1, 1, 1), RNG.random((4, 4)), (RNG.random((4, 4)),)),
    ("hvp", lambda lib: lambda x: x.exp().sum().view(1, 1, 1), RNG.random((4, 4)), (RNG.random((4, 4)),)),
    ("vhp", lambda lib: lambda a, b: (a + 3 * b[:3]).exp().sum(), (RNG.random(3), RNG.random(4)), ((np.ones(3), np.ones(4)),)),
    ("hvp", lambda lib: lambda a, b: (3 * b[:3] * a[:3]).sum(), (RNG.random(4), RNG.random(5)), ((RNG.random(4), RNG.random(5)),)),
]  # fmt: skip


@pytest.mark.parametrize("transform, make, arrays, v", PRODUCT_CASES)
def test_products_have_torchs_structure_and_values(transform, make, arrays, v):
    v = tuple(
        tuple(np.asarray(e, dtype=np.float64) for e in entry) if isinstance(entry, tuple) else entry for entry in v
    )
    ours, theirs = _run(transform, make, arrays, *v)
    assert_like_torch(ours, theirs)


def test_jvp_and_vjp_are_the_jacobian_times_v_and_v_times_the_jacobian():
    x, v = RNG.random(4), RNG.random(4)
    function = lambda t: t**3 + t.sum()  # noqa: E731
    jacobian = autogradF.jacobian(function, Tensor(x)).data
    expected = torch.autograd.functional.jacobian(function, torch.tensor(x)).numpy()
    np.testing.assert_allclose(jacobian, expected, rtol=1e-12)
    np.testing.assert_allclose(autogradF.jvp(function, Tensor(x), Tensor(v))[1].data, expected @ v, rtol=1e-12)
    np.testing.assert_allclose(autogradF.vjp(function, Tensor(x), Tensor(v))[1].data, v @ expected, rtol=1e-12)


def test_hvp_and_vhp_are_the_hessian_times_v_and_v_times_the_hessian():
    x, v = RNG.random(4), RNG.random(4)
    function = lambda a: 3 * a[:3].exp().sum()  # noqa: E731
    expected = torch.autograd.functional.hessian(function, torch.tensor(x)).numpy()
    np.testing.assert_allclose(autogradF.hessian(function, Tensor(x)).data, expected, rtol=1e-12)
    np.testing.assert_allclose(autogradF.hvp(function, Tensor(x), Tensor(v))[1].data, expected @ v, rtol=1e-12)
    np.testing.assert_allclose(autogradF.vhp(function, Tensor(x), Tensor(v))[1].data, v @ expected, rtol=1e-12)


# -- what the function returns ---------------------------------------------------------------------------------


@pytest.mark.parametrize("returned", [3.0, 1, None, "list"], ids=["float", "int", "None", "list"])
@pytest.mark.parametrize("name", ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"])
def test_a_function_returning_no_tensor_is_a_type_error_as_in_torch(name, returned):
    for lib in ("torch", "ours"):
        x = _tensor(lib, RNG.random(3))
        arguments = () if name in ("jacobian", "hessian") else (_tensor(lib, np.ones(3)),)

        def function(a):
            return [a, a] if returned == "list" else returned

        with pytest.raises(TypeError, match=f"The outputs of the user-provided function given to {name} must"):
            getattr(_functional(lib), name)(function, x, *arguments)
