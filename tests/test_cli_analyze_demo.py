"""``gymscore demo`` with fake runners: table, score card, comparison with the ground truth, errors."""

from __future__ import annotations

import argparse

import pytest

from gymscore.cli import cmd_demo
from gymscore.cli.main import UserError
from gymscore.features.extract import ExtractConfig
from gymscore.timeline import Segment, Timeline, VideoInfo, save_timeline
from gymscore.video.testclips import write_video
from tests.test_pipeline_fakes import FakeClassifier, FakeEstimator, FakeSegmenter


def _args(folder, **kw):
    return argparse.Namespace(**{"no_gui": True, "device": "cpu", "only": None, "demo_dir": folder, **kw})


def test_demo_compares_with_the_ground_truth(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "demo" / "fx_demo"
    folder.mkdir(parents=True)
    write_video(folder / "video.mp4", frames=40)
    truth = Timeline(video=VideoInfo(path="video.mp4", fps=25, frame_count=40), apparatus="FX", segments=[
        Segment(5, 15, 21, "FX-094"), Segment(17, 27, 22, "FX-143"), Segment(30, 38, 25, "FX-183"),
    ])
    save_timeline(truth, folder / "timeline.json")
    monkeypatch.setenv("DISPLAY", ":99")  # --no-gui wins over a display
    fakes = dict(segmenter=FakeSegmenter(), classifier=FakeClassifier(), estimator=FakeEstimator(),
                 config=ExtractConfig(pose_fps=25))
    assert cmd_demo.run_demo(_args(tmp_path / "demo"), **fakes) == 0
    out = capsys.readouterr().out
    assert "=== demo routine fx_demo: video.mp4 ===" in out
    assert "FX-094 stag ring jump +" in out
    # 2 of 3 true segments found with the right set (F1 = 0.8); 1 of 3 elements right
    assert "F1@0.5 0.80, element accuracy 0.33 (2 found, 3 true)" in out


def test_a_demo_project_that_cannot_be_saved_is_a_warning_not_a_failure(tmp_path, capsys, monkeypatch):
    from gymscore.gui import project
    from gymscore.util.atomic import SaveError

    def full(*_args, **_kw):
        raise SaveError(28, "cannot write fx_demo.gymproj: No space left on device")

    monkeypatch.setattr(project, "save_project", full)
    for name in ("fx_demo", "ub_demo"):
        folder = tmp_path / "demo" / name
        folder.mkdir(parents=True)
        write_video(folder / "video.mp4", frames=40)
    fakes = dict(segmenter=FakeSegmenter(), classifier=FakeClassifier(), estimator=FakeEstimator(),
                 config=ExtractConfig(pose_fps=25))
    assert cmd_demo.run_demo(_args(tmp_path / "demo"), **fakes) == 0
    out, err = capsys.readouterr()
    assert out.count("=== demo routine") == 2  # both routines analysed and printed
    assert err.count("could not be saved: cannot write fx_demo.gymproj: No space left on device") == 2


def test_compare_timelines_counts():
    v = VideoInfo(path="x.mp4", fps=25, frame_count=100)
    truth = Timeline(video=v, apparatus="FX",
                     segments=[Segment(0, 10, 21, "FX-094"), Segment(20, 30, 22, "FX-143")])
    pred = Timeline(video=v, apparatus="FX",
                    segments=[Segment(1, 10, 21, "FX-094"), Segment(40, 50, 22, "FX-143")])
    c = cmd_demo.compare_timelines(pred, truth)
    assert c["f1"] == pytest.approx(0.5) and c["element_accuracy"] == pytest.approx(0.5)
    assert c["d_score_diff"] == pytest.approx(c["d_score"] - c["d_score_true"], abs=1e-9)


def test_demo_without_routines_names_what_is_missing(tmp_path):
    with pytest.raises(UserError, match=r"no demo routine found in .*empty: expected a video"):
        cmd_demo.run_demo(_args(tmp_path / "empty"))
