"""The micrograd lecture (karpathy/nn-zero-to-hero, lectures/micrograd) run on this library's ``Value``: the
lecture's cells as a student types them, with the numbers the notebook prints, its hand-written ``trace`` and
``draw_dot`` over ``_prev``/``_op``/``label``, and its own Neuron/Layer/MLP classes trained as in the video, step by
step against the same network in torch (float64)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

import nn.scalar
from autograd import Value


def _lecture_expression(**nudged: float) -> tuple[Value, dict[str, Value]]:
    """The first half's L = (a*b + c) * f, with labels; ``nudged`` adds h to a leaf's data (the ``lol()`` cell)."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    f = Value(-2.0, label="f")
    for name, h in nudged.items():
        leaf = {"a": a, "b": b, "c": c, "f": f}[name]
        leaf.data += h
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f  # noqa: N806 -- the lecture's name
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_the_first_expression_gives_the_lectures_value_and_gradients():
    L, nodes = _lecture_expression()  # noqa: N806
    assert repr(L) == "Value(data=-8.0, grad=0, label='L')"
    L.backward()
    grads = {name: node.grad for name, node in nodes.items()}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "d": -2.0, "e": -2.0, "f": 4.0}  # the notebook's graph
    # one step of gradient ascent on the leaves, the graph rebuilt: the notebook prints -7.286496
    a, b, c, f = (nodes[name] for name in "abcf")
    for leaf in (a, b, c, f):
        leaf.data += 0.01 * leaf.grad
    e = a * b
    d = e + c
    assert (d * f).data == pytest.approx(-7.286496, abs=1e-12)


def test_the_lol_cell_estimates_dl_db_by_a_forward_difference_as_the_notebook_prints():
    h = 0.001
    L1 = _lecture_expression()[0].data  # noqa: N806
    L2 = _lecture_expression(b=h)[0].data  # noqa: N806
    assert (L2 - L1) / h == -3.9999999999995595  # the same float arithmetic as the notebook's own Value


def _trace(root: Value) -> tuple[set[Value], set[tuple[Value, Value]]]:
    # the lecture's trace(), recursion and all
    nodes, edges = set(), set()

    def build(v: Value) -> None:
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def _lecture_neuron(tanh_by_exp: bool = False) -> tuple[Value, dict[str, Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    if tanh_by_exp:  # the lecture's tanh taken apart: e = exp(2n), o = (e - 1) / (e + 1)
        e = (2 * n).exp()
        e.label = "e"
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "x1*w1": x1w1, "x2*w2": x2w2, "n": n}


@pytest.mark.parametrize("tanh_by_exp", [False, True])
def test_the_neuron_gives_the_lectures_gradients_with_tanh_or_tanh_taken_apart(tanh_by_exp):
    o, nodes = _lecture_neuron(tanh_by_exp)
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476, rel=1e-15)
    expected = {"x1": -1.5, "x2": 0.5, "w1": 1.0, "w2": 0.0, "b": 0.5, "x1*w1": 0.5, "x2*w2": 0.5, "n": 0.5}
    assert {name: node.grad for name, node in nodes.items()} == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_the_lectures_own_trace_and_draw_dot_run_on_values():
    graphviz = pytest.importorskip("graphviz")
    o, nodes = _lecture_neuron()
    o.backward()
    all_nodes, edges = _trace(o)
    assert len(all_nodes) == 10 and len(edges) == 9  # 5 leaves, 2 products, 2 sums, tanh
    # the lecture's draw_dot, verbatim but for names: a record per value, an op node per result
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for n in all_nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")  # noqa: UP031
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    source = dot.source
    for text in ("{ o | data 0.7071 | grad 1.0000 }", "{ w2 | data 1.0000 | grad 0.0000 }", "label=tanh"):
        assert text in source
    assert sorted(n._op for n in all_nodes if n._op) == ["*", "*", "+", "+", "tanh"]
    assert dot.pipe(format="svg").startswith(b"<?xml")  # dot renders it


def test_a_value_used_twice_accumulates_its_gradient_as_the_lectures_bug_fix():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0  # not 1.0: the lecture's bug of = instead of +=
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d = a * b
    e = a + b
    f = d * e
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)


def test_the_lectures_number_mixing_cells():
    a, b = Value(2.0), Value(4.0)
    results = [2 * a, a + 1, a - b, a / b, a.exp()]
    assert [r.data for r in results] == [4.0, 3.0, -2.0, 0.5, math.exp(2.0)]
    assert (a * 2).data == (a**2).data == 4.0


# -- the lecture's own MLP classes over Value, trained as in the video ------------------------------------------------
class Neuron:
    def __init__(self, nin: int) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x: list[Any]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh()

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer:
    def __init__(self, nin: int, nout: int) -> None:
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x: list[Any]) -> Any:
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    def __init__(self, nin: int, nouts: list[int]) -> None:
        sz = [nin, *nouts]
        self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(nouts))]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]  # desired targets


def _torch_twin(model: Any, torch: Any) -> list[tuple[Any, Any]]:
    """The network's weights and biases as float64 torch leaves, layer by layer."""
    return [
        (
            torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True),
            torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True),
        )
        for layer in model.layers
    ]


def test_the_lectures_mlp_trains_as_the_same_network_in_torch():
    torch = pytest.importorskip("torch")
    random.seed(1337)
    n = MLP(3, [4, 4, 1])
    assert isinstance(n([2.0, 3.0, -1.0]), Value)
    assert len(n.parameters()) == 41
    twin = _torch_twin(n, torch)
    x_t, y_t = torch.tensor(XS, dtype=torch.float64), torch.tensor(YS, dtype=torch.float64)
    losses = []
    for _ in range(20):  # the video's loop: forward, zero the grads by hand, backward, update
        ypred = [n(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        h = x_t
        for w, b in twin:
            h = torch.tanh(h @ w.T + b)
        loss_t = ((h[:, 0] - y_t) ** 2).sum()
        loss_t.backward()
        assert loss.data == pytest.approx(loss_t.item(), rel=1e-12)
        grads_t = [g for w, b in twin for g in _neuron_rows(w.grad, b.grad)]
        assert [p.grad for p in n.parameters()] == pytest.approx(grads_t, rel=1e-9, abs=1e-12)
        for p in n.parameters():
            p.data += -0.1 * p.grad
        with torch.no_grad():
            for w, b in twin:
                w -= 0.1 * w.grad
                b -= 0.1 * b.grad
                w.grad = b.grad = None
        losses.append(loss.data)
    assert losses[-1] < 0.1 * losses[0]  # the video's loss falls to near 0
    assert [yout.data for yout in (n(x) for x in XS)] == pytest.approx(YS, abs=0.35)


def _neuron_rows(w_grad: Any, b_grad: Any) -> list[float]:
    # the lecture's parameter order: each neuron's weights, then its bias
    return [g for k in range(w_grad.shape[0]) for g in [*w_grad[k].tolist(), b_grad[k].item()]]


def test_the_librarys_scalar_mlp_computes_the_lectures_network():
    random.seed(7)
    lecture = MLP(3, [4, 4, 1])
    ours = nn.scalar.MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    assert len(ours.parameters()) == 41
    for mine, theirs in zip(ours.parameters(), lecture.parameters()):
        mine.data = theirs.data
    for x in XS:
        a, b = lecture(x), ours(x)
        assert b.data == pytest.approx(a.data, rel=1e-14)
        a.backward()
        b.backward()
    assert [p.grad for p in ours.parameters()] == pytest.approx([p.grad for p in lecture.parameters()], rel=1e-12)


def test_micrograds_demo_notebook_prints_its_numbers(monkeypatch):
    # micrograd's demo.ipynb: make_moons, MLP(2, [16, 16, 1]) from random.seed(1337), the svm loss with L2; its
    # cells print "number of parameters 337", "Value(data=0.8958441028683222, grad=0) 0.5", then step 1's loss
    # 1.7236 at 81% accuracy
    datasets = pytest.importorskip("sklearn.datasets")
    np = pytest.importorskip("numpy")
    monkeypatch.setattr("autograd.random_state._seeded", None)  # no autograd.manual_seed in effect
    np.random.seed(1337)
    random.seed(1337)
    X, y = datasets.make_moons(n_samples=100, noise=0.1)  # noqa: N806
    y = y * 2 - 1
    model = nn.scalar.MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337

    def loss() -> tuple[Value, float]:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return data_loss + reg_loss, sum(accuracy) / len(accuracy)

    total_loss, acc = loss()
    assert f"{total_loss} {acc}" == "Value(data=0.8958441028683222, grad=0) 0.5"
    for k in range(2):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    assert f"step 1 loss {total_loss.data:.4f}, accuracy {acc * 100}%" == "step 1 loss 1.7236, accuracy 81.0%"
