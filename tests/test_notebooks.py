"""The course notebooks run top to bottom in a fresh kernel, and the committed copies carry clean outputs.

Every notebook asserts its key numbers in the cells that compute them, so executing it fresh checks
the engine against the lectures. Executing uses ``notebooks/run.py`` (the same code that regenerates
the committed outputs); graph pictures need the ``dot`` binary of graphviz.
"""

import importlib.util
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"

_spec = importlib.util.spec_from_file_location("notebook_runner", NOTEBOOK_DIR / "run.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

NOTEBOOKS = runner.course_notebooks()


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _error_outputs(notebook):
    return [
        (number, output.ename, output.evalue)
        for number, cell in enumerate(_code_cells(notebook), start=1)
        for output in cell.outputs
        if output.output_type == "error"
    ]


def test_the_course_has_notebooks():
    assert NOTEBOOKS, f"no numbered notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_executes_fresh_without_errors(path):
    notebook = runner.execute_notebook(path)
    assert _error_outputs(notebook) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_committed_notebook_has_sequential_outputs_and_no_errors(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code_cells = _code_cells(notebook)
    assert code_cells, f"{path.name} has no code cells"
    assert all(cell.source.strip() for cell in code_cells), f"{path.name} has an empty code cell"
    counts = [cell.execution_count for cell in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), f"{path.name} execution counts {counts}"
    assert any(cell.outputs for cell in code_cells), f"{path.name} was committed without outputs"
    assert _error_outputs(notebook) == []


def test_notebook_readme_lists_every_notebook():
    readme = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    missing = [path.name for path in NOTEBOOKS if path.name not in readme]
    assert missing == []


def test_runner_names_the_failing_notebook_and_cell(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("A broken notebook."),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("x / 0"),
    ]
    path = tmp_path / "broken.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(runner.NotebookError, match=r"broken\.ipynb: code cell 2 \('x / 0'\) raised ZeroDivisionError"):
        runner.execute_notebook(path)
