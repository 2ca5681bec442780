"""Graph drawing: DOT source (no binary needed), rendering with ``dot``, and the missing-binary error."""

import html
import math
import re
import shutil
import sys

import numpy as np
import pytest

graphviz = pytest.importorskip("graphviz")

import nn  # noqa: E402
from autograd import Tensor, Value, backward_order  # noqa: E402
from autograd.draw import GraphvizNotFoundError, backward_steps, draw_graph, render  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' program not installed")

_NODE = re.compile(r"^\t(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$")
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def _attrs(text):
    return {key: value[1:-1] if value.startswith('"') else value for key, value in _ATTR.findall(text or "")}


def parse(graph):
    """(nodes: id -> attrs, edges: list of (tail, head, attrs)) from a Digraph's DOT body."""
    nodes, edges = {}, []
    for line in graph.body:
        line = line.rstrip("\n")
        if edge := _EDGE.match(line):
            edges.append((edge.group(1), edge.group(2), _attrs(edge.group(3))))
        elif node := _NODE.match(line):
            nodes[node.group(1)] = _attrs(node.group(2))
    return nodes, edges


def values_of(nodes):
    return {key: attrs for key, attrs in nodes.items() if attrs.get("shape") == "record"}


def find(nodes, text):
    """The one value record whose label contains ``text``."""
    matches = [key for key, attrs in values_of(nodes).items() if text in attrs["label"]]
    assert len(matches) == 1, (text, matches)
    return matches[0]


@pytest.fixture
def lecture_graph():
    x, y, z = Value(10.0, label="x"), Value(-2.0, label="y"), Value(-4.0, label="z")
    q = 2 * x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    return f, x, y, z, q


def test_value_records_show_label_data_and_grad(lecture_graph):
    f, *_ = lecture_graph
    nodes, _ = parse(draw_graph(f))
    labels = {attrs["label"] for attrs in values_of(nodes).values()}
    assert "{ f | data -72 | grad 1 }" in labels
    assert "{ x | data 10 | grad -8 }" in labels
    assert "{ q | data 18 | grad -4 }" in labels
    assert "{ data 2 }" in labels  # the constant 2 has no gradient field


def test_edges_run_parent_to_op_to_result(lecture_graph):
    f, *_ = lecture_graph
    nodes, edges = parse(draw_graph(f))
    pairs = {(tail, head) for tail, head, _ in edges}
    ops = {key: attrs["label"] for key, attrs in nodes.items() if attrs.get("shape") == "ellipse"}
    assert sorted(ops.values()) == ["*", "*", "+"]  # micrograd's (and the lecture's) operator symbols
    q, z, f_id = find(nodes, "q |"), find(nodes, "z |"), find(nodes, "f |")
    into_f = [op for op in ops if (op, f_id) in pairs]
    assert len(into_f) == 1 and ops[into_f[0]] == "*"
    assert (q, into_f[0]) in pairs and (z, into_f[0]) in pairs
    for tail, head, _ in edges:  # every edge joins a value and an op, never value-value or op-op
        assert (tail in ops) != (head in ops)


def test_a_node_used_twice_gets_two_edges_into_its_op():
    x = Value(3.0, label="x")
    square = x * x
    nodes, edges = parse(draw_graph(square))
    x_id = find(nodes, "x |")
    assert sum(1 for tail, _, _ in edges if tail == x_id) == 2


def test_backward_numbering_follows_backward_order(lecture_graph):
    f, x, y, z, q = lecture_graph
    nodes, _ = parse(draw_graph(f, number_backward=True))
    numbers = {}
    for attrs in values_of(nodes).values():
        found = re.match(r"\{ #(\d+)", attrs["label"])
        if found:
            numbers[attrs["label"]] = int(found.group(1))
    order = backward_order([f])
    assert sorted(numbers.values()) == list(range(1, len(order) + 1))
    for position, node in enumerate(order, start=1):
        label = next(text for text in numbers if f"data {node.data:.4g} |" in text)
        assert numbers[label] == position
    assert "{ #1 f |" in " ".join(numbers)


def test_leaves_intermediates_constants_and_root_are_styled_differently(lecture_graph):
    f, *_ = lecture_graph
    nodes, _ = parse(draw_graph(f))
    leaf, intermediate, constant, root = (
        find(nodes, "x |"),
        find(nodes, "q |"),
        find(nodes, "data 2 }"),
        find(nodes, "f |"),
    )
    assert nodes[leaf]["style"] == "filled,bold" and "fillcolor" in nodes[leaf]
    assert "style" not in nodes[intermediate] and "fillcolor" not in nodes[intermediate]
    assert nodes[constant]["style"] == "dashed"
    assert nodes[root]["peripheries"] == "2" and nodes[leaf].get("peripheries") is None


def test_tensor_records_show_shape_dtype_summary_and_gradient_norm():
    w = Tensor(np.array([[1.0, -2.0, 4.0], [0.5, 3.0, -1.0]], dtype=np.float32), requires_grad=True)
    w.label = "w"
    loss = (w * w).sum()
    loss.backward()
    nodes, _ = parse(draw_graph(loss))
    label = nodes[find(nodes, "w |")]["label"]
    assert "data (2, 3) float32" in label
    assert f"min -2 mean {np.mean(w.data):.4g} max 4" in label
    assert f"grad norm {np.linalg.norm(2 * w.data):.4g}" in label
    product = nodes[find(nodes, "(2, 3) float32\\nmin 0.25")]["label"]  # w * w
    assert "grad None" in product  # not retained: intermediate tensors drop their gradient


def test_tensor_summary_counts_nans_apart_from_the_smallest_and_largest_numbers():
    def summary(data):
        t = Tensor(np.array(data), requires_grad=True)
        t.label = "t"
        nodes, _ = parse(draw_graph(t * 2.0))
        return nodes[find(nodes, "t |")]["label"]

    assert "min -inf mean nan max inf (2 nan) |" in summary([np.nan, np.inf, -np.inf, 1.0, np.nan, -2.0])
    assert "\\nall 3 nan |" in summary([np.nan] * 3)
    assert "\\nmin 1 mean 2.5 max 4 |" in summary([1.0, 4.0])  # no count without NaNs


def test_compute_grad_shows_intermediate_gradients_without_touching_grad():
    w = Tensor(np.array([1.0, -2.0, 2.0]), requires_grad=True)
    product = w * w
    loss = product.sum()
    nodes, _ = parse(draw_graph(loss, compute_grad=True))
    label = nodes[find(nodes, "min 1 mean 3 max 4")]["label"]
    assert f"grad norm {math.sqrt(3):.4g}" in label  # d loss / d product = ones(3)
    assert f"grad norm {np.linalg.norm(2 * w.data):.4g}" in nodes[find(nodes, "min -2")]["label"]
    assert w.grad is None
    with pytest.warns(UserWarning, match="retain_grad"):
        assert product.grad is None


def test_compute_grad_needs_a_one_element_root():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"one-element root, got shape \(3,\)"):
        draw_graph(w * 2.0, compute_grad=True)


def _luminance(colour):
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def test_color_by_grad_makes_small_gradients_pale_and_nonfinite_red():
    tiny, mid, big = Value(1.0, label="tiny"), Value(1.0, label="mid"), Value(1.0, label="big")
    (tiny * 1e-9 + mid * 1e-3 + big * 5.0).backward()
    nodes, _ = parse(draw_graph(tiny * 1e-9 + mid * 1e-3 + big * 5.0, color_by_grad=True))
    fills = {name: nodes[find(nodes, f"{name} |")]["fillcolor"] for name in ("tiny", "mid", "big")}
    assert _luminance(fills["tiny"]) > _luminance(fills["mid"]) > _luminance(fills["big"])
    assert _luminance(fills["tiny"]) > 240  # vanishing: almost white
    broken = Value(1.0, label="broken")
    broken.grad = float("nan")
    nodes, _ = parse(draw_graph(broken * 2.0, color_by_grad=True))
    assert nodes[find(nodes, "broken |")]["fillcolor"] == "#e41a1c"


def test_max_nodes_keeps_the_closest_values_and_adds_a_marker():
    x = Value(1.0, label="start")
    y = x
    for _ in range(30):
        y = y * 1.5
    nodes, edges = parse(draw_graph(y, max_nodes=10))
    graph_nodes = {key: attrs for key, attrs in values_of(nodes).items() if key.startswith("v")}
    assert len(graph_nodes) == 10
    total = 1 + 30  # start and 30 products; each product's constant 1.5 is drawn with it, not counted
    assert nodes["hidden"]["label"] == f"… {total - 10} more nodes"
    constants = [attrs["label"] for key, attrs in values_of(nodes).items() if key.startswith("k")]
    assert constants == ["{ data 1.5 }"] * 10  # one for each product drawn
    assert "start" not in " ".join(attrs["label"] for attrs in graph_nodes.values())
    marker_targets = [head for tail, head, _ in edges if tail == "hidden"]
    assert marker_targets and all(nodes[head]["shape"] == "ellipse" for head in marker_targets)
    data = sorted(float(re.search(r"data (\S+)", graph_nodes[k]["label"]).group(1)) for k in graph_nodes)
    assert max(data) == pytest.approx(1.5**30, rel=1e-3)  # the root and its neighbours are the ones kept


def test_small_graph_has_no_marker(lecture_graph):
    nodes, _ = parse(draw_graph(lecture_graph[0], max_nodes=None))
    assert "hidden" not in nodes


def test_hundred_thousand_node_chain_draws_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000
    y = Value(0.0)
    for _ in range(100_000):
        y = y + 1.0
    nodes, _ = parse(draw_graph(y, max_nodes=50, number_backward=True))
    assert len([key for key in values_of(nodes) if key.startswith("v")]) == 50  # and the constant of each sum
    assert nodes["hidden"]["label"] == f"… {100_001 - 50} more nodes"


def test_two_four_one_mlp_loss_graph_shows_every_parameter():
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    nodes, _ = parse(draw_graph(loss, number_backward=True))
    leaves = [attrs for attrs in values_of(nodes).values() if attrs.get("style") == "filled,bold"]
    assert len(leaves) == len(model.parameters()) == 17
    ops = [attrs["label"] for attrs in nodes.values() if attrs.get("shape") == "ellipse"]
    assert ops.count("tanh") == 4 and ops.count("linear") == 5 and ops.count("**") == 1


def test_params_name_a_modules_parameters_as_torchviz_does():
    model = nn.Sequential(nn.Linear(3, 2, rng=0), nn.Tanh(), nn.Linear(2, 1, rng=1))
    loss = model(np.ones((4, 3), np.float32)).sum()
    nodes, _ = parse(draw_graph(loss, params=dict(model.named_parameters())))
    titles = {attrs["label"].split(" | ")[0].lstrip("{ ") for attrs in values_of(nodes).values()}
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= titles
    x = Value(2.0, label="x")
    nodes, _ = parse(draw_graph(x * 3.0, params={"renamed": x}))
    assert any(attrs["label"].startswith("{ renamed |") for attrs in values_of(nodes).values())
    with pytest.raises(TypeError, match=r"params\['w'\] is a ndarray"):
        draw_graph(x * 3.0, params={"w": np.ones(2)})


def test_backward_steps_reveal_one_gradient_per_picture(lecture_graph):
    f, *_ = lecture_graph
    pictures = backward_steps(f)
    order = backward_order([f])
    assert len(pictures) == len(order)
    for k, picture in enumerate(pictures, start=1):
        nodes, _ = parse(picture)
        highlighted = [attrs for attrs in values_of(nodes).values() if attrs.get("color") == "#d62728"]
        assert len(highlighted) == 1 and highlighted[0]["label"].startswith(f"{{ #{k} ")
        node = order[k - 1]
        assert f"grad {node.grad:.4g} }}" in highlighted[0]["label"]
        labels = [attrs["label"] for attrs in values_of(nodes).values() if "grad" in attrs["label"]]
        assert sum("grad ?" not in label for label in labels) == k


def test_draw_graph_passes_graph_attributes_through(lecture_graph):
    f, *_ = lecture_graph
    assert "rankdir=TB" in draw_graph(f, rankdir="TB").source


def test_record_special_characters_in_labels_are_escaped():
    x = Value(1.0, label="a|b{c}<d>")
    nodes, _ = parse(draw_graph(x * 2.0))
    assert find(nodes, "a\\|b\\{c\\}\\<d\\> |")


def test_a_label_assigned_as_another_kind_of_object_is_drawn_as_its_text():
    # micrograd's draw_dot formats a label with %s: n.label = 3 in a loop draws "3"; None is no label
    for label, text in ((3, "3 |"), (0, "0 |"), (2.5, "2.5 |"), (b"w", "b'w' |")):
        y = Value(1.0) * 2.0
        y.label = label
        nodes, _ = parse(draw_graph(y))
        assert find(nodes, text)
    y = Value(1.0) * 2.0
    y.label = None
    nodes, _ = parse(draw_graph(y))
    assert values_of(nodes)["v0"]["label"].startswith("{ data 2 |")


@needs_dot
def test_a_line_break_in_a_label_is_drawn_as_two_lines():
    x = Value(1.0, label="first line\nsecond\tline")
    svg = draw_graph(x * 2.0).pipe(format="svg").decode()
    texts = [html.unescape(text) for text in re.findall(r"<text[^>]*>(.*?)</text>", svg)]
    assert "first line" in texts and "second line" in texts


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"rankdir": "up"}, ValueError, "rankdir"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"format": "bogus"}, ValueError, "format 'bogus'"),
    ],
)
def test_bad_options_raise_clear_errors(options, error, message):
    with pytest.raises(error, match=message):
        draw_graph(Value(1.0) * 2.0, **options)


def test_root_must_be_a_node():
    with pytest.raises(TypeError, match="root must be a Value or Tensor, got float"):
        draw_graph(1.0)


# -- rendering ---------------------------------------------------------------------
@needs_dot
def test_render_svg_contains_the_labels(lecture_graph, tmp_path):
    path = render(lecture_graph[0], tmp_path / "graph.svg", number_backward=True)
    text = html.unescape(open(path, encoding="utf-8").read())  # dot writes '-' as &#45;
    assert path.endswith("graph.svg") and text.lstrip().startswith(("<?xml", "<svg"))
    for expected in ("#1 f", "data -72", "grad -8", ">*<", ">+<"):
        assert expected in text


@needs_dot
def test_render_png_of_tensor_graph_writes_a_png(tmp_path):
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    (w @ w).sum().backward()
    path = render(draw_graph((w @ w).sum()), tmp_path / "tensor", format="png")
    assert path.endswith("tensor.png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_backward_step_pictures_render(lecture_graph, tmp_path):
    svg = html.unescape(backward_steps(lecture_graph[0])[2].pipe(format="svg").decode())
    assert "grad ?" in svg and "#3" in svg


@needs_dot
def test_render_to_a_path_without_suffix_keeps_the_format_the_graph_was_drawn_with(lecture_graph, tmp_path):
    # micrograd's draw_dot(root, format="png"), then written without naming the format again
    path = render(draw_graph(lecture_graph[0], format="png"), tmp_path / "graph")
    assert path.endswith("graph.png") and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert render(lecture_graph[0], tmp_path / "default").endswith("default.svg")  # drawn here: svg
    assert render(draw_graph(lecture_graph[0], format="png"), tmp_path / "named.svg").endswith("named.svg")


def test_render_rejects_suffix_format_mismatch_and_stray_options(lecture_graph, tmp_path):
    with pytest.raises(ValueError, match="does not match format"):
        render(lecture_graph[0], tmp_path / "graph.svg", format="png")
    with pytest.raises(TypeError, match="drawing options"):
        render(draw_graph(lecture_graph[0]), tmp_path / "graph.svg", rankdir="TB")


def test_missing_dot_raises_install_instructions_and_source_stays_available(lecture_graph, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    graph = draw_graph(lecture_graph[0])
    with pytest.raises(GraphvizNotFoundError) as caught:
        render(graph, tmp_path / "graph.png")
    message = str(caught.value)
    for hint in (
        "apt-get install graphviz",
        "brew install graphviz",
        "conda install -c conda-forge graphviz",
        ".source",
    ):
        assert hint in message
    assert isinstance(caught.value, RuntimeError)
    assert isinstance(caught.value.__cause__, graphviz.ExecutableNotFound)
    assert "data -72" in graph.source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # nothing written: no picture, no .gv beside it
    shown = graph._repr_mimebundle_()  # what Jupyter displays: the help and the source, not graphviz's traceback
    assert list(shown) == ["text/plain"] and "apt-get install graphviz" in shown["text/plain"]
    assert graph.source in shown["text/plain"]
    saved = graph.save(tmp_path / "graph.gv")
    assert "data -72" in open(saved, encoding="utf-8").read()


def test_missing_dot_in_the_graphs_own_render_pipe_and_view_says_how_to_install(lecture_graph, tmp_path, monkeypatch):
    # micrograd's notebooks call the returned graph's methods: dot = draw_dot(loss); dot.render("gout")
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    graph = draw_graph(lecture_graph[0], format="png")
    calls = [
        ("render", lambda: graph.render(tmp_path / "gout")),
        ("pipe", lambda: graph.pipe(format="pdf")),
        ("render", lambda: graph.view(tmp_path / "shown")),  # view renders first
    ]
    for method, call in calls:
        with pytest.raises(GraphvizNotFoundError, match=f"^{method}: .*apt-get install graphviz") as caught:
            call()
        assert isinstance(caught.value.__cause__, graphviz.ExecutableNotFound)
    assert "rendered to pdf" in str(pytest.raises(GraphvizNotFoundError, graph.pipe, format="pdf").value)
    assert "rendered to png" in str(pytest.raises(GraphvizNotFoundError, graph.render, tmp_path / "gout").value)
    # code written for graphviz's own error (micrograd users' `except graphviz.ExecutableNotFound`) still catches it
    for call in (lambda: graph.render(tmp_path / "gout"), lambda: render(graph, tmp_path / "out.svg")):
        with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz"):
            call()


def test_number_operand_is_drawn_as_a_constant_in_its_place():
    x = Value(3.0, label="x")
    y = 2.0 - x
    nodes, edges = parse(draw_graph(y))
    constant = find(nodes, "data 2")
    assert nodes[constant]["style"] == "dashed" and "grad" not in nodes[constant]["label"]
    into_op = [tail for tail, head, _ in edges if head.startswith("o")]
    assert into_op == [constant, find(nodes, "x |")]  # the number first: 2 - x, not x - 2


def test_backward_steps_walk_the_graph_once_for_all_their_pictures(monkeypatch):
    # each picture draws the same nodes: a deep graph is walked (collected, ordered) once, not once a picture
    import autograd.draw as draw

    walks = []
    walk = draw._walk
    monkeypatch.setattr(draw, "_walk", lambda *args: walks.append(args) or walk(*args))
    x = Value(1.0)
    y = x
    for _ in range(3000):
        y = y * 1.0001 + 0.0001
    pictures = backward_steps(y, max_nodes=40)
    assert len(pictures) == 40 and len(walks) == 1
    shown = [re.findall(r"grad ([-0-9.e+]+)", picture.source) for picture in pictures]
    assert [len(grads) for grads in shown] == list(range(1, 41))  # one more gradient revealed per picture


@needs_dot
def test_render_writes_only_its_picture_and_leaves_a_gv_file_of_the_same_name_alone(lecture_graph, tmp_path):
    # graphviz's own render() writes the DOT source to graph.gv beside graph.svg, then deletes it
    (tmp_path / "graph.gv").write_text("the user's own DOT source")
    render(lecture_graph[0], tmp_path / "graph.svg")
    assert (tmp_path / "graph.gv").read_text() == "the user's own DOT source"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.gv", "graph.svg"]
    assert (tmp_path / "source.gv").exists() is False
    render(lecture_graph[0], tmp_path / "source.gv")  # the DOT format itself (graphviz refused an outfile like this)
    assert "digraph" in (tmp_path / "source.gv").read_text()


@needs_dot
def test_render_errors_name_the_path_asked_for_and_write_nothing(lecture_graph, tmp_path):
    (tmp_path / "a_file").write_text("")
    (tmp_path / "a_directory.svg").mkdir()
    cases = [
        (tmp_path / "missing" / "graph.png", FileNotFoundError, "the directory '.*missing' does not exist"),
        (tmp_path / "a_file" / "graph.svg", NotADirectoryError, "Not a directory"),
        (tmp_path / "a_directory.svg", IsADirectoryError, "Is a directory"),
    ]
    for path, error, reason in cases:
        with pytest.raises(error, match=f"render: cannot write the picture \\({reason}\\)") as caught:
            render(lecture_graph[0], path)
        assert caught.value.filename == str(path) and ".partial" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_directory.svg", "a_file"]
    assert list((tmp_path / "a_directory.svg").iterdir()) == []


@needs_dot
def test_render_into_a_directory_without_write_permission_names_the_path(lecture_graph, tmp_path, monkeypatch):
    # (tests may run as root, who may write anywhere: the refusal a read-only directory gives is simulated)
    def refused(self, data):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(tmp_path), "write_bytes", refused)
    with pytest.raises(PermissionError, match=r"render: cannot write the picture \(Permission denied\)") as caught:
        render(lecture_graph[0], tmp_path / "graph.svg")
    assert caught.value.filename == str(tmp_path / "graph.svg")
    assert list(tmp_path.iterdir()) == []


@needs_dot
def test_render_reads_an_upper_case_suffix_and_draw_graph_a_numpy_max_nodes(lecture_graph, tmp_path):
    path = render(lecture_graph[0], tmp_path / "graph.PNG")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert "digraph" in draw_graph(lecture_graph[0], max_nodes=np.int64(3)).source


@needs_dot
def test_jupyter_shows_a_drawn_graph_as_graphvizs_picture(lecture_graph):
    shown = draw_graph(lecture_graph[0])._repr_mimebundle_()
    assert list(shown) == ["image/svg+xml"] and "<svg" in shown["image/svg+xml"]
