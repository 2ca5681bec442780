"""Torch oracle for autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp against torch.autograd.functional.

Each case is written once over a library (``autograd`` or ``torch``), so the same function runs in both;
results must have torch's nesting (tuples where torch gives tuples), shapes and values. Hessians are also
checked against central differences of the function itself, and transforms under ``create_graph=True``
against finite differences (gradcheck) and against torch's derivative of the same transform. The error
tests follow torch's own tests of these functions (test/autograd/test_functional.py), with slicing where
they use ``narrow``.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import autograd.functional as autogradF
from autograd import Tensor, Value, grad, gradcheck, no_grad

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(2024)


def _draw(*shapes):
    arrays = tuple(RNG.uniform(-1.5, 1.5, shape) for shape in shapes)
    return arrays if len(arrays) > 1 else arrays[0]


# A case: (function of the library, inputs as arrays: one array or a tuple of them).
FUNCTIONS = {
    "elementwise": (lambda lib: lambda x: x.exp() * x.sin(), _draw((2, 3))),
    "matmul": (lambda lib: lambda x, w: (x @ w).tanh(), _draw((2, 3), (3, 4))),
    "reductions, three outputs": (
        lambda lib: lambda x: (x.sum(dim=1), x.logsumexp(dim=0), (x * x).mean()),
        _draw((3, 4)),
    ),
    "two inputs, two outputs": (lambda lib: lambda a, b: (a * b, (a**2).sum() + b.sum()), _draw((3,), (3,))),
    "an unused input": (lambda lib: lambda a, b: (a * 2.0, a.sum()), _draw((2,), (3,))),
    "zero-dimensional input": (lambda lib: lambda x: lib.stack([x, x * x, x.exp()]), np.array(0.7)),
}

SCALAR_FUNCTIONS = {
    "cubic": (lambda lib: lambda x: x.pow(3).sum(), _draw((2, 3))),
    "tanh layer": (lambda lib: lambda x, w: ((x @ w).tanh() ** 2).sum(), _draw((2, 3), (3, 2))),
    "logsumexp and sine": (lambda lib: lambda x: x.logsumexp(dim=0) + (x * x.sin()).sum(), _draw((4,))),
    "an unused input": (lambda lib: lambda a, b: (a**2).sum() * a.sum(), _draw((2,), (3,))),
    "one-element output of shape (1, 1, 1)": (lambda lib: lambda x: x.exp().sum().view(1, 1, 1), _draw((2, 2))),
}


def _ours(arrays):
    return tuple(Tensor(a.copy()) for a in arrays) if isinstance(arrays, tuple) else Tensor(arrays.copy())


def _theirs(arrays):
    return tuple(torch.tensor(a) for a in arrays) if isinstance(arrays, tuple) else torch.tensor(arrays)


def _shapes(result):
    return tuple(_shapes(r) for r in result) if isinstance(result, tuple) else tuple(result.shape)


def _like(result):
    """Random arrays shaped as ``result`` (a torch tensor or a tuple of them), for v."""
    if isinstance(result, tuple):
        return tuple(RNG.uniform(-1.0, 1.0, tuple(r.shape)) for r in result)
    return RNG.uniform(-1.0, 1.0, tuple(result.shape))


def assert_matches(ours, theirs, rtol=1e-10, atol=1e-12, where="result"):
    """Same nesting, kinds, shapes and values as torch's result; ours are constants when torch's are."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), f"{where}: {type(ours).__name__} vs a tuple"
        for index, (mine, expected) in enumerate(zip(ours, theirs)):
            assert_matches(mine, expected, rtol, atol, f"{where}[{index}]")
        return
    assert isinstance(ours, Tensor), f"{where}: {type(ours).__name__}, not a Tensor"
    assert ours.shape == tuple(theirs.shape), f"{where}: shape {ours.shape} vs {tuple(theirs.shape)}"
    assert ours.requires_grad == theirs.requires_grad, f"{where}: requires_grad differs"
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=atol, err_msg=where)


# -- values, shapes and nesting against torch ------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(FUNCTIONS))
def test_vjp_matches_torch(case):
    make, inputs = FUNCTIONS[case]
    v = _like(make(torch)(*_theirs(inputs if isinstance(inputs, tuple) else (inputs,))))
    ours = autogradF.vjp(make(autograd), _ours(inputs), _ours(v))
    theirs = torch.autograd.functional.vjp(make(torch), _theirs(inputs), _theirs(v))
    assert_matches(ours, theirs)


@pytest.mark.parametrize("case", sorted(FUNCTIONS))
def test_jvp_matches_torch(case):
    make, inputs = FUNCTIONS[case]
    v = (
        tuple(RNG.uniform(-1, 1, a.shape) for a in inputs)
        if isinstance(inputs, tuple)
        else RNG.uniform(-1, 1, inputs.shape)
    )
    ours = autogradF.jvp(make(autograd), _ours(inputs), _ours(v))
    theirs = torch.autograd.functional.jvp(make(torch), _theirs(inputs), _theirs(v))
    assert_matches(ours, theirs)


@pytest.mark.parametrize("vectorize", [False, True])
@pytest.mark.parametrize("case", sorted(FUNCTIONS))
def test_jacobian_matches_torch(case, vectorize):
    make, inputs = FUNCTIONS[case]
    ours = autogradF.jacobian(make(autograd), _ours(inputs), vectorize=vectorize)
    theirs = torch.autograd.functional.jacobian(make(torch), _theirs(inputs), vectorize=vectorize)
    assert_matches(ours, theirs)


def test_jacobian_forward_mode_strategy_gives_the_reverse_mode_result():
    make, inputs = FUNCTIONS["matmul"]
    ours = autogradF.jacobian(make(autograd), _ours(inputs), vectorize=True, strategy="forward-mode")
    theirs = torch.autograd.functional.jacobian(make(torch), _theirs(inputs), vectorize=True, strategy="forward-mode")
    assert isinstance(theirs, list)  # torch's forward mode nests in lists; ours nests in tuples in both modes
    assert_matches(ours, tuple(theirs))


@pytest.mark.parametrize("case", sorted(SCALAR_FUNCTIONS))
def test_hessian_matches_torch(case):
    make, inputs = SCALAR_FUNCTIONS[case]
    ours = autogradF.hessian(make(autograd), _ours(inputs))
    theirs = torch.autograd.functional.hessian(make(torch), _theirs(inputs))
    assert_matches(ours, theirs)


@pytest.mark.parametrize("transform", ["vhp", "hvp"])
@pytest.mark.parametrize("case", sorted(SCALAR_FUNCTIONS))
def test_vhp_and_hvp_match_torch(case, transform):
    make, inputs = SCALAR_FUNCTIONS[case]
    v = (
        tuple(RNG.uniform(-1, 1, a.shape) for a in inputs)
        if isinstance(inputs, tuple)
        else RNG.uniform(-1, 1, inputs.shape)
    )
    ours = getattr(autogradF, transform)(make(autograd), _ours(inputs), _ours(v))
    theirs = getattr(torch.autograd.functional, transform)(make(torch), _theirs(inputs), _theirs(v))
    assert_matches(ours, theirs)


def test_hvp_and_vhp_without_v_for_a_one_element_input_match_torch():
    ours = autogradF.hvp(lambda x: x.exp().sum(), Tensor(np.array(0.3)))
    theirs = torch.autograd.functional.hvp(lambda x: x.exp().sum(), torch.tensor(0.3, dtype=torch.float64))
    assert_matches(ours, theirs)
    assert_matches(autogradF.vhp(lambda x: x.exp().sum(), Tensor(np.array(0.3))), theirs)


def test_vjp_without_v_for_a_one_element_output_matches_torch():
    x = _draw((4, 4))
    assert_matches(
        autogradF.vjp(lambda t: t.sum(), Tensor(x)), torch.autograd.functional.vjp(lambda t: t.sum(), torch.tensor(x))
    )


def _numeric_hessian(function, arrays):
    """Central second differences of ``function`` (numbers in, number out) over the flattened inputs."""
    flat = np.concatenate([a.ravel() for a in arrays])
    sizes = np.cumsum([0] + [a.size for a in arrays])
    step = 1e-4

    def at(point):
        parts = [Tensor(point[sizes[k] : sizes[k + 1]].reshape(a.shape)) for k, a in enumerate(arrays)]
        return function(*parts).data.item()

    n = flat.size
    hessian = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * step, np.eye(n)[j] * step
            hessian[i, j] = (
                at(flat + e_i + e_j) - at(flat + e_i - e_j) - at(flat - e_i + e_j) + at(flat - e_i - e_j)
            ) / (4 * step * step)
    return [
        [hessian[sizes[i] : sizes[i + 1], sizes[j] : sizes[j + 1]] for j in range(len(arrays))]
        for i in range(len(arrays))
    ]


@pytest.mark.parametrize("case", sorted(SCALAR_FUNCTIONS))
def test_hessian_matches_central_differences(case):
    make, inputs = SCALAR_FUNCTIONS[case]
    arrays = inputs if isinstance(inputs, tuple) else (inputs,)
    computed = autogradF.hessian(make(autograd), _ours(inputs))
    blocks = computed if isinstance(inputs, tuple) else ((computed,),)
    numeric = _numeric_hessian(make(autograd), arrays)
    for i, a in enumerate(arrays):
        for j, b in enumerate(arrays):
            assert blocks[i][j].shape == a.shape + b.shape
            np.testing.assert_allclose(blocks[i][j].data.reshape(a.size, b.size), numeric[i][j], rtol=1e-5, atol=1e-6)


# -- create_graph: the results differentiate again ------------------------------------------------------------


def _second_derivative_pair(transform, make, inputs, v):
    """d/d(inputs, v) of sum(result^2) for the transform's result under create_graph, ours and torch's."""

    def run(module, lib, wrap, differentiate):
        xs = tuple(wrap(a, True) for a in inputs)
        vs = tuple(wrap(a, True) for a in v)
        if transform in ("jacobian", "hessian"):
            result = getattr(module, transform)(make(lib), xs, create_graph=True)
            flat = [block for row in result for block in row]
        else:
            _, result = getattr(module, transform)(make(lib), xs, vs, create_graph=True)
            flat = list(result)
        total = sum((block**2).sum() for block in flat)
        return differentiate(total, xs + (vs if transform not in ("jacobian", "hessian") else ()))

    ours = run(
        autogradF,
        autograd,
        lambda a, rg: Tensor(a.copy(), requires_grad=rg),
        lambda total, nodes: grad(total, list(nodes), allow_unused=True),
    )
    theirs = run(
        torch.autograd.functional,
        torch,
        lambda a, rg: torch.tensor(a, requires_grad=rg),
        lambda total, nodes: torch.autograd.grad(total, nodes, allow_unused=True),
    )
    return ours, theirs


@pytest.mark.parametrize("transform", ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"])
def test_results_under_create_graph_differentiate_again_as_torchs(transform):
    if transform in ("vjp", "jvp", "jacobian"):
        make, inputs = FUNCTIONS["two inputs, two outputs"]
    else:
        make, inputs = SCALAR_FUNCTIONS["tanh layer"]
    if transform == "vjp":
        v = _like(make(torch)(*_theirs(inputs)))
    else:
        v = tuple(RNG.uniform(-1, 1, a.shape) for a in inputs)
    ours, theirs = _second_derivative_pair(transform, make, inputs, v)
    assert len(ours) == len(theirs)
    for position, (mine, expected) in enumerate(zip(ours, theirs)):
        if expected is None:
            assert mine is None or not np.any(mine), f"gradient {position}"
            continue
        np.testing.assert_allclose(mine, expected.numpy(), rtol=1e-10, atol=1e-12, err_msg=f"gradient {position}")


@pytest.mark.parametrize("transform", ["vjp", "jvp", "vhp", "hvp"])
def test_products_under_create_graph_pass_gradcheck_in_inputs_and_v(transform):
    function = (
        (lambda x: (x.exp() * x).sum(dim=1)) if transform in ("vjp", "jvp") else (lambda x: (x.exp() * x.sin()).sum())
    )
    x = _draw((2, 2))
    v = RNG.uniform(-1, 1, (2,)) if transform == "vjp" else RNG.uniform(-1, 1, (2, 2))
    transform_of = getattr(autogradF, transform)
    assert gradcheck(lambda a, b: transform_of(function, a, b, create_graph=True), [x, v])


@pytest.mark.parametrize("transform", ["jacobian", "hessian"])
def test_jacobian_and_hessian_under_create_graph_pass_gradcheck(transform):
    function = (
        (lambda x, y: (x + y).exp().sum(dim=1)) if transform == "jacobian" else (lambda x, y: (x + y).pow(3).sum())
    )
    transform_of = getattr(autogradF, transform)

    def flat(a, b):
        result = transform_of(function, (a, b), create_graph=True)
        return tuple(block for row in result for block in (row if isinstance(row, tuple) else (row,)))

    assert gradcheck(flat, [_draw((2, 2)), _draw((2, 2))])


def test_a_transform_of_a_transform_matches_torch():
    """vjp of a function that itself calls jacobian with create_graph (torch's nesting test)."""
    x, y, v = _draw((2, 2)), _draw((2, 2)), RNG.uniform(-1, 1, ())

    def outer(functional):
        def f(a, b):
            a = a.cos()
            jac_a, jac_b = functional.jacobian(lambda p, q: (p + q).exp().sum(dim=1), (a, b), create_graph=True)
            return (jac_a * jac_b).sum() + a.exp().sum()

        return f

    ours = autogradF.vjp(outer(autogradF), (Tensor(x), Tensor(y)), Tensor(np.array(v)))
    theirs = torch.autograd.functional.vjp(
        outer(torch.autograd.functional), (torch.tensor(x), torch.tensor(y)), torch.tensor(v)
    )
    assert_matches(ours, theirs)


# -- no_grad, leaves and captured inputs -----------------------------------------------------------------------


@pytest.mark.parametrize("transform", ["vjp", "jvp", "vhp", "hvp"])
def test_products_are_constants_under_no_grad_unless_create_graph(transform):
    function = (lambda x: x.sum(dim=1)) if transform in ("vjp", "jvp") else (lambda x: x.exp().sum())
    x = Tensor(_draw((4, 4)))
    v = Tensor(np.ones(4)) if transform == "vjp" else Tensor(np.ones((4, 4)))
    transform_of = getattr(autogradF, transform)
    with no_grad():
        value, product = transform_of(function, x, v)
    assert value.grad_fn is None and product.grad_fn is None
    assert np.any(product.data != 0)
    x.requires_grad_()
    v.requires_grad_()
    with no_grad():
        value, product = transform_of(function, x, v, create_graph=True)
    assert value.grad_fn is not None and product.grad_fn is not None


@pytest.mark.parametrize("transform", ["jacobian", "hessian"])
def test_jacobian_and_hessian_are_constants_under_no_grad_unless_create_graph(transform):
    function = (lambda x: x.exp().sum(dim=1)) if transform == "jacobian" else (lambda x: x.pow(3).sum())
    x = Tensor(_draw((2, 2)))
    with no_grad():
        assert getattr(autogradF, transform)(function, x).grad_fn is None
        assert getattr(autogradF, transform)(function, x, create_graph=True).grad_fn is not None


def test_transforms_leave_the_callers_gradients_alone():
    x = Tensor(_draw((3,)), requires_grad=True)
    autogradF.hessian(lambda t: t.pow(3).sum(), x)
    autogradF.vjp(lambda t: t.exp(), x, Tensor(np.ones(3)), create_graph=True)
    assert x.grad is None


def test_an_input_the_function_captures_is_differentiated_only_as_an_argument_as_in_torch():
    data = _draw((3,))
    x = Tensor(data.copy(), requires_grad=True)
    torch_x = torch.tensor(data, requires_grad=True)
    ours = autogradF.jacobian(lambda t: t * x, x, create_graph=True)
    theirs = torch.autograd.functional.jacobian(lambda t: t * torch_x, torch_x, create_graph=True)
    assert_matches(ours, theirs)
    np.testing.assert_allclose(ours.data, np.diag(data))


# -- Values (scalars) against torch's zero-dimensional tensors ----------------------------------------------


def test_value_inputs_give_values_that_match_torch():
    def f(a, b):
        return (a * b).sin() + a**3

    a, b = 0.7, -1.3
    theirs_inputs = (torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))
    ours_jvp = autogradF.jvp(f, (Value(a), Value(b)), (1.0, 0.5))
    theirs_jvp = torch.autograd.functional.jvp(
        f, theirs_inputs, (torch.tensor(1.0).double(), torch.tensor(0.5).double())
    )
    ours_hessian = autogradF.hessian(f, (a, b))
    theirs_hessian = torch.autograd.functional.hessian(f, theirs_inputs)
    assert all(isinstance(x, Value) for x in ours_jvp)
    np.testing.assert_allclose([x.data for x in ours_jvp], [x.item() for x in theirs_jvp], rtol=1e-12)
    assert all(isinstance(h, Value) for row in ours_hessian for h in row)
    np.testing.assert_allclose(
        [[h.data for h in row] for row in ours_hessian], [[h.item() for h in row] for row in theirs_hessian], rtol=1e-12
    )


def test_value_transforms_under_create_graph_differentiate_again():
    x = Value(0.4)
    _, product = autogradF.hvp(lambda t: t.sin() * t, x, 1.0, create_graph=True)
    (third,) = grad(product, x)  # d/dx (2 cos x - x sin x) = -3 sin x - x cos x
    assert third == pytest.approx(-3 * np.sin(0.4) - 0.4 * np.cos(0.4), rel=1e-12)


# -- errors, as torch's tests of these functions ---------------------------------------------------------------


def _first_three(a):
    return 3 * a[:3]


def _first_three_and_a_string(a):
    return 3 * a[:3], "bar"


@pytest.mark.parametrize("name", ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"])
def test_inputs_and_outputs_that_are_not_tensors_raise_type_errors(name):
    transform = getattr(autogradF, name)
    arguments = () if name in ("jacobian", "hessian") else (Tensor(np.ones(3 if name == "vjp" else 4)),)
    inp = Tensor(_draw((4,)))
    with pytest.raises(TypeError, match=f"The inputs given to {name} must be either a Tensor"):
        transform(_first_three, (inp, 2), *arguments)
    with pytest.raises(TypeError, match=f"The outputs of the user-provided function given to {name} must"):
        transform(_first_three_and_a_string, inp, *arguments)


def test_vjp_and_jvp_check_v_as_torch_does():
    inp = Tensor(_draw((4,)))
    with pytest.raises(RuntimeError, match="The vector v can only be None if the user-provided function returns"):
        autogradF.vjp(_first_three, inp)
    with pytest.raises(RuntimeError, match="The vector v can only be None if the input to the user-provided function"):
        autogradF.jvp(_first_three, inp)
    with pytest.raises(RuntimeError, match="The given v should contain a single Tensor"):
        autogradF.vjp(_first_three, inp, (Tensor(np.ones(3)), Tensor(np.ones(3))))
    with pytest.raises(RuntimeError, match="v has invalid size: should be"):
        autogradF.vjp(_first_three, inp, Tensor(np.ones(2)))
    with pytest.raises(ValueError, match=r"jvp: v has invalid size: should be \(4,\) but got \(2,\)"):
        autogradF.jvp(_first_three, inp, Tensor(np.ones(2)))
    with pytest.raises(RuntimeError, match="Entry 1 in v has invalid size"):
        autogradF.jvp(
            lambda a, b: a * b[:2], (Tensor(np.ones(2)), Tensor(np.ones(3))), (Tensor(np.ones(2)), Tensor(np.ones(2)))
        )
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        autogradF.jvp(lambda a, b: a * b, (Tensor(np.ones(2)), Tensor(np.ones(2))), (Tensor(np.ones(2)),))


@pytest.mark.parametrize("name", ["hessian", "vhp", "hvp"])
def test_second_order_transforms_need_one_single_element_output(name):
    transform = getattr(autogradF, name)
    inp = Tensor(_draw((4,)))
    arguments = () if name == "hessian" else (Tensor(np.ones(4)),)
    with pytest.raises(
        RuntimeError, match=f"The Tensor returned by the function given to {name} should contain a single element"
    ):
        transform(_first_three, inp, *arguments)
    if name == "hessian":
        with pytest.raises(RuntimeError, match="The function given to hessian should return a single Tensor"):
            transform(lambda a: (3 * a[:3], 3 * a[:3]), inp)
    else:
        with pytest.raises(RuntimeError, match="v has invalid size:"):
            transform(lambda a: a.exp().sum(), inp, Tensor(np.ones(5)))
        with pytest.raises(TypeError, match=f"The v given to {name} must be either a Tensor or a tuple of Tensors"):
            transform(lambda a: a.exp().sum(), inp, (Tensor(np.ones(4)), 2))


def _detached(a):
    return a.detach()


def _unconnected(a):
    """A non-leaf Tensor that requires grad but is not computed from the input."""
    return Tensor(a.data.copy(), requires_grad=True).clone()


@pytest.mark.parametrize("name", ["vjp", "jvp"])
def test_strict_vjp_and_jvp_raise_where_torch_does_and_give_zeros_otherwise(name):
    transform = getattr(autogradF, name)
    inp, v = Tensor(_draw((4,))), Tensor(_draw((4,)))
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients."):
        transform(_detached, inp, v, strict=True)
    assert not np.any(transform(_detached, inp, v)[1].data)
    with pytest.raises(RuntimeError, match="The output of the user-provided function is independent of input 0"):
        transform(_unconnected, inp, v, strict=True)
    assert not np.any(transform(_unconnected, inp, v)[1].data)
    inp.requires_grad_()
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function is independent of input 0."):
        transform(lambda a: a.clone(), inp, v, create_graph=True, strict=True)
    np.testing.assert_array_equal(transform(lambda a: a.clone(), inp, v, create_graph=True)[1].data, v.data)


def test_strict_jacobian_raises_where_torch_does_and_gives_zeros_otherwise():
    inp = Tensor(_draw((4,)))
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients."):
        autogradF.jacobian(_detached, inp, strict=True)
    np.testing.assert_array_equal(autogradF.jacobian(_detached, inp).data, np.zeros((4, 4)))
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent of input 0."):
        autogradF.jacobian(_unconnected, inp, strict=True)
    np.testing.assert_array_equal(autogradF.jacobian(_unconnected, inp).data, np.zeros((4, 4)))
    inp.requires_grad_()
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function is independent of input 0."):
        autogradF.jacobian(lambda a: a.clone(), inp, create_graph=True, strict=True)
    np.testing.assert_array_equal(autogradF.jacobian(lambda a: a.clone(), inp, create_graph=True).data, np.eye(4))


@pytest.mark.parametrize("name", ["hessian", "vhp", "hvp"])
def test_strict_second_order_transforms_raise_where_torch_does_and_give_zeros_otherwise(name):
    transform = getattr(autogradF, name)
    inp = Tensor(_draw((4,)))
    arguments = () if name == "hessian" else (Tensor(_draw((4,))),)

    def zeros_of(result):
        return not np.any((result if name == "hessian" else result[1]).data)

    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients."):
        transform(lambda a: a.detach().sum(), inp, *arguments, strict=True)
    assert zeros_of(transform(lambda a: a.detach().sum(), inp, *arguments))
    unconnected_words = (
        "jacobian of the user-provided function with respect to input 0"
        if name == "hessian"
        else "The output of the user-provided function is independent of input 0"
    )
    with pytest.raises(RuntimeError, match=unconnected_words):
        transform(lambda a: _unconnected(a).sum(), inp, *arguments, strict=True)
    assert zeros_of(transform(lambda a: _unconnected(a).sum(), inp, *arguments))
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect to input 0 is"):
        transform(lambda a: (3 * a).sum(), inp, *arguments, strict=True)
    assert zeros_of(transform(lambda a: (3 * a).sum(), inp, *arguments))


def test_strategy_arguments_torch_refuses_raise_as_torchs():
    inp = Tensor(_draw((4,)))
    with pytest.raises(AssertionError, match='Expected strategy to be either "forward-mode" or "reverse-mode"'):
        autogradF.jacobian(lambda x: x, inp, strategy="sideways")
    with pytest.raises(RuntimeError, match="not supported together"):
        autogradF.jacobian(lambda x: x, inp, strict=True, vectorize=True)
    with pytest.raises(RuntimeError, match="not supported together"):
        autogradF.hessian(lambda x: x.pow(3).sum(), inp, strict=True, vectorize=True)
    with pytest.raises(NotImplementedError, match="not supported together"):
        autogradF.jacobian(lambda x: x, inp, create_graph=True, strategy="forward-mode", vectorize=True)
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        autogradF.jacobian(lambda x: x, inp, strategy="forward-mode")


@pytest.mark.parametrize("strategy", ["forward-mode", "reverse-mode"])
@pytest.mark.parametrize("vectorize", [False, True])
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("strict", [False, True])
def test_jacobian_refuses_strategy_combinations_with_torchs_error_class_in_torchs_order(
    strategy, vectorize, create_graph, strict
):
    def outcome(lib, jacobian, inp):
        try:
            jacobian(lambda x: x * x, inp, create_graph, strict, vectorize, strategy)
        except Exception as error:  # noqa: BLE001 -- the class is what is compared
            return type(error).__name__, "vectoriz" in str(error)
        return None

    arrays = _draw((3,))
    ours = outcome(autograd, autogradF.jacobian, Tensor(arrays))
    theirs = outcome(torch, torch.autograd.functional.jacobian, torch.tensor(arrays))
    assert ours == theirs


PIECEWISE_LINEAR = {
    "relu": lambda fn, a: fn.relu(a),
    "relu6": lambda fn, a: fn.relu6(a),
    "hardtanh": lambda fn, a: fn.hardtanh(a, -0.5, 0.5),
    "hardshrink": lambda fn, a: fn.hardshrink(a, 0.3),
    "softshrink": lambda fn, a: fn.softshrink(a, 0.3),
    "threshold": lambda fn, a: fn.threshold(a, 0.2, -1.0),
}


@pytest.mark.parametrize("activation", PIECEWISE_LINEAR)
@pytest.mark.parametrize("transform", ["jvp", "vhp", "hvp"])
@pytest.mark.parametrize("strict", [False, True])
def test_transforms_through_piecewise_linear_activations_under_create_graph_stay_graphs_of_the_inputs_as_torchs(
    activation, transform, strict
):
    """torch's gradients of relu, hardtanh, the shrinks and threshold (threshold_backward, ...) read x again in their
    derivative in the incoming gradient, so a jvp's or hvp's double-backward trick through them gives a graph of the
    inputs (its derivative zero), which strict=True with create_graph=True accepts: not a result cut off from them."""
    import nn.functional

    arrays = (_draw((4,)), _draw((4,)))
    act = PIECEWISE_LINEAR[activation]

    def run(functional, transform_fn, tensor):
        inputs = tuple(tensor(a) for a in arrays)
        if transform == "jvp":
            func = lambda a, b: act(functional, a) * b  # noqa: E731
        else:
            func = lambda a, b: (act(functional, a) * b).sum()  # noqa: E731
        v = tuple(tensor(np.ones(4)) for _ in arrays)
        _, products = transform_fn(func, inputs, v, create_graph=True, strict=strict)
        return [
            (p.requires_grad, p.detach().numpy()) for p in (products if isinstance(products, tuple) else (products,))
        ]

    ours = run(nn.functional, getattr(autogradF, transform), Tensor)
    theirs = run(torch.nn.functional, getattr(torch.autograd.functional, transform), torch.tensor)
    assert [flag for flag, _ in ours] == [flag for flag, _ in theirs]
    for (_, mine), (_, torchs) in zip(ours, theirs):
        np.testing.assert_allclose(mine, torchs, rtol=1e-12, atol=1e-12)
