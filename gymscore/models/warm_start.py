"""Carry a pretrained classifier's head rows into a model with another label space.

Fine-tuning the Gym99 classifier into one over all 530 elements would otherwise start the element
head from scratch and lose what it knew of the 99 elements both spaces share. Every head row is
matched by its name (element id, set id, event, attribute value), so shared classes keep their
weights and only the new ones start fresh.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gymscore.models.labels import LabelSpace


def checkpoint_label_space(path: str | Path) -> LabelSpace | None:
    """The label space a classifier checkpoint was trained for, or None when nothing beside it says.

    Looks at ``run.json`` of a training run folder (``runs/NAME/best.pt``) and at a model folder's
    ``manifest.json`` entry whose ``weights`` is this file.
    """
    p = Path(path)
    found = None
    run = p.parent / "run.json"
    if run.is_file():
        found = json.loads(run.read_text()).get("manifest", {}).get("label_space")
    manifest = p.parent / "manifest.json"
    if not found and manifest.is_file():
        entries = json.loads(manifest.read_text()).get("models", [])
        found = next((e.get("label_space") for e in entries if e.get("weights") == p.name), None)
    if not found:
        return None
    try:
        return LabelSpace.from_dict(found)
    except ValueError:  # not a classifier's label space (a segmenter's labels, say)
        return None


def _head_names(ls: LabelSpace) -> dict[str, list[str]]:
    """Row names of every head (``element``, ``set``, ``event``, ``attrs.<name>``)."""
    out = {"element": list(ls.element_ids), "set": [str(s) for s in ls.set_ids], "event": list(ls.events)}
    out.update({f"attrs.{a}": list(values) for a, values in ls.attributes.items()})
    return out


def carry_head_rows(model: nn.Module, state: dict[str, Any], old: LabelSpace) -> dict[str, int]:
    """Copy the rows of ``state``'s heads (trained for ``old``) whose names the model's heads share.

    Only heads whose shapes differ are touched (same-shaped heads load as they are). Returns, per
    head, how many rows were carried.
    """
    new_names = _head_names(model.label_space)
    old_names = _head_names(old)
    own = model.state_dict()
    carried: dict[str, int] = {}
    with torch.no_grad():
        for head, names in new_names.items():
            w_key, b_key = f"head.{head}.weight", f"head.{head}.bias"
            if w_key not in state or w_key not in own or own[w_key].shape == state[w_key].shape:
                continue
            if state[w_key].shape[1] != own[w_key].shape[1] or head not in old_names:
                continue
            where = {n: i for i, n in enumerate(old_names[head])}
            pairs = [(i, where[n]) for i, n in enumerate(names) if n in where]
            if not pairs:
                continue
            dst = torch.tensor([i for i, _ in pairs])
            src = torch.tensor([j for _, j in pairs])
            own[w_key][dst] = state[w_key][src].to(own[w_key].dtype)
            own[b_key][dst] = state[b_key][src].to(own[b_key].dtype)
            carried[head] = len(pairs)
    model.load_state_dict(own)
    return carried


def warm_start_heads(model: nn.Module, path: str | Path) -> dict[str, int]:
    """:func:`carry_head_rows` from a checkpoint file whose label space is known (else nothing)."""
    if not hasattr(model, "label_space"):
        return {}
    old = checkpoint_label_space(path)
    if old is None:
        return {}
    state = torch.load(Path(path), map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "model" in state:
        state = state["model"]
    return carry_head_rows(model, state, old)
