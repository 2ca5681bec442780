"""Port of the contract torch's random tests check (test_torch's random tests, test_distributions' samplers): the
numbers differ from torch's (other generators), so shapes, dtypes, ranges, errors, reproducibility under a seed
and sample statistics are compared with torch 2.13's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import autograd.random_state
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


# -- poisson ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_poisson_keeps_shape_and_dtype_and_draws_counts_of_mean_and_variance_rate(dtype):
    rates = np.array([[0.0, 0.5], [3.5, 20.0]], dtype=dtype)
    theirs = torch.poisson(torch.from_numpy(rates))
    ours = autograd.poisson(Tensor(rates), generator=0)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert np.all(ours.data == np.round(ours.data)) and np.all(ours.data[0, 0] == 0)
    many = autograd.poisson(Tensor(np.full((200_000,), 3.5, dtype)), generator=1).data.astype(np.float64)
    assert abs(many.mean() - 3.5) < 0.03 and abs(many.var() - 3.5) < 0.05  # 3.5 +- 4 standard errors
    assert autograd.poisson(Tensor(np.float64(2.0))).shape == () == tuple(torch.poisson(torch.tensor(2.0)).shape)


def test_poisson_repeats_with_a_seed_or_generator():
    rates = Tensor(np.full(50, 4.0))
    autograd.manual_seed(3)
    first = autograd.poisson(rates).data
    autograd.manual_seed(3)
    np.testing.assert_array_equal(autograd.poisson(rates).data, first)
    generator = autograd.Generator().manual_seed(5)
    again = autograd.Generator().manual_seed(5)
    np.testing.assert_array_equal(autograd.poisson(rates, generator).data, autograd.poisson(rates, again).data)


@pytest.mark.parametrize("rate", [-1.0, float("nan")])
def test_poisson_refuses_a_negative_or_nan_rate_as_torch(rate):
    with pytest.raises(RuntimeError, match="invalid Poisson rate"):
        torch.poisson(torch.tensor([1.0, rate]))
    with pytest.raises(RuntimeError, match="poisson: invalid Poisson rate") as raised:
        autograd.poisson(Tensor([1.0, rate]))
    assert isinstance(raised.value, ValueError)


def test_poisson_of_integer_rates_is_refused_as_torch():
    with pytest.raises(NotImplementedError):
        torch.poisson(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="poisson: expects a floating-point tensor"):
        autograd.poisson(Tensor(np.array([1, 2])))


def test_poisson_sample_is_in_the_graph_with_a_zero_gradient_as_torch():
    theirs = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.poisson(theirs).sum().backward()
    ours = Tensor([1.0, 2.0], requires_grad=True)
    sample = autograd.poisson(ours)
    assert sample.requires_grad
    sample.sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


# -- fork_rng --------------------------------------------------------------------------------------------------
def _forked_stream(module, draw):
    """The draws after a fork_rng block that draws and reseeds, and those of the same program without it."""
    module.manual_seed(0)
    draw()
    with module.random.fork_rng():
        draw()
        module.manual_seed(123)
        draw()
    after = (draw(), module.initial_seed())
    module.manual_seed(0)
    draw()
    return after, (draw(), module.initial_seed())


def test_fork_rng_puts_the_stream_back_as_torch():
    theirs, theirs_unforked = _forked_stream(torch, lambda: torch.rand(3).numpy())
    np.testing.assert_array_equal(theirs[0], theirs_unforked[0])
    assert theirs[1] == theirs_unforked[1] == 0
    ours, ours_unforked = _forked_stream(autograd, lambda: autograd.rand(3).data)
    np.testing.assert_array_equal(ours[0], ours_unforked[0])
    assert ours[1] == ours_unforked[1] == 0


def test_fork_rng_restores_on_an_exception_and_enabled_false_does_not_fork():
    autograd.manual_seed(4)
    state = autograd.get_rng_state().data
    with pytest.raises(KeyError), autograd.random.fork_rng():
        autograd.randn(5)
        raise KeyError("inside")
    np.testing.assert_array_equal(autograd.get_rng_state().data, state)
    with autograd.random.fork_rng(enabled=False):
        autograd.randn(5)
    assert not np.array_equal(autograd.get_rng_state().data, state)  # the draw moved the stream


def test_fork_rng_leaves_an_unseeded_state_unseeded():
    autograd.random_state._seeded = None
    with autograd.random.fork_rng():
        autograd.manual_seed(9)
    assert autograd.random_state.seeded_state() is None  # fresh entropy afterwards, as before the block


def test_random_namespace_is_torchs():
    for name in ("fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state", "Generator"):
        assert hasattr(torch.random, name) and hasattr(autograd.random, name)
    assert autograd.random.manual_seed is autograd.manual_seed


# -- multinomial -----------------------------------------------------------------------------------------------
class _LargestUniform(autograd.Generator):
    """A generator whose uniform draws are all the largest double below 1, the edge of [0, 1)."""

    def random(self, size=None, dtype=np.float64, out=None):
        return np.full(size, 1 - 2**-53)


def test_multinomial_with_replacement_never_draws_a_trailing_zero_weight_category():
    weights = [0.1] * 10 + [0.0]  # the normalised weights' cumulative sum ends at 0.9999999999999999, below 1
    assert set(torch.multinomial(torch.tensor(weights, dtype=torch.float64), 1000, True).tolist()) <= set(range(10))
    drawn = autograd.multinomial(Tensor(weights), 5, True, generator=_LargestUniform())
    np.testing.assert_array_equal(drawn.data, [9] * 5)  # the last category that has weight
    rows = autograd.multinomial(Tensor([weights, [0.0] * 10 + [1.0]]), 2, True, generator=_LargestUniform())
    np.testing.assert_array_equal(rows.data, [[9, 9], [10, 10]])


# -- every draw: a seed repeats it, get/set_rng_state replays it, a generator leaves the library's state alone -------
def _fill(name, *args):
    return lambda: getattr(Tensor(np.zeros(6)), name)(*args).data


DRAWS = {
    "rand": lambda: autograd.rand(2, 3).data,
    "randn": lambda: autograd.randn(size=(2, 3)).data,
    "randint": lambda: autograd.randint(-5, 5, (6,)).data,
    "randperm": lambda: autograd.randperm(8).data,
    "rand_like": lambda: autograd.rand_like(Tensor(np.zeros(4))).data,
    "randn_like": lambda: autograd.randn_like(Tensor(np.zeros(4))).data,
    "randint_like": lambda: autograd.randint_like(Tensor(np.zeros(4)), 50).data,
    "normal-tensors": lambda: autograd.normal(Tensor(np.zeros((2, 1))), Tensor(np.ones(3))).data,
    "normal-numbers": lambda: autograd.normal(1.0, 2.0, (4,)).data,
    "bernoulli": lambda: autograd.bernoulli(Tensor(np.full(12, 0.5))).data,
    "multinomial": lambda: autograd.multinomial(Tensor(np.ones(10)), 4).data,
    "multinomial-replacement": lambda: autograd.multinomial(Tensor(np.ones((2, 10))), 6, True).data,
    "poisson": lambda: autograd.poisson(Tensor(np.full(6, 3.0))).data,
    "uniform_": _fill("uniform_", -1, 1),
    "normal_": _fill("normal_"),
    "random_": _fill("random_", 100),
    "bernoulli_": _fill("bernoulli_", 0.5),
    "exponential_": _fill("exponential_"),
    "geometric_": _fill("geometric_", 0.3),
    "cauchy_": _fill("cauchy_"),
    "log_normal_": _fill("log_normal_"),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_every_draw_repeats_under_manual_seed_and_replays_from_a_saved_state(name):
    draw = DRAWS[name]
    autograd.manual_seed(21)
    first, second = draw(), draw()
    autograd.manual_seed(21)
    np.testing.assert_array_equal(draw(), first)
    state = autograd.get_rng_state()
    np.testing.assert_array_equal(draw(), second)
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(draw(), second)
    with autograd.random.fork_rng():
        draw()
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(draw(), second)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: autograd.randint(3, (2, 2)), lambda: torch.randint(3, (2, 2))),
        (
            lambda: autograd.randint(1, 3, size=(2,), dtype=np.int16),
            lambda: torch.randint(1, 3, size=(2,), dtype=torch.int16),
        ),
        (lambda: autograd.rand(2, 3, dtype=np.float32), lambda: torch.rand(2, 3, dtype=torch.float32)),
        (lambda: autograd.randn((4,), dtype=np.float32), lambda: torch.randn((4,), dtype=torch.float32)),
        (lambda: autograd.randperm(5, dtype=np.float32), lambda: torch.randperm(5, dtype=torch.float32)),
        (
            lambda: autograd.bernoulli(Tensor(np.full(3, 0.5, np.float32))),
            lambda: torch.bernoulli(torch.full((3,), 0.5)),
        ),
        (
            lambda: autograd.multinomial(Tensor(np.ones((2, 4), np.float32)), 3),
            lambda: torch.multinomial(torch.ones(2, 4), 3),
        ),
        (lambda: autograd.normal(Tensor(np.zeros(3, np.float32)), 1.0), lambda: torch.normal(torch.zeros(3), 1.0)),
        (
            lambda: autograd.randint_like(Tensor(np.zeros(3, np.int32)), 7),
            lambda: torch.randint_like(torch.zeros(3, dtype=torch.int32), 7),
        ),
    ],
)
def test_random_factories_give_torchs_shapes_and_dtypes(ours, theirs):
    mine, reference = ours(), theirs()
    assert mine.shape == tuple(reference.shape) and str(mine.dtype) == str(reference.dtype).removeprefix("torch.")


@pytest.mark.parametrize(
    "call",
    [
        lambda m, t: m.randint(5, 5, (3,)),
        lambda m, t: m.multinomial(t([1.0, -1.0]), 1),
        lambda m, t: m.multinomial(t([1.0, float("inf")]), 1),
        lambda m, t: m.multinomial(t([1.0, float("nan")]), 1),
        lambda m, t: m.multinomial(t([0.0, 0.0]), 1, True),
        lambda m, t: m.multinomial(t([1.0, 1.0]), 3),
        lambda m, t: m.bernoulli(t([0.5, 1.5])),
        lambda m, t: m.normal(t([0.0, 0.0]), t([1.0, -1.0])),
        lambda m, t: m.normal(0.0, -1.0, (2,)),
        lambda m, t: m.randperm(-1),
    ],
)
def test_bad_random_arguments_are_torchs_runtime_error(call):
    with pytest.raises(RuntimeError):
        call(torch, lambda values: torch.tensor(values))
    with pytest.raises(RuntimeError):
        call(autograd, lambda values: Tensor(values))


# -- gradients of the draws ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", [False, True])
def test_bernoulli_of_a_tensor_that_requires_grad_is_in_the_graph_with_a_zero_gradient_as_torch(method):
    def gradient(module, make):
        probabilities = make([0.2, 0.5, 0.9])
        sample = probabilities.bernoulli() if method else module.bernoulli(probabilities)
        assert sample.requires_grad
        (sample * 3).sum().backward()
        return np.asarray(probabilities.grad.tolist())

    theirs = gradient(torch, lambda values: torch.tensor(values, requires_grad=True))
    ours = gradient(autograd, lambda values: Tensor(values, requires_grad=True))
    np.testing.assert_array_equal(ours, theirs)


_FILLS_OF_RECORDED = {
    "uniform_": (5.0, 6.0),
    "normal_": (),
    "random_": (0, 3),
    "bernoulli_": (0.5,),
    "exponential_": (),
    "geometric_": (0.5,),
    "cauchy_": (),
    "log_normal_": (),
}


@pytest.mark.parametrize("fill", sorted(_FILLS_OF_RECORDED))
def test_random_fill_of_a_recorded_result_or_its_view_gives_the_old_values_a_zero_gradient_as_torch(fill):
    def gradient(module):
        x = module.ones(2, 3, requires_grad=True)
        hidden = x * 2
        getattr(hidden[0], fill)(*_FILLS_OF_RECORDED[fill])  # the first row drawn anew, the second kept
        assert hidden.requires_grad
        (hidden * 3).sum().backward()
        return np.asarray(x.grad.tolist()), np.asarray(hidden[1].tolist())

    theirs, ours = gradient(torch), gradient(autograd)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize(
    ("fill", "args", "keywords", "allowed"),
    [
        ("random_", (), {"to": 3}, {0, 1, 2}),
        ("random_", (2,), {"to": 4}, {2, 3}),
        ("random_", (), {"from": 5, "to": 7}, {5, 6}),
        ("uniform_", (), {"from": 2, "to": 2}, {2}),
        ("uniform_", (3,), {"to": 3}, {3}),
    ],
)
def test_random_and_uniform_fills_take_torchs_from_and_to_keywords(fill, args, keywords, allowed):
    theirs = getattr(torch.zeros(500), fill)(*args, **keywords)
    ours = getattr(Tensor(np.zeros(500, np.float32)), fill)(*args, **keywords)
    assert set(theirs.tolist()) <= allowed and set(ours.data.tolist()) <= allowed
    assert len(set(ours.data.tolist())) == len(set(theirs.tolist()))


def test_default_generator_is_the_state_manual_seed_returns_and_seeding_it_seeds_the_library_as_torch():
    for module in (torch, autograd):
        first = module.manual_seed(3)
        assert module.manual_seed(4) is first is module.default_generator is module.random.default_generator
        assert module.initial_seed() == 4 == first.initial_seed()
        module.default_generator.manual_seed(5)
        drawn = module.rand(4)
        module.manual_seed(5)
        assert module.equal(module.rand(4), drawn)
        state = module.default_generator.get_state()
        drawn = module.rand(4)
        module.set_rng_state(state)
        assert module.equal(module.rand(4, generator=module.default_generator), drawn)


@pytest.mark.parametrize("p", [0.0, 1.0, 1.5, float("nan")])
def test_geometric_fill_refuses_p_outside_the_open_unit_interval_as_torch(p):
    with pytest.raises(RuntimeError, match="geometric_ expects p to be in"):
        torch.zeros(3).geometric_(p)
    with pytest.raises(RuntimeError, match=r"geometric_: p must be in \(0, 1\)"):
        Tensor(np.zeros(3)).geometric_(p)


@pytest.mark.parametrize("recorded_self", [False, True])
def test_bernoulli_fill_with_probabilities_that_require_grad_gives_them_a_zero_gradient_as_torch(recorded_self):
    def gradients(module):
        probabilities = module.full((3,), 0.5, dtype=module.float64, requires_grad=True)
        x = module.ones(2, 3, dtype=module.float32, requires_grad=True)
        target = x * 2 if recorded_self else module.zeros(2, 3, dtype=module.float32)
        target.bernoulli_(probabilities)
        assert target.requires_grad and target.dtype == module.float32
        (target * 3).sum().backward()
        return np.asarray(probabilities.grad.tolist()), x.grad is None

    theirs, ours = gradients(torch), gradients(autograd)
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert ours[1] == theirs[1]


def test_multinomial_takes_a_0d_integer_tensor_as_its_number_of_samples_as_torch():
    theirs = torch.multinomial(torch.ones(3), torch.tensor(2))
    ours = autograd.multinomial(Tensor(np.ones(3)), autograd.tensor(2))
    assert ours.shape == tuple(theirs.shape) == (2,) and ours.dtype == np.int64
    with pytest.raises(TypeError, match="num_samples"):
        autograd.multinomial(Tensor(np.ones(3)), autograd.tensor(2.0))


def test_generator_get_state_is_a_uint8_tensor_that_clones_and_restores_as_torchs():
    for module in (torch, autograd):
        generator = module.Generator().manual_seed(8)
        state = generator.get_state()
        assert isinstance(state, module.Tensor) and state.dtype == module.uint8 and state.ndim == 1
        drawn = module.rand(4, generator=generator)
        generator.set_state(state.clone())
        assert module.equal(module.rand(4, generator=generator), drawn)
        assert module.equal(generator.get_state(), module.Generator().set_state(generator.get_state()).get_state())


@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool"])
def test_bernoulli_refuses_integer_probabilities_but_fills_integers_with_a_number_p_as_torch(dtype):
    with pytest.raises(NotImplementedError, match="bernoulli"):
        torch.bernoulli(torch.ones(3, dtype=getattr(torch, dtype)))
    with pytest.raises(NotImplementedError, match="bernoulli: the probabilities must be floating point"):
        autograd.bernoulli(Tensor(np.ones(3, dtype=dtype)))
    theirs = torch.ones(3, dtype=getattr(torch, dtype)).bernoulli(0.5)
    ours = Tensor(np.ones(3, dtype=dtype)).bernoulli(0.5)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.") and set(ours.data.tolist()) <= {0, 1}
