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
import multiprocessing
import os
import pickle
import queue
import signal
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from gymscore.features.extract import (
    ExtractConfig,
    RangeTrack,
    VideoFeatures,
    finish_features,
    track_range,
)
from gymscore.features.pose import MediaPipePose, PoseEstimator, default_estimator
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report
from gymscore.video import VideoError, VideoMeta, VideoReader

MIN_RANGE_FRAMES = 50  # processed frames per range at least (shorter ranges are not worth a process)
POLL_S = 0.1  # how often the parent looks at the cancel token while waiting


@dataclass(frozen=True)
class RangeTask:
    """One worker's job: track frames ``[start, stop)`` of ``path`` after a warm-up from ``warmup_from``."""

    index: int
    path: str
    estimator: Any  # a factory (class or function) or a picklable estimator to copy
    config: ExtractConfig
    start: int
    stop: int
    warmup_from: int
    # Full-rate pass (see gymscore.features.densify): the ranges (start, stop) to estimate instead, on
    # crops that follow her (``boxes`` (T, 3), crop_track) but for the frames in ``skip`` (T,); the
    # worker then sends back a list of RangeTracks.
    spans: tuple[tuple[int, int], ...] = ()
    boxes: np.ndarray | None = None
    skip: np.ndarray | None = None


def estimator_spec(estimator: PoseEstimator | None) -> Any:
    """How a worker gets its own estimator: a factory, or a picklable copy; None if neither is possible."""
    if estimator is None:
        return default_estimator
    if type(estimator) is MediaPipePose:
        return MediaPipePose
    try:
        pickle.dumps(estimator)
    except Exception:  # noqa: BLE001 - anything unpicklable stays in this process
        return None
    return estimator


def plan_workers(meta: VideoMeta, config: ExtractConfig, estimator: PoseEstimator | None) -> int:
    """Number of worker processes for this video (1: analyse it in this process).

    Short videos, variable frame rates (re-sampled from per-frame timestamps) and estimators that
    cannot be recreated in another process stay in this process.
    """
    k = config.worker_count()
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


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    t = os.times()
    return t.user + t.system


def _peak_rss_mb() -> float:
    try:
        import resource  # noqa: PLC0415 - not on Windows
    except ImportError:
        return 0.0
    import sys  # noqa: PLC0415

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class _QueueProgress:
    """A progress callback that forwards a worker's frame count to the parent."""

    def __init__(self, messages: Any, index: int) -> None:
        self.messages, self.index = messages, index

    def __call__(self, done: float, total: float, message: str = "") -> None:
        self.messages.put(("progress", self.index, done))


def range_worker(task: RangeTask, messages: Any) -> None:
    """Worker process body: track one range and put ``("done", index, RangeTrack, warnings, info)``
    (or ``("error", index, exception)``) on ``messages``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (it cancels)
    cv2.setNumThreads(1)  # one core per worker: OpenCV's thread pool would only compete with the others
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec = task.estimator
            estimator = spec() if isinstance(spec, type) or not hasattr(spec, "detect") else spec
            name = f"{estimator.name}/{estimator.version}"
            with VideoReader(task.path) as reader:
                messages.put(("ready", task.index))
                sent = _QueueProgress(messages, task.index)
                if task.boxes is None:
                    raw = _track_or_empty(reader, estimator, task, sent)
                else:
                    from gymscore.features.crop_track import crop_track_spans  # noqa: PLC0415

                    raw = crop_track_spans(reader, estimator, list(task.spans), task.boxes, task.skip, sent)
            estimator.close()
        found = [(w.category, str(w.message)) for w in caught
                 if not issubclass(w.category, DeprecationWarning)]
        info = {"estimator": name, "peak_rss_mb": _peak_rss_mb(), "wall": time.perf_counter() - t0,
                "cpu": _cpu_seconds()}
        messages.put(("done", task.index, raw, found, info))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        messages.put(("error", task.index, _picklable(exc)))


def _track_or_empty(reader: VideoReader, estimator: PoseEstimator, task: RangeTask,
                    progress: ProgressFn) -> RangeTrack:
    try:
        return track_range(reader, estimator, task.config, task.start, task.stop, task.warmup_from,
                           progress=progress)
    except VideoError as exc:
        if "cannot reach frame" not in str(exc):
            raise
        return RangeTrack.empty(task.start)  # the file breaks before this range


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
    results, ready = run_tasks(video, tasks, n, progress, cancel)
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
    report(progress, feats.frame_count, feats.frame_count, "pose and motion: done")
    return feats


def run_tasks(video: str | Path, tasks: list[RangeTask], total: int, progress: ProgressFn | None = None,
              cancel: CancelToken | None = None,
              label: str = "pose and motion") -> tuple[dict[int, tuple[Any, list, dict]], list[float]]:
    """Run one worker process per task; returns ({index: (tracks, warnings, info)}, seconds until each
    worker was ready). Workers' errors are raised here and their warnings re-issued."""
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    messages = ctx.Queue()
    procs = [ctx.Process(target=range_worker, args=(t, messages), daemon=True,
                         name=f"gymscore-pose-{t.index}") for t in tasks]
    done = [0.0] * len(tasks)
    ready = [0.0] * len(tasks)  # when each worker had its estimator and video open (s after the start)
    results: dict[int, tuple[Any, list, dict]] = {}
    try:
        for p in procs:
            p.start()
        while len(results) < len(tasks):
            check_cancel(cancel)
            try:
                msg = messages.get(timeout=POLL_S)
            except queue.Empty:
                check_cancel(cancel)  # Ctrl-C reaches the workers too: a cancel explains their exit
                _check_alive(procs, results, tasks, video)
                continue
            kind, index = msg[0], msg[1]
            if kind == "ready":
                ready[index] = time.perf_counter() - t0
            elif kind == "progress":
                done[index] = msg[2]
                count = int(sum(done))
                report(progress, count, total, f"{label}: frame {count}/{total} ({len(tasks)} processes)")
            elif kind == "error":
                raise msg[2]
            else:
                results[index] = (msg[2], msg[3], msg[4])
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5)
        messages.close()
        messages.cancel_join_thread()
    seen: set[tuple[type, str]] = set()
    for i in sorted(results):
        for category, message in results[i][1]:
            if (category, message) not in seen:
                seen.add((category, message))
                warnings.warn(message, category, stacklevel=3)
    return results, ready


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
    groups = [g for g in groups if g]
    tasks = [RangeTask(i, str(video), spec, config, spans[g[0]][0], spans[g[0]][1], spans[g[0]][0],
                       spans=tuple(spans[k] for k in g), boxes=boxes, skip=skip)
             for i, g in enumerate(groups)]
    total = sum(b - a for a, b in spans)
    results, _ = run_tasks(video, tasks, total, progress, cancel, label="elements at full frame rate")
    out: list[RangeTrack] = [RangeTrack.empty(a) for a, _ in spans]
    for task, g in zip(tasks, groups, strict=True):
        for k, track in zip(g, results[task.index][0], strict=True):
            out[k] = track
    return out


def _check_alive(procs: list, results: dict, tasks: list[RangeTask], video: str | Path) -> None:
    """Raise when a worker died without a word (killed, crashed in native code)."""
    for p, task in zip(procs, tasks, strict=True):
        if task.index not in results and p.exitcode is not None and p.exitcode != 0:
            raise RuntimeError(
                f"{video}: the pose worker for frames {task.start}-{task.stop - 1} stopped unexpectedly "
                f"(exit code {p.exitcode}; its messages are above. A script that analyses videos must "
                "run its main code under `if __name__ == \"__main__\":` so that worker processes can "
                "import it)"
            )
