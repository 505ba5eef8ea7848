"""Feature extraction over a video with a fake estimator: stride, coordinates, flow, cache, cancel."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.features import cache
from gymscore.features.extract import ExtractConfig, extract_features
from gymscore.features.flow import NUM_FLOW_FEATURES
from gymscore.features.gaps import DETECTED, INTERPOLATED
from gymscore.util.progress import Cancelled, CancelToken
from gymscore.video.testclips import write_video
from tests.test_pipeline_fakes import FakeEstimator


def test_stride_downscale_and_coordinates(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=20, fps=25, width=320, height=240)
    # the estimator sees frames downscaled to 160x120 and reports pixels there
    est = FakeEstimator(lambda call, roi: (80.0, 60.0, 60.0))
    cfg = ExtractConfig(pose_fps=12.5, max_side=160)
    feats = extract_features(video, est, cfg, use_cache=False)
    assert feats.stride == 2 and feats.frame_count == 20
    assert feats.processed.tolist() == [i % 2 == 0 for i in range(20)]
    assert est.calls == 10
    assert (feats.source[::2] == DETECTED).all() and (feats.source[1::2] == INTERPOLATED).all()
    # joints come back in displayed pixels (x2)
    pelvis_y = 2 * (30.0 + 60.0 * 23.5 / 32)  # mean of landmarks 23, 24 of the stick figure
    assert feats.joints2d[:, 2].mean(axis=0) == pytest.approx((160.0, pelvis_y), abs=0.01)
    assert feats.visibility.min() == pytest.approx(0.9)
    assert feats.flow.shape == (20, NUM_FLOW_FEATURES)
    assert feats.detection_rate == 1.0 and feats.found_rate == 1.0


def test_second_analysis_comes_from_the_cache(tmp_path):
    video = write_video(tmp_path / "v.mkv", frames=12)
    est = FakeEstimator()
    first = extract_features(video, est, ExtractConfig(pose_fps=25))
    assert est.calls == 12 and not first.from_cache
    assert cache.entry_path(first.sha256, ExtractConfig(pose_fps=25).key("fake-pose/1")).is_file()
    second = extract_features(video, est, ExtractConfig(pose_fps=25))
    assert est.calls == 12 and second.from_cache
    np.testing.assert_array_equal(first.joints2d, second.joints2d)
    np.testing.assert_array_equal(first.source, second.source)
    assert second.meta == first.meta
    # another configuration is another cache entry
    extract_features(video, est, ExtractConfig(pose_fps=12.5))
    assert est.calls == 18


def test_damaged_cache_entry_is_recomputed(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=6)
    est = FakeEstimator()
    feats = extract_features(video, est, ExtractConfig(pose_fps=25))
    cache.entry_path(feats.sha256, ExtractConfig(pose_fps=25).key("fake-pose/1")).write_bytes(b"junk")
    extract_features(video, est, ExtractConfig(pose_fps=25))
    assert est.calls == 12


def test_cancel_stops_extraction(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=30)
    token = CancelToken()
    seen = []

    def progress(done, total, msg):
        seen.append(done)
        if done >= 8:
            token.cancel()

    with pytest.raises(Cancelled):
        extract_features(video, FakeEstimator(), ExtractConfig(pose_fps=25), progress=progress, cancel=token)
    assert seen and max(seen) < 30


def test_variable_frame_rate_is_resampled_on_a_uniform_grid(tmp_path):
    from gymscore.features.extract import nearest_frames
    from gymscore.video.testclips import write_gif

    times = np.array([0.0, 0.04, 0.08, 0.2, 0.24, 0.44])
    assert nearest_frames(times, np.arange(6) * 0.088).tolist() == [0, 2, 3, 4, 5, 5]
    video = write_gif(tmp_path / "vfr.gif", frames=6, durations_ms=[40, 40, 120, 40, 200, 40])
    # the estimator reports x = 10 * call, so the pelvis x tells which decoded frame was used
    est = FakeEstimator(lambda call, roi: (10.0 + 10.0 * call, 60.0, 60.0))
    feats = extract_features(video, est, ExtractConfig(pose_fps=100, max_side=160), use_cache=False)
    assert feats.meta.variable_fps and feats.frame_count == 6
    assert feats.joints2d[:, 2, 0].round().tolist() == [10.0, 30.0, 40.0, 50.0, 60.0, 60.0]
