"""Carrying a pretrained classifier's head rows into another label space (gymscore.models.warm_start)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from gymscore.codebook import default_codebook  # noqa: E402
from gymscore.models.labels import build_label_space  # noqa: E402
from gymscore.models.registry import create_model  # noqa: E402
from gymscore.models.tsm import load_backbone  # noqa: E402
from gymscore.models.warm_start import checkpoint_label_space, warm_start_heads  # noqa: E402


@pytest.fixture(scope="module")
def spaces():
    cb = default_codebook()
    gym99 = build_label_space(cb, "gym99")
    old = build_label_space(cb, gym99.element_ids[:4])
    new = build_label_space(cb, [gym99.element_ids[5], gym99.element_ids[2], gym99.element_ids[0]])
    return old, new


def _saved(tmp_path, space, how):
    torch.manual_seed(0)
    src = create_model("stgcn_temporal", label_space=space)
    path = tmp_path / "best.pt"
    if how == "run":
        torch.save({"model": src.state_dict(), "metrics": {}}, path)
        (tmp_path / "run.json").write_text(json.dumps({"manifest": {"label_space": space.to_dict()}}))
    else:
        torch.save(src.state_dict(), path)
        entry = {"name": "x", "weights": "best.pt", "label_space": space.to_dict()}
        (tmp_path / "manifest.json").write_text(json.dumps({"schema": 1, "models": [entry]}))
    return src, path


@pytest.mark.parametrize("how", ["run", "manifest"])
def test_shared_element_rows_are_carried_and_new_ones_stay_fresh(spaces, tmp_path, how):
    old, new = spaces
    src, path = _saved(tmp_path, old, how)
    assert checkpoint_label_space(path).element_ids == old.element_ids
    torch.manual_seed(1)
    model = create_model("stgcn_temporal", label_space=new)
    before = model.head.element.weight.detach().clone()
    load_backbone(model, path, heads=True)  # the element head has another shape: not loaded
    carried = warm_start_heads(model, path)
    assert carried["element"] == 2
    assert "set" not in carried and "event" not in carried  # same shapes: loaded whole, not by row
    for head, n in carried.items():  # attribute heads whose value vocabulary differs: by value name
        if head.startswith("attrs."):
            name = head[len("attrs."):]
            shared = [v for v in new.attributes[name] if v in old.attributes[name]]
            assert n == len(shared)
            i, j = new.attributes[name].index(shared[0]), old.attributes[name].index(shared[0])
            assert torch.equal(model.head.attrs[name].weight[i], src.head.attrs[name].weight[j])
    w, b = model.head.element.weight, model.head.element.bias
    # new row 1 is old row 2, new row 2 is old row 0; new row 0 (not in the old space) is untouched
    assert torch.equal(w[1], src.head.element.weight[2]) and torch.equal(b[1], src.head.element.bias[2])
    assert torch.equal(w[2], src.head.element.weight[0]) and torch.equal(b[2], src.head.element.bias[0])
    assert torch.equal(w[0], before[0])
    # same-shaped heads were loaded whole by load_backbone and are left alone
    assert torch.equal(model.head.set.weight, src.head.set.weight)


def test_a_checkpoint_without_a_known_label_space_carries_nothing(spaces, tmp_path):
    old, new = spaces
    torch.manual_seed(0)
    path = tmp_path / "loose.pt"
    torch.save(create_model("stgcn_temporal", label_space=old).state_dict(), path)
    assert checkpoint_label_space(path) is None
    model = create_model("stgcn_temporal", label_space=new)
    assert warm_start_heads(model, path) == {}


def test_a_segmenters_label_space_beside_the_checkpoint_is_not_taken_for_a_classifiers(tmp_path):
    path = tmp_path / "seg.pt"
    path.write_bytes(b"")
    entry = {"name": "s", "weights": "seg.pt", "label_space": {"labels": ["background", 21]}}
    (tmp_path / "manifest.json").write_text(json.dumps({"schema": 1, "models": [entry]}))
    assert checkpoint_label_space(path) is None
