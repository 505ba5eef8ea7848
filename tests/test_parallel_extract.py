"""Feature extraction split over worker processes: same arrays as one process, seams, cancel, errors."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.features import parallel, workers
from gymscore.features.extract import ExtractConfig, RangeTrack, extract_features
from gymscore.features.flow import NUM_FLOW_FEATURES
from gymscore.features.gaps import DETECTED
from gymscore.util.progress import Cancelled, CancelToken
from gymscore.video import TruncatedVideoWarning
from gymscore.video.testclips import decode_index, write_video
from tests.test_pipeline_fakes import candidate_from_landmarks, stick_figure


class FramePose:
    """Picklable fake estimator: a person whose place follows the frame index read from the bar code.

    Frames whose index is in ``missing`` (and rotated crops) have nobody; ``delay`` seconds per call
    make a run long enough to cancel.
    """

    name = "frame-pose"
    version = "1"

    def __init__(self, missing: tuple[int, ...] = (), delay: float = 0.0) -> None:
        self.missing = set(missing)
        self.delay = delay
        self.calls = 0
        self.shape = None

    def detect(self, rgb, roi=None):
        import time

        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        if self.shape is None:
            self.shape = rgb.shape
        if rgb.shape != self.shape:  # a rotated crop
            return None
        index = decode_index(rgb)
        if index in self.missing:
            return None
        xy = stick_figure(60.0 + 0.3 * index, 70.0, 40.0)
        cand = candidate_from_landmarks(xy, np.full(33, 0.9, np.float32), roi is not None)
        x, y = cand.center
        if roi is not None and not (roi[0] <= x <= roi[2] and roi[1] <= y <= roi[3]):
            return None
        return cand

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def small_ranges(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_RANGE_FRAMES", 10)


def config(workers: int, **kw) -> ExtractConfig:
    return ExtractConfig(pose_fps=12.5, workers=workers, min_parallel_s=1.0, seam_warmup_s=0.4, **kw)


def test_split_ranges_on_the_stride_grid():
    assert parallel.split_ranges(101, 2, 2) == [(0, 50), (50, 101)]
    assert parallel.split_ranges(100, 2, 3) == [(0, 32), (32, 66), (66, 100)]
    assert parallel.split_ranges(7, 1, 1) == [(0, 7)]


def test_plan_workers_keeps_short_and_variable_rate_videos_in_one_process(tmp_path, small_ranges):
    from gymscore.video import VideoReader

    video = write_video(tmp_path / "v.mp4", frames=60, fps=25)
    with VideoReader(video) as r:
        meta = r.meta
    assert parallel.plan_workers(meta, config(2), FramePose()) == 2
    assert parallel.plan_workers(meta, config(1), FramePose()) == 1
    assert parallel.plan_workers(meta, ExtractConfig(workers=2, min_parallel_s=10.0), None) == 1
    from dataclasses import replace

    assert parallel.plan_workers(replace(meta, variable_fps=True), config(2), FramePose()) == 1

    class Unpicklable(FramePose):
        def __init__(self):
            super().__init__()
            self.hook = lambda: None

    assert parallel.plan_workers(meta, config(2), Unpicklable()) == 1


def test_parallel_matches_one_process(tmp_path, small_ranges):
    video = write_video(tmp_path / "v.mp4", frames=100, fps=25)
    missing = (30, 32, 70, 72, 74)
    one = extract_features(video, FramePose(missing), config(1), use_cache=False)
    seen = []
    two = extract_features(video, FramePose(missing), config(2), use_cache=False,
                           progress=lambda d, t, m: seen.append((d, t)))
    assert one.timings["workers"] == 1 and two.timings["workers"] == 2
    for name in ("joints2d", "visibility", "source", "flow", "processed"):
        assert getattr(one, name).shape == getattr(two, name).shape, name
    assert two.flow.shape == (100, NUM_FLOW_FEATURES)
    np.testing.assert_array_equal(one.processed, two.processed)
    np.testing.assert_array_equal(one.source, two.source)
    # the person's place depends on the frame only: detected joints are the same in both runs
    det = one.source == DETECTED
    np.testing.assert_allclose(one.joints2d[det], two.joints2d[det], atol=1e-4)
    assert two.found_rate == one.found_rate and two.detection_rate == one.detection_rate
    # the seam (frame 50) is tracked like any frame, flow included (the warm-up saw frame 48)
    assert (two.source[40:60:2] == DETECTED).all()
    assert np.abs(two.flow[50]).sum() > 0 and np.abs(two.flow[49]).sum() > 0
    assert two.tracker_stats["full"] == one.tracker_stats["full"] + 5  # the warm-up: 0.4 s, 5 frames
    assert two.estimator == "frame-pose/1"
    assert seen[-1] == (100, 100) and max(d for d, _ in seen[:-1]) <= 100


def test_parallel_result_is_deterministic_and_cached_under_its_own_key(tmp_path, small_ranges):
    video = write_video(tmp_path / "v.mp4", frames=100, fps=25)
    a = extract_features(video, FramePose((40,)), config(2), use_cache=False)
    b = extract_features(video, FramePose((40,)), config(2), use_cache=False)
    np.testing.assert_array_equal(a.joints2d, b.joints2d)
    np.testing.assert_array_equal(a.flow, b.flow)
    assert config(1).key("x") != config(2).key("x")
    first = extract_features(video, FramePose(), config(2))
    again = extract_features(video, FramePose(), config(2))
    assert not first.from_cache and again.from_cache


def test_cancel_stops_the_workers(tmp_path, small_ranges, monkeypatch):
    video = write_video(tmp_path / "v.mp4", frames=200, fps=25)
    token = CancelToken()
    seen = []

    def progress(done, total, msg):
        seen.append(done)
        if done >= 16:
            token.cancel()

    procs = _spy_processes(monkeypatch)
    with pytest.raises(Cancelled):
        extract_features(video, FramePose(delay=0.05), config(2), progress=progress, cancel=token,
                         use_cache=False)
    assert len(procs) == 2 and not any(p.is_alive() for p in procs)
    assert max(seen) < 200


def test_truncated_video_still_warns(tmp_path, small_ranges):
    video = write_video(tmp_path / "cut.avi", frames=200, fps=25)
    data = video.read_bytes()
    video.write_bytes(data[: len(data) * 6 // 10])
    with pytest.warns(TruncatedVideoWarning, match=r"cut\.avi: the video breaks after frame \d+ of 200"):
        one = extract_features(video, FramePose(), config(1), use_cache=False)
    with pytest.warns(TruncatedVideoWarning, match=r"cut\.avi: the video breaks after frame \d+ of 200"):
        two = extract_features(video, FramePose(), config(2), use_cache=False)
    assert 50 < two.frame_count == one.frame_count < 200
    assert two.meta.truncated and two.timings["workers"] == 2
    np.testing.assert_array_equal(one.source, two.source)


def test_worker_error_is_raised_with_its_message(tmp_path, small_ranges):
    video = write_video(tmp_path / "v.mp4", frames=100, fps=25)

    with pytest.raises(ValueError, match="broken estimator"):
        extract_features(video, Broken(), config(2), use_cache=False)


class Broken(FramePose):
    def detect(self, rgb, roi=None):
        raise ValueError("broken estimator")


def test_merge_chains_camera_motion_and_sums_counts():
    def part(start, n, cam, stats):
        z = np.zeros(n, bool)
        proc = np.arange(n) % 2 == 0
        return RangeTrack(start, start + n, np.zeros((n, 17, 2), np.float32), np.zeros((n, 17), np.float32),
                          z, proc, np.zeros((n, NUM_FLOW_FEATURES), np.float32),
                          np.repeat(np.asarray(cam, float)[:, None], 2, axis=1), stats)

    a = part(0, 4, [0, 0, 1, 1], {"full": 2})
    b = part(4, 4, [1, 1, 2, 2], {"full": 2, "roi": 1})
    merged = parallel.merge_ranges([b, a])
    assert merged.camera[:, 0].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert merged.stats == {"full": 4, "roi": 1}
    assert (merged.start, merged.end) == (0, 8)
    # a range after one that ended early (the file breaks) is dropped
    short = part(0, 3, [0, 0, 0], {})
    assert parallel.merge_ranges([short, b]).end == 3


def _spy_processes(monkeypatch) -> list:
    """Record every worker process started."""
    procs = []
    real = workers.multiprocessing.get_context

    class Spy:
        def __init__(self, ctx):
            self.ctx = ctx
            self.Queue = ctx.Queue

        def Process(self, *a, **kw):  # noqa: N802 - mirrors the context's API
            p = self.ctx.Process(*a, **kw)
            procs.append(p)
            return p

    monkeypatch.setattr(workers.multiprocessing, "get_context", lambda method: Spy(real(method)))
    return procs


def test_kept_workers_serve_several_runs_with_the_same_results(tmp_path, small_ranges, monkeypatch):
    video = write_video(tmp_path / "v.mp4", frames=100, fps=25)
    alone = extract_features(video, FramePose((30,)), config(2), use_cache=False)
    procs = _spy_processes(monkeypatch)
    est = FramePose((30,))
    with workers.keep_workers():
        a = extract_features(video, est, config(2), use_cache=False)
        b = extract_features(video, est, config(2), use_cache=False)
        assert len(procs) == 2 and all(p.is_alive() for p in procs)  # the second run reused them
    assert not any(p.is_alive() for p in procs)  # ... and they stop with the block
    for run in (a, b):
        np.testing.assert_array_equal(run.source, alone.source)
        np.testing.assert_allclose(run.joints2d, alone.joints2d)
        np.testing.assert_allclose(run.flow, alone.flow)
    # another estimator gets new processes
    with workers.keep_workers():
        extract_features(video, FramePose(), config(2), use_cache=False)
        extract_features(video, FramePose(), config(2), use_cache=False)
    assert len(procs) == 6


def test_an_error_stops_the_kept_workers(tmp_path, small_ranges, monkeypatch):
    video = write_video(tmp_path / "v.mp4", frames=100, fps=25)
    procs = _spy_processes(monkeypatch)
    with workers.keep_workers():
        with pytest.raises(ValueError, match="broken estimator"):
            extract_features(video, Broken(), config(2), use_cache=False)
        assert len(procs) == 2 and not any(p.is_alive() for p in procs)
        ok = extract_features(video, FramePose(), config(2), use_cache=False)
    assert len(procs) == 4 and ok.found_rate == 1.0
