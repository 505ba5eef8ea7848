"""Full-rate poses inside elements: which frames, merging into the first pass, the cache, workers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gymscore.features import densify as D
from gymscore.features import parallel
from gymscore.features.crop_track import BOX_MARGIN, follow_boxes
from gymscore.features.extract import ExtractConfig, extract_features
from gymscore.features.gaps import DETECTED, INTERPOLATED
from gymscore.features.pose import candidate_from_landmarks
from gymscore.video.testclips import write_video
from tests.test_parallel_extract import FramePose
from tests.test_pipeline_fakes import stick_figure


@pytest.fixture(autouse=True)
def any_size(monkeypatch):
    """The test clips' gymnast is tiny: let the full-rate pass take any crop size."""
    monkeypatch.setattr(D, "MIN_BOX_PIXELS", 0)


def config(workers: int = 1) -> ExtractConfig:
    return ExtractConfig(pose_fps=12.5, workers=workers, min_parallel_s=1.0, seam_warmup_s=0.4)


def test_element_ranges_widen_merge_and_skip_done_frames():
    def todo(spans, done):
        return D.mask_ranges(D.element_mask(spans, 100, 25.0, 0.2) & ~done)

    done = np.zeros(100, bool)
    # 25 fps: a margin of 5 frames; (10, 20) and (28, 40) overlap once widened
    assert todo([(10, 20), (28, 40), (90, 98)], done) == [(5, 45), (85, 100)]
    done[5:30] = True
    assert todo([(10, 20), (28, 40)], done) == [(30, 45)]
    assert todo([], done) == []


class BlobPose:
    """Picklable fake estimator: the person is the bright bar in the image (whole frame or crop)."""

    name = "blob-pose"
    version = "1"

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, rgb, roi=None):
        self.calls += 1
        x0, y0 = (0, 0) if roi is None else (int(roi[0]), int(roi[1]))
        img = rgb if roi is None else rgb[y0 : int(roi[3]), x0 : int(roi[2])]
        ys, xs = np.nonzero(img.mean(axis=2) > 160)
        if len(xs) < 4:
            return None
        height = float(ys.max() - ys.min() + 1)
        xy = stick_figure(x0 + float(xs.mean()), y0 + float(ys.mean()), height)
        return candidate_from_landmarks(xy, np.full(33, 0.9, np.float32), roi is not None)

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def bar_x(index: int) -> float:
    return 40.0 + index


def write_bar_video(path, frames: int = 60) -> str:
    """A 160x120 clip of a bright 8x30 bar whose centre moves 1 px a frame (x = 40 + frame)."""
    import cv2

    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (160, 120))
    for i in range(frames):
        img = np.full((120, 160, 3), 30, np.uint8)
        x = int(round(bar_x(i)))
        img[45:75, x - 4 : x + 4] = 255
        out.write(img)
    out.release()
    return str(path)


def test_follow_boxes_centre_on_her_and_hold_her_whole_body():
    joints = np.zeros((20, 17, 2), np.float32)
    joints[:, :, 0] = np.arange(20)[:, None] + np.linspace(-5, 5, 17)  # 10 px wide, moving right
    joints[:, :, 1] = np.linspace(40, 80, 17)  # 40 px tall
    joints[:, 1] = joints[:, 0]  # neck and pelvis 10 px apart: torso 10
    joints[:, 2, 1] = joints[:, 1, 1] + 10
    boxes = follow_boxes(joints, np.ones((20, 17), np.float32), 120.0)
    np.testing.assert_allclose(boxes[5:15, 0], joints[5:15].mean(axis=1)[:, 0], atol=1e-4)
    assert (boxes[:, 2] >= 40 * BOX_MARGIN - 1e-3).all()


def test_densify_estimates_every_frame_of_the_elements_and_caches_them(tmp_path):
    video = write_bar_video(tmp_path / "v.mp4")
    first = extract_features(video, BlobPose(), config())
    assert first.stride == 2 and first.source[21] == INTERPOLATED
    est = BlobPose()
    dense = D.densify(video, first, [(20, 30)], est, config())
    # frames 15-34 (the span and 0.2 s either side) were estimated; the odd ones are now detections
    assert dense.processed[15:35].all() and not dense.processed[35:60:2].any()
    assert (dense.source[15:35] == DETECTED).all()
    assert dense.source[37] == INTERPOLATED and dense.source[13] == INTERPOLATED
    # a detection on a crop is mapped back to the frame: the bar's centre at that frame
    for i in (15, 21, 33):
        assert abs(dense.joints2d[i].mean(axis=0)[0] - bar_x(i)) < 1.0, i
    assert est.calls == 10  # odd frames 15-33: the first pass found her on the even ones
    # the first pass is untouched and a second call computes nothing
    assert first.source[21] == INTERPOLATED
    again = BlobPose()
    D.densify(video, first, [(20, 30)], again, config())
    assert again.calls == 0
    # a wider span only estimates the new frames
    more = BlobPose()
    D.densify(video, first, [(20, 40)], more, config())
    assert more.calls == 5  # frames 35-43, odd


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


def test_spans_over_worker_processes_match_one_process(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "MIN_PARALLEL_FRAMES", 10)
    video = write_bar_video(tmp_path / "v.mp4", frames=100)
    first = extract_features(video, BlobPose(), config(), use_cache=False)
    spans = [(10, 20), (40, 45), (70, 90)]
    one = D.densify(video, first, spans, BlobPose(), config(1), use_cache=False)
    seen = []
    two = D.densify(video, first, spans, BlobPose(), config(2), use_cache=False,
                    progress=lambda d, t, m="": seen.append(m))
    np.testing.assert_array_equal(one.source, two.source)
    np.testing.assert_allclose(one.joints2d, two.joints2d, atol=1e-4)
    assert (two.source[5:25] == DETECTED).all() and (two.source[65:95] == DETECTED).all()
    assert any("elements at full frame rate" in m and "2 processes" in m for m in seen)


def test_track_spans_parallel_keeps_the_order_given(tmp_path):
    video = write_bar_video(tmp_path / "v.mp4")
    first = extract_features(video, BlobPose(), config(), use_cache=False)
    boxes = follow_boxes(first.joints2d, first.visibility, 120.0)
    spans = [(40, 50), (5, 30), (32, 36)]
    tracks = parallel.track_spans_parallel(video, BlobPose(), config(2), spans, boxes, None, 2)
    assert [(t.start, t.end) for t in tracks] == spans
    assert all(t.processed.all() and t.detected.all() for t in tracks)
    np.testing.assert_allclose(tracks[1].joints[1, :, 0] - tracks[1].joints[0, :, 0], 1.0, atol=0.3)


def test_variable_frame_rate_keeps_the_first_pass(tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=30, fps=25)
    first = extract_features(video, FramePose(), config(), use_cache=False)
    vfr = replace(first, meta=replace(first.meta, variable_fps=True))
    assert D.densify(video, vfr, [(5, 10)], FramePose(), config()) is vfr


def test_frames_done_for_other_spans_are_not_merged(tmp_path):
    video = write_bar_video(tmp_path / "v.mp4")
    first = extract_features(video, BlobPose(), config())
    D.densify(video, first, [(40, 50)], BlobPose(), config())  # cached: frames 35-54
    out = D.densify(video, first, [(10, 20)], BlobPose(), config())
    assert (out.source[5:25] == DETECTED).all()
    assert out.source[41] == INTERPOLATED and not out.processed[41]


def test_a_gymnast_too_small_for_the_crop_keeps_the_first_pass(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "MIN_BOX_PIXELS", 320)
    video = write_bar_video(tmp_path / "v.mp4")
    first = extract_features(video, BlobPose(), config(), use_cache=False)
    est = BlobPose()
    assert D.densify(video, first, [(20, 30)], est, config()) is first and est.calls == 0


def test_a_cache_entry_of_another_layout_is_redone(tmp_path):
    from gymscore.features import cache

    video = write_bar_video(tmp_path / "v.mp4")
    first = extract_features(video, BlobPose(), config())
    key = f"{config().key('blob-pose/1')}-dense{D.DENSE_VERSION}"
    cache.save_arrays(first.sha256, key, {"done": np.ones(60, bool)})  # no joints, no found
    est = BlobPose()
    out = D.densify(video, first, [(20, 30)], est, config())
    assert est.calls == 10 and (out.source[15:35] == DETECTED).all()
    assert out.timings["dense_processed"] == 10.0


def test_a_dense_stride_estimates_every_nth_frame_and_interpolates_the_rest(tmp_path):
    video = write_bar_video(tmp_path / "v.mp4")
    cfg = replace(config(), pose_fps=6.25)  # first pass: every 4th frame
    first = extract_features(video, BlobPose(), cfg)
    assert first.stride == 4
    est = BlobPose()
    out = D.densify(video, first, [(20, 30)], est, replace(cfg, dense_stride=2))
    # frames 15-34: the even ones the first pass skipped (18, 22, 26, 30, 34) are estimated
    assert est.calls == 5
    assert (out.source[16:35:2] == DETECTED).all() and (out.source[15:35:2] == INTERPOLATED).all()
    assert not out.processed[15:35:2].any()
    # odd frames are interpolated between the dense detections around them: on the bar's track
    for i in (19, 23, 27):
        assert abs(out.joints2d[i].mean(axis=0)[0] - bar_x(i)) < 1.0, i
    # a full-rate run cached odd frames: a stride-2 analysis still does not use them
    D.densify(video, first, [(20, 30)], BlobPose(), cfg)
    again = BlobPose()
    out2 = D.densify(video, first, [(20, 30)], again, replace(cfg, dense_stride=2))
    assert again.calls == 0
    np.testing.assert_array_equal(out2.source, out.source)
    np.testing.assert_allclose(out2.joints2d, out.joints2d)


def test_frames_where_the_full_rate_pass_failed_are_interpolated_between_its_detections():
    n = 12
    from gymscore.features.extract import VideoFeatures
    from gymscore.video import VideoMeta

    body = np.column_stack([np.linspace(90, 110, 17), np.linspace(40, 120, 17)]).astype(np.float32)
    body[1], body[2] = (100, 50), (100, 90)  # a torso of 40 px: moving 1 px a frame is her
    joints = np.repeat(body[None], n, axis=0)
    feats = VideoFeatures(sha256="", meta=VideoMeta(path="x", fps=25.0, frame_count=n, width=200, height=200),
                          joints2d=joints, visibility=np.ones((n, 17), np.float32),
                          source=np.full(n, INTERPOLATED, np.int8), flow=np.zeros((n, 1), np.float32),
                          processed=np.zeros(n, bool))
    dense = D.DenseFrames.empty(n)
    dense.done[2:10] = True
    dense.found[[2, 3, 6, 7, 8, 9]] = True
    dense.joints[:] = joints + np.arange(n, dtype=np.float32)[:, None, None]  # she moves 1 px a frame
    dense.visibility[:] = 0.8
    out = D.merge_dense(feats, dense, max_gap=2)
    # frames 4 and 5 (the estimator ran and lost her) lie between detections 3 and 6: interpolated
    assert out.source[4] == INTERPOLATED
    np.testing.assert_allclose(out.joints2d[4], joints[4] + 4.0, atol=1e-4)
    np.testing.assert_allclose(out.joints2d[5], joints[5] + 5.0, atol=1e-4)
    # ... but not where the loss is longer than max_gap
    short = D.merge_dense(feats, dense, max_gap=1)
    np.testing.assert_allclose(short.joints2d[4], joints[4])


def test_following_crops_recentre_on_the_last_detection(tmp_path):
    """Boxes that lag behind her (an interpolated first pass): plain crops lose the bar, following
    ones keep it once they have found it."""
    from gymscore.features.crop_track import crop_track
    from gymscore.video import VideoReader

    video = write_bar_video(tmp_path / "v.mp4")
    boxes = np.array([[bar_x(min(i, 20)), 60.0, 20.0] for i in range(60)])  # stuck at x = 60 from frame 20
    with VideoReader(video) as reader:
        plain = crop_track(reader, BlobPose(), 15, 40, boxes)
        followed = crop_track(reader, BlobPose(), 15, 40, boxes, follow=True)
    # from frame 36 the bar (x = 76 and more, 8 px wide) has left the 20 px crop centred on x = 60
    assert not plain.detected[36 - 15 :].any()
    assert followed.detected.all()
    assert abs(followed.joints[-1].mean(axis=0)[0] - bar_x(39)) < 1.0
