"""Poses at the video's full frame rate inside the elements the segmenter found.

The first pass runs the pose estimator on every few frames (:attr:`ExtractConfig.pose_fps`) and
interpolates between them: enough to find where the elements are, not to count a twist (a full twist
in 0.6 s turns the body 120 degrees between two estimated frames at 10 fps). Once the segmenter has
found the elements, :func:`densify` estimates the frames it skipped in each element and a margin around
it on a crop that follows her (:mod:`gymscore.features.crop_track`), and the segmenter and the
classifier read those poses (``bench/results/accuracy_1280x720.md`` has the measured effect).

Dense frames are cached beside the first pass's features (same key, ``-dense<version>``), frame by
frame: a second analysis, or one with other models, only computes frames not done yet, and only the
frames of the spans asked for are merged, so the result does not depend on earlier analyses. Videos
with a variable frame rate keep the first pass (their frames are re-sampled on a uniform time grid).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from gymscore.features import cache
from gymscore.features.crop_track import CROP_PIXELS, crop_track_spans, follow_boxes
from gymscore.features.extract import ExtractConfig, VideoFeatures, estimator_id
from gymscore.features.gaps import DETECTED, INTERPOLATED, MISSING, fill_gaps
from gymscore.features.pose import PoseEstimator
from gymscore.skeleton import NUM_JOINTS
from gymscore.util.progress import CancelToken, ProgressFn, report

log = logging.getLogger(__name__)
DENSE_VERSION = 2  # part of the cache key: 2 = crops that follow her (crop_track)
MAX_SHIFT = 1.5  # a dense pose further than this many torso lengths from the first pass's is someone else
MAX_SHIFT_LOST = 3.0  # ... where the first pass had lost her (it holds her last known place there)
# The crop is resized to CROP_PIXELS. On selection videos (bench/results/model_selection_sel-varied*.md)
# crops that were upsampled or barely downsampled did worse than the first pass's poses: at 640x360
# (boxes 150-300 px) element top-1 0.43 on crops vs 0.48, D MAE 0.35 vs 0.27; at 1280x720 (boxes
# 310-560 px) crops did better: 0.51 vs 0.44, D MAE 0.39 vs 0.78. With this floor: 0.48 / 0.27 at
# 640x360 and 0.50 / 0.43 at 1280x720.
MIN_BOX_PIXELS = 1.25 * CROP_PIXELS
MIN_PARALLEL_FRAMES = 200  # fewer frames to estimate than this stay in this process


@dataclass
class DenseFrames:
    """Full-rate estimates of one video: ``done`` (T,) the estimator ran; ``found`` (T,) it found her."""

    joints: np.ndarray  # (T, 17, 2) float32, displayed pixels
    visibility: np.ndarray  # (T, 17) float32
    done: np.ndarray
    found: np.ndarray

    @classmethod
    def empty(cls, n: int) -> DenseFrames:
        return cls(np.zeros((n, NUM_JOINTS, 2), np.float32), np.zeros((n, NUM_JOINTS), np.float32),
                   np.zeros(n, bool), np.zeros(n, bool))


def element_mask(spans: list[tuple[int, int]], n: int, fps: float, margin_s: float) -> np.ndarray:
    """(n,) frames of the spans, each widened by ``margin_s`` (``ExtractConfig.dense_margin_s``)."""
    want = np.zeros(n, bool)
    margin = int(round(margin_s * fps))
    for a, b in spans:
        want[max(0, a - margin) : min(n, b + margin)] = True
    return want


def mask_ranges(mask: np.ndarray) -> list[tuple[int, int]]:
    """The (start, stop) runs of true frames in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _track(video: str | Path, estimator: PoseEstimator | None, config: ExtractConfig,
           ranges: list[tuple[int, int]], skip: np.ndarray, boxes: np.ndarray, progress: ProgressFn | None,
           cancel: CancelToken | None) -> list:
    frames = sum(b - a for a, b in ranges)
    from gymscore.features import parallel  # noqa: PLC0415

    workers = min(config.worker_count(), len(ranges))
    if workers > 1 and frames >= MIN_PARALLEL_FRAMES and parallel.estimator_spec(estimator) is not None:
        return parallel.track_spans_parallel(video, estimator, config, ranges, boxes, skip, workers, progress,
                                             cancel)
    from gymscore.features.pose import default_estimator  # noqa: PLC0415
    from gymscore.video import VideoReader  # noqa: PLC0415

    est = estimator or default_estimator()
    try:
        with VideoReader(video) as reader:
            return crop_track_spans(reader, est, ranges, boxes, skip, progress, cancel,
                                    follow=config.dense_follow)
    finally:
        if estimator is None:
            est.close()


def merge_dense(feats: VideoFeatures, dense: DenseFrames, frames: np.ndarray | None = None,
                max_gap: int = 0) -> VideoFeatures:
    """``feats`` with the dense estimates written in where they found the same gymnast (only on
    ``frames`` (T,) bool when given, so that frames done for other spans change nothing). The other
    frames of ``frames`` are interpolated again between the detections around them (frames off the
    dense stride, frames where it failed for at most ``max_gap`` frames); the rest keep the first
    pass's values."""
    found = dense.found.copy() if frames is None else dense.found & frames
    if not found.any():
        return feats
    torso = np.linalg.norm(feats.joints2d[:, 1] - feats.joints2d[:, 2], axis=1)
    known = feats.source != MISSING
    size = float(np.median(torso[known])) if known.any() else float(feats.meta.height) / 8
    shift = np.linalg.norm(dense.joints.mean(axis=1) - feats.joints2d.mean(axis=1), axis=1)
    limit = np.where(known, MAX_SHIFT, MAX_SHIFT_LOST) * max(size, 1.0)
    found &= shift <= limit
    joints, vis = feats.joints2d.copy(), feats.visibility.copy()
    source = feats.source.copy()
    added = (dense.done if frames is None else dense.done & frames) & ~feats.processed
    processed = feats.processed | added
    joints[found], vis[found], source[found] = dense.joints[found], dense.visibility[found], DETECTED
    fj, fv, fsrc = fill_gaps(joints, vis, source == DETECTED, processed, max_gap)
    refill = (frames if frames is not None else np.ones(len(source), bool)) & (source != DETECTED)
    refill &= fsrc == INTERPOLATED
    joints[refill], vis[refill], source[refill] = fj[refill], fv[refill], INTERPOLATED
    timings = {**feats.timings, "dense_frames": float(found.sum()), "dense_processed": float(added.sum())}
    return replace(feats, joints2d=joints, visibility=vis, source=source, processed=processed,
                   timings=timings)


def densify(
    video: str | Path,
    feats: VideoFeatures,
    spans: list[tuple[int, int]],
    estimator: PoseEstimator | None = None,
    config: ExtractConfig | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    use_cache: bool = True,
) -> VideoFeatures:
    """``feats`` with every frame of ``spans`` (start, end) estimated at the full frame rate; spans
    whose crop box is smaller than :data:`MIN_BOX_PIXELS` (median) keep the first pass's poses."""
    config = config or ExtractConfig()
    n = feats.frame_count
    if feats.meta.variable_fps or n == 0 or not spans or config.stride(feats.meta.fps) == 1:
        return feats  # (a first pass at the full rate has nothing to add)
    boxes = follow_boxes(feats.joints2d, feats.visibility, float(feats.meta.height))
    spans = [(a, b) for a, b in spans if b > a and np.median(boxes[a:b, 2]) >= MIN_BOX_PIXELS]
    if not spans:
        return feats
    key = f"{config.key(estimator_id(estimator))}-dense{DENSE_VERSION}{'f' if config.dense_follow else ''}"
    stored = cache.load_arrays(feats.sha256, key) if use_cache and feats.sha256 else None
    fits = stored is not None and set(stored) == set(DenseFrames.__dataclass_fields__)
    fits = fits and len(stored["done"]) == n
    dense = DenseFrames(**stored) if fits else DenseFrames.empty(n)  # (an entry of another layout: redone)
    wanted = element_mask(spans, n, feats.meta.fps, config.dense_margin_s)
    off_grid = np.arange(n) % max(int(config.dense_stride), 1) != 0
    todo = mask_ranges(wanted & ~(dense.done | off_grid))
    if todo:
        known = feats.processed & (feats.source == DETECTED)  # the first pass found her there already
        tracks = _track(video, estimator, config, todo, known | off_grid, boxes, progress, cancel)
        for (a, _), track in zip(todo, tracks, strict=True):
            m = track.end - track.start
            dense.done[a : a + m] = track.processed | known[a : a + m]
            dense.found[a : a + m] = track.detected
            dense.joints[a : a + m] = track.joints
            dense.visibility[a : a + m] = track.visibility
        if use_cache and feats.sha256:
            try:
                cache.save_arrays(feats.sha256, key, vars(dense))
            except OSError as exc:  # a full disk costs the cache, never the analysis
                log.warning("could not cache the full-rate poses of %s: %s", video, exc)
    report(progress, 1, 1, "elements at full frame rate: done")
    on_grid = replace(dense, done=dense.done & ~off_grid, found=dense.found & ~off_grid)  # (a cache
    # entry may hold frames of another stride)
    return merge_dense(feats, on_grid, wanted, max_gap=int(round(config.max_gap_s * feats.meta.fps)))
