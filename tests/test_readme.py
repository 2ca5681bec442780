"""Every ```python block of README.md runs, in order, in one namespace."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_readme_has_examples():
    assert len(BLOCKS) >= 5


@pytest.fixture(scope="module")
def namespace():
    return {"__name__": "readme"}


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, namespace, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), namespace)
