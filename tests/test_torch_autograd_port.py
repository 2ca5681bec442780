# ruff: noqa: F841, B023, E741, B018 -- the ported cases keep torch's unused locals, loop closures and names
"""PyTorch's test/test_autograd.py (class TestAutograd), ported: the test methods the other ports
(test_torch_inplace_views_port.py, test_autograd_function_db_port.py, test_gradcheck_torch_port.py, ...) do not
cover, translated to this library's API. Each case is written once against ``lib`` and runs twice, with this library
and with torch 2.13 (which shows the port is faithful); torch's side is skipped when torch is not installed.

Left out: the CUDA, sparse, complex, jit, multithreading, forward-AD, profiler and dispatch-mode tests, and those
reading torch internals (``torch._C``, ``_raw_saved_*``, ``_input_metadata``). Where the library deliberately
differs from torch (README), the case checks the library's documented behaviour.
"""

from __future__ import annotations

import copy
import gc
import math
import pickle
import threading
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy
from functools import partial
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import autograd
import nn


@pytest.fixture(params=["autograd", "torch"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    """This library, or torch (the oracle: skipped when it is not installed)."""
    return autograd if request.param == "autograd" else pytest.importorskip("torch")


def nn_of(lib: ModuleType) -> Any:
    return nn if lib is autograd else lib.nn


def optim_of(lib: ModuleType) -> Any:
    return nn.optim if lib is autograd else lib.optim


def assert_close(actual: Any, expected: Any, tol: float = 1e-6) -> None:
    """Values of either library (tensors, gradients, arrays, numbers) equal to ``tol``."""

    def plain(x: Any) -> np.ndarray:
        x = x.detach() if hasattr(x, "detach") else x
        return np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)

    actual, expected = plain(actual), plain(expected)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


# -- custom Functions --------------------------------------------------------------------------------------------


def test_custom_function_non_tensor_inputs_outputs(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t1, t2, scale, t3):
            t4 = t1 + t2 * t3
            t5 = t1 * t2 + t3
            t4 *= scale
            t5 *= scale
            ctx.scale = scale
            ctx.save_for_backward(t1, t2, t3)
            return scale, t4, None, True, t5, "bar", t1

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, *grads):
            assert len(grads) == 7
            assert grads[0] is None and grads[2] is None and grads[3] is None and grads[5] is None
            scale = ctx.scale
            var1, var2, var3 = ctx.saved_tensors
            return (
                grads[1] * scale + grads[4] * var2 * scale + grads[6],
                grads[1] * var3 * scale + grads[4] * var1 * scale,
                None,
                grads[1] * var2 * scale + grads[4] * scale,
            )

    t1 = lib.rand(10, dtype=lib.double, requires_grad=True)
    t2 = lib.rand(10, dtype=lib.double, requires_grad=True)
    t3 = lib.rand(10, dtype=lib.double)
    scale = 7
    res = MyFunction.apply(t1, t2, scale, t3)
    assert res[0] == scale and res[2] is None and res[3] is True and res[5] == "bar"
    assert_close(res[1], (t1 + t2 * t3) * scale)
    assert_close(res[4], (t1 * t2 + t3) * scale)
    assert_close(res[6], t1)
    lib.autograd.backward([res[1].sum(), res[4].sum(), res[6].sum()])
    assert t1.grad is not None and t2.grad is not None and t3.grad is None

    def foo(t1, t2, t3):
        res = MyFunction.apply(t1, t2, scale, t3)
        return res[1], res[4], res[6]

    assert lib.autograd.gradcheck(foo, (t1, t2, t3))


def test_custom_function_no_tensors(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t1, t2, scale, t3):
            t4 = t1 + t2 * t3
            t5 = t1 * t2 + t3
            t4 *= scale
            t5 *= scale
            return scale, t4, None, True, t5, "bar", t1

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, *args):
            return (args[0], args[1], None, args[2])

    t1, t2, t3, scale = 0.25, 0.5, 0.75, 4
    assert MyFunction.apply(t1, t2, scale, t3) == (scale, (t1 + t2 * t3) * scale, None, True, 3.5, "bar", t1)


def test_custom_function_setup_context_multi_output(lib):
    class MySquare(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x**2, x.item() * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.two_x = output[1]

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g_out, _):
            return g_out * ctx.two_x

    x = lib.tensor(0.75, requires_grad=True)
    y, _ = MySquare.apply(x)
    (gx,) = lib.autograd.grad(y, x)
    assert_close(gx, 1.5)


def test_custom_function_setup_context_multi_input(lib):
    class MyReshape(lib.autograd.Function):
        @staticmethod
        def forward(x, shape, scale_forward, scale_backward):
            return x.reshape(shape) * scale_forward

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, shape, scale_forward, scale_backward = inputs
            ctx.scale_backward = scale_backward
            ctx.x_shape = x.shape

        @staticmethod
        def backward(ctx, g_out):
            return g_out.reshape(ctx.x_shape) * ctx.scale_backward, None, None, None

    class MyReshapeRef(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, shape, scale_forward, scale_backward):
            ctx.scale_backward = scale_backward
            ctx.x_shape = x.shape
            return x.reshape(shape) * scale_forward

        @staticmethod
        def backward(ctx, g_out):
            return g_out.reshape(ctx.x_shape) * ctx.scale_backward, None, None, None

    for x, shape, forward, backward in [
        (lib.randn(24, requires_grad=True), (3, 8), 7, 11),
        (lib.randn(2, 3, 4, requires_grad=True), (6, 4), -1, 2),
    ]:
        y = MyReshape.apply(x, shape, forward, backward).sum()
        y_expected = MyReshapeRef.apply(x, shape, forward, backward).sum()
        assert_close(y, y_expected)
        assert_close(lib.autograd.grad(y, x)[0], lib.autograd.grad(y_expected, x)[0])


def test_custom_function_exception_in_backward_propagates(lib):
    class SimulateBackwardError(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            return input.clone()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, input):
            raise Exception("Simulate error on backward pass")  # noqa: TRY002 -- torch's test raises this

    t1 = lib.rand((3, 3), requires_grad=True)
    t2 = lib.rand((3, 3), requires_grad=True)
    t3 = SimulateBackwardError.apply((t1 + t2) * (t1 + t2))
    with pytest.raises(Exception, match="Simulate error on backward pass"):
        t3.sum().backward()


def test_legacy_function_instance_call_raises(lib):
    class MyFunction(lib.autograd.Function):
        def forward(self, x):
            return x

        def backward(self, grad_output):
            return grad_output

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(RuntimeError):
            MyFunction()(lib.randn(3, 4))


# -- hooks -------------------------------------------------------------------------------------------------------


def test_post_accumulate_grad_hook_e2e_with_a_deep_copied_reference_model(lib):
    """An optimizer step in each parameter's post-accumulate-grad hook, against a deep copy of the model trained
    the usual way: the copy does not carry the hooks (torch's deepcopy of a tensor drops them)."""
    optim = optim_of(lib)

    def setup_optim_in_bwd(model):
        optims, handles = {}, []

        def optim_step_hook(param):
            optims[param].step()
            optims[param].zero_grad()

        for p in model.parameters():
            optims[p] = optim.Adam([p])
            handles.append(p.register_post_accumulate_grad_hook(optim_step_hook))
        return handles

    lib.manual_seed(0)
    model = nn_of(lib).Linear(3, 2)
    inputs = lib.rand(2, 3, dtype=lib.float32)
    handles = setup_optim_in_bwd(model)
    model_copy = copy.deepcopy(model)
    optim_copy = optim.Adam(model_copy.parameters())

    def train_both():
        for _ in range(5):
            model(inputs).sum().backward()
            model_copy(inputs).sum().backward()
            optim_copy.step()
            optim_copy.zero_grad()

    train_both()
    frozen = []
    for reference, p in zip(model_copy.parameters(), model.parameters()):
        assert_close(p, reference, 1e-6)
        frozen.append(reference.detach().clone())
    for handle in handles:
        handle.remove()
    train_both()
    for static, reference, p in zip(frozen, model_copy.parameters(), model.parameters()):
        assert_close(p, static, 0)
        assert not np.allclose(p.detach().numpy(), reference.detach().numpy())


def test_deep_copy_of_a_leaf_drops_its_hooks(lib):
    x = lib.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append("hook"))
    x.register_post_accumulate_grad_hook(lambda t: seen.append("post"))
    parameter = nn_of(lib).Parameter(lib.ones(2))
    parameter.register_hook(lambda g: seen.append("parameter hook"))
    for original in (x, parameter):
        twin = copy.deepcopy(original)
        twin.sum().backward()
        assert_close(twin.grad, [1.0, 1.0])
    assert seen == []


# -- autograd.grad and backward(inputs=) -------------------------------------------------------------------------


def test_grad_runs_no_node_that_leads_to_no_input(lib):
    """torch's test_grad_unreachable_discovery: a custom Function behind the outputs but not behind the inputs is
    never run (its backward raises), by autograd.grad nor by backward(inputs=)."""

    class MyFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, x):
            raise AssertionError("This node should not be executed!")

    x = MyFunc.apply(lib.randn(1, requires_grad=True) * 2)
    y = lib.randn(1, requires_grad=True)
    (g_y,) = lib.autograd.grad(x, (y,), allow_unused=True)
    assert g_y is None

    x = MyFunc.apply(lib.randn(1, requires_grad=True) * 2)
    y = lib.randn(1, requires_grad=True)
    z = lib.randn(1, requires_grad=True)
    (g_y, g_z) = lib.autograd.grad(x + z, (y, z), allow_unused=True)
    assert g_y is None and g_z is not None

    x = MyFunc.apply(lib.randn(1, requires_grad=True) * 2)
    y = lib.randn(1, requires_grad=True)
    lib.autograd.backward(x, inputs=(y,))  # allow_unused is implicitly True
    assert y.grad is None


def test_a_gradient_edge_taken_before_an_in_place_change_gives_the_old_values_gradient(lib):
    """torch's test_grad_to_node_inplace: the edge keeps the grad_fn of the values it was taken of."""
    x = lib.rand(2, requires_grad=True).clone()
    x_edge = lib.autograd.graph.get_gradient_edge(x)
    old_function = x.grad_fn
    x *= 2
    g_old, g_new = lib.autograd.grad(x.sum(), (x_edge, x))
    assert_close(g_old, [2.0, 2.0])
    assert_close(g_new, [1.0, 1.0])
    assert x.grad_fn is not old_function and x.grad_fn.next_functions[0][0] is old_function
    x *= 3  # the same op again: a new function too
    assert x.grad_fn is not x.grad_fn.next_functions[0][0]


# -- indexing and setitem ----------------------------------------------------------------------------------------


def _check_setitem(lib, size, index):
    x = lib.ones(*size, requires_grad=True)
    y = x + 2
    version = y._version
    y[index] = 2
    assert y._version != version
    y.backward(lib.ones(*size))
    expected = lib.ones(*size)
    expected[index] = 0
    assert_close(x.grad, expected)


def _check_setitem_tensor(lib, size, index):
    x = lib.ones(*size, requires_grad=True)
    y = x + 2
    version = y._version
    value = x.new(x[index].size()).fill_(7)  # x[index].size() may be 0-d
    value.requires_grad = True
    y[index] = value
    assert y._version != version
    y.backward(lib.ones(*size))
    expected = lib.ones(*size)
    expected[index] = 0
    assert_close(x.grad, expected)
    assert_close(value.grad, lib.ones_like(value))
    x = lib.randn(4, requires_grad=True)  # x broadcasts to y[1]
    y = lib.zeros(2, 3, 4)
    y[1] = x
    y.backward(lib.randn(2, 3, 4))
    assert x.size() == x.grad.size()


@pytest.mark.filterwarnings("ignore:(Using a non-tuple|indexing with a list)")
def test_setitem(lib):
    long = lib.autograd.Variable(lib.LongTensor([1, 3]), requires_grad=False)
    for size, index in [
        ((5, 5), 1),
        ((5,), 1),
        ((1,), 0),
        ((10,), [0, 4, 2]),
        ((5, 5), ([0, 4], [2, 2])),
        ((5, 5, 5), (slice(None), slice(None), [1, 3])),
        ((5, 5, 5), (slice(None), [1, 3], slice(None))),
        ((5, 5, 5), ([1, 3], slice(None), slice(None))),
        ((5, 5, 5), (slice(None), [2, 4], [1, 3])),
        ((5, 5, 5), ([1, 3], [2, 4], slice(None))),
    ]:
        _check_setitem(lib, size, index)
    for size, index in [
        ((5, 5), 3),
        ((5, 5), ([0, 1], [1, 0])),
        ((5,), 3),
        ((5,), lib.autograd.Variable(lib.LongTensor([3]), requires_grad=False).sum()),  # a 0-d index
        ((5,), [[0, 1, 2, 3]]),
        ((5, 5, 5), (slice(None), slice(None), [1, 3])),
        ((5, 5, 5), (slice(None), [1, 3], slice(None))),
        ((5, 5, 5), ([1, 3], slice(None), slice(None))),
        ((5, 5, 5), (slice(None), [2, 4], [1, 3])),
        ((5, 5, 5), ([1, 3], [2, 4], slice(None))),
        ((5, 5, 5), (long, [2, 4], slice(None))),
    ]:
        _check_setitem_tensor(lib, size, index)


def test_setitem_mask(lib):
    mask = lib.BoolTensor(5, 5).bernoulli_()
    _check_setitem(lib, (5, 5), mask)
    _check_setitem(lib, (5,), mask[0])
    _check_setitem(lib, (1,), mask[0, 0:1])
    _check_setitem_tensor(lib, (5, 5), mask)
    _check_setitem_tensor(lib, (5,), mask[0])


def test_new_of_a_size_is_that_shape_even_0_d(lib):
    x = lib.ones(5)
    assert tuple(x.new(x[2].size()).shape) == ()
    assert tuple(x.new(x.size()).shape) == (5,)
    assert tuple(x.new(()).shape) == (0,)  # a plain empty tuple is data


def test_instantiating_a_function_warns_and_calling_the_instance_raises(lib):
    """torch's test_naughty_autograd_function_attribute_access: ``Id()`` is a DeprecationWarning (still an
    instance), calling it a RuntimeError; ``Id.apply`` names the backward function IdBackward."""

    class Id(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad_x):
            return grad_x

    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        f = Id()
    assert isinstance(f, Id)
    x = lib.zeros(1, requires_grad=True)
    with pytest.raises(RuntimeError):
        f(x)
    assert Id.apply(x).grad_fn.name() == "IdBackward"


# -- the rest of TestAutograd, run with torch and with this library: the same results -----------------------------
# Each case below is one of torch's test methods (its name less ``test_``), written against ``lib``; it returns what
# the two libraries must agree on (flags, counts, orders, the class of an error), and checks values with ``eq``.


def npy(x: Any) -> np.ndarray:
    """A tensor, gradient or number of either library as an ndarray."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "numpy"):
        x = x.numpy()
    return np.asarray(x)


def eq(a: Any, b: Any, tol: float = 1e-5) -> None:
    a, b = npy(a), npy(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=tol, atol=tol)


def raises(exc: type[BaseException], fn: Any) -> str:
    """The name of ``exc`` if ``fn()`` raises one (the libraries word their errors differently)."""
    with pytest.raises(exc):
        fn()
    return exc.__name__


def _function_test(lib, cls):
    x = lib.randn(5, 5, requires_grad=True)
    y = lib.randn(5, 5, requires_grad=True)
    result = cls.apply(x, 2, y)
    go = lib.ones((), requires_grad=True)
    result.sum().backward(go, create_graph=True)
    eq(x.grad, y + lib.ones(5, 5))
    eq(y.grad, x + lib.ones(5, 5) * 2)
    assert x.grad.grad_fn is not None
    assert y.grad.grad_fn is not None
    return x, y


def graph_desc(fn):
    if fn is None:
        return "None"
    result = type(fn).__name__ + "("
    next_functions = fn.next_functions
    for next_fn, _ in next_functions:
        result += graph_desc(next_fn)
        result += ", "
    if next_functions:
        result = result[:-2]
    return result + ")"


def get_mul2(lib, custom):
    if custom:

        class Mul2(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g_out):
                return g_out * 2

        return Mul2.apply
    return lambda x: x * 2


def _anom(lib, fn):
    with lib.autograd.detect_anomaly():
        fn()


def NN(lib):
    return lib.nn if lib is not autograd else nn


def ckpt(lib):
    return lib.utils.checkpoint if lib is not autograd else nn.utils.checkpoint


def case_tensor_grad_warnings(lib):
    dummy = lib.empty(1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        dummy.requires_grad_()
        foo = dummy.grad
        n0 = len(w)
        dummy = dummy.clone()
        foo = dummy.grad
        n1 = len(w)
        dummy.retain_grad()
        foo = dummy.grad
        n2 = len(w)
    return n0, n1, n2, [str(x.category.__name__) for x in w]


def case_grad_mode_class_decoration(lib):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")

        @lib.no_grad()
        class Foo:
            def __init__(self):
                assert not lib.is_grad_enabled()

            def foo(self):
                assert lib.is_grad_enabled()

        Foo().foo()
    cats = [x.category.__name__ for x in w]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")

        @lib.no_grad()
        def foo():
            assert not lib.is_grad_enabled()

        foo()

        class Foo2:
            @lib.no_grad()
            def __init__(self):
                assert not lib.is_grad_enabled()

            @lib.no_grad()
            def foo(self):
                assert not lib.is_grad_enabled()

        Foo2().foo()
    return cats, len(w)


def case_function(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, tensor1, pyscalar, tensor2):
            ctx.pyscalar = pyscalar
            ctx.save_for_backward(tensor1, tensor2)
            return tensor1 + pyscalar * tensor2 + tensor1 * tensor2

        @staticmethod
        def backward(ctx, grad_output):
            var1, var2 = ctx.saved_tensors
            assert isinstance(var1, lib.Tensor) and isinstance(grad_output, lib.Tensor)
            return (grad_output + grad_output * var2, None, grad_output * ctx.pyscalar + grad_output * var1)

    x, y = _function_test(lib, MyFunction)
    return "ok"


def case_function_returns_input(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    out = []
    for shape in [(1,), ()]:
        v = lib.ones(shape, requires_grad=True)
        MyFunction.apply(v).backward()
        eq(v.grad, lib.full(shape, 2.0))
        with lib.no_grad():
            v.grad.zero_()
        MyFunction.apply(v.clone()).backward()
        eq(v.grad, lib.full(shape, 2.0))
    return "ok"


def case_function_returns_undefined_tensor(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return None

    x = lib.ones(1, requires_grad=True)
    MyFunction.apply(x).backward()
    assert x.grad is None
    MyFunction.apply(x**2).backward()
    assert x.grad is None
    MyFunction.apply(x).sum().backward()
    assert x.grad is None
    assert lib.autograd.grad(MyFunction.apply(x), x, allow_unused=True)[0] is None
    return "ok"


def case_unused_grad_requires_grad_with_materialize(lib):
    x = lib.ones(10, requires_grad=True)
    y = lib.ones(10, requires_grad=True)
    z = (x**2).sum()
    g = lib.autograd.grad(z, (x, y), allow_unused=True, materialize_grads=True, create_graph=False)
    return g[0].requires_grad, g[1].requires_grad


def case_unrelated_inputs(lib):
    def my_function(x, y):
        return x * x

    x = lib.rand(10, dtype=lib.double, requires_grad=True)
    y = lib.rand(10, dtype=lib.double, requires_grad=True)
    return lib.autograd.gradcheck(my_function, (x, y)), lib.autograd.gradgradcheck(my_function, (x, y))


def case_accumulate_grad(lib):
    grad_output = lib.ones(5, 5)

    def compute_grad(create_graph):
        x = lib.randn(5, 5, requires_grad=True)
        y = x + 2
        y.backward(grad_output, retain_graph=True)
        x_grad = x.grad
        x_grad_clone = x.grad.clone()
        y.backward(grad_output, create_graph=create_graph)
        return x_grad, x_grad_clone

    x_grad, x_grad_clone = compute_grad(create_graph=False)
    eq(x_grad, x_grad_clone * 2)
    x_grad, x_grad_clone = compute_grad(create_graph=True)
    eq(x_grad, x_grad_clone)
    return "ok"


def case_accumulate_grad_tensor_reference(lib):
    out = []
    for create_graph in (False, True):
        params = lib.tensor([1.5, 1.5]).requires_grad_()
        params.grad = lib.tensor([1.5, 1.5])
        grad_saved = params.grad
        params.backward(lib.tensor([1.5, 1.5]), create_graph=create_graph)
        out.append(id(grad_saved) == id(params.grad))
    return out


def case_accumulate_grad_with_zero_numel_grad(lib):
    a = lib.rand(4, 0, requires_grad=True)
    b = lib.rand(4, 1, requires_grad=True)
    c = a + b
    assert c.shape == (4, 0)
    c.sum().backward()
    eq(b.grad, lib.zeros(4, 1))
    eq(a.grad, lib.zeros(4, 0))
    return "ok"


def case_hessian_vector(lib):
    x = lib.randn(2, 2, requires_grad=True)
    y = lib.randn(2, 2, requires_grad=True)
    z = x**2 + y * x + y**2
    z.backward(lib.ones(2, 2), create_graph=True)
    with lib.no_grad():
        x_grad = 2 * x + y
        y_grad = x + 2 * y
    eq(x.grad, x_grad)
    eq(y.grad, y_grad)
    grad_sum = 2 * x.grad + y.grad
    grad_sum.backward(lib.ones(2, 2))
    eq(x.grad, x_grad + lib.ones(2, 2) * 5)
    eq(y.grad, y_grad + lib.ones(2, 2) * 4)
    return "ok"


def case_invalid_gradients(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return lib.randn(10, dtype=lib.float)

    input = lib.randn(5, 5, dtype=lib.float, requires_grad=True)
    return raises(RuntimeError, lambda: MyFunction.apply(input).sum().backward())


def case_grad_mismatch_shape(lib):
    x = lib.randn(2, 2, requires_grad=True)
    y = lib.randn(2, 2, requires_grad=True)
    z = x**2 + y * x + y**2
    z.backward(lib.ones(2, 2), create_graph=True)
    grad_sum = 2 * x.grad + y.grad
    x_hv = lib.autograd.grad(outputs=[grad_sum], grad_outputs=[lib.ones(2, 2)], inputs=[x], create_graph=True)
    eq(x_hv[0], lib.ones(2, 2) * 5)
    grad_out = lib.ones(2)
    return raises(
        RuntimeError,
        lambda: lib.autograd.grad(outputs=[grad_sum], grad_outputs=[grad_out], inputs=[x], create_graph=True),
    )


def case_grad_to_node(lib):
    def check_matches(out, inp):
        ref = lib.autograd.grad(out.sum(), inp)
        edge = lib.autograd.graph.get_gradient_edge(inp)
        new = lib.autograd.grad(out.sum(), edge)
        eq(ref[0], new[0])

    x = lib.rand(2, requires_grad=True)
    out = x.clone()
    check_matches(out, x)
    x = x.clone()
    out = x.clone()
    check_matches(out, x)
    x = lib.var_mean(x)[1]
    out = x.clone()
    check_matches(out, x)
    return "ok"


def case_grad_to_node_multi(lib):
    GradientEdge = lib.autograd.graph.GradientEdge
    x = lib.rand(2, requires_grad=True).clone()
    y = lib.rand(2, requires_grad=True).clone()
    out = x + y
    ref = lib.autograd.grad(out.sum(), (x, y))
    inp_edges = (GradientEdge(x.grad_fn, x.output_nr), GradientEdge(y.grad_fn, y.output_nr))
    new = lib.autograd.grad(out.sum(), inp_edges)
    eq(ref[0], new[0])
    eq(ref[1], new[1])
    return "ok"


def case_grad_to_node_materialize(lib):
    GradientEdge = lib.autograd.graph.GradientEdge
    x = lib.rand(2, requires_grad=True).clone()
    edge_x = GradientEdge(x.grad_fn, x.output_nr)
    y = lib.rand(2, requires_grad=True).clone()
    edge_y = GradientEdge(y.grad_fn, y.output_nr)
    out = x.clone()
    lib.autograd.grad(out.sum(), (edge_x, y), allow_unused=True, materialize_grads=True)
    lib.autograd.grad(out.sum(), (x, y), allow_unused=True, materialize_grads=True)
    lib.autograd.grad(out.sum(), (x, edge_y), allow_unused=True)
    return raises(
        RuntimeError, lambda: lib.autograd.grad(out.sum(), (x, edge_y), allow_unused=True, materialize_grads=True)
    )


def case_backward_to_node(lib):
    GradientEdge = lib.autograd.graph.GradientEdge
    x = lib.rand(2, requires_grad=True).clone()
    edge_x = GradientEdge(x.grad_fn, x.output_nr)
    y = lib.rand(2, requires_grad=True).clone()
    edge_y = GradientEdge(y.grad_fn, y.output_nr)
    out = x.clone()
    lib.autograd.backward(out.sum(), inputs=(edge_x, y))
    lib.autograd.backward(out.sum(), inputs=(x, y))
    lib.autograd.backward(out.sum(), inputs=(x, edge_y))
    lib.autograd.backward(out.sum(), inputs=(edge_x, edge_y))
    return "ok"


def case_gradient_edge_output(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)

    def fn(x, reduce=True):
        tmp = x.sin().cos()
        if reduce:
            tmp = tmp.sum()
        out = tmp.exp().clone().sin().sum()
        tmp_edge = lib.autograd.graph.get_gradient_edge(tmp)
        return out, tmp_edge

    out, tmp_edge = fn(x)
    (tmp_grad,) = lib.autograd.grad(out, (tmp_edge,))
    (x_grad,) = lib.autograd.grad(tmp_edge, (x,), grad_outputs=(tmp_grad,))
    out, _ = fn(x)
    (x_grad_ref,) = lib.autograd.grad(out, (x,))
    eq(x_grad, x_grad_ref)
    out, tmp_edge = fn(x, reduce=False)
    r1 = raises(RuntimeError, lambda: lib.autograd.grad(tmp_edge, (x,)))
    out, tmp_edge = fn(x, reduce=True)
    lib.autograd.grad(tmp_edge, (x,))
    out, tmp_edge = fn(x)
    r2 = raises(RuntimeError, lambda: lib.autograd.grad(tmp_edge, (x,), grad_outputs=lib.tensor([1.0, 2.0, 3.0, 4.0])))
    out, tmp_edge = fn(x)
    lib.autograd.backward(tmp_edge, retain_graph=True)
    (x_grad_ref,) = lib.autograd.grad(tmp_edge, (x,), retain_graph=True)
    eq(x.grad, x_grad_ref)
    x.grad = None
    lib.autograd.backward((tmp_edge,), retain_graph=True)
    eq(x.grad, x_grad_ref)
    out1, tmp_edge1 = fn(x)
    out2, tmp_edge2 = fn(x)
    (x_grad_ref,) = lib.autograd.grad((tmp_edge1, out2), (x,), retain_graph=True)
    x.grad = None
    lib.autograd.backward((tmp_edge1, out2), retain_graph=True)
    eq(x.grad, x_grad_ref)
    out, tmp_edge = fn(x)
    r3 = raises(
        RuntimeError,
        lambda: lib.autograd.backward(tmp_edge, inputs=(x,), grad_tensors=lib.tensor([1.0, 2.0, 3.0, 4.0])),
    )
    return "ok"


def case_gradient_edge_graph_ownership(lib):
    class Clone(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g_x):
            return g_x.clone()

    inp = lib.rand(1, requires_grad=True).clone()
    out = inp.clone()
    edge = lib.autograd.graph.get_gradient_edge(out)
    lib.autograd.backward(edge)
    del out
    lib.autograd.backward(edge)
    out = Clone.apply(inp)
    edge = lib.autograd.graph.get_gradient_edge(out)
    lib.autograd.backward(edge)
    del out
    lib.autograd.backward(edge)
    return "ok"


def case_grad_nonleaf(lib):
    x_init = lib.randn(2, 2, requires_grad=True)
    x = x_init
    y = lib.randn(2, 2, requires_grad=True)
    grad_output = lib.ones(2, 2)

    def fn(x):
        return x**2 + y * x + y**2

    for _ in range(5):
        (grad_x,) = lib.autograd.grad(fn(x), x, grad_outputs=grad_output, create_graph=True)
        grad_x_expected = 2 * x + y
        assert y.grad is None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert x.grad is None
        eq(grad_x, grad_x_expected)
        x = x + 0.05 * grad_x
    val_init = fn(x_init).sum()
    val_final = fn(x).sum()
    assert float(val_final) > float(val_init)
    x.backward(grad_output)
    assert y.grad is not None and x_init.grad is not None
    return "ok"


def case_grad_nonleaf_many_outputs(lib):
    x = lib.randn(4, 2, requires_grad=True)
    a, b = x.chunk(2)
    hook_called = [False]

    def hook(*grads):
        hook_called[0] = True

    x.register_hook(hook)
    go = lib.randn(2, 2)
    grad_a, grad_b = lib.autograd.grad((a + 2 * b), [a, b], grad_outputs=go, create_graph=True)
    eq(grad_a, go)
    eq(grad_b, go * 2)
    assert not hook_called[0]
    assert x.grad is None
    return "ok"


def case_grad_materialize_grads(lib):
    x = lib.tensor(0.5, requires_grad=True)
    a = lib.tensor(1.0, requires_grad=True)
    y = x * a
    dydx = lib.autograd.grad(y, x, create_graph=True)
    d2ydx2_none = lib.autograd.grad(dydx, x, create_graph=True, allow_unused=True)
    d2ydx2 = lib.autograd.grad(dydx, x, create_graph=True, allow_unused=True, materialize_grads=True)
    d3ydx3 = lib.autograd.grad(d2ydx2, x, materialize_grads=True)
    assert d2ydx2_none[0] is None
    assert d2ydx2[0].item() == 0 and d3ydx3[0].item() == 0
    return raises(ValueError, lambda: lib.autograd.grad(y, x, allow_unused=False, materialize_grads=True))


def case_post_accumulate_grad_hook_on_non_leaf(lib):
    leaf = lib.rand(3, requires_grad=True)
    non_leaf = 2.0 * leaf
    return raises(RuntimeError, lambda: non_leaf.register_post_accumulate_grad_hook(lambda t: None))


def case_post_accumulate_grad_hook_multiple_hooks(lib):
    def hook1(tensor):
        tensor.sub_(tensor.grad)

    def hook2(tensor):
        tensor.mul_(4.0)

    tensor = lib.rand(3, requires_grad=True)
    tensor_ref = tensor.detach().clone()
    tensor.register_post_accumulate_grad_hook(hook1)
    tensor.register_post_accumulate_grad_hook(hook2)
    tensor.sum().backward()
    eq(4.0 * (tensor_ref - 1.0), tensor)
    return "ok"


def case_post_accumulate_grad_hook_multiple_tensors(lib):
    def hook(tensor):
        tensor.sub_(tensor.grad)

    t1 = lib.rand(3, requires_grad=True)
    r1 = t1.detach().clone()
    t2 = lib.rand(5, requires_grad=True)
    r2 = t2.detach().clone()
    t1.register_post_accumulate_grad_hook(hook)
    t2.register_post_accumulate_grad_hook(hook)
    t1.sum().backward()
    t2.sum().backward()
    eq(r1 - 1.0, t1)
    eq(r2 - 1.0, t2)
    return "ok"


def case_post_accumulate_grad_hook_returns_not_None(lib):
    tensor = lib.rand(2, 3, requires_grad=True)
    tensor.register_post_accumulate_grad_hook(lambda t: t.grad)
    return raises(RuntimeError, lambda: tensor.sum().backward())


def case_post_accumulate_grad_hook_gets_cleaned_up(lib):
    def fun():
        thing = lib.rand(3)

        def hook(tensor):
            tensor.sub_(tensor.grad)
            tensor.add_(thing)

        tensor = lib.rand(3, requires_grad=True)
        tensor.register_post_accumulate_grad_hook(hook)
        tensor.sum().backward()
        ref = weakref.ref(thing)
        gc.collect()
        return tensor, ref

    gc.disable()
    try:
        tensor, ref = fun()
        assert ref() is not None
        del tensor
        gc.collect()
        assert ref() is None
    finally:
        gc.enable()
    return "ok"


def case_post_accumulate_grad_hook_ordering(lib):
    tensor = lib.rand(3, requires_grad=True)

    def pre_hook(grad):
        return grad.sub(2.0)

    def acc_grad_node_pre_hook(grad_out):
        return (grad_out[0].div(5.0),)

    def post_acc_grad_hook(tensor):
        tensor.grad.add_(0.5)

    def acc_grad_node_post_hook(grad_in, grad_out):
        tensor.grad = grad_out[0].mul(10)

    acc_grad = tensor.view_as(tensor).grad_fn.next_functions[0][0]
    tensor.register_hook(pre_hook)
    acc_grad.register_prehook(acc_grad_node_pre_hook)
    tensor.register_post_accumulate_grad_hook(post_acc_grad_hook)
    acc_grad.register_hook(acc_grad_node_post_hook)
    tensor.sum().backward()
    return npy(tensor.grad).tolist()


def case_hook_with_no_name(lib):
    class MyHookClass:
        def __call__(self, grad):
            return grad.clone()

    x = lib.randn(5, requires_grad=True).clone()
    x.register_hook(MyHookClass())
    x.sum().backward()
    return "ok"


def case_prehook_ordering(lib):
    log = []

    def hook1(g):
        log.append(1)
        return g * 3

    def hook2(gs):
        log.append(2)
        return tuple(g * 2 for g in gs)

    a = lib.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.grad_fn.register_prehook(hook2)
    b.register_hook(hook1)
    b.grad_fn.register_prehook(hook2)
    acc = b.grad_fn.next_functions[0][0]
    a.register_hook(hook1)
    acc.register_prehook(hook2)
    a.register_hook(hook1)
    b.sum().backward(retain_graph=True)
    l1 = list(log)
    log.clear()
    lib.autograd.grad(b.sum(), inputs=(a,), retain_graph=True)
    l2 = list(log)
    log.clear()
    b.sum().backward(inputs=(b,))
    return l1, l2, list(log), b.grad.item(), a.grad.item()


def case_retains_grad_can_always_observe_tensor_prehook(lib):
    def tensor_prehook(g):
        return g * 2

    a = lib.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.register_hook(tensor_prehook)
    b.retain_grad()
    b.register_hook(tensor_prehook)
    b.clone().backward()
    r1 = b.grad.item()
    a = lib.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.retain_grad()
    b.register_hook(tensor_prehook)
    b.clone().backward()
    return r1, b.grad.item()


def case_accumulate_grad_posthooks_can_observe_tensor_prehook(lib):
    a = lib.tensor(1.0, requires_grad=True)
    seen = []

    def tensor_prehook(g):
        return g * 2

    def posthook(g_out, g_in):
        seen.append(("post", float(g_in[0]), len(g_out)))

    def prehook(g_in):
        seen.append(("pre", float(g_in[0]), len(g_in)))

    b = a.clone()
    acc = b.grad_fn.next_functions[0][0]
    acc.register_hook(posthook)
    acc.register_prehook(prehook)
    a.register_hook(tensor_prehook)
    b.backward()
    return seen


def case_accumulate_grad_posthooks_should_not_execute(lib):
    def tensor_prehook(g):
        raise RuntimeError

    def posthook(g_out, g_in):
        raise RuntimeError

    a = lib.tensor(1.0, requires_grad=True)
    a.register_hook(tensor_prehook)
    b = lib.tensor(1.0, requires_grad=True)
    c = a.clone()
    acc = c.grad_fn.next_functions[0][0]
    acc.register_hook(posthook)
    out = a + b + c
    out.sum().backward(inputs=[b])
    return "ok"


def case_hook_edge_case_when_called_with_grad(lib):
    a = lib.tensor(1.0, requires_grad=True)
    b = a * 2
    c = b * 2
    cnt = {"t": 0, "pre": 0, "post": 0}

    def tensor_prehook(g):
        cnt["t"] += 1

    def prehook(g):
        cnt["pre"] += 1

    def posthook(g_in, g_out):
        cnt["post"] += 1

    a.register_hook(tensor_prehook)
    b.register_hook(tensor_prehook)
    acc = b.grad_fn.next_functions[0][0]
    acc.register_hook(posthook)
    acc.register_prehook(prehook)
    b.grad_fn.register_hook(posthook)
    b.grad_fn.register_prehook(prehook)
    res = []
    lib.autograd.grad(c, inputs=(b), retain_graph=True)
    res.append(dict(cnt))
    cnt.update(t=0, pre=0, post=0)
    lib.autograd.grad(c, inputs=(a, b), retain_graph=True)
    res.append(dict(cnt))
    cnt.update(t=0, pre=0, post=0)
    c.backward(retain_graph=True)
    res.append(dict(cnt))
    cnt.update(t=0, pre=0, post=0)
    c.backward(inputs=(a, b), retain_graph=True)
    res.append(dict(cnt))
    return res


def case_sharded_grad(lib):
    leaves = [lib.zeros(5, 5, requires_grad=True) for _ in range(10)]
    intermediates = [l * i + l * l for i, l in enumerate(leaves)]
    loss = sum(v * i for i, v in enumerate(intermediates)).sum()

    def group(l, n):
        return (l[i : i + n] for i in range(0, len(l), n))

    d_intermediates = [d_i for batch in group(intermediates, 2) for d_i in lib.autograd.grad(loss, batch)]
    lib.autograd.backward(intermediates, d_intermediates)
    for i, l in enumerate(leaves):
        eq(l.grad, i * i * (1 + l))
    return "ok"


def case_backward_badcalls(lib):
    x = lib.ones(1)
    return raises(RuntimeError, lambda: x.backward())


def case_grad_badcalls(lib):
    x = lib.ones(1)
    y = x**2
    r = [raises(RuntimeError, lambda: lib.autograd.grad(x, y)), raises(RuntimeError, lambda: lib.autograd.grad(y, x))]
    x = lib.ones(1, requires_grad=True)
    y = x**2
    lib.autograd.grad(y, x)
    return len(r)


def case_grad_empty_inputs(lib):
    x = lib.tensor([1.0], requires_grad=True)  # (torch's test expects a ValueError; torch 2.13 raises a RuntimeError)
    return raises(RuntimeError, lambda: lib.autograd.grad(2 * x, [], grad_outputs=lib.tensor([1.0])))


def case_grad_unreachable(lib):
    x = lib.ones(1, requires_grad=True)
    y = lib.ones(1, requires_grad=True)
    z = x * 2
    w = y * 2
    grad_x, grad_y = lib.autograd.grad(x * 2, [x, y], allow_unused=True)
    eq(grad_x, x * 2)
    assert grad_y is None
    z = lib.ones(1, requires_grad=True)
    grad_x, grad_z = lib.autograd.grad(x * 2, [x, z], allow_unused=True)
    assert grad_z is None
    return raises(RuntimeError, lambda: lib.autograd.grad(x * 2, [x, y], allow_unused=False))


def case_grad_batched_grad(lib):
    x = lib.randn(2, 2, requires_grad=True)
    out = x.clone()
    batched_grad = lib.arange(3).expand(2, 2, 3).transpose(0, 2)
    (grad,) = lib.autograd.grad(out, (x,), (batched_grad,), is_grads_batched=True)
    eq(grad, lib.arange(3).expand(2, 2, 3).transpose(0, 2).to(dtype=grad.dtype))
    r1 = raises(
        RuntimeError,
        lambda: lib.autograd.grad(outputs=out, grad_outputs=(lib.ones(2, 2),), inputs=(x,), is_grads_batched=True),
    )
    out = x.sum()
    (grad,) = lib.autograd.grad(out, (x,), (lib.arange(3),), is_grads_batched=True)
    eq(grad, lib.arange(3).expand(2, 2, 3).transpose(0, 2).to(dtype=grad.dtype))
    r2 = raises(
        RuntimeError,
        lambda: lib.autograd.grad(
            outputs=out, grad_outputs=(lib.ones(2).unsqueeze(1),), inputs=(x,), is_grads_batched=True
        ),
    )
    return "ok"


def case_hooks(lib):
    x = lib.ones(5, 5, requires_grad=True)
    y = lib.ones(5, 5) * 4
    y.requires_grad_(True)
    counter = [0]

    def bw_hook(inc, grad):
        pass
        counter[0] += inc

    z = x**2 + x * 2 + x * y + y
    x.register_hook(lambda *args: bw_hook(0, *args))
    test = z.register_hook(lambda *args: bw_hook(1, *args))
    z.backward(lib.ones(5, 5), retain_graph=True)
    assert counter[0] == 1
    test2 = z.register_hook(lambda *args: bw_hook(2, *args))
    z.backward(lib.ones(5, 5), retain_graph=True)
    assert counter[0] == 4
    test2.remove()
    z.backward(lib.ones(5, 5), retain_graph=True)
    assert counter[0] == 5

    def bw_hook_modify(grad):
        return grad.mul(2)

    test.remove()
    z.register_hook(bw_hook_modify)
    with lib.no_grad():
        y.grad.zero_()
    z.backward(lib.ones(5, 5), retain_graph=True)
    eq(y.grad, (x + 1) * 2)
    y.register_hook(bw_hook_modify)
    with lib.no_grad():
        y.grad.zero_()
    z.backward(lib.ones(5, 5))
    eq(y.grad, (x + 1) * 4)
    return "ok"


def case_grad_fn_prehooks(lib):
    out = []
    for custom in (True, False):
        mul2 = get_mul2(lib, custom)
        a = lib.tensor([1.0], requires_grad=True)
        b = mul2(a)
        post_counter = [0]
        pre_counter = [0]

        def posthook(grad_input, grad_output):
            assert pre_counter[0] == 3
            assert lib.allclose(grad_output[0], lib.ones(1) * 8)
            assert lib.allclose(grad_input[0], lib.ones(1) * 16)
            post_counter[0] += 1
            return grad_input

        def prehook(grad_output):
            pre_counter[0] += 1
            return (grad_output[0] * 2,)

        b.grad_fn.register_hook(posthook)
        b.grad_fn.register_hook(posthook)
        b.grad_fn.register_prehook(prehook)
        b.grad_fn.register_prehook(lambda x: None)
        b.grad_fn.register_prehook(prehook)
        b.grad_fn.register_prehook(prehook)
        b.grad_fn.register_prehook(lambda x: x)
        b.grad_fn.register_prehook(lambda x: None)
        b.sum().backward()
        assert post_counter[0] == 2 and pre_counter[0] == 3
        a = lib.rand(3, 3, requires_grad=True)
        b = mul2(a)

        def prehook(grad_output):
            pre_counter[0] += 1
            return None

        b.grad_fn.register_prehook(prehook)
        b.sum().backward()
        assert pre_counter[0] == 4
        assert lib.allclose(a.grad, lib.ones(3, 3) * 2)
    return "ok"


def case_grad_fn_prehooks_remove_hooks(lib):
    for custom in (True, False):
        mul2 = get_mul2(lib, custom)
        a = lib.rand(3, 3, requires_grad=True)
        b = mul2(a)
        counter = [0]

        def prehook(grad_output):
            counter[0] += 1
            return None

        handle = b.grad_fn.register_prehook(prehook)
        b.grad_fn.register_prehook(prehook)
        handle.remove()
        b.sum().backward()
        assert lib.allclose(a.grad, lib.ones(3, 3) * 2)
        assert counter[0] == 1
        a = lib.rand(3, 3, requires_grad=True)
        b = mul2(a)
        counter = [0]

        def prehook1(grad_output):
            handle2.remove()
            handle3.remove()
            return None

        def prehook2(grad_output):
            counter[0] += 1
            return None

        b.grad_fn.register_prehook(prehook1)
        handle2 = b.grad_fn.register_prehook(prehook2)
        handle3 = b.grad_fn.register_prehook(prehook2)
        handle3.remove()
        b.sum().backward()
        assert lib.allclose(a.grad, lib.ones(3, 3) * 2)
        assert counter[0] == 1, counter
    return "ok"


def case_hooks_cpp(lib):
    nnm = lib.nn if lib is not autograd else nn
    bn = nnm.BatchNorm1d(5, affine=False)
    bn.double()
    bn.eval()
    counter = [0]

    def bw_hook(grad):
        counter[0] += 1
        return grad * 2

    x = lib.ones(5, 5, dtype=lib.double, requires_grad=True)
    z = bn(x)
    z.register_hook(bw_hook)
    z.sum().backward()
    assert counter[0] == 1
    eq(x.grad, lib.ones(5, 5, dtype=lib.double) * 2, 1e-5)
    return "ok"


def case_hook_none(lib):
    class NoneGradientFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            assert ctx.needs_input_grad[0]
            assert not ctx.needs_input_grad[1]
            return x, y

        @staticmethod
        def backward(ctx, grad_x, grad_y):
            return grad_x, None

    was_called = [False]

    def hook(grad):
        assert grad is not None
        was_called[0] = True

    x = lib.randn(5, 5, requires_grad=True)
    y = lib.randn(5, 5)
    rx, ry = NoneGradientFunction.apply(x, y)
    rx.register_hook(hook)
    ry.register_hook(hook)
    sum(rx, ry).sum().backward()
    assert was_called[0]
    return "ok"


def case_retain_grad_inplace(lib):
    a = lib.tensor([1.0], requires_grad=True).clone()
    a.retain_grad()
    a.mul_(2)
    a.sum().backward()
    eq(a.grad, lib.tensor([1.0]))
    a = lib.tensor([1.0], requires_grad=True).clone()
    a.retain_grad()
    a.mul_(2)
    a.mul_(2)
    a.sum().backward()
    eq(a.grad, lib.tensor([1.0]))
    x = lib.tensor([1.0], requires_grad=True).clone()
    x.retain_grad()
    x_view = x[:]
    x_view *= 2
    x *= 2
    x.sum().backward()
    eq(x.grad, lib.tensor([1.0]))
    x = lib.zeros(4)
    y = x.view(2, 2)
    y.add_(lib.randn(2, 2, requires_grad=True))
    return "ok"


def case_retains_grad_inplace_multiple_outputs(lib):
    class DoubleMul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    var_mean = partial(lib.var_mean, dim=0)
    for fn in (DoubleMul.apply, var_mean):
        b = lib.rand(3, 3, requires_grad=True)
        var, mean = fn(b)
        var.retain_grad()
        mean.retain_grad()
        var.mul_(2)
        (var + mean).sum().backward()
        gvar = var.grad
        gmean = mean.grad
        a = b.detach().requires_grad_(True)
        var, mean = fn(a)
        var.mul_(2)
        out = (var + mean).sum()
        gvar_expected, gmean_expected = lib.autograd.grad(out, inputs=(var, mean))
        eq(gvar, gvar_expected)
        eq(gmean, gmean_expected)
    return "ok"


def case_retain_grad_inplace_over_view(lib):
    base = lib.tensor([1.0], requires_grad=True).clone()
    view = base[:]
    view2 = base[:]
    view.retain_grad()
    view2.retain_grad()
    view.mul_(2)
    (view + view2).sum().backward()
    eq(view.grad, view2.grad)
    eq(view.grad, lib.tensor([1.0]))
    return "ok"


def case_tensor_hooks_inplace(lib):
    count1 = [0]
    count2 = [0]

    def fn1(grad):
        count1[0] += 1
        eq(grad, lib.tensor([4.0]))
        return grad * 2

    def fn2(grad):
        count2[0] += 1
        eq(grad, lib.tensor([1.0]))
        return grad * 2

    a = lib.tensor([1.0], requires_grad=True)
    b = a.clone()
    b.register_hook(fn1)
    b.mul_(2)
    b.register_hook(fn2)
    b.sum().backward()
    assert count1[0] == 1 and count2[0] == 1
    eq(a.grad, lib.tensor([8.0]))
    count3 = [0]

    def fn3(grad):
        count3[0] += 1
        eq(grad, lib.tensor([4.0]))
        return grad * 2

    a = lib.tensor([1.0], requires_grad=True)
    b = a.clone()
    b.register_hook(fn3)
    b.mul_(2)
    b.mul_(2)
    b.sum().backward()
    eq(a.grad, lib.tensor([8.0]))
    return count3[0]


def case_tensor_hooks_inplace_multiple_outputs(lib):
    class DoubleMul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    var_mean = partial(lib.var_mean, dim=0)
    res = []
    for fn in (DoubleMul.apply, var_mean):
        counts = [0, 0, 0]

        def fn0(grad):
            counts[0] += 1
            eq(grad, lib.ones_like(out1) * 2)

        def fn1(grad):
            counts[1] += 1
            eq(grad, lib.ones_like(out1) * 3)

        def fn2(grad):
            counts[2] += 1
            eq(grad, lib.ones_like(out1))

        b = lib.rand(3, 3, requires_grad=True)
        out1, out2 = fn(b)
        h1 = out1.register_hook(fn0)
        h2 = out2.register_hook(fn1)
        out1.mul_(2)
        h3 = out1.register_hook(fn2)
        (out1 + out2 * 3).sum().backward()
        res.append(counts)
    return res


def case_tensor_hooks_inplace_over_view(lib):
    count = [0]

    def fn0(grad):
        raise AssertionError("fn0")

    def fn1(grad):
        raise AssertionError("fn1")

    def fn2(grad):
        count[0] += 1
        eq(grad, lib.tensor([1.0]))

    base = lib.tensor([1.0], requires_grad=True).clone()
    view = base[:]
    view2 = base[:]
    view.register_hook(fn0)
    view2.register_hook(fn1)
    view.mul_(2)
    view2.grad_fn
    view2.register_hook(fn2)
    (view + view2).sum().backward()
    return count[0]


def case_backward(lib):
    v = lib.randn(5, 5, requires_grad=True)
    x = lib.randn(5, 5, requires_grad=True)
    y = (lib.rand(5, 5) + 0.1).requires_grad_(True)
    z = lib.randn(5, 5, requires_grad=True)
    grad_output = lib.randn(5, 5)
    v.backward(grad_output)
    eq(v.grad, grad_output)
    a = x + (y * z) + 4 * z**2 * x / y
    a.backward(grad_output)
    x_grad = 4 * z.pow(2) / y + 1
    y_grad = z - 4 * x * z.pow(2) / y.pow(2)
    z_grad = 8 * x * z / y + y
    eq(x.grad, x_grad * grad_output)
    eq(y.grad, y_grad * grad_output)
    eq(z.grad, z_grad * grad_output)
    return "ok"


def case_multi_backward(lib):
    x = lib.randn(5, 5, requires_grad=True)
    y = lib.randn(5, 5, requires_grad=True)
    q = lib.randn(5, 5, requires_grad=True)
    a = lib.randn(5, 5, requires_grad=True)
    b = lib.randn(5, 5, requires_grad=True)
    q2 = q * 2
    z = x + y + q2
    c = a * b + q2
    grad_z = lib.randn(5, 5)
    grad_c = lib.randn(5, 5)
    lib.autograd.backward([z, c], [grad_z, grad_c])
    eq(x.grad, grad_z)
    eq(y.grad, grad_z)
    eq(a.grad, grad_c * b)
    eq(b.grad, grad_c * a)
    eq(q.grad, (grad_c + grad_z) * 2)
    return "ok"


def case_multi_backward_no_grad(lib):
    x = lib.randn(5, 5, requires_grad=True)
    y = lib.randn(5, 5, requires_grad=False)
    z = x + y
    q = y * 2
    return raises(RuntimeError, lambda: lib.autograd.backward([z, q], [lib.ones(5, 5), lib.ones(5, 5)]))


def case_backward_with_inputs(lib):
    x = lib.randn(2, 2, dtype=lib.double, requires_grad=True)
    y = lib.randn(2, 2, dtype=lib.double, requires_grad=True)

    def fn():
        return x**2 + y * x + y**2

    gradient = lib.ones(2, 2)
    xe = 2 * x + y
    ye = x + 2 * y

    def reset_grad():
        with lib.no_grad():
            x.grad.zero_()
            y.grad.zero_()

    lib.autograd.backward(fn(), gradient, inputs=[x, y])
    eq(x.grad, xe)
    eq(y.grad, ye)
    reset_grad()
    lib.autograd.backward(fn(), gradient, inputs=[x])
    eq(x.grad, xe)
    eq(y.grad, np.zeros((2, 2)))
    reset_grad()
    lib.autograd.backward(fn(), gradient, inputs=[y])
    eq(y.grad, ye)
    eq(x.grad, np.zeros((2, 2)))
    reset_grad()
    lib.autograd.backward(fn(), gradient, inputs=y)
    eq(y.grad, ye)
    eq(x.grad, np.zeros((2, 2)))
    reset_grad()
    return raises(RuntimeError, lambda: lib.autograd.backward(fn(), gradient, inputs=[]))


def case_backward_with_scalar_input(lib):
    x = lib.randn([], dtype=lib.double, requires_grad=True)
    out = x**2
    out.backward(inputs=x)
    eq(x.grad, 2 * x)
    return "ok"


def case_backward_with_nonleaf_inputs(lib):
    x = lib.randn(2, 2, dtype=lib.double, requires_grad=True)
    x_nonleaf = x * 1
    y = lib.randn(2, 2, dtype=lib.double, requires_grad=True)
    z = lib.randn(2, 2, dtype=lib.double, requires_grad=True)
    out = x_nonleaf**2 + y * x_nonleaf + y**2
    out.backward(lib.ones(2, 2, dtype=lib.double), create_graph=True, inputs=[x, y, x_nonleaf])
    eq(y.grad, x + 2 * y)
    eq(x.grad, 2 * x + y)
    eq(x_nonleaf.grad, 2 * x_nonleaf + y)
    out.backward(lib.ones(2, 2, dtype=lib.double), create_graph=True, inputs=[z])
    assert z.grad is None
    return "ok"


def case_dependent_backward(lib):
    x = lib.randn(10, requires_grad=True)
    y = x**2
    z = y**3
    go_y = lib.randn(10)
    go_z = lib.randn(10)
    lib.autograd.backward([y, z], [go_y, go_z])
    eq(x.grad, 2 * x * go_y + 6 * x.pow(5) * go_z)
    return "ok"


def case_save_output_nr(lib):
    x = lib.randn(10, requires_grad=True)

    class MultiOutputFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:5], x[5:]

        @staticmethod
        def backward(ctx, *grad):
            return lib.cat(grad)

    a, b = MultiOutputFn.apply(x)
    assert b.output_nr == 1
    seen = []

    class TestFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, b):
            ctx.save_for_backward(b)
            return b * 2

        @staticmethod
        def backward(ctx, grad_b):
            (b,) = ctx.saved_tensors
            seen.append(b.output_nr)

    TestFn.apply(b).sum().backward()
    return seen


def case_free_deep_graph(lib):
    def scope():
        x = lib.randn(1, requires_grad=True)
        y = x.clone()
        for _ in range(30000):  # (torch's 150000: deeper than any recursion limit either way)
            y = y + y * 0.000001

    scope()
    return "ok"


def case_free_deep_graph_pyfunction(lib):
    class MyOp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, tensor1, tensor2):
            return tensor1 + tensor2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output

    def scope():
        x = lib.randn(1, requires_grad=True)
        y = x.clone()
        for _ in range(30000):  # (torch's 150000: deeper than any recursion limit either way)
            y = MyOp.apply(y, y)

    scope()
    return "ok"


def case_no_unnecessary_save(lib):
    mu = lib.ones(1, requires_grad=True)
    x = lib.empty(1)
    loss = 0
    for i in range(3):
        x.detach_()
        x.copy_(mu + i)
        ft = lib.tensor([float(i)])
        multiplied = x * ft
        s = multiplied.sum()
        loss += s
    loss.backward()
    return npy(mu.grad).tolist()


def case_no_grad(lib):
    x = lib.ones(5, 5, requires_grad=True)
    y = lib.ones(5, 5) * 4
    with lib.no_grad():
        w = x + y

    def adder(x, y):
        return x + y

    adders = [lib.no_grad()(adder), lib.no_grad(adder)]
    for adder in adders:
        z = adder(x, y)
        assert not w.requires_grad
        raises(RuntimeError, lambda: w.backward(lib.ones(5, 5)))
        assert w.grad_fn is None and not z.requires_grad and z.grad_fn is None
        raises(RuntimeError, lambda: z.backward(lib.ones(5, 5)))
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        w = adder(x, y)
        assert not lib.is_grad_enabled()
    return "ok"


def case_enable_grad_decorator_no_paren(lib):
    x = lib.ones(1, requires_grad=True)

    @lib.enable_grad
    def doubler(x):
        return x * 2

    with lib.no_grad():
        z = doubler(x)
    return z.requires_grad


def case_set_grad_generator_functions(lib):
    @lib.no_grad()
    def gen_no_grad():
        for i in range(10):
            assert lib.is_grad_enabled() is False
            yield i

    with lib.enable_grad():
        for _ in gen_no_grad():
            assert lib.is_grad_enabled() is True

    @lib.enable_grad()
    def gen_enable_grad():
        for i in range(10):
            assert lib.is_grad_enabled() is True
            yield i

    with lib.no_grad():
        for _ in gen_enable_grad():
            assert lib.is_grad_enabled() is False
    return "ok"


def case_set_grad_generator_functions_recursive(lib):
    @lib.enable_grad()
    def egr(depth):
        assert lib.is_grad_enabled()
        if depth > 0:
            ngr(depth - 1)
            assert lib.is_grad_enabled()

    @lib.no_grad()
    def ngr(depth):
        assert not lib.is_grad_enabled()
        if depth > 0:
            egr(depth - 1)
            assert not lib.is_grad_enabled()

    def ecm(depth):
        with lib.enable_grad():
            assert lib.is_grad_enabled()
            if depth > 0:
                ncm(depth - 1)
                assert lib.is_grad_enabled()

    def ncm(depth):
        with lib.no_grad():
            assert not lib.is_grad_enabled()
            if depth > 0:
                ecm(depth - 1)
                assert not lib.is_grad_enabled()

    with lib.enable_grad():
        egr(10)
        assert lib.is_grad_enabled()
        ecm(10)
        assert lib.is_grad_enabled()
    with lib.no_grad():
        egr(10)
        assert not lib.is_grad_enabled()
        ecm(10)
        assert not lib.is_grad_enabled()
    return "ok"


def case_set_grad_coroutines(lib):
    @lib.no_grad()
    def coro_no_grad(n=10):
        assert not lib.is_grad_enabled()
        for i in range(n):
            assert not lib.is_grad_enabled()
            r = yield i
            assert not lib.is_grad_enabled()
            assert i == r
        assert not lib.is_grad_enabled()

    with lib.enable_grad():
        coro, r = coro_no_grad(), None
        try:
            while True:
                assert lib.is_grad_enabled()
                r = coro.send(r)
                assert lib.is_grad_enabled()
        except StopIteration:
            pass
    return "ok"


def case_set_grad_coroutines_benign_exceptions(lib):
    class RecoverableError(Exception):
        pass

    @lib.no_grad()
    def coro_no_grad(n=10):
        has_raised = False
        for i in range(n):
            try:
                assert not lib.is_grad_enabled()
                yield (-i if has_raised else i)
            except RecoverableError:
                assert not lib.is_grad_enabled()
                has_raised = True

    with lib.enable_grad():
        coro = coro_no_grad()
        assert 0 == next(coro)
        try:
            while True:
                r = coro.throw(RecoverableError)
                assert r < 0
        except StopIteration:
            pass
    return "ok"


def case_set_grad_coroutines_critical_exceptions(lib):
    class UnrecoverableError(Exception):
        pass

    class SecondaryError(Exception):
        pass

    @lib.enable_grad()
    def coro_enable_grad(n=10):
        for i in range(n):
            try:
                assert lib.is_grad_enabled()
                yield i
            except UnrecoverableError:
                assert lib.is_grad_enabled()
                raise SecondaryError from None

    with lib.no_grad():
        coro = coro_enable_grad()
        assert 0 == next(coro)
        r = raises(SecondaryError, lambda: coro.throw(UnrecoverableError))
        assert not lib.is_grad_enabled()
    return r


def case_set_grad_coroutines_exit(lib):
    state = set()

    @lib.no_grad()
    def coro_no_grad(state):
        for i in range(10):
            try:
                assert not lib.is_grad_enabled()
                yield i
            except GeneratorExit:
                assert not lib.is_grad_enabled()
                state.add("GeneratorExit")
                raise

    with lib.enable_grad():
        coro = coro_no_grad(state)
        for _ in range(5):
            next(coro)
        coro.close()
        assert lib.is_grad_enabled()
    return sorted(state)


def case_no_grad_python_function(lib):
    x = lib.ones(5, 5, requires_grad=True)

    class MyOp(lib.autograd.Function):
        @staticmethod
        def forward(self, x):
            return x + 1

        @staticmethod
        def backward(self, dy):
            return dy

    with lib.no_grad():
        y = MyOp.apply(x)
    return y.requires_grad


def case_indexing(lib):
    V = lib.autograd.Variable
    x = lib.arange(1.0, 17).view(4, 4)
    y = V(x, requires_grad=True)

    def compare(x, y, idx, indexed_tensor, indexed_var):
        indexed_var_t = indexed_var.data
        if not isinstance(indexed_tensor, lib.Tensor):
            indexed_var_t = indexed_var_t[0]
        eq(indexed_tensor, indexed_var_t)
        indexed_var.sum().backward()
        expected_grad = lib.empty(x.size()).fill_(0)
        expected_grad[idx] = 1
        eq(y.grad, expected_grad)

    def check_index(x, y, idx):
        if y.grad is not None:
            with lib.no_grad():
                y.grad.zero_()
        compare(x, y, idx, x[idx], y[idx])

    mask = lib.tensor(np.random.default_rng(0).random((4, 4)) > 0.5)
    for idx in [
        1,
        (1, 1),
        slice(1, None),
        slice(None, 2),
        (slice(None, 2), 2),
        (slice(1, 2), 2),
        (1, slice(2, None)),
        (slice(None, None), slice(2, None)),
        lib.LongTensor([0, 2]),
        mask,
        (Ellipsis, slice(2, None)),
        ([0], [0]),
        ([1, 2, 3], [0]),
        ([1, 2], [2, 1]),
        ([[1, 2], [3, 0]], [[0, 1], [2, 3]]),
        (slice(None), [2, 3]),
        ([2, 3], slice(None)),
        [0],
        ([0],),
    ]:
        check_index(x, y, idx)
    x = lib.arange(1.0, 49).view(4, 3, 4)
    y = V(x, requires_grad=True)
    for idx in [
        (slice(None), [0], [0]),
        ([0], [0], slice(None)),
        (slice(None), [0, 1, 2], [0]),
        ([0, 1, 2], [0], slice(None)),
        (slice(None), [1, 2], [2, 1]),
        ([1, 2], [2, 1], slice(None)),
        (slice(None), [[1, 2], [2, 0]], [[0, 1], [2, 3]]),
        ([[1, 2], [3, 0]], [[0, 1], [2, 2]], slice(None)),
        (slice(None), slice(None), [2, 1]),
        (slice(None), [2, 1], slice(None)),
        ([2, 1], slice(None), slice(None)),
        ([0],),
        ([0], slice(None)),
        ([0], Ellipsis),
        ([1, 2], [0, 1]),
        ([1, 2], [0, 1], Ellipsis),
        (Ellipsis, [1, 2], [0, 1]),
    ]:
        check_index(x, y, idx)
    z = lib.LongTensor([0, 1])
    zv = V(z, requires_grad=False)
    if y.grad is not None:
        with lib.no_grad():
            y.grad.zero_()
    compare(x, y, (z, Ellipsis), x[(z, Ellipsis)], y[(zv, Ellipsis)])
    return "ok"


def case_indexing_duplicates(lib):
    V = lib.autograd.Variable
    x = lib.arange(1.0, 17).view(4, 4)
    y = V(x, requires_grad=True)
    idx = lib.LongTensor([1, 1, 3, 2, 1, 2])
    y[idx].sum().backward()
    r1 = npy(y.grad).tolist()
    y = V(lib.arange(1.0, 17).view(4, 4), requires_grad=True)
    y[([1, 1, 3, 2, 1, 2], [0])].sum().backward()
    r2 = npy(y.grad).tolist()
    y = V(lib.arange(1.0, 17).view(4, 4), requires_grad=True)
    y[([[1, 2], [0, 0]], [[0, 1], [1, 1]])].sum().backward()
    r3 = npy(y.grad).tolist()
    y = V(lib.arange(1.0, 65).view(4, 4, 4), requires_grad=True)
    y[([1, 1, 1], slice(None), slice(None))].sum().backward()
    r4 = npy(y.grad).tolist()
    return r1, r2, r3, r4


def case_index_backward_does_not_save_tensor(lib):
    a = lib.tensor([1.0, 0, 0])
    b = lib.zeros(3, requires_grad=True)
    tensor = b + 0
    tensor[a != 0] = tensor[a != 0]
    tensor.backward(lib.zeros_like(tensor))
    return npy(b.grad).tolist()


def case_saved_variables_deprecated(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, tensor1, tensor2):
            ctx.save_for_backward(tensor1, tensor2)
            return tensor1 + tensor2

        @staticmethod
        def backward(ctx, grad_output):
            var1, var2 = ctx.saved_variables
            return (grad_output, grad_output)

    with warnings.catch_warnings(record=True) as warns:
        warnings.simplefilter("always")
        x = lib.randn((3, 3), requires_grad=True)
        y = lib.randn((3, 3), requires_grad=True)
        MyFunction.apply(x, y).sum().backward()
    return any("deprecated" in str(w.message) and "saved_variables" in str(w.message) for w in warns)


def case_requires_grad(lib):
    x = lib.randn(5, 5)
    y = lib.randn(5, 5)
    z = lib.randn(5, 5, requires_grad=True)
    a = x + y
    b = a + z
    return a.requires_grad, b.requires_grad


def case_requires_grad_method(lib):
    x = lib.randn(5, 5)
    y = lib.randn(5, 5, requires_grad=True)
    assert x is x.requires_grad_() and x.requires_grad
    assert y is y.requires_grad_() and y.requires_grad
    assert x is x.requires_grad_(True) and y is y.requires_grad_(True)
    z = x * y
    raises(RuntimeError, lambda: z.requires_grad_(False))
    assert z is z.requires_grad_() and z.requires_grad
    assert z is z.requires_grad_(True)
    assert x is x.requires_grad_(False) and not x.requires_grad
    assert y is y.requires_grad_(False) and not y.requires_grad
    return "ok"


def case_requires_grad_inplace(lib):
    a = lib.randn(5, 5)
    b = lib.randn(5, 5, requires_grad=True)
    a += b
    r1 = a.requires_grad
    a = lib.randn(5, 5) + 0
    b = lib.randn(5, 5, requires_grad=True)
    a += b
    return r1, a.requires_grad


def case_no_requires_grad_inplace(lib):
    a = lib.randn(2, 3)
    a.add_(5)
    a.requires_grad = True
    a.sum().backward()
    eq(a.grad, lib.ones(2, 3))
    a = lib.randn(2, 3)
    b = a[:]
    b.add_(5)
    a.requires_grad = True
    a.sum().backward()
    eq(a.grad, lib.ones(2, 3))
    a = lib.randn(2, 3)
    b = a[:]
    a.requires_grad = True
    r1 = raises(RuntimeError, lambda: a.add_(5))
    r2 = raises(RuntimeError, lambda: b.add_(5))
    return r1, r2


def case_duplicate_backward_root(lib):
    a = lib.randn(5, 5, requires_grad=True)
    b = lib.randn(5, 5, requires_grad=True)
    x = a * b
    go = lib.randn_like(x)
    lib.autograd.backward([x, x], [go, go])
    eq(a.grad, b * go * 2)
    eq(b.grad, a * go * 2)
    return "ok"


def case_backward_no_grad(lib):
    a = lib.randn(5, 5, requires_grad=True)
    b = a + 2
    return raises(RuntimeError, lambda: lib.autograd.backward([b], [None]))


def case_backward_twice_retained(lib):
    b = lib.randn(3, requires_grad=True, dtype=lib.double)
    c = lib.zeros(3, dtype=lib.double)
    c[[1, 2]] = b[[1, 1]]
    c.backward(lib.tensor([1, 1, 1], dtype=lib.double), retain_graph=True)
    c.backward(lib.tensor([1, 1, 1], dtype=lib.double))
    b = lib.randn(3, requires_grad=True, dtype=lib.double)
    c = b + 1
    c.backward(lib.tensor([1, 1, 1], dtype=lib.double))
    c.backward(lib.tensor([1, 1, 1], dtype=lib.double))
    return npy(b.grad).tolist()


def case_backward_create_graph_warns(lib):
    torch_warned_always = lib is not autograd and lib.is_warn_always_enabled()
    if lib is not autograd:  # torch warns once per process unless told to warn always (the test's context)
        lib.set_warn_always(True)
    b = lib.randn(3, requires_grad=True, dtype=lib.double)
    c = b * b
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        c.backward(lib.ones_like(c), create_graph=True)
    if lib is not autograd:
        lib.set_warn_always(torch_warned_always)
    b.grad = None
    w1 = any("Using backward() with create_graph=True" in str(w.message) for w in ws)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        lib.autograd.grad(c, b, lib.ones_like(c), create_graph=True)
    w2 = any("Using backward() with create_graph=True" in str(w.message) for w in ws)
    return w1, w2


def case_inplace(lib):
    V = lib.autograd.Variable
    x = lib.ones(5, 5, requires_grad=True)
    y = V(lib.ones(5, 5) * 4, requires_grad=True)
    out = []
    z = x * y
    q = z + y
    w = z * y
    z.add_(2)
    q.backward(lib.ones(5, 5), retain_graph=True)
    try:
        w.backward(lib.ones(5, 5))
        out.append("w ok")
    except RuntimeError:
        out.append("w raises")
    z = x * y
    q = z * y
    r = z + y
    w = z.add_(y)
    w.backward(lib.ones(5, 5), retain_graph=True)
    r.backward(lib.ones(5, 5), retain_graph=True)
    try:
        q.backward(lib.ones(5, 5))
        out.append("q ok")
    except RuntimeError:
        out.append("q raises")
    with lib.no_grad():
        x.grad.zero_()
    m = x / 2
    z = m + y / 8
    q = z * y
    r = z + y
    prev_version = z._version
    w = z.exp_()
    assert z._version != prev_version
    r.backward(lib.ones(5, 5), retain_graph=True)
    eq(x.grad, lib.ones(5, 5) / 2)
    w.backward(lib.ones(5, 5), retain_graph=True)
    eq(x.grad, lib.empty(5, 5).fill_((1 + math.e) / 2))
    try:
        q.backward(lib.ones(5, 5))
        out.append("q2 ok")
    except RuntimeError:
        out.append("q2 raises")
    leaf = lib.ones(5, 5, requires_grad=True)
    x = leaf.clone()
    x.add_(10)
    eq(x, lib.ones(5, 5) * 11)
    y = x + 2
    y.backward(lib.ones(5, 5))
    eq(leaf.grad, lib.ones(5, 5))
    z = x * y
    x.add_(2)
    try:
        z.backward(lib.ones(5, 5))
        out.append("z ok")
    except RuntimeError:
        out.append("z raises")
    return out


def case_mark_non_differentiable(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            output = input > 0
            ctx.mark_non_differentiable(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            return (grad_output * 0).to(lib.double)

    x = lib.randn(5, 5, requires_grad=True)
    mask = MyFunction.apply(x)
    assert not mask.requires_grad
    y = x.masked_fill(mask, 0)
    y.sum().backward()
    return "ok"


def case_mark_non_differentiable_mixed(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            a = input + 1
            b = input + 2
            ctx.mark_non_differentiable(a)
            return a, b

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            assert (grad_a == 0).all()
            assert (grad_b == 1).all()
            return grad_b

    x = lib.randn(5, 5, requires_grad=True)
    a, b = MyFunction.apply(x)
    assert not a.requires_grad and b.requires_grad
    b.sum().backward()
    eq(x.grad, lib.ones(5, 5))
    return "ok"


def case_mark_non_differentiable_none(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            output = input.clone()
            ctx.mark_non_differentiable(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            return None

    x = lib.randn(5, 5, requires_grad=True)
    r = MyFunction.apply(x * x)
    (r * x).sum().backward()
    return "ok"


def case_return_duplicate(lib):
    class DoubleDuplicate(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            output = x * 2
            return output, output

        @staticmethod
        def backward(ctx, grad1, grad2):
            return grad1 * 2 + grad2 * 2

    def fn(x):
        a, b = DoubleDuplicate.apply(x)
        assert a is b
        return a + b

    x = lib.randn(5, 5, dtype=lib.double, requires_grad=True)
    return lib.autograd.gradcheck(fn, [x]), lib.autograd.gradgradcheck(fn, [x])


def case_return_duplicate_inplace(lib):
    class DoubleInplace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x, x

        @staticmethod
        def backward(ctx, grad1, grad2):
            return grad1 * 2 + grad2 * 2

    def inplace_fn(x):
        a, b = DoubleInplace.apply(x.clone())
        assert a is b
        return a + b

    x = lib.randn(5, 5, dtype=lib.double, requires_grad=True)
    r = lib.autograd.gradcheck(inplace_fn, [x]), lib.autograd.gradgradcheck(inplace_fn, [x])
    r2 = raises(RuntimeError, lambda: DoubleInplace.apply(x))
    r3 = raises(RuntimeError, lambda: DoubleInplace.apply(x.clone()[0]))
    return r, r2, r3


def case_select_sum(lib):
    x = lib.randn(10, dtype=lib.double, requires_grad=True)
    f = lambda x: x.select(0, 1).sum()
    return lib.autograd.gradcheck(f, [x]), lib.autograd.gradgradcheck(f, [x])


def case_expanded_v(lib):
    value = lib.rand([])
    v_expanded = lib.tensor(value).expand(10)
    a = lib.rand(10, 10, dtype=lib.double, requires_grad=True)
    (result,) = lib.autograd.grad(a.diagonal(), a, v_expanded)
    eq(result, lib.eye(10, dtype=lib.double) * value)
    v_expanded = lib.rand(10).expand(10, 10)
    a = lib.rand(10, 10, 10, requires_grad=True)
    (result,) = lib.autograd.grad(a[0], a, v_expanded)
    expected = lib.zeros(10, 10, 10)
    expected[0] = v_expanded
    eq(result, expected)
    v_expanded = lib.rand(10, 1).expand(2, 10, 10)
    a = lib.rand(10, 10, 10, requires_grad=True)
    (result,) = lib.autograd.grad(a[3:5], a, v_expanded)
    expected = lib.zeros(10, 10, 10)
    expected[3:5] = v_expanded
    eq(result, expected)
    return "ok"


def case_unused_output(lib):
    x = lib.randn(10, 10, requires_grad=True)
    outputs = x.chunk(5)
    o = outputs[2]
    o = o * 4 + 2
    o.sum().backward()
    expected = lib.zeros(10, 10)
    expected[4:6] = 4
    eq(x.grad, expected)
    with lib.no_grad():
        x.grad.zero_()
    go = lib.randn(2, 10)
    outputs = x.chunk(5)
    outputs[0].backward(go)
    expected = lib.zeros(10, 10)
    expected[:2] = go
    eq(x.grad, expected)
    return "ok"


def case_gather_dense(lib):
    for size_x, size_ind, dim in [
        ((10, 10), (5, 10), 0),
        ((10, 10, 5), (10, 5, 5), 1),
        ((10, 10, 5), (10, 10, 2), -1),
        ((10,), (), 0),
        ((), (2,), 0),
        ((), (), 0),
    ]:
        x = lib.randn(size_x, requires_grad=True)
        if len(size_ind) > 0 and len(size_x) > 0:
            ind = lib.randint(x.size(dim), size_ind)
        else:
            ind = lib.zeros(size_ind, dtype=lib.int64)
        out = lib.gather(x, dim, ind, sparse_grad=False)
        grad = lib.rand_like(out)
        out.backward(grad)
    return "ok"


def case_custom_autograd_repeated_grad_grad(lib):
    def mult1(x):
        return x.prod(dim=-1).prod(dim=-1)

    class Mult(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = mult1(x)
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            x, y = ctx.saved_tensors
            return (grad_output * y)[:, None, None] / x

    def check(x, y):
        (gy,) = lib.autograd.grad(y[0], x, create_graph=True)
        (g1,) = lib.autograd.grad(gy[0, 0, 0], x, retain_graph=True)
        (gy,) = lib.autograd.grad(y[0], x, create_graph=True)
        (g2,) = lib.autograd.grad(gy[0, 0, 0], x, retain_graph=True)
        eq(g1[0, 0, 1], g2[0, 0, 1])

    x = lib.ones(2, 4, 4).requires_grad_()
    check(x, mult1(x))
    check(x, Mult.apply(x))
    return "ok"


def case_custom_autograd_no_early_free(lib):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x**2
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            x, _ = ctx.saved_tensors
            return grad_output * 2 * x

    class Double2(Double):
        @staticmethod
        def backward(ctx, grad_output):
            x, y = ctx.saved_tensors
            return grad_output * 2 * y / x

    x = lib.tensor(2).double().requires_grad_()
    r = [
        lib.autograd.gradcheck(Double.apply, x),
        lib.autograd.gradgradcheck(Double.apply, x),
        lib.autograd.gradcheck(Double2.apply, x),
        lib.autograd.gradgradcheck(Double2.apply, x),
    ]
    y = Double.apply(x)
    lib.autograd.grad(y, x, create_graph=True)
    lib.autograd.grad(y, x)
    y = Double2.apply(x)
    lib.autograd.grad(y, x, create_graph=True)
    lib.autograd.grad(y, x)
    return r


def case_detach(lib):
    x = lib.randn(10, 10, requires_grad=True)
    y = (x + 2).detach()
    z = y * 4 + 2
    assert not y.requires_grad and not z.requires_grad
    x = lib.randn(10, 10, requires_grad=True)
    y = (x * 2).detach()
    assert y.grad_fn is None
    z = x + y
    z.sum().backward()
    eq(x.grad, lib.ones(10, 10))
    x = lib.randn(10, 10, requires_grad=True)
    y = lib.randn(10, 10, requires_grad=True)
    a = x * 2
    (y + a).sum().backward(retain_graph=True)
    a.detach_()
    assert not a.requires_grad
    (y + a).sum().backward()
    eq(x.grad, lib.ones(10, 10) * 2)
    eq(y.grad, lib.ones(10, 10) * 2)
    view = x.narrow(0, 1, 4)
    return raises(RuntimeError, lambda: view.detach_())


def case_detach_base(lib):
    x = lib.randn(10, 10, requires_grad=True)
    view = x.narrow(0, 1, 4)
    x.detach_()
    return x.requires_grad, view.requires_grad, view.grad_fn is not None, view._base is x


def case_detach_then_inplace_raises(lib):
    x = lib.randn([], requires_grad=True)
    y = x**2
    z = x.detach()
    z.zero_()
    return raises(RuntimeError, lambda: y.backward())


def case_return_leaf(lib):
    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a, a + b

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a + grad_b, grad_b

    hook_called = [False]
    x = lib.randn(5, 5, requires_grad=True)
    y = lib.randn(5, 5, requires_grad=True)
    q, p = Identity.apply(x, y)

    def hook(grad):
        hook_called[0] = True
        eq(grad, lib.ones(5, 5))

    q.register_hook(hook)
    (q + p + x).sum().backward()
    eq(x.grad, lib.ones(5, 5) * 3)
    eq(y.grad, lib.ones(5, 5))
    return hook_called[0]


def case_leaf_assignment(lib):
    x = lib.randn(5, 5)
    y = lib.randn(5, requires_grad=True)
    z = lib.randn(5, requires_grad=True)
    x[0] = y
    x[1] = 2 * z
    assert x.requires_grad and x.grad_fn is not None
    x.sum().backward()
    eq(y.grad, lib.ones(5))
    eq(z.grad, lib.ones(5) * 2)
    return "ok"


def case_no_grad_assignment(lib):
    x = lib.randn(5, 5, requires_grad=True)
    y = lib.randn(5)
    with lib.no_grad():
        x[0] = y
    return x.requires_grad, x.grad_fn is None


def case_no_grad_modifies_version(lib):
    x = lib.randn(5, requires_grad=True)
    y = lib.randn(5, requires_grad=True)
    z = (x * y).sum()
    with lib.no_grad():
        x *= 2
    return raises(RuntimeError, lambda: z.backward())


def case_increment_version(lib):
    a = lib.rand(5, requires_grad=True)
    v = a._version
    lib.autograd.graph.increment_version(a)
    r = [a._version == v + 1]
    a = lib.zeros(5, dtype=lib.int)
    v = a._version
    lib.autograd.graph.increment_version(a)
    r.append(a._version == v + 1)
    with lib.inference_mode():
        a = lib.rand(5, requires_grad=True)
        lib.autograd.graph.increment_version(a)
    lib.autograd.graph.increment_version(a)
    return r


def case_no_grad_input(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(self, x):
            return x

        @staticmethod
        def backward(self, grad_output):
            return grad_output

    x = lib.randn(5, requires_grad=True)
    with lib.no_grad():
        y = MyFunction.apply(x)
    return x.requires_grad, y.grad_fn is None, y.requires_grad


def case_backward_copy(lib):
    x = lib.ones(5, 5, requires_grad=True)
    y = lib.ones(5, 5, requires_grad=True)
    a = x + 2
    b = y + 2
    c = x + 2
    add1 = a + b
    add2 = add1 + c
    for _ in range(4):
        a = a * 2
        b = b * 2
        c = c * 2
    branch = a + b + c
    out = add2 + branch
    out.backward(lib.ones(5, 5))
    eq(x.grad, lib.ones(5, 5) * 34)
    eq(y.grad, lib.ones(5, 5) * 17)
    return "ok"


def case_save_none_for_backward(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(None, input, None)
            return input * input

        @staticmethod
        def backward(ctx, grad_output):
            n1, input, n2 = ctx.saved_tensors
            assert n1 is None and n2 is None
            return 2 * input * grad_output

    x = lib.randn(5, 5, requires_grad=True)
    MyFn.apply(x).sum().backward()
    eq(x.grad, 2 * x)
    return "ok"


def case_too_many_grads(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            return input

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None, None

    x = lib.randn(5, 5, requires_grad=True)
    MyFn.apply(x).sum().backward()
    eq(x.grad, lib.ones_like(x))
    return "ok"


def case_pickle(lib):
    x = lib.randn(10, 10, requires_grad=True)
    y = lib.randn(10, 10, requires_grad=False)
    for p in range(3):
        xc, yc = pickle.loads(pickle.dumps([x, y], protocol=p))
        eq(xc, x)
        eq(yc, y)
        assert xc.requires_grad and not yc.requires_grad
    return "ok"


def case_dep_nograd(lib):
    class F1(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            out = lib.randn(input.size())
            ctx.mark_non_differentiable(out)
            return input, out

        @staticmethod
        def backward(ctx, grad_output, ignored):
            return grad_output

    class F2(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input, ignored):
            return input

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None

    x = lib.randn(5, requires_grad=True)
    a, b = F1.apply(x)
    b = b + 1
    assert a.requires_grad and not b.requires_grad
    c = F2.apply(a, b)
    c.backward(lib.ones(c.size()))
    eq(x.grad, lib.ones(x.size()))
    return "ok"


def case_set_grad_enabled(lib):
    x = lib.tensor([1.0], requires_grad=True)
    r = []
    with lib.set_grad_enabled(False):
        y = x * 2
    r.append(y.requires_grad)
    with lib.set_grad_enabled(True):
        y = x * 2
    r.append(y.requires_grad)
    with lib.set_grad_enabled(False):
        lib.set_grad_enabled(True)
        y = x * 2
    r.append(y.requires_grad)
    r.append(lib.is_grad_enabled())
    return r


def case_set_grad_enabled_wraps(lib):
    r = []
    for decorator in [True, False]:
        with lib.enable_grad():
            if decorator:

                @lib.set_grad_enabled(False)
                def inner_func(x):
                    return x.sin()
            else:

                def inner_func(x):
                    return x.sin()

                obj = lib.set_grad_enabled(False)
                r.append(lib.is_grad_enabled())
                inner_func = obj(inner_func)
                r.append(lib.is_grad_enabled())
            r.append(lib.is_grad_enabled())
            x = lib.zeros(1, requires_grad=True)
            r.append(inner_func(x).requires_grad)
    return r


def case_simple_reentrant(lib):
    y_data = lib.randn(2, 2)
    V = lib.autograd.Variable

    class Reenter(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with lib.enable_grad():
                ctx.x = V(x, requires_grad=True)
                ctx.y = V(y_data, requires_grad=True)
                ctx.output_var = ctx.x * ctx.y
            return ctx.output_var.detach()

        @staticmethod
        def backward(ctx, grad_output):
            with lib.enable_grad():
                ctx.output_var.sum().backward()
            return ctx.x.grad * grad_output

    x = lib.randn(2, 2, requires_grad=True)
    out = Reenter.apply(x)
    out.sum().backward()
    eq(x.grad, y_data)
    return "ok"


def case_reentrant_child_error(lib):
    class SimulateBackwardError(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            return input.clone()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, input):
            raise Exception("Simulate error on backward pass")

    a = lib.rand(3, 3, requires_grad=True)
    c = a * a
    b = lib.rand(3, 3, requires_grad=True)
    e = b * b
    f = SimulateBackwardError.apply(e)
    reentrant_root = f.sum()

    class ReentrantFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, grad):
            reentrant_root.backward()
            return grad

    d = ReentrantFunc.apply(c)
    return raises(Exception, lambda: d.sum().backward())


def case_var_mean_differentiable(lib):
    input1 = lib.randn(3, 4, 5, 6, 2, 3, requires_grad=True)
    input2 = deepcopy(input1)
    var1, mean1 = lib.var_mean(input1, dim=[2, 4], keepdim=False)
    var2 = input2.var(dim=[2, 4], keepdim=False)
    mean2 = input2.mean(dim=[2, 4], keepdim=False)
    grad = lib.randn(3, 4, 6, 3, requires_grad=True)
    r1 = var1 * var1 * mean1 * mean1
    r2 = var2 * var2 * mean2 * mean2
    eq(r1, r2, 1e-2)
    lib.autograd.backward(r1, grad)
    lib.autograd.backward(r2, grad)
    eq(input1.grad, input2.grad, 1e-2)
    return "ok"


def case_variable_traverse(lib):
    def get():
        inp = lib.randn(10, requires_grad=True)
        tmp = inp.view(10, 1)
        out = tmp.view(10)
        my_list = []
        my_list.append(tmp)
        my_list.append(my_list)
        return out

    out = get()
    gc.collect()
    out.backward(lib.randn(out.size()))
    return "ok"


def case_pow_zero_tensor_gradient(lib):
    r = []
    for size, exponent in [((10,), lib.zeros(10)), ((10, 10), lib.zeros(10, 10)), ((10,), 0)]:
        input = lib.zeros(*size, requires_grad=True)
        input.pow(exponent).sum().backward()
        r.append(float(input.grad.abs().sum()))
    return r


def case_dir_shape(lib):
    x = lib.randn(10, 10)
    return "shape" in dir(x)


def case_inplace_on_view_backward(lib):
    nn = NN(lib)
    net = nn.Sequential(nn.InstanceNorm2d(2), nn.ReLU(True))
    net.double() if lib is autograd else None
    x = lib.tensor([[[[1.0, 1.0]]]], requires_grad=True)
    if lib is not autograd:
        net = net.double()
    x = x.double().detach().requires_grad_()
    (g,) = lib.autograd.grad(net(x).pow(2), [x], grad_outputs=x.new_ones(x.shape), create_graph=True)
    lib.autograd.grad(g.sum(), [x])
    eq(x, lib.tensor([[[[1.0, 1.0]]]]))
    inputs = lib.ones((1, 3, 16, 16), requires_grad=True)
    tmp1 = (inputs + 1).view_as(inputs)
    tmp2 = nn.functional.threshold(tmp1, 0.0, 0.0, True)
    prob = lib.sigmoid(tmp2)
    gradients = lib.autograd.grad(
        outputs=prob, inputs=inputs, grad_outputs=lib.ones(prob.size()), create_graph=True, retain_graph=True
    )[0]
    gp = gradients.sum()
    gp.backward()
    return "ok"


def case_inplace_on_view_leaf_errors(lib):
    x = lib.zeros(1, requires_grad=True)
    y = x.view_as(x)
    return raises(RuntimeError, lambda: y.add_(1))


def case_inplace_on_view_weak_grad_fn(lib):
    a = lib.arange(10.0, requires_grad=True)
    b = a.narrow(0, 0, 2).clone().view(-1)
    b.relu_()
    c = b.clone()
    del b
    gc.collect()
    s = c.sum()
    s.backward()
    eq(s, lib.tensor(1.0))
    a = lib.rand(10, requires_grad=True).narrow(0, 0, 10)
    return raises(RuntimeError, lambda: a.relu_())


def case_out_variant_raises_when_inputs_require_grad(lib):
    a = lib.randn(2, 2, requires_grad=True)
    b = lib.randn(2, 2, requires_grad=True)
    x = lib.zeros_like(a)
    r1 = raises(RuntimeError, lambda: lib.mul(a, b, out=x))
    with lib.no_grad():
        lib.mul(a, b, out=x)
        eq(x, a * b)
    a = lib.randn(2, 2)
    b = lib.randn(2, 2)
    x = lib.zeros(2, 2, requires_grad=True)
    r2 = raises(RuntimeError, lambda: lib.mul(a, b, out=x))
    return r1[:12], r2[:12]


def case_gradcheck_single_input(lib):
    f = lambda inp: inp.mul(5)
    r = []
    for fast in (True, False):
        r.append(lib.autograd.gradcheck(f, lib.rand(10, dtype=lib.float64, requires_grad=True), fast_mode=fast))
        r.append(lib.autograd.gradgradcheck(f, lib.rand(10, dtype=lib.float64, requires_grad=True), fast_mode=fast))
    return r


def case_gradcheck_nondeterministic(lib):
    class NonDetFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, jitter=0.0):
            ctx._jitter = jitter
            return x

        @staticmethod
        def backward(ctx, grad_out):
            return NonDetFunc.apply(grad_out, ctx._jitter) * (1 + lib.rand_like(grad_out) * ctx._jitter), None

    r = []
    gc_, ggc = lib.autograd.gradcheck, lib.autograd.gradgradcheck
    for fast in (True, False):
        inp = lib.randn(5, 5, dtype=lib.double, requires_grad=True)
        r.append(gc_(lambda x: NonDetFunc.apply(x, 0.0), inp, check_batched_grad=False, fast_mode=fast))
        r.append(
            raises(
                RuntimeError,
                lambda: gc_(lambda x: NonDetFunc.apply(x, 1e-6), inp, check_batched_grad=False, fast_mode=fast),
            )[:40]
        )
        r.append(
            raises(
                RuntimeError,
                lambda: ggc(lambda x: NonDetFunc.apply(x, 1e-12), inp, check_batched_grad=False, fast_mode=fast),
            )[:40]
        )
        r.append(
            gc_(lambda x: NonDetFunc.apply(x, 0.0), inp, nondet_tol=1e-5, check_batched_grad=False, fast_mode=fast)
        )
        r.append(
            gc_(lambda x: NonDetFunc.apply(x, 1e-6), inp, nondet_tol=1e-5, check_batched_grad=False, fast_mode=fast)
        )
        r.append(
            ggc(lambda x: NonDetFunc.apply(x, 1e-12), inp, nondet_tol=1e-5, check_batched_grad=False, fast_mode=fast)
        )
    return r


def case_version_counter(lib):
    x = lib.randn(1, 2)
    v = x._version
    x.add_(1).add_(1)
    r = [x._version > v]
    xz = x[:]
    r.append(x._version == xz._version)
    xz.add_(1)
    r.append(x._version == xz._version)
    v = x._version
    x.data = lib.randn(2, 3)
    r.append(x._version == v)
    x.add_(1)
    r.append(x._version > v)
    r.append(x._version == xz._version)
    xz.add_(1)
    r.append(x._version == xz._version)
    return r


def case_set_data_preserve_pyobj(lib):
    a = lib.randn(1, 2)
    b = lib.randn(1, 2)
    i = id(b)
    b.data = a
    return i == id(b)


def case_set_data_self_requires_grad(lib):
    a = lib.tensor(1.0, requires_grad=True)
    b = lib.tensor(2.0)
    c = lib.tensor(3, dtype=lib.int64)
    a.data = b
    return raises(RuntimeError, lambda: setattr(a, "data", c))


def case_reentrant_priority(lib):
    order = []
    V = lib.autograd.Variable

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, x):
            order.append("MyFunction")
            return x

    class Reentrant(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with lib.enable_grad():
                ctx.x = V(x.detach(), requires_grad=True)
                ctx.x = ctx.x - 1
            return ctx.x.detach()

        @staticmethod
        def backward(ctx, x):
            order.append("Reentrant")
            if ctx.x < 0:
                return x
            with lib.enable_grad():
                Reentrant.apply(ctx.x).backward()
            return x

    a = MyFunction.apply(lib.tensor(6.0, requires_grad=True))
    b = Reentrant.apply(lib.tensor(9.0, requires_grad=True))
    v = a * b
    v.backward()
    return len(order), order.count("Reentrant"), order[-1]


def case_checkpointing_small(lib):
    nn = NN(lib)
    lib.manual_seed(0)
    module = nn.Sequential(nn.Linear(10, 100), nn.ReLU(), nn.Linear(100, 10))
    feats = []
    for _ in range(20):
        d = lib.empty(1, 10, dtype=lib.float32)
        d.uniform_()
        d.requires_grad = True
        feats.append(ckpt(lib).checkpoint(module, d, use_reentrant=True))
    lib.stack(feats).mean().backward()
    return "ok"


def case_checkpointing_correct_grad(lib):
    a = lib.randn(2, 2, requires_grad=True)
    lib.exp(a).sum().backward()
    bg = a.grad
    a.grad = None
    ckpt(lib).checkpoint(lib.exp, a, use_reentrant=False).sum().backward()
    cg = a.grad
    a.grad = None
    d = ckpt(lib).checkpoint(lib.exp, a, use_reentrant=False).sum()
    (dg,) = lib.autograd.grad(d, (a,))
    eq(bg, cg)
    eq(bg, dg)
    return "ok"


def case_reentrant_with_non_leaf_variable_hook(lib):
    handle = None
    param = lib.rand(10, requires_grad=True)

    def manual_increase_gradient(grad):
        handle.remove()
        with lib.enable_grad():
            g = grad.detach().requires_grad_()
            out = ((g * 2) + 5).sum()
            out.backward()
        return g.grad + grad

    tmp = param * param
    handle = tmp.register_hook(manual_increase_gradient)
    tmp.sum().backward()
    eq(param.grad, 6 * param)
    return "ok"


def case_custom_function_saved_tensors(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = lib.randn(5, requires_grad=True)
    y = MyFn.apply(a)
    st = y.grad_fn.saved_tensors
    r = [st[0] is a, st[1] is None]
    y.sum().backward()
    r.append(raises(RuntimeError, lambda: y.grad_fn.saved_tensors)[:12])

    class MyFn2(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    y = MyFn2.apply(a)
    r.append(y.grad_fn.saved_tensors)
    return r


def case_autograd_views_codegen(lib):
    r = []
    for grad_mode, requires_grad in [(True, False), (True, True), (False, True), (False, False)]:
        inp = lib.rand(2, requires_grad=requires_grad).clone()
        with lib.set_grad_enabled(grad_mode):
            out = inp.view_as(inp)
        r.append(out._is_view())
        try:
            out.add_(1)
            r.append("ok")
        except RuntimeError:
            r.append("raise")
        inp = lib.rand(2, requires_grad=requires_grad).clone()
        with lib.set_grad_enabled(grad_mode):
            out = inp.unbind()
        r.append(out[0]._is_view())
        for o in out:
            try:
                o.add_(1)
                r.append("ok")
            except RuntimeError:
                r.append("raise")
    return r


def case_inplace_not_requires_grad(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.view_as(inp)

        @staticmethod
        def backward(ctx, grad):
            return grad

    r = []
    a = lib.rand(1, 2)
    b = lib.rand(1, requires_grad=True)
    view_a = MyFn.apply(a)
    try:
        view_a += b
        r.append("ok")
    except RuntimeError:
        r.append("raise")
    a = lib.rand(1, 2)
    b = lib.rand(1, requires_grad=True)
    view_a = MyFn.apply(a)
    try:
        view_a.copy_(b)
        r.append("ok")
    except RuntimeError:
        r.append("raise")
    a = lib.rand(1, 2)
    b = lib.rand(1, requires_grad=True)
    view_a = a.unbind()[0]
    try:
        view_a.copy_(b)
        r.append("ok")
    except RuntimeError:
        r.append("raise")
    a = lib.rand(1, 2)
    b = lib.rand(1, requires_grad=True)
    a.select(1, 0).copy_(b)
    return r


def case_autograd_inplace_view_of_view(lib):
    x = lib.zeros(2)
    with lib.no_grad():
        y = x.view(2)
    y.requires_grad_(True)
    z = y.view(2)

    def f():
        nonlocal z
        z /= 2

    return raises(RuntimeError, f)[:12]


def case_multiple_views_python(lib):
    bw = [0]

    class ComplexView(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, idx):
            res = a.narrow(0, idx, 1)
            res = a.select(0, idx)
            ctx.save_for_backward(a)
            ctx.idx = idx
            return res

        @staticmethod
        def backward(ctx, grad):
            bw[0] += 1
            (a,) = ctx.saved_tensors
            res = lib.zeros_like(a)
            res.select(0, ctx.idx).copy_(grad)
            return res, None

    a = lib.ones(2, requires_grad=True)
    out = ComplexView.apply(a.clone(), 1)
    out.sum().backward()
    r = [bw[0]]
    out = ComplexView.apply(a.clone(), 1)

    def f():
        nonlocal out
        out += 1

    r.append(raises(RuntimeError, f)[:12])
    return r


def case_python_custom_function_inplace(lib):
    bw = [0]

    class MyAdder(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, grad):
            bw[0] += 1
            return grad, grad

    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)
    r = []
    c = MyAdder.apply(a.clone(), b)
    c.sum().backward()
    r.append(bw[0])
    bw[0] = 0
    c = MyAdder.apply(a.clone(), b)
    c += 2
    c.sum().backward()
    r.append(bw[0])
    bw[0] = 0
    c = MyAdder.apply(a.clone().view_as(a), b)
    c.sum().backward()
    r.append(bw[0])

    class MyAdderBad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            c = 3 * a
            c.add_(b)
            ctx.mark_dirty(c)
            return c

        @staticmethod
        def backward(ctx, grad):
            grad = 3 * grad
            return grad, grad

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        MyAdderBad.apply(a.clone(), b)
    r.append(len(w))

    class MyBadAdder(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a, a + b

        @staticmethod
        def backward(ctx, ga, gab):
            bw[0] += 1
            return ga + gab, ga + gab

    bw[0] = 0
    c, d = MyBadAdder.apply(a.clone(), b)
    (c * d).sum().backward()
    r.append(bw[0])
    bw[0] = 0
    c, d = MyBadAdder.apply(a.clone(), b)
    c += 2
    (c * d).sum().backward()
    r.append(bw[0])
    r.append(raises(RuntimeError, lambda: MyBadAdder.apply(a.clone().view_as(a), b))[:12])

    class MyOutPlaceAdder(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a.clone(), a + b

        @staticmethod
        def backward(ctx, ga, gab):
            return ga + gab, ga + 2 * gab

    def fn(a, b):
        orig_a = a.clone().view_as(a)
        c, d = MyOutPlaceAdder.apply(orig_a, b)
        return (c * d).sum()

    r.append(raises(RuntimeError, lambda: fn(a, b))[:12])
    return r


def case_mark_output_view_of_intermediate(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            out = inp.clone().view_as(inp)
            ctx.mark_dirty(out)
            return out

        @staticmethod
        def backward(ctx, g_out):
            pass

    a = lib.tensor([1.0], requires_grad=True)
    return raises(RuntimeError, lambda: Func.apply(a.clone()))[:12]


def case_grad_mode_restored_reentrant(lib):
    seen = []

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, go):
            original = lib.is_grad_enabled()
            with lib.enable_grad():
                foo = lib.rand(go.size(), requires_grad=True)
                (grad,) = lib.autograd.grad(foo**3, foo, grad_outputs=go)
                seen.append(lib.is_grad_enabled())
            seen.append(lib.is_grad_enabled() == original)
            return grad

    inp = lib.rand(3, requires_grad=True)
    MyFunction.apply(inp).sum().backward()
    MyFunction.apply(inp).sum().backward(create_graph=True)
    return seen


def case_power_function(lib):
    a = lib.tensor([0.0, 0.0, 0.0])
    b = lib.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    lib.sum(a**b).backward()
    r = [npy(b.grad).tolist()]
    b = lib.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    lib.sum(0**b).backward()
    r.append(npy(b.grad).tolist())
    return r


def case_custom_function_error(lib):
    class BadFw(lib.autograd.Function):
        @staticmethod
        def backward(ctx, foo):
            return foo

    class BadBw(lib.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.clone()

    class BadBw2(lib.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.clone()

        @staticmethod
        def backward(ctx, foo):
            return foo

        @staticmethod
        def vjp(ctx, foo):
            return foo

    inp = lib.rand(1, requires_grad=True)
    return (
        raises(NotImplementedError, lambda: BadFw.apply(inp))[:20],
        raises(RuntimeError, lambda: BadBw.apply(inp).sum().backward())[:12],
        raises(RuntimeError, lambda: BadBw2.apply(inp).sum().backward())[:12],
    )


def case_custom_function_local_inplace(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp, inplace):
            view = inp.clone()[:3]
            if inplace:
                view += 2
            return view

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    base = lib.rand(10, requires_grad=True)
    foo = MyFn.apply(base, False)
    a = foo.grad_fn.__class__.__name__
    foo = MyFn.apply(base, True)
    return a, foo.grad_fn.__class__.__name__


def case_custom_function_cycle(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, metadata):
            x = x.clone()
            ctx.meta = metadata
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, g_out):
            (x,) = ctx.saved_tensors
            return g_out * x, None

    def get_refs(with_backward):
        a = lib.tensor(3.14, requires_grad=True)
        metadata = {}
        out = MyFn.apply(a, metadata)
        metadata["foo"] = out
        if with_backward:
            out.sum().backward()
            eq(a.grad, a)
        return weakref.ref(out)

    r = []
    for wb in (False, True):
        gc.disable()
        try:
            ref = get_refs(wb)
            r.append(ref() is not None)
        finally:
            gc.enable()
        gc.collect()
        r.append(ref() is None)
    return r


def case_full_backward_hook_double_backward(lib):
    x = lib.rand(1, requires_grad=True, dtype=lib.float32)
    y = lib.rand_like(x)
    func = NN(lib).MSELoss()
    counter = [0]
    func.register_full_backward_hook(lambda m, gi, go: counter.__setitem__(0, counter[0] + 1))
    f = func(x, y)
    (gx,) = lib.autograd.grad(f, x, create_graph=True)
    c1 = counter[0]
    lib.autograd.grad(gx, x)
    return c1, counter[0]


def case_input_buffer_accum(lib):
    leaf = lib.rand(2, 2, requires_grad=True)
    ind = lib.tensor([[0, 0]], dtype=lib.long)
    out2 = leaf.gather(0, ind)
    out1 = leaf.clone()
    g1o = lib.rand_like(out1)
    g1 = g1o.clone()
    g2 = lib.rand_like(out2)
    lib.autograd.backward((out1, out2), (g1, g2))
    eq(g1, g1o)
    return "ok"


def case_hook_closure_cycle(lib):
    r = []
    for use_custom_function in (True, False):
        for use_tensor_hook in (True, False):

            class Function(lib.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x

                @staticmethod
                def backward(ctx, grad):
                    return grad

            class Test:
                pass

            count = [0]

            def scope():
                a = lib.tensor(1.0, requires_grad=True)
                b = Function.apply(a) if use_custom_function else a.clone()
                grad_fn_b = b.grad_fn
                obj = Test()

                def hook(*args):
                    grad_fn_b
                    obj
                    count[0] += 1

                if use_tensor_hook:
                    b.register_hook(hook)
                else:
                    b.grad_fn.register_hook(hook)
                c = b.clone()
                return c, weakref.ref(obj)

            gc.disable()
            try:
                out, ref = scope()
                out.backward(retain_graph=True)
                gc.collect()
                out.backward(retain_graph=True)
                r.append(count[0])
                r.append(ref() is not None)
                del out
                gc.collect()
                r.append(ref() is None)
            finally:
                gc.enable()
    return r


def case_disabling_saved_tensor_hooks(lib):
    G = lib.autograd.graph
    r = []
    with G.disable_saved_tensors_hooks("error message"):

        def f():
            with G.saved_tensors_hooks(lambda x: x, lambda x: x):
                pass

        r.append(raises(RuntimeError, f))
    with G.saved_tensors_hooks(lambda x: x, lambda x: x):

        def g():
            with G.disable_saved_tensors_hooks("error message"):
                pass

        r.append(raises(RuntimeError, g))
    with G.disable_saved_tensors_hooks("outer"):
        with G.disable_saved_tensors_hooks("inner"):

            def h():
                with G.saved_tensors_hooks(lambda x: x, lambda x: x):
                    pass

            r.append(raises(RuntimeError, h))
        r.append(raises(RuntimeError, h))
    with G.saved_tensors_hooks(lambda x: x, lambda x: x):
        pass
    return r


def case_unpack_hooks_exec_count_custom(lib):
    pc = [0]
    uc = [0]

    def pack(x):
        pc[0] += 1
        return x

    def unpack(x):
        uc[0] += 1
        return x

    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    x = lib.ones(4, requires_grad=True)
    y = lib.ones(4, requires_grad=False)
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        out = Mul.apply(x, y)
        r = [pc[0], uc[0]]
        out.sum().backward()
        r += [pc[0], uc[0]]
    return r


def case_multi_grad_any_hooks(lib):
    nn = NN(lib)
    hook_id = 0
    handles = []
    order = []

    def hook(hid, *unused):
        order.append(hid)

    class MultiOutputModule(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            nonlocal hook_id
            z = self.lin(x)
            out = lib.sin(z), lib.cos(z)
            z.register_hook(partial(hook, hook_id))
            hook_id += 1
            handles.append(lib.autograd.graph.register_multi_grad_hook(out, partial(hook, hook_id), mode="any"))
            hook_id += 1
            return out

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.mod1 = MultiOutputModule()
            self.mod2 = MultiOutputModule()

        def forward(self, x):
            y = self.mod1(x)
            return self.mod2(y[0] + y[1])

    model = Model()
    inp = lib.randn((2, 3), dtype=lib.float32)
    out = model(inp)
    (out[0] + out[1]).sum().backward()
    r = [len(handles), list(order)]
    hook_id = 0
    order.clear()
    handles.clear()
    out = model(inp)
    for h in handles:
        h.remove()
    (out[0] + out[1]).sum().backward()
    r.append(list(order))
    return r


def case_multi_grad_hooks_invalid_mode(lib):
    t1 = lib.rand(2, requires_grad=True)
    t2 = lib.rand(2, requires_grad=True)
    return raises(ValueError, lambda: lib.autograd.graph.register_multi_grad_hook((t1, t2), lambda _: None, mode="foo"))


def case_multi_grad_all_hooks(lib):
    t1 = lib.rand(2, requires_grad=True)
    t2 = lib.rand(2, requires_grad=True)
    t3 = lib.rand(2, requires_grad=True)
    t4 = lib.rand(2, requires_grad=True)
    t1 = t1.mul(2)

    class Foo(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.clone()

        @staticmethod
        def backward(ctx, g_out):
            return g_out

    t2 = Foo.apply(t2)
    t3 = t3 * 3
    t4 = t4.clone()
    res = [None] * 4
    count = [0]

    def hook(grads):
        count[0] += 1
        res[:] = [g is not None for g in grads]

    handle = lib.autograd.graph.register_multi_grad_hook((t1, t2, t3, t4), hook)
    out = t2 * t3
    r = []
    out.sum().backward(inputs=(t2, t3), retain_graph=True)
    r.append((count[0], list(res)))
    out.sum().backward(inputs=(t1, t4), retain_graph=True)
    r.append(count[0])
    out.sum().backward(inputs=(t1, t3), retain_graph=True)
    r.append((count[0], list(res)))

    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g_out):
            raise RuntimeError("error message")

    out = Func.apply(t2) * t3
    r.append(raises(RuntimeError, lambda: out.sum().backward(inputs=(t2, t3), retain_graph=True)))
    r.append(count[0])
    handle.remove()
    out.sum().backward(inputs=(t1, t3), retain_graph=True)
    r.append(count[0])
    return r


def case_save_on_cpu_and_checkpoint(lib):
    a = lib.randn(2, 2, requires_grad=True)
    b = a.pow(2).pow(2).pow(2).pow(2)
    b.sum().backward()
    bg = a.grad.clone()
    a.grad.zero_()
    with lib.autograd.graph.save_on_cpu():
        h = a.pow(2)
        h = ckpt(lib).checkpoint(lambda x: x.pow(2).pow(2), h, use_reentrant=False)
        c = h.pow(2)
    c.sum().backward()
    cg = a.grad.clone()
    a.grad.zero_()

    def f(a):
        h = a.pow(2)
        with lib.autograd.graph.save_on_cpu():
            h = h.pow(2).pow(2)
        return h.pow(2)

    d = ckpt(lib).checkpoint(f, a, use_reentrant=False)
    d.sum().backward()
    eq(bg, cg, 1e-4)
    eq(bg, a.grad, 1e-4)
    return "ok"


def case_setup_context_when_forward_has_default_args(lib):
    class PowFunction(lib.autograd.Function):
        @staticmethod
        def forward(x, y=3):
            return lib.pow(x, y)

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x)
            ctx.y = y

        @staticmethod
        def backward(ctx, g_out):
            (x,) = ctx.saved_tensors
            y = ctx.y
            return g_out * y * lib.pow(x, y - 1), None

    class PowFunctionWithClassmethod(lib.autograd.Function):
        @classmethod
        def forward(cls, x, y=3):
            return lib.pow(x, y)

        @classmethod
        def setup_context(cls, ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x)
            ctx.y = y

        @classmethod
        def backward(cls, ctx, g_out):
            (x,) = ctx.saved_tensors
            y = ctx.y
            return g_out * y * lib.pow(x, y - 1), None

    x = lib.tensor(2.0, requires_grad=True)
    y1 = PowFunction.apply(x)
    (g1,) = lib.autograd.grad(y1, x)
    y2 = PowFunctionWithClassmethod.apply(x)
    (g2,) = lib.autograd.grad(y2, x)
    return float(y1), float(g1), float(y2), float(g2)


def case_grad_thread_safety(lib):
    for _ in range(5):
        tensor = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (tensor**2).sum().backward()
        barrier = threading.Barrier(4)

        def access_grad(tensor, barrier):
            barrier.wait()
            return tensor.grad

        with ThreadPoolExecutor(max_workers=4) as ex:
            futures = [ex.submit(access_grad, tensor, barrier) for _ in range(4)]
            for f in futures:
                eq(f.result(), tensor.grad)
    return "ok"


CASES = [
    case_tensor_grad_warnings,
    case_grad_mode_class_decoration,
    case_function,
    case_function_returns_input,
    case_function_returns_undefined_tensor,
    case_unused_grad_requires_grad_with_materialize,
    case_unrelated_inputs,
    case_accumulate_grad,
    case_accumulate_grad_tensor_reference,
    case_accumulate_grad_with_zero_numel_grad,
    case_hessian_vector,
    case_invalid_gradients,
    case_grad_mismatch_shape,
    case_grad_to_node,
    case_grad_to_node_multi,
    case_grad_to_node_materialize,
    case_backward_to_node,
    case_gradient_edge_output,
    case_gradient_edge_graph_ownership,
    case_grad_nonleaf,
    case_grad_nonleaf_many_outputs,
    case_grad_materialize_grads,
    case_post_accumulate_grad_hook_on_non_leaf,
    case_post_accumulate_grad_hook_multiple_hooks,
    case_post_accumulate_grad_hook_multiple_tensors,
    case_post_accumulate_grad_hook_returns_not_None,
    case_post_accumulate_grad_hook_gets_cleaned_up,
    case_post_accumulate_grad_hook_ordering,
    case_hook_with_no_name,
    case_prehook_ordering,
    case_retains_grad_can_always_observe_tensor_prehook,
    case_accumulate_grad_posthooks_can_observe_tensor_prehook,
    case_accumulate_grad_posthooks_should_not_execute,
    case_hook_edge_case_when_called_with_grad,
    case_sharded_grad,
    case_backward_badcalls,
    case_grad_badcalls,
    case_grad_empty_inputs,
    case_grad_unreachable,
    case_grad_batched_grad,
    case_hooks,
    case_grad_fn_prehooks,
    case_grad_fn_prehooks_remove_hooks,
    case_hooks_cpp,
    case_hook_none,
    case_retain_grad_inplace,
    case_retains_grad_inplace_multiple_outputs,
    case_retain_grad_inplace_over_view,
    case_tensor_hooks_inplace,
    case_tensor_hooks_inplace_multiple_outputs,
    case_tensor_hooks_inplace_over_view,
    case_backward,
    case_multi_backward,
    case_multi_backward_no_grad,
    case_backward_with_inputs,
    case_backward_with_scalar_input,
    case_backward_with_nonleaf_inputs,
    case_dependent_backward,
    case_save_output_nr,
    case_free_deep_graph,
    case_free_deep_graph_pyfunction,
    case_no_unnecessary_save,
    case_no_grad,
    case_enable_grad_decorator_no_paren,
    case_set_grad_generator_functions,
    case_set_grad_generator_functions_recursive,
    case_set_grad_coroutines,
    case_set_grad_coroutines_benign_exceptions,
    case_set_grad_coroutines_critical_exceptions,
    case_set_grad_coroutines_exit,
    case_no_grad_python_function,
    case_indexing,
    case_indexing_duplicates,
    case_index_backward_does_not_save_tensor,
    case_saved_variables_deprecated,
    case_requires_grad,
    case_requires_grad_method,
    case_requires_grad_inplace,
    case_no_requires_grad_inplace,
    case_duplicate_backward_root,
    case_backward_no_grad,
    case_backward_twice_retained,
    case_backward_create_graph_warns,
    case_inplace,
    case_mark_non_differentiable,
    case_mark_non_differentiable_mixed,
    case_mark_non_differentiable_none,
    case_return_duplicate,
    case_return_duplicate_inplace,
    case_select_sum,
    case_expanded_v,
    case_unused_output,
    case_gather_dense,
    case_custom_autograd_repeated_grad_grad,
    case_custom_autograd_no_early_free,
    case_detach,
    case_detach_base,
    case_detach_then_inplace_raises,
    case_return_leaf,
    case_leaf_assignment,
    case_no_grad_assignment,
    case_no_grad_modifies_version,
    case_increment_version,
    case_no_grad_input,
    case_backward_copy,
    case_save_none_for_backward,
    case_too_many_grads,
    case_pickle,
    case_dep_nograd,
    case_set_grad_enabled,
    case_set_grad_enabled_wraps,
    case_simple_reentrant,
    case_reentrant_child_error,
    case_var_mean_differentiable,
    case_variable_traverse,
    case_pow_zero_tensor_gradient,
    case_dir_shape,
    case_inplace_on_view_backward,
    case_inplace_on_view_leaf_errors,
    case_inplace_on_view_weak_grad_fn,
    case_out_variant_raises_when_inputs_require_grad,
    case_gradcheck_single_input,
    case_gradcheck_nondeterministic,
    case_version_counter,
    case_set_data_preserve_pyobj,
    case_set_data_self_requires_grad,
    case_reentrant_priority,
    case_checkpointing_small,
    case_checkpointing_correct_grad,
    case_reentrant_with_non_leaf_variable_hook,
    case_custom_function_saved_tensors,
    case_autograd_views_codegen,
    case_inplace_not_requires_grad,
    case_autograd_inplace_view_of_view,
    case_multiple_views_python,
    case_python_custom_function_inplace,
    case_mark_output_view_of_intermediate,
    case_grad_mode_restored_reentrant,
    case_power_function,
    case_custom_function_error,
    case_custom_function_local_inplace,
    case_custom_function_cycle,
    case_full_backward_hook_double_backward,
    case_input_buffer_accum,
    case_hook_closure_cycle,
    case_disabling_saved_tensor_hooks,
    case_unpack_hooks_exec_count_custom,
    case_multi_grad_any_hooks,
    case_multi_grad_hooks_invalid_mode,
    case_multi_grad_all_hooks,
    case_save_on_cpu_and_checkpoint,
    case_setup_context_when_forward_has_default_args,
    case_grad_thread_safety,
]


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning", "ignore::FutureWarning")
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__.removeprefix("case_"))
def test_test_autograd_case_gives_torchs_result(case):
    torch = pytest.importorskip("torch")
    theirs = case(torch)
    ours = case(autograd)
    assert repr(ours) == repr(theirs)


def test_a_custom_functions_ctx_is_a_graph_node(lib):
    """torch's test_autograd_node_isinstance: the ctx forward and backward get is a torch.autograd.graph.Node (torch's
    ctx is the call's backward node), as are the grad_fn and AccumulateGrad functions."""
    node = lib.autograd.graph.Node
    seen = []

    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(isinstance(ctx, node))
            return x

        @staticmethod
        def backward(ctx, x):
            seen.append(isinstance(ctx, node))
            return x

    a = lib.rand(3, 3, requires_grad=True)
    out = Func.apply(a)
    assert isinstance(out.grad_fn, node) and issubclass(type(out.grad_fn), node)
    assert node not in type(out.grad_fn).mro()
    assert isinstance(a.exp().grad_fn.next_functions[0][0], node)
    assert not isinstance(None, node) and not isinstance(1, node) and not isinstance(node, node)
    out.sum().backward()
    assert seen == [True, True]


def test_checkpointing_without_reentrant_arbitrary_input_output(lib):
    """torch's test of the same name: a checkpointed module taking and returning dicts gives the values and the
    parameter gradients of the module run plainly; nested lists and tuples come back nested too."""
    checkpoint = nn.utils.checkpoint.checkpoint if lib is autograd else lib.utils.checkpoint.checkpoint
    linear = nn_of(lib).Linear

    class MyModel(nn_of(lib).Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = linear(5, 5, bias=False)

        def forward(self, dict_input):
            out = self.layer(dict_input["tensor"])
            return {"result": out, "parts": [out * 2, (out.sum(), None)]}

    lib.manual_seed(0)
    plain = MyModel()
    checkpointed = copy.deepcopy(plain)
    inputs = {"tensor": lib.randn(5, 5, dtype=lib.float32)}
    expected = plain(inputs)
    got = checkpoint(checkpointed, inputs, use_reentrant=False)
    assert sorted(got) == ["parts", "result"] and isinstance(got["parts"], list)
    assert isinstance(got["parts"][1], tuple) and got["parts"][1][1] is None
    assert_close(got["result"], expected["result"])
    (expected["result"].sum() + expected["parts"][0].sum() + expected["parts"][1][0]).backward()
    (got["result"].sum() + got["parts"][0].sum() + got["parts"][1][0]).backward()
    assert_close(checkpointed.layer.weight.grad, plain.layer.weight.grad, 1e-5)


# -- Variable._execution_engine.queue_callback (torch's final callbacks) -----------------------------------------


def test_callback_adds_callback(lib):
    """torch's test of the same name: a callback queued during backward runs once the pass is done, and one it
    queues itself runs after it."""
    called = [0]
    engine = lib.autograd.Variable._execution_engine

    def callback_final():
        called[0] += 1

    def callback_adds_callback():
        called[0] += 1
        engine.queue_callback(callback_final)

    class MyFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            return input

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, grad):
            engine.queue_callback(callback_adds_callback)
            return grad

    a = lib.rand((3, 3), requires_grad=True)
    MyFunc.apply(a).sum().backward()
    assert called[0] == 2
    with pytest.raises(RuntimeError, match="during backward pass"):
        engine.queue_callback(callback_final)


@pytest.mark.parametrize("depths", [[0], [1], [0, 1]], ids=["outer", "inner", "both"])
def test_reentrant_with_callbacks(lib, depths):
    """torch's test_reentrant_with_callbacks_depth_0/_1/both_depths: a callback runs once, at the end of the pass
    (outer or reentrant inner backward) that queued it; the leaves' gradients are in .grad by then."""
    counter = {"inner": 0, "outer": 0}
    engine = lib.autograd.Variable._execution_engine
    seen_grad = []

    def inc_inner_counter():
        counter["inner"] += 1

    def inc_outer_counter():
        counter["outer"] += 1
        seen_grad.append(t1.grad is not None)

    class MyFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            return input

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, input):
            if 1 in depths:
                engine.queue_callback(inc_inner_counter)
            return input

    class MyReentrantFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            return input

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, input):
            if 0 in depths:
                engine.queue_callback(inc_outer_counter)
            tmp_inp = input.detach().requires_grad_()
            with lib.enable_grad():
                tmp_out = MyFunc.apply(tmp_inp).sum()
            tmp_out.backward()
            return input

    t1 = lib.rand((3, 3), requires_grad=True)
    lib.autograd.backward([MyReentrantFunc.apply(t1).sum()])
    assert counter == {"outer": int(0 in depths), "inner": int(1 in depths)}
    assert seen_grad == [True] * (0 in depths)


def test_a_pass_that_raises_drops_its_queued_callbacks():
    called = []
    engine = autograd.autograd.Variable._execution_engine
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2

    def failing_hook(grad):
        engine.queue_callback(lambda: called.append("callback"))
        raise ValueError("hook failed")

    y.register_hook(failing_hook)
    with pytest.raises(ValueError, match="hook failed"):
        y.sum().backward()
    (x * 3).sum().backward()
    assert called == [] and not autograd.grad_mode.queued_callbacks


def _freed_by_reference_counting(lib: ModuleType, change: Any) -> list[bool]:
    """Whether ``x``, its clone and what ``change(clone)`` returns are all freed by reference counting alone (the
    cyclic garbage collector off) once dropped."""
    gc.collect()
    gc.disable()
    try:
        x = lib.randn(3, 3, requires_grad=True)
        copy = x.clone()
        out = change(copy)
        refs = [weakref.ref(item) for item in (x, copy, out)]
        del x, copy, out
        return [ref() is None for ref in refs]
    finally:
        gc.enable()


def _dirty_saving_function(lib: ModuleType) -> Any:
    class Inplace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2

    return Inplace


@pytest.mark.parametrize(
    "change",
    [
        lambda lib, copy: nn_of(lib).functional.relu(copy.view(9), inplace=True),
        lambda lib, copy: copy.view(9).relu_(),
        lambda lib, copy: copy[0].mul_(2),
        lambda lib, copy: copy.view(9)[2:].view(7).relu_(),
        lambda lib, copy: copy.add_(copy.exp()),
        lambda lib, copy: copy.copy_(copy * 2),
        lambda lib, copy: _dirty_saving_function(lib).apply(copy),
        lambda lib, copy: _dirty_saving_function(lib).apply(copy.view(9)),
    ],
    ids=[
        "F.relu(view, inplace)",
        "view.relu_",
        "row.mul_",
        "view of a view",
        "add_(exp of itself)",
        "copy_(of itself)",
        "mark_dirty",
        "mark_dirty of a view",
    ],  # fmt: skip
)
def test_inplace_on_view_saved_output_frees_the_graph_by_reference_counting(lib, change):
    """torch's test_inplace_on_view_saved_output: a tensor changed in place (through a view, or with values computed
    from itself, or by a custom Function marking it dirty) is freed with its graph by reference counting, as without
    the change; the new history held the tensor itself (a reference cycle only the cyclic collector freed)."""
    assert _freed_by_reference_counting(lib, lambda copy: copy.relu()) == [True, True, True]
    assert _freed_by_reference_counting(lib, lambda copy: change(lib, copy)) == [True, True, True]


@pytest.mark.parametrize("view", [False, True], ids=["tensor", "view"])
def test_inplace_change_that_unlinks_a_cycle_keeps_the_gradient(lib, view):
    """The gradients through a tensor changed in place from values computed from itself are those of the values it
    had (the earlier selves the backward pass takes)."""
    x = lib.tensor([[0.5, -1.0], [2.0, -0.25]], requires_grad=True)
    copy = x.clone()
    target = copy.view(4) if view else copy
    target.add_(target.exp())
    (copy * copy).sum().backward()
    expected = 2 * (x + x.exp()) * (1 + x.exp())
    assert_close(x.grad, expected.detach())


def test_a_view_marked_dirty_and_saved_by_a_custom_function_gives_torchs_gradient(lib):
    """A custom Function that changes a view in place, marks it dirty and saves it: the saved tensor is the output
    it became (torch's), whose version the write through to its base does not make stale; backward raised that the
    input was changed in place after the call used it."""
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    copy = x.clone()
    _dirty_saving_function(lib).apply(copy.view(2, 2))
    (copy * x).sum().backward()
    assert_close(x.grad, [4.0, 8.0, 12.0, 16.0])  # 2x through the copy, and the copy (2x)


@pytest.mark.parametrize("make_view", [lambda x: x[:], lambda x: x.view_as(x)], ids=["x[:]", "view_as"])
def test_a_view_returned_by_a_custom_function_under_no_grad_refuses_a_recorded_in_place_change(lib, make_view):
    """torch's test_custom_function_return_view_in_nograd: an output of a custom Function called under no_grad
    that is a view of an input requiring grad is a view made in no-grad mode: changing it in place once grad mode
    is back raises (it was changed without error, bypassing the graph); inside no_grad, or of an input that does
    not require grad, the change is allowed, as is that of an input returned as it is."""

    class Alias(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return make_view(x)

        @staticmethod
        def backward(ctx, grad):
            return grad

    class Identity(Alias):
        @staticmethod
        def forward(ctx, x):
            return x

    inp = lib.rand(3, requires_grad=True)
    with lib.no_grad():
        out = Alias.apply(inp)
    with pytest.raises(RuntimeError, match="no_grad mode and is being modified inplace"):
        out.zero_()
    with lib.no_grad():
        out.zero_()
        alias = Identity.apply(inp)
        plain = Alias.apply(lib.rand(3))
    alias.fill_(1.0)
    plain.fill_(2.0)
    assert inp.tolist() == [1.0, 1.0, 1.0]


def test_one_value_written_into_an_expanded_clone_fills_it_as_torch(lib):
    """torch's ``gI = g.clone().expand(n); gI[0] = 0`` (a custom backward's idiom): a single value written into an
    expanded tensor (setitem of a number, ``fill_``, ``zero_``) goes to the memory its entries share, as torch
    allows (it raised that the array was read-only); an elementwise change of it stays torch's RuntimeError."""
    base = lib.tensor([1.0, 2.0]).clone()
    expanded = base.expand(3, 2)
    expanded[0] = 0
    assert base.tolist() == [0.0, 0.0] and expanded.tolist() == [[0.0, 0.0]] * 3
    column = lib.zeros(2, 1).expand(2, 3)
    column[:, 1] = 5
    assert column.tolist() == [[5.0, 5.0, 5.0]] * 2
    with pytest.raises(RuntimeError):
        expanded[:, 1] = 5  # entries that share a memory location: torch's refusal
    expanded.fill_(2.0)
    assert base.tolist() == [2.0, 2.0]
    lib.tensor([3.0]).clone().expand(4).zero_()
    with pytest.raises(RuntimeError):
        expanded.add_(1)
    with pytest.raises(RuntimeError):
        expanded.copy_(lib.ones(3, 2))


def test_a_read_only_array_still_refuses_a_fill():
    array = np.ones(3)
    array.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tensor = autograd.from_numpy(array)
    with pytest.raises(RuntimeError, match="read-only"):
        tensor.fill_(2.0)
    with pytest.raises(RuntimeError, match="read-only"):
        tensor[0] = 2.0
    assert array.tolist() == [1.0, 1.0, 1.0]


def test_calling_a_grad_fn_gives_the_gradients_of_its_inputs_as_torch(lib):
    """torch's ``grad_fn(grad)``: the backward function alone applied to a gradient gives one gradient per input
    (a tensor when it has one), runs no hook, frees nothing and stops at its inputs (their history is not run);
    with grad mode on the results are functions of the saved values (``ExpBackward0`` reads its result)."""
    a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
    calls = []
    h = (a * 3.0).sin()
    h.register_hook(lambda g: calls.append("h"))
    y = h * b
    y.register_hook(lambda g: calls.append("y"))
    grad_h, grad_b = y.grad_fn(lib.tensor([1.0, -1.0], dtype=lib.float64))
    assert_close(grad_h, b.detach() * lib.tensor([1.0, -1.0], dtype=lib.float64))
    assert_close(grad_b, h.detach() * lib.tensor([1.0, -1.0], dtype=lib.float64))
    with lib.no_grad():
        (again, _) = y.grad_fn(lib.ones(2, dtype=lib.float64))
    assert not again.requires_grad
    z = a.exp()
    through = z.grad_fn(lib.ones(2, dtype=lib.float64))
    assert through.requires_grad
    assert_close(through, a.detach().exp())
    assert calls == []
    y.sum().backward()
    assert calls == ["y", "h"]
    assert_close(b.grad, h.detach())


@pytest.mark.parametrize("materialize", [True, False])
def test_materialize_non_diff_grads_decides_what_backward_gets_for_a_non_differentiable_output(lib, materialize):
    """torch's ``ctx._materialize_non_diff_grads`` (True by default): set False in forward, ``backward`` gets None,
    not zeros, for an output marked non-differentiable (the attribute did not exist)."""
    seen = []

    class Split(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            assert ctx._materialize_non_diff_grads is True
            ctx._materialize_non_diff_grads = materialize
            count = (x > 0).sum().to(x.dtype)
            ctx.mark_non_differentiable(count)
            return x * 2, count

        @staticmethod
        def backward(ctx, grad, grad_count):
            seen.append(None if grad_count is None else grad_count.tolist())
            return grad * 2

    x = lib.tensor([1.0, -2.0], requires_grad=True)
    doubled, _ = Split.apply(x)
    doubled.sum().backward()
    assert seen == ([0.0] if materialize else [None])
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("view", [False, True], ids=["tensor", "view"])
def test_a_dirty_saved_output_changed_again_after_the_call_refuses_backward(lib, view):
    """A custom Function's input marked dirty and saved (saved as the output it became) then changed in place
    again: backward reads a saved tensor that changed, torch's RuntimeError (backward read the new values and gave
    a wrong gradient)."""

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x

    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    copy = x.clone()
    changed = copy.view(2, 2) if view else copy
    Scale.apply(changed)
    copy.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [2.0, 4.0, 6.0, 8.0]
    changed.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        copy.sum().backward()


def test_a_backward_functions_metadata_is_a_dict_kept_with_it(lib):
    """torch's ``grad_fn.metadata``: a dict the user fills, the same each time the function is read (an
    AccumulateGrad's too), a new one once the tensor changed in place (the attribute did not exist)."""
    a = lib.ones(2, requires_grad=True)
    b = a * 2
    b.grad_fn.metadata["key"] = 1
    assert b.grad_fn.metadata == {"key": 1} and type(b.grad_fn.metadata) is dict
    b.grad_fn.next_functions[0][0].metadata["leaf"] = 2
    assert b.grad_fn.next_functions[0][0].metadata == {"leaf": 2}
    b.mul_(3)
    assert b.grad_fn.metadata == {}
