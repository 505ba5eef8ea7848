"""The torch pose backend's trackers in worker processes, their networks in this process
(gymscore.features.served): same results as the threads, errors, cancel and the choice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("tflite", reason="the torch pose backend reads model files with the tflite package")
pytest.importorskip("ai_edge_litert", reason="LiteRT reads the weights out of the model files")

from gymscore.features import served  # noqa: E402
from gymscore.features.blazepose_torch import TorchBlazePose  # noqa: E402
from gymscore.features.extract import ExtractConfig  # noqa: E402
from gymscore.features.workers import RangeTask  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "fx_demo" / "video.mp4"


def _tasks(ranges: list[tuple[int, int]], config: ExtractConfig | None = None) -> list[RangeTask]:
    config = config or ExtractConfig(pose_fps=12.5)
    return [RangeTask(i, str(DEMO), TorchBlazePose, config, a, b, max(0, a - 10))
            for i, (a, b) in enumerate(ranges)]


def test_worker_processes_give_what_the_threads_give():
    from gymscore.features.threaded import run_tasks_threaded

    tasks = _tasks([(0, 60), (60, 120)])
    seen: list[float] = []
    got, ready = served.run_tasks_served(DEMO, tasks, 120, progress=lambda d, t, m="": seen.append(d))
    ref, _ = run_tasks_threaded(DEMO, tasks, 120)
    assert sorted(got) == [0, 1] and len(ready) == 2
    assert got[0][2]["estimator"] == ref[0][2]["estimator"]  # the same cache entries
    assert got[0][2]["estimator"].startswith("torch-blazepose-full/")
    assert got[0][2]["batched_items"] >= sum(int(r[0].processed.sum()) for r in got.values())
    for i in (0, 1):
        a, b = got[i][0], ref[i][0]
        assert (a.start, a.end) == (b.start, b.end)
        np.testing.assert_array_equal(a.detected, b.detected)
        np.testing.assert_array_equal(a.joints, b.joints)
        np.testing.assert_array_equal(a.flow, b.flow)
    assert a.detected.sum() > 0 and seen and seen[-1] <= 120


def test_the_full_rate_pass_in_processes_equals_the_threads(monkeypatch):
    from gymscore.features import parallel
    from gymscore.video import VideoReader

    with VideoReader(DEMO) as reader:
        n, w, h = reader.meta.frame_count, reader.meta.width, reader.meta.height
    boxes = np.tile([w / 2, h / 2, h], (n, 1)).astype(float)
    spans = [(10, 40), (60, 80), (100, 130)]
    runs = {}
    for mode in ("threads", "processes"):
        monkeypatch.setenv(served.CLIENTS_ENV, mode)
        runs[mode] = parallel.track_spans_parallel(DEMO, TorchBlazePose(), ExtractConfig(workers=2), spans,
                                                   boxes, None, workers=2)
    assert [(t.start, t.end) for t in runs["processes"]] == spans
    for got, ref in zip(runs["processes"], runs["threads"], strict=True):
        np.testing.assert_array_equal(got.joints, ref.joints)
    assert sum(int(t.detected.sum()) for t in runs["processes"]) > 0


def test_a_network_error_in_the_parent_is_raised_with_its_message(monkeypatch):
    import torch

    class Broken:
        device = torch.device("cpu")

        def run(self, kind, batch, rows=None):
            raise RuntimeError("the device fell off the bus")

    monkeypatch.setattr(served, "shared_nets", lambda **_: Broken())
    with pytest.raises(RuntimeError, match="RuntimeError: the device fell off the bus"):
        served.run_tasks_served(DEMO, _tasks([(0, 30), (30, 60)]), 60)


def test_a_cancel_stops_the_worker_processes():
    from gymscore.util.progress import Cancelled, CancelToken

    token = CancelToken()

    def progress(done, total, message=""):
        if done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        served.run_tasks_served(DEMO, _tasks([(0, 150), (150, 300)], ExtractConfig()), 300, progress=progress,
                                cancel=token)


def test_the_choice_between_threads_and_processes(monkeypatch):
    from gymscore.features import parallel
    from gymscore.features.threaded import run_tasks_threaded
    from gymscore.features.workers import run_tasks

    monkeypatch.delenv(served.CLIENTS_ENV, raising=False)
    assert served.clients() == "threads"
    assert parallel._runner(TorchBlazePose) is run_tasks_threaded
    monkeypatch.setenv(served.CLIENTS_ENV, "Processes")
    assert parallel._runner(TorchBlazePose) is served.run_tasks_served
    from gymscore.features.blazepose import LiteBlazePose

    assert parallel._runner(LiteBlazePose) is run_tasks  # LiteRT keeps its own worker processes
    monkeypatch.setenv(served.CLIENTS_ENV, "fibres")
    with pytest.raises(ValueError, match="GYMSCORE_POSE_CLIENTS must be 'threads' or 'processes'"):
        served.clients()


def test_kept_worker_processes_serve_the_next_call_too():
    from gymscore.features import workers

    with workers.keep_workers():
        served.run_tasks_served(DEMO, _tasks([(0, 30), (30, 60)]), 60)
        kept = workers._kept["workers"]
        pids = [p.pid for p in kept.procs]
        got, _ = served.run_tasks_served(DEMO, _tasks([(60, 90), (90, 120)]), 60)
        assert workers._kept["workers"] is kept and [p.pid for p in kept.procs] == pids
        assert got[1][0].detected.sum() > 0
    assert workers._kept["workers"] is None and not any(p.is_alive() for p in kept.procs)
