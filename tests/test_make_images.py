"""docs/make_images.py makes every picture the README and docs/ show, so none is drawn by hand."""

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import draw_graph

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "make_images.py"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' program not installed")


def load_make_images():
    spec = importlib.util.spec_from_file_location("make_images", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_images = load_make_images()


def referenced_images() -> set[Path]:
    """Every local image a Markdown document shows, ``![alt](path)``, resolved against its document."""
    images = set()
    for document in DOCUMENTS:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", document.read_text(encoding="utf-8")):
            if "://" not in target:
                images.add((document.parent / target).resolve())
    return images


def test_documents_show_images():
    assert len(referenced_images()) >= 3


@pytest.mark.parametrize("image", sorted(referenced_images()), ids=lambda path: path.name)
def test_every_shown_image_is_a_picture_of_make_images(image):
    assert image.parent == make_images.IMAGES
    assert image.name in make_images.PICTURES
    assert image.is_file()


@pytest.mark.parametrize("name", sorted(make_images.PICTURES))
def test_every_picture_draws_without_dot(name):
    build, options = make_images.PICTURES[name]
    assert "->" in draw_graph(build(), **options).source


@needs_dot
def test_make_images_command_writes_every_picture(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "images")], capture_output=True, text=True, check=True
    )
    written = {path.name for path in (tmp_path / "images").iterdir()}
    assert written == set(make_images.PICTURES)
    assert {Path(line).name for line in completed.stdout.splitlines()} == written
    for name in written:
        assert "<svg" in (tmp_path / "images" / name).read_text(encoding="utf-8")
