"""Every ```python block of docs/*.md runs on its own: in a fresh namespace and an empty working directory."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCKS = [
    (page.name, index, block)
    for page in sorted(DOCS.glob("*.md"))
    for index, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL))
]


def test_the_docs_have_examples():
    assert {"custom_functions.md", "drawing.md", "higher_order.md"} <= {page for page, _, _ in BLOCKS}


@pytest.mark.parametrize(("page", "index", "block"), BLOCKS, ids=[f"{page}-{index}" for page, index, _ in BLOCKS])
def test_docs_block_runs_on_its_own(page, index, block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(block, f"docs/{page} block {index}", "exec"), {"__name__": "docs"})
