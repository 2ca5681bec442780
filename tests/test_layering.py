"""The import structure: autograd's modules form no cycle, and nn uses only autograd's public names.

Run the same check by hand with ``python -m pytest tests/test_layering.py``; the
graph it reads is every ``import``/``from ... import`` statement of ``autograd/`` that can
run, lazy imports inside functions included. Imports under ``if TYPE_CHECKING:`` never run,
so they form no import cycle and are left out of that graph: the graph core's lower modules
name ``Node`` in annotations that way (``Node`` is defined above them, in ``autograd.core``).
"""

import ast
import importlib
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _is_type_checking_block(node: ast.AST) -> bool:
    """True for ``if TYPE_CHECKING:`` (or ``if typing.TYPE_CHECKING:``), whose body never runs."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.AST, run_time_only: bool) -> list[ast.AST]:
    """Every node of ``tree`` (explicit stack); with ``run_time_only``, not those in ``if TYPE_CHECKING:`` bodies."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if run_time_only and _is_type_checking_block(node):
            stack.extend([node.test, *node.orelse])
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def _imports(path: pathlib.Path, package: str, run_time_only: bool = False) -> list[tuple[str, list[str]]]:
    """(imported module, imported names) for every import statement in ``path`` (that can run, with
    ``run_time_only``)."""
    found = []
    for node in _statements(ast.parse(path.read_text()), run_time_only):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, [alias.name for alias in node.names]))
    return found


def autograd_import_graph() -> dict[str, set[str]]:
    """module -> the autograd modules it imports (a submodule import also runs its subpackage's __init__)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "autograd").rglob("*.py")):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for module, names in _imports(path, package, run_time_only=True):
            if not module.startswith("autograd"):
                continue
            candidates = [f"{module}.{n}" for n in names if _is_module(f"{module}.{n}")] or [module]
            for target in candidates:
                parts = target.split(".")
                # importing autograd.a.b runs autograd/a/__init__.py; the top-level facade is left out
                targets.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
        targets.discard(name)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in graph:
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            for child in stack[-1]:
                if state.get(child) == 1:
                    return path[path.index(child) :] + [child]
                if child not in state and child in graph:
                    state[child] = 1
                    path.append(child)
                    stack.append(iter(sorted(graph[child])))
                    break
            else:
                stack.pop()
                state[path.pop()] = 2
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_import_reader_skips_only_imports_that_never_run(tmp_path):
    source = tmp_path / "module.py"
    source.write_text(
        "import a\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import b\n"
        "else:\n"
        "    import c\n"
        "def f():\n"
        "    import d\n"
    )
    every = {module for module, _ in _imports(source, "")}
    run_time = {module for module, _ in _imports(source, "", run_time_only=True)}
    assert every == {"a", "typing", "b", "c", "d"}
    assert run_time == {"a", "typing", "c", "d"}


def test_autograd_imports_form_no_cycle():
    graph = autograd_import_graph()
    assert "autograd.core" in graph and "autograd.tensor" in graph
    assert find_cycle(graph) is None


#: The graph core: Node (core), how it stores its parents, grad mode, Op, version counters, node copying, the backward loop, and the
#: warning-free numpy error state the loop runs in (quiet, which imports only numpy) and the pause of the collector
#: (collector, which imports only gc and threading), and the passes the loop publishes for multi-grad hooks
#: (graph_tasks, which imports only threading). Its modules import one another only.
GRAPH_CORE = {
    "autograd.backprop",
    "autograd.collector",
    "autograd.core",
    "autograd.grad_mode",
    "autograd.graph_tasks",
    "autograd.node_copying",
    "autograd.op",
    "autograd.parents",
    "autograd.quiet",
    "autograd.reentrant",
    "autograd.versions",
}


def test_the_graph_core_imports_nothing_above_it():
    graph = autograd_import_graph()
    above = {module: sorted(graph[module] - GRAPH_CORE) for module in sorted(GRAPH_CORE)}
    assert above == {module: [] for module in sorted(GRAPH_CORE)}


def test_nn_imports_only_public_autograd_names():
    offenders = []
    for path in sorted((ROOT / "nn").rglob("*.py")):
        for module, names in _imports(path, _module_name(path)):
            if not module.startswith("autograd"):
                continue
            public = getattr(importlib.import_module(module), "__all__", None)
            for name in names:
                if name.startswith("_") or (public is not None and name not in public):
                    offenders.append(f"{path.relative_to(ROOT)}: {module}.{name}")
    assert offenders == []


def test_nn_reads_no_private_attribute_of_autograd_objects():
    private = {
        "_grad",
        "_version_counter",
        "_version",
        "_from_op",
        "_make",
        "_zero_grad_value",
        "_wrap",
        "_origin",
        "_hooks",
    }
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}"
        for path in sorted((ROOT / "nn").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in private
    ]
    assert offenders == []
