"""Atomic writes (full disk keeps the old file), progress line, cancel token, CLI entry."""

from __future__ import annotations

import errno
import io
import json
import os

import pytest

from gymscore.cli.main import main
from gymscore.util.atomic import SaveError, atomic_write_bytes, atomic_write_json, atomic_write_text
from gymscore.util.progress import Cancelled, CancelToken, ProgressLine, check_cancel, report


def test_atomic_write_replaces_content_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "a.json"
    atomic_write_json(target, {"x": 1})
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_atomic_write_keeps_normal_permissions(tmp_path):
    target = tmp_path / "p.json"
    umask = os.umask(0o022)
    try:
        atomic_write_text(target, "x")
        assert target.stat().st_mode & 0o777 == 0o644
        target.chmod(0o640)
        atomic_write_text(target, "y")
        assert target.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(umask)


def test_full_disk_keeps_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "t.json"
    atomic_write_bytes(target, b"old")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(SaveError) as exc:
        atomic_write_json(target, {"new": True})
    assert str(exc.value) == f"cannot write {target}: the disk is full; the previous file is unchanged"
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_unwritable_folder_names_the_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SaveError, match=r"cannot write .*file/t\.json"):
        atomic_write_text(blocker / "t.json", "data")


def test_cancel_token_and_helpers():
    tok = CancelToken()
    check_cancel(None)
    tok.check()
    tok.cancel()
    assert tok.cancelled
    with pytest.raises(Cancelled):
        check_cancel(tok)
    calls = []
    report(None, 1, 2)
    report(lambda d, t, m: calls.append((d, t, m)), 1, 2, "half")
    assert calls == [(1, 2, "half")]


def test_progress_line_draws_bar_and_ends_line():
    buf = io.StringIO()
    line = ProgressLine(stream=buf, width=10, min_interval=0.0)
    line(5, 10, "decoding")
    line(10, 10, "done")
    line.close()
    out = buf.getvalue()
    assert "[#####-----]  50.0%" in out and "[##########] 100.0%" in out and out.endswith("\n")


def test_cli_version_and_user_error(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("gymscore 0.1.0")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1}))
    assert main(["score", str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err
