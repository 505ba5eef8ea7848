"""Averaging ensembles: loaded by a name ``a+b``, selected like any model, stored as one weights file."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gymscore.codebook import default_codebook
from gymscore.features.posefeat import FEATURE_DIM
from gymscore.models import create_model
from gymscore.models.ensemble import ensemble_state, member_state
from gymscore.models.inference import load_classifier, load_segmenter
from gymscore.models.labels import build_label_space, segmenter_labels
from gymscore.models.manifest import ManifestError, find_model, select_model
from tests.test_models import _install

CLS_KW = {"architecture": "stgcn_small", "model_kwargs": {"channels": [8, 8, 16, 16]},
          "input": {"modality": "skeleton", "fps": 25, "clip_len": 16}}
SEG_KW = {"architecture": "mstcn_small",
          "model_kwargs": {"num_classes": 16, "in_features": FEATURE_DIM, "num_stages": 2, "channels": 8},
          "input": {"modality": "skeleton", "fps": 25, "feature_dim": FEATURE_DIM},
          "label_space": {"labels": segmenter_labels(), "edition": "wag-2017"}}


@pytest.fixture()
def members():
    """Two tiny classifiers and two tiny segmenters with different weights, installed as c1, c2, s1, s2."""
    space = build_label_space(default_codebook(), "gym99")
    for i in (1, 2):
        torch.manual_seed(i)
        model = create_model("stgcn_small", label_space=space, channels=(8, 8, 16, 16))
        _install("classifier", f"c{i}", model, {**CLS_KW, "label_space": space.to_dict()})
        _install("segmenter", f"s{i}", create_model("mstcn_small", **SEG_KW["model_kwargs"]), SEG_KW)
    return space


def _clips():
    rng = np.random.default_rng(3)
    return [(rng.uniform(0, 500, (n, 17, 2)), np.ones((n, 17))) for n in (9, 30)]


def test_a_classifier_ensemble_gives_the_mean_of_its_members_probabilities(members):
    one, two = load_classifier("cpu", "c1").predict(_clips()), load_classifier("cpu", "c2").predict(_clips())
    both = load_classifier("cpu", "c1+c2")
    assert both.manifest.name == "c1+c2" and both.manifest.architecture == "mean_ensemble"
    out = both.predict(_clips())
    for a, b, m in zip(one, two, out, strict=True):
        for head in ("element_probs", "set_probs", "event_probs"):
            for k in m[head]:
                assert m[head][k] == pytest.approx((a[head][k] + b[head][k]) / 2, abs=1e-5)
        for attr, dist in m["attribute_probs"].items():
            for v, p in dist.items():
                assert p == pytest.approx((a["attribute_probs"][attr][v] + b["attribute_probs"][attr][v]) / 2,
                                          abs=1e-5)
    assert one[0]["element_probs"] != two[0]["element_probs"]  # the members do differ


def test_a_segmenter_ensemble_averages_probabilities_and_boundaries(members):
    x = np.random.default_rng(0).normal(size=(50, FEATURE_DIM)).astype(np.float32)
    p1, b1 = load_segmenter("cpu", "s1").predict_full(x)
    p2, b2 = load_segmenter("cpu", "s2").predict_full(x)
    p, b = load_segmenter("cpu", "s1+s2").predict_full(x)
    assert np.allclose(p, (p1 + p2) / 2, atol=1e-5) and np.allclose(b, (b1 + b2) / 2, atol=1e-5)
    assert not np.allclose(p1, p2, atol=1e-3)


def test_an_ensemble_is_selected_like_a_model_and_checks_its_members(members):
    select_model("classifier", "c1+c2")
    assert load_classifier("cpu").manifest.name == "c1+c2"
    with pytest.raises(ManifestError, match="no installed classifier model is called 'c9'"):
        select_model("classifier", "c1+c9")
    with pytest.raises(ManifestError, match="no classifier model called 'c9'"):
        load_classifier("cpu", "c2+c9")
    other = dict(CLS_KW, input={**CLS_KW["input"], "clip_len": 32})
    _install("classifier", "c3", create_model("stgcn_small", label_space=members, channels=(8, 8, 16, 16)),
             {**other, "label_space": members.to_dict()})
    with pytest.raises(ManifestError, match="'c1' and 'c3' cannot be averaged: their input differs"):
        load_classifier("cpu", "c1+c3")
    assert find_model("classifier", "c3").name == "c3"


def test_an_ensemble_state_holds_its_members_and_gives_them_back(members):
    states = [load_segmenter("cpu", f"s{i}").model.state_dict() for i in (1, 2)]
    state = ensemble_state(states)
    spec = {"architecture": "mstcn_small", "model_kwargs": SEG_KW["model_kwargs"]}
    model = create_model("mean_ensemble", members=[spec, spec], task="segmenter")
    model.load_state_dict(state)
    for i in (0, 1):
        back = member_state(state, i)
        assert set(back) == set(states[i]) and all(torch.equal(back[k], states[i][k]) for k in back)
    with pytest.raises(KeyError, match="no member 2"):
        member_state(state, 2)
    with pytest.raises(TypeError, match="fine-tune one of its members"):
        model.reset_head(16)
    with pytest.raises(ValueError, match="at least two members"):
        create_model("mean_ensemble", members=[spec], task="segmenter")


def test_models_list_marks_the_members_of_a_selected_ensemble(members, capsys):
    import json

    from gymscore.cli.main import main

    select_model("segmenter", "s1+s2")
    assert main(["models", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["s1"]["in_selected_ensemble"] and rows["s2"]["in_selected_ensemble"]
    assert not rows["c1"]["in_selected_ensemble"] and not rows["s1"]["selected"]
    assert main(["models", "list"]) == 0
    assert "s2 [averaged in the selected s1+s2]" in capsys.readouterr().out


def test_train_ensemble_installs_one_weights_file_that_loads_as_the_average(members, tmp_path, capsys):
    from gymscore.cli.main import main
    from gymscore.models.manifest import load_manifest, sha256_file

    x = np.random.default_rng(1).normal(size=(30, FEATURE_DIM)).astype(np.float32)
    expect = load_segmenter("cpu", "s1+s2").predict_full(x)
    assert main(["train", "ensemble", "segmenter", "s1", "s2", "--name", "s12", "--select"]) == 0
    assert "installed segmenter model 's12', the average of s1, s2" in capsys.readouterr().out
    m = find_model("segmenter", "s12")
    assert m.architecture == "mean_ensemble" and m.sha256 == sha256_file(m.weights_path)
    assert [d["name"] for d in m.training_data["members"]] == ["s1", "s2"]
    assert m.training_data["run"] == "s1+s2"
    got = load_segmenter("cpu").predict_full(x)  # selected
    assert np.allclose(got[0], expect[0], atol=1e-6) and np.allclose(got[1], expect[1], atol=1e-6)
    # as a folder's default it takes the mark from the other models of its task
    dest = tmp_path / "shipped"
    assert main(["train", "ensemble", "segmenter", "s2", "s1", "--name", "d", "--dest", str(dest),
                 "--default"]) == 0
    assert {m.name: m.default for m in load_manifest(dest)} == {"d": True}
    from gymscore.train.export import export_ensemble

    export_ensemble("segmenter", ["s1", "s2"], "e", dest=dest, default=True)
    assert {m.name: m.default for m in load_manifest(dest)} == {"d": False, "e": True}
    assert main(["train", "ensemble", "classifier", "c1", "s1", "--name", "x"]) == 2
    assert "no classifier model called 's1'" in capsys.readouterr().err
