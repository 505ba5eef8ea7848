"""CUDA paths (skipped without a CUDA GPU): the shipped models under float16 autocast agree with the
CPU, a real GPU out-of-memory error falls back to the CPU with a warning, and training with AMP on the
GPU fits a tiny generated set."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")


@pytest.fixture(scope="module")
def routine():
    from gymscore.synth import generate_routine

    return generate_routine("FX", 95_123, size=(1280, 720), camera="broadcast", skeleton_only=True)


def test_shipped_models_on_cuda_agree_with_the_cpu(routine):
    from gymscore.models.inference import load_classifier, load_segmenter
    from gymscore.pipeline import recognise_pose

    j, v = routine.joints2d.astype(np.float32), routine.visibility.astype(np.float32)
    runs = {}
    for dev in ("cpu", "cuda"):
        seg, cls = load_segmenter(dev), load_classifier(dev)
        assert seg.device.type == cls.device.type == dev
        clips = [(j[s.start_frame : s.end_frame], v[s.start_frame : s.end_frame])
                 for s in routine.timeline.segments]
        probs = np.array([[p["element_probs"][e] for e in cls.element_ids] for p in cls.predict(clips)])
        tl = recognise_pose(j, v, 25.0, (1280, 720), seg, cls)
        runs[dev] = probs, [(s.start_frame, s.end_frame, s.element_id) for s in tl.segments]
    (p_cpu, tl_cpu), (p_gpu, tl_gpu) = runs["cpu"], runs["cuda"]
    assert np.abs(p_cpu - p_gpu).max() < 0.02  # float16 autocast vs float32
    assert (p_cpu.argmax(1) == p_gpu.argmax(1)).all()
    assert tl_gpu == tl_cpu and len(tl_cpu) >= 5


def test_real_gpu_out_of_memory_falls_back_to_the_cpu():
    from gymscore.models.inference import load_classifier

    cls = load_classifier("cuda")
    calls = []

    def fwd(dev: torch.device) -> torch.Tensor:
        calls.append(dev.type)
        if dev.type == "cuda":  # 1 PiB: cudaMalloc refuses it at once, a genuine CUDA OOM error
            torch.empty(1 << 50, dtype=torch.uint8, device=dev)
        return torch.ones(2)

    with pytest.warns(RuntimeWarning, match="ran out of memory; continuing on the CPU"):
        out = cls._run(fwd)
    assert calls == ["cuda", "cpu"] and out.tolist() == [1.0, 1.0]
    assert cls.device.type == "cpu" and next(cls.model.parameters()).device.type == "cpu"


def test_training_with_amp_on_cuda_fits_a_tiny_set(tmp_path):
    from gymscore.codebook import default_codebook
    from gymscore.data.toy import toy_dataset
    from gymscore.train.config import load_config
    from gymscore.train.tasks import build_task
    from gymscore.train.trainer import Trainer

    routines, ids = toy_dataset(default_codebook(), num_elements=5, routines=10, per_routine=4, seed=0)
    over = ["model.kwargs={channels: [8, 16, 16], dropout: 0.0, head_dropout: 0.0}", "data.clip_len=16",
            "data.augment=false", "optim.batch_size=4", "optim.lr=0.01", "optim.warmup_epochs=0",
            "optim.label_smoothing=0", "progress=false", "early_stop_patience=0", "optim.epochs=10",
            "device=cuda", "amp=true", "data.label_space=" + ",".join(ids)]
    task = build_task(load_config(None, over, task="classifier"), train_routines=routines,
                      val_routines=routines)
    summary = Trainer(task, tmp_path / "run").run()
    assert summary["status"] == "finished"
    assert summary["best_metrics"]["val/element_top1"] >= 0.95
    state = torch.load(tmp_path / "run" / "best.pt", map_location="cpu", weights_only=False)["model"]
    assert all(t.device.type == "cpu" and torch.isfinite(t.float()).all() for t in state.values())


def test_pose_networks_on_cuda_agree_with_litert_in_a_batch():
    pytest.importorskip("tflite", reason="the torch pose backend reads model files with the tflite package")
    from gymscore.features.blazepose import LiteRunner
    from gymscore.features.blazepose_torch import TorchNets

    gpu, lite = TorchNets("cuda"), LiteRunner()
    print("pose networks on CUDA run as", gpu.mode)
    rng = np.random.default_rng(5)
    crops = rng.integers(0, 256, (8, 256, 256, 3), dtype=np.uint8)
    canvases = rng.integers(0, 256, (8, 224, 224, 3), dtype=np.uint8)
    points, presence, heat = gpu.run("lm", crops)
    raw, logits = gpu.run("det", canvases)
    worst = {"points": 0.0, "heat": 0.0, "raw": 0.0, "logits": 0.0}
    for k in range(8):
        p, pts, h = lite.landmark_outputs(crops[k])
        r, lg = lite.detector_outputs(canvases[k])
        assert presence[k] == pytest.approx(p, abs=1e-3)
        worst["points"] = max(worst["points"], float(np.abs(points[k] - pts).max()))
        worst["heat"] = max(worst["heat"], float(np.abs(heat[k] - h).max()))
        worst["raw"] = max(worst["raw"], float(np.abs(raw[k] - r).max()))
        worst["logits"] = max(worst["logits"], float(np.abs(logits[k] - lg).max()))
    print("largest differences from LiteRT on CUDA:", worst)
    assert worst["points"] < 0.5 and worst["raw"] < 0.5  # pixels of the 256 / 224 inputs
    assert worst["heat"] < 0.2 and worst["logits"] < 0.2


def test_pose_networks_as_cuda_graphs_equal_the_plain_modules_at_every_batch_size():
    pytest.importorskip("tflite", reason="the torch pose backend reads model files with the tflite package")
    from gymscore.features.blazepose_torch import TorchNets

    fast, plain = TorchNets("cuda"), TorchNets("cuda", fast=False)
    assert fast.mode == {"det": "cuda graphs", "lm": "cuda graphs"}
    rng = np.random.default_rng(6)
    for n in (1, 3, 16, 40):  # padded up to a captured size; 40 is past the largest: the module runs
        crops = rng.integers(0, 256, (n, 256, 256, 3), dtype=np.uint8)
        for a, b in zip(fast.run("lm", crops), plain.run("lm", crops), strict=True):
            assert a.shape == b.shape and np.abs(a - b).max() < 1e-3


def test_threaded_pose_on_cuda_is_repeatable():
    """Batches padded to one size: two runs group the calls differently but give the same poses."""
    pytest.importorskip("tflite", reason="the torch pose backend reads model files with the tflite package")
    from pathlib import Path

    from gymscore.features.blazepose_torch import TorchBlazePose
    from gymscore.features.extract import ExtractConfig
    from gymscore.features.threaded import run_tasks_threaded
    from gymscore.features.workers import RangeTask

    demo = Path(__file__).resolve().parents[1] / "resources" / "demo" / "fx_demo" / "video.mp4"
    tasks = [RangeTask(i, str(demo), TorchBlazePose, ExtractConfig(), a, b, max(0, a - 12))
             for i, (a, b) in enumerate([(0, 120), (120, 240), (240, 360)])]
    runs = [run_tasks_threaded(demo, tasks, 360)[0] for _ in range(2)]
    for i in range(3):
        np.testing.assert_array_equal(runs[0][i][0].joints, runs[1][i][0].joints)
        np.testing.assert_array_equal(runs[0][i][0].detected, runs[1][i][0].detected)
    print("batches", runs[0][0][2]["batches"], "calls", runs[0][0][2]["batched_items"])
