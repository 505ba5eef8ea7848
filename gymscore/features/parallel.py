"""Pose tracking of a long video in parallel worker processes, one pose estimator each.

MediaPipe runs BlazePose on one core, so a long video is split into ``K`` contiguous frame ranges on
the processing stride's grid (``K`` from :meth:`ExtractConfig.worker_count`). Each worker process
("spawn" start method: safe with threads, Qt and the frozen bundle) opens its own
:class:`~gymscore.video.VideoReader` and estimator, seeks to its range, first tracks
``seam_warmup_s`` of the video before it without recording (so the tracker and the optical flow
reach the seam as a single run would) and sends back the raw per-frame arrays. The parent joins them
(camera motion chained across the seams) and fills gaps over the whole video, so a seam is handled
like any other frame. Results depend only on the video, the configuration and ``K``.
"""

from __future__ import annotations

import math
import pickle
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.features.extract import (
    ExtractConfig,
    RangeTrack,
    VideoFeatures,
    finish_features,
)
from gymscore.features.pose import MediaPipePose, PoseEstimator, default_estimator
from gymscore.features.threaded import is_batched, run_tasks_threaded
from gymscore.features.workers import RangeTask, run_tasks
from gymscore.util.progress import CancelToken, ProgressFn, report
from gymscore.video import VideoMeta

MIN_RANGE_FRAMES = 50  # processed frames per range at least (shorter ranges are not worth a process)


def estimator_spec(estimator: PoseEstimator | None) -> Any:
    """How a worker gets its own estimator: a factory, or a picklable copy; None if neither is possible."""
    if estimator is None:
        return default_estimator
    if type(estimator) is MediaPipePose:
        return MediaPipePose
    from gymscore.features.blazepose import LiteBlazePose  # noqa: PLC0415
    from gymscore.features.blazepose_torch import TorchBlazePose  # noqa: PLC0415

    if type(estimator) in (LiteBlazePose, TorchBlazePose):
        return type(estimator)
    try:
        pickle.dumps(estimator)
    except Exception:  # noqa: BLE001 - anything unpicklable stays in this process
        return None
    return estimator


def _runner(spec: Any) -> Any:
    """Worker processes; for the batched torch backend, threads of this process or worker processes
    whose networks run here (``$GYMSCORE_POSE_CLIENTS``, :mod:`gymscore.features.served`)."""
    if not is_batched(spec):
        return run_tasks
    from gymscore.features import served  # noqa: PLC0415

    return served.run_tasks_served if served.clients() == "processes" else run_tasks_threaded


def plan_workers(meta: VideoMeta, config: ExtractConfig, estimator: PoseEstimator | None) -> int:
    """Number of worker processes for this video (1: analyse it in this process).

    Short videos, variable frame rates (re-sampled from per-frame timestamps) and estimators that
    cannot be recreated in another process stay in this process.
    """
    k = config.worker_count()  # processes, or the torch backend's threads (threaded.py)
    if k <= 1 or meta.variable_fps or meta.duration < config.min_parallel_s:
        return 1
    if estimator_spec(estimator) is None:
        return 1
    processed = math.ceil(meta.frame_count / config.stride(meta.fps))
    return max(1, min(k, processed // MIN_RANGE_FRAMES))


def split_ranges(frame_count: int, stride: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges covering ``[0, frame_count)`` with the same number of processed
    frames (give or take one), each starting on the stride grid."""
    processed = math.ceil(frame_count / stride)
    starts = [c * processed // parts * stride for c in range(parts)]
    ranges = [(a, b) for a, b in zip(starts, [*starts[1:], frame_count], strict=True) if b > a]
    return ranges


def merge_ranges(parts: list[RangeTrack]) -> RangeTrack:
    """One :class:`RangeTrack` from consecutive ones: arrays joined, camera motion chained, counts summed.

    Joining stops after a range that ended early (the file breaks there), as a single run would.
    """
    kept: list[RangeTrack] = []
    for part in sorted(parts, key=lambda p: p.start):
        if kept and part.start != kept[-1].end:
            break
        kept.append(part)
    cams, offset = [], np.zeros(2)
    for part in kept:
        cam = part.camera + offset
        cams.append(cam)
        done = np.flatnonzero(part.processed)
        if len(done):
            offset = cam[done[-1]]
    stats: dict[str, int] = {}
    for part in kept:
        for name, value in part.stats.items():
            stats[name] = stats.get(name, 0) + int(value)
    return RangeTrack(
        start=kept[0].start, end=kept[-1].end,
        joints=np.concatenate([p.joints for p in kept]),
        visibility=np.concatenate([p.visibility for p in kept]),
        detected=np.concatenate([p.detected for p in kept]),
        processed=np.concatenate([p.processed for p in kept]),
        flow=np.concatenate([p.flow for p in kept]),
        camera=np.concatenate(cams) if cams else np.zeros((0, 2)),
        stats=stats,
        timings={name: sum(p.timings.get(name, 0.0) for p in kept) for name in ("pose", "flow")},
    )


def compute_features_parallel(
    video: str | Path,
    meta: VideoMeta,
    estimator: PoseEstimator | None,
    config: ExtractConfig,
    workers: int,
    sha256: str = "",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> VideoFeatures:
    """Features of a video tracked by ``workers`` processes (see the module doc); errors and warnings
    of the workers are raised and re-issued here."""
    t0 = time.perf_counter()
    n, stride = meta.frame_count, config.stride(meta.fps)
    warm = int(round(config.seam_warmup_s * meta.fps / stride)) * stride
    spec = estimator_spec(estimator)
    tasks = [RangeTask(i, str(video), spec, config, a, b, max(0, a - warm))
             for i, (a, b) in enumerate(split_ranges(n, stride, workers))]
    results, ready = _runner(spec)(video, tasks, n, progress, cancel)
    wall = time.perf_counter() - t0
    raw = merge_ranges([results[i][0] for i in sorted(results)])
    if raw.end < n:  # the file breaks: as a single run, keep what was read before the break
        meta = replace(meta, frame_count=max(raw.end, 1), truncated=True)
    infos = [results[i][2] for i in sorted(results)]
    feats = finish_features(raw, None, meta, config, infos[0]["estimator"], sha256)
    feats.timings.update({
        "decode_pose_flow": wall, "workers": float(len(tasks)),
        "worker_startup": max(ready),
        "worker_wall_max": max(i["wall"] for i in infos), "worker_wall_min": min(i["wall"] for i in infos),
        "worker_peak_rss_mb": sum(i["peak_rss_mb"] for i in infos),
        "worker_cpu_max": max(i["cpu"] for i in infos), "worker_cpu_sum": sum(i["cpu"] for i in infos),
    })
    if "batches" in infos[0]:  # threads with batched networks (threaded.py): one server for all
        feats.timings.update({"pose_batches": float(infos[0]["batches"]),
                              "pose_batched_items": float(infos[0]["batched_items"])})
    report(progress, feats.frame_count, feats.frame_count, "pose and motion: done")
    return feats


def track_spans_parallel(video: str | Path, estimator: PoseEstimator | None, config: ExtractConfig,
                         spans: list[tuple[int, int]], boxes: np.ndarray, skip: np.ndarray | None,
                         workers: int, progress: ProgressFn | None = None,
                         cancel: CancelToken | None = None) -> list[RangeTrack]:
    """The full-rate pass (:func:`~gymscore.features.crop_track.crop_track` with ``boxes`` and
    ``skip``) on each (start, stop) span, the spans dealt out over ``workers`` processes with about
    the same number of frames each; results in the order given."""
    order = sorted(range(len(spans)), key=lambda k: -(spans[k][1] - spans[k][0]))
    loads = [0] * max(1, min(workers, len(spans)))
    groups: list[list[int]] = [[] for _ in loads]
    for k in order:  # longest first onto the least loaded worker
        w = loads.index(min(loads))
        groups[w].append(k)
        loads[w] += spans[k][1] - spans[k][0]
    spec = estimator_spec(estimator)
    groups = [sorted(g, key=lambda k: spans[k][0]) for g in groups if g]  # each in time order: forward seeks
    tasks = [RangeTask(i, str(video), spec, config, spans[g[0]][0], spans[g[0]][1], spans[g[0]][0],
                       spans=tuple(spans[k] for k in g), boxes=boxes, skip=skip)
             for i, g in enumerate(groups)]
    total = sum(b - a for a, b in spans)
    results, _ = _runner(spec)(video, tasks, total, progress, cancel, label="elements at full frame rate")
    out: list[RangeTrack] = [RangeTrack.empty(a) for a, _ in spans]
    for task, g in zip(tasks, groups, strict=True):
        for k, track in zip(g, results[task.index][0], strict=True):
            out[k] = track
    return out


