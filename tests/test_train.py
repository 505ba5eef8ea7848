"""Trainer: typed configs, overfitting a tiny generated set, exact resume, export, eval CLI."""

from __future__ import annotations

import json

import pytest
import torch

from gymscore.cli.main import main
from gymscore.codebook import default_codebook
from gymscore.data.toy import toy_dataset
from gymscore.train.config import TrainConfig, apply_override, load_config
from gymscore.train.tasks import build_task
from gymscore.train.trainer import Trainer

TINY_CLS = [
    "model.kwargs={channels: [8, 16, 16], dropout: 0.0, head_dropout: 0.0}",
    "data.clip_len=16",
    "data.augment=false",
    "optim.batch_size=4",
    "optim.lr=0.01",
    "optim.warmup_epochs=0",
    "optim.label_smoothing=0",
    "progress=false",
    "early_stop_patience=0",
    "threads=1",
]


@pytest.fixture(scope="module")
def toy():
    routines, ids = toy_dataset(default_codebook(), num_elements=5, routines=5, per_routine=4, seed=0)
    return routines, ids


def _tiny(ids):
    return [*TINY_CLS, "data.label_space=" + ",".join(ids)]


def test_config_overrides_are_typed_and_checked(tmp_path):
    cfg = TrainConfig()
    apply_override(cfg, "optim.epochs=7")
    apply_override(cfg, "data.apparatus=[FX, BB]")
    apply_override(cfg, "model.kwargs={channels: [8, 8]}")
    assert cfg.optim.epochs == 7 and cfg.data.apparatus == ["FX", "BB"]
    assert cfg.model.kwargs == {"channels": [8, 8]}
    with pytest.raises(ValueError, match="expected an integer, got 'many'"):
        apply_override(cfg, "optim.epochs=many")
    with pytest.raises(ValueError, match="unknown key 'epoch'"):
        apply_override(cfg, "optim.epoch=3")
    with pytest.raises(ValueError, match="must look like key=value"):
        apply_override(cfg, "optim.epochs")
    p = tmp_path / "c.yaml"
    p.write_text("task: segmenter\noptim: {lr: 0.1, bogus: 1}\n")
    with pytest.raises(ValueError, match=r"c.yaml: config: unknown key optim.bogus"):
        load_config(p)
    p.write_text("task: segmenter\noptim: {lr: 0.1}\n")
    with pytest.raises(ValueError, match="the config is for task 'segmenter', not 'classifier'"):
        load_config(p, task="classifier")
    assert load_config(p, ["optim.lr=0.5"]).optim.lr == 0.5


def test_classifier_overfits_tiny_generated_set(tmp_path):
    routines, ids = toy_dataset(default_codebook(), num_elements=5, routines=10, per_routine=4, seed=0)
    cfg = load_config(None, [*_tiny(ids), "optim.epochs=10"], task="classifier")
    task = build_task(cfg, train_routines=routines, val_routines=routines)
    summary = Trainer(task, tmp_path / "run").run()
    # evaluated on the training clips themselves (no augmentation): the model must fit them
    assert summary["best_metrics"]["val/element_top1"] >= 0.95
    assert summary["status"] == "finished"
    run = tmp_path / "run"
    for f in ("config.yaml", "log.csv", "last.pt", "best.pt", "run.json", "eval_report.json"):
        assert (run / f).is_file(), f
    rep = json.loads((run / "eval_report.json").read_text())
    assert rep["element"]["top1"] == summary["best_metrics"]["val/element_top1"]
    assert len(rep["element"]["confusion"]["matrix"]) == len(rep["element"]["confusion"]["labels"]) == 5
    assert {r["class"] for r in rep["element"]["per_class"]} == set(ids)
    rows = (run / "log.csv").read_text().splitlines()
    assert rows[0].startswith("epoch,train_loss,lr,seconds,val/element_top1") and len(rows) == 11


def test_resume_after_kill_gives_identical_weights(tmp_path, toy):
    """Tolerance: exact equality on the CPU (per-epoch reseeding + saved optimizer/scheduler/RNG states)."""
    routines, ids = toy
    over = [*_tiny(ids), "optim.epochs=3", "data.augment=true"]
    full = Trainer(
        build_task(
            load_config(None, over, task="classifier"), train_routines=routines, val_routines=routines[:1]
        ),
        tmp_path / "a",
    ).run()
    killed = Trainer(
        build_task(
            load_config(None, [*over, "stop_after_epochs=1"], task="classifier"),
            train_routines=routines,
            val_routines=routines[:1],
        ),
        tmp_path / "b",
    ).run()
    assert killed["status"] == "interrupted" and killed["epochs"] == 1
    resumed = Trainer(
        build_task(
            load_config(None, over, task="classifier"), train_routines=routines, val_routines=routines[:1]
        ),
        tmp_path / "b",
        resume=True,
    ).run()
    assert resumed["epochs"] == full["epochs"] == 3
    a = torch.load(tmp_path / "a" / "last.pt", weights_only=False)["model"]
    b = torch.load(tmp_path / "b" / "last.pt", weights_only=False)["model"]
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert len((tmp_path / "b" / "log.csv").read_text().splitlines()) == 4


def test_segmenter_trains_and_export_installs_a_loadable_model(tmp_path, toy, capsys):
    routines, _ = toy
    over = [
        "model.kwargs={num_stages: 2, num_layers: 5, channels: 16}",
        "optim.epochs=2",
        "optim.batch_size=2",
        "data.augment=false",
        "progress=false",
        "threads=1",
    ]
    cfg = load_config(None, over, task="segmenter")
    summary = Trainer(
        build_task(cfg, train_routines=routines, val_routines=routines[:2]), tmp_path / "seg"
    ).run()
    assert set(summary["best_metrics"]) >= {"val/f1@10", "val/f1@25", "val/f1@50", "val/edit", "val/mAP"}
    assert main(["train", "export", str(tmp_path / "seg"), "--name", "my-seg", "--select"]) == 0
    assert "installed segmenter model 'my-seg'" in capsys.readouterr().out
    from gymscore.models.inference import load_segmenter

    runner = load_segmenter("cpu")  # the selected model
    assert runner.manifest.name == "my-seg"
    assert runner.manifest.metrics["validation"]["val/f1@50"] == summary["best_metrics"]["val/f1@50"]
    r = routines[0]
    segs = runner.segment(r.joints2d, r.visibility, r.frame_size, r.fps)
    assert all(0 <= s < e <= len(r.joints2d) for s, e, _, _ in segs)


def test_cancelled_run_stops_cleanly(tmp_path, toy):
    from gymscore.util.progress import CancelToken

    routines, ids = toy
    token = CancelToken()
    token.cancel()
    cfg = load_config(None, [*_tiny(ids), "optim.epochs=2"], task="classifier")
    summary = Trainer(
        build_task(cfg, train_routines=routines, val_routines=routines[:1]), tmp_path / "c", cancel=token
    ).run()
    assert summary["status"] == "cancelled" and summary["epochs"] == 0
    assert not (tmp_path / "c" / "run.json").exists()  # nothing trained, nothing to export


def test_train_cli_rejects_bad_config(tmp_path, capsys):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("optim: {epochs: ten}\n")
    assert main(["train", "classifier", "--config", str(cfg)]) == 2
    assert "config optim.epochs: expected an integer, got 'ten'" in capsys.readouterr().err


def test_eval_cli_on_timeline_folders(tmp_path, capsys):
    from gymscore.timeline import Segment, Timeline, VideoInfo, save_timeline

    cb = default_codebook()
    ids = [e for e in cb.gym99_ids() if cb.get(e).apparatus == "FX"][:3]
    sets = [cb.get(e).set_id for e in ids]
    video = VideoInfo(path="r.mp4", fps=25, frame_count=100, width=640, height=360)
    truth = Timeline(
        video=video,
        apparatus="FX",
        segments=[
            Segment(0, 10, sets[0], ids[0]),
            Segment(20, 30, sets[1], ids[1]),
            Segment(40, 50, sets[2], ids[2]),
        ],
    )
    pred = Timeline(
        video=video,
        apparatus="FX",
        segments=[
            Segment(0, 9, sets[0], ids[0], confidence=0.9, source="model"),
            Segment(21, 30, sets[1], ids[0], confidence=0.8, source="model"),
        ],
    )
    (tmp_path / "p").mkdir()
    (tmp_path / "t").mkdir()
    save_timeline(pred, tmp_path / "p" / "r1.json")
    save_timeline(truth, tmp_path / "t" / "r1.json")
    save_timeline(truth, tmp_path / "t" / "r2.json")
    assert main(["eval", str(tmp_path / "p"), str(tmp_path / "t"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["routines"] == 1 and res["missing_predictions"] == ["r2.json"]
    assert res["f1@50"] == pytest.approx(2 * 1 * (2 / 3) / (1 + 2 / 3))
    assert res["matched_segments"] == 2 and res["element_top1"] == 0.5
    assert res["edit"] == pytest.approx(100 * (1 - 1 / 3))
    assert "d_score_mae" in res
    assert res["element_top1_gym99"] == 0.5 and res["gym99_matched_segments"] == 2
    assert res["apparatus_accuracy"] == 1.0


def test_rgb_tsm_classifier_trains_and_evaluates(tmp_path):
    import numpy as np

    cb = default_codebook()
    ids = [e for e in cb.gym99_ids() if cb.get(e).apparatus == "BB"][:3]
    rng = np.random.default_rng(0)
    clips = []
    for k in range(12):
        c = k % 3
        frames = rng.integers(0, 40, (10, 24, 24, 3)).astype(np.uint8)
        frames[..., c] += 180  # the class is the dominant colour channel
        clips.append((frames, ids[c], cb.get(ids[c]).set_id, 1.0))
    over = [
        "model.name=tsm_small",
        "model.kwargs={channels: [8, 16]}",
        "data.clip_len=4",
        "data.frame_size=24",
        "optim.epochs=6",
        "optim.batch_size=4",
        "optim.lr=0.01",
        "progress=false",
        "early_stop_patience=0",
        "data.label_space=" + ",".join(ids),
        "threads=1",
    ]
    cfg = load_config(None, over, task="classifier")
    task = build_task(cfg, rgb_clips=(clips, clips))
    summary = Trainer(task, tmp_path / "rgb").run()
    assert summary["status"] == "finished"
    assert summary["best_metrics"]["val/element_top1"] >= 0.9
    info = json.loads((tmp_path / "rgb" / "run.json").read_text())
    assert info["manifest"]["input"]["modality"] == "rgb" and info["manifest"]["input"]["clip_len"] == 4


def test_an_installed_model_unpacks_into_a_run_that_exports_the_same_weights(tmp_path):
    from gymscore.models.manifest import find_model, load_manifest
    from gymscore.train.export import export_run, read_run, run_from_model
    from gymscore.train.heldout import _as_run

    shipped = find_model("segmenter", "gymsynth-mstcn-segmenter")
    run = run_from_model(shipped.name, "segmenter", tmp_path / "seg")
    info = read_run(run)
    assert info["manifest"]["input"] == shipped.input
    assert info["best_metrics"] == shipped.metrics["validation"]
    export_run(run, "again", dest=tmp_path / "models", metrics={})
    (again,) = load_manifest(tmp_path / "models")
    assert again.sha256 == shipped.sha256 and again.model_kwargs == shipped.model_kwargs
    assert again.training_data["run"] == "seg"
    # heldout's --segmenter takes a run folder as it is, or a model name (unpacked, named after its run)
    assert _as_run(run, "segmenter", tmp_path) == run
    named = _as_run(shipped.name, "segmenter", tmp_path / "t")
    assert named.name == shipped.training_data["run"] and (named / "best.pt").is_file()
    from gymscore.models.manifest import ManifestError

    with pytest.raises(ManifestError, match="no segmenter model called '.*nope' is installed"):
        _as_run(tmp_path / "nope", "segmenter", tmp_path)


def test_the_manifest_records_validation_folders_and_the_starting_checkpoint():
    from gymscore.train.tasks import _describe

    cfg = load_config(None, ["data.train_dirs=[a]", "data.val_dirs=[b]", "model.pretrained=x.pt",
                             "model.pretrained_heads=true"])
    info = _describe(cfg)
    assert info["train_dirs"] == ["a"] and info["val_dirs"] == ["b"]
    assert info["pretrained"] == "x.pt (heads included)"
    assert "pretrained" not in _describe(load_config(None, []))
