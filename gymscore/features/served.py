"""Pose tracking in worker processes whose network calls run in this process (the torch backend).

The threads of :mod:`gymscore.features.threaded` share one interpreter lock, and the steps around the
networks (cropping, decoding the outputs, the tracker) are many small numpy and Python calls that
hold it: measured with py-spy on the dev machine (networks replaced by instant ones), a tracking
thread held the lock 57 % of its time, its decoding thread 15 % (docs/models.md, "Pose on a GPU").
Threads therefore stop scaling at about two. Here each :class:`~gymscore.features.workers.RangeTask`
runs in its own process, as LiteRT's workers do, with the same steps around the networks; only the
networks' inputs come back to this process, through a pipe, where one thread per worker hands them to
the shared :class:`~gymscore.features.blazepose_torch.BatchServer` (batched on the GPU) and sends the
outputs back. The results equal the threads' (tests/test_served.py).

Chosen with ``$GYMSCORE_POSE_CLIENTS=processes`` (default: ``threads``, until a GPU measures which is
faster: ``bench/device_session.sh`` runs both).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.features.blazepose import LiteBlazePose
from gymscore.features.blazepose_torch import BatchedRunner, BatchServer, TorchBlazePose, shared_nets
from gymscore.features.workers import RangeTask, _run_task, _worker_setup, collect
from gymscore.util.progress import CancelToken, ProgressFn

CLIENTS_ENV = "GYMSCORE_POSE_CLIENTS"


def clients() -> str:
    """Where the torch backend's trackers run: ``threads`` (default) or ``processes``."""
    value = os.environ.get(CLIENTS_ENV, "threads").strip().lower() or "threads"
    if value not in ("threads", "processes"):
        raise ValueError(f"${CLIENTS_ENV} must be 'threads' or 'processes', not {value!r}")
    return value


class PoseServerError(RuntimeError):
    """The parent process could not run a network call (its message says why)."""


class PipeClient:
    """The ``run`` of a :class:`~gymscore.features.blazepose_torch.BatchServer`, over a pipe to the
    parent process (one call at a time)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def run(self, kind: str, array: np.ndarray) -> list[np.ndarray]:
        self.conn.send((kind, array))
        status, payload = self.conn.recv()
        if status != "ok":
            raise PoseServerError(payload)
        return payload


class ServedBlazePose(LiteBlazePose):
    """:class:`~gymscore.features.blazepose.LiteBlazePose` whose networks run in the parent process:
    the torch backend's estimator in a worker (same name and version as
    :class:`~gymscore.features.blazepose_torch.TorchBlazePose`, so the same cache entries)."""

    name = TorchBlazePose.name

    def __init__(self, conn: Any) -> None:
        super().__init__(runner=BatchedRunner(PipeClient(conn)))  # type: ignore[arg-type]


def served_worker(task: RangeTask, conn: Any, messages: Any) -> None:
    """Worker process body: run ``task`` with a :class:`ServedBlazePose` on ``conn`` and report on
    ``messages`` as :func:`gymscore.features.workers.range_worker` does."""
    _worker_setup()
    try:
        estimator = ServedBlazePose(conn)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        messages.put(("error", task.index, RuntimeError(f"{type(exc).__name__}: {exc}")))
        return
    _run_task(task, estimator, messages, close=True)
    conn.close()


def _serve(server: Any, conn: Any) -> None:
    """Parent side of one worker's pipe: run its calls on ``server`` until the worker hangs up."""
    while True:
        try:
            kind, array = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", server.run(kind, array))
        except Exception as exc:  # noqa: BLE001 - the worker raises it, the parent reports it
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def run_tasks_served(
    video: str | Path, tasks: list[RangeTask], total: int, progress: ProgressFn | None = None,
    cancel: CancelToken | None = None, label: str = "pose and motion",
) -> tuple[dict[int, tuple[Any, list, dict]], list[float]]:
    """Run the tasks in one worker process each, their networks here (see the module doc); same
    results and return value as :func:`gymscore.features.threaded.run_tasks_threaded`."""
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    messages = ctx.Queue()
    pipes = [ctx.Pipe() for _ in tasks]
    procs = [ctx.Process(target=served_worker, args=(task, child, messages), daemon=True,
                         name=f"gymscore-pose-{task.index}")
             for task, (_, child) in zip(tasks, pipes, strict=True)]
    for p in procs:  # started first: they import while the networks load here
        p.start()
    for _, child in pipes:
        child.close()  # (the workers hold their ends: a dead worker then ends its serving thread)
    ok = False
    try:
        nets = shared_nets()
        on_gpu = nets.device.type != "cpu"  # one call at a time on a CPU, as in threaded.py
        server = BatchServer(nets, max_batch=32 if on_gpu else 1, pad_to=len(tasks) if on_gpu else 1)
        servers = [threading.Thread(target=_serve, args=(server, parent), daemon=True,
                                    name=f"gymscore-pose-server-{i}") for i, (parent, _) in enumerate(pipes)]
        for th in servers:
            th.start()
        results, ready = collect(messages, procs, tasks, video, total, progress, cancel,
                                 f"{label}: frame {{}}/{total} ({len(tasks)} processes, pose batched "
                                 f"on {nets.device})", t0)
        ok = True
    finally:
        for p in procs:
            p.join(timeout=5 if ok else 0)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        for parent, _ in pipes:
            parent.close()
        messages.close()
        messages.cancel_join_thread()
    for info in (r[2] for r in results.values()):
        info["batches"], info["batched_items"] = server.batches, server.items
    return results, ready
