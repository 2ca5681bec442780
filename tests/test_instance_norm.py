"""Instance normalisation: nn.functional.instance_norm and nn.InstanceNorm1d/2d against finite differences,
direct formulas and torch (when installed)."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(8)


def test_each_sample_channel_is_normalised_over_its_positions():
    x = RNG.normal(2.0, 3.0, size=(2, 3, 4, 5))
    y = F.instance_norm(Tensor(x)).data
    mean = x.mean(axis=(2, 3), keepdims=True)
    var = x.var(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-12)


def test_instance_norm_gradients_match_finite_differences():
    x = RNG.normal(size=(2, 3, 4))
    weight, bias = RNG.normal(size=3), RNG.normal(size=3)
    assert gradcheck(
        lambda x, w, b: F.instance_norm(x, weight=w, bias=b) * Tensor(np.arange(24.0).reshape(2, 3, 4)),
        [x, weight, bias],
    )


def test_running_statistics_average_the_instances_unbiased_variances():
    x = RNG.normal(size=(4, 2, 6))
    running_mean, running_var = np.zeros(2), np.ones(2)
    F.instance_norm(Tensor(x), running_mean, running_var, momentum=0.5)
    np.testing.assert_allclose(running_mean, 0.5 * x.mean(axis=2).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(running_var, 0.5 + 0.5 * x.var(axis=2, ddof=1).mean(axis=0), rtol=1e-12)
    y = F.instance_norm(Tensor(x), running_mean, running_var, use_input_stats=False).data
    np.testing.assert_allclose(y, (x - running_mean[:, None]) / np.sqrt(running_var[:, None] + 1e-5), rtol=1e-12)


def test_the_layers_check_their_inputs_and_take_unbatched_ones():
    layer = nn.InstanceNorm2d(3, affine=True)
    assert layer(np.ones((3, 4, 4), dtype=np.float32)).shape == (3, 4, 4)  # unbatched
    with pytest.raises(ValueError, match=r"has 2 channels \(axis 1\), expected 3"):
        layer(np.ones((1, 2, 4, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="expected a 4-D batched or 3-D unbatched input"):
        layer(np.ones((4, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="use_input_stats=False needs running_mean and running_var"):
        F.instance_norm(Tensor(np.ones((1, 2, 3))), use_input_stats=False)
    tracked = nn.InstanceNorm1d(2, affine=True, track_running_stats=True)
    assert set(tracked.state_dict()) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
    assert set(nn.InstanceNorm1d(2).state_dict()) == set()
    assert nn.InstanceNorm1d(2, affine=True, bias=False).bias is None


@pytest.mark.parametrize("cls", ["InstanceNorm1d", "InstanceNorm2d"])
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("track", [False, True])
def test_instance_norm_layers_match_torch_over_two_steps_and_in_eval(cls, affine, track):
    torch = pytest.importorskip("torch")
    shape = (3, 4, 7) if cls == "InstanceNorm1d" else (3, 4, 5, 6)
    ours = getattr(nn, cls)(4, affine=affine, track_running_stats=track, momentum=0.3)
    theirs = getattr(torch.nn, cls)(4, affine=affine, track_running_stats=track, momentum=0.3)
    if affine:
        weight, bias = RNG.normal(size=4).astype(np.float32), RNG.normal(size=4).astype(np.float32)
        ours.weight.data[:], ours.bias.data[:] = weight, bias
        with torch.no_grad():
            theirs.weight[:], theirs.bias[:] = torch.tensor(weight), torch.tensor(bias)
    for mode in ("train", "train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        x = RNG.normal(1.0, 2.0, size=shape).astype(np.float32)
        seed = RNG.normal(size=shape).astype(np.float32)
        ours_x, theirs_x = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
        ours_out, theirs_out = ours(ours_x), theirs(theirs_x)
        (ours_out * Tensor(seed)).sum().backward()
        (theirs_out * torch.tensor(seed)).sum().backward()
        np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-4, atol=1e-5)
        if affine:
            np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
            ours.zero_grad()
            theirs.zero_grad()
        if track:
            np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(ours) == repr(theirs)


def test_instance_norm_layers_save_and_load_with_their_statistics(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.InstanceNorm2d(2, affine=True, track_running_stats=True))
    model(RNG.normal(size=(2, 1, 6, 6)).astype(np.float32))  # moves the running statistics
    nn.save(model, tmp_path / "model.npz")
    restored = nn.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(restored[1].running_var, model[1].running_var)
    x = RNG.normal(size=(2, 1, 6, 6)).astype(np.float32)
    np.testing.assert_array_equal(restored.eval()(x).data, model.eval()(x).data)


def test_instance_norm_without_per_channel_state_takes_any_channel_count_with_torchs_warning():
    x = np.random.default_rng(0).standard_normal((3, 5, 6)).astype(np.float32)
    with pytest.warns(UserWarning, match=r"size at dim=1 \(5\) does not match num_features \(4\)"):
        y = nn.InstanceNorm1d(4)(x).data
    expected = (x - x.mean(axis=2, keepdims=True)) / np.sqrt(x.var(axis=2, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    for layer in (nn.InstanceNorm1d(4, affine=True), nn.InstanceNorm1d(4, track_running_stats=True)):
        with pytest.raises(ValueError, match="has 5 channels"):
            layer(x)
