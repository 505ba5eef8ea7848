"""Worker processes for pose tracking: what they run, and how the parent hands them work.

A worker ("spawn" start method: safe with threads, Qt and the frozen bundle) opens its own
:class:`~gymscore.video.VideoReader` and estimator and runs a :class:`RangeTask`: a range of the
first pass (:func:`~gymscore.features.extract.track_range`) or spans of the full-rate pass
(:func:`~gymscore.features.crop_track.crop_track_spans`). :func:`run_tasks` starts one process per
task and collects the results; inside :func:`keep_workers` the processes, with their loaded
estimators, stay alive for the next call (the first pass's workers then do the full-rate pass).
For the torch backend's served workers (:mod:`gymscore.features.served`) each process also gets a
pipe and a shared block (:mod:`gymscore.features.pipe_serve`), and a thread here runs its network
calls.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from gymscore.features.extract import ExtractConfig, RangeTrack, track_range
from gymscore.features.pipe_serve import Channel
from gymscore.features.pose import PoseEstimator
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report
from gymscore.video import VideoError, VideoReader

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


def pool_worker(tasks: Any, messages: Any, conn: Any = None, block: str = "") -> None:
    """Body of a worker process: run the tasks from ``tasks`` with one estimator, made for the first,
    until a None arrives, putting ``("ready", index)``, ``("progress", index, frames)`` and
    ``("done", index, tracks, warnings, info)`` (or ``("error", index, exception)``) on ``messages``
    (inside :func:`keep_workers` the process stays for the next call). With ``conn`` the estimator is
    the torch backend's, its networks run by the parent over that pipe and the shared block named
    ``block`` (:mod:`gymscore.features.served`)."""
    _worker_setup()
    estimator, make = None, None
    if conn is not None:
        from gymscore.features.served import ServedBlazePose  # noqa: PLC0415

        def make() -> Any:
            return ServedBlazePose(conn, block)
    while True:
        task = tasks.get()
        if task is None:
            break
        estimator = _run_task(task, estimator, messages, make=make)
    if estimator is not None:
        estimator.close()


def _worker_setup() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (it cancels)
    cv2.setNumThreads(1)  # one core per worker: OpenCV's thread pool would only compete with the others


def _run_task(task: RangeTask, estimator: PoseEstimator | None, messages: Any, make: Any = None) -> Any:
    """One task in a worker: reports ready / done / error on ``messages``; returns the estimator
    (made by ``make`` when given, else from the task's spec, when there is none yet)."""
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if estimator is None:
                spec = task.estimator
                if make is not None:
                    estimator = make()
                else:
                    estimator = spec() if isinstance(spec, type) or not hasattr(spec, "detect") else spec
            else:
                estimator.reset()  # a kept worker: nothing of the last task carries over
            name = f"{estimator.name}/{estimator.version}"
            with VideoReader(task.path) as reader:
                messages.put(("ready", task.index))
                sent = _QueueProgress(messages, task.index)
                if task.boxes is None:
                    raw = _track_or_empty(reader, estimator, task, sent)
                else:
                    from gymscore.features.crop_track import crop_track_spans  # noqa: PLC0415

                    raw = crop_track_spans(reader, estimator, list(task.spans), task.boxes, task.skip, sent,
                                           follow=task.config.dense_follow)
        found = [(w.category, str(w.message)) for w in caught
                 if not issubclass(w.category, DeprecationWarning)]
        info = {"estimator": name, "peak_rss_mb": _peak_rss_mb(), "wall": time.perf_counter() - t0,
                "cpu": _cpu_seconds() - cpu0}
        messages.put(("done", task.index, raw, found, info))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        messages.put(("error", task.index, _picklable(exc)))
    return estimator


def _track_or_empty(reader: VideoReader, estimator: PoseEstimator, task: RangeTask,
                    progress: ProgressFn) -> RangeTrack:
    try:
        return track_range(reader, estimator, task.config, task.start, task.stop, task.warmup_from,
                           progress=progress)
    except VideoError as exc:
        if "cannot reach frame" not in str(exc):
            raise
        return RangeTrack.empty(task.start)  # the file breaks before this range


class _Workers:
    """Worker processes that run one task after another (see :func:`keep_workers`). ``served``: each
    has a pipe whose network calls a thread of this process runs on :attr:`server` (set per call)."""

    def __init__(self, count: int, spec: Any, served: bool = False) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.spec, self.busy, self.served = spec, False, served
        self.server: Any = None
        self.tasks, self.messages = ctx.Queue(), ctx.Queue()
        pipes = [ctx.Pipe() for _ in range(count)] if served else [(None, None)] * count
        self.channels = [Channel.create() for _ in range(count)] if served else []
        names = [c.name for c in self.channels] or [""] * count
        self.procs = [ctx.Process(target=pool_worker, args=(self.tasks, self.messages, child, name),
                                  daemon=True, name=f"gymscore-pose-{i}")
                      for i, ((_, child), name) in enumerate(zip(pipes, names, strict=True))]
        for p in self.procs:
            p.start()
        self.conns = [parent for parent, _ in pipes if parent is not None]
        for _, child in pipes:
            if child is not None:
                child.close()  # (the worker holds its end: when it ends, its serving thread ends)
        self.servers = [threading.Thread(target=channel.serve, args=(conn, self._run), daemon=True,
                                         name=f"gymscore-serve-{i}")
                        for i, (conn, channel) in enumerate(zip(self.conns, self.channels, strict=True))]
        for th in self.servers:
            th.start()

    def _run(self, kind: str, array: np.ndarray) -> list[np.ndarray]:
        return self.server.run(kind, array)  # (the server of the current call)

    def fits(self, count: int, spec: Any, served: bool = False) -> bool:
        return (not self.busy and len(self.procs) == count and all(p.is_alive() for p in self.procs)
                and _same_spec(self.spec, spec) and self.served == served)

    def close(self, wait: bool = True) -> None:
        if wait:
            for _ in self.procs:
                self.tasks.put(None)
            for p in self.procs:
                p.join(timeout=5)
        for p in self.procs:
            if p.is_alive():
                p.terminate()
            p.join(timeout=5)
        for th in self.servers:  # (they end when their worker has: its end of the pipe is closed)
            th.join(timeout=5)
        for conn in self.conns:
            conn.close()
        for channel in self.channels:
            channel.close()
        for q in (self.tasks, self.messages):
            q.close()
            q.cancel_join_thread()


def _same_spec(a: Any, b: Any) -> bool:
    """Factories (classes, functions) are the same when equal; estimators to copy only when identical."""
    return a is b or (not hasattr(a, "detect") or isinstance(a, type)) and a == b


_kept: dict[str, Any] = {"depth": 0, "workers": None}


@contextmanager
def keep_workers() -> Iterator[None]:
    """Inside this block, the worker processes of one :func:`run_tasks` call stay alive for the next
    (the full-rate pass reuses the first pass's processes and their loaded estimators); they stop when
    the outermost block ends, or at once after an error or a cancel."""
    _kept["depth"] += 1
    try:
        yield
    finally:
        _kept["depth"] -= 1
        if _kept["depth"] == 0 and _kept["workers"] is not None:
            _kept["workers"].close()
            _kept["workers"] = None


def _workers_for(count: int, spec: Any, served: bool = False) -> tuple[_Workers, bool]:
    """Processes for one run_tasks call: the kept ones when they fit; (workers, whether to keep them)."""
    keep = _kept["depth"] > 0
    old = _kept["workers"]
    if keep and old is not None and old.fits(count, spec, served):
        return old, True
    if old is not None and not old.busy:
        old.close()
        _kept["workers"] = None
    workers = _Workers(count, spec, served)
    if keep:
        _kept["workers"] = workers
    return workers, keep


def run_tasks(video: str | Path, tasks: list[RangeTask], total: int, progress: ProgressFn | None = None,
              cancel: CancelToken | None = None,
              label: str = "pose and motion",
              make_server: Any = None) -> tuple[dict[int, tuple[Any, list, dict]], list[float]]:
    """Run the tasks on one worker process each; returns ({index: (tracks, warnings, info)}, seconds
    until each worker was ready). Workers' errors are raised here and their warnings re-issued.
    ``make_server``: a function that returns what runs the workers' networks here
    (``run(kind, array)``), called once the processes have started (:mod:`gymscore.features.served`)."""
    t0 = time.perf_counter()
    workers, keep = _workers_for(len(tasks), tasks[0].estimator, served=make_server is not None)
    workers.busy = True
    ok = False
    try:
        if make_server is not None:
            workers.server = make_server()  # (the processes import meanwhile)
        for t in tasks:
            workers.tasks.put(t)
        results, ready = _collect(workers.messages, workers.procs, tasks, video, total, progress, cancel,
                                 f"{label}: frame {{}}/{total} ({len(tasks)} processes)", t0)
        ok = True
    finally:
        workers.busy = False
        if not (ok and keep):  # an error or a cancel leaves workers mid-task: stop them
            workers.close(wait=ok)
            if _kept["workers"] is workers:
                _kept["workers"] = None
    return results, ready


def _collect(messages: Any, procs: list, tasks: list[RangeTask], video: str | Path, total: int,
            progress: ProgressFn | None, cancel: CancelToken | None, line: str,
            t0: float) -> tuple[dict[int, tuple[Any, list, dict]], list[float]]:
    """The results of ``tasks`` from worker processes ``procs`` as they arrive on ``messages`` (see
    :func:`pool_worker`), with progress (``line`` formatted with the frame count) and cancel checks;
    a worker's error is raised, a worker that died is reported, and warnings are re-issued here."""
    done = [0.0] * len(tasks)
    ready = [0.0] * len(tasks)  # when each worker had its estimator and video open (s after t0)
    results: dict[int, tuple[Any, list, dict]] = {}
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
            report(progress, count, total, line.format(count))
        elif kind == "error":
            raise msg[2]
        else:
            results[index] = (msg[2], msg[3], msg[4])
    seen: set[tuple[type, str]] = set()
    for i in sorted(results):
        for category, message in results[i][1]:
            if (category, message) not in seen:
                seen.add((category, message))
                warnings.warn(message, category, stacklevel=4)
    return results, ready


def _check_alive(procs: list, results: dict, tasks: list[RangeTask], video: str | Path) -> None:
    """Raise when a worker died without a word (killed, crashed in native code)."""
    for p in procs:
        if len(results) < len(tasks) and p.exitcode is not None and p.exitcode != 0:
            task = next(t for t in tasks if t.index not in results)
            raise RuntimeError(
                f"{video}: the pose worker for frames {task.start}-{task.stop - 1} stopped unexpectedly "
                f"(exit code {p.exitcode}; its messages are above. A script that analyses videos must "
                "run its main code under `if __name__ == \"__main__\":` so that worker processes can "
                "import it)"
            )
