"""Packaging checks that need no build: resource lookup frozen and unfrozen, the spec's data paths,
the .desktop file, the frozen entry point's argv, the JSON comparer and the GUI self-test (fake pipeline).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gymscore import paths

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"


def _load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --- resource_path, frozen and not -----------------------------------------------------------------
def test_resource_path_unfrozen_is_the_checkout(monkeypatch):
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert paths.app_root() == REPO
    assert paths.codebook_dir() == REPO / "codebook" / "wag-2017"
    assert (paths.codebook_dir() / "element.schema.json").is_file()


def test_resource_path_frozen_uses_meipass(monkeypatch, tmp_path):
    bundle = tmp_path / "_internal"
    demo = bundle / "resources" / "demo" / "vt_demo"
    demo.mkdir(parents=True)
    (demo / "video.mp4").write_bytes(b"not really a video")
    (demo / "timeline.json").write_text("{}")
    (bundle / "resources" / "models").mkdir()
    (bundle / "resources" / "icons").mkdir()
    (bundle / "resources" / "icons" / "gymscore.png").write_bytes(b"png")
    (bundle / "codebook" / "wag-2017").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    from gymscore.cli.cmd_demo import demo_dir, find_demos
    from gymscore.gui.app import icon_path

    assert paths.app_root() == bundle
    assert paths.resource_path("codebook", "wag-2017") == bundle / "codebook" / "wag-2017"
    assert paths.codebook_dir("wag-2017") == bundle / "codebook" / "wag-2017"
    assert paths.shipped_models_dir() == bundle / "resources" / "models"
    assert icon_path() == bundle / "resources" / "icons" / "gymscore.png"
    assert demo_dir() == bundle / "resources" / "demo"
    assert find_demos(demo_dir()) == [("vt_demo", demo / "video.mp4", demo / "timeline.json")]


# --- the spec ----------------------------------------------------------------------------------------
def _spec_resource_dirs() -> list[str]:
    tree = ast.parse((PACKAGING / "gymscore.spec").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = [getattr(t, "id", "") for t in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and "RESOURCE_DIRS" in names:
            return ast.literal_eval(node.value)
    raise AssertionError("gymscore.spec defines no RESOURCE_DIRS")


def test_spec_parses_and_lists_the_resource_folders():
    dirs = _spec_resource_dirs()
    assert dirs == ["codebook", "configs", "resources/models", "resources/demo", "resources/icons"]
    assert (REPO / "codebook" / "wag-2017").is_dir()
    assert (REPO / "configs").is_dir()
    assert (PACKAGING / "entry.py").is_file()


def _resource_lookups() -> list[tuple[str, tuple[str, ...]]]:
    """(file, literal arguments) of every ``resource_path(...)`` call in the package."""
    found = []
    for f in sorted((REPO / "gymscore").rglob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == \
                    "resource_path":
                args = tuple(a.value for a in node.args if isinstance(a, ast.Constant))
                found.append((str(f.relative_to(REPO)), args))
    return found


def test_every_resource_lookup_is_bundled():
    dirs = _spec_resource_dirs()
    lookups = [(f, a) for f, a in _resource_lookups() if f != "gymscore/paths.py"]
    assert lookups, "no resource_path calls found"
    for f, args in lookups:
        rel = "/".join(args)
        assert any(rel == d or rel.startswith(d + "/") or d.startswith(rel + "/") or rel == d.split("/")[0]
                   for d in dirs), f"{f}: resource_path{args} is not under a folder the spec bundles"


def test_files_found_beside_modules_are_package_data_the_spec_collects():
    """``Path(__file__).with_name(X)`` lookups work frozen only for .json/.yaml (the spec copies those)."""
    pattern = re.compile(r"Path\(__file__\)\)?\.with_name\(\s*[\"']([^\"']+)[\"']")
    found = []
    for f in sorted((REPO / "gymscore").rglob("*.py")):
        for name in pattern.findall(f.read_text(encoding="utf-8")):
            found.append(name)
            assert Path(name).suffix in {".json", ".yaml"}, f"{f}: {name} would be missing from the bundle"
            assert (f.parent / name).is_file(), f"{f}: {name} does not exist"
    assert "timeline.schema.json" in found


# --- the .desktop file --------------------------------------------------------------------------------
def _desktop_entries() -> dict[str, str]:
    lines = (PACKAGING / "gymscore.desktop").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    entries = {}
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        assert "=" in line, f"not a key=value line: {line!r}"
        key, value = line.split("=", 1)
        assert key not in entries, f"duplicate key {key}"
        entries[key] = value
    return entries


def test_desktop_file_has_the_required_keys():
    e = _desktop_entries()
    assert e["Type"] == "Application"
    assert e["Name"] == "gymscore"
    assert e["Exec"].split()[0] == "gymscore" and e["Exec"].split()[1] == "gui"
    assert re.fullmatch(r"%[fFuU]", e["Exec"].split()[-1])
    assert e["Icon"] == "gymscore"
    assert e["Terminal"] == "false"
    for key in ("Categories", "MimeType", "Keywords"):
        assert e[key].endswith(";"), f"{key} must end with ';'"
    assert e["Categories"] == "Education;Sports;"  # Sports needs Education (or Science) beside it


def test_desktop_file_validates():
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (apt: desktop-file-utils)")
    out = subprocess.run([tool, str(PACKAGING / "gymscore.desktop")], capture_output=True, text=True)
    assert (out.returncode, out.stdout + out.stderr) == (0, "")


def test_an_application_icon_exists():
    assert (PACKAGING / "gymscore.png").is_file() or (REPO / "resources" / "icons" / "gymscore.png").is_file()


# --- the frozen entry point ---------------------------------------------------------------------------
def test_entry_drops_a_leading_module_switch():
    entry = _load_module("gymscore_entry", PACKAGING / "entry.py")
    assert entry.frozen_argv(["-m", "gymscore", "train", "export", "run"]) == ["train", "export", "run"]
    assert entry.frozen_argv(["-m", "gymscore.cli.main", "--version"]) == ["--version"]
    assert entry.frozen_argv(["analyze", "-m", "gymscore"]) == ["analyze", "-m", "gymscore"]
    assert entry.frozen_argv([]) == []


# --- the JSON comparer ---------------------------------------------------------------------------------
def test_compare_json_reports_each_difference(tmp_path, capsys):
    cmp = _load_module("gymscore_compare_json", PACKAGING / "compare_json.py")
    a = {"timeline": {"segments": [{"element_id": "FX-1", "confidence": 0.5}]}, "score": {"d_score": 4.2},
         "timings": {"features": 3.0}, "pose": {"from_cache": False, "found": 0.9}, "warnings": []}
    b = json.loads(json.dumps(a))
    b["timings"]["features"] = 9.0
    b["pose"]["from_cache"] = True
    b["pose"]["found"] = 0.9 + 1e-9
    assert cmp.compare(a, b) == []
    b["score"]["d_score"] = 4.3
    b["timeline"]["segments"][0]["element_id"] = "FX-2"
    b["warnings"] = ["x"]
    b["extra"] = 1
    assert cmp.compare(a, b) == [
        "extra: only in the second file",
        "score.d_score: 4.2 != 4.3",
        "timeline.segments[0].element_id: 'FX-1' != 'FX-2'",
        "warnings: 0 items != 1 items",
    ]
    (tmp_path / "a.json").write_text(json.dumps(a))
    (tmp_path / "b.json").write_text(json.dumps(b))
    assert cmp.main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 1
    assert "4 difference(s)" in capsys.readouterr().out
    assert cmp.main([str(tmp_path / "a.json"), str(tmp_path / "a.json")]) == 0


# --- the GUI self-test, with a fake pipeline ---------------------------------------------------------
@pytest.mark.gui
def test_gui_self_test_analyses_and_fails_clearly(tmp_path, capsys, monkeypatch):
    pytest.importorskip("PySide6")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from gymscore.gui.demo_data import make_demo, routine_timeline
    from gymscore.gui.selftest import EXIT_ANALYSIS, EXIT_OK, EXIT_OPEN, run_self_test
    from gymscore.gui.services import Services

    video, _, _ = make_demo(tmp_path / "demo", frames=60, size=(160, 90), n_elements=4)

    def fake_ok(path, progress=None, cancel=None, **kw):
        tl = routine_timeline(path, 60, 25.0, (160, 90), 4)
        tl.metadata["analysis"] = {"pose_found": 0.9}
        return tl

    def fake_fail(path, progress=None, cancel=None, **kw):
        raise RuntimeError("the segmenter weights are missing")

    assert run_self_test(video, timeout_s=30, services=Services(analyze=fake_ok)) == EXIT_OK
    assert "self-test: OK: demo.mp4: apparatus" in capsys.readouterr().out
    assert run_self_test(video, timeout_s=30, services=Services(analyze=fake_fail)) == EXIT_ANALYSIS
    assert "FAILED: RuntimeError: the segmenter weights are missing" in capsys.readouterr().err
    assert run_self_test(tmp_path / "missing.mp4") == EXIT_OPEN
    assert "missing.mp4: no such file" in capsys.readouterr().err
