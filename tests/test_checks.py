"""Tests for nn.checks: one message shape for every argument check in nn."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import nn.checks
from nn.checks import (
    check_axis,
    check_choice,
    check_flag,
    check_float_dtype,
    check_integer,
    check_positive_int,
    check_probability,
    check_real,
    make_generator,
)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: check_real("SGD", "lr", "fast"), TypeError, "SGD: lr must be a real number, got 'fast'"),
        (lambda: check_real("SGD", "lr", True), TypeError, "SGD: lr must be a real number, got True"),
        (lambda: check_real("SGD", "lr", -0.1, 0), ValueError, "SGD: lr must be >= 0, got -0.1"),
        (lambda: check_real("SGD", "lr", math.nan, 0), ValueError, "SGD: lr must be finite, got nan"),
        (lambda: check_real("SGD", "lr", math.inf, 0), ValueError, "SGD: lr must be finite, got inf"),
        (lambda: check_real("f", "beta", 0.0, 0, low_open=True), ValueError, "f: beta must be positive, got 0.0"),
        (lambda: check_real("f", "beta", 1, 1, low_open=True), ValueError, "f: beta must be > 1, got 1"),
        (
            lambda: check_real("Adam", "b", 1.0, 0, 1, high_open=True),
            ValueError,
            r"Adam: b must be in \[0, 1\), got 1.0",
        ),
        (lambda: check_real("g", "x", 5, high=2), ValueError, "g: x must be <= 2, got 5"),
        (lambda: check_real("g", "x", math.nan), ValueError, "g: x must be finite, got nan"),
        (lambda: check_real("g", "x", math.nan, allow_inf=True), ValueError, "g: x must not be nan, got nan"),
        (lambda: check_probability("Dropout", "p", 1.5), ValueError, r"Dropout: p must be a probability in \[0, 1\]"),
        (lambda: check_probability("Dropout", "p", "0.5"), TypeError, "Dropout: p must be a probability"),
        (lambda: check_integer("Softmax", "axis", 1.0), TypeError, "Softmax: axis must be an integer, got 1.0"),
        (lambda: check_integer("fit", "epochs", 0, 1), ValueError, "fit: epochs must be an integer >= 1, got 0"),
        (lambda: check_positive_int("Linear", "in_features", 0), ValueError, "Linear: in_features must be a positive"),
        (lambda: check_positive_int("Linear", "in_features", 2.0), TypeError, "must be a positive integer, got 2.0"),
        (lambda: check_positive_int("Linear", "in_features", True), TypeError, "must be a positive integer, got True"),
        (lambda: check_flag("SGD", "nesterov", 1), TypeError, "SGD: nesterov must be True or False, got 1"),
        (lambda: check_axis("softmax", "axis", 2, 2), ValueError, r"softmax: axis must be in \[-2, 1\] .* 2, got 2"),
        (lambda: check_axis("softmax", "axis", -3, 2), ValueError, r"axis must be in \[-2, 1\] .*, got -3"),
        (lambda: check_axis("softmax", "axis", 0, 0), ValueError, "softmax: axis must index an axis, .* got 0"),
        (lambda: check_axis("softmax", "axis", None, 2), TypeError, "softmax: axis must be an integer, got None"),
        (
            lambda: check_choice("mse_loss", "reduction", "avg", ("mean", "sum", "none")),
            ValueError,
            "mse_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'",
        ),
        (lambda: check_choice("f", "mode", None, ("fan_in",)), ValueError, "f: mode must be 'fan_in', got None"),
        (
            lambda: check_float_dtype("Linear", "dtype", np.int32),
            TypeError,
            "Linear: dtype must be a floating-point dtype, got int32",
        ),
        (lambda: check_float_dtype("Linear", "dtype", "floaty"), TypeError, "Linear: dtype must be .*, got 'floaty'"),
        (
            lambda: make_generator("Dropout", "rng", 0.5),
            TypeError,
            "Dropout: rng must be a numpy.random.Generator, an int seed or None, got 0.5",
        ),
        (lambda: make_generator("Dropout", "rng", True), TypeError, "Dropout: rng must be .*, got True"),
        (lambda: make_generator("Dropout", "rng", -1), ValueError, "Dropout: rng must be an int seed >= 0, got -1"),
    ],
)
def test_bad_values_name_owner_argument_and_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_good_values_come_back_as_plain_python_numbers():
    assert type(check_real("o", "x", np.float32(0.5), 0, 1)) is float
    assert check_real("o", "x", math.inf, 0, allow_inf=True) == math.inf
    assert type(check_integer("o", "n", np.int64(3))) is int
    assert check_positive_int("o", "n", np.uint8(7)) == 7
    assert check_probability("o", "p", 1) == 1.0
    assert check_flag("o", "f", np.bool_(True)) is True
    assert check_choice("o", "reduction", "sum", ("mean", "sum")) == "sum"
    assert check_float_dtype("o", "dtype", "float32") == np.float32


@pytest.mark.parametrize(("value", "ndim", "axis"), [(0, 1, 0), (-1, 3, 2), (np.int64(-3), 3, 0), (1, 2, 1)])
def test_axes_come_back_counted_from_zero(value, ndim, axis):
    assert check_axis("o", "axis", value, ndim) == axis


def test_make_generator_passes_generators_through_and_seeds_the_rest():
    generator = np.random.default_rng(0)
    assert make_generator("o", "rng", generator) is generator
    assert make_generator("o", "rng", 3).random() == np.random.default_rng(3).random()
    assert make_generator("o", "rng", np.uint8(3)).random() == np.random.default_rng(3).random()
    assert isinstance(make_generator("o", "rng", None), np.random.Generator)


def test_argument_checks_are_defined_only_in_nn_checks():
    """No module of nn keeps its own copy of a generic check (the helpers nn.checks replaced included)."""
    generic = set(nn.checks.__all__) | {
        "check_count",
        "check_positive",
        "check_reduction",
        "_generator",
        "_positive_int",
    }
    package = Path(nn.__file__).parent
    copies = [
        f"{path.relative_to(package)}: {node.name}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "checks.py" or path.parent != package
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name in generic
    ]
    assert copies == []
