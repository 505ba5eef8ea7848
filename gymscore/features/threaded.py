"""Pose tracking in threads of this process, their network calls batched (the torch pose backend).

The counterpart of :func:`gymscore.features.workers.run_tasks` for
:class:`~gymscore.features.blazepose_torch.TorchBlazePose`: each :class:`RangeTask` runs in a thread
with its own video reader and estimator (its own tracking state), and all estimators share one
:class:`~gymscore.features.blazepose_torch.BatchServer`, so the GPU sees batches of frames from every
range at once while decoding, cropping and optical flow run on the CPU cores (OpenCV releases the
interpreter lock while it works). Results are the same as one worker process per task would give.
The number of threads is the worker setting (``ExtractConfig.workers``, ``--workers``, default 2). The
threads share the interpreter lock, which bounds how many help (:mod:`gymscore.features.served` runs
the same trackers in worker processes instead; docs/models.md, "Pose on a GPU").
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import cv2

from gymscore.features.workers import POLL_S, RangeTask, _track_or_empty
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report
from gymscore.video import VideoReader


def is_batched(spec: Any) -> bool:
    """Whether an estimator spec (see :func:`gymscore.features.parallel.estimator_spec`) is the torch
    backend, whose tasks run here rather than in worker processes."""
    from gymscore.features.pose import default_estimator, pose_backend  # noqa: PLC0415

    if spec is default_estimator:
        return pose_backend() == "torch"
    from gymscore.features.blazepose_torch import TorchBlazePose  # noqa: PLC0415

    return spec is TorchBlazePose


def run_tasks_threaded(
    video: str | Path, tasks: list[RangeTask], total: int, progress: ProgressFn | None = None,
    cancel: CancelToken | None = None, label: str = "pose and motion",
) -> tuple[dict[int, tuple[Any, list, dict]], list[float]]:
    """Run the tasks in one thread each (see the module doc); same results as ``run_tasks``:
    ({index: (tracks, [], info)}, seconds until each thread was ready). The first error is raised
    after the other threads have stopped."""
    from gymscore.features.blazepose_torch import TorchBlazePose, server_for, shared_nets  # noqa: PLC0415

    t0 = time.perf_counter()
    server = server_for(shared_nets(batch=len(tasks)), len(tasks))
    stop = CancelToken()
    done = [0.0] * len(tasks)
    ready = [0.0] * len(tasks)

    def body(task: RangeTask) -> tuple[Any, list, dict]:
        w0, c0 = time.perf_counter(), time.thread_time()

        def sent(count: float, _total: float, _message: str = "") -> None:
            done[task.index] = count
            stop.check()

        try:
            estimator = TorchBlazePose(server)
            with VideoReader(task.path) as reader:
                ready[task.index] = time.perf_counter() - t0
                if task.boxes is None:
                    raw = _track_or_empty(reader, estimator, task, sent)
                else:
                    from gymscore.features.crop_track import crop_track_spans  # noqa: PLC0415

                    raw = crop_track_spans(reader, estimator, list(task.spans), task.boxes, task.skip, sent,
                                           cancel=stop, follow=task.config.dense_follow, prefetch=True)
        except BaseException:
            stop.cancel()  # the other threads stop at their next frame
            raise
        info = {"estimator": f"{estimator.name}/{estimator.version}",
                "peak_rss_mb": 0.0,  # (no memory outside this process: its own peak says it all)
                "wall": time.perf_counter() - w0, "cpu": time.thread_time() - c0}
        return raw, [], info

    threads_before = cv2.getNumThreads()
    cv2.setNumThreads(1)  # one core per thread: OpenCV's own pool would compete with the other threads
    futures: dict[Future, RangeTask] = {}
    results: dict[int, tuple[Any, list, dict]] = {}
    try:
        with ThreadPoolExecutor(len(tasks), thread_name_prefix="gymscore-pose") as pool:
            for task in tasks:
                futures[pool.submit(body, task)] = task
            try:
                pending = set(futures)
                while pending:
                    finished, pending = wait(pending, timeout=POLL_S, return_when=FIRST_EXCEPTION)
                    for f in finished:
                        results[futures[f].index] = f.result()  # raises the thread's error
                    check_cancel(cancel)
                    count = int(sum(done))
                    report(progress, count, total, f"{label}: frame {count}/{total} ({len(tasks)} threads, "
                                                   f"pose batched on {server.nets.device})")
            except BaseException:
                stop.cancel()  # the other threads stop at their next frame
                raise
    finally:
        cv2.setNumThreads(threads_before)
    for info in (r[2] for r in results.values()):
        info["batches"], info["batched_items"] = server.batches, server.items  # (memory: this process')
    return results, ready
