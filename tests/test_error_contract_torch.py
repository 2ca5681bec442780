"""The error contract of nn.functional and nn.optim under bad input, against torch 2.13: the same bad call raises
an error on both sides, the library's is an instance of the class torch raises (so an ``except`` written for torch
catches it), its message names the function, and a failed call leaves its inputs as they were.

Every case is one call written against a namespace (``lib`` or torch's), so the same input goes to both.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

import autograd as A
import nn.functional as F

LIBRARY = types.SimpleNamespace(
    F=F,
    tensor=lambda values, dtype="float32": A.tensor(np.array(values, dtype=dtype)),
)


def _torch() -> types.SimpleNamespace:
    """torch's namespace, or a skip where torch is not installed."""
    torch = pytest.importorskip("torch")
    return types.SimpleNamespace(
        F=torch.nn.functional,
        tensor=lambda values, dtype="float32": torch.tensor(np.array(values, dtype=dtype)),
    )


def _raises_as_torch(call, name: str) -> BaseException:
    """``call`` raises on torch and on the library; the library's error is an instance of torch's class and names
    ``name``. Returns the library's error."""
    with pytest.raises(Exception) as torch_caught:
        call(_torch())
    torch_class = type(torch_caught.value)
    with pytest.raises(Exception) as caught:
        call(LIBRARY)
    assert isinstance(caught.value, torch_class), (type(caught.value).__mro__, torch_class)
    assert name in str(caught.value)
    return caught.value


# ------------------------------------------------------------------ nothing half-changed


@pytest.mark.parametrize("bad", ["running_mean", "running_var"])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_batch_norm_refuses_an_integer_running_statistic_before_updating_either(bad: str, dtype: str) -> None:
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)

    def call(m, stats):
        return m.F.batch_norm(m.tensor(x), stats["running_mean"], stats["running_var"], training=True)

    torch = pytest.importorskip("torch")
    torch_stats = {"running_mean": torch.tensor([0.0, 0, 0]), "running_var": torch.tensor([1.0, 1, 1])}
    torch_stats[bad] = torch_stats[bad].to(getattr(torch, dtype))
    with pytest.raises(RuntimeError):
        call(_torch(), torch_stats)
    stats = {"running_mean": np.zeros(3, np.float32), "running_var": np.ones(3, np.float32)}
    stats[bad] = stats[bad].astype(dtype)
    with pytest.raises(RuntimeError, match="batch_norm: " + bad):
        call(LIBRARY, stats)
    np.testing.assert_array_equal(stats["running_mean"], 0)  # neither statistic moved
    np.testing.assert_array_equal(stats["running_var"], 1)


# ------------------------------------------------------------------ numbers out of range: torch's RuntimeError

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]

OUT_OF_RANGE = {
    "softshrink_negative_lambd": ("softshrink", lambda m: m.F.softshrink(m.tensor(X), -1.0)),
    "softshrink_nan_lambd": ("softshrink", lambda m: m.F.softshrink(m.tensor(X), float("nan"))),
    "softshrink_inf_lambd": ("softshrink", lambda m: m.F.softshrink(m.tensor(X), float("inf"))),
    "rrelu_nan_lower": ("rrelu", lambda m: m.F.rrelu(m.tensor(X), lower=float("nan"), upper=0.3)),
    "rrelu_inf_upper": ("rrelu", lambda m: m.F.rrelu(m.tensor(X), lower=0.1, upper=float("inf"))),
    "dropout_nan_p": ("dropout", lambda m: m.F.dropout(m.tensor(X), p=float("nan"))),
    "dropout2d_nan_p": ("dropout2d", lambda m: m.F.dropout2d(m.tensor([[X]]), p=float("nan"))),
    "alpha_dropout_nan_p": ("alpha_dropout", lambda m: m.F.alpha_dropout(m.tensor(X), p=float("nan"), training=True)),
    "cosine_similarity_negative_eps": (
        "cosine_similarity",
        lambda m: m.F.cosine_similarity(m.tensor(X), m.tensor(X), eps=-1.0),
    ),
    "cosine_similarity_nan_eps": (
        "cosine_similarity",
        lambda m: m.F.cosine_similarity(m.tensor(X), m.tensor(X), eps=float("nan")),
    ),
    "pdist_negative_p": ("pdist", lambda m: m.F.pdist(m.tensor(X), p=-1.0)),
    "pdist_nan_p": ("pdist", lambda m: m.F.pdist(m.tensor(X), p=float("nan"))),
    "group_norm_negative_groups": ("group_norm", lambda m: m.F.group_norm(m.tensor([X]), -1)),
    "cross_entropy_inf_label_smoothing": (
        "cross_entropy",
        lambda m: m.F.cross_entropy(m.tensor(X), m.tensor([0, 2], "int64"), label_smoothing=float("inf")),
    ),
}


@pytest.mark.parametrize("case", sorted(OUT_OF_RANGE))
def test_a_number_out_of_range_raises_torchs_class_too(case: str) -> None:
    name, call = OUT_OF_RANGE[case]
    error = _raises_as_torch(call, name)
    assert isinstance(error, ValueError)  # and the library's class for a bad argument


# ------------------------------------------------------------------ floats where integer indices are needed

FLOAT_INDICES = {
    "nll_loss_float_target": ("nll_loss", lambda m: m.F.nll_loss(m.tensor(X), m.tensor([0.0, 2.0]))),
    "cross_entropy_float_target_of_index_shape": (
        "cross_entropy",
        lambda m: m.F.cross_entropy(m.tensor(X), m.tensor([0.0, 2.0])),
    ),
    "multi_margin_loss_float_target": (
        "multi_margin_loss",
        lambda m: m.F.multi_margin_loss(m.tensor(X), m.tensor([0.0, 2.0])),
    ),
    "ctc_loss_float_input_lengths": (
        "ctc_loss",
        lambda m: m.F.ctc_loss(
            m.tensor(np.full((4, 1, 3), np.log(1 / 3))),
            m.tensor([[1, 2]], "int64"),
            m.tensor([4.0]),
            m.tensor([2], "int64"),
        ),
    ),
    "ctc_loss_float_target_lengths": (
        "ctc_loss",
        lambda m: m.F.ctc_loss(
            m.tensor(np.full((4, 1, 3), np.log(1 / 3))),
            m.tensor([[1, 2]], "int64"),
            m.tensor([4], "int64"),
            m.tensor([2.0]),
        ),
    ),
    "embedding_bag_float_offsets": (
        "embedding_bag",
        lambda m: m.F.embedding_bag(m.tensor([0, 2, 1], "int64"), m.tensor(np.ones((3, 2))), m.tensor([0.0, 1.0])),
    ),
    "max_unpool1d_float_indices": (
        "max_unpool1d",
        lambda m: m.F.max_unpool1d(m.tensor([[[1.0, 2.0]]]), m.tensor([[[0.0, 3.0]]]), 2),
    ),
    "max_unpool2d_float_indices": (
        "max_unpool2d",
        lambda m: m.F.max_unpool2d(m.tensor([[[[1.0]]]]), m.tensor([[[[0.0]]]]), 2),
    ),
}


@pytest.mark.parametrize("case", sorted(FLOAT_INDICES))
def test_float_indices_raise_torchs_runtime_error_too(case: str) -> None:
    name, call = FLOAT_INDICES[case]
    error = _raises_as_torch(call, name)
    assert isinstance(error, RuntimeError)


# ------------------------------------------------------------------ shapes an op cannot use: torch's RuntimeError

BAD_SHAPES = {
    "bilinear_4d_weight": (
        "bilinear",
        lambda m: m.F.bilinear(m.tensor(X), m.tensor(X), m.tensor(np.ones((1, 4, 3, 3)))),
    ),
    "pdist_1d_input": ("pdist", lambda m: m.F.pdist(m.tensor([1.0, 2.0, 3.0]))),
    "pdist_3d_input": ("pdist", lambda m: m.F.pdist(m.tensor([X]))),
    "max_unpool1d_4d_input": (
        "max_unpool1d",
        lambda m: m.F.max_unpool1d(m.tensor([[[[1.0, 2.0]]]]), m.tensor([[[[0, 3]]]], "int64"), 2),
    ),
    "max_unpool2d_5d_input": (
        "max_unpool2d",
        lambda m: m.F.max_unpool2d(m.tensor(np.ones((1, 1, 1, 1, 1))), m.tensor(np.zeros((1, 1, 1, 1, 1)), "int64"), 2),
    ),
    "affine_grid_theta_of_another_batch": (
        "affine_grid",
        lambda m: m.F.affine_grid(m.tensor(np.zeros((3, 2, 3))), (2, 1, 4, 4), align_corners=False),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SHAPES))
def test_a_shape_the_op_cannot_use_raises_torchs_runtime_error_too(case: str) -> None:
    name, call = BAD_SHAPES[case]
    error = _raises_as_torch(call, name)
    assert isinstance(error, ValueError) and isinstance(error, RuntimeError)


def test_affine_grid_of_a_3d_size_raises_torchs_not_implemented_error_too() -> None:
    error = _raises_as_torch(
        lambda m: m.F.affine_grid(m.tensor(np.zeros((2, 2, 3))), (2, 1, 4), align_corners=False), "affine_grid"
    )
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("groups", [1.5, float("nan"), "2"])
def test_conv1d_names_itself_for_a_groups_that_is_not_an_integer(groups) -> None:
    def call(m):
        return m.F.conv1d(m.tensor(np.ones((1, 2, 5))), m.tensor(np.ones((2, 2, 3))), groups=groups)

    error = _raises_as_torch(call, "conv1d")
    assert "conv2d" not in str(error)


# ------------------------------------------------------------------ a wrong type: torch's TypeError


def _normalization_calls(bad):
    """A normalization call per (function, argument) with ``bad`` in that argument's place."""
    x2, x3, ones = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], [X, X], [1.0, 1.0, 1.0]
    return {
        ("batch_norm", "running_mean"): lambda m: m.F.batch_norm(m.tensor(x2), bad, m.tensor(ones), training=True),
        ("batch_norm", "running_var"): lambda m: m.F.batch_norm(m.tensor(x2), m.tensor([0.0] * 3), bad, training=True),
        ("batch_norm", "weight"): lambda m: m.F.batch_norm(m.tensor(x2), None, None, bad, training=True),
        ("batch_norm", "bias"): lambda m: m.F.batch_norm(m.tensor(x2), None, None, None, bad, training=True),
        ("layer_norm", "weight"): lambda m: m.F.layer_norm(m.tensor(x2), (3,), bad),
        ("layer_norm", "bias"): lambda m: m.F.layer_norm(m.tensor(x2), (3,), None, bad),
        ("rms_norm", "weight"): lambda m: m.F.rms_norm(m.tensor(x2), (3,), bad),
        ("group_norm", "weight"): lambda m: m.F.group_norm(m.tensor(x3), 1, bad),
        ("group_norm", "bias"): lambda m: m.F.group_norm(m.tensor(x3), 1, None, bad),
    }


@pytest.mark.parametrize("bad", ["abc", {}, ["a", "b", "c"]], ids=["str", "dict", "list_of_str"])
@pytest.mark.parametrize("which", sorted(_normalization_calls(None)))
def test_a_normalization_parameter_of_a_wrong_type_is_torchs_type_error(which, bad) -> None:
    function, name = which
    error = _raises_as_torch(_normalization_calls(bad)[which], f"{function}: {name}")
    assert isinstance(error, TypeError)


BAD_NORMALIZATION_OPTIONS = {
    "batch_norm_string_eps": (
        "batch_norm: eps",
        lambda m: m.F.batch_norm(m.tensor(X), None, None, training=True, eps="1e-5"),
    ),
    "batch_norm_none_eps": (
        "batch_norm: eps",
        lambda m: m.F.batch_norm(m.tensor(X), None, None, training=True, eps=None),
    ),
    "batch_norm_string_training": (
        "batch_norm: training",
        lambda m: m.F.batch_norm(m.tensor(X), None, None, training="yes"),
    ),
    "batch_norm_none_training": (
        "batch_norm: training",
        lambda m: m.F.batch_norm(m.tensor(X), None, None, training=None),
    ),
    "instance_norm_string_eps": ("instance_norm: eps", lambda m: m.F.instance_norm(m.tensor([X]), eps="1e-5")),
    "instance_norm_none_eps": ("instance_norm: eps", lambda m: m.F.instance_norm(m.tensor([X]), eps=None)),
}


@pytest.mark.parametrize("case", sorted(BAD_NORMALIZATION_OPTIONS))
def test_a_normalization_option_of_a_wrong_type_is_torchs_type_error_naming_it(case: str) -> None:
    name, call = BAD_NORMALIZATION_OPTIONS[case]
    error = _raises_as_torch(call, name)
    assert isinstance(error, TypeError)


def test_instance_norm_keeps_an_inf_eps_as_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((1, 2, 3))
    expected = torch.nn.functional.instance_norm(torch.tensor(x), eps=float("inf")).numpy()
    np.testing.assert_array_equal(F.instance_norm(A.tensor(x), eps=float("inf")).numpy(), expected)


def test_instance_norm_names_itself_for_an_integer_running_statistic() -> None:
    running_mean, running_var = np.zeros(2, np.int64), np.ones(2)
    with pytest.raises(RuntimeError, match="instance_norm: running_mean"):
        F.instance_norm(A.tensor(np.ones((1, 2, 3))), running_mean, running_var)
    np.testing.assert_array_equal(running_var, 1)


def _non_tensor_calls(bad):
    """One call per (function, argument) with ``bad`` in place of a Tensor."""
    return {
        ("linear", "weight"): lambda m: m.F.linear(m.tensor(X), bad),
        ("pad", "input"): lambda m: m.F.pad(bad, (1, 1)),
        ("embedding", "weight"): lambda m: m.F.embedding(m.tensor([0, 1], "int64"), bad),
        ("gaussian_nll_loss", "var"): lambda m: m.F.gaussian_nll_loss(m.tensor(X), m.tensor(X), bad),
    }


@pytest.mark.parametrize("bad", ["abc", {}, ["a", "b"]], ids=["str", "dict", "list_of_str"])
@pytest.mark.parametrize("which", sorted(_non_tensor_calls(None)))
def test_a_string_or_dict_for_a_tensor_is_torchs_type_error_naming_the_function(which, bad) -> None:
    function, name = which
    error = _raises_as_torch(_non_tensor_calls(bad)[which], f"{function}: {name}")
    assert isinstance(error, TypeError)


@pytest.mark.parametrize("bad", ["abc", {}, ["a", "b"]], ids=["str", "dict", "list_of_str"])
@pytest.mark.parametrize("call", ["batch_norm", "embedding_bag"])
def test_batch_norm_and_embedding_bag_name_themselves_for_a_string_tensor(call: str, bad) -> None:
    # torch raises an AttributeError of its own internals here ('str' object has no attribute 'dim'): the library a
    # TypeError naming the function
    calls = {
        "batch_norm": lambda: F.batch_norm(bad, None, None, training=True),
        "embedding_bag": lambda: F.embedding_bag(A.tensor(np.array([0, 1])), bad, A.tensor(np.array([0]))),
    }
    with pytest.raises(TypeError, match=call):
        calls[call]()


@pytest.mark.parametrize("option", ["p", "eps"])
@pytest.mark.parametrize("bad", ["abc", None])
def test_triplet_margin_loss_names_itself_for_a_bad_p_or_eps(option: str, bad) -> None:
    def call(m):
        return m.F.triplet_margin_loss(m.tensor(X), m.tensor(X), m.tensor(X), **{option: bad})

    error = _raises_as_torch(call, f"triplet_margin_loss: {option}")
    assert "pairwise_distance" not in str(error)


# ------------------------------------------------------------------ optimizers: refused input leaves them unchanged

OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "ASGD", "NAdam", "RAdam", "RMSprop", "Rprop"]


def _parameters(namespace, count: int = 2):
    if namespace == "torch":
        torch = pytest.importorskip("torch")
        return [torch.nn.Parameter(torch.ones(2, 2, dtype=torch.float64) * (i + 1)) for i in range(count)]
    import nn

    return [nn.Parameter(A.tensor(np.ones((2, 2)) * (i + 1))) for i in range(count)]


def _optimizer(namespace, name: str, params, **options):
    if namespace == "torch":
        return getattr(pytest.importorskip("torch").optim, name)(params, **options)
    import nn

    return getattr(nn.optim, name)(params, **options)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("arrangement", ["twice_in_one_group", "in_two_groups"])
def test_an_optimizer_treats_a_parameter_given_twice_as_torch(name: str, arrangement: str) -> None:
    def build(namespace):
        p = _parameters(namespace)
        groups = [p[0], p[0]] if arrangement == "twice_in_one_group" else [{"params": [p[0]]}, {"params": p}]
        return _optimizer(namespace, name, groups, lr=0.01)

    if arrangement == "in_two_groups":
        with pytest.raises(ValueError):
            build("torch")
        with pytest.raises(ValueError, match=name):
            build("lib")
    else:  # torch warns and keeps the list as given
        with pytest.warns(UserWarning, match="duplicate parameters"):
            kept = len(build("lib").param_groups[0]["params"])
        with pytest.warns(UserWarning, match="duplicate parameters"):
            assert kept == len(build("torch").param_groups[0]["params"])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_an_optimizer_refuses_a_non_leaf_tensor_as_torch(name: str) -> None:
    with pytest.raises(ValueError):
        _optimizer("torch", name, [_parameters("torch")[0] * 2], lr=0.01)
    with pytest.raises(ValueError, match=name):
        _optimizer("lib", name, [_parameters("lib")[0] * 2], lr=0.01)


def _takes(name: str, key: str) -> bool:
    """Whether the optimizer ``name`` has the hyperparameter ``key`` (ASGD and Rprop have no eps, Rprop no
    weight_decay)."""
    import inspect

    import nn

    return key in inspect.signature(getattr(nn.optim, name)).parameters


@pytest.mark.parametrize(
    "name, option",
    [
        (name, option)
        for name in OPTIMIZERS
        if name != "SGD"
        for option in [("lr", -1.0), ("eps", -1e-8), ("weight_decay", -0.1)]
        if _takes(name, option[0])
    ],
)
def test_an_optimizer_refuses_a_negative_hyperparameter_as_torch(name: str, option) -> None:
    key, value = option
    with pytest.raises(ValueError):
        _optimizer("torch", name, _parameters("torch"), **{key: value})
    with pytest.raises(ValueError, match=f"{name}.*{key}"):
        _optimizer("lib", name, _parameters("lib"), **{key: value})


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("kind", ["another_optimizer", "fewer_parameters", "not_a_dict"])
def test_a_refused_load_state_dict_leaves_the_optimizer_unchanged(name: str, kind: str) -> None:
    import copy

    def stepped(params, optimizer_name, **options):
        optimizer = _optimizer("lib", optimizer_name, params, lr=0.01, **options)
        for p in params:
            p.grad = A.tensor(np.full(p.shape, 0.5))
        optimizer.step()
        return optimizer

    optimizer = stepped(_parameters("lib"), name)
    if kind == "another_optimizer":
        other = "Adam" if name == "SGD" else "SGD"
        state = stepped(_parameters("lib"), other, **({"momentum": 0.9} if other == "SGD" else {})).state_dict()
    elif kind == "fewer_parameters":
        state = stepped(_parameters("lib", 1), name).state_dict()
    else:
        state = "state"
    before = copy.deepcopy(optimizer.state_dict())
    with pytest.raises((ValueError, TypeError), match=name):
        optimizer.load_state_dict(state)
    after = optimizer.state_dict()
    assert after["param_groups"] == before["param_groups"]
    assert after["state"].keys() == before["state"].keys()
    for key, values in before["state"].items():
        for entry, value in values.items():
            np.testing.assert_array_equal(
                np.asarray(getattr(after["state"][key][entry], "data", after["state"][key][entry])),
                np.asarray(getattr(value, "data", value)),
            )


def test_a_nan_eps_gives_nan_in_batch_norm_as_torch() -> None:
    # (it was refused by the standardisation batch_norm runs, in an error that named "standardize")
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).normal(size=(4, 3))
    ours = F.batch_norm(A.tensor(data), None, None, training=True, eps=float("nan"))
    theirs = torch.nn.functional.batch_norm(torch.tensor(data), None, None, training=True, eps=float("nan"))
    assert np.isnan(ours.data).all() and torch.isnan(theirs).all()


# ------------------------------------------------------------------ optimizers and schedulers: torch's error classes


def _optim(namespace):
    return pytest.importorskip("torch").optim if namespace == "torch" else __import__("nn").optim


def _tensor(namespace, values):
    if namespace == "torch":
        return pytest.importorskip("torch").tensor(values, dtype=pytest.importorskip("torch").float64)
    return A.tensor(np.array(values, dtype=np.float64))


def _resumed_one_cycle(namespace):
    optimizer = _optim(namespace).SGD(_parameters(namespace), lr=0.1, momentum=0.9)
    optimizer.param_groups[0]["initial_lr"] = 0.1  # (torch then looks for max_lr, which it lacks)
    return _optim(namespace).lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10, last_epoch=3)


def _load_without_state(namespace):
    optimizer = _optim(namespace).SGD(_parameters(namespace), lr=0.1)
    optimizer.load_state_dict({"param_groups": optimizer.state_dict()["param_groups"]})


ERROR_CLASS_CASES = {
    "param_group_without_params": (lambda ns: _optim(ns).SGD([{"lr": 0.1}], lr=0.1), "SGD"),
    "load_state_dict_without_state": (_load_without_state, "SGD.load_state_dict"),
    "one_beta": (lambda ns: _optim(ns).Adam(_parameters(ns), betas=(0.9,)), "Adam"),
    "one_beta_nadam": (lambda ns: _optim(ns).NAdam(_parameters(ns), betas=[0.9]), "NAdam"),
    "one_eta_rprop": (lambda ns: _optim(ns).Rprop(_parameters(ns), etas=(0.5,)), "Rprop"),
    "one_eps_adafactor": (lambda ns: _optim(ns).Adafactor(_parameters(ns), eps=(None,)), "Adafactor"),
    "lr_tensor_of_two": (
        lambda ns: _optim(ns).SGD(_parameters(ns), lr=_tensor(ns, [0.1, 0.2])),
        "lr must be 1-element",
    ),
    "lr_tensor_of_two_adam": (lambda ns: _optim(ns).Adam(_parameters(ns), lr=_tensor(ns, [0.1, 0.2])), "Adam"),
    "resume_without_initial_lr": (
        lambda ns: _optim(ns).lr_scheduler.StepLR(_optim(ns).SGD(_parameters(ns), lr=0.1), 2, last_epoch=3),
        "initial_lr",
    ),
    "one_cycle_resume_without_max_lr": (_resumed_one_cycle, "max_lr"),
    "plateau_metric_a_string": (
        lambda ns: _optim(ns).lr_scheduler.ReduceLROnPlateau(_optim(ns).SGD(_parameters(ns), lr=0.1)).step("a"),
        "ReduceLROnPlateau.step",
    ),
}


@pytest.mark.parametrize("case", sorted(ERROR_CLASS_CASES))
def test_optimizer_and_scheduler_errors_are_instances_of_torchs_class(case: str) -> None:
    """KeyError for a missing 'params', 'state', 'initial_lr' or 'max_lr'; IndexError for one beta (eta, eps); ValueError for an
    lr Tensor of two elements and a metric that is a string: each an instance of torch's class (and still of the
    library's ValueError or TypeError), naming the optimizer or scheduler."""
    call, name = ERROR_CLASS_CASES[case]
    with pytest.raises(Exception) as torch_caught:
        call("torch")
    with pytest.raises(Exception) as caught:
        call("lib")
    assert isinstance(caught.value, type(torch_caught.value)), (type(caught.value).__mro__, type(torch_caught.value))
    assert isinstance(caught.value, (ValueError, TypeError))
    assert name in str(caught.value) and not str(caught.value).startswith(("'", '"'))  # (not a KeyError's quotes)
