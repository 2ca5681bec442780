"""The README's editable install leaves ``autograd`` and ``nn`` visible to type checkers (mypy, pyright).

A user's script is checked from a directory outside the repository, so the packages can only be found
through the installation, as on a user's machine.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

USER_SCRIPT = '''\
"""A user's first steps, as in the README: they type-check without errors."""
import numpy as np

import nn
from autograd import Tensor, Value, no_grad
from nn.data import DataLoader, make_xor, train_test_split

a = Value(2.0)
b = (a * a + 1.0).tanh()
b.backward()

X, y = make_xor(64, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X.astype(np.float32), y, test_size=0.25, random_state=0)
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
losses: list[float] = []
for features, labels in DataLoader(X_train, y_train, batch_size=16):
    optimizer.zero_grad()
    loss: Tensor = nn.functional.cross_entropy(model(Tensor(features)), labels)
    loss.backward()
    optimizer.step()
    losses.append(float(loss.item()))
with no_grad():
    scores = model(Tensor(X_test))
print(a.grad, losses, scores.shape)
'''

MISTAKEN_SCRIPT = """\
import nn

layer = nn.Linear("three", 2)
"""


def _user_directory(tmp_path: Path) -> Path:
    (tmp_path / "user_script.py").write_text(USER_SCRIPT)
    (tmp_path / "mistaken_script.py").write_text(MISTAKEN_SCRIPT)
    return tmp_path


def _environment() -> dict[str, str]:
    """This process's environment without search-path overrides: only the installation can point at the packages."""
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "MYPYPATH")}


def test_mypy_resolves_the_installed_packages_in_a_user_script(tmp_path):
    directory = _user_directory(tmp_path)
    command = [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / ".mypy_cache"), "--no-error-summary"]
    result = subprocess.run(
        [*command, "user_script.py", "mistaken_script.py"],
        cwd=directory,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert "import-not-found" not in result.stdout, result.stdout
    assert not [line for line in lines if line.startswith("user_script.py")], result.stdout
    assert lines == [
        'mistaken_script.py:3: error: Argument 1 to "Linear" has incompatible type "str"; expected "int"  [arg-type]'
    ], result.stdout + result.stderr


def test_pyright_resolves_the_installed_packages_in_a_user_script(tmp_path):
    directory = _user_directory(tmp_path)
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent)) or "pyright"
    result = subprocess.run(
        [pyright, "--pythonpath", sys.executable, "--outputjson", "user_script.py", "mistaken_script.py"],
        cwd=directory,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    errors = [
        (Path(item["file"]).name, item["range"]["start"]["line"] + 1, item.get("rule"))
        for item in report["generalDiagnostics"]
        if item["severity"] == "error"
    ]
    assert errors == [("mistaken_script.py", 3, "reportArgumentType")], result.stdout
