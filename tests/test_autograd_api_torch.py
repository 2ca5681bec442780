"""Torch oracle for the torch.autograd API surface (``.grad`` accumulation, ``autograd.grad``, hooks): each scenario
is written once against a library namespace (``autograd`` or ``torch``, spelled alike) and run in both; the values,
the objects kept and the errors raised must be the same."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

LIBS = pytest.mark.parametrize("lib", [autograd, torch], ids=["autograd", "torch"])


def _leaf(lib, values):
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


def _array(x):
    return np.array(x.detach().numpy() if hasattr(x, "detach") else x)


# -- .grad accumulation -------------------------------------------------------------------------------------------


@LIBS
def test_backward_adds_into_an_assigned_grad_tensor_in_place(lib):
    x = _leaf(lib, [1.0, 2.0])
    assigned = lib.tensor([5.0, 5.0], dtype=lib.float64)
    x.grad = assigned
    (x * 2).sum().backward()
    assert x.grad is assigned
    np.testing.assert_array_equal(_array(assigned), [7.0, 7.0])


@LIBS
def test_backward_adds_into_a_grad_that_views_a_flat_buffer(lib):
    buffer = lib.zeros(4, dtype=lib.float64)
    x = _leaf(lib, [1.0, 2.0])
    x.grad = buffer[:2]
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(_array(buffer), [6.0, 6.0, 0.0, 0.0])
    np.testing.assert_array_equal(_array(x.grad), [6.0, 6.0])


@LIBS
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_assigning_an_integer_grad_to_a_float_tensor_raises_runtime_error(lib, dtype):
    x = _leaf(lib, [1.0, 2.0])
    with pytest.raises(RuntimeError):
        x.grad = lib.zeros(2, dtype=getattr(lib, dtype))
    assert x.grad is None


@LIBS
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_create_graph_backward_leaves_an_assigned_grad_tensor_unchanged(lib):
    x = _leaf(lib, [1.0, 2.0])
    assigned = lib.tensor([1.0, 1.0], dtype=lib.float64)
    x.grad = assigned
    (x**2).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    np.testing.assert_array_equal(_array(x.grad), [3.0, 5.0])
    np.testing.assert_array_equal(_array(assigned), [1.0, 1.0])


# -- autograd.grad and the hooks of a grad_fn ------------------------------------------------------------------------


def _hooked_product(lib):
    """x, y = 2x with pre- and post-hooks on y's grad_fn logging their calls, and the log."""
    x = _leaf(lib, [1.0, 2.0])
    y = x * 2
    fired = []
    y.grad_fn.register_prehook(lambda grad_outputs: fired.append("pre"))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: fired.append("post"))
    return x, y, fired


@LIBS
def test_grad_runs_no_hook_of_the_grad_fn_of_an_input_that_leads_to_no_other_input(lib):
    x, y, fired = _hooked_product(lib)
    (gradient,) = lib.autograd.grad((y * 3).sum(), y)
    np.testing.assert_array_equal(_array(gradient), [3.0, 3.0])
    assert fired == []


@LIBS
def test_grad_runs_the_hooks_of_an_input_grad_fn_that_leads_to_another_input(lib):
    x, y, fired = _hooked_product(lib)
    gradients = lib.autograd.grad((y * 3).sum(), [y, x])
    np.testing.assert_array_equal(_array(gradients[1]), [6.0, 6.0])
    assert fired == ["pre", "post"]


@LIBS
def test_backward_with_inputs_runs_the_hooks_of_an_input_grad_fn(lib):
    x, y, fired = _hooked_product(lib)
    (y * 3).sum().backward(inputs=[y])
    assert fired == ["pre", "post"]
    assert x.grad is None


# -- autograd.grad(is_grads_batched=True) ----------------------------------------------------------------------------


def _batched_gradients(lib, batch):
    """The batched gradients of y = x^3 (x of shape (2, 3)) with respect to x and an unused w, ``batch`` seeds."""
    x = lib.ones((2, 3), dtype=lib.float64, requires_grad=True)
    w = lib.ones(4, dtype=lib.float64, requires_grad=True)
    seeds = lib.ones((batch, 2, 3), dtype=lib.float64)
    return lib.autograd.grad(x**3, [x, w], grad_outputs=seeds, is_grads_batched=True, allow_unused=True)


def test_grad_with_an_empty_batch_of_seeds_gives_an_empty_batch_for_each_input():
    """torch's vmap fails on an empty batch (an IndexError); a batch of one shows the shapes it gives."""
    one_x, one_w = _batched_gradients(torch, 1)
    gradient_x, gradient_w = _batched_gradients(autograd, 0)
    assert np.shape(gradient_x) == (0, *tuple(one_x.shape)[1:])
    assert gradient_w is None and one_w is None


# -- gradcheck(check_undefined_grad=True) ----------------------------------------------------------------------------


def _tripling(lib, undefined="none"):
    """A Function 3x that gets None for an undefined output gradient (materialize_grads off); given None its backward
    returns None ("none"), raises a RuntimeError ("raise"), returns ones ("ones") or computes None * 3 ("compute")."""

    class Triple(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 3

        @staticmethod
        def backward(ctx, grad):
            if grad is not None or undefined == "compute":
                return grad * 3
            if undefined == "raise":
                raise RuntimeError("no gradient")
            return lib.ones(2, dtype=lib.float64) if undefined == "ones" else None

    return Triple


def _pair(lib):
    """A Function of two outputs (2x, x^2) whose backward adds the gradients that are defined."""

    class Pair(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(x)
            return x * 2, x * x

        @staticmethod
        def backward(ctx, doubled, squared):
            (x,) = ctx.saved_tensors
            total = None if doubled is None else doubled * 2
            if squared is not None:
                total = squared * 2 * x if total is None else total + squared * 2 * x
            return total

    return Pair


@LIBS
@pytest.mark.parametrize("undefined", ["raise", "ones"])
@pytest.mark.filterwarnings("ignore:Backwards compatibility. New undefined gradient")
def test_gradcheck_fails_a_backward_that_cannot_take_an_undefined_output_gradient(lib, undefined):
    def f(x):
        return _tripling(lib).apply(_tripling(lib, undefined).apply(x).sin())

    x = _leaf(lib, [1.0, 2.0])
    assert lib.autograd.gradcheck(f, (x,), raise_exception=False) is False
    assert lib.autograd.gradcheck(f, (x,), check_undefined_grad=False) is True
    with pytest.raises(RuntimeError, match="undefined"):
        lib.autograd.gradcheck(f, (x,))


@LIBS
def test_gradcheck_lets_the_type_error_of_a_backward_given_none_through(lib):
    with pytest.raises(TypeError):
        lib.autograd.gradcheck(_tripling(lib, "compute").apply, (_leaf(lib, [1.0, 2.0]),), raise_exception=False)


@LIBS
def test_gradcheck_passes_backwards_that_handle_undefined_output_gradients(lib):
    x = _leaf(lib, [1.0, 2.0])
    assert lib.autograd.gradcheck(_pair(lib).apply, (x,)) is True
    assert lib.autograd.gradcheck(lambda x: _tripling(lib).apply(x.exp()), (x,)) is True


@LIBS
def test_grad_with_only_inputs_false_warns_that_it_is_ignored(lib):
    x = _leaf(lib, [1.0, 2.0])
    with pytest.warns(FutureWarning, match="only_inputs"):
        (gradient,) = lib.autograd.grad((x * x).sum(), x, only_inputs=False)
    np.testing.assert_array_equal(_array(gradient), [2.0, 4.0])


# -- iterables of nodes -------------------------------------------------------------------------------------------


@LIBS
@pytest.mark.parametrize("batched", [False, True], ids=["one-seed", "batched"])
def test_grad_takes_generators_of_outputs_inputs_and_seeds(lib, batched):
    # torch reads outputs, inputs and grad_outputs as tuple(...): a generator of parameters (filter(...),
    # itertools.chain(a.parameters(), b.parameters())) is its items, not one argument
    x, y = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, -1.0])
    seed = lib.eye(2, dtype=lib.float64) if batched else lib.ones(2, dtype=lib.float64)
    found = lib.autograd.grad(
        (out for out in [x * y]), (node for node in [x, y]), (s for s in [seed]), is_grads_batched=batched
    )
    expected = ([np.diag([3.0, -1.0]), np.diag([1.0, 2.0])]) if batched else ([3.0, -1.0], [1.0, 2.0])
    assert len(found) == 2
    for got, want in zip(found, expected):
        np.testing.assert_array_equal(_array(got), want)


@LIBS
def test_autograd_backward_takes_generators_of_tensors_seeds_and_inputs(lib):
    x, y = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, -1.0])
    lib.autograd.backward(
        (out for out in [x * y]), (s for s in [lib.ones(2, dtype=lib.float64)]), inputs=(n for n in [x])
    )
    np.testing.assert_array_equal(_array(x.grad), [3.0, -1.0])
    assert y.grad is None


# -- grad-mode objects --------------------------------------------------------------------------------------------


def _grad_modes(lib):
    return [
        lib.no_grad(),
        lib.enable_grad(),
        lib.set_grad_enabled(False),
        lib.inference_mode(),
        lib.inference_mode(False),
    ]


@LIBS
@pytest.mark.parametrize("which", range(5), ids=["no_grad", "enable_grad", "set_false", "inference", "inference_off"])
def test_grad_mode_clone_is_a_new_context_manager_of_the_same_mode(lib, which):
    # (set_grad_enabled(False) switches the mode as it is made, as its clone does: the block restores it)
    with lib.no_grad():
        mode = _grad_modes(lib)[which]
        clone = mode.clone()
    assert type(clone) is type(mode) and clone is not mode
    with lib.no_grad():
        with mode:
            expected = lib.is_grad_enabled()
        with clone:
            assert lib.is_grad_enabled() is expected
    assert lib.is_grad_enabled()


@LIBS
def test_set_grad_enabled_and_inference_mode_tell_their_mode(lib):
    with lib.set_grad_enabled(False) as _:
        pass
    assert lib.set_grad_enabled(True).mode is True
    assert lib.inference_mode().mode is True and lib.inference_mode(False).mode is False


@LIBS
@pytest.mark.parametrize("mode", ["no_grad", "enable_grad"])
def test_decorating_a_class_with_a_grad_mode_warns_that_it_is_deprecated(lib, mode):
    with pytest.warns(FutureWarning, match="Decorating classes is deprecated"):

        @getattr(lib, mode)()
        class Made:
            def __init__(self) -> None:
                self.enabled = lib.is_grad_enabled()

    with lib.no_grad() if mode == "enable_grad" else lib.enable_grad():
        assert Made().enabled is (mode == "enable_grad")


# -- backward(create_graph=True)'s warning (torch warns once per process: checked on the library's side) ----------


@pytest.mark.parametrize(
    "call",
    [
        lambda x: (x * x).sum().backward(create_graph=True),
        lambda x: (x * x).sum().backward(create_graph=True, inputs=[x]),
        lambda x: autograd.autograd.backward([(x * x).sum()], create_graph=True),
    ],
    ids=["method", "inputs", "autograd.backward"],
)
def test_backward_with_create_graph_warns_of_the_reference_cycle_as_torch(call):
    x = _leaf(autograd, [1.0, 2.0])
    with pytest.warns(
        UserWarning, match="Using backward\\(\\) with create_graph=True will create a reference cycle"
    ) as seen:
        call(x)
    assert seen[0].filename == __file__  # pointed at the caller's line
    assert x.grad is not None and x.grad.requires_grad  # (the pass runs as before)


def test_grad_and_plain_backward_do_not_warn_of_a_reference_cycle():
    x = _leaf(autograd, [1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        autograd.autograd.grad((x * x).sum(), x, create_graph=True)
        (x * x).sum().backward(retain_graph=True)
