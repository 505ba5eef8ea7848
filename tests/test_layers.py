"""The layer rules of DESIGN.md: the core stays free of Qt, torch and OpenCV; Qt stays in gui/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "gymscore"
CORE = ("timeline", "codebook", "scoring")
HEAVY = ("PySide6", "pyqtgraph", "torch", "cv2")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_qt_only_in_gui():
    offenders = []
    for py in PKG.rglob("*.py"):
        rel = py.relative_to(PKG)
        if rel.parts[0] == "gui":
            continue
        bad = _imports(py) & {"PySide6", "pyqtgraph"}
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == []


@pytest.mark.parametrize("layer", CORE)
def test_core_layers_import_no_heavy_modules_statically(layer):
    folder = PKG / layer
    if not folder.exists():
        pytest.skip(f"gymscore/{layer} not written yet")
    offenders = [
        f"{py.relative_to(PKG)}: {sorted(_imports(py) & set(HEAVY))}"
        for py in folder.rglob("*.py")
        if _imports(py) & set(HEAVY)
    ]
    assert offenders == []


def test_core_layers_import_no_heavy_modules_at_run_time():
    mods = [f"gymscore.{m}" for m in CORE if (PKG / m / "__init__.py").exists()]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in mods)
        + f"print(','.join(sorted(h for h in {HEAVY!r} if h in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
