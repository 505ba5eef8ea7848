"""BlazePose through LiteRT: the steps around the networks, and agreement with MediaPipe's solution."""

from __future__ import annotations

import math
import os
import sys

import numpy as np
import pytest

from gymscore.features.blazepose import Roi, _iou, refine_from_heatmap, ssd_anchors
from gymscore.features.landmark_filter import LandmarkSmoother, OneEuroFilter
from gymscore.features.pose import (
    POSE_BACKEND_ENV,
    PoseBackendError,
    default_estimator_id,
    pose_backend,
    set_pose_backend,
)


def test_anchors_cover_the_three_feature_maps_cell_by_cell():
    a = ssd_anchors()
    assert a.shape == (2254, 2)
    np.testing.assert_allclose(a[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(a[1], a[0])  # two anchors a cell on the 28 x 28 map
    np.testing.assert_allclose(a[2], [1.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(a[1568], [0.5 / 14, 0.5 / 14])  # the 14 x 14 map starts after 28*28*2
    np.testing.assert_allclose(a[-6:], [[6.5 / 7, 6.5 / 7]] * 6)  # six a cell on the 7 x 7 map


def test_an_upright_body_gives_an_unturned_square_around_the_hips():
    roi = Roi.from_points(np.array([100.0, 200.0]), np.array([100.0, 100.0]))
    assert roi.rotation == pytest.approx(0.0)
    assert roi.side == pytest.approx(2 * 100 * 1.25)
    m = roi.to_image(256)
    np.testing.assert_allclose(m @ [128, 128, 1], [100, 200])
    np.testing.assert_allclose(m @ [0, 0, 1], [100 - 125, 200 - 125])


def test_a_body_lying_to_the_right_turns_the_square_a_quarter():
    roi = Roi.from_points(np.array([100.0, 100.0]), np.array([180.0, 100.0]))
    assert roi.rotation == pytest.approx(math.pi / 2)
    m = roi.to_image(256)
    top_centre = m @ [128, 0, 1]  # the crop's "up" is where her head points: right of the hips
    np.testing.assert_allclose(top_centre, [100 + roi.side / 2, 100], atol=1e-9)


def test_heatmap_refinement_moves_a_landmark_to_its_confident_cells_only():
    heat = np.full((64, 64, 2), -10.0, np.float32)
    heat[20, 30, 0] = 5.0  # one confident cell near landmark 0; nothing near landmark 1
    xy = np.array([[31.2 / 64, 21.7 / 64], [10 / 64, 10 / 64]], np.float32)
    out = refine_from_heatmap(xy, heat)
    np.testing.assert_allclose(out[0], [30 / 64, 20 / 64], atol=1e-3)
    np.testing.assert_allclose(out[1], xy[1])


def test_heatmap_windows_at_the_edge_and_landmarks_off_the_heatmap():
    heat = np.full((64, 64, 3), -10.0, np.float32)
    heat[5, 1, 0] = 5.0  # landmark 0 lies just left of the heatmap: int() truncates it into column 0
    heat[63, 63, 1] = 5.0  # landmark 1 in the corner: its window is cut to 4 x 4 cells
    heat[10, 10, 2] = 5.0  # landmark 2 lies right of the heatmap: left as it is
    xy = np.array([[-0.005, 5.5 / 64], [63.5 / 64, 63.5 / 64], [1.2, 10 / 64]], np.float32)
    out = refine_from_heatmap(xy, heat)
    np.testing.assert_allclose(out[0], [1 / 64, 5 / 64], atol=1e-3)
    np.testing.assert_allclose(out[1], [63 / 64, 63 / 64], atol=1e-3)
    np.testing.assert_allclose(out[2], xy[2])


def test_iou_of_boxes():
    boxes = np.array([[0, 0, 1, 1], [0.5, 0, 1.5, 1], [2, 2, 3, 3]], np.float32)
    np.testing.assert_allclose(_iou(boxes[0], boxes), [1.0, 1 / 3, 0.0], rtol=1e-6)


def test_one_euro_filter_holds_still_points_and_follows_fast_ones_more():
    f = OneEuroFilter(0.1, 40.0, 1.0)
    start = np.zeros((1, 2))
    np.testing.assert_allclose(f(start, 100.0), start)  # the first value passes through
    small = f(np.array([[1.0, 0.0]]), 100.0)[0, 0]  # a 1 px jitter on a 100 px body: damped
    f.reset()
    f(start, 100.0)
    large = f(np.array([[50.0, 0.0]]), 100.0)[0, 0]  # half her size in one frame: followed further
    assert 0.25 < small < 0.4  # alpha 0.31 (derivative 0.3 body/s through alpha 0.17, cutoff 2.2 Hz)
    assert 0.9 < large / 50.0 < 1.0  # alpha 0.96


def test_smoothed_visibility_moves_a_tenth_of_the_way_and_a_loss_resets_it():
    smoother = LandmarkSmoother()
    lm = np.zeros((39, 4), np.float32)
    lm[:, :2] = np.random.default_rng(0).random((39, 2)) * 100
    lm[:, 2] = 1.0
    smoother(lm)
    later = lm.copy()
    later[:, 2] = 0.0
    np.testing.assert_allclose(smoother(later)[:33, 2], 0.9, rtol=1e-6)
    smoother.reset()
    np.testing.assert_allclose(smoother(later)[:33, 2], 0.0)


def test_the_backend_is_litert_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.setenv(POSE_BACKEND_ENV, "")
    assert pose_backend() == "litert"
    assert default_estimator_id().startswith("litert-blazepose-full/litert-")
    monkeypatch.setenv(POSE_BACKEND_ENV, "MediaPipe")
    assert pose_backend() == "mediapipe"
    assert default_estimator_id().startswith("mediapipe-blazepose-full/")
    monkeypatch.setenv(POSE_BACKEND_ENV, "openpose")
    with pytest.raises(PoseBackendError, match="GYMSCORE_POSE_BACKEND='openpose': expected one of mediapipe"):
        pose_backend()


def test_set_pose_backend_reaches_the_environment_workers_inherit(monkeypatch):
    monkeypatch.setenv(POSE_BACKEND_ENV, "mediapipe")
    set_pose_backend("litert")
    assert os.environ[POSE_BACKEND_ENV] == "litert" and pose_backend() == "litert"
    set_pose_backend(None)
    assert pose_backend() == "litert" and POSE_BACKEND_ENV not in os.environ
    with pytest.raises(PoseBackendError, match="unknown pose backend 'tflite'"):
        set_pose_backend("tflite")


def test_litert_without_its_package_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    from gymscore.features.blazepose import LITERT_INSTALL, LiteBlazePose

    with pytest.raises(PoseBackendError) as err:
        LiteBlazePose()
    assert f"install it with: {LITERT_INSTALL}" in str(err.value)
    assert LITERT_INSTALL == "pip install --no-deps ai-edge-litert==2.3.0"


def test_cli_pose_backend_option_picks_litert(monkeypatch, tmp_path, capsys):
    from gymscore.cli.main import main
    from gymscore.video.testclips import write_video

    monkeypatch.setenv(POSE_BACKEND_ENV, "mediapipe")
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    video = write_video(tmp_path / "v.mp4", frames=5)
    assert main(["analyze", str(video), "--pose-backend", "litert", "--quiet", "--no-cache"]) == 2
    assert "the fast BlazePose backend needs LiteRT" in capsys.readouterr().err


def test_litert_agrees_with_mediapipe_on_a_real_clip(realclips_dir):
    """On crops around the gymnast (how the tracker asks), both backends find her on the same frames
    and put her joints within a few percent of her size of each other."""
    pytest.importorskip("mediapipe")
    pytest.importorskip("ai_edge_litert")
    from gymscore.features.blazepose import LiteBlazePose
    from gymscore.features.pose import MediaPipePose
    from gymscore.video import VideoReader

    with VideoReader(realclips_dir / "vt_01.gif") as reader:
        frames = [f.image[:, :, ::-1].copy() for f in reader.frames()]
    mp, lite = MediaPipePose(), LiteBlazePose()
    try:
        tried = found = agree = 0
        diffs = []
        for rgb in frames:
            whole = mp.detect(rgb)
            if whole is None:
                continue
            (cx, cy), half = whole.center, whole.size * 0.9
            roi = (cx - half, cy - half, cx + half, cy + half)
            tried += 1
            a, b = mp.detect(rgb, roi), lite.detect(rgb, roi)
            found += a is not None
            agree += (a is None) == (b is None)
            if a is not None and b is not None:
                diffs.append(np.median(np.linalg.norm(a.joints - b.joints, axis=1)) / a.size)
    finally:
        mp.close()
        lite.close()
    assert found >= 20
    assert agree >= 0.9 * tried  # measured: 55 found of 69 crops, the backends agree on 69
    # measured: median 0.006 of her size (about 1 px here), 90th percentile 0.012
    assert float(np.median(diffs)) < 0.015
    assert float(np.percentile(diffs, 90)) < 0.03
