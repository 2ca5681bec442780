"""Deep Learning with PyTorch (Stevens, Antiga, Viehmann; dlwpt-code, part 1, chapters 3-8) ported: each
notebook's code written once, as the book spells it, and run with torch and with this library (``autograd`` for
``torch``, ``nn`` for ``torch.nn``), the two compared with the same weights and data: outputs, losses, gradients
and a few optimizer steps. The thermometer's hand-written gradients (p1ch5) are checked against the book's
closed forms.

The book's data are replaced by small random stand-ins (CIFAR-10 images by 32x32 random images, the wine and
bike-sharing CSVs by random tables of their shapes). The port's documented spellings: ``torch.utils.data`` is
``nn.data``, ``torch.save``/``torch.load`` are ``nn.save``/``nn.load`` (the engine does not import ``nn``), and
``torch.nn.init`` is ``nn.init``. The book works in float32, torch's default; this library's factories make float64
unless ``set_default_dtype(float32)``, which every test here sets (and restores) for both libraries.
"""

from __future__ import annotations

import io
import warnings
from collections import OrderedDict
from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import as_array as _array
from book_ports import assert_close as _close
from book_ports import assert_results_match as _results_match
from book_ports import copy_weights as _copy_weights
from book_ports import libraries as _libs

import autograd
import nn
import nn.functional as F

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

# p1ch5's thermometer readings: Celsius and unknown units
T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]


# ---- p1ch3: tensors ---------------------------------------------------------------------------------------


def test_p1ch3_indexing_strides_transpose_and_contiguous(torch):
    def run(torch: Any) -> dict[str, Any]:
        a = torch.ones(3)
        a[2] = 2.0
        points = torch.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
        second_point = points[1]
        out = {"a": a, "a1": float(a[1]), "shape": tuple(points.shape), "size": tuple(second_point.size())}
        out.update(offset=second_point.storage_offset(), stride=points.stride(), row_stride=second_point.stride())
        second_point[0] = 10.0  # a view: points changes
        out["points_after_view_write"] = points.clone()
        copy = points[1].clone()
        copy[0] = -1.0  # a copy: points does not change
        out["points_after_clone_write"] = points.clone()
        points_t = points.t()
        out.update(points_t=points_t, t_stride=points_t.stride(), contiguous=points.is_contiguous())
        out.update(t_contiguous=points_t.is_contiguous(), t_cont_stride=points_t.contiguous().stride())
        some_t = torch.ones(3, 4, 5).transpose(0, 2)
        out.update(transposed_shape=tuple(some_t.shape), transposed_stride=some_t.stride())
        out.update(
            sliced=points[1:, 0], newaxis=tuple(points[None].shape), column_offset=points[1:, 1].storage_offset()
        )
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    _results_match(ours, theirs)


def test_p1ch3_storage_is_shared_indexed_and_written(torch):
    def run(torch: Any) -> list[Any]:
        points = torch.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
        points_storage = points.storage()
        out = [points_storage[0], points.storage()[1], len(points_storage)]
        points_storage[0] = 2.0
        out.append(points.tolist())
        points_t = points.t()
        out += [points_t.storage().tolist(), points_t.storage().data_ptr() == points.storage().data_ptr()]
        out += [points_t.contiguous().storage().tolist(), points_t.contiguous().stride()]
        a = torch.tensor(list(range(9)))
        b = a.view(3, 3)
        c = b[1:, 1:]
        out += [b.storage().data_ptr() == a.storage().data_ptr(), tuple(c.size()), c.storage_offset(), c.stride()]
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's "TypedStorage is deprecated", warned once a process
        theirs = run(torch)
    assert run(autograd) == theirs


def test_p1ch3_dtypes_and_conversions(torch):
    def run(torch: Any) -> list[Any]:
        double_points = torch.ones(10, 2, dtype=torch.double)
        short_points = torch.tensor([[1, 2], [3, 4]], dtype=torch.short)
        conversions = [torch.zeros(10, 2).double(), torch.zeros(10, 2).short()]
        conversions += [torch.zeros(10, 2).to(torch.double), torch.zeros(10, 2).to(dtype=torch.short)]
        mixed = torch.rand(5, dtype=torch.double) * torch.rand(5).to(torch.short)
        floats = torch.FloatTensor([[1.0, 4.0], [2.0, 1.0]])
        return [double_points, short_points, *conversions, mixed, floats, torch.tensor([1.0, 2.0])]

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    for mine, reference in zip(ours, theirs):
        assert np.dtype(mine.dtype) == np.dtype(str(reference.dtype).removeprefix("torch.")), reference.dtype


def test_p1ch3_named_ish_weighted_grayscale(torch):
    """The book's channel weighting before named tensors: unsqueeze to broadcast, sum over dim -3, einsum."""
    rng = np.random.default_rng(0)
    img, batch = rng.standard_normal((3, 5, 5)), rng.standard_normal((2, 3, 5, 5))
    weights = [0.2126, 0.7152, 0.0722]

    def run(torch: Any) -> list[Any]:
        img_t, batch_t = torch.tensor(img, dtype=torch.float32), torch.tensor(batch, dtype=torch.float32)
        weights_t = torch.tensor(weights)
        unsqueezed = weights_t.unsqueeze(-1).unsqueeze_(-1)
        out = [img_t.mean(-3), batch_t.mean(-3), (img_t * unsqueezed).sum(-3), (batch_t * unsqueezed).sum(-3)]
        return out + [
            torch.einsum("...chw,c->...hw", img_t, weights_t),
            torch.einsum("...chw,c->...hw", batch_t, weights_t),
        ]

    for mine, reference in zip(*(run(lib["torch"]) for lib in reversed(_libs(torch)))):
        assert tuple(mine.shape) == tuple(reference.shape)
        _close(mine, reference)


def test_p1ch3_numpy_interop_and_serialization(torch, tmp_path):
    points = autograd.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
    points_np = points.numpy()
    points_np[0, 0] = 7.0  # .numpy() shares the tensor's memory, as torch's
    assert float(points[0, 0]) == 7.0
    back = autograd.from_numpy(points_np)
    back[0, 1] = 9.0  # and from_numpy shares the array's
    assert points_np[0, 1] == 9.0 and back.dtype == autograd.float32
    nn.save(points, tmp_path / "ourpoints.t")
    np.testing.assert_array_equal(nn.load(tmp_path / "ourpoints.t").numpy(), points.numpy())
    with open(tmp_path / "ourpoints.t", "wb") as f:
        nn.save(points, f)
    with open(tmp_path / "ourpoints.t", "rb") as f:
        loaded = nn.load(f)
    np.testing.assert_array_equal(loaded.numpy(), points.numpy())
    assert loaded.dtype == points.dtype


# ---- p1ch4: tabular data and time series ------------------------------------------------------------------


def test_p1ch4_wine_one_hot_masks_and_normalization(torch):
    rng = np.random.default_rng(1)
    wine_numpy = rng.uniform(0, 200, (40, 12)).astype(np.float32)
    wine_numpy[:, -1] = rng.integers(3, 9, 40)

    def run(torch: Any) -> dict[str, Any]:
        wineq = torch.from_numpy(wine_numpy.copy())
        data, target = wineq[:, :-1], wineq[:, -1].long()
        target_onehot = torch.zeros(target.shape[0], 10)
        target_onehot.scatter_(1, target.unsqueeze(1), 1.0)
        data_mean, data_var = torch.mean(data, dim=0), torch.var(data, dim=0)
        data_normalized = (data - data_mean) / torch.sqrt(data_var)
        bad_indexes = target <= 3
        bad_data, mid_data = data[bad_indexes], data[(target > 3) & (target < 7)]
        good_data = data[target >= 7]
        means = [torch.mean(d, dim=0) for d in (bad_data, mid_data, good_data)]
        predicted_indexes = torch.lt(data[:, 6], 141.83)
        actual_indexes = target > 5
        n_matches = torch.sum(actual_indexes & predicted_indexes).item()
        counts = [int(torch.le(target, 3).sum()), int(torch.ge(target, 7).sum()), int(bad_indexes.sum())]
        out = {"onehot": target_onehot, "mean": data_mean, "var": data_var, "normalized": data_normalized}
        out.update(bad=means[0], mid=means[1], good=means[2], matches=n_matches, counts=counts)
        out.update(predicted=torch.sum(predicted_indexes).item(), mask_dtype=str(bad_indexes.dtype).split(".")[-1])
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    _results_match(ours, theirs)
    assert type(ours["matches"]) is int


def test_p1ch4_bikes_view_transpose_one_hot_and_cat(torch):
    rng = np.random.default_rng(2)
    bikes_numpy = rng.uniform(0, 1, (24 * 5, 17)).astype(np.float32)
    bikes_numpy[:, 9] = rng.integers(1, 5, 24 * 5)

    def run(torch: Any) -> dict[str, Any]:
        bikes = torch.from_numpy(bikes_numpy.copy())
        daily_bikes = bikes.view(-1, 24, bikes.shape[1])
        out = {"stride": bikes.stride(), "daily_stride": daily_bikes.stride()}
        daily_bikes = daily_bikes.transpose(1, 2)
        out["transposed_stride"] = daily_bikes.stride()
        first_day = bikes[:24].long()
        weather_onehot = torch.zeros(first_day.shape[0], 4)
        weather_onehot.scatter_(dim=1, index=first_day[:, 9].unsqueeze(1).long() - 1, value=1.0)
        out["first_day"] = torch.cat((bikes[:24], weather_onehot), 1)
        daily_weather_onehot = torch.zeros(daily_bikes.shape[0], 4, daily_bikes.shape[2])
        daily_weather_onehot.scatter_(1, daily_bikes[:, 9, :].long().unsqueeze(1) - 1, 1.0)
        daily_bikes = torch.cat((daily_bikes, daily_weather_onehot), dim=1)
        daily_bikes[:, 9, :] = (daily_bikes[:, 9, :] - 1.0) / 3.0
        temp = daily_bikes[:, 10, :].clone()
        temp_min, temp_max = torch.min(temp), torch.max(temp)
        daily_bikes[:, 10, :] = (daily_bikes[:, 10, :] - temp_min) / (temp_max - temp_min)
        daily_bikes[:, 11, :] = (daily_bikes[:, 11, :] - torch.mean(temp)) / torch.std(temp)
        out["daily"] = daily_bikes
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    _results_match(ours, theirs)


def test_p1ch4_image_batch_normalization_per_channel(torch):
    rng = np.random.default_rng(3)
    images = rng.integers(0, 255, (3, 32, 32, 3)).astype(np.uint8)

    def run(torch: Any) -> Any:
        batch = torch.zeros(3, 3, 32, 32, dtype=torch.uint8)
        for i in range(3):
            batch[i] = torch.from_numpy(images[i]).permute(2, 0, 1)
        batch = batch.float()
        batch /= 255.0
        for c in range(batch.shape[1]):
            mean, std = torch.mean(batch[:, c]), torch.std(batch[:, c])
            batch[:, c] = (batch[:, c] - mean) / std
        return batch

    ours, theirs = (run(lib["torch"]) for lib in reversed(_libs(torch)))
    _close(ours, theirs, rtol=1e-4, atol=1e-5)


# ---- p1ch5: the thermometer ------------------------------------------------------------------------------


def _model(t_u: Any, w: Any, b: Any) -> Any:
    return w * t_u + b


def _loss_fn(t_p: Any, t_c: Any) -> Any:
    squared_diffs = (t_p - t_c) ** 2
    return squared_diffs.mean()


def test_p1ch5_manual_gradients_match_the_closed_form(float32):
    """dloss_fn/dmodel_dw/dmodel_db as the book writes them, against d/dw mean((w u + b - c)^2) by hand."""
    t_c, t_u = autograd.tensor(T_C), autograd.tensor(T_U)

    def dloss_fn(t_p: Any, t_c: Any) -> Any:
        return 2 * (t_p - t_c) / t_p.size(0)

    def grad_fn(t_u: Any, t_c: Any, t_p: Any, w: Any, b: Any) -> Any:
        dloss_dtp = dloss_fn(t_p, t_c)
        dloss_dw = dloss_dtp * t_u  # dmodel_dw
        dloss_db = dloss_dtp * 1.0  # dmodel_db
        return autograd.stack([dloss_dw.sum(), dloss_db.sum()])

    def training_loop(n_epochs: int, learning_rate: float, params: Any, t_u: Any, t_c: Any) -> Any:
        for _ in range(n_epochs):
            w, b = params
            t_p = _model(t_u, w, b)
            grad = grad_fn(t_u, t_c, t_p, w, b)
            params = params - learning_rate * grad
        return params

    u, c = np.array(T_U), np.array(T_C)
    w, b = 1.0, 0.0
    residual = w * u + b - c
    expected = [2 * np.mean(residual * u), 2 * np.mean(residual)]
    got = grad_fn(t_u, t_c, _model(t_u, autograd.ones(()), autograd.zeros(())), None, None)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)
    assert float(_loss_fn(_model(t_u, autograd.ones(()), autograd.zeros(())), t_c)) == pytest.approx(
        np.mean(residual**2), rel=1e-6
    )
    # the loop on the rescaled input t_un = 0.1 t_u, in float64 by hand
    params = np.array([1.0, 0.0])
    for _ in range(500):
        r = params[0] * 0.1 * u + params[1] - c
        params = params - 1e-2 * np.array([2 * np.mean(r * 0.1 * u), 2 * np.mean(r)])
    got = training_loop(500, 1e-2, autograd.tensor([1.0, 0.0]), 0.1 * t_u, t_c)
    assert got.dtype == autograd.float32
    np.testing.assert_allclose(got.numpy(), params, rtol=1e-4)


def test_p1ch5_autograd_loop_grad_none_accumulation_and_no_grad_update(torch):
    def run(torch: Any) -> dict[str, Any]:
        t_c, t_u = torch.tensor(T_C), torch.tensor(T_U)
        params = torch.tensor([1.0, 0.0], requires_grad=True)
        out = {"none_before": params.grad is None}
        _loss_fn(_model(t_u, *params), t_c).backward()
        out["first"] = params.grad.clone()
        _loss_fn(_model(t_u, *params), t_c).backward()  # not zeroed: accumulates
        out["accumulated"] = params.grad.clone()
        params = torch.tensor([1.0, 0.0], requires_grad=True)
        for _ in range(200):
            if params.grad is not None:
                params.grad.zero_()
            loss = _loss_fn(_model(0.1 * t_u, *params), t_c)
            loss.backward()
            with torch.no_grad():
                params -= 1e-2 * params.grad
        out.update(params=params.detach().clone(), loss=loss.item(), leaf=params.is_leaf, requires=params.requires_grad)
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    assert ours["none_before"] and theirs["none_before"]
    _close(ours["first"], theirs["first"])
    _close(ours["accumulated"], 2 * _array(theirs["first"]))
    _close(ours["params"], theirs["params"], rtol=1e-4)
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-4)
    assert ours["leaf"] and ours["requires"]


@pytest.mark.parametrize("name, lr", [("SGD", 1e-2), ("Adam", 1e-1)])
def test_p1ch5_optimizers_on_the_rescaled_input(torch, name, lr):
    def run(lib: dict[str, Any]) -> list[Any]:
        torch = lib["torch"]
        t_c, t_un = torch.tensor(T_C), 0.1 * torch.tensor(T_U)
        params = torch.tensor([1.0, 0.0], requires_grad=True)
        optimizer = getattr(lib["optim"], name)([params], lr=lr)
        trace = []
        for _ in range(50):
            loss = _loss_fn(_model(t_un, *params), t_c)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            trace.append(params.detach().clone())
        return trace

    theirs, ours = (run(lib) for lib in _libs(torch))
    for mine, reference in zip(ours, theirs):
        _close(mine, reference, rtol=1e-4, atol=1e-5)


def test_p1ch5_train_validation_split_and_set_grad_enabled(torch):
    perm = np.random.default_rng(4).permutation(len(T_U))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        t_c, t_u = torch.tensor(T_C), torch.tensor(T_U)
        n_val = int(0.2 * t_u.shape[0])
        shuffled = torch.from_numpy(perm.copy())
        train_indices, val_indices = shuffled[:-n_val], shuffled[-n_val:]
        train_t_un, val_t_un = 0.1 * t_u[train_indices], 0.1 * t_u[val_indices]
        train_t_c, val_t_c = t_c[train_indices], t_c[val_indices]
        params = torch.tensor([1.0, 0.0], requires_grad=True)
        optimizer = lib["optim"].SGD([params], lr=1e-2)

        def calc_forward(t_u: Any, t_c: Any, is_train: bool) -> Any:
            with torch.set_grad_enabled(is_train):
                return _loss_fn(_model(t_u, *params), t_c)

        losses = []
        for _ in range(100):
            train_loss = calc_forward(train_t_un, train_t_c, True)
            val_loss = calc_forward(val_t_un, val_t_c, False)
            assert train_loss.requires_grad and not val_loss.requires_grad
            optimizer.zero_grad()
            train_loss.backward()
            optimizer.step()
            losses.append((train_loss.item(), val_loss.item()))
        return {"losses": losses, "params": params.detach(), "n_train": train_indices.shape[0]}

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert ours["n_train"] == theirs["n_train"] == 9
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-4)
    _close(ours["params"], theirs["params"], rtol=1e-4)
    perm = autograd.randperm(11)
    assert perm.dtype == autograd.int64 and sorted(perm.tolist()) == list(range(11))


# ---- p1ch6: nn.Linear, nn.Sequential ----------------------------------------------------------------------


def _thermometer_loop(lib: dict[str, Any], model: Any, loss_fn: Any, lr: float, n_epochs: int) -> list[float]:
    torch = lib["torch"]
    t_c, t_u = torch.tensor(T_C).unsqueeze(1), torch.tensor(T_U).unsqueeze(1)
    t_un_train, t_un_val, t_c_train, t_c_val = 0.1 * t_u[:-2], 0.1 * t_u[-2:], t_c[:-2], t_c[-2:]
    optimizer = lib["optim"].SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_epochs):
        loss_train = loss_fn(model(t_un_train), t_c_train)
        loss_val = loss_fn(model(t_un_val), t_c_val)
        optimizer.zero_grad()
        loss_train.backward()
        optimizer.step()
        losses.append((loss_train.item(), loss_val.item()))
    return losses


def test_p1ch6_linear_on_unsqueezed_data_with_mse_loss(torch):
    torch.manual_seed(0)
    theirs_lib, ours_lib = _libs(torch)
    reference, model = torch.nn.Linear(1, 1), nn.Linear(1, 1)
    _copy_weights(reference, model)
    x = autograd.ones(10, 1)
    assert model(x).shape == (10, 1) and model(autograd.ones(1)).shape == (1,)
    assert [tuple(p.shape) for p in model.parameters()] == [(1, 1), (1,)]
    theirs = _thermometer_loop(theirs_lib, reference, torch.nn.MSELoss(), 1e-2, 300)
    ours = _thermometer_loop(ours_lib, model, nn.MSELoss(), 1e-2, 300)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    _close(model.weight, reference.weight, rtol=1e-4)
    _close(model.bias, reference.bias, rtol=1e-4)


def test_p1ch6_sequential_with_ordered_dict_names_and_tanh(torch):
    torch.manual_seed(0)

    def build(nn: Any) -> Any:
        return nn.Sequential(
            OrderedDict(
                [
                    ("hidden_linear", nn.Linear(1, 8)),
                    ("hidden_activation", nn.Tanh()),
                    ("output_linear", nn.Linear(8, 1)),
                ]
            )
        )

    theirs_lib, ours_lib = _libs(torch)
    reference, model = build(torch.nn), build(nn)
    _copy_weights(reference, model)
    assert str(model) == str(reference)
    names = [(name, tuple(p.shape)) for name, p in model.named_parameters()]
    assert names == [(name, tuple(p.shape)) for name, p in reference.named_parameters()]
    assert model.output_linear.bias is dict(model.named_parameters())["output_linear.bias"]
    theirs = _thermometer_loop(theirs_lib, reference, torch.nn.MSELoss(), 1e-3, 100)
    ours = _thermometer_loop(ours_lib, model, nn.MSELoss(), 1e-3, 100)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    _close(model.hidden_linear.weight.grad, reference.hidden_linear.weight.grad, rtol=1e-3, atol=1e-5)
    t_range = autograd.arange(20.0, 90.0).unsqueeze(1)
    prediction = model(0.1 * t_range).detach().numpy()
    assert prediction.shape == (70, 1) and prediction.dtype == np.float32
    _close(prediction, reference(0.1 * torch.arange(20.0, 90.0).unsqueeze(1)), rtol=1e-4, atol=1e-4)
    unnamed = nn.Sequential(nn.Linear(1, 13), nn.Tanh(), nn.Linear(13, 1))
    assert [name for name, _ in unnamed.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


# ---- p1ch7: birds vs airplanes ----------------------------------------------------------------------------


def _cifar2(n: int = 24, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, 3, 32, 32)).astype(np.float32), rng.integers(0, 2, n)


def test_p1ch7_softmax_log_softmax_nll_and_cross_entropy(torch):
    images, labels = _cifar2(4)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        x = torch.tensor([1.0, 2.0, 3.0])
        manual = torch.exp(x) / torch.exp(x).sum()
        softmax = nn.Softmax(dim=1)(torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]))
        logits = torch.from_numpy(images.reshape(4, -1)[:, :10].copy()).requires_grad_()
        target = torch.tensor(labels.tolist())
        nll = nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), target)
        ce = nn.CrossEntropyLoss()(logits, target)
        (nll + ce).backward()
        _, index = torch.max(nn.Softmax(dim=1)(logits), dim=1)
        return {"manual": manual, "softmax": softmax, "nll": nll, "ce": ce, "grad": logits.grad, "index": index}

    theirs, ours = (run(lib) for lib in _libs(torch))
    for name, value in theirs.items():
        _close(ours[name], value)
    assert ours["index"].dtype == autograd.int64


def test_p1ch7_fully_connected_classifier_trained_with_a_data_loader(torch):
    images, labels = _cifar2()

    def build(nn: Any) -> Any:
        return nn.Sequential(nn.Linear(3072, 64), nn.Tanh(), nn.Linear(64, 2), nn.LogSoftmax(dim=1))

    torch.manual_seed(0)
    theirs_lib, ours_lib = _libs(torch)
    reference, model = build(torch.nn), build(nn)
    _copy_weights(reference, model)
    numel_list = [p.numel() for p in model.parameters() if p.requires_grad]
    assert numel_list == [p.numel() for p in reference.parameters()] == [196608, 64, 128, 2]

    def run(lib: dict[str, Any], model: Any) -> dict[str, Any]:
        torch = lib["torch"]
        cifar2 = [(torch.from_numpy(images[i]), int(labels[i])) for i in range(len(labels))]
        train_loader = lib["data"].DataLoader(cifar2, batch_size=8, shuffle=False)
        optimizer = lib["optim"].SGD(model.parameters(), lr=1e-2)
        loss_fn = lib["nn"].NLLLoss()
        losses = []
        for _ in range(3):
            for imgs, labels_b in train_loader:
                outputs = model(imgs.view(imgs.shape[0], -1))
                loss = loss_fn(outputs, labels_b)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
        correct = total = 0
        with torch.no_grad():
            for imgs, labels_b in train_loader:
                _, predicted = torch.max(model(imgs.view(imgs.shape[0], -1)), dim=1)
                total += labels_b.shape[0]
                correct += int((predicted == labels_b).sum())
        return {"losses": losses, "accuracy": correct / total, "batches": len(train_loader)}

    theirs, ours = run(theirs_lib, reference), run(ours_lib, model)
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-4)
    assert ours["accuracy"] == theirs["accuracy"] and ours["batches"] == theirs["batches"] == 3
    shuffled = nn.data.DataLoader(
        [(autograd.from_numpy(images[i]), int(labels[i])) for i in range(24)], batch_size=8, shuffle=True
    )
    batches = list(shuffled)
    assert [tuple(b[0].shape) for b in batches] == [(8, 3, 32, 32)] * 3 and batches[0][1].dtype == autograd.int64
    assert sorted(int(x) for b in batches for x in b[1]) == sorted(labels.tolist())


# ---- p1ch8: convolutions ----------------------------------------------------------------------------------


def test_p1ch8_conv_weight_shapes_blur_and_edge_kernel_set_by_hand(torch):
    images, _ = _cifar2(1)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        img = torch.from_numpy(images[0].copy())
        conv = nn.Conv2d(3, 16, kernel_size=3)
        out = {"weight_shape": tuple(conv.weight.shape), "bias_shape": tuple(conv.bias.shape)}
        out["unpadded"] = tuple(conv(img.unsqueeze(0)).shape)
        conv = nn.Conv2d(3, 1, kernel_size=3, padding=1)
        with torch.no_grad():
            conv.bias.zero_()
        with torch.no_grad():
            conv.weight.fill_(1.0 / 9.0)
        out["blur"] = conv(img.unsqueeze(0))
        conv = nn.Conv2d(3, 1, kernel_size=3, padding=1)
        with torch.no_grad():
            conv.weight[:] = torch.tensor([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]])
            conv.bias.zero_()
        edges = conv(img.unsqueeze(0))
        edges.sum().backward()
        out.update(edges=edges, weight_grad=conv.weight.grad, leaf=conv.weight.is_leaf)
        out["pooled"] = nn.MaxPool2d(2)(img.unsqueeze(0))
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
    # the blur is the 3x3 mean over all three channels, zero-padded: its centre pixel by hand
    np.testing.assert_allclose(ours["blur"].numpy()[0, 0, 5, 7], images[0][:, 4:7, 6:9].sum() / 9, rtol=1e-5)


def _net_classes(lib: dict[str, Any]) -> dict[str, type]:
    """The book's p1ch8 models, written against ``lib``'s torch, nn, F and init."""
    torch, nn, F, init = lib["torch"], lib["nn"], lib["F"], lib["init"]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1)
            self.conv2 = nn.Conv2d(16, 8, kernel_size=3, padding=1)
            self.fc1 = nn.Linear(8 * 8 * 8, 32)
            self.fc2 = nn.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
            out = F.max_pool2d(torch.tanh(self.conv2(out)), 2)
            out = out.view(-1, 8 * 8 * 8)
            out = torch.tanh(self.fc1(out))
            return self.fc2(out)

    class NetDropout(nn.Module):
        def __init__(self, n_chans1=8):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = nn.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.conv1_dropout = nn.Dropout2d(p=0.4)
            self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
            self.conv2_dropout = nn.Dropout2d(p=0.4)
            self.fc1 = nn.Linear(8 * 8 * n_chans1 // 2, 32)
            self.fc2 = nn.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
            out = self.conv1_dropout(out)
            out = F.max_pool2d(torch.tanh(self.conv2(out)), 2)
            out = self.conv2_dropout(out)
            out = out.view(-1, 8 * 8 * self.n_chans1 // 2)
            out = torch.tanh(self.fc1(out))
            return self.fc2(out)

    class NetBatchNorm(nn.Module):
        def __init__(self, n_chans1=8):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = nn.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.conv1_batchnorm = nn.BatchNorm2d(num_features=n_chans1)
            self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
            self.conv2_batchnorm = nn.BatchNorm2d(num_features=n_chans1 // 2)
            self.fc1 = nn.Linear(8 * 8 * n_chans1 // 2, 32)
            self.fc2 = nn.Linear(32, 2)

        def forward(self, x):
            out = self.conv1_batchnorm(self.conv1(x))
            out = F.max_pool2d(torch.tanh(out), 2)
            out = self.conv2_batchnorm(self.conv2(out))
            out = F.max_pool2d(torch.tanh(out), 2)
            out = out.view(-1, 8 * 8 * self.n_chans1 // 2)
            out = torch.tanh(self.fc1(out))
            return self.fc2(out)

    class NetRes(nn.Module):
        def __init__(self, n_chans1=8):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = nn.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.conv2 = nn.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
            self.conv3 = nn.Conv2d(n_chans1 // 2, n_chans1 // 2, kernel_size=3, padding=1)
            self.fc1 = nn.Linear(4 * 4 * n_chans1 // 2, 32)
            self.fc2 = nn.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(torch.relu(self.conv1(x)), 2)
            out = F.max_pool2d(torch.relu(self.conv2(out)), 2)
            out1 = out
            out = F.max_pool2d(torch.relu(self.conv3(out)) + out1, 2)
            out = out.view(-1, 4 * 4 * self.n_chans1 // 2)
            out = torch.relu(self.fc1(out))
            return self.fc2(out)

    class ResBlock(nn.Module):
        def __init__(self, n_chans):
            super(ResBlock, self).__init__()  # noqa: UP008 (the book's spelling)
            self.conv = nn.Conv2d(n_chans, n_chans, kernel_size=3, padding=1, bias=False)
            self.batch_norm = nn.BatchNorm2d(num_features=n_chans)
            init.kaiming_normal_(self.conv.weight, nonlinearity="relu")
            init.constant_(self.batch_norm.weight, 0.5)
            init.zeros_(self.batch_norm.bias)

        def forward(self, x):
            out = self.conv(x)
            out = self.batch_norm(out)
            out = torch.relu(out)
            return out + x

    class NetResDeep(nn.Module):
        def __init__(self, n_chans1=8, n_blocks=3):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = nn.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.resblocks = nn.Sequential(*(n_blocks * [ResBlock(n_chans=n_chans1)]))
            self.fc1 = nn.Linear(8 * 8 * n_chans1, 32)
            self.fc2 = nn.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(torch.relu(self.conv1(x)), 2)
            out = self.resblocks(out)
            out = F.max_pool2d(out, 2)
            out = out.view(-1, 8 * 8 * self.n_chans1)
            out = torch.relu(self.fc1(out))
            return self.fc2(out)

    classes = [Net, NetDropout, NetBatchNorm, NetRes, ResBlock, NetResDeep]
    return {cls.__name__: cls for cls in classes}


def _training_loop(lib: dict[str, Any], model: Any, n_epochs: int, l2_lambda: float = 0.0) -> list[float]:
    """The book's p1ch8 loop (with its hand-written L2 penalty when ``l2_lambda``), without shuffling."""
    torch = lib["torch"]
    images, labels = _cifar2(16)
    dataset = [(torch.from_numpy(images[i]), int(labels[i])) for i in range(len(labels))]
    train_loader = lib["data"].DataLoader(dataset, batch_size=8, shuffle=False)
    optimizer = lib["optim"].SGD(model.parameters(), lr=1e-2)
    loss_fn = lib["nn"].CrossEntropyLoss()
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    losses = []
    model.train()
    for _ in range(n_epochs):
        for imgs, labels_b in train_loader:
            imgs, labels_b = imgs.to(device=device), labels_b.to(device=device)
            loss = loss_fn(model(imgs), labels_b)
            if l2_lambda:
                l2_norm = sum(p.pow(2.0).sum() for p in model.parameters())
                loss = loss + l2_lambda * l2_norm
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


@pytest.mark.parametrize(
    "name, l2_lambda", [("Net", 0.0), ("Net", 0.001), ("NetBatchNorm", 0.0), ("NetRes", 0.0), ("NetResDeep", 0.0)]
)
def test_p1ch8_models_train_as_torch(torch, name, l2_lambda):
    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(0)
    reference = _net_classes(theirs_lib)[name]()
    model = _net_classes(ours_lib)[name]()
    _copy_weights(reference, model)
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in reference.named_parameters()]
    assert list(model.state_dict()) == list(reference.state_dict())
    theirs = _training_loop(theirs_lib, reference, 2, l2_lambda)
    ours = _training_loop(ours_lib, model, 2, l2_lambda)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    for (_name, mine), reference_value in zip(model.state_dict().items(), reference.state_dict().values()):
        _close(mine, reference_value.float(), rtol=1e-3, atol=1e-5)
    images, _ = _cifar2(4, seed=9)
    model.eval()
    reference.eval()
    _close(model(autograd.from_numpy(images)), reference(torch.from_numpy(images)), rtol=1e-3, atol=1e-5)


def test_p1ch8_dropout2d_zeroes_whole_channels_in_train_and_nothing_in_eval(float32):
    classes = _net_classes(_libs_ours())
    model = classes["NetDropout"]()
    images, _ = _cifar2(4)
    x = autograd.from_numpy(images)
    model.eval()
    assert not model.training and not model.conv1_dropout.training
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())
    model.train()
    dropout = model.conv1_dropout
    out = dropout(autograd.ones(4, 8, 5, 5)).numpy()
    per_channel = out.reshape(4, 8, -1)
    # each channel is all zeros or all 1 / (1 - p)
    assert all(np.all(c == 0) or np.allclose(c, 1 / 0.6) for c in per_channel.reshape(32, -1))
    assert model(x).shape == (4, 2)


def _libs_ours() -> dict[str, Any]:
    return {"torch": autograd, "nn": nn, "F": F, "optim": nn.optim, "data": nn.data, "init": nn.init}


def test_p1ch8_res_block_init_kaiming_constant_and_zeros(float32):
    autograd.manual_seed(0)
    block = _net_classes(_libs_ours())["ResBlock"](64)
    weight = block.conv.weight.detach().numpy()
    fan_in = 64 * 3 * 3
    assert weight.std() == pytest.approx(np.sqrt(2.0 / fan_in), rel=0.03)  # kaiming normal, gain sqrt(2)
    assert abs(weight.mean()) < 0.01 * np.sqrt(2.0 / fan_in) * 10
    np.testing.assert_array_equal(block.batch_norm.weight.detach().numpy(), np.full(64, 0.5, np.float32))
    np.testing.assert_array_equal(block.batch_norm.bias.detach().numpy(), np.zeros(64, np.float32))
    assert block.conv.bias is None


def test_p1ch8_state_dict_saved_and_loaded(float32, tmp_path):
    classes = _net_classes(_libs_ours())
    autograd.manual_seed(1)
    model = classes["NetResDeep"]()
    _training_loop(_libs_ours(), model, 1)
    path = tmp_path / "birds_vs_airplanes.pt"
    nn.save(model.state_dict(), path)
    loaded_model = classes["NetResDeep"]()
    loaded_model.load_state_dict(nn.load(path, map_location="cpu"))
    for (name, mine), theirs in zip(loaded_model.state_dict().items(), model.state_dict().values()):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs), err_msg=name)
    images, _ = _cifar2(2, seed=3)
    model.eval()
    loaded_model.eval()
    x = autograd.from_numpy(images)
    np.testing.assert_array_equal(loaded_model(x).numpy(), model(x).numpy())
    buffer = io.BytesIO()
    nn.save(model.state_dict(), buffer)
    buffer.seek(0)
    assert list(nn.load(buffer)) == list(model.state_dict())
