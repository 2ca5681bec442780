"""Regenerate every picture the README and docs/ show (needs the Graphviz ``dot`` program).

Run from anywhere: ``python docs/make_images.py`` writes them to docs/images;
``python docs/make_images.py DIRECTORY`` writes them elsewhere.
"""

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, render

IMAGES = Path(__file__).resolve().parent / "images"


def sigmoid_neuron() -> Value:
    """o = sigmoid(x1 w1 + x2 w2 + b), after backward."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.88, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.sigmoid()
    o.label = "o"
    o.backward()
    return o


def tensor_mlp_loss() -> Tensor:
    """Mean squared error of a 2-3-1 tanh network on four points."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 2)))
    x.label = "x"
    target = Tensor([[1.0], [-1.0], [1.0], [-1.0]])
    target.label = "target"
    w1, b1 = Tensor(rng.standard_normal((2, 3)), requires_grad=True), Tensor(np.zeros(3), requires_grad=True)
    w2, b2 = Tensor(rng.standard_normal((3, 1)), requires_grad=True), Tensor(np.zeros(1), requires_grad=True)
    for tensor, name in ((w1, "W1"), (b1, "b1"), (w2, "W2"), (b2, "b2")):
        tensor.label = name
    prediction = (x @ w1 + b1).tanh() @ w2 + b2
    loss = ((prediction - target) ** 2).mean()
    loss.label = "loss"
    return loss


def deep_sigmoid_chain(depth: int = 8) -> Value:
    """out = s(w8 s(... s(w1 x))): each sigmoid multiplies the gradient by at most 1/4 (vanishing gradients)."""
    h = Value(1.0, label="x", requires_grad=False)
    for layer in range(1, depth + 1):
        h = (h * Value(1.0, label=f"w{layer}")).sigmoid()
    h.label = "out"
    return h


#: file name -> (function building the graph, drawing options); one row per picture.
PICTURES: dict[str, tuple[Callable[[], Node], dict[str, Any]]] = {
    "value_graph.svg": (sigmoid_neuron, {"number_backward": True}),
    "tensor_graph.svg": (tensor_mlp_loss, {"rankdir": "TB", "compute_grad": True}),
    "gradient_flow.svg": (deep_sigmoid_chain, {"rankdir": "TB", "compute_grad": True, "color_by_grad": True}),
}


def make_images(directory: Path) -> list[Path]:
    """Render every picture of ``PICTURES`` into ``directory`` (created if missing); return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    return [Path(render(build(), directory / name, **options)) for name, (build, options) in PICTURES.items()]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python docs/make_images.py [DIRECTORY]``; prints each file written."""
    parser = argparse.ArgumentParser(description="Regenerate the pictures the README and docs/ show.")
    parser.add_argument(
        "directory", nargs="?", type=Path, default=IMAGES, help="output directory (default: docs/images)"
    )
    for path in make_images(parser.parse_args(argv).directory):
        print(path)


if __name__ == "__main__":
    main()
