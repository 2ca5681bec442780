"""``autograd.testing.assert_close``: torch.testing.assert_close's checks, defaults and messages, so a torch test
suite's ``torch.testing.assert_close(a, b)`` ports as it is written."""

import re
import subprocess
import sys

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from autograd.testing import assert_close

NAN, INF = float("nan"), float("inf")

# (actual, expected, options), written once with ``m`` for the module (autograd or torch)
CASES = [
    ("m.tensor([1.0, 2.0, 3.0])", "m.tensor([1.0, 2.0, 3.0])", {}),
    ("m.tensor([1.0, 2.0, 3.0])", "m.tensor([1.0, 2.1, 3.0])", {}),
    ("m.tensor([1.0, 2.0, 3.0])", "m.tensor([1.0, 2.0 + 1e-8, 3.0])", {}),
    ("m.tensor([1.0, 2.0, 3.0], dtype=m.float32)", "m.tensor([1.0, 2.0 + 1e-6, 3.0], dtype=m.float32)", {}),
    ("m.tensor([1.0, 2.0, 3.0], dtype=m.float32)", "m.tensor([1.0, 2.0001, 3.0], dtype=m.float32)", {}),
    ("m.tensor([1.0, 2.0], dtype=m.float16)", "m.tensor([1.0, 2.001], dtype=m.float16)", {}),
    ("m.tensor([1.0, 2.0], dtype=m.float32)", "m.tensor([1.0, 2.0], dtype=m.float64)", {}),
    ("m.tensor([1.0, 2.0], dtype=m.float32)", "m.tensor([1.0, 2.0], dtype=m.float64)", {"check_dtype": False}),
    ("m.tensor([1.0, 2.0, 3.0])", "m.tensor([1.0, 2.0])", {}),
    ("m.tensor([[1.0, 2.0], [3.0, 4.0]])", "m.tensor([[1.0, 2.0], [3.0, 5.0]])", {}),
    ("m.tensor([[1.0, 2.0], [3.0, 4.0]])", "m.tensor([[1.5, 2.0], [3.0, 5.0]])", {}),
    ("m.tensor([1.0])", "m.tensor([1.1])", {"rtol": 0.2, "atol": 0.0}),
    ("m.tensor([1.0])", "m.tensor([1.1])", {"rtol": 0.0, "atol": 0.05}),
    ("m.tensor([NAN, 1.0])", "m.tensor([NAN, 1.0])", {}),
    ("m.tensor([NAN, 1.0])", "m.tensor([NAN, 1.0])", {"equal_nan": True}),
    ("m.tensor([INF, -INF])", "m.tensor([INF, -INF])", {}),
    ("m.tensor([INF, 1.0])", "m.tensor([-INF, 1.0])", {}),
    ("m.tensor([1, 2])", "m.tensor([1, 3])", {}),
    ("m.tensor([1, 2])", "m.tensor([1, 2])", {}),
    ("m.tensor([True, False])", "m.tensor([True, True])", {}),
    ("m.tensor(1.0)", "m.tensor(1.5)", {}),
    ("m.tensor(1.0)", "m.tensor(1.0 + 1e-9)", {}),
    ("m.tensor([1.0], requires_grad=True)", "m.tensor([1.0])", {}),
    ("1.0", "1.0 + 1e-9", {}),
    ("1.0", "1.1", {}),
    ("1", "2", {}),
    ("1", "1.0", {}),
    ("1", "1.0", {"check_dtype": False}),
    ("[1.0, 2.0]", "(1.0, 2.0)", {}),
    ("[1.0, 2.0]", "[1.0, 2.5]", {}),
    ("[1.0, 2.0]", "[1.0]", {}),
    ("[m.tensor([1.0]), m.tensor([2.0])]", "[m.tensor([1.0]), m.tensor([2.5])]", {}),
    ("{'a': m.tensor(1.0)}", "{'a': m.tensor(2.0)}", {}),
    ("{'a': m.tensor(1.0)}", "{'a': m.tensor(1.0)}", {}),
    ("m.tensor([1.0])", "m.tensor([1.1])", {"msg": "custom"}),
    ("m.tensor([1.0])", "m.tensor([1.1])", {"msg": lambda text: "before: " + text}),
]


def _outcome(run):
    """'ok', or the exception's type and message (torch's dtype and shape spellings written as numpy's)."""
    try:
        run()
    except (AssertionError, TypeError, ValueError) as error:
        text = str(error).replace("torch.", "")
        text = re.sub(r"Size\(\[([^\]]*)\]\)", lambda m: repr(tuple(int(s) for s in m.group(1).split(", ") if s)), text)
        return type(error).__name__, text
    return "ok"


@pytest.mark.parametrize(("actual", "expected", "options"), CASES)
def test_assert_close_passes_and_fails_as_torch_testing_does_with_its_messages(actual, expected, options):
    torch = pytest.importorskip("torch")
    names = {"NAN": NAN, "INF": INF}

    def run(module, check):
        scope = {**names, "m": module}
        return lambda: check(eval(actual, scope), eval(expected, scope), **options)

    ours = _outcome(run(autograd, assert_close))
    theirs = _outcome(run(torch, torch.testing.assert_close))
    if ours != "ok" and theirs != "ok":
        # the same verdict and message; the differences and the tolerances differ where torch's tensor is its
        # float32 default and the library's float64
        assert ours[0] == theirs[0]
        assert ours[1].splitlines()[:3] == theirs[1].splitlines()[:3]
    else:
        assert ours == theirs


def test_assert_close_reads_values_gradients_and_arrays_as_tensor_likes():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert_close(x.grad, Tensor([2.0, 4.0]))  # a .grad (an ndarray) beside a Tensor
    assert_close(x.grad, np.array([2.0, 4.0]))
    assert_close(Value(2.0) * 3, Value(6.0))
    with pytest.raises(AssertionError, match=r"^Scalars are not close!\n\nExpected 6.5 but got 6.0."):
        assert_close(Value(2.0) * 3, Value(6.5))
    with pytest.raises(TypeError, match="no comparison pair"):
        assert_close(Tensor([1.0]), [1.0])  # a tensor beside a list, as torch refuses it


def test_assert_close_needs_both_tolerances_or_neither():
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol' must be either specified or omitted, but got no atol"):
        assert_close(Tensor([1.0]), Tensor([1.0]), rtol=0.1)


def test_assert_close_imports_without_hypothesis_and_a_strategy_then_names_hypothesis():
    # assert_close needs numpy only; the strategies beside it need hypothesis, and say so when it is missing
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "from autograd.testing import assert_close\n"
        "from autograd import tensor\n"
        "assert_close(tensor([1.0, 2.0]) * 3, tensor([3.0, 6.0]))\n"
        "try:\n"
        "    from autograd.testing import floats\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "install hypothesis" in result.stdout
    assert "autograd.testing.floats" in result.stdout


def test_testing_is_an_attribute_after_import_autograd_as_torch_testing_after_import_torch():
    """The book's tests (LLMs from scratch, ch05/07) call ``torch.testing.assert_close`` after ``import torch``."""
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import autograd\n"
        "autograd.testing.assert_close(autograd.tensor([1.0, 2.0]) * 3, autograd.tensor([3.0, 6.0]))\n"
        "print('hypothesis' in sys.modules and sys.modules['hypothesis'] is not None)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"  # and the strategies' hypothesis is still imported only when asked for
