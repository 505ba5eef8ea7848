"""Pose tracking in worker processes whose network calls run in this process (the torch backend).

The threads of :mod:`gymscore.features.threaded` share one interpreter lock, and the steps around the
networks (cropping, decoding the outputs, the tracker) are many small numpy and Python calls that
hold it: measured with py-spy on the dev machine (networks replaced by instant ones), a tracking
thread held the lock 57 % of its time, its decoding thread 15 % (docs/models.md, "Pose on a GPU").
Threads therefore stop scaling at about two. Here each :class:`~gymscore.features.workers.RangeTask`
runs in its own process (:func:`gymscore.features.workers.run_tasks`, as LiteRT's workers), with the
same steps around the networks; only the networks' inputs come back to this process, through a pipe
and a shared memory block per worker (:mod:`gymscore.features.pipe_serve`), where a thread hands them
to the shared :class:`~gymscore.features.blazepose_torch.BatchServer` (batched on the GPU) and sends
the outputs back. The results equal the threads' (tests/test_served.py).

Chosen with ``$GYMSCORE_POSE_CLIENTS=processes`` (default: ``threads``). On an H200 machine, 15
processes took 12.6 s on the 92 s routine, two threads 8.7 s: the serving side is the limit so far
(docs/models.md, "Pose on a GPU").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.features.blazepose import LiteBlazePose
from gymscore.features.blazepose_torch import (
    BatchedRunner,
    BatchServer,
    TorchBlazePose,
    server_for,
    shared_nets,
)
from gymscore.features.pipe_serve import Channel
from gymscore.features.workers import RangeTask, run_tasks
from gymscore.util.progress import CancelToken, ProgressFn

CLIENTS_ENV = "GYMSCORE_POSE_CLIENTS"


def clients() -> str:
    """Where the torch backend's trackers run: ``threads`` (default) or ``processes``."""
    value = os.environ.get(CLIENTS_ENV, "threads").strip().lower() or "threads"
    if value not in ("threads", "processes"):
        raise ValueError(f"${CLIENTS_ENV} must be 'threads' or 'processes', not {value!r}")
    return value


class PipeClient:
    """The ``run`` of a :class:`~gymscore.features.blazepose_torch.BatchServer`, in the parent
    process, over a pipe and a shared block (:mod:`gymscore.features.pipe_serve`)."""

    def __init__(self, conn: Any, block: str) -> None:
        self.conn, self.channel = conn, Channel.attach(block)

    def run(self, kind: str, array: np.ndarray) -> list[np.ndarray]:
        return self.channel.call(self.conn, kind, array)


class ServedBlazePose(LiteBlazePose):
    """:class:`~gymscore.features.blazepose.LiteBlazePose` whose networks run in the parent process:
    the torch backend's estimator in a worker (same name and version as
    :class:`~gymscore.features.blazepose_torch.TorchBlazePose`, so the same cache entries)."""

    name = TorchBlazePose.name

    def __init__(self, conn: Any, block: str) -> None:
        super().__init__(runner=BatchedRunner(PipeClient(conn, block)))  # type: ignore[arg-type]


def run_tasks_served(
    video: str | Path, tasks: list[RangeTask], total: int, progress: ProgressFn | None = None,
    cancel: CancelToken | None = None, label: str = "pose and motion",
) -> tuple[dict[int, tuple[Any, list, dict]], list[float]]:
    """Run the tasks in one worker process each, their networks here (see the module doc); same
    results and return value as :func:`gymscore.features.threaded.run_tasks_threaded`. Inside
    :func:`~gymscore.features.workers.keep_workers` the processes stay for the next call, as LiteRT's."""
    made: list[BatchServer] = []

    def make_server() -> BatchServer:
        made.append(server_for(shared_nets(batch=len(tasks)), len(tasks)))
        return made[-1]

    results, ready = run_tasks(video, tasks, total, progress, cancel, label, make_server=make_server)
    for info in (r[2] for r in results.values()):
        info["batches"], info["batched_items"] = made[0].batches, made[0].items
    return results, ready
