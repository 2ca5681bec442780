"""Pictures of the computational graph with Graphviz: values forward, gradients backward.

>>> x, y = Value(2.0, label="x"), Value(-1.0, label="y")
>>> f = (2 * x + y) * x
>>> f.backward()
>>> draw_graph(f, number_backward=True)      # a graphviz.Digraph; Jupyter shows it inline
>>> render(f, "graph.svg")                    # or .png; needs the Graphviz ``dot`` program

Legend (the same for ``Value`` and ``Tensor`` graphs):

* a record per value: ``label | data | grad``. Scalars show numbers (``%.4g``);
  tensors show shape, dtype and min/mean/max of the data (min and max of its numbers, and ``(k nan)``
  counting its NaNs) and the norm of the gradient;
  ``grad None`` means no gradient has been computed or kept (a Tensor intermediate keeps
  its gradient only after ``retain_grad()``; ``compute_grad=True`` computes them all);
* light-blue fill, bold border: leaves that require grad (parameters, inputs);
  white: intermediates made by an operation; dashed grey: constants (no gradient);
  double border: the root the picture was drawn from;
* a small grey ellipse per operation (its op name; arithmetic as micrograd draws it: ``+ - * / ** @``), edges
  ``parent -> op -> result``;
* ``color_by_grad=True``: the fill runs from pale to dark blue with ``log10 |grad|``
  (tensors: the gradient's norm) between 1e-8 (vanishing: pale) and 10; red means a
  non-finite gradient. Borders keep the leaf / constant styles;
* ``number_backward=True``: ``#k`` is the node's position in the backward order (1 = root);
* a dashed box ``… N more nodes`` stands for the values beyond ``max_nodes``.

Traversal is iterative, so graphs of any depth can be drawn at the default recursion limit.
The Python ``graphviz`` package is imported only when a picture is made.
"""

from __future__ import annotations

import functools
import math
import os
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .backprop import backward_order, saved_values_kept
from .core import Node
from .functional import grad
from .shared_math import safe_norm

__all__ = ["GraphvizNotFoundError", "backward_steps", "draw_dot", "draw_graph", "render"]

RANKDIRS = ("LR", "TB", "RL", "BT")
#: |grad| at or below this is drawn palest by ``color_by_grad`` (vanishing).
VANISHING = 1e-8
#: |grad| at or above this is drawn darkest by ``color_by_grad``.
LARGE = 10.0
_RAMP = ((247, 251, 255), (107, 174, 214), (8, 48, 107))  # pale -> mid -> dark blue
_PENDING = object()  # gradient not computed yet (backward_steps)


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is not installed, so a graph cannot be rendered. What rendering raises is also
    graphviz's own ``ExecutableNotFound`` (:func:`_missing_dot`), so code written to catch that still does."""


@functools.cache
def _missing_dot_class() -> type:
    """GraphvizNotFoundError that is also ``graphviz.ExecutableNotFound`` (made on first use: graphviz is imported
    only when a graph is drawn)."""
    import graphviz

    class MissingDotError(GraphvizNotFoundError, graphviz.ExecutableNotFound):
        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)  # (ExecutableNotFound's own takes the failed command)

    MissingDotError.__name__ = MissingDotError.__qualname__ = "GraphvizNotFoundError"
    MissingDotError.__module__ = __name__
    return MissingDotError


def _missing_dot(where: str, format: str) -> GraphvizNotFoundError:
    """The error for rendering (by ``where``) without the ``dot`` program: the install help, in both classes."""
    return _missing_dot_class()(f"{where}: " + _INSTALL_HELP.format(format=format))


# -- formatting -----------------------------------------------------------------
#: The arithmetic operators drawn as micrograd's pictures (and the lectures' gates) show them; other ops by name.
_OP_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@"}


def _number(x: Any) -> str:
    return f"{float(x):.4g}"


#: The colours of a constant's record (a node that needs no gradient, or a number operand).
_CONSTANT_COLOURS = {"color": "grey50", "fontcolor": "grey35"}


def _record_label(body: str, rankdir: str) -> str:
    """A record's label: fields side by side for a left-right graph (graphviz flips them otherwise)."""
    return "{ " + body + " }" if rankdir in ("LR", "RL") else body


def _escape(text: str) -> str:
    """Escape the characters that structure a Graphviz record label; a line break stays one (Graphviz drops a raw
    newline or tab from a label), a tab becomes a space."""
    for char in "\\{}|<>":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n").replace("\t", " ")


def _data_text(node: Node) -> str:
    data = node._data
    if not isinstance(data, np.ndarray):
        return f"data {_number(data)}"
    header = f"data {data.shape} {data.dtype}"
    if data.size == 0:
        return header + "\\nempty"
    values = data.astype(np.float64)
    if data.size == 1:
        return header + f"\\nvalue {_number(values.reshape(()))}"
    nans = np.isnan(values)
    count = int(np.count_nonzero(nans))
    if count == data.size:
        return header + f"\\nall {count} nan"
    present = values[~nans] if count else values  # min and max of the numbers; how many NaNs, said apart
    with np.errstate(all="ignore"):
        summary = f"min {_number(present.min())} mean {_number(values.mean())} max {_number(present.max())}"
    return header + "\\n" + summary + (f" ({count} nan)" if count else "")


def _grad_text(grad: Any) -> str:
    if grad is _PENDING:
        return "grad ?"
    if isinstance(grad, Node):
        grad = grad._data
    if grad is None:
        return "grad None"
    if isinstance(grad, np.ndarray):
        return f"grad norm {_number(safe_norm(grad))}"
    return f"grad {_number(grad)}"


def _magnitude(grad: Any) -> float | None:
    """|grad| for a number, the norm for an array, None when there is no gradient."""
    if grad is None or grad is _PENDING:
        return None
    if isinstance(grad, Node):
        grad = grad._data
    return safe_norm(grad) if isinstance(grad, np.ndarray) else abs(float(grad))


def _ramp_colour(magnitude: float) -> tuple[str, str]:
    """(fill, font colour) for a gradient magnitude on the log scale VANISHING..LARGE."""
    if not math.isfinite(magnitude):
        return "#e41a1c", "white"
    if magnitude <= VANISHING:
        position = 0.0
    else:
        low, high = math.log10(VANISHING), math.log10(LARGE)
        position = min(1.0, (math.log10(magnitude) - low) / (high - low))
    segment = min(int(position * 2), 1)
    t = position * 2 - segment
    start, end = _RAMP[segment], _RAMP[segment + 1]
    rgb = [round(a + (b - a) * t) for a, b in zip(start, end)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("white" if position > 0.6 else "black")


# -- traversal ------------------------------------------------------------------
def _collect(root: Node, max_nodes: int | None) -> tuple[list[Node], int]:
    """Values reachable from ``root`` by breadth-first search: the first ``max_nodes``, and how many more."""
    kept: list[Node] = [root]
    seen: set[Node] = {root}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
                if max_nodes is None or len(kept) < max_nodes:
                    kept.append(parent)
    return kept, len(seen) - len(kept)


def _walk(
    root: Node, max_nodes: int | None, number_backward: bool, order: list[Node] | None = None
) -> tuple[tuple[list[Node], int], dict[Node, int]]:
    """What a picture of ``root``'s graph needs from the graph: :func:`_collect`'s nodes and the backward-order
    position of each node (empty unless ``number_backward``; ``order``: the backward order, if already known);
    :func:`backward_steps` walks once for all its pictures."""
    if number_backward:
        positions = {node: k for k, node in enumerate(backward_order([root]) if order is None else order, start=1)}
    else:
        positions = {}
    return _collect(root, max_nodes), positions


def _computed_gradients(root: Node) -> dict[Node, Any]:
    """d root / d node for every node of the graph, computed afresh (``.grad`` is not touched)."""
    if not root.requires_grad:
        return {}
    if np.size(root._data) != 1:
        raise ValueError(
            f"draw_graph: gradients can be computed only from a one-element root, got shape {np.shape(root.data)}"
        )
    nodes = backward_order([root])
    with saved_values_kept(nodes):  # drawn after root.backward() freed them, as the lectures draw it
        return dict(zip(nodes, grad(root, nodes, retain_graph=True, allow_unused=True)))


# -- building the picture -------------------------------------------------------
def _check_options(root: Any, rankdir: str, max_nodes: int | None, format: str) -> None:
    import graphviz

    if not isinstance(root, Node):
        raise TypeError(f"draw_graph: root must be a Value or Tensor, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)) or max_nodes < 1
    ):
        raise ValueError(f"draw_graph: max_nodes must be a positive int or None, got {max_nodes!r}")
    max_nodes = None if max_nodes is None else int(max_nodes)
    if format not in graphviz.FORMATS:
        raise ValueError(f"draw_graph: unknown output format {format!r}; use e.g. 'svg' or 'png'")


def _build(
    root: Node,
    *,
    rankdir: str,
    show_grad: bool,
    color_by_grad: bool,
    number_backward: bool,
    max_nodes: int | None,
    format: str,
    grad_of: Callable[[Node], Any],
    highlight: Node | None = None,
    walked: tuple[tuple[list[Node], int], dict[Node, int]] | None = None,
    names: dict[Node, str] | None = None,
) -> Any:
    import graphviz

    (values, hidden), positions = walked if walked is not None else _walk(root, max_nodes, number_backward)
    graph = graphviz.Digraph(
        format=format,
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
    )
    # shown inline by Jupyter; without dot, the install help and the DOT source instead of graphviz's traceback
    graph._repr_mimebundle_ = functools.partial(_shown_or_explained, graph)
    for method in _RENDERING_METHODS:  # graph.render("gout") as in micrograd's notebooks: the same help without dot
        setattr(graph, method, _explaining_missing_dot(graph, method))
    index = {node: i for i, node in enumerate(values)}
    for i, node in enumerate(values):
        label = names.get(node, node.label) if names else node.label
        label = "" if label is None else str(label)  # (any object assigned, as micrograd's %s draws it; None: none)
        title = " ".join(part for part in (f"#{positions[node]}" if node in positions else "", label) if part)
        fields = [_escape(title)] if title else []
        fields.append(_data_text(node))
        grad = grad_of(node) if node.requires_grad else None
        if show_grad and node.requires_grad:
            fields.append(_grad_text(grad))
        body = " | ".join(fields)
        attrs = {"shape": "record", "label": _record_label(body, rankdir)}
        styles = []
        if not node.requires_grad:
            styles.append("dashed")
            attrs.update(_CONSTANT_COLOURS)
        elif node.is_leaf:
            styles += ["filled", "bold"]
            attrs["fillcolor"] = "#cfe2f3"
        magnitude = _magnitude(grad)
        if color_by_grad and magnitude is not None:
            attrs["fillcolor"], attrs["fontcolor"] = _ramp_colour(magnitude)
            if "filled" not in styles:
                styles.append("filled")
        if node is root:
            attrs["peripheries"] = "2"
        if node is highlight:
            attrs.update(color="#d62728", penwidth="3")
        if styles:
            attrs["style"] = ",".join(styles)
        graph.node(f"v{i}", **attrs)
    marker = "hidden"
    for i, node in enumerate(values):
        if node.op is None:
            continue
        graph.node(
            f"o{i}",
            _OP_SYMBOLS.get(node.op.name, node.op.name),
            shape="ellipse",
            style="filled",
            fillcolor="#eeeeee",
            fontsize="9",
            height="0.3",
        )
        graph.edge(f"o{i}", f"v{i}")
        frontier = False
        for parent in node.op_inputs:
            if not isinstance(parent, Node):  # a plain number operand (x * 2): kept on the node, drawn as a constant
                label = _record_label(f"data {_number(node.attrs)}", rankdir)
                graph.node(f"k{i}", label, shape="record", style="dashed", **_CONSTANT_COLOURS)
                graph.edge(f"k{i}", f"o{i}")
            elif parent in index:
                graph.edge(f"v{index[parent]}", f"o{i}")
            else:
                frontier = True
        if frontier:
            graph.edge(marker, f"o{i}", style="dashed", color="grey50")
    if hidden:
        graph.node(
            marker, f"… {hidden} more nodes", shape="box", style="dashed,rounded", color="grey50", fontcolor="grey35"
        )
    return graph


def draw_graph(
    root: Node,
    rankdir: str = "LR",
    show_grad: bool = True,
    color_by_grad: bool = False,
    number_backward: bool = False,
    max_nodes: int | None = 200,
    format: str = "svg",
    compute_grad: bool = False,
    params: Mapping[str, Node] | None = None,
) -> Any:
    """Return a ``graphviz.Digraph`` of the graph that computed ``root`` (see the module legend).

    ``rankdir``: "LR" (left to right) or "TB" (top to bottom; also "RL", "BT").
    ``show_grad``: add each value's gradient (the stored ``.grad``, or with
    ``compute_grad=True`` d root/d node computed afresh for every node, intermediates
    included, without touching ``.grad``; hooks registered on the nodes run).
    ``color_by_grad``: fill values by log gradient magnitude (gradient flow).
    ``number_backward``: prefix ``#k``, the position in backward order (1 = root).
    ``max_nodes``: draw only the ``max_nodes`` values closest to the root (breadth-first)
    and one ``… N more nodes`` marker feeding the operations at the cut; None draws all.
    ``format``: the default output format of ``.render()``/``.pipe()`` and of :func:`render` to a path
    without a suffix.
    ``params``: names for values, as torchviz's ``make_dot(y, params=dict(model.named_parameters()))``: each
    value given is labelled with its name (in place of its own ``label``).
    """
    _check_options(root, rankdir, max_nodes, format)
    names = _parameter_names(params)
    if compute_grad:
        gradients = _computed_gradients(root)
        grad_of: Callable[[Node], Any] = gradients.get
    else:
        grad_of = _stored_grad
    return _build(
        root,
        rankdir=rankdir,
        show_grad=show_grad,
        color_by_grad=color_by_grad,
        number_backward=number_backward,
        max_nodes=max_nodes,
        format=format,
        grad_of=grad_of,
        names=names,
    )


def _parameter_names(params: Any) -> dict[Node, str] | None:
    """``params`` (name -> Value or Tensor, or None) as node -> name; TypeError naming a bad entry."""
    if params is None:
        return None
    if not isinstance(params, Mapping):
        raise TypeError(f"draw_graph: params must map names to Values or Tensors, got {type(params).__name__}")
    names = {}
    for name, node in params.items():
        if not isinstance(node, Node):
            raise TypeError(f"draw_graph: params[{name!r}] is a {type(node).__name__}, not a Value or Tensor")
        names[node] = str(name)
    return names


def draw_dot(root: Node, format: str = "svg", rankdir: str = "LR", **options: Any) -> Any:
    """micrograd's name and argument order for :func:`draw_graph` (``draw_dot(loss)`` as in the lecture)."""
    return draw_graph(root, rankdir=rankdir, format=format, **options)


def _stored_grad(node: Node) -> Any:
    return node._grad


def backward_steps(
    root: Node,
    rankdir: str = "LR",
    color_by_grad: bool = False,
    number_backward: bool = True,
    max_nodes: int | None = 200,
    format: str = "svg",
) -> list[Any]:
    """The backward pass as a list of pictures, one per node that receives a gradient.

    Picture ``k`` shows the gradients of the first ``k`` nodes of the backward order
    (``grad ?`` for the rest) and outlines node ``k`` in red: its gradient has just
    been completed by summing what its children sent it (lecture style). Gradients are
    computed afresh (``.grad`` is not touched); ``root`` must have one element. Only
    nodes inside ``max_nodes`` get a picture. Options as in :func:`draw_graph`.
    """
    _check_options(root, rankdir, max_nodes, format)
    gradients = _computed_gradients(root)
    order = backward_order([root])
    walked = _walk(root, max_nodes, number_backward, order)  # once for every picture: each draws the same nodes
    drawn = set(walked[0][0])
    pictures = []
    done: set[Node] = set()  # the drawn nodes whose gradient is complete
    for node in order:
        if node not in drawn:
            continue
        done.add(node)
        finished = frozenset(done)
        pictures.append(
            _build(
                root,
                rankdir=rankdir,
                show_grad=True,
                color_by_grad=color_by_grad,
                number_backward=number_backward,
                max_nodes=max_nodes,
                format=format,
                grad_of=lambda n, finished=finished: gradients.get(n) if n in finished else _PENDING,
                highlight=node,
                walked=walked,
            )
        )
    return pictures


_INSTALL_HELP = (
    "the Graphviz 'dot' program was not found on PATH, so the graph cannot be rendered to {format}. "
    "Install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) "
    "or `conda install -c conda-forge graphviz`. The DOT source is still available without it: "
    "`graph.source` (text) or `graph.save('graph.gv')`."
)


def _shown_or_explained(graph: Any, include: Any = None, exclude: Any = None, **options: Any) -> dict[str, Any]:
    """A drawn graph's Jupyter display: graphviz's own (the rendered picture), or, where the ``dot`` program is
    missing, the installation help and the DOT source as text."""
    import graphviz

    try:
        return type(graph)._repr_mimebundle_(graph, include, exclude, **options)
    except graphviz.ExecutableNotFound:  # (also what the graph's own pipe raises: _missing_dot's class derives from it)
        return {"text/plain": "draw_graph: " + _INSTALL_HELP.format(format="svg") + "\n\n" + graph.source}


#: The Digraph methods that run the ``dot`` program (``view`` calls ``render``).
_RENDERING_METHODS = ("render", "pipe")


def _explaining_missing_dot(graph: Any, method: str) -> Callable[..., Any]:
    """``graph.method`` (one of :data:`_RENDERING_METHODS`), raising :class:`GraphvizNotFoundError` with the
    installation help instead of graphviz's ``ExecutableNotFound`` when the ``dot`` program is missing."""
    unbound = getattr(type(graph), method)

    @functools.wraps(unbound)
    def call(*args: Any, **kwargs: Any) -> Any:
        import graphviz

        try:
            return unbound(graph, *args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            format = kwargs.get("format") or graph.format
            raise _missing_dot(method, format) from error

    return call


def render(graph: Any, path: str | os.PathLike, format: str | None = None, **draw_options: Any) -> str:
    """Render a Digraph (or a node, drawn with ``draw_options``) to ``path``; return the file's path.

    ``format`` defaults to the suffix of ``path`` (``.svg``, ``.png``, ``.PNG``, ...), or else the graph's own
    format (``draw_graph(..., format="png")``; "svg" by default);
    a path without a suffix gets one. Raises :class:`GraphvizNotFoundError` with
    installation instructions when the ``dot`` program is missing. Only ``path`` is written (whole, or not at all:
    no DOT source file is left beside it, nor one of that name overwritten). A path that cannot be written (a
    directory that does not exist, no permission) raises the OSError the system gives, naming ``path``.
    """
    import graphviz

    if isinstance(graph, Node):
        graph = draw_graph(graph, **draw_options)
    elif draw_options:
        raise TypeError(f"render: drawing options {sorted(draw_options)} apply only when a node is given")
    path = Path(path)
    suffix = path.suffix.lstrip(".").lower()
    if format is None:
        format = suffix or getattr(graph, "format", None) or "svg"
    elif suffix and suffix != format.lower():
        raise ValueError(f"render: path suffix {path.suffix!r} does not match format {format!r}")
    if format not in graphviz.FORMATS:
        raise ValueError(f"render: unknown output format {format!r}; use e.g. 'svg' or 'png'")
    if not suffix:
        path = path.with_name(f"{path.name}.{format}")
    try:
        # in memory: graphviz's render() writes (and deletes) a .gv beside; the class's pipe, whose error is caught here
        picture = type(graph).pipe(graph, format=format)
    except graphviz.ExecutableNotFound as error:
        raise _missing_dot("render", format) from error
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(picture)
        os.replace(partial, path)  # whole or not at all
    except OSError as error:  # named by the user's path, not the hidden partial file's
        parent = path.parent
        reason = f"the directory '{parent}' does not exist" if not parent.exists() else error.strerror
        raise type(error)(error.errno, f"render: cannot write the picture ({reason})", str(path)) from None
    finally:
        if partial.exists():  # (unlink would raise again where the parent is a file)
            partial.unlink()
    return str(path)
