"""Full-rate poses inside elements: which frames, merging into the first pass, the cache, workers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gymscore.features import densify as D
from gymscore.features import parallel
from gymscore.features.extract import ExtractConfig, extract_features
from gymscore.features.tracking import DETECTED, INTERPOLATED
from gymscore.video.testclips import write_video
from tests.test_parallel_extract import FramePose


def config(workers: int = 1) -> ExtractConfig:
    return ExtractConfig(pose_fps=12.5, workers=workers, min_parallel_s=1.0, seam_warmup_s=0.4)


def test_element_ranges_widen_merge_and_skip_done_frames():
    done = np.zeros(100, bool)
    # 25 fps: a margin of 5 frames; (10, 20) and (28, 40) overlap once widened
    assert D.element_ranges([(10, 20), (28, 40), (90, 98)], 100, 25.0, done) == [(5, 45), (85, 100)]
    done[5:30] = True
    assert D.element_ranges([(10, 20), (28, 40)], 100, 25.0, done) == [(30, 45)]
    assert D.element_ranges([], 100, 25.0, done) == []


def person_x(index: int) -> float:
    """Where FramePose puts the person's first landmark-derived joint (its x grows with the frame)."""
    return 60.0 + 0.3 * index


def test_densify_estimates_every_frame_of_the_elements_and_caches_them(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=60, fps=25)
    first = extract_features(video, FramePose(), config())
    assert first.stride == 2 and first.source[21] == INTERPOLATED
    est = FramePose()
    dense = D.densify(video, first, [(20, 30)], est, config())
    # frames 15-34 (the span and 0.2 s either side) were estimated; the odd ones are now detections
    assert dense.processed[15:35].all() and not dense.processed[35:60:2].any()
    assert (dense.source[15:35] == DETECTED).all()
    assert dense.source[37] == INTERPOLATED and dense.source[13] == INTERPOLATED
    # a detection at an odd frame is the person at that frame, not the interpolation
    ref = D.densify(video, first, [(20, 30)], FramePose(), config(), use_cache=False)
    np.testing.assert_allclose(dense.joints2d, ref.joints2d)
    shift = dense.joints2d[21] - first.joints2d[20]
    np.testing.assert_allclose(shift[:, 0], 0.3, atol=1e-3)
    # the odd frames 15-33 and the tracker's warm-up (13, 14): the even ones the first pass had found
    assert est.calls == 10 + D.WARMUP_FRAMES
    # the first pass is untouched and a second call computes nothing
    assert first.source[21] == INTERPOLATED
    again = FramePose()
    D.densify(video, first, [(20, 30)], again, config())
    assert again.calls == 0
    # a wider span only estimates the new frames (plus the tracker's warm-up)
    more = FramePose()
    D.densify(video, first, [(20, 40)], more, config())
    assert more.calls == 5 + D.WARMUP_FRAMES  # frames 35-43, odd


def test_merge_rejects_a_dense_pose_of_someone_else():
    n = 10
    from gymscore.features.extract import VideoFeatures
    from gymscore.video import VideoMeta

    body = np.column_stack([np.linspace(90, 110, 17), np.linspace(40, 120, 17)])
    body[1], body[2] = (100, 50), (100, 90)  # neck and pelvis: a torso of 40 px
    joints = np.repeat(body[None], n, axis=0).astype(np.float32)
    feats = VideoFeatures(sha256="", meta=VideoMeta(path="x", fps=25.0, frame_count=n, width=200, height=200),
                          joints2d=joints, visibility=np.ones((n, 17), np.float32),
                          source=np.full(n, INTERPOLATED, np.int8), flow=np.zeros((n, 1), np.float32),
                          processed=np.zeros(n, bool))
    dense = D.DenseFrames.empty(n)
    dense.done[:] = True
    dense.found[2:6] = True
    dense.joints[2:4] = joints[2:4] + 2.0  # her, slightly moved
    dense.joints[4:6] = joints[4:6] + 150.0  # far away: a judge
    dense.visibility[2:6] = 0.8
    out = D.merge_dense(feats, dense)
    assert out.source.tolist() == [INTERPOLATED] * 2 + [DETECTED] * 2 + [INTERPOLATED] * 6
    np.testing.assert_allclose(out.joints2d[2], joints[2] + 2.0)
    np.testing.assert_allclose(out.joints2d[4], joints[4])
    assert out.processed.all()


@pytest.mark.parametrize("workers", [2])
def test_spans_over_worker_processes_match_one_process(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(D, "MIN_PARALLEL_FRAMES", 10)
    video = write_video(tmp_path / "v.mp4", frames=100, fps=25)
    first = extract_features(video, FramePose(), config(), use_cache=False)
    spans = [(10, 20), (40, 45), (70, 90)]
    one = D.densify(video, first, spans, FramePose(), config(1), use_cache=False)
    seen = []
    two = D.densify(video, first, spans, FramePose(), config(workers), use_cache=False,
                    progress=lambda d, t, m="": seen.append(m))
    np.testing.assert_array_equal(one.source, two.source)
    np.testing.assert_allclose(one.joints2d, two.joints2d, atol=1e-4)
    assert any("elements at full frame rate" in m and "2 processes" in m for m in seen)


def test_track_spans_parallel_keeps_the_order_given(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=60, fps=25)
    cfg = replace(config(2), pose_fps=0.0)
    spans = [(40, 50, 38), (5, 30, 3), (32, 36, 30)]
    tracks = parallel.track_spans_parallel(video, FramePose(), cfg, spans, 2)
    assert [(t.start, t.end) for t in tracks] == [(40, 50), (5, 30), (32, 36)]
    assert all(t.processed.all() and t.detected.all() for t in tracks)
    np.testing.assert_allclose(tracks[1].joints[1, :, 0] - tracks[1].joints[0, :, 0], 0.3, atol=1e-3)


def test_variable_frame_rate_keeps_the_first_pass(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=30, fps=25)
    first = extract_features(video, FramePose(), config(), use_cache=False)
    vfr = replace(first, meta=replace(first.meta, variable_fps=True))
    assert D.densify(video, vfr, [(5, 10)], FramePose(), config()) is vfr


def test_frames_done_for_other_spans_are_not_merged(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=60, fps=25)
    first = extract_features(video, FramePose(), config())
    D.densify(video, first, [(40, 50)], FramePose(), config())  # cached: frames 35-54
    out = D.densify(video, first, [(10, 20)], FramePose(), config())
    assert (out.source[5:25] == DETECTED).all()
    assert out.source[41] == INTERPOLATED and not out.processed[41]
