"""MS-TCN segmenter: multi-stage dilated temporal convolutions over per-frame features.

Each stage outputs ``C`` class logits (background + set ids) plus one boundary logit (the frame where a
new sub-action starts), so that two consecutive elements of the same set are still split. Training
uses cross-entropy + the truncated-MSE smoothing loss of Farha & Gall (CVPR 2019) on every stage.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gymscore.models.registry import register_model


class DilatedResidual(nn.Module):
    def __init__(self, dilation: int, channels: int, dropout: float) -> None:
        super().__init__()
        self.conv_dilated = nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation)
        self.conv_1x1 = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.dropout(self.conv_1x1(F.relu(self.conv_dilated(x))))


class Stage(nn.Module):
    def __init__(self, num_layers: int, channels: int, dim_in: int, dropout: float) -> None:
        super().__init__()
        self.conv_in = nn.Conv1d(dim_in, channels, 1)
        self.layers = nn.ModuleList(DilatedResidual(2**i, channels, dropout) for i in range(num_layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv_in(x)
        for layer in self.layers:
            x = layer(x)
        return x


class MSTCN(nn.Module):
    """Input (N, F, T) features; output list over stages of (N, C + 1, T) logits (last = boundary)."""

    def __init__(
        self,
        num_classes: int,
        in_features: int = 89,
        num_stages: int = 3,
        num_layers: int = 9,
        channels: int = 48,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.num_stages, self.num_layers = num_stages, num_layers
        self.channels, self.dropout = channels, dropout
        self.input_dropout = nn.Dropout1d(0.1)
        self.stage1 = Stage(num_layers, channels, in_features, dropout)
        self.reset_head(num_classes)

    def reset_head(self, num_classes: int | list[Any]) -> None:
        """New output classes (an int, or the label list): rebuilds every stage's output and refiners."""
        n = num_classes if isinstance(num_classes, int) else len(num_classes)
        self.num_classes = n
        device = next(self.stage1.parameters()).device
        self.out1 = nn.Conv1d(self.channels, n + 1, 1).to(device)
        self.refiners = nn.ModuleList(
            Stage(self.num_layers, self.channels, n + 1, self.dropout) for _ in range(self.num_stages - 1)
        ).to(device)
        self.refiner_outs = nn.ModuleList(
            nn.Conv1d(self.channels, n + 1, 1) for _ in range(self.num_stages - 1)
        ).to(device)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.stage1(self.input_dropout(x))

    def forward_head(self, features: torch.Tensor) -> list[torch.Tensor]:
        out = self.out1(features)
        outputs = [out]
        for refiner, head in zip(self.refiners, self.refiner_outs, strict=True):
            probs = torch.cat([F.softmax(out[:, :-1], dim=1), torch.sigmoid(out[:, -1:])], dim=1)
            out = head(refiner(probs))
            outputs.append(out)
        return outputs

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self.forward_head(self.forward_features(x))


def segmentation_loss(
    outputs: list[torch.Tensor],
    labels: torch.Tensor,
    boundaries: torch.Tensor,
    mask: torch.Tensor,
    weights: torch.Tensor | None = None,
    smooth_weight: float = 0.15,
    boundary_weight: float = 1.0,
) -> torch.Tensor:
    """Sum over stages of weighted CE + smoothing (T-MSE, tau=4) + boundary BCE; ``labels`` -100 = ignore.

    Shapes: outputs (N, C+1, T), labels (N, T) long, boundaries / mask / weights (N, T) float.
    """
    total = outputs[0].new_zeros((), dtype=torch.float32)
    m = mask.float()
    w = m if weights is None else weights.float() * m
    valid = (labels != -100).float() * w
    denom = m.sum().clamp(min=1.0)
    pos_weight = torch.tensor(8.0, device=outputs[0].device)
    for out in outputs:
        logits, bnd = out[:, :-1].float(), out[:, -1].float()
        ce = F.cross_entropy(logits, labels.clamp(min=0), reduction="none")
        ce = (ce * valid).sum() / valid.sum().clamp(min=1.0)
        logp = F.log_softmax(logits, dim=1)
        diff = (logp[:, :, 1:] - logp.detach()[:, :, :-1]) ** 2
        both = m[:, 1:] * m[:, :-1]
        smooth = (diff.clamp(max=16.0).mean(dim=1) * both).sum() / denom
        bce = F.binary_cross_entropy_with_logits(
            bnd, boundaries.float(), reduction="none", pos_weight=pos_weight
        )
        bce = (bce * w).sum() / denom
        total = total + ce + smooth_weight * smooth + boundary_weight * bce
    return total


@register_model
def mstcn_small(num_classes: int = 16, in_features: int = 89, **kw: Any) -> MSTCN:
    """3 stages x 9 layers x 48 channels (~0.2 M parameters); the shipped default segmenter."""
    kw = {"num_stages": 3, "num_layers": 9, "channels": 48, **kw}
    return MSTCN(num_classes, in_features, **kw)


@register_model
def mstcn_base(num_classes: int = 16, in_features: int = 89, **kw: Any) -> MSTCN:
    """4 stages x 10 layers x 64 channels (MS-TCN paper setting)."""
    kw = {"num_stages": 4, "num_layers": 10, "channels": 64, **kw}
    return MSTCN(num_classes, in_features, **kw)
