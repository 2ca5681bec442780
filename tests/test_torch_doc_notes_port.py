"""The code examples of PyTorch's documentation notes (``docs/source/notes/``) and the ``>>>`` examples of
``torch.utils.data``'s docstrings, run once with torch's names and once with this library's (``autograd`` for
``torch``, ``nn`` for ``torch.nn``, ``nn.data`` for ``torch.utils.data``) from the same inputs: shapes, dtypes,
values, gradients, names and errors must agree (the error messages of the broadcasting examples are checked for what
they name: for an out-of-place op ours is numpy's wording, ``operands could not be broadcast together with shapes
(5, 2, 4, 1) and (3, 1, 1)``, where torch names the sizes that clash).

Covered: "Broadcasting semantics" (which shapes broadcast, the result's size, the errors, in-place broadcasting),
"Modules" (a custom Linear, Sequential, children and named_modules, ModuleList/ModuleDict, apply, a training loop
with SGD, train/eval modes, buffers persistent and not, parameter and buffer registration and the state_dict they
give, saving and loading, dtype= at construction, skip_init, forward and backward hooks), and from
``torch.utils.data``: an IterableDataset that asks ``get_worker_info()``, the DataLoader over it, Sampler subclasses
ordering by length, BatchSampler, random_split with fractions, StackDataset, ``default_convert`` and
``default_collate`` on numbers, strings, dicts, namedtuples, tuples and lists; "Numerical accuracy" (a float32 norm
that overflows, batched and sliced products), the FAQ (a running total of losses keeping history, and
``pad_packed_sequence``'s ``total_length``), "Reproducibility" (a loader seeded through its generator) and what the
existing ports leave of "Autograd mechanics" (requires_grad propagation, freezing a base to train a new head,
backward in several threads) and "Serialization semantics" (views saved together stay views of one tensor after
loading; a saved state_dict loads into a fresh module).

Left out: most of the "Autograd mechanics" note and the "Extending PyTorch" note, ported in
tests/test_torch_tutorials_port.py and tests/test_pytorch_basics_tutorials_port.py; extending.func.rst (no
torch.func here); extending.rst's ``__torch_function__`` section (the library's functions dispatch on nothing but
their arguments' values, so a Tensor subclass or a tensor-like cannot override them); gradcheck.rst, which is
mathematics (gradcheck itself is ported in tests/test_gradcheck_torch_port.py); serialization.rst's storage and
file-format details (tests/test_serialization_torch_port.py says what of them applies); anything on CUDA devices,
multiprocessing workers (batches are always read in the calling process, so ``get_worker_info()`` is None and
``num_workers`` changes nothing: the notes' multi-worker outputs are torch's worker processes), half-precision
modules (``dtype=torch.half``) and the random draws themselves (WeightedRandomSampler's and random_split's indices
come from numpy's generators here, so only their counts and the split's partition are compared). A deliberate
difference: ``state_dict()`` gives copies here (torch's entries share the parameters' memory), so the state is set
with ``load_state_dict`` rather than by writing into a state_dict's tensors. torch 2.13 warns at ``float(loss)`` of
a loss requiring grad (the FAQ's own advice for a running total); the library does not. Inference mode is a no-grad
block here (a tensor made in it is an ordinary tensor, where torch refuses to save it for backward or to change it
in place afterwards), so the note's warning about inference tensors is not ported. The tensors are float64 where
torch's are float32 (the library's factories' default); layers are made float64 with ``.double()``.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections import namedtuple
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.data
import nn.utils

torch = pytest.importorskip("torch")
pytest.importorskip("torch.utils.data")

TORCH = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "data": torch.utils.data, "optim": torch.optim}
OURS = {"torch": autograd, "nn": nn, "F": nn.functional, "data": nn.data, "optim": nn.optim}
LIBS = pytest.mark.parametrize("lib", [TORCH, OURS], ids=["torch", "ours"])

Point = namedtuple("Point", ["x", "y"])


def _array(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _agree(expected: Any, got: Any, rtol: float = 1e-10) -> None:
    """Nested dicts, lists and tuples of arrays, numbers, strings and bools: equal, floats to ``rtol``."""
    if isinstance(expected, dict):
        assert list(expected) == list(got)
        _agree(list(expected.values()), list(got.values()), rtol)
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(got), (expected, got)
        for a, b in zip(expected, got):
            _agree(a, b, rtol)
    elif isinstance(expected, (str, bool, type(None))):
        assert expected == got
    else:
        e, g = _array(expected), _array(got)
        assert e.shape == g.shape
        np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol * 1e-2)


def _both(section: Any, rtol: float = 1e-10) -> None:
    _agree(section(TORCH), section(OURS), rtol)


def _fixed(lib: dict[str, Any], seed: int, *shape: int) -> Any:
    return lib["torch"].tensor(np.random.RandomState(seed).randn(*shape))


def _seeded(lib: dict[str, Any], module: Any, seed: int) -> Any:
    rs = np.random.RandomState(seed)
    with lib["torch"].no_grad():
        for p in module.parameters():
            p.copy_(lib["torch"].tensor(rs.randn(*p.shape)))
    return module


def _dtype_name(t: Any) -> str:
    return str(t.dtype).replace("torch.", "").replace("autograd.", "")


# -- Broadcasting semantics -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("x", "y", "size"),
    [
        ((5, 7, 3), (5, 7, 3), [5, 7, 3]),
        ((5, 3, 4, 1), (3, 1, 1), [5, 3, 4, 1]),
        ((5, 1, 4, 1), (3, 1, 1), [5, 3, 4, 1]),
    ]
    + [((1,), (3, 1, 7), [3, 1, 7]), ((4, 1), (4,), [4, 4])],
)
def test_broadcast_sizes_are_the_notes(x, y, size):
    for t in (torch, autograd):
        a, b = t.ones(*x), t.ones(*y)
        assert list((a + b).size()) == size
        assert list(t.add(a, b).shape) == size
        assert list(t.broadcast_shapes(x, y)) == size


def test_shapes_that_do_not_line_up_are_a_runtime_error_naming_them():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match the size of tensor b \(3\)"):
        torch.ones(5, 2, 4, 1) + torch.ones(3, 1, 1)
    with pytest.raises(RuntimeError, match=r"\(5, 2, 4, 1\) and \(3, 1, 1\)"):
        autograd.ones(5, 2, 4, 1) + autograd.ones(3, 1, 1)


def test_in_place_broadcasting_keeps_the_left_shape_and_cannot_grow_it():
    for t in (torch, autograd):
        x = t.ones(5, 3, 4, 1)
        assert list(x.add_(t.ones(3, 1, 1)).size()) == [5, 3, 4, 1]
        assert float(x.sum()) == 2 * 60
        # the note quotes an older message; torch 2.13's and the library's name the shape the result would need
        with pytest.raises(RuntimeError, match=r"[(\[]1, ?3, ?1[)\]] doesn't match the broadcast shape [(\[]3, ?3, ?7"):
            t.ones(1, 3, 1).add_(t.ones(3, 1, 7))


def test_broadcast_gradients_sum_over_the_expanded_dimensions():
    def run(lib):
        t = lib["torch"]
        x = _fixed(lib, 0, 5, 1, 4, 1).requires_grad_()
        y = _fixed(lib, 1, 3, 1, 1).requires_grad_()
        (x * y).pow(2).sum().backward()
        return [x.grad, y.grad, t.add(x, y).shape == (5, 3, 4, 1)]

    _both(run)


# -- Modules --------------------------------------------------------------------------------------------------------
def _my_linear(lib: dict[str, Any]) -> type:
    t, tnn = lib["torch"], lib["nn"]

    class MyLinear(tnn.Module):
        def __init__(self, in_features, out_features):
            super().__init__()
            self.weight = tnn.Parameter(t.randn(in_features, out_features, dtype=t.float64))
            self.bias = tnn.Parameter(t.randn(out_features, dtype=t.float64))

        def forward(self, input):
            return (input @ self.weight) + self.bias

    return MyLinear


def _nets(lib: dict[str, Any]) -> tuple[type, type, type]:
    tnn, F = lib["nn"], lib["F"]
    MyLinear = _my_linear(lib)

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = MyLinear(4, 3)
            self.l1 = MyLinear(3, 1)

        def forward(self, x):
            return self.l1(F.relu(self.l0(x)))

    class BigNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = MyLinear(5, 4)
            self.net = Net()

        def forward(self, x):
            return self.net(self.l1(x))

    return MyLinear, Net, BigNet


def _custom_modules(lib: dict[str, Any]) -> list[Any]:
    tnn = lib["nn"]
    MyLinear, Net, BigNet = _nets(lib)
    m = _seeded(lib, MyLinear(4, 3), 0)
    x = _fixed(lib, 1, 4)
    out = m(x)
    named = [(name, p, p.requires_grad) for name, p in m.named_parameters()]
    seq = _seeded(lib, tnn.Sequential(MyLinear(4, 3), tnn.ReLU(), MyLinear(3, 1)), 2)
    net = Net()
    children = [(name, type(c).__name__, repr(c)) for name, c in net.named_children()]
    big = _seeded(lib, BigNet(), 3)
    modules = [(name, type(mod).__name__) for name, mod in big.named_modules()]
    return [out, out.requires_grad, named, seq(x), children, modules, repr(big), big(_fixed(lib, 4, 2, 5))]


def test_a_simple_custom_module_and_its_composition_match_torch():
    _both(_custom_modules)


def _dynamic_net(lib: dict[str, Any]) -> list[Any]:
    t, tnn = lib["torch"], lib["nn"]
    MyLinear = _my_linear(lib)

    class DynamicNet(tnn.Module):
        def __init__(self, num_layers):
            super().__init__()
            self.linears = tnn.ModuleList([MyLinear(4, 4) for _ in range(num_layers)])
            self.activations = tnn.ModuleDict({"relu": tnn.ReLU(), "lrelu": tnn.LeakyReLU()})
            self.final = MyLinear(4, 1)

        def forward(self, x, act):
            for linear in self.linears:
                x = linear(x)
            return self.final(self.activations[act](x))

    net = _seeded(lib, DynamicNet(3), 5)
    x = _fixed(lib, 6, 4)
    outputs = [net(x, "relu"), net(x, "lrelu")]
    names = [name for name, _ in net.named_parameters()]
    net.to(dtype=t.float32)
    dtypes = [_dtype_name(p) for p in net.parameters()]
    net.to(dtype=t.float64)

    @t.no_grad()
    def init_weights(m):
        if isinstance(m, tnn.Linear):
            tnn.init.xavier_normal_(m.weight)
            m.bias.fill_(0.0)
        elif isinstance(m, MyLinear):
            m.bias.fill_(0.5)

    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert net.apply(init_weights) is net
    return [outputs, names, dtypes, visited, [p for name, p in net.named_parameters() if name.endswith("bias")]]


def test_dynamic_submodules_to_and_apply_match_torch():
    _both(_dynamic_net)


def _training_loop(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    _, Net, _ = _nets(lib)
    net = _seeded(lib, Net(), 7)
    optimizer = lib["optim"].SGD(net.parameters(), lr=1e-2, weight_decay=1e-2, momentum=0.9)
    inputs = np.random.RandomState(8).randn(50, 4)
    losses = []
    for row in inputs:
        loss = t.abs(net(t.tensor(row)))
        net.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss)
    training = net.training
    net.eval()
    return [losses, list(net.parameters()), training, net.training, net.l0.training]


def test_the_training_loop_with_sgd_and_eval_mode_match_torch():
    _both(_training_loop)


def test_a_modal_module_adds_one_only_in_training_mode_as_torch():
    def run(lib):
        class ModalModule(lib["nn"].Module):
            def forward(self, x):
                return x + 1.0 if self.training else x

        m = ModalModule()
        x = _fixed(lib, 9, 5)
        first = m(x)
        m.eval()
        return [first, m(x), m.train() is m, m(x)]

    _both(run)


def _running_mean(lib: dict[str, Any]) -> type:
    t, tnn = lib["torch"], lib["nn"]

    class RunningMean(tnn.Module):
        def __init__(self, num_features, momentum=0.9):
            super().__init__()
            self.momentum = momentum
            self.register_buffer("mean", t.zeros(num_features, dtype=t.float64))
            self.register_buffer("unserialized_thing", t.ones(5, dtype=t.float64), persistent=False)

        def forward(self, x):
            self.mean = self.momentum * self.mean + (1.0 - self.momentum) * x
            return self.mean

    return RunningMean


def _save_and_load(lib: dict[str, Any], state: Any) -> Any:
    buffer = io.BytesIO()
    if lib is TORCH:
        torch.save(state, buffer)
        buffer.seek(0)
        return torch.load(buffer)
    nn.save(state, buffer)
    buffer.seek(0)
    return nn.load(buffer)


def _buffers(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    RunningMean = _running_mean(lib)
    m = RunningMean(4)
    for seed in range(10):
        m(_fixed(lib, 10 + seed, 4))
    state = m.state_dict()
    loaded = RunningMean(4)
    result = loaded.load_state_dict(_save_and_load(lib, state))
    m.to(dtype=t.float32)
    return [
        dict(state),
        [list(result.missing_keys), list(result.unexpected_keys)],
        bool(t.all(loaded.mean == state["mean"])),
        [(name, _dtype_name(b)) for name, b in m.named_buffers()],
        [p.requires_grad for p in m.buffers()],
    ]


def test_persistent_and_non_persistent_buffers_match_torch():
    _both(_buffers)


def _stateful_module(lib: dict[str, Any]) -> list[Any]:
    t, tnn = lib["torch"], lib["nn"]

    class StatefulModule(tnn.Module):
        def __init__(self):
            super().__init__()
            self.param1 = tnn.Parameter(t.randn(2, dtype=t.float64))
            self.register_parameter("param2", tnn.Parameter(t.randn(3, dtype=t.float64)))
            self.register_parameter("param3", None)
            self.param_list = tnn.ParameterList([tnn.Parameter(t.randn(2, dtype=t.float64)) for _ in range(3)])
            self.param_dict = tnn.ParameterDict(
                {"foo": tnn.Parameter(t.randn(3, dtype=t.float64)), "bar": tnn.Parameter(t.randn(4, dtype=t.float64))}
            )
            self.register_buffer("buffer1", t.randn(4, dtype=t.float64), persistent=True)
            self.register_buffer("buffer2", t.randn(5, dtype=t.float64), persistent=False)
            self.register_buffer("buffer3", None)
            self.linear = tnn.Linear(2, 3).double()

    m = StatefulModule()
    rs = np.random.RandomState(20)
    m.load_state_dict({name: t.tensor(rs.randn(*v.shape)) for name, v in m.state_dict().items()})
    loaded = StatefulModule()
    loaded.load_state_dict(_save_and_load(lib, m.state_dict()))
    refusals = []
    for name, value in (("param3", t.ones(2)), ("buffer3", "text")):
        try:
            setattr(loaded, name, value)
        except TypeError as error:
            refusals.append(type(error).__name__)
    return [
        dict(loaded.state_dict()),
        [name for name, _ in loaded.named_parameters()],
        [name for name, _ in loaded.named_buffers()],
        loaded.param3 is None,
        loaded.buffer3 is None,
        refusals,
    ]


def test_the_ways_of_registering_state_and_the_state_dict_they_give_match_torch():
    _both(_stateful_module)


def test_module_initialization_options_match_torch():
    def run(lib):
        t, tnn = lib["torch"], lib["nn"]
        m = tnn.Linear(5, 3, dtype=t.float32)
        bn = tnn.BatchNorm2d(3, dtype=t.float32)
        skipped = (
            nn.utils.skip_init(nn.Linear, 5, 3) if lib is OURS else torch.nn.utils.skip_init(torch.nn.Linear, 5, 3)
        )
        tnn.init.orthogonal_(skipped.weight)
        w = skipped.weight.detach()
        return [
            _dtype_name(m.weight),
            _dtype_name(m.bias),
            _dtype_name(bn.running_mean),
            bn.running_mean,
            list(skipped.weight.shape),
            bool((w @ w.T - t.eye(3)).abs().max() < 1e-5),
        ]

    _both(run)


def _hooks(lib: dict[str, Any]) -> list[Any]:
    t, tnn = lib["torch"], lib["nn"]

    def forward_pre_hook(m, inputs):
        return inputs[0] + 1.0

    def forward_hook(m, inputs, output):
        return output + inputs[0]

    def backward_hook(m, grad_inputs, grad_outputs):
        return [t.ones_like(gi) * 42.0 for gi in grad_inputs]

    m = _seeded(lib, tnn.Linear(3, 3).double(), 30)
    x = _fixed(lib, 31, 2, 3).requires_grad_()
    outputs = [m(x)]
    pre = m.register_forward_pre_hook(forward_pre_hook)
    outputs.append(m(x))
    post = m.register_forward_hook(forward_hook)
    outputs.append(m(x))
    pre.remove()
    post.remove()
    outputs.append(m(x))
    m(x).sum().backward()
    grads = [x.grad.clone()]
    m.zero_grad()
    x.grad.zero_()
    m.register_full_backward_hook(backward_hook)
    m(x).sum().backward()
    grads.append(x.grad)
    return [outputs, grads, m.weight.grad]


def test_forward_and_backward_hooks_match_torch():
    _both(_hooks)


# -- torch.utils.data -----------------------------------------------------------------------------------------------
def _iterable_dataset(lib: dict[str, Any]) -> type:
    data = lib["data"]

    class MyIterableDataset(data.IterableDataset):
        def __init__(self, start, end):
            super().__init__()
            assert end > start
            self.start, self.end = start, end

        def __iter__(self):
            info = data.get_worker_info()
            if info is None:
                return iter(range(self.start, self.end))
            per_worker = -(-(self.end - self.start) // info.num_workers)
            first = self.start + info.id * per_worker
            return iter(range(first, min(first + per_worker, self.end)))

    return MyIterableDataset


def test_an_iterable_dataset_read_in_the_calling_process_matches_torch():
    def run(lib):
        data = lib["data"]
        ds = _iterable_dataset(lib)(3, 7)
        batches = list(data.DataLoader(ds, num_workers=0))
        pairs = list(data.DataLoader(ds, batch_size=2))
        return [batches, [_dtype_name(b) for b in batches], pairs, data.get_worker_info() is None]

    _both(run)


def test_samplers_ordering_by_length_match_torch():
    def run(lib):
        t, data = lib["torch"], lib["data"]
        texts = ["a" * n for n in (5, 1, 4, 2, 8, 3, 7)]

        class LengthSampler(data.Sampler):
            def __init__(self, data_source):
                self.data = data_source

            def __len__(self):
                return len(self.data)

            def __iter__(self):
                yield from t.argsort(t.tensor([len(x) for x in self.data])).tolist()

        class LengthBatchSampler(data.Sampler):
            def __init__(self, data_source, batch_size):
                self.data, self.batch_size = data_source, batch_size

            def __len__(self):
                return (len(self.data) + self.batch_size - 1) // self.batch_size

            def __iter__(self):
                for batch in t.chunk(t.argsort(t.tensor([len(x) for x in self.data])), len(self)):
                    yield batch.tolist()

        order = list(LengthSampler(texts))
        batches = list(LengthBatchSampler(texts, 3))
        loader = data.DataLoader(texts, batch_sampler=LengthBatchSampler(texts, 3), collate_fn=lambda b: b)
        return [order, batches, list(loader), len(loader)]

    _both(run)


def test_batch_sampler_examples_match_torch():
    def run(lib):
        data = lib["data"]
        return [
            list(data.BatchSampler(data.SequentialSampler(range(10)), batch_size=3, drop_last=False)),
            list(data.BatchSampler(data.SequentialSampler(range(10)), batch_size=3, drop_last=True)),
            len(data.BatchSampler(data.SequentialSampler(range(10)), batch_size=3, drop_last=False)),
        ]

    _both(run)


def test_weighted_random_sampler_draws_as_many_indices_as_asked_and_without_replacement_distinct_ones():
    for data in (torch.utils.data, nn.data):
        drawn = list(data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, replacement=True))
        assert len(drawn) == 5 and all(0 <= i < 6 for i in drawn)
        distinct = list(data.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False))
        assert len(set(distinct)) == 5 and all(type(i) is int for i in distinct)


def test_random_split_lengths_and_fractions_partition_the_dataset_as_torch():
    def run(lib):
        data = lib["data"]
        halves = data.random_split(range(10), [3, 7], generator=_generator(lib, 42))
        thirds = data.random_split(range(30), [0.3, 0.3, 0.4], generator=_generator(lib, 42))
        return [
            [len(s) for s in halves],
            sorted(i for s in halves for i in s),
            [len(s) for s in thirds],
            sorted(i for s in thirds for i in s),
            [type(s).__name__ for s in thirds],
        ]

    _both(run)


def _generator(lib: dict[str, Any], seed: int) -> Any:
    return torch.Generator().manual_seed(seed) if lib is TORCH else np.random.default_rng(seed)


def test_stack_dataset_tuple_and_dict_forms_match_torch():
    def run(lib):
        data = lib["data"]
        images = [np.full((2, 2), float(i)) for i in range(4)]
        texts = [f"text {i}" for i in range(4)]
        tuple_stack = data.StackDataset(images, texts)
        dict_stack = data.StackDataset(image=images, text=texts)
        batch = next(iter(data.DataLoader(dict_stack, batch_size=3)))
        return [len(tuple_stack), tuple_stack[1], dict_stack[2], batch, _dtype_name(batch["image"])]

    _both(run)


def test_default_convert_examples_match_torch():
    def run(lib):
        convert = lib["data"].default_convert
        point = convert(Point(np.array(0), np.array(0)))
        listed = convert([np.array([0, 1]), np.array([2, 3])])
        array = convert(np.array([0, 1]))
        return [
            convert(0),
            array,
            _dtype_name(array),
            type(convert(Point(0, 0))).__name__,
            type(point).__name__,
            list(point),
            listed,
            [_dtype_name(a) for a in listed],
        ]

    _both(run)


def test_default_collate_examples_match_torch():
    def run(lib):
        collate = lib["data"].default_collate
        ints = collate([0, 1, 2, 3])
        mapping = collate([{"A": 0, "B": 1}, {"A": 100, "B": 100}])
        point = collate([Point(0, 0), Point(1, 1)])
        pairs = collate([(0, 1), (2, 3)])
        lists = collate([[0, 1], [2, 3]])
        floats = collate([0.5, 1.5])
        return [
            ints,
            _dtype_name(ints),
            collate(["a", "b", "c"]),
            mapping,
            type(point).__name__,
            list(point),
            type(pairs).__name__,
            pairs,
            type(lists).__name__,
            lists,
            floats,
            _dtype_name(floats),
        ]

    _both(run)


def test_a_custom_collate_falling_back_to_default_collate_matches_torch():
    def run(lib):
        data = lib["data"]

        class Custom:
            def __init__(self, value):
                self.value = value

        def custom_collate(batch):
            if isinstance(batch[0], Custom):
                return [c.value * 2 for c in batch]
            return data.default_collate(batch)

        loader = data.DataLoader([Custom(i) for i in range(5)], batch_size=2, collate_fn=custom_collate)
        plain = data.DataLoader([(i, float(i)) for i in range(5)], batch_size=2, collate_fn=custom_collate)
        return [list(loader), list(plain)]

    _both(run)


# -- Numerical accuracy ---------------------------------------------------------------------------------------------
def test_a_float32_norm_overflows_where_the_float64_one_does_not_as_the_note_says():
    def run(lib):
        t = lib["torch"]
        a = t.tensor([1e20, 1e20], dtype=t.float32)
        with np.errstate(over="raise"):  # no warning or error at this legal extreme input, as torch
            single = a.norm()
        return [single, _dtype_name(single), a.double().norm(), _dtype_name(a.double().norm())]

    _both(run)


def test_batched_and_sliced_computations_agree_with_the_whole_to_rounding():
    def run(lib):
        A, B = _fixed(lib, 40, 3, 4, 5), _fixed(lib, 41, 3, 5, 2)
        M = _fixed(lib, 42, 4, 6)
        return [(A @ B)[0], A[0] @ B[0], M.sum(-1)[0], M[0, :].sum(), lib["torch"].bmm(A, B)[2]]

    _both(run)


# -- Frequently Asked Questions -------------------------------------------------------------------------------------
def test_a_total_loss_summed_from_losses_keeps_history_and_one_summed_from_floats_does_not():
    def run(lib):
        t, tnn = lib["torch"], lib["nn"]
        model = _seeded(lib, tnn.Linear(3, 1).double(), 50)
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.1)
        x = _fixed(lib, 51, 4, 3)
        total_loss, total_float = 0, 0
        for _ in range(3):
            optimizer.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            optimizer.step()
            total_loss += loss
            with warnings.catch_warnings():  # torch 2.13 warns at float() of a tensor requiring grad; this does not
                warnings.simplefilter("ignore", UserWarning)
                total_float += float(loss)
        return [
            total_loss,
            total_loss.requires_grad,
            total_loss.grad_fn is not None,
            total_float,
            type(total_float).__name__,
            isinstance(total_loss, t.Tensor),
        ]

    _both(run)


def test_pad_packed_sequence_with_total_length_pads_to_the_batchs_length_as_torch():
    def run(lib):
        t, tnn = lib["torch"], lib["nn"]
        rnn = tnn.utils.rnn
        lstm = _seeded(lib, tnn.LSTM(3, 2, batch_first=True).double(), 60)
        padded = _fixed(lib, 61, 3, 5, 3).requires_grad_()
        lengths = [4, 2, 1]  # sorted, and shorter than the padded length 5
        packed = rnn.pack_padded_sequence(padded, lengths, batch_first=True)
        packed_output, _ = lstm(packed)
        short, short_lengths = rnn.pad_packed_sequence(packed_output, batch_first=True)
        output, output_lengths = rnn.pad_packed_sequence(packed_output, batch_first=True, total_length=padded.size(1))
        output.pow(2).sum().backward()
        return [
            list(short.shape),
            list(output.shape),
            output,
            output_lengths,
            short_lengths,
            padded.grad,
            t.is_tensor(output),
        ]

    _both(run)


# -- Reproducibility ------------------------------------------------------------------------------------------------
def test_a_loader_seeded_through_its_generator_repeats_its_order_and_calls_no_worker_init_here():
    calls = []

    def seed_worker(worker_id):
        calls.append(worker_id)

    def orders(seed):
        loader = nn.data.DataLoader(
            list(range(10)),
            batch_size=4,
            shuffle=True,
            num_workers=2,
            worker_init_fn=seed_worker,
            generator=np.random.default_rng(seed),
        )
        return [b.tolist() for b in loader]

    first, again = orders(0), orders(0)
    assert first == again
    assert sorted(i for b in first for i in b) == list(range(10))
    assert [len(b) for b in first] == [4, 4, 2]
    assert calls == []  # batches are read in the calling process: there is no worker to start


# -- Autograd mechanics (what tests/test_torch_tutorials_port.py leaves) --------------------------------------------
def test_requires_grad_propagates_and_a_frozen_base_trains_only_its_new_head_as_torch():
    def run(lib):
        tnn = lib["nn"]
        x, y = _fixed(lib, 70, 5, 5), _fixed(lib, 71, 5, 5)
        z = _fixed(lib, 72, 5, 5).requires_grad_()
        a = x + y
        b = a + z
        model = _seeded(lib, tnn.Sequential(tnn.Linear(4, 6), tnn.ReLU(), tnn.Linear(6, 3)).double(), 73)
        for param in model.parameters():
            param.requires_grad = False
        model[2] = _seeded(lib, tnn.Linear(6, 2).double(), 74)
        optimizer = lib["optim"].SGD(model[2].parameters(), lr=1e-2, momentum=0.9)
        inputs = _fixed(lib, 75, 3, 4)
        hidden = model[1](model[0](inputs))
        for _ in range(3):
            optimizer.zero_grad()
            model(inputs).pow(2).sum().backward()
            optimizer.step()
        return [
            a.requires_grad,
            b.requires_grad,
            hidden.requires_grad,
            hidden.grad_fn is None,
            [p.grad is None for p in model[0].parameters()],
            list(model.parameters()),
            model.requires_grad_() is model,
            [p.requires_grad for p in model.parameters()],
        ]

    _both(run)


def test_training_functions_run_in_threads_give_each_its_own_gradient_as_torch():
    def run(lib):
        t = lib["torch"]
        grads = [None] * 4

        def train_fn(slot):
            x = t.ones(5, 5, dtype=t.float64, requires_grad=True)
            y = (x + 3) * (x + 4) * 0.5
            y.sum().backward()
            grads[slot] = x.grad

        threads = [threading.Thread(target=train_fn, args=(slot,)) for slot in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return grads

    _both(run)


# -- Serialization semantics ----------------------------------------------------------------------------------------
def test_saved_views_of_one_tensor_stay_views_of_it_after_loading_as_torch():
    def run(lib):
        t = lib["torch"]
        numbers = t.arange(1, 10)
        evens = numbers[1::2]
        loaded_numbers, loaded_evens = _save_and_load(lib, [numbers, evens])
        loaded_evens *= 2
        small = _save_and_load(lib, numbers[5:].clone())
        return [loaded_numbers, loaded_evens, _dtype_name(loaded_numbers), small, numbers]

    _both(run)


def test_a_saved_state_dict_loads_into_a_fresh_module_as_the_note_says():
    def run(lib):
        tnn = lib["nn"]
        bn = _seeded(lib, tnn.BatchNorm1d(3).double(), 80)
        bn(_fixed(lib, 81, 6, 3))  # moves the running statistics and counts the batch
        fresh = tnn.BatchNorm1d(3).double()
        result = fresh.load_state_dict(_save_and_load(lib, bn.state_dict()))
        fresh.eval()
        return [
            list(bn.state_dict()),
            [list(result.missing_keys), list(result.unexpected_keys)],
            dict(fresh.state_dict()),
            fresh(_fixed(lib, 82, 2, 3)),
        ]

    _both(run)
