"""``gymscore analyze`` and ``gymscore models list``: output fields, saving, errors, cancel."""

from __future__ import annotations

import argparse
import json
import os
import signal

import pytest

from gymscore.cli import cmd_analyze
from gymscore.cli.main import main
from gymscore.timeline import load_timeline
from gymscore.video.testclips import write_video
from tests.test_pipeline_fakes import FakeClassifier, FakeEstimator, FakeSegmenter


def _args(video, **kw):
    base = dict(video=str(video), apparatus=None, device="cpu", out=None, json=False, no_cache=False,
                pose_fps=25.0, quiet=True, first_pass_only=False, fast=False)
    base.update(kw)
    return argparse.Namespace(**base)


def _fakes():
    return dict(segmenter=FakeSegmenter(), classifier=FakeClassifier(), estimator=FakeEstimator())


def test_analyze_json_fields_and_out_file(tmp_path, capsys):
    video = write_video(tmp_path / "r.mp4", frames=40)
    out = tmp_path / "tl.json"
    assert cmd_analyze.run_analyze(_args(video, json=True, out=str(out)), **_fakes()) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"timeline", "score", "apparatus", "apparatus_probs", "pose", "device", "timings",
                         "warnings"}
    assert data["apparatus"] == "FX"
    assert [s["element_id"] for s in data["timeline"]["segments"]] == ["FX-094", "FX-144"]
    assert data["score"]["apparatus"] == "FX" and data["score"]["d_score"] == pytest.approx(0.4)
    assert {"d_score", "dv", "cr", "cv", "elements"} <= set(data["score"])
    assert data["pose"]["found"] == 1.0 and data["pose"]["estimator"] == "fake-pose/1"
    assert load_timeline(out).segments[1].element_id == "FX-144"


def test_analyze_text_output(tmp_path, capsys):
    video = write_video(tmp_path / "r.mp4", frames=40)
    assert cmd_analyze.run_analyze(_args(video, apparatus="FX"), **_fakes()) == 0
    text = capsys.readouterr().out
    assert "apparatus FX (given)" in text
    assert "FX-094 stag ring jump +" in text
    assert "0.20-  0.60s" in text
    assert "D " in text and "0.40" in text


def test_ctrl_c_cancels_cleanly(tmp_path, capsys):
    video = write_video(tmp_path / "r.mp4", frames=40)

    def where(call, roi):
        if call == 5:
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C during pose estimation
        return (80.0, 60.0, 60.0)

    fakes = _fakes() | {"estimator": FakeEstimator(where)}
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN when the suite itself runs in the background
    assert cmd_analyze.run_analyze(_args(video), **fakes) == 130
    assert "gymscore: analysis cancelled" in capsys.readouterr().err
    assert fakes["estimator"].calls < 10
    assert signal.getsignal(signal.SIGINT) is before


def test_analyze_bad_video_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "noise.mp4"
    bad.write_bytes(b"\x00\x01junk" * 100)
    assert main(["analyze", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gymscore: error: ") and "noise.mp4: not a video file" in err


def test_models_list_json(capsys):
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    for r in rows:
        assert {"name", "path", "sha256", "metrics"} <= set(r)


def test_first_pass_only_skips_the_full_rate_pass(tmp_path, capsys, monkeypatch):
    from gymscore.features import densify

    monkeypatch.setattr(densify, "MIN_BOX_PIXELS", 0)  # the test clip's gymnast is tiny
    video = write_video(tmp_path / "v.mp4", frames=40, fps=25)
    est = FakeEstimator()
    fakes = dict(segmenter=FakeSegmenter(), classifier=FakeClassifier(), estimator=est)
    assert cmd_analyze.run_analyze(_args(video, pose_fps=12.5, no_cache=True), **fakes) == 0
    full = est.calls
    est2 = FakeEstimator()
    fakes = dict(segmenter=FakeSegmenter(), classifier=FakeClassifier(), estimator=est2)
    args = _args(video, pose_fps=12.5, no_cache=True, first_pass_only=True)
    assert cmd_analyze.run_analyze(args, **fakes) == 0
    assert est2.calls < full  # the elements' skipped frames were not estimated


@pytest.mark.parametrize(("flags", "follows"), [({}, False), ({"fast": True}, True),
                                                ({"fast": True, "first_pass_only": True}, False)])
def test_fast_makes_the_first_pass_lean_on_tall_enough_videos(tmp_path, flags, follows):
    from tests.test_tracking_calls import Following

    video = write_video(tmp_path / "v.mp4", frames=30, fps=25, width=160, height=640)
    spot = (80.0, 320.0, 200.0)
    est = Following(lambda call, roi: spot, lambda n: spot)
    fakes = dict(segmenter=FakeSegmenter(), classifier=FakeClassifier(), estimator=est)
    assert cmd_analyze.run_analyze(_args(video, pose_fps=12.5, no_cache=True, **flags), **fakes) == 0
    assert ("follow" in est.kinds) == follows


@pytest.mark.parametrize(("workers", "expect"), [(None, 2), (3, 3), (0, os.cpu_count() or 1)])
def test_workers_option_sets_the_pose_worker_processes(tmp_path, monkeypatch, workers, expect):
    from gymscore.features import extract

    seen = {}

    def fake_extract(video, estimator, config, *a, **kw):
        seen["workers"] = config.workers if config is not None else extract.ExtractConfig().workers
        raise RuntimeError("stop here")

    monkeypatch.setattr("gymscore.pipeline.extract_features", fake_extract)
    args = _args(tmp_path / "v.mp4", pose_fps=None, workers=workers)
    with pytest.raises(RuntimeError, match="stop here"):
        cmd_analyze.run_analyze(args, **_fakes())
    assert seen["workers"] == expect


def test_negative_workers_are_refused(tmp_path, capsys):
    video = write_video(tmp_path / "v.mp4", frames=10)
    assert main(["analyze", str(video), "--workers", "-1", "--quiet"]) == 2
    assert "gymscore: error: workers must be 0 (one per CPU core) or more, not -1" in capsys.readouterr().err


def test_the_element_table_numbers_the_segments_notes():
    from gymscore.timeline import Segment, Timeline, VideoInfo

    tl = Timeline(video=VideoInfo(fps=25, frame_count=100), apparatus="FX", segments=[
        Segment(0, 25, 25, "FX-187", confidence=0.25, note="scored at the median value 0.4: ..."),
        Segment(30, 50, 25, "FX-183", confidence=0.9),
    ])
    lines = cmd_analyze.element_table(tl).splitlines()
    assert lines[1].startswith("  0.00-  1.00s  FX-187 salto backward stretched with 2.5 twist")
    assert lines[1].endswith("0.40  0.25 [1]") and lines[2].endswith("0.30  0.90")
    assert lines[3] == "[1] FX-187: scored at the median value 0.4: ..."
    assert len(lines) == 4


def test_the_stretches_where_she_was_lost_are_listed_in_text_and_json(tmp_path, capsys):
    video = write_video(tmp_path / "r.mp4", frames=40)
    lost_after_8 = FakeEstimator(where=lambda call, roi: (80.0, 60.0, 60.0) if call < 8 else None)
    fakes = {**_fakes(), "estimator": lost_after_8}
    assert cmd_analyze.run_analyze(_args(video), **fakes) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[3] == "gymnast not found at 0.32-1.60s (1.3 s in all): elements there may be missing"
    assert cmd_analyze.run_analyze(_args(video, json=True), **fakes) == 0
    assert json.loads(capsys.readouterr().out)["pose"]["lost_seconds"] == [[0.32, 1.6]]


def test_a_timeline_that_cannot_be_saved_still_prints_the_analysis(tmp_path, capsys, monkeypatch):
    from gymscore.timeline import io
    from gymscore.util.atomic import SaveError

    def full(*_args, **_kw):
        raise SaveError(28, f"cannot write {tmp_path / 'tl.json'}: No space left on device")

    monkeypatch.setattr(io, "atomic_write_json", full)
    video = write_video(tmp_path / "r.mp4", frames=40)
    assert cmd_analyze.run_analyze(_args(video, out=str(tmp_path / "tl.json")), **_fakes()) == 1
    out, err = capsys.readouterr()
    assert "FX-094 stag ring jump +" in out and "D " in out
    said = (f"gymscore: error: the timeline was not saved: cannot write {tmp_path / 'tl.json'}: "
            "No space left on device")
    assert err.strip().splitlines()[-1] == said
    assert not (tmp_path / "tl.json").exists()
