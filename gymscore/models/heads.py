"""Hierarchical heads shared by the element classifiers (event > set > element + attributes)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from gymscore.models.labels import LabelSpace


def as_label_space(label_space: LabelSpace | dict[str, Any]) -> LabelSpace:
    """Accept a :class:`LabelSpace` or its dict form."""
    return label_space if isinstance(label_space, LabelSpace) else LabelSpace.from_dict(label_space)


class HierarchicalHeads(nn.Module):
    """Linear heads on a pooled feature vector: ``event``, ``set``, ``element`` and ``attr:<name>``."""

    def __init__(self, in_dim: int, label_space: LabelSpace, dropout: float = 0.2) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.event = nn.Linear(in_dim, len(label_space.events))
        self.set = nn.Linear(in_dim, len(label_space.set_ids))
        self.element = nn.Linear(in_dim, label_space.num_elements)
        self.attrs = nn.ModuleDict(
            {name: nn.Linear(in_dim, len(values)) for name, values in label_space.attributes.items()}
        )

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        x = self.dropout(x)
        out = {"event": self.event(x), "set": self.set(x), "element": self.element(x)}
        for name, head in self.attrs.items():
            out[f"attr:{name}"] = head(x)
        return out


class ClassifierBase(nn.Module):
    """Common interface: ``forward_features`` -> (N, D), ``forward_head`` -> dict of logits."""

    feature_dim: int
    head_dropout: float = 0.2

    def init_head(self, label_space: LabelSpace | dict[str, Any]) -> None:
        self.label_space = as_label_space(label_space)
        self.head = HierarchicalHeads(self.feature_dim, self.label_space, self.head_dropout)

    def forward_head(self, features: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.head(features)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.forward_head(self.forward_features(x))

    def reset_head(self, label_space: LabelSpace | dict[str, Any]) -> None:
        """Replace the heads for a new label space (fine-tuning on other elements)."""
        device = next(self.parameters()).device
        self.init_head(label_space)
        self.head.to(device)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError
