"""nn.utils: torch's clip_grad_norm_/clip_grad_value_ where ported loops call them (the total norm answers
.item()), parameters_to_vector and vector_to_parameters, against torch."""

from __future__ import annotations

import numpy as np
import pytest

import nn


def _pair(torch):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = [rng.normal(size=(3, 2)) * 3, rng.normal(size=4) * 3]
    ours = [nn.Parameter(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for mine, reference, grad in zip(ours, theirs, grads):
        mine.grad = grad.copy()
        reference.grad = torch.tensor(grad)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_is_reached_from_nn_utils_and_returns_torchs_total_norm(norm_type):
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    total = nn.utils.clip_grad_norm_(ours, 1.5, norm_type=norm_type, foreach=True)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type=norm_type, foreach=False)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12) and isinstance(total, float)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)


def test_deprecated_clip_grad_norm_clips_as_clip_grad_norm_with_torchs_future_warning():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    message = r"`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`"
    with pytest.warns(FutureWarning, match=message):
        expected = torch.nn.utils.clip_grad_norm(theirs, 1.5, 1.0)  # the old word-language-model example's call
    with pytest.warns(FutureWarning, match=message) as seen:
        total = nn.utils.clip_grad_norm(ours, 1.5, 1.0)
    assert seen[0].filename == __file__
    assert total.item() == pytest.approx(expected.item(), rel=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_is_reached_from_nn_utils():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    nn.utils.clip_grad_value_(ours, 0.5, foreach=None)
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.grad, reference.grad.numpy())
    with pytest.raises(TypeError, match="clip_grad_value_: foreach must be None, True or False"):
        nn.utils.clip_grad_value_(ours, 0.5, foreach="no")


def test_parameters_to_vector_and_back_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    vector = nn.utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(vector.data, torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    for parameter in ours:
        parameter.grad = None
    (vector * np.arange(10.0)).sum().backward()
    np.testing.assert_array_equal(ours[1].grad, np.arange(6.0, 10.0))
    new = np.linspace(-1, 1, 10)
    nn.utils.vector_to_parameters(nn.Parameter(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, reference.detach().numpy())
    with pytest.raises(ValueError, match=r"vector_to_parameters: parameter 0 of shape \(3, 2\) needs 6 entries"):
        nn.utils.vector_to_parameters(nn.Parameter(np.zeros(3)), ours)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, float("inf")])
def test_get_total_norm_then_clip_grads_with_norm_match_torch(norm_type):
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    total = nn.utils.get_total_norm([p.grad for p in ours], norm_type=norm_type, foreach=True)
    expected = torch.nn.utils.get_total_norm([p.grad for p in theirs], norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12)
    nn.utils.clip_grads_with_norm_(ours, 1.5, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 1.5, expected)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)


def test_get_total_norm_takes_one_tensor_or_none_and_clip_grads_with_norm_takes_a_tensor_norm():
    torch = pytest.importorskip("torch")
    values = np.array([3.0, -4.0])
    assert nn.utils.get_total_norm(nn.Parameter(values)) == 5.0 == torch.nn.utils.get_total_norm(torch.tensor(values))
    assert nn.utils.get_total_norm([]) == 0.0
    parameter = nn.Parameter(np.zeros(2))
    parameter.grad = values.copy()
    nn.utils.clip_grads_with_norm_([parameter], 1.0, nn.Parameter(np.array(10.0)))  # a 0-d Tensor norm
    np.testing.assert_allclose(parameter.grad, values * (1.0 / (10.0 + 1e-6)))
    nn.utils.clip_grads_with_norm_([parameter], 1.0, 0.5)  # the factor is capped at 1: no growth
    np.testing.assert_allclose(parameter.grad, values * (1.0 / (10.0 + 1e-6)))


def test_get_total_norm_refuses_nonfinite_when_asked_and_bad_items():
    grads = [np.array([1.0, np.inf])]
    assert nn.utils.get_total_norm(grads) == np.inf
    with pytest.raises(RuntimeError, match="get_total_norm: the total norm of order 2.0 of the gradients is inf"):
        nn.utils.get_total_norm(grads, error_if_nonfinite=True)
    with pytest.raises(TypeError, match="get_total_norm: item 1 is a str"):
        nn.utils.get_total_norm([np.zeros(2), "grad"])
    with pytest.raises(TypeError, match="clip_grads_with_norm_: total_norm must be a number"):
        nn.utils.clip_grads_with_norm_([nn.Parameter(np.zeros(2))], 1.0, np.zeros(3))


def _with_grads(torch, *grads):
    """Ours and torch's parameters holding ``grads`` (arrays, their dtypes kept)."""
    ours, theirs = [], []
    for grad in grads:
        mine, reference = nn.Parameter(np.zeros_like(grad)), torch.zeros(grad.shape, dtype=torch.from_numpy(grad).dtype)
        mine.grad, reference.grad = grad.copy(), torch.tensor(grad)
        ours.append(mine)
        theirs.append(reference.requires_grad_())
    return ours, theirs


@pytest.mark.parametrize("norm_type", [-np.inf, "-inf", -1.0, -2.5, -0.5])
@pytest.mark.parametrize("with_a_zero", [False, True], ids=["no zero", "a zero entry"])
def test_clip_grad_norm_of_a_negative_order_is_torchs_minimum_like_norm(norm_type, with_a_zero):
    torch = pytest.importorskip("torch")
    grads = [np.array([3.0, -4.0, 0.5]), np.array([[1.5, -2.0], [0.0 if with_a_zero else 1.0, 0.25]])]
    ours, theirs = _with_grads(torch, *grads)
    total = nn.utils.clip_grad_norm_(ours, 0.1, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.1, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12, abs=0)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)
    assert nn.utils.get_total_norm(grads, norm_type) == pytest.approx(expected.item(), rel=1e-12)


@pytest.mark.parametrize("norm_type", [-np.inf, -1.0, np.inf, "inf"])
def test_clip_grad_norm_of_a_negative_or_inf_order_refuses_an_empty_gradient_as_torch(norm_type):
    torch = pytest.importorskip("torch")
    ours, theirs = _with_grads(torch, np.array([1.0, 2.0]), np.zeros(0))
    with pytest.raises(RuntimeError, match="empty"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type=norm_type)
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: cannot compute the norm of order .* empty gradient"):
        nn.utils.clip_grad_norm_(ours, 1.0, norm_type=norm_type)
    np.testing.assert_array_equal(ours[0].grad, [1.0, 2.0])


@pytest.mark.parametrize(
    "dtypes", [("float32", "float32"), ("float32", "float64"), ("float16", "float16")], ids=["f32", "mixed", "f16"]
)
def test_the_total_norm_has_the_gradients_promoted_dtype_as_torchs(dtypes):
    torch = pytest.importorskip("torch")
    grads = [np.array([3.0, -4.0, 0.5], dtypes[0]), np.array([[1.5, -2.0], [1.0, 0.25]], dtypes[1])]
    ours, theirs = _with_grads(torch, *grads)
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert str(total.dtype) == str(expected.dtype).removeprefix("torch.")
    assert total.item() == pytest.approx(expected.item(), rel=1e-3 if "float16" in dtypes else 1e-6)
    tensor_norm = torch.nn.utils.get_total_norm([torch.tensor(grad) for grad in grads])
    assert str(nn.utils.get_total_norm(grads).dtype) == str(tensor_norm.dtype).removeprefix("torch.")
    assert nn.utils.clip_grad_norm_([], 1.0).dtype == np.float64  # none: the library's default dtype


def test_parameters_to_vector_reads_a_modules_buffers_as_torch_does():
    # torch's prune.global_unstructured example counts the zeros of the pruning masks with
    # parameters_to_vector(net.buffers()); the buffers here are DataArray views, which it refused
    torch = pytest.importorskip("torch")
    theirs = torch.nn.BatchNorm1d(3)
    theirs.running_mean.copy_(torch.tensor([0.5, -1.0, 2.0]))
    ours = nn.BatchNorm1d(3)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    vector = nn.utils.parameters_to_vector(ours.buffers())
    expected = torch.nn.utils.parameters_to_vector(theirs.buffers())
    np.testing.assert_array_equal(vector.numpy(), expected.numpy())
    assert vector.dtype == np.float32 and vector.shape == (7,)
