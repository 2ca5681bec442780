"""Benchmark: the path users write, against the numpy floor, the raw-Tensor path and torch.

Workloads (float32, batch of random inputs and labels, softmax cross-entropy):
  * MLP 784-256-128-10, batch 128, forward + backward + SGD step (matmul-bound);
  * MLP 64-32-10, batch 32, forward + backward + SGD step (per-op overhead);
  * conv3x3(1->8, pad 1) + ReLU + maxpool 2 + linear, batch 32 of 1x28x28, forward + backward;
  * LeNet: conv5x5(1->6) + ReLU + pool 2, conv5x5(6->16) + ReLU + pool 2, linear 256-120-84-10,
    batch 64 of 1x28x28, forward + backward.

Contenders:
  floor  hand-derived gradients in plain numpy (``numpy_floor.FloorNet``, NHWC im2col);
  users  ``nn.Sequential`` of ``nn.Linear``/``nn.Conv2d``/``nn.ReLU``/``nn.MaxPool2d``/``nn.Flatten``,
         ``nn.functional.cross_entropy``, ``nn.optim.SGD`` with ``optimizer.zero_grad()``
         (``model.zero_grad()`` without an update);
  raw    (MLPs) Tensors ``x @ w + b`` with w stored (in, out), ``p.data -= lr * p.grad``;
  contract  (MLPs) the floor under two contracts of torch's API that the users' path keeps
         (``numpy_floor.ContractFloorNet``: weights (out, in), gradients that outlive the update): its
         ratio is what those contracts alone cost, the rest of the users' path's is the engine's;
  torch  the same ``torch.nn`` model and ``torch.optim.SGD``, when torch is installed.

Before timing, every contender's loss and gradients (and, with an SGD step, its updated
parameters) must equal the floor's; a mismatch raises ``MismatchError`` and nothing is timed.
Contenders run in interleaved rounds in one process, BLAS and torch on one thread
(``--threads``); ratios are medians of per-round ratios to the floor. Memory: the peak traced
by ``tracemalloc`` during one step after warm-up, parameters and retained gradients included,
users' path vs floor (torch's allocator is invisible to tracemalloc). Each line also gives the
minor page faults per step of every contender, counted in the same process: where a step's
temporaries make glibc give heap memory back and fault it in again, that shows there (it has made
one process's users' path twice another's on LeNet, with the floor unchanged).

Run by hand: ``python bench/users_path.py [--quick]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from harness import (
    MismatchError,
    Step,
    check_close,
    check_loss_and_gradients,
    interleaved_medians,
    milliseconds,
    optional_torch,
    page_faults_per_step,
    paired_ratio,
    peak_step_bytes,
    single_threaded,
)
from numpy_floor import ContractFloorNet, FloorNet

import nn
import nn.functional as F
from autograd import Tensor

LEARNING_RATE = 0.01


@dataclass
class Workload:
    """A network (``build`` makes it, seeded), its batch shape and whether a step includes an SGD update."""

    name: str
    build: Callable[[], nn.Sequential]
    input_shape: tuple[int, ...]
    sgd: bool
    target: float  # the goal for the users' path: time <= target * the floor's
    pooled_shape: tuple[int, int, int] = (0, 0, 0)  # (h, w, c) after the last pool, for the floor
    raw: bool = False  # also time the raw-Tensor path (MLPs)
    classes: int = 10

    def batch(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(self.input_shape).astype(np.float32)
        return x, rng.integers(0, self.classes, size=self.input_shape[0])


def mlp(sizes: list[int]) -> Callable[[], nn.Sequential]:
    def build() -> nn.Sequential:
        layers: list[nn.Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers += [nn.Linear(n_in, n_out, rng=i), nn.ReLU()]
        return nn.Sequential(*layers[:-1])

    return build


def small_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, rng=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 14 * 14, 10, rng=1),
    )


def lenet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, rng=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, rng=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120, rng=2),
        nn.ReLU(),
        nn.Linear(120, 84, rng=3),
        nn.ReLU(),
        nn.Linear(84, 10, rng=4),
    )


WORKLOADS = [
    Workload(
        "MLP 784-256-128-10, batch 128, f32, fwd+bwd+SGD",
        mlp([784, 256, 128, 10]),
        input_shape=(128, 784),
        sgd=True,
        target=1.10,
        raw=True,
    ),
    Workload(
        "MLP 64-32-10, batch 32 (per-op overhead), fwd+bwd+SGD",
        mlp([64, 32, 10]),
        input_shape=(32, 64),
        sgd=True,
        target=2.0,
        raw=True,
    ),
    Workload(
        "conv3x3(1->8, pad 1) + ReLU + maxpool 2 + linear + CE, batch 32 of 1x28x28, fwd+bwd",
        small_cnn,
        input_shape=(32, 1, 28, 28),
        sgd=False,
        target=1.2,
        pooled_shape=(14, 14, 8),
    ),
    Workload(
        "LeNet: conv5x5(1->6) + ReLU + pool, conv5x5(6->16) + ReLU + pool, linear 256-120-84-10, batch 64, fwd+bwd",
        lenet,
        input_shape=(64, 1, 28, 28),
        sgd=False,
        target=1.2,
        pooled_shape=(4, 4, 16),
    ),
]

#: Goal of issue 15 for the peak traced memory of a users'-path step, as a ratio to the floor's.
MEMORY_TARGET = 1.2


# -- contenders: each ``make_*`` builds a fresh, identically initialised model and returns its step --
def make_floor(workload: Workload, x: np.ndarray, y: np.ndarray) -> tuple[FloorNet, Step]:
    convs, dense = [], []
    for layer in workload.build():
        weight_and_bias = [np.array(p.data) for p in layer.parameters()]  # plain copies
        if isinstance(layer, nn.Conv2d):
            convs.append((*weight_and_bias, layer.padding[0]))
        elif isinstance(layer, nn.Linear):
            dense.append(tuple(weight_and_bias))
    floor = FloorNet(convs, dense, LEARNING_RATE, workload.pooled_shape)
    if workload.sgd:
        return floor, lambda: floor.step(x, y)
    return floor, lambda: floor.gradients(x, y)


def make_contract_floor(workload: Workload, x: np.ndarray, y: np.ndarray) -> tuple[ContractFloorNet, Step]:
    dense = [
        tuple(np.array(p.data) for p in layer.parameters())
        for layer in workload.build()
        if isinstance(layer, nn.Linear)
    ]
    floor = ContractFloorNet(dense, LEARNING_RATE)
    return floor, lambda: floor.step(x, y)


def make_users(workload: Workload, x: np.ndarray, y: np.ndarray) -> tuple[nn.Sequential, Step]:
    model = workload.build()
    if not workload.sgd:

        def forward_backward() -> Tensor:
            model.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss

        return model, forward_backward
    optimizer = nn.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def train_step() -> Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return model, train_step


@dataclass
class RawMLP:
    """The MLP as Tensors ``x @ w + b`` (w: (in, out)), updated by hand: the path without nn."""

    weights: list[Tensor] = field(default_factory=list)
    biases: list[Tensor] = field(default_factory=list)

    def loss(self, x: np.ndarray, y: np.ndarray) -> Tensor:
        h = Tensor(x)
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if i < len(self.weights) - 1:
                h = h.relu()
        return F.cross_entropy(h, y)

    def step(self, x: np.ndarray, y: np.ndarray) -> Tensor:
        for p in self.weights + self.biases:
            p.grad = None
        loss = self.loss(x, y)
        loss.backward()
        for p in self.weights + self.biases:
            p.data -= LEARNING_RATE * p.grad
        return loss

    def parameters_in_torch_layout(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        return [a.T if i % 2 == 0 else a for i, a in enumerate(arrays)]


def make_raw(workload: Workload, x: np.ndarray, y: np.ndarray) -> tuple[RawMLP, Step]:
    raw = RawMLP()
    for layer in workload.build():
        if isinstance(layer, nn.Linear):
            weight, bias = (p.data for p in layer.parameters())
            raw.weights.append(Tensor(weight.T.copy(), requires_grad=True))
            raw.biases.append(Tensor(bias.copy(), requires_grad=True))
    return raw, lambda: raw.step(x, y)


def torch_mirror(torch: Any, model: nn.Sequential) -> Any:
    """The same network in ``torch.nn``, with the same initial parameters."""
    layers = []
    for layer in model:
        if isinstance(layer, nn.Linear):
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
        elif isinstance(layer, nn.Conv2d):
            layers.append(
                torch.nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, padding=layer.padding)
            )
        elif isinstance(layer, nn.ReLU):
            layers.append(torch.nn.ReLU())
        elif isinstance(layer, nn.MaxPool2d):
            layers.append(torch.nn.MaxPool2d(layer.kernel_size))
        elif isinstance(layer, nn.Flatten):
            layers.append(torch.nn.Flatten())
        else:
            raise TypeError(f"torch_mirror: no torch counterpart for {type(layer).__name__}")
    mirror = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for theirs, ours in zip(mirror.parameters(), model.parameters()):
            theirs.copy_(torch.from_numpy(ours.numpy(force=True)))
    return mirror


def make_torch(torch: Any, workload: Workload, x: np.ndarray, y: np.ndarray) -> tuple[Any, Step]:
    model = torch_mirror(torch, workload.build())
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)
    cross_entropy = torch.nn.functional.cross_entropy
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step() -> Any:
        optimizer.zero_grad()
        loss = cross_entropy(model(x_t), y_t)
        loss.backward()
        if workload.sgd:
            optimizer.step()
        return loss

    return model, step


# -- agreement ---------------------------------------------------------------------------------
def check_agreement(workload: Workload, x: np.ndarray, y: np.ndarray, torch: Any) -> None:
    """One step of every contender from the same start: losses, gradients and updates must match the floor's."""
    floor, _ = make_floor(workload, x, y)
    loss, grads = floor.gradients(x, y)
    expected_grads = floor.in_torch_layout(grads)
    if workload.sgd:
        floor.step(x, y)
    expected_params = floor.in_torch_layout(floor.parameters())

    def compare(contender: str, got_loss: float, got_grads: list, got_params: list) -> None:
        check_loss_and_gradients(workload.name, contender, got_loss, got_grads, loss, expected_grads)
        for i, (got, expected) in enumerate(zip(got_params, expected_params)):
            check_close(workload.name, f"{contender} parameter {i} after the step", got, expected)

    model, users_step = make_users(workload, x, y)
    parameters = model.parameters()
    users_loss = users_step().item()
    for p in parameters:
        if p.grad.dtype != np.float32:
            raise MismatchError(f"{workload.name}: users' gradient has dtype {p.grad.dtype}, not float32")
    compare("users", users_loss, [p.grad for p in parameters], [p.data for p in parameters])
    if workload.raw:
        raw, raw_step = make_raw(workload, x, y)
        raw_loss = raw_step().item()
        tensors = [a for pair in zip(raw.weights, raw.biases) for a in pair]
        to_torch = raw.parameters_in_torch_layout
        compare("raw", raw_loss, to_torch([p.grad for p in tensors]), to_torch([p.data for p in tensors]))
        contract, contract_step = make_contract_floor(workload, x, y)
        contract_loss, contract_grads = contract.gradients(x, y)
        contract_step()
        compare("contract floor", contract_loss, contract_grads, contract.parameters())
    if torch is not None:
        mirror, torch_step = make_torch(torch, workload, x, y)
        torch_loss = torch_step().item()
        weights = list(mirror.parameters())
        compare("torch", torch_loss, [p.grad.numpy() for p in weights], [p.detach().numpy() for p in weights])


# -- measuring -----------------------------------------------------------------------------------
@dataclass
class Measurement:
    """Per-round medians of every contender and the memory peaks of the floor and the users' path."""

    workload: Workload
    times: dict[str, list[float]]
    memory: dict[str, int]
    faults: dict[str, float] | None = None

    def ratio(self, contender: str) -> float:
        """Median per-round time ratio contender / floor."""
        return paired_ratio(self.times, contender, "floor")

    def memory_ratio(self) -> float:
        return self.memory["users"] / self.memory["floor"]

    def line(self) -> str:
        parts = [f"floor {milliseconds(self.times['floor'])}"]
        for contender in ("users", "raw", "contract", "torch"):
            if contender in self.times:
                parts.append(f"{contender} {milliseconds(self.times[contender])} ({self.ratio(contender):.2f}x)")
        memory = (
            f"peak memory users/floor {self.memory_ratio():.2f}x "
            f"({self.memory['users'] / 2**20:.2f} / {self.memory['floor'] / 2**20:.2f} MiB, target <= {MEMORY_TARGET})"
        )
        faults = ""
        if self.faults is not None:
            faults = "; page faults per step " + ", ".join(f"{name} {count:.0f}" for name, count in self.faults.items())
        return (
            f"{self.workload.name}: "
            + ", ".join(parts)
            + f", target users <= {self.workload.target}x; {memory}{faults}"
        )


def measure(workload: Workload, rounds: int, seconds: float, torch: Any) -> Measurement:
    """Check agreement, then time every contender in interleaved rounds and measure memory."""
    x, y = workload.batch()
    check_agreement(workload, x, y, torch)
    steps = {"floor": make_floor(workload, x, y)[1], "users": make_users(workload, x, y)[1]}
    if workload.raw:
        steps["raw"] = make_raw(workload, x, y)[1]
        steps["contract"] = make_contract_floor(workload, x, y)[1]
    if torch is not None:
        steps["torch"] = make_torch(torch, workload, x, y)[1]
    times = interleaved_medians(steps, rounds, seconds)
    faults = page_faults_per_step(steps)
    memory = {
        "floor": peak_step_bytes(lambda: make_floor(workload, x, y)[1]),
        "users": peak_step_bytes(lambda: make_users(workload, x, y)[1]),
    }
    return Measurement(workload, times, memory, faults)


def run(rounds: int = 7, seconds: float = 0.15, threads: int = 1, quiet: bool = False) -> list[Measurement]:
    """Measure every workload; print one line each unless ``quiet``."""
    torch = optional_torch()
    results = []
    with single_threaded(threads):
        for workload in WORKLOADS:
            result = measure(workload, rounds, seconds, torch)
            if not quiet:
                print(result.line(), flush=True)
            results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.15, help="time per contender per round")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.05 s (a smoke run)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads; 0 leaves the defaults")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 3, 0.05
    if optional_torch() is None:
        print("torch is not installed: no torch column")
    run(args.rounds, args.seconds, args.threads)


if __name__ == "__main__":
    main()
