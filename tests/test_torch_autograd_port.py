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
import warnings
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
