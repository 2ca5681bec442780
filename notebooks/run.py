"""Execute the course notebooks top to bottom in a fresh kernel and save them with their outputs.

Usage (from the repository root)::

    .venv/bin/python notebooks/run.py                 # every notebook in notebooks/
    .venv/bin/python notebooks/run.py 01 08_softmax   # notebooks whose file name starts with these
    .venv/bin/python notebooks/run.py --check 02      # execute, but do not write the outputs back

Each notebook runs in a new ``python3`` kernel (the interpreter running this script) with
``notebooks/`` as its working directory and a per-cell timeout. On success the notebook is written
back with its outputs and sequential execution counts 1, 2, 3, ...; on the first error nothing is
written, the failing notebook, cell number and exception are printed, and the exit status is 1.
``tests/test_notebooks.py`` uses :func:`execute_notebook` from this file.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

NOTEBOOK_DIR = Path(__file__).resolve().parent
DEFAULT_CELL_TIMEOUT = 120


class NotebookError(RuntimeError):
    """A notebook cell raised (or timed out); the message names the notebook and the cell."""


def course_notebooks() -> list[Path]:
    """All notebooks of the course, in the lectures' order (their file names start with a number)."""
    return sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb"))


def select_notebooks(names: list[str]) -> list[Path]:
    """The notebooks whose file name starts with one of ``names`` (all of them when ``names`` is empty)."""
    notebooks = course_notebooks()
    if not names:
        return notebooks
    selected: list[Path] = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        matches = [path for path in notebooks if path.stem.startswith(stem)]
        if not matches:
            known = ", ".join(path.name for path in notebooks)
            raise ValueError(f"run.py: no notebook matches {name!r}; known notebooks: {known}")
        selected.extend(path for path in matches if path not in selected)
    return selected


def _describe_cell(notebook: nbformat.NotebookNode, cell_index: int) -> str:
    """'code cell N (first source line)' for the cell at ``cell_index``, N counting code cells from 1."""
    cell = notebook.cells[cell_index]
    number = sum(1 for earlier in notebook.cells[: cell_index + 1] if earlier.cell_type == "code")
    lines = cell.source.strip().splitlines()
    return f"code cell {number} ({lines[0] if lines else ''!r})"


def execute_notebook(path: Path, timeout: int = DEFAULT_CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` in a fresh kernel (cwd ``notebooks/``) and return it with outputs.

    Raises :class:`NotebookError` naming the notebook and the code cell when a cell raises or runs
    longer than ``timeout`` seconds. The file on disk is not modified.
    """
    notebook = nbformat.read(path, as_version=4)
    running = {"index": 0}

    def remember_cell(cell: nbformat.NotebookNode, cell_index: int) -> None:
        running["index"] = cell_index

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        on_cell_start=remember_cell,
    )
    try:
        client.execute()
    except CellTimeoutError as error:
        cell = _describe_cell(notebook, running["index"])
        raise NotebookError(f"{path.name}: {cell} ran longer than the {timeout} s timeout") from error
    except CellExecutionError as error:
        cell = _describe_cell(notebook, running["index"])
        raise NotebookError(f"{path.name}: {cell} raised {error.ename}: {error.evalue}") from error
    except DeadKernelError as error:
        cell = _describe_cell(notebook, running["index"])
        raise NotebookError(f"{path.name}: the kernel died during {cell}: {error}") from error
    return notebook


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook file-name prefixes (default: all notebooks)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT, help="seconds allowed per cell")
    parser.add_argument("--check", action="store_true", help="execute only; do not write the outputs back")
    args = parser.parse_args(argv)
    try:
        notebooks = select_notebooks(args.names)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    total_start = time.perf_counter()
    for path in notebooks:
        start = time.perf_counter()
        try:
            notebook = execute_notebook(path, timeout=args.timeout)
        except NotebookError as error:
            print(f"FAILED {error}", file=sys.stderr)
            return 1
        if not args.check:
            nbformat.write(notebook, path)
        print(f"ok {path.name} ({time.perf_counter() - start:.1f} s)")
    print(f"{len(notebooks)} notebook(s) in {time.perf_counter() - total_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
