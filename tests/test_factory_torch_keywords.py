"""torch's spellings of the tensor factories: ``device=`` (the CPU only) and torch's other factory keywords at
their defaults on every factory, ``autograd.Generator`` with ``generator=`` wherever a draw takes a random
source, and ``linspace``/``logspace``'s ``steps=``. The tests that read torch skip without it."""

import copy
import inspect
import pickle
import re
import warnings

import numpy as np
import pytest

import autograd
import autograd.random_state
import nn
import nn.functional as F
from autograd import Generator, Tensor, no_grad
from nn.data import DataLoader

#: Every factory of autograd with a torch spelling, called the same way on ``autograd`` or ``torch`` (``m``).
FACTORIES = {
    "zeros": lambda m, **options: m.zeros(2, 3, **options),
    "ones": lambda m, **options: m.ones(2, 3, **options),
    "empty": lambda m, **options: m.empty(2, 3, **options),
    "empty_strided": lambda m, **options: m.empty_strided((2, 3), (3, 1), **options),
    "empty_permuted": lambda m, **options: m.empty_permuted((2, 3), (1, 0), **options),
    "full": lambda m, **options: m.full((2, 3), 1.5, **options),
    "tensor": lambda m, **options: m.tensor([1.0, 2.0], **options),
    "as_tensor": lambda m, **options: m.as_tensor([1.0, 2.0], **options),
    "asarray": lambda m, **options: m.asarray([1.0, 2.0], **options),
    "arange": lambda m, **options: m.arange(0, 4, **options),
    "range": lambda m, **options: _without_deprecation_warning(m.range, 0, 3, **options),
    "randn": lambda m, **options: m.randn(2, 3, **options),
    "rand": lambda m, **options: m.rand(2, 3, **options),
    "randint": lambda m, **options: m.randint(0, 5, (2, 3), **options),
    "randperm": lambda m, **options: m.randperm(4, **options),
    "linspace": lambda m, **options: m.linspace(0.0, 1.0, 5, **options),
    "logspace": lambda m, **options: m.logspace(0.0, 1.0, 5, **options),
    "eye": lambda m, **options: m.eye(3, **options),
    "tril_indices": lambda m, **options: m.tril_indices(3, 3, **options),
    "triu_indices": lambda m, **options: m.triu_indices(3, 3, **options),
    "zeros_like": lambda m, **options: m.zeros_like(m.ones(2, 3), **options),
    "ones_like": lambda m, **options: m.ones_like(m.ones(2, 3), **options),
    "full_like": lambda m, **options: m.full_like(m.ones(2, 3), 2.0, **options),
    "empty_like": lambda m, **options: m.empty_like(m.ones(2, 3), **options),
    "rand_like": lambda m, **options: m.rand_like(m.ones(2, 3), **options),
    "randn_like": lambda m, **options: m.randn_like(m.ones(2, 3), **options),
    "randint_like": lambda m, **options: m.randint_like(m.ones(2, 3), 5, **options),
}


def _without_deprecation_warning(factory, *args, **options):
    """``factory(*args, **options)`` with torch's deprecation warning of ``range`` caught (it warns on every call)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return factory(*args, **options)


#: torch's factory keywords that change nothing here at their defaults, and a value of each that is refused.
HARMLESS = {
    "layout": "sparse_coo",
    "out": Tensor(np.zeros(6)),
    "pin_memory": True,
    "memory_format": "channels_last",
}


@pytest.fixture(autouse=True)
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


def _parameters(name):
    return inspect.signature(getattr(autograd, name)).parameters


# -- device= ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("device", [None, "cpu", "cpu:0", Tensor([1.0]).device])
def test_every_factory_accepts_the_cpu_as_its_device(name, device):
    assert isinstance(FACTORIES[name](autograd, device=device), Tensor)


@pytest.mark.parametrize("name", FACTORIES)
def test_every_factory_refuses_another_device_naming_itself(name):
    with pytest.raises(ValueError, match=rf"^{name}: device 'cuda' is not available"):
        FACTORIES[name](autograd, device="cuda")


def test_a_port_of_nanogpts_position_indices_runs():
    x = autograd.randn(2, 4)
    positions = autograd.arange(0, 4, dtype=autograd.long, device=x.device)
    np.testing.assert_array_equal(positions.data, np.arange(4))
    assert positions.dtype == np.int64


# -- torch's other factory keywords ----------------------------------------------------------------------------
#: The factories that write into torch's out= (tests/test_tensor_creation_torch.py); the others refuse it.
TAKES_OUT = {"zeros", "ones", "empty", "full", "arange", "linspace", "eye", "rand", "randn"}
HARMLESS_CASES = [
    (name, keyword)
    for name in FACTORIES
    for keyword in HARMLESS
    if keyword in _parameters(name) and not (keyword == "out" and name in TAKES_OUT)
]


@pytest.mark.parametrize("name,keyword", HARMLESS_CASES)
def test_torchs_harmless_keywords_are_accepted_at_their_defaults(name, keyword):
    default = _parameters(name)[keyword].default
    assert isinstance(FACTORIES[name](autograd, **{keyword: default}), Tensor)


@pytest.mark.parametrize("name,keyword", HARMLESS_CASES)
def test_torchs_harmless_keywords_refuse_other_values_naming_the_factory(name, keyword):
    with pytest.raises(ValueError, match=rf"^{name}: {keyword}"):
        FACTORIES[name](autograd, **{keyword: HARMLESS[keyword]})


@pytest.mark.parametrize("name", ["zeros", "empty", "randn", "zeros_like", "tril_indices"])
def test_the_strided_layout_and_plain_memory_formats_are_accepted_by_name(name):
    options = {"layout": "strided"}
    if "memory_format" in _parameters(name):
        options["memory_format"] = "contiguous_format"
    assert isinstance(FACTORIES[name](autograd, **options), Tensor)


@pytest.mark.parametrize("name", ["randint", "randperm", "tril_indices", "triu_indices"])
def test_integer_factories_give_int64_for_dtype_none_as_torch(name):
    assert FACTORIES[name](autograd, dtype=None).dtype == np.int64


def test_randint_like_keeps_an_explicit_dtype():
    assert autograd.randint_like(autograd.ones(3), 5, dtype=np.dtype(np.int32)).dtype == np.int32


# -- linspace and logspace -------------------------------------------------------------------------------------
def test_linspace_takes_torchs_steps_and_end_as_well_as_numpys_num():
    expected = np.linspace(-3, 0, 1000)
    np.testing.assert_array_equal(autograd.linspace(-3, 0, steps=1000).data, expected)
    np.testing.assert_array_equal(autograd.linspace(-3, 0, num=1000).data, expected)
    np.testing.assert_array_equal(autograd.linspace(-3, 0, 1000).data, expected)
    np.testing.assert_array_equal(autograd.linspace(start=-3, end=0, steps=1000).data, expected)


def test_linspace_refuses_both_spellings_or_no_end():
    with pytest.raises(TypeError, match="linspace: got both num=10 and steps=5"):
        autograd.linspace(0, 1, 10, steps=5)
    with pytest.raises(TypeError, match="linspace: got both stop=1 and end=2"):
        autograd.linspace(0, 1, end=2)
    with pytest.raises(TypeError, match="linspace: missing stop="):
        autograd.linspace(0, steps=3)


@pytest.mark.parametrize(("start", "end"), [(-2.7, 7), (3, -3), (0.5, 0.5)])
def test_linspace_of_an_integer_dtype_takes_0d_tensor_ends_as_torchs(start, end):
    torch = pytest.importorskip("torch")
    expected = torch.linspace(torch.tensor(start), torch.tensor(end), 5, dtype=torch.int64)
    got = autograd.linspace(autograd.tensor(start), autograd.tensor(end), 5, dtype=autograd.int64)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.data, expected.numpy())


def test_logspace_takes_torchs_steps_and_base():
    np.testing.assert_allclose(autograd.logspace(0, 3, steps=4, base=2).data, [1.0, 2.0, 4.0, 8.0])


@pytest.mark.parametrize("factory", ["linspace", "logspace"])
def test_a_negative_number_of_steps_is_torchs_runtime_error(factory):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="non-negative"):
        getattr(torch, factory)(0, 1, -1)
    with pytest.raises(RuntimeError, match=f"{factory}: the number of"):
        getattr(autograd, factory)(0, 1, -1)


# -- autograd.Generator ----------------------------------------------------------------------------------------
def test_manual_seed_returns_the_generator_itself():
    generator = Generator()
    assert generator.manual_seed(2147483647) is generator
    assert generator.initial_seed() == 2147483647


def test_the_same_seed_gives_the_same_numbers():
    first = autograd.randn(27, 27, generator=Generator().manual_seed(2147483647)).data
    second = autograd.randn(27, 27, generator=Generator().manual_seed(2147483647)).data
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, autograd.randn(27, 27, generator=Generator().manual_seed(1)).data)


def test_reseeding_restarts_the_stream():
    generator = Generator().manual_seed(3)
    first = autograd.rand(5, generator=generator).data
    assert not np.array_equal(first, autograd.rand(5, generator=generator).data)  # the stream goes on
    np.testing.assert_array_equal(autograd.rand(5, generator=generator.manual_seed(3)).data, first)


def test_two_generators_draw_independently():
    one, other = Generator().manual_seed(7), Generator().manual_seed(7)
    autograd.randn(100, generator=one)
    untouched = autograd.randn(3, generator=other).data
    np.testing.assert_array_equal(untouched, autograd.randn(3, generator=Generator().manual_seed(7)).data)


def test_a_generator_leaves_the_librarys_random_state_alone():
    autograd.manual_seed(11)
    expected = autograd.randn(4).data
    autograd.manual_seed(11)
    autograd.randn(4, generator=Generator().manual_seed(0))
    np.testing.assert_array_equal(autograd.randn(4).data, expected)


def test_a_generator_without_a_seed_starts_from_torchs_default_seed():
    assert Generator().initial_seed() == autograd.random_state.DEFAULT_SEED == 67280421310721
    np.testing.assert_array_equal(Generator().random(3), Generator().random(3))


def test_seed_reseeds_from_fresh_entropy_and_returns_the_seed():
    generator = Generator()
    seed = generator.seed()
    assert generator.initial_seed() == seed and 0 <= seed < 2**64
    draws = generator.random(3)
    np.testing.assert_array_equal(Generator().manual_seed(seed).random(3), draws)


def test_negative_seeds_count_modulo_two_to_the_64_as_torchs():
    assert Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    np.testing.assert_array_equal(Generator().manual_seed(-1).random(2), Generator().manual_seed(2**64 - 1).random(2))


@pytest.mark.parametrize("seed,error", [(1.5, TypeError), (True, TypeError), ("1", TypeError), (2**64, ValueError)])
def test_manual_seed_refuses_what_is_no_seed(seed, error):
    with pytest.raises(error, match="Generator.manual_seed: seed"):
        Generator().manual_seed(seed)


def test_get_state_and_set_state_restore_the_position():
    generator = Generator().manual_seed(5)
    generator.integers(0, 2**32, dtype=np.uint32)  # leaves half a 64-bit draw in the state
    state = generator.get_state()
    expected = generator.integers(0, 2**32, size=4, dtype=np.uint32)
    assert generator.set_state(state) is generator
    np.testing.assert_array_equal(generator.integers(0, 2**32, size=4, dtype=np.uint32), expected)
    other = Generator().set_state(Tensor(state))
    assert other.initial_seed() == 5


def test_set_state_refuses_anything_but_a_saved_state():
    with pytest.raises(ValueError, match="Generator.set_state: expects the uint8 array"):
        Generator().set_state(np.zeros(3))


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda g: pickle.loads(pickle.dumps(g))])
def test_a_copied_generator_keeps_its_class_seed_and_position(duplicate):
    generator = Generator().manual_seed(9)
    generator.random(2)
    twin = duplicate(generator)
    assert type(twin) is Generator and twin.initial_seed() == 9
    np.testing.assert_array_equal(twin.random(3), generator.random(3))


def test_a_generator_lives_on_the_cpu():
    assert Generator(device="cpu").device == "cpu"
    with pytest.raises(ValueError, match="Generator: device 'cuda' is not available"):
        Generator(device="cuda")


def test_generator_is_exported():
    assert "Generator" in autograd.__all__ and autograd.Generator is autograd.random_state.Generator


# -- generator= and rng= ---------------------------------------------------------------------------------------
def test_every_function_of_autograd_with_rng_also_takes_generator():
    draws = [name for name in autograd.__all__ if name != "generator_for"]  # (the conversion rng -> Generator)
    with_rng = [name for name in draws if callable(getattr(autograd, name)) and _takes(name, "rng")]
    assert with_rng and [name for name in with_rng if not _takes(name, "generator")] == []


def _takes(name, keyword):
    try:
        return keyword in _parameters(name)
    except (TypeError, ValueError):  # no signature (a class such as Tensor)
        return False


@pytest.mark.parametrize("name", ["randn", "rand", "randn_like", "rand_like"])
def test_generator_is_rngs_torch_name(name):
    seeded = Generator().manual_seed(5)  # the stream of numpy's default_rng(5)
    np.testing.assert_array_equal(
        FACTORIES[name](autograd, generator=seeded).data, FACTORIES[name](autograd, rng=5).data
    )
    with pytest.raises(TypeError, match=rf"^{name}: got both rng= and generator="):
        FACTORIES[name](autograd, rng=1, generator=seeded)


def _fill(method, *args):
    def draw(generator):
        filled = Tensor(np.zeros(6))
        with no_grad():
            getattr(filled, method)(*args, generator=generator)
        return filled

    return draw


#: One draw of every kind that takes a random source, from the Generator given.
DRAWS = {
    "randn": lambda g: autograd.randn(6, generator=g),
    "rand": lambda g: autograd.rand(6, generator=g),
    "randn_like": lambda g: autograd.randn_like(autograd.ones(6), generator=g),
    "rand_like": lambda g: autograd.rand_like(autograd.ones(6), generator=g),
    "randint": lambda g: autograd.randint(0, 100, (6,), generator=g),
    "randint_like": lambda g: autograd.randint_like(autograd.ones(6), 100, generator=g),
    "randperm": lambda g: autograd.randperm(6, generator=g),
    "multinomial": lambda g: autograd.multinomial(Tensor([0.1, 0.2, 0.7]), 6, replacement=True, generator=g),
    "bernoulli": lambda g: autograd.bernoulli(Tensor(np.full(6, 0.5)), generator=g),
    "uniform_": _fill("uniform_"),
    "normal_": _fill("normal_"),
    "random_": _fill("random_", 100),
    "bernoulli_": _fill("bernoulli_"),
    "exponential_": _fill("exponential_"),
    "geometric_": _fill("geometric_", 0.5),
    "cauchy_": _fill("cauchy_"),
    "log_normal_": _fill("log_normal_"),
    "nn.init.normal_": lambda g: nn.init.normal_(Tensor(np.zeros(6)), generator=g),
    "F.dropout": lambda g: F.dropout(Tensor(np.ones(6)), 0.5, rng=g),
    "nn.Linear": lambda g: nn.Linear(3, 2, rng=g).weight,
    "DataLoader": lambda g: np.concatenate(
        [labels for _, labels in DataLoader(np.zeros((6, 1)), np.arange(6), batch_size=2, shuffle=True, generator=g)]
    ),
}


def _drawn(draw, source):
    result = draw(source)
    return np.asarray(result.data if isinstance(result, Tensor) else result)


@pytest.mark.parametrize("draw", DRAWS.values(), ids=DRAWS.keys())
def test_every_random_draw_takes_a_generator_and_repeats_with_its_seed(draw):
    first = _drawn(draw, Generator().manual_seed(4))
    np.testing.assert_array_equal(_drawn(draw, Generator().manual_seed(4)), first)
    np.testing.assert_array_equal(_drawn(draw, np.random.default_rng(4)), first)  # numpy's stream of that seed


# -- against torch ---------------------------------------------------------------------------------------------
#: torch's parameters spelled differently here (kept for existing callers): the *_like functions of
#: autograd.tensor_functions name their input ``x``, ``full`` names its size numpy's ``shape``, and ``arange``
#: takes numpy's positional ``(start, stop, step)`` only.
RENAMED = {
    "full": {"size"},
    "zeros_like": {"input"},
    "ones_like": {"input"},
    "full_like": {"input"},
    "rand_like": {"input"},
    "randn_like": {"input"},
    "arange": {"start", "end", "step"},
}


def _torch_first_line(torch, name):
    """The first line of ``torch.<name>``'s docstring (its signature), or "" if it has none."""
    text = getattr(getattr(torch, name), "__doc__", None)
    return next((line.strip() for line in text.splitlines() if line.strip()), "") if isinstance(text, str) else ""


def test_the_factories_tested_are_every_torch_function_with_device_that_autograd_has():
    torch = pytest.importorskip("torch")
    with_device = [
        name
        for name in dir(torch)
        if not name.startswith("_")
        and hasattr(autograd, name)
        and _torch_first_line(torch, name).startswith(f"{name}(")
        and re.search(r"\bdevice\b", _torch_first_line(torch, name))
    ]
    assert with_device == sorted(FACTORIES)


def _torch_signature(torch, name):
    """(positional names, keyword-only names) of ``torch.<name>`` as the first line of its docstring states them."""
    line = _torch_first_line(torch, name)
    inside = re.sub(r"\[[^\]]*\]", "", line[line.index("(") + 1 : line.rindex(")")])
    positional, keywords, after_star = set(), set(), False
    for piece in (part.strip().lstrip("\\") for part in inside.split(",")):
        if piece == "*":
            after_star = True
        elif not piece.startswith("*"):  # *size is torch's varargs shape
            (keywords if after_star else positional).add(re.match(r"\w+", piece).group())
    return positional, keywords


@pytest.mark.parametrize("name", FACTORIES)
def test_every_torch_keyword_of_a_factory_is_taken_here(name):
    torch = pytest.importorskip("torch")
    positional, keywords = _torch_signature(torch, name)
    ours = set(_parameters(name))
    assert keywords - ours == set()
    assert positional - ours - RENAMED.get(name, set()) == set()


@pytest.mark.parametrize("name", FACTORIES)
def test_only_the_harmless_keywords_torch_has_on_a_factory_are_added(name):
    torch = pytest.importorskip("torch")
    _, keywords = _torch_signature(torch, name)
    assert set(HARMLESS) & set(_parameters(name)) == set(HARMLESS) & keywords


@pytest.mark.parametrize("name", FACTORIES)
def test_torchs_own_default_objects_are_accepted(name):
    torch = pytest.importorskip("torch")
    _, keywords = _torch_signature(torch, name)
    defaults = {"device": torch.device("cpu"), "layout": torch.strided, "out": None, "pin_memory": False}
    defaults["memory_format"] = torch.preserve_format if name.endswith("_like") else torch.contiguous_format
    options = {keyword: value for keyword, value in defaults.items() if keyword in keywords}
    expected = FACTORIES[name](torch, **options)
    result = FACTORIES[name](autograd, **options)
    assert tuple(result.shape) == tuple(expected.shape)
    with pytest.raises(ValueError, match="device"):
        FACTORIES[name](autograd, device=torch.device("meta"))


#: torch.Generator's methods with no meaning here: CUDA-graph state handling and Philox offsets.
NOT_MEANINGFUL = {"clone_state", "graphsafe_get_state", "graphsafe_set_state", "get_offset", "set_offset"}


def test_generator_has_torchs_methods_and_default_seed():
    torch = pytest.importorskip("torch")
    methods = {name for name in dir(torch.Generator) if not name.startswith("_")}
    assert methods - NOT_MEANINGFUL - set(dir(Generator)) == set()
    assert Generator().initial_seed() == torch.Generator().initial_seed()
    assert Generator(device=torch.device("cpu")).device == str(torch.Generator().device)


def test_accelerator_queries_answer_for_the_cpu():
    import autograd

    assert not autograd.cuda.is_available() and autograd.cuda.device_count() == 0
    assert not autograd.accelerator.is_available() and autograd.accelerator.current_accelerator() is None
    assert not autograd.backends.mps.is_available()
    autograd.cuda.manual_seed(0)  # nothing to seed, as torch without a GPU
    device = "cuda" if autograd.cuda.is_available() else "cpu"
    assert autograd.zeros(2, device=device).device == "cpu"
    with pytest.raises(RuntimeError, match="there is no GPU"):
        autograd.zeros(2).cuda()


def test_gpu_switches_of_training_scripts_have_torchs_defaults_and_can_be_set():
    """nanoGPT's train.py sets torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
    before anything else, and checks torch.cuda.is_bf16_supported(); on a CPU they are plain switches."""
    torch = pytest.importorskip("torch")
    import autograd

    switches = [
        ("cuda.matmul", "allow_tf32"),
        ("cuda.matmul", "allow_fp16_reduced_precision_reduction"),
        ("cuda.matmul", "allow_bf16_reduced_precision_reduction"),
        ("cudnn", "enabled"),
        ("cudnn", "allow_tf32"),
        ("cudnn", "benchmark"),
        ("cudnn", "deterministic"),
    ]
    for path, name in switches:
        ours, theirs = autograd.backends, torch.backends
        for part in path.split("."):
            ours, theirs = getattr(ours, part), getattr(theirs, part)
        assert getattr(ours, name) == getattr(theirs, name), (path, name)
        before = getattr(ours, name)
        try:
            setattr(ours, name, not before)
            assert getattr(ours, name) is (not before)
        finally:
            setattr(ours, name, before)
    assert autograd.backends.cudnn.is_available() == torch.backends.cudnn.is_available() is False
    assert autograd.cuda.is_bf16_supported() == torch.cuda.is_bf16_supported() is False


def test_cuda_cache_and_memory_queries_answer_as_torch_without_a_gpu():
    """fast.ai's clean_mem ends with torch.cuda.empty_cache(), which torch runs without a GPU."""
    torch = pytest.importorskip("torch")
    import autograd

    assert autograd.cuda.empty_cache() is None is torch.cuda.empty_cache()
    assert autograd.cuda.memory_allocated() == torch.cuda.memory_allocated() == 0


def test_deterministic_algorithms_switch_and_queries_follow_torch():
    """fast.ai's set_seed starts with torch.use_deterministic_algorithms(deterministic)."""
    torch = pytest.importorskip("torch")
    import autograd

    calls = [((True,), {}), ((True,), {"warn_only": True}), ((False,), {"warn_only": True}), ((False,), {})]
    try:
        for args, kwargs in calls:
            for lib in (torch, autograd):
                assert lib.use_deterministic_algorithms(*args, **kwargs) is None
            assert autograd.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
            assert (
                autograd.is_deterministic_algorithms_warn_only_enabled()
                == torch.is_deterministic_algorithms_warn_only_enabled()
            ), (args, kwargs)
        for args, kwargs in [((1,), {}), ((True,), {"warn_only": 1})]:
            for lib in (torch, autograd):
                with pytest.raises(TypeError, match="must be bool"):
                    lib.use_deterministic_algorithms(*args, **kwargs)
        assert autograd.are_deterministic_algorithms_enabled() is False
    finally:
        torch.use_deterministic_algorithms(False)
        autograd.use_deterministic_algorithms(False)


def test_a_zero_dimensional_index_scatters_into_a_vector_as_torch():
    import autograd

    one_hot = autograd.zeros(5).scatter_(0, autograd.tensor(3), value=1)
    np.testing.assert_array_equal(one_hot.data, [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(
        autograd.zeros(5).scatter_add(0, autograd.tensor(1), autograd.tensor(2.0)).data, [0, 2, 0, 0, 0]
    )
    with pytest.raises(ValueError, match="does not fit input of shape"):
        autograd.zeros(3, 3).scatter(0, autograd.tensor(1), 1.0)
