"""Pose features, augmentation, routine files, user corrections and the FineGym loaders."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gymscore.cli.main import main
from gymscore.codebook import default_codebook
from gymscore.data import finegym
from gymscore.data.augment import AugmentConfig, augment_pose, mirror
from gymscore.data.routines import USER_WEIGHT, RoutineSample, load_corrections, load_routine, save_routine
from gymscore.data.toy import toy_routine
from gymscore.features.posefeat import FEATURE_DIM, features_to_joint_channels, pose_features, resample_pose
from gymscore.timeline import Segment, Timeline, VideoInfo, save_timeline


def _pose(T=30, seed=0):
    rng = np.random.default_rng(seed)
    base = toy_routine(["FX-067"], [21], [0], seed).joints2d[:T]
    return base + rng.normal(0, 1, base.shape), np.ones((len(base), 17))


def test_pose_features_shape_and_invariance():
    j, v = _pose()
    f = pose_features(j, v, (1280, 720))
    assert f.shape == (len(j), FEATURE_DIM) and f.dtype == np.float32
    # joint coordinates and velocities do not change when the person is moved and scaled in the frame
    g = pose_features(j * 0.5 + np.array([100.0, -40.0]), v, (1280, 720))
    assert np.allclose(f[:, :85], g[:, :85], atol=1e-4)
    assert features_to_joint_channels(f).shape == (5, len(j), 17)


def test_pose_features_handles_missing_joints_and_frames():
    j, v = _pose()
    v[:, 7] = 0.0  # a wrist never seen
    v[10:14] = 0.0  # detection lost for 4 frames
    j[12] = np.nan
    f = pose_features(j, v, (640, 360))
    assert np.isfinite(f).all()
    assert (f[:, 68 + 7] == 0).all() and (f[:, 14] == 0).all() and (f[:, 15] == 0).all()
    with pytest.raises(ValueError, match=r"joints2d must have shape \(T, 17, 2\)"):
        pose_features(np.zeros((5, 16, 2)), np.ones((5, 16)))
    assert pose_features(np.zeros((0, 17, 2)), np.zeros((0, 17))).shape == (0, FEATURE_DIM)


def test_resample_and_augment():
    j, v = _pose(40)
    jr, vr = resample_pose(j, v, 16)
    assert jr.shape == (16, 17, 2) and vr.shape == (16, 17)
    assert np.allclose(jr[0], j[0]) and np.allclose(jr[-1], j[-1])
    ja, va, src = augment_pose(j, v, (1280, 720), np.random.default_rng(0), AugmentConfig(speed=(0.5, 0.5)))
    assert len(ja) == len(va) == len(src) == 80 and src.max() == 39
    m, mv = mirror(j, v, 1280)
    assert np.allclose(m[:, 3, 0], 1280 - j[:, 4, 0])  # left shoulder <- mirrored right shoulder


def test_routine_file_roundtrip(tmp_path):
    r = toy_routine(["FX-067", "FX-068"], [21, 21], [0, 1, 0], seed=3)
    save_routine(tmp_path / "r.npz", r)
    back = load_routine(tmp_path / "r.npz")
    assert np.allclose(back.joints2d, r.joints2d) and back.timeline.segments == r.timeline.segments
    (tmp_path / "bad.npz").write_bytes(b"nope")
    with pytest.raises(ValueError, match="bad.npz: not a gymscore routine file"):
        load_routine(tmp_path / "bad.npz")


def test_user_corrections_weigh_more(tmp_path):
    tl = Timeline(
        video=VideoInfo(path="v.mp4", fps=25, frame_count=40, width=640, height=360),
        apparatus="FX",
        segments=[Segment(0, 10, 21, "FX-067", source="user"), Segment(20, 30, 21, "FX-068", source="model")],
    )
    save_timeline(tl, tmp_path / "a.json")
    np.savez(tmp_path / "a.pose.npz", joints2d=np.zeros((40, 17, 2)), visibility=np.ones((40, 17)))
    save_timeline(tl, tmp_path / "b.json")  # no pose track
    with pytest.warns(RuntimeWarning, match=r"skipped: b.json"):
        rs = load_corrections(tmp_path)
    assert len(rs) == 1 and isinstance(rs[0], RoutineSample)
    assert rs[0].segment_weight(0) == USER_WEIGHT == 2.0 and rs[0].segment_weight(1) == 1.0


SPLIT_COUNTS = {
    ("gym99", "train"): 26320,
    ("gym99", "val"): 8521,
    ("gym288", "train"): 29334,
    ("gym288", "val"): 9646,
}


@pytest.mark.parametrize("bench,split", list(SPLIT_COUNTS))
def test_finegym_splits_load_and_map_through_the_codebook(finegym_dir, bench, split):
    subs = finegym.read_split(finegym_dir, bench, split)
    assert len(subs) == SPLIT_COUNTS[(bench, split)]
    cb = default_codebook()
    cats = finegym.read_categories(finegym_dir, bench)
    for label in {s.label for s in subs}:
        el = finegym.label_to_element(cb, bench, label)
        assert getattr(el, bench) == label
        assert el.glabel == cats[label]["Glabel"] and el.set_id == cats[label]["set"]
    s = subs[0]
    assert s.event_start <= s.abs_start <= s.abs_end
    sets = finegym.label_targets(cb, bench, subs, "set")
    assert set(sets) == {c["set"] for c in cats.values()}  # Gym99 has no FX side-salto class (set 23)
    assert set(finegym.label_targets(cb, bench, subs[:50], "event")) <= {"VT", "FX", "BB", "UB"}


def test_parse_split_line_errors():
    s = finegym.parse_split_line("a_b_E_000010_000020_A_0001_0003 5")
    assert (s.youtube_id, s.event_start, s.start, s.end, s.label) == ("a_b", 10, 1, 3, 5)
    with pytest.raises(ValueError, match="x.txt:7: malformed"):
        finegym.parse_split_line("nonsense 5", "x.txt", 7)


def test_finegym_status_reports_missing_parts(finegym_dir, capsys):
    st = finegym.status(finegym_dir)
    assert st["annotation_files"][finegym.INFO_FILE] is False
    assert st["annotation_files"]["gym99_train_element_v1.1.txt"] is True
    assert st["split_lines"]["gym288_val"] == 9646
    assert st["videos_present"] == 0 and st["videos_missing"] == st["videos_wanted"] > 0
    assert main(["data", "finegym", "status", str(finegym_dir)]) == 0
    out = capsys.readouterr().out
    assert f"MISSING  annotations/{finegym.INFO_FILE}" in out and "gym99_train: 26320 sub-actions" in out


def test_finegym_download_without_network_fails_clearly(tmp_path, capsys):
    rc = main(
        [
            "data",
            "finegym",
            "download",
            str(tmp_path / "fg"),
            "--no-videos",
            "--base-url",
            "http://127.0.0.1:9/",
        ]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert f"cannot download http://127.0.0.1:9/{finegym.INFO_FILE}" in err
    assert "needs a network connection" in err
    assert not (tmp_path / "fg" / "annotations" / finegym.INFO_FILE).exists()


def test_finegym_prepare_cuts_clips_from_a_video(tmp_path):
    cv2 = pytest.importorskip("cv2")
    root = tmp_path / "fg"
    (root / "annotations").mkdir(parents=True)
    (root / "videos").mkdir()
    (root / "annotations" / "gym99_train_element_v1.1.txt").write_text("vid1_E_000001_000004_A_0001_0002 0\n")
    writer = cv2.VideoWriter(str(root / "videos" / "vid1.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    if not writer.isOpened():
        pytest.skip("OpenCV cannot write mp4 here")
    for i in range(50):
        writer.write(np.full((48, 64, 3), i * 5, np.uint8))
    writer.release()
    res = finegym.prepare(root, "gym99", ("train",), max_frames=8, size=32)
    assert res == {"clips_made": 1, "clips_indexed": 1, "videos_missing": []}
    clips = finegym.load_clip_index(root / "clips", "train")
    assert clips[0][1] == default_codebook().by_gym99(0).id
    frames = finegym.read_video_frames(clips[0][0])
    assert frames.shape == (8, 32, 43, 3)
    # seconds 2-3 of the video: frames 20-29, grey levels about 100-145
    assert 90 <= frames[0].mean() <= 160
    assert json.loads((root / "clips" / "index.json").read_text())[0]["split"] == "train"
