"""Averaging ensembles: several trained models of one task that answer together.

The members' probabilities are averaged (each head's softmax; the segmenter's boundary sigmoid) and
handed back as log-probabilities, so a runner that applies softmax (or sigmoid) to the output gets the
average back exactly. An ensemble is stored like any other model: one weights file (the members' state
dicts under ``members.0.``, ``members.1.``, ...) and one manifest entry whose architecture is
:func:`mean_ensemble` and whose ``model_kwargs`` name each member's architecture and arguments. To
fine-tune it, fine-tune a member (:func:`member_state`) and build the ensemble again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch
from torch import nn

from gymscore.models.manifest import ManifestError, ModelManifest
from gymscore.models.registry import create_model, register_model

_EPS = 1e-7


class MeanEnsemble(nn.Module):
    """The mean of the members' probabilities, as log-probabilities (classifier: a dict of heads;
    segmenter: one stage of ``(N, classes + 1 boundary, T)``)."""

    def __init__(self, members: list[nn.Module], task: str) -> None:
        super().__init__()
        if len(members) < 2:
            raise ValueError("an ensemble needs at least two members")
        if task not in ("classifier", "segmenter"):
            raise ValueError(f"unknown task {task!r} for an ensemble")
        self.members = nn.ModuleList(members)
        self.task = task

    def forward(self, x: torch.Tensor) -> Any:
        outs = [m(x) for m in self.members]
        if self.task == "classifier":
            return {k: _mean_log_softmax([o[k] for o in outs], dim=1) for k in outs[0]}
        last = [o[-1].float() for o in outs]  # the final stage of each member
        classes = _mean_log_softmax([t[:, :-1] for t in last], dim=1)
        boundary = torch.stack([torch.sigmoid(t[:, -1:]) for t in last]).mean(0).clamp(_EPS, 1 - _EPS)
        return [torch.cat([classes, torch.log(boundary) - torch.log1p(-boundary)], dim=1)]

    def reset_head(self, *_: Any, **__: Any) -> None:
        """Refused by design: an average has no head of its own to train."""
        raise TypeError("an ensemble is not trained as a whole: fine-tune one of its members")


def _mean_log_softmax(logits: list[torch.Tensor], dim: int) -> torch.Tensor:
    probs = torch.stack([torch.softmax(t.float(), dim=dim) for t in logits]).mean(0)
    return torch.log(probs.clamp_min(_EPS))


@register_model
def mean_ensemble(members: list[dict[str, Any]], task: str, label_space: Any = None) -> MeanEnsemble:
    """An ensemble of ``members`` (each ``{"architecture": name, "model_kwargs": {...}}``); a
    classifier's ``label_space`` is handed to every member."""
    built = []
    for spec in members:
        kwargs = dict(spec.get("model_kwargs", {}))
        if task == "classifier" and label_space is not None:
            kwargs["label_space"] = label_space
        built.append(create_model(spec["architecture"], **kwargs))
    return MeanEnsemble(built, task)


def ensemble_manifest(members: list[ModelManifest], name: str) -> ModelManifest:
    """The manifest of an ensemble of ``members`` (same task, input and labels; ManifestError
    otherwise), without weights of its own: fill in ``weights`` and ``sha256`` to store it."""
    if len(members) < 2:
        raise ManifestError("an ensemble needs at least two members")
    first = members[0]
    for other in members[1:]:
        for what in ("task", "input", "label_space"):
            if getattr(other, what) != getattr(first, what):
                raise ManifestError(f"{first.task} models {first.name!r} and {other.name!r} cannot be "
                                    f"averaged: their {what.replace('_', ' ')} differs")
    return replace(
        first, name=name, architecture="mean_ensemble", weights="", sha256="", default=False, notes="",
        model_kwargs={"task": first.task, "members": [
            {"architecture": m.architecture, "model_kwargs": dict(m.model_kwargs)} for m in members]},
        training_data={"run": "+".join(str(m.training_data.get("run") or m.name) for m in members),
                       "members": [{"name": m.name, **m.training_data} for m in members]},
        metrics={},
    )


def ensemble_state(states: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """One state dict for :class:`MeanEnsemble` from its members' state dicts."""
    return {f"members.{i}.{k}": v for i, s in enumerate(states) for k, v in s.items()}


def member_state(state: dict[str, torch.Tensor], index: int) -> dict[str, torch.Tensor]:
    """Member ``index``'s own state dict out of an ensemble's (to fine-tune it alone)."""
    prefix = f"members.{index}."
    out = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not out:
        raise KeyError(f"the ensemble has no member {index}")
    return out
