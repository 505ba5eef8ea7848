"""From a video file to per-frame features: the gymnast's 2D pose (17 joints), motion statistics.

The estimator runs on every ``stride``-th frame (``stride`` from :attr:`ExtractConfig.pose_fps`) at a
reduced resolution; joints are interpolated in between and through short losses. A long video is
split over worker processes, one pose estimator each (:mod:`gymscore.features.parallel`). Results are
cached per video content hash and feature configuration (see :mod:`gymscore.features.cache`), so a
second analysis of the same file is near-instant.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from gymscore.features.flow import (
    NUM_FLOW_FEATURES,
    FlowExtractor,
    camera_motion,
    flow_stats,
    residual_motion,
)
from gymscore.features.gaps import DETECTED, MISSING, fill_gaps
from gymscore.features.pose import PoseEstimator
from gymscore.features.tracking import GymnastTracker
from gymscore.skeleton import NUM_JOINTS
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report
from gymscore.video import Frame, VideoMeta, VideoReader, file_sha256

FEATURE_VERSION = 4
MIN_POSE_FPS = 8.0  # the default stride never looks at fewer frames per second than this
LEAN_MIN_HEIGHT = 640  # ExtractConfig.lean_min_height of the fast mode (2 x densify's 320 px crop floor)


@dataclass(frozen=True)
class ExtractConfig:
    """How features are computed; every field is part of the cache key."""

    pose_fps: float = 10.0  # the estimator runs at about this rate; frames in between are interpolated
    max_side: int = 640  # frames are downscaled so that their longer side is at most this
    flow_width: int = 160  # optical flow is computed on a grey copy this wide
    max_gap_s: float = 0.6  # losses up to this long are interpolated
    bridge_gap_s: float = 1.0  # ... and up to this long when she is found again where she was lost
    workers: int = 2  # worker processes for long videos (capped at the CPU count); 1: this process only
    min_parallel_s: float = 20.0  # videos shorter than this are analysed in this process
    seam_warmup_s: float = 1.0  # a parallel range first tracks this much of the video before it
    # Fast mode (``gymscore analyze --fast``: LEAN_MIN_HEIGHT): where the full-rate pass will estimate
    # the elements' frames again (a stride above 1, a constant frame rate, frames at least this high,
    # as its crops must be >= densify.MIN_BOX_PIXELS), the first pass follows her with about one
    # estimator call a frame (GymnastTracker's lean mode). 0 (the default): a thorough first pass.
    lean_min_height: int = 0
    # The full-rate pass over the elements (gymscore.features.densify) estimates every n-th frame
    # (1: every frame). Dense frames are cached frame by frame, so this is not part of the key.
    dense_stride: int = 1
    dense_margin_s: float = 0.2  # ... on the elements and this much before and after each (not in the key)
    dense_follow: bool = False  # ... on crops centred on its own last detection (densify's cache key)
    dense_lost: bool = False  # ... also over the stretches where the first pass lost her (not in the key)

    def as_fast(self) -> ExtractConfig:
        """This configuration in the fast mode (``gymscore analyze --fast``): a lean first pass where
        the full-rate pass follows, full-rate margins of 0.1 s (figures: README, bench/results/*_fast.md)."""
        return replace(self, lean_min_height=LEAN_MIN_HEIGHT, dense_margin_s=0.1, dense_follow=True)

    @classmethod
    def fast(cls, **changes: Any) -> ExtractConfig:
        """The default configuration with ``changes``, in the fast mode (:meth:`as_fast`)."""
        return cls(**changes).as_fast()

    def stride(self, fps: float) -> int:
        """Process every n-th frame so that the estimator runs at about ``pose_fps`` (halves round up:
        every 3rd frame of 25 fps for 10), never below :data:`MIN_POSE_FPS` unless asked to."""
        if self.pose_fps <= 0 or fps <= 0:
            return 1
        n = max(1, int(fps / self.pose_fps + 0.5))
        while n > 1 and fps / n < min(MIN_POSE_FPS, self.pose_fps):
            n -= 1
        return n

    def worker_count(self) -> int:
        """Worker processes a long video is split over on this machine (1: no split)."""
        return max(1, min(int(self.workers), os.cpu_count() or 1))

    def key(self, estimator_id: str) -> str:
        """Cache key: results differ with the number of parallel ranges, so it is the effective one."""
        cfg = {**asdict(self), "workers": self.worker_count()}
        del cfg["dense_stride"], cfg["dense_margin_s"], cfg["dense_follow"], cfg["dense_lost"]
        if not cfg["lean_min_height"]:  # lean off: the first pass of before the lean mode existed
            del cfg["lean_min_height"]
        blob = json.dumps({"v": FEATURE_VERSION, "cfg": cfg, "est": estimator_id}, sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]


@dataclass
class VideoFeatures:
    """Per-frame features of one video (T = frame count, frame-aligned with the Timeline)."""

    sha256: str
    meta: VideoMeta
    joints2d: np.ndarray  # (T, 17, 2) float32, pixels of the displayed frame
    visibility: np.ndarray  # (T, 17) float32 in [0, 1]; 0 where the gymnast was not found
    source: np.ndarray  # (T,) int8: 1 detected, 2 interpolated, 0 missing
    flow: np.ndarray  # (T, NUM_FLOW_FEATURES) float32
    processed: np.ndarray  # (T,) bool: the estimator ran on this frame
    estimator: str = ""
    stride: int = 1
    timings: dict[str, float] = field(default_factory=dict)
    tracker_stats: dict[str, int] = field(default_factory=dict)
    from_cache: bool = False

    @property
    def frame_count(self) -> int:
        return int(self.joints2d.shape[0])

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) of the displayed frames."""
        return self.meta.width, self.meta.height

    @property
    def detection_rate(self) -> float:
        """Share of processed frames in which the gymnast was detected."""
        n = int(self.processed.sum())
        return float((self.source[self.processed] == DETECTED).sum() / n) if n else 0.0

    @property
    def found_rate(self) -> float:
        """Share of all frames with a pose (detected or interpolated)."""
        return float((self.source != MISSING).mean()) if self.frame_count else 0.0


def estimator_id(estimator: PoseEstimator | None) -> str:
    """Name and version of an estimator (the default one without loading it)."""
    if estimator is not None:
        return f"{estimator.name}/{estimator.version}"
    from gymscore.features.pose import default_estimator_id  # noqa: PLC0415

    return default_estimator_id()


def _prefetch(frames: Iterator[Frame], depth: int = 8, prepare: Callable[[Frame], Any] | None = None
              ) -> Iterator[Any]:
    """Decode in a background thread so decoding overlaps pose estimation (OpenCV releases the GIL);
    ``prepare`` (frame -> item) runs there too, on each frame in order, and its items are yielded."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for f in frames:
                if stop.is_set():
                    break
                q.put(f if prepare is None else prepare(f))
        except BaseException as exc:  # handed over to the consumer
            q.put(exc)
        q.put(done)

    th = threading.Thread(target=work, daemon=True, name="gymscore-decode")
    th.start()
    try:
        while True:
            item = q.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while th.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                th.join(0.05)


def nearest_frames(times: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Index of the frame whose timestamp is nearest to each grid time (``times`` ascending)."""
    pos = np.clip(np.searchsorted(times, grid), 1, len(times) - 1)
    before = times[pos - 1]
    after = times[pos]
    return np.where(np.abs(grid - before) <= np.abs(after - grid), pos - 1, pos)


@dataclass
class RangeTrack:
    """Raw per-frame results of tracking frames ``start .. start + len`` (before gap filling).

    ``camera`` is the camera's accumulated image motion relative to the processed frame just before
    ``start`` (the warm-up's last frame), or to ``start`` itself without a warm-up. ``end`` is the
    index after the last frame that could be read (smaller than the asked stop when the file breaks).
    """

    start: int
    end: int
    joints: np.ndarray
    visibility: np.ndarray
    detected: np.ndarray
    processed: np.ndarray
    flow: np.ndarray
    camera: np.ndarray
    stats: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def empty(cls, start: int) -> RangeTrack:
        """No frames at ``start`` (a range the file ends before)."""
        z = np.zeros(0, bool)
        return cls(start, start, np.zeros((0, NUM_JOINTS, 2), np.float32),
                   np.zeros((0, NUM_JOINTS), np.float32), z, z,
                   np.zeros((0, NUM_FLOW_FEATURES), np.float32), np.zeros((0, 2)))


def track_range(
    reader: VideoReader,
    estimator: PoseEstimator,
    config: ExtractConfig,
    start: int = 0,
    stop: int | None = None,
    warmup_from: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RangeTrack:
    """Pose tracking and optical flow on frames ``[start, stop)`` of an open video (on the stride grid).

    With ``warmup_from < start`` the tracker and the optical flow first run over
    ``[warmup_from, start)`` without recording anything, so that the range starts like the middle of
    a longer run (the seam between two parallel ranges). ``progress`` counts frames of the range.
    """
    meta = reader.meta
    w, h = meta.width, meta.height
    stop = meta.frame_count if stop is None else min(stop, meta.frame_count)
    first = start if warmup_from is None else min(warmup_from, start)
    n = max(stop - start, 0)
    stride = config.stride(meta.fps)
    joints = np.zeros((n, NUM_JOINTS, 2), np.float32)
    vis = np.zeros((n, NUM_JOINTS), np.float32)
    detected = np.zeros(n, bool)
    processed = np.zeros(n, bool)
    flow_feat = np.zeros((n, NUM_FLOW_FEATURES), np.float32)
    camera = np.zeros((n, 2), np.float64)  # accumulated camera motion (displayed pixels)
    cam_total = np.zeros(2)
    tracker: GymnastTracker | None = None
    flow = FlowExtractor(config.flow_width)
    t_pose = t_flow = 0.0
    t0 = time.perf_counter()
    last_t = None
    k = 0
    box_size = float(h) / 2
    def with_flow(frame: Frame) -> tuple[Frame, np.ndarray | None, bool, Any, Any, float]:
        """The optical flow of a frame and the camera's motion in it, in the decoding thread (they
        need only the frames, in order)."""
        ta = time.perf_counter()
        fl = flow.step(frame.image)
        cam = camera_motion(fl)
        return frame, fl, flow.cut, residual_motion(fl, cam=cam), cam, time.perf_counter() - ta

    frames = reader.frames(start=first, stop=stop, stride=stride, max_side=config.max_side)
    for frame, fl, cut, motion, cam, flow_s in _prefetch(frames, prepare=with_flow):
        check_cancel(cancel)
        i, img = frame.index, frame.image
        factor = img.shape[1] / w  # processed pixels per displayed pixel
        if tracker is None:
            lean = 0 < config.lean_min_height <= h and stride > 1 and not meta.variable_fps
            tracker = GymnastTracker(estimator, img.shape[1], img.shape[0], lean=lean)
        if cut:
            tracker.new_shot()
        tb = time.perf_counter()
        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        cand = tracker.update(k, rgb, motion)
        tc = time.perf_counter()
        t_flow += flow_s
        t_pose += tc - tb
        if fl is not None:
            cam_total = cam_total + cam / (flow.scale * factor)
        box = None
        if cand is not None:
            box = tuple(v / factor for v in cand.box)
            box_size = 0.7 * box_size + 0.3 * max(box[2] - box[0], box[3] - box[1])
        elif tracker.track is not None:
            c, s = tracker.track.predict(k)
            box = (c[0] - s / 2, c[1] - s / 2, c[0] + s / 2, c[1] + s / 2)
            box = tuple(v / factor for v in box)
        dt = (frame.time - last_t) if last_t is not None else 0.0
        last_t = frame.time
        k += 1
        if i < start:  # warm-up: only the tracker's and the flow's state matter
            cam_total = np.zeros(2)
            continue
        r = i - start
        processed[r] = True
        camera[r] = cam_total
        if cand is not None:
            joints[r] = cand.joints / factor
            vis[r] = cand.visibility
            detected[r] = True
        flow_feat[r] = flow_stats(fl, box, flow.scale * factor, dt, box_size, cam=cam)
        if k % 8 == 0:
            report(progress, r + 1, n, f"pose and motion: frame {i + 1}/{meta.frame_count}")
    end = max(min(stop, reader.meta.frame_count), start)  # a truncated file shrinks its frame count
    m = end - start
    return RangeTrack(
        start=start, end=end, joints=joints[:m], visibility=vis[:m], detected=detected[:m],
        processed=processed[:m], flow=flow_feat[:m], camera=camera[:m],
        stats=dict(tracker.stats) if tracker else {},
        timings={"decode_pose_flow": time.perf_counter() - t0, "pose": t_pose, "flow": t_flow},
    )


def finish_features(
    raw: RangeTrack,
    reader: VideoReader | None,
    meta: VideoMeta,
    config: ExtractConfig,
    estimator_name: str,
    sha256: str = "",
) -> VideoFeatures:
    """Whole-video features from the raw tracking of all frames: flow and camera motion carried over
    skipped frames, gaps filled (seams between parallel ranges included), variable frame rate
    re-sampled (needs ``reader``)."""
    t0 = time.perf_counter()
    n = len(raw.processed)
    joints, vis, detected, processed = raw.joints, raw.visibility, raw.detected, raw.processed
    flow_feat, camera = raw.flow, raw.camera.copy()
    stride = config.stride(meta.fps)
    # Flow statistics of skipped frames: hold the value of the next processed frame.
    pidx = np.flatnonzero(processed)
    if len(pidx):
        nxt = pidx[np.clip(np.searchsorted(pidx, np.arange(n)), 0, len(pidx) - 1)]
        flow_feat = flow_feat[nxt]
        for axis in range(2):
            camera[:, axis] = np.interp(np.arange(n), pidx, camera[pidx, axis])
    max_gap = max(int(round(config.max_gap_s * meta.fps)), stride)
    bridge_gap = max(int(round(config.bridge_gap_s * meta.fps)), max_gap)
    joints, vis, source = fill_gaps(joints, vis, detected, processed, max_gap, camera, bridge_gap)
    if meta.variable_fps and n > 1 and reader is not None:
        # Variable frame rate: re-sample every array on a uniform time grid (frame k at k / fps) by
        # taking the decoded frame nearest in time, so Timeline frames are evenly spaced in time.
        ts = reader.timestamps()[:n]
        pick = nearest_frames(ts, ts[0] + np.arange(n) / meta.fps)
        arrays = (joints, vis, source, flow_feat, processed)
        joints, vis, source, flow_feat, processed = (a[pick] for a in arrays)
    timings = {**raw.timings, "fill_gaps": time.perf_counter() - t0}
    return VideoFeatures(
        sha256=sha256, meta=meta, joints2d=joints, visibility=vis, source=source, flow=flow_feat,
        processed=processed, estimator=estimator_name, stride=stride, timings=timings,
        tracker_stats=dict(raw.stats),
    )


def compute_features(
    reader: VideoReader,
    estimator: PoseEstimator,
    config: ExtractConfig,
    sha256: str = "",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> VideoFeatures:
    """Run pose tracking and optical flow over an open video in this process (no caching)."""
    n = reader.meta.frame_count
    raw = track_range(reader, estimator, config, 0, n, progress=progress, cancel=cancel)
    feats = finish_features(raw, reader, reader.meta, config, f"{estimator.name}/{estimator.version}", sha256)
    report(progress, feats.frame_count, feats.frame_count, "pose and motion: done")
    return feats


def extract_features(
    video: str | Path,
    estimator: PoseEstimator | None = None,
    config: ExtractConfig | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    use_cache: bool = True,
) -> VideoFeatures:
    """Features of a video file, from the cache when this content was analysed before."""
    from gymscore.features import cache  # noqa: PLC0415

    config = config or ExtractConfig()
    t0 = time.perf_counter()
    report(progress, 0, 1, "hashing video")
    sha = file_sha256(video)
    t_hash = time.perf_counter() - t0
    key = config.key(estimator_id(estimator))
    if use_cache:
        hit = cache.load(sha, key)
        if hit is not None:
            hit.meta = VideoMeta(**{**asdict(hit.meta), "path": str(video)})
            hit.timings = {"hash": t_hash, "cache_load": time.perf_counter() - t0 - t_hash}
            return hit
    from gymscore.features import parallel  # noqa: PLC0415

    with VideoReader(video) as reader:
        check_cancel(cancel)
        workers = parallel.plan_workers(reader.meta, config, estimator)
        if workers == 1:
            t = time.perf_counter()
            if estimator is None:
                from gymscore.features.pose import default_estimator  # noqa: PLC0415

                estimator = default_estimator()
            t_load = time.perf_counter() - t
            feats = compute_features(reader, estimator, config, sha, progress, cancel)
            feats.timings["estimator_load"] = t_load
            feats.timings["workers"] = 1
    if workers > 1:
        feats = parallel.compute_features_parallel(video, reader.meta, estimator, config, workers, sha,
                                                   progress, cancel)
    feats.timings["hash"] = t_hash
    if use_cache:
        t = time.perf_counter()
        try:
            cache.save(feats, key)
        except OSError as exc:  # a full disk costs the cache, never the analysis: say so and go on
            warnings.warn(f"{Path(video).name}: the features could not be cached ({exc}); the analysis "
                          "goes on, and the next analysis of this video will start from scratch",
                          RuntimeWarning, stacklevel=2)
        feats.timings["cache_save"] = time.perf_counter() - t
    return feats
