"""GymSynth routines: layout, determinism, bones, ground truth, video, priors and the CLI."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from gymscore.cli.main import main
from gymscore.codebook import default_codebook
from gymscore.skeleton import BONES, NUM_JOINTS
from gymscore.synth import generate_routine, generate_skeleton_routine
from gymscore.synth.priors import PRIORS_FILE, derive_priors, load_priors
from gymscore.timeline import Segment, Timeline, VideoInfo, load_timeline


@pytest.mark.parametrize("apparatus", ["FX", "BB", "UB", "VT"])
def test_skeleton_routine_layout(apparatus):
    r = generate_skeleton_routine(apparatus, seed=5, size=(320, 180))
    n = len(r.joints3d)
    assert r.joints3d.shape == (n, NUM_JOINTS, 3)
    assert r.joints2d.shape == (n, NUM_JOINTS, 2)
    assert r.visibility.shape == (n, NUM_JOINTS) and r.visibility.dtype == np.uint8
    assert r.camera.K.shape == (n, 3, 3) and r.camera.R.shape == (n, 3, 3) and r.camera.t.shape == (n, 3)
    tl = r.timeline
    assert tl.apparatus == apparatus and tl.video.frame_count == n and tl.problems() == []
    cb = default_codebook()
    assert tl.segments, "a routine has elements"
    for s in tl.segments:
        assert s.source == "synth" and cb.get(s.element_id).set_id == s.set_id
    assert r.visibility.mean() > 0.5  # the camera follows the gymnast
    assert r.joints3d[..., 2].min() > -0.05  # nobody below the floor


def test_bone_lengths_constant_over_time():
    r = generate_skeleton_routine("BB", seed=2)
    for p, c in BONES:
        length = np.linalg.norm(r.joints3d[:, p] - r.joints3d[:, c], axis=1)
        assert length.std() < 1e-6, (p, c)


def test_same_seed_same_bytes(tmp_path):
    a = generate_routine("FX", 11, skeleton_only=True, out_dir=tmp_path / "a")
    b = generate_routine("FX", 11, skeleton_only=True, out_dir=tmp_path / "b")
    assert np.array_equal(a.joints3d, b.joints3d)
    for name in ("timeline.json", "joints.npz"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    c = generate_skeleton_routine("FX", 12)
    assert len(c.joints3d) != len(a.joints3d) or not np.array_equal(c.joints3d, a.joints3d)


def test_explicit_elements_and_connections():
    r = generate_skeleton_routine("FX", 1, elements=["FX-195", "FX-094", "FX-147"])
    segs = r.timeline.segments
    assert [s.element_id for s in segs] == ["FX-195", "FX-094", "FX-147"]
    assert [s.set_id for s in segs] == [25, 21, 22]
    assert all(a.end_frame <= b.start_frame for a, b in zip(segs, segs[1:], strict=False))
    for a, b in zip(segs, segs[1:], strict=False):
        assert a.connected_to_next == (b.start_frame - a.end_frame <= 0.5 * 25)


def test_follows_a_timeline():
    tl = Timeline(
        video=VideoInfo(fps=25.0, frame_count=400),
        apparatus="BB",
        segments=[
            Segment(50, 90, set_id=31, element_id="BB-213"),
            Segment(200, 240, set_id=32, element_id="BB-272"),
        ],
    )
    r = generate_skeleton_routine("BB", 3, timeline=tl)
    assert [s.element_id for s in r.timeline.segments] == ["BB-213", "BB-272"]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="unknown element id 'FX-999'"):
        generate_skeleton_routine("FX", 1, elements=["FX-999"])
    with pytest.raises(ValueError, match="belongs to BB, not to FX"):
        generate_skeleton_routine("FX", 1, elements=["BB-213"])
    with pytest.raises(ValueError, match="unknown apparatus 'XX'"):
        generate_skeleton_routine("XX", 1)
    with pytest.raises(ValueError, match="fps must be one of"):
        generate_skeleton_routine("FX", 1, fps=24)


def test_video_readable_with_right_frame_count(tmp_path):
    r = generate_routine("BB", 4, elements=["BB-213"], size=(192, 108), out_dir=tmp_path)
    cap = cv2.VideoCapture(str(tmp_path / "video.mp4"))
    assert cap.isOpened()
    count = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        assert frame.shape == (108, 192, 3)
        count += 1
    assert count == len(r.joints3d) == r.timeline.video.frame_count
    tl = load_timeline(tmp_path / "timeline.json")
    assert tl.video.path == "video.mp4" and tl.video.sha256 and tl.segments[0].element_id == "BB-213"
    z = np.load(tmp_path / "joints.npz")
    assert z["joints3d"].shape == (count, 17, 3) and z["joints2d"].shape == (count, 17, 2)
    assert z["camera_K"].shape == (count, 3, 3) and list(z["joint_names"])[0] == "head"
    assert z["mediapipe_index"].shape == (17, 2) and z["mediapipe_index"][1].tolist() == [11, 12]


def test_priors_file_is_derived_from_finegym(finegym_dir):
    assert derive_priors(finegym_dir) == json.loads(PRIORS_FILE.read_text("utf-8"))


def test_priors_work_without_finegym():
    p = load_priors(prefer_live=False)
    assert set(p["apparatus"]) == {"VT", "FX", "BB", "UB"}
    assert p["apparatus"]["VT"]["elements_per_routine"] == {"1": 768}


def test_cli_routine_and_dataset(tmp_path, capsys):
    assert (
        main(
            [
                "synth",
                "routine",
                "--apparatus",
                "UB",
                "--seed",
                "3",
                "--out",
                str(tmp_path / "r"),
                "--skeleton-only",
                "--fps",
                "30",
            ]
        )
        == 0
    )
    assert load_timeline(tmp_path / "r" / "timeline.json").fps == 30.0
    assert (
        main(
            [
                "synth",
                "dataset",
                "--n",
                "2",
                "--out",
                str(tmp_path / "d"),
                "--skeleton-only",
                "--apparatus",
                "VT,BB",
                "--seed",
                "7",
            ]
        )
        == 0
    )
    index = json.loads((tmp_path / "d" / "index.json").read_text())
    assert [r["folder"] for r in index["routines"]] == ["00000_VT_s7", "00001_BB_s8"]
    assert (
        main(
            [
                "synth",
                "routine",
                "--apparatus",
                "FX",
                "--out",
                str(tmp_path / "x"),
                "--elements",
                "FX-999",
                "--skeleton-only",
            ]
        )
        == 2
    )
    assert "unknown element id 'FX-999'" in capsys.readouterr().err


@pytest.mark.parametrize("seed", [1, 2])
def test_beam_dismount_lands_off_the_beam(seed):
    r = generate_skeleton_routine("BB", seed, elements=["BB-213", "BB-359"])
    end = r.timeline.segments[-1].end_frame - 1
    feet = r.joints3d[end, 13:17]
    assert feet[:, 2].max() < 0.3  # on the floor, not on the beam top (1.25 m)
    assert abs(feet[:, 0].mean()) > 2.5 or abs(feet[:, 1].mean()) > 0.3  # beyond the beam's end or side


@pytest.mark.parametrize("camera", ["fixed", "hard", "varied"])
def test_other_cameras(camera):
    r = generate_skeleton_routine("UB", 3, camera=camera, size=(320, 180))
    assert r.timeline.metadata["camera"] == camera
    assert r.visibility.mean() > 0.5
    if camera == "fixed":
        assert np.allclose(r.camera.R, r.camera.R[0]) and np.allclose(r.camera.K, r.camera.K[0])


def _elevations(camera: str, seeds: range) -> np.ndarray:
    """Median elevation (degrees) of the camera centre above a 1 m high target, one per routine."""
    out = []
    for seed in seeds:
        r = generate_skeleton_routine("FX", seed, camera=camera, size=(320, 180))
        c, pelvis = r.camera.centres, r.joints3d[:, 2]
        ground = np.hypot(c[:, 0] - pelvis[:, 0], c[:, 1] - pelvis[:, 1])
        out.append(np.median(np.degrees(np.arctan2(c[:, 2] - 1.0, ground))))
    return np.array(out)


def test_varied_camera_spans_low_and_steep_views():
    broadcast, varied = _elevations("broadcast", range(8)), _elevations("varied", range(8))
    assert broadcast.max() < 16.0  # the broadcast camera stays low
    assert varied.min() >= 0.0 and varied.max() <= 50.0
    assert varied.max() > 25.0 and varied.std() > broadcast.std()  # ... the varied one also looks down


def test_cancel_leaves_no_partial_video(tmp_path):
    from gymscore.util.progress import Cancelled, CancelToken

    token = CancelToken()
    seen = []

    def progress(done, total, message):
        seen.append(done)
        if done >= 20:
            token.cancel()

    with pytest.raises(Cancelled):
        generate_routine("VT", 1, size=(96, 64), out_dir=tmp_path, progress=progress, cancel=token)
    assert seen and list(tmp_path.iterdir()) == []
