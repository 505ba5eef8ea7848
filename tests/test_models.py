"""Registry, model interface, manifests, inference runners and segment decoding."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

from gymscore.codebook import default_codebook
from gymscore.features.posefeat import FEATURE_DIM
from gymscore.models import create_model, list_models
from gymscore.models.inference import (
    ClassifierRunner,
    decode_segments,
    load_classifier,
    load_segmenter,
    pick_device,
)
from gymscore.models.labels import build_label_space, segmenter_labels
from gymscore.models.manifest import (
    ManifestError,
    ModelManifest,
    find_model,
    load_manifest,
    select_model,
    sha256_file,
    upsert_manifest,
)
from gymscore.paths import shipped_models_dir, user_models_dir


@pytest.fixture(scope="module")
def label_space():
    return build_label_space(default_codebook(), "gym99")


def test_registry_lists_every_family():
    names = list_models()
    for n in ("mstcn_small", "stgcn_small", "stgcn_temporal", "tsm_small", "tsn_small", "mean_ensemble"):
        assert n in names
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        create_model("nope")


def test_label_space_from_codebook(label_space):
    cb = default_codebook()
    assert label_space.num_elements == 99
    assert label_space.element_ids == cb.gym99_ids()
    e = cb.get(label_space.element_ids[0])
    assert label_space.element_sets[0] == e.set_id
    kinds = label_space.attributes["kind"]
    assert kinds[label_space.element_attributes["kind"][0]] == e.attributes.kind
    assert "0" in label_space.attributes["salto_count"]
    assert type(label_space).from_dict(label_space.to_dict()) == label_space


@pytest.mark.parametrize(
    "name,shape",
    [
        ("stgcn_small", (2, 5, 16, 17)),
        ("stgcn_base", (2, 5, 16, 17)),
        ("stgcn_temporal", (2, 8, 16, 17)),
        ("tsm_small", (2, 4, 3, 32, 32)),
        ("tsn_small", (2, 4, 3, 32, 32)),
    ],
)
def test_classifiers_share_one_interface(label_space, name, shape):
    m = create_model(name, label_space=label_space)
    x = torch.randn(*shape)
    feats = m.forward_features(x)
    assert feats.shape == (2, m.feature_dim)
    out = m.forward_head(feats)
    assert out["element"].shape == (2, 99) and out["set"].shape == (2, 15) and out["event"].shape == (2, 4)
    assert out["attr:kind"].shape == (2, len(label_space.attributes["kind"]))
    small = build_label_space(default_codebook(), label_space.element_ids[:5])
    m.reset_head(small)
    assert m(x)["element"].shape == (2, 5)


def test_segmenter_interface():
    m = create_model("mstcn_small", num_classes=16, in_features=FEATURE_DIM)
    outs = m(torch.randn(1, FEATURE_DIM, 50))
    assert len(outs) == 3 and outs[-1].shape == (1, 17, 50)  # 16 classes + boundary
    m.reset_head(4)
    assert m.forward_head(m.forward_features(torch.randn(1, FEATURE_DIM, 20)))[-1].shape == (1, 5, 20)


def test_decode_segments_merges_short_runs_and_splits_at_boundaries():
    labels = segmenter_labels()
    idx = labels.index(21)
    lab = np.array([0] * 10 + [idx] * 20 + [0] * 2 + [idx] * 3 + [0] * 10)
    probs = np.full((len(lab), len(labels)), 0.01)
    probs[np.arange(len(lab)), lab] = 0.9
    # the 2-frame background gap is shorter than min_len and is absorbed by the set run
    assert [s[:3] for s in decode_segments(probs, labels, min_len=5)] == [(10, 35, 21)]
    bnd = np.zeros(len(lab))
    bnd[20] = 0.9
    segs = decode_segments(probs, labels, min_len=5, boundary=bnd)
    assert [s[:3] for s in segs] == [(10, 20, 21), (20, 35, 21)]
    assert 0 < segs[0][3] <= 1


def test_pick_device_cpu_and_errors():
    assert pick_device("cpu").type == "cpu"
    assert pick_device("auto").type in ("cpu", "cuda", "mps")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            pick_device("cuda")


def _install(task, name, model, manifest_kw, default=False):
    folder = user_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), folder / f"{name}.pt")
    m = ModelManifest(
        name=name,
        task=task,
        weights=f"{name}.pt",
        sha256=sha256_file(folder / f"{name}.pt"),
        default=default,
        folder=str(folder),
        **manifest_kw,
    )
    upsert_manifest(folder, m)
    return m


def _install_tiny_models(label_space):
    cls = create_model("stgcn_small", label_space=label_space, channels=(8, 8, 16, 16))
    _install(
        "classifier",
        "tiny-cls",
        cls,
        {
            "architecture": "stgcn_small",
            "model_kwargs": {"channels": [8, 8, 16, 16]},
            "input": {"modality": "skeleton", "fps": 25, "clip_len": 16},
            "label_space": label_space.to_dict(),
        },
    )
    seg = create_model("mstcn_small", num_classes=16, in_features=FEATURE_DIM, num_stages=2, channels=8)
    _install(
        "segmenter",
        "tiny-seg",
        seg,
        {
            "architecture": "mstcn_small",
            "model_kwargs": {"num_classes": 16, "in_features": FEATURE_DIM, "num_stages": 2, "channels": 8},
            "input": {"modality": "skeleton", "fps": 25, "feature_dim": FEATURE_DIM},
            "label_space": {"labels": segmenter_labels(), "edition": "wag-2017"},
        },
    )


def test_manifest_roundtrip_lookup_and_sha_check(label_space):
    _install_tiny_models(label_space)
    entries = load_manifest(user_models_dir())
    assert {m.name for m in entries} == {"tiny-cls", "tiny-seg"}
    shipped = load_manifest(shipped_models_dir())
    # an installed model is used only once selected; until then the shipped default (if any) wins
    assert find_model("classifier").name == ("gymsynth-stgcn-classifier" if shipped else "tiny-cls")
    with pytest.raises(ManifestError, match="no segmenter model called 'x'"):
        find_model("segmenter", "x")
    select_model("classifier", "tiny-cls")
    assert find_model("classifier").name == "tiny-cls"
    assert json.loads((user_models_dir() / "selected.json").read_text()) == {"classifier": "tiny-cls"}
    (user_models_dir() / "tiny-cls.pt").write_bytes(b"garbage")
    with pytest.raises(ManifestError, match="does not match the manifest's sha256"):
        load_classifier("cpu", "tiny-cls")


def test_runners_predict_contract(label_space):
    _install_tiny_models(label_space)
    seg = load_segmenter("cpu", "tiny-seg")
    assert seg.label_space[0] == "background" and seg.label_space[1:] == [
        1,
        21,
        22,
        23,
        24,
        25,
        31,
        32,
        33,
        34,
        35,
        41,
        42,
        43,
        44,
    ]
    probs = seg.predict(np.random.default_rng(0).normal(size=(60, FEATURE_DIM)).astype(np.float32))
    assert probs.shape == (60, 16) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    for s, e, sid, conf in seg.decode(probs, min_len=3):
        assert 0 <= s < e <= 60 and sid in seg.label_space and 0 <= conf <= 1
    with pytest.raises(ValueError, match="expects features"):
        seg.predict(np.zeros((10, 3)))
    cls = load_classifier("cpu", "tiny-cls")
    rng = np.random.default_rng(1)
    clips = [(rng.uniform(0, 500, (n, 17, 2)), np.ones((n, 17))) for n in (7, 40)]
    out = cls.predict(clips)
    assert len(out) == 2
    r = out[0]
    assert set(r) == {"element_probs", "set_probs", "event_probs", "attribute_probs"}
    assert list(r["element_probs"]) == label_space.element_ids
    assert sum(r["element_probs"].values()) == pytest.approx(1, abs=1e-4)
    assert set(r["event_probs"]) == {"VT", "FX", "BB", "UB"}
    assert set(r["attribute_probs"]["kind"]) == set(label_space.attributes["kind"])


def test_runner_falls_back_to_cpu_on_cuda_oom(label_space):
    _install_tiny_models(label_space)
    cls = load_classifier("cpu", "tiny-cls")
    calls = []
    real = cls.model.forward

    def flaky(x):
        calls.append(x.device.type)
        if len(calls) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(x)

    cls.model.forward = flaky
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = cls.predict([(np.random.default_rng(0).uniform(0, 99, (20, 17, 2)), np.ones((20, 17)))])
    assert len(out) == 1 and len(calls) == 2
    assert any("ran out of memory; continuing on the CPU" in str(x.message) for x in w)
    assert isinstance(cls, ClassifierRunner) and cls.device.type == "cpu"


def test_shipped_models_have_complete_manifests():
    entries = load_manifest(shipped_models_dir())
    if not entries:
        pytest.skip("no shipped models in resources/models")
    by_task = {m.task: m for m in entries if m.default}
    assert set(by_task) == {"classifier", "segmenter"}
    for m in entries:
        assert m.weights_path.stat().st_size < 5_000_000
        assert sha256_file(m.weights_path) == m.sha256
        assert m.input["fps"] == 25 and m.input["joint_layout"][0] == "head"
        assert m.licence and m.training_data and "heldout_hard_camera" in m.metrics
    # since cls25all the element head names every element of the codebook, not only the Gym99 classes
    assert by_task["classifier"].label_space["kind"] == "all"
    assert sorted(by_task["classifier"].label_space["element_ids"]) == sorted(default_codebook().elements)
    assert by_task["segmenter"].label_space["labels"][0] == "background"


def test_v2_classifier_averages_a_clip_with_its_mirror(label_space):
    from gymscore.features.posefeat import CLIP_CHANNELS_V2
    from gymscore.models.inference import ClassifierRunner, mirror_pose

    space = label_space.to_dict()

    class _M:  # just what the runner reads of a manifest
        name = "tiny-v2"
        input = {"clip_len": 12, "channels": list(CLIP_CHANNELS_V2)}
        label_space = space

    torch.manual_seed(0)
    model = create_model("stgcn_temporal", label_space=label_space, channels=(4, 8), temporal_channels=8)
    model.eval()
    runner = ClassifierRunner(model, _M(), torch.device("cpu"))
    assert runner.mirror_tta
    rng = np.random.default_rng(3)
    j, v = rng.uniform(0, 500, (30, 17, 2)), np.ones((30, 17))
    a = runner.predict([(j, v)], fps=25)[0]["element_probs"]
    b = runner.predict([mirror_pose(j, v)], fps=25)[0]["element_probs"]
    assert a == pytest.approx(b, abs=1e-5)
    runner.mirror_tta = False
    c = runner.predict([(j, v)], fps=25)[0]["element_probs"]
    assert c != pytest.approx(a, abs=1e-5)


def test_pretrained_loads_the_backbone_and_the_heads_only_when_asked(label_space, tmp_path):
    from gymscore.models.tsm import load_backbone

    torch.manual_seed(0)
    src = create_model("stgcn_temporal", label_space=label_space)
    path = tmp_path / "src.pt"
    torch.save(src.state_dict(), path)
    torch.manual_seed(1)
    fresh = create_model("stgcn_temporal", label_space=label_space)
    loaded = load_backbone(fresh, path)
    assert loaded and not any(k.startswith("head.") for k in loaded)
    assert torch.equal(fresh.state_dict()["data_bn.weight"], src.state_dict()["data_bn.weight"])
    assert not torch.equal(fresh.head.element.weight, src.head.element.weight)
    with_heads = load_backbone(fresh, path, heads=True)
    assert "head.element.weight" in with_heads
    assert torch.equal(fresh.head.element.weight, src.head.element.weight)
    fresh.reset_head(build_label_space(default_codebook(), label_space.element_ids[:5]))
    assert "head.element.weight" not in load_backbone(fresh, path, heads=True)  # other shape: skipped
