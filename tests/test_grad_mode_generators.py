"""Grad-mode decorators on generator functions: the mode holds inside the generator's body at every
resumption and the caller's mode between them, as torch's decorators do."""

from __future__ import annotations

import pytest

from autograd import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled


def test_no_grad_decorator_applies_inside_a_generator_body():
    @no_grad()
    def doubled(x):
        yield x * 2
        yield x * 3

    x = Tensor([1.0], requires_grad=True)
    assert [y.requires_grad for y in doubled(x)] == [False, False]
    assert is_grad_enabled()


def test_no_grad_decorator_without_parentheses_applies_inside_a_generator_body():
    @no_grad
    def modes():
        yield is_grad_enabled()

    assert list(modes()) == [False]


def test_the_callers_mode_holds_between_resumptions():
    @no_grad()
    def modes():
        yield is_grad_enabled()
        yield is_grad_enabled()

    generator = modes()
    assert next(generator) is False
    assert is_grad_enabled()
    assert next(generator) is False
    assert is_grad_enabled()


def test_enable_grad_and_set_grad_enabled_decorate_generators_with_send_and_return_value():
    @set_grad_enabled(False)
    def echo():
        received = yield is_grad_enabled()
        yield (received, is_grad_enabled())
        return "done"

    generator = echo()
    assert next(generator) is False
    assert generator.send(7) == (7, False)
    with pytest.raises(StopIteration) as stop:
        next(generator)
    assert stop.value.value == "done"

    @enable_grad()
    def recording():
        yield is_grad_enabled()

    with no_grad():
        assert list(recording()) == [True]
        assert not is_grad_enabled()


def test_exceptions_thrown_into_and_closing_a_decorated_generator_run_in_its_mode():
    seen = []

    @no_grad()
    def guarded():
        try:
            yield 1
        except KeyError:
            seen.append(("throw", is_grad_enabled()))
            yield 2
        finally:
            seen.append(("close", is_grad_enabled()))

    generator = guarded()
    next(generator)
    assert generator.throw(KeyError("k")) == 2
    generator.close()
    assert seen == [("throw", False), ("close", False)]
    assert is_grad_enabled()


def test_no_grad_generator_matches_torch():
    torch = pytest.importorskip("torch")

    @torch.no_grad()
    def theirs(x):
        yield (x * 2).requires_grad

    @no_grad()
    def ours(x):
        yield (x * 2).requires_grad

    assert next(ours(Tensor([1.0], requires_grad=True))) == next(theirs(torch.tensor([1.0], requires_grad=True)))
