"""BlazePose's networks replayed by torch: same outputs as LiteRT, batching across threads, the
threaded range runner and the GPU choice of the analysis."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("tflite", reason="the torch pose backend reads model files with the tflite package")
pytest.importorskip("ai_edge_litert", reason="LiteRT reads the weights out of the model files")

from gymscore.features import tflite_torch  # noqa: E402
from gymscore.features.blazepose import (  # noqa: E402
    LANDMARK_FILE,
    LiteBlazePose,
    LiteRunner,
    mediapipe_model_dir,
)
from gymscore.features.blazepose_torch import BatchServer, TorchBlazePose, TorchNets  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "fx_demo" / "video.mp4"


@pytest.fixture(scope="module")
def nets() -> TorchNets:
    return TorchNets("cpu")


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    import cv2

    from gymscore.video import VideoReader

    with VideoReader(DEMO) as r:
        return [cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB) for i, f in zip(range(240), r.frames(), strict=False)
                if i % 3 == 0]


def test_replayed_networks_give_litert_outputs_in_a_batch(nets, frames):
    assert nets.mode == {"det": "torchscript", "lm": "torchscript"}  # no Python between operators
    lite = LiteRunner()
    rng = np.random.default_rng(3)
    canvases = rng.integers(0, 256, (3, 224, 224, 3), dtype=np.uint8)
    raw, logits = nets.run("det", canvases)
    assert raw.shape == (3, 2254, 12) and logits.shape == (3, 2254)
    for k in range(3):
        ref_raw, ref_logits = lite.detector_outputs(canvases[k])
        np.testing.assert_allclose(raw[k], ref_raw, atol=5e-3)
        np.testing.assert_allclose(logits[k], ref_logits, atol=5e-3)
    crops = np.stack([f[:256, 100:356] for f in frames[:3]])  # uint8 RGB, as the steps around hand them
    points, presence, heat = nets.run("lm", crops)
    assert points.shape == (3, 195) and presence.shape == (3,) and heat.shape == (3, 64, 64, 39)
    for k in range(3):
        p, pts, h = lite.landmark_outputs(crops[k])
        assert presence[k] == pytest.approx(p, abs=1e-4)
        np.testing.assert_allclose(points[k], pts, atol=2e-2)  # pixels of the 256 crop
        np.testing.assert_allclose(heat[k], h, atol=2e-2)


def _compare(ours: list, theirs: list) -> tuple[int, list[float]]:
    """Frames where one found her and the other not, and the median joint distance (px) of the rest."""
    disagree = sum((a is None) != (b is None) for a, b in zip(ours, theirs, strict=True))
    diffs = [float(np.median(np.abs(a.joints - b.joints))) for a, b in zip(ours, theirs, strict=True)
             if a is not None and b is not None]
    return disagree, diffs


def test_torch_backend_tracks_the_gymnast_closer_to_litert_than_litert_to_itself_on_noise(frames):
    """Tracking magnifies any difference (thresholds on presence and scores), so the yardstick is
    LiteRT on the same frames with one grey level of noise added: the replay must differ less."""
    lite, tor, lite_noisy = LiteBlazePose(), TorchBlazePose(), LiteBlazePose()
    ours = [lite.detect(x) for x in frames]  # whole frames, tracking mode
    replay = [tor.detect(x) for x in frames]
    rng = np.random.default_rng(0)
    noisy = [lite_noisy.detect(np.clip(x.astype(int) + rng.integers(-1, 2, x.shape), 0, 255).astype(np.uint8))
             for x in frames]
    dis_replay, d_replay = _compare(ours, replay)
    dis_noise, d_noise = _compare(ours, noisy)
    assert len(d_replay) >= 10
    assert dis_replay <= dis_noise + 1
    assert np.median(d_replay) < 0.25 * np.median(d_noise)
    assert tor.name == "torch-blazepose-full" and tor.version == lite.version


def test_pruning_keeps_only_what_the_kept_outputs_need():
    path = mediapipe_model_dir() / LANDMARK_FILE
    graph = tflite_torch.read_graph(path)
    assert len(graph.outputs) == 5
    pruned = tflite_torch.prune(graph, [0, 1, 3])
    assert len(pruned.outputs) == 3 and len(pruned.ops) < len(graph.ops)
    assert set(pruned.constants) <= set(graph.constants)
    assert not any(op.name in ("DEQUANTIZE", "DENSIFY") for op in graph.ops)  # undone by reading


def test_an_operator_it_cannot_replay_is_named():
    with pytest.raises(tflite_torch.UnsupportedGraph, match="operator SOFTMAX"):
        tflite_torch._options(None, "SOFTMAX")
    graph = tflite_torch.Graph([tflite_torch.Op("SOFTMAX", [0], [1])], {}, [0], [1], {})
    with pytest.raises(tflite_torch.UnsupportedGraph, match="SOFTMAX"):
        tflite_torch.build_module(graph)(torch.zeros(1, 4))


def test_a_module_that_cannot_be_traced_runs_as_it_is():
    from gymscore.features.torch_runtime import traced

    class Python(torch.nn.Module):
        def forward(self, x):
            return [x * 2] if x.shape[0] > 1 else [x]  # its trace (at batch 1) differs at batch 2

    module = Python()
    assert traced(module, (4,), "cpu") == (module, False)


def test_float32_math_turns_tf32_off_until_the_last_thread_leaves():
    import threading

    from gymscore.features.torch_runtime import float32_math

    cudnn = torch.backends.cudnn
    before = cudnn.allow_tf32
    cudnn.allow_tf32 = True
    inside, leave = threading.Event(), threading.Event()

    def other():
        with float32_math():
            inside.set()
            leave.wait(10)

    t = threading.Thread(target=other)
    t.start()
    inside.wait(10)
    with float32_math():
        assert cudnn.allow_tf32 is False
    assert cudnn.allow_tf32 is False  # the other thread is still inside
    leave.set()
    t.join()
    assert cudnn.allow_tf32 is True
    cudnn.allow_tf32 = before


def test_graphs_that_differ_from_the_module_are_refused_with_the_reason(monkeypatch):
    from gymscore.features import torch_runtime

    class Net(torch.nn.Module):
        def forward(self, x):
            return (x * 100.0,)

    class Off(torch_runtime.CudaGraphs):  # "captures" a graph whose outputs are 1 % off
        def _capture(self, size):
            return None

        def __call__(self, x):
            return [x * 101.0]

    monkeypatch.setattr(torch_runtime, "CudaGraphs", Off)
    net = Net()
    with pytest.warns(RuntimeWarning, match=r"differ from the module by 0\.01 "):
        assert torch_runtime.graphed(net, (4,), "cpu") == (net, False)
    monkeypatch.setattr(Off, "__call__", lambda self, x: [x * 100.0 + 1e-4])  # within the tolerance
    fast, ok = torch_runtime.graphed(net, (4,), "cpu")
    assert ok and isinstance(fast, Off)


def test_float32_math_turns_cudnn_off_unless_asked_for(monkeypatch):
    from gymscore.features.torch_runtime import CUDNN_ENV, float32_math

    cudnn = torch.backends.cudnn
    assert cudnn.enabled is True
    monkeypatch.delenv(CUDNN_ENV, raising=False)
    with float32_math():
        assert cudnn.enabled is False  # the default: torch's own kernels, no per-shape plans
    assert cudnn.enabled is True
    monkeypatch.setenv(CUDNN_ENV, "1")
    with float32_math():
        assert cudnn.enabled is True
    cudnn.enabled = False  # off before: stays off inside and after, also when asked for
    try:
        with float32_math():
            assert cudnn.enabled is False
        assert cudnn.enabled is False
    finally:
        cudnn.enabled = True


def test_graphs_are_captured_and_checked_at_the_batch_size_asked_for(monkeypatch):
    from gymscore.features import torch_runtime

    class Net(torch.nn.Module):
        def forward(self, x):
            return (x * 2.0,)

    seen: list[tuple[str, int]] = []

    class Fake(torch_runtime.CudaGraphs):  # records the sizes captured and called (no GPU here)
        def _capture(self, size):
            seen.append(("capture", size))
            return None

        def __call__(self, x):
            seen.append(("call", int(x.shape[0])))
            return [x * 2.0]

    monkeypatch.setattr(torch_runtime, "CudaGraphs", Fake)
    fast, ok = torch_runtime.graphed(Net(), (4,), "cpu", batch=2)
    assert ok and seen == [("capture", 2), ("call", 2)]  # one shape: no batch of 3 or 4 to plan for
    seen.clear()
    torch_runtime.graphed(Net(), (4,), "cpu", batch=5)
    assert seen == [("capture", 8), ("call", 8)]  # padded up to the next graph size


def test_pose_backend_for_a_cuda_analysis_is_torch_and_undone_after(monkeypatch):
    from gymscore.features import blazepose_torch, pose

    monkeypatch.setenv(pose.POSE_BACKEND_ENV, "")  # no choice made (restored after, whatever is set inside)
    monkeypatch.setattr(blazepose_torch, "check_available", lambda: None)
    notes: list[str] = []
    with pose.pose_backend_for("cuda", notes) as chosen:
        assert chosen == "torch" and pose.pose_backend() == "torch"
    assert pose.pose_backend() == pose.DEFAULT_POSE_BACKEND and notes == []
    for device_type in ("cpu", "mps", "given"):  # ("given": the caller passed its own estimator)
        with pose.pose_backend_for(device_type, notes) as chosen:
            assert chosen == pose.DEFAULT_POSE_BACKEND
    monkeypatch.setenv(pose.POSE_BACKEND_ENV, "litert")  # a choice made stays, also on a GPU
    with pose.pose_backend_for("cuda", notes) as chosen:
        assert chosen == "litert"
    assert pose.pose_backend() == "litert"
    monkeypatch.delenv(pose.POSE_BACKEND_ENV)

    def missing():
        raise pose.PoseBackendError("tflite is not installed")

    monkeypatch.setattr(blazepose_torch, "check_available", missing)
    with pose.pose_backend_for("cuda", notes) as chosen:
        assert chosen == pose.DEFAULT_POSE_BACKEND
    assert notes == [f"the pose stays on the CPU ({pose.DEFAULT_POSE_BACKEND}): tflite is not installed"]


def test_same_padding_puts_the_odd_pixel_after():
    assert tflite_torch._same_pad(64, 3, 2, 1) == (0, 1)
    assert tflite_torch._same_pad(65, 3, 2, 1) == (1, 1)
    assert tflite_torch._same_pad(64, 3, 1, 1) == (1, 1)
    assert tflite_torch._same_pad(64, 1, 1, 1) == (0, 0)


class EchoNets:
    """Stands in for TorchNets: each row's output is its input times 2 and its sum; counts batches;
    a batch takes ``seconds``."""

    def __init__(self, fail: bool = False, seconds: float = 0.0) -> None:
        self.sizes: list[int] = []
        self.rows: list[int | None] = []
        self.fail, self.seconds = fail, seconds
        self.device = "cpu"

    def run(self, kind, batch, rows=None):
        import time

        self.sizes.append(len(batch))
        self.rows.append(rows)
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the network broke")
        return [batch[:rows] * 2, batch.reshape(len(batch), -1).sum(axis=1)[:rows]]


def test_the_server_batches_concurrent_calls_and_hands_each_its_own_rows():
    nets = EchoNets(seconds=0.005)  # calls that arrive meanwhile queue up for the next batch
    server = BatchServer(nets)
    clients, calls = 6, 20
    got: dict[int, list] = {}
    barrier = threading.Barrier(clients)

    def client(k: int) -> None:
        barrier.wait()
        out = []
        for i in range(calls):
            x = np.full((2, 2), 100 * k + i, np.float32)
            doubled, total = server.run("det", x)
            out.append((float(doubled[0, 0]), float(total)))
        got[k] = out

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(clients):
        assert got[k] == [(2.0 * (100 * k + i), 4.0 * (100 * k + i)) for i in range(calls)]
    assert sum(nets.sizes) == clients * calls and server.items == clients * calls
    assert max(nets.sizes) > 1  # calls were run together
    assert not server.busy and not server.pending


def test_batches_are_padded_to_a_fixed_size_so_grouping_cannot_change_a_row():
    nets = EchoNets()
    server = BatchServer(nets, pad_to=4)
    doubled, total = server.run("lm", np.full((2, 2), 3, np.float32))
    assert nets.sizes == [4] and doubled[0, 0] == 6 and total == 12
    assert nets.rows == [1]  # only the real row's outputs are asked back


def test_padding_rows_outputs_stay_on_the_device(nets, frames):
    crops = np.stack([f[:256, 100:356] for f in frames[:3]])
    full = nets.run("lm", crops)
    cut = nets.run("lm", crops, rows=1)
    assert [o.shape[0] for o in cut] == [1, 1, 1]
    for a, b in zip(full, cut, strict=True):
        np.testing.assert_array_equal(a[:1], b)
    raw, logits = nets.run("det", np.zeros((2, 224, 224, 3), np.uint8), rows=1)
    assert raw.shape == (1, 2254, 12) and logits.shape == (1, 2254)


def test_calls_from_one_thread_each_run_alone():
    nets = EchoNets()
    server = BatchServer(nets)
    for i in range(5):
        doubled, _ = server.run("det", np.full((2, 2), i, np.float32))
        assert doubled[0, 0] == 2 * i
    assert nets.sizes == [1] * 5 and not server.busy


def test_a_failed_batch_raises_in_every_caller():
    server = BatchServer(EchoNets(fail=True))
    with pytest.raises(RuntimeError, match="the network broke"):
        server.run("lm", np.zeros((2, 2), np.float32))


def test_out_of_gpu_memory_moves_the_networks_to_the_cpu_and_says_so(nets, monkeypatch):
    moved = []
    calls = {"n": 0}
    real_forward = nets._forward

    def forward(kind, batch, rows=None):
        calls["n"] += 1
        if calls["n"] == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return real_forward(kind, batch, rows)

    monkeypatch.setattr(nets, "_forward", forward)
    monkeypatch.setattr(nets, "device", torch.device("cuda"))

    def move(device, fast):
        moved.append((device, fast))
        nets.device = device

    monkeypatch.setattr(nets, "_move", move)
    with pytest.warns(RuntimeWarning, match="ran out of memory.*CPU"):
        raw, logits = nets.run("det", np.zeros((2, 224, 224, 3), np.uint8))
    assert moved == [(torch.device("cpu"), False)] and raw.shape == (2, 2254, 12)


def test_threaded_ranges_match_the_same_ranges_run_one_after_another(tmp_path):
    from gymscore.features.extract import ExtractConfig
    from gymscore.features.threaded import run_tasks_threaded
    from gymscore.features.workers import RangeTask, _track_or_empty
    from gymscore.video import VideoReader

    config = ExtractConfig(pose_fps=12.5)
    tasks = [RangeTask(i, str(DEMO), TorchBlazePose, config, a, b, max(0, a - 10))
             for i, (a, b) in enumerate([(0, 60), (60, 120), (120, 180)])]
    seen: list[float] = []
    results, ready = run_tasks_threaded(DEMO, tasks, 180, progress=lambda d, t, m="": seen.append(d))
    assert sorted(results) == [0, 1, 2] and len(ready) == 3
    assert results[0][2]["estimator"].startswith("torch-blazepose-full/")
    assert results[0][2]["batched_items"] >= sum(int(r[0].processed.sum()) for r in results.values())
    for task in tasks:
        with VideoReader(DEMO) as reader:
            alone = _track_or_empty(reader, TorchBlazePose(), task, None)
        got = results[task.index][0]
        assert (got.start, got.end) == (alone.start, alone.end)
        np.testing.assert_array_equal(got.processed, alone.processed)
        np.testing.assert_array_equal(got.detected, alone.detected)
        np.testing.assert_array_equal(got.joints, alone.joints)  # (on the CPU: one call at a time)
    assert seen and seen[-1] <= 180


def test_a_cancel_stops_the_threads(tmp_path):
    from gymscore.features.extract import ExtractConfig
    from gymscore.features.threaded import run_tasks_threaded
    from gymscore.features.workers import RangeTask
    from gymscore.util.progress import Cancelled, CancelToken

    token = CancelToken()
    tasks = [RangeTask(i, str(DEMO), TorchBlazePose, ExtractConfig(), a, b, a)
             for i, (a, b) in enumerate([(0, 150), (150, 300)])]

    def progress(done, total, message=""):
        if done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        run_tasks_threaded(DEMO, tasks, 300, progress=progress, cancel=token)


def test_a_cuda_device_keeps_the_pose_on_the_cpu_when_litert_is_chosen(monkeypatch):
    """With a CUDA device the torch backend is the default (tests/test_pipeline.py); a backend the user
    chose stays, through the whole analysis and after it."""
    from gymscore import pipeline
    from gymscore.features.pose import POSE_BACKEND_ENV, pose_backend
    from tests.test_pipeline_fakes import FakeClassifier, FakeSegmenter

    monkeypatch.setenv(POSE_BACKEND_ENV, "")  # (no choice made; whatever the analysis sets is undone after)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    res = pipeline.analyze_video(DEMO, device="cuda", segmenter=FakeSegmenter(), classifier=FakeClassifier(),
                                 full_rate_elements=False, use_cache=False, pose_backend="litert")
    assert res.features.estimator.startswith("litert-blazepose-full/")
    assert pose_backend() == "litert"


def test_torch_backend_by_name(monkeypatch):
    from gymscore.features import parallel
    from gymscore.features.pose import default_estimator, default_estimator_id, set_pose_backend
    from gymscore.features.threaded import is_batched

    monkeypatch.setenv("GYMSCORE_POSE_BACKEND", "litert")
    assert not is_batched(parallel.estimator_spec(None))
    set_pose_backend("torch")
    assert default_estimator_id().startswith("torch-blazepose-full/")
    assert is_batched(parallel.estimator_spec(None))
    assert isinstance(default_estimator(), TorchBlazePose)
    assert parallel.estimator_spec(TorchBlazePose()) is TorchBlazePose


def test_a_chosen_torch_backend_that_cannot_load_is_a_clear_error(monkeypatch):
    from gymscore import pipeline
    from gymscore.features import blazepose_torch
    from gymscore.features.pose import PoseBackendError
    from tests.test_pipeline_fakes import FakeClassifier, FakeSegmenter

    def broken(*args, **kwargs):
        raise PoseBackendError("the torch pose backend reads pose_detection.tflite with the tflite package")

    monkeypatch.setattr(blazepose_torch, "check_available", broken)
    monkeypatch.setenv("GYMSCORE_POSE_BACKEND", "litert")  # (restored after the test)
    with pytest.raises(PoseBackendError, match="tflite package"):
        pipeline.analyze_video(DEMO, segmenter=FakeSegmenter(), classifier=FakeClassifier(),
                               full_rate_elements=False, use_cache=False, pose_backend="torch")


def test_the_full_rate_pass_in_threads_equals_it_run_alone():
    from gymscore.features import parallel
    from gymscore.features.crop_track import crop_track_spans
    from gymscore.features.extract import ExtractConfig
    from gymscore.video import VideoReader

    with VideoReader(DEMO) as reader:
        n, w, h = reader.meta.frame_count, reader.meta.width, reader.meta.height
        boxes = np.tile([w / 2, h / 2, h], (n, 1)).astype(float)
        spans = [(10, 40), (60, 80), (100, 130)]
        alone = crop_track_spans(reader, TorchBlazePose(), spans, boxes)
    threads = parallel.track_spans_parallel(DEMO, TorchBlazePose(), ExtractConfig(workers=2), spans, boxes,
                                            None, workers=2)
    assert [(t.start, t.end) for t in threads] == spans
    for got, ref in zip(threads, alone, strict=True):
        np.testing.assert_array_equal(got.detected, ref.detected)
        np.testing.assert_array_equal(got.joints, ref.joints)
    assert sum(int(t.detected.sum()) for t in alone) > 0


def test_the_estimator_loads_its_networks_at_its_first_call_and_says_what_is_missing(monkeypatch, frames):
    import importlib.util

    from gymscore.features import blazepose_torch
    from gymscore.features.pose import PoseBackendError

    est = TorchBlazePose()
    assert est.server.nets is None  # a cached analysis never pays for loading them
    est.detect(frames[0])
    assert est.server.nets is blazepose_torch.shared_nets()
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tflite" else real(name, *a))
    with pytest.raises(PoseBackendError, match="with tflite, which is not installed; install it with: "
                                               "pip install tflite"):
        TorchBlazePose()


def test_the_server_prepares_the_networks_for_its_one_batch_size(nets):
    from gymscore.features.blazepose_torch import server_for

    class Recorder:
        def __init__(self, device):
            self.device, self.prepared = torch.device(device), []

        def prepare(self, batch):
            self.prepared.append(batch)

    fake = Recorder("cpu")
    BatchServer(fake, max_batch=32, pad_to=16)
    BatchServer(fake, max_batch=8, pad_to=16)  # (a batch is never bigger than max_batch)
    assert fake.prepared == [16, 8]
    gpu = Recorder("cuda")  # (only its device is read)
    on_gpu, on_cpu = server_for(gpu, 3), server_for(fake, 3)
    assert (on_gpu.max_batch, on_gpu.pad_to, gpu.prepared) == (32, 3, [3])
    assert (on_cpu.max_batch, on_cpu.pad_to) == (1, 1)  # the CPU: one call at a time
    nets.prepare(16)  # on the CPU there is nothing to capture: TorchScript stays
    assert nets.mode == {"det": "torchscript", "lm": "torchscript"}


def test_cuda_graphs_are_captured_per_size_when_first_needed_and_a_failed_size_runs_the_module(monkeypatch):
    from gymscore.features import torch_runtime

    class Net(torch.nn.Module):  # like the replayed networks: a tuple of outputs
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(3, 2)

        def forward(self, x):
            return (self.lin(x),)

    net = Net()
    graphs = torch_runtime.CudaGraphs(net, (3,), "cpu")

    def module(x):
        return net(x)[0]
    captured = []

    class Replay:  # stands in for a CUDA graph: replaying runs the module on the static input
        def __init__(self, static, outs):
            self.static, self.outs = static, outs

        def replay(self):
            self.outs[0].copy_(module(self.static))

    def capture(size):
        if size == 16:
            raise RuntimeError("capture not allowed here")
        captured.append(size)
        static = torch.zeros(size, 3)
        outs = [module(static).clone()]
        return Replay(static, outs), static, outs

    monkeypatch.setattr(graphs, "_capture", capture)
    x = torch.rand(3, 3)
    with torch.no_grad():
        assert torch.allclose(graphs(x)[0], module(x))  # padded to 4
        assert graphs.prepare(2) and captured == [4, 2]
        with pytest.warns(RuntimeWarning, match="CUDA graph capture failed for batches of 16"):
            y = torch.rand(10, 3)
            assert torch.allclose(graphs(y)[0], module(y))  # that size runs the module
        assert graphs.graphs[16] is None and not graphs.prepare(12)
        big = torch.rand(40, 3)
        assert torch.allclose(graphs(big)[0], module(big)) and captured == [4, 2]
