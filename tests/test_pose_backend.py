"""The pose backend: a clear message with the install command when MediaPipe is missing."""

from __future__ import annotations

import sys

import pytest

from gymscore.features.pose import MEDIAPIPE_INSTALL, PoseBackendError, default_estimator


def test_missing_mediapipe_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # makes `import mediapipe` fail
    with pytest.raises(PoseBackendError) as err:
        default_estimator()
    assert "install it with: pip install --no-deps mediapipe==0.10.14" in str(err.value)
    assert MEDIAPIPE_INSTALL in str(err.value)


def test_cli_turns_a_missing_backend_into_a_user_error(monkeypatch, tmp_path, capsys):
    from gymscore.cli.main import main
    from gymscore.video.testclips import write_video

    monkeypatch.setitem(sys.modules, "mediapipe", None)
    video = write_video(tmp_path / "v.mp4", frames=5)
    assert main(["analyze", str(video), "--quiet", "--no-cache"]) == 2
    assert "gymscore: error: the pose estimator needs MediaPipe" in capsys.readouterr().err
